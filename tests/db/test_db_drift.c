/* The drift corpus (tests/drift/CASE/): for every case, live.sql and
 * reference.sql go into two fresh databases; the drift between them must be
 * exactly the case's `expected` items; then `drift sql` is applied to the
 * live database and a second comparison must find no drift left (column
 * order and other information items aside).
 *
 * A case folder holds:
 *   live.sql, reference.sql  the two schemas
 *   expected                 one line per item, "STATUS KIND OBJECT [ATTRIBUTE]",
 *                            in report order; information items start "info "
 *   unsafe                   (optional) reconcile with --unsafe; the run
 *                            without it is checked too: destructive statements
 *                            listed as skipped, never written
 *   privileges               (optional) read and compare privileges
 *   remaining                (optional) items drift sql cannot remove (history)
 * TC_DRIFT_CASE=NAME runs one case only; TC_DRIFT_SHOW_SQL=1 prints the SQL of
 * each case; TC_DRIFT_FOUND=DIR writes each case's items to DIR/CASE, to
 * review when writing a new case's `expected`. */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "conn.h"
#include "dbtest.h"
#include "drift.h"
#include "reconcile.h"
#include "schema.h"
#include "strbuf.h"
#include "xalloc.h"

/* fail_msg() longjmps out of the test: a message built for it must outlive
 * the function that built it. */
static char *last_message;

static _Noreturn void fail_owned(char *msg)
{
	free(last_message);
	last_message = msg;
	fail_msg("%s", msg);
	abort(); /* not reached */
}

static const char *srcdir(void)
{
	const char *d = getenv("TC_SRCDIR");
	return d && *d ? d : ".";
}

static char *case_path(const char *name, const char *file)
{
	return xasprintf("%s/tests/drift/%s/%s", srcdir(), name, file);
}

/* The file's text, or NULL when there is none. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	strbuf sb = STRBUF_INIT;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		sb_addn(&sb, chunk, got);
	fclose(f);
	sb_add(&sb, "");
	return sb_steal(&sb);
}

static bool case_has(const char *name, const char *file)
{
	char *p = case_path(name, file);
	bool ok = access(p, F_OK) == 0;
	free(p);
	return ok;
}

static char *case_file(const char *name, const char *file)
{
	char *p = case_path(name, file);
	char *text = slurp(p);
	if (!text)
		fail_owned(xasprintf("cannot read %s (is TC_SRCDIR the source tree?)", p));
	free(p);
	return text;
}

static void read_model(const char *dsn, bool privileges, sch_model *out)
{
	conn_params p = {.dsn = dsn};
	tc_conn *c = NULL;
	tc_error err = TC_ERROR_INIT;
	if (conn_open(&p, &c, &err) != TC_OK)
		fail_owned(xasprintf("connect %s: %s", dsn, err.message));
	catalog_opts o = {.privileges = privileges};
	if (catalog_read(c, &o, out, &err) != TC_OK) {
		conn_close(c);
		fail_owned(xasprintf("catalog_read %s: %s", dsn, err.message));
	}
	conn_close(c);
}

static void compare(const sch_model *live, const sch_model *ref, drift_report *r)
{
	tc_error err = TC_ERROR_INIT;
	if (drift_compare(live, ref, NULL, r, &err) != TC_OK)
		fail_owned(xasprintf("drift_compare: %s", err.message));
}

/* The items that count, one line each: drift, and information items
 * marked as such. */
static char *item_lines(const drift_report *r, bool with_info)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "");
	for (size_t i = 0; i < r->n; i++) {
		const drift_item *it = &r->items[i];
		if (it->skew || it->allowed || (it->info && !with_info))
			continue;
		sb_addf(&sb, "%s%s %s %s%s%s\n", it->info ? "info " : "",
			drift_status_name(it->status), it->kind, it->object,
			it->attribute ? " " : "", it->attribute ? it->attribute : "");
	}
	return sb_steal(&sb);
}

/* Expected lines without comments, blank lines and trailing blanks. */
static char *normalize(const char *text)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "");
	for (const char *p = text; p && *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
			len--;
		if (len && p[0] != '#') {
			sb_addn(&sb, p, len);
			sb_addc(&sb, '\n');
		}
		p = e ? e + 1 : p + strlen(p);
	}
	return sb_steal(&sb);
}

static bool has_line(const char *text, const char *line, size_t len)
{
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == len && strncmp(p, line, len) == 0)
			return true;
		p = e ? e + 1 : p + l;
	}
	return false;
}

/* "-" lines expected but not found, "+" lines found but not expected. */
static char *line_diff(const char *want, const char *got)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "");
	for (int side = 0; side < 2; side++) {
		const char *a = side ? got : want, *b = side ? want : got;
		for (const char *p = a; *p;) {
			const char *e = strchr(p, '\n');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			if (!has_line(b, p, l))
				sb_addf(&sb, "  %c %.*s\n", side ? '+' : '-', (int)l, p);
			p = e ? e + 1 : p + l;
		}
	}
	return sb_steal(&sb);
}

/* Statements before "BEGIN;" (ALTER TYPE ... ADD VALUE) run one at a time,
 * each in its own transaction as psql would send them; the rest at once. */
static void apply_sql(const char *dsn, const char *sql)
{
	const char *begin = strstr(sql, "\nBEGIN;\n");
	const char *pre_end = begin ? begin : sql + strlen(sql);
	for (const char *p = sql; p < pre_end;) {
		const char *e = memchr(p, '\n', (size_t)(pre_end - p));
		size_t l = e ? (size_t)(e - p) : (size_t)(pre_end - p);
		if (l && strncmp(p, "--", 2) != 0) {
			char *stmt = xstrndup(p, l);
			dbtest_exec(dsn, stmt);
			free(stmt);
		}
		p = e ? e + 1 : pre_end;
	}
	if (begin)
		dbtest_exec(dsn, begin + 1);
}

static char *reconcile(const drift_report *r, bool unsafe, size_t *skipped)
{
	reconcile_opts o = {.unsafe = unsafe};
	strbuf sb = STRBUF_INIT;
	tc_error err = TC_ERROR_INIT;
	if (reconcile_sql(r, &o, &sb, skipped, &err) != TC_OK)
		fail_owned(xasprintf("reconcile_sql: %s", err.message));
	return sb_steal(&sb);
}

static size_t count_prefix_lines(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	for (const char *p = text; p && *p;) {
		if (strncmp(p, prefix, len) == 0)
			n++;
		const char *e = strchr(p, '\n');
		p = e ? e + 1 : p + strlen(p);
	}
	return n;
}

/* Without --unsafe: every destructive statement is listed as skipped (the
 * count says how many) and none of them is written as a statement; the SQL
 * applies, and leaves only drift that was there before. */
static void check_safe_run(const char *name, const drift_report *r, const char *before,
			   bool privileges)
{
	size_t skipped = 0;
	char *sql = reconcile(r, false, &skipped);
	if (getenv("TC_DRIFT_SHOW_SQL"))
		fprintf(stderr, "---- %s (without --unsafe)\n%s", name, sql);
	if (skipped == 0)
		fail_owned(xasprintf(
			"%s: an unsafe case, yet nothing was skipped without --unsafe:\n%s", name,
			sql));
	if (strstr(sql, "UNSAFE"))
		fail_owned(xasprintf("%s: UNSAFE statements without --unsafe:\n%s", name, sql));
	size_t listed = count_prefix_lines(sql, "-- skipped (needs --unsafe): ");
	if (listed != skipped)
		fail_owned(xasprintf("%s: %zu skipped but %zu listed:\n%s", name, skipped, listed,
				     sql));
	static const char prefix[] = "-- skipped (needs --unsafe): ";
	for (const char *p = strstr(sql, prefix); p; p = strstr(p + 1, prefix)) {
		const char *stmt = p + sizeof prefix - 1;
		const char *e = strchr(stmt, '\n');
		size_t l = e ? (size_t)(e - stmt) : strlen(stmt);
		if (has_line(sql, stmt, l))
			fail_owned(xasprintf("%s: skipped statement written anyway: %.*s\n%s", name,
					     (int)l, stmt, sql));
	}
	char *live_dsn = dbtest_new_db();
	char *live_sql = case_file(name, "live.sql");
	dbtest_exec(live_dsn, live_sql);
	apply_sql(live_dsn, sql);
	sch_model live;
	read_model(live_dsn, privileges, &live);
	drift_report again;
	compare(&live, r->ref, &again);
	char *after = item_lines(&again, false);
	char *extra = NULL;
	for (const char *p = after; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (!has_line(before, p, l)) {
			extra = xasprintf("%s: the safe SQL left drift that was not there before: "
					  "%.*s\nSQL:\n%s",
					  name, (int)l, p, sql);
			break;
		}
		p = e ? e + 1 : p + l;
	}
	drift_report_free(&again);
	sch_free(&live);
	free(after);
	free(live_sql);
	free(live_dsn);
	free(sql);
	if (extra)
		fail_owned(extra);
}

static void run_case(void **state)
{
	const char *name = *state;
	bool unsafe = case_has(name, "unsafe"), privileges = case_has(name, "privileges");
	char *live_sql = case_file(name, "live.sql"), *ref_sql = case_file(name, "reference.sql");
	char *expected_text = case_file(name, "expected");
	char *expected = normalize(expected_text);
	char *remaining_text = case_has(name, "remaining") ? case_file(name, "remaining") : NULL;
	char *remaining = normalize(remaining_text);
	char *live_dsn = dbtest_new_db(), *ref_dsn = dbtest_new_db();
	dbtest_exec(live_dsn, live_sql);
	dbtest_exec(ref_dsn, ref_sql);

	sch_model live, ref;
	read_model(live_dsn, privileges, &live);
	read_model(ref_dsn, privileges, &ref);
	drift_report r;
	compare(&live, &ref, &r);
	char *got = item_lines(&r, true);
	const char *found_dir = getenv("TC_DRIFT_FOUND");
	if (found_dir && *found_dir) {
		char *p = xasprintf("%s/%s", found_dir, name);
		FILE *f = fopen(p, "w");
		if (f) {
			fputs(got, f);
			fclose(f);
		}
		free(p);
	}
	if (strcmp(got, expected) != 0)
		fail_owned(xasprintf("%s: drift items differ from %s/tests/drift/%s/expected "
				     "(- expected, + found):\n%s\nfound, in order:\n%s",
				     name, srcdir(), name, line_diff(expected, got), got));

	size_t skipped = 0;
	char *sql = reconcile(&r, unsafe, &skipped);
	if (!unsafe && skipped)
		fail_owned(xasprintf("%s: %zu destructive statements skipped in a case without an "
				     "`unsafe` file:\n%s",
				     name, skipped, sql));
	if (unsafe && (skipped || !strstr(sql, "-- UNSAFE: ")))
		fail_owned(
			xasprintf("%s: with --unsafe, expected marked destructive statements and "
				  "none skipped (%zu):\n%s",
				  name, skipped, sql));
	if (getenv("TC_DRIFT_SHOW_SQL"))
		fprintf(stderr, "---- %s\n%s", name, sql);
	apply_sql(live_dsn, sql);

	sch_model live2;
	read_model(live_dsn, privileges, &live2);
	drift_report again;
	compare(&live2, &ref, &again);
	char *left = item_lines(&again, false);
	if (strcmp(left, remaining) != 0)
		fail_owned(
			xasprintf("%s: drift left after applying drift sql (- allowed to remain, "
				  "+ found):\n%s\nSQL applied:\n%s",
				  name, line_diff(remaining, left), sql));
	if (unsafe)
		check_safe_run(name, &r, got, privileges);

	drift_report_free(&again);
	drift_report_free(&r);
	sch_free(&live2);
	sch_free(&live);
	sch_free(&ref);
	free(left);
	free(sql);
	free(got);
	free(live_dsn);
	free(ref_dsn);
	free(remaining);
	free(remaining_text);
	free(expected);
	free(expected_text);
	free(live_sql);
	free(ref_sql);
}

/* ------------------------------------------------ without a database */

static sch_obj *add(sch_model *m, const char *kind, const char *name)
{
	return sch_add(m, kind, name);
}

static void add_column(sch_model *m, const char *name, const char *type, const char *pos)
{
	sch_obj *o = add(m, "column", name);
	sch_set(o, "type", type, 0);
	sch_set(o, "not_null", "false", 0);
	sch_set(o, "position", pos, SCH_INFO);
}

static void add_table(sch_model *m, const char *name)
{
	sch_obj *o = add(m, "table", name);
	sch_set(o, "kind", "table", 0);
	sch_set(o, "persistence", "permanent", 0);
	sch_set(o, "rls", "false", 0);
	sch_set(o, "rls_forced", "false", 0);
}

/* Extra objects: without --unsafe no DROP is written, each is listed as
 * skipped and counted; with it each DROP is there, marked. */
static void safe_mode_writes_no_drop(void **state)
{
	(void)state;
	sch_model live, ref;
	sch_init(&live);
	sch_init(&ref);
	sch_note_not_read(&live, "privileges: not read");
	sch_note_not_read(&ref, "privileges: not read");
	add(&live, "schema", "public");
	add(&ref, "schema", "public");
	add_table(&live, "public.t");
	add_table(&ref, "public.t");
	add_column(&live, "public.t.id", "integer", "1");
	add_column(&ref, "public.t.id", "integer", "1");
	add_column(&live, "public.t.old", "text", "2");
	sch_obj *x = add(&live, "index", "public.t_old_idx");
	sch_set(x, "table", "public.t", 0);
	sch_set(x, "definition", "CREATE INDEX t_old_idx ON public.t USING btree (old)",
		SCH_DEPARSED);
	add_table(&live, "public.\"we\"\"ird\"");
	add_column(&live, "public.\"we\"\"ird\".a", "integer", "1");
	assert_int_equal(sch_sort(&live, NULL), TC_OK);
	assert_int_equal(sch_sort(&ref, NULL), TC_OK);
	drift_report r;
	compare(&live, &ref, &r);
	assert_int_equal(r.n_drift, 3);

	size_t skipped = 99;
	char *sql = reconcile(&r, false, &skipped);
	assert_int_equal(skipped, 3);
	assert_int_equal(count_prefix_lines(sql, "-- skipped (needs --unsafe): "), 3);
	assert_int_equal(count_prefix_lines(sql, "DROP"), 0);
	assert_int_equal(count_prefix_lines(sql, "ALTER TABLE"), 0);
	assert_null(strstr(sql, "UNSAFE"));
	assert_null(strstr(sql, "BEGIN;"));
	assert_non_null(strstr(sql, "-- skipped (needs --unsafe): DROP TABLE IF EXISTS "
				    "\"public\".\"we\"\"ird\";"));
	assert_non_null(strstr(sql,
			       "-- skipped (needs --unsafe): ALTER TABLE \"public\".\"t\" DROP "
			       "COLUMN IF EXISTS \"old\";"));
	free(sql);

	sql = reconcile(&r, true, &skipped);
	assert_int_equal(skipped, 0);
	assert_int_equal(count_prefix_lines(sql, "-- UNSAFE: "), 3);
	assert_non_null(strstr(sql, "\nDROP TABLE IF EXISTS \"public\".\"we\"\"ird\";\n"));
	assert_non_null(strstr(sql, "\nDROP INDEX IF EXISTS \"public\".\"t_old_idx\";\n"));
	assert_non_null(
		strstr(sql, "\nALTER TABLE \"public\".\"t\" DROP COLUMN IF EXISTS \"old\";\n"));
	assert_non_null(strstr(sql, "\nBEGIN;\n"));
	assert_non_null(strstr(sql, "\nCOMMIT;\n"));
	free(sql);
	drift_report_free(&r);
	sch_free(&live);
	sch_free(&ref);
}

/* Allowlisted items are left alone unless asked; info items never make SQL. */
static void allowed_and_info_items_are_left(void **state)
{
	(void)state;
	sch_model live, ref;
	sch_init(&live);
	sch_init(&ref);
	add_table(&live, "public.t");
	add_table(&ref, "public.t");
	add_column(&live, "public.t.a", "integer", "1");
	add_column(&live, "public.t.b", "integer", "2");
	add_column(&ref, "public.t.a", "integer", "2");
	add_column(&ref, "public.t.b", "bigint", "1");
	assert_int_equal(sch_sort(&live, NULL), TC_OK);
	assert_int_equal(sch_sort(&ref, NULL), TC_OK);
	drift_report r;
	compare(&live, &ref, &r);
	for (size_t i = 0; i < r.n; i++)
		if (!r.items[i].info) {
			r.items[i].allowed = true;
			r.n_drift--;
			r.n_allowed++;
		}
	size_t skipped = 0;
	char *sql = reconcile(&r, false, &skipped);
	assert_null(strstr(sql, "ALTER TABLE"));
	assert_non_null(strstr(sql, "-- allowlisted, left as it is: column public.t.b type"));
	assert_null(strstr(sql, "position"));
	free(sql);
	reconcile_opts o = {.include_allowed = true};
	strbuf sb = STRBUF_INIT;
	assert_int_equal(reconcile_sql(&r, &o, &sb, &skipped, NULL), TC_OK);
	assert_non_null(strstr(sb_str(&sb), "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"b\" TYPE "
					    "bigint USING \"b\"::bigint;"));
	sb_free(&sb);
	drift_report_free(&r);
	sch_free(&live);
	sch_free(&ref);
}

/* Deparsed text across major versions is shown, never reconciled: the
 * SQL only says so. Comparable attributes still are. */
static void version_skew_is_only_a_comment(void **state)
{
	(void)state;
	sch_model live, ref;
	sch_init(&live);
	sch_init(&ref);
	live.server_major = 15;
	ref.server_major = 16;
	sch_obj *v = add(&live, "view", "public.v");
	sch_set(v, "definition", " SELECT 1;", SCH_DEPARSED);
	v = add(&ref, "view", "public.v");
	sch_set(v, "definition", " SELECT 1 AS one;", SCH_DEPARSED);
	sch_set(v, "comment", "it's new", 0);
	assert_int_equal(sch_sort(&live, NULL), TC_OK);
	assert_int_equal(sch_sort(&ref, NULL), TC_OK);
	drift_report r;
	compare(&live, &ref, &r);
	size_t skipped = 0;
	char *sql = reconcile(&r, true, &skipped);
	assert_null(strstr(sql, "VIEW \"public\".\"v\" AS"));
	assert_null(strstr(sql, "DROP"));
	assert_non_null(strstr(sql,
			       "-- version skew, not compared and not reconciled: view public.v "
			       "definition"));
	assert_non_null(strstr(sql, "COMMENT ON VIEW \"public\".\"v\" IS 'it''s new';"));
	free(sql);
	drift_report_free(&r);
	sch_free(&live);
	sch_free(&ref);
}

/* ------------------------------------------------------------- main */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	char *dir = xasprintf("%s/tests/drift", srcdir());
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "cannot open %s (set TC_SRCDIR to the source tree)\n", dir);
		free(dir);
		return 1;
	}
	const char *only = getenv("TC_DRIFT_CASE");
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		bool isdir = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
		free(p);
		if (!isdir || (only && *only && strcmp(only, e->d_name) != 0))
			continue;
		names = xgrow(names, &cap, n + 1, sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	free(dir);
	qsort(names, n, sizeof *names, cmp_names);

	struct CMUnitTest *tests = xcalloc(n + 3, sizeof *tests);
	size_t t = 0;
	tests[t++] = (struct CMUnitTest){"safe_mode_writes_no_drop", safe_mode_writes_no_drop, NULL,
					 NULL, NULL};
	tests[t++] = (struct CMUnitTest){"allowed_and_info_items_are_left",
					 allowed_and_info_items_are_left, NULL, NULL, NULL};
	tests[t++] = (struct CMUnitTest){"version_skew_is_only_a_comment",
					 version_skew_is_only_a_comment, NULL, NULL, NULL};
	for (size_t i = 0; i < n; i++)
		tests[t++] = (struct CMUnitTest){names[i], run_case, NULL, NULL, names[i]};
	int failed = _cmocka_run_group_tests("drift", tests, t, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	free(last_message);
	return failed;
}
