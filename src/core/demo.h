/* demo: an embedded demo deployment. A private PostgreSQL cluster in a
 * per-user data directory (reused next time), with every reference
 * migration applied but the newest (so one is pending) and the demo data,
 * planted audit findings included, loaded; then planted schema drift
 * (db/seed/demo-drift.sql) against a second database, the drift reference,
 * which has every migration and nothing else. */
#ifndef TC_DEMO_H
#define TC_DEMO_H

#include <stdbool.h>

#include "cmdtab.h"
#include "error.h"

#define DEMO_DATABASE "tenantctl_demo"
/* Every reference migration applied and nothing else: the demo's drift
 * reference. */
#define DEMO_REFERENCE_DATABASE "tenantctl_demo_ref"

typedef struct demo_info {
	char *datadir; /* owned */
	char *dsn;     /* owned; keyword conninfo of the demo database */
	char *migrations_dir; /* owned; the reference migrations used */
	char *config;  /* owned; a config file with [target demo] (see demo_start) */
	char *reference_dsn; /* owned; the drift reference (every migration, no data) */
	char *allowlist;     /* owned; DATADIR.allowlist, the demo target's allowlist */
	bool created;  /* built from scratch this time */
} demo_info;

/* Where the demo lives: $TENANTCTL_DEMO_DIR, else
 * $XDG_DATA_HOME/tenantctl/demo (~/.local/share/tenantctl/demo). As root,
 * when the postgres user cannot reach that folder, /var/lib/tenantctl/demo.
 * Caller frees. */
char *demo_datadir(void);

/* The folder holding the reference schema and seed (db/): $TC_DATADIR,
 * the installed copy, else the source tree tenantctl was built from.
 * Caller frees; NULL when none is there. */
char *demo_db_dir(void);

/* Start the demo (building it first when needed, or anew with fresh).
 * Writes DATADIR.conf, a config file whose [target demo] names the demo's
 * connection, migrations, drift reference and allowlist, so the console
 * opens on it like on any target; it is rewritten at every start. The
 * allowlist, DATADIR.allowlist, is created when missing and never
 * rewritten (rules saved from the console go there). */
tc_status demo_start(bool fresh, void (*progress)(void *, const char *), void *ctx,
		     demo_info *out, tc_error *err);
/* Stop its server; fine when it is not running. */
tc_status demo_stop(tc_error *err);
void demo_info_free(demo_info *d);

/* The `demo` command. */
tc_status demo_cmd(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

#endif
