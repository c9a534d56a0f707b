/* The reference deployment: db/migrations apply in order and roll back
 * exactly, db/seed/demo.sql loads on all migrations but the newest and plants
 * the audit findings it promises, and the operator audit log (its table and
 * the oplog module) is append-only, masked and complete.
 *
 * The migration files are split at `-- migrate:down` here, by hand: this
 * test pins the SQL, not the migration engine. */
#include "config.h"

#include <dirent.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conn.h"
#include "db.h"
#include "dbtest.h"
#include "oplog.h"
#include "strbuf.h"
#include "xalloc.h"

/* ------------------------------------------------------------------ files */

typedef struct migration {
	char *name; /* file name, owned */
	char *up;   /* owned */
	char *down; /* owned */
} migration;

typedef struct migrations {
	migration *v;
	size_t n, cap;
} migrations;

static const char *srcdir(void)
{
	const char *d = getenv("TC_SRCDIR");
	return d && *d ? d : ".";
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s (is TC_SRCDIR the source tree?)", path);
	strbuf sb = STRBUF_INIT;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		sb_addn(&sb, chunk, got);
	fclose(f);
	sb_add(&sb, "");
	return sb_steal(&sb);
}

/* Start of the line beginning with `directive`, or NULL. */
static const char *find_directive(const char *text, const char *directive)
{
	size_t len = strlen(directive);
	for (const char *p = text; p && *p;) {
		if (strncmp(p, directive, len) == 0)
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static const char *after_line(const char *p)
{
	const char *nl = strchr(p, '\n');
	return nl ? nl + 1 : p + strlen(p);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const migration *)a)->name, ((const migration *)b)->name);
}

/* Every VERSION_name.sql of db/migrations, in version order. */
static migrations load_migrations(void)
{
	migrations m = {NULL, 0, 0};
	char *dir = xasprintf("%s/db/migrations", srcdir());
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("cannot open %s", dir);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		char *text = read_file(path);
		const char *up = find_directive(text, "-- migrate:up");
		const char *down = find_directive(text, "-- migrate:down");
		if (!up || !down || down < up)
			fail_msg("%s: needs '-- migrate:up' then '-- migrate:down'", path);
		m.v = xgrow(m.v, &m.cap, m.n + 1, sizeof *m.v);
		migration *mg = &m.v[m.n++];
		mg->name = xstrdup(de->d_name);
		up = after_line(up);
		mg->up = xstrndup(up, (size_t)(down - up));
		mg->down = xstrdup(after_line(down));
		free(text);
		free(path);
	}
	closedir(d);
	free(dir);
	qsort(m.v, m.n, sizeof *m.v, by_name);
	return m;
}

static void free_migrations(migrations *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].up);
		free(m->v[i].down);
	}
	free(m->v);
}

/* Each file in its own transaction, as the engine runs them, and with an
 * empty search_path: the reference SQL names its schema and so does not
 * depend on the session's. */
static void run_in_transaction(const char *dsn, const char *sql)
{
	char *wrapped = xasprintf("BEGIN;\nSET LOCAL search_path = '';\n%s\nCOMMIT;", sql);
	dbtest_exec(dsn, wrapped);
	free(wrapped);
}

static void load_seed(const char *dsn)
{
	char *path = xasprintf("%s/db/seed/demo.sql", srcdir());
	char *seed = read_file(path);
	char *sql = xasprintf("SET search_path = '';\n%s", seed);
	dbtest_exec(dsn, sql);
	free(sql);
	free(seed);
	free(path);
}

/* A database with migrations [0, upto) applied; with the seed when asked
 * (the seed goes on all but the newest). Caller frees. */
static char *reference_db(size_t upto, bool seed)
{
	migrations m = load_migrations();
	assert_true(upto <= m.n);
	char *dsn = dbtest_new_db();
	for (size_t i = 0; i < upto; i++) {
		if (seed && i == m.n - 1)
			load_seed(dsn);
		run_in_transaction(dsn, m.v[i].up);
	}
	if (seed && upto < m.n)
		load_seed(dsn);
	free_migrations(&m);
	return dsn;
}

static size_t migration_count(void)
{
	migrations m = load_migrations();
	size_t n = m.n;
	free_migrations(&m);
	return n;
}

/* ------------------------------------------------------------------ schema */

/* Everything a migration can create in public, one sorted line per object:
 * relations, columns (type, nullability, default), constraints, indexes,
 * triggers, functions, plus extensions. Equal fingerprints mean a down undid
 * its up. */
static const char fingerprint_sql[] =
	"WITH pub AS (SELECT oid FROM pg_namespace WHERE nspname = 'public')"
	" SELECT coalesce(string_agg(x, E'\\n' ORDER BY x COLLATE \"C\"), '') FROM ("
	"  SELECT 'rel ' || c.relname || ' ' || c.relkind::text"
	"   FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pub)"
	"  UNION ALL"
	"  SELECT 'col ' || c.relname || '.' || a.attname || ' '"
	"         || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull"
	"         || ' ' || a.attidentity::text || ' ' || coalesce(co.collname, '-')"
	"         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')"
	"   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
	"   LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
	"   LEFT JOIN pg_collation co ON co.oid = a.attcollation"
	"   WHERE c.relnamespace = (SELECT oid FROM pub) AND a.attnum > 0"
	"     AND NOT a.attisdropped"
	"  UNION ALL"
	"  SELECT 'con ' || conrelid::regclass::text || ' ' || conname || ' '"
	"         || pg_get_constraintdef(oid)"
	"   FROM pg_constraint WHERE connamespace = (SELECT oid FROM pub)"
	"  UNION ALL"
	"  SELECT 'idx ' || pg_get_indexdef(i.indexrelid)"
	"   FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
	"   WHERE c.relnamespace = (SELECT oid FROM pub)"
	"  UNION ALL"
	"  SELECT 'trg ' || pg_get_triggerdef(t.oid)"
	"   FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
	"   WHERE c.relnamespace = (SELECT oid FROM pub) AND NOT t.tgisinternal"
	"  UNION ALL"
	"  SELECT 'fn ' || p.oid::regprocedure::text"
	"   FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM pub)"
	"  UNION ALL"
	"  SELECT 'ext ' || extname FROM pg_extension"
	" ) s(x)";

static char *fingerprint(const char *dsn)
{
	char *f = dbtest_scalar(dsn, fingerprint_sql);
	assert_non_null(f);
	return f;
}

static void assert_scalar(const char *dsn, const char *sql, const char *want)
{
	char *got = dbtest_scalar(dsn, sql);
	if (!got || strcmp(got, want) != 0)
		fail_msg("SQL: %s\n  want: %s\n  got:  %s", sql, want, got ? got : "(null)");
	free(got);
}

static const char expected_tables[] =
	"invitations,organization_members,organizations,project_members,projects,"
	"tenantctl_operator_log,users,workspace_members,workspaces";

static const char tables_sql[] =
	"SELECT coalesce(string_agg(relname, ',' ORDER BY relname COLLATE \"C\"), '')"
	" FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'";

/* Up in order (the seed before the newest), then every down in reverse:
 * after each down the schema is exactly what it was before that up. */
static void migrations_apply_and_roll_back_exactly(void **state)
{
	(void)state;
	migrations m = load_migrations();
	assert_true(m.n >= 6);
	for (size_t i = 0; i < m.n; i++) {
		/* VERSION_name.sql, VERSION 14 digits, strictly increasing. */
		const char *name = m.v[i].name;
		assert_true(strspn(name, "0123456789") == 14 && name[14] == '_');
		if (i > 0)
			assert_true(strncmp(m.v[i - 1].name, name, 14) < 0);
	}
	char *dsn = dbtest_new_db();
	char **before = xcalloc(m.n, sizeof *before);
	for (size_t i = 0; i < m.n; i++) {
		if (i == m.n - 1) {
			/* The demo's state: everything but the newest, then the seed. */
			assert_scalar(dsn, tables_sql, expected_tables);
			load_seed(dsn);
			assert_scalar(dsn, "SELECT count(*) FROM organizations", "8");
		}
		before[i] = fingerprint(dsn);
		run_in_transaction(dsn, m.v[i].up);
		char *after = fingerprint(dsn);
		if (strcmp(after, before[i]) == 0)
			fail_msg("%s: the up section changed nothing in the schema", m.v[i].name);
		free(after);
	}
	/* The newest adds organizations.billing_email, which the seed must not name. */
	assert_scalar(dsn,
		      "SELECT count(*) FROM pg_attribute WHERE attrelid = 'organizations'::regclass"
		      " AND attname = 'billing_email' AND NOT attisdropped",
		      "1");
	assert_scalar(dsn, tables_sql, expected_tables);

	for (size_t i = m.n; i-- > 0;) {
		run_in_transaction(dsn, m.v[i].down);
		char *after = fingerprint(dsn);
		if (strcmp(after, before[i]) != 0)
			fail_msg("%s: the down section does not undo the up section.\n"
				 "before up:\n%s\nafter down:\n%s",
				 m.v[i].name, before[i], after);
		free(after);
	}
	assert_scalar(dsn,
		      "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace",
		      "0");
	assert_scalar(dsn,
		      "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
		      "0");
	/* And up again from nothing: the downs left no debris in the way. */
	for (size_t i = 0; i < m.n; i++)
		run_in_transaction(dsn, m.v[i].up);
	assert_scalar(dsn, tables_sql, expected_tables);

	for (size_t i = 0; i < m.n; i++)
		free(before[i]);
	free(before);
	free_migrations(&m);
	free(dsn);
}

/* ------------------------------------------------------------------ the seed */

/* The findings demo.sql plants, found with plain SQL: exactly the rows its
 * header lists, so each audit check has one known answer on the demo. */
static void seed_plants_the_findings(void **state)
{
	(void)state;
	char *dsn = reference_db(migration_count() - 1, true);
	assert_scalar(dsn, "SELECT count(*) FROM users", "31");
	assert_scalar(dsn,
		      "SELECT string_agg(slug, ',' ORDER BY slug) FROM organizations",
		      "acme,globex,hooli,initech,soylent,stark-industries,umbrella,"
		      "wayne-enterprises");
	/* Memberships at every scope, invitations, some log history. */
	assert_scalar(dsn, "SELECT count(*) > 0 FROM workspace_members", "t");
	assert_scalar(dsn, "SELECT count(*) > 0 FROM project_members", "t");
	assert_scalar(dsn, "SELECT count(*) > 0 FROM invitations", "t");
	assert_scalar(dsn, "SELECT count(*) > 0 FROM tenantctl_operator_log", "t");

	static const char live_owner[] =
		"EXISTS (SELECT 1 FROM organization_members m JOIN users u ON u.id = m.user_id"
		" WHERE m.organization_id = o.id AND m.role = 'owner'"
		" AND m.deleted_at IS NULL AND u.deleted_at IS NULL)";
	char *sql = xasprintf("SELECT string_agg(slug, ',') FROM organizations o"
			      " WHERE o.deleted_at IS NULL AND NOT %s",
			      live_owner);
	assert_scalar(dsn, sql, "globex");
	free(sql);

	assert_scalar(dsn,
		      "SELECT string_agg(slug, ',') FROM organizations o"
		      " WHERE o.deleted_at IS NULL AND o.owner_id IS NOT NULL AND NOT EXISTS ("
		      "  SELECT 1 FROM organization_members m WHERE m.organization_id = o.id"
		      "  AND m.user_id = o.owner_id AND m.role = 'owner' AND m.deleted_at IS NULL)",
		      "initech");
	assert_scalar(dsn,
		      "SELECT string_agg(slug || ':' || n, ',') FROM ("
		      " SELECT o.slug, count(*) AS n FROM organizations o"
		      " JOIN organization_members m ON m.organization_id = o.id"
		      " WHERE m.role = 'owner' AND m.deleted_at IS NULL"
		      " GROUP BY o.slug HAVING count(*) > 1) s",
		      "umbrella:2");
	/* Duplicates at any scope: only gilfoyle in hooli. */
	assert_scalar(dsn,
		      "SELECT string_agg(k, ',') FROM ("
		      " SELECT 'org ' || o.slug || ' ' || u.email AS k"
		      " FROM organization_members m JOIN organizations o ON o.id = m.organization_id"
		      " JOIN users u ON u.id = m.user_id WHERE m.deleted_at IS NULL"
		      " GROUP BY o.slug, u.email HAVING count(*) > 1"
		      " UNION ALL SELECT 'ws' FROM workspace_members WHERE deleted_at IS NULL"
		      " GROUP BY workspace_id, user_id HAVING count(*) > 1"
		      " UNION ALL SELECT 'project' FROM project_members WHERE deleted_at IS NULL"
		      " GROUP BY project_id, user_id HAVING count(*) > 1) s",
		      "org hooli gilfoyle@hooli.example");
	assert_scalar(dsn,
		      "SELECT string_agg(o.slug || ' ' || u.email, ',')"
		      " FROM organization_members m JOIN users u ON u.id = m.user_id"
		      " JOIN organizations o ON o.id = m.organization_id"
		      " WHERE m.deleted_at IS NULL AND u.deleted_at IS NOT NULL",
		      "soylent mallory@soylent.example");
	assert_scalar(dsn,
		      "SELECT string_agg(o.slug || ' ' || u.email, ',')"
		      " FROM organization_members m JOIN users u ON u.id = m.user_id"
		      " JOIN organizations o ON o.id = m.organization_id"
		      " WHERE m.deleted_at IS NULL AND o.deleted_at IS NOT NULL",
		      "wayne-enterprises bruce@wayne.example");
	assert_scalar(dsn,
		      "SELECT string_agg(o.slug || ' ' || p.name || ' ' || u.email, ',')"
		      " FROM project_members pm JOIN projects p ON p.id = pm.project_id"
		      " JOIN organizations o ON o.id = p.organization_id"
		      " JOIN users u ON u.id = pm.user_id"
		      " WHERE pm.deleted_at IS NULL AND NOT EXISTS ("
		      "  SELECT 1 FROM organization_members m WHERE m.user_id = pm.user_id"
		      "  AND m.organization_id = p.organization_id AND m.deleted_at IS NULL)",
		      "stark-industries arc-reactor happy@acme.example");
	assert_scalar(dsn,
		      "SELECT count(*) FROM workspace_members wm JOIN workspaces w"
		      " ON w.id = wm.workspace_id WHERE wm.deleted_at IS NULL AND NOT EXISTS ("
		      "  SELECT 1 FROM organization_members m WHERE m.user_id = wm.user_id"
		      "  AND m.organization_id = w.organization_id AND m.deleted_at IS NULL)",
		      "0");
	assert_scalar(dsn,
		      "SELECT string_agg(o.slug || ' ' || p.name, ',') FROM projects p"
		      " JOIN workspaces w ON w.id = p.workspace_id"
		      " JOIN organizations o ON o.id = p.organization_id"
		      " WHERE p.organization_id <> w.organization_id",
		      "stark-industries jarvis");
	assert_scalar(dsn,
		      "SELECT string_agg(o.slug || ' ' || coalesce(m.role, 'NULL'), ','"
		      "  ORDER BY m.role NULLS LAST)"
		      " FROM organization_members m JOIN organizations o ON o.id = m.organization_id"
		      " WHERE m.role IS NULL OR m.role NOT IN"
		      " ('owner', 'admin', 'developer', 'editor', 'annotator', 'viewer')",
		      "umbrella superadmin,stark-industries NULL");
	assert_scalar(dsn,
		      "SELECT count(*) FROM (SELECT role FROM workspace_members UNION ALL"
		      " SELECT role FROM project_members) r WHERE role IS NULL OR role NOT IN"
		      " ('owner', 'admin', 'developer', 'editor', 'annotator', 'viewer')",
		      "0");
	assert_scalar(dsn,
		      "SELECT string_agg(email, ',') FROM users u WHERE deleted_at IS NULL"
		      " AND NOT EXISTS (SELECT 1 FROM organization_members m"
		      "  WHERE m.user_id = u.id AND m.deleted_at IS NULL)"
		      " AND NOT EXISTS (SELECT 1 FROM workspace_members m"
		      "  WHERE m.user_id = u.id AND m.deleted_at IS NULL)"
		      " AND NOT EXISTS (SELECT 1 FROM project_members m"
		      "  WHERE m.user_id = u.id AND m.deleted_at IS NULL)",
		      "zoe@example.org");
	assert_scalar(dsn,
		      "SELECT string_agg(o.slug || ' ' || i.email, ',') FROM invitations i"
		      " JOIN organizations o ON o.id = i.organization_id"
		      " WHERE i.status = 'pending' AND i.expires_at < now()",
		      "soylent newhire@soylent.example");
	assert_scalar(dsn,
		      "SELECT string_agg(o.slug || ' ' || i.email, ',') FROM invitations i"
		      " JOIN organizations o ON o.id = i.organization_id"
		      " WHERE i.status = 'pending' AND EXISTS ("
		      "  SELECT 1 FROM organization_members m JOIN users u ON u.id = m.user_id"
		      "  WHERE m.organization_id = i.organization_id AND m.deleted_at IS NULL"
		      "  AND lower(u.email) = lower(i.email))",
		      "acme bob.builder@acme.example");
	/* Privileged (owner or admin at any scope), live, unseen for 90+ days. */
	assert_scalar(dsn,
		      "SELECT string_agg(DISTINCT u.email, ',') FROM users u"
		      " JOIN (SELECT user_id, role, deleted_at FROM organization_members"
		      "  UNION ALL SELECT user_id, role, deleted_at FROM workspace_members"
		      "  UNION ALL SELECT user_id, role, deleted_at FROM project_members) m"
		      " ON m.user_id = u.id AND m.deleted_at IS NULL AND m.role IN ('owner', 'admin')"
		      " WHERE u.deleted_at IS NULL"
		      " AND coalesce(u.last_seen_at, '-infinity') < now() - interval '90 days'",
		      "dave@acme.example");
	assert_scalar(dsn,
		      "SELECT string_agg(slug || ' ' || plan, ',' ORDER BY slug) FROM organizations"
		      " WHERE deleted_at IS NULL AND ((plan <> 'free' AND stream_basin_name IS NULL)"
		      "  OR (plan = 'free' AND stream_basin_name IS NOT NULL))",
		      "hooli free,initech team");
	free(dsn);
}

/* ------------------------------------------------------------------ the log */

static tc_conn *open_conn(const char *dsn, bool write)
{
	conn_params p = {.dsn = dsn, .write = write};
	tc_conn *c = NULL;
	tc_error err = TC_ERROR_INIT;
	if (conn_open(&p, &c, &err) != TC_OK)
		fail_msg("conn_open: %s", err.message);
	return c;
}

static void exec_ok(tc_conn *c, const char *sql)
{
	tc_error err = TC_ERROR_INIT;
	if (db_exec(c, sql, 0, NULL, NULL, &err) != TC_OK)
		fail_msg("%s: %s", sql, err.message);
}

static void append_ok(tc_conn *c, const char *command, const char *target, long rows,
		      const char *outcome)
{
	oplog_entry e = {command, target, rows, outcome};
	tc_error err = TC_ERROR_INIT;
	if (oplog_append(c, &e, &err) != TC_OK)
		fail_msg("oplog_append: %s", err.message);
}

/* The statement fails, and the server says why. */
static void assert_refused(tc_conn *c, const char *sql)
{
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(db_exec(c, sql, 0, NULL, NULL, &err), TC_ERR_DB);
	if (!strstr(err.message, "append-only"))
		fail_msg("%s: unexpected error: %s", sql, err.message);
	tc_error_clear(&err);
}

static void operator_log_is_append_only(void **state)
{
	(void)state;
	char *dsn = reference_db(migration_count(), false);
	tc_conn *c = open_conn(dsn, true);
	append_ok(c, "tenantctl --write orgs create Acme", "organization acme", 2, "applied");
	append_ok(c, "tenantctl --write orgs delete acme", "organization acme", 1, "applied");
	assert_refused(c, "UPDATE tenantctl_operator_log SET outcome = 'nothing happened'");
	assert_refused(c, "UPDATE tenantctl_operator_log SET command = 'x' WHERE id = 1");
	assert_refused(c, "DELETE FROM tenantctl_operator_log WHERE outcome = 'applied'");
	assert_refused(c, "DELETE FROM tenantctl_operator_log");
	assert_refused(c, "TRUNCATE tenantctl_operator_log");
	assert_refused(c, "TRUNCATE public.tenantctl_operator_log RESTART IDENTITY");
	conn_close(c);
	assert_scalar(dsn,
		      "SELECT string_agg(command || ' -> ' || outcome, ',' ORDER BY id)"
		      " FROM tenantctl_operator_log",
		      "tenantctl --write orgs create Acme -> applied,"
		      "tenantctl --write orgs delete acme -> applied");
	free(dsn);
}

static bool available(const char *dsn)
{
	tc_conn *c = open_conn(dsn, false);
	tc_error err = TC_ERROR_INIT;
	bool yes = true;
	if (oplog_available(c, &yes, &err) != TC_OK)
		fail_msg("oplog_available: %s", err.message);
	conn_close(c);
	return yes;
}

static void oplog_available_follows_the_table(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	assert_false(available(dsn));
	/* The log is public's: a table of that name elsewhere, or a view, is not it. */
	dbtest_exec(dsn, "CREATE SCHEMA elsewhere;"
			 "CREATE TABLE elsewhere.tenantctl_operator_log (x int);"
			 "CREATE VIEW public.tenantctl_operator_log AS SELECT 1 AS x");
	assert_false(available(dsn));
	dbtest_exec(dsn, "DROP VIEW public.tenantctl_operator_log");
	char *elsewhere = xasprintf("%s options='-c search_path=elsewhere'", dsn);
	assert_false(available(elsewhere));
	free(elsewhere);
	free(dsn);

	dsn = reference_db(migration_count(), false);
	assert_true(available(dsn));
	free(dsn);
}

static char *expected_os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name && *pw->pw_name)
		return xstrdup(pw->pw_name);
	const char *u = getenv("USER");
	return u ? xstrdup(u) : NULL;
}

/* The row, by target: "os_user|db_user|application_name|client_addr|command|
 * rows|outcome", NULLs as "NULL". Values go as parameters. */
static char *row_for(tc_conn *c, const char *target)
{
	static const char sql[] =
		"SELECT concat_ws('|', coalesce(os_user, 'NULL'), db_user,"
		" coalesce(application_name, 'NULL'), coalesce(host(client_addr), 'NULL'),"
		" command, coalesce(rows_affected::text, 'NULL'), outcome,"
		" (at <= now() AND at > now() - interval '1 hour'))"
		" FROM tenantctl_operator_log WHERE target = $1";
	const char *params[] = {target};
	db_rows rows = DB_ROWS_INIT;
	tc_error err = TC_ERROR_INIT;
	if (db_query(c, sql, 1, params, &rows, &err) != TC_OK)
		fail_msg("%s", err.message);
	assert_int_equal(rows.nrows, 1);
	char *v = xstrdup(db_get(&rows, 0, 0));
	db_rows_free(&rows);
	return v;
}

static char *command_for(tc_conn *c, const char *target)
{
	const char *params[] = {target};
	db_rows rows = DB_ROWS_INIT;
	tc_error err = TC_ERROR_INIT;
	if (db_query(c, "SELECT command FROM tenantctl_operator_log WHERE target = $1", 1, params,
		     &rows, &err) != TC_OK)
		fail_msg("%s", err.message);
	assert_int_equal(rows.nrows, 1);
	char *v = xstrdup(db_get(&rows, 0, 0));
	db_rows_free(&rows);
	return v;
}

static void oplog_append_writes_one_row(void **state)
{
	(void)state;
	char *dsn = reference_db(migration_count(), false);
	tc_conn *c = open_conn(dsn, true);

	/* In the caller's transaction: a rollback takes the row with it. */
	exec_ok(c, "BEGIN");
	append_ok(c, "tenantctl --write orgs delete acme", "rolled back", 1, "applied");
	exec_ok(c, "ROLLBACK");
	assert_scalar(dsn, "SELECT count(*) FROM tenantctl_operator_log", "0");

	exec_ok(c, "BEGIN");
	append_ok(c, "tenantctl -d 'host=db.internal dbname=app password=Hunter2Secret' --write "
		     "migrate step",
		  "migration 20260101000008_add_organizations_billing_email", 7, "applied");
	exec_ok(c, "COMMIT");
	append_ok(c, "tenantctl --write migrate preview", "no rows", -1, "preview (rolled back)");
	assert_scalar(dsn, "SELECT count(*) FROM tenantctl_operator_log", "2");

	char *user = expected_os_user();
	char *got = row_for(c, "migration 20260101000008_add_organizations_billing_email");
	/* conninfo_mask prints keywords in libpq's order; compare without it. */
	if (!strstr(got, "password=********") || strstr(got, "Hunter2Secret"))
		fail_msg("the password is not masked: %s", got);
	char *prefix = xasprintf("%s|postgres|tenantctl|NULL|tenantctl -d '", user ? user : "NULL");
	if (strncmp(got, prefix, strlen(prefix)) != 0 ||
	    !strstr(got, "' --write migrate step|7|applied|t"))
		fail_msg("unexpected row: %s", got);
	free(prefix);
	free(got);

	got = row_for(c, "no rows");
	char *want = xasprintf("%s|postgres|tenantctl|NULL|tenantctl --write migrate preview|NULL|"
			 "preview (rolled back)|t",
			 user ? user : "NULL");
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(user);

	/* A command is required; nothing is written without one. */
	oplog_entry bad = {NULL, "x", 1, "applied"};
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(oplog_append(c, &bad, &err), TC_ERR_USAGE);
	tc_error_clear(&err);
	conn_close(c);

	/* Without the table, the error says what to do. */
	char *bare = dbtest_new_db();
	c = open_conn(bare, true);
	oplog_entry e = {"tenantctl --write orgs create X", "organization x", 1, "applied"};
	assert_int_equal(oplog_append(c, &e, &err), TC_ERR_DB);
	assert_non_null(strstr(err.message, "operator audit log"));
	assert_non_null(err.hint);
	assert_non_null(strstr(err.hint, "migrations"));
	tc_error_clear(&err);
	conn_close(c);
	free(bare);
	free(dsn);
}

typedef struct mask_case {
	const char *command;
	const char *secret;   /* must not appear; NULL: the command is kept as is */
	const char *expected; /* must appear */
} mask_case;

static const mask_case mask_cases[] = {
	{"tenantctl -d 'host=db password=Sec1ret' --write orgs delete acme", "Sec1ret",
	 "-d 'password=******** host=db' --write orgs delete acme"},
	{"tenantctl -d postgresql://ops:Sec2ret@db:5432/app --write migrate up", "Sec2ret",
	 "password=********"},
	{"tenantctl --dsn=postgres://ops:Sec3ret@db/app?sslmode=require migrate up", "Sec3ret",
	 "--dsn='"},
	{"tenantctl --dsn 'dbname=app password=Sec4ret' migrate up", "Sec4ret",
	 "--dsn 'password=******** dbname=app' migrate up"},
	{"tenantctl -d'dbname=app password=Sec5ret' --write migrate down", "Sec5ret",
	 "-d'password=******** dbname=app' --write migrate down"},
	{"PGPASSWORD=Sec6ret tenantctl -t prod --write orgs create Acme", "Sec6ret",
	 "PGPASSWORD=******** tenantctl -t prod --write orgs create Acme"},
	{"tenantctl -d \"host=db password='Sec 7ret'\" migrate step", "Sec 7ret",
	 "password=********"},
	/* libpq cannot parse it, so none of it is shown. */
	{"tenantctl -d \"host='db password=Sec8ret\" migrate step", "Sec8ret", "unparseable"},
	/* A dbname that is itself a connection string. */
	{"tenantctl -d \"dbname='postgresql://u:Sec9ret@h/app'\" info", "Sec9ret", "********"},
	{"DATABASE_URL=postgres://u:Sec10ret@h/app tenantctl migrate up", "Sec10ret",
	 "DATABASE_URL=postgres://u:********@h/app tenantctl migrate up"},
	{"tenantctl --write orgs rename acme 'password = Sec11ret'", "Sec11ret",
	 "'password = ********'"},
	/* Nothing secret: kept exactly, quoting and all. */
	{"tenantctl -d mydb -t prod --write orgs create \"O'Brien & Sons\" --owner 'a@b.example'",
	 NULL, NULL},
	{"tenantctl -d 'host=db dbname=app' info", NULL, NULL},
	{"tenantctl --dsn=postgresql://ops@db/app info", NULL, NULL},
};

static void oplog_append_masks_secrets(void **state)
{
	(void)state;
	char *dsn = reference_db(migration_count(), false);
	tc_conn *c = open_conn(dsn, true);
	size_t n = sizeof mask_cases / sizeof mask_cases[0];
	for (size_t i = 0; i < n; i++) {
		char *target = xasprintf("case %zu", i);
		append_ok(c, mask_cases[i].command, target, 0, "applied");
		char *got = command_for(c, target);
		const mask_case *mc = &mask_cases[i];
		if (mc->secret && strstr(got, mc->secret))
			fail_msg("case %zu: secret %s kept in: %s", i, mc->secret, got);
		if (!mc->secret && !mc->expected && strcmp(got, mc->command) != 0)
			fail_msg("case %zu: changed without a secret:\n  %s\n  %s", i, mc->command,
				 got);
		if (mc->expected && !strstr(got, mc->expected))
			fail_msg("case %zu: want %s in: %s", i, mc->expected, got);
		free(got);
		free(target);
	}
	conn_close(c);
	free(dsn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migrations_apply_and_roll_back_exactly),
		cmocka_unit_test(seed_plants_the_findings),
		cmocka_unit_test(operator_log_is_append_only),
		cmocka_unit_test(oplog_available_follows_the_table),
		cmocka_unit_test(oplog_append_writes_one_row),
		cmocka_unit_test(oplog_append_masks_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
