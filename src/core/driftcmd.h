/* driftcmd: the `schema dump` and `drift` commands. */
#ifndef TC_DRIFTCMD_H
#define TC_DRIFTCMD_H

#include "cmdtab.h"

struct tc_session;

tc_status driftcmd_dump(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
/* drift, drift check (exit 1 on drift that is not allowlisted) and drift sql. */
tc_status driftcmd_report(struct tc_session *s, const cmd_call *call, tc_result *out,
			  tc_error *err);
tc_status driftcmd_check(struct tc_session *s, const cmd_call *call, tc_result *out,
			 tc_error *err);
tc_status driftcmd_sql(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

#endif
