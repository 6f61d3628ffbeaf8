/* filing_facts.c — checks a filing document against the records it must agree with: the filing
 * organisation (subject fields and jurisdiction), the organisation's materials and the provider
 * registry. See filing_facts.h for the promises. */
#include "service/filing_facts.h"
#include "service/filings.h"
#include "core/json_text.h"
#include "core/region.h"
#include "policy/schema.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* The sources cite what requires each check: filing in one's own name (real identity), review by
 * the authority of the place of registration, materials that support the claims. */
#define SOURCE_SUBJECT "《中华人民共和国行政许可法》第三十一条（如实提交材料、反映真实情况）；GB 32100-2015"
#define SOURCE_JURISDICTION "《中华人民共和国行政许可法》第二十二条（由具有管辖权的行政机关实施）；GB/T 2260"
#define SOURCE_MATERIAL "《中华人民共和国行政许可法》第三十一条（申请人对申请材料实质内容的真实性负责）"
#define SOURCE_PROVIDER "《云计算服务安全评估办法》（2019年）；GB/T 22239-2019 云计算安全扩展要求"

#define REGION_PATH "/subject/region_code"
#define PROVIDER_PATH "/provider/provider_org"

/* ---- what the document says that the records can contradict ------------------------------- */

/* A field the pack fills from the organisation's record, as the document has it. */
struct subject_value { const struct schema_record_field *field; const json_t *have; };

/* A material field's value as the walk of the document met it. */
struct material_ref { char *path; const json_t *def; int64_t id; };

struct material_refs { struct material_ref *items; size_t n, cap; };

/* Everything of the document the checks below read, collected in one walk (filing_facts_inputs):
 * the checks see the document only through this, so that its digest stands for the document. */
struct facts_inputs {
    struct subject_value *subject;
    size_t n_subject;
    struct material_refs refs;
    const json_t *region, *provider;   /* borrowed from the document */
    const json_t *doc;                 /* NULL: the document is not an object, nothing is checked */
};

json_t *filing_authority_of_org(struct store_conn *c, int64_t org_id)
{
    json_t *org = store_org_get(c, org_id);
    const char *region = jstr(org, "region");
    json_t *auth = region ? store_org_authority_for_region(c, region) : NULL;
    json_decref(org);
    return auth;
}

/* ---- the subject ------------------------------------------------------------------------- */

static void check_subject(const struct facts_inputs *in, const json_t *org, json_t *findings)
{
    for (size_t i = 0; i < in->n_subject; i++) {
        const struct subject_value *sv = &in->subject[i];
        const struct schema_record_field *rf = sv->field;
        const char *want = jstr(org, rf->member);
        const json_t *have = sv->have;
        if (!want || (json_is_string(have) && strcmp(json_string_value(have), want) == 0)) continue;
        if (!have || json_is_null(have) || (json_is_string(have) && !*json_string_value(have)))
            continue;   /* not filled: FORM-REQUIRED says so */
        const char *label_zh = jstr(json_object_get(rf->def, "label"), "zh");
        const char *label_en = jstr(json_object_get(rf->def, "label"), "en");
        char zh[1024], en[1024];
        snprintf(zh, sizeof zh, "%s须与本单位登记信息一致：“%s”。备案只能以本单位名义提交；如登记信息有误，请联系平台管理员更正",
                 label_zh ? label_zh : rf->member, want);
        snprintf(en, sizeof en, "%s must be your organisation's as registered: \"%s\". A filing is made only in the name "
                 "of the organisation that files it; if the record is wrong, ask the platform administrator to correct it",
                 label_en ? label_en : rf->member, want);
        finding_add(findings, "RECORD-SUBJECT", "error", rf->path, zh, en, SOURCE_SUBJECT);
    }
}

/* ---- jurisdiction ------------------------------------------------------------------------- */

static bool jurisdiction_covers(const json_t *authority, const char *region)
{
    size_t i;
    json_t *code;
    json_array_foreach(json_object_get(authority, "jurisdiction"), i, code)
        if (json_is_string(code) && region_covers(json_string_value(code), region)) return true;
    return false;
}

static void check_jurisdiction(struct store_conn *c, const struct facts_inputs *in, const json_t *org, json_t *findings)
{
    static const char *const PATH = REGION_PATH;
    const char *region = json_string_value(in->region);
    if (!region || !region_code_valid(region)) return;   /* missing or malformed: the form's findings */
    const char *home = jstr(org, "region");
    json_t *auth = home ? store_org_authority_for_region(c, home) : NULL;
    char zh[1024], en[1024];
    if (!auth) {
        snprintf(zh, sizeof zh, "没有备案管理部门管辖本单位登记地（%s），暂不能提交备案；请联系平台管理员", home ? home : "-");
        snprintf(en, sizeof en, "No filing authority covers your organisation's registered region (%s), so the filing "
                 "cannot be submitted yet; ask the platform administrator", home ? home : "-");
        finding_add(findings, "RECORD-JURISDICTION", "error", PATH, zh, en, SOURCE_JURISDICTION);
        return;
    }
    if (!jurisdiction_covers(auth, region)) {
        snprintf(zh, sizeof zh, "行政区划 %s 不在“%s”的管辖范围内。备案由本单位登记地（%s）的备案管理部门审核，"
                 "此处应填写该管辖范围内的区划代码", region, jstr(auth, "name"), home);
        snprintf(en, sizeof en, "Region %s lies outside the jurisdiction of \"%s\". A filing is reviewed by the authority "
                 "of the organisation's registered region (%s); give a region code within its jurisdiction",
                 region, jstr(auth, "name"), home);
        finding_add(findings, "RECORD-JURISDICTION", "error", PATH, zh, en, SOURCE_JURISDICTION);
    }
    json_decref(auth);
}

/* ---- materials ------------------------------------------------------------------------------ */

static void collect_material_ref(const char *path, const json_t *def, const json_t *value, void *arg)
{
    struct material_refs *refs = arg;
    if (!json_is_integer(value) || json_integer_value(value) < 1) return;   /* FORM-TYPE says so */
    if (refs->n == refs->cap) {
        size_t cap = refs->cap ? 2 * refs->cap : 16;
        struct material_ref *more = realloc(refs->items, cap * sizeof *more);
        if (!more) return;
        refs->items = more;
        refs->cap = cap;
    }
    char *copy = strdup(path);
    if (!copy) return;
    refs->items[refs->n++] = (struct material_ref){copy, def, json_integer_value(value)};
}

/* id appended to attached[kind] unless already there */
static void attach(json_t *attached, const char *kind, int64_t id)
{
    json_t *list = json_object_get(attached, kind);
    if (!list) json_object_set_new(attached, kind, list = json_array());
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) if (json_integer_value(x) == id) return;
    json_array_append_new(list, json_integer(id));
}

static void kinds_text(const json_t *def, char *buf, size_t len)
{
    size_t used = 0, i;
    json_t *k;
    buf[0] = 0;
    const char *one = jstr(def, "material_kind");
    if (one) snprintf(buf, len, "%s", one);
    json_array_foreach(json_object_get(def, "material_kinds"), i, k) {
        used = strlen(buf);
        if (used + 2 >= len) break;
        snprintf(buf + used, len - used, "%s%s", used ? ", " : "", json_string_value(k));
    }
}

/* The findings of one reference to material m (NULL: no such material). */
static void check_material_ref(const struct material_ref *ref, const json_t *m, int64_t org_id, json_t *findings,
                               json_t *attached)
{
    const json_t *def = ref->def;
    int64_t id = ref->id;
    const char *label_zh = jstr(json_object_get(def, "label"), "zh"), *label_en = jstr(json_object_get(def, "label"), "en");
    char zh[1024], en[1024];
    if (m && jint(m, "org_id") == org_id && attached) attach(attached, jstr(m, "kind"), id);
    if (!m || jint(m, "org_id") != org_id) {
        /* another organisation's material is reported like a missing one: its existence is not ours to tell */
        snprintf(zh, sizeof zh, "%s：本单位没有编号为 %lld 的材料，请上传后重新选择", label_zh, (long long)id);
        snprintf(en, sizeof en, "%s: your organisation has no material %lld; upload it and choose it again", label_en,
                 (long long)id);
        finding_add(findings, "RECORD-MATERIAL", "error", ref->path, zh, en, SOURCE_MATERIAL);
    } else if (!schema_material_accepts(def, jstr(m, "kind"))) {
        char kinds[512];
        kinds_text(def, kinds, sizeof kinds);
        snprintf(zh, sizeof zh, "%s：材料 %lld（%s）的类型为 %s，此处只接受 %s", label_zh, (long long)id, jstr(m, "title"),
                 jstr(m, "kind"), kinds);
        snprintf(en, sizeof en, "%s: material %lld (%s) is of kind %s; this field accepts %s", label_en, (long long)id,
                 jstr(m, "title"), jstr(m, "kind"), kinds);
        finding_add(findings, "RECORD-MATERIAL", "error", ref->path, zh, en, SOURCE_MATERIAL);
    }
}

static const json_t *material_of(const json_t *rows, int64_t id)
{
    size_t i;
    const json_t *m;
    json_array_foreach(rows, i, m) if (jint(m, "id") == id) return m;
    return NULL;
}

/* The findings of the material references collected (refs), for organisation org_id. */
static void check_material_refs(struct store_conn *c, const struct material_refs *refs, int64_t org_id,
                                json_t *findings, json_t *attached)
{
    /* the materials named, in one query: "[id,id,…]" (a failed read: as if none were there) */
    char *ids = refs->n ? malloc(refs->n * 24 + 3) : NULL;
    json_t *rows = NULL;
    if (ids) {
        size_t used = 0;
        ids[used++] = '[';
        for (size_t i = 0; i < refs->n; i++)
            used += (size_t)sprintf(ids + used, "%s%lld", i ? "," : "", (long long)refs->items[i].id);
        ids[used++] = ']';
        ids[used] = 0;
        rows = store_materials_by_ids(c, ids);
    }
    for (size_t i = 0; i < refs->n; i++)
        check_material_ref(&refs->items[i], material_of(rows, refs->items[i].id), org_id, findings, attached);
    free(ids);
    json_decref(rows);
}

static void refs_free(struct material_refs *refs)
{
    for (size_t i = 0; i < refs->n; i++) free(refs->items[i].path);
    free(refs->items);
}

json_t *filing_material_findings(struct store_conn *c, const json_t *form, const json_t *doc, int64_t org_id,
                                 json_t *attached)
{
    json_t *findings = json_array();
    struct material_refs refs = {0};
    schema_each_material(form, doc, collect_material_ref, &refs);
    check_material_refs(c, &refs, org_id, findings, attached);
    refs_free(&refs);
    return findings;
}

/* ---- the provider ---------------------------------------------------------------------------- */

static void check_provider(struct store_conn *c, const struct facts_inputs *in, json_t *findings)
{
    static const char *const PATH = PROVIDER_PATH;
    const json_t *v = in->provider;
    if (!json_is_integer(v) || json_integer_value(v) < 1) return;   /* absent, or a shape finding */
    json_t *org = store_org_get(c, json_integer_value(v));
    bool ok = org && strcmp(jstr(org, "kind"), "provider") == 0;
    json_decref(org);
    if (!ok)
        finding_add(findings, "RECORD-PROVIDER", "error", PATH, "所选单位不是已登记的云服务商，请从列表中选择",
                    "This is not a registered cloud provider; choose one from the list", SOURCE_PROVIDER);
}

/* ---- the document's part, and the records' ------------------------------------------------- */

struct facts_inputs *filing_facts_inputs(const struct pack *p, const json_t *doc)
{
    struct facts_inputs *in = calloc(1, sizeof *in);
    if (!in) return NULL;
    if (!json_is_object(doc)) return in;   /* nothing to check */
    size_t n;
    const struct schema_record_field *fields = schema_record_fields(p->form, &n);
    if (n && !(in->subject = malloc(n * sizeof *in->subject))) {
        free(in);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) in->subject[i] = (struct subject_value){&fields[i], json_at_pointer(doc, fields[i].path)};
    in->n_subject = n;
    schema_each_material(p->form, doc, collect_material_ref, &in->refs);
    in->region = json_at_pointer(doc, REGION_PATH);
    in->provider = json_at_pointer(doc, PROVIDER_PATH);
    in->doc = doc;
    return in;
}

void filing_facts_inputs_free(struct facts_inputs *in)
{
    if (!in) return;
    free(in->subject);
    refs_free(&in->refs);
    free(in);
}

/* one value into the digest: its canonical text, or "-" for none */
static void digest_value(crypto_generichash_state *st, const json_t *v)
{
    size_t len = 1;
    char *text = v ? json_canonical(v, &len) : NULL;
    crypto_generichash_update(st, (const unsigned char *)(text ? text : "-"), text ? len + 1 : 2);
    free(text);
}

void filing_facts_inputs_digest(const struct facts_inputs *in, unsigned char out[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const unsigned char *)(in->doc ? "doc" : "none"), 4);
    for (size_t i = 0; i < in->n_subject; i++) {
        const char *path = in->subject[i].field->path;
        crypto_generichash_update(&st, (const unsigned char *)path, strlen(path) + 1);
        digest_value(&st, in->subject[i].have);
    }
    for (size_t i = 0; i < in->refs.n; i++) {
        const struct material_ref *r = &in->refs.items[i];
        crypto_generichash_update(&st, (const unsigned char *)r->path, strlen(r->path) + 1);
        crypto_generichash_update(&st, (const unsigned char *)&r->def, sizeof r->def);
        crypto_generichash_update(&st, (const unsigned char *)&r->id, sizeof r->id);
    }
    digest_value(&st, in->region);
    digest_value(&st, in->provider);
    crypto_generichash_final(&st, out, 32);
}

json_t *filing_facts_check(struct store_conn *c, int64_t org_id, const struct facts_inputs *in, json_t *attached)
{
    json_t *findings = json_array();
    if (!in->doc) return findings;
    json_t *org = store_org_get(c, org_id);
    if (org) {
        check_subject(in, org, findings);
        check_jurisdiction(c, in, org, findings);
    }
    check_material_refs(c, &in->refs, org_id, findings, attached);
    check_provider(c, in, findings);
    json_decref(org);
    return findings;
}

json_t *filing_record_findings(struct store_conn *c, const struct pack *p, const json_t *row, json_t *attached)
{
    struct facts_inputs *in = filing_facts_inputs(p, json_object_get(row, "document"));
    json_t *findings = in ? filing_facts_check(c, jint(row, "org_id"), in, attached) : json_array();
    filing_facts_inputs_free(in);
    return findings;
}
