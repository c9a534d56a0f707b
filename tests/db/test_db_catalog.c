/* The catalog reader against a real server: every kind of the model, the
 * exact names and values it reads, what it leaves out, hostile names,
 * determinism across creation orders, filters and read-only sessions.
 * TC_CATALOG_DUMP=1 prints every model read, to see what the server said. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "conn.h"
#include "dbtest.h"
#include "error.h"
#include "schema.h"
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

static void dump(const sch_model *m)
{
	if (!getenv("TC_CATALOG_DUMP"))
		return;
	fprintf(stderr, "---- model of %s (server %d)\n", m->source, m->server_major);
	for (size_t i = 0; i < m->n_not_read; i++)
		fprintf(stderr, "# not read: %s\n", m->not_read[i]);
	for (size_t i = 0; i < m->n; i++) {
		const sch_obj *o = &m->objs[i];
		fprintf(stderr, "%s %s\n", o->kind, o->name);
		for (size_t k = 0; k < o->n; k++)
			fprintf(stderr, "    %s %s [%s]\n", o->attrs[k].key,
				o->attrs[k].flags & SCH_DEPARSED ? "~="
				: o->attrs[k].flags & SCH_INFO   ? ":="
								 : "=",
				o->attrs[k].value);
	}
}

static void read_with(tc_conn *c, const catalog_opts *o, sch_model *m)
{
	tc_error err = TC_ERROR_INIT;
	tc_status st = catalog_read(c, o, m, &err);
	if (st != TC_OK)
		fail_msg("catalog_read: %s (hint: %s)", err.message ? err.message : "-",
			 err.hint ? err.hint : "-");
	assert_null(err.message);
	assert_true(m->sorted);
	dump(m);
}

/* Read the database at dsn in a fresh read-only session. */
static void read_db(const char *dsn, const catalog_opts *o, sch_model *m)
{
	tc_conn *c = open_conn(dsn, false);
	read_with(c, o, m);
	conn_close(c);
}

static const sch_obj *must_find(const sch_model *m, const char *kind, const char *name)
{
	const sch_obj *o = sch_find(m, kind, name);
	if (!o)
		fail_msg("no %s %s in the model (TC_CATALOG_DUMP=1 shows it)", kind, name);
	return o;
}

static void absent(const sch_model *m, const char *kind, const char *name)
{
	if (sch_find(m, kind, name))
		fail_msg("%s %s should not be in the model", kind, name);
}

/* The attribute is `want` (NULL: absent) with exactly these flags. */
static void attr_is_f(const sch_model *m, const char *kind, const char *name, const char *key,
		      const char *want, unsigned flags)
{
	const sch_obj *o = must_find(m, kind, name);
	const sch_attr *a = sch_attr_find(o, key);
	if (!want) {
		if (a)
			fail_msg("%s %s: %s should be absent, is '%s'", kind, name, key, a->value);
		return;
	}
	if (!a)
		fail_msg("%s %s: no attribute %s (want '%s')", kind, name, key, want);
	if (strcmp(a->value, want) != 0)
		fail_msg("%s %s: %s is '%s', want '%s'", kind, name, key, a->value, want);
	if (a->flags != flags)
		fail_msg("%s %s: %s has flags %u, want %u", kind, name, key, a->flags, flags);
}

static void attr_is(const sch_model *m, const char *kind, const char *name, const char *key,
		    const char *want)
{
	attr_is_f(m, kind, name, key, want, 0);
}

static void deparsed_is(const sch_model *m, const char *kind, const char *name, const char *key,
			const char *want)
{
	attr_is_f(m, kind, name, key, want, SCH_DEPARSED);
}

static size_t count_kind(const sch_model *m, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++)
		n += strcmp(m->objs[i].kind, kind) == 0;
	return n;
}

static bool has_note(const sch_model *m, const char *needle)
{
	for (size_t i = 0; i < m->n_not_read; i++)
		if (strstr(m->not_read[i], needle))
			return true;
	return false;
}

static void ensure_role(const char *dsn, const char *role)
{
	char *sql = xasprintf("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
			      "'%s') THEN CREATE ROLE %s; END IF; END $$",
			      role, role);
	dbtest_exec(dsn, sql);
	free(sql);
}

/* Two models hold the same objects with the same attributes, SCH_INFO
 * ones (positions, row counts) aside. Fails naming the first difference. */
static void models_equal(const sch_model *a, const sch_model *b)
{
	size_t i = 0, j = 0;
	while (i < a->n || j < b->n) {
		const sch_obj *x = i < a->n ? &a->objs[i] : NULL;
		const sch_obj *y = j < b->n ? &b->objs[j] : NULL;
		int c = !x ? 1 : !y ? -1 : strcmp(x->kind, y->kind);
		if (x && y && c == 0)
			c = strcmp(x->name, y->name);
		if (c < 0)
			fail_msg("%s %s only in the first model", x->kind, x->name);
		if (c > 0)
			fail_msg("%s %s only in the second model", y->kind, y->name);
		size_t k = 0, l = 0;
		for (;;) {
			while (k < x->n && (x->attrs[k].flags & SCH_INFO))
				k++;
			while (l < y->n && (y->attrs[l].flags & SCH_INFO))
				l++;
			if (k == x->n && l == y->n)
				break;
			const sch_attr *p = k < x->n ? &x->attrs[k] : NULL;
			const sch_attr *q = l < y->n ? &y->attrs[l] : NULL;
			if (!q || (p && strcmp(p->key, q->key) < 0))
				fail_msg("%s %s: %s only in the first model", x->kind, x->name, p->key);
			if (!p || strcmp(p->key, q->key) > 0)
				fail_msg("%s %s: %s only in the second model", x->kind, x->name,
					 q->key);
			if (strcmp(p->value, q->value) != 0 || p->flags != q->flags)
				fail_msg("%s %s: %s is '%s' in one model, '%s' in the other", x->kind,
					 x->name, p->key, p->value, q->value);
			k++;
			l++;
		}
		i++;
		j++;
	}
}

/* ---- the schema most tests read ------------------------------------- */

static const char APP_SQL[] =
	"CREATE SCHEMA app;"
	"COMMENT ON SCHEMA app IS 'the application';"
	/* tables: partitioned, inherited, unlogged */
	"CREATE TABLE app.events (id bigint NOT NULL, at timestamptz NOT NULL, note text)"
	"  PARTITION BY RANGE (at);"
	"CREATE TABLE app.events_2024 PARTITION OF app.events"
	"  FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');"
	"CREATE TABLE app.events_other PARTITION OF app.events DEFAULT;"
	"CREATE TABLE app.base (id int, created timestamptz DEFAULT now());"
	"CREATE TABLE app.extra (tag text);"
	"CREATE TABLE app.child (extra text) INHERITS (app.base, app.extra);"
	"CREATE UNLOGGED TABLE app.scratch (k text);"
	/* columns */
	"CREATE TABLE app.people ("
	"  id int GENERATED ALWAYS AS IDENTITY,"
	"  n bigint GENERATED BY DEFAULT AS IDENTITY,"
	"  first text NOT NULL DEFAULT 'x',"
	"  last text COLLATE \"C\","
	"  full_name text GENERATED ALWAYS AS (first || ' ' || last) STORED,"
	"  tags varchar(20)[]);"
	"COMMENT ON TABLE app.people IS 'humans';"
	"COMMENT ON COLUMN app.people.first IS 'given name';"
	/* constraints and indexes */
	"CREATE TABLE app.orgs (id int PRIMARY KEY, slug text UNIQUE,"
	"  CONSTRAINT slug_len CHECK (length(slug) > 2));"
	"CREATE TABLE app.members (id int PRIMARY KEY,"
	"  org_id int REFERENCES app.orgs (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
	"  email text, active boolean);"
	"COMMENT ON CONSTRAINT members_org_id_fkey ON app.members IS 'tenancy';"
	"CREATE TABLE app.rooms (id int, area circle, EXCLUDE USING gist (area WITH &&));"
	"CREATE UNIQUE INDEX members_email_active ON app.members (lower(email)) WHERE active;"
	"COMMENT ON INDEX app.members_email_active IS 'one live row per address';"
	/* views, functions, triggers */
	"CREATE VIEW app.active_members AS SELECT id, email FROM app.members WHERE active;"
	"CREATE MATERIALIZED VIEW app.member_counts AS"
	"  SELECT org_id, count(*) AS n FROM app.members GROUP BY org_id;"
	"CREATE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE sql"
	"  IMMUTABLE STRICT AS 'SELECT a + b';"
	"COMMENT ON FUNCTION app.add(integer, integer) IS 'sum';"
	"CREATE PROCEDURE app.reset(who text) LANGUAGE plpgsql SECURITY DEFINER"
	"  AS $$BEGIN NULL; END$$;"
	"CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql STABLE"
	"  AS $$BEGIN NEW.active := true; RETURN NEW; END$$;"
	"CREATE TRIGGER touch_members BEFORE INSERT ON app.members"
	"  FOR EACH ROW EXECUTE FUNCTION app.touch();"
	"ALTER TABLE app.members DISABLE TRIGGER touch_members;"
	"COMMENT ON TRIGGER touch_members ON app.members IS 'keeps rows live';"
	/* row-level security */
	"ALTER TABLE app.members ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE app.members FORCE ROW LEVEL SECURITY;"
	"CREATE POLICY own_rows ON app.members FOR SELECT TO cat_reader, cat_app"
	"  USING (email = CURRENT_USER);"
	"CREATE POLICY no_delete ON app.members AS RESTRICTIVE FOR DELETE TO cat_app"
	"  USING (false);"
	"CREATE POLICY adds ON app.members FOR INSERT WITH CHECK (active);"
	/* types and sequences */
	"CREATE TYPE app.mood AS ENUM ('sad', 'happy');"
	"ALTER TYPE app.mood ADD VALUE 'ok' BEFORE 'happy';"
	"ALTER TYPE app.mood ADD VALUE 'it''s';"
	"COMMENT ON TYPE app.mood IS 'how it went';"
	"CREATE DOMAIN app.posint AS integer NOT NULL DEFAULT 1"
	"  CONSTRAINT posint_check CHECK (VALUE > 0) CONSTRAINT \"Small\" CHECK (VALUE < 1000);"
	"CREATE DOMAIN app.code AS text COLLATE \"C\";"
	"CREATE TYPE app.pair AS (left_v integer, \"Right\" app.mood, r numeric(5,2));"
	"CREATE TABLE app.tick (n serial, m int);"
	"CREATE SEQUENCE app.counter AS smallint START 5 INCREMENT 2 MINVALUE 1 MAXVALUE 100"
	"  CACHE 3 CYCLE;"
	"CREATE SEQUENCE app.loose;";

static char *app_db(void)
{
	char *dsn = dbtest_new_db();
	ensure_role(dsn, "cat_reader");
	ensure_role(dsn, "cat_app");
	dbtest_exec(dsn, APP_SQL);
	return dsn;
}

/* ---- tables and columns --------------------------------------------- */

static void tables_and_columns(void **state)
{
	(void)state;
	char *dsn = app_db();
	sch_model m;
	/* The bounds read the same whatever the reading session's zone. */
	char *in_ny = xasprintf("%s options='-c TimeZone=America/New_York'", dsn);
	read_db(in_ny, NULL, &m);
	free(in_ny);
	assert_true(m.server_major >= 12);
	assert_non_null(m.source);

	attr_is(&m, "schema", "app", "comment", "the application");
	must_find(&m, "schema", "public");

	attr_is(&m, "table", "app.events", "kind", "partitioned");
	attr_is(&m, "table", "app.events", "persistence", "permanent");
	deparsed_is(&m, "table", "app.events", "partition_key", "RANGE (at)");
	attr_is(&m, "table", "app.events", "partition_of", NULL);
	attr_is(&m, "table", "app.events_2024", "kind", "table");
	attr_is(&m, "table", "app.events_2024", "partition_of", "app.events");
	deparsed_is(&m, "table", "app.events_2024", "partition_bound",
		    "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')");
	attr_is(&m, "table", "app.events_2024", "inherits", NULL);
	deparsed_is(&m, "table", "app.events_other", "partition_bound", "DEFAULT");
	attr_is(&m, "table", "app.child", "inherits", "app.base, app.extra");
	attr_is(&m, "table", "app.child", "partition_of", NULL);
	attr_is(&m, "table", "app.base", "inherits", NULL);
	attr_is(&m, "table", "app.scratch", "persistence", "unlogged");
	attr_is(&m, "table", "app.people", "comment", "humans");
	attr_is(&m, "table", "app.people", "rls", "false");
	attr_is(&m, "table", "app.people", "rls_forced", "false");
	attr_is(&m, "table", "app.people", "rows", NULL); /* no counts asked for */

	attr_is_f(&m, "column", "app.people.id", "position", "1", SCH_INFO);
	attr_is(&m, "column", "app.people.id", "type", "integer");
	attr_is(&m, "column", "app.people.id", "identity", "always");
	attr_is(&m, "column", "app.people.id", "not_null", "true");
	attr_is(&m, "column", "app.people.id", "default", NULL);
	attr_is(&m, "column", "app.people.n", "identity", "by default");
	attr_is(&m, "column", "app.people.n", "type", "bigint");
	attr_is(&m, "column", "app.people.first", "not_null", "true");
	deparsed_is(&m, "column", "app.people.first", "default", "'x'::text");
	attr_is(&m, "column", "app.people.first", "comment", "given name");
	attr_is(&m, "column", "app.people.first", "collation", NULL);
	attr_is(&m, "column", "app.people.first", "identity", NULL);
	attr_is(&m, "column", "app.people.last", "collation", "pg_catalog.\"C\"");
	attr_is(&m, "column", "app.people.last", "not_null", "false");
	deparsed_is(&m, "column", "app.people.full_name", "generated",
		    "((first || ' '::text) || last)");
	attr_is(&m, "column", "app.people.full_name", "default", NULL);
	attr_is(&m, "column", "app.people.tags", "type", "character varying(20)[]");
	attr_is_f(&m, "column", "app.people.tags", "position", "6", SCH_INFO);
	deparsed_is(&m, "column", "app.base.created", "default", "now()");
	/* A child's columns are its own, inherited ones included. */
	attr_is(&m, "column", "app.child.id", "type", "integer");
	attr_is(&m, "column", "app.child.extra", "type", "text");
	attr_is(&m, "column", "app.events_2024.at", "type", "timestamp with time zone");

	/* The identity's sequences and the tables' row types are not objects. */
	absent(&m, "sequence", "app.people_id_seq");
	absent(&m, "sequence", "app.people_n_seq");
	absent(&m, "type", "app.people");
	absent(&m, "type", "app._mood");
	/* NOT NULL is an attribute, never a constraint (PostgreSQL 18 rows). */
	for (size_t i = 0; i < m.n; i++)
		if (strcmp(m.objs[i].kind, "constraint") == 0)
			assert_null(strstr(sch_get(&m.objs[i], "definition"), "NOT NULL"));
	assert_true(has_note(&m, "privileges: not read (--privileges to compare them)"));
	sch_free(&m);
	free(dsn);
}

/* ---- constraints and indexes ---------------------------------------- */

static void constraints_and_indexes(void **state)
{
	(void)state;
	char *dsn = app_db();
	sch_model m;
	read_db(dsn, NULL, &m);

	attr_is(&m, "constraint", "app.orgs.orgs_pkey", "type", "primary key");
	deparsed_is(&m, "constraint", "app.orgs.orgs_pkey", "definition", "PRIMARY KEY (id)");
	attr_is(&m, "constraint", "app.orgs.orgs_slug_key", "type", "unique");
	deparsed_is(&m, "constraint", "app.orgs.orgs_slug_key", "definition", "UNIQUE (slug)");
	attr_is(&m, "constraint", "app.orgs.slug_len", "type", "check");
	deparsed_is(&m, "constraint", "app.orgs.slug_len", "definition",
		    "CHECK ((length(slug) > 2))");
	attr_is(&m, "constraint", "app.orgs.slug_len", "references", NULL);
	attr_is(&m, "constraint", "app.members.members_org_id_fkey", "type", "foreign key");
	deparsed_is(&m, "constraint", "app.members.members_org_id_fkey", "definition",
		    "FOREIGN KEY (org_id) REFERENCES app.orgs(id) ON DELETE CASCADE DEFERRABLE "
		    "INITIALLY DEFERRED");
	attr_is(&m, "constraint", "app.members.members_org_id_fkey", "references", "app.orgs");
	attr_is(&m, "constraint", "app.members.members_org_id_fkey", "comment", "tenancy");
	attr_is(&m, "constraint", "app.rooms.rooms_area_excl", "type", "exclusion");
	deparsed_is(&m, "constraint", "app.rooms.rooms_area_excl", "definition",
		    "EXCLUDE USING gist (area WITH &&)");

	attr_is(&m, "index", "app.members_email_active", "table", "app.members");
	attr_is(&m, "index", "app.members_email_active", "unique", "true");
	attr_is(&m, "index", "app.members_email_active", "method", "btree");
	deparsed_is(&m, "index", "app.members_email_active", "definition",
		    "CREATE UNIQUE INDEX members_email_active ON app.members USING btree "
		    "(lower(email)) WHERE active");
	attr_is(&m, "index", "app.members_email_active", "comment", "one live row per address");
	/* Indexes that back constraints are the constraints'. */
	absent(&m, "index", "app.orgs_pkey");
	absent(&m, "index", "app.orgs_slug_key");
	absent(&m, "index", "app.members_pkey");
	absent(&m, "index", "app.rooms_area_excl");
	sch_free(&m);
	free(dsn);
}

/* What a partition or an inheritance child gets from its parent comes
 * with the parent: no second copy of constraints, indexes, triggers. */
static void partition_clones_are_left_out(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn,
		    "CREATE TABLE orgs (id int PRIMARY KEY);"
		    "CREATE TABLE ev (id int, org int REFERENCES orgs, at date,"
		    "  CONSTRAINT ev_pk PRIMARY KEY (id, at), CONSTRAINT pos CHECK (id > 0))"
		    "  PARTITION BY RANGE (at);"
		    "CREATE INDEX ev_org ON ev (org);"
		    "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;"
		    "CREATE TRIGGER ev_t BEFORE INSERT ON ev FOR EACH ROW EXECUTE FUNCTION f();"
		    "CREATE TABLE ev_1 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
		    "CREATE INDEX ev_1_own ON ev_1 (at);"
		    "CREATE TABLE p (a int CONSTRAINT a_pos CHECK (a > 0));"
		    "CREATE TABLE k () INHERITS (p);");
	sch_model m;
	read_db(dsn, NULL, &m);
	must_find(&m, "constraint", "public.ev.ev_pk");
	must_find(&m, "constraint", "public.ev.pos");
	must_find(&m, "constraint", "public.ev.ev_org_fkey");
	absent(&m, "constraint", "public.ev_1.ev_1_pkey");
	absent(&m, "constraint", "public.ev_1.ev_pk");
	absent(&m, "constraint", "public.ev_1.pos");
	absent(&m, "constraint", "public.ev_1.ev_org_fkey");
	deparsed_is(&m, "index", "public.ev_org", "definition",
		    "CREATE INDEX ev_org ON ONLY public.ev USING btree (org)");
	absent(&m, "index", "public.ev_1_org_idx");
	must_find(&m, "index", "public.ev_1_own");
	must_find(&m, "trigger", "public.ev.ev_t");
	absent(&m, "trigger", "public.ev_1.ev_t");
	must_find(&m, "constraint", "public.p.a_pos");
	absent(&m, "constraint", "public.k.a_pos");
	attr_is(&m, "table", "public.k", "inherits", "public.p");
	assert_int_equal(count_kind(&m, "constraint"), 5); /* orgs_pkey too */
	sch_free(&m);
	free(dsn);
}

/* ---- views, functions, triggers, policies --------------------------- */

static void views_functions_triggers(void **state)
{
	(void)state;
	char *dsn = app_db();
	sch_model m;
	read_db(dsn, NULL, &m);

	deparsed_is(&m, "view", "app.active_members", "definition",
		    " SELECT members.id,\n    members.email\n   FROM app.members\n"
		    "  WHERE members.active;");
	deparsed_is(&m, "materialized-view", "app.member_counts", "definition",
		    " SELECT members.org_id,\n    count(*) AS n\n   FROM app.members\n"
		    "  GROUP BY members.org_id;");
	absent(&m, "table", "app.active_members");
	absent(&m, "column", "app.active_members.id");

	const char *add = "app.add(a integer, b integer)";
	attr_is(&m, "function", add, "kind", "function");
	attr_is(&m, "function", add, "returns", "integer");
	attr_is(&m, "function", add, "language", "sql");
	attr_is(&m, "function", add, "volatility", "immutable");
	attr_is(&m, "function", add, "strict", "true");
	attr_is(&m, "function", add, "security_definer", "false");
	attr_is(&m, "function", add, "comment", "sum");
	deparsed_is(&m, "function", add, "definition",
		    "CREATE OR REPLACE FUNCTION app.add(a integer, b integer)\n"
		    " RETURNS integer\n LANGUAGE sql\n IMMUTABLE STRICT\nAS $function$SELECT a + "
		    "b$function$\n");
	attr_is(&m, "function", "app.reset(IN who text)", "kind", "procedure");
	attr_is(&m, "function", "app.reset(IN who text)", "security_definer", "true");
	attr_is(&m, "function", "app.reset(IN who text)", "returns", NULL);
	attr_is(&m, "function", "app.reset(IN who text)", "language", "plpgsql");
	attr_is(&m, "function", "app.reset(IN who text)", "volatility", "volatile");
	attr_is(&m, "function", "app.touch()", "returns", "trigger");
	attr_is(&m, "function", "app.touch()", "volatility", "stable");

	deparsed_is(&m, "trigger", "app.members.touch_members", "definition",
		    "CREATE TRIGGER touch_members BEFORE INSERT ON app.members FOR EACH ROW "
		    "EXECUTE FUNCTION app.touch()");
	attr_is(&m, "trigger", "app.members.touch_members", "enabled", "disabled");
	attr_is(&m, "trigger", "app.members.touch_members", "comment", "keeps rows live");

	attr_is(&m, "table", "app.members", "rls", "true");
	attr_is(&m, "table", "app.members", "rls_forced", "true");
	attr_is(&m, "policy", "app.members.own_rows", "command", "select");
	attr_is(&m, "policy", "app.members.own_rows", "permissive", "true");
	attr_is(&m, "policy", "app.members.own_rows", "roles", "cat_app, cat_reader");
	deparsed_is(&m, "policy", "app.members.own_rows", "using",
		    "(email = CURRENT_USER)");
	attr_is(&m, "policy", "app.members.own_rows", "with_check", NULL);
	attr_is(&m, "policy", "app.members.no_delete", "command", "delete");
	attr_is(&m, "policy", "app.members.no_delete", "permissive", "false");
	attr_is(&m, "policy", "app.members.no_delete", "roles", "cat_app");
	deparsed_is(&m, "policy", "app.members.no_delete", "using", "false");
	attr_is(&m, "policy", "app.members.adds", "command", "insert");
	attr_is(&m, "policy", "app.members.adds", "roles", "public");
	attr_is(&m, "policy", "app.members.adds", "using", NULL);
	deparsed_is(&m, "policy", "app.members.adds", "with_check", "active");
	sch_free(&m);
	free(dsn);
}

/* ---- types and sequences -------------------------------------------- */

static void types_and_sequences(void **state)
{
	(void)state;
	char *dsn = app_db();
	sch_model m;
	read_db(dsn, NULL, &m);

	attr_is(&m, "enum", "app.mood", "labels", "'sad', 'ok', 'happy', 'it''s'");
	attr_is(&m, "enum", "app.mood", "comment", "how it went");

	attr_is(&m, "domain", "app.posint", "type", "integer");
	attr_is(&m, "domain", "app.posint", "not_null", "true");
	deparsed_is(&m, "domain", "app.posint", "default", "1");
	deparsed_is(&m, "domain", "app.posint", "check.posint_check", "CHECK ((VALUE > 0))");
	deparsed_is(&m, "domain", "app.posint", "check.\"Small\"", "CHECK ((VALUE < 1000))");
	attr_is(&m, "domain", "app.posint", "collation", NULL);
	attr_is(&m, "domain", "app.code", "collation", "pg_catalog.\"C\"");
	attr_is(&m, "domain", "app.code", "not_null", "false");
	attr_is(&m, "domain", "app.code", "default", NULL);

	attr_is(&m, "type", "app.pair", "fields", "left_v, \"Right\", r");
	attr_is(&m, "type", "app.pair", "field.left_v", "integer");
	attr_is(&m, "type", "app.pair", "field.\"Right\"", "app.mood");
	attr_is(&m, "type", "app.pair", "field.r", "numeric(5,2)");

	attr_is(&m, "sequence", "app.counter", "type", "smallint");
	attr_is(&m, "sequence", "app.counter", "start", "5");
	attr_is(&m, "sequence", "app.counter", "increment", "2");
	attr_is(&m, "sequence", "app.counter", "min", "1");
	attr_is(&m, "sequence", "app.counter", "max", "100");
	attr_is(&m, "sequence", "app.counter", "cache", "3");
	attr_is(&m, "sequence", "app.counter", "cycle", "true");
	attr_is(&m, "sequence", "app.counter", "owned_by", NULL);
	attr_is(&m, "sequence", "app.tick_n_seq", "owned_by", "app.tick.n");
	attr_is(&m, "sequence", "app.tick_n_seq", "type", "integer");
	attr_is(&m, "sequence", "app.tick_n_seq", "max", "2147483647");
	attr_is(&m, "sequence", "app.tick_n_seq", "cycle", "false");
	attr_is(&m, "sequence", "app.loose", "type", "bigint");
	deparsed_is(&m, "column", "app.tick.n", "default",
		    "nextval('app.tick_n_seq'::regclass)");
	sch_free(&m);
	free(dsn);
}

/* ---- extensions ----------------------------------------------------- */

static void extensions_without_members(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	char *have = dbtest_scalar(dsn, "SELECT count(*) FROM pg_available_extensions "
					"WHERE name = 'pg_trgm'");
	bool trgm = have && strcmp(have, "1") == 0;
	free(have);
	if (trgm)
		dbtest_exec(dsn, "CREATE EXTENSION pg_trgm");
	else
		fprintf(stderr, "# pg_trgm is not installed (postgresql-contrib): its "
				"assertions are skipped\n");
	dbtest_exec(dsn, "CREATE FUNCTION mine(t text) RETURNS text LANGUAGE sql AS 'SELECT t'");
	sch_model m;
	read_db(dsn, NULL, &m);
	attr_is(&m, "extension", "plpgsql", "version", "1.0");
	attr_is(&m, "extension", "plpgsql", "schema", "pg_catalog");
	must_find(&m, "function", "public.mine(t text)");
	if (trgm) {
		char *v = dbtest_scalar(dsn, "SELECT extversion FROM pg_extension "
					     "WHERE extname = 'pg_trgm'");
		attr_is(&m, "extension", "pg_trgm", "version", v);
		free(v);
		attr_is(&m, "extension", "pg_trgm", "schema", "public");
		absent(&m, "function", "public.similarity(text, text)");
		absent(&m, "function", "public.show_trgm(text)");
		/* Nothing of it leaks: mine() is public's only function. */
		assert_int_equal(count_kind(&m, "function"), 1);
		absent(&m, "type", "public.gtrgm");
	}
	sch_free(&m);
	free(dsn);
}

/* ---- privileges ----------------------------------------------------- */

static void grants_only_when_asked(void **state)
{
	(void)state;
	char *dsn = app_db();
	dbtest_exec(dsn,
		    "GRANT USAGE ON SCHEMA app TO cat_app;"
		    "GRANT SELECT, INSERT ON app.orgs TO cat_app;"
		    "GRANT SELECT ON app.orgs TO cat_reader WITH GRANT OPTION;"
		    "GRANT UPDATE (email) ON app.members TO cat_app;"
		    "GRANT USAGE ON SEQUENCE app.counter TO cat_app;"
		    "REVOKE EXECUTE ON FUNCTION app.add(integer, integer) FROM PUBLIC;"
		    "GRANT EXECUTE ON FUNCTION app.add(integer, integer) TO cat_app;"
		    "GRANT SELECT ON app.active_members TO public;"
		    "REVOKE USAGE ON TYPE app.mood FROM PUBLIC;");
	sch_model m;
	read_db(dsn, NULL, &m);
	assert_int_equal(count_kind(&m, "grant"), 0);
	assert_true(has_note(&m, "privileges: not read (--privileges to compare them)"));
	sch_free(&m);

	catalog_opts o = {.privileges = true};
	read_db(dsn, &o, &m);
	assert_false(has_note(&m, "privileges"));
	attr_is(&m, "grant", "app", "on", "schema");
	attr_is(&m, "grant", "app", "cat_app", "USAGE");
	attr_is(&m, "grant", "public", "public", "USAGE");
	attr_is(&m, "grant", "app.orgs", "on", "table");
	attr_is(&m, "grant", "app.orgs", "cat_app", "INSERT, SELECT");
	attr_is(&m, "grant", "app.orgs", "cat_reader", "SELECT WITH GRANT OPTION");
	attr_is(&m, "grant", "app.orgs", "public", NULL);
	attr_is(&m, "grant", "app.members.email", "on", "column");
	attr_is(&m, "grant", "app.members.email", "cat_app", "UPDATE");
	attr_is(&m, "grant", "app.counter", "on", "sequence");
	attr_is(&m, "grant", "app.counter", "cat_app", "USAGE");
	attr_is(&m, "grant", "app.add(a integer, b integer)", "on", "function");
	attr_is(&m, "grant", "app.add(a integer, b integer)", "cat_app", "EXECUTE");
	attr_is(&m, "grant", "app.add(a integer, b integer)", "public", NULL);
	/* Never granted: the default, PUBLIC may execute. */
	attr_is(&m, "grant", "app.touch()", "public", "EXECUTE");
	attr_is(&m, "grant", "app.reset(IN who text)", "on", "procedure");
	attr_is(&m, "grant", "app.active_members", "on", "table");
	attr_is(&m, "grant", "app.active_members", "public", "SELECT");
	attr_is(&m, "grant", "app.posint", "on", "domain");
	attr_is(&m, "grant", "app.posint", "public", "USAGE");
	attr_is(&m, "grant", "app.pair", "on", "type");
	absent(&m, "grant", "app.mood"); /* nobody but its owner */
	/* The owner's own privileges are not compared; tables nobody else may
	 * use have no grant object at all. */
	absent(&m, "grant", "app.people");
	for (size_t i = 0; i < m.n; i++)
		if (strcmp(m.objs[i].kind, "grant") == 0)
			for (size_t k = 0; k < m.objs[i].n; k++)
				assert_string_not_equal(m.objs[i].attrs[k].key, "postgres");
	sch_free(&m);
	free(dsn);
}

/* ---- migration history ---------------------------------------------- */

static void migration_history_rows(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn,
		    "CREATE TABLE public.schema_migrations (version varchar(128) PRIMARY KEY);"
		    "INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240202000000');"
		    "CREATE TABLE public.tenantctl_schema_migrations (version text PRIMARY KEY,"
		    "  name text NOT NULL, checksum text NOT NULL, started_at timestamptz NOT NULL,"
		    "  finished_at timestamptz, duration_ms bigint, applied_by_os text,"
		    "  applied_by_db text NOT NULL DEFAULT current_user, state text NOT NULL,"
		    "  failed_statement int, error text);"
		    "INSERT INTO tenantctl_schema_migrations (version, name, checksum, started_at, state)"
		    "  VALUES ('20260101000001', 'create orgs', 'abc', now(), 'applied'),"
		    "  ('20260101000002', 'broken', 'def', now(), 'failed'),"
		    "  ('20260101000003', '', 'ghi', now(), 'applied');"
		    "CREATE SCHEMA \"Ten ant\";"
		    "CREATE TABLE \"Ten ant\".flyway_schema_history (installed_rank int PRIMARY KEY,"
		    "  version varchar(50), description varchar(200) NOT NULL, success boolean);"
		    "INSERT INTO \"Ten ant\".flyway_schema_history VALUES (1, '1', 'init', true),"
		    "  (2, NULL, 'repeatable', true), (3, '2', 'failed', false);"
		    "CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY);"
		    "INSERT INTO alembic_version VALUES ('ae1027a6acf');"
		    /* Not a history table: wrong shape. */
		    "CREATE TABLE public._prisma_migrations (id int);");
	sch_model m;
	read_db(dsn, NULL, &m);
	must_find(&m, "migration", "public.schema_migrations.\"20240101000000\"");
	attr_is(&m, "migration", "public.schema_migrations.\"20240202000000\"", "name", NULL);
	attr_is(&m, "migration", "public.tenantctl_schema_migrations.\"20260101000001\"", "name",
		"create orgs");
	absent(&m, "migration", "public.tenantctl_schema_migrations.\"20260101000002\"");
	attr_is(&m, "migration", "public.tenantctl_schema_migrations.\"20260101000003\"", "name",
		NULL);
	attr_is(&m, "migration", "\"Ten ant\".flyway_schema_history.\"1\"", "name", "init");
	absent(&m, "migration", "\"Ten ant\".flyway_schema_history.\"2\"");
	must_find(&m, "migration", "public.alembic_version.ae1027a6acf");
	assert_int_equal(count_kind(&m, "migration"), 6);
	/* The history tables are tables too. */
	must_find(&m, "table", "public.schema_migrations");
	sch_free(&m);
	free(dsn);
}

/* ---- row counts ----------------------------------------------------- */

static void row_counts_exact_and_estimated(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 250);"
			 "CREATE TABLE \"Empty \"\"one\"\"\" (a int);"
			 "CREATE TABLE never (a int); INSERT INTO never VALUES (1);");
	sch_model m;
	catalog_opts est = {.estimates = true};
	read_db(dsn, &est, &m);
	attr_is_f(&m, "table", "public.t", "rows", "unknown (never analyzed)", SCH_INFO);
	sch_free(&m);

	dbtest_exec(dsn, "ANALYZE t; ANALYZE \"Empty \"\"one\"\"\"");
	read_db(dsn, &est, &m);
	attr_is_f(&m, "table", "public.t", "rows", "~250 (estimate)", SCH_INFO);
	attr_is_f(&m, "table", "public.\"Empty \"\"one\"\"\"", "rows", "~0 (estimate)", SCH_INFO);
	attr_is_f(&m, "table", "public.never", "rows", "unknown (never analyzed)", SCH_INFO);
	sch_free(&m);

	catalog_opts exact = {.row_counts = true, .estimates = true};
	read_db(dsn, &exact, &m);
	attr_is_f(&m, "table", "public.t", "rows", "250", SCH_INFO);
	attr_is_f(&m, "table", "public.\"Empty \"\"one\"\"\"", "rows", "0", SCH_INFO);
	attr_is_f(&m, "table", "public.never", "rows", "1", SCH_INFO);
	sch_free(&m);
	free(dsn);
}

/* More tables than one counting batch holds. */
static void row_counts_in_batches(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "DO $$ BEGIN FOR i IN 1..450 LOOP EXECUTE format("
			 "'CREATE TABLE %I (a int); INSERT INTO %I SELECT generate_series(1, %s)',"
			 " 't' || i, 't' || i, i % 7); END LOOP; END $$");
	sch_model m;
	catalog_opts exact = {.row_counts = true};
	read_db(dsn, &exact, &m);
	assert_int_equal(count_kind(&m, "table"), 450);
	attr_is_f(&m, "table", "public.t1", "rows", "1", SCH_INFO);
	attr_is_f(&m, "table", "public.t201", "rows", "5", SCH_INFO);
	attr_is_f(&m, "table", "public.t449", "rows", "1", SCH_INFO);
	attr_is_f(&m, "table", "public.t7", "rows", "0", SCH_INFO);
	sch_free(&m);
	free(dsn);
}

/* ---- hostile identifiers -------------------------------------------- */

#define LONG63 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"

static void hostile_identifiers(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn,
		    "CREATE SCHEMA \"Odd Schema\";"
		    "CREATE TABLE \"Odd Schema\".\"we\"\"ird tab\" (\"Ünïcødé\" int, \"select\" text,"
		    "  \"user\" text, \"has space\" int, \"UPPER\" int,"
		    "  CONSTRAINT \"Chk \"\"x\"\"\" CHECK (\"has space\" > 0));"
		    "CREATE INDEX \"Idx.dot\" ON \"Odd Schema\".\"we\"\"ird tab\" (\"UPPER\");"
		    "CREATE TABLE public.\"select\" (\"user\" int);"
		    "CREATE TABLE public." LONG63 " (" LONG63 " int);"
		    "CREATE TYPE \"Odd Schema\".\"Mood\" AS ENUM ('a\"b', 'c''d', 'e\\f');"
		    "CREATE FUNCTION \"Odd Schema\".\"Fn\"(\"Arg\" text) RETURNS int LANGUAGE sql"
		    "  AS 'SELECT 1';"
		    "ALTER TABLE public.\"select\" ADD PRIMARY KEY (\"user\");"
		    "CREATE TABLE \"Odd Schema\".uses (m \"Odd Schema\".\"Mood\","
		    "  r int REFERENCES public.\"select\" (\"user\") DEFERRABLE);");
	sch_model m;
	read_db(dsn, NULL, &m);
	must_find(&m, "schema", "\"Odd Schema\"");
	const char *t = "\"Odd Schema\".\"we\"\"ird tab\"";
	must_find(&m, "table", t);
	must_find(&m, "column", "\"Odd Schema\".\"we\"\"ird tab\".\"Ünïcødé\"");
	must_find(&m, "column", "\"Odd Schema\".\"we\"\"ird tab\".select");
	must_find(&m, "column", "\"Odd Schema\".\"we\"\"ird tab\".user");
	must_find(&m, "column", "\"Odd Schema\".\"we\"\"ird tab\".\"has space\"");
	must_find(&m, "column", "\"Odd Schema\".\"we\"\"ird tab\".\"UPPER\"");
	deparsed_is(&m, "constraint", "\"Odd Schema\".\"we\"\"ird tab\".\"Chk \"\"x\"\"\"",
		    "definition", "CHECK ((\"has space\" > 0))");
	attr_is(&m, "index", "\"Odd Schema\".\"Idx.dot\"", "table", t);
	must_find(&m, "table", "public.select");
	must_find(&m, "column", "public.select.user");
	must_find(&m, "table", "public." LONG63);
	must_find(&m, "column", "public." LONG63 "." LONG63);
	attr_is(&m, "enum", "\"Odd Schema\".\"Mood\"", "labels", "'a\"b', 'c''d', E'e\\\\f'");
	must_find(&m, "function", "\"Odd Schema\".\"Fn\"(\"Arg\" text)");
	attr_is(&m, "column", "\"Odd Schema\".uses.m", "type", "\"Odd Schema\".\"Mood\"");
	attr_is(&m, "constraint", "\"Odd Schema\".uses.uses_r_fkey", "references",
		"public.select");
	deparsed_is(&m, "constraint", "\"Odd Schema\".uses.uses_r_fkey", "definition",
		    "FOREIGN KEY (r) REFERENCES public.\"select\"(\"user\") DEFERRABLE");
	/* Every name is the way sch_qualify writes it. */
	char *q = sch_qualify3("Odd Schema", "we\"ird tab", "Ünïcødé");
	must_find(&m, "column", q);
	free(q);
	sch_free(&m);

	/* A glob's ? is one character, however many bytes. */
	dbtest_exec(dsn, "CREATE TABLE \"Odd Schema\".\"Ünï\" (a int)");
	catalog_opts uni = {.table_glob = "\"?nï\""};
	read_db(dsn, &uni, &m);
	must_find(&m, "table", "\"Odd Schema\".\"Ünï\"");
	assert_int_equal(count_kind(&m, "table"), 1);
	sch_free(&m);

	/* And the filters take them as they are. */
	const char *only[] = {"Odd Schema"};
	catalog_opts o = {.schemas = only, .n_schemas = 1, .table_glob = "*we\"\"ird*"};
	read_db(dsn, &o, &m);
	must_find(&m, "table", t);
	absent(&m, "table", "\"Odd Schema\".uses");
	absent(&m, "schema", "public");
	sch_free(&m);
	free(dsn);
}

/* ---- determinism ---------------------------------------------------- */

/* The same schema, built in two orders: constraints inline or added later,
 * objects created in a different order, a dropped column in one. */
static const char ORDER_A[] =
	"CREATE SCHEMA s;"
	"CREATE TYPE s.state AS ENUM ('new', 'done');"
	"CREATE TABLE s.orgs (id int PRIMARY KEY, name text NOT NULL UNIQUE);"
	"CREATE TABLE s.members (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
	"  org_id int NOT NULL REFERENCES s.orgs ON DELETE CASCADE,"
	"  email text CHECK (email <> ''), state s.state DEFAULT 'new');"
	"CREATE INDEX members_email ON s.members (lower(email)) WHERE state = 'new';"
	"CREATE SEQUENCE s.ticket START 10;"
	"CREATE FUNCTION s.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';"
	"CREATE VIEW s.v AS SELECT m.id, o.name FROM s.members m JOIN s.orgs o ON o.id = m.org_id;"
	"CREATE FUNCTION s.trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;"
	"CREATE TRIGGER t BEFORE UPDATE ON s.members FOR EACH ROW EXECUTE FUNCTION s.trg();"
	"ALTER TABLE s.members ENABLE ROW LEVEL SECURITY;"
	"CREATE POLICY p ON s.members USING (true);"
	"COMMENT ON TABLE s.orgs IS 'tenants';"
	"CREATE TABLE s.logs (at date, msg text) PARTITION BY RANGE (at);"
	"CREATE TABLE s.logs_a PARTITION OF s.logs FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');"
	"CREATE TABLE s.logs_b PARTITION OF s.logs FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');"
	"CREATE DOMAIN s.pos AS int CHECK (VALUE > 0);"
	"CREATE TYPE s.pair AS (a int, b s.pos);"
	"CREATE TABLE s.counters (n serial, p s.pos);"
	"GRANT SELECT ON s.orgs TO PUBLIC;"
	"COMMENT ON COLUMN s.members.email IS 'login';"
	"INSERT INTO s.orgs VALUES (1, 'one');";

static const char ORDER_B[] =
	"SET TimeZone = 'America/New_York'; SET DateStyle = 'SQL, DMY';"
	"CREATE SCHEMA s;"
	"CREATE DOMAIN s.pos AS int;"
	"CREATE TABLE s.counters (n int NOT NULL, p s.pos);"
	"CREATE SEQUENCE s.counters_n_seq AS integer OWNED BY s.counters.n;"
	"ALTER TABLE s.counters ALTER n SET DEFAULT nextval('s.counters_n_seq');"
	"CREATE TABLE s.logs (at date, msg text) PARTITION BY RANGE (at);"
	"CREATE TABLE s.logs_b PARTITION OF s.logs FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');"
	"CREATE TABLE s.logs_a (at date, msg text);"
	"ALTER TABLE s.logs ATTACH PARTITION s.logs_a FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');"
	"CREATE FUNCTION s.trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;"
	"CREATE FUNCTION s.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';"
	"CREATE SEQUENCE s.ticket START 10;"
	"CREATE TYPE s.state AS ENUM ('new', 'done');"
	"CREATE TABLE s.members (id int GENERATED ALWAYS AS IDENTITY, junk int, org_id int NOT NULL,"
	"  email text, state s.state DEFAULT 'new');"
	"ALTER TABLE s.members DROP COLUMN junk;"
	"ALTER TABLE s.members ADD PRIMARY KEY (id);"
	"ALTER TABLE s.members ADD CHECK (email <> '');"
	"CREATE TABLE s.orgs (id int, name text NOT NULL);"
	"ALTER TABLE s.orgs ADD PRIMARY KEY (id);"
	"ALTER TABLE s.orgs ADD UNIQUE (name);"
	"ALTER TABLE s.members ADD FOREIGN KEY (org_id) REFERENCES s.orgs ON DELETE CASCADE;"
	"CREATE POLICY p ON s.members USING (true);"
	"ALTER TABLE s.members ENABLE ROW LEVEL SECURITY;"
	"CREATE TRIGGER t BEFORE UPDATE ON s.members FOR EACH ROW EXECUTE FUNCTION s.trg();"
	"CREATE INDEX members_email ON s.members (lower(email)) WHERE state = 'new';"
	"COMMENT ON TABLE s.orgs IS 'tenants';"
	"CREATE VIEW s.v AS SELECT m.id, o.name FROM s.members m JOIN s.orgs o ON o.id = m.org_id;"
	"COMMENT ON COLUMN s.members.email IS 'login';"
	"GRANT SELECT ON s.orgs TO PUBLIC;"
	"ALTER DOMAIN s.pos ADD CHECK (VALUE > 0);"
	"CREATE TYPE s.pair AS (a int, b s.pos);";

static void same_schema_same_model(void **state)
{
	(void)state;
	char *a = dbtest_new_db(), *b = dbtest_new_db();
	dbtest_exec(a, ORDER_A);
	dbtest_exec(b, ORDER_B);
	sch_model ma, mb;
	catalog_opts o = {.privileges = true, .estimates = true};
	read_db(a, &o, &ma);
	/* The reading session's own settings do not leak into the text. */
	char *b_odd = xasprintf("%s options='-c TimeZone=Asia/Kolkata -c DateStyle=German "
				"-c quote_all_identifiers=on -c standard_conforming_strings=off "
				"-c search_path=s'",
				b);
	read_db(b_odd, &o, &mb);
	free(b_odd);
	assert_int_equal(ma.n, mb.n);
	models_equal(&ma, &mb);
	/* Positions are the order of live columns: junk left no gap. */
	attr_is_f(&mb, "column", "s.members.org_id", "position", "2", SCH_INFO);
	deparsed_is(&mb, "table", "s.logs_a", "partition_bound",
		    "FOR VALUES FROM ('2024-01-01') TO ('2024-07-01')");
	/* Information differs and is not compared. */
	attr_is_f(&ma, "table", "s.orgs", "rows", "unknown (never analyzed)", SCH_INFO);
	sch_free(&ma);
	sch_free(&mb);
	/* And one database read twice gives the same model. */
	read_db(a, &o, &ma);
	read_db(a, &o, &mb);
	models_equal(&ma, &mb);
	sch_free(&ma);
	sch_free(&mb);
	free(a);
	free(b);
}

/* ---- filters -------------------------------------------------------- */

static void schema_and_table_filters(void **state)
{
	(void)state;
	char *dsn = app_db();
	dbtest_exec(dsn, "CREATE TABLE public.orgs (id int);"
			 "CREATE SCHEMA \"we,\"\"ird\";"
			 "CREATE TABLE \"we,\"\"ird\".orgs (id int);");
	sch_model m;

	const char *only[] = {"app", "we,\"ird"};
	catalog_opts inc = {.schemas = only, .n_schemas = 2};
	read_db(dsn, &inc, &m);
	must_find(&m, "schema", "app");
	must_find(&m, "table", "\"we,\"\"ird\".orgs");
	absent(&m, "schema", "public");
	absent(&m, "table", "public.orgs");
	must_find(&m, "extension", "plpgsql"); /* database-wide */
	assert_true(has_note(&m, "schemas other than app, we,\"ird: not read"));
	sch_free(&m);

	const char *ex[] = {"app", "no such schema"};
	catalog_opts exc = {.exclude_schemas = ex, .n_exclude = 2};
	read_db(dsn, &exc, &m);
	must_find(&m, "table", "public.orgs");
	absent(&m, "schema", "app");
	absent(&m, "table", "app.orgs");
	absent(&m, "enum", "app.mood");
	assert_int_equal(count_kind(&m, "column"), 2);
	assert_true(has_note(&m, "schemas app, no such schema: not read (excluded)"));
	sch_free(&m);

	catalog_opts glob = {.table_glob = "app.mem*", .privileges = true};
	read_db(dsn, &glob, &m);
	must_find(&m, "table", "app.members");
	absent(&m, "table", "app.orgs");
	absent(&m, "table", "public.orgs");
	must_find(&m, "column", "app.members.email");
	absent(&m, "column", "app.orgs.id");
	must_find(&m, "constraint", "app.members.members_org_id_fkey");
	absent(&m, "constraint", "app.orgs.orgs_pkey");
	must_find(&m, "index", "app.members_email_active");
	must_find(&m, "trigger", "app.members.touch_members");
	must_find(&m, "policy", "app.members.own_rows");
	absent(&m, "grant", "app.orgs");
	/* Other kinds are not tables: the glob leaves them be. */
	must_find(&m, "enum", "app.mood");
	must_find(&m, "view", "app.active_members");
	must_find(&m, "materialized-view", "app.member_counts");
	must_find(&m, "function", "app.add(a integer, b integer)");
	must_find(&m, "sequence", "app.counter");
	assert_true(has_note(&m, "tables not matching app.mem*"));
	sch_free(&m);

	/* Without a dot, the glob is for the table's own name, in any schema. */
	catalog_opts bare = {.table_glob = "org?"};
	read_db(dsn, &bare, &m);
	must_find(&m, "table", "app.orgs");
	must_find(&m, "table", "public.orgs");
	must_find(&m, "table", "\"we,\"\"ird\".orgs");
	assert_int_equal(count_kind(&m, "table"), 3);
	sch_free(&m);
	free(dsn);
}

/* Objects the model has no kind for are named, not silently skipped. */
static void unmodelled_objects_are_noted(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	dbtest_exec(dsn, "CREATE TYPE floatrange AS RANGE (subtype = float8);"
			 "CREATE TABLE t (a int, b int);"
			 "CREATE STATISTICS t_ab ON a, b FROM t;"
			 "CREATE RULE t_nothing AS ON DELETE TO t DO INSTEAD NOTHING;");
	sch_model m;
	read_db(dsn, NULL, &m);
	assert_true(has_note(&m, "range and base types (1): not read"));
	assert_true(has_note(&m, "extended statistics (1): not read"));
	assert_true(has_note(&m, "rules (1): not read"));
	assert_false(has_note(&m, "foreign tables"));
	/* The range's constructor functions come with it. */
	assert_int_equal(count_kind(&m, "function"), 0);
	sch_free(&m);
	free(dsn);
}

/* ---- sessions ------------------------------------------------------- */

static void read_only_sessions(void **state)
{
	(void)state;
	char *dsn = app_db();
	dbtest_exec(dsn, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
			 "'cat_ro') THEN CREATE ROLE cat_ro LOGIN PASSWORD 'ro-pw'; END IF; END $$;"
			 "ALTER ROLE cat_ro SET default_transaction_read_only = on;"
			 "CREATE TABLE app.secret (a int); REVOKE ALL ON app.secret FROM PUBLIC;"
			 "CREATE TABLE public.schema_migrations (version text PRIMARY KEY);"
			 "INSERT INTO schema_migrations VALUES ('1');"
			 "REVOKE ALL ON public.schema_migrations FROM PUBLIC;");
	tc_conn *c = open_conn(dsn, false);
	assert_false(conn_writable(c));
	sch_model m;
	read_with(c, NULL, &m);
	must_find(&m, "table", "app.people");
	sch_free(&m);
	conn_close(c);

	/* A role that is read-only by itself and may not read every table. */
	char *as_ro = xasprintf("%s user=cat_ro password=ro-pw", dsn);
	c = open_conn(as_ro, false);
	read_with(c, NULL, &m);
	must_find(&m, "table", "app.secret");
	must_find(&m, "function", "app.add(a integer, b integer)");
	/* A history it may not read is named, not an error. */
	must_find(&m, "table", "public.schema_migrations");
	assert_int_equal(count_kind(&m, "migration"), 0);
	assert_true(has_note(&m, "migration history in public.schema_migrations: not read"));
	sch_free(&m);

	/* Exact counts need SELECT: the error says which and what to do, the
	 * model is left empty, and the session is usable again. */
	catalog_opts exact = {.row_counts = true};
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(catalog_read(c, &exact, &m, &err), TC_ERR_DB);
	assert_non_null(strstr(err.message, "counting the rows"));
	assert_non_null(strstr(err.message, "permission denied"));
	assert_non_null(err.hint);
	assert_non_null(strstr(err.hint, "--row-counts"));
	assert_int_equal(m.n, 0);
	tc_error_clear(&err);
	read_with(c, NULL, &m);
	must_find(&m, "table", "app.secret");
	sch_free(&m);
	conn_close(c);
	free(as_ro);

	/* A write session reads the same, and the history it may read. */
	c = open_conn(dsn, true);
	read_with(c, NULL, &m);
	must_find(&m, "table", "app.secret");
	must_find(&m, "migration", "public.schema_migrations.\"1\"");
	sch_free(&m);
	conn_close(c);
	free(dsn);
}

/* An empty database: public and plpgsql, nothing else. */
static void empty_database(void **state)
{
	(void)state;
	char *dsn = dbtest_new_db();
	sch_model m;
	read_db(dsn, NULL, &m);
	assert_int_equal(count_kind(&m, "schema"), 1);
	must_find(&m, "schema", "public");
	must_find(&m, "extension", "plpgsql");
	assert_int_equal(m.n, 2);
	assert_int_equal(m.n_not_read, 1);
	sch_free(&m);
	free(dsn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_database),
		cmocka_unit_test(tables_and_columns),
		cmocka_unit_test(constraints_and_indexes),
		cmocka_unit_test(partition_clones_are_left_out),
		cmocka_unit_test(views_functions_triggers),
		cmocka_unit_test(types_and_sequences),
		cmocka_unit_test(extensions_without_members),
		cmocka_unit_test(grants_only_when_asked),
		cmocka_unit_test(migration_history_rows),
		cmocka_unit_test(row_counts_exact_and_estimated),
		cmocka_unit_test(row_counts_in_batches),
		cmocka_unit_test(hostile_identifiers),
		cmocka_unit_test(same_schema_same_model),
		cmocka_unit_test(schema_and_table_filters),
		cmocka_unit_test(unmodelled_objects_are_noted),
		cmocka_unit_test(read_only_sessions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
