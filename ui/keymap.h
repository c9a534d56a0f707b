/* keymap: the console's keys in one table. The event loop dispatches the
 * global keys through keymap_action(); the help overlay lists every entry,
 * the global ones and those the views and panes handle, so what help says
 * is what the keys do. */
#ifndef TC_UI_KEYMAP_H
#define TC_UI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef enum km_action {
	KM_NONE,
	KM_VIEW,  /* taken by the table or text view (listed for help) */
	KM_PANE,  /* taken by the pane named in the entry (listed for help) */
	KM_QUIT,  /* back, or quit at the top */
	KM_QUIT_NOW,
	KM_BACK,  /* back, or clear the filter; never quits */
	KM_HELP,
	KM_PROMPT,
	KM_FILTER,
	KM_NEXT_PANE,
	KM_PREV_PANE,
	KM_GOTO_PANE, /* the pane of the digit: '1' Orgs ... '4' Migrations */
	KM_RELOAD,
	KM_CANCEL,
	KM_REDRAW,
} km_action;

enum { KM_MAX_KEYS = 4 };

typedef struct km_entry {
	km_action action;
	/* Characters, or curses KEY_ codes (>= KEY_MIN); 0 ends the list.
	 * Empty for KM_VIEW and KM_PANE entries, which only document. */
	int keys[KM_MAX_KEYS];
	const char *names; /* as help shows them ("R F5"); NULL: not shown, another
			    * entry's line covers it */
	const char *what;
	const char *pane;  /* "" for everywhere, else the pane's name */
	bool writes;       /* greyed in a read-only session */
} km_entry;

extern const km_entry keymap[];
extern const size_t keymap_len;

/* The global action of a key from get_wch (is_key: a KEY_ code). */
km_action keymap_action(int key, bool is_key);

#endif
