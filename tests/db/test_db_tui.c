/* Golden screens of the console: the TUI runs on a virtual screen driven by
 * TENANTCTL_TUI_SCRIPT, dumps what it shows, and each dump is compared with
 * tests/tui/golden/NAME.txt.
 *
 * Normalisation before comparing (the only parts that vary between runs):
 *   - the server version after "pg " becomes "VER" (clusters differ);
 *   - every date ("YYYY-MM-DD", with "Thh:mm..." or " hh:mm" after it,
 *     whole or clipped) has its digits replaced by '9' (times are today's);
 *   - a number standing alone at the end of a row saying "applied " (the
 *     duration in ms, the last column an 80-column screen shows) becomes a
 *     right-aligned 9;
 *   - the source tree's path becomes SRC (migration files are named).
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

static bool has_shape(const char *p, const char *shape)
{
	for (size_t i = 0; shape[i]; i++) {
		if (!p[i])
			return false;
		if (shape[i] == 'd' ? !isdigit((unsigned char)p[i]) : p[i] != shape[i])
			return false;
	}
	return true;
}

static bool is_date(const char *p)
{
	return has_shape(p, "dddd-dd-dd");
}

static bool is_time(const char *p)
{
	return has_shape(p, "dd:dd");
}

/* See the comment at the top of the file. Caller frees. */
static char *normalise(const char *text)
{
	char *t = xstrdup(text);
	for (char *p = t; *p; p++) {
		/* dates, with or without a time, whole or clipped */
		if (is_date(p)) {
			size_t len = strcspn(p, " \n");
			if (p[len] == ' ' && is_time(p + len + 1))
				len += 6;
			for (size_t i = 0; i < len; i++)
				if (isdigit((unsigned char)p[i]))
					p[i] = '9';
			p += len - 1;
		}
	}
	/* durations: a number standing alone at the end of a row that says
	 * "applied " (the ms a migration took) */
	for (char *line = t; *line;) {
		char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		char *q = end;
		while (q > line && isdigit((unsigned char)q[-1]))
			q--;
		size_t n = (size_t)(end - q);
		if (n > 0 && n <= 6 && q > line && q[-1] == ' ' && memmem(line, (size_t)(end - line), "applied ", 8)) {
			memset(q, ' ', n - 1);
			q[n - 1] = '9';
		}
		line = *end ? end + 1 : end;
	}
	strbuf sb = STRBUF_INIT;
	const char *src = getenv("TC_SRCDIR");
	size_t srclen = src ? strlen(src) : 0;
	for (const char *p = t; *p;) {
		if (srclen && strncmp(p, src, srclen) == 0) {
			sb_add(&sb, "SRC");
			p += srclen;
		} else if (strncmp(p, "  pg ", 5) == 0) {
			sb_add(&sb, "  pg VER");
			p += 5 + strcspn(p + 5, " \n");
		} else {
			sb_addc(&sb, *p++);
		}
	}
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

/* A database named `name` with every reference migration applied, then the
 * last one reverted (one pending), and a config file with [target golden].
 * Fills dir (the temporary folder) and returns the config path. */
typedef struct fixture {
	char dir[32];
	char *cfg, *dsn, *migdir;
} fixture;

static void fixture_make(fixture *f, const char *name, bool writes)
{
	char *drop = xasprintf("DROP DATABASE IF EXISTS %s", name);
	char *create = xasprintf("CREATE DATABASE %s TEMPLATE tc_template", name);
	dbtest_exec(dbtest_admin_dsn(), drop);
	dbtest_exec(dbtest_admin_dsn(), create);
	free(drop);
	free(create);
	f->dsn = xasprintf("%s dbname=%s", dbtest_admin_dsn(), name);
	f->migdir = xasprintf("%s/db/migrations", getenv("TC_SRCDIR"));
	cli_out o = cli_run(ARGS("migrate", "up", "--write", "-d", f->dsn, "--dir", f->migdir), NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	o = cli_run(ARGS("migrate", "down", "--write", "-d", f->dsn, "--dir", f->migdir), NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);

	strcpy(f->dir, "/tmp/tc-tui-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->cfg = xasprintf("%s/tenantctl.conf", f->dir);
	char *text = xasprintf("[target golden]\ndsn = \"%s\"\nmigrations = %s\n%s", f->dsn,
			       f->migdir, writes ? "write = true\n" : "");
	spit(f->cfg, text);
	free(text);
}

static void fixture_free(fixture *f)
{
	unlink(f->cfg);
	char *hist = xasprintf("%s/tenantctl/history", f->dir);
	unlink(hist);
	free(hist);
	hist = xasprintf("%s/tenantctl", f->dir);
	rmdir(hist);
	free(hist);
	rmdir(f->dir);
	free(f->cfg);
	free(f->dsn);
	free(f->migdir);
}

/* Run the console on the fixture with `steps` (script lines, where a line
 * "dump NAME" dumps the screen and compares it with golden NAME). extra_env
 * may add one NAME=value. Returns the console's stderr (caller frees). */
static char *run_console(fixture *f, const char *steps, const char *size, const char *extra_env)
{
	strbuf script = STRBUF_INIT;
	const char *names[32];
	char *dumps[32];
	int n = 0;
	char *copy = xstrdup(steps);
	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "dump ", 5) == 0) {
			assert_true(n < 32);
			names[n] = line + 5;
			dumps[n] = xasprintf("%s/%d-%s.txt", f->dir, n, line + 5);
			sb_addf(&script, "dump %s\n", dumps[n]);
			n++;
		} else {
			sb_addf(&script, "%s\n", line);
		}
	}
	char *script_path = xasprintf("%s/script", f->dir);
	spit(script_path, sb_str(&script));
	char *env_script = xasprintf("TENANTCTL_TUI_SCRIPT=%s", script_path);
	char *env_size = xasprintf("TENANTCTL_TUI_SIZE=%s", size);
	char *env_state = xasprintf("XDG_STATE_HOME=%s", f->dir);
	cli_out o = cli_run(ARGS("--config", f->cfg, "-t", "golden"),
			    ARGS(env_script, env_size, env_state, "TERM=xterm", "LC_ALL=C.UTF-8",
				 "TZ=UTC", extra_env ? extra_env : "NO_COLOR=1"));
	if (o.status != 0)
		fail_msg("tenantctl exited %d: %s", o.status, o.err);
	for (int i = 0; i < n; i++) {
		check_golden(dumps[i], names[i]);
		free(dumps[i]);
	}
	char *err = o.err;
	o.err = NULL;
	cli_out_free(&o);
	unlink(script_path);
	free(script_path);
	free(env_script);
	free(env_size);
	free(env_state);
	free(copy);
	sb_free(&script);
	return err;
}

static void frame_migrations_help_and_sizes(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, "tc_tui_golden", false);
	/* Growing back from tiny must give the Migrations screen again. */
	free(run_console(&f,
			 "dump frame\n"
			 "4\nj\nKEY_DOWN\nk\n"
			 "dump migrations\n"
			 "?\n"
			 "dump help\n"
			 "ESC\nresize 50 14\n"
			 "dump single\n"
			 "resize 30 8\n"
			 "dump tiny\n"
			 "resize 80 24\n"
			 "dump migrations\n"
			 "M\n"
			 "dump apply-refused\n"
			 "q\n",
			 "80x24", NULL));
	fixture_free(&f);
}

/* Colour changes attributes only: the text a monochrome terminal shows
 * is the same, with the symbols carrying the states. */
static void colour_shows_the_same_text(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, "tc_tui_golden", false);
	free(run_console(&f, "4\nj\nKEY_DOWN\nk\ndump migrations\nq\n", "80x24", "COLORTERM=truecolor"));
	fixture_free(&f);
}

static void help_read_write(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, "tc_tui_golden", true);
	free(run_console(&f, "?\nKEY_NPAGE\ndump help-rw\nq\n", "80x24", NULL));
	fixture_free(&f);
}

static void prompt_completion_and_history(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, "tc_tui_golden", false);
	free(run_console(&f,
			 "4\n:\ntext mig\nTAB\ndump prompt-word\n"
			 "text st\nTAB\ndump prompt-candidates\n"
			 "text atus\nENTER\ndump prompt-output\n"
			 "ESC\n:\nKEY_UP\ndump prompt-history\nESC\nq\n",
			 "80x24", NULL));
	fixture_free(&f);
}

/* Enter shows the SQL; p previews and changes nothing; M asks (default
 * No), then applies; the database says so afterwards. */
static void sql_preview_and_apply(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, "tc_tui_golden", true);
	free(run_console(&f,
			 "4\nG\nENTER\ndump sql\nESC\n"
			 "p\ndump preview\nESC\n"
			 "M\ndump apply-confirm\nENTER\ndump apply-declined\n"
			 "M\ny\ndump applied\nESC\ndump migrations-after\nq\n",
			 "80x24", NULL));
	char *pending = dbtest_scalar(f.dsn, "SELECT count(*) FROM public.tenantctl_schema_migrations");
	assert_string_equal(pending, "8");
	free(pending);
	char *col = dbtest_scalar(f.dsn, "SELECT count(*) FROM pg_attribute WHERE attrelid = "
					 "'public.organizations'::regclass AND attname = 'billing_email'");
	assert_string_equal(col, "1");
	free(col);
	fixture_free(&f);
}

/* :migrate down from the prompt shows its plan and asks; No changes nothing. */
static void prompt_write_asks_first(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, "tc_tui_golden", true);
	free(run_console(&f, "4\n:\ntext migrate down\nENTER\ndump down-confirm\nn\ndump down-declined\nq\n",
			 "80x24", NULL));
	char *n = dbtest_scalar(f.dsn, "SELECT count(*) FROM public.tenantctl_schema_migrations");
	assert_string_equal(n, "7");
	free(n);
	fixture_free(&f);
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
		cmocka_unit_test(frame_migrations_help_and_sizes),
		cmocka_unit_test(colour_shows_the_same_text),
		cmocka_unit_test(help_read_write),
		cmocka_unit_test(prompt_completion_and_history),
		cmocka_unit_test(sql_preview_and_apply),
		cmocka_unit_test(prompt_write_asks_first),
		cmocka_unit_test(no_terminal_prints_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
