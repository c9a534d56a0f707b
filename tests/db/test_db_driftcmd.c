/* schema dump and drift through the binary: determinism, snapshot files as
 * references, the CI gate's exit codes, the allowlist, version skew. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "dbtest.h"
#include "xalloc.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected '%s' in:\n%s", needle, hay);
}

static void expect(cli_out o, int status)
{
	if (o.status != status)
		fail_msg("exit %d, wanted %d\nstdout:\n%s\nstderr:\n%s", o.status, status, o.out, o.err);
}

static char *tmpfile_with(const char *text)
{
	char *path = xstrdup("/tmp/tc-drift-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	if (text)
		assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

/* Hostile names on purpose: quotes, spaces, case, unicode, reserved words. */
static const char schema_a[] =
	"CREATE TYPE mood AS ENUM ('sad', 'ok');"
	"CREATE TABLE \"User Accounts\" (id int PRIMARY KEY, \"select\" text, \"Ünïcødé\" mood);"
	"CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
	" account int REFERENCES \"User Accounts\" (id) ON DELETE CASCADE, total numeric(10,2)"
	" CHECK (total >= 0));"
	"CREATE INDEX orders_big ON orders (total) WHERE total > 100;"
	"CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;"
	"COMMENT ON TABLE orders IS 'one row per order; \"quoted\"';";

/* The same objects, created in another order. */
static const char schema_b[] =
	"CREATE TYPE mood AS ENUM ('sad', 'ok');"
	"CREATE TABLE \"User Accounts\" (id int, \"select\" text, \"Ünïcødé\" mood);"
	"CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY, account int, total numeric(10,2));"
	"COMMENT ON TABLE orders IS 'one row per order; \"quoted\"';"
	"CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;"
	"CREATE INDEX orders_big ON orders (total) WHERE total > 100;"
	"ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);"
	"ALTER TABLE \"User Accounts\" ADD PRIMARY KEY (id);"
	"ALTER TABLE orders ADD PRIMARY KEY (id);"
	"ALTER TABLE orders ADD CONSTRAINT orders_account_fkey FOREIGN KEY (account)"
	" REFERENCES \"User Accounts\" (id) ON DELETE CASCADE;";

static void dump_is_deterministic(void **state)
{
	(void)state;
	char *a = dbtest_new_db(), *b = dbtest_new_db();
	dbtest_exec(a, schema_a);
	dbtest_exec(b, schema_b);
	cli_out oa = cli_run(ARGS("schema", "dump", "-d", a), NULL);
	cli_out ob = cli_run(ARGS("schema", "dump", "-d", b), NULL);
	expect(oa, 0);
	expect(ob, 0);
	assert_contains(oa.out, "tenantctl-schema-snapshot 1 server ");
	assert_contains(oa.out, "table public.\"User Accounts\"\n");
	/* Reserved words stay bare: the snapshot is not SQL, only upper case,
	 * blanks and other characters need quotes. */
	assert_contains(oa.out, "column public.\"User Accounts\".select\n");
	assert_contains(oa.out, "column public.\"User Accounts\".\"Ünïcødé\" type = public.mood\n");
	/* Row estimates differ by nothing here, but they are information only. */
	assert_string_equal(oa.out, ob.out);
	cli_out_free(&oa);
	cli_out_free(&ob);

	/* -o writes the same bytes to a file. */
	char *f = tmpfile_with(NULL);
	oa = cli_run(ARGS("schema", "dump", "-d", a, "-o", f), NULL);
	expect(oa, 0);
	cli_out_free(&oa);
	oa = cli_run(ARGS("schema", "dump", "-d", a), NULL);
	char *text = slurp(f);
	assert_string_equal(text, oa.out);
	free(text);
	cli_out_free(&oa);

	/* The file is a reference: a database against its own dump has no drift,
	 * and a database built the other way neither. */
	oa = cli_run(ARGS("drift", "check", "-d", b, "--against", f), NULL);
	expect(oa, 0);
	assert_contains(oa.err, "no drift in what was compared");
	assert_contains(oa.err, "not compared: privileges");
	cli_out_free(&oa);
	unlink(f);
	free(f);
	free(a);
	free(b);
}

static void gate_exit_codes_and_json(void **state)
{
	(void)state;
	char *live = dbtest_new_db(), *ref = dbtest_new_db();
	dbtest_exec(live, schema_a);
	dbtest_exec(ref, schema_a);
	dbtest_exec(ref, "ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT '';"
			 "CREATE TABLE ee_audit (id int)");
	dbtest_exec(live, "ALTER TABLE \"User Accounts\" ALTER COLUMN \"select\" TYPE varchar(50)");
	cli_out o = cli_run(ARGS("drift", "check", "-d", live, "--against", ref), NULL);
	expect(o, 1);
	assert_contains(o.out, "column\tpublic.orders.note\t\\N\tmissing\t");
	assert_contains(o.out, "table\tpublic.ee_audit\t\\N\tmissing\t");
	assert_contains(o.out, "column\tpublic.\"User Accounts\".select\ttype\tchanged\t"
			       "character varying(50)\ttext");
	assert_contains(o.err, "3 drift items: 2 missing, 0 extra, 1 changed");
	cli_out_free(&o);

	o = cli_run(ARGS("drift", "-d", live, "--against", ref, "--json"), NULL);
	expect(o, 0); /* the report is not the gate */
	assert_contains(o.out, "{\"kind\":\"column\",\"object\":\"public.\\\"User Accounts\\\".select\","
			       "\"attribute\":\"type\",\"status\":\"changed\","
			       "\"live\":\"character varying(50)\",\"reference\":\"text\","
			       "\"category\":\"columns\",\"allowed\":false,\"reason\":null");
	cli_out_free(&o);

	/* Allowlisted with reasons: exit 0, shown as suppressed; a stale rule is named. */
	char *allow = tmpfile_with("table public.ee_* -- only the enterprise edition has it\n"
				   "column public.orders.note -- added by the billing service\n"
				   "column public.\"User?Accounts\".select type -- widened on purpose\n"
				   "table public.legacy_* -- dropped in 2025\n");
	o = cli_run(ARGS("drift", "check", "-d", live, "--against", ref, "--allowlist", allow), NULL);
	expect(o, 0);
	assert_contains(o.out, "true\tonly the enterprise edition has it");
	assert_contains(o.err, "3 allowlisted");
	char *stale = xasprintf("stale allowlist rule (matched nothing): %s:4 table public.legacy_*", allow);
	assert_contains(o.err, stale);
	free(stale);
	cli_out_free(&o);

	/* A malformed allowlist is a usage error with file and line. */
	char *bad = tmpfile_with("table public.x\n");
	o = cli_run(ARGS("drift", "check", "-d", live, "--against", ref, "--allowlist", bad), NULL);
	expect(o, 2);
	char *where = xasprintf("%s:1:", bad);
	assert_contains(o.err, where);
	free(where);
	cli_out_free(&o);

	/* An unreachable reference is an error, not "no drift". */
	o = cli_run(ARGS("drift", "check", "-d", live, "--against", "host=/nonexistent dbname=x"), NULL);
	expect(o, 3);
	cli_out_free(&o);
	unlink(allow);
	unlink(bad);
	free(allow);
	free(bad);
	free(live);
	free(ref);
}

static void reconcile_then_no_drift(void **state)
{
	(void)state;
	char *live = dbtest_new_db(), *ref = dbtest_new_db();
	dbtest_exec(live, schema_a);
	dbtest_exec(ref, schema_a);
	dbtest_exec(ref, "ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT '';"
			 "CREATE INDEX orders_note ON orders (note);"
			 "COMMENT ON COLUMN orders.note IS 'free text';");
	dbtest_exec(live, "CREATE TABLE scratch (x int)");
	cli_out o = cli_run(ARGS("drift", "sql", "-d", live, "--against", ref), NULL);
	expect(o, 0);
	assert_contains(o.err, "1 destructive statement left out");
	assert_contains(o.out, "-- skipped (needs --unsafe)");
	char *sql = xstrdup(o.out);
	cli_out_free(&o);
	dbtest_exec(live, sql);
	free(sql);
	o = cli_run(ARGS("drift", "check", "-d", live, "--against", ref), NULL);
	expect(o, 1);
	assert_contains(o.err, "1 drift item: 0 missing, 1 extra, 0 changed");
	cli_out_free(&o);
	o = cli_run(ARGS("drift", "sql", "--unsafe", "-d", live, "--against", ref), NULL);
	expect(o, 0);
	assert_contains(o.out, "-- UNSAFE");
	dbtest_exec(live, o.out);
	cli_out_free(&o);
	o = cli_run(ARGS("drift", "check", "-d", live, "--against", ref), NULL);
	expect(o, 0);
	cli_out_free(&o);
	free(live);
	free(ref);
}

/* A snapshot from another major version: deparsed text is not compared, and
 * the report says so. */
static void version_skew_from_a_snapshot(void **state)
{
	(void)state;
	char *db = dbtest_new_db();
	dbtest_exec(db, schema_a);
	cli_out o = cli_run(ARGS("schema", "dump", "-d", db), NULL);
	expect(o, 0);
	/* Pretend it came from PostgreSQL 9: rewrite the header's major. */
	const char *body = strchr(o.out, '\n');
	assert_non_null(body);
	char *text = xasprintf("tenantctl-schema-snapshot 1 server 9%s", body);
	cli_out_free(&o);
	char *f = tmpfile_with(text);
	o = cli_run(ARGS("drift", "check", "-d", db, "--against", f), NULL);
	expect(o, 0);
	assert_contains(o.err, "version skew");
	cli_out_free(&o);
	unlink(f);
	free(f);
	free(text);
	free(db);
}

/* --only keeps the items a rule (allowlist syntax, no reason) matches: the
 * report, the gate and the reconcile SQL of just those; a rule matching
 * nothing or malformed is an error, not "no drift". */
static void only_some_items(void **state)
{
	(void)state;
	char *live = dbtest_new_db(), *ref = dbtest_new_db();
	dbtest_exec(live, schema_a);
	dbtest_exec(ref, schema_a);
	dbtest_exec(ref, "ALTER TABLE orders ADD COLUMN note text;"
			 "CREATE TABLE \"Weird *Name\" (id int)");
	dbtest_exec(live, "ALTER TABLE \"User Accounts\" ALTER COLUMN \"select\" SET DEFAULT 'x'");
	cli_out o = cli_run(ARGS("drift", "-d", live, "--against", ref, "--only", "column public.orders.*"),
			    NULL);
	expect(o, 0);
	assert_contains(o.out, "column\tpublic.orders.note\t");
	if (strstr(o.out, "Weird") || strstr(o.out, "User Accounts"))
		fail_msg("--only let other items through:\n%s", o.out);
	assert_contains(o.err, "1 drift item: 1 missing, 0 extra, 0 changed");
	cli_out_free(&o);

	/* Exact names, as the console writes them; an attribute narrows. */
	o = cli_run(ARGS("drift", "sql", "-d", live, "--against", ref, "--only",
			 "table public.\"Weird \\*Name\"", "--only",
			 "column public.\"User Accounts\".select default"),
		    NULL);
	expect(o, 0);
	assert_contains(o.out, "CREATE TABLE \"public\".\"Weird *Name\"");
	assert_contains(o.out, "ALTER COLUMN \"select\" DROP DEFAULT");
	if (strstr(o.out, "\"note\""))
		fail_msg("--only reconciled more than asked:\n%s", o.out);
	cli_out_free(&o);

	/* The gate counts only the chosen items. */
	o = cli_run(ARGS("drift", "check", "-d", live, "--against", ref, "--only",
			 "column public.orders.note"),
		    NULL);
	expect(o, 1);
	cli_out_free(&o);

	o = cli_run(ARGS("drift", "sql", "-d", live, "--against", ref, "--only", "index public.nothing"),
		    NULL);
	expect(o, 2);
	assert_contains(o.err, "--only 'index public.nothing' matches no drift item");
	cli_out_free(&o);
	o = cli_run(ARGS("drift", "-d", live, "--against", ref, "--only", "tables public.x"), NULL);
	expect(o, 2);
	assert_contains(o.err, "--only:1: unknown kind 'tables'");
	assert_contains(o.err, "did you mean 'table'?");
	cli_out_free(&o);
	free(live);
	free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_some_items),
		cmocka_unit_test(dump_is_deterministic),
		cmocka_unit_test(gate_exit_codes_and_json),
		cmocka_unit_test(reconcile_then_no_drift),
		cmocka_unit_test(version_skew_from_a_snapshot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
