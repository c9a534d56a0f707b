/* objlist: a flat list of the objects in the user schemas (kind, qualified
 * name, and a signature that changes when the object does), read in one
 * query. `migrate preview` diffs two of these to say what a migration adds,
 * drops and changes. An interim stand-in for the drift engine (issue 4),
 * which will replace it. */
#ifndef TC_OBJLIST_H
#define TC_OBJLIST_H

#include "conn.h"
#include "db.h"
#include "error.h"

/* Rows (kind, name, signature) ordered by kind, name in C collation. */
tc_status objlist_read(tc_conn *c, db_rows *out, tc_error *err);

/* Called for each difference: what is "added", "dropped" or "changed"; the
 * detail of a change is "before -> after". */
typedef void (*objlist_diff_fn)(void *ctx, const char *what, const char *kind, const char *name,
				const char *detail);
/* Walk two sorted lists and report the differences. */
void objlist_diff(const db_rows *before, const db_rows *after, objlist_diff_fn fn, void *ctx);

#endif
