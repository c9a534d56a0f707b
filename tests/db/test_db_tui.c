/* Golden screens of the console's frame, help, prompt and Migrations pane
 * (tests/tuirun.h says how they run and what is normalised). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "dbtest.h"
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
