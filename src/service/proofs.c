/* proofs.c — signed certificates, receipts and the verifiable audit log (see proofs.h).
 *
 * Statements are issued inside the transaction of the step they attest, right after its audit
 * entry: the checkpoint they carry is the log up to and including that entry, so the proof is
 * complete the moment the step commits and rolls back with it. The tree is cached (log_facts):
 * each entry is read and hashed once, a root or proof then costs O(log² n) hashes.
 *
 * Who signs: a filing's certificate and receipts are signed by the key of its authority; a
 * receipt for a step before any authority is assigned (none today: submission assigns it) by
 * the platform key, which also signs the log's checkpoints. */
#include "service/proofs.h"
#include "service/app_internal.h"
#include "service/auth.h"
#include "service/audit.h"
#include "service/filings.h"
#include "store/keys.h"
#include "store/store.h"
#include "core/date.h"
#include "core/merkle.h"
#include "core/note.h"
#include "core/sign.h"
#include "core/statement.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* ------------------------------------------------------------------------- the log's tree */

/* The log's tree, cached: entries never change, so a cache of the first n entries stays valid as
 * long as the store still has entry n with the hash cached for it — the hash chain makes the last
 * hash vouch for every one before it. That also catches entries the writer saw inside a
 * transaction that was then rolled back (their ids come back with other hashes). Only entries
 * past the cache are read from the store, and the tree keeps its complete subtrees (core/merkle.h),
 * so a root or proof costs O(log² n) hashes. */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static struct { int64_t n; struct merkle_tree tree; } lc;

/* Leaf hashes of entries [first, first + n) as c sees them (the tree reads a block again). */
static int read_leaves(void *arg, size_t first, size_t n, merkle_hash *out)
{
    struct err quiet = {0};
    uint8_t *h = store_audit_hashes(arg, (int64_t)first, (int64_t)(first + n), &quiet);
    err_clear(&quiet);
    if (!h) return -1;
    for (size_t i = 0; i < n; i++) merkle_leaf_hash(h + i * 32, 32, out[i]);
    free(h);
    return 0;
}

/* Entry n-1 of the store is the one cached: its leaf hash (SHA-256 over the entry's hash) is the
 * tree's, so the entries' own hashes need not be kept too. */
static bool cache_holds(struct store_conn *c, int64_t n)
{
    if (n == 0) return true;
    if (n > lc.n) return false;
    struct err quiet = {0};
    uint8_t *h = store_audit_hashes(c, n - 1, n, &quiet);
    merkle_hash leaf, kept;
    if (h) merkle_leaf_hash(h, 32, leaf);
    bool ok = h && merkle_tree_leaf(&lc.tree, (size_t)(n - 1), kept) == 0 && memcmp(leaf, kept, MERKLE_HASH_LEN) == 0;
    free(h);
    err_clear(&quiet);
    return ok;
}

static void cache_reset(void)   /* keeps how the tree reads leaves again */
{
    struct merkle_tree empty = {.leaves = lc.tree.leaves, .leaves_arg = lc.tree.leaves_arg};
    merkle_tree_free(&lc.tree);
    lc.tree = empty;
    lc.n = 0;
}

/* The cache covers the first size entries of c's view of the log (log_mu held). The entries past
 * it are read a block at a time, so a server's first checkpoint does not hold the whole log's
 * hashes at once. */
static int cache_upto(struct store_conn *c, int64_t size, struct err *e)
{
    lc.tree.leaves = read_leaves;
    lc.tree.leaves_arg = c;
    if (!cache_holds(c, lc.n < size ? lc.n : size)) cache_reset();   /* another history: start again */
    enum { CHUNK = 4096 };
    merkle_hash *leaves = lc.n < size ? malloc(CHUNK * sizeof *leaves) : NULL;
    if (lc.n < size && !leaves) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    while (lc.n < size) {
        int64_t upto = size - lc.n > CHUNK ? lc.n + CHUNK : size;
        if (read_leaves(c, (size_t)lc.n, (size_t)(upto - lc.n), leaves) != 0) {
            free(leaves);
            return err_set(e, ERR_INTERNAL, NULL, "the audit log could not be read", "无法读取审计日志");
        }
        for (int64_t i = lc.n; i < upto; i++)
            if (merkle_tree_append(&lc.tree, leaves[i - lc.n]) != 0) {
                free(leaves);
                cache_reset();
                return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
            }
        lc.n = upto;
    }
    free(leaves);
    return 0;
}

/* What a proof needs of the log of size entries. */
struct log_facts {
    merkle_hash root, proof[MERKLE_MAX_PROOF];
    size_t plen;
    char entry_hex[65];   /* of the entry of an inclusion proof */
};
enum log_want { LOG_ROOT, LOG_INCLUSION, LOG_CONSISTENCY };

/* The root of the first size entries and, as asked, the inclusion proof of entry arg or the
 * consistency proof from size arg. */
static int log_facts(struct store_conn *c, int64_t size, enum log_want want, int64_t arg, struct log_facts *f,
                     struct err *e)
{
    pthread_mutex_lock(&log_mu);
    int rc = cache_upto(c, size, e);
    if (rc == 0) {
        f->plen = 0;
        rc = merkle_tree_root(&lc.tree, (size_t)size, f->root);
        if (rc == 0 && want == LOG_INCLUSION) {
            rc = merkle_tree_inclusion_proof(&lc.tree, (size_t)size, (size_t)arg, f->proof, &f->plen);
            uint8_t *h = rc == 0 ? store_audit_hashes(c, arg, arg + 1, e) : NULL;   /* the entry's own hash */
            if (h) sign_hex(h, 32, f->entry_hex);
            else rc = -1;
            free(h);
        } else if (rc == 0 && want == LOG_CONSISTENCY) {
            rc = merkle_tree_consistency_proof(&lc.tree, (size_t)arg, (size_t)size, f->proof, &f->plen);
        }
        if (rc != 0 && !e->code) err_set(e, ERR_INTERNAL, NULL, "the audit log could not be read again for a proof",
                                         "无法为证明重新读取审计日志");
        if (rc != 0) cache_reset();   /* a block that no longer gives its root: start again next time */
    }
    pthread_mutex_unlock(&log_mu);
    return rc;
}

static json_t *hashes_json(const merkle_hash *h, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        char *b = sign_b64(h[i], MERKLE_HASH_LEN);
        json_array_append_new(arr, json_string(b ? b : ""));
        free(b);
    }
    return arr;
}

/* The signed checkpoint of the tree (size, root). */
static char *checkpoint_note(struct app *a, int64_t size, const merkle_hash root, struct err *e)
{
    char origin[128];
    struct key_pair k;
    if (keys_log_origin(a->store, origin, sizeof origin, e) != 0) return NULL;
    if (keys_current(a->store, "platform", true, &k, e) != 0) return NULL;
    char *body = note_checkpoint_body(origin, (uint64_t)size, root);
    char *note = body ? note_sign(body, origin, k.sk) : NULL;
    keys_wipe(&k);
    free(body);
    if (!note) err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    return note;
}

/* {index, entry_hash, tree_size, inclusion_proof, checkpoint} of the newest entry. */
static json_t *audit_block(struct store_conn *c, struct app *a, struct err *e)
{
    json_t *last = store_audit_last(c);
    if (!last) { err_set(e, ERR_INTERNAL, NULL, "the audit log is empty", "审计日志为空"); return NULL; }
    int64_t size = jint(last, "id");
    struct log_facts f;
    if (log_facts(c, size, LOG_INCLUSION, size - 1, &f, e) != 0) { json_decref(last); return NULL; }
    char *note = checkpoint_note(a, size, f.root, e);
    json_t *out = note ? json_pack("{s:I s:s s:I s:o s:s}", "index", (json_int_t)(size - 1), "entry_hash",
                                   jstr(last, "hash"), "tree_size", (json_int_t)size, "inclusion_proof",
                                   hashes_json(f.proof, f.plen), "checkpoint", note)
                       : NULL;
    free(note);
    json_decref(last);
    return out;
}

/* ------------------------------------------------------------------------- signing */

static void now_text(char *buf) { time_format_rfc3339(time(NULL), buf); }

/* The signer of a filing's statements: its authority, else the platform. */
static int signer_of(struct store_conn *c, struct app *a, int64_t authority_id, struct key_pair *k, json_t **signer,
                     struct err *e)
{
    json_t *org = authority_id ? store_org_get(c, authority_id) : NULL;
    char owner[32];
    if (org) snprintf(owner, sizeof owner, "%lld", (long long)authority_id);
    else snprintf(owner, sizeof owner, "platform");
    if (keys_current(a->store, owner, true, k, e) != 0) { json_decref(org); return -1; }
    *signer = org ? json_pack("{s:s s:I s:s}", "kind", "authority", "org_id", (json_int_t)authority_id, "name",
                              jstr(org, "name"))
                  : json_pack("{s:s}", "kind", "platform");
    json_decref(org);
    return 0;
}

/* Sign statement (stolen) and keep the envelope. */
static int issue(struct store_conn *c, struct app *a, int64_t filing_id, int64_t authority_id, const char *kind,
                 const char *action, json_t *statement, struct err *e)
{
    struct key_pair k;
    json_t *signer = NULL;
    if (signer_of(c, a, authority_id, &k, &signer, e) != 0) { json_decref(statement); return -1; }
    json_t *audit = audit_block(c, a, e);
    if (!audit) { keys_wipe(&k); json_decref(signer); json_decref(statement); return -1; }
    int64_t seq = store_statement_next_seq(c, filing_id, kind);
    char now[32];
    now_text(now);
    json_object_set_new(statement, "seq", json_integer(seq));
    json_object_set_new(statement, "issued_at", json_string(now));
    json_object_set_new(statement, "signer", signer);
    json_object_set_new(statement, "key_id", json_string(k.id));
    json_object_set_new(statement, "audit", audit);
    char *sig = NULL;
    int rc = sign_json(k.sk, statement, &sig);
    keys_wipe(&k);
    if (rc != 0) { json_decref(statement); return err_set(e, ERR_INTERNAL, NULL, "cannot sign", "无法签名"); }
    json_t *env = json_pack("{s:o s:{s:s s:s s:s}}", "statement", statement, "signature", "alg", "Ed25519", "key_id",
                            jstr(statement, "key_id"), "value", sig);
    free(sig);
    char *text = json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(env);
    if (!text) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    rc = store_statement_insert(c, filing_id, kind, seq, action, text, e);
    free(text);
    return rc;
}

/* The frozen version n of a filing: its document hash and pinned materials. */
static void version_facts(struct store_conn *c, int64_t filing_id, int n, json_t *st)
{
    json_t *v = n > 0 ? store_version_get(c, filing_id, n) : NULL;
    json_object_set_new(st, "version", json_integer(n));
    json_object_set_new(st, "document_sha256", v && jstr(v, "sha256") ? json_string(jstr(v, "sha256")) : json_null());
    json_decref(v);
    json_t *pins = n > 0 ? store_material_pins(c, filing_id, n) : json_array();
    json_object_set_new(st, "materials", pins ? pins : json_array());
}

static int receipt(struct store_conn *c, struct app *a, const struct principal *who, const char *action,
                   const json_t *row, struct err *e)
{
    json_t *org = store_org_get(c, who->org_id);
    json_t *st = json_pack("{s:s s:I s:s s:s s:o s:{s:I s:s s:I s:s}}", "type", "beian.receipt/1", "filing_id",
                           (json_int_t)jint(row, "id"), "action", action, "state", jstr(row, "state"), "number",
                           jstr(row, "number") ? json_string(jstr(row, "number")) : json_null(), "by", "user_id",
                           (json_int_t)who->user_id, "login", who->login, "org_id", (json_int_t)who->org_id,
                           "org_name", org && jstr(org, "name") ? jstr(org, "name") : "");
    json_decref(org);
    if (!st) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    json_object_set_new(st, "filing_kind", json_string(jstr(row, "kind") ? jstr(row, "kind") : "initial"));
    version_facts(c, jint(row, "id"), (int)jint(row, "current_version"), st);
    return issue(c, a, jint(row, "id"), jint(row, "authority_org_id"), "receipt", action, st, e);
}

/* The certificate of the record row (an initial filing) as it stands now. */
static int certificate(struct store_conn *c, struct app *a, const char *action, const json_t *row, struct err *e)
{
    json_t *org = store_org_get(c, jint(row, "org_id"));
    json_t *sys = store_system_get(c, jint(row, "system_id"));
    json_t *st = json_pack("{s:s s:I s:O? s:{s:s s:s} s:{s:I s:s} s:O? s:O? s:s s:O? s:O? s:s}", "type",
                           "beian.certificate/1", "filing_id", (json_int_t)jint(row, "id"), "number",
                           json_object_get(row, "number"), "subject", "name", org ? jstr(org, "name") : "", "uscc",
                           org ? jstr(org, "uscc") : "", "system", "id", (json_int_t)jint(row, "system_id"), "name",
                           sys ? jstr(sys, "name") : "", "filing_type", json_object_get(row, "type"),
                           "protection_level", json_object_get(row, "level"), "state", jstr(row, "state"), "filed_at",
                           json_object_get(row, "filed_at"), "decided_at", json_object_get(row, "decided_at"), "event",
                           action);
    json_decref(org);
    json_decref(sys);
    if (!st) return err_set(e, ERR_INTERNAL, NULL, "the record lacks what its certificate states", "备案记录缺少证明所需信息");
    int n = (int)jint(row, "record_version");
    json_t *v = n > 0 ? store_version_get(c, jint(row, "id"), n) : NULL;
    json_object_set_new(st, "record_version", json_integer(n));
    json_object_set_new(st, "document_sha256", v && jstr(v, "sha256") ? json_string(jstr(v, "sha256")) : json_null());
    json_decref(v);
    return issue(c, a, jint(row, "id"), jint(row, "authority_org_id"), "certificate", action, st, e);
}

int proofs_after_action(struct store_conn *c, struct app *a, const struct principal *who, const char *action,
                        const json_t *row, struct err *e)
{
    if (strcmp(action, "approve") == 0 || strcmp(action, "cancel") == 0 || strcmp(action, "revoke") == 0) {
        bool change = jstr(row, "kind") && strcmp(jstr(row, "kind"), "change") == 0;
        if (change && strcmp(action, "approve") == 0) {   /* the record moved to the change's version */
            json_t *parent = store_filing_get(c, jint(row, "parent_id"));
            int rc = parent ? certificate(c, a, "change_approved", parent, e)
                            : err_set(e, ERR_INTERNAL, NULL, "the changed record is missing", "被变更的备案记录缺失");
            json_decref(parent);
            if (rc != 0) return -1;
        } else if (!change) {
            if (certificate(c, a, action, row, e) != 0) return -1;
        }
    }
    return receipt(c, a, who, action, row, e);
}

int proofs_after_answer(struct store_conn *c, struct app *a, const struct principal *who, const json_t *row,
                        struct err *e)
{
    return receipt(c, a, who, "rectification_answer", row, e);
}

int proofs_ensure_key(struct app *a, int64_t org_id, struct err *e)
{
    char owner[32];
    snprintf(owner, sizeof owner, "%lld", (long long)org_id);
    struct key_pair k;
    if (keys_current(a->store, owner, true, &k, e) != 0) return -1;
    keys_wipe(&k);
    return 0;
}

/* ------------------------------------------------------------------------- published */

json_t *proofs_keys(struct app *a, struct err *e)
{
    char origin[128];
    struct key_pair k;
    if (keys_log_origin(a->store, origin, sizeof origin, e) != 0) return NULL;
    if (keys_current(a->store, "platform", true, &k, e) != 0) return NULL;
    char *vkey = note_vkey(origin, k.pk);
    json_t *log = json_pack("{s:s s:s s:s}", "origin", origin, "key_id", k.id, "vkey", vkey ? vkey : "");
    free(vkey);
    keys_wipe(&k);
    json_t *list = keys_public_list(a->store);
    struct store_conn *c = store_reader(a->store);
    size_t i;
    json_t *key;
    json_array_foreach(list, i, key) {
        const char *owner = jstr(key, "owner");
        if (!owner || strcmp(owner, "platform") == 0) continue;
        int64_t id = strtoll(owner, NULL, 10);
        json_t *org = store_org_get(c, id);
        json_object_set_new(key, "org_id", json_integer(id));
        if (org) json_object_set_new(key, "name", json_string(jstr(org, "name")));
        json_decref(org);
    }
    return json_pack("{s:s s:o s:o}", "format", "beian-keys/1", "log", log, "keys", list);
}

static pthread_mutex_t cp_mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t cp_size = -1;
static char *cp_note;
static char cp_dir[4096];

char *proofs_checkpoint(struct app *a, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    int64_t size = store_audit_size(c);
    if (size < 0) { err_set(e, ERR_BUSY, NULL, "the store is unavailable", "存储不可用"); return NULL; }
    pthread_mutex_lock(&cp_mu);
    if (size != cp_size || strcmp(cp_dir, a->data_dir) != 0) {
        struct log_facts f;
        char *note = log_facts(c, size, LOG_ROOT, 0, &f, e) == 0 ? checkpoint_note(a, size, f.root, e) : NULL;
        if (!note) { pthread_mutex_unlock(&cp_mu); return NULL; }
        free(cp_note);
        cp_note = note;
        cp_size = size;
        snprintf(cp_dir, sizeof cp_dir, "%s", a->data_dir);
    }
    char *out = strdup(cp_note);
    pthread_mutex_unlock(&cp_mu);
    return out;
}

json_t *proofs_inclusion(struct app *a, int64_t index, int64_t size, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    int64_t now = store_audit_size(c);
    if (size <= 0) size = now;
    if (index < 0 || index >= size || size > now) {
        err_set(e, ERR_VALIDATION, "/index", "need 0 <= index < size <= %lld (the log's size)",
                "需要 0 <= index < size <= %lld（审计日志的条数）", (long long)now);
        return NULL;
    }
    struct log_facts f;
    if (log_facts(c, size, LOG_INCLUSION, index, &f, e) != 0) return NULL;
    return json_pack("{s:I s:I s:s s:o}", "index", (json_int_t)index, "tree_size", (json_int_t)size, "entry_hash",
                     f.entry_hex, "hashes", hashes_json(f.proof, f.plen));
}

json_t *proofs_consistency(struct app *a, int64_t old_size, int64_t new_size, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    int64_t now = store_audit_size(c);
    if (new_size <= 0) new_size = now;
    if (old_size < 1 || old_size > new_size || new_size > now) {
        err_set(e, ERR_VALIDATION, "/from", "need 1 <= from <= to <= %lld (the log's size)",
                "需要 1 <= from <= to <= %lld（审计日志的条数）", (long long)now);
        return NULL;
    }
    struct log_facts f;
    if (log_facts(c, new_size, LOG_CONSISTENCY, old_size, &f, e) != 0) return NULL;
    return json_pack("{s:I s:I s:o}", "old_size", (json_int_t)old_size, "new_size", (json_int_t)new_size, "hashes",
                     hashes_json(f.proof, f.plen));
}

/* ------------------------------------------------------------------------- reading */

static json_t *envelope_of(const json_t *row)
{
    return row ? json_loads(jstr(row, "envelope") ? jstr(row, "envelope") : "", 0, NULL) : NULL;
}

json_t *proofs_certificate(struct app *a, const struct principal *who, int64_t filing_id, struct err *e)
{
    json_t *f = filing_get_raw(a, who, filing_id, e);
    if (!f) return NULL;
    json_decref(f);
    json_t *row = store_statement_get(store_reader(a->store), filing_id, "certificate", 0);
    json_t *env = envelope_of(row);
    json_decref(row);
    if (!env) err_set(e, ERR_NOT_FOUND, NULL, "this filing has no certificate (it was never filed)",
                      "该备案没有备案证明（尚未备案）");
    return env;
}

json_t *proofs_receipts(struct app *a, const struct principal *who, int64_t filing_id, int64_t seq, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *f = filing_get_raw(a, who, filing_id, e);
    if (!f) return NULL;
    /* the enterprise's: they name its people and steps before submission, which the authority's
     * and the provider's view of the audit log leaves out (issue 12) */
    bool mine = principal_is_admin(who) || who->org_id == jint(f, "org_id");
    json_decref(f);
    if (!mine) {
        err_set(e, ERR_FORBIDDEN, NULL, "receipts are for the filing enterprise", "回执仅供备案主体查看");
        return NULL;
    }
    if (seq > 0) {
        json_t *row = store_statement_get(c, filing_id, "receipt", seq);
        json_t *env = envelope_of(row);
        json_decref(row);
        if (!env) err_set(e, ERR_NOT_FOUND, NULL, "no such receipt", "回执不存在");
        return env;
    }
    json_t *rows = store_statement_list(c, filing_id, "receipt");
    json_t *items = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        json_array_append_new(items, json_pack("{s:O s:O s:O s:o}", "seq", json_object_get(r, "seq"), "action",
                                               json_object_get(r, "action"), "created_at",
                                               json_object_get(r, "created_at"), "receipt", envelope_of(r)));
    json_decref(rows);
    return json_pack("{s:o}", "items", items);
}

json_t *proofs_public(struct app *a, int64_t filing_id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = store_statement_get(c, filing_id, "certificate", 0);
    json_t *env = envelope_of(row);
    json_decref(row);
    if (!env) return NULL;
    json_t *keys = proofs_keys(a, e);
    char why[256] = "";
    bool valid = keys && statement_verify(keys, env, why, sizeof why) == 0;
    json_decref(keys);
    err_clear(e);
    /* current: the latest certificate states the record as it is now */
    json_t *f = store_filing_get(c, filing_id);
    const json_t *st = json_object_get(env, "statement");
    bool current = f && jstr(f, "state") && jstr(st, "state") && strcmp(jstr(f, "state"), jstr(st, "state")) == 0 &&
                   jint(f, "record_version") == jint(st, "record_version");
    json_decref(f);
    json_t *ver = json_pack("{s:b s:b s:O s:O}", "signature_valid", valid, "current", current, "key_id",
                            json_object_get(st, "key_id"), "signer", json_object_get(st, "signer"));
    if (!valid) json_object_set_new(ver, "reason", json_string(why));
    return json_pack("{s:o s:o}", "certificate", env, "verification", ver);
}

json_t *proofs_public_number(struct app *a, const char *number, struct err *e)
{
    json_t *row = number && strlen(number) <= 64 ? store_filing_by_number(store_reader(a->store), number) : NULL;
    json_t *out = row ? proofs_public(a, jint(row, "id"), e) : NULL;
    json_decref(row);
    return out;
}

void proofs_publish_checkpoint(struct app *a)
{
    static int64_t logged = -1;
    struct err e = {0};
    char *note = proofs_checkpoint(a, &e);
    if (!note) {
        fprintf(stderr, "beian: warning: no checkpoint: %s\n", e.detail_en);
        err_clear(&e);
        return;
    }
    /* one line: "checkpoint <origin> <size> <root>" (the note's body, newlines as spaces) */
    const char *sep = strstr(note, "\n\n");
    const char *nl = strchr(note, '\n');
    int64_t size = nl ? strtoll(nl + 1, NULL, 10) : -1;   /* the note's own size line */
    if (sep && size != logged) {
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(sep - note), note);
        for (char *p = line; *p; p++) if (*p == '\n') *p = ' ';
        fprintf(stderr, "beian: checkpoint %s\n", line);
        logged = size;
    }
    free(note);
}

struct rotate_job { const struct principal *who; int64_t org_id; const char *old_id, *new_id; };

static int rotate_audit_job(struct store_conn *c, void *arg, struct err *e)
{
    struct rotate_job *j = arg;
    json_t *d = json_pack("{s:s s:s}", "key_id", j->new_id, "previous_key_id", j->old_id);
    int rc = audit_record(c, j->who, "key.rotate", "org", j->org_id, 0, j->org_id, NULL, NULL, d, e);
    json_decref(d);
    return rc;
}

int proofs_rotate(struct app *a, const struct principal *who, int64_t org_id, char new_id[17], struct err *e)
{
    if (!principal_is_admin(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only the platform administrator rotates signing keys",
                       "只有平台管理员可以轮换签名密钥");
    char owner[32] = "platform";
    if (org_id) {
        json_t *org = store_org_get(store_reader(a->store), org_id);
        bool ok = org && jstr(org, "kind") && strcmp(jstr(org, "kind"), "authority") == 0;
        json_decref(org);
        if (!ok) return err_set(e, ERR_NOT_FOUND, NULL, "no authority with id %lld", "不存在编号为 %lld 的备案管理部门",
                                (long long)org_id);
        snprintf(owner, sizeof owner, "%lld", (long long)org_id);
    }
    struct key_pair old, k;
    char old_id[SIGN_KEYID_HEX] = "";
    if (keys_current(a->store, owner, false, &old, e) == 0) snprintf(old_id, sizeof old_id, "%s", old.id);
    keys_wipe(&old);
    err_clear(e);
    if (strcmp(owner, "platform") == 0) {   /* fix the log's name with the first key, if not yet */
        char origin[128];
        if (keys_log_origin(a->store, origin, sizeof origin, e) != 0) return -1;
    }
    if (keys_rotate(a->store, owner, &k, e) != 0) return -1;
    snprintf(new_id, SIGN_KEYID_HEX, "%s", k.id);
    keys_wipe(&k);
    struct rotate_job j = {who, org_id, old_id, new_id};
    return store_write(a->store, rotate_audit_job, &j, e);
}
