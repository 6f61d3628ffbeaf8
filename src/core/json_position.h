/* json_position.h — where in a JSON text a JSON pointer (RFC 6901) points: the line and column of
 * the value, for tools that show findings in the file itself (SARIF regions, editors).
 *
 * Lines and columns count from 1. Columns count UTF-16 code units (SARIF's default columnKind,
 * what editors and code hosts use): a character outside the Basic Multilingual Plane counts two.
 * A line ends at LF, CR or CRLF. The end is the position just after the value (SARIF's
 * endColumn is exclusive). Pure: no I/O, no allocation beyond a key buffer. */
#ifndef BEIAN_JSON_POSITION_H
#define BEIAN_JSON_POSITION_H

#include <stdbool.h>
#include <stddef.h>

struct json_position {
    int line, column;          /* start of the value */
    int end_line, end_column;  /* just after the value */
    bool exact;                /* false: the pointer names nothing; this is the deepest value on its way */
};

/* Find pointer ("" is the whole document, "/a/0/b~1c" …) in text[0..len). When a member or
 * index the pointer names is missing, *out is the position of the nearest enclosing value that
 * exists (the parent object or array) with exact = false. 0 ok; -1 when the text is not JSON as
 * far as the walk reads it, or pointer is not a pointer (does not start with '/'). */
int json_position_find(const char *text, size_t len, const char *pointer, struct json_position *out);

#endif
