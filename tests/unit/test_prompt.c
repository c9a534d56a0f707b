/* The `:` prompt: readline hosted in curses on a virtual screen. Keys go in
 * as get_wch returns them; the line, the history file and the screen are
 * read back. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "cmdtab.h"
#include "prompt.h"
#include "strbuf.h"
#include "xalloc.h"

static char root[] = "/tmp/tc-prompt-XXXXXX";
static int words_ctx_marker;
static char last_kind[32];
static int words_calls;

static size_t words(void *ctx, const char *kind, const char *const **out)
{
	static const char *const orgs[] = {"acme", "globex"};
	static const char *const emails[] = {"alice@acme.test", "bob@globex.test"};
	static const char *const versions[] = {"20260101000008", "19990101000001"};
	assert_ptr_equal(ctx, &words_ctx_marker);
	words_calls++;
	snprintf(last_kind, sizeof last_kind, "%s", kind);
	if (!strcmp(kind, "org")) {
		*out = orgs;
		return 2;
	}
	if (!strcmp(kind, "email")) {
		*out = emails;
		return 2;
	}
	if (!strcmp(kind, "version")) {
		*out = versions;
		return 2;
	}
	return 0;
}

/* ------------------------------------------------------------ helpers */

static prompt_state type(const char *s)
{
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	prompt_state st = PS_EDITING;
	size_t len = strlen(s);
	while (len > 0) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, len, &ps);
		assert_true(k > 0 && k <= len);
		st = prompt_feed((wint_t)wc, false);
		s += k;
		len -= k;
	}
	return st;
}

static prompt_state key(int k)
{
	return prompt_feed((wint_t)k, true);
}

static prompt_state ctrl(char c)
{
	return prompt_feed((wint_t)(c & 0x1f), false);
}

/* Row y of the virtual screen as UTF-8, trailing blanks cut. The cursor
 * stays where prompt_draw left it. */
static char *row(int y)
{
	wchar_t w[512];
	int cy, cx;
	getyx(stdscr, cy, cx);
	int n = mvwinnwstr(stdscr, y, 0, w, COLS);
	wmove(stdscr, cy, cx);
	assert_true(n >= 0);
	w[n] = L'\0';
	char buf[2048];
	size_t k = wcstombs(buf, w, sizeof buf);
	assert_true(k != (size_t)-1);
	while (k > 0 && buf[k - 1] == ' ')
		k--;
	buf[k] = '\0';
	return xstrdup(buf);
}

static void assert_row(int y, const char *want)
{
	char *r = row(y);
	assert_string_equal(r, want);
	free(r);
}

static bool row_has(int y, const char *needle)
{
	char *r = row(y);
	bool has = strstr(r, needle) != NULL;
	free(r);
	return has;
}

static int cursor_x(void)
{
	int y, x;
	getyx(stdscr, y, x);
	assert_int_equal(y, LINES - 1);
	return x;
}

static char *path_in(const char *name)
{
	return xasprintf("%s/%s/history", root, name);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	strbuf sb = STRBUF_INIT;
	assert_int_equal(sb_read_all(&sb, f), 0);
	fclose(f);
	sb_add(&sb, "");
	return sb_steal(&sb);
}

/* Open a command prompt, type, Enter, and take the line. */
static void run_command(const char *line)
{
	prompt_open(PROMPT_COMMAND, ":", "");
	type(line);
	assert_int_equal(prompt_feed('\r', false), PS_DONE);
	char *got = prompt_take();
	assert_string_equal(got, line);
	free(got);
}

static int init_no_history(void **state)
{
	(void)state;
	prompt_init(NULL, words, &words_ctx_marker);
	erase();
	words_calls = 0;
	last_kind[0] = '\0';
	return 0;
}

static int shutdown_prompt(void **state)
{
	(void)state;
	prompt_shutdown();
	return 0;
}

/* ------------------------------------------------------------ lines */

static void enter_finishes(void **state)
{
	(void)state;
	prompt_open(PROMPT_COMMAND, ":", "");
	assert_true(prompt_active());
	assert_int_equal(prompt_current_kind(), PROMPT_COMMAND);
	assert_int_equal(type("orgs list"), PS_EDITING);
	assert_string_equal(prompt_text(), "orgs list");
	assert_int_equal(prompt_feed('\r', false), PS_DONE);
	assert_true(prompt_active()); /* until the line is taken */
	assert_string_equal(prompt_text(), "orgs list");
	char *line = prompt_take();
	assert_string_equal(line, "orgs list");
	free(line);
	assert_false(prompt_active());
	assert_null(prompt_take());

	/* KEY_ENTER and \n end a line too. */
	prompt_open(PROMPT_COMMAND, ":", "");
	type("info");
	assert_int_equal(key(KEY_ENTER), PS_DONE);
	line = prompt_take();
	assert_string_equal(line, "info");
	free(line);
	prompt_open(PROMPT_COMMAND, ":", "");
	type("version");
	assert_int_equal(prompt_feed('\n', false), PS_DONE);
	line = prompt_take();
	assert_string_equal(line, "version");
	free(line);
}

static void initial_text(void **state)
{
	(void)state;
	prompt_open(PROMPT_FILTER, "/", "acme");
	assert_int_equal(prompt_current_kind(), PROMPT_FILTER);
	assert_string_equal(prompt_text(), "acme");
	type("-eu");
	assert_string_equal(prompt_text(), "acme-eu");
	assert_int_equal(key(KEY_ENTER), PS_DONE);
	char *line = prompt_take();
	assert_string_equal(line, "acme-eu");
	free(line);
}

static void editing_keys(void **state)
{
	(void)state;
	prompt_open(PROMPT_COMMAND, ":", "");
	type("orgs lst");
	key(KEY_LEFT);
	key(KEY_LEFT);
	type("i");
	assert_string_equal(prompt_text(), "orgs list");
	prompt_draw(LINES - 1, 0);
	assert_int_equal(cursor_x(), 1 + 7); /* after "orgs li" */
	key(KEY_RIGHT);
	type("!");
	assert_string_equal(prompt_text(), "orgs lis!t");
	key(KEY_BACKSPACE);
	assert_string_equal(prompt_text(), "orgs list");
	prompt_feed(127, false); /* DEL as a character: backspace too */
	assert_string_equal(prompt_text(), "orgs lit");
	key(KEY_HOME);
	key(KEY_DC);
	assert_string_equal(prompt_text(), "rgs lit");
	type("O");
	assert_string_equal(prompt_text(), "Orgs lit");
	key(KEY_END);
	type("e");
	assert_string_equal(prompt_text(), "Orgs lite");
	ctrl('a');
	type(">");
	ctrl('e');
	type("<");
	assert_string_equal(prompt_text(), ">Orgs lite<");
	prompt_draw(LINES - 1, 0);
	assert_row(LINES - 1, ":>Orgs lite<");
	assert_int_equal(cursor_x(), 1 + 11);
	ctrl('w'); /* kills the word before the cursor */
	assert_string_equal(prompt_text(), ">Orgs ");
	type("list");
	key(KEY_LEFT);
	key(KEY_LEFT);
	ctrl('u'); /* kills back to the start */
	assert_string_equal(prompt_text(), "st");
	prompt_draw(LINES - 1, 0);
	assert_int_equal(cursor_x(), 1);
	ctrl('k'); /* and the rest */
	assert_string_equal(prompt_text(), "");
	assert_int_equal(prompt_feed(27, false), PS_CANCELLED);
}

static void draw_and_redraw_flag(void **state)
{
	(void)state;
	prompt_open(PROMPT_INPUT, "Reason: ", "");
	assert_true(prompt_redraw_due());
	prompt_draw(LINES - 1, 0);
	assert_false(prompt_redraw_due());
	assert_row(LINES - 1, "Reason:");
	assert_int_equal(cursor_x(), 8);
	type("typo");
	assert_true(prompt_redraw_due());
	prompt_draw(LINES - 1, 0);
	assert_row(LINES - 1, "Reason: typo");
	assert_int_equal(cursor_x(), 12);
	/* The row is cleared: a shorter line leaves nothing behind. */
	ctrl('u');
	prompt_draw(LINES - 1, 0);
	assert_row(LINES - 1, "Reason:");
	ctrl('c');
	assert_false(prompt_active());
}

/* ------------------------------------------------------------ cancel */

static void esc_and_ctrl_c_cancel(void **state)
{
	(void)state;
	char *path = path_in("cancel");
	prompt_init(path, words, &words_ctx_marker);

	prompt_open(PROMPT_COMMAND, ":", "");
	type("orgs delete acme");
	assert_int_equal(prompt_feed(27, false), PS_CANCELLED);
	assert_false(prompt_active());
	assert_null(prompt_take());
	assert_string_equal(prompt_text(), "");

	prompt_open(PROMPT_COMMAND, ":", "");
	assert_string_equal(prompt_text(), ""); /* the cancelled text is gone */
	type("migrate up");
	assert_int_equal(ctrl('c'), PS_CANCELLED);
	assert_false(prompt_active());

	prompt_open(PROMPT_COMMAND, ":", "");
	type("migrate down");
	assert_int_equal(ctrl('g'), PS_CANCELLED);

	/* C-d on an empty line is an end of input: cancelled too. Delete on
	 * an empty line is not. */
	prompt_open(PROMPT_COMMAND, ":", "");
	assert_int_equal(key(KEY_DC), PS_EDITING);
	assert_int_equal(ctrl('d'), PS_CANCELLED);
	assert_false(prompt_active());

	/* Nothing cancelled was kept: Up finds nothing. */
	prompt_open(PROMPT_COMMAND, ":", "");
	key(KEY_UP);
	assert_string_equal(prompt_text(), "");
	ctrl('c');

	/* Cancelling in the middle of a reverse search, too. */
	prompt_open(PROMPT_COMMAND, ":", "");
	ctrl('r');
	type("mig");
	assert_int_equal(prompt_feed(27, false), PS_CANCELLED);
	assert_false(prompt_active());

	prompt_shutdown();
	struct stat sb;
	assert_int_equal(stat(path, &sb), -1);
	assert_int_equal(errno, ENOENT);
	free(path);
}

static void cancel_keeps_recalled_line(void **state)
{
	(void)state;
	run_command("orgs list");
	prompt_open(PROMPT_COMMAND, ":", "");
	key(KEY_UP);
	assert_string_equal(prompt_text(), "orgs list");
	for (int i = 0; i < 4; i++)
		key(KEY_BACKSPACE);
	type("show acme");
	assert_string_equal(prompt_text(), "orgs show acme");
	prompt_feed(27, false);

	/* The history line edited and abandoned is the same as before. */
	prompt_open(PROMPT_COMMAND, ":", "");
	key(KEY_UP);
	assert_string_equal(prompt_text(), "orgs list");
	key(KEY_DOWN);
	assert_string_equal(prompt_text(), "");
	ctrl('c');
}

/* ------------------------------------------------------------ completion */

static char *complete(const char *typed)
{
	prompt_open(PROMPT_COMMAND, ":", "");
	type(typed);
	prompt_feed('\t', false);
	return xstrdup(prompt_text());
}

static void assert_completes(const char *typed, const char *want)
{
	char *got = complete(typed);
	assert_string_equal(got, want);
	free(got);
	ctrl('c');
}

static void completes_command_words(void **state)
{
	(void)state;
	assert_completes("mig", "migrate ");
	assert_completes("ver", "version ");
	assert_completes("orgs se", "orgs se"); /* search and set-plan */
	assert_completes("orgs sh", "orgs show ");
	assert_completes("members set", "members set-role ");
	assert_completes("help mig", "help migrate ");
	assert_completes("help migrate sta", "help migrate status ");
	assert_completes("zzz", "zzz");

	/* Several: the line stays, the candidates show above the prompt. */
	char *got = complete("migrate st");
	assert_string_equal(got, "migrate st");
	free(got);
	prompt_draw(LINES - 1, 5);
	assert_true(row_has(LINES - 2, "status"));
	assert_true(row_has(LINES - 2, "step"));
	assert_false(row_has(LINES - 2, "up"));
	assert_row(LINES - 1, ":migrate st");
	assert_int_equal(cursor_x(), 11);
	/* The next key takes them away. */
	type("a");
	erase();
	prompt_draw(LINES - 1, 5);
	assert_row(LINES - 2, "");
	prompt_feed('\t', false);
	assert_string_equal(prompt_text(), "migrate status ");
	ctrl('c');

	/* "migrate " offers every migrate command. */
	got = complete("migrate ");
	free(got);
	erase();
	prompt_draw(LINES - 1, 5);
	char *r3 = row(LINES - 3), *r2 = row(LINES - 2);
	char *r = xasprintf("%s %s", r3, r2);
	free(r3);
	free(r2);
	for (const char *w = "status step up to down redo preview adopt resolve new"; *w;) {
		size_t len = strcspn(w, " ");
		char word[16];
		snprintf(word, sizeof word, "%.*s", (int)len, w);
		assert_non_null(strstr(r, word));
		w += len + (w[len] ? 1 : 0);
	}
	assert_null(strstr(r, "list"));
	free(r);
	ctrl('c');
}

/* The distinct first words of the command table, as a blank-separated list. */
static char *first_words(size_t *count)
{
	strbuf sb = STRBUF_INIT;
	*count = 0;
	for (size_t i = 0; i < cmd_table_len; i++) {
		size_t len = strcspn(cmd_table[i].words, " ");
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcspn(cmd_table[j].words, " ") == len &&
			       strncmp(cmd_table[j].words, cmd_table[i].words, len) == 0;
		if (!seen) {
			sb_addf(&sb, "%s%.*s", *count ? " " : "", (int)len, cmd_table[i].words);
			++*count;
		}
	}
	return sb_steal(&sb);
}

static size_t count_words(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p;) {
		p += strspn(p, " ");
		if (!*p)
			break;
		n++;
		p += strcspn(p, " ");
	}
	return n;
}

static void too_many_candidates_say_how_many_more(void **state)
{
	(void)state;
	size_t total;
	char *all = first_words(&total);
	char *got = complete("");
	assert_string_equal(got, "");
	free(got);

	/* Room enough: every first word, in columns on the rows above. */
	erase();
	prompt_draw(LINES - 1, 5);
	strbuf shown = STRBUF_INIT;
	for (int y = LINES - 6; y < LINES - 1; y++) {
		char *r = row(y);
		sb_addf(&shown, " %s ", r);
		free(r);
	}
	assert_null(strstr(sb_str(&shown), "more"));
	assert_int_equal(count_words(sb_str(&shown)), total);
	for (const char *w = all; *w;) {
		size_t len = strcspn(w, " ");
		char *word = xasprintf(" %.*s ", (int)len, w);
		assert_non_null(strstr(sb_str(&shown), word));
		free(word);
		w += len + (w[len] ? 1 : 0);
	}
	sb_free(&shown);
	free(all);
	assert_row(LINES - 1, ":");

	/* One row: as many as fit, then how many more there are. */
	erase();
	prompt_draw(LINES - 1, 1);
	char *r = row(LINES - 2);
	char *more = strstr(r, "\xe2\x80\xa6");
	assert_non_null(more);
	char *end;
	unsigned long n = strtoul(more + 3, &end, 10);
	assert_string_equal(end, " more");
	*more = '\0';
	size_t on_row = count_words(r);
	assert_true(on_row > 0);
	assert_int_equal(on_row + n, total);
	assert_true(strncmp(r, "audit ", 6) == 0); /* sorted */
	free(r);
	assert_row(LINES - 3, "");
	assert_int_equal(cursor_x(), 1);
	ctrl('c');
}

static void completes_arguments_by_kind(void **state)
{
	(void)state;
	assert_completes("orgs show ac", "orgs show acme ");
	assert_string_equal(last_kind, "org");
	assert_completes("members add acme a", "members add acme alice@acme.test ");
	assert_string_equal(last_kind, "email");
	assert_completes("members add ac", "members add acme ");
	assert_string_equal(last_kind, "org");
	assert_completes("migrate to 2", "migrate to 20260101000008 ");
	assert_string_equal(last_kind, "version");
	assert_completes("migrate preview 1", "migrate preview 19990101000001 ");
	assert_string_equal(last_kind, "version");
	/* Option values: --org SLUG, --org=SLUG, --owner EMAIL, choices. */
	assert_completes("members list --org g", "members list --org globex ");
	assert_string_equal(last_kind, "org");
	assert_completes("audit --org=ac", "audit --org=acme ");
	assert_completes("orgs create Acme --owner b", "orgs create Acme --owner bob@globex.test ");
	assert_completes("members list --scope w", "members list --scope workspace ");
	/* An option value is not an argument: after --org acme, EMAIL is next. */
	assert_completes("members remove --scope org acme b",
			 "members remove --scope org acme bob@globex.test ");
	/* Other upper-case names are asked in lower case; the console may know
	 * some (this one knows none). */
	assert_completes("members add acme alice@acme.test ow", "members add acme alice@acme.test ow");
	assert_string_equal(last_kind, "role");
	/* DIR and FILE complete file names. */
	char *dir = xasprintf("%s/files", root);
	assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
	free(dir);
	dir = xasprintf("%s/files/migrations-eu", root);
	assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
	char *typed = xasprintf("migrate status --dir %s/files/mig", root);
	char *want = xasprintf("migrate status --dir %s/", dir);
	assert_completes(typed, want);
	free(typed);
	free(want);
	free(dir);
	/* Past the last argument there is nothing to offer. */
	words_calls = 0;
	assert_completes("orgs show acme a", "orgs show acme a");
	assert_int_equal(words_calls, 0);
	/* A new slug is not completed from the existing ones. */
	words_calls = 0;
	assert_completes("orgs create Acme --slug a", "orgs create Acme --slug a");
	assert_int_equal(words_calls, 0);
}

static void completes_options(void **state)
{
	(void)state;
	assert_completes("migrate status --d", "migrate status --dir ");
	assert_completes("migrate status --st", "migrate status --strict ");
	assert_completes("orgs list --de", "orgs list --deleted ");
	assert_completes("migrate status --he", "migrate status --help ");
	assert_completes("--he", "--help ");
	assert_completes("migrate step --y", "migrate step --yes ");
	/* Globals that choose the session are refused in the console. */
	assert_completes("migrate status --ds", "migrate status --ds");
	assert_completes("--wr", "--wr");
	assert_completes("migrate status --al", "migrate status --al"); /* not its option */

	char *got = complete("migrate step --d");
	assert_string_equal(got, "migrate step --d"); /* --dir and --dry-run */
	free(got);
	erase();
	prompt_draw(LINES - 1, 3);
	assert_true(row_has(LINES - 2, "--dir"));
	assert_true(row_has(LINES - 2, "--dry-run"));
	ctrl('c');
}

static void only_commands_complete(void **state)
{
	(void)state;
	prompt_open(PROMPT_INPUT, "Reason: ", "");
	type("mig");
	assert_int_equal(prompt_feed('\t', false), PS_EDITING);
	assert_string_equal(prompt_text(), "mig");
	ctrl('c');
	prompt_open(PROMPT_FILTER, "/", "");
	type("ac");
	prompt_feed('\t', false);
	assert_string_equal(prompt_text(), "ac");
	assert_int_equal(words_calls, 0);
	ctrl('c');
}

/* ------------------------------------------------------------ text */

static void multibyte_text(void **state)
{
	(void)state;
	prompt_open(PROMPT_INPUT, "Name: ", "");
	type("Café 東京");
	assert_string_equal(prompt_text(), "Café 東京");
	prompt_draw(LINES - 1, 0);
	assert_row(LINES - 1, "Name: Café 東京");
	assert_int_equal(cursor_x(), 6 + 5 + 4); /* each CJK character takes two cells */
	key(KEY_LEFT);
	prompt_draw(LINES - 1, 0);
	assert_int_equal(cursor_x(), 6 + 5 + 2);
	key(KEY_BACKSPACE); /* a whole character, not a byte */
	assert_string_equal(prompt_text(), "Café 京");
	type("都");
	assert_string_equal(prompt_text(), "Café 都京");
	key(KEY_HOME);
	key(KEY_RIGHT);
	key(KEY_RIGHT);
	key(KEY_RIGHT);
	key(KEY_DC);
	assert_string_equal(prompt_text(), "Caf 都京");
	type("é");
	assert_int_equal(key(KEY_ENTER), PS_DONE);
	char *line = prompt_take();
	assert_string_equal(line, "Café 都京");
	free(line);
}

static void long_line_scrolls(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 20; i++)
		sb_addf(&sb, "%c123456789", 'a' + i);
	const char *text = sb_str(&sb); /* 200 characters */
	prompt_open(PROMPT_COMMAND, ":", "");
	type(text);
	prompt_draw(LINES - 1, 0);
	/* The cursor is in the last column, after the end of the text. */
	assert_int_equal(cursor_x(), COLS - 1);
	char *want = xasprintf(":%s", text + 200 - (COLS - 2));
	assert_row(LINES - 1, want);
	free(want);

	key(KEY_HOME);
	prompt_draw(LINES - 1, 0);
	assert_int_equal(cursor_x(), 1);
	want = xasprintf(":%.*s", COLS - 1, text);
	assert_row(LINES - 1, want);
	free(want);

	/* Into the middle: the cursor stays on the screen, on its character. */
	for (int i = 0; i < 120; i++)
		key(KEY_RIGHT);
	prompt_draw(LINES - 1, 0);
	int x = cursor_x();
	assert_true(x >= 1 && x < COLS);
	wchar_t w[4];
	winnwstr(stdscr, w, 1); /* at the cursor */
	assert_int_equal(w[0], (wchar_t)text[120]);
	sb_free(&sb);
	ctrl('c');
}

static void wide_text_scrolls(void **state)
{
	(void)state;
	prompt_open(PROMPT_INPUT, ">", "");
	for (int i = 0; i < 60; i++)
		type("字");
	prompt_draw(LINES - 1, 0);
	assert_int_equal(cursor_x(), COLS - 1);
	key(KEY_HOME);
	prompt_draw(LINES - 1, 0);
	assert_int_equal(cursor_x(), 1);
	char *r = row(LINES - 1);
	/* 39 whole characters fit in 79 cells, never half of one. */
	strbuf want = STRBUF_INIT;
	sb_add(&want, ">");
	for (int i = 0; i < 39; i++)
		sb_add(&want, "字");
	assert_string_equal(r, sb_str(&want));
	free(r);
	sb_free(&want);
	ctrl('c');
}

/* ------------------------------------------------------------ history */

static void history_persists(void **state)
{
	(void)state;
	char *path = path_in("persist");
	prompt_init(path, words, &words_ctx_marker);
	run_command("orgs list");
	run_command("migrate status");
	run_command("migrate status"); /* the same again: kept once */
	run_command(" info --dsn secret"); /* a leading space keeps a line out */
	run_command("");
	prompt_shutdown();

	char *text = slurp(path);
	assert_non_null(text);
	assert_string_equal(text, "orgs list\nmigrate status\n");
	free(text);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char *dir = xasprintf("%s/persist", root);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	free(dir);

	prompt_init(path, words, &words_ctx_marker);
	prompt_open(PROMPT_COMMAND, ":", "");
	key(KEY_UP);
	assert_string_equal(prompt_text(), "migrate status");
	key(KEY_UP);
	assert_string_equal(prompt_text(), "orgs list");
	key(KEY_DOWN);
	assert_string_equal(prompt_text(), "migrate status");
	assert_int_equal(key(KEY_ENTER), PS_DONE);
	free(prompt_take());
	run_command("drift");
	prompt_shutdown();

	/* A second session appends what it added. */
	text = slurp(path);
	assert_string_equal(text, "orgs list\nmigrate status\ndrift\n");
	free(text);

	/* Reverse search finds an older line. */
	prompt_init(path, words, &words_ctx_marker);
	prompt_open(PROMPT_COMMAND, ":", "");
	ctrl('r');
	type("orgs");
	assert_string_equal(prompt_text(), "orgs list");
	prompt_draw(LINES - 1, 0);
	assert_true(row_has(LINES - 1, "reverse-i-search"));
	assert_int_equal(key(KEY_ENTER), PS_DONE);
	char *line = prompt_take();
	assert_string_equal(line, "orgs list");
	free(line);
	prompt_shutdown();
	free(path);
}

static void answers_stay_out_of_history(void **state)
{
	(void)state;
	char *path = path_in("answers");
	prompt_init(path, words, &words_ctx_marker);
	run_command("drift");

	prompt_open(PROMPT_INPUT, "Reason: ", "");
	key(KEY_UP);
	assert_string_equal(prompt_text(), ""); /* no commands in an answer */
	ctrl('p');
	assert_string_equal(prompt_text(), "");
	ctrl('r');
	type("dri");
	assert_string_equal(prompt_text(), "");
	ctrl('g');
	prompt_open(PROMPT_INPUT, "Reason: ", "");
	type("because of ticket 42");
	assert_int_equal(key(KEY_ENTER), PS_DONE);
	char *line = prompt_take();
	assert_string_equal(line, "because of ticket 42");
	free(line);

	prompt_open(PROMPT_FILTER, "/", "");
	type("acme");
	key(KEY_UP);
	assert_string_equal(prompt_text(), "acme");
	assert_int_equal(key(KEY_ENTER), PS_DONE);
	free(prompt_take());

	/* The command history is still whole, and answers are not in it. */
	prompt_open(PROMPT_COMMAND, ":", "");
	key(KEY_UP);
	assert_string_equal(prompt_text(), "drift");
	key(KEY_UP);
	assert_string_equal(prompt_text(), "drift");
	ctrl('c');
	prompt_shutdown();

	char *text = slurp(path);
	assert_string_equal(text, "drift\n");
	free(text);

	prompt_init(path, words, &words_ctx_marker);
	prompt_open(PROMPT_COMMAND, ":", "");
	key(KEY_UP);
	assert_string_equal(prompt_text(), "drift");
	ctrl('c');
	prompt_shutdown();
	free(path);
}

static void history_path_from_environment(void **state)
{
	(void)state;
	char *xdg = xasprintf("%s/xdg/state", root);
	setenv("XDG_STATE_HOME", xdg, 1);
	char *path = prompt_history_path();
	char *want = xasprintf("%s/tenantctl/history", xdg);
	assert_string_equal(path, want);
	char *dir = xasprintf("%s/tenantctl", xdg);
	struct stat sb;
	assert_int_equal(stat(dir, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	free(dir);
	free(want);
	free(path);

	/* Relative is not allowed by the spec: HOME then. */
	setenv("XDG_STATE_HOME", "relative/state", 1);
	char *home = xasprintf("%s/home", root);
	setenv("HOME", home, 1);
	path = prompt_history_path();
	want = xasprintf("%s/.local/state/tenantctl/history", home);
	assert_string_equal(path, want);
	free(want);
	free(path);
	dir = xasprintf("%s/.local/state/tenantctl", home);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	free(dir);

	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_null(prompt_history_path());

	setenv("HOME", home, 1);
	setenv("XDG_STATE_HOME", xdg, 1);
	free(home);
	free(xdg);
}

int main(void)
{
	setenv("LC_ALL", "C.UTF-8", 1);
	setlocale(LC_ALL, "C.UTF-8");
	setenv("INPUTRC", "/dev/null", 1); /* no user key bindings */
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	char *home = xasprintf("%s/home", root);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	free(home);
	char *state = xasprintf("%s/state", root);
	setenv("XDG_STATE_HOME", state, 1);
	free(state);

	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr = newterm("xterm-256color", out, in);
	if (!scr) {
		fprintf(stderr, "no virtual screen (terminfo xterm-256color)\n");
		return 1;
	}
	resizeterm(24, 80);

#define T(f) cmocka_unit_test_setup_teardown(f, init_no_history, shutdown_prompt)
	const struct CMUnitTest tests[] = {
		T(enter_finishes),
		T(initial_text),
		T(editing_keys),
		T(draw_and_redraw_flag),
		cmocka_unit_test(esc_and_ctrl_c_cancel),
		T(cancel_keeps_recalled_line),
		T(completes_command_words),
		T(too_many_candidates_say_how_many_more),
		T(completes_arguments_by_kind),
		T(completes_options),
		T(only_commands_complete),
		T(multibyte_text),
		T(long_line_scrolls),
		T(wide_text_scrolls),
		cmocka_unit_test(history_persists),
		cmocka_unit_test(answers_stay_out_of_history),
		cmocka_unit_test(history_path_from_environment),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	char *rm = xasprintf("rm -rf '%s'", root);
	if (system(rm) != 0)
		rc = rc ? rc : 1;
	free(rm);
	return rc;
}
