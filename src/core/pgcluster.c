#include "config.h"

#include "pgcluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

#define PG_DEFAULT_PORT 5432
#define PG_SUPERUSER "postgres"
#define START_TIMEOUT "30"
#define LOG_TAIL_LINES 20

static const char no_server_why[] =
	"no PostgreSQL server programs found (initdb, pg_ctl): install the Debian package "
	"postgresql, or set TC_PG_BINDIR";

static bool has_server_programs(const char *dir)
{
	char *initdb = xasprintf("%s/initdb", dir);
	char *pg_ctl = xasprintf("%s/pg_ctl", dir);
	bool ok = access(initdb, X_OK) == 0 && access(pg_ctl, X_OK) == 0;
	free(initdb);
	free(pg_ctl);
	return ok;
}

/* The last `n` lines of s (borrowed from s). */
static const char *tail_lines(const char *s, int n)
{
	size_t len = strlen(s);
	while (len > 0 && s[len - 1] == '\n')
		len--;
	size_t i = len;
	while (i > 0) {
		if (s[i - 1] == '\n' && --n == 0)
			break;
		i--;
	}
	return s + i;
}

static void add_tail(strbuf *sb, const char *label, const char *text)
{
	const char *t = tail_lines(text, LOG_TAIL_LINES);
	size_t len = strlen(t);
	while (len > 0 && t[len - 1] == '\n')
		len--;
	if (len == 0)
		return;
	sb_addf(sb, "\n--- %s ---\n", label);
	sb_addn(sb, t, len);
}

static bool read_file(const char *path, strbuf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		sb_addn(out, buf, (size_t)n);
	}
	close(fd);
	return true;
}

static void describe_wait(strbuf *sb, int wstatus)
{
	if (WIFEXITED(wstatus))
		sb_addf(sb, "exit status %d", WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		sb_addf(sb, "killed by signal %d (%s)", WTERMSIG(wstatus),
			strsignal(WTERMSIG(wstatus)));
	else
		sb_addf(sb, "wait status %d", wstatus);
}

/* What a child reports through the close-on-exec pipe when it cannot exec. */
struct child_failure {
	int step; /* index into child_steps */
	int err;
};

static const char *const child_steps[] = {
	"setgroups", "setgid", "setuid", "chdir /", "open /dev/null", "dup2", "exec",
};

static void child_fail(int fd, int step)
{
	struct child_failure f = {step, errno};
	ssize_t w = write(fd, &f, sizeof f);
	(void)w;
	_exit(127);
}

/* Close every descriptor above stderr but `keep` (async-signal-safe). */
static void close_other_fds(int keep)
{
	if (keep > 3)
		close_range(3, (unsigned)keep - 1, 0);
	if (close_range((unsigned)keep + 1, ~0U, 0) < 0)
		for (int fd = keep + 1; fd < 4096; fd++)
			close(fd);
}

/* Run argv (execvp), stdin from /dev/null, stdout and stderr collected into
 * *out, and wait for it. With pc set and run as root, the program runs as the
 * cluster's user. It gets its own process group so a Ctrl-C meant for the
 * caller does not kill initdb or pg_ctl halfway. The child only makes
 * async-signal-safe calls: the caller may have threads. */
static tc_status run_capture(const pgcluster *pc, char *const argv[], strbuf *out,
			     int *wstatus, tc_error *err)
{
	int outp[2], failp[2];
	if (pipe2(outp, O_CLOEXEC) < 0)
		return tc_fail(err, TC_ERR_DB, "cannot run %s: pipe: %s", argv[0], strerror(errno));
	if (pipe2(failp, O_CLOEXEC) < 0) {
		int e = errno;
		close(outp[0]);
		close(outp[1]);
		return tc_fail(err, TC_ERR_DB, "cannot run %s: pipe: %s", argv[0], strerror(e));
	}
	bool drop = pc && geteuid() == 0 && pc->run_uid != 0;
	uid_t uid = pc ? pc->run_uid : 0;
	gid_t gid = pc ? pc->run_gid : 0;

	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(outp[0]);
		close(outp[1]);
		close(failp[0]);
		close(failp[1]);
		return tc_fail(err, TC_ERR_DB, "cannot run %s: fork: %s", argv[0], strerror(e));
	}
	if (pid == 0) {
		setpgid(0, 0);
		static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD};
		for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
			signal(sigs[i], SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (drop) {
			if (setgroups(1, &gid) < 0)
				child_fail(failp[1], 0);
			if (setgid(gid) < 0)
				child_fail(failp[1], 1);
			if (setuid(uid) < 0)
				child_fail(failp[1], 2);
		}
		/* The caller's cwd may be closed to the cluster user (/root). */
		if (chdir("/") < 0)
			child_fail(failp[1], 3);
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (devnull < 0)
			child_fail(failp[1], 4);
		if (dup2(devnull, 0) < 0 || dup2(outp[1], 1) < 0 || dup2(outp[1], 2) < 0)
			child_fail(failp[1], 5);
		/* The server outlives us: it must not keep our caller's pipes (a
		 * `tenantctl demo | cat` would never see end of file) or sockets. */
		close_other_fds(failp[1]);
		execvp(argv[0], argv);
		child_fail(failp[1], 6);
	}

	close(outp[1]);
	close(failp[1]);
	char buf[4096];
	ssize_t n;
	while ((n = read(outp[0], buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		sb_addn(out, buf, (size_t)n);
	}
	close(outp[0]);
	struct child_failure f;
	ssize_t got;
	do
		got = read(failp[0], &f, sizeof f);
	while (got < 0 && errno == EINTR);
	close(failp[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return tc_fail(err, TC_ERR_DB, "cannot run %s: waitpid: %s", argv[0],
				       strerror(errno));
	}
	if (got == (ssize_t)sizeof f) {
		tc_fail(err, TC_ERR_DB, "cannot run %s: %s: %s", argv[0], child_steps[f.step],
			strerror(f.err));
		if (drop)
			tc_hint(err, "the server programs run as uid %u (root may not run them)",
				(unsigned)uid);
		return TC_ERR_DB;
	}
	*wstatus = st;
	return TC_OK;
}

/* Fail with "<what>: <how it ended>" and the tail of the program's output. */
static tc_status fail_run(tc_error *err, const char *what, int wstatus, const char *output,
			  const char *logfile)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s: ", what);
	describe_wait(&sb, wstatus);
	add_tail(&sb, "output", output);
	if (logfile) {
		strbuf log = STRBUF_INIT;
		if (read_file(logfile, &log))
			add_tail(&sb, logfile, sb_str(&log));
		sb_free(&log);
	}
	tc_fail(err, TC_ERR_DB, "%s", sb_str(&sb));
	sb_free(&sb);
	return TC_ERR_DB;
}

static char *bindir_from_pg_config(void)
{
	const char *pg_config = "pg_config";
#ifdef TC_PG_CONFIG
	if (TC_PG_CONFIG[0])
		pg_config = TC_PG_CONFIG;
#endif
	char *argv[] = {(char *)pg_config, (char *)"--bindir", NULL};
	strbuf out = STRBUF_INIT;
	int st;
	char *dir = NULL;
	if (run_capture(NULL, argv, &out, &st, NULL) == TC_OK && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0) {
		/* stderr is mixed in: the directory is the first line. */
		size_t len = strcspn(sb_str(&out), "\n");
		if (len > 0)
			dir = xstrndup(sb_str(&out), len);
	}
	sb_free(&out);
	if (dir && !has_server_programs(dir)) {
		/* pg_config from libpq-dev exists without the server. */
		free(dir);
		dir = NULL;
	}
	return dir;
}

/* Newest /usr/lib/postgresql/N/bin holding the server programs. */
static char *bindir_from_debian_layout(void)
{
	const char *base = "/usr/lib/postgresql";
	DIR *d = opendir(base);
	if (!d)
		return NULL;
	char *best = NULL;
	long best_major = -1, best_minor = -1;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long major = strtol(de->d_name, &end, 10);
		long minor = 0;
		if (end == de->d_name)
			continue;
		if (*end == '.')
			minor = strtol(end + 1, &end, 10);
		if (*end != '\0')
			continue;
		if (major < best_major || (major == best_major && minor <= best_minor))
			continue;
		char *dir = xasprintf("%s/%s/bin", base, de->d_name);
		if (has_server_programs(dir)) {
			free(best);
			best = dir;
			best_major = major;
			best_minor = minor;
		} else {
			free(dir);
		}
	}
	closedir(d);
	return best;
}

char *pgcluster_find_bindir(char **why)
{
	if (why)
		*why = NULL;
	const char *env = getenv("TC_PG_BINDIR");
	if (env && env[0]) {
		if (has_server_programs(env))
			return xstrdup(env);
		/* An explicit choice that is wrong must not be papered over. */
		if (why)
			*why = xasprintf("TC_PG_BINDIR=%s holds no PostgreSQL server programs "
					 "(initdb, pg_ctl): point it at the folder that does, or "
					 "unset it",
					 env);
		return NULL;
	}
	char *dir = bindir_from_pg_config();
	if (!dir)
		dir = bindir_from_debian_layout();
	if (!dir && why)
		*why = xstrdup(no_server_why);
	return dir;
}

static char *absolute_path(const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	strbuf cwd = STRBUF_INIT;
	size_t size = 256;
	for (;;) {
		char *buf = xmalloc(size);
		if (getcwd(buf, size)) {
			sb_add(&cwd, buf);
			free(buf);
			break;
		}
		free(buf);
		if (errno != ERANGE)
			return xstrdup(path);
		size *= 2;
	}
	sb_addf(&cwd, "/%s", path);
	return sb_steal(&cwd);
}

/* mkdir -p for the parents (0755), then `path` itself with `mode`. */
static int make_dirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			int e = errno;
			free(p);
			errno = e;
			return -1;
		}
		*s = '/';
	}
	free(p);
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

tc_status pgcluster_init_struct(pgcluster *pc, const char *bindir, const char *datadir,
				tc_error *err)
{
	memset(pc, 0, sizeof *pc);
	if (!bindir) {
		char *why = NULL;
		pc->bindir = pgcluster_find_bindir(&why);
		if (!pc->bindir) {
			tc_fail(err, TC_ERR_USAGE, "%s", why);
			free(why);
			return TC_ERR_USAGE;
		}
	} else {
		if (!has_server_programs(bindir))
			return tc_fail(err, TC_ERR_USAGE,
				       "%s holds no PostgreSQL server programs (initdb, pg_ctl)",
				       bindir);
		pc->bindir = xstrdup(bindir);
	}
	pc->datadir = absolute_path(datadir);
	pc->socketdir = xstrdup(pc->datadir);
	pc->logfile = xasprintf("%s/server.log", pc->datadir);
	pc->port = PG_DEFAULT_PORT;
	pc->superuser = xstrdup(PG_SUPERUSER);
	pc->run_uid = geteuid();
	pc->run_gid = getegid();

	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("postgres");
		if (!pw) {
			tc_fail(err, TC_ERR_USAGE,
				"running as root, but there is no `postgres` user to run the "
				"PostgreSQL server as (initdb refuses root)");
			tc_hint(err, "run as an ordinary user, or create the postgres user "
				     "(the Debian package postgresql does)");
			pgcluster_free(pc);
			return TC_ERR_USAGE;
		}
		pc->run_uid = pw->pw_uid;
		pc->run_gid = pw->pw_gid;
	}

	if (make_dirs(pc->datadir, 0700) < 0) {
		int e = errno;
		tc_fail(err, TC_ERR_USAGE, "cannot create the data directory %s: %s", pc->datadir,
			strerror(e));
		pgcluster_free(pc);
		return TC_ERR_USAGE;
	}
	struct stat st;
	if (geteuid() == 0 && !pgcluster_exists(pc) && stat(pc->datadir, &st) == 0 &&
	    st.st_uid != pc->run_uid) {
		if (chown(pc->datadir, pc->run_uid, pc->run_gid) < 0) {
			int e = errno;
			tc_fail(err, TC_ERR_USAGE, "cannot hand %s to the postgres user: %s",
				pc->datadir, strerror(e));
			pgcluster_free(pc);
			return TC_ERR_USAGE;
		}
	}
	return TC_OK;
}

bool pgcluster_exists(const pgcluster *pc)
{
	char *version = xasprintf("%s/PG_VERSION", pc->datadir);
	bool ok = access(version, F_OK) == 0;
	free(version);
	return ok;
}

/* Local connections only. The superuser is trusted (the harness and the
 * demo connect as it); every other role needs its password, so password
 * prompts and authentication failures can be tested for real. Overwriting
 * the file initdb wrote keeps its owner. */
static tc_status write_hba(const pgcluster *pc, tc_error *err)
{
	char *path = xasprintf("%s/pg_hba.conf", pc->datadir);
	FILE *f = fopen(path, "w");
	tc_status rc = TC_OK;
	if (!f || fprintf(f, "# written by tenantctl: Unix socket only\n"
			     "local all %s trust\n"
			     "local all all scram-sha-256\n",
			  pc->superuser) < 0 ||
	    fclose(f) != 0)
		rc = tc_fail(err, TC_ERR_DB, "could not write %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

tc_status pgcluster_initdb(pgcluster *pc, tc_error *err)
{
	if (pgcluster_exists(pc))
		return tc_fail(err, TC_ERR_REFUSED, "%s already holds a PostgreSQL cluster",
			       pc->datadir);
	char *initdb = xasprintf("%s/initdb", pc->bindir);
	char *user = xasprintf("--username=%s", pc->superuser);
	char *argv[] = {initdb, (char *)"-D", pc->datadir, user, (char *)"--auth=trust",
			(char *)"--encoding=UTF8", (char *)"--locale=C", (char *)"--no-sync",
			NULL};
	strbuf out = STRBUF_INIT;
	int st;
	tc_status rc = run_capture(pc, argv, &out, &st, err);
	if (rc == TC_OK && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		char *what = xasprintf("initdb into %s failed", pc->datadir);
		rc = fail_run(err, what, st, sb_str(&out), NULL);
		free(what);
		if (pc->run_uid != geteuid())
			tc_hint(err, "initdb runs as the postgres user (uid %u), which must be "
				     "able to reach %s: use a folder open to it, such as /tmp",
				(unsigned)pc->run_uid, pc->datadir);
	}
	sb_free(&out);
	free(user);
	free(initdb);
	if (rc == TC_OK)
		rc = write_hba(pc, err);
	return rc;
}

/* Quote for the shell pg_ctl hands -o to: '...' with ' as '\''. */
static void add_shell_quoted(strbuf *sb, const char *s)
{
	sb_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_add(sb, "'\\''");
		else
			sb_addc(sb, *s);
	}
	sb_addc(sb, '\'');
}

static char *server_options(const pgcluster *pc)
{
	strbuf opts = STRBUF_INIT;
	strbuf sockdir = STRBUF_INIT;
	sb_add(&sockdir, "unix_socket_directories=");
	/* The setting is a list: double quotes keep commas, quotes and edge
	 * spaces of the path. */
	const char *d = pc->socketdir;
	size_t len = strlen(d);
	bool quote = strpbrk(d, ",\"") || (len > 0 && (d[0] == ' ' || d[len - 1] == ' '));
	if (quote)
		sb_addc(&sockdir, '"');
	for (; *d; d++) {
		if (*d == '"')
			sb_addc(&sockdir, '"');
		sb_addc(&sockdir, *d);
	}
	if (quote)
		sb_addc(&sockdir, '"');

	sb_add(&opts, "-c ");
	add_shell_quoted(&opts, sb_str(&sockdir));
	sb_addf(&opts, " -c 'listen_addresses=' -c port=%d", pc->port);
	/* A throwaway cluster: durability only costs time. */
	sb_add(&opts, " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
		      " -c max_connections=50");
	sb_free(&sockdir);
	return sb_steal(&opts);
}

/* pg_ctl ACTION, with --mode=MODE when mode is set. */
static tc_status run_pg_ctl(pgcluster *pc, const char *action, const char *mode, strbuf *out,
			    int *st, tc_error *err)
{
	char *pg_ctl = xasprintf("%s/pg_ctl", pc->bindir);
	char *mode_arg = mode ? xasprintf("--mode=%s", mode) : NULL;
	char *argv[] = {pg_ctl, (char *)"-D", pc->datadir, (char *)"-w", (char *)"-t",
			(char *)START_TIMEOUT, (char *)action, mode_arg, NULL};
	tc_status rc = run_capture(pc, argv, out, st, err);
	free(mode_arg);
	free(pg_ctl);
	return rc;
}

static bool pg_ctl_ok(pgcluster *pc, const char *action, const char *mode)
{
	strbuf out = STRBUF_INIT;
	int st;
	bool ok = run_pg_ctl(pc, action, mode, &out, &st, NULL) == TC_OK && WIFEXITED(st) &&
		  WEXITSTATUS(st) == 0;
	sb_free(&out);
	return ok;
}

/* pg_ctl status exits 3 when no server runs (a stale postmaster.pid). */
static bool server_gone(pgcluster *pc)
{
	strbuf out = STRBUF_INIT;
	int st;
	bool gone = run_pg_ctl(pc, "status", NULL, &out, &st, NULL) == TC_OK && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 3;
	sb_free(&out);
	return gone;
}

tc_status pgcluster_start(pgcluster *pc, tc_error *err)
{
	if (pc->started)
		return TC_OK;
	if (!pgcluster_exists(pc))
		return tc_fail(err, TC_ERR_USAGE, "%s holds no PostgreSQL cluster (run initdb first)",
			       pc->datadir);
	/* The server would fail with a vaguer message. */
	size_t max_path = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
	int sock_len = snprintf(NULL, 0, "%s/.s.PGSQL.%d", pc->socketdir, pc->port);
	if (sock_len < 0 || (size_t)sock_len > max_path)
		return tc_fail(err, TC_ERR_USAGE,
			       "socket folder %s is too long: the socket path would exceed %zu "
			       "bytes; choose a shorter folder",
			       pc->socketdir, max_path);

	char *pg_ctl = xasprintf("%s/pg_ctl", pc->bindir);
	char *opts = server_options(pc);
	char *argv[] = {pg_ctl, (char *)"-D", pc->datadir, (char *)"-l", pc->logfile,
			(char *)"-w", (char *)"-t", (char *)START_TIMEOUT, (char *)"-o",
			opts, (char *)"start", NULL};
	strbuf out = STRBUF_INIT;
	int st;
	tc_status rc = run_capture(pc, argv, &out, &st, err);
	if (rc == TC_OK && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		char *what = xasprintf("the PostgreSQL server in %s did not start", pc->datadir);
		rc = fail_run(err, what, st, sb_str(&out), pc->logfile);
		free(what);
		/* pg_ctl gives up on a slow server but leaves it running. */
		pg_ctl_ok(pc, "stop", "immediate");
	}
	if (rc == TC_OK)
		pc->started = true;
	sb_free(&out);
	free(opts);
	free(pg_ctl);
	return rc;
}

tc_status pgcluster_stop(pgcluster *pc, tc_error *err)
{
	char *pidfile = xasprintf("%s/postmaster.pid", pc->datadir);
	bool running = access(pidfile, F_OK) == 0;
	free(pidfile);
	if (!pc->started && !running)
		return TC_OK;

	strbuf out = STRBUF_INIT;
	int st;
	tc_status rc = run_pg_ctl(pc, "stop", "fast", &out, &st, err);
	if (rc == TC_OK && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		char *what = xasprintf("stopping the PostgreSQL server in %s failed", pc->datadir);
		rc = fail_run(err, what, st, sb_str(&out), pc->logfile);
		free(what);
		/* A crashed server is as stopped as it gets; a hung one must not
		 * be left behind. */
		if (server_gone(pc) || pg_ctl_ok(pc, "stop", "immediate")) {
			tc_error_clear(err);
			rc = TC_OK;
		}
	}
	if (rc == TC_OK)
		pc->started = false;
	sb_free(&out);
	return rc;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		return errno;
	return 0;
}

tc_status pgcluster_remove(pgcluster *pc, tc_error *err)
{
	if (pc->started)
		return tc_fail(err, TC_ERR_REFUSED,
			       "will not remove %s while its server runs: stop it first",
			       pc->datadir);
	if (!pc->datadir || strcmp(pc->datadir, "/") == 0 || pc->datadir[0] == '\0')
		return tc_fail(err, TC_ERR_REFUSED, "refusing to remove the data directory \"%s\"",
			       pc->datadir ? pc->datadir : "");
	int rc = nftw(pc->datadir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (rc < 0 && errno == ENOENT)
		return TC_OK;
	if (rc != 0)
		return tc_fail(err, TC_ERR_USAGE, "cannot remove %s: %s", pc->datadir,
			       strerror(rc > 0 ? rc : errno));
	return TC_OK;
}

/* A conninfo value, quoted only when it has to be. */
static void add_conninfo_value(strbuf *sb, const char *v)
{
	if (v[0] && strcspn(v, " \t\n\r\f\v'\\") == strlen(v)) {
		sb_add(sb, v);
		return;
	}
	sb_addc(sb, '\'');
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *v);
	}
	sb_addc(sb, '\'');
}

char *pgcluster_dsn(const pgcluster *pc, const char *dbname)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "host=");
	add_conninfo_value(&sb, pc->socketdir);
	sb_addf(&sb, " port=%d user=", pc->port);
	add_conninfo_value(&sb, pc->superuser);
	sb_add(&sb, " dbname=");
	add_conninfo_value(&sb, dbname);
	return sb_steal(&sb);
}

void pgcluster_free(pgcluster *pc)
{
	if (!pc)
		return;
	free(pc->bindir);
	free(pc->datadir);
	free(pc->socketdir);
	free(pc->logfile);
	free(pc->superuser);
	memset(pc, 0, sizeof *pc);
}
