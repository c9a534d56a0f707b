#include "config.h"

#include "app.h"

/* Placeholder until the pane is built (issue 7). */
const pane_ops mempane_ops = {"Members", "Tab/1-4 panes  : command  ? help  q quit", NULL, NULL, NULL, NULL};
