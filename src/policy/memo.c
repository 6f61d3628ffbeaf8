/* memo.c — the bounded memory of policy checks (memo.h): a direct-mapped table of
 * POLICY_MEMO_SLOTS results keyed by a BLAKE2b digest of every input of the check (a
 * cryptographic digest: a document crafted to collide with another's cannot take its findings). */
#include "policy/memo.h"
#include "policy/rules.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct memo_slot {
    bool used;
    unsigned char key[32];
    json_t *findings, *derived;
};

struct policy_memo {
    struct memo_slot slots[POLICY_MEMO_SLOTS];
    struct policy_memo_stats stats;
};

struct policy_memo *policy_memo_new(void)
{
    return calloc(1, sizeof(struct policy_memo));
}

void policy_memo_free(struct policy_memo *m)
{
    if (!m) return;
    for (int i = 0; i < POLICY_MEMO_SLOTS; i++) {
        json_decref(m->slots[i].findings);
        json_decref(m->slots[i].derived);
    }
    free(m);
}

struct policy_memo_stats policy_memo_stats(const struct policy_memo *m)
{
    return m ? m->stats : (struct policy_memo_stats){0, 0};
}

/* ---- the key ---------------------------------------------------------------------------- */

/* Small pieces are gathered before they reach the digest (its per-call cost dominates otherwise). */
struct keyer {
    crypto_generichash_state hash;
    unsigned char buf[4096];
    size_t n;
};

static void feed(struct keyer *k, const void *data, size_t len)
{
    if (k->n + len > sizeof k->buf) {
        crypto_generichash_update(&k->hash, k->buf, k->n);
        k->n = 0;
        if (len > sizeof k->buf) {
            crypto_generichash_update(&k->hash, data, len);
            return;
        }
    }
    memcpy(k->buf + k->n, data, len);
    k->n += len;
}

/* A type tag and a count (of bytes, members or entries): no two different trees feed the same
 * bytes. */
static void feed_head(struct keyer *k, char tag, size_t count)
{
    uint64_t n = count;
    feed(k, &tag, 1);
    feed(k, &n, sizeof n);
}

static void feed_tagged(struct keyer *k, char tag, const void *data, size_t len)
{
    feed_head(k, tag, len);
    if (len) feed(k, data, len);
}

static void feed_json(struct keyer *k, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        feed_head(k, '{', json_object_size(v));
        for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
            feed_tagged(k, 'k', json_object_iter_key(it), json_object_iter_key_len(it));
            feed_json(k, json_object_iter_value(it));
        }
        break;
    }
    case JSON_ARRAY:
        feed_head(k, '[', json_array_size(v));
        for (size_t i = 0; i < json_array_size(v); i++) feed_json(k, json_array_get(v, i));
        break;
    case JSON_STRING:
        feed_tagged(k, 's', json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER: {
        json_int_t n = json_integer_value(v);
        feed_tagged(k, 'i', &n, sizeof n);
        break;
    }
    case JSON_REAL: {
        double d = json_real_value(v);
        feed_tagged(k, 'r', &d, sizeof d);
        break;
    }
    case JSON_TRUE: feed_tagged(k, 't', NULL, 0); break;
    case JSON_FALSE: feed_tagged(k, 'f', NULL, 0); break;
    default: feed_tagged(k, 'n', NULL, 0); break;
    }
}

void policy_memo_digest(const json_t *v, unsigned char out[32])
{
    struct keyer k = {.n = 0};
    crypto_generichash_init(&k.hash, NULL, 0, 32);
    feed(&k, "tree:", 5);
    if (v) feed_json(&k, v); else feed_tagged(&k, '0', NULL, 0);
    crypto_generichash_update(&k.hash, k.buf, k.n);
    crypto_generichash_final(&k.hash, out, 32);
}

/* The key of a check: the pack (identity and address), the day, the document's digest, the
 * context. */
static void key_of(const struct pack *p, const unsigned char doc_digest[32], day_t as_of, const json_t *ctx,
                   unsigned char out[32])
{
    struct keyer k = {.n = 0};
    crypto_generichash_init(&k.hash, NULL, 0, 32);
    const void *addr = p;
    feed_tagged(&k, 'p', &addr, sizeof addr);
    feed_tagged(&k, 'p', p->id, strlen(p->id));
    feed_tagged(&k, 'v', p->version, strlen(p->version));
    feed_tagged(&k, 'd', &as_of, sizeof as_of);
    feed_tagged(&k, 'D', doc_digest, 32);
    if (ctx) feed_json(&k, ctx); else feed_tagged(&k, '0', NULL, 0);
    crypto_generichash_update(&k.hash, k.buf, k.n);
    crypto_generichash_final(&k.hash, out, 32);
}

/* ---- the check -------------------------------------------------------------------------- */

int policy_check_memo(struct policy_memo *m, const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                      json_t **findings, json_t **derived, struct err *e)
{
    if (!m) return policy_check(p, doc, as_of, ctx, findings, derived, e);
    unsigned char digest[32];
    policy_memo_digest(doc, digest);
    return policy_check_memo_digested(m, p, doc, digest, as_of, ctx, findings, derived, e);
}

int policy_check_memo_digested(struct policy_memo *m, const struct pack *p, const json_t *doc,
                               const unsigned char doc_digest[32], day_t as_of, const json_t *ctx,
                               json_t **findings, json_t **derived, struct err *e)
{
    if (!m) return policy_check(p, doc, as_of, ctx, findings, derived, e);
    unsigned char key[32];
    key_of(p, doc_digest, as_of, ctx, key);
    uint32_t h;
    memcpy(&h, key, sizeof h);
    struct memo_slot *slot = &m->slots[h % POLICY_MEMO_SLOTS];
    m->stats.checks++;
    if (slot->used && memcmp(slot->key, key, sizeof key) == 0) {
        /* the array is the caller's; the findings in it and derived are shared (memo.h) */
        *findings = json_copy(slot->findings);
        if (*findings) {
            *derived = json_incref(slot->derived);
            m->stats.hits++;
            return 0;
        }
    }
    if (policy_check(p, doc, as_of, ctx, findings, derived, e) != 0) return -1;
    json_t *f = json_copy(*findings);
    if (!f) return 0;   /* not remembered: the next check of it runs again */
    json_decref(slot->findings);
    json_decref(slot->derived);
    *slot = (struct memo_slot){.used = true, .findings = f, .derived = json_incref(*derived)};
    memcpy(slot->key, key, sizeof key);
    return 0;
}
