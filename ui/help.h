/* help: the `?` overlay, generated from the keymap and the command table;
 * in a read-only session write commands are greyed and say how to enable. */
#ifndef TC_UI_HELP_H
#define TC_UI_HELP_H

#include "model.h"
#include "view.h"

void help_draw(const tui_model *m, tui_view *v);
/* Keys while help is open: scroll, or close with ?, Esc, q. */
void help_key(tui_view *v, int key);

#endif
