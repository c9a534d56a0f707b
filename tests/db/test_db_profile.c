/* Tenancy profiles against real schemas: every shipped profile passes
 * profile_check on a database of its shape (the reference migrations for
 * `default`, tests/fixtures/NAME.sql for the others); a missing column or
 * table is reported at the profile's file and line; SQL built from a
 * profile runs, hostile identifiers included; profile_for_session picks
 * --profile, then the target's `profile`, then default, and caches. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmdtab.h"
#include "conn.h"
#include "db.h"
#include "dbtest.h"
#include "profile.h"
#include "session.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *srcdir(void)
{
	const char *d = getenv("TC_SRCDIR");
	return d && *d ? d : ".";
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

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		fail_msg("cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

/* The up part of every reference migration, in file-name order (the
 * names sort by version). */
static void apply_reference(const char *dsn)
{
	static const char *const files[] = {
		"20260101000001_create_users.sql",
		"20260101000002_create_organizations.sql",
		"20260101000003_create_workspaces_and_projects.sql",
		"20260101000004_create_memberships.sql",
		"20260101000005_create_invitations.sql",
		"20260101000006_add_organization_resources.sql",
		"20260101000007_create_operator_log.sql",
		"20260101000008_add_organizations_billing_email.sql",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *path = xasprintf("%s/db/migrations/%s", srcdir(), files[i]);
		char *text = read_file(path);
		char *down = strstr(text, "\n-- migrate:down");
		if (!down)
			fail_msg("%s has no -- migrate:down line", path);
		*down = '\0';
		dbtest_exec(dsn, text);
		free(text);
		free(path);
	}
}

static void apply_fixture(const char *dsn, const char *name)
{
	char *path = xasprintf("%s/tests/fixtures/%s.sql", srcdir(), name);
	char *text = read_file(path);
	dbtest_exec(dsn, text);
	free(text);
	free(path);
}

/* A database of the shape a shipped profile describes. */
static char *shaped_db(const char *profile)
{
	char *dsn = dbtest_new_db();
	if (strcmp(profile, "default") == 0) {
		apply_reference(dsn);
		dbtest_exec(dsn,
			    "INSERT INTO public.users (id, email) VALUES\n"
			    " ('a0000000-0000-4000-8000-000000000001', 'ada@example.com'),\n"
			    " ('a0000000-0000-4000-8000-000000000002', 'bob@example.com');\n"
			    "INSERT INTO public.organizations (id, slug, name, plan, owner_id)\n"
			    " VALUES ('b0000000-0000-4000-8000-000000000001', 'acme', 'Acme', 'free',\n"
			    " 'a0000000-0000-4000-8000-000000000001');\n"
			    "INSERT INTO public.organization_members (user_id, organization_id, role)\n"
			    " SELECT id, 'b0000000-0000-4000-8000-000000000001', 'owner'\n"
			    " FROM public.users;\n"
			    "INSERT INTO public.invitations (organization_id, email, role, token)\n"
			    " VALUES ('b0000000-0000-4000-8000-000000000001', 'cy@example.org',\n"
			    " 'viewer', 'tok-1');\n");
	} else
		apply_fixture(dsn, profile);
	return dsn;
}

static char *shipped_path(const char *name)
{
	return xasprintf("%s/db/profiles/%s.conf", srcdir(), name);
}

static void load(const char *name, tc_profile *p)
{
	char *path = shipped_path(name);
	tc_error err = TC_ERROR_INIT;
	if (profile_load(path, p, &err) != TC_OK)
		fail_msg("%s", err.message);
	free(path);
}

static tc_conn *connect(const char *dsn)
{
	conn_params cp = {.dsn = dsn};
	tc_conn *c = NULL;
	tc_error err = TC_ERROR_INIT;
	if (conn_open(&cp, &c, &err) != TC_OK)
		fail_msg("%s", err.message);
	return c;
}

static long count(tc_conn *c, const char *sql)
{
	db_rows rows = DB_ROWS_INIT;
	tc_error err = TC_ERROR_INIT;
	if (db_query(c, sql, 0, NULL, &rows, &err) != TC_OK)
		fail_msg("%s: %s", sql, err.message);
	long n = atol(db_get(&rows, 0, 0));
	db_rows_free(&rows);
	return n;
}

/* SELECT count(*) FROM table t WHERE col IS NOT NULL, built from the profile. */
static long count_mapped(tc_conn *c, const prof_ident *table, const prof_ident *col)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "SELECT count(*) FROM ");
	profile_table_sql(&sb, table);
	sb_add(&sb, " AS t WHERE ");
	profile_col_sql(&sb, "t", col);
	sb_add(&sb, " IS NOT NULL");
	long n = count(c, sb_str(&sb));
	sb_free(&sb);
	return n;
}

/* The text of line `line` of a file; caller frees. */
static char *line_of(const char *path, int line)
{
	char *text = read_file(path);
	char *p = text;
	for (int i = 1; i < line && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		fail_msg("%s has no line %d", path, line);
	char *nl = strchr(p, '\n');
	char *out = xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
	free(text);
	return out;
}

/* ------------------------------------------------------------ shipped shapes */

static void check_shipped(const char *name)
{
	char *dsn = shaped_db(name);
	tc_conn *c = connect(dsn);
	tc_profile p;
	load(name, &p);
	tc_error err = TC_ERROR_INIT;
	if (profile_check(c, &p, &err) != TC_OK)
		fail_msg("%s against its fixture: %s", name, err.message);
	/* The quoted SQL reaches the rows the fixture planted. */
	assert_true(count_mapped(c, &p.orgs.table, &p.orgs.slug) >= 1);
	assert_true(count_mapped(c, &p.members[SCOPE_ORG].table, &p.members[SCOPE_ORG].user) >= 2);
	assert_true(count_mapped(c, &p.users.table, &p.users.email) >= 2);
	assert_true(count_mapped(c, &p.invitations.table, &p.invitations.email) >= 1);
	profile_free(&p);
	conn_close(c);
	free(dsn);
}

static void default_matches_reference(void **state)
{
	(void)state;
	check_shipped("default");
}

static void agenta_matches_fixture(void **state)
{
	(void)state;
	check_shipped("agenta");
}

static void trigger_matches_fixture(void **state)
{
	(void)state;
	check_shipped("trigger");
}

static void lobu_matches_fixture(void **state)
{
	(void)state;
	check_shipped("lobu");
}

/* A profile fits only its own shape: default on trigger's schema fails. */
static void wrong_profile_is_refused(void **state)
{
	(void)state;
	char *dsn = shaped_db("trigger");
	tc_conn *c = connect(dsn);
	tc_profile p;
	load("default", &p);
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(profile_check(c, &p, &err), TC_ERR_USAGE);
	char *want = xasprintf("%s:%d: table public.users does not exist (profile default.conf, ",
			       p.path, p.users.table.line);
	if (strncmp(err.message, want, strlen(want)) != 0)
		fail_msg("got \"%s\", want it to start \"%s\"", err.message, want);
	assert_non_null(strstr(err.message, "more mapped names are missing)"));
	assert_non_null(strstr(err.hint, "--profile"));
	free(want);
	tc_error_clear(&err);
	profile_free(&p);
	conn_close(c);
	free(dsn);
}

/* ------------------------------------------------------------ missing names */

typedef struct drop_case {
	const char *profile;
	const char *drop; /* SQL run on the fixture */
	const char *message; /* after "PATH:LINE: ", up to " (profile" */
	const char *line_starts; /* the profile line the error must name */
} drop_case;

static const drop_case drop_cases[] = {
	{"default", "ALTER TABLE public.organizations DROP COLUMN retention_days",
	 "table public.organizations has no column retention_days",
	 "resource.retention_days = retention_days"},
	{"default", "ALTER TABLE public.workspace_members DROP COLUMN deleted_at",
	 "table public.workspace_members has no column deleted_at", "deleted_at = deleted_at"},
	{"agenta", "ALTER TABLE public.project_invitations DROP COLUMN expiration_date",
	 "table public.project_invitations has no column expiration_date",
	 "expires_at = expiration_date"},
	{"trigger", "ALTER TABLE public.\"OrgMember\" DROP COLUMN \"userId\"",
	 "table public.OrgMember has no column userId", "user = \"userId\""},
	/* Case matters: "organizationid" is not "organizationId". */
	{"trigger",
	 "ALTER TABLE public.\"Project\" RENAME COLUMN \"organizationId\" TO organizationid",
	 "table public.Project has no column organizationId", "org = \"organizationId\""},
	{"lobu", "DROP TABLE public.invitation", "table public.invitation does not exist",
	 "table = public.invitation"},
	{"lobu", "ALTER TABLE public.member RENAME TO members",
	 "table public.member does not exist", "table = public.member"},
};

static void missing_names_are_reported_at_their_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof drop_cases / sizeof drop_cases[0]; i++) {
		const drop_case *dc = &drop_cases[i];
		char *dsn = shaped_db(dc->profile);
		dbtest_exec(dsn, dc->drop);
		tc_conn *c = connect(dsn);
		tc_profile p;
		load(dc->profile, &p);
		tc_error err = TC_ERROR_INIT;
		assert_int_equal(profile_check(c, &p, &err), TC_ERR_USAGE);
		/* "PATH:LINE: message (profile NAME, database ...)" */
		char *prefix = xasprintf("%s:", p.path);
		if (strncmp(err.message, prefix, strlen(prefix)) != 0)
			fail_msg("case %zu: \"%s\" does not start with %s", i, err.message, prefix);
		int line = atoi(err.message + strlen(prefix));
		const char *rest = strstr(err.message + strlen(prefix), ": ");
		assert_non_null(rest);
		char *want = xasprintf("%s (profile %s.conf, database ", dc->message, dc->profile);
		if (strncmp(rest + 2, want, strlen(want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, rest + 2, want);
		char *text = line_of(p.path, line);
		if (strncmp(text, dc->line_starts, strlen(dc->line_starts)) != 0)
			fail_msg("case %zu: line %d is \"%s\", want \"%s\"", i, line, text,
				 dc->line_starts);
		assert_non_null(strstr(err.hint, "line"));
		free(text);
		free(want);
		free(prefix);
		tc_error_clear(&err);
		profile_free(&p);
		conn_close(c);
		free(dsn);
	}
}

/* Several missing: the one first in the file is reported, the rest counted;
 * a dropped column does not count, a view or a partitioned table does. */
static void first_missing_in_file_order(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "CREATE SCHEMA app;\n"
			 "CREATE TABLE app.t (a int, gone int, b int);\n"
			 "ALTER TABLE app.t DROP COLUMN gone;\n"
			 "CREATE VIEW app.v AS SELECT 1 AS id, 'x'::text AS email;\n"
			 "CREATE TABLE app.p (id int, slug text) PARTITION BY RANGE (id);\n");
	tc_conn *c = connect(dsn);
	const char *text = "[users]\n"
			   "table = app.v\n"
			   "id = id\n"
			   "email = email\n"
			   "[organizations]\n"
			   "table = app.p\n"
			   "slug = slug\n"
			   "[workspaces]\n"
			   "table = app.t\n"
			   "id = a\n"
			   "name = nope\n"          /* line 11: first missing */
			   "deleted_at = gone\n"    /* dropped: missing too */
			   "[projects]\n"
			   "table = app.none\n";    /* missing table */
	tc_profile p;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(profile_parse(text, strlen(text), "mine.conf", &p, &err), TC_OK);
	assert_int_equal(profile_check(c, &p, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "mine.conf:11: table app.t has no column nope "
					    "(profile mine.conf, database "));
	assert_non_null(strstr(err.message, "; 2 more mapped names are missing)"));
	tc_error_clear(&err);
	profile_free(&p);

	/* Mapping nothing checks nothing. */
	assert_int_equal(profile_parse("", 0, "empty.conf", &p, &err), TC_OK);
	assert_int_equal(profile_check(c, &p, &err), TC_OK);
	profile_free(&p);
	conn_close(c);
	free(dsn);
}

/* Names with quotes, dots, spaces and SQL in them: checked and quoted. */
static void hostile_identifiers(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "CREATE SCHEMA \"Ten ant\";\n"
			 "CREATE TABLE \"Ten ant\".\"org\"\"s; DROP TABLE x\" (\n"
			 "  \"I d\" int, \"a.b\" text, \"Slug\" text, slug text);\n"
			 "INSERT INTO \"Ten ant\".\"org\"\"s; DROP TABLE x\" VALUES "
			 "(1, 'x', 'S', NULL), (2, NULL, 'T', 's');\n");
	tc_conn *c = connect(dsn);
	const char *text = "[organizations]\n"
			   "table = \"Ten ant\".\"org\"\"s; DROP TABLE x\"\n"
			   "id = \"I d\"\n"
			   "name = \"a.b\"\n"
			   "slug = Slug\n";
	tc_profile p;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(profile_parse(text, strlen(text), "h.conf", &p, &err), TC_OK);
	if (profile_check(c, &p, &err) != TC_OK)
		fail_msg("%s", err.message);
	assert_int_equal(count_mapped(c, &p.orgs.table, &p.orgs.id), 2);
	assert_int_equal(count_mapped(c, &p.orgs.table, &p.orgs.name), 1);
	/* Bare Slug is "Slug", not folded to slug. */
	assert_int_equal(count_mapped(c, &p.orgs.table, &p.orgs.slug), 2);
	profile_free(&p);
	conn_close(c);
	free(dsn);
}

/* ------------------------------------------------------------ sessions */

static tc_session *open_session(const char *config, const char *target, const char *dsn,
				const char *profile)
{
	cmd_globals g = {0};
	g.config = (char *)config;
	g.target = (char *)target;
	g.dsn = (char *)dsn;
	g.profile = (char *)profile;
	tc_session *s = NULL;
	tc_error err = TC_ERROR_INIT;
	if (session_open(&g, NULL, NULL, &s, &err) != TC_OK)
		fail_msg("%s", err.message);
	return s;
}

static void profile_for_session_picks_and_caches(void **state)
{
	(void)state;
	char *lobu = shaped_db("lobu");
	char *trigger = shaped_db("trigger");
	char *ref = shaped_db("default");
	char dir[] = "/tmp/tc-profile-XXXXXX";
	if (!mkdtemp(dir))
		fail_msg("mkdtemp failed");
	char *config = xasprintf("%s/config", dir);
	char *cfgtext = xasprintf("[target lb]\ndsn = %s\nprofile = lobu\n"
				  "[target plain]\ndsn = %s\n",
				  lobu, ref);
	write_file(config, cfgtext);
	setenv("TC_DATADIR", srcdir(), 1);

	/* --profile by name */
	tc_session *s = open_session(config, NULL, trigger, "trigger");
	const tc_profile *p = NULL, *again = NULL;
	tc_error err = TC_ERROR_INIT;
	if (profile_for_session(s, &p, &err) != TC_OK)
		fail_msg("%s", err.message);
	assert_string_equal(p->name, "trigger");
	assert_ptr_equal(p, session_profile(s));
	/* Cached: the same object, even after the schema stopped matching. */
	dbtest_exec(trigger, "ALTER TABLE public.\"OrgMember\" DROP COLUMN role");
	assert_int_equal(profile_for_session(s, &again, &err), TC_OK);
	assert_ptr_equal(p, again);
	session_close(s);

	/* A fresh session checks again and names the line. */
	s = open_session(config, NULL, trigger, "trigger");
	assert_int_equal(profile_for_session(s, &p, &err), TC_ERR_USAGE);
	assert_null(p);
	assert_null(session_profile(s));
	assert_non_null(strstr(err.message, "trigger.conf:"));
	assert_non_null(strstr(err.message, ": table public.OrgMember has no column role"));
	tc_error_clear(&err);
	session_close(s);

	/* The target's `profile` */
	s = open_session(config, "lb", NULL, NULL);
	if (profile_for_session(s, &p, &err) != TC_OK)
		fail_msg("%s", err.message);
	assert_string_equal(p->name, "lobu");
	session_close(s);

	/* --profile beats the target's setting: a file path this time. */
	char *path = shipped_path("lobu");
	char *copy = xasprintf("%s/mine.conf", dir);
	char *text = read_file(path);
	write_file(copy, text);
	s = open_session(config, "lb", NULL, copy);
	if (profile_for_session(s, &p, &err) != TC_OK)
		fail_msg("%s", err.message);
	assert_string_equal(p->name, "mine.conf");
	assert_string_equal(p->path, copy);
	session_close(s);

	/* Neither: default */
	s = open_session(config, "plain", NULL, NULL);
	if (profile_for_session(s, &p, &err) != TC_OK)
		fail_msg("%s", err.message);
	assert_string_equal(p->name, "default");
	session_close(s);

	/* An unknown name fails before connecting. */
	s = open_session(config, NULL, "host=/nonexistent port=1", "nosuch");
	assert_int_equal(profile_for_session(s, &p, &err), TC_ERR_USAGE);
	assert_string_equal(err.message, "unknown profile 'nosuch'");
	tc_error_clear(&err);
	session_close(s);

	unlink(copy);
	unlink(config);
	rmdir(dir);
	unsetenv("TC_DATADIR");
	free(text);
	free(copy);
	free(path);
	free(cfgtext);
	free(config);
	free(lobu);
	free(trigger);
	free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_matches_reference),
		cmocka_unit_test(agenta_matches_fixture),
		cmocka_unit_test(trigger_matches_fixture),
		cmocka_unit_test(lobu_matches_fixture),
		cmocka_unit_test(wrong_profile_is_refused),
		cmocka_unit_test(missing_names_are_reported_at_their_line),
		cmocka_unit_test(first_missing_in_file_order),
		cmocka_unit_test(hostile_identifiers),
		cmocka_unit_test(profile_for_session_picks_and_caches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
