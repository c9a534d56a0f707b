#include "config.h"

#include "audit.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "migcmd.h"
#include "profile.h"
#include "session.h"
#include "stage.h"
#include "strbuf.h"
#include "xalloc.h"

/* Every check is one statement: an inner query that yields one row per
 * finding (org, usr, role, detail), materialized once and wrapped so that
 * the server returns the count and the first N findings as a JSON array
 * (jsonb_build_object does the escaping). Values travel as parameters: $1
 * is the sample limit, $2 the --org slug when given, the rest (role lists,
 * policy lists, plans) are added as the query is built. Identifiers come
 * quoted from the profile.
 *
 * Built for a million orgs and five million memberships (one REPEATABLE
 * READ snapshot, the whole audit in seconds): a check narrows on the
 * membership table alone first (grouped so an index on (scope, user) can
 * serve it, or filtered to the few users that matter), and names (slugs,
 * emails, workspace names) are looked up per finding rather than joined
 * for every row, so a misestimated filter never turns into a hash of every
 * user. --org becomes "key IN (ids of the org)", which the indexes serve. */

typedef enum severity { SEV_LOW, SEV_MEDIUM, SEV_HIGH } severity;

static const char *const sev_names[] = {"low", "medium", "high"};

/* Slugs that collide with routes and subdomains of a typical product. */
static const char *const reserved_slugs[] = {
	"about", "account", "accounts", "admin", "administrator", "api", "app", "apps", "assets",
	"auth", "billing", "blog", "dashboard", "docs", "help", "login", "logout", "me", "new",
	"null", "oauth", "public", "register", "root", "settings", "signin", "signout", "signup",
	"static", "status", "support", "system", "undefined", "www",
};

/* ------------------------------------------------------------ query builder */

typedef struct qb {
	const tc_profile *p; /* borrowed */
	const char *org;     /* borrowed; --org, NULL for every org */
	strbuf sql;
	char **params; /* owned */
	size_t nparams, cap;
	strbuf missing;     /* the mapping keys the check needs and lacks */
	char *na;           /* owned; not applicable for another reason */
	int server_version; /* server_version_num, 0 when unknown */
} qb;

static void qb_push(qb *q, const char *v)
{
	q->params = xgrow(q->params, &q->cap, q->nparams + 1, sizeof *q->params);
	q->params[q->nparams++] = v ? xstrdup(v) : NULL;
}

/* $1 the limit, $2 the org (only when --org was given). */
static void qb_init(qb *q, const tc_profile *p, const char *org, long limit)
{
	memset(q, 0, sizeof *q);
	q->p = p;
	q->org = org;
	char *l = xasprintf("%ld", limit);
	qb_push(q, l);
	free(l);
	if (org)
		qb_push(q, org);
}

static void qb_free(qb *q)
{
	for (size_t i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	sb_free(&q->sql);
	sb_free(&q->missing);
	free(q->na);
	memset(q, 0, sizeof *q);
}

static bool qb_ok(const qb *q)
{
	return q->missing.len == 0 && !q->na;
}

static void add(qb *q, const char *s)
{
	sb_add(&q->sql, s);
}

static void addf(qb *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(qb *q, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&q->sql, fmt, ap);
	va_end(ap);
}

/* A value, as the next parameter. */
static void val(qb *q, const char *v)
{
	qb_push(q, v);
	addf(q, "$%zu::text", q->nparams);
}

/* A list of values, as one text[] parameter (an array literal). */
static void list_n(qb *q, const char *const *v, size_t n)
{
	char *a = db_text_array(v, n);
	qb_push(q, a);
	free(a);
	addf(q, "$%zu::text[]", q->nparams);
}

static void list(qb *q, const prof_list *l)
{
	list_n(q, (const char *const *)l->v, l->n);
}

static void tbl(qb *q, const prof_ident *t)
{
	profile_table_sql(&q->sql, t);
}

static void col(qb *q, const char *alias, const prof_ident *c)
{
	profile_col_sql(&q->sql, alias, c);
}

/* alias.deleted_at IS NULL, or TRUE when there is no soft delete. */
static void live(qb *q, const char *alias, const prof_ident *deleted_at)
{
	if (profile_mapped(deleted_at)) {
		col(q, alias, deleted_at);
		add(q, " IS NULL");
	} else {
		add(q, "TRUE");
	}
}

static void missing(qb *q, const char *section, const char *key)
{
	if (q->missing.len)
		sb_add(&q->missing, ", ");
	sb_addf(&q->missing, "[%s] %s", section, key);
}

static bool need(qb *q, const char *section, const char *key, const prof_ident *i)
{
	if (profile_mapped(i))
		return true;
	missing(q, section, key);
	return false;
}

static bool need_list(qb *q, const char *section, const char *key, const prof_list *l)
{
	if (l->n)
		return true;
	missing(q, section, key);
	return false;
}

static const char *const member_sections[SCOPE_N] = {"members.org", "members.workspace",
						     "members.project"};

/* The organizations table with its id: every check needs them. */
static void need_orgs(qb *q)
{
	need(q, "organizations", "table", &q->p->orgs.table);
	need(q, "organizations", "id", &q->p->orgs.id);
}

static void need_users(qb *q)
{
	need(q, "users", "table", &q->p->users.table);
	need(q, "users", "id", &q->p->users.id);
}

/* The organization scope is required; say which of its keys are missing. */
static void need_org_members(qb *q, bool role)
{
	const prof_members *m = &q->p->members[SCOPE_ORG];
	need(q, "members.org", "table", &m->table);
	need(q, "members.org", "user", &m->user);
	need(q, "members.org", "scope", &m->scope);
	if (role)
		need(q, "members.org", "role", &m->role);
}

static bool scope_has_role(const tc_profile *p, prof_scope s)
{
	return profile_scope_usable(p, s) && profile_mapped(&p->members[s].role);
}

/* The org's handle in samples and for --org: the slug, else the id. */
static void orglabel(qb *q, const char *alias)
{
	const prof_orgs *o = &q->p->orgs;
	if (profile_mapped(&o->slug)) {
		add(q, "coalesce(");
		col(q, alias, &o->slug);
		add(q, "::text, ");
		col(q, alias, &o->id);
		add(q, "::text)");
	} else {
		col(q, alias, &o->id);
		add(q, "::text");
	}
}

/* " AND <alias is the --org org>", nothing without --org. */
static void orgfilter(qb *q, const char *alias)
{
	if (!q->org)
		return;
	add(q, " AND ");
	if (profile_mapped(&q->p->orgs.slug)) {
		col(q, alias, &q->p->orgs.slug);
		add(q, " = $2");
	} else {
		col(q, alias, &q->p->orgs.id);
		add(q, "::text = $2");
	}
}

/* The ids of the --org org, as a subquery: (SELECT o2.id FROM orgs o2 WHERE ...). */
static void org_ids(qb *q)
{
	add(q, "(SELECT ");
	col(q, "o2", &q->p->orgs.id);
	add(q, " FROM ");
	tbl(q, &q->p->orgs.table);
	add(q, " o2 WHERE TRUE");
	orgfilter(q, "o2");
	add(q, ")");
}

static void email(qb *q, const char *alias)
{
	const prof_users *u = &q->p->users;
	col(q, alias, profile_mapped(&u->email) ? &u->email : &u->id);
	add(q, "::text");
}

/* Correlated lookups for names: evaluated only for the rows that are
 * findings (one index probe each), so a check never joins a whole table
 * just to print names. key is an SQL expression. */
static void org_label_of(qb *q, const char *key)
{
	add(q, "(SELECT ");
	orglabel(q, "ol");
	add(q, " FROM ");
	tbl(q, &q->p->orgs.table);
	add(q, " ol WHERE ");
	col(q, "ol", &q->p->orgs.id);
	addf(q, " = %s)", key);
}

static void user_email_of(qb *q, const char *key)
{
	add(q, "coalesce((SELECT ");
	email(q, "ul");
	add(q, " FROM ");
	tbl(q, &q->p->users.table);
	add(q, " ul WHERE ");
	col(q, "ul", &q->p->users.id);
	addf(q, " = %s), %s::text)", key, key);
}

/* The SQL of a column as a string, for the helpers that take keys. */
static char *col_str(const char *alias, const prof_ident *c)
{
	strbuf sb = STRBUF_INIT;
	profile_col_sql(&sb, alias, c);
	return sb_steal(&sb);
}

/* Joins from a scope key (an expression) to the scope's row and its org,
 * aliased sw (workspace) or sp (project) and o. Left joins: a dangling key
 * keeps its row. */
static void scope_joins(qb *q, prof_scope s, const char *key)
{
	const tc_profile *p = q->p;
	if (s == SCOPE_ORG) {
		add(q, " LEFT JOIN ");
		tbl(q, &p->orgs.table);
		add(q, " o ON ");
		col(q, "o", &p->orgs.id);
		addf(q, " = %s", key);
		return;
	}
	const prof_ident *t = s == SCOPE_WORKSPACE ? &p->workspaces.table : &p->projects.table;
	const prof_ident *id = s == SCOPE_WORKSPACE ? &p->workspaces.id : &p->projects.id;
	const prof_ident *org = s == SCOPE_WORKSPACE ? &p->workspaces.org : &p->projects.org;
	const char *a = s == SCOPE_WORKSPACE ? "sw" : "sp";
	add(q, " LEFT JOIN ");
	tbl(q, t);
	addf(q, " %s ON ", a);
	col(q, a, id);
	addf(q, " = %s LEFT JOIN ", key);
	tbl(q, &p->orgs.table);
	add(q, " o ON ");
	col(q, "o", &p->orgs.id);
	add(q, " = ");
	col(q, a, org);
}

/* The org id of a scope row joined by scope_joins. */
static void scope_org_id(qb *q, prof_scope s, const char *key)
{
	if (s == SCOPE_ORG)
		add(q, key);
	else if (s == SCOPE_WORKSPACE)
		col(q, "sw", &q->p->workspaces.org);
	else
		col(q, "sp", &q->p->projects.org);
}

/* Where a membership is, for samples: "org", "workspace Research". */
static void scope_place(qb *q, prof_scope s)
{
	if (s == SCOPE_ORG) {
		add(q, "'org'::text");
		return;
	}
	const char *a = s == SCOPE_WORKSPACE ? "sw" : "sp";
	const prof_ident *name =
		s == SCOPE_WORKSPACE ? &q->p->workspaces.name : &q->p->projects.name;
	const prof_ident *id = s == SCOPE_WORKSPACE ? &q->p->workspaces.id : &q->p->projects.id;
	addf(q, "('%s ' || coalesce(", s == SCOPE_WORKSPACE ? "workspace" : "project");
	if (profile_mapped(name)) {
		col(q, a, name);
		add(q, "::text, ");
	}
	col(q, a, id);
	add(q, "::text))");
}

/* " AND key IN (scope rows of the --org org)", nothing without --org. */
static void scope_restrict(qb *q, prof_scope s, const char *key)
{
	if (!q->org)
		return;
	const tc_profile *p = q->p;
	addf(q, " AND %s IN ", key);
	if (s == SCOPE_ORG) {
		org_ids(q);
		return;
	}
	const prof_ident *t = s == SCOPE_WORKSPACE ? &p->workspaces.table : &p->projects.table;
	const prof_ident *id = s == SCOPE_WORKSPACE ? &p->workspaces.id : &p->projects.id;
	const prof_ident *org = s == SCOPE_WORKSPACE ? &p->workspaces.org : &p->projects.org;
	add(q, "(SELECT ");
	col(q, "s2", id);
	add(q, " FROM ");
	tbl(q, t);
	add(q, " s2 WHERE ");
	col(q, "s2", org);
	add(q, " IN ");
	org_ids(q);
	add(q, ")");
}

static void role_expr(qb *q, prof_scope s, const char *alias)
{
	if (profile_mapped(&q->p->members[s].role)) {
		col(q, alias, &q->p->members[s].role);
		add(q, "::text");
	} else {
		add(q, "NULL::text");
	}
}

/* " UNION ALL " between the parts of a query over several scopes. */
static void union_sep(qb *q, bool *first)
{
	if (!*first)
		add(q, " UNION ALL ");
	*first = false;
}

/* The owner and admin roles together. */
static prof_list privileged_roles(const tc_profile *p)
{
	prof_list l = {NULL, 0, 0};
	l.v = xcalloc(p->roles.owner.n + p->roles.admin.n + 1, sizeof *l.v);
	for (size_t i = 0; i < p->roles.owner.n; i++)
		l.v[l.n++] = p->roles.owner.v[i];
	for (size_t i = 0; i < p->roles.admin.n; i++)
		l.v[l.n++] = p->roles.admin.v[i];
	return l; /* borrows the strings; free l.v only */
}

/* ------------------------------------------------------------ the checks */

static void b_org_no_owner(qb *q)
{
	const tc_profile *p = q->p;
	need_orgs(q);
	need_users(q);
	need_org_members(q, true);
	need_list(q, "roles", "owner", &p->roles.owner);
	if (!qb_ok(q))
		return;
	const prof_members *m = &p->members[SCOPE_ORG];
	add(q, "SELECT ");
	orglabel(q, "o");
	add(q,
	    " AS org, NULL::text AS usr, NULL::text AS role, 'no live member of the organization "
	    "holds an owner role'::text AS detail FROM ");
	tbl(q, &p->orgs.table);
	add(q, " o WHERE ");
	live(q, "o", &p->orgs.deleted_at);
	orgfilter(q, "o");
	add(q, " AND NOT EXISTS (SELECT 1 FROM ");
	tbl(q, &m->table);
	add(q, " m WHERE ");
	col(q, "m", &m->scope);
	add(q, " = ");
	col(q, "o", &p->orgs.id);
	add(q, " AND ");
	live(q, "m", &m->deleted_at);
	add(q, " AND ");
	col(q, "m", &m->role);
	add(q, "::text = ANY(");
	list(q, &p->roles.owner);
	add(q, ")");
	if (profile_mapped(&p->users.deleted_at)) {
		/* A deleted user owns nothing. An anti-join against the (few)
		 * deleted users, not a join with every user (so a membership
		 * whose user row is gone still counts here: that one is
		 * membership-without-user's). */
		add(q, " AND NOT EXISTS (SELECT 1 FROM ");
		tbl(q, &p->users.table);
		add(q, " du WHERE ");
		col(q, "du", &p->users.id);
		add(q, " = ");
		col(q, "m", &m->user);
		add(q, " AND ");
		col(q, "du", &p->users.deleted_at);
		add(q, " IS NOT NULL)");
	}
	add(q, ")");
}

/* The live owner memberships of org alias o, as "EXISTS (...)" material;
 * with `pointer`, only the one of the user the owner pointer names. */
static void owner_memberships(qb *q, bool pointer)
{
	const tc_profile *p = q->p;
	const prof_members *m = &p->members[SCOPE_ORG];
	add(q, "SELECT 1 FROM ");
	tbl(q, &m->table);
	add(q, " m WHERE ");
	col(q, "m", &m->scope);
	add(q, " = ");
	col(q, "o", &p->orgs.id);
	add(q, " AND ");
	live(q, "m", &m->deleted_at);
	add(q, " AND ");
	col(q, "m", &m->role);
	add(q, "::text = ANY(");
	list(q, &p->roles.owner);
	add(q, ")");
	if (pointer) {
		add(q, " AND ");
		col(q, "m", &m->user);
		add(q, " = ");
		col(q, "o", &p->orgs.owner);
	}
}

/* The columns of an owner-pointer finding for org alias o. */
static void pointer_columns(qb *q)
{
	const tc_profile *p = q->p;
	const prof_members *m = &p->members[SCOPE_ORG];
	char *owner = col_str("o", &p->orgs.owner);
	add(q, "SELECT ");
	orglabel(q, "o");
	add(q, " AS org, ");
	user_email_of(q, owner);
	add(q, " AS usr, (SELECT string_agg(DISTINCT ");
	col(q, "m", &m->role);
	add(q, "::text, ',') FROM ");
	tbl(q, &m->table);
	add(q, " m WHERE ");
	col(q, "m", &m->scope);
	add(q, " = ");
	col(q, "o", &p->orgs.id);
	add(q, " AND ");
	col(q, "m", &m->user);
	addf(q, " = %s AND ", owner);
	live(q, "m", &m->deleted_at);
	add(q, ") AS role, 'the owner pointer names ' || coalesce(");
	user_email_of(q, owner);
	add(q, ", 'nobody') || ', the live owner memberships are ' || coalesce((SELECT "
	       "string_agg(DISTINCT ");
	email(q, "u");
	add(q, ", ', ') FROM ");
	tbl(q, &m->table);
	add(q, " m JOIN ");
	tbl(q, &p->users.table);
	add(q, " u ON ");
	col(q, "u", &p->users.id);
	add(q, " = ");
	col(q, "m", &m->user);
	add(q, " WHERE ");
	col(q, "m", &m->scope);
	add(q, " = ");
	col(q, "o", &p->orgs.id);
	add(q, " AND ");
	live(q, "m", &m->deleted_at);
	add(q, " AND ");
	col(q, "m", &m->role);
	add(q, "::text = ANY(");
	list(q, &p->roles.owner);
	add(q, ")), 'nobody''s') AS detail FROM ");
	tbl(q, &p->orgs.table);
	add(q, " o WHERE ");
	live(q, "o", &p->orgs.deleted_at);
	orgfilter(q, "o");
	free(owner);
}

static void b_owner_pointer_mismatch(qb *q)
{
	const tc_profile *p = q->p;
	need_orgs(q);
	need_users(q);
	need(q, "organizations", "owner", &p->orgs.owner);
	need_org_members(q, true);
	need_list(q, "roles", "owner", &p->roles.owner);
	if (!qb_ok(q))
		return;
	/* Two branches, each a plain anti- or semi-join: an OR of the two
	 * would be a subquery per organization. */
	pointer_columns(q);
	add(q, " AND ");
	col(q, "o", &p->orgs.owner);
	add(q, " IS NOT NULL AND NOT EXISTS (");
	owner_memberships(q, true);
	add(q, ") UNION ALL ");
	pointer_columns(q);
	add(q, " AND ");
	col(q, "o", &p->orgs.owner);
	add(q, " IS NULL AND EXISTS (");
	owner_memberships(q, false);
	add(q, ")");
}

/* (SELECT o9.deleted_at IS NULL ...) for the org with id key: a probe per
 * row, for the few rows that reach it; TRUE without soft delete. */
static void org_live_of(qb *q, const char *key)
{
	const tc_profile *p = q->p;
	if (!profile_mapped(&p->orgs.deleted_at)) {
		add(q, "TRUE");
		return;
	}
	add(q, "coalesce((SELECT ");
	col(q, "o9", &p->orgs.deleted_at);
	add(q, " IS NULL FROM ");
	tbl(q, &p->orgs.table);
	add(q, " o9 WHERE ");
	col(q, "o9", &p->orgs.id);
	addf(q, " = %s), FALSE)", key);
}

static void b_multiple_owners(qb *q)
{
	const tc_profile *p = q->p;
	need_orgs(q);
	need_users(q);
	need_org_members(q, true);
	need_list(q, "roles", "owner", &p->roles.owner);
	if (!p->roles.single_owner)
		missing(q, "roles", "single_owner = true");
	if (!qb_ok(q))
		return;
	const prof_members *m = &p->members[SCOPE_ORG];
	char *ms = col_str("m", &m->scope);
	/* Candidates from the membership table alone (more than one live owner
	 * row), then the exact count of distinct live owners for those few. */
	add(q, "SELECT ");
	org_label_of(q, "c.sid");
	add(q, " AS org, NULL::text AS usr, x.roles AS role, x.n || ' live owners: ' || x.emails "
	       "AS detail FROM (SELECT ");
	addf(q, "%s AS sid FROM ", ms);
	tbl(q, &m->table);
	add(q, " m WHERE ");
	live(q, "m", &m->deleted_at);
	add(q, " AND ");
	col(q, "m", &m->role);
	add(q, "::text = ANY(");
	list(q, &p->roles.owner);
	add(q, ")");
	scope_restrict(q, SCOPE_ORG, ms);
	add(q, " GROUP BY 1 HAVING count(*) > 1) c, LATERAL (SELECT count(DISTINCT ");
	col(q, "m", &m->user);
	add(q, ") AS n, string_agg(DISTINCT ");
	col(q, "m", &m->role);
	add(q, "::text, ',') AS roles, string_agg(DISTINCT ");
	email(q, "u");
	add(q, ", ', ') AS emails FROM ");
	tbl(q, &m->table);
	add(q, " m JOIN ");
	tbl(q, &p->users.table);
	add(q, " u ON ");
	col(q, "u", &p->users.id);
	add(q, " = ");
	col(q, "m", &m->user);
	add(q, " AND ");
	live(q, "u", &p->users.deleted_at);
	addf(q, " WHERE %s = c.sid AND ", ms);
	live(q, "m", &m->deleted_at);
	add(q, " AND ");
	col(q, "m", &m->role);
	add(q, "::text = ANY(");
	list(q, &p->roles.owner);
	add(q, ")) x WHERE x.n > 1 AND ");
	org_live_of(q, "c.sid");
	free(ms);
}

/* The org id of a scope row with key `key`, as an expression: the key
 * itself for the org scope, a probe of the workspace or project else.
 * Caller frees. */
static char *scope_org_of(const qb *q, prof_scope s, const char *key)
{
	if (s == SCOPE_ORG)
		return xstrdup(key);
	const tc_profile *p = q->p;
	strbuf sb = STRBUF_INIT;
	const prof_ident *t = s == SCOPE_WORKSPACE ? &p->workspaces.table : &p->projects.table;
	const prof_ident *id = s == SCOPE_WORKSPACE ? &p->workspaces.id : &p->projects.id;
	const prof_ident *org = s == SCOPE_WORKSPACE ? &p->workspaces.org : &p->projects.org;
	sb_add(&sb, "(SELECT ");
	profile_col_sql(&sb, "s9", org);
	sb_add(&sb, " FROM ");
	profile_table_sql(&sb, t);
	sb_add(&sb, " s9 WHERE ");
	profile_col_sql(&sb, "s9", id);
	sb_addf(&sb, " = %s)", key);
	return sb_steal(&sb);
}

/* Where a membership is, by a probe of its scope row: "org",
 * "workspace Research". */
static void scope_place_of(qb *q, prof_scope s, const char *key)
{
	if (s == SCOPE_ORG) {
		add(q, "'org'::text");
		return;
	}
	const tc_profile *p = q->p;
	const prof_ident *t = s == SCOPE_WORKSPACE ? &p->workspaces.table : &p->projects.table;
	const prof_ident *id = s == SCOPE_WORKSPACE ? &p->workspaces.id : &p->projects.id;
	const prof_ident *name = s == SCOPE_WORKSPACE ? &p->workspaces.name : &p->projects.name;
	addf(q, "('%s ' || coalesce((SELECT ", s == SCOPE_WORKSPACE ? "workspace" : "project");
	if (profile_mapped(name)) {
		col(q, "s8", name);
		add(q, "::text");
	} else {
		col(q, "s8", id);
		add(q, "::text");
	}
	add(q, " FROM ");
	tbl(q, t);
	add(q, " s8 WHERE ");
	col(q, "s8", id);
	addf(q, " = %s), %s::text))", key, key);
}

static void b_duplicate_membership(qb *q)
{
	const tc_profile *p = q->p;
	need_orgs(q);
	need_users(q);
	need_org_members(q, false);
	if (!qb_ok(q))
		return;
	bool first = true;
	for (prof_scope s = 0; s < SCOPE_N; s++) {
		if (!profile_scope_usable(p, s))
			continue;
		const prof_members *m = &p->members[s];
		char *mu = col_str("m", &m->user), *ms = col_str("m", &m->scope);
		char *org = scope_org_of(q, s, "d.sid");
		union_sep(q, &first);
		/* Candidates over every row, grouped (scope, user) so that an index
		 * on those columns serves it without touching the table; then the
		 * live rows of the few candidates are counted. */
		add(q, "SELECT ");
		org_label_of(q, org);
		add(q, " AS org, ");
		user_email_of(q, "d.uid");
		add(q, " AS usr, x.roles AS role, ");
		scope_place_of(q, s, "d.sid");
		addf(q,
		     " || ': ' || x.n || ' live memberships' AS detail FROM (SELECT %s AS sid, %s "
		     "AS uid FROM ",
		     ms, mu);
		tbl(q, &m->table);
		add(q, " m WHERE TRUE");
		scope_restrict(q, s, ms);
		addf(q,
		     " GROUP BY %s, %s HAVING count(*) > 1) d, LATERAL (SELECT count(*) AS n, "
		     "string_agg(DISTINCT ",
		     ms, mu);
		role_expr(q, s, "m");
		add(q, ", ',') AS roles FROM ");
		tbl(q, &m->table);
		addf(q, " m WHERE %s = d.sid AND %s = d.uid AND ", ms, mu);
		live(q, "m", &m->deleted_at);
		add(q, ") x WHERE x.n > 1");
		free(org);
		free(mu);
		free(ms);
	}
}

/* Live memberships of every usable scope joined to users (u), scope rows and
 * orgs (o), filtered by `cond` (SQL over m, u, o), emitting the usual
 * columns with a detail of place || suffix. */
typedef void (*cond_fn)(qb *q, prof_scope s);

static void per_scope(qb *q, bool only_live, bool user_inner, bool need_role, cond_fn cond,
		      const char *suffix_sql, cond_fn suffix)
{
	const tc_profile *p = q->p;
	bool first = true;
	for (prof_scope s = 0; s < SCOPE_N; s++) {
		if (!profile_scope_usable(p, s) || (need_role && !scope_has_role(p, s)))
			continue;
		const prof_members *m = &p->members[s];
		char *mu = col_str("m", &m->user), *ms = col_str("m", &m->scope);
		union_sep(q, &first);
		add(q, "SELECT ");
		orglabel(q, "o");
		add(q, " AS org, ");
		if (user_inner) {
			email(q, "u");
		} else {
			add(q, "coalesce(");
			email(q, "u");
			addf(q, ", %s::text)", mu);
		}
		add(q, " AS usr, ");
		role_expr(q, s, "m");
		add(q, " AS role, ");
		scope_place(q, s);
		add(q, " || ");
		if (suffix)
			suffix(q, s);
		else
			add(q, suffix_sql);
		add(q, " AS detail FROM ");
		tbl(q, &m->table);
		add(q, user_inner ? " m JOIN " : " m LEFT JOIN ");
		tbl(q, &p->users.table);
		add(q, " u ON ");
		col(q, "u", &p->users.id);
		addf(q, " = %s", mu);
		scope_joins(q, s, ms);
		add(q, " WHERE ");
		if (only_live)
			live(q, "m", &m->deleted_at);
		else
			add(q, "TRUE");
		orgfilter(q, "o");
		add(q, " AND ");
		cond(q, s);
		free(mu);
		free(ms);
	}
}

/* Like per_scope for a condition on the membership row alone: no joins,
 * names by probes for the rows found (a join would hash every user and
 * organization whenever the planner misjudges how few rows match). */
static void per_scope_rows(qb *q, bool need_role, cond_fn cond, cond_fn suffix)
{
	const tc_profile *p = q->p;
	bool first = true;
	for (prof_scope s = 0; s < SCOPE_N; s++) {
		if (!profile_scope_usable(p, s) || (need_role && !scope_has_role(p, s)))
			continue;
		const prof_members *m = &p->members[s];
		char *mu = col_str("m", &m->user), *ms = col_str("m", &m->scope);
		char *org = scope_org_of(q, s, ms);
		union_sep(q, &first);
		add(q, "SELECT ");
		org_label_of(q, org);
		add(q, " AS org, ");
		user_email_of(q, mu);
		add(q, " AS usr, ");
		role_expr(q, s, "m");
		add(q, " AS role, ");
		scope_place_of(q, s, ms);
		add(q, " || ");
		suffix(q, s);
		add(q, " AS detail FROM ");
		tbl(q, &m->table);
		add(q, " m WHERE ");
		live(q, "m", &m->deleted_at);
		scope_restrict(q, s, ms);
		add(q, " AND ");
		cond(q, s);
		free(org);
		free(mu);
		free(ms);
	}
}

static void c_user_deleted(qb *q, prof_scope s)
{
	(void)s;
	col(q, "u", &q->p->users.deleted_at);
	add(q, " IS NOT NULL");
}

static void b_member_of_deleted_user(qb *q)
{
	need_orgs(q);
	need_users(q);
	need_org_members(q, false);
	need(q, "users", "deleted_at", &q->p->users.deleted_at);
	if (!qb_ok(q))
		return;
	per_scope(q, true, true, false, c_user_deleted,
		  "': live membership of a soft-deleted user'", NULL);
}

static void c_org_deleted(qb *q, prof_scope s)
{
	(void)s;
	col(q, "o", &q->p->orgs.deleted_at);
	add(q, " IS NOT NULL");
}

static void b_member_of_deleted_org(qb *q)
{
	need_orgs(q);
	need_users(q);
	need_org_members(q, false);
	need(q, "organizations", "deleted_at", &q->p->orgs.deleted_at);
	if (!qb_ok(q))
		return;
	per_scope(q, true, false, false, c_org_deleted,
		  "': live membership of a soft-deleted organization'", NULL);
}

/* A validated foreign key from the membership's user column to users.id:
 * then no row can lack its user, and the branch is skipped as a whole (an
 * uncorrelated condition, evaluated once). */
static void no_user_fk(qb *q, prof_scope s)
{
	const tc_profile *p = q->p;
	const prof_members *m = &p->members[s];
	strbuf mt = STRBUF_INIT, ut = STRBUF_INIT;
	profile_table_sql(&mt, &m->table);
	profile_table_sql(&ut, &p->users.table);
	add(q, "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint fk WHERE fk.contype = 'f' AND "
	       "fk.convalidated AND fk.conrelid = ");
	val(q, sb_str(&mt));
	add(q, "::regclass AND fk.confrelid = ");
	val(q, sb_str(&ut));
	add(q, "::regclass AND fk.conkey = ARRAY(SELECT a.attnum FROM pg_catalog.pg_attribute a "
	       "WHERE a.attrelid = ");
	val(q, sb_str(&mt));
	add(q, "::regclass AND a.attname = ");
	val(q, m->user.name);
	add(q, ") AND fk.confkey = ARRAY(SELECT a.attnum FROM pg_catalog.pg_attribute a WHERE "
	       "a.attrelid = ");
	val(q, sb_str(&ut));
	add(q, "::regclass AND a.attname = ");
	val(q, p->users.id.name);
	add(q, "))");
	sb_free(&mt);
	sb_free(&ut);
}

static void c_no_user(qb *q, prof_scope s)
{
	col(q, "u", &q->p->users.id);
	add(q, " IS NULL AND ");
	no_user_fk(q, s);
}

static void b_membership_without_user(qb *q)
{
	need_orgs(q);
	need_users(q);
	need_org_members(q, false);
	if (!qb_ok(q))
		return;
	per_scope(q, false, false, false, c_no_user, "': its user row does not exist'", NULL);
}

static void b_not_org_member(qb *q)
{
	const tc_profile *p = q->p;
	need_orgs(q);
	need_users(q);
	need_org_members(q, false);
	if (!profile_scope_usable(p, SCOPE_WORKSPACE) && !profile_scope_usable(p, SCOPE_PROJECT))
		missing(q, "members.workspace] or [members.project", "table, user, scope");
	if (!qb_ok(q))
		return;
	const prof_members *om = &p->members[SCOPE_ORG];
	/* The (user, org) pairs of workspace and project memberships, then one
	 * anti-join against the org memberships for both. */
	add(q, "SELECT ");
	org_label_of(q, "x.oid");
	add(q, " AS org, ");
	user_email_of(q, "x.uid");
	add(q, " AS usr, x.role AS role, x.place || ': not a live member of its organization' AS "
	       "detail FROM (");
	bool first = true;
	for (prof_scope s = SCOPE_WORKSPACE; s < SCOPE_N; s++) {
		if (!profile_scope_usable(p, s))
			continue;
		const prof_members *m = &p->members[s];
		const char *a = s == SCOPE_WORKSPACE ? "sw" : "sp";
		const prof_ident *t =
			s == SCOPE_WORKSPACE ? &p->workspaces.table : &p->projects.table;
		const prof_ident *id = s == SCOPE_WORKSPACE ? &p->workspaces.id : &p->projects.id;
		const prof_ident *org =
			s == SCOPE_WORKSPACE ? &p->workspaces.org : &p->projects.org;
		union_sep(q, &first);
		add(q, "SELECT ");
		col(q, "m", &m->user);
		add(q, " AS uid, ");
		col(q, a, org);
		add(q, " AS oid, ");
		role_expr(q, s, "m");
		add(q, " AS role, ");
		scope_place(q, s);
		add(q, " AS place FROM ");
		tbl(q, &m->table);
		add(q, " m JOIN ");
		tbl(q, t);
		addf(q, " %s ON ", a);
		col(q, a, id);
		add(q, " = ");
		col(q, "m", &m->scope);
		add(q, " WHERE ");
		live(q, "m", &m->deleted_at);
		if (q->org) {
			add(q, " AND ");
			col(q, a, org);
			add(q, " IN ");
			org_ids(q);
		}
	}
	add(q, ") x WHERE NOT EXISTS (SELECT 1 FROM ");
	tbl(q, &om->table);
	add(q, " mo WHERE ");
	col(q, "mo", &om->user);
	add(q, " = x.uid AND ");
	col(q, "mo", &om->scope);
	add(q, " = x.oid AND ");
	live(q, "mo", &om->deleted_at);
	add(q, ")");
}

/* One branch of project-workspace-org-mismatch; with --org, the projects
 * whose own org (side 0) or whose workspace's org (side 1) it is. */
static void pw_branch(qb *q, int side)
{
	const tc_profile *p = q->p;
	char *porg = col_str("sp", &p->projects.org), *worg = col_str("sw", &p->workspaces.org);
	add(q, "SELECT ");
	org_label_of(q, porg);
	add(q, " AS org, NULL::text AS usr, NULL::text AS role, 'project ' || coalesce(");
	if (profile_mapped(&p->projects.name)) {
		col(q, "sp", &p->projects.name);
		add(q, "::text, ");
	}
	col(q, "sp", &p->projects.id);
	add(q, "::text) || ' is in workspace ' || coalesce(");
	if (profile_mapped(&p->workspaces.name)) {
		col(q, "sw", &p->workspaces.name);
		add(q, "::text, ");
	}
	col(q, "sw", &p->workspaces.id);
	add(q, "::text) || ' of organization ' || coalesce(");
	org_label_of(q, worg);
	addf(q, ", %s::text, 'none') AS detail FROM ", worg);
	tbl(q, &p->projects.table);
	add(q, " sp JOIN ");
	tbl(q, &p->workspaces.table);
	add(q, " sw ON ");
	col(q, "sw", &p->workspaces.id);
	add(q, " = ");
	col(q, "sp", &p->projects.workspace);
	add(q, " WHERE ");
	live(q, "sp", &p->projects.deleted_at);
	addf(q, " AND %s IS DISTINCT FROM %s", worg, porg);
	if (q->org) {
		addf(q, " AND %s IN ", side == 0 ? porg : worg);
		org_ids(q);
	}
	free(porg);
	free(worg);
}

static void b_project_workspace_org_mismatch(qb *q)
{
	const tc_profile *p = q->p;
	need_orgs(q);
	need(q, "projects", "table", &p->projects.table);
	need(q, "projects", "id", &p->projects.id);
	need(q, "projects", "org", &p->projects.org);
	need(q, "projects", "workspace", &p->projects.workspace);
	need(q, "workspaces", "table", &p->workspaces.table);
	need(q, "workspaces", "id", &p->workspaces.id);
	need(q, "workspaces", "org", &p->workspaces.org);
	if (!qb_ok(q))
		return;
	pw_branch(q, 0);
	if (q->org) {
		/* The other side of the disagreement belongs to the org; the two
		 * sides are different orgs, so no project is in both branches. */
		add(q, " UNION ALL ");
		pw_branch(q, 1);
	}
}

static void c_unknown_role(qb *q, prof_scope s)
{
	add(q, "(");
	col(q, "m", &q->p->members[s].role);
	add(q, " IS NULL OR NOT (");
	col(q, "m", &q->p->members[s].role);
	add(q, "::text = ANY(");
	list(q, &q->p->roles.known);
	add(q, ")))");
}

static void d_unknown_role(qb *q, prof_scope s)
{
	add(q, "': role ' || coalesce('''' || ");
	col(q, "m", &q->p->members[s].role);
	add(q, "::text || '''', 'NULL') || ' is not a known role'");
}

static void b_unknown_role(qb *q)
{
	const tc_profile *p = q->p;
	need_orgs(q);
	need_users(q);
	need_org_members(q, true);
	need_list(q, "roles", "known", &p->roles.known);
	if (!qb_ok(q))
		return;
	per_scope_rows(q, true, c_unknown_role, d_unknown_role);
}

/* ------------------------------------------------------------ privileged members */

/* SELECT org, email, roles, places || ': ' || reason for the live
 * privileged memberships of live users in live orgs, one row per user and
 * org. cond and reason are SQL over users alias u. The users that match
 * are found first (one pass over users; usually few), and their ids handed
 * to the membership scans as an array: an index probe per user instead of
 * a hash of every membership (the planner cannot estimate cond). */
static void privileged_query(qb *q, void (*cond)(qb *q), void (*reason)(qb *q))
{
	const tc_profile *p = q->p;
	prof_list priv = privileged_roles(p);
	/* MATERIALIZED from PostgreSQL 12; before, every CTE was. */
	addf(q, "WITH pu AS %s(SELECT ", q->server_version >= 120000 ? "MATERIALIZED " : "");
	col(q, "u", &p->users.id);
	add(q, " AS uid FROM ");
	tbl(q, &p->users.table);
	add(q, " u WHERE ");
	live(q, "u", &p->users.deleted_at);
	add(q, " AND ");
	cond(q);
	if (q->org) {
		/* Only the members of the org: a few probes, not every user. */
		bool first_scope = true;
		add(q, " AND ");
		col(q, "u", &p->users.id);
		add(q, " IN (");
		for (prof_scope s = 0; s < SCOPE_N; s++) {
			if (!scope_has_role(p, s))
				continue;
			const prof_members *m = &p->members[s];
			char *ms = col_str("m", &m->scope);
			union_sep(q, &first_scope);
			add(q, "SELECT ");
			col(q, "m", &m->user);
			add(q, " FROM ");
			tbl(q, &m->table);
			add(q, " m WHERE TRUE");
			scope_restrict(q, s, ms);
			free(ms);
		}
		add(q, ")");
	}
	add(q, ") SELECT ");
	orglabel(q, "o");
	add(q, " AS org, ");
	email(q, "u");
	add(q, " AS usr, string_agg(DISTINCT x.role, ',') AS role, string_agg(DISTINCT x.role || "
	       "' at ' || x.place, ', ') || ': ' || ");
	reason(q);
	add(q, " AS detail FROM (");
	bool first = true;
	for (prof_scope s = 0; s < SCOPE_N; s++) {
		if (!scope_has_role(p, s))
			continue;
		const prof_members *m = &p->members[s];
		char *ms = col_str("m", &m->scope);
		union_sep(q, &first);
		add(q, "SELECT ");
		col(q, "m", &m->user);
		add(q, " AS uid, ");
		col(q, "m", &m->role);
		add(q, "::text AS role, ");
		scope_place(q, s);
		add(q, " AS place, ");
		scope_org_id(q, s, ms);
		add(q, " AS org_id FROM ");
		tbl(q, &m->table);
		add(q, " m");
		if (s != SCOPE_ORG) {
			const char *a = s == SCOPE_WORKSPACE ? "sw" : "sp";
			add(q, " JOIN ");
			tbl(q, s == SCOPE_WORKSPACE ? &p->workspaces.table : &p->projects.table);
			addf(q, " %s ON ", a);
			col(q, a, s == SCOPE_WORKSPACE ? &p->workspaces.id : &p->projects.id);
			addf(q, " = %s", ms);
		}
		add(q, " WHERE ");
		col(q, "m", &m->user);
		add(q, " = ANY(ARRAY(SELECT uid FROM pu)) AND ");
		live(q, "m", &m->deleted_at);
		add(q, " AND ");
		col(q, "m", &m->role);
		add(q, "::text = ANY(");
		list(q, &priv);
		add(q, ")");
		free(ms);
	}
	add(q, ") x JOIN ");
	tbl(q, &p->users.table);
	add(q, " u ON ");
	col(q, "u", &p->users.id);
	add(q, " = x.uid JOIN ");
	tbl(q, &p->orgs.table);
	add(q, " o ON ");
	col(q, "o", &p->orgs.id);
	add(q, " = x.org_id WHERE ");
	live(q, "o", &p->orgs.deleted_at);
	orgfilter(q, "o");
	add(q, " GROUP BY ");
	col(q, "o", &p->orgs.id);
	add(q, ", ");
	col(q, "u", &p->users.id);
	add(q, ", ");
	orglabel(q, "o");
	add(q, ", ");
	email(q, "u");
	free(priv.v);
}

static void need_privileged(qb *q)
{
	const tc_profile *p = q->p;
	need_orgs(q);
	need_users(q);
	need_org_members(q, true);
	if (!p->roles.owner.n && !p->roles.admin.n)
		missing(q, "roles", "owner or admin");
}

/* Entries of a policy list, lower case, without a leading '@'. */
static void policy_list(qb *q, const prof_list *l)
{
	char **v = xcalloc(l->n + 1, sizeof *v);
	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->v[i];
		if (*s == '@')
			s++;
		v[i] = xstrdup(s);
		for (char *c = v[i]; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
	list_n(q, (const char *const *)v, l->n);
	for (size_t i = 0; i < l->n; i++)
		free(v[i]);
	free(v);
}

/* The domain of the email of users alias u, lower case: after the last '@'
 * (split_part with a negative field from PostgreSQL 14, a regular
 * expression before; the former is several times faster). */
static void domain_of(qb *q)
{
	if (q->server_version >= 140000) {
		add(q, "lower(split_part(");
		col(q, "u", &q->p->users.email);
		add(q, "::text, '@', -1))");
	} else {
		add(q, "lower(substring(");
		col(q, "u", &q->p->users.email);
		add(q, "::text from '@([^@]*)$'))");
	}
}

static void c_outside_allowlist(qb *q)
{
	const prof_policy *pol = &q->p->policy;
	add(q, "(FALSE");
	if (pol->owner_email_allowlist.n) {
		add(q, " OR NOT (lower(");
		col(q, "u", &q->p->users.email);
		add(q, "::text) = ANY(");
		policy_list(q, &pol->owner_email_allowlist);
		add(q, ") OR coalesce(");
		domain_of(q);
		add(q, " = ANY(");
		policy_list(q, &pol->owner_email_allowlist);
		add(q, "), FALSE))");
	}
	if (pol->blocked_domains.n) {
		add(q, " OR coalesce(");
		domain_of(q);
		add(q, " = ANY(");
		policy_list(q, &pol->blocked_domains);
		add(q, "), FALSE)");
	}
	add(q, ")");
}

static void r_outside_allowlist(qb *q)
{
	const prof_policy *pol = &q->p->policy;
	if (!pol->blocked_domains.n) {
		add(q, "'the address is outside the owner email allowlist'");
		return;
	}
	add(q, "CASE WHEN coalesce(");
	domain_of(q);
	add(q, " = ANY(");
	policy_list(q, &pol->blocked_domains);
	add(q, "), FALSE) THEN 'the domain ' || ");
	domain_of(q);
	add(q, " || ' is blocked' ELSE 'the address is outside the owner email allowlist' END");
}

static void b_privileged_outside_allowlist(qb *q)
{
	const tc_profile *p = q->p;
	need_privileged(q);
	need(q, "users", "email", &p->users.email);
	if (!p->policy.owner_email_allowlist.n && !p->policy.blocked_domains.n)
		missing(q, "policy", "owner_email_allowlist or blocked_domains");
	if (!qb_ok(q))
		return;
	privileged_query(q, c_outside_allowlist, r_outside_allowlist);
}

/* The last activity, falling back on the sign-up time. */
static void last_seen(qb *q)
{
	const prof_users *u = &q->p->users;
	if (profile_mapped(&u->created_at)) {
		add(q, "coalesce(");
		col(q, "u", &u->last_seen);
		add(q, ", ");
		col(q, "u", &u->created_at);
		add(q, ")");
	} else {
		col(q, "u", &u->last_seen);
	}
}

static void c_stale(qb *q)
{
	last_seen(q);
	addf(q, " < now() - make_interval(days => %d)", q->p->policy.stale_after_days);
}

static void r_stale(qb *q)
{
	add(q, "CASE WHEN ");
	col(q, "u", &q->p->users.last_seen);
	add(q, " IS NULL THEN 'never seen' ELSE 'last seen ' || (now()::date - ");
	col(q, "u", &q->p->users.last_seen);
	add(q, "::date) || ' days ago' END");
}

static void b_stale_privileged_member(qb *q)
{
	const tc_profile *p = q->p;
	need_privileged(q);
	need(q, "users", "last_seen", &p->users.last_seen);
	if (p->policy.stale_after_days <= 0)
		missing(q, "policy", "stale_after_days");
	if (!qb_ok(q))
		return;
	privileged_query(q, c_stale, r_stale);
}

static void b_user_without_membership(qb *q)
{
	const tc_profile *p = q->p;
	need_users(q);
	need_org_members(q, false);
	if (q->org)
		q->na = xstrdup("it is about users outside every organization, so --org does not "
				"apply");
	if (!qb_ok(q))
		return;
	add(q, "SELECT NULL::text AS org, ");
	email(q, "u");
	add(q, " AS usr, NULL::text AS role, 'a live user with no live membership at any scope'"
	       "::text AS detail FROM ");
	tbl(q, &p->users.table);
	add(q, " u WHERE ");
	live(q, "u", &p->users.deleted_at);
	for (prof_scope s = 0; s < SCOPE_N; s++) {
		const prof_members *m = &p->members[s];
		if (!profile_mapped(&m->table) || !profile_mapped(&m->user))
			continue;
		add(q, " AND NOT EXISTS (SELECT 1 FROM ");
		tbl(q, &m->table);
		add(q, " m WHERE ");
		col(q, "m", &m->user);
		add(q, " = ");
		col(q, "u", &p->users.id);
		add(q, " AND ");
		live(q, "m", &m->deleted_at);
		add(q, ")");
	}
}

/* ------------------------------------------------------------ invitations */

static void need_invitations(qb *q)
{
	const prof_invitations *i = &q->p->invitations;
	need_orgs(q);
	need(q, "invitations", "table", &i->table);
	if (!profile_mapped(&i->status) && !profile_mapped(&i->used))
		missing(q, "invitations", "status or used");
}

/* How an invitation reaches its org: org, else its project's. */
static bool invitation_org_link(const tc_profile *p)
{
	const prof_invitations *i = &p->invitations;
	if (profile_mapped(&i->org))
		return true;
	return profile_mapped(&i->project) && profile_mapped(&p->projects.table) &&
	       profile_mapped(&p->projects.id) && profile_mapped(&p->projects.org);
}

/* The org id of invitation alias ia, as an expression (a probe of its
 * project where the invitation has no org column). */
static void invitation_org_id(qb *q, const char *ia)
{
	const tc_profile *p = q->p;
	if (profile_mapped(&p->invitations.org)) {
		col(q, ia, &p->invitations.org);
		return;
	}
	add(q, "(SELECT ");
	col(q, "ip", &p->projects.org);
	add(q, " FROM ");
	tbl(q, &p->projects.table);
	add(q, " ip WHERE ");
	col(q, "ip", &p->projects.id);
	add(q, " = ");
	col(q, ia, &p->invitations.project);
	add(q, ")");
}

static char *invitation_org_id_str(qb *q, const char *ia)
{
	strbuf keep = q->sql;
	memset(&q->sql, 0, sizeof q->sql);
	invitation_org_id(q, ia);
	char *s = sb_steal(&q->sql);
	q->sql = keep;
	return s;
}

static const char *pending_value(const tc_profile *p)
{
	return profile_mapped(&p->invitations.pending_status) ? p->invitations.pending_status.name
							      : "pending";
}

/* The invitation is still pending. */
static void inv_pending(qb *q, const char *ia)
{
	const prof_invitations *i = &q->p->invitations;
	if (profile_mapped(&i->status)) {
		col(q, ia, &i->status);
		add(q, "::text = ");
		val(q, pending_value(q->p));
	} else {
		col(q, ia, &i->used);
		add(q, " IS NOT TRUE");
	}
}

static void inv_cols(qb *q, const char *ia)
{
	const prof_invitations *i = &q->p->invitations;
	if (invitation_org_link(q->p)) {
		char *key = invitation_org_id_str(q, ia);
		org_label_of(q, key);
		free(key);
	} else {
		add(q, "NULL::text");
	}
	add(q, " AS org, ");
	if (profile_mapped(&i->email)) {
		col(q, ia, &i->email);
		add(q, "::text");
	} else {
		add(q, "NULL::text");
	}
	add(q, " AS usr, ");
	if (profile_mapped(&i->role)) {
		col(q, ia, &i->role);
		add(q, "::text");
	} else {
		add(q, "NULL::text");
	}
}

/* " AND <invitation ia is of the --org org>", nothing without --org. */
static void inv_orgfilter(qb *q, const char *ia)
{
	const tc_profile *p = q->p;
	if (!q->org)
		return;
	add(q, " AND ");
	if (profile_mapped(&p->invitations.org)) {
		col(q, ia, &p->invitations.org);
		add(q, " IN ");
		org_ids(q);
		return;
	}
	col(q, ia, &p->invitations.project);
	add(q, " IN (SELECT ");
	col(q, "p2", &p->projects.id);
	add(q, " FROM ");
	tbl(q, &p->projects.table);
	add(q, " p2 WHERE ");
	col(q, "p2", &p->projects.org);
	add(q, " IN ");
	org_ids(q);
	add(q, ")");
}

static void need_inv_org_for_filter(qb *q)
{
	if (q->org && !invitation_org_link(q->p))
		missing(q, "invitations", "org (for --org)");
}

static void b_invitation_expired_pending(qb *q)
{
	const tc_profile *p = q->p;
	const prof_invitations *i = &p->invitations;
	need_invitations(q);
	need(q, "invitations", "expires_at", &i->expires_at);
	need_inv_org_for_filter(q);
	if (!qb_ok(q))
		return;
	add(q, "SELECT ");
	inv_cols(q, "i");
	add(q, ", 'pending, but expired ' || (now()::date - ");
	col(q, "i", &i->expires_at);
	add(q, "::date) || ' days ago' AS detail FROM ");
	tbl(q, &i->table);
	add(q, " i WHERE ");
	inv_pending(q, "i");
	add(q, " AND ");
	col(q, "i", &i->expires_at);
	add(q, " < now()");
	inv_orgfilter(q, "i");
}

static void b_invitation_for_member(qb *q)
{
	const tc_profile *p = q->p;
	const prof_invitations *i = &p->invitations;
	const prof_members *m = &p->members[SCOPE_ORG];
	need_invitations(q);
	need(q, "invitations", "email", &i->email);
	if (!invitation_org_link(p))
		missing(q, "invitations", "org");
	need_users(q);
	need(q, "users", "email", &p->users.email);
	need_org_members(q, false);
	if (!qb_ok(q))
		return;
	char *iorg = invitation_org_id_str(q, "i");
	add(q, "SELECT ");
	inv_cols(q, "i");
	add(q, ", 'pending invitation' || coalesce(' as ' || ");
	if (profile_mapped(&i->role)) {
		col(q, "i", &i->role);
		add(q, "::text");
	} else {
		add(q, "NULL::text");
	}
	add(q, ", '') || ' for a live member (' || coalesce((SELECT string_agg(DISTINCT ");
	role_expr(q, SCOPE_ORG, "m");
	add(q, ", ',') FROM ");
	tbl(q, &m->table);
	add(q, " m WHERE ");
	col(q, "m", &m->user);
	add(q, " = ");
	col(q, "u", &p->users.id);
	add(q, " AND ");
	col(q, "m", &m->scope);
	addf(q, " = %s AND ", iorg);
	live(q, "m", &m->deleted_at);
	add(q, "), 'no role') || ')' AS detail FROM ");
	tbl(q, &i->table);
	add(q, " i JOIN ");
	tbl(q, &p->users.table);
	add(q, " u ON lower(");
	col(q, "u", &p->users.email);
	add(q, "::text) = lower(");
	col(q, "i", &i->email);
	add(q, "::text) AND ");
	live(q, "u", &p->users.deleted_at);
	add(q, " WHERE ");
	inv_pending(q, "i");
	if (profile_mapped(&i->expires_at)) {
		add(q, " AND (");
		col(q, "i", &i->expires_at);
		add(q, " IS NULL OR ");
		col(q, "i", &i->expires_at);
		add(q, " >= now())");
	}
	inv_orgfilter(q, "i");
	add(q, " AND EXISTS (SELECT 1 FROM ");
	tbl(q, &m->table);
	add(q, " m WHERE ");
	col(q, "m", &m->user);
	add(q, " = ");
	col(q, "u", &p->users.id);
	add(q, " AND ");
	col(q, "m", &m->scope);
	addf(q, " = %s AND ", iorg);
	live(q, "m", &m->deleted_at);
	add(q, ")");
	free(iorg);
}

/* ------------------------------------------------------------ slugs and plans */

static void b_slug_problems(qb *q)
{
	const tc_profile *p = q->p;
	need_orgs(q);
	need(q, "organizations", "slug", &p->orgs.slug);
	if (!qb_ok(q))
		return;
	char *slug = col_str("o", &p->orgs.slug);
	add(q, "SELECT ");
	orglabel(q, "o");
	addf(q,
	     " AS org, NULL::text AS usr, NULL::text AS role, concat_ws('; ', CASE WHEN %s IS "
	     "NULL THEN 'no slug' WHEN btrim(%s::text) = '' THEN 'an empty slug' END, CASE WHEN "
	     "lower(%s::text) = ANY(",
	     slug, slug, slug);
	list_n(q, reserved_slugs, sizeof reserved_slugs / sizeof reserved_slugs[0]);
	add(q, ") THEN 'a reserved word' END, CASE WHEN c.k IS NOT NULL THEN 'the same as ' || "
	       "c.slugs || ' ignoring case' END) AS detail FROM ");
	tbl(q, &p->orgs.table);
	/* Two slugs equal ignoring case: at least one of them is not all lower
	 * case. So only the slugs whose lower case is that of such a slug (a
	 * hash semi-join against the few) are grouped, not all of them. */
	add(q, " o LEFT JOIN (SELECT lower(");
	col(q, "o3", &p->orgs.slug);
	add(q, "::text) AS k, string_agg(");
	col(q, "o3", &p->orgs.slug);
	add(q, "::text, ', ' ORDER BY ");
	col(q, "o3", &p->orgs.slug);
	add(q, "::text COLLATE \"C\") AS slugs FROM ");
	tbl(q, &p->orgs.table);
	add(q, " o3 WHERE ");
	live(q, "o3", &p->orgs.deleted_at);
	add(q, " AND lower(");
	col(q, "o3", &p->orgs.slug);
	add(q, "::text) IN (SELECT lower(");
	col(q, "o4", &p->orgs.slug);
	add(q, "::text) FROM ");
	tbl(q, &p->orgs.table);
	add(q, " o4 WHERE ");
	live(q, "o4", &p->orgs.deleted_at);
	add(q, " AND ");
	col(q, "o4", &p->orgs.slug);
	add(q, "::text <> lower(");
	col(q, "o4", &p->orgs.slug);
	add(q, "::text)) GROUP BY 1 HAVING count(*) > 1) c ON c.k = lower(");
	addf(q, "%s::text) WHERE ", slug);
	live(q, "o", &p->orgs.deleted_at);
	if (q->org) {
		/* A NULL slug cannot be named with --org; the id can. */
		add(q, " AND ");
		orglabel(q, "o");
		add(q, " = $2");
	}
	addf(q, " AND (%s IS NULL OR btrim(%s::text) = '' OR lower(%s::text) = ANY(", slug, slug,
	     slug);
	list_n(q, reserved_slugs, sizeof reserved_slugs / sizeof reserved_slugs[0]);
	add(q, ") OR c.k IS NOT NULL)");
	free(slug);
}

static bool has_resources(const tc_profile *p)
{
	for (size_t i = 0; i < p->orgs.n_resources; i++)
		if (profile_mapped(&p->orgs.resources[i].column))
			return true;
	return false;
}

static bool resource_has_plan(const prof_resource *r, const char *plan)
{
	for (size_t i = 0; i < r->n_plans; i++)
		if (!strcmp(r->plan_names[i], plan))
			return true;
	return false;
}

/* The plans of `plans` for which resource r is expected (expected=true) or
 * not expected: a resource with a provision template or without per-plan
 * values belongs to every paid plan; one with per-plan values only to the
 * plans that have a value. */
static prof_list plans_where(const prof_resource *r, const prof_list *plans, bool paid)
{
	prof_list l = {xcalloc(plans->n + 1, sizeof(char *)), 0, 0};
	for (size_t i = 0; i < plans->n; i++) {
		bool keep;
		if (paid)
			keep = r->provision || r->n_plans == 0 || resource_has_plan(r, plans->v[i]);
		else
			keep = !resource_has_plan(r, plans->v[i]);
		if (keep)
			l.v[l.n++] = plans->v[i];
	}
	return l; /* borrows the strings */
}

static void resource_present(qb *q, const prof_resource *r, bool present)
{
	add(q, "(");
	col(q, "o", &r->column);
	add(q, present ? " IS NOT NULL AND " : " IS NULL OR ");
	col(q, "o", &r->column);
	add(q, present ? "::text <> '')" : "::text = '')");
}

/* Paid orgs lacking a resource (paid) or free orgs holding one (!paid). */
static void plan_resource_query(qb *q, bool paid)
{
	const tc_profile *p = q->p;
	const prof_list *plans = paid ? &p->resources.paid_plans : &p->resources.free_plans;
	add(q, "SELECT ");
	orglabel(q, "o");
	add(q, " AS org, NULL::text AS usr, NULL::text AS role, 'plan ' || coalesce(");
	col(q, "o", &p->orgs.plan);
	addf(q, "::text, 'none') || '%s' || concat_ws(', '",
	     paid ? ", missing: " : ", still holds: ");
	for (size_t i = 0; i < p->orgs.n_resources; i++) {
		const prof_resource *r = &p->orgs.resources[i];
		if (!profile_mapped(&r->column))
			continue;
		prof_list pl = plans_where(r, plans, paid);
		add(q, ", CASE WHEN ");
		col(q, "o", &p->orgs.plan);
		add(q, "::text = ANY(");
		list(q, &pl);
		add(q, ") AND ");
		resource_present(q, r, !paid);
		add(q, " THEN ");
		val(q, r->name);
		add(q, " END");
		free(pl.v);
	}
	add(q, ") AS detail FROM ");
	tbl(q, &p->orgs.table);
	add(q, " o WHERE ");
	live(q, "o", &p->orgs.deleted_at);
	orgfilter(q, "o");
	add(q, " AND (FALSE");
	for (size_t i = 0; i < p->orgs.n_resources; i++) {
		const prof_resource *r = &p->orgs.resources[i];
		if (!profile_mapped(&r->column))
			continue;
		prof_list pl = plans_where(r, plans, paid);
		add(q, " OR (");
		col(q, "o", &p->orgs.plan);
		add(q, "::text = ANY(");
		list(q, &pl);
		add(q, ") AND ");
		resource_present(q, r, !paid);
		add(q, ")");
		free(pl.v);
	}
	add(q, ")");
}

static void need_plans(qb *q, bool paid)
{
	const tc_profile *p = q->p;
	need_orgs(q);
	need(q, "organizations", "plan", &p->orgs.plan);
	if (!has_resources(p))
		missing(q, "organizations", "resource.NAME");
	if (paid)
		need_list(q, "resources", "paid_plans", &p->resources.paid_plans);
	else
		need_list(q, "resources", "free_plans", &p->resources.free_plans);
}

static void b_paid_org_without_resource(qb *q)
{
	need_plans(q, true);
	if (!qb_ok(q))
		return;
	plan_resource_query(q, true);
}

static void b_free_org_with_resource(qb *q)
{
	need_plans(q, false);
	if (!qb_ok(q))
		return;
	plan_resource_query(q, false);
}

/* ------------------------------------------------------------ the table */

typedef struct check {
	const char *id;
	severity sev;
	void (*build)(qb *q);
	const char *explain;
	bool fixable;
} check;

static const check checks[] = {
	{"org-no-owner", SEV_HIGH, b_org_no_owner,
	 "An organization nobody owns: no live member holds an owner role, so nobody can manage "
	 "billing, members or deletion. Promote a member with `tenantctl members set-role ORG "
	 "EMAIL owner`.",
	 false},
	{"owner-pointer-mismatch", SEV_MEDIUM, b_owner_pointer_mismatch,
	 "The organization's owner pointer and its owner memberships disagree (the pointer names "
	 "someone without an owner membership, or is empty while an owner exists). Decide who "
	 "owns it, then give that user the owner role with `tenantctl members set-role` and set "
	 "the pointer to the same user.",
	 false},
	{"multiple-owners", SEV_MEDIUM, b_multiple_owners,
	 "More than one live owner in an organization that has a single owner. Keep the owner the "
	 "pointer names and demote the others with `tenantctl members set-role ORG EMAIL admin`.",
	 false},
	{"duplicate-membership", SEV_MEDIUM, b_duplicate_membership,
	 "The same user is a live member of the same organization, workspace or project more "
	 "than once (a retried invite acceptance, a missing unique constraint). `tenantctl audit "
	 "fix duplicate-membership` ends all but the oldest row of each; consider a unique index "
	 "on (user, scope) for live rows.",
	 true},
	{"member-of-deleted-user", SEV_HIGH, b_member_of_deleted_user,
	 "A soft-deleted user still holds live memberships, so the account keeps its access if it "
	 "is restored or its sessions survive. `tenantctl audit fix member-of-deleted-user` ends "
	 "those memberships.",
	 true},
	{"member-of-deleted-org", SEV_MEDIUM, b_member_of_deleted_org,
	 "Live memberships in a soft-deleted organization. Remove them with `tenantctl members "
	 "remove`, or restore the organization if it was deleted by mistake.",
	 false},
	{"membership-without-user", SEV_HIGH, b_membership_without_user,
	 "Membership rows whose user row no longer exists (hard-deleted without its memberships; "
	 "no foreign key). Delete the rows, and add a foreign key from the membership table to "
	 "users so it cannot happen again.",
	 false},
	{"not-org-member", SEV_MEDIUM, b_not_org_member,
	 "A member of a workspace or project who is not a live member of its organization. Add "
	 "the user to the organization (`tenantctl members add ORG EMAIL ROLE`) or remove the "
	 "workspace or project membership.",
	 false},
	{"project-workspace-org-mismatch", SEV_HIGH, b_project_workspace_org_mismatch,
	 "A project whose organization differs from the organization of its workspace, so two "
	 "tenants see it. Move the project to a workspace of its own organization, or correct "
	 "its organization.",
	 false},
	{"unknown-role", SEV_LOW, b_unknown_role,
	 "A membership whose role is empty or not one of the profile's known roles, so the "
	 "application grants it nothing or something unexpected. Set a known role with "
	 "`tenantctl members set-role`, or add the role to [roles] known in the profile.",
	 false},
	{"privileged-outside-allowlist", SEV_HIGH, b_privileged_outside_allowlist,
	 "An owner or admin whose email address is outside the owner email allowlist or in a "
	 "blocked domain. Demote the member with `tenantctl members set-role`, or extend the "
	 "policy in the profile if the address is legitimate.",
	 false},
	{"user-without-membership", SEV_LOW, b_user_without_membership,
	 "A live user who belongs to nothing: an abandoned sign-up or a user whose last "
	 "membership ended. Invite the user somewhere or deactivate the account.",
	 false},
	{"invitation-expired-pending", SEV_LOW, b_invitation_expired_pending,
	 "Invitations past their expiry that are still pending, so lists of open invitations "
	 "lie. `tenantctl audit fix invitation-expired-pending` marks them expired.",
	 true},
	{"invitation-for-member", SEV_LOW, b_invitation_for_member,
	 "A pending invitation for someone who is already a live member of the organization. "
	 "Revoke the invitation; accepting it could change the member's role.",
	 false},
	{"stale-privileged-member", SEV_LOW, b_stale_privileged_member,
	 "An owner or admin with no activity for longer than [policy] stale_after_days. Confirm "
	 "the person still needs the role; demote with `tenantctl members set-role` otherwise.",
	 false},
	{"slug-problems", SEV_MEDIUM, b_slug_problems,
	 "An organization slug that is missing, a reserved word (admin, api, www, ...), or equal "
	 "to another organization's slug ignoring case, which breaks URLs and lookups. Rename it "
	 "with `tenantctl orgs rename SLUG NAME --slug NEW`.",
	 false},
	{"paid-org-without-resource", SEV_MEDIUM, b_paid_org_without_resource,
	 "An organization on a paid plan without its per-org resource. Provision it with "
	 "`tenantctl backfill resources` (or `tenantctl orgs set-plan SLUG PLAN` again).",
	 false},
	{"free-org-with-resource", SEV_LOW, b_free_org_with_resource,
	 "An organization on a free plan that still holds a per-org resource (a downgrade that "
	 "never cleaned up). Clear it with `tenantctl backfill resources`.",
	 false},
};

#define N_CHECKS (sizeof checks / sizeof checks[0])

static const check *check_find(const char *id)
{
	for (size_t i = 0; i < N_CHECKS; i++)
		if (!strcmp(checks[i].id, id))
			return &checks[i];
	return NULL;
}

static void check_ids(strbuf *sb)
{
	for (size_t i = 0; i < N_CHECKS; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", checks[i].id);
}

static tc_status unknown_check(const char *id, tc_error *err)
{
	strbuf sb = STRBUF_INIT;
	check_ids(&sb);
	tc_fail(err, TC_ERR_USAGE, "unknown check '%s'; the checks are: %s", id, sb_str(&sb));
	sb_free(&sb);
	tc_hint(err, "`tenantctl audit --json` lists every check with its id");
	return TC_ERR_USAGE;
}

/* ------------------------------------------------------------ running */

typedef struct finding {
	const check *k;
	bool applicable;
	long count;
	char *samples; /* owned; a JSON array */
	char *why_na;  /* owned */
} finding;

static tc_status run_check(tc_conn *c, const tc_profile *p, const check *k, const char *org,
			   long limit, finding *f, tc_error *err)
{
	qb q;
	qb_init(&q, p, org, limit);
	q.server_version = conn_server_version(c);
	k->build(&q);
	f->k = k;
	if (!qb_ok(&q)) {
		f->applicable = false;
		f->count = 0;
		f->samples = xstrdup("[]");
		if (q.missing.len)
			f->why_na = xasprintf("needs %s", sb_str(&q.missing));
		else
			f->why_na = xstrdup(q.na);
		qb_free(&q);
		return TC_OK;
	}
	strbuf sql = STRBUF_INIT;
	/* The findings once (materialized), then their count and the first N. */
	sb_addf(&sql, "WITH f AS %s(", q.server_version >= 120000 ? "MATERIALIZED " : "");
	sb_add(&sql, sb_str(&q.sql));
	sb_add(&sql,
	       ") SELECT (SELECT count(*) FROM f), coalesce((SELECT jsonb_agg(jsonb_build_object("
	       "'org', s.org, 'user', s.usr, 'role', s.role, 'detail', s.detail) ORDER BY "
	       "s.org COLLATE \"C\", s.usr COLLATE \"C\", s.detail COLLATE \"C\") FROM "
	       "(SELECT * FROM f ORDER BY f.org COLLATE \"C\", f.usr COLLATE \"C\", f.detail "
	       "COLLATE \"C\" LIMIT $1::int) s), '[]'::jsonb)::text");
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&sql), (int)q.nparams, (const char *const *)q.params,
				&rows, err);
	sb_free(&sql);
	qb_free(&q);
	if (rc != TC_OK) {
		tc_error_prefix(err, "audit check %s: ", k->id);
		return rc;
	}
	f->applicable = true;
	const char *n = db_get(&rows, 0, 0), *j = db_get(&rows, 0, 1);
	f->count = n ? atol(n) : 0;
	f->samples = xstrdup(j ? j : "[]");
	db_rows_free(&rows);
	return TC_OK;
}

static tc_status parse_severity(const char *v, severity *out, tc_error *err)
{
	for (int i = SEV_LOW; i <= SEV_HIGH; i++)
		if (!strcmp(v, sev_names[i])) {
			*out = (severity)i;
			return TC_OK;
		}
	tc_fail(err, TC_ERR_USAGE, "--fail-on takes low, medium or high, not '%s'", v);
	return TC_ERR_USAGE;
}

static tc_status parse_samples(const char *v, long *out, tc_error *err)
{
	*out = 5;
	if (!v)
		return TC_OK;
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < 0 || n > 1000) {
		tc_fail(err, TC_ERR_USAGE,
			"--samples takes a whole number from 0 to 1000, not '%s'", v);
		return TC_ERR_USAGE;
	}
	*out = n;
	return TC_OK;
}

/* The --org org must exist (by slug, or id where there is no slug). */
static tc_status org_exists(tc_conn *c, const tc_profile *p, const char *org, tc_error *err)
{
	if (!profile_mapped(&p->orgs.table) || !profile_mapped(&p->orgs.id))
		return TC_OK;
	qb q;
	qb_init(&q, p, org, 0);
	add(&q, "SELECT count(*) FROM ");
	tbl(&q, &p->orgs.table);
	add(&q, " o WHERE $1::text IS NOT NULL");
	orgfilter(&q, "o");
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&q.sql), (int)q.nparams, (const char *const *)q.params,
				&rows, err);
	qb_free(&q);
	if (rc != TC_OK)
		return rc;
	const char *n = db_get(&rows, 0, 0);
	bool found = n && strcmp(n, "0") != 0;
	db_rows_free(&rows);
	if (!found) {
		tc_fail(err, TC_ERR_USAGE, "no organization '%s'", org);
		tc_hint(err, "`tenantctl orgs search %s` finds organizations by slug or name", org);
		return TC_ERR_USAGE;
	}
	return TC_OK;
}

static char *fix_command(const check *k, const char *org)
{
	if (!k->fixable)
		return xstrdup("");
	if (org)
		return xasprintf("tenantctl audit fix %s --org %s", k->id, org);
	return xasprintf("tenantctl audit fix %s", k->id);
}

tc_status audit_org_summary(struct tc_session *s, const char *slug, strbuf *out, tc_error *err)
{
	/* The same checks as `audit --org SLUG --samples 0`, through the table's
	 * own options so there is one way in. */
	const cmd_spec *spec = cmd_find("audit");
	const cmd_opt *org_opt = NULL, *samples_opt = NULL;
	for (const cmd_opt *o = spec->opts; o->name; o++) {
		if (!strcmp(o->name, "org"))
			org_opt = o;
		if (!strcmp(o->name, "samples"))
			samples_opt = o;
	}
	cmd_optval opts[] = {{org_opt, (char *)slug}, {samples_opt, (char *)"0"}};
	cmd_call call = {.spec = spec, .opts = opts, .nopts = 2};
	tc_result r;
	tc_status rc = audit_run(s, &call, &r, err);
	if (rc != TC_OK && rc != TC_FINDINGS) {
		res_free(&r);
		return rc;
	}
	size_t n = 0;
	strbuf list = STRBUF_INIT;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *count = res_get(&r, i, 2);
		if (!count || !strcmp(count, "0"))
			continue;
		sb_addf(&list, "%s%s (%s, %s)", n ? ", " : "", res_get(&r, i, 0), res_get(&r, i, 1),
			count);
		n++;
	}
	if (n)
		sb_addf(out, "%zu finding%s: %s", n, n == 1 ? "" : "s", sb_str(&list));
	else
		sb_add(out, "no findings");
	sb_free(&list);
	res_free(&r);
	return TC_OK;
}

tc_status audit_rows(struct tc_session *s, const char *id, const char *org, long limit,
		     tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	const check *k = check_find(id ? id : "");
	if (!k)
		return unknown_check(id ? id : "", err);
	if (limit < 1 || limit > 100000)
		return tc_fail(err, TC_ERR_USAGE, "a check lists from 1 to 100000 rows, not %ld",
			       limit);
	const tc_profile *p;
	tc_status rc = profile_for_session(s, &p, err);
	if (rc != TC_OK)
		return rc;
	tc_conn *c;
	if ((rc = session_conn(s, &c, err)) != TC_OK)
		return rc;
	qb q;
	qb_init(&q, p, org, limit);
	q.server_version = conn_server_version(c);
	k->build(&q);
	if (!qb_ok(&q)) {
		res_init(out, RES_TABLE);
		res_add_col(out, "org", RES_T_TEXT);
		res_add_col(out, "user", RES_T_TEXT);
		res_add_col(out, "role", RES_T_TEXT);
		res_add_col(out, "detail", RES_T_TEXT);
		if (q.missing.len)
			res_set_summary(out, "%s is not applicable: needs %s", k->id,
					sb_str(&q.missing));
		else
			res_set_summary(out, "%s is not applicable: %s", k->id, q.na);
		qb_free(&q);
		return TC_OK;
	}
	rc = db_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL, err);
	if (rc == TC_OK && conn_server_version(c) >= 110000)
		rc = db_exec(c, "SET LOCAL jit = off", 0, NULL, NULL, err);
	if (rc == TC_OK && org)
		rc = org_exists(c, p, org, err);
	db_rows rows = DB_ROWS_INIT;
	if (rc == TC_OK) {
		/* The findings once, then their count and the first N in the
		 * order of the samples. */
		strbuf sql = STRBUF_INIT;
		sb_addf(&sql, "WITH f AS %s(", q.server_version >= 120000 ? "MATERIALIZED " : "");
		sb_add(&sql, sb_str(&q.sql));
		sb_add(&sql, ") SELECT t.n, s.org, s.usr, s.role, s.detail FROM (SELECT count(*) AS n "
			     "FROM f) t LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.org COLLATE "
			     "\"C\", f.usr COLLATE \"C\", f.detail COLLATE \"C\" LIMIT $1::int) s "
			     "ON true ORDER BY s.org COLLATE \"C\", s.usr COLLATE \"C\", s.detail "
			     "COLLATE \"C\"");
		rc = db_query(c, sb_str(&sql), (int)q.nparams, (const char *const *)q.params, &rows,
			      err);
		sb_free(&sql);
		if (rc != TC_OK)
			tc_error_prefix(err, "audit check %s: ", k->id);
	}
	db_exec(c, rc == TC_OK ? "COMMIT" : "ROLLBACK", 0, NULL, NULL, NULL);
	qb_free(&q);
	if (rc != TC_OK) {
		db_rows_free(&rows);
		return rc;
	}
	res_init(out, RES_TABLE);
	res_add_col(out, "org", RES_T_TEXT);
	res_add_col(out, "user", RES_T_TEXT);
	res_add_col(out, "role", RES_T_TEXT);
	res_add_col(out, "detail", RES_T_TEXT);
	long total = rows.nrows ? atol(db_get(&rows, 0, 0) ? db_get(&rows, 0, 0) : "0") : 0;
	size_t shown = 0;
	for (size_t i = 0; total > 0 && i < rows.nrows; i++) {
		size_t r = res_add_row(out);
		for (size_t col = 0; col < 4; col++)
			res_set(out, r, col, db_get(&rows, i, col + 1));
		shown++;
	}
	if ((long)shown < total)
		res_set_summary(out, "%ld finding%s of %s (%s); the first %zu shown", total,
				total == 1 ? "" : "s", k->id, sev_names[k->sev], shown);
	else
		res_set_summary(out, "%ld finding%s of %s (%s)", total, total == 1 ? "" : "s", k->id,
				sev_names[k->sev]);
	db_rows_free(&rows);
	return TC_OK;
}

tc_status audit_run(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	const char *org = cmd_opt_value(call, "org");
	const char *fail_on = cmd_opt_value(call, "fail-on");
	severity threshold = SEV_HIGH;
	long limit;
	tc_status rc = parse_samples(cmd_opt_value(call, "samples"), &limit, err);
	if (rc == TC_OK && fail_on)
		rc = parse_severity(fail_on, &threshold, err);
	if (rc != TC_OK)
		return rc;

	/* Which checks: --check (repeatable), else all, in the table's order. */
	bool want[N_CHECKS];
	const char **ids;
	size_t nids = cmd_opt_values(call, "check", &ids);
	for (size_t i = 0; i < N_CHECKS; i++)
		want[i] = nids == 0;
	for (size_t i = 0; i < nids; i++) {
		const check *k = check_find(ids[i]);
		if (!k) {
			rc = unknown_check(ids[i], err);
			free(ids);
			return rc;
		}
		want[k - checks] = true;
	}
	free(ids);

	const tc_profile *p;
	rc = profile_for_session(s, &p, err);
	if (rc != TC_OK)
		return rc;
	tc_conn *c;
	rc = session_conn(s, &c, err);
	if (rc != TC_OK)
		return rc;
	/* One snapshot for every check, so the findings agree with each other. */
	rc = db_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL, err);
	if (rc != TC_OK)
		return rc;
	/* Compiling these plans costs more than it saves: they are scans and
	 * hash joins over a few columns, run once. */
	if (conn_server_version(c) >= 110000)
		rc = db_exec(c, "SET LOCAL jit = off", 0, NULL, NULL, err);
	if (rc == TC_OK && org)
		rc = org_exists(c, p, org, err);

	finding f[N_CHECKS];
	memset(f, 0, sizeof f);
	for (size_t i = 0; i < N_CHECKS && rc == TC_OK; i++)
		if (want[i])
			rc = run_check(c, p, &checks[i], org, limit, &f[i], err);
	db_exec(c, rc == TC_OK ? "COMMIT" : "ROLLBACK", 0, NULL, NULL, NULL);

	if (rc == TC_OK) {
		res_init(out, RES_TABLE);
		res_add_col(out, "id", RES_T_TEXT);
		res_add_col(out, "severity", RES_T_TEXT);
		res_add_col(out, "count", RES_T_INT);
		res_add_col(out, "applicable", RES_T_BOOL);
		res_add_col(out, "samples", RES_T_JSON);
		res_add_col(out, "explanation", RES_T_TEXT);
		res_add_col(out, "fix", RES_T_TEXT);
		long total = 0, high = 0;
		size_t ran = 0, n_na = 0;
		bool fail = false;
		strbuf na = STRBUF_INIT;
		for (size_t i = 0; i < N_CHECKS; i++) {
			if (!want[i])
				continue;
			const check *k = &checks[i];
			size_t r = res_add_row(out);
			res_set(out, r, 0, k->id);
			res_set(out, r, 1, sev_names[k->sev]);
			res_setf(out, r, 2, "%ld", f[i].count);
			res_set(out, r, 3, f[i].applicable ? "true" : "false");
			res_set(out, r, 4, f[i].samples);
			if (f[i].applicable) {
				res_set(out, r, 5, k->explain);
				char *fix = fix_command(k, org);
				res_set(out, r, 6, fix);
				free(fix);
				ran++;
				total += f[i].count;
				if (k->sev == SEV_HIGH)
					high += f[i].count;
				if (f[i].count > 0 && fail_on && k->sev >= threshold)
					fail = true;
			} else {
				res_setf(out, r, 5, "not applicable: %s", f[i].why_na);
				res_set(out, r, 6, "");
				sb_addf(&na, "%s%s", n_na ? ", " : "", k->id);
				n_na++;
			}
		}
		strbuf sum = STRBUF_INIT;
		sb_addf(&sum, "%ld finding%s in %zu check%s (%ld high)", total,
			total == 1 ? "" : "s", ran, ran == 1 ? "" : "s", high);
		if (n_na)
			sb_addf(&sum, "; %zu check%s not applicable: %s", n_na,
				n_na == 1 ? "" : "s", sb_str(&na));
		res_set_summary(out, "%s", sb_str(&sum));
		sb_free(&sum);
		sb_free(&na);
		if (fail)
			rc = TC_FINDINGS;
	}
	for (size_t i = 0; i < N_CHECKS; i++) {
		free(f[i].samples);
		free(f[i].why_na);
	}
	return rc;
}

/* ------------------------------------------------------------ fixes */

typedef struct fix_ctx {
	const tc_profile *p;
	const check *k;
	const char *org;
} fix_ctx;

/* How many sample rows a preview lists. */
#define FIX_PREVIEW_ROWS 20

/* Runs a data-changing statement whose result is (total, org, usr, role,
 * detail) rows, the first FIX_PREVIEW_ROWS of them; adds them to the
 * preview and the total to *rows. */
static tc_status fix_stmt(tc_conn *c, qb *q, strbuf *lines, long *rows, tc_error *err)
{
	db_rows r = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&q->sql), (int)q->nparams, (const char *const *)q->params,
				&r, err);
	if (rc != TC_OK) {
		tc_error_prefix(err, "audit fix: ");
		return rc;
	}
	long n = r.nrows ? atol(db_get(&r, 0, 0)) : 0;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *org = db_get(&r, i, 1), *usr = db_get(&r, i, 2),
			   *role = db_get(&r, i, 3), *detail = db_get(&r, i, 4);
		sb_addf(lines, "  %s  %s  %s  %s\n", org ? org : "-", usr ? usr : "-",
			role ? role : "-", detail ? detail : "");
	}
	if ((long)r.nrows < n)
		sb_addf(lines, "  ... and %ld more\n", n - (long)r.nrows);
	*rows += n;
	db_rows_free(&r);
	return TC_OK;
}

/* Closes the subquery of a fix's result and keeps the first rows ($1). */
static void fix_order(qb *q)
{
	add(q, ") z ORDER BY z.org COLLATE \"C\", z.usr COLLATE \"C\", z.detail COLLATE \"C\" "
	       "LIMIT $1::int");
}

/* The tail of a fix statement: ", g AS (...) SELECT count, labels FROM g"
 * for membership rows returned as (uid, sid, role, detail). */
static void fix_select_members(qb *q, prof_scope s)
{
	const tc_profile *p = q->p;
	add(q, " SELECT * FROM (SELECT count(*) OVER () AS n, ");
	orglabel(q, "o");
	add(q, " AS org, coalesce(");
	email(q, "u");
	add(q, ", g.uid::text) AS usr, g.role AS role, ");
	scope_place(q, s);
	add(q, " || g.what AS detail FROM g LEFT JOIN ");
	tbl(q, &p->users.table);
	add(q, " u ON ");
	col(q, "u", &p->users.id);
	add(q, " = g.uid");
	scope_joins(q, s, "g.sid");
	fix_order(q);
}

/* A row's handle for UPDATE ... FROM: the id column, else ctid. */
static void row_key(qb *q, const char *alias, const prof_members *m)
{
	if (profile_mapped(&m->id))
		col(q, alias, &m->id);
	else
		addf(q, "%s.ctid", alias);
}

static tc_status fix_duplicates(tc_conn *c, const fix_ctx *x, stage_plan *plan, tc_error *err)
{
	const tc_profile *p = x->p;
	strbuf lines = STRBUF_INIT;
	long rows = 0;
	bool soft_any = false; /* soft-deleted ("ended") where the scope has deleted_at */
	tc_status rc = TC_OK;
	for (prof_scope s = 0; s < SCOPE_N && rc == TC_OK; s++) {
		if (!profile_scope_usable(p, s))
			continue;
		const prof_members *m = &p->members[s];
		bool soft = profile_mapped(&m->deleted_at);
		soft_any |= soft;
		qb q;
		qb_init(&q, p, x->org, FIX_PREVIEW_ROWS);
		char *mu = col_str("m", &m->user), *ms = col_str("m", &m->scope);
		/* Candidates as the check finds them (over every row, grouped by
		 * scope and user for an index), then the live rows ranked. */
		addf(&q, "WITH d AS (SELECT %s AS sid, %s AS uid FROM ", ms, mu);
		tbl(&q, &m->table);
		add(&q, " m WHERE TRUE");
		scope_restrict(&q, s, ms);
		addf(&q, " GROUP BY %s, %s HAVING count(*) > 1), r AS (SELECT ", ms, mu);
		row_key(&q, "m", m);
		addf(&q, " AS rid, row_number() OVER (PARTITION BY %s, %s ORDER BY ", mu, ms);
		if (profile_mapped(&m->created_at)) {
			col(&q, "m", &m->created_at);
			add(&q, ", ");
		}
		row_key(&q, "m", m);
		add(&q, ") AS rn FROM ");
		tbl(&q, &m->table);
		addf(&q, " m JOIN d ON d.uid = %s AND d.sid = %s WHERE ", mu, ms);
		live(&q, "m", &m->deleted_at);
		add(&q, "), g AS (");
		if (soft) {
			add(&q, "UPDATE ");
			tbl(&q, &m->table);
			add(&q, " t SET ");
			col(&q, NULL, &m->deleted_at);
			add(&q, " = now() FROM r WHERE ");
		} else {
			add(&q, "DELETE FROM ");
			tbl(&q, &m->table);
			add(&q, " t USING r WHERE ");
		}
		row_key(&q, "t", m);
		add(&q, " = r.rid AND r.rn > 1 RETURNING ");
		col(&q, "t", &m->user);
		add(&q, " AS uid, ");
		col(&q, "t", &m->scope);
		add(&q, " AS sid, ");
		role_expr(&q, s, "t");
		add(&q, " AS role, ");
		if (profile_mapped(&m->id)) {
			add(&q, "': duplicate row ' || ");
			col(&q, "t", &m->id);
			add(&q, "::text");
		} else {
			add(&q, "': a duplicate row'::text");
		}
		add(&q, " AS what)");
		fix_select_members(&q, s);
		rc = fix_stmt(c, &q, &lines, &rows, err);
		free(mu);
		free(ms);
		qb_free(&q);
	}
	if (rc == TC_OK) {
		sb_addf(&plan->preview,
			"audit fix duplicate-membership: %ld duplicate membership%s "
			"to %s, keeping the oldest live row of each user and scope\n",
			rows, rows == 1 ? "" : "s", soft_any ? "end" : "delete");
		sb_add(&plan->preview, sb_str(&lines));
		plan->rows = rows;
	}
	sb_free(&lines);
	return rc;
}

static tc_status fix_deleted_users(tc_conn *c, const fix_ctx *x, stage_plan *plan, tc_error *err)
{
	const tc_profile *p = x->p;
	strbuf lines = STRBUF_INIT, skipped = STRBUF_INIT;
	long rows = 0;
	tc_status rc = TC_OK;
	for (prof_scope s = 0; s < SCOPE_N && rc == TC_OK; s++) {
		if (!profile_scope_usable(p, s))
			continue;
		const prof_members *m = &p->members[s];
		if (!profile_mapped(&m->deleted_at)) {
			sb_addf(&skipped,
				"  %s memberships are left alone: needs [%s] deleted_at\n",
				profile_scope_name(s), member_sections[s]);
			continue;
		}
		qb q;
		qb_init(&q, p, x->org, FIX_PREVIEW_ROWS);
		char *tu = col_str("t", &m->user), *ts = col_str("t", &m->scope);
		add(&q, "WITH g AS (UPDATE ");
		tbl(&q, &m->table);
		add(&q, " t SET ");
		col(&q, NULL, &m->deleted_at);
		add(&q, " = now() FROM ");
		tbl(&q, &p->users.table);
		add(&q, " du WHERE ");
		col(&q, "du", &p->users.id);
		addf(&q, " = %s AND ", tu);
		col(&q, "du", &p->users.deleted_at);
		add(&q, " IS NOT NULL AND ");
		live(&q, "t", &m->deleted_at);
		scope_restrict(&q, s, ts);
		addf(&q, " RETURNING %s AS uid, %s AS sid, ", tu, ts);
		role_expr(&q, s, "t");
		add(&q, " AS role, ': membership of a soft-deleted user ended'::text AS what)");
		fix_select_members(&q, s);
		rc = fix_stmt(c, &q, &lines, &rows, err);
		free(tu);
		free(ts);
		qb_free(&q);
	}
	if (rc == TC_OK) {
		sb_addf(&plan->preview,
			"audit fix member-of-deleted-user: %ld live membership%s of "
			"soft-deleted users to end\n",
			rows, rows == 1 ? "" : "s");
		sb_add(&plan->preview, sb_str(&lines));
		sb_add(&plan->preview, sb_str(&skipped));
		plan->rows = rows;
	}
	sb_free(&lines);
	sb_free(&skipped);
	return rc;
}

static tc_status fix_invitations(tc_conn *c, const fix_ctx *x, stage_plan *plan, tc_error *err)
{
	const tc_profile *p = x->p;
	const prof_invitations *i = &p->invitations;
	qb q;
	qb_init(&q, p, x->org, FIX_PREVIEW_ROWS);
	add(&q, "WITH g AS (UPDATE ");
	tbl(&q, &i->table);
	add(&q, " t SET ");
	if (profile_mapped(&i->status)) {
		col(&q, NULL, &i->status);
		add(&q, " = ");
		val(&q, "expired");
	} else {
		col(&q, NULL, &i->used);
		add(&q, " = TRUE");
	}
	add(&q, " WHERE ");
	inv_pending(&q, "t");
	add(&q, " AND ");
	col(&q, "t", &i->expires_at);
	add(&q, " < now()");
	inv_orgfilter(&q, "t");
	add(&q, " RETURNING t.*) SELECT * FROM (SELECT count(*) OVER () AS n, ");
	inv_cols(&q, "g");
	add(&q, ", 'expired ' || (now()::date - ");
	col(&q, "g", &i->expires_at);
	add(&q, "::date) || ' days ago'");
	add(&q, " AS detail FROM g");
	fix_order(&q);
	strbuf lines = STRBUF_INIT;
	long rows = 0;
	tc_status rc = fix_stmt(c, &q, &lines, &rows, err);
	qb_free(&q);
	if (rc == TC_OK) {
		sb_addf(&plan->preview,
			"audit fix invitation-expired-pending: %ld expired invitation%s "
			"still pending, to mark %s\n",
			rows, rows == 1 ? "" : "s",
			profile_mapped(&i->status) ? "expired" : "used");
		sb_add(&plan->preview, sb_str(&lines));
		plan->rows = rows;
	}
	sb_free(&lines);
	return rc;
}

static tc_status fix_body(tc_conn *c, void *ctx, stage_plan *plan, tc_error *err)
{
	const fix_ctx *x = ctx;
	plan->target =
		x->org ? xasprintf("organization %s", x->org) : xstrdup("every organization");
	if (!strcmp(x->k->id, "duplicate-membership"))
		return fix_duplicates(c, x, plan, err);
	if (!strcmp(x->k->id, "member-of-deleted-user"))
		return fix_deleted_users(c, x, plan, err);
	return fix_invitations(c, x, plan, err);
}

tc_status audit_fix(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	const char *id = call->nargs ? call->args[0] : "";
	const char *org = cmd_opt_value(call, "org");
	bool apply = cmd_opt_value(call, "apply") != NULL;
	const check *k = check_find(id);
	if (!k)
		return unknown_check(id, err);
	if (!k->fixable) {
		tc_fail(err, TC_ERR_USAGE, "no safe mechanical fix for %s; see its explanation",
			id);
		tc_hint(err,
			"`tenantctl audit --check %s` explains the finding and how to fix it by "
			"hand; the fixable checks are duplicate-membership, "
			"member-of-deleted-user and invitation-expired-pending",
			id);
		return TC_ERR_USAGE;
	}
	const tc_profile *p;
	tc_status rc = profile_for_session(s, &p, err);
	if (rc != TC_OK)
		return rc;

	/* The fix needs what the check needs (and a soft delete, where ending). */
	qb q;
	qb_init(&q, p, org, 0);
	k->build(&q);
	if (!strcmp(k->id, "member-of-deleted-user")) {
		bool any = false;
		for (prof_scope sc = 0; sc < SCOPE_N; sc++)
			any |= profile_scope_usable(p, sc) && profile_mapped(&p->members[sc].deleted_at);
		if (!any)
			missing(&q, "members.org", "deleted_at");
	}
	if (!qb_ok(&q)) {
		if (q.missing.len)
			tc_fail(err, TC_ERR_USAGE, "cannot fix %s with this profile: it needs %s",
				id, sb_str(&q.missing));
		else
			tc_fail(err, TC_ERR_USAGE, "cannot fix %s: %s", id, q.na);
		tc_hint(err, "map the missing keys in the tenancy profile (%s)",
			p->path ? p->path : p->name);
		qb_free(&q);
		return TC_ERR_USAGE;
	}
	qb_free(&q);

	if (org) {
		tc_conn *c;
		rc = session_conn(s, &c, err);
		if (rc == TC_OK)
			rc = org_exists(c, p, org, err);
		if (rc != TC_OK)
			return rc;
	}

	fix_ctx x = {p, k, org};
	char *command = migcmd_command_line(call);
	stage_opts o = {command, !apply};
	res_free(out);
	rc = stage_run(s, &o, fix_body, &x, out, err);
	free(command);
	return rc;
}
