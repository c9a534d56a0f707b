#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "allowlist.h"
#include "error.h"
#include "strbuf.h"

/* Parse a NUL-terminated text named "allow"; asserts success. */
static void parse_ok(const char *text, allowlist *a)
{
	tc_error err = TC_ERROR_INIT;
	tc_status st = allow_parse(text, strlen(text), "allow", a, &err);
	if (st != TC_OK)
		fail_msg("unexpected error: %s (hint: %s)", err.message, err.hint ? err.hint : "");
	assert_null(err.message);
}

static void assert_rule(const allow_rule *r, const char *kind, const char *pattern,
			const char *attribute, const char *reason, int line)
{
	assert_string_equal(r->kind, kind);
	assert_string_equal(r->pattern, pattern);
	if (attribute)
		assert_string_equal(r->attribute, attribute);
	else
		assert_null(r->attribute);
	assert_string_equal(r->reason, reason);
	assert_int_equal(r->line, line);
	assert_int_equal(r->matched, 0);
}

static const char valid_file[] =
	"# known drift between the editions\n"
	"\n"
	"table   public.ee_*               -- tables only the enterprise edition has\n"
	"column  public.*.created_at default -- the ORM sets it, not a SQL default\n"
	"   # indented comment\n"
	"*       legacy.*                  -- legacy schema, dropped in Q3  \n"
	"\tfunction\tpublic.touch(integer, text)\t--\tkept for old clients # not a comment\n"
	"table public.\"Weird Name\" comment -- a -- in the reason is text\n"
	"constraint public.\"a \"\"q\"\" b\".* check.\"my con\" -- quoted attribute\n"
	"materialized-view public.mv\\ 1 -- escaped blank\n"
	"grant public.t \"Some Role\" -- grants to a role with a blank\n"
	"index x\\*y -- escaped star";

static void test_valid_file(void **state)
{
	(void)state;
	allowlist a = {0};
	parse_ok(valid_file, &a);
	assert_string_equal(a.path, "allow");
	assert_int_equal(a.n, 9);
	assert_rule(&a.rules[0], "table", "public.ee_*", NULL,
		    "tables only the enterprise edition has", 3);
	assert_rule(&a.rules[1], "column", "public.*.created_at", "default",
		    "the ORM sets it, not a SQL default", 4);
	assert_rule(&a.rules[2], "*", "legacy.*", NULL, "legacy schema, dropped in Q3", 6);
	assert_rule(&a.rules[3], "function", "public.touch(integer, text)", NULL,
		    "kept for old clients # not a comment", 7);
	assert_rule(&a.rules[4], "table", "public.\"Weird Name\"", "comment",
		    "a -- in the reason is text", 8);
	assert_rule(&a.rules[5], "constraint", "public.\"a \"\"q\"\" b\".*", "check.\"my con\"",
		    "quoted attribute", 9);
	assert_rule(&a.rules[6], "materialized-view", "public.mv\\ 1", NULL, "escaped blank", 10);
	assert_rule(&a.rules[7], "grant", "public.t", "\"Some Role\"",
		    "grants to a role with a blank", 11);
	assert_rule(&a.rules[8], "index", "x\\*y", NULL, "escaped star", 12);

	allow_free(&a);
	assert_null(a.path);
	assert_null(a.rules);
	assert_int_equal(a.n, 0);
	allow_free(&a); /* twice is harmless */
	allow_free(NULL);
}

static void test_crlf_bom_and_empty(void **state)
{
	(void)state;
	allowlist a = {0};
	parse_ok("\xEF\xBB\xBF# windows\r\n"
		 "\r\n"
		 "table public.a -- first\r\n"
		 "view public.v comment -- second \r\n"
		 "enum public.e -- no final newline",
		 &a);
	assert_int_equal(a.n, 3);
	assert_rule(&a.rules[0], "table", "public.a", NULL, "first", 3);
	assert_rule(&a.rules[1], "view", "public.v", "comment", "second", 4);
	assert_rule(&a.rules[2], "enum", "public.e", NULL, "no final newline", 5);
	allow_free(&a);

	tc_error err = TC_ERROR_INIT;
	assert_int_equal(allow_parse("", 0, "allow", &a, &err), TC_OK);
	assert_int_equal(a.n, 0);
	assert_string_equal(a.path, "allow");
	allow_free(&a);
	assert_int_equal(allow_parse(NULL, 0, NULL, &a, &err), TC_OK);
	assert_string_equal(a.path, "(allowlist)");
	allow_free(&a);
	parse_ok("# only comments\n\n \t \n#\n", &a);
	assert_int_equal(a.n, 0);
	allow_free(&a);
	assert_null(err.message);
}

/* Every known kind is accepted (and they are the kinds of schema.h). */
static void test_all_kinds(void **state)
{
	(void)state;
	static const char *const kinds[] = {"*", "schema", "extension", "enum", "domain", "type",
		"sequence", "function", "table", "column", "constraint", "index", "view",
		"materialized-view", "trigger", "policy", "grant", "migration"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		char *text = NULL;
		assert_true(asprintf(&text, "%s x -- r\n", kinds[i]) > 0);
		allowlist a = {0};
		parse_ok(text, &a);
		assert_int_equal(a.n, 1);
		assert_string_equal(a.rules[0].kind, kinds[i]);
		allow_free(&a);
		free(text);
	}
}

static void test_long_line(void **state)
{
	(void)state;
	size_t n = 200000;
	char *text = malloc(n + 64);
	size_t k = (size_t)sprintf(text, "table public.");
	memset(text + k, 'x', n);
	k += n;
	k += (size_t)sprintf(text + k, " -- very long\n");
	allowlist a = {0};
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(allow_parse(text, k, "allow", &a, &err), TC_OK);
	assert_int_equal(a.n, 1);
	assert_int_equal(strlen(a.rules[0].pattern), strlen("public.") + n);
	assert_string_equal(a.rules[0].reason, "very long");
	/* The pattern names itself: no wildcards in it. */
	assert_true(allow_glob(a.rules[0].pattern, a.rules[0].pattern));
	allow_free(&a);
	free(text);
}

/* ------------------------------------------------------------ glob */

typedef struct glob_case {
	const char *pattern, *s;
	bool match;
} glob_case;

static const glob_case glob_cases[] = {
	/* literal, whole string, case-sensitive */
	{"public.users", "public.users", true},
	{"public.users", "public.user", false},
	{"public.user", "public.users", false},
	{"public.users", "xpublic.users", false},
	{"public.users", "Public.users", false},
	{"", "", true},
	{"", "a", false},
	{"a", "", false},
	/* prefix, suffix, middle */
	{"public.ee_*", "public.ee_billing", true},
	{"public.ee_*", "public.ee_", true},
	{"public.ee_*", "public.e_billing", false},
	{"public.ee_*", "other.ee_billing", false},
	{"*_audit", "public.orders_audit", true},
	{"*_audit", "public.orders_audit2", false},
	{"public.*.created_at", "public.users.created_at", true},
	{"public.*.created_at", "public.users.created_at_x", false},
	{"public.*.created_at", "public.users.updated_at", false},
	{"a*b*c", "abc", true},
	{"a*b*c", "aXbYc", true},
	{"a*b*c", "aXbYcZ", false},
	{"a*b*c", "acb", false},
	{"*", "", true},
	{"**", "anything.at.all", true},
	/* '*' crosses dots */
	{"legacy.*", "legacy.t.c", true},
	{"legacy*", "legacy.t", true},
	{"*.email", "public.users.email", true},
	{"*.email", "public.users.email_verified", false},
	/* quoted names: the quotes are part of the name */
	{"public.\"Weird Name\".*", "public.\"Weird Name\".col", true},
	{"public.\"Weird Name\".*", "public.weird_name.col", false},
	{"public.\"Weird*\"", "public.\"Weird Name\"", true},
	{"public.\"a \"\"q\"\" b\"", "public.\"a \"\"q\"\" b\"", true},
	{"public.\"a \"\"q\"\" b\"", "public.\"a \"q\" b\"", false},
	/* function names with argument lists */
	{"public.f(integer, text)", "public.f(integer, text)", true},
	{"public.f(integer, text)", "public.f(integer,text)", false},
	{"public.f(*)", "public.f(integer, text)", true},
	{"public.f(*)", "public.f()", true},
	{"public.f(*)", "public.fx(integer)", false},
	{"public.f*", "public.f(integer)", true},
	{"public.f(?)", "public.f()", false},
	/* '?' is one character, UTF-8 aware */
	{"public.t?", "public.t1", true},
	{"public.t?", "public.t", false},
	{"public.t?", "public.t12", false},
	{"caf?", "caf\xC3\xA9", true},              /* é: two bytes, one character */
	{"caf??", "caf\xC3\xA9", false},
	{"?", "\xE2\x82\xAC", true},               /* €: three bytes */
	{"?", "\xF0\x9F\x90\x98", true},           /* U+1F418: four bytes */
	{"??", "\xF0\x9F\x90\x98", false},
	{"?x", "\xF0\x9F\x90\x98x", true},
	{"*?", "\xC3\xA9", true},
	{"?", "\xC3", true},                       /* a stray byte is one character */
	{"??", "\xC3(", true},                     /* a lead byte without continuation */
	{"caf\xC3\xA9*", "caf\xC3\xA9s", true},
	/* escapes */
	{"x\\*y", "x*y", true},
	{"x\\*y", "xaby", false},
	{"x\\?y", "x?y", true},
	{"x\\?y", "xay", false},
	{"a\\\\b", "a\\b", true},
	{"a\\ b", "a b", true},
	{"\\a", "a", true},
	{"a\\", "a\\", true}, /* a trailing '\' stands for itself */
	{"\\**", "*star", true},
	{"\\**", "star", false},
	/* backtracking that a naive matcher gets wrong or slow */
	{"*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	{"*ab", "aab", true},
	{"*.t", "s.s.t", true},
	{"a*", "a", true},
};

static void test_glob(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof glob_cases / sizeof glob_cases[0]; i++) {
		const glob_case *c = &glob_cases[i];
		if (allow_glob(c->pattern, c->s) != c->match)
			fail_msg("case %zu: '%s' %s '%s'", i, c->pattern,
				 c->match ? "should match" : "should not match", c->s);
	}
	assert_false(allow_glob(NULL, "x"));
	assert_false(allow_glob("x", NULL));
}

/* ------------------------------------------------------------ match */

static void test_match(void **state)
{
	(void)state;
	allowlist a = {0};
	parse_ok("table public.ee_* -- enterprise only\n"            /* 0 */
		 "column public.*.created_at default -- ORM default\n" /* 1 */
		 "column public.users.* -- users columns\n"            /* 2 */
		 "* legacy.* -- legacy schema\n"                       /* 3 */
		 "table legacy.keep -- never reached: rule 3 is first\n" /* 4 */
		 "table public.\"Weird Name\" comment -- comment only\n" /* 5 */
		 "index public.never_* -- stale\n",                    /* 6 */
		 &a);

	allow_rule *r = allow_match(&a, "table", "public.ee_billing", NULL);
	assert_ptr_equal(r, &a.rules[0]);
	/* Any attribute of an object an object rule covers. */
	assert_ptr_equal(allow_match(&a, "table", "public.ee_billing", "comment"), &a.rules[0]);
	/* Kind must agree. */
	assert_null(allow_match(&a, "view", "public.ee_billing", NULL));
	assert_null(allow_match(&a, "table", "public.orders", NULL));

	/* An attribute rule: that attribute only, and never the object itself. */
	assert_ptr_equal(allow_match(&a, "column", "public.orders.created_at", "default"),
			 &a.rules[1]);
	assert_null(allow_match(&a, "column", "public.orders.created_at", "not_null"));
	assert_null(allow_match(&a, "column", "public.orders.created_at", NULL));
	assert_null(allow_match(&a, "column", "public.orders.created_at", "defaults"));
	/* First rule in file order wins: rule 1 before rule 2 for this one... */
	assert_ptr_equal(allow_match(&a, "column", "public.users.created_at", "default"),
			 &a.rules[1]);
	/* ...and rule 2 takes what rule 1 does not. */
	assert_ptr_equal(allow_match(&a, "column", "public.users.created_at", "type"), &a.rules[2]);
	assert_ptr_equal(allow_match(&a, "column", "public.users.created_at", NULL), &a.rules[2]);

	/* '*' kind covers every kind. */
	assert_ptr_equal(allow_match(&a, "table", "legacy.keep", NULL), &a.rules[3]);
	assert_ptr_equal(allow_match(&a, "function", "legacy.f(integer)", "volatility"),
			 &a.rules[3]);
	assert_ptr_equal(allow_match(&a, "schema", "legacy.", NULL), &a.rules[3]);
	assert_null(allow_match(&a, "schema", "legacy", NULL));

	assert_ptr_equal(allow_match(&a, "table", "public.\"Weird Name\"", "comment"), &a.rules[5]);
	assert_null(allow_match(&a, "table", "public.\"Weird Name\"", NULL));
	assert_null(allow_match(&a, "table", "public.\"weird name\"", "comment"));

	/* Counters: how often each rule allowed something; 0 means stale. */
	assert_int_equal(a.rules[0].matched, 2);
	assert_int_equal(a.rules[1].matched, 2);
	assert_int_equal(a.rules[2].matched, 2);
	assert_int_equal(a.rules[3].matched, 3);
	assert_int_equal(a.rules[4].matched, 0);
	assert_int_equal(a.rules[5].matched, 1);
	assert_int_equal(a.rules[6].matched, 0);

	/* Nothing to match against. */
	assert_null(allow_match(NULL, "table", "x", NULL));
	assert_null(allow_match(&a, NULL, "x", NULL));
	assert_null(allow_match(&a, "table", NULL, NULL));
	allowlist empty = {0};
	assert_null(allow_match(&empty, "table", "x", NULL));
	allow_free(&a);
}

/* ------------------------------------------------------------ errors */

typedef struct bad_case {
	const char *text;
	size_t len;        /* 0: strlen(text) */
	const char *where; /* "allow:N:" */
	const char *what;  /* a fragment of the message */
	const char *hint;  /* a fragment of the hint, or NULL (but a hint is required) */
} bad_case;

#define OK "table public.ok -- fine\n"
#define WITH_NUL(s) s, sizeof(s) - 1

static const bad_case bad_cases[] = {
	/* the reason */
	{"table public.users\n", 0, "allow:1:", "the rule has no reason",
	 "KIND OBJECT-GLOB [ATTRIBUTE] -- REASON"},
	{OK "table public.users --\n", 0, "allow:2:", "the rule has no reason", "-- REASON"},
	{OK "\n# c\ntable public.users --   \t \n", 0, "allow:4:", "the rule has no reason", NULL},
	{"table public.users --reason\n", 0, "allow:1:", "the rule has no reason", "stands alone"},
	{"table public.users tables only EE has\n", 0, "allow:1:", "the rule has no reason", NULL},
	{"table public.users-- r\n", 0, "allow:1:", "the rule has no reason", NULL},
	{"table public.users \\-- r\n", 0, "allow:1:", "the rule has no reason", NULL},
	/* a "--" inside quotes or parentheses is part of the name */
	{"table public.\"a -- b\"\n", 0, "allow:1:", "the rule has no reason", NULL},
	{"function public.f(a -- b)\n", 0, "allow:1:", "the rule has no reason", NULL},
	{"table public.\"a -- b\" -- \n", 0, "allow:1:", "the rule has no reason", NULL},
	/* the kind */
	{"tabel public.users -- r\n", 0, "allow:1:", "unknown kind 'tabel'",
	 "known kinds: * (any), schema, extension, enum"},
	{"Table public.users -- r\n", 0, "allow:1:", "unknown kind 'Table'",
	 "did you mean 'table'?"},
	{"tables public.users -- r\n", 0, "allow:1:", "unknown kind 'tables'",
	 "did you mean 'table'?"},
	{"indexes public.i -- r\n", 0, "allow:1:", "unknown kind 'indexes'",
	 "did you mean 'index'?"},
	{OK "matview public.mv -- r\n", 0, "allow:2:", "unknown kind 'matview'", "materialized-view"},
	{"** x -- r\n", 0, "allow:1:", "unknown kind '**'", "migration"},
	{"tabel public.users\n", 0, "allow:1:", "unknown kind 'tabel'", NULL},
	/* missing fields */
	{"table -- r\n", 0, "allow:1:", "the rule has no object pattern", "-- REASON"},
	{"* -- r\n", 0, "allow:1:", "the rule has no object pattern", NULL},
	{"-- r\n", 0, "allow:1:", "the rule has no kind or object pattern", NULL},
	{"  -- just a reason\n", 0, "allow:1:", "the rule has no kind or object pattern", NULL},
	/* too many fields */
	{"table public.Weird Name comment -- r\n", 0, "allow:1:",
	 "unexpected 'comment' after the attribute 'Name'", "at most one attribute"},
	{"column public.t.c default not_null -- r\n", 0, "allow:1:",
	 "unexpected 'not_null' after the attribute 'default'", "quote a name"},
	{"column a b c d e f -- r\n", 0, "allow:1:", "unexpected 'c' after the attribute 'b'", NULL},
	/* quotes */
	{"table public.\"Weird Name -- r\n", 0, "allow:1:", "unterminated quote in 'public.\"Weird'",
	 "close the quoted name"},
	{OK OK "table \"a\"\"b -- r\n", 0, "allow:3:", "unterminated quote", NULL},
	{"table a\\\"b\" -- r\n", 0, "allow:1:", "unterminated quote", "\\\""},
	{"column t.c check.\"x -- r\n", 0, "allow:1:", "unterminated quote in 'check.\"x'", NULL},
	/* parentheses */
	{"function public.f(integer -- r\n", 0, "allow:1:",
	 "unbalanced parentheses in 'public.f(integer'", "\\("},
	{"function public.f) -- r\n", 0, "allow:1:", "unbalanced parentheses in 'public.f)'", NULL},
	{"function public.f(a)) -- r\n", 0, "allow:1:", "unbalanced parentheses", NULL},
	{"function public.f((a) -- r\n", 0, "allow:1:", "unbalanced parentheses", NULL},
	/* escapes and wildcards in the attribute */
	{"table public.t\\\n", 0, "allow:1:", "'\\' at the end of the line", "\\\\"},
	{"table public.t\\\r\n", 0, "allow:1:", "'\\' at the end of the line", NULL},
	{"column public.t.c check.* -- r\n", 0, "allow:1:", "wildcard '*' in the attribute 'check.*'",
	 "leave it out"},
	{"column public.t.c defaul? -- r\n", 0, "allow:1:", "wildcard '?' in the attribute", "\\?"},
	/* bytes */
	{WITH_NUL("table public.a\0b -- r\n"), "allow:1:", "NUL byte", "plain text"},
	{WITH_NUL(OK "# c\0mment\n"), "allow:2:", "NUL byte", NULL},
	{WITH_NUL(OK "table t -- r\0\n"), "allow:2:", "NUL byte", NULL},
	/* line numbers stay right with CR LF and without a final newline */
	{"# c\r\n\r\n" OK "table x\r\n", 0, "allow:4:", "the rule has no reason", NULL},
	{OK OK OK "tabel x -- r", 0, "allow:4:", "unknown kind", NULL},
};

static void test_bad_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		allowlist a = {0};
		tc_error err = TC_ERROR_INIT;
		tc_status st = allow_parse(c->text, len, "allow", &a, &err);
		if (st != TC_ERR_USAGE)
			fail_msg("case %zu (%s): parsed, expected an error", i, c->what);
		assert_int_equal(err.status, TC_ERR_USAGE);
		assert_non_null(err.message);
		if (strncmp(err.message, c->where, strlen(c->where)) != 0)
			fail_msg("case %zu: message '%s' does not start with '%s'", i, err.message,
				 c->where);
		if (!strstr(err.message, c->what))
			fail_msg("case %zu: message '%s' lacks '%s'", i, err.message, c->what);
		if (!err.hint)
			fail_msg("case %zu: no hint for '%s'", i, err.message);
		if (c->hint && !strstr(err.hint, c->hint))
			fail_msg("case %zu: hint '%s' lacks '%s'", i, err.hint, c->hint);
		/* Nothing half-built is left behind. */
		assert_null(a.path);
		assert_null(a.rules);
		assert_int_equal(a.n, 0);
		tc_error_clear(&err);
	}
}

static void test_error_details(void **state)
{
	(void)state;
	allowlist a = {0};
	tc_error err = TC_ERROR_INIT;
	const char *text = "table public.users\n";
	assert_int_equal(allow_parse(text, strlen(text), "/etc/tc/allow", &a, &err), TC_ERR_USAGE);
	assert_string_equal(err.message, "/etc/tc/allow:1: the rule has no reason");
	tc_error_clear(&err);

	/* The kind hint lists every kind. */
	text = "colunm x -- r\n";
	assert_int_equal(allow_parse(text, strlen(text), "allow", &a, &err), TC_ERR_USAGE);
	assert_null(strstr(err.hint, "did you mean"));
	static const char *const kinds[] = {"schema", "extension", "enum", "domain", "type",
		"sequence", "function", "table", "column", "constraint", "index", "view",
		"materialized-view", "trigger", "policy", "grant", "migration"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strstr(err.hint, kinds[i]))
			fail_msg("kind hint lacks '%s': %s", kinds[i], err.hint);
	tc_error_clear(&err);

	/* A huge bad field is shortened in the message. */
	size_t n = 100000;
	char *big = malloc(n + 32);
	memset(big, 'k', n);
	strcpy(big + n, " x -- r\n");
	assert_int_equal(allow_parse(big, strlen(big), "allow", &a, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "allow:1: unknown kind 'kkk"));
	assert_true(strlen(err.message) < 200);
	free(big);
	tc_error_clear(&err);

	/* err may be NULL. */
	assert_int_equal(allow_parse("x\n", 2, "allow", &a, NULL), TC_ERR_USAGE);
	assert_null(a.rules);
}

/* ------------------------------------------------------------ files */

typedef struct fixture {
	char dir[64];
} fixture;

static int make_dir(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/tc_test_allow.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int remove_dir(void **state)
{
	fixture *f = *state;
	int rc = 0;
	DIR *d = opendir(f->dir);
	if (!d)
		rc = -1;
	for (struct dirent *de; d && (de = readdir(d));) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *p = NULL;
		if (asprintf(&p, "%s/%s", f->dir, de->d_name) < 0 || unlink(p) != 0)
			rc = -1;
		free(p);
	}
	if (d)
		closedir(d);
	if (rmdir(f->dir) != 0)
		rc = -1;
	free(f);
	return rc;
}

static char *file_path(const fixture *f, const char *name)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/%s", f->dir, name) > 0);
	return path;
}

static char *write_file(const fixture *f, const char *name, const char *text)
{
	char *path = file_path(f, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* The whole file; caller frees. */
static char *read_all(const char *path)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	long n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	char *buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void test_load(void **state)
{
	fixture *f = *state;
	char *path = write_file(f, "allow", valid_file);
	allowlist a = {0};
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(allow_load(path, &a, &err), TC_OK);
	assert_string_equal(a.path, path);
	assert_int_equal(a.n, 9);
	assert_string_equal(a.rules[3].pattern, "public.touch(integer, text)");
	allow_free(&a);

	/* A malformed file names the real path and the line. */
	char *bad = write_file(f, "bad", "# c\ntable public.x\n");
	char *want = NULL;
	assert_true(asprintf(&want, "%s:2: the rule has no reason", bad) > 0);
	assert_int_equal(allow_load(bad, &a, &err), TC_ERR_USAGE);
	assert_string_equal(err.message, want);
	assert_non_null(err.hint);
	assert_null(a.path);
	tc_error_clear(&err);
	free(want);
	free(bad);

	/* Missing: an error, since an allowlist is only ever named on purpose. */
	char *missing = file_path(f, "nope/allow");
	assert_int_equal(allow_load(missing, &a, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, missing));
	assert_non_null(strstr(err.message, "does not exist"));
	assert_non_null(strstr(err.hint, "--allowlist"));
	assert_null(a.path);
	tc_error_clear(&err);
	free(missing);

	/* Not a file. */
	assert_int_equal(allow_load(f->dir, &a, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, f->dir));
	assert_non_null(strstr(err.message, "Is a directory"));
	tc_error_clear(&err);
	free(path);
}

/* Root reads anything, so as root the check runs in a child that has
 * dropped to nobody; the child reports by exit status. */
static int unreadable_check(const char *path)
{
	allowlist a = {0};
	tc_error err = TC_ERROR_INIT;
	if (allow_load(path, &a, &err) != TC_ERR_USAGE)
		return 1;
	if (!strstr(err.message, path) || !strstr(err.message, "Permission denied"))
		return 2;
	tc_error_clear(&err);
	return 0;
}

static void test_load_unreadable(void **state)
{
	fixture *f = *state;
	char *path = write_file(f, "secret", "table x -- r\n");
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() != 0) {
		assert_int_equal(unreadable_check(path), 0);
	} else {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(3);
			_exit(unreadable_check(path));
		}
		int ws;
		assert_int_equal(waitpid(pid, &ws, 0), pid);
		assert_true(WIFEXITED(ws));
		assert_int_equal(WEXITSTATUS(ws), 0);
	}
	free(path);
}

/* ------------------------------------------------------------ append */

static void append_ok(const char *path, const char *kind, const char *pattern,
		      const char *attribute, const char *reason)
{
	tc_error err = TC_ERROR_INIT;
	tc_status st = allow_append(path, kind, pattern, attribute, reason, &err);
	if (st != TC_OK)
		fail_msg("append failed: %s (hint: %s)", err.message, err.hint ? err.hint : "");
	assert_null(err.message);
}

static void test_append_new_file(void **state)
{
	fixture *f = *state;
	char *path = file_path(f, "new");
	mode_t old = umask(022);
	append_ok(path, "table", "public.ee_billing", NULL, "  only the enterprise edition has it ");
	umask(old);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	char *text = read_all(path);
	assert_string_equal(text, "table public.ee_billing -- only the enterprise edition has it\n");
	free(text);

	append_ok(path, "column", "public.users.created_at", "default", "ORM default");
	append_ok(path, "*", "legacy.t", NULL, "legacy");
	text = read_all(path);
	assert_string_equal(text, "table public.ee_billing -- only the enterprise edition has it\n"
				  "column public.users.created_at default -- ORM default\n"
				  "* legacy.t -- legacy\n");
	free(text);

	allowlist a = {0};
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(allow_load(path, &a, &err), TC_OK);
	assert_int_equal(a.n, 3);
	assert_rule(&a.rules[1], "column", "public.users.created_at", "default", "ORM default", 2);
	assert_rule(&a.rules[2], "*", "legacy.t", NULL, "legacy", 3);
	allow_free(&a);
	free(path);
}

static void test_append_no_trailing_newline(void **state)
{
	fixture *f = *state;
	char *path = write_file(f, "old", "# hand-written\ntable public.a -- first");
	append_ok(path, "view", "public.v", NULL, "second");
	char *text = read_all(path);
	assert_string_equal(text, "# hand-written\ntable public.a -- first\nview public.v -- second\n");
	free(text);

	/* An empty existing file gets no blank line first. */
	char *empty = write_file(f, "empty", "");
	append_ok(empty, "enum", "public.e", NULL, "r");
	text = read_all(empty);
	assert_string_equal(text, "enum public.e -- r\n");
	free(text);

	/* Existing lines are never rewritten, even with CR LF. */
	char *crlf = write_file(f, "crlf", "table public.a -- first\r\n");
	append_ok(crlf, "view", "public.v", NULL, "second");
	text = read_all(crlf);
	assert_string_equal(text, "table public.a -- first\r\nview public.v -- second\n");
	free(text);

	allowlist a = {0};
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(allow_load(path, &a, &err), TC_OK);
	assert_int_equal(a.n, 2);
	assert_rule(&a.rules[1], "view", "public.v", NULL, "second", 3);
	allow_free(&a);
	free(crlf);
	free(empty);
	free(path);
}

typedef struct append_bad {
	const char *kind, *pattern, *attribute, *reason;
	const char *what;
} append_bad;

static void test_append_rejects(void **state)
{
	fixture *f = *state;
	char *path = write_file(f, "keep", "table public.a -- first\n");
	static const append_bad cases[] = {
		{"table", "public.t", NULL, "line one\nline two", "more than one line"},
		{"table", "public.t", NULL, "line one\r", "more than one line"},
		{"table", "public.t", NULL, "", "has no reason"},
		{"table", "public.t", NULL, "  \t ", "has no reason"},
		{"table", "public.t", NULL, NULL, "has no reason"},
		{"tabel", "public.t", NULL, "r", "unknown kind 'tabel'"},
		{NULL, "public.t", NULL, "r", "unknown kind"},
		{"table", "", NULL, "r", "empty object name"},
		{"table", NULL, NULL, "r", "empty object name"},
		{"table", "public.a\nb", NULL, "r", "line break"},
		{"column", "public.t.c", "", "r", "empty attribute"},
		{"column", "public.t.c", "a\nb", "r", "line break"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const append_bad *c = &cases[i];
		tc_error err = TC_ERROR_INIT;
		assert_int_equal(allow_append(path, c->kind, c->pattern, c->attribute, c->reason, &err),
				 TC_ERR_USAGE);
		if (!strstr(err.message, c->what))
			fail_msg("case %zu: message '%s' lacks '%s'", i, err.message, c->what);
		if (!err.hint)
			fail_msg("case %zu: no hint", i);
		tc_error_clear(&err);
	}
	char *text = read_all(path);
	assert_string_equal(text, "table public.a -- first\n"); /* untouched */
	free(text);

	/* A file that cannot be written names the path and the reason. */
	char *nodir = file_path(f, "nope/allow");
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(allow_append(nodir, "table", "x", NULL, "r", &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, nodir));
	assert_non_null(strstr(err.message, "No such file or directory"));
	assert_non_null(strstr(err.hint, "not saved"));
	tc_error_clear(&err);
	assert_int_equal(allow_append(f->dir, "table", "x", NULL, "r", &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "Is a directory"));
	tc_error_clear(&err);
	free(nodir);
	free(path);
}

typedef struct round_trip {
	const char *kind, *object, *attribute;
	const char *line;        /* as written to the file */
	const char *near_miss;   /* an object the rule must not match, or NULL */
} round_trip;

/* Drift items as the model names them, hostile ones included: the rule
 * saved for one must parse back and allow exactly that item. */
static const round_trip round_trips[] = {
	{"table", "public.users", NULL, "table public.users -- r\n", "public.users2"},
	{"column", "public.users.email", "default", "column public.users.email default -- r\n",
	 "public.users.emails"},
	{"table", "public.\"Weird Name\"", NULL, "table public.\"Weird Name\" -- r\n",
	 "public.\"Weird  Name\""},
	{"column", "public.\"Weird Name\".\"col\"\"q\"", "comment",
	 "column public.\"Weird Name\".\"col\"\"q\" comment -- r\n", NULL},
	{"table", "public.\"star*\"", NULL, "table public.\"star\\*\" -- r\n", "public.\"starry\""},
	{"table", "public.\"what?\"", NULL, "table public.\"what\\?\" -- r\n", "public.\"whatx\""},
	{"table", "public.\"back\\slash\"", NULL, "table public.\"back\\\\slash\" -- r\n", NULL},
	{"table", "public.\" -- \"", NULL, "table public.\" -- \" -- r\n", NULL},
	{"table", "public.\"a \"\" -- * b\"", NULL, "table public.\"a \"\" -- \\* b\" -- r\n",
	 "public.\"a \"\" -- x b\""},
	{"function", "public.f(integer, text)", NULL, "function public.f(integer, text) -- r\n",
	 "public.f(integer,text)"},
	{"function", "public.\"F n\"(\"My Type\", character varying)", "volatility",
	 "function public.\"F n\"(\"My Type\", character varying) volatility -- r\n", NULL},
	{"constraint", "public.t.c", "check.\"my con*\"",
	 "constraint public.t.c check.\"my con\\*\" -- r\n", NULL},
	{"grant", "public.t", "\"Some Role\"", "grant public.t \"Some Role\" -- r\n", NULL},
	/* Not as the model writes names: quotes and parentheses that do not
	 * pair up are escaped, and so is every blank. */
	{"table", "odd\"name with blank", NULL, "table odd\\\"name\\ with\\ blank -- r\n", NULL},
	{"table", "a)b (c", NULL, "table a\\)b\\ \\(c -- r\n", NULL},
	{"table", "plain with blanks", "at tr", "table plain\\ with\\ blanks at\\ tr -- r\n", NULL},
	{"table", "tab\there", NULL, "table tab\\\there -- r\n", NULL},
	{"table", " lead", NULL, "table \\ lead -- r\n", "lead"},
	{"table", "--", "--", "table \\-- \\-- -- r\n", NULL},
	{"table", "caf\xC3\xA9.\xE2\x82\xAC", NULL, "table caf\xC3\xA9.\xE2\x82\xAC -- r\n", NULL},
	{"table", "#hash", NULL, "table #hash -- r\n", NULL},
	{"migration", "public.tenantctl_schema_migrations.\"20260101000001\"", NULL,
	 "migration public.tenantctl_schema_migrations.\"20260101000001\" -- r\n", NULL},
};

static void test_append_round_trip(void **state)
{
	fixture *f = *state;
	for (size_t i = 0; i < sizeof round_trips / sizeof round_trips[0]; i++) {
		const round_trip *c = &round_trips[i];
		char *name = NULL;
		assert_true(asprintf(&name, "rt%zu", i) > 0);
		char *path = file_path(f, name);
		append_ok(path, c->kind, c->object, c->attribute, "r");
		char *text = read_all(path);
		if (strcmp(text, c->line) != 0)
			fail_msg("case %zu: wrote '%s', expected '%s'", i, text, c->line);
		free(text);

		allowlist a = {0};
		tc_error err = TC_ERROR_INIT;
		if (allow_load(path, &a, &err) != TC_OK)
			fail_msg("case %zu: %s", i, err.message);
		assert_int_equal(a.n, 1);
		assert_string_equal(a.rules[0].kind, c->kind);
		assert_string_equal(a.rules[0].reason, "r");
		if (c->attribute)
			assert_string_equal(a.rules[0].attribute, c->attribute);
		else
			assert_null(a.rules[0].attribute);
		if (allow_match(&a, c->kind, c->object, c->attribute) != &a.rules[0])
			fail_msg("case %zu: rule '%s' does not match '%s'", i, a.rules[0].pattern,
				 c->object);
		if (c->near_miss && allow_match(&a, c->kind, c->near_miss, c->attribute))
			fail_msg("case %zu: rule '%s' also matches '%s'", i, a.rules[0].pattern,
				 c->near_miss);
		assert_int_equal(a.rules[0].matched, 1);
		allow_free(&a);
		free(path);
		free(name);
	}
}

/* Many rules in a row, one per append, each parsed back in order. */
static void test_append_many(void **state)
{
	fixture *f = *state;
	char *path = file_path(f, "many");
	for (int i = 0; i < 50; i++) {
		char *obj = NULL, *why = NULL;
		assert_true(asprintf(&obj, "public.\"t %d*\"", i) > 0);
		assert_true(asprintf(&why, "reason %d -- with a dash", i) > 0);
		append_ok(path, i % 2 ? "table" : "*", obj, i % 3 ? NULL : "comment", why);
		free(obj);
		free(why);
	}
	allowlist a = {0};
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(allow_load(path, &a, &err), TC_OK);
	assert_int_equal(a.n, 50);
	for (int i = 0; i < 50; i++) {
		char *obj = NULL, *why = NULL;
		assert_true(asprintf(&obj, "public.\"t %d*\"", i) > 0);
		assert_true(asprintf(&why, "reason %d -- with a dash", i) > 0);
		assert_int_equal(a.rules[i].line, i + 1);
		assert_string_equal(a.rules[i].reason, why);
		assert_ptr_equal(allow_match(&a, "table", obj, "comment"), &a.rules[i]);
		free(obj);
		free(why);
	}
	allow_free(&a);
	free(path);
}

/* allow_format writes names that parse back to rules matching exactly
 * them; without a reason it is the form --only takes. */
static void test_format(void **state)
{
	(void)state;
	static const struct {
		const char *kind, *object, *attribute, *reason, *line;
	} cases[] = {
		{"index", "public.orgs_name_idx", NULL, "made by hand",
		 "index public.orgs_name_idx -- made by hand"},
		{"column", "public.orgs.plan", "default", NULL, "column public.orgs.plan default"},
		{"table", "public.\"a b*\"", NULL, "r", "table public.\"a b\\*\" -- r"},
		{"function", "public.f(integer, text)", "definition", "x",
		 "function public.f(integer, text) definition -- x"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strbuf sb = STRBUF_INIT;
		allow_format(&sb, cases[i].kind, cases[i].object, cases[i].attribute, cases[i].reason);
		assert_string_equal(sb_str(&sb), cases[i].line);
		if (!cases[i].reason)
			sb_add(&sb, " -- only");
		allowlist a;
		tc_error err = TC_ERROR_INIT;
		assert_int_equal(allow_parse(sb_str(&sb), sb.len, "t", &a, &err), TC_OK);
		assert_int_equal(a.n, 1);
		assert_non_null(allow_match(&a, cases[i].kind, cases[i].object, cases[i].attribute));
		/* exactly that object: a sibling does not match */
		assert_null(allow_match(&a, cases[i].kind, "public.other", cases[i].attribute));
		allow_free(&a);
		sb_free(&sb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_valid_file),
		cmocka_unit_test(test_crlf_bom_and_empty),
		cmocka_unit_test(test_all_kinds),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_error_details),
		cmocka_unit_test_setup_teardown(test_load, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_unreadable, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_append_new_file, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_append_no_trailing_newline, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_append_rejects, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_append_round_trip, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_append_many, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
