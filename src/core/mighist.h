/* mighist: migration history tables: tenantctl's own, and the ones other
 * tools left in a deployment (read for status and adoption; written when a
 * chain is configured to keep using them). */
#ifndef TC_MIGHIST_H
#define TC_MIGHIST_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "error.h"

typedef enum hist_kind {
	HIST_TENANTCTL = 0, /* public.tenantctl_schema_migrations by default */
	HIST_DBMATE,        /* schema_migrations(version) */
	HIST_GOLANG,        /* schema_migrations(version bigint, dirty boolean), one row */
	HIST_FLYWAY,        /* flyway_schema_history */
	HIST_PRISMA,        /* _prisma_migrations */
	HIST_ALEMBIC,       /* alembic_version(version_num): read-only */
} hist_kind;

#define HIST_DEFAULT_TABLE "public.tenantctl_schema_migrations"

typedef struct hist_row {
	char *version;      /* owned */
	char *name;         /* owned; NULL when the tool keeps none */
	char *checksum;     /* owned; sha256 hex for tenantctl; NULL when unknown */
	char *started_at;   /* owned; ISO 8601 text from the server, NULL unknown */
	char *finished_at;  /* owned */
	long duration_ms;   /* -1 unknown */
	char *applied_by;   /* owned; "osuser/dbuser" or the tool's installed_by */
	bool failed;        /* a failed (non-transactional) run, or golang's dirty */
	int failed_statement; /* 1-based statement index of a failure, 0 unknown */
	char *error;        /* owned; the server's message for a failure */
} hist_row;

typedef struct hist_set {
	hist_kind kind;
	char *table;       /* owned; schema-qualified, unquoted "schema.table" */
	bool exists;       /* the table is there */
	hist_row *rows;    /* in the order applied */
	size_t n, cap;
} hist_set;

const char *hist_kind_name(hist_kind k); /* "tenantctl", "dbmate", ... */
bool hist_kind_parse(const char *s, hist_kind *out);
/* The table a tool uses by default ("public.schema_migrations", ...). */
const char *hist_default_table(hist_kind k);

/* Split "schema.table" (or "table": public) and check both parts are
 * plausible identifiers; TC_ERR_USAGE otherwise. Caller frees both. */
tc_status hist_split_name(const char *qualified, char **schema, char **table, tc_error *err);

/* Read a history table of the given kind. A missing table is not an error
 * (exists = false, no rows). Identifiers are checked against pg_catalog and
 * quoted. Free with hist_free. */
tc_status hist_read(tc_conn *c, hist_kind kind, const char *table, hist_set *out, tc_error *err);
void hist_free(hist_set *h);

/* The known foreign history tables present in the database (public schema
 * and the search_path's first schema), for status and adoption hints. */
tc_status hist_detect(tc_conn *c, hist_kind **kinds, size_t *n, tc_error *err);

/* Create tenantctl's own table if missing (needs a write session). */
tc_status hist_ensure(tc_conn *c, hist_kind kind, const char *table, tc_error *err);

/* Record a successful apply (inside the caller's transaction for a
 * transactional migration). Replaces a failed row of the same version. */
tc_status hist_record_applied(tc_conn *c, hist_kind kind, const char *table, const hist_row *r,
			      tc_error *err);
/* Record a failure of a non-transactional migration. */
tc_status hist_record_failed(tc_conn *c, hist_kind kind, const char *table, const hist_row *r,
			     tc_error *err);
/* Forget a version (after its down ran, or `migrate resolve --rolled-back`). */
tc_status hist_remove(tc_conn *c, hist_kind kind, const char *table, const char *version,
		      tc_error *err);

#endif
