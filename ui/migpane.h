/* migpane: the Migrations pane, a read-only list of every chain's
 * migrations with their states. */
#ifndef TC_UI_MIGPANE_H
#define TC_UI_MIGPANE_H

#include "model.h"
#include "view.h"

/* Draw the list in rows [y0, y0+h). Adjusts v->top to keep the cursor seen. */
void migpane_draw(const tui_model *m, tui_view *v, int y0, int h);
/* Move the cursor for a key; true when the key was the pane's. */
bool migpane_key(const tui_model *m, tui_view *v, int key);

#endif
