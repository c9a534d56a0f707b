/* app: the console's state shared by the event loop (tui.c) and the panes:
 * the worker, the header facts, each pane's stack of screens (Enter pushes
 * a screen, Esc pops it), the prompt, the status line and the one pending
 * question. Panes act through the app_* functions and never draw the frame
 * or read keys themselves. */
#ifndef TC_UI_APP_H
#define TC_UI_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"
#include "strbuf.h"
#include "textview.h"
#include "tview.h"
#include "view.h"
#include "worker.h"

typedef struct tui_app tui_app;
typedef struct pane pane;

/* One screen of a pane's stack: a table or a text. */
typedef struct screen {
	char *title;    /* owned; shown above the view */
	tview *table;   /* owned; exactly one of table and text */
	textview *text; /* owned */
	int kind;       /* the pane's, to tell its screens apart */
	char *arg;      /* owned; the pane's (an org slug, a check id), may be NULL */
	char *empty;    /* owned; what an empty table says, NULL: "nothing to show" */
} screen;

/* Keys no keyboard sends, which the app passes to pane_ops.key: the top
 * table's sort changed (< > I; a pane whose source sorts on the server
 * reloads in the order tview_sort_col gives), and Enter closed a `/` filter
 * on the top table with text (the filter is set; a pane whose table is a
 * window of a larger source may search the source). */
enum { APP_KEY_SORTED = 0x110001, APP_KEY_FILTERED = 0x110002 };

typedef struct pane_ops {
	const char *name;  /* "Orgs" */
	const char *hints; /* key hints for the status line */
	/* The pane was shown for the first time, or R/F5 asked for a reload:
	 * submit the loads. */
	void (*load)(tui_app *a, pane *p);
	/* A key the screen's view did not take (Enter, letters...); true when
	 * handled. The app handles Esc, Tab, digits, :, /, ?, q itself. */
	bool (*key)(tui_app *a, pane *p, screen *top, int key);
	/* A job this pane submitted finished (errors already shown unless the
	 * pane wants them: job->status). */
	void (*done)(tui_app *a, pane *p, worker_job *job);
	/* Draw something of the pane's own instead of the top screen (NULL: the
	 * app draws the screen). */
	void (*draw)(tui_app *a, pane *p, int y0, int h);
	/* The top table asked for more rows (keyset paging, tview_need_next);
	 * NULL when the pane's tables are loaded whole. */
	void (*page)(tui_app *a, pane *p, screen *top, tview_need need);
	/* A `:` line that is the pane's rather than the command table's
	 * (`:w`, `:drift against ...`); true when taken. Every pane is asked. */
	bool (*command)(tui_app *a, pane *p, const char *line);
	/* The console is closing: free p->data (NULL: nothing to free). */
	void (*forget)(pane *p);
} pane_ops;

enum { PANE_STACK_MAX = 16 };

struct pane {
	const pane_ops *ops;
	screen *stack[PANE_STACK_MAX];
	int depth;
	bool loaded;
	void *data; /* the pane's own state */
};

/* Header facts, updated by jobs. */
typedef struct app_header {
	char *target, *server_version, *user, *database; /* owned */
	char *config; /* owned; --config as given, NULL when the default was used */
	bool connected, writable, tls;
	long mig_pending;   /* -1 unknown */
	long drift_items;   /* -1 unknown; not allowlisted */
	long findings;      /* -1 unknown */
} app_header;

typedef void (*app_answer_fn)(tui_app *a, pane *p, const char *answer, void *ctx);
/* A line shown above the prompt while the operator types (the slug a name
 * will get); caller frees; NULL for none. */
typedef char *(*app_hint_fn)(const char *typed, void *ctx);
typedef void (*app_yes_fn)(tui_app *a, pane *p, bool yes, void *ctx);

struct tui_app {
	worker *w;
	/* A second worker, on its own connection, for what the panes load at
	 * start behind the one shown (the audit of a large deployment takes
	 * seconds): the shown pane's keys never queue behind it. NULL when it
	 * could not start; everything then goes to w. */
	worker *bg;
	bool route_bg; /* app_submit_* go to bg while set */
	app_header hdr;
	pane panes[PANE_COUNT];
	enum view_pane current;
	bool color, mouse, quit, help_open;
	int help_top;
	char *status;      /* owned; last message */
	bool status_error; /* the message is an error (drawn bold/red) */
	bool lost;         /* the connection was lost: banner, R reconnects */
	/* The pending question: a y/N over a text (preview) or a prompt answer. */
	textview *question_text; /* owned */
	char *question;          /* owned; "Apply these changes? [y/N]" */
	bool question_from_worker;
	app_yes_fn question_cb;
	app_answer_fn answer_cb;
	app_hint_fn hint_cb;
	pane *question_pane;
	void *question_ctx;
	/* Completion candidates (org slugs, emails, versions) gathered from
	 * what the panes loaded. */
	char **words[3];
	size_t nwords[3];
	/* The org the operator selected (in the Orgs pane, or by jumping to it
	 * from another pane), whose members the Members pane shows; owned;
	 * NULL when none. Whoever selects replaces it. */
	char *selected_org;
	/* Work a pane holds that quitting would lose (unsaved allowlist
	 * rules): q warns once with this, Q quits anyway. */
	char *unsaved; /* owned; NULL when nothing */
	bool unsaved_warned;
};

/* The panes' tables of operations. */
extern const pane_ops orgpane_ops, mempane_ops, driftpane_ops, migpane_ops;
/* Show org slug in the Orgs pane (the cursor on it; a window of orgs
 * around it loaded when it is not among those loaded). */
void orgpane_show_org(tui_app *a, const char *slug);

pane *app_pane(tui_app *a, enum view_pane which);
screen *app_top(pane *p);
/* Push a table (r taken over) or a text; returns the new top. */
screen *app_push_table(tui_app *a, pane *p, const char *title, int kind, const char *arg,
		       tc_result *r);
screen *app_push_text(tui_app *a, pane *p, const char *title, int kind, const char *arg,
		      const char *text);
void app_pop(tui_app *a, pane *p);
/* Drop every screen above the first. */
void app_pop_to_root(tui_app *a, pane *p);

/* Either worker has a query running or queued; the longest running one's
 * age in ms (-1: none), for the spinner; cancel what both run. */
bool app_busy(const tui_app *a);
long app_running_ms(const tui_app *a);
void app_cancel(tui_app *a);

/* Run a command line ("orgs show acme") on the worker for pane p; words
 * are quoted as needed by the caller with app_quote. */
void app_submit_line(tui_app *a, pane *p, int tag, const char *line);
void app_submit_argv(tui_app *a, pane *p, int tag, const char *const *argv);
void app_submit_fn(tui_app *a, pane *p, int tag, worker_fn fn, void *ctx);
/* Quote a word for a command line when it needs it; caller frees. */
char *app_quote(const char *word);

/* After a write made from pane p (which reloads itself as it sees fit):
 * the header and every other loaded pane load again, since a write may
 * change what each shows (member counts, findings, drift). */
void app_reload_others(tui_app *a, pane *except);

void app_status(tui_app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_error(tui_app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Show a failed job's error and hint in the status line. */
void app_job_error(tui_app *a, const worker_job *j);
/* A write key in a read-only session: says so and returns false. */
bool app_require_write(tui_app *a, const char *what);

/* Ask for a line (the reason of an allowlist rule, an org name); cb gets
 * the answer, or is not called when the operator pressed Esc. */
void app_ask(tui_app *a, pane *p, const char *label, const char *initial, app_answer_fn cb,
	     void *ctx);
/* app_ask with a live hint above the prompt. */
void app_ask_hinted(tui_app *a, pane *p, const char *label, const char *initial, app_hint_fn hint,
		    app_answer_fn cb, void *ctx);
/* Ask y/N (default No) over a text shown above the question. */
void app_confirm(tui_app *a, pane *p, const char *text, const char *question, app_yes_fn cb,
		 void *ctx);

/* Remember completion words: kind 0 org slugs, 1 emails, 2 versions. */
enum { APP_WORDS_ORG, APP_WORDS_EMAIL, APP_WORDS_VERSION };
void app_add_words(tui_app *a, int kind, const tc_result *r, const char *col);

/* What quitting now would lose, as the status line's warning ("2 unsaved
 * allowlist rules: :w saves, Q quits without"); NULL when nothing. A new
 * text warns again. */
void app_set_unsaved(tui_app *a, const char *warning);
/* For q and :q: false (and the warning shown) the first time while
 * something is unsaved; true when quitting may go ahead. */
bool app_may_quit(tui_app *a);

/* For the event loop (tui.c). */
bool app_question_open(const tui_app *a);
/* Answer the y/N question: the worker's, or the pane's callback. */
void app_question_answer(tui_app *a, bool yes);
/* The core asks (stage_run's confirm) to apply a preview. */
void app_question_from_worker(tui_app *a, const char *preview);
/* The operator finished an app_ask prompt. */
void app_answer_input(tui_app *a, const char *answer);
void app_words_free(tui_app *a);
/* Forget the question without answering (at exit). */
void app_question_clear(tui_app *a);
void app_free_panes(tui_app *a);
/* A result as text: RES_RECORD as "key: value" lines, RES_TABLE as aligned
 * columns (detail columns left out), RES_TEXT as is; then the summary. */
void app_result_text(const tc_result *r, strbuf *out);

#endif
