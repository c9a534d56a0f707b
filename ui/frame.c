#include "config.h"

#include "frame.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "help.h"
#include "prompt.h"
#include "strbuf.h"
#include "uwidth.h"
#include "xalloc.h"

void frame_colors_init(tui_app *a)
{
	if (!a->color || !has_colors()) {
		a->color = false;
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
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if (y >= 0)
		move(y, x);
	int room = COLS - getcurx(stdscr);
	int w = uw_width(s);
	if (room > 0)
		uw_put(s, w < room ? w : room, 0);
	free(s);
}

bool frame_too_small(void)
{
	return COLS < VIEW_MIN_COLS || LINES < VIEW_MIN_LINES;
}

bool frame_single(void)
{
	return COLS < VIEW_FULL_COLS || LINES < VIEW_FULL_LINES;
}

/* Rows above the pane: header and tab bar, or only the header. */
static int frame_top(void)
{
	return frame_single() ? 1 : 2;
}

int frame_view_lines(void)
{
	/* the screen's title line, and the status line */
	return LINES - frame_top() - 2;
}

/* The summaries, long ("migrations: 1 pending  drift: 3  findings: 16") or
 * short ("1 pending  3 drift  16 findings"). Caller frees. */
static char *summaries(const app_header *h, bool compact)
{
	strbuf sb = STRBUF_INIT;
	if (h->mig_pending >= 0)
		sb_addf(&sb, compact ? "  %ld pending" : "  migrations: %ld pending", h->mig_pending);
	if (h->drift_items >= 0)
		sb_addf(&sb, compact ? "  %ld drift" : "  drift: %ld", h->drift_items);
	if (h->findings >= 0)
		sb_addf(&sb, compact ? "  %ld findings" : "  findings: %ld", h->findings);
	return sb_steal(&sb);
}

/* What the header leaves out, in order, when the terminal is narrow: the
 * long summaries first, then TLS, then the server version, then who. The
 * target, the RO/RW badge and the summaries always stay. */
enum { HDR_FULL, HDR_SHORT_SUMS, HDR_NO_TLS, HDR_NO_VERSION, HDR_NO_WHO, HDR_LEVELS };

static void draw_header(const tui_app *a)
{
	const app_header *h = &a->hdr;
	const char *target = h->target ? h->target : "-";
	char *version = xasprintf("  pg %s", h->server_version ? h->server_version : "?");
	char *who = xasprintf("  %s@%s", h->user ? h->user : "?", h->database ? h->database : "?");
	const char *tls = h->tls ? "  TLS on" : "  TLS off";
	char *sums[2] = {summaries(h, false), summaries(h, true)};
	int level = HDR_FULL;
	for (; level < HDR_NO_WHO; level++) {
		int w = uw_width(target) + 6 /* "   RO " */ + uw_width(sums[level > HDR_FULL]);
		if (level < HDR_NO_TLS)
			w += uw_width(tls);
		if (level < HDR_NO_VERSION)
			w += uw_width(version);
		w += uw_width(who);
		if (w <= COLS)
			break;
	}
	move(0, 0);
	attron(A_BOLD);
	frame_print(-1, 0, "%s", target);
	attroff(A_BOLD);
	if (level < HDR_NO_VERSION)
		frame_print(-1, 0, "%s", version);
	if (level < HDR_NO_WHO)
		frame_print(-1, 0, "%s", who);
	frame_print(-1, 0, "  ");
	/* The badge is reverse video in both modes: a write session must stand out. */
	attr_t badge = A_REVERSE | A_BOLD;
	if (a->color)
		badge |= COLOR_PAIR(h->writable ? FC_BAD : FC_GOOD);
	attron(badge);
	frame_print(-1, 0, "%s", h->writable ? " RW " : " RO ");
	attroff(badge);
	if (level < HDR_NO_TLS)
		frame_print(-1, 0, "%s", tls);
	frame_print(-1, 0, "%s", sums[level > HDR_FULL]);
	free(sums[0]);
	free(sums[1]);
	free(version);
	free(who);
}

static void draw_tabs(const tui_app *a)
{
	move(1, 0);
	for (int i = 0; i < PANE_COUNT; i++) {
		attr_t at = (int)a->current == i ? A_REVERSE | A_BOLD : A_NORMAL;
		attron(at);
		frame_print(-1, 0, "%d %s", i + 1, a->panes[i].ops->name);
		attroff(at);
		frame_print(-1, 0, "  ");
	}
}

static const char spinner[] = "|/-\\";

static void draw_status(tui_app *a)
{
	int y = LINES - 1;
	if (prompt_active()) {
		move(y, 0);
		clrtoeol();
		int above = LINES - 3;
		if (a->hint_cb && prompt_current_kind() == PROMPT_INPUT) {
			char *hint = a->hint_cb(prompt_text(), a->question_ctx);
			if (hint) {
				move(y - 1, 0);
				clrtoeol();
				attron(A_BOLD);
				frame_print(y - 1, 0, "%s", hint);
				attroff(A_BOLD);
				free(hint);
				above--;
			}
		}
		prompt_draw(y, above);
		return;
	}
	move(y, 0);
	attron(A_REVERSE);
	for (int x = 0; x < COLS; x++)
		addch(' ');
	long ms = app_running_ms(a);
	if (app_question_open(a)) {
		attron(A_BOLD);
		frame_print(y, 0, "%s", a->question);
		attroff(A_BOLD);
	} else if (ms >= 0) {
		frame_print(y, 0, "%c running %ld.%lds  C-c cancel", spinner[(ms / 100) % 4],
			    ms / 1000, (ms / 100) % 10);
	} else if (a->help_open) {
		frame_print(y, 0, "j/k scroll  ?/Esc/q close help");
	} else if (a->status) {
		attr_t at = a->status_error ? A_BOLD : A_NORMAL;
		attron(at);
		frame_print(y, 0, "%s", a->status);
		attroff(at);
	} else {
		frame_print(y, 0, "%s", a->panes[a->current].ops->hints);
	}
	attroff(A_REVERSE);
}

static void draw_too_small(void)
{
	char msg[64];
	snprintf(msg, sizeof msg, "terminal too small (%dx%d)", COLS, LINES);
	mvaddnstr(0, 0, msg, COLS);
	mvaddnstr(1, 0, "q quit", COLS);
}

static void draw_banner(tui_app *a, int y)
{
	attr_t at = A_REVERSE | A_BOLD | (a->color ? COLOR_PAIR(FC_BAD) : 0);
	attron(at);
	move(y, 0);
	for (int x = 0; x < COLS; x++)
		addch(' ');
	frame_print(y, 0, " connection lost: R reconnects ");
	attroff(at);
}

screen *frame_pane_title(tui_app *a, pane *p, int y0)
{
	screen *sc = app_top(p);
	if (!sc) {
		frame_print(y0 + 1, 2, "%s", app_busy(a) ? "loading…" : "nothing loaded (R reloads)");
		return NULL;
	}
	attron(A_BOLD);
	if (p->depth > 1)
		frame_print(y0, 0, "%s  (Esc back)", sc->title);
	else
		frame_print(y0, 0, "%s", sc->title);
	attroff(A_BOLD);
	return sc;
}

void frame_screen_view(tui_app *a, screen *sc, int y0, int h)
{
	if (sc->table)
		tview_draw(sc->table, y0, h, a->color, sc->empty);
	else if (sc->text)
		textview_draw(sc->text, y0, h, a->color);
}

void frame_pane_screen(tui_app *a, pane *p, int y0, int h)
{
	screen *sc = frame_pane_title(a, p, y0);
	if (sc)
		frame_screen_view(a, sc, y0 + 1, h - 1);
}

static void draw_pane(tui_app *a, int y0, int h)
{
	pane *p = &a->panes[a->current];
	if (p->ops->draw)
		p->ops->draw(a, p, y0, h);
	else
		frame_pane_screen(a, p, y0, h);
}

void frame_draw(tui_app *a)
{
	erase();
	if (frame_too_small()) {
		draw_too_small();
		refresh();
		return;
	}
	draw_header(a);
	int top = frame_top();
	if (!frame_single())
		draw_tabs(a);
	int h = LINES - top - 1;
	if (a->lost) {
		draw_banner(a, top);
		top++;
		h--;
	}
	if (a->help_open) {
		help_draw(a, top, h);
	} else if (app_question_open(a)) {
		attron(A_BOLD);
		frame_print(top, 0, "%s", a->question_from_worker ? "Preview (nothing is applied yet)"
								  : "Please confirm");
		attroff(A_BOLD);
		textview_draw(a->question_text, top + 1, h - 1, a->color);
	} else {
		draw_pane(a, top, h);
	}
	draw_status(a);
	if (prompt_active())
		curs_set(1);
	else
		curs_set(0);
	refresh();
}
