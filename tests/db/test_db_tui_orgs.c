/* Golden screens of the Orgs pane (tests/tuirun.h says how they run and
 * what is normalised). On the demo data: the table (at 132 columns, where
 * every column shows, and at 80), sorting by a column the server sorts and
 * by one it does not, the live filter, an org's screen with its members,
 * workspaces, projects and findings; creating an org (the slug hint while
 * the name is typed, the preview, the row and its audit-log row), a plan
 * change declined (its preview shows the resource changes; nothing
 * changes), a delete with the wrong slug (nothing) and the right one (soft
 * deleted, logged), and C in a read-only session. On 3,000 generated orgs:
 * paging past the window's cap in both directions, G and g, and `/` with
 * Enter searching the whole list. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dbtest.h"
#include "strbuf.h"
#include "tuirun.h"
#include "xalloc.h"

#define DB "tc_tui_orgs"

static void assert_scalar(const char *dsn, const char *sql, const char *want)
{
	char *v = dbtest_scalar(dsn, sql);
	if (!v || strcmp(v, want) != 0)
		fail_msg("expected '%s', got '%s' from %s", want, v ? v : "NULL", sql);
	free(v);
}

/* Viewing, read-only: the table, sorting, the filter, an org's screen; C
 * says how to enable writes. */
static void table_sort_filter_and_org(void **state)
{
	(void)state;
	fixture f;
	fixture_make_with(&f, DB, false, true, NULL);
	/* Every column at 132; the status line shows the pane's keys. */
	free(run_console(&f, "dump orgs-table-wide\nq\n", "132x16", NULL));
	free(run_console(&f,
			 "dump orgs-table\n"
			 /* name: a column the server does not sort by */
			 ">\n"
			 "dump orgs-sorted-name\n"
			 /* plan, then members: the server sorts, fewest first; I: most first */
			 ">\n>\n"
			 "dump orgs-sorted-members\n"
			 "I\n"
			 "dump orgs-sorted-members-most\n"
			 /* the filter narrows the loaded rows as it is typed */
			 "/\ntext corp\n"
			 "dump orgs-filter\n"
			 "ENTER\nESC\n"
			 "dump orgs-filter-cleared\n"
			 "C\n"
			 "dump orgs-readonly\n"
			 "q\n",
			 "80x24", NULL));
	/* umbrella: two owners and a role outside the known ones. q goes back
	 * from an org's screen, as Esc does. */
	free(run_console(&f,
			 "j\nj\nj\nj\nj\nj\n"
			 "ENTER\n"
			 "dump orgs-org\n"
			 "C-d\nC-d\n"
			 "dump orgs-org-findings\n"
			 "ESC\n"
			 "dump orgs-org-back\n"
			 /* stark-industries: a project in another org's workspace */
			 "k\nENTER\nC-d\n"
			 "dump orgs-org-tree\n"
			 "q\n",
			 "80x24", NULL));
	fixture_free(&f);
}

/* C: the slug the name will get is shown while typing; the core's preview
 * and the question (default No); y creates the row and one audit row, and
 * the cursor lands on the new org. */
static void create_with_slug_hint(void **state)
{
	(void)state;
	fixture f;
	fixture_make_with(&f, DB, true, true, NULL);
	free(run_console(&f,
			 "C\n"
			 "text Initech Labs & Co\n"
			 "dump orgs-create-hint\n"
			 "ENTER\n"
			 "dump orgs-create-preview\n"
			 "y\n"
			 "dump orgs-created\n"
			 "q\n",
			 "80x24", NULL));
	assert_scalar(f.dsn,
		      "SELECT name || ' ' || plan FROM public.organizations WHERE slug = "
		      "'initech-labs-co' AND deleted_at IS NULL",
		      "Initech Labs & Co free");
	assert_scalar(f.dsn,
		      "SELECT count(*) FROM public.tenantctl_operator_log WHERE command LIKE "
		      "'tenantctl orgs create %' AND target = 'organization initech-labs-co' AND "
		      "rows_affected = 1",
		      "1");
	fixture_free(&f);
}

/* P: the prompt starts at the current plan; the preview shows the per-org
 * resources it would provision; n changes nothing and logs nothing. */
static void set_plan_declined(void **state)
{
	(void)state;
	fixture f;
	fixture_make_with(&f, DB, true, true, NULL);
	/* soylent: free, no basin */
	free(run_console(&f,
			 "j\nj\nj\nj\n"
			 "P\n"
			 "dump orgs-plan-prompt\n"
			 "C-u\ntext team\nENTER\n"
			 "dump orgs-plan-preview\n"
			 "n\n"
			 "dump orgs-plan-declined\n"
			 "q\n",
			 "80x24", NULL));
	assert_scalar(f.dsn,
		      "SELECT plan || ' ' || coalesce(stream_basin_name, 'none') || ' ' || "
		      "coalesce(retention_days::text, 'none') FROM public.organizations WHERE slug "
		      "= 'soylent'",
		      "free none none");
	assert_scalar(f.dsn,
		      "SELECT count(*) FROM public.tenantctl_operator_log WHERE command LIKE "
		      "'tenantctl orgs set-plan%'",
		      "0");
	fixture_free(&f);
}

/* D: a slug typed wrong deletes nothing (and asks nothing); the right one
 * previews what stays behind, and y soft-deletes and logs. */
static void delete_needs_the_slug(void **state)
{
	(void)state;
	fixture f;
	fixture_make_with(&f, DB, true, true, NULL);
	/* hooli */
	free(run_console(&f,
			 "j\nj\n"
			 "D\n"
			 "text hooly\n"
			 "dump orgs-delete-prompt\n"
			 "ENTER\n"
			 "dump orgs-delete-wrong\n"
			 "D\ntext hooli\nENTER\n"
			 "dump orgs-delete-preview\n"
			 "y\n"
			 "dump orgs-deleted\n"
			 "q\n",
			 "80x24", NULL));
	assert_scalar(f.dsn,
		      "SELECT (deleted_at IS NOT NULL)::text FROM public.organizations WHERE slug = "
		      "'hooli'",
		      "true");
	assert_scalar(f.dsn, "SELECT count(*) FROM public.organizations WHERE deleted_at IS NOT NULL",
		      "2");
	assert_scalar(f.dsn,
		      "SELECT count(*) FROM public.tenantctl_operator_log WHERE command LIKE "
		      "'tenantctl orgs delete hooli%' AND target = 'organization hooli'",
		      "1");
	fixture_free(&f);
}

/* 3,000 orgs (org-0001 ... org-3000), pages of 100, a window of at most
 * 2,000 rows: C-d past the cap drops rows above (the title says how many
 * are loaded and that more are above and below); G loads the last page, C-u
 * back up past the window's top prepends pages; g the first page. The
 * dumps show consecutive slugs at known places: a lost or repeated page
 * shows. Then `/` with Enter searches the whole list (the window has a
 * tenth of it). */
static void paging_keeps_a_bounded_window(void **state)
{
	(void)state;
	fixture f;
	fixture_make_with(&f, DB, false, false, NULL);
	dbtest_exec(f.dsn, "INSERT INTO public.organizations (id, slug, name, created_at) "
			   "SELECT ('20000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, "
			   "'org-' || lpad(i::text, 4, '0'), 'Org ' || i, "
			   "timestamptz '2025-01-01 00:00+00' + i * interval '1 hour' "
			   "FROM generate_series(1, 3000) i");
	strbuf steps = STRBUF_INIT;
	sb_add(&steps, "dump orgs-page-first\n");
	/* 250 half pages of 10 rows: the cursor on row 2,501 */
	for (int i = 0; i < 250; i++)
		sb_add(&steps, "C-d\n");
	sb_add(&steps, "dump orgs-page-capped\n");
	sb_add(&steps, "G\ndump orgs-page-last\n");
	/* 250 half pages up from row 3,000: the cursor on row 500 */
	for (int i = 0; i < 250; i++)
		sb_add(&steps, "C-u\n");
	sb_add(&steps, "dump orgs-page-back-up\n");
	sb_add(&steps, "g\ndump orgs-page-top\n");
	sb_add(&steps, "/\ntext org-29\nENTER\ndump orgs-search\n");
	sb_add(&steps, "ESC\ndump orgs-search-back\nq\n");
	free(run_console(&f, sb_str(&steps), "80x24", NULL));
	sb_free(&steps);
	fixture_free(&f);
}

/* From a member of an org far past the Orgs pane's first page, O opens
 * that org there: a window of orgs around it, the cursor on it. */
static void jump_loads_the_window_around_the_org(void **state)
{
	(void)state;
	fixture f;
	fixture_make_with(&f, DB, false, false, NULL);
	dbtest_exec(f.dsn, "INSERT INTO public.organizations (id, slug, name, created_at) "
			   "SELECT ('20000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, "
			   "'org-' || lpad(i::text, 4, '0'), 'Org ' || i, "
			   "timestamptz '2025-01-01 00:00+00' + i * interval '1 hour' "
			   "FROM generate_series(1, 3000) i");
	dbtest_exec(f.dsn, "INSERT INTO public.users (id, email, display_name) VALUES "
			   "('10000000-0000-4000-8000-000000000001', 'far@example.com', 'Far')");
	dbtest_exec(f.dsn, "INSERT INTO public.organization_members (id, user_id, organization_id, "
			   "role) VALUES ('50000000-0000-4000-8000-000000000001', "
			   "'10000000-0000-4000-8000-000000000001', "
			   "'20000000-0000-4000-8000-000000002500', 'owner')");
	free(run_console(&f, "dump orgs-jump-before\n2\nO\ndump orgs-jump-far\nq\n", "80x24", NULL));
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_sort_filter_and_org),
		cmocka_unit_test(create_with_slug_hint),
		cmocka_unit_test(set_plan_declined),
		cmocka_unit_test(delete_needs_the_slug),
		cmocka_unit_test(paging_keeps_a_bounded_window),
		cmocka_unit_test(jump_loads_the_window_around_the_org),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
