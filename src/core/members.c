#include "config.h"

#include "members.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "migcmd.h"
#include "profile.h"
#include "session.h"
#include "stage.h"
#include "strbuf.h"
#include "xalloc.h"

/* Memberships live in one table per scope (org, workspace, project); every
 * table and column comes from the tenancy profile, so all SQL here is built
 * from the mapping with quoted identifiers, and every value is a parameter.
 *
 * Lists are keyset windows over (org slug, scope, email, scope object id,
 * membership id): the slug in its column's collation (so its index serves
 * the order; the reference schema makes it "C"), the rest as text in the "C"
 * collation, so the order is total whatever the column types. */

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 10000
#define EXPORT_PAGE 1000

/* ------------------------------------------------------------------ SQL */

/* Append SQL built from a template: %T a mapped table (const prof_ident *),
 * %C a column (const char *alias or NULL, const prof_ident *), %s text
 * tenantctl wrote itself (never a value), %d an int (parameter numbers),
 * %% a percent sign. */
static void sqlf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			sb_addc(sb, *f);
			continue;
		}
		switch (*++f) {
		case 'T':
			profile_table_sql(sb, va_arg(ap, const prof_ident *));
			break;
		case 'C': {
			const char *alias = va_arg(ap, const char *);
			profile_col_sql(sb, alias, va_arg(ap, const prof_ident *));
			break;
		}
		case 's':
			sb_add(sb, va_arg(ap, const char *));
			break;
		case 'd':
			sb_addf(sb, "%d", va_arg(ap, int));
			break;
		case '%':
			sb_addc(sb, '%');
			break;
		default:
			abort(); /* a template mistake, caught by any test */
		}
	}
	va_end(ap);
}

/* Query parameters, numbered as they are added. */
typedef struct qparams {
	const char *v[16]; /* borrowed */
	int n;
} qparams;

static int qp_add(qparams *q, const char *v)
{
	if (q->n >= (int)(sizeof q->v / sizeof q->v[0]))
		abort();
	q->v[q->n++] = v;
	return q->n;
}

/* ISO 8601 UTC to the second, whatever the column's type and DateStyle. */
static void iso_sql(strbuf *sb, const char *alias, const prof_ident *col)
{
	sqlf(sb, "to_char((%C)::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
	     alias, col);
}

/* ------------------------------------------------------------------ mapping */

/* Where one scope's memberships live and what their scope object is. */
typedef struct scope_map {
	prof_scope sc;
	bool mapped;
	const char *missing; /* the first missing key, when not mapped */
	const prof_members *m;
	/* The scope object: the organization itself for org scope. */
	const prof_ident *table, *id, *org, *name, *deleted_at;
} scope_map;

static void scope_map_for(const tc_profile *p, prof_scope sc, scope_map *out)
{
	static const char *const tables[SCOPE_N] = {
		"[members.org] table", "[members.workspace] table", "[members.project] table"};
	static const char *const users[SCOPE_N] = {
		"[members.org] user", "[members.workspace] user", "[members.project] user"};
	static const char *const scopes[SCOPE_N] = {
		"[members.org] scope", "[members.workspace] scope", "[members.project] scope"};
	memset(out, 0, sizeof *out);
	out->sc = sc;
	out->m = &p->members[sc];
	if (sc == SCOPE_ORG) {
		out->table = &p->orgs.table;
		out->id = &p->orgs.id;
		out->org = &p->orgs.id;
		out->name = NULL;
		out->deleted_at = &p->orgs.deleted_at;
	} else if (sc == SCOPE_WORKSPACE) {
		out->table = &p->workspaces.table;
		out->id = &p->workspaces.id;
		out->org = &p->workspaces.org;
		out->name = &p->workspaces.name;
		out->deleted_at = &p->workspaces.deleted_at;
	} else {
		out->table = &p->projects.table;
		out->id = &p->projects.id;
		out->org = &p->projects.org;
		out->name = &p->projects.name;
		out->deleted_at = &p->projects.deleted_at;
	}
	if (!profile_mapped(&out->m->table))
		out->missing = tables[sc];
	else if (!profile_mapped(&out->m->user))
		out->missing = users[sc];
	else if (!profile_mapped(&out->m->scope))
		out->missing = scopes[sc];
	else if (sc == SCOPE_WORKSPACE && !profile_mapped(&p->workspaces.table))
		out->missing = "[workspaces] table";
	else if (sc == SCOPE_WORKSPACE && !profile_mapped(&p->workspaces.id))
		out->missing = "[workspaces] id";
	else if (sc == SCOPE_WORKSPACE && !profile_mapped(&p->workspaces.org))
		out->missing = "[workspaces] org";
	else if (sc == SCOPE_PROJECT && !profile_mapped(&p->projects.table))
		out->missing = "[projects] table";
	else if (sc == SCOPE_PROJECT && !profile_mapped(&p->projects.id))
		out->missing = "[projects] id";
	else if (sc == SCOPE_PROJECT && !profile_mapped(&p->projects.org))
		out->missing = "[projects] org";
	out->mapped = out->missing == NULL;
}

/* What every members command needs from the profile. */
static tc_status check_base(const tc_profile *p, tc_error *err)
{
	const char *missing = NULL;
	if (!profile_mapped(&p->users.table))
		missing = "[users] table";
	else if (!profile_mapped(&p->users.id))
		missing = "[users] id";
	else if (!profile_mapped(&p->users.email))
		missing = "[users] email";
	else if (!profile_mapped(&p->orgs.table))
		missing = "[organizations] table";
	else if (!profile_mapped(&p->orgs.id))
		missing = "[organizations] id";
	if (!missing)
		return TC_OK;
	tc_fail(err, TC_ERR_USAGE, "the tenancy profile %s does not map %s, which the members "
				   "commands need", p->name, missing);
	tc_hint(err, "add it to %s", p->path ? p->path : p->name);
	return TC_ERR_USAGE;
}

/* The operator's handle for an org: its slug, or its id where no slug is
 * mapped. */
static void org_handle_sql(strbuf *sb, const tc_profile *p, const char *alias)
{
	if (profile_mapped(&p->orgs.slug))
		sqlf(sb, "(%C)::text", alias, &p->orgs.slug);
	else
		sqlf(sb, "(%C)::text", alias, &p->orgs.id);
}

static tc_status parse_scope(const char *v, prof_scope *out, tc_error *err)
{
	if (!profile_scope_parse(v, out))
		return tc_fail(err, TC_ERR_USAGE,
			       "--scope takes org, workspace or project, not '%s'", v);
	return TC_OK;
}

/* ------------------------------------------------------------------ policy */

static bool is_privileged(const tc_profile *p, const char *role)
{
	return role && (profile_list_has(&p->roles.owner, role) ||
			profile_list_has(&p->roles.admin, role));
}

static bool is_owner_role(const tc_profile *p, const char *role)
{
	return role && profile_list_has(&p->roles.owner, role);
}

/* An allowlist or blocked-domains entry matches an address (when it holds
 * an @) or exactly its domain (a leading @ is allowed), ASCII case aside.
 * Subdomains do not match: an entry names what is trusted, no more. */
static bool entry_matches(const char *entry, const char *email, const char *domain)
{
	if (entry[0] == '@')
		entry++;
	if (strchr(entry, '@'))
		return strcasecmp(entry, email) == 0;
	return strcasecmp(entry, domain) == 0;
}

static bool list_matches(const prof_list *l, const char *email, const char *domain)
{
	for (size_t i = 0; i < l->n; i++)
		if (entry_matches(l->v[i], email, domain))
			return true;
	return false;
}

static void list_text(strbuf *sb, const prof_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", l->v[i]);
}

/* NULL when email may hold role; else what rule forbids it, naming the
 * profile's file and line. Only owner and admin roles are governed. Caller
 * frees. */
static char *policy_violation(const tc_profile *p, const char *email, const char *role)
{
	if (!email || !is_privileged(p, role))
		return NULL;
	const char *at = strrchr(email, '@');
	const char *domain = at ? at + 1 : "";
	const char *file = p->path ? p->path : p->name;
	const prof_list *blocked = &p->policy.blocked_domains;
	const prof_list *allow = &p->policy.owner_email_allowlist;
	strbuf sb = STRBUF_INIT;
	if (list_matches(blocked, email, domain)) {
		sb_addf(&sb, "%s may not hold the %s role: the domain '%s' is blocked "
			     "(blocked_domains, %s:%d)", email, role, domain, file, blocked->line);
		return sb_steal(&sb);
	}
	if (allow->n > 0 && !list_matches(allow, email, domain)) {
		sb_addf(&sb, "%s may not hold the %s role: it is outside the owner email "
			     "allowlist (owner_email_allowlist, %s:%d: ", email, role, file,
			allow->line);
		list_text(&sb, allow);
		sb_add(&sb, "); owner and admin roles are only for addresses it allows");
		return sb_steal(&sb);
	}
	return NULL;
}

static tc_status check_role_known(const tc_profile *p, const char *role, tc_error *err)
{
	if (p->roles.known.n == 0 || profile_list_has(&p->roles.known, role))
		return TC_OK;
	strbuf sb = STRBUF_INIT;
	list_text(&sb, &p->roles.known);
	tc_fail(err, TC_ERR_USAGE, "unknown role '%s': the profile %s knows %s", role, p->name,
		sb_str(&sb));
	tc_hint(err, "roles are compared exactly; the known roles are [roles] known in %s:%d",
		p->path ? p->path : p->name, p->roles.known.line);
	sb_free(&sb);
	return TC_ERR_USAGE;
}

/* ------------------------------------------------------------------ keys */

static bool key_plain(unsigned char ch)
{
	return isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '@' || ch == '+';
}

/* Percent-encode a key part, so the key is one shell-safe word. */
static void key_part(strbuf *sb, const char *v)
{
	for (const unsigned char *s = (const unsigned char *)(v ? v : ""); *s; s++)
		if (*s < 0x80 && key_plain(*s))
			sb_addc(sb, (char)*s);
		else
			sb_addf(sb, "%%%02X", *s);
}

typedef struct list_key {
	char *org, *email, *obj, *mid; /* owned */
	prof_scope sc;
} list_key;

static void key_free(list_key *k)
{
	free(k->org);
	free(k->email);
	free(k->obj);
	free(k->mid);
	memset(k, 0, sizeof *k);
}

static char *key_encode(const char *org, prof_scope sc, const char *email, const char *obj,
			const char *mid)
{
	strbuf sb = STRBUF_INIT;
	key_part(&sb, org);
	sb_addf(&sb, ":%s:", profile_scope_name(sc));
	key_part(&sb, email);
	sb_addc(&sb, ':');
	key_part(&sb, obj);
	sb_addc(&sb, ':');
	key_part(&sb, mid);
	return sb_steal(&sb);
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decode [s, end); false on a malformed escape. */
static bool key_decode_part(const char *s, const char *end, char **out)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "");
	for (; s < end; s++) {
		if (*s != '%') {
			sb_addc(&sb, *s);
			continue;
		}
		int hi = end - s >= 3 ? hexval(s[1]) : -1;
		int lo = hi >= 0 ? hexval(s[2]) : -1;
		if (lo < 0) {
			sb_free(&sb);
			return false;
		}
		sb_addc(&sb, (char)(hi * 16 + lo));
		s += 2;
	}
	*out = sb_steal(&sb);
	return true;
}

static tc_status key_decode(const char *text, list_key *k, tc_error *err)
{
	memset(k, 0, sizeof *k);
	const char *parts[6];
	size_t n = 0;
	parts[n++] = text;
	for (const char *s = text; *s; s++)
		if (*s == ':') {
			if (n == 5) {
				n = 6;
				break;
			}
			parts[n++] = s + 1;
		}
	bool ok = n == 5;
	char *scope = NULL;
	if (ok) {
		const char *ends[5] = {parts[1] - 1, parts[2] - 1, parts[3] - 1, parts[4] - 1,
				       parts[4] + strlen(parts[4])};
		ok = key_decode_part(parts[0], ends[0], &k->org) &&
		     key_decode_part(parts[1], ends[1], &scope) &&
		     key_decode_part(parts[2], ends[2], &k->email) &&
		     key_decode_part(parts[3], ends[3], &k->obj) &&
		     key_decode_part(parts[4], ends[4], &k->mid) &&
		     profile_scope_parse(scope, &k->sc);
	}
	free(scope);
	if (ok)
		return TC_OK;
	key_free(k);
	tc_fail(err, TC_ERR_USAGE, "--after '%s' is not a key of `members list`", text);
	tc_hint(err, "pass the key the previous page's summary printed (or its last row's key)");
	return TC_ERR_USAGE;
}

/* ------------------------------------------------------------------ listing */

/* Columns of a listing query, in order. */
enum {
	L_ORG,
	L_SCOPE,
	L_OBJECT,
	L_EMAIL,
	L_ROLE,
	L_JOINED,
	L_LAST_SEEN,
	L_USER_MISSING,
	L_USER_DELETED,
	L_NOT_ORG_MEMBER,
	L_ORG_DELETED,
	L_OBJ_DELETED,
	L_KEY_EMAIL,
	L_KEY_OBJ,
	L_KEY_MID,
};

typedef struct list_filter {
	const char *org;  /* handle, or NULL */
	const char *role; /* or NULL */
	const char *flag; /* one of list_flags, "any", or NULL */
	bool only[SCOPE_N];
} list_filter;

/* The flags a row can carry (row_flags), in the order they are listed. */
static const char *const list_flags[] = {
	"missing-user", "deleted-user", "not-org-member", "deleted-org",
	"deleted-workspace", "deleted-project", "unknown-role", "outside-allowlist",
};
#define N_LIST_FLAGS (sizeof list_flags / sizeof list_flags[0])

static tc_status parse_flag(const char *v, tc_error *err)
{
	if (!strcmp(v, "any"))
		return TC_OK;
	for (size_t i = 0; i < N_LIST_FLAGS; i++)
		if (!strcmp(v, list_flags[i]))
			return TC_OK;
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < N_LIST_FLAGS; i++)
		sb_addf(&sb, "%s, ", list_flags[i]);
	tc_fail(err, TC_ERR_USAGE, "--flag takes %sor any, not '%s'", sb_str(&sb), v);
	sb_free(&sb);
	return TC_ERR_USAGE;
}

/* Text arrays a flag condition passes as parameters, kept until the query
 * has run. */
typedef struct flag_params {
	char *v[6];
	int n;
} flag_params;

static void flag_params_free(flag_params *fp)
{
	for (int i = 0; i < fp->n; i++)
		free(fp->v[i]);
	fp->n = 0;
}

static int flag_param(qparams *q, flag_params *fp, char *owned)
{
	fp->v[fp->n++] = owned;
	return qp_add(q, owned);
}

/* A policy list as two text[] literals: whole addresses and domains, lower
 * case, a leading @ dropped (entry_matches in SQL). */
static void policy_arrays(const prof_list *l, char **addrs, char **domains)
{
	prof_list a = {NULL, 0, 0}, d = {NULL, 0, 0};
	a.v = xcalloc(l->n + 1, sizeof *a.v);
	d.v = xcalloc(l->n + 1, sizeof *d.v);
	for (size_t i = 0; i < l->n; i++) {
		const char *e = l->v[i][0] == '@' ? l->v[i] + 1 : l->v[i];
		char *low = xstrdup(e);
		for (char *c = low; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strchr(low, '@'))
			a.v[a.n++] = low;
		else
			d.v[d.n++] = low;
	}
	*addrs = profile_list_array(&a);
	*domains = profile_list_array(&d);
	for (size_t i = 0; i < a.n; i++)
		free(a.v[i]);
	for (size_t i = 0; i < d.n; i++)
		free(d.v[i]);
	free(a.v);
	free(d.v);
}

/* "matches a policy list" for the email e (SQL text) and its domain dom. */
static void policy_match_sql(strbuf *sb, qparams *q, flag_params *fp, const prof_list *l,
			     const char *e, const char *dom)
{
	char *addrs, *domains;
	policy_arrays(l, &addrs, &domains);
	int pa = flag_param(q, fp, addrs);
	int pd = flag_param(q, fp, domains);
	/* ASCII case only, as strcasecmp compares in entry_matches. */
	static const char ascii_lower[] = "translate(%s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
					  "'abcdefghijklmnopqrstuvwxyz')";
	sb_add(sb, "(");
	sb_addf(sb, ascii_lower, e);
	sb_addf(sb, " = ANY ($%d::text[]) OR ", pa);
	sb_addf(sb, ascii_lower, dom);
	sb_addf(sb, " = ANY ($%d::text[]))", pd);
}

/* The condition a --flag puts on a listing row (the outer query: u, o, x),
 * the same rules row_flags applies. */
static void flag_sql(strbuf *sb, const tc_profile *p, const char *flag, qparams *q,
		     flag_params *fp)
{
	bool any = !strcmp(flag, "any");
	bool first = true;
	sb_add(sb, "(");
#define FLAG_IS(name) (any || !strcmp(flag, name))
#define OR() (first ? (void)(first = false) : sb_add(sb, " OR "))
	if (FLAG_IS("missing-user")) {
		OR();
		sqlf(sb, "(%C) IS NULL", "u", &p->users.id);
	}
	if (FLAG_IS("deleted-user")) {
		OR();
		if (profile_mapped(&p->users.deleted_at))
			sqlf(sb, "(%C) IS NOT NULL", "u", &p->users.deleted_at);
		else
			sb_add(sb, "false");
	}
	if (FLAG_IS("not-org-member")) {
		OR();
		sb_add(sb, "x.not_org_member IS TRUE");
	}
	if (FLAG_IS("deleted-org")) {
		OR();
		if (profile_mapped(&p->orgs.deleted_at))
			sqlf(sb, "(%C) IS NOT NULL", "o", &p->orgs.deleted_at);
		else
			sb_add(sb, "false");
	}
	if (FLAG_IS("deleted-workspace")) {
		OR();
		sb_addf(sb, "(x.k_scope = %d AND x.obj_deleted)", (int)SCOPE_WORKSPACE);
	}
	if (FLAG_IS("deleted-project")) {
		OR();
		sb_addf(sb, "(x.k_scope = %d AND x.obj_deleted)", (int)SCOPE_PROJECT);
	}
	if (FLAG_IS("unknown-role")) {
		OR();
		sb_add(sb, "x.role IS NULL");
		if (p->roles.known.n > 0) {
			int k = flag_param(q, fp, profile_list_array(&p->roles.known));
			sb_addf(sb, " OR NOT (x.role = ANY ($%d::text[]))", k);
		}
	}
	if (FLAG_IS("outside-allowlist")) {
		OR();
		const prof_list *blocked = &p->policy.blocked_domains;
		const prof_list *allow = &p->policy.owner_email_allowlist;
		prof_list priv = {NULL, 0, 0};
		priv.v = xcalloc(p->roles.owner.n + p->roles.admin.n + 1, sizeof *priv.v);
		for (size_t i = 0; i < p->roles.owner.n; i++)
			priv.v[priv.n++] = p->roles.owner.v[i];
		for (size_t i = 0; i < p->roles.admin.n; i++)
			priv.v[priv.n++] = p->roles.admin.v[i];
		if (priv.n == 0 || (blocked->n == 0 && allow->n == 0)) {
			sb_add(sb, "false");
		} else {
			strbuf e = STRBUF_INIT, dom = STRBUF_INIT;
			sqlf(&e, "(%C)::text", "u", &p->users.email);
			sb_addf(&dom, "CASE WHEN strpos(%s, '@') > 0 THEN substring(%s from '[^@]*$') "
				      "ELSE '' END",
				sb_str(&e), sb_str(&e));
			int pr = flag_param(q, fp, profile_list_array(&priv));
			sb_addf(sb, "(%s IS NOT NULL AND x.role = ANY ($%d::text[]) AND (", sb_str(&e),
				pr);
			bool or = false;
			if (blocked->n > 0) {
				policy_match_sql(sb, q, fp, blocked, sb_str(&e), sb_str(&dom));
				or = true;
			}
			if (allow->n > 0) {
				sb_add(sb, or ? " OR NOT " : "NOT ");
				policy_match_sql(sb, q, fp, allow, sb_str(&e), sb_str(&dom));
			}
			sb_add(sb, "))");
			sb_free(&e);
			sb_free(&dom);
		}
		free(priv.v);
	}
#undef FLAG_IS
#undef OR
	sb_add(sb, ")");
}

/* The org's sort key in the listing: its slug as stored (so an index on
 * the slug gives the order and the keyset bound), or its id as text where no
 * slug is mapped. */
static void org_key_sql(strbuf *sb, const tc_profile *p)
{
	if (profile_mapped(&p->orgs.slug))
		sqlf(sb, "%C", "o", &p->orgs.slug);
	else
		sqlf(sb, "(%C)::text", "o", &p->orgs.id);
}

/* One scope's memberships of the org `o` (a LATERAL branch): the scope, the
 * scope object's name, the user key, role, joined, whether the member is
 * missing from the org, whether the object is deleted, and the key parts. */
static void list_branch(strbuf *sb, const tc_profile *p, const scope_map *sm, int p_role)
{
	const prof_members *m = sm->m;
	sb_addf(sb, "SELECT %d AS k_scope, ", (int)sm->sc);
	if (sm->sc == SCOPE_ORG)
		org_handle_sql(sb, p, "o");
	else if (profile_mapped(sm->name))
		sqlf(sb, "coalesce((%C)::text, (%C)::text)", "s", sm->name, "s", sm->id);
	else
		sqlf(sb, "(%C)::text", "s", sm->id);
	sqlf(sb, " AS object, %C AS uid, (%C)::text AS role, ", "m", &m->user, "m", &m->role);
	if (profile_mapped(&m->created_at))
		sqlf(sb, "(%C)::timestamptz", "m", &m->created_at);
	else
		sb_add(sb, "NULL::timestamptz");
	sb_add(sb, " AS joined, ");
	scope_map om;
	scope_map_for(p, SCOPE_ORG, &om);
	if (sm->sc == SCOPE_ORG || !om.mapped) {
		sb_add(sb, "NULL::boolean");
	} else {
		sqlf(sb, "NOT EXISTS (SELECT 1 FROM %T om WHERE (%C) = (%C) AND (%C) = (%C)",
		     &om.m->table, "om", &om.m->user, "m", &m->user, "om", &om.m->scope, "o",
		     &p->orgs.id);
		if (profile_mapped(&om.m->deleted_at))
			sqlf(sb, " AND (%C) IS NULL", "om", &om.m->deleted_at);
		sb_add(sb, ")");
	}
	sb_add(sb, " AS not_org_member, ");
	if (sm->sc != SCOPE_ORG && profile_mapped(sm->deleted_at))
		sqlf(sb, "(%C) IS NOT NULL", "s", sm->deleted_at);
	else
		sb_add(sb, "false");
	sqlf(sb, " AS obj_deleted, (%C)::text AS k_obj, ", sm->sc == SCOPE_ORG ? "o" : "s",
	     sm->id);
	/* Without a mapped id the row's ctid tells duplicates apart within a
	 * listing (it changes when the row is updated, which only moves it). */
	if (profile_mapped(&m->id))
		sqlf(sb, "(%C)::text", "m", &m->id);
	else
		sb_add(sb, "m.ctid::text");
	sqlf(sb, " AS k_mid FROM %T m", &m->table);
	if (sm->sc == SCOPE_ORG)
		sqlf(sb, " WHERE (%C) = (%C)", "m", &m->scope, "o", &p->orgs.id);
	else
		sqlf(sb, " JOIN %T s ON (%C) = (%C) WHERE (%C) = (%C)", sm->table, "s", sm->id, "m",
		     &m->scope, "s", sm->org, "o", &p->orgs.id);
	if (profile_mapped(&m->deleted_at))
		sqlf(sb, " AND (%C) IS NULL", "m", &m->deleted_at);
	if (p_role)
		sqlf(sb, " AND (%C)::text = $%d", "m", &m->role, p_role);
}

/* Which way a page goes from its bound. */
typedef enum list_dir {
	LIST_FORWARD, /* after the key (or from the start) */
	LIST_BACK,    /* before the key (or the last rows), returned in order */
} list_dir;

/* Reverse the rows of a result (a page read backwards). */
static void rows_reverse(db_rows *r)
{
	for (size_t i = 0, j = r->nrows ? r->nrows - 1 : 0; i < j; i++, j--)
		for (size_t c = 0; c < r->ncols; c++) {
			char *t = r->cells[i * r->ncols + c];
			r->cells[i * r->ncols + c] = r->cells[j * r->ncols + c];
			r->cells[j * r->ncols + c] = t;
		}
}

/* One window of the listing: rows after `after` (NULL: from the start),
 * or going back, before it (NULL: the last rows), at most limit of them.
 * The query walks the organizations in key order (an index scan on the
 * slug where there is one, backwards going back) and, per org, its
 * memberships at every scope through the scope's own index, sorting only
 * within an org; so a page costs about its rows, not the table's. */
static tc_status list_page(tc_conn *c, const tc_profile *p, const list_filter *f,
			   const list_key *after, list_dir dir, long limit, db_rows *out,
			   tc_error *err)
{
	qparams q = {{0}, 0};
	flag_params fp = {{0}, 0};
	int p_org = f->org ? qp_add(&q, f->org) : 0;
	int p_role = f->role ? qp_add(&q, f->role) : 0;
	bool back = dir != LIST_FORWARD;
	strbuf key = STRBUF_INIT; /* the keyset's row */
	strbuf order = STRBUF_INIT; /* the ORDER BY: the key, descending going back */
	org_key_sql(&key, p);
	sqlf(&key, ", x.k_scope, coalesce((%C)::text, '') COLLATE \"C\", x.k_obj COLLATE \"C\", "
		   "x.k_mid COLLATE \"C\"",
	     "u", &p->users.email);
	if (back) {
		org_key_sql(&order, p);
		sqlf(&order, " DESC, x.k_scope DESC, coalesce((%C)::text, '') COLLATE \"C\" DESC, "
			     "x.k_obj COLLATE \"C\" DESC, x.k_mid COLLATE \"C\" DESC",
		     "u", &p->users.email);
	} else {
		sb_add(&order, sb_str(&key));
	}

	strbuf sql = STRBUF_INIT;
	sb_add(&sql, "SELECT ");
	org_handle_sql(&sql, p, "o");
	sqlf(&sql, " AS k_org, x.k_scope, x.object, (%C)::text AS email, x.role, ", "u",
	     &p->users.email);
	sb_add(&sql, "to_char(x.joined AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS "
		     "joined, ");
	if (profile_mapped(&p->users.last_seen))
		iso_sql(&sql, "u", &p->users.last_seen);
	else
		sb_add(&sql, "NULL::text");
	sqlf(&sql, " AS last_seen, (%C) IS NULL AS user_missing, ", "u", &p->users.id);
	if (profile_mapped(&p->users.deleted_at))
		sqlf(&sql, "(%C) IS NOT NULL", "u", &p->users.deleted_at);
	else
		sb_add(&sql, "false");
	sb_add(&sql, " AS user_deleted, x.not_org_member, ");
	if (profile_mapped(&p->orgs.deleted_at))
		sqlf(&sql, "(%C) IS NOT NULL", "o", &p->orgs.deleted_at);
	else
		sb_add(&sql, "false");
	sqlf(&sql, " AS org_deleted, x.obj_deleted, coalesce((%C)::text, '') AS k_email, x.k_obj, "
		   "x.k_mid FROM %T o CROSS JOIN LATERAL (",
	     "u", &p->users.email, &p->orgs.table);
	bool any = false;
	for (int sc = 0; sc < SCOPE_N; sc++) {
		scope_map sm;
		scope_map_for(p, (prof_scope)sc, &sm);
		if (!sm.mapped || !f->only[sc])
			continue;
		if (any)
			sb_add(&sql, " UNION ALL ");
		list_branch(&sql, p, &sm, p_role);
		any = true;
	}
	sqlf(&sql, ") x LEFT JOIN %T u ON (%C) = x.uid WHERE true", &p->users.table, "u",
	     &p->users.id);
	if (p_org) {
		sb_add(&sql, " AND ");
		org_key_sql(&sql, p);
		sb_addf(&sql, " = $%d", p_org);
	}
	if (f->flag) {
		sb_add(&sql, " AND ");
		flag_sql(&sql, p, f->flag, &q, &fp);
	}
	char scope_num[16];
	char limit_text[32];
	if (after) {
		snprintf(scope_num, sizeof scope_num, "%d", (int)after->sc);
		int a = qp_add(&q, after->org);
		int b = qp_add(&q, scope_num);
		int e = qp_add(&q, after->email);
		int o = qp_add(&q, after->obj);
		int m = qp_add(&q, after->mid);
		/* The org bound on its own too: it is what the slug index can use. */
		sb_add(&sql, " AND ");
		org_key_sql(&sql, p);
		sb_addf(&sql, " %s $%d AND (%s) %s ($%d, $%d::int, $%d, $%d, $%d)",
			back ? "<=" : ">=", a, sb_str(&key), back ? "<" : ">", a, b, e, o, m);
	}
	snprintf(limit_text, sizeof limit_text, "%ld", limit);
	int l = qp_add(&q, limit_text);
	sb_addf(&sql, " ORDER BY %s LIMIT $%d::bigint", sb_str(&order), l);
	tc_status rc = TC_OK;
	if (!any) {
		/* Every scope asked for is unmapped: nothing to list. */
		memset(out, 0, sizeof *out);
	} else {
		rc = db_query(c, sb_str(&sql), q.n, q.v, out, err);
		if (rc != TC_OK)
			tc_error_prefix(err, "cannot list memberships: ");
		else if (back)
			rows_reverse(out);
	}
	sb_free(&sql);
	sb_free(&key);
	sb_free(&order);
	flag_params_free(&fp);
	return rc;
}

static void add_list_cols(tc_result *r, bool with_key)
{
	res_add_col(r, "org", RES_T_TEXT);
	res_add_col(r, "scope", RES_T_TEXT);
	res_add_col(r, "object", RES_T_TEXT);
	res_add_col(r, "email", RES_T_TEXT);
	res_add_col(r, "role", RES_T_TEXT);
	res_add_col(r, "joined", RES_T_TEXT);
	res_add_col(r, "last_seen", RES_T_TEXT);
	res_add_col(r, "flags", RES_T_TEXT);
	if (with_key)
		res_add_detail_col(r, "key", RES_T_TEXT);
}

static bool is_true(const char *v)
{
	return v && strcmp(v, "t") == 0;
}

static void add_flag(strbuf *sb, const char *flag)
{
	if (sb->len)
		sb_addc(sb, ',');
	sb_add(sb, flag);
}

/* The row's flags, comma-separated ("" when clean). */
static void row_flags(strbuf *sb, const tc_profile *p, const db_rows *rows, size_t i)
{
	prof_scope sc = (prof_scope)atoi(db_get(rows, i, L_SCOPE));
	const char *role = db_get(rows, i, L_ROLE);
	const char *email = db_get(rows, i, L_EMAIL);
	if (is_true(db_get(rows, i, L_USER_MISSING)))
		add_flag(sb, "missing-user");
	if (is_true(db_get(rows, i, L_USER_DELETED)))
		add_flag(sb, "deleted-user");
	if (is_true(db_get(rows, i, L_NOT_ORG_MEMBER)))
		add_flag(sb, "not-org-member");
	if (is_true(db_get(rows, i, L_ORG_DELETED)))
		add_flag(sb, "deleted-org");
	if (is_true(db_get(rows, i, L_OBJ_DELETED)))
		add_flag(sb, sc == SCOPE_WORKSPACE ? "deleted-workspace" : "deleted-project");
	if (!role || (p->roles.known.n > 0 && !profile_list_has(&p->roles.known, role)))
		add_flag(sb, "unknown-role");
	char *why = policy_violation(p, email, role);
	if (why)
		add_flag(sb, "outside-allowlist");
	free(why);
}

static char *row_key(const db_rows *rows, size_t i)
{
	return key_encode(db_get(rows, i, L_ORG), (prof_scope)atoi(db_get(rows, i, L_SCOPE)),
			  db_get(rows, i, L_KEY_EMAIL), db_get(rows, i, L_KEY_OBJ),
			  db_get(rows, i, L_KEY_MID));
}

static void append_rows(tc_result *r, const tc_profile *p, const db_rows *rows, size_t from,
			size_t n, bool with_key)
{
	for (size_t i = from; i < from + n; i++) {
		size_t row = res_add_row(r);
		res_set(r, row, 0, db_get(rows, i, L_ORG));
		res_set(r, row, 1, profile_scope_name((prof_scope)atoi(db_get(rows, i, L_SCOPE))));
		res_set(r, row, 2, db_get(rows, i, L_OBJECT));
		res_set(r, row, 3, db_get(rows, i, L_EMAIL));
		res_set(r, row, 4, db_get(rows, i, L_ROLE));
		res_set(r, row, 5, db_get(rows, i, L_JOINED));
		res_set(r, row, 6, db_get(rows, i, L_LAST_SEEN));
		strbuf flags = STRBUF_INIT;
		row_flags(&flags, p, rows, i);
		res_set(r, row, 7, sb_str(&flags));
		sb_free(&flags);
		if (with_key) {
			char *key = row_key(rows, i);
			res_set(r, row, 8, key);
			free(key);
		}
	}
}

/* Filters shared by list and export; notes gets one line per scope the
 * profile does not map. */
static tc_status list_setup(struct tc_session *s, const cmd_call *call, const tc_profile **pp,
			    tc_conn **c, list_filter *f, strbuf *notes, tc_error *err)
{
	tc_status rc = profile_for_session(s, pp, err);
	if (rc != TC_OK)
		return rc;
	const tc_profile *p = *pp;
	if ((rc = check_base(p, err)) != TC_OK)
		return rc;
	memset(f, 0, sizeof *f);
	f->org = cmd_opt_value(call, "org");
	f->role = cmd_opt_value(call, "role");
	f->flag = cmd_opt_value(call, "flag");
	if (f->flag && (rc = parse_flag(f->flag, err)) != TC_OK)
		return rc;
	const char *scope = cmd_opt_value(call, "scope");
	prof_scope want = SCOPE_ORG;
	if (scope && (rc = parse_scope(scope, &want, err)) != TC_OK)
		return rc;
	for (int sc = 0; sc < SCOPE_N; sc++) {
		scope_map sm;
		scope_map_for(p, (prof_scope)sc, &sm);
		f->only[sc] = !scope || want == (prof_scope)sc;
		if (sm.mapped || !f->only[sc])
			continue;
		if (scope) {
			tc_fail(err, TC_ERR_USAGE, "%s scope is not mapped in profile %s (no %s)",
				profile_scope_name(want), p->name, sm.missing);
			tc_hint(err, "map it in %s, or leave --scope out",
				p->path ? p->path : p->name);
			return TC_ERR_USAGE;
		}
		sb_addf(notes, "; %s scope: not mapped in profile %s", profile_scope_name(sc),
			p->name);
		f->only[sc] = false;
	}
	if ((rc = session_conn(s, c, err)) != TC_OK)
		return rc;
	if (f->org) {
		strbuf sql = STRBUF_INIT;
		sb_add(&sql, "SELECT 1 FROM ");
		sqlf(&sql, "%T o WHERE ", &p->orgs.table);
		org_handle_sql(&sql, p, "o");
		sb_add(&sql, " = $1 LIMIT 1");
		db_rows rows = DB_ROWS_INIT;
		rc = db_query(*c, sb_str(&sql), 1, &f->org, &rows, err);
		sb_free(&sql);
		if (rc == TC_OK && rows.nrows == 0) {
			rc = tc_fail(err, TC_ERR_USAGE, "no organization '%s'", f->org);
			tc_hint(err, "`tenantctl orgs search TEXT` finds it by slug or name");
		}
		db_rows_free(&rows);
		if (rc != TC_OK)
			return rc;
	}
	return TC_OK;
}

tc_status members_list(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	long limit = LIST_DEFAULT_LIMIT;
	const char *lim = cmd_opt_value(call, "limit");
	if (lim) {
		char *end;
		limit = strtol(lim, &end, 10);
		if (!*lim || *end || limit < 1 || limit > LIST_MAX_LIMIT)
			return tc_fail(err, TC_ERR_USAGE,
				       "--limit takes a whole number from 1 to %d, not '%s'",
				       LIST_MAX_LIMIT, lim);
	}
	list_key after;
	bool have_after = false;
	const char *after_text = cmd_opt_value(call, "after");
	const char *before_text = cmd_opt_value(call, "before");
	bool last = cmd_opt_value(call, "last") != NULL;
	tc_status rc;
	if ((after_text != NULL) + (before_text != NULL) + last > 1)
		return tc_fail(err, TC_ERR_USAGE, "--after, --before and --last choose where a page "
						  "starts; give one of them");
	list_dir dir = before_text || last ? LIST_BACK : LIST_FORWARD;
	if (after_text || before_text) {
		if ((rc = key_decode(after_text ? after_text : before_text, &after, err)) != TC_OK)
			return rc;
		have_after = true;
	}
	const tc_profile *p;
	tc_conn *c;
	list_filter f;
	strbuf notes = STRBUF_INIT;
	rc = list_setup(s, call, &p, &c, &f, &notes, err);
	db_rows rows = DB_ROWS_INIT;
	if (rc == TC_OK)
		rc = list_page(c, p, &f, have_after ? &after : NULL, dir, limit + 1, &rows, err);
	if (rc == TC_OK) {
		res_init(out, RES_TABLE);
		add_list_cols(out, true);
		bool more = rows.nrows > (size_t)limit;
		size_t n = more ? (size_t)limit : rows.nrows;
		/* Going back, the row beyond the page is the first one read. */
		size_t from = more && dir == LIST_BACK ? 1 : 0;
		append_rows(out, p, &rows, from, n, true);
		if (more && dir == LIST_FORWARD) {
			char *next = row_key(&rows, n - 1);
			res_set_summary(out, "%zu membership%s; next page: --after %s%s", n,
					n == 1 ? "" : "s", next, sb_str(&notes));
			free(next);
		} else if (more) {
			char *prev = row_key(&rows, 1);
			res_set_summary(out, "%zu membership%s; previous page: --before %s%s", n,
					n == 1 ? "" : "s", prev, sb_str(&notes));
			free(prev);
		} else {
			res_set_summary(out, "%zu membership%s; %s page%s", n, n == 1 ? "" : "s",
					dir == LIST_BACK ? "first" : "last", sb_str(&notes));
		}
	}
	db_rows_free(&rows);
	sb_free(&notes);
	if (have_after)
		key_free(&after);
	return rc;
}

tc_status members_export(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	const tc_profile *p;
	tc_conn *c;
	list_filter f;
	strbuf notes = STRBUF_INIT;
	tc_status rc = list_setup(s, call, &p, &c, &f, &notes, err);
	if (rc != TC_OK) {
		sb_free(&notes);
		return rc;
	}
	/* Keyset pages, so no single query holds the whole export; the result
	 * itself grows with it (an export is a copy by definition). */
	res_init(out, RES_TABLE);
	add_list_cols(out, false);
	list_key after = {0};
	bool have_after = false;
	for (;;) {
		db_rows rows = DB_ROWS_INIT;
		rc = list_page(c, p, &f, have_after ? &after : NULL, LIST_FORWARD, EXPORT_PAGE,
			       &rows, err);
		if (rc != TC_OK)
			break;
		append_rows(out, p, &rows, 0, rows.nrows, false);
		bool more = rows.nrows == EXPORT_PAGE;
		if (more) {
			size_t i = rows.nrows - 1;
			key_free(&after);
			after.org = xstrdup(db_get(&rows, i, L_ORG));
			after.sc = (prof_scope)atoi(db_get(&rows, i, L_SCOPE));
			after.email = xstrdup(db_get(&rows, i, L_KEY_EMAIL));
			after.obj = xstrdup(db_get(&rows, i, L_KEY_OBJ));
			after.mid = xstrdup(db_get(&rows, i, L_KEY_MID));
			have_after = true;
		}
		db_rows_free(&rows);
		if (!more)
			break;
	}
	key_free(&after);
	if (rc == TC_OK)
		res_set_summary(out, "%zu membership%s exported%s", out->nrows,
				out->nrows == 1 ? "" : "s", sb_str(&notes));
	sb_free(&notes);
	return rc;
}

/* ------------------------------------------------------------------ writes */

typedef enum write_op { W_ADD, W_SET_ROLE, W_REMOVE } write_op;

typedef struct write_ctx {
	const tc_profile *p;
	write_op op;
	scope_map sm;
	const char *org_arg, *email, *role, *in_arg; /* borrowed from the call */
	/* Resolved inside the transaction. */
	char *org_id, *org_handle, *owner_ptr; /* owner_ptr: the org's owner pointer */
	char *obj_id, *obj_name;
	char *user_id, *user_email;
	strbuf *sql_log; /* borrowed; NULL, or where the writes' SQL is shown (a batch) */
} write_ctx;

static void write_ctx_free(write_ctx *w)
{
	free(w->org_id);
	free(w->org_handle);
	free(w->owner_ptr);
	free(w->obj_id);
	free(w->obj_name);
	free(w->user_id);
	free(w->user_email);
}

static const char *file_of(const tc_profile *p)
{
	return p->path ? p->path : p->name;
}

/* Is the word at s (length n) a clause that starts a line of shown SQL? */
static int clause_at(const char *s)
{
	static const char *const words[] = {" WHERE ", " FROM ", " USING ", " VALUES ", " AND "};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strncmp(s, words[i], strlen(words[i])))
			return (int)i;
	return -1;
}

/* A statement as the preview of a batch shows it: its parameters written in
 * as literals, a clause a line, and the rows it touched. For reading (and
 * copying into psql), never run: what runs is the statement with its
 * parameters. Quoted identifiers and literals are copied as they are. */
static void show_sql(strbuf *sb, const char *sql, int nparams, const char *const *params,
		     long rows)
{
	sb_add(sb, "     ");
	for (const char *s = sql; *s;) {
		if (*s == '"' || *s == '\'') {
			char q = *s;
			const char *e = s + 1;
			while (*e && !(*e == q && e[1] != q))
				e += *e == q ? 2 : 1;
			if (*e)
				e++;
			sb_addn(sb, s, (size_t)(e - s));
			s = e;
			continue;
		}
		int k = clause_at(s);
		if (k >= 0) {
			sb_add(sb, k == 4 ? "\n         " : "\n       ");
			s++;
			continue;
		}
		if (*s == '$' && isdigit((unsigned char)s[1])) {
			char *end;
			long i = strtol(s + 1, &end, 10);
			if (i >= 1 && i <= nparams) {
				const char *v = params[i - 1];
				if (!v) {
					sb_add(sb, "NULL");
				} else {
					sb_addc(sb, '\'');
					for (; *v; v++) {
						if (*v == '\'')
							sb_addc(sb, '\'');
						sb_addc(sb, *v);
					}
					sb_addc(sb, '\'');
				}
				s = end;
				continue;
			}
		}
		sb_addc(sb, *s++);
	}
	sb_addf(sb, ";  -- %ld row%s\n", rows, rows == 1 ? "" : "s");
}

/* db_exec for a write of a members command; a batch also shows it. */
static tc_status write_exec(tc_conn *c, const write_ctx *w, const char *sql, int nparams,
			    const char *const *params, long *affected, tc_error *err)
{
	long n = 0;
	tc_status rc = db_exec(c, sql, nparams, params, &n, err);
	if (affected)
		*affected = n;
	if (rc == TC_OK && w->sql_log && n > 0)
		show_sql(w->sql_log, sql, nparams, params, n);
	return rc;
}

/* "org acme" or "workspace Platform of org acme". */
static void where_text(strbuf *sb, const write_ctx *w)
{
	if (w->sm.sc == SCOPE_ORG)
		sb_addf(sb, "org %s", w->org_handle);
	else
		sb_addf(sb, "%s %s of org %s", profile_scope_name(w->sm.sc), w->obj_name,
			w->org_handle);
}

/* The organization, locked: member writes of one org take its row lock
 * first, so two of them never both pass a check (duplicate, last owner)
 * that only one may. */
static tc_status find_org(tc_conn *c, write_ctx *w, tc_error *err)
{
	const tc_profile *p = w->p;
	strbuf sql = STRBUF_INIT;
	sqlf(&sql, "SELECT (%C)::text, ", "o", &p->orgs.id);
	org_handle_sql(&sql, p, "o");
	sb_add(&sql, ", ");
	if (profile_mapped(&p->orgs.deleted_at))
		sqlf(&sql, "(%C) IS NOT NULL", "o", &p->orgs.deleted_at);
	else
		sb_add(&sql, "false");
	sb_add(&sql, ", ");
	if (profile_mapped(&p->orgs.owner))
		sqlf(&sql, "(%C)::text", "o", &p->orgs.owner);
	else
		sb_add(&sql, "NULL::text");
	sqlf(&sql, " FROM %T o WHERE ", &p->orgs.table);
	org_handle_sql(&sql, p, "o");
	sb_add(&sql, " = $1 FOR UPDATE");
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&sql), 1, &w->org_arg, &rows, err);
	sb_free(&sql);
	if (rc != TC_OK) {
		tc_error_prefix(err, "cannot read organization '%s': ", w->org_arg);
		return rc;
	}
	if (rows.nrows == 0) {
		rc = tc_fail(err, TC_ERR_USAGE, "no organization '%s'", w->org_arg);
		tc_hint(err, "`tenantctl orgs search TEXT` finds it by slug or name");
	} else if (rows.nrows > 1) {
		rc = tc_fail(err, TC_ERR_USAGE, "%zu organizations are called '%s'; tenantctl "
						"cannot tell which one is meant", rows.nrows,
			     w->org_arg);
		tc_hint(err, "`tenantctl audit --check slugs` lists slug collisions");
	} else if (is_true(db_get(&rows, 0, 2))) {
		rc = tc_fail(err, TC_ERR_REFUSED, "organization '%s' is deleted; its memberships "
						  "are not changed here", w->org_arg);
		tc_hint(err, "`tenantctl audit fix` ends live memberships of deleted "
			     "organizations");
	} else {
		w->org_id = xstrdup(db_get(&rows, 0, 0));
		w->org_handle = xstrdup(db_get(&rows, 0, 1));
		const char *ptr = db_get(&rows, 0, 3);
		w->owner_ptr = ptr ? xstrdup(ptr) : NULL;
	}
	db_rows_free(&rows);
	return rc;
}

/* The workspace or project --in names, among the org's live ones: an id
 * wins over names; several of the same name are ambiguous. */
static tc_status find_object(tc_conn *c, write_ctx *w, tc_error *err)
{
	const scope_map *sm = &w->sm;
	const char *kind = profile_scope_name(sm->sc);
	if (sm->sc == SCOPE_ORG) {
		w->obj_id = xstrdup(w->org_id);
		w->obj_name = xstrdup(w->org_handle);
		return TC_OK;
	}
	strbuf sql = STRBUF_INIT;
	sqlf(&sql, "SELECT * FROM (SELECT (%C)::text AS id, ", "s", sm->id);
	if (profile_mapped(sm->name))
		sqlf(&sql, "coalesce((%C)::text, (%C)::text)", "s", sm->name, "s", sm->id);
	else
		sqlf(&sql, "(%C)::text", "s", sm->id);
	sqlf(&sql, " AS name, (%C)::text = $2 AS by_id FROM %T s WHERE (%C) = $1", "s", sm->id,
	     sm->table, "s", sm->org);
	if (profile_mapped(sm->deleted_at))
		sqlf(&sql, " AND (%C) IS NULL", "s", sm->deleted_at);
	if (w->in_arg) {
		sqlf(&sql, " AND ((%C)::text = $2", "s", sm->id);
		if (profile_mapped(sm->name))
			sqlf(&sql, " OR (%C)::text = $2", "s", sm->name);
		sb_add(&sql, ")");
	}
	sb_add(&sql, ") x ORDER BY x.by_id DESC, x.name COLLATE \"C\", x.id COLLATE \"C\" "
		     "LIMIT 50");
	const char *params[] = {w->org_id, w->in_arg ? w->in_arg : ""};
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&sql), 2, params, &rows, err);
	sb_free(&sql);
	if (rc != TC_OK) {
		tc_error_prefix(err, "cannot read the %ss of org %s: ", kind, w->org_handle);
		return rc;
	}
	if (w->in_arg && rows.nrows > 0 && (is_true(db_get(&rows, 0, 2)) || rows.nrows == 1)) {
		w->obj_id = xstrdup(db_get(&rows, 0, 0));
		w->obj_name = xstrdup(db_get(&rows, 0, 1));
		db_rows_free(&rows);
		return TC_OK;
	}
	strbuf list = STRBUF_INIT;
	for (size_t i = 0; i < rows.nrows; i++)
		sb_addf(&list, "%s%s (%s)", i ? ", " : "", db_get(&rows, i, 1),
			db_get(&rows, i, 0));
	if (!w->in_arg) {
		rc = tc_fail(err, TC_ERR_USAGE,
			     "--scope %s needs --in NAME|ID: which %s of org %s?", kind, kind,
			     w->org_handle);
		if (rows.nrows)
			tc_hint(err, "its %ss: %s", kind, sb_str(&list));
		else
			tc_hint(err, "org %s has no live %s", w->org_handle, kind);
	} else if (rows.nrows == 0) {
		rc = tc_fail(err, TC_ERR_USAGE, "org %s has no live %s named or with id '%s'",
			     w->org_handle, kind, w->in_arg);
		tc_hint(err, "run the command without --in to see its %ss", kind);
	} else {
		rc = tc_fail(err, TC_ERR_USAGE, "'%s' names %zu %ss of org %s: %s", w->in_arg,
			     rows.nrows, kind, w->org_handle, sb_str(&list));
		tc_hint(err, "pass the id with --in");
	}
	sb_free(&list);
	db_rows_free(&rows);
	return rc;
}

/* The user by email, case-insensitively; live users win over deleted
 * ones. Deleted users are accepted only when allow_deleted. */
static tc_status find_user(tc_conn *c, write_ctx *w, bool allow_deleted, tc_error *err)
{
	const tc_profile *p = w->p;
	strbuf sql = STRBUF_INIT;
	sqlf(&sql, "SELECT (%C)::text, (%C)::text, ", "u", &p->users.id, "u", &p->users.email);
	if (profile_mapped(&p->users.deleted_at))
		sqlf(&sql, "(%C) IS NOT NULL", "u", &p->users.deleted_at);
	else
		sb_add(&sql, "false");
	sqlf(&sql, " AS deleted FROM %T u WHERE lower(%C) = lower($1) ORDER BY 3, 1 LIMIT 10",
	     &p->users.table, "u", &p->users.email);
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c, sb_str(&sql), 1, &w->email, &rows, err);
	sb_free(&sql);
	if (rc != TC_OK) {
		tc_error_prefix(err, "cannot look up user %s: ", w->email);
		return rc;
	}
	size_t live = 0;
	for (size_t i = 0; i < rows.nrows; i++)
		live += !is_true(db_get(&rows, i, 2));
	if (rows.nrows == 0) {
		rc = tc_fail(err, TC_ERR_USAGE, "no user with email %s", w->email);
		tc_hint(err, "emails are compared case-insensitively; the user must exist before "
			     "they can be a member");
	} else if (live > 1 || (live == 0 && rows.nrows > 1)) {
		rc = tc_fail(err, TC_ERR_USAGE, "%zu users have the email %s; tenantctl cannot "
						"tell which one is meant",
			     live ? live : rows.nrows, w->email);
		tc_hint(err, "`tenantctl audit` reports duplicate users; merge them first");
	} else if (live == 0 && !allow_deleted) {
		rc = tc_fail(err, TC_ERR_REFUSED, "user %s is deleted", db_get(&rows, 0, 1));
		tc_hint(err, "a deleted user cannot be given a role; `members remove` ends their "
			     "memberships");
	} else {
		w->user_id = xstrdup(db_get(&rows, 0, 0));
		w->user_email = xstrdup(db_get(&rows, 0, 1));
	}
	db_rows_free(&rows);
	return rc;
}

/* The user's live memberships of the scope object (role per row), locked. */
static tc_status live_rows(tc_conn *c, const write_ctx *w, db_rows *out, tc_error *err)
{
	const prof_members *m = w->sm.m;
	strbuf sql = STRBUF_INIT;
	sqlf(&sql, "SELECT (%C)::text FROM %T m WHERE (%C) = $1 AND (%C) = $2", "m", &m->role,
	     &m->table, "m", &m->user, "m", &m->scope);
	if (profile_mapped(&m->deleted_at))
		sqlf(&sql, " AND (%C) IS NULL", "m", &m->deleted_at);
	sb_add(&sql, " FOR UPDATE");
	const char *params[] = {w->user_id, w->obj_id};
	tc_status rc = db_query(c, sb_str(&sql), 2, params, out, err);
	sb_free(&sql);
	if (rc != TC_OK)
		tc_error_prefix(err, "cannot read the memberships of %s: ", w->user_email);
	return rc;
}

/* "developer" or "developer, admin" for the rows of live_rows. */
static void roles_text(strbuf *sb, const db_rows *rows)
{
	for (size_t i = 0; i < rows->nrows; i++) {
		const char *r = db_get(rows, i, 0);
		sb_addf(sb, "%s%s", i ? ", " : "", r ? r : "(no role)");
	}
}

/* The org's live owners (live org-scope memberships with an owner role, of
 * live users), oldest membership first: column 0 user id, 1 email. */
static tc_status live_owners(tc_conn *c, const write_ctx *w, db_rows *out, tc_error *err)
{
	const tc_profile *p = w->p;
	scope_map om;
	scope_map_for(p, SCOPE_ORG, &om);
	const prof_members *m = om.m;
	strbuf sql = STRBUF_INIT;
	sqlf(&sql, "SELECT (%C)::text, (%C)::text FROM %T m JOIN %T u ON (%C) = (%C)", "u",
	     &p->users.id, "u", &p->users.email, &m->table, &p->users.table, "u", &p->users.id,
	     "m", &m->user);
	if (profile_mapped(&p->users.deleted_at))
		sqlf(&sql, " AND (%C) IS NULL", "u", &p->users.deleted_at);
	sqlf(&sql, " WHERE (%C) = $1 AND (%C)::text = ANY ($2::text[])", "m", &m->scope, "m",
	     &m->role);
	if (profile_mapped(&m->deleted_at))
		sqlf(&sql, " AND (%C) IS NULL", "m", &m->deleted_at);
	sqlf(&sql, " GROUP BY (%C), (%C) ORDER BY ", "u", &p->users.id, "u", &p->users.email);
	if (profile_mapped(&m->created_at))
		sqlf(&sql, "min(%C), ", "m", &m->created_at);
	sqlf(&sql, "(%C)::text COLLATE \"C\"", "u", &p->users.email);
	char *owners = profile_list_array(&p->roles.owner);
	const char *params[] = {w->org_id, owners};
	tc_status rc = db_query(c, sb_str(&sql), 2, params, out, err);
	free(owners);
	sb_free(&sql);
	if (rc != TC_OK)
		tc_error_prefix(err, "cannot read the owners of org %s: ", w->org_handle);
	return rc;
}

/* Live owners other than the user acted on, as "a@x, b@y"; their count. */
static size_t other_owners(const db_rows *owners, const char *user_id, strbuf *names)
{
	size_t n = 0;
	for (size_t i = 0; i < owners->nrows; i++) {
		if (strcmp(db_get(owners, i, 0), user_id) == 0)
			continue;
		if (names)
			sb_addf(names, "%s%s", n ? ", " : "", db_get(owners, i, 1));
		n++;
	}
	return n;
}

static bool rows_have_owner(const tc_profile *p, const db_rows *rows)
{
	for (size_t i = 0; i < rows->nrows; i++)
		if (is_owner_role(p, db_get(rows, i, 0)))
			return true;
	return false;
}

/* The org's owner pointer, where mapped, follows changes made here: it is
 * set when an org without one gets an owner, and moves to the oldest
 * remaining owner when the user it names stops being one. A disagreement
 * this change did not cause is left for `audit` to report. */
static tc_status follow_owner_pointer(tc_conn *c, write_ctx *w, const char *const *touched,
				      size_t ntouched, stage_plan *plan, tc_error *err)
{
	const tc_profile *p = w->p;
	if (w->sm.sc != SCOPE_ORG || !profile_mapped(&p->orgs.owner) || p->roles.owner.n == 0)
		return TC_OK;
	db_rows owners = DB_ROWS_INIT;
	tc_status rc = live_owners(c, w, &owners, err);
	if (rc != TC_OK)
		return rc;
	const char *ptr = w->owner_ptr;
	bool ptr_owner = false, ptr_touched = false;
	for (size_t i = 0; ptr && i < owners.nrows; i++)
		ptr_owner |= strcmp(db_get(&owners, i, 0), ptr) == 0;
	for (size_t i = 0; ptr && i < ntouched; i++)
		ptr_touched |= strcmp(touched[i], ptr) == 0;
	const char *new_id = NULL, *new_email = NULL;
	if (!ptr) {
		/* Only the user this command made an owner takes an empty pointer. */
		for (size_t i = 0; i < owners.nrows; i++)
			if (strcmp(db_get(&owners, i, 0), w->user_id) == 0) {
				new_id = db_get(&owners, i, 0);
				new_email = db_get(&owners, i, 1);
			}
	} else if (!ptr_owner && ptr_touched && owners.nrows > 0) {
		size_t pick = 0;
		for (size_t i = 0; i < owners.nrows; i++)
			if (strcmp(db_get(&owners, i, 0), w->user_id) == 0)
				pick = i;
		new_id = db_get(&owners, pick, 0);
		new_email = db_get(&owners, pick, 1);
	}
	if (new_id) {
		strbuf sql = STRBUF_INIT;
		sqlf(&sql, "UPDATE %T o SET %C = $1 WHERE (%C) = $2", &p->orgs.table, NULL,
		     &p->orgs.owner, "o", &p->orgs.id);
		const char *params[] = {new_id, w->org_id};
		long n = 0;
		rc = write_exec(c, w, sb_str(&sql), 2, params, &n, err);
		sb_free(&sql);
		if (rc != TC_OK) {
			tc_error_prefix(err, "cannot update the owner pointer of org %s: ",
					w->org_handle);
		} else {
			sb_addf(&plan->preview, "  update %s: owner pointer (%s) of org %s -> %s\n",
				p->orgs.table.name, p->orgs.owner.name, w->org_handle, new_email);
			plan->rows += n;
		}
	} else if (ptr && !ptr_owner && ptr_touched) {
		sb_addf(&plan->preview,
			"  note: the owner pointer of org %s still names a user who is no longer "
			"a live owner\n",
			w->org_handle);
	}
	db_rows_free(&owners);
	return rc;
}

/* The id column's value for an insert: NULL when the column makes its own
 * (a default or identity); else an expression for a fresh uuid. */
static tc_status id_value(tc_conn *c, const prof_members *m, const char **expr, tc_error *err)
{
	*expr = NULL;
	if (!profile_mapped(&m->id))
		return TC_OK;
	strbuf tbl = STRBUF_INIT;
	profile_table_sql(&tbl, &m->table);
	const char *params[] = {sb_str(&tbl), m->id.name};
	db_rows rows = DB_ROWS_INIT;
	tc_status rc = db_query(c,
				"SELECT a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '',"
				" format_type(a.atttypid, NULL)"
				" FROM pg_catalog.pg_attribute a"
				" WHERE a.attrelid = to_regclass($1) AND a.attname = $2"
				" AND NOT a.attisdropped",
				2, params, &rows, err);
	if (rc == TC_OK && rows.nrows == 1 && !is_true(db_get(&rows, 0, 0))) {
		const char *type = db_get(&rows, 0, 1);
		if (strcmp(type, "uuid") == 0)
			*expr = "gen_random_uuid()";
		else if (strcmp(type, "text") == 0 || strcmp(type, "character varying") == 0)
			*expr = "gen_random_uuid()::text";
		else
			rc = tc_fail(err, TC_ERR_USAGE,
				     "the membership id column %s.%s (%s) has no default, and "
				     "tenantctl makes ids only for uuid and text columns",
				     m->table.name, m->id.name, type);
	}
	if (rc != TC_OK && err && !err->message)
		tc_fail(err, rc, "cannot read the id column of %s", m->table.name);
	db_rows_free(&rows);
	sb_free(&tbl);
	return rc;
}

static tc_status do_insert(tc_conn *c, write_ctx *w, const char *role, long *n, tc_error *err)
{
	const prof_members *m = w->sm.m;
	const char *id_expr;
	tc_status rc = id_value(c, m, &id_expr, err);
	if (rc != TC_OK)
		return rc;
	strbuf sql = STRBUF_INIT;
	sqlf(&sql, "INSERT INTO %T (%C, %C, %C", &m->table, NULL, &m->user, NULL, &m->scope, NULL,
	     &m->role);
	if (profile_mapped(&m->created_at))
		sqlf(&sql, ", %C", NULL, &m->created_at);
	if (id_expr)
		sqlf(&sql, ", %C", NULL, &m->id);
	sb_add(&sql, ") VALUES ($1, $2, $3");
	if (profile_mapped(&m->created_at))
		sb_add(&sql, ", now()");
	if (id_expr)
		sb_addf(&sql, ", %s", id_expr);
	sb_add(&sql, ")");
	const char *params[] = {w->user_id, w->obj_id, role};
	rc = write_exec(c, w, sb_str(&sql), 3, params, n, err);
	sb_free(&sql);
	if (rc != TC_OK)
		tc_error_prefix(err, "cannot add %s to %s: ", w->user_email, w->org_handle);
	return rc;
}

/* Set the role of the user's live memberships of the scope object. */
static tc_status do_set_role(tc_conn *c, const write_ctx *w, const char *user_id,
			     const char *role, long *n, tc_error *err)
{
	const prof_members *m = w->sm.m;
	strbuf sql = STRBUF_INIT;
	sqlf(&sql, "UPDATE %T m SET %C = $3 WHERE (%C) = $1 AND (%C) = $2", &m->table, NULL,
	     &m->role, "m", &m->user, "m", &m->scope);
	if (profile_mapped(&m->deleted_at))
		sqlf(&sql, " AND (%C) IS NULL", "m", &m->deleted_at);
	const char *params[] = {user_id, w->obj_id, role};
	tc_status rc = write_exec(c, w, sb_str(&sql), 3, params, n, err);
	sb_free(&sql);
	if (rc != TC_OK)
		tc_error_prefix(err, "cannot change the role in %s: ", w->org_handle);
	return rc;
}

static void how_removed(strbuf *sb, const prof_members *m)
{
	if (profile_mapped(&m->deleted_at))
		sb_addf(sb, "soft delete: %s = now()", m->deleted_at.name);
	else
		sb_add(sb, "DELETE: the profile maps no deleted_at");
}

static tc_status body_add(tc_conn *c, void *ctx, stage_plan *plan, tc_error *err)
{
	write_ctx *w = ctx;
	const tc_profile *p = w->p;
	tc_status rc;
	if ((rc = find_org(c, w, err)) != TC_OK || (rc = find_object(c, w, err)) != TC_OK ||
	    (rc = find_user(c, w, false, err)) != TC_OK)
		return rc;
	strbuf where = STRBUF_INIT;
	where_text(&where, w);
	db_rows cur = DB_ROWS_INIT;
	if ((rc = live_rows(c, w, &cur, err)) != TC_OK)
		goto out;
	if (cur.nrows > 0) {
		strbuf roles = STRBUF_INIT;
		roles_text(&roles, &cur);
		rc = tc_fail(err, TC_ERR_REFUSED, "%s is already a member of %s (role %s)",
			     w->user_email, sb_str(&where), sb_str(&roles));
		tc_hint(err, "`tenantctl members set-role` changes the role");
		sb_free(&roles);
		goto out;
	}
	if (w->sm.sc == SCOPE_ORG && is_owner_role(p, w->role) && p->roles.single_owner) {
		db_rows owners = DB_ROWS_INIT;
		if ((rc = live_owners(c, w, &owners, err)) != TC_OK)
			goto out;
		strbuf names = STRBUF_INIT;
		size_t n = other_owners(&owners, w->user_id, &names);
		if (n > 0) {
			rc = tc_fail(err, TC_ERR_REFUSED, "org %s already has an owner (%s) and an "
							  "org has a single owner (single_owner, "
							  "%s:%d)", w->org_handle, sb_str(&names),
				     file_of(p), p->roles.single_owner_line);
			tc_hint(err, "transfer ownership instead: add %s with another role, then "
				     "`tenantctl members set-role %s %s %s` (the current owner "
				     "becomes an admin)", w->user_email, w->org_handle,
				w->user_email, w->role);
		}
		sb_free(&names);
		db_rows_free(&owners);
		if (rc != TC_OK)
			goto out;
	}
	long n = 0;
	if ((rc = do_insert(c, w, w->role, &n, err)) != TC_OK)
		goto out;
	sb_addf(&plan->preview, "add %s to %s as %s\n", w->user_email, sb_str(&where), w->role);
	sb_addf(&plan->preview, "  insert into %s: user %s, %s %s, role %s\n", w->sm.m->table.name,
		w->user_email, profile_scope_name(w->sm.sc), w->obj_name, w->role);
	plan->rows = n;
	if (w->sm.sc != SCOPE_ORG) {
		/* Not refused (the products allow it), but said: it is an audit finding. */
		scope_map om;
		scope_map_for(p, SCOPE_ORG, &om);
		if (om.mapped) {
			write_ctx tmp = *w;
			tmp.sm = om;
			tmp.obj_id = w->org_id;
			db_rows org_rows = DB_ROWS_INIT;
			rc = live_rows(c, &tmp, &org_rows, err);
			if (rc == TC_OK && org_rows.nrows == 0)
				sb_addf(&plan->preview, "  note: %s is not a member of org %s (the "
							"audit reports such members)\n",
					w->user_email, w->org_handle);
			db_rows_free(&org_rows);
			if (rc != TC_OK)
				goto out;
		}
	}
	const char *touched[] = {w->user_id};
	if ((rc = follow_owner_pointer(c, w, touched, 1, plan, err)) != TC_OK)
		goto out;
	sb_addf(&plan->preview, "rows affected: %ld\n", plan->rows);
	plan->target = xasprintf("member %s in %s", w->user_email, sb_str(&where));
out:
	db_rows_free(&cur);
	sb_free(&where);
	return rc;
}

static tc_status not_a_member(const write_ctx *w, const char *where, tc_error *err)
{
	tc_fail(err, TC_ERR_USAGE, "%s is not a member of %s", w->user_email, where);
	tc_hint(err, "`tenantctl members list --org %s` shows its members", w->org_handle);
	return TC_ERR_USAGE;
}

static tc_status last_owner_refusal(const write_ctx *w, const char *what, tc_error *err)
{
	tc_fail(err, TC_ERR_REFUSED, "cannot %s %s: they are the last live owner of org %s, and an "
				     "org must keep an owner",
		what, w->user_email, w->org_handle);
	tc_hint(err, "promote someone else first (`tenantctl members set-role %s EMAIL %s`), then "
		     "try again", w->org_handle, w->p->roles.owner.v[0]);
	return TC_ERR_REFUSED;
}

static tc_status body_set_role(tc_conn *c, void *ctx, stage_plan *plan, tc_error *err)
{
	write_ctx *w = ctx;
	const tc_profile *p = w->p;
	tc_status rc;
	if ((rc = find_org(c, w, err)) != TC_OK || (rc = find_object(c, w, err)) != TC_OK ||
	    (rc = find_user(c, w, false, err)) != TC_OK)
		return rc;
	strbuf where = STRBUF_INIT;
	where_text(&where, w);
	db_rows cur = DB_ROWS_INIT, owners = DB_ROWS_INIT;
	strbuf old = STRBUF_INIT, names = STRBUF_INIT;
	if ((rc = live_rows(c, w, &cur, err)) != TC_OK)
		goto out;
	if (cur.nrows == 0) {
		rc = not_a_member(w, sb_str(&where), err);
		goto out;
	}
	roles_text(&old, &cur);
	bool same = true;
	for (size_t i = 0; i < cur.nrows; i++) {
		const char *r = db_get(&cur, i, 0);
		same &= r && strcmp(r, w->role) == 0;
	}
	if (same) {
		rc = tc_fail(err, TC_ERR_USAGE,
			     "%s already has the role %s in %s: nothing to change", w->user_email,
			     w->role, sb_str(&where));
		goto out;
	}
	bool org_owner_rules = w->sm.sc == SCOPE_ORG && p->roles.owner.n > 0;
	bool was_owner = rows_have_owner(p, &cur);
	bool to_owner = is_owner_role(p, w->role);
	size_t others = 0;
	if (org_owner_rules) {
		if ((rc = live_owners(c, w, &owners, err)) != TC_OK)
			goto out;
		others = other_owners(&owners, w->user_id, &names);
	}
	if (org_owner_rules && was_owner && !to_owner && others == 0) {
		rc = last_owner_refusal(w, "demote", err);
		goto out;
	}
	/* A single-owner org changes hands: the owner now becomes an admin, in
	 * the same transaction, so the org is never without or with two owners. */
	const char *demote_to = NULL;
	if (org_owner_rules && to_owner && !was_owner && p->roles.single_owner && others > 0) {
		for (size_t i = 0; i < p->roles.admin.n && !demote_to; i++)
			if (!is_owner_role(p, p->roles.admin.v[i]))
				demote_to = p->roles.admin.v[i];
		if (!demote_to) {
			rc = tc_fail(err, TC_ERR_REFUSED,
				     "org %s already has an owner (%s), an org has a single owner "
				     "(single_owner, %s:%d), and the profile names no admin role "
				     "to make the current owner instead",
				     w->org_handle, sb_str(&names), file_of(p),
				     p->roles.single_owner_line);
			tc_hint(err, "add an admin role (one that is not an owner role) to [roles] "
				     "admin in %s", file_of(p));
			goto out;
		}
	}
	sb_addf(&plan->preview, "change the role of %s in %s: %s -> %s\n", w->user_email,
		sb_str(&where), sb_str(&old), w->role);
	long n = 0;
	if ((rc = do_set_role(c, w, w->user_id, w->role, &n, err)) != TC_OK)
		goto out;
	sb_addf(&plan->preview, "  update %s: %ld row%s\n", w->sm.m->table.name, n,
		n == 1 ? "" : "s");
	plan->rows += n;
	const char **touched = xcalloc(owners.nrows + 1, sizeof *touched);
	size_t ntouched = 0;
	touched[ntouched++] = w->user_id;
	if (demote_to) {
		sb_addf(&plan->preview, "  ownership transfer (single_owner, %s:%d): the current "
					"owner%s become%s %s\n",
			file_of(p), p->roles.single_owner_line, others == 1 ? "" : "s",
			others == 1 ? "s" : "", demote_to);
		for (size_t i = 0; rc == TC_OK && i < owners.nrows; i++) {
			const char *uid = db_get(&owners, i, 0);
			if (strcmp(uid, w->user_id) == 0)
				continue;
			/* Demote every owner row of theirs, whatever owner role it holds. */
			for (size_t r = 0; rc == TC_OK && r < p->roles.owner.n; r++) {
				strbuf sql = STRBUF_INIT;
				const prof_members *m = w->sm.m;
				sqlf(&sql, "UPDATE %T m SET %C = $3 WHERE (%C) = $1 AND (%C) = $2 "
					   "AND (%C)::text = $4",
				     &m->table, NULL, &m->role, "m", &m->user, "m", &m->scope, "m",
				     &m->role);
				if (profile_mapped(&m->deleted_at))
					sqlf(&sql, " AND (%C) IS NULL", "m", &m->deleted_at);
				const char *params[] = {uid, w->obj_id, demote_to,
							p->roles.owner.v[r]};
				long k = 0;
				rc = write_exec(c, w, sb_str(&sql), 4, params, &k, err);
				sb_free(&sql);
				if (rc != TC_OK)
					tc_error_prefix(err, "cannot demote the current owner: ");
				else if (k > 0)
					sb_addf(&plan->preview,
						"  update %s: %s %s -> %s (%ld row%s)\n",
						m->table.name, db_get(&owners, i, 1),
						p->roles.owner.v[r], demote_to, k,
						k == 1 ? "" : "s");
				plan->rows += k;
			}
			touched[ntouched++] = uid;
		}
	}
	if (rc == TC_OK)
		rc = follow_owner_pointer(c, w, touched, ntouched, plan, err);
	free(touched);
	if (rc != TC_OK)
		goto out;
	sb_addf(&plan->preview, "rows affected: %ld\n", plan->rows);
	plan->target = xasprintf("member %s in %s", w->user_email, sb_str(&where));
out:
	db_rows_free(&cur);
	db_rows_free(&owners);
	sb_free(&old);
	sb_free(&names);
	sb_free(&where);
	return rc;
}

/* End (or delete) live memberships. With obj: the user's in that scope
 * object; with org (workspace and project scope): every one of the user's
 * in the org's workspaces or projects. rows (may be NULL) gets what was
 * ended: object name, role. */
static tc_status end_rows(tc_conn *c, const write_ctx *w, const scope_map *sm, bool by_org,
			  db_rows *rows, long *n, tc_error *err)
{
	const prof_members *m = sm->m;
	/* First what will end, for the preview. */
	strbuf sql = STRBUF_INIT;
	if (by_org) {
		sb_add(&sql, "SELECT * FROM (SELECT ");
		if (profile_mapped(sm->name))
			sqlf(&sql, "coalesce((%C)::text, (%C)::text)", "s", sm->name, "s", sm->id);
		else
			sqlf(&sql, "(%C)::text", "s", sm->id);
		sqlf(&sql,
		     " AS name, (%C)::text AS role FROM %T m JOIN %T s ON (%C) = (%C)"
		     " WHERE (%C) = $1 AND (%C) = $2",
		     "m", &m->role, &m->table, sm->table, "s", sm->id, "m", &m->scope, "m",
		     &m->user, "s", sm->org);
		if (profile_mapped(&m->deleted_at))
			sqlf(&sql, " AND (%C) IS NULL", "m", &m->deleted_at);
		sb_add(&sql, ") x ORDER BY x.name COLLATE \"C\", x.role COLLATE \"C\"");
		const char *params[] = {w->user_id, w->org_id};
		tc_status rc = db_query(c, sb_str(&sql), 2, params, rows, err);
		sb_reset(&sql);
		if (rc != TC_OK) {
			sb_free(&sql);
			tc_error_prefix(err, "cannot read the %s memberships of %s: ",
					profile_scope_name(sm->sc), w->user_email);
			return rc;
		}
		if (rows->nrows == 0) {
			sb_free(&sql);
			*n = 0;
			return TC_OK;
		}
	}
	bool soft = profile_mapped(&m->deleted_at);
	if (soft)
		sqlf(&sql, "UPDATE %T m SET %C = now()", &m->table, NULL, &m->deleted_at);
	else
		sqlf(&sql, "DELETE FROM %T m", &m->table);
	if (by_org)
		sqlf(&sql, " %s %T s WHERE (%C) = (%C) AND (%C) = $2 AND (%C) = $1",
		     soft ? "FROM" : "USING", sm->table, "s", sm->id, "m", &m->scope, "s", sm->org,
		     "m", &m->user);
	else
		sqlf(&sql, " WHERE (%C) = $1 AND (%C) = $2", "m", &m->user, "m", &m->scope);
	if (soft)
		sqlf(&sql, " AND (%C) IS NULL", "m", &m->deleted_at);
	const char *params[] = {w->user_id, by_org ? w->org_id : w->obj_id};
	tc_status rc = write_exec(c, w, sb_str(&sql), 2, params, n, err);
	sb_free(&sql);
	if (rc != TC_OK)
		tc_error_prefix(err, "cannot remove %s: ", w->user_email);
	return rc;
}

static tc_status body_remove(tc_conn *c, void *ctx, stage_plan *plan, tc_error *err)
{
	write_ctx *w = ctx;
	const tc_profile *p = w->p;
	tc_status rc;
	if ((rc = find_org(c, w, err)) != TC_OK || (rc = find_object(c, w, err)) != TC_OK ||
	    (rc = find_user(c, w, true, err)) != TC_OK)
		return rc;
	strbuf where = STRBUF_INIT, old = STRBUF_INIT;
	where_text(&where, w);
	db_rows cur = DB_ROWS_INIT, owners = DB_ROWS_INIT;
	if ((rc = live_rows(c, w, &cur, err)) != TC_OK)
		goto out;
	if (cur.nrows == 0) {
		rc = not_a_member(w, sb_str(&where), err);
		goto out;
	}
	roles_text(&old, &cur);
	if (w->sm.sc == SCOPE_ORG && p->roles.owner.n > 0 && rows_have_owner(p, &cur)) {
		if ((rc = live_owners(c, w, &owners, err)) != TC_OK)
			goto out;
		bool is_live_owner = false;
		for (size_t i = 0; i < owners.nrows; i++)
			is_live_owner |= strcmp(db_get(&owners, i, 0), w->user_id) == 0;
		if (is_live_owner && other_owners(&owners, w->user_id, NULL) == 0) {
			rc = last_owner_refusal(w, "remove", err);
			goto out;
		}
	}
	sb_addf(&plan->preview, "remove %s from %s (", w->user_email, sb_str(&where));
	how_removed(&plan->preview, w->sm.m);
	sb_add(&plan->preview, ")\n");
	long n = 0;
	if ((rc = end_rows(c, w, &w->sm, false, NULL, &n, err)) != TC_OK)
		goto out;
	sb_addf(&plan->preview, "  %s: %s, role %s (%ld row%s)\n", w->sm.m->table.name,
		sb_str(&where), sb_str(&old), n, n == 1 ? "" : "s");
	plan->rows += n;
	if (w->sm.sc == SCOPE_ORG) {
		/* Leaving the org means leaving its workspaces and projects. */
		bool said = false;
		for (int sc = SCOPE_WORKSPACE; sc < SCOPE_N; sc++) {
			scope_map sm;
			scope_map_for(p, (prof_scope)sc, &sm);
			if (!sm.mapped)
				continue;
			db_rows ended = DB_ROWS_INIT;
			long k = 0;
			rc = end_rows(c, w, &sm, true, &ended, &k, err);
			if (rc == TC_OK && ended.nrows > 0) {
				if (!said)
					sb_addf(&plan->preview,
						"  cascade: %s's workspace and project "
						"memberships in org %s end too:\n",
						w->user_email, w->org_handle);
				said = true;
				for (size_t i = 0; i < ended.nrows; i++) {
					const char *r = db_get(&ended, i, 1);
					sb_addf(&plan->preview, "    %s %s: %s (",
						profile_scope_name(sm.sc), db_get(&ended, i, 0),
						r ? r : "(no role)");
					how_removed(&plan->preview, sm.m);
					sb_add(&plan->preview, ")\n");
				}
			}
			plan->rows += k;
			db_rows_free(&ended);
			if (rc != TC_OK)
				goto out;
		}
	}
	const char *touched[] = {w->user_id};
	if ((rc = follow_owner_pointer(c, w, touched, 1, plan, err)) != TC_OK)
		goto out;
	sb_addf(&plan->preview, "rows affected: %ld\n", plan->rows);
	plan->target = xasprintf("member %s in %s", w->user_email, sb_str(&where));
out:
	db_rows_free(&cur);
	db_rows_free(&owners);
	sb_free(&where);
	sb_free(&old);
	return rc;
}

/* Fill w for one change and check what can be checked without reading the
 * database: the scope, the role, the owner policy. */
static tc_status write_setup(const tc_profile *p, write_op op, const char *org, const char *email,
			     const char *role, const char *scope, const char *in, write_ctx *w,
			     tc_error *err)
{
	memset(w, 0, sizeof *w);
	w->p = p;
	w->op = op;
	w->org_arg = org;
	w->email = email;
	w->role = op == W_REMOVE ? NULL : role;
	w->in_arg = in;
	prof_scope sc = SCOPE_ORG;
	tc_status rc;
	if (!org || !*org || !email || !*email || (op != W_REMOVE && (!role || !*role)))
		return tc_fail(err, TC_ERR_USAGE, "a membership change needs an organization, an "
						  "email%s", op == W_REMOVE ? "" : " and a role");
	if (scope && (rc = parse_scope(scope, &sc, err)) != TC_OK)
		return rc;
	scope_map_for(p, sc, &w->sm);
	if (!w->sm.mapped) {
		tc_fail(err, TC_ERR_USAGE, "%s scope is not mapped in profile %s (no %s)",
			profile_scope_name(sc), p->name, w->sm.missing);
		tc_hint(err, "map it in %s", file_of(p));
		return TC_ERR_USAGE;
	}
	if (sc == SCOPE_ORG && w->in_arg)
		return tc_fail(err, TC_ERR_USAGE, "--in names a workspace or project; it goes with "
						  "--scope workspace or --scope project");
	if (w->role) {
		if ((rc = check_role_known(p, w->role, err)) != TC_OK)
			return rc;
		/* The policy is checked before anything is staged or even read. */
		char *why = policy_violation(p, w->email, w->role);
		if (why) {
			tc_fail(err, TC_ERR_REFUSED, "%s", why);
			tc_hint(err, "choose another role, or change the policy in %s", file_of(p));
			free(why);
			return TC_ERR_REFUSED;
		}
	}
	return TC_OK;
}

static stage_body const bodies[] = {body_add, body_set_role, body_remove};

static tc_status run_write(struct tc_session *s, const cmd_call *call, write_op op,
			   tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	const tc_profile *p;
	tc_status rc = profile_for_session(s, &p, err);
	if (rc != TC_OK || (rc = check_base(p, err)) != TC_OK)
		return rc;
	write_ctx w;
	rc = write_setup(p, op, call->args[0], call->args[1], op == W_REMOVE ? NULL : call->args[2],
			 cmd_opt_value(call, "scope"), cmd_opt_value(call, "in"), &w, err);
	if (rc != TC_OK)
		return rc;
	char *command = migcmd_command_line(call);
	stage_opts o = {command, cmd_opt_value(call, "dry-run") != NULL};
	rc = stage_run(s, &o, bodies[op], &w, out, err);
	free(command);
	write_ctx_free(&w);
	return rc;
}

/* ------------------------------------------------------------------ batches */

static const char *const op_words[] = {"add", "set-role", "remove"};

char *members_change_command(const members_change *ch)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "tenantctl members %s ", op_words[ch->op]);
	sb_add_shell_word(&sb, ch->org ? ch->org : "");
	sb_addc(&sb, ' ');
	sb_add_shell_word(&sb, ch->email ? ch->email : "");
	if (ch->op != MEMBERS_REMOVE) {
		sb_addc(&sb, ' ');
		sb_add_shell_word(&sb, ch->role ? ch->role : "");
	}
	if (ch->scope && strcmp(ch->scope, "org") != 0) {
		sb_add(&sb, " --scope ");
		sb_add_shell_word(&sb, ch->scope);
	}
	if (ch->in) {
		sb_add(&sb, " --in ");
		sb_add_shell_word(&sb, ch->in);
	}
	return sb_steal(&sb);
}

typedef struct batch_ctx {
	const tc_profile *p;
	const members_change *v;
	size_t n;
	size_t *failed;
} batch_ctx;

static write_op op_of(members_op op)
{
	return op == MEMBERS_ADD ? W_ADD : op == MEMBERS_SET_ROLE ? W_SET_ROLE : W_REMOVE;
}

/* Every change in turn, in the one transaction stage_run opened: each sees
 * the ones before it (two removals cannot both pass the last-owner rule). */
/* Append line (len bytes, no newline) after `indent` spaces, the first
 * piece starting at column col0 (a "3. " already written), broken at
 * spaces to fit width columns (a terminal's preview does not wrap); the
 * pieces after the first are indented two more than the line. Bytes stand
 * for columns: a long UTF-8 name only wraps a little early. */
static void add_wrapped(strbuf *sb, const char *line, size_t len, size_t col0, size_t indent,
			size_t width)
{
	size_t lead = strspn(line, " ");
	if (lead > len)
		lead = len;
	line += lead;
	len -= lead;
	indent += lead;
	size_t at = col0 + indent;
	bool first = true;
	do {
		size_t room = width > at + 20 ? width - at : 20;
		size_t take = len;
		if (len > room) {
			take = room;
			while (take > 0 && line[take] != ' ')
				take--;
			if (take == 0)
				take = room;
		}
		sb_addf(sb, "%*s", (int)(first ? indent : at), "");
		sb_addn(sb, line, take);
		sb_addc(sb, '\n');
		line += take;
		len -= take;
		while (len > 0 && *line == ' ') {
			line++;
			len--;
		}
		if (first)
			at += 2;
		first = false;
	} while (len > 0);
}

#define PREVIEW_WIDTH 80

/* Every change in turn, in the one transaction stage_run opened: each sees
 * the ones before it (two removals cannot both pass the last-owner rule).
 * The preview lists the changes first, then each one's rows and SQL. */
static tc_status batch_body(tc_conn *c, void *ctx, stage_plan *plan, tc_error *err)
{
	batch_ctx *b = ctx;
	strbuf list = STRBUF_INIT, details = STRBUF_INIT;
	tc_status rc = TC_OK;
	for (size_t i = 0; i < b->n && rc == TC_OK; i++) {
		const members_change *ch = &b->v[i];
		write_ctx w;
		rc = write_setup(b->p, op_of(ch->op), ch->org, ch->email, ch->role, ch->scope, ch->in,
				 &w, err);
		strbuf sql = STRBUF_INIT;
		stage_plan sub = {STRBUF_INIT, 0, NULL, NULL, 0};
		w.sql_log = &sql;
		if (rc == TC_OK)
			rc = bodies[w.op](c, &w, &sub, err);
		if (rc == TC_OK) {
			/* One line for the list: what changes, and how many rows. */
			strbuf one = STRBUF_INIT, where = STRBUF_INIT;
			where_text(&where, &w);
			const char *t = sb_str(&sub.preview);
			if (w.op == W_ADD)
				sb_addf(&one, "add %s to %s as %s", w.user_email, sb_str(&where), w.role);
			else if (w.op == W_REMOVE)
				sb_addf(&one, "remove %s from %s", w.user_email, sb_str(&where));
			else if (!strncmp(t, "change the ", 11)) /* "role of X in Y: a -> b" */
				sb_addn(&one, t + 11, strcspn(t + 11, "\n"));
			else
				sb_addn(&one, t, strcspn(t, "\n"));
			sb_addf(&one, " (%ld row%s)", sub.rows, sub.rows == 1 ? "" : "s");
			char *num = xasprintf("%zu. ", i + 1);
			sb_add(&list, "  ");
			sb_add(&list, num);
			add_wrapped(&list, sb_str(&one), one.len, 2 + strlen(num), 0, PREVIEW_WIDTH);
			sb_free(&one);
			sb_free(&where);
			/* Then the change's own preview, under its number, and its SQL. */
			sb_addf(&details, "\n%s", num);
			for (bool first = true; *t; first = false) {
				size_t len = strcspn(t, "\n");
				add_wrapped(&details, t, len, first ? strlen(num) : 0, first ? 0 : 3,
					    PREVIEW_WIDTH);
				t += len + (t[len] == '\n');
			}
			free(num);
			sb_addf(&details, "   SQL:\n%s", sb_str(&sql));
			char *command = members_change_command(ch);
			stage_plan_add_entry(plan, command, sub.target, sub.rows);
			free(command);
			plan->rows += sub.rows;
		} else if (b->failed) {
			*b->failed = i;
		}
		sb_free(&sql);
		sb_free(&sub.preview);
		free(sub.target);
		write_ctx_free(&w);
	}
	if (rc == TC_OK) {
		sb_addf(&plan->preview, "%zu change%s in one transaction (all or none), one "
					"audit-log row each:\n%s",
			b->n, b->n == 1 ? "" : "s", sb_str(&list));
		sb_addf(&plan->preview, "rows affected in all: %ld\n%s", plan->rows,
			sb_str(&details));
		plan->target = xasprintf("%zu membership change%s", b->n, b->n == 1 ? "" : "s");
	}
	sb_free(&list);
	sb_free(&details);
	return rc;
}

tc_status members_apply_batch(struct tc_session *s, const members_change *v, size_t n,
			      bool dry_run, size_t *failed, tc_result *out, tc_error *err)
{
	res_init(out, RES_EMPTY);
	if (failed)
		*failed = n;
	if (n == 0)
		return tc_fail(err, TC_ERR_USAGE, "no membership changes to apply");
	const tc_profile *p;
	tc_status rc = profile_for_session(s, &p, err);
	if (rc != TC_OK || (rc = check_base(p, err)) != TC_OK)
		return rc;
	/* What can be refused without the database is, before anything runs. */
	for (size_t i = 0; i < n; i++) {
		write_ctx w;
		rc = write_setup(p, op_of(v[i].op), v[i].org, v[i].email, v[i].role, v[i].scope,
				 v[i].in, &w, err);
		write_ctx_free(&w);
		if (rc != TC_OK) {
			if (failed)
				*failed = i;
			return rc;
		}
	}
	char *command = n == 1 ? members_change_command(&v[0])
			       : xasprintf("tenantctl members (a batch of %zu changes)", n);
	batch_ctx b = {p, v, n, failed};
	stage_opts o = {command, dry_run};
	rc = stage_run(s, &o, batch_body, &b, out, err);
	free(command);
	return rc;
}

bool members_key_parts(const char *key, char **org, char **scope, char **email, char **obj_id)
{
	list_key k;
	tc_error err = TC_ERROR_INIT;
	if (!key || key_decode(key, &k, &err) != TC_OK) {
		tc_error_clear(&err);
		return false;
	}
	*org = k.org;
	*scope = xstrdup(profile_scope_name(k.sc));
	*email = k.email;
	*obj_id = k.obj;
	free(k.mid);
	return true;
}

tc_status members_add(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	return run_write(s, call, W_ADD, out, err);
}

tc_status members_set_role(struct tc_session *s, const cmd_call *call, tc_result *out,
			   tc_error *err)
{
	return run_write(s, call, W_SET_ROLE, out, err);
}

tc_status members_remove(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	return run_write(s, call, W_REMOVE, out, err);
}
