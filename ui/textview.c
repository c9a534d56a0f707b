#include "config.h"

#include "textview.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "frame.h"
#include "strbuf.h"
#include "uwidth.h"
#include "xalloc.h"

enum { TV_TAB = 8, TV_HSTEP = 8 };

/* One search match: where on which line, in bytes of the shown line. */
typedef struct tx_match {
	int line;
	size_t off, len;
	int col; /* display column it starts at */
} tx_match;

struct textview {
	char **lines; /* owned; tabs expanded, control characters as ^X */
	int *widths;  /* display width of each line */
	int nlines, maxw;
	int top, left;
	int page; /* rows a page has: from the last key or draw */
	bool diff;
	char *search; /* owned; NULL when none */
	tx_match *matches;
	size_t nmatches, cap_matches;
	size_t current; /* the match n/N went to last */
};

/* One line of input as shown: tabs to the next multiple of 8 (by display
 * column), control bytes as ^X, DEL as ^?. Other bytes are kept; uw_put
 * shows invalid UTF-8 as '?'. */
static char *shown_line(const char *s, size_t len, int *width)
{
	strbuf sb = STRBUF_INIT;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int col = 0;
	size_t i = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t') {
			do
				sb_addc(&sb, ' ');
			while (++col % TV_TAB);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			sb_addc(&sb, '^');
			sb_addc(&sb, c == 0x7f ? '?' : (char)(c + '@'));
			col += 2;
			i++;
			continue;
		}
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);
		int w = 1;
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			n = 1;
		} else {
			w = wcwidth(wc);
			if (w < 0)
				w = 1;
		}
		sb_addn(&sb, s + i, n);
		col += w;
		i += n;
	}
	*width = col;
	if (!sb.data)
		return xstrdup("");
	return sb_steal(&sb);
}

textview *textview_new(const char *text)
{
	textview *t = xcalloc(1, sizeof *t);
	t->page = 20;
	if (!text)
		text = "";
	size_t cap = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		size_t shown_len = len;
		/* CRLF text: the CR is the line end, not a ^M on every line. */
		if (nl && shown_len && p[shown_len - 1] == '\r')
			shown_len--;
		if ((size_t)t->nlines == cap) {
			cap = cap ? cap * 2 : 64;
			t->lines = xrealloc(t->lines, cap * sizeof *t->lines);
			t->widths = xrealloc(t->widths, cap * sizeof *t->widths);
		}
		int w;
		t->lines[t->nlines] = shown_line(p, shown_len, &w);
		t->widths[t->nlines] = w;
		if (w > t->maxw)
			t->maxw = w;
		t->nlines++;
		p += len;
		if (*p == '\n')
			p++;
	}
	return t;
}

void textview_free(textview *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nlines; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->widths);
	free(t->search);
	free(t->matches);
	free(t);
}

void textview_set_diff(textview *t, bool on)
{
	t->diff = on;
}

int textview_lines(const textview *t)
{
	return t->nlines;
}

static int page_rows(const textview *t)
{
	return t->page > 0 ? t->page : 1;
}

static void clamp(textview *t)
{
	int max_top = t->nlines - page_rows(t);
	if (t->top > max_top)
		t->top = max_top;
	if (t->top < 0)
		t->top = 0;
	int cols = COLS > 0 ? COLS : 80;
	int max_left = t->maxw - cols;
	if (t->left > max_left)
		t->left = max_left;
	if (t->left < 0)
		t->left = 0;
}

/* Display width of the bytes s[0, len). */
static int span_width(const char *s, size_t len)
{
	char *t = xstrndup(s, len);
	int w = uw_width(t);
	free(t);
	return w;
}

/* Bring match i on screen: its line, and its columns when the line is
 * wider than the screen. */
static void show_match(textview *t, size_t i)
{
	const tx_match *m = &t->matches[i];
	t->current = i;
	int rows = page_rows(t);
	if (m->line < t->top || m->line >= t->top + rows)
		t->top = m->line;
	int cols = COLS > 0 ? COLS : 80;
	int end = m->col + span_width(t->lines[m->line] + m->off, m->len);
	if (m->col < t->left || end > t->left + cols)
		t->left = m->col > cols / 4 ? m->col - cols / 4 : 0;
	clamp(t);
}


bool textview_search(textview *t, const char *text)
{
	free(t->search);
	t->search = NULL;
	t->nmatches = 0;
	t->current = 0;
	if (!text || !*text)
		return true;
	t->search = xstrdup(text);
	for (int i = 0; i < t->nlines; i++) {
		const char *s = t->lines[i];
		size_t from = 0, len;
		int col = 0; /* display column of byte `from`: linear in the line */
		long off;
		while ((off = uw_find(s, text, from, &len)) >= 0) {
			col += span_width(s + from, (size_t)off - from);
			t->matches = xgrow(t->matches, &t->cap_matches, t->nmatches + 1, sizeof *t->matches);
			t->matches[t->nmatches++] = (tx_match){i, (size_t)off, len, col};
			col += span_width(s + off, len);
			from = (size_t)off + len;
		}
	}
	if (!t->nmatches)
		return false;
	/* The first match from the top line on, else (wrapping) the first. */
	size_t first = 0;
	for (size_t i = 0; i < t->nmatches; i++)
		if (t->matches[i].line >= t->top) {
			first = i;
			break;
		}
	show_match(t, first);
	return true;
}

int textview_matches(const textview *t, int *current)
{
	if (current)
		*current = t->nmatches ? (int)t->current + 1 : 0;
	return (int)t->nmatches;
}

bool textview_key(textview *t, int key, int page_lines)
{
	if (page_lines > 0)
		t->page = page_lines;
	int page = page_rows(t), half = page / 2 > 0 ? page / 2 : 1;
	switch (key) {
	case 'j':
	case KEY_DOWN:
		t->top++;
		break;
	case 'k':
	case KEY_UP:
		t->top--;
		break;
	case 4: /* C-d */
		t->top += half;
		break;
	case 21: /* C-u */
		t->top -= half;
		break;
	case KEY_NPAGE:
		t->top += page;
		break;
	case KEY_PPAGE:
		t->top -= page;
		break;
	case 'g':
	case KEY_HOME:
		t->top = 0;
		break;
	case 'G':
	case KEY_END:
		t->top = t->nlines;
		break;
	case 'h':
	case KEY_LEFT:
		t->left -= TV_HSTEP;
		break;
	case 'l':
	case KEY_RIGHT:
		t->left += TV_HSTEP;
		break;
	case 'n':
	case 'N':
		if (t->nmatches) {
			size_t n = t->nmatches;
			show_match(t, key == 'n' ? (t->current + 1) % n : (t->current + n - 1) % n);
		}
		return true;
	default:
		return false;
	}
	clamp(t);
	return true;
}

static attr_t line_attr(const textview *t, const char *s, bool color)
{
	if (!t->diff)
		return A_NORMAL;
	if (strncmp(s, "@@", 2) == 0 || strncmp(s, "+++", 3) == 0 || strncmp(s, "---", 3) == 0)
		return A_BOLD | (color ? COLOR_PAIR(FC_HEADER) : 0);
	if (s[0] == '+')
		return color ? COLOR_PAIR(FC_GOOD) : A_NORMAL;
	if (s[0] == '-')
		return color ? COLOR_PAIR(FC_BAD) : A_NORMAL;
	return A_NORMAL;
}

/* The first match on line or after it. */
static size_t first_match_on(const textview *t, int line)
{
	size_t lo = 0, hi = t->nmatches;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->matches[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void textview_draw(textview *t, int y0, int h, bool color)
{
	if (h <= 0)
		return;
	t->page = h;
	clamp(t);
	int cols = COLS;
	size_t mi = first_match_on(t, t->top);
	for (int i = 0; i < h; i++) {
		int y = y0 + i, ln = t->top + i;
		move(y, 0);
		clrtoeol();
		if (ln >= t->nlines)
			continue;
		const char *s = t->lines[ln];
		attr_t base = line_attr(t, s, color);
		int at = 0;
		size_t off = 0;
		move(y, 0);
		/* Plain text up to each match, then the match highlighted. */
		for (; mi < t->nmatches && t->matches[mi].line == ln; mi++) {
			const tx_match *m = &t->matches[mi];
			attrset(base);
			at = uw_put_span(s + off, m->off - off, at, t->left, t->left + cols);
			attr_t hl = A_REVERSE;
			if (mi == t->current)
				hl |= A_BOLD | (color ? COLOR_PAIR(FC_WARN) : 0);
			attrset(hl);
			at = uw_put_span(s + m->off, m->len, at, t->left, t->left + cols);
			off = m->off + m->len;
		}
		attrset(base);
		uw_put_span(s + off, strlen(s + off), at, t->left, t->left + cols);
		attrset(A_NORMAL);
	}
}
