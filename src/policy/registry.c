/* registry.c — versions of the policy packs side by side (registry.h). */
#include "policy/registry.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REGISTRY_MAX 256

struct entry { struct pack *pack; char source[16]; };

struct pack_registry {
    pthread_mutex_t mu;
    struct entry entries[REGISTRY_MAX];
    int count;
};

static bool has_manifest(const char *dir)
{
    char path[4700];
    struct stat st;
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int registry_add(struct pack_registry *r, struct pack *p, const char *source, struct err *e)
{
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->count; i++)
        if (strcmp(r->entries[i].pack->id, p->id) == 0 && strcmp(r->entries[i].pack->version, p->version) == 0) {
            pthread_mutex_unlock(&r->mu);
            return err_set(e, ERR_DUPLICATE, NULL, "policy pack %s@%s is already installed", "策略包 %s@%s 已安装",
                           p->id, p->version);
        }
    if (r->count >= REGISTRY_MAX) {
        pthread_mutex_unlock(&r->mu);
        return err_set(e, ERR_VALIDATION, NULL, "too many policy pack versions (at most %d)",
                       "策略包版本过多（最多 %d 个）", REGISTRY_MAX);
    }
    r->entries[r->count].pack = p;
    snprintf(r->entries[r->count].source, sizeof r->entries[r->count].source, "%s", source);
    r->count++;
    pthread_mutex_unlock(&r->mu);
    return 0;
}

static int load_one(struct pack_registry *r, const char *dir, const char *source, struct err *e)
{
    struct pack *p;
    if (pack_load(dir, &p, e) != 0) return -1;
    if (registry_add(r, p, source, e) != 0) {
        pack_free(p);
        return -1;
    }
    return 0;
}

/* builtin: root/<id>/manifest.json; installed: root/<id>/<version>/manifest.json */
static int scan(struct pack_registry *r, const char *root, bool versioned, const char *source, struct err *e)
{
    DIR *d = root ? opendir(root) : NULL;
    if (!d) return 0;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char dir[4400];
        snprintf(dir, sizeof dir, "%.4000s/%.255s", root, de->d_name);
        if (!versioned) {
            if (has_manifest(dir)) rc = load_one(r, dir, source, e);
            continue;
        }
        DIR *vd = opendir(dir);
        if (!vd) continue;
        struct dirent *ve;
        while (rc == 0 && (ve = readdir(vd))) {
            if (ve->d_name[0] == '.') continue;
            char vdir[4600];
            snprintf(vdir, sizeof vdir, "%.4300s/%.255s", dir, ve->d_name);
            if (has_manifest(vdir)) rc = load_one(r, vdir, source, e);
        }
        closedir(vd);
    }
    closedir(d);
    return rc;
}

int registry_load(const char *builtin_root, const char *installed_root, struct pack_registry **out, struct err *e)
{
    struct pack_registry *r = calloc(1, sizeof *r);
    if (!r) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    pthread_mutex_init(&r->mu, NULL);
    if (scan(r, builtin_root, false, "builtin", e) != 0 || scan(r, installed_root, true, "installed", e) != 0) {
        registry_free(r);
        return -1;
    }
    if (r->count == 0) {
        registry_free(r);
        return err_set(e, ERR_NOT_FOUND, NULL, "no policy pack found under %s", "在 %s 下未找到策略包",
                       builtin_root ? builtin_root : "-");
    }
    *out = r;
    return 0;
}

void registry_free(struct pack_registry *r)
{
    if (!r) return;
    for (int i = 0; i < r->count; i++) pack_free(r->entries[i].pack);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

const struct pack *registry_in_force(struct pack_registry *r, const char *id, day_t as_of)
{
    const struct pack *best = NULL;
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->count; i++) {
        const struct pack *p = r->entries[i].pack;
        if (strcmp(p->id, id) != 0 || p->effective_from > as_of) continue;
        if (!best || p->effective_from > best->effective_from ||
            (p->effective_from == best->effective_from && strcmp(p->version, best->version) > 0))
            best = p;
    }
    pthread_mutex_unlock(&r->mu);
    return best;
}

const struct pack *registry_find(struct pack_registry *r, const char *id, const char *version)
{
    const struct pack *found = NULL;
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->count && !found; i++)
        if (strcmp(r->entries[i].pack->id, id) == 0 && strcmp(r->entries[i].pack->version, version) == 0)
            found = r->entries[i].pack;
    pthread_mutex_unlock(&r->mu);
    return found;
}

const struct pack *registry_find_spec(struct pack_registry *r, const char *spec)
{
    const char *at = spec ? strchr(spec, '@') : NULL;
    if (!at || at == spec || (size_t)(at - spec) >= 64) return NULL;
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)(at - spec), spec);
    return registry_find(r, id, at + 1);
}

json_t *registry_list(struct pack_registry *r, day_t as_of)
{
    json_t *out = json_array();
    pthread_mutex_lock(&r->mu);
    int count = r->count;
    pthread_mutex_unlock(&r->mu);
    for (int i = 0; i < count; i++) {
        const struct pack *p = r->entries[i].pack;
        char eff[11];
        date_format(p->effective_from, eff);
        const struct pack *now = registry_in_force(r, p->id, as_of);
        json_t *m = p->manifest;
        json_array_append_new(out, json_pack("{s:s s:s s:s s:s s:O s:O s:s s:b}", "id", p->id, "version", p->version,
                                             "edition", p->edition, "effective_from", eff, "supersedes",
                                             json_object_get(m, "supersedes") ? json_object_get(m, "supersedes")
                                                                              : json_null(),
                                             "title", json_object_get(m, "title"), "source", r->entries[i].source,
                                             "in_force", now == p));
    }
    return out;
}
