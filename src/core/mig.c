#include "config.h"

#include "mig.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "objlist.h"
#include "oplog.h"
#include "sqlsplit.h"
#include "xalloc.h"

#define DEFAULT_DIR "db/migrations"

/* ================================================================ chains */

static const char *chain_setting(const cfg_target *t, const char *key, const char *chain)
{
	if (!t)
		return NULL;
	if (strcmp(chain, "default") == 0)
		return cfg_get(t, key);
	char *k = xasprintf("%s.%s", key, chain);
	const char *v = cfg_get(t, k);
	free(k);
	return v;
}

static int chain_setting_line(const cfg_target *t, const char *key, const char *chain)
{
	if (strcmp(chain, "default") == 0)
		return cfg_get_line(t, key);
	char *k = xasprintf("%s.%s", key, chain);
	int line = cfg_get_line(t, k);
	free(k);
	return line;
}

static void add_chain(mig_chains *out, const char *name, const char *dir)
{
	out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
	mig_chain *c = &out->v[out->n++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	c->dir = xstrdup(dir);
}

/* Fill format, history kind and table of a chain from options and config. */
static tc_status finish_chain(mig_chain *c, const cfg_target *t, const mig_source_opts *o,
			      tc_error *err)
{
	const char *fmt = o->format ? o->format : chain_setting(t, "migrations_format", c->name);
	if (fmt && !migsrc_format_parse(fmt, &c->format)) {
		tc_fail(err, TC_ERR_USAGE, "unknown migration format '%s'%s", fmt,
			o->format ? "" : " in the config file");
		tc_hint(err, "use native, dbmate, golang-migrate, flyway or prisma");
		return TC_ERR_USAGE;
	}
	const char *hist = chain_setting(t, "history", c->name);
	c->hist = HIST_TENANTCTL;
	if (hist && !hist_kind_parse(hist, &c->hist)) {
		tc_fail(err, TC_ERR_USAGE, "%s:%d: unknown history kind '%s'",
			"config", chain_setting_line(t, "history", c->name), hist);
		tc_hint(err, "use tenantctl, dbmate, golang-migrate, flyway or prisma");
		return TC_ERR_USAGE;
	}
	if (c->hist == HIST_ALEMBIC) {
		tc_fail(err, TC_ERR_USAGE, "chain '%s': alembic's history can be shown but not kept",
			c->name);
		tc_hint(err, "keep history = tenantctl; alembic_version is shown read-only in status");
		return TC_ERR_USAGE;
	}
	const char *table = o->table ? o->table : chain_setting(t, "history_table", c->name);
	if (table)
		c->table = xstrdup(table);
	else if (c->hist != HIST_TENANTCTL)
		c->table = xstrdup(hist_default_table(c->hist));
	else if (strcmp(c->name, "default") == 0)
		c->table = xstrdup(HIST_DEFAULT_TABLE);
	else {
		/* One table per chain: versions and the lock are per table. */
		c->table = xasprintf("%s_%s", HIST_DEFAULT_TABLE, c->name);
		for (char *p = c->table; *p; p++)
			if (*p == '-')
				*p = '_';
	}
	char *schema, *name;
	if (hist_split_name(c->table, &schema, &name, err) != TC_OK)
		return TC_ERR_USAGE;
	free(schema);
	free(name);
	return TC_OK;
}

tc_status mig_chains_resolve(const cfg_target *t, const mig_source_opts *o, mig_chains *out,
			     tc_error *err)
{
	memset(out, 0, sizeof *out);
	if (o->dir) {
		add_chain(out, o->chain ? o->chain : "default", o->dir);
	} else if (t) {
		for (size_t i = 0; i < t->n_entries; i++) {
			const char *k = t->entries[i].key;
			if (strcmp(k, "migrations") == 0)
				add_chain(out, "default", t->entries[i].value);
			else if (strncmp(k, "migrations.", 11) == 0)
				add_chain(out, k + 11, t->entries[i].value);
		}
	}
	if (!out->n && !o->dir) {
		struct stat sb;
		if (stat(DEFAULT_DIR, &sb) == 0 && S_ISDIR(sb.st_mode))
			add_chain(out, "default", DEFAULT_DIR);
	}
	if (!out->n) {
		tc_fail(err, TC_ERR_USAGE, "no migrations to work on: no --dir, no `migrations` "
					   "setting on the target, and no ./%s", DEFAULT_DIR);
		tc_hint(err, "give --dir DIR, or set migrations = DIR in the target's section "
			     "(see tenantctl.conf(5))");
		return TC_ERR_USAGE;
	}
	if (o->chain && !o->dir) {
		size_t keep = out->n;
		for (size_t i = 0; i < out->n; i++)
			if (strcmp(out->v[i].name, o->chain) == 0)
				keep = i;
		if (keep == out->n) {
			strbuf names = STRBUF_INIT;
			for (size_t i = 0; i < out->n; i++)
				sb_addf(&names, "%s%s", i ? ", " : "", out->v[i].name);
			tc_fail(err, TC_ERR_USAGE, "no chain named '%s'", o->chain);
			tc_hint(err, "the target has: %s", sb_str(&names));
			sb_free(&names);
			mig_chains_free(out);
			return TC_ERR_USAGE;
		}
		mig_chain only = out->v[keep];
		for (size_t i = 0; i < out->n; i++)
			if (i != keep) {
				free(out->v[i].name);
				free(out->v[i].dir);
			}
		out->v[0] = only;
		out->n = 1;
	}
	for (size_t i = 0; i < out->n; i++)
		if (finish_chain(&out->v[i], t, o, err) != TC_OK) {
			mig_chains_free(out);
			return TC_ERR_USAGE;
		}
	return TC_OK;
}

void mig_chains_free(mig_chains *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].dir);
		free(c->v[i].table);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* ================================================================ status */

static const char *const state_names[MS_N_STATES] = {
	"applied", "pending", "missing", "edited", "out-of-order", "duplicate", "failed",
};

const char *mig_state_name(mig_state s)
{
	return state_names[s];
}

/* Repeatable migrations are keyed "R__<name>" in tenantctl's history and by
 * name (no version) in Flyway's. */
static bool hist_is_repeatable(const hist_row *h)
{
	return !*h->version || strncmp(h->version, "R__", 3) == 0;
}

static bool hist_matches_repeatable(const hist_row *h, const mig_file *f)
{
	if (!hist_is_repeatable(h))
		return false;
	const char *n = *h->version ? h->version + 3 : h->name;
	return n && strcmp(n, f->name) == 0;
}

static int cmp_hist_ptr(const void *a, const void *b)
{
	const hist_row *x = *(const hist_row *const *)a, *y = *(const hist_row *const *)b;
	return migsrc_version_cmp(x->version, y->version);
}

static const hist_row *find_hist(const hist_row **sorted, size_t n, const char *version)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int k = migsrc_version_cmp(sorted[mid]->version, version);
		if (k == 0)
			return sorted[mid];
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static mig_entry *add_entry(mig_status *st)
{
	st->entries = xgrow(st->entries, &st->cap, st->n + 1, sizeof *st->entries);
	mig_entry *e = &st->entries[st->n++];
	memset(e, 0, sizeof *e);
	return e;
}

static void short_sum(char out[13], const char *sum)
{
	snprintf(out, 13, "%.12s", sum ? sum : "");
}

static void note_duplicates(mig_status *st, mig_entry *e)
{
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "version %s is claimed by", e->version);
	for (size_t i = 0; i < st->dir.n; i++)
		if (st->dir.files[i].duplicate &&
		    migsrc_version_cmp(st->dir.files[i].version, e->version) == 0)
			sb_addf(&sb, " %s", st->dir.files[i].up_path);
	sb_add(&sb, "; rename one: nothing runs until then");
	e->note = sb_steal(&sb);
}

static void note_failed(mig_entry *e)
{
	strbuf sb = STRBUF_INIT;
	if (e->hist->failed_statement > 0)
		sb_addf(&sb, "statement %d failed", e->hist->failed_statement);
	else
		sb_add(&sb, "failed (dirty)");
	if (e->hist->error)
		sb_addf(&sb, ": %s", e->hist->error);
	sb_addf(&sb, "; finish it by hand, then `tenantctl migrate resolve %s --applied`, or undo "
		     "it, then `tenantctl migrate resolve %s --rolled-back`",
		e->version, e->version);
	e->note = sb_steal(&sb);
}

/* golang-migrate keeps only the current version: everything up to it is
 * applied. */
static void compute_golang(mig_status *st)
{
	const hist_row *cur = st->hist.n ? &st->hist.rows[0] : NULL;
	bool cur_has_file = false;
	for (size_t i = 0; i < st->dir.n; i++) {
		const mig_file *f = &st->dir.files[i];
		mig_entry *e = add_entry(st);
		e->file = f;
		e->version = f->version;
		e->name = f->name;
		int k = cur ? migsrc_version_cmp(f->version, cur->version) : 1;
		if (k == 0)
			cur_has_file = true;
		if (f->duplicate) {
			e->state = MS_DUPLICATE;
			note_duplicates(st, e);
		} else if (k == 0 && cur->failed) {
			e->hist = cur;
			e->state = MS_FAILED;
			note_failed(e);
		} else if (k <= 0) {
			e->hist = cur;
			e->state = MS_APPLIED;
		} else {
			e->state = MS_PENDING;
		}
	}
	if (cur && !cur_has_file) {
		mig_entry *e = add_entry(st);
		e->hist = cur;
		e->version = cur->version;
		e->state = MS_MISSING;
		e->note = xasprintf("applied, but no file for it in %s", st->dir.dir);
	}
}

static int cmp_entries(const void *a, const void *b)
{
	const mig_entry *x = a, *y = b;
	bool rx = x->file ? x->file->repeatable : hist_is_repeatable(x->hist);
	bool ry = y->file ? y->file->repeatable : hist_is_repeatable(y->hist);
	if (rx != ry)
		return rx ? 1 : -1;
	int k = rx ? strcmp(x->name ? x->name : "", y->name ? y->name : "")
		   : migsrc_version_cmp(x->version, y->version);
	if (k)
		return k;
	/* A missing entry sorts after a file of the same version; files by path. */
	if (!x->file || !y->file)
		return x->file ? -1 : (y->file ? 1 : 0);
	return strcmp(x->file->up_path, y->file->up_path);
}

void mig_compute(mig_status *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->entries[i].note);
	st->n = 0;
	memset(st->counts, 0, sizeof st->counts);

	if (st->hist.kind == HIST_GOLANG) {
		compute_golang(st);
	} else {
		size_t nh = st->hist.n;
		const hist_row **sorted = xcalloc(nh + 1, sizeof *sorted);
		bool *used = xcalloc(nh + 1, sizeof *used);
		size_t ns = 0;
		const char *max_applied = NULL;
		for (size_t i = 0; i < nh; i++) {
			const hist_row *h = &st->hist.rows[i];
			if (hist_is_repeatable(h))
				continue;
			sorted[ns++] = h;
			if (!h->failed && (!max_applied || migsrc_version_cmp(h->version, max_applied) > 0))
				max_applied = h->version;
		}
		qsort(sorted, ns, sizeof *sorted, cmp_hist_ptr);
		/* Only our own checksums are comparable: Flyway keeps a CRC32 of its
		 * own, Prisma a hash of the raw file. */
		bool own_sums = st->hist.kind == HIST_TENANTCTL;

		for (size_t i = 0; i < st->dir.n; i++) {
			const mig_file *f = &st->dir.files[i];
			mig_entry *e = add_entry(st);
			e->file = f;
			e->version = f->version;
			e->name = f->name;
			const hist_row *h = NULL;
			if (f->repeatable) {
				for (size_t j = 0; j < nh && !h; j++)
					if (hist_matches_repeatable(&st->hist.rows[j], f))
						h = &st->hist.rows[j];
			} else {
				h = find_hist(sorted, ns, f->version);
			}
			if (h)
				used[h - st->hist.rows] = true;
			e->hist = h;
			if (f->duplicate) {
				e->state = MS_DUPLICATE;
				note_duplicates(st, e);
			} else if (h && h->failed) {
				e->state = MS_FAILED;
				note_failed(e);
			} else if (h && own_sums && h->checksum && *h->checksum &&
				   strcmp(h->checksum, f->checksum)) {
				char was[13], now[13];
				short_sum(was, h->checksum);
				short_sum(now, f->checksum);
				if (f->repeatable) {
					e->state = MS_PENDING;
					e->note = xasprintf("changed since applied (%s, now %s): "
							    "re-applied by up", was, now);
				} else {
					e->state = MS_EDITED;
					e->note = xasprintf("edited after apply: applied checksum %s, "
							    "file checksum %s", was, now);
				}
			} else if (h) {
				e->state = MS_APPLIED;
			} else if (!f->repeatable && max_applied &&
				   migsrc_version_cmp(f->version, max_applied) < 0) {
				e->state = MS_OUT_OF_ORDER;
				e->note = xasprintf("older than the newest applied (%s): up applies it "
						    "only with --allow-out-of-order", max_applied);
			} else {
				e->state = MS_PENDING;
			}
		}
		for (size_t i = 0; i < nh; i++) {
			if (used[i])
				continue;
			const hist_row *h = &st->hist.rows[i];
			mig_entry *e = add_entry(st);
			e->hist = h;
			e->version = h->version;
			e->name = h->name;
			e->state = h->failed ? MS_FAILED : MS_MISSING;
			if (h->failed)
				note_failed(e);
			else
				e->note = xasprintf("applied, but no file for it in %s", st->dir.dir);
		}
		free(sorted);
		free(used);
	}
	qsort(st->entries, st->n, sizeof *st->entries, cmp_entries);
	for (size_t i = 0; i < st->n; i++)
		st->counts[st->entries[i].state]++;
}

void mig_status_summary(const mig_status *st, strbuf *out)
{
	sb_addf(out, "%zu applied, %zu pending, %zu edited, %zu missing", st->counts[MS_APPLIED],
		st->counts[MS_PENDING], st->counts[MS_EDITED], st->counts[MS_MISSING]);
	static const mig_state rare[] = {MS_OUT_OF_ORDER, MS_DUPLICATE, MS_FAILED};
	for (size_t i = 0; i < sizeof rare / sizeof rare[0]; i++)
		if (st->counts[rare[i]])
			sb_addf(out, ", %zu %s", st->counts[rare[i]], mig_state_name(rare[i]));
}

/* Another tool's history, when the chain keeps its own but has none yet. */
static tc_status read_foreign(tc_conn *c, mig_status *st, tc_error *err)
{
	hist_kind *kinds = NULL;
	size_t nk = 0;
	tc_status rc = hist_detect(c, &kinds, &nk, err);
	for (size_t i = 0; rc == TC_OK && i < nk; i++) {
		if (kinds[i] == HIST_TENANTCTL || kinds[i] == HIST_ALEMBIC)
			continue;
		hist_set h;
		rc = hist_read(c, kinds[i], hist_default_table(kinds[i]), &h, err);
		if (rc != TC_OK)
			break;
		if (h.n) {
			hist_free(&st->hist);
			st->hist = h;
			st->foreign = true;
			break;
		}
		hist_free(&h);
	}
	free(kinds);
	return rc;
}

tc_status mig_status_load(tc_conn *c, const mig_chain *chain, mig_status *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	out->chain = chain;
	tc_status rc = migsrc_load(chain->dir, chain->format, &out->dir, err);
	if (rc != TC_OK)
		return rc;
	rc = hist_read(c, chain->hist, chain->table, &out->hist, err);
	if (rc == TC_OK && chain->hist == HIST_TENANTCTL && out->hist.n == 0)
		rc = read_foreign(c, out, err);
	if (rc == TC_OK)
		rc = mig_lock_holder(c, mig_lock_key(chain->table), &out->lock_holder, err);
	if (rc != TC_OK) {
		mig_status_free(out);
		return rc;
	}
	mig_compute(out);
	return TC_OK;
}

void mig_status_free(mig_status *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->entries[i].note);
	free(st->entries);
	migsrc_free(&st->dir);
	hist_free(&st->hist);
	free(st->lock_holder);
	memset(st, 0, sizeof *st);
}

/* ================================================================ the lock */

int64_t mig_lock_key(const char *table)
{
	/* FNV-1a: stable across builds and servers, unlike hashtext(). */
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const char *p = "tenantctl migrations "; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	for (const char *p = table; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	return (int64_t)h;
}

tc_status mig_lock_holder(tc_conn *c, int64_t key, char **holder, tc_error *err)
{
	*holder = NULL;
	char keybuf[32];
	snprintf(keybuf, sizeof keybuf, "%" PRId64, key);
	const char *params[] = {keybuf};
	db_rows rows;
	/* A bigint advisory key is split into classid (high half) and objid. */
	tc_status rc = db_query(
		c,
		"SELECT a.pid, coalesce(nullif(a.application_name, ''), '?'), coalesce(a.usename, '?'),"
		" coalesce(host(a.client_addr), 'local socket'),"
		" to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), coalesce(a.state, '?')"
		" FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
		" WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
		" AND l.database = (SELECT oid FROM pg_catalog.pg_database"
		"                   WHERE datname = current_database())"
		" AND l.classid = ((($1::bigint) >> 32) & 4294967295)::oid"
		" AND l.objid = (($1::bigint) & 4294967295)::oid",
		1, params, &rows, err);
	if (rc != TC_OK)
		return rc;
	if (rows.nrows)
		*holder = xasprintf("pid %s (%s, user %s, from %s, connected since %s, %s)",
				    db_get(&rows, 0, 0), db_get(&rows, 0, 1), db_get(&rows, 0, 2),
				    db_get(&rows, 0, 3), db_get(&rows, 0, 4), db_get(&rows, 0, 5));
	db_rows_free(&rows);
	return TC_OK;
}

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static tc_status lock_call(tc_conn *c, const char *fn, int64_t key, bool *got, tc_error *err)
{
	char keybuf[32];
	snprintf(keybuf, sizeof keybuf, "%" PRId64, key);
	const char *params[] = {keybuf};
	char *sql = xasprintf("SELECT pg_catalog.%s($1::bigint)", fn);
	db_rows rows;
	tc_status rc = db_query(c, sql, 1, params, &rows, err);
	free(sql);
	if (rc == TC_OK) {
		*got = strcmp(db_get(&rows, 0, 0), "t") == 0;
		db_rows_free(&rows);
	}
	return rc;
}

static tc_status lock_acquire(tc_conn *c, const mig_chain *chain, int wait_s, tc_error *err)
{
	int64_t key = mig_lock_key(chain->table);
	long deadline = now_ms() + (long)wait_s * 1000;
	for (;;) {
		bool got = false;
		tc_status rc = lock_call(c, "pg_try_advisory_lock", key, &got, err);
		if (rc != TC_OK || got)
			return rc;
		if (now_ms() >= deadline)
			break;
		struct timespec pause = {0, 100 * 1000000L};
		nanosleep(&pause, NULL);
	}
	char *holder = NULL;
	mig_lock_holder(c, key, &holder, NULL);
	tc_fail(err, TC_ERR_REFUSED, "another runner holds the migration lock of %s: %s",
		chain->table, holder ? holder : "its holder has just let go");
	tc_hint(err, "wait for it to finish and run again, or pass --lock-wait SECONDS to wait");
	free(holder);
	return TC_ERR_REFUSED;
}

static void lock_release(tc_conn *c, const mig_chain *chain)
{
	bool got;
	lock_call(c, "pg_advisory_unlock", mig_lock_key(chain->table), &got, NULL);
}

/* ================================================================ plans */

static void plan_add(mig_plan *p, mig_action a, const mig_entry *e)
{
	p->steps = xgrow(p->steps, &p->cap, p->n + 1, sizeof *p->steps);
	p->steps[p->n++] = (mig_step){a, e};
}

void mig_plan_free(mig_plan *p)
{
	free(p->steps);
	memset(p, 0, sizeof *p);
}

static bool is_applied(const mig_entry *e)
{
	return e->state == MS_APPLIED || e->state == MS_EDITED || e->state == MS_MISSING;
}

static bool is_pending(const mig_entry *e)
{
	return e->state == MS_PENDING || e->state == MS_OUT_OF_ORDER;
}

static bool entry_repeatable(const mig_entry *e)
{
	return e->file ? e->file->repeatable : hist_is_repeatable(e->hist);
}

/* Conditions under which nothing runs at all. */
static tc_status plan_preconditions(const mig_status *st, tc_error *err)
{
	if (st->foreign) {
		const char *tool = hist_kind_name(st->hist.kind);
		tc_fail(err, TC_ERR_REFUSED,
			"this database's migration history is in %s's table %s (%zu rows), and "
			"tenantctl's own table %s has none",
			tool, st->hist.table, st->hist.n, st->chain->table);
		tc_hint(err, "take it over with `tenantctl migrate adopt --from %s`, or keep using it "
			     "with `history = %s` in the target's section",
			tool, tool);
		return TC_ERR_REFUSED;
	}
	for (size_t i = 0; i < st->n; i++) {
		const mig_entry *e = &st->entries[i];
		if (e->state == MS_DUPLICATE) {
			tc_fail(err, TC_ERR_REFUSED, "duplicate migration version: %s", e->note);
			tc_hint(err, "give one of the files a new version");
			return TC_ERR_REFUSED;
		}
		if (e->state == MS_FAILED) {
			tc_fail(err, TC_ERR_REFUSED, "migration %s failed earlier and is not settled: %s",
				e->version, e->note);
			return TC_ERR_REFUSED;
		}
	}
	return TC_OK;
}

static tc_status check_revertible(const mig_status *st, const mig_entry *e, tc_error *err)
{
	if (e->state == MS_MISSING) {
		tc_fail(err, TC_ERR_REFUSED,
			"cannot revert %s: it is applied but its file is missing from %s", e->version,
			st->dir.dir);
		tc_hint(err, "restore the file (its down section is needed); tenantctl never skips "
			     "past a missing migration to revert an older one");
		return TC_ERR_REFUSED;
	}
	if (!e->file->down_sql) {
		tc_fail(err, TC_ERR_REFUSED, "cannot revert %s: %s has no down section", e->version,
			e->file->up_path);
		tc_hint(err, "write the down migration, or revert by hand and use "
			     "`tenantctl migrate resolve`");
		return TC_ERR_REFUSED;
	}
	return TC_OK;
}

static tc_status refuse_out_of_order(const mig_status *st, const mig_entry *e, tc_error *err)
{
	(void)st;
	tc_fail(err, TC_ERR_REFUSED, "%s (%s) is pending but older than migrations already applied",
		e->version, e->file->up_path);
	tc_hint(err, "check it does not depend on newer ones, then run again with "
		     "--allow-out-of-order");
	return TC_ERR_REFUSED;
}

/* Applied entries, newest version first. */
static size_t applied_desc(const mig_status *st, const mig_entry **out)
{
	size_t n = 0;
	for (size_t i = st->n; i-- > 0;)
		if (is_applied(&st->entries[i]) && !entry_repeatable(&st->entries[i]))
			out[n++] = &st->entries[i];
	return n;
}

tc_status mig_plan_make(const mig_status *st, const mig_run_opts *o, mig_plan *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	tc_status rc = plan_preconditions(st, err);
	if (rc != TC_OK)
		return rc;
	const mig_entry **applied = xcalloc(st->n + 1, sizeof *applied);
	size_t napplied = applied_desc(st, applied);

	switch (o->goal) {
	case MIG_STEP:
	case MIG_UP:
		for (size_t i = 0; i < st->n && rc == TC_OK; i++) {
			const mig_entry *e = &st->entries[i];
			if (!is_pending(e))
				continue;
			if (e->state == MS_OUT_OF_ORDER && !o->allow_out_of_order)
				rc = refuse_out_of_order(st, e, err);
			else
				plan_add(out, MIG_APPLY, e);
			if (o->goal == MIG_STEP)
				break;
		}
		break;
	case MIG_TO: {
		const mig_entry *target = NULL;
		for (size_t i = 0; i < st->n; i++)
			if (!entry_repeatable(&st->entries[i]) &&
			    migsrc_version_cmp(st->entries[i].version, o->to_version) == 0)
				target = &st->entries[i];
		if (!target) {
			rc = tc_fail(err, TC_ERR_USAGE, "no migration %s in %s or in the history",
				     o->to_version, st->dir.dir);
			tc_hint(err, "`tenantctl migrate status` lists the versions");
			break;
		}
		/* Down first (newest first), then up, so the schema passes through
		 * states it has been in before. */
		for (size_t i = 0; i < napplied && rc == TC_OK; i++)
			if (migsrc_version_cmp(applied[i]->version, o->to_version) > 0) {
				rc = check_revertible(st, applied[i], err);
				if (rc == TC_OK)
					plan_add(out, MIG_REVERT, applied[i]);
			}
		for (size_t i = 0; i < st->n && rc == TC_OK; i++) {
			const mig_entry *e = &st->entries[i];
			if (!is_pending(e) || entry_repeatable(e) ||
			    migsrc_version_cmp(e->version, o->to_version) > 0)
				continue;
			if (e->state == MS_OUT_OF_ORDER && !o->allow_out_of_order)
				rc = refuse_out_of_order(st, e, err);
			else
				plan_add(out, MIG_APPLY, e);
		}
		break;
	}
	case MIG_DOWN: {
		int want = o->down_count > 0 ? o->down_count : 1;
		if ((size_t)want > napplied) {
			rc = tc_fail(err, TC_ERR_USAGE, "asked to revert %d migration%s, but %zu %s applied",
				     want, want == 1 ? "" : "s", napplied, napplied == 1 ? "is" : "are");
			break;
		}
		for (int i = 0; i < want && rc == TC_OK; i++) {
			rc = check_revertible(st, applied[i], err);
			if (rc == TC_OK)
				plan_add(out, MIG_REVERT, applied[i]);
		}
		break;
	}
	case MIG_REDO:
		if (!napplied) {
			rc = tc_fail(err, TC_ERR_USAGE, "nothing to redo: no migration is applied");
			break;
		}
		rc = check_revertible(st, applied[0], err);
		if (rc == TC_OK) {
			plan_add(out, MIG_REVERT, applied[0]);
			plan_add(out, MIG_APPLY, applied[0]);
		}
		break;
	}
	free(applied);
	if (rc != TC_OK)
		mig_plan_free(out);
	return rc;
}

/* ================================================================ running */

static char *iso_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char day[32];
	strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
	return xasprintf("%s.%03ld+00", day, ts.tv_nsec / 1000000);
}

static const char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	if (pw)
		return pw->pw_name;
	const char *u = getenv("USER");
	return u ? u : "unknown";
}

/* Watches a running statement from a second connection, so that when
 * lock_timeout fires we can say which lock it waited for and who held it. */
typedef struct watcher {
	tc_conn *main;
	tc_conn *side; /* opened on first need */
	char *blocker; /* the last description of what blocks the statement */
	long last_ms;
} watcher;

static bool watch_tick(void *ctx, long elapsed_ms)
{
	watcher *w = ctx;
	if (elapsed_ms < 200 || (w->last_ms && elapsed_ms - w->last_ms < 1000))
		return true;
	w->last_ms = elapsed_ms;
	if (!w->side && conn_open_sibling(w->main, &w->side, NULL) != TC_OK)
		return true;
	char pid[16];
	snprintf(pid, sizeof pid, "%d", conn_backend_pid(w->main));
	const char *params[] = {pid};
	db_rows rows;
	if (db_query(w->side,
		     "SELECT l.mode, coalesce(l.relation::regclass::text, l.locktype), b.pid,"
		     " coalesce(nullif(b.application_name, ''), '?'), coalesce(b.usename, '?'),"
		     " coalesce(host(b.client_addr), 'local socket'), coalesce(b.state, '?'),"
		     " coalesce(to_char(b.xact_start, 'HH24:MI:SS'), '-')"
		     " FROM pg_catalog.pg_locks l"
		     " CROSS JOIN LATERAL unnest(pg_catalog.pg_blocking_pids(l.pid)) AS bp(pid)"
		     " JOIN pg_catalog.pg_stat_activity b ON b.pid = bp.pid"
		     " WHERE l.pid = $1::int AND NOT l.granted LIMIT 1",
		     1, params, &rows, NULL) == TC_OK) {
		if (rows.nrows) {
			free(w->blocker);
			w->blocker = xasprintf("%s on %s, held by pid %s (%s, user %s, from %s, %s, "
					       "transaction since %s)",
					       db_get(&rows, 0, 0), db_get(&rows, 0, 1),
					       db_get(&rows, 0, 2), db_get(&rows, 0, 3),
					       db_get(&rows, 0, 4), db_get(&rows, 0, 5),
					       db_get(&rows, 0, 6), db_get(&rows, 0, 7));
		}
		db_rows_free(&rows);
	}
	return true;
}

static void watcher_done(watcher *w)
{
	conn_close(w->side);
	free(w->blocker);
	memset(w, 0, sizeof *w);
}

static void progress(const mig_run_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void progress(const mig_run_opts *o, const char *fmt, ...)
{
	if (!o->progress)
		return;
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	o->progress(o->progress_ctx, sb_str(&sb));
	sb_free(&sb);
}

static void report_add(mig_report *rep, const mig_entry *e, mig_action a, const char *outcome,
		       long ms, size_t stmts, long rows)
{
	rep->v = xgrow(rep->v, &rep->cap, rep->n + 1, sizeof *rep->v);
	mig_done *d = &rep->v[rep->n++];
	d->version = xstrdup(e->version);
	d->name = xstrdup(e->name ? e->name : "");
	d->action = a;
	d->outcome = xstrdup(outcome);
	d->duration_ms = ms;
	d->statements = stmts;
	d->rows = rows;
}

void mig_report_free(mig_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].version);
		free(r->v[i].name);
		free(r->v[i].outcome);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

static tc_status simple(tc_conn *c, const char *sql, tc_error *err)
{
	return db_exec(c, sql, 0, NULL, NULL, err);
}

static void rollback_quietly(tc_conn *c)
{
	db_exec(c, "ROLLBACK", 0, NULL, NULL, NULL);
}

static tc_status audit(tc_conn *c, bool have_log, const char *command, const char *target,
		       long rows, const char *outcome, tc_error *err)
{
	if (!have_log)
		return TC_OK;
	oplog_entry e = {command ? command : "tenantctl migrate", target, rows, outcome};
	return oplog_append(c, &e, err);
}

/* The key a migration has in the history: repeatables by name. */
static char *history_key(const mig_file *f)
{
	return f->repeatable ? xasprintf("R__%s", f->name) : xstrdup(f->version);
}

/* Split a section, with errors pointing at the file's own lines. */
static tc_status split_section(tc_conn *c, const mig_file *f, bool up, sql_script *s,
			       tc_error *err)
{
	tc_status rc = sql_split(up ? f->up_sql : f->down_sql, conn_server_version(c), s, err);
	if (rc != TC_OK)
		tc_error_prefix(err, "%s (%s section from line %d): ", up ? f->up_path : f->down_path,
				up ? "up" : "down", up ? f->up_line : f->down_line);
	return rc;
}

static size_t count_runnable(const sql_script *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (!(s->stmts[i].flags & SQL_TX_CONTROL))
			n++;
	return n;
}

/* The applied entry just below e, for golang-migrate's single current row. */
static const mig_entry *previous_applied(const mig_status *st, const mig_entry *e)
{
	const mig_entry *prev = NULL;
	for (size_t i = 0; i < st->n; i++)
		if (&st->entries[i] != e && is_applied(&st->entries[i]) &&
		    migsrc_version_cmp(st->entries[i].version, e->version) < 0)
			prev = &st->entries[i];
	return prev;
}

static tc_status record_done(tc_conn *c, const mig_status *st, const mig_step *step,
			     const char *started, long ms, tc_error *err)
{
	const mig_chain *ch = st->chain;
	const mig_entry *e = step->entry;
	if (step->action == MIG_REVERT) {
		tc_status rc = hist_remove(c, ch->hist, ch->table, e->version, err);
		const mig_entry *prev = ch->hist == HIST_GOLANG ? previous_applied(st, e) : NULL;
		if (rc == TC_OK && prev) {
			hist_row r = {.version = (char *)prev->version, .duration_ms = -1};
			rc = hist_record_applied(c, ch->hist, ch->table, &r, err);
		}
		return rc;
	}
	char *key = history_key(e->file);
	char *finished = iso_now();
	hist_row r = {
		.version = key,
		.name = e->file->name,
		.checksum = (char *)e->file->checksum,
		.started_at = (char *)started,
		.finished_at = finished,
		.duration_ms = ms,
		.applied_by = (char *)os_user(),
	};
	tc_status rc = hist_record_applied(c, ch->hist, ch->table, &r, err);
	free(finished);
	free(key);
	return rc;
}

typedef struct run_ctx {
	tc_conn *c;
	const mig_status *st;
	const mig_run_opts *o;
	bool have_log;
	mig_report *rep;
} run_ctx;

static tc_status fail_statement(run_ctx *x, const mig_step *step, const sql_script *s, size_t k,
				size_t nrun, bool no_tx, const char *started, watcher *w,
				tc_error *err)
{
	const mig_entry *e = step->entry;
	const mig_file *f = e->file;
	bool up = step->action == MIG_APPLY;
	int line = (up ? f->up_line : f->down_line) + s->stmts[k].line - 1;
	const char *path = up ? f->up_path : f->down_path;
	bool lock_timeout = err->sqlstate && strcmp(err->sqlstate, "55P03") == 0;
	char *server = xstrdup(err->message);
	strbuf msg = STRBUF_INIT;
	sb_addf(&msg, "%s of %s (%s) failed at statement %zu of %zu (%s:%d): %s",
		up ? "applying" : "reverting", e->version, e->name ? e->name : "", nrun,
		count_runnable(s), path, line, server);
	if (lock_timeout)
		sb_addf(&msg, "; it waited for %s", w->blocker ? w->blocker : "a lock another session holds");
	tc_status rc = TC_ERR_DB;
	char *saved_hint = err->hint ? xstrdup(err->hint) : NULL;
	tc_fail(err, rc, "%s", sb_str(&msg));
	if (!no_tx) {
		rollback_quietly(x->c);
		if (lock_timeout)
			tc_hint(err, "nothing was applied (the transaction was rolled back); run it again "
				     "when the lock is released%s",
				w->blocker ? ", or end the holder if it is stuck" : "");
		else if (saved_hint)
			tc_hint(err, "nothing was applied (the transaction was rolled back); %s", saved_hint);
		else
			tc_hint(err, "nothing was applied (the transaction was rolled back)");
	} else {
		/* Statements before this one took effect and stay: record exactly
		 * where it stopped so the operator can settle it. */
		hist_row r = {
			.version = (char *)e->version,
			.name = f->name,
			.checksum = (char *)f->checksum,
			.started_at = (char *)started,
			.duration_ms = -1,
			.applied_by = (char *)os_user(),
			.failed = true,
			.failed_statement = (int)nrun,
			.error = server,
		};
		tc_error e2 = TC_ERROR_INIT;
		char *outcome = xasprintf("failed at statement %zu", nrun);
		if (hist_record_failed(x->c, x->st->chain->hist, x->st->chain->table, &r, &e2) != TC_OK ||
		    audit(x->c, x->have_log, x->o->command, e->version, -1, outcome, &e2) != TC_OK)
			sb_addf(&msg, " (and recording the failure failed too: %s)", e2.message);
		tc_error_clear(&e2);
		free(outcome);
		tc_hint(err, "this migration runs outside a transaction: statements 1 to %zu took effect "
			     "and stay. Fix the cause, finish it by hand, then run `tenantctl migrate "
			     "resolve %s --applied`; or undo it by hand, then `tenantctl migrate resolve "
			     "%s --rolled-back`",
			nrun - 1, e->version, e->version);
	}
	report_add(x->rep, e, step->action, "failed", -1, nrun, 0);
	free(saved_hint);
	free(server);
	sb_free(&msg);
	return rc;
}

static tc_status run_step(run_ctx *x, const mig_step *step, tc_error *err)
{
	const mig_entry *e = step->entry;
	const mig_file *f = e->file;
	bool up = step->action == MIG_APPLY;
	sql_script s = {0};
	tc_status rc = split_section(x->c, f, up, &s, err);
	if (rc != TC_OK)
		return rc;
	bool no_tx = (up ? f->no_tx : f->down_no_tx) || sql_needs_no_tx(&s);
	if (no_tx && count_runnable(&s) != s.n) {
		sql_script_free(&s);
		tc_fail(err, TC_ERR_USAGE, "%s: the %s section has its own BEGIN/COMMIT and also runs "
					   "outside a transaction",
			up ? f->up_path : f->down_path, up ? "up" : "down");
		tc_hint(err, "remove the BEGIN/COMMIT lines: tenantctl wraps each migration in a "
			     "transaction unless it cannot run in one");
		return TC_ERR_USAGE;
	}
	progress(x->o, "%s %s %s%s", up ? "applying" : "reverting", e->version, e->name ? e->name : "",
		 no_tx ? " (outside a transaction, one statement at a time)" : "");
	char *started = iso_now();
	long t0 = now_ms();
	watcher w = {.main = x->c};
	long rows = 0;
	size_t nrun = 0;
	if (!no_tx)
		rc = simple(x->c, "BEGIN", err);
	for (size_t k = 0; rc == TC_OK && k < s.n; k++) {
		/* The file's own BEGIN/COMMIT: we already hold a transaction. */
		if (s.stmts[k].flags & SQL_TX_CONTROL)
			continue;
		nrun++;
		db_outcome out;
		rc = db_exec_watched(x->c, s.stmts[k].text, 200, watch_tick, &w, &out, err);
		if (rc != TC_OK) {
			rc = fail_statement(x, step, &s, k, nrun, no_tx, started, &w, err);
			break;
		}
		rows += out.rows;
		free(out.tag);
	}
	if (rc == TC_OK) {
		long ms = now_ms() - t0;
		if (no_tx)
			rc = simple(x->c, "BEGIN", err);
		char *target = xasprintf("migration %s %s", e->version, e->name ? e->name : "");
		if (rc == TC_OK)
			rc = record_done(x->c, x->st, step, started, ms, err);
		if (rc == TC_OK)
			rc = audit(x->c, x->have_log, x->o->command, target, rows,
				   up ? "applied" : "reverted", err);
		if (rc == TC_OK)
			rc = simple(x->c, "COMMIT", err);
		else
			rollback_quietly(x->c);
		free(target);
		if (rc == TC_OK) {
			report_add(x->rep, e, step->action, up ? "applied" : "reverted", ms, nrun, rows);
			progress(x->o, "  ok (%ld ms, %zu statement%s, %ld row%s)", ms, nrun,
				 nrun == 1 ? "" : "s", rows, rows == 1 ? "" : "s");
		}
	}
	watcher_done(&w);
	free(started);
	sql_script_free(&s);
	return rc;
}

tc_status mig_run(tc_conn *c, const mig_chain *chain, const mig_run_opts *o, mig_report *rep,
		  tc_error *err)
{
	memset(rep, 0, sizeof *rep);
	tc_status rc = TC_OK;
	if (!o->dry_run) {
		rc = lock_acquire(c, chain, o->lock_wait_s, err);
		if (rc != TC_OK)
			return rc;
	}
	mig_status st = {0};
	mig_plan plan = {0};
	rc = mig_status_load(c, chain, &st, err);
	if (rc == TC_OK)
		rc = mig_plan_make(&st, o, &plan, err);
	if (rc == TC_OK && o->dry_run) {
		for (size_t i = 0; i < plan.n; i++)
			report_add(rep, plan.steps[i].entry, plan.steps[i].action, "planned", -1, 0, 0);
	} else if (rc == TC_OK && plan.n) {
		run_ctx x = {c, &st, o, false, rep};
		rc = hist_ensure(c, chain->hist, chain->table, err);
		if (rc == TC_OK)
			rc = oplog_available(c, &x.have_log, err);
		for (size_t i = 0; rc == TC_OK && i < plan.n; i++)
			rc = run_step(&x, &plan.steps[i], err);
	}
	mig_plan_free(&plan);
	mig_status_free(&st);
	if (!o->dry_run)
		lock_release(c, chain);
	return rc;
}

/* ================================================================ preview */

static void preview_add(mig_preview *p, const char *what, const char *kind, const char *object,
			long rows, const char *detail)
{
	p->rows = xgrow(p->rows, &p->cap, p->n + 1, sizeof *p->rows);
	mig_preview_row *r = &p->rows[p->n++];
	r->what = xstrdup(what);
	r->kind = xstrdup(kind ? kind : "");
	r->object = xstrdup(object ? object : "");
	r->rows = rows;
	r->detail = xstrdup(detail ? detail : "");
}

static void preview_diff_cb(void *ctx, const char *what, const char *kind, const char *name,
			    const char *detail)
{
	preview_add(ctx, what, kind, name, -1, detail);
}

/* The first line of a statement, for showing it in a table cell. */
static char *first_line(const char *text)
{
	size_t n = strcspn(text, "\n");
	return n > 100 ? xasprintf("%.97s...", text) : xasprintf("%.*s%s", (int)n, text,
								 text[n] ? " ..." : "");
}

static const mig_entry *preview_target(const mig_status *st, const char *version, tc_error *err)
{
	for (size_t i = 0; i < st->n; i++) {
		const mig_entry *e = &st->entries[i];
		if (!e->file)
			continue;
		if (version ? migsrc_version_cmp(e->version, version) == 0 && !e->file->repeatable
			    : is_pending(e))
			return e;
	}
	if (version)
		tc_fail(err, TC_ERR_USAGE, "no migration file with version %s in %s", version,
			st->dir.dir);
	else
		tc_fail(err, TC_ERR_USAGE, "nothing is pending in %s: there is no next migration to "
					   "preview", st->dir.dir);
	tc_hint(err, "name one: `tenantctl migrate preview VERSION`");
	return NULL;
}

tc_status mig_preview_run(tc_conn *c, const mig_chain *chain, const char *version,
			  const char *command, mig_preview *out, tc_error *err)
{
	memset(out, 0, sizeof *out);
	mig_status st;
	tc_status rc = mig_status_load(c, chain, &st, err);
	if (rc != TC_OK)
		return rc;
	const mig_entry *e = preview_target(&st, version, err);
	if (!e) {
		mig_status_free(&st);
		return TC_ERR_USAGE;
	}
	const mig_file *f = e->file;
	out->version = xstrdup(e->version);
	out->name = xstrdup(f->name);
	sql_script s = {0};
	rc = split_section(c, f, true, &s, err);
	if (rc == TC_OK && (f->no_tx || sql_needs_no_tx(&s))) {
		/* CREATE INDEX CONCURRENTLY and friends cannot run in the transaction
		 * a preview rolls back: list them, run nothing. */
		out->no_tx = true;
		for (size_t k = 0; k < s.n; k++) {
			char *obj = xasprintf("#%zu line %d", k + 1, f->up_line + s.stmts[k].line - 1);
			char *text = first_line(s.stmts[k].text);
			preview_add(out, "not run", (s.stmts[k].flags & SQL_NO_TX) ? "no transaction" : "",
				    obj, -1, text);
			free(obj);
			free(text);
		}
	} else if (rc == TC_OK) {
		db_rows before = DB_ROWS_INIT, after = DB_ROWS_INIT;
		/* READ WRITE explicitly: a read-only session may preview, since
		 * everything is rolled back. */
		rc = simple(c, "BEGIN READ WRITE", err);
		if (rc == TC_OK)
			rc = objlist_read(c, &before, err);
		size_t nrun = 0;
		watcher w = {.main = c};
		for (size_t k = 0; rc == TC_OK && k < s.n; k++) {
			if (s.stmts[k].flags & SQL_TX_CONTROL)
				continue;
			nrun++;
			db_outcome res;
			rc = db_exec_watched(c, s.stmts[k].text, 200, watch_tick, &w, &res, err);
			if (rc != TC_OK) {
				tc_error_prefix(err, "preview of %s: statement %zu (%s:%d) failed: ",
						e->version, nrun, f->up_path,
						f->up_line + s.stmts[k].line - 1);
				tc_hint(err, "nothing was changed (the preview was rolled back); the "
					     "migration would fail the same way");
				break;
			}
			char *obj = xasprintf("#%zu line %d", nrun, f->up_line + s.stmts[k].line - 1);
			char *text = first_line(s.stmts[k].text);
			preview_add(out, "statement", res.tag, obj, res.rows, text);
			free(obj);
			free(text);
			free(res.tag);
		}
		watcher_done(&w);
		if (rc == TC_OK)
			rc = objlist_read(c, &after, err);
		rollback_quietly(c);
		if (rc == TC_OK)
			objlist_diff(&before, &after, preview_diff_cb, out);
		db_rows_free(&before);
		db_rows_free(&after);
	}
	bool have_log = false;
	if (rc == TC_OK && oplog_available(c, &have_log, NULL) == TC_OK && have_log) {
		/* The audit row outlives the rolled-back preview; in a read-only
		 * session this small transaction is opened READ WRITE, and says so. */
		char *cmd = xasprintf("%s%s", command ? command : "tenantctl migrate preview",
				      conn_writable(c) ? "" : " (read-only session: preview and this "
							      "audit row written READ WRITE)");
		char *target = xasprintf("migration %s %s", e->version, f->name);
		tc_status a = simple(c, "BEGIN READ WRITE", err);
		if (a == TC_OK)
			a = audit(c, true, cmd, target, -1, "preview (rolled back)", err);
		if (a == TC_OK)
			a = simple(c, "COMMIT", err);
		else
			rollback_quietly(c);
		rc = a;
		free(cmd);
		free(target);
	}
	sql_script_free(&s);
	mig_status_free(&st);
	if (rc != TC_OK)
		mig_preview_free(out);
	return rc;
}

void mig_preview_free(mig_preview *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->rows[i].what);
		free(p->rows[i].kind);
		free(p->rows[i].object);
		free(p->rows[i].detail);
	}
	free(p->rows);
	free(p->version);
	free(p->name);
	memset(p, 0, sizeof *p);
}

/* ================================================================ adopt, resolve */

static const mig_file *file_for(const mig_dir *d, const char *version)
{
	for (size_t i = 0; i < d->n; i++)
		if (!d->files[i].repeatable && migsrc_version_cmp(d->files[i].version, version) == 0)
			return &d->files[i];
	return NULL;
}

static bool own_has(const hist_set *own, const char *key)
{
	for (size_t i = 0; i < own->n; i++)
		if (strcmp(own->rows[i].version, key) == 0)
			return true;
	return false;
}

/* Record one adopted version in tenantctl's table. */
static tc_status adopt_one(tc_conn *c, const mig_chain *ch, const hist_set *own, const mig_dir *d,
			   const hist_row *src, const char *version, size_t *adopted,
			   size_t *skipped, tc_error *err)
{
	const mig_file *f = *version ? file_for(d, version) : NULL;
	char *key = *version ? xstrdup(version) : xasprintf("R__%s", src && src->name ? src->name : "");
	if (own_has(own, key)) {
		(*skipped)++;
		free(key);
		return TC_OK;
	}
	hist_row r = {
		.version = key,
		.name = f ? f->name : (src && src->name ? src->name : ""),
		.checksum = f ? (char *)f->checksum : (src && src->checksum ? src->checksum : ""),
		.started_at = src ? src->started_at : NULL,
		.finished_at = src ? src->finished_at : NULL,
		.duration_ms = src ? src->duration_ms : -1,
		.applied_by = src && src->applied_by ? src->applied_by : (char *)os_user(),
		.failed = src && src->failed,
		.failed_statement = src ? src->failed_statement : 0,
		.error = src ? src->error : NULL,
	};
	tc_status rc = r.failed ? hist_record_failed(c, ch->hist, ch->table, &r, err)
				: hist_record_applied(c, ch->hist, ch->table, &r, err);
	if (rc == TC_OK)
		(*adopted)++;
	free(key);
	return rc;
}

tc_status mig_adopt(tc_conn *c, const mig_chain *chain, hist_kind from, const char *command,
		    size_t *adopted, size_t *skipped, tc_error *err)
{
	*adopted = *skipped = 0;
	if (chain->hist != HIST_TENANTCTL) {
		tc_fail(err, TC_ERR_USAGE, "chain '%s' keeps its history in %s's table %s already",
			chain->name, hist_kind_name(chain->hist), chain->table);
		tc_hint(err, "adoption imports into tenantctl's own table: remove `history` from the "
			     "target to use it");
		return TC_ERR_USAGE;
	}
	if (from == HIST_TENANTCTL || from == HIST_ALEMBIC) {
		tc_fail(err, TC_ERR_USAGE, from == HIST_ALEMBIC
						   ? "alembic's revisions map to no migration file: its "
						     "history is shown read-only"
						   : "adopt imports another tool's history");
		tc_hint(err, "use --from dbmate, golang-migrate, flyway or prisma");
		return TC_ERR_USAGE;
	}
	tc_status rc = lock_acquire(c, chain, 0, err);
	if (rc != TC_OK)
		return rc;
	hist_set src = {0}, own = {0};
	mig_dir d = {0};
	bool have_log = false;
	rc = hist_read(c, from, hist_default_table(from), &src, err);
	if (rc == TC_OK && !src.n) {
		rc = tc_fail(err, TC_ERR_USAGE, "no %s history to adopt: %s %s", hist_kind_name(from),
			     hist_default_table(from), src.exists ? "is empty" : "does not exist");
		tc_hint(err, "`tenantctl migrate status` shows which history the database has");
	}
	if (rc == TC_OK)
		rc = migsrc_load(chain->dir, chain->format, &d, err);
	if (rc == TC_OK)
		rc = hist_ensure(c, HIST_TENANTCTL, chain->table, err);
	if (rc == TC_OK)
		rc = hist_read(c, HIST_TENANTCTL, chain->table, &own, err);
	if (rc == TC_OK)
		rc = oplog_available(c, &have_log, err);
	if (rc == TC_OK)
		rc = simple(c, "BEGIN", err);
	if (rc == TC_OK && from == HIST_GOLANG) {
		/* golang-migrate keeps only the current version: everything up to it
		 * counts as applied. */
		const hist_row *cur = &src.rows[0];
		bool cur_done = false;
		for (size_t i = 0; rc == TC_OK && i < d.n; i++)
			if (!d.files[i].repeatable &&
			    migsrc_version_cmp(d.files[i].version, cur->version) <= 0) {
				bool is_cur = migsrc_version_cmp(d.files[i].version, cur->version) == 0;
				cur_done |= is_cur;
				rc = adopt_one(c, chain, &own, &d, is_cur ? cur : NULL, d.files[i].version,
					       adopted, skipped, err);
			}
		for (size_t i = 0; rc == TC_OK && !cur_done && i < src.n; i++)
			rc = adopt_one(c, chain, &own, &d, &src.rows[i], src.rows[i].version, adopted,
				       skipped, err);
	} else {
		for (size_t i = 0; rc == TC_OK && i < src.n; i++)
			rc = adopt_one(c, chain, &own, &d, &src.rows[i], src.rows[i].version, adopted,
				       skipped, err);
	}
	if (rc == TC_OK) {
		char *target = xasprintf("%s history %s -> %s", hist_kind_name(from),
					 hist_default_table(from), chain->table);
		rc = audit(c, have_log, command, target, (long)*adopted, "adopted", err);
		free(target);
	}
	if (rc == TC_OK)
		rc = simple(c, "COMMIT", err);
	else
		rollback_quietly(c);
	hist_free(&src);
	hist_free(&own);
	migsrc_free(&d);
	lock_release(c, chain);
	return rc;
}

tc_status mig_resolve(tc_conn *c, const mig_chain *chain, const char *version, bool applied,
		      const char *command, tc_error *err)
{
	tc_status rc = lock_acquire(c, chain, 0, err);
	if (rc != TC_OK)
		return rc;
	mig_status st;
	rc = mig_status_load(c, chain, &st, err);
	if (rc != TC_OK) {
		lock_release(c, chain);
		return rc;
	}
	const mig_entry *e = NULL;
	for (size_t i = 0; i < st.n; i++)
		if (migsrc_version_cmp(st.entries[i].version, version) == 0)
			e = &st.entries[i];
	bool have_log = false;
	if (!e) {
		rc = tc_fail(err, TC_ERR_USAGE, "no migration %s", version);
	} else if (e->state != MS_FAILED) {
		rc = tc_fail(err, TC_ERR_REFUSED, "migration %s is %s, not failed: there is nothing to "
						  "resolve", version, mig_state_name(e->state));
		tc_hint(err, "resolve settles a migration that failed outside a transaction");
	} else {
		rc = oplog_available(c, &have_log, err);
		if (rc == TC_OK)
			rc = simple(c, "BEGIN", err);
		if (rc == TC_OK && applied) {
			hist_row r = {
				.version = (char *)e->version,
				.name = e->file ? e->file->name : e->hist->name,
				.checksum = e->file ? (char *)e->file->checksum : e->hist->checksum,
				.started_at = e->hist->started_at,
				.duration_ms = -1,
				.applied_by = (char *)os_user(),
			};
			rc = hist_record_applied(c, chain->hist, chain->table, &r, err);
		} else if (rc == TC_OK) {
			rc = hist_remove(c, chain->hist, chain->table, e->version, err);
		}
		if (rc == TC_OK) {
			char *target = xasprintf("migration %s", e->version);
			rc = audit(c, have_log, command, target, 1,
				   applied ? "resolved as applied" : "resolved as rolled back", err);
			free(target);
		}
		if (rc == TC_OK)
			rc = simple(c, "COMMIT", err);
		else
			rollback_quietly(c);
	}
	mig_status_free(&st);
	lock_release(c, chain);
	return rc;
}
