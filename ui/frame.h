/* frame: the parts of the screen every pane lives in: the header, the tab
 * bar, the pane's title, the status line (message, key hints, or the
 * spinner of a running query), the lost-connection banner, the question
 * and the "terminal too small" screen. */
#ifndef TC_UI_FRAME_H
#define TC_UI_FRAME_H

#include <stdbool.h>

#include "app.h"

/* Colour pairs; unused in monochrome. */
enum frame_color { FC_HEADER = 1, FC_GOOD, FC_WARN, FC_BAD, FC_DIM };

/* Start colours unless a->color is false; default colours keep light and
 * dark terminals readable. */
void frame_colors_init(tui_app *a);
/* Draw everything and refresh. */
void frame_draw(tui_app *a);
/* printf at (y, x), or at the cursor when y < 0, clipped at the right edge
 * by display width: a long line never wraps into the next one. */
void frame_print(int y, int x, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A pane's top screen in rows [y0, y0+h): its title line, then its view.
 * Panes with a draw of their own use the pieces: frame_pane_title draws
 * the title (or "loading…" when nothing is there, returning NULL) and
 * frame_screen_view the screen's table or text. */
void frame_pane_screen(tui_app *a, pane *p, int y0, int h);
screen *frame_pane_title(tui_app *a, pane *p, int y0);
void frame_screen_view(tui_app *a, screen *sc, int y0, int h);
bool frame_too_small(void);
/* One pane, no tab bar (below VIEW_FULL). */
bool frame_single(void);
/* Rows the top screen's view gets (below its title line). */
int frame_view_lines(void);

#endif
