/* policy_admin.c — installed pack versions, installing one, and the impact of a version on the
 * filed systems (policy_admin.h).
 *
 * The impact streams: one reader walks the filed records in id order and hands them, through a
 * bounded queue, to one worker per core that evaluates them with the version under test; only
 * the failing ones are reported. So a million filed systems need neither a million documents in
 * memory nor more than the cores' time. Each worker remembers its recent documents and policy
 * checks (core/doc_cache.h, policy/memo.h): records that share a document and attachments are
 * parsed and checked once. */
#include "service/policy_admin.h"
#include "core/clock.h"
#include "core/doc_cache.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/materials.h"
#include "core/workflow.h"
#include "policy/fixtures.h"
#include "policy/memo.h"
#include "policy/registry.h"
#include "policy/rules.h"
#include "store/store.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

json_t *policy_packs(struct app *a) { return registry_list(a->packs, date_from_unix(clock_now())); }

/* ------------------------------------------------------------------------------------ install */

/* The fixtures of a pack being installed run for at most this long (their code is not trusted yet). */
enum { INSTALL_FIXTURE_SECONDS = 60 };

/* The first few failing fixtures with their problems, for the error an install answers with. */
static json_t *failing_fixtures(const json_t *report)
{
    json_t *out = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(report, i, f)
        if (!json_is_true(json_object_get(f, "ok")) && json_array_size(out) < 5)
            json_array_append_new(out, json_pack("{s:O s:O}", "file", json_object_get(f, "file"), "problems",
                                                 json_object_get(f, "problems")));
    return out;
}

static char copy_dest[4600];
static size_t copy_src_len;
static pthread_mutex_t copy_mu = PTHREAD_MUTEX_INITIALIZER;  /* nftw has no user argument */

static int copy_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    char to[9000];
    snprintf(to, sizeof to, "%s%s", copy_dest, path + copy_src_len);
    if (type == FTW_D) return mkdir(to, 0755) == 0 || errno == EEXIST ? 0 : -1;
    if (type != FTW_F) return -1;   /* links and special files have no place in a pack */
    FILE *in = fopen(path, "rb"), *out = in ? fopen(to, "wb") : NULL;
    if (!in || !out) {
        if (in) fclose(in);
        return -1;
    }
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) { rc = -1; break; }
    fclose(in);
    if (fflush(out) != 0 || fsync(fileno(out)) != 0) rc = -1;
    if (fclose(out) != 0) rc = -1;
    (void)sb;
    (void)ftw;
    return rc;
}

static int copy_tree(const char *from, const char *to)
{
    pthread_mutex_lock(&copy_mu);
    snprintf(copy_dest, sizeof copy_dest, "%s", to);
    copy_src_len = strlen(from);
    int rc = nftw(from, copy_entry, 16, FTW_PHYS);
    pthread_mutex_unlock(&copy_mu);
    return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

struct install_audit { const struct principal *who; const struct pack *p; };

static int install_audit_job(struct store_conn *c, void *arg, struct err *e)
{
    struct install_audit *j = arg;
    json_t *d = json_pack("{s:s s:s}", "pack", j->p->id, "version", j->p->version);
    int rc = audit_record(c, j->who, "policy.install", "policy_pack", 0, 0, 0, NULL, NULL, d, e);
    json_decref(d);
    return rc;
}

int policy_install(struct app *a, const struct principal *who, const char *dir, json_t **installed, struct err *e)
{
    return policy_install_cancellable(a, who, dir, NULL, installed, e);
}

int policy_install_cancellable(struct app *a, const struct principal *who, const char *dir, const atomic_bool *cancel,
                               json_t **installed, struct err *e)
{
    if (!principal_is_admin(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only the platform administrator installs policy packs",
                       "只有平台管理员可以安装策略包");
    struct pack *candidate;
    if (pack_load(dir, &candidate, e) != 0) return -1;
    if (registry_find(a->packs, candidate->id, candidate->version)) {
        err_set(e, ERR_DUPLICATE, NULL, "policy pack %s@%s is already installed", "策略包 %s@%s 已安装",
                candidate->id, candidate->version);
        pack_free(candidate);
        return -1;
    }
    /* a version is installed only when its own fixtures pass */
    json_t *report = NULL;
    if (fixtures_run_within(candidate, INSTALL_FIXTURE_SECONDS, cancel, &report, e) != 0) { pack_free(candidate); return -1; }
    size_t i, failed = 0;
    json_t *f;
    json_array_foreach(report, i, f) if (!json_is_true(json_object_get(f, "ok"))) failed++;
    if (failed) {
        err_set(e, ERR_VALIDATION, NULL, "%zu fixture(s) of %s@%s fail; run 'beian policy test %s'",
                "有 %zu 个样例未通过（%s@%s）；请运行 'beian policy test %s'", failed, candidate->id, candidate->version, dir);
        err_extra(e, "failing_fixtures", failing_fixtures(report));
        json_decref(report);
        pack_free(candidate);
        return -1;
    }
    json_decref(report);
    char root[4200], id_dir[4400], tmp[4500], final[4600];
    app_installed_policy_root(a, root, sizeof root);
    snprintf(id_dir, sizeof id_dir, "%s/%s", root, candidate->id);
    unsigned char rnd[6];
    randombytes_buf(rnd, sizeof rnd);
    snprintf(tmp, sizeof tmp, "%s/.install-%02x%02x%02x%02x%02x%02x", root, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
    snprintf(final, sizeof final, "%s/%s", id_dir, candidate->version);
    int rc = -1;
    if ((mkdir(root, 0755) != 0 && errno != EEXIST) || (mkdir(id_dir, 0755) != 0 && errno != EEXIST) ||
        copy_tree(dir, tmp) != 0 || rename(tmp, final) != 0) {
        err_set(e, ERR_INTERNAL, NULL, "cannot install into %s: %s", "无法安装到 %s：%s", final, strerror(errno));
        nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        pack_free(candidate);
        return -1;
    }
    pack_free(candidate);
    struct pack *p;
    if (pack_load(final, &p, e) != 0) return -1;
    if (registry_add(a->packs, p, "installed", e) != 0) { pack_free(p); return -1; }
    struct install_audit j = {who, p};
    if (store_write(a->store, install_audit_job, &j, e) != 0) return -1;
    json_t *list = registry_list(a->packs, date_from_unix(clock_now()));
    json_array_foreach(list, i, f)
        if (strcmp(jstr(f, "id"), p->id) == 0 && strcmp(jstr(f, "version"), p->version) == 0) *installed = json_incref(f);
    json_decref(list);
    rc = 0;
    return rc;
}

/* ------------------------------------------------------------------------------------- impact */

#define QUEUE_CAP 512
#define MAX_WORKERS 8

struct impact {
    struct app *a;
    const struct pack *p;
    day_t as_of;
    void (*on_failing)(const json_t *item, void *arg);
    void *arg;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    json_t *queue[QUEUE_CAP];
    int head, count;
    bool done;
    int64_t checked;
};

static int enqueue(const json_t *row, void *arg)
{
    struct impact *im = arg;
    pthread_mutex_lock(&im->mu);
    while (im->count == QUEUE_CAP) pthread_cond_wait(&im->not_full, &im->mu);
    im->queue[(im->head + im->count) % QUEUE_CAP] = json_incref((json_t *)row);
    im->count++;
    pthread_cond_signal(&im->not_empty);
    pthread_mutex_unlock(&im->mu);
    return 0;
}

static json_t *dequeue(struct impact *im)
{
    pthread_mutex_lock(&im->mu);
    while (im->count == 0 && !im->done) pthread_cond_wait(&im->not_empty, &im->mu);
    json_t *row = NULL;
    if (im->count > 0) {
        row = im->queue[im->head];
        im->head = (im->head + 1) % QUEUE_CAP;
        im->count--;
        pthread_cond_signal(&im->not_full);
    }
    pthread_mutex_unlock(&im->mu);
    return row;
}

/* The rule ids of the error findings in a findings array (as a JSON array without repeats). */
static json_t *error_rules(const json_t *findings)
{
    json_t *out = json_array();
    size_t i, k;
    json_t *f, *x;
    json_array_foreach(findings, i, f) {
        if (!jstr(f, "severity") || strcmp(jstr(f, "severity"), "error") != 0) continue;
        bool dup = false;
        json_array_foreach(out, k, x) if (strcmp(json_string_value(x), jstr(f, "rule")) == 0) dup = true;
        if (!dup) json_array_append_new(out, json_string(jstr(f, "rule")));
    }
    return out;
}

/* A worker's memory of materials it has looked up (id → owner and kind): filed systems of one
 * enterprise attach the same materials again and again. Direct-mapped, so bounded. */
#define MATERIAL_CACHE 4096
struct material_memo { int64_t id, org_id; char kind[48]; };

static const struct material_memo *material_lookup(struct store_conn *c, struct material_memo *memo, int64_t id)
{
    struct material_memo *slot = &memo[(uint64_t)id % MATERIAL_CACHE];
    if (slot->id == id) return slot->org_id ? slot : NULL;
    json_t *m = store_material_get(c, id);
    slot->id = id;
    slot->org_id = m ? jint(m, "org_id") : 0;
    snprintf(slot->kind, sizeof slot->kind, "%s", m && jstr(m, "kind") ? jstr(m, "kind") : "");
    json_decref(m);
    return slot->org_id ? slot : NULL;
}

/* What a worker keeps across the records it evaluates. */
struct impact_caches {
    struct material_memo *materials;
    struct policy_memo *checks;   /* records that share a document and attachments are checked once */
    struct doc_cache *docs;       /* ... and parsed once */
};

static void evaluate_record(struct impact *im, struct store_conn *c, struct impact_caches *cache, const json_t *row)
{
    struct material_memo *memo = cache->materials;
    json_t *doc = json_incref(doc_cache_parse(cache->docs, jstr(row, "document") ? jstr(row, "document") : "{}"));
    /* the materials the record attaches, as the server counts them */
    json_t *by_kind = json_object();
    json_t *ids = materials_in_document(im->p, doc);
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id) {
        const struct material_memo *m = material_lookup(c, memo, json_integer_value(id));
        if (m && m->org_id == jint(row, "org_id")) {
            json_t *list = json_object_get(by_kind, m->kind);
            if (!list) json_object_set_new(by_kind, m->kind, list = json_array());
            json_array_append(list, id);
        }
    }
    json_decref(ids);
    json_t *ctx = json_pack("{s:s s:o}", "filing_kind", "initial", "materials", by_kind);
    json_t *findings = NULL, *derived = NULL;
    struct err e = {0};
    if (policy_check_memo(cache->checks, im->p, doc, im->as_of, ctx, &findings, &derived, &e) != 0) {
        findings = json_array();
        json_array_append_new(findings, json_pack("{s:s s:s s:s s:{s:s s:s} s:s}", "rule", "POLICY-ENGINE", "severity",
                                                  "error", "path", "", "message", "zh", e.detail_zh, "en", e.detail_en,
                                                  "source", "beian"));
        derived = json_object();
    }
    err_clear(&e);
    json_t *rules = error_rules(findings);
    json_t *stored = NULL;
    if (json_array_size(rules) > 0) {
        stored = json_loads(jstr(row, "findings") ? jstr(row, "findings") : "[]", 0, NULL);
        json_t *before = error_rules(stored), *fresh = json_array(), *errors = json_array();
        size_t k;
        json_t *r, *x, *f;
        json_array_foreach(rules, i, r) {
            bool known = false;
            json_array_foreach(before, k, x) if (json_equal(r, x)) known = true;
            if (!known) json_array_append(fresh, r);
        }
        json_array_foreach(findings, i, f) if (strcmp(jstr(f, "severity"), "error") == 0) json_array_append(errors, f);
        json_t *item = json_pack("{s:O s:O s:O s:O s:O s:O s:O s:o}", "id", json_object_get(row, "id"), "number",
                                 json_object_get(row, "number"), "subject_name", json_object_get(row, "subject_name"),
                                 "system_name", json_object_get(row, "system_name"), "region",
                                 json_object_get(row, "region"), "rules", rules, "new_rules", fresh, "findings", errors);
        pthread_mutex_lock(&im->mu);
        im->on_failing(item, im->arg);
        pthread_mutex_unlock(&im->mu);
        json_decref(item);
        json_decref(before);
        json_decref(fresh);
    }
    pthread_mutex_lock(&im->mu);
    im->checked++;
    pthread_mutex_unlock(&im->mu);
    json_decref(rules);
    json_decref(findings);
    json_decref(derived);
    json_decref(ctx);
    json_decref(stored);
    json_decref(doc);
}

static void *impact_worker(void *arg)
{
    struct impact *im = arg;
    struct store_conn *c = store_reader(im->a->store);
    struct impact_caches cache = {calloc(MATERIAL_CACHE, sizeof *cache.materials), policy_memo_new(), doc_cache_new()};
    json_t *row;
    while ((row = dequeue(im))) {
        if (cache.materials && cache.checks && cache.docs) evaluate_record(im, c, &cache, row);
        json_decref(row);
    }
    doc_cache_free(cache.docs);
    policy_memo_free(cache.checks);
    free(cache.materials);
    policy_thread_cleanup();
    return NULL;
}

int policy_impact(struct app *a, const struct principal *who, const char *spec, day_t as_of,
                  void (*on_failing)(const json_t *item, void *arg), void *arg, int64_t *checked, struct err *e)
{
    bool authority = strcmp(who->org_kind, "authority") == 0 && (who->roles & (ROLE_REVIEWER | ROLE_AUTHORITY_ADMIN));
    if (!principal_is_admin(who) && !authority)
        return err_set(e, ERR_FORBIDDEN, NULL, "the impact of a policy version is for authorities and the platform",
                       "策略版本影响分析仅供备案管理部门和平台使用");
    const struct pack *p = spec ? registry_find_spec(a->packs, spec) : NULL;
    if (!p)
        return err_set(e, ERR_NOT_FOUND, "/pack", "policy pack %s is not installed (give ID@VERSION)",
                       "未安装策略包 %s（请给出 ID@VERSION）", spec ? spec : "-");
    struct impact im = {.a = a, .p = p, .as_of = as_of, .on_failing = on_failing, .arg = arg};
    pthread_mutex_init(&im.mu, NULL);
    pthread_cond_init(&im.not_empty, NULL);
    pthread_cond_init(&im.not_full, NULL);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores < 1 ? 1 : cores > MAX_WORKERS ? MAX_WORKERS : (int)cores;
    pthread_t workers[MAX_WORKERS];
    int started = 0;
    for (int i = 0; i < n; i++)
        if (pthread_create(&workers[i], NULL, impact_worker, &im) == 0) started++;
    struct store_scope scope = {.admin = principal_is_admin(who), .org_kind = who->org_kind, .org_id = who->org_id};
    int rc = started ? store_filing_each_record(store_reader(a->store), &scope, enqueue, &im, e)
                     : err_set(e, ERR_INTERNAL, NULL, "cannot start worker threads", "无法启动工作线程");
    pthread_mutex_lock(&im.mu);
    im.done = true;
    pthread_cond_broadcast(&im.not_empty);
    pthread_mutex_unlock(&im.mu);
    for (int i = 0; i < started; i++) pthread_join(workers[i], NULL);
    while (im.count > 0) { /* only when no worker ran */
        json_decref(im.queue[im.head]);
        im.head = (im.head + 1) % QUEUE_CAP;
        im.count--;
    }
    *checked = im.checked;
    pthread_mutex_destroy(&im.mu);
    pthread_cond_destroy(&im.not_empty);
    pthread_cond_destroy(&im.not_full);
    return rc;
}
