/* orgs: the `orgs` commands on the deployment's organizations, through the
 * tenancy profile. Lists are keyset pages, never OFFSET. */
#ifndef TC_ORGS_H
#define TC_ORGS_H

#include "cmdtab.h"

struct tc_session;

tc_status orgs_list(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status orgs_search(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status orgs_show(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status orgs_create(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status orgs_rename(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status orgs_set_plan(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status orgs_delete(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

/* The slug a name gets: lower-case ASCII, non-alphanumerics to single
 * hyphens, trimmed, non-ASCII transliterated where Latin (é -> e) or
 * dropped. Caller frees; "" when nothing is left. */
char *orgs_slugify(const char *name);

#endif
