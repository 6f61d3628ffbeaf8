/* cli_rule_help.h — what the CLI tells about each rule a finding can name: the built-in rules of
 * the form schema and the engine (FORM-*, POLICY-CLASSIFY) and the pack's own, with a longer
 * description and a link into the docs (docs/rules.md, generated from the pack by
 * `beian policy rules --markdown`). Used by SARIF output (cmd_validate.c) and the rules doc. */
#ifndef BEIAN_CLI_RULE_HELP_H
#define BEIAN_CLI_RULE_HELP_H

#include <stdio.h>
#include <jansson.h>
#include "policy/pack.h"

/* A new array of every rule, built-in ones first: [{"id","severity","title":{zh,en},
 * "description":{zh,en},"source","overridable","paths":[…]}]. */
json_t *rule_help_catalogue(const struct pack *p);

/* Where the repository's files are published: $BEIAN_DOCS_URL (e.g.
 * https://git.example.org/beian/blob/main), else file:// of the source tree beian was built from.
 * No trailing slash. */
const char *rule_help_docs_base(void);

/* The URI of a rule's entry in docs/rules.md, and of the README (the tool's information URI). */
void rule_help_uri(const char *rule_id, char *out, size_t cap);
void rule_help_information_uri(char *out, size_t cap);

/* Percent-encode a file path as a URI reference (RFC 3986): a relative path stays relative
 * ("./" dropped), an absolute one becomes file:///… Unreserved characters and '/' stay as they
 * are. 0 ok; -1 when it does not fit. */
int rule_help_path_uri(const char *path, char *out, size_t cap);

/* docs/rules.md: every rule of the catalogue, each under an anchor rule_help_uri points to. */
void rule_help_print_markdown(FILE *out, const struct pack *p);

#endif
