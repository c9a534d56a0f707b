/* The connection layer against a real server: session settings, the
 * read-only default, and the server's own refusal of a write. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn.h"
#include "db.h"
#include "dbtest.h"
#include "xalloc.h"

static tc_conn *open_or_fail(const conn_params *p)
{
	tc_conn *c = NULL;
	tc_error err = TC_ERROR_INIT;
	if (conn_open(p, &c, &err) != TC_OK)
		fail_msg("conn_open: %s", err.message);
	return c;
}

static void info_reports_session_settings(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	conn_params p = {.dsn = dsn};
	tc_conn *c = open_or_fail(&p);
	conn_info i;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(conn_info_read(c, &i, &err), TC_OK);
	assert_true(i.server_version_num >= 120000);
	assert_string_equal(i.user, "postgres");
	assert_non_null(strstr(dsn, i.database));
	assert_true(i.session_read_only);
	assert_false(i.in_recovery);
	assert_false(i.tls);
	assert_string_equal(i.application_name, "tenantctl");
	assert_string_equal(i.statement_timeout, "30s");
	assert_string_equal(i.lock_timeout, "5s");
	assert_string_equal(i.idle_timeout, "10min");
	conn_info_free(&i);
	conn_close(c);
	free(dsn);
}

static void settings_come_from_the_target(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	/* The DSN's own options and application_name are kept. */
	char *full = xasprintf("%s application_name=nightly options='-c work_mem=8MB'", dsn);
	conn_params p = {.dsn = full, .write = true, .statement_timeout = "2min",
			 .lock_timeout = "250ms", .idle_timeout = "1h"};
	tc_conn *c = open_or_fail(&p);
	conn_info i;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(conn_info_read(c, &i, &err), TC_OK);
	assert_false(i.session_read_only);
	assert_string_equal(i.application_name, "nightly");
	assert_string_equal(i.statement_timeout, "2min");
	assert_string_equal(i.lock_timeout, "250ms");
	assert_string_equal(i.idle_timeout, "1h");
	db_rows rows;
	assert_int_equal(db_query(c, "SELECT current_setting('work_mem')", 0, NULL, &rows, &err),
			 TC_OK);
	assert_string_equal(db_get(&rows, 0, 0), "8MB");
	db_rows_free(&rows);
	conn_info_free(&i);
	conn_close(c);
	free(full);
	free(dsn);
}

static void read_only_by_default(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	conn_params p = {.dsn = dsn};
	tc_conn *c = open_or_fail(&p);
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(db_exec(c, "CREATE TABLE t (x int)", 0, NULL, NULL, &err), TC_ERR_DB);
	assert_string_equal(err.sqlstate, "25006");
	tc_error_clear(&err);
	conn_close(c);
	char *n = dbtest_scalar(dsn, "SELECT count(*) FROM pg_class WHERE relname = 't'");
	assert_string_equal(n, "0");
	free(n);
	free(dsn);
}

static void server_refusal_is_reported_plainly(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ro_op')"
			 " THEN CREATE ROLE ro_op LOGIN PASSWORD 'ro-pw'; END IF; END $$;"
			 "ALTER ROLE ro_op SET default_transaction_read_only = on;"
			 "GRANT CREATE ON SCHEMA public TO ro_op");
	char *as_ro = xasprintf("%s user=ro_op password=ro-pw", dsn);
	conn_params p = {.dsn = as_ro, .write = true};
	tc_conn *c = open_or_fail(&p);
	tc_error err = TC_ERROR_INIT;
	long n = -1;
	assert_int_equal(db_exec(c, "CREATE TABLE t (x int)", 0, NULL, &n, &err), TC_ERR_DB);
	assert_non_null(strstr(err.message, "the server refused the write"));
	assert_non_null(strstr(err.hint, "read-only"));
	tc_error_clear(&err);
	conn_close(c);
	free(as_ro);
	free(dsn);
}

static void values_travel_as_parameters(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	conn_params p = {.dsn = dsn};
	tc_conn *c = open_or_fail(&p);
	const char *hostile[] = {"'); DROP TABLE x; --", NULL};
	db_rows rows;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(db_query(c, "SELECT $1::text, $2::text IS NULL", 2, hostile, &rows, &err),
			 TC_OK);
	assert_string_equal(db_get(&rows, 0, 0), hostile[0]);
	assert_string_equal(db_get(&rows, 0, 1), "t");
	db_rows_free(&rows);
	char *q = db_quote_ident(c, "Weird \"name\"");
	assert_string_equal(q, "\"Weird \"\"name\"\"\"");
	free(q);
	conn_close(c);
	free(dsn);
}

static void connection_failure_names_the_target(void **state)
{
	(void)state;
	conn_params p = {.dsn = "host=/nonexistent-tc-dir port=6543 dbname=app user=alice "
				"password=Sup3rS3cret"};
	tc_conn *c = NULL;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(conn_open(&p, &c, &err), TC_ERR_DB);
	assert_null(c);
	assert_non_null(strstr(err.message, "host=/nonexistent-tc-dir"));
	assert_non_null(strstr(err.message, "port=6543"));
	assert_non_null(strstr(err.message, "dbname=app"));
	assert_non_null(strstr(err.message, "user=alice"));
	assert_null(strstr(err.message, "Sup3rS3cret"));
	assert_null(strstr(err.hint, "Sup3rS3cret"));
	tc_error_clear(&err);
}

static char *answered;
static int asked;
static char *answer_password(const char *prompt, void *ctx)
{
	asked++;
	assert_non_null(strstr(prompt, "pw_op"));
	return answered ? strdup(ctx) : NULL;
}

/* A server that wants a password we do not have: ask once, then report the
 * failure without the password. */
static void password_prompt_and_auth_failure(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pw_op')"
			 " THEN CREATE ROLE pw_op LOGIN PASSWORD 'right-pw'; END IF; END $$");
	char *as_pw = xasprintf("%s user=pw_op", dsn);

	answered = "yes";
	asked = 0;
	conn_params p = {.dsn = as_pw, .ask_password = answer_password,
			 .ask_password_ctx = "right-pw"};
	tc_conn *c = open_or_fail(&p);
	assert_int_equal(asked, 1);
	conn_close(c);

	asked = 0;
	p.ask_password_ctx = "Wr0ngPassw0rd";
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(conn_open(&p, &c, &err), TC_ERR_DB);
	assert_int_equal(asked, 1);
	assert_non_null(strstr(err.message, "password authentication failed"));
	assert_non_null(strstr(err.message, "user=pw_op"));
	assert_null(strstr(err.message, "Wr0ngPassw0rd"));
	assert_non_null(strstr(err.hint, "pgpass"));
	tc_error_clear(&err);

	/* No terminal to ask: fail without prompting again. */
	answered = NULL;
	asked = 0;
	assert_int_equal(conn_open(&p, &c, &err), TC_ERR_DB);
	assert_int_equal(asked, 1);
	tc_error_clear(&err);
	free(as_pw);
	free(dsn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(info_reports_session_settings),
		cmocka_unit_test(settings_come_from_the_target),
		cmocka_unit_test(read_only_by_default),
		cmocka_unit_test(server_refusal_is_reported_plainly),
		cmocka_unit_test(values_travel_as_parameters),
		cmocka_unit_test(connection_failure_names_the_target),
		cmocka_unit_test(password_prompt_and_auth_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
