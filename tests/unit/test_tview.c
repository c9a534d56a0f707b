/* The table view, the text view and display width, drawn on a virtual
 * 80x24 screen and read back cell by cell. */
#include "config.h"

#include <curses.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "textview.h"
#include "tview.h"
#include "uwidth.h"

static SCREEN *scr;
static FILE *scr_out, *scr_in;

static int start_screen(void **state)
{
	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "en_US.UTF-8");
	scr_out = fopen("/dev/null", "w");
	scr_in = fopen("/dev/null", "r");
	scr = newterm("xterm-256color", scr_out, scr_in);
	if (!scr)
		return -1;
	resizeterm(24, 80);
	/* The pairs frame.h names; only their being distinct matters here. */
	start_color();
	use_default_colors();
	for (short p = 1; p <= 5; p++)
		init_pair(p, p, -1);
	return 0;
}

static int stop_screen(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(scr_out);
	fclose(scr_in);
	return 0;
}

static int clear_screen(void **state)
{
	(void)state;
	erase();
	return 0;
}

/* Screen row y as UTF-8, trailing blanks trimmed. Returns a static buffer. */
static const char *row(int y)
{
	static char out[1024];
	wchar_t w[512];
	int n = mvwinnwstr(stdscr, y, 0, w, COLS);
	if (n == ERR)
		n = 0;
	w[n] = 0;
	size_t len = wcstombs(out, w, sizeof out - 1);
	if (len == (size_t)-1)
		len = 0;
	out[len] = 0;
	while (len && out[len - 1] == ' ')
		out[--len] = 0;
	return out;
}

static attr_t attr_at(int y, int x)
{
	cchar_t cc;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t a = 0;
	short pair = 0;
	mvwin_wch(stdscr, y, x, &cc);
	getcchar(&cc, wc, &a, &pair, NULL);
	return a;
}

/* A table from a spec: "name:T|n:I|sum:D" then rows of cells separated by
 * '|'; "\\N" is NULL. */
static void table(tc_result *r, const char *cols, const char *const *rows, size_t nrows)
{
	res_init(r, RES_TABLE);
	char *spec = strdup(cols), *save = NULL;
	for (char *c = strtok_r(spec, "|", &save); c; c = strtok_r(NULL, "|", &save)) {
		char *colon = strchr(c, ':');
		char t = colon ? colon[1] : 'T';
		if (colon)
			*colon = 0;
		if (t == 'D')
			res_add_detail_col(r, c, RES_T_TEXT);
		else
			res_add_col(r, c, t == 'I' ? RES_T_INT : RES_T_TEXT);
	}
	free(spec);
	for (size_t i = 0; i < nrows; i++) {
		size_t ri = res_add_row(r);
		const char *p = rows[i];
		for (size_t c = 0; c < r->ncols; c++) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);
			char *v = strndup(p, len);
			res_set(r, ri, c, strcmp(v, "\\N") == 0 ? NULL : v);
			free(v);
			p += len + (bar ? 1 : 0);
		}
	}
}

/* Keyed rows k000..: "k%03d|v%d". */
static void keyed(tc_result *r, int from, int to)
{
	res_init(r, RES_TABLE);
	res_add_col(r, "k", RES_T_TEXT);
	res_add_col(r, "v", RES_T_INT);
	for (int i = from; i < to; i++) {
		size_t ri = res_add_row(r);
		res_setf(r, ri, 0, "k%03d", i);
		res_setf(r, ri, 1, "%d", i);
	}
}

static const char *cursor_cell(const tview *v, const char *col)
{
	return tview_cell(v, tview_cursor_row(v), col);
}

/* The screen row (from y0) that shows the cursor's '>' gutter, or -1. */
static int cursor_y(int y0, int h)
{
	for (int y = y0; y < y0 + h; y++)
		if (row(y)[0] == '>')
			return y;
	return -1;
}

/* ---------------------------------------------------------------- uwidth */

static void widths(void **state)
{
	(void)state;
	assert_int_equal(uw_width("abc"), 3);
	assert_int_equal(uw_width("日本"), 4);
	assert_int_equal(uw_width("😀"), 2);
	assert_int_equal(uw_width("e\xcc\x81"), 1); /* e + combining acute */
	assert_int_equal(uw_width("a\xff" "b"), 3);
	assert_int_equal(uw_width("a\x1b[31m"), 6);
	assert_int_equal(uw_width(""), 0);
	assert_int_equal(uw_width(NULL), 0);
	/* Stops counting past the limit, and says "wider". */
	assert_true(uw_width_upto("abcdefgh", 3) > 3);
	assert_int_equal(uw_width_upto("ab", 3), 2);
}

static void put_never_splits_a_wide_char(void **state)
{
	(void)state;
	move(0, 0);
	uw_put("日本語", 5, 0);
	addstr("|");
	assert_string_equal(row(0), "日本 |");

	move(1, 0);
	uw_put("日本", 6, 1);
	addstr("|");
	assert_string_equal(row(1), "  日本|");

	/* Scrolled one cell in: the first character's right half is a blank,
	 * and so is the left half of the one cut at the right edge. */
	move(2, 0);
	uw_put_from("日本語", 1, 4);
	addstr("|");
	assert_string_equal(row(2), " 本 |");

	move(3, 0);
	uw_put_clip("abcdef", 4, 0);
	addstr("|");
	assert_string_equal(row(3), "abc…|");

	move(4, 0);
	uw_put_clip("日本語", 4, 0);
	addstr("|");
	assert_string_equal(row(4), "日 …|");

	/* Never wraps into the next line. */
	move(5, 78);
	uw_put("abcdef", 6, 0);
	assert_int_equal(strlen(row(5)), 80);
	assert_string_equal(row(5) + 78, "ab");
	assert_string_equal(row(6), "");
}

static void malformed_utf8_and_controls_drawn_as_question_marks(void **state)
{
	(void)state;
	move(0, 0);
	uw_put("ab\xff" "cd\xc3", 10, 0);
	assert_string_equal(row(0), "ab?cd?");
	move(1, 0);
	uw_put("x\x1b[2Jy\x07", 10, 0);
	assert_string_equal(row(1), "x?[2Jy?");

	/* In a table cell as well: the columns after it stay put. */
	tc_result r;
	const char *rows[] = {"ab\xff\xfe|1", "ok|2"};
	table(&r, "s|n:I", rows, 2);
	tview *v = tview_new();
	tview_set_result(v, &r);
	tview_draw(v, 3, 5, false, NULL);
	assert_string_equal(row(4), "> ab?? 1");
	assert_string_equal(row(5), "  ok   2");
	tview_free(v);
}

static void find_is_case_insensitive(void **state)
{
	(void)state;
	size_t len = 0;
	assert_int_equal(uw_find("Hello World", "WORLD", 0, &len), 6);
	assert_int_equal(len, 5);
	assert_int_equal(uw_find("ÄBC äbc", "äb", 1, &len), 5);
	assert_int_equal(len, 3);
	assert_int_equal(uw_find("abc", "x", 0, NULL), -1);
	assert_int_equal(uw_find("abc", "", 0, NULL), -1);
}

/* ---------------------------------------------------------------- tview */

static void columns_line_up_by_display_width(void **state)
{
	(void)state;
	tc_result r;
	const char *rows[] = {"acme|7", "日本語|12", "😀 party|12345"};
	table(&r, "name|n:I", rows, 3);
	assert_int_equal(r.nrows, 3);
	tview *v = tview_new();
	tview_set_result(v, &r);
	assert_int_equal(r.nrows, 0); /* taken over */
	tview_draw(v, 0, 10, false, NULL);
	assert_string_equal(row(0), "  name         n");
	assert_string_equal(row(1), "> acme         7");
	assert_string_equal(row(2), "  日本語      12");
	assert_string_equal(row(3), "  😀 party 12345");
	for (int y = 0; y < 4; y++)
		assert_int_equal(uw_width(row(y)), 16);
	assert_string_equal(row(4), "");
	tview_free(v);
}

static void long_cells_clipped_with_a_mark(void **state)
{
	(void)state;
	/* 25 CJK characters (50 cells) in a column capped at 40: 19 of them,
	 * a blank where the 20th would be split, then the mark. */
	char wide[25 * 3 + 1] = "";
	for (int i = 0; i < 25; i++)
		strcat(wide, "語");
	tc_result r;
	res_init(&r, RES_TABLE);
	res_add_col(&r, "a", RES_T_TEXT);
	res_add_col(&r, "b", RES_T_TEXT);
	size_t i = res_add_row(&r);
	res_set(&r, i, 0, wide);
	res_set(&r, i, 1, "end");
	tview *v = tview_new();
	tview_set_result(v, &r);
	tview_draw(v, 0, 5, false, NULL);
	char want[200] = "> ";
	for (int k = 0; k < 19; k++)
		strcat(want, "語");
	strcat(want, " … end");
	assert_string_equal(row(1), want);
	assert_int_equal(uw_width(row(1)), 2 + 40 + 1 + 3);
	tview_free(v);
}

static void hidden_and_detail_columns_not_shown(void **state)
{
	(void)state;
	tc_result r;
	const char *rows[] = {"1|deadbeef|x|secret"};
	table(&r, "a|sum:D|b|token", rows, 1);
	tview *v = tview_new();
	tview_hide_col(v, "token");
	tview_set_result(v, &r);
	tview_draw(v, 0, 3, false, NULL);
	assert_string_equal(row(0), "  a b");
	assert_string_equal(row(1), "> 1 x");
	assert_null(strstr(row(1), "deadbeef"));
	/* Still readable by name. */
	assert_string_equal(tview_cell(v, 0, "sum"), "deadbeef");
	assert_string_equal(tview_cell(v, 0, "token"), "secret");
	assert_null(tview_cell(v, 0, "nope"));
	/* And the filter does not look into them. */
	tview_set_filter(v, "secret");
	assert_int_equal(tview_visible_rows(v), 0);
	tview_free(v);
}

static void cursor_moves(void **state)
{
	(void)state;
	tc_result r;
	keyed(&r, 0, 100);
	tview *v = tview_new();
	tview_set_key_col(v, "k");
	tview_set_result(v, &r);
	assert_int_equal(tview_cursor_row(v), 0);
	assert_true(tview_key(v, 'k', 20));
	assert_int_equal(tview_cursor_row(v), 0);
	tview_key(v, 'j', 20);
	tview_key(v, KEY_DOWN, 20);
	assert_int_equal(tview_cursor_row(v), 2);
	tview_key(v, 4, 20); /* C-d: half a page */
	assert_int_equal(tview_cursor_row(v), 12);
	tview_key(v, 21, 20); /* C-u */
	assert_int_equal(tview_cursor_row(v), 2);
	tview_key(v, KEY_NPAGE, 20);
	assert_int_equal(tview_cursor_row(v), 22);
	tview_key(v, KEY_PPAGE, 20);
	assert_int_equal(tview_cursor_row(v), 2);
	tview_key(v, 'G', 20);
	assert_int_equal(tview_cursor_row(v), 99);
	/* The last row sits on the screen's last line. */
	tview_draw(v, 0, 21, false, NULL);
	assert_int_equal(cursor_y(0, 21), 20);
	assert_string_equal(row(20), "> k099 99");
	tview_key(v, KEY_HOME, 20);
	assert_int_equal(tview_cursor_row(v), 0);
	tview_draw(v, 0, 21, false, NULL);
	assert_string_equal(row(1), "> k000  0");
	tview_key(v, KEY_END, 20);
	tview_key(v, KEY_UP, 20);
	assert_int_equal(tview_cursor_row(v), 98);
	assert_false(tview_key(v, 'x', 20));
	assert_true(tview_select_key(v, "k050"));
	assert_string_equal(cursor_cell(v, "k"), "k050");
	assert_false(tview_select_key(v, "nope"));
	tview_free(v);
}

static void filter_keeps_and_loses_rows(void **state)
{
	(void)state;
	tc_result r;
	const char *rows[] = {"acme|Acme Corp", "beta|Beta", "acme-2|Second", "gamma|Gamma"};
	table(&r, "slug|name", rows, 4);
	tview *v = tview_new();
	tview_set_key_col(v, "slug");
	tview_set_result(v, &r);
	tview_key(v, 'j', 10); /* on beta */
	tview_set_filter(v, "ACME");
	assert_string_equal(tview_filter(v), "ACME");
	assert_int_equal(tview_visible_rows(v), 2);
	/* beta is gone: the cursor goes to the next row that is shown. */
	assert_string_equal(cursor_cell(v, "slug"), "acme-2");
	tview_draw(v, 0, 6, false, NULL);
	assert_string_equal(row(1), "  acme   Acme Corp");
	assert_string_equal(row(2), "> acme-2 Second");
	assert_string_equal(row(3), "");

	/* Still shown: the cursor stays on it. */
	tview_set_filter(v, "second");
	assert_int_equal(tview_visible_rows(v), 1);
	assert_string_equal(cursor_cell(v, "slug"), "acme-2");
	tview_set_filter(v, "");
	assert_null(tview_filter(v));
	assert_int_equal(tview_visible_rows(v), 4);
	assert_string_equal(cursor_cell(v, "slug"), "acme-2");

	tview_set_filter(v, "zzz");
	assert_int_equal(tview_visible_rows(v), 0);
	assert_int_equal(tview_cursor_row(v), (size_t)-1);
	tview_draw(v, 0, 6, false, NULL);
	assert_string_equal(row(1), "  no row matches \"zzz\"");
	tview_set_filter(v, NULL);
	assert_int_equal(tview_visible_rows(v), 4);
	tview_free(v);
}

static void sort_numeric_stable_nulls_last(void **state)
{
	(void)state;
	tc_result r;
	const char *rows[] = {"a|10", "b|9", "c|\\N", "d|100", "e|9"};
	table(&r, "name|n:I", rows, 5);
	tview *v = tview_new();
	tview_set_result(v, &r);
	bool desc = true;
	assert_int_equal(tview_sort_col(v, &desc), -1);

	/* First press picks the first column. */
	tview_key(v, '<', 10);
	assert_int_equal(tview_sort_col(v, &desc), 0);
	assert_false(desc);
	tview_key(v, '>', 10);
	assert_int_equal(tview_sort_col(v, &desc), 1);
	assert_string_equal(tview_col_name(v, 1), "n");
	tview_key(v, 'g', 10);
	tview_draw(v, 0, 7, false, NULL);
	assert_string_equal(row(0), "  name n ▲");
	/* Numbers by value, equal ones (b, e) in their first order, NULL last. */
	assert_string_equal(row(1), "> b      9");
	assert_string_equal(row(2), "  e      9");
	assert_string_equal(row(3), "  a     10");
	assert_string_equal(row(4), "  d    100");
	assert_string_equal(row(5), "  c");

	tview_key(v, 'I', 10);
	assert_int_equal(tview_sort_col(v, &desc), 1);
	assert_true(desc);
	tview_key(v, 'g', 10);
	tview_draw(v, 0, 7, false, NULL);
	assert_string_equal(row(0), "  name n ▼");
	assert_string_equal(row(1), "> d    100");
	assert_string_equal(row(2), "  a     10");
	assert_string_equal(row(3), "  b      9");
	assert_string_equal(row(4), "  e      9");
	assert_string_equal(row(5), "  c"); /* NULLs last either way */

	/* Without a UTF-8 locale the arrows are ASCII. */
	char *old = strdup(setlocale(LC_CTYPE, NULL));
	setlocale(LC_CTYPE, "C");
	tview_draw(v, 0, 7, false, NULL);
	setlocale(LC_CTYPE, old);
	free(old);
	assert_string_equal(row(0), "  name n v");

	/* Text sorts by byte order (the server's COLLATE "C"). */
	tview_key(v, '<', 10);
	assert_int_equal(tview_sort_col(v, &desc), 0);
	tview_key(v, 'I', 10);
	tview_key(v, 'g', 10);
	assert_string_equal(cursor_cell(v, "name"), "e");
	tview_free(v);
}

static void server_sort_does_not_reorder(void **state)
{
	(void)state;
	tc_result r;
	const char *rows[] = {"b|1", "a|2"};
	table(&r, "name|n:I", rows, 2);
	tview *v = tview_new();
	tview_set_server_sort(v, true);
	tview_set_result(v, &r);
	tview_key(v, '>', 10);
	bool desc;
	assert_int_equal(tview_sort_col(v, &desc), 0);
	tview_draw(v, 0, 4, false, NULL);
	assert_string_equal(row(0), "  name ▲ n");
	assert_string_equal(row(1), "> b      1");
	assert_string_equal(row(2), "  a      2");
	tview_free(v);
}

static void marks_survive_reload_by_key(void **state)
{
	(void)state;
	tc_result r;
	const char *rows[] = {"a|1", "b|2", "c|3", "d|4"};
	table(&r, "slug|n:I", rows, 4);
	tview *v = tview_new();
	tview_set_key_col(v, "slug");
	tview_set_result(v, &r);
	tview_key(v, 'j', 10);
	tview_key(v, ' ', 10); /* marks b, moves to c */
	assert_string_equal(cursor_cell(v, "slug"), "c");
	tview_key(v, 'j', 10);
	tview_key(v, ' ', 10); /* marks d, the last row: stays */
	assert_string_equal(cursor_cell(v, "slug"), "d");
	tview_key(v, 'k', 10); /* on c */
	tview_draw(v, 0, 6, false, NULL);
	assert_string_equal(row(2), " *b    2");
	assert_string_equal(row(3), "> c    3");
	assert_string_equal(row(4), " *d    4");

	/* A reload in another order with a new row: marks and the cursor
	 * follow the keys. */
	const char *rows2[] = {"d|40", "new|0", "c|30", "b|20", "a|10"};
	table(&r, "slug|n:I", rows2, 5);
	tview_set_result(v, &r);
	assert_string_equal(cursor_cell(v, "slug"), "c");
	size_t *m = NULL;
	size_t n = tview_marked(v, &m);
	assert_int_equal(n, 2);
	assert_string_equal(tview_cell(v, m[0], "slug"), "d");
	assert_string_equal(tview_cell(v, m[1], "slug"), "b");
	free(m);

	/* A filter hiding a marked row keeps its mark. */
	tview_set_filter(v, "d");
	tview_set_filter(v, NULL);
	n = tview_marked(v, &m);
	assert_int_equal(n, 2);
	free(m);
	/* Space on a marked row unmarks it. */
	assert_true(tview_select_key(v, "d"));
	tview_key(v, ' ', 10);
	n = tview_marked(v, &m);
	assert_int_equal(n, 1);
	assert_string_equal(tview_cell(v, m[0], "slug"), "b");
	free(m);
	tview_clear_marks(v);
	assert_int_equal(tview_marked(v, &m), 0);
	free(m);
	tview_free(v);
}

static void marks_by_row_without_key(void **state)
{
	(void)state;
	tc_result r;
	const char *rows[] = {"x", "y", "z"};
	table(&r, "v", rows, 3);
	tview *v = tview_new();
	tview_set_result(v, &r);
	tview_key(v, ' ', 10);
	tview_key(v, ' ', 10);
	size_t *m = NULL;
	assert_int_equal(tview_marked(v, &m), 2);
	assert_int_equal(m[0], 0);
	assert_int_equal(m[1], 1);
	free(m);
	tview_free(v);
}

static void group_headings_skipped_by_cursor(void **state)
{
	(void)state;
	tc_result r;
	const char *rows[] = {"default|0001", "default|0002", "audit|0001"};
	table(&r, "chain|version", rows, 3);
	tview *v = tview_new();
	tview_set_group_col(v, "chain");
	tview_set_result(v, &r);
	tview_draw(v, 0, 8, false, NULL);
	assert_string_equal(row(1), "── chain: default ──");
	assert_string_equal(row(2), "> default 0001");
	assert_string_equal(row(3), "  default 0002");
	assert_string_equal(row(4), "── chain: audit ──");
	assert_string_equal(row(5), "  audit   0001");
	assert_true(attr_at(1, 0) & A_BOLD);
	tview_key(v, 'j', 7);
	tview_key(v, 'j', 7);
	assert_int_equal(tview_cursor_row(v), 2);
	tview_draw(v, 0, 8, false, NULL);
	assert_int_equal(cursor_y(0, 8), 5);
	tview_key(v, 'k', 7);
	assert_int_equal(tview_cursor_row(v), 1);
	tview_key(v, 'k', 7);
	tview_key(v, 'k', 7);
	assert_int_equal(tview_cursor_row(v), 0);
	assert_int_equal(tview_visible_rows(v), 3);
	tview_free(v);
}

static void paging_needs_and_cap(void **state)
{
	(void)state;
	tc_result r;
	keyed(&r, 0, 20);
	tview *v = tview_new();
	tview_set_cap(v, 20);
	tview_set_key_col(v, "k");
	tview_set_result(v, &r);
	tview_set_more(v, false, true);
	tview_draw(v, 0, 5, false, NULL); /* a page is 4 rows */
	assert_int_equal(tview_need_next(v), TVN_NONE);
	assert_true(tview_select_key(v, "k015"));
	tview_key(v, 'j', 4);
	tview_key(v, 'k', 4);
	assert_int_equal(tview_need_next(v), TVN_NONE); /* 4 rows below, a page is 4 */
	tview_key(v, 'j', 4);
	assert_int_equal(tview_need_next(v), TVN_AFTER);
	tview_key(v, 'j', 4);
	assert_string_equal(cursor_cell(v, "k"), "k017");
	assert_string_equal(tview_last_key(v), "k019");
	tview_need_sent(v);
	assert_int_equal(tview_need_next(v), TVN_NONE); /* asked once */

	tview_draw(v, 0, 5, false, NULL);
	int y_before = cursor_y(0, 5);
	char before[4][256];
	for (int y = 0; y < 4; y++)
		strcpy(before[y], row(1 + y));

	/* The next page: past the cap the window's first rows go. */
	keyed(&r, 20, 25);
	tview_append(v, &r);
	assert_int_equal(r.nrows, 0);
	assert_int_equal(tview_result(v)->nrows, 20);
	assert_string_equal(tview_first_key(v), "k005");
	assert_string_equal(tview_last_key(v), "k024");
	assert_string_equal(cursor_cell(v, "k"), "k017");
	bool mb, ma;
	tview_get_more(v, &mb, &ma);
	assert_true(mb);
	assert_true(ma);
	tview_set_more(v, mb, true);
	/* The screen does not jump. */
	tview_draw(v, 0, 5, false, NULL);
	assert_int_equal(cursor_y(0, 5), y_before);
	for (int y = 0; y < 4; y++)
		assert_string_equal(row(1 + y), before[y]);
	assert_int_equal(tview_need_next(v), TVN_NONE);

	/* Near the start, with rows before the window. */
	assert_true(tview_select_key(v, "k008"));
	assert_int_equal(tview_need_next(v), TVN_BEFORE);
	tview_need_sent(v);
	tview_draw(v, 0, 5, false, NULL);
	y_before = cursor_y(0, 5);
	keyed(&r, 0, 5);
	tview_prepend(v, &r);
	tview_get_more(v, &mb, &ma);
	tview_set_more(v, false, ma);
	assert_string_equal(tview_first_key(v), "k000");
	assert_string_equal(tview_last_key(v), "k019");
	assert_string_equal(cursor_cell(v, "k"), "k008");
	assert_true(ma); /* dropped at the end */
	tview_draw(v, 0, 5, false, NULL);
	assert_int_equal(cursor_y(0, 5), y_before);

	/* G with more beyond: load the last page. */
	tview_key(v, 'G', 4);
	assert_string_equal(cursor_cell(v, "k"), "k019");
	assert_int_equal(tview_need_next(v), TVN_LAST);
	tview_need_sent(v);
	assert_int_equal(tview_need_next(v), TVN_NONE);
	keyed(&r, 90, 100);
	tview_set_window(v, &r, true);
	tview_set_more(v, true, false);
	assert_string_equal(cursor_cell(v, "k"), "k099");
	assert_int_equal(tview_need_next(v), TVN_NONE); /* at the end, nothing after */
	tview_key(v, 'g', 4);
	assert_string_equal(cursor_cell(v, "k"), "k090");
	assert_int_equal(tview_need_next(v), TVN_FIRST);
	tview_need_sent(v);
	keyed(&r, 0, 10);
	tview_set_window(v, &r, false);
	tview_set_more(v, false, true);
	assert_string_equal(cursor_cell(v, "k"), "k000");
	assert_int_equal(tview_need_next(v), TVN_NONE);
	/* G when nothing is beyond: no load. */
	tview_set_more(v, false, false);
	tview_key(v, 'G', 4);
	assert_int_equal(tview_need_next(v), TVN_NONE);
	tview_free(v);
}

static void horizontal_scroll_by_columns(void **state)
{
	(void)state;
	tc_result r;
	const char *rows[] = {"aaaaaaaaaaaaaaaaaaaaaaaaa|bbbbbbbbbbbbbbbbbbbbbbbbb|ccccccccccccccccccccccccc|"
			      "ddddddddddddddddddddddddd"};
	table(&r, "one|two|three|four", rows, 1);
	tview *v = tview_new();
	tview_set_result(v, &r);
	tview_draw(v, 0, 3, false, NULL);
	assert_true(strncmp(row(0), "  one ", 6) == 0);
	assert_true(strncmp(row(1), "> aaaa", 6) == 0);
	tview_key(v, 'l', 2);
	tview_draw(v, 0, 3, false, NULL);
	/* The gutter stays; '<' says columns are off to the left. */
	assert_true(strncmp(row(0), "< two ", 6) == 0);
	assert_true(strncmp(row(1), "> bbbb", 6) == 0);
	assert_non_null(strstr(row(1), "dddd"));
	/* Everything from here on fits: no further. */
	tview_key(v, KEY_RIGHT, 2);
	tview_draw(v, 0, 3, false, NULL);
	assert_true(strncmp(row(1), "> bbbb", 6) == 0);
	tview_key(v, KEY_LEFT, 2);
	tview_key(v, 'h', 2);
	tview_draw(v, 0, 3, false, NULL);
	assert_true(strncmp(row(0), "  one ", 6) == 0);
	tview_free(v);
}

static tview_style style_by_state(const tc_result *r, size_t rw, void *ctx)
{
	int *calls = ctx;
	(*calls)++;
	const char *s = res_get(r, rw, 1);
	if (strcmp(s, "bad") == 0)
		return TVS_BAD;
	if (strcmp(s, "warn") == 0)
		return TVS_WARN;
	if (strcmp(s, "dim") == 0)
		return TVS_DIM;
	return TVS_NORMAL;
}

static void monochrome_keeps_meaning(void **state)
{
	(void)state;
	tc_result r;
	const char *rows[] = {"a|ok", "b|bad", "c|warn", "d|dim"};
	table(&r, "name|state", rows, 4);
	tview *v = tview_new();
	int calls = 0;
	tview_set_style(v, style_by_state, &calls);
	tview_set_result(v, &r);
	tview_draw(v, 0, 6, false, NULL);
	attr_t h = attr_at(0, 2);
	assert_true(h & A_BOLD);
	assert_true(h & A_UNDERLINE);
	assert_true(attr_at(1, 2) & A_REVERSE); /* the cursor row */
	assert_true(attr_at(1, 79) & A_REVERSE); /* all the way */
	assert_false(attr_at(1, 2) & A_BOLD);
	assert_true(attr_at(2, 2) & A_BOLD);
	assert_false(attr_at(2, 2) & A_REVERSE);
	assert_true(attr_at(3, 2) & A_BOLD);
	assert_true(attr_at(4, 2) & A_DIM);
	assert_int_equal(calls, 4);
	tview_free(v);
}

static void draw_is_proportional_to_the_screen(void **state)
{
	(void)state;
	tc_result r;
	res_init(&r, RES_TABLE);
	res_add_col(&r, "k", RES_T_TEXT);
	res_add_col(&r, "state", RES_T_TEXT);
	for (int i = 0; i < 2000; i++) {
		size_t ri = res_add_row(&r);
		res_setf(&r, ri, 0, "row%04d", i);
		res_set(&r, ri, 1, "ok");
	}
	tview *v = tview_new();
	int calls = 0;
	tview_set_style(v, style_by_state, &calls);
	tview_set_result(v, &r);
	tview_key(v, 'G', 23);
	tview_draw(v, 0, 24, false, NULL);
	/* Only the 23 rows on screen were looked at. */
	assert_int_equal(calls, 23);
	assert_string_equal(row(23), "> row1999 ok");
	tview_free(v);
}

static void empty_view_says_so(void **state)
{
	(void)state;
	tview *v = tview_new();
	tview_draw(v, 0, 5, false, NULL);
	assert_string_equal(row(0), "  nothing to show");
	assert_true(attr_at(0, 2) & A_DIM);
	assert_int_equal(tview_cursor_row(v), (size_t)-1);
	assert_true(tview_key(v, 'j', 4));

	tc_result r;
	table(&r, "slug|name", NULL, 0);
	tview_set_result(v, &r);
	tview_draw(v, 0, 5, false, "no organizations yet");
	assert_string_equal(row(0), "  slug name");
	assert_string_equal(row(1), "  no organizations yet");
	assert_true(attr_at(1, 2) & A_DIM);
	tview_free(v);
}

/* ---------------------------------------------------------------- textview */

static void text_controls_and_tabs(void **state)
{
	(void)state;
	textview *t = textview_new("a\x1b[2Jb\tc\nx\x7fy\r\nbad\xff!\n");
	assert_int_equal(textview_lines(t), 3);
	textview_draw(t, 0, 5, false);
	assert_string_equal(row(0), "a^[[2Jb c");
	assert_string_equal(row(1), "x^?y");
	assert_string_equal(row(2), "bad?!");
	assert_string_equal(row(3), "");
	textview_free(t);

	t = textview_new("\tx\n12345678\ty");
	textview_draw(t, 0, 2, false);
	assert_string_equal(row(0), "        x");
	assert_string_equal(row(1), "12345678        y");
	textview_free(t);
}

static void text_search_wraps(void **state)
{
	(void)state;
	/* 30 lines; "Foo" on lines 3, 12 and 25. */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	for (int i = 0; i < 30; i++)
		fprintf(f, "line %d%s\n", i, i == 3 ? " foo" : i == 12 ? " FOO and more" : i == 25 ? " Foo" : "");
	fclose(f);
	textview *t = textview_new(text);
	free(text);
	assert_int_equal(textview_lines(t), 30);
	textview_draw(t, 0, 10, false);
	assert_false(textview_search(t, "nothing like it"));
	assert_int_equal(textview_matches(t, NULL), 0);
	assert_true(textview_search(t, "foo"));
	int cur = 0;
	assert_int_equal(textview_matches(t, &cur), 3);
	assert_int_equal(cur, 1);
	textview_draw(t, 0, 10, false);
	assert_string_equal(row(3), "line 3 foo");
	/* Every match highlighted. */
	assert_true(attr_at(3, 7) & A_REVERSE);
	assert_false(attr_at(3, 6) & A_REVERSE);

	textview_key(t, 'n', 10);
	textview_matches(t, &cur);
	assert_int_equal(cur, 2);
	textview_draw(t, 0, 10, false);
	assert_string_equal(row(0), "line 12 FOO and more");
	assert_true(attr_at(0, 8) & A_REVERSE);
	assert_false(attr_at(0, 12) & A_REVERSE);

	textview_key(t, 'n', 10);
	textview_draw(t, 0, 10, false);
	textview_matches(t, &cur);
	assert_int_equal(cur, 3);
	assert_non_null(strstr(row(25 - 20), "line 25 Foo")); /* last page: top is 20 */

	textview_key(t, 'n', 10); /* wraps to the first */
	textview_matches(t, &cur);
	assert_int_equal(cur, 1);
	textview_draw(t, 0, 10, false);
	assert_string_equal(row(0), "line 3 foo");
	textview_key(t, 'N', 10); /* and back round to the last */
	textview_matches(t, &cur);
	assert_int_equal(cur, 3);

	/* Search from the top line on. */
	textview_key(t, 'g', 10);
	textview_key(t, KEY_NPAGE, 10);
	assert_true(textview_search(t, "foo"));
	textview_matches(t, &cur);
	assert_int_equal(cur, 2);
	assert_true(textview_search(t, ""));
	assert_int_equal(textview_matches(t, NULL), 0);
	textview_free(t);
}

static void text_scrolls(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	for (int i = 0; i < 50; i++)
		fprintf(f, "%d%s\n", i, i == 1 ? " 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789" : "");
	fclose(f);
	textview *t = textview_new(text);
	free(text);
	textview_key(t, 'j', 10);
	textview_draw(t, 0, 10, false);
	assert_true(strncmp(row(0), "1 0123", 6) == 0);
	textview_key(t, 4, 10);
	textview_draw(t, 0, 10, false);
	assert_string_equal(row(0), "6");
	textview_key(t, 21, 10);
	textview_key(t, 'k', 10);
	textview_draw(t, 0, 10, false);
	assert_string_equal(row(0), "0");
	textview_key(t, 'G', 10);
	textview_draw(t, 0, 10, false);
	assert_string_equal(row(0), "40");
	assert_string_equal(row(9), "49");
	textview_key(t, KEY_PPAGE, 10);
	textview_draw(t, 0, 10, false);
	assert_string_equal(row(0), "30");
	textview_key(t, KEY_HOME, 10);
	textview_key(t, 'l', 10);
	textview_draw(t, 0, 10, false);
	/* The line is 84 wide: l goes no further than its end. */
	assert_string_equal(row(1), "23456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789");
	textview_key(t, 'h', 10);
	textview_draw(t, 0, 10, false);
	assert_true(strncmp(row(1), "1 0123", 6) == 0);
	textview_free(t);
}

static void text_diff(void **state)
{
	(void)state;
	textview *t = textview_new("--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n same\n");
	textview_set_diff(t, true);
	textview_draw(t, 0, 6, false);
	/* Monochrome: the +/- stay, headings are bold. */
	assert_string_equal(row(3), "-old");
	assert_string_equal(row(4), "+new");
	assert_true(attr_at(0, 0) & A_BOLD);
	assert_true(attr_at(2, 0) & A_BOLD);
	assert_false(attr_at(3, 0) & A_BOLD);
	textview_draw(t, 0, 6, true);
	cchar_t cc;
	attr_t a;
	short pair_old = 0, pair_new = 0, pair_same = 0;
	wchar_t wc[CCHARW_MAX + 1];
	mvwin_wch(stdscr, 3, 0, &cc);
	getcchar(&cc, wc, &a, &pair_old, NULL);
	mvwin_wch(stdscr, 4, 0, &cc);
	getcchar(&cc, wc, &a, &pair_new, NULL);
	mvwin_wch(stdscr, 5, 1, &cc);
	getcchar(&cc, wc, &a, &pair_same, NULL);
	assert_int_not_equal(pair_old, 0);
	assert_int_not_equal(pair_new, 0);
	assert_int_not_equal(pair_old, pair_new);
	assert_int_equal(pair_same, 0);
	textview_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(widths, clear_screen),
		cmocka_unit_test_setup(put_never_splits_a_wide_char, clear_screen),
		cmocka_unit_test_setup(malformed_utf8_and_controls_drawn_as_question_marks, clear_screen),
		cmocka_unit_test_setup(find_is_case_insensitive, clear_screen),
		cmocka_unit_test_setup(columns_line_up_by_display_width, clear_screen),
		cmocka_unit_test_setup(long_cells_clipped_with_a_mark, clear_screen),
		cmocka_unit_test_setup(hidden_and_detail_columns_not_shown, clear_screen),
		cmocka_unit_test_setup(cursor_moves, clear_screen),
		cmocka_unit_test_setup(filter_keeps_and_loses_rows, clear_screen),
		cmocka_unit_test_setup(sort_numeric_stable_nulls_last, clear_screen),
		cmocka_unit_test_setup(server_sort_does_not_reorder, clear_screen),
		cmocka_unit_test_setup(marks_survive_reload_by_key, clear_screen),
		cmocka_unit_test_setup(marks_by_row_without_key, clear_screen),
		cmocka_unit_test_setup(group_headings_skipped_by_cursor, clear_screen),
		cmocka_unit_test_setup(paging_needs_and_cap, clear_screen),
		cmocka_unit_test_setup(horizontal_scroll_by_columns, clear_screen),
		cmocka_unit_test_setup(monochrome_keeps_meaning, clear_screen),
		cmocka_unit_test_setup(draw_is_proportional_to_the_screen, clear_screen),
		cmocka_unit_test_setup(empty_view_says_so, clear_screen),
		cmocka_unit_test_setup(text_controls_and_tabs, clear_screen),
		cmocka_unit_test_setup(text_search_wraps, clear_screen),
		cmocka_unit_test_setup(text_scrolls, clear_screen),
		cmocka_unit_test_setup(text_diff, clear_screen),
	};
	return cmocka_run_group_tests(tests, start_screen, stop_screen);
}
