/* frame: the parts of the screen every pane lives in: the header, the tab
 * bar, the status line, and the "terminal too small" screen. */
#ifndef TC_UI_FRAME_H
#define TC_UI_FRAME_H

#include "model.h"
#include "view.h"

/* Colour pairs; unused in monochrome. */
enum frame_color { FC_HEADER = 1, FC_GOOD, FC_WARN, FC_BAD, FC_DIM };

/* Start colours unless v->color is false; default colours keep light and
 * dark terminals readable. */
void frame_colors_init(tui_view *v);
/* Draw everything (frame, pane, help) and refresh. */
void frame_draw(const tui_model *m, tui_view *v);
/* printf at (y, x), or at the cursor when y < 0, clipped at the right edge
 * by display width: a long line never wraps into the next one. */
void frame_print(int y, int x, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Rows the pane body gets between tab bar and status line. */
int frame_body_lines(void);

#endif
