/* filing_traces.c — the kept evaluations of recently saved filings (filing_traces.h). A slot's
 * trace is taken out while its filing is evaluated, so two saves of one filing at once never
 * share one; the newer trace is put back. */
#include "service/filing_traces.h"
#include "policy/rules.h"

#include <pthread.h>

struct trace_slot {
    int64_t id;
    struct policy_trace *trace;
};

static struct trace_slot slots[FILING_TRACES_SLOTS];
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;

static struct trace_slot *slot_of(int64_t id) { return &slots[(uint64_t)id % FILING_TRACES_SLOTS]; }

int filing_traces_check(int64_t filing_id, const struct pack *p, const json_t *doc, bool doc_given, day_t as_of,
                        const json_t *ctx, json_t **findings, json_t **derived, struct err *e)
{
    struct policy_trace *prev = NULL, *next = NULL;
    pthread_mutex_lock(&slots_mu);
    struct trace_slot *s = slot_of(filing_id);
    if (s->trace && s->id == filing_id) {
        prev = s->trace;
        s->trace = NULL;
    }
    pthread_mutex_unlock(&slots_mu);
    /* the trace keeps the document, which no caller may change afterwards */
    json_t *kept = doc_given ? json_incref((json_t *)doc) : json_deep_copy(doc);
    int rc = kept ? policy_check_traced(p, kept, as_of, ctx, prev, &next, findings, derived, e)
                  : policy_check(p, doc, as_of, ctx, findings, derived, e);
    json_decref(kept);
    policy_trace_free(prev);
    if (!next) return rc;
    pthread_mutex_lock(&slots_mu);
    struct policy_trace *old = s->trace;
    s->id = filing_id;
    s->trace = next;
    pthread_mutex_unlock(&slots_mu);
    policy_trace_free(old);
    return rc;
}

void filing_traces_clear(void)
{
    pthread_mutex_lock(&slots_mu);
    for (int i = 0; i < FILING_TRACES_SLOTS; i++) {
        policy_trace_free(slots[i].trace);
        slots[i] = (struct trace_slot){0, NULL};
    }
    pthread_mutex_unlock(&slots_mu);
}
