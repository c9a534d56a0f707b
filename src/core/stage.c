#include "config.h"

#include "stage.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "oplog.h"
#include "session.h"
#include "xalloc.h"

static void rollback(tc_conn *c)
{
	db_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
}

void stage_plan_add_entry(stage_plan *plan, const char *command, const char *target, long rows)
{
	plan->entries = xrealloc(plan->entries, (plan->nentries + 1) * sizeof *plan->entries);
	stage_entry *e = &plan->entries[plan->nentries++];
	e->command = xstrdup(command ? command : "");
	e->target = target ? xstrdup(target) : NULL;
	e->rows = rows;
}

static void plan_free(stage_plan *plan)
{
	sb_free(&plan->preview);
	free(plan->target);
	for (size_t i = 0; i < plan->nentries; i++) {
		free(plan->entries[i].command);
		free(plan->entries[i].target);
	}
	free(plan->entries);
}

tc_status stage_run(struct tc_session *s, const stage_opts *o, stage_body body, void *ctx,
		    tc_result *out, tc_error *err)
{
	res_init(out, RES_TEXT);
	tc_conn *c;
	tc_status rc = session_conn(s, &c, err);
	if (rc != TC_OK)
		return rc;
	bool have_log = false;
	if (!o->dry_run) {
		rc = oplog_available(c, &have_log, err);
		if (rc != TC_OK)
			return rc;
	}
	/* A dry run may look in a read-only session: it is rolled back. */
	rc = db_exec(c, o->dry_run ? "BEGIN READ WRITE" : "BEGIN", 0, NULL, NULL, err);
	if (rc != TC_OK)
		return rc;
	stage_plan plan = {STRBUF_INIT, 0, NULL, NULL, 0};
	rc = body(c, ctx, &plan, err);
	if (rc != TC_OK) {
		rollback(c);
		plan_free(&plan);
		return rc;
	}
	sb_add(&out->text, sb_str(&plan.preview));
	if (o->dry_run) {
		rollback(c);
		res_set_summary(out, "dry run: rolled back, nothing was changed");
	} else if (!session_confirm(s, sb_str(&plan.preview))) {
		rollback(c);
		rc = tc_fail(err, TC_ERR_REFUSED, "not applied: the change was declined, and rolled "
						  "back");
		tc_hint(err, "answer y to apply, or pass --yes in scripts");
	} else {
		if (have_log && plan.nentries == 0) {
			oplog_entry e = {o->command, plan.target, plan.rows, "applied"};
			rc = oplog_append(c, &e, err);
		}
		/* A batch: one row per change, all in this transaction. */
		for (size_t i = 0; have_log && rc == TC_OK && i < plan.nentries; i++) {
			const stage_entry *se = &plan.entries[i];
			oplog_entry e = {se->command, se->target, se->rows, "applied"};
			rc = oplog_append(c, &e, err);
		}
		if (rc == TC_OK)
			rc = db_exec(c, "COMMIT", 0, NULL, NULL, err);
		else
			rollback(c);
		if (rc == TC_OK && plan.nentries > 0)
			res_set_summary(out, "applied %zu change%s%s", plan.nentries,
					plan.nentries == 1 ? "" : "s",
					have_log ? " (one row each in the operator audit log)"
						 : " (this deployment has no operator audit log table)");
		else if (rc == TC_OK)
			res_set_summary(out, "applied%s", have_log ? " (recorded in the operator audit log)"
								   : " (this deployment has no operator "
								     "audit log table)");
	}
	plan_free(&plan);
	return rc;
}
