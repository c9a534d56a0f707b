/* oplog: the operator audit log. Every write tenantctl makes appends one row
 * in the same transaction: who, from where, which command (secrets masked),
 * on what, how many rows, and the outcome. The reference schema creates the
 * table (public.tenantctl_operator_log); it rejects UPDATE and DELETE. */
#ifndef TC_OPLOG_H
#define TC_OPLOG_H

#include <stdbool.h>

#include "conn.h"
#include "error.h"

#define OPLOG_TABLE "tenantctl_operator_log"

typedef struct oplog_entry {
	const char *command; /* what the operator ran; masked by oplog_append */
	const char *target;  /* the object acted on ("migration 20240101_users") */
	long rows;           /* rows affected, -1 when not meaningful */
	const char *outcome; /* "applied", "rolled back", "preview (rolled back)", ... */
} oplog_entry;

/* Whether the deployment has the log table (public schema). */
tc_status oplog_available(tc_conn *c, bool *yes, tc_error *err);
/* Append one row, inside the caller's transaction. */
tc_status oplog_append(tc_conn *c, const oplog_entry *e, tc_error *err);

#endif
