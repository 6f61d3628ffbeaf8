/* timestamp.c — RFC 3339 timestamps to unix time (see timestamp.h). */
#include "core/timestamp.h"
#include "core/date.h"

#include <stdbool.h>
#include <string.h>

/* n decimal digits at s into *v; false when one is not a digit. */
static bool digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

int time_parse_rfc3339(const char *s, time_t *out)
{
    if (!s || strlen(s) < 20 || strlen(s) > 40) return -1;
    char day_text[11];
    memcpy(day_text, s, 10);
    day_text[10] = 0;
    day_t day;
    if (date_parse(day_text, &day) != 0) return -1;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return -1;
    int h, m, sec;
    if (!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &m) || s[16] != ':' || !digits(s + 17, 2, &sec))
        return -1;
    if (h > 23 || m > 59 || sec > 60) return -1;
    if (sec == 60) sec = 59;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') return -1;
        while (*p >= '0' && *p <= '9') p++;
    }
    long offset = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == 0) {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || !digits(p + 4, 2, &om) || oh > 23 || om > 59) return -1;
        offset = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
    } else {
        return -1;
    }
    *out = (time_t)day * 86400 + h * 3600 + m * 60 + sec - offset;
    return 0;
}
