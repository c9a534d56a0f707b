/* clirun: run the built tenantctl binary the way an operator or a script
 * would, and capture what it prints. For tests of exit codes and messages. */
#ifndef TC_CLIRUN_H
#define TC_CLIRUN_H

typedef struct cli_out {
	int status; /* exit code; 128+signal when killed */
	char *out;  /* stdout, owned */
	char *err;  /* stderr, owned */
} cli_out;

/* Run $TC_BUILDDIR/tenantctl with argv (NULL-terminated, without argv[0]).
 * env: NULL-terminated "NAME=value" to set, or "NAME" to unset; may be NULL.
 * stdin is /dev/null. */
cli_out cli_run(const char *const *argv, const char *const *env);
void cli_out_free(cli_out *o);

#endif
