#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "migsrc.h"
#include "sha256.h"

/* ------------------------------------------------------------ helpers */

typedef struct fixture {
	char dir[64];
} fixture;

static int make_dir(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/tc_test_migsrc.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int remove_dir(void **state)
{
	fixture *f = *state;
	int rc = nftw(f->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return rc;
}

static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *pathf(const char *fmt, ...)
{
	char *p = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&p, fmt, ap);
	va_end(ap);
	assert_true(n > 0);
	return p;
}

/* A fresh folder under the fixture; caller frees the path. */
static char *sub(const fixture *f, const char *name)
{
	char *p = pathf("%s/%s", f->dir, name);
	assert_int_equal(mkdir(p, 0755), 0);
	return p;
}

static void put_n(const char *dir, const char *rel, const char *text, size_t n)
{
	char *path = pathf("%s/%s", dir, rel);
	FILE *fp = fopen(path, "wb");
	if (!fp)
		fail_msg("cannot create %s", path);
	assert_int_equal(fwrite(text, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	free(path);
}

static void put(const char *dir, const char *rel, const char *text)
{
	put_n(dir, rel, text, strlen(text));
}

static void put_dir(const char *dir, const char *rel)
{
	char *path = pathf("%s/%s", dir, rel);
	assert_int_equal(mkdir(path, 0755), 0);
	free(path);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	char *buf = calloc(1, 65536);
	size_t n = fread(buf, 1, 65535, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static bool has_tail(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcmp(s + n - m, tail) == 0;
}

static bool exists(const char *dir, const char *rel)
{
	char *path = pathf("%s/%s", dir, rel);
	struct stat st;
	bool ok = lstat(path, &st) == 0;
	free(path);
	return ok;
}

static void load_ok(const char *dir, mig_format fmt, mig_dir *d)
{
	tc_error err = TC_ERROR_INIT;
	tc_status st = migsrc_load(dir, fmt, d, &err);
	if (st != TC_OK)
		fail_msg("unexpected error: %s (hint: %s)", err.message, err.hint ? err.hint : "");
	assert_null(err.message);
	assert_string_equal(d->dir, dir);
}

/* Loading fails with TC_ERR_USAGE, the message holding `want` (and
 * `want2` when given), a hint holding `hint`; nothing is handed out. */
static void load_fails(const char *dir, mig_format fmt, const char *want, const char *want2,
		       const char *hint)
{
	mig_dir d;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(migsrc_load(dir, fmt, &d, &err), TC_ERR_USAGE);
	assert_int_equal(err.status, TC_ERR_USAGE);
	assert_non_null(err.message);
	if (!strstr(err.message, want))
		fail_msg("message '%s' lacks '%s'", err.message, want);
	if (want2 && !strstr(err.message, want2))
		fail_msg("message '%s' lacks '%s'", err.message, want2);
	assert_non_null(err.hint);
	if (hint && !strstr(err.hint, hint))
		fail_msg("hint '%s' lacks '%s'", err.hint, hint);
	assert_int_equal(d.n, 0);
	assert_null(d.files);
	assert_null(d.dir);
	tc_error_clear(&err);
}

static void check_checksum(const mig_file *m)
{
	char want[65];
	sha256_sql_hex(m->up_sql, want);
	assert_string_equal(m->checksum, want);
}

static void check_file(const mig_file *m, const char *dir, const char *version, const char *name,
		       const char *file)
{
	char *path = pathf("%s/%s", dir, file);
	assert_string_equal(m->version, version);
	assert_string_equal(m->name, name);
	assert_string_equal(m->up_path, path);
	check_checksum(m);
	free(path);
}

/* ------------------------------------------------------------ names, order */

static void test_format_names(void **state)
{
	(void)state;
	static const mig_format all[] = {MIG_FMT_AUTO, MIG_FMT_NATIVE, MIG_FMT_DBMATE,
					 MIG_FMT_GOLANG, MIG_FMT_FLYWAY, MIG_FMT_PRISMA};
	static const char *const names[] = {"auto", "native", "dbmate", "golang-migrate", "flyway",
					    "prisma"};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		assert_string_equal(migsrc_format_name(all[i]), names[i]);
		mig_format f = (mig_format)99;
		assert_true(migsrc_format_parse(names[i], &f));
		assert_int_equal(f, all[i]);
	}
	mig_format f = MIG_FMT_AUTO;
	assert_true(migsrc_format_parse("golang", &f));
	assert_int_equal(f, MIG_FMT_GOLANG);
	assert_true(migsrc_format_parse("Flyway", &f));
	assert_int_equal(f, MIG_FMT_FLYWAY);
	f = MIG_FMT_PRISMA;
	assert_false(migsrc_format_parse("liquibase", &f));
	assert_false(migsrc_format_parse("", &f));
	assert_false(migsrc_format_parse("golang-", &f));
	assert_false(migsrc_format_parse(NULL, &f));
	assert_int_equal(f, MIG_FMT_PRISMA); /* untouched */
	assert_true(migsrc_format_parse("dbmate", NULL));
	assert_string_equal(migsrc_format_name((mig_format)42), "unknown");
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_version_cmp(void **state)
{
	(void)state;
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{"9", "10", -1},
		{"1", "2", -1},
		{"10", "10", 0},
		{"20240101120000", "20240101120001", -1},
		{"20240101120000", "9", 1},
		{"1.2", "1.10", -1},
		{"1.10", "2", -1},
		{"1.2", "2", -1},
		{"1.9", "1.10", -1},
		{"1_2", "1.2", 0},
		{"2_3_1", "2.3.1", 0},
		{"2_3_1", "2.3.2", -1},
		{"1.2.3", "1.2", 1},
		{"1", "1.0", 0}, /* as in Flyway */
		{"1", "1.0.0.0", 0},
		{"1", "1.1", -1},
		{"007", "7", 0},
		{"0", "000", 0},
		{"01.02", "1.2", 0},
		{"0000000000000000000000000000001", "1", 0},
		{"123456789012345678901234567890", "123456789012345678901234567891", -1},
		{"99999999999999999999999999999", "100000000000000000000000000000", -1},
		{"18446744073709551616", "18446744073709551615", 1}, /* past uint64 */
		{"00018446744073709551616", "18446744073709551616", 0},
		{"2a", "10", -1},
		{"1", "1a", -1},
		{"1a", "1b", -1},
		{"a", "b", -1},
		{"abc", "abc", 0},
		{"x9", "x10", -1},
		{"", "", 0},
		{"", "1", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = sign(migsrc_version_cmp(cases[i].a, cases[i].b));
		int back = sign(migsrc_version_cmp(cases[i].b, cases[i].a));
		if (got != cases[i].want || back != -cases[i].want)
			fail_msg("cmp('%s', '%s') = %d (reverse %d), expected %d", cases[i].a,
				 cases[i].b, got, back, cases[i].want);
	}
	assert_int_equal(migsrc_version_cmp(NULL, ""), 0);
	assert_true(migsrc_version_cmp(NULL, "1") < 0);
}

/* ------------------------------------------------------------ native */

static void test_native_load(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "native");
	put(dir, "9_nine.sql",
	    "-- migrate:up\nCREATE TABLE nine (id int);\n-- migrate:down\nDROP TABLE nine;\n");
	put(dir, "10_ten.sql",
	    "-- header comment\n/* block\n /* nested */ comment */\n\n"
	    "-- migrate:up transaction:false\n"
	    "CREATE INDEX CONCURRENTLY i ON t (a);\n\n"
	    "  -- migrate:down   transaction:false\n"
	    "DROP INDEX CONCURRENTLY i;\n");
	put(dir, "20240101120000_create_users.sql",
	    "--migrate:up\nCREATE TABLE users ();\n-- migrate:down\n-- nothing to undo\n\n");
	put(dir, "20240101120001_only_up.sql", "-- migrate:up transaction:true\nSELECT 1;");
	put(dir, "20240101120002_bom.sql", "\xEF\xBB\xBF-- migrate:up\nSELECT 'caf\xC3\xA9', '\xFF';\n");
	/* Ignored: other extensions, dot files, sub-folders. */
	put(dir, "README.md", "# migrations\n");
	put(dir, "notes.txt", "SELECT nonsense");
	put(dir, ".hidden.sql", "not a migration");
	put(dir, ".#9_nine.sql", "editor lock");
	put_dir(dir, "archive");
	put(dir, "archive/1_old.sql", "no marker");
	put_dir(dir, "folder.sql");

	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.format, MIG_FMT_NATIVE);
	assert_int_equal(d.n, 5);

	const mig_file *m = &d.files[0];
	check_file(m, dir, "9", "nine", "9_nine.sql");
	assert_string_equal(m->up_sql, "CREATE TABLE nine (id int);\n");
	assert_int_equal(m->up_line, 2);
	assert_string_equal(m->down_path, m->up_path);
	assert_string_equal(m->down_sql, "DROP TABLE nine;\n");
	assert_int_equal(m->down_line, 4);
	assert_false(m->no_tx);
	assert_false(m->down_no_tx);
	assert_false(m->duplicate);
	assert_false(m->repeatable);

	m = &d.files[1];
	check_file(m, dir, "10", "ten", "10_ten.sql");
	assert_string_equal(m->up_sql, "CREATE INDEX CONCURRENTLY i ON t (a);\n\n");
	assert_int_equal(m->up_line, 6);
	assert_true(m->no_tx);
	assert_string_equal(m->down_sql, "DROP INDEX CONCURRENTLY i;\n");
	assert_int_equal(m->down_line, 9);
	assert_true(m->down_no_tx);

	m = &d.files[2];
	check_file(m, dir, "20240101120000", "create_users", "20240101120000_create_users.sql");
	assert_string_equal(m->up_sql, "CREATE TABLE users ();\n");
	/* A down section of comments only is no down at all. */
	assert_null(m->down_sql);
	assert_null(m->down_path);
	assert_int_equal(m->down_line, 0);

	m = &d.files[3];
	check_file(m, dir, "20240101120001", "only_up", "20240101120001_only_up.sql");
	assert_string_equal(m->up_sql, "SELECT 1;");
	assert_int_equal(m->up_line, 2);
	assert_false(m->no_tx);
	assert_null(m->down_sql);

	m = &d.files[4];
	check_file(m, dir, "20240101120002", "bom", "20240101120002_bom.sql");
	/* The BOM is gone; invalid UTF-8 is left for the server to judge. */
	assert_string_equal(m->up_sql, "SELECT 'caf\xC3\xA9', '\xFF';\n");
	assert_int_equal(m->up_line, 2);
	for (size_t i = 0; i < d.n; i++)
		assert_false(d.files[i].duplicate);
	migsrc_free(&d);
	assert_null(d.files);
	assert_int_equal(d.n, 0);
	migsrc_free(&d); /* twice is harmless */
	migsrc_free(NULL);

	/* dbmate reads the same files; the format says which history. */
	load_ok(dir, MIG_FMT_DBMATE, &d);
	assert_int_equal(d.format, MIG_FMT_DBMATE);
	assert_int_equal(d.n, 5);
	assert_string_equal(d.files[1].version, "10");
	migsrc_free(&d);
	load_ok(dir, MIG_FMT_NATIVE, &d);
	assert_int_equal(d.format, MIG_FMT_NATIVE);
	migsrc_free(&d);
	free(dir);
}

static void test_native_crlf(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "crlf");
	put(dir, "1_crlf.sql",
	    "-- note\r\n-- migrate:up transaction:false\r\nSELECT 1;\r\nSELECT 2;\r\n"
	    "-- migrate:down\r\nSELECT 3;\r\n");
	put(dir, "2_cr.sql", "-- migrate:up\rSELECT 1;\r-- migrate:down transaction:false\rSELECT 2;\r");
	mig_dir d;
	load_ok(dir, MIG_FMT_NATIVE, &d);
	assert_int_equal(d.n, 2);
	const mig_file *m = &d.files[0];
	assert_string_equal(m->up_sql, "SELECT 1;\r\nSELECT 2;\r\n");
	assert_int_equal(m->up_line, 3);
	assert_true(m->no_tx);
	assert_string_equal(m->down_sql, "SELECT 3;\r\n");
	assert_int_equal(m->down_line, 6);
	assert_false(m->down_no_tx);
	/* Line endings do not change the checksum. */
	char lf[65];
	sha256_sql_hex("SELECT 1;\nSELECT 2;\n", lf);
	assert_string_equal(m->checksum, lf);

	m = &d.files[1];
	assert_string_equal(m->up_sql, "SELECT 1;\r");
	assert_int_equal(m->up_line, 2);
	assert_false(m->no_tx);
	assert_string_equal(m->down_sql, "SELECT 2;\r");
	assert_int_equal(m->down_line, 4);
	assert_true(m->down_no_tx);
	migsrc_free(&d);

	/* Line numbers in errors count CRLF as one line end. */
	char *bad = sub(f, "crlf_bad");
	put(bad, "3_bad.sql", "\r\n-- fine\r\nSELECT 1;\r\n-- migrate:up\r\n");
	char *want = pathf("%s/3_bad.sql:3: SQL before the '-- migrate:up' line (line 4)", bad);
	load_fails(bad, MIG_FMT_NATIVE, want, NULL, "comment it out");
	free(want);
	free(bad);
	free(dir);
}

static void test_native_duplicates(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "dups");
	put(dir, "1_a.sql", "-- migrate:up\nSELECT 'a';\n");
	put(dir, "001_b.sql", "-- migrate:up\nSELECT 'b';\n");
	put(dir, "2_c.sql", "-- migrate:up\nSELECT 'c';\n");
	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.n, 3);
	/* Both kept, in path order, both flagged. */
	check_file(&d.files[0], dir, "001", "b", "001_b.sql");
	check_file(&d.files[1], dir, "1", "a", "1_a.sql");
	check_file(&d.files[2], dir, "2", "c", "2_c.sql");
	assert_true(d.files[0].duplicate);
	assert_true(d.files[1].duplicate);
	assert_false(d.files[2].duplicate);
	migsrc_free(&d);
	free(dir);
}

/* One malformed file in a folder of its own: the message names the file
 * and the line. */
static void native_case(const fixture *f, const char *folder, const char *file, const char *text,
			const char *want_after_path, const char *hint)
{
	char *dir = sub(f, folder);
	put(dir, file, text);
	char *want = pathf("%s/%s%s", dir, file, want_after_path);
	load_fails(dir, MIG_FMT_NATIVE, want, NULL, hint);
	free(want);
	free(dir);
}

static void test_native_errors(void **state)
{
	fixture *f = *state;
	native_case(f, "e1", "1_x.sql", "CREATE TABLE x ();\n", ": no '-- migrate:up' line",
		    "add a line '-- migrate:up' above the SQL");
	native_case(f, "e1b", "1_x.sql", "", ": no '-- migrate:up' line", "above the SQL");
	native_case(f, "e2", "1_x.sql", "-- ok comment\n\nCREATE TABLE x ();\n-- migrate:up\nSELECT 1;\n",
		    ":3: SQL before the '-- migrate:up' line (line 4)", "below '-- migrate:up'");
	native_case(f, "e3", "1_x.sql", "/* c */ SELECT 1;\n-- migrate:up\n",
		    ":1: SQL before the '-- migrate:up' line (line 2)", NULL);
	native_case(f, "e4", "1_x.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down transaction:maybe\n",
		    ":3: unknown option 'transaction:maybe' on the '-- migrate:down' line",
		    "transaction:false");
	native_case(f, "e5", "1_x.sql", "\n-- migrate:up notx\n",
		    ":2: unknown option 'notx' on the '-- migrate:up' line", "transaction:false");
	native_case(f, "e6", "1_x.sql", "-- migrate:up\nSELECT 1;\n-- migrate:dwon\nSELECT 2;\n",
		    ":3: unknown marker '-- migrate:dwon'", "'-- migrate:down'");
	native_case(f, "e7", "1_x.sql", "-- migrate:down\nSELECT 2;\n-- migrate:up\nSELECT 1;\n",
		    ":1: '-- migrate:down' before any '-- migrate:up' line", "up section first");
	native_case(f, "e8", "1_x.sql", "-- migrate:up\nSELECT 1;\n-- migrate:up\n",
		    ":3: second '-- migrate:up' line (the first is on line 1)", "split it");
	native_case(f, "e9", "1_x.sql", "-- migrate:up\n-- migrate:down\nA;\n-- migrate:down\nB;\n",
		    ":4: second '-- migrate:down' line (the first is on line 2)", "split it");
	native_case(f, "e10", "1_x.sql", "-- migrate:up\n-- migrate:down\n-- migrate:up\n",
		    ":3: second '-- migrate:up' line (the first is on line 1)", "split it");
	/* Names that do not fit are reported, never skipped. */
	native_case(f, "e11", "notes.sql", "SELECT 1;\n",
		    ": file name does not fit native's VERSION_name.sql", "20240101120000_add_users.sql");
	native_case(f, "e12", "20240101_x.SQL", "-- migrate:up\n",
		    ": file name does not fit native's VERSION_name.sql; the extension must be '.sql' "
		    "in lower case",
		    NULL);
	native_case(f, "e13", "1.sql", "-- migrate:up\n", ": file name does not fit", NULL);
	native_case(f, "e14", "1_.sql", "-- migrate:up\n", ": file name does not fit", NULL);
	native_case(f, "e15", "x1_a.sql", "-- migrate:up\n", ": file name does not fit", NULL);
	/* golang-migrate files read as native get a pointer to --format. */
	native_case(f, "e16", "1_x.up.sql", "SELECT 1;\n", ": no '-- migrate:up' line",
		    "--format golang-migrate");

	/* A NUL byte: named with its line. */
	char *dir = sub(f, "nul");
	put(dir, "1_ok.sql", "-- migrate:up\n");
	put_n(dir, "2_nul.sql", "-- migrate:up\nSELECT\0 1;\n", 25);
	char *want = pathf("%s/2_nul.sql:2: NUL byte in the file", dir);
	load_fails(dir, MIG_FMT_AUTO, want, NULL, "text file");
	free(want);
	free(dir);

	/* dbmate's name in dbmate's messages. */
	dir = sub(f, "dbm");
	put(dir, "schema.sql", "CREATE TABLE t ();\n");
	want = pathf("%s/schema.sql: file name does not fit dbmate's VERSION_name.sql", dir);
	load_fails(dir, MIG_FMT_DBMATE, want, NULL, NULL);
	free(want);
	free(dir);

	/* A dangling link with a migration's name. */
	dir = sub(f, "link");
	char *link = pathf("%s/2_link.sql", dir);
	assert_int_equal(symlink("/nonexistent/tc_test_migsrc", link), 0);
	want = pathf("cannot open %s: No such file or directory", link);
	load_fails(dir, MIG_FMT_NATIVE, want, NULL, "symbolic link");
	free(want);
	free(link);
	free(dir);
}

static void test_missing_dir(void **state)
{
	fixture *f = *state;
	char *dir = pathf("%s/nope", f->dir);
	char *want = pathf("migrations folder %s does not exist", dir);
	for (mig_format fmt = MIG_FMT_AUTO; fmt <= MIG_FMT_PRISMA; fmt++)
		load_fails(dir, fmt, want, NULL, "--dir");
	load_fails(dir, MIG_FMT_AUTO, want, NULL, "'migrations'");
	assert_int_equal(migsrc_detect(dir), MIG_FMT_AUTO);
	free(want);
	free(dir);

	dir = sub(f, "plain");
	put(dir, "file", "x");
	char *file = pathf("%s/file", dir);
	want = pathf("migrations folder %s is not a folder", file);
	load_fails(file, MIG_FMT_AUTO, want, NULL, "--dir");
	free(want);
	free(file);
	free(dir);

	load_fails("", MIG_FMT_AUTO, "no migrations folder given", NULL, "--dir");
	load_fails(NULL, MIG_FMT_AUTO, "no migrations folder given", NULL, "--dir");
}

static void test_big_file(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "big");
	size_t n = 3 * 1024 * 1024;
	char *text = malloc(n + 1);
	size_t len = (size_t)sprintf(text, "-- migrate:up\n");
	while (len + 40 < n)
		len += (size_t)sprintf(text + len, "INSERT INTO t VALUES (%zu);\n", len);
	size_t up_len = len - strlen("-- migrate:up\n");
	len += (size_t)sprintf(text + len, "-- migrate:down\nDELETE FROM t;\n");
	put_n(dir, "1_big.sql", text, len);
	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(strlen(d.files[0].up_sql), up_len);
	assert_string_equal(d.files[0].down_sql, "DELETE FROM t;\n");
	assert_true(d.files[0].down_line > 70000);
	migsrc_free(&d);
	free(text);
	free(dir);
}

/* Root reads anything, so as root the check runs in a child that has
 * dropped to nobody; the child reports by exit status. */
static int unreadable_check(const char *dir, const char *path)
{
	mig_dir d;
	tc_error err = TC_ERROR_INIT;
	if (migsrc_load(dir, MIG_FMT_AUTO, &d, &err) != TC_ERR_USAGE)
		return 1;
	if (!strstr(err.message, path) || !strstr(err.message, "Permission denied"))
		return 2;
	tc_error_clear(&err);
	return 0;
}

static void test_unreadable(void **state)
{
	fixture *f = *state;
	assert_int_equal(chmod(f->dir, 0755), 0);
	char *dir = sub(f, "secret");
	put(dir, "1_x.sql", "-- migrate:up\n");
	char *path = pathf("%s/1_x.sql", dir);
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() != 0) {
		assert_int_equal(unreadable_check(dir, path), 0);
	} else {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(3);
			_exit(unreadable_check(dir, path));
		}
		int ws;
		assert_int_equal(waitpid(pid, &ws, 0), pid);
		assert_true(WIFEXITED(ws));
		assert_int_equal(WEXITSTATUS(ws), 0);
	}
	free(path);
	free(dir);
}

/* ------------------------------------------------------------ golang-migrate */

static void test_golang_load(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "golang");
	put(dir, "1_init.up.sql", "CREATE TABLE a ();\n");
	put(dir, "1_init.down.sql", "DROP TABLE a;\n");
	put(dir, "2_add.up.sql", "ALTER TABLE a ADD b int;\n");
	put(dir, "9_nine.up.sql", "SELECT 9;\n");
	put(dir, "9_nine.down.sql", "");
	put(dir, "10_ten.up.sql", "-- migrate:up is just a comment here\nSELECT 10;\n");
	put(dir, "10_ten.up.json", "{}");
	put(dir, "README.md", "x");

	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.format, MIG_FMT_GOLANG);
	assert_int_equal(d.n, 4);
	const mig_file *m = &d.files[0];
	check_file(m, dir, "1", "init", "1_init.up.sql");
	assert_string_equal(m->up_sql, "CREATE TABLE a ();\n");
	assert_int_equal(m->up_line, 1);
	char *down = pathf("%s/1_init.down.sql", dir);
	assert_string_equal(m->down_path, down);
	free(down);
	assert_string_equal(m->down_sql, "DROP TABLE a;\n");
	assert_int_equal(m->down_line, 1);
	assert_false(m->no_tx);
	assert_false(m->down_no_tx);

	m = &d.files[1];
	check_file(m, dir, "2", "add", "2_add.up.sql");
	assert_null(m->down_path);
	assert_null(m->down_sql);

	m = &d.files[2];
	check_file(m, dir, "9", "nine", "9_nine.up.sql");
	assert_string_equal(m->down_sql, ""); /* an empty down file is still a down */

	m = &d.files[3];
	check_file(m, dir, "10", "ten", "10_ten.up.sql");
	assert_string_equal(m->up_sql, "-- migrate:up is just a comment here\nSELECT 10;\n");
	for (size_t i = 0; i < d.n; i++)
		assert_false(d.files[i].duplicate);
	migsrc_free(&d);

	load_ok(dir, MIG_FMT_GOLANG, &d);
	assert_int_equal(d.n, 4);
	migsrc_free(&d);
	free(dir);
}

static void test_golang_duplicates(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "gdups");
	put(dir, "1_a.up.sql", "SELECT 'a';\n");
	put(dir, "01_b.up.sql", "SELECT 'b';\n");
	put(dir, "1_a.down.sql", "SELECT 'undo a';\n");
	put(dir, "2_c.up.sql", "SELECT 'c';\n");
	mig_dir d;
	load_ok(dir, MIG_FMT_GOLANG, &d);
	assert_int_equal(d.n, 3);
	check_file(&d.files[0], dir, "01", "b", "01_b.up.sql");
	check_file(&d.files[1], dir, "1", "a", "1_a.up.sql");
	assert_true(d.files[0].duplicate);
	assert_true(d.files[1].duplicate);
	assert_false(d.files[2].duplicate);
	/* The down went to the up of the same name. */
	assert_null(d.files[0].down_sql);
	assert_string_equal(d.files[1].down_sql, "SELECT 'undo a';\n");
	migsrc_free(&d);
	free(dir);
}

static void test_golang_errors(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "g_orphan");
	put(dir, "1_a.up.sql", "SELECT 1;\n");
	put(dir, "2_b.down.sql", "SELECT 2;\n");
	char *want = pathf("%s/2_b.down.sql: down migration 2 has no up migration", dir);
	load_fails(dir, MIG_FMT_AUTO, want, NULL, "add 2_b.up.sql");
	free(want);
	free(dir);

	dir = sub(f, "g_stray");
	put(dir, "1_a.up.sql", "SELECT 1;\n");
	put(dir, "1_a.sql", "SELECT 1;\n");
	want = pathf("%s/1_a.sql: file name does not fit golang-migrate's", dir);
	load_fails(dir, MIG_FMT_GOLANG, want, NULL, "000001_add_users.up.sql");
	free(want);
	free(dir);

	dir = sub(f, "g_upper");
	put(dir, "1_a.up.sql", "SELECT 1;\n");
	put(dir, "2_b.UP.SQL", "SELECT 1;\n");
	want = pathf("%s/2_b.UP.SQL: file name does not fit", dir);
	load_fails(dir, MIG_FMT_AUTO, want, "lower case", NULL);
	free(want);
	free(dir);

	dir = sub(f, "g_twodowns");
	put(dir, "1_a.up.sql", "SELECT 1;\n");
	put(dir, "1_a.down.sql", "SELECT 1;\n");
	put(dir, "01_a.down.sql", "SELECT 1;\n");
	want = pathf("%s/1_a.down.sql: a second down migration for %s/1_a.up.sql (the first is "
		     "%s/01_a.down.sql)",
		     dir, dir, dir);
	load_fails(dir, MIG_FMT_AUTO, want, NULL, "keep one");
	free(want);
	free(dir);

	dir = sub(f, "g_ambiguous");
	put(dir, "1_a.up.sql", "SELECT 1;\n");
	put(dir, "1_b.up.sql", "SELECT 1;\n");
	put(dir, "1_c.down.sql", "SELECT 1;\n");
	want = pathf("%s/1_c.down.sql: cannot tell which of the 2 up migrations of version 1", dir);
	load_fails(dir, MIG_FMT_AUTO, want, NULL, "same name");
	free(want);
	free(dir);

	dir = sub(f, "g_nul");
	put(dir, "1_a.up.sql", "SELECT 1;\n");
	put_n(dir, "1_a.down.sql", "\n\n\0", 3);
	want = pathf("%s/1_a.down.sql:3: NUL byte in the file", dir);
	load_fails(dir, MIG_FMT_AUTO, want, NULL, NULL);
	free(want);
	free(dir);
}

/* ------------------------------------------------------------ flyway */

static void test_flyway_load(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "flyway");
	put(dir, "V1__init.sql", "CREATE TABLE a ();\n");
	put(dir, "V1.2__two.sql", "SELECT 12;\n");
	put(dir, "V1.10__ten.sql", "SELECT 110;\n");
	put(dir, "V2__next.sql", "SELECT 2;\n");
	put(dir, "U2__next.sql", "SELECT 'undo 2';\n");
	put(dir, "V2_3_1__deep_thing.sql", "SELECT 231;\n");
	put(dir, "V9__nine.sql", "SELECT 9;\n");
	put(dir, "V10__ten.sql", "SELECT 10;\n");
	put(dir, "R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;\n");
	put(dir, "R__a_funcs.sql", "SELECT 'funcs';\n");
	put(dir, "V3__x.sql.conf", "executeInTransaction=false\n");
	put(dir, "flyway.conf", "flyway.url=x\n");

	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.format, MIG_FMT_FLYWAY);
	assert_int_equal(d.n, 9);
	check_file(&d.files[0], dir, "1", "init", "V1__init.sql");
	check_file(&d.files[1], dir, "1.2", "two", "V1.2__two.sql");
	check_file(&d.files[2], dir, "1.10", "ten", "V1.10__ten.sql");
	check_file(&d.files[3], dir, "2", "next", "V2__next.sql");
	check_file(&d.files[4], dir, "2_3_1", "deep thing", "V2_3_1__deep_thing.sql");
	check_file(&d.files[5], dir, "9", "nine", "V9__nine.sql");
	check_file(&d.files[6], dir, "10", "ten", "V10__ten.sql");
	check_file(&d.files[7], dir, "", "a funcs", "R__a_funcs.sql");
	check_file(&d.files[8], dir, "", "views", "R__views.sql");
	for (size_t i = 0; i < d.n; i++) {
		assert_int_equal(d.files[i].repeatable, i >= 7);
		assert_false(d.files[i].duplicate);
		assert_false(d.files[i].no_tx);
		assert_int_equal(d.files[i].up_line, 1);
		if (i != 3)
			assert_null(d.files[i].down_sql);
	}
	char *undo = pathf("%s/U2__next.sql", dir);
	assert_string_equal(d.files[3].down_path, undo);
	assert_string_equal(d.files[3].down_sql, "SELECT 'undo 2';\n");
	assert_int_equal(d.files[3].down_line, 1);
	free(undo);
	assert_string_equal(d.files[8].up_sql, "CREATE OR REPLACE VIEW v AS SELECT 1;\n");
	migsrc_free(&d);
	free(dir);

	/* Flyway's version equality: 1, 1.0 and 01 are one version. */
	dir = sub(f, "fdups");
	put(dir, "V1__a.sql", "SELECT 1;\n");
	put(dir, "V1.0__b.sql", "SELECT 1;\n");
	put(dir, "V01__c.sql", "SELECT 1;\n");
	put(dir, "V1.1__d.sql", "SELECT 1;\n");
	put(dir, "R__r.sql", "SELECT 1;\n");
	load_ok(dir, MIG_FMT_FLYWAY, &d);
	assert_int_equal(d.n, 5);
	check_file(&d.files[0], dir, "01", "c", "V01__c.sql");
	check_file(&d.files[1], dir, "1.0", "b", "V1.0__b.sql");
	check_file(&d.files[2], dir, "1", "a", "V1__a.sql");
	check_file(&d.files[3], dir, "1.1", "d", "V1.1__d.sql");
	assert_true(d.files[0].duplicate && d.files[1].duplicate && d.files[2].duplicate);
	assert_false(d.files[3].duplicate);
	assert_false(d.files[4].duplicate);
	migsrc_free(&d);
	free(dir);
}

static void flyway_bad_name(const fixture *f, const char *folder, const char *file)
{
	char *dir = sub(f, folder);
	put(dir, "V1__ok.sql", "SELECT 1;\n");
	put(dir, file, "SELECT 1;\n");
	char *want = pathf("%s/%s: file name does not fit Flyway's", dir, file);
	load_fails(dir, MIG_FMT_FLYWAY, want, NULL, "V1.1__add_users.sql");
	free(want);
	free(dir);
}

static void test_flyway_errors(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "f_undo");
	put(dir, "V1__a.sql", "SELECT 1;\n");
	put(dir, "U2__b.sql", "SELECT 1;\n");
	char *want = pathf("%s/U2__b.sql: undo (U) migration 2 has no versioned (V) migration", dir);
	load_fails(dir, MIG_FMT_AUTO, want, NULL, "add V2__b.sql");
	free(want);
	free(dir);

	flyway_bad_name(f, "f1", "V1_bad.sql");
	flyway_bad_name(f, "f2", "V__x.sql");
	flyway_bad_name(f, "f3", "v2__x.sql");
	flyway_bad_name(f, "f4", "B1__baseline.sql");
	flyway_bad_name(f, "f5", "V1.__x.sql");
	flyway_bad_name(f, "f6", "V1..2__x.sql");
	flyway_bad_name(f, "f7", "V1a__x.sql");
	flyway_bad_name(f, "f8", "R1__x.sql");
	flyway_bad_name(f, "f9", "V2__.sql");
	flyway_bad_name(f, "f10", "afterMigrate.sql");
	flyway_bad_name(f, "f11", "V3__x.SQL");
}

/* ------------------------------------------------------------ prisma */

static void test_prisma_load(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "prisma");
	put_dir(dir, "20240202000000_add_users");
	put(dir, "20240202000000_add_users/migration.sql", "CREATE TABLE users ();\n");
	put_dir(dir, "20240101000000_init");
	put(dir, "20240101000000_init/migration.sql", "CREATE TABLE a ();\n");
	put(dir, "20240101000000_init/README.md", "notes");
	put(dir, "migration_lock.toml", "provider = \"postgresql\"\n");

	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.format, MIG_FMT_PRISMA);
	assert_int_equal(d.n, 2);
	check_file(&d.files[0], dir, "20240101000000", "init", "20240101000000_init/migration.sql");
	assert_string_equal(d.files[0].up_sql, "CREATE TABLE a ();\n");
	assert_int_equal(d.files[0].up_line, 1);
	check_file(&d.files[1], dir, "20240202000000", "add_users",
		   "20240202000000_add_users/migration.sql");
	for (size_t i = 0; i < d.n; i++) {
		assert_null(d.files[i].down_path);
		assert_null(d.files[i].down_sql);
		assert_false(d.files[i].duplicate);
	}
	migsrc_free(&d);
	free(dir);
}

static void test_prisma_errors(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "p_empty");
	put_dir(dir, "20240101000000_init");
	put(dir, "20240101000000_init/migration.sql", "SELECT 1;\n");
	put_dir(dir, "20240303000000_empty");
	char *want = pathf("%s/20240303000000_empty: migration folder without a migration.sql", dir);
	load_fails(dir, MIG_FMT_AUTO, want, NULL, "add the file or remove the folder");
	free(want);
	free(dir);

	dir = sub(f, "p_name");
	put_dir(dir, "2024_init");
	put(dir, "2024_init/migration.sql", "SELECT 1;\n");
	want = pathf("%s/2024_init: folder name does not fit prisma's TIMESTAMP_name", dir);
	load_fails(dir, MIG_FMT_AUTO, want, NULL, "rename the folder");
	free(want);
	free(dir);

	dir = sub(f, "p_nul");
	put_dir(dir, "20240101000000_init");
	put_n(dir, "20240101000000_init/migration.sql", "SELECT\0", 7);
	want = pathf("%s/20240101000000_init/migration.sql:1: NUL byte", dir);
	load_fails(dir, MIG_FMT_PRISMA, want, NULL, NULL);
	free(want);
	free(dir);
}

/* ------------------------------------------------------------ detection */

static void test_detect(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "d_native");
	put(dir, "20240101120000_a.sql", "-- migrate:up\n");
	put(dir, "README.md", "");
	assert_int_equal(migsrc_detect(dir), MIG_FMT_NATIVE);
	free(dir);

	dir = sub(f, "d_golang");
	put(dir, "000001_a.up.sql", "");
	put(dir, "000001_a.down.sql", "");
	assert_int_equal(migsrc_detect(dir), MIG_FMT_GOLANG);
	free(dir);

	dir = sub(f, "d_flyway");
	put(dir, "V1__a.sql", "");
	assert_int_equal(migsrc_detect(dir), MIG_FMT_FLYWAY);
	free(dir);

	dir = sub(f, "d_flyway_r");
	put(dir, "R__views.sql", "");
	assert_int_equal(migsrc_detect(dir), MIG_FMT_FLYWAY);
	free(dir);

	dir = sub(f, "d_prisma");
	put_dir(dir, "20240101000000_init");
	put(dir, "20240101000000_init/migration.sql", "");
	put(dir, "migration_lock.toml", "");
	assert_int_equal(migsrc_detect(dir), MIG_FMT_PRISMA);
	free(dir);

	dir = sub(f, "d_empty");
	assert_int_equal(migsrc_detect(dir), MIG_FMT_AUTO);
	put(dir, "README.md", "");
	put_dir(dir, "docs");
	assert_int_equal(migsrc_detect(dir), MIG_FMT_AUTO);
	free(dir);

	dir = sub(f, "d_mixed");
	put(dir, "1_a.sql", "-- migrate:up\n");
	put(dir, "V2__b.sql", "");
	assert_int_equal(migsrc_detect(dir), MIG_FMT_AUTO);
	free(dir);

	dir = sub(f, "d_mixed2");
	put(dir, "1_a.up.sql", "");
	put_dir(dir, "20240101000000_init");
	put(dir, "20240101000000_init/migration.sql", "");
	assert_int_equal(migsrc_detect(dir), MIG_FMT_AUTO);
	free(dir);

	assert_int_equal(migsrc_detect(NULL), MIG_FMT_AUTO);
}

static void test_load_auto(void **state)
{
	fixture *f = *state;
	/* Empty: nothing to do, read as native. */
	char *dir = sub(f, "a_empty");
	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.format, MIG_FMT_NATIVE);
	assert_int_equal(d.n, 0);
	migsrc_free(&d);
	put(dir, "README.md", "");
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.n, 0);
	migsrc_free(&d);
	/* Nothing recognisable but a .sql file: reported, not an empty list. */
	put(dir, "init.sql", "CREATE TABLE t ();\n");
	char *want = pathf("%s/init.sql: file name does not fit native's", dir);
	load_fails(dir, MIG_FMT_AUTO, want, NULL, NULL);
	free(want);
	free(dir);

	/* Mixed: an example file of each format and the way out. */
	dir = sub(f, "a_mixed");
	put(dir, "1_a.sql", "-- migrate:up\n");
	put(dir, "V2__b.sql", "SELECT 1;\n");
	char *a = pathf("%s/1_a.sql looks like native", dir);
	char *b = pathf("%s/V2__b.sql looks like flyway", dir);
	load_fails(dir, MIG_FMT_AUTO, a, b, "--format");
	free(a);
	free(b);
	/* Naming the format settles it: the other file is then a bad name. */
	want = pathf("%s/V2__b.sql: file name does not fit native's", dir);
	load_fails(dir, MIG_FMT_NATIVE, want, NULL, NULL);
	free(want);
	want = pathf("%s/1_a.sql: file name does not fit Flyway's", dir);
	load_fails(dir, MIG_FMT_FLYWAY, want, NULL, NULL);
	free(want);
	free(dir);
}

/* ------------------------------------------------------------ new */

static char *stamp_now(void)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
	return strdup(buf);
}

static char *new_ok(const char *dir, mig_format fmt, const char *name)
{
	char *path = NULL;
	tc_error err = TC_ERROR_INIT;
	tc_status st = migsrc_new(dir, fmt, name, &path, &err);
	if (st != TC_OK)
		fail_msg("unexpected error: %s (hint: %s)", err.message, err.hint ? err.hint : "");
	assert_non_null(path);
	return path;
}

static void new_fails(const char *dir, mig_format fmt, const char *name, const char *want,
		      const char *hint)
{
	char *path = (char *)"untouched";
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(migsrc_new(dir, fmt, name, &path, &err), TC_ERR_USAGE);
	assert_null(path);
	if (!strstr(err.message, want))
		fail_msg("message '%s' lacks '%s'", err.message, want);
	assert_non_null(err.hint);
	if (hint && !strstr(err.hint, hint))
		fail_msg("hint '%s' lacks '%s'", err.hint, hint);
	tc_error_clear(&err);
}

static void check_path(char *got, const char *dir, const char *file)
{
	char *want = pathf("%s/%s", dir, file);
	assert_string_equal(got, want);
	free(want);
	free(got);
}

static void test_new_native(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "n_native");
	char *before = stamp_now();
	char *path = new_ok(dir, MIG_FMT_AUTO, "  Add Users!!  Table  ");
	char *after = stamp_now();
	const char *base = strrchr(path, '/') + 1;
	assert_int_equal(strlen(base), 14 + strlen("_add_users_table.sql"));
	assert_string_equal(base + 14, "_add_users_table.sql");
	char *version = strndup(base, 14);
	assert_true(migsrc_version_cmp(before, version) <= 0);
	assert_true(migsrc_version_cmp(version, after) <= 0);
	char *text = slurp(path);
	assert_string_equal(text, "-- migrate:up\n\n\n-- migrate:down\n\n");
	free(text);
	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.files[0].version, version);
	assert_string_equal(d.files[0].name, "add_users_table");
	assert_string_equal(d.files[0].up_sql, "\n\n");
	assert_null(d.files[0].down_sql);
	migsrc_free(&d);
	free(path);
	free(version);
	free(before);
	free(after);
	/* A second one in the same second still sorts after the first. */
	char *p1 = new_ok(dir, MIG_FMT_NATIVE, "b");
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.files[1].up_path, p1);
	assert_false(d.files[0].duplicate);
	migsrc_free(&d);
	free(p1);
	free(dir);

	/* The newest file is ahead of the clock: last + 1. */
	dir = sub(f, "n_future");
	put(dir, "99990101000000_a.sql", "-- migrate:up\n");
	check_path(new_ok(dir, MIG_FMT_NATIVE, "b"), dir, "99990101000001_b.sql");
	check_path(new_ok(dir, MIG_FMT_DBMATE, "C-c"), dir, "99990101000002_c_c.sql");
	free(dir);
	dir = sub(f, "n_carry");
	put(dir, "99999999999999_a.sql", "-- migrate:up\n");
	check_path(new_ok(dir, MIG_FMT_AUTO, "b"), dir, "100000000000000_b.sql");
	free(dir);

	/* Names. */
	dir = sub(f, "n_names");
	new_fails(dir, MIG_FMT_NATIVE, "!!!", "migration name '!!!' has no letters or digits", "e.g.");
	new_fails(dir, MIG_FMT_NATIVE, "", "has no letters or digits", NULL);
	new_fails(dir, MIG_FMT_NATIVE, NULL, "has no letters or digits", NULL);
	new_fails(dir, MIG_FMT_NATIVE, "\xC3\xA9\xC3\xA9", "has no letters or digits", NULL);
	char *p = new_ok(dir, MIG_FMT_NATIVE, "__Caf\xC3\xA9 2 go__");
	assert_string_equal(strrchr(p, '/') + 15, "_caf_2_go.sql");
	free(p);
	free(dir);

	/* Something already in the way (here a dangling link, which is not
	 * followed): refused, not overwritten. */
	dir = sub(f, "n_busy");
	put(dir, "99990101000000_a.sql", "-- migrate:up\n");
	char *link = pathf("%s/99990101000001_b.sql", dir);
	assert_int_equal(symlink("/nonexistent/tc_test_migsrc", link), 0);
	char *want = pathf("%s already exists; not overwriting it", link);
	new_fails(dir, MIG_FMT_NATIVE, "b", want, NULL);
	free(want);
	free(link);
	free(dir);

	/* No folder. */
	dir = pathf("%s/nope", f->dir);
	want = pathf("migrations folder %s does not exist", dir);
	new_fails(dir, MIG_FMT_NATIVE, "b", want, "--dir");
	assert_false(exists(f->dir, "nope"));
	free(want);
	free(dir);
	new_fails("", MIG_FMT_NATIVE, "b", "no migrations folder given", "--dir");
}

static void test_new_golang(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "n_golang");
	char *path = new_ok(dir, MIG_FMT_GOLANG, "Create X");
	check_path(path, dir, "1_create_x.up.sql");
	assert_true(exists(dir, "1_create_x.down.sql"));
	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.format, MIG_FMT_GOLANG);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.files[0].up_sql, "");
	assert_string_equal(d.files[0].down_sql, "");
	migsrc_free(&d);
	/* Detected from the folder from now on. */
	check_path(new_ok(dir, MIG_FMT_AUTO, "y"), dir, "2_y.up.sql");
	free(dir);

	/* Zero-padded names keep their width. */
	dir = sub(f, "n_golang_pad");
	put(dir, "000005_a.up.sql", "");
	put(dir, "000005_a.down.sql", "");
	put(dir, "3_b.up.sql", "");
	check_path(new_ok(dir, MIG_FMT_GOLANG, "new"), dir, "000006_new.up.sql");
	assert_true(exists(dir, "000006_new.down.sql"));
	free(dir);
	dir = sub(f, "n_golang_pad2");
	put(dir, "000099_a.up.sql", "");
	check_path(new_ok(dir, MIG_FMT_GOLANG, "new"), dir, "000100_new.up.sql");
	free(dir);
	dir = sub(f, "n_golang_plain");
	put(dir, "9_a.up.sql", "");
	put(dir, "8_a.down.sql", "");
	check_path(new_ok(dir, MIG_FMT_GOLANG, "new"), dir, "10_new.up.sql");
	free(dir);
	/* The largest version counts, down files too. */
	dir = sub(f, "n_golang_down");
	put(dir, "1_a.up.sql", "");
	put(dir, "7_a.down.sql", "");
	check_path(new_ok(dir, MIG_FMT_GOLANG, "new"), dir, "8_new.up.sql");
	free(dir);

	/* Both files or neither. */
	dir = sub(f, "n_golang_busy");
	put(dir, "1_a.up.sql", "");
	put_dir(dir, "2_b.down.sql");
	char *want = pathf("%s/2_b.down.sql already exists; not overwriting it", dir);
	new_fails(dir, MIG_FMT_GOLANG, "b", want, NULL);
	assert_false(exists(dir, "2_b.up.sql"));
	free(want);
	free(dir);
}

static void test_new_flyway(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "n_flyway");
	check_path(new_ok(dir, MIG_FMT_FLYWAY, "first"), dir, "V1__first.sql");
	free(dir);

	dir = sub(f, "n_flyway2");
	put(dir, "V1.2__a.sql", "SELECT 1;\n");
	put(dir, "V3_1__b.sql", "SELECT 1;\n");
	put(dir, "U3_1__b.sql", "SELECT 1;\n");
	put(dir, "V2__c.sql", "SELECT 1;\n");
	put(dir, "R__views.sql", "SELECT 1;\n");
	char *path = new_ok(dir, MIG_FMT_AUTO, "Add thing");
	char *text = slurp(path);
	assert_string_equal(text, "");
	free(text);
	check_path(path, dir, "V4__add_thing.sql");
	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.n, 5);
	assert_string_equal(d.files[3].version, "4");
	assert_string_equal(d.files[3].name, "add thing");
	assert_true(d.files[4].repeatable);
	migsrc_free(&d);
	free(dir);

	dir = sub(f, "n_flyway_pad");
	put(dir, "V009__a.sql", "");
	check_path(new_ok(dir, MIG_FMT_FLYWAY, "b"), dir, "V010__b.sql");
	free(dir);
	dir = sub(f, "n_flyway_r");
	put(dir, "R__only.sql", "");
	check_path(new_ok(dir, MIG_FMT_AUTO, "b"), dir, "V1__b.sql");
	free(dir);
}

static void test_new_prisma(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "n_prisma");
	put_dir(dir, "20240101000000_init");
	put(dir, "20240101000000_init/migration.sql", "SELECT 1;\n");
	put(dir, "migration_lock.toml", "");
	char *path = new_ok(dir, MIG_FMT_AUTO, "Add Users");
	char *text = slurp(path);
	assert_string_equal(text, "-- This is an empty migration.\n");
	free(text);
	assert_true(has_tail(path, "_add_users/migration.sql"));
	mig_dir d;
	load_ok(dir, MIG_FMT_AUTO, &d);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.files[1].up_path, path);
	assert_int_equal(strlen(d.files[1].version), 14);
	assert_string_equal(d.files[1].name, "add_users");
	migsrc_free(&d);
	free(path);
	free(dir);

	dir = sub(f, "n_prisma_future");
	put_dir(dir, "99990101000000_a");
	put(dir, "99990101000000_a/migration.sql", "");
	check_path(new_ok(dir, MIG_FMT_PRISMA, "b"), dir, "99990101000001_b/migration.sql");
	free(dir);

	dir = sub(f, "n_prisma_busy");
	put_dir(dir, "99990101000000_a");
	char *link = pathf("%s/99990101000001_b", dir);
	assert_int_equal(symlink("/nonexistent/tc_test_migsrc", link), 0);
	char *want = pathf("%s already exists; not overwriting it", link);
	new_fails(dir, MIG_FMT_PRISMA, "b", want, NULL);
	free(want);
	free(link);
	free(dir);
}

static void test_new_mixed(void **state)
{
	fixture *f = *state;
	char *dir = sub(f, "n_mixed");
	put(dir, "1_a.sql", "-- migrate:up\n");
	put(dir, "1_a.up.sql", "");
	new_fails(dir, MIG_FMT_AUTO, "b", "holds migrations in more than one format", "--format");
	/* A malformed migration does not stop adding one. */
	check_path(new_ok(dir, MIG_FMT_GOLANG, "b"), dir, "2_b.up.sql");
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_version_cmp),
		cmocka_unit_test_setup_teardown(test_native_load, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_native_crlf, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_native_duplicates, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_native_errors, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_missing_dir, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_big_file, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_unreadable, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_golang_load, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_golang_duplicates, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_golang_errors, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_flyway_load, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_flyway_errors, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_prisma_load, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_prisma_errors, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_detect, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_auto, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_new_native, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_new_golang, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_new_flyway, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_new_prisma, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_new_mixed, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
