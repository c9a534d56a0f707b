#include "config.h"

#include "tui.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "help.h"
#include "migpane.h"
#include "model.h"
#include "script.h"
#include "view.h"

bool tui_available(void)
{
	const char *script = getenv("TENANTCTL_TUI_SCRIPT");
	return (script && *script) || (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO));
}

/* One key, whatever its source (terminal or script). */
static void handle_key(const tui_model *m, tui_view *v, int key)
{
	bool small = COLS < VIEW_MIN_COLS || LINES < VIEW_MIN_LINES;
	if (key == 'Q' || (key == 'q' && (small || !v->help_open))) {
		v->quit = true;
		return;
	}
	if (key == KEY_RESIZE || small)
		return; /* too small: only q/Q answer; the next draw fits the new size */
	if (v->help_open) {
		help_key(v, key);
		return;
	}
	switch (key) {
	case '?':
	case KEY_F(1):
		v->help_open = true;
		v->help_top = 0;
		return;
	case '\t':
		v->pane = (v->pane + 1) % PANE_COUNT;
		return;
	case KEY_BTAB:
		v->pane = (v->pane + PANE_COUNT - 1) % PANE_COUNT;
		return;
	case '1': case '2': case '3': case '4':
		v->pane = (enum view_pane)(key - '1');
		return;
	default:
		break;
	}
	if (v->pane == PANE_MIGRATIONS)
		migpane_key(m, v, key);
}

static int run_interactive(const tui_model *m, tui_view *v)
{
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fputs("tenantctl: cannot start the console on this terminal (check TERM)\n", stderr);
		return 1;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	frame_colors_init(v);
	while (!v->quit) {
		frame_draw(m, v);
		int key = getch();
		if (key == ERR)
			continue;
		handle_key(m, v, key);
	}
	endwin();
	delscreen(scr);
	return 0;
}

/* Virtual screen: output to /dev/null, keys from the script, fixed size. */
static int run_script(const tui_model *m, tui_view *v, const char *path)
{
	FILE *script = fopen(path, "r");
	if (!script) {
		fprintf(stderr, "tenantctl: cannot read TENANTCTL_TUI_SCRIPT %s\n", path);
		return 2;
	}
	int cols = 80, lines = 24;
	const char *size = getenv("TENANTCTL_TUI_SIZE");
	if (size && !script_size(size, &cols, &lines)) {
		fprintf(stderr, "tenantctl: TENANTCTL_TUI_SIZE must be WxH, like 80x24\n");
		fclose(script);
		return 2;
	}
	FILE *out = fopen("/dev/null", "w");
	FILE *in = fopen("/dev/null", "r");
	const char *term = getenv("TERM");
	SCREEN *scr = out && in ? newterm(term && *term ? term : "xterm-256color", out, in) : NULL;
	if (!scr) {
		fprintf(stderr, "tenantctl: cannot start a virtual screen (TERM)\n");
		fclose(script);
		if (out)
			fclose(out);
		if (in)
			fclose(in);
		return 2;
	}
	resizeterm(lines, cols);
	frame_colors_init(v);
	frame_draw(m, v);

	int rc = 0, lineno = 0;
	char buf[4096];
	while (!v->quit && fgets(buf, sizeof buf, script)) {
		lineno++;
		script_step step;
		if (!script_parse(buf, &step))
			continue;
		switch (step.kind) {
		case SCRIPT_KEY:
			handle_key(m, v, step.key);
			break;
		case SCRIPT_RESIZE:
			resizeterm(step.lines, step.cols);
			handle_key(m, v, KEY_RESIZE);
			break;
		case SCRIPT_DUMP:
			if (!script_dump(step.path)) {
				fprintf(stderr, "tenantctl: %s:%d: cannot write %s\n", path, lineno,
					step.path);
				rc = 2;
			}
			break;
		case SCRIPT_BAD:
			fprintf(stderr, "tenantctl: %s:%d: not a key or step: %s\n", path, lineno, buf);
			rc = 2;
			break;
		}
		frame_draw(m, v);
	}
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	fclose(script);
	return rc;
}

int tui_main(tc_session *s, const cmd_globals *g)
{
	tui_view v;
	memset(&v, 0, sizeof v);
	v.pane = PANE_ORGS;
	const char *nc = getenv("NO_COLOR");
	v.color = !g->no_color && !(nc && *nc);

	tui_model m;
	model_load(&m, s);
	const char *script = getenv("TENANTCTL_TUI_SCRIPT");
	int rc = script && *script ? run_script(&m, &v, script) : run_interactive(&m, &v);
	model_free(&m);
	return rc;
}
