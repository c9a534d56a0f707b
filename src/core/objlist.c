#include "config.h"

#include "objlist.h"

#include <stdbool.h>
#include <string.h>

#include "strbuf.h"

/* One query over pg_catalog; system schemas and extension members left out.
 * The signature is what makes "changed" (a column's type and nullability, a
 * constraint's or index's definition, a function's body). */
static const char objlist_sql[] =
	"WITH ns AS (SELECT oid, nspname FROM pg_catalog.pg_namespace"
	"  WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'),"
	" ext AS (SELECT objid FROM pg_catalog.pg_depend WHERE deptype = 'e')"
	" SELECT kind, name, sig FROM ("
	"  SELECT 'schema' AS kind, nspname::text AS name, '' AS sig FROM ns"
	"  UNION ALL"
	"  SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'"
	"   WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'"
	"   WHEN 'f' THEN 'foreign table' ELSE 'index' END,"
	"   ns.nspname || '.' || c.relname,"
	"   CASE WHEN c.relkind IN ('i','I') THEN pg_catalog.pg_get_indexdef(c.oid)"
	"    WHEN c.relkind IN ('v','m') THEN pg_catalog.pg_get_viewdef(c.oid) ELSE '' END"
	"  FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace"
	"  WHERE c.relkind IN ('r','p','v','m','S','f','i','I') AND c.oid NOT IN (SELECT objid FROM ext)"
	"  UNION ALL"
	"  SELECT 'column', ns.nspname || '.' || c.relname || '.' || a.attname,"
	"   pg_catalog.format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END"
	"   || coalesce(' default ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')"
	"  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	"  JOIN ns ON ns.oid = c.relnamespace"
	"  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
	"  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p','v','m','f')"
	"   AND c.oid NOT IN (SELECT objid FROM ext)"
	"  UNION ALL"
	"  SELECT 'constraint', ns.nspname || '.' || c.relname || '.' || k.conname,"
	"   pg_catalog.pg_get_constraintdef(k.oid)"
	"  FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
	"  JOIN ns ON ns.oid = c.relnamespace"
	"  UNION ALL"
	"  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,"
	"   ns.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',"
	"   md5(p.prosrc)"
	"  FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace"
	"  WHERE p.oid NOT IN (SELECT objid FROM ext)"
	"  UNION ALL"
	"  SELECT 'trigger', ns.nspname || '.' || c.relname || '.' || t.tgname,"
	"   pg_catalog.pg_get_triggerdef(t.oid)"
	"  FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
	"  JOIN ns ON ns.oid = c.relnamespace WHERE NOT t.tgisinternal"
	"  UNION ALL"
	"  SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' ELSE 'type' END,"
	"   ns.nspname || '.' || t.typname,"
	"   CASE WHEN t.typtype = 'e' THEN (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)"
	"    FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)"
	"    WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) ELSE '' END"
	"  FROM pg_catalog.pg_type t JOIN ns ON ns.oid = t.typnamespace"
	"  WHERE t.typtype IN ('e','d') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_catalog.pg_class"
	"   WHERE oid = t.typrelid) = 'c')"
	"  UNION ALL"
	"  SELECT 'policy', ns.nspname || '.' || c.relname || '.' || pol.polname,"
	"   coalesce(pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), '') || '|' ||"
	"   coalesce(pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), '')"
	"  FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid"
	"  JOIN ns ON ns.oid = c.relnamespace"
	" ) o ORDER BY kind COLLATE \"C\", name COLLATE \"C\"";

tc_status objlist_read(tc_conn *c, db_rows *out, tc_error *err)
{
	return db_query(c, objlist_sql, 0, NULL, out, err);
}

/* The same order as the query's: C collation is byte order. */
static int key_cmp(const db_rows *a, size_t i, const db_rows *b, size_t j)
{
	int k = strcmp(db_get(a, i, 0), db_get(b, j, 0));
	return k ? k : strcmp(db_get(a, i, 1), db_get(b, j, 1));
}

void objlist_diff(const db_rows *before, const db_rows *after, objlist_diff_fn fn, void *ctx)
{
	size_t i = 0, j = 0;
	while (i < before->nrows || j < after->nrows) {
		int k = i >= before->nrows ? 1 : j >= after->nrows ? -1 : key_cmp(before, i, after, j);
		if (k < 0) {
			fn(ctx, "dropped", db_get(before, i, 0), db_get(before, i, 1), db_get(before, i, 2));
			i++;
		} else if (k > 0) {
			fn(ctx, "added", db_get(after, j, 0), db_get(after, j, 1), db_get(after, j, 2));
			j++;
		} else {
			const char *s0 = db_get(before, i, 2), *s1 = db_get(after, j, 2);
			s0 = s0 ? s0 : "";
			s1 = s1 ? s1 : "";
			if (strcmp(s0, s1)) {
				strbuf d = STRBUF_INIT;
				sb_addf(&d, "%s -> %s", s0, s1);
				fn(ctx, "changed", db_get(after, j, 0), db_get(after, j, 1), sb_str(&d));
				sb_free(&d);
			}
			i++;
			j++;
		}
	}
}
