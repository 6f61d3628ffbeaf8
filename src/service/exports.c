/* exports.c — the register as CSV or XLSX and one filing's record as a JSON bundle (see exports.h).
 *
 * The register's columns are one table (REGISTER_COLUMNS): header in both languages and how a row
 * of store_register_page becomes the cell's text. Both writers read that table, so CSV and XLSX
 * always say the same. Rows come from the store a page at a time (REGISTER_PAGE) in id order. */
#include "service/exports.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/filings.h"
#include "service/materials.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/region.h"
#include "core/workflow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

enum { REGISTER_PAGE = 500, BUNDLE_EVENTS_MAX = 20000 };

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* ---- names in words ------------------------------------------------------------------------- */

struct names {
    const struct pack *pack;
    bool english;
};

static const char *bilingual(const json_t *label, bool english)
{
    return jstr(label, english ? "en" : "zh");
}

/* "北京市东城区": the province, the city and the code's own name, each once (in English the
 * code's name already says where it lies: "Dongcheng District, Beijing"). */
static void region_words(const struct names *n, const char *code, char *buf, size_t len)
{
    buf[0] = '\0';
    if (!region_code_valid(code)) return;
    const json_t *regions = n->pack->regions;
    const char *own = bilingual(json_object_get(regions, code), n->english);
    if (n->english) {
        snprintf(buf, len, "%s", own ? own : code);
        return;
    }
    char province[7], city[7];
    snprintf(province, sizeof province, "%.2s0000", code);
    snprintf(city, sizeof city, "%.4s00", code);
    const char *parts[3] = {bilingual(json_object_get(regions, province), false), NULL, own};
    if (strcmp(city, province) != 0) parts[1] = bilingual(json_object_get(regions, city), false);
    size_t used = 0;
    const char *last = NULL;
    for (int i = 0; i < 3 && used < len; i++) {
        if (!parts[i] || (last && strcmp(parts[i], last) == 0)) continue;
        used += (size_t)snprintf(buf + used, len - used, "%s", parts[i]);
        last = parts[i];
    }
    if (!own) snprintf(buf, len, "%s", code);   /* a code the pack does not know stays a code */
}

static const char *type_words(const struct names *n, const char *type)
{
    if (!type || !*type) return n->english ? "Not yet classified" : "尚未分类";
    const char *w = bilingual(json_object_get(json_object_get(n->pack->deadlines, "filing_types"), type), n->english);
    return w ? w : type;
}

static const char *state_words(const struct names *n, const char *state)
{
    const char *w = wf_state_label(wf_state_parse(state), n->english);
    return w ? w : state;
}

/* ---- the columns ---------------------------------------------------------------------------- */

/* The cell of one column for a row, into buf; *number set (and true returned) for a numeric cell. */
typedef bool cell_fn(const struct names *n, const json_t *row, char *buf, size_t len, double *number);

static void copy_text(char *buf, size_t len, const char *s) { snprintf(buf, len, "%s", s ? s : ""); }
/* The day of a timestamp ("2026-03-02T08:00:00Z" → "2026-03-02"). */
static void copy_day(char *buf, size_t len, const char *s) { snprintf(buf, len, "%.10s", s ? s : ""); }

static bool c_id(const struct names *n, const json_t *r, char *b, size_t l, double *x) { *x = (double)jint(r, "id"); return true; }
static bool c_number(const struct names *n, const json_t *r, char *b, size_t l, double *x)
{
    copy_text(b, l, jstr(r, "number") ? jstr(r, "number") : jstr(r, "record_number"));
    return false;
}
static bool c_kind(const struct names *n, const json_t *r, char *b, size_t l, double *x)
{
    bool change = jstr(r, "kind") && strcmp(jstr(r, "kind"), "change") == 0;
    copy_text(b, l, change ? (n->english ? "Change" : "变更备案") : (n->english ? "Initial" : "首次备案"));
    return false;
}
static bool c_subject(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_text(b, l, jstr(r, "subject_name")); return false; }
static bool c_uscc(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_text(b, l, jstr(r, "subject_uscc")); return false; }
static bool c_system(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_text(b, l, jstr(r, "system_name")); return false; }
static bool c_type(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_text(b, l, type_words(n, jstr(r, "type"))); return false; }
static bool c_level(const struct names *n, const json_t *r, char *b, size_t l, double *x)
{
    b[0] = '\0';
    if (!json_is_integer(json_object_get(r, "level"))) return false;
    *x = (double)jint(r, "level");
    return true;
}
static bool c_state(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_text(b, l, state_words(n, jstr(r, "state"))); return false; }
static bool c_region(const struct names *n, const json_t *r, char *b, size_t l, double *x) { region_words(n, jstr(r, "region"), b, l); return false; }
static bool c_region_code(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_text(b, l, jstr(r, "region")); return false; }
static bool c_provider(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_text(b, l, jstr(r, "provider_name")); return false; }
static bool c_authority(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_text(b, l, jstr(r, "authority_name")); return false; }
static bool c_submitted(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_day(b, l, jstr(r, "submitted_at")); return false; }
static bool c_due(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_day(b, l, jstr(r, "due_at")); return false; }
static bool c_filed(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_day(b, l, jstr(r, "filed_at")); return false; }
static bool c_change(const struct names *n, const json_t *r, char *b, size_t l, double *x)
{
    const char *cls = jstr(r, "change_class");
    b[0] = '\0';
    if (cls && strcmp(cls, "major") == 0) copy_text(b, l, n->english ? "Major" : "重大变更");
    else if (cls && strcmp(cls, "minor") == 0) copy_text(b, l, n->english ? "Minor" : "一般变更");
    if (cls && jint(r, "late")) {
        size_t used = strlen(b);
        snprintf(b + used, l - used, "%s", n->english ? " (reported late)" : "（逾期报告）");
    }
    return false;
}
static bool c_updated(const struct names *n, const json_t *r, char *b, size_t l, double *x) { copy_day(b, l, jstr(r, "updated_at")); return false; }

static const struct register_column {
    const char *zh, *en;
    cell_fn *cell;
    double width;   /* XLSX column width in characters */
} REGISTER_COLUMNS[] = {
    {"序号", "ID", c_id, 7},
    {"备案编号", "Filing number", c_number, 20},
    {"备案类别", "Kind", c_kind, 10},
    {"备案主体", "Subject", c_subject, 30},
    {"统一社会信用代码", "USCC", c_uscc, 21},
    {"业务系统", "System", c_system, 28},
    {"备案类型", "Filing type", c_type, 12},
    {"安全保护等级", "Protection level", c_level, 8},
    {"状态", "State", c_state, 14},
    {"所在地区", "Region", c_region, 22},
    {"行政区划代码", "Region code", c_region_code, 10},
    {"云服务商", "Cloud provider", c_provider, 26},
    {"备案管理部门", "Authority", c_authority, 26},
    {"提交日期", "Submitted on", c_submitted, 12},
    {"审查期限", "Review due", c_due, 12},
    {"备案日期", "Filed on", c_filed, 12},
    {"变更类别", "Change", c_change, 16},
    {"更新日期", "Updated on", c_updated, 12},
};
enum { REGISTER_COLUMN_COUNT = sizeof REGISTER_COLUMNS / sizeof REGISTER_COLUMNS[0] };

/* ---- the writers ---------------------------------------------------------------------------- */

struct writer {
    enum export_format format;
    FILE *csv;
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *bold;
    lxw_row_t row;
};

/* A spreadsheet takes a cell that starts with one of these for a formula (OWASP, CSV injection). */
static bool looks_like_formula(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
}

static void csv_cell(FILE *out, const char *s, bool first)
{
    if (!first) fputc(',', out);
    bool guard = looks_like_formula(s);
    bool quote = guard || strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ';
    if (quote) fputc('"', out);
    if (guard) fputc('\'', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', out);
        fputc(*p, out);
    }
    if (quote) fputc('"', out);
}

static int writer_fail(struct writer *w, struct err *e, const char *what)
{
    return err_set(e, ERR_INTERNAL, NULL, "could not write the export (%s)", "无法写出导出文件（%s）", what);
}

static int writer_open(struct writer *w, struct app *a, int fd, struct err *e)
{
    if (w->format == EXPORT_CSV) {
        int copy = dup(fd);
        w->csv = copy >= 0 ? fdopen(copy, "wb") : NULL;
        if (!w->csv) {
            if (copy >= 0) close(copy);
            return writer_fail(w, e, strerror(errno));
        }
        fputs("\xEF\xBB\xBF", w->csv);   /* the byte order mark: Excel then reads UTF-8 */
        return 0;
    }
    /* libxlsxwriter wants a file name: the open file's own, through /proc (it may have none) */
    char path[64], tmpdir[4200];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    snprintf(tmpdir, sizeof tmpdir, "%s/materials/tmp", a->data_dir);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = tmpdir, .use_zip64 = LXW_TRUE};
    w->book = workbook_new_opt(path, &opt);
    if (!w->book) return writer_fail(w, e, "workbook");
    w->sheet = workbook_add_worksheet(w->book, NULL);
    w->bold = workbook_add_format(w->book);
    format_set_bold(w->bold);
    if (!w->sheet) return writer_fail(w, e, "worksheet");
    for (int i = 0; i < REGISTER_COLUMN_COUNT; i++)
        worksheet_set_column(w->sheet, (lxw_col_t)i, (lxw_col_t)i, REGISTER_COLUMNS[i].width, NULL);
    worksheet_freeze_panes(w->sheet, 1, 0);
    return 0;
}

static int writer_header(struct writer *w, bool english, struct err *e)
{
    for (int i = 0; i < REGISTER_COLUMN_COUNT; i++) {
        const char *h = english ? REGISTER_COLUMNS[i].en : REGISTER_COLUMNS[i].zh;
        if (w->format == EXPORT_CSV) csv_cell(w->csv, h, i == 0);
        else if (worksheet_write_string(w->sheet, 0, (lxw_col_t)i, h, w->bold) != LXW_NO_ERROR)
            return writer_fail(w, e, "header");
    }
    if (w->format == EXPORT_CSV) fputs("\r\n", w->csv);
    w->row = 1;
    return 0;
}

static int writer_row(struct writer *w, const struct names *n, const json_t *row, struct err *e)
{
    char text[1024];
    for (int i = 0; i < REGISTER_COLUMN_COUNT; i++) {
        double number = 0;
        text[0] = '\0';
        bool numeric = REGISTER_COLUMNS[i].cell(n, row, text, sizeof text, &number);
        if (w->format == EXPORT_CSV) {
            if (numeric) snprintf(text, sizeof text, "%.0f", number);
            csv_cell(w->csv, text, i == 0);
            continue;
        }
        lxw_error rc = LXW_NO_ERROR;
        if (numeric) rc = worksheet_write_number(w->sheet, w->row, (lxw_col_t)i, number, NULL);
        else if (text[0]) rc = worksheet_write_string(w->sheet, w->row, (lxw_col_t)i, text, NULL);
        if (rc != LXW_NO_ERROR) return writer_fail(w, e, lxw_strerror(rc));
    }
    if (w->format == EXPORT_CSV) fputs("\r\n", w->csv);
    w->row++;
    return 0;
}

/* Finish the file (the XLSX is assembled here); on failure as well, everything is released. */
static int writer_close(struct writer *w, bool ok, struct err *e)
{
    int rc = ok ? 0 : -1;
    if (w->csv) {
        if (fflush(w->csv) != 0 || ferror(w->csv)) rc = rc ? rc : writer_fail(w, e, strerror(errno));
        fclose(w->csv);
    }
    if (w->book) {
        lxw_error x = workbook_close(w->book);
        if (x != LXW_NO_ERROR && rc == 0) rc = writer_fail(w, e, lxw_strerror(x));
    }
    return rc;
}

/* ---- the register --------------------------------------------------------------------------- */

/* Its filters are query parameters (of the API and of `beian export register`): a bad one is
 * the one problem of a bad query parameter, as on every route (http/query.h). */

int export_register_check(const struct register_query *q, struct err *e)
{
    if (q->state && *q->state && (wf_state_parse(q->state) == ST_NONE || wf_state_parse(q->state) >= ST_ACCEPTED))
        return err_set(e, ERR_BAD_QUERY, "state", "state must be a filing state such as filed",
                       "state 必须是备案状态，例如 filed");
    if (q->kind && *q->kind && strcmp(q->kind, "initial") != 0 && strcmp(q->kind, "change") != 0)
        return err_set(e, ERR_BAD_QUERY, "kind", "kind is initial or change", "kind 为 initial 或 change");
    if (q->region && *q->region && !region_code_valid(q->region))
        return err_set(e, ERR_BAD_QUERY, "region", "region must be a 6-digit code", "region 必须是6位行政区划代码");
    if (q->q && strlen(q->q) > 200)
        return err_set(e, ERR_BAD_QUERY, "q", "the search text is at most 200 bytes", "搜索内容最长200字节");
    if (q->type && strlen(q->type) > 32)
        return err_set(e, ERR_BAD_QUERY, "type", "type is a filing type such as standard", "type 为备案类型，例如 standard");
    return 0;
}

int64_t export_register(struct app *a, const struct principal *who, const struct register_query *q,
                        enum export_format format, bool english, int fd, struct err *e)
{
    if (export_register_check(q, e) != 0) return -1;
    struct store_scope scope;
    audit_scope_of(who, &scope);
    struct names n = {app_pack_in_force(a, NULL, date_from_unix(clock_now())), english};
    struct writer w = {.format = format};
    struct store_conn *c = store_reader(a->store);
    int64_t rows = 0, after = 0;
    bool ok = writer_open(&w, a, fd, e) == 0 && writer_header(&w, english, e) == 0;
    while (ok) {
        json_t *page = store_register_page(c, &scope, q, after, REGISTER_PAGE, e);
        if (!page) { ok = false; break; }
        size_t i, count = json_array_size(page);
        json_t *row;
        json_array_foreach(page, i, row) {
            if (writer_row(&w, &n, row, e) != 0) { ok = false; break; }
            after = jint(row, "id");
            rows++;
        }
        json_decref(page);
        if (count < REGISTER_PAGE) break;
    }
    return writer_close(&w, ok, e) == 0 ? rows : -1;
}

int export_tmpfile(struct app *a, struct err *e)
{
    char dir[4200], path[4300];
    snprintf(dir, sizeof dir, "%s/materials", a->data_dir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof dir, "%s/materials/tmp", a->data_dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return err_set(e, ERR_INTERNAL, NULL, "cannot create %s: %s", "无法创建目录 %s：%s", dir, strerror(errno));
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    /* a filesystem without O_TMPFILE: a named file, unlinked at once */
    snprintf(path, sizeof path, "%s/export-XXXXXX", dir);
    fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) return err_set(e, ERR_INTERNAL, NULL, "cannot create a temporary file: %s", "无法创建临时文件：%s", strerror(errno));
    unlink(path);
    return fd;
}

/* ---- one filing's record -------------------------------------------------------------------- */

/* A pin with what the material was: [{material_id, material_version, sha256, kind, title,
 * filename, content_type, size}]. */
static json_t *described_pins(struct store_conn *c, json_t *pins)
{
    size_t i;
    json_t *p;
    json_array_foreach(pins, i, p) {
        json_t *m = store_material_get(c, jint(p, "material_id"));
        json_t *v = store_material_version_get(c, jint(p, "material_id"), (int)jint(p, "material_version"));
        static const char *const FROM_MATERIAL[] = {"kind", "title", NULL};
        static const char *const FROM_VERSION[] = {"filename", "content_type", "size", NULL};
        for (int k = 0; m && FROM_MATERIAL[k]; k++) json_object_set(p, FROM_MATERIAL[k], json_object_get(m, FROM_MATERIAL[k]));
        for (int k = 0; v && FROM_VERSION[k]; k++) json_object_set(p, FROM_VERSION[k], json_object_get(v, FROM_VERSION[k]));
        json_decref(m);
        json_decref(v);
    }
    return pins;
}

/* The manifest: each material version once, with the versions of the filing that pin it. */
static void manifest_add(json_t *manifest, const json_t *pins, int n)
{
    size_t i, k;
    json_t *p, *m;
    json_array_foreach(pins, i, p) {
        json_t *found = NULL;
        json_array_foreach(manifest, k, m)
            if (jint(m, "material_id") == jint(p, "material_id") && jint(m, "material_version") == jint(p, "material_version"))
                found = m;
        if (!found) {
            found = json_deep_copy(p);
            json_object_set_new(found, "pinned_by_versions", json_array());
            json_array_append_new(manifest, found);
        }
        json_array_append_new(json_object_get(found, "pinned_by_versions"), json_integer(n));
    }
}

/* Every audit entry of the filing the caller may read, oldest first. */
static json_t *all_events(struct app *a, const struct principal *who, int64_t filing_id, struct err *e)
{
    json_t *items = json_array();
    int64_t cursor = 0;
    for (;;) {
        json_t *page = audit_list(a, who, filing_id, 500, cursor, e);
        if (!page) { json_decref(items); return NULL; }
        json_array_extend(items, json_object_get(page, "items"));
        const char *next = jstr(page, "next_cursor");
        cursor = next ? strtoll(next, NULL, 10) : 0;
        json_decref(page);
        if (!cursor || json_array_size(items) >= BUNDLE_EVENTS_MAX) break;
    }
    /* the log lists newest first; a record reads from the beginning */
    json_t *ordered = json_array();
    for (size_t i = json_array_size(items); i > 0; i--) json_array_append(ordered, json_array_get(items, i - 1));
    json_decref(items);
    return ordered;
}

json_t *export_bundle(struct app *a, const struct principal *who, int64_t filing_id, struct err *e)
{
    json_t *filing = filing_get(a, who, filing_id, e);   /* visibility: 404 for anyone else */
    if (!filing) return NULL;
    struct store_conn *c = store_reader(a->store);
    json_t *versions = json_array(), *manifest = json_array();
    json_t *list = store_version_list(c, filing_id);
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        int n = (int)jint(v, "n");
        json_t *full = store_version_get(c, filing_id, n);
        if (!full) continue;
        json_t *pins = described_pins(c, store_material_pins(c, filing_id, n));
        manifest_add(manifest, pins, n);
        json_object_set_new(full, "materials", pins);
        json_array_append_new(versions, full);
    }
    json_decref(list);
    json_t *rect = filing_rectifications(a, who, filing_id, e);
    json_t *over = rect ? filing_overrides(a, who, filing_id, e) : NULL;
    json_t *events = over ? all_events(a, who, filing_id, e) : NULL;
    char now[32];
    time_format_rfc3339(clock_now(), now);
    json_t *out = NULL;
    if (events)
        out = json_pack("{s:s s:s s:{s:s s:I} s:O s:O s:O s:O s:O s:O}", "format", "beian-filing-bundle/1",
                        "exported_at", now, "exported_by", "login", who->login, "org_id", (json_int_t)who->org_id,
                        "filing", filing, "versions", versions, "materials", manifest, "rectifications",
                        json_object_get(rect, "items"), "overrides", json_object_get(over, "items"), "events", events);
    json_decref(filing);
    json_decref(versions);
    json_decref(manifest);
    json_decref(rect);
    json_decref(over);
    json_decref(events);
    return out;
}
