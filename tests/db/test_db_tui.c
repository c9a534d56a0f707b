/* Golden screens of the console's frame, help, prompt and Migrations pane
 * (tests/tuirun.h says how they run and what is normalised). */
#include "config.h"

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

#include "clirun.h"
#include "dbtest.h"
#include "mig.h"
#include "tuirun.h"
#include "strbuf.h"
#include "xalloc.h"

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

static void write_migration(const char *dir, const char *file, const char *up)
{
	char *path = xasprintf("%s/%s", dir, file);
	char *text = xasprintf("-- migrate:up\n%s\n-- migrate:down\nSELECT 1;\n", up);
	spit(path, text);
	free(text);
	free(path);
}

/* Every state a migration can be in, on one screen: applied, edited,
 * missing, failed, out-of-order, duplicate and pending. */
static void every_migration_state(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, "tc_tui_golden", false);
	char *dir = xasprintf("%s/states", f.dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_migration(dir, "20300101000001_first.sql", "CREATE TABLE s1 (id int);");
	write_migration(dir, "20300101000002_second.sql", "CREATE TABLE s2 (id int);");
	write_migration(dir, "20300101000003_third.sql", "CREATE TABLE s3 (id int);");
	char *failing = xasprintf("%s/20300101000004_breaks.sql", dir);
	spit(failing, "-- migrate:up transaction:false\nCREATE TABLE s4 (id int);\nSELECT 1/0;\n"
		      "-- migrate:down\nDROP TABLE s4;\n");
	char *table = "--table=public.tc_states";
	cli_out o = cli_run(ARGS("migrate", "up", "--write", "-d", f.dsn, "--dir", dir, table), NULL);
	assert_int_equal(o.status, 3); /* the fourth fails */
	cli_out_free(&o);
	/* edited, missing, out-of-order, duplicate, pending */
	write_migration(dir, "20300101000002_second.sql", "CREATE TABLE s2 (id bigint);");
	char *third = xasprintf("%s/20300101000003_third.sql", dir);
	assert_int_equal(unlink(third), 0);
	write_migration(dir, "20300101000000_older.sql", "SELECT 1;");
	write_migration(dir, "20300101000005_twin.sql", "SELECT 1;");
	write_migration(dir, "20300101000005_other_twin.sql", "SELECT 2;");
	write_migration(dir, "20300101000006_later.sql", "SELECT 3;");

	/* Who applied them and how long they took vary between machines. */
	dbtest_exec(f.dsn, "UPDATE public.tc_states SET applied_by_os = 'ops', applied_by_db = 'ops', "
			   "duration_ms = CASE WHEN duration_ms IS NULL THEN NULL ELSE 5 END");
	char *cfg = xasprintf("[target golden]\ndsn = \"%s\"\nmigrations = %s\nhistory_table = public.tc_states\n", f.dsn, dir);
	spit(f.cfg, cfg);
	free(run_console(&f, "4\ndump migration-states\ng\nj\nj\nj\nj\nENTER\ndump migration-failed\nq\n",
			 "100x24", NULL));
	const char *files[] = {"20300101000001_first.sql", "20300101000002_second.sql",
			       "20300101000004_breaks.sql", "20300101000000_older.sql",
			       "20300101000005_twin.sql", "20300101000005_other_twin.sql",
			       "20300101000006_later.sql"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *path = xasprintf("%s/%s", dir, files[i]);
		unlink(path);
		free(path);
	}
	rmdir(dir);
	free(cfg);
	free(third);
	free(failing);
	free(dir);
	fixture_free(&f);
}

/* Another runner holds the migration lock: the pane says who, and M's
 * confirmation warns before anything waits for it. 200 columns: the
 * holder's line is long, and where a narrower screen cut it would depend
 * on how many digits the pid has. */
static void lock_holder_shown(void **state)
{
	(void)state;
	fixture f;
	fixture_make(&f, "tc_tui_golden", true);
	char *conninfo = xasprintf("%s application_name=other-runner", f.dsn);
	PGconn *holder = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(holder), CONNECTION_OK);
	char *sql = xasprintf("SELECT pg_advisory_lock(%lld)",
			      (long long)mig_lock_key("public.tenantctl_schema_migrations"));
	PGresult *r = PQexec(holder, sql);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	free(run_console(&f, "4\ndump migrations-locked\nM\ndump apply-locked\nn\nq\n", "200x24",
			 NULL));
	PQfinish(holder);
	free(sql);
	free(conninfo);
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
		cmocka_unit_test(every_migration_state),
		cmocka_unit_test(lock_holder_shown),
		cmocka_unit_test(no_terminal_prints_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
