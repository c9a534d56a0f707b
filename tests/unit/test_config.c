#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cmocka.h>

#include "cfgfile.h"
#include "error.h"

/* Parse a NUL-terminated text named "cfg"; asserts success. */
static void parse_ok(const char *text, cfg_file *cfg)
{
	tc_error err = TC_ERROR_INIT;
	tc_status st = cfg_parse(text, strlen(text), "cfg", cfg, &err);
	if (st != TC_OK)
		fail_msg("unexpected error: %s (hint: %s)", err.message, err.hint ? err.hint : "");
	assert_null(err.message);
}

static const char valid_file[] =
	"# tenantctl config\n"
	"; another comment style\n"
	"\n"
	"[target prod]\n"
	"dsn = postgresql://ops@db1/app\n"
	"write = false\n"
	"lock_timeout = 5s\n"
	"statement_timeout=30000\n"
	"  idle_in_transaction_session_timeout =   1min   \n"
	"\t# indented comment\n"
	"migrations = /srv/tenantctl/migrations\n"
	"history_table = public.schema_history # kept: not a comment\n"
	"\n"
	"[target staging-2.eu_west]\n"
	"dsn = host=db2 password='x y' dbname=app\n"
	"write = YES\n"
	"service=stage\n"
	"allowlist = ~/allow.txt\n"
	"profile = orgs;members\n"
	"\n"
	"[ target   empty ]\n";

static void test_valid_file(void **state)
{
	(void)state;
	cfg_file cfg = CFG_FILE_INIT;
	parse_ok(valid_file, &cfg);
	assert_string_equal(cfg.path, "cfg");
	assert_int_equal(cfg.n_targets, 3);
	assert_string_equal(cfg.targets[0].name, "prod");
	assert_string_equal(cfg.targets[1].name, "staging-2.eu_west");
	assert_string_equal(cfg.targets[2].name, "empty");

	const cfg_target *prod = cfg_target_find(&cfg, "prod");
	assert_ptr_equal(prod, &cfg.targets[0]);
	assert_int_equal(prod->line, 4);
	assert_int_equal(prod->n_entries, 7);
	assert_string_equal(cfg_get(prod, "dsn"), "postgresql://ops@db1/app");
	assert_int_equal(cfg_get_line(prod, "dsn"), 5);
	assert_string_equal(cfg_get(prod, "write"), "false");
	assert_false(cfg_get_bool(prod, "write", true));
	assert_string_equal(cfg_get(prod, "lock_timeout"), "5s");
	assert_string_equal(cfg_get(prod, "statement_timeout"), "30000");
	assert_int_equal(cfg_get_line(prod, "statement_timeout"), 8);
	assert_string_equal(cfg_get(prod, "idle_in_transaction_session_timeout"), "1min");
	assert_int_equal(cfg_get_line(prod, "idle_in_transaction_session_timeout"), 9);
	assert_string_equal(cfg_get(prod, "migrations"), "/srv/tenantctl/migrations");
	assert_int_equal(cfg_get_line(prod, "migrations"), 11);
	assert_string_equal(cfg_get(prod, "history_table"),
			    "public.schema_history # kept: not a comment");
	assert_null(cfg_get(prod, "service"));
	assert_int_equal(cfg_get_line(prod, "service"), 0);

	const cfg_target *stg = cfg_target_find(&cfg, "staging-2.eu_west");
	assert_non_null(stg);
	assert_int_equal(stg->line, 14);
	assert_string_equal(cfg_get(stg, "dsn"), "host=db2 password='x y' dbname=app");
	assert_true(cfg_get_bool(stg, "write", false));
	assert_string_equal(cfg_get(stg, "service"), "stage");
	assert_string_equal(cfg_get(stg, "allowlist"), "~/allow.txt");
	assert_string_equal(cfg_get(stg, "profile"), "orgs;members");
	assert_int_equal(cfg_get_line(stg, "profile"), 19);
	assert_null(cfg_get(stg, "lock_timeout"));

	const cfg_target *empty = cfg_target_find(&cfg, "empty");
	assert_non_null(empty);
	assert_int_equal(empty->n_entries, 0);
	assert_int_equal(empty->line, 21);
	assert_true(cfg_get_bool(empty, "write", true));
	assert_false(cfg_get_bool(empty, "write", false));

	/* Absent things. */
	assert_null(cfg_target_find(&cfg, "Prod")); /* names are case-sensitive */
	assert_null(cfg_target_find(&cfg, "nope"));
	assert_null(cfg_target_find(&cfg, NULL));
	assert_null(cfg_target_find(NULL, "prod"));
	assert_null(cfg_get(NULL, "dsn"));
	assert_int_equal(cfg_get_line(NULL, "dsn"), 0);
	assert_true(cfg_get_bool(NULL, "write", true));
	assert_null(cfg_get(prod, "no_such_key"));

	cfg_free(&cfg);
	assert_null(cfg.path);
	assert_null(cfg.targets);
	assert_int_equal(cfg.n_targets, 0);
	cfg_free(&cfg); /* twice is harmless */
}

/* Chain settings: KEY.CHAIN for the keys a migration chain has. */
static void test_chain_keys(void **state)
{
	(void)state;
	cfg_file cfg = CFG_FILE_INIT;
	parse_ok("[target t]\nmigrations = db/core\nmigrations.tracing = db/tracing\n"
		 "history_table.tracing = public.tracing_migrations\nhistory.tracing = dbmate\n"
		 "migrations_format.tracing = dbmate\n",
		 &cfg);
	const cfg_target *t = cfg_target_find(&cfg, "t");
	assert_string_equal(cfg_get(t, "migrations"), "db/core");
	assert_string_equal(cfg_get(t, "migrations.tracing"), "db/tracing");
	assert_string_equal(cfg_get(t, "history_table.tracing"), "public.tracing_migrations");
	assert_int_equal(cfg_get_line(t, "history.tracing"), 5);
	cfg_free(&cfg);
}

static void test_quoted_values(void **state)
{
	(void)state;
	cfg_file cfg = CFG_FILE_INIT;
	parse_ok("[target q]\n"
		 "reference = \"  leading and trailing  \"\n"
		 "profile = \"has # hash; \\\"quotes\\\" and \\\\ backslash\"   \n"
		 "dsn = \"host=db1 password='a b'\"\n"
		 "migrations = \"C:\\\\dir\\\\m\"\n"
		 "history_table = \"=\"\n"
		 "service = \"caf\xC3\xA9\"\n"
		 "allowlist = say \"hi\" there\n",
		 &cfg);
	const cfg_target *t = cfg_target_find(&cfg, "q");
	assert_non_null(t);
	assert_string_equal(cfg_get(t, "reference"), "  leading and trailing  ");
	assert_string_equal(cfg_get(t, "profile"), "has # hash; \"quotes\" and \\ backslash");
	assert_string_equal(cfg_get(t, "dsn"), "host=db1 password='a b'");
	assert_string_equal(cfg_get(t, "migrations"), "C:\\dir\\m");
	assert_string_equal(cfg_get(t, "history_table"), "=");
	assert_string_equal(cfg_get(t, "service"), "caf\xC3\xA9");
	/* Quotes not at the start of a value are plain characters. */
	assert_string_equal(cfg_get(t, "allowlist"), "say \"hi\" there");
	cfg_free(&cfg);
}

static void test_crlf(void **state)
{
	(void)state;
	cfg_file cfg = CFG_FILE_INIT;
	parse_ok("# windows\r\n"
		 "[target w]\r\n"
		 "dsn = host=db1\r\n"
		 "\r\n"
		 "reference = \"quoted\"\r\n"
		 "write = on\r\n"
		 "lock_timeout = 250ms", /* no final newline */
		 &cfg);
	const cfg_target *t = cfg_target_find(&cfg, "w");
	assert_non_null(t);
	assert_string_equal(cfg_get(t, "dsn"), "host=db1");
	assert_string_equal(cfg_get(t, "reference"), "quoted");
	assert_true(cfg_get_bool(t, "write", false));
	assert_string_equal(cfg_get(t, "lock_timeout"), "250ms");
	assert_int_equal(cfg_get_line(t, "lock_timeout"), 7);
	cfg_free(&cfg);
}

static void test_empty_inputs_and_bom(void **state)
{
	(void)state;
	cfg_file cfg = CFG_FILE_INIT;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(cfg_parse("", 0, "cfg", &cfg, &err), TC_OK);
	assert_int_equal(cfg.n_targets, 0);
	assert_string_equal(cfg.path, "cfg");
	cfg_free(&cfg);

	assert_int_equal(cfg_parse(NULL, 0, NULL, &cfg, &err), TC_OK);
	assert_int_equal(cfg.n_targets, 0);
	cfg_free(&cfg);

	parse_ok("# only comments\n;\n\n   \n", &cfg);
	assert_int_equal(cfg.n_targets, 0);
	cfg_free(&cfg);

	/* A UTF-8 byte order mark (some Windows editors write one) is skipped. */
	parse_ok("\xEF\xBB\xBF[target b]\nwrite = 1\n", &cfg);
	assert_true(cfg_get_bool(cfg_target_find(&cfg, "b"), "write", false));
	cfg_free(&cfg);

	/* The same key in two targets is fine. */
	parse_ok("[target a]\ndsn = x\n[target b]\ndsn = y\n", &cfg);
	assert_string_equal(cfg_get(cfg_target_find(&cfg, "a"), "dsn"), "x");
	assert_string_equal(cfg_get(cfg_target_find(&cfg, "b"), "dsn"), "y");
	cfg_free(&cfg);
	assert_null(err.message);
}

/* ------------------------------------------------------------ errors */

typedef struct bad_case {
	const char *text;
	size_t len;          /* 0: strlen(text) */
	const char *where;   /* "cfg:N:" */
	const char *what;    /* a fragment of the message */
	const char *hint;    /* a fragment of the hint, or NULL */
} bad_case;

#define T "[target a]\n"
/* Text and length, for texts holding a NUL. */
#define WITH_NUL(s) s, sizeof(s) - 1

static const bad_case bad_cases[] = {
	/* chain keys: only the chainable keys, with a plausible chain name */
	{T "dsn.tracing = x\n", 0, "cfg:2:", "unknown key 'dsn.tracing'", "KEY.CHAIN"},
	{T "migrations. = x\n", 0, "cfg:2:", "unknown key 'migrations.'", NULL},
	{T "migrations.a b = x\n", 0, "cfg:2:", "unknown key", NULL},
	{T "migrations.x = a\nmigrations.x = b\n", 0, "cfg:3:", "duplicate key 'migrations.x'", NULL},
	/* settings outside a section */
	{"dsn = x\n", 0, "cfg:1:", "'dsn' is set outside any [target NAME] section", "[target prod]"},
	{"# c\n\nwrite = true\n[target a]\n", 0, "cfg:3:", "outside any [target NAME] section", NULL},
	/* section headers */
	{"[target prod\n", 0, "cfg:1:", "missing its closing ']'", "[target NAME]"},
	{T "[target b\ndsn = x\n", 0, "cfg:2:", "missing its closing ']'", NULL},
	{"[]\n", 0, "cfg:1:", "empty section header", "[target NAME]"},
	{"[  \t ]\n", 0, "cfg:1:", "empty section header", NULL},
	{"[server prod]\n", 0, "cfg:1:", "unknown section type 'server'", "[target NAME]"},
	{"[Target prod]\n", 0, "cfg:1:", "unknown section type 'Target'", NULL},
	{"[targets prod]\n", 0, "cfg:1:", "unknown section type 'targets'", NULL},
	{"[target]\n", 0, "cfg:1:", "[target] has no name", "letters, digits"},
	{"[target   ]\n", 0, "cfg:1:", "[target] has no name", NULL},
	{"[target pr/od]\n", 0, "cfg:1:", "invalid target name 'pr/od'", "letters, digits"},
	{"[target a b]\n", 0, "cfg:1:", "invalid target name 'a b'", NULL},
	{"[target caf\xC3\xA9]\n", 0, "cfg:1:", "invalid target name", NULL},
	{T "[target b]\n\n[target a]\n", 0, "cfg:4:", "duplicate target 'a' (first defined on line 1)",
	 "merge"},
	{"[target a] # prod\n", 0, "cfg:1:", "unexpected text '# prod' after section header",
	 "own line"},
	{"[target a]]\n", 0, "cfg:1:", "unexpected text ']' after section header", NULL},
	/* key = value */
	{T "dsn\n", 0, "cfg:2:", "expected 'key = value', found 'dsn'", "key = value"},
	{T "dsn: x\n", 0, "cfg:2:", "expected 'key = value'", NULL},
	{T "  = x\n", 0, "cfg:2:", "missing key before '='", NULL},
	{T "=\n", 0, "cfg:2:", "missing key before '='", NULL},
	{T "lock_timout = 5s\n", 0, "cfg:2:", "unknown key 'lock_timout' in [target a]",
	 "did you mean 'lock_timeout'?"},
	{T "dns = x\n", 0, "cfg:2:", "unknown key 'dns'", "did you mean 'dsn'?"},
	{T "DSN = x\n", 0, "cfg:2:", "unknown key 'DSN'", "did you mean 'dsn'?"},
	{T "colour = blue\n", 0, "cfg:2:", "unknown key 'colour'",
	 "known keys: dsn, service, write, statement_timeout, lock_timeout"},
	{T "dsn = x\n\nwrite = on\ndsn = y\n", 0, "cfg:5:",
	 "duplicate key 'dsn' in [target a] (first set on line 2)", NULL},
	/* booleans */
	{T "write = maybe\n", 0, "cfg:2:", "invalid boolean 'maybe' for 'write'", "true or false"},
	{T "write = truee\n", 0, "cfg:2:", "invalid boolean 'truee'", NULL},
	{T "write = 2\n", 0, "cfg:2:", "invalid boolean '2'", NULL},
	{T "write =\n", 0, "cfg:2:", "empty value for 'write'", "true or false"},
	/* durations */
	{T "lock_timeout = 5 s\n", 0, "cfg:2:", "invalid duration '5 s' for 'lock_timeout'",
	 "us, ms, s, min, h or d"},
	{T "statement_timeout = 5sec\n", 0, "cfg:2:", "invalid duration '5sec'", NULL},
	{T "statement_timeout = 5S\n", 0, "cfg:2:", "invalid duration '5S'", NULL},
	{T "statement_timeout = -1\n", 0, "cfg:2:", "invalid duration '-1'", NULL},
	{T "statement_timeout = 1.5s\n", 0, "cfg:2:", "invalid duration '1.5s'", NULL},
	{T "statement_timeout = s\n", 0, "cfg:2:", "invalid duration 's'", NULL},
	{T "idle_in_transaction_session_timeout = 25d\n", 0, "cfg:2:", "invalid duration '25d'",
	 "24 days"},
	{T "lock_timeout = \"\"\n", 0, "cfg:2:", "empty value for 'lock_timeout'", NULL},
	/* quoting */
	{T "dsn = \"host=x\n", 0, "cfg:2:", "unterminated quoted value", "closing '\"'"},
	{T "dsn = \"host=x\\\"\n", 0, "cfg:2:", "unterminated quoted value", NULL},
	{T "dsn = \"host=x\\\n", 0, "cfg:2:", "unterminated quoted value", NULL},
	{T "dsn = \"\n", 0, "cfg:2:", "unterminated quoted value", NULL},
	{T "dsn = \"host=x\" # prod\n", 0, "cfg:2:", "unexpected text '# prod' after closing quote",
	 "own line"},
	{T "dsn = \"a\"\"b\"\n", 0, "cfg:2:", "unexpected text '\"b\"' after closing quote", NULL},
	{T "dsn = \"a\\nb\"\n", 0, "cfg:2:", "unknown escape '\\n' in quoted value", "\\\\"},
	/* empty values */
	{T "dsn =\n", 0, "cfg:2:", "empty value for 'dsn'", NULL},
	{T "dsn = \"\"\n", 0, "cfg:2:", "empty value for 'dsn'", NULL},
	{T "service =   \n", 0, "cfg:2:", "empty value for 'service'", NULL},
	{T "migrations =\n", 0, "cfg:2:", "empty value for 'migrations'", "path"},
	{T "allowlist = \"\"\n", 0, "cfg:2:", "empty value for 'allowlist'", "path"},
	/* bytes */
	{WITH_NUL(T "dsn = a\0b\n"), "cfg:2:", "NUL byte", "plain text"},
	{WITH_NUL(T "# c\0mment\n"), "cfg:2:", "NUL byte", NULL},
	{T "profile = caf\xE9\n", 0, "cfg:2:", "invalid UTF-8 (byte 0xE9 at column 14)", "UTF-8"},
	{T "\n# \xC0\xAF overlong\n", 0, "cfg:3:", "invalid UTF-8 (byte 0xC0", NULL},
	{T "profile = \xED\xA0\x80\n", 0, "cfg:2:", "invalid UTF-8", NULL}, /* surrogate */
	{T "profile = \xF4\x90\x80\x80\n", 0, "cfg:2:", "invalid UTF-8", NULL}, /* > U+10FFFF */
	{T "profile = ab\xC3", 0, "cfg:2:", "invalid UTF-8", NULL}, /* truncated at EOF */
	/* line numbers stay right with CR LF and without a final newline */
	{"[target a]\r\n\r\nwrite = nope\r\n", 0, "cfg:3:", "invalid boolean 'nope'", NULL},
	{T "dsn = x\nwrite = on\nbogus", 0, "cfg:4:", "expected 'key = value', found 'bogus'", NULL},
};

static void test_bad_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		cfg_file cfg = CFG_FILE_INIT;
		tc_error err = TC_ERROR_INIT;
		tc_status st = cfg_parse(c->text, len, "cfg", &cfg, &err);
		if (st != TC_ERR_USAGE)
			fail_msg("case %zu (%s): parsed, expected an error", i, c->what);
		assert_int_equal(err.status, TC_ERR_USAGE);
		assert_non_null(err.message);
		if (strncmp(err.message, c->where, strlen(c->where)) != 0)
			fail_msg("case %zu: message '%s' does not start with '%s'", i, err.message, c->where);
		if (!strstr(err.message, c->what))
			fail_msg("case %zu: message '%s' lacks '%s'", i, err.message, c->what);
		if (!err.hint)
			fail_msg("case %zu: no hint for '%s'", i, err.message);
		if (c->hint && !strstr(err.hint, c->hint))
			fail_msg("case %zu: hint '%s' lacks '%s'", i, err.hint, c->hint);
		/* Nothing half-built is left behind. */
		assert_null(cfg.path);
		assert_null(cfg.targets);
		assert_int_equal(cfg.n_targets, 0);
		tc_error_clear(&err);
	}
}

static void test_unknown_key_hint_without_guess(void **state)
{
	(void)state;
	cfg_file cfg = CFG_FILE_INIT;
	tc_error err = TC_ERROR_INIT;
	const char *text = T "colour = blue\n";
	assert_int_equal(cfg_parse(text, strlen(text), "cfg", &cfg, &err), TC_ERR_USAGE);
	assert_null(strstr(err.hint, "did you mean"));
	/* Every known key is listed. */
	static const char *const keys[] = {"dsn", "service", "write", "statement_timeout",
		"lock_timeout", "idle_in_transaction_session_timeout", "migrations", "reference",
		"allowlist", "profile", "history_table"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_non_null(strstr(err.hint, keys[i]));
	tc_error_clear(&err);

	/* A very long key costs nothing and guesses nothing. */
	char *long_key = malloc(100001);
	memcpy(long_key, T, strlen(T));
	memset(long_key + strlen(T), 'k', 100000 - strlen(T) - 4);
	memcpy(long_key + 100000 - 4, "= 1\n", 5);
	assert_int_equal(cfg_parse(long_key, 100000, "cfg", &cfg, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "cfg:2: unknown key 'kkk"));
	assert_true(strlen(err.message) < 200); /* the key is shortened */
	assert_null(strstr(err.hint, "did you mean"));
	free(long_key);
	tc_error_clear(&err);
}

static void test_null_err_is_allowed(void **state)
{
	(void)state;
	cfg_file cfg = CFG_FILE_INIT;
	assert_int_equal(cfg_parse("dsn = x\n", 8, "cfg", &cfg, NULL), TC_ERR_USAGE);
	assert_int_equal(cfg.n_targets, 0);
}

/* ------------------------------------------------------------ value syntax */

static void test_parse_bool(void **state)
{
	(void)state;
	static const char *const yes[] = {"true", "TRUE", "True", "yes", "Yes", "on", "ON", "1"};
	static const char *const no[] = {"false", "FALSE", "no", "NO", "off", "Off", "0"};
	static const char *const bad[] = {"", "t", "f", "y", "n", "2", "01", "true ", " on", "enable"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		bool v = false;
		assert_true(cfg_parse_bool(yes[i], &v));
		assert_true(v);
	}
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		bool v = true;
		assert_true(cfg_parse_bool(no[i], &v));
		assert_false(v);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		bool v = true;
		if (cfg_parse_bool(bad[i], &v))
			fail_msg("'%s' accepted as a bool", bad[i]);
		assert_true(v); /* untouched */
	}
	assert_false(cfg_parse_bool(NULL, NULL));
	assert_true(cfg_parse_bool("on", NULL));
}

static void test_valid_duration(void **state)
{
	(void)state;
	static const char *const good[] = {"0", "5000", "30s", "250ms", "1500us", "1min", "10min",
		"2h", "1d", "24d", "007s", "2147483647", "2147483647ms", "2147483s", "35791min",
		"596h", "2147483647000us"};
	static const char *const bad[] = {"", " 5s", "5s ", "5 s", "5S", "5sec", "5m", "5mins",
		"1.5s", "-1", "+1", "s", "ms", "1e3", "0x10", "25d", "2147483648", "2147483648ms",
		"2147484s", "35792min", "597h", "2147483648000us", "99999999999999999999999999"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!cfg_valid_duration(good[i]))
			fail_msg("'%s' rejected", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (cfg_valid_duration(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	assert_false(cfg_valid_duration(NULL));
}

/* ------------------------------------------------------------ files */

typedef struct fixture {
	char dir[64];
} fixture;

static int make_dir(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/tc_test_config.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int remove_dir(void **state)
{
	fixture *f = *state;
	int rc = 0;
	DIR *d = opendir(f->dir);
	if (!d)
		rc = -1;
	for (struct dirent *de; d && (de = readdir(d));) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *p = NULL;
		if (asprintf(&p, "%s/%s", f->dir, de->d_name) < 0 || unlink(p) != 0)
			rc = -1;
		free(p);
	}
	if (d)
		closedir(d);
	if (rmdir(f->dir) != 0)
		rc = -1;
	free(f);
	return rc;
}

static char *write_file(const fixture *f, const char *name, const char *text)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/%s", f->dir, name) > 0);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
	return path;
}

static void test_load_file(void **state)
{
	fixture *f = *state;
	char *path = write_file(f, "config", valid_file);
	cfg_file cfg = CFG_FILE_INIT;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(cfg_load(path, true, &cfg, &err), TC_OK);
	assert_string_equal(cfg.path, path);
	assert_int_equal(cfg.n_targets, 3);
	assert_string_equal(cfg_get(cfg_target_find(&cfg, "prod"), "lock_timeout"), "5s");
	cfg_free(&cfg);
	free(path);

	/* A big file: no line or file size limit. */
	char *big = malloc(400000);
	size_t n = 0;
	n += (size_t)sprintf(big + n, "[target big]\n");
	while (n < 390000)
		n += (size_t)sprintf(big + n, "# filler comment line %zu\n", n);
	sprintf(big + n, "dsn = host=far\n");
	path = write_file(f, "big", big);
	assert_int_equal(cfg_load(path, false, &cfg, &err), TC_OK);
	assert_string_equal(cfg_get(cfg_target_find(&cfg, "big"), "dsn"), "host=far");
	assert_true(cfg_get_line(cfg_target_find(&cfg, "big"), "dsn") > 10000);
	cfg_free(&cfg);
	free(path);
	free(big);
	assert_null(err.message);
}

static void test_load_errors(void **state)
{
	fixture *f = *state;
	cfg_file cfg = CFG_FILE_INIT;
	tc_error err = TC_ERROR_INIT;
	char *missing = NULL;
	assert_true(asprintf(&missing, "%s/nope/config", f->dir) > 0);

	/* Missing and not asked for: an empty config. */
	assert_int_equal(cfg_load(missing, false, &cfg, &err), TC_OK);
	assert_int_equal(cfg.n_targets, 0);
	assert_null(cfg_target_find(&cfg, "prod"));
	assert_null(err.message);
	cfg_free(&cfg);

	/* Missing but named by the operator: an error naming the path. */
	assert_int_equal(cfg_load(missing, true, &cfg, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, missing));
	assert_non_null(strstr(err.message, "does not exist"));
	assert_non_null(err.hint);
	assert_int_equal(cfg.n_targets, 0);
	tc_error_clear(&err);
	free(missing);

	/* A directory cannot be read as a file, even when not asked for. */
	assert_int_equal(cfg_load(f->dir, false, &cfg, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, f->dir));
	assert_non_null(strstr(err.message, "Is a directory"));
	assert_null(cfg.path);
	tc_error_clear(&err);

	/* Other reasons a file cannot be opened give the system's reason. */
	char *under_file = write_file(f, "plain", "");
	char *through = NULL;
	assert_true(asprintf(&through, "%s/config", under_file) > 0);
	assert_int_equal(cfg_load(through, false, &cfg, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, through));
	assert_non_null(strstr(err.message, "Not a directory"));
	tc_error_clear(&err);
	free(through);
	free(under_file);

	/* A malformed file: the message names the real path and the line. */
	char *path = write_file(f, "bad", "[target a]\nwrite = perhaps\n");
	char *where = NULL;
	assert_true(asprintf(&where, "%s:2: invalid boolean 'perhaps' for 'write'", path) > 0);
	assert_int_equal(cfg_load(path, false, &cfg, &err), TC_ERR_USAGE);
	assert_string_equal(err.message, where);
	assert_null(cfg.path);
	tc_error_clear(&err);
	free(where);
	free(path);
}

/* Root reads anything, so as root the check runs in a child that has
 * dropped to nobody; the child reports by exit status. */
static int unreadable_check(const char *path)
{
	cfg_file cfg = CFG_FILE_INIT;
	tc_error err = TC_ERROR_INIT;
	if (cfg_load(path, false, &cfg, &err) != TC_ERR_USAGE)
		return 1;
	if (!strstr(err.message, path) || !strstr(err.message, "Permission denied"))
		return 2;
	tc_error_clear(&err);
	return 0;
}

static void test_load_unreadable(void **state)
{
	fixture *f = *state;
	char *path = write_file(f, "secret", "[target a]\n");
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() != 0) {
		assert_int_equal(unreadable_check(path), 0);
	} else {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0)
				_exit(3);
			_exit(unreadable_check(path));
		}
		int ws;
		assert_int_equal(waitpid(pid, &ws, 0), pid);
		assert_true(WIFEXITED(ws));
		assert_int_equal(WEXITSTATUS(ws), 0);
	}
	free(path);
}

/* ------------------------------------------------------------ default path */

typedef struct saved_env {
	char *xdg, *home;
} saved_env;

static int save_env(void **state)
{
	saved_env *s = calloc(1, sizeof *s);
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	s->xdg = x ? strdup(x) : NULL;
	s->home = h ? strdup(h) : NULL;
	*state = s;
	return 0;
}

static void put_env(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

static int restore_env(void **state)
{
	saved_env *s = *state;
	put_env("XDG_CONFIG_HOME", s->xdg);
	put_env("HOME", s->home);
	free(s->xdg);
	free(s->home);
	free(s);
	return 0;
}

static void check_default(const char *xdg, const char *home, const char *want)
{
	put_env("XDG_CONFIG_HOME", xdg);
	put_env("HOME", home);
	char *got = cfg_default_path();
	if (!want) {
		if (got)
			fail_msg("XDG=%s HOME=%s: got '%s', expected NULL", xdg ? xdg : "(unset)",
				 home ? home : "(unset)", got);
		return;
	}
	if (!got || strcmp(got, want) != 0)
		fail_msg("XDG=%s HOME=%s: got '%s', expected '%s'", xdg ? xdg : "(unset)",
			 home ? home : "(unset)", got ? got : "(null)", want);
	free(got);
}

static void test_default_path(void **state)
{
	(void)state;
	check_default("/x/cfg", "/home/op", "/x/cfg/tenantctl/config");
	check_default("/x/cfg/", "/home/op", "/x/cfg/tenantctl/config");
	check_default("/x/cfg", NULL, "/x/cfg/tenantctl/config");
	check_default("/", NULL, "/tenantctl/config");
	/* A relative XDG_CONFIG_HOME is invalid per the XDG spec: ignored. */
	check_default("rel/cfg", "/home/op", "/home/op/.config/tenantctl/config");
	check_default("./cfg", "/home/op", "/home/op/.config/tenantctl/config");
	check_default("", "/home/op", "/home/op/.config/tenantctl/config");
	check_default(NULL, "/home/op", "/home/op/.config/tenantctl/config");
	check_default(NULL, "/home/op/", "/home/op/.config/tenantctl/config");
	check_default(NULL, "/", "/.config/tenantctl/config");
	/* Neither usable. */
	check_default(NULL, NULL, NULL);
	check_default("rel/cfg", NULL, NULL);
	check_default("", "", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_file),
		cmocka_unit_test(test_chain_keys),
		cmocka_unit_test(test_quoted_values),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_empty_inputs_and_bom),
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_unknown_key_hint_without_guess),
		cmocka_unit_test(test_null_err_is_allowed),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_valid_duration),
		cmocka_unit_test_setup_teardown(test_load_file, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_errors, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_load_unreadable, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_default_path, save_env, restore_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
