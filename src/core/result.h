/* result: what a command produces, as data. The CLI renders it as an aligned
 * table, tab-separated text, JSON or CSV; the TUI shows it in a table or text
 * view. Commands never print. */
#ifndef TC_RESULT_H
#define TC_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

typedef enum res_kind {
	RES_EMPTY,  /* nothing to show (only a message, if any) */
	RES_TABLE,  /* rows under named columns */
	RES_RECORD, /* one row shown as "key: value" lines; a JSON object */
	RES_TEXT,   /* free text (help, SQL, reports) */
} res_kind;

typedef enum res_type {
	RES_T_TEXT,
	RES_T_INT,  /* right-aligned; a JSON number */
	RES_T_BOOL, /* "true"/"false"; a JSON boolean */
	RES_T_JSON, /* a JSON fragment emitted as is (arrays, objects) */
} res_type;

typedef struct res_col {
	char *name; /* owned */
	res_type type;
	bool detail; /* left out of an aligned table on a terminal (too wide to read
		      * there); kept in plain, JSON and CSV output */
} res_col;

typedef struct tc_result {
	res_kind kind;
	res_col *cols;
	size_t ncols, cap_cols;
	char **cells; /* nrows*ncols, owned; NULL shows as empty / JSON null */
	size_t nrows, cap_rows;
	strbuf text;   /* RES_TEXT body */
	char *summary; /* owned; a line after a table ("42 applied, 3 pending") */
} tc_result;

void res_init(tc_result *r, res_kind kind);
void res_add_col(tc_result *r, const char *name, res_type type);
/* A column for scripts more than eyes: checksums, full paths. */
void res_add_detail_col(tc_result *r, const char *name, res_type type);
/* Append an empty row; returns its index. */
size_t res_add_row(tc_result *r);
/* Copy v (NULL allowed) into a cell. */
void res_set(tc_result *r, size_t row, size_t col, const char *v);
void res_setf(tc_result *r, size_t row, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Borrowed cell. */
const char *res_get(const tc_result *r, size_t row, size_t col);
void res_set_summary(tc_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void res_free(tc_result *r);

#endif
