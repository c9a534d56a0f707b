#include "config.h"

#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "error.h"
#include "xalloc.h"

static char *dup_or(const char *s, const char *fallback)
{
	return xstrdup(s ? s : fallback);
}

/* "2026-01-01T10:00:00Z" -> "2026-01-01 10:00": one width, minutes are
 * enough for a list (the times are UTC by construction of the history query). */
static char *short_time(const char *iso)
{
	if (!iso)
		return xstrdup("");
	char *t = xstrdup(iso);
	if (strlen(t) > 16)
		t[16] = '\0';
	char *sep = strchr(t, 'T');
	if (sep)
		*sep = ' ';
	return t;
}

static void keep_message(tui_model *m, tc_error *err)
{
	if (!m->message)
		m->message = xstrdup(err->message ? err->message : "unknown error");
	tc_error_clear(err);
}

static void add_rows(tui_model *m, const mig_status *st)
{
	m->mig = xrealloc(m->mig, (m->n_mig + st->n) * sizeof *m->mig);
	for (size_t i = 0; i < st->n; i++) {
		const mig_entry *e = &st->entries[i];
		model_mig_row *r = &m->mig[m->n_mig++];
		r->chain = xstrdup(st->chain->name);
		r->version = dup_or(e->version, "?");
		r->name = dup_or(e->name, "");
		r->state = e->state;
		r->applied_at = short_time(e->hist ? (e->hist->finished_at ? e->hist->finished_at
								      : e->hist->started_at)
						   : NULL);
		if (mig_entry_pending(e))
			m->mig_pending++;
	}
}

static void load_migrations(tui_model *m, tc_session *s, tc_conn *c)
{
	tc_error err = TC_ERROR_INIT;
	mig_chains chains = {0};
	mig_source_opts none = {0};
	if (mig_chains_resolve(session_target(s), &none, &chains, &err) != TC_OK) {
		keep_message(m, &err);
		return;
	}
	for (size_t i = 0; i < chains.n; i++) {
		mig_status st;
		if (mig_status_load(c, &chains.v[i], &st, &err) != TC_OK) {
			keep_message(m, &err);
			continue;
		}
		add_rows(m, &st);
		mig_status_free(&st);
	}
	mig_chains_free(&chains);
}

void model_load(tui_model *m, tc_session *s)
{
	memset(m, 0, sizeof *m);
	m->target = dup_or(session_target_name(s), "-");
	m->writable = session_writable(s);

	tc_error err = TC_ERROR_INIT;
	tc_conn *c = NULL;
	conn_info info;
	if (session_conn(s, &c, &err) != TC_OK) {
		keep_message(m, &err);
	} else if (conn_info_read(c, &info, &err) != TC_OK) {
		keep_message(m, &err);
	} else {
		/* "15.18 (Debian 15.18-0+deb12u1)": the number is what fits a header. */
		m->server_version = dup_or(info.server_version, "?");
		m->server_version[strcspn(m->server_version, " ")] = '\0';
		m->user = dup_or(info.user, "?");
		m->database = dup_or(info.database, "?");
		m->tls = info.tls;
		m->connected = true;
		conn_info_free(&info);
	}
	if (!m->server_version) {
		m->server_version = xstrdup("?");
		m->user = xstrdup("?");
		m->database = xstrdup("?");
	}
	if (c)
		load_migrations(m, s, c);
}

void model_free(tui_model *m)
{
	for (size_t i = 0; i < m->n_mig; i++) {
		free(m->mig[i].chain);
		free(m->mig[i].version);
		free(m->mig[i].name);
		free(m->mig[i].applied_at);
	}
	free(m->mig);
	free(m->target);
	free(m->server_version);
	free(m->user);
	free(m->database);
	free(m->message);
	memset(m, 0, sizeof *m);
}

const char *model_state_symbol(mig_state st)
{
	switch (st) {
	case MS_APPLIED: return "✓";
	case MS_PENDING: return "·";
	case MS_MISSING: return "?";
	case MS_EDITED: return "~";
	case MS_OUT_OF_ORDER: return "↕";
	case MS_DUPLICATE: return "=";
	case MS_FAILED: return "✗";
	default: return " ";
	}
}
