/* general: the commands that are about tenantctl itself and its targets
 * rather than about the deployment: help, version, info, targets. */
#ifndef TC_GENERAL_H
#define TC_GENERAL_H

#include "cmdtab.h"

struct tc_session;

tc_status general_help(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status general_version(struct tc_session *s, const cmd_call *call, tc_result *out,
			  tc_error *err);
tc_status general_info(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status general_targets(struct tc_session *s, const cmd_call *call, tc_result *out,
			  tc_error *err);

#endif
