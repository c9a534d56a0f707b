#include "config.h"

#include "tview.h"

#include <curses.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "uwidth.h"
#include "xalloc.h"

/* Past this a column is clipped (with '…'), except the last one shown,
 * which gets the rest of the line. */
enum { TV_COL_MAX = 40, TV_GUTTER = 2, TV_DEFAULT_CAP = 2000, TV_WIDTH_LIMIT = 1000 };
#define NONE SIZE_MAX

/* A display line: a row, or the heading before a run of equal group values
 * (row is the run's first row then). */
typedef struct tv_line {
	size_t row;
	bool heading;
} tv_line;

struct tview {
	tc_result res;
	/* What the pane asked for, by name, so it carries over results. */
	char *key_name, *group_name, *sort_name, *filter;
	char **hidden;
	size_t nhidden;
	bool sort_desc, server_sort;
	bool group_plain; /* headings without the column's name */
	tview_style_fn style;
	void *style_ctx;

	/* Resolved against res. */
	int key_idx, group_idx, sort_idx;
	bool *shown;  /* per column */
	int *natural; /* per column: the widest cell, in cells */

	/* Derived from res, sort and filter by rebuild(). */
	size_t *order; /* result rows in display order, filter not applied */
	size_t *pos;   /* result row -> index in order */
	size_t *vis;   /* the rows that pass the filter, in display order */
	size_t nvis;
	size_t *vpos; /* result row -> index in vis, NONE when filtered out */
	tv_line *lines;
	size_t nlines;
	size_t *vis_line; /* index in vis -> index in lines */

	size_t cur;  /* index in vis */
	size_t top;  /* index in lines */
	int hscroll; /* shown columns scrolled off on the left */
	int page;    /* rows a page has: from the last key or draw */
	int width;   /* columns at the last draw */

	/* Marks: rowmark is the truth for the rows loaded; with a key column
	 * the marked keys (sorted, owned) bring marks back after a reload. */
	bool *rowmark;
	char **mkeys;
	size_t nmkeys, cap_mkeys;

	bool more_before, more_after;
	bool inflight;     /* a request was sent and nothing came back yet */
	tview_need jump;   /* g/G pressed with more beyond the window */
	size_t cap;
};

/* ---------------------------------------------------------------- helpers */

static const char *cell(const tview *v, size_t row, int col)
{
	if (col < 0)
		return NULL;
	return res_get(&v->res, row, (size_t)col);
}

static int col_index(const tc_result *r, const char *name)
{
	if (!name)
		return -1;
	for (size_t c = 0; c < r->ncols; c++)
		if (strcmp(r->cols[c].name, name) == 0)
			return (int)c;
	return -1;
}

static bool is_hidden(const tview *v, const char *name)
{
	for (size_t i = 0; i < v->nhidden; i++)
		if (strcmp(v->hidden[i], name) == 0)
			return true;
	return false;
}

static bool nullable_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? xstrdup(s) : NULL;
}

/* Marked keys: a sorted array, binary searched. */
static size_t mkey_find(const tview *v, const char *key, bool *found)
{
	size_t lo = 0, hi = v->nmkeys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v->mkeys[mid], key);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static bool mkey_has(const tview *v, const char *key)
{
	bool found;
	if (!key)
		return false;
	mkey_find(v, key, &found);
	return found;
}

static void mkey_set(tview *v, const char *key, bool on)
{
	bool found;
	if (!key)
		return;
	size_t i = mkey_find(v, key, &found);
	if (on && !found) {
		v->mkeys = xgrow(v->mkeys, &v->cap_mkeys, v->nmkeys + 1, sizeof *v->mkeys);
		memmove(v->mkeys + i + 1, v->mkeys + i, (v->nmkeys - i) * sizeof *v->mkeys);
		v->mkeys[i] = xstrdup(key);
		v->nmkeys++;
	} else if (!on && found) {
		free(v->mkeys[i]);
		memmove(v->mkeys + i, v->mkeys + i + 1, (v->nmkeys - i - 1) * sizeof *v->mkeys);
		v->nmkeys--;
	}
}

/* Columns, widths and marks for the rows in res. */
static void resolve_cols(tview *v)
{
	tc_result *r = &v->res;
	v->key_idx = col_index(r, v->key_name);
	v->group_idx = col_index(r, v->group_name);
	v->sort_idx = col_index(r, v->sort_name);
	free(v->shown);
	v->shown = xcalloc(r->ncols, sizeof *v->shown);
	for (size_t c = 0; c < r->ncols; c++)
		v->shown[c] = !r->cols[c].detail && !is_hidden(v, r->cols[c].name);
	if (v->sort_idx >= 0 && !v->shown[v->sort_idx])
		v->sort_idx = -1;
	int nshown = 0;
	for (size_t c = 0; c < r->ncols; c++)
		nshown += v->shown[c];
	if (v->hscroll >= nshown)
		v->hscroll = nshown > 0 ? nshown - 1 : 0;
}

/* Widen the columns for rows [from, to). Columns never narrow while paging:
 * the screen does not shift as pages come and go. */
static void widen(tview *v, size_t from, size_t to)
{
	tc_result *r = &v->res;
	for (size_t c = 0; c < r->ncols; c++) {
		int w = v->natural[c];
		for (size_t i = from; i < to; i++) {
			int cw = uw_width_upto(r->cells[i * r->ncols + c], TV_WIDTH_LIMIT);
			if (cw > w)
				w = cw;
		}
		v->natural[c] = w;
	}
}

static void measure(tview *v)
{
	free(v->natural);
	v->natural = xcalloc(v->res.ncols, sizeof *v->natural);
	widen(v, 0, v->res.nrows);
}

/* ---------------------------------------------------------------- sorting */

static int cmp_rows(const tview *v, size_t a, size_t b)
{
	const char *x = cell(v, a, v->sort_idx), *y = cell(v, b, v->sort_idx);
	/* NULLs last in either direction: what is missing is never "top". */
	if (!x || !y)
		return x ? -1 : y ? 1 : 0;
	int c = 0;
	if (v->res.cols[v->sort_idx].type == RES_T_INT) {
		/* long double: exact for bigint, and a "12.5" still sorts. */
		char *ex, *ey;
		long double nx = strtold(x, &ex), ny = strtold(y, &ey);
		bool okx = *x && !*ex, oky = *y && !*ey;
		if (okx && oky)
			c = nx < ny ? -1 : nx > ny;
		else if (okx != oky)
			return okx ? -1 : 1; /* numbers before whatever else */
		else
			c = strcmp(x, y);
	} else {
		c = strcmp(x, y); /* byte order: the server's COLLATE "C" */
	}
	return v->sort_desc ? -c : c;
}

/* Stable merge sort of result rows (qsort is not stable). */
static void merge_sort(const tview *v, size_t *a, size_t *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	merge_sort(v, a, tmp, h);
	merge_sort(v, a + h, tmp, n - h);
	if (cmp_rows(v, a[h - 1], a[h]) <= 0)
		return;
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_rows(v, a[j], a[i]) < 0 ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

/* ---------------------------------------------------------------- rebuild */

static bool row_matches(const tview *v, size_t row)
{
	if (!v->filter)
		return true;
	for (size_t c = 0; c < v->res.ncols; c++) {
		const char *s = cell(v, row, (int)c);
		if (v->shown[c] && s && uw_find(s, v->filter, 0, NULL) >= 0)
			return true;
	}
	return false;
}

static size_t cursor_line(const tview *v)
{
	return v->nvis ? v->vis_line[v->cur] : 0;
}

static int body_rows(const tview *v)
{
	return v->page > 0 ? v->page : 1;
}

/* Keep the cursor on screen, the screen full when it can be, and the
 * heading of the cursor's run in view when the cursor is its first row. */
static void clamp_top(tview *v, int rows)
{
	if (rows < 1)
		rows = 1;
	size_t cl = cursor_line(v);
	if (v->nlines <= (size_t)rows)
		v->top = 0;
	else if (v->top > v->nlines - (size_t)rows)
		v->top = v->nlines - (size_t)rows;
	if (!v->nvis) {
		v->top = 0;
		return;
	}
	if (cl < v->top)
		v->top = cl;
	if (cl >= v->top + (size_t)rows)
		v->top = cl - (size_t)rows + 1;
	if (v->top == cl && cl > 0 && v->lines[cl - 1].heading && rows > 1)
		v->top = cl - 1;
}

/* Recompute order, filter and lines after rows, sort or filter changed.
 * The cursor stays on keep_row when it is still shown (else on the nearest
 * row after it), at the same distance from the top of the screen. */
static void rebuild(tview *v, size_t keep_row, long keep_offset)
{
	size_t n = v->res.nrows;

	v->order = xrealloc(v->order, n * sizeof *v->order);
	v->pos = xrealloc(v->pos, n * sizeof *v->pos);
	v->vis = xrealloc(v->vis, n * sizeof *v->vis);
	v->vpos = xrealloc(v->vpos, n * sizeof *v->vpos);
	v->vis_line = xrealloc(v->vis_line, n * sizeof *v->vis_line);
	v->lines = xrealloc(v->lines, 2 * n * sizeof *v->lines);

	for (size_t i = 0; i < n; i++)
		v->order[i] = i;
	if (v->sort_idx >= 0 && !v->server_sort) {
		size_t *tmp = xmalloc(n * sizeof *tmp);
		merge_sort(v, v->order, tmp, n);
		free(tmp);
	}
	v->nvis = 0;
	v->nlines = 0;
	for (size_t i = 0; i < n; i++) {
		size_t row = v->order[i];
		v->pos[row] = i;
		v->vpos[row] = NONE;
		if (!row_matches(v, row))
			continue;
		if (v->group_idx >= 0 &&
		    (!v->nvis ||
		     !nullable_eq(cell(v, row, v->group_idx), cell(v, v->vis[v->nvis - 1], v->group_idx))))
			v->lines[v->nlines++] = (tv_line){row, true};
		v->vis_line[v->nvis] = v->nlines;
		v->lines[v->nlines++] = (tv_line){row, false};
		v->vpos[row] = v->nvis;
		v->vis[v->nvis++] = row;
	}

	v->cur = 0;
	if (keep_row != NONE && keep_row < n && v->nvis) {
		if (v->vpos[keep_row] != NONE) {
			v->cur = v->vpos[keep_row];
		} else {
			/* Filtered out: the first shown row after it, else the last. */
			size_t p = v->pos[keep_row];
			v->cur = v->nvis - 1;
			for (size_t i = p; i < n; i++)
				if (v->vpos[v->order[i]] != NONE) {
					v->cur = v->vpos[v->order[i]];
					break;
				}
		}
	}
	size_t cl = cursor_line(v);
	v->top = keep_offset >= 0 && (size_t)keep_offset <= cl ? cl - (size_t)keep_offset : 0;
	clamp_top(v, body_rows(v));
}

static size_t cursor_result_row(const tview *v)
{
	return v->nvis ? v->vis[v->cur] : NONE;
}

static long cursor_offset(const tview *v)
{
	if (!v->nvis)
		return 0;
	size_t cl = cursor_line(v);
	return cl >= v->top ? (long)(cl - v->top) : 0;
}

/* Redo order and filter keeping the cursor where it is. */
static void refresh_rows(tview *v)
{
	rebuild(v, cursor_result_row(v), cursor_offset(v));
}

/* ---------------------------------------------------------------- life */

tview *tview_new(void)
{
	tview *v = xcalloc(1, sizeof *v);
	res_init(&v->res, RES_EMPTY);
	v->key_idx = v->group_idx = v->sort_idx = -1;
	v->cap = TV_DEFAULT_CAP;
	v->page = 20;
	return v;
}

void tview_free(tview *v)
{
	if (!v)
		return;
	res_free(&v->res);
	free(v->key_name);
	free(v->group_name);
	free(v->sort_name);
	free(v->filter);
	for (size_t i = 0; i < v->nhidden; i++)
		free(v->hidden[i]);
	free(v->hidden);
	free(v->shown);
	free(v->natural);
	free(v->order);
	free(v->pos);
	free(v->vis);
	free(v->vpos);
	free(v->lines);
	free(v->vis_line);
	free(v->rowmark);
	for (size_t i = 0; i < v->nmkeys; i++)
		free(v->mkeys[i]);
	free(v->mkeys);
	free(v);
}

/* Row marks for a fresh result: by key when there is a key column, else
 * row indexes carry over. */
static void remark(tview *v, size_t old_rows)
{
	size_t n = v->res.nrows;
	bool *m = xcalloc(n, sizeof *m);
	for (size_t i = 0; i < n; i++) {
		if (v->key_idx >= 0)
			m[i] = mkey_has(v, cell(v, i, v->key_idx));
		else
			m[i] = i < old_rows && v->rowmark && v->rowmark[i];
	}
	free(v->rowmark);
	v->rowmark = m;
}

/* Replace res with r (taken over); the cursor goes to the row with key
 * `key` if given and present, else to the first (at_end: last) row. */
static void replace(tview *v, tc_result *r, const char *key, long offset, bool at_end)
{
	size_t old_rows = v->res.nrows;
	res_free(&v->res);
	v->res = *r;
	res_init(r, RES_EMPTY);
	resolve_cols(v);
	measure(v);
	remark(v, old_rows);
	v->inflight = false;
	v->jump = TVN_NONE;
	size_t keep = NONE;
	if (key && v->key_idx >= 0)
		for (size_t i = 0; i < v->res.nrows; i++)
			if (nullable_eq(cell(v, i, v->key_idx), key)) {
				keep = i;
				break;
			}
	rebuild(v, keep, keep == NONE ? 0 : offset);
	if (keep == NONE && at_end && v->nvis) {
		v->cur = v->nvis - 1;
		v->top = v->nlines;
		clamp_top(v, body_rows(v));
	}
}

void tview_set_result(tview *v, tc_result *r)
{
	size_t row = cursor_result_row(v);
	char *key = row != NONE && v->key_idx >= 0 && cell(v, row, v->key_idx)
			    ? xstrdup(cell(v, row, v->key_idx))
			    : NULL;
	replace(v, r, key, cursor_offset(v), false);
	free(key);
}

void tview_set_window(tview *v, tc_result *page, bool at_end)
{
	replace(v, page, NULL, 0, at_end);
}

void tview_set_key_col(tview *v, const char *name)
{
	set_str(&v->key_name, name);
	v->key_idx = col_index(&v->res, name);
	/* Marks made by row become marks by key. */
	if (v->key_idx >= 0)
		for (size_t i = 0; i < v->res.nrows; i++)
			if (v->rowmark[i])
				mkey_set(v, cell(v, i, v->key_idx), true);
}

void tview_set_group_col(tview *v, const char *name)
{
	set_str(&v->group_name, name);
	v->group_idx = col_index(&v->res, name);
	refresh_rows(v);
}

void tview_set_group_plain(tview *v, bool plain)
{
	v->group_plain = plain;
}

void tview_set_style(tview *v, tview_style_fn fn, void *ctx)
{
	v->style = fn;
	v->style_ctx = ctx;
}

void tview_hide_col(tview *v, const char *name)
{
	if (!name || is_hidden(v, name))
		return;
	v->hidden = xrealloc(v->hidden, (v->nhidden + 1) * sizeof *v->hidden);
	v->hidden[v->nhidden++] = xstrdup(name);
	size_t row = cursor_result_row(v);
	long off = cursor_offset(v);
	resolve_cols(v);
	rebuild(v, row, off);
}

void tview_set_cap(tview *v, size_t cap)
{
	v->cap = cap ? cap : TV_DEFAULT_CAP;
}

/* ---------------------------------------------------------------- paging */

void tview_set_more(tview *v, bool more_before, bool more_after)
{
	v->more_before = more_before;
	v->more_after = more_after;
	v->inflight = false;
}

void tview_get_more(const tview *v, bool *more_before, bool *more_after)
{
	if (more_before)
		*more_before = v->more_before;
	if (more_after)
		*more_after = v->more_after;
}

/* Free rows [from, from+k) of res and close the gap. */
static void drop_rows(tview *v, size_t from, size_t k)
{
	tc_result *r = &v->res;
	size_t nc = r->ncols;
	for (size_t i = from * nc; i < (from + k) * nc; i++)
		free(r->cells[i]);
	memmove(r->cells + from * nc, r->cells + (from + k) * nc,
		(r->nrows - from - k) * nc * sizeof *r->cells);
	memmove(v->rowmark + from, v->rowmark + from + k,
		(r->nrows - from - k) * sizeof *v->rowmark);
	r->nrows -= k;
}

static bool same_cols(const tc_result *a, const tc_result *b)
{
	if (a->ncols != b->ncols)
		return false;
	for (size_t c = 0; c < a->ncols; c++)
		if (strcmp(a->cols[c].name, b->cols[c].name) != 0)
			return false;
	return true;
}

/* Put page's rows before (front) or after the window's, dropping rows at
 * the other end past the cap; the cursor and the screen stay on the same
 * rows. */
static void splice(tview *v, tc_result *page, bool front)
{
	if (!v->res.ncols || !same_cols(&v->res, page)) {
		tview_set_result(v, page);
		return;
	}
	tc_result *r = &v->res;
	size_t nc = r->ncols, old = r->nrows, add = page->nrows;
	size_t row = cursor_result_row(v);
	long off = cursor_offset(v);

	size_t need = (old + add) * nc;
	r->cells = xgrow(r->cells, &r->cap_rows, need ? need : 1, sizeof *r->cells);
	v->rowmark = xrealloc(v->rowmark, (old + add) * sizeof *v->rowmark);
	if (front && add) {
		memmove(r->cells + add * nc, r->cells, old * nc * sizeof *r->cells);
		memcpy(r->cells, page->cells, add * nc * sizeof *r->cells);
		memmove(v->rowmark + add, v->rowmark, old * sizeof *v->rowmark);
		if (row != NONE)
			row += add;
	} else if (add) {
		memcpy(r->cells + old * nc, page->cells, add * nc * sizeof *r->cells);
	}
	size_t first_new = front ? 0 : old;
	for (size_t i = first_new; i < first_new + add; i++)
		v->rowmark[i] = v->key_idx >= 0 && mkey_has(v, cell(v, i, v->key_idx));
	r->nrows = old + add;
	/* The cells now belong to the window. */
	if (add)
		memset(page->cells, 0, add * nc * sizeof *page->cells);
	res_free(page);
	widen(v, first_new, first_new + add);

	if (r->nrows > v->cap) {
		size_t k = r->nrows - v->cap;
		if (front) {
			drop_rows(v, v->cap, k);
			v->more_after = true;
			if (row != NONE && row >= v->cap)
				row = v->cap - 1;
		} else {
			drop_rows(v, 0, k);
			v->more_before = true;
			row = row == NONE ? NONE : row >= k ? row - k : 0;
		}
	}
	v->inflight = false;
	rebuild(v, row, off);
}

void tview_append(tview *v, tc_result *page)
{
	splice(v, page, false);
}

void tview_prepend(tview *v, tc_result *page)
{
	splice(v, page, true);
}

tview_need tview_need_next(const tview *v)
{
	if (v->inflight)
		return TVN_NONE;
	if (v->jump != TVN_NONE)
		return v->jump;
	if (!v->res.nrows)
		return v->more_after ? TVN_AFTER : TVN_NONE;
	if (!v->nvis)
		return TVN_NONE;
	/* Near an end of the window in its own order (not the filtered one: a
	 * filter showing few rows must not page through the whole source). */
	size_t p = v->pos[v->vis[v->cur]], n = v->res.nrows, page = (size_t)body_rows(v);
	if (v->more_after && n - 1 - p < page)
		return TVN_AFTER;
	if (v->more_before && p < page)
		return TVN_BEFORE;
	return TVN_NONE;
}

void tview_need_sent(tview *v)
{
	if (tview_need_next(v) == TVN_NONE)
		return;
	v->inflight = true;
	v->jump = TVN_NONE;
}

const char *tview_first_key(const tview *v)
{
	return v->res.nrows ? cell(v, 0, v->key_idx) : NULL;
}

const char *tview_last_key(const tview *v)
{
	return v->res.nrows ? cell(v, v->res.nrows - 1, v->key_idx) : NULL;
}

/* ---------------------------------------------------------------- keys */

static void move_cursor(tview *v, long delta, bool scroll_too)
{
	if (!v->nvis)
		return;
	long c = (long)v->cur + delta;
	if (c < 0)
		c = 0;
	if (c >= (long)v->nvis)
		c = (long)v->nvis - 1;
	if (scroll_too) {
		long t = (long)v->top + delta;
		v->top = t < 0 ? 0 : (size_t)t;
	}
	v->cur = (size_t)c;
	clamp_top(v, body_rows(v));
}

static int shown_count(const tview *v)
{
	int n = 0;
	for (size_t c = 0; c < v->res.ncols; c++)
		n += v->shown[c];
	return n;
}

/* The result column of the i-th shown column, or -1. */
static int shown_col(const tview *v, int i)
{
	for (size_t c = 0; c < v->res.ncols; c++)
		if (v->shown[c] && i-- == 0)
			return (int)c;
	return -1;
}

static int shown_index(const tview *v, int col)
{
	int i = 0;
	for (int c = 0; c < col; c++)
		i += v->shown[c];
	return i;
}

static int header_width(const tview *v, int col)
{
	return uw_width(v->res.cols[col].name) + (col == v->sort_idx ? 2 : 0);
}

static int col_width(const tview *v, int col)
{
	int w = v->natural[col], h = header_width(v, col);
	return w > h ? w : h;
}

/* Could the columns from the first shown one on not all fit? */
static bool more_right(const tview *v)
{
	int x = TV_GUTTER, n = shown_count(v);
	int width = v->width > 0 ? v->width : COLS > 0 ? COLS : 80;
	for (int i = v->hscroll; i < n; i++) {
		int w = col_width(v, shown_col(v, i));
		if (i < n - 1 && w > TV_COL_MAX)
			w = TV_COL_MAX;
		x += w + (i < n - 1);
	}
	return x > width;
}

static void set_sort(tview *v, int col, bool desc)
{
	v->sort_idx = col;
	v->sort_desc = desc;
	set_str(&v->sort_name, col >= 0 ? v->res.cols[col].name : NULL);
	refresh_rows(v);
}

static void toggle_mark(tview *v)
{
	if (!v->nvis)
		return;
	size_t row = v->vis[v->cur];
	bool on = !v->rowmark[row];
	v->rowmark[row] = on;
	if (v->key_idx >= 0)
		mkey_set(v, cell(v, row, v->key_idx), on);
}

bool tview_key(tview *v, int key, int page_lines)
{
	if (page_lines > 0)
		v->page = page_lines;
	int page = body_rows(v), half = page / 2 > 0 ? page / 2 : 1;
	switch (key) {
	case 'j':
	case KEY_DOWN:
		move_cursor(v, 1, false);
		return true;
	case 'k':
	case KEY_UP:
		move_cursor(v, -1, false);
		return true;
	case 4: /* C-d */
		move_cursor(v, half, true);
		return true;
	case 21: /* C-u */
		move_cursor(v, -half, true);
		return true;
	case KEY_NPAGE:
		move_cursor(v, page, true);
		return true;
	case KEY_PPAGE:
		move_cursor(v, -page, true);
		return true;
	case 'g':
	case KEY_HOME:
		v->jump = v->more_before ? TVN_FIRST : TVN_NONE;
		move_cursor(v, -(long)v->nvis, false);
		return true;
	case 'G':
	case KEY_END:
		v->jump = v->more_after ? TVN_LAST : TVN_NONE;
		move_cursor(v, (long)v->nvis, false);
		return true;
	case 'h':
	case KEY_LEFT:
		if (v->hscroll > 0)
			v->hscroll--;
		return true;
	case 'l':
	case KEY_RIGHT:
		if (v->hscroll < shown_count(v) - 1 && more_right(v))
			v->hscroll++;
		return true;
	case '<':
	case '>': {
		int n = shown_count(v);
		if (!n)
			return true;
		int i;
		if (v->sort_idx < 0)
			i = v->hscroll; /* the leftmost column on screen */
		else
			i = shown_index(v, v->sort_idx) + (key == '>' ? 1 : -1);
		if (i < 0)
			i = 0;
		if (i >= n)
			i = n - 1;
		set_sort(v, shown_col(v, i), v->sort_idx == shown_col(v, i) && v->sort_desc);
		return true;
	}
	case 'I':
		if (v->sort_idx >= 0)
			set_sort(v, v->sort_idx, !v->sort_desc);
		return true;
	case ' ':
		toggle_mark(v);
		move_cursor(v, 1, false);
		return true;
	default:
		return false;
	}
}

/* ---------------------------------------------------------------- queries */

void tview_set_filter(tview *v, const char *text)
{
	set_str(&v->filter, text && *text ? text : NULL);
	refresh_rows(v);
}

const char *tview_filter(const tview *v)
{
	return v->filter;
}

int tview_sort_col(const tview *v, bool *descending)
{
	if (descending)
		*descending = v->sort_desc;
	return v->sort_idx;
}

const char *tview_col_name(const tview *v, int col)
{
	if (col < 0 || (size_t)col >= v->res.ncols)
		return NULL;
	return v->res.cols[col].name;
}

void tview_set_server_sort(tview *v, bool on)
{
	v->server_sort = on;
	refresh_rows(v);
}

size_t tview_cursor_row(const tview *v)
{
	return cursor_result_row(v);
}

bool tview_select_key(tview *v, const char *key)
{
	if (v->key_idx < 0 || !key)
		return false;
	for (size_t i = 0; i < v->nvis; i++)
		if (nullable_eq(cell(v, v->vis[i], v->key_idx), key)) {
			v->cur = i;
			clamp_top(v, body_rows(v));
			return true;
		}
	return false;
}

const char *tview_cell(const tview *v, size_t row, const char *col)
{
	return cell(v, row, col_index(&v->res, col));
}

const tc_result *tview_result(const tview *v)
{
	return &v->res;
}

size_t tview_marked(const tview *v, size_t **out)
{
	size_t n = 0;
	*out = xmalloc((v->res.nrows ? v->res.nrows : 1) * sizeof **out);
	for (size_t i = 0; i < v->res.nrows; i++)
		if (v->rowmark[v->order[i]])
			(*out)[n++] = v->order[i];
	return n;
}

void tview_clear_marks(tview *v)
{
	for (size_t i = 0; i < v->nmkeys; i++)
		free(v->mkeys[i]);
	v->nmkeys = 0;
	if (v->res.nrows)
		memset(v->rowmark, 0, v->res.nrows * sizeof *v->rowmark);
}

size_t tview_visible_rows(const tview *v)
{
	return v->nvis;
}

/* ---------------------------------------------------------------- drawing */

static attr_t style_attr(const tview *v, size_t row, bool color)
{
	tview_style s = v->style ? v->style(&v->res, row, v->style_ctx) : TVS_NORMAL;
	switch (s) {
	case TVS_GOOD:
		return color ? COLOR_PAIR(FC_GOOD) : A_NORMAL;
	case TVS_WARN:
		return A_BOLD | (color ? COLOR_PAIR(FC_WARN) : 0);
	case TVS_BAD:
		return A_BOLD | (color ? COLOR_PAIR(FC_BAD) : 0);
	case TVS_DIM:
		return color ? COLOR_PAIR(FC_DIM) : A_DIM;
	case TVS_NORMAL:
	default:
		return A_NORMAL;
	}
}

/* Where each shown column goes on screen this time. */
typedef struct tv_slot {
	int col, x, w;
} tv_slot;

static int layout(const tview *v, tv_slot *slots)
{
	int n = shown_count(v), ns = 0, x = TV_GUTTER;
	for (int i = v->hscroll; i < n && x < v->width; i++) {
		int col = shown_col(v, i), w = col_width(v, col);
		if (i == n - 1) {
			/* The last one may take the rest of the line, not more
			 * than it needs (a number stays next to its header). */
			if (w > v->width - x)
				w = v->width - x;
		} else if (w > TV_COL_MAX)
			w = TV_COL_MAX;
		if (x + w > v->width)
			w = v->width - x;
		slots[ns++] = (tv_slot){col, x, w};
		x += w + 1;
	}
	return ns;
}

static void draw_header(const tview *v, int y, const tv_slot *slots, int ns, bool color)
{
	attr_t a = A_BOLD | A_UNDERLINE | (color ? COLOR_PAIR(FC_HEADER) : 0);
	move(y, 0);
	attrset(A_NORMAL);
	/* Columns scrolled off on the left are announced in the gutter. */
	addstr(v->hscroll > 0 ? "< " : "  ");
	attrset(a);
	for (int i = 0; i < ns; i++) {
		const res_col *c = &v->res.cols[slots[i].col];
		move(y, slots[i].x);
		if (slots[i].col == v->sort_idx) {
			bool utf8 = MB_CUR_MAX > 1;
			const char *arrow = v->sort_desc ? (utf8 ? " \u25bc" : " v") : (utf8 ? " \u25b2" : " ^");
			char *t = xasprintf("%s%s", c->name, arrow);
			uw_put_clip(t, slots[i].w, c->type == RES_T_INT);
			free(t);
		} else {
			uw_put_clip(c->name, slots[i].w, c->type == RES_T_INT);
		}
		if (i < ns - 1 && slots[i].x + slots[i].w < v->width) {
			attrset(A_NORMAL);
			addch(' ');
			attrset(a);
		}
	}
	attrset(A_NORMAL);
}

static void draw_heading(const tview *v, int y, size_t row, bool color)
{
	bool utf8 = MB_CUR_MAX > 1;
	const char *val = cell(v, row, v->group_idx);
	char *t = v->group_plain
			  ? xasprintf("%s %s %s", utf8 ? "\u2500\u2500" : "--", val ? val : "(none)",
				      utf8 ? "\u2500\u2500" : "--")
			  : xasprintf("%s %s: %s %s", utf8 ? "\u2500\u2500" : "--",
				      v->res.cols[v->group_idx].name, val ? val : "(none)",
				      utf8 ? "\u2500\u2500" : "--");
	move(y, 0);
	attrset(A_BOLD | (color ? COLOR_PAIR(FC_HEADER) : 0));
	uw_put_clip(t, v->width, 0);
	attrset(A_NORMAL);
	free(t);
}

static void draw_row(const tview *v, int y, size_t vi, const tv_slot *slots, int ns, bool color)
{
	size_t row = v->vis[vi];
	bool at_cursor = vi == v->cur;
	attr_t a = style_attr(v, row, color) | (at_cursor ? A_REVERSE : 0);
	char gutter[TV_GUTTER + 1] = {at_cursor ? '>' : ' ', v->rowmark[row] ? '*' : ' ', 0};
	move(y, 0);
	attrset(a);
	addnstr(gutter, v->width < TV_GUTTER ? v->width : TV_GUTTER);
	for (int i = 0; i < ns; i++) {
		const res_col *c = &v->res.cols[slots[i].col];
		move(y, slots[i].x);
		uw_put_clip(cell(v, row, slots[i].col), slots[i].w, c->type == RES_T_INT);
		if (slots[i].x + slots[i].w < v->width)
			addch(' ');
	}
	int x = getcurx(stdscr);
	if (getcury(stdscr) == y && x < v->width)
		uw_put("", v->width - x, 0);
	attrset(A_NORMAL);
}

void tview_draw(tview *v, int y0, int h, bool color, const char *empty_text)
{
	if (h <= 0)
		return;
	v->width = COLS;
	for (int y = y0; y < y0 + h; y++) {
		move(y, 0);
		clrtoeol();
	}
	int rows = h - 1;
	if (rows > 0)
		v->page = rows;
	clamp_top(v, rows);

	int nc = (int)v->res.ncols;
	tv_slot *slots = xmalloc((size_t)(nc ? nc : 1) * sizeof *slots);
	int ns = layout(v, slots);
	if (ns)
		draw_header(v, y0, slots, ns, color);

	if (!v->nvis) {
		int y = ns && h > 1 ? y0 + 1 : y0;
		attrset(color ? COLOR_PAIR(FC_DIM) : A_DIM);
		move(y, TV_GUTTER < v->width ? TV_GUTTER : 0);
		if (v->res.nrows && v->filter) {
			char *t = xasprintf("no row matches \"%s\"", v->filter);
			uw_put_clip(t, v->width - getcurx(stdscr), 0);
			free(t);
		} else {
			uw_put_clip(empty_text ? empty_text : "nothing to show", v->width - getcurx(stdscr), 0);
		}
		attrset(A_NORMAL);
		free(slots);
		return;
	}
	for (int i = 0; i < rows && v->top + (size_t)i < v->nlines; i++) {
		const tv_line *l = &v->lines[v->top + (size_t)i];
		if (l->heading)
			draw_heading(v, y0 + 1 + i, l->row, color);
		else
			draw_row(v, y0 + 1 + i, v->vpos[l->row], slots, ns, color);
	}
	free(slots);
}
