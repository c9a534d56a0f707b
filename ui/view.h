/* view: the panes and the sizes the layout changes at. */
#ifndef TC_UI_VIEW_H
#define TC_UI_VIEW_H

enum view_pane { PANE_ORGS, PANE_MEMBERS, PANE_DRIFT, PANE_MIGRATIONS, PANE_COUNT };

/* Below VIEW_MIN the console shows only "terminal too small"; below
 * VIEW_FULL it shows one pane without the tab bar. */
enum { VIEW_MIN_COLS = 40, VIEW_MIN_LINES = 10, VIEW_FULL_COLS = 60, VIEW_FULL_LINES = 15 };

#endif
