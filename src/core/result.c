#include "config.h"

#include "result.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void res_init(tc_result *r, res_kind kind)
{
	memset(r, 0, sizeof *r);
	r->kind = kind;
}

void res_add_col(tc_result *r, const char *name, res_type type)
{
	/* Columns are fixed before the first row: cells are stored row-major. */
	if (r->nrows)
		abort();
	r->cols = xgrow(r->cols, &r->cap_cols, r->ncols + 1, sizeof *r->cols);
	r->cols[r->ncols].name = xstrdup(name);
	r->cols[r->ncols].type = type;
	r->cols[r->ncols].detail = false;
	r->ncols++;
}

void res_add_detail_col(tc_result *r, const char *name, res_type type)
{
	res_add_col(r, name, type);
	r->cols[r->ncols - 1].detail = true;
}

size_t res_add_row(tc_result *r)
{
	size_t need = (r->nrows + 1) * r->ncols;
	size_t old = r->cap_rows;
	r->cells = xgrow(r->cells, &r->cap_rows, need, sizeof *r->cells);
	memset(r->cells + old, 0, (r->cap_rows - old) * sizeof *r->cells);
	return r->nrows++;
}

void res_set(tc_result *r, size_t row, size_t col, const char *v)
{
	if (row >= r->nrows || col >= r->ncols)
		abort();
	char **cell = &r->cells[row * r->ncols + col];
	free(*cell);
	*cell = v ? xstrdup(v) : NULL;
}

void res_setf(tc_result *r, size_t row, size_t col, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	res_set(r, row, col, sb_str(&sb));
	sb_free(&sb);
}

const char *res_get(const tc_result *r, size_t row, size_t col)
{
	if (row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cells[row * r->ncols + col];
}

void res_set_summary(tc_result *r, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(r->summary);
	r->summary = sb_steal(&sb);
}

void res_free(tc_result *r)
{
	for (size_t i = 0; i < r->ncols; i++)
		free(r->cols[i].name);
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		free(r->cells[i]);
	free(r->cols);
	free(r->cells);
	sb_free(&r->text);
	free(r->summary);
	memset(r, 0, sizeof *r);
}
