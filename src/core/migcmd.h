/* migcmd: the `migrate` commands: options in, tc_result out. */
#ifndef TC_MIGCMD_H
#define TC_MIGCMD_H

#include "cmdtab.h"

struct tc_session;

tc_status migcmd_status(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
/* step, up, to, down and redo: one handler, the goal from the command words. */
tc_status migcmd_run(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status migcmd_preview(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status migcmd_adopt(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status migcmd_resolve(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status migcmd_new(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

/* The command as the operator gave it, for the audit log: words, arguments
 * and command options (global options, which hold DSNs, are left out).
 * Caller frees. */
char *migcmd_command_line(const cmd_call *call);

#endif
