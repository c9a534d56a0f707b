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
/* One line for `info`: the drift of the target against its configured
 * reference ("2 drift items ...; 1 allowlisted"), or why there is none. */
void driftcmd_info_line(struct tc_session *s, strbuf *out);
tc_status driftcmd_sql(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

#endif
