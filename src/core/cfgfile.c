#include "config.h"

#include "cfgfile.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lex.h"
#include "strbuf.h"
#include "xalloc.h"

/*
 * Syntax, kept deliberately small:
 *   - lines end at LF; a CR before the LF is dropped (files edited on Windows);
 *   - a line whose first non-blank character is '#' or ';' is a comment;
 *     there are no trailing comments: an unquoted value is taken literally to
 *     the end of the line, so `dsn = host=a password=x#y` keeps its '#';
 *   - a value in double quotes may hold leading/trailing blanks, '#', etc.;
 *     inside it only \" and \\ are escapes;
 *   - the file must be UTF-8 without NUL bytes (a UTF-8 BOM is skipped).
 */

typedef enum key_kind { KIND_STRING, KIND_BOOL, KIND_DURATION, KIND_PATH } key_kind;

typedef struct known_key {
	const char *name;
	key_kind kind;
	bool per_chain; /* may also be set as NAME.CHAIN for one migration chain */
} known_key;

/* Every key a [target] section may set. Add new keys here; they are then
 * accepted, validated by kind and listed in the "unknown key" hint. No key
 * may be empty: an empty setting is almost always a half-edited line. */
static const known_key known_keys[] = {
	{"dsn", KIND_STRING, false},
	{"service", KIND_STRING, false},
	{"write", KIND_BOOL, false},
	{"statement_timeout", KIND_DURATION, false},
	{"lock_timeout", KIND_DURATION, false},
	{"idle_in_transaction_session_timeout", KIND_DURATION, false},
	{"migrations", KIND_PATH, true},
	{"migrations_format", KIND_STRING, true},
	{"history", KIND_STRING, true},
	{"history_table", KIND_STRING, true},
	{"reference", KIND_STRING, false},
	{"allowlist", KIND_PATH, false},
	{"profile", KIND_STRING, false},
};

#define N_KNOWN_KEYS (sizeof known_keys / sizeof known_keys[0])

static const char *kind_hint(key_kind kind)
{
	switch (kind) {
	case KIND_BOOL:
		return "use true or false (yes/no, on/off and 1/0 also work)";
	case KIND_DURATION:
		return "use a whole number with an optional unit us, ms, s, min, h or d, "
		       "e.g. 30s, 5min or 5000 (milliseconds); at most about 24 days";
	case KIND_PATH:
		return "give a file or directory path, or remove the line";
	case KIND_STRING:
		break;
	}
	return "give a value, or remove the line";
}

/* A chain name, as in "migrations.tracing": letters, digits, _ and -. */
static bool valid_chain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static const known_key *key_lookup(const char *name)
{
	const char *dot = strchr(name, '.');
	size_t len = dot ? (size_t)(dot - name) : strlen(name);
	for (size_t i = 0; i < N_KNOWN_KEYS; i++) {
		const known_key *k = &known_keys[i];
		if (strlen(k->name) != len || strncmp(k->name, name, len) != 0)
			continue;
		if (!dot || (k->per_chain && valid_chain_name(dot + 1)))
			return k;
	}
	return NULL;
}



static const char *closest_key(const char *name)
{
	size_t limit = strlen(name) <= 4 ? 1 : 2;
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	for (size_t i = 0; i < N_KNOWN_KEYS; i++) {
		size_t dist = lex_edit_distance(name, known_keys[i].name, true);
		if (dist <= limit && dist < best_d) {
			best = known_keys[i].name;
			best_d = dist;
		}
	}
	return best;
}

static void hint_unknown_key(tc_error *err, const char *name)
{
	strbuf sb = STRBUF_INIT;
	const char *near = closest_key(name);
	if (near)
		sb_addf(&sb, "did you mean '%s'? ", near);
	sb_add(&sb, "known keys:");
	for (size_t i = 0; i < N_KNOWN_KEYS; i++)
		sb_addf(&sb, "%s %s", i ? "," : "", known_keys[i].name);
	sb_add(&sb, " (migrations, migrations_format, history and history_table may also be "
		    "set for one chain as KEY.CHAIN)");
	tc_hint(err, "%s", sb_str(&sb));
	sb_free(&sb);
}

/* ------------------------------------------------------------ value checks */

bool cfg_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	if (!s)
		return false;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			if (out)
				*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			if (out)
				*out = false;
			return true;
		}
	}
	return false;
}

bool cfg_valid_duration(const char *s)
{
	/* Units as the server spells them (case-sensitive), in microseconds.
	 * The range check matches PostgreSQL's timeout settings, which hold an
	 * int of milliseconds: catching "30d" here names the line, where the
	 * server would only say "out of range" at connect time. */
	static const struct {
		const char *unit;
		uint64_t us;
	} units[] = {
		{"", 1000}, /* bare number: milliseconds */
		{"us", 1},
		{"ms", 1000},
		{"s", 1000000},
		{"min", 60000000},
		{"h", 3600000000ULL},
		{"d", 86400000000ULL},
	};
	if (!s || *s < '0' || *s > '9')
		return false;
	uint64_t n = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > (uint64_t)INT_MAX * 1000)
			return false;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(p, units[i].unit) == 0)
			return n <= (uint64_t)INT_MAX * 1000 / units[i].us;
	return false;
}

/* ------------------------------------------------------------ the parser */

typedef struct parser {
	const char *path;
	int line;
	cfg_file *cfg;
	tc_error *err;
} parser;

/* Fail with "PATH:LINE: what"; the caller adds a hint. */
#define perr(p, ...) tc_fail_at((p)->err, TC_ERR_USAGE, (p)->path, (p)->line, __VA_ARGS__)



static bool valid_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}



static tc_status parse_header(parser *p, const char *b, const char *e)
{
	const char *close = memchr(b, ']', (size_t)(e - b));
	if (!close) {
		perr(p, "section header is missing its closing ']'");
		tc_hint(p->err, "write sections as [target NAME]");
		return TC_ERR_USAGE;
	}
	if (close + 1 != e) {
		char *junk = lex_excerpt(close + 1, e);
		perr(p, "unexpected text '%s' after section header", junk);
		free(junk);
		tc_hint(p->err, "put comments on their own line, starting with # or ;");
		return TC_ERR_USAGE;
	}
	const char *ib = b + 1, *ie = close;
	lex_trim(&ib, &ie);
	if (ib == ie) {
		perr(p, "empty section header '[]'");
		tc_hint(p->err, "write sections as [target NAME]");
		return TC_ERR_USAGE;
	}
	const char *we = ib;
	while (we < ie && !lex_is_blank(*we))
		we++;
	if ((size_t)(we - ib) != 6 || memcmp(ib, "target", 6) != 0) {
		char *type = lex_excerpt(ib, we);
		perr(p, "unknown section type '%s'", type);
		free(type);
		tc_hint(p->err, "the only section type is [target NAME]");
		return TC_ERR_USAGE;
	}
	const char *nb = we, *ne = ie;
	lex_trim(&nb, &ne);
	if (nb == ne) {
		perr(p, "section [target] has no name");
		tc_hint(p->err, "name the target: [target NAME], NAME made of letters, digits, '_', '.' or '-'");
		return TC_ERR_USAGE;
	}
	for (const char *c = nb; c < ne; c++) {
		if (!valid_name_char(*c)) {
			char *name = lex_excerpt(nb, ne);
			perr(p, "invalid target name '%s'", name);
			free(name);
			tc_hint(p->err, "a target name is made of letters, digits, '_', '.' and '-' only");
			return TC_ERR_USAGE;
		}
	}
	size_t nlen = (size_t)(ne - nb);
	for (size_t i = 0; i < p->cfg->n_targets; i++) {
		const cfg_target *t = &p->cfg->targets[i];
		if (strlen(t->name) == nlen && memcmp(t->name, nb, nlen) == 0) {
			perr(p, "duplicate target '%s' (first defined on line %d)", t->name, t->line);
			tc_hint(p->err, "merge the two sections or rename one of them");
			return TC_ERR_USAGE;
		}
	}
	cfg_file *cfg = p->cfg;
	cfg->targets = xgrow(cfg->targets, &cfg->cap_targets, cfg->n_targets + 1, sizeof *cfg->targets);
	cfg_target *t = &cfg->targets[cfg->n_targets++];
	memset(t, 0, sizeof *t);
	t->name = xstrndup(nb, nlen);
	t->line = p->line;
	return TC_OK;
}

/* Unquote the value in [b, e) (already trimmed) into *out. */
static tc_status parse_value(parser *p, const char *b, const char *e, char **out)
{
	char *why, *hint;
	*out = lex_unquote(b, e, &why, &hint);
	if (*out)
		return TC_OK;
	perr(p, "%s", why);
	tc_hint(p->err, "%s", hint);
	free(why);
	free(hint);
	return TC_ERR_USAGE;
}

static tc_status parse_setting(parser *p, const char *b, const char *e)
{
	const char *eq = memchr(b, '=', (size_t)(e - b));
	if (!eq) {
		char *text = lex_excerpt(b, e);
		perr(p, "expected 'key = value', found '%s'", text);
		free(text);
		tc_hint(p->err, "settings are written key = value; comments start with # or ;");
		return TC_ERR_USAGE;
	}
	const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
	lex_trim(&kb, &ke);
	lex_trim(&vb, &ve);
	if (kb == ke) {
		perr(p, "missing key before '='");
		tc_hint(p->err, "settings are written key = value");
		return TC_ERR_USAGE;
	}
	char *key = xstrndup(kb, (size_t)(ke - kb));
	char *value = NULL;
	cfg_target *t = p->cfg->n_targets ? &p->cfg->targets[p->cfg->n_targets - 1] : NULL;
	if (!t) {
		char *shown = lex_excerpt(kb, ke);
		perr(p, "'%s' is set outside any [target NAME] section", shown);
		free(shown);
		tc_hint(p->err, "put settings under a section header such as [target prod]");
		goto out;
	}
	const known_key *k = key_lookup(key);
	if (!k) {
		char *shown = lex_excerpt(kb, ke);
		perr(p, "unknown key '%s' in [target %s]", shown, t->name);
		free(shown);
		hint_unknown_key(p->err, key);
		goto out;
	}
	for (size_t i = 0; i < t->n_entries; i++) {
		if (strcmp(t->entries[i].key, key) == 0) {
			perr(p, "duplicate key '%s' in [target %s] (first set on line %d)", key, t->name,
			     t->entries[i].line);
			tc_hint(p->err, "keep one of the two lines");
			goto out;
		}
	}
	if (parse_value(p, vb, ve, &value) != TC_OK)
		goto out;
	if (!*value) {
		perr(p, "empty value for '%s'", key);
		tc_hint(p->err, "%s", kind_hint(k->kind));
		goto out;
	}
	if ((k->kind == KIND_BOOL && !cfg_parse_bool(value, NULL)) ||
	    (k->kind == KIND_DURATION && !cfg_valid_duration(value))) {
		char *shown = lex_excerpt(value, value + strlen(value));
		perr(p, "invalid %s '%s' for '%s'", k->kind == KIND_BOOL ? "boolean" : "duration",
		     shown, key);
		free(shown);
		tc_hint(p->err, "%s", kind_hint(k->kind));
		goto out;
	}
	t->entries = xgrow(t->entries, &t->cap_entries, t->n_entries + 1, sizeof *t->entries);
	t->entries[t->n_entries++] = (cfg_entry){key, value, p->line};
	return TC_OK;
out:
	free(key);
	free(value);
	return TC_ERR_USAGE;
}

static tc_status parse_line(parser *p, const char *b, const char *e)
{
	if (memchr(b, '\0', (size_t)(e - b))) {
		perr(p, "NUL byte in line");
		tc_hint(p->err, "the config file must be plain text; is this the right file?");
		return TC_ERR_USAGE;
	}
	size_t ok = lex_utf8_valid_prefix((const unsigned char *)b, (size_t)(e - b));
	if (ok != (size_t)(e - b)) {
		perr(p, "invalid UTF-8 (byte 0x%02X at column %zu)", (unsigned char)b[ok], ok + 1);
		tc_hint(p->err, "save the file as UTF-8");
		return TC_ERR_USAGE;
	}
	lex_trim(&b, &e);
	if (b == e || *b == '#' || *b == ';')
		return TC_OK;
	if (*b == '[')
		return parse_header(p, b, e);
	return parse_setting(p, b, e);
}

tc_status cfg_parse(const char *text, size_t len, const char *path, cfg_file *out, tc_error *err)
{
	cfg_file cfg = CFG_FILE_INIT;
	parser p = {path ? path : "(config)", 0, &cfg, err};
	*out = (cfg_file)CFG_FILE_INIT;

	if (!text) {
		text = "";
		len = 0;
	}
	const char *c = text, *end = text + len;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		c += 3;
	while (c < end) {
		p.line++;
		const char *nl = memchr(c, '\n', (size_t)(end - c));
		const char *le = nl ? nl : end;
		if (le > c && le[-1] == '\r')
			le--;
		if (parse_line(&p, c, le) != TC_OK) {
			cfg_free(&cfg);
			return TC_ERR_USAGE;
		}
		c = nl ? nl + 1 : end;
	}
	cfg.path = xstrdup(p.path);
	*out = cfg;
	return TC_OK;
}

/* ------------------------------------------------------------ files */

tc_status cfg_load(const char *path, bool must_exist, cfg_file *out, tc_error *err)
{
	*out = (cfg_file)CFG_FILE_INIT;
	if (!must_exist && access(path, F_OK) != 0 && errno == ENOENT) {
		out->path = xstrdup(path);
		return TC_OK; /* the default file, not written yet: no targets */
	}
	strbuf sb = STRBUF_INIT;
	tc_status st = lex_read_file(path, "config file",
				     "check the path given with --config, or create the file", &sb,
				     err);
	if (st == TC_OK)
		st = cfg_parse(sb_str(&sb), sb.len, path, out, err);
	sb_free(&sb);
	return st;
}

/* DIR (trailing slashes dropped) + "/" + rest; caller frees. */
static char *path_join(const char *dir, const char *rest)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	bool root = n == 1 && dir[0] == '/';
	return xasprintf("%.*s%s%s", (int)n, dir, root ? "" : "/", rest);
}

char *cfg_default_path(void)
{
	/* XDG Base Directory: a relative XDG_CONFIG_HOME is invalid and ignored. */
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && xdg[0] == '/')
		return path_join(xdg, "tenantctl/config");
	const char *home = getenv("HOME");
	if (home && *home)
		return path_join(home, ".config/tenantctl/config");
	return NULL;
}

/* ------------------------------------------------------------ lookups */

const cfg_target *cfg_target_find(const cfg_file *cfg, const char *name)
{
	if (!cfg || !name)
		return NULL;
	for (size_t i = 0; i < cfg->n_targets; i++)
		if (strcmp(cfg->targets[i].name, name) == 0)
			return &cfg->targets[i];
	return NULL;
}

static const cfg_entry *entry_find(const cfg_target *t, const char *key)
{
	if (!t || !key)
		return NULL;
	for (size_t i = 0; i < t->n_entries; i++)
		if (strcmp(t->entries[i].key, key) == 0)
			return &t->entries[i];
	return NULL;
}

const char *cfg_get(const cfg_target *t, const char *key)
{
	const cfg_entry *e = entry_find(t, key);
	return e ? e->value : NULL;
}

int cfg_get_line(const cfg_target *t, const char *key)
{
	const cfg_entry *e = entry_find(t, key);
	return e ? e->line : 0;
}

bool cfg_get_bool(const cfg_target *t, const char *key, bool dflt)
{
	bool v;
	const char *s = cfg_get(t, key);
	return s && cfg_parse_bool(s, &v) ? v : dflt;
}

void cfg_free(cfg_file *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_targets; i++) {
		cfg_target *t = &cfg->targets[i];
		for (size_t j = 0; j < t->n_entries; j++) {
			free(t->entries[j].key);
			free(t->entries[j].value);
		}
		free(t->entries);
		free(t->name);
	}
	free(cfg->targets);
	free(cfg->path);
	*cfg = (cfg_file)CFG_FILE_INIT;
}
