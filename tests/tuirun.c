#include "config.h"

#include "tuirun.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "db/dbtest.h"
#include "strbuf.h"
#include "xalloc.h"

char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_addn(&sb, buf, n);
	fclose(f);
	return sb_steal(&sb);
}

void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static bool has_shape(const char *p, const char *shape)
{
	for (size_t i = 0; shape[i]; i++) {
		if (!p[i])
			return false;
		if (shape[i] == 'd' ? !isdigit((unsigned char)p[i]) : p[i] != shape[i])
			return false;
	}
	return true;
}

static bool is_date(const char *p)
{
	return has_shape(p, "dddd-dd-dd");
}

static bool is_time(const char *p)
{
	return has_shape(p, "dd:dd");
}

/* See the comment at the top of the file. Caller frees. */
char *normalise(const char *text)
{
	char *t = xstrdup(text);
	for (char *p = t; *p; p++) {
		/* dates, with or without a time, whole or clipped */
		if (is_date(p)) {
			size_t len = strcspn(p, " \n");
			if (p[len] == ' ' && is_time(p + len + 1))
				len += 6;
			if (p[len] == ':' && isdigit((unsigned char)p[len + 1]) &&
			    isdigit((unsigned char)p[len + 2]))
				len += 3; /* seconds */
			for (size_t i = 0; i < len; i++)
				if (isdigit((unsigned char)p[i]))
					p[i] = '9';
			p += len - 1;
		}
	}
	/* durations: a number standing alone at the end of a row that says
	 * "applied " (the ms a migration took) */
	for (char *line = t; *line;) {
		char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		char *q = end;
		while (q > line && isdigit((unsigned char)q[-1]))
			q--;
		size_t n = (size_t)(end - q);
		if (n > 0 && n <= 6 && q > line && q[-1] == ' ' && memmem(line, (size_t)(end - line), "applied ", 8)) {
			memset(q, ' ', n - 1);
			q[n - 1] = '9';
		}
		line = *end ? end + 1 : end;
	}
	strbuf sb = STRBUF_INIT;
	const char *src = getenv("TC_SRCDIR");
	size_t srclen = src ? strlen(src) : 0;
	for (const char *p = t; *p;) {
		if (srclen && strncmp(p, src, srclen) == 0) {
			sb_add(&sb, "SRC");
			p += srclen;
		} else if (strncmp(p, "/tmp/tc-tui-", 12) == 0 && strlen(p) >= 18) {
			sb_add(&sb, "/tmp/tc-tui-XXXXXX");
			p += 18;
		} else if (strncmp(p, "pid ", 4) == 0 && isdigit((unsigned char)p[4])) {
			sb_add(&sb, "pid PID");
			p += 4 + strspn(p + 4, "0123456789");
		} else if (strncmp(p, "  pg ", 5) == 0) {
			sb_add(&sb, "  pg VER");
			p += 5 + strcspn(p + 5, " \n");
		} else {
			sb_addc(&sb, *p++);
		}
	}
	free(t);
	return sb_steal(&sb);
}

void check_golden(const char *dump_path, const char *name)
{
	char *got_raw = slurp(dump_path);
	if (!got_raw)
		fail_msg("the console wrote no dump %s", dump_path);
	char *got = normalise(got_raw);
	char *golden = xasprintf("%s/tests/tui/golden/%s.txt", getenv("TC_SRCDIR"), name);
	const char *update = getenv("TC_UPDATE_GOLDEN");
	if (update && *update) {
		spit(golden, got);
	} else {
		char *want = slurp(golden);
		if (!want)
			fail_msg("no expected screen %s (TC_UPDATE_GOLDEN=1 writes it)", golden);
		if (strcmp(want, got) != 0)
			fail_msg("screen %s differs from %s; got:\n%s", name, golden, got);
		free(want);
	}
	free(golden);
	free(got);
	free(got_raw);
	unlink(dump_path);
}

void fixture_make(fixture *f, const char *name, bool writes)
{
	fixture_make_with(f, name, writes, false, NULL);
}

void fixture_make_with(fixture *f, const char *name, bool writes, bool seed, const char *extra_cfg)
{
	char *drop = xasprintf("DROP DATABASE IF EXISTS %s", name);
	char *create = xasprintf("CREATE DATABASE %s TEMPLATE tc_template", name);
	dbtest_exec(dbtest_admin_dsn(), drop);
	dbtest_exec(dbtest_admin_dsn(), create);
	free(drop);
	free(create);
	f->dsn = xasprintf("%s dbname=%s", dbtest_admin_dsn(), name);
	f->migdir = xasprintf("%s/db/migrations", getenv("TC_SRCDIR"));
	cli_out o = cli_run(ARGS("migrate", "up", "--write", "-d", f->dsn, "--dir", f->migdir), NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	o = cli_run(ARGS("migrate", "down", "--write", "-d", f->dsn, "--dir", f->migdir), NULL);
	assert_int_equal(o.status, 0);
	cli_out_free(&o);
	/* Who applied the migrations and how long they took vary between
	 * machines and runs; the screens show both. */
	dbtest_exec(f->dsn, "UPDATE public.tenantctl_schema_migrations SET applied_by_os = 'ops', "
			    "applied_by_db = 'ops', duration_ms = 5");
	if (seed) {
		char *path = xasprintf("%s/db/seed/demo.sql", getenv("TC_SRCDIR"));
		char *sql = slurp(path);
		if (!sql)
			fail_msg("cannot read %s", path);
		dbtest_exec(f->dsn, sql);
		free(sql);
		free(path);
	}

	strcpy(f->dir, "/tmp/tc-tui-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->cfg = xasprintf("%s/tenantctl.conf", f->dir);
	char *text = xasprintf("[target golden]\ndsn = \"%s\"\nmigrations = %s\n%s%s", f->dsn,
			       f->migdir, writes ? "write = true\n" : "", extra_cfg ? extra_cfg : "");
	spit(f->cfg, text);
	free(text);
}

void fixture_free(fixture *f)
{
	unlink(f->cfg);
	char *hist = xasprintf("%s/tenantctl/history", f->dir);
	unlink(hist);
	free(hist);
	hist = xasprintf("%s/tenantctl", f->dir);
	rmdir(hist);
	free(hist);
	rmdir(f->dir);
	free(f->cfg);
	free(f->dsn);
	free(f->migdir);
}

/* Run the console on the fixture with `steps` (script lines, where a line
 * "dump NAME" dumps the screen and compares it with golden NAME). extra_env
 * may add one NAME=value. Returns the console's stderr (caller frees). */
char *run_console(fixture *f, const char *steps, const char *size, const char *extra_env)
{
	strbuf script = STRBUF_INIT;
	const char *names[32];
	char *dumps[32];
	int n = 0;
	char *copy = xstrdup(steps);
	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "dump ", 5) == 0) {
			assert_true(n < 32);
			names[n] = line + 5;
			dumps[n] = xasprintf("%s/%d-%s.txt", f->dir, n, line + 5);
			sb_addf(&script, "dump %s\n", dumps[n]);
			n++;
		} else {
			sb_addf(&script, "%s\n", line);
		}
	}
	char *script_path = xasprintf("%s/script", f->dir);
	spit(script_path, sb_str(&script));
	char *env_script = xasprintf("TENANTCTL_TUI_SCRIPT=%s", script_path);
	char *env_size = xasprintf("TENANTCTL_TUI_SIZE=%s", size);
	char *env_state = xasprintf("XDG_STATE_HOME=%s", f->dir);
	cli_out o = cli_run(ARGS("--config", f->cfg, "-t", "golden"),
			    ARGS(env_script, env_size, env_state, "TERM=xterm", "LC_ALL=C.UTF-8",
				 "TZ=UTC", extra_env ? extra_env : "NO_COLOR=1"));
	if (o.status != 0)
		fail_msg("tenantctl exited %d: %s", o.status, o.err);
	for (int i = 0; i < n; i++) {
		check_golden(dumps[i], names[i]);
		free(dumps[i]);
	}
	char *err = o.err;
	o.err = NULL;
	cli_out_free(&o);
	unlink(script_path);
	free(script_path);
	free(env_script);
	free(env_size);
	free(env_state);
	free(copy);
	sb_free(&script);
	return err;
}
