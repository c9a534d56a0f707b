#include "config.h"

#include "driftcmd.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allowlist.h"
#include "catalog.h"
#include "drift.h"
#include "reconcile.h"
#include "session.h"
#include "snapshot.h"
#include "xalloc.h"

/* Catalog options from the command's scope options. The arrays borrow the
 * call's values; free them with scope_free. */
static void scope_from(const cmd_call *call, catalog_opts *o)
{
	memset(o, 0, sizeof *o);
	const char **v;
	o->n_schemas = cmd_opt_values(call, "schema", &v);
	o->schemas = v;
	o->n_exclude = cmd_opt_values(call, "exclude-schema", &v);
	o->exclude_schemas = v;
	o->table_glob = cmd_opt_value(call, "tables");
	o->privileges = cmd_opt_value(call, "privileges") != NULL;
	o->row_counts = cmd_opt_value(call, "row-counts") != NULL;
}

static void scope_free(catalog_opts *o)
{
	free((void *)o->schemas);
	free((void *)o->exclude_schemas);
}

/* Write a file whole or not at all: a temporary beside it, then rename. */
static tc_status write_file_atomically(const char *path, const char *text, tc_error *err)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "w");
	tc_status rc = TC_OK;
	if (!f || fputs(text, f) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		rc = tc_fail(err, TC_ERR_USAGE, "cannot write %s: %s", tmp, strerror(errno));
		if (f)
			fclose(f);
		unlink(tmp);
	} else if (fclose(f) != 0 || rename(tmp, path) != 0) {
		rc = tc_fail(err, TC_ERR_USAGE, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

tc_status driftcmd_dump(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	tc_conn *c;
	tc_status rc = session_conn(s, &c, err);
	if (rc != TC_OK)
		return rc;
	catalog_opts o;
	scope_from(call, &o);
	o.estimates = !o.row_counts;
	sch_model m;
	rc = catalog_read(c, &o, &m, err);
	scope_free(&o);
	if (rc != TC_OK)
		return rc;
	const char *path = cmd_opt_value(call, "output");
	if (path) {
		strbuf text = STRBUF_INIT;
		snapshot_write(&m, &text);
		rc = write_file_atomically(path, sb_str(&text), err);
		sb_free(&text);
		if (rc == TC_OK) {
			res_init(out, RES_EMPTY);
			res_set_summary(out, "wrote %zu objects to %s", m.n, path);
		}
	} else {
		res_init(out, RES_TEXT);
		snapshot_write(&m, &out->text);
	}
	sch_free(&m);
	return rc;
}

/* ------------------------------------------------------------ the reference */

static tc_status read_db(const char *dsn, const char *service, const catalog_opts *o,
			 sch_model *out, tc_error *err)
{
	conn_params p = {.dsn = dsn, .service = service};
	tc_conn *c;
	tc_status rc = conn_open(&p, &c, err);
	if (rc != TC_OK) {
		tc_error_prefix(err, "the reference: ");
		return rc;
	}
	rc = catalog_read(c, o, out, err);
	conn_close(c);
	return rc;
}

/* --against DSN|FILE|@TARGET (against), else the target's `reference`. */
static tc_status load_reference(struct tc_session *s, const char *against, const catalog_opts *o,
				sch_model *out, tc_error *err)
{
	if (!against)
		against = session_setting(s, "reference");
	if (!against) {
		tc_fail(err, TC_ERR_USAGE, "no reference to compare with");
		tc_hint(err, "give --against DSN, --against FILE (a `tenantctl schema dump` snapshot) "
			     "or --against @TARGET, or set reference = ... in the target's section");
		return TC_ERR_USAGE;
	}
	if (against[0] == '@') {
		const cfg_target *t = cfg_target_find(session_config(s), against + 1);
		if (!t) {
			tc_fail(err, TC_ERR_USAGE, "no target named '%s' for --against", against + 1);
			tc_hint(err, "`tenantctl targets` lists them");
			return TC_ERR_USAGE;
		}
		return read_db(cfg_get(t, "dsn"), cfg_get(t, "service"), o, out, err);
	}
	if (snapshot_looks_like(against))
		return snapshot_load(against, out, err);
	struct stat sb;
	if (stat(against, &sb) == 0 && S_ISREG(sb.st_mode)) {
		tc_fail(err, TC_ERR_USAGE, "%s is not a tenantctl schema snapshot", against);
		tc_hint(err, "write one with `tenantctl schema dump -o %s`", against);
		return TC_ERR_USAGE;
	}
	return read_db(against, NULL, o, out, err);
}

typedef struct drift_run {
	sch_model live, ref;
	allowlist allow;
	bool have_allow;
	drift_report report;
} drift_run;

static void drift_run_free(drift_run *d)
{
	drift_report_free(&d->report);
	sch_free(&d->live);
	sch_free(&d->ref);
	if (d->have_allow)
		allow_free(&d->allow);
}

/* The reference is read on a thread of its own, over its own connection,
 * while the live schema is read: the two catalog reads are mostly server
 * time, so together they take about as long as the slower one. */
typedef struct ref_job {
	struct tc_session *s; /* only its configuration is read */
	const char *against;
	const catalog_opts *o;
	sch_model *out;
	tc_status rc;
	tc_error err;
} ref_job;

static void *read_reference(void *arg)
{
	ref_job *j = arg;
	j->rc = load_reference(j->s, j->against, j->o, j->out, &j->err);
	return NULL;
}

/* Read both sides and compare. against and allow may be NULL: the target's
 * settings then apply. */
static tc_status compare_with(struct tc_session *s, const catalog_opts *o, const char *against,
			      const char *allow, drift_run *d, tc_error *err)
{
	memset(d, 0, sizeof *d);
	ref_job job = {s, against, o, &d->ref, TC_OK, TC_ERROR_INIT};
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, read_reference, &job) == 0;
	if (!threaded)
		read_reference(&job);
	tc_conn *c;
	tc_status rc = session_conn(s, &c, err);
	if (rc == TC_OK)
		rc = catalog_read(c, o, &d->live, err);
	if (threaded)
		pthread_join(th, NULL);
	if (rc == TC_OK && job.rc != TC_OK) {
		/* Hand the reference's error over as our own. */
		rc = tc_fail(err, job.rc, "%s", job.err.message);
		if (job.err.hint)
			tc_hint(err, "%s", job.err.hint);
	}
	tc_error_clear(&job.err);
	if (rc != TC_OK) {
		sch_free(&d->live);
		sch_free(&d->ref);
		return rc;
	}
	if (!allow)
		allow = session_setting(s, "allowlist");
	if (allow) {
		rc = allow_load(allow, &d->allow, err);
		d->have_allow = rc == TC_OK;
	}
	if (rc == TC_OK)
		rc = drift_compare(&d->live, &d->ref, d->have_allow ? &d->allow : NULL, &d->report, err);
	if (rc != TC_OK)
		drift_run_free(d);
	return rc;
}

static tc_status run_drift(struct tc_session *s, const cmd_call *call, drift_run *d, tc_error *err)
{
	catalog_opts o;
	scope_from(call, &o);
	tc_status rc = compare_with(s, &o, cmd_opt_value(call, "against"),
				    cmd_opt_value(call, "allowlist"), d, err);
	scope_free(&o);
	return rc;
}

static void summary(const drift_report *r, strbuf *sb)
{
	size_t counts[3] = {0}, info = 0, skew = 0;
	for (size_t i = 0; i < r->n; i++) {
		const drift_item *it = &r->items[i];
		if (it->info)
			info++;
		else if (it->skew)
			skew++;
		else if (!it->allowed)
			counts[it->status]++;
	}
	if (r->n_drift)
		sb_addf(sb, "%zu drift item%s: %zu missing, %zu extra, %zu changed", r->n_drift,
			r->n_drift == 1 ? "" : "s", counts[DRIFT_MISSING], counts[DRIFT_EXTRA],
			counts[DRIFT_CHANGED]);
	else if (r->n_not_compared)
		sb_add(sb, "no drift in what was compared (see below what was not)");
	else
		sb_add(sb, "no drift: the live schema matches the reference");
	if (r->n_allowed)
		sb_addf(sb, "; %zu allowlisted", r->n_allowed);
	if (info)
		sb_addf(sb, "; %zu for information only (column order, row counts)", info);
	if (skew)
		sb_addf(sb, "; %zu not compared (version skew)", skew);
	for (size_t i = 0; i < r->n_not_compared; i++)
		sb_addf(sb, "\nnot compared: %s", r->not_compared[i]);
	if (r->allow)
		for (size_t i = 0; i < r->allow->n; i++)
			if (!r->allow->rules[i].matched)
				sb_addf(sb, "\nstale allowlist rule (matched nothing): %s:%d %s %s%s%s",
					r->allow->path, r->allow->rules[i].line, r->allow->rules[i].kind,
					r->allow->rules[i].pattern, r->allow->rules[i].attribute ? " " : "",
					r->allow->rules[i].attribute ? r->allow->rules[i].attribute : "");
}

static void items_table(const drift_report *r, tc_result *out)
{
	res_init(out, RES_TABLE);
	res_add_col(out, "kind", RES_T_TEXT);
	res_add_col(out, "object", RES_T_TEXT);
	res_add_col(out, "attribute", RES_T_TEXT);
	res_add_col(out, "status", RES_T_TEXT);
	res_add_col(out, "live", RES_T_TEXT);
	res_add_col(out, "reference", RES_T_TEXT);
	res_add_col(out, "category", RES_T_TEXT);
	res_add_col(out, "allowed", RES_T_BOOL);
	res_add_col(out, "reason", RES_T_TEXT);
	res_add_col(out, "note", RES_T_TEXT);
	for (size_t i = 0; i < r->n; i++) {
		const drift_item *it = &r->items[i];
		size_t row = res_add_row(out);
		res_set(out, row, 0, it->kind);
		res_set(out, row, 1, it->object);
		res_set(out, row, 2, it->attribute);
		res_set(out, row, 3, drift_status_name(it->status));
		res_set(out, row, 4, it->live);
		res_set(out, row, 5, it->reference);
		res_set(out, row, 6, it->category);
		res_set(out, row, 7, it->allowed ? "true" : "false");
		res_set(out, row, 8, it->rule ? it->rule->reason : NULL);
		res_set(out, row, 9, it->info ? "information only" : it->skew ? "version skew: not compared"
									 : NULL);
	}
	strbuf sb = STRBUF_INIT;
	summary(r, &sb);
	res_set_summary(out, "%s", sb_str(&sb));
	sb_free(&sb);
}

void driftcmd_info_line(struct tc_session *s, strbuf *out)
{
	if (!session_setting(s, "reference")) {
		sb_add(out, "(no reference configured)");
		return;
	}
	catalog_opts o = {0};
	drift_run d;
	tc_error err = TC_ERROR_INIT;
	if (compare_with(s, &o, NULL, NULL, &d, &err) != TC_OK) {
		sb_addf(out, "unknown (%s)", err.message);
		tc_error_clear(&err);
		return;
	}
	/* The first line of the report's summary says it all. */
	strbuf sb = STRBUF_INIT;
	summary(&d.report, &sb);
	sb_addn(out, sb_str(&sb), strcspn(sb_str(&sb), "\n"));
	sb_free(&sb);
	drift_run_free(&d);
}

tc_status driftcmd_report(struct tc_session *s, const cmd_call *call, tc_result *out,
			  tc_error *err)
{
	drift_run d;
	tc_status rc = run_drift(s, call, &d, err);
	if (rc != TC_OK)
		return rc;
	items_table(&d.report, out);
	drift_run_free(&d);
	return TC_OK;
}

tc_status driftcmd_check(struct tc_session *s, const cmd_call *call, tc_result *out,
			 tc_error *err)
{
	drift_run d;
	tc_status rc = run_drift(s, call, &d, err);
	if (rc != TC_OK)
		return rc;
	items_table(&d.report, out);
	rc = d.report.n_drift ? TC_FINDINGS : TC_OK;
	drift_run_free(&d);
	return rc;
}

tc_status driftcmd_sql(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	drift_run d;
	tc_status rc = run_drift(s, call, &d, err);
	if (rc != TC_OK)
		return rc;
	reconcile_opts o = {.unsafe = cmd_opt_value(call, "unsafe") != NULL};
	size_t skipped = 0;
	res_init(out, RES_TEXT);
	rc = reconcile_sql(&d.report, &o, &out->text, &skipped, err);
	if (rc == TC_OK) {
		strbuf sb = STRBUF_INIT;
		summary(&d.report, &sb);
		if (skipped)
			sb_addf(&sb, "\n%zu destructive statement%s left out (listed as comments); "
				     "--unsafe includes them",
				skipped, skipped == 1 ? "" : "s");
		res_set_summary(out, "%s", sb_str(&sb));
		sb_free(&sb);
	}
	drift_run_free(&d);
	return rc;
}
