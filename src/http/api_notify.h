/* api_notify.h — endpoint handlers of notifications (api_notify.c): the inbox, the caller's e-mail
 * choice, and the organisation's webhooks with their delivery log, for the route table in api.c. */
#ifndef BEIAN_API_NOTIFY_H
#define BEIAN_API_NOTIFY_H

#include "http/http.h"

int api_inbox_list(struct http_req *r);
int api_inbox_read(struct http_req *r);
int api_inbox_read_all(struct http_req *r);
int api_me_notifications_get(struct http_req *r);
int api_me_notifications_put(struct http_req *r);
int api_webhooks_list(struct http_req *r);
int api_webhooks_create(struct http_req *r);
int api_webhooks_delete(struct http_req *r);
int api_webhooks_deliveries(struct http_req *r);
int api_webhooks_redeliver(struct http_req *r);

#endif
