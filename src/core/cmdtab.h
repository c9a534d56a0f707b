/* cmdtab: the one command table. Every command is named once, here (the
 * table itself is in cmdtab.c): its words, positional arguments, options,
 * flags and one-line help. The CLI dispatcher, the TUI's `:` prompt and
 * completion, the help texts, the read-only gate and the man page's command
 * section are all derived from it, and so is the argument grammar, which
 * lives here so that the CLI and the prompt parse alike. */
#ifndef TC_CMDTAB_H
#define TC_CMDTAB_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "result.h"
#include "strbuf.h"

struct tc_session;

enum cmd_flags {
	CMD_WRITES = 1u << 0, /* changes the database: refused in read-only sessions */
	CMD_DB = 1u << 1,     /* needs a connection */
};

enum cmd_opt_flags {
	OPT_REPEAT = 1u << 0,    /* may be given more than once */
	OPT_READ_ONLY = 1u << 1, /* makes a WRITES command read-only (--dry-run) */
	OPT_WRITES = 1u << 2,    /* makes a read command write (audit fix --apply) */
};

typedef struct cmd_opt {
	const char *name;    /* long name without dashes; NULL ends a list */
	char short_name;     /* 0 for none */
	const char *metavar; /* NULL: a flag that takes no value */
	unsigned flags;
	const char *help;
} cmd_opt;

typedef struct cmd_call cmd_call;
typedef tc_status (*cmd_fn)(struct tc_session *s, const cmd_call *call, tc_result *out,
			    tc_error *err);

typedef struct cmd_spec {
	const char *words;      /* "migrate status" */
	const char *synopsis;   /* positional arguments, "[VERSION]" */
	int min_args, max_args; /* max_args -1: no limit */
	unsigned flags;
	const cmd_opt *opts;    /* command options; may be NULL */
	const char *help;       /* one line */
	cmd_fn run;
} cmd_spec;

typedef struct cmd_optval {
	const cmd_opt *opt; /* borrowed from the table */
	char *value;        /* owned; "" for a flag */
} cmd_optval;

struct cmd_call {
	const cmd_spec *spec; /* borrowed; NULL when only global options were given */
	char **args;          /* owned positional arguments */
	size_t nargs;
	cmd_optval *opts;
	size_t nopts, cap_opts;
	bool help;            /* --help / -h was given */
};

/* Options valid before or after the command words. */
typedef struct cmd_globals {
	char *dsn, *target, *service, *profile, *config; /* owned, NULL when absent */
	bool write, json, csv, no_color, yes, mouse;
} cmd_globals;

typedef struct cmd_invocation {
	cmd_globals g;
	cmd_call call;
} cmd_invocation;

extern const cmd_spec cmd_table[];
extern const size_t cmd_table_len;
extern const cmd_opt cmd_global_opts[];

/* Parse an argument vector (argv[0] is NOT the program name) into globals,
 * the command and its arguments. Global options may stand anywhere.
 * TC_ERR_USAGE with a message on unknown commands or options, missing option
 * values, or a wrong number of arguments (unless --help was given). With no
 * command words inv->call.spec is NULL. Free with cmd_invocation_free. */
tc_status cmd_parse(int argc, char *const *argv, cmd_invocation *inv, tc_error *err);
void cmd_invocation_free(cmd_invocation *inv);

/* The value of option `name` (last one wins), "" for a flag, NULL if absent. */
const char *cmd_opt_value(const cmd_call *call, const char *name);
/* Every value of a repeatable option, in order; returns the count and points
 * *out at a fresh array of borrowed strings (caller frees the array only). */
size_t cmd_opt_values(const cmd_call *call, const char *name, const char ***out);

/* Commands whose words start with `prefix` words, for help and completion. */
const cmd_spec *cmd_find(const char *words);

/* Run a parsed command: applies the read-only gate (a CMD_WRITES command in a
 * read-only session is refused with TC_ERR_REFUSED) and calls the handler. */
tc_status cmd_run(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

/* Help texts: the command list (spec NULL) or one command's usage. */
void cmd_help_text(strbuf *out, const cmd_spec *spec, bool read_only);
/* The COMMANDS and OPTIONS sections of tenantctl(1), in roff. */
void cmd_man_section(strbuf *out);
/* "tenantctl migrate status [--dir DIR] ..." */
void cmd_usage_line(strbuf *out, const cmd_spec *spec);

#endif
