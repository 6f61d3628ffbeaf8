/* doc_cache.c — parsed JSON documents by a digest of their text (doc_cache.h). */
#include "core/doc_cache.h"
#include "core/json_read.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct doc_cache {
    unsigned char key[DOC_CACHE_SLOTS][32];
    json_t *doc[DOC_CACHE_SLOTS];
};

struct doc_cache *doc_cache_new(void)
{
    return calloc(1, sizeof(struct doc_cache));
}

void doc_cache_free(struct doc_cache *dc)
{
    if (!dc) return;
    for (int i = 0; i < DOC_CACHE_SLOTS; i++) json_decref(dc->doc[i]);
    free(dc);
}

json_t *doc_cache_parse(struct doc_cache *dc, const char *text)
{
    unsigned char key[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof key);
    crypto_generichash_update(&st, (const unsigned char *)"text:", 5);
    crypto_generichash_update(&st, (const unsigned char *)text, strlen(text));
    crypto_generichash_final(&st, key, sizeof key);
    uint32_t h;
    memcpy(&h, key, sizeof h);
    int slot = (int)(h % DOC_CACHE_SLOTS);
    if (dc->doc[slot] && memcmp(dc->key[slot], key, sizeof key) == 0) return dc->doc[slot];
    json_t *doc = json_read_text(text, 0, NULL);
    if (!doc) doc = json_object();
    if (!doc) return NULL;
    json_decref(dc->doc[slot]);
    dc->doc[slot] = doc;
    memcpy(dc->key[slot], key, sizeof key);
    return doc;
}

bool doc_cache_digest(const struct doc_cache *dc, const json_t *doc, unsigned char out[32])
{
    for (int i = 0; doc && i < DOC_CACHE_SLOTS; i++)
        if (dc->doc[i] == doc) {
            memcpy(out, dc->key[i], 32);
            return true;
        }
    return false;
}
