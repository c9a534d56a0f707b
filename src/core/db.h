/* db: the only module that touches PGresult. Every result is copied into a
 * db_rows and cleared in the same function, so no libpq type leaves here.
 * Values always travel as parameters (PQexecParams). */
#ifndef TC_DB_H
#define TC_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "error.h"

typedef struct db_rows {
	size_t nrows, ncols;
	char **names; /* ncols column names, owned */
	char **cells; /* nrows*ncols, row-major, owned; NULL is SQL NULL */
} db_rows;

#define DB_ROWS_INIT {0, 0, NULL, NULL}

/* Run a statement that returns rows. params may be NULL when nparams is 0;
 * a NULL element is SQL NULL. On success *out owns the rows (db_rows_free). */
tc_status db_query(tc_conn *c, const char *sql, int nparams, const char *const *params,
		   db_rows *out, tc_error *err);
/* Run a statement for its effect; *affected (may be NULL) gets the row count. */
tc_status db_exec(tc_conn *c, const char *sql, int nparams, const char *const *params,
		  long *affected, tc_error *err);
/* Called about every tick_ms while a statement runs, with the time it has
 * run so far; returning false cancels the statement (PQcancel). */
typedef bool (*db_tick_fn)(void *ctx, long elapsed_ms);

typedef struct db_outcome {
	long rows; /* rows affected (PQcmdTuples), 0 when none */
	char *tag; /* owned; the command tag, "CREATE TABLE", "UPDATE 3" */
} db_outcome;

/* db_exec for one statement, sent asynchronously so the caller can watch
 * it (who blocks it, how long it runs) and cancel it. tick and out may be
 * NULL; the caller frees out->tag. */
tc_status db_exec_watched(tc_conn *c, const char *sql, int tick_ms, db_tick_fn tick, void *ctx,
			  db_outcome *out, tc_error *err);

/* Borrowed cell, NULL for SQL NULL or out of range. */
const char *db_get(const db_rows *rows, size_t row, size_t col);
void db_rows_free(db_rows *rows);

/* A text[] literal ({"a","b"}) of n values, every element double-quoted so
 * commas, braces, blanks and NULL-looking words stay data: a list sent as
 * one parameter (`= ANY($1::text[])`). Caller frees. */
char *db_text_array(const char *const *v, size_t n);

/* A quoted identifier (PQescapeIdentifier). Caller frees. NULL when the
 * identifier is not valid in the client encoding. */
char *db_quote_ident(tc_conn *c, const char *ident);

#endif
