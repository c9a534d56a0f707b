/* session: what one invocation works against: the config file, the chosen
 * target, whether writes were asked for, and (lazily) the connection. */
#ifndef TC_SESSION_H
#define TC_SESSION_H

#include <stdbool.h>

#include "cmdtab.h"
#include "cfgfile.h"
#include "conn.h"
#include "error.h"

typedef struct tc_session tc_session;

/* Load the config file (g->config, else the default path) and resolve the
 * target: -t NAME from the file; -d/--service override its connection.
 * Does not connect. Borrows nothing from g. Free with session_close. */
tc_status session_open(const cmd_globals *g, conn_password_fn ask_password, void *ask_ctx,
		       tc_session **out, tc_error *err);
/* A second session for the same target and settings (g as given to
 * session_open for s), for work on another thread. When s is connected the
 * sibling connects at once, with s's parameters and any password already
 * typed, so nothing is asked again. Close it before s. */
tc_status session_open_sibling(tc_session *s, const cmd_globals *g, tc_session **out,
			      tc_error *err);
/* The connection, opened on first use; borrowed. */
tc_status session_conn(tc_session *s, tc_conn **out, tc_error *err);
/* Cancel the statement running on the session's connection, from another
 * thread than the one using the session (the TUI's Ctrl-C while its worker
 * runs a query). Safe when there is no connection or it is idle. */
void session_cancel(tc_session *s);
/* A connection a command opened beside the session's (drift reads its
 * reference on one): session_cancel cancels it too until unwatched, which
 * must come before it is closed. false when too many are watched already
 * (it then runs uncancellable). Thread-safe. */
bool session_watch(tc_session *s, tc_conn *c);
void session_unwatch(tc_session *s, tc_conn *c);
/* The connection exists and is broken (the server ended it, the network
 * went): ask after a failure whether to offer a reconnect. */
bool session_connection_lost(tc_session *s);
/* Replace the connection with a new one with the same parameters and
 * session settings (without asking for a password again); with no
 * connection yet, just open it. On failure the old connection stays (a lost
 * one stays lost) and a later call tries again. */
tc_status session_reconnect(tc_session *s, tc_error *err);
/* Writes asked for (--write, or write = true on the target). */
bool session_writable(const tc_session *s);
/* The target section (NULL without -t); borrowed. */
const cfg_target *session_target(const tc_session *s);
const char *session_target_name(const tc_session *s);
const cfg_file *session_config(const tc_session *s);
/* A setting for the target: the config file's value, NULL when unset. */
const char *session_setting(const tc_session *s, const char *key);
/* Where long-running commands report progress ("applying 2024... ok");
 * the CLI prints it on stderr, the TUI in its status line. */
typedef void (*session_progress_fn)(void *ctx, const char *line);
void session_set_progress(tc_session *s, session_progress_fn fn, void *ctx);
session_progress_fn session_progress(const tc_session *s, void **ctx);

/* Asks the operator whether to apply a previewed change; the default is No.
 * The CLI asks on the terminal (or takes --yes); the TUI shows a dialog. */
typedef bool (*session_confirm_fn)(void *ctx, const char *preview);
void session_set_confirm(tc_session *s, session_confirm_fn fn, void *ctx);
/* The confirm callback in force (NULL when none) and its ctx, to restore it. */
session_confirm_fn session_confirm_handler(const tc_session *s, void **ctx);
/* false when no one can be asked. */
bool session_confirm(tc_session *s, const char *preview);

/* The tenancy profile chosen on the command line (--profile), NULL if none. */
const char *session_profile_option(const tc_session *s);
/* The loaded profile, cached for the session (see profile_for_session);
 * the session owns and frees what it is given. */
struct tc_profile;
struct tc_profile *session_profile(const tc_session *s);
void session_keep_profile(tc_session *s, struct tc_profile *p);

void session_close(tc_session *s);

#endif
