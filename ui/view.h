/* view: the console's interactive state (which pane, where the cursor is,
 * whether help is open), kept apart from the data (model.h) and from the
 * drawing (frame.h), as pspg does. */
#ifndef TC_UI_VIEW_H
#define TC_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>

enum view_pane { PANE_ORGS, PANE_MEMBERS, PANE_DRIFT, PANE_MIGRATIONS, PANE_COUNT };

/* Below this the console shows only "terminal too small". */
enum { VIEW_MIN_COLS = 40, VIEW_MIN_LINES = 10 };

typedef struct tui_view {
	enum view_pane pane;
	size_t cursor, top;  /* Migrations list */
	bool help_open;
	size_t help_top;
	bool color;          /* false: NO_COLOR / --no-color, bold and reverse only */
	bool quit;
} tui_view;

#endif
