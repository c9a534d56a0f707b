/* tui: the console that `tenantctl` without a command opens. */
#ifndef TC_UI_TUI_H
#define TC_UI_TUI_H

#include "cmdtab.h"
#include "session.h"

/* Run the console until the operator quits; returns the exit code.
 * With TENANTCTL_TUI_SCRIPT=FILE the keys come from FILE and the screen is
 * virtual (see script.h); otherwise the terminal is used. */
int tui_main(tc_session *s, const cmd_globals *g);
/* Whether tui_main has something to draw on: a terminal on stdout, or a
 * script. Without either the CLI prints its help instead of hanging. */
bool tui_available(void);

#endif
