#include "config.h"

#include "migcmd.h"

#include <stdlib.h>
#include <string.h>

#include "mig.h"
#include "session.h"
#include "xalloc.h"

char *migcmd_command_line(const cmd_call *call)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "tenantctl %s", call->spec->words);
	for (size_t i = 0; i < call->nargs; i++)
		sb_addf(&sb, " %s", call->args[i]);
	for (size_t i = 0; i < call->nopts; i++) {
		sb_addf(&sb, " --%s", call->opts[i].opt->name);
		if (call->opts[i].opt->metavar)
			sb_addf(&sb, " %s", call->opts[i].value);
	}
	return sb_steal(&sb);
}

static tc_status chains_for(struct tc_session *s, const cmd_call *call, mig_chains *out,
			    tc_error *err)
{
	mig_source_opts o = {
		.dir = cmd_opt_value(call, "dir"),
		.format = cmd_opt_value(call, "format"),
		.table = cmd_opt_value(call, "table"),
		.chain = cmd_opt_value(call, "chain"),
	};
	return mig_chains_resolve(session_target(s), &o, out, err);
}

/* A whole number option within [lo, hi]; dflt when absent. */
static tc_status int_opt(const cmd_call *call, const char *name, int lo, int hi, int dflt,
			 int *out, tc_error *err)
{
	const char *v = cmd_opt_value(call, name);
	*out = dflt;
	if (!v)
		return TC_OK;
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < lo || n > hi) {
		tc_fail(err, TC_ERR_USAGE, "--%s takes a whole number from %d to %d, not '%s'", name,
			lo, hi, v);
		return TC_ERR_USAGE;
	}
	*out = (int)n;
	return TC_OK;
}

/* ------------------------------------------------------------ status */

static void status_columns(tc_result *out)
{
	res_init(out, RES_TABLE);
	res_add_col(out, "chain", RES_T_TEXT);
	res_add_col(out, "version", RES_T_TEXT);
	res_add_col(out, "name", RES_T_TEXT);
	res_add_col(out, "state", RES_T_TEXT);
	res_add_col(out, "applied_at", RES_T_TEXT);
	res_add_col(out, "duration_ms", RES_T_INT);
	res_add_col(out, "applied_by", RES_T_TEXT);
	res_add_detail_col(out, "checksum", RES_T_TEXT);
	res_add_detail_col(out, "applied_checksum", RES_T_TEXT);
	res_add_detail_col(out, "file", RES_T_TEXT);
	res_add_col(out, "note", RES_T_TEXT);
}

static void status_rows(tc_result *out, const mig_status *st)
{
	for (size_t i = 0; i < st->n; i++) {
		const mig_entry *e = &st->entries[i];
		size_t r = res_add_row(out);
		res_set(out, r, 0, st->chain->name);
		res_set(out, r, 1, e->version);
		res_set(out, r, 2, e->name);
		res_set(out, r, 3, mig_state_name(e->state));
		if (e->hist) {
			res_set(out, r, 4, e->hist->finished_at ? e->hist->finished_at
								: e->hist->started_at);
			if (e->hist->duration_ms >= 0)
				res_setf(out, r, 5, "%ld", e->hist->duration_ms);
			res_set(out, r, 6, e->hist->applied_by);
			res_set(out, r, 8, e->hist->checksum && *e->hist->checksum ? e->hist->checksum
										  : NULL);
		}
		if (e->file) {
			res_set(out, r, 7, e->file->checksum);
			res_set(out, r, 9, e->file->up_path);
		}
		res_set(out, r, 10, e->note);
	}
}

tc_status migcmd_status(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	mig_chains chains;
	tc_status rc = chains_for(s, call, &chains, err);
	if (rc != TC_OK)
		return rc;
	tc_conn *c;
	rc = session_conn(s, &c, err);
	status_columns(out);
	strbuf summary = STRBUF_INIT;
	bool dirty = false;
	for (size_t i = 0; rc == TC_OK && i < chains.n; i++) {
		mig_status st;
		rc = mig_status_load(c, &chains.v[i], &st, err);
		if (rc != TC_OK)
			break;
		status_rows(out, &st);
		if (summary.len)
			sb_addc(&summary, '\n');
		if (chains.n > 1)
			sb_addf(&summary, "%s: ", st.chain->name);
		mig_status_summary(&st, &summary);
		if (st.foreign)
			sb_addf(&summary, "\nhistory read from %s's table %s; take it over with "
					  "`tenantctl migrate adopt --from %s`",
				hist_kind_name(st.hist.kind), st.hist.table, hist_kind_name(st.hist.kind));
		if (st.lock_holder)
			sb_addf(&summary, "\nmigration lock of %s held by %s", st.chain->table,
				st.lock_holder);
		dirty |= st.counts[MS_EDITED] || st.counts[MS_MISSING] || st.counts[MS_FAILED] ||
			 st.counts[MS_DUPLICATE];
		mig_status_free(&st);
	}
	/* Alembic's heads are shown as they are, read-only. */
	hist_set alembic;
	if (rc == TC_OK && hist_read(c, HIST_ALEMBIC, hist_default_table(HIST_ALEMBIC), &alembic,
				     NULL) == TC_OK) {
		for (size_t i = 0; i < alembic.n; i++) {
			size_t r = res_add_row(out);
			res_set(out, r, 0, "alembic");
			res_set(out, r, 1, alembic.rows[i].version);
			res_set(out, r, 2, "(alembic head)");
			res_set(out, r, 3, "applied");
			res_set(out, r, 10, "alembic's history, shown read-only");
		}
		hist_free(&alembic);
	}
	if (rc == TC_OK)
		res_set_summary(out, "%s", sb_str(&summary));
	sb_free(&summary);
	mig_chains_free(&chains);
	if (rc == TC_OK && dirty && cmd_opt_value(call, "strict"))
		return TC_FINDINGS;
	return rc;
}

/* ------------------------------------------------------------ runs */

static void progress_relay(void *ctx, const char *line)
{
	struct tc_session *s = ctx;
	void *pctx;
	session_progress_fn fn = session_progress(s, &pctx);
	if (fn)
		fn(pctx, line);
}

static tc_status goal_of(const cmd_call *call, mig_run_opts *o, tc_error *err)
{
	const char *w = call->spec->words + strlen("migrate ");
	if (!strcmp(w, "step"))
		o->goal = MIG_STEP;
	else if (!strcmp(w, "up"))
		o->goal = MIG_UP;
	else if (!strcmp(w, "to")) {
		o->goal = MIG_TO;
		o->to_version = call->args[0];
	} else if (!strcmp(w, "down")) {
		o->goal = MIG_DOWN;
		o->down_count = 1;
		if (call->nargs) {
			char *end;
			long n = strtol(call->args[0], &end, 10);
			if (*end || n < 1 || n > 100000) {
				tc_fail(err, TC_ERR_USAGE, "migrate down takes a count of at least 1, "
							   "not '%s'", call->args[0]);
				return TC_ERR_USAGE;
			}
			o->down_count = (int)n;
		}
	} else {
		o->goal = MIG_REDO;
	}
	return TC_OK;
}

tc_status migcmd_run(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	mig_run_opts o = {0};
	tc_status rc = goal_of(call, &o, err);
	if (rc == TC_OK)
		rc = int_opt(call, "lock-wait", 0, 86400, 0, &o.lock_wait_s, err);
	if (rc != TC_OK)
		return rc;
	o.allow_out_of_order = cmd_opt_value(call, "allow-out-of-order") != NULL;
	o.dry_run = cmd_opt_value(call, "dry-run") != NULL;
	o.progress = progress_relay;
	o.progress_ctx = s;
	char *command = migcmd_command_line(call);
	o.command = command;

	mig_chains chains;
	rc = chains_for(s, call, &chains, err);
	if (rc == TC_OK && chains.n > 1 && o.goal != MIG_UP) {
		rc = tc_fail(err, TC_ERR_USAGE, "the target has %zu migration chains; say which one",
			     chains.n);
		tc_hint(err, "add --chain NAME (`migrate up` alone runs every chain in turn)");
		mig_chains_free(&chains);
	}
	if (rc != TC_OK) {
		free(command);
		return rc;
	}
	tc_conn *c;
	rc = session_conn(s, &c, err);
	res_init(out, RES_TABLE);
	res_add_col(out, "chain", RES_T_TEXT);
	res_add_col(out, "version", RES_T_TEXT);
	res_add_col(out, "name", RES_T_TEXT);
	res_add_col(out, "action", RES_T_TEXT);
	res_add_col(out, "outcome", RES_T_TEXT);
	res_add_col(out, "duration_ms", RES_T_INT);
	res_add_col(out, "statements", RES_T_INT);
	res_add_col(out, "rows", RES_T_INT);
	size_t done = 0;
	for (size_t i = 0; rc == TC_OK && i < chains.n; i++) {
		mig_report rep;
		rc = mig_run(c, &chains.v[i], &o, &rep, err);
		for (size_t k = 0; k < rep.n; k++) {
			const mig_done *d = &rep.v[k];
			size_t r = res_add_row(out);
			res_set(out, r, 0, chains.v[i].name);
			res_set(out, r, 1, d->version);
			res_set(out, r, 2, d->name);
			res_set(out, r, 3, d->action == MIG_APPLY ? "apply" : "revert");
			res_set(out, r, 4, d->outcome);
			if (d->duration_ms >= 0)
				res_setf(out, r, 5, "%ld", d->duration_ms);
			res_setf(out, r, 6, "%zu", d->statements);
			res_setf(out, r, 7, "%ld", d->rows);
			if (strcmp(d->outcome, "failed"))
				done++;
		}
		mig_report_free(&rep);
	}
	if (rc == TC_OK && o.dry_run)
		res_set_summary(out, "%zu step%s planned (dry run: nothing was run)", done,
				done == 1 ? "" : "s");
	else if (rc == TC_OK && done)
		res_set_summary(out, "%zu step%s done", done, done == 1 ? "" : "s");
	else if (rc == TC_OK)
		res_set_summary(out, "nothing to do: no migration is pending");
	mig_chains_free(&chains);
	free(command);
	return rc;
}

/* ------------------------------------------------------------ the rest */

static tc_status one_chain(struct tc_session *s, const cmd_call *call, mig_chains *chains,
			   tc_error *err)
{
	tc_status rc = chains_for(s, call, chains, err);
	if (rc == TC_OK && chains->n > 1) {
		rc = tc_fail(err, TC_ERR_USAGE, "the target has %zu migration chains; say which one",
			     chains->n);
		tc_hint(err, "add --chain NAME");
		mig_chains_free(chains);
	}
	return rc;
}

tc_status migcmd_preview(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	mig_chains chains;
	tc_status rc = one_chain(s, call, &chains, err);
	if (rc != TC_OK)
		return rc;
	tc_conn *c;
	mig_preview p = {0};
	char *command = migcmd_command_line(call);
	rc = session_conn(s, &c, err);
	if (rc == TC_OK)
		rc = mig_preview_run(c, &chains.v[0], call->nargs ? call->args[0] : NULL, command, &p,
				     err);
	if (rc == TC_OK) {
		res_init(out, RES_TABLE);
		res_add_col(out, "what", RES_T_TEXT);
		res_add_col(out, "kind", RES_T_TEXT);
		res_add_col(out, "object", RES_T_TEXT);
		res_add_col(out, "rows", RES_T_INT);
		res_add_col(out, "detail", RES_T_TEXT);
		size_t stmts = 0, added = 0, dropped = 0, changed = 0;
		for (size_t i = 0; i < p.n; i++) {
			const mig_preview_row *pr = &p.rows[i];
			size_t r = res_add_row(out);
			res_set(out, r, 0, pr->what);
			res_set(out, r, 1, pr->kind);
			res_set(out, r, 2, pr->object);
			if (pr->rows >= 0)
				res_setf(out, r, 3, "%ld", pr->rows);
			res_set(out, r, 4, pr->detail);
			stmts += !strcmp(pr->what, "statement") || !strcmp(pr->what, "not run");
			added += !strcmp(pr->what, "added");
			dropped += !strcmp(pr->what, "dropped");
			changed += !strcmp(pr->what, "changed");
		}
		if (p.no_tx)
			res_set_summary(out, "preview of %s %s: %zu statements, not run: this migration "
					     "runs outside a transaction, so it cannot be tried and "
					     "rolled back",
					p.version, p.name, stmts);
		else
			res_set_summary(out, "preview of %s %s: %zu statement%s; %zu added, %zu dropped, "
					     "%zu changed; rolled back, nothing was applied",
					p.version, p.name, stmts, stmts == 1 ? "" : "s", added, dropped,
					changed);
	}
	mig_preview_free(&p);
	mig_chains_free(&chains);
	free(command);
	return rc;
}

tc_status migcmd_adopt(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	hist_kind from;
	const char *f = cmd_opt_value(call, "from");
	if (!f) {
		tc_fail(err, TC_ERR_USAGE, "migrate adopt needs --from TOOL");
		tc_hint(err, "--from dbmate, golang-migrate, flyway or prisma");
		return TC_ERR_USAGE;
	}
	if (!hist_kind_parse(f, &from)) {
		tc_fail(err, TC_ERR_USAGE, "unknown tool '%s'", f);
		tc_hint(err, "--from dbmate, golang-migrate, flyway or prisma");
		return TC_ERR_USAGE;
	}
	mig_chains chains;
	tc_status rc = one_chain(s, call, &chains, err);
	if (rc != TC_OK)
		return rc;
	tc_conn *c;
	size_t adopted = 0, skipped = 0;
	char *command = migcmd_command_line(call);
	rc = session_conn(s, &c, err);
	if (rc == TC_OK)
		rc = mig_adopt(c, &chains.v[0], from, command, &adopted, &skipped, err);
	if (rc == TC_OK) {
		res_init(out, RES_RECORD);
		res_add_col(out, "from", RES_T_TEXT);
		res_add_col(out, "into", RES_T_TEXT);
		res_add_col(out, "adopted", RES_T_INT);
		res_add_col(out, "already_present", RES_T_INT);
		size_t r = res_add_row(out);
		res_setf(out, r, 0, "%s (%s)", hist_kind_name(from), hist_default_table(from));
		res_set(out, r, 1, chains.v[0].table);
		res_setf(out, r, 2, "%zu", adopted);
		res_setf(out, r, 3, "%zu", skipped);
	}
	mig_chains_free(&chains);
	free(command);
	return rc;
}

tc_status migcmd_resolve(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	bool applied = cmd_opt_value(call, "applied") != NULL;
	bool rolled_back = cmd_opt_value(call, "rolled-back") != NULL;
	if (applied == rolled_back) {
		tc_fail(err, TC_ERR_USAGE, "say how the failed migration was settled: --applied or "
					   "--rolled-back (one of the two)");
		return TC_ERR_USAGE;
	}
	mig_chains chains;
	tc_status rc = one_chain(s, call, &chains, err);
	if (rc != TC_OK)
		return rc;
	tc_conn *c;
	char *command = migcmd_command_line(call);
	rc = session_conn(s, &c, err);
	if (rc == TC_OK)
		rc = mig_resolve(c, &chains.v[0], call->args[0], applied, command, err);
	if (rc == TC_OK) {
		res_init(out, RES_EMPTY);
		res_set_summary(out, "migration %s resolved as %s", call->args[0],
				applied ? "applied" : "rolled back");
	}
	mig_chains_free(&chains);
	free(command);
	return rc;
}

tc_status migcmd_new(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	mig_chains chains;
	tc_status rc = one_chain(s, call, &chains, err);
	if (rc != TC_OK)
		return rc;
	mig_format fmt = chains.v[0].format;
	if (fmt == MIG_FMT_AUTO)
		fmt = migsrc_detect(chains.v[0].dir);
	if (fmt == MIG_FMT_AUTO)
		fmt = MIG_FMT_NATIVE;
	char *path = NULL;
	rc = migsrc_new(chains.v[0].dir, fmt, call->args[0], &path, err);
	if (rc == TC_OK) {
		res_init(out, RES_RECORD);
		res_add_col(out, "created", RES_T_TEXT);
		res_add_col(out, "format", RES_T_TEXT);
		size_t r = res_add_row(out);
		res_set(out, r, 0, path);
		res_set(out, r, 1, migsrc_format_name(fmt));
	}
	free(path);
	mig_chains_free(&chains);
	return rc;
}
