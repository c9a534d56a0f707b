#include "config.h"

#include "profile.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "demo.h"
#include "lex.h"
#include "session.h"
#include "xalloc.h"

/*
 * Profile syntax, the same small INI dialect as the config file:
 *   - lines end at LF (a CR before it is dropped); UTF-8, no NUL bytes;
 *   - a line whose first non-blank character is '#' or ';' is a comment;
 *     there are no trailing comments;
 *   - [section] headers from a fixed list, each at most once;
 *   - key = value; a value may be in double quotes (\" and \\ escapes);
 *   - table and column values are SQL identifiers: bare (taken as written,
 *     case kept, never folded) or in double quotes ("" for a quote), a table
 *     optionally schema-qualified (a bare table is in schema public).
 * Every mistake is an error naming PATH:LINE: a profile that is silently
 * half-read would make the audit report wrong things about real tenants.
 */

/* ------------------------------------------------------------ key tables */

typedef enum key_kind {
	K_TABLE,    /* prof_ident, "schema.table" */
	K_COLUMN,   /* prof_ident, a column of the section's table */
	K_VALUE,    /* prof_ident whose name holds a plain value */
	K_LIST,     /* prof_list */
	K_LIST_ENV, /* prof_list, or env:VAR */
	K_BOOL,     /* bool + its line (roles.single_owner) */
	K_INT,      /* int + its line (policy.stale_after_days) */
} key_kind;

typedef struct key_def {
	const char *name;
	key_kind kind;
	size_t off; /* offset in the section's struct */
} key_def;

#define IDK(type, field, kind) {#field, kind, offsetof(type, field)}

static const key_def users_keys[] = {
	IDK(prof_users, table, K_TABLE),       IDK(prof_users, id, K_COLUMN),
	IDK(prof_users, email, K_COLUMN),      IDK(prof_users, deleted_at, K_COLUMN),
	IDK(prof_users, status, K_COLUMN),     IDK(prof_users, last_seen, K_COLUMN),
	IDK(prof_users, created_at, K_COLUMN),
};
static const key_def orgs_keys[] = {
	IDK(prof_orgs, table, K_TABLE),       IDK(prof_orgs, id, K_COLUMN),
	IDK(prof_orgs, slug, K_COLUMN),       IDK(prof_orgs, name, K_COLUMN),
	IDK(prof_orgs, plan, K_COLUMN),       IDK(prof_orgs, owner, K_COLUMN),
	IDK(prof_orgs, deleted_at, K_COLUMN), IDK(prof_orgs, created_at, K_COLUMN),
};
static const key_def workspaces_keys[] = {
	IDK(prof_workspaces, table, K_TABLE), IDK(prof_workspaces, id, K_COLUMN),
	IDK(prof_workspaces, org, K_COLUMN),  IDK(prof_workspaces, name, K_COLUMN),
	IDK(prof_workspaces, deleted_at, K_COLUMN),
};
static const key_def projects_keys[] = {
	IDK(prof_projects, table, K_TABLE),     IDK(prof_projects, id, K_COLUMN),
	IDK(prof_projects, org, K_COLUMN),      IDK(prof_projects, workspace, K_COLUMN),
	IDK(prof_projects, name, K_COLUMN),     IDK(prof_projects, deleted_at, K_COLUMN),
};
static const key_def members_keys[] = {
	IDK(prof_members, table, K_TABLE),      IDK(prof_members, id, K_COLUMN),
	IDK(prof_members, user, K_COLUMN),      IDK(prof_members, scope, K_COLUMN),
	IDK(prof_members, role, K_COLUMN),      IDK(prof_members, deleted_at, K_COLUMN),
	IDK(prof_members, created_at, K_COLUMN),
};
static const key_def roles_keys[] = {
	IDK(prof_roles, known, K_LIST),
	IDK(prof_roles, owner, K_LIST),
	IDK(prof_roles, admin, K_LIST),
	IDK(prof_roles, single_owner, K_BOOL),
	{"default", K_VALUE, offsetof(prof_roles, default_role)},
};
static const key_def invitations_keys[] = {
	IDK(prof_invitations, table, K_TABLE),       IDK(prof_invitations, id, K_COLUMN),
	IDK(prof_invitations, email, K_COLUMN),      IDK(prof_invitations, role, K_COLUMN),
	IDK(prof_invitations, status, K_COLUMN),     IDK(prof_invitations, used, K_COLUMN),
	IDK(prof_invitations, expires_at, K_COLUMN), IDK(prof_invitations, org, K_COLUMN),
	IDK(prof_invitations, project, K_COLUMN),    IDK(prof_invitations, token, K_COLUMN),
	IDK(prof_invitations, created_at, K_COLUMN),
	IDK(prof_invitations, pending_status, K_VALUE),
};
static const key_def policy_keys[] = {
	IDK(prof_policy, owner_email_allowlist, K_LIST_ENV),
	IDK(prof_policy, blocked_domains, K_LIST_ENV),
	IDK(prof_policy, stale_after_days, K_INT),
};
static const key_def resources_keys[] = {
	IDK(prof_resources, paid_plans, K_LIST),
	IDK(prof_resources, free_plans, K_LIST),
};

typedef enum sect_id {
	S_USERS,
	S_ORGS,
	S_WORKSPACES,
	S_PROJECTS,
	S_MEMBERS_ORG,
	S_MEMBERS_WORKSPACE,
	S_MEMBERS_PROJECT,
	S_ROLES,
	S_INVITATIONS,
	S_POLICY,
	S_RESOURCES,
	S_N
} sect_id;

typedef struct sect_def {
	const char *name;
	const key_def *keys;
	size_t nkeys;
	size_t base; /* offset of the section's struct in tc_profile */
	const char *extra; /* dynamic keys, for the hint; NULL: none */
} sect_def;

#define SECT(name, keys, field, extra) \
	{name, keys, sizeof keys / sizeof keys[0], offsetof(tc_profile, field), extra}

static const sect_def sections[S_N] = {
	SECT("users", users_keys, users, NULL),
	SECT("organizations", orgs_keys, orgs, "resource.NAME"),
	SECT("workspaces", workspaces_keys, workspaces, NULL),
	SECT("projects", projects_keys, projects, NULL),
	SECT("members.org", members_keys, members[SCOPE_ORG], NULL),
	SECT("members.workspace", members_keys, members[SCOPE_WORKSPACE], NULL),
	SECT("members.project", members_keys, members[SCOPE_PROJECT], NULL),
	SECT("roles", roles_keys, roles, NULL),
	SECT("invitations", invitations_keys, invitations, NULL),
	SECT("policy", policy_keys, policy, NULL),
	SECT("resources", resources_keys, resources,
	     "resource.NAME.provision, resource.NAME.PLAN"),
};

/* Sections holding a table and its columns, in check order. */
static const sect_id table_sections[] = {
	S_USERS,       S_ORGS,		   S_WORKSPACES,      S_PROJECTS,
	S_MEMBERS_ORG, S_MEMBERS_WORKSPACE, S_MEMBERS_PROJECT, S_INVITATIONS,
};
#define N_TABLE_SECTIONS (sizeof table_sections / sizeof table_sections[0])

/* ------------------------------------------------------------ small helpers */

const char *profile_scope_name(prof_scope s)
{
	switch (s) {
	case SCOPE_ORG:
		return "org";
	case SCOPE_WORKSPACE:
		return "workspace";
	case SCOPE_PROJECT:
		return "project";
	case SCOPE_N:
		break;
	}
	return "?";
}

bool profile_scope_parse(const char *s, prof_scope *out)
{
	for (int i = 0; i < SCOPE_N; i++)
		if (s && strcmp(s, profile_scope_name((prof_scope)i)) == 0) {
			if (out)
				*out = (prof_scope)i;
			return true;
		}
	return false;
}

bool profile_mapped(const prof_ident *i)
{
	return i && i->name;
}

char *profile_list_array(const prof_list *l)
{
	return db_text_array((const char *const *)l->v, l->n);
}

bool profile_scope_usable(const tc_profile *p, prof_scope s)
{
	const prof_members *m = &p->members[s];
	if (!profile_mapped(&m->table) || !profile_mapped(&m->user) || !profile_mapped(&m->scope))
		return false;
	if (s == SCOPE_WORKSPACE)
		return profile_mapped(&p->workspaces.table) && profile_mapped(&p->workspaces.id) &&
		       profile_mapped(&p->workspaces.org);
	if (s == SCOPE_PROJECT)
		return profile_mapped(&p->projects.table) && profile_mapped(&p->projects.id) &&
		       profile_mapped(&p->projects.org);
	return true;
}

bool profile_list_has(const prof_list *l, const char *v)
{
	if (!l || !v)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], v) == 0)
			return true;
	return false;
}

static void add_quoted(strbuf *sb, const char *s, size_t n)
{
	sb_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			sb_addc(sb, '"');
		sb_addc(sb, s[i]);
	}
	sb_addc(sb, '"');
}

void profile_table_sql(strbuf *sb, const prof_ident *table)
{
	if (!profile_mapped(table)) {
		sb_add(sb, "NULL");
		return;
	}
	/* Parsing refuses '.' inside a part, so the first dot separates them. */
	const char *dot = strchr(table->name, '.');
	if (!dot) {
		sb_add(sb, "\"public\".");
		add_quoted(sb, table->name, strlen(table->name));
		return;
	}
	add_quoted(sb, table->name, (size_t)(dot - table->name));
	sb_addc(sb, '.');
	add_quoted(sb, dot + 1, strlen(dot + 1));
}

void profile_col_sql(strbuf *sb, const char *alias, const prof_ident *col)
{
	if (!profile_mapped(col)) {
		sb_add(sb, "NULL");
		return;
	}
	if (alias && *alias) {
		sb_add(sb, alias);
		sb_addc(sb, '.');
	}
	add_quoted(sb, col->name, strlen(col->name));
}

/* ------------------------------------------------------------ freeing */

static void ident_free(prof_ident *i)
{
	free(i->name);
	i->name = NULL;
}

static void list_free(prof_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void profile_free(tc_profile *p)
{
	if (!p)
		return;
	for (int s = 0; s < S_N; s++) {
		const sect_def *sd = &sections[s];
		char *base = (char *)p + sd->base;
		for (size_t k = 0; k < sd->nkeys; k++) {
			void *f = base + sd->keys[k].off;
			switch (sd->keys[k].kind) {
			case K_TABLE:
			case K_COLUMN:
			case K_VALUE:
				ident_free(f);
				break;
			case K_LIST:
			case K_LIST_ENV:
				list_free(f);
				break;
			case K_BOOL:
			case K_INT:
				break;
			}
		}
	}
	for (size_t i = 0; i < p->orgs.n_resources; i++) {
		prof_resource *r = &p->orgs.resources[i];
		free(r->name);
		ident_free(&r->column);
		free(r->provision);
		for (size_t j = 0; j < r->n_plans; j++) {
			free(r->plan_names[j]);
			free(r->plan_values[j]);
		}
		free(r->plan_names);
		free(r->plan_values);
	}
	free(p->orgs.resources);
	free(p->name);
	free(p->path);
	memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------ the parser */

/* Where [resources] lines about a resource were, for checks at the end. */
typedef struct res_lines {
	int provision;
	int *plan; /* per plan value */
	size_t cap_plan;
	int first; /* first [resources] line naming it */
} res_lines;

typedef struct parser {
	const char *path;
	int line;
	int sect; /* current section, -1 before the first */
	int sect_line[S_N];
	tc_profile *p;
	size_t cap_resources, cap_rl;
	res_lines *rl; /* parallel to p->orgs.resources */
	tc_error *err;
} parser;

#define perr(p, ...) tc_fail_at((p)->err, TC_ERR_USAGE, (p)->path, (p)->line, __VA_ARGS__)
#define perr_at(p, ln, ...) tc_fail_at((p)->err, TC_ERR_USAGE, (p)->path, (ln), __VA_ARGS__)






static void hint_sections(parser *p, const char *near)
{
	strbuf sb = STRBUF_INIT;
	if (near)
		sb_addf(&sb, "did you mean [%s]? ", near);
	sb_add(&sb, "sections are");
	for (int i = 0; i < S_N; i++)
		sb_addf(&sb, "%s [%s]", i ? "," : "", sections[i].name);
	tc_hint(p->err, "%s", sb_str(&sb));
	sb_free(&sb);
}

static void hint_keys(parser *p, const sect_def *sd, const char *key)
{
	strbuf sb = STRBUF_INIT;
	const char *near = NULL;
	size_t best = SIZE_MAX, limit = strlen(key) <= 4 ? 1 : 2;
	for (size_t i = 0; i < sd->nkeys; i++) {
		size_t d = lex_edit_distance(key, sd->keys[i].name, false);
		if (d <= limit && d < best) {
			best = d;
			near = sd->keys[i].name;
		}
	}
	if (near)
		sb_addf(&sb, "did you mean '%s'? ", near);
	sb_addf(&sb, "keys of [%s]:", sd->name);
	for (size_t i = 0; i < sd->nkeys; i++)
		sb_addf(&sb, "%s %s", i ? "," : "", sd->keys[i].name);
	if (sd->extra)
		sb_addf(&sb, ", %s", sd->extra);
	tc_hint(p->err, "%s", sb_str(&sb));
	sb_free(&sb);
}

static tc_status parse_header(parser *p, const char *b, const char *e)
{
	if (e[-1] != ']') {
		perr(p, "section header is missing its closing ']'");
		tc_hint(p->err, "write sections as [users], [organizations], ...; "
				"put comments on their own line");
		return TC_ERR_USAGE;
	}
	const char *nb = b + 1, *ne = e - 1;
	lex_trim(&nb, &ne);
	size_t n = (size_t)(ne - nb);
	for (int i = 0; i < S_N; i++) {
		if (strlen(sections[i].name) != n || memcmp(sections[i].name, nb, n) != 0)
			continue;
		if (p->sect_line[i]) {
			perr(p, "duplicate section [%s] (first on line %d)", sections[i].name,
			     p->sect_line[i]);
			tc_hint(p->err, "merge the two sections into one");
			return TC_ERR_USAGE;
		}
		p->sect = i;
		p->sect_line[i] = p->line;
		return TC_OK;
	}
	char *shown = lex_excerpt(nb, ne);
	const char *near = NULL;
	size_t best = SIZE_MAX;
	for (int i = 0; i < S_N; i++) {
		size_t d = lex_edit_distance(shown, sections[i].name, false);
		if (d <= 2 && d < best) {
			best = d;
			near = sections[i].name;
		}
	}
	perr(p, "unknown section [%s]", shown);
	free(shown);
	hint_sections(p, near);
	return TC_ERR_USAGE;
}

/* Unquote a plain value (already trimmed) into *out, as the config file. */
static tc_status parse_value(parser *p, const char *b, const char *e, char **out)
{
	char *why, *hint;
	*out = lex_unquote(b, e, &why, &hint);
	if (*out)
		return TC_OK;
	perr(p, "%s", why);
	tc_hint(p->err, "%s", hint);
	free(why);
	free(hint);
	return TC_ERR_USAGE;
}

static bool bare_ident_char(char c, bool first)
{
	unsigned char u = (unsigned char)c;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || u >= 0x80)
		return true;
	return !first && ((c >= '0' && c <= '9') || c == '$');
}

/* One identifier at *pos: bare or "quoted" ("" is a quote). NULL and an
 * error message in *why when there is none. */
static char *ident_part(const char **pos, const char *e, const char **why)
{
	const char *c = *pos;
	if (c < e && *c == '"') {
		strbuf sb = STRBUF_INIT;
		for (c++;; c++) {
			if (c == e) {
				sb_free(&sb);
				*why = "unterminated quoted identifier";
				return NULL;
			}
			if (*c == '"') {
				if (c + 1 < e && c[1] == '"') {
					sb_addc(&sb, '"');
					c++;
					continue;
				}
				break;
			}
			sb_addc(&sb, *c);
		}
		*pos = c + 1;
		if (sb.len == 0) {
			sb_free(&sb);
			*why = "empty quoted identifier";
			return NULL;
		}
		return sb_steal(&sb);
	}
	const char *b = c;
	while (c < e && bare_ident_char(*c, c == b))
		c++;
	if (c == b) {
		*why = "expected a name";
		return NULL;
	}
	*pos = c;
	return xstrndup(b, (size_t)(c - b));
}

static tc_status parse_ident(parser *p, const key_def *k, const char *b, const char *e,
			     char **out)
{
	const char *why = NULL, *c = b;
	char *first = ident_part(&c, e, &why), *second = NULL;
	if (first && k->kind == K_TABLE && c < e && *c == '.') {
		c++;
		second = ident_part(&c, e, &why);
		if (!second) {
			free(first);
			first = NULL;
		}
	}
	if (first && c != e)
		why = c < e && *c == '.' && k->kind == K_TABLE ? "too many dots"
							       : "unexpected text after the name";
	else if (first && k->kind == K_TABLE &&
		 (strchr(first, '.') || (second && strchr(second, '.'))))
		why = "a '.' inside a quoted name is not supported";
	if (!first || why) {
		char *shown = lex_excerpt(b, e);
		perr(p, "bad %s name '%s' for '%s' in [%s]: %s",
		     k->kind == K_TABLE ? "table" : "column", shown, k->name, sections[p->sect].name,
		     why);
		free(shown);
		if (k->kind == K_TABLE)
			tc_hint(p->err, "write a table as name, schema.name, \"QuotedName\" or "
					"schema.\"QuotedName\" (a bare table is in schema public; "
					"case is kept as written)");
		else
			tc_hint(p->err, "write a column as name or \"QuotedName\" (case is kept "
					"as written)");
		free(first);
		free(second);
		return TC_ERR_USAGE;
	}
	if (k->kind == K_TABLE) {
		*out = second ? xasprintf("%s.%s", first, second) : xasprintf("public.%s", first);
		free(first);
		free(second);
	} else {
		*out = first;
	}
	return TC_OK;
}

static void list_push(prof_list *l, size_t *cap, const char *b, size_t n)
{
	l->v = xgrow(l->v, cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = xstrndup(b, n);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Split s at commas into l; empty items are an error (from_env: skipped). */
static tc_status split_list(parser *p, const char *key, const char *s, bool from_env,
			    prof_list *l)
{
	size_t cap = 0;
	const char *c = s;
	for (;;) {
		const char *comma = strchr(c, ',');
		const char *b = c, *e = comma ? comma : c + strlen(c);
		while (b < e && is_space(*b))
			b++;
		while (e > b && is_space(e[-1]))
			e--;
		if (b == e && !from_env) {
			list_free(l);
			perr(p, "empty item in the list for '%s'", key);
			tc_hint(p->err, "separate items with single commas, e.g. owner, admin");
			return TC_ERR_USAGE;
		}
		if (b != e)
			list_push(l, &cap, b, (size_t)(e - b));
		if (!comma)
			break;
		c = comma + 1;
	}
	return TC_OK;
}

static bool valid_env_name(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int *key_line(void *field, key_kind kind)
{
	switch (kind) {
	case K_TABLE:
	case K_COLUMN:
	case K_VALUE:
		return &((prof_ident *)field)->line;
	case K_LIST:
	case K_LIST_ENV:
		return &((prof_list *)field)->line;
	case K_BOOL: /* only roles.single_owner */
		return &((prof_roles *)((char *)field - offsetof(prof_roles, single_owner)))
				->single_owner_line;
	case K_INT: /* only policy.stale_after_days */
		return &((prof_policy *)((char *)field - offsetof(prof_policy, stale_after_days)))
				->stale_line;
	}
	return NULL;
}

static tc_status set_key(parser *p, const key_def *k, const char *vb, const char *ve)
{
	const sect_def *sd = &sections[p->sect];
	void *field = (char *)p->p + sd->base + k->off;
	int *line = key_line(field, k->kind);
	if (*line) {
		perr(p, "duplicate key '%s' in [%s] (first set on line %d)", k->name, sd->name,
		     *line);
		tc_hint(p->err, "keep one of the two lines");
		return TC_ERR_USAGE;
	}
	if (vb == ve) {
		perr(p, "empty value for '%s' in [%s]", k->name, sd->name);
		tc_hint(p->err, "give a value, or remove the line to leave '%s' not mapped", k->name);
		return TC_ERR_USAGE;
	}
	if (k->kind == K_TABLE || k->kind == K_COLUMN) {
		char *name;
		if (parse_ident(p, k, vb, ve, &name) != TC_OK)
			return TC_ERR_USAGE;
		((prof_ident *)field)->name = name;
		*line = p->line;
		return TC_OK;
	}
	char *v;
	if (parse_value(p, vb, ve, &v) != TC_OK)
		return TC_ERR_USAGE;
	tc_status st = TC_OK;
	if (!*v && k->kind != K_LIST_ENV) {
		perr(p, "empty value for '%s' in [%s]", k->name, sd->name);
		tc_hint(p->err, "give a value, or remove the line to leave '%s' not mapped", k->name);
		st = TC_ERR_USAGE;
	} else if (k->kind == K_VALUE) {
		((prof_ident *)field)->name = v;
		v = NULL;
	} else if (k->kind == K_LIST) {
		st = split_list(p, k->name, v, false, field);
	} else if (k->kind == K_LIST_ENV) {
		if (strncmp(v, "env:", 4) == 0) {
			const char *var = v + 4;
			if (!valid_env_name(var)) {
				perr(p, "bad environment variable name '%s' for '%s'", var, k->name);
				tc_hint(p->err, "write env:NAME, NAME made of letters, digits and '_'");
				st = TC_ERR_USAGE;
			} else {
				/* Unset or empty: an empty list, so a profile can
				 * name a variable that only some hosts set. */
				const char *val = getenv(var);
				if (val)
					st = split_list(p, k->name, val, true, field);
			}
		} else if (!*v) {
			perr(p, "empty value for '%s' in [%s]", k->name, sd->name);
			tc_hint(p->err, "give a list, env:VARNAME, or remove the line");
			st = TC_ERR_USAGE;
		} else {
			st = split_list(p, k->name, v, false, field);
		}
	} else if (k->kind == K_BOOL) {
		if (strcmp(v, "true") == 0)
			*(bool *)field = true;
		else if (strcmp(v, "false") == 0)
			*(bool *)field = false;
		else {
			char *shown = lex_excerpt(v, v + strlen(v));
			perr(p, "invalid boolean '%s' for '%s'", shown, k->name);
			free(shown);
			tc_hint(p->err, "use true or false");
			st = TC_ERR_USAGE;
		}
	} else if (k->kind == K_INT) {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || errno || n < 1 || n > 100000) {
			char *shown = lex_excerpt(v, v + strlen(v));
			perr(p, "invalid number '%s' for '%s'", shown, k->name);
			free(shown);
			tc_hint(p->err, "use a whole number of days from 1 to 100000");
			st = TC_ERR_USAGE;
		} else {
			*(int *)field = (int)n;
		}
	}
	free(v);
	if (st == TC_OK)
		*line = p->line;
	return st;
}

static bool valid_res_name(const char *b, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= 'A' && b[i] <= 'Z') ||
		      (b[i] >= '0' && b[i] <= '9') || b[i] == '_' || b[i] == '-'))
			return false;
	return true;
}

static size_t resource_get(parser *p, const char *name, size_t n)
{
	prof_orgs *o = &p->p->orgs;
	for (size_t i = 0; i < o->n_resources; i++)
		if (strlen(o->resources[i].name) == n && memcmp(o->resources[i].name, name, n) == 0)
			return i;
	o->resources = xgrow(o->resources, &p->cap_resources, o->n_resources + 1,
			     sizeof *o->resources);
	p->rl = xgrow(p->rl, &p->cap_rl, o->n_resources + 1, sizeof *p->rl);
	memset(&o->resources[o->n_resources], 0, sizeof *o->resources);
	memset(&p->rl[o->n_resources], 0, sizeof *p->rl);
	o->resources[o->n_resources].name = xstrndup(name, n);
	return o->n_resources++;
}

/* Only {slug} may be substituted. */
static bool valid_template(const char *t)
{
	for (const char *c = t; *c; c++) {
		if (strncmp(c, "{slug}", 6) == 0)
			c += 5;
		else if (*c == '{' || *c == '}')
			return false;
	}
	return true;
}

static tc_status set_resource(parser *p, const char *key, const char *vb, const char *ve)
{
	const char *rest = key + strlen("resource.");
	const char *dot = strchr(rest, '.');
	size_t nlen = dot ? (size_t)(dot - rest) : strlen(rest);
	bool in_orgs = p->sect == S_ORGS;
	if (!valid_res_name(rest, nlen) || (in_orgs && dot) || (!in_orgs && !dot) ||
	    (dot && !valid_res_name(dot + 1, strlen(dot + 1)))) {
		perr(p, "bad resource key '%s' in [%s]", key, sections[p->sect].name);
		tc_hint(p->err, in_orgs ? "under [organizations] write resource.NAME = COLUMN"
					: "under [resources] write resource.NAME.provision = TEMPLATE "
					  "or resource.NAME.PLAN = VALUE");
		return TC_ERR_USAGE;
	}
	size_t ri = resource_get(p, rest, nlen);
	prof_resource *r = &p->p->orgs.resources[ri];
	res_lines *rl = &p->rl[ri];
	if (vb == ve) {
		perr(p, "empty value for '%s'", key);
		tc_hint(p->err, "give a value, or remove the line");
		return TC_ERR_USAGE;
	}
	if (in_orgs) {
		if (r->column.line) {
			perr(p, "duplicate key '%s' in [organizations] (first set on line %d)", key,
			     r->column.line);
			tc_hint(p->err, "keep one of the two lines");
			return TC_ERR_USAGE;
		}
		static const key_def colkey = {"resource.NAME", K_COLUMN, 0};
		if (parse_ident(p, &colkey, vb, ve, &r->column.name) != TC_OK)
			return TC_ERR_USAGE;
		r->column.line = p->line;
		return TC_OK;
	}
	const char *what = dot + 1;
	int prev = 0;
	if (strcmp(what, "provision") == 0) {
		prev = rl->provision;
	} else {
		for (size_t i = 0; i < r->n_plans; i++)
			if (strcmp(r->plan_names[i], what) == 0)
				prev = rl->plan[i];
	}
	if (prev) {
		perr(p, "duplicate key '%s' in [resources] (first set on line %d)", key, prev);
		tc_hint(p->err, "keep one of the two lines");
		return TC_ERR_USAGE;
	}
	char *v;
	if (parse_value(p, vb, ve, &v) != TC_OK)
		return TC_ERR_USAGE;
	if (!*v) {
		free(v);
		perr(p, "empty value for '%s'", key);
		tc_hint(p->err, "give a value, or remove the line");
		return TC_ERR_USAGE;
	}
	if (!rl->first)
		rl->first = p->line;
	if (strcmp(what, "provision") == 0) {
		if (!valid_template(v)) {
			perr(p, "bad template '%s' for '%s'", v, key);
			free(v);
			tc_hint(p->err, "the only placeholder is {slug}, e.g. basin-{slug}");
			return TC_ERR_USAGE;
		}
		r->provision = v;
		rl->provision = p->line;
		return TC_OK;
	}
	size_t cap = r->n_plans, cap2 = r->n_plans;
	r->plan_names = xgrow(r->plan_names, &cap, r->n_plans + 1, sizeof *r->plan_names);
	r->plan_values = xgrow(r->plan_values, &cap2, r->n_plans + 1, sizeof *r->plan_values);
	rl->plan = xgrow(rl->plan, &rl->cap_plan, r->n_plans + 1, sizeof *rl->plan);
	size_t pi = r->n_plans++;
	r->plan_names[pi] = xstrdup(what);
	r->plan_values[pi] = v;
	rl->plan[pi] = p->line;
	return TC_OK;
}

static tc_status parse_setting(parser *p, const char *b, const char *e)
{
	const char *eq = memchr(b, '=', (size_t)(e - b));
	if (!eq) {
		char *text = lex_excerpt(b, e);
		perr(p, "expected 'key = value', found '%s'", text);
		free(text);
		tc_hint(p->err, "settings are written key = value; comments start with # or ;");
		return TC_ERR_USAGE;
	}
	const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
	lex_trim(&kb, &ke);
	lex_trim(&vb, &ve);
	if (kb == ke) {
		perr(p, "missing key before '='");
		tc_hint(p->err, "settings are written key = value");
		return TC_ERR_USAGE;
	}
	char *key = xstrndup(kb, (size_t)(ke - kb));
	tc_status st = TC_ERR_USAGE;
	if (p->sect < 0) {
		perr(p, "'%s' is set outside any section", key);
		tc_hint(p->err, "put settings under a section header such as [users]");
		goto out;
	}
	const sect_def *sd = &sections[p->sect];
	if ((p->sect == S_ORGS || p->sect == S_RESOURCES) && strncmp(key, "resource.", 9) == 0) {
		st = set_resource(p, key, vb, ve);
		goto out;
	}
	for (size_t i = 0; i < sd->nkeys; i++)
		if (strcmp(sd->keys[i].name, key) == 0) {
			st = set_key(p, &sd->keys[i], vb, ve);
			goto out;
		}
	char *shown = lex_excerpt(kb, ke);
	perr(p, "unknown key '%s' in [%s]", shown, sd->name);
	free(shown);
	hint_keys(p, sd, key);
out:
	free(key);
	return st;
}

static tc_status parse_line(parser *p, const char *b, const char *e)
{
	if (memchr(b, '\0', (size_t)(e - b))) {
		perr(p, "NUL byte in line");
		tc_hint(p->err, "a profile is plain text; is this the right file?");
		return TC_ERR_USAGE;
	}
	size_t ok = lex_utf8_valid_prefix((const unsigned char *)b, (size_t)(e - b));
	if (ok != (size_t)(e - b)) {
		perr(p, "invalid UTF-8 (byte 0x%02X at column %zu)", (unsigned char)b[ok], ok + 1);
		tc_hint(p->err, "save the file as UTF-8");
		return TC_ERR_USAGE;
	}
	lex_trim(&b, &e);
	if (b == e || *b == '#' || *b == ';')
		return TC_OK;
	if (*b == '[')
		return parse_header(p, b, e);
	return parse_setting(p, b, e);
}

/* ------------------------------------------------------------ whole-file checks */

static const prof_ident *section_table(const tc_profile *pr, sect_id s)
{
	return (const prof_ident *)((const char *)pr + sections[s].base + sections[s].keys[0].off);
}

static tc_status check_whole(parser *p)
{
	tc_profile *pr = p->p;
	/* Columns without their table cannot be checked or used. */
	for (size_t i = 0; i < N_TABLE_SECTIONS; i++) {
		sect_id s = table_sections[i];
		const sect_def *sd = &sections[s];
		const char *base = (const char *)pr + sd->base;
		if (profile_mapped(section_table(pr, s)))
			continue;
		for (size_t k = 0; k < sd->nkeys; k++) {
			const prof_ident *f = (const prof_ident *)(base + sd->keys[k].off);
			if (sd->keys[k].kind == K_COLUMN && f->line) {
				perr_at(p, f->line, "'%s' is mapped but [%s] has no 'table'",
					sd->keys[k].name, sd->name);
				tc_hint(p->err, "add table = SCHEMA.TABLE under [%s]", sd->name);
				return TC_ERR_USAGE;
			}
		}
	}
	for (size_t i = 0; i < pr->orgs.n_resources; i++) {
		const prof_resource *r = &pr->orgs.resources[i];
		if (r->column.line && !profile_mapped(&pr->orgs.table)) {
			perr_at(p, r->column.line, "'resource.%s' is mapped but [organizations] has "
						   "no 'table'", r->name);
			tc_hint(p->err, "add table = SCHEMA.TABLE under [organizations]");
			return TC_ERR_USAGE;
		}
	}
	const prof_invitations *inv = &pr->invitations;
	if (profile_mapped(&inv->status) != profile_mapped(&inv->pending_status)) {
		bool has_status = profile_mapped(&inv->status);
		perr_at(p, has_status ? inv->status.line : inv->pending_status.line,
			"[invitations] maps '%s' without '%s'", has_status ? "status" : "pending_status",
			has_status ? "pending_status" : "status");
		tc_hint(p->err, "give both: status = COLUMN and pending_status = the value that "
				"means pending (e.g. pending)");
		return TC_ERR_USAGE;
	}
	const prof_roles *ro = &pr->roles;
	const prof_list *lists[] = {&ro->owner, &ro->admin};
	const char *lnames[] = {"owner", "admin"};
	for (size_t i = 0; i < 2 && ro->known.line; i++)
		for (size_t j = 0; j < lists[i]->n; j++)
			if (!profile_list_has(&ro->known, lists[i]->v[j])) {
				perr_at(p, lists[i]->line, "role '%s' in '%s' is not in 'known'",
					lists[i]->v[j], lnames[i]);
				tc_hint(p->err, "add it to known (line %d) or fix the spelling "
						"(roles are case-sensitive)", ro->known.line);
				return TC_ERR_USAGE;
			}
	if (profile_mapped(&ro->default_role) && ro->known.line &&
	    !profile_list_has(&ro->known, ro->default_role.name)) {
		perr_at(p, ro->default_role.line, "default role '%s' is not in 'known'",
			ro->default_role.name);
		tc_hint(p->err, "add it to known (line %d) or fix the spelling (roles are "
				"case-sensitive)", ro->known.line);
		return TC_ERR_USAGE;
	}
	const prof_resources *rs = &pr->resources;
	for (size_t i = 0; i < rs->paid_plans.n; i++)
		if (profile_list_has(&rs->free_plans, rs->paid_plans.v[i])) {
			perr_at(p, rs->free_plans.line, "plan '%s' is both paid and free",
				rs->paid_plans.v[i]);
			tc_hint(p->err, "keep it in one of paid_plans (line %d) and free_plans",
				rs->paid_plans.line);
			return TC_ERR_USAGE;
		}
	for (size_t i = 0; i < pr->orgs.n_resources; i++) {
		const prof_resource *r = &pr->orgs.resources[i];
		const res_lines *rl = &p->rl[i];
		if (!r->column.line) {
			perr_at(p, rl->first, "resource '%s' has rules but no column", r->name);
			tc_hint(p->err, "add resource.%s = COLUMN under [organizations]", r->name);
			return TC_ERR_USAGE;
		}
		if (rl->first && !rs->paid_plans.line) {
			perr_at(p, rl->first, "resource '%s' has rules but no paid_plans are given",
				r->name);
			tc_hint(p->err, "add paid_plans = PLAN, ... under [resources]");
			return TC_ERR_USAGE;
		}
		for (size_t j = 0; j < r->n_plans; j++)
			if (!profile_list_has(&rs->paid_plans, r->plan_names[j]) &&
			    !profile_list_has(&rs->free_plans, r->plan_names[j])) {
				perr_at(p, rl->plan[j], "plan '%s' of resource '%s' is in neither "
							"paid_plans nor free_plans",
					r->plan_names[j], r->name);
				tc_hint(p->err, "fix the plan's name, or add it to paid_plans or "
						"free_plans");
				return TC_ERR_USAGE;
			}
		/* A resource valued per plan needs a value for every paid plan, or
		 * set-plan and the backfill would not know what to write. */
		for (size_t j = 0; r->n_plans && j < rs->paid_plans.n; j++) {
			bool found = false;
			for (size_t k = 0; k < r->n_plans; k++)
				found = found || strcmp(r->plan_names[k], rs->paid_plans.v[j]) == 0;
			if (!found) {
				perr_at(p, rl->plan[0], "resource '%s' has no value for paid plan '%s'",
					r->name, rs->paid_plans.v[j]);
				tc_hint(p->err, "add resource.%s.%s = VALUE under [resources]", r->name,
					rs->paid_plans.v[j]);
				return TC_ERR_USAGE;
			}
		}
	}
	return TC_OK;
}

static char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return xstrdup(s ? s + 1 : path);
}

tc_status profile_parse(const char *text, size_t len, const char *path, tc_profile *out,
			tc_error *err)
{
	memset(out, 0, sizeof *out);
	parser p = {0};
	p.path = path ? path : "(profile)";
	p.sect = -1;
	p.p = out;
	p.err = err;
	if (!text) {
		text = "";
		len = 0;
	}
	const char *c = text, *end = text + len;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		c += 3;
	tc_status st = TC_OK;
	while (st == TC_OK && c < end) {
		p.line++;
		const char *nl = memchr(c, '\n', (size_t)(end - c));
		const char *le = nl ? nl : end;
		if (le > c && le[-1] == '\r')
			le--;
		st = parse_line(&p, c, le);
		c = nl ? nl + 1 : end;
	}
	if (st == TC_OK)
		st = check_whole(&p);
	for (size_t i = 0; i < out->orgs.n_resources; i++)
		free(p.rl[i].plan);
	free(p.rl);
	if (st != TC_OK) {
		profile_free(out);
		return st;
	}
	out->path = xstrdup(p.path);
	out->name = base_name(p.path);
	return TC_OK;
}

/* ------------------------------------------------------------ loading */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "agenta, default, ..." from the profiles folder; caller frees. */
static char *shipped_list(const char *dir)
{
	strbuf sb = STRBUF_INIT;
	DIR *d = dir ? opendir(dir) : NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *de; d && (de = readdir(d));) {
		size_t l = strlen(de->d_name);
		if (l > 5 && de->d_name[0] != '.' && strcmp(de->d_name + l - 5, ".conf") == 0) {
			names = xgrow(names, &cap, n + 1, sizeof *names);
			names[n++] = xstrndup(de->d_name, l - 5);
		}
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		sb_addf(&sb, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	free(names);
	if (!n)
		sb_add(&sb, "(none found)");
	return sb_steal(&sb);
}

static bool valid_profile_name(const char *s)
{
	if (!*s || *s == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

tc_status profile_load(const char *name_or_path, tc_profile *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	const char *arg = name_or_path && *name_or_path ? name_or_path : "default";
	size_t al = strlen(arg);
	bool is_path = strchr(arg, '/') || (al >= 5 && strcmp(arg + al - 5, ".conf") == 0);
	char *path = NULL, *name = NULL;
	if (is_path) {
		path = xstrdup(arg);
	} else {
		char *db = demo_db_dir();
		char *dir = db ? xasprintf("%s/profiles", db) : NULL;
		free(db);
		if (dir && valid_profile_name(arg)) {
			path = xasprintf("%s/%s.conf", dir, arg);
			FILE *f = fopen(path, "rb");
			if (f)
				fclose(f);
			else {
				free(path);
				path = NULL;
			}
		}
		if (!path) {
			char *list = shipped_list(dir);
			if (!dir)
				tc_fail(err, TC_ERR_USAGE, "unknown profile '%s': the shipped "
							   "profiles are not installed", arg);
			else
				tc_fail(err, TC_ERR_USAGE, "unknown profile '%s'", arg);
			tc_hint(err, "shipped profiles: %s; or give a profile file's path "
				     "(anything with a '/' or ending in .conf)%s",
				list, dir ? "" : "; set TC_DATADIR to the folder above db/");
			free(list);
			free(dir);
			return TC_ERR_USAGE;
		}
		free(dir);
		name = xstrdup(arg);
	}
	strbuf sb = STRBUF_INIT;
	tc_status st = lex_read_file(path, "profile",
				     "check the path given with --profile or `profile =`, or name a "
				     "shipped profile (default, agenta, trigger, lobu)",
				     &sb, err);
	if (st == TC_OK)
		st = profile_parse(sb_str(&sb), sb.len, path, out, err);
	sb_free(&sb);
	free(path);
	if (st == TC_OK && name) {
		free(out->name);
		out->name = name;
		name = NULL;
	}
	free(name);
	return st;
}

/* ------------------------------------------------------------ checking */

typedef struct check_item {
	const char *table; /* "schema.table" */
	const char *column; /* NULL: the table itself */
	int line;
} check_item;

static void push_item(check_item **v, size_t *n, size_t *cap, const char *table,
		      const char *column, int line)
{
	*v = xgrow(*v, cap, *n + 1, sizeof **v);
	(*v)[(*n)++] = (check_item){table, column, line};
}

/* A text[] literal element: "..." with \ and " escaped; NULL unquoted. */
static void array_elem(strbuf *sb, const char *s, size_t n, bool first)
{
	if (!first)
		sb_addc(sb, ',');
	if (!s) {
		sb_add(sb, "NULL");
		return;
	}
	sb_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, s[i]);
	}
	sb_addc(sb, '"');
}

static const char check_sql[] =
	"SELECT t.ord::int\n"
	"  FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(sch, tab, col, ord)\n"
	"  LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = t.sch\n"
	"  LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = t.tab\n"
	"       AND c.relkind IN ('r', 'p', 'v', 'm', 'f')\n"
	"  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = t.col\n"
	"       AND a.attnum > 0 AND NOT a.attisdropped\n"
	" WHERE c.oid IS NULL OR (t.col IS NOT NULL AND a.attnum IS NULL)\n"
	" ORDER BY t.ord";

tc_status profile_check(tc_conn *c, const tc_profile *p, tc_error *err)
{
	check_item *items = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < N_TABLE_SECTIONS; i++) {
		sect_id s = table_sections[i];
		const sect_def *sd = &sections[s];
		const char *base = (const char *)p + sd->base;
		const prof_ident *t = section_table(p, s);
		if (!profile_mapped(t))
			continue;
		push_item(&items, &n, &cap, t->name, NULL, t->line);
		for (size_t k = 0; k < sd->nkeys; k++) {
			const prof_ident *f = (const prof_ident *)(base + sd->keys[k].off);
			if (sd->keys[k].kind == K_COLUMN && profile_mapped(f))
				push_item(&items, &n, &cap, t->name, f->name, f->line);
		}
		if (s == S_ORGS)
			for (size_t r = 0; r < p->orgs.n_resources; r++)
				if (profile_mapped(&p->orgs.resources[r].column))
					push_item(&items, &n, &cap, t->name,
						  p->orgs.resources[r].column.name,
						  p->orgs.resources[r].column.line);
	}
	if (!n)
		return TC_OK;
	strbuf a[3] = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
	for (int j = 0; j < 3; j++)
		sb_addc(&a[j], '{');
	for (size_t i = 0; i < n; i++) {
		const char *dot = strchr(items[i].table, '.');
		array_elem(&a[0], items[i].table, (size_t)(dot - items[i].table), i == 0);
		array_elem(&a[1], dot + 1, strlen(dot + 1), i == 0);
		array_elem(&a[2], items[i].column,
			   items[i].column ? strlen(items[i].column) : 0, i == 0);
	}
	for (int j = 0; j < 3; j++)
		sb_addc(&a[j], '}');
	const char *params[3] = {sb_str(&a[0]), sb_str(&a[1]), sb_str(&a[2])};
	db_rows rows = DB_ROWS_INIT;
	tc_status st = db_query(c, check_sql, 3, params, &rows, err);
	for (int j = 0; j < 3; j++)
		sb_free(&a[j]);
	if (st != TC_OK) {
		tc_error_prefix(err, "checking profile %s against the database: ", p->path);
		free(items);
		return st;
	}
	/* Report the missing name that comes first in the file. */
	const check_item *first = NULL;
	for (size_t r = 0; r < rows.nrows; r++) {
		long ord = strtol(db_get(&rows, r, 0), NULL, 10);
		if (ord < 1 || (size_t)ord > n)
			continue;
		const check_item *it = &items[ord - 1];
		if (!first || it->line < first->line)
			first = it;
	}
	size_t missing = rows.nrows;
	db_rows_free(&rows);
	if (!first) {
		free(items);
		return TC_OK;
	}
	strbuf more = STRBUF_INIT;
	if (missing > 1)
		sb_addf(&more, "; %zu more mapped names are missing", missing - 1);
	if (first->column)
		tc_fail_at(err, TC_ERR_USAGE, p->path, first->line,
			   "table %s has no column %s (profile %s, database %s%s)", first->table,
			   first->column, p->name, conn_describe(c), sb_str(&more));
	else
		tc_fail_at(err, TC_ERR_USAGE, p->path, first->line,
			   "table %s does not exist (profile %s, database %s%s)", first->table,
			   p->name, conn_describe(c), sb_str(&more));
	tc_hint(err, "the database does not have the shape this profile describes: choose the "
		     "profile that matches it (--profile NAME or FILE, or `profile = NAME` in the "
		     "target's section; shipped: default, agenta, trigger, lobu), correct line %d "
		     "of %s, or migrate the database", first->line, p->path);
	sb_free(&more);
	free(items);
	return TC_ERR_USAGE;
}

/* ------------------------------------------------------------ per session */

tc_status profile_for_session(struct tc_session *s, const tc_profile **out, tc_error *err)
{
	*out = NULL;
	tc_profile *have = session_profile(s);
	if (have) {
		*out = have;
		return TC_OK;
	}
	const char *name = session_profile_option(s);
	if (!name)
		name = session_setting(s, "profile");
	tc_profile *p = xcalloc(1, sizeof *p);
	tc_status st = profile_load(name ? name : "default", p, err);
	tc_conn *c = NULL;
	if (st == TC_OK)
		st = session_conn(s, &c, err);
	if (st == TC_OK)
		st = profile_check(c, p, err);
	if (st != TC_OK) {
		profile_free(p);
		free(p);
		return st;
	}
	session_keep_profile(s, p);
	*out = p;
	return TC_OK;
}
