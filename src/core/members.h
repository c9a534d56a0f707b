/* members: the `members` commands: memberships at org, workspace and
 * project scope, through the tenancy profile. */
#ifndef TC_MEMBERS_H
#define TC_MEMBERS_H

#include "cmdtab.h"

struct tc_session;

tc_status members_list(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status members_add(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status members_set_role(struct tc_session *s, const cmd_call *call, tc_result *out,
			   tc_error *err);
tc_status members_remove(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status members_export(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

#endif
