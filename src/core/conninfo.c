#include "config.h"

#include "conninfo.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

#define MASK "********"
#define UNPARSEABLE "(unparseable connection string: not shown)"

/* A dbname nested inside a dbname is as deep as anyone goes on purpose. */
#define MAX_DEPTH 2

int conninfo_is_uri(const char *s)
{
	/* The same prefixes, compared the same (case-sensitive) way, as libpq. */
	return s && (strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0);
}

/* libpq's keyword syntax: an unquoted value ends at white space and takes
 * backslash escapes, so anything unusual goes in single quotes. */
static bool needs_quotes(const char *v)
{
	if (!*v)
		return true;
	for (const char *c = v; *c; c++)
		if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r' || *c == '\f' || *c == '\v' ||
		    *c == '\'' || *c == '\\')
			return true;
	return false;
}

static void add_value(strbuf *sb, const char *v)
{
	if (!needs_quotes(v)) {
		sb_add(sb, v);
		return;
	}
	sb_addc(sb, '\'');
	for (const char *c = v; *c; c++) {
		if (*c == '\'' || *c == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *c);
	}
	sb_addc(sb, '\'');
}

/* A dbname may itself be a connection string (libpq expands it in
 * PQconnectdbParams), so it may carry a password of its own. */
static bool looks_like_conninfo(const char *v)
{
	return conninfo_is_uri(v) || strchr(v, '=') != NULL;
}

/* NULL when s cannot be parsed. */
static char *mask(const char *s, int depth)
{
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(s, &errmsg);
	/* The message may quote the input (a secret among it): never show it. */
	PQfreemem(errmsg);
	if (!opts)
		return NULL;
	strbuf sb = STRBUF_INIT;
	for (const PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (sb.len)
			sb_addc(&sb, ' ');
		sb_add(&sb, o->keyword);
		sb_addc(&sb, '=');
		if (o->dispchar && o->dispchar[0] == '*') {
			sb_add(&sb, MASK);
		} else if (strcmp(o->keyword, "dbname") == 0 && looks_like_conninfo(o->val)) {
			char *inner = depth < MAX_DEPTH ? mask(o->val, depth + 1) : NULL;
			add_value(&sb, inner ? inner : MASK);
			free(inner);
		} else {
			add_value(&sb, o->val);
		}
	}
	PQconninfoFree(opts);
	return sb_steal(&sb);
}

char *conninfo_mask(const char *conninfo)
{
	if (!conninfo || !*conninfo)
		return xstrdup("");
	char *out = mask(conninfo, 0);
	return out ? out : xstrdup(UNPARSEABLE);
}
