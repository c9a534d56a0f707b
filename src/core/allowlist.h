/* allowlist: known drift, each rule with its reason.
 *
 *   # KIND  OBJECT-GLOB  [ATTRIBUTE]  -- REASON
 *   table   public.ee_*               -- tables only the enterprise edition has
 *   column  public.*.created_at default -- the ORM sets it, not a SQL default
 *   *       legacy.*                  -- legacy schema, dropped in Q3
 *
 * KIND is an object kind or *; OBJECT-GLOB matches the object's qualified
 * name (* any run of characters, ? one character, \ quotes the next); an
 * ATTRIBUTE restricts the rule to that attribute's changes. The reason after
 * "--" is required. */
#ifndef TC_ALLOWLIST_H
#define TC_ALLOWLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct allow_rule {
	char *kind;      /* owned; "*" for any */
	char *pattern;   /* owned */
	char *attribute; /* owned; NULL for any */
	char *reason;    /* owned, never empty */
	int line;
	size_t matched;  /* how many drift items it allowed */
} allow_rule;

typedef struct allowlist {
	char *path; /* owned */
	allow_rule *rules;
	size_t n, cap;
} allowlist;

/* Parse; TC_ERR_USAGE "PATH:LINE: ..." for a malformed rule or one with no
 * reason. Free with allow_free. */
tc_status allow_parse(const char *text, size_t len, const char *path, allowlist *out,
		      tc_error *err);
tc_status allow_load(const char *path, allowlist *out, tc_error *err);
void allow_free(allowlist *a);

/* The first rule that allows this drift item, counting the match; NULL if
 * none. attribute NULL means the object itself (missing or extra). */
allow_rule *allow_match(allowlist *a, const char *kind, const char *object, const char *attribute);
/* Glob match as described above. */
bool allow_glob(const char *pattern, const char *s);

/* A rule as a line of the file (no newline): KIND, then `object` and
 * `attribute` (may be NULL) written so that they match exactly themselves
 * (wildcards, blanks and a lone "--" escaped), then " -- REASON" unless
 * reason is NULL (the form --only takes). Appends to out. */
struct strbuf;
void allow_format(struct strbuf *out, const char *kind, const char *object,
		  const char *attribute, const char *reason);

/* Append a rule to the file (creating it), written in the file's syntax
 * with the reason required; never rewrites existing lines. pattern is an
 * object name, written (allow_format) to match only that object. */
tc_status allow_append(const char *path, const char *kind, const char *pattern,
		       const char *attribute, const char *reason, tc_error *err);

#endif
