/* migsrc: migration files on disk, in the formats operators already use.
 *
 *   native / dbmate  VERSION_name.sql with "-- migrate:up [transaction:false]"
 *                    and "-- migrate:down" sections
 *   golang-migrate   N_name.up.sql and N_name.down.sql
 *   flyway           V<ver>__desc.sql, U<ver>__desc.sql (undo), R__desc.sql
 *                    (repeatable: re-applied when its checksum changes)
 *   prisma           <timestamp>_<name>/migration.sql (no down)
 */
#ifndef TC_MIGSRC_H
#define TC_MIGSRC_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum mig_format {
	MIG_FMT_AUTO = 0,
	MIG_FMT_NATIVE, /* dbmate's file format */
	MIG_FMT_DBMATE, /* the same files; history in dbmate's schema_migrations */
	MIG_FMT_GOLANG,
	MIG_FMT_FLYWAY,
	MIG_FMT_PRISMA,
} mig_format;

typedef struct mig_file {
	char *version;   /* owned; as written in the file name */
	char *name;      /* owned; the descriptive part */
	char *up_path;   /* owned; the file holding the up SQL */
	char *down_path; /* owned; file holding the down SQL (may equal up_path); NULL: none */
	char *up_sql;    /* owned */
	char *down_sql;  /* owned; NULL when the migration has no down */
	int up_line;     /* line in up_path where the up SQL starts (for messages) */
	int down_line;
	bool no_tx;      /* the file asked for transaction:false */
	bool down_no_tx; /* the down section asked for transaction:false */
	bool repeatable; /* Flyway R__: version is NULL-like "" and ordering is by name */
	bool duplicate;  /* another file claims the same version */
	char checksum[65]; /* sha256_sql_hex of up_sql */
} mig_file;

typedef struct mig_dir {
	mig_format format; /* as detected or given */
	char *dir;         /* owned */
	mig_file *files;   /* sorted by version (repeatables last, by name) */
	size_t n, cap;
} mig_dir;

const char *migsrc_format_name(mig_format f);
/* "native", "dbmate", "golang-migrate", "flyway", "prisma"; false if unknown. */
bool migsrc_format_parse(const char *s, mig_format *out);

/* Guess the format from the folder's file names; MIG_FMT_AUTO when the
 * folder is empty or mixed. */
mig_format migsrc_detect(const char *dir);

/* Read every migration of `dir`. fmt AUTO detects. Files that do not fit
 * the format, a malformed file (no "-- migrate:up"; a down file with no up)
 * and an unreadable file are TC_ERR_USAGE naming the path (and line).
 * Duplicates are not an error here: both files are kept, flagged. */
tc_status migsrc_load(const char *dir, mig_format fmt, mig_dir *out, tc_error *err);
void migsrc_free(mig_dir *d);

/* Order of versions: digit runs compare as numbers, so 9 < 10 and
 * 1.2 < 1.10; "_" and "." separate parts (Flyway's 1_2 is 1.2). */
int migsrc_version_cmp(const char *a, const char *b);

/* Write a new, empty migration named `name` with the next version in the
 * folder's format (a UTC timestamp YYYYMMDDHHMMSS for native, dbmate and
 * prisma; last + 1 for golang-migrate and flyway). *path gets the file
 * written (caller frees). Refuses to overwrite. */
tc_status migsrc_new(const char *dir, mig_format fmt, const char *name, char **path,
		     tc_error *err);

#endif
