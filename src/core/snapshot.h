/* snapshot: the schema model as a versioned, line-oriented text file.
 *
 *   tenantctl-schema-snapshot 1 server 15
 *   column public.users.email
 *   column public.users.email not_null = true
 *   column public.users.email type = text
 *   table public.users
 *
 * After the header, one line per object ("KIND NAME") and one per attribute
 * ("KIND NAME KEY = VALUE"), sorted bytewise (C collation), so the same
 * schema always gives the same bytes, and a diff reads well. A value has
 * backslash, newline and carriage return escaped as \\ \n \r; deparsed
 * values are marked "KEY ~= VALUE", information-only ones "KEY := VALUE". */
#ifndef TC_SNAPSHOT_H
#define TC_SNAPSHOT_H

#include <stddef.h>

#include "error.h"
#include "schema.h"
#include "strbuf.h"

/* Write a sorted model. Lines listed in m->not_read become "# not read: ..."
 * comment lines after the header. */
void snapshot_write(const sch_model *m, strbuf *out);
/* Parse text (path names it in messages). TC_ERR_USAGE with "PATH:LINE:"
 * for a malformed line, an unknown format version, or a duplicate. The
 * model comes back sorted; free with sch_free. */
tc_status snapshot_parse(const char *text, size_t len, const char *path, sch_model *out,
			 tc_error *err);
tc_status snapshot_load(const char *path, sch_model *out, tc_error *err);
/* True when the file at path starts like a snapshot (to tell it from a DSN). */
int snapshot_looks_like(const char *path);

#endif
