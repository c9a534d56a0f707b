/* dbtest: helpers for the database tests, which run under tests/db/pgrun
 * against a private cluster (TC_TEST_DSN). Every helper fails the running
 * cmocka test with the server's message instead of returning an error, so a
 * test reads as a list of steps. */
#ifndef TC_DBTEST_H
#define TC_DBTEST_H

/* The admin conninfo (database postgres) from TC_TEST_DSN; borrowed. Fails
 * the test, saying to use `make check`, when run outside pgrun. */
const char *dbtest_admin_dsn(void);
/* A fresh, uniquely named database copied from the empty tc_template.
 * Returns its keyword conninfo; caller frees. */
char *dbtest_new_db(void);
/* The same, copied from `template` (nobody may be connected to it). */
char *dbtest_new_db_from(const char *template);
/* Run sql (several statements allowed); an error fails the test. */
void dbtest_exec(const char *dsn, const char *sql);
/* The first column of the first row; NULL for SQL NULL. No row fails the
 * test. Caller frees. */
char *dbtest_scalar(const char *dsn, const char *sql);

#endif
