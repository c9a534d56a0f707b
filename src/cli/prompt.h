/* prompt: asking the operator at the terminal, for the CLI. */
#ifndef TC_PROMPT_H
#define TC_PROMPT_H

/* Read a password from /dev/tty with echo off. Returns a malloc'd string, or
 * NULL when there is no terminal. Matches conn_password_fn; ctx is unused.
 * Nothing read here goes to any history. */
char *prompt_password(const char *prompt, void *ctx);

#endif
