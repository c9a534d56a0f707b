/* mig: planning migrations: chains from the config, the state of every
 * migration from its file and its history, and what a run would do. */
#include "config.h"

#include "mig.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
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

bool mig_entry_applied(const mig_entry *e)
{
	return e->state == MS_APPLIED || e->state == MS_EDITED || e->state == MS_MISSING;
}

bool mig_entry_pending(const mig_entry *e)
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
		if (mig_entry_applied(&st->entries[i]) && !entry_repeatable(&st->entries[i]))
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
			if (!mig_entry_pending(e))
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
			if (!mig_entry_pending(e) || entry_repeatable(e) ||
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

