/* Tenancy profiles: the INI dialect (every malformed line is an error naming
 * PATH:LINE), identifiers bare and quoted, env:VAR lists, the whole-file
 * checks, SQL quoting, and the shipped profiles as they are in the source
 * tree. No database: profile_check is pinned by tests/db/test_db_profile.c. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "profile.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *srcdir(void)
{
	const char *d = getenv("TC_SRCDIR");
	return d && *d ? d : ".";
}

static void load_shipped(const char *name, tc_profile *p)
{
	char *path = xasprintf("%s/db/profiles/%s.conf", srcdir(), name);
	tc_error err = TC_ERROR_INIT;
	tc_status st = profile_load(path, p, &err);
	if (st != TC_OK)
		fail_msg("%s: %s (%s)", path, err.message, err.hint ? err.hint : "");
	assert_string_equal(p->path, path);
	free(path);
}

static tc_status parse(const char *text, tc_profile *p, tc_error *err)
{
	return profile_parse(text, strlen(text), "t.conf", p, err);
}

static void parse_ok(const char *text, tc_profile *p)
{
	tc_error err = TC_ERROR_INIT;
	if (parse(text, p, &err) != TC_OK)
		fail_msg("unexpected error: %s", err.message);
}

static char *table_sql(const prof_ident *t)
{
	strbuf sb = STRBUF_INIT;
	profile_table_sql(&sb, t);
	return sb_steal(&sb);
}

static char *col_sql(const char *alias, const prof_ident *c)
{
	strbuf sb = STRBUF_INIT;
	profile_col_sql(&sb, alias, c);
	return sb_steal(&sb);
}

static void assert_list(const prof_list *l, const char *const *want, size_t n)
{
	assert_int_equal(l->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l->v[i], want[i]);
}

#define LIST(l, ...)                                                              \
	do {                                                                      \
		static const char *const w_[] = {__VA_ARGS__};                    \
		assert_list((l), w_, sizeof w_ / sizeof w_[0]);                   \
	} while (0)

static const prof_resource *resource(const tc_profile *p, const char *name)
{
	for (size_t i = 0; i < p->orgs.n_resources; i++)
		if (strcmp(p->orgs.resources[i].name, name) == 0)
			return &p->orgs.resources[i];
	fail_msg("no resource %s", name);
	return NULL;
}

static const char *plan_value(const prof_resource *r, const char *plan)
{
	for (size_t i = 0; i < r->n_plans; i++)
		if (strcmp(r->plan_names[i], plan) == 0)
			return r->plan_values[i];
	return NULL;
}

/* ------------------------------------------------------------ shipped */

static void shipped_default(void **state)
{
	(void)state;
	tc_profile p;
	load_shipped("default", &p);
	assert_string_equal(p.name, "default.conf");
	assert_string_equal(p.users.table.name, "public.users");
	assert_string_equal(p.users.last_seen.name, "last_seen_at");
	assert_false(profile_mapped(&p.users.status));
	assert_string_equal(p.orgs.owner.name, "owner_id");
	assert_string_equal(p.orgs.plan.name, "plan");
	assert_string_equal(p.members[SCOPE_ORG].table.name, "public.organization_members");
	assert_string_equal(p.members[SCOPE_WORKSPACE].scope.name, "workspace_id");
	assert_string_equal(p.members[SCOPE_PROJECT].scope.name, "project_id");
	assert_string_equal(p.projects.workspace.name, "workspace_id");
	LIST(&p.roles.known, "owner", "admin", "developer", "editor", "annotator", "viewer");
	LIST(&p.roles.owner, "owner");
	assert_true(p.roles.single_owner);
	assert_int_not_equal(p.roles.single_owner_line, 0);
	assert_string_equal(p.invitations.status.name, "status");
	assert_string_equal(p.invitations.pending_status.name, "pending");
	assert_string_equal(p.invitations.expires_at.name, "expires_at");
	assert_false(profile_mapped(&p.invitations.used));
	LIST(&p.resources.paid_plans, "team", "enterprise");
	LIST(&p.resources.free_plans, "free");
	assert_int_equal(p.orgs.n_resources, 2);
	const prof_resource *basin = resource(&p, "stream_basin_name");
	assert_string_equal(basin->column.name, "stream_basin_name");
	assert_string_equal(basin->provision, "basin-{slug}");
	const prof_resource *ret = resource(&p, "retention_days");
	assert_null(ret->provision);
	assert_string_equal(plan_value(ret, "team"), "30");
	assert_string_equal(plan_value(ret, "enterprise"), "365");
	assert_int_equal(p.policy.stale_after_days, 90);
	profile_free(&p);
}

static void shipped_agenta(void **state)
{
	(void)state;
	tc_profile p;
	load_shipped("agenta", &p);
	assert_string_equal(p.orgs.owner.name, "owner_id");
	assert_false(profile_mapped(&p.orgs.plan));
	assert_int_equal(p.orgs.n_resources, 0);
	assert_string_equal(p.projects.name.name, "project_name");
	assert_string_equal(p.workspaces.org.name, "organization_id");
	assert_string_equal(p.members[SCOPE_PROJECT].table.name, "public.project_members");
	LIST(&p.roles.known, "owner", "admin", "developer", "editor", "annotator", "viewer");
	assert_true(p.roles.single_owner);
	assert_string_equal(p.invitations.table.name, "public.project_invitations");
	assert_string_equal(p.invitations.used.name, "used");
	assert_string_equal(p.invitations.expires_at.name, "expiration_date");
	assert_false(profile_mapped(&p.invitations.status));
	assert_false(profile_mapped(&p.invitations.org));
	assert_string_equal(p.invitations.project.name, "project_id");
	profile_free(&p);
}

static void shipped_trigger(void **state)
{
	(void)state;
	tc_profile p;
	load_shipped("trigger", &p);
	assert_string_equal(p.users.table.name, "public.User");
	assert_string_equal(p.orgs.table.name, "public.Organization");
	assert_string_equal(p.orgs.name.name, "title");
	assert_string_equal(p.orgs.deleted_at.name, "deletedAt");
	assert_false(profile_mapped(&p.orgs.owner));
	assert_false(profile_mapped(&p.orgs.plan));
	assert_false(profile_mapped(&p.workspaces.table));
	assert_false(profile_mapped(&p.members[SCOPE_WORKSPACE].table));
	assert_string_equal(p.members[SCOPE_ORG].table.name, "public.OrgMember");
	assert_string_equal(p.members[SCOPE_ORG].user.name, "userId");
	assert_false(profile_mapped(&p.members[SCOPE_ORG].deleted_at));
	LIST(&p.roles.known, "ADMIN", "MEMBER");
	assert_false(p.roles.single_owner);
	assert_string_equal(p.roles.default_role.name, "MEMBER");
	assert_string_equal(p.invitations.table.name, "public.OrgMemberInvite");
	assert_false(profile_mapped(&p.invitations.expires_at));
	assert_false(profile_mapped(&p.invitations.status));
	assert_false(profile_mapped(&p.invitations.used));
	assert_string_equal(resource(&p, "stream_basin_name")->column.name, "streamBasinName");
	char *t = table_sql(&p.members[SCOPE_ORG].table);
	char *c = col_sql("m", &p.members[SCOPE_ORG].scope);
	assert_string_equal(t, "\"public\".\"OrgMember\"");
	assert_string_equal(c, "m.\"organizationId\"");
	free(t);
	free(c);
	profile_free(&p);
}

static void shipped_lobu(void **state)
{
	(void)state;
	tc_profile p;
	load_shipped("lobu", &p);
	assert_string_equal(p.users.table.name, "public.user");
	assert_string_equal(p.orgs.table.name, "public.organization");
	assert_false(profile_mapped(&p.orgs.deleted_at));
	assert_false(profile_mapped(&p.projects.table));
	assert_false(profile_mapped(&p.workspaces.table));
	assert_string_equal(p.members[SCOPE_ORG].table.name, "public.member");
	LIST(&p.roles.known, "owner", "admin", "member");
	assert_false(p.roles.single_owner);
	assert_string_equal(p.invitations.status.name, "status");
	assert_string_equal(p.invitations.pending_status.name, "pending");
	assert_string_equal(p.invitations.expires_at.name, "expiresAt");
	char *t = table_sql(&p.users.table);
	assert_string_equal(t, "\"public\".\"user\"");
	free(t);
	profile_free(&p);
}

/* By name, through the data folder; an unknown name lists the shipped. */
static void load_by_name(void **state)
{
	(void)state;
	char *data = xstrdup(srcdir());
	setenv("TC_DATADIR", data, 1);
	tc_profile p;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(profile_load("trigger", &p, &err), TC_OK);
	assert_string_equal(p.name, "trigger");
	assert_non_null(strstr(p.path, "/profiles/trigger.conf"));
	profile_free(&p);
	assert_int_equal(profile_load(NULL, &p, &err), TC_OK);
	assert_string_equal(p.name, "default");
	profile_free(&p);

	assert_int_equal(profile_load("nosuch", &p, &err), TC_ERR_USAGE);
	assert_string_equal(err.message, "unknown profile 'nosuch'");
	assert_non_null(strstr(err.hint, "agenta, default, lobu, trigger"));
	/* Not a name: no climbing out of the folder through a "name". */
	assert_int_equal(profile_load("..", &p, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "unknown profile"));
	/* A path: anything with '/' or ending in .conf. */
	assert_int_equal(profile_load("missing.conf", &p, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "profile missing.conf does not exist"));
	tc_error_clear(&err);
	unsetenv("TC_DATADIR");
	free(data);
}

/* ------------------------------------------------------------ syntax */

static void comments_quotes_and_identifiers(void **state)
{
	(void)state;
	tc_profile p;
	parse_ok("# a comment\n"
		 "; another\n"
		 "\n"
		 "[users]\r\n"
		 "  table   =   Users  \n"
		 "id = \"ID\"\n"
		 "email = e$mail_2\n"
		 "[organizations]\n"
		 "table = tenancy.\"Org \"\"Team\"\"\"\n"
		 "id = \"a.b\"\n"
		 "name = Ünïcode\n"
		 "[members.org]\n"
		 "table = \"OrgMember\"\n"
		 "[roles]\n"
		 "known = \"owner , admin\"\n"
		 "default = \"admin\"\n",
		 &p);
	assert_string_equal(p.name, "t.conf");
	/* Bare names keep their case: never folded. */
	assert_string_equal(p.users.table.name, "public.Users");
	assert_int_equal(p.users.table.line, 5);
	assert_string_equal(p.users.id.name, "ID");
	assert_string_equal(p.users.email.name, "e$mail_2");
	assert_string_equal(p.orgs.table.name, "tenancy.Org \"Team\"");
	assert_string_equal(p.orgs.id.name, "a.b");
	assert_string_equal(p.orgs.name.name, "Ünïcode");
	assert_string_equal(p.members[SCOPE_ORG].table.name, "public.OrgMember");
	LIST(&p.roles.known, "owner", "admin");
	assert_string_equal(p.roles.default_role.name, "admin");
	assert_int_equal(p.roles.default_role.line, 16);

	char *t = table_sql(&p.orgs.table);
	assert_string_equal(t, "\"tenancy\".\"Org \"\"Team\"\"\"");
	free(t);
	char *c = col_sql(NULL, &p.orgs.id);
	assert_string_equal(c, "\"a.b\"");
	free(c);
	c = col_sql("o", &p.orgs.plan); /* not mapped */
	assert_string_equal(c, "NULL");
	free(c);
	assert_false(profile_mapped(&p.orgs.plan));
	assert_int_equal(p.orgs.plan.line, 0);
	profile_free(&p);
}

static void empty_profile_maps_nothing(void **state)
{
	(void)state;
	tc_profile p;
	parse_ok("", &p);
	assert_false(profile_mapped(&p.users.table));
	assert_int_equal(p.roles.known.n, 0);
	assert_false(p.roles.single_owner);
	profile_free(&p);
}

static void env_lists(void **state)
{
	(void)state;
	const char *text = "[policy]\n"
			   "owner_email_allowlist = env:TC_TEST_ALLOW\n"
			   "blocked_domains = mailinator.com, example.net\n"
			   "stale_after_days = 30\n";
	tc_profile p;
	setenv("TC_TEST_ALLOW", " acme.com ,ops@example.org,, \n", 1);
	parse_ok(text, &p);
	LIST(&p.policy.owner_email_allowlist, "acme.com", "ops@example.org");
	assert_int_equal(p.policy.owner_email_allowlist.line, 2);
	LIST(&p.policy.blocked_domains, "mailinator.com", "example.net");
	assert_int_equal(p.policy.stale_after_days, 30);
	assert_int_equal(p.policy.stale_line, 4);
	profile_free(&p);

	/* Unset: an empty list, not an error; the line is still recorded. */
	unsetenv("TC_TEST_ALLOW");
	parse_ok(text, &p);
	assert_int_equal(p.policy.owner_email_allowlist.n, 0);
	assert_int_equal(p.policy.owner_email_allowlist.line, 2);
	profile_free(&p);

	setenv("TC_TEST_ALLOW", "", 1);
	parse_ok(text, &p);
	assert_int_equal(p.policy.owner_email_allowlist.n, 0);
	profile_free(&p);
	unsetenv("TC_TEST_ALLOW");
}

static void scopes(void **state)
{
	(void)state;
	prof_scope s;
	assert_true(profile_scope_parse("workspace", &s));
	assert_int_equal(s, SCOPE_WORKSPACE);
	assert_true(profile_scope_parse("org", &s));
	assert_int_equal(s, SCOPE_ORG);
	assert_false(profile_scope_parse("Project", &s));
	assert_false(profile_scope_parse(NULL, &s));
	assert_string_equal(profile_scope_name(SCOPE_PROJECT), "project");
	prof_list l = {NULL, 0, 0};
	assert_false(profile_list_has(&l, "x"));
}

/* ------------------------------------------------------------ mistakes */

typedef struct bad_case {
	const char *what;
	const char *text;
	const char *message; /* exact */
	const char *hint;    /* a fragment of the hint */
} bad_case;

static const bad_case bad_cases[] = {
	{"unknown section", "[users]\ntable = u\n[organisations]\n",
	 "t.conf:3: unknown section [organisations]", "did you mean [organizations]?"},
	{"unknown key", "[users]\ntable = u\nemial = email\n",
	 "t.conf:3: unknown key 'emial' in [users]", "did you mean 'email'?"},
	{"unknown key, resources listed", "[organizations]\nowner_id = x\n",
	 "t.conf:2: unknown key 'owner_id' in [organizations]", "resource.NAME"},
	{"duplicate key", "[users]\ntable = u\nid = id\n\nid = uid\n",
	 "t.conf:5: duplicate key 'id' in [users] (first set on line 3)", "keep one"},
	{"duplicate section", "[roles]\nknown = a\n[policy]\n[roles]\n",
	 "t.conf:4: duplicate section [roles] (first on line 1)", "merge"},
	{"key outside a section", "# profile\ntable = users\n",
	 "t.conf:2: 'table' is set outside any section", "section header"},
	{"not key = value", "[users]\ntable users\n",
	 "t.conf:2: expected 'key = value', found 'table users'", "key = value"},
	{"missing key", "[users]\n = users\n", "t.conf:2: missing key before '='", "key = value"},
	{"header not closed", "[users\n", "t.conf:1: section header is missing its closing ']'",
	 "[users]"},
	{"bad bool", "[roles]\nsingle_owner = yes\n",
	 "t.conf:2: invalid boolean 'yes' for 'single_owner'", "true or false"},
	{"bad integer", "[policy]\nstale_after_days = 90d\n",
	 "t.conf:2: invalid number '90d' for 'stale_after_days'", "whole number"},
	{"zero days", "[policy]\nstale_after_days = 0\n",
	 "t.conf:2: invalid number '0' for 'stale_after_days'", "whole number"},
	{"negative days", "[policy]\nstale_after_days = -5\n",
	 "t.conf:2: invalid number '-5' for 'stale_after_days'", "whole number"},
	{"empty list item", "[roles]\nknown = owner,, admin\n",
	 "t.conf:2: empty item in the list for 'known'", "single commas"},
	{"trailing comma", "[resources]\npaid_plans = team,\n",
	 "t.conf:2: empty item in the list for 'paid_plans'", "single commas"},
	{"empty value", "[users]\ntable =\n", "t.conf:2: empty value for 'table' in [users]",
	 "not mapped"},
	{"empty quoted value", "[roles]\ndefault = \"\"\n",
	 "t.conf:2: empty value for 'default' in [roles]", "not mapped"},
	{"unterminated quote", "[roles]\nknown = \"owner, admin\n",
	 "t.conf:2: unterminated quoted value", "closing '\"'"},
	{"text after quote", "[roles]\nknown = \"owner\" # the owner\n",
	 "t.conf:2: unexpected text '# the owner' after closing quote", "own line"},
	{"unterminated quoted identifier", "[users]\ntable = public.\"User\n",
	 "t.conf:2: bad table name 'public.\"User' for 'table' in [users]: unterminated quoted "
	 "identifier",
	 "schema.\"QuotedName\""},
	{"bad table name: space", "[users]\ntable = my users\n",
	 "t.conf:2: bad table name 'my users' for 'table' in [users]: unexpected text after the "
	 "name",
	 "schema.name"},
	{"bad table name: three parts", "[users]\ntable = db.public.users\n",
	 "t.conf:2: bad table name 'db.public.users' for 'table' in [users]: too many dots",
	 "schema.name"},
	{"bad table name: trailing dot", "[users]\ntable = public.\n",
	 "t.conf:2: bad table name 'public.' for 'table' in [users]: expected a name", "schema.name"},
	{"bad table name: dot inside quotes", "[users]\ntable = \"public.users\"\n",
	 "t.conf:2: bad table name '\"public.users\"' for 'table' in [users]: a '.' inside a "
	 "quoted name is not supported",
	 "schema.\"QuotedName\""},
	{"bad table name: digit first", "[users]\ntable = 1users\n",
	 "t.conf:2: bad table name '1users' for 'table' in [users]: expected a name", "schema.name"},
	{"bad column name", "[users]\ntable = users\nemail = lower(email)\n",
	 "t.conf:3: bad column name 'lower(email)' for 'email' in [users]: unexpected text after "
	 "the name",
	 "\"QuotedName\""},
	{"qualified column", "[users]\ntable = users\nemail = users.email\n",
	 "t.conf:3: bad column name 'users.email' for 'email' in [users]: unexpected text after "
	 "the name",
	 "\"QuotedName\""},
	{"empty quoted identifier", "[users]\ntable = users\nid = \"\"\n",
	 "t.conf:3: bad column name '\"\"' for 'id' in [users]: empty quoted identifier",
	 "\"QuotedName\""},
	{"quote inside a bare name", "[users]\ntable = users\nid = a\"b\"\n",
	 "t.conf:3: bad column name 'a\"b\"' for 'id' in [users]: unexpected text after the name",
	 "\"QuotedName\""},
	{"bad env name", "[policy]\nblocked_domains = env:1X\n",
	 "t.conf:2: bad environment variable name '1X' for 'blocked_domains'", "env:NAME"},
	{"column without table", "[projects]\nid = id\nname = name\n",
	 "t.conf:2: 'id' is mapped but [projects] has no 'table'", "add table"},
	{"status without pending value", "[invitations]\ntable = inv\nstatus = status\n",
	 "t.conf:3: [invitations] maps 'status' without 'pending_status'", "pending_status ="},
	{"owner role not known", "[roles]\nknown = admin, member\nowner = owner\n",
	 "t.conf:3: role 'owner' in 'owner' is not in 'known'", "line 2"},
	{"default role not known", "[roles]\nknown = ADMIN, MEMBER\ndefault = member\n",
	 "t.conf:3: default role 'member' is not in 'known'", "case-sensitive"},
	{"resource without column",
	 "[organizations]\ntable = o\n[resources]\npaid_plans = team\nresource.basin.provision = b-{slug}\n",
	 "t.conf:5: resource 'basin' has rules but no column", "resource.basin = COLUMN"},
	{"resource column dotted", "[organizations]\ntable = o\nresource.a.b = c\n",
	 "t.conf:3: bad resource key 'resource.a.b' in [organizations]", "resource.NAME = COLUMN"},
	{"resource rule undotted", "[resources]\nresource.a = c\n",
	 "t.conf:2: bad resource key 'resource.a' in [resources]", "resource.NAME.provision"},
	{"bad template",
	 "[organizations]\ntable = o\nresource.b = b\n[resources]\npaid_plans = team\n"
	 "resource.b.provision = basin-{name}\n",
	 "t.conf:6: bad template 'basin-{name}' for 'resource.b.provision'", "{slug}"},
	{"unknown plan",
	 "[organizations]\ntable = o\nresource.r = r\n[resources]\npaid_plans = team\n"
	 "resource.r.team = 30\nresource.r.pro = 90\n",
	 "t.conf:7: plan 'pro' of resource 'r' is in neither paid_plans nor free_plans",
	 "add it to paid_plans"},
	{"paid plan without a value",
	 "[organizations]\ntable = o\nresource.r = r\n[resources]\npaid_plans = team, enterprise\n"
	 "resource.r.team = 30\n",
	 "t.conf:6: resource 'r' has no value for paid plan 'enterprise'",
	 "resource.r.enterprise = VALUE"},
	{"duplicate resource rule",
	 "[organizations]\ntable = o\nresource.r = r\n[resources]\npaid_plans = team\n"
	 "resource.r.team = 30\nresource.r.team = 31\n",
	 "t.conf:7: duplicate key 'resource.r.team' in [resources] (first set on line 6)", "keep"},
	{"plan both paid and free", "[resources]\npaid_plans = team\nfree_plans = free, team\n",
	 "t.conf:3: plan 'team' is both paid and free", "paid_plans (line 2)"},
	{"invalid UTF-8", "[users]\ntable = us\xff\n", "t.conf:2: invalid UTF-8 (byte 0xFF at column 11)",
	 "UTF-8"},
};

static void malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *c = &bad_cases[i];
		tc_profile p;
		tc_error err = TC_ERROR_INIT;
		tc_status st = parse(c->text, &p, &err);
		if (st != TC_ERR_USAGE)
			fail_msg("%s: parsed, expected \"%s\"", c->what, c->message);
		if (!err.message || strcmp(err.message, c->message) != 0)
			fail_msg("%s:\n  got  \"%s\"\n  want \"%s\"", c->what,
				 err.message ? err.message : "(none)", c->message);
		if (!err.hint || !strstr(err.hint, c->hint))
			fail_msg("%s: hint \"%s\" lacks \"%s\"", c->what, err.hint ? err.hint : "(none)",
				 c->hint);
		/* A failed parse leaves nothing to free. */
		assert_null(p.path);
		assert_null(p.users.table.name);
		assert_int_equal(p.orgs.n_resources, 0);
		tc_error_clear(&err);
	}
}

/* NUL bytes cannot go through a C string literal table. */
static void nul_byte(void **state)
{
	(void)state;
	static const char text[] = "[users]\ntable = u\0x\n";
	tc_profile p;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(profile_parse(text, sizeof text - 1, "t.conf", &p, &err), TC_ERR_USAGE);
	assert_string_equal(err.message, "t.conf:2: NUL byte in line");
	tc_error_clear(&err);
}

/* A list goes to the server as one text[] parameter: every element quoted,
 * so commas, braces, quotes, backslashes and NULL-looking words stay data. */
static void list_as_text_array(void **state)
{
	(void)state;
	char *v[] = {"owner", "a,b", "{x}", "say \"hi\"", "back\\slash", "NULL", ""};
	prof_list l = {v, sizeof v / sizeof v[0], 0};
	char *got = profile_list_array(&l);
	assert_string_equal(got, "{\"owner\",\"a,b\",\"{x}\",\"say \\\"hi\\\"\","
				 "\"back\\\\slash\",\"NULL\",\"\"}");
	free(got);
	prof_list none = {NULL, 0, 0};
	got = profile_list_array(&none);
	assert_string_equal(got, "{}");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_as_text_array),
		cmocka_unit_test(shipped_default),
		cmocka_unit_test(shipped_agenta),
		cmocka_unit_test(shipped_trigger),
		cmocka_unit_test(shipped_lobu),
		cmocka_unit_test(load_by_name),
		cmocka_unit_test(comments_quotes_and_identifiers),
		cmocka_unit_test(empty_profile_maps_nothing),
		cmocka_unit_test(env_lists),
		cmocka_unit_test(scopes),
		cmocka_unit_test(malformed),
		cmocka_unit_test(nul_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
