/* mighist: each tool's history table read into one row shape, and written
 * the way the tool itself writes it, so the tool keeps working afterwards.
 *
 * - A table name is taken literally ("Ops.Hist" is schema Ops), looked up
 *   in pg_catalog with parameters, then quoted; NULL means the kind's
 *   default table. A table of the wrong shape is an error naming the
 *   missing column (and whose table it looks like).
 * - Timestamps come back as ISO 8601 in UTC; they go in as text the server
 *   casts to timestamptz.
 * - tenantctl's table keeps name and checksum NOT NULL: an unknown one is
 *   stored as '' and read back as NULL.
 * - Every write is one statement, so a write outside a transaction cannot
 *   leave a table half-changed. Ranks (Flyway) are max + 1: two writers on
 *   one table are kept apart by the migration lock, not here. */
#include "config.h"

#include "mighist.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "strbuf.h"
#include "xalloc.h"

/* The longest identifier PostgreSQL keeps (NAMEDATALEN - 1); a longer one
 * would be silently truncated by the server and name another table. */
#define PG_IDENT_MAX 63

/* Per kind: its name, the table the tool uses by default, and the columns a
 * table must have to be read (and written) as that tool's history. */
static const struct kind_info {
	const char *name;
	const char *table;
	const char *columns[12];
} kinds[] = {
	[HIST_TENANTCTL] = {"tenantctl", HIST_DEFAULT_TABLE,
			    {"version", "name", "checksum", "started_at", "finished_at",
			     "duration_ms", "applied_by_os", "applied_by_db", "state",
			     "failed_statement", "error", NULL}},
	[HIST_DBMATE] = {"dbmate", "public.schema_migrations", {"version", NULL}},
	[HIST_GOLANG] = {"golang-migrate", "public.schema_migrations", {"version", "dirty", NULL}},
	[HIST_FLYWAY] = {"flyway", "public.flyway_schema_history",
			 {"installed_rank", "version", "description", "type", "script",
			  "checksum", "installed_by", "installed_on", "execution_time", "success",
			  NULL}},
	[HIST_PRISMA] = {"prisma", "public._prisma_migrations",
			 {"id", "checksum", "finished_at", "migration_name", "logs",
			  "rolled_back_at", "started_at", "applied_steps_count", NULL}},
	[HIST_ALEMBIC] = {"alembic", "public.alembic_version", {"version_num", NULL}},
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

static bool kind_valid(hist_kind k)
{
	return (unsigned)k < NKINDS;
}

const char *hist_kind_name(hist_kind k)
{
	return kind_valid(k) ? kinds[k].name : "unknown";
}

bool hist_kind_parse(const char *s, hist_kind *out)
{
	if (!s)
		return false;
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(s, kinds[i].name) == 0) {
			*out = (hist_kind)i;
			return true;
		}
	/* The name operators type for golang-migrate's Go package. */
	if (strcmp(s, "golang") == 0) {
		*out = HIST_GOLANG;
		return true;
	}
	return false;
}

const char *hist_default_table(hist_kind k)
{
	return kind_valid(k) ? kinds[k].table : NULL;
}

/* ---- names ---------------------------------------------------------- */

static tc_status check_part(const char *qualified, const char *what, const char *part,
			    size_t len, tc_error *err)
{
	if (len == 0) {
		tc_fail(err, TC_ERR_USAGE, "history table name '%s' has an empty %s name",
			qualified, what);
		tc_hint(err, "give the table as SCHEMA.TABLE or TABLE (schema public)");
		return TC_ERR_USAGE;
	}
	if (len > PG_IDENT_MAX) {
		tc_fail(err, TC_ERR_USAGE,
			"history table name '%s': the %s name is %zu bytes long, PostgreSQL keeps "
			"at most %d",
			qualified, what, len, PG_IDENT_MAX);
		tc_hint(err, "use a shorter name; a longer one would be truncated and name "
			     "another table");
		return TC_ERR_USAGE;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)part[i] < 0x20 || part[i] == 0x7f) {
			tc_fail(err, TC_ERR_USAGE,
				"history table name '%s' has a control character in its %s name",
				qualified, what);
			tc_hint(err, "give the name as it is in the catalog, without quotes or "
				     "control characters");
			return TC_ERR_USAGE;
		}
	return TC_OK;
}

tc_status hist_split_name(const char *qualified, char **schema, char **table, tc_error *err)
{
	*schema = NULL;
	*table = NULL;
	if (!qualified || !*qualified) {
		tc_fail(err, TC_ERR_USAGE, "the history table name is empty");
		tc_hint(err, "give the table as SCHEMA.TABLE or TABLE (schema public)");
		return TC_ERR_USAGE;
	}
	const char *dot = strchr(qualified, '.');
	if (dot && strchr(dot + 1, '.')) {
		tc_fail(err, TC_ERR_USAGE, "history table name '%s' has more than one dot",
			qualified);
		tc_hint(err, "give the table as SCHEMA.TABLE; names with a dot in them are not "
			     "supported as history tables");
		return TC_ERR_USAGE;
	}
	const char *s = dot ? qualified : "public";
	size_t slen = dot ? (size_t)(dot - qualified) : strlen("public");
	const char *t = dot ? dot + 1 : qualified;
	size_t tlen = strlen(t);
	tc_status st = check_part(qualified, "schema", s, slen, err);
	if (st == TC_OK)
		st = check_part(qualified, "table", t, tlen, err);
	if (st != TC_OK)
		return st;
	*schema = xstrndup(s, slen);
	*table = xstrndup(t, tlen);
	return TC_OK;
}

/* ---- the table as the catalog knows it ------------------------------- */

typedef struct rel {
	hist_kind kind;
	char *schema, *table; /* as in the catalog */
	char *qualified;      /* "schema.table", for messages and hist_set */
	char *quoted;         /* "schema"."table", for SQL */
	bool schema_exists;
	bool exists;
	char relkind;
	db_rows cols; /* column 2: the table's column names */
} rel;

static void rel_free(rel *r)
{
	free(r->schema);
	free(r->table);
	free(r->qualified);
	free(r->quoted);
	db_rows_free(&r->cols);
	memset(r, 0, sizeof *r);
}

static char *dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* One catalog query: does the schema exist, what is the relation, which
 * columns does it have. Names travel as parameters. */
static const char REL_SQL[] =
	"SELECT n.oid IS NOT NULL, c.relkind, a.attname "
	"FROM (VALUES (1)) AS one (x) "
	"LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = $1 "
	"LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = $2 "
	"LEFT JOIN pg_catalog.pg_attribute a "
	"  ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
	"ORDER BY a.attnum";

static tc_status rel_lookup(tc_conn *c, hist_kind kind, const char *name, rel *r,
			    tc_error *err)
{
	memset(r, 0, sizeof *r);
	if (!kind_valid(kind))
		return tc_fail(err, TC_ERR_USAGE, "unknown migration history kind %d", (int)kind);
	r->kind = kind;
	if (!name)
		name = kinds[kind].table;
	tc_status st = hist_split_name(name, &r->schema, &r->table, err);
	if (st != TC_OK)
		return st;
	r->qualified = xasprintf("%s.%s", r->schema, r->table);
	char *qs = db_quote_ident(c, r->schema);
	char *qt = db_quote_ident(c, r->table);
	if (qs && qt)
		r->quoted = xasprintf("%s.%s", qs, qt);
	free(qs);
	free(qt);
	if (!r->quoted) {
		tc_fail(err, TC_ERR_USAGE,
			"history table name '%s' is not valid in the connection's client encoding",
			r->qualified);
		tc_hint(err, "set PGCLIENTENCODING (or client_encoding in the DSN) to the "
			     "encoding the name is written in");
		rel_free(r);
		return TC_ERR_USAGE;
	}
	const char *params[2] = {r->schema, r->table};
	st = db_query(c, REL_SQL, 2, params, &r->cols, err);
	if (st != TC_OK) {
		tc_error_prefix(err, "looking up the %s history table %s in the catalog: ",
				kinds[kind].name, r->qualified);
		rel_free(r);
		return st;
	}
	const char *has_schema = db_get(&r->cols, 0, 0);
	const char *relkind = db_get(&r->cols, 0, 1);
	r->schema_exists = has_schema && strcmp(has_schema, "t") == 0;
	r->exists = relkind != NULL;
	r->relkind = relkind ? relkind[0] : '\0';
	return TC_OK;
}

static bool rel_has_col(const rel *r, const char *col)
{
	for (size_t i = 0; i < r->cols.nrows; i++) {
		const char *have = db_get(&r->cols, i, 2);
		if (have && strcmp(have, col) == 0)
			return true;
	}
	return false;
}

static bool rel_fits(const rel *r, hist_kind k)
{
	for (const char *const *col = kinds[k].columns; *col; col++)
		if (!rel_has_col(r, *col))
			return false;
	/* dbmate's table with a dirty column is golang-migrate's. */
	return k != HIST_DBMATE || !rel_has_col(r, "dirty");
}

static const char *relkind_words(char k)
{
	switch (k) {
	case 'i':
	case 'I':
		return "an index";
	case 'S':
		return "a sequence";
	case 'c':
		return "a composite type";
	case 't':
		return "a TOAST table";
	default:
		return "not a table";
	}
}

/* An existing relation that is a table (or view) with the kind's columns. */
static tc_status rel_check_shape(const rel *r, tc_error *err)
{
	if (r->relkind == '\0' || !strchr("rpvmf", r->relkind)) {
		tc_fail(err, TC_ERR_USAGE, "%s is %s, so it cannot hold %s's migration history",
			r->qualified, relkind_words(r->relkind), kinds[r->kind].name);
		tc_hint(err, "point --table at the history table");
		return TC_ERR_USAGE;
	}
	if (rel_fits(r, r->kind))
		return TC_OK;
	if (r->kind == HIST_DBMATE && rel_has_col(r, "version"))
		tc_fail(err, TC_ERR_USAGE,
			"table %s has a dirty column: it is golang-migrate's history, not dbmate's",
			r->qualified);
	else {
		const char *missing = NULL;
		for (const char *const *col = kinds[r->kind].columns; *col && !missing; col++)
			if (!rel_has_col(r, *col))
				missing = *col;
		tc_fail(err, TC_ERR_USAGE,
			"table %s has no column \"%s\", so it is not %s's migration history table",
			r->qualified, missing, kinds[r->kind].name);
	}
	for (size_t k = 0; k < NKINDS; k++)
		if (k != (size_t)r->kind && rel_fits(r, (hist_kind)k)) {
			tc_hint(err, "its columns are those of %s's history table; pick the "
				     "matching --format, or point --table elsewhere",
				kinds[k].name);
			return TC_ERR_USAGE;
		}
	tc_hint(err, "point --table at %s's history table (by default %s)", kinds[r->kind].name,
		kinds[r->kind].table);
	return TC_ERR_USAGE;
}

/* The table for a write: it must exist and have the kind's shape. */
static tc_status rel_for_write(tc_conn *c, hist_kind kind, const char *name, rel *r,
			       tc_error *err)
{
	memset(r, 0, sizeof *r);
	if (kind == HIST_ALEMBIC) {
		tc_fail(err, TC_ERR_REFUSED,
			"alembic's history is shown read-only; use alembic itself");
		tc_hint(err, "tenantctl reads %s for status but never changes it",
			name ? name : kinds[kind].table);
		return TC_ERR_REFUSED;
	}
	tc_status st = rel_lookup(c, kind, name, r, err);
	if (st != TC_OK)
		return st;
	if (!r->exists) {
		tc_fail(err, TC_ERR_USAGE, "the %s history table %s does not exist",
			kinds[kind].name, r->qualified);
		tc_hint(err, "check --table and --format; tenantctl creates a missing history "
			     "table before the first migration it applies");
		rel_free(r);
		return TC_ERR_USAGE;
	}
	st = rel_check_shape(r, err);
	if (st != TC_OK)
		rel_free(r);
	return st;
}

/* The template with "{T}" replaced by the quoted table name and "{P}" by
 * `other` (another quoted name). Only the template is scanned, so a table
 * whose name contains "{P}" stays what it is. */
static char *sql_with(const char *tmpl, const char *quoted, const char *other)
{
	strbuf sb = STRBUF_INIT;
	const char *p = tmpl;
	while (*p) {
		if (strncmp(p, "{T}", 3) == 0 || (other && strncmp(p, "{P}", 3) == 0)) {
			sb_add(&sb, p[1] == 'T' ? quoted : other);
			p += 3;
		} else
			sb_addc(&sb, *p++);
	}
	return sb_steal(&sb);
}

static char *sql_for(const char *tmpl, const char *quoted)
{
	return sql_with(tmpl, quoted, NULL);
}

/* Run a write; `what` says what it was doing, for the message. */
static tc_status rel_exec(tc_conn *c, const rel *r, const char *what, const char *tmpl,
			  int nparams, const char *const *params, tc_error *err)
{
	char *sql = sql_for(tmpl, r->quoted);
	tc_status st = db_exec(c, sql, nparams, params, NULL, err);
	free(sql);
	if (st != TC_OK)
		tc_error_prefix(err, "%s in the %s history table %s: ", what, kinds[r->kind].name,
				r->qualified);
	return st;
}

/* ---- reading ---------------------------------------------------------- */

/* ISO 8601 in UTC whatever the session's DateStyle and TimeZone:
 * 2024-05-06T07:08:09.5Z (JSON's timestamp text drops trailing zeros). */
#define ISO_UTC(col) \
	"((pg_catalog.to_json((" col ")::timestamptz AT TIME ZONE 'UTC') #>> '{}') || 'Z')"

/* Every read returns the same 11 columns: version, name, checksum,
 * started_at, finished_at, duration_ms, applied_by, failed,
 * failed_statement, error, and flyway's row type. */
static const char *const READ_SQL[] = {
	[HIST_TENANTCTL] =
		"SELECT version, NULLIF(name, ''), NULLIF(checksum, ''), " ISO_UTC("started_at")
		", " ISO_UTC("finished_at") ", duration_ms, "
		"coalesce(applied_by_os, '') || '/' || applied_by_db, "
		"state = 'failed', failed_statement, error, NULL "
		"FROM {T} ORDER BY started_at, version COLLATE \"C\"",
	[HIST_DBMATE] = "SELECT version::text, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, "
			"NULL, NULL FROM {T} ORDER BY version::text COLLATE \"C\"",
	[HIST_GOLANG] = "SELECT version::text, NULL, NULL, NULL, NULL, NULL, NULL, dirty, NULL, "
			"NULL, NULL FROM {T} ORDER BY version",
	/* installed_on has no zone: it is the writer's local time, read as
	 * ours (the same server's TimeZone unless a session changed it). */
	[HIST_FLYWAY] = "SELECT coalesce(version::text, ''), description, checksum::text, "
			ISO_UTC("installed_on") ", NULL, execution_time, installed_by, "
			"NOT success, NULL, NULL, type FROM {T} ORDER BY installed_rank",
	/* Rolled-back rows are history prisma itself ignores. A failed
	 * migration's applied_steps_count counts the steps before the one
	 * that failed. */
	[HIST_PRISMA] = "SELECT migration_name, NULL, NULLIF(checksum, ''), " ISO_UTC("started_at")
			", " ISO_UTC("finished_at") ", "
			"round(extract(epoch FROM finished_at - started_at) * 1000)::bigint, NULL, "
			"finished_at IS NULL, "
			"CASE WHEN finished_at IS NULL THEN applied_steps_count + 1 END, "
			"CASE WHEN finished_at IS NULL THEN logs END, NULL "
			"FROM {T} WHERE rolled_back_at IS NULL "
			"ORDER BY started_at, migration_name COLLATE \"C\"",
	[HIST_ALEMBIC] = "SELECT version_num::text, NULL, NULL, NULL, NULL, NULL, NULL, false, "
			 "NULL, NULL, NULL FROM {T} ORDER BY version_num::text COLLATE \"C\"",
};

static long cell_long(const char *s, long unknown)
{
	if (!s)
		return unknown;
	errno = 0;
	char *end;
	long v = strtol(s, &end, 10);
	return errno || end == s ? unknown : v;
}

static void row_free(hist_row *r)
{
	free(r->version);
	free(r->name);
	free(r->checksum);
	free(r->started_at);
	free(r->finished_at);
	free(r->applied_by);
	free(r->error);
	memset(r, 0, sizeof *r);
}

static void row_from(const db_rows *rows, size_t i, hist_kind kind, hist_row *r)
{
	memset(r, 0, sizeof *r);
	const char *version = db_get(rows, i, 0);
	r->version = xstrdup(version ? version : "");
	r->name = dup0(db_get(rows, i, 1));
	if (kind == HIST_PRISMA) {
		/* "20240102030405_add_users": the timestamp is the version. */
		char *sep = strchr(r->version, '_');
		if (sep) {
			free(r->name);
			r->name = xstrdup(sep + 1);
			*sep = '\0';
		}
	}
	r->checksum = dup0(db_get(rows, i, 2));
	r->started_at = dup0(db_get(rows, i, 3));
	r->finished_at = dup0(db_get(rows, i, 4));
	r->duration_ms = cell_long(db_get(rows, i, 5), -1);
	r->applied_by = dup0(db_get(rows, i, 6));
	const char *failed = db_get(rows, i, 7);
	r->failed = failed && strcmp(failed, "t") == 0;
	r->failed_statement = (int)cell_long(db_get(rows, i, 8), 0);
	r->error = dup0(db_get(rows, i, 9));
}

static void set_push(hist_set *h, hist_row *r)
{
	h->rows = xgrow(h->rows, &h->cap, h->n + 1, sizeof *h->rows);
	h->rows[h->n++] = *r;
	memset(r, 0, sizeof *r);
}

static void set_drop(hist_set *h, size_t i)
{
	row_free(&h->rows[i]);
	memmove(&h->rows[i], &h->rows[i + 1], (h->n - i - 1) * sizeof *h->rows);
	h->n--;
}

/* Flyway appends: a later row of the same version (or, for a repeatable,
 * the same description) supersedes an earlier one; an undo or a repair's
 * DELETE row takes the version away; the schema-creation marker is not a
 * migration. */
static void flyway_add(hist_set *h, const char *type, hist_row *r)
{
	type = type ? type : "";
	if (strcmp(type, "SCHEMA") == 0) {
		row_free(r);
		return;
	}
	bool repeatable = r->version[0] == '\0';
	for (size_t i = h->n; i-- > 0;) {
		const hist_row *old = &h->rows[i];
		bool same = repeatable ? old->version[0] == '\0' && old->name && r->name &&
						 strcmp(old->name, r->name) == 0
				       : strcmp(old->version, r->version) == 0;
		if (same)
			set_drop(h, i);
	}
	if (strncmp(type, "UNDO_", 5) == 0 || strcmp(type, "DELETE") == 0)
		row_free(r);
	else
		set_push(h, r);
}

tc_status hist_read(tc_conn *c, hist_kind kind, const char *table, hist_set *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	out->kind = kind;
	rel r;
	tc_status st = rel_lookup(c, kind, table, &r, err);
	if (st != TC_OK)
		return st;
	out->table = xstrdup(r.qualified);
	out->exists = r.exists;
	if (!r.exists) {
		rel_free(&r);
		return TC_OK;
	}
	st = rel_check_shape(&r, err);
	if (st != TC_OK) {
		rel_free(&r);
		hist_free(out);
		return st;
	}
	char *sql = sql_for(READ_SQL[kind], r.quoted);
	db_rows rows;
	st = db_query(c, sql, 0, NULL, &rows, err);
	free(sql);
	if (st != TC_OK) {
		tc_error_prefix(err, "reading the %s history table %s: ", kinds[kind].name,
				r.qualified);
		rel_free(&r);
		hist_free(out);
		return st;
	}
	for (size_t i = 0; i < rows.nrows; i++) {
		hist_row row;
		row_from(&rows, i, kind, &row);
		if (kind == HIST_FLYWAY)
			flyway_add(out, db_get(&rows, i, 10), &row);
		else
			set_push(out, &row);
	}
	db_rows_free(&rows);
	rel_free(&r);
	return TC_OK;
}

void hist_free(hist_set *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		row_free(&h->rows[i]);
	free(h->rows);
	free(h->table);
	memset(h, 0, sizeof *h);
}

/* ---- detection -------------------------------------------------------- */

static const char DETECT_SQL[] =
	"SELECT c.relname::text, EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a "
	"  WHERE a.attrelid = c.oid AND a.attname = 'dirty' AND a.attnum > 0 "
	"  AND NOT a.attisdropped) "
	"FROM pg_catalog.pg_class c "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
	"AND (n.nspname = 'public' OR n.nspname = pg_catalog.current_schema()) "
	"AND c.relname IN ('tenantctl_schema_migrations', 'schema_migrations', "
	"  'flyway_schema_history', '_prisma_migrations', 'alembic_version')";

tc_status hist_detect(tc_conn *c, hist_kind **kinds_out, size_t *n, tc_error *err)
{
	*kinds_out = NULL;
	*n = 0;
	db_rows rows;
	tc_status st = db_query(c, DETECT_SQL, 0, NULL, &rows, err);
	if (st != TC_OK) {
		tc_error_prefix(err, "looking for migration history tables: ");
		return st;
	}
	bool seen[NKINDS] = {false};
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *name = db_get(&rows, i, 0);
		const char *dirty = db_get(&rows, i, 1);
		if (!name)
			continue;
		if (strcmp(name, "schema_migrations") == 0)
			seen[dirty && strcmp(dirty, "t") == 0 ? HIST_GOLANG : HIST_DBMATE] = true;
		else if (strcmp(name, "tenantctl_schema_migrations") == 0)
			seen[HIST_TENANTCTL] = true;
		else if (strcmp(name, "flyway_schema_history") == 0)
			seen[HIST_FLYWAY] = true;
		else if (strcmp(name, "_prisma_migrations") == 0)
			seen[HIST_PRISMA] = true;
		else if (strcmp(name, "alembic_version") == 0)
			seen[HIST_ALEMBIC] = true;
	}
	db_rows_free(&rows);
	for (size_t k = 0; k < NKINDS; k++)
		if (seen[k])
			(*n)++;
	if (*n == 0)
		return TC_OK;
	*kinds_out = xcalloc(*n, sizeof **kinds_out);
	size_t j = 0;
	for (size_t k = 0; k < NKINDS; k++)
		if (seen[k])
			(*kinds_out)[j++] = (hist_kind)k;
	return TC_OK;
}

/* ---- creating --------------------------------------------------------- */

/* "<table><suffix>" clipped to PG_IDENT_MAX bytes on a UTF-8 character
 * boundary (the server would clip it too, but with a NOTICE). */
static char *derived_name(const char *table, const char *suffix)
{
	size_t room = PG_IDENT_MAX - strlen(suffix);
	size_t len = strlen(table);
	if (len > room) {
		len = room;
		while (len > 0 && ((unsigned char)table[len] & 0xC0) == 0x80)
			len--;
	}
	char *base = xstrndup(table, len);
	char *name = xasprintf("%s%s", base, suffix);
	free(base);
	return name;
}

/* The tools' own DDL, so the tools keep working on tables we create. */
static const char *const CREATE_SQL[] = {
	[HIST_TENANTCTL] = "CREATE TABLE IF NOT EXISTS {T} ("
			   "version text PRIMARY KEY, "
			   "name text NOT NULL, "
			   "checksum text NOT NULL, "
			   "started_at timestamptz NOT NULL, "
			   "finished_at timestamptz, "
			   "duration_ms bigint, "
			   "applied_by_os text, "
			   "applied_by_db text NOT NULL DEFAULT current_user, "
			   "state text NOT NULL CHECK (state IN ('applied', 'failed')), "
			   "failed_statement int, "
			   "error text)",
	[HIST_DBMATE] = "CREATE TABLE IF NOT EXISTS {T} (version varchar(128) PRIMARY KEY)",
	[HIST_GOLANG] = "CREATE TABLE IF NOT EXISTS {T} "
			"(version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
	/* {P}: the primary key's name, set below. */
	[HIST_FLYWAY] = "CREATE TABLE IF NOT EXISTS {T} ("
			"installed_rank int NOT NULL, "
			"version varchar(50), "
			"description varchar(200) NOT NULL, "
			"type varchar(20) NOT NULL, "
			"script varchar(1000) NOT NULL, "
			"checksum int, "
			"installed_by varchar(100) NOT NULL, "
			"installed_on timestamp NOT NULL DEFAULT now(), "
			"execution_time int NOT NULL, "
			"success boolean NOT NULL, "
			"CONSTRAINT {P} PRIMARY KEY (installed_rank))",
	[HIST_PRISMA] = "CREATE TABLE IF NOT EXISTS {T} ("
			"id varchar(36) PRIMARY KEY NOT NULL, "
			"checksum varchar(64) NOT NULL, "
			"finished_at timestamptz, "
			"migration_name varchar(255) NOT NULL, "
			"logs text, "
			"rolled_back_at timestamptz, "
			"started_at timestamptz NOT NULL DEFAULT now(), "
			"applied_steps_count int NOT NULL DEFAULT 0)",
	[HIST_ALEMBIC] = NULL,
};

/* The template for `table` with "{P}" a quoted "<table><suffix>". */
static char *sql_derived(tc_conn *c, const char *tmpl, const rel *r, const char *suffix)
{
	char *name = derived_name(r->table, suffix);
	char *quoted = db_quote_ident(c, name);
	free(name);
	if (!quoted) /* the table's own name was quotable; a prefix of it is too */
		quoted = xstrdup("\"\"");
	char *sql = sql_with(tmpl, r->quoted, quoted);
	free(quoted);
	return sql;
}

tc_status hist_ensure(tc_conn *c, hist_kind kind, const char *table, tc_error *err)
{
	if (kind == HIST_ALEMBIC) {
		tc_fail(err, TC_ERR_REFUSED,
			"alembic's history is shown read-only; use alembic itself");
		tc_hint(err, "tenantctl reads %s for status but never creates or changes it",
			table ? table : kinds[kind].table);
		return TC_ERR_REFUSED;
	}
	rel r;
	tc_status st = rel_lookup(c, kind, table, &r, err);
	if (st != TC_OK)
		return st;
	if (r.exists) {
		st = rel_check_shape(&r, err);
		rel_free(&r);
		return st;
	}
	if (!r.schema_exists) {
		tc_fail(err, TC_ERR_USAGE, "cannot create the %s history table %s: schema \"%s\" "
					   "does not exist",
			kinds[kind].name, r.qualified, r.schema);
		tc_hint(err, "create the schema first, or choose a table in an existing schema "
			     "with --table");
		rel_free(&r);
		return TC_ERR_USAGE;
	}
	char *sql = sql_derived(c, CREATE_SQL[kind], &r, "_pk");
	st = db_exec(c, sql, 0, NULL, NULL, err);
	free(sql);
	if (st == TC_OK && kind == HIST_FLYWAY) {
		sql = sql_derived(c, "CREATE INDEX IF NOT EXISTS {P} ON {T} (success)", &r,
				  "_s_idx");
		st = db_exec(c, sql, 0, NULL, NULL, err);
		free(sql);
	}
	if (st != TC_OK)
		tc_error_prefix(err, "creating the %s history table %s: ", kinds[kind].name,
				r.qualified);
	rel_free(&r);
	return st;
}

/* ---- writing ---------------------------------------------------------- */

static tc_status need_version(const rel *r, const char *version, bool may_be_empty,
			      tc_error *err)
{
	if (!version || (!*version && !may_be_empty)) {
		tc_fail(err, TC_ERR_USAGE, "no version given for the %s history table %s",
			kinds[r->kind].name, r->qualified);
		return TC_ERR_USAGE;
	}
	if (r->kind == HIST_GOLANG) {
		bool digits = *version != '\0';
		for (const char *p = version; *p; p++)
			digits = digits && *p >= '0' && *p <= '9';
		if (!digits) {
			tc_fail(err, TC_ERR_USAGE,
				"version '%s' cannot be recorded in golang-migrate's history table "
				"%s: its versions are whole numbers",
				version, r->qualified);
			tc_hint(err, "golang-migrate files are named N_name.up.sql");
			return TC_ERR_USAGE;
		}
	}
	if (r->kind == HIST_PRISMA && strchr(version, '_')) {
		tc_fail(err, TC_ERR_USAGE,
			"version '%s' cannot be recorded in prisma's history table %s: the "
			"version is the part of the migration name before the first '_'",
			version, r->qualified);
		return TC_ERR_USAGE;
	}
	return TC_OK;
}

/* "osuser/dbuser" into its parts; an empty part is NULL, and the server
 * puts current_user for a missing database user. A value without '/' is
 * the OS user alone (what the migration runner knows); a foreign tool's
 * installed_by is a database user, so it is passed as "/user". */
static void split_applied_by(const char *by, char **os, char **db)
{
	*os = NULL;
	*db = NULL;
	if (!by)
		return;
	const char *slash = strchr(by, '/');
	size_t oslen = slash ? (size_t)(slash - by) : strlen(by);
	if (oslen)
		*os = xstrndup(by, oslen);
	if (slash && slash[1])
		*db = xstrdup(slash + 1);
}

static char *long_text(long v)
{
	return v < 0 ? NULL : xasprintf("%ld", v);
}

/* Timestamps travel as text cast to timestamptz; an unknown start is the
 * transaction's now(), an unknown finish the clock (inside a transaction
 * now() would make every migration take no time). */
static const char TENANTCTL_UPSERT[] =
	"INSERT INTO {T} (version, name, checksum, started_at, finished_at, duration_ms, "
	"applied_by_os, applied_by_db, state, failed_statement, error) "
	"VALUES ($1::text, coalesce($2::text, ''), coalesce($3::text, ''), "
	"coalesce($4::timestamptz, now()), coalesce($5::timestamptz, clock_timestamp()), "
	"$6::bigint, $7::text, coalesce($8::text, current_user::text), $9::text, $10::int, "
	"$11::text) "
	"ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, checksum = EXCLUDED.checksum, "
	"started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, "
	"duration_ms = EXCLUDED.duration_ms, applied_by_os = EXCLUDED.applied_by_os, "
	"applied_by_db = EXCLUDED.applied_by_db, state = EXCLUDED.state, "
	"failed_statement = EXCLUDED.failed_statement, error = EXCLUDED.error";

static tc_status write_tenantctl(tc_conn *c, const rel *r, const hist_row *row, bool failed,
				 const char *what, tc_error *err)
{
	char *os, *dbu;
	split_applied_by(row->applied_by, &os, &dbu);
	char *duration = long_text(row->duration_ms);
	char *stmt = failed && row->failed_statement > 0 ? xasprintf("%d", row->failed_statement)
							 : NULL;
	const char *p[11] = {row->version,  row->name, row->checksum, row->started_at,
			     row->finished_at, duration, os, dbu, failed ? "failed" : "applied",
			     stmt, failed ? row->error : NULL};
	tc_status st = rel_exec(c, r, what, TENANTCTL_UPSERT, 11, p, err);
	free(os);
	free(dbu);
	free(duration);
	free(stmt);
	return st;
}

/* dbmate keeps only applied versions. */
static const char DBMATE_INSERT[] =
	"INSERT INTO {T} (version) SELECT $1::text "
	"WHERE NOT EXISTS (SELECT 1 FROM {T} WHERE version = $1::text)";

/* golang-migrate keeps one row, the current version, dirty while a run is
 * unfinished or failed. One statement, so the table is never empty. */
static const char GOLANG_SET[] =
	"WITH others AS (DELETE FROM {T} WHERE version <> $1::bigint RETURNING 1), "
	"same AS (UPDATE {T} SET dirty = $2::boolean WHERE version = $1::bigint RETURNING 1) "
	"INSERT INTO {T} (version, dirty) SELECT $1::bigint, $2::boolean "
	"WHERE NOT EXISTS (SELECT 1 FROM same)";

/* Flyway appends with the next installed_rank; earlier rows of the same
 * version go (what `flyway repair` does to a failed row). Repeatables
 * (version NULL) append, as flyway does on each re-apply. */
static const char FLYWAY_APPEND[] =
	"WITH gone AS (DELETE FROM {T} WHERE version = $1::text RETURNING 1) "
	"INSERT INTO {T} (installed_rank, version, description, type, script, checksum, "
	"installed_by, installed_on, execution_time, success) "
	"SELECT coalesce(max(installed_rank), 0) + 1, $1::text, $2::text, 'SQL', $3::text, "
	"$4::int, coalesce($5::text, current_user::text), "
	"coalesce($6::timestamptz, now())::timestamp, coalesce($7::int, 0), $8::boolean "
	"FROM {T}";

/* Prisma never deletes: earlier rows of the version are marked rolled back
 * (what `prisma migrate resolve --rolled-back` does) and a new row added. */
static const char PRISMA_APPEND[] =
	"WITH old AS (UPDATE {T} SET rolled_back_at = now() "
	"  WHERE pg_catalog.split_part(migration_name, '_', 1) = $1::text "
	"  AND rolled_back_at IS NULL RETURNING 1) "
	"INSERT INTO {T} (id, checksum, finished_at, migration_name, logs, rolled_back_at, "
	"started_at, applied_steps_count) "
	"VALUES (pg_catalog.gen_random_uuid()::text, coalesce($2::text, ''), "
	"CASE WHEN $3::boolean THEN NULL ELSE coalesce($4::timestamptz, clock_timestamp()) END, "
	"$5::text, $6::text, NULL, coalesce($7::timestamptz, now()), $8::int)";

/* Flyway's checksum is its own CRC32, an int; anything else is unknown. */
static char *flyway_checksum(const char *s)
{
	if (!s || !*s)
		return NULL;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < INT32_MIN || v > INT32_MAX)
		return NULL;
	return xstrdup(s);
}

static char *replace_char(const char *s, char from, char to)
{
	char *out = xstrdup(s ? s : "");
	for (char *p = out; *p; p++)
		if (*p == from)
			*p = to;
	return out;
}

static tc_status write_flyway(tc_conn *c, const rel *r, const hist_row *row, bool failed,
				 const char *what, tc_error *err)
{
	bool repeatable = row->version[0] == '\0';
	/* Flyway derives the description from the file name, '_' read as ' '. */
	char *description = replace_char(row->name, '_', ' ');
	char *file_desc = replace_char(row->name, ' ', '_');
	char *script = repeatable ? xasprintf("R__%s.sql", file_desc)
				  : xasprintf("V%s__%s.sql", row->version, file_desc);
	/* Flyway stores 1_2 as 1.2; the script keeps the file's spelling. */
	char *version = repeatable ? NULL : replace_char(row->version, '_', '.');
	char *checksum = flyway_checksum(row->checksum);
	char *os, *dbu;
	split_applied_by(row->applied_by, &os, &dbu);
	char *duration = long_text(row->duration_ms);
	const char *p[8] = {version, description, script, checksum, dbu,
			    row->started_at, duration, failed ? "false" : "true"};
	tc_status st = rel_exec(c, r, what, FLYWAY_APPEND, 8, p, err);
	free(version);
	free(description);
	free(file_desc);
	free(script);
	free(checksum);
	free(os);
	free(dbu);
	free(duration);
	return st;
}

static tc_status write_prisma(tc_conn *c, const rel *r, const hist_row *row, bool failed,
				 const char *what, tc_error *err)
{
	char *name = row->name && *row->name ? xasprintf("%s_%s", row->version, row->name)
					     : xstrdup(row->version);
	/* Steps done: one script on success; before the failing one otherwise. */
	int steps = failed ? (row->failed_statement > 1 ? row->failed_statement - 1 : 0) : 1;
	char *steps_text = xasprintf("%d", steps);
	const char *p[8] = {row->version, row->checksum, failed ? "true" : "false",
			    row->finished_at, name, failed ? row->error : NULL, row->started_at,
			    steps_text};
	tc_status st = rel_exec(c, r, what, PRISMA_APPEND, 8, p, err);
	free(name);
	free(steps_text);
	return st;
}

static tc_status record(tc_conn *c, hist_kind kind, const char *table, const hist_row *row,
			bool failed, tc_error *err)
{
	rel r;
	tc_status st = rel_for_write(c, kind, table, &r, err);
	if (st != TC_OK)
		return st;
	if (!row) {
		rel_free(&r);
		return tc_fail(err, TC_ERR_USAGE, "no migration given to record");
	}
	st = need_version(&r, row->version, kind == HIST_FLYWAY, err);
	if (st != TC_OK) {
		rel_free(&r);
		return st;
	}
	char *what = xasprintf("recording version '%s' as %s", row->version,
			       failed ? "failed" : "applied");
	switch (kind) {
	case HIST_TENANTCTL:
		st = write_tenantctl(c, &r, row, failed, what, err);
		break;
	case HIST_DBMATE: {
		/* dbmate has no notion of a failed run: the version stays
		 * unrecorded, as dbmate itself would leave it. */
		const char *p[1] = {row->version};
		if (!failed)
			st = rel_exec(c, &r, what, DBMATE_INSERT, 1, p, err);
		break;
	}
	case HIST_GOLANG: {
		const char *p[2] = {row->version, failed ? "true" : "false"};
		st = rel_exec(c, &r, what, GOLANG_SET, 2, p, err);
		break;
	}
	case HIST_FLYWAY:
		st = write_flyway(c, &r, row, failed, what, err);
		break;
	case HIST_PRISMA:
		st = write_prisma(c, &r, row, failed, what, err);
		break;
	case HIST_ALEMBIC: /* refused by rel_for_write */
		break;
	}
	free(what);
	rel_free(&r);
	return st;
}

tc_status hist_record_applied(tc_conn *c, hist_kind kind, const char *table, const hist_row *r,
			      tc_error *err)
{
	return record(c, kind, table, r, false, err);
}

tc_status hist_record_failed(tc_conn *c, hist_kind kind, const char *table, const hist_row *r,
			     tc_error *err)
{
	return record(c, kind, table, r, true, err);
}

/* Forgetting a version that is not there is not an error. golang-migrate:
 * the row goes, and the caller records the new current version with
 * hist_record_applied. Prisma: its rows are marked rolled back. */
static const char *const REMOVE_SQL[] = {
	[HIST_TENANTCTL] = "DELETE FROM {T} WHERE version = $1::text",
	[HIST_DBMATE] = "DELETE FROM {T} WHERE version = $1::text",
	[HIST_GOLANG] = "DELETE FROM {T} WHERE version = $1::bigint",
	[HIST_FLYWAY] = "DELETE FROM {T} WHERE version = pg_catalog.translate($1::text, '_', '.')",
	[HIST_PRISMA] = "UPDATE {T} SET rolled_back_at = now() "
			"WHERE pg_catalog.split_part(migration_name, '_', 1) = $1::text "
			"AND rolled_back_at IS NULL",
	[HIST_ALEMBIC] = NULL,
};

tc_status hist_remove(tc_conn *c, hist_kind kind, const char *table, const char *version,
		      tc_error *err)
{
	rel r;
	tc_status st = rel_for_write(c, kind, table, &r, err);
	if (st != TC_OK)
		return st;
	st = need_version(&r, version, false, err);
	if (st == TC_OK) {
		const char *p[1] = {version};
		char *what = xasprintf("removing version '%s'", version);
		st = rel_exec(c, &r, what, REMOVE_SQL[kind], 1, p, err);
		free(what);
	}
	rel_free(&r);
	return st;
}
