/* The Drift pane: the live schema against its reference, as a tree
 * kind → object → attribute. One table: a heading per kind, a row per
 * object (Enter folds and unfolds its attributes), a row per attribute
 * under an unfolded object, with the live and reference values side by
 * side; Enter on an attribute (or on an object only one side has) opens
 * its values in the text view, as a unified diff. Allowlisted items are
 * dimmed with their reason (t hides them); allowlist rules that match
 * nothing are listed in a section of their own at the end.
 *
 * a drafts an allowlist rule for the row under the cursor (the reason is
 * required); drafts stay in memory, marked "draft", until :w appends them
 * to the allowlist file (the target's `allowlist`, or :w FILE), never
 * silently. S shows the reconcile SQL (`drift sql`) for the marked rows,
 * else all; s for the row under the cursor. `:drift against
 * DSN|FILE|@TARGET` compares with another reference for the session. */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "drift.h"
#include "driftcmd.h"
#include "frame.h"
#include "session.h"
#include "strbuf.h"
#include "uwidth.h"
#include "xalloc.h"

enum { DP_LOAD = 1, DP_SQL, DP_SAVE };
enum { SC_TREE = 1, SC_DIFF, SC_SQL };

/* Row types, in the hidden column "row". */
#define ROW_OBJECT "o"
#define ROW_ATTR "a"
#define ROW_STALE "s"

/* One drift item, copied from the `drift` table. */
typedef struct ditem {
	char *kind, *object, *attribute; /* attribute NULL: the object itself */
	char *status, *live, *reference, *reason, *note, *detail;
	bool allowed, info;
} ditem;

/* A rule drafted with `a`, not yet in the file. */
typedef struct draft {
	char *kind, *object, *attribute, *reason;
	bool whole; /* for an object whose attributes changed: all of them */
} draft;

typedef struct stale_rule {
	char *file, *kind, *pattern, *attribute, *reason;
	long line;
} stale_rule;

typedef struct dpane {
	ditem *items;
	size_t n;
	stale_rule *stale;
	size_t nstale;
	size_t n_drift; /* not allowlisted, as the core counts (drafts included) */
	bool loaded;       /* a comparison came back */
	bool no_reference; /* none configured and none given */
	char *failed;      /* why the last load failed, NULL when it did not */
	char *against;     /* `:drift against`'s value; NULL: the target's reference */
	char *ref_label;   /* what was compared with, for the title */
	char *allowlist;   /* the allowlist read (the target's, or :w FILE's) */
	char *save_path;   /* :w FILE: saves and reads go there from then on */
	bool hide_allowed;
	char **expanded; /* "kind\037object" of unfolded objects */
	size_t nexpanded;
	draft *drafts;
	size_t ndrafts;
	draft asking; /* the rule whose reason is being asked for */
	int width;    /* COLS the tree was laid out for */
	char *unsaved; /* the quit warning this pane set (a->unsaved is shared) */
	bool saving;   /* a :w is on the worker: a second one would write twice */
} dpane;

static dpane state;

static dpane *dp(pane *p)
{
	if (!p->data)
		p->data = &state;
	return p->data;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static bool same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static void set_str(char **dst, const char *s)
{
	char *copy = dup_or_null(s);
	free(*dst);
	*dst = copy;
}

/* ------------------------------------------------------------ state */

static void items_free(dpane *d)
{
	for (size_t i = 0; i < d->n; i++) {
		ditem *it = &d->items[i];
		free(it->kind);
		free(it->object);
		free(it->attribute);
		free(it->status);
		free(it->live);
		free(it->reference);
		free(it->reason);
		free(it->note);
		free(it->detail);
	}
	free(d->items);
	d->items = NULL;
	d->n = 0;
	for (size_t i = 0; i < d->nstale; i++) {
		stale_rule *r = &d->stale[i];
		free(r->file);
		free(r->kind);
		free(r->pattern);
		free(r->attribute);
		free(r->reason);
	}
	free(d->stale);
	d->stale = NULL;
	d->nstale = 0;
}

static void draft_free(draft *r)
{
	free(r->kind);
	free(r->object);
	free(r->attribute);
	free(r->reason);
	memset(r, 0, sizeof *r);
}

static char *obj_key(const char *kind, const char *object)
{
	return xasprintf("%s\037%s", kind, object);
}

static bool is_expanded(const dpane *d, const char *kind, const char *object)
{
	char *k = obj_key(kind, object);
	bool found = false;
	for (size_t i = 0; i < d->nexpanded && !found; i++)
		found = !strcmp(d->expanded[i], k);
	free(k);
	return found;
}

static void toggle_expanded(dpane *d, const char *kind, const char *object)
{
	char *k = obj_key(kind, object);
	for (size_t i = 0; i < d->nexpanded; i++)
		if (!strcmp(d->expanded[i], k)) {
			free(d->expanded[i]);
			d->expanded[i] = d->expanded[--d->nexpanded];
			free(k);
			return;
		}
	d->expanded = xrealloc(d->expanded, (d->nexpanded + 1) * sizeof *d->expanded);
	d->expanded[d->nexpanded++] = k;
}

/* The draft that covers an item: same kind and object, and the same
 * attribute unless the draft is for the whole object (as allow_match). */
static const draft *draft_for(const dpane *d, const ditem *it)
{
	for (size_t i = 0; i < d->ndrafts; i++) {
		const draft *r = &d->drafts[i];
		if (!strcmp(r->kind, it->kind) && !strcmp(r->object, it->object) &&
		    (!r->attribute || same(r->attribute, it->attribute)))
			return r;
	}
	return NULL;
}

/* Not drift: allowlisted, drafted, or information only. */
static bool quiet_item(const dpane *d, const ditem *it)
{
	return it->allowed || it->info || draft_for(d, it) != NULL;
}

/* The quit warning, shared with the other panes: set it when no other
 * pane's is there, clear it only when it is ours. */
static void update_unsaved(tui_app *a, dpane *d)
{
	if (!d->ndrafts) {
		if (d->unsaved && same(a->unsaved, d->unsaved))
			app_set_unsaved(a, NULL);
		set_str(&d->unsaved, NULL);
		return;
	}
	char *w = xasprintf("%zu unsaved allowlist rule%s: :w saves, Q quits without", d->ndrafts,
			    d->ndrafts == 1 ? "" : "s");
	if (!a->unsaved || same(a->unsaved, d->unsaved)) {
		app_set_unsaved(a, w);
		set_str(&d->unsaved, w);
	}
	free(w);
}

/* ------------------------------------------------------------ the tree */

/* One line of a value for a cell: newlines and tabs as blanks, runs of
 * blanks as one. Caller frees. */
static char *flat(const char *s)
{
	if (!s)
		return NULL;
	strbuf sb = STRBUF_INIT;
	bool blank = false;
	for (const char *c = s; *c; c++) {
		bool b = *c == ' ' || *c == '\n' || *c == '\t' || *c == '\r';
		if (b) {
			blank = sb.len > 0;
			continue;
		}
		if (blank)
			sb_addc(&sb, ' ');
		blank = false;
		sb_addc(&sb, *c);
	}
	return sb_steal(&sb);
}

static size_t utf8_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	for (size_t k = 1; k < n; k++)
		if (((unsigned char)s[k] & 0xC0) != 0x80)
			return 1;
	return n;
}

/* s cut to `cells` display cells, ending in '…' when cut (taken over). */
static char *clip(char *s, int cells)
{
	if (!s || cells <= 0 || uw_width(s) <= cells)
		return s;
	strbuf sb = STRBUF_INIT;
	int w = 0;
	for (const char *c = s; *c;) {
		size_t n = utf8_len(c);
		int cw = uw_char_cells(c, n);
		if (w + cw > cells - 1)
			break;
		sb_addn(&sb, c, n);
		w += cw;
		c += n;
	}
	sb_add(&sb, "…");
	free(s);
	return sb_steal(&sb);
}

/* The tree's columns; those from C_KEY on are hidden. */
enum { C_ITEM, C_STATUS, C_LIVE, C_REF, C_NOTE, C_KEY, C_GROUP, C_ROW, C_IDX, C_STYLE, N_COLS };

/* Cut the cells to the screen's width so that every column stays on it
 * (80 columns included): the item's name first, then the two values side
 * by side, then the note. The line under the table shows the cursor row's
 * values and note whole. */
static void fit(tc_result *r, int cols)
{
	enum { GUTTER = 2, SEPARATORS = 4 };
	static const int cut[] = {C_ITEM, C_LIVE, C_REF, C_NOTE};
	int nat[N_COLS] = {0};
	for (size_t c = 0; c < r->ncols && c < N_COLS; c++)
		nat[c] = uw_width(r->cols[c].name);
	for (size_t row = 0; row < r->nrows; row++)
		for (size_t c = 0; c < N_COLS; c++) {
			const char *v = res_get(r, row, c);
			int w = v ? uw_width_upto(v, 1000) : 0;
			if (w > nat[c])
				nat[c] = w;
		}
	int avail = cols - GUTTER - SEPARATORS - nat[C_STATUS];
	if (nat[C_ITEM] + nat[C_LIVE] + nat[C_REF] + nat[C_NOTE] <= avail)
		return;
	int w[N_COLS] = {0};
	int item_max = avail * 45 / 100 > 20 ? avail * 45 / 100 : 20;
	w[C_ITEM] = nat[C_ITEM] < item_max ? nat[C_ITEM] : item_max;
	int rest = avail - w[C_ITEM];
	bool notes = nat[C_NOTE] > 4; /* more than its header */
	int note_min = rest * 2 / 5 > 16 ? rest * 2 / 5 : 16;
	w[C_NOTE] = !notes ? 4 : nat[C_NOTE] < note_min ? nat[C_NOTE] : note_min;
	int vals = rest - w[C_NOTE];
	w[C_LIVE] = nat[C_LIVE] < vals / 2 ? nat[C_LIVE] : vals / 2;
	w[C_REF] = nat[C_REF] < vals - w[C_LIVE] ? nat[C_REF] : vals - w[C_LIVE];
	w[C_LIVE] = nat[C_LIVE] < vals - w[C_REF] ? nat[C_LIVE] : vals - w[C_REF];
	/* What the values leave goes to the note, then to the item. */
	int left = vals - w[C_LIVE] - w[C_REF];
	int more = nat[C_NOTE] - w[C_NOTE] < left ? nat[C_NOTE] - w[C_NOTE] : left;
	w[C_NOTE] += more;
	left -= more;
	w[C_ITEM] += nat[C_ITEM] - w[C_ITEM] < left ? nat[C_ITEM] - w[C_ITEM] : left;
	for (size_t row = 0; row < r->nrows; row++)
		for (size_t k = 0; k < sizeof cut / sizeof cut[0]; k++) {
			const char *v = res_get(r, row, (size_t)cut[k]);
			if (!v || uw_width_upto(v, w[cut[k]] + 1) <= w[cut[k]])
				continue;
			char *c = clip(xstrdup(v), w[cut[k]] < 2 ? 2 : w[cut[k]]);
			res_set(r, row, (size_t)cut[k], c);
			free(c);
		}
}

static const char *row_tag(const tc_result *r, size_t row, const char *col)
{
	for (size_t c = 0; c < r->ncols; c++)
		if (!strcmp(r->cols[c].name, col))
			return res_get(r, row, c);
	return NULL;
}

static tview_style row_style(const tc_result *r, size_t row, void *ctx)
{
	(void)ctx;
	const char *s = row_tag(r, row, "style");
	if (!s)
		return TVS_NORMAL;
	switch (*s) {
	case 'b':
		return TVS_BAD;
	case 'w':
		return TVS_WARN;
	case 'd':
		return TVS_DIM;
	default:
		return TVS_NORMAL;
	}
}

static const char *item_style(const dpane *d, const ditem *it)
{
	if (quiet_item(d, it))
		return "dim";
	return !strcmp(it->status, "missing") ? "bad" : "warn";
}

/* The note of an item: why it is not drift, or what the core noted. */
static char *item_note(const dpane *d, const ditem *it)
{
	const draft *r = draft_for(d, it);
	if (r)
		return xasprintf("draft (unsaved): %s", r->reason);
	if (it->allowed)
		return xasprintf("allowed: %s", it->reason ? it->reason : "");
	return dup_or_null(it->note);
}

static size_t add_row(tc_result *r, const char *rowtype, const char *key, const char *group,
		      size_t idx, const char *style)
{
	size_t row = res_add_row(r);
	res_set(r, row, C_ROW, rowtype);
	res_set(r, row, C_KEY, key);
	res_set(r, row, C_GROUP, group);
	res_setf(r, row, C_IDX, "%zu", idx);
	res_set(r, row, C_STYLE, style);
	return row;
}

static void set_cell(tc_result *r, size_t row, int col, char *v)
{
	res_set(r, row, (size_t)col, v);
	free(v);
}

/* A folded object's row: one attribute's values, or the attributes that
 * changed; the note when every shown attribute has the same one (one
 * allowlist rule, one draft). */
static void folded_cells(const dpane *d, tc_result *r, size_t row, size_t from, size_t end)
{
	strbuf names = STRBUF_INIT;
	char *common = NULL;
	bool one_note = true;
	size_t shown = 0, quiet = 0;
	const ditem *last = NULL;
	for (size_t k = from; k < end; k++) {
		const ditem *it = &d->items[k];
		bool q = quiet_item(d, it);
		if (d->hide_allowed && q)
			continue;
		sb_addf(&names, "%s%s", names.len ? ", " : "", it->attribute);
		char *n = item_note(d, it);
		if (!shown++)
			common = n;
		else {
			one_note = one_note && same(n, common);
			free(n);
		}
		quiet += q;
		last = it;
	}
	if (shown == 1) {
		set_cell(r, row, C_LIVE, flat(last->live));
		set_cell(r, row, C_REF, flat(last->reference));
	}
	if (common && one_note)
		set_cell(r, row, C_NOTE, common);
	else {
		set_cell(r, row, C_NOTE,
			 quiet ? xasprintf("%s (%zu not drift)", sb_str(&names), quiet)
			       : xstrdup(sb_str(&names)));
		free(common);
	}
	sb_free(&names);
}

/* An object's name in the tree: without the common schema; a migration
 * by its version (its history table is the same for all). */
static const char *label_of(const ditem *o, size_t skip)
{
	if (!strcmp(o->kind, "migration")) {
		const char *dot = strrchr(o->object, '.');
		if (dot && dot[1] == '"' && strchr(dot + 2, '"') && !strchr(dot + 2, '"')[1])
			return dot + 1; /* still quoted: "20260101000008" */
	}
	return o->object + skip;
}

/* The length of "schema." when every item's object is in that one schema
 * (written bare: a plain lower-case name), else 0. */
static size_t common_schema(const dpane *d)
{
	if (!d->n)
		return 0;
	const char *first = d->items[0].object;
	size_t len = strspn(first, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (!len || first[len] != '.')
		return 0;
	for (size_t i = 1; i < d->n; i++)
		if (strncmp(d->items[i].object, first, len + 1) != 0)
			return 0;
	return len + 1;
}

/* The tree as a table for the screen's width. */
static void build(const dpane *d, int cols, tc_result *r)
{
	res_init(r, RES_TABLE);
	static const char *const names[N_COLS] = {"item", "status", "live", "reference", "note",
						  "key", "group", "row", "idx", "style"};
	/* One schema for everything (the usual case): said once, in the
	 * header, so the names keep their room. */
	size_t skip = common_schema(d);
	char *head = skip ? xasprintf("in schema %.*s", (int)skip - 1, d->items[0].object) : NULL;
	for (int c = 0; c < N_COLS; c++)
		res_add_col(r, c == C_ITEM && head ? head : names[c], RES_T_TEXT);
	free(head);

	bool utf8 = MB_CUR_MAX > 1;
	for (size_t i = 0; i < d->n;) {
		const ditem *first = &d->items[i];
		/* This kind's objects, for the heading. */
		size_t kind_end = i, objects = 0;
		while (kind_end < d->n && !strcmp(d->items[kind_end].kind, first->kind)) {
			if (kind_end == i || strcmp(d->items[kind_end].object, d->items[kind_end - 1].object))
				objects += 1;
			kind_end++;
		}
		char *group = xasprintf("%s (%zu)", first->kind, objects);
		while (i < kind_end) {
			size_t end = i;
			while (end < kind_end && !strcmp(d->items[end].object, d->items[i].object))
				end++;
			const ditem *o = &d->items[i];
			size_t shown = 0, loud = 0;
			for (size_t k = i; k < end; k++) {
				bool q = quiet_item(d, &d->items[k]);
				shown += !(d->hide_allowed && q);
				loud += !q;
			}
			if (!shown) {
				i = end;
				continue;
			}
			char *key = obj_key(o->kind, o->object);
			if (!o->attribute && end == i + 1) {
				/* The object itself is missing or extra: one row. */
				size_t row = add_row(r, ROW_OBJECT, key, group, i, item_style(d, o));
				set_cell(r, row, C_ITEM, xasprintf("  %s", label_of(o, skip)));
				res_set(r, row, C_STATUS, o->status);
				bool extra = !strcmp(o->status, "extra");
				set_cell(r, row, C_LIVE, extra ? flat(o->detail) : NULL);
				set_cell(r, row, C_REF, extra ? NULL : flat(o->detail));
				set_cell(r, row, C_NOTE, item_note(d, o));
			} else {
				bool open = is_expanded(d, o->kind, o->object);
				const char *mark = open ? (utf8 ? "▾" : "-") : (utf8 ? "▸" : "+");
				size_t row = add_row(r, ROW_OBJECT, key, group, i,
						     loud ? "warn" : "dim");
				set_cell(r, row, C_ITEM, xasprintf("%s %s", mark, label_of(o, skip)));
				res_set(r, row, C_STATUS, "changed");
				if (!open)
					folded_cells(d, r, row, i, end);
				for (size_t k = i; open && k < end; k++) {
					const ditem *it = &d->items[k];
					if (d->hide_allowed && quiet_item(d, it))
						continue;
					bool last = true;
					for (size_t q = k + 1; q < end && last; q++)
						last = d->hide_allowed && quiet_item(d, &d->items[q]);
					char *akey = xasprintf("%s\037%s", key, it->attribute);
					size_t ar = add_row(r, ROW_ATTR, akey, group, k, item_style(d, it));
					free(akey);
					set_cell(r, ar, C_ITEM,
						 xasprintf("  %s %s",
							   last ? (utf8 ? "└" : "`") : (utf8 ? "├" : "|"),
							   it->attribute));
					res_set(r, ar, C_STATUS, it->status);
					set_cell(r, ar, C_LIVE, flat(it->live));
					set_cell(r, ar, C_REF, flat(it->reference));
					set_cell(r, ar, C_NOTE, item_note(d, it));
				}
			}
			free(key);
			i = end;
		}
		free(group);
	}
	for (size_t i = 0; i < d->nstale; i++) {
		const stale_rule *s = &d->stale[i];
		char *key = xasprintf("\036stale\037%ld", s->line);
		size_t row = add_row(r, ROW_STALE, key, "stale allowlist rules (they match nothing)",
				     i, "warn");
		free(key);
		set_cell(r, row, C_ITEM,
			 xasprintf("  %s %s%s%s", s->kind, s->pattern, s->attribute ? " " : "",
				   s->attribute ? s->attribute : ""));
		res_set(r, row, C_STATUS, "stale");
		set_cell(r, row, C_NOTE, xasprintf("line %ld: %s", s->line, s->reason));
	}
	fit(r, cols);
}

static size_t count_quiet(const dpane *d, bool (*which)(const dpane *, const ditem *))
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += which(d, &d->items[i]);
	return n;
}

static bool is_allowed(const dpane *d, const ditem *it)
{
	(void)d;
	return it->allowed;
}

static char *tree_title(const dpane *d)
{
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "Drift: ");
	if (d->no_reference)
		sb_add(&sb, "no reference");
	else if (d->failed)
		sb_add(&sb, "not compared");
	if (d->loaded) {
		sb_addf(&sb, "%zu item%s", d->n_drift, d->n_drift == 1 ? "" : "s");
		size_t allowed = count_quiet(d, is_allowed);
		if (allowed)
			sb_addf(&sb, ", %zu allowlisted%s", allowed,
				d->hide_allowed ? " (hidden, t shows)" : "");
		if (d->nstale)
			sb_addf(&sb, ", %zu stale rule%s", d->nstale, d->nstale == 1 ? "" : "s");
	}
	if (d->ndrafts)
		sb_addf(&sb, "%s%zu unsaved rule%s — :w saves", d->loaded ? " · " : "", d->ndrafts,
			d->ndrafts == 1 ? "" : "s");
	if (d->ref_label)
		sb_addf(&sb, " · vs %s%s", d->ref_label, d->against ? " (this session)" : "");
	return sb_steal(&sb);
}

static const char *tree_empty(const dpane *d)
{
	if (d->no_reference)
		return "No reference to compare with: set `reference = DSN|FILE|@TARGET` in the "
		       "target's section of the config, or type :drift against DSN|FILE|@TARGET.";
	if (d->failed)
		return d->failed;
	if (!d->loaded)
		return "loading…";
	if (d->n && d->hide_allowed)
		return "Only allowlisted drift: t shows it.";
	return "No drift: the live schema matches the reference.";
}

/* Lay the tree out again (after a load, a fold, a draft, t, a resize). */
static void refresh_tree(tui_app *a, pane *p)
{
	dpane *d = dp(p);
	tc_result r;
	build(d, COLS > 0 ? COLS : 80, &r);
	d->width = COLS;
	char *title = tree_title(d);
	screen *sc;
	if (p->depth == 0) {
		sc = app_push_table(a, p, title, SC_TREE, NULL, &r);
		tview_set_key_col(sc->table, "key");
		tview_set_group_col(sc->table, "group");
		tview_set_group_plain(sc->table, true);
		for (int c = C_KEY; c < N_COLS; c++)
			tview_hide_col(sc->table, tview_col_name(sc->table, c));
		tview_set_style(sc->table, row_style, NULL);
	} else {
		sc = p->stack[0];
		tview_set_result(sc->table, &r);
		free(sc->title);
		sc->title = xstrdup(title);
	}
	free(sc->empty);
	sc->empty = xstrdup(tree_empty(d));
	free(title);
}

/* ------------------------------------------------------------ loading */

typedef struct load_ask {
	char *against, *allowlist; /* NULL: the target's */
	drift_view view;
	bool no_reference;
} load_ask;

/* On the worker: one comparison. */
static tc_status load_job(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	load_ask *q = ctx;
	res_init(out, RES_EMPTY);
	if (!q->against && !session_setting(s, "reference")) {
		q->no_reference = true;
		memset(&q->view, 0, sizeof q->view);
		res_init(&q->view.items, RES_EMPTY);
		res_init(&q->view.stale, RES_EMPTY);
		return TC_OK;
	}
	return driftcmd_view(s, q->against, q->allowlist, &q->view, err);
}

static void load(tui_app *a, pane *p)
{
	dpane *d = dp(p);
	load_ask *q = xcalloc(1, sizeof *q);
	q->against = dup_or_null(d->against);
	q->allowlist = dup_or_null(d->save_path);
	app_submit_fn(a, p, DP_LOAD, load_job, q);
	if (p->depth == 0)
		refresh_tree(a, p);
}

static void load_done(tui_app *a, pane *p, worker_job *j)
{
	dpane *d = dp(p);
	load_ask *q = j->ctx;
	if (j->status != TC_OK) {
		/* Keep what was shown; say why it was not refreshed. */
		free(d->failed);
		d->failed = NULL;
		if (!d->loaded)
			d->failed = j->cancelled ? xstrdup("Cancelled: R compares again.")
						 : xasprintf("Cannot compare: %s%s%s. R tries again; "
							     ":drift against DSN|FILE|@TARGET picks "
							     "another reference.",
							     j->error ? j->error : "failed",
							     j->hint ? " — " : "", j->hint ? j->hint : "");
		set_str(&d->ref_label, q->view.reference);
		refresh_tree(a, p);
		driftcmd_view_free(&q->view);
		free(q->against);
		free(q->allowlist);
		free(q);
		return;
	}
	items_free(d);
	free(d->failed);
	d->failed = NULL;
	d->no_reference = q->no_reference;
	d->loaded = !q->no_reference;
	set_str(&d->ref_label, q->view.reference);
	set_str(&d->allowlist, q->view.allowlist);
	d->n_drift = q->view.n_drift;
	const tc_result *r = &q->view.items;
	if (r->nrows) {
		d->items = xcalloc(r->nrows, sizeof *d->items);
		for (size_t i = 0; i < r->nrows; i++) {
			ditem *it = &d->items[d->n++];
			it->kind = xstrdup(row_tag(r, i, "kind"));
			it->object = xstrdup(row_tag(r, i, "object"));
			it->attribute = dup_or_null(row_tag(r, i, "attribute"));
			it->status = xstrdup(row_tag(r, i, "status"));
			it->live = dup_or_null(row_tag(r, i, "live"));
			it->reference = dup_or_null(row_tag(r, i, "reference"));
			it->reason = dup_or_null(row_tag(r, i, "reason"));
			it->note = dup_or_null(row_tag(r, i, "note"));
			it->detail = dup_or_null(row_tag(r, i, "detail"));
			it->allowed = same(row_tag(r, i, "allowed"), "true");
			it->info = it->note != NULL;
		}
	}
	const tc_result *st = &q->view.stale;
	if (st->nrows) {
		d->stale = xcalloc(st->nrows, sizeof *d->stale);
		for (size_t i = 0; i < st->nrows; i++) {
			stale_rule *s = &d->stale[d->nstale++];
			s->file = xstrdup(row_tag(st, i, "file"));
			s->line = strtol(row_tag(st, i, "line"), NULL, 10);
			s->kind = xstrdup(row_tag(st, i, "kind"));
			s->pattern = xstrdup(row_tag(st, i, "pattern"));
			s->attribute = dup_or_null(row_tag(st, i, "attribute"));
			s->reason = xstrdup(row_tag(st, i, "reason"));
		}
	}
	if (d->loaded)
		a->hdr.drift_items = (long)d->n_drift;
	refresh_tree(a, p);
	driftcmd_view_free(&q->view);
	free(q->against);
	free(q->allowlist);
	free(q);
}

/* ------------------------------------------------------------ the row */

typedef struct at_cursor {
	const char *row; /* ROW_OBJECT, ROW_ATTR, ROW_STALE; NULL: none */
	size_t idx;      /* into items (first item of an object) or stale */
	size_t end;      /* objects: one past their last item */
} at_cursor;

static at_cursor cursor_of(const dpane *d, const screen *sc, size_t row)
{
	at_cursor c = {NULL, 0, 0};
	if (!sc || !sc->table || row == (size_t)-1)
		return c;
	c.row = tview_cell(sc->table, row, "row");
	const char *idx = tview_cell(sc->table, row, "idx");
	if (!c.row || !idx)
		return (at_cursor){NULL, 0, 0};
	c.idx = strtoul(idx, NULL, 10);
	if (!strcmp(c.row, ROW_STALE)) {
		if (c.idx >= d->nstale)
			c.row = NULL;
		return c;
	}
	if (c.idx >= d->n)
		return (at_cursor){NULL, 0, 0};
	c.end = c.idx + 1;
	if (!strcmp(c.row, ROW_OBJECT))
		while (c.end < d->n && !strcmp(d->items[c.end].kind, d->items[c.idx].kind) &&
		       !strcmp(d->items[c.end].object, d->items[c.idx].object))
			c.end++;
	return c;
}

static at_cursor current(const dpane *d, const screen *sc)
{
	return cursor_of(d, sc, sc && sc->table ? tview_cursor_row(sc->table) : (size_t)-1);
}

/* ------------------------------------------------------------ Enter */

static void open_values(tui_app *a, pane *p, const ditem *it)
{
	dpane *d = dp(p);
	strbuf sb = STRBUF_INIT;
	char *title;
	char *ref = xasprintf("reference (%s)", d->ref_label ? d->ref_label : "reference");
	if (it->attribute) {
		title = xasprintf("%s %s %s", it->kind, it->object, it->attribute);
		drift_diff(it->reference, it->live, ref, "live", &sb);
	} else {
		bool extra = !strcmp(it->status, "extra");
		title = xasprintf("%s %s: %s", it->kind, it->object,
				  extra ? "extra (only live)" : "missing (only in the reference)");
		drift_diff(extra ? NULL : it->detail, extra ? it->detail : NULL, ref, "live", &sb);
	}
	const draft *r = draft_for(d, it);
	if (r)
		sb_addf(&sb, "\n(drafted allowlist rule, unsaved: %s)\n", r->reason);
	else if (it->allowed)
		sb_addf(&sb, "\n(allowlisted: %s)\n", it->reason ? it->reason : "");
	else if (it->note)
		sb_addf(&sb, "\n(%s)\n", it->note);
	screen *sc = app_push_text(a, p, title, SC_DIFF, NULL, sb_str(&sb));
	textview_set_diff(sc->text, true);
	free(title);
	free(ref);
	sb_free(&sb);
}

static void enter(tui_app *a, pane *p, screen *sc)
{
	dpane *d = dp(p);
	at_cursor c = current(d, sc);
	if (!c.row)
		return;
	if (!strcmp(c.row, ROW_STALE)) {
		const stale_rule *s = &d->stale[c.idx];
		app_status(a, "%s:%ld matches no drift item: remove the line when the drift it "
			      "allowed is gone for good",
			   s->file, s->line);
		return;
	}
	const ditem *it = &d->items[c.idx];
	if (!strcmp(c.row, ROW_OBJECT) && (it->attribute || c.end > c.idx + 1)) {
		toggle_expanded(d, it->kind, it->object);
		refresh_tree(a, p);
		return;
	}
	open_values(a, p, it);
}

/* ------------------------------------------------------------ a: draft */

static void ask_reason(tui_app *a, pane *p, bool again);

static void reason_answered(tui_app *a, pane *p, const char *answer, void *ctx)
{
	(void)ctx;
	dpane *d = dp(p);
	const char *b = answer ? answer : "", *e = b + strlen(b);
	while (*b == ' ' || *b == '\t')
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (b == e) {
		app_error(a, "a rule needs a reason: say why this drift is expected (Esc cancels)");
		ask_reason(a, p, true);
		return;
	}
	d->drafts = xrealloc(d->drafts, (d->ndrafts + 1) * sizeof *d->drafts);
	draft *r = &d->drafts[d->ndrafts++];
	*r = d->asking;
	memset(&d->asking, 0, sizeof d->asking);
	r->reason = xstrndup(b, (size_t)(e - b));
	update_unsaved(a, d);
	refresh_tree(a, p);
	/* Where :w will write, so it never surprises. */
	const char *to = d->save_path ? d->save_path : d->allowlist;
	app_status(a, "drafted, %s%s: %s %s%s%s -- %s",
		   to ? ":w appends it to " : "no allowlist is set, :w FILE saves it", to ? to : "",
		   r->kind, r->object, r->attribute ? " " : "", r->attribute ? r->attribute : "",
		   r->reason);
}

static void ask_reason(tui_app *a, pane *p, bool again)
{
	dpane *d = dp(p);
	const draft *r = &d->asking;
	/* Asked again, the label is short: the rule is on the line above. */
	char *label = again	   ? xstrdup("A reason is required (Esc cancels): ")
		      : r->attribute ? xasprintf("Why allow %s %s %s? ", r->kind, r->object, r->attribute)
		      : r->whole     ? xasprintf("Why allow every change of %s %s? ", r->kind, r->object)
				     : xasprintf("Why allow %s %s? ", r->kind, r->object);
	app_ask(a, p, label, "", reason_answered, NULL);
	free(label);
}

static void draft_rule(tui_app *a, pane *p, screen *sc)
{
	dpane *d = dp(p);
	at_cursor c = current(d, sc);
	if (!c.row)
		return;
	if (!strcmp(c.row, ROW_STALE)) {
		app_error(a, "a stale rule is not drift: remove its line from the allowlist instead");
		return;
	}
	const ditem *it = &d->items[c.idx];
	bool whole = !strcmp(c.row, ROW_OBJECT);
	/* Already quiet? Say by what. */
	bool all_quiet = true;
	for (size_t k = c.idx; k < c.end && all_quiet; k++)
		all_quiet = quiet_item(d, &d->items[k]);
	if (all_quiet) {
		const draft *r = draft_for(d, it);
		if (r)
			app_error(a, "already drafted (unsaved): %s", r->reason);
		else if (it->allowed)
			app_error(a, "already allowlisted: %s", it->reason ? it->reason : "");
		else
			app_error(a, "%s: not drift, nothing to allow", it->note ? it->note : "quiet");
		return;
	}
	draft_free(&d->asking);
	d->asking.kind = xstrdup(it->kind);
	d->asking.object = xstrdup(it->object);
	d->asking.attribute = whole ? NULL : dup_or_null(it->attribute);
	d->asking.whole = whole && (it->attribute || c.end > c.idx + 1);
	ask_reason(a, p, false);
}

/* ------------------------------------------------------------ :w */

typedef struct save_ask {
	char *path; /* NULL: the target's allowlist */
	drift_rule *rules;
	size_t n;
	size_t saved;
	char *saved_to;
} save_ask;

static tc_status save_job(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	save_ask *q = ctx;
	res_init(out, RES_EMPTY);
	return driftcmd_save_rules(s, q->path, q->rules, q->n, &q->saved, &q->saved_to, err);
}

static void save(tui_app *a, pane *p, const char *path)
{
	dpane *d = dp(p);
	if (!d->ndrafts) {
		app_status(a, "no unsaved allowlist rules (a on a drift item drafts one)");
		return;
	}
	if (d->saving) {
		app_status(a, "already saving the rules");
		return;
	}
	d->saving = true;
	save_ask *q = xcalloc(1, sizeof *q);
	q->path = dup_or_null(path ? path : d->save_path);
	q->n = d->ndrafts;
	q->rules = xcalloc(q->n, sizeof *q->rules);
	for (size_t i = 0; i < q->n; i++) {
		/* The drafts outlive the job: nothing removes them until it is done. */
		q->rules[i] = (drift_rule){d->drafts[i].kind, d->drafts[i].object,
					   d->drafts[i].attribute, d->drafts[i].reason};
	}
	app_submit_fn(a, p, DP_SAVE, save_job, q);
}

static void save_done(tui_app *a, pane *p, worker_job *j)
{
	dpane *d = dp(p);
	save_ask *q = j->ctx;
	d->saving = false;
	/* What was written is no longer a draft, even when a later rule failed. */
	for (size_t i = 0; i < q->saved && i < d->ndrafts; i++)
		draft_free(&d->drafts[i]);
	if (q->saved) {
		memmove(d->drafts, d->drafts + q->saved, (d->ndrafts - q->saved) * sizeof *d->drafts);
		d->ndrafts -= q->saved;
	}
	update_unsaved(a, d);
	if (j->status == TC_OK) {
		/* An explicit :w FILE becomes the allowlist this session reads. */
		if (q->path)
			set_str(&d->save_path, q->path);
		app_status(a, "saved %zu allowlist rule%s to %s", q->saved, q->saved == 1 ? "" : "s",
			   q->saved_to);
	}
	refresh_tree(a, p);
	if (q->saved)
		load(a, p);
	free(q->path);
	free(q->rules);
	free(q->saved_to);
	free(q);
}

/* ------------------------------------------------------------ S: SQL */

static void add_only(strbuf *line, const char *kind, const char *object, const char *attribute)
{
	strbuf rule = STRBUF_INIT;
	allow_format(&rule, kind, object, attribute, NULL);
	char *q = app_quote(sb_str(&rule));
	sb_addf(line, " --only %s", q);
	free(q);
	sb_free(&rule);
}

/* Rules for the rows: an object row stands for all of its items. */
static size_t add_rows(const dpane *d, const screen *sc, const size_t *rows, size_t n,
		       strbuf *line)
{
	size_t items = 0;
	for (size_t i = 0; i < n; i++) {
		at_cursor c = cursor_of(d, sc, rows[i]);
		if (!c.row || !strcmp(c.row, ROW_STALE))
			continue;
		const ditem *it = &d->items[c.idx];
		bool whole = !strcmp(c.row, ROW_OBJECT);
		add_only(line, it->kind, it->object, whole ? NULL : it->attribute);
		items += whole ? c.end - c.idx : 1;
	}
	return items;
}

typedef struct sql_ask {
	char *title;
	char *shell; /* the same from a shell, for the first line */
} sql_ask;

static void show_sql(tui_app *a, pane *p, screen *sc, bool current_only)
{
	dpane *d = dp(p);
	if (!d->loaded) {
		app_error(a, "nothing compared yet: no reconcile SQL to show");
		return;
	}
	strbuf line = STRBUF_INIT;
	sb_add(&line, "drift sql");
	if (d->against) {
		char *q = app_quote(d->against);
		sb_addf(&line, " --against %s", q);
		free(q);
	}
	if (d->save_path) {
		char *q = app_quote(d->save_path);
		sb_addf(&line, " --allowlist %s", q);
		free(q);
	}
	size_t *rows = NULL, n = 0, items = 0;
	char *title;
	if (current_only) {
		size_t row = sc && sc->table ? tview_cursor_row(sc->table) : (size_t)-1;
		at_cursor c = cursor_of(d, sc, row);
		if (!c.row || !strcmp(c.row, ROW_STALE)) {
			app_error(a, "s shows the SQL of a drift item: move to one");
			sb_free(&line);
			return;
		}
		const ditem *it = &d->items[c.idx];
		bool whole = !strcmp(c.row, ROW_OBJECT);
		items = add_rows(d, sc, &row, 1, &line);
		title = whole ? xasprintf("Reconcile SQL of %s %s (not run)", it->kind, it->object)
			      : xasprintf("Reconcile SQL of %s %s %s (not run)", it->kind, it->object,
					  it->attribute);
	} else {
		n = sc && sc->table ? tview_marked(sc->table, &rows) : 0;
		items = add_rows(d, sc, rows, n, &line);
		title = items ? xasprintf("Reconcile SQL of %zu marked item%s (not run)", items,
					  items == 1 ? "" : "s")
			      : xstrdup("Reconcile SQL of all drift (not run)");
	}
	free(rows);
	sql_ask *q = xcalloc(1, sizeof *q);
	q->title = title;
	const char *target = a->hdr.target && strcmp(a->hdr.target, "-") ? a->hdr.target : NULL;
	char *t = target ? app_quote(target) : NULL;
	char *cf = a->hdr.config ? app_quote(a->hdr.config) : NULL;
	q->shell = xasprintf("tenantctl%s%s%s%s %s > reconcile.sql", cf ? " --config " : "",
			     cf ? cf : "", t ? " -t " : "", t ? t : "", sb_str(&line));
	free(cf);
	free(t);
	tc_error err = TC_ERROR_INIT;
	worker_job *j = worker_job_cmd(sb_str(&line), DP_SQL, p, &err);
	if (!j) {
		app_error(a, "%s", err.message ? err.message : "cannot build the command");
		tc_error_clear(&err);
		free(q->title);
		free(q->shell);
		free(q);
	} else {
		j->ctx = q;
		worker_submit(a->w, j);
	}
	sb_free(&line);
}

static void sql_done(tui_app *a, pane *p, worker_job *j)
{
	sql_ask *q = j->ctx;
	if (j->status == TC_OK) {
		strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "-- %s\n", q->shell);
		sb_add(&sb, sb_str(&j->result.text));
		/* The summary as comments: the text stays SQL to copy. */
		if (j->result.summary) {
			sb_addc(&sb, '\n');
			for (const char *s = j->result.summary; *s;) {
				size_t len = strcspn(s, "\n");
				sb_addf(&sb, "-- %.*s\n", (int)len, s);
				s += len + (s[len] ? 1 : 0);
			}
		}
		app_push_text(a, p, q->title, SC_SQL, NULL, sb_str(&sb));
		sb_free(&sb);
		app_status(a, "shown, not run: the first line writes it to a file to review and run");
	}
	free(q->title);
	free(q->shell);
	free(q);
}

/* ------------------------------------------------------------ the pane */

static void done(tui_app *a, pane *p, worker_job *j)
{
	switch (j->tag) {
	case DP_LOAD:
		load_done(a, p, j);
		break;
	case DP_SQL:
		sql_done(a, p, j);
		break;
	case DP_SAVE:
		save_done(a, p, j);
		break;
	default:
		break;
	}
}

static bool key(tui_app *a, pane *p, screen *top, int k)
{
	dpane *d = dp(p);
	bool tree = top && top->kind == SC_TREE;
	if (k == '\n' || k == '\r' || k == KEY_ENTER) {
		if (tree)
			enter(a, p, top);
		return true;
	}
	if (!tree)
		return false;
	switch (k) {
	case 'a':
		draft_rule(a, p, top);
		return true;
	case 't':
		d->hide_allowed = !d->hide_allowed;
		refresh_tree(a, p);
		app_status(a, d->hide_allowed ? "allowlisted and drafted items hidden (t shows them)"
					      : "allowlisted and drafted items shown, dimmed");
		return true;
	case 'S':
		show_sql(a, p, top, false);
		return true;
	case 's':
		show_sql(a, p, top, true);
		return true;
	default:
		return false;
	}
}

/* A word of a `:` line: quotes removed ('...' or "..."). Caller frees. */
static char *unquote(const char *b)
{
	while (*b == ' ' || *b == '\t')
		b++;
	size_t n = strlen(b);
	while (n > 0 && (b[n - 1] == ' ' || b[n - 1] == '\t'))
		n--;
	if (n >= 2 && (b[0] == '\'' || b[0] == '"') && b[n - 1] == b[0])
		return xstrndup(b + 1, n - 2);
	return xstrndup(b, n);
}

static bool command(tui_app *a, pane *p, const char *line)
{
	dpane *d = dp(p);
	if (!strncmp(line, "drift against", 13) && (line[13] == '\0' || line[13] == ' ')) {
		char *v = unquote(line + 13);
		if (!*v) {
			free(v);
			if (!d->against) {
				app_status(a, "already comparing with the target's reference");
				return true;
			}
			set_str(&d->against, NULL);
			app_status(a, "comparing with the target's reference again");
		} else {
			free(d->against);
			d->against = v;
			app_status(a, "comparing with %s for this session (:drift against alone goes back)",
				   v[0] == '@' ? v : "the given reference");
		}
		/* Nothing of the old comparison stays on screen under the new name. */
		items_free(d);
		d->loaded = false;
		set_str(&d->ref_label, NULL);
		a->hdr.drift_items = -1;
		a->current = PANE_DRIFT;
		app_pop_to_root(a, p);
		load(a, p);
		return true;
	}
	/* :w is the Drift pane's when it has drafts or is the one shown. */
	bool w = !strcmp(line, "w") || !strcmp(line, "write") || !strncmp(line, "w ", 2) ||
		 !strncmp(line, "write ", 6);
	if (w && (d->ndrafts || a->current == PANE_DRIFT)) {
		const char *arg = strchr(line, ' ');
		char *path = arg ? unquote(arg) : NULL;
		if (path && !*path) {
			free(path);
			path = NULL;
		}
		save(a, p, path);
		free(path);
		return true;
	}
	return false;
}

/* Text over lines from y, cut at blanks to the screen's width. */
static void wrap(const char *text, int y, int lines)
{
	int width = COLS - 4 > 20 ? COLS - 4 : COLS;
	const char *s = text;
	for (int i = 0; i < lines && *s; i++) {
		while (*s == ' ')
			s++;
		/* The longest run of whole words that fits. */
		const char *end = s, *c = s;
		int w = 0;
		while (*c) {
			size_t n = utf8_len(c);
			w += uw_char_cells(c, n);
			if (w > width)
				break;
			c += n;
			if (!*c || *c == ' ')
				end = c;
		}
		if (!*c)
			end = c;
		if (end == s) /* one word wider than the screen */
			end = c;
		frame_print(y + i, 2, "%.*s", (int)(end - s), s);
		s = end;
	}
}

/* The cursor row in full, on the two lines under the tree (its cells are
 * cut to the width): what it is and why it is quiet, then its values. */
static void row_detail(const dpane *d, const screen *sc, strbuf *l1, strbuf *l2)
{
	at_cursor c = current(d, sc);
	if (!c.row)
		return;
	if (!strcmp(c.row, ROW_STALE)) {
		const stale_rule *s = &d->stale[c.idx];
		sb_addf(l1, "stale rule: %s %s%s%s -- %s", s->kind, s->pattern,
			s->attribute ? " " : "", s->attribute ? s->attribute : "", s->reason);
		sb_addf(l2, "%s:%ld matches no drift item", s->file, s->line);
		return;
	}
	const ditem *it = &d->items[c.idx];
	bool whole = !strcmp(c.row, ROW_OBJECT);
	bool folds = whole && (it->attribute || c.end > c.idx + 1);
	sb_addf(l1, "%s %s", it->kind, it->object);
	if (!whole)
		sb_addf(l1, " %s", it->attribute);
	sb_addf(l1, ": %s", it->status);
	if (folds)
		sb_addf(l1, " (Enter %s)", is_expanded(d, it->kind, it->object) ? "folds" : "unfolds");
	/* The note when it is the row's alone (or the one attribute's). */
	if (!folds || c.end == c.idx + 1) {
		char *n = item_note(d, it);
		if (n)
			sb_addf(l1, " — %s", n);
		free(n);
	}
	if (folds && c.end > c.idx + 1) {
		sb_add(l2, "attributes: ");
		for (size_t k = c.idx; k < c.end; k++)
			sb_addf(l2, "%s%s", k > c.idx ? ", " : "", d->items[k].attribute);
	} else if (it->attribute) {
		char *lv = flat(it->live), *rv = flat(it->reference);
		if (folds)
			sb_addf(l2, "%s: ", it->attribute);
		sb_addf(l2, "live %s · reference %s", lv ? lv : "(none)", rv ? rv : "(none)");
		free(lv);
		free(rv);
	} else if (it->detail) {
		char *dv = flat(it->detail);
		sb_addf(l2, "%s %s", !strcmp(it->status, "extra") ? "live" : "reference", dv);
		free(dv);
	}
}

static void draw(tui_app *a, pane *p, int y0, int h)
{
	dpane *d = dp(p);
	/* The tree's cells are cut to the width: lay it out again after a resize. */
	if (p->depth > 0 && d->width != COLS)
		refresh_tree(a, p);
	screen *sc = frame_pane_title(a, p, y0);
	if (!sc)
		return;
	if (sc->kind == SC_TREE && !tview_result(sc->table)->nrows) {
		/* Nothing to list: the why, whole, wrapped. */
		wrap(sc->empty ? sc->empty : "", y0 + 2, h - 2);
	} else if (sc->kind == SC_TREE && h > 5) {
		tview_draw(sc->table, y0 + 1, h - 3, a->color, sc->empty);
		strbuf l1 = STRBUF_INIT, l2 = STRBUF_INIT;
		row_detail(d, sc, &l1, &l2);
		attron(A_BOLD);
		frame_print(y0 + h - 2, 0, "%s", sb_str(&l1));
		attroff(A_BOLD);
		frame_print(y0 + h - 1, 0, "%s", sb_str(&l2));
		sb_free(&l1);
		sb_free(&l2);
	} else {
		frame_screen_view(a, sc, y0 + 1, h - 1);
	}
}

static void forget(pane *p)
{
	dpane *d = p->data;
	if (!d)
		return;
	items_free(d);
	for (size_t i = 0; i < d->nexpanded; i++)
		free(d->expanded[i]);
	free(d->expanded);
	for (size_t i = 0; i < d->ndrafts; i++)
		draft_free(&d->drafts[i]);
	free(d->drafts);
	draft_free(&d->asking);
	free(d->failed);
	free(d->against);
	free(d->ref_label);
	free(d->allowlist);
	free(d->save_path);
	free(d->unsaved);
	memset(d, 0, sizeof *d);
}

const pane_ops driftpane_ops = {
	"Drift",
	"Enter open  a allow  t allowlisted  S/s SQL  :w save  : command  ? help  q quit",
	load,
	key,
	done,
	draw,
	NULL,
	command,
	forget,
};
