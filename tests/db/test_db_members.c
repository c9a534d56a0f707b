/* The members commands against the reference schema with the demo data
 * (db/seed/demo.sql), through the tenantctl binary: listing with flags and
 * keyset pages, export, and every write path with its refusals. */
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

#include "clirun.h"
#include "dbtest.h"
#include "members.h"
#include "session.h"
#include "strbuf.h"
#include "xalloc.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Ids of the demo data. */
#define ORG_ACME "20000000-0000-4000-8000-000000000001"
#define ORG_UMBRELLA "20000000-0000-4000-8000-000000000004"
#define USER_ALICE "10000000-0000-4000-8000-000000000001"
#define USER_ADA "10000000-0000-4000-8000-000000000017"
#define USER_ZOE "10000000-0000-4000-8000-000000000031"
#define WS_PLATFORM "30000000-0000-4000-8000-000000000001"
#define PROJECT_API "40000000-0000-4000-8000-000000000002"

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
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_addn(&sb, buf, n);
	fclose(f);
	return sb_steal(&sb);
}

static char *write_temp(const char *text)
{
	char *path = xasprintf("/tmp/tc-members-%d-XXXXXX", (int)getpid());
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* A database with every migration applied and the demo data loaded. The
 * first call builds it; later ones copy it. */
static char *seeded_db(void)
{
	static char *template_name;
	if (!template_name) {
		char *dsn = dbtest_new_db();
		char *dir = xasprintf("%s/db/migrations", getenv("TC_SRCDIR"));
		cli_out o =
			cli_run(ARGS("migrate", "up", "--write", "-d", dsn, "--dir", dir), NULL);
		if (o.status != 0)
			fail_msg("migrate up failed (%d): %s", o.status, o.err);
		cli_out_free(&o);
		char *seed_path = xasprintf("%s/db/seed/demo.sql", getenv("TC_SRCDIR"));
		char *seed = read_file(seed_path);
		dbtest_exec(dsn, seed);
		const char *name = strstr(dsn, "dbname='");
		assert_non_null(name);
		name += strlen("dbname='");
		template_name = xstrndup(name, strcspn(name, "'"));
		free(seed);
		free(seed_path);
		free(dir);
		free(dsn);
	}
	return dbtest_new_db_from(template_name);
}

static long count(const char *dsn, const char *sql)
{
	char *v = dbtest_scalar(dsn, sql);
	long n = v ? atol(v) : -1;
	free(v);
	return n;
}

static void assert_scalar(const char *dsn, const char *sql, const char *want)
{
	char *v = dbtest_scalar(dsn, sql);
	if (!want && v)
		fail_msg("expected NULL, got '%s' from %s", v, sql);
	if (want && (!v || strcmp(v, want) != 0))
		fail_msg("expected '%s', got '%s' from %s", want, v ? v : "NULL", sql);
	free(v);
}

/* Everything the writes could touch, as one text, to prove "nothing
 * changed". */
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

static long log_rows(const char *dsn)
{
	return count(dsn, "SELECT count(*) FROM public.tenantctl_operator_log");
}

/* The line of text that starts with prefix (tab-separated output), or fail. */
static char *line_starting(const char *text, const char *prefix)
{
	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		if (strncmp(l, prefix, strlen(prefix)) == 0)
			return xstrndup(l, len);
		l = nl ? nl + 1 : NULL;
	}
	fail_msg("no line starting with '%s' in:\n%s", prefix, text);
	return NULL;
}

static size_t count_lines(const char *text)
{
	size_t n = 0;
	for (const char *s = text; *s; s++)
		n += *s == '\n';
	return n;
}

/* Field i (0-based) of a tab-separated line; caller frees. */
static char *field(const char *line, int i)
{
	const char *s = line;
	for (; i > 0; i--) {
		s = strchr(s, '\t');
		assert_non_null(s);
		s++;
	}
	return xstrndup(s, strcspn(s, "\t\n"));
}

static void assert_flags(const char *out, const char *prefix, const char *want)
{
	char *line = line_starting(out, prefix);
	char *flags = field(line, 7);
	if (strcmp(flags, want) != 0)
		fail_msg("flags of '%s': expected '%s', got '%s'", prefix, want, flags);
	free(flags);
	free(line);
}

/* A profile for the reference schema; extra is appended (a [policy]
 * section, single_owner). members_org_deleted: map the soft delete of
 * organization members. */
static char *profile_text(const char *roles_extra, const char *policy, bool workspaces,
			  bool members_org_deleted)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "# test profile: the reference schema\n"
		    "[users]\ntable = public.users\nid = id\nemail = email\n"
		    "deleted_at = deleted_at\nlast_seen = last_seen_at\ncreated_at = created_at\n\n"
		    "[organizations]\ntable = public.organizations\nid = id\nslug = slug\n"
		    "name = name\nplan = plan\nowner = owner_id\ndeleted_at = deleted_at\n"
		    "created_at = created_at\n\n");
	if (workspaces)
		sb_add(&sb, "[workspaces]\ntable = public.workspaces\nid = id\n"
			    "org = organization_id\nname = name\ndeleted_at = deleted_at\n\n"
			    "[projects]\ntable = public.projects\nid = id\norg = organization_id\n"
			    "workspace = workspace_id\nname = name\ndeleted_at = deleted_at\n\n");
	sb_add(&sb, "[members.org]\ntable = public.organization_members\nid = id\nuser = user_id\n"
		    "scope = organization_id\nrole = role\ncreated_at = created_at\n");
	if (members_org_deleted)
		sb_add(&sb, "deleted_at = deleted_at\n");
	sb_add(&sb, "\n");
	if (workspaces)
		sb_add(&sb, "[members.workspace]\ntable = public.workspace_members\nid = id\n"
			    "user = user_id\nscope = workspace_id\nrole = role\n"
			    "deleted_at = deleted_at\ncreated_at = created_at\n\n"
			    "[members.project]\ntable = public.project_members\nid = id\n"
			    "user = user_id\nscope = project_id\nrole = role\n"
			    "deleted_at = deleted_at\ncreated_at = created_at\n\n");
	sb_add(&sb, "[roles]\nknown = owner, admin, developer, editor, annotator, viewer\n"
		    "owner = owner\nadmin = admin\n");
	if (roles_extra)
		sb_add(&sb, roles_extra);
	if (policy)
		sb_addf(&sb, "\n[policy]\n%s", policy);
	return sb_steal(&sb);
}

/* The 1-based line of text on which needle starts. */
static int line_of(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	assert_non_null(at);
	int line = 1;
	for (const char *s = text; s < at; s++)
		line += *s == '\n';
	return line;
}

/* ------------------------------------------------------------------ list */

static void list_shows_flags_of_planted_rows(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	cli_out o = cli_run(ARGS("members", "list", "--limit", "1000", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "org\tscope\tobject\temail\trole\tjoined\tlast_seen\tflags\tkey\n");
	/* 33 org rows less 2 ended (carol's old one, hank's), 19 workspace, 10
	 * live project rows. */
	assert_int_equal(count_lines(o.out), 1 + 31 + 19 + 10);
	assert_contains(o.err, "60 memberships; last page");
	assert_flags(o.out, "soylent\torg\tsoylent\tmallory@soylent.example\tdeveloper\t",
		     "deleted-user");
	assert_flags(o.out, "stark-industries\tproject\tarc-reactor\thappy@acme.example\tviewer\t",
		     "not-org-member");
	assert_flags(o.out, "umbrella\torg\tumbrella\tjill@umbrella.example\tsuperadmin\t",
		     "unknown-role");
	assert_flags(o.out, "stark-industries\torg\tstark-industries\trhodey@stark.example\t",
		     "unknown-role");
	assert_flags(o.out, "wayne-enterprises\torg\twayne-enterprises\tbruce@wayne.example\t",
		     "deleted-org");
	/* Near misses: clean rows carry no flag; ended memberships are not listed. */
	assert_flags(o.out, "acme\torg\tacme\talice@acme.example\towner\t", "");
	assert_flags(o.out, "acme\tproject\tapi\tdave@acme.example\tadmin\t", "");
	assert_flags(o.out, "acme\torg\tacme\tcarol@acme.example\teditor\t", "");
	assert_lacks(o.out, "acme\torg\tacme\tcarol@acme.example\tdeveloper");
	assert_lacks(o.out, "hank@globex.example");
	assert_lacks(o.out, "\ttps-reports\tmilton@initech.example");
	/* Joined and last seen are ISO 8601 UTC. */
	char *line = line_starting(o.out, "acme\torg\tacme\talice@acme.example\t");
	char *joined = field(line, 5), *seen = field(line, 6);
	assert_int_equal(strlen(joined), 20);
	assert_int_equal(joined[10], 'T');
	assert_int_equal(joined[19], 'Z');
	assert_int_equal(strlen(seen), 20);
	free(joined);
	free(seen);
	free(line);
	cli_out_free(&o);

	/* JSON carries the same rows. */
	o = cli_run(ARGS("members", "list", "--org", "soylent", "--json", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "\"email\":\"mallory@soylent.example\"");
	assert_contains(o.out, "\"flags\":\"deleted-user\"");
	cli_out_free(&o);
	free(dsn);
}

static void list_filters(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	cli_out o = cli_run(ARGS("members", "list", "--org", "umbrella", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(count_lines(o.out), 1 + 4 + 2);
	assert_lacks(o.out, "\nacme\t");
	cli_out_free(&o);

	o = cli_run(ARGS("members", "list", "--scope", "project", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(count_lines(o.out), 1 + 10);
	assert_lacks(o.out, "\torg\t");
	assert_lacks(o.out, "\tworkspace\t");
	cli_out_free(&o);

	o = cli_run(ARGS("members", "list", "--role", "owner", "--scope", "org", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	/* alice, peter, albert, ada, gavin, tony, bruce (deleted org), sol */
	assert_int_equal(count_lines(o.out), 1 + 8);
	assert_lacks(o.out, "\tdeveloper\t");
	cli_out_free(&o);

	o = cli_run(ARGS("members", "list", "--org", "acme", "--scope", "workspace", "--role",
			 "admin", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(count_lines(o.out), 1 + 2);
	assert_contains(o.out, "acme\tworkspace\tPlatform\talice@acme.example\tadmin\t");
	assert_contains(o.out, "acme\tworkspace\tPlatform\tdave@acme.example\tadmin\t");
	cli_out_free(&o);

	o = cli_run(ARGS("members", "list", "--org", "no-such-org", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "no organization 'no-such-org'");
	cli_out_free(&o);

	o = cli_run(ARGS("members", "list", "--scope", "team", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "--scope takes org, workspace or project");
	cli_out_free(&o);
	free(dsn);
}

/* The key after "--after " in a summary; NULL on the last page. */
static char *next_key(const char *err)
{
	const char *at = strstr(err, "--after ");
	if (!at)
		return NULL;
	at += strlen("--after ");
	return xstrndup(at, strcspn(at, " ;\n"));
}

static void list_pages_with_after(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	/* A member whose email sorts between others and needs escaping in a key. */
	dbtest_exec(dsn, "INSERT INTO public.users (id, email) VALUES"
			 " ('10000000-0000-4000-8000-0000000000a1', 'c:o%l/o n@acme.example');"
			 "INSERT INTO public.organization_members (user_id, organization_id, role)"
			 " VALUES ('10000000-0000-4000-8000-0000000000a1', '" ORG_ACME "',"
			 " 'viewer')");
	cli_out all = cli_run(ARGS("members", "list", "--limit", "1000", "-d", dsn), NULL);
	assert_int_equal(all.status, 0);
	const char *body = strchr(all.out, '\n') + 1;

	strbuf paged = STRBUF_INIT;
	char *after = NULL;
	int pages = 0;
	do {
		cli_out o;
		if (after)
			o = cli_run(ARGS("members", "list", "--limit", "7", "--after", after, "-d",
					 dsn),
				    NULL);
		else
			o = cli_run(ARGS("members", "list", "--limit", "7", "-d", dsn), NULL);
		assert_int_equal(o.status, 0);
		const char *rows = strchr(o.out, '\n') + 1;
		size_t n = count_lines(rows);
		assert_true(n <= 7);
		sb_add(&paged, rows);
		free(after);
		after = next_key(o.err);
		if (after) {
			/* The key printed is the page's last row's key. */
			assert_int_equal(n, 7);
			const char *last = rows;
			for (size_t i = 1; i < n; i++)
				last = strchr(last, '\n') + 1;
			char *line = xstrndup(last, strcspn(last, "\n"));
			char *key = field(line, 8);
			assert_string_equal(key, after);
			free(key);
			free(line);
		} else {
			assert_contains(o.err, "last page");
		}
		pages++;
		cli_out_free(&o);
	} while (after && pages < 100);
	assert_int_equal(pages, 9); /* 61 rows, 7 a page */
	assert_string_equal(sb_str(&paged), body);
	sb_free(&paged);
	cli_out_free(&all);

	cli_out o = cli_run(ARGS("members", "list", "--after", "acme:nope", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "is not a key of `members list`");
	cli_out_free(&o);
	o = cli_run(ARGS("members", "list", "--limit", "0", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	cli_out_free(&o);
	free(dsn);
}

static void list_flags_outside_allowlist(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *text = profile_text(NULL,
				  "owner_email_allowlist = acme.example, stark.example, "
				  "bruce@wayne.example\nblocked_domains = globex.example\n",
				  true, true);
	char *profile = write_temp(text);
	cli_out o = cli_run(ARGS("members", "list", "--limit", "1000", "--profile", profile, "-d",
				 dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_flags(o.out, "umbrella\torg\tumbrella\talbert@umbrella.example\towner\t",
		     "outside-allowlist");
	assert_flags(o.out, "umbrella\tworkspace\tLabs\talbert@umbrella.example\tadmin\t",
		     "outside-allowlist");
	/* Blocked even though no allowlist entry would be needed for a developer. */
	assert_flags(o.out, "globex\torg\tglobex\tmarge@globex.example\tadmin\t",
		     "outside-allowlist");
	assert_flags(o.out, "globex\torg\tglobex\thomer@globex.example\tdeveloper\t", "");
	/* Near misses: allowed domains, an allowed address, a non-privileged role. */
	assert_flags(o.out, "acme\torg\tacme\talice@acme.example\towner\t", "");
	assert_flags(o.out, "stark-industries\torg\tstark-industries\ttony@stark.example\t", "");
	assert_flags(o.out, "wayne-enterprises\torg\twayne-enterprises\tbruce@wayne.example\t",
		     "deleted-org");
	assert_flags(o.out, "umbrella\torg\tumbrella\tchris@umbrella.example\tdeveloper\t", "");
	cli_out_free(&o);
	unlink(profile);
	free(profile);
	free(text);
	free(dsn);
}

static void list_notes_unmapped_scopes(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *text = profile_text(NULL, NULL, false, true);
	char *profile = write_temp(text);
	cli_out o = cli_run(ARGS("members", "list", "--limit", "1000", "--profile", profile, "-d",
				 dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(count_lines(o.out), 1 + 31);
	assert_contains(o.err, "workspace scope: not mapped in profile");
	assert_contains(o.err, "project scope: not mapped in profile");
	cli_out_free(&o);
	o = cli_run(ARGS("members", "list", "--scope", "workspace", "--profile", profile, "-d",
			 dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "workspace scope is not mapped");
	cli_out_free(&o);
	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "zoe@example.org", "viewer",
			 "--scope", "project", "--in", "api", "--profile", profile, "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "project scope is not mapped");
	cli_out_free(&o);
	unlink(profile);
	free(profile);
	free(text);
	free(dsn);
}

static void export_is_every_row(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	/* More rows than one internal page. */
	dbtest_exec(dsn, "INSERT INTO public.users (email)"
			 " SELECT 'bulk' || i || '@acme.example' FROM generate_series(1, 1200) i;"
			 "INSERT INTO public.organization_members (user_id, organization_id, role)"
			 " SELECT id, '" ORG_ACME "', 'viewer' FROM public.users"
			 " WHERE email LIKE 'bulk%'");
	cli_out o = cli_run(ARGS("--csv", "members", "export", "-d", dsn), NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "org,scope,object,email,role,joined,last_seen,flags\r\n");
	assert_int_equal(count_lines(o.out), 1 + 60 + 1200);
	assert_contains(o.out, "soylent,org,soylent,mallory@soylent.example,developer,");
	assert_contains(o.err, "1260 memberships exported");
	cli_out_free(&o);

	o = cli_run(ARGS("--json", "members", "export", "--org", "acme", "--scope", "project", "-d",
			 dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "\"email\":\"dave@acme.example\"");
	assert_lacks(o.out, "bulk1@");
	assert_lacks(o.out, "stark");
	cli_out_free(&o);
	free(dsn);
}

/* ------------------------------------------------------------------ add */

static void add_creates_the_row_and_logs_it(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	long before = log_rows(dsn);
	/* Case does not matter for the email. */
	cli_out o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "Zoe@Example.ORG",
				 "developer", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "add zoe@example.org to org acme as developer");
	assert_contains(o.err, "applied");
	cli_out_free(&o);
	assert_scalar(dsn,
		      "SELECT string_agg(role || '/' || (deleted_at IS NULL), ',')"
		      " FROM public.organization_members WHERE user_id = '" USER_ZOE "'"
		      " AND organization_id = '" ORG_ACME "'",
		      "developer/true");
	assert_int_equal(log_rows(dsn), before + 1);
	assert_scalar(dsn,
		      "SELECT target || ' | ' || rows_affected || ' | ' || outcome"
		      " FROM public.tenantctl_operator_log ORDER BY id DESC LIMIT 1",
		      "member zoe@example.org in org acme | 1 | applied");
	assert_scalar(dsn,
		      "SELECT command LIKE '%members add acme Zoe@Example.ORG developer%'"
		      " FROM public.tenantctl_operator_log ORDER BY id DESC LIMIT 1",
		      "t");

	/* Workspace by name, project by id. */
	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "zoe@example.org", "editor",
			 "--scope", "workspace", "--in", "Platform", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	assert_scalar(dsn,
		      "SELECT role FROM public.workspace_members WHERE user_id = '" USER_ZOE "'"
		      " AND workspace_id = '" WS_PLATFORM "' AND deleted_at IS NULL",
		      "editor");
	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "zoe@example.org", "viewer",
			 "--scope", "project", "--in", PROJECT_API, "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "project api of org acme");
	cli_out_free(&o);
	assert_scalar(dsn,
		      "SELECT role FROM public.project_members WHERE user_id = '" USER_ZOE "'"
		      " AND project_id = '" PROJECT_API "' AND deleted_at IS NULL",
		      "viewer");
	assert_scalar(dsn,
		      "SELECT target FROM public.tenantctl_operator_log ORDER BY id DESC LIMIT 1",
		      "member zoe@example.org in project api of org acme");
	assert_int_equal(log_rows(dsn), before + 3);

	/* A project of another org is not found through this one. */
	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "zoe@example.org", "viewer",
			 "--scope", "project", "--in", "arc-reactor", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "org acme has no live project named or with id 'arc-reactor'");
	cli_out_free(&o);
	/* --in is required for those scopes, and lists the candidates. */
	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "zoe@example.org", "viewer",
			 "--scope", "workspace", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "needs --in");
	assert_contains(o.err, "Platform (" WS_PLATFORM ")");
	assert_contains(o.err, "Research (");
	cli_out_free(&o);
	free(dsn);
}

static void add_adds_to_a_project_and_says_not_an_org_member(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	cli_out o = cli_run(ARGS("--write", "--yes", "members", "add", "stark-industries",
				 "alice@acme.example", "viewer", "--scope", "project", "--in",
				 "Default Project", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "note: alice@acme.example is not a member of org stark-industries");
	cli_out_free(&o);
	free(dsn);
}

static void add_ambiguous_in_lists_candidates(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	dbtest_exec(dsn, "INSERT INTO public.workspaces (id, organization_id, name) VALUES"
			 " ('30000000-0000-4000-8000-0000000000a1', '" ORG_ACME "', 'Platform')");
	char *before = snapshot(dsn);
	cli_out o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "zoe@example.org",
				 "viewer", "--scope", "workspace", "--in", "Platform", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "'Platform' names 2 workspaces of org acme");
	assert_contains(o.err, WS_PLATFORM);
	assert_contains(o.err, "30000000-0000-4000-8000-0000000000a1");
	cli_out_free(&o);
	char *after = snapshot(dsn);
	assert_string_equal(before, after);
	free(after);
	/* The id settles it. */
	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "zoe@example.org", "viewer",
			 "--scope", "workspace", "--in", "30000000-0000-4000-8000-0000000000a1",
			 "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	free(before);
	free(dsn);
}

static void add_refuses_duplicates_unknown_roles_and_users(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *before = snapshot(dsn);
	cli_out o = cli_run(ARGS("--write", "--yes", "members", "add", "acme",
				 "bob.builder@acme.example", "viewer", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "bob.builder@acme.example is already a member of org acme "
			       "(role developer)");
	assert_contains(o.err, "members set-role");
	cli_out_free(&o);

	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "zoe@example.org",
			 "superuser", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "unknown role 'superuser'");
	assert_contains(o.err, "owner, admin, developer, editor, annotator, viewer");
	cli_out_free(&o);

	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "nobody@example.org",
			 "viewer", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "no user with email nobody@example.org");
	cli_out_free(&o);

	/* A deleted user gets no new membership. */
	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "mallory@soylent.example",
			 "viewer", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "user mallory@soylent.example is deleted");
	cli_out_free(&o);

	/* Nor does a deleted org. */
	o = cli_run(ARGS("--write", "--yes", "members", "add", "wayne-enterprises",
			 "zoe@example.org", "viewer", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "organization 'wayne-enterprises' is deleted");
	cli_out_free(&o);

	o = cli_run(ARGS("--write", "--yes", "members", "add", "nope", "zoe@example.org", "viewer",
			 "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "no organization 'nope'");
	cli_out_free(&o);

	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "zoe@example.org", "viewer",
			 "--in", "Platform", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "--in names a workspace or project");
	cli_out_free(&o);

	char *after = snapshot(dsn);
	assert_string_equal(before, after);
	free(after);
	free(before);
	free(dsn);
}

static void owner_allowlist_and_blocked_domains(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *text = profile_text(NULL,
				  "owner_email_allowlist = acme.example\n"
				  "blocked_domains = blocked.example\n",
				  true, true);
	char *profile = write_temp(text);
	char *rule_at = xasprintf("%s:%d", profile, line_of(text, "owner_email_allowlist"));
	char *blocked_at = xasprintf("%s:%d", profile, line_of(text, "blocked_domains"));
	char *before = snapshot(dsn);

	cli_out o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "add", "acme",
				 "zoe@example.org", "owner", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "zoe@example.org may not hold the owner role");
	assert_contains(o.err, "owner_email_allowlist");
	assert_contains(o.err, rule_at);
	cli_out_free(&o);
	/* Admin is privileged too, at any scope, and on a role change. */
	o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "add", "acme",
			 "zoe@example.org", "admin", "--scope", "workspace", "--in", "Platform",
"-d",
			 dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, rule_at);
	cli_out_free(&o);
	o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "set-role", "acme",
			 "happy@acme.example", "admin", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0); /* acme.example is allowed */
	cli_out_free(&o);
	o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "set-role",
			 "stark-industries", "bruce@wayne.example", "owner", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, rule_at);
	cli_out_free(&o);
	assert_scalar(dsn,
		      "SELECT role FROM public.organization_members"
		      " WHERE id = '50000000-0000-4000-8000-000000000029'",
		      "developer");

	/* A blocked domain, even for an address the allowlist would take. */
	dbtest_exec(dsn, "INSERT INTO public.users (email) VALUES ('eve@blocked.example')");
	o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "add", "acme",
			 "eve@blocked.example", "admin", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "the domain 'blocked.example' is blocked");
	assert_contains(o.err, blocked_at);
	cli_out_free(&o);
	/* Unprivileged roles are not governed. */
	o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "add", "acme",
			 "eve@blocked.example", "viewer", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.organization_members m"
				    " JOIN public.users u ON u.id = m.user_id"
				    " WHERE u.email IN ('eve@blocked.example', 'zoe@example.org')"),
			 1);

	/* The shipped profile reads its lists from the environment. */
	o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", "zoe@example.org", "owner",
			 "-d", dsn),
		    ARGS("TENANTCTL_OWNER_ALLOWLIST=acme.example, @stark.example"));
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "owner_email_allowlist");
	assert_contains(o.err, "default.conf:");
	cli_out_free(&o);
	o = cli_run(ARGS("members", "list", "--org", "acme", "--role", "admin", "-d", dsn),
		    ARGS("TENANTCTL_OWNER_ALLOWLIST=stark.example"));
	assert_int_equal(o.status, 0);
	assert_flags(o.out, "acme\torg\tacme\tdave@acme.example\tadmin\t", "outside-allowlist");
	cli_out_free(&o);

	unlink(profile);
	free(profile);
	free(text);
	free(rule_at);
	free(blocked_at);
	free(before);
	free(dsn);
}

/* ------------------------------------------------------------------ set-role, remove */

static void set_role_changes_the_role(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	long before = log_rows(dsn);
	cli_out o = cli_run(ARGS("--write", "--yes", "members", "set-role", "acme",
				 "carol@acme.example", "admin", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out,
			"change the role of carol@acme.example in org acme: editor -> admin");
	cli_out_free(&o);
	assert_scalar(dsn,
		      "SELECT role FROM public.organization_members"
		      " WHERE id = '50000000-0000-4000-8000-000000000003'",
		      "admin");
	/* carol's ended row is history and stays as it was. */
	assert_scalar(dsn,
		      "SELECT role FROM public.organization_members"
		      " WHERE id = '50000000-0000-4000-8000-000000000007'",
		      "developer");
	assert_int_equal(log_rows(dsn), before + 1);

	/* Both of gilfoyle's duplicate rows change; the preview says 2 rows. */
	o = cli_run(ARGS("--write", "--yes", "members", "set-role", "hooli",
			 "gilfoyle@hooli.example", "viewer", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "2 rows");
	cli_out_free(&o);

	/* Nothing to change, not a member: errors, nothing logged. */
	o = cli_run(ARGS("--write", "--yes", "members", "set-role", "acme", "carol@acme.example",
			 "admin", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "nothing to change");
	cli_out_free(&o);
	o = cli_run(ARGS("--write", "--yes", "members", "set-role", "acme", "zoe@example.org",
			 "admin", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "zoe@example.org is not a member of org acme");
	cli_out_free(&o);
	assert_int_equal(log_rows(dsn), before + 2);
	free(dsn);
}

static void last_owner_is_never_demoted_or_removed(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *before = snapshot(dsn);
	cli_out o = cli_run(ARGS("--write", "--yes", "members", "set-role", "acme",
				 "alice@acme.example", "admin", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "cannot demote alice@acme.example: they are the last live owner of "
			       "org acme");
	assert_contains(o.err, "promote someone else first");
	cli_out_free(&o);
	o = cli_run(ARGS("--write", "--yes", "members", "remove", "acme", "alice@acme.example",
			 "-d",
			 dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "cannot remove alice@acme.example: they are the last live owner");
	cli_out_free(&o);
	/* Not even as a dry run. */
	o = cli_run(ARGS("members", "remove", "acme", "alice@acme.example", "--dry-run", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	cli_out_free(&o);
	char *after = snapshot(dsn);
	assert_string_equal(before, after);
	free(after);

	/* Promote someone else first. The reference profile gives an org a
	 * single owner, so that hands ownership over: alice becomes an admin
	 * and the owner pointer follows. */
	o = cli_run(ARGS("--write", "--yes", "members", "set-role", "acme", "carol@acme.example",
			 "owner", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "ownership transfer");
	assert_contains(o.out, "alice@acme.example owner -> admin");
	assert_contains(o.out, "owner pointer (owner_id) of org acme -> carol@acme.example");
	cli_out_free(&o);
	assert_scalar(dsn,
		      "SELECT role FROM public.organization_members"
		      " WHERE id = '50000000-0000-4000-8000-000000000001'",
		      "admin");
	assert_scalar(dsn, "SELECT owner_id FROM public.organizations WHERE id = '" ORG_ACME "'",
		      "10000000-0000-4000-8000-000000000003");

	/* Where an org may have several owners, demoting one is a step of its
	 * own once another exists; the pointer moves to the remaining owner. */
	char *text = profile_text(NULL, NULL, true, true);
	char *profile = write_temp(text);
	o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "set-role", "acme",
			 "bob.builder@acme.example", "owner", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_lacks(o.out, "ownership transfer");
	cli_out_free(&o);
	o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "set-role", "acme",
			 "carol@acme.example", "developer", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "owner pointer (owner_id) of org acme -> bob.builder@acme.example");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT owner_id FROM public.organizations WHERE id = '" ORG_ACME "'",
		      "10000000-0000-4000-8000-000000000002");
	o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "set-role", "acme",
			 "bob.builder@acme.example", "viewer", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "last live owner");
	cli_out_free(&o);
	unlink(profile);
	free(profile);
	free(text);
	free(before);
	free(dsn);
}

static void remove_one_of_two_owners_moves_the_pointer(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	/* umbrella has two owners, albert (the pointer) and ada. */
	cli_out o = cli_run(ARGS("--write", "--yes", "members", "remove", "umbrella",
				 "albert@umbrella.example", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	assert_scalar(dsn,
		      "SELECT owner_id FROM public.organizations WHERE id = '" ORG_UMBRELLA "'",
		      USER_ADA);
	assert_scalar(dsn,
		      "SELECT deleted_at IS NOT NULL FROM public.organization_members"
		      " WHERE id = '50000000-0000-4000-8000-000000000017'",
		      "t");
	/* ada is the last one now. */
	o = cli_run(ARGS("--write", "--yes", "members", "remove", "umbrella",
			 "ada@umbrella.example", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	cli_out_free(&o);

	/* An org with no live owner (globex) loses its admin without ado. */
	o = cli_run(ARGS("--write", "--yes", "members", "remove", "globex", "marge@globex.example",
			 "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	free(dsn);
}

static void remove_cascades_to_workspaces_and_projects(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	long before = log_rows(dsn);
	/* dave: acme admin, in workspace Platform and project api. */
	cli_out o = cli_run(ARGS("--write", "--yes", "members", "remove", "acme",
				 "dave@acme.example",
				 "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "remove dave@acme.example from org acme (soft delete: deleted_at = "
			       "now())");
	assert_contains(o.out, "cascade: dave@acme.example's workspace and project memberships in "
			       "org acme end too");
	assert_contains(o.out, "    workspace Platform: admin");
	assert_contains(o.out, "    project api: admin");
	assert_contains(o.out, "rows affected: 3");
	cli_out_free(&o);
	assert_int_equal(count(dsn, "SELECT count(*) FROM ("
				    " SELECT deleted_at FROM public.organization_members"
				    "  WHERE id = '50000000-0000-4000-8000-000000000004'"
				    " UNION ALL SELECT deleted_at FROM public.workspace_members"
				    "  WHERE id = '60000000-0000-4000-8000-000000000003'"
				    " UNION ALL SELECT deleted_at FROM public.project_members"
				    "  WHERE id = '70000000-0000-4000-8000-000000000002') x"
				    " WHERE deleted_at IS NOT NULL"),
			 3);
	/* Nobody else's rows were touched. */
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.organization_members"
				    " WHERE deleted_at IS NOT NULL"),
			 3);
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.workspace_members"
				    " WHERE deleted_at IS NOT NULL"),
			 1);
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.project_members"
				    " WHERE deleted_at IS NOT NULL"),
			 2);
	assert_int_equal(log_rows(dsn), before + 1);
	assert_scalar(dsn,
		      "SELECT target || ' | ' || rows_affected FROM public.tenantctl_operator_log"
		      " ORDER BY id DESC LIMIT 1",
		      "member dave@acme.example in org acme | 3");

	/* Removing at workspace scope touches only that row. */
	o = cli_run(ARGS("--write", "--yes", "members", "remove", "acme",
			 "bob.builder@acme.example",
			 "--scope", "workspace", "--in", "Platform", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_lacks(o.out, "cascade");
	cli_out_free(&o);
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.organization_members m"
				    " WHERE id = '50000000-0000-4000-8000-000000000002'"
				    " AND deleted_at IS NULL"),
			 1);
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.project_members m"
				    " WHERE id = '70000000-0000-4000-8000-000000000001'"
				    " AND deleted_at IS NULL"),
			 1);

	/* A deleted user's live membership can be ended. */
	o = cli_run(ARGS("--write", "--yes", "members", "remove", "soylent",
			 "mallory@soylent.example", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	o = cli_run(ARGS("--write", "--yes", "members", "remove", "soylent",
			 "mallory@soylent.example", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "is not a member of org soylent");
	cli_out_free(&o);
	free(dsn);
}

static void remove_deletes_where_no_soft_delete_is_mapped(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *text = profile_text(NULL, NULL, true, false);
	char *profile = write_temp(text);
	cli_out o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "remove",
				 "acme", "erin@acme.example", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "DELETE");
	cli_out_free(&o);
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.organization_members"
				    " WHERE id = '50000000-0000-4000-8000-000000000005'"),
			 0);
	/* The cascade still soft-deletes where those tables map it. */
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.workspace_members"
				    " WHERE id = '60000000-0000-4000-8000-000000000005'"
				    " AND deleted_at IS NOT NULL"),
			 1);
	unlink(profile);
	free(profile);
	free(text);
	free(dsn);
}

static void single_owner_transfers_ownership(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *text = profile_text("single_owner = true\n", NULL, true, true);
	char *profile = write_temp(text);
	char *rule_at = xasprintf("%s:%d", profile, line_of(text, "single_owner"));
	cli_out o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "add",
				 "stark-industries", "alice@acme.example", "owner", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "org stark-industries already has an owner (tony@stark.example)");
	assert_contains(o.err, rule_at);
	assert_contains(o.err, "transfer ownership instead");
	cli_out_free(&o);

	o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "set-role",
			 "stark-industries", "pepper@stark.example", "owner", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "ownership transfer");
	assert_contains(o.out, "tony@stark.example owner -> admin");
	cli_out_free(&o);
	assert_scalar(dsn,
		      "SELECT string_agg(u.email || ':' || m.role, ',' ORDER BY u.email)"
		      " FROM public.organization_members m JOIN public.users u ON u.id = m.user_id"
		      " WHERE m.organization_id = '20000000-0000-4000-8000-000000000006'"
		      " AND m.role IN ('owner', 'admin') AND m.deleted_at IS NULL",
		      "pepper@stark.example:owner,tony@stark.example:admin");
	assert_scalar(dsn,
		      "SELECT u.email FROM public.organizations o JOIN public.users u"
		      " ON u.id = o.owner_id WHERE o.slug = 'stark-industries'",
		      "pepper@stark.example");

	/* globex has no owner (and no owner pointer): promoting marge hands
	 * nothing over and sets the pointer. */
	o = cli_run(ARGS("--write", "--yes", "--profile", profile, "members", "set-role", "globex",
			 "marge@globex.example", "owner", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_lacks(o.out, "ownership transfer");
	assert_contains(o.out, "owner pointer (owner_id) of org globex -> marge@globex.example");
	cli_out_free(&o);
	assert_scalar(dsn,
		      "SELECT u.email FROM public.organizations o JOIN public.users u"
		      " ON u.id = o.owner_id WHERE o.slug = 'globex'",
		      "marge@globex.example");
	unlink(profile);
	free(profile);
	free(text);
	free(rule_at);
	free(dsn);
}

/* ------------------------------------------------------------------ values */

static void emails_with_quotes_unicode_and_sql(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	static const char *const emails[] = {
		"o'brien@acme.example",
		"zoë.ünïcode@acme.example",
		"x'); DROP TABLE public.users; --@acme.example",
		"\"quoted\"\\back@acme.example",
		"$1 %s%n@acme.example",
	};
	for (size_t i = 0; i < sizeof emails / sizeof emails[0]; i++) {
		strbuf sql = STRBUF_INIT;
		sb_add(&sql, "INSERT INTO public.users (email) VALUES ('");
		for (const char *s = emails[i]; *s; s++) {
			if (*s == '\'')
				sb_addc(&sql, '\'');
			sb_addc(&sql, *s);
		}
		sb_add(&sql, "')");
		dbtest_exec(dsn, sb_str(&sql));
		sb_free(&sql);
		cli_out o = cli_run(ARGS("--write", "--yes", "members", "add", "acme", emails[i],
					 "viewer", "--scope", "project", "--in", "web", "-d", dsn),
				    NULL);
		if (o.status != 0)
			fail_msg("add %s: %d %s", emails[i], o.status, o.err);
		assert_contains(o.out, emails[i]);
		cli_out_free(&o);
	}
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.users"), 31 + 5);
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.project_members"
				    " WHERE project_id = '40000000-0000-4000-8000-000000000003'"),
			 1 + 5);
	cli_out o = cli_run(ARGS("members", "list", "--org", "acme", "--scope", "project", "-d",
				 dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	for (size_t i = 0; i < sizeof emails / sizeof emails[0]; i++)
		if (i != 3)
			assert_contains(o.out, emails[i]);
	/* Plain output escapes the backslash. */
	assert_contains(o.out, "\"quoted\"\\\\back@acme.example");
	cli_out_free(&o);
	/* Paging across them works too (their keys are escaped). */
	o = cli_run(ARGS("members", "list", "--org", "acme", "--scope", "project", "--limit", "1",
			 "-d", dsn),
		    NULL);
	char *after = next_key(o.err);
	assert_non_null(after);
	cli_out_free(&o);
	size_t seen = 1;
	while (after && seen < 50) {
		o = cli_run(ARGS("members", "list", "--org", "acme", "--scope", "project",
				 "--limit",
				 "1", "--after", after, "-d", dsn),
			    NULL);
		assert_int_equal(o.status, 0);
		assert_int_equal(count_lines(o.out), 2);
		free(after);
		after = next_key(o.err);
		seen++;
		cli_out_free(&o);
	}
	assert_int_equal(seen, 4 + 5);

	o = cli_run(ARGS("--write", "--yes", "members", "remove", "acme", emails[2], "--scope",
			 "project", "--in", "web", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	assert_int_equal(count(dsn, "SELECT count(*) FROM public.project_members"
				    " WHERE project_id = '40000000-0000-4000-8000-000000000003'"
				    " AND deleted_at IS NULL"),
			 5);
	free(dsn);
}

/* ------------------------------------------------------------------ staging */

static void dry_run_changes_nothing(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *before = snapshot(dsn);
	cli_out o = cli_run(ARGS("--write", "members", "add", "acme", "zoe@example.org",
				 "developer", "--dry-run", "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "add zoe@example.org to org acme as developer");
	assert_contains(o.err, "dry run: rolled back");
	cli_out_free(&o);
	/* A dry run needs no --write. */
	o = cli_run(ARGS("members", "remove", "acme", "dave@acme.example", "--dry-run", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "cascade");
	cli_out_free(&o);
	o = cli_run(ARGS("members", "set-role", "acme", "bob.builder@acme.example", "admin",
			 "--dry-run", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "developer -> admin");
	cli_out_free(&o);
	char *after = snapshot(dsn);
	assert_string_equal(before, after);
	free(after);
	free(before);
	free(dsn);
}

static void read_only_and_declined_change_nothing(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *before = snapshot(dsn);
	/* Read-only session: refused by the table gate. */
	cli_out o = cli_run(ARGS("members", "add", "acme", "zoe@example.org", "developer", "-d",
				 dsn),
			    NULL);
	assert_int_equal(o.status, 4);
	cli_out_free(&o);
	o = cli_run(ARGS("members", "remove", "acme", "bob.builder@acme.example", "-d", dsn), NULL);
	assert_int_equal(o.status, 4);
	cli_out_free(&o);
	/* --write without --yes and no terminal to ask on: declined. */
	o = cli_run(ARGS("--write", "members", "add", "acme", "zoe@example.org", "developer", "-d",
			 dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	assert_contains(o.err, "add zoe@example.org to org acme as developer"); /* the preview */
	assert_contains(o.err, "declined");
	cli_out_free(&o);
	o = cli_run(ARGS("--write", "members", "set-role", "acme", "bob.builder@acme.example",
			 "admin", "-d", dsn),
		    NULL);
	assert_int_equal(o.status, 4);
	cli_out_free(&o);
	char *after = snapshot(dsn);
	assert_string_equal(before, after);
	free(after);
	free(before);
	free(dsn);
}

/* ------------------------------------------------------------------ flags and paging back */

/* The lines of a listing's body whose flags field contains flag (any: a
 * flag at all). Caller frees. */
static char *lines_with_flag(const char *body, const char *flag)
{
	strbuf sb = STRBUF_INIT;
	for (const char *l = body; *l;) {
		size_t len = strcspn(l, "\n");
		char *line = xstrndup(l, len);
		char *flags = field(line, 7);
		bool want = !strcmp(flag, "any") ? *flags != '\0' : strstr(flags, flag) != NULL;
		if (want) {
			sb_addn(&sb, l, len);
			sb_addc(&sb, '\n');
		}
		free(flags);
		free(line);
		l += len + (l[len] == '\n');
	}
	sb_add(&sb, "");
	return sb_steal(&sb);
}

/* --flag keeps exactly the rows whose flags say so, the rules being the
 * same in SQL as in the flags column (the policy ones included). */
static void list_flag_filter_matches_the_flags_column(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *text = profile_text(NULL,
				  "owner_email_allowlist = acme.example, @stark.example, "
				  "bruce@WAYNE.example\nblocked_domains = globex.example\n",
				  true, true);
	char *profile = write_temp(text);
	cli_out all = cli_run(ARGS("members", "list", "--limit", "1000", "--profile", profile,
				   "-d", dsn),
			      NULL);
	assert_int_equal(all.status, 0);
	const char *body = strchr(all.out, '\n') + 1;
	static const char *const flags[] = {"any",	   "deleted-user",    "not-org-member",
					    "unknown-role", "outside-allowlist", "deleted-org",
					    "missing-user", "deleted-workspace", "deleted-project"};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		cli_out o = cli_run(ARGS("members", "list", "--limit", "1000", "--flag", flags[i],
					 "--profile", profile, "-d", dsn),
				    NULL);
		assert_int_equal(o.status, 0);
		char *want = lines_with_flag(body, flags[i]);
		const char *got = strchr(o.out, '\n') + 1;
		if (strcmp(got, want) != 0)
			fail_msg("--flag %s gave:\n%s\nexpected:\n%s", flags[i], got, want);
		free(want);
		cli_out_free(&o);
	}
	/* The planted ones are there (not just "both empty"). */
	cli_out o = cli_run(ARGS("members", "list", "--flag", "unknown-role", "--org", "umbrella",
				 "--profile", profile, "-d", dsn),
			    NULL);
	assert_int_equal(o.status, 0);
	assert_contains(o.out, "jill@umbrella.example\tsuperadmin");
	assert_int_equal(count_lines(o.out), 2);
	cli_out_free(&o);
	o = cli_run(ARGS("members", "list", "--flag", "outside-allowlist", "--org", "umbrella",
			 "--profile", profile, "-d", dsn),
		    NULL);
	assert_contains(o.out, "albert@umbrella.example\towner");
	assert_lacks(o.out, "chris@umbrella.example");
	cli_out_free(&o);
	o = cli_run(ARGS("members", "list", "--flag", "bogus", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	assert_contains(o.err, "--flag takes");
	cli_out_free(&o);
	cli_out_free(&all);
	unlink(profile);
	free(profile);
	free(text);
	free(dsn);
}

static char *prev_key(const char *err)
{
	const char *at = strstr(err, "--before ");
	if (!at)
		return NULL;
	at += strlen("--before ");
	return xstrndup(at, strcspn(at, " ;\n"));
}

/* --last, then --before page by page, walk the listing backwards and give
 * the same rows in the same order. */
static void list_pages_back_with_before_and_last(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	cli_out all = cli_run(ARGS("members", "list", "--limit", "1000", "-d", dsn), NULL);
	assert_int_equal(all.status, 0);
	const char *body = strchr(all.out, '\n') + 1;
	strbuf paged = STRBUF_INIT;
	char *before = NULL;
	int pages = 0;
	do {
		cli_out o;
		if (before)
			o = cli_run(ARGS("members", "list", "--limit", "7", "--before", before, "-d",
					 dsn),
				    NULL);
		else
			o = cli_run(ARGS("members", "list", "--limit", "7", "--last", "-d", dsn),
				    NULL);
		assert_int_equal(o.status, 0);
		const char *rows = strchr(o.out, '\n') + 1;
		assert_true(count_lines(rows) <= 7);
		/* Pages come last first: each goes in front of the ones before. */
		strbuf next = STRBUF_INIT;
		sb_add(&next, rows);
		sb_add(&next, sb_str(&paged));
		sb_free(&paged);
		paged = next;
		free(before);
		before = prev_key(o.err);
		if (before) {
			char *line = xstrndup(rows, strcspn(rows, "\n"));
			char *key = field(line, 8);
			assert_string_equal(key, before); /* the page's first row */
			free(key);
			free(line);
		} else {
			assert_contains(o.err, "first page");
		}
		pages++;
		cli_out_free(&o);
	} while (before && pages < 100);
	assert_int_equal(pages, 9); /* 60 rows, 7 a page */
	assert_string_equal(sb_str(&paged), body);
	sb_free(&paged);
	cli_out_free(&all);
	cli_out o = cli_run(ARGS("members", "list", "--last", "--after", "x", "-d", dsn), NULL);
	assert_int_equal(o.status, 2);
	cli_out_free(&o);
	free(dsn);
}

/* ------------------------------------------------------------------ batches */

static bool answer_yes(void *ctx, const char *preview)
{
	(void)ctx;
	(void)preview;
	return true;
}

static bool answer_no(void *ctx, const char *preview)
{
	(void)preview;
	*(int *)ctx += 1;
	return false;
}

static tc_session *write_session(const char *dsn, const char *profile)
{
	cmd_globals g = {0};
	g.dsn = (char *)dsn;
	g.write = true;
	g.profile = (char *)profile;
	tc_session *s = NULL;
	tc_error err = TC_ERROR_INIT;
	if (session_open(&g, NULL, NULL, &s, &err) != TC_OK)
		fail_msg("session_open: %s", err.message);
	return s;
}

#define CHANGE(op, org, email, role) ((members_change){op, org, email, role, NULL, NULL})

/* Every change of a batch in one transaction, with one audit-log row each;
 * the preview shows each change's rows and its SQL. */
static void batch_applies_every_change_with_a_log_row_each(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	tc_session *s = write_session(dsn, NULL);
	session_set_confirm(s, answer_yes, NULL);
	members_change v[] = {
		CHANGE(MEMBERS_SET_ROLE, "acme", "bob.builder@acme.example", "admin"),
		CHANGE(MEMBERS_REMOVE, "acme", "carol@acme.example", NULL),
		CHANGE(MEMBERS_ADD, "acme", "zoe@example.org", "developer"),
		{MEMBERS_ADD, "acme", "erin@acme.example", "viewer", "project", "api"},
	};
	long logs = log_rows(dsn);
	tc_result out;
	tc_error err = TC_ERROR_INIT;
	size_t failed = 99;
	tc_status rc = members_apply_batch(s, v, 4, false, &failed, &out, &err);
	if (rc != TC_OK)
		fail_msg("batch: %s", err.message);
	assert_int_equal(failed, 4);
	const char *preview = sb_str(&out.text);
	assert_contains(preview, "4 changes in one transaction");
	assert_contains(preview, "1. change the role of bob.builder@acme.example in org acme: "
				 "developer -> admin");
	assert_contains(preview, "2. remove carol@acme.example from org acme");
	assert_contains(preview, "3. add zoe@example.org to org acme as developer");
	assert_contains(preview, "4. add erin@acme.example to project api of org acme as viewer");
	/* The SQL, with the values written in, a clause a line. */
	assert_contains(preview, "UPDATE \"public\".\"organization_members\" m SET \"role\" = "
				 "'admin'");
	assert_contains(preview, "WHERE (m.\"user_id\") = '10000000-0000-4000-8000-000000000002'");
	assert_contains(preview, "INSERT INTO \"public\".\"organization_members\"");
	assert_contains(preview, "INSERT INTO \"public\".\"project_members\"");
	assert_contains(preview, ";  -- 1 row");
	assert_contains(out.summary, "applied 4 changes");
	res_free(&out);
	assert_scalar(dsn, "SELECT role FROM public.organization_members WHERE user_id = "
			   "'10000000-0000-4000-8000-000000000002' AND deleted_at IS NULL",
		      "admin");
	assert_scalar(dsn, "SELECT count(*) FROM public.organization_members WHERE user_id = "
			   "'10000000-0000-4000-8000-000000000003' AND deleted_at IS NULL",
		      "0");
	assert_scalar(dsn, "SELECT role FROM public.organization_members WHERE user_id = '" USER_ZOE
			   "' AND organization_id = '" ORG_ACME "' AND deleted_at IS NULL",
		      "developer");
	assert_scalar(dsn, "SELECT role FROM public.project_members WHERE user_id = "
			   "'10000000-0000-4000-8000-000000000005' AND project_id = '" PROJECT_API
			   "' AND deleted_at IS NULL",
		      "viewer");
	/* One row per change, each the command it stands for. */
	assert_int_equal(log_rows(dsn), logs + 4);
	assert_scalar(dsn, "SELECT string_agg(command || ' | ' || target || ' | ' || rows_affected, "
			   "E'\\n' ORDER BY id) FROM public.tenantctl_operator_log WHERE id > (SELECT "
			   "max(id) - 4 FROM public.tenantctl_operator_log)",
		      "tenantctl members set-role acme bob.builder@acme.example admin | member "
		      "bob.builder@acme.example in org acme | 1\n"
		      "tenantctl members remove acme carol@acme.example | member carol@acme.example "
		      "in org acme | 3\n"
		      "tenantctl members add acme zoe@example.org developer | member zoe@example.org "
		      "in org acme | 1\n"
		      "tenantctl members add acme erin@acme.example viewer --scope project --in api "
		      "| member erin@acme.example in project api of org acme | 1");
	session_close(s);
	free(dsn);
}

/* A change that fails in the middle leaves nothing applied, says which one
 * failed, and so do a declined batch and a dry run. */
static void batch_is_all_or_nothing(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *before = snapshot(dsn);
	tc_session *s = write_session(dsn, NULL);
	session_set_confirm(s, answer_yes, NULL);
	tc_result out;
	tc_error err = TC_ERROR_INIT;
	size_t failed = 99;

	/* alice is acme's only owner: the middle change is refused. */
	members_change v[] = {
		CHANGE(MEMBERS_SET_ROLE, "acme", "bob.builder@acme.example", "admin"),
		CHANGE(MEMBERS_REMOVE, "acme", "alice@acme.example", NULL),
		CHANGE(MEMBERS_ADD, "acme", "zoe@example.org", "developer"),
	};
	tc_status rc = members_apply_batch(s, v, 3, false, &failed, &out, &err);
	assert_int_equal(rc, TC_ERR_REFUSED);
	assert_int_equal(failed, 1);
	assert_contains(err.message, "last live owner of org acme");
	tc_error_clear(&err);
	res_free(&out);
	char *after = snapshot(dsn);
	assert_string_equal(before, after);
	free(after);

	/* Each change sees the ones before it: umbrella's two owners cannot
	 * both go, though either alone could. */
	members_change owners[] = {
		CHANGE(MEMBERS_REMOVE, "umbrella", "albert@umbrella.example", NULL),
		CHANGE(MEMBERS_REMOVE, "umbrella", "ada@umbrella.example", NULL),
	};
	rc = members_apply_batch(s, owners, 2, true, &failed, &out, &err);
	assert_int_equal(rc, TC_ERR_REFUSED);
	assert_int_equal(failed, 1);
	assert_contains(err.message, "cannot remove ada@umbrella.example");
	tc_error_clear(&err);
	res_free(&out);
	rc = members_apply_batch(s, owners + 1, 1, true, &failed, &out, &err);
	assert_int_equal(rc, TC_OK);
	assert_contains(out.summary, "dry run");
	res_free(&out);

	/* Refused before the database is read: an unknown role in change 2. */
	members_change bad_role[] = {
		CHANGE(MEMBERS_ADD, "acme", "zoe@example.org", "developer"),
		CHANGE(MEMBERS_SET_ROLE, "acme", "bob.builder@acme.example", "overlord"),
	};
	rc = members_apply_batch(s, bad_role, 2, false, &failed, &out, &err);
	assert_int_equal(rc, TC_ERR_USAGE);
	assert_int_equal(failed, 1);
	assert_contains(err.message, "unknown role 'overlord'");
	tc_error_clear(&err);
	res_free(&out);

	/* Declined: rolled back, nothing failed. */
	int asked = 0;
	session_set_confirm(s, answer_no, &asked);
	rc = members_apply_batch(s, v, 1, false, &failed, &out, &err);
	assert_int_equal(rc, TC_ERR_REFUSED);
	assert_int_equal(asked, 1);
	assert_int_equal(failed, 1);
	assert_contains(sb_str(&out.text), "developer -> admin");
	tc_error_clear(&err);
	res_free(&out);

	after = snapshot(dsn);
	assert_string_equal(before, after);
	free(after);
	free(before);
	session_close(s);
	free(dsn);
}

/* The owner policy refuses a batch before it reads anything. */
static void batch_refuses_what_the_policy_forbids(void **state)
{
	(void)state;
	char *dsn = seeded_db();
	char *text = profile_text(NULL, "owner_email_allowlist = acme.example\n", true, true);
	char *profile = write_temp(text);
	char *before = snapshot(dsn);
	tc_session *s = write_session(dsn, profile);
	session_set_confirm(s, answer_yes, NULL);
	members_change v[] = {
		CHANGE(MEMBERS_SET_ROLE, "acme", "bob.builder@acme.example", "admin"),
		CHANGE(MEMBERS_ADD, "acme", "zoe@example.org", "owner"),
	};
	tc_result out;
	tc_error err = TC_ERROR_INIT;
	size_t failed = 99;
	tc_status rc = members_apply_batch(s, v, 2, false, &failed, &out, &err);
	assert_int_equal(rc, TC_ERR_REFUSED);
	assert_int_equal(failed, 1);
	assert_contains(err.message, "outside the owner email allowlist");
	tc_error_clear(&err);
	res_free(&out);
	char *after = snapshot(dsn);
	assert_string_equal(before, after);
	free(after);
	free(before);
	session_close(s);
	unlink(profile);
	free(profile);
	free(text);
	free(dsn);
}

static void key_parts_and_change_commands(void **state)
{
	(void)state;
	char *org, *scope, *email, *obj;
	assert_true(members_key_parts("acme:workspace:c%3Ao%25l%2Fo%20n@acme.example:" WS_PLATFORM
				      ":60000000-0000-4000-8000-000000000001",
				      &org, &scope, &email, &obj));
	assert_string_equal(org, "acme");
	assert_string_equal(scope, "workspace");
	assert_string_equal(email, "c:o%l/o n@acme.example");
	assert_string_equal(obj, WS_PLATFORM);
	free(org);
	free(scope);
	free(email);
	free(obj);
	assert_false(members_key_parts("acme:nope", &org, &scope, &email, &obj));
	assert_false(members_key_parts(NULL, &org, &scope, &email, &obj));
	members_change ch = {MEMBERS_ADD, "acme", "o'neil@x.example", "viewer", "workspace",
			     "Big Data"};
	char *cmd = members_change_command(&ch);
	assert_string_equal(cmd, "tenantctl members add acme 'o'\\''neil@x.example' viewer "
				 "--scope workspace --in 'Big Data'");
	free(cmd);
	ch = (members_change){MEMBERS_REMOVE, "acme", "a@b.example", NULL, NULL, NULL};
	cmd = members_change_command(&ch);
	assert_string_equal(cmd, "tenantctl members remove acme a@b.example");
	free(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_shows_flags_of_planted_rows),
		cmocka_unit_test(list_filters),
		cmocka_unit_test(list_pages_with_after),
		cmocka_unit_test(list_flags_outside_allowlist),
		cmocka_unit_test(list_notes_unmapped_scopes),
		cmocka_unit_test(export_is_every_row),
		cmocka_unit_test(add_creates_the_row_and_logs_it),
		cmocka_unit_test(add_adds_to_a_project_and_says_not_an_org_member),
		cmocka_unit_test(add_ambiguous_in_lists_candidates),
		cmocka_unit_test(add_refuses_duplicates_unknown_roles_and_users),
		cmocka_unit_test(owner_allowlist_and_blocked_domains),
		cmocka_unit_test(set_role_changes_the_role),
		cmocka_unit_test(last_owner_is_never_demoted_or_removed),
		cmocka_unit_test(remove_one_of_two_owners_moves_the_pointer),
		cmocka_unit_test(remove_cascades_to_workspaces_and_projects),
		cmocka_unit_test(remove_deletes_where_no_soft_delete_is_mapped),
		cmocka_unit_test(single_owner_transfers_ownership),
		cmocka_unit_test(emails_with_quotes_unicode_and_sql),
		cmocka_unit_test(dry_run_changes_nothing),
		cmocka_unit_test(read_only_and_declined_change_nothing),
		cmocka_unit_test(list_flag_filter_matches_the_flags_column),
		cmocka_unit_test(list_pages_back_with_before_and_last),
		cmocka_unit_test(batch_applies_every_change_with_a_log_row_each),
		cmocka_unit_test(batch_is_all_or_nothing),
		cmocka_unit_test(batch_refuses_what_the_policy_forbids),
		cmocka_unit_test(key_parts_and_change_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
