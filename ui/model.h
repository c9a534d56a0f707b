/* model: what the console shows, copied out of the core. The panes draw
 * from this and never from core structs, so that the core calls can later
 * move to a worker thread without the panes noticing. */
#ifndef TC_UI_MODEL_H
#define TC_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "mig.h"
#include "session.h"

typedef struct model_mig_row {
	char *chain;      /* owned */
	char *version;    /* owned */
	char *name;       /* owned; "" when unknown */
	mig_state state;
	char *applied_at; /* owned; "" when not applied */
} model_mig_row;

typedef struct tui_model {
	char *target;         /* owned; "-" without a target */
	char *server_version; /* owned; "?" when not connected */
	char *user, *database;/* owned */
	bool connected;       /* false: m->message says why */
	bool writable;
	bool tls;
	size_t mig_pending;
	model_mig_row *mig;   /* owned */
	size_t n_mig;
	char *message;        /* owned; the last error, NULL when none */
} tui_model;

/* Fill m from the session: connection facts and every chain's migration
 * status. Never fails: what could not be read is left as a placeholder
 * and the reason kept in m->message. Free with model_free. */
void model_load(tui_model *m, tc_session *s);
void model_free(tui_model *m);

/* The symbol drawn for a state; meaning survives without colour. */
const char *model_state_symbol(mig_state st);

#endif
