/* standing.c — the daily standing check of every filed record (see standing.h): each record is
 * evaluated against that day and the pack version in force (agreement and qualifications that
 * expire, stale scans, drills and training, old provider evaluations, the inspection schedule), and
 * what it finds is kept as the record's standing findings with the day each appeared. A finding
 * that appears or clears is an event in the record's audit log (standing.appear, standing.clear),
 * which the notification work builds on. Evaluation runs outside the store's writer; each record's
 * changes are one transaction. */
#include "service/standing.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/evidence.h"
#include "service/filing_pass.h"
#include "service/filings.h"
#include "service/inspections.h"
#include "service/notify.h"
#include "store/store.h"
#include "core/clock.h"
#include "core/doc_cache.h"
#include "core/json_text.h"
#include "service/test_clock.h"
#include "policy/rules.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include "policy/schema.h"

#include <stdio.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* Records per transaction and per round of the workers: large enough that a million commits and
 * rounds do not dominate, small enough to hold in memory. */
enum { BATCH = 1000, INSPECTION_NOTICE_DAYS = 30 };

/* The inspection schedule as findings: due within 30 days (warning), overdue (error), an ordered
 * report overdue (error). */
static void schedule_findings(struct store_conn *c, const json_t *record, day_t today, json_t *out)
{
    json_t *s = inspection_schedule(c, record, today);
    const char *next = jstr(s, "next_due");
    day_t due;
    char zh[256], en[256];
    if (json_is_true(json_object_get(s, "overdue"))) {
        snprintf(zh, sizeof zh, "定期自查已逾期：本周期的自查报告应于 %s 前提交", next);
        snprintf(en, sizeof en, "The periodic self-inspection is overdue: this cycle's report was due by %s", next);
        finding_add(out, "INSPECTION-OVERDUE", "error", "", zh, en,
                    "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》8.1.6 安全管理制度（定期检查）");
    } else if (next && date_parse(next, &due) == 0 && due - today <= INSPECTION_NOTICE_DAYS) {
        snprintf(zh, sizeof zh, "定期自查将于 %s 到期", next);
        snprintf(en, sizeof en, "The periodic self-inspection is due by %s", next);
        finding_add(out, "INSPECTION-DUE", "warning", "", zh, en,
                    "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》8.1.6 安全管理制度（定期检查）");
    }
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(s, "ordered"), i, o) {
        if (!json_is_true(json_object_get(o, "overdue"))) continue;
        snprintf(zh, sizeof zh, "管理部门要求的专项自查（第 %lld 号）已逾期：应于 %s 前提交", (long long)jint(o, "id"),
                 jstr(o, "due_on"));
        snprintf(en, sizeof en, "The extra inspection the authority ordered (no. %lld) is overdue: it was due by %s",
                 (long long)jint(o, "id"), jstr(o, "due_on"));
        char path[64];
        snprintf(path, sizeof path, "/inspections/%lld", (long long)jint(o, "id"));
        finding_add(out, "INSPECTION-ORDERED-OVERDUE", "error", path, zh, en, "《网络安全法》第二十一条、第二十五条");
    }
    json_decref(s);
}

/* What stands against the record today: the errors and warnings of a fresh evaluation, and the
 * schedule's. */
static json_t *standing_now(struct app *a, struct store_conn *c, json_t *record, day_t today,
                            struct filing_pass *pass)
{
    evidence_overlay(c, record);   /* scans, trainings, drills reported since the filing */
    filing_evaluate_in_pass(a, c, record, pass);
    json_t *out = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(record, "findings"), i, f) {
        const char *sev = jstr(f, "severity");
        if (sev && (strcmp(sev, "error") == 0 || strcmp(sev, "warning") == 0)) json_array_append(out, f);
    }
    schedule_findings(c, record, today, out);
    return out;
}

/* A finding's identity: its rule and its path ("" when it has none). */
struct finding_key { const char *rule, *path; };

static struct finding_key finding_key_of(const json_t *f)
{
    const char *path = jstr(f, "path");
    return (struct finding_key){jstr(f, "rule"), path ? path : ""};
}

/* known[i]: whether a[i] has the rule and path of a member of b. Each key is looked up once, not
 * once per pair (a record's findings against its open ones, every record every day). */
static bool match_findings(const json_t *a, const json_t *b, bool *known)
{
    size_t na = json_array_size(a), nb = json_array_size(b), i, k;
    struct finding_key small[16], *keys = nb <= 16 ? small : malloc(nb * sizeof *keys);
    if (!keys) return false;
    for (k = 0; k < nb; k++) keys[k] = finding_key_of(json_array_get(b, k));
    for (i = 0; i < na; i++) {
        struct finding_key x = finding_key_of(json_array_get(a, i));
        known[i] = false;
        for (k = 0; k < nb && !known[i]; k++)
            known[i] = x.rule && keys[k].rule && strcmp(x.rule, keys[k].rule) == 0 && strcmp(x.path, keys[k].path) == 0;
    }
    if (keys != small) free(keys);
    return true;
}

/* match_findings into a buffer of the caller's or one of its own (free it when it is not buf). */
static bool *findings_known(const json_t *a, const json_t *b, bool *buf, size_t room)
{
    size_t n = json_array_size(a);
    bool *known = n <= room ? buf : malloc(n * sizeof *known);
    if (known && !match_findings(a, b, known)) {
        if (known != buf) free(known);
        return NULL;
    }
    return known;
}

/* What the writer stores of a finding that appears, made by the worker that evaluated the record
 * (outside the single writer): the log entry's detail and its canonical text, the finding's stored
 * text, the texts' parameters of its notifications. */
struct prepared { json_t *detail; char *audit_text, *detail_text, *params_text; };

/* A record's writes: today's findings against the open ones. The record's parties and names come
 * from the row the evaluation read (copies), so its events' notifications need not read it again;
 * prepared[i] (or NULL) is what was made beforehand for now[i]. */
struct record_job {
    int64_t id;
    struct notify_filing filing;   /* the strings are the job's own */
    json_t *now;
    json_t *open;   /* the open findings as the worker read them */
    struct prepared *prepared;
    const char *day;
    int appeared, cleared;
};

/* The log entry of a finding that appears or clears (detail), by the operator. */
static struct audit_entry standing_entry(const struct record_job *j, const char *action, const json_t *detail)
{
    struct principal system;
    principal_operator(&system);
    return (struct audit_entry){.actor_user_id = system.user_id, .actor_org_id = system.org_id, .action = action,
                                .object_type = "filing", .object_id = j->id, .filing_id = j->id,
                                .org_id = j->filing.org_id, .detail = detail};
}

static json_t *appear_detail(const json_t *f)
{
    return json_pack("{s:s s:s s:s s:O}", "rule", jstr(f, "rule"), "path", jstr(f, "path") ? jstr(f, "path") : "",
                     "severity", jstr(f, "severity"), "message", json_object_get(f, "message"));
}

/* Make what the writer will store of the findings that were not open when the worker looked (the
 * writer looks again inside its transaction: what it finds open is not written, what was not
 * made here it makes itself). A day with nothing new makes nothing. */
static void record_job_prepare(struct store_conn *c, struct record_job *j)
{
    json_t *open = j->open = store_standing_open_keys(c, j->id);
    size_t n = json_array_size(j->now), i;
    bool buf[32], *known = findings_known(j->now, open, buf, 32);
    if (!known) return;   /* out of memory: the writer makes it all */
    json_t *f;
    json_array_foreach(j->now, i, f) {
        if (known[i]) continue;
        if (!j->prepared && !(j->prepared = calloc(n, sizeof *j->prepared))) break;
        struct prepared *p = &j->prepared[i];
        p->detail = appear_detail(f);
        p->audit_text = json_canonical(p->detail, NULL);
        struct audit_entry a = standing_entry(j, "standing.appear", p->detail);
        p->detail_text = store_standing_detail_text(f);
        p->params_text = notify_params_text(&a, &j->filing);
    }
    if (known != buf) free(known);
}

/* The record's open findings inside the write: those the worker read when they are still the same
 * (the common case: a day with nothing new costs the writer a count, not the rows), else read. */
static json_t *open_in_write(struct store_conn *c, const struct record_job *j)
{
    if (j->open) {
        int64_t count, max_id, seen_max = 0;
        size_t i;
        json_t *o;
        json_array_foreach(j->open, i, o) if (jint(o, "id") > seen_max) seen_max = jint(o, "id");
        store_standing_open_stamp(c, j->id, &count, &max_id);
        if (count == (int64_t)json_array_size(j->open) && max_id == seen_max) return json_incref(j->open);
    }
    return store_standing_open_keys(c, j->id);
}

/* Before the evaluation, which may change the row it is given. */
static struct record_job record_job_of(const json_t *record, const char *day)
{
    struct record_job j = {.id = jint(record, "id"), .day = day};
    notify_filing_of_row(record, &j.filing);
    j.filing.system_name = j.filing.system_name ? strdup(j.filing.system_name) : NULL;
    j.filing.subject_name = j.filing.subject_name ? strdup(j.filing.subject_name) : NULL;
    j.filing.number = j.filing.number ? strdup(j.filing.number) : NULL;
    return j;
}

static void record_job_free(struct record_job *j)
{
    for (size_t i = 0; j->prepared && i < json_array_size(j->now); i++) {
        json_decref(j->prepared[i].detail);
        free(j->prepared[i].audit_text);
        free(j->prepared[i].detail_text);
        free(j->prepared[i].params_text);
    }
    free(j->prepared);
    json_decref(j->open);
    json_decref(j->now);
    free((char *)j->filing.system_name);
    free((char *)j->filing.subject_name);
    free((char *)j->filing.number);
}

static int record_job_fn(struct store_conn *c, struct record_job *j, struct notify_cache *cache, struct err *e)
{
    json_t *open = open_in_write(c, j);
    bool buf_new[32], buf_gone[32];
    bool *known = findings_known(j->now, open, buf_new, 32), *still = findings_known(open, j->now, buf_gone, 32);
    int rc = 0;
    size_t i, k;
    json_t *f, *o;
    if (!known || !still) {
        rc = err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
        goto out;
    }
    json_array_foreach(j->now, i, f) {   /* new today */
        if (known[i]) continue;
        struct prepared *p = j->prepared && j->prepared[i].detail ? &j->prepared[i] : NULL;
        if ((rc = store_standing_insert(c, j->id, f, p ? p->detail_text : NULL, j->day, e)) != 0) goto out;
        json_t *d = p ? json_incref(p->detail) : appear_detail(f);
        struct audit_entry a = standing_entry(j, "standing.appear", d);
        a.detail_text = p ? p->audit_text : NULL;
        rc = audit_record_of(c, &a, &j->filing, cache, p ? p->params_text : NULL, e);
        json_decref(d);
        if (rc != 0) goto out;
        j->appeared++;
    }
    json_array_foreach(open, k, o) {   /* gone today */
        if (still[k]) continue;
        if ((rc = store_standing_clear(c, jint(o, "id"), j->day, e)) != 0) goto out;
        json_t *d = json_pack("{s:s s:s s:s}", "rule", jstr(o, "rule"), "path", jstr(o, "path"), "since", jstr(o, "since"));
        struct audit_entry a = standing_entry(j, "standing.clear", d);
        rc = audit_record_of(c, &a, &j->filing, cache, NULL, e);
        json_decref(d);
        if (rc != 0) goto out;
        j->cleared++;
    }
    rc = store_filing_standing_checked(c, j->id, j->day, e);
out:
    if (known != buf_new) free(known);
    if (still != buf_gone) free(still);
    json_decref(open);
    return rc;
}

/* One transaction for a batch of records: a million records would otherwise wait for a million
 * commits. Who hears of the events is looked up once per organisation for the batch. */
struct batch_job { struct record_job *jobs; size_t n; };

static int batch_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct batch_job *b = arg;
    struct notify_cache *cache = notify_cache_new();
    if (!cache) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    int rc = 0;
    for (size_t i = 0; i < b->n && rc == 0; i++) rc = record_job_fn(c, &b->jobs[i], cache, e);
    notify_cache_free(cache);
    return rc;
}

/* The evaluation runs on a pool of workers that lives for the whole pass — one per core, the
 * calling thread among them — each with its own reader connection, prepared Lua states and what
 * it keeps across records (filing_pass.h: documents, checks and record findings that records
 * share are parsed, looked up and checked once), so none of that is made again per batch. The
 * workers take the records of a batch one at a time from a shared counter; the batch's writes are
 * then one transaction. */
enum { MAX_WORKERS = 8 };

struct pool {
    struct app *a;
    day_t today;
    const char *day;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned generation;   /* a new batch to evaluate */
    int busy;              /* workers still on the current batch */
    bool stop;
    const json_t *ids;     /* the current batch */
    struct record_job *jobs;
    bool *present;
    atomic_size_t next;    /* the next record of the batch to take */
};

/* The record to check: its row with the document parsed (through the cache) and without the
 * stored findings and derived values, which the evaluation replaces. NULL when it is gone. */
static json_t *record_read(struct store_conn *c, struct filing_pass *pass, int64_t id)
{
    json_t *row = c ? store_filing_get_raw(c, id) : NULL;
    const char *text = row ? jstr(row, "document") : NULL;
    if (!text) return row;
    /* shared, not copied: nothing in the pass changes a record's document in place
     * (evidence_overlay lays the evidence over a copy) */
    json_t *doc = doc_cache_parse(filing_pass_docs(pass), text);
    if (doc) json_object_set(row, "document", doc);
    json_object_del(row, "findings");
    json_object_del(row, "derived");
    return row;
}

static void evaluate_batch(struct pool *pl, struct store_conn *c, struct filing_pass *pass)
{
    size_t n = json_array_size(pl->ids), i;
    /* one snapshot for the batch: the WAL's read lock taken once, not per statement (the writer
     * looks again at what it writes, so a snapshot older than the last batch's commit is fine) */
    store_read_begin(pl->a->store);
    while ((i = atomic_fetch_add(&pl->next, 1)) < n) {
        json_t *record = record_read(c, pass, jint(json_array_get(pl->ids, i), "id"));
        pl->present[i] = record != NULL;
        if (!record) continue;
        pl->jobs[i] = record_job_of(record, pl->day);
        pl->jobs[i].now = standing_now(pl->a, c, record, pl->today, pass);
        record_job_prepare(c, &pl->jobs[i]);
        json_decref(record);
    }
    store_read_end(pl->a->store);
}

static void *worker_main(void *arg)
{
    struct pool *pl = arg;
    struct store_conn *c = store_reader(pl->a->store);
    struct filing_pass *pass = filing_pass_new();
    unsigned seen = 0;
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        while (!pl->stop && pl->generation == seen) pthread_cond_wait(&pl->go, &pl->mu);
        if (pl->stop) break;
        seen = pl->generation;
        pthread_mutex_unlock(&pl->mu);
        if (pass) evaluate_batch(pl, c, pass);
        pthread_mutex_lock(&pl->mu);
        if (--pl->busy == 0) pthread_cond_signal(&pl->done);
    }
    pthread_mutex_unlock(&pl->mu);
    filing_pass_free(pass);
    policy_thread_cleanup();
    store_reader_release(pl->a->store);
    return NULL;
}

/* The writes of one batch, on a thread of their own, so that the workers evaluate the next batch
 * while the store's writer commits this one. */
struct commit {
    struct app *a;
    struct record_job *jobs;   /* BATCH of them; the first n are the batch's */
    size_t n;
    pthread_t thread;
    bool running;
    int rc;
    struct err e;
    struct standing_report done;   /* what the writes did */
};

/* The writes, then the jobs freed here too (their trees are many small blocks: freeing them on the
 * thread that waits for the next batch's evaluation would hold it up). */
static void *commit_main(void *arg)
{
    struct commit *cm = arg;
    struct batch_job b = {cm->jobs, cm->n};
    cm->rc = store_write(cm->a->store, batch_job_fn, &b, &cm->e);
    for (size_t i = 0; i < cm->n; i++) {
        if (cm->rc == 0) {
            cm->done.records++;
            cm->done.appeared += cm->jobs[i].appeared;
            cm->done.cleared += cm->jobs[i].cleared;
        }
        record_job_free(&cm->jobs[i]);
    }
    cm->n = 0;
    return NULL;
}

static void commit_start(struct commit *cm)
{
    cm->rc = 0;
    cm->running = cm->n > 0 && pthread_create(&cm->thread, NULL, commit_main, cm) == 0;
    if (cm->n > 0 && !cm->running) commit_main(cm);   /* no thread: write it now */
}

/* Wait for the batch's writes and count them; 0, or -1 with e when they failed. */
static int commit_finish(struct commit *cm, struct standing_report *out, struct err *e)
{
    if (cm->running) pthread_join(cm->thread, NULL);
    cm->running = false;
    out->records += cm->done.records;
    out->appeared += cm->done.appeared;
    out->cleared += cm->done.cleared;
    memset(&cm->done, 0, sizeof cm->done);
    if (cm->rc == 0) return 0;
    err_clear(e);
    *e = cm->e;   /* hands over its extra */
    memset(&cm->e, 0, sizeof cm->e);
    cm->rc = 0;
    return -1;
}

int standing_tick(struct app *a, struct standing_report *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    day_t today = date_from_unix(clock_now());
    char day[11];
    date_format(today, day);
    struct store_conn *c = store_reader(a->store);
    struct record_job *jobs = calloc(BATCH, sizeof *jobs);
    struct commit commits[2] = {{.a = a, .jobs = calloc(BATCH, sizeof *jobs)}, {.a = a, .jobs = calloc(BATCH, sizeof *jobs)}};
    bool *present = calloc(BATCH, sizeof *present);
    struct filing_pass *pass = filing_pass_new();
    struct pool pl = {.a = a, .today = today, .day = day, .jobs = jobs, .present = present};
    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.go, NULL);
    pthread_cond_init(&pl.done, NULL);
    pthread_t threads[MAX_WORKERS];
    int started = 0;
    int result = 0;
    if (!jobs || !commits[0].jobs || !commits[1].jobs || !present || !pass) {
        result = err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
        goto done;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int helpers = cores < 2 ? 0 : cores > MAX_WORKERS ? MAX_WORKERS - 1 : (int)cores - 1;
    for (int t = 0; t < helpers; t++)
        if (pthread_create(&threads[started], NULL, worker_main, &pl) == 0) started++;
    for (int64_t after = 0, round = 0;; round++) {
        json_t *ids = store_records_to_check(c, day, after, BATCH);
        size_t fetched = json_array_size(ids), i;
        if (fetched) after = jint(json_array_get(ids, fetched - 1), "id");
        memset(present, 0, BATCH * sizeof *present);
        pthread_mutex_lock(&pl.mu);
        pl.ids = ids;
        atomic_store(&pl.next, 0);
        pl.busy = started;
        pl.generation++;
        pthread_cond_broadcast(&pl.go);
        pthread_mutex_unlock(&pl.mu);
        evaluate_batch(&pl, c, pass);   /* this thread works too */
        pthread_mutex_lock(&pl.mu);
        while (pl.busy > 0) pthread_cond_wait(&pl.done, &pl.mu);
        pthread_mutex_unlock(&pl.mu);
        json_decref(ids);
        /* the previous batch's writes have run beside this evaluation; this batch's now start */
        struct commit *cm = &commits[round % 2], *previous = &commits[(round + 1) % 2];
        if (commit_finish(previous, out, e) != 0) {
            for (i = 0; i < fetched; i++) if (present[i]) record_job_free(&jobs[i]);
            result = -1;
            break;
        }
        for (i = 0; i < fetched; i++)
            if (present[i]) cm->jobs[cm->n++] = jobs[i];
        commit_start(cm);
        if (fetched < BATCH) break;
    }
    for (int k = 0; k < 2; k++) {
        struct err later = {0};   /* after a failure, only the first is reported */
        if (commit_finish(&commits[k], out, result == 0 ? e : &later) != 0) result = -1;
        err_clear(&later);
    }
done:
    pthread_mutex_lock(&pl.mu);
    pl.stop = true;
    pthread_cond_broadcast(&pl.go);
    pthread_mutex_unlock(&pl.mu);
    for (int t = 0; t < started; t++) pthread_join(threads[t], NULL);
    pthread_mutex_destroy(&pl.mu);
    pthread_cond_destroy(&pl.go);
    pthread_cond_destroy(&pl.done);
    filing_pass_free(pass);
    free(jobs);
    free(commits[0].jobs);
    free(commits[1].jobs);
    free(present);
    return result;
}

json_t *standing_of(struct app *a, const struct principal *who, int64_t filing_id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = filing_load_visible(c, who, filing_id, e);
    if (!row) return NULL;
    json_t *out = json_pack("{s:o s:o}", "items", store_standing_open(c, filing_id), "checked_on",
                            store_standing_checked_on(c, filing_id));
    if (strcmp(jstr(row, "state"), "filed") == 0 && strcmp(jstr(row, "kind"), "initial") == 0)
        json_object_set_new(out, "inspection", inspection_schedule(c, row, date_from_unix(clock_now())));
    json_decref(row);
    return out;
}

/* ---- the server's timer ---------------------------------------------------------------------- */

struct standing_timer {
    struct app *a;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

enum { TIMER_SECONDS = 60 };

static void *timer_main(void *arg)
{
    struct standing_timer *t = arg;
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        pthread_mutex_unlock(&t->mu);
        test_clock_refresh();
        struct standing_report rep;
        struct err e = {0};
        /* one node at a time runs the checks (several nodes on one PostgreSQL) */
        if (!store_leads(t->a->store, "standing")) rep.records = 0;
        else if (standing_tick(t->a, &rep, &e) != 0) fprintf(stderr, "beian: standing check: %s\n", e.detail_en);
        else if (rep.records)
            fprintf(stderr, "beian: standing check: %d record(s), %d finding(s) appeared, %d cleared\n", rep.records,
                    rep.appeared, rep.cleared);
        err_clear(&e);
        policy_thread_cleanup();
        pthread_mutex_lock(&t->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += TIMER_SECONDS;
        while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &until) == 0) {}
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

struct standing_timer *standing_timer_start(struct app *a)
{
    struct standing_timer *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->a = a;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    if (pthread_create(&t->thread, NULL, timer_main, t) != 0) {
        fprintf(stderr, "beian: warning: no standing-check timer (thread)\n");
        free(t);
        return NULL;
    }
    return t;
}

void standing_timer_stop(struct standing_timer *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}
