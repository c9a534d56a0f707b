/* drift_compare on models built by hand: statuses, folding of a missing
 * table's parts, information-only and version-skew items, the allowlist. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drift.h"
#include "strbuf.h"

static void base(sch_model *m, int major)
{
	sch_init(m);
	m->server_major = major;
	sch_obj *o = sch_add(m, "table", "public.users");
	sch_set(o, "kind", "table", 0);
	o = sch_add(m, "column", "public.users.email");
	sch_set(o, "type", "text", 0);
	sch_set(o, "position", "2", SCH_INFO);
	o = sch_add(m, "column", "public.users.id");
	sch_set(o, "type", "uuid", 0);
	sch_set(o, "position", "1", SCH_INFO);
	o = sch_add(m, "view", "public.v");
	sch_set(o, "definition", "SELECT 1", SCH_DEPARSED);
}

/* "STATUS KIND OBJECT [ATTR]" lines, one per item, for exact comparison. */
static char *render(const drift_report *r)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < r->n; i++) {
		const drift_item *it = &r->items[i];
		sb_addf(&sb, "%s %s %s%s%s%s%s\n", drift_status_name(it->status), it->kind, it->object,
			it->attribute ? " " : "", it->attribute ? it->attribute : "",
			it->info ? " (info)" : it->skew ? " (skew)" : "",
			it->allowed ? " (allowed)" : "");
	}
	return sb_steal(&sb);
}

static void statuses_and_folding(void **state)
{
	(void)state;
	sch_model live, ref;
	base(&live, 15);
	base(&ref, 15);
	/* Reference has a table live lacks, with parts that must fold into it. */
	sch_add(&ref, "table", "public.orgs");
	sch_add(&ref, "column", "public.orgs.id");
	sch_obj *ix = sch_add(&ref, "index", "public.orgs_slug");
	sch_set(ix, "table", "public.orgs", 0);
	/* Live has an extra column; a type changed; a column moved. */
	sch_obj *o = sch_add(&live, "column", "public.users.legacy");
	sch_set(o, "type", "int", 0);
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(sch_sort(&live, &err), TC_OK);
	assert_int_equal(sch_sort(&ref, &err), TC_OK);
	o = (sch_obj *)sch_find(&live, "column", "public.users.email");
	sch_set(o, "type", "varchar(10)", 0);
	sch_set(o, "position", "3", SCH_INFO);
	sch_set(o, "comment", "primary contact", 0);
	assert_int_equal(sch_sort(&live, &err), TC_OK); /* attributes sorted again */

	drift_report r;
	assert_int_equal(drift_compare(&live, &ref, NULL, &r, &err), TC_OK);
	char *got = render(&r);
	assert_string_equal(got, "changed column public.users.email comment\n"
				 "changed column public.users.email position (info)\n"
				 "changed column public.users.email type\n"
				 "extra column public.users.legacy\n"
				 "missing table public.orgs\n");
	assert_int_equal(r.n_drift, 4);
	/* The changed type carries both values. */
	assert_string_equal(r.items[2].live, "varchar(10)");
	assert_string_equal(r.items[2].reference, "text");
	assert_string_equal(r.items[0].category, "comments");
	assert_string_equal(r.items[4].category, "tables");
	free(got);
	drift_report_free(&r);
	sch_free(&live);
	sch_free(&ref);
}

static void version_skew_and_notes(void **state)
{
	(void)state;
	sch_model live, ref;
	base(&live, 16);
	base(&ref, 15);
	sch_note_not_read(&ref, "privileges: not read (--privileges to compare them)");
	tc_error err = TC_ERROR_INIT;
	sch_sort(&live, &err);
	sch_sort(&ref, &err);
	sch_obj *v = (sch_obj *)sch_find(&live, "view", "public.v");
	sch_set(v, "definition", " SELECT 1;", SCH_DEPARSED);
	sch_sort(&live, &err);
	drift_report r;
	assert_int_equal(drift_compare(&live, &ref, NULL, &r, &err), TC_OK);
	assert_true(r.version_skew);
	assert_int_equal(r.n, 1);
	assert_true(r.items[0].skew);
	assert_int_equal(r.n_drift, 0);
	/* Never silent: what was not compared is said. */
	assert_int_equal(r.n_not_compared, 2);
	assert_non_null(strstr(r.not_compared[0], "privileges"));
	assert_non_null(strstr(r.not_compared[1], "version skew"));
	assert_non_null(strstr(r.not_compared[1], "PostgreSQL 16 and the reference 15"));
	drift_report_free(&r);
	sch_free(&live);
	sch_free(&ref);
}

static void allowlisted_items_and_stale_rules(void **state)
{
	(void)state;
	const char *text = "table public.ee_* -- only the enterprise edition has these\n"
			   "column public.*.email type -- the ORM widened it\n"
			   "index public.gone_* -- dropped last year\n";
	allowlist al;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(allow_parse(text, strlen(text), "allow.txt", &al, &err), TC_OK);
	sch_model live, ref;
	base(&live, 15);
	base(&ref, 15);
	sch_add(&ref, "table", "public.ee_audit");
	sch_sort(&live, &err);
	sch_sort(&ref, &err);
	sch_set((sch_obj *)sch_find(&live, "column", "public.users.email"), "type", "citext", 0);
	sch_sort(&live, &err);
	drift_report r;
	assert_int_equal(drift_compare(&live, &ref, &al, &r, &err), TC_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.n_drift, 0);
	assert_int_equal(r.n_allowed, 2);
	assert_true(r.items[0].allowed);
	assert_string_equal(r.items[0].rule->reason, "the ORM widened it");
	assert_string_equal(r.items[1].rule->reason, "only the enterprise edition has these");
	/* The third rule matched nothing: stale. */
	assert_int_equal(al.rules[2].matched, 0);
	assert_int_equal(al.rules[0].matched, 1);
	drift_report_free(&r);
	allow_free(&al);
	sch_free(&live);
	sch_free(&ref);
}

/* Row counts read on one side only are not a difference. */
static void one_sided_information_is_silent(void **state)
{
	(void)state;
	sch_model live, ref;
	base(&live, 15);
	base(&ref, 15);
	sch_set(&ref.objs[0], "rows", "~0 (estimate)", SCH_INFO);
	tc_error err = TC_ERROR_INIT;
	sch_sort(&live, &err);
	sch_sort(&ref, &err);
	drift_report r;
	assert_int_equal(drift_compare(&live, &ref, NULL, &r, &err), TC_OK);
	assert_int_equal(r.n, 0);
	drift_report_free(&r);
	sch_free(&live);
	sch_free(&ref);
}

static void parent_tables(void **state)
{
	(void)state;
	sch_model m;
	base(&m, 15);
	sch_obj *ix = sch_add(&m, "index", "public.\"Odd Ix\"");
	sch_set(ix, "table", "public.\"We.ird\"", 0);
	tc_error err = TC_ERROR_INIT;
	sch_sort(&m, &err);
	char *p = drift_parent_table(&m, "column", "public.\"We.ird\".\"a b\"");
	assert_string_equal(p, "public.\"We.ird\"");
	free(p);
	p = drift_parent_table(&m, "index", "public.\"Odd Ix\"");
	assert_string_equal(p, "public.\"We.ird\"");
	free(p);
	assert_null(drift_parent_table(&m, "view", "public.v"));
	sch_free(&m);
}

static void diff_is(const char *from, const char *to, const char *want)
{
	strbuf sb = STRBUF_INIT;
	drift_diff(from, to, "reference", "live", &sb);
	if (strcmp(sb_str(&sb), want) != 0)
		fail_msg("diff of\n%s\n--- to ---\n%s\ngave\n%s\nwanted\n%s", from ? from : "(null)",
			 to ? to : "(null)", sb_str(&sb), want);
	sb_free(&sb);
}

/* Unified diffs as diff -u writes them (3 lines of context). */
static void line_diffs(void **state)
{
	(void)state;
	/* Equal: the headers only. */
	diff_is("a\nb\n", "a\nb\n", "--- reference\n+++ live\n");
	/* One value for another, with or without a final newline. */
	diff_is("'free'::text", "'basic'::text",
		"--- reference\n+++ live\n@@ -1,1 +1,1 @@\n-'free'::text\n+'basic'::text\n");
	/* From nothing, to nothing. */
	diff_is(NULL, "x\ny", "--- reference\n+++ live\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	diff_is("x\ny\n", "", "--- reference\n+++ live\n@@ -1,2 +0,0 @@\n-x\n-y\n");
	/* A change in the middle of a long text: three lines of context. */
	diff_is("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
		"--- reference\n+++ live\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
	/* An insertion and a deletion far apart: two hunks. */
	diff_is("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n", "a\nB\nb\nc\nd\ne\nf\ng\nh\ni\nk\n",
		"--- reference\n+++ live\n"
		"@@ -1,4 +1,5 @@\n a\n+B\n b\n c\n d\n"
		"@@ -7,5 +8,4 @@\n g\n h\n i\n-j\n k\n");
	/* Changes six lines apart share a hunk. */
	diff_is("x\n1\n2\n3\n4\n5\n6\ny\n", "X\n1\n2\n3\n4\n5\n6\nY\n",
		"--- reference\n+++ live\n@@ -1,8 +1,8 @@\n-x\n+X\n 1\n 2\n 3\n 4\n 5\n 6\n-y\n+Y\n");
	/* Moved lines: the longest common subsequence stays. */
	diff_is("BEGIN\n\tRAISE 'a';\n\tRETURN 1;\nEND\n", "BEGIN\n\tRETURN 1;\n\tRAISE 'b';\nEND\n",
		"--- reference\n+++ live\n@@ -1,4 +1,4 @@\n BEGIN\n-\tRAISE 'a';\n \tRETURN 1;\n"
		"+\tRAISE 'b';\n END\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(line_diffs),
		cmocka_unit_test(statuses_and_folding),
		cmocka_unit_test(version_skew_and_notes),
		cmocka_unit_test(allowlisted_items_and_stale_rules),
		cmocka_unit_test(one_sided_information_is_silent),
		cmocka_unit_test(parent_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
