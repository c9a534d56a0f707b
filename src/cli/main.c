#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdtab.h"
#include "demo.h"
#include "error.h"
#include "output.h"
#include "prompt.h"
#include "result.h"
#include "session.h"
#include "strbuf.h"
#include "tui.h"

static bool want_color(const cmd_globals *g, FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	if (g->no_color || (nc && *nc))
		return false;
	const char *term = getenv("TERM");
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(f));
}

static out_style style_for(const cmd_globals *g)
{
	out_style s = {OUT_PLAIN, false};
	if (g->json)
		s.format = OUT_JSON;
	else if (g->csv)
		s.format = OUT_CSV;
	else if (isatty(STDOUT_FILENO))
		s.format = OUT_TABLE;
	s.color = s.format == OUT_TABLE && want_color(g, stdout);
	return s;
}

/* PGPASSWORD is visible to other users of the machine on some systems;
 * libpq still honours it, so say so once, as psql's documentation does. */
static void warn_pgpassword(void)
{
	const char *pw = getenv("PGPASSWORD");
	if (pw && *pw)
		fputs("tenantctl: warning: PGPASSWORD is set; other users may be able to read "
		      "it from this process's environment. Prefer ~/.pgpass (or PGPASSFILE).\n",
		      stderr);
}

/* Progress of long commands goes to stderr, so stdout stays the result. */
static void print_progress(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

static int fail(const tc_error *err, bool color)
{
	out_error(stderr, err, color);
	return err->status ? (int)err->status : TC_ERR_USAGE;
}

/* `tenantctl demo` on a terminal: start the demo, then open the console on
 * its target, read-only unless --write was given. */
static int demo_console(cmd_invocation *inv, bool ecolor)
{
	tc_error err = TC_ERROR_INIT;
	demo_info d;
	if (demo_start(cmd_opt_value(&inv->call, "fresh") != NULL, print_progress, NULL, &d, &err) !=
	    TC_OK) {
		int rc = fail(&err, ecolor);
		tc_error_clear(&err);
		return rc;
	}
	cmd_globals g = inv->g;
	g.dsn = g.service = NULL;
	g.config = d.config;
	g.target = (char *)"demo";
	tc_session *s = NULL;
	int rc;
	if (session_open(&g, prompt_password, NULL, &s, &err) != TC_OK) {
		rc = fail(&err, ecolor);
		tc_error_clear(&err);
	} else {
		rc = tui_main(s, &g);
		session_close(s);
	}
	demo_info_free(&d);
	return rc;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	tc_error err = TC_ERROR_INIT;
	cmd_invocation inv;
	bool ecolor = !getenv("NO_COLOR") && isatty(STDERR_FILENO);

	if (cmd_parse(argc - 1, argv + 1, &inv, &err) != TC_OK) {
		int rc = fail(&err, ecolor);
		tc_error_clear(&err);
		return rc;
	}
	ecolor = want_color(&inv.g, stderr);

	tc_session *s = NULL;
	if (session_open(&inv.g, prompt_password, NULL, &s, &err) != TC_OK) {
		int rc = fail(&err, ecolor);
		tc_error_clear(&err);
		cmd_invocation_free(&inv);
		return rc;
	}

	session_set_progress(s, print_progress, NULL);
	session_set_confirm(s, prompt_confirm, &inv.g.yes);

	/* `tenantctl` alone opens the console when there is a terminal (or a
	 * test script) to draw on; otherwise, like --help anywhere, it shows the
	 * help, so a CI job without a terminal never hangs. */
	const cmd_call *call = &inv.call;
	if (call->spec && !call->help && !strcmp(call->spec->words, "demo") &&
	    !cmd_opt_value(call, "stop") && !inv.g.json && !inv.g.csv && tui_available()) {
		int rc = demo_console(&inv, ecolor);
		session_close(s);
		cmd_invocation_free(&inv);
		return rc;
	}
	if (!call->spec && !call->help && tui_available()) {
		int rc = tui_main(s, &inv.g);
		session_close(s);
		cmd_invocation_free(&inv);
		return rc;
	}
	if (!call->spec || call->help) {
		strbuf text = STRBUF_INIT;
		cmd_help_text(&text, call->spec, !session_writable(s));
		fputs(sb_str(&text), stdout);
		sb_free(&text);
		session_close(s);
		cmd_invocation_free(&inv);
		return 0;
	}

	if (call->spec->flags & CMD_DB)
		warn_pgpassword();
	tc_result r;
	tc_status st = cmd_run(s, call, &r, &err);
	int rc;
	if (st == TC_OK || st == TC_FINDINGS) {
		out_style style = style_for(&inv.g);
		out_render(stdout, stderr, &r, &style);
		rc = (int)st;
	} else {
		rc = fail(&err, ecolor);
	}
	res_free(&r);
	tc_error_clear(&err);
	session_close(s);
	cmd_invocation_free(&inv);
	return rc;
}
