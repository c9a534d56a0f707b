#include "config.h"

#include "help.h"

#include <curses.h>

#include "cmdtab.h"
#include "frame.h"
#include "keymap.h"

/* The keymap entries help shows (those with names), and the i-th of them. */
static int shown_keys(void)
{
	int n = 0;
	for (size_t i = 0; i < keymap_len; i++)
		n += keymap[i].names != NULL;
	return n;
}

static const km_entry *shown_key(int i)
{
	for (size_t k = 0; k < keymap_len; k++)
		if (keymap[k].names && i-- == 0)
			return &keymap[k];
	return NULL;
}

/* Lines: a title, the keys, a blank, a title, the commands. */
static int help_line_count(void)
{
	return 1 + shown_keys() + 2 + (int)cmd_table_len;
}

static attr_t refused_attr(const tui_app *a)
{
	return a->color ? COLOR_PAIR(FC_DIM) | A_DIM : A_DIM;
}

static void draw_line(const tui_app *a, int i, int y)
{
	bool ro = !a->hdr.writable;
	if (i == 0) {
		attron(A_BOLD);
		mvaddstr(y, 0, "Keys");
		attroff(A_BOLD);
		return;
	}
	i -= 1;
	if (i < shown_keys()) {
		const km_entry *k = shown_key(i);
		bool refused = ro && k->writes;
		attr_t at = refused ? refused_attr(a) : A_NORMAL;
		attron(at);
		/* The mark keeps the meaning in monochrome, where A_DIM may not show. */
		frame_print(y, 0, "%c %-20s %-11s %s%s", refused ? '-' : ' ', k->names,
			    *k->pane ? k->pane : "", refused ? "(--write to enable) " : "", k->what);
		attroff(at);
		return;
	}
	i -= shown_keys();
	if (i == 0)
		return;
	if (i == 1) {
		attron(A_BOLD);
		mvaddstr(y, 0, ro ? "Commands (read-only session)" : "Commands (read-write session)");
		attroff(A_BOLD);
		return;
	}
	const cmd_spec *c = &cmd_table[i - 2];
	bool refused = ro && (c->flags & CMD_WRITES);
	attr_t at = refused ? refused_attr(a) : A_NORMAL;
	attron(at);
	frame_print(y, 0, "%c :%-21s %s%s", refused ? '-' : ' ', c->words,
		    refused ? "(--write to enable) " : "", c->help);
	attroff(at);
}

void help_draw(tui_app *a, int y0, int h)
{
	int n = help_line_count();
	if (h <= 0)
		return;
	if (a->help_top + h > n)
		a->help_top = n > h ? n - h : 0;
	for (int y = 0; y < h && a->help_top + y < n; y++)
		draw_line(a, a->help_top + y, y0 + y);
}

void help_key(tui_app *a, int key)
{
	int page = frame_view_lines();
	switch (key) {
	case 'j':
	case KEY_DOWN:
		a->help_top++; /* clamped when drawn */
		break;
	case 'k':
	case KEY_UP:
		if (a->help_top > 0)
			a->help_top--;
		break;
	case KEY_NPAGE:
	case 4: /* C-d */
		a->help_top += key == 4 ? page / 2 : page;
		break;
	case KEY_PPAGE:
	case 21: /* C-u */
		a->help_top -= key == 21 ? page / 2 : page;
		if (a->help_top < 0)
			a->help_top = 0;
		break;
	case 'g':
	case KEY_HOME:
		a->help_top = 0;
		break;
	case 'G':
	case KEY_END:
		a->help_top = help_line_count();
		break;
	case '?':
	case KEY_F(1):
	case 27:
	case 'q':
		a->help_open = false;
		break;
	default:
		break;
	}
}
