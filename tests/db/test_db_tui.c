/* Golden screens of the console: the TUI runs on a virtual screen driven by
 * TENANTCTL_TUI_SCRIPT, dumps what it shows, and each dump is compared with
 * tests/tui/golden/NAME.txt.
 *
 * Normalisation before comparing (the only parts that vary between runs):
 *   - the server version after "pg " becomes "VER" (clusters differ);
 *   - every "YYYY-MM-DD hh:mm" has its digits replaced by '9'
 *     (applied-at times are today's).
 * The database gets a fixed name so user@database is stable.
 * TC_UPDATE_GOLDEN=1 rewrites the expected files instead of comparing;
 * read the new ones by eye before committing them. */
#include "config.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdbool.h>
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
#include "strbuf.h"
#include "xalloc.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_addn(&sb, buf, n);
	fclose(f);
	return sb_steal(&sb);
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static bool is_timestamp(const char *p)
{
	static const char shape[] = "dddd-dd-dd dd:dd";
	for (size_t i = 0; shape[i]; i++) {
		if (!p[i])
			return false;
		if (shape[i] == 'd' ? !isdigit((unsigned char)p[i]) : p[i] != shape[i])
			return false;
	}
	return true;
}

/* See the comment at the top of the file. Caller frees. */
static char *normalise(const char *text)
{
	char *t = xstrdup(text);
	for (char *p = t; *p; p++) {
		if (is_timestamp(p)) {
			for (int i = 0; i < 16; i++)
				if (isdigit((unsigned char)p[i]))
					p[i] = '9';
			p += 15;
		}
	}
	strbuf sb = STRBUF_INIT;
	const char *p = t;
	const char *v;
	while ((v = strstr(p, "  pg ")) != NULL) {
		sb_addn(&sb, p, (size_t)(v - p) + 5);
		v += 5;
		size_t len = strcspn(v, " \n");
		sb_add(&sb, "VER");
		p = v + len;
	}
	sb_add(&sb, p);
	free(t);
	return sb_steal(&sb);
}

static void check_golden(const char *dump_path, const char *name)
{
	char *got_raw = slurp(dump_path);
	if (!got_raw)
		fail_msg("the console wrote no dump %s", dump_path);
	char *got = normalise(got_raw);
	char *golden = xasprintf("%s/tests/tui/golden/%s.txt", getenv("TC_SRCDIR"), name);
	const char *update = getenv("TC_UPDATE_GOLDEN");
	if (update && *update) {
		spit(golden, got);
	} else {
		char *want = slurp(golden);
		if (!want)
			fail_msg("no expected screen %s (TC_UPDATE_GOLDEN=1 writes it)", golden);
		if (strcmp(want, got) != 0)
			fail_msg("screen %s differs from %s; got:\n%s", name, golden, got);
		free(want);
	}
	free(golden);
	free(got);
	free(got_raw);
	unlink(dump_path);
}

static void frame_migrations_help_and_tiny(void **state)
{
	(void)state;
	/* A fixed database name keeps the header's user@database stable. */
	dbtest_exec(dbtest_admin_dsn(), "DROP DATABASE IF EXISTS tc_tui_golden");
	dbtest_exec(dbtest_admin_dsn(), "CREATE DATABASE tc_tui_golden TEMPLATE tc_template");
	char *dsn = xasprintf("%s dbname=tc_tui_golden", dbtest_admin_dsn());
	char *dir = xasprintf("%s/db/migrations", getenv("TC_SRCDIR"));

	/* All applied, then the last one reverted: one pending. */
	cli_out o = cli_run(ARGS("migrate", "up", "--write", "-d", dsn, "--dir", dir), NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	o = cli_run(ARGS("migrate", "down", "--write", "-d", dsn, "--dir", dir), NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);

	char tmp[] = "/tmp/tc-tui-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	char *cfg = xasprintf("%s/tenantctl.conf", tmp);
	char *cfg_text = xasprintf("[target golden]\ndsn = \"%s\"\nmigrations = %s\n", dsn, dir);
	spit(cfg, cfg_text);

	/* Growing back from tiny must give the Migrations screen again. */
	static const char *const names[] = {"frame", "migrations", "help", "tiny", "migrations"};
	enum { N_DUMPS = sizeof names / sizeof names[0] };
	char *dumps[N_DUMPS];
	for (int i = 0; i < N_DUMPS; i++)
		dumps[i] = xasprintf("%s/%d-%s.txt", tmp, i, names[i]);
	char *script = xasprintf("%s/script", tmp);
	char *script_text = xasprintf("dump %s\n"
				      "4\nj\nKEY_DOWN\nk\n"
				      "dump %s\n"
				      "?\n"
				      "dump %s\n"
				      "ESC\nresize 30 8\n"
				      "dump %s\n"
				      "resize 80 24\n"
				      "dump %s\n"
				      "q\n",
				      dumps[0], dumps[1], dumps[2], dumps[3], dumps[4]);
	spit(script, script_text);

	char *env_script = xasprintf("TENANTCTL_TUI_SCRIPT=%s", script);
	o = cli_run(ARGS("--config", cfg, "-t", "golden"),
		    ARGS(env_script, "TENANTCTL_TUI_SIZE=80x24", "TERM=xterm", "LC_ALL=C.UTF-8",
			 "TZ=UTC", "NO_COLOR=1"));
	if (o.status != 0)
		fail_msg("tenantctl exited %d: %s", o.status, o.err);
	cli_out_free(&o);

	for (int i = 0; i < N_DUMPS; i++) {
		check_golden(dumps[i], names[i]);
		free(dumps[i]);
	}
	unlink(script);
	unlink(cfg);
	rmdir(tmp);
	free(env_script);
	free(script_text);
	free(script);
	free(cfg_text);
	free(cfg);
	free(dir);
	free(dsn);
}

/* Without a terminal and without a script, `tenantctl` prints its help
 * rather than waiting for keys no one will press. */
static void no_terminal_prints_help(void **state)
{
	(void)state;
	cli_out o = cli_run(ARGS("-d", "dbname=nothing"), ARGS("TENANTCTL_TUI_SCRIPT"));
	assert_int_equal(o.status, 0);
	if (!strstr(o.out, "migrate"))
		fail_msg("expected the help, got:\n%s", o.out);
	cli_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frame_migrations_help_and_tiny),
		cmocka_unit_test(no_terminal_prints_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
