/* migrun: carrying out what mig.c plans: runs under the chain's lock,
 * previews, adoption of another tool's history, and resolving failures. */
#include "config.h"

#include "mig.h"

#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "catalog.h"
#include "drift.h"
#include "oplog.h"
#include "sqlsplit.h"
#include "xalloc.h"

/* ================================================================ the lock */

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static tc_status lock_call(tc_conn *c, const char *fn, int64_t key, bool *got, tc_error *err)
{
	char keybuf[32];
	snprintf(keybuf, sizeof keybuf, "%" PRId64, key);
	const char *params[] = {keybuf};
	char *sql = xasprintf("SELECT pg_catalog.%s($1::bigint)", fn);
	db_rows rows;
	tc_status rc = db_query(c, sql, 1, params, &rows, err);
	free(sql);
	if (rc == TC_OK) {
		*got = strcmp(db_get(&rows, 0, 0), "t") == 0;
		db_rows_free(&rows);
	}
	return rc;
}

static tc_status lock_acquire(tc_conn *c, const mig_chain *chain, int wait_s, tc_error *err)
{
	int64_t key = mig_lock_key(chain->table);
	long deadline = now_ms() + (long)wait_s * 1000;
	for (;;) {
		bool got = false;
		tc_status rc = lock_call(c, "pg_try_advisory_lock", key, &got, err);
		if (rc != TC_OK || got)
			return rc;
		if (now_ms() >= deadline)
			break;
		struct timespec pause = {0, 100 * 1000000L};
		nanosleep(&pause, NULL);
	}
	char *holder = NULL;
	mig_lock_holder(c, key, &holder, NULL);
	tc_fail(err, TC_ERR_REFUSED, "another runner holds the migration lock of %s: %s",
		chain->table, holder ? holder : "its holder has just let go");
	tc_hint(err, "wait for it to finish and run again, or pass --lock-wait SECONDS to wait");
	free(holder);
	return TC_ERR_REFUSED;
}

static void lock_release(tc_conn *c, const mig_chain *chain)
{
	bool got;
	lock_call(c, "pg_advisory_unlock", mig_lock_key(chain->table), &got, NULL);
}

/* ================================================================ running */

static char *iso_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char day[32];
	strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
	return xasprintf("%s.%03ld+00", day, ts.tv_nsec / 1000000);
}

static const char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	if (pw)
		return pw->pw_name;
	const char *u = getenv("USER");
	return u ? u : "unknown";
}

/* Watches a running statement from a second connection, so that when
 * lock_timeout fires we can say which lock it waited for and who held it. */
typedef struct watcher {
	tc_conn *main;
	tc_conn *side; /* opened on first need */
	char *blocker; /* the last description of what blocks the statement */
	long last_ms;
} watcher;

static bool watch_tick(void *ctx, long elapsed_ms)
{
	watcher *w = ctx;
	if (elapsed_ms < 200 || (w->last_ms && elapsed_ms - w->last_ms < 1000))
		return true;
	w->last_ms = elapsed_ms;
	if (!w->side && conn_open_sibling(w->main, &w->side, NULL) != TC_OK)
		return true;
	char pid[16];
	snprintf(pid, sizeof pid, "%d", conn_backend_pid(w->main));
	const char *params[] = {pid};
	db_rows rows;
	if (db_query(w->side,
		     "SELECT l.mode, coalesce(l.relation::regclass::text, l.locktype), b.pid,"
		     " coalesce(nullif(b.application_name, ''), '?'), coalesce(b.usename, '?'),"
		     " coalesce(host(b.client_addr), 'local socket'), coalesce(b.state, '?'),"
		     " coalesce(to_char(b.xact_start, 'HH24:MI:SS'), '-')"
		     " FROM pg_catalog.pg_locks l"
		     " CROSS JOIN LATERAL unnest(pg_catalog.pg_blocking_pids(l.pid)) AS bp(pid)"
		     " JOIN pg_catalog.pg_stat_activity b ON b.pid = bp.pid"
		     " WHERE l.pid = $1::int AND NOT l.granted LIMIT 1",
		     1, params, &rows, NULL) == TC_OK) {
		if (rows.nrows) {
			free(w->blocker);
			w->blocker = xasprintf("%s on %s, held by pid %s (%s, user %s, from %s, %s, "
					       "transaction since %s)",
					       db_get(&rows, 0, 0), db_get(&rows, 0, 1),
					       db_get(&rows, 0, 2), db_get(&rows, 0, 3),
					       db_get(&rows, 0, 4), db_get(&rows, 0, 5),
					       db_get(&rows, 0, 6), db_get(&rows, 0, 7));
		}
		db_rows_free(&rows);
	}
	return true;
}

static void watcher_done(watcher *w)
{
	conn_close(w->side);
	free(w->blocker);
	memset(w, 0, sizeof *w);
}

static void progress(const mig_run_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void progress(const mig_run_opts *o, const char *fmt, ...)
{
	if (!o->progress)
		return;
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	o->progress(o->progress_ctx, sb_str(&sb));
	sb_free(&sb);
}

static void report_add(mig_report *rep, const mig_entry *e, mig_action a, const char *outcome,
		       long ms, size_t stmts, long rows)
{
	rep->v = xgrow(rep->v, &rep->cap, rep->n + 1, sizeof *rep->v);
	mig_done *d = &rep->v[rep->n++];
	d->version = xstrdup(e->version);
	d->name = xstrdup(e->name ? e->name : "");
	d->action = a;
	d->outcome = xstrdup(outcome);
	d->duration_ms = ms;
	d->statements = stmts;
	d->rows = rows;
}

void mig_report_free(mig_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].version);
		free(r->v[i].name);
		free(r->v[i].outcome);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

static tc_status simple(tc_conn *c, const char *sql, tc_error *err)
{
	return db_exec(c, sql, 0, NULL, NULL, err);
}

static void rollback_quietly(tc_conn *c)
{
	db_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
}

static tc_status audit(tc_conn *c, bool have_log, const char *command, const char *target,
		       long rows, const char *outcome, tc_error *err)
{
	if (!have_log)
		return TC_OK;
	oplog_entry e = {command ? command : "tenantctl migrate", target, rows, outcome};
	return oplog_append(c, &e, err);
}

/* The key a migration has in the history: repeatables by name. */
static char *history_key(const mig_file *f)
{
	return f->repeatable ? xasprintf("R__%s", f->name) : xstrdup(f->version);
}

/* Split a section, with errors pointing at the file's own lines. */
static tc_status split_section(tc_conn *c, const mig_file *f, bool up, sql_script *s,
			       tc_error *err)
{
	tc_status rc = sql_split(up ? f->up_sql : f->down_sql, conn_server_version(c), s, err);
	if (rc != TC_OK)
		tc_error_prefix(err, "%s (%s section from line %d): ", up ? f->up_path : f->down_path,
				up ? "up" : "down", up ? f->up_line : f->down_line);
	return rc;
}

static size_t count_runnable(const sql_script *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!(s->stmts[i].flags & SQL_TX_CONTROL))
			n++;
	return n;
}

/* The applied entry just below e, for golang-migrate's single current row. */
static const mig_entry *previous_applied(const mig_status *st, const mig_entry *e)
{
	const mig_entry *prev = NULL;
	for (size_t i = 0; i < st->n; i++)
		if (&st->entries[i] != e && mig_entry_applied(&st->entries[i]) &&
		    migsrc_version_cmp(st->entries[i].version, e->version) < 0)
			prev = &st->entries[i];
	return prev;
}

static tc_status record_done(tc_conn *c, const mig_status *st, const mig_step *step,
			     const char *started, long ms, tc_error *err)
{
	const mig_chain *ch = st->chain;
	const mig_entry *e = step->entry;
	if (step->action == MIG_REVERT) {
		tc_status rc = hist_remove(c, ch->hist, ch->table, e->version, err);
		const mig_entry *prev = ch->hist == HIST_GOLANG ? previous_applied(st, e) : NULL;
		if (rc == TC_OK && prev) {
			hist_row r = {.version = (char *)prev->version, .duration_ms = -1};
			rc = hist_record_applied(c, ch->hist, ch->table, &r, err);
		}
		return rc;
	}
	char *key = history_key(e->file);
	char *finished = iso_now();
	hist_row r = {
		.version = key,
		.name = e->file->name,
		.checksum = (char *)e->file->checksum,
		.started_at = (char *)started,
		.finished_at = finished,
		.duration_ms = ms,
		.applied_by = (char *)os_user(),
	};
	tc_status rc = hist_record_applied(c, ch->hist, ch->table, &r, err);
	free(finished);
	free(key);
	return rc;
}

typedef struct run_ctx {
	tc_conn *c;
	const mig_status *st;
	const mig_run_opts *o;
	bool have_log;
	mig_report *rep;
} run_ctx;

static tc_status fail_statement(run_ctx *x, const mig_step *step, const sql_script *s, size_t k,
				size_t nrun, bool no_tx, const char *started, watcher *w,
				tc_error *err)
{
	const mig_entry *e = step->entry;
	const mig_file *f = e->file;
	bool up = step->action == MIG_APPLY;
	int line = (up ? f->up_line : f->down_line) + s->stmts[k].line - 1;
	const char *path = up ? f->up_path : f->down_path;
	bool lock_timeout = err->sqlstate && strcmp(err->sqlstate, "55P03") == 0;
	char *server = xstrdup(err->message);
	strbuf msg = STRBUF_INIT;
	sb_addf(&msg, "%s of %s (%s) failed at statement %zu of %zu (%s:%d): %s",
		up ? "applying" : "reverting", e->version, e->name ? e->name : "", nrun,
		count_runnable(s), path, line, server);
	if (lock_timeout)
		sb_addf(&msg, "; it waited for %s", w->blocker ? w->blocker : "a lock another session holds");
	tc_status rc = TC_ERR_DB;
	char *saved_hint = err->hint ? xstrdup(err->hint) : NULL;
	tc_fail(err, rc, "%s", sb_str(&msg));
	if (!no_tx) {
		rollback_quietly(x->c);
		if (lock_timeout)
			tc_hint(err, "nothing was applied (the transaction was rolled back); run it again "
				     "when the lock is released%s",
				w->blocker ? ", or end the holder if it is stuck" : "");
		else if (saved_hint)
			tc_hint(err, "nothing was applied (the transaction was rolled back); %s", saved_hint);
		else
			tc_hint(err, "nothing was applied (the transaction was rolled back)");
	} else {
		/* Statements before this one took effect and stay: record exactly
		 * where it stopped so the operator can settle it. */
		hist_row r = {
			.version = (char *)e->version,
			.name = f->name,
			.checksum = (char *)f->checksum,
			.started_at = (char *)started,
			.duration_ms = -1,
			.applied_by = (char *)os_user(),
			.failed = true,
			.failed_statement = (int)nrun,
			.error = server,
		};
		tc_error e2 = TC_ERROR_INIT;
		char *outcome = xasprintf("failed at statement %zu", nrun);
		if (hist_record_failed(x->c, x->st->chain->hist, x->st->chain->table, &r, &e2) != TC_OK ||
		    audit(x->c, x->have_log, x->o->command, e->version, -1, outcome, &e2) != TC_OK)
			sb_addf(&msg, " (and recording the failure failed too: %s)", e2.message);
		tc_error_clear(&e2);
		free(outcome);
		tc_hint(err, "this migration runs outside a transaction: statements 1 to %zu took effect "
			     "and stay. Fix the cause, finish it by hand, then run `tenantctl migrate "
			     "resolve %s --applied`; or undo it by hand, then `tenantctl migrate resolve "
			     "%s --rolled-back`",
			nrun - 1, e->version, e->version);
	}
	report_add(x->rep, e, step->action, "failed", -1, nrun, 0);
	free(saved_hint);
	free(server);
	sb_free(&msg);
	return rc;
}

static tc_status run_step(run_ctx *x, const mig_step *step, tc_error *err)
{
	const mig_entry *e = step->entry;
	const mig_file *f = e->file;
	bool up = step->action == MIG_APPLY;
	sql_script s = {0};
	tc_status rc = split_section(x->c, f, up, &s, err);
	if (rc != TC_OK)
		return rc;
	bool no_tx = (up ? f->no_tx : f->down_no_tx) || sql_needs_no_tx(&s);
	if (no_tx && count_runnable(&s) != s.n) {
		sql_script_free(&s);
		tc_fail(err, TC_ERR_USAGE, "%s: the %s section has its own BEGIN/COMMIT and also runs "
					   "outside a transaction",
			up ? f->up_path : f->down_path, up ? "up" : "down");
		tc_hint(err, "remove the BEGIN/COMMIT lines: tenantctl wraps each migration in a "
			     "transaction unless it cannot run in one");
		return TC_ERR_USAGE;
	}
	progress(x->o, "%s %s %s%s", up ? "applying" : "reverting", e->version, e->name ? e->name : "",
		 no_tx ? " (outside a transaction, one statement at a time)" : "");
	char *started = iso_now();
	long t0 = now_ms();
	watcher w = {.main = x->c};
	long rows = 0;
	size_t nrun = 0;
	if (!no_tx)
		rc = simple(x->c, "BEGIN", err);
	for (size_t k = 0; rc == TC_OK && k < s.n; k++) {
		/* The file's own BEGIN/COMMIT: we already hold a transaction. */
		if (s.stmts[k].flags & SQL_TX_CONTROL)
			continue;
		nrun++;
		db_outcome out;
		rc = db_exec_watched(x->c, s.stmts[k].text, 200, watch_tick, &w, &out, err);
		if (rc != TC_OK) {
			rc = fail_statement(x, step, &s, k, nrun, no_tx, started, &w, err);
			break;
		}
		rows += out.rows;
		free(out.tag);
	}
	if (rc == TC_OK) {
		long ms = now_ms() - t0;
		if (no_tx)
			rc = simple(x->c, "BEGIN", err);
		char *target = xasprintf("migration %s %s", e->version, e->name ? e->name : "");
		if (rc == TC_OK)
			rc = record_done(x->c, x->st, step, started, ms, err);
		if (rc == TC_OK)
			rc = audit(x->c, x->have_log, x->o->command, target, rows,
				   up ? "applied" : "reverted", err);
		if (rc == TC_OK)
			rc = simple(x->c, "COMMIT", err);
		else
			rollback_quietly(x->c);
		free(target);
		if (rc == TC_OK) {
			report_add(x->rep, e, step->action, up ? "applied" : "reverted", ms, nrun, rows);
			progress(x->o, "  ok (%ld ms, %zu statement%s, %ld row%s)", ms, nrun,
				 nrun == 1 ? "" : "s", rows, rows == 1 ? "" : "s");
		}
	}
	watcher_done(&w);
	free(started);
	sql_script_free(&s);
	return rc;
}

tc_status mig_run(tc_conn *c, const mig_chain *chain, const mig_run_opts *o, mig_report *rep,
		  tc_error *err)
{
	memset(rep, 0, sizeof *rep);
	tc_status rc = TC_OK;
	if (!o->dry_run) {
		rc = lock_acquire(c, chain, o->lock_wait_s, err);
		if (rc != TC_OK)
			return rc;
	}
	mig_status st = {0};
	mig_plan plan = {0};
	rc = mig_status_load(c, chain, &st, err);
	if (rc == TC_OK)
		rc = mig_plan_make(&st, o, &plan, err);
	if (rc == TC_OK && o->dry_run) {
		for (size_t i = 0; i < plan.n; i++)
			report_add(rep, plan.steps[i].entry, plan.steps[i].action, "planned", -1, 0, 0);
	} else if (rc == TC_OK && plan.n) {
		run_ctx x = {c, &st, o, false, rep};
		rc = hist_ensure(c, chain->hist, chain->table, err);
		if (rc == TC_OK)
			rc = oplog_available(c, &x.have_log, err);
		for (size_t i = 0; rc == TC_OK && i < plan.n; i++)
			rc = run_step(&x, &plan.steps[i], err);
	}
	mig_plan_free(&plan);
	mig_status_free(&st);
	if (!o->dry_run)
		lock_release(c, chain);
	return rc;
}

/* ================================================================ preview */

static void preview_add(mig_preview *p, const char *what, const char *kind, const char *object,
			long rows, const char *detail)
{
	p->rows = xgrow(p->rows, &p->cap, p->n + 1, sizeof *p->rows);
	mig_preview_row *r = &p->rows[p->n++];
	r->what = xstrdup(what);
	r->kind = xstrdup(kind ? kind : "");
	r->object = xstrdup(object ? object : "");
	r->rows = rows;
	r->detail = xstrdup(detail ? detail : "");
}

/* What the migration changed, from the drift engine: the schema after the
 * statements is compared with the schema before them. */
static void preview_changes(mig_preview *p, const sch_model *before, const sch_model *after)
{
	drift_report r;
	if (drift_compare(after, before, NULL, &r, NULL) != TC_OK)
		return;
	for (size_t i = 0; i < r.n; i++) {
		const drift_item *it = &r.items[i];
		if (it->info)
			continue;
		static const char *const what[] = {"dropped", "added", "changed"};
		strbuf d = STRBUF_INIT;
		if (it->attribute)
			sb_addf(&d, "%s: %s -> %s", it->attribute, it->reference ? it->reference : "(none)",
				it->live ? it->live : "(none)");
		preview_add(p, what[it->status], it->kind, it->object, -1, sb_str(&d));
		sb_free(&d);
	}
	drift_report_free(&r);
}

/* The first line of a statement, for showing it in a table cell. */
static char *first_line(const char *text)
{
	size_t n = strcspn(text, "\n");
	return n > 100 ? xasprintf("%.97s...", text) : xasprintf("%.*s%s", (int)n, text,
								 text[n] ? " ..." : "");
}

static const mig_entry *preview_target(const mig_status *st, const char *version, tc_error *err)
{
	for (size_t i = 0; i < st->n; i++) {
		const mig_entry *e = &st->entries[i];
		if (!e->file)
			continue;
		if (version ? migsrc_version_cmp(e->version, version) == 0 && !e->file->repeatable
			    : mig_entry_pending(e))
			return e;
	}
	if (version)
		tc_fail(err, TC_ERR_USAGE, "no migration file with version %s in %s", version,
			st->dir.dir);
	else
		tc_fail(err, TC_ERR_USAGE, "nothing is pending in %s: there is no next migration to "
					   "preview", st->dir.dir);
	tc_hint(err, "name one: `tenantctl migrate preview VERSION`");
	return NULL;
}

tc_status mig_preview_run(tc_conn *c, const mig_chain *chain, const char *version,
			  const char *command, mig_preview *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	mig_status st;
	tc_status rc = mig_status_load(c, chain, &st, err);
	if (rc != TC_OK)
		return rc;
	const mig_entry *e = preview_target(&st, version, err);
	if (!e) {
		mig_status_free(&st);
		return TC_ERR_USAGE;
	}
	const mig_file *f = e->file;
	out->version = xstrdup(e->version);
	out->name = xstrdup(f->name);
	sql_script s = {0};
	rc = split_section(c, f, true, &s, err);
	if (rc == TC_OK && (f->no_tx || sql_needs_no_tx(&s))) {
		/* CREATE INDEX CONCURRENTLY and friends cannot run in the transaction
		 * a preview rolls back: list them, run nothing. */
		out->no_tx = true;
		for (size_t k = 0; k < s.n; k++) {
			char *obj = xasprintf("#%zu line %d", k + 1, f->up_line + s.stmts[k].line - 1);
			char *text = first_line(s.stmts[k].text);
			preview_add(out, "not run", (s.stmts[k].flags & SQL_NO_TX) ? "no transaction" : "",
				    obj, -1, text);
			free(obj);
			free(text);
		}
	} else if (rc == TC_OK) {
		sch_model before = {0}, after = {0};
		catalog_opts cat = {.in_transaction = true};
		/* READ WRITE explicitly: a read-only session may preview, since
		 * everything is rolled back. */
		rc = simple(c, "BEGIN READ WRITE", err);
		if (rc == TC_OK)
			rc = catalog_read(c, &cat, &before, err);
		size_t nrun = 0;
		watcher w = {.main = c};
		for (size_t k = 0; rc == TC_OK && k < s.n; k++) {
			if (s.stmts[k].flags & SQL_TX_CONTROL)
				continue;
			nrun++;
			db_outcome res;
			rc = db_exec_watched(c, s.stmts[k].text, 200, watch_tick, &w, &res, err);
			if (rc != TC_OK) {
				tc_error_prefix(err, "preview of %s: statement %zu (%s:%d) failed: ",
						e->version, nrun, f->up_path,
						f->up_line + s.stmts[k].line - 1);
				tc_hint(err, "nothing was changed (the preview was rolled back); the "
					     "migration would fail the same way");
				break;
			}
			char *obj = xasprintf("#%zu line %d", nrun, f->up_line + s.stmts[k].line - 1);
			char *text = first_line(s.stmts[k].text);
			preview_add(out, "statement", res.tag, obj, res.rows, text);
			free(obj);
			free(text);
			free(res.tag);
		}
		watcher_done(&w);
		if (rc == TC_OK)
			rc = catalog_read(c, &cat, &after, err);
		rollback_quietly(c);
		if (rc == TC_OK)
			preview_changes(out, &before, &after);
		sch_free(&before);
		sch_free(&after);
	}
	bool have_log = false;
	if (rc == TC_OK && oplog_available(c, &have_log, NULL) == TC_OK && have_log) {
		/* The audit row outlives the rolled-back preview; in a read-only
		 * session this small transaction is opened READ WRITE, and says so. */
		char *cmd = xasprintf("%s%s", command ? command : "tenantctl migrate preview",
				      conn_writable(c) ? "" : " (read-only session: preview and this "
							      "audit row written READ WRITE)");
		char *target = xasprintf("migration %s %s", e->version, f->name);
		tc_status a = simple(c, "BEGIN READ WRITE", err);
		if (a == TC_OK)
			a = audit(c, true, cmd, target, -1, "preview (rolled back)", err);
		if (a == TC_OK)
			a = simple(c, "COMMIT", err);
		else
			rollback_quietly(c);
		rc = a;
		free(cmd);
		free(target);
	}
	sql_script_free(&s);
	mig_status_free(&st);
	if (rc != TC_OK)
		mig_preview_free(out);
	return rc;
}

void mig_preview_free(mig_preview *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->rows[i].what);
		free(p->rows[i].kind);
		free(p->rows[i].object);
		free(p->rows[i].detail);
	}
	free(p->rows);
	free(p->version);
	free(p->name);
	memset(p, 0, sizeof *p);
}

/* ================================================================ adopt, resolve */

static const mig_file *file_for(const mig_dir *d, const char *version)
{
	for (size_t i = 0; i < d->n; i++)
		if (!d->files[i].repeatable && migsrc_version_cmp(d->files[i].version, version) == 0)
			return &d->files[i];
	return NULL;
}

static bool own_has(const hist_set *own, const char *key)
{
	for (size_t i = 0; i < own->n; i++)
		if (strcmp(own->rows[i].version, key) == 0)
			return true;
	return false;
}

/* Record one adopted version in tenantctl's table. */
static tc_status adopt_one(tc_conn *c, const mig_chain *ch, const hist_set *own, const mig_dir *d,
			   const hist_row *src, const char *version, size_t *adopted,
			   size_t *skipped, tc_error *err)
{
	const mig_file *f = *version ? file_for(d, version) : NULL;
	char *key = *version ? xstrdup(version) : xasprintf("R__%s", src && src->name ? src->name : "");
	if (own_has(own, key)) {
		(*skipped)++;
		free(key);
		return TC_OK;
	}
	hist_row r = {
		.version = key,
		.name = f ? f->name : (src && src->name ? src->name : ""),
		.checksum = f ? (char *)f->checksum : (src && src->checksum ? src->checksum : ""),
		.started_at = src ? src->started_at : NULL,
		.finished_at = src ? src->finished_at : NULL,
		.duration_ms = src ? src->duration_ms : -1,
		.applied_by = src && src->applied_by ? src->applied_by : (char *)os_user(),
		.failed = src && src->failed,
		.failed_statement = src ? src->failed_statement : 0,
		.error = src ? src->error : NULL,
	};
	tc_status rc = r.failed ? hist_record_failed(c, ch->hist, ch->table, &r, err)
				: hist_record_applied(c, ch->hist, ch->table, &r, err);
	if (rc == TC_OK)
		(*adopted)++;
	free(key);
	return rc;
}

tc_status mig_adopt(tc_conn *c, const mig_chain *chain, hist_kind from, const char *command,
		    size_t *adopted, size_t *skipped, tc_error *err)
{
	*adopted = *skipped = 0;
	if (chain->hist != HIST_TENANTCTL) {
		tc_fail(err, TC_ERR_USAGE, "chain '%s' keeps its history in %s's table %s already",
			chain->name, hist_kind_name(chain->hist), chain->table);
		tc_hint(err, "adoption imports into tenantctl's own table: remove `history` from the "
			     "target to use it");
		return TC_ERR_USAGE;
	}
	if (from == HIST_TENANTCTL || from == HIST_ALEMBIC) {
		tc_fail(err, TC_ERR_USAGE, from == HIST_ALEMBIC
						   ? "alembic's revisions map to no migration file: its "
						     "history is shown read-only"
						   : "adopt imports another tool's history");
		tc_hint(err, "use --from dbmate, golang-migrate, flyway or prisma");
		return TC_ERR_USAGE;
	}
	tc_status rc = lock_acquire(c, chain, 0, err);
	if (rc != TC_OK)
		return rc;
	hist_set src = {0}, own = {0};
	mig_dir d = {0};
	bool have_log = false;
	rc = hist_read(c, from, hist_default_table(from), &src, err);
	if (rc == TC_OK && !src.n) {
		rc = tc_fail(err, TC_ERR_USAGE, "no %s history to adopt: %s %s", hist_kind_name(from),
			     hist_default_table(from), src.exists ? "is empty" : "does not exist");
		tc_hint(err, "`tenantctl migrate status` shows which history the database has");
	}
	if (rc == TC_OK)
		rc = migsrc_load(chain->dir, chain->format, &d, err);
	if (rc == TC_OK)
		rc = hist_ensure(c, HIST_TENANTCTL, chain->table, err);
	if (rc == TC_OK)
		rc = hist_read(c, HIST_TENANTCTL, chain->table, &own, err);
	if (rc == TC_OK)
		rc = oplog_available(c, &have_log, err);
	if (rc == TC_OK)
		rc = simple(c, "BEGIN", err);
	if (rc == TC_OK && from == HIST_GOLANG) {
		/* golang-migrate keeps only the current version: everything up to it
		 * counts as applied. */
		const hist_row *cur = &src.rows[0];
		bool cur_done = false;
		for (size_t i = 0; rc == TC_OK && i < d.n; i++)
			if (!d.files[i].repeatable &&
			    migsrc_version_cmp(d.files[i].version, cur->version) <= 0) {
				bool is_cur = migsrc_version_cmp(d.files[i].version, cur->version) == 0;
				cur_done |= is_cur;
				rc = adopt_one(c, chain, &own, &d, is_cur ? cur : NULL, d.files[i].version,
					       adopted, skipped, err);
			}
		for (size_t i = 0; rc == TC_OK && !cur_done && i < src.n; i++)
			rc = adopt_one(c, chain, &own, &d, &src.rows[i], src.rows[i].version, adopted,
				       skipped, err);
	} else {
		for (size_t i = 0; rc == TC_OK && i < src.n; i++)
			rc = adopt_one(c, chain, &own, &d, &src.rows[i], src.rows[i].version, adopted,
				       skipped, err);
	}
	if (rc == TC_OK) {
		char *target = xasprintf("%s history %s -> %s", hist_kind_name(from),
					 hist_default_table(from), chain->table);
		rc = audit(c, have_log, command, target, (long)*adopted, "adopted", err);
		free(target);
	}
	if (rc == TC_OK)
		rc = simple(c, "COMMIT", err);
	else
		rollback_quietly(c);
	hist_free(&src);
	hist_free(&own);
	migsrc_free(&d);
	lock_release(c, chain);
	return rc;
}

tc_status mig_resolve(tc_conn *c, const mig_chain *chain, const char *version, bool applied,
		      const char *command, tc_error *err)
{
	tc_status rc = lock_acquire(c, chain, 0, err);
	if (rc != TC_OK)
		return rc;
	mig_status st;
	rc = mig_status_load(c, chain, &st, err);
	if (rc != TC_OK) {
		lock_release(c, chain);
		return rc;
	}
	const mig_entry *e = NULL;
	for (size_t i = 0; i < st.n; i++)
		if (migsrc_version_cmp(st.entries[i].version, version) == 0)
			e = &st.entries[i];
	bool have_log = false;
	if (!e) {
		rc = tc_fail(err, TC_ERR_USAGE, "no migration %s", version);
	} else if (e->state != MS_FAILED) {
		rc = tc_fail(err, TC_ERR_REFUSED, "migration %s is %s, not failed: there is nothing to "
						  "resolve", version, mig_state_name(e->state));
		tc_hint(err, "resolve settles a migration that failed outside a transaction");
	} else {
		rc = oplog_available(c, &have_log, err);
		if (rc == TC_OK)
			rc = simple(c, "BEGIN", err);
		if (rc == TC_OK && applied) {
			hist_row r = {
				.version = (char *)e->version,
				.name = e->file ? e->file->name : e->hist->name,
				.checksum = e->file ? (char *)e->file->checksum : e->hist->checksum,
				.started_at = e->hist->started_at,
				.duration_ms = -1,
				.applied_by = (char *)os_user(),
			};
			rc = hist_record_applied(c, chain->hist, chain->table, &r, err);
		} else if (rc == TC_OK) {
			rc = hist_remove(c, chain->hist, chain->table, e->version, err);
		}
		if (rc == TC_OK) {
			char *target = xasprintf("migration %s", e->version);
			rc = audit(c, have_log, command, target, 1,
				   applied ? "resolved as applied" : "resolved as rolled back", err);
			free(target);
		}
		if (rc == TC_OK)
			rc = simple(c, "COMMIT", err);
		else
			rollback_quietly(c);
	}
	mig_status_free(&st);
	lock_release(c, chain);
	return rc;
}
