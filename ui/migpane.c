#include "config.h"

#include "migpane.h"

#include <curses.h>

#include "frame.h"

static int state_color(mig_state st)
{
	switch (st) {
	case MS_APPLIED: return FC_GOOD;
	case MS_PENDING: return FC_WARN;
	default: return FC_BAD;
	}
}

void migpane_draw(const tui_model *m, tui_view *v, int y0, int h)
{
	if (h < 2)
		return;
	attron(A_BOLD);
	frame_print(y0, 0, "  %-14s %-31s %-13s %s", "VERSION", "NAME", "STATE", "APPLIED AT");
	attroff(A_BOLD);
	int rows = h - 1;
	if (!m->connected) {
		frame_print(y0 + 1, 2, "%s", "Not connected: the status line says why.");
		return;
	}
	if (m->n_mig == 0) {
		frame_print(y0 + 1, 2, "%s", "No migrations found (set `migrations` for the target, or run from");
		frame_print(y0 + 2, 2, "%s", "a directory with db/migrations).");
		return;
	}
	if (v->cursor < v->top)
		v->top = v->cursor;
	if (v->cursor >= v->top + (size_t)rows)
		v->top = v->cursor - (size_t)rows + 1;
	for (int i = 0; i < rows && v->top + (size_t)i < m->n_mig; i++) {
		size_t idx = v->top + (size_t)i;
		const model_mig_row *r = &m->mig[idx];
		bool sel = idx == v->cursor;
		int y = y0 + 1 + i;
		if (sel)
			attron(A_REVERSE);
		frame_print(y, 0, "%s %-14.14s %-31.31s ", sel ? ">" : " ", r->version, r->name);
		attr_t sa = v->color ? COLOR_PAIR(state_color(r->state)) : A_NORMAL;
		if (r->state != MS_APPLIED)
			sa |= A_BOLD; /* what needs attention shows in monochrome too */
		attron(sa);
		frame_print(-1, 0, "%s %-11s", model_state_symbol(r->state), mig_state_name(r->state));
		attroff(sa);
		frame_print(-1, 0, " %s", r->applied_at);
		if (sel) {
			for (int x = getcurx(stdscr); x < COLS && x > 0; x++)
				addch(' ');
			attroff(A_REVERSE);
		}
	}
}

bool migpane_key(const tui_model *m, tui_view *v, int key)
{
	size_t last = m->n_mig ? m->n_mig - 1 : 0;
	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (v->cursor < last)
			v->cursor++;
		return true;
	case 'k':
	case KEY_UP:
		if (v->cursor > 0)
			v->cursor--;
		return true;
	case 'g':
	case KEY_HOME:
		v->cursor = 0;
		return true;
	case 'G':
	case KEY_END:
		v->cursor = last;
		return true;
	default:
		return false;
	}
}
