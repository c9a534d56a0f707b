/* driftcmd: the `schema dump` and `drift` commands. */
#ifndef TC_DRIFTCMD_H
#define TC_DRIFTCMD_H

#include <stddef.h>

#include "cmdtab.h"
#include "result.h"

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

/* The console's Drift pane, from one comparison (the worker runs it):
 * the items, the stale allowlist rules and what was compared with. */
typedef struct drift_view {
	/* The `drift` table plus a column `detail`: what a missing or extra
	 * object is (its definition, a column's type, a table's columns). */
	tc_result items;
	/* Allowlist rules that matched nothing: file, line, kind, pattern,
	 * attribute, reason. */
	tc_result stale;
	char *reference; /* owned; "@prod", a snapshot file, "database app"; NULL: none */
	char *allowlist; /* owned; the target's allowlist file, NULL when unset */
	size_t n_drift;  /* drift items not allowlisted (as `drift check` counts) */
	size_t n_allowed;
} drift_view;

/* Compare against `against` (DSN, snapshot file or @TARGET; NULL: the
 * target's reference) with the allowlist allow_path (NULL: the target's). Fills *out
 * even on failure (reference and allowlist, for the pane to say what it
 * tried); free it with driftcmd_view_free either way. */
tc_status driftcmd_view(struct tc_session *s, const char *against, const char *allow_path,
			drift_view *out, tc_error *err);
void driftcmd_view_free(drift_view *v);

/* An allowlist rule drafted in the console. */
typedef struct drift_rule {
	const char *kind, *object; /* borrowed */
	const char *attribute;     /* borrowed; NULL: every change of the object */
	const char *reason;        /* borrowed; required */
} drift_rule;

/* Append rules to `path` (NULL: the target's allowlist; with none set,
 * TC_ERR_USAGE saying how to set one, and nothing is written). *saved
 * counts the rules written before a failure; *saved_to gets the file
 * (caller frees) on success. */
tc_status driftcmd_save_rules(struct tc_session *s, const char *path, const drift_rule *rules,
			      size_t n, size_t *saved, char **saved_to, tc_error *err);

#endif
