/* The command table and the argument grammar shared by the CLI and the
 * TUI prompt. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmdtab.h"
#include "session.h"

static tc_status parse(cmd_invocation *inv, tc_error *err, int argc, ...)
{
	char *argv[32];
	va_list ap;
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	return cmd_parse(argc, argv, inv, err);
}

static void global_options_anywhere(void **state)
{
	(void)state;
	cmd_invocation a, b;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(parse(&a, &err, 4, "-d", "dbname=x", "info", "--json"), TC_OK);
	assert_int_equal(parse(&b, &err, 4, "info", "--dsn=dbname=x", "--json", "--write"), TC_OK);
	assert_string_equal(a.call.spec->words, "info");
	assert_ptr_equal(a.call.spec, b.call.spec);
	assert_string_equal(a.g.dsn, "dbname=x");
	assert_string_equal(b.g.dsn, "dbname=x");
	assert_true(a.g.json && b.g.json);
	assert_false(a.g.write);
	assert_true(b.g.write);
	cmd_invocation_free(&a);
	cmd_invocation_free(&b);
}

static void short_option_forms(void **state)
{
	(void)state;
	cmd_invocation inv;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(parse(&inv, &err, 3, "-tprod", "targets", "--no-color"), TC_OK);
	assert_string_equal(inv.g.target, "prod");
	assert_true(inv.g.no_color);
	cmd_invocation_free(&inv);
}

static void help_flag_and_no_command(void **state)
{
	(void)state;
	cmd_invocation inv;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(parse(&inv, &err, 2, "info", "--help"), TC_OK);
	assert_true(inv.call.help);
	assert_string_equal(inv.call.spec->words, "info");
	cmd_invocation_free(&inv);
	assert_int_equal(parse(&inv, &err, 1, "--json"), TC_OK);
	assert_null(inv.call.spec);
	cmd_invocation_free(&inv);
	/* --help lets a command with missing arguments show its usage. */
	assert_int_equal(parse(&inv, &err, 3, "help", "info", "-h"), TC_OK);
	assert_int_equal(inv.call.nargs, 1);
	cmd_invocation_free(&inv);
}

static void double_dash_ends_options(void **state)
{
	(void)state;
	cmd_invocation inv;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(parse(&inv, &err, 4, "help", "--", "--json", "x"), TC_OK);
	assert_false(inv.g.json);
	assert_int_equal(inv.call.nargs, 2);
	assert_string_equal(inv.call.args[0], "--json");
	cmd_invocation_free(&inv);
}

struct bad_case {
	const char *argv[6];
	int argc;
	const char *fragment;
};

static void malformed_command_lines(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{{"frobnicate"}, 1, "unknown command 'frobnicate'"},
		{{"info", "--bogus"}, 2, "unknown option '--bogus'"},
		{{"info", "-Z"}, 2, "unknown option '-Z'"},
		{{"info", "--dsn"}, 2, "needs a value"},
		{{"-d"}, 1, "needs a value"},
		{{"info", "--json=yes"}, 2, "takes no value"},
		{{"info", "extra"}, 2, "'info' takes no arguments (got 1 argument)"},
		{{"version", "a", "b"}, 3, "(got 2 arguments)"},
		{{"info", "--json", "--csv"}, 3, "--json and --csv"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cmd_invocation inv;
		tc_error err = TC_ERROR_INIT;
		tc_status st = cmd_parse(cases[i].argc, (char *const *)cases[i].argv, &inv, &err);
		if (st != TC_ERR_USAGE || !strstr(err.message, cases[i].fragment))
			fail_msg("case %zu: status %d, message '%s', wanted '%s'", i, st,
				 err.message ? err.message : "(none)", cases[i].fragment);
		tc_error_clear(&err);
	}
}

/* Invariants the parser relies on: an option name means one thing. */
static void table_is_consistent(void **state)
{
	(void)state;
	assert_true(cmd_table_len > 0);
	for (size_t i = 0; i < cmd_table_len; i++) {
		const cmd_spec *a = &cmd_table[i];
		assert_non_null(a->run);
		assert_true(strlen(a->help) > 0);
		assert_true(a->help[strlen(a->help) - 1] != '.');
		assert_true(a->max_args < 0 || a->max_args >= a->min_args);
		for (size_t j = i + 1; j < cmd_table_len; j++)
			assert_string_not_equal(a->words, cmd_table[j].words);
		for (const cmd_opt *o = a->opts; o && o->name; o++) {
			for (const cmd_opt *g = cmd_global_opts; g->name; g++) {
				assert_string_not_equal(o->name, g->name);
				assert_true(!o->short_name || o->short_name != g->short_name);
			}
			for (size_t j = 0; j < cmd_table_len; j++)
				for (const cmd_opt *p = cmd_table[j].opts; p && p->name; p++)
					if (!strcmp(p->name, o->name))
						assert_true((p->metavar == NULL) ==
							    (o->metavar == NULL));
		}
	}
}

static int handler_calls;
static tc_status counting_handler(struct tc_session *s, const cmd_call *call, tc_result *out,
				  tc_error *err)
{
	(void)s;
	(void)call;
	(void)out;
	(void)err;
	handler_calls++;
	return TC_OK;
}

/* The gate refuses a WRITES command before its handler runs. */
static void read_only_gate(void **state)
{
	(void)state;
	static const cmd_spec writes = {"fake write", "", 0, 0, CMD_WRITES, NULL, "writes",
					counting_handler};
	cmd_call call = {.spec = &writes};
	cmd_globals g = {.config = "/dev/null"};
	tc_session *s;
	tc_error err = TC_ERROR_INIT;
	tc_result r;

	handler_calls = 0;
	assert_int_equal(session_open(&g, NULL, NULL, &s, &err), TC_OK);
	assert_int_equal(cmd_run(s, &call, &r, &err), TC_ERR_REFUSED);
	assert_int_equal(handler_calls, 0);
	assert_non_null(strstr(err.message, "read-only"));
	assert_non_null(strstr(err.hint, "--write"));
	tc_error_clear(&err);
	res_free(&r);
	session_close(s);

	g.write = true;
	assert_int_equal(session_open(&g, NULL, NULL, &s, &err), TC_OK);
	assert_int_equal(cmd_run(s, &call, &r, &err), TC_OK);
	assert_int_equal(handler_calls, 1);
	res_free(&r);
	session_close(s);
}

static void help_marks_writes(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	cmd_help_text(&sb, NULL, true);
	for (size_t i = 0; i < cmd_table_len; i++)
		assert_non_null(strstr(sb_str(&sb), cmd_table[i].words));
	assert_non_null(strstr(sb_str(&sb), "--write"));
	sb_free(&sb);
	cmd_help_text(&sb, cmd_find("info"), true);
	assert_non_null(strstr(sb_str(&sb), "Usage: tenantctl info"));
	sb_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(global_options_anywhere),
		cmocka_unit_test(short_option_forms),
		cmocka_unit_test(help_flag_and_no_command),
		cmocka_unit_test(double_dash_ends_options),
		cmocka_unit_test(malformed_command_lines),
		cmocka_unit_test(table_is_consistent),
		cmocka_unit_test(read_only_gate),
		cmocka_unit_test(help_marks_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
