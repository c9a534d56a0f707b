/* tuirun: golden-screen tests of the console. The TUI runs on a virtual
 * screen driven by TENANTCTL_TUI_SCRIPT, dumps what it shows, and each dump
 * is compared with tests/tui/golden/NAME.txt.
 *
 * Normalisation before comparing (the only parts that vary between runs):
 *   - the server version after "pg " becomes "VER" (clusters differ);
 *   - every date ("YYYY-MM-DD", with "Thh:mm..." or " hh:mm" after it,
 *     whole or clipped) has its digits replaced by '9' (times are today's);
 *   - a number standing alone at the end of a row saying "applied " (the
 *     duration in ms, the last column an 80-column screen shows) becomes a
 *     right-aligned 9;
 *   - "pid N" becomes "pid PID" (who holds a lock);
 *   - the source tree's path becomes SRC (migration files are named), and
 *     a fixture's folder /tmp/tc-tui-XXXXXX.
 * The fixture itself sets who applied each migration (ops/ops) and how long
 * it took (5 ms).
 * The database gets a fixed name so user@database is stable.
 * TC_UPDATE_GOLDEN=1 rewrites the expected files instead of comparing;
 * read the new ones by eye before committing them. */
#ifndef TC_TUIRUN_H
#define TC_TUIRUN_H

#include <stdbool.h>

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A database with every reference migration applied but the last (one
 * pending), a temporary folder and a config file whose [target golden]
 * names them (write = true when writes). */
typedef struct fixture {
	char dir[32];
	char *cfg, *dsn, *migdir;
} fixture;

void fixture_make(fixture *f, const char *name, bool writes);
/* Also: seed loads db/seed/demo.sql (the demo's orgs, members and planted
 * findings); extra_cfg is appended to the target's section (NULL: none). */
void fixture_make_with(fixture *f, const char *name, bool writes, bool seed, const char *extra_cfg);
void fixture_free(fixture *f);

/* Run the console on the fixture with `steps` (script lines; a line
 * "dump NAME" dumps the screen and compares it with golden NAME). extra_env
 * is one more NAME=value (NULL: NO_COLOR=1). Fails the test when the
 * console exits non-zero. Returns its stderr (caller frees). */
char *run_console(fixture *f, const char *steps, const char *size, const char *extra_env);
/* Compare a dump with golden `name` (or rewrite it, TC_UPDATE_GOLDEN=1). */
void check_golden(const char *dump_path, const char *name);
char *normalise(const char *text);
/* Whole file, NULL when unreadable; caller frees. */
char *slurp(const char *path);
/* Write text to path, failing the test on error. */
void spit(const char *path, const char *text);

#endif
