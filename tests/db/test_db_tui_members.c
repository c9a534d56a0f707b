/* Golden screens of the Members pane on the demo data (tests/tuirun.h says
 * how they run and what is normalised): every org's members, one org's
 * with their flags, the flag filter, the audit with a check that does not
 * apply, a check's rows and the jump to the org; staging removals, a role
 * change and an add, the staged list, the review declined (nothing
 * changed) and accepted (the changes and one audit-log row each); the last
 * owner and the owner allowlist refused before anything is staged; A in a
 * read-only session. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dbtest.h"
#include "tuirun.h"
#include "xalloc.h"

#define DB "tc_tui_members"

/* Everything a member change could touch, as one digest. */
static char *snapshot(const char *dsn)
{
	return dbtest_scalar(
		dsn, "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM ("
		     " SELECT 'o' || m::text AS t FROM public.organization_members m"
		     " UNION ALL SELECT 'w' || m::text FROM public.workspace_members m"
		     " UNION ALL SELECT 'p' || m::text FROM public.project_members m"
		     " UNION ALL SELECT 'g' || g.id || coalesce(g.owner_id::text, '-')"
		     " FROM public.organizations g"
		     " UNION ALL SELECT 'l' || count(*) FROM public.tenantctl_operator_log) x");
}

static void assert_scalar(const char *dsn, const char *sql, const char *want)
{
	char *v = dbtest_scalar(dsn, sql);
	if (!v || strcmp(v, want) != 0)
		fail_msg("expected '%s', got '%s' from %s", want, v ? v : "NULL", sql);
	free(v);
}

/* Viewing, read-only: the lists, the filter, the audit and a check's rows;
 * o on a row selects its org (the Members pane follows it back); A says
 * how to enable writes. */
static void lists_audit_and_rows(void **state)
{
	(void)state;
	fixture f;
	fixture_make_with(&f, DB, false, true, NULL);
	free(run_console(&f,
			 "2\n"
			 "dump members-all\n"
			 ":\ntext members org stark-industries\nENTER\n"
			 "dump members-org\n"
			 ":\ntext members clear\nENTER\n"
			 "f\n"
			 "dump members-flagged\n"
			 ":\ntext members flag off\nENTER\n"
			 "a\n"
			 "dump members-audit\n"
			 "j\nj\nj\nj\nj\nj\nj\nj\nj\nj\nENTER\n"
			 "dump members-audit-na\n"
			 "ESC\ng\nENTER\n"
			 "dump members-check-rows\n"
			 "ENTER\n"
			 "dump members-finding\n"
			 "o\n"
			 "2\nESC\nESC\nESC\n"
			 "dump members-followed\n"
			 "A\n"
			 "dump members-readonly\n"
			 "q\n",
			 "80x24", NULL));
	/* The header's findings (wider: at 80 columns they are past the edge). */
	free(run_console(&f, "2\ndump members-header\nq\n", "120x16", NULL));
	fixture_free(&f);
}

/* Staging: the sole owner is refused before anything is staged; two
 * marked rows removed, a role change, an add, one dropped again; the
 * review declined changes nothing, accepted applies all four with one
 * audit-log row each. */
static void stage_review_and_apply(void **state)
{
	(void)state;
	fixture f;
	fixture_make_with(&f, DB, true, true, NULL);
	char *before = snapshot(f.dsn);
	free(run_console(&f,
			 "2\n"
			 ":\ntext members org acme\nENTER\n"
			 /* alice is acme's only owner */
			 "D\n"
			 "dump members-last-owner\n"
			 "ESC\n"
			 "j\nSPACE\nSPACE\nD\n"
			 "dump members-staged-remove\n"
			 "E\nC-u\ntext developer\nENTER\n"
			 "A\nENTER\ntext zoe@example.org\nENTER\nENTER\nENTER\n"
			 "j\nD\n"
			 "S\n"
			 "G\nx\n"
			 "dump members-staged-list\n"
			 "ESC\n"
			 "W\n"
			 "dump members-review\n"
			 "n\n"
			 "dump members-declined\n"
			 "q\n"
			 "dump members-quit-warning\n"
			 "Q\n",
			 "80x24", NULL));
	char *after = snapshot(f.dsn);
	assert_string_equal(before, after); /* declined: nothing changed */
	free(after);
	free(before);
	char *nlogs = dbtest_scalar(f.dsn, "SELECT max(id) FROM public.tenantctl_operator_log");
	long logs = atol(nlogs);
	free(nlogs);

	free(run_console(&f,
			 "2\n"
			 ":\ntext members org acme\nENTER\n"
			 "j\nSPACE\nSPACE\nD\n"
			 "E\nC-u\ntext developer\nENTER\n"
			 "A\nENTER\ntext zoe@example.org\nENTER\nENTER\nENTER\n"
			 "W\ny\n"
			 "dump members-applied\n"
			 "q\n",
			 "80x24", NULL));
	assert_scalar(f.dsn,
		      "SELECT count(*) FROM public.organization_members m JOIN public.users u ON"
		      " u.id = m.user_id WHERE u.email IN ('bob.builder@acme.example',"
		      " 'carol@acme.example') AND m.deleted_at IS NULL",
		      "0");
	assert_scalar(f.dsn,
		      "SELECT m.role FROM public.organization_members m JOIN public.users u ON"
		      " u.id = m.user_id WHERE u.email = 'dave@acme.example' AND m.deleted_at IS NULL",
		      "developer");
	assert_scalar(f.dsn,
		      "SELECT m.role FROM public.organization_members m JOIN public.users u ON"
		      " u.id = m.user_id JOIN public.organizations o ON o.id = m.organization_id"
		      " WHERE u.email = 'zoe@example.org' AND o.slug = 'acme'",
		      "viewer");
	/* One row per change, in the order staged. */
	char *sql = xasprintf("SELECT string_agg(command, E'\\n' ORDER BY id) FROM"
			      " public.tenantctl_operator_log WHERE id > %ld",
			      logs);
	assert_scalar(f.dsn, sql,
		      "tenantctl members remove acme bob.builder@acme.example\n"
		      "tenantctl members remove acme carol@acme.example\n"
		      "tenantctl members set-role acme dave@acme.example developer\n"
		      "tenantctl members add acme zoe@example.org viewer");
	free(sql);
	assert_scalar(f.dsn,
		      "SELECT count(DISTINCT at) FROM public.tenantctl_operator_log WHERE command"
		      " LIKE 'tenantctl members %'",
		      "1"); /* one transaction */
	fixture_free(&f);
}

/* The owner allowlist (from the environment, as the reference profile
 * reads it): the flag shows, and a privileged role for an address outside
 * it is refused before it is staged. */
static void owner_allowlist_refused(void **state)
{
	(void)state;
	fixture f;
	fixture_make_with(&f, DB, true, true, NULL);
	/* The refusal names the profile's file and line, and wraps; a copy in
	 * the fixture's folder keeps the path (and so the wrapping) the same
	 * wherever the source tree is. */
	char *src = xasprintf("%s/db/profiles/default.conf", getenv("TC_SRCDIR"));
	char *copy = xasprintf("%s/default.conf", f.dir);
	char *profile = slurp(src);
	assert_non_null(profile);
	spit(copy, profile);
	char *cfg = slurp(f.cfg);
	char *cfg2 = xasprintf("%sprofile = %s\n", cfg, copy);
	spit(f.cfg, cfg2);
	char *before = snapshot(f.dsn);
	free(run_console(&f,
			 "2\n"
			 ":\ntext members org initech\nENTER\n"
			 "dump members-allowlist\n"
			 "G\nE\nC-u\ntext admin\nENTER\n"
			 "dump members-allowlist-refused\n"
			 "ESC\nW\n"
			 "dump members-nothing-staged\n"
			 "q\n",
			 "80x24", "TENANTCTL_OWNER_ALLOWLIST=acme.example"));
	char *after = snapshot(f.dsn);
	assert_string_equal(before, after);
	free(after);
	free(before);
	unlink(copy);
	free(cfg2);
	free(cfg);
	free(profile);
	free(copy);
	free(src);
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lists_audit_and_rows),
		cmocka_unit_test(stage_review_and_apply),
		cmocka_unit_test(owner_allowlist_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
