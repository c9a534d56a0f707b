/* mig: the migration engine. Reads a chain's files (migsrc) and history
 * (mighist), works out each migration's state, plans a run, and carries it
 * out under a session advisory lock, one transaction per migration (or
 * statement by statement where a migration cannot run in one). */
#ifndef TC_MIG_H
#define TC_MIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfgfile.h"
#include "conn.h"
#include "error.h"
#include "mighist.h"
#include "migsrc.h"
#include "strbuf.h"

/* ------------------------------------------------------------ chains */

typedef struct mig_chain {
	char *name;        /* owned; "default", or NAME of migrations.NAME */
	char *dir;         /* owned */
	mig_format format; /* MIG_FMT_AUTO: detect from the files */
	hist_kind hist;    /* the history this chain keeps and writes */
	char *table;       /* owned; qualified history table */
} mig_chain;

typedef struct mig_chains {
	mig_chain *v;
	size_t n, cap;
} mig_chains;

/* Command-line choices; NULL where not given. */
typedef struct mig_source_opts {
	const char *dir, *format, *table, *chain;
} mig_source_opts;

/* The chains to work on: --dir makes one chain; otherwise the target's
 * `migrations` (chain "default") and `migrations.NAME` keys; otherwise
 * ./db/migrations if it exists. --chain keeps one. TC_ERR_USAGE when there
 * is nothing to work on or a setting is malformed. */
tc_status mig_chains_resolve(const cfg_target *t, const mig_source_opts *o, mig_chains *out,
			     tc_error *err);
void mig_chains_free(mig_chains *c);

/* ------------------------------------------------------------ status */

typedef enum mig_state {
	MS_APPLIED,
	MS_PENDING,
	MS_MISSING,
	MS_EDITED,
	MS_OUT_OF_ORDER,
	MS_DUPLICATE,
	MS_FAILED,
	MS_N_STATES
} mig_state;

const char *mig_state_name(mig_state s);

typedef struct mig_entry {
	const mig_file *file; /* borrowed from the status's dir; NULL when missing */
	const hist_row *hist; /* borrowed from the status's history; NULL when not applied */
	const char *version;  /* borrowed from one of the two */
	const char *name;     /* borrowed; may be NULL */
	mig_state state;
	char *note;           /* owned, may be NULL: what an operator should know */
} mig_entry;

typedef struct mig_status {
	const mig_chain *chain; /* borrowed */
	mig_dir dir;            /* owned */
	hist_set hist;          /* owned; the history the states were computed from */
	bool foreign;           /* hist is another tool's, not yet adopted */
	mig_entry *entries;     /* ordered by version (repeatables last), missing ones in place */
	size_t n, cap;
	size_t counts[MS_N_STATES];
	char *lock_holder;      /* owned; who holds the chain's lock, NULL when free */
} mig_status;

/* Applied in some form (applied, edited, missing), and not yet applied
 * (pending, out-of-order). */
bool mig_entry_applied(const mig_entry *e);
bool mig_entry_pending(const mig_entry *e);

/* Work out the states from st->dir and st->hist (pure: no database). */
void mig_compute(mig_status *st);
/* Read files and history and compute states. When the chain keeps its own
 * history but has none and another tool's table exists, that table is read
 * instead and st->foreign is set. */
tc_status mig_status_load(tc_conn *c, const mig_chain *chain, mig_status *out, tc_error *err);
void mig_status_free(mig_status *st);
/* "42 applied, 3 pending, 1 edited, 0 missing" (+ other states present). */
void mig_status_summary(const mig_status *st, strbuf *out);

/* ------------------------------------------------------------ plans */

typedef enum mig_goal { MIG_STEP, MIG_UP, MIG_TO, MIG_DOWN, MIG_REDO } mig_goal;

typedef struct mig_run_opts {
	mig_goal goal;
	const char *to_version;  /* MIG_TO */
	int down_count;          /* MIG_DOWN; default 1 */
	bool allow_out_of_order;
	int lock_wait_s;         /* wait this long for another runner's lock */
	bool dry_run;            /* plan only */
	const char *command;     /* what the operator ran, for the audit log */
	/* Called before and after each migration ("applying ...", "ok (12 ms)"). */
	void (*progress)(void *ctx, const char *line);
	void *progress_ctx;
} mig_run_opts;

typedef enum mig_action { MIG_APPLY, MIG_REVERT } mig_action;

typedef struct mig_step {
	mig_action action;
	const mig_entry *entry; /* borrowed from the status */
} mig_step;

typedef struct mig_plan {
	mig_step *steps;
	size_t n, cap;
} mig_plan;

/* What a run would do (pure). Refuses (TC_ERR_REFUSED, naming the files and
 * the way out) with duplicates, a failed migration, out-of-order pending
 * ones without allow_out_of_order, a missing file or a migration without a
 * down section in the way of a revert. */
tc_status mig_plan_make(const mig_status *st, const mig_run_opts *o, mig_plan *out, tc_error *err);
void mig_plan_free(mig_plan *p);

/* One line of a run's report. */
typedef struct mig_done {
	char *version, *name; /* owned */
	mig_action action;
	char *outcome;        /* owned: "applied", "reverted", "planned", "failed" */
	long duration_ms;
	size_t statements;
	long rows;
} mig_done;

typedef struct mig_report {
	mig_done *v;
	size_t n, cap;
} mig_report;

void mig_report_free(mig_report *r);

/* Plan and carry out a run on one chain under its lock. Stops at the first
 * failure: a transactional migration leaves no trace; a non-transactional
 * one leaves a `failed` record naming the statement. */
tc_status mig_run(tc_conn *c, const mig_chain *chain, const mig_run_opts *o, mig_report *rep,
		  tc_error *err);

/* ------------------------------------------------------------ the lock */

/* The advisory lock key of a history table (stable across versions). */
int64_t mig_lock_key(const char *table);
/* Who holds the lock ("pid 123 (tenantctl, user ops, from local socket) since
 * 10:02:11"); *holder NULL when nobody does. */
tc_status mig_lock_holder(tc_conn *c, int64_t key, char **holder, tc_error *err);

/* ------------------------------------------------------------ the rest */

/* Run the next pending migration (or `version`) inside a transaction, report
 * what it changed in the schema and how many rows each statement touched,
 * then roll back. Works in a read-only session (the preview transaction is
 * opened READ WRITE, and the audit log says so). Results as rows of
 * (what, kind, object, rows, detail). */
typedef struct mig_preview_row {
	char *what;   /* "statement", "added", "dropped", "changed" */
	char *kind;   /* command tag or object kind */
	char *object; /* "#2 line 7" or the object's name */
	long rows;    /* statements: rows affected; -1 otherwise */
	char *detail;
} mig_preview_row;

typedef struct mig_preview {
	char *version, *name;
	bool no_tx; /* cannot run in a transaction: statements listed, not run */
	mig_preview_row *rows;
	size_t n, cap;
} mig_preview;

tc_status mig_preview_run(tc_conn *c, const mig_chain *chain, const char *version,
			  const char *command, mig_preview *out, tc_error *err);
void mig_preview_free(mig_preview *p);

/* Import another tool's history into the chain's own table, running
 * nothing. *adopted and *skipped (already present) are counted. */
tc_status mig_adopt(tc_conn *c, const mig_chain *chain, hist_kind from, const char *command,
		    size_t *adopted, size_t *skipped, tc_error *err);

/* Settle a failed migration: mark it applied (the operator finished it by
 * hand) or forget it (the operator undid it). */
tc_status mig_resolve(tc_conn *c, const mig_chain *chain, const char *version, bool applied,
		      const char *command, tc_error *err);

#endif
