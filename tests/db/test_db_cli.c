/* The tenantctl binary as scripts use it: exit codes, messages, formats. */
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
		fail_msg("expected to find '%s' in:\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("did not expect '%s' in:\n%s", needle, hay);
}

static char *write_file(const char *text)
{
	char *path = xasprintf("/tmp/tc-cfg-%d-XXXXXX", (int)getpid());
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void info_prints_the_facts(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	cli_out o = cli_run(ARGS("info", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "server_version\t1");
	assert_contains(o.out, "user\tpostgres");
	assert_contains(o.out, "mode\tread-only");
	assert_contains(o.out, "tls\toff");
	assert_contains(o.out, "statement_timeout\t30s");
	assert_contains(o.out, "lock_timeout\t5s");
	assert_contains(o.out, "idle_in_transaction_session_timeout\t10min");
	cli_out_free(&o);

	/* With a migrations folder, its summary. */
	char *dir = xasprintf("%s/db/migrations", getenv("TC_SRCDIR"));
	char *ref = dbtest_new_db();
	dbtest_exec(ref, "CREATE TABLE extra_in_reference (x int)");
	char *text = xasprintf("[target t]\ndsn = \"%s\"\nmigrations = %s\nreference = \"%s\"\n",
			       dsn, dir, ref);
	char *cfg = write_file(text);
	o = cli_run(ARGS("info", "--config", cfg, "-t", "t"), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "migrations\t0 applied, 8 pending, 0 edited, 0 missing");
	assert_contains(o.out, "drift\t1 drift item: 1 missing, 0 extra, 0 changed");
	free(ref);
	cli_out_free(&o);
	unlink(cfg);
	free(cfg);
	free(text);
	free(dir);

	/* Global options after the command mean the same. */
	o = cli_run(ARGS("info", "--json", "--write", "--dsn", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "\"mode\":\"read-write\"");
	assert_contains(o.out, "\"standby\":false");
	assert_int_equal(o.out[0], '{');
	cli_out_free(&o);
	free(dsn);
}

static void secrets_never_shown(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *with_pw = xasprintf("%s password=Hunter2Secret", dsn);
	cli_out o = cli_run(ARGS("-d", with_pw, "info"), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "password=********");
	assert_lacks(o.out, "Hunter2Secret");
	cli_out_free(&o);
	free(with_pw);
	free(dsn);
}

static void connection_refused_exits_3(void **state)
{
	(void)state;
	cli_out o = cli_run(ARGS("info", "-d",
				 "postgresql://alice:Pa55word@/app?host=/nonexistent-tc&port=6000"),
			    NULL);
	assert_int_equal(o.status, 3);
	assert_contains(o.err, "host=/nonexistent-tc");
	assert_contains(o.err, "port=6000");
	assert_contains(o.err, "dbname=app");
	assert_contains(o.err, "user=alice");
	assert_lacks(o.err, "Pa55word");
	assert_lacks(o.out, "Pa55word");
	cli_out_free(&o);
}

static void authentication_failure_exits_3(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cli_op')"
			 " THEN CREATE ROLE cli_op LOGIN PASSWORD 'good-pw'; END IF; END $$");
	char *bad = xasprintf("%s user=cli_op password=N0tTheRightOne", dsn);
	cli_out o = cli_run(ARGS("info", "-d", bad), NULL);
	assert_int_equal(o.status, 3);
	assert_contains(o.err, "password authentication failed");
	assert_contains(o.err, "user=cli_op");
	assert_lacks(o.err, "N0tTheRightOne");
	cli_out_free(&o);

	/* No password and no terminal: fail, never hang waiting for one. */
	char *none = xasprintf("%s user=cli_op", dsn);
	o = cli_run(ARGS("info", "-d", none), NULL);
	assert_int_equal(o.status, 3);
	cli_out_free(&o);
	free(none);
	free(bad);
	free(dsn);
}

static void pgpassword_warns_once(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	cli_out o = cli_run(ARGS("info", "-d", dsn), ARGS("PGPASSWORD=whatever"));
	assert_int_equal(o.status, 0);
	char *first = strstr(o.err, "PGPASSWORD is set");
	assert_non_null(first);
	assert_null(strstr(first + 1, "PGPASSWORD is set"));
	assert_lacks(o.err, "whatever");
	cli_out_free(&o);
	free(dsn);
}


static void targets_from_the_config_file(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *text = xasprintf("[target demo]\ndsn = \"%s\"\nlock_timeout = 1s\n\n"
			       "[target prod]\nservice = prod\nwrite = true\n",
			       dsn);
	char *cfg = write_file(text);
	cli_out o = cli_run(ARGS("--config", cfg, "-t", "demo", "info"), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "target\tdemo");
	assert_contains(o.out, "lock_timeout\t1s");
	assert_contains(o.out, "mode\tread-only");
	cli_out_free(&o);

	o = cli_run(ARGS("targets", "--config", cfg), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "demo\t");
	assert_contains(o.out, "prod\tservice=prod\ttrue\t");
	cli_out_free(&o);

	o = cli_run(ARGS("--config", cfg, "-t", "nope", "info"), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "no target named 'nope'");
	assert_contains(o.err, "demo, prod");
	cli_out_free(&o);
	unlink(cfg);
	free(cfg);
	free(text);
	free(dsn);
}

static void malformed_config_exits_2_with_line(void **state)
{
	(void)state;
	char *cfg = write_file("[target a]\ndsn = x\nlock_timout = 5s\n");
	cli_out o = cli_run(ARGS("--config", cfg, "targets"), NULL);
	assert_int_equal(o.status, 2);
	char *where = xasprintf("%s:3:", cfg);
	assert_contains(o.err, where);
	assert_contains(o.err, "lock_timout");
	cli_out_free(&o);
	unlink(cfg);
	free(where);
	free(cfg);
}

static void usage_errors_exit_2(void **state)
{
	(void)state;
	cli_out o = cli_run(ARGS("frobnicate"), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "unknown command 'frobnicate'");
	cli_out_free(&o);
	o = cli_run(ARGS("info", "--nope"), NULL);
	assert_int_equal(o.status, 2);
	cli_out_free(&o);
	o = cli_run(ARGS("info", "--help"), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "Usage: tenantctl info");
	cli_out_free(&o);
}

static void output_formats(void **state)
{
	(void)state;
	cli_out o = cli_run(ARGS("version", "--csv"), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "tenantctl,libpq\r\n" PACKAGE_VERSION ",");
	cli_out_free(&o);
	o = cli_run(ARGS("--json", "version"), NULL);
	assert_contains(o.out, "{\"tenantctl\":\"" PACKAGE_VERSION "\",\"libpq\":\"");
	cli_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(info_prints_the_facts),
		cmocka_unit_test(secrets_never_shown),
		cmocka_unit_test(connection_refused_exits_3),
		cmocka_unit_test(authentication_failure_exits_3),
		cmocka_unit_test(pgpassword_warns_once),
		cmocka_unit_test(targets_from_the_config_file),
		cmocka_unit_test(malformed_config_exits_2_with_line),
		cmocka_unit_test(usage_errors_exit_2),
		cmocka_unit_test(output_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
