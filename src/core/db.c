#include "config.h"

#include "db.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strbuf.h"
#include "xalloc.h"

/* What an operator should do about the errors we can name; the server's own
 * words stay in the message. */
static void hint_for_sqlstate(tc_conn *c, const char *state, tc_error *err)
{
	if (!state)
		return;
	if (strcmp(state, "25006") == 0)
		tc_hint(err, "the server refused the write: the role is read-only "
			     "(default_transaction_read_only) or the server is a standby; "
			     "connect to the primary with a role that may write");
	else if (strcmp(state, "42501") == 0)
		tc_hint(err, "the role of %s lacks the privilege; use a role that has it",
			conn_describe(c));
	else if (strcmp(state, "55P03") == 0)
		tc_hint(err, "lock_timeout expired while waiting for a lock held by another "
			     "session; retry when it is released, or raise lock_timeout for the target");
	else if (strcmp(state, "57014") == 0)
		tc_hint(err, "the statement was cancelled (statement_timeout or Ctrl-C); "
			     "raise statement_timeout for the target if it needs longer");
	else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		tc_hint(err, "a concurrent transaction conflicted; nothing was changed, retry");
}

static tc_status fail_result(tc_conn *c, PGresult *res, tc_error *err)
{
	PGconn *pg = conn_pg(c);
	if (PQstatus(pg) == CONNECTION_BAD) {
		tc_fail(err, TC_ERR_DB, "lost the connection to %s: %s", conn_describe(c),
			PQerrorMessage(pg));
		tc_hint(err, "nothing was committed by the statement that was running; "
			     "reconnect and check the state before retrying");
		PQclear(res);
		return TC_ERR_DB;
	}
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	strbuf msg = STRBUF_INIT;
	sb_add(&msg, primary ? primary : PQerrorMessage(pg));
	if (detail)
		sb_addf(&msg, " (%s)", detail);
	if (state && strcmp(state, "25006") == 0) {
		/* Say it plainly: the operator asked for writes and the server said no. */
		char *plain = xasprintf("the server refused the write: %s", sb_str(&msg));
		sb_reset(&msg);
		sb_add(&msg, plain);
		free(plain);
	}
	tc_fail(err, TC_ERR_DB, "%s", sb_str(&msg));
	sb_free(&msg);
	if (state)
		err->sqlstate = xstrdup(state);
	if (hint)
		tc_hint(err, "%s", hint);
	hint_for_sqlstate(c, state, err);
	PQclear(res);
	return TC_ERR_DB;
}

static PGresult *run(tc_conn *c, const char *sql, int nparams, const char *const *params)
{
	return PQexecParams(conn_pg(c), sql, nparams, NULL, params, NULL, NULL, 0);
}

tc_status db_query(tc_conn *c, const char *sql, int nparams, const char *const *params,
		   db_rows *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	PGresult *res = run(c, sql, nparams, params);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		return fail_result(c, res, err);
	out->nrows = (size_t)PQntuples(res);
	out->ncols = (size_t)PQnfields(res);
	out->names = xcalloc(out->ncols, sizeof *out->names);
	for (size_t j = 0; j < out->ncols; j++)
		out->names[j] = xstrdup(PQfname(res, (int)j));
	out->cells = xcalloc(out->nrows * out->ncols, sizeof *out->cells);
	for (size_t i = 0; i < out->nrows; i++)
		for (size_t j = 0; j < out->ncols; j++)
			if (!PQgetisnull(res, (int)i, (int)j))
				out->cells[i * out->ncols + j] =
					xstrdup(PQgetvalue(res, (int)i, (int)j));
	PQclear(res);
	return TC_OK;
}

tc_status db_exec(tc_conn *c, const char *sql, int nparams, const char *const *params,
		  long *affected, tc_error *err)
{
	PGresult *res = run(c, sql, nparams, params);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		return fail_result(c, res, err);
	if (affected) {
		const char *n = PQcmdTuples(res);
		*affected = n && *n ? atol(n) : 0;
	}
	PQclear(res);
	return TC_OK;
}

static long elapsed_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static void cancel_running(PGconn *pg)
{
	PGcancel *cancel = PQgetCancel(pg);
	if (cancel) {
		char buf[256];
		PQcancel(cancel, buf, sizeof buf);
		PQfreeCancel(cancel);
	}
}

tc_status db_exec_watched(tc_conn *c, const char *sql, int tick_ms, db_tick_fn tick, void *ctx,
			  db_outcome *out, tc_error *err)
{
	PGconn *pg = conn_pg(c);
	if (out)
		memset(out, 0, sizeof *out);
	/* The extended protocol refuses several statements in one string, so a
	 * splitting mistake shows as an error instead of an implicit transaction. */
	if (!PQsendQueryParams(pg, sql, 0, NULL, NULL, NULL, NULL, 0))
		return fail_result(c, NULL, err);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool cancelled = false;
	while (PQisBusy(pg)) {
		struct pollfd pfd = {PQsocket(pg), POLLIN, 0};
		int n = poll(&pfd, 1, tick ? tick_ms : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && tick && !cancelled && !tick(ctx, elapsed_since(&t0))) {
			cancel_running(pg);
			cancelled = true;
		}
		if (n > 0 && !PQconsumeInput(pg))
			break;
	}
	/* Keep the first result that says what happened; drain the rest. */
	PGresult *keep = NULL, *res;
	while ((res = PQgetResult(pg)) != NULL) {
		if (!keep)
			keep = res;
		else
			PQclear(res);
	}
	ExecStatusType st = keep ? PQresultStatus(keep) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		return fail_result(c, keep, err);
	if (out) {
		const char *cnt = PQcmdTuples(keep);
		out->rows = cnt && *cnt ? atol(cnt) : 0;
		out->tag = xstrdup(PQcmdStatus(keep));
	}
	PQclear(keep);
	return TC_OK;
}

const char *db_get(const db_rows *rows, size_t row, size_t col)
{
	if (row >= rows->nrows || col >= rows->ncols)
		return NULL;
	return rows->cells[row * rows->ncols + col];
}

void db_rows_free(db_rows *rows)
{
	for (size_t j = 0; j < rows->ncols; j++)
		free(rows->names[j]);
	for (size_t i = 0; i < rows->nrows * rows->ncols; i++)
		free(rows->cells[i]);
	free(rows->names);
	free(rows->cells);
	memset(rows, 0, sizeof *rows);
}

char *db_quote_ident(tc_conn *c, const char *ident)
{
	char *q = PQescapeIdentifier(conn_pg(c), ident, strlen(ident));
	if (!q)
		return NULL;
	char *out = xstrdup(q);
	PQfreemem(q);
	return out;
}

char *db_text_array(const char *const *v, size_t n)
{
	strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_addc(&sb, ',');
		sb_addc(&sb, '"');
		for (const char *c = v[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				sb_addc(&sb, '\\');
			sb_addc(&sb, *c);
		}
		sb_addc(&sb, '"');
	}
	sb_addc(&sb, '}');
	return sb_steal(&sb);
}
