/* profile: how a deployment stores tenancy. An INI file per shape
 * (db/profiles/NAME.conf, or any file) maps users, organizations,
 * workspaces, projects, memberships per scope, roles, invitations, policy
 * and per-org resources onto tables and columns. Every table and column it
 * names is checked against pg_catalog at connect (profile_check); every
 * identifier is quoted when SQL is built (profile_ident).
 *
 *   [users]         table, id, email, deleted_at, status, last_seen, created_at
 *   [organizations] table, id, slug, name, plan, owner, deleted_at, created_at,
 *                   resource.NAME = column  (per-org resource columns)
 *   [workspaces]    table, id, org, name, deleted_at
 *   [projects]      table, id, org, workspace, name, deleted_at
 *   [members.org] [members.workspace] [members.project]
 *                   table, id, user, scope, role, deleted_at, created_at
 *   [roles]         known, owner, admin (lists), single_owner (bool), default
 *   [invitations]   table, id, email, role, status, used, expires_at, org, project,
 *                   token, created_at, pending_status (the status value meaning pending)
 *   [policy]        owner_email_allowlist, blocked_domains (lists, or env:VAR),
 *                   stale_after_days
 *   [resources]     paid_plans, free_plans (lists), resource.NAME.provision
 *                   (a template, {slug} replaced), resource.NAME.PLAN (a value per plan)
 *
 * Lists are comma-separated. A key not given is "not mapped": features that
 * need it report themselves not applicable, naming the missing key. */
#ifndef TC_PROFILE_H
#define TC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "error.h"
#include "strbuf.h"

/* A mapped identifier: NULL name when not mapped; line in the profile. */
typedef struct prof_ident {
	char *name; /* owned; a column, or "schema.table" for `table` keys */
	int line;
} prof_ident;

typedef struct prof_list {
	char **v; /* owned */
	size_t n;
	int line;
} prof_list;

typedef struct prof_users {
	prof_ident table, id, email, deleted_at, status, last_seen, created_at;
} prof_users;

typedef struct prof_resource {
	char *name;      /* owned; NAME of resource.NAME */
	prof_ident column;
	char *provision; /* owned; template for paid plans, NULL: none */
	/* value per plan (resource.NAME.PLAN = value), e.g. retention days */
	char **plan_names, **plan_values;
	size_t n_plans;
} prof_resource;

typedef struct prof_orgs {
	prof_ident table, id, slug, name, plan, owner, deleted_at, created_at;
	prof_resource *resources;
	size_t n_resources;
} prof_orgs;

typedef struct prof_workspaces {
	prof_ident table, id, org, name, deleted_at;
} prof_workspaces;

typedef struct prof_projects {
	prof_ident table, id, org, workspace, name, deleted_at;
} prof_projects;

typedef enum prof_scope { SCOPE_ORG, SCOPE_WORKSPACE, SCOPE_PROJECT, SCOPE_N } prof_scope;

typedef struct prof_members {
	prof_ident table, id, user, scope, role, deleted_at, created_at;
} prof_members;

typedef struct prof_roles {
	prof_list known, owner, admin;
	bool single_owner;
	int single_owner_line;
	prof_ident default_role; /* name holds the role value */
} prof_roles;

typedef struct prof_invitations {
	prof_ident table, id, email, role, status, used, expires_at, org, project, token, created_at;
	prof_ident pending_status; /* name holds the value, e.g. "pending" */
} prof_invitations;

typedef struct prof_policy {
	prof_list owner_email_allowlist; /* domains or addresses */
	prof_list blocked_domains;
	int stale_after_days; /* 0: not set */
	int stale_line;
} prof_policy;

typedef struct prof_resources {
	prof_list paid_plans, free_plans;
} prof_resources;

typedef struct tc_profile {
	char *name; /* owned; "default", or the file name */
	char *path; /* owned */
	prof_users users;
	prof_orgs orgs;
	prof_workspaces workspaces;
	prof_projects projects;
	prof_members members[SCOPE_N];
	prof_roles roles;
	prof_invitations invitations;
	prof_policy policy;
	prof_resources resources;
} tc_profile;

const char *profile_scope_name(prof_scope s); /* "org", "workspace", "project" */
bool profile_scope_parse(const char *s, prof_scope *out);

/* Parse a profile (path names it in messages); TC_ERR_USAGE "PATH:LINE:"
 * for malformed lines, unknown sections or keys, bad lists. Policy lists
 * written as env:VAR are read from the environment here. */
tc_status profile_parse(const char *text, size_t len, const char *path, tc_profile *out,
			tc_error *err);
/* A shipped profile by name (db/profiles/NAME.conf in the data folder) or a
 * file path (anything with a '/' or ending in .conf). NULL name: "default". */
tc_status profile_load(const char *name_or_path, tc_profile *out, tc_error *err);
void profile_free(tc_profile *p);

/* Check every mapped table and column against pg_catalog (one query);
 * TC_ERR_USAGE naming the profile's file and line of the first missing one. */
tc_status profile_check(tc_conn *c, const tc_profile *p, tc_error *err);

/* "schema"."table" for a `table` key, quoted (always double quotes). */
void profile_table_sql(strbuf *sb, const prof_ident *table);
/* A quoted column "name", optionally prefixed by an alias: a."name". */
void profile_col_sql(strbuf *sb, const char *alias, const prof_ident *col);
bool profile_mapped(const prof_ident *i);
/* A membership scope that can be read: its table and keys, and for
 * workspaces and projects the way from the scope to its organization. */
bool profile_scope_usable(const tc_profile *p, prof_scope s);
/* The list as a text[] literal for one parameter (db_text_array). Caller
 * frees. */
char *profile_list_array(const prof_list *l);
/* Whether role is in a list (exact match). */
bool profile_list_has(const prof_list *l, const char *v);

/* The profile for a session: --profile, else the target's `profile`, else
 * "default"; loaded once and checked against the database on first use. */
struct tc_session;
tc_status profile_for_session(struct tc_session *s, const tc_profile **out, tc_error *err);

#endif
