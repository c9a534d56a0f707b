/* reconcile: SQL that turns the live schema into the reference, in
 * dependency order. Destructive statements (drops, narrowing type changes,
 * enum rebuilds that lose labels) are emitted only when unsafe is set, and
 * are marked with a comment; otherwise they are listed as skipped. */
#ifndef TC_RECONCILE_H
#define TC_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>

#include "drift.h"
#include "error.h"
#include "strbuf.h"

typedef struct reconcile_opts {
	bool unsafe;
	bool include_allowed; /* also reconcile allowlisted items (default: leave them) */
} reconcile_opts;

/* Append the statements to out. *skipped counts destructive statements left
 * out (unsafe off); they are listed as comments at the end. */
tc_status reconcile_sql(const drift_report *r, const reconcile_opts *o, strbuf *out,
			size_t *skipped, tc_error *err);

#endif
