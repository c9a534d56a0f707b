#include "config.h"

#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdtab.h"
#include "lex.h"
#include "strbuf.h"
#include "xalloc.h"

typedef struct job_node {
	worker_job *job; /* owned */
	struct job_node *next;
} job_node;

typedef struct event_node {
	worker_event ev; /* owned */
	struct event_node *next;
} event_node;

struct worker {
	tc_session *s; /* borrowed; the thread's alone until worker_stop */
	/* The session's callbacks before ours, put back by worker_stop. */
	session_progress_fn old_progress;
	void *old_progress_ctx;
	session_confirm_fn old_confirm;
	void *old_confirm_ctx;

	pthread_t thread;
	int pipe_r, pipe_w; /* self-pipe: a byte means "look at the events" */

	pthread_mutex_t mu;
	pthread_cond_t wake;     /* to the thread: a job was queued, or stop */
	pthread_cond_t answered; /* to the thread: worker_answer (or a forced No) */
	/* Everything below is under mu. */
	job_node *q_head, *q_tail;
	event_node *ev_head, *ev_tail;
	worker_job *running; /* borrowed from the thread while it runs it */
	struct timespec running_since;
	bool running_cancelled; /* worker_cancel came while it ran */
	bool running_yes;       /* its command line said --yes */
	bool asking;            /* it waits in confirm_cb */
	bool has_answer, answer;
	bool stopping;
};

/* ------------------------------------------------------------ small helpers */

static long ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A full pipe already says "look"; a failed write cannot be reported to
 * anyone and the event is queued regardless. */
static void poke(worker *w)
{
	ssize_t n;
	do
		n = write(w->pipe_w, "!", 1);
	while (n < 0 && errno == EINTR);
}

/* Under mu. Takes ev's contents over. */
static void post(worker *w, worker_event ev)
{
	event_node *n = xcalloc(1, sizeof *n);
	n->ev = ev;
	if (w->ev_tail)
		w->ev_tail->next = n;
	else
		w->ev_head = n;
	w->ev_tail = n;
	poke(w);
}

/* Under mu. */
static worker_job *pop_job(worker *w)
{
	job_node *n = w->q_head;
	if (!n)
		return NULL;
	w->q_head = n->next;
	if (!w->q_head)
		w->q_tail = NULL;
	worker_job *j = n->job;
	free(n);
	return j;
}

/* Under mu: a pending question gets its answer (the thread may be waiting). */
static void answer_locked(worker *w, bool yes)
{
	if (w->asking && !w->has_answer) {
		w->has_answer = true;
		w->answer = yes;
		pthread_cond_signal(&w->answered);
	}
}

/* ------------------------------------------------------------ the session's callbacks */

static void progress_cb(void *ctx, const char *line)
{
	worker *w = ctx;
	pthread_mutex_lock(&w->mu);
	post(w, (worker_event){WE_PROGRESS, NULL, xstrdup(line ? line : "")});
	pthread_mutex_unlock(&w->mu);
}

/* On the worker thread, from inside a job: ask the event loop and wait.
 * A cancelled or stopping job is never asked about: the answer is No. */
static bool confirm_cb(void *ctx, const char *preview)
{
	worker *w = ctx;
	pthread_mutex_lock(&w->mu);
	bool yes;
	if (w->stopping || w->running_cancelled) {
		yes = false;
	} else if (w->running_yes) {
		yes = true;
	} else {
		w->asking = true;
		w->has_answer = false;
		post(w, (worker_event){WE_CONFIRM, NULL, xstrdup(preview ? preview : "")});
		while (!w->has_answer)
			pthread_cond_wait(&w->answered, &w->mu);
		yes = w->answer;
		w->asking = false;
		w->has_answer = false;
	}
	pthread_mutex_unlock(&w->mu);
	return yes;
}

/* ------------------------------------------------------------ jobs */

/* Global options that choose what the session is: they were fixed when
 * tenantctl started. NULL when none was given. */
static const char *session_option(const cmd_globals *g)
{
	if (g->dsn)
		return "--dsn";
	if (g->target)
		return "--target";
	if (g->service)
		return "--service";
	if (g->profile)
		return "--profile";
	if (g->config)
		return "--config";
	if (g->write)
		return "--write";
	return NULL;
}

/* A command line's words through the same grammar as the CLI. --json,
 * --csv and --no-color mean nothing in the console and are ignored; --yes
 * answers the job's confirmation as it does in the CLI. */
static tc_status run_command(worker *w, worker_job *j, tc_error *err)
{
	if (!j->argv)
		return tc_fail(err, TC_ERR_USAGE, "a job with neither a command line nor a body");
	int argc = 0;
	while (j->argv[argc])
		argc++;
	cmd_invocation inv;
	tc_status st = cmd_parse(argc, j->argv, &inv, err);
	if (st != TC_OK)
		return st;
	const char *opt = session_option(&inv.g);
	if (opt) {
		st = tc_fail(err, TC_ERR_USAGE,
			     "global options cannot change inside the console; restart tenantctl "
			     "with them");
		tc_hint(err, "leave %s out of the line, or quit and start tenantctl with it", opt);
	} else if (!inv.call.spec || inv.call.help) {
		res_init(&j->result, RES_TEXT);
		cmd_help_text(&j->result.text, inv.call.spec, !session_writable(w->s));
	} else {
		pthread_mutex_lock(&w->mu);
		w->running_yes = inv.g.yes;
		pthread_mutex_unlock(&w->mu);
		st = cmd_run(w->s, &inv.call, &j->result, err);
	}
	cmd_invocation_free(&inv);
	return st;
}

static tc_status reconnect_job(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	(void)ctx;
	res_init(out, RES_EMPTY);
	return session_reconnect(s, err);
}

static void run_job(worker *w, worker_job *j)
{
	tc_error err = TC_ERROR_INIT;
	tc_status st = j->fn ? j->fn(w->s, j->ctx, &j->result, &err) : run_command(w, j, &err);
	j->status = st;
	if (st == TC_OK || st == TC_FINDINGS) {
		tc_error_clear(&err);
		return;
	}
	/* A failed command's half-filled result is not shown. */
	res_free(&j->result);
	res_init(&j->result, RES_EMPTY);
	j->error = err.message ? err.message : xasprintf("the job failed (status %d)", (int)st);
	j->hint = err.hint;
	j->sqlstate = err.sqlstate;
	/* A reconnect that failed leaves no connection at all: still lost. */
	j->lost = session_connection_lost(w->s) || j->fn == reconnect_job;
}

static void *thread_main(void *arg)
{
	worker *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stopping && !w->q_head)
			pthread_cond_wait(&w->wake, &w->mu);
		if (w->stopping)
			break;
		worker_job *j = pop_job(w);
		w->running = j;
		w->running_cancelled = false;
		w->running_yes = false;
		clock_gettime(CLOCK_MONOTONIC, &w->running_since);
		pthread_mutex_unlock(&w->mu);

		run_job(w, j);

		pthread_mutex_lock(&w->mu);
		j->elapsed_ms = ms_since(&w->running_since);
		if (w->running_cancelled)
			j->cancelled = true;
		w->running = NULL;
		post(w, (worker_event){WE_DONE, j, NULL});
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ------------------------------------------------------------ making jobs */

static worker_job *job_new(int tag, void *owner)
{
	worker_job *j = xcalloc(1, sizeof *j);
	j->tag = tag;
	j->owner = owner;
	j->status = TC_OK;
	res_init(&j->result, RES_EMPTY);
	return j;
}

typedef struct words {
	char **v;
	size_t n, cap;
} words;

static void words_push(words *ws, char *w)
{
	ws->v = xgrow(ws->v, &ws->cap, ws->n + 2, sizeof *ws->v);
	ws->v[ws->n++] = w;
	ws->v[ws->n] = NULL;
}

static void words_free(words *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		free(ws->v[i]);
	free(ws->v);
}

/* Split like a POSIX shell, without expansions (lex_shell_word); an
 * unclosed quote or a trailing backslash is an error. NULL-terminated,
 * caller frees. */
static char **split_line(const char *line, tc_error *err)
{
	words ws = {0};
	size_t pos = 0;
	lex_word w;
	while (lex_shell_word(line, &pos, &w)) {
		if (w.open) {
			if (w.open == '\\') {
				tc_fail(err, TC_ERR_USAGE, "the line ends with a backslash");
				tc_hint(err, "a backslash escapes the next character; write \\\\ for a "
					     "backslash itself");
			} else {
				tc_fail(err, TC_ERR_USAGE, "unclosed %s quote at column %zu",
					w.open == '\'' ? "single" : "double", w.open_at + 1);
				tc_hint(err, "close the quote, or put a backslash before it to mean the "
					     "character itself");
			}
			free(w.value);
			words_free(&ws);
			return NULL;
		}
		words_push(&ws, w.value);
	}
	if (!ws.v)
		ws.v = xcalloc(1, sizeof *ws.v);
	return ws.v;
}

worker_job *worker_job_cmd(const char *line, int tag, void *owner, tc_error *err)
{
	char **argv = split_line(line ? line : "", err);
	if (!argv)
		return NULL;
	worker_job *j = job_new(tag, owner);
	j->argv = argv;
	return j;
}

worker_job *worker_job_argv(const char *const *argv, int tag, void *owner)
{
	size_t n = 0;
	while (argv && argv[n])
		n++;
	worker_job *j = job_new(tag, owner);
	j->argv = xcalloc(n + 1, sizeof *j->argv);
	for (size_t i = 0; i < n; i++)
		j->argv[i] = xstrdup(argv[i]);
	return j;
}

worker_job *worker_job_fn(worker_fn fn, void *ctx, int tag, void *owner)
{
	worker_job *j = job_new(tag, owner);
	j->fn = fn;
	j->ctx = ctx;
	return j;
}

void worker_job_free(worker_job *j)
{
	if (!j)
		return;
	if (j->argv) {
		for (char **a = j->argv; *a; a++)
			free(*a);
		free(j->argv);
	}
	res_free(&j->result);
	free(j->error);
	free(j->hint);
	free(j->sqlstate);
	free(j);
}

/* ------------------------------------------------------------ the worker */

worker *worker_start(tc_session *s)
{
	worker *w = xcalloc(1, sizeof *w);
	int fds[2];
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
		free(w);
		return NULL;
	}
	w->s = s;
	w->pipe_r = fds[0];
	w->pipe_w = fds[1];
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->answered, NULL);
	w->old_progress = session_progress(s, &w->old_progress_ctx);
	w->old_confirm = session_confirm_handler(s, &w->old_confirm_ctx);
	session_set_progress(s, progress_cb, w);
	session_set_confirm(s, confirm_cb, w);

	/* Signals (SIGWINCH, SIGINT, SIGPIPE...) are the event loop's: the
	 * thread starts with them blocked. Faults stay deliverable. */
	sigset_t all, old;
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, thread_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		session_set_progress(s, w->old_progress, w->old_progress_ctx);
		session_set_confirm(s, w->old_confirm, w->old_confirm_ctx);
		pthread_cond_destroy(&w->answered);
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->mu);
		close(w->pipe_r);
		close(w->pipe_w);
		free(w);
		errno = rc;
		return NULL;
	}
	return w;
}

void worker_stop(worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	if (w->running) {
		w->running_cancelled = true;
		answer_locked(w, false);
		session_cancel(w->s);
	}
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);

	session_set_progress(w->s, w->old_progress, w->old_progress_ctx);
	session_set_confirm(w->s, w->old_confirm, w->old_confirm_ctx);
	worker_job *j;
	while ((j = pop_job(w)) != NULL)
		worker_job_free(j);
	while (w->ev_head) {
		event_node *n = w->ev_head;
		w->ev_head = n->next;
		worker_event_free(&n->ev);
		free(n);
	}
	pthread_cond_destroy(&w->answered);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->mu);
	close(w->pipe_r);
	close(w->pipe_w);
	free(w);
}

int worker_fd(const worker *w)
{
	return w->pipe_r;
}

void worker_submit(worker *w, worker_job *j)
{
	if (!j)
		return;
	job_node *n = xcalloc(1, sizeof *n);
	n->job = j;
	pthread_mutex_lock(&w->mu);
	if (w->q_tail)
		w->q_tail->next = n;
	else
		w->q_head = n;
	w->q_tail = n;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->mu);
}

worker_event worker_next(worker *w)
{
	worker_event ev = {WE_NONE, NULL, NULL};
	pthread_mutex_lock(&w->mu);
	char buf[64];
	ssize_t n;
	do
		n = read(w->pipe_r, buf, sizeof buf);
	while (n > 0 || (n < 0 && errno == EINTR));
	event_node *e = w->ev_head;
	if (e) {
		ev = e->ev;
		w->ev_head = e->next;
		if (!w->ev_head)
			w->ev_tail = NULL;
		free(e);
	}
	/* An event loop that takes one event per wakeup still sees the rest. */
	if (w->ev_head)
		poke(w);
	pthread_mutex_unlock(&w->mu);
	return ev;
}

void worker_event_free(worker_event *ev)
{
	if (!ev)
		return;
	worker_job_free(ev->job);
	free(ev->text);
	ev->kind = WE_NONE;
	ev->job = NULL;
	ev->text = NULL;
}

bool worker_busy(const worker *w)
{
	worker *m = (worker *)w; /* the mutex is not part of the value */
	pthread_mutex_lock(&m->mu);
	/* Answered but not yet taken up by the thread: busy again already, so
	 * whoever waits for the job's end does not stop waiting too early. */
	bool busy = (!m->asking || m->has_answer) && (m->running || m->q_head);
	pthread_mutex_unlock(&m->mu);
	return busy;
}

long worker_running_ms(const worker *w)
{
	worker *m = (worker *)w;
	pthread_mutex_lock(&m->mu);
	long ms = m->running ? ms_since(&m->running_since) : -1;
	pthread_mutex_unlock(&m->mu);
	return ms;
}

void worker_answer(worker *w, bool yes)
{
	pthread_mutex_lock(&w->mu);
	answer_locked(w, yes);
	pthread_mutex_unlock(&w->mu);
}

void worker_cancel(worker *w)
{
	pthread_mutex_lock(&w->mu);
	/* Under mu, so the cancel cannot reach the next job's query: the thread
	 * needs mu to finish this one and start another. */
	if (w->running) {
		w->running_cancelled = true;
		answer_locked(w, false);
		session_cancel(w->s);
	}
	worker_job *j;
	while ((j = pop_job(w)) != NULL) {
		j->cancelled = true;
		j->status = TC_ERR_REFUSED;
		j->error = xstrdup("cancelled before it started");
		post(w, (worker_event){WE_DONE, j, NULL});
	}
	pthread_mutex_unlock(&w->mu);
}

void worker_reconnect(worker *w)
{
	worker_submit(w, worker_job_fn(reconnect_job, NULL, WORKER_TAG_RECONNECT, NULL));
}
