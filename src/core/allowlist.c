#include "config.h"

#include "allowlist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lex.h"
#include "schema.h"
#include "strbuf.h"
#include "xalloc.h"

/*
 * Syntax, one rule per line:
 *
 *   KIND  OBJECT-GLOB  [ATTRIBUTE]  --  REASON
 *
 *   - lines end at LF; a CR before the LF is dropped; a UTF-8 BOM is skipped;
 *   - blank lines and lines whose first non-blank is '#' are comments; there
 *     are no trailing comments (a '#' after "--" belongs to the reason);
 *   - fields are separated by blanks (spaces, tabs); inside double quotes and
 *     inside parentheses blanks do not separate, so public."Weird Name".x and
 *     public.f(integer, text) are one field each; '\' takes the next
 *     character literally everywhere (also inside quotes);
 *   - the first field that is exactly "--" (not quoted, not escaped) ends
 *     the fields; the rest of the line, trimmed, is the reason;
 *   - OBJECT-GLOB is kept as written: its quotes are part of the name it
 *     matches, its escapes are the glob's;
 *   - ATTRIBUTE is compared exactly, after its escapes are removed; an
 *     unescaped '*' or '?' in it is an error (it would never match).
 * Bytes are not checked for UTF-8: names from a SQL_ASCII database may hold
 * any byte but NUL, and a rule must be able to name them.
 */

/* The kinds a rule may name: the model's own list, so a new kind is known
 * here as soon as the catalog reads it. */
#define known_kinds sch_kinds
#define N_KNOWN_KINDS sch_n_kinds

#define SYNTAX_HINT                                                                              \
	"write rules as KIND OBJECT-GLOB [ATTRIBUTE] -- REASON, e.g. "                            \
	"'table public.ee_* -- tables only the enterprise edition has'"

static bool kind_known(const char *kind)
{
	if (strcmp(kind, "*") == 0)
		return true;
	for (size_t i = 0; i < N_KNOWN_KINDS; i++)
		if (strcmp(known_kinds[i], kind) == 0)
			return true;
	return false;
}

/* "Table" or "tables" for "table", "indexes" for "index". */
static const char *kind_guess(const char *kind)
{
	size_t n = strlen(kind);
	for (size_t i = 0; i < N_KNOWN_KINDS; i++) {
		const char *k = known_kinds[i];
		size_t kn = strlen(k);
		if (strcasecmp(k, kind) == 0)
			return k;
		if ((n == kn + 1 && strncasecmp(k, kind, kn) == 0 && (kind[kn] | 0x20) == 's') ||
		    (n == kn + 2 && strncasecmp(k, kind, kn) == 0 && strcasecmp(kind + kn, "es") == 0))
			return k;
	}
	return NULL;
}

static void hint_kinds(tc_error *err, const char *kind)
{
	strbuf sb = STRBUF_INIT;
	const char *guess = kind ? kind_guess(kind) : NULL;
	if (guess)
		sb_addf(&sb, "did you mean '%s'? ", guess);
	sb_add(&sb, "known kinds: * (any)");
	for (size_t i = 0; i < N_KNOWN_KINDS; i++)
		sb_addf(&sb, ", %s", known_kinds[i]);
	tc_hint(err, "%s", sb_str(&sb));
	sb_free(&sb);
}

/* ------------------------------------------------------------ glob */

/* Bytes in the UTF-8 character at s: 1 for ASCII and for anything that is
 * not a well-formed sequence, so a stray byte is still one "character". */
static size_t utf8_len(const unsigned char *s)
{
	size_t len;
	if (s[0] < 0xC2 || s[0] > 0xF4)
		return 1;
	len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xC0) != 0x80) /* also stops at the NUL */
			return 1;
	return len;
}

bool allow_glob(const char *pattern, const char *s)
{
	/* Backtrack only to the last '*': each '*' can only grow, so this is
	 * O(len(pattern) * len(s)) however many stars there are. */
	const char *p = pattern, *star_p = NULL, *star_s = NULL;
	if (!pattern || !s)
		return false;
	while (*s) {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p == '?') {
			p++;
			s += utf8_len((const unsigned char *)s);
			continue;
		}
		const char *lit = p;
		if (*p == '\\' && p[1]) /* a trailing '\' stands for itself */
			lit = p + 1;
		if (*lit && *lit == *s) {
			p = lit + 1;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		star_s += utf8_len((const unsigned char *)star_s);
		s = star_s;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* ------------------------------------------------------------ the parser */

typedef struct parser {
	const char *path;
	int line;
	tc_error *err;
} parser;

#define perr(p, ...) tc_fail_at((p)->err, TC_ERR_USAGE, (p)->path, (p)->line, __VA_ARGS__)

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && is_blank(**b))
		(*b)++;
	while (*e > *b && is_blank((*e)[-1]))
		(*e)--;
}

/* Some of the offending text for a message, without flooding it. */
static char *excerpt(const char *b, const char *e)
{
	size_t n = (size_t)(e - b);
	if (n <= 40)
		return xstrndup(b, n);
	n = 40;
	while (n > 0 && ((unsigned char)b[n] & 0xC0) == 0x80) /* a whole UTF-8 character */
		n--;
	char *cut = xstrndup(b, n);
	char *out = xasprintf("%s...", cut);
	free(cut);
	return out;
}

typedef struct token {
	const char *b, *e;
} token;

/* The next field at *c (blanks skipped); *c moves past it. An empty token
 * means the end of the line. */
static tc_status next_token(parser *p, const char **c, const char *e, token *t)
{
	const char *s = *c;
	while (s < e && is_blank(*s))
		s++;
	t->b = s;
	bool quoted = false;
	int depth = 0;
	for (; s < e; s++) {
		if (*s == '\\') {
			if (s + 1 == e) {
				perr(p, "'\\' at the end of the line escapes nothing");
				tc_hint(p->err, "write \\\\ for a literal backslash");
				return TC_ERR_USAGE;
			}
			s++;
		} else if (*s == '"') {
			quoted = !quoted;
		} else if (quoted) {
			continue;
		} else if (*s == '(') {
			depth++;
		} else if (*s == ')') {
			if (--depth < 0)
				break;
		} else if (depth == 0 && is_blank(*s)) {
			break;
		}
	}
	if (quoted || depth != 0) {
		/* Show the field up to the next blank: the whole rest of the
		 * line would hide which field is broken. */
		const char *te = t->b;
		while (te < e && !is_blank(*te))
			te++;
		char *shown = excerpt(t->b, te);
		if (quoted) {
			perr(p, "unterminated quote in '%s'", shown);
			tc_hint(p->err, "close the quoted name with '\"' (a '\"' inside a name is written "
					"'\"\"', as in SQL); write \\\" for a quote that is not one");
		} else {
			perr(p, "unbalanced parentheses in '%s'", shown);
			tc_hint(p->err, "close each '(' with ')' as in public.f(integer, text); "
					"write \\( or \\) for a literal parenthesis");
		}
		free(shown);
		return TC_ERR_USAGE;
	}
	t->e = s;
	*c = s;
	return TC_OK;
}

static bool token_is(const token *t, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(t->e - t->b) == n && memcmp(t->b, s, n) == 0;
}

/* The attribute as compared: escapes removed. NULL (after an error) when it
 * holds a wildcard, which would never match. */
static char *parse_attribute(parser *p, const token *t)
{
	strbuf sb = STRBUF_INIT;
	for (const char *s = t->b; s < t->e; s++) {
		if (*s == '*' || *s == '?') {
			sb_free(&sb);
			char *shown = excerpt(t->b, t->e);
			perr(p, "wildcard '%c' in the attribute '%s'", *s, shown);
			free(shown);
			tc_hint(p->err, "an attribute is matched exactly: leave it out to allow every "
					"change of the object, or write \\%c for a literal '%c'",
				*s, *s);
			return NULL;
		}
		if (*s == '\\')
			s++; /* next_token saw to it that something follows */
		sb_addc(&sb, *s);
	}
	return sb_steal(&sb);
}

static tc_status parse_line(parser *p, allowlist *a, const char *b, const char *e)
{
	if (memchr(b, '\0', (size_t)(e - b))) {
		perr(p, "NUL byte in line");
		tc_hint(p->err, "the allowlist must be plain text; is this the right file?");
		return TC_ERR_USAGE;
	}
	trim(&b, &e);
	if (b == e || *b == '#')
		return TC_OK;

	/* The fields before "--": kind, glob, attribute, and one more to
	 * report (a blank in a name, or a forgotten "--"). */
	token f[4];
	size_t n = 0;
	const char *c = b, *reason_b = NULL;
	for (;;) {
		token t;
		if (next_token(p, &c, e, &t) != TC_OK)
			return TC_ERR_USAGE;
		if (t.b == t.e)
			break;
		if (token_is(&t, "--")) {
			reason_b = t.e;
			break;
		}
		if (n < 4)
			f[n++] = t;
	}

	char *kind = NULL;
	if (n > 0) {
		kind = xstrndup(f[0].b, (size_t)(f[0].e - f[0].b));
		if (!kind_known(kind)) {
			char *shown = excerpt(f[0].b, f[0].e);
			perr(p, "unknown kind '%s'", shown);
			free(shown);
			hint_kinds(p->err, kind);
			free(kind);
			return TC_ERR_USAGE;
		}
	}
	const char *reason_e = e;
	if (reason_b)
		trim(&reason_b, &reason_e);
	if (!reason_b || reason_b == reason_e) {
		free(kind);
		perr(p, "the rule has no reason");
		tc_hint(p->err, "%s; the \"--\" stands alone between blanks, and the reason says "
				"why this drift is expected",
			SYNTAX_HINT);
		return TC_ERR_USAGE;
	}
	if (n < 2) {
		free(kind);
		perr(p, "the rule has no %s", n == 0 ? "kind or object pattern" : "object pattern");
		tc_hint(p->err, "%s; use * as the KIND for any kind of object", SYNTAX_HINT);
		return TC_ERR_USAGE;
	}
	if (n > 3) {
		free(kind);
		char *extra = excerpt(f[3].b, f[3].e);
		char *attr = excerpt(f[2].b, f[2].e);
		perr(p, "unexpected '%s' after the attribute '%s'", extra, attr);
		free(extra);
		free(attr);
		tc_hint(p->err, "a rule has at most one attribute; quote a name with blanks "
				"(public.\"Weird Name\") or escape the blank (\\ ), and put the reason "
				"after \" -- \"");
		return TC_ERR_USAGE;
	}
	char *attribute = NULL;
	if (n == 3 && !(attribute = parse_attribute(p, &f[2]))) {
		free(kind);
		return TC_ERR_USAGE;
	}
	a->rules = xgrow(a->rules, &a->cap, a->n + 1, sizeof *a->rules);
	a->rules[a->n++] = (allow_rule){
		.kind = kind,
		.pattern = xstrndup(f[1].b, (size_t)(f[1].e - f[1].b)),
		.attribute = attribute,
		.reason = xstrndup(reason_b, (size_t)(reason_e - reason_b)),
		.line = p->line,
		.matched = 0,
	};
	return TC_OK;
}

tc_status allow_parse(const char *text, size_t len, const char *path, allowlist *out,
		      tc_error *err)
{
	allowlist a = {0};
	parser p = {path ? path : "(allowlist)", 0, err};
	*out = (allowlist){0};
	if (!text) {
		text = "";
		len = 0;
	}
	const char *c = text, *end = text + len;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		c += 3;
	while (c < end) {
		p.line++;
		const char *nl = memchr(c, '\n', (size_t)(end - c));
		const char *le = nl ? nl : end;
		if (le > c && le[-1] == '\r')
			le--;
		if (parse_line(&p, &a, c, le) != TC_OK) {
			allow_free(&a);
			return TC_ERR_USAGE;
		}
		c = nl ? nl + 1 : end;
	}
	a.path = xstrdup(p.path);
	*out = a;
	return TC_OK;
}

tc_status allow_load(const char *path, allowlist *out, tc_error *err)
{
	*out = (allowlist){0};
	/* Given explicitly, so a typo must not turn into "nothing is allowed"
	 * in a CI gate: a missing file is an error. */
	strbuf sb = STRBUF_INIT;
	tc_status st = lex_read_file(path, "allowlist", "check the path given with --allowlist or "
				     "the target's allowlist setting; an empty file allows nothing",
				     &sb, err);
	if (st == TC_OK)
		st = allow_parse(sb_str(&sb), sb.len, path, out, err);
	sb_free(&sb);
	return st;
}

void allow_free(allowlist *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->rules[i].kind);
		free(a->rules[i].pattern);
		free(a->rules[i].attribute);
		free(a->rules[i].reason);
	}
	free(a->rules);
	free(a->path);
	*a = (allowlist){0};
}

allow_rule *allow_match(allowlist *a, const char *kind, const char *object, const char *attribute)
{
	if (!a || !kind || !object)
		return NULL;
	for (size_t i = 0; i < a->n; i++) {
		allow_rule *r = &a->rules[i];
		if (strcmp(r->kind, "*") != 0 && strcmp(r->kind, kind) != 0)
			continue;
		/* A rule for one attribute does not cover the whole object
		 * going missing or appearing. */
		if (r->attribute && (!attribute || strcmp(r->attribute, attribute) != 0))
			continue;
		if (!allow_glob(r->pattern, object))
			continue;
		r->matched++;
		return r;
	}
	return NULL;
}

/* ------------------------------------------------------------ appending */

/* Write `name` as a field that parses back to exactly it: as a glob (the
 * pattern) it matches only `name`; as an attribute it unescapes to `name`.
 * Quotes and parentheses stay readable when they pair up, as in names
 * written by the schema model; otherwise they are escaped too. */
static void add_literal_field(strbuf *sb, const char *name)
{
	bool quoted = false, paired = true;
	int depth = 0;
	for (const char *s = name; *s && paired; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == '(')
			depth++;
		else if (!quoted && *s == ')' && --depth < 0)
			paired = false;
	}
	paired = paired && !quoted && depth == 0;

	if (strcmp(name, "--") == 0) {
		sb_add(sb, "\\--"); /* else it would end the fields */
		return;
	}
	quoted = false;
	depth = 0;
	for (const char *s = name; *s; s++) {
		bool esc = *s == '\\' || *s == '*' || *s == '?';
		if (paired) {
			if (*s == '"')
				quoted = !quoted;
			else if (!quoted && *s == '(')
				depth++;
			else if (!quoted && *s == ')')
				depth--;
			else if (!quoted && depth == 0 && is_blank(*s))
				esc = true;
		} else if (*s == '"' || *s == '(' || *s == ')' || is_blank(*s)) {
			esc = true;
		}
		if (esc)
			sb_addc(sb, '\\');
		sb_addc(sb, *s);
	}
}

void allow_format(strbuf *out, const char *kind, const char *object, const char *attribute,
		  const char *reason)
{
	sb_add(out, kind);
	sb_addc(out, ' ');
	add_literal_field(out, object);
	if (attribute) {
		sb_addc(out, ' ');
		add_literal_field(out, attribute);
	}
	if (reason) {
		sb_add(out, " -- ");
		sb_add(out, reason);
	}
}

static bool one_line(const char *s)
{
	return !strpbrk(s, "\r\n");
}

static tc_status append_fail(tc_error *err, const char *path, const char *what, int e)
{
	tc_fail(err, TC_ERR_USAGE, "cannot %s allowlist %s: %s", what, path, strerror(e));
	tc_hint(err, "check that the directory exists and the file is writable; "
		     "the rule was not saved");
	return TC_ERR_USAGE;
}

tc_status allow_append(const char *path, const char *kind, const char *pattern,
		       const char *attribute, const char *reason, tc_error *err)
{
	if (!kind || !kind_known(kind)) {
		tc_fail(err, TC_ERR_USAGE, "cannot add an allowlist rule for unknown kind '%s'",
			kind ? kind : "");
		hint_kinds(err, kind);
		return TC_ERR_USAGE;
	}
	if (!pattern || !*pattern || !one_line(pattern)) {
		tc_fail(err, TC_ERR_USAGE, "cannot add an allowlist rule for %s",
			pattern && *pattern ? "an object name with a line break" : "an empty object name");
		tc_hint(err, "name the object the rule allows, as the drift report shows it");
		return TC_ERR_USAGE;
	}
	if (attribute && (!*attribute || !one_line(attribute))) {
		tc_fail(err, TC_ERR_USAGE, "cannot add an allowlist rule for %s",
			*attribute ? "an attribute with a line break" : "an empty attribute");
		tc_hint(err, "give the attribute as the drift report shows it, or none for the "
			     "whole object");
		return TC_ERR_USAGE;
	}
	const char *rb = reason ? reason : "", *re = rb + strlen(rb);
	trim(&rb, &re);
	if (rb == re || !one_line(reason)) {
		tc_fail(err, TC_ERR_USAGE, "the allowlist rule for %s %s %s", kind, pattern,
			rb == re ? "has no reason" : "has a reason of more than one line");
		tc_hint(err, "say in one line why this drift is expected, e.g. 'tables only the "
			     "enterprise edition has'");
		return TC_ERR_USAGE;
	}

	strbuf line = STRBUF_INIT;
	char *why = xstrndup(rb, (size_t)(re - rb));
	allow_format(&line, kind, pattern, attribute, why);
	free(why);
	sb_addc(&line, '\n');

	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		sb_free(&line);
		return append_fail(err, path, "open", e);
	}
	/* Serialise with other tenantctl sessions saving rules, so the
	 * missing-newline check and the write go together. Advisory and
	 * best effort: a file system without locks still gets the write. */
	(void)flock(fd, LOCK_EX);
	struct stat st;
	const char *what = "write";
	int e = 0;
	if (fstat(fd, &st) != 0) {
		e = errno;
		what = "inspect";
		goto fail;
	}
	if (st.st_size > 0) {
		char last;
		ssize_t r = pread(fd, &last, 1, st.st_size - 1);
		if (r != 1) {
			e = r < 0 ? errno : EIO;
			what = "read";
			goto fail;
		}
		if (last != '\n') {
			/* Prefix the line: one write still carries the whole rule. */
			strbuf nl = STRBUF_INIT;
			sb_addc(&nl, '\n');
			sb_addn(&nl, line.data, line.len);
			sb_free(&line);
			line = nl;
		}
	}
	ssize_t w = write(fd, line.data, line.len);
	if (w != (ssize_t)line.len) {
		e = w < 0 ? errno : ENOSPC;
		/* Take back half a rule rather than leave it to break the file. */
		if (w > 0 && ftruncate(fd, st.st_size) != 0) {
			/* nothing more to do: the error below says it failed */
		}
		goto fail;
	}
	if (fsync(fd) != 0) {
		e = errno;
		what = "sync";
		goto fail;
	}
	sb_free(&line);
	if (close(fd) != 0)
		return append_fail(err, path, "close", errno);
	return TC_OK;
fail:
	sb_free(&line);
	close(fd);
	return append_fail(err, path, what, e);
}
