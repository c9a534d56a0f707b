/* The console's worker thread against a real server: command jobs through
 * the command table (results, usage errors, the read-only gate, help),
 * shell-like splitting, Ctrl-C (PQcancel) of a running query and of the
 * queue, the confirm bridge, progress, and a lost connection with its
 * reconnect.
 *
 * Waiting is poll() on worker_fd() with a long timeout that only guards
 * against a hang: no assertion depends on how fast anything is. */
#include "config.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "cmdtab.h"
#include "conn.h"
#include "db.h"
#include "dbtest.h"
#include "session.h"
#include "strbuf.h"
#include "worker.h"
#include "xalloc.h"

/* Only a hang guard (see the top of the file). */
#define HANG_GUARD_MS 60000

/* ------------------------------------------------------------ helpers */

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("expected '%s' in: %s", needle, hay ? hay : "(null)");
}

static tc_session *open_session(const char *dsn, bool write)
{
	cmd_globals g = {0};
	g.dsn = (char *)dsn;
	g.write = write;
	tc_session *s = NULL;
	tc_error err = TC_ERROR_INIT;
	if (session_open(&g, NULL, NULL, &s, &err) != TC_OK)
		fail_msg("session_open: %s", err.message);
	return s;
}

/* The next event, waiting for it. */
static worker_event wait_event(worker *w)
{
	for (;;) {
		worker_event ev = worker_next(w);
		if (ev.kind != WE_NONE)
			return ev;
		struct pollfd pfd = {worker_fd(w), POLLIN, 0};
		if (poll(&pfd, 1, HANG_GUARD_MS) == 0)
			fail_msg("no event from the worker in %d s", HANG_GUARD_MS / 1000);
	}
}

/* The next finished job (taken over by the caller), skipping progress
 * lines; a question fails the test. */
static worker_job *wait_done(worker *w)
{
	for (;;) {
		worker_event ev = wait_event(w);
		if (ev.kind == WE_DONE) {
			worker_job *j = ev.job;
			ev.job = NULL;
			worker_event_free(&ev);
			return j;
		}
		if (ev.kind == WE_CONFIRM)
			fail_msg("unexpected question from the worker: %s", ev.text);
		worker_event_free(&ev);
	}
}

static worker_job *run_line(worker *w, const char *line)
{
	tc_error err = TC_ERROR_INIT;
	worker_job *j = worker_job_cmd(line, 7, NULL, &err);
	if (!j)
		fail_msg("'%s' does not split: %s", line, err.message);
	worker_submit(w, j);
	return wait_done(w);
}

static worker_job *run_fn(worker *w, worker_fn fn, void *ctx)
{
	worker_submit(w, worker_job_fn(fn, ctx, 3, NULL));
	return wait_done(w);
}

static void assert_ok(const worker_job *j)
{
	if (j->status != TC_OK)
		fail_msg("job failed (%d): %s", (int)j->status, j->error ? j->error : "(no message)");
	assert_null(j->error);
	assert_false(j->cancelled);
	assert_false(j->lost);
}

/* ------------------------------------------------------------ job bodies */

static tc_status backend_pid_fn(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	(void)out;
	tc_conn *c;
	tc_status st = session_conn(s, &c, err);
	if (st == TC_OK)
		*(int *)ctx = conn_backend_pid(c);
	return st;
}

static tc_status sql_fn(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	tc_conn *c;
	tc_status st = session_conn(s, &c, err);
	if (st != TC_OK)
		return st;
	db_rows rows = DB_ROWS_INIT;
	st = db_query(c, ctx, 0, NULL, &rows, err);
	if (st == TC_OK) {
		res_init(out, RES_RECORD);
		res_add_col(out, "value", RES_T_TEXT);
		res_set(out, res_add_row(out), 0, db_get(&rows, 0, 0));
	}
	db_rows_free(&rows);
	return st;
}

static tc_status count_fn(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	(void)s;
	(void)out;
	(void)err;
	++*(int *)ctx;
	return TC_OK;
}

typedef struct asked {
	const char *preview;
	int answers; /* how many times session_confirm returned */
	bool yes;    /* what it returned last */
} asked;

static tc_status confirm_fn(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	(void)out;
	(void)err;
	asked *a = ctx;
	a->yes = session_confirm(s, a->preview);
	a->answers++;
	return TC_OK;
}

static tc_status progress_fn(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	(void)ctx;
	(void)out;
	(void)err;
	void *pctx;
	session_progress_fn fn = session_progress(s, &pctx);
	if (!fn)
		return tc_fail(err, TC_ERR_USAGE, "no progress callback on the worker's session");
	fn(pctx, "first line");
	fn(pctx, "second line");
	return TC_OK;
}

/* Wait, from the test's own connection, until `pid` runs pg_sleep: a cancel
 * sent before the query starts would find the backend idle. */
static void wait_sleeping(const char *dsn, int pid)
{
	char *sql = xasprintf("SELECT count(*) FROM pg_stat_activity WHERE pid = %d AND "
			      "state = 'active' AND query LIKE '%%pg_sleep%%'",
			      pid);
	for (int i = 0; i < HANG_GUARD_MS / 10; i++) {
		char *n = dbtest_scalar(dsn, sql);
		bool running = n && strcmp(n, "1") == 0;
		free(n);
		if (running) {
			free(sql);
			return;
		}
		usleep(10000);
	}
	fail_msg("backend %d never started pg_sleep", pid);
}

static void wait_gone(const char *dsn, int pid)
{
	char *sql = xasprintf("SELECT count(*) FROM pg_stat_activity WHERE pid = %d", pid);
	for (int i = 0; i < HANG_GUARD_MS / 10; i++) {
		char *n = dbtest_scalar(dsn, sql);
		bool gone = n && strcmp(n, "0") == 0;
		free(n);
		if (gone) {
			free(sql);
			return;
		}
		usleep(10000);
	}
	fail_msg("backend %d never went away", pid);
}

static char *migrations_dir(void)
{
	const char *src = getenv("TC_SRCDIR");
	return xasprintf("%s/db/migrations", src ? src : ".");
}

/* ------------------------------------------------------------ splitting */

static void command_lines_split_like_a_shell(void **state)
{
	(void)state;
	tc_error err = TC_ERROR_INIT;
	worker_job *j = worker_job_cmd("  orgs  'a b' \"c \\\" d\\\\\" e\\ f '' g\"h\"'i'\t",
				       5, &err, &err);
	assert_non_null(j);
	const char *want[] = {"orgs", "a b", "c \" d\\", "e f", "", "ghi", NULL};
	for (size_t i = 0; want[i]; i++) {
		assert_non_null(j->argv[i]);
		assert_string_equal(j->argv[i], want[i]);
	}
	assert_null(j->argv[6]);
	assert_int_equal(j->tag, 5);
	assert_ptr_equal(j->owner, &err);
	assert_null(j->fn);
	worker_job_free(j);

	/* Inside single quotes a backslash is itself. */
	j = worker_job_cmd("x 'a\\b'", 0, NULL, &err);
	assert_non_null(j);
	assert_string_equal(j->argv[1], "a\\b");
	worker_job_free(j);

	j = worker_job_cmd("   ", 0, NULL, &err);
	assert_non_null(j);
	assert_null(j->argv[0]);
	worker_job_free(j);

	assert_null(worker_job_cmd("orgs search 'acme", 0, NULL, &err));
	assert_int_equal(err.status, TC_ERR_USAGE);
	assert_contains(err.message, "unclosed single quote at column 13");
	tc_error_clear(&err);
	assert_null(worker_job_cmd("orgs search \"acme", 0, NULL, &err));
	assert_contains(err.message, "unclosed double quote");
	tc_error_clear(&err);
	assert_null(worker_job_cmd("orgs search acme\\", 0, NULL, &err));
	assert_contains(err.message, "backslash");
	tc_error_clear(&err);

	const char *words[] = {"migrate", "status", NULL};
	j = worker_job_argv(words, 1, NULL);
	assert_string_equal(j->argv[0], "migrate");
	assert_string_equal(j->argv[1], "status");
	assert_null(j->argv[2]);
	assert_ptr_not_equal(j->argv[0], words[0]);
	worker_job_free(j);
}

/* ------------------------------------------------------------ command jobs */

static void command_job_returns_the_commands_result(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);
	assert_non_null(w);
	assert_false(worker_busy(w));
	assert_int_equal(worker_running_ms(w), -1);

	char *dir = migrations_dir();
	char *line = xasprintf("migrate status --dir '%s'", dir);
	int owner;
	tc_error err = TC_ERROR_INIT;
	worker_job *j = worker_job_cmd(line, 42, &owner, &err);
	assert_non_null(j);
	worker_submit(w, j);
	j = wait_done(w);
	assert_ok(j);
	assert_int_equal(j->tag, 42);
	assert_ptr_equal(j->owner, &owner);
	assert_true(j->result.kind == RES_TABLE || j->result.kind == RES_RECORD);
	assert_true(j->result.ncols > 0);
	/* Every reference migration is pending on an empty database. */
	assert_true(j->result.nrows >= 8);
	assert_true(j->elapsed_ms >= 0);
	worker_job_free(j);

	j = run_line(w, "info");
	assert_ok(j);
	assert_int_equal(j->result.kind, RES_RECORD);
	assert_int_equal(j->result.nrows, 1);
	worker_job_free(j);
	assert_false(worker_busy(w));
	assert_int_equal(worker_running_ms(w), -1);

	worker_stop(w);
	session_close(s);
	free(line);
	free(dir);
	free(dsn);
}

static void bad_command_lines_give_usage_errors(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);

	worker_job *j = run_line(w, "orgs frobnicate");
	assert_int_equal(j->status, TC_ERR_USAGE);
	assert_contains(j->error, "unknown command 'orgs frobnicate'");
	assert_non_null(j->hint);
	assert_int_equal(j->result.kind, RES_EMPTY);
	assert_false(j->lost);
	worker_job_free(j);

	/* argv[0] is a command word, not a program name. */
	j = run_line(w, "tenantctl info");
	assert_int_equal(j->status, TC_ERR_USAGE);
	assert_contains(j->error, "unknown command 'tenantctl'");
	worker_job_free(j);

	j = run_line(w, "orgs show");
	assert_int_equal(j->status, TC_ERR_USAGE);
	assert_contains(j->error, "'orgs show' takes SLUG");
	worker_job_free(j);

	j = run_line(w, "info --frob");
	assert_int_equal(j->status, TC_ERR_USAGE);
	assert_contains(j->error, "unknown option '--frob'");
	worker_job_free(j);

	/* What the session is was decided when tenantctl started. */
	const char *fixed[] = {"info -d dbname=other", "info -t prod", "info --write",
			       "--service x info", "info --profile lobu", "info --config /dev/null"};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
		j = run_line(w, fixed[i]);
		assert_int_equal(j->status, TC_ERR_USAGE);
		assert_contains(j->error, "global options cannot change inside the console; "
					  "restart tenantctl with them");
		assert_non_null(j->hint);
		worker_job_free(j);
	}
	/* Output options mean nothing here and do no harm. */
	j = run_line(w, "info --json");
	assert_ok(j);
	worker_job_free(j);

	worker_stop(w);
	session_close(s);
	free(dsn);
}

static void help_comes_back_as_text(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);

	worker_job *j = run_line(w, "");
	assert_ok(j);
	assert_int_equal(j->result.kind, RES_TEXT);
	assert_contains(sb_str(&j->result.text), "migrate status");
	worker_job_free(j);

	j = run_line(w, "--help");
	assert_ok(j);
	assert_int_equal(j->result.kind, RES_TEXT);
	assert_contains(sb_str(&j->result.text), "orgs list");
	worker_job_free(j);

	j = run_line(w, "migrate status --help");
	assert_ok(j);
	assert_int_equal(j->result.kind, RES_TEXT);
	assert_contains(sb_str(&j->result.text), "--dir");
	worker_job_free(j);

	/* The help command itself goes through cmd_run. */
	j = run_line(w, "help orgs show");
	assert_ok(j);
	assert_int_equal(j->result.kind, RES_TEXT);
	assert_contains(sb_str(&j->result.text), "SLUG");
	worker_job_free(j);

	worker_stop(w);
	session_close(s);
	free(dsn);
}

static void writes_are_refused_in_a_read_only_session(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);

	worker_job *j = run_line(w, "orgs create 'Acme Corp'");
	assert_int_equal(j->status, TC_ERR_REFUSED);
	assert_contains(j->error, "read-only");
	assert_contains(j->hint, "--write");
	assert_false(j->cancelled);
	worker_job_free(j);

	char *dir = migrations_dir();
	char *line = xasprintf("migrate step --dir %s", dir);
	j = run_line(w, line);
	assert_int_equal(j->status, TC_ERR_REFUSED);
	worker_job_free(j);
	char *n = dbtest_scalar(dsn, "SELECT count(*) FROM pg_class WHERE relname = 'users'");
	assert_string_equal(n, "0");
	free(n);

	worker_stop(w);
	session_close(s);
	free(line);
	free(dir);
	free(dsn);
}

/* ------------------------------------------------------------ progress */

static void progress_lines_come_before_the_result(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);

	worker_submit(w, worker_job_fn(progress_fn, NULL, 9, NULL));
	worker_event ev = wait_event(w);
	assert_int_equal(ev.kind, WE_PROGRESS);
	assert_string_equal(ev.text, "first line");
	worker_event_free(&ev);
	ev = wait_event(w);
	assert_int_equal(ev.kind, WE_PROGRESS);
	assert_string_equal(ev.text, "second line");
	worker_event_free(&ev);
	ev = wait_event(w);
	assert_int_equal(ev.kind, WE_DONE);
	assert_int_equal(ev.job->tag, 9);
	assert_int_equal(ev.job->status, TC_OK);
	worker_event_free(&ev);
	assert_null(ev.job);

	/* A real command's progress: applying a migration in a write session. */
	tc_session *ws = open_session(dsn, true);
	worker *ww = worker_start(ws);
	char *dir = migrations_dir();
	char *line = xasprintf("migrate step --dir %s", dir);
	tc_error err = TC_ERROR_INIT;
	worker_submit(ww, worker_job_cmd(line, 1, NULL, &err));
	int progress = 0;
	for (;;) {
		ev = wait_event(ww);
		assert_int_not_equal(ev.kind, WE_CONFIRM);
		if (ev.kind == WE_PROGRESS) {
			assert_non_null(ev.text);
			progress++;
		}
		if (ev.kind == WE_DONE) {
			assert_ok(ev.job);
			worker_event_free(&ev);
			break;
		}
		worker_event_free(&ev);
	}
	assert_true(progress > 0);
	char *n = dbtest_scalar(dsn, "SELECT count(*) FROM pg_class WHERE relname = 'users'");
	assert_string_equal(n, "1");
	free(n);
	worker_stop(ww);
	session_close(ws);

	worker_stop(w);
	session_close(s);
	free(line);
	free(dir);
	free(dsn);
}

/* Events left in the queue keep the pipe readable, for an event loop that
 * takes one event per wakeup. */
static void the_pipe_stays_readable_while_events_wait(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);

	worker_submit(w, worker_job_fn(progress_fn, NULL, 0, NULL));
	/* Not busy means the WE_DONE is queued, and so are the lines before it. */
	for (int i = 0; worker_busy(w); i++) {
		if (i > HANG_GUARD_MS)
			fail_msg("the job never finished");
		usleep(1000);
	}
	for (int k = 0; k < 3; k++) {
		struct pollfd pfd = {worker_fd(w), POLLIN, 0};
		assert_int_equal(poll(&pfd, 1, 0), 1);
		worker_event ev = worker_next(w);
		assert_int_equal(ev.kind, k < 2 ? WE_PROGRESS : WE_DONE);
		worker_event_free(&ev);
	}
	struct pollfd pfd = {worker_fd(w), POLLIN, 0};
	assert_int_equal(poll(&pfd, 1, 0), 0);
	worker_event ev = worker_next(w);
	assert_int_equal(ev.kind, WE_NONE);

	worker_stop(w);
	session_close(s);
	free(dsn);
}

/* ------------------------------------------------------------ cancel */

static void cancel_stops_the_query_and_drops_the_queue(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);

	int pid = 0;
	worker_job *j = run_fn(w, backend_pid_fn, &pid);
	assert_ok(j);
	worker_job_free(j);
	assert_true(pid > 0);

	int ran = 0;
	worker_submit(w, worker_job_fn(sql_fn, "SELECT pg_sleep(30)", 1, NULL));
	worker_submit(w, worker_job_fn(count_fn, &ran, 2, NULL));
	worker_submit(w, worker_job_argv((const char *const[]){"info", NULL}, 3, NULL));
	wait_sleeping(dsn, pid);
	assert_true(worker_busy(w));
	assert_true(worker_running_ms(w) >= 0);

	worker_cancel(w);
	bool seen[4] = {false};
	for (int k = 0; k < 3; k++) {
		j = wait_done(w);
		assert_true(j->tag >= 1 && j->tag <= 3);
		seen[j->tag] = true;
		assert_true(j->cancelled);
		assert_false(j->lost);
		assert_int_equal(j->result.kind, RES_EMPTY);
		if (j->tag == 1) {
			/* The server's own words: the operator's cancel, not the
			 * statement_timeout (30 s as well). */
			assert_int_equal(j->status, TC_ERR_DB);
			assert_contains(j->error, "canceling statement due to user request");
			assert_non_null(j->sqlstate);
			assert_string_equal(j->sqlstate, "57014");
		} else {
			assert_int_equal(j->status, TC_ERR_REFUSED);
			assert_contains(j->error, "cancelled");
		}
		worker_job_free(j);
	}
	assert_true(seen[1] && seen[2] && seen[3]);
	assert_int_equal(ran, 0);
	assert_false(worker_busy(w));

	/* The connection survived: same backend, and it answers. */
	j = run_fn(w, sql_fn, "SELECT pg_backend_pid()::text");
	assert_ok(j);
	char *want = xasprintf("%d", pid);
	assert_string_equal(res_get(&j->result, 0, 0), want);
	free(want);
	worker_job_free(j);
	j = run_line(w, "info");
	assert_ok(j);
	worker_job_free(j);

	/* Cancelling an idle worker does nothing, and the next job is not hit. */
	worker_cancel(w);
	j = run_fn(w, sql_fn, "SELECT 'still here'");
	assert_ok(j);
	assert_string_equal(res_get(&j->result, 0, 0), "still here");
	worker_job_free(j);

	worker_stop(w);
	session_close(s);
	free(dsn);
}

/* Stopping with a query running and jobs queued cancels, drops and joins. */
static void stop_cancels_the_running_query(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);
	int pid = 0;
	worker_job *j = run_fn(w, backend_pid_fn, &pid);
	worker_job_free(j);
	int ran = 0;
	worker_submit(w, worker_job_fn(sql_fn, "SELECT pg_sleep(30)", 1, NULL));
	worker_submit(w, worker_job_fn(count_fn, &ran, 2, NULL));
	wait_sleeping(dsn, pid);
	worker_stop(w);
	assert_int_equal(ran, 0);
	/* The session is the caller's again, and usable. */
	tc_conn *c;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(session_conn(s, &c, &err), TC_OK);
	db_rows rows = DB_ROWS_INIT;
	assert_int_equal(db_query(c, "SELECT 1", 0, NULL, &rows, &err), TC_OK);
	db_rows_free(&rows);
	session_close(s);
	free(dsn);
}

/* drift reads its reference on a connection of its own: C-c must reach
 * that read too. The reference's view is locked by another session, so the
 * read waits on pg_get_viewdef until cancelled. */
static void cancel_reaches_the_reference_read(void **state)
{
	(void)state;
	char *live = dbtest_new_db();
	char *ref = dbtest_new_db();
	dbtest_exec(ref, "CREATE VIEW public.v AS SELECT 1 AS x");
	PGconn *blocker = PQconnectdb(ref);
	assert_int_equal(PQstatus(blocker), CONNECTION_OK);
	PGresult *r = PQexec(blocker, "BEGIN; LOCK TABLE public.v IN ACCESS EXCLUSIVE MODE");
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);

	tc_session *s = open_session(live, false);
	worker *w = worker_start(s);
	char *line = xasprintf("drift --against '%s'", ref);
	tc_error err = TC_ERROR_INIT;
	worker_submit(w, worker_job_cmd(line, 1, NULL, &err));
	char *waiting = xasprintf("SELECT count(*) FROM pg_stat_activity WHERE datname = '%s' "
				  "AND wait_event_type = 'Lock'",
				  PQdb(blocker));
	bool blocked = false;
	for (int i = 0; i < HANG_GUARD_MS / 10 && !blocked; i++) {
		char *n = dbtest_scalar(live, waiting);
		blocked = n && strcmp(n, "1") == 0;
		free(n);
		if (!blocked)
			usleep(10000);
	}
	assert_true(blocked);
	worker_cancel(w);
	worker_job *j = wait_done(w);
	assert_true(j->cancelled);
	assert_int_not_equal(j->status, TC_OK);
	/* The operator's cancel, not the reference connection's lock_timeout. */
	assert_contains(j->error, "canceling statement due to user request");
	worker_job_free(j);

	r = PQexec(blocker, "ROLLBACK");
	PQclear(r);
	PQfinish(blocker);
	worker_stop(w);
	session_close(s);
	free(waiting);
	free(line);
	free(ref);
	free(live);
}

/* ------------------------------------------------------------ confirm */

static void confirm_waits_for_the_answer(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);

	for (int round = 0; round < 2; round++) {
		bool yes = round == 0;
		asked a = {"preview: 3 rows change", 0, !yes};
		worker_submit(w, worker_job_fn(confirm_fn, &a, 11, NULL));
		worker_event ev = wait_event(w);
		assert_int_equal(ev.kind, WE_CONFIRM);
		assert_string_equal(ev.text, "preview: 3 rows change");
		assert_null(ev.job);
		worker_event_free(&ev);
		/* It waits for the operator, not the server. */
		assert_false(worker_busy(w));
		assert_true(worker_running_ms(w) >= 0);
		assert_int_equal(a.answers, 0);
		worker_answer(w, yes);
		worker_job *j = wait_done(w);
		assert_ok(j);
		assert_int_equal(j->tag, 11);
		worker_job_free(j);
		assert_int_equal(a.answers, 1);
		assert_int_equal(a.yes, yes);
	}

	/* An answer nobody asked for is dropped, not kept for the next question. */
	worker_answer(w, true);
	asked a = {"again", 0, true};
	worker_submit(w, worker_job_fn(confirm_fn, &a, 12, NULL));
	worker_event ev = wait_event(w);
	assert_int_equal(ev.kind, WE_CONFIRM);
	worker_event_free(&ev);
	/* Ctrl-C while the question is up answers No. */
	worker_cancel(w);
	worker_job *j = wait_done(w);
	assert_true(j->cancelled);
	worker_job_free(j);
	assert_int_equal(a.answers, 1);
	assert_false(a.yes);

	/* Stopping while the question is up answers No too, and returns. */
	asked b = {"last", 0, true};
	worker_submit(w, worker_job_fn(confirm_fn, &b, 13, NULL));
	ev = wait_event(w);
	assert_int_equal(ev.kind, WE_CONFIRM);
	worker_event_free(&ev);
	worker_stop(w);
	assert_int_equal(b.answers, 1);
	assert_false(b.yes);

	session_close(s);
	free(dsn);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s", path);
	strbuf sb = STRBUF_INIT;
	assert_int_equal(sb_read_all(&sb, f), 0);
	fclose(f);
	return sb_steal(&sb);
}

/* A real command that asks (backfill), through the worker: the preview
 * reaches the event loop, No changes nothing, --yes asks nobody. */
static void commands_ask_through_the_worker(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, true);
	worker *w = worker_start(s);
	char *dir = migrations_dir();
	char *line = xasprintf("migrate up --dir %s", dir);
	worker_job *j = run_line(w, line);
	assert_ok(j);
	worker_job_free(j);
	char *seed_path = xasprintf("%s/db/seed/demo.sql", getenv("TC_SRCDIR"));
	char *seed = slurp(seed_path);
	dbtest_exec(dsn, seed);

	tc_error err = TC_ERROR_INIT;
	worker_submit(w, worker_job_cmd("backfill resources", 1, NULL, &err));
	worker_event ev;
	for (;;) {
		ev = wait_event(w);
		assert_int_not_equal(ev.kind, WE_DONE);
		if (ev.kind == WE_CONFIRM)
			break;
		worker_event_free(&ev);
	}
	assert_contains(ev.text, "backfill resources");
	worker_event_free(&ev);
	worker_answer(w, false);
	j = wait_done(w);
	assert_int_equal(j->status, TC_ERR_REFUSED);
	assert_contains(j->error, "declined");
	assert_false(j->cancelled);
	worker_job_free(j);

	j = run_line(w, "backfill resources --yes"); /* fails on any question */
	assert_ok(j);
	assert_int_equal(j->result.kind, RES_TABLE);
	worker_job_free(j);

	worker_stop(w);
	session_close(s);
	free(seed);
	free(seed_path);
	free(line);
	free(dir);
	free(dsn);
}

static bool never(void *ctx, const char *preview)
{
	(void)preview;
	++*(int *)ctx;
	return false;
}

static void noop_progress(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
}

/* worker_stop gives the session its callbacks back. */
static void stop_restores_the_callbacks(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	int calls = 0;
	session_set_confirm(s, never, &calls);
	session_set_progress(s, noop_progress, &calls);
	worker *w = worker_start(s);
	void *ctx;
	assert_ptr_not_equal(session_progress(s, &ctx), noop_progress);
	worker_stop(w);
	assert_ptr_equal(session_progress(s, &ctx), noop_progress);
	assert_ptr_equal(ctx, &calls);
	assert_false(session_confirm(s, "x"));
	assert_int_equal(calls, 1);
	session_close(s);
	free(dsn);
}

/* ------------------------------------------------------------ lost connection */

static void lost_connection_and_reconnect(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);

	/* Reconnecting before any connection just opens one. */
	worker_reconnect(w);
	worker_job *j = wait_done(w);
	assert_int_equal(j->tag, WORKER_TAG_RECONNECT);
	assert_ok(j);
	worker_job_free(j);

	int pid = 0;
	j = run_fn(w, backend_pid_fn, &pid);
	assert_ok(j);
	worker_job_free(j);
	char *kill = xasprintf("SELECT pg_terminate_backend(%d)", pid);
	dbtest_exec(dbtest_admin_dsn(), kill);
	free(kill);
	wait_gone(dsn, pid);

	j = run_line(w, "info");
	assert_int_equal(j->status, TC_ERR_DB);
	assert_true(j->lost);
	assert_false(j->cancelled);
	assert_non_null(j->error);
	worker_job_free(j);

	worker_reconnect(w);
	j = wait_done(w);
	assert_int_equal(j->tag, WORKER_TAG_RECONNECT);
	assert_ok(j);
	worker_job_free(j);

	j = run_line(w, "info");
	assert_ok(j);
	worker_job_free(j);
	/* A new backend, with the same session settings. */
	int pid2 = 0;
	j = run_fn(w, backend_pid_fn, &pid2);
	worker_job_free(j);
	assert_true(pid2 > 0 && pid2 != pid);
	j = run_fn(w, sql_fn, "SELECT current_setting('default_transaction_read_only')");
	assert_ok(j);
	assert_string_equal(res_get(&j->result, 0, 0), "on");
	worker_job_free(j);

	worker_stop(w);
	session_close(s);
	free(dsn);
}

/* A reconnect that cannot reach the server says so and stays lost. */
static void failed_reconnect_stays_lost(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_session *s = open_session(dsn, false);
	worker *w = worker_start(s);
	int pid = 0;
	worker_job *j = run_fn(w, backend_pid_fn, &pid);
	worker_job_free(j);

	/* The database goes away with its connections: reconnecting fails. */
	char *name = dbtest_scalar(dsn, "SELECT current_database()");
	char *drop = xasprintf("DROP DATABASE \"%s\" WITH (FORCE)", name);
	dbtest_exec(dbtest_admin_dsn(), drop);
	free(drop);
	free(name);

	worker_reconnect(w);
	j = wait_done(w);
	assert_int_equal(j->tag, WORKER_TAG_RECONNECT);
	assert_int_equal(j->status, TC_ERR_DB);
	assert_true(j->lost);
	assert_contains(j->error, "could not reconnect");
	assert_non_null(j->hint);
	worker_job_free(j);

	worker_stop(w);
	session_close(s);
	free(dsn);
}

int main(void)
{
	/* No operator's config file gets in the way. */
	char home[] = "/tmp/tc-worker-XXXXXX";
	if (!mkdtemp(home))
		return 99;
	setenv("XDG_CONFIG_HOME", home, 1);

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cancel_reaches_the_reference_read),
		cmocka_unit_test(command_lines_split_like_a_shell),
		cmocka_unit_test(command_job_returns_the_commands_result),
		cmocka_unit_test(bad_command_lines_give_usage_errors),
		cmocka_unit_test(help_comes_back_as_text),
		cmocka_unit_test(writes_are_refused_in_a_read_only_session),
		cmocka_unit_test(progress_lines_come_before_the_result),
		cmocka_unit_test(the_pipe_stays_readable_while_events_wait),
		cmocka_unit_test(cancel_stops_the_query_and_drops_the_queue),
		cmocka_unit_test(stop_cancels_the_running_query),
		cmocka_unit_test(confirm_waits_for_the_answer),
		cmocka_unit_test(commands_ask_through_the_worker),
		cmocka_unit_test(stop_restores_the_callbacks),
		cmocka_unit_test(lost_connection_and_reconnect),
		cmocka_unit_test(failed_reconnect_stays_lost),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(home);
	return rc;
}
