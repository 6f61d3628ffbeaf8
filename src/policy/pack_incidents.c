/* pack_incidents.c — incidents.json of a policy pack (optional): the grades of security
 * incidents with their report clocks, in real hours and days (not working days):
 *   {"source": {"zh","en"},
 *    "levels": [{"key", "label": {"zh","en"}, "first_report_hours": n, "closure_days": n}, …]}
 * first_report_hours: the first report is due that many hours after detection; closure_days: the
 * closure report that many days after detection. */
#include "policy/pack.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bool bilingual(const json_t *v)
{
    return json_is_string(json_object_get(v, "zh")) && json_string_length(json_object_get(v, "zh")) > 0 &&
           json_is_string(json_object_get(v, "en")) && json_string_length(json_object_get(v, "en")) > 0;
}

static bool key_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 40) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
    return true;
}

static int bad(struct err *e, const char *path, const char *what_en, const char *what_zh)
{
    char en[512], zh[512];
    snprintf(en, sizeof en, "Policy pack file %.300s: %s", path, what_en);
    snprintf(zh, sizeof zh, "策略包文件 %.300s：%s", path, what_zh);
    return err_set_text(e, ERR_VALIDATION, NULL, en, zh);
}

int pack_incidents_load(struct pack *p, const char *dir, struct err *e)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/incidents.json", dir);
    if (stat(path, &st) != 0) return 0;
    json_error_t jerr;
    p->incidents = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!p->incidents)
        return err_set(e, ERR_MALFORMED_JSON, NULL, "Policy pack file %s is not valid JSON (line %d): %s",
                       "策略包文件 %s 不是有效的 JSON（第%d行）：%s", path, jerr.line, jerr.text);
    if (!bilingual(json_object_get(p->incidents, "source")))
        return err_set(e, ERR_VALIDATION, NULL, "Policy pack file %s: \"source\" must cite the regulation in zh and en",
                       "策略包文件 %s：“source”须以中英文注明依据", path);
    const json_t *levels = json_object_get(p->incidents, "levels");
    if (!json_is_array(levels) || json_array_size(levels) == 0 || json_array_size(levels) > 16)
        return err_set(e, ERR_VALIDATION, NULL, "Policy pack file %s: \"levels\" must list 1 to 16 levels",
                       "策略包文件 %s：“levels”须列出1至16个事件级别", path);
    size_t i, k;
    const json_t *l, *o;
    json_array_foreach(levels, i, l) {
        const char *key = json_string_value(json_object_get(l, "key"));
        const json_t *h = json_object_get(l, "first_report_hours"), *d = json_object_get(l, "closure_days");
        if (!key_ok(key) || !bilingual(json_object_get(l, "label")))
            return bad(e, path, "every level needs a key (a-z, 0-9, _) and zh/en labels",
                       "每个事件级别须有 key（小写字母、数字、下划线）和中英文标签");
        if (!json_is_integer(h) || json_integer_value(h) < 1 || json_integer_value(h) > 720 || !json_is_integer(d) ||
            json_integer_value(d) < 1 || json_integer_value(d) > 3650)
            return bad(e, path, "first_report_hours (1..720) and closure_days (1..3650) must be integers",
                       "first_report_hours（1至720）与 closure_days（1至3650）须为整数");
        json_array_foreach(levels, k, o)
            if (k < i && strcmp(json_string_value(json_object_get(o, "key")), key) == 0)
                return bad(e, path, "two levels have the same key", "两个事件级别的 key 相同");
    }
    return 0;
}

const json_t *pack_incident_level(const struct pack *p, const char *key)
{
    size_t i;
    const json_t *l;
    if (!p || !p->incidents || !key) return NULL;
    json_array_foreach(json_object_get(p->incidents, "levels"), i, l)
        if (strcmp(json_string_value(json_object_get(l, "key")), key) == 0) return l;
    return NULL;
}
