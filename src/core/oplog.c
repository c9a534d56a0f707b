#include "config.h"

#include "oplog.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

#include "conninfo.h"
#include "db.h"
#include "strbuf.h"
#include "lex.h"
#include "xalloc.h"

#define OPLOG_SCHEMA "public"
#define OPLOG_QUALIFIED OPLOG_SCHEMA "." OPLOG_TABLE
#define MASK "********"

tc_status oplog_available(tc_conn *c, bool *yes, tc_error *err)
{
	/* pg_class by name rather than to_regclass(): the answer must not depend
	 * on the session's search_path, and a view of that name is no log. */
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
		" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p'))";
	const char *params[] = {OPLOG_SCHEMA, OPLOG_TABLE};
	db_rows rows = DB_ROWS_INIT;
	*yes = false;
	tc_status st = db_query(c, sql, 2, params, &rows, err);
	if (st != TC_OK) {
		tc_error_prefix(err, "cannot look for the operator audit log (%s): ",
				OPLOG_QUALIFIED);
		return st;
	}
	const char *v = db_get(&rows, 0, 0);
	*yes = v && strcmp(v, "t") == 0;
	db_rows_free(&rows);
	return TC_OK;
}

/* ------------------------------------------------------------------ masking */

/* A -d/--dsn value: keyword strings and URIs go through conninfo_mask (which
 * masks every value libpq calls secret, and shows a placeholder for what it
 * cannot parse). NULL when there is nothing to hide (a bare database name, or
 * a string libpq parsed without a secret in it): the word stays as typed. */
static char *mask_dsn(const char *v)
{
	if (!conninfo_is_uri(v) && !strchr(v, '='))
		return NULL;
	char *masked = conninfo_mask(v);
	/* A parsed string always comes back as keyword=value pairs; the
	 * placeholder for an unparseable one has no '=' and must replace it. */
	if (strchr(masked, '=') && !strstr(masked, MASK)) {
		free(masked);
		return NULL;
	}
	return masked;
}

/* Length of the value starting at s in a `password=VALUE` fragment: a libpq
 * single-quoted value (with backslash escapes) or up to white space. */
static size_t fragment_value_len(const char *s)
{
	size_t i = 0;
	if (s[0] == '\'') {
		for (i = 1; s[i] && s[i] != '\''; i++)
			if (s[i] == '\\' && s[i + 1])
				i++;
		return s[i] ? i + 1 : i;
	}
	while (s[i] && !lex_is_space(s[i]))
		i++;
	return i;
}

/* v with every `password=VALUE` (any case, so PGPASSWORD= and sslpassword=
 * too, spaces allowed around '=') and every URI's `user:secret@` masked.
 * NULL when there was nothing to mask. */
static char *mask_fragments(const char *v)
{
	strbuf sb = STRBUF_INIT;
	bool changed = false;
	size_t i = 0, n = strlen(v);
	while (i < n) {
		if (strncasecmp(v + i, "password", 8) == 0) {
			size_t j = i + 8;
			while (v[j] == ' ' || v[j] == '\t')
				j++;
			if (v[j] == '=') {
				j++;
				while (v[j] == ' ' || v[j] == '\t')
					j++;
				sb_addn(&sb, v + i, j - i);
				sb_add(&sb, MASK);
				i = j + fragment_value_len(v + j);
				changed = true;
				continue;
			}
		}
		if (strncmp(v + i, "://", 3) == 0) {
			/* scheme://user:secret@host/...: the authority ends at '/', '?',
			 * '#' or white space; its userinfo at the last '@'. */
			size_t a = i + 3, end = a, at = 0, colon = 0;
			while (end < n && !strchr("/?#", v[end]) && !lex_is_space(v[end])) {
				if (v[end] == '@')
					at = end;
				end++;
			}
			for (size_t k = a; at && k < at; k++)
				if (v[k] == ':') {
					colon = k;
					break;
				}
			if (at && colon) {
				sb_addn(&sb, v + i, colon + 1 - i);
				sb_add(&sb, MASK);
				i = at;
				changed = true;
				continue;
			}
			sb_addn(&sb, v + i, 3);
			i += 3;
			continue;
		}
		sb_addc(&sb, v[i++]);
	}
	if (!changed) {
		sb_free(&sb);
		return NULL;
	}
	return sb_steal(&sb);
}

/* The command with its secrets masked: the value of -d/--dsn (as -d V, -dV,
 * --dsn V or --dsn=V), any word that is a connection URI, and password=
 * fragments or URI passwords anywhere else. Words that change are re-quoted
 * for the shell; everything else is kept as typed. Caller frees. */
static char *mask_command(const char *cmd)
{
	strbuf out = STRBUF_INIT;
	size_t pos = 0, copied = 0;
	bool dsn_next = false;
	/* An unterminated quote runs to the end of the text: that masks more,
	 * never less. */
	lex_word w;
	while (lex_shell_word(cmd, &pos, &w)) {
		const char *v = w.value;
		char *masked = NULL;
		const char *prefix = "";
		if (dsn_next) {
			masked = mask_dsn(v);
			dsn_next = false;
		} else if (strcmp(v, "-d") == 0 || strcmp(v, "--dsn") == 0) {
			dsn_next = true;
		} else if (strncmp(v, "--dsn=", 6) == 0) {
			prefix = "--dsn=";
			masked = mask_dsn(v + 6);
		} else if (v[0] == '-' && v[1] == 'd' && v[2]) {
			prefix = "-d";
			masked = mask_dsn(v + 2);
		} else if (conninfo_is_uri(v)) {
			masked = conninfo_mask(v);
		} else {
			masked = mask_fragments(v);
		}
		if (masked) {
			sb_addn(&out, cmd + copied, w.start - copied);
			sb_add(&out, prefix);
			sb_add_shell_word(&out, masked);
			copied = w.end;
			free(masked);
		}
		free(w.value);
	}
	sb_add(&out, cmd + copied);
	return sb_steal(&out);
}

/* ------------------------------------------------------------------ appending */

/* The login name of the effective user, else $USER, else NULL. Caller frees.
 * getpwuid_r: writes run on the TUI's worker thread. */
static char *os_user(void)
{
	long guess = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t cap = guess > 0 ? (size_t)guess : 1024;
	char *buf = xmalloc(cap);
	struct passwd pw, *found = NULL;
	int rc;
	while ((rc = getpwuid_r(geteuid(), &pw, buf, cap, &found)) == ERANGE && cap < (1u << 20)) {
		cap *= 2;
		buf = xrealloc(buf, cap);
	}
	char *name = rc == 0 && found && found->pw_name && *found->pw_name
			     ? xstrdup(found->pw_name)
			     : NULL;
	free(buf);
	if (!name) {
		const char *env = getenv("USER");
		if (env && *env)
			name = xstrdup(env);
	}
	return name;
}

tc_status oplog_append(tc_conn *c, const oplog_entry *e, tc_error *err)
{
	if (!e || !e->command || !e->outcome)
		return tc_fail(err, TC_ERR_USAGE,
			       "cannot append to the operator audit log: an entry needs a command "
			       "and an outcome");
	/* db_user, application_name, client_addr and the time come from the
	 * column defaults: the server knows them better than we do. */
	static const char sql[] = "INSERT INTO " OPLOG_QUALIFIED
				  " (os_user, command, target, rows_affected, outcome)"
				  " VALUES ($1, $2, $3, $4::bigint, $5)";
	char *user = os_user();
	char *command = mask_command(e->command);
	char rows[32];
	if (e->rows >= 0)
		snprintf(rows, sizeof rows, "%ld", e->rows);
	const char *params[] = {user, command, e->target, e->rows >= 0 ? rows : NULL, e->outcome};
	tc_status st = db_exec(c, sql, 5, params, NULL, err);
	if (st != TC_OK) {
		tc_error_prefix(err, "cannot append to the operator audit log (%s): ",
				OPLOG_QUALIFIED);
		if (err && err->sqlstate && strcmp(err->sqlstate, "42P01") == 0)
			tc_hint(err, "the deployment has no operator audit log table; apply the "
				     "reference migrations (db/migrations) that create it");
	}
	free(command);
	free(user);
	return st;
}
