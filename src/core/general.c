#include "config.h"

#include "general.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "conninfo.h"
#include "driftcmd.h"
#include "mig.h"
#include "session.h"
#include "strbuf.h"
#include "xalloc.h"

tc_status general_help(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	res_init(out, RES_TEXT);
	const cmd_spec *spec = NULL;
	if (call->nargs) {
		strbuf words = STRBUF_INIT;
		for (size_t i = 0; i < call->nargs; i++)
			sb_addf(&words, "%s%s", i ? " " : "", call->args[i]);
		spec = cmd_find(sb_str(&words));
		if (!spec) {
			tc_fail(err, TC_ERR_USAGE, "no command '%s'", sb_str(&words));
			tc_hint(err, "'tenantctl help' lists the commands");
			sb_free(&words);
			return TC_ERR_USAGE;
		}
		sb_free(&words);
	}
	cmd_help_text(&out->text, spec, !session_writable(s));
	return TC_OK;
}

tc_status general_version(struct tc_session *s, const cmd_call *call, tc_result *out,
			  tc_error *err)
{
	(void)s;
	(void)call;
	(void)err;
	res_init(out, RES_RECORD);
	res_add_col(out, "tenantctl", RES_T_TEXT);
	res_add_col(out, "libpq", RES_T_TEXT);
	size_t r = res_add_row(out);
	res_set(out, r, 0, PACKAGE_VERSION);
	int v = PQlibVersion();
	res_setf(out, r, 1, "%d.%d", v / 10000, v % 10000);
	return TC_OK;
}

/* "7 applied, 1 pending, ..." per chain, or why there is nothing to say.
 * info describes; a problem here is reported in the field, not as a failure. */
static void migrations_summary(struct tc_session *s, tc_conn *c, strbuf *out)
{
	mig_chains chains;
	mig_source_opts none = {0};
	tc_error err = TC_ERROR_INIT;
	if (mig_chains_resolve(session_target(s), &none, &chains, &err) != TC_OK) {
		sb_add(out, "(no migrations configured)");
		tc_error_clear(&err);
		return;
	}
	for (size_t i = 0; i < chains.n; i++) {
		mig_status st;
		if (i)
			sb_add(out, "; ");
		if (chains.n > 1)
			sb_addf(out, "%s: ", chains.v[i].name);
		if (mig_status_load(c, &chains.v[i], &st, &err) != TC_OK) {
			sb_addf(out, "unknown (%s)", err.message);
			tc_error_clear(&err);
			continue;
		}
		mig_status_summary(&st, out);
		if (st.lock_holder)
			sb_addf(out, " (locked by %s)", st.lock_holder);
		mig_status_free(&st);
	}
	mig_chains_free(&chains);
}

tc_status general_info(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	(void)call;
	tc_conn *c;
	tc_status st = session_conn(s, &c, err);
	if (st != TC_OK)
		return st;
	conn_info i;
	st = conn_info_read(c, &i, err);
	if (st != TC_OK)
		return st;
	static const struct {
		const char *name;
		res_type type;
	} cols[] = {
		{"target", RES_T_TEXT},
		{"server_version", RES_T_TEXT},
		{"user", RES_T_TEXT},
		{"database", RES_T_TEXT},
		{"host", RES_T_TEXT},
		{"port", RES_T_TEXT},
		{"conninfo", RES_T_TEXT},
		{"tls", RES_T_TEXT},
		{"mode", RES_T_TEXT},
		{"standby", RES_T_BOOL},
		{"statement_timeout", RES_T_TEXT},
		{"lock_timeout", RES_T_TEXT},
		{"idle_in_transaction_session_timeout", RES_T_TEXT},
		{"application_name", RES_T_TEXT},
		{"migrations", RES_T_TEXT},
		{"drift", RES_T_TEXT},
	};
	res_init(out, RES_RECORD);
	for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
		res_add_col(out, cols[k].name, cols[k].type);
	size_t r = res_add_row(out);
	size_t k = 0;
	res_set(out, r, k++, session_target_name(s));
	res_set(out, r, k++, i.server_version);
	res_set(out, r, k++, i.user);
	res_set(out, r, k++, i.database);
	res_set(out, r, k++, i.host);
	res_set(out, r, k++, i.port);
	res_set(out, r, k++, *i.conninfo_masked ? i.conninfo_masked : NULL);
	if (i.tls)
		res_setf(out, r, k++, "on (%s)", i.tls_protocol ? i.tls_protocol : "unknown protocol");
	else
		res_set(out, r, k++, "off");
	res_set(out, r, k++, i.session_read_only ? "read-only" : "read-write");
	res_set(out, r, k++, i.in_recovery ? "true" : "false");
	res_set(out, r, k++, i.statement_timeout);
	res_set(out, r, k++, i.lock_timeout);
	res_set(out, r, k++, i.idle_timeout);
	res_set(out, r, k++, i.application_name);
	strbuf mig = STRBUF_INIT;
	migrations_summary(s, c, &mig);
	res_set(out, r, k++, sb_str(&mig));
	sb_reset(&mig);
	driftcmd_info_line(s, &mig);
	res_set(out, r, k++, sb_str(&mig));
	sb_free(&mig);
	conn_info_free(&i);
	return TC_OK;
}

tc_status general_targets(struct tc_session *s, const cmd_call *call, tc_result *out,
			  tc_error *err)
{
	(void)call;
	(void)err;
	const cfg_file *cfg = session_config(s);
	res_init(out, RES_TABLE);
	res_add_col(out, "name", RES_T_TEXT);
	res_add_col(out, "connection", RES_T_TEXT);
	res_add_col(out, "write", RES_T_BOOL);
	res_add_col(out, "defined_at", RES_T_TEXT);
	for (size_t t = 0; t < cfg->n_targets; t++) {
		const cfg_target *tg = &cfg->targets[t];
		size_t r = res_add_row(out);
		res_set(out, r, 0, tg->name);
		const char *dsn = cfg_get(tg, "dsn");
		const char *service = cfg_get(tg, "service");
		if (dsn) {
			char *masked = conninfo_mask(dsn);
			res_set(out, r, 1, masked);
			free(masked);
		} else if (service) {
			res_setf(out, r, 1, "service=%s", service);
		} else {
			res_set(out, r, 1, "(PG* environment)");
		}
		res_set(out, r, 2, cfg_get_bool(tg, "write", false) ? "true" : "false");
		res_setf(out, r, 3, "%s:%d", cfg->path, tg->line);
	}
	if (!cfg->n_targets)
		res_set_summary(out, "no targets defined in %s",
				cfg->path ? cfg->path : "(no config file)");
	return TC_OK;
}
