#include "config.h"

#include "session.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "strbuf.h"
#include "xalloc.h"

struct tc_session {
	cfg_file cfg;
	const cfg_target *target; /* borrowed from cfg */
	char *dsn, *service;      /* resolved connection */
	bool write;
	conn_password_fn ask_password;
	void *ask_ctx;
	/* Written only by the thread that uses the session, always under
	 * conn_mu, so session_cancel can reach the connection from another
	 * thread without it being closed under its feet. */
	tc_conn *conn;
	pthread_mutex_t conn_mu;
	/* Other connections a command opened for a while (drift's reference),
	 * cancelled with the session's own; under conn_mu. */
	tc_conn *watched[4];
	session_progress_fn progress;
	void *progress_ctx;
	session_confirm_fn confirm;
	void *confirm_ctx;
	char *profile_opt;
	struct tc_profile *profile; /* owned, checked against the database */
};

static void list_targets(strbuf *sb, const cfg_file *cfg)
{
	for (size_t i = 0; i < cfg->n_targets; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", cfg->targets[i].name);
}

tc_status session_open(const cmd_globals *g, conn_password_fn ask_password, void *ask_ctx,
		       tc_session **out, tc_error *err)
{
	*out = NULL;
	tc_session *s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->conn_mu, NULL);
	char *path = g->config ? xstrdup(g->config) : cfg_default_path();
	tc_status st = TC_OK;
	if (path)
		st = cfg_load(path, g->config != NULL, &s->cfg, err);
	free(path);
	if (st != TC_OK) {
		pthread_mutex_destroy(&s->conn_mu);
		free(s);
		return st;
	}
	if (g->target) {
		s->target = cfg_target_find(&s->cfg, g->target);
		if (!s->target) {
			strbuf known = STRBUF_INIT;
			list_targets(&known, &s->cfg);
			tc_fail(err, TC_ERR_USAGE, "no target named '%s' in %s", g->target,
				s->cfg.path ? s->cfg.path : "the config file (there is none)");
			if (known.len)
				tc_hint(err, "known targets: %s", sb_str(&known));
			else
				tc_hint(err, "define it as a [target %s] section; see tenantctl.conf(5)",
					g->target);
			sb_free(&known);
			session_close(s);
			return TC_ERR_USAGE;
		}
	}
	/* The command line overrides the target's connection, the way psql's
	 * -d overrides PGDATABASE. */
	const char *dsn = g->dsn ? g->dsn : cfg_get(s->target, "dsn");
	const char *service = g->service ? g->service : cfg_get(s->target, "service");
	s->dsn = dsn ? xstrdup(dsn) : NULL;
	s->service = service ? xstrdup(service) : NULL;
	s->write = g->write || cfg_get_bool(s->target, "write", false);
	s->profile_opt = g->profile ? xstrdup(g->profile) : NULL;
	s->ask_password = ask_password;
	s->ask_ctx = ask_ctx;
	*out = s;
	return TC_OK;
}

/* Publish (or withdraw, with NULL) the session's connection. */
static void set_conn(tc_session *s, tc_conn *c)
{
	pthread_mutex_lock(&s->conn_mu);
	s->conn = c;
	pthread_mutex_unlock(&s->conn_mu);
}

tc_status session_conn(tc_session *s, tc_conn **out, tc_error *err)
{
	if (!s->conn) {
		tc_conn *c = NULL;
		conn_params p = {
			.dsn = s->dsn,
			.service = s->service,
			.write = s->write,
			.statement_timeout = cfg_get(s->target, "statement_timeout"),
			.lock_timeout = cfg_get(s->target, "lock_timeout"),
			.idle_timeout = cfg_get(s->target, "idle_in_transaction_session_timeout"),
			.ask_password = s->ask_password,
			.ask_password_ctx = s->ask_ctx,
		};
		tc_status st = conn_open(&p, &c, err);
		if (st != TC_OK)
			return st;
		set_conn(s, c);
	}
	*out = s->conn;
	return TC_OK;
}

tc_status session_open_sibling(tc_session *s, const cmd_globals *g, tc_session **out,
			      tc_error *err)
{
	tc_status st = session_open(g, s->ask_password, s->ask_ctx, out, err);
	if (st != TC_OK || !s->conn)
		return st;
	tc_conn *c = NULL;
	st = conn_reopen(s->conn, &c, err);
	if (st != TC_OK) {
		session_close(*out);
		*out = NULL;
		return st;
	}
	set_conn(*out, c);
	return TC_OK;
}

void session_cancel(tc_session *s)
{
	pthread_mutex_lock(&s->conn_mu);
	if (s->conn)
		conn_cancel(s->conn);
	for (size_t i = 0; i < sizeof s->watched / sizeof s->watched[0]; i++)
		if (s->watched[i])
			conn_cancel(s->watched[i]);
	pthread_mutex_unlock(&s->conn_mu);
}

bool session_watch(tc_session *s, tc_conn *c)
{
	bool ok = false;
	pthread_mutex_lock(&s->conn_mu);
	for (size_t i = 0; i < sizeof s->watched / sizeof s->watched[0] && !ok; i++)
		if (!s->watched[i]) {
			s->watched[i] = c;
			ok = true;
		}
	pthread_mutex_unlock(&s->conn_mu);
	return ok;
}

void session_unwatch(tc_session *s, tc_conn *c)
{
	pthread_mutex_lock(&s->conn_mu);
	for (size_t i = 0; i < sizeof s->watched / sizeof s->watched[0]; i++)
		if (s->watched[i] == c)
			s->watched[i] = NULL;
	pthread_mutex_unlock(&s->conn_mu);
}

bool session_connection_lost(tc_session *s)
{
	return s->conn && conn_lost(s->conn);
}

tc_status session_reconnect(tc_session *s, tc_error *err)
{
	if (!s->conn) {
		tc_conn *c;
		return session_conn(s, &c, err);
	}
	/* From the old connection's parameters, so a password typed for it is
	 * not asked for again; when that fails the old one stays, for the next
	 * attempt. */
	tc_conn *c = NULL;
	tc_status st = conn_reopen(s->conn, &c, err);
	if (st != TC_OK)
		return st;
	tc_conn *old = s->conn;
	set_conn(s, c);
	conn_close(old);
	return TC_OK;
}

bool session_writable(const tc_session *s)
{
	return s->write;
}

const cfg_target *session_target(const tc_session *s)
{
	return s->target;
}

const char *session_target_name(const tc_session *s)
{
	return s->target ? s->target->name : NULL;
}

const cfg_file *session_config(const tc_session *s)
{
	return &s->cfg;
}

const char *session_setting(const tc_session *s, const char *key)
{
	return cfg_get(s->target, key);
}

void session_set_progress(tc_session *s, session_progress_fn fn, void *ctx)
{
	s->progress = fn;
	s->progress_ctx = ctx;
}

session_progress_fn session_progress(const tc_session *s, void **ctx)
{
	*ctx = s->progress_ctx;
	return s->progress;
}

void session_set_confirm(tc_session *s, session_confirm_fn fn, void *ctx)
{
	s->confirm = fn;
	s->confirm_ctx = ctx;
}

session_confirm_fn session_confirm_handler(const tc_session *s, void **ctx)
{
	*ctx = s->confirm_ctx;
	return s->confirm;
}

bool session_confirm(tc_session *s, const char *preview)
{
	return s->confirm && s->confirm(s->confirm_ctx, preview);
}

const char *session_profile_option(const tc_session *s)
{
	return s->profile_opt;
}

struct tc_profile *session_profile(const tc_session *s)
{
	return s->profile;
}

void session_keep_profile(tc_session *s, struct tc_profile *p)
{
	if (s->profile) {
		profile_free(s->profile);
		free(s->profile);
	}
	s->profile = p;
}

void session_close(tc_session *s)
{
	if (!s)
		return;
	session_keep_profile(s, NULL);
	free(s->profile_opt);
	conn_close(s->conn);
	pthread_mutex_destroy(&s->conn_mu);
	cfg_free(&s->cfg);
	free(s->dsn);
	free(s->service);
	free(s);
}
