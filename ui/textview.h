/* textview: a scrolling text (SQL, diffs, previews, help, command output)
 * with search. */
#ifndef TC_UI_TEXTVIEW_H
#define TC_UI_TEXTVIEW_H

#include <stdbool.h>

typedef struct textview textview;

/* A view of text (copied); tabs are expanded, control characters shown
 * as ^X so a hostile value cannot drive the terminal. */
textview *textview_new(const char *text);
void textview_free(textview *t);
/* Colour lines starting with + green and - red (a unified diff), and
 * lines starting with @@ or "---"/"+++" as headings. */
void textview_set_diff(textview *t, bool on);
/* Keys: j/k/arrows, C-d/C-u, PgDn/PgUp, g/G/Home/End, h/l/left/right, n/N
 * (next and previous match). true when the key was the view's. */
bool textview_key(textview *t, int key, int page_lines);
/* Search (case-insensitive substring) from the top line on; matches are
 * highlighted; "" clears. false when nothing matches. */
bool textview_search(textview *t, const char *text);
/* Matches of the search (0: none or no search); *current (may be NULL)
 * gets the one n/N went to last, from 1, for "match 3/7". */
int textview_matches(const textview *t, int *current);
void textview_draw(textview *t, int y0, int h, bool color);
int textview_lines(const textview *t);

#endif
