/* `tenantctl demo`: builds, stops, restarts with its data, rebuilds. Runs
 * under pgrun like the other database tests (it needs the server
 * programs), but starts its own cluster in its own folder. */
#include "config.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "dbtest.h"
#include "xalloc.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static char *demo_dir;
static char *demo_env;

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected '%s' in:\n%s", needle, hay);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	char *base = xstrdup("/tmp/tc-demo-XXXXXX");
	if (!mkdtemp(base))
		return -1;
	chmod(base, 0755); /* as root, the server runs as postgres */
	demo_dir = xasprintf("%s/demo", base);
	demo_env = xasprintf("TENANTCTL_DEMO_DIR=%s", demo_dir);
	free(base);
	return 0;
}

/* Stop the server and remove its folder even when a test failed. */
static int teardown(void **state)
{
	(void)state;
	cli_out o = cli_run(ARGS("demo", "--stop"), ARGS(demo_env));
	cli_out_free(&o);
	char *base = xstrdup(demo_dir);
	*strrchr(base, '/') = '\0';
	nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(base);
	free(demo_dir);
	free(demo_env);
	return 0;
}

static char *demo_dsn(void)
{
	return xasprintf("host=%s port=5432 user=postgres dbname=tenantctl_demo", demo_dir);
}

static void starts_stops_restarts(void **state)
{
	(void)state;
	cli_out o = cli_run(ARGS("demo"), ARGS(demo_env));
	if (o.status)
		fail_msg("demo failed: %s", o.err);
	assert_contains(o.out, "demo deployment built in");
	assert_contains(o.out, "7 applied, 1 pending, 0 edited, 0 missing");
	assert_contains(o.out, "20260101000008 pending");
	assert_contains(o.out, "psql \"host=");
	assert_contains(o.err, "creating the demo cluster");
	cli_out_free(&o);

	char *dsn = demo_dsn();
	/* The seed is there, with its planted findings. */
	char *n = dbtest_scalar(dsn, "SELECT count(*) FROM public.organizations WHERE slug = 'globex'");
	assert_string_equal(n, "1");
	free(n);
	dbtest_exec(dsn, "INSERT INTO public.users (email) VALUES ('kept@example.com')");

	o = cli_run(ARGS("demo", "--stop"), ARGS(demo_env));
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	o = cli_run(ARGS("info", "-d", dsn), NULL);
	assert_int_equal(o.status, 3); /* the server is down */
	cli_out_free(&o);

	/* Restart: reused, not rebuilt; data kept. */
	o = cli_run(ARGS("demo"), ARGS(demo_env));
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "demo deployment running in");
	assert_contains(o.err, "starting the demo server");
	cli_out_free(&o);
	n = dbtest_scalar(dsn, "SELECT count(*) FROM public.users WHERE email = 'kept@example.com'");
	assert_string_equal(n, "1");
	free(n);

	/* Running again while it runs just reports it. */
	o = cli_run(ARGS("demo"), ARGS(demo_env));
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "running");
	cli_out_free(&o);

	/* --fresh throws it away. */
	o = cli_run(ARGS("demo", "--fresh"), ARGS(demo_env));
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "built");
	cli_out_free(&o);
	n = dbtest_scalar(dsn, "SELECT count(*) FROM public.users WHERE email = 'kept@example.com'");
	assert_string_equal(n, "0");
	free(n);

	/* The pending migration applies on the demo. */
	char *dir = xasprintf("%s/db/migrations", getenv("TC_SRCDIR"));
	o = cli_run(ARGS("migrate", "step", "--write", "-d", dsn, "--dir", dir), NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	n = dbtest_scalar(dsn, "SELECT count(*) FROM public.tenantctl_operator_log"
			       " WHERE outcome = 'applied' AND target LIKE 'migration 20260101000008%'");
	assert_string_equal(n, "1");
	free(n);
	free(dir);
	free(dsn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(starts_stops_restarts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
