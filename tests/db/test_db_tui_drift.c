/* Golden screens of the Drift pane (tests/tuirun.h says how they run and
 * what is normalised), and what its writes leave behind: the allowlist
 * file's exact lines after :w, nothing at all after a refusal.
 *
 * The fixture: the demo's database (every migration but the newest, the
 * demo seed) with the demo's planted drift (db/seed/demo-drift.sql),
 * against a reference with every migration and nothing else, and an
 * allowlist with one rule that matches (the backup table) and one that
 * matches nothing. A second target, @older, stops before the newest
 * migration, for `:drift against`. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "dbtest.h"
#include "strbuf.h"
#include "tuirun.h"
#include "xalloc.h"

static const char allow_text[] =
	"# known drift\n"
	"table public.organizations_backup -- copy kept until the data fix is signed off\n"
	"index public.organizations_legacy_idx -- the old search index, dropped last year\n";

/* A database `name` with the reference migrations: all of them, or all
 * but the newest. Returns its DSN; caller frees. */
static char *migrated_db(const char *name, bool all)
{
	char *drop = xasprintf("DROP DATABASE IF EXISTS %s", name);
	char *create = xasprintf("CREATE DATABASE %s TEMPLATE tc_template", name);
	dbtest_exec(dbtest_admin_dsn(), drop);
	dbtest_exec(dbtest_admin_dsn(), create);
	free(drop);
	free(create);
	char *dsn = xasprintf("%s dbname=%s", dbtest_admin_dsn(), name);
	char *dir = xasprintf("%s/db/migrations", getenv("TC_SRCDIR"));
	cli_out o = cli_run(ARGS("migrate", "up", "--write", "-d", dsn, "--dir", dir), NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	if (!all) {
		o = cli_run(ARGS("migrate", "down", "--write", "-d", dsn, "--dir", dir), NULL);
		assert_int_equal(o.status, 0);
		cli_out_free(&o);
	}
	free(dir);
	return dsn;
}

static void plant_drift(const char *dsn)
{
	char *path = xasprintf("%s/db/seed/demo-drift.sql", getenv("TC_SRCDIR"));
	char *sql = slurp(path);
	if (!sql)
		fail_msg("cannot read %s", path);
	dbtest_exec(dsn, sql);
	free(sql);
	free(path);
}

typedef struct drift_fixture {
	fixture f;
	char *ref, *older;
	char *allowlist, *chosen; /* in the fixture's folder: shown as /tmp/tc-tui-XXXXXX/... */
} drift_fixture;

/* with_allowlist false: the target has no allowlist setting. */
static void make(drift_fixture *d, bool with_reference, bool with_allowlist)
{
	d->ref = migrated_db("tc_tui_drift_ref", true);
	d->older = migrated_db("tc_tui_drift_older", false);
	fixture_make_with(&d->f, "tc_tui_golden", false, true, NULL);
	plant_drift(d->f.dsn);
	d->allowlist = xasprintf("%s/allowlist", d->f.dir);
	d->chosen = xasprintf("%s/chosen", d->f.dir);
	spit(d->allowlist, allow_text);
	/* The rest of [target golden], then a second target. */
	char *cfg = slurp(d->f.cfg);
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, cfg);
	if (with_reference)
		sb_addf(&sb, "reference = \"%s\"\n", d->ref);
	if (with_allowlist)
		sb_addf(&sb, "allowlist = %s\n", d->allowlist);
	sb_addf(&sb, "[target older]\ndsn = \"%s\"\n", d->older);
	spit(d->f.cfg, sb_str(&sb));
	sb_free(&sb);
	free(cfg);
}

static void unmake(drift_fixture *d)
{
	unlink(d->allowlist);
	unlink(d->chosen);
	fixture_free(&d->f);
	free(d->allowlist);
	free(d->chosen);
	free(d->ref);
	free(d->older);
}

static void assert_file(const char *path, const char *want)
{
	char *got = slurp(path);
	if (!got)
		fail_msg("%s was not written", path);
	if (strcmp(got, want) != 0)
		fail_msg("%s holds:\n%s\nwanted:\n%s", path, got, want);
	free(got);
}

/* The tree (kinds, objects, folded values, the allowlisted row dimmed with
 * its reason, the stale rule), an object unfolded, a value and a long
 * definition as diffs, allowlisted rows hidden and shown again with t, and
 * a wider screen (the header's drift count). Read-only. */
static void tree_fold_diff_and_toggle(void **state)
{
	(void)state;
	drift_fixture d;
	make(&d, true, true);
	free(run_console(&d.f,
			 "3\n"
			 "dump drift-tree\n"
			 "j\nj\nENTER\n"
			 "dump drift-expanded\n"
			 "j\nENTER\n"
			 "dump drift-value\n"
			 "ESC\nj\nj\nENTER\nj\nENTER\n"
			 "dump drift-diff\n"
			 "ESC\nG\nk\n"
			 "dump drift-allowed\n"
			 "t\n"
			 "dump drift-hidden\n"
			 "t\nG\n"
			 "dump drift-stale\n"
			 "resize 120 30\n"
			 "dump drift-wide\n"
			 "q\n",
			 "80x24", NULL));
	unmake(&d);
}

/* a drafts a rule: the reason is asked for and required; the draft shows
 * as pending and nothing is written until :w, which appends exactly the
 * drafted lines; the allowlisted items then come from the file. q with
 * unsaved drafts warns once. Read-only: the allowlist is not the database. */
static void draft_and_save_rules(void **state)
{
	(void)state;
	drift_fixture d;
	make(&d, true, true);
	free(run_console(&d.f,
			 "3\n"
			 "j\nj\na\n"
			 "dump drift-reason\n"
			 "ENTER\n"
			 "dump drift-reason-required\n"
			 "text imports create unnamed projects until the importer is fixed\n"
			 "ENTER\n"
			 "dump drift-drafted\n"
			 "q\n"
			 "dump drift-quit-warning\n"
			 "j\nENTER\nj\na\n"
			 "dump drift-reason-attribute\n"
			 "text hot patch approved by #ops until the next release\n"
			 "ENTER\n"
			 "dump drift-drafted-two\n"
			 ":\ntext w\nENTER\n"
			 "dump drift-saved\n"
			 "q\n",
			 "80x24", NULL));
	char *want = xasprintf("%s%s%s", allow_text,
			       "column public.projects.name -- imports create unnamed projects until "
			       "the importer is fixed\n",
			       "function public.tenantctl_operator_log_reject() definition -- hot patch "
			       "approved by #ops until the next release\n");
	assert_file(d.allowlist, want);
	free(want);
	/* The database is untouched: the drift is still there. */
	char *n = dbtest_scalar(d.f.dsn, "SELECT count(*) FROM pg_indexes "
					 "WHERE indexname = 'organizations_name_lower_idx'");
	assert_string_equal(n, "1");
	free(n);
	unmake(&d);
}

/* Esc at the reason prompt drafts nothing and writes nothing. */
static void cancelled_draft_writes_nothing(void **state)
{
	(void)state;
	drift_fixture d;
	make(&d, true, true);
	free(run_console(&d.f, "3\nj\nj\na\ntext half a reason\nESC\ndump drift-cancelled\nq\n",
			 "80x24", NULL));
	assert_file(d.allowlist, allow_text);
	unmake(&d);
}

/* S: the reconcile SQL of all drift, then of the marked rows; s: of the
 * row under the cursor. The first lines (the shell command, then the
 * connections, whose socket folder changes) are scrolled past. */
static void reconcile_sql(void **state)
{
	(void)state;
	drift_fixture d;
	make(&d, true, true);
	free(run_console(&d.f,
			 "3\nS\nj\nj\nj\nj\nj\n"
			 "dump drift-sql\n"
			 "ESC\nj\nSPACE\nj\nSPACE\n"
			 "dump drift-marked\n"
			 "S\nj\nj\nj\nj\nj\n"
			 "dump drift-sql-marked\n"
			 "q\nq\n",
			 "80x24", NULL));
	free(run_console(&d.f, "3\nj\nj\ns\nj\nj\nj\nj\nj\ndump drift-sql-current\nq\nq\n", "80x12",
			 NULL));
	unmake(&d);
}

/* :drift against @TARGET compares with another reference for the session
 * (said in the title); one that cannot be read says why and shows nothing
 * of the previous comparison; :drift against alone goes back. */
static void drift_against_another_reference(void **state)
{
	(void)state;
	drift_fixture d;
	make(&d, true, true);
	free(run_console(&d.f,
			 "3\n:\ntext drift against @older\nENTER\n"
			 "dump drift-against\n"
			 ":\ntext drift against @nowhere\nENTER\n"
			 "dump drift-against-bad\n"
			 ":\ntext drift against\nENTER\n"
			 "dump drift-against-back\n"
			 "q\n",
			 "80x24", NULL));
	unmake(&d);
}

/* No allowlist configured: :w refuses, says how to set one and keeps the
 * draft; :w FILE saves there and the pane reads that file from then on.
 * No reference configured: the pane says how to set one. */
static void no_allowlist_no_reference(void **state)
{
	(void)state;
	drift_fixture d;
	make(&d, true, false);
	char *steps = xasprintf("3\n"
				"j\nj\nj\nj\na\ntext made by hand during the incident\nENTER\n"
				":\ntext w\nENTER\n"
				"dump drift-no-allowlist\n"
				":\ntext w %s\nENTER\n"
				"dump drift-saved-chosen\n"
				"q\n",
				d.chosen);
	free(run_console(&d.f, steps, "80x24", NULL));
	free(steps);
	assert_file(d.chosen,
		    "index public.organizations_name_lower_idx -- made by hand during the incident\n");
	assert_file(d.allowlist, allow_text);
	unmake(&d);

	make(&d, false, false);
	free(run_console(&d.f, "3\ndump drift-no-reference\nq\n", "80x24", NULL));
	unmake(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tree_fold_diff_and_toggle),
		cmocka_unit_test(draft_and_save_rules),
		cmocka_unit_test(cancelled_draft_writes_nothing),
		cmocka_unit_test(reconcile_sql),
		cmocka_unit_test(drift_against_another_reference),
		cmocka_unit_test(no_allowlist_no_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
