/* fuzz_statement.c — the offline verifier (`beian verify`), which reads files anyone may hand it.
 * The input is a keys file and a statement (a certificate or receipt envelope, or a checkpoint
 * note) separated by a NUL byte. Checks: no crash, no leak, and a verdict either way; a note
 * that parses as a checkpoint re-serialises to the body it came from. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "core/note.h"
#include "core/statement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul) return 0;
    json_t *keys = json_loadb((const char *)data, (size_t)(nul - data), 0, NULL);
    size_t rest = size - (size_t)(nul - data) - 1;
    char *text = malloc(rest + 1);
    memcpy(text, nul + 1, rest);
    text[rest] = 0;
    char why[512];
    json_t *env = json_loads(text, 0, NULL);
    if (env) {
        why[0] = 0;
        if (statement_verify(keys, env, why, sizeof why) != 0 && !why[0]) abort();   /* a failure says why */
        json_decref(env);
    }
    uint64_t n;
    merkle_hash root;
    char origin[256];
    if (note_checkpoint_parse(text, origin, sizeof origin, &n, root) == 0) {
        char *body = note_checkpoint_body(origin, n, root);
        if (!body || strncmp(text, body, strlen(body)) != 0) abort();
        free(body);
        (void)statement_checkpoint_verify(keys, text, &n, root, why, sizeof why);
    }
    free(text);
    json_decref(keys);
    return 0;
}
