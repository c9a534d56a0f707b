/* uwidth: display width of UTF-8 text on a terminal (wcwidth), so CJK and
 * emoji take two cells and columns line up. */
#ifndef TC_UI_UWIDTH_H
#define TC_UI_UWIDTH_H

#include <stddef.h>

/* Cells s takes; invalid bytes and control characters count 1 each. */
int uw_width(const char *s);
/* Draw s at the cursor in exactly `cells` cells: clipped (by whole
 * characters, never half a wide one) or padded with blanks, on the left
 * when right-aligned. Control characters are drawn as '?'. */
void uw_put(const char *s, int cells, int right_align);
/* Skip the first `skip` cells of s then draw as uw_put (horizontal scroll). */
void uw_put_from(const char *s, int skip, int cells);

#endif
