#include "config.h"

#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

const char *const sch_kinds[] = {
	"schema", "extension", "enum", "domain", "type", "sequence", "function",
	"table", "column", "constraint", "index", "view", "materialized-view",
	"trigger", "policy", "grant", "migration",
};
const size_t sch_n_kinds = sizeof sch_kinds / sizeof sch_kinds[0];

const char *sch_category(const char *kind, const char *attr)
{
	static const struct {
		const char *kind, *category;
	} map[] = {
		{"schema", "schemas"},     {"extension", "extensions"}, {"enum", "types"},
		{"domain", "types"},       {"type", "types"},           {"sequence", "sequences"},
		{"function", "functions"}, {"table", "tables"},          {"column", "columns"},
		{"constraint", "constraints"}, {"index", "indexes"},    {"view", "views"},
		{"materialized-view", "views"}, {"trigger", "triggers"}, {"policy", "policies"},
		{"grant", "privileges"},   {"migration", "history"},
	};
	if (attr && strcmp(attr, "comment") == 0)
		return "comments";
	if (attr && (strcmp(attr, "rls") == 0 || strcmp(attr, "rls_forced") == 0))
		return "policies";
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].kind, kind) == 0)
			return map[i].category;
	return "other";
}

void sch_init(sch_model *m)
{
	memset(m, 0, sizeof *m);
	m->format_version = SCH_FORMAT_VERSION;
}

void sch_free(sch_model *m)
{
	for (size_t i = 0; i < m->n; i++) {
		sch_obj *o = &m->objs[i];
		for (size_t k = 0; k < o->n; k++) {
			free(o->attrs[k].key);
			free(o->attrs[k].value);
		}
		free(o->attrs);
		free(o->kind);
		free(o->name);
	}
	free(m->objs);
	for (size_t i = 0; i < m->n_not_read; i++)
		free(m->not_read[i]);
	free(m->not_read);
	free(m->source);
	memset(m, 0, sizeof *m);
}

sch_obj *sch_add(sch_model *m, const char *kind, const char *name)
{
	m->objs = xgrow(m->objs, &m->cap, m->n + 1, sizeof *m->objs);
	sch_obj *o = &m->objs[m->n++];
	memset(o, 0, sizeof *o);
	o->kind = xstrdup(kind);
	o->name = xstrdup(name);
	m->sorted = false;
	return o;
}

void sch_set(sch_obj *o, const char *key, const char *value, unsigned flags)
{
	for (size_t k = 0; k < o->n; k++)
		if (strcmp(o->attrs[k].key, key) == 0) {
			free(o->attrs[k].value);
			o->attrs[k].value = xstrdup(value);
			o->attrs[k].flags = flags;
			return;
		}
	o->attrs = xgrow(o->attrs, &o->cap, o->n + 1, sizeof *o->attrs);
	o->attrs[o->n++] = (sch_attr){xstrdup(key), xstrdup(value), flags};
}

void sch_note_not_read(sch_model *m, const char *what)
{
	m->not_read = xgrow(m->not_read, &m->cap_not_read, m->n_not_read + 1, sizeof *m->not_read);
	m->not_read[m->n_not_read++] = xstrdup(what);
}

static int cmp_obj(const void *a, const void *b)
{
	const sch_obj *x = a, *y = b;
	int k = strcmp(x->kind, y->kind);
	return k ? k : strcmp(x->name, y->name);
}

static int cmp_attr(const void *a, const void *b)
{
	return strcmp(((const sch_attr *)a)->key, ((const sch_attr *)b)->key);
}

tc_status sch_sort(sch_model *m, tc_error *err)
{
	/* qsort with a NULL base is undefined even for zero elements. */
	if (m->n)
		qsort(m->objs, m->n, sizeof *m->objs, cmp_obj);
	for (size_t i = 0; i < m->n; i++) {
		if (m->objs[i].n)
			qsort(m->objs[i].attrs, m->objs[i].n, sizeof *m->objs[i].attrs, cmp_attr);
		if (i && cmp_obj(&m->objs[i - 1], &m->objs[i]) == 0)
			return tc_fail(err, TC_ERR_USAGE, "%s %s appears twice%s%s", m->objs[i].kind,
				       m->objs[i].name, m->source ? " in " : "",
				       m->source ? m->source : "");
	}
	m->sorted = true;
	return TC_OK;
}

const sch_obj *sch_find(const sch_model *m, const char *kind, const char *name)
{
	sch_obj key = {.kind = (char *)kind, .name = (char *)name};
	return bsearch(&key, m->objs, m->n, sizeof *m->objs, cmp_obj);
}

const sch_attr *sch_attr_find(const sch_obj *o, const char *key)
{
	for (size_t k = 0; k < o->n; k++)
		if (strcmp(o->attrs[k].key, key) == 0)
			return &o->attrs[k];
	return NULL;
}

const char *sch_get(const sch_obj *o, const char *key)
{
	const sch_attr *a = sch_attr_find(o, key);
	return a ? a->value : NULL;
}

static bool plain_ident(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '$'))
			return false;
	return true;
}

void sch_quote_ident(strbuf *sb, const char *ident)
{
	if (plain_ident(ident)) {
		sb_add(sb, ident);
		return;
	}
	sb_addc(sb, '"');
	for (const char *p = ident; *p; p++) {
		if (*p == '"')
			sb_addc(sb, '"');
		sb_addc(sb, *p);
	}
	sb_addc(sb, '"');
}

char *sch_qualify(const char *schema, const char *name)
{
	strbuf sb = STRBUF_INIT;
	sch_quote_ident(&sb, schema);
	sb_addc(&sb, '.');
	sch_quote_ident(&sb, name);
	return sb_steal(&sb);
}

char *sch_qualify3(const char *schema, const char *rel, const char *name)
{
	strbuf sb = STRBUF_INIT;
	sch_quote_ident(&sb, schema);
	sb_addc(&sb, '.');
	sch_quote_ident(&sb, rel);
	sb_addc(&sb, '.');
	sch_quote_ident(&sb, name);
	return sb_steal(&sb);
}

tc_status sch_split_name(const char *name, char ***parts, size_t *n, char **args, tc_error *err)
{
	*parts = NULL;
	*n = 0;
	*args = NULL;
	size_t cap = 0;
	const char *p = name;
	for (;;) {
		strbuf part = STRBUF_INIT;
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p) {
					sb_free(&part);
					sch_parts_free(*parts, *n, NULL);
					*parts = NULL;
					*n = 0;
					return tc_fail(err, TC_ERR_USAGE, "unterminated quoted identifier in '%s'",
						       name);
				}
				if (*p == '"' && p[1] == '"') {
					sb_addc(&part, '"');
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					sb_addc(&part, *p++);
				}
			}
		} else {
			while (*p && *p != '.' && *p != '(')
				sb_addc(&part, *p++);
		}
		if (!part.len) {
			sb_free(&part);
			sch_parts_free(*parts, *n, NULL);
			*parts = NULL;
			*n = 0;
			return tc_fail(err, TC_ERR_USAGE, "empty name part in '%s'", name);
		}
		*parts = xgrow(*parts, &cap, *n + 1, sizeof **parts);
		(*parts)[(*n)++] = sb_steal(&part);
		if (*p == '.') {
			p++;
			continue;
		}
		if (*p == '(') {
			size_t len = strlen(p);
			if (p[len - 1] != ')') {
				sch_parts_free(*parts, *n, NULL);
				*parts = NULL;
				*n = 0;
				return tc_fail(err, TC_ERR_USAGE, "unbalanced argument list in '%s'", name);
			}
			*args = xstrndup(p + 1, len - 2);
			return TC_OK;
		}
		if (*p) {
			sch_parts_free(*parts, *n, NULL);
			*parts = NULL;
			*n = 0;
			return tc_fail(err, TC_ERR_USAGE, "unexpected '%c' in name '%s'", *p, name);
		}
		return TC_OK;
	}
}

void sch_parts_free(char **parts, size_t n, char *args)
{
	for (size_t i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
	free(args);
}
