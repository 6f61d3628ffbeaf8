/* quota.c — quotas of stored bytes, bytes in flight and uploads in progress (see quota.h). The
 * uploads in progress are counted in two small tables (per organisation, per user) under one
 * mutex: at most a connection limit's worth of entries, so a linear search is plenty. */
#include "service/quota.h"
#include "service/app_internal.h"
#include "service/auth.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct quota_entry {
    int64_t id;
    unsigned uploads;
    uint64_t bytes;
};

struct quota_table {
    struct quota_entry *v;
    size_t n, cap;
};

struct upload_quota {
    pthread_mutex_t mu;
    struct quota_table orgs, users;
};

struct upload_quota *upload_quota_new(void)
{
    struct upload_quota *q = calloc(1, sizeof *q);
    if (q) pthread_mutex_init(&q->mu, NULL);
    return q;
}

void upload_quota_free(struct upload_quota *q)
{
    if (!q) return;
    pthread_mutex_destroy(&q->mu);
    free(q->orgs.v);
    free(q->users.v);
    free(q);
}

uint64_t quota_stored_bytes(const struct app *a)
{
    return a->quota_stored_bytes ? a->quota_stored_bytes : QUOTA_DEFAULT_STORED_BYTES;
}

uint64_t quota_inflight_bytes(const struct app *a)
{
    return a->quota_inflight_bytes ? a->quota_inflight_bytes : QUOTA_DEFAULT_INFLIGHT_BYTES;
}

unsigned quota_uploads_per_user(const struct app *a)
{
    return a->uploads_per_user ? a->uploads_per_user : QUOTA_DEFAULT_UPLOADS_PER_USER;
}

/* The entry of id (a zeroed one when absent); NULL only when out of memory. */
static struct quota_entry *entry_of(struct quota_table *t, int64_t id)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].id == id) return &t->v[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        struct quota_entry *v = realloc(t->v, cap * sizeof *v);
        if (!v) return NULL;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n] = (struct quota_entry){.id = id};
    return &t->v[t->n++];
}

/* Drop entries that no longer count anything, so the tables stay as small as what is in flight. */
static void entry_release(struct quota_table *t, int64_t id, uint64_t bytes)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].id != id) continue;
        t->v[i].uploads--;
        t->v[i].bytes -= bytes;
        if (t->v[i].uploads == 0) t->v[i] = t->v[--t->n];
        return;
    }
}

static unsigned long long mib(uint64_t bytes) { return (unsigned long long)(bytes >> 20); }

int quota_stored_check(struct app *a, struct store_conn *c, int64_t org_id, uint64_t adding, struct err *e)
{
    uint64_t quota = quota_stored_bytes(a);
    int64_t used = store_material_org_bytes(c, org_id);
    if (used < 0) return err_set(e, ERR_INTERNAL, NULL, "cannot read the stored bytes", "无法读取已存储的字节数");
    if ((uint64_t)used <= quota && adding <= quota - (uint64_t)used) return 0;
    err_set(e, ERR_STORAGE_FULL, NULL,
            "the organisation's materials would exceed its storage quota: %llu bytes stored of %llu (%llu MiB), "
            "this upload %llu bytes",
            "本单位的材料将超出存储配额：已存储 %llu 字节，配额 %llu 字节（%llu MiB），本次上传 %llu 字节",
            (unsigned long long)used, (unsigned long long)quota, mib(quota), (unsigned long long)adding);
    err_extra(e, "quota", json_string("stored_bytes"));
    err_extra(e, "quota_bytes", json_integer((json_int_t)quota));
    err_extra(e, "used_bytes", json_integer((json_int_t)used));
    err_extra(e, "upload_bytes", json_integer((json_int_t)adding));
    return -1;
}

int quota_upload_enter(struct app *a, const struct principal *who, uint64_t declared, uint64_t reserve,
                       struct quota_ticket *t, struct err *e)
{
    *t = (struct quota_ticket){0};
    if (quota_stored_check(a, store_reader(a->store), who->org_id, declared, e) != 0) return -1;
    struct upload_quota *q = a->upload_quota;
    if (!q) return err_set(e, ERR_INTERNAL, NULL, "no upload quota", "上传配额未初始化");
    unsigned per_user = quota_uploads_per_user(a);
    uint64_t inflight = quota_inflight_bytes(a);
    pthread_mutex_lock(&q->mu);
    struct quota_entry *org = entry_of(&q->orgs, who->org_id);
    struct quota_entry *user = org ? entry_of(&q->users, who->user_id) : NULL;
    int rc = 0;
    if (!org || !user) {
        rc = err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    } else if (user->uploads >= per_user) {
        rc = err_set(e, ERR_TOO_MANY, NULL,
                     "too many uploads in progress: at most %u at a time per user, you have %u",
                     "进行中的上传过多：每个用户同时最多 %u 个，您已有 %u 个", per_user, user->uploads);
        err_extra(e, "quota", json_string("uploads_per_user"));
        err_extra(e, "limit", json_integer(per_user));
        err_extra(e, "in_progress", json_integer(user->uploads));
    } else if (org->bytes > inflight || reserve > inflight - org->bytes) {
        rc = err_set(e, ERR_TOO_MANY, NULL,
                     "the organisation's uploads in progress would exceed their quota: %llu bytes in flight of "
                     "%llu (%llu MiB), this upload %llu bytes",
                     "本单位进行中的上传将超出配额：传输中 %llu 字节，配额 %llu 字节（%llu MiB），本次上传 %llu 字节",
                     (unsigned long long)org->bytes, (unsigned long long)inflight, mib(inflight),
                     (unsigned long long)reserve);
        err_extra(e, "quota", json_string("inflight_bytes"));
        err_extra(e, "quota_bytes", json_integer((json_int_t)inflight));
        err_extra(e, "used_bytes", json_integer((json_int_t)org->bytes));
        err_extra(e, "upload_bytes", json_integer((json_int_t)reserve));
    } else {
        org->uploads++;
        org->bytes += reserve;
        user->uploads++;
        user->bytes += reserve;
        *t = (struct quota_ticket){.org_id = who->org_id, .user_id = who->user_id, .bytes = reserve, .held = true};
    }
    /* a refused first upload leaves no empty entries behind */
    if (rc != 0) {
        for (size_t i = q->users.n; i-- > 0;)
            if (q->users.v[i].uploads == 0) q->users.v[i] = q->users.v[--q->users.n];
        for (size_t i = q->orgs.n; i-- > 0;)
            if (q->orgs.v[i].uploads == 0) q->orgs.v[i] = q->orgs.v[--q->orgs.n];
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

void quota_upload_leave(struct app *a, struct quota_ticket *t)
{
    if (!t->held || !a->upload_quota) return;
    struct upload_quota *q = a->upload_quota;
    pthread_mutex_lock(&q->mu);
    entry_release(&q->orgs, t->org_id, t->bytes);
    entry_release(&q->users, t->user_id, t->bytes);
    pthread_mutex_unlock(&q->mu);
    t->held = false;
}
