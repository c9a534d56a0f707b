#include "config.h"

#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prompt.h"
#include "strbuf.h"
#include "uwidth.h"
#include "xalloc.h"

pane *app_pane(tui_app *a, enum view_pane which)
{
	return &a->panes[which];
}

screen *app_top(pane *p)
{
	return p->depth > 0 ? p->stack[p->depth - 1] : NULL;
}

static void screen_free(screen *sc)
{
	if (!sc)
		return;
	tview_free(sc->table);
	textview_free(sc->text);
	free(sc->title);
	free(sc->arg);
	free(sc->empty);
	free(sc);
}

/* The deepest screen is replaced, not stacked on, when the stack is full:
 * an operator drilling sixteen levels down has lost the way anyway. */
static screen *push(pane *p, const char *title, int kind, const char *arg)
{
	if (p->depth == PANE_STACK_MAX) {
		screen_free(p->stack[p->depth - 1]);
		p->depth--;
	}
	screen *sc = xcalloc(1, sizeof *sc);
	sc->title = xstrdup(title ? title : "");
	sc->kind = kind;
	sc->arg = arg ? xstrdup(arg) : NULL;
	p->stack[p->depth++] = sc;
	return sc;
}

screen *app_push_table(tui_app *a, pane *p, const char *title, int kind, const char *arg,
		       tc_result *r)
{
	(void)a;
	screen *sc = push(p, title, kind, arg);
	sc->table = tview_new();
	tview_set_result(sc->table, r);
	return sc;
}

screen *app_push_text(tui_app *a, pane *p, const char *title, int kind, const char *arg,
		      const char *text)
{
	(void)a;
	screen *sc = push(p, title, kind, arg);
	sc->text = textview_new(text ? text : "");
	return sc;
}

void app_pop(tui_app *a, pane *p)
{
	(void)a;
	if (p->depth > 0)
		screen_free(p->stack[--p->depth]);
}

void app_pop_to_root(tui_app *a, pane *p)
{
	while (p->depth > 1)
		app_pop(a, p);
}

void app_free_panes(tui_app *a)
{
	for (int i = 0; i < PANE_COUNT; i++) {
		pane *p = &a->panes[i];
		while (p->depth > 0)
			app_pop(a, p);
		if (p->ops->forget)
			p->ops->forget(p);
		p->data = NULL;
	}
}

static void submit(tui_app *a, pane *p, worker_job *j)
{
	(void)p;
	worker_submit(a->route_bg && a->bg ? a->bg : a->w, j);
}

bool app_busy(const tui_app *a)
{
	return worker_busy(a->w) || (a->bg && worker_busy(a->bg));
}

long app_running_ms(const tui_app *a)
{
	long ms = worker_running_ms(a->w);
	long bg = a->bg ? worker_running_ms(a->bg) : -1;
	return bg > ms ? bg : ms;
}

void app_cancel(tui_app *a)
{
	worker_cancel(a->w);
	if (a->bg)
		worker_cancel(a->bg);
}

void app_submit_line(tui_app *a, pane *p, int tag, const char *line)
{
	tc_error err = TC_ERROR_INIT;
	worker_job *j = worker_job_cmd(line, tag, p, &err);
	if (!j) {
		app_error(a, "%s", err.message ? err.message : "cannot read that command line");
		tc_error_clear(&err);
		return;
	}
	submit(a, p, j);
}

void app_submit_argv(tui_app *a, pane *p, int tag, const char *const *argv)
{
	submit(a, p, worker_job_argv(argv, tag, p));
}

void app_submit_fn(tui_app *a, pane *p, int tag, worker_fn fn, void *ctx)
{
	submit(a, p, worker_job_fn(fn, ctx, tag, p));
}

char *app_quote(const char *word)
{
	strbuf sb = STRBUF_INIT;
	sb_add_shell_word(&sb, word);
	return sb_steal(&sb);
}

static void set_status(tui_app *a, bool error, const char *fmt, va_list ap)
{
	strbuf sb = STRBUF_INIT;
	sb_vaddf(&sb, fmt, ap);
	free(a->status);
	a->status = sb_steal(&sb);
	/* One line: libpq's messages carry newlines and tabs. */
	char *w = a->status;
	for (const char *r = a->status; *r; r++) {
		bool blank = *r == '\n' || *r == '\t' || *r == '\r' || *r == ' ';
		if (blank && (w == a->status || w[-1] == ' '))
			continue;
		*w++ = blank ? ' ' : *r;
	}
	while (w > a->status && w[-1] == ' ')
		w--;
	*w = '\0';
	a->status_error = error;
}

void app_status(tui_app *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_status(a, false, fmt, ap);
	va_end(ap);
}

void app_error(tui_app *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_status(a, true, fmt, ap);
	va_end(ap);
}

void app_job_error(tui_app *a, const worker_job *j)
{
	if (j->cancelled) {
		app_status(a, "cancelled");
		return;
	}
	const char *msg = j->error ? j->error : "failed";
	if (j->hint)
		app_error(a, "%s (%s)", msg, j->hint);
	else
		app_error(a, "%s", msg);
}

bool app_require_write(tui_app *a, const char *what)
{
	if (a->hdr.writable)
		return true;
	app_error(a, "%s: read-only session, restart with --write to enable", what);
	return false;
}

void app_question_clear(tui_app *a)
{
	textview_free(a->question_text);
	a->question_text = NULL;
	free(a->question);
	a->question = NULL;
	a->question_cb = NULL;
	a->answer_cb = NULL;
	a->hint_cb = NULL;
	a->question_pane = NULL;
	a->question_ctx = NULL;
	a->question_from_worker = false;
}

void app_ask(tui_app *a, pane *p, const char *label, const char *initial, app_answer_fn cb,
	     void *ctx)
{
	app_question_clear(a);
	a->answer_cb = cb;
	a->question_pane = p;
	a->question_ctx = ctx;
	prompt_open(PROMPT_INPUT, label, initial ? initial : "");
}

void app_ask_hinted(tui_app *a, pane *p, const char *label, const char *initial, app_hint_fn hint,
		    app_answer_fn cb, void *ctx)
{
	app_ask(a, p, label, initial, cb, ctx);
	a->hint_cb = hint;
}

void app_confirm(tui_app *a, pane *p, const char *text, const char *question, app_yes_fn cb,
		 void *ctx)
{
	app_question_clear(a);
	a->question_text = textview_new(text ? text : "");
	a->question = xstrdup(question);
	a->question_cb = cb;
	a->question_pane = p;
	a->question_ctx = ctx;
}

bool app_question_open(const tui_app *a)
{
	return a->question != NULL;
}

void app_question_answer(tui_app *a, bool yes)
{
	if (a->question_from_worker) {
		worker_answer(a->w, yes);
		app_question_clear(a);
		app_status(a, yes ? "applying…" : "declined: nothing was changed");
		return;
	}
	app_yes_fn cb = a->question_cb;
	pane *p = a->question_pane;
	void *ctx = a->question_ctx;
	app_question_clear(a);
	if (cb)
		cb(a, p, yes, ctx);
}

void app_question_from_worker(tui_app *a, const char *preview)
{
	app_question_clear(a);
	a->question_text = textview_new(preview ? preview : "");
	a->question = xstrdup("Apply these changes? [y/N]");
	a->question_from_worker = true;
}

void app_answer_input(tui_app *a, const char *answer)
{
	app_answer_fn cb = a->answer_cb;
	pane *p = a->question_pane;
	void *ctx = a->question_ctx;
	a->answer_cb = NULL;
	a->hint_cb = NULL;
	a->question_pane = NULL;
	a->question_ctx = NULL;
	if (cb)
		cb(a, p, answer, ctx);
}

void app_add_words(tui_app *a, int kind, const tc_result *r, const char *col)
{
	if (kind < 0 || kind > 2 || !r)
		return;
	size_t c = 0;
	while (c < r->ncols && strcmp(r->cols[c].name, col) != 0)
		c++;
	if (c == r->ncols)
		return;
	for (size_t row = 0; row < r->nrows; row++) {
		const char *v = res_get(r, row, c);
		if (!v || !*v)
			continue;
		bool seen = false;
		for (size_t i = 0; i < a->nwords[kind] && !seen; i++)
			seen = strcmp(a->words[kind][i], v) == 0;
		if (seen)
			continue;
		/* Completion offers what the panes have shown; a bounded list keeps
		 * a million-org scroll from growing it without end. */
		if (a->nwords[kind] == 5000)
			continue;
		a->words[kind] = xrealloc(a->words[kind], (a->nwords[kind] + 1) * sizeof(char *));
		a->words[kind][a->nwords[kind]++] = xstrdup(v);
	}
}

void app_set_unsaved(tui_app *a, const char *warning)
{
	if (warning && a->unsaved && !strcmp(warning, a->unsaved))
		return;
	free(a->unsaved);
	a->unsaved = warning ? xstrdup(warning) : NULL;
	a->unsaved_warned = false;
}

bool app_may_quit(tui_app *a)
{
	if (!a->unsaved || a->unsaved_warned)
		return true;
	a->unsaved_warned = true;
	app_error(a, "%s", a->unsaved);
	return false;
}

void app_words_free(tui_app *a)
{
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < a->nwords[k]; i++)
			free(a->words[k][i]);
		free(a->words[k]);
		a->words[k] = NULL;
		a->nwords[k] = 0;
	}
}

/* RES_RECORD as "key: value" lines and RES_TABLE as aligned columns, for
 * text views and confirmations. */
void app_result_text(const tc_result *r, strbuf *out)
{
	if (r->kind == RES_TEXT) {
		sb_add(out, sb_str(&r->text));
	} else if (r->kind == RES_RECORD && r->nrows > 0) {
		int w = 0;
		for (size_t c = 0; c < r->ncols; c++)
			if (uw_width(r->cols[c].name) > w)
				w = uw_width(r->cols[c].name);
		for (size_t c = 0; c < r->ncols; c++) {
			const char *v = res_get(r, 0, c);
			sb_addf(out, "%s:%*s %s\n", r->cols[c].name, w - uw_width(r->cols[c].name), "",
				v ? v : "");
		}
	} else if (r->kind == RES_TABLE) {
		int *w = xcalloc(r->ncols ? r->ncols : 1, sizeof *w);
		for (size_t c = 0; c < r->ncols; c++) {
			w[c] = uw_width(r->cols[c].name);
			for (size_t row = 0; row < r->nrows; row++) {
				const char *v = res_get(r, row, c);
				if (v && uw_width(v) > w[c])
					w[c] = uw_width(v);
			}
		}
		for (size_t row = 0; row <= r->nrows; row++) {
			for (size_t c = 0; c < r->ncols; c++) {
				if (r->cols[c].detail)
					continue;
				const char *v = row == 0 ? r->cols[c].name : res_get(r, row - 1, c);
				v = v ? v : "";
				sb_addf(out, "%s%*s  ", v, w[c] - uw_width(v), "");
			}
			while (out->len > 0 && out->data[out->len - 1] == ' ')
				out->data[--out->len] = '\0';
			sb_addc(out, '\n');
		}
		free(w);
	}
	if (r->summary)
		sb_addf(out, "%s%s\n", out->len ? "\n" : "", r->summary);
}
