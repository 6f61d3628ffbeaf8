/* policy_jobs.h — pack installs through the API, run off the request threads (issue 12).
 *
 * An install loads a pack and runs its fixtures: code that is not trusted yet, for seconds. The
 * server's request threads each serve many connections, so an install run on one would stall
 * them all. Instead a request checks what it can at once (admin, a pack directory, not installed
 * yet), queues a job and answers 202; one background worker runs the jobs in turn; the caller
 * polls the job. At most POLICY_JOBS_QUEUED jobs wait: beyond that a request is refused at once
 * (ERR_BUSY, 503). Finished jobs are remembered (the last POLICY_JOBS_KEPT) until the process
 * ends. `beian policy install` (the CLI) installs synchronously through policy_install. */
#ifndef BEIAN_POLICY_JOBS_H
#define BEIAN_POLICY_JOBS_H

#include <jansson.h>
#include "core/err.h"

struct app;
struct principal;

enum { POLICY_JOBS_QUEUED = 4, POLICY_JOBS_KEPT = 64 };

/* Queue the install of the pack in dir. *job gets {"id", "state": "queued", "dir"}. */
int policy_jobs_submit_install(struct app *a, const struct principal *who, const char *dir, json_t **job,
                               struct err *e);
/* The job with this id (platform admin): {"id", "state": "queued|running|done|failed", "dir",
 * "installed": {…} when done, "problem": {RFC 9457 members} when failed}. */
int policy_jobs_get(struct app *a, const struct principal *who, const char *id, json_t **job, struct err *e);
/* Stop the worker: the job it runs is cancelled between two fixtures, queued ones are dropped.
 * app_close calls it before the store closes. */
void policy_jobs_stop(void);

#endif
