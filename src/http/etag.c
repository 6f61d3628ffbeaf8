/* etag.c — entity tags: If-None-Match matching, body tags and coded-variant tags (etag.h). */
#include "http/etag.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The opaque part of a tag at s ("\"...\"" with an optional W/): start and length including the
 * quotes; the pointer past it, or NULL when s does not start with a well-formed tag. */
static const char *opaque_tag(const char *s, const char **start, size_t *len)
{
    if (s[0] == 'W' && s[1] == '/') s += 2;
    if (*s != '"') return NULL;
    const char *end = s + 1;
    /* etagc = %x21 / %x23-7E / obs-text: anything visible but the double quote */
    while (*end && *end != '"') {
        unsigned char c = (unsigned char)*end;
        if (c < 0x21 || c == 0x7f) return NULL;
        end++;
    }
    if (*end != '"') return NULL;
    *start = s;
    *len = (size_t)(end - s) + 1;
    return end + 1;
}

bool etag_none_match(const char *if_none_match, const char *etag)
{
    if (!if_none_match || !etag) return false;
    const char *want, *p = if_none_match;
    size_t want_len;
    if (!opaque_tag(etag, &want, &want_len)) return false;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '*') {
        p++;
        while (*p == ' ' || *p == '\t') p++;
        return *p == '\0';
    }
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) return false;
        const char *tag;
        size_t tag_len;
        p = opaque_tag(p, &tag, &tag_len);
        if (!p) return false;
        if (tag_len == want_len && memcmp(tag, want, want_len) == 0) return true;
        while (*p == ' ' || *p == '\t') p++;
        if (*p && *p != ',') return false;
    }
}

void etag_of_bytes(const void *data, size_t len, char out[ETAG_MAX])
{
    unsigned char digest[16];
    char hex[sizeof digest * 2 + 1];
    crypto_generichash(digest, sizeof digest, data, len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    snprintf(out, ETAG_MAX, "\"h-%s\"", hex);
}

bool etag_variant(const char *etag, const char *suffix, char *out, size_t out_len)
{
    const char *tag;
    size_t tag_len;
    if (!etag || !opaque_tag(etag, &tag, &tag_len) || etag[(size_t)(tag - etag) + tag_len] != '\0') return false;
    size_t prefix = (size_t)(tag - etag) + tag_len - 1;   /* everything before the closing quote */
    size_t need = prefix + strlen(suffix) + 2;
    if (need > out_len) return false;
    char copy[ETAG_MAX * 2];
    if (prefix >= sizeof copy) return false;
    memcpy(copy, etag, prefix);
    copy[prefix] = '\0';
    snprintf(out, out_len, "%s%s\"", copy, suffix);
    return true;
}

void etag_strip_variant(const char *tag, const char *suffix, char *out, size_t out_len)
{
    if (!out_len) return;
    snprintf(out, out_len, "%s", tag ? tag : "");
    size_t len = strlen(out), slen = strlen(suffix);
    if (len >= slen + 3 && out[len - 1] == '"' && memcmp(out + len - 1 - slen, suffix, slen) == 0) {
        const char *start;
        size_t tlen;
        if (!opaque_tag(out, &start, &tlen) || start[tlen] != '\0') return;
        out[len - 1 - slen] = '"';
        out[len - slen] = '\0';
    }
}

#define REPLY_HASH_BYTES 8

/* The replies last tagged on this thread, by the thing's tag: a reply equal byte for byte to the
 * one remembered under its tag takes the hash computed then (a comparison costs a few per cent of
 * hashing). Bounded: REPLY_MEMO_SLOTS replies of at most REPLY_MEMO_MAX bytes per thread. */
#define REPLY_MEMO_SLOTS 16
#define REPLY_MEMO_MAX ((size_t)256 * 1024)
struct reply_memo_slot { char tag[ETAG_MAX]; char *body; size_t len; char suffix[1 + REPLY_HASH_BYTES * 2 + 1]; };
static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;

static void memo_free(void *p)
{
    struct reply_memo_slot *slots = p;
    for (int i = 0; i < REPLY_MEMO_SLOTS; i++) free(slots[i].body);
    free(slots);
}

static void memo_key_create(void) { pthread_key_create(&memo_key, memo_free); }

/* This thread's slot for tag (NULL when out of memory or the tag is too long to keep). */
static struct reply_memo_slot *memo_slot(const char *tag)
{
    size_t tag_len = strlen(tag);
    if (tag_len >= ETAG_MAX) return NULL;
    pthread_once(&memo_once, memo_key_create);
    struct reply_memo_slot *slots = pthread_getspecific(memo_key);
    if (!slots) {
        if (!(slots = calloc(REPLY_MEMO_SLOTS, sizeof *slots))) return NULL;
        pthread_setspecific(memo_key, slots);
    }
    uint32_t h = 2166136261u;   /* FNV-1a of the tag picks the slot */
    for (size_t i = 0; i < tag_len; i++) h = (h ^ (unsigned char)tag[i]) * 16777619u;
    return &slots[h % REPLY_MEMO_SLOTS];
}

void etag_of_reply(const char *tag, const void *body, size_t len, bool remember, char *out, size_t out_len)
{
    char suffix[1 + REPLY_HASH_BYTES * 2 + 1] = ".";
    struct reply_memo_slot *m = tag ? memo_slot(tag) : NULL;
    if (m && m->body && m->len == len && strcmp(m->tag, tag) == 0 && memcmp(m->body, body, len) == 0) {
        memcpy(suffix, m->suffix, sizeof suffix);
    } else {
        unsigned char digest[REPLY_HASH_BYTES];
        crypto_generichash(digest, sizeof digest, body, len, NULL, 0);
        sodium_bin2hex(suffix + 1, sizeof suffix - 1, digest, sizeof digest);
        if (m && remember && len <= REPLY_MEMO_MAX) {
            char *copy = malloc(len ? len : 1);
            if (copy) {
                memcpy(copy, body, len);
                free(m->body);
                m->body = copy;
                m->len = len;
                snprintf(m->tag, sizeof m->tag, "%s", tag);
                memcpy(m->suffix, suffix, sizeof suffix);
            }
        }
    }
    if (!etag_variant(tag, suffix, out, out_len) && out_len) snprintf(out, out_len, "%s", tag ? tag : "");
}

void etag_strip_reply(const char *tag, char *out, size_t out_len)
{
    if (!out_len) return;
    snprintf(out, out_len, "%s", tag ? tag : "");
    size_t len = strlen(out), cut = 1 + REPLY_HASH_BYTES * 2;   /* ".<hex>" before the closing quote */
    if (len < cut + 3 || out[len - 1] != '"' || out[len - 1 - cut] != '.') return;
    for (size_t i = len - cut; i < len - 1; i++)
        if (!((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f'))) return;
    const char *start;
    size_t tlen;
    if (!opaque_tag(out, &start, &tlen) || start[tlen] != '\0') return;
    out[len - 1 - cut] = '"';
    out[len - cut] = '\0';
}
