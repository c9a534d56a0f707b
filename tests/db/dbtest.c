#include "config.h"

#include "dbtest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "strbuf.h"
#include "xalloc.h"

/* fail_msg() longjmps out of the test, so the message must outlive the
 * function that built it: the last one is kept here. */
static char *last_failure;

/* Fail the running test with msg (taken over). */
static _Noreturn void fail_owned(char *msg)
{
	size_t len = strlen(msg);
	/* libpq messages end in a newline; cmocka adds its own. */
	while (len > 0 && msg[len - 1] == '\n')
		msg[--len] = '\0';
	free(last_failure);
	last_failure = msg;
	fail_msg("%s", msg);
	abort(); /* not reached */
}

const char *dbtest_admin_dsn(void)
{
	const char *dsn = getenv("TC_TEST_DSN");
	if (!dsn || !dsn[0])
		fail_owned(xstrdup("TC_TEST_DSN is not set: database tests need the private "
				   "PostgreSQL cluster that tests/db/pgrun starts. Run them with "
				   "`make check` (or `tests/db/pgrun tests/db/TEST`)"));
	return dsn;
}

static PGconn *connect_or_fail(const char *dsn)
{
	PGconn *conn = PQconnectdb(dsn);
	if (PQstatus(conn) != CONNECTION_OK) {
		char *msg = xasprintf("cannot connect to %s: %s", dsn, PQerrorMessage(conn));
		PQfinish(conn);
		fail_owned(msg);
	}
	return conn;
}

/* Runs sql; on error frees everything and fails the test. */
static PGresult *exec_or_fail(const char *dsn, PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	char *msg = xasprintf("SQL failed on %s: %s\n  SQL: %s", dsn,
			      res ? PQresultErrorMessage(res) : PQerrorMessage(conn), sql);
	PQclear(res);
	PQfinish(conn);
	fail_owned(msg);
}

/* The admin conninfo with dbname replaced. */
static char *dsn_for(const char *dbname)
{
	const char *admin = dbtest_admin_dsn();
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(admin, &errmsg);
	if (!opts) {
		char *msg = xasprintf("TC_TEST_DSN is not a valid conninfo: %s",
				      errmsg ? errmsg : "out of memory");
		PQfreemem(errmsg);
		fail_owned(msg);
	}
	strbuf sb = STRBUF_INIT;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || strcmp(o->keyword, "dbname") == 0)
			continue;
		sb_addf(&sb, "%s='", o->keyword);
		for (const char *v = o->val; *v; v++) {
			if (*v == '\'' || *v == '\\')
				sb_addc(&sb, '\\');
			sb_addc(&sb, *v);
		}
		sb_add(&sb, "' ");
	}
	PQconninfoFree(opts);
	sb_addf(&sb, "dbname='%s'", dbname); /* our names need no escaping */
	return sb_steal(&sb);
}

char *dbtest_new_db_from(const char *template)
{
	static unsigned counter;
	char *name = xasprintf("t_%ld_%u", (long)getpid(), ++counter);
	PGconn *conn = connect_or_fail(dbtest_admin_dsn());
	char *qname = PQescapeIdentifier(conn, name, strlen(name));
	char *qtemplate = PQescapeIdentifier(conn, template, strlen(template));
	char *sql = xasprintf("CREATE DATABASE %s TEMPLATE %s", qname, qtemplate);
	PQfreemem(qname);
	PQfreemem(qtemplate);
	PQclear(exec_or_fail(dbtest_admin_dsn(), conn, sql));
	PQfinish(conn);
	free(sql);
	char *dsn = dsn_for(name);
	free(name);
	return dsn;
}

char *dbtest_new_db(void)
{
	return dbtest_new_db_from("tc_template");
}

void dbtest_exec(const char *dsn, const char *sql)
{
	PGconn *conn = connect_or_fail(dsn);
	PQclear(exec_or_fail(dsn, conn, sql));
	PQfinish(conn);
}

char *dbtest_scalar(const char *dsn, const char *sql)
{
	PGconn *conn = connect_or_fail(dsn);
	PGresult *res = exec_or_fail(dsn, conn, sql);
	if (PQntuples(res) < 1 || PQnfields(res) < 1) {
		PQclear(res);
		PQfinish(conn);
		fail_owned(xasprintf("no value from %s\n  SQL: %s", dsn, sql));
	}
	char *v = PQgetisnull(res, 0, 0) ? NULL : xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(conn);
	return v;
}
