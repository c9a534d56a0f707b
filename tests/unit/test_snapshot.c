#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "schema.h"
#include "snapshot.h"
#include "strbuf.h"
#include "xalloc.h"

#define H "tenantctl-schema-snapshot 1 server 15\n"

static char *write_model(const sch_model *m)
{
	strbuf sb = STRBUF_INIT;
	snapshot_write(m, &sb);
	return sb_steal(&sb);
}

/* Parse text that must be valid; fails the test with the message if not. */
static void parse_ok(const char *text, size_t len, sch_model *out)
{
	tc_error err = TC_ERROR_INIT;
	tc_status st = snapshot_parse(text, len, "t.snap", out, &err);
	if (st != TC_OK)
		fail_msg("parse failed: %s (hint: %s)", err.message, err.hint ? err.hint : "-");
	tc_error_clear(&err);
}

/* write -> parse -> write gives the same bytes; returns the first write. */
static char *assert_round_trip(const sch_model *m)
{
	char *first = write_model(m);
	sch_model back;
	parse_ok(first, strlen(first), &back);
	char *second = write_model(&back);
	assert_string_equal(second, first);
	free(second);
	sch_free(&back);
	return first;
}

/* ------------------------------------------------------------ writing */

static void test_write_small_exact(void **state)
{
	(void)state;
	sch_model m;
	sch_init(&m);
	m.server_major = 15;
	sch_note_not_read(&m, "privileges (off; --privileges)");
	/* Added out of order, never sorted: the writer's order must not care. */
	sch_obj *o = sch_add(&m, "table", "public.users");
	sch_set(o, "rows", "1200", SCH_INFO);
	sch_set(o, "kind", "table", 0);
	sch_set(o, "comment", "Users\\of the app\nline two\r", 0);
	o = sch_add(&m, "column", "public.users.email");
	sch_set(o, "type", "text", 0);
	sch_set(o, "position", "2", SCH_INFO);
	sch_set(o, "not_null", "true", 0);
	sch_set(o, "default", "''::text", SCH_DEPARSED);
	sch_set(o, "comment", "", 0);
	sch_add(&m, "schema", "public");
	o = sch_add(&m, "function", "public.touch(integer, text)");
	sch_set(o, "volatility", "volatile", 0);

	char *text = write_model(&m);
	assert_string_equal(text, "tenantctl-schema-snapshot 1 server 15\n"
				  "# not read: privileges (off; --privileges)\n"
				  "column public.users.email\n"
				  "column public.users.email comment =\n"
				  "column public.users.email default ~= ''::text\n"
				  "column public.users.email not_null = true\n"
				  "column public.users.email position := 2\n"
				  "column public.users.email type = text\n"
				  "function public.touch(integer, text)\n"
				  "function public.touch(integer, text) volatility = volatile\n"
				  "schema public\n"
				  "table public.users\n"
				  "table public.users comment = Users\\\\of the app\\nline two\\r\n"
				  "table public.users kind = table\n"
				  "table public.users rows := 1200\n");

	/* And it reads back to the same model. */
	sch_model back;
	parse_ok(text, strlen(text), &back);
	assert_int_equal(back.format_version, 1);
	assert_int_equal(back.server_major, 15);
	assert_string_equal(back.source, "t.snap");
	assert_true(back.sorted);
	assert_int_equal(back.n_not_read, 1);
	assert_string_equal(back.not_read[0], "privileges (off; --privileges)");
	assert_int_equal(back.n, 4);
	const sch_obj *u = sch_find(&back, "table", "public.users");
	assert_non_null(u);
	assert_string_equal(sch_get(u, "comment"), "Users\\of the app\nline two\r");
	assert_int_equal(sch_attr_find(u, "rows")->flags, SCH_INFO);
	const sch_obj *c = sch_find(&back, "column", "public.users.email");
	assert_non_null(c);
	assert_string_equal(sch_get(c, "comment"), "");
	assert_string_equal(sch_get(c, "default"), "''::text");
	assert_int_equal(sch_attr_find(c, "default")->flags, SCH_DEPARSED);
	assert_int_equal(sch_attr_find(c, "type")->flags, 0);
	sch_free(&back);
	free(text);
	sch_free(&m);
}

static void test_write_empty_model(void **state)
{
	(void)state;
	sch_model m;
	sch_init(&m);
	m.server_major = 17;
	char *text = assert_round_trip(&m);
	assert_string_equal(text, "tenantctl-schema-snapshot 1 server 17\n");
	free(text);
	sch_free(&m);
}

/* ------------------------------------------------------------ round trip */

typedef struct kv {
	const char *key, *value;
	unsigned flags;
} kv;

static const kv hostile_attrs[] = {
	{"comment", "back\\slash \\n not a newline \\\\ two", 0},
	{"definition", "SELECT 1\nFROM t\r\nWHERE a = 'x'\n", SCH_DEPARSED},
	{"default", " = inside = the value ~= and := too ", SCH_DEPARSED},
	{"rows", "", SCH_INFO},
	{"type", "\ttab\tstays literal\t", 0},
	{"check.\"My Check\"", "CHECK ((a > 0))", SCH_DEPARSED},
	{"check.\"a = b\"", "= b", SCH_DEPARSED},
	{"field.\"x ~= y\"", "text", 0},
	{"field.\"q\"\"uote\"", "héllo ✓ ünïcødé", 0},
	{"\"Role With Space\"", "SELECT, UPDATE", 0},
	{"trailing", "ends in a space ", 0},
	{"leading", " starts with one", 0},
	{"only_backslash", "\\", 0},
	{"only_newline", "\n", 0},
	{"cr_only", "\r", 0},
	{"looks_escaped", "\\r\\n\\\\", 0},
	{"equals", "=", 0},
	{"z", " := ", SCH_INFO},
};

static const char *hostile_idents[] = {
	"My Table",
	"a\"b",
	"dots.in.name",
	"x = y",
	"k ~= v",
	"k := v",
	"ünïcødé ✓",
	"select",
	"UPPER",
	"tab\there",
	"cr\rhere",
	"back\\",
	"t",
	"t ",
	"t.",
	"(paren",
	"\"",
	"\"\"",
	" ",
	"123",
	"a$b",
};

static const char *hostile_functions[] = {
	"public.f(integer, \"My Type\", numeric(10,2))",
	"public.\"odd (name\"(text)",
	"public.g(a \"quoted)paren\"[], b character varying(3))",
	"public.h()",
	"public.n(numeric(10,(2)), \"((\"[])",
	"\"My Schema\".\"Fn\"(\"x = y\" integer)",
	"public.touch(integer, text)",
};

static void build_hostile(sch_model *m)
{
	sch_init(m);
	m->server_major = 16;
	sch_note_not_read(m, "privileges (off; --privileges)");
	sch_note_not_read(m, "odd \\ text\nwith a newline");
	const size_t ni = sizeof hostile_idents / sizeof *hostile_idents;
	const size_t na = sizeof hostile_attrs / sizeof *hostile_attrs;
	for (size_t i = 0; i < ni; i++) {
		char *tbl = sch_qualify("public", hostile_idents[i]);
		sch_obj *o = sch_add(m, "table", tbl);
		for (size_t k = 0; k < na; k++)
			sch_set(o, hostile_attrs[(k + i) % na].key, hostile_attrs[(k + i) % na].value,
				hostile_attrs[(k + i) % na].flags);
		for (size_t j = 0; j < ni; j++) {
			char *col = sch_qualify3(hostile_idents[j], hostile_idents[i], hostile_idents[j]);
			o = sch_add(m, "column", col);
			sch_set(o, "type", hostile_attrs[j % na].value, 0);
			sch_set(o, "default", hostile_attrs[i % na].value, SCH_DEPARSED);
			free(col);
		}
		free(tbl);
		char *sch = sch_qualify(hostile_idents[i], "x");
		sch_add(m, "schema", sch);
		free(sch);
	}
	char *long_name = xmalloc(301);
	memset(long_name, 'q', 300);
	long_name[300] = '\0';
	char *q = sch_qualify("public", long_name);
	sch_set(sch_add(m, "materialized-view", q), "definition", long_name, SCH_DEPARSED);
	free(q);
	free(long_name);
	for (size_t i = 0; i < sizeof hostile_functions / sizeof *hostile_functions; i++) {
		sch_obj *o = sch_add(m, "function", hostile_functions[i]);
		for (size_t k = 0; k < na; k++)
			sch_set(o, hostile_attrs[k].key, hostile_attrs[k].value, hostile_attrs[k].flags);
	}
	/* Quoted though it could be bare: a different name from public.t. */
	sch_set(sch_add(m, "table", "public.\"t\""), "comment", "quoted though plain", 0);
	sch_add(m, "migration", "public.tenantctl_schema_migrations.\"20260101000001\"");
}

static void assert_models_equal(sch_model *a, const sch_model *b)
{
	assert_int_equal(sch_sort(a, NULL), TC_OK);
	assert_int_equal(a->server_major, b->server_major);
	assert_int_equal(a->n_not_read, b->n_not_read);
	for (size_t i = 0; i < a->n_not_read; i++)
		assert_string_equal(a->not_read[i], b->not_read[i]);
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const sch_obj *x = &a->objs[i], *y = &b->objs[i];
		assert_string_equal(x->kind, y->kind);
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->n, y->n);
		for (size_t k = 0; k < x->n; k++) {
			assert_string_equal(x->attrs[k].key, y->attrs[k].key);
			assert_string_equal(x->attrs[k].value, y->attrs[k].value);
			assert_int_equal(x->attrs[k].flags, y->attrs[k].flags);
		}
	}
}

static void test_round_trip_hostile(void **state)
{
	(void)state;
	sch_model m;
	build_hostile(&m);
	char *text = assert_round_trip(&m);
	sch_model back;
	parse_ok(text, strlen(text), &back);
	assert_models_equal(&m, &back);

	/* Spot checks on what the file looks like. */
	assert_non_null(strstr(text, "\ntable public.\"My Table\" check.\"a = b\" ~= = b\n"));
	assert_non_null(strstr(text, "\ntable public.\"My Table\" rows :=\n"));
	assert_non_null(
		strstr(text, "\nfunction public.\"odd (name\"(text) comment = back\\\\slash \\\\n not a "
			     "newline \\\\\\\\ two\n"));
	assert_non_null(strstr(text, "\n# not read: odd \\\\ text\\nwith a newline\n"));
	assert_non_null(strstr(text, "\ntable public.\"a\"\"b\"\n"));
	assert_non_null(strstr(text, "\ntable public.\"tab\there\" type = \ttab\tstays literal\t\n"));
	/* A name with a carriage return inside its quotes stays raw. */
	assert_non_null(strstr(text, "\ntable public.\"cr\rhere\"\n"));
	free(text);
	sch_free(&back);
	sch_free(&m);
}

static void test_determinism(void **state)
{
	(void)state;
	sch_model a, b;
	build_hostile(&a);
	/* b: the same objects and attributes, added in reverse. */
	sch_init(&b);
	b.server_major = a.server_major;
	for (size_t i = 0; i < a.n_not_read; i++)
		sch_note_not_read(&b, a.not_read[i]);
	for (size_t i = a.n; i-- > 0;) {
		sch_obj *o = sch_add(&b, a.objs[i].kind, a.objs[i].name);
		for (size_t k = a.objs[i].n; k-- > 0;)
			sch_set(o, a.objs[i].attrs[k].key, a.objs[i].attrs[k].value,
				a.objs[i].attrs[k].flags);
	}
	char *ta = write_model(&a), *tb = write_model(&b);
	assert_string_equal(ta, tb);
	/* Sorting first changes nothing either. */
	assert_int_equal(sch_sort(&b, NULL), TC_OK);
	char *tc = write_model(&b);
	assert_string_equal(ta, tc);
	free(ta);
	free(tb);
	free(tc);
	sch_free(&a);
	sch_free(&b);
}

/* ------------------------------------------------------------ reading */

static void test_comments_blank_not_read(void **state)
{
	(void)state;
	const char *text = H "# written by hand\n"
			     "# not read: privileges (off; --privileges)\n"
			     "\n"
			     "schema public\n"
			     "   \n"
			     "#not read: this is just a comment\n"
			     "# not read: grants\\nsecond line\n"
			     "schema public comment = hi\n";
	sch_model m;
	parse_ok(text, strlen(text), &m);
	assert_int_equal(m.n_not_read, 2);
	assert_string_equal(m.not_read[0], "privileges (off; --privileges)");
	assert_string_equal(m.not_read[1], "grants\nsecond line");
	assert_int_equal(m.n, 1);
	char *out = write_model(&m);
	assert_string_equal(out, H "# not read: privileges (off; --privileges)\n"
				   "# not read: grants\\nsecond line\n"
				   "schema public\n"
				   "schema public comment = hi\n");
	free(out);
	sch_free(&m);
}

static void test_crlf(void **state)
{
	(void)state;
	const char *lf = H "# not read: x\n"
			   "table public.t\n"
			   "table public.t comment = a\\r\\nb\n"
			   "table public.t kind = table\n";
	const char *crlf = "tenantctl-schema-snapshot 1 server 15\r\n"
			   "# not read: x\r\n"
			   "\r\n"
			   "table public.t\r\n"
			   "table public.t comment = a\\r\\nb\r\n"
			   "table public.t kind = table";
	sch_model a, b;
	parse_ok(lf, strlen(lf), &a);
	parse_ok(crlf, strlen(crlf), &b);
	assert_string_equal(b.not_read[0], "x");
	assert_string_equal(sch_get(&b.objs[0], "comment"), "a\r\nb");
	assert_string_equal(sch_get(&b.objs[0], "kind"), "table");
	char *ta = write_model(&a), *tb = write_model(&b);
	assert_string_equal(ta, lf);
	assert_string_equal(tb, lf);
	free(ta);
	free(tb);
	sch_free(&a);
	sch_free(&b);
}

static void test_empty_values_and_unsorted(void **state)
{
	(void)state;
	/* "KEY =" and "KEY = " both mean empty; objects in any order; an
	 * attribute may follow another object's lines (found by lookup);
	 * attributes out of order. */
	const char *text = H "table public.b\n"
			     "table public.a\n"
			     "table public.b rows := \n"
			     "table public.a kind = table\n"
			     "table public.a comment =\n"
			     "table public.b comment ~= x = y\n"
			     "table public.a aaa = 1\n";
	sch_model m;
	parse_ok(text, strlen(text), &m);
	const sch_obj *a = sch_find(&m, "table", "public.a");
	const sch_obj *b = sch_find(&m, "table", "public.b");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(sch_get(b, "rows"), "");
	assert_int_equal(sch_attr_find(b, "rows")->flags, SCH_INFO);
	assert_string_equal(sch_get(b, "comment"), "x = y");
	assert_int_equal(sch_attr_find(b, "comment")->flags, SCH_DEPARSED);
	assert_string_equal(sch_get(a, "comment"), "");
	assert_int_equal(a->n, 3);
	assert_string_equal(a->attrs[0].key, "aaa");
	assert_string_equal(a->attrs[1].key, "comment");
	assert_string_equal(a->attrs[2].key, "kind");
	char *out = write_model(&m);
	assert_string_equal(out, H "table public.a\n"
				   "table public.a aaa = 1\n"
				   "table public.a comment =\n"
				   "table public.a kind = table\n"
				   "table public.b\n"
				   "table public.b comment ~= x = y\n"
				   "table public.b rows :=\n");
	free(out);
	sch_free(&m);
}

typedef struct bad_case {
	const char *what;
	const char *text;
	size_t len; /* 0: strlen */
	int line;
	const char *message; /* a part of the message after "t.snap:LINE: " */
	const char *hint;    /* a part of the hint, or NULL */
} bad_case;

/* Text with a NUL inside: the literal and its length. */
#define LIT(s) s, sizeof(s) - 1

static const bad_case bad_cases[] = {
	{"empty file", "", 0, 1, "not a tenantctl schema snapshot", "tenantctl schema dump"},
	{"not a snapshot", "CREATE TABLE t ();\n", 0, 1, "not a tenantctl schema snapshot",
	 "tenantctl-schema-snapshot VERSION server MAJOR"},
	{"header without server", "tenantctl-schema-snapshot 1\n", 0, 1,
	 "not a tenantctl schema snapshot", NULL},
	{"header with junk", "tenantctl-schema-snapshot 1 server 15 x\n", 0, 1,
	 "not a tenantctl schema snapshot", NULL},
	{"version zero", "tenantctl-schema-snapshot 0 server 15\n", 0, 1,
	 "not a tenantctl schema snapshot", NULL},
	{"header after a comment", "# hi\n" H, 0, 1, "not a tenantctl schema snapshot", NULL},
	{"future version", "tenantctl-schema-snapshot 2 server 15\nschema public\n", 0, 1,
	 "snapshot format version 2 is newer than this tenantctl reads (up to 1)", "upgrade tenantctl"},
	{"unknown line shape", H "schema public\nCREATE TABLE t;\n", 0, 3,
	 "expected 'KIND NAME' or 'KIND NAME KEY = VALUE'", "comment starting with '#'"},
	{"kind alone", H "schema\n", 0, 2, "expected 'KIND NAME'", NULL},
	{"leading space", H " schema public\n", 0, 2, "expected 'KIND NAME'", NULL},
	{"unterminated quoted name", H "schema public\ntable public.\"oops\n", 0, 3,
	 "unterminated quoted identifier in the name", "write \"\" for a quote"},
	{"unterminated quoted key", H "table public.t\ntable public.t check.\"x = y\n", 0, 3,
	 "unterminated quoted identifier in the attribute name", NULL},
	{"empty quoted identifier", H "table public.\"\"\n", 0, 2, "empty quoted identifier", NULL},
	{"unbalanced parens", H "function public.f(integer, numeric(10,2)\n", 0, 2,
	 "unbalanced parentheses in the argument list (integer, numeric(10,2) of the name",
	 "close every '('"},
	{"quote inside parens left open", H "function public.f(\"a)\n", 0, 2,
	 "unterminated quoted identifier in the name", NULL},
	{"extra closing paren", H "function public.f(integer))\n", 0, 2,
	 "unexpected ')' after the name public.f(integer)", NULL},
	{"upper case bare name", H "table public.Users\n", 0, 2, "unexpected 'U' in the name public.Users",
	 "double quotes"},
	{"trailing dot", H "table public.\n", 0, 2, "missing part in the name public.", NULL},
	{"trailing space on an object line", H "table public.t \n", 0, 2,
	 "missing part in the attribute name", NULL},
	{"upper case key", H "table public.t\ntable public.t Comment = x\n", 0, 3,
	 "unexpected 'C' in the attribute name Comment", NULL},
	{"missing operator", H "table public.t\ntable public.t comment hello\n", 0, 3,
	 "expected ' = ', ' ~= ' or ' := ' after comment", "KIND NAME KEY = VALUE"},
	{"key alone", H "table public.t\ntable public.t comment\n", 0, 3,
	 "expected ' = ', ' ~= ' or ' := ' after comment", NULL},
	{"operator glued to value", H "table public.t\ntable public.t comment =x\n", 0, 3,
	 "expected ' = ', ' ~= ' or ' := ' after comment", NULL},
	{"double space", H "table public.t\ntable public.t comment  = x\n", 0, 3,
	 "expected ' = ', ' ~= ' or ' := ' after comment", NULL},
	{"unknown operator", H "table public.t\ntable public.t comment != x\n", 0, 3,
	 "expected ' = ', ' ~= ' or ' := ' after comment", NULL},
	{"attribute without object", H "schema public\ntable public.t comment = x\n", 0, 3,
	 "attribute of table public.t, which has no line of its own", "add the line 'table public.t'"},
	{"attribute before object", H "schema public\ntable public.t comment = x\n\ntable public.t\n",
	 0, 3, "attribute of table public.t comes before the object's own line (line 5)",
	 "move line 5"},
	{"duplicate object", H "table public.t\ntable public.u\r\ntable public.t\n", 0, 4,
	 "table public.t appears twice (first on line 2)", "keep one"},
	{"duplicate attribute", H "table public.t\ntable public.t comment = a\ntable public.t comment ~= b\n",
	 0, 4, "second value for attribute comment of table public.t", "keep one of the two lines"},
	{"duplicate attribute out of order",
	 H "table public.t\ntable public.t rows := 1\ntable public.t comment = a\ntable public.t kind = "
	   "x\ntable public.u\ntable public.t rows := 2\n",
	 0, 7, "second value for attribute rows of table public.t", NULL},
	{"NUL byte", LIT(H "table public.t\ntable public.t comment = a\0b\n"), 3,
	 "NUL byte in the file", "plain text"},
	{"NUL byte in a comment", LIT(H "# \0\n"), 2, "NUL byte in the file", NULL},
	{"bad escape", H "table public.t\ntable public.t comment = a\\qb\n", 0, 3,
	 "bad escape '\\q' in the value of comment", "\\\\ for a backslash"},
	{"lone backslash", H "table public.t\n\ntable public.t comment = a\\\n", 0, 4,
	 "the value of comment ends in a lone backslash", NULL},
	{"bad escape in not read", H "# not read: C:\\path\n", 0, 2,
	 "bad escape '\\p' in the '# not read:' line", NULL},
	{"error line counted through CRLF",
	 "tenantctl-schema-snapshot 1 server 15\r\n\r\nschema public\r\nschema x y\r\n", 0, 4, "expected ' = ', ' ~= ' or ' := ' after y", NULL},
};

static void test_parse_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
		const bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		sch_model m;
		tc_error err = TC_ERROR_INIT;
		tc_status st = snapshot_parse(c->text, len, "t.snap", &m, &err);
		if (st != TC_ERR_USAGE)
			fail_msg("%s: expected TC_ERR_USAGE, got %d", c->what, (int)st);
		char prefix[32];
		snprintf(prefix, sizeof prefix, "t.snap:%d: ", c->line);
		if (strncmp(err.message, prefix, strlen(prefix)) != 0 || !strstr(err.message, c->message))
			fail_msg("%s: message \"%s\", expected \"%s%s\"", c->what, err.message, prefix,
				 c->message);
		if (c->hint && (!err.hint || !strstr(err.hint, c->hint)))
			fail_msg("%s: hint \"%s\", expected to contain \"%s\"", c->what,
				 err.hint ? err.hint : "(none)", c->hint);
		assert_int_equal(m.n, 0);
		assert_int_equal(m.n_not_read, 0);
		assert_null(m.source);
		tc_error_clear(&err);
		sch_free(&m);
	}
}

/* ------------------------------------------------------------ files */

static void test_load_and_looks_like(void **state)
{
	(void)state;
	char path[] = "/tmp/test_snapshot_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = H "schema public\nschema public comment = x\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);

	assert_true(snapshot_looks_like(path));
	sch_model m;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(snapshot_load(path, &m, &err), TC_OK);
	assert_string_equal(m.source, path);
	assert_int_equal(m.n, 1);
	assert_string_equal(sch_get(&m.objs[0], "comment"), "x");
	sch_free(&m);

	/* A file that is not a snapshot. */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("postgresql://db/app\n", f);
	fclose(f);
	assert_false(snapshot_looks_like(path));
	assert_int_equal(snapshot_load(path, &m, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, ":1: not a tenantctl schema snapshot"));
	assert_int_equal(strncmp(err.message, path, strlen(path)), 0);
	tc_error_clear(&err);

	/* Shorter than the magic. */
	f = fopen(path, "w");
	fputs("tenantctl", f);
	fclose(f);
	assert_false(snapshot_looks_like(path));
	unlink(path);

	assert_false(snapshot_looks_like(path));
	assert_false(snapshot_looks_like("/tmp"));
	assert_false(snapshot_looks_like("postgresql://localhost/db"));

	assert_int_equal(snapshot_load(path, &m, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, path));
	assert_non_null(strstr(err.message, "does not exist"));
	assert_non_null(strstr(err.hint, "schema dump -o FILE"));
	assert_non_null(err.hint);
	assert_int_equal(m.n, 0);
	tc_error_clear(&err);

	assert_int_equal(snapshot_load("/tmp", &m, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "/tmp"));
	assert_non_null(strstr(err.message, strerror(EISDIR)));
	tc_error_clear(&err);
	sch_free(&m);
}

/* ------------------------------------------------------------ scale */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 10,000 tables of five columns, a check constraint, a partial index, a
 * trigger and a policy each: about the benchmark's shape. Timings are printed, not asserted. */
static void test_scale(void **state)
{
	(void)state;
	sch_model m;
	sch_init(&m);
	m.server_major = 16;
	sch_add(&m, "schema", "public");
	char name[128], buf[256];
	for (int t = 0; t < 10000; t++) {
		snprintf(name, sizeof name, "public.t%05d", t);
		sch_obj *o = sch_add(&m, "table", name);
		sch_set(o, "kind", "table", 0);
		sch_set(o, "persistence", "permanent", 0);
		sch_set(o, "rls", "false", 0);
		sch_set(o, "rows", "-1", SCH_INFO);
		static const char *cols[] = {"id", "org_id", "name", "created_at", "payload"};
		static const char *types[] = {"bigint", "bigint", "text",
					      "timestamp with time zone", "jsonb"};
		for (int c = 0; c < 5; c++) {
			snprintf(name, sizeof name, "public.t%05d.%s", t, cols[c]);
			o = sch_add(&m, "column", name);
			snprintf(buf, sizeof buf, "%d", c + 1);
			sch_set(o, "position", buf, SCH_INFO);
			sch_set(o, "type", types[c], 0);
			sch_set(o, "not_null", c < 2 ? "true" : "false", 0);
			if (c == 3)
				sch_set(o, "default", "now()", SCH_DEPARSED);
			if (c == 4)
				sch_set(o, "comment", "free-form\nnotes", 0);
		}
		snprintf(name, sizeof name, "public.t%05d.t%05d_name_check", t, t);
		o = sch_add(&m, "constraint", name);
		sch_set(o, "type", "check", 0);
		sch_set(o, "definition", "CHECK ((length(name) < 200))", SCH_DEPARSED);
		snprintf(name, sizeof name, "public.t%05d_org_idx", t);
		o = sch_add(&m, "index", name);
		snprintf(buf, sizeof buf, "public.t%05d", t);
		sch_set(o, "table", buf, 0);
		sch_set(o, "unique", "false", 0);
		sch_set(o, "method", "btree", 0);
		snprintf(buf, sizeof buf,
			 "CREATE INDEX t%05d_org_idx ON public.t%05d USING btree (org_id) WHERE "
			 "(name IS NOT NULL)",
			 t, t);
		sch_set(o, "definition", buf, SCH_DEPARSED);
		snprintf(name, sizeof name, "public.t%05d.audit", t);
		o = sch_add(&m, "trigger", name);
		sch_set(o, "enabled", "origin", 0);
		snprintf(buf, sizeof buf,
			 "CREATE TRIGGER audit AFTER UPDATE ON public.t%05d FOR EACH ROW EXECUTE "
			 "FUNCTION public.audit()",
			 t);
		sch_set(o, "definition", buf, SCH_DEPARSED);
		snprintf(name, sizeof name, "public.t%05d.own_rows", t);
		o = sch_add(&m, "policy", name);
		sch_set(o, "command", "all", 0);
		sch_set(o, "permissive", "true", 0);
		sch_set(o, "roles", "app", 0);
		sch_set(o, "using", "(org_id = (current_setting('app.org'::text))::bigint)", SCH_DEPARSED);
		sch_set(o, "with_check", "", SCH_DEPARSED);
	}
	size_t nattrs = 0;
	for (size_t i = 0; i < m.n; i++)
		nattrs += m.objs[i].n;

	double t0 = now();
	char *unsorted = write_model(&m);
	double t1 = now();
	assert_int_equal(sch_sort(&m, NULL), TC_OK);
	double t2 = now();
	char *text = write_model(&m);
	double t3 = now();
	sch_model back;
	parse_ok(text, strlen(text), &back);
	double t4 = now();
	char *again = write_model(&back);
	assert_string_equal(again, text);
	assert_string_equal(unsorted, text);
	assert_int_equal(back.n, m.n);

	print_message("scale: %zu objects, %zu attributes, %.1f MB: write unsorted %.0f ms, "
		      "sort model %.0f ms, write sorted %.0f ms, parse %.0f ms\n",
		      m.n, nattrs, (double)strlen(text) / 1e6, (t1 - t0) * 1e3, (t2 - t1) * 1e3,
		      (t3 - t2) * 1e3, (t4 - t3) * 1e3);
	free(unsorted);
	free(text);
	free(again);
	sch_free(&back);
	sch_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_small_exact),
		cmocka_unit_test(test_write_empty_model),
		cmocka_unit_test(test_round_trip_hostile),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_comments_blank_not_read),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_empty_values_and_unsorted),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_load_and_looks_like),
		cmocka_unit_test(test_scale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
