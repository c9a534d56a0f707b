#include "config.h"

#include "backfill.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn.h"
#include "db.h"
#include "migcmd.h"
#include "oplog.h"
#include "profile.h"
#include "session.h"
#include "strbuf.h"
#include "xalloc.h"

/* ------------------------------------------------------------------ helpers */

#define STATE_SCHEMA "public"
#define STATE_TABLE "tenantctl_backfill_state"
#define STATE_QUALIFIED STATE_SCHEMA "." STATE_TABLE

#define DEFAULT_BATCH 500
#define MAX_BATCH 100000
/* Rows of each kind (changed, skipped, failed) kept for the result: the rest
 * are counted, so memory does not grow with the number of orgs. */
#define SHOWN_PER_KIND 100
/* A batch's audit row names the orgs it changed when they are this few. */
#define TARGET_NAMES_MAX 10

/* Parameters of one statement: owned copies, NULL is SQL NULL. */
typedef struct params {
	char **v;
	size_t n, cap;
} params;

static size_t param_add(params *p, const char *v)
{
	p->v = xgrow(p->v, &p->cap, p->n + 1, sizeof *p->v);
	p->v[p->n] = v ? xstrdup(v) : NULL;
	return ++p->n;
}

/* Appends "$n" for a new parameter holding v. */
static void sb_param(strbuf *sb, params *p, const char *v)
{
	sb_addf(sb, "$%zu", param_add(p, v));
}

static void params_free(params *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof *p);
}

static void array_param(strbuf *sb, params *p, char *const *v, size_t n)
{
	char *a = db_text_array((const char *const *)v, n);
	sb_param(sb, p, a);
	sb_add(sb, "::text[]");
	free(a);
}

static void table(strbuf *sb, const prof_ident *t)
{
	profile_table_sql(sb, t);
}

static void col(strbuf *sb, const char *alias, const prof_ident *c)
{
	profile_col_sql(sb, alias, c);
}

/* A positive whole number option; dflt when absent. */
static tc_status count_opt(const cmd_call *call, const char *name, long long max, long long dflt,
			   long long *out, tc_error *err)
{
	const char *v = cmd_opt_value(call, name);
	*out = dflt;
	if (!v)
		return TC_OK;
	char *end;
	long long n = strtoll(v, &end, 10);
	if (!*v || *end || !isdigit((unsigned char)*v) || n < 1 || n > max)
		return tc_fail(err, TC_ERR_USAGE, "--%s takes a whole number from 1 to %lld, not '%s'",
			       name, max, v);
	*out = n;
	return TC_OK;
}

static void progress(tc_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(tc_session *s, const char *fmt, ...)
{
	void *ctx = NULL;
	session_progress_fn fn = session_progress(s, &ctx);
	if (!fn)
		return;
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	fn(ctx, sb_str(&sb));
	sb_free(&sb);
}

static const char *plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void rollback(tc_conn *c)
{
	db_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
}

/* "[section] key" names of what a backfill needs and the profile lacks. */
static void need(strbuf *missing, bool ok, const char *section, const char *key)
{
	if (ok)
		return;
	sb_addf(missing, "%s[%s] %s", missing->len ? ", " : "", section, key);
}

/* ------------------------------------------------------------------ backfills */

/* Each backfill is one classification query over a window of orgs (CTEs:
 * b, the window, first; c, with a status and a detail per org, last) and
 * the statement that applies the 'change' rows. Status: 'ok' (nothing to do), 'change',
 * 'skip' (needs a person; detail says why), 'deleted' (would change, but
 * the org is soft-deleted and is left alone). $1 is the cursor (the last
 * org id done, text), $2 the window's size (NULL: to the end). */
typedef struct backfill_def {
	const char *name;
	const char *does; /* for the preview */
	/* Missing mapping, as "[section] key, ..." into missing. */
	void (*check)(const tc_profile *p, strbuf *missing);
	/* The CTEs "WITH b AS (...), c AS (...)"; lock: FOR UPDATE the orgs. */
	void (*classify)(const tc_profile *p, bool cursor, bool lock, strbuf *sql, params *prm);
	/* ", u AS (...)": the write, from c where status = 'change'. */
	void (*apply)(const tc_profile *p, strbuf *sql, params *prm);
} backfill_def;

/* The window of orgs: "FROM T o WHERE o.id > $1 ORDER BY o.id LIMIT $2". */
static void org_window(const tc_profile *p, bool cursor, bool lock, strbuf *sql)
{
	sb_add(sql, " FROM ");
	table(sql, &p->orgs.table);
	sb_add(sql, " o WHERE ");
	if (cursor) {
		col(sql, "o", &p->orgs.id);
		sb_add(sql, " > $1");
	} else {
		/* from the start; $1 is still named, so both forms take the same
		 * parameters (it is NULL here, and the planner folds this away) */
		sb_add(sql, "$1::text IS NULL");
	}
	sb_add(sql, " ORDER BY ");
	col(sql, "o", &p->orgs.id);
	sb_add(sql, " LIMIT $2::bigint");
	if (lock)
		sb_add(sql, " FOR UPDATE OF o");
}

/* The common columns of b: key (the id, its own type), id (text), slug,
 * deleted. */
static void org_columns(const tc_profile *p, strbuf *sql)
{
	sb_add(sql, "SELECT ");
	col(sql, "o", &p->orgs.id);
	sb_add(sql, " AS key, ");
	col(sql, "o", &p->orgs.id);
	sb_add(sql, "::text AS id, ");
	if (profile_mapped(&p->orgs.slug))
		col(sql, "o", &p->orgs.slug);
	else
		col(sql, "o", &p->orgs.id);
	sb_add(sql, "::text AS slug, ");
	if (profile_mapped(&p->orgs.deleted_at)) {
		col(sql, "o", &p->orgs.deleted_at);
		sb_add(sql, " IS NOT NULL");
	} else {
		sb_add(sql, "false");
	}
	sb_add(sql, " AS deleted");
}

/* --- resources: bring each org's per-org resource columns in line with its
 * plan. Per resource, in this order:
 *   - a plan with a value of its own (resource.NAME.PLAN) gets it where the
 *     column is empty; a different value already there is left as is and
 *     reported (a retention someone set is not overwritten behind their
 *     back: `orgs set-plan` or a person changes it);
 *   - a free plan clears the column;
 *   - a paid plan with the column empty gets the provision template
 *     ({slug} replaced); a value already there is kept (a basin is never
 *     renamed).
 * A plan that is neither paid nor free is skipped with the reason. This is
 * what the audit's resource check finds, so the backfill repairs exactly
 * that. */

static void resources_check(const tc_profile *p, strbuf *missing)
{
	need(missing, profile_mapped(&p->orgs.table), "organizations", "table");
	need(missing, profile_mapped(&p->orgs.id), "organizations", "id");
	need(missing, profile_mapped(&p->orgs.plan), "organizations", "plan");
	need(missing, p->orgs.n_resources > 0, "organizations", "resource.NAME");
	need(missing, p->resources.paid_plans.n + p->resources.free_plans.n > 0, "resources",
	     "paid_plans or free_plans");
	bool templated = false;
	for (size_t i = 0; i < p->orgs.n_resources; i++)
		if (p->orgs.resources[i].provision && strstr(p->orgs.resources[i].provision, "{slug}"))
			templated = true;
	if (templated)
		need(missing, profile_mapped(&p->orgs.slug), "organizations",
		     "slug (resource templates use {slug})");
}

static void resources_classify(const tc_profile *p, bool cursor, bool lock, strbuf *sql,
			       params *prm)
{
	const prof_resources *rs = &p->resources;
	const prof_orgs *o = &p->orgs;

	/* b: the orgs of the window, each resource's value and its plan's own */
	sb_add(sql, "WITH b AS (");
	org_columns(p, sql);
	sb_add(sql, ", ");
	col(sql, "o", &o->plan);
	sb_add(sql, "::text AS plan");
	for (size_t i = 0; i < o->n_resources; i++) {
		const prof_resource *r = &o->resources[i];
		sb_add(sql, ", ");
		col(sql, "o", &r->column);
		sb_addf(sql, " AS cur_%zu, ", i);
		if (r->n_plans)
			sb_add(sql, "CASE");
		for (size_t k = 0; k < r->n_plans; k++) {
			sb_add(sql, " WHEN ");
			col(sql, "o", &o->plan);
			sb_add(sql, "::text = ");
			sb_param(sql, prm, r->plan_names[k]);
			/* untyped: it takes the column's type from the ELSE branch */
			sb_add(sql, "::text THEN ");
			sb_param(sql, prm, r->plan_values[k]);
		}
		/* else a NULL of the column's type */
		sb_add(sql, r->n_plans ? " ELSE CASE WHEN false THEN " : "CASE WHEN false THEN ");
		col(sql, "o", &r->column);
		sb_addf(sql, r->n_plans ? " END END AS pv_%zu" : " END AS pv_%zu", i);
	}
	org_window(p, cursor, lock, sql);

	/* n: what each resource should hold, and whether it holds another
	 * value than its plan's */
	sb_add(sql, "), n AS (SELECT b.*");
	for (size_t i = 0; i < o->n_resources; i++) {
		const prof_resource *r = &o->resources[i];
		sb_addf(sql, ", CASE WHEN b.pv_%zu IS NOT NULL THEN coalesce(b.cur_%zu, b.pv_%zu)", i,
			i, i);
		if (rs->free_plans.n) {
			sb_add(sql, " WHEN b.plan = ANY(");
			array_param(sql, prm, rs->free_plans.v, rs->free_plans.n);
			sb_add(sql, ") THEN NULL");
		}
		if (r->provision && rs->paid_plans.n) {
			sb_add(sql, " WHEN b.plan = ANY(");
			array_param(sql, prm, rs->paid_plans.v, rs->paid_plans.n);
			sb_addf(sql, ") AND b.cur_%zu IS NULL THEN replace(", i);
			sb_param(sql, prm, r->provision);
			sb_add(sql, "::text, '{slug}', b.slug)");
		}
		sb_addf(sql, " ELSE b.cur_%zu END AS new_%zu", i, i);
		sb_addf(sql, ", b.pv_%zu IS NOT NULL AND b.cur_%zu IS NOT NULL AND b.cur_%zu IS DISTINCT "
			     "FROM b.pv_%zu AS mis_%zu",
			i, i, i, i, i);
	}

	/* Every plan some rule names; the others are skipped, never guessed. */
	size_t nknown = rs->paid_plans.n + rs->free_plans.n;
	for (size_t i = 0; i < o->n_resources; i++)
		nknown += o->resources[i].n_plans;
	char **known = xcalloc(nknown + 1, sizeof *known);
	size_t k = 0;
	for (size_t i = 0; i < rs->paid_plans.n; i++)
		known[k++] = rs->paid_plans.v[i];
	for (size_t i = 0; i < rs->free_plans.n; i++)
		known[k++] = rs->free_plans.v[i];
	for (size_t i = 0; i < o->n_resources; i++)
		for (size_t j = 0; j < o->resources[i].n_plans; j++)
			known[k++] = o->resources[i].plan_names[j];
	sb_add(sql, " FROM b), c AS (SELECT n.*, CASE WHEN NOT n.deleted AND (n.plan IS NULL OR NOT "
		    "n.plan = ANY(");
	array_param(sql, prm, known, nknown);
	free(known);
	size_t known_param = prm->n;

	strbuf differs = STRBUF_INIT, mismatch = STRBUF_INIT;
	for (size_t i = 0; i < o->n_resources; i++) {
		sb_addf(&differs, "%sn.cur_%zu IS DISTINCT FROM n.new_%zu", i ? " OR " : "", i, i);
		sb_addf(&mismatch, "%sn.mis_%zu", i ? " OR " : "", i);
	}
	sb_addf(sql, ")) THEN 'skip' WHEN %s THEN CASE WHEN n.deleted THEN 'deleted' ELSE 'change' "
		     "END WHEN NOT n.deleted AND (%s) THEN 'skip' ELSE 'ok' END AS status,"
		     " CASE WHEN n.plan IS NULL OR NOT n.plan = ANY($%zu) THEN 'plan ' ||"
		     " coalesce(quote_literal(n.plan), 'NULL') || ' is neither paid nor free in profile ' || ",
		sb_str(&differs), sb_str(&mismatch), known_param);
	sb_param(sql, prm, p->name);
	sb_add(sql, "::text || '; give it rules in [resources]' ELSE concat_ws('; '");
	for (size_t i = 0; i < o->n_resources; i++) {
		sb_addf(sql, ", CASE WHEN n.cur_%zu IS DISTINCT FROM n.new_%zu THEN ", i, i);
		sb_param(sql, prm, o->resources[i].name);
		size_t name_param = prm->n;
		sb_addf(sql, "::text || ': ' || quote_nullable(n.cur_%zu::text) || ' -> ' || "
			     "quote_nullable(n.new_%zu::text) END",
			i, i);
		sb_addf(sql, ", CASE WHEN n.mis_%zu THEN $%zu::text || ' is ' || "
			     "quote_nullable(n.cur_%zu::text) || ', not the ' || n.plan || ' plan''s ' || "
			     "quote_nullable(n.pv_%zu::text) || ' (left as is: `orgs set-plan` or a "
			     "person changes it)' END",
			i, name_param, i, i);
	}
	sb_add(sql, ") END AS detail FROM n)");
	sb_free(&differs);
	sb_free(&mismatch);
}

static void resources_apply(const tc_profile *p, strbuf *sql, params *prm)
{
	(void)prm;
	const prof_orgs *o = &p->orgs;
	sb_add(sql, ", u AS (UPDATE ");
	table(sql, &o->table);
	sb_add(sql, " o SET ");
	for (size_t i = 0; i < o->n_resources; i++) {
		sb_add(sql, i ? ", " : "");
		col(sql, NULL, &o->resources[i].column);
		sb_addf(sql, " = c.new_%zu", i);
	}
	sb_add(sql, " FROM c WHERE ");
	col(sql, "o", &o->id);
	sb_add(sql, " = c.key AND c.status = 'change' RETURNING 1)");
}

/* --- owner-memberships: an org whose owner pointer names a live user who
 * has no live owner membership in it gets one, with the profile's first
 * owner role. Anything less clear-cut is skipped with the reason: the user
 * is gone or soft-deleted, already has another role there (promote by
 * hand), or someone else holds the owner membership (the pointer and the
 * membership disagree; a person decides which is right). */

static void owners_check(const tc_profile *p, strbuf *missing)
{
	const prof_members *m = &p->members[SCOPE_ORG];
	need(missing, profile_mapped(&p->orgs.table), "organizations", "table");
	need(missing, profile_mapped(&p->orgs.id), "organizations", "id");
	need(missing, profile_mapped(&p->orgs.owner), "organizations", "owner");
	need(missing, profile_mapped(&p->users.table), "users", "table");
	need(missing, profile_mapped(&p->users.id), "users", "id");
	need(missing, profile_mapped(&m->table), "members.org", "table");
	need(missing, profile_mapped(&m->user), "members.org", "user");
	need(missing, profile_mapped(&m->scope), "members.org", "scope");
	need(missing, profile_mapped(&m->role), "members.org", "role");
	need(missing, p->roles.owner.n > 0, "roles", "owner");
}

/* "AND m.deleted_at IS NULL" where memberships are soft-deleted. */
static void live_member(const prof_members *m, strbuf *sql)
{
	if (profile_mapped(&m->deleted_at)) {
		sb_add(sql, " AND ");
		col(sql, "m", &m->deleted_at);
		sb_add(sql, " IS NULL");
	}
}

/* "FROM M m [LEFT JOIN U u ON ...] WHERE m.scope = b.key AND m.user ..." */
static void member_of_org(const tc_profile *p, strbuf *sql, bool users, const char *user_cond)
{
	const prof_members *m = &p->members[SCOPE_ORG];
	sb_add(sql, " FROM ");
	table(sql, &m->table);
	sb_add(sql, " m");
	if (users) {
		sb_add(sql, " LEFT JOIN ");
		table(sql, &p->users.table);
		sb_add(sql, " u ON ");
		col(sql, "u", &p->users.id);
		sb_add(sql, " = ");
		col(sql, "m", &m->user);
	}
	sb_add(sql, " WHERE ");
	col(sql, "m", &m->scope);
	sb_add(sql, " = b.key");
	live_member(m, sql);
	sb_add(sql, " AND ");
	col(sql, "m", &m->user);
	sb_add(sql, user_cond);
}

static void owners_classify(const tc_profile *p, bool cursor, bool lock, strbuf *sql,
			    params *prm)
{
	const prof_members *m = &p->members[SCOPE_ORG];
	const prof_users *u = &p->users;
	sb_add(sql, "WITH b AS (");
	org_columns(p, sql);
	sb_add(sql, ", ");
	col(sql, "o", &p->orgs.owner);
	sb_add(sql, " AS owner_ptr");
	org_window(p, cursor, lock, sql);

	strbuf who = STRBUF_INIT; /* how a user is named in a reason */
	if (profile_mapped(&u->email))
		col(&who, "u", &u->email);
	else
		col(&who, "u", &u->id);
	sb_add(&who, "::text");

	/* f: the facts about each org's pointer user */
	sb_add(sql, "), f AS (SELECT b.*, ou.found, ou.live, ou.who, EXISTS (SELECT 1");
	member_of_org(p, sql, false, " = b.owner_ptr AND ");
	col(sql, "m", &m->role);
	sb_add(sql, "::text = ANY(");
	array_param(sql, prm, p->roles.owner.v, p->roles.owner.n);
	size_t owners = prm->n;
	sb_add(sql, ")) AS has_owner, (SELECT string_agg(DISTINCT coalesce(");
	col(sql, "m", &m->role);
	sb_add(sql, "::text, '(no role)'), ', ')");
	member_of_org(p, sql, false, " = b.owner_ptr");
	sb_addf(sql, ") AS roles, (SELECT string_agg(coalesce(%s, ", sb_str(&who));
	col(sql, "m", &m->user);
	sb_add(sql, "::text), ', ')");
	member_of_org(p, sql, true, " IS DISTINCT FROM b.owner_ptr AND ");
	col(sql, "m", &m->role);
	sb_addf(sql, "::text = ANY($%zu)", owners);
	sb_add(sql, ") AS other_owners FROM b LEFT JOIN LATERAL (SELECT true AS found, ");
	if (profile_mapped(&u->deleted_at)) {
		col(sql, "u", &u->deleted_at);
		sb_add(sql, " IS NULL");
	} else {
		sb_add(sql, "true");
	}
	sb_addf(sql, " AS live, %s AS who FROM ", sb_str(&who));
	table(sql, &u->table);
	sb_add(sql, " u WHERE ");
	col(sql, "u", &u->id);
	sb_add(sql, " = b.owner_ptr) ou ON true), c AS (SELECT f.*, CASE"
		    " WHEN f.owner_ptr IS NULL OR f.has_owner THEN 'ok'"
		    " WHEN f.deleted THEN 'deleted'"
		    " WHEN f.found IS NULL OR NOT f.live OR f.roles IS NOT NULL"
		    " OR f.other_owners IS NOT NULL THEN 'skip'"
		    " ELSE 'change' END AS status, CASE"
		    " WHEN f.found IS NULL THEN 'the owner pointer names user ' || f.owner_ptr::text"
		    " || ', who does not exist'"
		    " WHEN NOT f.live THEN 'the owner pointer names ' || f.who || ', a soft-deleted"
		    " user; choose a new owner by hand'"
		    " WHEN f.roles IS NOT NULL THEN f.who || ' has a membership with role ' || f.roles"
		    " || '; promote by hand'"
		    " WHEN f.other_owners IS NOT NULL THEN 'the owner pointer names ' || f.who ||"
		    " ' but the owner membership is held by ' || f.other_owners || '; settle which"
		    " is right by hand'"
		    " ELSE 'add ' || f.who || ' as ' || ");
	sb_param(sql, prm, p->roles.owner.v[0]);
	sb_add(sql, "::text END AS detail FROM f)");
	sb_free(&who);
}

static void owners_apply(const tc_profile *p, strbuf *sql, params *prm)
{
	const prof_members *m = &p->members[SCOPE_ORG];
	sb_add(sql, ", u AS (INSERT INTO ");
	table(sql, &m->table);
	sb_add(sql, " (");
	col(sql, NULL, &m->user);
	sb_add(sql, ", ");
	col(sql, NULL, &m->scope);
	sb_add(sql, ", ");
	col(sql, NULL, &m->role);
	/* untyped: the role takes the column's type (an enum in some shapes) */
	sb_add(sql, ") SELECT c.owner_ptr, c.key, ");
	sb_param(sql, prm, p->roles.owner.v[0]);
	sb_add(sql, " FROM c WHERE c.status = 'change' RETURNING 1)");
}

static const backfill_def backfills[] = {
	{"resources", "brings each organization's per-org resources in line with its plan",
	 resources_check, resources_classify, resources_apply},
	{"owner-memberships",
	 "creates the missing owner membership of each organization from its owner pointer",
	 owners_check, owners_classify, owners_apply},
};
#define N_BACKFILLS (sizeof backfills / sizeof backfills[0])

static const backfill_def *find_backfill(const char *name)
{
	for (size_t i = 0; i < N_BACKFILLS; i++)
		if (strcmp(backfills[i].name, name) == 0)
			return &backfills[i];
	return NULL;
}

/* ------------------------------------------------------------------ statements */

typedef enum bf_mode {
	BF_PREVIEW, /* counts per status and the first rows of each: one scan */
	BF_APPLY,   /* the write, and every org of the window with its status */
	BF_IDS,     /* the window's ids, locked (for the org-by-org retry) */
} bf_mode;

/* A statement and its parameters; $1 (cursor) and $2 (window size) are set
 * per run with stmt_window. */
typedef struct stmt {
	strbuf sql;
	params prm;
} stmt;

static void stmt_build(stmt *st, const backfill_def *d, const tc_profile *p, bool cursor,
		       bf_mode mode)
{
	memset(st, 0, sizeof *st);
	param_add(&st->prm, NULL);
	param_add(&st->prm, NULL);
	if (mode == BF_IDS) {
		sb_add(&st->sql, "SELECT ");
		col(&st->sql, "o", &p->orgs.id);
		sb_add(&st->sql, "::text");
		org_window(p, cursor, true, &st->sql);
		return;
	}
	d->classify(p, cursor, mode == BF_APPLY, &st->sql, &st->prm);
	if (mode == BF_APPLY) {
		d->apply(p, &st->sql, &st->prm);
		sb_add(&st->sql, " SELECT c.id, c.slug, c.status, c.detail FROM c ORDER BY c.key");
		return;
	}
	/* Every row that needs a person or a change up to a bound per status,
	 * one row of each other status, each with its status's count; and the
	 * window's last id. */
	sb_addf(&st->sql,
		" SELECT x.id, x.slug, x.status, x.detail, x.n::text,"
		" (SELECT l.id FROM c l ORDER BY l.key DESC LIMIT 1) FROM (SELECT c.key, c.id,"
		" c.slug, c.status, c.detail, row_number() OVER (PARTITION BY c.status ORDER BY"
		" c.key) AS rn, count(*) OVER (PARTITION BY c.status) AS n FROM c) x"
		" WHERE x.rn = 1 OR (x.rn <= %d AND x.status IN ('change', 'skip'))"
		" ORDER BY x.key",
		SHOWN_PER_KIND);
}

static void stmt_window(stmt *st, const char *cursor, long long n)
{
	free(st->prm.v[0]);
	free(st->prm.v[1]);
	st->prm.v[0] = cursor ? xstrdup(cursor) : NULL;
	st->prm.v[1] = n > 0 ? xasprintf("%lld", n) : NULL;
}

static tc_status stmt_query(tc_conn *c, const stmt *st, db_rows *rows, tc_error *err)
{
	return db_query(c, sb_str(&st->sql), (int)st->prm.n, (const char *const *)st->prm.v, rows,
			err);
}

static void stmt_free(stmt *st)
{
	sb_free(&st->sql);
	params_free(&st->prm);
}

/* ------------------------------------------------------------------ the state */

typedef struct bf_state {
	bool table; /* the state table exists */
	bool row;   /* this backfill has run here */
	bool done;
	char *cursor, *started_at, *updated_at; /* owned */
} bf_state;

static void state_free(bf_state *st)
{
	free(st->cursor);
	free(st->started_at);
	free(st->updated_at);
	memset(st, 0, sizeof *st);
}

static tc_status state_read(tc_conn *c, const char *name, bf_state *st, tc_error *err)
{
	memset(st, 0, sizeof *st);
	static const char exists[] =
		"SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
		" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p'))";
	const char *ep[] = {STATE_SCHEMA, STATE_TABLE};
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, exists, 2, ep, &rows, err);
	if (rc != TC_OK)
		return rc;
	st->table = db_get(&rows, 0, 0) && strcmp(db_get(&rows, 0, 0), "t") == 0;
	db_rows_free(&rows);
	if (!st->table)
		return TC_OK;
	static const char sql[] = "SELECT \"cursor\", done, started_at::text, updated_at::text"
				  " FROM " STATE_QUALIFIED " WHERE name = $1";
	const char *p[] = {name};
	rc = db_query(c, sql, 1, p, &rows, err);
	if (rc != TC_OK) {
		tc_error_prefix(err, "cannot read the backfill state (%s): ", STATE_QUALIFIED);
		return rc;
	}
	if (rows.nrows) {
		st->row = true;
		st->cursor = db_get(&rows, 0, 0) ? xstrdup(db_get(&rows, 0, 0)) : NULL;
		st->done = db_get(&rows, 0, 1) && strcmp(db_get(&rows, 0, 1), "t") == 0;
		st->started_at = xstrdup(db_get(&rows, 0, 2) ? db_get(&rows, 0, 2) : "");
		st->updated_at = xstrdup(db_get(&rows, 0, 3) ? db_get(&rows, 0, 3) : "");
	}
	db_rows_free(&rows);
	return TC_OK;
}

/* Inside the caller's transaction. The advisory lock makes two first runs
 * of different backfills agree on who creates the table. */
static tc_status state_create(tc_conn *c, tc_error *err)
{
	tc_status rc = db_exec(c, "SELECT pg_advisory_xact_lock(hashtext('" STATE_QUALIFIED "'))",
			       0, NULL, NULL, err);
	if (rc == TC_OK)
		rc = db_exec(c,
			     "CREATE TABLE IF NOT EXISTS " STATE_QUALIFIED " ("
			     "name text PRIMARY KEY, \"cursor\" text,"
			     " started_at timestamptz NOT NULL DEFAULT now(),"
			     " updated_at timestamptz NOT NULL DEFAULT now(),"
			     " done boolean NOT NULL DEFAULT false)",
			     0, NULL, NULL, err);
	if (rc != TC_OK)
		tc_error_prefix(err, "cannot create the backfill state table %s: ", STATE_QUALIFIED);
	return rc;
}

/* Record where the run is, in the batch's transaction. fresh: this batch
 * starts a new run (started_at is reset). */
static tc_status state_save(tc_conn *c, const char *name, const char *cursor, bool done,
			    bool fresh, tc_error *err)
{
	static const char sql[] =
		"INSERT INTO " STATE_QUALIFIED " AS s (name, \"cursor\", started_at, updated_at, done)"
		" VALUES ($1, $2, now(), now(), $3::boolean)"
		" ON CONFLICT (name) DO UPDATE SET \"cursor\" = EXCLUDED.\"cursor\","
		" updated_at = now(), done = EXCLUDED.done,"
		" started_at = CASE WHEN $4::boolean THEN now() ELSE s.started_at END";
	const char *p[] = {name, cursor, done ? "true" : "false", fresh ? "true" : "false"};
	tc_status rc = db_exec(c, sql, 4, p, NULL, err);
	if (rc != TC_OK)
		tc_error_prefix(err, "cannot save the backfill state (%s): ", STATE_QUALIFIED);
	return rc;
}

/* ------------------------------------------------------------------ the run */

typedef struct tally {
	long long orgs, changed, skipped, failed, deleted, batches;
	size_t shown_changed, shown_skipped, shown_failed;
} tally;

static void result_columns(tc_result *out)
{
	res_init(out, RES_TABLE);
	res_add_col(out, "org", RES_T_TEXT);
	res_add_col(out, "outcome", RES_T_TEXT);
	res_add_col(out, "detail", RES_T_TEXT);
	res_add_detail_col(out, "id", RES_T_TEXT);
}

/* One org's outcome: counted always, listed while there is room. */
static void note(tc_result *out, size_t *shown, const char *slug, const char *id,
		 const char *outcome, const char *detail)
{
	if (*shown >= SHOWN_PER_KIND)
		return;
	(*shown)++;
	size_t r = res_add_row(out);
	res_set(out, r, 0, slug);
	res_set(out, r, 1, outcome);
	res_set(out, r, 2, detail);
	res_set(out, r, 3, id);
}

static bool shown_all(const tally *t)
{
	return t->shown_changed >= (size_t)t->changed && t->shown_skipped >= (size_t)t->skipped &&
	       t->shown_failed >= (size_t)t->failed;
}

/* The preview: counts per status over the window, the first rows of each. */
static tc_status preview(tc_conn *c, const backfill_def *d, const tc_profile *p,
			 const char *cursor, long long limit, bool dry, tc_result *out, tally *t,
			 char **last, tc_error *err)
{
	*last = NULL;
	stmt st;
	stmt_build(&st, d, p, cursor != NULL, BF_PREVIEW);
	stmt_window(&st, cursor, limit);
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = stmt_query(c, &st, &rows, err);
	stmt_free(&st);
	if (rc != TC_OK) {
		tc_error_prefix(err, "backfill %s: cannot look at the organizations: ", d->name);
		return rc;
	}
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *id = db_get(&rows, i, 0), *slug = db_get(&rows, i, 1);
		const char *status = db_get(&rows, i, 2), *detail = db_get(&rows, i, 3);
		long long n = strtoll(db_get(&rows, i, 4), NULL, 10);
		if (!*last && db_get(&rows, i, 5))
			*last = xstrdup(db_get(&rows, i, 5));
		bool first = true;
		for (size_t j = 0; j < i; j++)
			if (strcmp(db_get(&rows, j, 2), status) == 0)
				first = false;
		if (first)
			t->orgs += n;
		if (strcmp(status, "change") == 0) {
			if (first)
				t->changed = n;
			note(out, &t->shown_changed, slug, id, dry ? "would change" : "will change",
			     detail);
		} else if (strcmp(status, "skip") == 0) {
			if (first)
				t->skipped = n;
			note(out, &t->shown_skipped, slug, id, "skipped", detail);
		} else if (strcmp(status, "deleted") == 0 && first) {
			t->deleted = n;
		}
	}
	db_rows_free(&rows);
	return TC_OK;
}

static bool retry_by_org(const tc_error *err)
{
	/* Data the statement could not write (a constraint, a value, a trigger
	 * saying no) belongs to some org: find which. Anything else (a lost
	 * connection, a timeout, a lock) stops the run. */
	static const char *const classes[] = {"22", "23", "27", "09", "44", "P0"};
	if (!err->sqlstate)
		return false;
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (strncmp(err->sqlstate, classes[i], 2) == 0)
			return true;
	return false;
}

/* One org, for a row of results: id, slug, status, detail. */
typedef struct org_row {
	char *id, *slug, *status, *detail;
} org_row;

typedef struct org_batch {
	org_row *v;
	size_t n, cap;
} org_batch;

static void batch_add(org_batch *b, const char *id, const char *slug, const char *status,
		      const char *detail)
{
	b->v = xgrow(b->v, &b->cap, b->n + 1, sizeof *b->v);
	org_row *r = &b->v[b->n++];
	r->id = xstrdup(id ? id : "");
	r->slug = xstrdup(slug ? slug : "");
	r->status = xstrdup(status);
	r->detail = detail ? xstrdup(detail) : NULL;
}

static void batch_clear(org_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].id);
		free(b->v[i].slug);
		free(b->v[i].status);
		free(b->v[i].detail);
	}
	b->n = 0;
}

static void batch_take(org_batch *b, const db_rows *rows)
{
	for (size_t i = 0; i < rows->nrows; i++)
		batch_add(b, db_get(rows, i, 0), db_get(rows, i, 1), db_get(rows, i, 2),
			  db_get(rows, i, 3));
}

/* The first line of an error message, for a per-org reason. */
static char *reason_of(const tc_error *e)
{
	const char *m = e->message ? e->message : "failed";
	return xstrndup(m, strcspn(m, "\n"));
}

/* The batch org by org, each under a savepoint, inside the open
 * transaction: the orgs whose change fails are recorded as failed with the
 * server's reason, the others are applied. */
static tc_status batch_by_org(tc_conn *c, const backfill_def *d, const tc_profile *p,
			      const char *cursor, long long n, org_batch *b, tc_error *err)
{
	stmt ids, first, next;
	stmt_build(&ids, d, p, cursor != NULL, BF_IDS);
	stmt_window(&ids, cursor, n);
	stmt_build(&first, d, p, false, BF_APPLY);
	stmt_build(&next, d, p, true, BF_APPLY);
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = stmt_query(c, &ids, &rows, err);
	const char *prev = cursor;
	for (size_t i = 0; rc == TC_OK && i < rows.nrows; i++) {
		const char *id = db_get(&rows, i, 0);
		rc = db_exec(c, "SAVEPOINT tenantctl_backfill_org", 0, NULL, NULL, err);
		if (rc != TC_OK)
			break;
		stmt *one = prev ? &next : &first;
		stmt_window(one, prev, 1);
		db_rows r1 = DB_ROWS_INIT;
		tc_error e1 = TC_ERROR_INIT;
		tc_status r = stmt_query(c, one, &r1, &e1);
		if (r == TC_OK) {
			batch_take(b, &r1);
			rc = db_exec(c, "RELEASE SAVEPOINT tenantctl_backfill_org", 0, NULL, NULL, err);
		} else if (retry_by_org(&e1)) {
			char *why = reason_of(&e1);
			batch_add(b, id, NULL, "failed", why);
			free(why);
			rc = db_exec(c, "ROLLBACK TO SAVEPOINT tenantctl_backfill_org", 0, NULL, NULL,
				     err);
		} else {
			tc_error_clear(err);
			*err = e1;
			e1 = (tc_error)TC_ERROR_INIT;
			rc = r;
		}
		db_rows_free(&r1);
		tc_error_clear(&e1);
		prev = id;
	}
	/* Failed orgs have no slug yet: the ids query has only ids. */
	if (rc == TC_OK) {
		for (size_t i = 0; i < b->n; i++) {
			if (strcmp(b->v[i].status, "failed") != 0)
				continue;
			strbuf q = STRBUF_INIT;
			sb_add(&q, "SELECT ");
			if (profile_mapped(&p->orgs.slug))
				col(&q, "o", &p->orgs.slug);
			else
				col(&q, "o", &p->orgs.id);
			sb_add(&q, "::text FROM ");
			table(&q, &p->orgs.table);
			sb_add(&q, " o WHERE ");
			col(&q, "o", &p->orgs.id);
			sb_add(&q, " = $1");
			const char *qp[] = {b->v[i].id};
			db_rows s1 = DB_ROWS_INIT;
			if (db_query(c, sb_str(&q), 1, qp, &s1, NULL) == TC_OK && db_get(&s1, 0, 0)) {
				free(b->v[i].slug);
				b->v[i].slug = xstrdup(db_get(&s1, 0, 0));
			}
			db_rows_free(&s1);
			sb_free(&q);
		}
	}
	db_rows_free(&rows);
	stmt_free(&ids);
	stmt_free(&first);
	stmt_free(&next);
	return rc;
}

typedef struct run {
	tc_session *s;
	tc_conn *c;
	const backfill_def *d;
	const tc_profile *p;
	const char *command;
	long long limit, batch;
	bool have_log, table_exists;
	tally t;
	tc_result *out;
} run;

/* The audit row's target: the batch's id range, and the orgs it changed
 * when they are few (so `tenantctl log --org SLUG` finds them). */
static char *batch_target(const run *x, const org_batch *b, long long changed)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "backfill %s batch %lld", x->d->name, x->t.batches);
	if (b->n)
		sb_addf(&sb, " (org ids %s .. %s)", b->v[0].id, b->v[b->n - 1].id);
	if (changed > 0 && changed <= TARGET_NAMES_MAX) {
		sb_add(&sb, "; changed:");
		bool first = true;
		for (size_t i = 0; i < b->n; i++)
			if (strcmp(b->v[i].status, "change") == 0) {
				sb_addf(&sb, "%s org %s", first ? "" : ",", b->v[i].slug);
				first = false;
			}
	}
	return sb_steal(&sb);
}

static tc_status orgs_after(run *x, const char *id, bool *more, tc_error *err);

/* One batch: its own transaction with the write, the cursor and the audit
 * row. *cursor advances; *more says whether orgs remain. */
static tc_status one_batch(run *x, char **cursor, bool fresh, bool *more, tc_error *err)
{
	long long n = x->batch;
	if (x->limit > 0 && x->limit - x->t.orgs < n)
		n = x->limit - x->t.orgs;
	tc_status rc = db_exec(x->c, "BEGIN", 0, NULL, NULL, err);
	if (rc == TC_OK && !x->table_exists)
		rc = state_create(x->c, err);
	if (rc != TC_OK)
		return rc;

	org_batch b = {NULL, 0, 0};
	stmt st;
	stmt_build(&st, x->d, x->p, *cursor != NULL, BF_APPLY);
	stmt_window(&st, *cursor, n);
	db_rows rows = DB_ROWS_INIT;
	rc = stmt_query(x->c, &st, &rows, err);
	stmt_free(&st);
	if (rc == TC_OK) {
		batch_take(&b, &rows);
		db_rows_free(&rows);
	} else if (retry_by_org(err)) {
		/* Someone in the batch cannot be changed: again, org by org. */
		rollback(x->c);
		tc_error_clear(err);
		rc = db_exec(x->c, "BEGIN", 0, NULL, NULL, err);
		if (rc == TC_OK && !x->table_exists)
			rc = state_create(x->c, err);
		if (rc == TC_OK)
			rc = batch_by_org(x->c, x->d, x->p, *cursor, n, &b, err);
	}

	long long changed = 0, failed = 0;
	for (size_t i = 0; rc == TC_OK && i < b.n; i++) {
		org_row *r = &b.v[i];
		x->t.orgs++;
		if (strcmp(r->status, "change") == 0) {
			changed++;
			x->t.changed++;
			note(x->out, &x->t.shown_changed, r->slug, r->id, "changed", r->detail);
		} else if (strcmp(r->status, "skip") == 0) {
			x->t.skipped++;
			note(x->out, &x->t.shown_skipped, r->slug, r->id, "skipped", r->detail);
		} else if (strcmp(r->status, "failed") == 0) {
			failed++;
			x->t.failed++;
			note(x->out, &x->t.shown_failed, r->slug, r->id, "failed", r->detail);
		} else if (strcmp(r->status, "deleted") == 0) {
			x->t.deleted++;
		}
	}
	x->t.batches++;

	char *last = b.n ? xstrdup(b.v[b.n - 1].id) : (*cursor ? xstrdup(*cursor) : NULL);
	*more = false;
	if (rc == TC_OK && b.n && (long long)b.n == n) {
		/* A full window: is there anyone after it? */
		rc = orgs_after(x, last, more, err);
	}
	if (rc == TC_OK)
		rc = state_save(x->c, x->d->name, last, !*more, fresh, err);
	if (rc == TC_OK && x->have_log) {
		char *target = batch_target(x, &b, changed);
		char *outcome = failed ? xasprintf("applied (%lld failed)", failed) : xstrdup("applied");
		oplog_entry e = {x->command, target, changed, outcome};
		rc = oplog_append(x->c, &e, err);
		free(outcome);
		free(target);
	}
	if (rc == TC_OK)
		rc = db_exec(x->c, "COMMIT", 0, NULL, NULL, err);
	if (rc != TC_OK) {
		rollback(x->c);
		/* nothing of this batch counts */
		x->t.orgs -= (long long)b.n;
		x->t.batches--;
		free(last);
	} else {
		x->table_exists = true;
		free(*cursor);
		*cursor = last;
		progress(x->s, "batch %lld: %lld %s, %lld changed, %lld skipped, %lld failed",
			 x->t.batches, x->t.orgs, plural(x->t.orgs, "org", "orgs"), x->t.changed,
			 x->t.skipped, x->t.failed);
	}
	batch_clear(&b);
	free(b.v);
	return rc;
}

static void counts_line(strbuf *sb, const tally *t, const char *changed_word)
{
	sb_addf(sb, "%lld %s, %lld skipped, %lld failed", t->changed, changed_word, t->skipped,
		t->failed);
	if (t->deleted)
		sb_addf(sb, ", %lld soft-deleted %s left alone", t->deleted,
			plural(t->deleted, "org", "orgs"));
	if (!shown_all(t))
		sb_addf(sb, " (the first %d of each are listed)", SHOWN_PER_KIND);
}

/* Whether there are orgs after id. */
static tc_status orgs_after(run *x, const char *id, bool *more, tc_error *err)
{
	strbuf q = STRBUF_INIT;
	sb_add(&q, "SELECT EXISTS (SELECT 1 FROM ");
	table(&q, &x->p->orgs.table);
	sb_add(&q, " o WHERE ");
	col(&q, "o", &x->p->orgs.id);
	sb_add(&q, " > $1)");
	const char *qp[] = {id};
	db_rows e = DB_ROWS_INIT;
	tc_status rc = db_query(x->c, sb_str(&q), 1, qp, &e, err);
	*more = rc == TC_OK && db_get(&e, 0, 0) && strcmp(db_get(&e, 0, 0), "t") == 0;
	db_rows_free(&e);
	sb_free(&q);
	return rc;
}

/* Progress over a window where nothing needed changing: the cursor (and
 * whether the run is done) in one transaction with its audit row. */
static tc_status record_window(run *x, const char *cursor, bool done, bool fresh, long long orgs,
			       tc_error *err)
{
	tc_status rc = db_exec(x->c, "BEGIN", 0, NULL, NULL, err);
	if (rc == TC_OK && !x->table_exists)
		rc = state_create(x->c, err);
	if (rc == TC_OK)
		rc = state_save(x->c, x->d->name, cursor, done, fresh, err);
	if (rc == TC_OK && x->have_log) {
		char *target = xasprintf("backfill %s: %lld %s up to org id %s, nothing to change%s",
					 x->d->name, orgs, plural(orgs, "org", "orgs"),
					 cursor ? cursor : "(none)", done ? "; run done" : "");
		oplog_entry e = {x->command, target, 0, "applied"};
		rc = oplog_append(x->c, &e, err);
		free(target);
	}
	if (rc == TC_OK)
		rc = db_exec(x->c, "COMMIT", 0, NULL, NULL, err);
	if (rc != TC_OK)
		rollback(x->c);
	else
		x->table_exists = true;
	return rc;
}

static tc_status lock_name(tc_conn *c, const char *fn, const char *name, bool *got,
			   tc_error *err)
{
	char *sql = xasprintf("SELECT %s(hashtext('tenantctl backfill'), hashtext($1))", fn);
	const char *p[] = {name};
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sql, 1, p, &rows, err);
	free(sql);
	if (got)
		*got = rc == TC_OK && db_get(&rows, 0, 0) && strcmp(db_get(&rows, 0, 0), "t") == 0;
	db_rows_free(&rows);
	return rc;
}

static tc_status run_batches(run *x, const bf_state *state, bool resume, tc_error *err)
{
	char *cursor = resume && state->cursor ? xstrdup(state->cursor) : NULL;
	bool fresh = !resume;
	tc_result *out = x->out;
	tally *t = &x->t;

	/* What will change, before anything does. */
	char *last = NULL;
	tc_status rc = preview(x->c, x->d, x->p, cursor, x->limit, false, out, t, &last, err);
	if (rc != TC_OK) {
		free(cursor);
		return rc;
	}
	if (t->changed == 0) {
		/* Nothing to write but progress: a --limit window that stops short
		 * of the end keeps its cursor (so --resume goes on after it), and an
		 * interrupted run with nothing left is finished. */
		bool reached_end = x->limit == 0 || t->orgs < x->limit;
		bool more = false;
		if (!reached_end && last)
			rc = orgs_after(x, last, &more, err);
		bool record = rc == TC_OK && ((more && last) || (state->row && !state->done));
		if (record)
			rc = oplog_available(x->c, &x->have_log, err);
		if (record && rc == TC_OK)
			rc = record_window(x, more ? last : (last ? last : state->cursor), !more,
					   fresh, t->orgs, err);
		if (rc == TC_OK) {
			strbuf sb = STRBUF_INIT;
			sb_addf(&sb, "backfill %s: nothing to change in %lld %s", x->d->name, t->orgs,
				plural(t->orgs, "organization", "organizations"));
			if (t->skipped || t->deleted) {
				sb_add(&sb, " (");
				counts_line(&sb, t, "to change");
				sb_add(&sb, ")");
			}
			if (record && more)
				sb_addf(&sb, "; stopped at --limit %lld: continue with `tenantctl "
					     "backfill %s --resume` (cursor: org id %s)",
					x->limit, x->d->name, last);
			else if (record)
				sb_add(&sb, "; the interrupted run is marked done");
			else
				sb_add(&sb, "; nothing was written");
			res_set_summary(out, "%s", sb_str(&sb));
			sb_free(&sb);
		}
		free(last);
		free(cursor);
		return rc;
	}
	free(last);

	strbuf pv = STRBUF_INIT;
	sb_addf(&pv, "backfill %s %s.\n", x->d->name, x->d->does);
	sb_addf(&pv, "Of %lld %s%s: ", t->orgs, plural(t->orgs, "organization", "organizations"),
		x->limit ? " (--limit)" : "");
	counts_line(&pv, t, "will change");
	sb_add(&pv, ":\n");
	for (size_t i = 0, shown = 0; i < out->nrows && shown < 20; i++) {
		sb_addf(&pv, "  %s: %s: %s\n", res_get(out, i, 0), res_get(out, i, 1),
			res_get(out, i, 2) ? res_get(out, i, 2) : "");
		shown++;
	}
	if (out->nrows > 20)
		sb_addf(&pv, "  ... and %zu more listed at the end\n", out->nrows - 20);
	sb_addf(&pv,
		"In batches of %lld %s, each its own transaction with its audit row; an "
		"interrupted run continues with --resume.\n",
		x->batch, plural(x->batch, "organization", "organizations"));
	bool yes = session_confirm(x->s, sb_str(&pv));
	sb_free(&pv);
	if (!yes) {
		free(cursor);
		rc = tc_fail(err, TC_ERR_REFUSED, "backfill %s not run: declined; nothing was changed",
			     x->d->name);
		tc_hint(err, "answer y to run it, or pass --yes in scripts");
		return rc;
	}

	/* The preview's rows were for the question; the result lists what
	 * happened. */
	res_free(out);
	result_columns(out);
	memset(t, 0, sizeof *t);
	rc = oplog_available(x->c, &x->have_log, err);
	bool more = true;
	while (rc == TC_OK && more && (x->limit == 0 || t->orgs < x->limit)) {
		rc = one_batch(x, &cursor, fresh, &more, err);
		fresh = false;
	}
	if (rc != TC_OK) {
		tc_error_prefix(err, "backfill %s stopped in batch %lld (%lld orgs done before it, "
				     "committed): ",
				x->d->name, t->batches + 1, t->orgs);
		tc_hint(err, "fix the cause, then continue with `tenantctl backfill %s --resume`",
			x->d->name);
		free(cursor);
		return rc;
	}
	strbuf sb = STRBUF_INIT;
	if (more)
		sb_addf(&sb, "backfill %s: stopped after %lld %s (--limit %lld) in %lld %s: ",
			x->d->name, t->orgs, plural(t->orgs, "organization", "organizations"),
			x->limit, t->batches, plural(t->batches, "batch", "batches"));
	else
		sb_addf(&sb, "backfill %s: done: %lld %s in %lld %s: ", x->d->name, t->orgs,
			plural(t->orgs, "organization", "organizations"), t->batches,
			plural(t->batches, "batch", "batches"));
	counts_line(&sb, t, "changed");
	if (more)
		sb_addf(&sb, "; continue with `tenantctl backfill %s --resume` (cursor: org id %s)",
			x->d->name, cursor ? cursor : "");
	if (t->failed)
		sb_add(&sb, "; the failed orgs were left as they were: fix the cause and run the "
			    "backfill again (it is idempotent)");
	if (!x->have_log)
		sb_add(&sb, "; this deployment has no operator audit log table");
	res_set_summary(out, "%s", sb_str(&sb));
	sb_free(&sb);
	free(cursor);
	return t->failed ? TC_FINDINGS : TC_OK;
}

tc_status backfill_run(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	const char *name = call->args[0];
	const backfill_def *d = find_backfill(name);
	if (!d) {
		strbuf names = STRBUF_INIT;
		for (size_t i = 0; i < N_BACKFILLS; i++)
			sb_addf(&names, "%s%s", i ? ", " : "", backfills[i].name);
		tc_fail(err, TC_ERR_USAGE, "unknown backfill '%s'", name);
		tc_hint(err, "the backfills are: %s", sb_str(&names));
		sb_free(&names);
		return TC_ERR_USAGE;
	}
	bool dry = cmd_opt_value(call, "dry-run") != NULL;
	bool resume = cmd_opt_value(call, "resume") != NULL;
	long long limit, batch;
	tc_status rc = count_opt(call, "limit", 1000000000000LL, 0, &limit, err);
	if (rc == TC_OK)
		rc = count_opt(call, "batch", MAX_BATCH, DEFAULT_BATCH, &batch, err);
	if (rc != TC_OK)
		return rc;

	const tc_profile *p;
	rc = profile_for_session(s, &p, err);
	if (rc != TC_OK)
		return rc;
	strbuf missing = STRBUF_INIT;
	d->check(p, &missing);
	if (missing.len) {
		tc_fail(err, TC_ERR_USAGE,
			"backfill %s does not apply to this deployment: profile %s does not map %s",
			d->name, p->name, sb_str(&missing));
		tc_hint(err, "map them in %s, or choose the profile that matches the deployment "
			     "(--profile NAME or FILE)",
			p->path ? p->path : p->name);
		sb_free(&missing);
		return TC_ERR_USAGE;
	}
	sb_free(&missing);

	tc_conn *c;
	rc = session_conn(s, &c, err);
	if (rc != TC_OK)
		return rc;
	/* One run of a backfill at a time (its cursor is one row). */
	bool locked = false;
	if (!dry) {
		rc = lock_name(c, "pg_try_advisory_lock", d->name, &locked, err);
		if (rc != TC_OK)
			return rc;
		if (!locked) {
			tc_fail(err, TC_ERR_REFUSED, "backfill %s is already running against %s",
				d->name, conn_describe(c));
			tc_hint(err, "wait for it to finish (or stop it), then run again with --resume");
			return TC_ERR_REFUSED;
		}
	}

	bf_state state;
	rc = state_read(c, d->name, &state, err);
	if (rc == TC_OK && resume && (!state.row || state.done)) {
		if (!state.row)
			tc_fail(err, TC_ERR_USAGE, "nothing to resume: backfill %s has not run here",
				d->name);
		else
			tc_fail(err, TC_ERR_USAGE,
				"nothing to resume: the last run of backfill %s finished (%s)", d->name,
				state.updated_at);
		tc_hint(err, "run it without --resume to start from the beginning");
		rc = TC_ERR_USAGE;
	}
	if (rc == TC_OK && resume)
		progress(s, "backfill %s: resuming the run started %s after org id %s", d->name,
			 state.started_at, state.cursor ? state.cursor : "(none: from the start)");
	else if (rc == TC_OK && state.row && !state.done)
		progress(s,
			 "backfill %s: warning: a previous run was interrupted after org id %s "
			 "(last batch %s); %s from the beginning (pass --resume to continue from "
			 "there)",
			 d->name, state.cursor ? state.cursor : "(none)", state.updated_at,
			 dry ? "looking" : "starting over");

	char *command = migcmd_command_line(call);
	result_columns(out);
	if (rc == TC_OK && dry) {
		tally t = {0};
		const char *cursor = resume ? state.cursor : NULL;
		char *last = NULL;
		rc = preview(c, d, p, cursor, limit, true, out, &t, &last, err);
		free(last);
		if (rc == TC_OK) {
			strbuf sb = STRBUF_INIT;
			sb_addf(&sb, "dry run: backfill %s: %lld %s looked at", d->name, t.orgs,
				plural(t.orgs, "organization", "organizations"));
			if (resume)
				sb_addf(&sb, " after org id %s", cursor ? cursor : "(start)");
			sb_add(&sb, ": ");
			counts_line(&sb, &t, "would change");
			res_set_summary(out, "%s; nothing was changed", sb_str(&sb));
			sb_free(&sb);
		}
	} else if (rc == TC_OK) {
		run x = {s, c, d, p, command, limit, batch, false, state.table, {0}, out};
		rc = run_batches(&x, &state, resume, err);
	}
	if (locked)
		lock_name(c, "pg_advisory_unlock", d->name, NULL, NULL);
	free(command);
	state_free(&state);
	return rc;
}

/* ------------------------------------------------------------------ log */

/* Whether TIME reads as an interval ("2 hours", "3 days 4h", "90min"):
 * numbers each followed by a unit word, optionally ending in "ago" (which
 * means the same here; *keep is how much of v to give the server, without
 * the "ago", which PostgreSQL would read as a negative interval). Any other
 * text is given to the server as a timestamptz. */
static bool looks_like_interval(const char *v, size_t *keep)
{
	*keep = strlen(v);
	static const char *const units[] = {
		"microsecond", "microseconds", "us", "millisecond", "milliseconds", "ms",
		"second", "seconds", "sec", "secs", "s", "minute", "minutes", "min", "mins", "m",
		"hour", "hours", "hr", "hrs", "h", "day", "days", "d", "week", "weeks", "w",
		"month", "months", "mon", "mons", "year", "years", "yr", "yrs", "y"};
	const char *c = v;
	int pairs = 0;
	for (;;) {
		while (*c == ' ' || *c == '\t')
			c++;
		if (!*c)
			break;
		if (pairs && strncasecmp(c, "ago", 3) == 0) {
			*keep = (size_t)(c - v);
			c += 3;
			while (*c == ' ' || *c == '\t')
				c++;
			return *c == '\0';
		}
		if (*c == '+' || *c == '-')
			c++;
		if (!isdigit((unsigned char)*c) && *c != '.')
			return false;
		while (isdigit((unsigned char)*c) || *c == '.')
			c++;
		while (*c == ' ' || *c == '\t')
			c++;
		size_t n = 0;
		while (isalpha((unsigned char)c[n]))
			n++;
		bool known = false;
		for (size_t i = 0; i < sizeof units / sizeof units[0] && !known; i++)
			known = strlen(units[i]) == n && strncasecmp(c, units[i], n) == 0;
		if (!known)
			return false;
		c += n;
		pairs++;
	}
	return pairs > 0;
}

#define LOG_DEFAULT_LIMIT 50
#define LOG_MAX_LIMIT 10000

tc_status oplog_list(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	const char *since = cmd_opt_value(call, "since");
	const char *org = cmd_opt_value(call, "org");
	const char *after = cmd_opt_value(call, "after");
	long long limit;
	tc_status rc = count_opt(call, "limit", LOG_MAX_LIMIT, LOG_DEFAULT_LIMIT, &limit, err);
	if (rc != TC_OK)
		return rc;
	if (after) {
		bool digits = *after != '\0' && strlen(after) <= 18;
		for (const char *c = after; *c && digits; c++)
			digits = isdigit((unsigned char)*c);
		if (!digits)
			return tc_fail(err, TC_ERR_USAGE,
				       "--after takes an entry id (a whole number from the id column), "
				       "not '%s'",
				       after);
	}
	if (since && !*since)
		return tc_fail(err, TC_ERR_USAGE, "--since needs a time or an interval");
	if (org && !*org)
		return tc_fail(err, TC_ERR_USAGE, "--org needs an organization slug");

	tc_conn *c;
	rc = session_conn(s, &c, err);
	if (rc != TC_OK)
		return rc;
	bool have = false;
	rc = oplog_available(c, &have, err);
	if (rc != TC_OK)
		return rc;
	if (!have) {
		tc_fail(err, TC_ERR_DB,
			"this deployment has no operator audit log (no table public.%s in %s)",
			OPLOG_TABLE, conn_describe(c));
		tc_hint(err, "apply the reference migrations (db/migrations) that create it; until "
			     "then tenantctl's writes are not recorded");
		return TC_ERR_DB;
	}

	strbuf sql = STRBUF_INIT;
	params prm = {NULL, 0, 0};
	sb_add(&sql, "SELECT l.id::text, to_char(l.at, 'YYYY-MM-DD HH24:MI:SSOF'), l.os_user,"
		     " l.db_user, l.application_name, host(l.client_addr), l.command, l.target,"
		     " l.rows_affected::text, l.outcome FROM public." OPLOG_TABLE " l WHERE true");
	char *since_v = NULL;
	if (since) {
		size_t keep;
		bool interval = looks_like_interval(since, &keep);
		since_v = xstrndup(since, keep);
		/* Ask the server whether it reads the value, so a typo is a usage
		 * error that says what is accepted, not a database error. */
		const char *check = interval ? "SELECT now() - $1::interval" : "SELECT $1::timestamptz";
		const char *cp[] = {since_v};
		db_rows rows = DB_ROWS_INIT;
		tc_error e = TC_ERROR_INIT;
		rc = db_query(c, check, 1, cp, &rows, &e);
		db_rows_free(&rows);
		if (rc != TC_OK) {
			bool bad_value = e.sqlstate && strncmp(e.sqlstate, "22", 2) == 0;
			if (bad_value) {
				tc_fail(err, TC_ERR_USAGE, "--since '%s' is not a time or an interval (%s)",
					since, e.message ? e.message : "");
				tc_hint(err, "give a time the server reads ('2026-11-01', '2026-11-01 "
					     "14:00+01', 'yesterday') or an interval ('2 hours', '3 days', "
					     "'90min')");
			} else {
				tc_error_clear(err);
				*err = e;
				e = (tc_error)TC_ERROR_INIT;
			}
			tc_error_clear(&e);
			free(since_v);
			sb_free(&sql);
			return bad_value ? TC_ERR_USAGE : rc;
		}
		sb_add(&sql, interval ? " AND l.at >= now() - " : " AND l.at >= ");
		sb_param(&sql, &prm, since_v);
		sb_add(&sql, interval ? "::interval" : "::timestamptz");
	}
	if (org) {
		/* The target conventions: "org SLUG", "member EMAIL in org SLUG",
		 * "organization SLUG"; a backfill batch lists "org A, org B". The
		 * slug is matched as a whole word, its regex characters escaped. */
		sb_add(&sql, " AND l.target ~ ('(^|[[:space:](,;])(org|organization)[[:space:]]+' ||"
			     " regexp_replace(");
		sb_param(&sql, &prm, org);
		sb_add(&sql, "::text, '([^[:alnum:]_])', '\\\\\\1', 'g') ||"
			     " '($|[[:space:]),;:])')");
	}
	if (after) {
		sb_add(&sql, " AND l.id < ");
		sb_param(&sql, &prm, after);
		sb_add(&sql, "::bigint");
	}
	/* One more than the page: whether there is a next one. */
	char *lim = xasprintf("%lld", limit + 1);
	sb_add(&sql, " ORDER BY l.id DESC LIMIT ");
	sb_param(&sql, &prm, lim);
	sb_add(&sql, "::bigint");
	free(lim);

	db_rows rows = DB_ROWS_INIT;
	rc = db_query(c, sb_str(&sql), (int)prm.n, (const char *const *)prm.v, &rows, err);
	sb_free(&sql);
	params_free(&prm);
	free(since_v);
	if (rc != TC_OK) {
		tc_error_prefix(err, "cannot read the operator audit log (public.%s): ", OPLOG_TABLE);
		return rc;
	}
	res_init(out, RES_TABLE);
	res_add_col(out, "id", RES_T_INT);
	res_add_col(out, "at", RES_T_TEXT);
	res_add_col(out, "os_user", RES_T_TEXT);
	res_add_col(out, "db_user", RES_T_TEXT);
	res_add_detail_col(out, "application_name", RES_T_TEXT);
	res_add_detail_col(out, "client_addr", RES_T_TEXT);
	res_add_col(out, "command", RES_T_TEXT);
	res_add_col(out, "target", RES_T_TEXT);
	res_add_col(out, "rows_affected", RES_T_INT);
	res_add_col(out, "outcome", RES_T_TEXT);
	size_t n = rows.nrows > (size_t)limit ? (size_t)limit : rows.nrows;
	for (size_t i = 0; i < n; i++) {
		size_t r = res_add_row(out);
		for (size_t j = 0; j < 10; j++)
			res_set(out, r, j, db_get(&rows, i, j));
	}
	if (rows.nrows > (size_t)limit)
		res_set_summary(out, "%zu %s, newest first; older ones: --after %s", n,
				plural((long long)n, "entry", "entries"), db_get(&rows, n - 1, 0));
	else
		res_set_summary(out, "%zu %s, newest first%s", n,
				plural((long long)n, "entry", "entries"), n ? "; no older ones" : "");
	db_rows_free(&rows);
	return TC_OK;
}
