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
