/* The test harness itself: the cluster pgrun gives us is private, local and
 * fast; dbtest hands out fresh, empty databases; and pgcluster can set up
 * and tear down a second cluster without leaving anything behind. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "dbtest.h"
#include "error.h"
#include "pgcluster.h"
#include "xalloc.h"

static void assert_scalar(const char *dsn, const char *sql, const char *want)
{
	char *got = dbtest_scalar(dsn, sql);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_server_is_private_and_fast(void **state)
{
	(void)state;
	const char *dsn = dbtest_admin_dsn();
	/* NULL server address: we came in over a Unix socket. */
	assert_scalar(dsn, "SELECT inet_server_addr() IS NULL", "t");
	assert_scalar(dsn, "SHOW listen_addresses", "");
	assert_scalar(dsn, "SHOW fsync", "off");
	assert_scalar(dsn, "SHOW synchronous_commit", "off");
	assert_scalar(dsn, "SHOW unix_socket_directories", getenv("TC_TEST_HOST"));
	assert_scalar(dsn, "SELECT current_user", "postgres");
	assert_scalar(dsn, "SELECT datistemplate FROM pg_database WHERE datname = 'tc_template'",
		      "t");
	/* libpq's defaults point at the cluster too (PGHOST and friends). */
	PGconn *conn = PQconnectdb("");
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	assert_string_equal(PQhost(conn), getenv("TC_TEST_HOST"));
	assert_string_equal(PQdb(conn), "postgres");
	PQfinish(conn);
}

static const char user_tables[] =
	"SELECT count(*) FROM pg_catalog.pg_class c"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
	" AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
	" AND n.nspname NOT LIKE 'pg\\_toast%'";

static void test_new_db_is_fresh_and_empty(void **state)
{
	(void)state;
	char *a = dbtest_new_db();
	char *b = dbtest_new_db();
	assert_string_not_equal(a, b);

	char *name_a = dbtest_scalar(a, "SELECT current_database()");
	char *name_b = dbtest_scalar(b, "SELECT current_database()");
	assert_string_not_equal(name_a, name_b);
	assert_string_not_equal(name_a, "postgres");
	assert_scalar(a, user_tables, "0");
	assert_scalar(b, user_tables, "0");

	/* What one test does to its database does not reach another's. */
	dbtest_exec(a, "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)");
	assert_scalar(a, "SELECT count(*) FROM t", "2");
	assert_scalar(b, user_tables, "0");
	char *c = dbtest_new_db();
	assert_scalar(c, user_tables, "0");

	/* A database can serve as the template of another. */
	char *d = dbtest_new_db_from(name_a);
	assert_scalar(d, "SELECT count(*) FROM t", "2");

	free(name_a);
	free(name_b);
	free(a);
	free(b);
	free(c);
	free(d);
}

static void test_scalar_null(void **state)
{
	(void)state;
	assert_null(dbtest_scalar(dbtest_admin_dsn(), "SELECT NULL"));
}

static void test_find_bindir(void **state)
{
	(void)state;
	char *why = NULL;
	char *bindir = pgcluster_find_bindir(&why);
	assert_non_null(bindir);
	assert_null(why);
	free(bindir);

	/* A wrong explicit choice is reported, not replaced by a guess. */
	char *saved = getenv("TC_PG_BINDIR") ? xstrdup(getenv("TC_PG_BINDIR")) : NULL;
	setenv("TC_PG_BINDIR", "/nonexistent/tenantctl", 1);
	bindir = pgcluster_find_bindir(&why);
	if (saved)
		setenv("TC_PG_BINDIR", saved, 1);
	else
		unsetenv("TC_PG_BINDIR");
	free(saved);
	assert_null(bindir);
	assert_non_null(why);
	assert_non_null(strstr(why, "TC_PG_BINDIR=/nonexistent/tenantctl"));
	free(why);
}

/* ---------------------------------------------------------- second cluster */

typedef struct second {
	char *dir;
	pgcluster pc;
	bool have_pc;
} second;

static int second_setup(void **state)
{
	second *s = xcalloc(1, sizeof *s);
	const char *tmp = getenv("TMPDIR");
	s->dir = xasprintf("%s/tc-cluster-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(s->dir)) {
		free(s->dir);
		free(s);
		return -1;
	}
	/* The server may run as postgres while we are root. */
	chmod(s->dir, 0755);
	*state = s;
	return 0;
}

static int second_teardown(void **state)
{
	second *s = *state;
	if (s->have_pc) {
		/* After a failed assertion: leave nothing running. */
		pgcluster_stop(&s->pc, NULL);
		pgcluster_remove(&s->pc, NULL);
		pgcluster_free(&s->pc);
	}
	rmdir(s->dir);
	free(s->dir);
	free(s);
	return 0;
}

static void test_second_cluster_lifecycle(void **state)
{
	second *s = *state;
	tc_error err = TC_ERROR_INIT;
	char *datadir = xasprintf("%s/data", s->dir);

	assert_int_equal(pgcluster_init_struct(&s->pc, NULL, datadir, &err), TC_OK);
	s->have_pc = true;
	assert_string_equal(s->pc.datadir, datadir);
	assert_false(pgcluster_exists(&s->pc));
	/* Stopping a cluster that never started is harmless. */
	assert_int_equal(pgcluster_stop(&s->pc, &err), TC_OK);

	if (pgcluster_initdb(&s->pc, &err) != TC_OK)
		fail_msg("initdb: %s", err.message);
	assert_true(pgcluster_exists(&s->pc));
	/* initdb refuses a folder that already holds a cluster. */
	assert_int_equal(pgcluster_initdb(&s->pc, &err), TC_ERR_REFUSED);
	tc_error_clear(&err);

	if (pgcluster_start(&s->pc, &err) != TC_OK)
		fail_msg("start: %s", err.message);
	assert_true(s->pc.started);
	char *dsn = pgcluster_dsn(&s->pc, "postgres");
	assert_scalar(dsn, "SHOW data_directory", datadir);
	assert_scalar(dsn, "SHOW fsync", "off");
	assert_scalar(dsn, "SELECT inet_server_addr() IS NULL", "t");
	/* It is not the cluster pgrun started. */
	assert_string_not_equal(s->pc.socketdir, getenv("TC_TEST_HOST"));
	/* Removing a running cluster is refused. */
	assert_int_equal(pgcluster_remove(&s->pc, &err), TC_ERR_REFUSED);
	tc_error_clear(&err);

	assert_int_equal(pgcluster_stop(&s->pc, &err), TC_OK);
	assert_false(s->pc.started);
	assert_int_equal(PQping(dsn), PQPING_NO_RESPONSE);
	free(dsn);

	assert_int_equal(pgcluster_remove(&s->pc, &err), TC_OK);
	struct stat st;
	assert_int_equal(stat(datadir, &st), -1);
	assert_int_equal(errno, ENOENT);
	/* Only our own folder is left, and it is empty. */
	assert_int_equal(rmdir(s->dir), 0);
	assert_int_equal(access(s->dir, F_OK), -1);
	free(datadir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_is_private_and_fast),
		cmocka_unit_test(test_new_db_is_fresh_and_empty),
		cmocka_unit_test(test_scalar_null),
		cmocka_unit_test(test_find_bindir),
		cmocka_unit_test_setup_teardown(test_second_cluster_lifecycle, second_setup,
						second_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
