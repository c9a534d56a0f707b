/* tview: the table view every list in the console is (orgs, members,
 * findings, migrations, command output). It shows a window of rows from a
 * tc_result: column widths by display width (wcwidth), right-aligned
 * numbers, a sort indicator, a live filter, marks, horizontal scroll and
 * group headings. For lists too long to load, the pane pages the data
 * source by key (orgs list --after/--before) and the view asks for the next
 * window through tview_need(); the window is capped so memory stays flat. */
#ifndef TC_UI_TVIEW_H
#define TC_UI_TVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

typedef struct tview tview;

/* How a row is drawn; meaning must survive without colour, so BAD and
 * WARN rows are also bold and DIM rows carry their reason in a column. */
typedef enum tview_style { TVS_NORMAL, TVS_GOOD, TVS_WARN, TVS_BAD, TVS_DIM } tview_style;
typedef tview_style (*tview_style_fn)(const tc_result *r, size_t row, void *ctx);

typedef enum tview_need {
	TVN_NONE,
	TVN_AFTER,  /* the cursor is near the window's end and more rows exist */
	TVN_BEFORE, /* near the start, and rows were dropped or exist before */
	TVN_FIRST,  /* g/Home past the window: load the first page */
	TVN_LAST,   /* G/End past the window: load the last page */
} tview_need;

tview *tview_new(void);
void tview_free(tview *v);

/* Show r (taken over, r is left empty). Keeps the cursor on the row with the
 * same value in the key column when there is one, else on the first row.
 * Filter, sort and marks carry over (marks by key). */
void tview_set_result(tview *v, tc_result *r);
/* The column whose value identifies a row (slug, email+org...): used for
 * keeping the cursor and marks across reloads, and as the paging key. */
void tview_set_key_col(tview *v, const char *name);
/* A heading line before each run of equal values in this column (the chain
 * of a migration); the cursor skips headings. NULL for none. */
void tview_set_group_col(tview *v, const char *name);
/* Headings show the group's value alone ("── index ──") instead of
 * "── column: value ──". */
void tview_set_group_plain(tview *v, bool plain);
void tview_set_style(tview *v, tview_style_fn fn, void *ctx);
/* Columns not shown (still readable with tview_cell). */
void tview_hide_col(tview *v, const char *name);

/* Keyset paging. more_before/more_after say whether the source has rows
 * beyond the window. append/prepend take the page over (left empty); past
 * cap rows (default 2000) the far end of the window is dropped and its
 * more_* flag set. */
void tview_set_more(tview *v, bool more_before, bool more_after);
void tview_append(tview *v, tc_result *page);
void tview_prepend(tview *v, tc_result *page);
/* Replace the whole window with the first or last page and put the cursor
 * on its first or last row. */
void tview_set_window(tview *v, tc_result *page, bool at_end);
/* What to load after the last key; the pane submits it and calls
 * tview_need_sent so the same request is not made twice. */
tview_need tview_need_next(const tview *v);
/* While a request is out, tview_need_next says TVN_NONE; the next
 * append/prepend/set_window/set_result/set_more (also after a failed
 * load) lets it ask again. */
void tview_need_sent(tview *v);
/* The window's row limit (0: the default, 2000). */
void tview_set_cap(tview *v, size_t cap);
/* The more_* flags as they are now (append/prepend set the far end's when
 * they drop rows), for a pane updating only the end it loaded:
 * tview_get_more(v, &before, NULL); tview_set_more(v, before, more). */
void tview_get_more(const tview *v, bool *more_before, bool *more_after);
/* The key column's value of the window's first and last row (borrowed). */
const char *tview_first_key(const tview *v);
const char *tview_last_key(const tview *v);

/* Keys: j/k/arrows, C-d/C-u, PgDn/PgUp, g/G/Home/End, h/l/left/right
 * (horizontal scroll), < and > (sort column), I (invert), Space (mark and
 * move down). true when the key was the view's. With no sort yet, < or >
 * sorts by the leftmost column on screen, ascending. */
bool tview_key(tview *v, int key, int page_lines);
/* Live filter: rows containing text (case-insensitive, any shown column)
 * stay; "" or NULL clears. */
void tview_set_filter(tview *v, const char *text);
/* The filter, or NULL when there is none. */
const char *tview_filter(const tview *v);
/* The sort: column index (-1 none) and direction; for sources sorted by
 * the server the pane reads this after < > I and reloads. */
int tview_sort_col(const tview *v, bool *descending);
const char *tview_col_name(const tview *v, int col);
/* When true the view does not reorder rows itself (the server sorts). */
void tview_set_server_sort(tview *v, bool on);

/* The result row under the cursor, or (size_t)-1 when the view is empty. */
size_t tview_cursor_row(const tview *v);
/* Put the cursor on the row whose key column equals key; false if absent. */
bool tview_select_key(tview *v, const char *key);
/* A cell of a result row by column name; NULL when absent. Borrowed. */
const char *tview_cell(const tview *v, size_t row, const char *col);
const tc_result *tview_result(const tview *v);
/* Marked result rows, in display order: count returned, *out a fresh array
 * the caller frees. Rows a filter hides count (they are still marked);
 * marked keys paged out of the window do not (they are not loaded). */
size_t tview_marked(const tview *v, size_t **out);
void tview_clear_marks(tview *v);
size_t tview_visible_rows(const tview *v);

/* Draw into rows [y0, y0+h) of stdscr, full width: a header line, then rows.
 * An empty view shows empty_text. color false: monochrome. */
void tview_draw(tview *v, int y0, int h, bool color, const char *empty_text);

#endif
