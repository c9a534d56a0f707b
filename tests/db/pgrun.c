/* pgrun: the LOG_COMPILER of every test. `pgrun TESTPROGRAM [args...]`.
 *
 * Programs under a db/ folder get a private PostgreSQL cluster for their
 * lifetime: initdb into a fresh temporary folder, a server on a Unix socket
 * only, an empty `tc_template` database, and the environment pointing at it
 * (TC_TEST_DSN, TC_TEST_HOST/PORT/USER and the libpq PG* variables). The
 * cluster is stopped and the folder removed however the test ends: success,
 * failure, crash, or SIGINT/SIGTERM/SIGHUP to pgrun. Other programs are run
 * as they are.
 *
 * stdout belongs to the test (TAP); pgrun's own words go to stderr, except
 * "Bail out!" and "1..0 # SKIP", which are meant for the TAP driver. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "pgcluster.h"
#include "strbuf.h"
#include "xalloc.h"

/* automake treats 99 as a hard error, not a test failure. */
#define EXIT_HARD_ERROR 99
/* How long a test may take to die after a forwarded signal. */
#define CHILD_GRACE_SECONDS 10

static volatile sig_atomic_t got_signal;
static volatile sig_atomic_t child_pid;

static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_HANDLED (sizeof handled_signals / sizeof handled_signals[0])

static void on_signal(int sig)
{
	got_signal = sig;
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
}

static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: waitpid must return so a stubborn test can be killed. */
	for (size_t i = 0; i < N_HANDLED; i++)
		sigaction(handled_signals[i], &sa, NULL);
}

static void block_handled(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < N_HANDLED; i++)
		sigaddset(&set, handled_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void print_error(const char *prefix, const tc_error *err)
{
	fprintf(stderr, "pgrun: %s%s\n", prefix, err->message ? err->message : "unknown error");
	if (err->hint)
		fprintf(stderr, "pgrun: hint: %s\n", err->hint);
}

/* "Bail out!" takes one line: the first line of the message and its last
 * (the server log's final word); all of it goes to stderr. */
static void bail_out(const char *what, const tc_error *err)
{
	const char *msg = err && err->message ? err->message : "";
	size_t first = strcspn(msg, "\n");
	printf("Bail out! %s%s%.*s", what, first ? ": " : "", (int)first, msg);
	size_t len = strlen(msg);
	while (len > first && msg[len - 1] == '\n')
		len--;
	if (len > first) {
		size_t start = len;
		while (start > first && msg[start - 1] != '\n')
			start--;
		printf(" | %.*s", (int)(len - start), msg + start);
	}
	printf("\n");
	fflush(stdout);
	if (err)
		print_error("", err);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		fprintf(stderr, "pgrun: cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

typedef struct harness {
	char *tmpdir; /* owned; the whole private tree, NULL once removed */
	pgcluster pc;
	bool have_pc;
} harness;

/* Stop the server and remove the tree; true when nothing is left behind. */
static bool cleanup(harness *h)
{
	bool ok = true;
	if (h->have_pc) {
		tc_error err = TC_ERROR_INIT;
		if (pgcluster_stop(&h->pc, &err) != TC_OK) {
			print_error("", &err);
			ok = false;
		}
		tc_error_clear(&err);
		if (ok && pgcluster_remove(&h->pc, &err) != TC_OK) {
			print_error("", &err);
			ok = false;
		}
		tc_error_clear(&err);
	}
	if (!h->tmpdir)
		return ok;
	if (!ok) {
		/* A server may still run there: removing its files would orphan it. */
		fprintf(stderr, "pgrun: left %s in place for inspection\n", h->tmpdir);
	} else {
		nftw(h->tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		if (access(h->tmpdir, F_OK) == 0) {
			fprintf(stderr, "pgrun: could not remove %s\n", h->tmpdir);
			ok = false;
		}
	}
	if (h->have_pc)
		pgcluster_free(&h->pc);
	h->have_pc = false;
	free(h->tmpdir);
	h->tmpdir = NULL;
	return ok;
}

static _Noreturn void die_hard(harness *h, const char *what, const tc_error *err)
{
	bail_out(what, err);
	cleanup(h);
	exit(EXIT_HARD_ERROR);
}

static _Noreturn void exit_for_signal(harness *h)
{
	int sig = got_signal;
	bool clean = cleanup(h);
	fprintf(stderr, "pgrun: interrupted by signal %d (%s)%s\n", sig, strsignal(sig),
		clean ? ", cleaned up" : "");
	exit(128 + sig);
}

static void check_signal(harness *h)
{
	if (got_signal)
		exit_for_signal(h);
}

/* The developer's libpq settings must not leak into the tests. */
static void scrub_environment(void)
{
	static const char *const drop[] = {
		"PGPASSWORD", "PGSERVICE", "PGSERVICEFILE", "PGSYSCONFDIR", "PGHOSTADDR",
		"PGOPTIONS", "PGCLIENTENCODING", "PGDATESTYLE", "PGTZ", "PGTARGETSESSIONATTRS",
		"PGSSLMODE", "PGREQUIRESSL", "PGGSSENCMODE", "PGREQUIREAUTH", "PGDATA",
	};
	for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
		unsetenv(drop[i]);
}

static char *make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	if (!base || !base[0])
		base = "/tmp";
	char *dir = xasprintf("%s/tenantctl-test-XXXXXX", base);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "pgrun: cannot create a folder in %s: %s\n", base,
			strerror(errno));
		free(dir);
		return NULL;
	}
	/* The server may run as another user (postgres, when we are root). */
	chmod(dir, 0755);
	return dir;
}

static bool create_template(const pgcluster *pc, tc_error *err)
{
	char *dsn = pgcluster_dsn(pc, "postgres");
	PGconn *conn = PQconnectdb(dsn);
	free(dsn);
	bool ok = false;
	if (PQstatus(conn) != CONNECTION_OK) {
		tc_fail(err, TC_ERR_DB, "cannot connect to the new cluster: %s",
			PQerrorMessage(conn));
	} else {
		PGresult *res = PQexec(conn, "CREATE DATABASE tc_template IS_TEMPLATE = true");
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			ok = true;
		else
			tc_fail(err, TC_ERR_DB, "cannot create database tc_template: %s",
				PQresultErrorMessage(res));
		PQclear(res);
	}
	PQfinish(conn);
	return ok;
}

static void export_cluster(const pgcluster *pc)
{
	char port[16];
	snprintf(port, sizeof port, "%d", pc->port);
	char *dsn = pgcluster_dsn(pc, "postgres");
	setenv("TC_TEST_HOST", pc->socketdir, 1);
	setenv("TC_TEST_PORT", port, 1);
	setenv("TC_TEST_USER", pc->superuser, 1);
	setenv("TC_TEST_DSN", dsn, 1);
	setenv("PGHOST", pc->socketdir, 1);
	setenv("PGPORT", port, 1);
	setenv("PGUSER", pc->superuser, 1);
	setenv("PGDATABASE", "postgres", 1);
	free(dsn);
}

static void setup_cluster(harness *h, const char *bindir)
{
	tc_error err = TC_ERROR_INIT;
	h->tmpdir = make_tmpdir();
	if (!h->tmpdir)
		die_hard(h, "test cluster: cannot create a temporary folder", NULL);
	/* No ~/.pgpass. A file that does not exist, because libpq warns about
	 * /dev/null ("not a plain file") on every connection. */
	char *passfile = xasprintf("%s/no-pgpass", h->tmpdir);
	setenv("PGPASSFILE", passfile, 1);
	free(passfile);

	char *datadir = xasprintf("%s/data", h->tmpdir);
	tc_status rc = pgcluster_init_struct(&h->pc, bindir, datadir, &err);
	free(datadir);
	if (rc != TC_OK)
		die_hard(h, "test cluster", &err);
	h->have_pc = true;
	/* The socket next to the data keeps the path short and private. */
	free(h->pc.socketdir);
	h->pc.socketdir = xstrdup(h->tmpdir);
	if (geteuid() == 0 && chown(h->tmpdir, h->pc.run_uid, h->pc.run_gid) < 0) {
		tc_fail(&err, TC_ERR_USAGE, "cannot hand %s to the postgres user: %s", h->tmpdir,
			strerror(errno));
		die_hard(h, "test cluster", &err);
	}
	check_signal(h);

	if (pgcluster_initdb(&h->pc, &err) != TC_OK)
		die_hard(h, "test cluster", &err);
	check_signal(h);
	if (pgcluster_start(&h->pc, &err) != TC_OK)
		die_hard(h, "test cluster", &err);
	check_signal(h);
	if (!create_template(&h->pc, &err))
		die_hard(h, "test cluster", &err);
	check_signal(h);
	export_cluster(&h->pc);
	tc_error_clear(&err);
}

/* Wait for the test; after a forwarded signal, give it a grace period and
 * then kill it, so pgrun always gets to clean up. */
static int wait_child(pid_t pid)
{
	int st = 0;
	time_t deadline = 0;
	for (;;) {
		pid_t r = waitpid(pid, &st, got_signal ? WNOHANG : 0);
		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "pgrun: waitpid: %s\n", strerror(errno));
			return -1;
		}
		if (!got_signal)
			continue;
		if (deadline == 0)
			deadline = time(NULL) + CHILD_GRACE_SECONDS;
		if (time(NULL) >= deadline) {
			fprintf(stderr, "pgrun: the test ignored signal %d, killing it\n",
				(int)got_signal);
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return st;
		}
		struct timespec nap = {0, 100 * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
}

static _Noreturn void exec_test(char **argv)
{
	execv(argv[0], argv);
	fprintf(stderr, "pgrun: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pgrun TESTPROGRAM [ARGS...]\n");
		return EXIT_HARD_ERROR;
	}
	if (!strstr(argv[1], "/db/"))
		exec_test(argv + 1);

	char *why = NULL;
	char *bindir = pgcluster_find_bindir(&why);
	if (!bindir) {
		const char *ci = getenv("CI");
		const char *chosen = getenv("TC_PG_BINDIR");
		/* CI must not go green by skipping every database test, and a
		 * wrong explicit TC_PG_BINDIR is a mistake to fix, not a skip. */
		if ((ci && strcmp(ci, "true") == 0) || (chosen && chosen[0])) {
			printf("Bail out! %s\n", why);
			free(why);
			return EXIT_HARD_ERROR;
		}
		printf("1..0 # SKIP %s\n", why);
		free(why);
		return 0;
	}

	harness h;
	memset(&h, 0, sizeof h);
	install_handlers();
	scrub_environment();
	setup_cluster(&h, bindir);
	free(bindir);

	sigset_t old;
	block_handled(&old);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		tc_error err = TC_ERROR_INIT;
		tc_fail(&err, TC_ERR_USAGE, "fork: %s", strerror(errno));
		die_hard(&h, "cannot run the test", &err);
	}
	if (pid == 0) {
		/* A signal pending from before the exec now takes its default
		 * action instead of being lost in our handler. */
		for (size_t i = 0; i < N_HANDLED; i++)
			signal(handled_signals[i], SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		exec_test(argv + 1);
	}
	child_pid = pid;
	if (got_signal)
		kill(pid, got_signal);
	sigprocmask(SIG_SETMASK, &old, NULL);

	int st = wait_child(pid);
	child_pid = 0;

	int code;
	if (st < 0) {
		code = EXIT_HARD_ERROR;
	} else if (WIFEXITED(st)) {
		code = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st)) {
		fprintf(stderr, "pgrun: %s was killed by signal %d (%s)\n", argv[1], WTERMSIG(st),
			strsignal(WTERMSIG(st)));
		code = 128 + WTERMSIG(st);
	} else {
		code = EXIT_HARD_ERROR;
	}
	if (got_signal)
		exit_for_signal(&h);
	if (!cleanup(&h) && code == 0)
		code = EXIT_HARD_ERROR;
	return code;
}
