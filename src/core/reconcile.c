/* reconcile: SQL that turns the live schema into the reference.
 *
 * The drift report says what differs; the two models say everything else
 * (a missing table's columns, the columns that use an enum being rebuilt).
 * Statements are collected into phases, one buffer each, and the phases are
 * written in dependency order: what has to go first (views and triggers
 * that depend on what changes), then schemas, extensions, types, sequences,
 * functions, tables, columns, constraints, indexes, views, triggers,
 * policies, comments, grants, and last the drops of extra objects. Every
 * identifier written here is in double quotes, whatever it looks like;
 * definitions the server deparsed (functions, views, indexes, triggers,
 * constraints, defaults) go out as the server wrote them, quoted by its
 * own rules. Dependencies the model does not record (which view uses which
 * table or function) are found by name in the definitions: a false match
 * only costs a view dropped and created again. */
#include "config.h"

#include "reconcile.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "xalloc.h"

enum phase {
	P_PRE, /* ALTER TYPE ... ADD VALUE, before the transaction */
	P_DROP_VIEWS,
	P_DROP_TRIGGERS,
	P_DROP_POLICIES,
	P_DROP_FKS,
	P_DROP_CONSTRAINTS,
	P_DROP_INDEXES,
	P_DROP_FUNCTIONS,
	P_DROP_COLUMNS,
	P_SCHEMAS,
	P_EXTENSIONS,
	P_ENUMS,
	P_DOMAINS,
	P_TYPES,
	P_SEQUENCES,
	P_FUNCTIONS,
	P_TABLES,
	P_COLUMNS,
	P_RETYPE,
	P_DROP_OLD_TYPES,
	P_LATE_FUNCTIONS,
	P_SEQ_OWNED,
	P_CONSTRAINTS,
	P_INDEXES,
	P_FKS,
	P_VIEWS,
	P_VIEW_INDEXES,
	P_TRIGGERS,
	P_RLS,
	P_POLICIES,
	P_COMMENTS,
	P_GRANTS,
	P_END_TABLES,
	P_END_SEQUENCES,
	P_END_TYPES,
	P_END_DOMAINS,
	P_END_ENUMS,
	P_END_EXTENSIONS,
	P_END_SCHEMAS,
	N_PHASES
};

static const char *const phase_titles[N_PHASES] = {
	[P_PRE] = "enum values",
	[P_DROP_VIEWS] = "views and materialized views that depend on what changes",
	[P_DROP_TRIGGERS] = "triggers to drop or re-create",
	[P_DROP_POLICIES] = "policies to drop or re-create",
	[P_DROP_FKS] = "foreign keys to drop or re-create",
	[P_DROP_CONSTRAINTS] = "constraints to drop or re-create",
	[P_DROP_INDEXES] = "indexes to drop or re-create",
	[P_DROP_FUNCTIONS] = "functions to drop or re-create",
	[P_DROP_COLUMNS] = "columns to drop",
	[P_SCHEMAS] = "schemas",
	[P_EXTENSIONS] = "extensions",
	[P_ENUMS] = "enums",
	[P_DOMAINS] = "domains",
	[P_TYPES] = "composite types",
	[P_SEQUENCES] = "sequences",
	[P_FUNCTIONS] = "functions",
	[P_TABLES] = "tables",
	[P_COLUMNS] = "columns",
	[P_RETYPE] = "columns of rebuilt types",
	[P_DROP_OLD_TYPES] = "the old versions of rebuilt types",
	[P_LATE_FUNCTIONS] = "functions that use new tables",
	[P_SEQ_OWNED] = "sequence owners",
	[P_CONSTRAINTS] = "constraints",
	[P_INDEXES] = "indexes",
	[P_FKS] = "foreign keys",
	[P_VIEWS] = "views and materialized views",
	[P_VIEW_INDEXES] = "indexes of materialized views",
	[P_TRIGGERS] = "triggers",
	[P_RLS] = "row-level security",
	[P_POLICIES] = "policies",
	[P_COMMENTS] = "comments",
	[P_GRANTS] = "privileges",
	[P_END_TABLES] = "extra tables",
	[P_END_SEQUENCES] = "extra sequences",
	[P_END_TYPES] = "extra composite types",
	[P_END_DOMAINS] = "extra domains",
	[P_END_ENUMS] = "extra enums",
	[P_END_EXTENSIONS] = "extra extensions",
	[P_END_SCHEMAS] = "extra schemas",
};

/* ------------------------------------------------------------ string set */

typedef struct strset {
	char **slot;
	size_t cap, n;
} strset;

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static bool set_has(const strset *s, const char *k)
{
	if (!s->cap)
		return false;
	for (size_t i = hash_str(k) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->slot[i])
			return false;
		if (strcmp(s->slot[i], k) == 0)
			return true;
	}
}

/* True when k was not there yet. */
static bool set_add(strset *s, const char *k)
{
	if (set_has(s, k))
		return false;
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		char **nslot = xcalloc(ncap, sizeof *nslot);
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->slot[i])
				continue;
			size_t j = hash_str(s->slot[i]) & (ncap - 1);
			while (nslot[j])
				j = (j + 1) & (ncap - 1);
			nslot[j] = s->slot[i];
		}
		free(s->slot);
		s->slot = nslot;
		s->cap = ncap;
	}
	size_t i = hash_str(k) & (s->cap - 1);
	while (s->slot[i])
		i = (i + 1) & (s->cap - 1);
	s->slot[i] = xstrdup(k);
	s->n++;
	return true;
}

static void set_free(strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------ the state */

/* The parts (columns, constraints, indexes, triggers, policies) of every
 * table or view of one model, sorted by parent. */
typedef struct part_ref {
	const char *parent; /* pooled */
	const sch_obj *o;
} part_ref;

typedef struct part_index {
	part_ref *v;
	size_t n, cap;
	bool built;
} part_index;

typedef struct objlist {
	const sch_obj **v;
	size_t n, cap;
} objlist;

typedef struct rc {
	const drift_report *r;
	const sch_model *live, *ref;
	const reconcile_opts *o;
	tc_error *err;
	tc_status st;
	strbuf ph[N_PHASES];
	strbuf notes;
	strbuf skipped_ph[N_PHASES]; /* destructive statements left out, by phase */
	size_t skipped;
	char **pool;
	size_t npool, cappool;
	strset done;         /* "kind\037name": its final state is taken care of */
	strset touched;      /* bare names of relations, types and functions that
			    change in a way views depending on them do not survive */
	strset retyped;      /* columns moved to a rebuilt type */
	strset rebuilt;      /* tables dropped and created again */
	strset blocked;      /* tables whose re-creation was left out (no --unsafe) */
	strset newrel;       /* bare names of tables and views being created */
	strset view_changed; /* "kind\037name" of views whose definition is to change */
	strset view_extra;   /* "kind\037name" of views only live has */
	part_index live_parts, ref_parts;
	objlist new_tables, gone_tables, new_views;
	bool privs; /* privileges were read on both sides */
	unsigned rebuild_no;
} rc;

static const char *keep(rc *c, char *s)
{
	c->pool = xgrow(c->pool, &c->cappool, c->npool + 1, sizeof *c->pool);
	c->pool[c->npool++] = s;
	return s;
}

static const char *fmt(rc *c, const char *f, ...) __attribute__((format(printf, 2, 3)));
static const char *fmt(rc *c, const char *f, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, f);
	sb_vaddf(&sb, f, ap);
	va_end(ap);
	return keep(c, sb_steal(&sb));
}

static const char *key2(rc *c, const char *kind, const char *name)
{
	return fmt(c, "%s\037%s", kind, name);
}

static bool is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || is(a, b);
}

static bool is_true(const char *v)
{
	return is(v, "true");
}

/* ------------------------------------------------------------ quoting */

static void add_qident(strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_addc(sb, '"');
		sb_addc(sb, *s);
	}
	sb_addc(sb, '"');
}

static const char *qi(rc *c, const char *ident)
{
	strbuf sb = STRBUF_INIT;
	add_qident(&sb, ident);
	return keep(c, sb_steal(&sb));
}

/* A string literal. Plain '' quoting is right whenever
 * standard_conforming_strings is on; a value with a backslash goes in E''
 * so it also reads right when it is off. */
static const char *lit(rc *c, const char *s)
{
	if (!s)
		return "NULL";
	bool bs = strchr(s, '\\') != NULL;
	strbuf sb = STRBUF_INIT;
	if (bs)
		sb_addc(&sb, 'E');
	sb_addc(&sb, '\'');
	for (; *s; s++) {
		if (*s == '\'' || (bs && *s == '\\'))
			sb_addc(&sb, *s);
		sb_addc(&sb, *s);
	}
	sb_addc(&sb, '\'');
	return keep(c, sb_steal(&sb));
}

typedef struct qname {
	char **p;
	size_t n;
	char *args;
} qname;

static bool split(rc *c, const char *name, qname *q)
{
	tc_error e = TC_ERROR_INIT;
	if (sch_split_name(name, &q->p, &q->n, &q->args, &e) != TC_OK) {
		if (c->st == TC_OK)
			c->st = tc_fail(c->err, TC_ERR_USAGE, "cannot write SQL for '%s': %s", name,
					e.message ? e.message : "malformed name");
		tc_error_clear(&e);
		q->p = NULL;
		q->n = 0;
		q->args = NULL;
		return false;
	}
	return true;
}

static void qname_free(qname *q)
{
	sch_parts_free(q->p, q->n, q->args);
}

/* The parts [from, to) quoted and joined with dots. */
static const char *join_parts(rc *c, const qname *q, size_t from, size_t to)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = from; i < to && i < q->n; i++) {
		if (i > from)
			sb_addc(&sb, '.');
		add_qident(&sb, q->p[i]);
	}
	return keep(c, sb_steal(&sb));
}

/* A model name, every part quoted, with a function's argument list. */
static const char *qn(rc *c, const char *name)
{
	qname q;
	if (!split(c, name, &q))
		return name;
	const char *s = join_parts(c, &q, 0, q.n);
	if (q.args)
		s = fmt(c, "%s(%s)", s, q.args);
	qname_free(&q);
	return s;
}

/* The relation a part (S.T.X) belongs to, quoted: "S"."T". */
static const char *qrel(rc *c, const char *name)
{
	qname q;
	if (!split(c, name, &q))
		return name;
	const char *s = join_parts(c, &q, 0, q.n ? q.n - 1 : 0);
	qname_free(&q);
	return s;
}

/* The last part of a name, unquoted. */
static const char *leaf(rc *c, const char *name)
{
	qname q;
	if (!split(c, name, &q) || !q.n)
		return name;
	const char *s = keep(c, xstrdup(q.p[q.n - 1]));
	qname_free(&q);
	return s;
}

static const char *qleaf(rc *c, const char *name)
{
	return qi(c, leaf(c, name));
}

/* One identifier as sch_quote_ident writes it, unquoted. */
static const char *unquote1(rc *c, const char *s)
{
	qname q;
	if (!split(c, s, &q) || q.n != 1) {
		if (q.n)
			qname_free(&q);
		return s;
	}
	const char *r = keep(c, xstrdup(q.p[0]));
	qname_free(&q);
	return r;
}

/* The model name of a part's parent relation (S.T of S.T.X). */
static const char *parent_name(rc *c, const char *name)
{
	qname q;
	if (!split(c, name, &q) || q.n < 2) {
		if (q.n)
			qname_free(&q);
		return name;
	}
	const char *s = keep(c, sch_qualify(q.p[0], q.p[1]));
	qname_free(&q);
	return s;
}

/* A model name of a table part from its parent's model name and a raw leaf. */
static const char *child_name(rc *c, const char *parent, const char *leafraw)
{
	qname q;
	if (!split(c, parent, &q) || q.n != 2) {
		if (q.n)
			qname_free(&q);
		return parent;
	}
	const char *s = keep(c, sch_qualify3(q.p[0], q.p[1], leafraw));
	qname_free(&q);
	return s;
}

/* Split a ", "-separated list at the top level: not inside quotes of
 * either kind or parentheses. */
static size_t split_list(rc *c, const char *s, const char ***out)
{
	const char **v = NULL;
	size_t n = 0, cap = 0;
	if (!s || !*s) {
		*out = NULL;
		return 0;
	}
	const char *start = s;
	int depth = 0;
	char quote = 0;
	for (const char *p = s;; p++) {
		if (*p && quote) {
			if (*p == quote)
				quote = 0;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			quote = *p;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if (!*p || (*p == ',' && depth == 0)) {
			const char *b = start, *e = p;
			while (b < e && *b == ' ')
				b++;
			while (e > b && e[-1] == ' ')
				e--;
			if (e > b) {
				v = xgrow(v, &cap, n + 1, sizeof *v);
				v[n++] = keep(c, xstrndup(b, (size_t)(e - b)));
			}
			if (!*p)
				break;
			start = p + 1;
		}
	}
	*out = (const char **)keep(c, (char *)v);
	return n;
}

/* Enum labels as the catalog writes them: SQL literals, ", "-separated;
 * quote_literal writes E'' for a label with a backslash. */
static size_t parse_labels(rc *c, const char *s, const char ***out)
{
	const char **v = NULL;
	size_t n = 0, cap = 0;
	const char *p = s ? s : "";
	for (;;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		bool esc = false;
		if ((*p == 'E' || *p == 'e') && p[1] == '\'') {
			esc = true;
			p++;
		}
		if (*p != '\'')
			break;
		p++;
		strbuf sb = STRBUF_INIT;
		sb_add(&sb, "");
		while (*p) {
			if (*p == '\'' && p[1] == '\'') {
				sb_addc(&sb, '\'');
				p += 2;
			} else if (*p == '\'') {
				p++;
				break;
			} else if (esc && *p == '\\' && p[1]) {
				sb_addc(&sb, p[1]);
				p += 2;
			} else {
				sb_addc(&sb, *p++);
			}
		}
		v = xgrow(v, &cap, n + 1, sizeof *v);
		v[n++] = keep(c, sb_steal(&sb));
	}
	*out = (const char **)keep(c, (char *)v);
	return n;
}

/* Whether text mentions an identifier as a whole word (bare or in quotes).
 * Used to find the views that depend on a relation: a false match only
 * means a view is dropped and created again. */
static bool ident_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '$' || (unsigned char)ch >= 0x80;
}

static bool mentions_form(const char *text, const char *word)
{
	size_t len = strlen(word);
	if (!len)
		return false;
	for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
		bool before = p == text || !ident_char(p[-1]);
		bool after = !ident_char(p[len]);
		if (before && after)
			return true;
	}
	return false;
}

static bool mentions(rc *c, const char *text, const char *word)
{
	if (!text)
		return false;
	if (mentions_form(text, word))
		return true;
	if (strchr(word, '"')) {
		strbuf sb = STRBUF_INIT;
		add_qident(&sb, word);
		const char *q = keep(c, sb_steal(&sb));
		return strstr(text, q) != NULL;
	}
	return false;
}

static bool mentions_any(rc *c, const char *text, const strset *s)
{
	if (!text)
		return false;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slot[i] && mentions(c, text, s->slot[i]))
			return true;
	return false;
}

/* ------------------------------------------------------------ statements */

static void add_flat(strbuf *sb, const char *s)
{
	for (; *s; s++)
		sb_addc(sb, *s == '\n' || *s == '\r' ? ' ' : *s);
}

/* Add one statement (without its ";"). unsafe_why marks a destructive one:
 * written with a warning under --unsafe, listed as skipped otherwise.
 * Returns whether it was written. */
static bool put(rc *c, int phase, const char *unsafe_why, const char *stmt)
{
	if (unsafe_why && !c->o->unsafe) {
		c->skipped++;
		strbuf *sk = &c->skipped_ph[phase];
		sb_add(sk, "-- skipped (needs --unsafe): ");
		add_flat(sk, stmt);
		sb_add(sk, ";\n");
		return false;
	}
	strbuf *b = &c->ph[phase];
	if (unsafe_why) {
		sb_add(b, "-- UNSAFE: ");
		add_flat(b, unsafe_why);
		sb_addc(b, '\n');
	}
	sb_add(b, stmt);
	sb_add(b, ";\n");
	return true;
}

static bool putf(rc *c, int phase, const char *unsafe_why, const char *f, ...)
	__attribute__((format(printf, 4, 5)));
static bool putf(rc *c, int phase, const char *unsafe_why, const char *f, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, f);
	sb_vaddf(&sb, f, ap);
	va_end(ap);
	bool ok = put(c, phase, unsafe_why, sb_str(&sb));
	sb_free(&sb);
	return ok;
}

static void note(rc *c, const char *f, ...) __attribute__((format(printf, 2, 3)));
static void note(rc *c, const char *f, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, f);
	sb_vaddf(&sb, f, ap);
	va_end(ap);
	sb_add(&c->notes, "-- ");
	add_flat(&c->notes, sb_str(&sb));
	sb_addc(&c->notes, '\n');
	sb_free(&sb);
}

static const char *item_label(rc *c, const drift_item *it)
{
	return it->attribute ? fmt(c, "%s %s %s", it->kind, it->object, it->attribute)
			     : fmt(c, "%s %s", it->kind, it->object);
}

/* Whether an item asks for SQL; says why not where that is news. */
static bool want(rc *c, const drift_item *it, bool quiet)
{
	if (it->info)
		return false;
	if (it->skew) {
		if (!quiet)
			note(c, "version skew, not compared and not reconciled: %s",
			     item_label(c, it));
		return false;
	}
	if (it->allowed && !c->o->include_allowed) {
		if (!quiet)
			note(c, "allowlisted, left as it is: %s%s%s", item_label(c, it),
			     it->rule && it->rule->reason ? " -- " : "",
			     it->rule && it->rule->reason ? it->rule->reason : "");
		return false;
	}
	return true;
}

static int cmp_attr(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

/* The report's item for (kind, object, attribute); items are sorted so. */
static const drift_item *find_item(rc *c, const char *kind, const char *object,
				   const char *attribute)
{
	size_t lo = 0, hi = c->r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const drift_item *it = &c->r->items[mid];
		int k = strcmp(it->kind, kind);
		if (!k)
			k = strcmp(it->object, object);
		if (!k)
			k = cmp_attr(it->attribute, attribute);
		if (!k)
			return it;
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ------------------------------------------------------------ model helpers */

static int cmp_part(const void *a, const void *b)
{
	const part_ref *x = a, *y = b;
	int k = strcmp(x->parent, y->parent);
	if (!k)
		k = strcmp(x->o->kind, y->o->kind);
	return k ? k : strcmp(x->o->name, y->o->name);
}

static bool is_part_kind(const char *kind)
{
	return is(kind, "column") || is(kind, "constraint") || is(kind, "index") ||
	       is(kind, "trigger") || is(kind, "policy");
}

static part_index *parts_of_model(rc *c, const sch_model *m)
{
	part_index *pi = m == c->live ? &c->live_parts : &c->ref_parts;
	if (pi->built)
		return pi;
	pi->built = true;
	for (size_t i = 0; i < m->n; i++) {
		const sch_obj *o = &m->objs[i];
		if (!is_part_kind(o->kind))
			continue;
		const char *parent = is(o->kind, "index") ? sch_get(o, "table") : NULL;
		if (!parent)
			parent = parent_name(c, o->name);
		pi->v = xgrow(pi->v, &pi->cap, pi->n + 1, sizeof *pi->v);
		pi->v[pi->n++] = (part_ref){parent, o};
	}
	qsort(pi->v, pi->n, sizeof *pi->v, cmp_part);
	return pi;
}

/* The parts of one kind of relation `parent` in model m. */
static size_t parts(rc *c, const sch_model *m, const char *parent, const char *kind,
		    const sch_obj ***out)
{
	part_index *pi = parts_of_model(c, m);
	size_t lo = 0, hi = pi->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int k = strcmp(pi->v[mid].parent, parent);
		if (!k)
			k = strcmp(pi->v[mid].o->kind, kind);
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const sch_obj **v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = lo; i < pi->n && is(pi->v[i].parent, parent) && is(pi->v[i].o->kind, kind);
	     i++) {
		v = xgrow(v, &cap, n + 1, sizeof *v);
		v[n++] = pi->v[i].o;
	}
	*out = (const sch_obj **)keep(c, (char *)v);
	return n;
}

static void list_add(objlist *l, const sch_obj *o)
{
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof *l->v);
	l->v[l->n++] = o;
}

/* A table's parents: partition_of, or the inherits list (model names). */
static size_t table_parents(rc *c, const sch_obj *t, const char ***out)
{
	const char *p = t ? sch_get(t, "partition_of") : NULL;
	if (!p)
		p = t ? sch_get(t, "inherits") : NULL;
	return split_list(c, p, out);
}

static bool privileges_read(const sch_model *m)
{
	for (size_t i = 0; i < m->n_not_read; i++)
		if (strncmp(m->not_read[i], "privileges", 10) == 0)
			return false;
	return true;
}

/* ------------------------------------------------------------ comments */

static const char *function_kind(const sch_obj *o)
{
	const char *k = o ? sch_get(o, "kind") : NULL;
	return k ? k : "function";
}

static const char *function_word(const sch_obj *o)
{
	const char *k = o ? sch_get(o, "kind") : NULL;
	return is(k, "procedure") ? "PROCEDURE" : is(k, "aggregate") ? "AGGREGATE" : "FUNCTION";
}

static const char *comment_target(rc *c, const char *kind, const char *name, const sch_obj *o)
{
	static const struct {
		const char *kind, *word;
	} simple[] = {
		{"schema", "SCHEMA"},
		{"extension", "EXTENSION"},
		{"enum", "TYPE"},
		{"type", "TYPE"},
		{"domain", "DOMAIN"},
		{"sequence", "SEQUENCE"},
		{"table", "TABLE"},
		{"column", "COLUMN"},
		{"index", "INDEX"},
		{"view", "VIEW"},
		{"materialized-view", "MATERIALIZED VIEW"},
	};
	for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
		if (is(kind, simple[i].kind))
			return fmt(c, "%s %s", simple[i].word, qn(c, name));
	if (is(kind, "function"))
		return fmt(c, "%s %s", function_word(o), qn(c, name));
	if (is(kind, "constraint") || is(kind, "trigger") || is(kind, "policy"))
		return fmt(c, "%s %s ON %s",
			   is(kind, "constraint") ? "CONSTRAINT"
			   : is(kind, "trigger")  ? "TRIGGER"
						  : "POLICY",
			   qleaf(c, name), qrel(c, name));
	return NULL;
}

static void comment_on(rc *c, const char *kind, const char *name, const sch_obj *o,
		       const char *value)
{
	const char *t = comment_target(c, kind, name, o);
	if (!t) {
		note(c, "cannot write a comment on %s %s", kind, name);
		return;
	}
	putf(c, P_COMMENTS, NULL, "COMMENT ON %s IS %s", t, lit(c, value));
}

/* The comment of an object just created, if it has one. */
static void comment_new(rc *c, const sch_obj *o)
{
	const char *v = sch_get(o, "comment");
	if (v)
		comment_on(c, o->kind, o->name, o, v);
}

/* ------------------------------------------------------------ privileges */

static const char *grant_target(rc *c, const sch_obj *g, const char **column)
{
	const char *on = sch_get(g, "on");
	*column = NULL;
	if (is(on, "column")) {
		*column = qleaf(c, g->name);
		return fmt(c, "TABLE %s", qrel(c, g->name));
	}
	const char *word = is(on, "sequence")    ? "SEQUENCE"
			   : is(on, "function")  ? "FUNCTION"
			   : is(on, "procedure") ? "PROCEDURE"
			   : is(on, "schema")    ? "SCHEMA"
			   : is(on, "domain")    ? "DOMAIN"
			   : is(on, "type")      ? "TYPE"
						 : "TABLE";
	return fmt(c, "%s %s", word, qn(c, g->name));
}

static const char *grantee_sql(rc *c, const char *key)
{
	return is(key, "public") ? "PUBLIC" : qi(c, unquote1(c, key));
}

static const char *strip_option(rc *c, const char *p, bool *option)
{
	static const char suffix[] = " WITH GRANT OPTION";
	size_t len = strlen(p), sl = sizeof suffix - 1;
	*option = len > sl && strcmp(p + len - sl, suffix) == 0;
	return *option ? keep(c, xstrndup(p, len - sl)) : p;
}

static bool list_has(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (is(v[i], s))
			return true;
	return false;
}

static void grant_one(rc *c, const char *target, const char *column, const char *grantee,
		      const char *priv, bool option, bool revoke)
{
	const char *p = column ? fmt(c, "%s (%s)", priv, column) : priv;
	if (revoke)
		putf(c, P_GRANTS, NULL, "REVOKE %s%s ON %s FROM %s",
		     option ? "GRANT OPTION FOR " : "", p, target, grantee);
	else
		putf(c, P_GRANTS, NULL, "GRANT %s ON %s TO %s%s", p, target, grantee,
		     option ? " WITH GRANT OPTION" : "");
}

/* Bring one grantee's privileges on an object from `from` to `to` (either
 * may be NULL: none). */
static void grant_diff(rc *c, const sch_obj *g, const char *key, const char *from, const char *to)
{
	const char *column, *target = grant_target(c, g, &column);
	const char *grantee = grantee_sql(c, key);
	const char **lv, **rv;
	size_t ln = split_list(c, from, &lv), rn = split_list(c, to, &rv);
	/* Plain privilege names on each side, and which carry the grant option. */
	for (size_t i = 0; i < rn; i++) {
		bool ropt, lopt = false, lhas = false;
		const char *p = strip_option(c, rv[i], &ropt);
		for (size_t j = 0; j < ln; j++) {
			bool o;
			if (is(strip_option(c, lv[j], &o), p)) {
				lhas = true;
				lopt = o;
			}
		}
		if (!lhas || (ropt && !lopt))
			grant_one(c, target, column, grantee, p, ropt, false);
		else if (lopt && !ropt)
			grant_one(c, target, column, grantee, p, true, true);
	}
	for (size_t j = 0; j < ln; j++) {
		bool o;
		const char *p = strip_option(c, lv[j], &o);
		bool rhas = false;
		for (size_t i = 0; i < rn; i++) {
			bool ro;
			if (is(strip_option(c, rv[i], &ro), p))
				rhas = true;
		}
		if (!rhas)
			grant_one(c, target, column, grantee, p, false, true);
	}
}

/* Privileges on an object that was just created (or created again): all
 * of g's, where g is its grant object in the model the definition came from.
 * Functions and types start with PUBLIC's EXECUTE/USAGE, which g may not
 * have. */
static void grants_new(rc *c, const sch_model *m, const char *kind, const char *name,
		       const sch_obj *fn)
{
	if (!c->privs)
		return;
	const sch_obj *g = sch_find(m, "grant", name);
	if (g)
		set_add(&c->done, key2(c, "grant", name));
	for (size_t i = 0; g && i < g->n; i++)
		if (!is(g->attrs[i].key, "on"))
			grant_diff(c, g, g->attrs[i].key, NULL, g->attrs[i].value);
	const char *dflt = is(kind, "function") ? "EXECUTE"
			   : (is(kind, "enum") || is(kind, "domain") || is(kind, "type")) ? "USAGE"
											  : NULL;
	if (!dflt)
		return;
	const char *pub = g ? sch_get(g, "public") : NULL;
	const char **v;
	size_t n = split_list(c, pub, &v);
	bool has = false;
	for (size_t i = 0; i < n; i++) {
		bool o;
		if (is(strip_option(c, v[i], &o), dflt))
			has = true;
	}
	if (!has) {
		const char *word = is(kind, "function") ? function_word(fn)
				   : is(kind, "domain") ? "DOMAIN"
							: "TYPE";
		putf(c, P_GRANTS, NULL, "REVOKE %s ON %s %s FROM PUBLIC", dflt, word, qn(c, name));
	}
}

static void do_grant(rc *c, const drift_item *const *its, size_t n)
{
	const drift_item *it = its[0];
	if (set_has(&c->done, key2(c, "grant", it->object)))
		return;
	const sch_obj *l = sch_find(c->live, "grant", it->object);
	const sch_obj *f = sch_find(c->ref, "grant", it->object);
	if (it->status == DRIFT_MISSING) {
		for (size_t i = 0; f && i < f->n; i++)
			if (!is(f->attrs[i].key, "on"))
				grant_diff(c, f, f->attrs[i].key, NULL, f->attrs[i].value);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		for (size_t i = 0; l && i < l->n; i++)
			if (!is(l->attrs[i].key, "on"))
				grant_diff(c, l, l->attrs[i].key, l->attrs[i].value, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (is(its[i]->attribute, "on")) {
			note(c, "not reconciled: %s (the object changed kind)",
			     item_label(c, its[i]));
			continue;
		}
		grant_diff(c, f ? f : l, its[i]->attribute, its[i]->live, its[i]->reference);
	}
}

/* ------------------------------------------------------------ types */

/* Whether a column type change may lose or reject values. Unknown pairs
 * count as narrowing: only changes known to keep every value are safe. */
static int int_rank(const char *t)
{
	return is(t, "smallint") ? 1 : is(t, "integer") ? 2 : is(t, "bigint") ? 3 : 0;
}

static bool parse_mod(const char *t, const char *base, long *a, long *b)
{
	size_t len = strlen(base);
	*a = *b = -1;
	if (strncmp(t, base, len) != 0)
		return false;
	if (!t[len])
		return true;
	if (t[len] != '(')
		return false;
	char *end;
	*a = strtol(t + len + 1, &end, 10);
	if (*end == ',')
		*b = strtol(end + 1, &end, 10);
	return strcmp(end, ")") == 0;
}

static bool type_narrows(const char *from, const char *to)
{
	if (!from || !to || is(from, to))
		return false;
	if (is(to, "text") || is(to, "character varying"))
		return false; /* every value has a text form */
	int ra = int_rank(from), rb = int_rank(to);
	if (ra && rb)
		return rb < ra;
	long p1, s1, p2, s2;
	if (ra && parse_mod(to, "numeric", &p2, &s2)) {
		static const long digits[] = {0, 5, 10, 19};
		return p2 >= 0 && p2 - (s2 < 0 ? 0 : s2) < digits[ra];
	}
	if ((ra == 1 || ra == 2 || is(from, "real")) && is(to, "double precision"))
		return false;
	if (parse_mod(from, "numeric", &p1, &s1) && parse_mod(to, "numeric", &p2, &s2)) {
		if (p2 < 0)
			return false;
		if (p1 < 0)
			return true;
		s1 = s1 < 0 ? 0 : s1;
		s2 = s2 < 0 ? 0 : s2;
		return !(p2 - s2 >= p1 - s1 && s2 >= s1);
	}
	if (parse_mod(from, "character varying", &p1, &s1) &&
	    parse_mod(to, "character varying", &p2, &s2))
		return p2 >= 0 && (p1 < 0 || p2 < p1);
	if (is(from, "timestamp without time zone") && is(to, "timestamp with time zone"))
		return false;
	return true;
}

/* Whether a column's format_type names the type `name` (a model name),
 * or an array of it. */
static bool type_is(rc *c, const char *coltype, const char *name, bool *array)
{
	if (!coltype)
		return false;
	size_t len = strlen(coltype);
	*array = len > 2 && strcmp(coltype + len - 2, "[]") == 0;
	const char *base = *array ? keep(c, xstrndup(coltype, len - 2)) : coltype;
	char **a, **b, *aa, *ba;
	size_t an, bn;
	if (sch_split_name(base, &a, &an, &aa, NULL) != TC_OK)
		return false;
	if (sch_split_name(name, &b, &bn, &ba, NULL) != TC_OK) {
		sch_parts_free(a, an, aa);
		return false;
	}
	bool eq = an == bn && !aa && !ba;
	for (size_t i = 0; eq && i < an; i++)
		eq = strcmp(a[i], b[i]) == 0;
	sch_parts_free(a, an, aa);
	sch_parts_free(b, bn, ba);
	return eq;
}

/* A free name for the old version of a rebuilt type: at most 63 bytes, cut
 * on a UTF-8 character boundary. */
static const char *old_type_name(rc *c, const char *raw)
{
	char prefix[32];
	snprintf(prefix, sizeof prefix, "tc_old%u_", ++c->rebuild_no);
	size_t room = 63 - strlen(prefix), len = strlen(raw);
	if (len > room) {
		len = room;
		while (len > 0 && ((unsigned char)raw[len] & 0xC0) == 0x80)
			len--;
	}
	return fmt(c, "%s%.*s", prefix, (int)len, raw);
}

static const char *quoted_schema_of(rc *c, const char *name)
{
	qname q;
	if (!split(c, name, &q) || q.n < 2) {
		if (q.n)
			qname_free(&q);
		return "";
	}
	const char *s = qi(c, q.p[0]);
	qname_free(&q);
	return s;
}

static void create_enum(rc *c, const sch_obj *f, const char *why)
{
	const char **v;
	size_t n = parse_labels(c, sch_get(f, "labels"), &v);
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_add(&sb, ", ");
		sb_add(&sb, lit(c, v[i]));
	}
	putf(c, P_ENUMS, why, "CREATE TYPE %s AS ENUM (%s)", qn(c, f->name), sb_str(&sb));
	sb_free(&sb);
}

static const char *domain_sql(rc *c, const sch_obj *f)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "CREATE DOMAIN %s AS %s", qn(c, f->name), sch_get(f, "type"));
	if (sch_get(f, "collation"))
		sb_addf(&sb, " COLLATE %s", qn(c, sch_get(f, "collation")));
	if (sch_get(f, "default"))
		sb_addf(&sb, " DEFAULT %s", sch_get(f, "default"));
	if (is_true(sch_get(f, "not_null")))
		sb_add(&sb, " NOT NULL");
	for (size_t i = 0; i < f->n; i++)
		if (strncmp(f->attrs[i].key, "check.", 6) == 0)
			sb_addf(&sb, " CONSTRAINT %s %s", qi(c, unquote1(c, f->attrs[i].key + 6)),
				f->attrs[i].value);
	return keep(c, sb_steal(&sb));
}

/* Move every live column of type l (an enum or domain being rebuilt) to
 * the new type of the same name: the old one was renamed away. */
static void retype_columns(rc *c, const sch_obj *l, const char *via, const char *why)
{
	const char *newtype = qn(c, l->name);
	for (size_t i = 0; i < c->live->n; i++) {
		const sch_obj *col = &c->live->objs[i];
		bool array;
		if (!is(col->kind, "column") || !type_is(c, sch_get(col, "type"), l->name, &array))
			continue;
		const char *t = qrel(c, col->name), *cn = qleaf(c, col->name);
		const sch_obj *rcol = sch_find(c->ref, "column", col->name);
		const char *ldef = sch_get(col, "default");
		const char *rdef = rcol ? sch_get(rcol, "default") : ldef;
		set_add(&c->retyped, col->name);
		set_add(&c->touched, leaf(c, parent_name(c, col->name)));
		if (ldef)
			putf(c, P_RETYPE, why, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", t,
			     cn);
		putf(c, P_RETYPE, why,
		     "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING %s::%s%s::%s%s", t, cn,
		     newtype, array ? "[]" : "", cn, via, array ? "[]" : "", newtype,
		     array ? "[]" : "");
		if (rdef)
			putf(c, P_RETYPE, why, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", t,
			     cn, rdef);
	}
}

static void create_function(rc *c, const sch_model *m, const sch_obj *f);
static const char *function_word(const sch_obj *o);
static const char *function_base(rc *c, const char *name);

/* Functions whose arguments or result use a type being rebuilt would keep
 * the old type: drop them first (by the name that still means the old
 * type) and create them again once the new type exists. */
static void refresh_functions_of_type(rc *c, const sch_obj *l, const char *why)
{
	const char *tname = leaf(c, l->name);
	for (size_t i = 0; i < c->live->n; i++) {
		const sch_obj *fn = &c->live->objs[i];
		if (!is(fn->kind, "function"))
			continue;
		if (!mentions(c, fn->name, tname) && !mentions(c, sch_get(fn, "returns"), tname))
			continue;
		const sch_obj *rf = sch_find(c->ref, "function", fn->name);
		const sch_obj *src = rf ? rf : fn;
		if (!sch_get(src, "definition") ||
		    !set_add(&c->done, key2(c, "function", fn->name)))
			continue;
		if (putf(c, P_DROP_FUNCTIONS, why, "DROP %s IF EXISTS %s", function_word(fn),
			 qn(c, fn->name))) {
			set_add(&c->touched, leaf(c, function_base(c, fn->name)));
			create_function(c, rf ? c->ref : c->live, src);
		}
	}
}

/* Rebuild an enum or domain: rename the old one away, create the new one,
 * move the columns over, drop the old one. */
static void rebuild_type(rc *c, const sch_obj *l, const sch_obj *f, bool domain, const char *why)
{
	const char *old = old_type_name(c, leaf(c, l->name));
	putf(c, domain ? P_DOMAINS : P_ENUMS, why, "ALTER %s %s RENAME TO %s",
	     domain ? "DOMAIN" : "TYPE", qn(c, l->name), qi(c, old));
	if (domain)
		put(c, P_DOMAINS, why, domain_sql(c, f));
	else
		create_enum(c, f, why);
	retype_columns(c, l, domain ? sch_get(l, "type") : "text", why);
	refresh_functions_of_type(c, l, why);
	putf(c, P_DROP_OLD_TYPES, why, "DROP %s %s.%s", domain ? "DOMAIN" : "TYPE",
	     quoted_schema_of(c, l->name), qi(c, old));
	if (why && !c->o->unsafe)
		return;
	set_add(&c->touched, leaf(c, l->name));
	comment_new(c, f);
	grants_new(c, c->ref, domain ? "domain" : "enum", f->name, NULL);
}

static const drift_item *attr_item(const drift_item *const *its, size_t n, const char *attr)
{
	for (size_t i = 0; i < n; i++)
		if (is(its[i]->attribute, attr))
			return its[i];
	return NULL;
}

static void unhandled(rc *c, const drift_item *it)
{
	note(c, "not reconciled: %s", item_label(c, it));
}

static void do_enum(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
		    const sch_obj *f)
{
	const drift_item *it = its[0];
	if (it->status == DRIFT_MISSING) {
		create_enum(c, f, NULL);
		comment_new(c, f);
		grants_new(c, c->ref, "enum", f->name, NULL);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		putf(c, P_END_ENUMS, fmt(c, "drops enum %s", it->object), "DROP TYPE IF EXISTS %s",
		     qn(c, it->object));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *a = its[i]->attribute;
		if (is(a, "comment")) {
			comment_on(c, "enum", it->object, NULL, its[i]->reference);
		} else if (is(a, "labels")) {
			const char **lv, **rv;
			size_t ln = parse_labels(c, its[i]->live, &lv);
			size_t rn = parse_labels(c, its[i]->reference, &rv);
			/* Append-only when the live labels are, in order, a
			 * subsequence of the reference's. */
			size_t j = 0;
			for (size_t k = 0; k < rn && j < ln; k++)
				if (is(rv[k], lv[j]))
					j++;
			if (j == ln) {
				for (size_t k = 0; k < rn; k++) {
					if (list_has(lv, ln, rv[k]))
						continue;
					const char *where = "";
					if (k > 0) {
						where = fmt(c, " AFTER %s", lit(c, rv[k - 1]));
					} else {
						for (size_t m = 1; m < rn; m++)
							if (list_has(lv, ln, rv[m])) {
								where = fmt(c, " BEFORE %s",
									    lit(c, rv[m]));
								break;
							}
					}
					putf(c, P_PRE, NULL,
					     "ALTER TYPE %s ADD VALUE IF NOT EXISTS %s%s",
					     qn(c, it->object), lit(c, rv[k]), where);
				}
				continue;
			}
			strbuf lost = STRBUF_INIT;
			for (size_t k = 0; k < ln; k++)
				if (!list_has(rv, rn, lv[k])) {
					if (lost.len)
						sb_add(&lost, ", ");
					sb_add(&lost, lit(c, lv[k]));
				}
			const char *why =
				lost.len ? fmt(c,
					       "rebuilds enum %s without the labels %s: rows that "
					       "hold them make it fail",
					       it->object, sb_str(&lost))
					 : NULL;
			sb_free(&lost);
			rebuild_type(c, l, f, false, why);
		} else {
			unhandled(c, its[i]);
		}
	}
}

static void do_domain(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
		      const sch_obj *f)
{
	const drift_item *it = its[0];
	if (it->status == DRIFT_MISSING) {
		put(c, P_DOMAINS, NULL, domain_sql(c, f));
		comment_new(c, f);
		grants_new(c, c->ref, "domain", f->name, NULL);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		putf(c, P_END_DOMAINS, fmt(c, "drops domain %s", it->object),
		     "DROP DOMAIN IF EXISTS %s", qn(c, it->object));
		return;
	}
	const drift_item *ty = attr_item(its, n, "type"), *co = attr_item(its, n, "collation");
	if (ty || co) {
		const char *why = ty && type_narrows(ty->live, ty->reference)
					  ? fmt(c, "rebuilds domain %s from %s to %s (narrowing)",
						it->object, ty->live, ty->reference)
					  : NULL;
		rebuild_type(c, l, f, true, why);
		for (size_t i = 0; i < n; i++)
			if (is(its[i]->attribute, "comment"))
				comment_on(c, "domain", it->object, NULL, its[i]->reference);
		return;
	}
	const char *q = qn(c, it->object);
	for (size_t i = 0; i < n; i++) {
		const char *a = its[i]->attribute, *rv = its[i]->reference;
		if (is(a, "comment"))
			comment_on(c, "domain", it->object, NULL, rv);
		else if (is(a, "default"))
			putf(c, P_DOMAINS, NULL,
			     rv ? "ALTER DOMAIN %s SET DEFAULT %s"
				: "ALTER DOMAIN %s DROP DEFAULT%s",
			     q, rv ? rv : "");
		else if (is(a, "not_null"))
			putf(c, P_DOMAINS, NULL, "ALTER DOMAIN %s %s NOT NULL", q,
			     is_true(rv) ? "SET" : "DROP");
		else if (a && strncmp(a, "check.", 6) == 0) {
			const char *cn = qi(c, unquote1(c, a + 6));
			if (its[i]->live)
				putf(c, P_DOMAINS, NULL,
				     "ALTER DOMAIN %s DROP CONSTRAINT IF EXISTS %s", q, cn);
			if (rv)
				putf(c, P_DOMAINS, NULL, "ALTER DOMAIN %s ADD CONSTRAINT %s %s", q,
				     cn, rv);
		} else
			unhandled(c, its[i]);
	}
}

/* A composite type's fields: names (raw) in order, and their types. */
static size_t type_fields(rc *c, const sch_obj *o, const char ***names, const char ***types)
{
	const char **q;
	size_t n = split_list(c, sch_get(o, "fields"), &q);
	const char **nv = (const char **)keep(c, xcalloc(n + 1, sizeof *nv));
	const char **tv = (const char **)keep(c, xcalloc(n + 1, sizeof *tv));
	for (size_t i = 0; i < n; i++) {
		nv[i] = unquote1(c, q[i]);
		tv[i] = sch_get(o, fmt(c, "field.%s", q[i]));
	}
	*names = nv;
	*types = tv;
	return n;
}

static const char *composite_sql(rc *c, const sch_obj *f)
{
	const char **nv, **tv;
	size_t n = type_fields(c, f, &nv, &tv);
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "CREATE TYPE %s AS (", qn(c, f->name));
	for (size_t i = 0; i < n; i++)
		sb_addf(&sb, "%s%s %s", i ? ", " : "", qi(c, nv[i]), tv[i] ? tv[i] : "text");
	sb_addc(&sb, ')');
	return keep(c, sb_steal(&sb));
}

static long index_of(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (is(v[i], s))
			return (long)i;
	return -1;
}

static void do_type(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
		    const sch_obj *f)
{
	const drift_item *it = its[0];
	const char *q = qn(c, it->object);
	if (it->status == DRIFT_MISSING) {
		put(c, P_TYPES, NULL, composite_sql(c, f));
		comment_new(c, f);
		grants_new(c, c->ref, "type", f->name, NULL);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		putf(c, P_END_TYPES, fmt(c, "drops type %s", it->object), "DROP TYPE IF EXISTS %s",
		     q);
		return;
	}
	bool fields = false;
	for (size_t i = 0; i < n; i++) {
		const char *a = its[i]->attribute;
		if (is(a, "comment"))
			comment_on(c, "type", it->object, NULL, its[i]->reference);
		else if (is(a, "fields") || (a && strncmp(a, "field.", 6) == 0))
			fields = true;
		else
			unhandled(c, its[i]);
	}
	if (!fields)
		return;
	const char **ln, **lt, **rn, **rt;
	size_t nl = type_fields(c, l, &ln, &lt), nr = type_fields(c, f, &rn, &rt);
	/* Fields can be added at the end and dropped; anything else (a new
	 * field before an old one, a new order) re-creates the type. */
	bool appendable = true;
	long last = -1;
	for (size_t i = 0; i < nr && appendable; i++) {
		long at = index_of(ln, nl, rn[i]);
		if (at >= 0) {
			if (at < last || (i > 0 && index_of(ln, nl, rn[i - 1]) < 0))
				appendable = false;
			last = at;
		}
	}
	if (!appendable) {
		const char *why = fmt(c,
				      "re-creates composite type %s to change the order of its "
				      "fields: fails while columns or functions use it",
				      it->object);
		putf(c, P_TYPES, why, "DROP TYPE %s", q);
		put(c, P_TYPES, why, composite_sql(c, f));
		return;
	}
	for (size_t i = 0; i < nl; i++)
		if (index_of(rn, nr, ln[i]) < 0)
			putf(c, P_TYPES, fmt(c, "drops field %s of type %s", ln[i], it->object),
			     "ALTER TYPE %s DROP ATTRIBUTE %s", q, qi(c, ln[i]));
	for (size_t i = 0; i < nr; i++) {
		long at = index_of(ln, nl, rn[i]);
		if (at < 0)
			putf(c, P_TYPES, NULL, "ALTER TYPE %s ADD ATTRIBUTE %s %s", q, qi(c, rn[i]),
			     rt[i]);
		else if (!same(lt[at], rt[i]))
			putf(c, P_TYPES,
			     type_narrows(lt[at], rt[i])
				     ? fmt(c,
					   "changes field %s of type %s from %s to %s (narrowing)",
					   rn[i], it->object, lt[at], rt[i])
				     : NULL,
			     "ALTER TYPE %s ALTER ATTRIBUTE %s TYPE %s", q, qi(c, rn[i]), rt[i]);
	}
}

/* ------------------------------------------------------------ simple kinds */

static void do_schema(rc *c, const drift_item *const *its, size_t n)
{
	const drift_item *it = its[0];
	if (it->status == DRIFT_MISSING) {
		const sch_obj *f = sch_find(c->ref, "schema", it->object);
		putf(c, P_SCHEMAS, NULL, "CREATE SCHEMA %s", qn(c, it->object));
		if (f)
			comment_new(c, f);
		grants_new(c, c->ref, "schema", it->object, NULL);
	} else if (it->status == DRIFT_EXTRA) {
		putf(c, P_END_SCHEMAS,
		     fmt(c, "drops schema %s (fails while it holds objects)", it->object),
		     "DROP SCHEMA IF EXISTS %s", qn(c, it->object));
	} else {
		for (size_t i = 0; i < n; i++)
			if (is(its[i]->attribute, "comment"))
				comment_on(c, "schema", it->object, NULL, its[i]->reference);
			else
				unhandled(c, its[i]);
	}
}

static void do_extension(rc *c, const drift_item *const *its, size_t n, const sch_obj *f)
{
	const drift_item *it = its[0];
	const char *q = qn(c, it->object);
	if (it->status == DRIFT_MISSING) {
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "CREATE EXTENSION IF NOT EXISTS %s", q);
		if (sch_get(f, "schema"))
			sb_addf(&sb, " WITH SCHEMA %s", qn(c, sch_get(f, "schema")));
		if (sch_get(f, "version"))
			sb_addf(&sb, " VERSION %s", lit(c, sch_get(f, "version")));
		put(c, P_EXTENSIONS, NULL, sb_str(&sb));
		sb_free(&sb);
		comment_new(c, f);
	} else if (it->status == DRIFT_EXTRA) {
		putf(c, P_END_EXTENSIONS,
		     fmt(c, "drops extension %s and everything in it", it->object),
		     "DROP EXTENSION IF EXISTS %s", q);
	} else {
		for (size_t i = 0; i < n; i++) {
			const char *a = its[i]->attribute, *rv = its[i]->reference;
			if (is(a, "version") && rv)
				putf(c, P_EXTENSIONS, NULL, "ALTER EXTENSION %s UPDATE TO %s", q,
				     lit(c, rv));
			else if (is(a, "schema") && rv)
				putf(c, P_EXTENSIONS, NULL, "ALTER EXTENSION %s SET SCHEMA %s", q,
				     qn(c, rv));
			else if (is(a, "comment"))
				comment_on(c, "extension", it->object, NULL, rv);
			else
				unhandled(c, its[i]);
		}
	}
}

static void do_sequence(rc *c, const drift_item *const *its, size_t n, const sch_obj *f)
{
	const drift_item *it = its[0];
	const char *q = qn(c, it->object);
	if (it->status == DRIFT_MISSING) {
		putf(c, P_SEQUENCES, NULL,
		     "CREATE SEQUENCE %s AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH "
		     "%s "
		     "CACHE %s %sCYCLE",
		     q, sch_get(f, "type") ? sch_get(f, "type") : "bigint",
		     sch_get(f, "increment") ? sch_get(f, "increment") : "1",
		     sch_get(f, "min") ? sch_get(f, "min") : "1",
		     sch_get(f, "max") ? sch_get(f, "max") : "9223372036854775807",
		     sch_get(f, "start") ? sch_get(f, "start") : "1",
		     sch_get(f, "cache") ? sch_get(f, "cache") : "1",
		     is_true(sch_get(f, "cycle")) ? "" : "NO ");
		if (sch_get(f, "owned_by"))
			putf(c, P_SEQ_OWNED, NULL, "ALTER SEQUENCE %s OWNED BY %s", q,
			     qn(c, sch_get(f, "owned_by")));
		comment_new(c, f);
		grants_new(c, c->ref, "sequence", f->name, NULL);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		putf(c, P_END_SEQUENCES, fmt(c, "drops sequence %s", it->object),
		     "DROP SEQUENCE IF EXISTS %s", q);
		return;
	}
	static const struct {
		const char *attr, *clause;
	} clauses[] = {
		{"type", "AS"},      {"increment", "INCREMENT BY"}, {"min", "MINVALUE"},
		{"max", "MAXVALUE"}, {"start", "START WITH"},       {"cache", "CACHE"},
	};
	/* A new type changes the bounds' defaults: say the reference's bounds too. */
	bool retype = attr_item(its, n, "type") != NULL;
	strbuf sb = STRBUF_INIT;
	for (size_t k = 0; k < sizeof clauses / sizeof clauses[0]; k++) {
		bool bound = is(clauses[k].attr, "min") || is(clauses[k].attr, "max");
		const char *v = sch_get(f, clauses[k].attr);
		if (v && (attr_item(its, n, clauses[k].attr) || (retype && bound)))
			sb_addf(&sb, " %s %s", clauses[k].clause, v);
	}
	if (attr_item(its, n, "cycle"))
		sb_addf(&sb, " %sCYCLE", is_true(sch_get(f, "cycle")) ? "" : "NO ");
	if (sb.len)
		putf(c, P_SEQUENCES, NULL, "ALTER SEQUENCE %s%s", q, sb_str(&sb));
	sb_free(&sb);
	for (size_t i = 0; i < n; i++) {
		const char *a = its[i]->attribute;
		if (is(a, "owned_by"))
			putf(c, P_SEQ_OWNED, NULL, "ALTER SEQUENCE %s OWNED BY %s", q,
			     its[i]->reference ? qn(c, its[i]->reference) : "NONE");
		else if (is(a, "comment"))
			comment_on(c, "sequence", it->object, NULL, its[i]->reference);
		else if (!is(a, "cycle")) {
			bool known = false;
			for (size_t k = 0; k < sizeof clauses / sizeof clauses[0]; k++)
				known = known || is(a, clauses[k].attr);
			if (!known)
				unhandled(c, its[i]);
		}
	}
}

/* ------------------------------------------------------------ functions */

static size_t count_args(rc *c, const char *name)
{
	qname q;
	if (!split(c, name, &q))
		return 0;
	const char **v;
	size_t n = split_list(c, q.args, &v);
	qname_free(&q);
	return n;
}

/* S.N of S.N(args): the name without its arguments. */
static const char *function_base(rc *c, const char *name)
{
	qname q;
	if (!split(c, name, &q))
		return name;
	const char *s = q.n >= 2 ? keep(c, sch_qualify(q.p[0], q.p[1])) : name;
	qname_free(&q);
	return s;
}

/* A function whose result type or arguments name a relation being created
 * goes after the tables; so does a SQL-standard body (BEGIN ATOMIC), which
 * is parsed when created, check_function_bodies or not. */
static int function_phase(rc *c, const sch_obj *f)
{
	const char *def = sch_get(f, "definition");
	if (mentions_any(c, sch_get(f, "returns"), &c->newrel) ||
	    mentions_any(c, f->name, &c->newrel) ||
	    (def && strstr(def, "BEGIN ATOMIC") && mentions_any(c, def, &c->newrel)))
		return P_LATE_FUNCTIONS;
	return P_FUNCTIONS;
}

static void create_function(rc *c, const sch_model *m, const sch_obj *f)
{
	const char *def = sch_get(f, "definition");
	if (!def) {
		note(c,
		     "not reconciled: %s %s has no definition in the model (aggregate definitions "
		     "are not read); create it by hand",
		     function_word(f), f->name);
		return;
	}
	size_t len = strlen(def);
	while (len && (def[len - 1] == '\n' || def[len - 1] == ' ' || def[len - 1] == ';'))
		len--;
	put(c, function_phase(c, f), NULL, keep(c, xstrndup(def, len)));
	comment_new(c, f);
	grants_new(c, m, "function", f->name, f);
}

/* A function of `other` with the same name and argument count as `name`
 * of `own`, that `own` does not have: most likely the same function with
 * its parameters renamed (the identity arguments carry the names). */
static const sch_obj *renamed_partner(rc *c, const char *name, const sch_model *own,
				      const sch_model *other)
{
	const char *base = function_base(c, name);
	size_t nargs = count_args(c, name);
	for (size_t i = 0; i < other->n; i++) {
		const sch_obj *o = &other->objs[i];
		if (is(o->kind, "function") && !sch_find(own, "function", o->name) &&
		    is(function_base(c, o->name), base) && count_args(c, o->name) == nargs)
			return o;
	}
	return NULL;
}

static void do_function(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
			const sch_obj *f)
{
	const drift_item *it = its[0];
	if (set_has(&c->done, key2(c, "function", it->object)))
		return;
	if (it->status == DRIFT_MISSING) {
		/* Renamed parameters, which CREATE OR REPLACE refuses. DROP looks a
		 * function up by argument types only, so dropping the reference's
		 * signature drops exactly the one it replaces, if there is one. */
		if (renamed_partner(c, it->object, c->ref, c->live)) {
			putf(c, P_DROP_FUNCTIONS, NULL, "DROP %s IF EXISTS %s", function_word(f),
			     qn(c, it->object));
			set_add(&c->touched, leaf(c, function_base(c, it->object)));
		}
		create_function(c, c->ref, f);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		const sch_obj *p = renamed_partner(c, it->object, c->live, c->ref);
		if (p) {
			note(c, "%s %s is replaced by %s (parameter names differ)",
			     function_kind(l), it->object, p->name);
			return;
		}
		if (putf(c, P_DROP_FUNCTIONS, fmt(c, "drops %s %s", function_kind(l), it->object),
			 "DROP %s IF EXISTS %s", function_word(l), qn(c, it->object)))
			set_add(&c->touched, leaf(c, function_base(c, it->object)));
		return;
	}
	bool recreate = false, replace = false;
	for (size_t i = 0; i < n; i++) {
		const char *a = its[i]->attribute;
		if (is(a, "returns") || is(a, "kind"))
			recreate = true;
		else if (is(a, "definition") || is(a, "language") || is(a, "volatility") ||
			 is(a, "security_definer") || is(a, "strict"))
			replace = true;
		else if (is(a, "comment"))
			comment_on(c, "function", it->object, f, its[i]->reference);
		else
			unhandled(c, its[i]);
	}
	if (recreate) {
		/* CREATE OR REPLACE cannot change the result type. */
		putf(c, P_DROP_FUNCTIONS, NULL, "DROP %s IF EXISTS %s", function_word(l),
		     qn(c, it->object));
		set_add(&c->touched, leaf(c, function_base(c, it->object)));
		create_function(c, c->ref, f);
	} else if (replace) {
		const char *def = sch_get(f, "definition");
		if (def) {
			size_t len = strlen(def);
			while (len &&
			       (def[len - 1] == '\n' || def[len - 1] == ' ' || def[len - 1] == ';'))
				len--;
			put(c, P_FUNCTIONS, NULL, keep(c, xstrndup(def, len)));
		} else {
			note(c, "not reconciled: %s %s has no definition in the model",
			     function_word(f), it->object);
		}
	}
}

/* ------------------------------------------------------------ tables */

static const char *column_spec(rc *c, const sch_obj *col)
{
	strbuf sb = STRBUF_INIT;
	add_qident(&sb, leaf(c, col->name));
	sb_addf(&sb, " %s", sch_get(col, "type") ? sch_get(col, "type") : "text");
	if (sch_get(col, "collation"))
		sb_addf(&sb, " COLLATE %s", qn(c, sch_get(col, "collation")));
	if (sch_get(col, "generated"))
		sb_addf(&sb, " GENERATED ALWAYS AS (%s) STORED", sch_get(col, "generated"));
	const char *id = sch_get(col, "identity");
	if (id)
		sb_addf(&sb, " GENERATED %s AS IDENTITY",
			is(id, "always") ? "ALWAYS" : "BY DEFAULT");
	if (sch_get(col, "default"))
		sb_addf(&sb, " DEFAULT %s", sch_get(col, "default"));
	if (is_true(sch_get(col, "not_null")))
		sb_add(&sb, " NOT NULL");
	return keep(c, sb_steal(&sb));
}

static long position_of(const sch_obj *o)
{
	const char *p = sch_get(o, "position");
	return p ? strtol(p, NULL, 10) : 0;
}

static int cmp_position(const void *a, const void *b)
{
	long x = position_of(*(const sch_obj *const *)a),
	     y = position_of(*(const sch_obj *const *)b);
	return x < y ? -1 : x > y;
}

static bool is_fk(const sch_obj *o)
{
	return is(sch_get(o, "type"), "foreign key");
}

static void create_constraint(rc *c, const sch_obj *k, const char *why)
{
	const char *def = sch_get(k, "definition");
	if (!def) {
		note(c, "not reconciled: constraint %s has no definition in the model", k->name);
		return;
	}
	set_add(&c->done, key2(c, "constraint", k->name));
	if (putf(c, is_fk(k) ? P_FKS : P_CONSTRAINTS, why, "ALTER TABLE %s ADD CONSTRAINT %s %s",
		 qrel(c, k->name), qleaf(c, k->name), def))
		comment_new(c, k);
}

static void drop_constraint(rc *c, const sch_obj *k, const char *why)
{
	putf(c, is_fk(k) ? P_DROP_FKS : P_DROP_CONSTRAINTS, why,
	     "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", qrel(c, k->name), qleaf(c, k->name));
}

static bool is_matview(const sch_model *m, const char *rel)
{
	return rel && sch_find(m, "materialized-view", rel) != NULL;
}

/* pg_get_indexdef's "ON ONLY" (a partitioned table's own index) would
 * leave the partitions without theirs. */
static const char *index_sql(rc *c, const char *def)
{
	const char *only = strstr(def, " ON ONLY ");
	if (!only)
		return def;
	return fmt(c, "%.*s ON %s", (int)(only - def), def, only + 9);
}

static void create_index(rc *c, const sch_model *m, const sch_obj *x)
{
	const char *def = sch_get(x, "definition");
	if (!def) {
		note(c, "not reconciled: index %s has no definition in the model", x->name);
		return;
	}
	set_add(&c->done, key2(c, "index", x->name));
	put(c, is_matview(m, sch_get(x, "table")) ? P_VIEW_INDEXES : P_INDEXES, NULL,
	    index_sql(c, def));
	comment_new(c, x);
}

static const char *enable_word(const char *e)
{
	return is(e, "disabled")  ? "DISABLE"
	       : is(e, "replica") ? "ENABLE REPLICA"
	       : is(e, "always")  ? "ENABLE ALWAYS"
				  : "ENABLE";
}

static void create_trigger(rc *c, const sch_obj *t)
{
	const char *def = sch_get(t, "definition");
	if (!def) {
		note(c, "not reconciled: trigger %s has no definition in the model", t->name);
		return;
	}
	set_add(&c->done, key2(c, "trigger", t->name));
	put(c, P_TRIGGERS, NULL, def);
	const char *e = sch_get(t, "enabled");
	if (e && !is(e, "origin"))
		putf(c, P_TRIGGERS, NULL, "ALTER TABLE %s %s TRIGGER %s", qrel(c, t->name),
		     enable_word(e), qleaf(c, t->name));
	comment_new(c, t);
}

static void drop_trigger(rc *c, const char *name, const char *why)
{
	putf(c, P_DROP_TRIGGERS, why, "DROP TRIGGER IF EXISTS %s ON %s", qleaf(c, name),
	     qrel(c, name));
}

static const char *roles_sql(rc *c, const char *roles)
{
	const char **v;
	size_t n = split_list(c, roles, &v);
	if (!n)
		return "PUBLIC";
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_add(&sb, ", ");
		sb_add(&sb, grantee_sql(c, v[i]));
	}
	return keep(c, sb_steal(&sb));
}

static void create_policy(rc *c, const sch_obj *p)
{
	set_add(&c->done, key2(c, "policy", p->name));
	strbuf sb = STRBUF_INIT;
	const char *cmd = sch_get(p, "command");
	sb_addf(&sb, "CREATE POLICY %s ON %s AS %s FOR %s TO %s", qleaf(c, p->name),
		qrel(c, p->name),
		is(sch_get(p, "permissive"), "false") ? "RESTRICTIVE" : "PERMISSIVE",
		is(cmd, "select")   ? "SELECT"
		: is(cmd, "insert") ? "INSERT"
		: is(cmd, "update") ? "UPDATE"
		: is(cmd, "delete") ? "DELETE"
				    : "ALL",
		roles_sql(c, sch_get(p, "roles")));
	if (sch_get(p, "using"))
		sb_addf(&sb, " USING (%s)", sch_get(p, "using"));
	if (sch_get(p, "with_check"))
		sb_addf(&sb, " WITH CHECK (%s)", sch_get(p, "with_check"));
	put(c, P_POLICIES, NULL, sb_str(&sb));
	sb_free(&sb);
	comment_new(c, p);
}

static void drop_policy(rc *c, const char *name, const char *why)
{
	putf(c, P_DROP_POLICIES, why, "DROP POLICY IF EXISTS %s ON %s", qleaf(c, name),
	     qrel(c, name));
}

/* Create a table of the reference with everything that belongs to it. */
static void create_table(rc *c, const sch_obj *f)
{
	const char *q = qn(c, f->name);
	const char *of = sch_get(f, "partition_of"), *key = sch_get(f, "partition_key");
	const sch_obj **cols;
	size_t ncols = parts(c, c->ref, f->name, "column", &cols);
	qsort(cols, ncols, sizeof *cols, cmp_position);
	strbuf sb = STRBUF_INIT;
	if (of) {
		const char *bound = sch_get(f, "partition_bound");
		sb_addf(&sb, "CREATE TABLE %s PARTITION OF %s %s", q, qn(c, of),
			bound ? bound : "DEFAULT");
	} else {
		sb_addf(&sb, "CREATE %sTABLE %s (",
			is(sch_get(f, "persistence"), "unlogged") ? "UNLOGGED " : "", q);
		for (size_t i = 0; i < ncols; i++)
			sb_addf(&sb, "%s\n    %s", i ? "," : "", column_spec(c, cols[i]));
		sb_add(&sb, ncols ? "\n)" : ")");
		const char **pv;
		size_t np = split_list(c, sch_get(f, "inherits"), &pv);
		for (size_t i = 0; i < np; i++)
			sb_addf(&sb, "%s%s", i ? ", " : " INHERITS (", qn(c, pv[i]));
		if (np)
			sb_addc(&sb, ')');
	}
	if (key)
		sb_addf(&sb, " PARTITION BY %s", key);
	put(c, P_TABLES, NULL, sb_str(&sb));
	sb_free(&sb);
	set_add(&c->done, key2(c, "table", f->name));
	comment_new(c, f);
	/* A partition takes its columns from the parent; say where it differs. */
	for (size_t i = 0; i < ncols; i++) {
		set_add(&c->done, key2(c, "column", cols[i]->name));
		if (of) {
			const sch_obj *pc = sch_find(c->ref, "column",
						     child_name(c, of, leaf(c, cols[i]->name)));
			const char *d = sch_get(cols[i], "default");
			const char *cn = qleaf(c, cols[i]->name);
			if (pc && !same(d, sch_get(pc, "default")))
				putf(c, P_COLUMNS, NULL,
				     d ? "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s"
				       : "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT%s",
				     q, cn, d ? d : "");
			bool nn = is_true(sch_get(cols[i], "not_null"));
			if (pc && nn && !is_true(sch_get(pc, "not_null")))
				putf(c, P_COLUMNS, NULL,
				     "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", q, cn);
		}
		comment_new(c, cols[i]);
	}
	const sch_obj **v;
	size_t n = parts(c, c->ref, f->name, "constraint", &v);
	for (size_t i = 0; i < n; i++)
		create_constraint(c, v[i], NULL);
	n = parts(c, c->ref, f->name, "index", &v);
	for (size_t i = 0; i < n; i++)
		create_index(c, c->ref, v[i]);
	n = parts(c, c->ref, f->name, "trigger", &v);
	for (size_t i = 0; i < n; i++)
		create_trigger(c, v[i]);
	n = parts(c, c->ref, f->name, "policy", &v);
	for (size_t i = 0; i < n; i++)
		create_policy(c, v[i]);
	if (is_true(sch_get(f, "rls")))
		putf(c, P_RLS, NULL, "ALTER TABLE %s ENABLE ROW LEVEL SECURITY", q);
	if (is_true(sch_get(f, "rls_forced")))
		putf(c, P_RLS, NULL, "ALTER TABLE %s FORCE ROW LEVEL SECURITY", q);
	grants_new(c, c->ref, "table", f->name, NULL);
}

/* Re-add, after they were dropped, the foreign keys that point at table t
 * (dropping or changing a key of t needs them out of the way). */
static void refresh_fks_to(rc *c, const char *t)
{
	for (size_t i = 0; i < c->live->n; i++) {
		const sch_obj *k = &c->live->objs[i];
		if (!is(k->kind, "constraint") || !is_fk(k) || !is(sch_get(k, "references"), t))
			continue;
		if (!set_add(&c->done, key2(c, "constraint", k->name)))
			continue;
		drop_constraint(c, k, NULL);
		const sch_obj *f = sch_find(c->ref, "constraint", k->name);
		if (f) {
			/* Its own item, if any, is taken care of here. */
			create_constraint(c, f, NULL);
		} else if (!c->o->unsafe) {
			/* An extra foreign key: put it back as it was. */
			const char *def = sch_get(k, "definition");
			if (def)
				putf(c, P_FKS, NULL, "ALTER TABLE %s ADD CONSTRAINT %s %s",
				     qrel(c, k->name), qleaf(c, k->name), def);
		}
	}
}

/* A column's type cannot change under a policy or trigger that uses it:
 * drop those and create them again afterwards. */
static void refresh_users_of_column(rc *c, const char *table, const char *column)
{
	static const char *const kinds[] = {"policy", "trigger"};
	for (size_t k = 0; k < 2; k++) {
		const sch_obj **v;
		size_t n = parts(c, c->live, table, kinds[k], &v);
		for (size_t i = 0; i < n; i++) {
			const sch_obj *o = v[i];
			const char *text = sch_get(o, "definition");
			if (k == 0) {
				const char *u = sch_get(o, "using"), *w = sch_get(o, "with_check");
				text = fmt(c, "%s %s", u ? u : "", w ? w : "");
			}
			if (!mentions(c, text, column) ||
			    !set_add(&c->done, key2(c, kinds[k], o->name)))
				continue;
			/* Back as the reference has it; an extra one as it was, or
			 * not at all under --unsafe. */
			const sch_obj *f = sch_find(c->ref, kinds[k], o->name);
			const sch_obj *src = f ? f : c->o->unsafe ? NULL : o;
			const char *why = src ? NULL : fmt(c, "drops %s %s", kinds[k], o->name);
			if (k == 0) {
				drop_policy(c, o->name, why);
				if (src)
					create_policy(c, src);
			} else {
				drop_trigger(c, o->name, why);
				if (src)
					create_trigger(c, src);
			}
		}
	}
}

/* ------------------------------------------------------------ ordering */

typedef struct edge {
	size_t first, then; /* indexes: `first` must come before `then` */
} edge;

typedef struct edges {
	edge *v;
	size_t n, cap;
} edges;

static void edge_add(edges *e, size_t first, size_t then)
{
	if (first == then)
		return;
	e->v = xgrow(e->v, &e->cap, e->n + 1, sizeof *e->v);
	e->v[e->n++] = (edge){first, then};
}

/* An order of 0..n-1 that keeps every edge (Kahn's algorithm, ties in
 * index order). PostgreSQL allows no cycles among these dependencies, but
 * names read from definitions can invent one: what is left then follows
 * in index order. Caller frees. */
static size_t *topo_order(size_t n, const edges *e)
{
	size_t *indeg = xcalloc(n + 1, sizeof *indeg), *start = xcalloc(n + 2, sizeof *start);
	size_t *adj = xcalloc(e->n + 1, sizeof *adj), *order = xcalloc(n + 1, sizeof *order);
	bool *out = xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < e->n; i++) {
		indeg[e->v[i].then]++;
		start[e->v[i].first + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	size_t *fill = xcalloc(n + 1, sizeof *fill);
	for (size_t i = 0; i < e->n; i++)
		adj[start[e->v[i].first] + fill[e->v[i].first]++] = e->v[i].then;
	free(fill);
	size_t head = 0, tail = 0, cursor = 0;
	for (size_t i = 0; i < n; i++)
		if (indeg[i] == 0) {
			order[tail++] = i;
			out[i] = true;
		}
	while (tail < n || head < tail) {
		if (head == tail) {
			/* A cycle: take the lowest index left. */
			while (out[cursor])
				cursor++;
			order[tail++] = cursor;
			out[cursor] = true;
		}
		size_t v = order[head++];
		for (size_t k = start[v]; k < start[v + 1]; k++) {
			size_t w = adj[k];
			if (indeg[w] > 0)
				indeg[w]--;
			if (!out[w] && indeg[w] == 0) {
				order[tail++] = w;
				out[w] = true;
			}
		}
	}
	free(indeg);
	free(start);
	free(adj);
	free(out);
	return order;
}

typedef struct name_ix {
	const char *name;
	size_t ix;
} name_ix;

static int cmp_name_ix(const void *a, const void *b)
{
	return strcmp(((const name_ix *)a)->name, ((const name_ix *)b)->name);
}

/* The index of name among l's objects, or (size_t)-1. */
static size_t find_ix(const name_ix *v, size_t n, const char *name)
{
	name_ix key = {name, 0};
	const name_ix *hit = name ? bsearch(&key, v, n, sizeof *v, cmp_name_ix) : NULL;
	return hit ? hit->ix : (size_t)-1;
}

static name_ix *index_names(const objlist *l)
{
	name_ix *v = xcalloc(l->n + 1, sizeof *v);
	for (size_t i = 0; i < l->n; i++)
		v[i] = (name_ix){l->v[i]->name, i};
	qsort(v, l->n, sizeof *v, cmp_name_ix);
	return v;
}

/* Parts of a table whose re-creation was left out wait for it. */
static bool held_back(rc *c, const drift_item *it, const char *table)
{
	if (!table || !set_has(&c->blocked, table))
		return false;
	note(c, "not reconciled without --unsafe (table %s is not created again): %s", table,
	     item_label(c, it));
	return true;
}

/* Emit the collected tables in an order that works: parents before
 * children when creating; children, and tables whose foreign keys point
 * at another, first when dropping. */
static void flush_tables(rc *c)
{
	objlist *l = &c->new_tables;
	name_ix *ix = index_names(l);
	edges e = {0};
	for (size_t i = 0; i < l->n; i++) {
		const char **pv;
		size_t np = table_parents(c, l->v[i], &pv);
		for (size_t k = 0; k < np; k++) {
			size_t p = find_ix(ix, l->n, pv[k]);
			if (p != (size_t)-1)
				edge_add(&e, p, i);
		}
	}
	size_t *order = topo_order(l->n, &e);
	for (size_t k = 0; k < l->n; k++) {
		const sch_obj *t = l->v[order[k]];
		const char **pv;
		size_t np = table_parents(c, t, &pv);
		bool held = false;
		for (size_t j = 0; j < np; j++)
			held = held || set_has(&c->blocked, pv[j]);
		if (held) {
			set_add(&c->blocked, t->name);
			note(c,
			     "not reconciled without --unsafe (its parent is not created again): "
			     "missing table %s",
			     t->name);
			continue;
		}
		create_table(c, t);
	}
	free(order);
	free(ix);
	e.n = 0;

	l = &c->gone_tables;
	ix = index_names(l);
	for (size_t i = 0; i < l->n; i++) {
		const char **pv;
		size_t np = table_parents(c, l->v[i], &pv);
		for (size_t k = 0; k < np; k++) {
			size_t p = find_ix(ix, l->n, pv[k]);
			if (p != (size_t)-1)
				edge_add(&e, i, p);
		}
		const sch_obj **ks;
		size_t nk = parts(c, c->live, l->v[i]->name, "constraint", &ks);
		for (size_t k = 0; k < nk; k++) {
			size_t p = is_fk(ks[k]) ? find_ix(ix, l->n, sch_get(ks[k], "references"))
						: (size_t)-1;
			if (p != (size_t)-1)
				edge_add(&e, i, p);
		}
	}
	order = topo_order(l->n, &e);
	for (size_t k = 0; k < l->n; k++) {
		const sch_obj *t = l->v[order[k]];
		if (putf(c, P_END_TABLES, fmt(c, "drops table %s and its data", t->name),
			 "DROP TABLE IF EXISTS %s", qn(c, t->name)))
			set_add(&c->touched, leaf(c, t->name));
	}
	free(order);
	free(ix);
	free(e.v);
}

static void do_table(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
		     const sch_obj *f)
{
	const drift_item *it = its[0];
	if (it->status == DRIFT_MISSING) {
		list_add(&c->new_tables, f);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		list_add(&c->gone_tables, l);
		return;
	}
	const char *q = qn(c, it->object);
	if (attr_item(its, n, "kind") || attr_item(its, n, "partition_key")) {
		/* A table cannot become partitioned (or change its key) in place. */
		const char *why =
			fmt(c, "re-creates table %s (it changes %s) and loses its data", it->object,
			    attr_item(its, n, "kind") ? "kind" : "partition key");
		if (!putf(c, P_TABLES, why, "DROP TABLE %s", q)) {
			set_add(&c->blocked, it->object);
		} else {
			set_add(&c->rebuilt, it->object);
			set_add(&c->touched, leaf(c, it->object));
			create_table(c, f);
			/* Its partitions went with it. */
			for (size_t i = 0; i < c->ref->n; i++) {
				const sch_obj *t = &c->ref->objs[i];
				if (is(t->kind, "table") &&
				    is(sch_get(t, "partition_of"), it->object) &&
				    sch_find(c->live, "table", t->name)) {
					set_add(&c->rebuilt, t->name);
					create_table(c, t);
				}
			}
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *a = its[i]->attribute, *rv = its[i]->reference, *lv = its[i]->live;
		if (is(a, "comment")) {
			comment_on(c, "table", it->object, NULL, rv);
		} else if (is(a, "persistence")) {
			putf(c, P_TABLES, NULL, "ALTER TABLE %s SET %s", q,
			     is(rv, "unlogged") ? "UNLOGGED" : "LOGGED");
		} else if (is(a, "rls")) {
			putf(c, P_RLS, NULL, "ALTER TABLE %s %s ROW LEVEL SECURITY", q,
			     is_true(rv) ? "ENABLE" : "DISABLE");
		} else if (is(a, "rls_forced")) {
			putf(c, P_RLS, NULL, "ALTER TABLE %s %s ROW LEVEL SECURITY", q,
			     is_true(rv) ? "FORCE" : "NO FORCE");
		} else if (is(a, "partition_of") || is(a, "partition_bound")) {
			if (is(a, "partition_bound") && attr_item(its, n, "partition_of"))
				continue;
			const char *lp = sch_get(l, "partition_of"),
				   *rp = sch_get(f, "partition_of");
			if (lp)
				putf(c, P_TABLES, NULL, "ALTER TABLE %s DETACH PARTITION %s",
				     qn(c, lp), q);
			if (rp)
				putf(c, P_TABLES, NULL, "ALTER TABLE %s ATTACH PARTITION %s %s",
				     qn(c, rp), q,
				     sch_get(f, "partition_bound") ? sch_get(f, "partition_bound")
								   : "DEFAULT");
		} else if (is(a, "inherits")) {
			const char **lvv, **rvv;
			size_t ln = split_list(c, lv, &lvv), rn = split_list(c, rv, &rvv);
			for (size_t k = 0; k < ln; k++)
				if (!list_has(rvv, rn, lvv[k]))
					putf(c, P_TABLES, NULL, "ALTER TABLE %s NO INHERIT %s", q,
					     qn(c, lvv[k]));
			for (size_t k = 0; k < rn; k++)
				if (!list_has(lvv, ln, rvv[k]))
					putf(c, P_COLUMNS, NULL, "ALTER TABLE %s INHERIT %s", q,
					     qn(c, rvv[k]));
		} else {
			unhandled(c, its[i]);
		}
	}
}

/* ------------------------------------------------------------ columns */

/* A change a parent table makes for its partitions and inheritance
 * children: ADD/DROP COLUMN and ALTER COLUMN recurse, and a child may not
 * do some of them on its own. */
static bool column_via_parent(rc *c, const drift_item *it)
{
	const sch_model *m = it->status == DRIFT_EXTRA ? c->live : c->ref;
	const char *table = parent_name(c, it->object);
	const char *colraw = leaf(c, it->object);
	const char **pv;
	size_t np = table_parents(c, sch_find(m, "table", table), &pv);
	for (size_t k = 0; k < np; k++) {
		const drift_item *pi =
			find_item(c, "column", child_name(c, pv[k], colraw), it->attribute);
		if (pi && pi->status == it->status && same(pi->reference, it->reference) &&
		    want(c, pi, true))
			return true;
	}
	return false;
}

/* Constraints and indexes of the reference that use a column created
 * again: they went with the old column. */
static void recreate_users_of_column(rc *c, const char *table, const char *column)
{
	const sch_obj **v;
	size_t n = parts(c, c->ref, table, "constraint", &v);
	for (size_t i = 0; i < n; i++)
		if (mentions(c, sch_get(v[i], "definition"), column) &&
		    !set_has(&c->done, key2(c, "constraint", v[i]->name)))
			create_constraint(c, v[i], NULL);
	n = parts(c, c->ref, table, "index", &v);
	for (size_t i = 0; i < n; i++)
		if (mentions(c, sch_get(v[i], "definition"), column) &&
		    !set_has(&c->done, key2(c, "index", v[i]->name)))
			create_index(c, c->ref, v[i]);
}

static void column_changed(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
			   const sch_obj *f)
{
	const char *name = its[0]->object;
	const char *table = parent_name(c, name), *colraw = leaf(c, name);
	const char *t = qn(c, table), *cn = qi(c, colraw);
	bool retyped = set_has(&c->retyped, name);
	const drift_item *ty = NULL, *co = NULL, *de = NULL, *nn = NULL, *id = NULL, *ge = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *a = its[i]->attribute;
		if (column_via_parent(c, its[i]))
			continue;
		if (is(a, "type"))
			ty = its[i];
		else if (is(a, "collation"))
			co = its[i];
		else if (is(a, "default"))
			de = retyped ? NULL : its[i];
		else if (is(a, "not_null"))
			nn = its[i];
		else if (is(a, "identity"))
			id = its[i];
		else if (is(a, "generated"))
			ge = its[i];
		else if (is(a, "comment"))
			comment_on(c, "column", name, NULL, its[i]->reference);
		else
			unhandled(c, its[i]);
	}
	const char *lgen = sch_get(l, "generated"), *rgen = sch_get(f, "generated");
	if (ge && rgen) {
		/* A generation expression cannot be set on an existing column. */
		const char *why =
			fmt(c, "re-creates column %s as a generated column (drop and add)", name);
		if (putf(c, P_COLUMNS, why, "ALTER TABLE %s DROP COLUMN %s", t, cn)) {
			putf(c, P_COLUMNS, why, "ALTER TABLE %s ADD COLUMN %s", t,
			     column_spec(c, f));
			set_add(&c->touched, leaf(c, table));
			comment_new(c, f);
			recreate_users_of_column(c, table, colraw);
		} else {
			putf(c, P_COLUMNS, why, "ALTER TABLE %s ADD COLUMN %s", t,
			     column_spec(c, f));
		}
		return;
	}
	if (ge && lgen)
		putf(c, P_COLUMNS, NULL, "ALTER TABLE %s ALTER COLUMN %s DROP EXPRESSION", t, cn);
	const char *lid = sch_get(l, "identity"), *rid = sch_get(f, "identity");
	if (id && lid && !rid)
		putf(c, P_COLUMNS, NULL, "ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY IF EXISTS",
		     t, cn);
	bool default_done = false;
	if (ty || co) {
		const char *rtype = sch_get(f, "type");
		const char *why =
			ty && type_narrows(ty->live, ty->reference)
				? fmt(c,
				      "changes column %s from %s to %s (narrowing: values "
				      "may be cut or rejected)",
				      name, ty->live, ty->reference)
				: NULL;
		const char *coll = sch_get(f, "collation");
		const char *collate =
			co ? fmt(c, " COLLATE %s", coll ? qn(c, coll) : "\"default\"") : "";
		if (ty && sch_get(l, "default"))
			putf(c, P_COLUMNS, why, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", t,
			     cn);
		bool ok = ty ? putf(c, P_COLUMNS, why,
				    "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING %s::%s", t, cn,
				    rtype, collate, cn, rtype)
			     : putf(c, P_COLUMNS, why, "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s",
				    t, cn, rtype, collate);
		if (ty && sch_get(f, "default"))
			putf(c, P_COLUMNS, why, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", t,
			     cn, sch_get(f, "default"));
		if (ok) {
			default_done = ty != NULL;
			set_add(&c->touched, leaf(c, table));
			refresh_users_of_column(c, table, colraw);
		}
	}
	if (de && !default_done)
		putf(c, P_COLUMNS, NULL,
		     de->reference ? "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s"
				   : "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT%s",
		     t, cn, de->reference ? de->reference : "");
	if (nn)
		putf(c, P_COLUMNS, NULL, "ALTER TABLE %s ALTER COLUMN %s %s NOT NULL", t, cn,
		     is_true(nn->reference) ? "SET" : "DROP");
	if (id && rid)
		putf(c, P_COLUMNS, NULL,
		     lid ? "ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s"
			 : "ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY",
		     t, cn, is(rid, "always") ? "ALWAYS" : "BY DEFAULT");
}

static void do_column(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
		      const sch_obj *f)
{
	const drift_item *it = its[0];
	const char *table = parent_name(c, it->object);
	if (set_has(&c->rebuilt, table) || set_has(&c->done, key2(c, "column", it->object)) ||
	    held_back(c, it, table))
		return;
	if (it->status != DRIFT_CHANGED && column_via_parent(c, it))
		return;
	if (it->status == DRIFT_MISSING) {
		putf(c, P_COLUMNS, NULL, "ALTER TABLE %s ADD COLUMN %s", qn(c, table),
		     column_spec(c, f));
		comment_new(c, f);
	} else if (it->status == DRIFT_EXTRA) {
		if (putf(c, P_DROP_COLUMNS, fmt(c, "drops column %s and its data", it->object),
			 "ALTER TABLE %s DROP COLUMN IF EXISTS %s", qn(c, table),
			 qleaf(c, it->object)))
			set_add(&c->touched, leaf(c, table));
	} else {
		column_changed(c, its, n, l, f);
	}
}

/* ------------------------------------------------------------ table parts */

static void do_constraint(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
			  const sch_obj *f)
{
	const drift_item *it = its[0];
	const char *table = parent_name(c, it->object);
	if (set_has(&c->rebuilt, table) || set_has(&c->done, key2(c, "constraint", it->object)) ||
	    held_back(c, it, table))
		return;
	if (it->status == DRIFT_MISSING) {
		create_constraint(c, f, NULL);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		set_add(&c->done, key2(c, "constraint", it->object));
		if (!is_fk(l) && !is(sch_get(l, "type"), "check") && c->o->unsafe)
			refresh_fks_to(c, table);
		drop_constraint(c, l, fmt(c, "drops constraint %s", it->object));
		return;
	}
	/* Created again, it gets the reference's comment anyway. */
	bool redo = attr_item(its, n, "type") || attr_item(its, n, "definition") ||
		    attr_item(its, n, "references");
	for (size_t i = 0; i < n; i++) {
		const char *a = its[i]->attribute;
		if (is(a, "comment") && !redo)
			comment_on(c, "constraint", it->object, NULL, its[i]->reference);
		else if (!is(a, "comment") && !is(a, "type") && !is(a, "definition") &&
			 !is(a, "references"))
			unhandled(c, its[i]);
	}
	if (!redo)
		return;
	set_add(&c->done, key2(c, "constraint", it->object));
	/* Foreign keys hang on the referenced table's keys. */
	if (!is_fk(l) && !is(sch_get(l, "type"), "check"))
		refresh_fks_to(c, table);
	drop_constraint(c, l, NULL);
	create_constraint(c, f, NULL);
}

static void do_index(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
		     const sch_obj *f)
{
	const drift_item *it = its[0];
	const char *table = sch_get(f ? f : l, "table");
	if ((table && set_has(&c->rebuilt, table)) ||
	    set_has(&c->done, key2(c, "index", it->object)) || held_back(c, it, table))
		return;
	if (it->status == DRIFT_MISSING) {
		create_index(c, c->ref, f);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		set_add(&c->done, key2(c, "index", it->object));
		putf(c, P_DROP_INDEXES, fmt(c, "drops index %s", it->object),
		     "DROP INDEX IF EXISTS %s", qn(c, it->object));
		return;
	}
	bool redo = attr_item(its, n, "definition") || attr_item(its, n, "table") ||
		    attr_item(its, n, "unique") || attr_item(its, n, "method");
	for (size_t i = 0; i < n; i++) {
		const char *a = its[i]->attribute;
		if (is(a, "comment") && !redo)
			comment_on(c, "index", it->object, NULL, its[i]->reference);
		else if (!is(a, "comment") && !is(a, "definition") && !is(a, "table") &&
			 !is(a, "unique") && !is(a, "method"))
			unhandled(c, its[i]);
	}
	if (redo) {
		putf(c, P_DROP_INDEXES, NULL, "DROP INDEX IF EXISTS %s", qn(c, it->object));
		create_index(c, c->ref, f);
	}
}

static void do_trigger(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
		       const sch_obj *f)
{
	(void)l;
	const drift_item *it = its[0];
	const char *table = parent_name(c, it->object);
	if (set_has(&c->rebuilt, table) || set_has(&c->done, key2(c, "trigger", it->object)) ||
	    held_back(c, it, table))
		return;
	if (it->status == DRIFT_MISSING) {
		create_trigger(c, f);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		set_add(&c->done, key2(c, "trigger", it->object));
		drop_trigger(c, it->object, fmt(c, "drops trigger %s", it->object));
		return;
	}
	bool redo = attr_item(its, n, "definition") != NULL;
	for (size_t i = 0; i < n; i++) {
		const char *a = its[i]->attribute;
		if (redo && (is(a, "definition") || is(a, "enabled") || is(a, "comment")))
			continue;
		if (is(a, "enabled"))
			putf(c, P_TRIGGERS, NULL, "ALTER TABLE %s %s TRIGGER %s",
			     qrel(c, it->object), enable_word(its[i]->reference),
			     qleaf(c, it->object));
		else if (is(a, "comment"))
			comment_on(c, "trigger", it->object, NULL, its[i]->reference);
		else
			unhandled(c, its[i]);
	}
	if (redo) {
		drop_trigger(c, it->object, NULL);
		create_trigger(c, f);
	}
}

static void do_policy(rc *c, const drift_item *const *its, size_t n, const sch_obj *l,
		      const sch_obj *f)
{
	(void)l;
	const drift_item *it = its[0];
	const char *table = parent_name(c, it->object);
	if (set_has(&c->rebuilt, table) || set_has(&c->done, key2(c, "policy", it->object)) ||
	    held_back(c, it, table))
		return;
	if (it->status == DRIFT_MISSING) {
		create_policy(c, f);
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		set_add(&c->done, key2(c, "policy", it->object));
		drop_policy(c, it->object, fmt(c, "drops policy %s", it->object));
		return;
	}
	bool redo = false;
	for (size_t i = 0; i < n; i++)
		redo = redo || !is(its[i]->attribute, "comment");
	for (size_t i = 0; i < n && !redo; i++)
		comment_on(c, "policy", it->object, NULL, its[i]->reference);
	if (redo) {
		drop_policy(c, it->object, NULL);
		create_policy(c, f);
	}
}

/* ------------------------------------------------------------ views */

static void view_item(rc *c, const drift_item *const *its, size_t n, const sch_obj *f)
{
	const drift_item *it = its[0];
	if (it->status == DRIFT_MISSING) {
		list_add(&c->new_views, f);
		set_add(&c->view_changed, key2(c, it->kind, it->object));
		return;
	}
	if (it->status == DRIFT_EXTRA) {
		/* Dropped with the others, dependents first; see flush_views. */
		set_add(&c->view_extra, key2(c, it->kind, it->object));
		return;
	}
	bool redo = attr_item(its, n, "definition") != NULL;
	if (redo)
		set_add(&c->view_changed, key2(c, it->kind, it->object));
	for (size_t i = 0; i < n; i++) {
		if (is(its[i]->attribute, "comment") && !redo)
			comment_on(c, it->kind, it->object, NULL, its[i]->reference);
		else if (!is(its[i]->attribute, "comment") && !is(its[i]->attribute, "definition"))
			unhandled(c, its[i]);
	}
}

static const char *view_body(rc *c, const sch_obj *v)
{
	const char *def = sch_get(v, "definition");
	if (!def)
		return NULL;
	size_t len = strlen(def);
	while (len && (def[len - 1] == ';' || def[len - 1] == '\n' || def[len - 1] == ' '))
		len--;
	return keep(c, xstrndup(def, len));
}

static bool is_view_kind(const char *k)
{
	return is(k, "view") || is(k, "materialized-view");
}

static void create_view(rc *c, const sch_model *m, const sch_obj *v)
{
	const char *body = view_body(c, v);
	if (!body) {
		note(c, "not reconciled: %s %s has no definition in the model", v->kind, v->name);
		return;
	}
	putf(c, P_VIEWS, NULL, "CREATE %s %s AS%s%s",
	     is(v->kind, "view") ? "VIEW" : "MATERIALIZED VIEW", qn(c, v->name),
	     body[0] == ' ' || body[0] == '\n' ? "" : " ", body);
	comment_new(c, v);
	const sch_obj **p;
	size_t n = parts(c, m, v->name, "index", &p);
	for (size_t i = 0; i < n; i++)
		if (!set_has(&c->done, key2(c, "index", p[i]->name)))
			create_index(c, m, p[i]);
	n = parts(c, m, v->name, "trigger", &p);
	for (size_t i = 0; i < n; i++)
		if (!set_has(&c->done, key2(c, "trigger", p[i]->name)))
			create_trigger(c, p[i]);
	grants_new(c, m, "view", v->name, NULL);
}

/* Views cannot be altered under their feet: every live view whose
 * definition names something that changes (or that changes itself) is
 * dropped first, dependents before what they depend on, and created again
 * after the tables, in dependency order. Dependencies are read from the
 * definitions' names: a false match only costs a drop and create. */
static void flush_views(rc *c)
{
	objlist drop = {0};
	strset dropping = {0};
	for (size_t i = 0; i < c->live->n; i++) {
		const sch_obj *v = &c->live->objs[i];
		if (!is_view_kind(v->kind))
			continue;
		const char *k = key2(c, v->kind, v->name);
		if (set_has(&c->view_changed, k) || (c->o->unsafe && set_has(&c->view_extra, k))) {
			list_add(&drop, v);
			set_add(&dropping, k);
			set_add(&c->touched, leaf(c, v->name));
		}
	}
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < c->live->n; i++) {
			const sch_obj *v = &c->live->objs[i];
			if (!is_view_kind(v->kind) || set_has(&dropping, key2(c, v->kind, v->name)))
				continue;
			if (mentions_any(c, sch_get(v, "definition"), &c->touched)) {
				list_add(&drop, v);
				set_add(&dropping, key2(c, v->kind, v->name));
				set_add(&c->touched, leaf(c, v->name));
				grew = true;
			}
		}
	}
	/* Extra views nothing forces out stay, unless --unsafe. */
	for (size_t i = 0; i < c->live->n && !c->o->unsafe; i++) {
		const sch_obj *v = &c->live->objs[i];
		const char *k = is_view_kind(v->kind) ? key2(c, v->kind, v->name) : NULL;
		if (k && set_has(&c->view_extra, k) && !set_has(&dropping, k))
			putf(c, P_DROP_VIEWS, fmt(c, "drops %s %s", v->kind, v->name),
			     "DROP %s IF EXISTS %s",
			     is(v->kind, "view") ? "VIEW" : "MATERIALIZED VIEW", qn(c, v->name));
	}
	/* What comes back, and from which side. */
	objlist make = {0};
	const sch_model **from = NULL;
	size_t cap_from = 0;
	for (size_t i = 0; i < c->new_views.n; i++) {
		list_add(&make, c->new_views.v[i]);
		from = xgrow(from, &cap_from, make.n, sizeof *from);
		from[make.n - 1] = c->ref;
	}
	/* Drop, dependents first: v before w when v's definition names w. */
	edges e = {0};
	for (size_t i = 0; i < drop.n; i++)
		for (size_t j = 0; j < drop.n; j++)
			if (i != j &&
			    mentions(c, sch_get(drop.v[j], "definition"), leaf(c, drop.v[i]->name)))
				edge_add(&e, j, i);
	size_t *order = topo_order(drop.n, &e);
	for (size_t k = 0; k < drop.n; k++) {
		const sch_obj *v = drop.v[order[k]];
		const char *key = key2(c, v->kind, v->name);
		const sch_obj *f = sch_find(c->ref, v->kind, v->name);
		bool changed = set_has(&c->view_changed, key);
		/* An extra view goes for good under --unsafe; otherwise it comes
		 * back as it was, like a view whose change is not to be made. */
		bool gone = c->o->unsafe && set_has(&c->view_extra, key);
		putf(c, P_DROP_VIEWS, gone ? fmt(c, "drops %s %s", v->kind, v->name) : NULL,
		     "DROP %s IF EXISTS %s", is(v->kind, "view") ? "VIEW" : "MATERIALIZED VIEW",
		     qn(c, v->name));
		if (!gone) {
			list_add(&make, f && changed ? f : v);
			from = xgrow(from, &cap_from, make.n, sizeof *from);
			from[make.n - 1] = f && changed ? c->ref : c->live;
		}
	}
	free(order);
	/* Create, what others use first. */
	e.n = 0;
	for (size_t i = 0; i < make.n; i++)
		for (size_t j = 0; j < make.n; j++)
			if (i != j &&
			    mentions(c, sch_get(make.v[j], "definition"), leaf(c, make.v[i]->name)))
				edge_add(&e, i, j);
	order = topo_order(make.n, &e);
	for (size_t k = 0; k < make.n; k++)
		create_view(c, from[order[k]], make.v[order[k]]);
	free(order);
	free(e.v);
	free(drop.v);
	free(make.v);
	free(from);
	set_free(&dropping);
}

/* ------------------------------------------------------------ dispatch */

static void do_group(rc *c, const drift_item *group, size_t count)
{
	const drift_item **its = xcalloc(count, sizeof *its);
	size_t n = 0;
	for (size_t i = 0; i < count; i++)
		if (want(c, &group[i], false))
			its[n++] = &group[i];
	if (!n) {
		free(its);
		return;
	}
	const char *kind = its[0]->kind, *object = its[0]->object;
	const sch_obj *l = sch_find(c->live, kind, object), *f = sch_find(c->ref, kind, object);
	if ((its[0]->status != DRIFT_EXTRA && !f) || (its[0]->status != DRIFT_MISSING && !l)) {
		note(c, "not reconciled: %s %s is not in the model it is reported from", kind,
		     object);
	} else if (is(kind, "schema")) {
		do_schema(c, its, n);
	} else if (is(kind, "extension")) {
		do_extension(c, its, n, f);
	} else if (is(kind, "enum")) {
		do_enum(c, its, n, l, f);
	} else if (is(kind, "domain")) {
		do_domain(c, its, n, l, f);
	} else if (is(kind, "type")) {
		do_type(c, its, n, l, f);
	} else if (is(kind, "sequence")) {
		do_sequence(c, its, n, f);
	} else if (is(kind, "function")) {
		do_function(c, its, n, l, f);
	} else if (is(kind, "table")) {
		do_table(c, its, n, l, f);
	} else if (is(kind, "column")) {
		do_column(c, its, n, l, f);
	} else if (is(kind, "constraint")) {
		do_constraint(c, its, n, l, f);
	} else if (is(kind, "index")) {
		do_index(c, its, n, l, f);
	} else if (is_view_kind(kind)) {
		view_item(c, its, n, f);
	} else if (is(kind, "trigger")) {
		do_trigger(c, its, n, l, f);
	} else if (is(kind, "policy")) {
		do_policy(c, its, n, l, f);
	} else if (is(kind, "grant")) {
		do_grant(c, its, n);
	} else if (is(kind, "migration")) {
		note(c,
		     "migration history differs, not reconciled (drift sql never writes history "
		     "rows; apply the migrations instead): %s %s",
		     item_label(c, its[0]),
		     its[0]->status == DRIFT_MISSING ? "is not applied live"
		     : its[0]->status == DRIFT_EXTRA ? "is applied live only"
						     : "differs");
	} else {
		for (size_t i = 0; i < n; i++)
			unhandled(c, its[i]);
	}
	free(its);
}

/* Items of one kind, one object at a time. */
static void do_kind(rc *c, const char *kind)
{
	const drift_report *r = c->r;
	for (size_t i = 0; i < r->n;) {
		size_t j = i + 1;
		while (j < r->n && is(r->items[j].kind, r->items[i].kind) &&
		       is(r->items[j].object, r->items[i].object))
			j++;
		if (is(r->items[i].kind, kind))
			do_group(c, &r->items[i], j - i);
		i = j;
	}
	if (is(kind, "table"))
		flush_tables(c);
}

static void add_source(strbuf *out, const char *label, const char *src)
{
	sb_addf(out, "-- %s ", label);
	add_flat(out, src && *src ? src : "(unknown)");
	sb_addc(out, '\n');
}

static void assemble(rc *c, strbuf *out)
{
	sb_add(out,
	       "-- tenantctl drift sql: statements that turn the live schema into the reference\n");
	add_source(out, "live:     ", c->live->source);
	add_source(out, "reference:", c->ref->source);
	if (c->o->unsafe)
		sb_add(out,
		       "-- destructive statements are included (--unsafe), each marked UNSAFE\n");
	else if (c->skipped)
		sb_addf(out,
			"-- destructive statements: %zu left out, listed at the end (--unsafe to "
			"include them)\n",
			c->skipped);
	else
		sb_add(out, "-- destructive statements: none\n");
	bool any = false;
	for (int p = P_DROP_VIEWS; p < N_PHASES; p++)
		any = any || c->ph[p].len;
	if (c->ph[P_PRE].len) {
		sb_add(out,
		       "\n-- New enum values are added first, outside the transaction: ALTER TYPE "
		       "... ADD VALUE\n-- cannot run in a transaction block before PostgreSQL 12, "
		       "and a value cannot be used\n-- in the transaction that added it.\n");
		sb_add(out, sb_str(&c->ph[P_PRE]));
	}
	if (any) {
		sb_add(out, "\nBEGIN;\n");
		if (c->ph[P_FUNCTIONS].len || c->ph[P_LATE_FUNCTIONS].len)
			sb_add(out, "-- Function bodies may name tables created further down.\n"
				    "SET LOCAL check_function_bodies = off;\n");
		for (int p = P_DROP_VIEWS; p < N_PHASES; p++) {
			if (!c->ph[p].len)
				continue;
			sb_addf(out, "\n-- %s\n", phase_titles[p]);
			sb_add(out, sb_str(&c->ph[p]));
		}
		sb_add(out, "\nCOMMIT;\n");
	} else if (!c->ph[P_PRE].len) {
		sb_add(out, c->skipped ? "\n-- nothing to change without --unsafe\n"
				       : "\n-- nothing to change\n");
	}
	if (c->notes.len) {
		sb_add(out, "\n");
		sb_add(out, sb_str(&c->notes));
	}
	if (c->skipped) {
		sb_add(out, "\n");
		for (int p = 0; p < N_PHASES; p++)
			sb_add(out, sb_str(&c->skipped_ph[p]));
	}
}

tc_status reconcile_sql(const drift_report *r, const reconcile_opts *o, strbuf *out,
			size_t *skipped, tc_error *err)
{
	static const reconcile_opts defaults = {0};
	if (skipped)
		*skipped = 0;
	if (!r || !r->live || !r->ref)
		return tc_fail(err, TC_ERR_USAGE, "internal: reconcile_sql needs a drift report");
	rc c = {.r = r, .live = r->live, .ref = r->ref, .o = o ? o : &defaults, .err = err};
	c.privs = privileges_read(c.live) && privileges_read(c.ref);
	/* Relations about to be created: functions that name them wait. */
	for (size_t i = 0; i < r->n; i++) {
		const drift_item *it = &r->items[i];
		if (it->status == DRIFT_MISSING &&
		    (is(it->kind, "table") || is_view_kind(it->kind)) && want(&c, it, true))
			set_add(&c.newrel, leaf(&c, it->object));
	}
	for (size_t k = 0; k < sch_n_kinds; k++)
		do_kind(&c, sch_kinds[k]);
	flush_views(&c);
	/* Kinds this code does not know (a newer model). */
	for (size_t i = 0; i < r->n; i++) {
		bool known = false;
		for (size_t k = 0; k < sch_n_kinds && !known; k++)
			known = is(r->items[i].kind, sch_kinds[k]);
		if (!known && want(&c, &r->items[i], true))
			unhandled(&c, &r->items[i]);
	}
	tc_status st = c.st;
	if (st == TC_OK)
		assemble(&c, out);
	if (skipped)
		*skipped = c.skipped;
	for (int p = 0; p < N_PHASES; p++)
		sb_free(&c.ph[p]);
	sb_free(&c.notes);
	for (int p = 0; p < N_PHASES; p++)
		sb_free(&c.skipped_ph[p]);
	for (size_t i = 0; i < c.npool; i++)
		free(c.pool[i]);
	free(c.pool);
	set_free(&c.done);
	set_free(&c.touched);
	set_free(&c.retyped);
	set_free(&c.rebuilt);
	set_free(&c.blocked);
	set_free(&c.newrel);
	set_free(&c.view_changed);
	set_free(&c.view_extra);
	free(c.live_parts.v);
	free(c.ref_parts.v);
	free(c.new_tables.v);
	free(c.gone_tables.v);
	free(c.new_views.v);
	return st;
}
