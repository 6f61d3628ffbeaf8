/* webhooks.h — an organisation's webhook endpoints (registered by its org_admin or
 * authority_admin), their delivery log and manual redelivery, and the check that refuses targets
 * in loopback and private ranges unless the operator allows them. */
#ifndef BEIAN_WEBHOOKS_H
#define BEIAN_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/err.h"

struct app;
struct principal;

/* Allow targets in private ranges (`serve --webhook-allow-private`, BEIAN_WEBHOOK_ALLOW_PRIVATE=1). */
void webhook_allow_private(bool allow);
/* Resolve url's host and check every address; 0 with the addresses as "a,b" in pin (for
 * CURLOPT_RESOLVE: host:port:pin) and host/port filled, or -1 (ERR_VALIDATION) naming the address. */
int webhook_target_check(const char *url, char *host, size_t host_len, int *port, char *pin, size_t pin_len,
                         struct err *e);

/* POST: {url, events:[...], description?} → the endpoint with its secret (shown only here). */
json_t *webhook_create(struct app *a, const struct principal *who, const json_t *in, struct err *e);
json_t *webhook_list(struct app *a, const struct principal *who, struct err *e);
int webhook_delete(struct app *a, const struct principal *who, int64_t id, struct err *e);
json_t *webhook_deliveries(struct app *a, const struct principal *who, int64_t id, struct err *e);
json_t *webhook_redeliver(struct app *a, const struct principal *who, int64_t id, int64_t delivery_id,
                          struct err *e);

#endif
