#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "sqlsplit.h"

#define NO_TX SQL_NO_TX
#define TX SQL_TX_CONTROL
#define ENUMV SQL_ADD_ENUM_VALUE
#define MAX_STMTS 24

typedef struct want_stmt {
	const char *text;
	int line;
	unsigned flags;
} want_stmt;

typedef struct split_case {
	const char *name;
	const char *sql;
	int version;
	size_t n;
	want_stmt stmts[MAX_STMTS];
} split_case;

static const split_case cases[] = {
	{"semicolons inside every quoting form",
	 "SELECT ';';\n"
	 "SELECT 'it''s; fine', '''';\n"
	 "SELECT E'\\'';\n"
	 "SELECT E'\\';x', e'a\\\\';\n"
	 "SELECT 'C:\\';\n"
	 "SELECT U&'d;\\0061' UESCAPE '\\';\n"
	 "SELECT \"a;b\"\"c\" FROM t;\n"
	 "SELECT U&\"x;y\" FROM t;\n"
	 "SELECT $$a;b$$, $x_1$ ; $$ ; $x_1$;\n"
	 "SELECT b'1;', x'ff', n'n;';\n",
	 0,
	 10,
	 {
		 {"SELECT ';'", 1, 0},
		 {"SELECT 'it''s; fine', ''''", 2, 0},
		 {"SELECT E'\\''", 3, 0},
		 {"SELECT E'\\';x', e'a\\\\'", 4, 0},
		 /* standard_conforming_strings: a backslash does not escape */
		 {"SELECT 'C:\\'", 5, 0},
		 {"SELECT U&'d;\\0061' UESCAPE '\\'", 6, 0},
		 {"SELECT \"a;b\"\"c\" FROM t", 7, 0},
		 {"SELECT U&\"x;y\" FROM t", 8, 0},
		 {"SELECT $$a;b$$, $x_1$ ; $$ ; $x_1$", 9, 0},
		 {"SELECT b'1;', x'ff', n'n;'", 10, 0},
	 }},
	{"comments: nested, with semicolons, leading ones skipped, inner ones kept",
	 "/* leading; comment */\n"
	 "-- another; one\n"
	 "SELECT 1 /* inner; /* nested; */ still; */ + 2 -- trailing; x\n"
	 ";\n"
	 "SELECT 3; -- after; it\n"
	 "/**/SELECT/***/4/*/ x; */;\n"
	 "SELECT 5 - -6, 7--8;\n"
	 ";\n",
	 0,
	 4,
	 {
		 {"SELECT 1 /* inner; /* nested; */ still; */ + 2", 3, 0},
		 {"SELECT 3", 5, 0},
		 {"SELECT/***/4", 6, 0},
		 {"SELECT 5 - -6, 7", 7, 0},
	 }},
	{"dollar quotes with tags, nested $$ and semicolons",
	 "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$\n"
	 "BEGIN\n"
	 "  RETURN $$;'$$ || 'x;';  -- $$ inside; not the end\n"
	 "END;\n"
	 "$fn$;\n"
	 "SELECT '$$';\n"
	 "SELECT \"$$x\", a$$b, $1 + $2;\n"
	 "SELECT $A$ $a$ ; $A$;\n",
	 0,
	 4,
	 {
		 {"CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$\n"
		  "BEGIN\n"
		  "  RETURN $$;'$$ || 'x;';  -- $$ inside; not the end\n"
		  "END;\n"
		  "$fn$",
		  1, 0},
		 /* a $$ inside a string or identifier opens nothing */
		 {"SELECT '$$'", 6, 0},
		 {"SELECT \"$$x\", a$$b, $1 + $2", 7, 0},
		 /* tags are case-sensitive */
		 {"SELECT $A$ $a$ ; $A$", 8, 0},
	 }},
	{"DO blocks: their BEGIN, COMMIT and END are body text",
	 "DO $$\n"
	 "BEGIN\n"
	 "  PERFORM 1;\n"
	 "  COMMIT;\n"
	 "END\n"
	 "$$;\n"
	 "do language plpgsql $body$ begin null; end $body$;\n",
	 0,
	 2,
	 {
		 {"DO $$\nBEGIN\n  PERFORM 1;\n  COMMIT;\nEND\n$$", 1, 0},
		 {"do language plpgsql $body$ begin null; end $body$", 7, 0},
	 }},
	{"BEGIN ATOMIC bodies with CASE ... END inside",
	 "CREATE OR REPLACE FUNCTION grade(score int) RETURNS text\n"
	 "LANGUAGE sql\n"
	 "BEGIN ATOMIC\n"
	 "  INSERT INTO log VALUES (score);\n"
	 "  SELECT CASE WHEN score > 90 THEN 'A' ELSE CASE WHEN score > 50 THEN 'B' END END;\n"
	 "END;\n"
	 "SELECT grade(95);\n"
	 "create procedure p() language sql begin -- why not\n"
	 "  atomic\n"
	 "  select x.end, 1 as end from t x;\n"
	 "  update t set v = (case when true then 1 end);\n"
	 "end;\n"
	 "commit;\n",
	 0,
	 4,
	 {
		 {"CREATE OR REPLACE FUNCTION grade(score int) RETURNS text\n"
		  "LANGUAGE sql\n"
		  "BEGIN ATOMIC\n"
		  "  INSERT INTO log VALUES (score);\n"
		  "  SELECT CASE WHEN score > 90 THEN 'A' ELSE CASE WHEN score > 50 THEN 'B' END END;\n"
		  "END",
		  1, 0},
		 {"SELECT grade(95)", 7, 0},
		 {"create procedure p() language sql begin -- why not\n"
		  "  atomic\n"
		  "  select x.end, 1 as end from t x;\n"
		  "  update t set v = (case when true then 1 end);\n"
		  "end",
		  8, 0},
		 {"commit", 13, TX},
	 }},
	{"BEGIN without ATOMIC, or outside a routine, opens no body",
	 "CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$SELECT 1$$;\n"
	 "SELECT begin();\n"
	 "CREATE FUNCTION one() RETURNS int LANGUAGE sql RETURN 1;\n"
	 "BEGIN;\n"
	 "SELECT 1 AS atomic;\n"
	 "COMMIT;\n",
	 0,
	 6,
	 {
		 {"CREATE FUNCTION begin() RETURNS int LANGUAGE sql AS $$SELECT 1$$", 1, 0},
		 {"SELECT begin()", 2, 0},
		 {"CREATE FUNCTION one() RETURNS int LANGUAGE sql RETURN 1", 3, 0},
		 {"BEGIN", 4, TX},
		 {"SELECT 1 AS atomic", 5, 0},
		 {"COMMIT", 6, TX},
	 }},
	{"$n parameters in PREPARE",
	 "PREPARE q(int, text) AS SELECT $1, $2 FROM t WHERE a = $1;\n"
	 "EXECUTE q(1, 'x;');\n"
	 "DEALLOCATE q;\n",
	 0,
	 3,
	 {
		 {"PREPARE q(int, text) AS SELECT $1, $2 FROM t WHERE a = $1", 1, 0},
		 {"EXECUTE q(1, 'x;')", 2, 0},
		 {"DEALLOCATE q", 3, 0},
	 }},
	{"a file with its own BEGIN ... COMMIT",
	 "BEGIN;\n"
	 "CREATE TABLE t (id int);\n"
	 "INSERT INTO t VALUES (1);\n"
	 "COMMIT;\n",
	 0,
	 4,
	 {
		 {"BEGIN", 1, TX},
		 {"CREATE TABLE t (id int)", 2, 0},
		 {"INSERT INTO t VALUES (1)", 3, 0},
		 {"COMMIT", 4, TX},
	 }},
	{"every spelling of transaction control",
	 "begin work; Begin Transaction Isolation Level Serializable; START TRANSACTION READ WRITE;\n"
	 "end; END TRANSACTION; commit work; COMMIT AND CHAIN; ROLLBACK; rollback and no chain;\n"
	 "abort; SAVEPOINT s; ROLLBACK TO SAVEPOINT s; rollback work to s; RELEASE s;\n"
	 "PREPARE TRANSACTION 'g'; COMMIT PREPARED 'g'; ROLLBACK PREPARED 'h'; start_up();\n",
	 0,
	 18,
	 {
		 {"begin work", 1, TX},
		 {"Begin Transaction Isolation Level Serializable", 1, TX},
		 {"START TRANSACTION READ WRITE", 1, TX},
		 {"end", 2, TX},
		 {"END TRANSACTION", 2, TX},
		 {"commit work", 2, TX},
		 {"COMMIT AND CHAIN", 2, TX},
		 {"ROLLBACK", 2, TX},
		 {"rollback and no chain", 2, TX},
		 {"abort", 3, TX},
		 {"SAVEPOINT s", 3, 0},
		 {"ROLLBACK TO SAVEPOINT s", 3, 0},
		 {"rollback work to s", 3, 0},
		 {"RELEASE s", 3, 0},
		 /* hands the transaction to two-phase commit; a runner that skipped
		  * it as its own BEGIN/COMMIT would silently change what it does */
		 {"PREPARE TRANSACTION 'g'", 4, 0},
		 /* two-phase commit cannot run inside a transaction block */
		 {"COMMIT PREPARED 'g'", 4, NO_TX},
		 {"ROLLBACK PREPARED 'h'", 4, NO_TX},
		 {"start_up()", 4, 0},
	 }},
	{"index builds among other statements",
	 "CREATE TABLE a (id int);\n"
	 "CREATE INDEX CONCURRENTLY a_id ON a (id);\n"
	 "create unique index concurrently if not exists a_u on a (id);\n"
	 "Drop Index Concurrently a_id;\n"
	 "CREATE INDEX a_plain ON a (id);\n"
	 "DROP INDEX a_plain;\n"
	 "cReAtE iNdEx CoNcUrReNtLy a_m ON a (id);\n"
	 "CREATE UNIQUE INDEX a_v ON a (id);\n",
	 0,
	 8,
	 {
		 {"CREATE TABLE a (id int)", 1, 0},
		 {"CREATE INDEX CONCURRENTLY a_id ON a (id)", 2, NO_TX},
		 {"create unique index concurrently if not exists a_u on a (id)", 3, NO_TX},
		 {"Drop Index Concurrently a_id", 4, NO_TX},
		 {"CREATE INDEX a_plain ON a (id)", 5, 0},
		 {"DROP INDEX a_plain", 6, 0},
		 {"cReAtE iNdEx CoNcUrReNtLy a_m ON a (id)", 7, NO_TX},
		 {"CREATE UNIQUE INDEX a_v ON a (id)", 8, 0},
	 }},
	{"REINDEX forms",
	 "REINDEX (VERBOSE) TABLE CONCURRENTLY a;\n"
	 "reindex (verbose, tablespace ts) index concurrently a_u;\n"
	 "REINDEX INDEX a_u;\n"
	 "REINDEX TABLE CONCURRENTLY a;\n"
	 "REINDEX (CONCURRENTLY) INDEX a_u;\n"
	 "REINDEX (VERBOSE, CONCURRENTLY true) INDEX a_u;\n"
	 "REINDEX (concurrently false) index a_u;\n"
	 "REINDEX (VERBOSE) TABLE a;\n"
	 "REINDEX SCHEMA public;\n"
	 "REINDEX DATABASE;\n"
	 "REINDEX SYSTEM app;\n",
	 0,
	 11,
	 {
		 {"REINDEX (VERBOSE) TABLE CONCURRENTLY a", 1, NO_TX},
		 {"reindex (verbose, tablespace ts) index concurrently a_u", 2, NO_TX},
		 {"REINDEX INDEX a_u", 3, 0},
		 {"REINDEX TABLE CONCURRENTLY a", 4, NO_TX},
		 {"REINDEX (CONCURRENTLY) INDEX a_u", 5, NO_TX},
		 {"REINDEX (VERBOSE, CONCURRENTLY true) INDEX a_u", 6, NO_TX},
		 {"REINDEX (concurrently false) index a_u", 7, 0},
		 {"REINDEX (VERBOSE) TABLE a", 8, 0},
		 /* these commit as they go */
		 {"REINDEX SCHEMA public", 9, NO_TX},
		 {"REINDEX DATABASE", 10, NO_TX},
		 {"REINDEX SYSTEM app", 11, NO_TX},
	 }},
	{"other statements that refuse a transaction block",
	 "VACUUM (ANALYZE) a;\n"
	 "vacuum;\n"
	 "ANALYZE a;\n"
	 "ALTER SYSTEM SET work_mem = '64MB';\n"
	 "Alter System Reset All;\n"
	 "ALTER TABLE a ADD COLUMN v int;\n"
	 "CREATE DATABASE x;\n"
	 "DROP DATABASE IF EXISTS x;\n"
	 "CREATE TABLESPACE ts LOCATION '/srv/ts';\n"
	 "DROP TABLESPACE ts;\n"
	 "CREATE TABLE database (id int);\n",
	 0,
	 11,
	 {
		 {"VACUUM (ANALYZE) a", 1, NO_TX},
		 {"vacuum", 2, NO_TX},
		 {"ANALYZE a", 3, 0},
		 {"ALTER SYSTEM SET work_mem = '64MB'", 4, NO_TX},
		 {"Alter System Reset All", 5, NO_TX},
		 {"ALTER TABLE a ADD COLUMN v int", 6, 0},
		 {"CREATE DATABASE x", 7, NO_TX},
		 {"DROP DATABASE IF EXISTS x", 8, NO_TX},
		 {"CREATE TABLESPACE ts LOCATION '/srv/ts'", 9, NO_TX},
		 {"DROP TABLESPACE ts", 10, NO_TX},
		 {"CREATE TABLE database (id int)", 11, 0},
	 }},
#define ENUM_SQL                                                              \
	"ALTER TYPE mood ADD VALUE 'meh';\n"                                  \
	"alter type public.\"Mood\" add value if not exists 'ok' after 'meh';\n" \
	"ALTER TYPE mood RENAME VALUE 'meh' TO 'fine';\n"                     \
	"ALTER TYPE addr ADD ATTRIBUTE zip text;\n"
	{"ALTER TYPE ADD VALUE on PG 11",
	 ENUM_SQL,
	 110000,
	 4,
	 {
		 {"ALTER TYPE mood ADD VALUE 'meh'", 1, ENUMV | NO_TX},
		 {"alter type public.\"Mood\" add value if not exists 'ok' after 'meh'", 2, ENUMV | NO_TX},
		 {"ALTER TYPE mood RENAME VALUE 'meh' TO 'fine'", 3, 0},
		 {"ALTER TYPE addr ADD ATTRIBUTE zip text", 4, 0},
	 }},
	{"ALTER TYPE ADD VALUE on PG 15",
	 ENUM_SQL,
	 150000,
	 4,
	 {
		 {"ALTER TYPE mood ADD VALUE 'meh'", 1, ENUMV},
		 {"alter type public.\"Mood\" add value if not exists 'ok' after 'meh'", 2, ENUMV},
		 {"ALTER TYPE mood RENAME VALUE 'meh' TO 'fine'", 3, 0},
		 {"ALTER TYPE addr ADD ATTRIBUTE zip text", 4, 0},
	 }},
	{"ALTER TYPE ADD VALUE on PG 12.0 exactly",
	 "ALTER TYPE mood ADD VALUE 'meh'",
	 120000,
	 1,
	 {{"ALTER TYPE mood ADD VALUE 'meh'", 1, ENUMV}}},
	{"ALTER TYPE ADD VALUE, server version unknown (0)",
	 "ALTER TYPE mood ADD VALUE 'meh'",
	 0,
	 1,
	 {{"ALTER TYPE mood ADD VALUE 'meh'", 1, ENUMV}}},
	{"CRLF line endings",
	 "SELECT 1;\r\n"
	 "\r\n"
	 "SELECT\r\n"
	 "  2;\r\n"
	 "-- c\r\n"
	 "SELECT 'a\r\nb', \"x\r\ny\", $$\r\n$$ /*\r\n*/;\r\n"
	 "SELECT 4",
	 0,
	 4,
	 {
		 {"SELECT 1", 1, 0},
		 {"SELECT\r\n  2", 3, 0},
		 {"SELECT 'a\r\nb', \"x\r\ny\", $$\r\n$$", 6, 0},
		 {"SELECT 4", 11, 0},
	 }},
	{"lone CR line endings",
	 "SELECT 1;\rSELECT 2;\r\rSELECT 3; -- x\rSELECT 4;",
	 0,
	 4,
	 {
		 {"SELECT 1", 1, 0},
		 {"SELECT 2", 2, 0},
		 {"SELECT 3", 4, 0},
		 {"SELECT 4", 5, 0},
	 }},
	{"missing final semicolon, trailing comment dropped",
	 "SELECT 1;\n"
	 "SELECT 2 -- no semicolon\n"
	 "\n"
	 "  ",
	 0,
	 2,
	 {
		 {"SELECT 1", 1, 0},
		 {"SELECT 2", 2, 0},
	 }},
	{"only comments and empty statements",
	 "-- just a comment; really\n"
	 "/* block ; /* nested */ */\n"
	 ";;\n"
	 "  ;\t;\n"
	 "-- end",
	 0,
	 0,
	 {{NULL, 0, 0}}},
	{"empty input", "", 0, 0, {{NULL, 0, 0}}},
	{"CONCURRENTLY, VACUUM, BEGIN in comments, strings and identifiers flag nothing",
	 "CREATE INDEX /* CONCURRENTLY */ i ON t (x);\n"
	 "CREATE INDEX -- CONCURRENTLY\n"
	 "  i1 ON t (x);\n"
	 "CREATE INDEX i2 ON t (x) WHERE note <> 'CONCURRENTLY';\n"
	 "CREATE INDEX \"concurrently\" ON t (x);\n"
	 "/* VACUUM; */ SELECT 'VACUUM';\n"
	 "COMMENT ON TABLE t IS 'BEGIN; COMMIT;';\n"
	 "-- BEGIN;\n"
	 "UPDATE \"begin\" SET \"commit\" = true;\n"
	 "SELECT * FROM \"end\" AS \"rollback\";\n"
	 "CREATE TABLE \"begin\" (\"end\" int);\n"
	 "SELECT U&\"begin\";\n",
	 0,
	 10,
	 {
		 {"CREATE INDEX /* CONCURRENTLY */ i ON t (x)", 1, 0},
		 {"CREATE INDEX -- CONCURRENTLY\n  i1 ON t (x)", 2, 0},
		 {"CREATE INDEX i2 ON t (x) WHERE note <> 'CONCURRENTLY'", 4, 0},
		 {"CREATE INDEX \"concurrently\" ON t (x)", 5, 0},
		 {"SELECT 'VACUUM'", 6, 0},
		 {"COMMENT ON TABLE t IS 'BEGIN; COMMIT;'", 7, 0},
		 {"UPDATE \"begin\" SET \"commit\" = true", 9, 0},
		 {"SELECT * FROM \"end\" AS \"rollback\"", 10, 0},
		 {"CREATE TABLE \"begin\" (\"end\" int)", 11, 0},
		 {"SELECT U&\"begin\"", 12, 0},
	 }},
	{"a ';' inside parentheses does not split (CREATE RULE)",
	 "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\n"
	 "SELECT (1) ) ;\n"
	 "SELECT 2;\n",
	 0,
	 3,
	 {
		 {"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b "
		  "VALUES (2))",
		  1, 0},
		 /* a stray ')' is the server's to report; it does not shift the split */
		 {"SELECT (1) )", 2, 0},
		 {"SELECT 2", 3, 0},
	 }},
	{"byte order mark and non-ASCII identifiers",
	 "\xEF\xBB\xBF" "SELECT 1;\n"
	 "CREATE INDEX CONCURRENTLY \xC3\xADndice ON t (x);\n"
	 "SELECT \xC3\xA9$$x$$;\n",
	 0,
	 3,
	 {
		 {"SELECT 1", 1, 0},
		 {"CREATE INDEX CONCURRENTLY \xC3\xADndice ON t (x)", 2, NO_TX},
		 /* '$' continues an identifier, so no dollar quote opens here */
		 {"SELECT \xC3\xA9$$x$$", 3, 0},
	 }},
};

static void run_case(const split_case *c)
{
	sql_script s;
	tc_error err = TC_ERROR_INIT;
	tc_status st = sql_split(c->sql, c->version, &s, &err);
	if (st != TC_OK)
		fail_msg("[%s] unexpected error: %s", c->name, err.message ? err.message : "?");
	assert_null(err.message);
	if (s.n != c->n) {
		for (size_t i = 0; i < s.n; i++)
			print_message("  got %zu (line %d): <%s>\n", i, s.stmts[i].line, s.stmts[i].text);
		fail_msg("[%s] %zu statements, want %zu", c->name, s.n, c->n);
	}
	for (size_t i = 0; i < c->n; i++) {
		const sql_stmt *got = &s.stmts[i];
		const want_stmt *w = &c->stmts[i];
		if (strcmp(got->text, w->text) != 0)
			fail_msg("[%s] statement %zu:\n  got  <%s>\n  want <%s>", c->name, i, got->text,
				 w->text);
		if (got->line != w->line)
			fail_msg("[%s] statement %zu <%s>: line %d, want %d", c->name, i, w->text,
				 got->line, w->line);
		if (got->flags != w->flags)
			fail_msg("[%s] statement %zu <%s>: flags %#x, want %#x", c->name, i, w->text,
				 got->flags, w->flags);
		/* The offset points at the text, in the caller's input. */
		if (strncmp(c->sql + got->offset, w->text, strlen(w->text)) != 0)
			fail_msg("[%s] statement %zu: offset %zu does not point at its text", c->name, i,
				 got->offset);
	}
	sql_script_free(&s);
	assert_null(s.stmts);
	assert_int_equal(s.n, 0);
}

static void test_split_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
}

static void test_offsets_and_flags_summary(void **state)
{
	(void)state;
	sql_script s;
	tc_error err = TC_ERROR_INIT;
	const char *sql = "  \n  SELECT 1 ;  /* c */ VACUUM t";
	assert_int_equal(sql_split(sql, 0, &s, &err), TC_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.stmts[0].offset, 5);
	assert_int_equal(s.stmts[0].line, 2);
	assert_int_equal(s.stmts[1].offset, 25);
	assert_string_equal(s.stmts[1].text, "VACUUM t");
	assert_true(sql_needs_no_tx(&s));
	sql_script_free(&s);
	sql_script_free(&s); /* twice is harmless */

	assert_int_equal(sql_split("BEGIN; SELECT 1; COMMIT", 0, &s, &err), TC_OK);
	assert_int_equal(s.n, 3);
	assert_false(sql_needs_no_tx(&s));
	sql_script_free(&s);

	/* ADD VALUE needs no transaction only before 12. */
	assert_int_equal(sql_split("ALTER TYPE t ADD VALUE 'x'", 110000, &s, &err), TC_OK);
	assert_true(sql_needs_no_tx(&s));
	sql_script_free(&s);
	assert_int_equal(sql_split("ALTER TYPE t ADD VALUE 'x'", 170000, &s, &err), TC_OK);
	assert_false(sql_needs_no_tx(&s));
	sql_script_free(&s);

	/* NULL input is an empty script; NULL script needs nothing. */
	assert_int_equal(sql_split(NULL, 0, &s, &err), TC_OK);
	assert_int_equal(s.n, 0);
	sql_script_free(&s);
	assert_false(sql_needs_no_tx(NULL));
	sql_script_free(NULL);
	assert_null(err.message);
}

typedef struct bad_case {
	const char *sql;
	const char *message;
} bad_case;

static const bad_case bad_cases[] = {
	{"SELECT 1;\nSELECT 'abc;\nSELECT 2;\n", "line 2: unterminated string literal"},
	{"SELECT 'it''s", "line 1: unterminated string literal"},
	{"SELECT 1;\n\nSELECT E'abc\\';\n", "line 3: unterminated string literal"},
	{"SELECT e'abc\\", "line 1: unterminated string literal"},
	{"SELECT 1;\r\nSELECT U&'x", "line 2: unterminated string literal"},
	{"SELECT 1;\nSELECT \"abc;\nSELECT 2;", "line 2: unterminated quoted identifier"},
	{"SELECT \"a\"\"", "line 1: unterminated quoted identifier"},
	{"SELECT U&\"x", "line 1: unterminated quoted identifier"},
	{"SELECT 1;\r\nDO $$\r\nBEGIN\r\n  NULL;\r\nEND;\r\n",
	 "line 2: unterminated dollar-quoted string $$"},
	{"SELECT 1;\n\n\nCREATE FUNCTION f() RETURNS int AS $fn$\nSELECT $$x$$; $fn $Fn$;\n",
	 "line 4: unterminated dollar-quoted string $fn$"},
	{"SELECT 1;\n/* a /* b */\nSELECT 2;", "line 2: unterminated block comment"},
	{"SELECT 1 /* x", "line 1: unterminated block comment"},
	{"SELECT 1;\nSELECT (1;\nSELECT 2;", "line 2: unclosed parenthesis"},
	{"CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n",
	 "line 2: BEGIN ATOMIC without a matching END"},
	{"CREATE PROCEDURE p()\nLANGUAGE sql\nBEGIN ATOMIC\n"
	 "  SELECT CASE WHEN true THEN 1 END;\n  SELECT x.end, 1 AS end FROM x;\n",
	 "line 3: BEGIN ATOMIC without a matching END"},
	/* An error late in the file throws away what was split before it. */
	{"SELECT 1;\nSELECT 2;\nSELECT 3;\nSELECT '", "line 4: unterminated string literal"},
};

static void test_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *b = &bad_cases[i];
		sql_script s;
		tc_error err = TC_ERROR_INIT;
		tc_status st = sql_split(b->sql, 0, &s, &err);
		if (st != TC_ERR_USAGE)
			fail_msg("case %zu: status %d, want TC_ERR_USAGE", i, (int)st);
		assert_int_equal(err.status, TC_ERR_USAGE);
		assert_non_null(err.message);
		if (strcmp(err.message, b->message) != 0)
			fail_msg("case %zu: message <%s>, want <%s>", i, err.message, b->message);
		assert_non_null(err.hint);
		assert_true(strlen(err.hint) > 10);
		/* The script is left empty. */
		assert_int_equal(s.n, 0);
		assert_null(s.stmts);
		tc_error_clear(&err);

		/* err may be NULL. */
		assert_int_equal(sql_split(b->sql, 0, &s, NULL), TC_ERR_USAGE);
		assert_int_equal(s.n, 0);
	}
}

static void test_hints_name_the_fix(void **state)
{
	(void)state;
	sql_script s;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(sql_split("SELECT $body$ x", 0, &s, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.hint, "$body$"));
	assert_int_equal(sql_split("SELECT E'x\\'", 0, &s, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.hint, "backslash"));
	assert_int_equal(sql_split("SELECT 'x", 0, &s, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.hint, "''"));
	assert_int_equal(sql_split("/* /* */", 0, &s, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.hint, "*/"));
	tc_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_table),
		cmocka_unit_test(test_offsets_and_flags_summary),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hints_name_the_fix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
