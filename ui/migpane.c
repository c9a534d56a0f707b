/* The Migrations pane: every chain's migrations with their states (from
 * `migrate status`), the SQL of one (Enter), a preview of the next (p) and
 * applying it after a confirmation (M). */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "frame.h"
#include "mig.h"
#include "migsrc.h"
#include "session.h"
#include "sqlsplit.h"
#include "xalloc.h"

enum { MP_STATUS = 1, MP_SQL, MP_PREVIEW, MP_PLAN, MP_APPLY };
enum { SC_LIST = 1, SC_SQL, SC_PREVIEW, SC_APPLIED };

static const struct {
	const char *state, *symbol;
	tview_style style;
} states[] = {
	{"applied", "✓", TVS_GOOD},   {"pending", "·", TVS_WARN},   {"missing", "?", TVS_BAD},
	{"edited", "~", TVS_BAD},     {"out-of-order", "↕", TVS_BAD}, {"duplicate", "=", TVS_BAD},
	{"failed", "✗", TVS_BAD},
};

static int state_index(const char *cell)
{
	if (!cell)
		return -1;
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		size_t n = strlen(states[i].symbol);
		/* cells are "✓ applied" once decorated */
		const char *name = strncmp(cell, states[i].symbol, n) == 0 ? cell + n + 1 : cell;
		if (strcmp(name, states[i].state) == 0)
			return (int)i;
	}
	return -1;
}

static tview_style row_style(const tc_result *r, size_t row, void *ctx)
{
	(void)ctx;
	for (size_t c = 0; c < r->ncols; c++)
		if (strcmp(r->cols[c].name, "state") == 0) {
			int i = state_index(res_get(r, row, c));
			return i < 0 ? TVS_NORMAL : states[i].style;
		}
	return TVS_NORMAL;
}

static size_t col_of(const tc_result *r, const char *name)
{
	for (size_t c = 0; c < r->ncols; c++)
		if (strcmp(r->cols[c].name, name) == 0)
			return c;
	return (size_t)-1;
}

/* Symbols in the state column (meaning without colour), minutes in times. */
static long decorate(tc_result *r)
{
	size_t st = col_of(r, "state"), at = col_of(r, "applied_at");
	long pending = 0;
	for (size_t row = 0; row < r->nrows; row++) {
		if (st != (size_t)-1) {
			const char *v = res_get(r, row, st);
			int i = state_index(v);
			if (i >= 0) {
				if (strcmp(states[i].state, "pending") == 0)
					pending++;
				res_setf(r, row, st, "%s %s", states[i].symbol, states[i].state);
			}
		}
		if (at != (size_t)-1 && res_get(r, row, at)) {
			char *t = xstrdup(res_get(r, row, at));
			if (strlen(t) > 16)
				t[16] = '\0';
			char *sep = strchr(t, 'T');
			if (sep)
				*sep = ' ';
			res_set(r, row, at, t);
			free(t);
		}
	}
	return pending;
}

static void load(tui_app *a, pane *p)
{
	static const char *const argv[] = {"migrate", "status", NULL};
	app_submit_argv(a, p, MP_STATUS, argv);
}

/* The summary's first line is the title; the lines after it (who holds the
 * migration lock, another tool's history not yet adopted) are notices drawn
 * above the list, kept in p->data. */
static void status_done(tui_app *a, pane *p, worker_job *j)
{
	if (j->status != TC_OK)
		return;
	tc_result *r = &j->result;
	a->hdr.mig_pending = decorate(r);
	app_add_words(a, APP_WORDS_VERSION, r, "version");
	const char *summary = r->summary ? r->summary : "";
	size_t first = strcspn(summary, "\n");
	free(p->data);
	p->data = summary[first] ? xstrdup(summary + first + 1) : NULL;
	char *title = xasprintf("Migrations: %.*s", (int)first, summary);
	if (p->depth == 0) {
		screen *sc = app_push_table(a, p, title, SC_LIST, NULL, r);
		tview_set_key_col(sc->table, "version");
		tview_set_group_col(sc->table, "chain");
		tview_hide_col(sc->table, "chain");
		tview_set_style(sc->table, row_style, NULL);
		sc->empty = xstrdup("No migrations found: set `migrations` for the target, or run "
				    "from a folder with db/migrations.");
	} else {
		screen *root = p->stack[0];
		tview_set_result(root->table, r);
		free(root->title);
		root->title = xstrdup(title);
	}
	free(title);
}

/* ------------------------------------------------------------ Enter: SQL */

typedef struct sql_ask {
	char *chain, *version;
	char *note; /* the status's note (a failed statement and its recovery) */
} sql_ask;

static void sql_ask_free(sql_ask *q)
{
	free(q->chain);
	free(q->version);
	free(q->note);
	free(q);
}

/* path inside the chain's folder, for display: the folder is the target's
 * setting, the file name is what tells migrations apart. Borrowed. */
static const char *in_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 0 && dir[n - 1] == '/')
		n--;
	if (strncmp(path, dir, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

/* text as "-- " comment lines of at most width columns, broken at blanks. */
static void comment_wrapped(strbuf *t, const char *text, size_t width)
{
	while (*text) {
		size_t len = strlen(text);
		size_t cut = len;
		if (len > width) {
			cut = width;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		sb_addf(t, "-- %.*s\n", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

/* On the worker: the up and down SQL of one migration, from its files. */
static tc_status sql_job(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	sql_ask *q = ctx;
	mig_source_opts o = {.chain = q->chain};
	mig_chains chains = {0};
	if (mig_chains_resolve(session_target(s), &o, &chains, err) != TC_OK)
		return err->status;
	tc_status rc = TC_OK;
	res_init(out, RES_TEXT);
	strbuf *t = &out->text;
	if (q->note && *q->note) {
		comment_wrapped(t, q->note, 76);
		sb_addc(t, '\n');
	}
	bool found = false;
	for (size_t i = 0; i < chains.n && !found && rc == TC_OK; i++) {
		mig_dir d;
		rc = migsrc_load(chains.v[i].dir, chains.v[i].format, &d, err);
		for (size_t f = 0; rc == TC_OK && f < d.n && !found; f++) {
			const mig_file *m = &d.files[f];
			if (strcmp(m->version, q->version) != 0)
				continue;
			found = true;
			const char *dir = chains.v[i].dir;
			sb_addf(t, "-- up: %s:%d%s\n%s\n", in_dir(m->up_path, dir), m->up_line,
				m->no_tx ? " (outside a transaction)" : "", m->up_sql);
			if (m->down_sql)
				sb_addf(t, "\n-- down: %s:%d\n%s\n", in_dir(m->down_path, dir),
					m->down_line, m->down_sql);
			else
				sb_add(t, "\n-- down: none (this migration cannot be rolled back)\n");
		}
		if (rc == TC_OK)
			migsrc_free(&d);
	}
	mig_chains_free(&chains);
	if (rc == TC_OK && !found)
		sb_addf(t, "-- %s has no file: it is recorded as applied but its file is gone.\n",
			q->version);
	return rc;
}

static void open_sql(tui_app *a, pane *p, screen *sc)
{
	size_t row = tview_cursor_row(sc->table);
	if (row == (size_t)-1)
		return;
	sql_ask *q = xcalloc(1, sizeof *q);
	q->chain = xstrdup(tview_cell(sc->table, row, "chain") ? tview_cell(sc->table, row, "chain") : "");
	q->version = xstrdup(tview_cell(sc->table, row, "version"));
	const char *note = tview_cell(sc->table, row, "note");
	q->note = note ? xstrdup(note) : NULL;
	app_submit_fn(a, p, MP_SQL, sql_job, q);
}

/* ------------------------------------------------------------ M: apply */

/* On the worker: what the next migration will run, statement by statement
 * (first line of each), for the confirmation. */
static tc_status plan_job(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	(void)ctx;
	tc_conn *c;
	if (session_conn(s, &c, err) != TC_OK)
		return err->status;
	mig_source_opts none = {0};
	mig_chains chains = {0};
	if (mig_chains_resolve(session_target(s), &none, &chains, err) != TC_OK)
		return err->status;
	res_init(out, RES_TEXT);
	strbuf *t = &out->text;
	tc_status rc = TC_OK;
	bool found = false;
	for (size_t i = 0; i < chains.n && !found && rc == TC_OK; i++) {
		mig_status st;
		rc = mig_status_load(c, &chains.v[i], &st, err);
		if (rc != TC_OK)
			break;
		if (st.lock_holder)
			sb_addf(t, "The migration lock of chain %s is held by %s: applying will wait "
				   "for it or fail.\n\n",
				chains.v[i].name, st.lock_holder);
		for (size_t e = 0; e < st.n && !found; e++) {
			const mig_entry *m = &st.entries[e];
			if (m->state != MS_PENDING || !m->file)
				continue;
			found = true;
			sb_addf(t, "Next migration of chain %s: %s %s\nfile %s%s\n\n",
				chains.v[i].name, m->version, m->name ? m->name : "",
				in_dir(m->file->up_path, chains.v[i].dir),
				m->file->no_tx ? " (runs outside a transaction)" : "");
			sql_script stmts;
			tc_error serr = TC_ERROR_INIT;
			if (sql_split(m->file->up_sql, conn_server_version(c), &stmts, &serr) ==
			    TC_OK) {
				sb_addf(t, "%zu statement%s:\n", stmts.n, stmts.n == 1 ? "" : "s");
				for (size_t k = 0; k < stmts.n; k++) {
					const char *sql = stmts.stmts[k].text;
					size_t len = strcspn(sql, "\n");
					sb_addf(t, "  %3zu  %.*s%s\n", k + 1, (int)(len > 100 ? 100 : len),
						sql, len > 100 || sql[len] ? " …" : "");
				}
				sql_script_free(&stmts);
			} else {
				sb_addf(t, "(cannot split the SQL: %s)\n", serr.message);
				tc_error_clear(&serr);
			}
		}
		mig_status_free(&st);
	}
	mig_chains_free(&chains);
	if (rc == TC_OK && !found) {
		res_free(out);
		res_init(out, RES_EMPTY);
	}
	return rc;
}

static void apply_answered(tui_app *a, pane *p, bool yes, void *ctx)
{
	(void)ctx;
	if (!yes) {
		app_status(a, "declined: nothing was applied");
		return;
	}
	static const char *const argv[] = {"migrate", "step", NULL};
	app_submit_argv(a, p, MP_APPLY, argv);
}

static void plan_done(tui_app *a, pane *p, worker_job *j)
{
	if (j->status != TC_OK)
		return;
	if (j->result.kind == RES_EMPTY) {
		app_status(a, "nothing pending: every migration is applied");
		return;
	}
	app_confirm(a, p, sb_str(&j->result.text), "Apply this migration? [y/N]", apply_answered,
		    NULL);
}

static void apply_done(tui_app *a, pane *p, worker_job *j)
{
	if (j->status != TC_OK) {
		/* The statement that failed and how to recover, where it can be read. */
		if (!j->cancelled) {
			char *text = xasprintf("%s\n\n%s\n", j->error ? j->error : "failed",
					       j->hint ? j->hint : "");
			app_push_text(a, p, "Migration failed", SC_APPLIED, NULL, text);
			free(text);
		}
	} else {
		app_status(a, "applied: %s", j->result.summary ? j->result.summary : "done");
		app_push_table(a, p, "Applied", SC_APPLIED, NULL, &j->result);
	}
	load(a, p);
	/* The new column is drift no more; a failure may have left some. */
	app_reload_others(a, p);
}

/* ------------------------------------------------------------ the pane */

static void done(tui_app *a, pane *p, worker_job *j)
{
	switch (j->tag) {
	case MP_STATUS:
		status_done(a, p, j);
		break;
	case MP_SQL: {
		sql_ask *q = j->ctx;
		if (j->status == TC_OK) {
			char *title = xasprintf("SQL of %s", q->version);
			app_push_text(a, p, title, SC_SQL, q->version, sb_str(&j->result.text));
			free(title);
		}
		sql_ask_free(q);
		break;
	}
	case MP_PREVIEW:
		if (j->status == TC_OK) {
			char *title = xasprintf("Preview (rolled back): %s",
						j->result.summary ? j->result.summary : "");
			app_push_table(a, p, title, SC_PREVIEW, NULL, &j->result);
			free(title);
		}
		break;
	case MP_PLAN:
		plan_done(a, p, j);
		break;
	case MP_APPLY:
		apply_done(a, p, j);
		break;
	default:
		break;
	}
}

static bool key(tui_app *a, pane *p, screen *top, int k)
{
	if (k == '\n' || k == '\r' || k == KEY_ENTER) {
		if (top && top->kind == SC_LIST)
			open_sql(a, p, top);
		return true;
	}
	if (k == 'p') {
		static const char *const argv[] = {"migrate", "preview", NULL};
		app_submit_argv(a, p, MP_PREVIEW, argv);
		app_status(a, "previewing the next migration (rolled back)…");
		return true;
	}
	if (k == 'M') {
		if (app_require_write(a, "M applies a migration"))
			app_submit_fn(a, p, MP_PLAN, plan_job, NULL);
		return true;
	}
	return false;
}

static void draw(tui_app *a, pane *p, int y0, int h)
{
	screen *sc = frame_pane_title(a, p, y0);
	if (!sc)
		return;
	int used = 1;
	const char *notes = p->depth == 1 ? p->data : NULL;
	attr_t at = A_BOLD | (a->color ? COLOR_PAIR(FC_WARN) : 0);
	while (notes && *notes && used < h / 2) {
		size_t len = strcspn(notes, "\n");
		attron(at);
		frame_print(y0 + used, 0, "! %.*s", (int)len, notes);
		attroff(at);
		used++;
		notes += len + (notes[len] ? 1 : 0);
	}
	frame_screen_view(a, sc, y0 + used, h - used);
}

static void forget(pane *p)
{
	free(p->data);
}

const pane_ops migpane_ops = {
	"Migrations",
	"Enter SQL  p preview  M apply next  : command  ? help  q quit",
	load,
	key,
	done,
	draw,
	NULL,
	NULL,
	forget,
};
