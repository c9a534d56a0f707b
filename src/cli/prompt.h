/* prompt: asking the operator at the terminal, for the CLI. */
#ifndef TC_PROMPT_H
#define TC_PROMPT_H

#include <stdbool.h>

/* Read a password from /dev/tty with echo off. Returns a malloc'd string, or
 * NULL when there is no terminal. Matches conn_password_fn; ctx is unused.
 * Nothing read here goes to any history. */
char *prompt_password(const char *prompt, void *ctx);

/* Show a previewed change on stderr and ask "Apply? [y/N]" on /dev/tty;
 * ctx points at a bool that is true when --yes was given. No terminal and no
 * --yes: false (nothing is applied). */
bool prompt_confirm(void *ctx, const char *preview);

#endif
