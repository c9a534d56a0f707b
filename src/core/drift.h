/* drift: the live schema against a reference, item by item. */
#ifndef TC_DRIFT_H
#define TC_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "allowlist.h"
#include "error.h"
#include "schema.h"

typedef enum drift_status {
	DRIFT_MISSING, /* in the reference, not live */
	DRIFT_EXTRA,   /* live, not in the reference */
	DRIFT_CHANGED, /* both, with different values */
} drift_status;

typedef struct drift_item {
	const char *kind;      /* borrowed from the models */
	const char *object;
	const char *attribute; /* NULL: the object itself */
	const char *live;      /* NULL where absent */
	const char *reference;
	drift_status status;
	const char *category;
	bool info;     /* information only (column order, row counts): never drift */
	bool skew;     /* deparsed text across major versions: shown, not compared */
	bool allowed;
	const allow_rule *rule; /* borrowed from the allowlist; NULL unless allowed */
} drift_item;

typedef struct drift_report {
	const sch_model *live, *ref; /* borrowed */
	drift_item *items;           /* ordered by kind, object, attribute */
	size_t n, cap;
	size_t n_drift;   /* items that are drift: not info, not skew, not allowed */
	size_t n_allowed;
	bool version_skew;
	/* What was not compared and why ("privileges: off (--privileges)"). */
	char **not_compared;
	size_t n_not_compared, cap_not_compared;
	const allowlist *allow; /* borrowed; for stale rules (matched == 0) */
} drift_report;

const char *drift_status_name(drift_status s);

/* Compare two sorted models. Parts of a missing or extra table (its columns,
 * constraints, indexes, triggers, policies) are folded into the table's item.
 * Items matched by `allow` (may be NULL) are marked allowed. */
tc_status drift_compare(const sch_model *live, const sch_model *ref, allowlist *allow,
			drift_report *out, tc_error *err);
void drift_report_free(drift_report *r);

/* The table a part belongs to ("public.users" for column public.users.email
 * or for an index whose table attribute says so); NULL for other kinds.
 * Caller frees. */
char *drift_parent_table(const sch_model *m, const char *kind, const char *name);

/* A unified diff (3 lines of context) of two texts, line by line, from
 * `from` to `to` (NULL: empty), headed "--- from_label" and "+++
 * to_label"; appended to out. Equal texts give the headers and no hunk.
 * Texts too long to compare line by line in reasonable memory come out as
 * one hunk replacing every line. */
struct strbuf;
void drift_diff(const char *from, const char *to, const char *from_label, const char *to_label,
		struct strbuf *out);

#endif
