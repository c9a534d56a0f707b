/* output: how the CLI prints a command's result. An aligned table on a
 * terminal, tab-separated text when piped, or JSON / CSV on request. */
#ifndef TC_OUTPUT_H
#define TC_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "result.h"

typedef enum out_format {
	OUT_TABLE, /* aligned columns, for a terminal */
	OUT_PLAIN, /* tab-separated, \t \n \\ escaped as in COPY text */
	OUT_JSON,
	OUT_CSV,
} out_format;

typedef struct out_style {
	out_format format;
	bool color; /* ANSI colour and bold, only ever on a terminal */
} out_style;

/* Print r to f. The summary line goes to f in table form, to `notes` (stderr)
 * in plain form so pipes carry only rows, and nowhere in JSON or CSV. */
void out_render(FILE *f, FILE *notes, const tc_result *r, const out_style *style);
/* "tenantctl: error: ..." plus the hint, on f. */
void out_error(FILE *f, const tc_error *err, bool color);
/* Display columns a UTF-8 string takes (wcwidth; control characters and
 * invalid bytes count as one, as they are shown replaced). */
size_t out_display_width(const char *s);
/* Append s as a JSON string literal (quotes included). */
void out_json_string(strbuf *sb, const char *s);

#endif
