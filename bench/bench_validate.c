/* bench_validate.c — how fast the default pack validates its reference filing, on one thread,
 * against raw parsing of the same JSON bytes in the same run.
 *
 *   bench_validate [PACK_DIR] [SECONDS]     (default: $BEIAN_POLICY_DIR or the built-in policy
 *                                            dir + /cn-cloud, 2 seconds per measurement)
 *
 * Measures, each for SECONDS after a warm-up:
 *   parse      json_loads of the reference bytes (the yardstick);
 *   read       json_read of the same bytes: the server's reader (core/json_read.h), the same tree;
 *   evaluate   policy_evaluate on the parsed document: the Lua rules and classification
 *              (what the "≥ 20,000 validations per second per core" aims at), offline
 *              (no ctx: six MAT-002 reminders are found);
 *   server     the same with ctx.materials listing every required kind, as the server will pass
 *              the filing's attachments (no findings);
 *   validate   json_read + policy_check (schema shape and completeness + rules): what
 *              `beian validate` and a document's first save cost in all;
 *   save       json_read + policy_check_traced after the trace of the document's last version,
 *              which differed in one field (/system/user_scale, alternating): a save of a filing
 *              the server evaluated before (rules/filing_traces.h), only the rules whose reads
 *              changed run.
 * Prints one line per measurement and the ratios to parsing.
 *
 * For instruction counts (repeatable on a loaded machine, unlike the clock):
 *   BENCH_COUNT=1000 valgrind --tool=callgrind --toggle-collect=once build/bench_validate
 * runs each measurement exactly BENCH_COUNT times after a short warm-up, and BENCH_ONLY=validate
 * (or parse, read, evaluate, server) runs only that one; divide the instructions by BENCH_COUNT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "config.h"
#include "core/date.h"
#include "core/json_read.h"
#include "policy/pack.h"
#include "policy/rules.h"

static long save_ran, save_reused;   /* rules run and reused by the saves */

enum what { PARSE, READ, EVALUATE, SERVER, VALIDATE, SAVE };

struct run {
    const struct pack *p;
    const char *bytes;
    size_t len;
    const json_t *doc;
    const json_t *ctx; /* every required material attached */
    day_t as_of;
};

/* One operation; returns 0 ok. */
static int once(const struct run *r, enum what w)
{
    json_t *findings = NULL, *derived = NULL, *doc = NULL;
    struct err e = {0};
    int rc = 0;
    switch (w) {
    case PARSE:
        doc = json_loadb(r->bytes, r->len, 0, NULL);
        rc = doc ? 0 : -1;
        break;
    case EVALUATE:
        rc = policy_evaluate(r->p, r->doc, r->as_of, NULL, &findings, &derived, &e);
        break;
    case SERVER:
        rc = policy_evaluate(r->p, r->doc, r->as_of, r->ctx, &findings, &derived, &e);
        break;
    case READ:
        doc = json_read(r->bytes, r->len, 0, NULL);
        rc = doc ? 0 : -1;
        break;
    case VALIDATE:
        doc = json_read(r->bytes, r->len, 0, NULL);
        rc = doc ? policy_check(r->p, doc, r->as_of, NULL, &findings, &derived, &e) : -1;
        break;
    case SAVE: {
        static struct policy_trace *last;
        static long saves;
        doc = json_read(r->bytes, r->len, 0, NULL);
        if (!doc) return -1;
        if (saves++ % 2)
            json_object_set_new(json_object_get(doc, "system"), "user_scale", json_integer(600000));
        struct policy_trace *next = NULL;
        rc = policy_check_traced(r->p, doc, r->as_of, r->ctx, last, &next, &findings, &derived, &e);
        save_ran += policy_trace_stats(next).ran;
        save_reused += policy_trace_stats(next).reused;
        policy_trace_free(last);
        last = next;
        break;
    }
    }
    json_decref(doc);
    json_decref(findings);
    json_decref(derived);
    err_clear(&e);
    return rc;
}

/* Operations per second over `seconds`, after a short warm-up. */
static double measure(const struct run *r, enum what w, double seconds)
{
    static const char *const NAMES[] = {"parse", "read", "evaluate", "server", "validate", "save"};
    const char *only = getenv("BENCH_ONLY"), *count_env = getenv("BENCH_COUNT");
    if (only && *only && strcmp(only, NAMES[w]) != 0)
        return 0;
    long fixed = count_env ? atol(count_env) : 0;
    for (int i = 0; i < (fixed ? 20 : 200); i++)
        if (once(r, w) != 0)
            return -1;
    if (fixed > 0) {
        double start = bench_now();
        for (long i = 0; i < fixed; i++)
            once(r, w);
        return (double)fixed / (bench_now() - start);
    }
    long count = 0;
    double start = bench_now(), elapsed;
    do {
        for (int i = 0; i < 100; i++)
            once(r, w);
        count += 100;
        elapsed = bench_now() - start;
    } while (elapsed < seconds);
    return (double)count / elapsed;
}

int main(int argc, char **argv)
{
    char pack_dir[4200];
    struct pack *p;
    double seconds;
    if (bench_open_pack("bench_validate", argc, argv, pack_dir, sizeof pack_dir, &p, &seconds) != 0)
        return 1;
    struct err e = {0};
    char path[4400];
    snprintf(path, sizeof path, "%s/fixtures/reference.json", pack_dir);
    size_t len = 0;
    char *bytes = bench_read_file(path, &len);
    json_t *doc = bytes ? json_loadb(bytes, len, 0, NULL) : NULL;
    if (!doc) {
        fprintf(stderr, "bench_validate: cannot read %s\n", path);
        return 1;
    }
    json_t *ctx = json_pack("{s:{s:[i], s:[i], s:[i], s:[i], s:[i], s:[i]}}", "materials", "business_licence", 31,
                            "grading_report", 32, "expert_review_opinion", 33, "risk_assessment_report", 34,
                            "vuln_scan_report", 35, "cross_border_document", 36);
    struct run r = {p, bytes, len, doc, ctx, date_from_ymd(2026, 3, 1)};

    json_t *findings, *derived;
    policy_evaluate(p, doc, r.as_of, NULL, &findings, &derived, &e);
    printf("reference filing: %zu bytes, %zu rules, %zu findings from the rules\n", len,
           json_array_size(policy_rules(p)), json_array_size(findings));
    json_decref(findings);
    json_decref(derived);

    double parse = measure(&r, PARSE, seconds);
    double read = measure(&r, READ, seconds);
    double evaluate = measure(&r, EVALUATE, seconds);
    double server = measure(&r, SERVER, seconds);
    double validate = measure(&r, VALIDATE, seconds);
    double save = measure(&r, SAVE, seconds);
    printf("parse     %10.0f /s  %7.2f us  (json_loads of the same bytes)\n", parse, 1e6 / parse);
    printf("read      %10.0f /s  %7.2f us  (json_read: the server's reader, the same tree)  %.2fx parse time\n", read,
           1e6 / read, parse / read);
    printf("evaluate  %10.0f /s  %7.2f us  (rules + classification, document already parsed)  %.1fx parse time\n",
           evaluate, 1e6 / evaluate, parse / evaluate);
    printf("server    %10.0f /s  %7.2f us  (the same with the attachments known: no findings)  %.1fx parse time\n",
           server, 1e6 / server, parse / server);
    printf("validate  %10.0f /s  %7.2f us  (parse + schema checks + rules + classification)  %.1fx parse time\n",
           validate, 1e6 / validate, parse / validate);
    printf("save      %10.0f /s  %7.2f us  (parse + schema checks + the rules whose reads changed)  %.1fx parse time\n",
           save, 1e6 / save, parse / save);
    if (save_ran + save_reused)
        printf("          %.1f of %ld rules run per save\n", (double)save_ran / (double)(save_ran + save_reused) *
               (double)json_array_size(policy_rules(p)), (long)json_array_size(policy_rules(p)));

    json_decref(ctx);
    json_decref(doc);
    free(bytes);
    pack_free(p);
    policy_thread_cleanup();
    return 0;
}
