#include "config.h"

#include "help.h"

#include <curses.h>

#include "cmdtab.h"
#include "frame.h"

/* The keymap as shown in help; keep in step with tui.c's dispatch. */
static const char *const help_keys[][2] = {
	{"j k  Down Up", "move"},
	{"g G  Home End", "first, last"},
	{"Tab  1-4", "switch pane"},
	{"?", "this help"},
	{"q", "quit (closes help first)"},
	{"Q", "quit now"},
};
enum { N_HELP_KEYS = sizeof help_keys / sizeof help_keys[0] };

/* Lines: a title, the keys, a blank, a title, the commands. */
static size_t help_line_count(void)
{
	return 1 + N_HELP_KEYS + 2 + cmd_table_len;
}

static void draw_line(const tui_model *m, const tui_view *v, size_t i, int y)
{
	if (i == 0) {
		attron(A_BOLD);
		mvaddstr(y, 0, "Keys");
		attroff(A_BOLD);
		return;
	}
	i -= 1;
	if (i < N_HELP_KEYS) {
		frame_print(y, 2, "%-16s %s", help_keys[i][0], help_keys[i][1]);
		return;
	}
	i -= N_HELP_KEYS;
	if (i == 0)
		return;
	if (i == 1) {
		attron(A_BOLD);
		mvaddstr(y, 0, m->writable ? "Commands" : "Commands (read-only session)");
		attroff(A_BOLD);
		return;
	}
	const cmd_spec *c = &cmd_table[i - 2];
	bool refused = !m->writable && (c->flags & CMD_WRITES);
	attr_t a = refused ? (v->color ? COLOR_PAIR(FC_DIM) | A_DIM : A_DIM) : A_NORMAL;
	attron(a);
	/* The mark keeps the meaning in monochrome, where A_DIM may not show. */
	frame_print(y, 0, "%c %-22s %s%s", refused ? '-' : ' ', c->words,
		    refused ? "(--write to enable) " : "", c->help);
	attroff(a);
}

void help_draw(const tui_model *m, tui_view *v)
{
	int top = 1, h = LINES - 2;
	size_t n = help_line_count();
	if (h <= 0)
		return;
	if (v->help_top + (size_t)h > n)
		v->help_top = n > (size_t)h ? n - (size_t)h : 0;
	for (int y = 0; y < h && v->help_top + (size_t)y < n; y++)
		draw_line(m, v, v->help_top + (size_t)y, top + y);
}

void help_key(tui_view *v, int key)
{
	switch (key) {
	case 'j':
	case KEY_DOWN:
		v->help_top++; /* clamped when drawn */
		break;
	case 'k':
	case KEY_UP:
		if (v->help_top > 0)
			v->help_top--;
		break;
	case 'g':
	case KEY_HOME:
		v->help_top = 0;
		break;
	case '?':
	case 27:
	case 'q':
		v->help_open = false;
		break;
	default:
		break;
	}
}
