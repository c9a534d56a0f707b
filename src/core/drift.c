#include "config.h"

#include "drift.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

const char *drift_status_name(drift_status s)
{
	static const char *const names[] = {"missing", "extra", "changed"};
	return names[s];
}

static bool is_table_part(const char *kind)
{
	return !strcmp(kind, "column") || !strcmp(kind, "constraint") || !strcmp(kind, "trigger") ||
	       !strcmp(kind, "policy");
}

char *drift_parent_table(const sch_model *m, const char *kind, const char *name)
{
	if (!strcmp(kind, "index")) {
		const sch_obj *o = sch_find(m, kind, name);
		const char *t = o ? sch_get(o, "table") : NULL;
		return t ? xstrdup(t) : NULL;
	}
	if (!is_table_part(kind) && strcmp(kind, "grant"))
		return NULL;
	char **parts, *args;
	size_t n;
	if (sch_split_name(name, &parts, &n, &args, NULL) != TC_OK)
		return NULL;
	char *parent = NULL;
	if (is_table_part(kind) && n == 3)
		parent = sch_qualify(parts[0], parts[1]);
	else if (!strcmp(kind, "grant") && n == 2 && !args)
		parent = sch_qualify(parts[0], parts[1]);
	sch_parts_free(parts, n, args);
	return parent;
}

/* Tables present on one side only: their parts are folded into them. */
typedef struct name_set {
	char **v;
	size_t n, cap;
} name_set;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool set_has(const name_set *s, const char *name)
{
	return name && s->n && bsearch(&name, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

static void add_item(drift_report *r, const sch_obj *o, const char *attr, const char *live,
		     const char *ref, drift_status st, unsigned flags)
{
	r->items = xgrow(r->items, &r->cap, r->n + 1, sizeof *r->items);
	drift_item *it = &r->items[r->n++];
	memset(it, 0, sizeof *it);
	it->kind = o->kind;
	it->object = o->name;
	it->attribute = attr;
	it->live = live;
	it->reference = ref;
	it->status = st;
	it->category = sch_category(o->kind, attr);
	it->info = flags & SCH_INFO;
	it->skew = r->version_skew && (flags & SCH_DEPARSED);
}

static void compare_attrs(drift_report *r, const sch_obj *l, const sch_obj *f)
{
	size_t i = 0, j = 0;
	while (i < l->n || j < f->n) {
		int k = i >= l->n ? 1 : j >= f->n ? -1 : strcmp(l->attrs[i].key, f->attrs[j].key);
		/* Information one side did not read (row counts from a snapshot
		 * against a live read without them) is no difference at all. */
		if (k < 0) {
			if (!(l->attrs[i].flags & SCH_INFO))
				add_item(r, l, l->attrs[i].key, l->attrs[i].value, NULL, DRIFT_CHANGED,
					 l->attrs[i].flags);
			i++;
		} else if (k > 0) {
			if (!(f->attrs[j].flags & SCH_INFO))
				add_item(r, f, f->attrs[j].key, NULL, f->attrs[j].value, DRIFT_CHANGED,
					 f->attrs[j].flags);
			j++;
		} else {
			if (strcmp(l->attrs[i].value, f->attrs[j].value))
				add_item(r, l, l->attrs[i].key, l->attrs[i].value, f->attrs[j].value,
					 DRIFT_CHANGED, l->attrs[i].flags | f->attrs[j].flags);
			i++;
			j++;
		}
	}
}

static int cmp_objs(const sch_obj *a, const sch_obj *b)
{
	int k = strcmp(a->kind, b->kind);
	return k ? k : strcmp(a->name, b->name);
}

/* One walk over both sorted models. With `tables` NULL it only collects the
 * tables present on one side; otherwise it emits items, skipping their parts. */
static void walk(drift_report *r, const sch_model *live, const sch_model *ref, name_set *collect,
		 const name_set *tables)
{
	size_t i = 0, j = 0;
	while (i < live->n || j < ref->n) {
		const sch_obj *l = i < live->n ? &live->objs[i] : NULL;
		const sch_obj *f = j < ref->n ? &ref->objs[j] : NULL;
		int k = !l ? 1 : !f ? -1 : cmp_objs(l, f);
		const sch_obj *only = k < 0 ? l : k > 0 ? f : NULL;
		if (only && collect) {
			if (!strcmp(only->kind, "table")) {
				collect->v = xgrow(collect->v, &collect->cap, collect->n + 1,
						   sizeof *collect->v);
				collect->v[collect->n++] = only->name;
			}
		} else if (only) {
			const sch_model *side = k < 0 ? live : ref;
			char *parent = drift_parent_table(side, only->kind, only->name);
			if (!set_has(tables, parent))
				add_item(r, only, NULL, NULL, NULL, k < 0 ? DRIFT_EXTRA : DRIFT_MISSING, 0);
			free(parent);
		} else if (!collect) {
			compare_attrs(r, l, f);
		}
		if (k <= 0)
			i++;
		if (k >= 0)
			j++;
	}
}

static void note(drift_report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(drift_report *r, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < r->n_not_compared; i++)
		if (!strcmp(r->not_compared[i], sb_str(&sb))) {
			sb_free(&sb);
			return;
		}
	r->not_compared = xgrow(r->not_compared, &r->cap_not_compared, r->n_not_compared + 1,
				sizeof *r->not_compared);
	r->not_compared[r->n_not_compared++] = sb_steal(&sb);
}

tc_status drift_compare(const sch_model *live, const sch_model *ref, allowlist *allow,
			drift_report *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	if (!live->sorted || !ref->sorted)
		return tc_fail(err, TC_ERR_USAGE, "internal: drift_compare needs sorted models");
	out->live = live;
	out->ref = ref;
	out->allow = allow;
	out->version_skew = live->server_major && ref->server_major &&
			    live->server_major != ref->server_major;
	for (size_t i = 0; i < live->n_not_read; i++)
		note(out, "%s", live->not_read[i]);
	for (size_t i = 0; i < ref->n_not_read; i++)
		note(out, "%s", ref->not_read[i]);
	if (out->version_skew)
		note(out, "deparsed text (view and function bodies, defaults, checks, index, trigger "
			  "and policy definitions): shown but not compared, the live server is "
			  "PostgreSQL %d and the reference %d (version skew)",
		     live->server_major, ref->server_major);

	name_set one_sided = {0};
	walk(out, live, ref, &one_sided, NULL);
	if (one_sided.n)
		qsort(one_sided.v, one_sided.n, sizeof *one_sided.v, cmp_str);
	walk(out, live, ref, NULL, &one_sided);
	free(one_sided.v);

	for (size_t i = 0; i < out->n; i++) {
		drift_item *it = &out->items[i];
		if (it->info || it->skew)
			continue;
		allow_rule *rule = allow ? allow_match(allow, it->kind, it->object, it->attribute) : NULL;
		if (rule) {
			it->allowed = true;
			it->rule = rule;
			out->n_allowed++;
		} else {
			out->n_drift++;
		}
	}
	return TC_OK;
}

void drift_report_free(drift_report *r)
{
	for (size_t i = 0; i < r->n_not_compared; i++)
		free(r->not_compared[i]);
	free(r->not_compared);
	free(r->items);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ line diff */

typedef struct lines {
	const char **b; /* line starts, borrowed */
	size_t *len;    /* without the newline */
	size_t n;
} lines;

static void split_lines(const char *t, lines *out)
{
	size_t cap = 0;
	memset(out, 0, sizeof *out);
	if (!t || !*t)
		return;
	while (*t) {
		const char *nl = strchr(t, '\n');
		size_t len = nl ? (size_t)(nl - t) : strlen(t);
		if (out->n == cap) {
			cap = cap ? 2 * cap : 16;
			out->b = xrealloc(out->b, cap * sizeof *out->b);
			out->len = xrealloc(out->len, cap * sizeof *out->len);
		}
		out->b[out->n] = t;
		out->len[out->n++] = len;
		t += len + (nl ? 1 : 0);
	}
}

static bool line_eq(const lines *a, size_t i, const lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->b[i], b->b[j], a->len[i]);
}

/* One line of the edit script: ' ' kept, '-' only in from, '+' only in to. */
typedef struct edit {
	char op;
	size_t i, j; /* the line in from (ops ' ' and '-') and in to (' ' and '+') */
} edit;

enum { DIFF_CONTEXT = 3, DIFF_MAX_CELLS = 4000000 };

static void put_line(strbuf *out, char op, const char *b, size_t len)
{
	sb_addc(out, op);
	sb_addn(out, b, len);
	sb_addc(out, '\n');
}

void drift_diff(const char *from, const char *to, const char *from_label, const char *to_label,
		strbuf *out)
{
	lines a, b;
	split_lines(from, &a);
	split_lines(to, &b);
	sb_addf(out, "--- %s\n+++ %s\n", from_label ? from_label : "from", to_label ? to_label : "to");

	/* Common head and tail first: most definitions differ in a few lines. */
	size_t head = 0;
	while (head < a.n && head < b.n && line_eq(&a, head, &b, head))
		head++;
	size_t tail = 0;
	while (tail < a.n - head && tail < b.n - head &&
	       line_eq(&a, a.n - 1 - tail, &b, b.n - 1 - tail))
		tail++;
	size_t n = a.n - head - tail, m = b.n - head - tail;

	edit *e = xmalloc((a.n + b.n + 1) * sizeof *e);
	size_t ne = 0;
	for (size_t k = 0; k < head; k++)
		e[ne++] = (edit){' ', k, k};
	if ((n + 1) * (m + 1) <= DIFF_MAX_CELLS) {
		/* LCS lengths of the suffixes, then walk forward. */
		unsigned *L = xcalloc((n + 1) * (m + 1), sizeof *L);
#define AT(i, j) L[(i) * (m + 1) + (j)]
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				AT(i, j) = line_eq(&a, head + i, &b, head + j)
						   ? AT(i + 1, j + 1) + 1
						   : (AT(i + 1, j) >= AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1));
		size_t i = 0, j = 0;
		while (i < n || j < m) {
			if (i < n && j < m && line_eq(&a, head + i, &b, head + j)) {
				e[ne++] = (edit){' ', head + i++, head + j++};
			} else if (j < m && (i == n || AT(i, j + 1) > AT(i + 1, j))) {
				e[ne++] = (edit){'+', head + i, head + j++};
			} else {
				e[ne++] = (edit){'-', head + i++, head + j};
			}
		}
#undef AT
		free(L);
	} else {
		for (size_t i = 0; i < n; i++)
			e[ne++] = (edit){'-', head + i, head};
		for (size_t j = 0; j < m; j++)
			e[ne++] = (edit){'+', head + n, head + j};
	}
	for (size_t k = 0; k < tail; k++)
		e[ne++] = (edit){' ', a.n - tail + k, b.n - tail + k};

	/* Hunks: changes with up to DIFF_CONTEXT kept lines around them; two
	 * changes closer than twice that share a hunk. */
	size_t k = 0;
	while (k < ne) {
		while (k < ne && e[k].op == ' ')
			k++;
		if (k == ne)
			break;
		size_t start = k > DIFF_CONTEXT ? k - DIFF_CONTEXT : 0;
		size_t end = k; /* one past the hunk's last change */
		for (size_t q = k; q < ne; q++) {
			if (e[q].op != ' ') {
				end = q + 1;
				continue;
			}
			if (q - end >= 2 * DIFF_CONTEXT)
				break;
		}
		size_t stop = end + DIFF_CONTEXT < ne ? end + DIFF_CONTEXT : ne;
		size_t from_n = 0, to_n = 0;
		for (size_t q = start; q < stop; q++) {
			from_n += e[q].op != '+';
			to_n += e[q].op != '-';
		}
		/* Line numbers from 1; a side with no lines says the one before. */
		size_t from_1 = from_n ? e[start].i + 1 : e[start].i;
		size_t to_1 = to_n ? e[start].j + 1 : e[start].j;
		sb_addf(out, "@@ -%zu,%zu +%zu,%zu @@\n", from_1, from_n, to_1, to_n);
		for (size_t q = start; q < stop; q++) {
			if (e[q].op == '+')
				put_line(out, '+', b.b[e[q].j], b.len[e[q].j]);
			else
				put_line(out, e[q].op, a.b[e[q].i], a.len[e[q].i]);
		}
		k = stop;
	}
	free(e);
	free(a.b);
	free(a.len);
	free(b.b);
	free(b.len);
}
