/* filing_facts_kept.c — the records' findings kept per filing (filing_facts_kept.h). */
#include "service/filing_facts_kept.h"
#include "service/filing_facts.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct facts_slot {
    int64_t id, org_id, generation;
    const struct pack *pack;
    unsigned char digest[32];
    json_t *findings, *attached;   /* NULL: empty slot */
};

static struct facts_slot slots[FILING_FACTS_SLOTS];
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;

static struct facts_slot *slot_of(int64_t id) { return &slots[(uint64_t)id % FILING_FACTS_SLOTS]; }

static void slot_empty(struct facts_slot *s)
{
    json_decref(s->findings);
    json_decref(s->attached);
    *s = (struct facts_slot){0};
}

json_t *filing_record_findings_kept(struct store_conn *c, const struct pack *p, const json_t *row, json_t *attached)
{
    int64_t id = json_integer_value(json_object_get(row, "id"));
    int64_t org_id = json_integer_value(json_object_get(row, "org_id"));
    int64_t before = 0, after = 0;
    struct facts_inputs *in = id ? filing_facts_inputs(p, json_object_get(row, "document")) : NULL;
    if (!in || !store_records_generation(c, &before)) {
        filing_facts_inputs_free(in);
        return filing_record_findings(c, p, row, attached);
    }
    unsigned char digest[32];
    filing_facts_inputs_digest(in, digest);
    json_t *findings = NULL;
    pthread_mutex_lock(&slots_mu);
    struct facts_slot *s = slot_of(id);
    if (s->findings && s->id == id && s->org_id == org_id && s->pack == p && s->generation == before &&
        memcmp(s->digest, digest, sizeof digest) == 0) {
        findings = json_copy(s->findings);   /* the finding objects shared: read only */
        filing_attach_all(attached, s->attached);
    }
    pthread_mutex_unlock(&slots_mu);
    if (findings) {
        filing_facts_inputs_free(in);
        return findings;
    }
    json_t *mine = json_object();
    findings = filing_facts_check(c, org_id, in, mine);
    filing_facts_inputs_free(in);
    /* kept only when nothing moved while the records were read (each read may see a later commit) */
    json_t *copy = json_copy(findings);
    if (copy && mine && store_records_generation(c, &after) && after == before) {
        pthread_mutex_lock(&slots_mu);
        slot_empty(s);
        *s = (struct facts_slot){id, org_id, before, p, {0}, copy, json_incref(mine)};
        memcpy(s->digest, digest, sizeof digest);
        pthread_mutex_unlock(&slots_mu);
    } else {
        json_decref(copy);
    }
    filing_attach_all(attached, mine);
    json_decref(mine);
    return findings;
}

void filing_facts_kept_clear(void)
{
    pthread_mutex_lock(&slots_mu);
    for (int i = 0; i < FILING_FACTS_SLOTS; i++) slot_empty(&slots[i]);
    pthread_mutex_unlock(&slots_mu);
}
