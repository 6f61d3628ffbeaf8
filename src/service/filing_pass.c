/* filing_pass.c — what a worker of a pass over many filed records keeps (filing_pass.h). */
#include "service/filing_pass.h"
#include "core/doc_cache.h"
#include "policy/memo.h"
#include "service/filing_facts.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct facts_slot {
    bool used;
    unsigned char key[32];
    json_t *findings, *attached;
};

struct filing_pass {
    struct doc_cache *docs;
    struct policy_memo *checks;
    struct facts_slot facts[FILING_PASS_FACTS];
};

struct filing_pass *filing_pass_new(void)
{
    struct filing_pass *fp = calloc(1, sizeof *fp);
    if (!fp) return NULL;
    fp->docs = doc_cache_new();
    fp->checks = policy_memo_new();
    if (!fp->docs || !fp->checks) {
        filing_pass_free(fp);
        return NULL;
    }
    return fp;
}

void filing_pass_free(struct filing_pass *fp)
{
    if (!fp) return;
    doc_cache_free(fp->docs);
    policy_memo_free(fp->checks);
    for (int i = 0; i < FILING_PASS_FACTS; i++) {
        json_decref(fp->facts[i].findings);
        json_decref(fp->facts[i].attached);
    }
    free(fp);
}

struct doc_cache *filing_pass_docs(struct filing_pass *fp) { return fp->docs; }
struct policy_memo *filing_pass_checks(struct filing_pass *fp) { return fp->checks; }

/* members of from added to attached ({kind: [id…]}), as filing_record_findings adds them */
static void attach_all(json_t *attached, const json_t *from)
{
    const char *kind;
    json_t *ids;
    if (!attached) return;
    json_object_foreach((json_t *)from, kind, ids) {
        json_t *list = json_object_get(attached, kind);
        if (!list) json_object_set_new(attached, kind, list = json_array());
        size_t i, k;
        json_t *id, *x;
        json_array_foreach(ids, i, id) {
            bool known = false;
            json_array_foreach(list, k, x) known |= json_integer_value(x) == json_integer_value(id);
            if (!known) json_array_append(list, id);
        }
    }
}

void filing_pass_doc_digest(struct filing_pass *fp, const json_t *doc, unsigned char out[32])
{
    if (!doc_cache_digest(fp->docs, doc, out)) policy_memo_digest(doc, out);
}

json_t *filing_pass_record_findings(struct filing_pass *fp, struct store_conn *c, const struct pack *p,
                                    const json_t *row, const unsigned char doc_digest[32], json_t *attached)
{
    /* the key: the pack, the organisation and the document */
    unsigned char key[32];
    int64_t org_id = json_integer_value(json_object_get(row, "org_id"));
    const void *pack_addr = p;
    unsigned char head[sizeof pack_addr + sizeof org_id];
    memcpy(head, &pack_addr, sizeof pack_addr);
    memcpy(head + sizeof pack_addr, &org_id, sizeof org_id);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof key);
    crypto_generichash_update(&st, head, sizeof head);
    crypto_generichash_update(&st, doc_digest, 32);
    crypto_generichash_final(&st, key, sizeof key);
    uint32_t h;
    memcpy(&h, key, sizeof h);
    struct facts_slot *slot = &fp->facts[h % FILING_PASS_FACTS];
    if (slot->used && memcmp(slot->key, key, sizeof key) == 0) {
        attach_all(attached, slot->attached);
        return json_copy(slot->findings);   /* the findings in it shared: read only (filing_pass.h) */
    }
    json_t *mine = json_object();
    json_t *findings = filing_record_findings(c, p, row, mine);
    json_t *copy = json_copy(findings);
    if (copy && mine) {
        json_decref(slot->findings);
        json_decref(slot->attached);
        *slot = (struct facts_slot){.used = true, .findings = copy, .attached = json_incref(mine)};
        memcpy(slot->key, key, sizeof key);
    } else {
        json_decref(copy);
    }
    attach_all(attached, mine);
    json_decref(mine);
    return findings;
}
