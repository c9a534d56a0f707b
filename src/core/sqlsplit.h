/* sqlsplit: split a migration's SQL into statements, the way the server's
 * lexer would, so statements that cannot run inside a transaction block can
 * be sent one at a time. Understands string literals ('..' with '' escapes,
 * E'..' with backslash escapes, U&'..'), quoted identifiers ("..""..),
 * dollar quotes ($$..$$, $tag$..$tag$), line comments, nested block
 * comments, and SQL-standard function bodies (BEGIN ATOMIC ... END). */
#ifndef TC_SQLSPLIT_H
#define TC_SQLSPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum sql_stmt_flags {
	/* Cannot run inside a transaction block: CREATE/DROP INDEX CONCURRENTLY,
	 * REINDEX ... CONCURRENTLY, VACUUM, ALTER SYSTEM, CREATE/DROP DATABASE,
	 * CREATE/DROP TABLESPACE, and ALTER TYPE ... ADD VALUE before PG 12. */
	SQL_NO_TX = 1u << 0,
	/* A transaction control statement of the file's own: BEGIN, START
	 * TRANSACTION, COMMIT, END, ROLLBACK. */
	SQL_TX_CONTROL = 1u << 1,
	/* ALTER TYPE ... ADD VALUE (needs no transaction only before PG 12). */
	SQL_ADD_ENUM_VALUE = 1u << 2,
};

typedef struct sql_stmt {
	char *text;    /* owned; the statement without its trailing ';', trimmed */
	size_t offset; /* byte offset of its first character in the input */
	int line;      /* 1-based line of its first character */
	unsigned flags;
} sql_stmt;

typedef struct sql_script {
	sql_stmt *stmts;
	size_t n, cap;
} sql_script;

/* Split `sql`. Statements that are empty or only comments are dropped.
 * server_version_num decides whether ADD VALUE needs no transaction
 * (0: assume a current server). TC_ERR_USAGE, naming the line, for an
 * unterminated literal, identifier, dollar quote or comment. */
tc_status sql_split(const char *sql, int server_version_num, sql_script *out, tc_error *err);
/* Any statement with SQL_NO_TX. */
bool sql_needs_no_tx(const sql_script *s);
void sql_script_free(sql_script *s);

#endif
