#include "config.h"

#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "app.h"
#include "conn.h"
#include "frame.h"
#include "help.h"
#include "keymap.h"
#include "prompt.h"
#include "script.h"
#include "xalloc.h"

/* Jobs the app itself submits (owner NULL). */
enum { TAG_HEADER = 1, TAG_COMMAND, TAG_PLAN };

bool tui_available(void)
{
	const char *script = getenv("TENANTCTL_TUI_SCRIPT");
	return (script && *script) || (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO));
}

/* ------------------------------------------------------------ header */

/* On the worker: the facts the header shows. */
static tc_status header_job(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	(void)ctx;
	tc_conn *c;
	conn_info info;
	if (session_conn(s, &c, err) != TC_OK || conn_info_read(c, &info, err) != TC_OK)
		return err->status;
	res_init(out, RES_RECORD);
	res_add_col(out, "server_version", RES_T_TEXT);
	res_add_col(out, "user", RES_T_TEXT);
	res_add_col(out, "database", RES_T_TEXT);
	res_add_col(out, "tls", RES_T_BOOL);
	size_t row = res_add_row(out);
	res_set(out, row, 0, info.server_version);
	res_set(out, row, 1, info.user);
	res_set(out, row, 2, info.database);
	res_set(out, row, 3, info.tls ? "true" : "false");
	conn_info_free(&info);
	return TC_OK;
}

static void replace(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v ? v : "?");
}

static void header_done(tui_app *a, worker_job *j)
{
	if (j->status != TC_OK || j->result.nrows == 0) {
		a->hdr.connected = false;
		return;
	}
	const tc_result *r = &j->result;
	replace(&a->hdr.server_version, res_get(r, 0, 0));
	/* "15.18 (Debian 15.18-0+deb12u1)": the number is what fits a header. */
	a->hdr.server_version[strcspn(a->hdr.server_version, " ")] = '\0';
	replace(&a->hdr.user, res_get(r, 0, 1));
	replace(&a->hdr.database, res_get(r, 0, 2));
	a->hdr.tls = strcmp(res_get(r, 0, 3), "true") == 0;
	a->hdr.connected = true;
}

/* ------------------------------------------------------------ loading */

static void load_pane(tui_app *a, pane *p)
{
	p->loaded = true;
	if (p->ops->load)
		p->ops->load(a, p);
}

/* After a write: whatever was shown may have changed. */
static void reload_all(tui_app *a)
{
	app_submit_fn(a, NULL, TAG_HEADER, header_job, NULL);
	for (int i = 0; i < PANE_COUNT; i++)
		load_pane(a, &a->panes[i]);
}

void app_reload_others(tui_app *a, pane *except)
{
	app_submit_fn(a, NULL, TAG_HEADER, header_job, NULL);
	for (int i = 0; i < PANE_COUNT; i++)
		if (&a->panes[i] != except && a->panes[i].loaded)
			load_pane(a, &a->panes[i]);
}

static void switch_pane(tui_app *a, enum view_pane to)
{
	a->current = to;
	if (!a->panes[to].loaded)
		load_pane(a, &a->panes[to]);
}

/* ------------------------------------------------------------ commands */

typedef struct pending_cmd {
	char *line;
	pane *p;
} pending_cmd;

static void show_result(tui_app *a, pane *p, const char *line, worker_job *j)
{
	char *title = xasprintf(":%s", line ? line : "");
	tc_result *r = &j->result;
	if (r->kind == RES_TABLE) {
		app_status(a, "%s", r->summary ? r->summary : "done");
		app_push_table(a, p, title, 0, NULL, r);
	} else if (r->kind == RES_TEXT || r->kind == RES_RECORD) {
		strbuf sb = STRBUF_INIT;
		app_result_text(r, &sb);
		app_push_text(a, p, title, 0, NULL, sb_str(&sb));
		sb_free(&sb);
		app_status(a, "done");
	} else {
		app_status(a, "%s", r->summary ? r->summary : "done");
	}
	free(title);
}

/* Does the line name a write that the core runs without asking (the
 * migration commands)? Those get a plan and a y/N here first. */
static bool needs_plan(const worker_job *j, char **words)
{
	cmd_invocation inv;
	tc_error err = TC_ERROR_INIT;
	int argc = 0;
	while (j->argv[argc])
		argc++;
	bool plan = false;
	if (cmd_parse(argc, j->argv, &inv, &err) == TC_OK && inv.call.spec) {
		const cmd_spec *sp = inv.call.spec;
		plan = (sp->flags & CMD_WRITES) && strncmp(sp->words, "migrate ", 8) == 0 &&
		       !cmd_opt_value(&inv.call, "dry-run") && strcmp(sp->words, "migrate new") != 0;
		*words = xstrdup(sp->words);
		cmd_invocation_free(&inv);
	} else {
		*words = NULL;
	}
	tc_error_clear(&err);
	return plan;
}

static void run_line(tui_app *a, const char *line, bool planned);

static void plan_answered(tui_app *a, pane *p, bool yes, void *ctx)
{
	(void)p;
	char *line = ctx;
	if (yes)
		run_line(a, line, true);
	else
		app_status(a, "declined: nothing was changed");
	free(line);
}

static void run_line(tui_app *a, const char *line, bool planned)
{
	pane *p = &a->panes[a->current];
	for (int i = 0; i < PANE_COUNT; i++) {
		pane *q = &a->panes[i];
		if (q->ops->command && q->ops->command(a, q, line))
			return;
	}
	if (!strcmp(line, "q") || !strcmp(line, "quit")) {
		a->quit = app_may_quit(a);
		return;
	}
	if (!strcmp(line, "q!")) { /* quit, losing what is unsaved */
		a->quit = true;
		return;
	}
	tc_error err = TC_ERROR_INIT;
	worker_job *j = worker_job_cmd(line, planned ? TAG_COMMAND : TAG_PLAN, NULL, &err);
	if (!j) {
		app_error(a, "%s", err.message ? err.message : "cannot read that command line");
		tc_error_clear(&err);
		return;
	}
	if (!j->argv[0]) {
		worker_job_free(j);
		return;
	}
	char *words = NULL;
	if (planned || !needs_plan(j, &words)) {
		j->tag = TAG_COMMAND;
	} else {
		/* The same command as a dry run: the plan is what the question shows. */
		size_t n = 0;
		while (j->argv[n])
			n++;
		j->argv = xrealloc(j->argv, (n + 2) * sizeof *j->argv);
		j->argv[n] = xstrdup("--dry-run");
		j->argv[n + 1] = NULL;
	}
	free(words);
	pending_cmd *pc = xcalloc(1, sizeof *pc);
	pc->line = xstrdup(line);
	pc->p = p;
	j->ctx = pc;
	worker_submit(a->w, j);
}

static void command_done(tui_app *a, worker_job *j)
{
	pending_cmd *pc = j->ctx;
	if (j->status != TC_OK && j->status != TC_FINDINGS) {
		app_job_error(a, j);
		/* A failed write (a migration that broke) deserves the whole story. */
		if (!j->cancelled && j->error && (strlen(j->error) > 60 || j->hint)) {
			char *text = xasprintf("%s\n\n%s\n", j->error, j->hint ? j->hint : "");
			char *title = xasprintf(":%s failed", pc->line);
			app_push_text(a, pc->p, title, 0, NULL, text);
			free(title);
			free(text);
		}
	} else if (j->tag == TAG_PLAN) {
		strbuf sb = STRBUF_INIT;
		app_result_text(&j->result, &sb);
		char *q = xasprintf("Run `%s`? [y/N]", pc->line);
		app_confirm(a, pc->p, sb_str(&sb), q, plan_answered, xstrdup(pc->line));
		free(q);
		sb_free(&sb);
	} else {
		show_result(a, pc->p, pc->line, j);
	}
	bool wrote = j->tag == TAG_COMMAND && j->status == TC_OK;
	if (wrote) {
		/* Any write may change what every pane shows. */
		cmd_invocation inv;
		tc_error err = TC_ERROR_INIT;
		int argc = 0;
		while (j->argv[argc])
			argc++;
		if (cmd_parse(argc, j->argv, &inv, &err) == TC_OK) {
			if (inv.call.spec && (inv.call.spec->flags & CMD_WRITES) &&
			    !cmd_opt_value(&inv.call, "dry-run"))
				reload_all(a);
			cmd_invocation_free(&inv);
		}
		tc_error_clear(&err);
	}
	free(pc->line);
	free(pc);
	j->ctx = NULL;
}

/* ------------------------------------------------------------ events */

static void job_done(tui_app *a, worker_job *j)
{
	if (j->lost) {
		a->lost = true;
		a->hdr.connected = false;
	}
	if (j->tag == WORKER_TAG_RECONNECT) {
		if (j->status == TC_OK) {
			a->lost = false;
			app_status(a, "reconnected");
			reload_all(a);
		} else {
			app_job_error(a, j);
		}
		return;
	}
	if (!j->owner) {
		if (j->tag == TAG_HEADER)
			header_done(a, j);
		else
			command_done(a, j);
		return;
	}
	pane *p = j->owner;
	if (j->status != TC_OK && j->status != TC_FINDINGS)
		app_job_error(a, j);
	if (p->ops->done)
		p->ops->done(a, p, j);
}

static void take_events_of(tui_app *a, worker *w)
{
	worker_event ev;
	while ((ev = worker_next(w)).kind != WE_NONE) {
		switch (ev.kind) {
		case WE_DONE:
			job_done(a, ev.job);
			worker_job_free(ev.job);
			ev.job = NULL;
			break;
		case WE_PROGRESS:
			app_status(a, "%s", ev.text);
			break;
		case WE_CONFIRM:
			app_question_from_worker(a, ev.text);
			break;
		default:
			break;
		}
		worker_event_free(&ev);
	}
}

static void take_events(tui_app *a)
{
	take_events_of(a, a->w);
	if (a->bg)
		take_events_of(a, a->bg);
}

/* ------------------------------------------------------------ keys */

static void open_filter(tui_app *a)
{
	screen *sc = app_top(&a->panes[a->current]);
	if (!sc)
		return;
	if (sc->table) {
		const char *f = tview_filter(sc->table);
		prompt_open(PROMPT_FILTER, "/", f ? f : "");
	} else {
		prompt_open(PROMPT_FILTER, "/", "");
	}
}

static void prompt_finished(tui_app *a, prompt_kind kind, prompt_state st)
{
	screen *sc = app_top(&a->panes[a->current]);
	if (st == PS_CANCELLED) {
		if (kind == PROMPT_FILTER && sc && sc->table)
			tview_set_filter(sc->table, NULL);
		if (kind == PROMPT_INPUT) {
			a->answer_cb = NULL;
			a->hint_cb = NULL;
			app_status(a, "cancelled: nothing was changed");
		}
		return;
	}
	char *line = prompt_take();
	switch (kind) {
	case PROMPT_COMMAND:
		run_line(a, line, false);
		break;
	case PROMPT_FILTER:
		if (sc && sc->table) {
			tview_set_filter(sc->table, line);
			/* A pane whose table is a window of a larger source may search it. */
			pane *p = &a->panes[a->current];
			if (*line && p->ops->key)
				p->ops->key(a, p, sc, APP_KEY_FILTERED);
		} else if (sc && sc->text && *line && !textview_search(sc->text, line))
			app_error(a, "not found: %s", line);
		break;
	case PROMPT_INPUT:
		app_answer_input(a, line);
		break;
	}
	free(line);
}

static void after_table_key(tui_app *a, pane *p)
{
	screen *sc = app_top(p);
	if (!sc || !sc->table || !p->ops->page)
		return;
	tview_need need = tview_need_next(sc->table);
	if (need != TVN_NONE)
		p->ops->page(a, p, sc, need);
}

static void mouse_event(tui_app *a)
{
	MEVENT me;
	if (getmouse(&me) != OK)
		return;
	screen *sc = app_top(&a->panes[a->current]);
	int step = 0;
	if (me.bstate & BUTTON4_PRESSED)
		step = -3;
#ifdef BUTTON5_PRESSED
	if (me.bstate & BUTTON5_PRESSED)
		step = 3;
#endif
	if (step && sc) {
		for (int i = 0; i < (step < 0 ? -step : step); i++) {
			int key = step < 0 ? KEY_UP : KEY_DOWN;
			if (sc->table)
				tview_key(sc->table, key, frame_view_lines());
			else if (sc->text)
				textview_key(sc->text, key, frame_view_lines());
		}
		after_table_key(a, &a->panes[a->current]);
		return;
	}
	if ((me.bstate & BUTTON1_CLICKED) && me.y == 1 && !frame_single()) {
		/* The tab bar: "1 Orgs  2 Members  3 Drift  4 Migrations" */
		int x = 0;
		for (int i = 0; i < PANE_COUNT; i++) {
			int w = (int)strlen(a->panes[i].ops->name) + 2;
			if (me.x >= x && me.x < x + w) {
				switch_pane(a, (enum view_pane)i);
				return;
			}
			x += w + 2;
		}
	}
}

/* One key, whatever its source (terminal or script). */
static void handle_input(tui_app *a, wint_t ch, bool is_key)
{
	int key = (int)ch;
	if (is_key && key == KEY_RESIZE)
		return; /* the next draw fits the new size */
	if (frame_too_small()) {
		if (!is_key && (key == 'q' || key == 'Q'))
			a->quit = true;
		return; /* too small: only q and Q answer */
	}
	if (prompt_active()) {
		prompt_kind kind = prompt_current_kind();
		prompt_state st = prompt_feed(ch, is_key);
		if (st == PS_EDITING) {
			screen *sc = app_top(&a->panes[a->current]);
			if (kind == PROMPT_FILTER && sc && sc->table)
				tview_set_filter(sc->table, prompt_text());
		} else {
			prompt_finished(a, kind, st);
		}
		return;
	}
	if (!is_key && key > 127)
		return; /* letters outside ASCII mean nothing outside the prompt */
	if (is_key && key == KEY_MOUSE) {
		mouse_event(a);
		return;
	}
	km_action act = keymap_action(key, is_key);
	if (act == KM_REDRAW) {
		clearok(curscr, TRUE);
		return;
	}
	if (act == KM_CANCEL) {
		if (app_busy(a)) {
			app_cancel(a);
			app_status(a, "cancelling…");
		} else if (app_question_open(a)) {
			app_question_answer(a, false);
		} else {
			app_status(a, "nothing is running (q quits)");
		}
		return;
	}
	if (app_question_open(a)) {
		if (!is_key && (key == 'y' || key == 'Y'))
			app_question_answer(a, true);
		else if (!is_key && (key == 'n' || key == 'N' || key == 27 || key == '\n' ||
				     key == '\r' || key == 'q'))
			app_question_answer(a, false); /* the default is No */
		else
			textview_key(a->question_text, key, frame_view_lines());
		return;
	}
	if (act == KM_QUIT_NOW) {
		a->quit = true;
		return;
	}
	if (a->help_open) {
		help_key(a, key);
		return;
	}
	pane *p = &a->panes[a->current];
	screen *sc = app_top(p);
	switch (act) {
	case KM_QUIT:
		if (p->depth > 1)
			app_pop(a, p);
		else
			a->quit = app_may_quit(a);
		return;
	case KM_BACK: /* never quits */
		if (p->depth > 1)
			app_pop(a, p);
		else if (sc && sc->table && tview_filter(sc->table))
			tview_set_filter(sc->table, NULL);
		return;
	case KM_HELP:
		a->help_open = true;
		a->help_top = 0;
		return;
	case KM_PROMPT:
		prompt_open(PROMPT_COMMAND, ":", "");
		return;
	case KM_FILTER:
		open_filter(a);
		return;
	case KM_NEXT_PANE:
		switch_pane(a, (enum view_pane)((a->current + 1) % PANE_COUNT));
		return;
	case KM_PREV_PANE:
		switch_pane(a, (enum view_pane)((a->current + PANE_COUNT - 1) % PANE_COUNT));
		return;
	case KM_GOTO_PANE:
		switch_pane(a, (enum view_pane)(key - '1'));
		return;
	case KM_RELOAD:
		if (a->lost) {
			worker_reconnect(a->w);
			if (a->bg)
				worker_reconnect(a->bg);
			app_status(a, "reconnecting…");
		} else {
			app_submit_fn(a, NULL, TAG_HEADER, header_job, NULL);
			load_pane(a, p);
		}
		return;
	default:
		break;
	}
	/* Navigation goes to the view; Enter and action letters to the pane. */
	if (sc && sc->table) {
		bool desc0, desc1;
		int sort0 = tview_sort_col(sc->table, &desc0);
		if (tview_key(sc->table, key, frame_view_lines())) {
			/* A pane whose source sorts on the server reloads in the new order. */
			int sort1 = tview_sort_col(sc->table, &desc1);
			if ((sort1 != sort0 || desc1 != desc0) && p->ops->key)
				p->ops->key(a, p, sc, APP_KEY_SORTED);
			after_table_key(a, p);
			return;
		}
	}
	if (sc && sc->text && textview_key(sc->text, key, frame_view_lines()))
		return;
	if (p->ops->key && p->ops->key(a, p, sc, key))
		return;
}

/* ------------------------------------------------------------ loops */

/* Until the worker is idle, taking its events: a script's next key acts
 * on the screen a person would have waited for. */
static void settle(tui_app *a)
{
	for (;;) {
		take_events(a);
		if (!app_busy(a))
			break;
		struct pollfd pfd[2] = {{worker_fd(a->w), POLLIN, 0},
					{a->bg ? worker_fd(a->bg) : -1, POLLIN, 0}};
		(void)poll(pfd, 2, 1000);
	}
	take_events(a);
}

static size_t complete_words(void *ctx, const char *kind, const char *const **out)
{
	tui_app *a = ctx;
	int k = !strcmp(kind, "org")	   ? APP_WORDS_ORG
		: !strcmp(kind, "email")   ? APP_WORDS_EMAIL
		: !strcmp(kind, "version") ? APP_WORDS_VERSION
					   : -1;
	if (k < 0)
		return 0;
	*out = (const char *const *)a->words[k];
	return a->nwords[k];
}

static int run_interactive(tui_app *a)
{
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fputs("tenantctl: cannot start the console on this terminal (check TERM)\n", stderr);
		return 1;
	}
	raw(); /* C-c is a key here: it cancels the query, it does not kill us */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	frame_colors_init(a);
	if (a->mouse)
		mousemask(BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
				  | BUTTON5_PRESSED
#endif
			  ,
			  NULL);
	char *hist = prompt_history_path();
	prompt_init(hist, complete_words, a);
	free(hist);
	while (!a->quit) {
		frame_draw(a);
		struct pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0},
					{worker_fd(a->w), POLLIN, 0},
					{a->bg ? worker_fd(a->bg) : -1, POLLIN, 0}};
		/* A running query redraws the spinner ten times a second. */
		int n = poll(fds, 3, app_busy(a) ? 100 : -1);
		if (n < 0 && errno != EINTR)
			break;
		take_events(a);
		wint_t ch;
		int r;
		while (!a->quit && (r = get_wch(&ch)) != ERR)
			handle_input(a, ch, r == KEY_CODE_YES);
	}
	prompt_shutdown();
	endwin();
	delscreen(scr);
	return 0;
}

/* Feed UTF-8 text to the console as typed characters. */
static void type_text(tui_app *a, const char *s)
{
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	size_t len = strlen(s);
	while (len > 0 && !a->quit) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, len, &ps);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			wc = (unsigned char)*s;
			k = 1;
			memset(&ps, 0, sizeof ps);
		}
		handle_input(a, (wint_t)wc, false);
		settle(a);
		s += k;
		len -= k;
	}
}

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Virtual screen: output to /dev/null, keys from the script, fixed size.
 * TENANTCTL_TUI_TIMING=FILE writes, for bench/tui.sh, the microseconds
 * from tui_main to the first full paint and those each key took (handled,
 * its query waited for, drawn). */
static int run_script(tui_app *a, const char *path, long long started_us)
{
	FILE *script = fopen(path, "r");
	if (!script) {
		fprintf(stderr, "tenantctl: cannot read TENANTCTL_TUI_SCRIPT %s\n", path);
		return 2;
	}
	int cols = 80, lines = 24;
	const char *size = getenv("TENANTCTL_TUI_SIZE");
	if (size && !script_size(size, &cols, &lines)) {
		fprintf(stderr, "tenantctl: TENANTCTL_TUI_SIZE must be WxH, like 80x24\n");
		fclose(script);
		return 2;
	}
	FILE *out = fopen("/dev/null", "w");
	FILE *in = fopen("/dev/null", "r");
	const char *term = getenv("TERM");
	SCREEN *scr = out && in ? newterm(term && *term ? term : "xterm-256color", out, in) : NULL;
	if (!scr) {
		fprintf(stderr, "tenantctl: cannot start a virtual screen (TERM)\n");
		fclose(script);
		if (out)
			fclose(out);
		if (in)
			fclose(in);
		return 2;
	}
	resizeterm(lines, cols);
	frame_colors_init(a);
	char *hist = prompt_history_path();
	prompt_init(hist, complete_words, a);
	free(hist);
	settle(a);
	frame_draw(a);
	const char *timing_path = getenv("TENANTCTL_TUI_TIMING");
	FILE *timing = timing_path && *timing_path ? fopen(timing_path, "w") : NULL;
	if (timing)
		fprintf(timing, "first_paint_us %lld\n", now_us() - started_us);

	int rc = 0, lineno = 0;
	char buf[4096];
	while (!a->quit && fgets(buf, sizeof buf, script)) {
		lineno++;
		script_step step;
		if (!script_parse(buf, &step))
			continue;
		switch (step.kind) {
		case SCRIPT_KEY: {
			long long t0 = now_us();
			handle_input(a, (wint_t)step.key, step.key >= KEY_MIN);
			settle(a);
			frame_draw(a);
			if (timing)
				fprintf(timing, "key_us %lld\n", now_us() - t0);
			break;
		}
		case SCRIPT_TEXT:
			type_text(a, step.text);
			break;
		case SCRIPT_RESIZE:
			resizeterm(step.lines, step.cols);
			handle_input(a, KEY_RESIZE, true);
			break;
		case SCRIPT_DUMP:
			frame_draw(a);
			if (!script_dump(step.path)) {
				fprintf(stderr, "tenantctl: %s:%d: cannot write %s\n", path, lineno,
					step.path);
				rc = 2;
			}
			break;
		case SCRIPT_BAD:
			fprintf(stderr, "tenantctl: %s:%d: not a key or step: %s\n", path, lineno, buf);
			rc = 2;
			break;
		}
		settle(a);
		frame_draw(a);
	}
	if (timing)
		fclose(timing);
	prompt_shutdown();
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	fclose(script);
	return rc;
}

int tui_main(tc_session *s, const cmd_globals *g)
{
	static const pane_ops *const ops[PANE_COUNT] = {&orgpane_ops, &mempane_ops, &driftpane_ops,
							&migpane_ops};
	long long started_us = now_us();
	tui_app a;
	memset(&a, 0, sizeof a);
	const char *nc = getenv("NO_COLOR");
	a.color = !g->no_color && !(nc && *nc);
	a.mouse = g->mouse;
	a.hdr.target = xstrdup(session_target_name(s) ? session_target_name(s) : "-");
	a.hdr.writable = session_writable(s);
	a.hdr.config = g->config ? xstrdup(g->config) : NULL;
	a.hdr.mig_pending = a.hdr.drift_items = a.hdr.findings = -1;
	for (int i = 0; i < PANE_COUNT; i++)
		a.panes[i].ops = ops[i];

	/* Connect before curses takes the terminal, so a password prompt is an
	 * ordinary one; a failure opens the console with the lost banner. */
	tc_error err = TC_ERROR_INIT;
	tc_conn *c;
	if (session_conn(s, &c, &err) != TC_OK) {
		a.lost = true;
		app_error(&a, "%s", err.message ? err.message : "cannot connect");
		tc_error_clear(&err);
	}

	a.w = worker_start(s);
	/* The other panes load on a second connection: their summaries fill
	 * the header while the shown pane answers its keys. */
	tc_session *bg_session = NULL;
	if (!a.lost && session_open_sibling(s, g, &bg_session, &err) == TC_OK)
		a.bg = worker_start(bg_session);
	tc_error_clear(&err);
	const char *start = getenv("TENANTCTL_TUI_PANE");
	a.current = start && *start >= '1' && *start <= '4' ? (enum view_pane)(*start - '1')
							     : PANE_ORGS;
	if (!a.lost) {
		app_submit_fn(&a, NULL, TAG_HEADER, header_job, NULL);
		load_pane(&a, &a.panes[a.current]);
		a.route_bg = true;
		for (int i = 0; i < PANE_COUNT; i++)
			if (!a.panes[i].loaded)
				load_pane(&a, &a.panes[i]);
		a.route_bg = false;
	}

	const char *script = getenv("TENANTCTL_TUI_SCRIPT");
	int rc = script && *script ? run_script(&a, script, started_us) : run_interactive(&a);

	worker_stop(a.w);
	if (a.bg)
		worker_stop(a.bg);
	session_close(bg_session);
	app_free_panes(&a);
	app_words_free(&a);
	free(a.selected_org);
	free(a.hdr.target);
	free(a.hdr.config);
	free(a.hdr.server_version);
	free(a.hdr.user);
	free(a.hdr.database);
	free(a.status);
	free(a.unsaved);
	app_question_clear(&a);
	return rc;
}
