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

static char *slurp_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
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

static void spit_file(const char *path, const char *text, const char *mode)
{
	FILE *f = fopen(path, mode);
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The demo's drift: a reference database with every migration and nothing
 * else, named in the demo's config with an allowlist the demo creates once
 * and never rewrites; the planted drift and the pending migration show in
 * `drift` and in the console's Drift pane at once. */
static void drift_reference_and_allowlist(void **state)
{
	(void)state;
	cli_out o = cli_run(ARGS("demo"), ARGS(demo_env));
	if (o.status)
		fail_msg("demo failed: %s", o.err);
	assert_contains(o.err, "planting schema drift");
	assert_contains(o.err, "building the drift reference");
	cli_out_free(&o);

	char *conf_path = xasprintf("%s.conf", demo_dir);
	char *allow_path = xasprintf("%s.allowlist", demo_dir);
	char *conf = slurp_file(conf_path);
	assert_non_null(conf);
	assert_contains(conf, "dbname=tenantctl_demo_ref\"\n");
	char *line = xasprintf("allowlist = %s\n", allow_path);
	assert_contains(conf, line);
	free(line);
	free(conf);
	char *allow = slurp_file(allow_path);
	assert_non_null(allow);
	assert_contains(allow, "# Known drift of the demo deployment");
	assert_contains(allow, "\ntable public.organizations_backup -- ");
	free(allow);

	/* The reference: every migration, no data, none of the planted drift. */
	char *ref = xasprintf("host=%s port=5432 user=postgres dbname=tenantctl_demo_ref", demo_dir);
	char *n = dbtest_scalar(ref, "SELECT count(*) FROM public.tenantctl_schema_migrations");
	assert_string_equal(n, "8");
	free(n);
	n = dbtest_scalar(ref, "SELECT count(*) FROM public.organizations");
	assert_string_equal(n, "0");
	free(n);

	/* Each planted item and the pending migration, the backup allowlisted. */
	o = cli_run(ARGS("--config", conf_path, "-t", "demo", "drift"), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "column\tpublic.invitations.expires_at\tdefault\tchanged");
	assert_contains(o.out, "column\tpublic.organizations.billing_email\t\\N\tmissing");
	assert_contains(o.out, "column\tpublic.projects.name\tdefault\tchanged");
	assert_contains(o.out, "column\tpublic.projects.name\tnot_null\tchanged\tfalse\ttrue");
	assert_contains(o.out, "function\tpublic.tenantctl_operator_log_reject()\tdefinition\tchanged");
	assert_contains(o.out, "index\tpublic.organizations_name_lower_idx\t\\N\textra");
	assert_contains(o.out, "migration\tpublic.tenantctl_schema_migrations.\"20260101000008\"");
	assert_contains(o.out, "table\tpublic.organizations_backup\t\\N\textra");
	assert_contains(o.out, "\ttrue\tcopy kept until");
	assert_contains(o.err, "7 drift items: 2 missing, 1 extra, 4 changed; 1 allowlisted");
	cli_out_free(&o);
	o = cli_run(ARGS("--config", conf_path, "-t", "demo", "drift", "check"), NULL);
	assert_int_equal(o.status, 1);
	cli_out_free(&o);

	/* The console opens with the drift counted in the header, and the Drift
	 * pane lists it at once. */
	char *script = xasprintf("%s.script", demo_dir), *dump = xasprintf("%s.dump", demo_dir);
	char *steps = xasprintf("3\ndump %s\nq\n", dump);
	spit_file(script, steps, "w");
	char *env_script = xasprintf("TENANTCTL_TUI_SCRIPT=%s", script);
	o = cli_run(ARGS("demo"), ARGS(demo_env, env_script, "TENANTCTL_TUI_SIZE=120x30", "TERM=xterm",
				      "LC_ALL=C.UTF-8", "NO_COLOR=1"));
	if (o.status)
		fail_msg("the demo console failed: %s", o.err);
	cli_out_free(&o);
	char *screen = slurp_file(dump);
	if (!screen)
		fail_msg("the console wrote no screen %s", dump);
	assert_contains(screen, "migrations: 1 pending  drift: 7");
	assert_contains(screen, "Drift: 7 items, 1 allowlisted · vs database tenantctl_demo_ref");
	assert_contains(screen, "organizations_name_lower_idx");
	assert_contains(screen, "\"20260101000008\"");
	assert_contains(screen, "allowed: copy kept until");
	free(screen);
	unlink(script);
	unlink(dump);
	free(env_script);
	free(steps);
	free(script);
	free(dump);

	/* The allowlist is the operator's: kept as it is across restarts and
	 * --fresh; a reference that went missing is built again. */
	spit_file(allow_path, "index public.organizations_name_lower_idx -- kept by hand\n", "a");
	char *admin = xasprintf("host=%s port=5432 user=postgres dbname=postgres", demo_dir);
	dbtest_exec(admin, "DROP DATABASE tenantctl_demo_ref");
	o = cli_run(ARGS("demo"), ARGS(demo_env));
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "running");
	assert_contains(o.err, "building the drift reference");
	cli_out_free(&o);
	n = dbtest_scalar(ref, "SELECT count(*) FROM public.tenantctl_schema_migrations");
	assert_string_equal(n, "8");
	free(n);
	o = cli_run(ARGS("demo", "--fresh"), ARGS(demo_env));
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	allow = slurp_file(allow_path);
	assert_contains(allow, "kept by hand\n");
	free(allow);
	o = cli_run(ARGS("--config", conf_path, "-t", "demo", "drift"), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.err, "6 drift items: 2 missing, 0 extra, 4 changed; 2 allowlisted");
	cli_out_free(&o);

	free(admin);
	free(ref);
	free(conf_path);
	free(allow_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(starts_stops_restarts, setup, teardown),
		cmocka_unit_test_setup_teardown(drift_reference_and_allowlist, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
