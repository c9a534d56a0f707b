#include "config.h"

#include "frame.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "help.h"
#include "migpane.h"

/* Header, tab bar above the pane; status line below it. */
enum { FRAME_TOP = 2, FRAME_BOTTOM = 1 };

static const char *const pane_titles[PANE_COUNT] = {"Orgs", "Members", "Drift", "Migrations"};

void frame_colors_init(tui_view *v)
{
	if (!v->color || !has_colors()) {
		v->color = false;
		return;
	}
	start_color();
	use_default_colors();
	init_pair(FC_HEADER, COLOR_CYAN, -1);
	init_pair(FC_GOOD, COLOR_GREEN, -1);
	init_pair(FC_WARN, COLOR_YELLOW, -1);
	init_pair(FC_BAD, COLOR_RED, -1);
	init_pair(FC_DIM, COLOR_BLUE, -1);
}

void frame_print(int y, int x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	char *s = malloc((size_t)n + 1);
	wchar_t *w = malloc(((size_t)n + 1) * sizeof *w);
	if (!s || !w)
		abort();
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (y >= 0)
		move(y, x);
	int cx = getcurx(stdscr);
	size_t len = mbstowcs(w, s, (size_t)n + 1);
	if (len == (size_t)-1) { /* not valid in this locale: show the bytes we can */
		addnstr(s, COLS - cx);
	} else {
		size_t i = 0;
		for (int width = 0; i < len; i++) {
			int cw = wcwidth(w[i]);
			if (cw < 0)
				cw = 1;
			if (cx + width + cw > COLS)
				break;
			width += cw;
		}
		addnwstr(w, (int)i);
	}
	free(w);
	free(s);
}

int frame_body_lines(void)
{
	return LINES - FRAME_TOP - FRAME_BOTTOM;
}

static void draw_header(const tui_model *m, const tui_view *v)
{
	move(0, 0);
	attron(A_BOLD);
	frame_print(-1, 0, "%s", m->target);
	attroff(A_BOLD);
	frame_print(-1, 0, "  pg %s  %s@%s  ", m->server_version, m->user, m->database);
	/* The badge is reverse video in both modes: a write session must stand out. */
	attr_t badge = A_REVERSE | A_BOLD;
	if (v->color)
		badge |= COLOR_PAIR(m->writable ? FC_BAD : FC_GOOD);
	attron(badge);
	frame_print(-1, 0, "%s", m->writable ? " RW " : " RO ");
	attroff(badge);
	frame_print(-1, 0, "  TLS %s  migrations: %zu pending", m->tls ? "on" : "off", m->mig_pending);
}

static void draw_tabs(const tui_view *v)
{
	move(1, 0);
	for (int i = 0; i < PANE_COUNT; i++) {
		attr_t a = (int)v->pane == i ? A_REVERSE | A_BOLD : A_NORMAL;
		attron(a);
		frame_print(-1, 0, "%d %s", i + 1, pane_titles[i]);
		attroff(a);
		frame_print(-1, 0, "  ");
	}
}

static void draw_status(const tui_model *m, const tui_view *v)
{
	move(LINES - 1, 0);
	attron(A_REVERSE);
	for (int x = 0; x < COLS; x++)
		addch(' ');
	if (m->message && !v->help_open)
		frame_print(LINES - 1, 0, "%s", m->message);
	else if (v->help_open)
		mvaddnstr(LINES - 1, 0, "j/k scroll  ?/Esc/q close help", COLS);
	else if (v->pane == PANE_MIGRATIONS)
		mvaddnstr(LINES - 1, 0, "j/k move  g/G top/end  Tab/1-4 panes  ? help  q quit", COLS);
	else
		mvaddnstr(LINES - 1, 0, "Tab/1-4 panes  ? help  q quit", COLS);
	attroff(A_REVERSE);
}

static void draw_not_built(const tui_view *v)
{
	frame_print(FRAME_TOP + 1, 2, "The %s pane is not built yet.", pane_titles[v->pane]);
	frame_print(FRAME_TOP + 2, 2, "Its commands work from the command line: tenantctl --help");
}

static void draw_too_small(void)
{
	char msg[64];
	snprintf(msg, sizeof msg, "terminal too small (%dx%d)", COLS, LINES);
	mvaddnstr(0, 0, msg, COLS);
	mvaddnstr(1, 0, "q quit", COLS);
}

void frame_draw(const tui_model *m, tui_view *v)
{
	erase();
	if (COLS < VIEW_MIN_COLS || LINES < VIEW_MIN_LINES) {
		draw_too_small();
	} else if (v->help_open) {
		draw_header(m, v);
		help_draw(m, v);
		draw_status(m, v);
	} else {
		draw_header(m, v);
		draw_tabs(v);
		if (v->pane == PANE_MIGRATIONS)
			migpane_draw(m, v, FRAME_TOP, frame_body_lines());
		else
			draw_not_built(v);
		draw_status(m, v);
	}
	refresh();
}
