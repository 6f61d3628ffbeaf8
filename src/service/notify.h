/* notify.h — notifications (issue 14): the catalogue of events and who must hear of each, the
 * hook that turns an audit entry into inbox items and outbox deliveries in the event's own
 * transaction, each user's inbox and e-mail choice, and the rendering of the pack's templates. */
#ifndef BEIAN_NOTIFY_H
#define BEIAN_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/err.h"
#include "store/store.h"

struct app;
struct pack;
struct principal;

/* Who must hear of an event. */
enum notify_audience {
    AUD_OWNER_FILERS = 1u << 0,      /* the enterprise's filers */
    AUD_OWNER_CHECKERS = 1u << 1,    /* the enterprise's checkers */
    AUD_OWNER_ADMINS = 1u << 2,      /* the enterprise's org_admin */
    AUD_PROVIDER_USERS = 1u << 3,    /* the provider's users with the provider role */
    AUD_AUTHORITY_REVIEWERS = 1u << 4, /* the reviewers of the record's authority */
};
struct notify_event {
    const char *action;     /* the audit action */
    const char *to_state;   /* only when the entry's detail.to is this (NULL: any) */
    const char *event;      /* the event's name (templates, webhooks, e-mail choices) */
    unsigned audience;
};
/* The catalogue (notify_catalogue.c). */
const struct notify_event *notify_event_for(const char *action, const char *to_state);
bool notify_event_known(const char *event);
/* Every event name as a new array. */
json_t *notify_event_names(void);

/* The hook (called by audit_record inside the write): inbox items for every person concerned,
 * outbox rows for their e-mail and for the webhooks of the organisations concerned. Reads the
 * event's filing row for its parties and names. */
int notify_from_event(struct store_conn *c, const struct audit_entry *entry, struct err *e);

/* What the hook reads of an event's filing: its parties and the names the texts show. A writer
 * that already holds them (the standing pass) passes them instead of the row being read again. */
struct notify_filing {
    int64_t org_id, provider_org_id, authority_org_id;
    const char *system_name, *subject_name, *number;   /* NULL: not in the texts' parameters */
};
/* The parties and names of a filing row (pointers into the row). */
void notify_filing_of_row(const json_t *row, struct notify_filing *out);

/* Who hears of events, kept across the events of one write (a transaction: the users, their
 * e-mail choices and the webhooks cannot change under it): one look-up per organisation and kind
 * of event instead of one per event. Bounded; free it before the write ends. */
struct notify_cache;
struct notify_cache *notify_cache_new(void);
void notify_cache_free(struct notify_cache *cache);
/* The parameters of an event's texts as the inbox keeps them (canonical JSON text, malloc'd; NULL
 * when it cannot be made): what a writer can make before its write, outside it. */
char *notify_params_text(const struct audit_entry *entry, const struct notify_filing *filing);
/* The hook for an event of a filing whose parties and names the caller holds; cache: NULL or one
 * of this write; params_text: notify_params_text of the same entry and filing, or NULL (made
 * here). Writes exactly what notify_from_event writes for the same filing. */
int notify_from_event_of(struct store_conn *c, const struct audit_entry *entry, const struct notify_filing *filing,
                         struct notify_cache *cache, const char *params_text, struct err *e);

/* A new delivery id "msg_" + 24 hex digits (the webhook-id; kept by every redelivery). */
void notify_msg_id(char out[40]);
/* The pack's template of an event in a language, filled from params: new strings. */
void notify_render(const struct pack *p, const char *event, const char *lang, const json_t *params, char **subject,
                   char **body);

/* Inbox: {items:[{id, event, link, filing_id, created_at, read_at, subject:{zh,en}, body:{zh,en}}], unread}. */
json_t *notify_inbox(struct app *a, const struct principal *who, struct err *e);
int notify_inbox_read(struct app *a, const struct principal *who, int64_t id, struct err *e);
int notify_inbox_read_all(struct app *a, const struct principal *who, struct err *e);
/* The caller's e-mail choice {email, lang, email_events, events (every name)}; replace it. */
json_t *notify_prefs_get(struct app *a, const struct principal *who, struct err *e);
json_t *notify_prefs_put(struct app *a, const struct principal *who, const json_t *in, struct err *e);

#endif
