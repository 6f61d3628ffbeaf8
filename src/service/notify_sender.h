/* notify_sender.h — the background worker `beian serve` starts: it works through the outbox,
 * delivering webhooks (Standard Webhooks signatures) and e-mail (SMTP), retrying with exponential
 * backoff for 24 hours, and marks each delivery done only after it succeeded. */
#ifndef BEIAN_NOTIFY_SENDER_H
#define BEIAN_NOTIFY_SENDER_H

#include <stddef.h>
#include <stdint.h>

struct app;
struct notify_sender;

/* SMTP settings (environment: BEIAN_SMTP_URL, BEIAN_SMTP_FROM, BEIAN_SMTP_USER, BEIAN_SMTP_PASSWORD);
 * read at start, never logged. */
struct notify_sender *notify_sender_start(struct app *a);
void notify_sender_stop(struct notify_sender *s);

/* The Standard Webhooks signature "v1,<base64>" of id.timestamp.body with secret "whsec_<base64>". */
int notify_webhook_sign(const char *secret, const char *id, int64_t ts, const char *body, char *out, size_t out_len);

#endif
