/* notify_catalogue.c — THE table of what happens and who must hear of it. An audit action (and,
 * for workflow actions that can end in different states, the state it led to) names an event;
 * the event names the people concerned. Texts live in the pack (notifications.json). */
#include "service/notify.h"

#include <string.h>

#define OWNER_PEOPLE (AUD_OWNER_FILERS | AUD_OWNER_ADMINS)

static const struct notify_event CATALOGUE[] = {
    /* action                              to state                   event                             audience */
    {"filing.submit_for_check",            NULL,                      "filing.check_requested",         AUD_OWNER_CHECKERS},
    {"filing.return",                      NULL,                      "filing.returned",                AUD_OWNER_FILERS},
    {"filing.approve_check",               "provider_confirmation",   "filing.hosting_requested",       AUD_PROVIDER_USERS},
    {"filing.approve_check",               "under_review",            "filing.resubmitted",             AUD_AUTHORITY_REVIEWERS},
    {"filing.confirm_hosting",             NULL,                      "filing.submitted",               AUD_AUTHORITY_REVIEWERS},
    {"filing.decline_hosting",             NULL,                      "filing.hosting_declined",        AUD_OWNER_FILERS},
    {"filing.accept",                      NULL,                      "filing.accepted",                AUD_OWNER_FILERS},
    {"filing.request_rectification",       NULL,                      "filing.rectification_requested", AUD_OWNER_FILERS},
    {"filing.approve",                     NULL,                      "filing.approved",                OWNER_PEOPLE},
    {"filing.reject",                      NULL,                      "filing.rejected",                OWNER_PEOPLE},
    {"filing.revoke",                      NULL,                      "filing.revoked",                 OWNER_PEOPLE},
    {"inspection.order",                   NULL,                      "inspection.ordered",             OWNER_PEOPLE},
    {"inspection.submit_for_check",        NULL,                      "inspection.check_requested",     AUD_OWNER_CHECKERS},
    {"inspection.approve_check",           NULL,                      "inspection.submitted",           AUD_AUTHORITY_REVIEWERS},
    {"inspection.accept_report",           NULL,                      "inspection.accepted",            AUD_OWNER_FILERS},
    {"inspection.request_rectification",   NULL,                      "inspection.sent_back",           AUD_OWNER_FILERS},
    {"standing.appear",                    NULL,                      "standing.appeared",              OWNER_PEOPLE},
    {"policy.affected",                    NULL,                      "policy.affected",                OWNER_PEOPLE},
};
enum { CATALOGUE_COUNT = sizeof CATALOGUE / sizeof CATALOGUE[0] };

const struct notify_event *notify_event_for(const char *action, const char *to_state)
{
    for (int i = 0; action && i < CATALOGUE_COUNT; i++) {
        if (strcmp(CATALOGUE[i].action, action) != 0) continue;
        if (CATALOGUE[i].to_state && (!to_state || strcmp(CATALOGUE[i].to_state, to_state) != 0)) continue;
        return &CATALOGUE[i];
    }
    return NULL;
}

bool notify_event_known(const char *event)
{
    for (int i = 0; event && i < CATALOGUE_COUNT; i++)
        if (strcmp(CATALOGUE[i].event, event) == 0) return true;
    return false;
}

json_t *notify_event_names(void)
{
    json_t *out = json_array();
    for (int i = 0; i < CATALOGUE_COUNT; i++) json_array_append_new(out, json_string(CATALOGUE[i].event));
    return out;
}
