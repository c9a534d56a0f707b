/* help: the `?` overlay, generated from the keymap and the command table;
 * in a read-only session write actions and commands are greyed and say how
 * to enable them. */
#ifndef TC_UI_HELP_H
#define TC_UI_HELP_H

#include "app.h"

/* Draw into rows [y0, y0+h). */
void help_draw(tui_app *a, int y0, int h);
/* Keys while help is open: scroll, or close with ?, Esc, q. */
void help_key(tui_app *a, int key);

#endif
