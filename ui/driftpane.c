#include "config.h"

#include "app.h"
#include "frame.h"

/* Placeholder until the pane is built (issue 7). */
static void draw(tui_app *a, pane *p, int y0, int h)
{
	(void)a;
	(void)p;
	(void)h;
	frame_print(y0 + 1, 2, "The Drift pane is not built yet.");
	frame_print(y0 + 2, 2, "Its commands work from the : prompt and the command line.");
}

const pane_ops driftpane_ops = {"Drift", "Tab/1-4 panes  : command  ? help  q quit", NULL, NULL, NULL, draw,
		       NULL, NULL};
