/* test_store.c — the store conformance suite: the same cases against every backend. The backend
 * is the one BEIAN_TEST_STORE names (empty or unset: SQLite in a fresh data directory; a
 * postgresql:// URI: an empty database of its own, see tests/pg/start.sh). Each case opens a
 * fresh store: transactions, write jobs that see each other (what the service's ETag checks rest
 * on), filing numbers under concurrency, visibility of filings by scope, the audit chain (append-only), materials
 * and their bytes, pagination, unique constraints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sha256.h"
#include "store/db.h"
#include "store/store.h"

struct fixture {
    char dir[256];
    struct store *s;
    int64_t enterprise, provider, authority, other_enterprise, user, system;
};

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* ------------------------------------------------------------------ a fresh store per case */

/* Drop every table of the PostgreSQL database so the case starts from an empty schema. */
static int drop_all(struct store_conn *c, void *arg, struct err *e)
{
    (void)arg;
    return db_run(c, e, "DO $$ DECLARE r record; BEGIN FOR r IN SELECT tablename FROM pg_tables WHERE "
                        "schemaname = current_schema() LOOP EXECUTE 'DROP TABLE IF EXISTS ' || "
                        "quote_ident(r.tablename) || ' CASCADE'; END LOOP; END $$", "");
}

static const char *location(void)
{
    const char *l = getenv("BEIAN_TEST_STORE");
    return l && *l ? l : NULL;
}

struct seed { struct fixture *f; };

static int seed_job(struct store_conn *c, void *arg, struct err *e)
{
    struct fixture *f = arg;
    f->enterprise = store_org_insert(c, "enterprise", "Ent A", "91110000000000001A", "110000", NULL, NULL, e);
    f->other_enterprise = store_org_insert(c, "enterprise", "Ent B", "91110000000000002B", "110000", NULL, NULL, e);
    f->provider = store_org_insert(c, "provider", "Cloud", "91110000000000003C", "110000", NULL, NULL, e);
    json_t *jur = json_pack("[s]", "110000");
    f->authority = store_org_insert(c, "authority", "Authority", "11110000000000004D", "110000", jur, NULL, e);
    json_decref(jur);
    if (f->enterprise < 0 || f->other_enterprise < 0 || f->provider < 0 || f->authority < 0) return -1;
    f->user = store_user_insert(c, f->enterprise, "filer", "Filer", "x", "filer", e);
    if (f->user < 0) return -1;
    f->system = store_system_insert(c, f->enterprise, "System", "", f->user, e);
    return f->system < 0 ? -1 : 0;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/beian-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    struct err e = {0};
    if (location()) {
        /* an empty database: open, drop everything, reopen (the migrations run again) */
        if (store_open(f->dir, location(), true, &f->s, &e) != 0) fail_msg("store_open: %s", e.detail_en);
        if (store_write(f->s, drop_all, NULL, &e) != 0) fail_msg("drop: %s", e.detail_en);
        store_close(f->s);
    }
    if (store_open(f->dir, location(), true, &f->s, &e) != 0) fail_msg("store_open: %s", e.detail_en);
    if (store_write(f->s, seed_job, f, &e) != 0) fail_msg("seed: %s", e.detail_en);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

/* A filing of the fixture's enterprise with the provider named; visible flags as given. */
struct filing_job { struct fixture *f; int64_t id; int provider_visible, authority_visible; const char *state; };

static int filing_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct filing_job *j = arg;
    json_t *row = json_pack("{s:I s:I s:s s:s s:I s:s s:i s:s s:s s:s s:{} s:[] s:{} s:I}", "system_id", (json_int_t)j->f->system,
                            "org_id", (json_int_t)j->f->enterprise, "kind", "initial", "state", "draft",
                            "provider_org_id", (json_int_t)j->f->provider, "region", "110105", "level", 2,
                            "type", "new", "subject_name", "Ent A", "system_name", "System", "document", "findings",
                            "derived", "last_editor_id", (json_int_t)j->f->user);
    j->id = store_filing_insert(c, row, e);
    if (j->id < 0) { json_decref(row); return -1; }
    json_t *full = store_filing_get(c, j->id);
    json_object_set_new(full, "state", json_string(j->state ? j->state : "draft"));
    json_object_set_new(full, "authority_org_id", json_integer(j->f->authority));
    json_object_set_new(full, "provider_visible", json_integer(j->provider_visible));
    json_object_set_new(full, "authority_visible", json_integer(j->authority_visible));
    int rc = store_filing_update(c, full, e);
    json_decref(full);
    json_decref(row);
    return rc;
}

static int64_t new_filing(struct fixture *f, int provider_visible, int authority_visible, const char *state)
{
    struct filing_job j = {.f = f, .provider_visible = provider_visible, .authority_visible = authority_visible, .state = state};
    struct err e = {0};
    if (store_write(f->s, filing_job_fn, &j, &e) != 0) fail_msg("filing: %s", e.detail_en);
    return j.id;
}

/* ------------------------------------------------------------------ transactions */

static int insert_then_fail(struct store_conn *c, void *arg, struct err *e)
{
    (void)arg;
    if (store_org_insert(c, "enterprise", "Doomed", "91110000000000009X", "110000", NULL, NULL, e) < 0) return -1;
    return err_set(e, ERR_CONFLICT, NULL, "changed my mind", "改变主意");
}

static int insert_ok(struct store_conn *c, void *arg, struct err *e)
{
    *(int64_t *)arg = store_org_insert(c, "enterprise", "Kept", "91110000000000008Y", "110000", NULL, NULL, e);
    return *(int64_t *)arg < 0 ? -1 : 0;
}

static void test_transaction_rolls_back_a_failed_job(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    assert_int_equal(store_write(f->s, insert_then_fail, NULL, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    err_clear(&e);
    int64_t kept = 0;
    assert_int_equal(store_write(f->s, insert_ok, &kept, &e), 0);
    json_t *orgs = store_org_list(store_reader(f->s), "enterprise");
    size_t i;
    json_t *o;
    bool doomed = false, found = false;
    json_array_foreach(orgs, i, o) {
        if (strcmp(jstr(o, "name"), "Doomed") == 0) doomed = true;
        if (jint(o, "id") == kept) found = true;
    }
    json_decref(orgs);
    assert_false(doomed);
    assert_true(found);
}

/* Writers at once (the jobs share groups, one commit each group): a job that fails — by its own
 * choice or on a constraint — leaves nothing, and takes none of the others with it. */
struct mixed { struct store *s; int thread; int kept, failed; };

struct mixed_job { const char *name; char uscc[19]; bool fail; };

static int insert_named(struct store_conn *c, void *arg, struct err *e)
{
    struct mixed_job *j = arg;
    if (store_org_insert(c, "enterprise", j->name, j->uscc, "110000", NULL, NULL, e) < 0) return -1;
    return j->fail ? err_set(e, ERR_CONFLICT, NULL, "changed my mind", "改变主意") : 0;
}

static void *mixed_writer(void *arg)
{
    struct mixed *m = arg;
    for (int i = 0; i < 12; i++) {
        /* kept, failed by choice, failed on a duplicate USCC (thread 0's first, already there) */
        struct mixed_job j = {.name = i % 3 == 0 ? "Mixed kept" : "Mixed doomed", .fail = i % 3 == 1};
        snprintf(j.uscc, sizeof j.uscc, "9111%02d%012d", m->thread, i % 3 == 2 ? 0 : i);
        if (i % 3 == 2) snprintf(j.uscc, sizeof j.uscc, "9111%02d%012d", 0, 0);
        struct err e = {0};
        int rc = store_write(m->s, insert_named, &j, &e);
        err_clear(&e);
        if (rc == 0) m->kept++;
        else m->failed++;
    }
    return NULL;
}

static void test_failed_jobs_among_concurrent_ones_roll_back_alone(void **state)
{
    struct fixture *f = *state;
    struct mixed_job first = {.name = "Mixed kept", .uscc = "911100000000000000"};
    struct err e = {0};
    assert_int_equal(store_write(f->s, insert_named, &first, &e), 0);
    struct mixed m[6];
    pthread_t t[6];
    for (int i = 0; i < 6; i++) {
        m[i] = (struct mixed){.s = f->s, .thread = i + 1};
        pthread_create(&t[i], NULL, mixed_writer, &m[i]);
    }
    int kept = 0;
    for (int i = 0; i < 6; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(m[i].kept, 4);
        assert_int_equal(m[i].failed, 8);
        kept += m[i].kept;
    }
    json_t *orgs = store_org_list(store_reader(f->s), "enterprise");
    int named_kept = 0, named_doomed = 0;
    size_t i;
    json_t *o;
    json_array_foreach(orgs, i, o) {
        named_kept += strcmp(jstr(o, "name"), "Mixed kept") == 0;
        named_doomed += strcmp(jstr(o, "name"), "Mixed doomed") == 0;
    }
    json_decref(orgs);
    assert_int_equal(named_kept, kept + 1);
    assert_int_equal(named_doomed, 0);
}

static void test_unique_constraint_is_a_duplicate(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    int64_t kept = 0;
    assert_int_equal(store_write(f->s, insert_ok, &kept, &e), 0);
    assert_int_equal(store_write(f->s, insert_ok, &kept, &e), -1);
    assert_int_equal(e.code, ERR_DUPLICATE);
    err_clear(&e);
}

/* ------------------------------------------------------------------ optimistic concurrency */

/* Each thread reads the filing's revision as it was before any of them and saves only when the
 * stored revision still is that one (the service's If-Match check, inside the write job). */
struct race { struct fixture *f; int64_t filing; int64_t seen_revision; int won, lost; pthread_mutex_t mu; };

static int save_if_revision(struct store_conn *c, void *arg, struct err *e)
{
    struct race *r = arg;
    json_t *row = store_filing_get_raw(c, r->filing);
    if (jint(row, "revision") != r->seen_revision) {
        json_decref(row);
        return err_set(e, ERR_CONFLICT, NULL, "revision changed", "版本已变");
    }
    json_object_set_new(row, "revision", json_integer(r->seen_revision + 1));
    json_object_set_new(row, "findings", json_array());
    json_object_set_new(row, "derived", json_object());
    int rc = store_filing_save_document(c, row, e);
    json_decref(row);
    return rc;
}

static void *racer(void *arg)
{
    struct race *r = arg;
    struct err e = {0};
    int rc = store_write(r->f->s, save_if_revision, r, &e);
    pthread_mutex_lock(&r->mu);
    if (rc == 0) r->won++;
    else if (e.code == ERR_CONFLICT) r->lost++;
    pthread_mutex_unlock(&r->mu);
    err_clear(&e);
    store_reader_release(r->f->s);
    return NULL;
}

static void test_concurrent_saves_of_one_revision_one_wins(void **state)
{
    struct fixture *f = *state;
    struct race r = {.f = f, .filing = new_filing(f, 0, 0, NULL), .mu = PTHREAD_MUTEX_INITIALIZER};
    json_t *row = store_filing_get(store_reader(f->s), r.filing);
    r.seen_revision = jint(row, "revision");
    json_decref(row);
    pthread_t t[6];
    for (int i = 0; i < 6; i++) pthread_create(&t[i], NULL, racer, &r);
    for (int i = 0; i < 6; i++) pthread_join(t[i], NULL);
    assert_int_equal(r.won, 1);
    assert_int_equal(r.lost, 5);
    row = store_filing_get(store_reader(f->s), r.filing);
    assert_int_equal(jint(row, "revision"), r.seen_revision + 1);
    json_decref(row);
}

/* Every writer of a filing's row moves its count of writes, and a save guarded by the count it
 * read stores nothing once the row moved: a save's reply is its own read of the row only while
 * the count stands (service/filings.c, save_against_row). */
struct writes_job { int64_t filing, org; int step; int64_t written_was; int result; };

static int write_step(struct store_conn *c, void *arg, struct err *e)
{
    struct writes_job *j = arg;
    json_t *row = store_filing_get_raw(c, j->filing);
    int rc = 0;
    switch (j->step) {
    case 0: rc = store_filing_save_document(c, row, e); break;
    case 1: rc = store_filing_update(c, row, e); break;
    case 2: rc = store_filing_update_change(c, row, e); break;
    case 3: rc = store_org_update(c, j->org, "Renamed Co.", "91110000000000001A", "110000", e); break;
    case 4: j->result = store_filing_save_document_if(c, row, j->written_was, e); break;
    }
    json_decref(row);
    return rc;
}

static int64_t writes_of(struct fixture *f, int64_t filing)
{
    json_t *row = store_filing_get_raw(store_reader(f->s), filing);
    int64_t n = jint(row, "written");
    json_decref(row);
    return n;
}

static void test_every_write_of_a_filing_moves_its_count(void **state)
{
    struct fixture *f = *state;
    int64_t filing = new_filing(f, 0, 0, NULL);
    struct err e = {0};
    int64_t before = writes_of(f, filing);
    for (int step = 0; step < 4; step++) {
        struct writes_job j = {filing, f->enterprise, step, 0, 0};
        assert_int_equal(store_write(f->s, write_step, &j, &e), 0);
        int64_t now = writes_of(f, filing);
        assert_true(now > before);
        before = now;
    }
    /* guarded by a count that has moved: not stored; by the current one: stored, and it moves */
    struct writes_job stale = {filing, f->enterprise, 4, before - 1, -1};
    assert_int_equal(store_write(f->s, write_step, &stale, &e), 0);
    assert_int_equal(stale.result, 1);
    assert_int_equal(writes_of(f, filing), before);
    struct writes_job fresh = {filing, f->enterprise, 4, before, -1};
    assert_int_equal(store_write(f->s, write_step, &fresh, &e), 0);
    assert_int_equal(fresh.result, 0);
    assert_int_equal(writes_of(f, filing), before + 1);
}

/* A save's read of the row (store_filing_get_for_save) has SELECT *'s columns in its order, the
 * ones the save replaces as null: its column list is written out by hand, so a column a migration
 * adds must be added there too, and this says so before any reply differs. */
static void test_the_rows_read_for_a_save_are_the_whole_row(void **state)
{
    struct fixture *f = *state;
    int64_t id = new_filing(f, 0, 0, NULL);
    struct store_conn *c = store_reader(f->s);
    json_t *whole = store_filing_get_raw(c, id);
    for (int with_document = 0; with_document < 2; with_document++) {
        json_t *part = store_filing_get_for_save(c, id, with_document);
        assert_int_equal(json_object_size(part), json_object_size(whole));
        void *a = json_object_iter(whole), *b = json_object_iter(part);
        for (; a && b; a = json_object_iter_next(whole, a), b = json_object_iter_next(part, b)) {
            const char *key = json_object_iter_key(a);
            assert_string_equal(json_object_iter_key(b), key);
            bool nulled = strcmp(key, "findings") == 0 || strcmp(key, "derived") == 0 ||
                          (!with_document && strcmp(key, "document") == 0);
            if (nulled) assert_true(json_is_null(json_object_iter_value(b)));
            else assert_true(json_equal(json_object_iter_value(a), json_object_iter_value(b)));
        }
        json_decref(part);
    }
    json_decref(whole);
}

/* ------------------------------------------------------------------ numbering */

struct numbers { struct fixture *f; int64_t authority; int64_t got[64]; int n; pthread_mutex_t mu; };

static int take_number(struct store_conn *c, void *arg, struct err *e)
{
    struct numbers *nb = arg;
    int64_t seq = store_next_number_seq(c, nb->authority, 2026, e);
    if (seq < 0) return -1;
    pthread_mutex_lock(&nb->mu);
    nb->got[nb->n++] = seq;
    pthread_mutex_unlock(&nb->mu);
    return 0;
}

static void *numberer(void *arg)
{
    struct numbers *nb = arg;
    for (int i = 0; i < 8; i++) {
        struct err e = {0};
        if (store_write(nb->f->s, take_number, nb, &e) != 0) err_clear(&e);
    }
    store_reader_release(nb->f->s);
    return NULL;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_numbers_are_sequential_without_gaps_under_concurrency(void **state)
{
    struct fixture *f = *state;
    struct numbers nb = {.f = f, .authority = f->authority, .mu = PTHREAD_MUTEX_INITIALIZER};
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, numberer, &nb);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    assert_int_equal(nb.n, 32);
    qsort(nb.got, (size_t)nb.n, sizeof nb.got[0], cmp64);
    for (int i = 0; i < nb.n; i++) assert_int_equal(nb.got[i], i + 1);
    /* another authority (or year) counts on its own */
    struct numbers other = {.f = f, .authority = f->provider, .mu = PTHREAD_MUTEX_INITIALIZER};
    struct err e = {0};
    assert_int_equal(store_write(f->s, take_number, &other, &e), 0);
    assert_int_equal(other.got[0], 1);
}

/* ------------------------------------------------------------------ visibility and pagination */

static int list_count(struct fixture *f, const char *kind, int64_t org_id, bool admin)
{
    struct store_scope scope = {.org_kind = kind, .org_id = org_id, .admin = admin};
    struct filing_query q = {.limit = 200};
    int64_t next = 0;
    struct err e = {0};
    json_t *rows = store_filing_list(store_reader(f->s), &scope, &q, &next, &e);
    assert_non_null(rows);
    int n = (int)json_array_size(rows);
    json_decref(rows);
    return n;
}

static void test_filing_visibility_by_scope(void **state)
{
    struct fixture *f = *state;
    new_filing(f, 0, 0, "draft");           /* the enterprise's only */
    new_filing(f, 1, 0, "provider_check");  /* and the provider's */
    new_filing(f, 1, 1, "review");          /* and the authority's */
    assert_int_equal(list_count(f, "platform", 0, true), 3);
    assert_int_equal(list_count(f, "enterprise", f->enterprise, false), 3);
    assert_int_equal(list_count(f, "enterprise", f->other_enterprise, false), 0);
    assert_int_equal(list_count(f, "provider", f->provider, false), 2);
    assert_int_equal(list_count(f, "authority", f->authority, false), 1);
    /* a scope of one kind never matches through the columns of another */
    assert_int_equal(list_count(f, "authority", f->provider, false), 0);
    assert_int_equal(list_count(f, "provider", f->enterprise, false), 0);
}

/* An EXPLAIN QUERY PLAN's rows (consumed): some step names want, none names forbidden. */
static void assert_plan(json_t *plan, const char *want, const char *forbidden)
{
    assert_non_null(plan);
    bool found = false;
    size_t i;
    json_t *step;
    json_array_foreach(plan, i, step) {
        const char *detail = json_string_value(json_object_get(step, "detail"));
        assert_non_null(detail);
        if (strstr(detail, want)) found = true;
        if (strstr(detail, forbidden)) fail_msg("the plan has %s: %s", forbidden, detail);
    }
    if (!found) fail_msg("the plan has no %s: %s", want, json_dumps(plan, 0));
    json_decref(plan);
}

/* ------------------------------------------------------------------ a system's live filing */

/* The workflow's system_free guard asks on every view and save whether the system has another live
 * initial filing. Drafts pile up beside it without changing the answer, and on SQLite the ask is
 * answered from the partial index (a scan read every filing with its document: the soak of
 * 2026-12-06 halved its throughput in a minute). */
static void test_a_systems_live_filing_among_its_drafts(void **state)
{
    struct fixture *f = *state;
    int64_t first_draft = new_filing(f, 0, 0, "draft");
    for (int i = 0; i < 40; i++) new_filing(f, 0, 0, i % 2 ? "draft" : "rejected");
    int64_t filed = new_filing(f, 1, 1, "filed");
    struct store_conn *c = store_reader(f->s);
    json_t *other = store_system_other_live_filing(c, f->system, first_draft);
    assert_non_null(other);
    assert_int_equal(jint(other, "id"), filed);
    json_decref(other);
    assert_null(store_system_other_live_filing(c, f->system, filed));   /* not itself */
    if (location()) return;   /* the plan below is SQLite's */
    char sql[1024];
    snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", STORE_SQL_OTHER_LIVE_FILING);
    struct err e = {0};
    json_t *plan = db_query_raw(c, &e, sql, "ii", f->system, first_draft);   /* "detail" as text */
    assert_plan(plan, "filings_system_live", "SCAN filings");
}

/* The daily standing check asks every filed record for the keys of its open findings. The answer
 * holds the open ones only, in the order they appeared, and on SQLite it comes from the index
 * alone (migration 15): before, each ask went to the table for every finding. */
struct standing_job { int64_t filing_id; int64_t cleared; };

static int standing_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct standing_job *j = arg;
    const char *rules[] = {"SCAN-STALE", "TRAINING-STALE", "INSPECTION-DUE"};
    for (int i = 0; i < 3; i++) {
        json_t *finding = json_pack("{s:s s:s s:s s:{s:s s:s} s:s}", "rule", rules[i], "path", i == 1 ? "/training" : "",
                                    "severity", "warning", "message", "zh", "过期", "en", "stale", "source", "GB/T 22239-2019");
        int rc = store_standing_insert(c, j->filing_id, finding, NULL, "2026-12-01", e);
        json_decref(finding);
        if (rc != 0) return rc;
        if (i == 0) j->cleared = db_last_insert_id(c);
    }
    return store_standing_clear(c, j->cleared, "2026-12-02", e);
}

static void test_open_standing_findings_from_the_index(void **state)
{
    struct fixture *f = *state;
    struct standing_job j = {.filing_id = new_filing(f, 1, 1, "filed")};
    struct err e = {0};
    if (store_write(f->s, standing_job_fn, &j, &e) != 0) fail_msg("standing: %s", e.detail_en);
    struct store_conn *c = store_reader(f->s);
    json_t *open = store_standing_open_keys(c, j.filing_id);
    assert_int_equal(json_array_size(open), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(open, 0), "rule")), "TRAINING-STALE");
    assert_string_equal(json_string_value(json_object_get(json_array_get(open, 0), "path")), "/training");
    assert_string_equal(json_string_value(json_object_get(json_array_get(open, 1), "rule")), "INSPECTION-DUE");
    assert_string_equal(json_string_value(json_object_get(json_array_get(open, 1), "since")), "2026-12-01");
    json_decref(open);
    if (location()) return;   /* the plan below is SQLite's */
    char sql[512];
    snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", STORE_SQL_STANDING_OPEN_KEYS);
    json_t *plan = db_query_raw(c, &e, sql, "i", j.filing_id);
    assert_plan(plan, "USING COVERING INDEX standing_findings_open", "TEMP B-TREE");
}

/* ------------------------------------------------------------------ the WAL's checkpoints */

/* The writer's commits only signal the checkpoint thread (src/store/sqlite_checkpoint.c); the WAL
 * must still be copied into the database as it grows. 30 MB written in commits of 400 KB (7,500
 * pages) stay below the 10,000 pages at which the writer would checkpoint itself: the database
 * file holds them only if the thread did its work. The WAL file may grow meanwhile (it starts
 * over only when a checkpoint has caught up before the writer's next transaction), but never past
 * the writer's own bound. */
static int four_entries_job(struct store_conn *c, void *arg, struct err *e)
{
    const json_t *detail = arg;
    for (int i = 0; i < 4; i++) {
        struct audit_entry a = {.action = "test.bulk", .object_type = "test", .detail = detail};
        if (store_audit_append(c, &a, e) != 0) return -1;
    }
    return 0;
}

static long file_size(const char *dir, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* commits of four audit entries with a filler of filler_len characters each, one right after
 * another: the largest size the WAL file reached */
static long wal_max_over_commits(struct fixture *f, size_t filler_len, int commits)
{
    char *filler = malloc(filler_len + 1);
    assert_non_null(filler);
    for (size_t i = 0; i < filler_len; i++) filler[i] = (char)('a' + (i * 7 + i / 13) % 26);
    filler[filler_len] = '\0';
    json_t *detail = json_pack("{s:s}", "filler", filler);
    free(filler);
    long wal_max = 0;
    for (int i = 0; i < commits; i++) {
        struct err e = {0};
        if (store_write(f->s, four_entries_job, detail, &e) != 0) fail_msg("write: %s", e.detail_en);
        long wal = file_size(f->dir, "beian.db-wal");
        if (wal > wal_max) wal_max = wal;
    }
    json_decref(detail);
    return wal_max;
}

static void test_checkpoints_run_beside_the_writer(void **state)
{
    struct fixture *f = *state;
    if (location()) skip();   /* SQLite's WAL */
    long wal_max = wal_max_over_commits(f, 100000, 75);   /* 75 commits of 4 × 100 KB */
    for (int i = 0; i < 50 && file_size(f->dir, "beian.db") < 20L << 20; i++) usleep(100 * 1000);
    if (wal_max > 10000L * (4096 + 24) + 32) fail_msg("the WAL grew to %ld bytes", wal_max);
    if (file_size(f->dir, "beian.db") < 20L << 20)
        fail_msg("the database file holds %ld bytes of 30 MB written", file_size(f->dir, "beian.db"));
    struct err e = {0};
    assert_int_equal(store_audit_verify(store_reader(f->s), &e), 0);
}

/* Under commits without a pause the writer has always begun its next transaction while the thread
 * copies, and SQLite starts the WAL over only when a checkpoint caught up before that: so the
 * writer copies the last few pages itself once the thread has done the rest, and the WAL stays
 * near the 1,000 pages of a checkpoint instead of growing to the writer's bound (10,000). 3,000
 * commits of about ten pages each (30,000 frames in all), one right after another. */
static void test_the_wal_starts_over_under_writes_without_a_pause(void **state)
{
    struct fixture *f = *state;
    if (location()) skip();   /* SQLite's WAL */
    long wal_max = wal_max_over_commits(f, 8000, 3000);
    if (wal_max > 2000L * (4096 + 24) + 32) fail_msg("the WAL grew to %ld bytes (%ld frames)", wal_max, wal_max / 4120);
    struct err e = {0};
    assert_int_equal(store_audit_verify(store_reader(f->s), &e), 0);
}

/* ------------------------------------------------------------------ announced writes */

static int rename_system_job(struct store_conn *c, void *arg, struct err *e)
{
    (void)arg;
    return db_run(c, e, "UPDATE systems SET description = description || 'x'", "");
}

struct announcer {
    struct store *s;
    pthread_barrier_t *all_announced;
    int order;   /* sends its write order × 20 ms after all announced theirs */
    int rc;
};

static void *announce_then_write(void *arg)
{
    struct announcer *a = arg;
    struct err e = {0};
    store_write_soon(a->s);
    pthread_barrier_wait(a->all_announced);
    usleep((useconds_t)a->order * 20000);
    a->rc = store_write_announced(a->s, rename_system_job, NULL, &e);
    err_clear(&e);
    return NULL;
}

/* Writes announced before they are sent share one commit: the writer waits for them, sent 20 ms
 * apart (here with a wait long enough for any machine: it ends when the last one is queued, not
 * when the wait does), and each announcement ends as its write is queued. A write announced and
 * never sent holds the others back no longer than the wait. */
static void test_announced_writes_share_a_commit(void **state)
{
    struct fixture *f = *state;
    if (location()) skip();   /* the SQLite writer's group commit */
    enum { WRITERS = 4 };
    store_write_linger_set(f->s, 10L * 1000 * 1000);
    uint64_t commits0, writes0, commits, writes;
    store_write_counts(f->s, &commits0, &writes0);
    pthread_barrier_t all_announced;
    pthread_barrier_init(&all_announced, NULL, WRITERS);
    struct announcer a[WRITERS];
    pthread_t t[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        a[i] = (struct announcer){f->s, &all_announced, i, -1};
        assert_int_equal(pthread_create(&t[i], NULL, announce_then_write, &a[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(a[i].rc, 0);
    }
    pthread_barrier_destroy(&all_announced);
    assert_int_equal(atomic_load(&f->s->writes_soon), 0);
    store_write_counts(f->s, &commits, &writes);
    assert_int_equal(writes - writes0, WRITERS);
    assert_int_equal(commits - commits0, 1);

    /* announced, never sent: the next write still commits once the wait is over */
    store_write_linger_set(f->s, 20 * 1000);
    store_write_soon(f->s);
    struct err e = {0};
    assert_int_equal(store_write(f->s, rename_system_job, NULL, &e), 0);
    store_write_soon_done(f->s);
    /* and nothing announced: committed at once, alone */
    store_write_linger_set(f->s, 10L * 1000 * 1000);
    assert_int_equal(store_write(f->s, rename_system_job, NULL, &e), 0);
    store_write_counts(f->s, &commits, &writes);
    assert_int_equal(commits - commits0, 3);
}

/* ------------------------------------------------------------------ the records' generation */

static int64_t records_generation(struct fixture *f)
{
    int64_t g = -1;
    assert_true(store_records_generation(store_reader(f->s), &g));
    return g;
}

static int token_job(struct store_conn *c, void *arg, struct err *e)
{
    struct fixture *f = arg;
    return store_token_insert(c, "0123abcd", f->user, "session", "t", "csrf", 4102444800, e);
}

static int revoke_job(struct store_conn *c, void *arg, struct err *e)
{
    (void)arg;
    return store_token_revoke(c, "0123abcd", e);
}

static int rename_job(struct store_conn *c, void *arg, struct err *e)
{
    struct fixture *f = arg;
    return store_org_update(c, f->enterprise, "Ent A2", "91110000000000001A", "110000", e);
}

/* What a filing's check reads from the records moves the generation, and so does a token's
 * revocation; a save (the filing's row), a sign-in (a new token) do not. Every table moves it but
 * those RECORDS_UNMOVED names (and the inserts of RECORDS_MOVED_NOT_BY_INSERTS): a new table does
 * unless named there on purpose (filing_facts_kept.h keeps findings on this number, auth.c the
 * principal a token resolves to). */
static void test_records_generation_moves_with_the_records_only(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    int64_t g0 = records_generation(f);
    new_filing(f, 0, 0, "draft");   /* a filing's row, written and updated */
    assert_int_equal(store_write(f->s, token_job, f, &e), 0);
    assert_int_equal(records_generation(f), g0);
    assert_int_equal(store_write(f->s, rename_job, f, &e), 0);
    int64_t g1 = records_generation(f);
    assert_true(g1 > g0);
    /* a new token moved nothing; its revocation does (a principal kept on it no longer stands) */
    assert_int_equal(store_write(f->s, revoke_job, f, &e), 0);
    assert_true(records_generation(f) > g1);
    store_read_end(f->s);
    /* the triggers, table by table */
    struct store_conn *c = store_reader(f->s);
    bool pg = location() != NULL;
    json_t *tables = pg ? db_query(c, NULL, "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()", "")
                        : db_query(c, NULL, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", "");
    assert_true(json_array_size(tables) > 20);
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t) {
        const char *name = jstr(t, "name");
        /* PostgreSQL's own tables: the materials' bytes, the schema version, the deployment's keys */
        static const char *const PG_OWN[] = {"material_blobs", "beian_schema", "deployment_keys", "deployment_secrets", NULL};
        bool unmoved = false;
        for (int k = 0; PG_OWN[k]; k++) unmoved |= strcmp(name, PG_OWN[k]) == 0;
        for (int k = 0; RECORDS_UNMOVED[k]; k++) unmoved |= strcmp(name, RECORDS_UNMOVED[k]) == 0;
        int want = unmoved ? 0 : 3;   /* after insert, update and delete */
        for (int k = 0; RECORDS_MOVED_NOT_BY_INSERTS[k]; k++)
            if (strcmp(name, RECORDS_MOVED_NOT_BY_INSERTS[k]) == 0) want = 2;
        json_t *n = pg ? db_query(c, NULL, "SELECT count(DISTINCT event_manipulation) AS n FROM information_schema.triggers "
                                           "WHERE event_object_table = ? AND action_statement LIKE '%beian_records_moved%'", "s", name)
                       : db_query(c, NULL, "SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                                           "AND sql LIKE '%record_generation SET n = n + 1%'", "s", name);
        int64_t got = jint(json_array_get(n, 0), "n");
        if (got != want) fprintf(stderr, "table %s: %lld triggers moving the records' generation\n", name, (long long)got);
        assert_int_equal(got, want);
        json_decref(n);
    }
    json_decref(tables);
}

static void test_filing_list_pages_newest_first(void **state)
{
    struct fixture *f = *state;
    int64_t ids[5];
    for (int i = 0; i < 5; i++) ids[i] = new_filing(f, 0, 0, NULL);
    struct store_scope scope = {.org_kind = "enterprise", .org_id = f->enterprise};
    struct filing_query q = {.limit = 2};
    int seen = 0;
    for (int page = 0; page < 4; page++) {
        int64_t next = 0;
        struct err e = {0};
        json_t *rows = store_filing_list(store_reader(f->s), &scope, &q, &next, &e);
        assert_non_null(rows);
        size_t i;
        json_t *r;
        json_array_foreach(rows, i, r) {
            assert_int_equal(jint(r, "id"), ids[4 - seen]);
            assert_null(json_object_get(r, "document"));
            seen++;
        }
        json_decref(rows);
        if (!next) break;
        q.after_id = next;
    }
    assert_int_equal(seen, 5);
    /* a filter by text finds by name and number */
    q = (struct filing_query){.limit = 50, .q = "Syst"};
    int64_t next = 0;
    json_t *rows = store_filing_list(store_reader(f->s), &scope, &q, &next, NULL);
    assert_int_equal(json_array_size(rows), 5);
    json_decref(rows);
}

/* ------------------------------------------------------------------ audit */

struct audit_job { struct fixture *f; int64_t filing; const char *action; };

static int audit_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct audit_job *j = arg;
    json_t *detail = json_pack("{s:s}", "note", "中文 and text");
    struct audit_entry a = {.actor_user_id = j->f->user, .actor_org_id = j->f->enterprise, .action = j->action,
                            .object_type = "filing", .object_id = j->filing, .filing_id = j->filing,
                            .org_id = j->f->enterprise, .after_sha = "ab", .detail = detail};
    int rc = store_audit_append(c, &a, e);
    json_decref(detail);
    return rc;
}

static int audit_bare_fn(struct store_conn *c, void *arg, struct err *e)
{
    (void)arg;
    struct audit_entry a = {.action = "test.bare", .object_type = "x\ny", .before_sha = "cd",
                            .object_id = INT64_MAX};
    return store_audit_append(c, &a, e);
}

static int tamper(struct store_conn *c, void *arg, struct err *e)
{
    return db_run(c, e, "UPDATE audit SET action='filing.other' WHERE id=?", "i", *(int64_t *)arg);
}

static void *auditor(void *arg)
{
    struct audit_job *j = arg;
    for (int i = 0; i < 10; i++) {
        struct err e = {0};
        if (store_write(j->f->s, audit_job_fn, j, &e) != 0) err_clear(&e);
    }
    store_reader_release(j->f->s);
    return NULL;
}

static void test_audit_appends_one_chain_append_only(void **state)
{
    struct fixture *f = *state;
    int64_t filing = new_filing(f, 0, 0, NULL);
    struct audit_job j = {.f = f, .filing = filing, .action = "filing.save"};
    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, auditor, &j);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    struct store_conn *c = store_reader(f->s);
    assert_int_equal(store_audit_size(c), 30);
    struct err e = {0};
    assert_int_equal(store_audit_verify(c, &e), 0);
    /* the list: the enterprise sees its filing's entries newest first, in pages */
    struct store_scope scope = {.org_kind = "enterprise", .org_id = f->enterprise};
    int64_t next = 0;
    json_t *rows = store_audit_list(c, &scope, f->user, false, filing, 20, 0, &next, &e);
    assert_int_equal(json_array_size(rows), 20);
    assert_int_equal(jint(json_array_get(rows, 0), "id"), 30);
    assert_string_equal(jstr(json_object_get(json_array_get(rows, 0), "detail"), "note"), "中文 and text");
    assert_null(json_object_get(json_array_get(rows, 0), "prev_hash"));
    assert_int_equal(next, 11);
    json_decref(rows);
    /* another enterprise sees none of them */
    struct store_scope other = {.org_kind = "enterprise", .org_id = f->other_enterprise};
    rows = store_audit_list(c, &other, 0, false, 0, 100, 0, &next, &e);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    /* the hashes of the verifiable log are those of the chain */
    uint8_t *hashes = store_audit_hashes(c, 0, 30, &e);
    assert_non_null(hashes);
    free(hashes);
    /* append-only: the engine refuses to change an entry, and the chain stays whole */
    int64_t victim = 7;
    assert_int_equal(store_write(f->s, tamper, &victim, &e), -1);
    err_clear(&e);
    assert_int_equal(store_audit_verify(store_reader(f->s), &e), 0);
    /* the entry's text is written member by member: every kind of member, odd strings, nulls and
     * no detail hash as the stored row does */
    struct audit_job odd = {.f = f, .filing = 0, .action = "odd \"quoted\" \\ \x01\t 中文 /"};
    assert_int_equal(store_write(f->s, audit_job_fn, &odd, &e), 0);
    assert_int_equal(store_write(f->s, audit_bare_fn, NULL, &e), 0);
    assert_int_equal(store_audit_verify(store_reader(f->s), &e), 0);
}

/* ------------------------------------------------------------------ materials */

struct material_job { struct fixture *f; int64_t id; int n; const char *sha; int64_t size; int64_t filing; };

static int material_create(struct store_conn *c, void *arg, struct err *e)
{
    struct material_job *j = arg;
    j->id = store_material_insert(c, j->f->enterprise, "icp_licence", "Licence", "a.txt", "text/plain; charset=utf-8",
                                  j->size, j->sha, j->f->user, e);
    return j->id < 0 ? -1 : 0;
}

static int material_version(struct store_conn *c, void *arg, struct err *e)
{
    struct material_job *j = arg;
    j->n = store_material_add_version(c, j->id, "b.txt", "text/plain; charset=utf-8", j->size, j->sha, j->f->user, e);
    if (j->n < 0) return -1;
    return store_material_pin(c, j->filing, 1, j->id, j->n, j->sha, e);
}

/* Write bytes to a temporary upload file as the HTTP layer does and hand it to the store. */
static void put_bytes(struct fixture *f, const char *bytes, char sha[65])
{
    char dir[4200], path[4300];
    store_upload_dir(f->s, dir, sizeof dir);
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/upload-XXXXXX", dir);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(bytes);
    assert_int_equal(write(fd, bytes, len), (ssize_t)len);
    sha256_hex(bytes, len, sha);
    struct store_upload u = {.path = path, .fd = fd, .size = len, .sha256 = sha};
    struct err e = {0};
    if (store_blob_put(f->s, &u, &e) != 0) fail_msg("blob_put: %s", e.detail_en);
    close(fd);
    if (!u.taken) unlink(path);
}

static void test_materials_versions_pins_and_bytes(void **state)
{
    struct fixture *f = *state;
    char sha1[65], sha2[65];
    put_bytes(f, "first bytes\n", sha1);
    put_bytes(f, "second bytes, longer\n", sha2);
    put_bytes(f, "first bytes\n", sha1);   /* the same bytes again: kept once */
    struct material_job j = {.f = f, .sha = sha1, .size = 12, .filing = new_filing(f, 0, 0, NULL)};
    struct err e = {0};
    assert_int_equal(store_write(f->s, material_create, &j, &e), 0);
    j.sha = sha2;
    j.size = 21;
    assert_int_equal(store_write(f->s, material_version, &j, &e), 0);
    assert_int_equal(j.n, 2);
    struct store_conn *c = store_reader(f->s);
    json_t *m = store_material_get(c, j.id);
    assert_int_equal(jint(m, "current_version"), 2);
    assert_string_equal(jstr(m, "sha256"), sha2);
    json_decref(m);
    json_t *versions = store_material_version_list(c, j.id);
    assert_int_equal(json_array_size(versions), 2);
    json_decref(versions);
    json_t *pins = store_material_pins(c, j.filing, 1);
    assert_int_equal(json_array_size(pins), 1);
    assert_int_equal(jint(json_array_get(pins, 0), "material_version"), 2);
    json_decref(pins);
    assert_true(store_material_org_has_sha256(c, f->enterprise, sha1));
    assert_false(store_material_org_has_sha256(c, f->other_enterprise, sha1));
    assert_int_equal(store_material_org_bytes(c, f->enterprise), 12 + 21);
    /* the bytes come back, and check out */
    int fd = -1;
    assert_int_equal(store_blob_open(f->s, sha2, 21, &fd, &e), 0);
    char buf[64] = {0};
    assert_int_equal(read(fd, buf, sizeof buf), 21);
    assert_string_equal(buf, "second bytes, longer\n");
    close(fd);
    char got[65], where[4300];
    assert_int_equal(store_blob_check(f->s, sha1, got, where, sizeof where), 0);
    /* bytes never kept are missing, and asked for at another size they are damaged */
    char absent[65];
    sha256_hex("never", 5, absent);
    assert_int_equal(store_blob_check(f->s, absent, got, where, sizeof where), -1);
    assert_int_equal(store_blob_open(f->s, sha1, 13, &fd, &e), -1);
    err_clear(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transaction_rolls_back_a_failed_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique_constraint_is_a_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_jobs_among_concurrent_ones_roll_back_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_saves_of_one_revision_one_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_rows_read_for_a_save_are_the_whole_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_write_of_a_filing_moves_its_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_are_sequential_without_gaps_under_concurrency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filing_visibility_by_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_systems_live_filing_among_its_drafts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_standing_findings_from_the_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoints_run_beside_the_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_wal_starts_over_under_writes_without_a_pause, setup, teardown),
        cmocka_unit_test_setup_teardown(test_announced_writes_share_a_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filing_list_pages_newest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_records_generation_moves_with_the_records_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_appends_one_chain_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_materials_versions_pins_and_bytes, setup, teardown),
    };
    return cmocka_run_group_tests_name(location() ? "store (PostgreSQL)" : "store (SQLite)", tests, NULL, NULL);
}
