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
	stage_plan plan = {STRBUF_INIT, 0, NULL};
	rc = body(c, ctx, &plan, err);
	if (rc != TC_OK) {
		rollback(c);
		sb_free(&plan.preview);
		free(plan.target);
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
		oplog_entry e = {o->command, plan.target, plan.rows, "applied"};
		if (have_log)
			rc = oplog_append(c, &e, err);
		if (rc == TC_OK)
			rc = db_exec(c, "COMMIT", 0, NULL, NULL, err);
		else
			rollback(c);
		if (rc == TC_OK)
			res_set_summary(out, "applied%s", have_log ? " (recorded in the operator audit log)"
								   : " (this deployment has no operator "
								     "audit log table)");
	}
	sb_free(&plan.preview);
	free(plan.target);
	return rc;
}
