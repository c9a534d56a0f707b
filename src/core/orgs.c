#include "config.h"

#include "orgs.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "db.h"
#include "migcmd.h"
#include "profile.h"
#include "session.h"
#include "stage.h"
#include "strbuf.h"
#include "xalloc.h"

/* A slug is at most one DNS label long, so it can name hosts and buckets. */
#define ORGS_SLUG_MAX 63
#define ORGS_PAGE_DEFAULT 50
#define ORGS_PAGE_MAX 1000
/* Suffixes tried after the first guess when concurrent creates keep taking
 * the slug we picked; each try is one savepoint and one INSERT. */
#define ORGS_SLUG_TRIES 100
/* The LIKE escape character: not a backslash, so the SQL reads the same
 * whatever standard_conforming_strings says. */
#define LIKE_ESC '!'
#define MAX_PARAMS 64

/* ------------------------------------------------------------------ slugs */

/* Latin letters with diacritics and ligatures, to plain ASCII. Ranges of
 * code points that share a transliteration. */
static const struct translit {
	unsigned lo, hi;
	const char *to;
} translit[] = {
	{0x00C0, 0x00C5, "a"}, {0x00C6, 0x00C6, "ae"}, {0x00C7, 0x00C7, "c"},
	{0x00C8, 0x00CB, "e"}, {0x00CC, 0x00CF, "i"},  {0x00D0, 0x00D0, "d"},
	{0x00D1, 0x00D1, "n"}, {0x00D2, 0x00D6, "o"},  {0x00D8, 0x00D8, "o"},
	{0x00D9, 0x00DC, "u"}, {0x00DD, 0x00DD, "y"},  {0x00DE, 0x00DE, "th"},
	{0x00DF, 0x00DF, "ss"}, {0x00E0, 0x00E5, "a"}, {0x00E6, 0x00E6, "ae"},
	{0x00E7, 0x00E7, "c"}, {0x00E8, 0x00EB, "e"},  {0x00EC, 0x00EF, "i"},
	{0x00F0, 0x00F0, "d"}, {0x00F1, 0x00F1, "n"},  {0x00F2, 0x00F6, "o"},
	{0x00F8, 0x00F8, "o"}, {0x00F9, 0x00FC, "u"},  {0x00FD, 0x00FD, "y"},
	{0x00FE, 0x00FE, "th"}, {0x00FF, 0x00FF, "y"}, {0x0100, 0x0105, "a"},
	{0x0106, 0x010D, "c"}, {0x010E, 0x0111, "d"},  {0x0112, 0x011B, "e"},
	{0x011C, 0x0123, "g"}, {0x0124, 0x0127, "h"},  {0x0128, 0x0131, "i"},
	{0x0132, 0x0133, "ij"}, {0x0134, 0x0135, "j"}, {0x0136, 0x0138, "k"},
	{0x0139, 0x0142, "l"}, {0x0143, 0x014B, "n"},  {0x014C, 0x0151, "o"},
	{0x0152, 0x0153, "oe"}, {0x0154, 0x0159, "r"}, {0x015A, 0x0161, "s"},
	{0x0162, 0x0167, "t"}, {0x0168, 0x0173, "u"},  {0x0174, 0x0175, "w"},
	{0x0176, 0x0178, "y"}, {0x0179, 0x017E, "z"},  {0x017F, 0x017F, "s"},
	{0x0218, 0x0219, "s"}, {0x021A, 0x021B, "t"},  {0x1E9E, 0x1E9E, "ss"},
};

static const char *translit_for(unsigned cp)
{
	for (size_t i = 0; i < sizeof translit / sizeof translit[0]; i++)
		if (cp >= translit[i].lo && cp <= translit[i].hi)
			return translit[i].to;
	return NULL;
}

/* One UTF-8 sequence at s: its length (1 for a stray byte, *cp 0). */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0];
	size_t n = c >= 0xF0 && c < 0xF8 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
	if (n == 0 || c >= 0xF8) {
		*cp = 0;
		return 1;
	}
	unsigned v = c & (0x7Fu >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	*cp = v;
	return n;
}

static bool ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Cut to at most max bytes (a slug is ASCII) without a trailing hyphen. */
static void slug_truncate(char *slug, size_t max)
{
	size_t n = strlen(slug);
	if (n > max)
		n = max;
	while (n && slug[n - 1] == '-')
		n--;
	slug[n] = '\0';
}

char *orgs_slugify(const char *name)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "");
	bool gap = false;
	const unsigned char *p = (const unsigned char *)(name ? name : "");
	while (*p) {
		char one[2] = {0, 0};
		const char *piece = NULL;
		if (*p < 0x80) {
			if (ascii_alnum(*p)) {
				one[0] = (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
				piece = one;
			}
			p++;
		} else {
			unsigned cp;
			p += utf8_next(p, &cp);
			piece = translit_for(cp);
		}
		/* Anything that is not a letter or digit we can spell separates
		 * words; runs of them make one hyphen, none at either end. */
		if (!piece) {
			gap = true;
			continue;
		}
		if (gap && sb.len)
			sb_addc(&sb, '-');
		gap = false;
		sb_add(&sb, piece);
		if (sb.len > ORGS_SLUG_MAX + 1)
			break;
	}
	char *s = sb_steal(&sb);
	slug_truncate(s, ORGS_SLUG_MAX);
	return s;
}

/* Already in the form orgs_slugify gives: [a-z0-9]+(-[a-z0-9]+)*, short enough. */
static bool slug_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > ORGS_SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '-') {
			if (s[i + 1] == '-')
				return false;
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			return false;
		}
	}
	return true;
}

static tc_status check_slug(const char *slug, tc_error *err)
{
	if (slug_valid(slug))
		return TC_OK;
	char *fixed = orgs_slugify(slug);
	tc_fail(err, TC_ERR_USAGE,
		"'%s' is not a valid slug: lower-case ASCII letters and digits in words joined by "
		"single hyphens, at most %d characters",
		slug, ORGS_SLUG_MAX);
	if (*fixed)
		tc_hint(err, "did you mean '%s'?", fixed);
	free(fixed);
	return TC_ERR_USAGE;
}

/* ------------------------------------------------------------------ SQL helpers */

typedef struct qparams {
	const char *v[MAX_PARAMS];
	char *owned[MAX_PARAMS]; /* values qp_own took over, freed by qp_free */
	int n, nowned;
} qparams;

#define QPARAMS_INIT {{0}, {0}, 0, 0}

/* Add a value; returns its $number. */
static int qp(qparams *q, const char *v)
{
	if (q->n >= MAX_PARAMS)
		abort(); /* a programming error: the queries here are fixed in shape */
	q->v[q->n++] = v;
	return q->n;
}

/* Add a value the query owns (freed by qp_free); a value already given is
 * not given twice (a role list used by several checks is one parameter). */
static int qp_own(qparams *q, char *v)
{
	for (int i = 0; i < q->n; i++)
		if (q->v[i] && !strcmp(q->v[i], v)) {
			free(v);
			return i + 1;
		}
	if (q->nowned >= MAX_PARAMS)
		abort();
	q->owned[q->nowned++] = v;
	return qp(q, v);
}

static void qp_free(qparams *q)
{
	for (int i = 0; i < q->nowned; i++)
		free(q->owned[i]);
	q->nowned = q->n = 0;
}

static void col(strbuf *sb, const char *alias, const prof_ident *c)
{
	profile_col_sql(sb, alias, c);
}

/* " AND a.deleted_at IS NULL" when soft deletes are mapped. */
static void live(strbuf *sb, const char *alias, const prof_ident *deleted)
{
	if (!profile_mapped(deleted))
		return;
	sb_add(sb, " AND ");
	col(sb, alias, deleted);
	sb_add(sb, " IS NULL");
}

/* The user's text as a LIKE pattern matching itself literally. */
static void like_escape(strbuf *sb, const char *text)
{
	for (const char *c = text; *c; c++) {
		if (*c == '%' || *c == '_' || *c == LIKE_ESC)
			sb_addc(sb, LIKE_ESC);
		sb_addc(sb, *c);
	}
}

static const char *profile_file(const tc_profile *p)
{
	return p->path ? p->path : p->name ? p->name : "the tenancy profile";
}

/* A key the feature needs: "profile FILE maps no SECTION.KEY". */
static tc_status need(const tc_profile *p, const prof_ident *i, const char *section,
		      const char *key, const char *why, tc_error *err)
{
	if (profile_mapped(i))
		return TC_OK;
	tc_fail(err, TC_ERR_USAGE, "the tenancy profile %s maps no %s.%s, which %s needs",
		profile_file(p), section, key, why);
	tc_hint(err, "add `%s = ...` under [%s] in %s, or use a profile that maps it", key,
		section, profile_file(p));
	return TC_ERR_USAGE;
}

static tc_status open_profile(tc_session *s, tc_conn **c, const tc_profile **p, tc_error *err)
{
	tc_status rc = session_conn(s, c, err);
	if (rc == TC_OK)
		rc = profile_for_session(s, p, err);
	if (rc != TC_OK)
		return rc;
	const prof_orgs *o = &(*p)->orgs;
	if ((rc = need(*p, &o->table, "organizations", "table", "every orgs command", err)) ||
	    (rc = need(*p, &o->id, "organizations", "id", "every orgs command", err)) ||
	    (rc = need(*p, &o->slug, "organizations", "slug", "every orgs command", err)) ||
	    (rc = need(*p, &o->name, "organizations", "name", "every orgs command", err)))
		return rc;
	return TC_OK;
}

/* --limit N within [1, ORGS_PAGE_MAX]. */
static tc_status limit_opt(const cmd_call *call, long *out, tc_error *err)
{
	const char *v = cmd_opt_value(call, "limit");
	*out = ORGS_PAGE_DEFAULT;
	if (!v)
		return TC_OK;
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < 1 || n > ORGS_PAGE_MAX) {
		tc_fail(err, TC_ERR_USAGE, "--limit takes a whole number from 1 to %d, not '%s'",
			ORGS_PAGE_MAX, v);
		return TC_ERR_USAGE;
	}
	*out = n;
	return TC_OK;
}

/* ------------------------------------------------------------------ listing rows */

static char *ascii_lower(const char *s);

/* ------------------------------------------------------------------ findings of a page */

/* The audit's findings about each organization of a page, as the audit
 * counts them with `audit --org SLUG` (one per finding row), computed for
 * the page's rows only: every check is a handful of index probes keyed by
 * the org's id, so a page costs the same at a million orgs. Two checks are
 * left out: slug-problems (finding slugs equal ignoring case compares
 * every slug of the deployment) and user-without-membership (not about an
 * organization). The expression is over the org row alias o; the checks
 * must stay in step with audit.c (test_db_orgs compares the two). */

typedef struct fx {
	strbuf *sb;
	const tc_profile *p;
	qparams *q;
	int server_version;
	int terms;
} fx;

static void fx_term(fx *f)
{
	sb_add(f->sb, f->terms++ ? " + " : "");
}

/* "$n::text[]" for a list (one parameter per distinct list). */
static void fx_list(fx *f, const prof_list *l)
{
	sb_addf(f->sb, "$%d::text[]", qp_own(f->q, profile_list_array(l)));
}

static void fx_live(fx *f, const char *alias, const prof_ident *deleted)
{
	if (profile_mapped(deleted)) {
		col(f->sb, alias, deleted);
		sb_add(f->sb, " IS NULL");
	} else {
		sb_add(f->sb, "TRUE");
	}
}

static bool fx_users(const tc_profile *p)
{
	return profile_mapped(&p->users.table) && profile_mapped(&p->users.id);
}

static bool fx_org_members(const tc_profile *p, bool role)
{
	const prof_members *m = &p->members[SCOPE_ORG];
	return profile_mapped(&m->table) && profile_mapped(&m->user) && profile_mapped(&m->scope) &&
	       (!role || profile_mapped(&m->role));
}

static bool fx_scope_role(const tc_profile *p, prof_scope s)
{
	return profile_scope_usable(p, s) && profile_mapped(&p->members[s].role);
}

/* The scope of membership alias m belongs to org o. */
static void fx_scope_in_org(fx *f, prof_scope s)
{
	const tc_profile *p = f->p;
	col(f->sb, "m", &p->members[s].scope);
	if (s == SCOPE_ORG) {
		sb_add(f->sb, " = ");
		col(f->sb, "o", &p->orgs.id);
		return;
	}
	const prof_ident *t = s == SCOPE_WORKSPACE ? &p->workspaces.table : &p->projects.table;
	const prof_ident *id = s == SCOPE_WORKSPACE ? &p->workspaces.id : &p->projects.id;
	const prof_ident *org = s == SCOPE_WORKSPACE ? &p->workspaces.org : &p->projects.org;
	sb_add(f->sb, " IN (SELECT ");
	col(f->sb, "s9", id);
	sb_add(f->sb, " FROM ");
	profile_table_sql(f->sb, t);
	sb_add(f->sb, " s9 WHERE ");
	col(f->sb, "s9", org);
	sb_add(f->sb, " = ");
	col(f->sb, "o", &p->orgs.id);
	sb_add(f->sb, ")");
}

/* The checks over the memberships of one scope of org o, in one pass over
 * them joined to their users: member-of-deleted-user, membership-without-
 * user (every row: a validated foreign key makes that none), unknown-role,
 * member-of-deleted-org, and at the org scope org-no-owner, owner-pointer-
 * mismatch and multiple-owners. One subquery instead of one per check
 * keeps the page's plan small. */
static void fx_scope_checks(fx *f, prof_scope s)
{
	const tc_profile *p = f->p;
	const prof_members *m = &p->members[s];
	const prof_users *u = &p->users;
	if (!fx_users(p) || !fx_org_members(p, false) || !profile_scope_usable(p, s))
		return;
	strbuf items = STRBUF_INIT, terms = STRBUF_INIT;
	strbuf *keep = f->sb;
	int n = 0;
#define ITEM_START() (sb_add(&items, n ? ", " : ""), f->sb = &items)
#define ITEM_END(name) (sb_addf(&items, " AS %s", name), f->sb = keep, n++)
	/* Rows: "count(*) FILTER (WHERE <m live> AND ...)" */
	if (profile_mapped(&u->deleted_at)) {
		ITEM_START();
		sb_add(&items, "count(*) FILTER (WHERE ");
		fx_live(f, "m", &m->deleted_at);
		sb_add(&items, " AND ");
		col(&items, "u", &u->deleted_at);
		sb_add(&items, " IS NOT NULL)");
		ITEM_END("dead_user");
		sb_add(&terms, " + a.dead_user");
	}
	ITEM_START();
	sb_add(&items, "count(*) FILTER (WHERE ");
	col(&items, "u", &u->id);
	sb_add(&items, " IS NULL)");
	ITEM_END("no_user");
	sb_add(&terms, " + a.no_user");
	if (fx_org_members(p, true) && p->roles.known.n && fx_scope_role(p, s)) {
		ITEM_START();
		sb_add(&items, "count(*) FILTER (WHERE ");
		fx_live(f, "m", &m->deleted_at);
		sb_add(&items, " AND (");
		col(&items, "m", &m->role);
		sb_add(&items, " IS NULL OR NOT (");
		col(&items, "m", &m->role);
		sb_add(&items, "::text = ANY(");
		fx_list(f, &p->roles.known);
		sb_add(&items, "))))");
		ITEM_END("bad_role");
		sb_add(&terms, " + a.bad_role");
	}
	if (profile_mapped(&p->orgs.deleted_at)) {
		ITEM_START();
		sb_add(&items, "count(*) FILTER (WHERE ");
		fx_live(f, "m", &m->deleted_at);
		sb_add(&items, ")");
		ITEM_END("live");
		sb_add(&terms, " + CASE WHEN ");
		col(&terms, "o", &p->orgs.deleted_at);
		sb_add(&terms, " IS NOT NULL THEN a.live ELSE 0 END");
	}
	bool owners = s == SCOPE_ORG && fx_org_members(p, true) && p->roles.owner.n;
	if (owners) {
		/* A live owner membership, and one whose user is not deleted (a
		 * missing user row still owns: that is membership-without-user's). */
		ITEM_START();
		sb_add(&items, "bool_or(");
		fx_live(f, "m", &m->deleted_at);
		sb_add(&items, " AND ");
		col(&items, "m", &m->role);
		sb_add(&items, "::text = ANY(");
		fx_list(f, &p->roles.owner);
		sb_add(&items, "))");
		ITEM_END("any_owner");
		ITEM_START();
		sb_add(&items, "bool_or(");
		fx_live(f, "m", &m->deleted_at);
		sb_add(&items, " AND ");
		col(&items, "m", &m->role);
		sb_add(&items, "::text = ANY(");
		fx_list(f, &p->roles.owner);
		sb_add(&items, ") AND ");
		fx_live(f, "u", &u->deleted_at);
		sb_add(&items, ")");
		ITEM_END("owned");
		sb_add(&terms, " + CASE WHEN ");
		f->sb = &terms;
		fx_live(f, "o", &p->orgs.deleted_at);
		f->sb = keep;
		sb_add(&terms, " AND NOT coalesce(a.owned, FALSE) THEN 1 ELSE 0 END");
		if (profile_mapped(&p->orgs.owner)) {
			ITEM_START();
			sb_add(&items, "bool_or(");
			fx_live(f, "m", &m->deleted_at);
			sb_add(&items, " AND ");
			col(&items, "m", &m->role);
			sb_add(&items, "::text = ANY(");
			fx_list(f, &p->roles.owner);
			sb_add(&items, ") AND ");
			col(&items, "m", &m->user);
			sb_add(&items, " = ");
			col(&items, "o", &p->orgs.owner);
			sb_add(&items, ")");
			ITEM_END("pointer_owner");
			sb_add(&terms, " + CASE WHEN ");
			f->sb = &terms;
			fx_live(f, "o", &p->orgs.deleted_at);
			f->sb = keep;
			sb_add(&terms, " AND ((");
			col(&terms, "o", &p->orgs.owner);
			sb_add(&terms, " IS NOT NULL AND NOT coalesce(a.pointer_owner, FALSE)) OR (");
			col(&terms, "o", &p->orgs.owner);
			sb_add(&terms, " IS NULL AND coalesce(a.any_owner, FALSE))) THEN 1 ELSE 0 END");
		}
		if (p->roles.single_owner) {
			ITEM_START();
			sb_add(&items, "count(DISTINCT ");
			col(&items, "m", &m->user);
			sb_add(&items, ") FILTER (WHERE ");
			fx_live(f, "m", &m->deleted_at);
			sb_add(&items, " AND ");
			col(&items, "m", &m->role);
			sb_add(&items, "::text = ANY(");
			fx_list(f, &p->roles.owner);
			sb_add(&items, ") AND ");
			col(&items, "u", &u->id);
			sb_add(&items, " IS NOT NULL AND ");
			fx_live(f, "u", &u->deleted_at);
			sb_add(&items, ")");
			ITEM_END("owners");
			sb_add(&terms, " + CASE WHEN ");
			f->sb = &terms;
			fx_live(f, "o", &p->orgs.deleted_at);
			f->sb = keep;
			sb_add(&terms, " AND a.owners > 1 THEN 1 ELSE 0 END");
		}
	}
#undef ITEM_START
#undef ITEM_END
	fx_term(f);
	/* terms starts " + ": 0 in front of it. */
	sb_addf(f->sb, "(SELECT 0%s FROM (SELECT %s FROM ", sb_str(&terms), sb_str(&items));
	profile_table_sql(f->sb, &m->table);
	sb_add(f->sb, " m LEFT JOIN ");
	profile_table_sql(f->sb, &u->table);
	sb_add(f->sb, " u ON ");
	col(f->sb, "u", &u->id);
	sb_add(f->sb, " = ");
	col(f->sb, "m", &m->user);
	sb_add(f->sb, " WHERE ");
	fx_scope_in_org(f, s);
	sb_add(f->sb, ") a)");
	sb_free(&items);
	sb_free(&terms);
}

static void fx_duplicates(fx *f)
{
	const tc_profile *p = f->p;
	if (!fx_users(p) || !fx_org_members(p, false))
		return;
	for (prof_scope s = 0; s < SCOPE_N; s++) {
		if (!profile_scope_usable(p, s))
			continue;
		const prof_members *m = &p->members[s];
		fx_term(f);
		sb_add(f->sb, "(SELECT count(*) FROM (SELECT 1 FROM ");
		profile_table_sql(f->sb, &m->table);
		sb_add(f->sb, " m WHERE ");
		fx_scope_in_org(f, s);
		sb_add(f->sb, " GROUP BY ");
		col(f->sb, "m", &m->scope);
		sb_add(f->sb, ", ");
		col(f->sb, "m", &m->user);
		sb_add(f->sb, " HAVING count(*) FILTER (WHERE ");
		fx_live(f, "m", &m->deleted_at);
		sb_add(f->sb, ") > 1) d)");
	}
}

static void fx_not_org_member(fx *f)
{
	const tc_profile *p = f->p;
	if (!fx_users(p) || !fx_org_members(p, false))
		return;
	const prof_members *om = &p->members[SCOPE_ORG];
	for (prof_scope s = SCOPE_WORKSPACE; s < SCOPE_N; s++) {
		if (!profile_scope_usable(p, s))
			continue;
		const prof_members *m = &p->members[s];
		const prof_ident *t = s == SCOPE_WORKSPACE ? &p->workspaces.table : &p->projects.table;
		const prof_ident *id = s == SCOPE_WORKSPACE ? &p->workspaces.id : &p->projects.id;
		const prof_ident *org = s == SCOPE_WORKSPACE ? &p->workspaces.org : &p->projects.org;
		fx_term(f);
		sb_add(f->sb, "(SELECT count(*) FROM ");
		profile_table_sql(f->sb, &m->table);
		sb_add(f->sb, " m JOIN ");
		profile_table_sql(f->sb, t);
		sb_add(f->sb, " sw ON ");
		col(f->sb, "sw", id);
		sb_add(f->sb, " = ");
		col(f->sb, "m", &m->scope);
		sb_add(f->sb, " WHERE ");
		fx_live(f, "m", &m->deleted_at);
		sb_add(f->sb, " AND ");
		col(f->sb, "sw", org);
		sb_add(f->sb, " = ");
		col(f->sb, "o", &p->orgs.id);
		sb_add(f->sb, " AND NOT EXISTS (SELECT 1 FROM ");
		profile_table_sql(f->sb, &om->table);
		sb_add(f->sb, " mo WHERE ");
		col(f->sb, "mo", &om->user);
		sb_add(f->sb, " = ");
		col(f->sb, "m", &m->user);
		sb_add(f->sb, " AND ");
		col(f->sb, "mo", &om->scope);
		sb_add(f->sb, " = ");
		col(f->sb, "sw", org);
		sb_add(f->sb, " AND ");
		fx_live(f, "mo", &om->deleted_at);
		sb_add(f->sb, "))");
	}
}

/* A project whose org is o, or whose workspace's org is o, while the two
 * differ: `audit --org` reports it for both organizations. */
static void fx_project_workspace(fx *f)
{
	const tc_profile *p = f->p;
	const prof_projects *pj = &p->projects;
	const prof_workspaces *ws = &p->workspaces;
	if (!profile_mapped(&pj->table) || !profile_mapped(&pj->id) || !profile_mapped(&pj->org) ||
	    !profile_mapped(&pj->workspace) || !profile_mapped(&ws->table) ||
	    !profile_mapped(&ws->id) || !profile_mapped(&ws->org))
		return;
	for (int side = 0; side < 2; side++) {
		fx_term(f);
		sb_add(f->sb, "(SELECT count(*) FROM ");
		profile_table_sql(f->sb, &pj->table);
		sb_add(f->sb, " sp JOIN ");
		profile_table_sql(f->sb, &ws->table);
		sb_add(f->sb, " sw ON ");
		col(f->sb, "sw", &ws->id);
		sb_add(f->sb, " = ");
		col(f->sb, "sp", &pj->workspace);
		sb_add(f->sb, " WHERE ");
		fx_live(f, "sp", &pj->deleted_at);
		sb_add(f->sb, " AND ");
		col(f->sb, "sw", &ws->org);
		sb_add(f->sb, " IS DISTINCT FROM ");
		col(f->sb, "sp", &pj->org);
		sb_add(f->sb, " AND ");
		col(f->sb, side == 0 ? "sp" : "sw", side == 0 ? &pj->org : &ws->org);
		sb_add(f->sb, " = ");
		col(f->sb, "o", &p->orgs.id);
		sb_add(f->sb, ")");
	}
}

/* A policy list as the audit compares it: lower case, no leading '@'. */
static void fx_policy_list(fx *f, const prof_list *l)
{
	prof_list low = {xcalloc(l->n + 1, sizeof(char *)), l->n, 0};
	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->v[i][0] == '@' ? l->v[i] + 1 : l->v[i];
		low.v[i] = ascii_lower(s);
	}
	fx_list(f, &low);
	for (size_t i = 0; i < l->n; i++)
		free(low.v[i]);
	free(low.v);
}

static void fx_domain(fx *f)
{
	if (f->server_version >= 140000) {
		sb_add(f->sb, "lower(split_part(");
		col(f->sb, "u", &f->p->users.email);
		sb_add(f->sb, "::text, '@', -1))");
	} else {
		sb_add(f->sb, "lower(substring(");
		col(f->sb, "u", &f->p->users.email);
		sb_add(f->sb, "::text from '@([^@]*)$'))");
	}
}

/* Distinct live users with a live owner or admin membership anywhere in
 * live org o for whom cond (over users alias u) holds. */
static void fx_privileged(fx *f, bool stale)
{
	const tc_profile *p = f->p;
	const prof_policy *pol = &p->policy;
	if (!fx_users(p) || !fx_org_members(p, true) || (!p->roles.owner.n && !p->roles.admin.n))
		return;
	if (stale && (!profile_mapped(&p->users.last_seen) || pol->stale_after_days <= 0))
		return;
	if (!stale && (!profile_mapped(&p->users.email) ||
		       (!pol->owner_email_allowlist.n && !pol->blocked_domains.n)))
		return;
	prof_list priv = {xcalloc(p->roles.owner.n + p->roles.admin.n + 1, sizeof(char *)), 0, 0};
	for (size_t i = 0; i < p->roles.owner.n; i++)
		priv.v[priv.n++] = p->roles.owner.v[i];
	for (size_t i = 0; i < p->roles.admin.n; i++)
		priv.v[priv.n++] = p->roles.admin.v[i];
	fx_term(f);
	sb_add(f->sb, "CASE WHEN ");
	fx_live(f, "o", &p->orgs.deleted_at);
	sb_add(f->sb, " THEN (SELECT count(DISTINCT x.uid) FROM (");
	bool first = true;
	for (prof_scope s = 0; s < SCOPE_N; s++) {
		if (!fx_scope_role(p, s))
			continue;
		const prof_members *m = &p->members[s];
		sb_add(f->sb, first ? "SELECT " : " UNION ALL SELECT ");
		first = false;
		col(f->sb, "m", &m->user);
		sb_add(f->sb, " AS uid FROM ");
		profile_table_sql(f->sb, &m->table);
		sb_add(f->sb, " m WHERE ");
		fx_live(f, "m", &m->deleted_at);
		sb_add(f->sb, " AND ");
		col(f->sb, "m", &m->role);
		sb_add(f->sb, "::text = ANY(");
		fx_list(f, &priv);
		sb_add(f->sb, ") AND ");
		fx_scope_in_org(f, s);
	}
	free(priv.v);
	sb_add(f->sb, ") x JOIN ");
	profile_table_sql(f->sb, &p->users.table);
	sb_add(f->sb, " u ON ");
	col(f->sb, "u", &p->users.id);
	sb_add(f->sb, " = x.uid WHERE ");
	fx_live(f, "u", &p->users.deleted_at);
	sb_add(f->sb, " AND ");
	if (stale) {
		if (profile_mapped(&p->users.created_at)) {
			sb_add(f->sb, "coalesce(");
			col(f->sb, "u", &p->users.last_seen);
			sb_add(f->sb, ", ");
			col(f->sb, "u", &p->users.created_at);
			sb_add(f->sb, ")");
		} else {
			col(f->sb, "u", &p->users.last_seen);
		}
		sb_addf(f->sb, " < now() - make_interval(days => %d)", pol->stale_after_days);
	} else {
		sb_add(f->sb, "(FALSE");
		if (pol->owner_email_allowlist.n) {
			sb_add(f->sb, " OR NOT (lower(");
			col(f->sb, "u", &p->users.email);
			sb_add(f->sb, "::text) = ANY(");
			fx_policy_list(f, &pol->owner_email_allowlist);
			sb_add(f->sb, ") OR coalesce(");
			fx_domain(f);
			sb_add(f->sb, " = ANY(");
			fx_policy_list(f, &pol->owner_email_allowlist);
			sb_add(f->sb, "), FALSE))");
		}
		if (pol->blocked_domains.n) {
			sb_add(f->sb, " OR coalesce(");
			fx_domain(f);
			sb_add(f->sb, " = ANY(");
			fx_policy_list(f, &pol->blocked_domains);
			sb_add(f->sb, "), FALSE)");
		}
		sb_add(f->sb, ")");
	}
	sb_add(f->sb, ") ELSE 0 END");
}

static bool fx_invitation_link(const tc_profile *p)
{
	const prof_invitations *i = &p->invitations;
	if (profile_mapped(&i->org))
		return true;
	return profile_mapped(&i->project) && profile_mapped(&p->projects.table) &&
	       profile_mapped(&p->projects.id) && profile_mapped(&p->projects.org);
}

/* Invitation alias i is pending, and belongs to org o. */
static void fx_invitation_pending_of_org(fx *f)
{
	const tc_profile *p = f->p;
	const prof_invitations *i = &p->invitations;
	if (profile_mapped(&i->status)) {
		col(f->sb, "i", &i->status);
		const char *pending = profile_mapped(&i->pending_status) ? i->pending_status.name
									 : "pending";
		sb_addf(f->sb, "::text = $%d", qp_own(f->q, xstrdup(pending)));
	} else {
		col(f->sb, "i", &i->used);
		sb_add(f->sb, " IS NOT TRUE");
	}
	sb_add(f->sb, " AND ");
	if (profile_mapped(&i->org)) {
		col(f->sb, "i", &i->org);
		sb_add(f->sb, " = ");
		col(f->sb, "o", &p->orgs.id);
		return;
	}
	col(f->sb, "i", &i->project);
	sb_add(f->sb, " IN (SELECT ");
	col(f->sb, "p2", &p->projects.id);
	sb_add(f->sb, " FROM ");
	profile_table_sql(f->sb, &p->projects.table);
	sb_add(f->sb, " p2 WHERE ");
	col(f->sb, "p2", &p->projects.org);
	sb_add(f->sb, " = ");
	col(f->sb, "o", &p->orgs.id);
	sb_add(f->sb, ")");
}

static void fx_invitations(fx *f)
{
	const tc_profile *p = f->p;
	const prof_invitations *i = &p->invitations;
	if (!profile_mapped(&i->table) || (!profile_mapped(&i->status) && !profile_mapped(&i->used)) ||
	    !fx_invitation_link(p))
		return;
	if (profile_mapped(&i->expires_at)) {
		/* invitation-expired-pending */
		fx_term(f);
		sb_add(f->sb, "(SELECT count(*) FROM ");
		profile_table_sql(f->sb, &i->table);
		sb_add(f->sb, " i WHERE ");
		fx_invitation_pending_of_org(f);
		sb_add(f->sb, " AND ");
		col(f->sb, "i", &i->expires_at);
		sb_add(f->sb, " < now())");
	}
	if (profile_mapped(&i->email) && fx_users(p) && profile_mapped(&p->users.email) &&
	    fx_org_members(p, false)) {
		/* invitation-for-member */
		const prof_members *m = &p->members[SCOPE_ORG];
		fx_term(f);
		sb_add(f->sb, "(SELECT count(*) FROM ");
		profile_table_sql(f->sb, &i->table);
		sb_add(f->sb, " i JOIN ");
		profile_table_sql(f->sb, &p->users.table);
		sb_add(f->sb, " u ON lower(");
		col(f->sb, "u", &p->users.email);
		sb_add(f->sb, "::text) = lower(");
		col(f->sb, "i", &i->email);
		sb_add(f->sb, "::text) AND ");
		fx_live(f, "u", &p->users.deleted_at);
		sb_add(f->sb, " WHERE ");
		fx_invitation_pending_of_org(f);
		if (profile_mapped(&i->expires_at)) {
			sb_add(f->sb, " AND (");
			col(f->sb, "i", &i->expires_at);
			sb_add(f->sb, " IS NULL OR ");
			col(f->sb, "i", &i->expires_at);
			sb_add(f->sb, " >= now())");
		}
		sb_add(f->sb, " AND EXISTS (SELECT 1 FROM ");
		profile_table_sql(f->sb, &m->table);
		sb_add(f->sb, " m WHERE ");
		col(f->sb, "m", &m->user);
		sb_add(f->sb, " = ");
		col(f->sb, "u", &p->users.id);
		sb_add(f->sb, " AND ");
		col(f->sb, "m", &m->scope);
		sb_add(f->sb, " = ");
		col(f->sb, "o", &p->orgs.id);
		sb_add(f->sb, " AND ");
		fx_live(f, "m", &m->deleted_at);
		sb_add(f->sb, "))");
	}
}

static bool fx_resource_has_plan(const prof_resource *r, const char *plan)
{
	for (size_t i = 0; i < r->n_plans; i++)
		if (!strcmp(r->plan_names[i], plan))
			return true;
	return false;
}

/* paid-org-without-resource (paid) or free-org-with-resource (!paid): as
 * the audit's plans_where, a resource with a template or without per-plan
 * values belongs to every paid plan, one with per-plan values only to the
 * plans that have one. */
static void fx_plan_resources(fx *f, bool paid)
{
	const tc_profile *p = f->p;
	const prof_orgs *o = &p->orgs;
	const prof_list *plans = paid ? &p->resources.paid_plans : &p->resources.free_plans;
	bool any = false;
	for (size_t i = 0; i < o->n_resources; i++)
		any |= profile_mapped(&o->resources[i].column);
	if (!profile_mapped(&o->plan) || !any || !plans->n)
		return;
	fx_term(f);
	sb_add(f->sb, "CASE WHEN ");
	fx_live(f, "o", &o->deleted_at);
	sb_add(f->sb, " AND (FALSE");
	for (size_t i = 0; i < o->n_resources; i++) {
		const prof_resource *r = &o->resources[i];
		if (!profile_mapped(&r->column))
			continue;
		prof_list pl = {xcalloc(plans->n + 1, sizeof(char *)), 0, 0};
		for (size_t k = 0; k < plans->n; k++) {
			bool keep = paid ? r->provision || r->n_plans == 0 ||
						   fx_resource_has_plan(r, plans->v[k])
					 : !fx_resource_has_plan(r, plans->v[k]);
			if (keep)
				pl.v[pl.n++] = plans->v[k];
		}
		sb_add(f->sb, " OR (");
		col(f->sb, "o", &o->plan);
		sb_add(f->sb, "::text = ANY(");
		fx_list(f, &pl);
		sb_add(f->sb, ") AND (");
		col(f->sb, "o", &r->column);
		sb_add(f->sb, paid ? " IS NULL OR " : " IS NOT NULL AND ");
		col(f->sb, "o", &r->column);
		sb_add(f->sb, paid ? "::text = ''))" : "::text <> ''))");
		free(pl.v);
	}
	sb_add(f->sb, ") THEN 1 ELSE 0 END");
}

/* The findings expression over org alias o: "(a + b + ...)::bigint", or
 * NULL::bigint when the profile supports none of the checks. */
static void findings_sql(strbuf *sb, const tc_profile *p, qparams *q, int server_version)
{
	strbuf body = STRBUF_INIT;
	fx f = {&body, p, q, server_version, 0};
	for (prof_scope sc = 0; sc < SCOPE_N; sc++)
		fx_scope_checks(&f, sc);
	fx_duplicates(&f);
	fx_not_org_member(&f);
	fx_project_workspace(&f);
	fx_privileged(&f, false);
	fx_invitations(&f);
	fx_privileged(&f, true);
	fx_plan_resources(&f, true);
	fx_plan_resources(&f, false);
	if (f.terms)
		sb_addf(sb, "(%s)::bigint", sb_str(&body));
	else
		sb_add(sb, "NULL::bigint");
	sb_free(&body);
}

/* Columns of org_select, in order. */
enum {
	OS_SLUG,
	OS_NAME,
	OS_PLAN,
	OS_MEMBERS,
	OS_OWNERS,
	OS_CREATED,
	OS_DELETED,
	OS_CREATED_KEY,
	OS_ID,
	OS_FINDINGS,
	OS_RES0, /* then one per resource */
};

/* SELECT ... FROM orgs o LEFT JOIN LATERAL (counts) mc: the row of a list.
 * The counts are per row of the page (a nested loop under the LIMIT), so
 * a page costs the same however many orgs there are. grouped: the counts
 * of every org at once (one pass over the memberships, for ordering by
 * them: slower, and it grows with the deployment). */
static void org_select(strbuf *sb, const tc_profile *p, qparams *q, const char *owner_roles,
		       bool grouped, int findings_version)
{
	const prof_orgs *o = &p->orgs;
	const prof_members *m = &p->members[SCOPE_ORG];
	sb_add(sb, "SELECT ");
	col(sb, "o", &o->slug);
	sb_add(sb, "::text, ");
	col(sb, "o", &o->name);
	sb_add(sb, "::text, ");
	if (profile_mapped(&o->plan)) {
		col(sb, "o", &o->plan);
		sb_add(sb, "::text, ");
	} else {
		sb_add(sb, "NULL::text, ");
	}
	sb_add(sb, "mc.members, mc.owners, ");
	if (profile_mapped(&o->created_at)) {
		sb_add(sb, "to_char(");
		col(sb, "o", &o->created_at);
		sb_add(sb, ", 'YYYY-MM-DD HH24:MI'), ");
	} else {
		sb_add(sb, "NULL::text, ");
	}
	if (profile_mapped(&o->deleted_at)) {
		sb_add(sb, "to_char(");
		col(sb, "o", &o->deleted_at);
		sb_add(sb, ", 'YYYY-MM-DD HH24:MI'), ");
	} else {
		sb_add(sb, "NULL::text, ");
	}
	if (profile_mapped(&o->created_at)) {
		/* Microseconds and the offset: the key must round-trip exactly. */
		sb_add(sb, "to_char(");
		col(sb, "o", &o->created_at);
		sb_add(sb, ", 'YYYY-MM-DD\"T\"HH24:MI:SS.USOF'), ");
	} else {
		sb_add(sb, "NULL::text, ");
	}
	col(sb, "o", &o->id);
	sb_add(sb, "::text, ");
	if (findings_version >= 0)
		findings_sql(sb, p, q, findings_version);
	else
		sb_add(sb, "NULL::bigint");
	for (size_t i = 0; i < o->n_resources; i++) {
		sb_add(sb, ", ");
		col(sb, "o", &o->resources[i].column);
		sb_add(sb, "::text");
	}
	sb_add(sb, " FROM ");
	profile_table_sql(sb, &o->table);
	sb_add(sb, " o ");
	if (!profile_mapped(&m->table) || !profile_mapped(&m->scope)) {
		sb_add(sb, "CROSS JOIN (SELECT NULL::bigint AS members, NULL::bigint AS owners) mc");
		return;
	}
	bool owners = owner_roles && profile_mapped(&m->role);
	sb_add(sb, grouped ? "LEFT JOIN (SELECT " : "LEFT JOIN LATERAL (SELECT ");
	if (grouped) {
		col(sb, "m", &m->scope);
		sb_add(sb, " AS org_id, ");
	}
	sb_add(sb, "count(*) AS members, ");
	if (owners) {
		sb_addf(sb, "count(*) FILTER (WHERE ");
		col(sb, "m", &m->role);
		sb_addf(sb, "::text = ANY($%d::text[])) AS owners", qp(q, owner_roles));
	} else {
		sb_add(sb, "NULL::bigint AS owners");
	}
	sb_add(sb, " FROM ");
	profile_table_sql(sb, &m->table);
	sb_add(sb, " m WHERE ");
	if (grouped) {
		sb_add(sb, "true");
		live(sb, "m", &m->deleted_at);
		sb_add(sb, " GROUP BY 1) mg ON mg.org_id = ");
		col(sb, "o", &o->id);
		/* An org without members has no group: count it as 0. */
		sb_addf(sb, " CROSS JOIN LATERAL (SELECT coalesce(mg.members, 0) AS members, %s AS "
			    "owners) mc",
			owners ? "coalesce(mg.owners, 0)" : "NULL::bigint");
		return;
	}
	col(sb, "m", &m->scope);
	sb_add(sb, " = ");
	col(sb, "o", &o->id);
	live(sb, "m", &m->deleted_at);
	sb_add(sb, ") mc ON true");
}

/* "stream_basin=acme-events, retention=30", or "none". */
static void resources_text(strbuf *sb, const tc_profile *p, const db_rows *rows, size_t r,
			   size_t first)
{
	bool any = false;
	for (size_t i = 0; i < p->orgs.n_resources; i++) {
		const char *v = db_get(rows, r, first + i);
		if (!v)
			continue;
		sb_addf(sb, "%s%s=%s", any ? ", " : "", p->orgs.resources[i].name, v);
		any = true;
	}
	if (!any)
		sb_add(sb, "none");
}

/* findings: the column is there only when it was asked for (it costs a
 * query per check for the page's orgs). */
static void org_columns(tc_result *out, bool deleted, bool findings, const char *extra)
{
	res_add_col(out, "slug", RES_T_TEXT);
	res_add_col(out, "name", RES_T_TEXT);
	res_add_col(out, "plan", RES_T_TEXT);
	res_add_col(out, "members", RES_T_INT);
	res_add_col(out, "owners", RES_T_INT);
	if (findings)
		res_add_col(out, "findings", RES_T_INT);
	res_add_col(out, "created", RES_T_TEXT);
	res_add_col(out, "resources", RES_T_TEXT);
	if (deleted)
		res_add_col(out, "deleted", RES_T_TEXT);
	if (extra)
		res_add_col(out, extra, RES_T_TEXT);
}

/* One result row from an org_select row; returns the row index. */
static size_t org_row_out(tc_result *out, const tc_profile *p, const db_rows *rows, size_t r,
			  bool deleted, bool findings)
{
	size_t i = res_add_row(out), k = 0;
	res_set(out, i, k++, db_get(rows, r, OS_SLUG));
	res_set(out, i, k++, db_get(rows, r, OS_NAME));
	res_set(out, i, k++, db_get(rows, r, OS_PLAN));
	res_set(out, i, k++, db_get(rows, r, OS_MEMBERS));
	res_set(out, i, k++, db_get(rows, r, OS_OWNERS));
	if (findings)
		res_set(out, i, k++, db_get(rows, r, OS_FINDINGS));
	res_set(out, i, k++, db_get(rows, r, OS_CREATED));
	if (p->orgs.n_resources) {
		strbuf sb = STRBUF_INIT;
		resources_text(&sb, p, rows, r, OS_RES0);
		res_set(out, i, k, sb_str(&sb));
		sb_free(&sb);
	}
	k++;
	if (deleted)
		res_set(out, i, k, db_get(rows, r, OS_DELETED));
	return i;
}

/* ------------------------------------------------------------------ orgs list */

/* The key of row r for sort: what --after and --before take to continue
 * from it. */
static char *row_key(orgs_sort sort, const db_rows *rows, size_t r)
{
	switch (sort) {
	case ORGS_SORT_CREATED:
		return xasprintf("%s|%s", db_get(rows, r, OS_CREATED_KEY),
				 db_get(rows, r, OS_ID));
	case ORGS_SORT_MEMBERS: {
		const char *n = db_get(rows, r, OS_MEMBERS);
		return xasprintf("%s|%s", n ? n : "0", db_get(rows, r, OS_SLUG));
	}
	case ORGS_SORT_SLUG:
	default:
		return xstrdup(db_get(rows, r, OS_SLUG));
	}
}

/* KEY = "A|B" split at the first '|' (a time or count has none). */
static tc_status split_key(const char *opt, const char *key, const char *form, char **a, char **b,
			   tc_error *err)
{
	const char *bar = strchr(key, '|');
	if (!bar || bar == key || !bar[1]) {
		tc_fail(err, TC_ERR_USAGE, "--%s '%s' is not a key of this sort (%s)", opt, key,
			form);
		tc_hint(err, "pass the value the previous page printed after --%s, or the key "
			     "column of a row of that page",
			opt);
		return TC_ERR_USAGE;
	}
	*a = xstrndup(key, (size_t)(bar - key));
	*b = xstrdup(bar + 1);
	return TC_OK;
}

/* The order of a read: the sort's own order (slug and created ascending,
 * members most first, ties by slug), reversed by desc (for members: fewest
 * first, ties still by slug), and the whole turned around when the page is
 * read backwards (a page before a key, the last page; its rows are turned
 * around again before they are shown). */
typedef struct read_order {
	bool first_desc; /* the first key (slug, created, members) descends */
	bool slug_desc;  /* members: the tie-breaking slug descends */
} read_order;

static read_order read_order_of(orgs_sort sort, bool desc, bool backwards)
{
	read_order r;
	if (sort == ORGS_SORT_MEMBERS) {
		r.first_desc = !desc != backwards;
		r.slug_desc = backwards;
	} else {
		r.first_desc = r.slug_desc = desc != backwards;
	}
	return r;
}

static void order_by(strbuf *sql, const prof_orgs *o, orgs_sort sort, read_order ro)
{
	const char *dir = ro.first_desc ? " DESC" : "";
	sb_add(sql, " ORDER BY ");
	switch (sort) {
	case ORGS_SORT_SLUG:
		col(sql, "o", &o->slug);
		sb_add(sql, dir);
		break;
	case ORGS_SORT_CREATED:
		col(sql, "o", &o->created_at);
		sb_addf(sql, "%s, ", dir);
		col(sql, "o", &o->id);
		sb_add(sql, dir);
		break;
	case ORGS_SORT_MEMBERS:
		sb_addf(sql, "mc.members%s, ", dir);
		col(sql, "o", &o->slug);
		sb_add(sql, ro.slug_desc ? " DESC" : "");
		break;
	}
}

/* " AND <row comes after the key in the read's order>"; inclusive takes
 * the key's own row too. ka/kb are the key's parts (kb NULL for slugs). */
static void past_key(strbuf *sql, qparams *q, const prof_orgs *o, orgs_sort sort, read_order ro,
		     bool inclusive, const char *ka, const char *kb)
{
	const char *op = ro.first_desc ? (inclusive ? "<=" : "<") : (inclusive ? ">=" : ">");
	switch (sort) {
	case ORGS_SORT_SLUG:
		sb_add(sql, " AND ");
		col(sql, "o", &o->slug);
		sb_addf(sql, " %s $%d", op, qp(q, ka));
		break;
	case ORGS_SORT_CREATED:
		/* A row comparison: one index range on (created_at, id). */
		sb_add(sql, " AND (");
		col(sql, "o", &o->created_at);
		sb_add(sql, ", ");
		col(sql, "o", &o->id);
		sb_addf(sql, ") %s ($%d, $%d)", op, qp(q, ka), qp(q, kb));
		break;
	case ORGS_SORT_MEMBERS: {
		/* The count and the slug may go opposite ways: not a row comparison. */
		const char *sop = ro.slug_desc ? (inclusive ? "<=" : "<") : (inclusive ? ">=" : ">");
		int n = qp(q, ka);
		sb_addf(sql, " AND (mc.members %s $%d::bigint OR (mc.members = $%d::bigint AND ",
			ro.first_desc ? "<" : ">", n, n);
		col(sql, "o", &o->slug);
		sb_addf(sql, " %s $%d))", sop, qp(q, kb));
		break;
	}
	}
}

tc_status orgs_page(struct tc_session *s, const orgs_page_req *req, tc_result *out,
		    orgs_page_more *more, tc_error *err)
{
	res_init(out, RES_TABLE);
	more->before = more->after = false;
	tc_conn *c;
	const tc_profile *p;
	tc_status rc = open_profile(s, &c, &p, err);
	if (rc != TC_OK)
		return rc;
	const prof_orgs *o = &p->orgs;
	orgs_sort sort = req->sort;
	long limit = req->limit;
	if (limit < 1 || limit > ORGS_PAGE_MAX)
		limit = ORGS_PAGE_DEFAULT;
	if (sort == ORGS_SORT_CREATED &&
	    (rc = need(p, &o->created_at, "organizations", "created_at", "sorting by created", err)))
		return rc;
	if (sort == ORGS_SORT_MEMBERS && (rc = need(p, &p->members[SCOPE_ORG].table, "members.org",
						    "table", "sorting by members", err)))
		return rc;
	const char *key = req->from == ORGS_FIRST || req->from == ORGS_LAST ? NULL : req->key;
	const char *opt = req->from == ORGS_BEFORE ? "before" : "after";
	if (req->from != ORGS_FIRST && req->from != ORGS_LAST && (!key || !*key))
		return tc_fail(err, TC_ERR_USAGE, "--%s needs a key", opt);

	char *ka = NULL, *kb = NULL;
	if (key && sort != ORGS_SORT_SLUG) {
		rc = split_key(opt, key, sort == ORGS_SORT_CREATED ? "TIME|ID" : "MEMBERS|SLUG", &ka,
			       &kb, err);
		if (rc == TC_OK && sort == ORGS_SORT_MEMBERS && strspn(ka, "0123456789") != strlen(ka))
			rc = tc_fail(err, TC_ERR_USAGE,
				     "--%s '%s' is not a key of --sort members (MEMBERS|SLUG)", opt,
				     key);
		if (rc != TC_OK) {
			free(ka);
			free(kb);
			return rc;
		}
	} else if (key) {
		ka = xstrdup(key);
	}
	/* Read backwards for the page before a key and the last page; desc
	 * (the list shown the other way round) turns both ways over. */
	bool back_read = req->from == ORGS_BEFORE || req->from == ORGS_LAST;
	read_order ro = read_order_of(sort, req->desc, back_read);

	char *owner_roles = p->roles.owner.n ? profile_list_array(&p->roles.owner) : NULL;
	char *limit_s = xasprintf("%ld", limit + 1);
	qparams q = QPARAMS_INIT;
	strbuf sql = STRBUF_INIT;
	org_select(&sql, p, &q, owner_roles, sort == ORGS_SORT_MEMBERS,
		   req->findings ? conn_server_version(c) : -1);
	sb_add(&sql, " WHERE true");
	if (!req->deleted)
		live(&sql, "o", &o->deleted_at);
	if (key)
		past_key(&sql, &q, o, sort, ro, req->from == ORGS_AT, ka, kb);
	order_by(&sql, o, sort, ro);
	sb_addf(&sql, " LIMIT $%d::bigint", qp(&q, limit_s));

	db_rows rows = DB_ROWS_INIT;
	rc = db_query(c, sb_str(&sql), q.n, q.v, &rows, err);
	sb_free(&sql);
	qp_free(&q);
	free(limit_s);
	free(owner_roles);
	free(ka);
	free(kb);
	if (rc != TC_OK) {
		tc_error_prefix(err, "listing organizations: ");
		return rc;
	}
	org_columns(out, req->deleted, req->findings, NULL);
	res_add_detail_col(out, "key", RES_T_TEXT);
	size_t keycol = out->ncols - 1;
	size_t shown = rows.nrows > (size_t)limit ? (size_t)limit : rows.nrows;
	for (size_t i = 0; i < shown; i++) {
		/* In the order shown: a backwards read is turned around. */
		size_t r = back_read ? shown - 1 - i : i;
		size_t row = org_row_out(out, p, &rows, r, req->deleted, req->findings);
		char *k = row_key(sort, &rows, r);
		res_set(out, row, keycol, k);
		free(k);
	}
	bool beyond = rows.nrows > shown; /* more rows in the read's direction */
	if (back_read) {
		more->before = beyond;
		/* A page before a key has at least the key's row after it. */
		more->after = req->from == ORGS_BEFORE;
	} else {
		more->after = beyond;
		more->before = req->from == ORGS_AFTER || (req->from == ORGS_AT && shown > 0);
	}
	db_rows_free(&rows);
	return TC_OK;
}

tc_status orgs_page_key(struct tc_session *s, orgs_sort sort, const char *slug, char **key,
			tc_error *err)
{
	*key = NULL;
	tc_conn *c;
	const tc_profile *p;
	tc_status rc = open_profile(s, &c, &p, err);
	if (rc != TC_OK)
		return rc;
	if (sort == ORGS_SORT_SLUG) {
		*key = xstrdup(slug);
		return TC_OK;
	}
	char *owner_roles = p->roles.owner.n ? profile_list_array(&p->roles.owner) : NULL;
	qparams q = QPARAMS_INIT;
	strbuf sql = STRBUF_INIT;
	/* Not grouped: the counts of this one org. */
	org_select(&sql, p, &q, owner_roles, false, -1);
	sb_add(&sql, " WHERE ");
	col(&sql, "o", &p->orgs.slug);
	sb_addf(&sql, " = $%d", qp(&q, slug));
	live(&sql, "o", &p->orgs.deleted_at);
	sb_add(&sql, " LIMIT 1");
	db_rows rows = DB_ROWS_INIT;
	rc = db_query(c, sb_str(&sql), q.n, q.v, &rows, err);
	sb_free(&sql);
	qp_free(&q);
	free(owner_roles);
	if (rc == TC_OK && rows.nrows)
		*key = row_key(sort, &rows, 0);
	db_rows_free(&rows);
	return rc;
}

tc_status orgs_list(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_TABLE);
	orgs_page_req req = {ORGS_SORT_SLUG, ORGS_FIRST, NULL, ORGS_PAGE_DEFAULT, false, false, false};
	tc_status rc = limit_opt(call, &req.limit, err);
	if (rc != TC_OK)
		return rc;
	const char *sort_s = cmd_opt_value(call, "sort");
	if (!sort_s || !strcmp(sort_s, "slug"))
		req.sort = ORGS_SORT_SLUG;
	else if (!strcmp(sort_s, "created"))
		req.sort = ORGS_SORT_CREATED;
	else if (!strcmp(sort_s, "members"))
		req.sort = ORGS_SORT_MEMBERS;
	else
		return tc_fail(err, TC_ERR_USAGE, "--sort takes slug, created or members, not '%s'",
			       sort_s);
	req.deleted = cmd_opt_value(call, "deleted") != NULL;
	req.findings = cmd_opt_value(call, "findings") != NULL;
	req.desc = cmd_opt_value(call, "reverse") != NULL;
	const char *after = cmd_opt_value(call, "after"), *before = cmd_opt_value(call, "before");
	bool last = cmd_opt_value(call, "last") != NULL;
	if ((after != NULL) + (before != NULL) + last > 1)
		return tc_fail(err, TC_ERR_USAGE, "--after, --before and --last choose the page: "
						  "give one of them");
	if (after) {
		req.from = ORGS_AFTER;
		req.key = after;
	} else if (before) {
		req.from = ORGS_BEFORE;
		req.key = before;
	} else if (last) {
		req.from = ORGS_LAST;
	}
	orgs_page_more more;
	rc = orgs_page(s, &req, out, &more, err);
	if (rc != TC_OK)
		return rc;
	size_t n = out->nrows, keycol = out->ncols - 1;
	const char *first = n ? res_get(out, 0, keycol) : NULL;
	const char *lastkey = n ? res_get(out, n - 1, keycol) : NULL;
	const char *orgs = n == 1 ? "organization" : "organizations";
	if (n == 0 && req.key)
		res_set_summary(out, "no organizations %s '%s'", before ? "before" : "after",
				req.key);
	else if (n == 0)
		res_set_summary(out, "no organizations%s",
				req.deleted ? "" : " (pass --deleted to include deleted ones)");
	else if (req.from == ORGS_BEFORE || req.from == ORGS_LAST) {
		if (more.before)
			res_set_summary(out, "%zu %s%s; previous page: --before '%s'", n, orgs,
					last ? " (the last page)" : "", first);
		else
			res_set_summary(out, "%zu %s (first page)", n, orgs);
	} else if (more.after)
		res_set_summary(out, "%zu %s; next page: --after '%s'", n, orgs, lastkey);
	else
		res_set_summary(out, "%zu %s (last page)", n, orgs);
	return TC_OK;
}

/* ------------------------------------------------------------------ orgs search */

/* Lower-case ASCII (slugs are lower case in every shape we map). */
static char *ascii_lower(const char *s)
{
	char *d = xstrdup(s);
	for (char *c = d; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + ('a' - 'A'));
	return d;
}

/* Organizations matching text: slug prefix first (the slug index answers
 * it), then slug or name containing the text, up to limit rows in all.
 * Appends org_select rows to *prefix_rows and *sub_rows. */
static tc_status search_rows(tc_conn *c, const tc_profile *p, const char *text, long limit,
			     bool findings, db_rows *prefix_rows, db_rows *sub_rows, tc_error *err)
{
	const prof_orgs *o = &p->orgs;
	char *owner_roles = p->roles.owner.n ? profile_list_array(&p->roles.owner) : NULL;
	char *lower = ascii_lower(text);
	strbuf prefix = STRBUF_INIT, sub = STRBUF_INIT;
	like_escape(&prefix, lower);
	sb_addc(&prefix, '%');
	sb_addc(&sub, '%');
	like_escape(&sub, text);
	sb_addc(&sub, '%');
	char *limit_s = xasprintf("%ld", limit);

	int fv = findings ? conn_server_version(c) : -1;
	qparams q = QPARAMS_INIT;
	strbuf sql = STRBUF_INIT;
	org_select(&sql, p, &q, owner_roles, false, fv);
	sb_add(&sql, " WHERE ");
	col(&sql, "o", &o->slug);
	int pp = qp(&q, sb_str(&prefix));
	sb_addf(&sql, " LIKE $%d ESCAPE '%c'", pp, LIKE_ESC);
	live(&sql, "o", &o->deleted_at);
	sb_add(&sql, " ORDER BY ");
	col(&sql, "o", &o->slug);
	sb_addf(&sql, " LIMIT $%d::bigint", qp(&q, limit_s));
	tc_status rc = db_query(c, sb_str(&sql), q.n, q.v, prefix_rows, err);

	if (rc == TC_OK && prefix_rows->nrows < (size_t)limit) {
		free(limit_s);
		limit_s = xasprintf("%ld", limit - (long)prefix_rows->nrows);
		qp_free(&q);
		sb_reset(&sql);
		org_select(&sql, p, &q, owner_roles, false, fv);
		int ps = qp(&q, sb_str(&sub));
		pp = qp(&q, sb_str(&prefix));
		sb_add(&sql, " WHERE (");
		col(&sql, "o", &o->slug);
		sb_addf(&sql, "::text ILIKE $%d ESCAPE '%c' OR ", ps, LIKE_ESC);
		col(&sql, "o", &o->name);
		sb_addf(&sql, "::text ILIKE $%d ESCAPE '%c') AND ", ps, LIKE_ESC);
		col(&sql, "o", &o->slug);
		sb_addf(&sql, " NOT LIKE $%d ESCAPE '%c'", pp, LIKE_ESC);
		live(&sql, "o", &o->deleted_at);
		sb_add(&sql, " ORDER BY ");
		col(&sql, "o", &o->slug);
		sb_addf(&sql, " LIMIT $%d::bigint", qp(&q, limit_s));
		rc = db_query(c, sb_str(&sql), q.n, q.v, sub_rows, err);
	}
	qp_free(&q);
	sb_free(&sql);
	sb_free(&prefix);
	sb_free(&sub);
	free(limit_s);
	free(lower);
	free(owner_roles);
	return rc;
}

tc_status orgs_search(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_TABLE);
	tc_conn *c;
	const tc_profile *p;
	tc_status rc = open_profile(s, &c, &p, err);
	if (rc != TC_OK)
		return rc;
	long limit;
	if ((rc = limit_opt(call, &limit, err)) != TC_OK)
		return rc;
	const char *text = call->args[0];
	if (!*text)
		return tc_fail(err, TC_ERR_USAGE, "orgs search needs some text to look for");
	db_rows pre = DB_ROWS_INIT, sub = DB_ROWS_INIT;
	bool findings = cmd_opt_value(call, "findings") != NULL;
	rc = search_rows(c, p, text, limit, findings, &pre, &sub, err);
	if (rc != TC_OK) {
		db_rows_free(&pre);
		db_rows_free(&sub);
		tc_error_prefix(err, "searching organizations for '%s': ", text);
		return rc;
	}
	org_columns(out, false, findings, "match");
	for (size_t r = 0; r < pre.nrows; r++)
		res_set(out, org_row_out(out, p, &pre, r, false, findings), out->ncols - 1, "prefix");
	for (size_t r = 0; r < sub.nrows; r++)
		res_set(out, org_row_out(out, p, &sub, r, false, findings), out->ncols - 1,
			"substring");
	size_t n = pre.nrows + sub.nrows;
	if (n == 0)
		res_set_summary(out, "no organization's slug or name contains '%s'", text);
	else
		res_set_summary(out, "%zu match%s (%zu by slug prefix, %zu containing the text)%s", n,
				n == 1 ? "" : "es", pre.nrows, sub.nrows,
				n == (size_t)limit ? "; there may be more: raise --limit" : "");
	db_rows_free(&pre);
	db_rows_free(&sub);
	return TC_OK;
}

/* ------------------------------------------------------------------ one org */

typedef struct org_rec {
	char *id, *slug, *name, *plan, *owner_id, *created, *deleted;
	char **res; /* one per profile resource; NULL entries are SQL NULL */
	size_t nres;
} org_rec;

static void org_free(org_rec *g)
{
	free(g->id);
	free(g->slug);
	free(g->name);
	free(g->plan);
	free(g->owner_id);
	free(g->created);
	free(g->deleted);
	for (size_t i = 0; i < g->nres; i++)
		free(g->res[i]);
	free(g->res);
	memset(g, 0, sizeof *g);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The organization with this slug (the live one first when a deleted one
 * shares it); *found false when there is none. for_update locks the row. */
static tc_status org_fetch(tc_conn *c, const tc_profile *p, const char *slug, bool for_update,
			   org_rec *g, bool *found, tc_error *err)
{
	const prof_orgs *o = &p->orgs;
	memset(g, 0, sizeof *g);
	*found = false;
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT ");
	col(&sql, "o", &o->id);
	sb_add(&sql, "::text, ");
	col(&sql, "o", &o->slug);
	sb_add(&sql, "::text, ");
	col(&sql, "o", &o->name);
	sb_add(&sql, "::text");
	const prof_ident *opt[] = {&o->plan, &o->owner, &o->created_at, &o->deleted_at};
	for (size_t i = 0; i < 4; i++) {
		sb_add(&sql, ", ");
		if (profile_mapped(opt[i])) {
			col(&sql, "o", opt[i]);
			sb_add(&sql, "::text");
		} else {
			sb_add(&sql, "NULL::text");
		}
	}
	for (size_t i = 0; i < o->n_resources; i++) {
		sb_add(&sql, ", ");
		col(&sql, "o", &o->resources[i].column);
		sb_add(&sql, "::text");
	}
	sb_add(&sql, " FROM ");
	profile_table_sql(&sql, &o->table);
	sb_add(&sql, " o WHERE ");
	col(&sql, "o", &o->slug);
	sb_add(&sql, " = $1");
	if (profile_mapped(&o->deleted_at)) {
		sb_add(&sql, " ORDER BY ");
		col(&sql, "o", &o->deleted_at);
		sb_add(&sql, " IS NOT NULL");
	}
	sb_add(&sql, " LIMIT 1");
	if (for_update)
		sb_add(&sql, " FOR UPDATE");
	const char *params[] = {slug};
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&sql), 1, params, &rows, err);
	sb_free(&sql);
	if (rc != TC_OK) {
		tc_error_prefix(err, "reading organization '%s': ", slug);
		return rc;
	}
	if (rows.nrows) {
		*found = true;
		g->id = dup_or_null(db_get(&rows, 0, 0));
		g->slug = dup_or_null(db_get(&rows, 0, 1));
		g->name = dup_or_null(db_get(&rows, 0, 2));
		g->plan = dup_or_null(db_get(&rows, 0, 3));
		g->owner_id = dup_or_null(db_get(&rows, 0, 4));
		g->created = dup_or_null(db_get(&rows, 0, 5));
		g->deleted = dup_or_null(db_get(&rows, 0, 6));
		g->nres = o->n_resources;
		g->res = xcalloc(g->nres ? g->nres : 1, sizeof *g->res);
		for (size_t i = 0; i < g->nres; i++)
			g->res[i] = dup_or_null(db_get(&rows, 0, 7 + i));
	}
	db_rows_free(&rows);
	return TC_OK;
}

/* "no organization 'x'", with the slugs that look like it. */
static tc_status no_such_org(tc_conn *c, const tc_profile *p, const char *slug, tc_error *err)
{
	/* A short prefix of what was typed, then anything containing it. */
	size_t plen = strlen(slug) < 3 ? strlen(slug) : 3;
	char *head = xstrndup(slug, plen);
	db_rows pre = DB_ROWS_INIT, sub = DB_ROWS_INIT;
	tc_error ignored = TC_ERROR_INIT;
	strbuf names = STRBUF_INIT;
	if (plen && search_rows(c, p, head, 5, false, &pre, &sub, &ignored) == TC_OK) {
		for (size_t r = 0; r < pre.nrows; r++)
			sb_addf(&names, "%s%s", names.len ? ", " : "", db_get(&pre, r, OS_SLUG));
		for (size_t r = 0; r < sub.nrows; r++)
			sb_addf(&names, "%s%s", names.len ? ", " : "", db_get(&sub, r, OS_SLUG));
	}
	tc_error_clear(&ignored);
	db_rows_free(&pre);
	db_rows_free(&sub);
	free(head);
	tc_fail(err, TC_ERR_USAGE, "no organization '%s'", slug);
	if (names.len)
		tc_hint(err, "did you mean %s? (`tenantctl orgs search TEXT` finds more)",
			sb_str(&names));
	else
		tc_hint(err, "`tenantctl orgs search TEXT` finds organizations by slug or name");
	sb_free(&names);
	return TC_ERR_USAGE;
}

/* Count rows: "SELECT count(*) ...", one parameter (the org id). */
static tc_status count1(tc_conn *c, const char *sql, const char *id, char **out, tc_error *err)
{
	db_rows rows = DB_ROWS_INIT;
	const char *params[] = {id};
	tc_status rc = db_query(c, sql, 1, params, &rows, err);
	*out = rc == TC_OK ? dup_or_null(db_get(&rows, 0, 0)) : NULL;
	db_rows_free(&rows);
	return rc;
}

/* The FROM/WHERE of "live members of scope s in org $1": the scope's
 * membership table, joined to its workspace or project for the org. */
static bool members_from(strbuf *sb, const tc_profile *p, prof_scope s)
{
	const prof_members *m = &p->members[s];
	if (!profile_mapped(&m->table) || !profile_mapped(&m->scope))
		return false;
	sb_add(sb, " FROM ");
	profile_table_sql(sb, &m->table);
	sb_add(sb, " m");
	if (s == SCOPE_ORG) {
		sb_add(sb, " WHERE ");
		col(sb, "m", &m->scope);
		sb_add(sb, " = $1");
	} else {
		const prof_ident *t = s == SCOPE_WORKSPACE ? &p->workspaces.table : &p->projects.table;
		const prof_ident *id = s == SCOPE_WORKSPACE ? &p->workspaces.id : &p->projects.id;
		const prof_ident *org = s == SCOPE_WORKSPACE ? &p->workspaces.org : &p->projects.org;
		const prof_ident *del = s == SCOPE_WORKSPACE ? &p->workspaces.deleted_at
							     : &p->projects.deleted_at;
		if (!profile_mapped(t) || !profile_mapped(id) || !profile_mapped(org))
			return false;
		sb_add(sb, " JOIN ");
		profile_table_sql(sb, t);
		sb_add(sb, " x ON ");
		col(sb, "x", id);
		sb_add(sb, " = ");
		col(sb, "m", &m->scope);
		sb_add(sb, " WHERE ");
		col(sb, "x", org);
		sb_add(sb, " = $1");
		live(sb, "x", del);
	}
	live(sb, "m", &m->deleted_at);
	return true;
}

/* "owner 1, developer 2 (3 in all)" for one scope, or NULL when unmapped. */
static tc_status members_by_role(tc_conn *c, const tc_profile *p, prof_scope s, const char *id,
				 char **out, tc_error *err)
{
	*out = NULL;
	const prof_members *m = &p->members[s];
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT ");
	if (profile_mapped(&m->role)) {
		sb_add(&sql, "coalesce(");
		col(&sql, "m", &m->role);
		sb_add(&sql, "::text, '(no role)')");
	} else {
		sb_add(&sql, "'(roles not mapped)'::text");
	}
	sb_add(&sql, " AS role, count(*)");
	if (!members_from(&sql, p, s)) {
		sb_free(&sql);
		return TC_OK;
	}
	/* Known roles in the profile's order, then the rest by name. */
	char *known = profile_list_array(&p->roles.known);
	sb_add(&sql, " GROUP BY 1 ORDER BY array_position($2::text[], min(");
	if (profile_mapped(&m->role))
		col(&sql, "m", &m->role);
	else
		sb_add(&sql, "NULL");
	sb_add(&sql, "::text)), 1");
	const char *params[] = {id, known};
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&sql), 2, params, &rows, err);
	sb_free(&sql);
	free(known);
	if (rc != TC_OK)
		return rc;
	strbuf sb = STRBUF_INIT;
	long total = 0;
	for (size_t r = 0; r < rows.nrows; r++) {
		sb_addf(&sb, "%s%s %s", r ? ", " : "", db_get(&rows, r, 0), db_get(&rows, r, 1));
		total += atol(db_get(&rows, r, 1));
	}
	if (rows.nrows == 0)
		sb_add(&sb, "none");
	else
		sb_addf(&sb, " (%ld in all)", total);
	db_rows_free(&rows);
	*out = sb_steal(&sb);
	return TC_OK;
}

/* Live rows of a child table (workspaces, projects) of org $1. */
static tc_status children(tc_conn *c, const prof_ident *t, const prof_ident *org,
			  const prof_ident *del, const char *id, char **out, tc_error *err)
{
	*out = NULL;
	if (!profile_mapped(t) || !profile_mapped(org))
		return TC_OK;
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT count(*) FROM ");
	profile_table_sql(&sql, t);
	sb_add(&sql, " x WHERE ");
	col(&sql, "x", org);
	sb_add(&sql, " = $1");
	live(&sql, "x", del);
	tc_status rc = count1(c, sb_str(&sql), id, out, err);
	sb_free(&sql);
	return rc;
}

/* Live members of the org with one of the owner roles, by email. */
static tc_status owner_members(tc_conn *c, const tc_profile *p, const char *id, char **out,
			       tc_error *err)
{
	*out = NULL;
	const prof_members *m = &p->members[SCOPE_ORG];
	const prof_users *u = &p->users;
	if (!p->roles.owner.n || !profile_mapped(&m->role) || !profile_mapped(&m->user) ||
	    !profile_mapped(&u->table) || !profile_mapped(&u->id) || !profile_mapped(&u->email))
		return TC_OK;
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT string_agg(e, ', ' ORDER BY e) FROM (SELECT coalesce(");
	col(&sql, "u", &u->email);
	sb_add(&sql, "::text, '(no user)') AS e FROM (SELECT ");
	col(&sql, "m", &m->user);
	sb_add(&sql, " AS uid");
	if (!members_from(&sql, p, SCOPE_ORG)) {
		sb_free(&sql);
		return TC_OK;
	}
	sb_add(&sql, " AND ");
	col(&sql, "m", &m->role);
	sb_add(&sql, "::text = ANY($2::text[]) LIMIT 20) om LEFT JOIN ");
	profile_table_sql(&sql, &u->table);
	sb_add(&sql, " u ON ");
	col(&sql, "u", &u->id);
	sb_add(&sql, " = om.uid) z");
	char *roles = profile_list_array(&p->roles.owner);
	const char *params[] = {id, roles};
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&sql), 2, params, &rows, err);
	sb_free(&sql);
	free(roles);
	if (rc == TC_OK) {
		const char *v = db_get(&rows, 0, 0);
		*out = xstrdup(v ? v : "none");
	}
	db_rows_free(&rows);
	return rc;
}

/* The email of a user by id, or NULL. */
static tc_status user_email(tc_conn *c, const tc_profile *p, const char *uid, char **out,
			    tc_error *err)
{
	*out = NULL;
	const prof_users *u = &p->users;
	if (!uid || !profile_mapped(&u->table) || !profile_mapped(&u->id) ||
	    !profile_mapped(&u->email))
		return TC_OK;
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT ");
	col(&sql, "u", &u->email);
	sb_add(&sql, "::text");
	if (profile_mapped(&u->deleted_at)) {
		sb_add(&sql, " || CASE WHEN ");
		col(&sql, "u", &u->deleted_at);
		sb_add(&sql, " IS NULL THEN '' ELSE ' (deleted user)' END");
	}
	sb_add(&sql, " FROM ");
	profile_table_sql(&sql, &u->table);
	sb_add(&sql, " u WHERE ");
	col(&sql, "u", &u->id);
	sb_add(&sql, " = $1");
	tc_status rc = count1(c, sb_str(&sql), uid, out, err);
	sb_free(&sql);
	return rc;
}

tc_status orgs_show(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_RECORD);
	tc_conn *c;
	const tc_profile *p;
	tc_status rc = open_profile(s, &c, &p, err);
	if (rc != TC_OK)
		return rc;
	const char *slug = call->args[0];
	org_rec g;
	bool found;
	if ((rc = org_fetch(c, p, slug, false, &g, &found, err)) != TC_OK)
		return rc;
	if (!found)
		return no_such_org(c, p, slug, err);

	char *owner = NULL, *owners = NULL, *scopes[SCOPE_N] = {NULL}, *ws = NULL, *pj = NULL;
	rc = user_email(c, p, g.owner_id, &owner, err);
	if (rc == TC_OK)
		rc = owner_members(c, p, g.id, &owners, err);
	for (int sc = 0; sc < SCOPE_N && rc == TC_OK; sc++)
		rc = members_by_role(c, p, (prof_scope)sc, g.id, &scopes[sc], err);
	if (rc == TC_OK)
		rc = children(c, &p->workspaces.table, &p->workspaces.org, &p->workspaces.deleted_at,
			      g.id, &ws, err);
	if (rc == TC_OK)
		rc = children(c, &p->projects.table, &p->projects.org, &p->projects.deleted_at, g.id,
			      &pj, err);
	if (rc != TC_OK) {
		tc_error_prefix(err, "reading organization '%s': ", slug);
	} else {
		res_add_col(out, "slug", RES_T_TEXT);
		res_add_col(out, "name", RES_T_TEXT);
		res_add_col(out, "id", RES_T_TEXT);
		res_add_col(out, "plan", RES_T_TEXT);
		res_add_col(out, "owner", RES_T_TEXT);
		res_add_col(out, "owner_members", RES_T_TEXT);
		res_add_col(out, "created", RES_T_TEXT);
		res_add_col(out, "deleted", RES_T_TEXT);
		for (size_t i = 0; i < g.nres; i++) {
			char *k = xasprintf("resource.%s", p->orgs.resources[i].name);
			res_add_col(out, k, RES_T_TEXT);
			free(k);
		}
		for (int sc = 0; sc < SCOPE_N; sc++) {
			char *k = xasprintf("members.%s", profile_scope_name((prof_scope)sc));
			res_add_col(out, k, RES_T_TEXT);
			free(k);
		}
		res_add_col(out, "workspaces", RES_T_INT);
		res_add_col(out, "projects", RES_T_INT);
		res_add_col(out, "audit", RES_T_TEXT);
		size_t r = res_add_row(out), k = 0;
		res_set(out, r, k++, g.slug);
		res_set(out, r, k++, g.name);
		res_set(out, r, k++, g.id);
		res_set(out, r, k++, g.plan);
		/* NULL where the profile maps nothing: unknown, not "none". */
		const char *none = profile_mapped(&p->orgs.owner) ? "none" : NULL;
		const char *live_org = profile_mapped(&p->orgs.deleted_at) ? "no" : NULL;
		if (owner || !g.owner_id)
			res_set(out, r, k++, owner ? owner : none);
		else
			res_setf(out, r, k++, "%s (no such user)", g.owner_id);
		res_set(out, r, k++, owners);
		res_set(out, r, k++, g.created);
		res_set(out, r, k++, g.deleted ? g.deleted : live_org);
		for (size_t i = 0; i < g.nres; i++)
			res_set(out, r, k++, g.res[i] ? g.res[i] : "none");
		for (int sc = 0; sc < SCOPE_N; sc++)
			res_set(out, r, k++, scopes[sc]);
		res_set(out, r, k++, ws);
		res_set(out, r, k++, pj);
		strbuf findings = STRBUF_INIT;
		tc_error aerr = TC_ERROR_INIT;
		if (audit_org_summary(s, g.slug, &findings, &aerr) != TC_OK) {
			sb_reset(&findings);
			sb_addf(&findings, "unknown (%s)", aerr.message);
			tc_error_clear(&aerr);
		}
		res_set(out, r, k++, sb_str(&findings));
		sb_free(&findings);
	}
	free(owner);
	free(owners);
	for (int sc = 0; sc < SCOPE_N; sc++)
		free(scopes[sc]);
	free(ws);
	free(pj);
	org_free(&g);
	return rc;
}

/* ------------------------------------------------------------------ the console's org screen */

/* A name column, or the id where the profile maps no name. */
static void name_or_id(strbuf *sb, const char *alias, const prof_ident *name, const prof_ident *id)
{
	col(sb, alias, profile_mapped(name) ? name : id);
	sb_add(sb, "::text");
}

tc_status orgs_tree(struct tc_session *s, const char *slug, tc_result *out, tc_error *err)
{
	res_init(out, RES_TABLE);
	tc_conn *c;
	const tc_profile *p;
	tc_status rc = open_profile(s, &c, &p, err);
	if (rc != TC_OK)
		return rc;
	org_rec g;
	bool found;
	if ((rc = org_fetch(c, p, slug, false, &g, &found, err)) != TC_OK)
		return rc;
	if (!found)
		return no_such_org(c, p, slug, err);
	const prof_workspaces *w = &p->workspaces;
	const prof_projects *pj = &p->projects;
	res_add_col(out, "workspace", RES_T_TEXT);
	res_add_col(out, "project", RES_T_TEXT);
	res_add_col(out, "note", RES_T_TEXT);
	bool have_ws = profile_mapped(&w->table) && profile_mapped(&w->id) && profile_mapped(&w->org);
	bool have_pj = profile_mapped(&pj->table) && profile_mapped(&pj->id) &&
		       profile_mapped(&pj->org);
	if (!have_ws && !have_pj) {
		org_free(&g);
		res_set_summary(out, "the tenancy profile maps no workspaces or projects");
		return TC_OK;
	}
	bool linked = have_ws && have_pj && profile_mapped(&pj->workspace);
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT * FROM (");
	if (have_ws) {
		/* The org's live workspaces with the live projects in them (a
		 * project of another organization in one of them is said so). */
		sb_add(&sql, "SELECT ");
		name_or_id(&sql, "w", &w->name, &w->id);
		sb_add(&sql, " AS workspace, ");
		if (linked) {
			sb_add(&sql, "x.pname AS project, CASE WHEN x.pid IS NOT NULL AND x.porg IS "
				     "DISTINCT FROM ");
			col(&sql, "w", &w->org);
			sb_add(&sql, " THEN 'a project of organization ' || coalesce((SELECT ");
			col(&sql, "o2", &p->orgs.slug);
			sb_add(&sql, "::text FROM ");
			profile_table_sql(&sql, &p->orgs.table);
			sb_add(&sql, " o2 WHERE ");
			col(&sql, "o2", &p->orgs.id);
			sb_add(&sql, " = x.porg), 'none') END AS note FROM ");
		} else {
			sb_add(&sql, "NULL::text AS project, NULL::text AS note FROM ");
		}
		profile_table_sql(&sql, &w->table);
		sb_add(&sql, " w");
		if (linked) {
			sb_add(&sql, " LEFT JOIN LATERAL (SELECT ");
			col(&sql, "pp", &pj->id);
			sb_add(&sql, " AS pid, ");
			col(&sql, "pp", &pj->org);
			sb_add(&sql, " AS porg, ");
			name_or_id(&sql, "pp", &pj->name, &pj->id);
			sb_add(&sql, " AS pname FROM ");
			profile_table_sql(&sql, &pj->table);
			sb_add(&sql, " pp WHERE ");
			col(&sql, "pp", &pj->workspace);
			sb_add(&sql, " = ");
			col(&sql, "w", &w->id);
			live(&sql, "pp", &pj->deleted_at);
			sb_add(&sql, ") x ON true");
		}
		sb_add(&sql, " WHERE ");
		col(&sql, "w", &w->org);
		sb_add(&sql, " = $1");
		live(&sql, "w", &w->deleted_at);
	}
	if (have_pj) {
		/* The org's live projects outside its live workspaces. */
		if (have_ws)
			sb_add(&sql, " UNION ALL ");
		sb_add(&sql, "SELECT ");
		if (linked) {
			sb_add(&sql, "(SELECT ");
			name_or_id(&sql, "w3", &w->name, &w->id);
			sb_add(&sql, " FROM ");
			profile_table_sql(&sql, &w->table);
			sb_add(&sql, " w3 WHERE ");
			col(&sql, "w3", &w->id);
			sb_add(&sql, " = ");
			col(&sql, "pp", &pj->workspace);
			sb_add(&sql, ")");
		} else {
			sb_add(&sql, "NULL::text");
		}
		sb_add(&sql, " AS workspace, ");
		name_or_id(&sql, "pp", &pj->name, &pj->id);
		sb_add(&sql, " AS project, ");
		if (linked) {
			sb_add(&sql, "CASE WHEN ");
			col(&sql, "pp", &pj->workspace);
			sb_add(&sql, " IS NULL THEN 'in no workspace' ELSE 'in a workspace of "
				     "organization ' || coalesce((SELECT ");
			col(&sql, "o3", &p->orgs.slug);
			sb_add(&sql, "::text FROM ");
			profile_table_sql(&sql, &w->table);
			sb_add(&sql, " w4 JOIN ");
			profile_table_sql(&sql, &p->orgs.table);
			sb_add(&sql, " o3 ON ");
			col(&sql, "o3", &p->orgs.id);
			sb_add(&sql, " = ");
			col(&sql, "w4", &w->org);
			sb_add(&sql, " WHERE ");
			col(&sql, "w4", &w->id);
			sb_add(&sql, " = ");
			col(&sql, "pp", &pj->workspace);
			sb_add(&sql, "), 'none') || CASE WHEN (SELECT ");
			if (profile_mapped(&w->deleted_at))
				col(&sql, "w5", &w->deleted_at);
			else
				sb_add(&sql, "NULL::timestamptz");
			sb_add(&sql, " FROM ");
			profile_table_sql(&sql, &w->table);
			sb_add(&sql, " w5 WHERE ");
			col(&sql, "w5", &w->id);
			sb_add(&sql, " = ");
			col(&sql, "pp", &pj->workspace);
			sb_add(&sql, ") IS NOT NULL THEN ' (deleted)' ELSE '' END END");
		} else {
			sb_add(&sql, "NULL::text");
		}
		sb_add(&sql, " AS note FROM ");
		profile_table_sql(&sql, &pj->table);
		sb_add(&sql, " pp WHERE ");
		col(&sql, "pp", &pj->org);
		sb_add(&sql, " = $1");
		live(&sql, "pp", &pj->deleted_at);
		if (linked) {
			/* Not in a live workspace of its own org (those are above). */
			sb_add(&sql, " AND NOT EXISTS (SELECT 1 FROM ");
			profile_table_sql(&sql, &w->table);
			sb_add(&sql, " w2 WHERE ");
			col(&sql, "w2", &w->id);
			sb_add(&sql, " = ");
			col(&sql, "pp", &pj->workspace);
			sb_add(&sql, " AND ");
			col(&sql, "w2", &w->org);
			sb_add(&sql, " = ");
			col(&sql, "pp", &pj->org);
			live(&sql, "w2", &w->deleted_at);
			sb_add(&sql, ")");
		}
	}
	sb_add(&sql, ") t ORDER BY t.workspace COLLATE \"C\" NULLS LAST, t.project COLLATE \"C\" "
		     "NULLS FIRST LIMIT 501");
	const char *params[] = {g.id};
	db_rows rows = DB_ROWS_INIT;
	rc = db_query(c, sb_str(&sql), 1, params, &rows, err);
	sb_free(&sql);
	if (rc != TC_OK) {
		tc_error_prefix(err, "reading the workspaces and projects of '%s': ", slug);
		org_free(&g);
		return rc;
	}
	size_t shown = rows.nrows > 500 ? 500 : rows.nrows;
	for (size_t r = 0; r < shown; r++) {
		size_t i = res_add_row(out);
		for (size_t k = 0; k < 3; k++)
			res_set(out, i, k, db_get(&rows, r, k));
	}
	if (rows.nrows > shown)
		res_set_summary(out, "the first %zu rows; there are more", shown);
	db_rows_free(&rows);
	org_free(&g);
	return TC_OK;
}

tc_status orgs_findings(struct tc_session *s, const char *slug, long samples, tc_result *out,
			tc_error *err)
{
	res_init(out, RES_TABLE);
	/* The audit of one org through the command table's own options, as
	 * audit_org_summary does: one way in. */
	const cmd_spec *spec = cmd_find("audit");
	const cmd_opt *org_opt = NULL, *samples_opt = NULL;
	for (const cmd_opt *o = spec->opts; o->name; o++) {
		if (!strcmp(o->name, "org"))
			org_opt = o;
		if (!strcmp(o->name, "samples"))
			samples_opt = o;
	}
	char *n = xasprintf("%ld", samples);
	cmd_optval opts[] = {{org_opt, (char *)slug}, {samples_opt, n}};
	cmd_call call = {.spec = spec, .opts = opts, .nopts = 2};
	tc_result r;
	tc_status rc = audit_run(s, &call, &r, err);
	free(n);
	if (rc != TC_OK && rc != TC_FINDINGS) {
		res_free(&r);
		return rc;
	}
	rc = TC_OK;
	res_add_col(out, "check", RES_T_TEXT);
	res_add_col(out, "severity", RES_T_TEXT);
	res_add_col(out, "count", RES_T_INT);
	res_add_col(out, "user", RES_T_TEXT);
	res_add_col(out, "role", RES_T_TEXT);
	res_add_col(out, "detail", RES_T_TEXT);
	res_add_col(out, "explanation", RES_T_TEXT);
	res_add_col(out, "fix", RES_T_TEXT);
	/* The samples are JSON: the server reads them back into rows. */
	prof_list json = {xcalloc(r.nrows + 1, sizeof(char *)), 0, 0};
	size_t *which = xcalloc(r.nrows + 1, sizeof *which);
	for (size_t i = 0; i < r.nrows; i++) {
		const char *count = res_get(&r, i, 2);
		if (!count || !strcmp(count, "0"))
			continue;
		which[json.n] = i;
		json.v[json.n++] = (char *)(res_get(&r, i, 4) ? res_get(&r, i, 4) : "[]");
	}
	db_rows rows = DB_ROWS_INIT;
	tc_conn *c;
	if (json.n) {
		char *lit = profile_list_array(&json);
		const char *params[] = {lit};
		rc = session_conn(s, &c, err);
		if (rc == TC_OK)
			rc = db_query(c,
				      "SELECT a.ord::int, e.v->>'user', e.v->>'role', e.v->>'detail' "
				      "FROM unnest($1::text[]) WITH ORDINALITY a(j, ord) LEFT JOIN "
				      "LATERAL jsonb_array_elements(a.j::jsonb) WITH ORDINALITY e(v, n) "
				      "ON true ORDER BY a.ord, e.n",
				      1, params, &rows, err);
		free(lit);
	}
	for (size_t k = 0; rc == TC_OK && k < rows.nrows; k++) {
		size_t i = which[atol(db_get(&rows, k, 0)) - 1];
		size_t row = res_add_row(out);
		res_set(out, row, 0, res_get(&r, i, 0));
		res_set(out, row, 1, res_get(&r, i, 1));
		res_set(out, row, 2, res_get(&r, i, 2));
		res_set(out, row, 3, db_get(&rows, k, 1));
		res_set(out, row, 4, db_get(&rows, k, 2));
		res_set(out, row, 5, db_get(&rows, k, 3));
		res_set(out, row, 6, res_get(&r, i, 5));
		res_set(out, row, 7, res_get(&r, i, 6));
	}
	if (rc == TC_OK && r.summary)
		res_set_summary(out, "%s", r.summary);
	db_rows_free(&rows);
	free(json.v);
	free(which);
	res_free(&r);
	return rc;
}

/* ------------------------------------------------------------------ plans and resources */

static bool list_mapped(const prof_list *l)
{
	return l->n > 0;
}

static tc_status check_plan(const tc_profile *p, const char *plan, tc_error *err)
{
	tc_status rc = need(p, &p->orgs.plan, "organizations", "plan", "a plan", err);
	if (rc != TC_OK)
		return rc;
	const prof_resources *r = &p->resources;
	if (!list_mapped(&r->paid_plans) && !list_mapped(&r->free_plans))
		return TC_OK; /* the database's own constraint decides */
	if (profile_list_has(&r->paid_plans, plan) || profile_list_has(&r->free_plans, plan))
		return TC_OK;
	strbuf known = STRBUF_INIT;
	for (size_t i = 0; i < r->free_plans.n; i++)
		sb_addf(&known, "%s%s", known.len ? ", " : "", r->free_plans.v[i]);
	for (size_t i = 0; i < r->paid_plans.n; i++)
		sb_addf(&known, "%s%s", known.len ? ", " : "", r->paid_plans.v[i]);
	tc_fail(err, TC_ERR_USAGE, "unknown plan '%s': the plans are %s", plan, sb_str(&known));
	tc_hint(err, "the plans come from free_plans and paid_plans under [resources] in %s",
		profile_file(p));
	sb_free(&known);
	return TC_ERR_USAGE;
}

/* "{slug}-events" with the slug put in. */
static char *expand_template(const char *tpl, const char *slug)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "");
	for (const char *t = tpl; *t;) {
		if (!strncmp(t, "{slug}", 6)) {
			sb_add(&sb, slug);
			t += 6;
		} else {
			sb_addc(&sb, *t++);
		}
	}
	return sb_steal(&sb);
}

/* The value resource r should hold on plan (owned, NULL for none). The
 * rules: a value given for the plan wins (retention per plan); a free plan
 * clears the resource; a paid plan keeps what is there or provisions it
 * from the template; a plan in neither list leaves it alone. */
static char *resource_target(const tc_profile *p, const prof_resource *r, const char *plan,
			     const char *slug, const char *cur)
{
	for (size_t i = 0; plan && i < r->n_plans; i++)
		if (!strcmp(r->plan_names[i], plan))
			return xstrdup(r->plan_values[i]);
	if (plan && profile_list_has(&p->resources.free_plans, plan))
		return NULL;
	if (plan && profile_list_has(&p->resources.paid_plans, plan)) {
		if (cur)
			return xstrdup(cur);
		return r->provision ? expand_template(r->provision, slug) : NULL;
	}
	return dup_or_null(cur);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Preview lines "  resource NAME (column): before → after" and the SET list
 * of what changes; *changed counts the changes. next[] is filled. */
static void resources_plan(const tc_profile *p, const org_rec *g, const char *plan, strbuf *preview,
			   strbuf *set, qparams *q, char **next, int *changed)
{
	for (size_t i = 0; i < p->orgs.n_resources; i++) {
		const prof_resource *r = &p->orgs.resources[i];
		const char *cur = g->res[i];
		next[i] = resource_target(p, r, plan, g->slug, cur);
		sb_addf(preview, "  resource %s", r->name);
		if (strcmp(r->name, r->column.name) != 0)
			sb_addf(preview, " (column %s)", r->column.name);
		sb_add(preview, ": ");
		if (same(cur, next[i])) {
			sb_addf(preview, "%s (unchanged)\n", cur ? cur : "none");
			continue;
		}
		sb_addf(preview, "%s → %s\n", cur ? cur : "none", next[i] ? next[i] : "none");
		sb_add(set, ", ");
		profile_col_sql(set, NULL, &r->column);
		sb_addf(set, " = $%d", qp(q, next[i]));
		(*changed)++;
	}
}

/* ------------------------------------------------------------------ staged writes */

/* Run a staged write; the audit command line is the command as given. */
static tc_status staged(tc_session *s, const cmd_call *call, stage_body body, void *ctx,
			tc_result *out, tc_error *err)
{
	char *command = migcmd_command_line(call);
	stage_opts o = {command, cmd_opt_value(call, "dry-run") != NULL};
	tc_status rc = stage_run(s, &o, body, ctx, out, err);
	free(command);
	return rc;
}

/* A write that turned out to change nothing: said plainly, not asked. */
static tc_status nothing_to_do(tc_result *out, tc_error *err, const char *msg)
{
	tc_error_clear(err);
	res_free(out);
	res_init(out, RES_TEXT);
	sb_addf(&out->text, "%s\n", msg);
	res_set_summary(out, "nothing to change; nothing was written");
	return TC_OK;
}

static void preview_org(strbuf *sb, const org_rec *g)
{
	sb_addf(sb, "organization %s (%s)\n", g->slug, g->name ? g->name : "no name");
}

/* ------------------------------------------------------------------ orgs create */

/* Columns an INSERT must fill that the database will not (NOT NULL, no
 * default, no identity) and tenantctl can: the id, as a random UUID (as
 * ORMs that make ids in the application, Prisma's cuid or better-auth's,
 * would), and timestamps, now() (as Prisma's @updatedAt). Others are left
 * for the server to name in its error. */
typedef struct fill {
	strbuf cols, vals; /* ", "col"" and ", expr" to append */
	strbuf note;       /* preview lines */
} fill;

static void fill_free(fill *f)
{
	sb_free(&f->cols);
	sb_free(&f->vals);
	sb_free(&f->note);
}

static tc_status fill_required(tc_conn *c, const prof_ident *table, const prof_ident *id,
			       const prof_ident *const *set, size_t nset, fill *f, tc_error *err)
{
	strbuf rel = STRBUF_INIT;
	profile_table_sql(&rel, table);
	const char *params[] = {sb_str(&rel)};
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c,
				"SELECT a.attname::text, t.typcategory::text, t.typname::text "
				"FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = "
				"a.atttypid WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT "
				"a.attisdropped AND a.attnotnull AND NOT a.atthasdef AND a.attidentity "
				"= '' ORDER BY a.attnum",
				1, params, &rows, err);
	sb_free(&rel);
	for (size_t r = 0; rc == TC_OK && r < rows.nrows; r++) {
		const char *name = db_get(&rows, r, 0), *cat = db_get(&rows, r, 1);
		const char *type = db_get(&rows, r, 2);
		bool given = false;
		for (size_t i = 0; i < nset && !given; i++)
			given = set[i] && profile_mapped(set[i]) && !strcmp(set[i]->name, name);
		if (given)
			continue;
		prof_ident tmp = {(char *)name, 0};
		const char *expr = NULL, *why = NULL;
		if (!strcmp(cat, "D")) {
			expr = "now()";
			why = "now";
		} else if (profile_mapped(id) && !strcmp(id->name, name) &&
			   (!strcmp(cat, "S") || !strcmp(type, "uuid"))) {
			expr = "gen_random_uuid()";
			why = "a random UUID";
		}
		if (!expr)
			continue;
		sb_add(&f->cols, ", ");
		col(&f->cols, NULL, &tmp);
		sb_addf(&f->vals, ", %s", expr);
		sb_addf(&f->note, "  %s: %s (the column has no default)\n", name, why);
	}
	db_rows_free(&rows);
	return rc;
}

typedef struct create_ctx {
	const tc_profile *p;
	const char *name;
	const char *slug;     /* explicit --slug, or NULL */
	char *base;           /* owned; the derived slug */
	const char *owner;    /* --owner EMAIL, or NULL */
	const char *plan;     /* --plan, or NULL */
	char *created_slug;   /* owned; what was inserted */
	fill org_fill;        /* columns of the org row tenantctl fills */
} create_ctx;

static tc_status savepoint(tc_conn *c, const char *what, tc_error *err)
{
	char *sql = xasprintf("%s orgs_slug", what);
	tc_status rc = db_exec(c, sql, 0, NULL, NULL, err);
	free(sql);
	return rc;
}

/* Whether an org holds this slug now (deleted or not). */
static tc_status slug_taken(tc_conn *c, const tc_profile *p, const char *slug, char **name,
			    bool *taken, tc_error *err)
{
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT ");
	col(&sql, "o", &p->orgs.name);
	sb_add(&sql, "::text, ");
	if (profile_mapped(&p->orgs.deleted_at)) {
		col(&sql, "o", &p->orgs.deleted_at);
		sb_add(&sql, " IS NOT NULL");
	} else {
		sb_add(&sql, "false");
	}
	sb_add(&sql, " FROM ");
	profile_table_sql(&sql, &p->orgs.table);
	sb_add(&sql, " o WHERE ");
	col(&sql, "o", &p->orgs.slug);
	sb_add(&sql, " = $1 LIMIT 1");
	const char *params[] = {slug};
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&sql), 1, params, &rows, err);
	sb_free(&sql);
	*taken = rc == TC_OK && rows.nrows > 0;
	if (name && *taken) {
		const char *n = db_get(&rows, 0, 0);
		*name = xasprintf("'%s'%s", n ? n : "", strcmp(db_get(&rows, 0, 1), "t") ? ""
										    : " (deleted)");
	} else if (name) {
		*name = NULL;
	}
	db_rows_free(&rows);
	return rc;
}

static tc_status slug_in_use(const char *slug, const char *holder, tc_error *err)
{
	tc_fail(err, TC_ERR_USAGE, "the slug '%s' is taken by organization %s", slug,
		holder ? holder : "(unknown)");
	tc_hint(err, "choose another slug (slugs stay taken by deleted organizations too)");
	return TC_ERR_USAGE;
}

/* Where to start numbering: whether base is taken and the highest N of
 * base-N in use; one query over the slug index. */
static tc_status slug_start(tc_conn *c, const tc_profile *p, const char *base, bool *base_taken,
			    long *max_n, tc_error *err)
{
	const prof_ident *sl = &p->orgs.slug;
	strbuf pattern = STRBUF_INIT;
	like_escape(&pattern, base);
	sb_add(&pattern, "-%");
	char *from = xasprintf("%zu", strlen(base) + 2);
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT coalesce(bool_or(");
	col(&sql, "o", sl);
	sb_add(&sql, " = $1), false), coalesce(max(CASE WHEN ");
	col(&sql, "o", sl);
	sb_add(&sql, " <> $1 AND substr(");
	col(&sql, "o", sl);
	sb_add(&sql, "::text, $3::int) ~ '^[1-9][0-9]{0,8}$' THEN substr(");
	col(&sql, "o", sl);
	sb_add(&sql, "::text, $3::int)::bigint END), 0) FROM ");
	profile_table_sql(&sql, &p->orgs.table);
	sb_add(&sql, " o WHERE ");
	col(&sql, "o", sl);
	sb_add(&sql, " = $1 OR ");
	col(&sql, "o", sl);
	sb_addf(&sql, " LIKE $2 ESCAPE '%c'", LIKE_ESC);
	const char *params[] = {base, sb_str(&pattern), from};
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&sql), 3, params, &rows, err);
	if (rc == TC_OK) {
		*base_taken = !strcmp(db_get(&rows, 0, 0), "t");
		*max_n = atol(db_get(&rows, 0, 1));
	}
	db_rows_free(&rows);
	sb_free(&sql);
	sb_free(&pattern);
	free(from);
	return rc;
}

/* base-n, the base cut so the whole stays a valid slug. */
static char *slug_with_suffix(const char *base, long n)
{
	char *suffix = xasprintf("-%ld", n);
	char *b = xstrdup(base);
	slug_truncate(b, ORGS_SLUG_MAX - strlen(suffix));
	char *s = xasprintf("%s%s", b, suffix);
	free(b);
	free(suffix);
	return s;
}

/* The owner by email: a live user, matched case-insensitively. */
static tc_status find_owner(tc_conn *c, const tc_profile *p, const char *email, char **uid,
			    tc_error *err)
{
	const prof_users *u = &p->users;
	tc_status rc;
	if ((rc = need(p, &u->table, "users", "table", "--owner", err)) ||
	    (rc = need(p, &u->id, "users", "id", "--owner", err)) ||
	    (rc = need(p, &u->email, "users", "email", "--owner", err)))
		return rc;
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT ");
	col(&sql, "u", &u->id);
	sb_add(&sql, "::text FROM ");
	profile_table_sql(&sql, &u->table);
	sb_add(&sql, " u WHERE lower(");
	col(&sql, "u", &u->email);
	sb_add(&sql, ") = lower($1)");
	live(&sql, "u", &u->deleted_at);
	sb_add(&sql, " LIMIT 2");
	const char *params[] = {email};
	db_rows rows = DB_ROWS_INIT;
	rc = db_query(c, sb_str(&sql), 1, params, &rows, err);
	sb_free(&sql);
	if (rc == TC_OK && rows.nrows == 0) {
		rc = tc_fail(err, TC_ERR_USAGE, "no live user has the email '%s'", email);
		tc_hint(err, "the owner must already be a user of the product; check the address "
			     "(`tenantctl members list` shows users with their emails)");
	} else if (rc == TC_OK && rows.nrows > 1) {
		rc = tc_fail(err, TC_ERR_USAGE,
			     "more than one live user has the email '%s' (ignoring case)", email);
		tc_hint(err, "merge or delete the duplicate users first; `tenantctl audit` reports "
			     "them");
	} else if (rc == TC_OK) {
		*uid = xstrdup(db_get(&rows, 0, 0));
	}
	db_rows_free(&rows);
	return rc;
}

/* The domain of an address, lower-cased; caller frees. */
static char *email_domain(const char *email)
{
	const char *at = strrchr(email, '@');
	return ascii_lower(at ? at + 1 : "");
}

/* Whether domain is entry or a subdomain of it. */
static bool domain_matches(const char *domain, const char *entry)
{
	if (*entry == '@')
		entry++;
	size_t d = strlen(domain), e = strlen(entry);
	if (d == e)
		return strcasecmp(domain, entry) == 0;
	return d > e && domain[d - e - 1] == '.' && strcasecmp(domain + d - e, entry) == 0;
}

static void list_text(strbuf *sb, const prof_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", l->v[i]);
}

/* The owner allowlist and blocked domains of the profile's policy. */
static tc_status owner_policy(const tc_profile *p, const char *email, tc_error *err)
{
	const prof_policy *pol = &p->policy;
	char *domain = email_domain(email);
	tc_status rc = TC_OK;
	if (!strchr(email, '@') || !*domain) {
		rc = tc_fail(err, TC_ERR_USAGE, "'%s' is not an email address", email);
		free(domain);
		return rc;
	}
	for (size_t i = 0; i < pol->blocked_domains.n; i++) {
		if (domain_matches(domain, pol->blocked_domains.v[i])) {
			strbuf rule = STRBUF_INIT;
			list_text(&rule, &pol->blocked_domains);
			rc = tc_fail(err, TC_ERR_REFUSED,
				     "owner %s is refused: the domain %s is blocked by the rule "
				     "%s:%d: blocked_domains = %s",
				     email, domain, profile_file(p), pol->blocked_domains.line,
				     sb_str(&rule));
			tc_hint(err, "choose an owner outside the blocked domains");
			sb_free(&rule);
			free(domain);
			return rc;
		}
	}
	if (pol->owner_email_allowlist.n) {
		bool ok = false;
		for (size_t i = 0; i < pol->owner_email_allowlist.n && !ok; i++) {
			const char *e = pol->owner_email_allowlist.v[i];
			if (strchr(e, '@') && *e != '@')
				ok = strcasecmp(e, email) == 0;
			else
				ok = domain_matches(domain, e);
		}
		if (!ok) {
			strbuf rule = STRBUF_INIT;
			list_text(&rule, &pol->owner_email_allowlist);
			rc = tc_fail(err, TC_ERR_REFUSED,
				     "owner %s is refused: it is outside the owner email allowlist, "
				     "rule %s:%d: owner_email_allowlist = %s",
				     email, profile_file(p), pol->owner_email_allowlist.line,
				     sb_str(&rule));
			tc_hint(err, "choose an owner the allowlist admits, or change the rule");
			sb_free(&rule);
		}
	}
	free(domain);
	return rc;
}

/* INSERT the org with this slug inside a savepoint; *collided when the
 * slug was taken meanwhile (the savepoint is rolled back, the transaction
 * goes on). Fills *g from RETURNING. */
static tc_status try_insert(tc_conn *c, create_ctx *x, const char *slug, const char *owner_id,
			    org_rec *g, bool *collided, tc_error *err)
{
	const tc_profile *p = x->p;
	const prof_orgs *o = &p->orgs;
	*collided = false;
	qparams q = QPARAMS_INIT;
	strbuf sql = STRBUF_INIT, vals = STRBUF_INIT;
	sb_add(&sql, "INSERT INTO ");
	profile_table_sql(&sql, &o->table);
	sb_add(&sql, " (");
	col(&sql, NULL, &o->slug);
	sb_addf(&vals, "$%d", qp(&q, slug));
	sb_add(&sql, ", ");
	col(&sql, NULL, &o->name);
	sb_addf(&vals, ", $%d", qp(&q, x->name));
	if (x->plan) {
		sb_add(&sql, ", ");
		col(&sql, NULL, &o->plan);
		sb_addf(&vals, ", $%d", qp(&q, x->plan));
	}
	if (owner_id && profile_mapped(&o->owner)) {
		sb_add(&sql, ", ");
		col(&sql, NULL, &o->owner);
		sb_addf(&vals, ", $%d", qp(&q, owner_id));
	}
	sb_add(&sql, sb_str(&x->org_fill.cols));
	sb_add(&vals, sb_str(&x->org_fill.vals));
	sb_addf(&sql, ") VALUES (%s) RETURNING ", sb_str(&vals));
	col(&sql, NULL, &o->id);
	sb_add(&sql, "::text, ");
	if (profile_mapped(&o->plan)) {
		col(&sql, NULL, &o->plan);
		sb_add(&sql, "::text");
	} else {
		sb_add(&sql, "NULL::text");
	}
	for (size_t i = 0; i < o->n_resources; i++) {
		sb_add(&sql, ", ");
		col(&sql, NULL, &o->resources[i].column);
		sb_add(&sql, "::text");
	}
	tc_status rc = savepoint(c, "SAVEPOINT", err);
	db_rows rows = DB_ROWS_INIT;
	if (rc == TC_OK)
		rc = db_query(c, sb_str(&sql), q.n, q.v, &rows, err);
	sb_free(&sql);
	sb_free(&vals);
	if (rc != TC_OK) {
		bool unique = err->sqlstate && !strcmp(err->sqlstate, "23505");
		tc_error keep = *err;
		*err = (tc_error)TC_ERROR_INIT;
		bool taken = false;
		tc_status r2 = savepoint(c, "ROLLBACK TO SAVEPOINT", err);
		if (r2 == TC_OK && unique)
			r2 = slug_taken(c, p, slug, NULL, &taken, err);
		if (r2 != TC_OK) {
			tc_error_clear(&keep);
			return r2;
		}
		/* A unique violation on another constraint is a real error. */
		if (unique && taken) {
			tc_error_clear(&keep);
			*collided = true;
			return TC_OK;
		}
		*err = keep;
		return rc;
	}
	rc = savepoint(c, "RELEASE SAVEPOINT", err);
	g->id = dup_or_null(db_get(&rows, 0, 0));
	g->slug = xstrdup(slug);
	g->name = xstrdup(x->name);
	g->plan = dup_or_null(db_get(&rows, 0, 1));
	g->nres = o->n_resources;
	g->res = xcalloc(g->nres ? g->nres : 1, sizeof *g->res);
	for (size_t i = 0; i < g->nres; i++)
		g->res[i] = dup_or_null(db_get(&rows, 0, 2 + i));
	db_rows_free(&rows);
	return rc;
}

static tc_status create_body(tc_conn *c, void *ctx, stage_plan *plan, tc_error *err)
{
	create_ctx *x = ctx;
	const tc_profile *p = x->p;
	const prof_orgs *o = &p->orgs;
	char *owner_id = NULL;
	tc_status rc = TC_OK;
	if (x->owner && (rc = find_owner(c, p, x->owner, &owner_id, err)) != TC_OK)
		return rc;
	const prof_ident *given[] = {&o->slug, &o->name, x->plan ? &o->plan : NULL,
				     owner_id ? &o->owner : NULL};
	rc = fill_required(c, &o->table, &o->id, given, 4, &x->org_fill, err);
	if (rc != TC_OK) {
		free(owner_id);
		return rc;
	}

	org_rec g;
	memset(&g, 0, sizeof g);
	bool collided = false;
	char *tried_first = NULL;
	if (x->slug) {
		rc = try_insert(c, x, x->slug, owner_id, &g, &collided, err);
		if (rc == TC_OK && collided) {
			char *holder = NULL;
			bool taken;
			rc = slug_taken(c, p, x->slug, &holder, &taken, err);
			if (rc == TC_OK)
				rc = slug_in_use(x->slug, holder, err);
			free(holder);
		}
	} else {
		/* One query finds where to start; the unique index decides, so
		 * a concurrent create that wins a slug only moves us on. */
		bool base_taken;
		long n;
		rc = slug_start(c, p, x->base, &base_taken, &n, err);
		n = n < 1 ? 2 : n + 1;
		if (rc == TC_OK && !base_taken) {
			rc = try_insert(c, x, x->base, owner_id, &g, &collided, err);
			if (collided)
				tried_first = xstrdup(x->base);
		} else {
			collided = true;
			tried_first = xstrdup(x->base);
		}
		for (int i = 0; rc == TC_OK && collided && i < ORGS_SLUG_TRIES; i++, n++) {
			char *slug = slug_with_suffix(x->base, n);
			rc = try_insert(c, x, slug, owner_id, &g, &collided, err);
			free(slug);
		}
		if (rc == TC_OK && collided) {
			rc = tc_fail(err, TC_ERR_DB,
				     "could not find a free slug for '%s' after %d tries: other "
				     "creates kept taking them",
				     x->base, ORGS_SLUG_TRIES);
			tc_hint(err, "retry, or pass --slug");
		}
	}
	if (rc != TC_OK) {
		free(owner_id);
		free(tried_first);
		org_free(&g);
		return rc;
	}
	x->created_slug = xstrdup(g.slug);

	strbuf *pv = &plan->preview;
	sb_addf(pv, "creating organization %s\n", g.slug);
	sb_addf(pv, "  name: %s\n", g.name);
	if (tried_first)
		sb_addf(pv, "  slug: %s (%s is taken)\n", g.slug, tried_first);
	else
		sb_addf(pv, "  slug: %s\n", g.slug);
	if (profile_mapped(&o->plan))
		sb_addf(pv, "  plan: %s%s\n", g.plan ? g.plan : "none",
			x->plan ? "" : " (the column's default)");
	sb_add(pv, sb_str(&x->org_fill.note));
	plan->rows = 1;

	/* Resources for the plan, by the same rules as set-plan. */
	char **next = xcalloc(o->n_resources ? o->n_resources : 1, sizeof *next);
	strbuf set = STRBUF_INIT;
	qparams q = QPARAMS_INIT;
	int changed = 0;
	qp(&q, g.id);
	resources_plan(p, &g, g.plan, pv, &set, &q, next, &changed);
	if (changed) {
		strbuf sql = STRBUF_INIT;
		sb_add(&sql, "UPDATE ");
		profile_table_sql(&sql, &o->table);
		sb_add(&sql, " SET ");
		sb_add(&sql, sb_str(&set) + 2); /* past the first ", " */
		sb_add(&sql, " WHERE ");
		col(&sql, NULL, &o->id);
		sb_add(&sql, " = $1");
		rc = db_exec(c, sb_str(&sql), q.n, q.v, NULL, err);
		sb_free(&sql);
	}
	sb_free(&set);
	for (size_t i = 0; i < o->n_resources; i++)
		free(next[i]);
	free(next);

	if (rc == TC_OK && owner_id) {
		const prof_members *m = &p->members[SCOPE_ORG];
		if ((rc = need(p, &m->table, "members.org", "table", "--owner", err)) ||
		    (rc = need(p, &m->user, "members.org", "user", "--owner", err)) ||
		    (rc = need(p, &m->scope, "members.org", "scope", "--owner", err)) ||
		    (rc = need(p, &m->role, "members.org", "role", "--owner", err))) {
			/* rc set */
		} else if (!p->roles.owner.n) {
			rc = tc_fail(err, TC_ERR_USAGE,
				     "the tenancy profile %s names no owner role, which --owner needs",
				     profile_file(p));
			tc_hint(err, "add `owner = ROLE` under [roles] in %s", profile_file(p));
		} else {
			const char *role = p->roles.owner.v[0];
			const prof_ident *mset[] = {&m->user, &m->scope, &m->role};
			fill mf = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
			rc = fill_required(c, &m->table, &m->id, mset, 3, &mf, err);
			strbuf sql = STRBUF_INIT;
			sb_add(&sql, "INSERT INTO ");
			profile_table_sql(&sql, &m->table);
			sb_add(&sql, " (");
			col(&sql, NULL, &m->user);
			sb_add(&sql, ", ");
			col(&sql, NULL, &m->scope);
			sb_add(&sql, ", ");
			col(&sql, NULL, &m->role);
			sb_addf(&sql, "%s) VALUES ($1, $2, $3%s)", sb_str(&mf.cols), sb_str(&mf.vals));
			const char *params[] = {owner_id, g.id, role};
			if (rc == TC_OK)
				rc = db_exec(c, sb_str(&sql), 3, params, NULL, err);
			sb_free(&sql);
			fill_free(&mf);
			if (rc == TC_OK) {
				sb_addf(pv, "  owner: %s: an org membership with role %s", x->owner,
					role);
				if (profile_mapped(&o->owner))
					sb_addf(pv, " and the owner pointer (%s)", o->owner.name);
				sb_add(pv, "\n");
				plan->rows++;
			} else {
				tc_error_prefix(err, "adding the owner membership of %s: ", g.slug);
			}
		}
	} else if (rc == TC_OK) {
		sb_add(pv, "  owner: none (pass --owner EMAIL; `tenantctl audit` reports orgs "
			   "with no owner)\n");
	}
	if (rc == TC_OK) {
		sb_addf(pv, "  rows: %ld (1 organization%s)\n", plan->rows,
			plan->rows > 1 ? ", 1 membership" : "");
		plan->target = xasprintf("organization %s", g.slug);
	}
	free(owner_id);
	free(tried_first);
	org_free(&g);
	return rc;
}

tc_status orgs_create(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	create_ctx x = {0};
	x.name = call->args[0];
	x.slug = cmd_opt_value(call, "slug");
	x.owner = cmd_opt_value(call, "owner");
	x.plan = cmd_opt_value(call, "plan");
	if (!*x.name || strspn(x.name, " \t\r\n") == strlen(x.name))
		return tc_fail(err, TC_ERR_USAGE, "an organization needs a name");
	tc_status rc;
	if (x.slug) {
		if ((rc = check_slug(x.slug, err)) != TC_OK)
			return rc;
	} else {
		x.base = orgs_slugify(x.name);
		if (!*x.base) {
			free(x.base);
			tc_fail(err, TC_ERR_USAGE,
				"no slug can be made from the name '%s' (nothing in it is a Latin "
				"letter or digit)",
				x.name);
			tc_hint(err, "pass --slug SLUG");
			return TC_ERR_USAGE;
		}
	}
	tc_conn *c;
	rc = open_profile(s, &c, &x.p, err);
	if (rc == TC_OK && x.plan)
		rc = check_plan(x.p, x.plan, err);
	if (rc == TC_OK && x.owner)
		rc = owner_policy(x.p, x.owner, err);
	if (rc == TC_OK) {
		rc = staged(s, call, create_body, &x, out, err);
		if (rc == TC_OK && out->summary && x.created_slug && !cmd_opt_value(call, "dry-run")) {
			char *sum = xasprintf("%s: organization %s", out->summary, x.created_slug);
			res_set_summary(out, "%s", sum);
			free(sum);
		}
	}
	free(x.base);
	free(x.created_slug);
	fill_free(&x.org_fill);
	return rc;
}

/* ------------------------------------------------------------------ orgs rename */

typedef struct rename_ctx {
	const tc_profile *p;
	const char *slug, *name, *new_slug;
	bool noop;
} rename_ctx;

/* The live org for a write, locked; refusals for missing or deleted ones. */
static tc_status org_for_write(tc_conn *c, const tc_profile *p, const char *slug, org_rec *g,
			       bool deleting, tc_error *err)
{
	bool found;
	tc_status rc = org_fetch(c, p, slug, true, g, &found, err);
	if (rc != TC_OK)
		return rc;
	if (!found)
		return no_such_org(c, p, slug, err);
	if (g->deleted) {
		tc_fail(err, TC_ERR_USAGE, "organization '%s' is %sdeleted (since %s)", slug,
			deleting ? "already " : "", g->deleted);
		tc_hint(err, "deleted organizations are left as they are; `tenantctl orgs show %s` "
			     "shows it",
			slug);
		org_free(g);
		return TC_ERR_USAGE;
	}
	return TC_OK;
}

static tc_status rename_body(tc_conn *c, void *ctx, stage_plan *plan, tc_error *err)
{
	rename_ctx *x = ctx;
	const tc_profile *p = x->p;
	org_rec g;
	tc_status rc = org_for_write(c, p, x->slug, &g, false, err);
	if (rc != TC_OK)
		return rc;
	bool name_changes = !same(g.name, x->name);
	bool slug_changes = x->new_slug && strcmp(x->new_slug, g.slug) != 0;
	if (!name_changes && !slug_changes) {
		x->noop = true;
		org_free(&g);
		return tc_fail(err, TC_ERR_USAGE, "nothing to change");
	}
	qparams q = QPARAMS_INIT;
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "UPDATE ");
	profile_table_sql(&sql, &p->orgs.table);
	sb_add(&sql, " SET ");
	col(&sql, NULL, &p->orgs.name);
	sb_addf(&sql, " = $%d", qp(&q, x->name));
	if (slug_changes) {
		sb_add(&sql, ", ");
		col(&sql, NULL, &p->orgs.slug);
		sb_addf(&sql, " = $%d", qp(&q, x->new_slug));
	}
	sb_add(&sql, " WHERE ");
	col(&sql, NULL, &p->orgs.id);
	sb_addf(&sql, " = $%d", qp(&q, g.id));
	long n = 0;
	rc = savepoint(c, "SAVEPOINT", err);
	if (rc == TC_OK)
		rc = db_exec(c, sb_str(&sql), q.n, q.v, &n, err);
	sb_free(&sql);
	if (rc != TC_OK && err->sqlstate && !strcmp(err->sqlstate, "23505") && slug_changes) {
		tc_error_clear(err);
		char *holder = NULL;
		bool taken = false;
		rc = savepoint(c, "ROLLBACK TO SAVEPOINT", err);
		if (rc == TC_OK)
			rc = slug_taken(c, p, x->new_slug, &holder, &taken, err);
		if (rc == TC_OK)
			rc = slug_in_use(x->new_slug, holder, err);
		free(holder);
	}
	if (rc == TC_OK) {
		preview_org(&plan->preview, &g);
		if (name_changes)
			sb_addf(&plan->preview, "  name: %s → %s\n", g.name ? g.name : "none",
				x->name);
		if (slug_changes)
			sb_addf(&plan->preview,
				"  slug: %s → %s (commands and links that use the old slug stop "
				"finding it)\n",
				g.slug, x->new_slug);
		sb_addf(&plan->preview,
			"  rows: %ld; nothing cascades (memberships, workspaces and projects "
			"refer to the organization by id)\n",
			n);
		plan->rows = n;
		plan->target = xasprintf("organization %s", slug_changes ? x->new_slug : g.slug);
	}
	org_free(&g);
	return rc;
}

tc_status orgs_rename(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	rename_ctx x = {NULL, call->args[0], call->args[1], cmd_opt_value(call, "slug"), false};
	if (!*x.name || strspn(x.name, " \t\r\n") == strlen(x.name))
		return tc_fail(err, TC_ERR_USAGE, "an organization needs a name");
	tc_status rc;
	if (x.new_slug && (rc = check_slug(x.new_slug, err)) != TC_OK)
		return rc;
	tc_conn *c;
	if ((rc = open_profile(s, &c, &x.p, err)) != TC_OK)
		return rc;
	rc = staged(s, call, rename_body, &x, out, err);
	if (x.noop)
		return nothing_to_do(out, err, "the organization already has that name and slug");
	return rc;
}

/* ------------------------------------------------------------------ orgs set-plan */

typedef struct plan_ctx {
	const tc_profile *p;
	const char *slug, *plan;
	bool noop;
} plan_ctx;

static tc_status set_plan_body(tc_conn *c, void *ctx, stage_plan *plan, tc_error *err)
{
	plan_ctx *x = ctx;
	const tc_profile *p = x->p;
	const prof_orgs *o = &p->orgs;
	org_rec g;
	tc_status rc = org_for_write(c, p, x->slug, &g, false, err);
	if (rc != TC_OK)
		return rc;
	strbuf preview = STRBUF_INIT, set = STRBUF_INIT;
	qparams q = QPARAMS_INIT;
	qp(&q, g.id);
	preview_org(&preview, &g);
	int changed = 0;
	if (same(g.plan, x->plan)) {
		sb_addf(&preview, "  plan: %s (unchanged)\n", x->plan);
	} else {
		sb_addf(&preview, "  plan: %s → %s\n", g.plan ? g.plan : "none", x->plan);
		sb_add(&set, ", ");
		col(&set, NULL, &o->plan);
		sb_addf(&set, " = $%d", qp(&q, x->plan));
		changed++;
	}
	char **next = xcalloc(o->n_resources ? o->n_resources : 1, sizeof *next);
	resources_plan(p, &g, x->plan, &preview, &set, &q, next, &changed);
	if (!profile_list_has(&p->resources.paid_plans, x->plan) &&
	    !profile_list_has(&p->resources.free_plans, x->plan) && o->n_resources)
		sb_addf(&preview, "  (the plan %s is in neither paid_plans nor free_plans: "
				  "resources are left as they are)\n",
			x->plan);
	if (!changed) {
		x->noop = true;
		rc = tc_fail(err, TC_ERR_USAGE, "nothing to change");
	} else {
		strbuf sql = STRBUF_INIT;
		sb_add(&sql, "UPDATE ");
		profile_table_sql(&sql, &o->table);
		sb_add(&sql, " SET ");
		sb_add(&sql, sb_str(&set) + 2);
		sb_add(&sql, " WHERE ");
		col(&sql, NULL, &o->id);
		sb_add(&sql, " = $1");
		long n = 0;
		rc = db_exec(c, sb_str(&sql), q.n, q.v, &n, err);
		sb_free(&sql);
		if (rc == TC_OK) {
			sb_addf(&preview, "  rows: %ld; nothing cascades\n", n);
			sb_add(&plan->preview, sb_str(&preview));
			plan->rows = n;
			plan->target = xasprintf("organization %s", g.slug);
		}
	}
	for (size_t i = 0; i < o->n_resources; i++)
		free(next[i]);
	free(next);
	sb_free(&set);
	sb_free(&preview);
	org_free(&g);
	return rc;
}

tc_status orgs_set_plan(struct tc_session *s, const cmd_call *call, tc_result *out,
			tc_error *err)
{
	res_init(out, RES_EMPTY);
	plan_ctx x = {NULL, call->args[0], call->args[1], false};
	tc_conn *c;
	tc_status rc = open_profile(s, &c, &x.p, err);
	if (rc == TC_OK)
		rc = check_plan(x.p, x.plan, err);
	if (rc != TC_OK)
		return rc;
	rc = staged(s, call, set_plan_body, &x, out, err);
	if (x.noop) {
		char *msg = xasprintf("organization %s is on plan %s already and its resources "
				      "match the plan",
				      x.slug, x.plan);
		rc = nothing_to_do(out, err, msg);
		free(msg);
	}
	return rc;
}

/* ------------------------------------------------------------------ orgs delete */

typedef struct delete_ctx {
	const tc_profile *p;
	const char *slug;
} delete_ctx;

static tc_status delete_body(tc_conn *c, void *ctx, stage_plan *plan, tc_error *err)
{
	delete_ctx *x = ctx;
	const tc_profile *p = x->p;
	org_rec g;
	tc_status rc = org_for_write(c, p, x->slug, &g, true, err);
	if (rc != TC_OK)
		return rc;
	/* What stays behind: soft deletes cascade to nothing. */
	char *members = NULL, *ws = NULL, *pj = NULL;
	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT count(*)");
	if (members_from(&sql, p, SCOPE_ORG))
		rc = count1(c, sb_str(&sql), g.id, &members, err);
	sb_free(&sql);
	if (rc == TC_OK)
		rc = children(c, &p->workspaces.table, &p->workspaces.org, &p->workspaces.deleted_at,
			      g.id, &ws, err);
	if (rc == TC_OK)
		rc = children(c, &p->projects.table, &p->projects.org, &p->projects.deleted_at, g.id,
			      &pj, err);
	long n = 0;
	if (rc == TC_OK) {
		sb_add(&sql, "UPDATE ");
		profile_table_sql(&sql, &p->orgs.table);
		sb_add(&sql, " SET ");
		col(&sql, NULL, &p->orgs.deleted_at);
		sb_add(&sql, " = now() WHERE ");
		col(&sql, NULL, &p->orgs.id);
		sb_add(&sql, " = $1");
		const char *params[] = {g.id};
		rc = db_exec(c, sb_str(&sql), 1, params, &n, err);
		sb_free(&sql);
	}
	if (rc == TC_OK) {
		strbuf *pv = &plan->preview;
		sb_add(pv, "soft-deleting ");
		preview_org(pv, &g);
		sb_addf(pv, "  %s: now (it was not set)\n", p->orgs.deleted_at.name);
		sb_addf(pv, "  rows: %ld\n", n);
		sb_add(pv, "  cascades: nothing. A soft delete leaves what belongs to the "
			   "organization as it is:\n");
		if (members)
			sb_addf(pv, "    %s live org membership%s\n", members,
				strcmp(members, "1") ? "s" : "");
		if (ws)
			sb_addf(pv, "    %s live workspace%s\n", ws, strcmp(ws, "1") ? "s" : "");
		if (pj)
			sb_addf(pv, "    %s live project%s\n", pj, strcmp(pj, "1") ? "s" : "");
		sb_add(pv, "  (`tenantctl audit` reports live memberships of deleted "
			   "organizations)\n");
		plan->rows = n;
		plan->target = xasprintf("organization %s", g.slug);
	}
	free(members);
	free(ws);
	free(pj);
	org_free(&g);
	return rc;
}

tc_status orgs_delete(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	delete_ctx x = {NULL, call->args[0]};
	const char *confirm = cmd_opt_value(call, "confirm");
	bool dry = cmd_opt_value(call, "dry-run") != NULL;
	if (!dry && !confirm) {
		tc_fail(err, TC_ERR_USAGE, "deleting organization '%s' needs its slug typed again",
			x.slug);
		tc_hint(err, "pass --confirm %s (and --yes in scripts); --dry-run shows what it "
			     "would do",
			x.slug);
		return TC_ERR_USAGE;
	}
	if (confirm && strcmp(confirm, x.slug) != 0) {
		tc_fail(err, TC_ERR_USAGE, "--confirm '%s' does not match the slug '%s'", confirm,
			x.slug);
		tc_hint(err, "pass --confirm %s to delete that organization", x.slug);
		return TC_ERR_USAGE;
	}
	tc_conn *c;
	tc_status rc = open_profile(s, &c, &x.p, err);
	if (rc != TC_OK)
		return rc;
	if (!profile_mapped(&x.p->orgs.deleted_at)) {
		tc_fail(err, TC_ERR_REFUSED,
			"the tenancy profile %s maps no organizations.deleted_at: tenantctl only "
			"soft-deletes organizations and never removes a tenant's rows",
			profile_file(x.p));
		tc_hint(err, "map the soft-delete column as `deleted_at = COLUMN` under "
			     "[organizations], or delete the organization through the product");
		return TC_ERR_REFUSED;
	}
	return staged(s, call, delete_body, &x, out, err);
}
