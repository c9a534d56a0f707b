/* backfill: idempotent per-org operations in batches over a keyset cursor
 * on the org id, resumable; and `log`, the operator audit log. */
#ifndef TC_BACKFILL_H
#define TC_BACKFILL_H

#include "cmdtab.h"

struct tc_session;

tc_status backfill_run(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status oplog_list(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

#endif
