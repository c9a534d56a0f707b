#include "config.h"

#include "conn.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "conninfo.h"
#include "db.h"
#include "strbuf.h"
#include "xalloc.h"

struct tc_conn {
	PGconn *pg;
	bool write;
	char *describe; /* host=... port=... dbname=... user=... */
	char *masked;   /* the DSN as given, secrets masked */
	/* What a sibling connection needs: owned copies of the parameters, and
	 * the password the operator typed, if any (wiped on close). */
	conn_params params;
	char *options;
	char *password;
	/* Made at connect time so another thread can cancel the running
	 * statement (PQcancel is thread-safe; PQgetCancel on a busy PGconn is
	 * not). */
	PGcancel *cancel;
};

/* libpq's `options` takes backslash-escaped spaces; our values are checked
 * durations, but the DSN's own options may carry anything. */
static void add_setting(strbuf *opts, const char *name, const char *value)
{
	if (opts->len)
		sb_addc(opts, ' ');
	sb_addf(opts, "-c %s=", name);
	for (const char *p = value; *p; p++) {
		if (*p == ' ' || *p == '\\')
			sb_addc(opts, '\\');
		sb_addc(opts, *p);
	}
}

/* The `options` the DSN itself carries, so ours are added to them rather
 * than replacing them. Caller frees. */
static char *dsn_options(const char *dsn)
{
	if (!dsn || !*dsn)
		return NULL;
	PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
	if (!opts)
		return NULL;
	char *out = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "options") == 0 && o->val && *o->val)
			out = xstrdup(o->val);
	PQconninfoFree(opts);
	return out;
}

/* Passwords do not linger in freed memory. */
static void wipe(char *secret)
{
	if (secret) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
}

static char *describe_pg(PGconn *pg)
{
	const char *host = PQhost(pg), *port = PQport(pg), *db = PQdb(pg), *user = PQuser(pg);
	return xasprintf("host=%s port=%s dbname=%s user=%s", host && *host ? host : "(default)",
			 port && *port ? port : "(default)", db && *db ? db : "(default)",
			 user && *user ? user : "(default)");
}

/* libpq prints server notices on stderr by default; the core prints
 * nothing, and DDL's notices ("relation already exists, skipping") are not
 * the operator's business. */
static void swallow_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static PGconn *connect_once(const conn_params *p, const char *options, const char *password)
{
	const char *keys[8];
	const char *vals[8];
	int n = 0;
	if (p->dsn && *p->dsn) {
		keys[n] = "dbname";
		vals[n++] = p->dsn;
	}
	if (p->service && *p->service) {
		keys[n] = "service";
		vals[n++] = p->service;
	}
	keys[n] = "fallback_application_name";
	vals[n++] = CONN_APPLICATION_NAME;
	keys[n] = "options";
	vals[n++] = options;
	if (password) {
		keys[n] = "password";
		vals[n++] = password;
	}
	keys[n] = NULL;
	vals[n] = NULL;
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (pg)
		PQsetNoticeProcessor(pg, swallow_notice, NULL);
	return pg;
}

/* libpq's reason, one line: it ends messages with a newline and sometimes
 * repeats "connection to server ... failed:" which we already say. */
static char *pg_reason(PGconn *pg)
{
	const char *msg = PQerrorMessage(pg);
	const char *tail = strstr(msg, "failed: ");
	if (tail && strncmp(msg, "connection to server", 20) == 0)
		msg = tail + 8;
	/* Fold libpq's newlines and tabs into single spaces. */
	strbuf sb = STRBUF_INIT;
	for (const char *p = msg; *p; p++) {
		bool blank = *p == '\n' || *p == '\t' || *p == ' ';
		if (!blank)
			sb_addc(&sb, *p);
		else if (sb.len && sb.data[sb.len - 1] != ' ')
			sb_addc(&sb, ' ');
	}
	if (sb.len && sb.data[sb.len - 1] == ' ')
		sb.data[--sb.len] = '\0';
	return sb_steal(&sb);
}

tc_status conn_open(const conn_params *p, tc_conn **out, tc_error *err)
{
	*out = NULL;
	strbuf opts = STRBUF_INIT;
	char *own = dsn_options(p->dsn);
	if (own)
		sb_add(&opts, own);
	free(own);
	add_setting(&opts, "statement_timeout",
		    p->statement_timeout ? p->statement_timeout : CONN_DEFAULT_STATEMENT_TIMEOUT);
	add_setting(&opts, "lock_timeout",
		    p->lock_timeout ? p->lock_timeout : CONN_DEFAULT_LOCK_TIMEOUT);
	add_setting(&opts, "idle_in_transaction_session_timeout",
		    p->idle_timeout ? p->idle_timeout : CONN_DEFAULT_IDLE_TIMEOUT);
	/* Read-only sessions cannot write even by mistake. Write sessions leave
	 * the setting alone, so a role or server that is read-only stays so and
	 * its refusal reaches the operator. */
	if (!p->write)
		add_setting(&opts, "default_transaction_read_only", "on");

	char *typed = NULL;
	PGconn *pg = connect_once(p, sb_str(&opts), NULL);
	/* NeedsPassword is true only when the server asked and none was
	 * available (not when a given one was wrong): ask once, as psql does. */
	if (PQstatus(pg) == CONNECTION_BAD && PQconnectionNeedsPassword(pg) && p->ask_password) {
		char *prompt = xasprintf("Password for user %s: ", PQuser(pg));
		typed = p->ask_password(prompt, p->ask_password_ctx);
		free(prompt);
		if (typed) {
			PQfinish(pg);
			pg = connect_once(p, sb_str(&opts), typed);
		}
	}

	if (PQstatus(pg) != CONNECTION_OK) {
		char *where = describe_pg(pg);
		char *why = pg_reason(pg);
		tc_fail(err, TC_ERR_DB, "could not connect to %s: %s", where, why);
		if (strstr(why, "password authentication failed") || strstr(why, "no password supplied"))
			tc_hint(err, "check the user and password; store the password in ~/.pgpass "
				     "(or PGPASSFILE) rather than in the DSN");
		else
			tc_hint(err, "check that the server is running and that the target "
				     "(-d, -t, --service or the PG* environment) names it");
		free(where);
		free(why);
		PQfinish(pg);
		wipe(typed);
		sb_free(&opts);
		return TC_ERR_DB;
	}

	tc_conn *c = xcalloc(1, sizeof *c);
	c->pg = pg;
	c->write = p->write;
	c->describe = describe_pg(pg);
	c->masked = conninfo_mask(p->dsn);
	c->params.dsn = p->dsn ? xstrdup(p->dsn) : NULL;
	c->params.service = p->service ? xstrdup(p->service) : NULL;
	c->params.write = p->write;
	c->options = sb_steal(&opts);
	c->password = typed;
	c->cancel = PQgetCancel(pg);
	*out = c;
	return TC_OK;
}

/* A new tc_conn on pg with c's parameters. */
static tc_conn *clone_on(const tc_conn *c, PGconn *pg)
{
	tc_conn *s = xcalloc(1, sizeof *s);
	s->pg = pg;
	s->write = c->write;
	s->describe = xstrdup(c->describe);
	s->masked = xstrdup(c->masked);
	s->params.dsn = c->params.dsn ? xstrdup(c->params.dsn) : NULL;
	s->params.service = c->params.service ? xstrdup(c->params.service) : NULL;
	s->params.write = c->params.write;
	s->options = xstrdup(c->options);
	s->password = c->password ? xstrdup(c->password) : NULL;
	s->cancel = PQgetCancel(pg);
	return s;
}

tc_status conn_open_sibling(tc_conn *c, tc_conn **out, tc_error *err)
{
	*out = NULL;
	PGconn *pg = connect_once(&c->params, c->options, c->password);
	if (PQstatus(pg) != CONNECTION_OK) {
		char *why = pg_reason(pg);
		tc_fail(err, TC_ERR_DB, "could not open a second connection to %s: %s", c->describe,
			why);
		tc_hint(err, "the server may be at max_connections; retry later");
		free(why);
		PQfinish(pg);
		return TC_ERR_DB;
	}
	*out = clone_on(c, pg);
	return TC_OK;
}

tc_status conn_reopen(const tc_conn *c, tc_conn **out, tc_error *err)
{
	*out = NULL;
	PGconn *pg = connect_once(&c->params, c->options, c->password);
	if (PQstatus(pg) != CONNECTION_OK) {
		char *why = pg_reason(pg);
		tc_fail(err, TC_ERR_DB, "could not reconnect to %s: %s", c->describe, why);
		tc_hint(err, "check that the server is running and reachable, then reconnect again");
		free(why);
		PQfinish(pg);
		return TC_ERR_DB;
	}
	*out = clone_on(c, pg);
	return TC_OK;
}

bool conn_cancel(tc_conn *c)
{
	if (!c || !c->cancel)
		return false;
	/* PQcancel's message is of no use to the operator: a cancel that did
	 * not arrive shows as the statement finishing anyway. */
	char buf[256];
	return PQcancel(c->cancel, buf, sizeof buf) == 1;
}

bool conn_lost(const tc_conn *c)
{
	return c && PQstatus(c->pg) == CONNECTION_BAD;
}

int conn_backend_pid(const tc_conn *c)
{
	return PQbackendPID(c->pg);
}

int conn_server_version(const tc_conn *c)
{
	return PQserverVersion(c->pg);
}

void conn_close(tc_conn *c)
{
	if (!c)
		return;
	if (c->cancel)
		PQfreeCancel(c->cancel);
	PQfinish(c->pg);
	free(c->describe);
	free(c->masked);
	free((char *)c->params.dsn);
	free((char *)c->params.service);
	free(c->options);
	wipe(c->password);
	free(c);
}

bool conn_writable(const tc_conn *c)
{
	return c->write;
}

const char *conn_describe(const tc_conn *c)
{
	return c->describe;
}

struct pg_conn *conn_pg(tc_conn *c)
{
	return c->pg;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

tc_status conn_info_read(tc_conn *c, conn_info *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	db_rows rows = DB_ROWS_INIT;
	tc_status st = db_query(c,
				"SELECT current_setting('server_version'),"
				" current_setting('server_version_num'),"
				" current_user, current_database(), pg_is_in_recovery(),"
				" current_setting('default_transaction_read_only'),"
				" current_setting('statement_timeout'),"
				" current_setting('lock_timeout'),"
				" current_setting('idle_in_transaction_session_timeout'),"
				" current_setting('application_name')",
				0, NULL, &rows, err);
	if (st != TC_OK)
		return st;
	out->server_version = dup_or_null(db_get(&rows, 0, 0));
	out->server_version_num = atoi(db_get(&rows, 0, 1));
	out->user = dup_or_null(db_get(&rows, 0, 2));
	out->database = dup_or_null(db_get(&rows, 0, 3));
	out->in_recovery = strcmp(db_get(&rows, 0, 4), "t") == 0;
	out->session_read_only = strcmp(db_get(&rows, 0, 5), "on") == 0;
	out->statement_timeout = dup_or_null(db_get(&rows, 0, 6));
	out->lock_timeout = dup_or_null(db_get(&rows, 0, 7));
	out->idle_timeout = dup_or_null(db_get(&rows, 0, 8));
	out->application_name = dup_or_null(db_get(&rows, 0, 9));
	db_rows_free(&rows);

	out->host = dup_or_null(PQhost(c->pg));
	out->port = dup_or_null(PQport(c->pg));
	out->conninfo_masked = xstrdup(c->masked);
	out->tls = PQsslInUse(c->pg) != 0;
	out->tls_protocol = out->tls ? dup_or_null(PQsslAttribute(c->pg, "protocol")) : NULL;
	return TC_OK;
}

void conn_info_free(conn_info *i)
{
	free(i->server_version);
	free(i->user);
	free(i->database);
	free(i->host);
	free(i->port);
	free(i->conninfo_masked);
	free(i->tls_protocol);
	free(i->statement_timeout);
	free(i->lock_timeout);
	free(i->idle_timeout);
	free(i->application_name);
	memset(i, 0, sizeof *i);
}
