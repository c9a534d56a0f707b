#include "config.h"

#include "uwidth.h"

#include <curses.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "xalloc.h"

/* One character of s: bytes consumed (0 at the end), what to draw and its
 * cells. Invalid bytes and control characters become a one-cell '?': a
 * hostile value must not drive the terminal nor shift the columns. */
static size_t next_char(const char *s, size_t len, mbstate_t *st, wchar_t *wc, int *w)
{
	if (!len || !*s)
		return 0;
	size_t n = mbrtowc(wc, s, len, st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		memset(st, 0, sizeof *st);
		*wc = L'?';
		*w = 1;
		return 1;
	}
	int cw = wcwidth(*wc);
	if (cw < 0 || iswcntrl((wint_t)*wc)) {
		*wc = L'?';
		cw = 1;
	}
	*w = cw;
	return n;
}

int uw_width(const char *s)
{
	return uw_width_upto(s, -1);
}

int uw_width_n(const char *s, size_t len)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int width = 0;
	wchar_t wc;
	int w;
	for (size_t n; (n = next_char(s, len, &st, &wc, &w)) != 0; s += n, len -= n)
		width += w;
	return width;
}

int uw_char_cells(const char *s, size_t len)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t wc;
	int w = 0;
	return next_char(s, len, &st, &wc, &w) ? w : 0;
}

int uw_width_upto(const char *s, int limit)
{
	if (!s)
		return 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = strlen(s);
	int width = 0;
	wchar_t wc;
	int w;
	for (size_t n; (n = next_char(s, len, &st, &wc, &w)) != 0; s += n, len -= n) {
		width += w;
		if (limit >= 0 && width > limit)
			break;
	}
	return width;
}

/* Characters are collected and drawn in runs: one addnwstr per run. */
typedef struct wbuf {
	wchar_t b[128];
	int n;
} wbuf;

static void wb_flush(wbuf *b)
{
	if (b->n)
		addnwstr(b->b, b->n);
	b->n = 0;
}

static void wb_add(wbuf *b, wchar_t wc)
{
	if (b->n == (int)(sizeof b->b / sizeof b->b[0]))
		wb_flush(b);
	b->b[b->n++] = wc;
}

static void wb_blanks(wbuf *b, int n)
{
	while (n-- > 0)
		wb_add(b, L' ');
}

int uw_put_span(const char *s, size_t len, int at, int lo, int hi)
{
	if (!s)
		return at;
	wbuf b;
	b.n = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t wc;
	int w;
	bool base_drawn = false; /* a combining mark goes with a drawn base only */
	for (size_t n; (n = next_char(s, len, &st, &wc, &w)) != 0; s += n, len -= n) {
		if (w && at >= hi)
			break;
		int end = at + w;
		if (w == 0) {
			if (base_drawn)
				wb_add(&b, wc);
		} else if (at >= lo && end <= hi) {
			wb_add(&b, wc);
			base_drawn = true;
		} else {
			/* Half of a wide character at either edge: a blank, never
			 * half a glyph. */
			int from = at < lo ? lo : at, to = end > hi ? hi : end;
			wb_blanks(&b, to - from);
			base_drawn = false;
		}
		at = end;
	}
	wb_flush(&b);
	return at < hi ? at : hi;
}

/* Cells left on the cursor's line: drawing never wraps. */
static int room(int cells)
{
	int left = getmaxx(stdscr) - getcurx(stdscr);
	return cells < left ? cells : left;
}

static void blanks(int n)
{
	wbuf b;
	b.n = 0;
	wb_blanks(&b, n);
	wb_flush(&b);
}

void uw_put(const char *s, int cells, int right_align)
{
	cells = room(cells);
	if (cells <= 0)
		return;
	int at = 0;
	if (right_align) {
		int w = uw_width_upto(s, cells);
		if (w < cells) {
			blanks(cells - w);
			at = cells - w;
		}
	}
	int end = uw_put_span(s, s ? strlen(s) : 0, at, at, cells);
	blanks(cells - end);
}

void uw_put_from(const char *s, int skip, int cells)
{
	cells = room(cells);
	if (cells <= 0)
		return;
	if (skip < 0)
		skip = 0;
	int end = uw_put_span(s, s ? strlen(s) : 0, 0, skip, skip + cells);
	blanks(skip + cells - (end > skip ? end : skip));
}

void uw_put_clip(const char *s, int cells, int right_align)
{
	cells = room(cells);
	if (cells <= 0)
		return;
	if (uw_width_upto(s, cells) <= cells) {
		uw_put(s, cells, right_align);
		return;
	}
	int end = uw_put_span(s, strlen(s), 0, 0, cells - 1);
	blanks(cells - 1 - end);
	addnwstr(MB_CUR_MAX > 1 ? L"\u2026" : L"~", 1);
}

/* A character of needle or haystack folded for comparison; an invalid byte
 * maps to a value no character has, so it matches only itself. */
static size_t fold_char(const char *s, size_t len, mbstate_t *st, wint_t *out)
{
	if (!len || !*s)
		return 0;
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, len, st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		memset(st, 0, sizeof *st);
		*out = 0x110000u + (unsigned char)*s;
		return 1;
	}
	*out = towlower((wint_t)wc);
	return n;
}

long uw_find(const char *s, const char *needle, size_t from, size_t *mlen)
{
	if (!s || !needle || !*needle)
		return -1;
	/* Fold the needle once. */
	wint_t small[64], *nd = small;
	size_t nlen = strlen(needle), nn = 0;
	if (nlen > sizeof small / sizeof small[0])
		nd = xmalloc(nlen * sizeof *nd);
	mbstate_t st;
	memset(&st, 0, sizeof st);
	for (size_t n; (n = fold_char(needle, nlen, &st, &nd[nn])) != 0; needle += n, nlen -= n)
		nn++;

	long found = -1;
	size_t slen = strlen(s);
	if (from > slen)
		from = slen;
	mbstate_t sst;
	memset(&sst, 0, sizeof sst);
	size_t i = from;
	while (i < slen) {
		/* Try a match starting at i. */
		mbstate_t mst;
		memset(&mst, 0, sizeof mst);
		size_t j = i, k = 0, first = 0;
		for (; k < nn; k++) {
			wint_t c;
			size_t n = fold_char(s + j, slen - j, &mst, &c);
			if (!n || c != nd[k])
				break;
			if (k == 0)
				first = n;
			j += n;
		}
		if (k == nn) {
			found = (long)i;
			if (mlen)
				*mlen = j - i;
			break;
		}
		if (!first) {
			wint_t c;
			first = fold_char(s + i, slen - i, &sst, &c);
			if (!first)
				break;
		}
		i += first;
	}
	if (nd != small)
		free(nd);
	return found;
}
