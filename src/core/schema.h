/* schema: the in-memory schema model that drift, snapshots and reconcile
 * SQL all work on.
 *
 * A model is a flat set of objects, each a (kind, name) pair with named
 * attributes. Names are fully qualified and written with identifiers in
 * double quotes unless they are plain lower-case words:
 *
 *   schema    public
 *   table     public.users
 *   column    public.users.email            (table.column)
 *   constraint public.users.users_pkey      (table.constraint)
 *   index     public.users_email_key        (schema.index)
 *   trigger   public.users.audit            (table.trigger)
 *   policy    public.users.own_rows         (table.policy)
 *   function  public.touch(integer, text)   (identity arguments)
 *   migration public.tenantctl_schema_migrations."20260101000001"
 *
 * Attribute values are text. Those produced by the server's deparser
 * (view and function bodies, defaults, checks, index definitions) are
 * flagged SCH_DEPARSED: compared only between servers of one major version.
 * SCH_INFO attributes (column position, row counts) are shown, never drift. */
/* Kinds and their attributes (~ deparsed, := information only). Booleans
 * are "true"/"false". Lists are ", "-separated. Extension members, system
 * schemas and objects that back others (a constraint's index, an identity's
 * sequence, a table's row type) are left out.
 *
 *   schema S                comment
 *   extension E             version, schema
 *   enum S.N                labels ('a', 'b' as SQL literals, in enumsortorder), comment
 *   domain S.N              type, not_null, default~, collation, check.<con>~, comment
 *   type S.N  (composite)   fields (names in order), field.<name> (its type), comment
 *   sequence S.N            type, start, increment, min, max, cache, cycle, owned_by (S.T.C)
 *   function S.N(args)      kind (function|procedure|aggregate), returns, language,
 *                           volatility (immutable|stable|volatile), security_definer,
 *                           strict, definition~ (pg_get_functiondef), comment
 *   table S.N               kind (table|partitioned), persistence (permanent|unlogged),
 *                           partition_key~, partition_of (S.P), partition_bound~,
 *                           inherits (S.P, ...), rls, rls_forced, comment, rows:=
 *   column S.T.C            position:=, type (format_type), not_null, default~,
 *                           identity (always|by default), generated~ (stored expression),
 *                           collation (when not the type's default), comment
 *   constraint S.T.C        type (primary key|foreign key|unique|check|exclusion),
 *                           definition~ (pg_get_constraintdef), references (S.T, foreign
 *                           keys), comment
 *   index S.I               table (S.T), unique, method, definition~ (pg_get_indexdef), comment
 *   view S.N                definition~ (pg_get_viewdef), comment
 *   materialized-view S.N   definition~, comment
 *   trigger S.T.N           definition~ (pg_get_triggerdef), enabled (origin|disabled|
 *                           replica|always), comment
 *   policy S.T.N            command (all|select|insert|update|delete), permissive, roles,
 *                           using~, with_check~
 *   grant OBJECT            on (table|sequence|function|schema|...), <grantee> (one attribute
 *                           per role, "public" for PUBLIC: privileges, sorted, ", ")
 *   migration S.T."V"       name (a row of a known migration history table)
 */
#ifndef TC_SCHEMA_H
#define TC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum sch_attr_flags {
	SCH_DEPARSED = 1u << 0,
	SCH_INFO = 1u << 1,
};

typedef struct sch_attr {
	char *key;   /* owned; a word, or word.quoted-ident ("check.positive") */
	char *value; /* owned */
	unsigned flags;
} sch_attr;

typedef struct sch_obj {
	char *kind; /* owned; see the kinds below */
	char *name; /* owned; qualified, as above */
	sch_attr *attrs; /* sorted by key once the model is sorted */
	size_t n, cap;
} sch_obj;

typedef struct sch_model {
	int format_version;  /* of the snapshot it came from; SCH_FORMAT_VERSION when read live */
	int server_major;    /* 15, 16, ... */
	char *source;        /* owned; where it came from (masked DSN or file), for reports */
	sch_obj *objs;       /* sorted by (kind, name) once sorted */
	size_t n, cap;
	bool sorted;
	/* What the model does not hold, and why: reported by drift so it never
	 * says "no drift" about a kind it did not look at. */
	char **not_read;     /* owned strings like "privileges (off; --privileges)" */
	size_t n_not_read, cap_not_read;
} sch_model;

#define SCH_FORMAT_VERSION 1

/* The kinds, in the order reconcile SQL creates them. */
extern const char *const sch_kinds[];
extern const size_t sch_n_kinds;
/* The drift category of a kind (tables, columns, ..., privileges, history). */
const char *sch_category(const char *kind, const char *attr);

void sch_init(sch_model *m);
void sch_free(sch_model *m);
/* Add an object (the model copies both strings); returns it for sch_set.
 * The pointer is valid until the next sch_add. */
sch_obj *sch_add(sch_model *m, const char *kind, const char *name);
/* Set an attribute (copies); replaces an existing key. */
void sch_set(sch_obj *o, const char *key, const char *value, unsigned flags);
void sch_note_not_read(sch_model *m, const char *what);
/* Sort objects and attributes (C collation); needed before find and dump.
 * Returns TC_ERR_USAGE naming the first duplicate (kind, name). */
tc_status sch_sort(sch_model *m, tc_error *err);
const sch_obj *sch_find(const sch_model *m, const char *kind, const char *name);
const sch_attr *sch_attr_find(const sch_obj *o, const char *key);
const char *sch_get(const sch_obj *o, const char *key);

/* Identifier quoting for names: plain lower-case words stay bare, anything
 * else goes in double quotes with quotes doubled. Appends to sb. */
struct strbuf;
void sch_quote_ident(struct strbuf *sb, const char *ident);
/* "schema.name" with each part quoted as needed. Caller frees. */
char *sch_qualify(const char *schema, const char *name);
char *sch_qualify3(const char *schema, const char *rel, const char *name);
/* Split a qualified name into its unquoted parts; a trailing "(args)" (a
 * function's) is returned in *args (NULL if none). Caller frees all with
 * sch_parts_free. TC_ERR_USAGE when malformed. */
tc_status sch_split_name(const char *name, char ***parts, size_t *n, char **args, tc_error *err);
void sch_parts_free(char **parts, size_t n, char *args);

#endif
