/* catalog: fills a schema model from pg_catalog (never information_schema),
 * with a handful of set-based queries in one REPEATABLE READ transaction,
 * search_path = '', ordered with COLLATE "C". */
#ifndef TC_CATALOG_H
#define TC_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "error.h"
#include "schema.h"

typedef struct catalog_opts {
	const char *const *schemas;         /* only these (NULL/0: all but system ones) */
	size_t n_schemas;
	const char *const *exclude_schemas; /* never these */
	size_t n_exclude;
	const char *table_glob;             /* only tables (and their parts) matching, NULL: all */
	bool privileges;                    /* read grants (category privileges) */
	bool row_counts;                    /* exact counts (count(*)), else estimates */
	bool estimates;                     /* estimated row counts as SCH_INFO (reltuples) */
	bool in_transaction;                /* read inside the caller's open transaction
					     * (migrate preview sees its own changes);
					     * the settings are undone afterwards */
} catalog_opts;

/* Read the live schema. out is sorted on success; free with sch_free. */
tc_status catalog_read(tc_conn *c, const catalog_opts *o, sch_model *out, tc_error *err);

#endif
