/* cfgfile: the INI config file ($XDG_CONFIG_HOME/tenantctl/config).
 *
 *   # comment          ; comment
 *   [target prod]
 *   dsn = postgresql://ops@db1/app
 *   write = false
 *   lock_timeout = 5s
 *
 * Only `[target NAME]` sections exist. Every key is checked against a table of
 * known keys with a value kind (string, bool, duration, path): a typo is an
 * error that names the file and line, never silently ignored. */
#ifndef TC_CFGFILE_H
#define TC_CFGFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct cfg_entry {
	char *key;   /* owned */
	char *value; /* owned, unquoted */
	int line;
} cfg_entry;

typedef struct cfg_target {
	char *name; /* owned */
	int line;   /* line of the [target NAME] header */
	cfg_entry *entries;
	size_t n_entries, cap_entries;
} cfg_target;

typedef struct cfg_file {
	char *path; /* owned; the file it was read from (for messages) */
	cfg_target *targets;
	size_t n_targets, cap_targets;
} cfg_file;

#define CFG_FILE_INIT {NULL, NULL, 0, 0}

/* Parse `len` bytes of `text`; `path` only names the source in messages.
 * On error returns TC_ERR_USAGE with "PATH:LINE: what is wrong" and leaves
 * *out empty. Caller frees *out with cfg_free on success. */
tc_status cfg_parse(const char *text, size_t len, const char *path, cfg_file *out, tc_error *err);

/* Read and parse a file. A missing file is fine (empty config) unless
 * must_exist is set (the operator named it explicitly). */
tc_status cfg_load(const char *path, bool must_exist, cfg_file *out, tc_error *err);

/* $XDG_CONFIG_HOME/tenantctl/config, else $HOME/.config/tenantctl/config;
 * NULL when neither variable is set. Caller frees. */
char *cfg_default_path(void);

/* Borrowed from cfg; NULL when absent. */
const cfg_target *cfg_target_find(const cfg_file *cfg, const char *name);
/* The value of key in t (borrowed), NULL when unset or t is NULL. */
const char *cfg_get(const cfg_target *t, const char *key);
/* The line key was set on, 0 when unset. */
int cfg_get_line(const cfg_target *t, const char *key);
/* A bool key (validated at parse time); dflt when unset. */
bool cfg_get_bool(const cfg_target *t, const char *key, bool dflt);

/* Value syntax checks, shared with the command line. */
bool cfg_parse_bool(const char *s, bool *out);
/* A PostgreSQL duration setting: digits with an optional unit us|ms|s|min|h|d. */
bool cfg_valid_duration(const char *s);

void cfg_free(cfg_file *cfg);

#endif
