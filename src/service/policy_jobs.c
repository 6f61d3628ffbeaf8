/* policy_jobs.c — the install worker: one thread, a short queue, the jobs' outcomes
 * (policy_jobs.h). The thread starts with the first job; policy_jobs_stop ends it. */
#include "service/policy_jobs.h"
#include "service/app_internal.h"
#include "service/auth.h"
#include "service/policy_admin.h"
#include "service/policy_notices.h"
#include "policy/pack.h"
#include "policy/registry.h"
#include "policy/rules.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED };
static const char *const STATE[] = {"queued", "running", "done", "failed"};

struct job {
    long long id;
    enum job_state state;
    char dir[1024];
    struct principal who;
    json_t *installed, *problem;
    struct job *next; /* newer to older */
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t work;
    pthread_t thread;
    bool started, stopping;
    atomic_bool cancel;
    struct app *app;
    struct job *jobs; /* newest first */
    long long next_id;
} J = {.mu = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER, .next_id = 1};

static void job_free(struct job *j)
{
    json_decref(j->installed);
    json_decref(j->problem);
    free(j);
}

static json_t *job_json(const struct job *j)
{
    json_t *o = json_pack("{s:I s:s s:s}", "id", (json_int_t)j->id, "state", STATE[j->state], "dir", j->dir);
    if (j->installed) json_object_set(o, "installed", j->installed);
    if (j->problem) json_object_set(o, "problem", j->problem);
    return o;
}

/* The enterprises whose filed records the installed version would break hear of it (issue 16);
 * the install stands whether or not the notices could be written. */
static void notify_affected(const json_t *installed)
{
    char spec[256];
    snprintf(spec, sizeof spec, "%s@%s", json_string_value(json_object_get(installed, "id")),
             json_string_value(json_object_get(installed, "version")));
    struct err e = {0};
    int64_t told = 0;
    if (policy_notify_affected(J.app, spec, &told, &e) != 0)
        fprintf(stderr, "beian: notices of policy %s not written: %s\n", spec, e.detail_en);
    err_clear(&e);
}

/* The oldest queued job, or NULL. Under J.mu. */
static struct job *next_queued(void)
{
    struct job *found = NULL;
    for (struct job *j = J.jobs; j; j = j->next)
        if (j->state == JOB_QUEUED) found = j;
    return found;
}

/* Forget the oldest finished jobs beyond POLICY_JOBS_KEPT. Under J.mu. */
static void prune(void)
{
    int finished = 0;
    for (struct job **at = &J.jobs; *at;) {
        struct job *j = *at;
        if ((j->state == JOB_DONE || j->state == JOB_FAILED) && ++finished > POLICY_JOBS_KEPT) {
            *at = j->next;
            job_free(j);
        } else {
            at = &j->next;
        }
    }
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&J.mu);
    for (;;) {
        struct job *j;
        while (!J.stopping && !(j = next_queued())) pthread_cond_wait(&J.work, &J.mu);
        if (J.stopping) break;
        j->state = JOB_RUNNING;
        struct principal who = j->who;
        char dir[sizeof j->dir];
        memcpy(dir, j->dir, sizeof dir);
        pthread_mutex_unlock(&J.mu);

        json_t *installed = NULL;
        struct err e = {0};
        int rc = policy_install_cancellable(J.app, &who, dir, &J.cancel, &installed, &e);
        if (rc == 0) notify_affected(installed);

        pthread_mutex_lock(&J.mu);
        if (rc == 0) {
            j->state = JOB_DONE;
            j->installed = installed;
        } else {
            j->state = JOB_FAILED;
            j->problem = err_problem_json(&e, "zh");
            json_decref(installed);
        }
        err_clear(&e);
        prune();
    }
    pthread_mutex_unlock(&J.mu);
    policy_thread_cleanup();
    return NULL;
}

/* What can be told at once: a directory with a manifest naming a version not installed yet. */
static int precheck(struct app *a, const char *dir, struct err *e)
{
    char path[1200];
    struct stat st;
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if (strlen(dir) >= sizeof ((struct job *)0)->dir || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return err_set(e, ERR_NOT_FOUND, "/dir", "no policy pack at %s (it has no manifest.json)",
                       "%s 不是策略包（没有 manifest.json）", dir);
    json_t *m = json_load_file(path, 0, NULL);
    const char *id = json_string_value(json_object_get(m, "id"));
    const char *version = json_string_value(json_object_get(m, "version"));
    int rc = 0;
    if (id && version && registry_find(a->packs, id, version))
        rc = err_set(e, ERR_DUPLICATE, NULL, "policy pack %s@%s is already installed", "策略包 %s@%s 已安装", id, version);
    json_decref(m);
    return rc; /* anything else wrong with the manifest: the job says so */
}

int policy_jobs_submit_install(struct app *a, const struct principal *who, const char *dir, json_t **job,
                               struct err *e)
{
    if (!principal_is_admin(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only the platform administrator installs policy packs",
                       "只有平台管理员可以安装策略包");
    if (precheck(a, dir, e) != 0) return -1;
    pthread_mutex_lock(&J.mu);
    int queued = 0;
    for (struct job *j = J.jobs; j; j = j->next) queued += j->state == JOB_QUEUED;
    if (J.stopping || queued >= POLICY_JOBS_QUEUED) {
        pthread_mutex_unlock(&J.mu);
        return err_set(e, ERR_BUSY, NULL, "%d policy pack installs are waiting already; try again shortly",
                       "已有 %d 个策略包安装在排队，请稍后重试", POLICY_JOBS_QUEUED);
    }
    if (!J.started) {
        J.app = a;
        atomic_store(&J.cancel, false);
        if (pthread_create(&J.thread, NULL, worker, NULL) != 0) {
            pthread_mutex_unlock(&J.mu);
            return err_set(e, ERR_INTERNAL, NULL, "cannot start the install worker", "无法启动安装工作线程");
        }
        J.started = true;
    }
    struct job *j = calloc(1, sizeof *j);
    if (!j) {
        pthread_mutex_unlock(&J.mu);
        return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    }
    j->id = J.next_id++;
    j->state = JOB_QUEUED;
    snprintf(j->dir, sizeof j->dir, "%s", dir);
    j->who = *who;
    j->next = J.jobs;
    J.jobs = j;
    *job = job_json(j);
    pthread_cond_signal(&J.work);
    pthread_mutex_unlock(&J.mu);
    return 0;
}

int policy_jobs_get(struct app *a, const struct principal *who, const char *id, json_t **job, struct err *e)
{
    (void)a;
    if (!principal_is_admin(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "policy pack installs are for the platform administrator",
                       "策略包安装仅供平台管理员查看");
    char *end;
    errno = 0;
    long long n = id ? strtoll(id, &end, 10) : 0;
    pthread_mutex_lock(&J.mu);
    struct job *found = NULL;
    if (id && *id && !*end && errno == 0)
        for (struct job *j = J.jobs; j && !found; j = j->next)
            if (j->id == n) found = j;
    if (found) *job = job_json(found);
    pthread_mutex_unlock(&J.mu);
    if (!found) return err_set(e, ERR_NOT_FOUND, NULL, "no such install job", "没有该安装任务");
    return 0;
}

void policy_jobs_stop(void)
{
    pthread_mutex_lock(&J.mu);
    bool started = J.started;
    J.stopping = true;
    atomic_store(&J.cancel, true);
    pthread_cond_broadcast(&J.work);
    pthread_mutex_unlock(&J.mu);
    if (started) pthread_join(J.thread, NULL);
    pthread_mutex_lock(&J.mu);
    while (J.jobs) {
        struct job *j = J.jobs;
        J.jobs = j->next;
        job_free(j);
    }
    J.started = false;
    J.stopping = false;
    J.app = NULL;
    pthread_mutex_unlock(&J.mu);
}
