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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edit_distance),
		cmocka_unit_test(trim_and_blanks),
		cmocka_unit_test(utf8_prefix),
		cmocka_unit_test(excerpt_is_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
