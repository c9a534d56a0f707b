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
#include "conninfo.h"
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

/* The reference's connection is watched by the session, so that C-c in the
 * console cancels its catalog read as well as the live one. */
static tc_status read_db(struct tc_session *s, const char *dsn, const char *service,
			 const catalog_opts *o, sch_model *out, tc_error *err)
{
	conn_params p = {.dsn = dsn, .service = service};
	tc_conn *c;
	tc_status rc = conn_open(&p, &c, err);
	if (rc != TC_OK) {
		tc_error_prefix(err, "the reference: ");
		return rc;
	}
	bool watched = session_watch(s, c);
	rc = catalog_read(c, o, out, err);
	if (watched)
		session_unwatch(s, c);
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
		return read_db(s, cfg_get(t, "dsn"), cfg_get(t, "service"), o, out, err);
	}
	if (snapshot_looks_like(against))
		return snapshot_load(against, out, err);
	struct stat sb;
	if (stat(against, &sb) == 0 && S_ISREG(sb.st_mode)) {
		tc_fail(err, TC_ERR_USAGE, "%s is not a tenantctl schema snapshot", against);
		tc_hint(err, "write one with `tenantctl schema dump -o %s`", against);
		return TC_ERR_USAGE;
	}
	return read_db(s, against, NULL, o, out, err);
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

/* --only RULE (repeatable): the items matched by any of the rules, written
 * as allowlist rules without the reason. Parsed before anything is read,
 * so a typo costs no catalog read. */
static tc_status only_parse(const cmd_call *call, allowlist *out, bool *have, tc_error *err)
{
	const char **v;
	size_t n = cmd_opt_values(call, "only", &v);
	*have = n > 0;
	memset(out, 0, sizeof *out);
	if (!n) {
		free(v);
		return TC_OK;
	}
	strbuf text = STRBUF_INIT;
	tc_status rc = TC_OK;
	for (size_t i = 0; i < n && rc == TC_OK; i++) {
		if (strpbrk(v[i], "\r\n"))
			rc = tc_fail(err, TC_ERR_USAGE, "--only '%s': one rule per --only", v[i]);
		sb_addf(&text, "%s -- --only\n", v[i]);
	}
	free(v);
	if (rc == TC_OK)
		rc = allow_parse(sb_str(&text), text.len, "--only", out, err);
	if (rc != TC_OK && !err->hint)
		tc_hint(err, "--only takes KIND OBJECT-GLOB [ATTRIBUTE] as an allowlist rule does, "
			     "without the reason: --only 'index public.orgs_*' or --only "
			     "'column public.orgs.plan default'");
	sb_free(&text);
	return rc;
}

/* Keep only the items an --only rule matches; the report's counts follow.
 * An --only that matches nothing is an error: a typo must not read as "no
 * drift". */
static tc_status only_apply(drift_report *r, allowlist *only, tc_error *err)
{
	size_t k = 0;
	r->n_drift = r->n_allowed = 0;
	for (size_t i = 0; i < r->n; i++) {
		drift_item *it = &r->items[i];
		if (!allow_match(only, it->kind, it->object, it->attribute))
			continue;
		r->items[k++] = *it;
		if (it->info || it->skew)
			continue;
		if (it->allowed)
			r->n_allowed++;
		else
			r->n_drift++;
	}
	r->n = k;
	for (size_t i = 0; i < only->n; i++)
		if (!only->rules[i].matched) {
			tc_fail(err, TC_ERR_USAGE, "--only '%s %s%s%s' matches no drift item",
				only->rules[i].kind, only->rules[i].pattern,
				only->rules[i].attribute ? " " : "",
				only->rules[i].attribute ? only->rules[i].attribute : "");
			tc_hint(err, "`tenantctl drift` lists the items; the drift may have changed "
				     "since you looked");
			return TC_ERR_USAGE;
		}
	return TC_OK;
}

static tc_status run_drift(struct tc_session *s, const cmd_call *call, drift_run *d, tc_error *err)
{
	allowlist only;
	bool have_only;
	tc_status rc = only_parse(call, &only, &have_only, err);
	if (rc != TC_OK)
		return rc;
	catalog_opts o;
	scope_from(call, &o);
	rc = compare_with(s, &o, cmd_opt_value(call, "against"), cmd_opt_value(call, "allowlist"),
			  d, err);
	scope_free(&o);
	if (rc == TC_OK && have_only && (rc = only_apply(&d->report, &only, err)) != TC_OK)
		drift_run_free(d);
	if (have_only)
		allow_free(&only);
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

static int cmp_position(const void *a, const void *b)
{
	const char *pa = sch_get(*(const sch_obj *const *)a, "position");
	const char *pb = sch_get(*(const sch_obj *const *)b, "position");
	long x = pa ? strtol(pa, NULL, 10) : 0, y = pb ? strtol(pb, NULL, 10) : 0;
	return x < y ? -1 : x > y;
}

/* What a missing or extra object is, in a line or a definition: its
 * definition when it has one, a column's type, a table's columns, else its
 * attributes. NULL for items about an attribute. Caller frees. */
static char *item_detail(const drift_report *r, const drift_item *it)
{
	if (it->attribute || it->status == DRIFT_CHANGED)
		return NULL;
	const sch_model *m = it->status == DRIFT_EXTRA ? r->live : r->ref;
	const sch_obj *o = m ? sch_find(m, it->kind, it->object) : NULL;
	if (!o)
		return NULL;
	const char *def = sch_get(o, "definition");
	if (def)
		return xstrdup(def);
	if (!strcmp(o->kind, "migration") && sch_get(o, "name"))
		return xstrdup(sch_get(o, "name"));
	strbuf sb = STRBUF_INIT;
	if (!strcmp(o->kind, "column")) {
		const char *type = sch_get(o, "type"), *dflt = sch_get(o, "default");
		const char *nn = sch_get(o, "not_null");
		sb_add(&sb, type ? type : "?");
		if (nn && !strcmp(nn, "true"))
			sb_add(&sb, " not null");
		if (dflt)
			sb_addf(&sb, " default %s", dflt);
	} else if (!strcmp(o->kind, "table")) {
		/* Its columns in table order: what the table holds. The model is
		 * sorted by kind and name, so they are the run of columns named
		 * "TABLE." (a name with a dot in it would be quoted). */
		const sch_obj **cols = NULL;
		size_t n = 0, cap = 0;
		char *prefix = xasprintf("%s.", o->name);
		size_t plen = strlen(prefix), lo = 0, hi = m->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int k = strcmp(m->objs[mid].kind, "column");
			if (!k)
				k = strcmp(m->objs[mid].name, prefix);
			if (k < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < m->n; i++) {
			const sch_obj *c = &m->objs[i];
			if (strcmp(c->kind, "column") || strncmp(c->name, prefix, plen))
				break;
			char *parent = drift_parent_table(m, c->kind, c->name);
			bool mine = parent && !strcmp(parent, o->name);
			free(parent);
			if (!mine)
				continue;
			cols = xgrow(cols, &cap, n + 1, sizeof *cols);
			cols[n++] = c;
		}
		qsort(cols, n, sizeof *cols, cmp_position);
		for (size_t i = 0; i < n; i++) {
			const char *type = sch_get(cols[i], "type");
			sb_addf(&sb, "%s%s %s", i ? ", " : "(", cols[i]->name + strlen(o->name) + 1,
				type ? type : "?");
		}
		sb_add(&sb, n ? ")" : "(no columns)");
		free(cols);
		free(prefix);
	} else {
		for (size_t i = 0; i < o->n; i++) {
			if (o->attrs[i].flags & SCH_INFO)
				continue;
			sb_addf(&sb, "%s%s %s", sb.len ? ", " : "", o->attrs[i].key,
				o->attrs[i].value);
		}
	}
	if (!sb.len) {
		sb_free(&sb);
		return NULL;
	}
	return sb_steal(&sb);
}

static void items_table_with(const drift_report *r, bool detail, tc_result *out);

static void items_table(const drift_report *r, tc_result *out)
{
	items_table_with(r, false, out);
}

/* The `drift` table; with detail, one more column saying what a missing or
 * extra object is (for the console). */
static void items_table_with(const drift_report *r, bool detail, tc_result *out)
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
	if (detail)
		res_add_col(out, "detail", RES_T_TEXT);
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
		if (detail) {
			char *d = item_detail(r, it);
			res_set(out, row, 10, d);
			free(d);
		}
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

/* ------------------------------------------------------------ the console */

/* "database app" for a DSN (its host and password stay out of a title),
 * the @TARGET or the file as given. */
static char *reference_label(const char *against)
{
	struct stat sb;
	if (against[0] == '@' || (stat(against, &sb) == 0 && S_ISREG(sb.st_mode)))
		return xstrdup(against);
	char *masked = conninfo_mask(against);
	/* keyword=value pairs, values quoted with '...' where needed */
	char *label = NULL;
	for (const char *p = masked; *p && !label;) {
		while (*p == ' ')
			p++;
		const char *eq = strchr(p, '=');
		if (!eq)
			break;
		bool is_db = (size_t)(eq - p) == 6 && !strncmp(p, "dbname", 6);
		const char *v = eq + 1;
		strbuf val = STRBUF_INIT;
		if (*v == '\'') {
			for (v++; *v && *v != '\''; v++) {
				if (*v == '\\' && v[1])
					v++;
				sb_addc(&val, *v);
			}
			if (*v)
				v++;
		} else {
			while (*v && *v != ' ')
				sb_addc(&val, *v++);
		}
		if (is_db)
			label = xasprintf("database %s", sb_str(&val));
		sb_free(&val);
		p = v;
	}
	if (!label)
		label = xstrdup(masked);
	free(masked);
	return label;
}

static void stale_table(const drift_report *r, tc_result *out)
{
	res_init(out, RES_TABLE);
	res_add_col(out, "file", RES_T_TEXT);
	res_add_col(out, "line", RES_T_INT);
	res_add_col(out, "kind", RES_T_TEXT);
	res_add_col(out, "pattern", RES_T_TEXT);
	res_add_col(out, "attribute", RES_T_TEXT);
	res_add_col(out, "reason", RES_T_TEXT);
	if (!r->allow)
		return;
	for (size_t i = 0; i < r->allow->n; i++) {
		const allow_rule *a = &r->allow->rules[i];
		if (a->matched)
			continue;
		size_t row = res_add_row(out);
		res_set(out, row, 0, r->allow->path);
		res_setf(out, row, 1, "%d", a->line);
		res_set(out, row, 2, a->kind);
		res_set(out, row, 3, a->pattern);
		res_set(out, row, 4, a->attribute);
		res_set(out, row, 5, a->reason);
	}
}

tc_status driftcmd_view(struct tc_session *s, const char *against, const char *allow_path,
			drift_view *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	res_init(&out->items, RES_EMPTY);
	res_init(&out->stale, RES_EMPTY);
	const char *ref = against ? against : session_setting(s, "reference");
	if (ref)
		out->reference = reference_label(ref);
	const char *allow = allow_path ? allow_path : session_setting(s, "allowlist");
	if (allow)
		out->allowlist = xstrdup(allow);
	catalog_opts o = {0};
	drift_run d;
	tc_status rc = compare_with(s, &o, against, allow_path, &d, err);
	if (rc != TC_OK)
		return rc;
	items_table_with(&d.report, true, &out->items);
	stale_table(&d.report, &out->stale);
	out->n_drift = d.report.n_drift;
	out->n_allowed = d.report.n_allowed;
	drift_run_free(&d);
	return TC_OK;
}

void driftcmd_view_free(drift_view *v)
{
	res_free(&v->items);
	res_free(&v->stale);
	free(v->reference);
	free(v->allowlist);
	memset(v, 0, sizeof *v);
}

tc_status driftcmd_save_rules(struct tc_session *s, const char *path, const drift_rule *rules,
			      size_t n, size_t *saved, char **saved_to, tc_error *err)
{
	*saved = 0;
	*saved_to = NULL;
	if (!path)
		path = session_setting(s, "allowlist");
	if (!path) {
		const char *target = session_target_name(s);
		const cfg_file *cfg = session_config(s);
		tc_fail(err, TC_ERR_USAGE, "no allowlist file to save the rules in: nothing was written");
		if (target)
			tc_hint(err, "add `allowlist = FILE` to [target %s] in %s and reload, or give "
				     "the file: :w FILE (the drafts are kept)",
				target, cfg && cfg->path ? cfg->path : "the config file");
		else
			tc_hint(err, "give the file: :w FILE, or use a target (-t) whose section sets "
				     "allowlist = FILE (the drafts are kept)");
		return TC_ERR_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		tc_status rc = allow_append(path, rules[i].kind, rules[i].object, rules[i].attribute,
					    rules[i].reason, err);
		if (rc != TC_OK) {
			if (*saved)
				tc_error_prefix(err, "%zu of %zu rules saved, then: ", *saved, n);
			return rc;
		}
		(*saved)++;
	}
	*saved_to = xstrdup(path);
	return TC_OK;
}
