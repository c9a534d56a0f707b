#include "config.h"

#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "strbuf.h"
#include "xalloc.h"

/* Decode one UTF-8 sequence; returns its length, or 0 for an invalid byte. */
static size_t utf8_next(const char *s, wchar_t *wc)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = mbrtowc(wc, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
		return 0;
	return n;
}

/* Terminal-safe text: control characters (a name may hold an escape
 * sequence) become U+FFFD-like '?' marks, newlines a visible "\n". */
static void add_safe(strbuf *sb, const char *s)
{
	while (*s) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n') {
			sb_add(sb, "\\n");
			s++;
		} else if (c == '\t') {
			sb_add(sb, "\\t");
			s++;
		} else if (c < 0x20 || c == 0x7f) {
			sb_addc(sb, '?');
			s++;
		} else if (c < 0x80) {
			sb_addc(sb, (char)c);
			s++;
		} else {
			wchar_t wc;
			size_t n = utf8_next(s, &wc);
			if (n == 0 || wcwidth(wc) < 0) {
				sb_addc(sb, '?');
				s += n ? n : 1;
			} else {
				sb_addn(sb, s, n);
				s += n;
			}
		}
	}
}

size_t out_display_width(const char *s)
{
	size_t w = 0;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x80) {
			w += (c == '\n' || c == '\t') ? 2 : 1;
			s++;
			continue;
		}
		wchar_t wc;
		size_t n = utf8_next(s, &wc);
		int cw = n ? wcwidth(wc) : -1;
		w += cw < 0 ? 1 : (size_t)cw;
		s += n ? n : 1;
	}
	return w;
}

static char *safe_cell(const char *v)
{
	strbuf sb = STRBUF_INIT;
	add_safe(&sb, v ? v : "");
	return sb_steal(&sb);
}

/* A terminal table cell at most `max` columns wide: a function body does
 * not belong on one line of a table; --json and plain output keep it all. */
static char *clip_cell(char *c, size_t max)
{
	if (out_display_width(c) <= max)
		return c;
	strbuf sb = STRBUF_INIT;
	size_t w = 0;
	const char *p = c;
	while (*p && w < max - 1) {
		wchar_t wc;
		size_t n = (unsigned char)*p < 0x80 ? 1 : utf8_next(p, &wc);
		if (!n)
			n = 1;
		char tmp[8] = {0};
		memcpy(tmp, p, n < 8 ? n : 7);
		size_t cw = out_display_width(tmp);
		if (w + cw > max - 1)
			break;
		sb_addn(&sb, p, n);
		w += cw;
		p += n;
	}
	sb_add(&sb, "\xe2\x80\xa6"); /* U+2026 horizontal ellipsis */
	free(c);
	return sb_steal(&sb);
}

#define TABLE_CELL_MAX 60

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

/* The last column an aligned table shows (detail columns are left out). */
static size_t last_shown(const tc_result *r)
{
	size_t last = 0;
	for (size_t j = 0; j < r->ncols; j++)
		if (!r->cols[j].detail)
			last = j;
	return last;
}

static void render_table(FILE *f, const tc_result *r, bool color)
{
	size_t nc = r->ncols;
	size_t last = last_shown(r);
	size_t *w = xcalloc(nc, sizeof *w);
	char **cells = xcalloc(r->nrows * nc + 1, sizeof *cells);
	for (size_t j = 0; j < nc; j++)
		w[j] = out_display_width(r->cols[j].name);
	for (size_t i = 0; i < r->nrows; i++)
		for (size_t j = 0; j < nc; j++) {
			char *c = clip_cell(safe_cell(res_get(r, i, j)), TABLE_CELL_MAX);
			size_t cw = out_display_width(c);
			if (cw > w[j])
				w[j] = cw;
			cells[i * nc + j] = c;
		}
	for (size_t j = 0; j < nc; j++) {
		if (r->cols[j].detail)
			continue;
		size_t gap = w[j] - out_display_width(r->cols[j].name);
		bool right = r->cols[j].type == RES_T_INT;
		if (right)
			pad(f, gap);
		if (color)
			fputs("\033[1m", f);
		fputs(r->cols[j].name, f);
		if (color)
			fputs("\033[0m", f);
		if (!right && j < last)
			pad(f, gap);
		if (j < last)
			pad(f, 2);
	}
	fputc('\n', f);
	for (size_t j = 0; j < nc; j++) {
		if (r->cols[j].detail)
			continue;
		for (size_t k = 0; k < w[j]; k++)
			fputc('-', f);
		if (j < last)
			pad(f, 2);
	}
	fputc('\n', f);
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t j = 0; j < nc; j++) {
			if (r->cols[j].detail)
				continue;
			const char *c = cells[i * nc + j];
			size_t gap = w[j] - out_display_width(c);
			bool right = r->cols[j].type == RES_T_INT;
			if (right)
				pad(f, gap);
			fputs(c, f);
			if (!right && j < last)
				pad(f, gap);
			if (j < last)
				pad(f, 2);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < r->nrows * nc; i++)
		free(cells[i]);
	free(cells);
	free(w);
}

static void render_record(FILE *f, const tc_result *r, bool aligned, bool color)
{
	size_t kw = 0;
	for (size_t j = 0; j < r->ncols; j++) {
		size_t cw = out_display_width(r->cols[j].name);
		if (cw > kw)
			kw = cw;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		if (i)
			fputc('\n', f);
		for (size_t j = 0; j < r->ncols; j++) {
			char *v = safe_cell(res_get(r, i, j));
			if (aligned) {
				if (color)
					fputs("\033[1m", f);
				fprintf(f, "%s:", r->cols[j].name);
				if (color)
					fputs("\033[0m", f);
				pad(f, kw - out_display_width(r->cols[j].name) + 1);
				fprintf(f, "%s\n", v);
			} else {
				fprintf(f, "%s\t%s\n", r->cols[j].name, v);
			}
			free(v);
		}
	}
}

/* COPY text escaping, so a tab or newline inside a value cannot split it. */
static void plain_cell(FILE *f, const char *v)
{
	if (!v) {
		fputs("\\N", f);
		return;
	}
	for (; *v; v++) {
		switch (*v) {
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\\': fputs("\\\\", f); break;
		default: fputc(*v, f);
		}
	}
}

static void render_plain(FILE *f, const tc_result *r)
{
	for (size_t j = 0; j < r->ncols; j++)
		fprintf(f, "%s%s", j ? "\t" : "", r->cols[j].name);
	fputc('\n', f);
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t j = 0; j < r->ncols; j++) {
			if (j)
				fputc('\t', f);
			plain_cell(f, res_get(r, i, j));
		}
		fputc('\n', f);
	}
}

static void csv_cell(FILE *f, const char *v)
{
	if (!v)
		return;
	if (strpbrk(v, ",\"\r\n") == NULL && *v != ' ' && *v) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', f);
		fputc(*v, f);
	}
	fputc('"', f);
}

static void render_csv(FILE *f, const tc_result *r)
{
	for (size_t j = 0; j < r->ncols; j++) {
		if (j)
			fputc(',', f);
		csv_cell(f, r->cols[j].name);
	}
	fputs("\r\n", f);
	for (size_t i = 0; i < r->nrows; i++) {
		for (size_t j = 0; j < r->ncols; j++) {
			if (j)
				fputc(',', f);
			csv_cell(f, res_get(r, i, j));
		}
		fputs("\r\n", f);
	}
}

void out_json_string(strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	while (*s) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)c);
			s++;
		} else if (c < 0x20) {
			static const char *names[] = {[8] = "\\b", [9] = "\\t", [10] = "\\n",
						      [12] = "\\f", [13] = "\\r"};
			if (c < 14 && names[c])
				sb_add(sb, names[c]);
			else
				sb_addf(sb, "\\u%04x", c);
			s++;
		} else if (c < 0x80) {
			sb_addc(sb, (char)c);
			s++;
		} else {
			/* Invalid UTF-8 would make the whole document invalid. */
			wchar_t wc;
			size_t n = utf8_next(s, &wc);
			if (n == 0) {
				sb_add(sb, "\\ufffd");
				s++;
			} else {
				sb_addn(sb, s, n);
				s += n;
			}
		}
	}
	sb_addc(sb, '"');
}

static bool json_number(const char *v)
{
	char *end;
	if (!*v)
		return false;
	strtod(v, &end);
	return *end == '\0' && strspn(v, "-0123456789.eE+") == strlen(v);
}

static void json_value(strbuf *sb, const res_col *col, const char *v)
{
	if (!v) {
		sb_add(sb, "null");
		return;
	}
	switch (col->type) {
	case RES_T_INT:
		if (json_number(v)) {
			sb_add(sb, v);
			return;
		}
		break;
	case RES_T_BOOL:
		if (!strcmp(v, "true") || !strcmp(v, "t")) {
			sb_add(sb, "true");
			return;
		}
		if (!strcmp(v, "false") || !strcmp(v, "f")) {
			sb_add(sb, "false");
			return;
		}
		break;
	case RES_T_JSON:
		sb_add(sb, v);
		return;
	case RES_T_TEXT:
		break;
	}
	out_json_string(sb, v);
}

static void json_row(strbuf *sb, const tc_result *r, size_t i)
{
	sb_addc(sb, '{');
	for (size_t j = 0; j < r->ncols; j++) {
		if (j)
			sb_addc(sb, ',');
		out_json_string(sb, r->cols[j].name);
		sb_addc(sb, ':');
		json_value(sb, &r->cols[j], res_get(r, i, j));
	}
	sb_addc(sb, '}');
}

static void render_json(FILE *f, const tc_result *r)
{
	strbuf sb = STRBUF_INIT;
	switch (r->kind) {
	case RES_TABLE:
		sb_addc(&sb, '[');
		for (size_t i = 0; i < r->nrows; i++) {
			sb_add(&sb, i ? ",\n " : "");
			json_row(&sb, r, i);
		}
		sb_addc(&sb, ']');
		break;
	case RES_RECORD:
		if (r->nrows)
			json_row(&sb, r, 0);
		else
			sb_add(&sb, "{}");
		break;
	case RES_TEXT:
		sb_add(&sb, "{\"text\":");
		out_json_string(&sb, sb_str(&r->text));
		sb_addc(&sb, '}');
		break;
	case RES_EMPTY:
		sb_add(&sb, "null");
		break;
	}
	fprintf(f, "%s\n", sb_str(&sb));
	sb_free(&sb);
}

void out_render(FILE *f, FILE *notes, const tc_result *r, const out_style *style)
{
	if (style->format == OUT_JSON) {
		render_json(f, r);
		if (r->summary && notes)
			fprintf(notes, "%s\n", r->summary);
		return;
	}
	switch (r->kind) {
	case RES_EMPTY:
		break;
	case RES_TEXT:
		fputs(sb_str(&r->text), f);
		break;
	case RES_RECORD:
		if (style->format == OUT_CSV)
			render_csv(f, r);
		else
			render_record(f, r, style->format == OUT_TABLE, style->color);
		break;
	case RES_TABLE:
		if (style->format == OUT_CSV)
			render_csv(f, r);
		else if (style->format == OUT_PLAIN)
			render_plain(f, r);
		else
			render_table(f, r, style->color);
		break;
	}
	/* The summary is for eyes: on the terminal after the table, else on
	 * stderr, so what a script reads from stdout stays only rows. */
	if (r->summary && style->format == OUT_TABLE)
		fprintf(f, "%s\n", r->summary);
	else if (r->summary && notes)
		fprintf(notes, "%s\n", r->summary);
}

void out_error(FILE *f, const tc_error *err, bool color)
{
	const char *msg = err->message ? err->message : "failed (no message)";
	if (color)
		fprintf(f, "tenantctl: \033[1;31merror:\033[0m %s\n", msg);
	else
		fprintf(f, "tenantctl: error: %s\n", msg);
	if (err->hint)
		fprintf(f, "%s: %s\n", color ? "\033[1mhint\033[0m" : "hint", err->hint);
}
