/* members: the `members` commands: memberships at org, workspace and
 * project scope, through the tenancy profile. */
#ifndef TC_MEMBERS_H
#define TC_MEMBERS_H

#include <stdbool.h>
#include <stddef.h>

#include "cmdtab.h"

struct tc_session;

tc_status members_list(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status members_add(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status members_set_role(struct tc_session *s, const cmd_call *call, tc_result *out,
			   tc_error *err);
tc_status members_remove(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status members_export(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

/* One membership change, as `members add|set-role|remove` takes it. */
typedef enum members_op { MEMBERS_ADD, MEMBERS_SET_ROLE, MEMBERS_REMOVE } members_op;
typedef struct members_change {
	members_op op;
	const char *org;   /* the org's slug (its id where no slug is mapped) */
	const char *email;
	const char *role;  /* NULL for MEMBERS_REMOVE */
	const char *scope; /* "org", "workspace", "project"; NULL: org */
	const char *in;    /* the workspace or project (name or id); NULL at org scope */
} members_change;

/* Apply changes in one transaction, in order, each under the same rules as
 * its command (last owner, owner allowlist, single owner, known roles):
 * one preview (each change's rows and the SQL it ran), one confirmation
 * through the session, and one operator-audit row per change. A change that
 * fails rolls everything back. dry_run: preview and roll back, ask nothing
 * (a check before staging). *failed (may be NULL) gets the index of the
 * change that failed, n when none did. The preview is left in out. */
tc_status members_apply_batch(struct tc_session *s, const members_change *v, size_t n,
			      bool dry_run, size_t *failed, tc_result *out, tc_error *err);
/* The command line a change stands for ("tenantctl members remove acme
 * a@b.example"), words quoted for a shell. Caller frees. */
char *members_change_command(const members_change *ch);
/* The parts of a `members list` row key (its key column): the org, scope
 * name, email and the scope object's id. false when key is not one; else
 * the caller frees the four strings. */
bool members_key_parts(const char *key, char **org, char **scope, char **email, char **obj_id);

#endif
