/* workflow.h — the filing workflow, written once as a table of transitions
 * (from-state, action, roles, party, to-state, guard, what the action needs).
 * The service layer executes it, the API lists it (GET /api/v1/workflow) and computes each
 * filing's allowed_actions from it, the UI draws its buttons from it and the docs print it.
 * Pure: no I/O. */
#ifndef BEIAN_WORKFLOW_H
#define BEIAN_WORKFLOW_H

#include <stdbool.h>
#include <jansson.h>

enum wf_state {
    ST_DRAFT, ST_INTERNAL_CHECK, ST_PROVIDER_CONFIRMATION, ST_SUBMITTED, ST_UNDER_REVIEW,
    ST_RECTIFICATION, ST_FILED, ST_REJECTED, ST_WITHDRAWN, ST_CANCELLED, ST_REVOKED,
    ST_MINOR_RECORDED,  /* a minor change on the record at once; the authority may object within its window */
    ST_ACCEPTED,        /* a self-inspection report the authority accepted */
    ST_OPEN, ST_CLOSED, /* a security incident before and after its closure report */
    ST__COUNT,
    ST_PREVIOUS = 100,  /* to-state: back to the state the check came from */
    ST_SAME,            /* to-state: the filing stays where it is */
    ST_NONE = -1
};

enum wf_action {
    ACT_SUBMIT_FOR_CHECK, ACT_RETURN, ACT_APPROVE_CHECK, ACT_CONFIRM_HOSTING, ACT_DECLINE_HOSTING,
    ACT_ACCEPT, ACT_REQUEST_RECTIFICATION, ACT_APPROVE, ACT_REJECT, ACT_WITHDRAW, ACT_REPORT_CHANGE,
    ACT_CANCEL, ACT_REVOKE, ACT_OBJECT,
    ACT_ACCEPT_REPORT,  /* the authority accepts a self-inspection report */
    ACT_UPDATE, ACT_CLOSE, ACT_ORDER_INSPECTION,   /* a security incident's follow-up report, closure, ordered inspection */
    ACT__COUNT, ACT_NONE = -1
};

/* Roles are bits so that a user may hold several. */
enum wf_role {
    ROLE_FILER = 1u << 0, ROLE_CHECKER = 1u << 1, ROLE_ORG_ADMIN = 1u << 2, ROLE_PROVIDER = 1u << 3,
    ROLE_REVIEWER = 1u << 4, ROLE_AUTHORITY_ADMIN = 1u << 5, ROLE_ADMIN = 1u << 6,
};
#define ROLE__COUNT 7

/* Which organisation of the filing the actor must belong to. */
enum wf_party { PARTY_OWNER, PARTY_PROVIDER, PARTY_AUTHORITY };

enum wf_guard {
    GUARD_NONE,
    GUARD_COMPLETE,              /* the document has every required field and no blocking finding */
    GUARD_NOT_LAST_EDITOR,       /* maker–checker: the checker did not edit the document last */
    GUARD_RESUBMIT_SAME_PROVIDER,/* selector: a resubmission after rectification, provider section unchanged */
    GUARD_RECORD_NO_OPEN_CHANGE, /* an initial filing with no change filing in progress */
    GUARD_OVERRIDES_DECIDED,     /* no override request of the filing waits for the reviewer */
    GUARD_NO_STANDING_ERRORS,    /* evaluated afresh, no error finding stands (the registry or the pack may have moved) */
    GUARD_SYSTEM_FREE,           /* no other initial filing of the system is under way or filed */
    GUARD_MINOR_CHANGE,          /* selector: a change filing the pack classifies as minor, not objected to */
    GUARD_OBJECTION_WINDOW,      /* the authority's window to object to a recorded minor change is open */
};

/* What the action's body must carry. */
enum wf_needs { NEEDS_NOTHING = 0, NEEDS_COMMENT = 1, NEEDS_REASON = 2, NEEDS_ITEMS = 4,
                NEEDS_EFFECTIVE_ON = 8 /* the day the change took (or takes) effect, YYYY-MM-DD */ };

struct wf_transition {
    enum wf_state from;
    enum wf_action action;
    unsigned roles;        /* any of these roles */
    enum wf_party party;
    enum wf_state to;
    enum wf_guard guards[2];
    unsigned needs;
};

/* The table, in evaluation order: for a (from, action) pair the first row whose guards hold wins. */
extern const struct wf_transition WF_TABLE[];
extern const int WF_TABLE_COUNT;

/* The periodic self-inspection report (定期自查) of a filed record: a table of the same shape.
 * PARTY_OWNER is the record's enterprise, PARTY_AUTHORITY the record's authority. */
extern const struct wf_transition WF_INSPECTION_TABLE[];
extern const int WF_INSPECTION_TABLE_COUNT;

/* A security incident on a filed record: open until its closure report. PARTY_OWNER is the record's
 * enterprise, PARTY_AUTHORITY the record's authority. */
extern const struct wf_transition WF_INCIDENT_TABLE[];
extern const int WF_INCIDENT_TABLE_COUNT;

/* The first row of table for (from, action) whose roles include one of roles, or NULL. (Guards and
 * parties are the caller's to check.) */
const struct wf_transition *wf_table_row(const struct wf_transition *table, int count, enum wf_state from,
                                         enum wf_action act, unsigned roles);

const char *wf_state_name(enum wf_state s);
enum wf_state wf_state_parse(const char *name);   /* ST_NONE when unknown */
/* The state in words (Chinese, or English when english), NULL for a pseudo-state. */
const char *wf_state_label(enum wf_state s, bool english);
const char *wf_action_name(enum wf_action a);
enum wf_action wf_action_parse(const char *name); /* ACT_NONE when unknown */
const char *wf_role_name(unsigned role_bit);
unsigned wf_role_parse(const char *name);         /* 0 when unknown */
const char *wf_party_name(enum wf_party p);
const char *wf_guard_name(enum wf_guard g);
/* "filer,checker" -> bits; unknown names make it return 0 and set *bad to the first one. */
unsigned wf_roles_parse_csv(const char *csv, char *bad, unsigned bad_len);
/* bits -> "filer,checker" */
void wf_roles_format(unsigned roles, char *buf, unsigned len);
/* May a user of an organisation of this kind hold this role? */
bool wf_role_fits_org_kind(unsigned role_bit, const char *org_kind);
/* A decided or closed state (no further action except report_change/cancel/revoke on filed, and
 * the authority's objection to a minor_recorded change within its window). */
bool wf_state_is_final(enum wf_state s);
/* Is the document editable by the filer in this state? */
bool wf_state_editable(enum wf_state s);

/* The whole table as JSON (for the API, the UI and the docs): {"states", "transitions"} of the
 * filing, and "records": {"inspection": {...}, "incident": {...}}, each {"states", "transitions"}. */
json_t *wf_table_json(void);

#endif
