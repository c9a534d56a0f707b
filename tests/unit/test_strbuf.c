#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"
#include "xalloc.h"

static void test_empty(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	assert_string_equal(sb_str(&sb), "");
	assert_int_equal(sb.len, 0);
	assert_null(sb.data);

	/* Reset and free on a never-used buffer are harmless. */
	sb_reset(&sb);
	assert_string_equal(sb_str(&sb), "");
	sb_free(&sb);
	assert_null(sb.data);

	/* Stealing an empty buffer still gives a string the caller can free. */
	char *s = sb_steal(&sb);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);

	/* Adding nothing still makes data a valid C string. */
	sb_add(&sb, "");
	assert_non_null(sb.data);
	assert_string_equal(sb_str(&sb), "");
	assert_int_equal(sb.len, 0);
	sb_free(&sb);
}

static void test_growth_many_appends(void **state)
{
	(void)state;
	enum { N = 100000 };
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < N; i++)
		sb_addc(&sb, (char)('a' + i % 26));
	assert_int_equal(sb.len, N);
	assert_true(sb.cap > sb.len);
	assert_int_equal(strlen(sb_str(&sb)), N);
	for (int i = 0; i < N; i += 997)
		assert_int_equal(sb.data[i], 'a' + i % 26);

	/* sb_add and sb_addn on top, crossing more growth steps. */
	sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb_str(&sb), "");
	for (int i = 0; i < N / 10; i++)
		sb_add(&sb, "0123456789");
	assert_int_equal(sb.len, N);
	for (int i = 0; i < N / 10; i++)
		sb_addn(&sb, "abcdefXXXX", 6);
	assert_int_equal(sb.len, N + N / 10 * 6);
	assert_memory_equal(sb.data + N - 10, "0123456789abcdef", 16);
	assert_string_equal(sb.data + sb.len - 6, "abcdef");
	assert_int_equal(sb.data[sb.len], '\0');
	sb_free(&sb);
}

static void test_addn_embedded_nul_and_prefix(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	sb_addn(&sb, "abc\0def", 7);
	assert_int_equal(sb.len, 7);
	assert_memory_equal(sb.data, "abc\0def", 8);
	sb_reset(&sb);
	sb_addn(&sb, "hello world", 5);
	assert_string_equal(sb_str(&sb), "hello");
	sb_free(&sb);
}

static void test_addf(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s=%d", "port", 5432);
	sb_addf(&sb, " %c%05.1f%%", 'x', 3.14159);
	sb_addf(&sb, " [%-6s|%6s]", "ab", "cd");
	sb_addf(&sb, "%s", "");
	assert_string_equal(sb_str(&sb), "port=5432 x003.1% [ab    |    cd]");

	/* A formatted argument that is itself a long string crosses growth. */
	char big[5001];
	memset(big, 'z', 5000);
	big[5000] = '\0';
	sb_reset(&sb);
	sb_addf(&sb, "<%s>", big);
	assert_int_equal(sb.len, 5002);
	assert_int_equal(sb.data[0], '<');
	assert_int_equal(sb.data[5001], '>');
	assert_int_equal(sb.data[5002], '\0');

	/* Many formatted appends keep everything in order. */
	sb_reset(&sb);
	for (int i = 0; i < 20000; i++)
		sb_addf(&sb, "%d,", i);
	assert_memory_equal(sb.data, "0,1,2,3,", 8);
	assert_string_equal(sb.data + sb.len - 6, "19999,");
	sb_free(&sb);
}

static void test_steal_resets(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "first");
	char *a = sb_steal(&sb);
	assert_string_equal(a, "first");
	assert_null(sb.data);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	assert_string_equal(sb_str(&sb), "");

	/* The buffer is usable again and does not share memory with a. */
	sb_add(&sb, "second");
	char *b = sb_steal(&sb);
	assert_string_equal(b, "second");
	assert_ptr_not_equal(a, b);
	assert_string_equal(a, "first");
	free(a);
	free(b);
}

static void test_reset_keeps_allocation(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "some text that needs space");
	char *data = sb.data;
	size_t cap = sb.cap;
	sb_reset(&sb);
	assert_ptr_equal(sb.data, data);
	assert_int_equal(sb.cap, cap);
	assert_string_equal(sb_str(&sb), "");
	sb_add(&sb, "new");
	assert_string_equal(sb_str(&sb), "new");
	sb_free(&sb);
	assert_null(sb.data);
	assert_int_equal(sb.cap, 0);
}

static void vhelper(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vhelper(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

static void test_vaddf(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "a:");
	vhelper(&sb, "%s/%u/%lx", "b", 7u, 255ul);
	assert_string_equal(sb_str(&sb), "a:b/7/ff");
	sb_free(&sb);
}

/* A whole file, larger than one read, arrives intact. */
static void test_read_all(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	assert_non_null(f);
	for (int i = 0; i < 50000; i++)
		fprintf(f, "line %d\n", i);
	long size = ftell(f);
	rewind(f);
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, ">");
	assert_int_equal(sb_read_all(&sb, f), 0);
	assert_int_equal((long)sb.len, size + 1);
	assert_memory_equal(sb.data, ">line 0\n", 8);
	assert_non_null(strstr(sb.data, "line 49999\n"));
	fclose(f);
	sb_free(&sb);
}

static void test_shell_word(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"acme", "acme"},
		{"ops@acme.example", "ops@acme.example"},
		{"", "''"},
		{"Initech Labs & Co", "'Initech Labs & Co'"},
		{"it's", "'it'\\''s'"},
		{"$(rm -rf /)", "'$(rm -rf /)'"},
		{"u:********@h", "u:********@h"},
		{"a?b", "'a?b'"},
		{"new\nline", "'new\nline'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		strbuf sb = STRBUF_INIT;
		sb_add(&sb, "x ");
		sb_add_shell_word(&sb, cases[i][0]);
		char *want = xasprintf("x %s", cases[i][1]);
		assert_string_equal(sb_str(&sb), want);
		free(want);
		sb_free(&sb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_growth_many_appends),
		cmocka_unit_test(test_addn_embedded_nul_and_prefix),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_steal_resets),
		cmocka_unit_test(test_reset_keeps_allocation),
		cmocka_unit_test(test_vaddf),
		cmocka_unit_test(test_read_all),
		cmocka_unit_test(test_shell_word),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
