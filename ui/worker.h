/* worker: the thread that talks to the database, so the console never
 * freezes. It owns the session (and so its connection) from worker_start
 * until worker_stop; the event loop never touches the session meanwhile.
 *
 * Jobs run one at a time, in the order submitted. When something happens
 * (a job finished, progress, a question for the operator) the worker
 * writes a byte to a pipe: the event loop polls worker_fd() next to the
 * terminal and then takes the events with worker_next(). */
#ifndef TC_UI_WORKER_H
#define TC_UI_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "result.h"
#include "session.h"

typedef struct worker worker;

/* A custom job body, run on the worker thread with the worker's session. */
typedef tc_status (*worker_fn)(tc_session *s, void *ctx, tc_result *out, tc_error *err);

typedef struct worker_job {
	/* What to run: a command line as typed at the `:` prompt (argv, parsed
	 * with cmd_parse and run with cmd_run, so the read-only gate applies),
	 * or fn(ctx). Exactly one of argv and fn is set. */
	char **argv;   /* owned, NULL-terminated */
	worker_fn fn;  /* borrowed */
	void *ctx;     /* borrowed; fn's, freed by whoever submitted */
	int tag;       /* the submitter's, to recognise its answer */
	void *owner;   /* borrowed; the submitter's, e.g. the screen to fill */
	/* Filled by the worker: */
	tc_status status;
	tc_result result;
	char *error;      /* owned; the error's message, NULL on success */
	char *hint;       /* owned; its hint, NULL when none */
	char *sqlstate;   /* owned; the server's SQLSTATE when it said no, else NULL */
	bool cancelled;   /* C-c cancelled it (the query was PQcancel'led) */
	bool lost;        /* the connection is gone; worker_reconnect() */
	long elapsed_ms;
} worker_job;

typedef enum worker_event_kind {
	WE_NONE,     /* nothing pending */
	WE_DONE,     /* a job finished: ev.job (the submitter frees it with worker_job_free) */
	WE_PROGRESS, /* a progress line from the core: ev.text */
	WE_CONFIRM,  /* the core asks to apply a preview (ev.text): the worker waits
		      * for worker_answer() */
} worker_event_kind;

typedef struct worker_event {
	worker_event_kind kind;
	worker_job *job; /* WE_DONE; owned by the receiver */
	char *text;      /* WE_PROGRESS, WE_CONFIRM; owned by the receiver */
} worker_event;

/* Start the thread. The worker takes s over (sets its progress and confirm
 * callbacks) until worker_stop, which puts the previous ones back; s stays
 * the caller's to close afterwards. NULL (errno set) when no pipe or thread
 * could be made. */
worker *worker_start(tc_session *s);
/* Stop after the running job (cancelled first), drop queued ones, join. */
void worker_stop(worker *w);
int worker_fd(const worker *w);

/* A job for a command line ("orgs list --limit 50"); words split like a
 * shell (quotes, backslashes). NULL with *err set when the line does not
 * split (an unclosed quote). tag and owner as in worker_job.
 * Command jobs (this and worker_job_argv): no words or --help give the help
 * text (RES_TEXT); global options that choose the session (-d, -t,
 * --service, --profile, --config, --write) are refused with TC_ERR_USAGE;
 * --yes answers the job's confirmation Yes, as in the CLI; --json, --csv
 * and --no-color are ignored. */
worker_job *worker_job_cmd(const char *line, int tag, void *owner, tc_error *err);
/* A job for a vector of words, copied. */
worker_job *worker_job_argv(const char *const *argv, int tag, void *owner);
worker_job *worker_job_fn(worker_fn fn, void *ctx, int tag, void *owner);
void worker_job_free(worker_job *j);

/* Queue a job; the worker owns it until it comes back in WE_DONE. */
void worker_submit(worker *w, worker_job *j);
/* Take one pending event; WE_NONE when there is none. Drains the pipe;
 * while more events wait, worker_fd() stays readable. */
worker_event worker_next(worker *w);
void worker_event_free(worker_event *ev);
/* A job is running or queued (a job waiting on worker_answer counts as
 * not busy: it waits for the operator, not the server). */
bool worker_busy(const worker *w);
/* The running job's age in ms, -1 when idle; for the spinner. */
long worker_running_ms(const worker *w);
/* Answer the pending WE_CONFIRM. */
void worker_answer(worker *w, bool yes);
/* Cancel the running job's query (PQcancel) and drop the queued ones, whose
 * WE_DONE come back with cancelled set (TC_ERR_REFUSED for those that never
 * ran). A pending confirmation is answered No, and a cancelled job that asks
 * again later gets No without asking. Safe when idle. */
void worker_cancel(worker *w);
/* The connection was lost: open it again (a job, reported as WE_DONE with
 * tag WORKER_TAG_RECONNECT). */
enum { WORKER_TAG_RECONNECT = -1 };
void worker_reconnect(worker *w);

#endif
