/* review_drafts.c — a reviewer's rectification request in preparation (see review_drafts.h):
 * the scoping (a reviewer of the filing's authority, the filing visible to them), the state
 * (changes while under review) and the shape of the items (the same as the request's). */
#include "service/review_drafts.h"
#include "core/workflow.h"
#include "policy/schema.h"
#include "service/app_internal.h"
#include "service/auth.h"
#include "service/filings.h"
#include "service/input.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define DRAFT_MAX_ITEMS 100

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

int review_items_check(const struct pack *p, const json_t *items, struct err *e)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        static const char *const keys[] = {"path", "message", NULL};
        const char *path, *msg;
        if (input_known_keys(it, keys, e) || input_text(it, "path", true, 300, &path, e) ||
            input_text(it, "message", true, 2000, &msg, e)) {
            char where[256];
            snprintf(where, sizeof where, "/items/%zu%.200s", i, e->field);
            snprintf(e->field, sizeof e->field, "%s", where);
            return -1;
        }
        if (!schema_field_at(p, path)) {
            char where[64];
            snprintf(where, sizeof where, "/items/%zu/path", i);
            return err_set(e, ERR_VALIDATION, where, "item %zu names %s, which is not a field of the form",
                           "第 %zu 项指向的 %s 不是表单中的字段", i, path);
        }
    }
    return 0;
}

/* The filing row when the caller is a reviewer of its authority (404 when the filing is not
 * visible to them, 403 when visible but not theirs to review); NULL with e filled otherwise. */
static json_t *reviewed_filing(struct store_conn *c, const struct principal *who, int64_t id, struct err *e)
{
    json_t *row = store_filing_get_raw(c, id);
    if (!filing_visible(who, row)) {
        json_decref(row);
        err_set(e, ERR_NOT_FOUND, NULL, "no such filing", "备案不存在");
        return NULL;
    }
    if (strcmp(who->org_kind, "authority") != 0 || jint(row, "authority_org_id") != who->org_id ||
        !(who->roles & ROLE_REVIEWER)) {
        json_decref(row);
        err_set(e, ERR_FORBIDDEN, NULL, "only a reviewer of the filing's authority keeps a draft of a rectification request",
                "只有该备案管理部门的审核人员可以保存整改通知草稿");
        return NULL;
    }
    return row;
}

static json_t *draft_view(int64_t id, json_t *draft /* stolen, may be NULL */)
{
    json_t *out = json_pack("{s:I s:o s:n s:n}", "filing_id", (json_int_t)id, "items", json_array(), "comment",
                            "updated_at");
    if (draft) {
        json_object_set(out, "items", json_object_get(draft, "items"));
        json_object_set(out, "comment", json_object_get(draft, "comment"));
        json_object_set(out, "updated_at", json_object_get(draft, "updated_at"));
        json_decref(draft);
    }
    return out;
}

json_t *review_draft_get(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    struct store_conn *c = store_reader(a->store);
    json_t *row = reviewed_filing(c, who, id, e);
    if (!row) return NULL;
    json_decref(row);
    return draft_view(id, store_rect_draft_get(c, id, who->user_id));
}

struct draft_job {
    const struct principal *who;
    int64_t id;
    const json_t *items;
    const char *comment;
    bool remove;
};

static int draft_job_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct draft_job *j = arg;
    json_t *row = reviewed_filing(c, j->who, j->id, e);
    if (!row) return -1;
    int rc = -1;
    if (j->remove) {
        rc = store_rect_draft_delete(c, j->id, j->who->user_id, e);
    } else if (strcmp(jstr(row, "state"), "under_review") != 0) {
        err_extra(e, "state", json_string(jstr(row, "state")));
        err_set(e, ERR_CONFLICT, NULL, "a rectification request is prepared while the filing is under review",
                "仅在审核中可以准备整改通知");
    } else {
        rc = store_rect_draft_put(c, j->id, j->who->user_id, j->items, j->comment, e);
    }
    json_decref(row);
    return rc;
}

json_t *review_draft_put(struct app *a, const struct principal *who, int64_t id, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"items", "comment", NULL};
    struct draft_job j = {who, id, NULL, NULL, false};
    if (input_known_keys(in, keys, e) || input_text(in, "comment", false, 4000, &j.comment, e)) return NULL;
    j.items = json_object_get(in, "items");
    if (!json_is_array(j.items) || json_array_size(j.items) > DRAFT_MAX_ITEMS) {
        err_set(e, ERR_VALIDATION, "/items", "items must be a list of at most 100 items, each {path, message}",
                "items 须为至多100个整改事项的列表，每项包含 path 和 message");
        return NULL;
    }
    if (review_items_check(a->pack, j.items, e) != 0) return NULL;
    if (store_write(a->store, draft_job_fn, &j, e) != 0) return NULL;
    return review_draft_get(a, who, id, e);
}

int review_draft_delete(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    struct draft_job j = {who, id, NULL, NULL, true};
    return store_write(a->store, draft_job_fn, &j, e);
}

int review_drafts_clear(struct store_conn *c, int64_t filing_id, struct err *e)
{
    return store_rect_drafts_clear(c, filing_id, e);
}
