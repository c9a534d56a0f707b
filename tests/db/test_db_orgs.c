/* The `orgs` commands against the reference schema with its demo data:
 * keyset pages, search, show, and every write path (create with its slug
 * rules, owner and allowlist, a slug race between two processes, rename,
 * set-plan with the resource rules, delete), each checked in the database
 * afterwards, with the operator audit log, the read-only gate, dry runs and
 * declined confirmations. The binary is driven as an operator would. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "dbtest.h"
#include "strbuf.h"
#include "xalloc.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
/* The policy variables of the default profile, unset for every run. */
#define ENV ARGS("TENANTCTL_OWNER_ALLOWLIST", "TENANTCTL_BLOCKED_DOMAINS", "NO_COLOR=1")

static char *template_name; /* migrated and seeded; each test copies it */

/* ------------------------------------------------------------------ helpers */

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

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s (is TC_SRCDIR the source tree?)", path);
	strbuf sb = STRBUF_INIT;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		sb_addn(&sb, chunk, got);
	fclose(f);
	sb_add(&sb, "");
	return sb_steal(&sb);
}

static char *write_temp(const char *text)
{
	char *path = xasprintf("/tmp/tc-orgs-%d-XXXXXX", (int)getpid());
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const char *srcdir(void)
{
	const char *d = getenv("TC_SRCDIR");
	return d && *d ? d : ".";
}

/* The database name of a dbtest conninfo (it ends in dbname='NAME'). */
static char *dbname_of(const char *dsn)
{
	const char *p = strstr(dsn, "dbname='");
	assert_non_null(p);
	p += strlen("dbname='");
	return xstrndup(p, strcspn(p, "'"));
}

/* A fresh copy of the seeded reference deployment. */
static char *fresh(void)
{
	return dbtest_new_db_from(template_name);
}

/* tenantctl ARGS... -d DSN, with the policy variables unset. */
static cli_out run(const char *dsn, const char *const *args)
{
	const char *argv[32];
	size_t n = 0;
	for (; args[n]; n++) {
		assert_true(n < 28);
		argv[n] = args[n];
	}
	argv[n++] = "-d";
	argv[n++] = dsn;
	argv[n] = NULL;
	return cli_run(argv, ENV);
}

/* Run and expect an exit status; returns the output for more checks. */
static cli_out run_ok(const char *dsn, const char *const *args, int status)
{
	cli_out o = run(dsn, args);
	if (o.status != status)
		fail_msg("exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", o.status, status, o.out,
			 o.err);
	return o;
}

static void expect_scalar(const char *dsn, const char *sql, const char *want)
{
	char *v = dbtest_scalar(dsn, sql);
	if (!want && v)
		fail_msg("expected NULL from %s, got '%s'", sql, v);
	if (want && (!v || strcmp(v, want) != 0))
		fail_msg("expected '%s' from %s, got '%s'", want, sql, v ? v : "NULL");
	free(v);
}

/* The values of one column of plain (tab-separated, header first) output,
 * joined by ','. Caller frees. */
static char *column(const char *out, const char *name)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "");
	int idx = -1;
	bool header = true;
	for (const char *line = out; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *l = xstrndup(line, len);
		int k = 0;
		char *save = NULL;
		for (char *f = l, *tab; f; f = tab ? tab + 1 : NULL, k++) {
			tab = strchr(f, '\t');
			if (tab)
				*tab = '\0';
			if (header && strcmp(f, name) == 0)
				idx = k;
			else if (!header && k == idx)
				save = f;
		}
		if (!header && save)
			sb_addf(&sb, "%s%s", sb.len ? "," : "", save);
		if (header && idx < 0)
			fail_msg("no column '%s' in:\n%s", name, out);
		header = false;
		free(l);
		line = nl ? nl + 1 : line + len;
	}
	return sb_steal(&sb);
}

static void expect_column(const char *out, const char *name, const char *want)
{
	char *got = column(out, name);
	if (strcmp(got, want) != 0)
		fail_msg("column %s: '%s', expected '%s' in:\n%s", name, got, want, out);
	free(got);
}

/* The value of KEY in plain record output ("key\tvalue" lines). */
static void expect_field(const char *out, const char *key, const char *want)
{
	char *needle = xasprintf("%s\t%s\n", key, want);
	if (!strstr(out, needle))
		fail_msg("expected %s = '%s' in:\n%s", key, want, out);
	free(needle);
}

/* The --after value a page's summary offers; caller frees. */
static char *next_key(const char *err)
{
	const char *p = strstr(err, "--after '");
	if (!p)
		fail_msg("no next page in:\n%s", err);
	p += strlen("--after '");
	return xstrndup(p, strcspn(p, "'"));
}

static char *oplog_count(const char *dsn)
{
	return dbtest_scalar(dsn, "SELECT count(*) FROM public.tenantctl_operator_log "
				  "WHERE command LIKE 'tenantctl orgs %'");
}

static void expect_oplog(const char *dsn, const char *want)
{
	char *n = oplog_count(dsn);
	if (strcmp(n, want) != 0)
		fail_msg("expected %s orgs rows in the operator log, found %s", want, n);
	free(n);
}

/* ------------------------------------------------------------------ setup */

static int setup(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *dir = xasprintf("%s/db/migrations", srcdir());
	cli_out o = cli_run(ARGS("migrate", "up", "--write", "-d", dsn, "--dir", dir), NULL);
	if (o.status != 0) {
		fprintf(stderr, "migrate up failed: %s\n", o.err);
		return -1;
	}
	cli_out_free(&o);
	char *path = xasprintf("%s/db/seed/demo.sql", srcdir());
	char *seed = read_file(path);
	dbtest_exec(dsn, seed);
	template_name = dbname_of(dsn);
	free(seed);
	free(path);
	free(dir);
	free(dsn);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(template_name);
	return 0;
}

/* ------------------------------------------------------------------ reads */

static void list_pages_by_slug(void **state)
{
	(void)state;
	char *dsn = fresh();
	cli_out o = run_ok(dsn, ARGS("orgs", "list", "--limit", "3"), 0);
	expect_column(o.out, "slug", "acme,globex,hooli");
	expect_column(o.out, "members", "6,3,5");
	expect_column(o.out, "owners", "1,0,1");
	expect_column(o.out, "plan", "enterprise,team,free");
	assert_contains(o.out, "stream_basin_name=acme-events, retention_days=365");
	assert_contains(o.err, "3 organizations; next page: --after 'hooli'");
	cli_out_free(&o);

	o = run_ok(dsn, ARGS("orgs", "list", "--limit", "3", "--after", "hooli"), 0);
	expect_column(o.out, "slug", "initech,soylent,stark-industries");
	expect_column(o.out, "resources", "none,none,"
					  "stream_basin_name=stark-industries-events, retention_days=30");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--limit", "3", "--after", "stark-industries"), 0);
	expect_column(o.out, "slug", "umbrella");
	assert_contains(o.err, "1 organization (last page)");
	cli_out_free(&o);

	/* Soft-deleted orgs only when asked. */
	o = run_ok(dsn, ARGS("orgs", "list"), 0);
	expect_column(o.out, "slug",
		      "acme,globex,hooli,initech,soylent,stark-industries,umbrella");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--deleted", "--after", "umbrella"), 0);
	expect_column(o.out, "slug", "wayne-enterprises");
	assert_contains(o.out, "deleted");
	cli_out_free(&o);

	/* JSON rows carry their key. */
	o = run_ok(dsn, ARGS("orgs", "list", "--limit", "1", "--json"), 0);
	assert_contains(o.out, "\"slug\":\"acme\"");
	assert_contains(o.out, "\"members\":6");
	assert_contains(o.out, "\"key\":\"acme\"");
	cli_out_free(&o);

	o = run_ok(dsn, ARGS("orgs", "list", "--limit", "0"), 2);
	assert_contains(o.err, "--limit takes a whole number from 1 to 1000");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--limit", "1001"), 2);
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "size"), 2);
	cli_out_free(&o);
	free(dsn);
}

static void list_sorted_by_created_and_members(void **state)
{
	(void)state;
	char *dsn = fresh();
	/* Oldest first: acme 700 days, globex 680, initech 510, umbrella 450,
	 * hooli 365, stark-industries 300, (wayne 280, deleted), soylent 200. */
	cli_out o = run_ok(dsn, ARGS("orgs", "list", "--sort", "created", "--limit", "3"), 0);
	expect_column(o.out, "slug", "acme,globex,initech");
	char *key = next_key(o.err);
	assert_non_null(strstr(key, "|20000000-0000-4000-8000-000000000003"));
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "created", "--limit", "3", "--after", key),
		   0);
	expect_column(o.out, "slug", "umbrella,hooli,stark-industries");
	free(key);
	key = next_key(o.err);
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "created", "--limit", "3", "--after", key),
		   0);
	expect_column(o.out, "slug", "soylent");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "created", "--deleted", "--after", key), 0);
	expect_column(o.out, "slug", "wayne-enterprises,soylent");
	cli_out_free(&o);
	free(key);

	/* Two orgs created in the same instant: the id breaks the tie, and a
	 * page boundary between them loses neither. */
	dbtest_exec(dsn, "INSERT INTO public.organizations (id, slug, name, created_at) VALUES "
			 "('20000000-0000-4000-8000-0000000000a1', 'twin-a', 'Twin A', "
			 "'2000-01-01 00:00:00.5+00'), "
			 "('20000000-0000-4000-8000-0000000000a2', 'twin-b', 'Twin B', "
			 "'2000-01-01 00:00:00.5+00')");
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "created", "--limit", "1"), 0);
	expect_column(o.out, "slug", "twin-a");
	key = next_key(o.err);
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "created", "--limit", "1", "--after", key),
		   0);
	expect_column(o.out, "slug", "twin-b");
	cli_out_free(&o);
	free(key);
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "created", "--after", "yesterday"), 2);
	assert_contains(o.err, "is not a key of this sort");
	cli_out_free(&o);

	/* Most members first, then by slug. */
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "members", "--limit", "2"), 0);
	expect_column(o.out, "slug", "acme,hooli");
	assert_contains(o.err, "--after '5|hooli'");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "members", "--limit", "4", "--after",
			     "5|hooli"),
		   0);
	expect_column(o.out, "slug", "initech,stark-industries,umbrella,globex");
	cli_out_free(&o);
	/* Orgs without members count 0 and come last. */
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "members", "--after", "3|globex"), 0);
	expect_column(o.out, "slug", "soylent,twin-a,twin-b");
	expect_column(o.out, "members", "3,0,0");
	expect_column(o.out, "owners", "1,0,0");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "members", "--after", "many|acme"), 2);
	cli_out_free(&o);
	free(dsn);
}

static void search_prefix_then_substring(void **state)
{
	(void)state;
	char *dsn = fresh();
	/* "in": initech by its slug's prefix, then Soylent Industries (name)
	 * and stark-industries (slug) containing it. */
	cli_out o = run_ok(dsn, ARGS("orgs", "search", "in"), 0);
	expect_column(o.out, "slug", "initech,soylent,stark-industries");
	expect_column(o.out, "match", "prefix,substring,substring");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "search", "ACM"), 0);
	expect_column(o.out, "slug", "acme");
	expect_column(o.out, "match", "prefix");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "search", "corporation"), 0);
	expect_column(o.out, "slug", "acme,globex,umbrella");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "search", "o", "--limit", "2"), 0);
	expect_column(o.out, "slug", "acme,globex");
	assert_contains(o.err, "raise --limit");
	cli_out_free(&o);
	/* Deleted orgs are not found. */
	o = run_ok(dsn, ARGS("orgs", "search", "wayne"), 0);
	expect_column(o.out, "slug", "");
	cli_out_free(&o);

	/* The user's % and _ are themselves, not wildcards: "50%_x" matches
	 * the name that contains it and not one that a pattern would. */
	dbtest_exec(dsn, "INSERT INTO public.organizations (slug, name) VALUES "
			 "('deal', 'Deal 50%_x'), ('fifty', '50 percent x'), "
			 "('under', 'a_b'), ('bang', 'Bang!%')");
	o = run_ok(dsn, ARGS("orgs", "search", "50%_x"), 0);
	expect_column(o.out, "slug", "deal");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "search", "_"), 0);
	expect_column(o.out, "slug", "deal,under");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "search", "!%"), 0);
	expect_column(o.out, "slug", "bang");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "search", "%"), 0);
	expect_column(o.out, "slug", "bang,deal");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "search", "' OR 1=1 --"), 0);
	expect_column(o.out, "slug", "");
	cli_out_free(&o);
	free(dsn);
}

static void show_one_org(void **state)
{
	(void)state;
	char *dsn = fresh();
	cli_out o = run_ok(dsn, ARGS("orgs", "show", "acme"), 0);
	expect_field(o.out, "slug", "acme");
	expect_field(o.out, "name", "Acme Corporation");
	expect_field(o.out, "plan", "enterprise");
	expect_field(o.out, "owner", "alice@acme.example");
	expect_field(o.out, "owner_members", "alice@acme.example");
	expect_field(o.out, "deleted", "no");
	expect_field(o.out, "resource.stream_basin_name", "acme-events");
	expect_field(o.out, "resource.retention_days", "365");
	expect_field(o.out, "members.org",
		     "owner 1, admin 1, developer 1, editor 1, annotator 1, viewer 1 (6 in all)");
	expect_field(o.out, "members.workspace",
		     "admin 2, developer 1, editor 1, annotator 1 (5 in all)");
	expect_field(o.out, "members.project", "admin 1, developer 1, editor 1, annotator 1 (4 in all)");
	expect_field(o.out, "workspaces", "2");
	expect_field(o.out, "projects", "4");
	/* acme's planted findings: a stale admin, an invitation for a member. */
	assert_contains(o.out, "stale-privileged-member (low, 1)");
	assert_contains(o.out, "invitation-for-member (low, 1)");
	cli_out_free(&o);

	/* The pointer and the owner membership, side by side (they disagree). */
	o = run_ok(dsn, ARGS("orgs", "show", "initech"), 0);
	expect_field(o.out, "owner", "bill@initech.example");
	expect_field(o.out, "owner_members", "peter@initech.example");
	expect_field(o.out, "resource.stream_basin_name", "none");
	assert_contains(o.out, "owner-pointer-mismatch (medium, 1)");
	assert_contains(o.out, "paid-org-without-resource (medium, 1)");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "show", "stark-industries"), 0);
	assert_contains(o.out, "(no role) 1");
	cli_out_free(&o);
	/* A deleted org can be looked at. */
	o = run_ok(dsn, ARGS("orgs", "show", "wayne-enterprises", "--json"), 0);
	assert_contains(o.out, "\"slug\":\"wayne-enterprises\"");
	assert_lacks(o.out, "\"deleted\":\"no\"");
	cli_out_free(&o);

	o = run_ok(dsn, ARGS("orgs", "show", "acm"), 2);
	assert_contains(o.err, "no organization 'acm'");
	assert_contains(o.err, "did you mean acme?");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "show", "x' OR '1'='1"), 2);
	assert_contains(o.err, "no organization 'x' OR '1'='1'");
	cli_out_free(&o);
	free(dsn);
}

/* ------------------------------------------------------------------ create */

static void create_derives_slugs_with_suffixes(void **state)
{
	(void)state;
	char *dsn = fresh();
	cli_out o = run_ok(dsn, ARGS("orgs", "create", "Acme", "--write", "--yes"), 0);
	assert_contains(o.out, "slug: acme-2 (acme is taken)");
	assert_contains(o.err, "organization acme-2");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "create", "ACME!", "--write", "--yes"), 0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT string_agg(slug || '=' || name, ',' ORDER BY slug) FROM "
			   "public.organizations WHERE slug LIKE 'acme%'",
		      "acme=Acme Corporation,acme-2=Acme,acme-3=ACME!");

	/* A gap is not filled: numbering goes on after the highest. */
	dbtest_exec(dsn, "INSERT INTO public.organizations (slug, name) VALUES ('acme-9', 'x'), "
			 "('acme-corp-2', 'y')");
	o = run_ok(dsn, ARGS("orgs", "create", "Acme", "--write", "--yes"), 0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT name FROM public.organizations WHERE slug = 'acme-10'", "Acme");

	/* A free base is used even when suffixed ones exist. */
	dbtest_exec(dsn, "INSERT INTO public.organizations (slug, name) VALUES ('zeta-2', 'z')");
	o = run_ok(dsn, ARGS("orgs", "create", "Zeta", "--write", "--yes"), 0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT name FROM public.organizations WHERE slug = 'zeta'", "Zeta");

	o = run_ok(dsn, ARGS("orgs", "create", "Crème Brûlée", "--write", "--yes"), 0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT plan || ' ' || coalesce(stream_basin_name, 'none') FROM "
			   "public.organizations WHERE slug = 'creme-brulee'",
		      "free none");

	/* An explicit slug is taken as it is, or refused. */
	o = run_ok(dsn, ARGS("orgs", "create", "Another Acme", "--slug", "acme", "--write", "--yes"),
		   2);
	assert_contains(o.err, "the slug 'acme' is taken by organization 'Acme Corporation'");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "create", "X", "--slug", "Not_A_Slug", "--write", "--yes"), 2);
	assert_contains(o.err, "'Not_A_Slug' is not a valid slug");
	assert_contains(o.err, "did you mean 'not-a-slug'?");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "create", "日本", "--write", "--yes"), 2);
	assert_contains(o.err, "--slug");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "create", "日本", "--slug", "nihon", "--write", "--yes"), 0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT name FROM public.organizations WHERE slug = 'nihon'", "日本");
	o = run_ok(dsn, ARGS("orgs", "create", "X", "--plan", "gold", "--write", "--yes"), 2);
	assert_contains(o.err, "unknown plan 'gold': the plans are free, team, enterprise");
	cli_out_free(&o);

	/* One log row per applied create, none for the refused ones. */
	expect_oplog(dsn, "6");
	expect_scalar(dsn, "SELECT target || ' ' || rows_affected || ' ' || outcome FROM "
			   "public.tenantctl_operator_log WHERE command = 'tenantctl orgs create "
			   "ACME!'",
		      "organization acme-3 1 applied");
	free(dsn);
}

static void create_with_owner_and_plan(void **state)
{
	(void)state;
	char *dsn = fresh();
	cli_out o = run_ok(dsn, ARGS("orgs", "create", "Initrode", "--owner", "ALICE@acme.example",
				     "--plan", "team", "--write", "--yes"),
			   0);
	assert_contains(o.out, "resource stream_basin_name: none → basin-initrode");
	assert_contains(o.out, "resource retention_days: none → 30");
	assert_contains(o.out, "an org membership with role owner and the owner pointer");
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT o.plan || ' ' || o.stream_basin_name || ' ' || o.retention_days "
			   "|| ' ' || u.email FROM public.organizations o JOIN public.users u ON "
			   "u.id = o.owner_id WHERE o.slug = 'initrode'",
		      "team basin-initrode 30 alice@acme.example");
	expect_scalar(dsn, "SELECT string_agg(u.email || ':' || m.role, ',') FROM "
			   "public.organization_members m JOIN public.organizations o ON o.id = "
			   "m.organization_id JOIN public.users u ON u.id = m.user_id WHERE o.slug = "
			   "'initrode' AND m.deleted_at IS NULL",
		      "alice@acme.example:owner");
	expect_scalar(dsn, "SELECT rows_affected FROM public.tenantctl_operator_log WHERE target "
			   "= 'organization initrode'",
		      "2");

	/* No such user, or a deleted one: refused, nothing written. */
	o = run_ok(dsn, ARGS("orgs", "create", "Nobody", "--owner", "nobody@nowhere.example",
			     "--write", "--yes"),
		   2);
	assert_contains(o.err, "no live user has the email 'nobody@nowhere.example'");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "create", "Nobody", "--owner", "hank@globex.example",
			     "--write", "--yes"),
		   2);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT count(*) FROM public.organizations WHERE slug = 'nobody'", "0");
	expect_oplog(dsn, "1");
	free(dsn);
}

/* The owner membership fails after the org row was inserted: the whole
 * create is rolled back, no org, no log row. */
static void create_failing_midway_leaves_nothing(void **state)
{
	(void)state;
	char *dsn = fresh();
	dbtest_exec(dsn, "CREATE FUNCTION public.no_members() RETURNS trigger LANGUAGE plpgsql AS "
			 "$$BEGIN RAISE EXCEPTION 'memberships are frozen'; END$$; "
			 "CREATE TRIGGER no_members BEFORE INSERT ON public.organization_members "
			 "FOR EACH ROW EXECUTE FUNCTION public.no_members()");
	cli_out o = run_ok(dsn, ARGS("orgs", "create", "Halfway", "--owner", "alice@acme.example",
				     "--plan", "enterprise", "--write", "--yes"),
			   3);
	assert_contains(o.err, "memberships are frozen");
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT count(*) FROM public.organizations WHERE slug = 'halfway'", "0");
	expect_oplog(dsn, "0");
	free(dsn);
}

static char *profile_with_policy(const char *allow, const char *blocked, int *allow_line,
				 int *blocked_line)
{
	char *path = xasprintf("%s/db/profiles/default.conf", srcdir());
	char *text = read_file(path);
	free(path);
	strbuf sb = STRBUF_INIT;
	int line = 0;
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l + 1) : strlen(l);
		line++;
		if (!strncmp(l, "owner_email_allowlist", 21)) {
			sb_addf(&sb, "owner_email_allowlist = %s\n", allow);
			*allow_line = line;
		} else if (!strncmp(l, "blocked_domains", 15)) {
			sb_addf(&sb, "blocked_domains = %s\n", blocked);
			*blocked_line = line;
		} else {
			sb_addn(&sb, l, len);
		}
		l += len;
	}
	free(text);
	assert_true(*allow_line > 0 && *blocked_line > 0);
	char *file = write_temp(sb_str(&sb));
	sb_free(&sb);
	return file;
}

static void owner_allowlist_and_blocked_domains(void **state)
{
	(void)state;
	char *dsn = fresh();
	int al = 0, bl = 0;
	char *prof = profile_with_policy("acme.example, pepper@stark.example", "hooli.example",
					 &al, &bl);
	char *rule = xasprintf("%s:%d: owner_email_allowlist = acme.example, pepper@stark.example",
			       prof, al);
	cli_out o = run_ok(dsn, ARGS("orgs", "create", "Stark Two", "--owner", "tony@stark.example",
				     "--profile", prof, "--write", "--yes"),
			   4);
	assert_contains(o.err, "owner tony@stark.example is refused");
	assert_contains(o.err, rule);
	cli_out_free(&o);
	free(rule);
	rule = xasprintf("%s:%d: blocked_domains = hooli.example", prof, bl);
	o = run_ok(dsn, ARGS("orgs", "create", "Hooli Two", "--owner", "gavin@hooli.example",
			     "--profile", prof, "--write", "--yes"),
		   4);
	assert_contains(o.err, rule);
	cli_out_free(&o);
	free(rule);
	expect_scalar(dsn, "SELECT count(*) FROM public.organizations WHERE slug IN ('stark-two', "
			   "'hooli-two')",
		      "0");

	/* A listed domain and a listed address pass. */
	o = run_ok(dsn, ARGS("orgs", "create", "Acme Two", "--owner", "carol@acme.example",
			     "--profile", prof, "--write", "--yes"),
		   0);
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "create", "Stark Three", "--owner", "Pepper@Stark.example",
			     "--profile", prof, "--write", "--yes"),
		   0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT count(*) FROM public.organizations WHERE slug IN ('acme-two', "
			   "'stark-three') AND owner_id IS NOT NULL",
		      "2");

	/* The shipped profile reads the allowlist from the environment. */
	const char *argv[] = {"orgs", "create", "Env Co", "--owner", "tony@stark.example", "-d",
			      dsn, "--write", "--yes", NULL};
	o = cli_run(argv, ARGS("TENANTCTL_OWNER_ALLOWLIST=acme.example"));
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "owner_email_allowlist = acme.example");
	cli_out_free(&o);
	unlink(prof);
	free(prof);
	free(dsn);
}

/* Quotes, unicode and SQL fragments are stored as given. */
static void values_are_stored_exactly(void **state)
{
	(void)state;
	char *dsn = fresh();
	const char *name = "O'Brien \"Quoted\" Ltd'); DROP TABLE public.organizations; --";
	cli_out o = run_ok(dsn, ARGS("orgs", "create", name, "--write", "--yes"), 0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT name FROM public.organizations WHERE slug = "
			   "'o-brien-quoted-ltd-drop-table-public-organizations'",
		      name);
	const char *uni = "Zürich 東京 🚀 Ωmega";
	o = run_ok(dsn, ARGS("orgs", "create", uni, "--write", "--yes"), 0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT name FROM public.organizations WHERE slug = 'zurich-mega'", uni);

	dbtest_exec(dsn, "INSERT INTO public.users (email) VALUES "
			 "('o''neil+\"x\"@acme.example')");
	o = run_ok(dsn, ARGS("orgs", "create", "Quote Owner", "--owner", "O'Neil+\"x\"@acme.example",
			     "--write", "--yes"),
		   0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT u.email FROM public.organizations o JOIN "
			   "public.organization_members m ON m.organization_id = o.id JOIN "
			   "public.users u ON u.id = m.user_id WHERE o.slug = 'quote-owner'",
		      "o'neil+\"x\"@acme.example");

	o = run_ok(dsn, ARGS("orgs", "rename", "quote-owner", "Ünïcödé 'n' \"Quotes\"; --", "--write",
			     "--yes"),
		   0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT name FROM public.organizations WHERE slug = 'quote-owner'",
		      "Ünïcödé 'n' \"Quotes\"; --");
	o = run_ok(dsn, ARGS("orgs", "search", "'n' \"Quotes\""), 0);
	expect_column(o.out, "slug", "quote-owner");
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT count(*) FROM public.organizations", "11");
	free(dsn);
}

/* Two processes create the same name at once: both succeed, with
 * different slugs. A trigger slows every insert down so that both have
 * picked "race-co" before either commits: the loser's INSERT waits on the
 * unique index, fails, and moves on to the next suffix. */
static void concurrent_creates_both_succeed(void **state)
{
	(void)state;
	char *dsn = fresh();
	dbtest_exec(dsn, "CREATE FUNCTION public.slow_insert() RETURNS trigger LANGUAGE plpgsql "
			 "AS $$BEGIN PERFORM pg_sleep(0.5); RETURN NEW; END$$; "
			 "CREATE TRIGGER slow_insert BEFORE INSERT ON public.organizations FOR "
			 "EACH ROW EXECUTE FUNCTION public.slow_insert()");
	pid_t pids[2];
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			cli_out o = run(dsn, ARGS("orgs", "create", "Race Co", "--write", "--yes"));
			if (o.status != 0)
				fprintf(stderr, "racer %d: exit %d: %s\n", i, o.status, o.err);
			_exit(o.status);
		}
	}
	for (int i = 0; i < 2; i++) {
		int ws = 0;
		assert_int_equal(waitpid(pids[i], &ws, 0), pids[i]);
		assert_true(WIFEXITED(ws));
		assert_int_equal(WEXITSTATUS(ws), 0);
	}
	expect_scalar(dsn, "SELECT string_agg(slug, ',' ORDER BY slug) FROM public.organizations "
			   "WHERE name = 'Race Co'",
		      "race-co,race-co-2");
	expect_oplog(dsn, "2");
	free(dsn);
}

/* ------------------------------------------------------------------ other writes */

static void set_plan_applies_resource_rules(void **state)
{
	(void)state;
	char *dsn = fresh();
	const char *q = "SELECT plan || ' ' || coalesce(stream_basin_name, 'none') || ' ' || "
			"coalesce(retention_days::text, 'none') FROM public.organizations WHERE "
			"slug = 'soylent'";
	cli_out o = run_ok(dsn, ARGS("orgs", "set-plan", "soylent", "team", "--write", "--yes"), 0);
	assert_contains(o.out, "plan: free → team");
	assert_contains(o.out, "resource stream_basin_name: none → basin-soylent");
	assert_contains(o.out, "resource retention_days: none → 30");
	cli_out_free(&o);
	expect_scalar(dsn, q, "team basin-soylent 30");

	o = run_ok(dsn, ARGS("orgs", "set-plan", "soylent", "enterprise", "--write", "--yes"), 0);
	assert_contains(o.out, "resource stream_basin_name: basin-soylent (unchanged)");
	assert_contains(o.out, "resource retention_days: 30 → 365");
	cli_out_free(&o);
	expect_scalar(dsn, q, "enterprise basin-soylent 365");

	/* Nothing to change: said, not asked, not logged. */
	o = run_ok(dsn, ARGS("orgs", "set-plan", "soylent", "enterprise", "--write"), 0);
	assert_contains(o.out, "on plan enterprise already");
	cli_out_free(&o);

	o = run_ok(dsn, ARGS("orgs", "set-plan", "soylent", "free", "--write", "--yes"), 0);
	assert_contains(o.out, "resource stream_basin_name: basin-soylent → none");
	assert_contains(o.out, "resource retention_days: 365 → none");
	cli_out_free(&o);
	expect_scalar(dsn, q, "free none none");
	expect_oplog(dsn, "3");

	/* A paid org missing its basin gets one when its plan changes. */
	o = run_ok(dsn, ARGS("orgs", "set-plan", "initech", "enterprise", "--write", "--yes"), 0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT stream_basin_name || ' ' || retention_days FROM "
			   "public.organizations WHERE slug = 'initech'",
		      "basin-initech 365");

	o = run_ok(dsn, ARGS("orgs", "set-plan", "soylent", "platinum", "--write", "--yes"), 2);
	assert_contains(o.err, "unknown plan 'platinum'");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "set-plan", "nosuch", "team", "--write", "--yes"), 2);
	assert_contains(o.err, "no organization 'nosuch'");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "set-plan", "wayne-enterprises", "free", "--write", "--yes"), 2);
	assert_contains(o.err, "is deleted");
	cli_out_free(&o);
	expect_oplog(dsn, "4");
	free(dsn);
}

static void rename_checks_the_new_slug(void **state)
{
	(void)state;
	char *dsn = fresh();
	cli_out o = run_ok(dsn, ARGS("orgs", "rename", "hooli", "Hooli XYZ", "--slug", "hooli-xyz",
				     "--write", "--yes"),
			   0);
	assert_contains(o.out, "name: Hooli → Hooli XYZ");
	assert_contains(o.out, "slug: hooli → hooli-xyz");
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT name FROM public.organizations WHERE slug = 'hooli-xyz'",
		      "Hooli XYZ");
	expect_scalar(dsn, "SELECT target FROM public.tenantctl_operator_log WHERE command LIKE "
			   "'tenantctl orgs rename%'",
		      "organization hooli-xyz");

	o = run_ok(dsn, ARGS("orgs", "rename", "hooli-xyz", "Hooli", "--slug", "wayne-enterprises",
			     "--write", "--yes"),
		   2);
	assert_contains(o.err, "the slug 'wayne-enterprises' is taken by organization 'Wayne "
			       "Enterprises' (deleted)");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "rename", "hooli-xyz", "Hooli", "--slug", "-bad-", "--write",
			     "--yes"),
		   2);
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "rename", "hooli-xyz", "Hooli XYZ", "--write", "--yes"), 0);
	assert_contains(o.out, "already has that name");
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT name FROM public.organizations WHERE slug = 'hooli-xyz'",
		      "Hooli XYZ");
	expect_oplog(dsn, "1");
	free(dsn);
}

static void delete_needs_the_slug_and_soft_deletes(void **state)
{
	(void)state;
	char *dsn = fresh();
	cli_out o = run_ok(dsn, ARGS("orgs", "delete", "globex", "--write", "--yes"), 2);
	assert_contains(o.err, "pass --confirm globex");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "delete", "globex", "--confirm", "acme", "--write", "--yes"), 2);
	assert_contains(o.err, "--confirm 'acme' does not match the slug 'globex'");
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT deleted_at IS NULL FROM public.organizations WHERE slug = "
			   "'globex'",
		      "t");

	o = run_ok(dsn, ARGS("orgs", "delete", "globex", "--confirm", "globex", "--write", "--yes"),
		   0);
	assert_contains(o.out, "3 live org memberships");
	assert_contains(o.out, "1 live workspace");
	assert_contains(o.out, "cascades: nothing");
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT deleted_at IS NOT NULL AND deleted_at > now() - interval '1 "
			   "hour' FROM public.organizations WHERE slug = 'globex'",
		      "t");
	/* Soft delete does not cascade. */
	expect_scalar(dsn, "SELECT count(*) FROM public.organization_members WHERE "
			   "organization_id = '20000000-0000-4000-8000-000000000002' AND "
			   "deleted_at IS NULL",
		      "3");
	expect_scalar(dsn, "SELECT target || ' ' || rows_affected FROM "
			   "public.tenantctl_operator_log WHERE command = 'tenantctl orgs delete "
			   "globex --confirm globex'",
		      "organization globex 1");
	o = run_ok(dsn, ARGS("orgs", "list"), 0);
	assert_lacks(o.out, "globex");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "delete", "globex", "--confirm", "globex", "--write", "--yes"),
		   2);
	assert_contains(o.err, "organization 'globex' is already deleted");
	cli_out_free(&o);

	/* A profile without soft deletes: tenantctl will not hard-delete. */
	char *path = xasprintf("%s/db/profiles/default.conf", srcdir());
	char *text = read_file(path);
	free(path);
	char *at = strstr(text, "[organizations]");
	assert_non_null(at);
	char *del = strstr(at, "\ndeleted_at = deleted_at");
	assert_non_null(del);
	memset(del + 1, ' ', strlen("deleted_at = deleted_at"));
	del[1] = '#';
	char *prof = write_temp(text);
	free(text);
	o = run_ok(dsn, ARGS("orgs", "delete", "acme", "--confirm", "acme", "--profile", prof,
			     "--write", "--yes"),
		   4);
	assert_contains(o.err, "maps no organizations.deleted_at");
	cli_out_free(&o);
	unlink(prof);
	free(prof);
	expect_scalar(dsn, "SELECT count(*) FROM public.organizations WHERE slug = 'acme' AND "
			   "deleted_at IS NULL",
		      "1");
	expect_oplog(dsn, "1");
	free(dsn);
}

/* A Prisma-shaped deployment (the trigger profile): text ids made by the
 * application, an enum role, "deletedAt". tenantctl supplies the ids the
 * database will not, and quotes every camel-case name. */
static void works_on_another_shape(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *path = xasprintf("%s/tests/fixtures/trigger.sql", srcdir());
	char *sql = read_file(path);
	dbtest_exec(dsn, sql);
	free(sql);
	free(path);
	cli_out o = run_ok(dsn, ARGS("orgs", "create", "Nouvelle Société", "--owner", "ADA@example.com",
				     "--profile", "trigger", "--write", "--yes"),
			   0);
	assert_contains(o.out, "id: a random UUID");
	assert_contains(o.out, "role ADMIN");
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT o.title || ' ' || m.role || ' ' || (length(o.id) = 36) || ' ' || "
			   "(length(m.id) = 36) FROM public.\"Organization\" o JOIN "
			   "public.\"OrgMember\" m ON m.\"organizationId\" = o.id WHERE o.slug = "
			   "'nouvelle-societe'",
		      "Nouvelle Société ADMIN true true");
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "created", "--profile", "trigger"), 0);
	expect_column(o.out, "members", "2,1");
	expect_column(o.out, "owners", "1,1");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "delete", "nouvelle-societe", "--confirm", "nouvelle-societe",
			     "--profile", "trigger", "--write", "--yes"),
		   0);
	cli_out_free(&o);
	expect_scalar(dsn, "SELECT \"deletedAt\" IS NOT NULL FROM public.\"Organization\" WHERE "
			   "slug = 'nouvelle-societe'",
		      "t");
	free(dsn);
}

/* ------------------------------------------------------------------ paging both ways */

/* The --before value a page's summary offers; caller frees. */
static char *prev_key(const char *err)
{
	const char *p = strstr(err, "--before '");
	if (!p)
		fail_msg("no previous page in:\n%s", err);
	p += strlen("--before '");
	return xstrndup(p, strcspn(p, "'"));
}

/* Every live org in an order, read forwards a page at a time with --after
 * and backwards from --last with --before: the same slugs both ways,
 * every org once. extra: --sort and --desc words (NULL-terminated). */
static char *walk(const char *dsn, const char *const *extra, bool backwards)
{
	strbuf all = STRBUF_INIT;
	sb_add(&all, "");
	char *key = NULL;
	for (int page = 0; page < 20; page++) {
		const char *argv[16];
		size_t n = 0;
		argv[n++] = "orgs";
		argv[n++] = "list";
		argv[n++] = "--limit";
		argv[n++] = "2";
		for (size_t i = 0; extra[i]; i++)
			argv[n++] = extra[i];
		if (key) {
			argv[n++] = backwards ? "--before" : "--after";
			argv[n++] = key;
		} else if (backwards) {
			argv[n++] = "--last";
		}
		argv[n] = NULL;
		cli_out o = run_ok(dsn, argv, 0);
		char *slugs = column(o.out, "slug");
		if (backwards && *slugs) {
			/* Pages come in the order shown: put them before what we have. */
			char *joined = xasprintf("%s%s%s", slugs, all.len ? "," : "", sb_str(&all));
			sb_reset(&all);
			sb_add(&all, joined);
			free(joined);
		} else if (*slugs) {
			sb_addf(&all, "%s%s", all.len ? "," : "", slugs);
		}
		free(slugs);
		free(key);
		key = NULL;
		bool more = strstr(o.err, backwards ? "--before '" : "--after '") != NULL;
		if (more)
			key = backwards ? prev_key(o.err) : next_key(o.err);
		else if (backwards)
			assert_contains(o.err, "(first page)");
		else
			assert_contains(o.err, "(last page)");
		cli_out_free(&o);
		if (!more)
			break;
	}
	assert_null(key);
	return sb_steal(&all);
}

static void expect_walks(const char *dsn, const char *const *extra, const char *want)
{
	char *fwd = walk(dsn, extra, false), *back = walk(dsn, extra, true);
	if (strcmp(fwd, want) != 0)
		fail_msg("forwards: '%s', expected '%s'", fwd, want);
	if (strcmp(back, want) != 0)
		fail_msg("backwards: '%s', expected '%s'", back, want);
	free(fwd);
	free(back);
}

static void list_pages_both_ways(void **state)
{
	(void)state;
	char *dsn = fresh();
	/* Two orgs created in the same instant, and two with no members. */
	dbtest_exec(dsn, "INSERT INTO public.organizations (id, slug, name, created_at) VALUES "
			 "('20000000-0000-4000-8000-0000000000a1', 'twin-a', 'Twin A', "
			 "'2000-01-01 00:00:00.5+00'), "
			 "('20000000-0000-4000-8000-0000000000a2', 'twin-b', 'Twin B', "
			 "'2000-01-01 00:00:00.5+00')");
	expect_walks(dsn, ARGS("--sort", "slug"),
		     "acme,globex,hooli,initech,soylent,stark-industries,twin-a,twin-b,umbrella");
	expect_walks(dsn, ARGS("--sort", "slug", "--reverse"),
		     "umbrella,twin-b,twin-a,stark-industries,soylent,initech,hooli,globex,acme");
	expect_walks(dsn, ARGS("--sort", "created"),
		     "twin-a,twin-b,acme,globex,initech,umbrella,hooli,stark-industries,soylent");
	expect_walks(dsn, ARGS("--sort", "created", "--reverse"),
		     "soylent,stark-industries,hooli,umbrella,initech,globex,acme,twin-b,twin-a");
	/* Most members first; fewest first with --reverse; ties by slug either way. */
	expect_walks(dsn, ARGS("--sort", "members"),
		     "acme,hooli,initech,stark-industries,umbrella,globex,soylent,twin-a,twin-b");
	expect_walks(dsn, ARGS("--sort", "members", "--reverse"),
		     "twin-a,twin-b,globex,soylent,stark-industries,umbrella,hooli,initech,acme");

	/* One page choice at a time; a key of another sort is refused. */
	cli_out o = run_ok(dsn, ARGS("orgs", "list", "--after", "acme", "--last"), 2);
	assert_contains(o.err, "give one of them");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--sort", "members", "--before", "acme"), 2);
	assert_contains(o.err, "--before 'acme' is not a key of this sort");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "list", "--before", "acme"), 0);
	assert_contains(o.err, "no organizations before 'acme'");
	cli_out_free(&o);
	free(dsn);
}

/* ------------------------------------------------------------------ findings */

/* The findings `audit --org SLUG` reports, less slug-problems (which the
 * list leaves out), as text. */
static char *audit_findings(const char *dsn, const char *slug, const char *const *env)
{
	const char *argv[] = {"audit", "--org", slug, "--samples", "0", "-d", dsn, NULL};
	cli_out o = cli_run(argv, env);
	if (o.status != 0)
		fail_msg("audit --org %s exited %d: %s", slug, o.status, o.err);
	char *ids = column(o.out, "id"), *counts = column(o.out, "count");
	long total = 0;
	char *is = ids, *cs = counts;
	while (*is && *cs) {
		size_t il = strcspn(is, ","), cl = strcspn(cs, ",");
		if (strncmp(is, "slug-problems", il) != 0 || il != strlen("slug-problems"))
			total += atol(cs);
		is += il + (is[il] == ',');
		cs += cl + (cs[cl] == ',');
	}
	free(ids);
	free(counts);
	cli_out_free(&o);
	return xasprintf("%ld", total);
}

/* The list's findings column agrees with the audit, org by org (deleted
 * ones too), also with an owner policy that makes more findings. */
static void list_findings_agree_with_the_audit(void **state)
{
	(void)state;
	char *dsn = fresh();
	const char *const plain[] = {"TENANTCTL_OWNER_ALLOWLIST", "TENANTCTL_BLOCKED_DOMAINS",
				     "NO_COLOR=1", NULL};
	const char *const policy[] = {"TENANTCTL_OWNER_ALLOWLIST=acme.example,stark.example",
				      "TENANTCTL_BLOCKED_DOMAINS=wayne.example", "NO_COLOR=1", NULL};
	const char *const *envs[] = {plain, policy};
	for (int e = 0; e < 2; e++) {
		const char *argv[] = {"orgs", "list", "--findings", "--deleted", "-d", dsn, NULL};
		cli_out o = cli_run(argv, envs[e]);
		assert_int_equal(o.status, 0);
		char *slugs = column(o.out, "slug"), *found = column(o.out, "findings");
		strbuf want = STRBUF_INIT;
		sb_add(&want, "");
		for (char *s = slugs, *next; s && *s; s = next) {
			next = strchr(s, ',');
			if (next)
				*next++ = '\0';
			char *n = audit_findings(dsn, s, envs[e]);
			sb_addf(&want, "%s%s", want.len ? "," : "", n);
			free(n);
		}
		if (strcmp(found, sb_str(&want)) != 0)
			fail_msg("findings %s, the audit says %s (policy %d)", found, sb_str(&want), e);
		if (e == 0)
			assert_string_equal(found, "2,1,3,2,2,3,2,1");
		sb_free(&want);
		free(slugs);
		free(found);
		cli_out_free(&o);
	}
	/* A search row carries the count too. */
	cli_out o = run_ok(dsn, ARGS("orgs", "search", "--findings", "umbrella"), 0);
	expect_column(o.out, "findings", "2");
	cli_out_free(&o);
	/* Without --findings the list costs what it did: no such column. */
	o = run_ok(dsn, ARGS("orgs", "list"), 0);
	const char *nl = strchr(o.out, '\n');
	char *header = xstrndup(o.out, nl ? (size_t)(nl - o.out) : strlen(o.out));
	assert_null(strstr(header, "findings"));
	assert_non_null(strstr(header, "owners"));
	free(header);
	cli_out_free(&o);
	free(dsn);
}

/* ------------------------------------------------------------------ gates */

static void read_only_dry_run_and_declined_change_nothing(void **state)
{
	(void)state;
	char *dsn = fresh();
	const char *snapshot = "SELECT md5(string_agg(o::text, ',' ORDER BY id)) FROM "
			       "public.organizations o";
	char *before = dbtest_scalar(dsn, snapshot);

	/* Read-only session: refused by the command table's gate. */
	const char *const *ro[] = {
		ARGS("orgs", "create", "New Co"),
		ARGS("orgs", "rename", "acme", "Acme 2"),
		ARGS("orgs", "set-plan", "acme", "free"),
		ARGS("orgs", "delete", "acme", "--confirm", "acme"),
	};
	for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
		cli_out o = run_ok(dsn, ro[i], 4);
		assert_contains(o.err, "read-only");
		cli_out_free(&o);
	}

	/* --dry-run: the preview, then a rollback (even in a read-only session). */
	cli_out o = run_ok(dsn, ARGS("orgs", "create", "New Co", "--owner", "alice@acme.example",
				     "--plan", "team", "--dry-run"),
			   0);
	assert_contains(o.out, "creating organization new-co");
	assert_contains(o.out, "basin-new-co");
	assert_contains(o.err, "dry run");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "set-plan", "acme", "free", "--dry-run"), 0);
	assert_contains(o.out, "plan: enterprise → free");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "delete", "acme", "--dry-run", "--write"), 0);
	assert_contains(o.out, "soft-deleting organization acme");
	cli_out_free(&o);
	o = run_ok(dsn, ARGS("orgs", "rename", "acme", "Acme 2", "--slug", "acme-two", "--dry-run"),
		   0);
	cli_out_free(&o);

	/* --write without --yes and no terminal to ask on: declined. */
	const char *const *declined[] = {
		ARGS("orgs", "create", "New Co", "--owner", "alice@acme.example", "--write"),
		ARGS("orgs", "rename", "acme", "Acme 2", "--write"),
		ARGS("orgs", "set-plan", "acme", "free", "--write"),
		ARGS("orgs", "delete", "acme", "--confirm", "acme", "--write"),
	};
	for (size_t i = 0; i < sizeof declined / sizeof declined[0]; i++) {
		o = run_ok(dsn, declined[i], 4);
		assert_contains(o.err, "declined");
		cli_out_free(&o);
	}

	char *after = dbtest_scalar(dsn, snapshot);
	assert_string_equal(before, after);
	free(before);
	free(after);
	expect_scalar(dsn, "SELECT count(*) FROM public.organization_members", "33");
	expect_oplog(dsn, "0");
	free(dsn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_pages_by_slug),
		cmocka_unit_test(list_sorted_by_created_and_members),
		cmocka_unit_test(list_pages_both_ways),
		cmocka_unit_test(list_findings_agree_with_the_audit),
		cmocka_unit_test(search_prefix_then_substring),
		cmocka_unit_test(show_one_org),
		cmocka_unit_test(create_derives_slugs_with_suffixes),
		cmocka_unit_test(create_with_owner_and_plan),
		cmocka_unit_test(create_failing_midway_leaves_nothing),
		cmocka_unit_test(owner_allowlist_and_blocked_domains),
		cmocka_unit_test(values_are_stored_exactly),
		cmocka_unit_test(concurrent_creates_both_succeed),
		cmocka_unit_test(set_plan_applies_resource_rules),
		cmocka_unit_test(rename_checks_the_new_slug),
		cmocka_unit_test(delete_needs_the_slug_and_soft_deletes),
		cmocka_unit_test(works_on_another_shape),
		cmocka_unit_test(read_only_dry_run_and_declined_change_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
