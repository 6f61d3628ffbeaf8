/* materials.c — the use cases of materials (see materials.h): type sniffing, content-addressed
 * storage, versions, visibility, pins of frozen filing versions, verification. */
#include "service/materials.h"
#include "policy/schema.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/filings.h"
#include "service/input.h"
#include "service/quota.h"
#include "core/sha256.h"
#include "core/workflow.h"
#include "policy/pack.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* ------------------------------------------------------------------------------ types */

/* The types a material may have; the declared Content-Type must name the type the bytes show. */
static const struct {
    const char *key;    /* sniffed kind */
    const char *mime;   /* canonical media type (served back) */
    const char *ext;
} TYPES[] = {
    {"pdf", "application/pdf", "pdf"},
    {"png", "image/png", "png"},
    {"jpeg", "image/jpeg", "jpg"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
    {"text", "text/plain; charset=utf-8", "txt"},
};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])

static const char *mime_of(const char *key)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (strcmp(TYPES[i].key, key) == 0) return TYPES[i].mime;
    return "application/octet-stream";
}

static const char *ext_of_mime(const char *mime)
{
    for (size_t i = 0; mime && i < NTYPES; i++)
        if (strcmp(TYPES[i].mime, mime) == 0) return TYPES[i].ext;
    return "bin";
}

/* The kind a declared Content-Type names ("pdf", …), or NULL when it is not one we take. The
 * media type is case-insensitive; text/plain may say charset utf-8 or us-ascii, nothing else. */
static const char *declared_kind(const char *declared)
{
    if (!declared) return NULL;
    char type[160];
    size_t n = strcspn(declared, ";");
    while (n > 0 && (declared[n - 1] == ' ' || declared[n - 1] == '\t')) n--;
    if (n == 0 || n >= sizeof type) return NULL;
    for (size_t i = 0; i < n; i++) type[i] = (char)((declared[i] >= 'A' && declared[i] <= 'Z') ? declared[i] + 32 : declared[i]);
    type[n] = '\0';
    if (strcmp(type, "text/plain") == 0) {
        const char *cs = strcasestr(declared, "charset=");
        if (cs) {
            cs += 8;
            if (*cs == '"') cs++;
            if (strncasecmp(cs, "utf-8", 5) != 0 && strncasecmp(cs, "us-ascii", 8) != 0) return NULL;
        }
        return "text";
    }
    for (size_t i = 0; i < NTYPES; i++) {
        size_t len = strcspn(TYPES[i].mime, ";");
        if (strlen(type) == len && strncmp(type, TYPES[i].mime, len) == 0) return TYPES[i].key;
    }
    if (strcmp(type, "image/jpg") == 0) return "jpeg";
    return NULL;
}

static bool read_at(int fd, void *buf, size_t len, uint64_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        got += (size_t)r;
    }
    return true;
}

static uint32_t le32(const unsigned char *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* An Office Open XML package? Reads the ZIP central directory (no decompression needed): a
 * [Content_Types].xml entry plus word/… entries is DOCX, plus xl/… is XLSX; else NULL. */
static const char *sniff_ooxml(int fd, uint64_t size)
{
    enum { EOCD_MIN = 22, TAIL_MAX = 65536 + EOCD_MIN, CD_MAX = 8 * 1024 * 1024 };
    if (size < EOCD_MIN) return NULL;
    size_t tail_len = size < TAIL_MAX ? (size_t)size : TAIL_MAX;
    unsigned char *tail = malloc(tail_len);
    if (!tail || !read_at(fd, tail, tail_len, size - tail_len)) { free(tail); return NULL; }
    const char *kind = NULL;
    unsigned char *cd = NULL;
    for (size_t i = tail_len - EOCD_MIN + 1; i-- > 0;) {
        if (le32(tail + i) != 0x06054b50) continue;
        uint32_t cd_size = le32(tail + i + 12), cd_off = le32(tail + i + 16);
        if (cd_size == 0 || cd_size > CD_MAX || (uint64_t)cd_off + cd_size > size) break;
        cd = malloc(cd_size);
        if (!cd || !read_at(fd, cd, cd_size, cd_off)) break;
        bool types = false, word = false, xl = false;
        for (size_t p = 0; p + 46 <= cd_size && le32(cd + p) == 0x02014b50;) {
            size_t name_len = le16(cd + p + 28), extra = le16(cd + p + 30), comment = le16(cd + p + 32);
            if (p + 46 + name_len > cd_size) break;
            const char *name = (const char *)cd + p + 46;
            if (name_len == 19 && memcmp(name, "[Content_Types].xml", 19) == 0) types = true;
            if (name_len > 5 && memcmp(name, "word/", 5) == 0) word = true;
            if (name_len > 3 && memcmp(name, "xl/", 3) == 0) xl = true;
            p += 46 + name_len + extra + comment;
        }
        if (types && word && !xl) kind = "docx";
        else if (types && xl && !word) kind = "xlsx";
        break;
    }
    free(cd);
    free(tail);
    return kind;
}

/* Plain text: valid UTF-8 (an initial BOM allowed), no NUL or control characters other than
 * tab, newline, carriage return and form feed. Reads the whole file in blocks. */
static bool sniff_text(int fd, uint64_t size)
{
    unsigned char buf[65536 + 4];
    size_t carry = 0;   /* bytes of an incomplete sequence kept from the previous block */
    uint64_t off = 0;
    while (off < size) {
        size_t want = size - off < 65536 ? (size_t)(size - off) : 65536;
        if (!read_at(fd, buf + carry, want, off)) return false;
        off += want;
        size_t len = carry + want, i = 0;
        carry = 0;
        while (i < len) {
            unsigned char c = buf[i];
            size_t extra;
            unsigned long cp;
            if (c < 0x80) {
                if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f) return false;
                i++;
                continue;
            }
            if (c >= 0xC2 && c <= 0xDF) { extra = 1; cp = c & 0x1F; }
            else if (c >= 0xE0 && c <= 0xEF) { extra = 2; cp = c & 0x0F; }
            else if (c >= 0xF0 && c <= 0xF4) { extra = 3; cp = c & 0x07; }
            else return false;
            if (len - i <= extra) {
                if (off >= size) return false;      /* cut at the end of the file */
                carry = len - i;
                memmove(buf, buf + i, carry);
                break;
            }
            for (size_t k = 1; k <= extra; k++) {
                if ((buf[i + k] & 0xC0) != 0x80) return false;
                cp = (cp << 6) | (buf[i + k] & 0x3F);
            }
            if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000)) return false;
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
            i += extra + 1;
        }
    }
    return carry == 0;
}

/* What the bytes are: "pdf", "png", "jpeg", "docx", "xlsx", "text", "executable", or NULL. */
static const char *sniff(int fd, uint64_t size)
{
    unsigned char h[16] = {0};
    size_t n = size < sizeof h ? (size_t)size : sizeof h;
    if (n == 0 || !read_at(fd, h, n, 0)) return NULL;
    if (n >= 4 && memcmp(h, "\x7f" "ELF", 4) == 0) return "executable";
    if (n >= 2 && memcmp(h, "MZ", 2) == 0) return "executable";           /* PE / DOS */
    if (n >= 2 && memcmp(h, "#!", 2) == 0) return "executable";           /* script with interpreter */
    if (n >= 4) {
        uint32_t m = le32(h);
        if (m == 0xfeedface || m == 0xfeedfacf || m == 0xcefaedfe || m == 0xcffaedfe ||
            m == 0xbebafeca || m == 0xcafebabe)                             /* Mach-O (thin, fat) */
            return "executable";
    }
    if (n >= 5 && memcmp(h, "%PDF-", 5) == 0) return "pdf";
    if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0) return "png";
    if (n >= 3 && memcmp(h, "\xff\xd8\xff", 3) == 0) return "jpeg";
    if (n >= 4 && memcmp(h, "PK\x03\x04", 4) == 0) return sniff_ooxml(fd, size);
    if (sniff_text(fd, size)) return "text";
    return NULL;
}

/* ------------------------------------------------------------------------------ input checks */

/* The characters of a filename are checked as every name is (input_name_check: UTF-8, no
 * control, invisible or bidirectional characters, not blank); a filename besides names no
 * directory and is not only spaces and dots. */
static int check_filename(const char *f, struct err *e)
{
    if (!f) return 0;
    if (input_name_check(f, "filename", 255, e) != 0) return -1;
    if (strchr(f, '/') || strchr(f, '\\') || strstr(f, "..") || f[strspn(f, " .")] == '\0')
        return err_set(e, ERR_VALIDATION, "filename",
                       "filename must not contain '/', '\\' or '..', nor be only spaces and dots",
                       "文件名不能含有“/”、“\\”或“..”，也不能只由空格和点组成");
    return 0;
}

static bool kind_known(const struct pack *p, const char *kind)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(p->materials, "kinds"), i, k)
        if (kind && strcmp(jstr(k, "key"), kind) == 0) return true;
    return false;
}

static bool may_upload(const struct principal *who)
{
    if (strcmp(who->org_kind, "enterprise") == 0) return who->roles & (ROLE_FILER | ROLE_CHECKER | ROLE_ORG_ADMIN);
    if (strcmp(who->org_kind, "provider") == 0) return who->roles & (ROLE_PROVIDER | ROLE_ORG_ADMIN);
    return false;
}

/* ------------------------------------------------------------------------------ visibility */

static void add_id(const char *path, const json_t *def, const json_t *v, void *arg)
{
    (void)path;
    (void)def;
    json_t *out = arg;
    if (!json_is_integer(v) || json_integer_value(v) <= 0) return;
    size_t i;
    json_t *x;
    json_array_foreach(out, i, x) if (json_integer_value(x) == json_integer_value(v)) return;
    json_array_append(out, (json_t *)v);
}

/* The form's one walk of material references (schema_each_material), ids kept once each. */
json_t *materials_in_document(const struct pack *p, const json_t *document)
{
    json_t *out = json_array();
    schema_each_material(p->form, document, add_id, out);
    return out;
}

static bool ids_contain(const json_t *ids, int64_t id)
{
    size_t i;
    json_t *x;
    json_array_foreach(ids, i, x) if (json_integer_value(x) == id) return true;
    return false;
}

/* Owner, admin, anyone for a provider's published certificate: every version (*versions NULL).
 * Else a provider or authority sees only the versions that frozen versions of the owner's filings
 * visible to it pin (*versions: their numbers, ascending). A filing becomes visible to them only
 * after its first version froze; a material named in a later, not yet frozen edit of the document
 * pins nothing and so grants nothing until the filing is submitted again. */
static bool material_visible(struct app *a, const struct principal *who, const json_t *m, json_t **versions)
{
    *versions = NULL;
    if (!m) return false;
    if (principal_is_admin(who) || jint(m, "org_id") == who->org_id) return true;
    struct store_conn *c = store_reader(a->store);
    int64_t id = jint(m, "id");
    if (store_material_is_certificate(c, id, jint(m, "org_id"))) return true;
    if (strcmp(who->org_kind, "provider") != 0 && strcmp(who->org_kind, "authority") != 0) return false;
    struct store_scope scope = {.org_kind = who->org_kind, .org_id = who->org_id};
    json_t *pinned = store_material_pinned_versions(c, id, jint(m, "org_id"), &scope);
    if (json_array_size(pinned) == 0) {
        json_decref(pinned);
        return false;
    }
    *versions = pinned;
    return true;
}

/* The material as the caller may see it. *versions (when asked for): NULL when every version is
 * visible, else the visible version numbers; the metadata is then that of the last of them, as if
 * the later versions did not exist. */
static json_t *load_visible(struct app *a, const struct principal *who, int64_t id, json_t **versions,
                            struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *m = id > 0 ? store_material_get(c, id) : NULL;
    json_t *seen = NULL;
    if (!material_visible(a, who, m, &seen)) {
        json_decref(m);
        err_set(e, ERR_NOT_FOUND, NULL, "no such material", "材料不存在");
        return NULL;
    }
    int last = seen ? (int)json_integer_value(json_array_get(seen, json_array_size(seen) - 1)) : 0;
    json_t *v = last && last != jint(m, "current_version") ? store_material_version_get(c, id, last) : NULL;
    if (v) {
        static const char *const from_version[] = {"filename", "content_type", "size", "sha256", NULL};
        for (const char *const *k = from_version; *k; k++) json_object_set(m, *k, json_object_get(v, *k));
        json_object_set_new(m, "current_version", json_integer(last));
        json_object_set(m, "updated_at", json_object_get(v, "created_at"));
        json_decref(v);
    }
    if (versions) *versions = seen;
    else json_decref(seen);
    return m;
}

/* May a caller with these visible versions (NULL: all) see version n? */
static bool version_visible(const json_t *versions, int n) { return !versions || ids_contain(versions, n); }

/* ------------------------------------------------------------------------------ storage */

/* Hand the upload's bytes to the store (store_blob_put); it may take the temporary file. */
static int blob_store(struct app *a, struct material_file *f, struct err *e)
{
    struct store_upload u = {.path = f->path, .fd = f->fd, .size = f->size, .sha256 = f->sha256};
    int rc = store_blob_put(a->store, &u, e);
    if (u.taken) f->taken = true;
    return rc;
}

/* Check the bytes against the declared type; the canonical media type of the bytes. */
static const char *check_content(struct material_file *f, struct err *e)
{
    const char *declared = declared_kind(f->declared_type);
    if (!declared) {
        err_set(e, ERR_UNSUPPORTED_MEDIA, NULL,
                "Content-Type %s is not a material type (PDF, PNG, JPEG, DOCX, XLSX or UTF-8 text)",
                "Content-Type %s 不是可接受的材料类型（PDF、PNG、JPEG、DOCX、XLSX 或 UTF-8 文本）",
                f->declared_type ? f->declared_type : "(none)");
        return NULL;
    }
    if (f->size == 0) {
        err_set(e, ERR_VALIDATION, NULL, "the material is empty", "材料内容为空");
        return NULL;
    }
    const char *actual = sniff(f->fd, f->size);
    if (actual && strcmp(actual, "executable") == 0) {
        err_set(e, ERR_UNSUPPORTED_MEDIA, NULL, "executable content is not accepted as a material",
                "不接受可执行文件作为材料");
        err_extra(e, "detected_type", json_string("executable"));
        return NULL;
    }
    if (!actual) {
        err_set(e, ERR_UNSUPPORTED_MEDIA, NULL,
                "the content is of no type a material may have (PDF, PNG, JPEG, DOCX, XLSX, plain text), not the declared %s",
                "文件内容不属于材料允许的类型（PDF、PNG、JPEG、DOCX、XLSX、纯文本），与声明的类型 %s 不符",
                f->declared_type);
        err_extra(e, "detected_type", json_null());
        return NULL;
    }
    if (strcmp(actual, declared) != 0) {
        err_set(e, ERR_UNSUPPORTED_MEDIA, NULL, "the content is %s, not the declared %s",
                "文件内容为 %s，与声明的类型 %s 不符", mime_of(actual), f->declared_type);
        err_extra(e, "detected_type", json_string(mime_of(actual)));
        return NULL;
    }
    return mime_of(actual);
}

static json_t *material_view(json_t *m)
{
    if (!m) return NULL;
    json_object_set_new(m, "version", json_incref(json_object_get(m, "current_version")));
    return m;
}

/* ------------------------------------------------------------------------------ use cases */

int material_upload_check(struct app *a, const struct principal *who, int64_t replace_id, const char *kind,
                          const char *title, const char *filename, const char *declared_type, struct err *e)
{
    if (!may_upload(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an enterprise's or a provider's users upload materials",
                       "只有备案主体或云服务商的用户可以上传材料");
    if (check_filename(filename, e) != 0) return -1;
    if (!declared_kind(declared_type))
        return err_set(e, ERR_UNSUPPORTED_MEDIA, NULL,
                       "Content-Type %s is not a material type (PDF, PNG, JPEG, DOCX, XLSX or UTF-8 text)",
                       "Content-Type %s 不是可接受的材料类型（PDF、PNG、JPEG、DOCX、XLSX 或 UTF-8 文本）",
                       declared_type ? declared_type : "(none)");
    if (replace_id > 0) {
        json_t *m = load_visible(a, who, replace_id, NULL, e);
        if (!m) return -1;
        bool own = jint(m, "org_id") == who->org_id;
        json_decref(m);
        if (!own)
            return err_set(e, ERR_FORBIDDEN, NULL, "only the owner organisation replaces a material",
                           "只有材料所属单位可以更新材料");
        return 0;
    }
    if (!kind || !kind_known(a->pack, kind))
        return err_set(e, ERR_VALIDATION, "kind", "kind %s is not a material kind of the policy pack",
                       "材料类型 %s 不在政策包的材料类型中", kind ? kind : "(missing)");
    return input_name_check(title, "title", 200, e);
}

struct material_job {
    struct app *a;
    const struct principal *who;
    int64_t id;            /* 0: a new material */
    const char *kind, *title, *filename, *mime;
    const struct material_file *f;
    int n;
};

static int material_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct material_job *j = arg;
    int64_t org_id = j->who->org_id;
    /* the stored quota, exactly: uploads checked before their bodies may have finished together */
    if (!store_material_org_has_sha256(c, org_id, j->f->sha256) &&
        quota_stored_check(j->a, c, org_id, j->f->size, e) != 0)
        return -1;
    if (j->id == 0) {
        j->id = store_material_insert(c, org_id, j->kind, j->title, j->filename, j->mime, (int64_t)j->f->size,
                                      j->f->sha256, j->who->user_id, e);
        if (j->id < 0) return -1;
        j->n = 1;
    } else {
        json_t *m = store_material_get(c, j->id);
        if (!m || jint(m, "org_id") != org_id) {
            json_decref(m);
            return err_set(e, ERR_NOT_FOUND, NULL, "no such material", "材料不存在");
        }
        json_decref(m);
        j->n = store_material_add_version(c, j->id, j->filename, j->mime, (int64_t)j->f->size, j->f->sha256,
                                          j->who->user_id, e);
        if (j->n < 0) return -1;
    }
    json_t *d = json_pack("{s:i s:s s:I}", "version", j->n, "content_type", j->mime, "size", (json_int_t)j->f->size);
    if (j->kind) json_object_set_new(d, "kind", json_string(j->kind));
    int rc = audit_record(c, j->who, j->n == 1 ? "material.create" : "material.version", "material", j->id, 0,
                          org_id, NULL, j->f->sha256, d, e);
    json_decref(d);
    return rc;
}

static json_t *store_upload(struct app *a, const struct principal *who, struct material_job *j,
                            struct material_file *f, struct err *e)
{
    j->mime = check_content(f, e);
    if (!j->mime) return NULL;
    /* "existing" only when the caller's own organisation holds these bytes already: telling it
     * that another organisation uploaded them would leak that (the file is shared all the same) */
    bool existed = store_material_org_has_sha256(store_reader(a->store), who->org_id, f->sha256);
    /* bytes the organisation already holds cost nothing more; else refuse before the file is kept */
    if (!existed && quota_stored_check(a, store_reader(a->store), who->org_id, f->size, e) != 0) return NULL;
    if (blob_store(a, f, e) != 0) return NULL;
    j->f = f;
    if (store_write(a->store, material_job_fn, j, e) != 0) return NULL;
    json_t *m = material_view(store_material_get(store_reader(a->store), j->id));
    if (m) json_object_set_new(m, "stored", json_string(existed ? "existing" : "new"));
    return m;
}

json_t *material_create(struct app *a, const struct principal *who, const char *kind, const char *title,
                        const char *filename, struct material_file *f, struct err *e)
{
    if (material_upload_check(a, who, 0, kind, title, filename, f->declared_type, e) != 0) return NULL;
    struct material_job j = {.a = a, .who = who, .kind = kind, .title = title, .filename = filename};
    return store_upload(a, who, &j, f, e);
}

json_t *material_add_version(struct app *a, const struct principal *who, int64_t id, const char *filename,
                             struct material_file *f, struct err *e)
{
    if (material_upload_check(a, who, id, NULL, NULL, filename, f->declared_type, e) != 0) return NULL;
    struct material_job j = {.a = a, .who = who, .id = id, .filename = filename};
    return store_upload(a, who, &j, f, e);
}

json_t *material_get(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    return material_view(load_visible(a, who, id, NULL, e));
}

json_t *material_list(struct app *a, const struct principal *who, struct err *e)
{
    json_t *rows = store_material_list(store_reader(a->store), principal_is_admin(who) ? 0 : who->org_id);
    if (!rows) {
        err_set(e, ERR_INTERNAL, NULL, "cannot list materials", "无法列出材料");
        return NULL;
    }
    size_t i;
    json_t *m;
    json_array_foreach(rows, i, m) material_view(m);
    return json_pack("{s:o}", "items", rows);
}

json_t *material_versions(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    json_t *seen = NULL, *m = load_visible(a, who, id, &seen, e);
    if (!m) return NULL;
    json_decref(m);
    json_t *all = store_material_version_list(store_reader(a->store), id), *items = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(all, i, v)
        if (version_visible(seen, (int)jint(v, "n"))) json_array_append(items, v);
    json_decref(all);
    json_decref(seen);
    return json_pack("{s:o}", "items", items);
}

/* Version n of a visible material (0: the last the caller may see), or NULL with 404. */
static json_t *visible_version(struct app *a, const struct principal *who, int64_t id, int n, struct err *e)
{
    json_t *seen = NULL, *m = load_visible(a, who, id, &seen, e);
    if (!m) return NULL;
    if (n == 0) n = (int)jint(m, "current_version");
    json_decref(m);
    json_t *v = n > 0 && version_visible(seen, n) ? store_material_version_get(store_reader(a->store), id, n) : NULL;
    json_decref(seen);
    if (!v) err_set(e, ERR_NOT_FOUND, NULL, "no such version", "版本不存在");
    return v;
}

json_t *material_version(struct app *a, const struct principal *who, int64_t id, int n, struct err *e)
{
    return visible_version(a, who, id, n > 0 ? n : -1, e);   /* 0 means "current" only for downloads */
}

int material_open(struct app *a, const struct principal *who, int64_t id, int n, int *fd, json_t **meta,
                  const char **content_type, struct err *e)
{
    json_t *v = visible_version(a, who, id, n, e);
    if (!v) return -1;
    if (store_blob_open(a->store, jstr(v, "sha256"), jint(v, "size"), fd, e) != 0) {
        json_decref(v);
        return -1;
    }
    *content_type = "application/octet-stream";
    for (size_t i = 0; i < NTYPES; i++)
        if (jstr(v, "content_type") && strcmp(TYPES[i].mime, jstr(v, "content_type")) == 0) *content_type = TYPES[i].mime;
    json_object_set_new(v, "ext", json_string(ext_of_mime(jstr(v, "content_type"))));
    *meta = v;
    return 0;
}

int materials_pin_version(struct store_conn *c, const struct pack *p, int64_t filing_id, int n,
                          const json_t *document, struct err *e)
{
    json_t *ids = materials_in_document(p, document);
    if (json_array_size(ids) == 0) { json_decref(ids); return 0; }
    json_t *filing = store_filing_get(c, filing_id);
    int64_t owner = jint(filing, "org_id");
    json_decref(filing);
    int rc = 0;
    size_t i;
    json_t *x;
    json_array_foreach(ids, i, x) {
        json_t *m = store_material_get(c, json_integer_value(x));
        if (m && jint(m, "org_id") == owner)
            rc = store_material_pin(c, filing_id, n, jint(m, "id"), (int)jint(m, "current_version"), jstr(m, "sha256"), e);
        json_decref(m);
        if (rc != 0) break;
    }
    json_decref(ids);
    return rc;
}

json_t *material_pins_of_version(struct app *a, const struct principal *who, int64_t filing_id, int n,
                                 struct err *e)
{
    json_t *v = filing_version(a, who, filing_id, n, e);   /* visibility and existence */
    if (!v) return NULL;
    json_decref(v);
    return json_pack("{s:o}", "items", store_material_pins(store_reader(a->store), filing_id, n));
}

/* ------------------------------------------------------------------------------ verify */

int materials_verify(struct app *a, FILE *out, size_t *checked, struct err *e)
{
    json_t *blobs = store_material_blobs(store_reader(a->store));
    if (!blobs) return err_set(e, ERR_INTERNAL, NULL, "cannot read the material list", "无法读取材料列表");
    int problems = 0;
    *checked = 0;
    size_t i;
    json_t *b;
    json_array_foreach(blobs, i, b) {
        const char *sha = jstr(b, "sha256");
        char where[4300], got[65];
        (*checked)++;
        int rc = store_blob_check(a->store, sha, got, where, sizeof where);
        if (rc < 0) {
            fprintf(out, "missing %s %s\n", sha, where);
            problems++;
        } else if (rc > 0) {
            fprintf(out, "changed %s %s (now %s)\n", sha, where, got);
            problems++;
        }
    }
    json_decref(blobs);
    return problems;
}

int materials_tmp_sweep(struct app *a, time_t remove_before, struct materials_tmp_report *out, struct err *e)
{
    *out = (struct materials_tmp_report){0};
    return store_upload_sweep(a->store, remove_before, &out->removed, &out->left, &out->left_bytes, e);
}
