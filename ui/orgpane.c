/* The Orgs pane: the organizations as a window of keyset pages (any number
 * of them scroll with flat memory), sorted on the server by slug, created
 * or members and within the window by the other columns; `/` filters the
 * window and, when the list is longer than the window, searches the whole
 * list on Enter; Enter opens an org (its record, members by scope and
 * role, workspaces and projects, audit findings); C, P and D stage a
 * create, a plan change and a soft delete, which the core previews and the
 * operator confirms (default No). */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cmdtab.h"
#include "orgs.h"
#include "session.h"
#include "strbuf.h"
#include "uwidth.h"
#include "xalloc.h"

/* Jobs, and the kinds of screens. */
enum { OP_PAGE = 1, OP_ORG, OP_ORG_RELOAD, OP_SEARCH, OP_SEARCH_RELOAD, OP_CREATE, OP_PLAN,
       OP_DELETE };
enum { SC_LIST = 1, SC_ORG, SC_SEARCH };
/* Rows a page request asks for; the window holds up to tview's cap (2000). */
enum { PAGE_ROWS = 100, SEARCH_ROWS = 200, MEMBER_ROWS = 200, SAMPLES = 5 };

typedef enum load_kind {
	LK_AFTER,  /* append the page after the window */
	LK_BEFORE, /* prepend the page before it */
	LK_FIRST,  /* g past the window: the first page */
	LK_LAST,   /* G past the window: the last page */
	LK_AROUND, /* a new window around an org (reload, sort change, after a write) */
} load_kind;

typedef struct org_state {
	orgs_sort sort;     /* the server's order asked for */
	bool desc;          /* ... reversed */
	orgs_sort win_sort; /* the order the window is in (sort, once it came) */
	bool win_desc;
	bool local;    /* sorted in the window by a column the server cannot sort by */
	unsigned gen;  /* bumped by every new window: pages of an older one are dropped */
	bool renewing; /* a new window is on its way: no paging meanwhile */
	/* The org a P or D question is about, and the name a C question got. */
	char *ask_slug, *ask_name, *ask_key;
	/* The org the org screen shows: its plan and name, for P and D there. */
	char *shown_slug, *shown_plan, *shown_name;
} org_state;

static org_state st;

/* The status line's key hints: read-only sessions say what C P D need. */
static char hints[128] = "Enter open  / filter  < > sort  C create  P plan  D delete  ? help";

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static screen *root_of(pane *p)
{
	return p->depth > 0 && p->stack[0]->kind == SC_LIST ? p->stack[0] : NULL;
}

/* ------------------------------------------------------------ rows */

static size_t col_of(const tc_result *r, const char *name)
{
	for (size_t c = 0; c < r->ncols; c++)
		if (strcmp(r->cols[c].name, name) == 0)
			return c;
	return (size_t)-1;
}

/* The list's columns in the order an operator scans them: the state
 * (members, owners, findings) next to the name, the long resource text and
 * the creation date last; the rest (key, match, deleted) after them. */
static const char *const col_order[] = {"slug",     "name",      "plan",    "members",
					 "owners",   "findings",  "resources", "created"};

/* r with its columns in col_order (r is replaced). */
static void reorder(tc_result *r)
{
	size_t n = sizeof col_order / sizeof col_order[0];
	size_t *from = xcalloc(r->ncols + 1, sizeof *from);
	bool *used = xcalloc(r->ncols + 1, sizeof *used);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		size_t c = col_of(r, col_order[i]);
		if (c != (size_t)-1 && !used[c]) {
			from[k++] = c;
			used[c] = true;
		}
	}
	for (size_t c = 0; c < r->ncols; c++)
		if (!used[c])
			from[k++] = c;
	tc_result o;
	res_init(&o, r->kind);
	for (size_t i = 0; i < k; i++) {
		if (r->cols[from[i]].detail)
			res_add_detail_col(&o, r->cols[from[i]].name, r->cols[from[i]].type);
		else
			res_add_col(&o, r->cols[from[i]].name, r->cols[from[i]].type);
	}
	for (size_t row = 0; row < r->nrows; row++) {
		size_t j = res_add_row(&o);
		for (size_t i = 0; i < k; i++)
			res_set(&o, j, i, res_get(r, row, from[i]));
	}
	if (r->summary)
		res_set_summary(&o, "%s", r->summary);
	res_free(r);
	*r = o;
	free(from);
	free(used);
}

/* The list's rows: its column order, and dates (the org screen has the
 * time). Rows with findings are drawn bold (and yellow); the count has
 * its own column. */
static void decorate(tc_result *r)
{
	reorder(r);
	size_t created = col_of(r, "created");
	for (size_t row = 0; created != (size_t)-1 && row < r->nrows; row++) {
		const char *v = res_get(r, row, created);
		if (v && strlen(v) > 10) {
			char *d = xstrndup(v, 10);
			res_set(r, row, created, d);
			free(d);
		}
	}
}

static tview_style row_style(const tc_result *r, size_t row, void *ctx)
{
	(void)ctx;
	size_t c = col_of(r, "findings");
	const char *v = c == (size_t)-1 ? NULL : res_get(r, row, c);
	return v && *v && strcmp(v, "0") != 0 ? TVS_WARN : TVS_NORMAL;
}

static void setup_table(screen *sc)
{
	tview_set_key_col(sc->table, "slug");
	tview_set_style(sc->table, row_style, NULL);
}

/* The cursor's org: a cell of its row (borrowed), NULL when none. */
static const char *cursor_cell(screen *sc, const char *col)
{
	if (!sc || !sc->table)
		return NULL;
	size_t row = tview_cursor_row(sc->table);
	return row == (size_t)-1 ? NULL : tview_cell(sc->table, row, col);
}

/* The key of org slug in the window, NULL when it is not loaded. */
static const char *window_key(pane *p, const char *slug)
{
	screen *root = root_of(p);
	if (!root || !slug)
		return NULL;
	const tc_result *r = tview_result(root->table);
	size_t s = col_of(r, "slug"), k = col_of(r, "key");
	for (size_t row = 0; s != (size_t)-1 && k != (size_t)-1 && row < r->nrows; row++)
		if (res_get(r, row, s) && !strcmp(res_get(r, row, s), slug))
			return res_get(r, row, k);
	return NULL;
}

static const char *sort_col_name(orgs_sort s)
{
	return s == ORGS_SORT_CREATED ? "created" : s == ORGS_SORT_MEMBERS ? "members" : "slug";
}

static void list_title(screen *sc)
{
	tview *v = sc->table;
	bool before, after;
	tview_get_more(v, &before, &after);
	size_t n = tview_result(v)->nrows;
	strbuf t = STRBUF_INIT;
	if (before || after)
		sb_addf(&t, "Organizations: %zu loaded (more %s)", n,
			before && after ? "above and below" : before ? "above" : "below");
	else
		sb_addf(&t, "Organizations: %zu", n);
	bool desc;
	int c = tview_sort_col(v, &desc);
	const char *name = st.local && c >= 0 ? tview_col_name(v, c) : sort_col_name(st.sort);
	sb_addf(&t, ", by %s", name);
	if (st.local && c >= 0) {
		if (desc)
			sb_add(&t, " descending");
		if (before || after)
			sb_add(&t, " within them");
	} else if (st.sort == ORGS_SORT_CREATED) {
		sb_add(&t, st.desc ? ", newest first" : ", oldest first");
	} else if (st.sort == ORGS_SORT_MEMBERS) {
		sb_add(&t, st.desc ? ", fewest first" : ", most first");
	} else if (st.desc) {
		sb_add(&t, " descending");
	}
	free(sc->title);
	sc->title = sb_steal(&t);
}

/* ------------------------------------------------------------ pages */

typedef struct page_job {
	load_kind kind;
	orgs_sort sort;
	bool desc;
	char *key;    /* owned; AFTER/BEFORE, or AROUND a known key (a deleted org's) */
	char *slug;   /* owned; AROUND this org (its key is found on the worker) */
	char *select; /* owned; the org to put the cursor on */
	unsigned gen;
	/* Filled on the worker: */
	orgs_page_more more;
	size_t nbefore; /* AROUND: rows before the org's place */
} page_job;

static void page_job_free(page_job *pj)
{
	free(pj->key);
	free(pj->slug);
	free(pj->select);
	free(pj);
}

/* Append src's rows to dst (the same columns). */
static void append_rows(tc_result *dst, const tc_result *src)
{
	for (size_t r = 0; r < src->nrows; r++) {
		size_t i = res_add_row(dst);
		for (size_t c = 0; c < src->ncols && c < dst->ncols; c++)
			res_set(dst, i, c, res_get(src, r, c));
	}
}

/* On the worker. */
static tc_status page_fn(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	page_job *pj = ctx;
	orgs_page_req req = {pj->sort, ORGS_FIRST, NULL, PAGE_ROWS, false, pj->desc, true};
	switch (pj->kind) {
	case LK_AFTER:
		req.from = ORGS_AFTER;
		req.key = pj->key;
		break;
	case LK_BEFORE:
		req.from = ORGS_BEFORE;
		req.key = pj->key;
		break;
	case LK_LAST:
		req.from = ORGS_LAST;
		break;
	case LK_FIRST:
		break;
	case LK_AROUND: {
		/* By members every read counts every org's members: one read, the
		 * first page (the org is selected when it is on it). */
		if (pj->sort == ORGS_SORT_MEMBERS)
			break;
		char *key = pj->key ? xstrdup(pj->key) : NULL;
		tc_status rc = TC_OK;
		if (!key && pj->slug)
			rc = orgs_page_key(s, pj->sort, pj->slug, &key, err);
		if (rc != TC_OK)
			return rc;
		if (!key)
			break; /* gone: the first page */
		/* Half a page before the org, a page from it on. */
		tc_result before;
		orgs_page_more mb, ma;
		req.from = ORGS_BEFORE;
		req.key = key;
		req.limit = PAGE_ROWS / 2;
		rc = orgs_page(s, &req, &before, &mb, err);
		if (rc == TC_OK) {
			req.from = ORGS_AT;
			req.limit = PAGE_ROWS;
			rc = orgs_page(s, &req, out, &ma, err);
		}
		free(key);
		if (rc != TC_OK) {
			res_free(&before);
			return rc;
		}
		pj->nbefore = before.nrows;
		append_rows(&before, out);
		res_free(out);
		*out = before;
		pj->more.before = mb.before;
		pj->more.after = ma.after;
		return TC_OK;
	}
	}
	return orgs_page(s, &req, out, &pj->more, err);
}

static void submit_page(tui_app *a, pane *p, load_kind kind, const char *key, const char *slug,
			const char *select)
{
	page_job *pj = xcalloc(1, sizeof *pj);
	pj->kind = kind;
	pj->sort = st.sort;
	pj->desc = st.desc;
	pj->key = key ? xstrdup(key) : NULL;
	pj->slug = slug ? xstrdup(slug) : NULL;
	pj->select = select ? xstrdup(select) : NULL;
	if (kind == LK_AROUND || kind == LK_FIRST || kind == LK_LAST) {
		/* A new window: what the old one asked for no longer fits. */
		st.gen++;
		st.renewing = true;
	}
	pj->gen = st.gen;
	app_submit_fn(a, p, OP_PAGE, page_fn, pj);
}

/* A new window around an org (NULL: the first page). */
static void renew(tui_app *a, pane *p, const char *slug, const char *key)
{
	submit_page(a, p, LK_AROUND, key, slug, slug);
}

static void page(tui_app *a, pane *p, screen *top, tview_need need);

void orgpane_show_org(tui_app *a, const char *slug)
{
	pane *p = app_pane(a, PANE_ORGS);
	a->current = PANE_ORGS;
	free(a->selected_org);
	a->selected_org = xstrdup(slug);
	app_pop_to_root(a, p);
	screen *root = root_of(p);
	if (root && root->table && tview_select_key(root->table, slug)) {
		app_status(a, "org %s selected", slug);
		return;
	}
	/* Not in the window: a new window around it (its key in the current
	 * order is looked up by the page job). */
	p->loaded = true;
	renew(a, p, slug, NULL);
	app_status(a, "org %s selected", slug);
}

static void page_done(tui_app *a, pane *p, worker_job *j)
{
	page_job *pj = j->ctx;
	j->ctx = NULL;
	if (pj->gen != st.gen) {
		page_job_free(pj); /* an older window's */
		return;
	}
	bool renewal = pj->kind == LK_AROUND || pj->kind == LK_FIRST || pj->kind == LK_LAST;
	if (renewal)
		st.renewing = false;
	screen *root = root_of(p);
	if (j->status != TC_OK) {
		if (root) {
			/* Let the view ask again (the error is in the status line). */
			bool b, f;
			tview_get_more(root->table, &b, &f);
			tview_set_more(root->table, b, f);
			if (renewal && (st.sort != st.win_sort || st.desc != st.win_desc)) {
				/* A new order that did not come (C-c): the rows stay in
				 * the old one, sorted here by the column asked for. */
				st.sort = st.win_sort;
				st.desc = st.win_desc;
				st.local = true;
				tview_set_server_sort(root->table, false);
				list_title(root);
				bool desc;
				int c = tview_sort_col(root->table, &desc);
				if (j->cancelled && c >= 0)
					app_status(a, "cancelled: sorted by %s in the %zu loaded rows only",
						   tview_col_name(root->table, c),
						   tview_result(root->table)->nrows);
			}
		}
		page_job_free(pj);
		return;
	}
	if (renewal) {
		st.win_sort = pj->sort;
		st.win_desc = pj->desc;
	}
	tc_result *r = &j->result;
	decorate(r);
	app_add_words(a, APP_WORDS_ORG, r, "slug");
	if (!root) {
		root = app_push_table(a, p, "Organizations", SC_LIST, NULL, r);
		setup_table(root);
		tview_set_server_sort(root->table, true);
		/* The arrow on slug: the order the server gives. */
		tview_key(root->table, '<', 0);
		root->empty = xstrdup(a->hdr.writable
					      ? "No organizations yet: C creates one."
					      : "No organizations yet: C creates one (in a --write session).");
		tview_set_more(root->table, pj->more.before, pj->more.after);
	} else {
		tview *v = root->table;
		bool b, f;
		switch (pj->kind) {
		case LK_AFTER:
			tview_append(v, r);
			tview_get_more(v, &b, NULL);
			tview_set_more(v, b, pj->more.after);
			break;
		case LK_BEFORE:
			tview_prepend(v, r);
			tview_get_more(v, NULL, &f);
			tview_set_more(v, pj->more.before, f);
			break;
		case LK_FIRST:
		case LK_LAST:
			tview_set_window(v, r, pj->kind == LK_LAST);
			tview_set_more(v, pj->more.before, pj->more.after);
			break;
		case LK_AROUND:
			tview_set_window(v, r, false);
			tview_set_more(v, pj->more.before, pj->more.after);
			/* On the org, or where it was (a deleted one's successor). */
			if (!pj->select || !tview_select_key(v, pj->select)) {
				const char *next = tview_cell(v, pj->nbefore, "slug");
				if (next)
					tview_select_key(v, next);
			}
			break;
		}
	}
	list_title(root);
	page_job_free(pj);
	/* A jump (g, G) or a scroll that went on while this page came. */
	if (app_top(p) == root)
		page(a, p, root, tview_need_next(root->table));
}

static void page(tui_app *a, pane *p, screen *top, tview_need need)
{
	if (!top || top->kind != SC_LIST || st.renewing || st.local)
		return;
	tview *v = top->table;
	const tc_result *r = tview_result(v);
	size_t k = col_of(r, "key");
	switch (need) {
	case TVN_AFTER:
		if (!r->nrows || k == (size_t)-1)
			return;
		submit_page(a, p, LK_AFTER, res_get(r, r->nrows - 1, k), NULL, NULL);
		break;
	case TVN_BEFORE:
		if (!r->nrows || k == (size_t)-1)
			return;
		submit_page(a, p, LK_BEFORE, res_get(r, 0, k), NULL, NULL);
		break;
	case TVN_FIRST:
		submit_page(a, p, LK_FIRST, NULL, NULL, NULL);
		break;
	case TVN_LAST:
		submit_page(a, p, LK_LAST, NULL, NULL, NULL);
		break;
	case TVN_NONE:
	default:
		return;
	}
	tview_need_sent(v);
}

/* ------------------------------------------------------------ sorting and searching */

static void sorted(tui_app *a, pane *p, screen *sc)
{
	tview *v = sc->table;
	bool desc;
	int c = tview_sort_col(v, &desc);
	const char *name = c >= 0 ? tview_col_name(v, c) : NULL;
	if (!name)
		return;
	orgs_sort s;
	bool server = true;
	if (!strcmp(name, "slug"))
		s = ORGS_SORT_SLUG;
	else if (!strcmp(name, "created"))
		s = ORGS_SORT_CREATED;
	else if (!strcmp(name, "members"))
		s = ORGS_SORT_MEMBERS;
	else
		server = false;
	if (server) {
		st.sort = s;
		/* members: the server's own order is most first. */
		st.desc = s == ORGS_SORT_MEMBERS ? !desc : desc;
		st.local = false;
		tview_set_server_sort(v, true);
		renew(a, p, cursor_cell(sc, "slug"), NULL);
		app_status(a, "sorted by %s on the server%s", name,
			   s == ORGS_SORT_MEMBERS ? " (this counts the members of every org)" : "");
	} else {
		st.local = true;
		tview_set_server_sort(v, false);
		bool b, f;
		tview_get_more(v, &b, &f);
		if (b || f)
			app_status(a, "sorted by %s in the %zu loaded rows only (slug, created and "
				      "members sort them all)",
				   name, tview_result(v)->nrows);
		else
			app_status(a, "sorted by %s", name);
	}
	list_title(sc);
}

static void search(tui_app *a, pane *p, const char *text, int tag)
{
	char *q = app_quote(text);
	/* "--": a text that starts with a dash is still the text. */
	char *line = xasprintf("orgs search --findings --limit %d -- %s", SEARCH_ROWS, q);
	app_submit_line(a, p, tag, line);
	free(line);
	free(q);
}

/* Enter on a filter: the window holds the whole list, or the server searches. */
static void filtered(tui_app *a, pane *p, screen *sc)
{
	bool b, f;
	tview_get_more(sc->table, &b, &f);
	const char *text = tview_filter(sc->table);
	if (!text || (!b && !f))
		return;
	search(a, p, text, OP_SEARCH);
}

static screen *find_screen(pane *p, int kind)
{
	for (int i = p->depth - 1; i >= 0; i--)
		if (p->stack[i]->kind == kind)
			return p->stack[i];
	return NULL;
}

/* The search text of a search job: its line's last word. */
static char *search_text(const worker_job *j)
{
	size_t n = 0;
	while (j->argv && j->argv[n])
		n++;
	return n ? xstrdup(j->argv[n - 1]) : NULL;
}

static void search_done(tui_app *a, pane *p, worker_job *j)
{
	if (j->status != TC_OK)
		return;
	tc_result *r = &j->result;
	decorate(r);
	app_add_words(a, APP_WORDS_ORG, r, "slug");
	char *text = search_text(j);
	bool more = r->summary && strstr(r->summary, "may be more");
	char *title = xasprintf("Search \"%s\": %zu match%s%s", text ? text : "", r->nrows,
				r->nrows == 1 ? "" : "es",
				more ? " (the first ones; a longer text narrows it)" : "");
	if (j->tag == OP_SEARCH_RELOAD) {
		screen *sc = find_screen(p, SC_SEARCH);
		if (sc) {
			tview_set_result(sc->table, r);
			free(sc->title);
			sc->title = title;
			title = NULL;
		}
	} else {
		/* Esc comes back to the whole list, not to its filtered window. */
		screen *root = root_of(p);
		if (root)
			tview_set_filter(root->table, NULL);
		app_pop_to_root(a, p);
		screen *sc = app_push_table(a, p, title, SC_SEARCH, text, r);
		setup_table(sc);
		sc->empty = xasprintf("No organization's slug or name contains \"%s\".",
				      text ? text : "");
	}
	free(title);
	free(text);
}

/* ------------------------------------------------------------ the org screen */

typedef struct org_ask {
	char *slug;
	/* Filled on the worker: */
	char *plan, *name;
} org_ask;

static void org_ask_free(org_ask *q)
{
	free(q->slug);
	free(q->plan);
	free(q->name);
	free(q);
}

/* A command through the command table, as the `:` prompt runs it (the
 * read-only gate applies); out is always initialised. */
static tc_status run_words(tc_session *s, const char *const *argv, tc_result *out, tc_error *err)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	res_init(out, RES_EMPTY);
	cmd_invocation inv;
	tc_status rc = cmd_parse(argc, (char *const *)argv, &inv, err);
	if (rc != TC_OK)
		return rc;
	rc = cmd_run(s, &inv.call, out, err);
	cmd_invocation_free(&inv);
	return rc;
}

static const char *field(const tc_result *r, const char *name)
{
	size_t c = col_of(r, name);
	return c == (size_t)-1 || !r->nrows ? NULL : res_get(r, 0, c);
}

static const char *cell(const tc_result *r, size_t row, const char *name)
{
	size_t c = col_of(r, name);
	return c == (size_t)-1 ? NULL : res_get(r, row, c);
}

/* text's words from column indent on, lines ending before column width. */
static void wrap(strbuf *t, const char *text, int indent, int width)
{
	int x = 0;
	const char *w = text;
	while (*w) {
		while (*w == ' ')
			w++;
		size_t n = strcspn(w, " ");
		if (!n)
			break;
		if (x > 0 && x + 1 + (int)n > width) {
			sb_addc(t, '\n');
			x = 0;
		}
		if (x == 0) {
			sb_addf(t, "%*s", indent, "");
			x = indent;
		} else {
			sb_addc(t, ' ');
			x++;
		}
		sb_addn(t, w, n);
		x += (int)n;
		w += n;
	}
	if (x)
		sb_addc(t, '\n');
}

/* As wrap, the first line already started at column indent. */
static void wrap_rest(strbuf *t, const char *text, int indent, int width)
{
	strbuf w = STRBUF_INIT;
	wrap(&w, text, indent, width);
	sb_add(t, sb_str(&w) + (w.len >= (size_t)indent ? (size_t)indent : 0));
	sb_free(&w);
}

static void kv(strbuf *t, const char *k, const char *v)
{
	sb_addf(t, "  %-11s %s\n", k, v && *v ? v : "-");
}

static void org_record(strbuf *t, const tc_result *r)
{
	const char *slug = field(r, "slug"), *name = field(r, "name");
	sb_addf(t, "%s (%s)\n", name ? name : "", slug ? slug : "");
	kv(t, "id", field(r, "id"));
	kv(t, "plan", field(r, "plan"));
	bool any = false;
	for (size_t c = 0; c < r->ncols; c++)
		if (!strncmp(r->cols[c].name, "resource.", 9)) {
			char *v = xasprintf("%s: %s", r->cols[c].name + 9,
					    res_get(r, 0, c) ? res_get(r, 0, c) : "none");
			kv(t, any ? "" : "resources", v);
			free(v);
			any = true;
		}
	kv(t, "owner", field(r, "owner"));
	kv(t, "owners", field(r, "owner_members"));
	const char *created = field(r, "created");
	char *c16 = created ? xstrndup(created, 16) : NULL;
	kv(t, "created", c16);
	free(c16);
	kv(t, "deleted", field(r, "deleted"));
}

static void org_members(strbuf *t, const tc_result *show, const tc_result *m, const char *merr)
{
	sb_add(t, "\nMembers by scope and role\n");
	for (size_t c = 0; c < show->ncols; c++)
		if (!strncmp(show->cols[c].name, "members.", 8))
			sb_addf(t, "  %-11s %s\n", show->cols[c].name + 8,
				res_get(show, 0, c) ? res_get(show, 0, c) : "(not mapped)");
	if (merr) {
		sb_addf(t, "\n  (the list of members: %s)\n", merr);
		return;
	}
	if (!m->nrows)
		return;
	/* Columns as wide as their widest value, up to 40 cells; the org
	 * scope's rows are in the org itself ("-"); flags only when a row has
	 * some. */
	static const char *const cols[] = {"scope", "object", "role", "email", "flags", "last_seen"};
	static const char *const heads[] = {"scope", "in", "role", "email", "flags", "last seen"};
	enum { NC = 6, C_IN = 1, C_ROLE = 2, C_FLAGS = 4, C_SEEN = 5 };
	int w[NC];
	bool flags = false;
	for (int c = 0; c < NC; c++) {
		w[c] = (int)strlen(heads[c]);
		for (size_t row = 0; row < m->nrows; row++) {
			const char *v = cell(m, row, cols[c]), *scope = cell(m, row, "scope");
			if (c == C_IN && scope && !strcmp(scope, "org"))
				v = "-";
			int n = c == C_SEEN ? 10 : v ? uw_width(v) : 6;
			if (c == C_FLAGS && v && *v)
				flags = true;
			if (n > w[c])
				w[c] = n > 40 ? 40 : n;
		}
	}
	sb_add(t, "\n ");
	for (int c = 0; c < NC; c++)
		if (c != C_FLAGS || flags)
			sb_addf(t, " %-*s", c < C_SEEN ? w[c] : 0, heads[c]);
	sb_addc(t, '\n');
	for (size_t row = 0; row < m->nrows; row++) {
		sb_add(t, " ");
		const char *scope = cell(m, row, "scope");
		for (int c = 0; c < NC; c++) {
			if (c == C_FLAGS && !flags)
				continue;
			const char *v = cell(m, row, cols[c]);
			if (c == C_IN && scope && !strcmp(scope, "org"))
				v = "-";
			char *shown = !v ? xstrdup(c == C_ROLE ? "(none)" : c == C_FLAGS ? "" : "-")
					 : c == C_SEEN ? xstrndup(v, 10) : xstrdup(v);
			int pad = c < C_SEEN ? w[c] - uw_width(shown) : 0;
			sb_addf(t, " %s%*s", shown, pad > 0 ? pad : 0, "");
			free(shown);
		}
		/* No blanks at the ends of lines. */
		while (t->len && t->data[t->len - 1] == ' ')
			t->data[--t->len] = '\0';
		sb_addc(t, '\n');
	}
	if (m->summary && strstr(m->summary, "next page"))
		sb_addf(t, "  ... the first %zu; `:members list --org %s` pages through the rest\n",
			m->nrows, field(show, "slug"));
}

static void org_tree(strbuf *t, const tc_result *show, const tc_result *tree, const char *terr)
{
	const char *ws = field(show, "workspaces"), *pj = field(show, "projects");
	sb_addf(t, "\nWorkspaces and projects: %s workspace%s, %s project%s\n", ws ? ws : "?",
		ws && !strcmp(ws, "1") ? "" : "s", pj ? pj : "?", pj && !strcmp(pj, "1") ? "" : "s");
	if (terr) {
		sb_addf(t, "  (%s)\n", terr);
		return;
	}
	if (!tree->nrows) {
		sb_add(t, "  none\n");
		return;
	}
	/* One line a workspace: its projects after it. */
	for (size_t row = 0; row < tree->nrows;) {
		const char *w = cell(tree, row, "workspace");
		strbuf line = STRBUF_INIT;
		size_t n = 0;
		size_t r2 = row;
		for (; r2 < tree->nrows; r2++) {
			const char *w2 = cell(tree, r2, "workspace");
			if (r2 > row && !((!w && !w2) || (w && w2 && !strcmp(w, w2))))
				break;
			const char *pname = cell(tree, r2, "project"), *note = cell(tree, r2, "note");
			if (!pname)
				continue;
			sb_addf(&line, "%s%s", n++ ? ", " : "", pname);
			if (note)
				sb_addf(&line, " (%s)", note);
		}
		sb_addf(t, "  %-18s %s\n", w ? w : "(no workspace)", n ? sb_str(&line) : "no projects");
		sb_free(&line);
		row = r2;
	}
	if (tree->summary)
		sb_addf(t, "  %s\n", tree->summary);
}

static void org_findings(strbuf *t, const char *slug, const tc_result *f, const char *ferr)
{
	sb_addf(t, "\nAudit findings (`audit --org %s`)\n", slug);
	if (ferr) {
		sb_addf(t, "  (%s)\n", ferr);
		return;
	}
	if (f->summary)
		wrap(t, f->summary, 2, 78);
	const char *last = NULL;
	size_t shown = 0;
	for (size_t row = 0; row <= f->nrows; row++) {
		const char *check = row < f->nrows ? cell(f, row, "check") : NULL;
		if (last && (!check || strcmp(check, last) != 0)) {
			/* The end of a check: how many more, what it means, the fix. */
			size_t prev = row - 1;
			long count = atol(cell(f, prev, "count") ? cell(f, prev, "count") : "0");
			if (count > (long)shown)
				sb_addf(t, "        ... and %ld more\n", count - (long)shown);
			const char *ex = cell(f, prev, "explanation"), *fix = cell(f, prev, "fix");
			if (ex)
				wrap(t, ex, 8, 78);
			if (fix && *fix)
				sb_addf(t, "        fix: %s\n", fix);
		}
		if (!check)
			break;
		if (!last || strcmp(check, last) != 0) {
			sb_addf(t, "\n  %-6s %s: %s\n", cell(f, row, "severity") ? cell(f, row, "severity") : "",
				check, cell(f, row, "count") ? cell(f, row, "count") : "?");
			shown = 0;
			last = check;
		}
		const char *user = cell(f, row, "user"), *role = cell(f, row, "role"),
			   *detail = cell(f, row, "detail");
		if (!user && !role && !detail)
			continue;
		/* "user (role): detail" */
		strbuf s = STRBUF_INIT;
		if (user)
			sb_add(&s, user);
		if (role)
			sb_addf(&s, user ? " (%s)" : "%s", role);
		if (detail)
			sb_addf(&s, "%s%s", user || role ? ": " : "", detail);
		sb_add(t, "      - ");
		wrap_rest(t, sb_str(&s), 8, 78);
		sb_free(&s);
		shown++;
	}
}

/* On the worker: the org screen's text from orgs show, members list, the
 * workspaces and projects, and the org's audit. */
static tc_status org_fn(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	org_ask *q = ctx;
	tc_result show, members, tree, findings;
	tc_status rc = run_words(s, (const char *const[]){"orgs", "show", q->slug, NULL}, &show, err);
	if (rc != TC_OK) {
		res_free(&show);
		return rc;
	}
	q->plan = field(&show, "plan") ? xstrdup(field(&show, "plan")) : NULL;
	q->name = field(&show, "name") ? xstrdup(field(&show, "name")) : NULL;
	char *limit = xasprintf("%d", MEMBER_ROWS);
	/* The other parts say why they are missing rather than hide the rest. */
	tc_error e1 = TC_ERROR_INIT, e2 = TC_ERROR_INIT, e3 = TC_ERROR_INIT;
	bool m_ok = run_words(s,
			      (const char *const[]){"members", "list", "--org", q->slug, "--limit",
						    limit, NULL},
			      &members, &e1) == TC_OK;
	bool t_ok = orgs_tree(s, q->slug, &tree, &e2) == TC_OK;
	bool f_ok = orgs_findings(s, q->slug, SAMPLES, &findings, &e3) == TC_OK;
	free(limit);
	res_init(out, RES_TEXT);
	strbuf *t = &out->text;
	org_record(t, &show);
	org_members(t, &show, &members, m_ok ? NULL : e1.message ? e1.message : "failed");
	org_tree(t, &show, &tree, t_ok ? NULL : e2.message ? e2.message : "failed");
	org_findings(t, q->slug, &findings, f_ok ? NULL : e3.message ? e3.message : "failed");
	tc_error_clear(&e1);
	tc_error_clear(&e2);
	tc_error_clear(&e3);
	res_free(&show);
	res_free(&members);
	res_free(&tree);
	res_free(&findings);
	return TC_OK;
}

static void open_org(tui_app *a, pane *p, const char *slug, int tag)
{
	org_ask *q = xcalloc(1, sizeof *q);
	q->slug = xstrdup(slug);
	app_submit_fn(a, p, tag, org_fn, q);
}

static void org_done(tui_app *a, pane *p, worker_job *j)
{
	org_ask *q = j->ctx;
	j->ctx = NULL;
	if (j->status == TC_OK) {
		set_str(&st.shown_slug, q->slug);
		set_str(&st.shown_plan, q->plan);
		set_str(&st.shown_name, q->name);
		screen *sc = find_screen(p, SC_ORG);
		if (j->tag == OP_ORG_RELOAD) {
			if (sc && sc->arg && !strcmp(sc->arg, q->slug)) {
				textview_free(sc->text);
				sc->text = textview_new(sb_str(&j->result.text));
			}
		} else {
			/* The Members pane follows the org the operator opened. */
			set_str(&a->selected_org, q->slug);
			char *title = xasprintf("Organization %s", q->slug);
			app_push_text(a, p, title, SC_ORG, q->slug, sb_str(&j->result.text));
			free(title);
		}
	}
	org_ask_free(q);
}

/* ------------------------------------------------------------ writes */

/* The org the keys act on: the org screen's, or the row under the cursor. */
static bool target(screen *top, const char **slug, const char **plan, const char **name)
{
	if (!top)
		return false;
	if (top->kind == SC_ORG && top->arg) {
		*slug = top->arg;
		bool same = st.shown_slug && !strcmp(st.shown_slug, top->arg);
		*plan = same ? st.shown_plan : NULL;
		*name = same ? st.shown_name : NULL;
		return true;
	}
	if (top->table && (top->kind == SC_LIST || top->kind == SC_SEARCH)) {
		*slug = cursor_cell(top, "slug");
		*plan = cursor_cell(top, "plan");
		*name = cursor_cell(top, "name");
		return *slug != NULL;
	}
	return false;
}

/* After a write to org slug (key: its key before, for a deleted one):
 * every view of it again. */
static void reload_after_write(tui_app *a, pane *p, const char *slug, const char *key)
{
	renew(a, p, slug, key);
	screen *sc = find_screen(p, SC_SEARCH);
	if (sc && sc->arg)
		search(a, p, sc->arg, OP_SEARCH_RELOAD);
	sc = find_screen(p, SC_ORG);
	if (sc && sc->arg && slug && !strcmp(sc->arg, slug))
		open_org(a, p, slug, OP_ORG_RELOAD);
	/* Members, findings and the header follow. */
	app_reload_others(a, p);
}

static char *trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

/* The summary of a write ends "...: organization SLUG" when it says which. */
static char *slug_from(const worker_job *j)
{
	const char *sum = j->result.summary;
	const char *at = sum ? strstr(sum, "organization ") : NULL;
	if (!at)
		return NULL;
	at += strlen("organization ");
	return xstrndup(at, strcspn(at, " ;,"));
}

static char *create_hint(const char *typed, void *ctx)
{
	(void)ctx;
	char *slug = orgs_slugify(typed);
	char *h;
	if (*slug)
		h = xasprintf("slug: %s  (a suffix -2, -3... is added if it is taken)", slug);
	else if (*typed)
		h = xstrdup("slug: none yet (a slug needs a Latin letter or a digit)");
	else
		h = xstrdup("slug: (made from the name as you type)");
	free(slug);
	return h;
}

static void create_answered(tui_app *a, pane *p, const char *answer, void *ctx)
{
	(void)ctx;
	char *name = trimmed(answer);
	if (!*name) {
		app_status(a, "nothing was created: an organization needs a name");
		free(name);
		return;
	}
	set_str(&st.ask_name, name);
	char *q = app_quote(name);
	char *line = xasprintf("orgs create -- %s", q);
	app_submit_line(a, p, OP_CREATE, line);
	free(line);
	free(q);
	free(name);
}

static void plan_answered(tui_app *a, pane *p, const char *answer, void *ctx)
{
	(void)ctx;
	char *plan = trimmed(answer);
	if (!*plan || !st.ask_slug) {
		app_status(a, "nothing was changed: no plan given");
		free(plan);
		return;
	}
	char *qs = app_quote(st.ask_slug), *qp = app_quote(plan);
	char *line = xasprintf("orgs set-plan -- %s %s", qs, qp);
	app_submit_line(a, p, OP_PLAN, line);
	free(line);
	free(qs);
	free(qp);
	free(plan);
}

static char *delete_hint(const char *typed, void *ctx)
{
	(void)typed;
	(void)ctx;
	return xasprintf("soft-deleting %s%s%s%s: type its slug to go on, Esc cancels",
			 st.ask_slug ? st.ask_slug : "?", st.ask_name ? " (" : "",
			 st.ask_name ? st.ask_name : "", st.ask_name ? ")" : "");
}

static void delete_answered(tui_app *a, pane *p, const char *answer, void *ctx)
{
	(void)ctx;
	char *typed = trimmed(answer);
	if (!st.ask_slug || strcmp(typed, st.ask_slug) != 0) {
		app_error(a, "nothing was deleted: '%s' is not the slug %s", typed,
			  st.ask_slug ? st.ask_slug : "");
		free(typed);
		return;
	}
	char *q = app_quote(st.ask_slug);
	char *line = xasprintf("orgs delete %s --confirm %s", q, q);
	app_submit_line(a, p, OP_DELETE, line);
	free(line);
	free(q);
	free(typed);
}

static void write_done(tui_app *a, pane *p, worker_job *j)
{
	if (j->status != TC_OK)
		return; /* declined or failed: the app said so; nothing changed */
	const char *sum = j->result.summary ? j->result.summary : "done";
	if (strstr(sum, "nothing to change")) {
		/* The core's own words: what is already so. */
		const char *text = sb_str(&j->result.text);
		char *first = xstrndup(text, strcspn(text, "\n"));
		app_status(a, "%s", *first ? first : sum);
		free(first);
		return;
	}
	char *slug = slug_from(j);
	switch (j->tag) {
	case OP_CREATE:
		if (!slug)
			slug = orgs_slugify(st.ask_name ? st.ask_name : "");
		app_status(a, "created organization %s (recorded in the operator audit log)", slug);
		reload_after_write(a, p, slug, NULL);
		break;
	case OP_PLAN:
		app_status(a, "changed the plan of %s (recorded in the operator audit log)",
			   st.ask_slug ? st.ask_slug : "");
		reload_after_write(a, p, st.ask_slug, NULL);
		break;
	case OP_DELETE: {
		app_status(a, "soft-deleted organization %s (recorded in the operator audit log)",
			   st.ask_slug ? st.ask_slug : "");
		/* Its screen shows what no longer is. */
		screen *top = app_top(p);
		while (top && top->kind == SC_ORG) {
			app_pop(a, p);
			top = app_top(p);
		}
		/* Where it was in the window, else where the window's cursor is. */
		if (st.ask_key)
			reload_after_write(a, p, NULL, st.ask_key);
		else
			reload_after_write(a, p, cursor_cell(root_of(p), "slug"), NULL);
		break;
	}
	default:
		break;
	}
	free(slug);
}

static bool write_key(tui_app *a, pane *p, screen *top, int k)
{
	const char *slug = NULL, *plan = NULL, *name = NULL;
	if (k == 'C') {
		if (app_require_write(a, "C creates an organization"))
			app_ask_hinted(a, p, "Name of the new organization: ", "", create_hint,
				       create_answered, NULL);
		return true;
	}
	const char *what = k == 'P' ? "P sets the plan" : "D soft-deletes an organization";
	if (!app_require_write(a, what))
		return true;
	if (!target(top, &slug, &plan, &name)) {
		app_error(a, "no organization under the cursor");
		return true;
	}
	set_str(&st.ask_slug, slug);
	set_str(&st.ask_name, name);
	set_str(&st.ask_key, window_key(p, slug));
	if (k == 'P') {
		char *label = xasprintf("Plan for %s: ", slug);
		app_ask(a, p, label, plan ? plan : "", plan_answered, NULL);
		free(label);
	} else {
		app_ask_hinted(a, p, "Type the slug to delete: ", "", delete_hint, delete_answered,
			       NULL);
	}
	return true;
}

/* ------------------------------------------------------------ the pane */

static void load(tui_app *a, pane *p)
{
	if (!a->hdr.writable)
		strcpy(hints, "Enter open  / filter  < > sort  C P D: --write to enable  ? help");
	/* The same place again (R, or after a `:` write), else the first page. */
	screen *root = root_of(p);
	const char *slug = cursor_cell(root, "slug");
	renew(a, p, slug, NULL);
	screen *sc = find_screen(p, SC_SEARCH);
	if (sc && sc->arg)
		search(a, p, sc->arg, OP_SEARCH_RELOAD);
	sc = find_screen(p, SC_ORG);
	if (sc && sc->arg)
		open_org(a, p, sc->arg, OP_ORG_RELOAD);
}

static void done(tui_app *a, pane *p, worker_job *j)
{
	switch (j->tag) {
	case OP_PAGE:
		page_done(a, p, j);
		break;
	case OP_ORG:
	case OP_ORG_RELOAD:
		org_done(a, p, j);
		break;
	case OP_SEARCH:
	case OP_SEARCH_RELOAD:
		search_done(a, p, j);
		break;
	case OP_CREATE:
	case OP_PLAN:
	case OP_DELETE:
		write_done(a, p, j);
		break;
	default:
		break;
	}
}

static bool key(tui_app *a, pane *p, screen *top, int k)
{
	if (k == APP_KEY_SORTED) {
		if (top && top->kind == SC_LIST)
			sorted(a, p, top);
		return true;
	}
	if (k == APP_KEY_FILTERED) {
		if (top && top->kind == SC_LIST)
			filtered(a, p, top);
		return true;
	}
	if (k == '\n' || k == '\r' || k == KEY_ENTER) {
		const char *slug = top && top->kind != SC_ORG ? cursor_cell(top, "slug") : NULL;
		if (slug)
			open_org(a, p, slug, OP_ORG);
		return true;
	}
	if (k == 'C' || k == 'P' || k == 'D')
		return write_key(a, p, top, k);
	return false;
}

static void forget(pane *p)
{
	(void)p;
	free(st.ask_slug);
	free(st.ask_name);
	free(st.ask_key);
	free(st.shown_slug);
	free(st.shown_plan);
	free(st.shown_name);
	memset(&st, 0, sizeof st);
}

const pane_ops orgpane_ops = {
	"Orgs", hints, load, key, done, NULL, page, NULL, forget,
};
