/* memo.h — a bounded memory of policy checks for passes over many records (the daily standing
 * check, the impact of a pack version): policy_check is a pure function of (pack, document, as-of
 * day, context) (rules.h), so a check whose inputs were all seen before in the same pass returns
 * the findings and derived values of that earlier check instead of running the schema checks and
 * the Lua rules again. Records that share a document (a system filed the same way by one
 * enterprise, a record whose filed version did not change) then cost a digest of their inputs.
 *
 * The key is a BLAKE2b digest (libsodium, 256 bits) of the pack (its identity and address), the day, whether the shape is
 * checked, and the document and context walked member by member (no serialisation). Equal trees
 * whose members were inserted in another order only miss, never hit wrongly. A memo belongs to
 * one thread and one pass: the pack must not change while it is in use (policy_memo_free at the
 * end of the pass). Memory: at most POLICY_MEMO_SLOTS results. */
#ifndef BEIAN_POLICY_MEMO_H
#define BEIAN_POLICY_MEMO_H

#include <jansson.h>
#include "core/date.h"
#include "core/err.h"
#include "policy/pack.h"

enum { POLICY_MEMO_SLOTS = 256 };

struct policy_memo;

struct policy_memo *policy_memo_new(void);
void policy_memo_free(struct policy_memo *m);

/* policy_check (rules.h) through the memo m (NULL: no memo); the same results. The findings array
 * is the caller's own (it may add and remove members), but the findings in it and derived are
 * shared with the memo and with every other caller given the same answer: read them, never change
 * them (copy first). Sharing instead of deep copies: a pass over a million records that share a
 * few documents spent a fifth of its time copying and freeing the same findings. */
int policy_check_memo(struct policy_memo *m, const struct pack *p, const json_t *doc, day_t as_of, const json_t *ctx,
                      json_t **findings, json_t **derived, struct err *e);

/* The same with the document's digest given (doc_digest: a digest that differs whenever the
 * document differs, e.g. policy_memo_digest's or doc_cache_digest's), so that a caller keying
 * other caches by the document walks it once. */
int policy_check_memo_digested(struct policy_memo *m, const struct pack *p, const json_t *doc,
                               const unsigned char doc_digest[32], day_t as_of, const json_t *ctx,
                               json_t **findings, json_t **derived, struct err *e);

/* The digest of one JSON value (NULL allowed), walked member by member: BLAKE2b of "tree:" and the
 * typed, length-prefixed members. */
void policy_memo_digest(const json_t *v, unsigned char out[32]);

/* Checks answered from the memo, and all checks asked of it (for the benchmarks' reports). */
struct policy_memo_stats { long long hits, checks; };
struct policy_memo_stats policy_memo_stats(const struct policy_memo *m);

#endif
