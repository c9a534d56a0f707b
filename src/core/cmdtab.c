#include "config.h"

#include "cmdtab.h"

#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "driftcmd.h"
#include "general.h"
#include "members.h"
#include "orgs.h"
#include "audit.h"
#include "backfill.h"
#include "migcmd.h"
#include "session.h"
#include "xalloc.h"

/* ------------------------------------------------------------------ table */

const cmd_opt cmd_global_opts[] = {
	{"dsn", 'd', "DSN", 0, "connection string or postgresql:// URI"},
	{"target", 't', "NAME", 0, "a [target NAME] of the config file"},
	{"service", 0, "NAME", 0, "a service of pg_service.conf"},
	{"write", 0, NULL, 0, "allow commands that change the database"},
	{"yes", 'y', NULL, 0, "apply a previewed change without asking (for scripts)"},
	{"json", 0, NULL, 0, "print one JSON document"},
	{"csv", 0, NULL, 0, "print CSV"},
	{"no-color", 0, NULL, 0, "no colour (also when NO_COLOR is set)"},
	{"mouse", 0, NULL, 0, "console: the wheel scrolls and a click on a tab switches panes"},
	{"profile", 0, "NAME|FILE", 0, "tenancy profile: a shipped name or a file"},
	{"config", 0, "FILE", 0, "config file instead of $XDG_CONFIG_HOME/tenantctl/config"},
	{"help", 'h', NULL, 0, "show help for the command"},
	{NULL, 0, NULL, 0, NULL},
};

/* Options shared by the migrate commands. */
#define MIG_SOURCE_OPTS                                                                          \
	{"dir", 0, "DIR", 0, "the migrations folder (default: the target's migrations, else "     \
			     "./db/migrations)"},                                                    \
	{"format", 0, "FORMAT", 0, "native, dbmate, golang-migrate, flyway or prisma "             \
				   "(default: detected from the files)"},                            \
	{"table", 0, "SCHEMA.TABLE", 0, "the history table (default "                              \
					"public.tenantctl_schema_migrations)"},                       \
	{"chain", 0, "NAME", 0, "only this chain of the target"}
#define MIG_RUN_OPTS                                                                             \
	MIG_SOURCE_OPTS,                                                                         \
	{"lock-wait", 0, "SECONDS", 0, "wait this long for another runner's lock (default 0)"},   \
	{"dry-run", 0, NULL, OPT_READ_ONLY, "show what would run, run nothing"}
#define OPTS_END {NULL, 0, NULL, 0, NULL}

static const cmd_opt mig_status_opts[] = {
	MIG_SOURCE_OPTS,
	{"strict", 0, NULL, 0, "exit 1 when a migration is edited, missing, failed or duplicate"},
	OPTS_END,
};
static const cmd_opt mig_up_opts[] = {
	MIG_RUN_OPTS,
	{"allow-out-of-order", 0, NULL, 0, "also apply pending migrations older than applied ones"},
	OPTS_END,
};
static const cmd_opt mig_down_opts[] = {MIG_RUN_OPTS, OPTS_END};
static const cmd_opt mig_source_opts[] = {MIG_SOURCE_OPTS, OPTS_END};
static const cmd_opt mig_adopt_opts[] = {
	MIG_SOURCE_OPTS,
	{"from", 0, "TOOL", 0, "dbmate, golang-migrate, flyway or prisma"},
	OPTS_END,
};
static const cmd_opt mig_resolve_opts[] = {
	MIG_SOURCE_OPTS,
	{"applied", 0, NULL, 0, "it was finished by hand: record it as applied"},
	{"rolled-back", 0, NULL, 0, "it was undone by hand: forget it"},
	OPTS_END,
};

static const cmd_opt demo_opts[] = {
	{"fresh", 0, NULL, 0, "throw the old demo away and build it anew"},
	{"stop", 0, NULL, 0, "stop the demo's server"},
	OPTS_END,
};

/* Scope of a schema read, for dump and drift. */
#define SCOPE_OPTS                                                                               \
	{"schema", 0, "SCHEMA", OPT_REPEAT, "only this schema (repeatable)"},                     \
	{"exclude-schema", 0, "SCHEMA", OPT_REPEAT, "leave this schema out (repeatable)"},        \
	{"tables", 0, "GLOB", 0, "only tables whose schema.name matches (* and ?)"},             \
	{"privileges", 0, NULL, 0, "also read and compare privileges (off by default)"}
#define DRIFT_OPTS                                                                               \
	SCOPE_OPTS,                                                                              \
	{"against", 0, "DSN|FILE|@TARGET", 0, "the reference (default: the target's reference)"}, \
	{"allowlist", 0, "FILE", 0, "known drift with reasons (default: the target's allowlist)"}, \
	{"only", 0, "RULE", OPT_REPEAT,                                                           \
	 "only the items this rule matches: KIND OBJECT-GLOB [ATTRIBUTE] (repeatable)"}

static const cmd_opt dump_opts[] = {
	SCOPE_OPTS,
	{"output", 'o', "FILE", 0, "write the snapshot to FILE (whole or not at all)"},
	{"row-counts", 0, NULL, 0, "exact row counts (count(*)) instead of estimates"},
	OPTS_END,
};
static const cmd_opt drift_opts[] = {DRIFT_OPTS, OPTS_END};
static const cmd_opt drift_sql_opts[] = {
	DRIFT_OPTS,
	{"unsafe", 0, NULL, 0, "include destructive statements (drops, narrowing), marked"},
	OPTS_END,
};

#define PAGE_OPTS                                                                                \
	{"after", 0, "KEY", 0, "the page after this key (from the previous page's last row)"},  \
	{"limit", 0, "N", 0, "rows per page (default 50)"}
#define DRY_RUN_OPT {"dry-run", 0, NULL, OPT_READ_ONLY, "show the preview, roll back"}
#define SCOPE_OPT                                                                                \
	{"scope", 0, "org|workspace|project", 0, "membership scope (default org)"},              \
	{"in", 0, "NAME|ID", 0, "the workspace or project, for those scopes"}

static const cmd_opt orgs_list_opts[] = {
	PAGE_OPTS,
	{"before", 0, "KEY", 0, "the page before this key (from the next page's first row)"},
	{"last", 0, NULL, 0, "the last page"},
	{"sort", 0, "slug|created|members", 0,
	 "order (default slug; members counts every org, so it is slow on large deployments)"},
	{"reverse", 0, NULL, 0, "the order reversed (newest first with --sort created)"},
	{"deleted", 0, NULL, 0, "include soft-deleted organizations"},
	{"findings", 0, NULL, 0, "add a findings column: the audit's findings about each org"},
	OPTS_END,
};
static const cmd_opt orgs_search_opts[] = {
	{"limit", 0, "N", 0, "at most N matches (default 50)"},
	{"findings", 0, NULL, 0, "add a findings column: the audit's findings about each org"},
	OPTS_END,
};
static const cmd_opt orgs_create_opts[] = {
	{"slug", 0, "SLUG", 0, "the slug (default: derived from the name)"},
	{"owner", 0, "EMAIL", 0, "the owner, created as the owner membership"},
	{"plan", 0, "PLAN", 0, "the plan (default: the column's default)"},
	DRY_RUN_OPT,
	OPTS_END,
};
static const cmd_opt orgs_rename_opts[] = {
	{"slug", 0, "SLUG", 0, "also change the slug"},
	DRY_RUN_OPT,
	OPTS_END,
};
static const cmd_opt dry_run_opts[] = {DRY_RUN_OPT, OPTS_END};
static const cmd_opt orgs_delete_opts[] = {
	{"confirm", 0, "SLUG", 0, "the slug again (required: deleting is never one keystroke)"},
	DRY_RUN_OPT,
	OPTS_END,
};
static const cmd_opt members_list_opts[] = {
	{"org", 0, "SLUG", 0, "only this organization"},
	{"scope", 0, "org|workspace|project", 0, "only this scope"},
	{"role", 0, "ROLE", 0, "only this role"},
	{"flag", 0, "FLAG", 0, "only rows with this flag (deleted-user, not-org-member, ...; any)"},
	PAGE_OPTS,
	{"before", 0, "KEY", 0, "the page before this key (from the next page's first row)"},
	{"last", 0, NULL, 0, "the last page"},
	OPTS_END,
};
static const cmd_opt members_write_opts[] = {SCOPE_OPT, DRY_RUN_OPT, OPTS_END};
static const cmd_opt members_export_opts[] = {
	{"org", 0, "SLUG", 0, "only this organization"},
	{"scope", 0, "org|workspace|project", 0, "only this scope"},
	{"role", 0, "ROLE", 0, "only this role"},
	{"flag", 0, "FLAG", 0, "only rows with this flag (deleted-user, not-org-member, ...; any)"},
	OPTS_END,
};
static const cmd_opt audit_opts[] = {
	{"org", 0, "SLUG", 0, "only this organization"},
	{"check", 0, "ID", OPT_REPEAT, "only this check (repeatable)"},
	{"fail-on", 0, "low|medium|high", 0, "exit 1 when a finding is at least this severe"},
	{"samples", 0, "N", 0, "sample rows per finding (default 5)"},
	OPTS_END,
};
static const cmd_opt audit_fix_opts[] = {
	{"org", 0, "SLUG", 0, "only this organization"},
	{"apply", 0, NULL, OPT_WRITES, "apply the fix (the default is a dry run)"},
	OPTS_END,
};
static const cmd_opt backfill_opts[] = {
	DRY_RUN_OPT,
	{"limit", 0, "N", 0, "stop after N organizations"},
	{"resume", 0, NULL, 0, "continue where the last interrupted run stopped"},
	{"batch", 0, "N", 0, "organizations per transaction (default 500)"},
	OPTS_END,
};
static const cmd_opt log_opts[] = {
	{"since", 0, "TIME", 0, "only entries at or after TIME (2026-11-01, '2 hours')"},
	{"org", 0, "SLUG", 0, "only entries about this organization"},
	PAGE_OPTS,
	OPTS_END,
};

/* Every command tenantctl knows. Add a command here and nowhere else: the
 * dispatcher, help, completion, the read-only gate and the man page follow. */
const cmd_spec cmd_table[] = {
	{"help", "[COMMAND...]", 0, -1, 0, NULL,
	 "show the commands, or one command's usage", general_help},
	{"version", "", 0, 0, 0, NULL, "print the versions of tenantctl and libpq", general_version},
	{"info", "", 0, 0, CMD_DB, NULL,
	 "connect and describe the server, the session and its settings", general_info},
	{"targets", "", 0, 0, 0, NULL, "list the targets of the config file", general_targets},
	{"schema dump", "", 0, 0, CMD_DB, dump_opts,
	 "write the live schema as a deterministic, diffable snapshot", driftcmd_dump},
	{"drift", "", 0, 0, CMD_DB, drift_opts,
	 "compare the live schema with a reference (a database, a snapshot or a target)",
	 driftcmd_report},
	{"drift check", "", 0, 0, CMD_DB, drift_opts,
	 "the CI gate: exit 1 when there is drift that is not allowlisted", driftcmd_check},
	{"drift sql", "", 0, 0, CMD_DB, drift_sql_opts,
	 "print SQL that turns the live schema into the reference", driftcmd_sql},
	{"orgs list", "", 0, 0, CMD_DB, orgs_list_opts, "list organizations, a page at a time",
	 orgs_list},
	{"orgs search", "TEXT", 1, 1, CMD_DB, orgs_search_opts,
	 "find organizations by slug or name (prefix first, then substring)", orgs_search},
	{"orgs show", "SLUG", 1, 1, CMD_DB, NULL,
	 "one organization: members by scope and role, workspaces, projects, plan, resources, "
	 "findings",
	 orgs_show},
	{"orgs create", "NAME", 1, 1, CMD_DB | CMD_WRITES, orgs_create_opts,
	 "create an organization (slug derived from the name, unique even under races)",
	 orgs_create},
	{"orgs rename", "SLUG NAME", 2, 2, CMD_DB | CMD_WRITES, orgs_rename_opts,
	 "rename an organization", orgs_rename},
	{"orgs set-plan", "SLUG PLAN", 2, 2, CMD_DB | CMD_WRITES, dry_run_opts,
	 "change the plan, applying the per-org resource rules", orgs_set_plan},
	{"orgs delete", "SLUG", 1, 1, CMD_DB | CMD_WRITES, orgs_delete_opts,
	 "soft-delete an organization (type the slug to confirm)", orgs_delete},
	{"members list", "", 0, 0, CMD_DB, members_list_opts,
	 "memberships with role, scope, joined, last seen and flags", members_list},
	{"members add", "ORG EMAIL ROLE", 3, 3, CMD_DB | CMD_WRITES, members_write_opts,
	 "add a member", members_add},
	{"members set-role", "ORG EMAIL ROLE", 3, 3, CMD_DB | CMD_WRITES, members_write_opts,
	 "change a member's role (never demotes the last owner)", members_set_role},
	{"members remove", "ORG EMAIL", 2, 2, CMD_DB | CMD_WRITES, members_write_opts,
	 "remove a member (never the last owner)", members_remove},
	{"members export", "", 0, 0, CMD_DB, members_export_opts,
	 "every matching membership at once, for --csv or --json", members_export},
	{"audit", "", 0, 0, CMD_DB, audit_opts,
	 "check memberships for what is wrong, with how to fix each finding", audit_run},
	{"audit fix", "ID", 1, 1, CMD_DB, audit_fix_opts,
	 "fix a finding that has a safe mechanical fix (dry run unless --apply)", audit_fix},
	{"backfill", "NAME", 1, 1, CMD_DB | CMD_WRITES, backfill_opts,
	 "run a per-org backfill (resources, owner-memberships) in resumable batches",
	 backfill_run},
	{"log", "", 0, 0, CMD_DB, log_opts, "the operator audit log: every write tenantctl made",
	 oplog_list},
	{"demo", "", 0, 0, 0, demo_opts,
	 "start an embedded demo deployment (built on first use, kept between runs)", demo_cmd},
	{"migrate status", "", 0, 0, CMD_DB, mig_status_opts,
	 "list every migration with its state: applied, pending, missing, edited, out-of-order, "
	 "duplicate or failed",
	 migcmd_status},
	{"migrate step", "", 0, 0, CMD_DB | CMD_WRITES, mig_up_opts, "apply the next pending migration",
	 migcmd_run},
	{"migrate up", "", 0, 0, CMD_DB | CMD_WRITES, mig_up_opts, "apply every pending migration",
	 migcmd_run},
	{"migrate to", "VERSION", 1, 1, CMD_DB | CMD_WRITES, mig_up_opts,
	 "apply or revert migrations until VERSION is the newest applied", migcmd_run},
	{"migrate down", "[N]", 0, 1, CMD_DB | CMD_WRITES, mig_down_opts,
	 "revert the newest N applied migrations (default 1)", migcmd_run},
	{"migrate redo", "", 0, 0, CMD_DB | CMD_WRITES, mig_down_opts,
	 "revert the newest applied migration and apply it again", migcmd_run},
	{"migrate preview", "[VERSION]", 0, 1, CMD_DB, mig_source_opts,
	 "run the next (or named) migration in a transaction, show what it changes, roll back",
	 migcmd_preview},
	{"migrate adopt", "", 0, 0, CMD_DB | CMD_WRITES, mig_adopt_opts,
	 "import another tool's migration history without running anything", migcmd_adopt},
	{"migrate resolve", "VERSION", 1, 1, CMD_DB | CMD_WRITES, mig_resolve_opts,
	 "settle a migration that failed outside a transaction", migcmd_resolve},
	{"migrate new", "NAME", 1, 1, 0, mig_source_opts,
	 "write a new empty migration with the next version, in the folder's format", migcmd_new},
};
const size_t cmd_table_len = sizeof cmd_table / sizeof cmd_table[0];

/* ------------------------------------------------------------------ parsing */

/* Options are looked up across the globals and every command, so that an
 * option's value is recognised before the command is known (global options
 * may come first). The table test checks that an option name means the same
 * arity everywhere. */
static const cmd_opt *find_opt_long(const char *name, size_t len, bool *global)
{
	for (const cmd_opt *o = cmd_global_opts; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
			*global = true;
			return o;
		}
	for (size_t i = 0; i < cmd_table_len; i++)
		for (const cmd_opt *o = cmd_table[i].opts; o && o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
				*global = false;
				return o;
			}
	return NULL;
}

static const cmd_opt *find_opt_short(char c, bool *global)
{
	for (const cmd_opt *o = cmd_global_opts; o->name; o++)
		if (o->short_name == c) {
			*global = true;
			return o;
		}
	for (size_t i = 0; i < cmd_table_len; i++)
		for (const cmd_opt *o = cmd_table[i].opts; o && o->name; o++)
			if (o->short_name == c) {
				*global = false;
				return o;
			}
	return NULL;
}

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

static void set_global(cmd_invocation *inv, const cmd_opt *o, const char *v)
{
	cmd_globals *g = &inv->g;
	const char *n = o->name;
	if (!strcmp(n, "dsn"))
		set_str(&g->dsn, v);
	else if (!strcmp(n, "target"))
		set_str(&g->target, v);
	else if (!strcmp(n, "service"))
		set_str(&g->service, v);
	else if (!strcmp(n, "profile"))
		set_str(&g->profile, v);
	else if (!strcmp(n, "config"))
		set_str(&g->config, v);
	else if (!strcmp(n, "write"))
		g->write = true;
	else if (!strcmp(n, "json"))
		g->json = true;
	else if (!strcmp(n, "csv"))
		g->csv = true;
	else if (!strcmp(n, "no-color"))
		g->no_color = true;
	else if (!strcmp(n, "yes"))
		g->yes = true;
	else if (!strcmp(n, "mouse"))
		g->mouse = true;
	else if (!strcmp(n, "help"))
		inv->call.help = true;
}

static void add_optval(cmd_call *call, const cmd_opt *o, const char *v)
{
	call->opts = xgrow(call->opts, &call->cap_opts, call->nopts + 1, sizeof *call->opts);
	call->opts[call->nopts].opt = o;
	call->opts[call->nopts].value = xstrdup(v ? v : "");
	call->nopts++;
}

static bool words_match(const char *spec_words, char *const *words, size_t n, size_t *used)
{
	const char *p = spec_words;
	size_t i = 0;
	while (*p) {
		if (i >= n)
			return false;
		size_t len = strcspn(p, " ");
		if (strlen(words[i]) != len || strncmp(words[i], p, len) != 0)
			return false;
		i++;
		p += len;
		while (*p == ' ')
			p++;
	}
	*used = i;
	return true;
}

/* The command's own entry for an option (names repeat across commands). */
static const cmd_opt *spec_opt(const cmd_spec *spec, const cmd_opt *o)
{
	for (const cmd_opt *x = spec->opts; x && x->name; x++)
		if (strcmp(x->name, o->name) == 0)
			return x;
	return NULL;
}

/* The subcommands of a group such as "migrate", for the error message. */
static void list_group(strbuf *sb, const char *group)
{
	size_t glen = strlen(group);
	bool first = true;
	for (size_t i = 0; i < cmd_table_len; i++) {
		const char *w = cmd_table[i].words;
		if (strncmp(w, group, glen) == 0 && w[glen] == ' ') {
			sb_addf(sb, "%s%s", first ? "" : ", ", w + glen + 1);
			first = false;
		}
	}
}

typedef struct pending_opt {
	const cmd_opt *opt;
	const char *value;
	const char *as_typed;
} pending_opt;

tc_status cmd_parse(int argc, char *const *argv, cmd_invocation *inv, tc_error *err)
{
	memset(inv, 0, sizeof *inv);
	char **words = xcalloc((size_t)argc + 1, sizeof *words);
	size_t nwords = 0;
	pending_opt *pend = xcalloc((size_t)argc + 1, sizeof *pend);
	size_t npend = 0;
	bool only_words = false;
	tc_status st = TC_OK;

	for (int i = 0; i < argc && st == TC_OK; i++) {
		const char *a = argv[i];
		if (only_words || a[0] != '-' || a[1] == '\0') {
			words[nwords++] = (char *)a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_words = true;
			continue;
		}
		bool global = false;
		const cmd_opt *o;
		const char *value = NULL;
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			o = find_opt_long(name, len, &global);
			if (!o) {
				st = tc_fail(err, TC_ERR_USAGE, "unknown option '--%.*s'", (int)len, name);
				tc_hint(err, "see 'tenantctl help' for the options");
				break;
			}
			if (eq) {
				if (!o->metavar) {
					st = tc_fail(err, TC_ERR_USAGE, "option '--%s' takes no value", o->name);
					break;
				}
				value = eq + 1;
			}
		} else {
			o = find_opt_short(a[1], &global);
			if (!o) {
				st = tc_fail(err, TC_ERR_USAGE, "unknown option '-%c'", a[1]);
				tc_hint(err, "see 'tenantctl help' for the options");
				break;
			}
			if (a[2]) {
				if (!o->metavar) {
					st = tc_fail(err, TC_ERR_USAGE, "option '-%c' takes no value", a[1]);
					break;
				}
				value = a + 2;
			}
		}
		if (o->metavar && !value) {
			if (i + 1 >= argc) {
				st = tc_fail(err, TC_ERR_USAGE, "option '--%s' needs a value (%s)", o->name,
					     o->metavar);
				break;
			}
			value = argv[++i];
		}
		if (global)
			set_global(inv, o, value ? value : "");
		else
			pend[npend++] = (pending_opt){o, value, a};
	}

	if (st == TC_OK && nwords) {
		size_t best_used = 0;
		const cmd_spec *best = NULL;
		for (size_t i = 0; i < cmd_table_len; i++) {
			size_t used;
			if (words_match(cmd_table[i].words, words, nwords, &used) && used > best_used) {
				best = &cmd_table[i];
				best_used = used;
			}
		}
		if (!best) {
			strbuf subs = STRBUF_INIT;
			list_group(&subs, words[0]);
			if (subs.len && nwords == 1) {
				st = tc_fail(err, TC_ERR_USAGE, "'%s' needs a subcommand: %s", words[0],
					     sb_str(&subs));
			} else if (subs.len) {
				st = tc_fail(err, TC_ERR_USAGE, "unknown command '%s %s'", words[0],
					     words[1]);
				tc_hint(err, "'%s' has: %s", words[0], sb_str(&subs));
			} else {
				st = tc_fail(err, TC_ERR_USAGE, "unknown command '%s'", words[0]);
				tc_hint(err, "see 'tenantctl help' for the commands");
			}
			sb_free(&subs);
		} else {
			inv->call.spec = best;
			inv->call.nargs = nwords - best_used;
			inv->call.args = xcalloc(inv->call.nargs + 1, sizeof *inv->call.args);
			for (size_t i = 0; i < inv->call.nargs; i++)
				inv->call.args[i] = xstrdup(words[best_used + i]);
		}
	}

	for (size_t i = 0; st == TC_OK && i < npend; i++) {
		const cmd_spec *spec = inv->call.spec;
		const cmd_opt *own = spec ? spec_opt(spec, pend[i].opt) : NULL;
		if (!own) {
			st = tc_fail(err, TC_ERR_USAGE, "option '%s' does not apply to %s%s%s",
				     pend[i].as_typed, spec ? "'" : "", spec ? spec->words : "no command",
				     spec ? "'" : "");
			if (spec)
				tc_hint(err, "see 'tenantctl %s --help'", spec->words);
			break;
		}
		add_optval(&inv->call, own, pend[i].value);
	}
	for (size_t i = 0; st == TC_OK && i < inv->call.nopts; i++) {
		const cmd_optval *ov = &inv->call.opts[i];
		for (size_t j = i + 1; j < inv->call.nopts; j++)
			if (inv->call.opts[j].opt == ov->opt && !(ov->opt->flags & OPT_REPEAT)) {
				st = tc_fail(err, TC_ERR_USAGE, "option '--%s' given twice",
					     ov->opt->name);
				break;
			}
	}

	const cmd_spec *spec = inv->call.spec;
	if (st == TC_OK && spec && !inv->call.help) {
		int n = (int)inv->call.nargs;
		if (n < spec->min_args || (spec->max_args >= 0 && n > spec->max_args)) {
			st = tc_fail(err, TC_ERR_USAGE, "'%s' takes %s (got %d argument%s)",
				     spec->words, *spec->synopsis ? spec->synopsis : "no arguments", n,
				     n == 1 ? "" : "s");
			strbuf usage = STRBUF_INIT;
			cmd_usage_line(&usage, spec);
			tc_hint(err, "usage: %s", sb_str(&usage));
			sb_free(&usage);
		}
	}
	if (st == TC_OK && inv->g.json && inv->g.csv)
		st = tc_fail(err, TC_ERR_USAGE, "--json and --csv cannot be used together");

	free(words);
	free(pend);
	if (st != TC_OK)
		cmd_invocation_free(inv);
	return st;
}

void cmd_invocation_free(cmd_invocation *inv)
{
	cmd_globals *g = &inv->g;
	free(g->dsn);
	free(g->target);
	free(g->service);
	free(g->profile);
	free(g->config);
	for (size_t i = 0; i < inv->call.nargs; i++)
		free(inv->call.args[i]);
	free(inv->call.args);
	for (size_t i = 0; i < inv->call.nopts; i++)
		free(inv->call.opts[i].value);
	free(inv->call.opts);
	memset(inv, 0, sizeof *inv);
}

const char *cmd_opt_value(const cmd_call *call, const char *name)
{
	const char *v = NULL;
	for (size_t i = 0; i < call->nopts; i++)
		if (strcmp(call->opts[i].opt->name, name) == 0)
			v = call->opts[i].value;
	return v;
}

size_t cmd_opt_values(const cmd_call *call, const char *name, const char ***out)
{
	const char **vals = xcalloc(call->nopts + 1, sizeof *vals);
	size_t n = 0;
	for (size_t i = 0; i < call->nopts; i++)
		if (strcmp(call->opts[i].opt->name, name) == 0)
			vals[n++] = call->opts[i].value;
	*out = vals;
	return n;
}

const cmd_spec *cmd_find(const char *words)
{
	for (size_t i = 0; i < cmd_table_len; i++)
		if (strcmp(cmd_table[i].words, words) == 0)
			return &cmd_table[i];
	return NULL;
}

/* ------------------------------------------------------------------ running */

tc_status cmd_run(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err)
{
	const cmd_spec *spec = call->spec;
	res_init(out, RES_EMPTY);
	bool writes = spec->flags & CMD_WRITES;
	for (size_t i = 0; i < call->nopts; i++) {
		if (call->opts[i].opt->flags & OPT_READ_ONLY)
			writes = false;
		if (call->opts[i].opt->flags & OPT_WRITES)
			writes = true;
	}
	if (writes && !session_writable(s)) {
		tc_fail(err, TC_ERR_REFUSED,
			"'%s' changes the database and this session is read-only", spec->words);
		if (session_target_name(s))
			tc_hint(err, "run it again with --write, or set write = true in [target %s]",
				session_target_name(s));
		else
			tc_hint(err, "run it again with --write");
		return TC_ERR_REFUSED;
	}
	return spec->run(s, call, out, err);
}

/* ------------------------------------------------------------------ help */

static void opt_text(strbuf *sb, const cmd_opt *o)
{
	if (o->short_name)
		sb_addf(sb, "-%c, ", o->short_name);
	sb_addf(sb, "--%s", o->name);
	if (o->metavar)
		sb_addf(sb, " %s", o->metavar);
}

void cmd_usage_line(strbuf *out, const cmd_spec *spec)
{
	sb_addf(out, "tenantctl %s", spec->words);
	for (const cmd_opt *o = spec->opts; o && o->name; o++) {
		sb_addf(out, " [--%s", o->name);
		if (o->metavar)
			sb_addf(out, " %s", o->metavar);
		sb_add(out, o->flags & OPT_REPEAT ? "]..." : "]");
	}
	if (*spec->synopsis)
		sb_addf(out, " %s", spec->synopsis);
}

static void pad_to(strbuf *sb, size_t start, size_t col)
{
	size_t used = sb->len - start;
	sb_addc(sb, ' ');
	for (size_t i = used + 1; i < col; i++)
		sb_addc(sb, ' ');
}

static void opt_list(strbuf *out, const cmd_opt *opts)
{
	for (const cmd_opt *o = opts; o && o->name; o++) {
		size_t start = out->len;
		sb_add(out, "  ");
		opt_text(out, o);
		pad_to(out, start, 28);
		sb_addf(out, "%s\n", o->help);
	}
}

void cmd_help_text(strbuf *out, const cmd_spec *spec, bool read_only)
{
	if (spec) {
		sb_add(out, "Usage: ");
		cmd_usage_line(out, spec);
		sb_addf(out, "\n\n%s.\n", spec->help);
		if (spec->flags & CMD_WRITES)
			sb_addf(out, "\nThis command changes the database: it needs --write%s.\n",
				read_only ? " (this session is read-only)" : "");
		if (spec->opts) {
			sb_add(out, "\nOptions:\n");
			opt_list(out, spec->opts);
		}
		sb_add(out, "\nGlobal options (before or after the command): see 'tenantctl help'.\n");
		return;
	}
	sb_add(out, "Usage: tenantctl [GLOBAL OPTIONS] [COMMAND [ARGS]]\n\n"
		    "An operator's console for a multi-tenant PostgreSQL deployment.\n"
		    "Sessions are read-only unless --write is given.\n\nCommands:\n");
	for (size_t i = 0; i < cmd_table_len; i++) {
		const cmd_spec *c = &cmd_table[i];
		size_t start = out->len;
		sb_addf(out, "  %s", c->words);
		if (*c->synopsis)
			sb_addf(out, " %s", c->synopsis);
		pad_to(out, start, 30);
		sb_add(out, c->help);
		if (c->flags & CMD_WRITES)
			sb_add(out, read_only ? " [writes: needs --write]" : " [writes]");
		sb_addc(out, '\n');
	}
	sb_add(out, "\nGlobal options:\n");
	opt_list(out, cmd_global_opts);
	sb_add(out, "\n'tenantctl COMMAND --help' shows a command's options; man tenantctl has more.\n");
}

/* roff needs hyphens escaped and lines that start with a dot or quote guarded. */
static void roff(strbuf *sb, const char *s)
{
	if (*s == '.' || *s == '\'')
		sb_add(sb, "\\&");
	for (; *s; s++) {
		if (*s == '-')
			sb_add(sb, "\\-");
		else if (*s == '\\')
			sb_add(sb, "\\e");
		else
			sb_addc(sb, *s);
	}
}

static void man_opts(strbuf *out, const cmd_opt *opts)
{
	for (const cmd_opt *o = opts; o && o->name; o++) {
		sb_add(out, ".TP\n.B ");
		strbuf t = STRBUF_INIT;
		opt_text(&t, o);
		roff(out, sb_str(&t));
		sb_free(&t);
		sb_addc(out, '\n');
		roff(out, o->help);
		sb_add(out, ".\n");
	}
}

void cmd_man_section(strbuf *out)
{
	sb_add(out, ".SH GLOBAL OPTIONS\n"
		    "These options may stand before or after the command words.\n");
	man_opts(out, cmd_global_opts);
	sb_add(out, ".SH COMMANDS\n"
		    "Commands marked \\fB(writes)\\fR change the database and are refused "
		    "unless the session was opened with \\fB\\-\\-write\\fR.\n");
	for (size_t i = 0; i < cmd_table_len; i++) {
		const cmd_spec *c = &cmd_table[i];
		strbuf usage = STRBUF_INIT;
		cmd_usage_line(&usage, c);
		sb_add(out, ".TP\n.B ");
		roff(out, sb_str(&usage));
		sb_free(&usage);
		sb_addc(out, '\n');
		roff(out, c->help);
		sb_add(out, c->flags & CMD_WRITES ? ". \\fB(writes)\\fR\n" : ".\n");
		if (c->opts) {
			sb_add(out, ".RS\n");
			man_opts(out, c->opts);
			sb_add(out, ".RE\n");
		}
	}
}
