#include "config.h"

#include "keymap.h"

#include <curses.h>

/* Global keys first (dispatched here), then what the views and the panes
 * take (their code handles them; the entries are what help shows). Actions
 * that write are upper-case letters: never a lower-case key next to
 * navigation. */
const km_entry keymap[] = {
	{KM_VIEW, {0}, "j k  Down Up", "move", "", false},
	{KM_VIEW, {0}, "C-d C-u  PgDn PgUp", "half page, page", "", false},
	{KM_VIEW, {0}, "g G  Home End", "first, last", "", false},
	{KM_VIEW, {0}, "h l  Left Right", "scroll sideways", "", false},
	{KM_NEXT_PANE, {'\t'}, "Tab S-Tab", "next, previous pane", "", false},
	{KM_PREV_PANE, {KEY_BTAB}, NULL, NULL, "", false},
	{KM_GOTO_PANE, {'1', '2', '3', '4'}, "1-4", "Orgs, Members, Drift, Migrations", "", false},
	{KM_PANE, {0}, "Enter", "open the row (drill down)", "", false},
	{KM_BACK, {27}, "Esc", "back, clear the filter, or cancel a prompt (never quits)", "", false},
	{KM_FILTER, {'/'}, "/", "filter a list, search a text (n N next, previous)", "", false},
	{KM_VIEW, {0}, "< >  I", "sort column left, right; invert", "", false},
	{KM_VIEW, {0}, "Space", "mark the row", "", false},
	{KM_PROMPT, {':'}, ":", "command prompt (Tab completes, Up recalls)", "", false},
	{KM_RELOAD, {'R', KEY_F(5)}, "R F5", "reload (reconnect after a lost connection)", "", false},
	{KM_CANCEL, {3}, "C-c", "cancel the running query", "", false},
	{KM_REDRAW, {12}, "C-l", "redraw", "", false},
	{KM_HELP, {'?', KEY_F(1)}, "? F1", "this help", "", false},
	{KM_QUIT, {'q'}, "q", "back, or quit at the top", "", false},
	{KM_QUIT_NOW, {'Q'}, "Q", "quit now", "", false},
	{KM_PANE, {0}, "C", "create an organization", "Orgs", true},
	{KM_PANE, {0}, "P", "set the plan", "Orgs", true},
	{KM_PANE, {0}, "D", "soft-delete (type the slug)", "Orgs", true},
	{KM_PANE, {0}, "A", "stage adding a member", "Members", true},
	{KM_PANE, {0}, "D", "stage removing the marked or current members", "Members", true},
	{KM_PANE, {0}, "E", "stage a role change", "Members", true},
	{KM_PANE, {0}, "W", "review the staged changes and apply them", "Members", true},
	{KM_PANE, {0}, "S", "the staged changes (x drops one)", "Members", false},
	{KM_PANE, {0}, "a", "audit view", "Members", false},
	{KM_PANE, {0}, "o", "only the row's org, or every org (audit rows: open the org)",
	 "Members", false},
	{KM_PANE, {0}, "O", "open the row's org in the Orgs pane", "Members", false},
	{KM_PANE, {0}, "f s r", "filter by flag, scope (each cycles), role", "Members", false},
	{KM_PANE, {0}, "a", "draft an allowlist rule (saved by :w)", "Drift", false},
	{KM_PANE, {0}, "t", "show or hide allowlisted items", "Drift", false},
	{KM_PANE, {0}, "S", "the reconcile SQL (marked rows, else all)", "Drift", false},
	{KM_PANE, {0}, "s", "the reconcile SQL of the current row", "Drift", false},
	{KM_PANE, {0}, "p", "preview the next migration (rolled back)", "Migrations", false},
	{KM_PANE, {0}, "M", "apply the next migration", "Migrations", true},
};
const size_t keymap_len = sizeof keymap / sizeof keymap[0];

km_action keymap_action(int key, bool is_key)
{
	if (!is_key && key > 127)
		return KM_NONE;
	for (size_t i = 0; i < keymap_len; i++)
		for (int k = 0; k < KM_MAX_KEYS && keymap[i].keys[k]; k++) {
			int want = keymap[i].keys[k];
			if (want == key && (want >= KEY_MIN) == is_key)
				return keymap[i].action;
		}
	return KM_NONE;
}
