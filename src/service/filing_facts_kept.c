/* filing_facts_kept.c — what a check reads from the records, and its copy kept per filing
 * (filing_facts_kept.h). */
#include "service/filing_facts_kept.h"
#include "service/filing_facts.h"
#include "service/filings.h"
#include "service/providers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

void filing_records_read_with_facts(struct store_conn *c, const struct pack *p, const json_t *row, day_t today,
                                    json_t *facts, json_t *attached, struct filing_records *out)
{
    *out = (struct filing_records){.facts = facts, .attached = attached};
    out->overrides = jint(row, "id") ? filing_override_rules(c, jint(row, "id"), "accepted") : json_array();
    json_t *org = store_org_get(c, jint(row, "org_id"));
    json_t *sys = store_system_get(c, jint(row, "system_id"));
    if (json_is_string(json_object_get(org, "name"))) out->subject_name = json_incref(json_object_get(org, "name"));
    if (json_is_string(json_object_get(sys, "name"))) out->system_name = json_incref(json_object_get(sys, "name"));
    json_decref(org);
    json_decref(sys);
    int64_t provider = jint(row, "provider_org_id");
    out->provider = provider ? provider_findings(c, p, provider, jint(row, "org_id"), jint(row, "provider_evaluation_id"), today)
                             : json_array();
}

void filing_records_read(struct store_conn *c, const struct pack *p, const json_t *row, day_t today,
                         struct filing_records *out)
{
    json_t *attached = json_object();
    json_t *facts = filing_record_findings(c, p, row, attached);
    filing_records_read_with_facts(c, p, row, today, facts, attached, out);
}

void filing_records_free(struct filing_records *r)
{
    json_decref(r->facts);
    json_decref(r->attached);
    json_decref(r->overrides);
    json_decref(r->subject_name);
    json_decref(r->system_name);
    json_decref(r->provider);
    *r = (struct filing_records){0};
}

/* ---- kept per filing ---- */

struct key {
    int64_t id, org_id, system_id, provider_org_id, provider_evaluation_id, generation;
    day_t today;
    const struct pack *pack;
    unsigned char digest[32];
};

struct facts_slot {
    bool used;
    struct key key;
    struct filing_records kept;
};

static struct facts_slot slots[FILING_FACTS_SLOTS];
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;

static struct facts_slot *slot_of(int64_t id) { return &slots[(uint64_t)id % FILING_FACTS_SLOTS]; }

static bool same_key(const struct key *a, const struct key *b)
{
    return a->id == b->id && a->org_id == b->org_id && a->system_id == b->system_id &&
           a->provider_org_id == b->provider_org_id && a->provider_evaluation_id == b->provider_evaluation_id &&
           a->generation == b->generation && a->today == b->today && a->pack == b->pack &&
           memcmp(a->digest, b->digest, sizeof a->digest) == 0;
}

/* r's values themselves, one more reference each (read only, filing_facts_kept.h) */
static void share(const struct filing_records *r, struct filing_records *out)
{
    out->facts = json_incref(r->facts);
    out->attached = json_incref(r->attached);
    out->overrides = json_incref(r->overrides);
    out->subject_name = json_incref(r->subject_name);
    out->system_name = json_incref(r->system_name);
    out->provider = json_incref(r->provider);
}

void filing_records_kept(struct store_conn *c, const struct pack *p, const json_t *row, day_t today,
                         struct filing_records *out)
{
    struct key key = {jint(row, "id"), jint(row, "org_id"), jint(row, "system_id"), jint(row, "provider_org_id"),
                      jint(row, "provider_evaluation_id"), 0, today, p, {0}};
    int64_t after = 0;
    struct facts_inputs *in = key.id ? filing_facts_inputs(p, json_object_get(row, "document")) : NULL;
    if (!in || !store_records_generation(c, &key.generation)) {
        filing_facts_inputs_free(in);
        filing_records_read(c, p, row, today, out);
        return;
    }
    filing_facts_inputs_digest(in, key.digest);
    bool found = false;
    pthread_mutex_lock(&slots_mu);
    struct facts_slot *s = slot_of(key.id);
    if (s->used && same_key(&s->key, &key)) {
        share(&s->kept, out);
        found = true;
    }
    pthread_mutex_unlock(&slots_mu);
    if (found) {
        filing_facts_inputs_free(in);
        return;
    }
    json_t *attached = json_object();
    json_t *facts = filing_facts_check(c, key.org_id, in, attached);
    filing_facts_inputs_free(in);
    filing_records_read_with_facts(c, p, row, today, facts, attached, out);
    /* kept only when nothing moved while the records were read (each read may see a later commit) */
    struct filing_records kept = {0};   /* the slot's references to what out holds */
    share(out, &kept);
    if (kept.facts && kept.attached && kept.overrides && kept.provider && store_records_generation(c, &after) &&
        after == key.generation) {
        pthread_mutex_lock(&slots_mu);
        struct filing_records old = s->used ? s->kept : (struct filing_records){0};
        *s = (struct facts_slot){true, key, kept};
        pthread_mutex_unlock(&slots_mu);
        filing_records_free(&old);
    } else {
        filing_records_free(&kept);
    }
}

void filing_facts_kept_clear(void)
{
    pthread_mutex_lock(&slots_mu);
    for (int i = 0; i < FILING_FACTS_SLOTS; i++) {
        filing_records_free(&slots[i].kept);
        slots[i].used = false;
    }
    pthread_mutex_unlock(&slots_mu);
}
