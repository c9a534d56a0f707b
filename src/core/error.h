/* error: status codes and the error object every core function fills.
 * A message says what failed, on which object, and what to do next; the
 * caller (CLI or TUI) decides how to show it. */
#ifndef TC_ERROR_H
#define TC_ERROR_H

/* The numeric values are the process exit codes documented in tenantctl(1). */
typedef enum tc_status {
	TC_OK = 0,
	TC_FINDINGS = 1,     /* a check command found something */
	TC_ERR_USAGE = 2,    /* bad arguments, malformed config or input file */
	TC_ERR_DB = 3,       /* connection or database error */
	TC_ERR_REFUSED = 4,  /* read-only, lock held, confirmation declined */
} tc_status;

typedef struct tc_error {
	tc_status status;
	char *message; /* owned; NULL when no error */
	char *hint;    /* owned; what to do next, may be NULL */
	char *sqlstate; /* owned; set for server errors */
} tc_error;

#define TC_ERROR_INIT {TC_OK, NULL, NULL, NULL}

/* Set the error (replacing any previous one) and return `status`, so callers
 * can write `return tc_fail(err, TC_ERR_USAGE, "...")`. err may be NULL. */
tc_status tc_fail(tc_error *err, tc_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* tc_fail with "PATH:LINE: " before the message, for errors in files. */
tc_status tc_fail_at(tc_error *err, tc_status status, const char *path, int line, const char *fmt,
		     ...) __attribute__((format(printf, 5, 6)));
/* Attach (replace) the hint of an error already set. */
void tc_hint(tc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix the message with context, e.g. "config file x: ". */
void tc_error_prefix(tc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tc_error_clear(tc_error *err);

#endif
