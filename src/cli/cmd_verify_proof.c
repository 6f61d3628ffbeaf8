/* cmd_verify_proof.c — `beian verify certificate|receipt|checkpoint`: offline, with no server
 * and no data directory, only the published keys (KEYS.json, /.well-known/beian-keys.json or
 * `beian keys export`). Exit 0 when the proof holds, 1 (with the reason) when it does not,
 * 2 on a usage error. The checks themselves are core/statement.c. */
#include "cli/cli.h"
#include "core/sign.h"
#include "core/statement.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HELP[] =
    "usage: beian verify certificate FILE.pdf|FILE.json --key KEYS.json\n"
    "       beian verify receipt FILE.json --key KEYS.json [--checkpoint LATER --proof PROOF.json]\n"
    "       beian verify checkpoint OLD NEW --key KEYS.json [--proof PROOF.json]\n"
    "Offline checks with only the published keys (KEYS.json: GET /.well-known/beian-keys.json or\n"
    "`beian keys export`):\n"
    "certificate: the authority's Ed25519 signature of the statement (from the JSON, or embedded\n"
    "  in the PDF), the audit log checkpoint it carries (signed by the platform key) and the\n"
    "  inclusion of its audit entry in that checkpoint's tree.\n"
    "receipt: the same for a receipt; with --checkpoint and --proof (GET\n"
    "  /api/v1/public/log/proof?index=N&size=M) also its entry's inclusion in a later checkpoint.\n"
    "checkpoint: both checkpoints signed, and NEW extends OLD (the consistency proof of GET\n"
    "  /api/v1/public/log/consistency?from=OLD&to=NEW): the history was not rewritten.\n"
    "Exit 0 valid, 1 invalid (the reason on stderr), 2 usage.\n";

#define MAX_FILE (16 * 1024 * 1024)

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
    fclose(f);
    if (!buf || n > MAX_FILE) { free(buf); return NULL; }
    buf[n] = 0;
    *len = n;
    return buf;
}

static int invalid(const char *what, const char *why)
{
    fprintf(stderr, "beian: %s is NOT valid: %s\n", what, why);
    return EXIT_FAIL;
}

/* The envelope embedded in a certificate PDF: Keywords "(beian-envelope:<base64>)". */
static json_t *from_pdf(const char *pdf, size_t len, char *why, size_t cap)
{
    static const char marker[] = "beian-envelope:";
    const char *p = memmem(pdf, len, marker, sizeof marker - 1);
    if (!p) { snprintf(why, cap, "the PDF carries no signed statement (no beian-envelope in its metadata)"); return NULL; }
    p += sizeof marker - 1;
    const char *end = p;
    while ((size_t)(end - pdf) < len && *end != ')' && *end != '\n' && *end != '\r') end++;
    size_t b64len = (size_t)(end - p);
    char *b64 = malloc(b64len + 1);
    uint8_t *raw = malloc(b64len + 1);
    json_t *env = NULL;
    if (b64 && raw) {
        size_t o = 0;
        for (size_t i = 0; i < b64len; i++) if (p[i] != '\\') b64[o++] = p[i];   /* PDF string escapes */
        b64[o] = 0;
        long n = sign_unb64(b64, raw, b64len);
        if (n > 0) env = json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    }
    free(b64);
    free(raw);
    if (!env) snprintf(why, cap, "the PDF's embedded statement is damaged (not base64 JSON)");
    return env;
}

static json_t *load_json(const char *path, const char *what, char *why, size_t cap)
{
    size_t len = 0;
    char *text = slurp(path, &len);
    if (!text) { snprintf(why, cap, "cannot read %s %s", what, path); return NULL; }
    json_t *v = NULL;
    if (len >= 5 && memcmp(text, "%PDF-", 5) == 0) v = from_pdf(text, len, why, cap);
    else {
        json_error_t je;
        v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
        if (!v) snprintf(why, cap, "%s %s is not JSON (line %d: %s)", what, path, je.line, je.text);
    }
    free(text);
    return v;
}

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

int cmd_verify_proof(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'}, {"checkpoint", required_argument, NULL, 'c'},
        {"proof", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *what = argv[0], *key = NULL, *later = NULL, *proof_path = NULL;
    const char *files[2] = {NULL, NULL};
    int nfiles = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'k': key = optarg; break;
        case 'c': later = optarg; break;
        case 'p': proof_path = optarg; break;
        case 'h': fputs(HELP, stdout); return EXIT_OK;
        default: return cli_usage("verify", "unknown option");
        }
    }
    for (; optind < argc; optind++) {
        if (nfiles == 2) return cli_usage("verify", "too many files");
        files[nfiles++] = argv[optind];
    }
    bool cp = strcmp(what, "checkpoint") == 0;
    if (!key) return cli_usage("verify", "--key KEYS.json is required (the published keys)");
    if (nfiles != (cp ? 2 : 1)) return cli_usage("verify", cp ? "give OLD and NEW checkpoint files" : "give one file");
    if (!cp && strcmp(what, "receipt") != 0 && (later || proof_path))
        return cli_usage("verify", "--checkpoint and --proof are for receipts and checkpoints");
    if (cp && later) return cli_usage("verify", "--checkpoint is for receipts");
    if (!cp && !!later != !!proof_path) return cli_usage("verify", "--checkpoint and --proof go together");

    char why[512] = "";
    json_t *keys = load_json(key, "keys file", why, sizeof why);
    if (!keys) return invalid("the keys file", why);
    int rc = EXIT_FAIL;
    json_t *proof = NULL, *env = NULL;
    if (proof_path && !(proof = load_json(proof_path, "proof", why, sizeof why))) { rc = invalid("the proof", why); goto out; }
    if (cp) {
        size_t l1, l2;
        char *old = slurp(files[0], &l1), *new = slurp(files[1], &l2);
        uint64_t s1, s2;
        merkle_hash r1, r2;
        if (!old || !new) rc = invalid("the checkpoint", "cannot read the checkpoint files");
        else if (statement_checkpoint_verify(keys, old, &s1, r1, why, sizeof why) != 0) rc = invalid("the old checkpoint", why);
        else if (statement_checkpoint_verify(keys, new, &s2, r2, why, sizeof why) != 0) rc = invalid("the new checkpoint", why);
        else if (statement_consistency_verify(proof, s1, r1, s2, r2, why, sizeof why) != 0) rc = invalid("the log", why);
        else {
            printf("valid: the log of %llu entries extends the one of %llu entries; both checkpoints are signed\n",
                   (unsigned long long)s2, (unsigned long long)s1);
            rc = EXIT_OK;
        }
        free(old);
        free(new);
        goto out;
    }
    env = load_json(files[0], what, why, sizeof why);
    if (!env) { rc = invalid(what, why); goto out; }
    const json_t *st = json_object_get(env, "statement");
    const char *type = jstr(st, "type");
    const char *want = strcmp(what, "certificate") == 0 ? "beian.certificate/1" : "beian.receipt/1";
    if (!type || strcmp(type, want) != 0) {
        snprintf(why, sizeof why, "it is not a %s (type %s)", what, type ? type : "missing");
        rc = invalid(what, why);
        goto out;
    }
    if (statement_verify(keys, env, why, sizeof why) != 0) { rc = invalid(what, why); goto out; }
    const json_t *audit = json_object_get(st, "audit");
    if (later) {
        size_t l;
        char *note = slurp(later, &l);
        uint64_t size;
        merkle_hash root;
        if (!note) { rc = invalid("the later checkpoint", "cannot read it"); goto out; }
        int bad = statement_checkpoint_verify(keys, note, &size, root, why, sizeof why);
        free(note);
        if (bad) { rc = invalid("the later checkpoint", why); goto out; }
        if (json_integer_value(json_object_get(proof, "index")) != json_integer_value(json_object_get(audit, "index"))) {
            rc = invalid("the proof", "it is for another audit entry than the receipt's");
            goto out;
        }
        if (statement_inclusion_verify(proof, jstr(audit, "entry_hash"), size, root, why, sizeof why) != 0) {
            rc = invalid(what, why);
            goto out;
        }
        printf("the audit entry is in the later checkpoint of %llu entries\n", (unsigned long long)size);
    }
    const json_t *signer = json_object_get(st, "signer");
    if (strcmp(what, "certificate") == 0)
        printf("valid: certificate %s, %s, record version %lld, state %s\n", jstr(st, "number") ? jstr(st, "number") : "-",
               jstr(json_object_get(st, "subject"), "name") ? jstr(json_object_get(st, "subject"), "name") : "",
               (long long)json_integer_value(json_object_get(st, "record_version")), jstr(st, "state"));
    else
        printf("valid: receipt %lld of filing %lld, %s by %s, version %lld\n",
               (long long)json_integer_value(json_object_get(st, "seq")),
               (long long)json_integer_value(json_object_get(st, "filing_id")), jstr(st, "action"),
               jstr(json_object_get(st, "by"), "login"), (long long)json_integer_value(json_object_get(st, "version")));
    printf("signed by %s with key %s; audit entry %lld in a log of %lld entries\n",
           jstr(signer, "name") ? jstr(signer, "name") : "the platform", jstr(st, "key_id"),
           (long long)json_integer_value(json_object_get(audit, "index")),
           (long long)json_integer_value(json_object_get(audit, "tree_size")));
    rc = EXIT_OK;
out:
    json_decref(env);
    json_decref(proof);
    json_decref(keys);
    return rc;
}
