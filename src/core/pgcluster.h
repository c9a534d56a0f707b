/* pgcluster: a private PostgreSQL cluster started by tenantctl itself, for
 * the test harness and for `tenantctl demo`. initdb into a directory, Unix
 * socket only (listen_addresses = ''), fsync off. When run as root, the
 * server programs run as the `postgres` user, because initdb refuses root. */
#ifndef TC_PGCLUSTER_H
#define TC_PGCLUSTER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

typedef struct pgcluster {
	char *bindir;     /* owned; folder of initdb, pg_ctl, postgres */
	char *datadir;    /* owned; the cluster's data directory */
	char *socketdir;  /* owned; where the Unix socket lives */
	char *logfile;    /* owned; the server log */
	int port;         /* only names the socket file: .s.PGSQL.<port> */
	char *superuser;  /* owned; "postgres" */
	uid_t run_uid;    /* uid the server runs as */
	gid_t run_gid;
	bool started;
} pgcluster;

/* Find the server programs: $TC_PG_BINDIR, then `pg_config --bindir`, then
 * the newest /usr/lib/postgresql/N/bin. NULL when there are none; *why then
 * says what to install (caller frees both). */
char *pgcluster_find_bindir(char **why);

/* Prepare a cluster description for datadir (created if needed); no server
 * is started. Caller frees with pgcluster_free. */
tc_status pgcluster_init_struct(pgcluster *pc, const char *bindir, const char *datadir,
				tc_error *err);
/* True when datadir already holds an initialised cluster. */
bool pgcluster_exists(const pgcluster *pc);
/* initdb (trust auth, superuser "postgres", UTF8, C collation, no sync). */
tc_status pgcluster_initdb(pgcluster *pc, tc_error *err);
/* Start the server and wait until it accepts connections. */
tc_status pgcluster_start(pgcluster *pc, tc_error *err);
/* Stop (fast mode). Safe to call when not started. */
tc_status pgcluster_stop(pgcluster *pc, tc_error *err);
/* Remove the data directory recursively (after stop). */
tc_status pgcluster_remove(pgcluster *pc, tc_error *err);
/* A keyword connection string for database `dbname` on this cluster.
 * Caller frees. */
char *pgcluster_dsn(const pgcluster *pc, const char *dbname);
void pgcluster_free(pgcluster *pc);

#endif
