/* materials.h — the use cases of materials (备案材料): uploads checked by their bytes (real type,
 * nothing executable), stored content-addressed in the data directory (same bytes once), versioned
 * metadata in the store, downloads under the visibility of the filings that use them, the pins of
 * frozen filing versions, and the re-hash of every stored file (`beian verify materials`).
 *
 * Files: <data>/materials/sha256/<first two hex>/<sha256>, written by rename from a temporary file
 * in <data>/materials/tmp after fsync, then the directory fsync'd; a file once there is never
 * rewritten (unless its bytes no longer have its digest). Metadata is written after the file, so a
 * row never names bytes that are not on disk; a failure in between leaves at most an unreferenced
 * file. */
#ifndef BEIAN_MATERIALS_H
#define BEIAN_MATERIALS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <jansson.h>
#include "core/err.h"

struct app;
struct pack;
struct principal;
struct store_conn;

/* An uploaded body as the HTTP layer hands it over (a temporary file, already hashed). When the
 * use case moves the file into the store it sets taken (the caller must then not remove path). */
struct material_file {
    const char *path;
    int fd;
    uint64_t size;
    const char *sha256;
    const char *declared_type;   /* the request's Content-Type */
    bool taken;
};

/* What can be checked before the body: the caller may upload (a material of its own organisation;
 * replace_id > 0: a new version of that material), the kind is in the pack, title and filename are
 * acceptable, the declared type is one a material may have (415 otherwise). kind/title are ignored when replace_id > 0. */
int material_upload_check(struct app *a, const struct principal *who, int64_t replace_id, const char *kind,
                          const char *title, const char *filename, const char *declared_type, struct err *e);
/* Store a new material (version 1) from f; the material as material_get shows it, plus
 * "stored": "new" | "existing" (whether the caller's organisation already had these bytes; the
 * store keeps one file for all organisations, but that is not told). */
json_t *material_create(struct app *a, const struct principal *who, const char *kind, const char *title,
                        const char *filename, struct material_file *f, struct err *e);
/* A new version of material id from f; the material afterwards. */
json_t *material_add_version(struct app *a, const struct principal *who, int64_t id, const char *filename,
                             struct material_file *f, struct err *e);
/* Metadata (current version), its versions, one version; ERR_NOT_FOUND when not visible. Outside
 * the owner organisation (and but for a provider's published certificate) only the versions that
 * frozen versions of filings the caller sees pin are visible: "current" is the last of those. */
json_t *material_get(struct app *a, const struct principal *who, int64_t id, struct err *e);
json_t *material_versions(struct app *a, const struct principal *who, int64_t id, struct err *e);
json_t *material_version(struct app *a, const struct principal *who, int64_t id, int n, struct err *e);
/* The materials of the caller's organisation (admin: all). */
json_t *material_list(struct app *a, const struct principal *who, struct err *e);
/* Open version n (0: current, as material_get shows it) for download: *fd (caller closes), *meta
 * the version row (caller frees); *content_type a static string. */
int material_open(struct app *a, const struct principal *who, int64_t id, int n, int *fd, json_t **meta,
                  const char **content_type, struct err *e);

/* Inside the write job that freezes filing version n with document: record the current version
 * and hash of every material the document names in a material field (only materials of the
 * filing's own organisation; other numbers are left to the policy's findings). */
int materials_pin_version(struct store_conn *c, const struct pack *p, int64_t filing_id, int n,
                          const json_t *document, struct err *e);
/* The material ids named in the material fields of document (a new array of integers, no repeats). */
json_t *materials_in_document(const struct pack *p, const json_t *document);
/* The pins of a filing version the caller may see: [{material_id, material_version, sha256}]. */
json_t *material_pins_of_version(struct app *a, const struct principal *who, int64_t filing_id, int n,
                                 struct err *e);

/* Re-hash every stored file; prints one line per problem ("changed <sha>", "missing <sha>") to out.
 * Returns the number of problems (0: all intact), or -1 with e when it cannot run. */
int materials_verify(struct app *a, FILE *out, size_t *checked, struct err *e);

/* The temporary files of uploads (<data>/materials/tmp/upload-*) that a killed server left with
 * their space reserved. Those last modified before remove_before (0: none) are removed; the
 * others are counted in left and left_bytes (space on disk). -1 with e when the directory cannot
 * be read; no directory is no files. */
struct materials_tmp_report {
    size_t removed, left;
    uint64_t left_bytes;
};
int materials_tmp_sweep(struct app *a, time_t remove_before, struct materials_tmp_report *out, struct err *e);

#endif
