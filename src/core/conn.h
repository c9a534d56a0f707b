/* conn: one connection to the deployment, with tenantctl's session settings.
 *
 * Targets come from a DSN (keyword string or URI), a service name, or the
 * standard PG* environment; libpq itself reads pg_service.conf and .pgpass.
 * Sessions are read-only unless `write` is set: the connection then runs
 * with default_transaction_read_only=on, so even a bug cannot write. */
#ifndef TC_CONN_H
#define TC_CONN_H

#include <stdbool.h>

#include "error.h"

/* Asks the operator for a password; returns a malloc'd string, or NULL when
 * no answer can be had (no terminal). The core never reads a terminal itself. */
typedef char *(*conn_password_fn)(const char *prompt, void *ctx);

typedef struct conn_params {
	const char *dsn;               /* may be NULL: libpq defaults and PG* env */
	const char *service;           /* may be NULL */
	bool write;                    /* writes were asked for */
	const char *statement_timeout; /* NULL: CONN_DEFAULT_STATEMENT_TIMEOUT */
	const char *lock_timeout;      /* NULL: CONN_DEFAULT_LOCK_TIMEOUT */
	const char *idle_timeout;      /* idle_in_transaction_session_timeout */
	conn_password_fn ask_password; /* may be NULL: never prompt */
	void *ask_password_ctx;
} conn_params;

#define CONN_DEFAULT_STATEMENT_TIMEOUT "30s"
#define CONN_DEFAULT_LOCK_TIMEOUT "5s"
#define CONN_DEFAULT_IDLE_TIMEOUT "10min"
#define CONN_APPLICATION_NAME "tenantctl"

typedef struct tc_conn tc_conn;

/* Connect. On failure returns TC_ERR_DB with a message naming host, port,
 * database and user (never the password) and libpq's reason. */
tc_status conn_open(const conn_params *p, tc_conn **out, tc_error *err);
void conn_close(tc_conn *c);

/* Whether the session was opened for writes. */
bool conn_writable(const tc_conn *c);
/* "host=... port=... dbname=... user=..." of the live connection; borrowed. */
const char *conn_describe(const tc_conn *c);

typedef struct conn_info {
	char *server_version; /* "15.18" */
	int server_version_num;
	char *user, *database, *host, *port;
	char *conninfo_masked; /* the DSN as given, secrets masked */
	bool tls;
	char *tls_protocol;    /* NULL without TLS */
	bool session_read_only; /* default_transaction_read_only in force */
	bool in_recovery;       /* a standby */
	char *statement_timeout, *lock_timeout, *idle_timeout;
	char *application_name;
} conn_info;

/* All fields owned by *out; free with conn_info_free. */
tc_status conn_info_read(tc_conn *c, conn_info *out, tc_error *err);
void conn_info_free(conn_info *info);

/* The server process serving this connection. */
int conn_backend_pid(const tc_conn *c);
/* The server's version as a number (150018). */
int conn_server_version(const tc_conn *c);

/* Open a second connection to the same place with the same settings (for a
 * watcher or a worker thread), without asking for a password again. */
tc_status conn_open_sibling(tc_conn *c, tc_conn **out, tc_error *err);

/* A new connection with c's parameters and session settings (and the
 * password typed for it, if any), for when c was lost. c stays the
 * caller's to close. */
tc_status conn_reopen(const tc_conn *c, tc_conn **out, tc_error *err);

/* Ask the server to cancel the statement c is running (PQcancel), from any
 * thread, while c is in use by another. Harmless when c is idle (the
 * server ignores it). false when the request could not be sent. The caller
 * makes sure c is not closed meanwhile (see session_cancel). */
bool conn_cancel(tc_conn *c);
/* The connection is broken (the server went away or ended the session):
 * nothing more will run on it; conn_reopen. */
bool conn_lost(const tc_conn *c);

/* For the db module only: the libpq handle (PGconn *). */
struct pg_conn;
struct pg_conn *conn_pg(tc_conn *c);

#endif
