/* standing.c — the daily standing check of every filed record (see standing.h): each record is
 * evaluated against that day and the pack version in force (agreement and qualifications that
 * expire, stale scans, drills and training, old provider evaluations, the inspection schedule), and
 * what it finds is kept as the record's standing findings with the day each appeared. A finding
 * that appears or clears is an event in the record's audit log (standing.appear, standing.clear),
 * which the notification work builds on. Evaluation runs outside the store's writer; each record's
 * changes are one transaction. */
#include "service/standing.h"
#include "service/app.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/evidence.h"
#include "service/filings.h"
#include "service/inspections.h"
#include "core/clock.h"
#include "service/test_clock.h"
#include "policy/rules.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include "policy/schema.h"

#include <stdio.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* Records per transaction and per round of worker threads: large enough that a worker's prepared
 * Lua states and reader connection (made per thread) pay off, small enough to hold in memory. */
enum { BATCH = 200, INSPECTION_NOTICE_DAYS = 30 };

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
static json_t *standing_now(struct app *a, struct store_conn *c, json_t *record, day_t today)
{
    evidence_overlay(c, record);   /* scans, trainings, drills reported since the filing */
    filing_evaluate(a, c, record);
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

static bool same_finding(const json_t *a, const json_t *b)
{
    return strcmp(jstr(a, "rule"), jstr(b, "rule")) == 0 &&
           strcmp(jstr(a, "path") ? jstr(a, "path") : "", jstr(b, "path") ? jstr(b, "path") : "") == 0;
}

struct record_job { int64_t id, org_id; json_t *now; const char *day; int appeared, cleared; };

static int record_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct record_job *j = arg;
    struct principal system;
    principal_operator(&system);
    json_t *open = store_standing_open(c, j->id);
    int rc = 0;
    size_t i, k;
    json_t *f, *o;
    json_array_foreach(j->now, i, f) {   /* new today */
        bool known = false;
        json_array_foreach(open, k, o) if (same_finding(f, o)) known = true;
        if (known) continue;
        if ((rc = store_standing_insert(c, j->id, f, j->day, e)) != 0) goto out;
        json_t *d = json_pack("{s:s s:s s:s s:O}", "rule", jstr(f, "rule"), "path", jstr(f, "path") ? jstr(f, "path") : "",
                              "severity", jstr(f, "severity"), "message", json_object_get(f, "message"));
        rc = audit_record(c, &system, "standing.appear", "filing", j->id, j->id, j->org_id, NULL, NULL, d, e);
        json_decref(d);
        if (rc != 0) goto out;
        j->appeared++;
    }
    json_array_foreach(open, k, o) {   /* gone today */
        bool still = false;
        json_array_foreach(j->now, i, f) if (same_finding(f, o)) still = true;
        if (still) continue;
        if ((rc = store_standing_clear(c, jint(o, "id"), j->day, e)) != 0) goto out;
        json_t *d = json_pack("{s:s s:s s:s}", "rule", jstr(o, "rule"), "path", jstr(o, "path"), "since", jstr(o, "since"));
        rc = audit_record(c, &system, "standing.clear", "filing", j->id, j->id, j->org_id, NULL, NULL, d, e);
        json_decref(d);
        if (rc != 0) goto out;
        j->cleared++;
    }
    rc = store_filing_standing_checked(c, j->id, j->day, e);
out:
    json_decref(open);
    return rc;
}

/* One transaction for a batch of records: a million records would otherwise wait for a million
 * commits. */
struct batch_job { struct record_job *jobs; size_t n; };

static int batch_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct batch_job *b = arg;
    for (size_t i = 0; i < b->n; i++)
        if (record_job_fn(c, &b->jobs[i], e) != 0) return -1;
    return 0;
}

/* The evaluation of a batch is shared by a few threads (each with its own reader connection and
 * prepared Lua states); the write is one transaction. */
enum { EVAL_THREADS = 2 };

struct eval_share {
    struct app *a;
    const json_t *ids;
    struct record_job *jobs;
    bool *present;
    day_t today;
    const char *day;
    int first, step;
};

static void *eval_share_main(void *arg)
{
    struct eval_share *w = arg;
    struct store_conn *c = store_reader(w->a->store);
    for (size_t i = (size_t)w->first; i < json_array_size(w->ids); i += (size_t)w->step) {
        json_t *record = c ? store_filing_get(c, jint(json_array_get(w->ids, i), "id")) : NULL;
        w->present[i] = record != NULL;
        if (!record) continue;
        w->jobs[i] = (struct record_job){jint(record, "id"), jint(record, "org_id"), standing_now(w->a, c, record, w->today),
                                         w->day, 0, 0};
        json_decref(record);
    }
    return NULL;
}

/* A worker thread of the batch: its reader connection and Lua states go with it. */
static void *eval_thread_main(void *arg)
{
    struct eval_share *w = arg;
    eval_share_main(w);
    policy_thread_cleanup();
    store_reader_release(w->a->store);
    return NULL;
}

int standing_tick(struct app *a, struct standing_report *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    day_t today = date_from_unix(clock_now());
    char day[11];
    date_format(today, day);
    struct store_conn *c = store_reader(a->store);
    struct record_job *jobs = calloc(BATCH, sizeof *jobs), *batch = calloc(BATCH, sizeof *batch);
    bool *present = calloc(BATCH, sizeof *present);
    int result = 0;
    if (!jobs || !batch || !present) {
        result = err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
        goto done;
    }
    for (;;) {
        json_t *ids = store_records_to_check(c, day, BATCH);
        size_t fetched = json_array_size(ids), n = 0, i;
        memset(present, 0, BATCH * sizeof *present);
        struct eval_share shares[EVAL_THREADS];
        pthread_t threads[EVAL_THREADS];
        bool started[EVAL_THREADS] = {false};
        for (int t = 0; t < EVAL_THREADS; t++) {
            shares[t] = (struct eval_share){a, ids, jobs, present, today, day, t, EVAL_THREADS};
            if (t > 0 && fetched > 1) started[t] = pthread_create(&threads[t], NULL, eval_thread_main, &shares[t]) == 0;
        }
        /* this thread takes share 0, and any share whose thread could not start */
        eval_share_main(&shares[0]);
        for (int t = 1; t < EVAL_THREADS; t++) {
            if (started[t]) pthread_join(threads[t], NULL);
            else eval_share_main(&shares[t]);
        }
        for (i = 0; i < fetched; i++)
            if (present[i]) batch[n++] = jobs[i];
        json_decref(ids);
        struct batch_job b = {batch, n};
        int rc = n ? store_write(a->store, batch_job_fn, &b, e) : 0;
        for (i = 0; i < n; i++) {
            json_decref(batch[i].now);
            if (rc == 0) {
                out->records++;
                out->appeared += batch[i].appeared;
                out->cleared += batch[i].cleared;
            }
        }
        if (rc != 0) { result = -1; break; }
        if (fetched < BATCH) break;
    }
done:
    free(jobs);
    free(batch);
    free(present);
    return result;
}

json_t *standing_of(struct app *a, const struct principal *who, int64_t filing_id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = filing_load_visible(c, who, filing_id, e);
    if (!row) return NULL;
    json_t *out = json_pack("{s:o s:O}", "items", store_standing_open(c, filing_id), "checked_on",
                            json_object_get(row, "standing_checked_on"));
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
