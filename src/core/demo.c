#include "config.h"

#include "demo.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn.h"
#include "db.h"
#include "mig.h"
#include "pgcluster.h"
#include "session.h"
#include "sqlsplit.h"
#include "xalloc.h"

static bool is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Can the postgres user reach (search) every folder above path? Asked the
 * only reliable way: as that user. */
static bool postgres_can_reach(const char *path)
{
	struct passwd *pw = getpwnam("postgres");
	if (!pw)
		return false;
	char *parent = xstrdup(path);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	while (!is_dir(parent) && (slash = strrchr(parent, '/')) && slash != parent)
		*slash = '\0';
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
			_exit(2);
		_exit(access(parent, X_OK) == 0 ? 0 : 1);
	}
	int ws = 0;
	bool ok = pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
	free(parent);
	return ok;
}

char *demo_datadir(void)
{
	const char *own = getenv("TENANTCTL_DEMO_DIR");
	if (own && *own)
		return xstrdup(own);
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *dir = NULL;
	if (xdg && *xdg == '/')
		dir = xasprintf("%s/tenantctl/demo", xdg);
	else if (home && *home)
		dir = xasprintf("%s/.local/share/tenantctl/demo", home);
	/* As root the server runs as postgres, which cannot enter /root. */
	if (geteuid() == 0 && (!dir || !postgres_can_reach(dir))) {
		free(dir);
		dir = xstrdup("/var/lib/tenantctl/demo");
	}
	return dir ? dir : xstrdup("/tmp/tenantctl-demo");
}

char *demo_db_dir(void)
{
	const char *env = getenv("TC_DATADIR");
	if (env && *env) {
		char *d = xasprintf("%s/db", env);
		if (is_dir(d))
			return d;
		free(d);
	}
	if (is_dir(TC_PKGDATADIR "/db/migrations"))
		return xstrdup(TC_PKGDATADIR "/db");
	if (is_dir(TC_SRCDIR_DB "/migrations"))
		return xstrdup(TC_SRCDIR_DB);
	return NULL;
}

/* mkdir -p with folders open to others, so that as root the postgres user
 * can reach the data directory below them. */
static void make_parents(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	free(p);
}

static void say(void (*progress)(void *, const char *), void *ctx, const char *line)
{
	if (progress)
		progress(ctx, line);
}

static bool server_answers(const pgcluster *pc)
{
	char *dsn = pgcluster_dsn(pc, "postgres");
	bool up = PQping(dsn) == PQPING_OK;
	free(dsn);
	return up;
}

static tc_status open_db(const pgcluster *pc, const char *db, tc_conn **c, tc_error *err)
{
	char *dsn = pgcluster_dsn(pc, db);
	conn_params p = {.dsn = dsn, .write = true};
	tc_status rc = conn_open(&p, c, err);
	free(dsn);
	return rc;
}

/* The second-newest version in the folder: the demo stops there so that
 * the newest migration is pending. */
static tc_status second_newest(const char *dir, char **version, tc_error *err)
{
	mig_dir d;
	tc_status rc = migsrc_load(dir, MIG_FMT_NATIVE, &d, err);
	if (rc != TC_OK)
		return rc;
	if (d.n < 2) {
		migsrc_free(&d);
		return tc_fail(err, TC_ERR_USAGE, "%s holds fewer than two migrations", dir);
	}
	*version = xstrdup(d.files[d.n - 2].version);
	migsrc_free(&d);
	return TC_OK;
}

static tc_status load_seed(tc_conn *c, const char *path, tc_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return tc_fail(err, TC_ERR_USAGE, "cannot read the demo data %s: %s", path,
			       strerror(errno));
	strbuf text = STRBUF_INIT;
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_addn(&text, buf, n);
	fclose(f);
	sql_script s;
	tc_status rc = sql_split(sb_str(&text), conn_server_version(c), &s, err);
	if (rc == TC_OK)
		rc = db_exec(c, "BEGIN", 0, NULL, NULL, err);
	for (size_t i = 0; rc == TC_OK && i < s.n; i++)
		if (!(s.stmts[i].flags & SQL_TX_CONTROL))
			rc = db_exec(c, s.stmts[i].text, 0, NULL, NULL, err);
	if (rc == TC_OK)
		rc = db_exec(c, "COMMIT", 0, NULL, NULL, err);
	else if (s.n)
		tc_error_prefix(err, "loading %s: ", path);
	if (rc == TC_OK)
		sql_script_free(&s);
	sb_free(&text);
	return rc;
}

/* A new demo database: reference migrations but the newest, then the data. */
static tc_status build_database(pgcluster *pc, const char *dbdir, demo_info *out,
				void (*progress)(void *, const char *), void *ctx, tc_error *err)
{
	tc_conn *admin;
	tc_status rc = open_db(pc, "postgres", &admin, err);
	if (rc != TC_OK)
		return rc;
	rc = db_exec(admin, "CREATE DATABASE " DEMO_DATABASE, 0, NULL, NULL, err);
	conn_close(admin);
	if (rc != TC_OK)
		return rc;
	tc_conn *c;
	rc = open_db(pc, DEMO_DATABASE, &c, err);
	if (rc != TC_OK)
		return rc;
	char *stop_at = NULL;
	rc = second_newest(out->migrations_dir, &stop_at, err);
	if (rc == TC_OK) {
		mig_chain chain = {.name = (char *)"default", .dir = out->migrations_dir,
				   .format = MIG_FMT_NATIVE, .hist = HIST_TENANTCTL,
				   .table = (char *)HIST_DEFAULT_TABLE};
		mig_run_opts o = {.goal = MIG_TO, .to_version = stop_at,
				  .command = "tenantctl demo (building the demo deployment)",
				  .progress = progress, .progress_ctx = ctx};
		mig_report rep;
		rc = mig_run(c, &chain, &o, &rep, err);
		mig_report_free(&rep);
	}
	if (rc == TC_OK) {
		say(progress, ctx, "loading the demo data");
		char *seed = xasprintf("%s/seed/demo.sql", dbdir);
		rc = load_seed(c, seed, err);
		free(seed);
	}
	if (rc == TC_OK) {
		say(progress, ctx, "planting schema drift");
		char *seed = xasprintf("%s/seed/demo-drift.sql", dbdir);
		rc = load_seed(c, seed, err);
		free(seed);
	}
	free(stop_at);
	conn_close(c);
	return rc;
}

/* The demo's drift reference: every reference migration, no data, no
 * planted drift. */
static tc_status build_reference(pgcluster *pc, demo_info *out,
				 void (*progress)(void *, const char *), void *ctx, tc_error *err)
{
	tc_conn *admin;
	tc_status rc = open_db(pc, "postgres", &admin, err);
	if (rc != TC_OK)
		return rc;
	say(progress, ctx, "building the drift reference (" DEMO_REFERENCE_DATABASE ")");
	rc = db_exec(admin, "CREATE DATABASE " DEMO_REFERENCE_DATABASE, 0, NULL, NULL, err);
	conn_close(admin);
	if (rc != TC_OK)
		return rc;
	tc_conn *c;
	rc = open_db(pc, DEMO_REFERENCE_DATABASE, &c, err);
	if (rc != TC_OK)
		return rc;
	mig_chain chain = {.name = (char *)"default", .dir = out->migrations_dir,
			   .format = MIG_FMT_NATIVE, .hist = HIST_TENANTCTL,
			   .table = (char *)HIST_DEFAULT_TABLE};
	mig_run_opts o = {.goal = MIG_UP,
			  .command = "tenantctl demo (building the drift reference)"};
	mig_report rep;
	rc = mig_run(c, &chain, &o, &rep, err);
	mig_report_free(&rep);
	conn_close(c);
	return rc;
}

/* DATADIR.allowlist: the operator's (rules saved from the console land
 * here), so it is created once and never written again by the demo. */
static tc_status make_allowlist(demo_info *d, tc_error *err)
{
	d->allowlist = xasprintf("%s.allowlist", d->datadir);
	int fd = open(d->allowlist, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return TC_OK;
		return tc_fail(err, TC_ERR_USAGE, "cannot create %s: %s", d->allowlist,
			       strerror(errno));
	}
	static const char text[] =
		"# Known drift of the demo deployment, one rule a line:\n"
		"#   KIND  OBJECT-GLOB  [ATTRIBUTE]  -- REASON\n"
		"# `tenantctl demo` created this file and never rewrites it; rules drafted in\n"
		"# the console's Drift pane (a, then :w) are appended here.\n"
		"table public.organizations_backup -- copy kept until the March data fix is "
		"signed off (planted by the demo)\n";
	ssize_t w = write(fd, text, sizeof text - 1);
	int e = errno;
	if (close(fd) != 0 && w == (ssize_t)(sizeof text - 1))
		e = errno, w = -1;
	if (w != (ssize_t)(sizeof text - 1)) {
		unlink(d->allowlist);
		return tc_fail(err, TC_ERR_USAGE, "cannot write %s: %s", d->allowlist, strerror(e));
	}
	return TC_OK;
}

/* DATADIR.conf: written whole to a temporary name, then renamed. */
static tc_status write_config(demo_info *d, tc_error *err)
{
	d->config = xasprintf("%s.conf", d->datadir);
	char *tmp = xasprintf("%s.tmp", d->config);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		free(tmp);
		return tc_fail(err, TC_ERR_USAGE, "cannot write %s: %s", d->config, strerror(errno));
	}
	fprintf(f, "# Written by `tenantctl demo` at every start: edits here are lost.\n"
		   "[target demo]\n"
		   "dsn = \"%s\"\n"
		   "migrations = %s\n"
		   "reference = \"%s\"\n"
		   "allowlist = %s\n",
		d->dsn, d->migrations_dir, d->reference_dsn, d->allowlist);
	bool ok = fclose(f) == 0 && rename(tmp, d->config) == 0;
	if (!ok) {
		unlink(tmp);
		free(tmp);
		return tc_fail(err, TC_ERR_USAGE, "cannot write %s: %s", d->config, strerror(errno));
	}
	free(tmp);
	return TC_OK;
}

static tc_status demo_cluster(pgcluster *pc, tc_error *err)
{
	char *dir = demo_datadir();
	make_parents(dir);
	tc_status rc = pgcluster_init_struct(pc, NULL, dir, err);
	free(dir);
	return rc;
}

tc_status demo_start(bool fresh, void (*progress)(void *, const char *), void *ctx,
		     demo_info *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	char *dbdir = demo_db_dir();
	if (!dbdir) {
		tc_fail(err, TC_ERR_USAGE, "the reference schema and demo data are not installed");
		tc_hint(err, "reinstall tenantctl, or set TC_DATADIR to the folder above db/");
		return TC_ERR_USAGE;
	}
	out->migrations_dir = xasprintf("%s/migrations", dbdir);
	pgcluster pc;
	tc_status rc = demo_cluster(&pc, err);
	if (rc != TC_OK) {
		free(dbdir);
		return rc;
	}
	out->datadir = xstrdup(pc.datadir);
	if (fresh && pgcluster_exists(&pc)) {
		say(progress, ctx, "removing the old demo");
		rc = pgcluster_stop(&pc, err);
		if (rc == TC_OK)
			rc = pgcluster_remove(&pc, err);
		pgcluster_free(&pc);
		if (rc == TC_OK)
			rc = demo_cluster(&pc, err);
	}
	if (rc == TC_OK && !pgcluster_exists(&pc)) {
		say(progress, ctx, "creating the demo cluster (initdb)");
		rc = pgcluster_initdb(&pc, err);
		out->created = true;
	}
	if (rc == TC_OK && !server_answers(&pc)) {
		say(progress, ctx, "starting the demo server");
		rc = pgcluster_start(&pc, err);
	}
	tc_conn *admin = NULL;
	if (rc == TC_OK)
		rc = open_db(&pc, "postgres", &admin, err);
	bool have_db = false, have_ref = false;
	if (rc == TC_OK) {
		const char *params[] = {DEMO_DATABASE, DEMO_REFERENCE_DATABASE};
		db_rows rows;
		rc = db_query(admin, "SELECT datname::text FROM pg_catalog.pg_database "
				     "WHERE datname IN ($1, $2)",
			      2, params, &rows, err);
		if (rc == TC_OK) {
			for (size_t i = 0; i < rows.nrows; i++) {
				const char *name = db_get(&rows, i, 0);
				have_db = have_db || !strcmp(name, DEMO_DATABASE);
				have_ref = have_ref || !strcmp(name, DEMO_REFERENCE_DATABASE);
			}
			db_rows_free(&rows);
		}
		conn_close(admin);
	}
	if (rc == TC_OK && !have_db) {
		out->created = true;
		rc = build_database(&pc, dbdir, out, progress, ctx, err);
	}
	/* A demo built before it had a reference gets one now. */
	if (rc == TC_OK && !have_ref)
		rc = build_reference(&pc, out, progress, ctx, err);
	if (rc == TC_OK)
		rc = make_allowlist(out, err);
	if (rc == TC_OK) {
		out->dsn = pgcluster_dsn(&pc, DEMO_DATABASE);
		out->reference_dsn = pgcluster_dsn(&pc, DEMO_REFERENCE_DATABASE);
		rc = write_config(out, err);
	}
	if (rc != TC_OK)
		tc_hint(err, "the server log is %s; `tenantctl demo --fresh` rebuilds the demo",
			pc.logfile);
	/* The server keeps running for the console and psql; `demo --stop` ends it. */
	pgcluster_free(&pc);
	free(dbdir);
	if (rc != TC_OK)
		demo_info_free(out);
	return rc;
}

tc_status demo_stop(tc_error *err)
{
	pgcluster pc;
	tc_status rc = demo_cluster(&pc, err);
	if (rc != TC_OK)
		return rc;
	if (pgcluster_exists(&pc))
		rc = pgcluster_stop(&pc, err);
	pgcluster_free(&pc);
	return rc;
}

void demo_info_free(demo_info *d)
{
	free(d->datadir);
	free(d->dsn);
	free(d->migrations_dir);
	free(d->config);
	free(d->reference_dsn);
	free(d->allowlist);
	memset(d, 0, sizeof *d);
}

static void progress_relay(void *ctx, const char *line)
{
	void *pctx;
	session_progress_fn fn = session_progress(ctx, &pctx);
	if (fn)
		fn(pctx, line);
}

tc_status demo_cmd(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	if (cmd_opt_value(call, "stop")) {
		tc_status rc = demo_stop(err);
		if (rc == TC_OK) {
			res_init(out, RES_EMPTY);
			res_set_summary(out, "the demo server is stopped");
		}
		return rc;
	}
	demo_info d;
	tc_status rc = demo_start(cmd_opt_value(call, "fresh") != NULL, progress_relay, s, &d, err);
	if (rc != TC_OK)
		return rc;
	/* Until the console exists, show where things stand and how to look. */
	tc_conn *c;
	conn_params p = {.dsn = d.dsn};
	rc = conn_open(&p, &c, err);
	mig_status st = {0};
	mig_chain chain = {.name = (char *)"default", .dir = d.migrations_dir,
			   .format = MIG_FMT_NATIVE, .hist = HIST_TENANTCTL,
			   .table = (char *)HIST_DEFAULT_TABLE};
	if (rc == TC_OK) {
		rc = mig_status_load(c, &chain, &st, err);
		conn_close(c);
	}
	if (rc == TC_OK) {
		res_init(out, RES_TEXT);
		strbuf *t = &out->text;
		sb_addf(t, "demo deployment %s in %s\n\n", d.created ? "built" : "running", d.datadir);
		sb_add(t, "migrations: ");
		mig_status_summary(&st, t);
		sb_addc(t, '\n');
		for (size_t i = 0; i < st.n; i++)
			sb_addf(t, "  %-14s %-12s %s\n", st.entries[i].version,
				mig_state_name(st.entries[i].state), st.entries[i].name);
		sb_addf(t, "\nconnect:  psql \"%s\"\n", d.dsn);
		sb_addf(t, "commands: tenantctl -d \"%s\" migrate status --dir %s\n", d.dsn,
			d.migrations_dir);
		sb_addf(t, "drift:    tenantctl --config %s -t demo drift\n", d.config);
		sb_add(t, "stop:     tenantctl demo --stop\n");
		sb_addf(t, "console:  tenantctl --config %s -t demo\n", d.config);
	}
	mig_status_free(&st);
	demo_info_free(&d);
	return rc;
}
