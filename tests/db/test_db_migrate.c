/* The migrate commands end to end, through the tenantctl binary, against a
 * real server: every state, every format, adoption, failures with and
 * without a transaction, the lock, preview, and the read-only gate. */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "dbtest.h"
#include "xalloc.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ------------------------------------------------------------ helpers */

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected '%s' in:\n%s", needle, hay);
}

static char *tmpdir(void)
{
	char *d = xstrdup("/tmp/tc-mig-XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rmtree(char *d)
{
	nftw(d, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(d);
}

static void put(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0755);
	*slash = '/';
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static void drop(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	assert_int_equal(unlink(path), 0);
	free(path);
}

static cli_out mig(const char *dsn, const char *dir, const char *const *extra)
{
	const char *argv[32];
	size_t n = 0;
	argv[n++] = "migrate";
	for (; *extra; extra++)
		argv[n++] = *extra;
	argv[n++] = "-d";
	argv[n++] = dsn;
	argv[n++] = "--dir";
	argv[n++] = dir;
	argv[n] = NULL;
	return cli_run(argv, NULL);
}

static void expect(cli_out o, int status)
{
	if (o.status != status)
		fail_msg("exit %d, wanted %d\nstdout:\n%s\nstderr:\n%s", o.status, status, o.out, o.err);
}

/* The state of `version` in `migrate status` plain output. */
static char *state_of(const char *dsn, const char *dir, const char *version)
{
	cli_out o = mig(dsn, dir, ARGS("status"));
	expect(o, 0);
	char *want = xasprintf("\n%s\t", strchr(o.out, '\n') ? "default" : "");
	char *line = NULL;
	for (char *p = strstr(o.out, want); p; p = strstr(p + 1, want)) {
		char *v = p + strlen(want);
		if (strncmp(v, version, strlen(version)) == 0 && v[strlen(version)] == '\t') {
			/* chain, version, name, state */
			char *name_end = strchr(v + strlen(version) + 1, '\t');
			char *state = name_end + 1;
			line = xstrndup(state, strcspn(state, "\t"));
			break;
		}
	}
	free(want);
	if (!line)
		fail_msg("no version %s in:\n%s", version, o.out);
	cli_out_free(&o);
	return line;
}

static void assert_state(const char *dsn, const char *dir, const char *version, const char *want)
{
	char *got = state_of(dsn, dir, version);
	if (strcmp(got, want))
		fail_msg("version %s is %s, wanted %s", version, got, want);
	free(got);
}

static void assert_scalar(const char *dsn, const char *sql, const char *want)
{
	char *v = dbtest_scalar(dsn, sql);
	if (!v || strcmp(v, want))
		fail_msg("%s gave %s, wanted %s", sql, v ? v : "NULL", want);
	free(v);
}

#define NATIVE(up, down) "-- migrate:up\n" up "\n-- migrate:down\n" down "\n"

/* ------------------------------------------------------------ states */

static void every_state_in_status(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "001_a.sql", NATIVE("CREATE TABLE a (x int);", "DROP TABLE a;"));
	put(d, "002_b.sql", NATIVE("CREATE TABLE b (x int);", "DROP TABLE b;"));
	put(d, "004_d.sql", NATIVE("CREATE TABLE d (x int);", "DROP TABLE d;"));
	put(d, "005_e.sql", NATIVE("CREATE TABLE e (x int);", "DROP TABLE e;"));
	cli_out o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 0);
	assert_contains(o.err, "4 steps done");
	cli_out_free(&o);

	put(d, "002_b.sql", NATIVE("CREATE TABLE b (x int); -- edited", "DROP TABLE b;")); /* edited */
	put(d, "003_c.sql", NATIVE("CREATE TABLE c (x int);", "DROP TABLE c;"));         /* out of order */
	drop(d, "005_e.sql");                                                               /* missing */
	put(d, "006_f.sql", NATIVE("CREATE TABLE f (x int);", "DROP TABLE f;"));         /* pending */
	put(d, "007_g.sql", NATIVE("SELECT 1;", "SELECT 1;"));                            /* duplicate */
	put(d, "007_h.sql", NATIVE("SELECT 2;", ""));
	assert_state(dsn, d, "001", "applied");
	assert_state(dsn, d, "002", "edited");
	assert_state(dsn, d, "003", "out-of-order");
	assert_state(dsn, d, "005", "missing");
	assert_state(dsn, d, "006", "pending");
	assert_state(dsn, d, "007", "duplicate");

	o = mig(dsn, d, ARGS("status", "--json"));
	expect(o, 0);
	assert_contains(o.out, "\"chain\":\"default\",\"version\":\"002\",\"name\":\"b\","
			       "\"state\":\"edited\"");
	assert_contains(o.out, "\"duration_ms\":");
	assert_contains(o.out, "\"applied_at\":\"");
	cli_out_free(&o);

	/* The summary, and --strict. */
	o = mig(dsn, d, ARGS("status"));
	assert_contains(o.err, "2 applied, 1 pending, 1 edited, 1 missing, 1 out-of-order, 2 duplicate");
	cli_out_free(&o);
	o = mig(dsn, d, ARGS("status", "--strict"));
	expect(o, 1);
	cli_out_free(&o);

	/* Nothing runs while two files claim one version; both are named. */
	o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 4);
	assert_contains(o.err, "007_g.sql");
	assert_contains(o.err, "007_h.sql");
	cli_out_free(&o);
	drop(d, "007_h.sql");

	/* Out of order needs its flag. */
	o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 4);
	assert_contains(o.err, "003");
	assert_contains(o.err, "--allow-out-of-order");
	cli_out_free(&o);
	o = mig(dsn, d, ARGS("up", "--write", "--allow-out-of-order"));
	expect(o, 0);
	cli_out_free(&o);
	assert_state(dsn, d, "003", "applied");
	assert_scalar(dsn, "SELECT count(*) FROM tenantctl_schema_migrations", "7");

	/* down refuses to pass the missing 005? 007 and 006 first. */
	o = mig(dsn, d, ARGS("down", "2", "--write"));
	expect(o, 0);
	cli_out_free(&o);
	o = mig(dsn, d, ARGS("down", "--write"));
	expect(o, 4);
	assert_contains(o.err, "cannot revert 005");
	assert_contains(o.err, "missing");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT count(*) FROM pg_tables WHERE tablename = 'd'", "1");
	rmtree(d);
	free(dsn);
}

/* ------------------------------------------------------------ the gate */

static void read_only_unless_write(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "1_a.sql", NATIVE("CREATE TABLE a (x int);", "DROP TABLE a;"));
	cli_out o = mig(dsn, d, ARGS("up"));
	expect(o, 4);
	assert_contains(o.err, "'migrate up' changes the database and this session is read-only");
	assert_contains(o.err, "--write");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT count(*) FROM pg_tables WHERE tablename = 'a'", "0");

	/* A dry run is a read. */
	o = mig(dsn, d, ARGS("up", "--dry-run"));
	expect(o, 0);
	assert_contains(o.out, "1\ta\tapply\tplanned");
	cli_out_free(&o);

	/* With --write against a read-only role, the server's refusal is plain. */
	dbtest_exec(dsn, "CREATE ROLE mig_ro LOGIN PASSWORD 'ro';"
			 "ALTER ROLE mig_ro SET default_transaction_read_only = on;"
			 "GRANT CREATE ON SCHEMA public TO mig_ro");
	char *ro = xasprintf("%s user=mig_ro password=ro", dsn);
	o = mig(ro, d, ARGS("up", "--write"));
	expect(o, 3);
	assert_contains(o.err, "the server refused the write");
	cli_out_free(&o);
	free(ro);
	rmtree(d);
	free(dsn);
}

/* ------------------------------------------------------------ failures */

static void transactional_failure_leaves_no_trace(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "1_a.sql", NATIVE("CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);\n"
				 "INSERT INTO nope VALUES (1);",
				 "DROP TABLE a;"));
	cli_out o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 3);
	assert_contains(o.err, "failed at statement 3 of 3");
	assert_contains(o.err, "1_a.sql:4");
	assert_contains(o.err, "relation \"nope\" does not exist");
	assert_contains(o.err, "nothing was applied");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT count(*) FROM pg_tables WHERE tablename = 'a'", "0");
	assert_scalar(dsn, "SELECT count(*) FROM tenantctl_schema_migrations", "0");
	assert_state(dsn, d, "1", "pending");
	rmtree(d);
	free(dsn);
}

static void non_transactional_failure_is_recorded(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "1_a.sql", "-- migrate:up transaction:false\n"
			  "CREATE TABLE a (x int);\n"
			  "CREATE INDEX CONCURRENTLY a_x ON a (x);\n"
			  "ALTER TABLE nope ADD COLUMN y int;\n"
			  "-- migrate:down\nDROP TABLE a;\n");
	cli_out o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 3);
	assert_contains(o.err, "failed at statement 3 of 3");
	assert_contains(o.err, "statements 1 to 2 took effect");
	assert_contains(o.err, "tenantctl migrate resolve 1 --applied");
	cli_out_free(&o);
	/* The first two statements stay; the record names the failed one. */
	assert_scalar(dsn, "SELECT count(*) FROM pg_indexes WHERE indexname = 'a_x'", "1");
	assert_scalar(dsn, "SELECT state || ' ' || failed_statement FROM tenantctl_schema_migrations",
		      "failed 3");
	assert_state(dsn, d, "1", "failed");
	o = mig(dsn, d, ARGS("status"));
	assert_contains(o.out, "statement 3 failed");
	assert_contains(o.out, "migrate resolve 1 --rolled-back");
	cli_out_free(&o);

	/* Nothing else runs until it is settled. */
	put(d, "2_b.sql", NATIVE("CREATE TABLE b (x int);", "DROP TABLE b;"));
	o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 4);
	assert_contains(o.err, "migration 1 failed earlier");
	cli_out_free(&o);

	/* The operator finished it by hand. */
	dbtest_exec(dsn, "CREATE TABLE nope (x int); ALTER TABLE nope ADD COLUMN y int");
	o = mig(dsn, d, ARGS("resolve", "1", "--applied"));
	expect(o, 4); /* a write: needs --write */
	cli_out_free(&o);
	o = mig(dsn, d, ARGS("resolve", "1", "--applied", "--write"));
	expect(o, 0);
	cli_out_free(&o);
	assert_state(dsn, d, "1", "applied");
	o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 0);
	cli_out_free(&o);
	assert_state(dsn, d, "2", "applied");
	rmtree(d);
	free(dsn);
}

static void concurrently_among_other_statements(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	/* No transaction:false: the CONCURRENTLY statement is detected. */
	put(d, "1_a.sql", NATIVE("CREATE TABLE a (x int, note text);\n"
				 "INSERT INTO a SELECT g, 'semi;colon' FROM generate_series(1, 100) g;\n"
				 "CREATE INDEX CONCURRENTLY a_x ON a (x);\n"
				 "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;",
				 "DROP TABLE a;\nDROP FUNCTION f();"));
	cli_out o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 0);
	assert_contains(o.out, "1\ta\tapply\tapplied");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'a_x'::regclass", "t");
	assert_scalar(dsn, "SELECT count(*) FROM a", "100");
	o = mig(dsn, d, ARGS("down", "--write"));
	expect(o, 0);
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT count(*) FROM pg_tables WHERE tablename = 'a'", "0");
	rmtree(d);
	free(dsn);
}

/* ------------------------------------------------------------ formats */

struct format_case {
	const char *format;
	const char *files[4][2];
};

static void every_format(void **state)
{
	(void)state;
	static const struct format_case cases[] = {
		{"dbmate", {{"20260101000001_a.sql", NATIVE("CREATE TABLE a (x int);", "DROP TABLE a;")},
			    {"20260101000002_b.sql", NATIVE("CREATE TABLE b (x int);", "DROP TABLE b;")}}},
		{"golang-migrate", {{"1_a.up.sql", "CREATE TABLE a (x int);"},
				    {"1_a.down.sql", "DROP TABLE a;"},
				    {"2_b.up.sql", "CREATE TABLE b (x int);"},
				    {"2_b.down.sql", "DROP TABLE b;"}}},
		{"flyway", {{"V1__a.sql", "CREATE TABLE a (x int);"},
			    {"U1__a.sql", "DROP TABLE a;"},
			    {"V1.1__b.sql", "CREATE TABLE b (x int);"},
			    {"U1.1__b.sql", "DROP TABLE b;"}}},
		{"prisma", {{"20260101000001_a/migration.sql", "CREATE TABLE a (x int);"},
			    {"20260101000002_b/migration.sql", "CREATE TABLE b (x int);"}}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *dsn = dbtest_new_db();
		char *d = tmpdir();
		for (size_t k = 0; k < 4 && cases[i].files[k][0]; k++)
			put(d, cases[i].files[k][0], cases[i].files[k][1]);
		/* Detected from the files, and accepted when named. */
		cli_out o = mig(dsn, d, ARGS("step", "--write"));
		expect(o, 0);
		cli_out_free(&o);
		o = mig(dsn, d, ARGS("up", "--write", "--format", cases[i].format));
		expect(o, 0);
		cli_out_free(&o);
		assert_scalar(dsn, "SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')", "2");
		assert_scalar(dsn, "SELECT count(*) FROM tenantctl_schema_migrations", "2");
		o = mig(dsn, d, ARGS("status"));
		assert_contains(o.err, "2 applied, 0 pending");
		cli_out_free(&o);
		if (strcmp(cases[i].format, "prisma")) {
			o = mig(dsn, d, ARGS("down", "--write"));
			expect(o, 0);
			cli_out_free(&o);
			assert_scalar(dsn, "SELECT count(*) FROM pg_tables WHERE tablename = 'b'", "0");
		}
		rmtree(d);
		free(dsn);
	}
}

/* Another tool's history, written as that tool writes it, is shown, not
 * re-applied, and adopted on request. */
static void adopt_each_foreign_history(void **state)
{
	(void)state;
	static const struct {
		const char *tool;
		const char *setup;
		const char *files[2][2];
	} cases[] = {
		{"dbmate",
		 "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);"
		 "INSERT INTO schema_migrations VALUES ('20260101000001'), ('20260101000002');",
		 {{"20260101000001_a.sql", NATIVE("CREATE TABLE a (x int);", "DROP TABLE a;")},
		  {"20260101000002_b.sql", NATIVE("CREATE TABLE b (x int);", "DROP TABLE b;")}}},
		{"golang-migrate",
		 "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);"
		 "INSERT INTO schema_migrations VALUES (2, false);",
		 {{"1_a.up.sql", "CREATE TABLE a (x int);"}, {"2_b.up.sql", "CREATE TABLE b (x int);"}}},
		{"flyway",
		 "CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50),"
		 " description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL,"
		 " checksum int, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(),"
		 " execution_time int NOT NULL, success boolean NOT NULL);"
		 "INSERT INTO flyway_schema_history VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', 1, 'ops', now(), 5, true),"
		 " (2, '2', 'b', 'SQL', 'V2__b.sql', 2, 'ops', now(), 7, true);",
		 {{"V1__a.sql", "CREATE TABLE a (x int);"}, {"V2__b.sql", "CREATE TABLE b (x int);"}}},
		{"prisma",
		 "CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL,"
		 " finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,"
		 " started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0);"
		 "INSERT INTO _prisma_migrations VALUES ('a1', 'x', now(), '20260101000001_a', NULL, NULL, now(), 1),"
		 " ('b2', 'y', now(), '20260101000002_b', NULL, NULL, now(), 1);",
		 {{"20260101000001_a/migration.sql", "CREATE TABLE a (x int);"},
		  {"20260101000002_b/migration.sql", "CREATE TABLE b (x int);"}}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *dsn = dbtest_new_db();
		char *d = tmpdir();
		dbtest_exec(dsn, cases[i].setup);
		dbtest_exec(dsn, "CREATE TABLE a (x int); CREATE TABLE b (x int)");
		for (size_t k = 0; k < 2; k++)
			put(d, cases[i].files[k][0], cases[i].files[k][1]);
		cli_out o = mig(dsn, d, ARGS("status"));
		expect(o, 0);
		assert_contains(o.err, "2 applied, 0 pending");
		assert_contains(o.err, "migrate adopt --from");
		cli_out_free(&o);
		o = mig(dsn, d, ARGS("up", "--write"));
		expect(o, 4);
		assert_contains(o.err, "adopt");
		cli_out_free(&o);
		o = mig(dsn, d, ARGS("adopt", "--from", cases[i].tool, "--write"));
		expect(o, 0);
		assert_contains(o.out, "adopted\t2");
		cli_out_free(&o);
		assert_scalar(dsn, "SELECT count(*) FROM tenantctl_schema_migrations", "2");
		/* Adopted with the files' checksums, so nothing shows as edited. */
		o = mig(dsn, d, ARGS("status", "--strict"));
		expect(o, 0);
		assert_contains(o.err, "2 applied, 0 pending, 0 edited, 0 missing");
		cli_out_free(&o);
		/* Adopting twice changes nothing. */
		o = mig(dsn, d, ARGS("adopt", "--from", cases[i].tool, "--write"));
		expect(o, 0);
		assert_contains(o.out, "already_present\t2");
		cli_out_free(&o);
		rmtree(d);
		free(dsn);
	}
}

/* ------------------------------------------------------------ the lock */

static pid_t spawn_quiet(const char *const *argv)
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		char *exe = xasprintf("%s/tenantctl", getenv("TC_BUILDDIR"));
		size_t n = 0;
		while (argv[n])
			n++;
		char **args = xcalloc(n + 2, sizeof *args);
		args[0] = exe;
		for (size_t i = 0; i < n; i++)
			args[i + 1] = (char *)argv[i];
		execv(exe, args);
		_exit(127);
	}
	return pid;
}

static void two_runners_one_applies(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "1_slow.sql", NATIVE("CREATE TABLE a (x int);\nSELECT pg_sleep(3);", "DROP TABLE a;"));
	pid_t first = spawn_quiet(ARGS("migrate", "up", "--write", "-d", dsn, "--dir", d));
	/* Wait until the first runner holds the lock (poll, don't guess). */
	char *held = NULL;
	for (int i = 0; i < 200; i++) {
		free(held);
		held = dbtest_scalar(dsn, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
					  " AND granted");
		if (strcmp(held, "0"))
			break;
		struct timespec t = {0, 25 * 1000000L};
		nanosleep(&t, NULL);
	}
	assert_string_equal(held, "1");
	free(held);
	char *pid = dbtest_scalar(dsn, "SELECT pid FROM pg_locks WHERE locktype = 'advisory'");

	cli_out o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 4);
	char *holder = xasprintf("held by pid %s", pid);
	char *named = xasprintf("pid %s (tenantctl", pid);
	assert_contains(o.err, "another runner holds the migration lock");
	assert_contains(o.err, named);
	cli_out_free(&o);
	/* status shows the held lock. */
	o = mig(dsn, d, ARGS("status"));
	assert_contains(o.err, holder);
	cli_out_free(&o);

	int ws;
	assert_int_equal(waitpid(first, &ws, 0), first);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);
	assert_scalar(dsn, "SELECT count(*) FROM tenantctl_schema_migrations", "1");
	/* --lock-wait lets a second runner wait its turn. */
	free(holder);
	free(named);
	free(pid);
	rmtree(d);
	free(dsn);
}

static void lock_timeout_names_the_lock(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	dbtest_exec(dsn, "CREATE TABLE busy (x int)");
	put(d, "1_a.sql", NATIVE("ALTER TABLE busy ADD COLUMN y int;", "ALTER TABLE busy DROP COLUMN y;"));
	char *cfg = xasprintf("%s/config", d);
	char *text = xasprintf("[target t]\ndsn = \"%s\"\nlock_timeout = 1500ms\n", dsn);
	put(d, "config", text);
	/* Another session holds the table, idle in its transaction. */
	pid_t holder = fork();
	if (holder == 0) {
		char *sql = xasprintf("BEGIN; LOCK TABLE busy IN ACCESS SHARE MODE; SELECT pg_sleep(6);");
		execlp("psql", "psql", "-X", "-q", "-d", dsn, "-c", sql, (char *)NULL);
		_exit(127);
	}
	char *n = NULL;
	for (int i = 0; i < 200; i++) {
		free(n);
		n = dbtest_scalar(dsn, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid ="
				       " l.relation WHERE c.relname = 'busy' AND l.granted");
		if (strcmp(n, "0"))
			break;
		struct timespec t = {0, 25 * 1000000L};
		nanosleep(&t, NULL);
	}
	free(n);
	cli_out o = cli_run(ARGS("migrate", "up", "--write", "--config", cfg, "-t", "t", "--dir", d),
			    NULL);
	expect(o, 3);
	assert_contains(o.err, "lock timeout");
	assert_contains(o.err, "AccessExclusiveLock on busy, held by pid");
	assert_contains(o.err, "psql");
	assert_contains(o.err, "nothing was applied");
	cli_out_free(&o);
	kill(holder, SIGTERM);
	waitpid(holder, NULL, 0);
	free(text);
	free(cfg);
	rmtree(d);
	free(dsn);
}

/* ------------------------------------------------------------ preview, new */

static void preview_changes_nothing(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "1_a.sql", NATIVE("CREATE TABLE a (x int);\nINSERT INTO a VALUES (1), (2);",
				 "DROP TABLE a;"));
	put(d, "2_b.sql", NATIVE("ALTER TABLE a ADD COLUMN y text NOT NULL DEFAULT 'z';\n"
				 "UPDATE a SET y = 'w' WHERE x = 1;\nALTER TABLE a ALTER COLUMN x TYPE bigint;",
				 "ALTER TABLE a DROP COLUMN y;"));
	cli_out o = mig(dsn, d, ARGS("step", "--write"));
	expect(o, 0);
	cli_out_free(&o);
	/* A read-only session may preview. */
	o = mig(dsn, d, ARGS("preview"));
	expect(o, 0);
	assert_contains(o.out, "statement\tALTER TABLE\t#1 line 2");
	assert_contains(o.out, "statement\tUPDATE 1\t#2 line 3\t1\t");
	/* What changed, from the drift engine: added objects and changed attributes. */
	assert_contains(o.out, "added\tcolumn\tpublic.a.y\t\\N\t\n");
	assert_contains(o.out, "changed\tcolumn\tpublic.a.x\t\\N\ttype: integer -> bigint\n");
	assert_contains(o.err, "rolled back, nothing was applied");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'a'::regclass"
			   " AND attname = 'y'", "0");
	assert_state(dsn, d, "2", "pending");
	rmtree(d);
	free(dsn);
}

static void new_writes_the_next_file(void **state)
{
	(void)state;
	char *d = tmpdir();
	put(d, "V1__a.sql", "SELECT 1;");
	cli_out o = cli_run(ARGS("migrate", "new", "Add Users!", "--dir", d), NULL);
	expect(o, 0);
	assert_contains(o.out, "V2__add_users.sql");
	assert_contains(o.out, "flyway");
	cli_out_free(&o);
	char *p = xasprintf("%s/V2__add_users.sql", d);
	assert_int_equal(access(p, F_OK), 0);
	free(p);
	rmtree(d);
}

/* Two chains on one target, each with its own table, shown together. */
static void chains_side_by_side(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "core/1_a.sql", NATIVE("CREATE TABLE a (x int);", "DROP TABLE a;"));
	put(d, "tracing/1_t.sql", NATIVE("CREATE TABLE t (x int);", "DROP TABLE t;"));
	char *text = xasprintf("[target t]\ndsn = \"%s\"\nmigrations = %s/core\n"
			       "migrations.tracing = %s/tracing\n", dsn, d, d);
	put(d, "config", text);
	char *cfg = xasprintf("%s/config", d);
	cli_out o = cli_run(ARGS("--config", cfg, "-t", "t", "migrate", "up", "--write"), NULL);
	expect(o, 0);
	cli_out_free(&o);
	o = cli_run(ARGS("--config", cfg, "-t", "t", "migrate", "status"), NULL);
	expect(o, 0);
	assert_contains(o.out, "default\t1\ta\tapplied");
	assert_contains(o.out, "tracing\t1\tt\tapplied");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT count(*) FROM tenantctl_schema_migrations_tracing", "1");
	o = cli_run(ARGS("--config", cfg, "-t", "t", "migrate", "down", "--write"), NULL);
	expect(o, 2);
	assert_contains(o.err, "--chain");
	cli_out_free(&o);
	free(cfg);
	free(text);
	rmtree(d);
	free(dsn);
}

/* Flyway's R__ files run again whenever their checksum changes. */
static void flyway_repeatable_reapplied(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "V1__t.sql", "CREATE TABLE t (x int);");
	put(d, "R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT 1 AS one;");
	cli_out o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 0);
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT one FROM v", "1");
	o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 0);
	assert_contains(o.err, "nothing to do");
	cli_out_free(&o);
	put(d, "R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT 2 AS one;");
	o = mig(dsn, d, ARGS("status"));
	assert_contains(o.out, "changed since applied");
	cli_out_free(&o);
	o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 0);
	assert_contains(o.err, "1 step done");
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT one FROM v", "2");
	rmtree(d);
	free(dsn);
}

/* A target configured to keep dbmate's table writes there. */
static void keeps_using_a_foreign_history(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "m/20260101000001_a.sql", NATIVE("CREATE TABLE a (x int);", "DROP TABLE a;"));
	put(d, "m/20260101000002_b.sql", NATIVE("CREATE TABLE b (x int);", "DROP TABLE b;"));
	char *text = xasprintf("[target t]\ndsn = \"%s\"\nmigrations = %s/m\nhistory = dbmate\n", dsn, d);
	put(d, "config", text);
	char *cfg = xasprintf("%s/config", d);
	cli_out o = cli_run(ARGS("--config", cfg, "-t", "t", "migrate", "up", "--write"), NULL);
	expect(o, 0);
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations",
		      "20260101000001,20260101000002");
	assert_scalar(dsn, "SELECT count(*) FROM pg_tables WHERE tablename ="
			   " 'tenantctl_schema_migrations'", "0");
	o = cli_run(ARGS("--config", cfg, "-t", "t", "migrate", "down", "--write"), NULL);
	expect(o, 0);
	cli_out_free(&o);
	assert_scalar(dsn, "SELECT string_agg(version, ',') FROM schema_migrations", "20260101000001");
	free(cfg);
	free(text);
	rmtree(d);
	free(dsn);
}

/* A file with its own BEGIN/COMMIT runs inside tenantctl's transaction, so
 * its history row commits with it. */
static void own_begin_commit(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "1_a.sql", NATIVE("BEGIN;\nCREATE TABLE a (x int);\nCOMMIT;", "BEGIN;\nDROP TABLE a;\nCOMMIT;"));
	put(d, "2_b.sql", NATIVE("BEGIN;\nCREATE TABLE b (x int);\nSELECT 1/0;\nCOMMIT;", ""));
	cli_out o = mig(dsn, d, ARGS("up", "--write"));
	expect(o, 3);
	assert_contains(o.err, "division by zero");
	cli_out_free(&o);
	/* 1 applied; 2 left no trace although the file said COMMIT. */
	assert_state(dsn, d, "1", "applied");
	assert_state(dsn, d, "2", "pending");
	assert_scalar(dsn, "SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')", "1");
	rmtree(d);
	free(dsn);
}

/* Alembic's revisions are shown, never written. */
static void alembic_shown_read_only(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *d = tmpdir();
	put(d, "1_a.sql", NATIVE("CREATE TABLE a (x int);", "DROP TABLE a;"));
	dbtest_exec(dsn, "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);"
			 "INSERT INTO alembic_version VALUES ('ae1027a6acf')");
	cli_out o = mig(dsn, d, ARGS("status"));
	expect(o, 0);
	assert_contains(o.out, "alembic\tae1027a6acf\t(alembic head)\tapplied");
	cli_out_free(&o);
	o = mig(dsn, d, ARGS("adopt", "--from", "alembic", "--write"));
	expect(o, 2);
	assert_contains(o.err, "read-only");
	cli_out_free(&o);
	rmtree(d);
	free(dsn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_state_in_status),
		cmocka_unit_test(read_only_unless_write),
		cmocka_unit_test(transactional_failure_leaves_no_trace),
		cmocka_unit_test(non_transactional_failure_is_recorded),
		cmocka_unit_test(concurrently_among_other_statements),
		cmocka_unit_test(every_format),
		cmocka_unit_test(adopt_each_foreign_history),
		cmocka_unit_test(two_runners_one_applies),
		cmocka_unit_test(lock_timeout_names_the_lock),
		cmocka_unit_test(preview_changes_nothing),
		cmocka_unit_test(new_writes_the_next_file),
		cmocka_unit_test(chains_side_by_side),
		cmocka_unit_test(flyway_repeatable_reapplied),
		cmocka_unit_test(keeps_using_a_foreign_history),
		cmocka_unit_test(own_begin_commit),
		cmocka_unit_test(alembic_shown_read_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
