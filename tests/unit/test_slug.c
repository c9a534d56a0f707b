/* orgs_slugify: the slug an organization's name gets. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "orgs.h"
#include "strbuf.h"

/* The documented maximum (one DNS label). */
#define SLUG_MAX 63

static void expect_slug(const char *name, const char *want)
{
	char *got = orgs_slugify(name);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("orgs_slugify(\"%s\") = \"%s\", expected \"%s\"", name, got, want);
	free(got);
}

/* Every slug it makes has the form the reference schema's CHECK wants. */
static void assert_slug_form(const char *s)
{
	size_t n = strlen(s);
	assert_true(n <= SLUG_MAX);
	if (n == 0)
		return;
	assert_true(s[0] != '-' && s[n - 1] != '-');
	assert_null(strstr(s, "--"));
	for (size_t i = 0; i < n; i++)
		assert_true((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
			    s[i] == '-');
}

static void test_ascii(void **state)
{
	(void)state;
	expect_slug("Acme Inc.", "acme-inc");
	expect_slug("acme", "acme");
	expect_slug("ACME", "acme");
	expect_slug("  --Hello__World--  ", "hello-world");
	expect_slug("Stark Industries", "stark-industries");
	expect_slug("A  &  B", "a-b");
	expect_slug("Web 2.0", "web-2-0");
	expect_slug("42", "42");
	expect_slug("O'Reilly Media", "o-reilly-media");
	expect_slug("tab\there\nnewline", "tab-here-newline");
}

static void test_empty_results(void **state)
{
	(void)state;
	expect_slug("", "");
	expect_slug("   ", "");
	expect_slug("---", "");
	expect_slug("!@#$%^&*()", "");
	expect_slug(NULL, "");
}

static void test_transliteration(void **state)
{
	(void)state;
	expect_slug("Crème Brûlée", "creme-brulee");
	expect_slug("Straße", "strasse");
	expect_slug("Ærøskøbing", "aeroskobing");
	expect_slug("Müller & Söhne", "muller-sohne");
	expect_slug("Ñandú", "nandu");
	expect_slug("Łódź", "lodz");
	expect_slug("Œuvre", "oeuvre");
	expect_slug("Þórr", "thorr");
	expect_slug("ÀÉÎÕÜ", "aeiou");
	expect_slug("Český Krumlov", "cesky-krumlov");
}

static void test_dropped(void **state)
{
	(void)state;
	/* Scripts without a Latin spelling are dropped... */
	expect_slug("日本", "");
	expect_slug("Москва", "");
	/* ...and separate the words around them, as emoji do. */
	expect_slug("日本 Tech", "tech");
	expect_slug("Rocket 🚀 Labs", "rocket-labs");
	expect_slug("🚀Launch", "launch");
	expect_slug("Launch🚀", "launch");
	expect_slug("a→b", "a-b");
	/* Malformed UTF-8 is no letter either. */
	expect_slug("bad\xC3(byte", "bad-byte");
	expect_slug("\xFF\xFEok", "ok");
	expect_slug("cut\xE2\x82", "cut");
}

static void test_sql_fragments(void **state)
{
	(void)state;
	expect_slug("'; DROP TABLE x; --", "drop-table-x");
	expect_slug("Robert'); DELETE FROM organizations;--", "robert-delete-from-organizations");
	expect_slug("50%_off", "50-off");
	expect_slug("\"quoted\"", "quoted");
}

static void test_long_names(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 100; i++)
		sb_add(&sb, "a");
	char *s = orgs_slugify(sb_str(&sb));
	assert_int_equal(strlen(s), SLUG_MAX);
	assert_slug_form(s);
	free(s);

	/* Cut at the limit, never ending in a hyphen. */
	sb_reset(&sb);
	for (int i = 0; i < 62; i++)
		sb_add(&sb, "b");
	sb_add(&sb, " cdef");
	s = orgs_slugify(sb_str(&sb));
	assert_int_equal(strlen(s), 62);
	assert_slug_form(s);
	free(s);

	/* Words all the way. */
	sb_reset(&sb);
	for (int i = 0; i < 40; i++)
		sb_add(&sb, "Word ");
	s = orgs_slugify(sb_str(&sb));
	assert_true(strlen(s) <= SLUG_MAX);
	assert_int_equal(strncmp(s, "word-word-", 10), 0);
	assert_slug_form(s);
	free(s);

	/* Transliteration that lengthens (ß -> ss) is cut too. */
	sb_reset(&sb);
	for (int i = 0; i < 50; i++)
		sb_add(&sb, "ß");
	s = orgs_slugify(sb_str(&sb));
	assert_int_equal(strlen(s), SLUG_MAX);
	assert_slug_form(s);
	free(s);
	sb_free(&sb);
}

/* Whatever comes in, what comes out is a valid slug, and slugifying a slug
 * gives it back. */
static void test_form_and_idempotence(void **state)
{
	(void)state;
	const char *names[] = {"Acme Inc.",     "  --Hello__World--  ", "Crème Brûlée",
			       "'; DROP TABLE x; --", "日本 Tech",           "Rocket 🚀 Labs",
			       "a-b-c",         "--a--b--",             "Ünïcödé Ltd"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *s = orgs_slugify(names[i]);
		assert_slug_form(s);
		char *again = orgs_slugify(s);
		assert_string_equal(again, s);
		free(again);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_empty_results),
		cmocka_unit_test(test_transliteration),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_sql_fragments),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_form_and_idempotence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
