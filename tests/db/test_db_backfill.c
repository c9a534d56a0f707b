/* `tenantctl backfill` and `tenantctl log` against the reference schema with
 * the demo data (db/seed/demo.sql), through the built binary: dry runs,
 * batches with their audit rows, --limit and --resume, per-org failures,
 * the read-only gate, and the log's filters and paging. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "clirun.h"
#include "dbtest.h"
#include "strbuf.h"
#include "xalloc.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The ids the seed gives the orgs (see db/seed/demo.sql). */
#define ACME "20000000-0000-4000-8000-000000000001"
#define GLOBEX "20000000-0000-4000-8000-000000000002"
#define INITECH "20000000-0000-4000-8000-000000000003"
#define UMBRELLA "20000000-0000-4000-8000-000000000004"
#define SOYLENT "20000000-0000-4000-8000-000000000008"

/* Every org's resource state, to compare databases and before/after. */
#define RESOURCES_SQL                                                                            \
	"SELECT string_agg(slug || '=' || coalesce(stream_basin_name, '-') || '/' ||"          \
	" coalesce(retention_days::text, '-'), ' ' ORDER BY id) FROM public.organizations"
#define ORGS_MD5_SQL "SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM public.organizations o"
#define LOG_COUNT_SQL "SELECT count(*) FROM public.tenantctl_operator_log"

static char *template_name; /* migrated and seeded, copied per test */

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected to find '%s' in:\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("did not expect '%s' in:\n%s", needle, hay);
}

static void assert_scalar(const char *dsn, const char *sql, const char *want)
{
	char *got = dbtest_scalar(dsn, sql);
	if (!got || strcmp(got, want) != 0)
		fail_msg("%s\n  gave '%s', expected '%s'", sql, got ? got : "(null)", want);
	free(got);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s", path);
	strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_addn(&sb, buf, n);
	fclose(f);
	return sb_steal(&sb);
}

/* The database name at the end of a dbtest conninfo ("... dbname='X'"). */
static char *dbname_of(const char *dsn)
{
	const char *p = strstr(dsn, "dbname='");
	assert_non_null(p);
	p += strlen("dbname='");
	return xstrndup(p, strcspn(p, "'"));
}

/* The lines of the plain output (a header, then rows) that contain word. */
static int count_lines_with(const char *text, const char *word)
{
	int n = 0;
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *l = xstrndup(line, len);
		if (strstr(l, word))
			n++;
		free(l);
		line = end ? end + 1 : NULL;
	}
	return n;
}

/* The first column of each row of plain output (after the header). */
static size_t first_column(const char *text, long *out, size_t max)
{
	size_t n = 0;
	const char *line = strchr(text, '\n'); /* skip the header */
	while (line && *++line && n < max) {
		out[n++] = strtol(line, NULL, 10);
		line = strchr(line, '\n');
	}
	return n;
}

static int group_setup(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *dir = xasprintf("%s/db/migrations", getenv("TC_SRCDIR"));
	cli_out o = cli_run(ARGS("migrate", "up", "--write", "-d", dsn, "--dir", dir), NULL);
	if (o.status != 0) {
		fprintf(stderr, "migrate up failed: %s\n", o.err);
		return -1;
	}
	cli_out_free(&o);
	char *seed_path = xasprintf("%s/db/seed/demo.sql", getenv("TC_SRCDIR"));
	char *seed = slurp(seed_path);
	dbtest_exec(dsn, seed);
	free(seed);
	free(seed_path);
	free(dir);
	template_name = dbname_of(dsn);
	free(dsn);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(template_name);
	return 0;
}

static char *demo_db(void)
{
	return dbtest_new_db_from(template_name);
}

/* ------------------------------------------------------------------ resources */

static void resources_dry_run_reports_and_changes_nothing(void **state)
{
	(void)state;
	char *dsn = demo_db();
	char *before = dbtest_scalar(dsn, ORGS_MD5_SQL);
	/* A dry run needs no --write. */
	cli_out o = cli_run(ARGS("backfill", "resources", "--dry-run", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "initech\twould change\tstream_basin_name: NULL -> 'basin-initech'; "
			       "retention_days: NULL -> '30'");
	assert_contains(o.out, "hooli\twould change\tstream_basin_name: 'hooli-events' -> NULL; "
			       "retention_days: '30' -> NULL");
	/* umbrella's retention (180) is not its plan's (365): reported, never
	 * overwritten. */
	assert_contains(o.out, "umbrella\tskipped\tretention_days is '180', not the enterprise "
			       "plan's '365'");
	assert_int_equal(count_lines_with(o.out, "would change"), 2);
	assert_lacks(o.out, "acme");
	assert_lacks(o.out, "soylent");
	assert_lacks(o.out, "wayne"); /* soft-deleted: left alone */
	assert_contains(o.err, "dry run: backfill resources: 8 organizations looked at: 2 would "
			       "change, 1 skipped, 0 failed; nothing was changed");
	cli_out_free(&o);

	char *after = dbtest_scalar(dsn, ORGS_MD5_SQL);
	assert_string_equal(before, after);
	assert_scalar(dsn, "SELECT to_regclass('public.tenantctl_backfill_state') IS NULL", "t");
	assert_scalar(dsn, LOG_COUNT_SQL, "3");
	free(before);
	free(after);
	free(dsn);
}

static void resources_apply_fixes_exactly_the_planted_orgs(void **state)
{
	(void)state;
	char *dsn = demo_db();
	cli_out o = cli_run(ARGS("backfill", "resources", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "initech\tchanged\t");
	assert_contains(o.out, "hooli\tchanged\t");
	assert_int_equal(count_lines_with(o.out, "\tchanged\t"), 2);
	assert_contains(o.err, "batch 1: 8 orgs, 2 changed, 1 skipped, 0 failed");
	assert_contains(o.err, "backfill resources: done: 8 organizations in 1 batch: 2 changed, 1 "
			       "skipped, 0 failed");
	cli_out_free(&o);
	assert_scalar(dsn, RESOURCES_SQL,
		      "acme=acme-events/365 globex=globex-events/30 initech=basin-initech/30 "
		      "umbrella=umbrella-events/180 hooli=-/- "
		      "stark-industries=stark-industries-events/30 "
		      "wayne-enterprises=wayne-enterprises-events/90 soylent=-/-");
	/* The run is recorded as done, and audited: one batch, one row. */
	assert_scalar(dsn, "SELECT done::text || ' ' || \"cursor\" FROM "
			   "public.tenantctl_backfill_state WHERE name = 'resources'",
		      "true 20000000-0000-4000-8000-000000000008");
	assert_scalar(dsn, "SELECT count(*) || ' ' || sum(rows_affected) || ' ' || min(outcome) "
			   "FROM public.tenantctl_operator_log WHERE command = 'tenantctl backfill "
			   "resources'",
		      "1 2 applied");
	assert_scalar(dsn, "SELECT target FROM public.tenantctl_operator_log ORDER BY id DESC LIMIT 1",
		      "backfill resources batch 1 (org ids " ACME " .. " SOYLENT
		      "); changed: org initech, org hooli");

	/* Idempotent: a second run finds nothing and writes nothing. */
	char *before = dbtest_scalar(dsn, ORGS_MD5_SQL);
	o = cli_run(ARGS("backfill", "resources", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(count_lines_with(o.out, "changed"), 0);
	assert_contains(o.err, "backfill resources: nothing to change in 8 organizations (0 to "
			       "change, 1 skipped, 0 failed); nothing was written");
	cli_out_free(&o);
	char *after = dbtest_scalar(dsn, ORGS_MD5_SQL);
	assert_string_equal(before, after);
	assert_scalar(dsn, LOG_COUNT_SQL, "4");
	free(before);
	free(after);
	free(dsn);
}

static void resources_one_audit_row_per_batch(void **state)
{
	(void)state;
	char *dsn = demo_db();
	cli_out o = cli_run(ARGS("backfill", "resources", "--batch", "3", "--write", "--yes", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.err, "batch 1: 3 orgs, 1 changed, 0 skipped, 0 failed\n");
	assert_contains(o.err, "batch 2: 6 orgs, 2 changed, 1 skipped, 0 failed\n");
	assert_contains(o.err, "batch 3: 8 orgs, 2 changed, 1 skipped, 0 failed\n");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT string_agg(rows_affected::text, ',' ORDER BY id) FROM "
			   "public.tenantctl_operator_log WHERE command LIKE 'tenantctl backfill%'",
		      "1,1,0");
	assert_scalar(dsn, "SELECT string_agg(target, ' | ' ORDER BY id) FROM "
			   "public.tenantctl_operator_log WHERE command LIKE 'tenantctl backfill%'",
		      "backfill resources batch 1 (org ids " ACME " .. " INITECH
		      "); changed: org initech | backfill resources batch 2 (org ids " UMBRELLA
		      " .. 20000000-0000-4000-8000-000000000006); changed: org hooli | backfill "
		      "resources batch 3 (org ids 20000000-0000-4000-8000-000000000007 .. " SOYLENT
		      ")");
	free(dsn);
}

static void limit_then_resume_finishes_like_a_straight_run(void **state)
{
	(void)state;
	char *dsn = demo_db();

	/* The first two orgs need nothing: the cursor still moves past them. */
	cli_out o = cli_run(ARGS("backfill", "resources", "--limit", "2", "--batch", "1", "--write",
				 "--yes", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.err, "nothing to change in 2 organizations; stopped at --limit 2");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT done::text || ' ' || \"cursor\" FROM "
			   "public.tenantctl_backfill_state WHERE name = 'resources'",
		      "false " GLOBEX);

	/* Two more, one org per batch: initech is changed, umbrella skipped. */
	o = cli_run(ARGS("backfill", "resources", "--limit", "2", "--batch", "1", "--resume",
			 "--write", "--yes", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.err, "resuming the run started");
	assert_contains(o.err, "batch 1: 1 org, 1 changed, 0 skipped, 0 failed\n");
	assert_contains(o.err, "batch 2: 2 orgs, 1 changed, 1 skipped, 0 failed\n");
	assert_contains(o.err, "stopped after 2 organizations (--limit 2) in 2 batches: 1 changed");
	assert_contains(o.out, "initech\tchanged\t");
	assert_lacks(o.out, "hooli");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT done::text || ' ' || \"cursor\" FROM "
			   "public.tenantctl_backfill_state WHERE name = 'resources'",
		      "false " UMBRELLA);
	/* hooli is not done yet */
	assert_scalar(dsn, "SELECT stream_basin_name FROM public.organizations WHERE slug = 'hooli'",
		      "hooli-events");

	/* A dry run of the rest, from the cursor. */
	o = cli_run(ARGS("backfill", "resources", "--resume", "--dry-run", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "hooli\twould change");
	assert_lacks(o.out, "initech");
	assert_contains(o.err, "4 organizations looked at after org id " UMBRELLA
			       ": 1 would change");
	cli_out_free(&o);

	/* The rest. */
	o = cli_run(ARGS("backfill", "resources", "--resume", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "hooli\tchanged\t");
	assert_contains(o.err, "done: 4 organizations in 1 batch: 1 changed, 0 skipped");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT done::text FROM public.tenantctl_backfill_state", "true");
	/* 0 + 1 + 1 changed, as many as one straight run on a fresh copy, and
	 * the same end state. */
	assert_scalar(dsn, "SELECT sum(rows_affected) FROM public.tenantctl_operator_log WHERE "
			   "command LIKE 'tenantctl backfill%'",
		      "2");
	char *fresh = demo_db();
	o = cli_run(ARGS("backfill", "resources", "--write", "--yes", "-d", fresh), NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(count_lines_with(o.out, "\tchanged\t"), 2);
	cli_out_free(&o);
	char *a = dbtest_scalar(dsn, ORGS_MD5_SQL), *b = dbtest_scalar(fresh, ORGS_MD5_SQL);
	assert_string_equal(a, b);
	free(a);
	free(b);

	/* Nothing left to resume. */
	o = cli_run(ARGS("backfill", "resources", "--resume", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "nothing to resume: the last run of backfill resources finished");
	cli_out_free(&o);
	free(fresh);
	free(dsn);
}

static void a_run_stopped_by_an_error_resumes_where_it_stopped(void **state)
{
	(void)state;
	char *dsn = demo_db();
	/* A lock timeout on hooli stands for any interruption that is not the
	 * org's fault (a lost connection, a kill): the run stops there. */
	dbtest_exec(dsn, "CREATE FUNCTION public.busy() RETURNS trigger LANGUAGE plpgsql AS $$"
			 " BEGIN IF NEW.slug = 'hooli' THEN RAISE EXCEPTION 'hooli is busy'"
			 " USING ERRCODE = 'lock_not_available'; END IF; RETURN NEW; END $$;"
			 "CREATE TRIGGER busy BEFORE UPDATE ON public.organizations"
			 " FOR EACH ROW EXECUTE FUNCTION public.busy()");
	cli_out o = cli_run(ARGS("backfill", "resources", "--batch", "3", "--write", "--yes", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 3);
	assert_contains(o.err, "batch 1: 3 orgs, 1 changed, 0 skipped, 0 failed\n");
	assert_contains(o.err, "backfill resources stopped in batch 2 (3 orgs done before it, "
			       "committed): hooli is busy");
	assert_contains(o.err, "tenantctl backfill resources --resume");
	cli_out_free(&o);
	/* batch 1 stayed, with its cursor and its audit row */
	assert_scalar(dsn, "SELECT done::text || ' ' || \"cursor\" FROM "
			   "public.tenantctl_backfill_state",
		      "false " INITECH);
	assert_scalar(dsn, "SELECT stream_basin_name FROM public.organizations WHERE slug = "
			   "'initech'",
		      "basin-initech");
	assert_scalar(dsn, "SELECT count(*) FROM public.tenantctl_operator_log WHERE command LIKE "
			   "'tenantctl backfill%'",
		      "1");

	dbtest_exec(dsn, "DROP TRIGGER busy ON public.organizations");
	o = cli_run(ARGS("backfill", "resources", "--batch", "3", "--resume", "--write", "--yes",
			 "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.err, "done: 5 organizations in 2 batches: 1 changed, 1 skipped, 0 failed");
	assert_contains(o.out, "hooli\tchanged\t");
	assert_lacks(o.out, "initech");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT sum(rows_affected) FROM public.tenantctl_operator_log WHERE "
			   "command LIKE 'tenantctl backfill%'",
		      "2");
	assert_scalar(dsn, RESOURCES_SQL,
		      "acme=acme-events/365 globex=globex-events/30 initech=basin-initech/30 "
		      "umbrella=umbrella-events/180 hooli=-/- "
		      "stark-industries=stark-industries-events/30 "
		      "wayne-enterprises=wayne-enterprises-events/90 soylent=-/-");
	free(dsn);
}

static void interrupted_run_without_resume_starts_over(void **state)
{
	(void)state;
	char *dsn = demo_db();
	cli_out o = cli_run(ARGS("backfill", "resources", "--limit", "3", "--write", "--yes", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT done::text || ' ' || \"cursor\" FROM "
			   "public.tenantctl_backfill_state",
		      "false " INITECH);
	o = cli_run(ARGS("backfill", "resources", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.err, "warning: a previous run was interrupted after org id " INITECH);
	assert_contains(o.err, "starting over from the beginning (pass --resume to continue");
	/* From the beginning: all 8 orgs; initech is already done. */
	assert_contains(o.err, "done: 8 organizations in 1 batch: 1 changed, 1 skipped");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT done::text FROM public.tenantctl_backfill_state", "true");
	free(dsn);
}

static void a_failing_org_is_isolated_with_its_reason(void **state)
{
	(void)state;
	char *dsn = demo_db();
	/* initech's new basin name breaks a constraint; hooli's fix does not. */
	dbtest_exec(dsn, "ALTER TABLE public.organizations ADD CONSTRAINT no_initech_basin "
			 "CHECK (stream_basin_name IS DISTINCT FROM 'basin-initech') NOT VALID");
	cli_out o = cli_run(ARGS("backfill", "resources", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 1);
	assert_contains(o.out, "initech\tfailed\tnew row for relation \"organizations\" violates "
			       "check constraint \"no_initech_basin\"");
	assert_contains(o.out, "hooli\tchanged\t");
	assert_contains(o.err, "done: 8 organizations in 1 batch: 1 changed, 1 skipped, 1 failed");
	assert_contains(o.err, "run the backfill again");
	cli_out_free(&o);
	assert_scalar(dsn, RESOURCES_SQL,
		      "acme=acme-events/365 globex=globex-events/30 initech=-/- "
		      "umbrella=umbrella-events/180 hooli=-/- "
		      "stark-industries=stark-industries-events/30 "
		      "wayne-enterprises=wayne-enterprises-events/90 soylent=-/-");
	assert_scalar(dsn, "SELECT rows_affected || ' ' || outcome FROM "
			   "public.tenantctl_operator_log ORDER BY id DESC LIMIT 1",
		      "1 applied (1 failed)");
	free(dsn);
}

/* ------------------------------------------------------------------ owner-memberships */

static void owner_memberships_creates_the_missing_one(void **state)
{
	(void)state;
	char *dsn = demo_db();
	/* soylent's owner (sol, the pointer) lost his membership; globex's
	 * pointer names hank, whose account is soft-deleted. initech's pointer
	 * (bill) is an admin there, as the seed has it. */
	dbtest_exec(dsn, "UPDATE public.organization_members SET deleted_at = now() "
			 "WHERE id = '50000000-0000-4000-8000-000000000031';"
			 "UPDATE public.organizations SET owner_id = "
			 "'10000000-0000-4000-8000-000000000007' WHERE slug = 'globex'");

	cli_out o = cli_run(ARGS("backfill", "owner-memberships", "--dry-run", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "soylent\twould change\tadd sol@soylent.example as owner");
	assert_contains(o.out, "initech\tskipped\tbill@initech.example has a membership with role "
			       "admin; promote by hand");
	assert_contains(o.out, "globex\tskipped\tthe owner pointer names hank@globex.example, a "
			       "soft-deleted user");
	assert_contains(o.err, "1 would change, 2 skipped, 0 failed");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT count(*) FROM public.organization_members WHERE organization_id "
			   "= '" SOYLENT "' AND role = 'owner' AND deleted_at IS NULL",
		      "0");

	o = cli_run(ARGS("backfill", "owner-memberships", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "soylent\tchanged\tadd sol@soylent.example as owner");
	assert_int_equal(count_lines_with(o.out, "\tskipped\t"), 2);
	assert_contains(o.err, "done: 8 organizations in 1 batch: 1 changed, 2 skipped, 0 failed");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT string_agg(user_id::text || ' ' || role, ',') FROM "
			   "public.organization_members WHERE organization_id = '" SOYLENT
			   "' AND role = 'owner' AND deleted_at IS NULL",
		      "10000000-0000-4000-8000-000000000028 owner");
	/* bill was not promoted, nobody was added to globex */
	assert_scalar(dsn, "SELECT count(*) FROM public.organization_members WHERE role = 'owner' "
			   "AND deleted_at IS NULL AND organization_id IN ('" GLOBEX "', '" INITECH
			   "')",
		      "1");
	assert_scalar(dsn, "SELECT rows_affected || ' ' || target FROM "
			   "public.tenantctl_operator_log ORDER BY id DESC LIMIT 1",
		      "1 backfill owner-memberships batch 1 (org ids " ACME " .. " SOYLENT
		      "); changed: org soylent");

	o = cli_run(ARGS("backfill", "owner-memberships", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.err, "nothing to change in 8 organizations");
	cli_out_free(&o);
	free(dsn);
}

/* ------------------------------------------------------------------ refusals */

static void refusals(void **state)
{
	(void)state;
	char *dsn = demo_db();
	char *before = dbtest_scalar(dsn, ORGS_MD5_SQL);

	/* read-only session */
	cli_out o = cli_run(ARGS("backfill", "resources", "-d", dsn), NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "read-only");
	cli_out_free(&o);

	/* unknown backfill */
	o = cli_run(ARGS("backfill", "everything", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "unknown backfill 'everything'");
	assert_contains(o.err, "resources, owner-memberships");
	cli_out_free(&o);

	/* declined (no terminal, no --yes) */
	o = cli_run(ARGS("backfill", "resources", "--write", "-d", dsn), NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "not run: declined; nothing was changed");
	cli_out_free(&o);

	/* bad numbers */
	o = cli_run(ARGS("backfill", "resources", "--batch", "0", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "--batch takes a whole number");
	cli_out_free(&o);
	o = cli_run(ARGS("backfill", "resources", "--limit", "2x", "--dry-run", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	cli_out_free(&o);

	/* nothing to resume */
	o = cli_run(ARGS("backfill", "resources", "--resume", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "nothing to resume: backfill resources has not run here");
	cli_out_free(&o);

	/* a profile without the mapping: not applicable, naming what is missing */
	char *prof = xasprintf("/tmp/tc-bf-%d.conf", (int)getpid());
	FILE *f = fopen(prof, "w");
	assert_non_null(f);
	fputs("[users]\ntable = public.users\nid = id\nemail = email\n\n"
	      "[organizations]\ntable = public.organizations\nid = id\nslug = slug\nname = name\n",
	      f);
	fclose(f);
	o = cli_run(ARGS("backfill", "resources", "--dry-run", "--profile", prof, "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "backfill resources does not apply to this deployment");
	assert_contains(o.err, "[organizations] plan, [organizations] resource.NAME, [resources] "
			       "paid_plans or free_plans");
	cli_out_free(&o);
	o = cli_run(ARGS("backfill", "owner-memberships", "--write", "--yes", "--profile", prof, "-d",
			 dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "[organizations] owner, [members.org] table");
	assert_contains(o.err, "[roles] owner");
	cli_out_free(&o);
	unlink(prof);
	free(prof);

	/* another run holds the backfill's lock */
	PGconn *holder = PQconnectdb(dsn);
	assert_int_equal(PQstatus(holder), CONNECTION_OK);
	PGresult *r = PQexec(holder, "SELECT pg_advisory_lock(hashtext('tenantctl backfill'), "
				     "hashtext('resources'))");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	o = cli_run(ARGS("backfill", "resources", "--write", "--yes", "-d", dsn), NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "backfill resources is already running");
	cli_out_free(&o);
	/* ... a dry run still looks */
	o = cli_run(ARGS("backfill", "resources", "--dry-run", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	PQfinish(holder);

	char *after = dbtest_scalar(dsn, ORGS_MD5_SQL);
	assert_string_equal(before, after);
	assert_scalar(dsn, LOG_COUNT_SQL, "3");
	free(before);
	free(after);
	free(dsn);
}

/* ------------------------------------------------------------------ log */

static void log_lists_filters_and_pages(void **state)
{
	(void)state;
	char *dsn = demo_db();
	/* three batch rows on top of the seed's three (200, 10 and 2 days old) */
	cli_out o = cli_run(ARGS("backfill", "resources", "--batch", "3", "--write", "--yes", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);

	o = cli_run(ARGS("log", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	long ids[16];
	size_t n = first_column(o.out, ids, 16);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ids[i], 6 - (long)i); /* newest first */
	assert_contains(o.out, "id\tat\tos_user\tdb_user\tapplication_name\tclient_addr\tcommand\t"
			       "target\trows_affected\toutcome\n");
	assert_contains(o.out, "\ttenantctl backfill resources --batch 3\tbackfill resources batch 1");
	assert_contains(o.out, "\tpostgres\ttenantctl\t\\N\ttenantctl -t prod migrate preview\t");
	assert_contains(o.err, "6 entries, newest first; no older ones");
	cli_out_free(&o);

	/* paging by key */
	o = cli_run(ARGS("log", "--limit", "2", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	n = first_column(o.out, ids, 16);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 6);
	assert_int_equal(ids[1], 5);
	assert_contains(o.err, "2 entries, newest first; older ones: --after 5");
	cli_out_free(&o);
	o = cli_run(ARGS("log", "--after", "5", "--limit", "2", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	n = first_column(o.out, ids, 16);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 4);
	assert_int_equal(ids[1], 3);
	cli_out_free(&o);
	o = cli_run(ARGS("log", "--after", "1", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(first_column(o.out, ids, 16), 0);
	cli_out_free(&o);

	/* --since: an interval, or a time the server reads */
	o = cli_run(ARGS("log", "--since", "1 hour", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	n = first_column(o.out, ids, 16);
	assert_int_equal(n, 3);
	assert_int_equal(ids[2], 4);
	cli_out_free(&o);
	o = cli_run(ARGS("log", "--since", "3 days ago", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(first_column(o.out, ids, 16), 4);
	cli_out_free(&o);
	char *t = dbtest_scalar(dsn, "SELECT (now() - interval '11 days')::text");
	o = cli_run(ARGS("log", "--since", t, "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(first_column(o.out, ids, 16), 5);
	cli_out_free(&o);
	free(t);
	o = cli_run(ARGS("log", "--since", "last tuesday-ish", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "--since 'last tuesday-ish' is not a time or an interval");
	cli_out_free(&o);

	/* --org: whole slugs in the target conventions */
	o = cli_run(ARGS("log", "--org", "initech", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	n = first_column(o.out, ids, 16);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 4);
	cli_out_free(&o);
	o = cli_run(ARGS("log", "--org", "soylent", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	n = first_column(o.out, ids, 16);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 1);
	cli_out_free(&o);
	o = cli_run(ARGS("log", "--org", "wayne", "-d", dsn), NULL); /* not wayne-enterprises */
	assert_int_equal(o.status, 0);
	assert_int_equal(first_column(o.out, ids, 16), 0);
	cli_out_free(&o);
	o = cli_run(ARGS("log", "--org", "wayne-enterprises", "--since", "30 days", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	n = first_column(o.out, ids, 16);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 2);
	cli_out_free(&o);
	/* regex and SQL characters are only text */
	o = cli_run(ARGS("log", "--org", "in.tech", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(first_column(o.out, ids, 16), 0);
	cli_out_free(&o);
	o = cli_run(ARGS("log", "--org", "x'); DROP TABLE users; --(\\", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(first_column(o.out, ids, 16), 0);
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT count(*) FROM public.users", "31");

	/* bad keys */
	o = cli_run(ARGS("log", "--after", "five", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	cli_out_free(&o);

	/* JSON for scripts */
	o = cli_run(ARGS("log", "--json", "--limit", "1", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "\"id\":6,");
	assert_contains(o.out, "\"rows_affected\":0,");
	cli_out_free(&o);
	free(dsn);
}

static void log_without_the_table(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	cli_out o = cli_run(ARGS("log", "-d", dsn), NULL);
	assert_int_equal(o.status, 3);
	assert_contains(o.err, "this deployment has no operator audit log");
	assert_contains(o.err, "apply the reference migrations");
	cli_out_free(&o);
	free(dsn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resources_dry_run_reports_and_changes_nothing),
		cmocka_unit_test(resources_apply_fixes_exactly_the_planted_orgs),
		cmocka_unit_test(resources_one_audit_row_per_batch),
		cmocka_unit_test(limit_then_resume_finishes_like_a_straight_run),
		cmocka_unit_test(a_run_stopped_by_an_error_resumes_where_it_stopped),
		cmocka_unit_test(interrupted_run_without_resume_starts_over),
		cmocka_unit_test(a_failing_org_is_isolated_with_its_reason),
		cmocka_unit_test(owner_memberships_creates_the_missing_one),
		cmocka_unit_test(refusals),
		cmocka_unit_test(log_lists_filters_and_pages),
		cmocka_unit_test(log_without_the_table),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
