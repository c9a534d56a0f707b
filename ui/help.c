#include "config.h"

#include "help.h"

#include <curses.h>

#include "cmdtab.h"
#include "frame.h"

/* The keymap as the operator reads it: keys, what they do, the pane they
 * belong to ("" for everywhere) and whether they write. Keep in step with
 * tui.c's dispatch and the panes' key functions. */
static const struct help_key {
	const char *keys, *what, *pane;
	bool writes;
} help_keys[] = {
	{"j k  Down Up", "move", "", false},
	{"C-d C-u  PgDn PgUp", "half page, page", "", false},
	{"g G  Home End", "first, last", "", false},
	{"h l  Left Right", "scroll sideways", "", false},
	{"Tab S-Tab  1-4", "switch pane", "", false},
	{"Enter", "open the row (drill down)", "", false},
	{"Esc", "back, or cancel the prompt (never quits)", "", false},
	{"/", "filter a list, search a text (n N next, previous)", "", false},
	{"< >  I", "sort column left, right; invert", "", false},
	{"Space", "mark the row", "", false},
	{":", "command prompt (Tab completes, Up recalls)", "", false},
	{"R  F5", "reload (reconnect after a lost connection)", "", false},
	{"C-c", "cancel the running query", "", false},
	{"C-l", "redraw", "", false},
	{"? F1", "this help", "", false},
	{"q", "back, or quit at the top", "", false},
	{"Q", "quit now", "", false},
	{"C", "create an organization", "Orgs", true},
	{"P", "set the plan", "Orgs", true},
	{"D", "soft-delete (type the slug)", "Orgs", true},
	{"A", "stage adding a member", "Members", true},
	{"D", "stage removing the marked or current members", "Members", true},
	{"E", "stage a role change", "Members", true},
	{"W", "review the staged changes and apply them", "Members", true},
	{"S", "the staged changes (x drops one)", "Members", false},
	{"a", "audit view", "Members", false},
	{"o", "only the row's org, or every org (audit rows: open the org)", "Members", false},
	{"O", "open the row's org in the Orgs pane", "Members", false},
	{"f s r", "filter by flag, scope (each cycles), role", "Members", false},
	{"a", "draft an allowlist rule (saved by :w)", "Drift", false},
	{"t", "show or hide allowlisted items", "Drift", false},
	{"S", "the reconcile SQL (marked rows, else all)", "Drift", false},
	{"s", "the reconcile SQL of the current row", "Drift", false},
	{"p", "preview the next migration (rolled back)", "Migrations", false},
	{"M", "apply the next migration", "Migrations", true},
};
enum { N_HELP_KEYS = sizeof help_keys / sizeof help_keys[0] };

/* Lines: a title, the keys, a blank, a title, the commands. */
static int help_line_count(void)
{
	return 1 + N_HELP_KEYS + 2 + (int)cmd_table_len;
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
	if (i < N_HELP_KEYS) {
		const struct help_key *k = &help_keys[i];
		bool refused = ro && k->writes;
		attr_t at = refused ? refused_attr(a) : A_NORMAL;
		attron(at);
		/* The mark keeps the meaning in monochrome, where A_DIM may not show. */
		frame_print(y, 0, "%c %-20s %-11s %s%s", refused ? '-' : ' ', k->keys,
			    *k->pane ? k->pane : "", refused ? "(--write to enable) " : "", k->what);
		attroff(at);
		return;
	}
	i -= N_HELP_KEYS;
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
