/* catalog: the live schema read into the model of schema.h.
 *
 * One query per kind over pg_catalog, all in one REPEATABLE READ READ ONLY
 * transaction (one snapshot, and it works in read-only sessions and on
 * standbys). search_path is '' inside it, so every regclass, format_type
 * and deparser output names its schema; only pg_catalog's own types stay
 * bare. Rows come ordered with COLLATE "C"; the model is sorted once at the
 * end, so nothing here looks objects up.
 *
 * Left out, because they are implied by another object or not the
 * deployment's own: system schemas (pg_*, information_schema), extension
 * members, a constraint's index, an identity's sequence, row and array
 * types, NOT NULL constraint rows (PostgreSQL 18; NOT NULL is the column's
 * not_null), and what a partition or inheritance child gets from its parent
 * (cloned constraints, attached indexes, cloned triggers). */
#include "config.h"

#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "strbuf.h"
#include "xalloc.h"

/* Exact counts are batched: one round trip per this many tables. */
#define COUNT_BATCH 200

/* Every query takes $1 (schemas to include, NULL for all) and $2 (schemas
 * to exclude) as text[]; n is the query's pg_namespace. */
#define SCOPE(n)                                                                                  \
	" " n ".nspname NOT LIKE 'pg\\_%' AND " n ".nspname <> 'information_schema'"             \
	" AND ($1::pg_catalog.text[] IS NULL OR " n ".nspname::pg_catalog.text"                  \
	" = ANY ($1::pg_catalog.text[]))"                                                         \
	" AND " n ".nspname::pg_catalog.text <> ALL ($2::pg_catalog.text[]) "

/* Not a member of an extension (the extension is the object to compare).
 * refclassid lets the server find the few member rows through an index
 * instead of reading all of pg_depend for every query. */
#define NOT_EXT(catalog, oid)                                                                     \
	" NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend x WHERE x.refclassid = "                \
	"'pg_catalog.pg_extension'::pg_catalog.regclass AND x.deptype = 'e' AND x.classid = "     \
	"'pg_catalog." catalog "'::pg_catalog.regclass AND x.objid = " oid ") "

/* The comment of an object (objsubid 0) in catalog, as d.description. */
#define COMMENT(catalog, oid)                                                                     \
	" LEFT JOIN pg_catalog.pg_description d ON d.objoid = " oid " AND d.classoid = "         \
	"'pg_catalog." catalog "'::pg_catalog.regclass AND d.objsubid = 0 "

#define C_ORDER(e) e " COLLATE \"C\""

typedef struct cat {
	tc_conn *c;
	const catalog_opts *o;
	sch_model *m;
	const char *params[2]; /* borrowed from the two below */
	char *include, *exclude;
	int version; /* server_version_num */
	/* Tables kept, for exact counts: object index and raw names. */
	struct cat_table {
		size_t obj;
		char *nsp, *rel;
	} *tables;
	size_t n_tables, cap_tables;
} cat;

/* ------------------------------------------------------------- helpers */

static char *quote1(const char *ident)
{
	strbuf sb = STRBUF_INIT;
	sch_quote_ident(&sb, ident);
	return sb_steal(&sb);
}

/* Bytes in the UTF-8 character at s (1 for a stray byte). */
static size_t utf8_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	for (size_t k = 1; k < n; k++)
		if (((unsigned char)s[k] & 0xC0) != 0x80)
			return 1;
	return n;
}

/* Shell-style, as the allowlist's: * any run, ? one character, \ quotes
 * the next. Backtracks only to the last '*'. */
static bool glob_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;
	while (*s) {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*p == '?') {
			p++;
			s += utf8_len(s);
			continue;
		}
		const char *lit = *p == '\\' && p[1] ? p + 1 : p;
		if (*lit && *lit == *s) {
			p = lit + 1;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		star_s += utf8_len(star_s);
		s = star_s;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* Whether a table (and so its parts) is in the table glob. The glob is
 * matched against the model's name, S.T quoted as sch_qualify quotes it;
 * a glob without a dot against the table part alone. */
static bool table_wanted(const cat *x, const char *nsp, const char *rel)
{
	const char *g = x->o->table_glob;
	if (!g || !*g)
		return true;
	char *name = strchr(g, '.') ? sch_qualify(nsp, rel) : quote1(rel);
	bool ok = glob_match(g, name);
	free(name);
	return ok;
}

static const char *cell(const db_rows *r, size_t i, size_t j)
{
	return db_get(r, i, j);
}

static bool is_true(const char *v)
{
	return v && strcmp(v, "t") == 0;
}

/* NULL means the attribute is absent. */
static void set(sch_model *m, size_t obj, const char *key, const char *value, unsigned flags)
{
	if (value)
		sch_set(&m->objs[obj], key, value, flags);
}

static void set_bool(sch_model *m, size_t obj, const char *key, const char *v)
{
	sch_set(&m->objs[obj], key, is_true(v) ? "true" : "false", 0);
}

/* Add an object with an owned name (freed here); returns its index. */
static size_t add(sch_model *m, const char *kind, char *name)
{
	sch_add(m, kind, name);
	free(name);
	return m->n - 1;
}

/* Row i starts a new object: one of its first nkeys cells differs from
 * row i-1's (queries that join a list return one row per element). */
static bool new_group(const db_rows *r, size_t i, size_t nkeys)
{
	if (i == 0)
		return true;
	for (size_t k = 0; k < nkeys; k++) {
		const char *a = cell(r, i, k), *b = cell(r, i - 1, k);
		if (!a != !b || (a && strcmp(a, b) != 0))
			return true;
	}
	return false;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A list of words, sorted, duplicates dropped, joined with ", ". */
typedef struct wordlist {
	char **v;
	size_t n, cap;
} wordlist;

static void wl_add(wordlist *w, char *owned)
{
	w->v = xgrow(w->v, &w->cap, w->n + 1, sizeof *w->v);
	w->v[w->n++] = owned;
}

static char *wl_join_sorted(wordlist *w)
{
	qsort(w->v, w->n, sizeof *w->v, cmp_cstr);
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < w->n; i++) {
		if (i && strcmp(w->v[i], w->v[i - 1]) == 0)
			continue;
		if (sb.len)
			sb_add(&sb, ", ");
		sb_add(&sb, w->v[i]);
	}
	return sb_steal(&sb);
}

static void wl_clear(wordlist *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	w->n = 0;
}

static void wl_free(wordlist *w)
{
	wl_clear(w);
	free(w->v);
	memset(w, 0, sizeof *w);
}

/* Run one catalog query with the scope parameters (nparams 0 or 2). */
static tc_status query(cat *x, const char *what, const char *sql, int nparams, db_rows *rows,
		       tc_error *err)
{
	tc_status st = db_query(x->c, sql, nparams, nparams ? x->params : NULL, rows, err);
	if (st != TC_OK) {
		tc_error_prefix(err, "reading %s from the catalog of %s: ", what,
				conn_describe(x->c));
		if (!err || !err->hint)
			tc_hint(err, "nothing was changed; retry, and if it fails again report "
				     "this message to the tenantctl maintainers");
	}
	return st;
}

/* ------------------------------------------------------------- schemas */

static const char SQL_SCHEMAS[] =
	"SELECT n.nspname, d.description "
	"FROM pg_catalog.pg_namespace n " COMMENT("pg_namespace", "n.oid")
	"WHERE" SCOPE("n") "AND" NOT_EXT("pg_namespace", "n.oid")
	"ORDER BY " C_ORDER("n.nspname");

static tc_status read_schemas(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "schemas", SQL_SCHEMAS, 2, &r, err);
	if (st != TC_OK)
		return st;
	for (size_t i = 0; i < r.nrows; i++) {
		size_t o = add(x->m, "schema", quote1(cell(&r, i, 0)));
		set(x->m, o, "comment", cell(&r, i, 1), 0);
	}
	db_rows_free(&r);
	return TC_OK;
}

/* Extensions belong to the database, not a schema: always read, whatever
 * the schema filters say. plpgsql is one of them. */
static const char SQL_EXTENSIONS[] =
	"SELECT e.extname, e.extversion, n.nspname "
	"FROM pg_catalog.pg_extension e "
	"JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
	"ORDER BY " C_ORDER("e.extname");

static tc_status read_extensions(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "extensions", SQL_EXTENSIONS, 0, &r, err);
	if (st != TC_OK)
		return st;
	for (size_t i = 0; i < r.nrows; i++) {
		size_t o = add(x->m, "extension", quote1(cell(&r, i, 0)));
		set(x->m, o, "version", cell(&r, i, 1), 0);
		char *s = quote1(cell(&r, i, 2));
		set(x->m, o, "schema", s, 0);
		free(s);
	}
	db_rows_free(&r);
	return TC_OK;
}

/* --------------------------------------------------------------- types */

static const char SQL_ENUMS[] =
	"SELECT n.nspname, t.typname, "
	"  pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' "
	"    ORDER BY e.enumsortorder), d.description "
	"FROM pg_catalog.pg_type t "
	"JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
	"LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid " COMMENT("pg_type", "t.oid")
	"WHERE t.typtype = 'e' AND" SCOPE("n") "AND" NOT_EXT("pg_type", "t.oid")
	"GROUP BY n.nspname, t.typname, d.description "
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("t.typname");

static tc_status read_enums(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "enums", SQL_ENUMS, 2, &r, err);
	if (st != TC_OK)
		return st;
	for (size_t i = 0; i < r.nrows; i++) {
		size_t o = add(x->m, "enum", sch_qualify(cell(&r, i, 0), cell(&r, i, 1)));
		const char *labels = cell(&r, i, 2);
		set(x->m, o, "labels", labels ? labels : "", 0);
		set(x->m, o, "comment", cell(&r, i, 3), 0);
	}
	db_rows_free(&r);
	return TC_OK;
}

/* One row per CHECK constraint of a domain (or one with NULLs for none). */
static const char SQL_DOMAINS[] =
	"SELECT n.nspname, t.typname, pg_catalog.format_type(t.typbasetype, t.typtypmod), "
	"  t.typnotnull, pg_catalog.pg_get_expr(t.typdefaultbin, 0), cn.nspname, co.collname, "
	"  d.description, k.conname, pg_catalog.pg_get_constraintdef(k.oid) "
	"FROM pg_catalog.pg_type t "
	"JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
	"JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype "
	"LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation "
	"  AND t.typcollation <> bt.typcollation "
	"LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace "
	"LEFT JOIN pg_catalog.pg_constraint k ON k.contypid = t.oid AND k.contype = 'c' "
	COMMENT("pg_type", "t.oid")
	"WHERE t.typtype = 'd' AND" SCOPE("n") "AND" NOT_EXT("pg_type", "t.oid")
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("t.typname") ", " C_ORDER("k.conname");

static tc_status read_domains(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "domains", SQL_DOMAINS, 2, &r, err);
	if (st != TC_OK)
		return st;
	size_t o = 0;
	for (size_t i = 0; i < r.nrows; i++) {
		if (new_group(&r, i, 2)) {
			o = add(x->m, "domain", sch_qualify(cell(&r, i, 0), cell(&r, i, 1)));
			set(x->m, o, "type", cell(&r, i, 2), 0);
			set_bool(x->m, o, "not_null", cell(&r, i, 3));
			set(x->m, o, "default", cell(&r, i, 4), SCH_DEPARSED);
			if (cell(&r, i, 5) && cell(&r, i, 6)) {
				char *coll = sch_qualify(cell(&r, i, 5), cell(&r, i, 6));
				set(x->m, o, "collation", coll, 0);
				free(coll);
			}
			set(x->m, o, "comment", cell(&r, i, 7), 0);
		}
		if (cell(&r, i, 8)) {
			strbuf key = STRBUF_INIT;
			sb_add(&key, "check.");
			sch_quote_ident(&key, cell(&r, i, 8));
			set(x->m, o, sb_str(&key), cell(&r, i, 9), SCH_DEPARSED);
			sb_free(&key);
		}
	}
	db_rows_free(&r);
	return TC_OK;
}

/* Standalone composite types (relkind 'c'; a table's row type is the
 * table). One row per field. */
static const char SQL_COMPOSITES[] =
	"SELECT n.nspname, t.typname, d.description, a.attname, "
	"  pg_catalog.format_type(a.atttypid, a.atttypmod) "
	"FROM pg_catalog.pg_type t "
	"JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
	"JOIN pg_catalog.pg_class r ON r.oid = t.typrelid AND r.relkind = 'c' "
	"LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 "
	"  AND NOT a.attisdropped " COMMENT("pg_type", "t.oid")
	"WHERE t.typtype = 'c' AND" SCOPE("n") "AND" NOT_EXT("pg_type", "t.oid")
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("t.typname") ", a.attnum";

static tc_status read_composites(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "composite types", SQL_COMPOSITES, 2, &r, err);
	if (st != TC_OK)
		return st;
	strbuf fields = STRBUF_INIT, key = STRBUF_INIT;
	size_t o = 0;
	for (size_t i = 0; i < r.nrows; i++) {
		if (new_group(&r, i, 2)) {
			o = add(x->m, "type", sch_qualify(cell(&r, i, 0), cell(&r, i, 1)));
			set(x->m, o, "comment", cell(&r, i, 2), 0);
			sb_reset(&fields);
		}
		if (cell(&r, i, 3)) {
			sb_reset(&key);
			sb_add(&key, "field.");
			sch_quote_ident(&key, cell(&r, i, 3));
			set(x->m, o, sb_str(&key), cell(&r, i, 4), 0);
			if (fields.len)
				sb_add(&fields, ", ");
			sch_quote_ident(&fields, cell(&r, i, 3));
		}
		if (i + 1 == r.nrows || new_group(&r, i + 1, 2))
			set(x->m, o, "fields", sb_str(&fields), 0);
	}
	sb_free(&fields);
	sb_free(&key);
	db_rows_free(&r);
	return TC_OK;
}

/* ----------------------------------------------------------- sequences */

/* Identity sequences (deptype 'i') go with their column; a serial's
 * sequence (deptype 'a') is a sequence owned by the column. */
static const char SQL_SEQUENCES[] =
	"SELECT n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, "
	"  s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, "
	"  own_n.nspname, own_c.relname, own_a.attname "
	"FROM pg_catalog.pg_class c "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid "
	"LEFT JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass "
	"  AND dep.objid = c.oid AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
	"  AND dep.refobjsubid > 0 AND dep.deptype IN ('a', 'i') "
	"LEFT JOIN pg_catalog.pg_class own_c ON own_c.oid = dep.refobjid "
	"LEFT JOIN pg_catalog.pg_namespace own_n ON own_n.oid = own_c.relnamespace "
	"LEFT JOIN pg_catalog.pg_attribute own_a ON own_a.attrelid = dep.refobjid "
	"  AND own_a.attnum = dep.refobjsubid "
	"WHERE c.relkind = 'S' AND dep.deptype IS DISTINCT FROM 'i' AND" SCOPE("n")
	"AND" NOT_EXT("pg_class", "c.oid")
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("c.relname");

static tc_status read_sequences(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "sequences", SQL_SEQUENCES, 2, &r, err);
	if (st != TC_OK)
		return st;
	static const char *const keys[] = {"type", "start", "increment", "min", "max", "cache"};
	for (size_t i = 0; i < r.nrows; i++) {
		size_t o = add(x->m, "sequence", sch_qualify(cell(&r, i, 0), cell(&r, i, 1)));
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			set(x->m, o, keys[k], cell(&r, i, 2 + k), 0);
		set_bool(x->m, o, "cycle", cell(&r, i, 8));
		if (cell(&r, i, 9) && cell(&r, i, 10) && cell(&r, i, 11)) {
			char *owner = sch_qualify3(cell(&r, i, 9), cell(&r, i, 10), cell(&r, i, 11));
			set(x->m, o, "owned_by", owner, 0);
			free(owner);
		}
	}
	db_rows_free(&r);
	return TC_OK;
}

/* ----------------------------------------------------------- functions */

/* pg_get_functiondef refuses aggregates; the CASE keeps it from seeing
 * them. Functions a type made for itself (deptype 'i': a range type's
 * constructors) go with the type. */
static const char SQL_FUNCTIONS[] =
	"SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid), "
	"  p.prokind, pg_catalog.pg_get_function_result(p.oid), l.lanname, p.provolatile, "
	"  p.prosecdef, p.proisstrict, "
	"  CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END, "
	"  d.description "
	"FROM pg_catalog.pg_proc p "
	"JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
	"JOIN pg_catalog.pg_language l ON l.oid = p.prolang " COMMENT("pg_proc", "p.oid")
	"WHERE" SCOPE("n") "AND" NOT_EXT("pg_proc", "p.oid")
	"AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = "
	"  'pg_catalog.pg_proc'::pg_catalog.regclass AND i.objid = p.oid AND i.deptype = 'i') "
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("p.proname") ", "
	C_ORDER("pg_catalog.pg_get_function_identity_arguments(p.oid)");

static const char *function_kind(const char *k)
{
	if (k && strcmp(k, "p") == 0)
		return "procedure";
	if (k && strcmp(k, "a") == 0)
		return "aggregate";
	return "function"; /* 'f', and 'w' (window functions, written in C) */
}

static const char *volatility(const char *v)
{
	if (v && strcmp(v, "i") == 0)
		return "immutable";
	if (v && strcmp(v, "s") == 0)
		return "stable";
	return "volatile";
}

static char *function_name(const char *nsp, const char *name, const char *args)
{
	char *q = sch_qualify(nsp, name);
	char *full = xasprintf("%s(%s)", q, args ? args : "");
	free(q);
	return full;
}

static tc_status read_functions(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "functions", SQL_FUNCTIONS, 2, &r, err);
	if (st != TC_OK)
		return st;
	for (size_t i = 0; i < r.nrows; i++) {
		size_t o = add(x->m, "function",
			       function_name(cell(&r, i, 0), cell(&r, i, 1), cell(&r, i, 2)));
		set(x->m, o, "kind", function_kind(cell(&r, i, 3)), 0);
		set(x->m, o, "returns", cell(&r, i, 4), 0); /* none for procedures */
		set(x->m, o, "language", cell(&r, i, 5), 0);
		set(x->m, o, "volatility", volatility(cell(&r, i, 6)), 0);
		set_bool(x->m, o, "security_definer", cell(&r, i, 7));
		set_bool(x->m, o, "strict", cell(&r, i, 8));
		set(x->m, o, "definition", cell(&r, i, 9), SCH_DEPARSED);
		set(x->m, o, "comment", cell(&r, i, 10), 0);
	}
	db_rows_free(&r);
	return TC_OK;
}

/* -------------------------------------------------------------- tables */

/* One row per parent (pg_inherits), in inhseqno order; one with NULLs for
 * a table without. */
static const char SQL_TABLES[] =
	"SELECT n.nspname, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, "
	"  c.relforcerowsecurity, "
	"  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, "
	"  c.relispartition, "
	"  CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END, "
	"  c.reltuples::pg_catalog.int8, d.description, pn.nspname, pc.relname "
	"FROM pg_catalog.pg_class c "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"LEFT JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.oid "
	"LEFT JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent "
	"LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace "
	COMMENT("pg_class", "c.oid")
	"WHERE c.relkind IN ('r', 'p') AND" SCOPE("n") "AND" NOT_EXT("pg_class", "c.oid")
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("c.relname") ", i.inhseqno";

static void estimate(sch_model *m, size_t o, const char *reltuples)
{
	if (!reltuples)
		return;
	/* PostgreSQL 14+ keeps -1 until the first VACUUM or ANALYZE. */
	if (reltuples[0] == '-') {
		set(m, o, "rows", "unknown (never analyzed)", SCH_INFO);
		return;
	}
	char *v = xasprintf("~%s (estimate)", reltuples);
	set(m, o, "rows", v, SCH_INFO);
	free(v);
}

static tc_status read_tables(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "tables", SQL_TABLES, 2, &r, err);
	if (st != TC_OK)
		return st;
	strbuf parents = STRBUF_INIT;
	size_t o = 0;
	bool keep = false, partition = false;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *nsp = cell(&r, i, 0), *rel = cell(&r, i, 1);
		if (new_group(&r, i, 2)) {
			keep = table_wanted(x, nsp, rel);
			if (!keep)
				continue;
			o = add(x->m, "table", sch_qualify(nsp, rel));
			const char *kind = cell(&r, i, 2);
			set(x->m, o, "kind", kind && strcmp(kind, "p") == 0 ? "partitioned" : "table",
			    0);
			const char *pers = cell(&r, i, 3);
			set(x->m, o, "persistence",
			    pers && strcmp(pers, "u") == 0 ? "unlogged" : "permanent", 0);
			set_bool(x->m, o, "rls", cell(&r, i, 4));
			set_bool(x->m, o, "rls_forced", cell(&r, i, 5));
			set(x->m, o, "partition_key", cell(&r, i, 6), SCH_DEPARSED);
			partition = is_true(cell(&r, i, 7));
			set(x->m, o, "partition_bound", cell(&r, i, 8), SCH_DEPARSED);
			if (!x->o->row_counts && x->o->estimates)
				estimate(x->m, o, cell(&r, i, 9));
			set(x->m, o, "comment", cell(&r, i, 10), 0);
			sb_reset(&parents);
			if (x->o->row_counts) {
				x->tables = xgrow(x->tables, &x->cap_tables, x->n_tables + 1,
						  sizeof *x->tables);
				x->tables[x->n_tables++] =
					(struct cat_table){o, xstrdup(nsp), xstrdup(rel)};
			}
		}
		if (!keep)
			continue;
		if (cell(&r, i, 11) && cell(&r, i, 12)) {
			if (parents.len)
				sb_add(&parents, ", ");
			char *p = sch_qualify(cell(&r, i, 11), cell(&r, i, 12));
			sb_add(&parents, p);
			free(p);
		}
		if ((i + 1 == r.nrows || new_group(&r, i + 1, 2)) && parents.len)
			set(x->m, o, partition ? "partition_of" : "inherits", sb_str(&parents), 0);
	}
	sb_free(&parents);
	db_rows_free(&r);
	return TC_OK;
}

/* Exact counts, under the session's statement_timeout, in the same
 * snapshot as the rest. A table's count includes its partitions and
 * inheritance children, as SELECT count(*) does. */
static tc_status count_rows(cat *x, tc_error *err)
{
	strbuf sql = STRBUF_INIT;
	for (size_t b = 0; b < x->n_tables; b += COUNT_BATCH) {
		size_t end = b + COUNT_BATCH < x->n_tables ? b + COUNT_BATCH : x->n_tables;
		sb_reset(&sql);
		for (size_t t = b; t < end; t++) {
			char *qn = db_quote_ident(x->c, x->tables[t].nsp);
			char *qr = db_quote_ident(x->c, x->tables[t].rel);
			if (!qn || !qr) {
				free(qn);
				free(qr);
				sb_free(&sql);
				tc_fail(err, TC_ERR_DB, "cannot quote the name of table %s.%s for "
							"counting its rows",
					x->tables[t].nsp, x->tables[t].rel);
				tc_hint(err, "the name is not valid in the client encoding; set "
					     "client_encoding to the server's, or leave out --row-counts");
				return TC_ERR_DB;
			}
			sb_addf(&sql, "%sSELECT %zu, pg_catalog.count(*) FROM %s.%s",
				t > b ? " UNION ALL " : "", t, qn, qr);
			free(qn);
			free(qr);
		}
		/* count(*) locks each table until the transaction ends; a batch in a
		 * rolled-back savepoint lets its locks go (the snapshot stays), so
		 * 10,000 tables do not exhaust the server's lock table. */
		tc_status st = db_exec(x->c, "SAVEPOINT tc_row_counts", 0, NULL, NULL, err);
		db_rows r = DB_ROWS_INIT;
		if (st == TC_OK)
			st = db_query(x->c, sb_str(&sql), 0, NULL, &r, err);
		if (st == TC_OK)
			st = db_exec(x->c, "ROLLBACK TO SAVEPOINT tc_row_counts", 0, NULL, NULL, err);
		if (st != TC_OK) {
			db_rows_free(&r);
			sb_free(&sql);
			tc_error_prefix(err, "counting the rows of %zu tables on %s: ", end - b,
					conn_describe(x->c));
			tc_hint(err, "exact counts need SELECT on every table and time within "
				     "statement_timeout; leave out --row-counts to use estimates");
			return st;
		}
		for (size_t i = 0; i < r.nrows; i++) {
			size_t t = (size_t)strtoull(cell(&r, i, 0), NULL, 10);
			if (t < x->n_tables)
				set(x->m, x->tables[t].obj, "rows", cell(&r, i, 1), SCH_INFO);
		}
		db_rows_free(&r);
	}
	sb_free(&sql);
	return TC_OK;
}

/* Columns of tables (views' columns are their definition's). A generated
 * column's expression is in pg_attrdef too: it is generated, not default.
 * A default cannot name a column, so it is deparsed without the table
 * (relid 0), which spares opening every table; a generated one needs it. */
static const char SQL_COLUMNS[] =
	"SELECT n.nspname, c.relname, a.attname, "
	"  pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
	"  pg_catalog.pg_get_expr(ad.adbin, "
	"    CASE WHEN a.attgenerated <> '' THEN ad.adrelid ELSE 0::pg_catalog.oid END), "
	"  a.attidentity, a.attgenerated, "
	"  cn.nspname, co.collname, d.description "
	"FROM pg_catalog.pg_attribute a "
	"JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
	"LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
	"LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation "
	"  AND a.attcollation <> t.typcollation "
	"LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace "
	"LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid "
	"  AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid = a.attnum "
	"WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND" SCOPE("n")
	"AND" NOT_EXT("pg_class", "c.oid")
	/* Grouped per table in attnum order is all read_columns needs (the model
	 * is sorted afterwards); a collated sort of 50,000 names costs 40 ms. */
	"ORDER BY a.attrelid, a.attnum";

static tc_status read_columns(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "columns", SQL_COLUMNS, 2, &r, err);
	if (st != TC_OK)
		return st;
	bool keep = false;
	size_t pos = 0;
	char num[32];
	for (size_t i = 0; i < r.nrows; i++) {
		const char *nsp = cell(&r, i, 0), *rel = cell(&r, i, 1);
		if (new_group(&r, i, 2)) {
			keep = table_wanted(x, nsp, rel);
			pos = 0;
		}
		/* The position among live columns: a dropped column leaves no gap. */
		pos++;
		if (!keep)
			continue;
		size_t o = add(x->m, "column", sch_qualify3(nsp, rel, cell(&r, i, 2)));
		snprintf(num, sizeof num, "%zu", pos);
		set(x->m, o, "position", num, SCH_INFO);
		set(x->m, o, "type", cell(&r, i, 3), 0);
		set_bool(x->m, o, "not_null", cell(&r, i, 4));
		const char *gen = cell(&r, i, 7);
		if (gen && *gen) /* 's' stored; 'v' virtual (PostgreSQL 18) */
			set(x->m, o, "generated", cell(&r, i, 5), SCH_DEPARSED);
		else
			set(x->m, o, "default", cell(&r, i, 5), SCH_DEPARSED);
		const char *ident = cell(&r, i, 6);
		if (ident && strcmp(ident, "a") == 0)
			set(x->m, o, "identity", "always", 0);
		else if (ident && strcmp(ident, "d") == 0)
			set(x->m, o, "identity", "by default", 0);
		if (cell(&r, i, 8) && cell(&r, i, 9)) {
			char *coll = sch_qualify(cell(&r, i, 8), cell(&r, i, 9));
			set(x->m, o, "collation", coll, 0);
			free(coll);
		}
		set(x->m, o, "comment", cell(&r, i, 10), 0);
	}
	db_rows_free(&r);
	return TC_OK;
}

/* NOT NULL rows (contype 'n', PostgreSQL 18) are the column's not_null;
 * constraint triggers ('t') are triggers. A partition's clones
 * (conparentid) and what a child inherits (not conislocal) come with the
 * parent. */
static const char SQL_CONSTRAINTS[] =
	"SELECT n.nspname, c.relname, k.conname, k.contype, "
	"  pg_catalog.pg_get_constraintdef(k.oid), fn.nspname, fc.relname, d.description "
	"FROM pg_catalog.pg_constraint k "
	"JOIN pg_catalog.pg_class c ON c.oid = k.conrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"LEFT JOIN pg_catalog.pg_class fc ON fc.oid = k.confrelid "
	"LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace "
	COMMENT("pg_constraint", "k.oid")
	"WHERE k.contype IN ('p', 'f', 'u', 'c', 'x') AND c.relkind IN ('r', 'p') "
	"AND k.conparentid = 0 AND k.conislocal AND" SCOPE("n") "AND" NOT_EXT("pg_class", "c.oid")
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("c.relname") ", " C_ORDER("k.conname");

static const char *constraint_type(const char *t)
{
	switch (t ? *t : 0) {
	case 'p': return "primary key";
	case 'f': return "foreign key";
	case 'u': return "unique";
	case 'c': return "check";
	case 'x': return "exclusion";
	default: return "other";
	}
}

static tc_status read_constraints(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "constraints", SQL_CONSTRAINTS, 2, &r, err);
	if (st != TC_OK)
		return st;
	bool keep = false;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *nsp = cell(&r, i, 0), *rel = cell(&r, i, 1);
		if (new_group(&r, i, 2))
			keep = table_wanted(x, nsp, rel);
		if (!keep)
			continue;
		size_t o = add(x->m, "constraint", sch_qualify3(nsp, rel, cell(&r, i, 2)));
		set(x->m, o, "type", constraint_type(cell(&r, i, 3)), 0);
		set(x->m, o, "definition", cell(&r, i, 4), SCH_DEPARSED);
		if (cell(&r, i, 5) && cell(&r, i, 6)) {
			char *ref = sch_qualify(cell(&r, i, 5), cell(&r, i, 6));
			set(x->m, o, "references", ref, 0);
			free(ref);
		}
		set(x->m, o, "comment", cell(&r, i, 7), 0);
	}
	db_rows_free(&r);
	return TC_OK;
}

/* Indexes of tables and materialized views, except those a constraint of
 * the same table owns (a foreign key's conindid is the referenced table's
 * index, so conrelid must match) and a partition's attached copies. */
static const char SQL_INDEXES[] =
	"SELECT n.nspname, ic.relname, tc.relname, tc.relkind, i.indisunique, am.amname, "
	"  pg_catalog.pg_get_indexdef(i.indexrelid), d.description "
	"FROM pg_catalog.pg_index i "
	"JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
	"JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid = tc.relnamespace "
	"JOIN pg_catalog.pg_am am ON am.oid = ic.relam " COMMENT("pg_class", "ic.oid")
	"WHERE tc.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition AND" SCOPE("n")
	"AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid "
	"  AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) "
	"AND" NOT_EXT("pg_class", "tc.oid")
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("tc.relname") ", " C_ORDER("ic.relname");

static bool is_table_kind(const char *relkind)
{
	return relkind && (strcmp(relkind, "r") == 0 || strcmp(relkind, "p") == 0);
}

static tc_status read_indexes(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "indexes", SQL_INDEXES, 2, &r, err);
	if (st != TC_OK)
		return st;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *nsp = cell(&r, i, 0), *rel = cell(&r, i, 2);
		/* A materialized view's indexes go with it: the glob is for tables. */
		if (is_table_kind(cell(&r, i, 3)) && !table_wanted(x, nsp, rel))
			continue;
		size_t o = add(x->m, "index", sch_qualify(nsp, cell(&r, i, 1)));
		char *t = sch_qualify(nsp, rel);
		set(x->m, o, "table", t, 0);
		free(t);
		set_bool(x->m, o, "unique", cell(&r, i, 4));
		set(x->m, o, "method", cell(&r, i, 5), 0);
		set(x->m, o, "definition", cell(&r, i, 6), SCH_DEPARSED);
		set(x->m, o, "comment", cell(&r, i, 7), 0);
	}
	db_rows_free(&r);
	return TC_OK;
}

/* --------------------------------------------------------------- views */

/* pg_get_viewdef(oid) without the pretty flag: what pg_dump uses, and
 * stable within one major version. */
static const char SQL_VIEWS[] =
	"SELECT n.nspname, c.relname, c.relkind, pg_catalog.pg_get_viewdef(c.oid), d.description "
	"FROM pg_catalog.pg_class c "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " COMMENT("pg_class", "c.oid")
	"WHERE c.relkind IN ('v', 'm') AND" SCOPE("n") "AND" NOT_EXT("pg_class", "c.oid")
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("c.relname");

static tc_status read_views(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "views", SQL_VIEWS, 2, &r, err);
	if (st != TC_OK)
		return st;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *k = cell(&r, i, 2);
		size_t o = add(x->m, k && strcmp(k, "m") == 0 ? "materialized-view" : "view",
			       sch_qualify(cell(&r, i, 0), cell(&r, i, 1)));
		set(x->m, o, "definition", cell(&r, i, 3), SCH_DEPARSED);
		set(x->m, o, "comment", cell(&r, i, 4), 0);
	}
	db_rows_free(&r);
	return TC_OK;
}

/* ---------------------------------------------------- triggers, policies */

/* Internal triggers (foreign keys') are the constraint's; tgparentid
 * (PostgreSQL 13+) marks a partition's clone of its parent's trigger. */
#define SQL_TRIGGERS(parent_clause)                                                               \
	"SELECT n.nspname, c.relname, c.relkind, t.tgname, pg_catalog.pg_get_triggerdef(t.oid), " \
	"  t.tgenabled, d.description "                                                           \
	"FROM pg_catalog.pg_trigger t "                                                           \
	"JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "                                        \
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " COMMENT("pg_trigger", "t.oid") \
	"WHERE NOT t.tgisinternal " parent_clause " AND" SCOPE("n")                               \
	"AND" NOT_EXT("pg_class", "c.oid")                                                        \
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("c.relname") ", " C_ORDER("t.tgname")

static const char *trigger_enabled(const char *e)
{
	switch (e ? *e : 0) {
	case 'D': return "disabled";
	case 'R': return "replica";
	case 'A': return "always";
	default: return "origin";
	}
}

static tc_status read_triggers(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "triggers",
			     x->version >= 130000 ? SQL_TRIGGERS("AND t.tgparentid = 0")
						  : SQL_TRIGGERS(""),
			     2, &r, err);
	if (st != TC_OK)
		return st;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *nsp = cell(&r, i, 0), *rel = cell(&r, i, 1);
		if (is_table_kind(cell(&r, i, 2)) && !table_wanted(x, nsp, rel))
			continue;
		size_t o = add(x->m, "trigger", sch_qualify3(nsp, rel, cell(&r, i, 3)));
		set(x->m, o, "definition", cell(&r, i, 4), SCH_DEPARSED);
		set(x->m, o, "enabled", trigger_enabled(cell(&r, i, 5)), 0);
		set(x->m, o, "comment", cell(&r, i, 6), 0);
	}
	db_rows_free(&r);
	return TC_OK;
}

/* One row per role a policy applies to; role 0 is PUBLIC. */
static const char SQL_POLICIES[] =
	"SELECT n.nspname, c.relname, p.polname, p.polcmd, p.polpermissive, "
	"  pg_catalog.pg_get_expr(p.polqual, p.polrelid), "
	"  pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), ro.roleid = 0, au.rolname "
	"FROM pg_catalog.pg_policy p "
	"JOIN pg_catalog.pg_class c ON c.oid = p.polrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"LEFT JOIN LATERAL pg_catalog.unnest(p.polroles) AS ro(roleid) ON true "
	"LEFT JOIN pg_catalog.pg_roles au ON au.oid = ro.roleid "
	"WHERE" SCOPE("n") "AND" NOT_EXT("pg_class", "c.oid")
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("c.relname") ", " C_ORDER("p.polname");

static const char *policy_command(const char *c)
{
	switch (c ? *c : 0) {
	case 'r': return "select";
	case 'a': return "insert";
	case 'w': return "update";
	case 'd': return "delete";
	default: return "all";
	}
}

static tc_status read_policies(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "policies", SQL_POLICIES, 2, &r, err);
	if (st != TC_OK)
		return st;
	wordlist roles = {0};
	bool keep = false;
	size_t o = 0;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *nsp = cell(&r, i, 0), *rel = cell(&r, i, 1);
		if (new_group(&r, i, 3)) {
			keep = table_wanted(x, nsp, rel);
			if (!keep)
				continue;
			o = add(x->m, "policy", sch_qualify3(nsp, rel, cell(&r, i, 2)));
			set(x->m, o, "command", policy_command(cell(&r, i, 3)), 0);
			set_bool(x->m, o, "permissive", cell(&r, i, 4));
			set(x->m, o, "using", cell(&r, i, 5), SCH_DEPARSED);
			set(x->m, o, "with_check", cell(&r, i, 6), SCH_DEPARSED);
			wl_clear(&roles);
		}
		if (!keep)
			continue;
		if (is_true(cell(&r, i, 7)))
			wl_add(&roles, xstrdup("public"));
		else if (cell(&r, i, 8))
			wl_add(&roles, quote1(cell(&r, i, 8)));
		if (i + 1 == r.nrows || new_group(&r, i + 1, 3)) {
			char *v = wl_join_sorted(&roles);
			set(x->m, o, "roles", v, 0);
			free(v);
		}
	}
	wl_free(&roles);
	db_rows_free(&r);
	return TC_OK;
}

/* ---------------------------------------------------------- privileges */

/* Every grantable object's ACL, exploded; a NULL ACL is the default one
 * (acldefault), so a function never granted still shows PUBLIC's EXECUTE.
 * The owner's own privileges are left out: ownership is not compared, and
 * owners differ between environments. One row per (object, grantee,
 * privilege); all rows of one object are adjacent. */
static const char SQL_GRANTS[] =
	"WITH acl AS ("
	" SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END AS on_kind, "
	"   n.nspname AS nsp, c.relname AS rel, NULL::pg_catalog.name AS sub, "
	"   NULL::pg_catalog.text AS args, c.relkind IN ('r', 'p') AS is_table, "
	"   c.relowner AS owner, x.grantee, x.privilege_type, x.is_grantable "
	" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	" CROSS JOIN LATERAL pg_catalog.aclexplode(COALESCE(c.relacl, pg_catalog.acldefault("
	"   CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::\"char\", c.relowner))) x "
	" WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND" SCOPE("n")
	"  AND" NOT_EXT("pg_class", "c.oid")
	"  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = "
	"   'pg_catalog.pg_class'::pg_catalog.regclass AND i.objid = c.oid AND i.deptype = 'i') "
	" UNION ALL "
	" SELECT 'column', n.nspname, c.relname, a.attname, NULL, c.relkind IN ('r', 'p'), "
	"   c.relowner, x.grantee, x.privilege_type, x.is_grantable "
	" FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	" CROSS JOIN LATERAL pg_catalog.aclexplode(a.attacl) x "
	" WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped "
	"  AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND" SCOPE("n")
	"  AND" NOT_EXT("pg_class", "c.oid")
	" UNION ALL "
	" SELECT CASE WHEN p.prokind = 'p' THEN 'procedure' ELSE 'function' END, n.nspname, "
	"   p.proname, NULL, pg_catalog.pg_get_function_identity_arguments(p.oid), false, "
	"   p.proowner, x.grantee, x.privilege_type, x.is_grantable "
	" FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
	" CROSS JOIN LATERAL pg_catalog.aclexplode(COALESCE(p.proacl, "
	"   pg_catalog.acldefault('f', p.proowner))) x "
	" WHERE" SCOPE("n") "AND" NOT_EXT("pg_proc", "p.oid")
	"  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = "
	"   'pg_catalog.pg_proc'::pg_catalog.regclass AND i.objid = p.oid AND i.deptype = 'i') "
	" UNION ALL "
	" SELECT 'schema', n.nspname, NULL, NULL, NULL, false, n.nspowner, x.grantee, "
	"   x.privilege_type, x.is_grantable "
	" FROM pg_catalog.pg_namespace n "
	" CROSS JOIN LATERAL pg_catalog.aclexplode(COALESCE(n.nspacl, "
	"   pg_catalog.acldefault('n', n.nspowner))) x "
	" WHERE" SCOPE("n") "AND" NOT_EXT("pg_namespace", "n.oid")
	" UNION ALL "
	" SELECT CASE WHEN t.typtype = 'd' THEN 'domain' ELSE 'type' END, n.nspname, t.typname, "
	"   NULL, NULL, false, t.typowner, x.grantee, x.privilege_type, x.is_grantable "
	" FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
	" LEFT JOIN pg_catalog.pg_class r ON r.oid = t.typrelid "
	" CROSS JOIN LATERAL pg_catalog.aclexplode(COALESCE(t.typacl, "
	"   pg_catalog.acldefault('T', t.typowner))) x "
	" WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND r.relkind = 'c')) AND" SCOPE("n")
	"  AND" NOT_EXT("pg_type", "t.oid")
	") "
	"SELECT a.on_kind, a.nsp, a.rel, a.sub, a.args, a.is_table, a.grantee = 0, au.rolname, "
	"  a.privilege_type, a.is_grantable "
	"FROM acl a LEFT JOIN pg_catalog.pg_roles au ON au.oid = a.grantee "
	"WHERE a.grantee <> a.owner "
	"ORDER BY " C_ORDER("a.on_kind") ", " C_ORDER("a.nsp") ", " C_ORDER("a.rel") ", "
	C_ORDER("a.sub") ", " C_ORDER("a.args") ", a.grantee = 0 DESC, " C_ORDER("au.rolname");

static char *grant_object(const db_rows *r, size_t i)
{
	const char *kind = cell(r, i, 0), *nsp = cell(r, i, 1), *rel = cell(r, i, 2);
	if (strcmp(kind, "schema") == 0)
		return quote1(nsp);
	if (strcmp(kind, "column") == 0)
		return sch_qualify3(nsp, rel, cell(r, i, 3));
	if (strcmp(kind, "function") == 0 || strcmp(kind, "procedure") == 0)
		return function_name(nsp, rel, cell(r, i, 4));
	return sch_qualify(nsp, rel);
}

static tc_status read_grants(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "privileges", SQL_GRANTS, 2, &r, err);
	if (st != TC_OK)
		return st;
	wordlist privs = {0};
	bool keep = false, have_obj = false;
	size_t o = 0;
	char *grantee = NULL;
	for (size_t i = 0; i < r.nrows; i++) {
		if (new_group(&r, i, 5)) {
			keep = !is_true(cell(&r, i, 5)) ||
			       table_wanted(x, cell(&r, i, 1), cell(&r, i, 2));
			have_obj = false;
		}
		if (!keep)
			continue;
		if (!have_obj) {
			o = add(x->m, "grant", grant_object(&r, i));
			set(x->m, o, "on", cell(&r, i, 0), 0);
			have_obj = true;
		}
		if (!grantee) {
			grantee = is_true(cell(&r, i, 6)) ? xstrdup("public")
							  : quote1(cell(&r, i, 7) ? cell(&r, i, 7) : "");
			wl_clear(&privs);
		}
		const char *p = cell(&r, i, 8);
		wl_add(&privs, is_true(cell(&r, i, 9)) ? xasprintf("%s WITH GRANT OPTION", p)
						       : xstrdup(p));
		/* The grantee's last row: rows are ordered by grantee within an object. */
		bool last = i + 1 == r.nrows || new_group(&r, i + 1, 5) ||
			    strcmp(cell(&r, i + 1, 6), cell(&r, i, 6)) != 0 ||
			    !cell(&r, i + 1, 7) != !cell(&r, i, 7) ||
			    (cell(&r, i, 7) && strcmp(cell(&r, i + 1, 7), cell(&r, i, 7)) != 0);
		if (last) {
			char *v = wl_join_sorted(&privs);
			set(x->m, o, grantee, v, 0);
			free(v);
			free(grantee);
			grantee = NULL;
		}
	}
	wl_free(&privs);
	db_rows_free(&r);
	return TC_OK;
}

/* ---------------------------------------------------- migration history */

/* Known history tables, by name and shape: the columns a table must have
 * to be read as that tool's history (a schema_migrations with dirty is
 * golang-migrate's, without it dbmate's). */
static const char SQL_HISTORY_TABLES[] =
	"SELECT n.nspname, c.relname, "
	"  pg_catalog.array_agg(a.attname::pg_catalog.text ORDER BY a.attnum)::pg_catalog.text, "
	"  pg_catalog.has_table_privilege(c.oid, 'SELECT') "
	"FROM pg_catalog.pg_class c "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
	"  AND NOT a.attisdropped "
	"WHERE c.relkind IN ('r', 'p') AND" SCOPE("n")
	"AND (c.relname LIKE 'tenantctl\\_schema\\_migrations%' OR c.relname IN "
	"  ('schema_migrations', 'flyway_schema_history', '_prisma_migrations', "
	"   'alembic_version')) "
	"GROUP BY n.nspname, c.relname, c.oid "
	"ORDER BY " C_ORDER("n.nspname") ", " C_ORDER("c.relname");

/* The applied rows of each tool's table as (version, name). {T} is the
 * quoted table. DISTINCT ON keeps one row per version whatever the tool
 * allowed (Flyway and Prisma keep reruns). */
static const struct history_shape {
	const char *table;   /* exact name, or a prefix when it ends in '*' */
	const char *columns; /* that must all be there, ",c1,c2," */
	const char *sql;
} history_shapes[] = {
	{"tenantctl_schema_migrations*", ",version,name,state,",
	 "SELECT DISTINCT ON (version) version::pg_catalog.text, "
	 "  NULLIF(name::pg_catalog.text, '') FROM {T} WHERE state = 'applied' "
	 "ORDER BY version"},
	{"schema_migrations", ",version,dirty,",
	 "SELECT DISTINCT ON (version) version::pg_catalog.text, NULL FROM {T} "
	 "WHERE NOT dirty ORDER BY version"},
	{"schema_migrations", ",version,",
	 "SELECT DISTINCT ON (version) version::pg_catalog.text, NULL FROM {T} ORDER BY version"},
	{"flyway_schema_history", ",version,description,success,installed_rank,",
	 "SELECT DISTINCT ON (version) version::pg_catalog.text, description::pg_catalog.text "
	 "FROM {T} WHERE success AND version IS NOT NULL ORDER BY version, installed_rank DESC"},
	{"_prisma_migrations", ",migration_name,finished_at,rolled_back_at,",
	 "SELECT DISTINCT ON (migration_name) migration_name::pg_catalog.text, NULL FROM {T} "
	 "WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name"},
	{"alembic_version", ",version_num,",
	 "SELECT DISTINCT ON (version_num) version_num::pg_catalog.text, NULL FROM {T} "
	 "ORDER BY version_num"},
};

static bool has_columns(const char *have, const char *need)
{
	/* have is a text[] literal of plain names ({version,name,...}). */
	const char *p = need + 1;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = (size_t)(end - p);
		bool found = false;
		for (const char *h = have + 1; *h && !found;) {
			const char *he = h + strcspn(h, ",}");
			found = (size_t)(he - h) == len && strncmp(h, p, len) == 0;
			h = *he ? he + 1 : he;
		}
		if (!found)
			return false;
		p = end + 1;
	}
	return true;
}

static const struct history_shape *history_shape_of(const char *table, const char *columns)
{
	for (size_t k = 0; k < sizeof history_shapes / sizeof history_shapes[0]; k++) {
		const struct history_shape *s = &history_shapes[k];
		size_t len = strlen(s->table);
		bool named = s->table[len - 1] == '*' ? strncmp(table, s->table, len - 1) == 0
						      : strcmp(table, s->table) == 0;
		if (named && has_columns(columns, s->columns))
			return s;
	}
	return NULL;
}

static tc_status read_history_table(cat *x, const struct history_shape *s, const char *nsp,
				    const char *rel, tc_error *err)
{
	char *qn = db_quote_ident(x->c, nsp), *qr = db_quote_ident(x->c, rel);
	if (!qn || !qr) {
		free(qn);
		free(qr);
		tc_fail(err, TC_ERR_DB, "cannot quote the name of history table %s.%s", nsp, rel);
		tc_hint(err, "the name is not valid in the client encoding; set client_encoding "
			     "to the server's");
		return TC_ERR_DB;
	}
	char *table = xasprintf("%s.%s", qn, qr);
	free(qn);
	free(qr);
	strbuf sql = STRBUF_INIT;
	const char *at = strstr(s->sql, "{T}");
	sb_addn(&sql, s->sql, (size_t)(at - s->sql));
	sb_add(&sql, table);
	sb_add(&sql, at + 3);
	free(table);
	db_rows r;
	tc_status st = db_query(x->c, sb_str(&sql), 0, NULL, &r, err);
	sb_free(&sql);
	if (st != TC_OK) {
		tc_error_prefix(err, "reading the migration history in %s.%s on %s: ", nsp, rel,
				conn_describe(x->c));
		tc_hint(err, "the role needs SELECT on the history table to report applied "
			     "migrations");
		return st;
	}
	for (size_t i = 0; i < r.nrows; i++) {
		if (!cell(&r, i, 0))
			continue;
		size_t o = add(x->m, "migration", sch_qualify3(nsp, rel, cell(&r, i, 0)));
		set(x->m, o, "name", cell(&r, i, 1), 0);
	}
	db_rows_free(&r);
	return TC_OK;
}

static tc_status read_history(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "migration history tables", SQL_HISTORY_TABLES, 2, &r, err);
	if (st != TC_OK)
		return st;
	for (size_t i = 0; i < r.nrows && st == TC_OK; i++) {
		const struct history_shape *s =
			history_shape_of(cell(&r, i, 1), cell(&r, i, 2));
		if (!s)
			continue;
		if (is_true(cell(&r, i, 3))) {
			st = read_history_table(x, s, cell(&r, i, 0), cell(&r, i, 1), err);
			continue;
		}
		/* The schema is readable without it: say what is missing. */
		char *t = sch_qualify(cell(&r, i, 0), cell(&r, i, 1));
		char *note = xasprintf("migration history in %s: not read (the role may not "
				       "SELECT from it)",
				       t);
		sch_note_not_read(x->m, note);
		free(note);
		free(t);
	}
	db_rows_free(&r);
	return st;
}

/* --------------------------------------------------- what was not read */

/* Objects in scope the model has no kind for, so drift can say it did not
 * look at them instead of staying silent. */
static const char SQL_UNMODELLED[] =
	"SELECT what, n FROM ("
	" SELECT 1 AS ord, 'foreign tables' AS what, pg_catalog.count(*) AS n "
	" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	" WHERE c.relkind = 'f' AND" SCOPE("n") "AND" NOT_EXT("pg_class", "c.oid")
	" UNION ALL SELECT 2, 'range and base types', pg_catalog.count(*) "
	" FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
	" WHERE (t.typtype = 'r' OR (t.typtype = 'b' AND t.typcategory <> 'A')) AND" SCOPE("n")
	"  AND" NOT_EXT("pg_type", "t.oid")
	" UNION ALL SELECT 3, 'aggregate definitions', pg_catalog.count(*) "
	" FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
	" WHERE p.prokind = 'a' AND" SCOPE("n") "AND" NOT_EXT("pg_proc", "p.oid")
	" UNION ALL SELECT 4, 'rules', pg_catalog.count(*) "
	" FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class "
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	" WHERE w.rulename <> '_RETURN' AND" SCOPE("n") "AND" NOT_EXT("pg_class", "c.oid")
	" UNION ALL SELECT 5, 'extended statistics', pg_catalog.count(*) "
	" FROM pg_catalog.pg_statistic_ext s "
	" JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace "
	" WHERE" SCOPE("n") "AND" NOT_EXT("pg_statistic_ext", "s.oid")
	" UNION ALL SELECT 6, 'collations', pg_catalog.count(*) "
	" FROM pg_catalog.pg_collation o JOIN pg_catalog.pg_namespace n ON n.oid = o.collnamespace "
	" WHERE" SCOPE("n") "AND" NOT_EXT("pg_collation", "o.oid")
	" UNION ALL SELECT 7, 'operators', pg_catalog.count(*) "
	" FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace "
	" WHERE" SCOPE("n") "AND" NOT_EXT("pg_operator", "o.oid")
	" UNION ALL SELECT 8, 'event triggers', pg_catalog.count(*) "
	" FROM pg_catalog.pg_event_trigger e WHERE" NOT_EXT("pg_event_trigger", "e.oid")
	") u WHERE n > 0 ORDER BY ord";

static tc_status note_unmodelled(cat *x, tc_error *err)
{
	db_rows r;
	tc_status st = query(x, "objects outside the model", SQL_UNMODELLED, 2, &r, err);
	if (st != TC_OK)
		return st;
	for (size_t i = 0; i < r.nrows; i++) {
		char *s = xasprintf("%s (%s): not read (tenantctl's schema model has no kind for "
				    "them)",
				    cell(&r, i, 0), cell(&r, i, 1));
		sch_note_not_read(x->m, s);
		free(s);
	}
	db_rows_free(&r);
	return TC_OK;
}

static void join_list(strbuf *sb, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_add(sb, ", ");
		sb_add(sb, v[i]);
	}
}

static void note_filters(cat *x)
{
	const catalog_opts *o = x->o;
	if (!o->privileges)
		sch_note_not_read(x->m, "privileges: not read (--privileges to compare them)");
	strbuf sb = STRBUF_INIT;
	if (o->n_schemas) {
		sb_add(&sb, "schemas other than ");
		join_list(&sb, o->schemas, o->n_schemas);
		sb_add(&sb, ": not read");
		sch_note_not_read(x->m, sb_str(&sb));
		sb_reset(&sb);
	}
	if (o->n_exclude) {
		sb_add(&sb, "schemas ");
		join_list(&sb, o->exclude_schemas, o->n_exclude);
		sb_add(&sb, ": not read (excluded)");
		sch_note_not_read(x->m, sb_str(&sb));
		sb_reset(&sb);
	}
	if (o->table_glob && *o->table_glob) {
		sb_addf(&sb, "tables not matching %s (and their columns, constraints, indexes, "
			     "triggers, policies and grants): not read",
			o->table_glob);
		sch_note_not_read(x->m, sb_str(&sb));
	}
	sb_free(&sb);
}

/* ------------------------------------------------------------ the read */

typedef tc_status (*reader)(cat *x, tc_error *err);

static tc_status read_all(cat *x, tc_error *err)
{
	static const reader readers[] = {
		read_schemas, read_extensions, read_enums, read_domains, read_composites,
		read_sequences, read_functions, read_tables, read_columns, read_constraints,
		read_indexes, read_views, read_triggers, read_policies, read_history,
		note_unmodelled,
	};
	for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
		tc_status st = readers[i](x, err);
		if (st != TC_OK)
			return st;
	}
	if (x->o->privileges) {
		tc_status st = read_grants(x, err);
		if (st != TC_OK)
			return st;
	}
	if (x->o->row_counts)
		return count_rows(x, err);
	return TC_OK;
}

/* Settings for this transaction only (set_config(..., true) is SET LOCAL;
 * one statement, one round trip). search_path '' makes every name the
 * server prints schema-qualified; the next ones fix how deparsed text
 * (identifiers, partition bounds, defaults, checks) is spelled, so sessions
 * with different settings read the same text; work_mem keeps the sorts of
 * a 10,000-table catalog in memory. */
static const char SQL_SETTINGS[] =
	"SELECT pg_catalog.set_config(name, setting, true) FROM (VALUES "
	"('search_path', ''), ('TimeZone', 'UTC'), ('DateStyle', 'ISO, YMD'), "
	"('IntervalStyle', 'postgres'), ('extra_float_digits', '1'), ('bytea_output', 'hex'), "
	"('standard_conforming_strings', 'on'), ('quote_all_identifiers', 'off'), "
	"('work_mem', '32MB')) AS s(name, setting)";

tc_status catalog_read(tc_conn *c, const catalog_opts *o, sch_model *out, tc_error *err)
{
	static const catalog_opts none = {0};
	if (!o)
		o = &none;
	/* The db layer writes into err; callers may not care for it. */
	tc_error ignored = TC_ERROR_INIT;
	if (!err)
		err = &ignored;
	sch_init(out);
	out->source = xstrdup(conn_describe(c));
	cat x = {.c = c, .o = o, .m = out, .version = conn_server_version(c)};
	out->server_major = x.version / 10000;
	/* attgenerated (12), and the rest of what is read, came by then. */
	if (x.version < 120000) {
		tc_fail(err, TC_ERR_DB, "cannot read the schema of %s: it runs PostgreSQL %d.%d, "
					"tenantctl reads PostgreSQL 12 and later",
			conn_describe(c), x.version / 10000,
			x.version >= 100000 ? x.version % 100 : x.version / 100 % 100);
		tc_hint(err, "compare against a snapshot taken elsewhere, or upgrade the server");
		sch_free(out);
		tc_error_clear(&ignored);
		return TC_ERR_DB;
	}
	x.include = o->n_schemas
			    ? db_text_array((const char *const *)o->schemas, o->n_schemas)
			    : NULL;
	x.exclude = db_text_array((const char *const *)o->exclude_schemas, o->n_exclude);
	x.params[0] = x.include;
	x.params[1] = x.exclude;
	note_filters(&x);

	/* Inside a caller's transaction, a savepoint takes the place of our own
	 * transaction: rolling back to it undoes the settings below, which the
	 * caller's next statements must not inherit (search_path above all). */
	const char *begin = o->in_transaction ? "SAVEPOINT tc_catalog_read"
					      : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
	const char *commit = o->in_transaction ? "ROLLBACK TO SAVEPOINT tc_catalog_read" : "COMMIT";
	const char *abort_ = o->in_transaction ? "ROLLBACK TO SAVEPOINT tc_catalog_read" : "ROLLBACK";
	tc_status st = db_exec(c, begin, 0, NULL, NULL, err);
	if (st != TC_OK) {
		tc_error_prefix(err, "starting the catalog read on %s: ", conn_describe(c));
	} else {
		st = db_exec(c, SQL_SETTINGS, 0, NULL, NULL, err);
		if (st != TC_OK)
			tc_error_prefix(err, "preparing the catalog read on %s: ",
					conn_describe(c));
		if (st == TC_OK)
			st = read_all(&x, err);
		if (st == TC_OK) {
			st = db_exec(c, commit, 0, NULL, NULL, err);
		} else {
			/* The error to report is the first one, not ROLLBACK's. */
			tc_error rb = TC_ERROR_INIT;
			db_exec(c, abort_, 0, NULL, NULL, &rb);
			tc_error_clear(&rb);
		}
		if (o->in_transaction)
			db_exec(c, "RELEASE SAVEPOINT tc_catalog_read", 0, NULL, NULL, NULL);
	}
	if (st == TC_OK) {
		st = sch_sort(out, err);
		if (st != TC_OK) {
			tc_error_prefix(err, "internal: the catalog of %s read into a model with a "
					     "duplicate: ",
					conn_describe(c));
			tc_hint(err, "this is a bug in tenantctl; please report it with the "
				     "object named");
		}
	}
	for (size_t i = 0; i < x.n_tables; i++) {
		free(x.tables[i].nsp);
		free(x.tables[i].rel);
	}
	free(x.tables);
	free(x.include);
	free(x.exclude);
	if (st != TC_OK)
		sch_free(out);
	tc_error_clear(&ignored);
	return st;
}
