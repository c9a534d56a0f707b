/* The CLI's output formats. */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"

static char *render(const tc_result *r, out_format fmt, char **notes_out)
{
	char *buf = NULL, *notes = NULL;
	size_t len = 0, nlen = 0;
	FILE *f = open_memstream(&buf, &len);
	FILE *n = open_memstream(&notes, &nlen);
	out_style st = {fmt, false};
	out_render(f, n, r, &st);
	fclose(f);
	fclose(n);
	if (notes_out)
		*notes_out = notes;
	else
		free(notes);
	return buf;
}

static void sample(tc_result *r)
{
	res_init(r, RES_TABLE);
	res_add_col(r, "name", RES_T_TEXT);
	res_add_col(r, "n", RES_T_INT);
	res_add_col(r, "ok", RES_T_BOOL);
	size_t i = res_add_row(r);
	res_set(r, i, 0, "acme");
	res_set(r, i, 1, "7");
	res_set(r, i, 2, "true");
	i = res_add_row(r);
	res_set(r, i, 0, "日本, \"x\"\tz");
	res_set(r, i, 1, "12");
	res_set(r, i, 2, NULL);
	res_set_summary(r, "2 rows");
}

static void table_aligns_wide_characters(void **state)
{
	(void)state;
	tc_result r;
	sample(&r);
	char *out = render(&r, OUT_TABLE, NULL);
	/* "日本" is four columns wide; the tab shows as "\t" (2 columns). */
	assert_string_equal(out, "name           n  ok\n"
				 "------------  --  ----\n"
				 "acme           7  true\n"
				 "日本, \"x\"\\tz  12  \n"
				 "2 rows\n");
	free(out);
	res_free(&r);
}

/* Detail columns (checksums, paths) stay out of a terminal table only. */
static void detail_columns(void **state)
{
	(void)state;
	tc_result r;
	res_init(&r, RES_TABLE);
	res_add_col(&r, "v", RES_T_TEXT);
	res_add_detail_col(&r, "sum", RES_T_TEXT);
	res_add_col(&r, "state", RES_T_TEXT);
	size_t i = res_add_row(&r);
	res_set(&r, i, 0, "1");
	res_set(&r, i, 1, "abcdef0123456789");
	res_set(&r, i, 2, "applied");
	char *out = render(&r, OUT_TABLE, NULL);
	assert_string_equal(out, "v  state\n-  -------\n1  applied\n");
	free(out);
	out = render(&r, OUT_PLAIN, NULL);
	assert_string_equal(out, "v\tsum\tstate\n1\tabcdef0123456789\tapplied\n");
	free(out);
	res_free(&r);
}

/* A long value is clipped on the terminal only. */
static void long_cells_clipped_on_terminal(void **state)
{
	(void)state;
	tc_result r;
	res_init(&r, RES_TABLE);
	res_add_col(&r, "def", RES_T_TEXT);
	size_t i = res_add_row(&r);
	char longv[201];
	memset(longv, 'x', 200);
	longv[200] = '\0';
	res_set(&r, i, 0, longv);
	char *out = render(&r, OUT_TABLE, NULL);
	const char *row = strrchr(out, '\n') ? strstr(out, "\nx") + 1 : NULL;
	assert_non_null(row);
	char *line = strndup(row, strcspn(row, "\n"));
	assert_int_equal(out_display_width(line), 60); /* 59 x and an ellipsis */
	free(line);
	assert_non_null(strstr(row, "\xe2\x80\xa6"));
	free(out);
	out = render(&r, OUT_PLAIN, NULL);
	assert_non_null(strstr(out, longv));
	free(out);
	res_free(&r);
}

static void plain_escapes_like_copy(void **state)
{
	(void)state;
	tc_result r;
	sample(&r);
	char *notes;
	char *out = render(&r, OUT_PLAIN, &notes);
	assert_string_equal(out, "name\tn\tok\nacme\t7\ttrue\n日本, \"x\"\\tz\t12\t\\N\n");
	/* The summary stays out of the pipe. */
	assert_string_equal(notes, "2 rows\n");
	free(out);
	free(notes);
	res_free(&r);
}

static void csv_quotes(void **state)
{
	(void)state;
	tc_result r;
	sample(&r);
	char *out = render(&r, OUT_CSV, NULL);
	assert_string_equal(out, "name,n,ok\r\nacme,7,true\r\n\"日本, \"\"x\"\"\tz\",12,\r\n");
	free(out);
	res_free(&r);
}

static void json_types_and_escapes(void **state)
{
	(void)state;
	tc_result r;
	sample(&r);
	char *out = render(&r, OUT_JSON, NULL);
	assert_string_equal(out, "[{\"name\":\"acme\",\"n\":7,\"ok\":true},\n"
				 " {\"name\":\"日本, \\\"x\\\"\\tz\",\"n\":12,\"ok\":null}]\n");
	free(out);
	res_free(&r);
}

static void json_keeps_document_valid(void **state)
{
	(void)state;
	strbuf sb = STRBUF_INIT;
	out_json_string(&sb, "a\x01\xff\nb\\");
	assert_string_equal(sb_str(&sb), "\"a\\u0001\\ufffd\\nb\\\\\"");
	sb_free(&sb);
}

static void terminal_output_neutralises_escapes(void **state)
{
	(void)state;
	tc_result r;
	res_init(&r, RES_TABLE);
	res_add_col(&r, "slug", RES_T_TEXT);
	size_t i = res_add_row(&r);
	res_set(&r, i, 0, "evil\033[2Jname");
	char *out = render(&r, OUT_TABLE, NULL);
	assert_null(strchr(out, '\033'));
	assert_non_null(strstr(out, "evil?[2Jname"));
	free(out);
	res_free(&r);
}

static void record_and_text(void **state)
{
	(void)state;
	tc_result r;
	res_init(&r, RES_RECORD);
	res_add_col(&r, "user", RES_T_TEXT);
	res_add_col(&r, "standby", RES_T_BOOL);
	size_t i = res_add_row(&r);
	res_set(&r, i, 0, "ops");
	res_set(&r, i, 1, "false");
	char *out = render(&r, OUT_TABLE, NULL);
	assert_string_equal(out, "user:    ops\nstandby: false\n");
	free(out);
	out = render(&r, OUT_JSON, NULL);
	assert_string_equal(out, "{\"user\":\"ops\",\"standby\":false}\n");
	free(out);
	res_free(&r);

	res_init(&r, RES_TEXT);
	sb_add(&r.text, "hello\n");
	out = render(&r, OUT_JSON, NULL);
	assert_string_equal(out, "{\"text\":\"hello\\n\"}\n");
	free(out);
	res_free(&r);
}

static void display_width(void **state)
{
	(void)state;
	assert_int_equal(out_display_width("abc"), 3);
	assert_int_equal(out_display_width("日本"), 4);
	assert_int_equal(out_display_width("é"), 1);
	assert_int_equal(out_display_width("\xff"), 1);
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "en_US.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_aligns_wide_characters),
		cmocka_unit_test(detail_columns),
		cmocka_unit_test(long_cells_clipped_on_terminal),
		cmocka_unit_test(plain_escapes_like_copy),
		cmocka_unit_test(csv_quotes),
		cmocka_unit_test(json_types_and_escapes),
		cmocka_unit_test(json_keeps_document_valid),
		cmocka_unit_test(terminal_output_neutralises_escapes),
		cmocka_unit_test(record_and_text),
		cmocka_unit_test(display_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
