/* postgres_schema.c — the schema of the PostgreSQL backend: the numbered migrations are those of
 * the SQLite store (migrations.c), one list for both, each translated here into PostgreSQL's
 * dialect when it is applied: INTEGER columns become BIGINT (an "id INTEGER PRIMARY KEY" a
 * BIGSERIAL), REAL DOUBLE PRECISION, BLOB BYTEA; the triggers that refuse changes (RAISE(ABORT))
 * call beian_refuse(); those that move the records' generation (migration 16) run once per
 * statement and call beian_records_moved(); the two expressions of migration 7 have their
 * PostgreSQL spelling. A migration that needs more than this must say so in its own words. */
#include "store/postgres_internal.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

const char *postgres_schema_preamble(void)
{
    return "CREATE OR REPLACE FUNCTION beian_refuse() RETURNS trigger LANGUAGE plpgsql AS "
           "$$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'P0001'; END $$;"
           /* SQLite's instr(), which the filing search uses */
           "CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT strpos($1, $2)';"
           /* material bytes, in chunks of at most 1 MiB (postgres_blobs.c) */
           "CREATE TABLE material_blobs(sha256 TEXT NOT NULL, chunk INTEGER NOT NULL, data BYTEA NOT NULL,"
           "  PRIMARY KEY (sha256, chunk));";
}

/* Replace every from in s (malloc'd) by to; a new string, s freed. */
static char *replace_all(char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *p = s; (p = strstr(p, from)); p += fl) n++;
    if (!n) return s;
    char *out = malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1), *o = out;
    const char *p = s, *q;
    while ((q = strstr(p, from))) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, tl);
        o += tl;
        p = q + fl;
    }
    strcpy(o, p);
    free(s);
    return out;
}

/* s (malloc'd) with the match at m replaced by repl; a new string, s freed. */
static char *splice(char *s, regmatch_t m, const char *repl)
{
    size_t head = (size_t)m.rm_so, rest = strlen(s + m.rm_eo);
    char *out = malloc(head + strlen(repl) + rest + 1);
    memcpy(out, s, head);
    strcpy(out + head, repl);
    strcat(out, s + m.rm_eo);
    free(s);
    return out;
}

/* CREATE TRIGGER t BEFORE UPDATE ON x BEGIN SELECT RAISE(ABORT, 'why'); END; → one calling beian_refuse('why'). */
static char *translate_triggers(char *s)
{
    regex_t re;
    if (regcomp(&re, "CREATE TRIGGER ([a-z_]+) BEFORE (UPDATE|DELETE) ON ([a-z_]+) +BEGIN SELECT RAISE\\(ABORT, "
                     "'([^']*)'\\); END;", REG_EXTENDED) != 0)
        return s;
    regmatch_t m[5];
    while (regexec(&re, s, 5, m, 0) == 0) {
        char repl[600];
        snprintf(repl, sizeof repl, "CREATE TRIGGER %.*s BEFORE %.*s ON %.*s FOR EACH ROW EXECUTE FUNCTION beian_refuse('%.*s');",
                 (int)(m[1].rm_eo - m[1].rm_so), s + m[1].rm_so, (int)(m[2].rm_eo - m[2].rm_so), s + m[2].rm_so,
                 (int)(m[3].rm_eo - m[3].rm_so), s + m[3].rm_so, (int)(m[4].rm_eo - m[4].rm_so), s + m[4].rm_so);
        s = splice(s, m[0], repl);
    }
    regfree(&re);
    return s;
}

/* CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE record_generation SET n = n + 1; END; → once per
 * statement, calling beian_records_moved(), which the first such migration defines. */
static char *translate_generation_triggers(char *s)
{
    static const char FN[] = "CREATE OR REPLACE FUNCTION beian_records_moved() RETURNS trigger LANGUAGE plpgsql AS "
                             "$$ BEGIN UPDATE record_generation SET n = n + 1; RETURN NULL; END $$;";
    regex_t re;
    if (regcomp(&re, "CREATE TRIGGER ([a-z_]+) AFTER (INSERT|UPDATE|DELETE) ON ([a-z_]+) BEGIN UPDATE "
                     "record_generation SET n = n \\+ 1; END;", REG_EXTENDED) != 0)
        return s;
    regmatch_t m[4];
    bool any = false;
    while (regexec(&re, s, 4, m, 0) == 0) {
        char repl[300];
        snprintf(repl, sizeof repl, "CREATE TRIGGER %.*s AFTER %.*s ON %.*s FOR EACH STATEMENT EXECUTE FUNCTION "
                 "beian_records_moved();", (int)(m[1].rm_eo - m[1].rm_so), s + m[1].rm_so,
                 (int)(m[2].rm_eo - m[2].rm_so), s + m[2].rm_so, (int)(m[3].rm_eo - m[3].rm_so), s + m[3].rm_so);
        s = splice(s, m[0], repl);
        any = true;
    }
    regfree(&re);
    if (!any) return s;
    char *out = malloc(sizeof FN + strlen(s));
    strcpy(out, FN);
    strcat(out, s);
    free(s);
    return out;
}

static bool is_word(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'; }

/* The column types, word by word, outside quoted text. */
static char *translate_types(const char *s)
{
    char *out = malloc(strlen(s) * 2 + 1), *o = out;
    char quote = 0;
    for (const char *p = s; *p;) {
        if (quote) {
            if (*p == quote) quote = 0;
            *o++ = *p++;
            continue;
        }
        if (*p == '\'' || *p == '"') { quote = *p; *o++ = *p++; continue; }
        if (!is_word(*p)) { *o++ = *p++; continue; }
        const char *w = p;
        while (is_word(*p)) p++;
        size_t len = (size_t)(p - w);
        const char *to = NULL;
        if (len == 2 && strncmp(w, "id", 2) == 0 && strncmp(p, " INTEGER PRIMARY KEY", 20) == 0) {
            to = "id BIGSERIAL PRIMARY KEY";
            p += 20;
        } else if (len == 7 && strncmp(w, "INTEGER", 7) == 0) to = "BIGINT";
        else if (len == 4 && strncmp(w, "REAL", 4) == 0) to = "DOUBLE PRECISION";
        else if (len == 4 && strncmp(w, "BLOB", 4) == 0) to = "BYTEA";
        if (to) {
            strcpy(o, to);
            o += strlen(to);
        } else {
            memcpy(o, w, len);
            o += len;
        }
    }
    *o = '\0';
    return out;
}

char *postgres_translate_ddl(const char *sqlite_ddl)
{
    char *s = strdup(sqlite_ddl);
    s = replace_all(s, "lower(hex(randomblob(8)))", "substr(md5(random()::text), 1, 16)");
    s = replace_all(s, "MIN(expires_at, CAST(strftime('%s','now') AS INTEGER)",
                    "LEAST(expires_at, CAST(extract(epoch FROM now()) AS INTEGER)");
    s = translate_triggers(s);
    s = translate_generation_triggers(s);
    char *out = translate_types(s);
    free(s);
    return out;
}
