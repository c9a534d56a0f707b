/* The shared parser helpers. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lex.h"

static void edit_distance(void **state)
{
	(void)state;
	assert_int_equal(lex_edit_distance("dsn", "dsn", false), 0);
	assert_int_equal(lex_edit_distance("dns", "dsn", false), 1); /* a swap is one edit */
	assert_int_equal(lex_edit_distance("lock_timout", "lock_timeout", false), 1);
	assert_int_equal(lex_edit_distance("DSN", "dsn", true), 0);
	assert_int_equal(lex_edit_distance("DSN", "dsn", false), 3);
}

static void trim_and_blanks(void **state)
{
	(void)state;
	const char *s = " \t key \t";
	const char *b = s, *e = s + strlen(s);
	lex_trim(&b, &e);
	assert_int_equal(e - b, 3);
	assert_memory_equal(b, "key", 3);
	assert_true(lex_is_blank('\t'));
	assert_false(lex_is_blank('\n'));
}

static void utf8_prefix(void **state)
{
	(void)state;
	const unsigned char ok[] = "caf\xc3\xa9";
	assert_int_equal(lex_utf8_valid_prefix(ok, 5), 5);
	const unsigned char overlong[] = "ab\xc0\xafz";
	assert_int_equal(lex_utf8_valid_prefix(overlong, 5), 2);
	const unsigned char surrogate[] = "a\xed\xa0\x80";
	assert_int_equal(lex_utf8_valid_prefix(surrogate, 4), 1);
	const unsigned char cut[] = "a\xe2\x82";
	assert_int_equal(lex_utf8_valid_prefix(cut, 3), 1);
}

static void excerpt_is_cut(void **state)
{
	(void)state;
	char longv[100];
	memset(longv, 'x', sizeof longv);
	char *x = lex_excerpt(longv, longv + sizeof longv);
	assert_true(strlen(x) < 60);
	assert_non_null(strstr(x, "xxxx"));
	free(x);
	const char *short_text = "abc";
	x = lex_excerpt(short_text, short_text + 3);
	assert_string_equal(x, "abc");
	free(x);
}

/* Split s and return the words joined by '|', each followed by its open
 * mark when the text ended inside it. Caller frees. */
static char *split(const char *s)
{
	strbuf sb = STRBUF_INIT;
	size_t pos = 0;
	lex_word w;
	while (lex_shell_word(s, &pos, &w)) {
		sb_addf(&sb, "%s[%s]%zu-%zu", sb.len ? "|" : "", w.value, w.start, w.end);
		if (w.open)
			sb_addf(&sb, "open%c@%zu", w.open, w.open_at);
		free(w.value);
	}
	return sb_steal(&sb);
}

static void shell_words(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"", ""},
		{"   \t ", ""},
		{"orgs list", "[orgs]0-4|[list]5-9"},
		{"  a\tb\n", "[a]2-3|[b]4-5"},
		{"orgs create 'Initech Labs & Co'", "[orgs]0-4|[create]5-11|[Initech Labs & Co]12-31"},
		{"say \"a \\\"b\\\" \\$x \\n\"", "[say]0-3|[a \"b\" $x \\n]4-20"},
		{"it\\'s a\\ b", "[it's]0-5|[a b]6-10"},
		{"'' x", "[]0-2|[x]3-4"},
		{"pre'mid'\"end\"", "[premidend]0-13"},
		/* malformed: what an operator may type, and what is made of it */
		{"orgs show 'acme", "[orgs]0-4|[show]5-9|[acme]10-15open'@10"},
		{"x \"a b", "[x]0-1|[a b]2-6open\"@2"},
		{"trailing \\", "[trailing]0-8|[]9-10open\\@9"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = split(cases[i][0]);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("split(%s): got %s, want %s", cases[i][0], got, cases[i][1]);
		free(got);
	}
}

static void unquote(void **state)
{
	(void)state;
	static const char *const ok[][2] = {
		{"plain value", "plain value"},
		{"", ""},
		{"\"\"", ""},
		{"\"host=x dbname='a b'\"", "host=x dbname='a b'"},
		{"\"say \\\"hi\\\" \\\\o/\"", "say \"hi\" \\o/"},
		{"a\"b", "a\"b"}, /* a quote inside a bare value is data */
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char *why, *hint;
		const char *s = ok[i][0];
		char *got = lex_unquote(s, s + strlen(s), &why, &hint);
		assert_non_null(got);
		assert_string_equal(got, ok[i][1]);
		assert_null(why);
		free(got);
	}
	static const char *const bad[][2] = {
		{"\"open", "unterminated quoted value"},
		{"\"open\\\"", "unterminated quoted value"},
		{"\"ends in \\", "unterminated quoted value"},
		{"\"bad \\n escape\"", "unknown escape '\\n' in quoted value"},
		{"\"x\" # comment", "unexpected text '# comment' after closing quote"},
		{"\"a\"\"b\"", "unexpected text '\"b\"' after closing quote"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *why, *hint;
		const char *s = bad[i][0];
		assert_null(lex_unquote(s, s + strlen(s), &why, &hint));
		assert_string_equal(why, bad[i][1]);
		assert_non_null(hint);
		free(why);
		free(hint);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unquote),
		cmocka_unit_test(shell_words),
		cmocka_unit_test(edit_distance),
		cmocka_unit_test(trim_and_blanks),
		cmocka_unit_test(utf8_prefix),
		cmocka_unit_test(excerpt_is_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
