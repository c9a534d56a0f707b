/* audit: the membership audit. One set-based query per check; a check the
 * profile cannot support is reported not applicable, naming what is
 * missing. Safe mechanical fixes are dry runs unless --apply. */
#ifndef TC_AUDIT_H
#define TC_AUDIT_H

#include "cmdtab.h"
#include "strbuf.h"

struct tc_session;

tc_status audit_run(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
/* The findings of one organization in a line ("2 findings: org-no-owner
 * (high, 1), unknown-role (low, 1)"), for `orgs show` and the TUI. */
tc_status audit_org_summary(struct tc_session *s, const char *slug, strbuf *out, tc_error *err);
/* The findings of one check as rows (org, user, role, detail), the first
 * `limit` in the order of the samples; the summary says how many there are
 * in all. A check the profile cannot support gives no rows and says why in
 * the summary. org: only this organization (NULL: all). */
tc_status audit_rows(struct tc_session *s, const char *id, const char *org, long limit,
		     tc_result *out, tc_error *err);
tc_status audit_fix(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

#endif
