/* Migration history tables against a real server: tenantctl's own, and the
 * ones dbmate, golang-migrate, Flyway, Prisma and Alembic leave behind
 * (written here with SQL, in each tool's real shape, as the tool would). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn.h"
#include "dbtest.h"
#include "error.h"
#include "mighist.h"
#include "xalloc.h"

/* ---- helpers ---------------------------------------------------------- */

static tc_conn *open_conn(const char *dsn, bool write)
{
	conn_params p = {.dsn = dsn, .write = write};
	tc_conn *c = NULL;
	tc_error err = TC_ERROR_INIT;
	if (conn_open(&p, &c, &err) != TC_OK)
		fail_msg("conn_open: %s", err.message);
	return c;
}

static void read_ok(tc_conn *c, hist_kind kind, const char *table, hist_set *h)
{
	tc_error err = TC_ERROR_INIT;
	tc_status st = hist_read(c, kind, table, h, &err);
	if (st != TC_OK)
		fail_msg("hist_read(%s, %s): %s", hist_kind_name(kind), table ? table : "(default)",
			 err.message);
}

static void ok(tc_status st, tc_error *err)
{
	if (st != TC_OK)
		fail_msg("expected TC_OK, got %d: %s (hint: %s)", (int)st,
			 err->message ? err->message : "-", err->hint ? err->hint : "-");
	assert_null(err->message);
}

/* The call failed with `want`, and the message says `needle`. */
static void failed_with(tc_status got, tc_status want, tc_error *err, const char *needle)
{
	assert_int_equal(got, want);
	assert_non_null(err->message);
	if (needle && !strstr(err->message, needle))
		fail_msg("message '%s' does not say '%s'", err->message, needle);
	tc_error_clear(err);
}

static void scalar_is(const char *dsn, const char *sql, const char *want)
{
	char *got = dbtest_scalar(dsn, sql);
	if (!want)
		assert_null(got);
	else if (!got || strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, got ? got : "NULL", want);
	free(got);
}

/* ---- names and kinds -------------------------------------------------- */

static void kinds_round_trip(void **state)
{
	(void)state;
	const hist_kind all[] = {HIST_TENANTCTL, HIST_DBMATE,  HIST_GOLANG,
				 HIST_FLYWAY,    HIST_PRISMA, HIST_ALEMBIC};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		hist_kind k = HIST_TENANTCTL;
		assert_true(hist_kind_parse(hist_kind_name(all[i]), &k));
		assert_int_equal(k, all[i]);
		assert_non_null(hist_default_table(all[i]));
	}
	hist_kind k = HIST_TENANTCTL;
	assert_true(hist_kind_parse("golang", &k));
	assert_int_equal(k, HIST_GOLANG);
	assert_string_equal(hist_kind_name(HIST_GOLANG), "golang-migrate");
	assert_false(hist_kind_parse("liquibase", &k));
	assert_false(hist_kind_parse(NULL, &k));
	assert_string_equal(hist_default_table(HIST_TENANTCTL), HIST_DEFAULT_TABLE);
	assert_string_equal(hist_default_table(HIST_DBMATE), "public.schema_migrations");
	assert_string_equal(hist_default_table(HIST_GOLANG), "public.schema_migrations");
	assert_string_equal(hist_default_table(HIST_FLYWAY), "public.flyway_schema_history");
	assert_string_equal(hist_default_table(HIST_PRISMA), "public._prisma_migrations");
	assert_string_equal(hist_default_table(HIST_ALEMBIC), "public.alembic_version");
}

static void split_name_accepts(void **state)
{
	(void)state;
	static const struct {
		const char *in, *schema, *table;
	} cases[] = {
		{"hist", "public", "hist"},
		{"ops.hist", "ops", "hist"},
		{"Ops.Hist", "Ops", "Hist"}, /* taken literally: no case folding */
		{"Weird \"Hist\" Table", "public", "Weird \"Hist\" Table"},
		{"Odd Schema.Weird \"Hist\" Table", "Odd Schema", "Weird \"Hist\" Table"},
		{"x; DROP TABLE y", "public", "x; DROP TABLE y"},
		{"s.123456789012345678901234567890123456789012345678901234567890123",
		 "s", "123456789012345678901234567890123456789012345678901234567890123"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = NULL, *t = NULL;
		tc_error err = TC_ERROR_INIT;
		ok(hist_split_name(cases[i].in, &s, &t, &err), &err);
		assert_string_equal(s, cases[i].schema);
		assert_string_equal(t, cases[i].table);
		free(s);
		free(t);
	}
}

static void split_name_rejects(void **state)
{
	(void)state;
	static const struct {
		const char *in, *says;
	} cases[] = {
		{"", "empty"},
		{".", "empty schema"},
		{".hist", "empty schema"},
		{"ops.", "empty table"},
		{"a.b.c", "more than one dot"},
		{"a..b", "more than one dot"},
		{"1234567890123456789012345678901234567890123456789012345678901234", "64 bytes"},
		{"1234567890123456789012345678901234567890123456789012345678901234.t", "64 bytes"},
		{"bad\nname", "control character"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = (char *)"x", *t = (char *)"x";
		tc_error err = TC_ERROR_INIT;
		assert_int_equal(hist_split_name(cases[i].in, &s, &t, &err), TC_ERR_USAGE);
		assert_null(s);
		assert_null(t);
		assert_non_null(err.hint);
		if (!strstr(err.message, cases[i].says))
			fail_msg("'%s': message '%s' does not say '%s'", cases[i].in, err.message,
				 cases[i].says);
		tc_error_clear(&err);
	}
	char *s, *t;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(hist_split_name(NULL, &s, &t, &err), TC_ERR_USAGE);
	tc_error_clear(&err);
}

/* ---- missing tables --------------------------------------------------- */

static void missing_tables_read_empty(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_conn *c = open_conn(dsn, false);
	for (int k = HIST_TENANTCTL; k <= HIST_ALEMBIC; k++) {
		hist_set h;
		read_ok(c, (hist_kind)k, NULL, &h);
		assert_false(h.exists);
		assert_int_equal(h.n, 0);
		assert_int_equal(h.kind, k);
		assert_string_equal(h.table, hist_default_table((hist_kind)k));
		hist_free(&h);
		read_ok(c, (hist_kind)k, "nosuch", &h);
		assert_false(h.exists);
		assert_string_equal(h.table, "public.nosuch");
		hist_free(&h);
	}
	/* A schema that is not there either. */
	hist_set h;
	read_ok(c, HIST_TENANTCTL, "nosuch.hist", &h);
	assert_false(h.exists);
	assert_int_equal(h.n, 0);
	hist_free(&h);
	/* A malformed name is the caller's mistake, not a missing table. */
	tc_error err = TC_ERROR_INIT;
	failed_with(hist_read(c, HIST_DBMATE, "a.b.c", &h, &err), TC_ERR_USAGE, &err, "a.b.c");
	conn_close(c);
	free(dsn);
}

/* ---- tenantctl's own table -------------------------------------------- */

static void tenantctl_records_and_replaces(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_conn *c = open_conn(dsn, true);
	tc_error err = TC_ERROR_INIT;
	ok(hist_ensure(c, HIST_TENANTCTL, NULL, &err), &err);
	ok(hist_ensure(c, HIST_TENANTCTL, NULL, &err), &err); /* twice is fine */
	scalar_is(dsn,
		  "SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod) || "
		  "CASE WHEN attnotnull THEN '!' ELSE '' END, ',' ORDER BY attnum) "
		  "FROM pg_attribute "
		  "WHERE attrelid = 'public.tenantctl_schema_migrations'::regclass "
		  "AND attnum > 0",
		  "version:text!,name:text!,checksum:text!,started_at:timestamp with time zone!,"
		  "finished_at:timestamp with time zone,duration_ms:bigint,applied_by_os:text,"
		  "applied_by_db:text!,state:text!,failed_statement:integer,error:text");

	/* A non-transactional migration fails at its third statement. */
	hist_row fail = {.version = "20240102030405", .name = "add_index",
			 .checksum = "aa11", .started_at = "2024-05-06 07:08:09.5+00",
			 .finished_at = "2024-05-06 07:08:11+00", .duration_ms = 1500,
			 .applied_by = "alice/app_owner", .failed_statement = 3,
			 .error = "relation \"x\" does not exist"};
	ok(hist_record_failed(c, HIST_TENANTCTL, NULL, &fail, &err), &err);
	hist_set h;
	read_ok(c, HIST_TENANTCTL, NULL, &h);
	assert_true(h.exists);
	assert_int_equal(h.n, 1);
	hist_row *r = &h.rows[0];
	assert_string_equal(r->version, "20240102030405");
	assert_string_equal(r->name, "add_index");
	assert_string_equal(r->checksum, "aa11");
	assert_string_equal(r->started_at, "2024-05-06T07:08:09.5Z");
	assert_string_equal(r->finished_at, "2024-05-06T07:08:11Z");
	assert_int_equal(r->duration_ms, 1500);
	assert_string_equal(r->applied_by, "alice/app_owner");
	assert_true(r->failed);
	assert_int_equal(r->failed_statement, 3);
	assert_string_equal(r->error, "relation \"x\" does not exist");
	hist_free(&h);

	/* `migrate resolve --applied` (or a successful retry) replaces it. */
	hist_row done = {.version = "20240102030405", .name = "add_index", .checksum = "bb22",
			 .started_at = "2024-05-07T10:00:00Z",
			 .finished_at = "2024-05-07T10:00:02Z",
			 .duration_ms = 2000, .applied_by = "bob/",
			 .failed_statement = 3, .error = "ignored for an applied row"};
	ok(hist_record_applied(c, HIST_TENANTCTL, NULL, &done, &err), &err);
	read_ok(c, HIST_TENANTCTL, NULL, &h);
	assert_int_equal(h.n, 1);
	r = &h.rows[0];
	assert_false(r->failed);
	assert_int_equal(r->failed_statement, 0);
	assert_null(r->error);
	assert_string_equal(r->checksum, "bb22");
	assert_int_equal(r->duration_ms, 2000);
	assert_string_equal(r->applied_by, "bob/postgres"); /* the server filled the db user */
	assert_string_equal(r->started_at, "2024-05-07T10:00:00Z");
	hist_free(&h);
	scalar_is(dsn, "SELECT state FROM tenantctl_schema_migrations", "applied");

	/* Unknowns: no times, no duration, no user, no checksum or name. An
	 * earlier start sorts first whatever the version says. */
	hist_row bare = {.version = "20990101000000", .duration_ms = -1,
			 .started_at = "2020-01-01 00:00:00+00"};
	ok(hist_record_applied(c, HIST_TENANTCTL, NULL, &bare, &err), &err);
	hist_row now = {.version = "20250101000000", .name = "latest", .checksum = "cc33",
			.duration_ms = -1, .applied_by = "carol"};
	ok(hist_record_applied(c, HIST_TENANTCTL, NULL, &now, &err), &err);
	read_ok(c, HIST_TENANTCTL, NULL, &h);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.rows[0].version, "20990101000000");
	assert_null(h.rows[0].name);
	assert_null(h.rows[0].checksum);
	assert_int_equal(h.rows[0].duration_ms, -1);
	assert_string_equal(h.rows[0].applied_by, "/postgres"); /* no OS user known */
	assert_non_null(h.rows[0].finished_at);
	assert_string_equal(h.rows[1].version, "20240102030405");
	assert_string_equal(h.rows[2].version, "20250101000000");
	assert_string_equal(h.rows[2].applied_by, "carol/postgres"); /* bare: the OS user */
	assert_non_null(h.rows[2].started_at); /* now() */
	assert_non_null(strchr(h.rows[2].started_at, 'T'));
	assert_int_equal(h.rows[2].started_at[strlen(h.rows[2].started_at) - 1], 'Z');
	hist_free(&h);

	/* Forget one; forgetting one that is not there is not an error. */
	ok(hist_remove(c, HIST_TENANTCTL, NULL, "20240102030405", &err), &err);
	ok(hist_remove(c, HIST_TENANTCTL, NULL, "19990101000000", &err), &err);
	read_ok(c, HIST_TENANTCTL, NULL, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.rows[0].version, "20990101000000");
	assert_string_equal(h.rows[1].version, "20250101000000");
	hist_free(&h);

	/* A configured table elsewhere, and bad input. */
	dbtest_exec(dsn, "CREATE SCHEMA ops");
	ok(hist_ensure(c, HIST_TENANTCTL, "ops.core_history", &err), &err);
	ok(hist_record_applied(c, HIST_TENANTCTL, "ops.core_history", &now, &err), &err);
	scalar_is(dsn, "SELECT version FROM ops.core_history", "20250101000000");
	hist_row nover = {.version = "", .duration_ms = -1};
	failed_with(hist_record_applied(c, HIST_TENANTCTL, NULL, &nover, &err), TC_ERR_USAGE,
		    &err, "no version");
	failed_with(hist_record_applied(c, HIST_TENANTCTL, NULL, NULL, &err), TC_ERR_USAGE, &err,
		    NULL);
	hist_row badtime = {.version = "1", .started_at = "yesterday-ish", .duration_ms = -1};
	failed_with(hist_record_applied(c, HIST_TENANTCTL, NULL, &badtime, &err), TC_ERR_DB, &err,
		    "public.tenantctl_schema_migrations");
	conn_close(c);
	free(dsn);
}

static void ensure_and_write_need_a_place(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_conn *c = open_conn(dsn, true);
	tc_error err = TC_ERROR_INIT;
	failed_with(hist_ensure(c, HIST_TENANTCTL, "nosuch.hist", &err), TC_ERR_USAGE, &err,
		    "schema \"nosuch\" does not exist");
	hist_row row = {.version = "1", .duration_ms = -1};
	for (int k = HIST_TENANTCTL; k <= HIST_PRISMA; k++) {
		failed_with(hist_record_applied(c, (hist_kind)k, NULL, &row, &err), TC_ERR_USAGE,
			    &err, "does not exist");
		failed_with(hist_remove(c, (hist_kind)k, NULL, "1", &err), TC_ERR_USAGE, &err,
			    hist_default_table((hist_kind)k));
	}
	conn_close(c);

	/* A read-only session: the server's refusal reaches the caller. */
	c = open_conn(dsn, false);
	tc_status st = hist_ensure(c, HIST_TENANTCTL, NULL, &err);
	assert_int_equal(st, TC_ERR_DB);
	assert_non_null(strstr(err.message, "refused the write"));
	assert_non_null(strstr(err.message, "public.tenantctl_schema_migrations"));
	tc_error_clear(&err);
	conn_close(c);
	scalar_is(dsn,
		  "SELECT count(*) FROM pg_class WHERE relname = 'tenantctl_schema_migrations'",
		  "0");
	free(dsn);
}

static void wrong_shapes_are_named(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "CREATE TABLE public.just_versions (version varchar(128) PRIMARY KEY);"
			 "CREATE SEQUENCE public.a_sequence;"
			 "CREATE TABLE public.schema_migrations ("
			 " version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)");
	tc_conn *c = open_conn(dsn, true);
	tc_error err = TC_ERROR_INIT;
	hist_set h;
	/* dbmate's shape read as tenantctl's: says which column, and whose it looks like. */
	assert_int_equal(hist_read(c, HIST_TENANTCTL, "just_versions", &h, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "public.just_versions"));
	assert_non_null(strstr(err.message, "\"name\""));
	assert_non_null(strstr(err.hint, "dbmate"));
	tc_error_clear(&err);
	assert_null(h.table);
	assert_int_equal(h.n, 0);
	/* hist_ensure does not paper over it either. */
	failed_with(hist_ensure(c, HIST_TENANTCTL, "just_versions", &err), TC_ERR_USAGE, &err,
		    "public.just_versions");
	/* golang-migrate's table read as dbmate's. */
	assert_int_equal(hist_read(c, HIST_DBMATE, NULL, &h, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "golang-migrate"));
	assert_non_null(strstr(err.message, "public.schema_migrations"));
	tc_error_clear(&err);
	/* Not a table at all. */
	failed_with(hist_read(c, HIST_DBMATE, "a_sequence", &h, &err), TC_ERR_USAGE, &err,
		    "public.a_sequence is a sequence");
	hist_row row = {.version = "1", .duration_ms = -1};
	failed_with(hist_record_applied(c, HIST_FLYWAY, "just_versions", &row, &err), TC_ERR_USAGE,
		    &err, "flyway");
	conn_close(c);
	free(dsn);
}

/* ---- dbmate ----------------------------------------------------------- */

static const char DBMATE_DDL[] =
	"CREATE TABLE IF NOT EXISTS public.schema_migrations (version varchar(128) primary key)";

static void dbmate_reads_and_writes(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, DBMATE_DDL);
	dbtest_exec(dsn, "INSERT INTO schema_migrations (version) VALUES "
			 "('20240101000000'), ('20230101000000')");
	tc_conn *c = open_conn(dsn, true);
	tc_error err = TC_ERROR_INIT;
	hist_set h;
	read_ok(c, HIST_DBMATE, NULL, &h);
	assert_true(h.exists);
	assert_string_equal(h.table, "public.schema_migrations");
	assert_int_equal(h.n, 2);
	assert_string_equal(h.rows[0].version, "20230101000000");
	assert_string_equal(h.rows[1].version, "20240101000000");
	assert_null(h.rows[0].name);
	assert_null(h.rows[0].checksum);
	assert_null(h.rows[0].started_at);
	assert_int_equal(h.rows[0].duration_ms, -1);
	assert_false(h.rows[0].failed);
	hist_free(&h);

	hist_row row = {.version = "20250101000000", .name = "add_orgs", .checksum = "ff",
			.duration_ms = 5};
	ok(hist_record_applied(c, HIST_DBMATE, NULL, &row, &err), &err);
	ok(hist_record_applied(c, HIST_DBMATE, NULL, &row, &err), &err); /* no duplicate */
	hist_row bad = {.version = "20260101000000", .duration_ms = -1, .failed_statement = 2};
	ok(hist_record_failed(c, HIST_DBMATE, NULL, &bad, &err), &err); /* dbmate keeps none */
	ok(hist_remove(c, HIST_DBMATE, NULL, "20230101000000", &err), &err);
	read_ok(c, HIST_DBMATE, NULL, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.rows[0].version, "20240101000000");
	assert_string_equal(h.rows[1].version, "20250101000000");
	hist_free(&h);
	scalar_is(dsn, "SELECT count(*) FROM schema_migrations", "2");

	/* On an empty database, the table is created as dbmate would. */
	char *dsn2 = dbtest_new_db();
	tc_conn *c2 = open_conn(dsn2, true);
	ok(hist_ensure(c2, HIST_DBMATE, NULL, &err), &err);
	scalar_is(dsn2, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
			"WHERE attrelid = 'public.schema_migrations'::regclass "
			"AND attname = 'version'",
		  "character varying(128)");
	ok(hist_record_applied(c2, HIST_DBMATE, NULL, &row, &err), &err);
	scalar_is(dsn2, "SELECT version FROM schema_migrations", "20250101000000");
	conn_close(c2);
	free(dsn2);
	conn_close(c);
	free(dsn);
}

/* ---- golang-migrate --------------------------------------------------- */

static const char GOLANG_DDL[] = "CREATE TABLE IF NOT EXISTS public.schema_migrations "
				 "(version bigint NOT NULL, dirty boolean NOT NULL, "
				 "CONSTRAINT schema_migrations_pkey PRIMARY KEY (version))";

static void golang_current_version_and_dirty(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, GOLANG_DDL);
	dbtest_exec(dsn, "INSERT INTO schema_migrations (version, dirty) VALUES (5, true)");
	tc_conn *c = open_conn(dsn, true);
	tc_error err = TC_ERROR_INIT;
	hist_set h;
	read_ok(c, HIST_GOLANG, NULL, &h);
	assert_true(h.exists);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.rows[0].version, "5");
	assert_true(h.rows[0].failed); /* dirty */
	assert_null(h.rows[0].name);
	hist_free(&h);

	hist_row six = {.version = "6", .duration_ms = -1};
	ok(hist_record_applied(c, HIST_GOLANG, NULL, &six, &err), &err);
	read_ok(c, HIST_GOLANG, NULL, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.rows[0].version, "6");
	assert_false(h.rows[0].failed);
	hist_free(&h);

	hist_row seven = {.version = "7", .duration_ms = -1, .failed_statement = 2,
			  .error = "boom"};
	ok(hist_record_failed(c, HIST_GOLANG, NULL, &seven, &err), &err);
	read_ok(c, HIST_GOLANG, NULL, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.rows[0].version, "7");
	assert_true(h.rows[0].failed);
	hist_free(&h);
	/* Resolved as applied: the same version, clean. */
	ok(hist_record_applied(c, HIST_GOLANG, NULL, &seven, &err), &err);
	scalar_is(dsn, "SELECT version || ':' || dirty FROM schema_migrations", "7:false");

	/* A down: the row goes; the caller then records the new current one. */
	ok(hist_remove(c, HIST_GOLANG, NULL, "7", &err), &err);
	read_ok(c, HIST_GOLANG, NULL, &h);
	assert_true(h.exists);
	assert_int_equal(h.n, 0);
	hist_free(&h);
	ok(hist_record_applied(c, HIST_GOLANG, NULL, &six, &err), &err);
	scalar_is(dsn, "SELECT count(*) || ':' || max(version) FROM schema_migrations", "1:6");

	hist_row word = {.version = "20240101_x", .duration_ms = -1};
	failed_with(hist_record_applied(c, HIST_GOLANG, NULL, &word, &err), TC_ERR_USAGE, &err,
		    "whole numbers");
	failed_with(hist_remove(c, HIST_GOLANG, NULL, "abc", &err), TC_ERR_USAGE, &err,
		    "whole numbers");

	/* Created as golang-migrate would on an empty database. */
	char *dsn2 = dbtest_new_db();
	tc_conn *c2 = open_conn(dsn2, true);
	ok(hist_ensure(c2, HIST_GOLANG, NULL, &err), &err);
	ok(hist_record_failed(c2, HIST_GOLANG, NULL, &six, &err), &err);
	scalar_is(dsn2, "SELECT version || ':' || dirty FROM schema_migrations", "6:true");
	conn_close(c2);
	free(dsn2);
	conn_close(c);
	free(dsn);
}

/* ---- Flyway ----------------------------------------------------------- */

static const char FLYWAY_DDL[] =
	"CREATE TABLE public.flyway_schema_history ("
	" installed_rank integer NOT NULL, version character varying(50),"
	" description character varying(200) NOT NULL, type character varying(20) NOT NULL,"
	" script character varying(1000) NOT NULL, checksum integer,"
	" installed_by character varying(100) NOT NULL,"
	" installed_on timestamp without time zone NOT NULL DEFAULT now(),"
	" execution_time integer NOT NULL, success boolean NOT NULL,"
	" CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank));"
	"CREATE INDEX flyway_schema_history_s_idx ON public.flyway_schema_history (success)";

static void flyway_reads_its_history(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, FLYWAY_DDL);
	dbtest_exec(dsn,
		    "SET TimeZone = 'UTC';"
		    "INSERT INTO flyway_schema_history VALUES"
		    " (0, '0', '<< Flyway Schema Creation >>', 'SCHEMA', '\"public\"', NULL,"
		    "  'postgres', '2024-01-01 00:00:00', 0, true),"
		    " (1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL,"
		    "  'postgres', '2024-01-01 00:00:01', 0, true),"
		    " (2, '2', 'add users', 'SQL', 'V2__add_users.sql', 12345, 'deploy',"
		    "  '2024-01-02 00:00:00.25', 42, true),"
		    " (3, NULL, 'refresh views', 'SQL', 'R__refresh_views.sql', 111, 'deploy',"
		    "  '2024-01-02 00:00:01', 7, true),"
		    " (4, '2.1', 'temp', 'SQL', 'V2_1__temp.sql', 5, 'deploy',"
		    "  '2024-01-03 00:00:00', 1, true),"
		    " (5, '3', 'add orgs', 'SQL', 'V3__add_orgs.sql', -5, 'deploy',"
		    "  '2024-01-04 00:00:00', 9, false),"
		    " (6, NULL, 'refresh views', 'SQL', 'R__refresh_views.sql', 222, 'deploy',"
		    "  '2024-01-05 00:00:00', 8, true),"
		    " (7, '2.1', 'temp', 'UNDO_SQL', 'U2_1__temp.sql', 6, 'deploy',"
		    "  '2024-01-06 00:00:00', 1, true)");
	tc_conn *c = open_conn(dsn, false);
	hist_set h;
	read_ok(c, HIST_FLYWAY, NULL, &h);
	assert_true(h.exists);
	assert_string_equal(h.table, "public.flyway_schema_history");
	/* The schema marker is skipped, 2.1 was undone, the repeatable is its latest run. */
	assert_int_equal(h.n, 4);
	assert_string_equal(h.rows[0].version, "1");
	assert_string_equal(h.rows[0].name, "<< Flyway Baseline >>");
	assert_false(h.rows[0].failed);
	assert_null(h.rows[0].checksum);

	assert_string_equal(h.rows[1].version, "2");
	assert_string_equal(h.rows[1].name, "add users");
	assert_string_equal(h.rows[1].checksum, "12345");
	assert_string_equal(h.rows[1].applied_by, "deploy");
	assert_int_equal(h.rows[1].duration_ms, 42);
	assert_false(h.rows[1].failed);
	assert_non_null(h.rows[1].started_at);

	assert_string_equal(h.rows[2].version, "3");
	assert_true(h.rows[2].failed);
	assert_string_equal(h.rows[2].checksum, "-5");

	assert_string_equal(h.rows[3].version, "");
	assert_string_equal(h.rows[3].name, "refresh views");
	assert_string_equal(h.rows[3].checksum, "222");
	assert_false(h.rows[3].failed);
	hist_free(&h);
	conn_close(c);

	/* installed_on is local time of the session that wrote it. */
	char *utc = xasprintf("%s options='-c TimeZone=UTC'", dsn);
	c = open_conn(utc, false);
	read_ok(c, HIST_FLYWAY, NULL, &h);
	assert_string_equal(h.rows[1].started_at, "2024-01-02T00:00:00.25Z");
	hist_free(&h);
	conn_close(c);
	free(utc);
	free(dsn);
}

static void flyway_writes_like_flyway(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_conn *c = open_conn(dsn, true);
	tc_error err = TC_ERROR_INIT;
	ok(hist_ensure(c, HIST_FLYWAY, NULL, &err), &err);
	scalar_is(dsn, "SELECT count(*) FROM pg_indexes WHERE tablename = 'flyway_schema_history' "
		       "AND indexname IN ('flyway_schema_history_pk', "
		       "'flyway_schema_history_s_idx')",
		  "2");

	/* A checksum that is not flyway's CRC32 is stored as unknown. */
	hist_row v1 = {.version = "1", .name = "add_users", .checksum = "e3b0c442",
		       .duration_ms = 12, .applied_by = "alice/deploy"};
	ok(hist_record_applied(c, HIST_FLYWAY, NULL, &v1, &err), &err);
	/* A bare OS user is no database user: installed_by is current_user. */
	hist_row v2 = {.version = "2", .name = "add_orgs", .checksum = "-77", .duration_ms = -1,
		       .applied_by = "carol", .failed_statement = 2, .error = "boom"};
	ok(hist_record_failed(c, HIST_FLYWAY, NULL, &v2, &err), &err);
	scalar_is(dsn,
		  "SELECT string_agg(installed_rank || '|' || coalesce(version, '-') || '|' || "
		  "description || '|' || type || '|' || script || '|' || "
		  "coalesce(checksum::text, '-')"
		  " || '|' || installed_by || '|' || execution_time || '|' || success, ';' "
		  "ORDER BY installed_rank) FROM flyway_schema_history",
		  "1|1|add users|SQL|V1__add_users.sql|-|deploy|12|true;"
		  "2|2|add orgs|SQL|V2__add_orgs.sql|-77|postgres|0|false");
	hist_set h;
	read_ok(c, HIST_FLYWAY, NULL, &h);
	assert_int_equal(h.n, 2);
	assert_true(h.rows[1].failed);
	hist_free(&h);

	/* The failed row is replaced (as `flyway repair` would), at the next rank. */
	ok(hist_record_applied(c, HIST_FLYWAY, NULL, &v2, &err), &err);
	scalar_is(dsn, "SELECT string_agg(installed_rank || ':' || success, ',' ORDER BY "
		       "installed_rank) FROM flyway_schema_history WHERE version = '2'",
		  "3:true");

	/* A repeatable appends on every run; reading shows the latest. */
	hist_row rep = {.version = "", .name = "refresh_views", .checksum = "1",
			.duration_ms = 3};
	ok(hist_record_applied(c, HIST_FLYWAY, NULL, &rep, &err), &err);
	rep.checksum = "2";
	ok(hist_record_applied(c, HIST_FLYWAY, NULL, &rep, &err), &err);
	scalar_is(dsn, "SELECT string_agg(script || ':' || checksum, ',' ORDER BY installed_rank) "
		       "FROM flyway_schema_history WHERE version IS NULL",
		  "R__refresh_views.sql:1,R__refresh_views.sql:2");
	read_ok(c, HIST_FLYWAY, NULL, &h);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.rows[0].version, "1");
	assert_string_equal(h.rows[1].version, "2");
	assert_false(h.rows[1].failed);
	assert_string_equal(h.rows[2].version, "");
	assert_string_equal(h.rows[2].name, "refresh views");
	assert_string_equal(h.rows[2].checksum, "2");
	hist_free(&h);

	/* Flyway's spelling of a version: 1_2 is 1.2. */
	hist_row v12 = {.version = "1_2", .name = "split", .duration_ms = -1};
	ok(hist_record_applied(c, HIST_FLYWAY, NULL, &v12, &err), &err);
	scalar_is(dsn, "SELECT version || ' ' || script FROM flyway_schema_history "
		       "WHERE installed_rank = 6",
		  "1.2 V1_2__split.sql");
	ok(hist_remove(c, HIST_FLYWAY, NULL, "1_2", &err), &err);
	ok(hist_remove(c, HIST_FLYWAY, NULL, "1", &err), &err);
	failed_with(hist_remove(c, HIST_FLYWAY, NULL, "", &err), TC_ERR_USAGE, &err, "no version");
	read_ok(c, HIST_FLYWAY, NULL, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.rows[0].version, "2");
	hist_free(&h);
	scalar_is(dsn, "SELECT max(installed_rank) FROM flyway_schema_history", "5");
	scalar_is(dsn, "SELECT count(*) FROM flyway_schema_history", "3");
	conn_close(c);
	free(dsn);
}

/* ---- Prisma ----------------------------------------------------------- */

static const char PRISMA_DDL[] =
	"CREATE TABLE \"_prisma_migrations\" ("
	" \"id\" VARCHAR(36) PRIMARY KEY NOT NULL, \"checksum\" VARCHAR(64) NOT NULL,"
	" \"finished_at\" TIMESTAMPTZ, \"migration_name\" VARCHAR(255) NOT NULL,"
	" \"logs\" TEXT, \"rolled_back_at\" TIMESTAMPTZ,"
	" \"started_at\" TIMESTAMPTZ NOT NULL DEFAULT now(),"
	" \"applied_steps_count\" INTEGER NOT NULL DEFAULT 0)";

static void prisma_reads_and_writes(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, PRISMA_DDL);
	dbtest_exec(dsn,
		    "INSERT INTO _prisma_migrations VALUES"
		    " ('a', 'c1', '2024-01-01 00:00:01.25+00', '20240101000000_init', NULL, NULL,"
		    "  '2024-01-01 00:00:00+00', 1),"
		    /* failed, then `prisma migrate resolve --rolled-back`, then re-applied */
		    " ('b', 'c2', NULL, '20240201000000_add_users', 'ERROR: oops', "
		    "  '2024-02-01 00:10:00+00', '2024-02-01 00:00:00+00', 0),"
		    " ('c', 'c2', '2024-02-01 00:20:02+00', '20240201000000_add_users', NULL, NULL,"
		    "  '2024-02-01 00:20:00+00', 1),"
		    " ('d', 'c3', NULL, '20240301000000_broken', 'syntax error at or near \"x\"',"
		    "  NULL, '2024-03-01 00:00:00+00', 0)");
	tc_conn *c = open_conn(dsn, true);
	tc_error err = TC_ERROR_INIT;
	hist_set h;
	read_ok(c, HIST_PRISMA, NULL, &h);
	assert_true(h.exists);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.rows[0].version, "20240101000000");
	assert_string_equal(h.rows[0].name, "init");
	assert_string_equal(h.rows[0].checksum, "c1");
	assert_int_equal(h.rows[0].duration_ms, 1250);
	assert_string_equal(h.rows[0].started_at, "2024-01-01T00:00:00Z");
	assert_string_equal(h.rows[0].finished_at, "2024-01-01T00:00:01.25Z");
	assert_false(h.rows[0].failed);
	assert_string_equal(h.rows[1].version, "20240201000000");
	assert_string_equal(h.rows[1].name, "add_users");
	assert_false(h.rows[1].failed);
	assert_null(h.rows[1].error);
	assert_int_equal(h.rows[1].duration_ms, 2000);
	assert_string_equal(h.rows[2].version, "20240301000000");
	assert_true(h.rows[2].failed);
	assert_int_equal(h.rows[2].failed_statement, 1);
	assert_string_equal(h.rows[2].error, "syntax error at or near \"x\"");
	assert_int_equal(h.rows[2].duration_ms, -1);
	hist_free(&h);

	/* Resolving the broken one as applied rolls its failed row back. */
	hist_row fixed = {.version = "20240301000000", .name = "broken", .checksum = "c3",
			  .started_at = "2024-03-02T00:00:00Z", .duration_ms = -1};
	ok(hist_record_applied(c, HIST_PRISMA, NULL, &fixed, &err), &err);
	scalar_is(dsn, "SELECT count(*) FILTER (WHERE rolled_back_at IS NULL) || '/' || count(*) "
		       "FROM _prisma_migrations WHERE migration_name = '20240301000000_broken'",
		  "1/2");
	/* A new failure, then a remove. */
	hist_row next = {.version = "20250101000000", .name = "add_orgs", .checksum = "c4",
			 .started_at = "2025-01-01T00:00:00Z", .duration_ms = -1,
			 .failed_statement = 3, .error = "boom"};
	ok(hist_record_failed(c, HIST_PRISMA, NULL, &next, &err), &err);
	read_ok(c, HIST_PRISMA, NULL, &h);
	assert_int_equal(h.n, 4);
	assert_string_equal(h.rows[2].version, "20240301000000");
	assert_false(h.rows[2].failed);
	assert_string_equal(h.rows[3].name, "add_orgs");
	assert_true(h.rows[3].failed);
	assert_int_equal(h.rows[3].failed_statement, 3);
	assert_string_equal(h.rows[3].error, "boom");
	hist_free(&h);
	scalar_is(dsn, "SELECT length(id) || ':' || applied_steps_count FROM _prisma_migrations "
		       "WHERE migration_name = '20250101000000_add_orgs'",
		  "36:2");
	ok(hist_remove(c, HIST_PRISMA, NULL, "20250101000000", &err), &err);
	ok(hist_remove(c, HIST_PRISMA, NULL, "20240101000000", &err), &err);
	read_ok(c, HIST_PRISMA, NULL, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.rows[0].version, "20240201000000");
	assert_string_equal(h.rows[1].version, "20240301000000");
	hist_free(&h);
	scalar_is(dsn, "SELECT count(*) FROM _prisma_migrations", "6"); /* nothing deleted */
	hist_row under = {.version = "2025_01", .duration_ms = -1};
	failed_with(hist_record_applied(c, HIST_PRISMA, NULL, &under, &err), TC_ERR_USAGE, &err,
		    "before the first '_'");

	/* Created in prisma's own shape on an empty database. */
	char *dsn2 = dbtest_new_db();
	tc_conn *c2 = open_conn(dsn2, true);
	ok(hist_ensure(c2, HIST_PRISMA, NULL, &err), &err);
	ok(hist_record_applied(c2, HIST_PRISMA, NULL, &fixed, &err), &err);
	scalar_is(dsn2, "SELECT migration_name || ':' || applied_steps_count || ':' || "
			"(finished_at IS NOT NULL) FROM _prisma_migrations",
		  "20240301000000_broken:1:true");
	conn_close(c2);
	free(dsn2);
	conn_close(c);
	free(dsn);
}

/* ---- Alembic ---------------------------------------------------------- */

static void alembic_is_read_only(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
			 "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));"
			 "INSERT INTO alembic_version VALUES ('e1f2a3b4c5d6'), ('0a1b2c3d4e5f')");
	tc_conn *c = open_conn(dsn, true);
	tc_error err = TC_ERROR_INIT;
	hist_set h;
	read_ok(c, HIST_ALEMBIC, NULL, &h);
	assert_true(h.exists);
	assert_int_equal(h.n, 2); /* two heads */
	assert_string_equal(h.rows[0].version, "0a1b2c3d4e5f");
	assert_string_equal(h.rows[1].version, "e1f2a3b4c5d6");
	assert_false(h.rows[0].failed);
	hist_free(&h);
	hist_row row = {.version = "ffff", .duration_ms = -1};
	const char *says = "alembic's history is shown read-only; use alembic itself";
	failed_with(hist_record_applied(c, HIST_ALEMBIC, NULL, &row, &err), TC_ERR_REFUSED, &err,
		    says);
	failed_with(hist_record_failed(c, HIST_ALEMBIC, NULL, &row, &err), TC_ERR_REFUSED, &err,
		    says);
	failed_with(hist_remove(c, HIST_ALEMBIC, NULL, "e1f2a3b4c5d6", &err), TC_ERR_REFUSED, &err,
		    says);
	failed_with(hist_ensure(c, HIST_ALEMBIC, NULL, &err), TC_ERR_REFUSED, &err, says);
	scalar_is(dsn, "SELECT string_agg(version_num, ',' ORDER BY version_num) "
		       "FROM alembic_version",
		  "0a1b2c3d4e5f,e1f2a3b4c5d6");
	conn_close(c);
	free(dsn);
}

/* ---- detection -------------------------------------------------------- */

static void detect_kinds(tc_conn *c, const hist_kind *want, size_t nwant)
{
	hist_kind *got = NULL;
	size_t n = 99;
	tc_error err = TC_ERROR_INIT;
	ok(hist_detect(c, &got, &n, &err), &err);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
	if (!n)
		assert_null(got);
	free(got);
}

static void detect_finds_foreign_tables(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	tc_conn *c = open_conn(dsn, false);
	detect_kinds(c, NULL, 0);
	conn_close(c);

	dbtest_exec(dsn, DBMATE_DDL);
	dbtest_exec(dsn, FLYWAY_DDL);
	dbtest_exec(dsn, PRISMA_DDL);
	dbtest_exec(dsn, "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL);"
			 /* Not on the search_path: not found. */
			 "CREATE SCHEMA elsewhere;"
			 "CREATE TABLE elsewhere.tenantctl_schema_migrations (version text)");
	c = open_conn(dsn, false);
	const hist_kind four[] = {HIST_DBMATE, HIST_FLYWAY, HIST_PRISMA, HIST_ALEMBIC};
	detect_kinds(c, four, 4);
	conn_close(c);

	/* The search_path's first schema is looked at too. */
	char *in_elsewhere = xasprintf("%s options='-c search_path=elsewhere'", dsn);
	c = open_conn(in_elsewhere, false);
	const hist_kind five[] = {HIST_TENANTCTL, HIST_DBMATE, HIST_FLYWAY, HIST_PRISMA,
				  HIST_ALEMBIC};
	detect_kinds(c, five, 5);
	conn_close(c);
	free(in_elsewhere);

	char *dsn2 = dbtest_new_db();
	dbtest_exec(dsn2, GOLANG_DDL);
	c = open_conn(dsn2, true);
	tc_error err = TC_ERROR_INIT;
	ok(hist_ensure(c, HIST_TENANTCTL, NULL, &err), &err);
	const hist_kind two[] = {HIST_TENANTCTL, HIST_GOLANG};
	detect_kinds(c, two, 2);
	conn_close(c);
	free(dsn2);
	free(dsn);
}

/* ---- hostile names ---------------------------------------------------- */

static void hostile_names_are_quoted(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "CREATE SCHEMA \"Odd Schema\";"
			 "CREATE TABLE \"Odd Schema\".\"Weird \"\"Hist\"\" Table\" "
			 "(version varchar(128) PRIMARY KEY);"
			 "INSERT INTO \"Odd Schema\".\"Weird \"\"Hist\"\" Table\" VALUES ('42');"
			 "CREATE TABLE public.\"Weird \"\"Hist\"\" Table\" "
			 "(version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);"
			 "INSERT INTO public.\"Weird \"\"Hist\"\" Table\" VALUES (9, true);"
			 /* Same letters, other case: must not be confused. */
			 "CREATE TABLE public.\"weird \"\"hist\"\" table\" (version varchar(128));"
			 "INSERT INTO public.\"weird \"\"hist\"\" table\" VALUES ('nope')");
	tc_conn *c = open_conn(dsn, true);
	tc_error err = TC_ERROR_INIT;
	hist_set h;
	const char *odd = "Odd Schema.Weird \"Hist\" Table";
	read_ok(c, HIST_DBMATE, odd, &h);
	assert_true(h.exists);
	assert_string_equal(h.table, odd);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.rows[0].version, "42");
	hist_free(&h);
	hist_row row = {.version = "43", .duration_ms = -1};
	ok(hist_record_applied(c, HIST_DBMATE, odd, &row, &err), &err);
	ok(hist_remove(c, HIST_DBMATE, odd, "42", &err), &err);
	scalar_is(dsn,
		  "SELECT string_agg(version, ',') "
		  "FROM \"Odd Schema\".\"Weird \"\"Hist\"\" Table\"",
		  "43");

	read_ok(c, HIST_GOLANG, "Weird \"Hist\" Table", &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.rows[0].version, "9");
	assert_true(h.rows[0].failed);
	hist_free(&h);

	/* Names that would be SQL if pasted, and a "{P}" of our own templates,
	 * a multibyte name near the length limit for flyway's derived names. */
	const char *evil = "x\"; DROP TABLE \"Weird \"\"Hist\"\" Table\"; --";
	read_ok(c, HIST_TENANTCTL, evil, &h);
	assert_false(h.exists);
	hist_free(&h);
	ok(hist_ensure(c, HIST_TENANTCTL, evil, &err), &err);
	ok(hist_record_applied(c, HIST_TENANTCTL, evil, &row, &err), &err);
	read_ok(c, HIST_TENANTCTL, evil, &h);
	assert_true(h.exists);
	assert_int_equal(h.n, 1);
	hist_free(&h);
	scalar_is(dsn, "SELECT count(*) FROM public.\"Weird \"\"Hist\"\" Table\"", "1");
	ok(hist_ensure(c, HIST_FLYWAY, "odd {P} {T} name", &err), &err);
	scalar_is(dsn, "SELECT count(*) FROM pg_class WHERE relname = 'odd {P} {T} name'", "1");
	/* 60 bytes of 'é' (2 bytes each): "_s_idx" must not split a character. */
	const char *long_name = "éééééééééééééééééééééééééééééé";
	ok(hist_ensure(c, HIST_FLYWAY, long_name, &err), &err);
	scalar_is(dsn, "SELECT count(*) FROM pg_indexes WHERE indexname = "
		       "'éééééééééééééééééééééééééééé_s_idx'",
		  "1");
	ok(hist_record_applied(c, HIST_FLYWAY, long_name, &row, &err), &err);
	read_ok(c, HIST_FLYWAY, long_name, &h);
	assert_int_equal(h.n, 1);
	hist_free(&h);
	conn_close(c);
	free(dsn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_round_trip),
		cmocka_unit_test(split_name_accepts),
		cmocka_unit_test(split_name_rejects),
		cmocka_unit_test(missing_tables_read_empty),
		cmocka_unit_test(tenantctl_records_and_replaces),
		cmocka_unit_test(ensure_and_write_need_a_place),
		cmocka_unit_test(wrong_shapes_are_named),
		cmocka_unit_test(dbmate_reads_and_writes),
		cmocka_unit_test(golang_current_version_and_dirty),
		cmocka_unit_test(flyway_reads_its_history),
		cmocka_unit_test(flyway_writes_like_flyway),
		cmocka_unit_test(prisma_reads_and_writes),
		cmocka_unit_test(alembic_is_read_only),
		cmocka_unit_test(detect_finds_foreign_tables),
		cmocka_unit_test(hostile_names_are_quoted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
