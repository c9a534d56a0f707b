/* stage: every tenancy write goes through here. Inside one transaction the
 * body makes its changes and describes them (what changes, rows affected,
 * what cascades); the operator sees that preview and answers (default No);
 * on yes one operator-audit row is appended and the transaction commits, on
 * no it rolls back and nothing happened. */
#ifndef TC_STAGE_H
#define TC_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "error.h"
#include "result.h"
#include "strbuf.h"

struct tc_session;

/* One operator-audit row of a plan that makes several changes. */
typedef struct stage_entry {
	char *command; /* owned; the command this change stands for */
	char *target;  /* owned; the object it acts on */
	long rows;     /* rows it affected */
} stage_entry;

typedef struct stage_plan {
	strbuf preview; /* lines shown before the question */
	long rows;      /* rows affected in all (audit log) */
	char *target;   /* owned; the object acted on (audit log), e.g. "org acme" */
	/* A plan of several changes (a batch from the console) logs one row per
	 * change instead of the one row for the whole: stage_plan_add_entry. */
	stage_entry *entries; /* owned */
	size_t nentries;
} stage_plan;

/* Add one audit-log row to the plan (copies the strings). */
void stage_plan_add_entry(stage_plan *plan, const char *command, const char *target, long rows);

/* Makes the changes on c, inside the open transaction, and fills plan. */
typedef tc_status (*stage_body)(tc_conn *c, void *ctx, stage_plan *plan, tc_error *err);

typedef struct stage_opts {
	const char *command; /* what the operator ran, for the audit log */
	bool dry_run;        /* show the preview, roll back, ask nothing */
} stage_opts;

/* Run body in a transaction, preview, confirm through the session, commit
 * with the audit row (one per entry when the body added entries) or roll
 * back. Declined: TC_ERR_REFUSED. The preview
 * text is left in out (RES_TEXT) either way. */
tc_status stage_run(struct tc_session *s, const stage_opts *o, stage_body body, void *ctx,
		    tc_result *out, tc_error *err);

#endif
