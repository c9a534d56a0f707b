/* The Members pane: the memberships of the selected org, or of every org,
 * with their flags, filtered by role, scope or flag (keyset pages from
 * `members list`); the audit (a: the checks, Enter: a check's rows, o: the
 * row's org in the Orgs pane); and staged changes: A adds, D removes, E
 * changes the role of the marked rows (Space) or the current one. Each is
 * checked by the core in a dry run before it is staged; W shows every
 * staged change as the rows and SQL it touches, asks (default No), and
 * applies them in one transaction with one audit-log row each. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "audit.h"
#include "frame.h"
#include "members.h"
#include "profile.h"
#include "session.h"
#include "strbuf.h"
#include "xalloc.h"

/* Rows per page of the listing; the offending rows of a check shown. */
enum { PAGE_ROWS = 200, CHECK_ROWS = 1000 };

/* Job tags. A listing's tag also carries its direction and the generation
 * of the query it belongs to, so a page of an older query is dropped. */
enum { MP_LIST = 1, MP_AUDIT, MP_AUDIT_VIEW, MP_ROWS, MP_CHECK, MP_APPLY, MP_ROLES };
enum { LD_RELOAD, LD_FIRST, LD_AFTER, LD_BEFORE, LD_LAST };
#define LIST_TAG(dir, gen) (MP_LIST | ((dir) << 4) | ((int)((gen)&0xffffu) << 8))

enum { SC_LIST = 1, SC_AUDIT, SC_ROWS, SC_STAGED, SC_DETAIL, SC_REFUSED };

/* One staged change. */
typedef struct staged {
	members_op op;
	char *org, *email;
	char *role;  /* the new role (add, set-role) */
	char *scope; /* NULL: org */
	char *in;    /* the workspace or project id; NULL at org scope */
	char *where; /* as the operator reads it: "org acme", "workspace Platform" */
	char *row;   /* the listing row's key it came from; NULL for an add */
} staged;

typedef struct mp_state {
	char *org;      /* the org shown; NULL: every org */
	char *followed; /* a->selected_org when it was last followed */
	char *role, *scope, *flag; /* the listing's filters; NULL: none */
	unsigned gen;
	bool table_all; /* the root table is set up for every org (org column) */
	staged *st;
	size_t nst;
	tc_result audit; /* the last audit of every org */
	bool have_audit;
	char **roles; /* the profile's known roles */
	size_t nroles;
	char *default_role;
	staged draft;   /* A's answers so far */
	char *unsaved;  /* the quit warning this pane set */
} mp_state;

static mp_state *state(pane *p)
{
	if (!p->data) {
		mp_state *ms = xcalloc(1, sizeof *ms);
		res_init(&ms->audit, RES_EMPTY);
		p->data = ms;
	}
	return p->data;
}

static void set_str(char **dst, const char *v)
{
	char *copy = v ? xstrdup(v) : NULL;
	free(*dst);
	*dst = copy;
}

static bool same_str(const char *x, const char *y)
{
	return x && y ? strcmp(x, y) == 0 : x == y;
}

static size_t col_of(const tc_result *r, const char *name)
{
	for (size_t c = 0; c < r->ncols; c++)
		if (strcmp(r->cols[c].name, name) == 0)
			return c;
	return (size_t)-1;
}

static const char *cell_of(const tc_result *r, size_t row, const char *name)
{
	size_t c = col_of(r, name);
	return c == (size_t)-1 ? NULL : res_get(r, row, c);
}

static void res_copy(const tc_result *src, tc_result *dst)
{
	res_init(dst, src->kind);
	for (size_t c = 0; c < src->ncols; c++) {
		if (src->cols[c].detail)
			res_add_detail_col(dst, src->cols[c].name, src->cols[c].type);
		else
			res_add_col(dst, src->cols[c].name, src->cols[c].type);
	}
	for (size_t r = 0; r < src->nrows; r++) {
		size_t row = res_add_row(dst);
		for (size_t c = 0; c < src->ncols; c++)
			res_set(dst, row, c, res_get(src, r, c));
	}
	sb_add(&dst->text, sb_str(&src->text));
	if (src->summary)
		res_set_summary(dst, "%s", src->summary);
}

static void staged_free(staged *s)
{
	free(s->org);
	free(s->email);
	free(s->role);
	free(s->scope);
	free(s->in);
	free(s->where);
	free(s->row);
	memset(s, 0, sizeof *s);
}

static staged staged_copy(const staged *s)
{
	staged c = {s->op, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	set_str(&c.org, s->org);
	set_str(&c.email, s->email);
	set_str(&c.role, s->role);
	set_str(&c.scope, s->scope);
	set_str(&c.in, s->in);
	set_str(&c.where, s->where);
	set_str(&c.row, s->row);
	return c;
}

static bool staged_same(const staged *x, const staged *y)
{
	return x->op == y->op && same_str(x->org, y->org) && same_str(x->email, y->email) &&
	       same_str(x->role, y->role) && same_str(x->scope, y->scope) && same_str(x->in, y->in);
}

/* "remove carol@acme.example from org acme" */
static char *staged_text(const staged *s)
{
	switch (s->op) {
	case MEMBERS_ADD:
		return xasprintf("add %s to %s as %s", s->email, s->where, s->role);
	case MEMBERS_SET_ROLE:
		return xasprintf("make %s %s in %s", s->email, s->role, s->where);
	case MEMBERS_REMOVE:
	default:
		return xasprintf("remove %s from %s", s->email, s->where);
	}
}

static screen *root_list(pane *p)
{
	return p->depth > 0 && p->stack[0]->kind == SC_LIST && p->stack[0]->table ? p->stack[0]
										  : NULL;
}

/* Lines longer than width broken at spaces (a text view does not wrap);
 * the pieces keep the line's indent. Caller frees. */
static char *wrap_text(const char *text, int width)
{
	if (width < 20)
		width = 20;
	strbuf sb = STRBUF_INIT;
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		size_t indent = strspn(line, " ");
		const char *s = line;
		size_t left = len;
		bool first = true;
		while (left > 0) {
			size_t room = (size_t)width - (first ? 0 : indent);
			size_t take = left;
			if (left > room) {
				take = room;
				while (take > indent + 1 && s[take] != ' ')
					take--;
				if (take <= indent + 1)
					take = room; /* one long word: cut it */
			}
			if (!first)
				sb_addf(&sb, "%*s", (int)indent, "");
			sb_addn(&sb, s, take);
			sb_addc(&sb, '\n');
			s += take;
			left -= take;
			while (left > 0 && *s == ' ') {
				s++;
				left--;
			}
			first = false;
		}
		if (len == 0)
			sb_addc(&sb, '\n');
		line += len + (line[len] == '\n');
	}
	return sb_steal(&sb);
}

/* ------------------------------------------------------------ the listing */

/* "3h", "12d", "2y": how long ago an ISO 8601 UTC time was. */
static char *age_of(const char *iso, time_t now)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!iso || sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return NULL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	double secs = difftime(now, timegm(&tm));
	if (secs < 60)
		return xstrdup("now");
	if (secs < 3600)
		return xasprintf("%.0fm", secs / 60);
	if (secs < 86400 - 1800)
		return xasprintf("%.0fh", secs / 3600);
	double days = secs / 86400;
	if (days < 999.5)
		return xasprintf("%.0fd", days);
	return xasprintf("%.0fy", days / 365.25);
}

/* What the staged changes do to the row with this key ("remove", "→ admin"). */
static void row_staged(const mp_state *ms, const char *key, strbuf *out)
{
	for (size_t i = 0; key && i < ms->nst; i++) {
		const staged *s = &ms->st[i];
		if (!s->row || strcmp(s->row, key) != 0)
			continue;
		if (out->len)
			sb_add(out, ", ");
		if (s->op == MEMBERS_REMOVE)
			sb_add(out, "remove");
		else
			sb_addf(out, "→ %s", s->role);
	}
}

/* The columns the pane shows, from rows [from, from+n) of a page of
 * `members list`: ages instead of times (the times stay, hidden, for the
 * detail), the scope with its workspace or project, and what is staged. */
static void decorate(const mp_state *ms, const tc_result *src, size_t from, size_t n,
		     tc_result *out)
{
	res_init(out, RES_TABLE);
	bool with_staged = ms->nst > 0;
	if (with_staged)
		res_add_col(out, "staged", RES_T_TEXT);
	static const char *const names[] = {"org",  "email", "role", "scope",	  "flags",
					    "joined", "seen", "in",   "joined_at", "seen_at"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		res_add_col(out, names[i], RES_T_TEXT);
	res_add_detail_col(out, "key", RES_T_TEXT);
	time_t now = time(NULL);
	size_t base = with_staged ? 1 : 0;
	for (size_t r = from; r < from + n && r < src->nrows; r++) {
		size_t row = res_add_row(out);
		const char *key = cell_of(src, r, "key");
		if (with_staged) {
			strbuf sb = STRBUF_INIT;
			row_staged(ms, key, &sb);
			res_set(out, row, 0, sb_str(&sb));
			sb_free(&sb);
		}
		const char *role = cell_of(src, r, "role");
		const char *kind = cell_of(src, r, "scope");
		const char *obj = cell_of(src, r, "object");
		const char *joined = cell_of(src, r, "joined");
		const char *seen = cell_of(src, r, "last_seen");
		res_set(out, row, base + 0, cell_of(src, r, "org"));
		res_set(out, row, base + 1, cell_of(src, r, "email"));
		res_set(out, row, base + 2, role ? role : "(none)");
		res_set(out, row, base + 3, kind);
		res_set(out, row, base + 4, cell_of(src, r, "flags"));
		char *ja = age_of(joined, now), *sa = age_of(seen, now);
		res_set(out, row, base + 5, ja);
		res_set(out, row, base + 6, sa);
		free(ja);
		free(sa);
		/* The workspace or project; the org's is the org itself. */
		res_set(out, row, base + 7, kind && strcmp(kind, "org") != 0 ? obj : "");
		res_set(out, row, base + 8, joined);
		res_set(out, row, base + 9, seen);
		res_set(out, row, base + 10, key);
	}
}

/* The window's rows again with the staged column as the staged list says. */
static void restage(mp_state *ms, screen *root)
{
	const tc_result *cur = tview_result(root->table);
	if (cur->kind != RES_TABLE)
		return;
	tc_result out;
	res_init(&out, RES_TABLE);
	bool with_staged = ms->nst > 0;
	if (with_staged)
		res_add_col(&out, "staged", RES_T_TEXT);
	for (size_t c = 0; c < cur->ncols; c++) {
		if (!strcmp(cur->cols[c].name, "staged"))
			continue;
		if (cur->cols[c].detail)
			res_add_detail_col(&out, cur->cols[c].name, cur->cols[c].type);
		else
			res_add_col(&out, cur->cols[c].name, cur->cols[c].type);
	}
	for (size_t r = 0; r < cur->nrows; r++) {
		size_t row = res_add_row(&out);
		size_t oc = 0;
		if (with_staged) {
			strbuf sb = STRBUF_INIT;
			row_staged(ms, cell_of(cur, r, "key"), &sb);
			res_set(&out, row, oc++, sb_str(&sb));
			sb_free(&sb);
		}
		for (size_t c = 0; c < cur->ncols; c++)
			if (strcmp(cur->cols[c].name, "staged") != 0)
				res_set(&out, row, oc++, res_get(cur, r, c));
	}
	bool before, after;
	tview_get_more(root->table, &before, &after);
	tview_set_result(root->table, &out);
	tview_set_more(root->table, before, after);
	res_free(&out);
}

static bool flag_is_bad(const char *flags)
{
	return flags && (strstr(flags, "deleted-user") || strstr(flags, "missing-user") ||
			 strstr(flags, "outside-allowlist"));
}

static tview_style member_style(const tc_result *r, size_t row, void *ctx)
{
	(void)ctx;
	const char *flags = cell_of(r, row, "flags");
	if (flag_is_bad(flags))
		return TVS_BAD;
	if (flags && *flags)
		return TVS_WARN;
	return TVS_NORMAL;
}

static char *list_title(const mp_state *ms)
{
	strbuf sb = STRBUF_INIT;
	if (ms->org)
		sb_addf(&sb, "Members of %s", ms->org);
	else
		sb_add(&sb, "Members of all orgs");
	if (ms->role || ms->scope || ms->flag) {
		sb_add(&sb, " [");
		bool sp = false;
		if (ms->role) {
			sb_addf(&sb, "role=%s", ms->role);
			sp = true;
		}
		if (ms->scope) {
			sb_addf(&sb, "%sscope=%s", sp ? " " : "", ms->scope);
			sp = true;
		}
		if (ms->flag)
			sb_addf(&sb, "%sflag=%s", sp ? " " : "", ms->flag);
		sb_add(&sb, "]");
	}
	if (ms->nst)
		sb_addf(&sb, "  %zu staged: S lists, W applies", ms->nst);
	return sb_steal(&sb);
}

static char *empty_text(const mp_state *ms)
{
	if (ms->role || ms->scope || ms->flag)
		return xstrdup("No membership matches the filters (f, s and r change them; "
			       ":members clear drops them).");
	if (ms->org)
		return xasprintf("Org %s has no live members (A stages adding one).", ms->org);
	return xstrdup("No memberships.");
}

static void refresh_title(tui_app *a, pane *p)
{
	mp_state *ms = state(p);
	screen *root = root_list(p);
	if (root) {
		free(root->title);
		root->title = list_title(ms);
		free(root->empty);
		root->empty = empty_text(ms);
	}
	/* Staged changes are work quitting would lose. */
	if (ms->nst) {
		char *w = xasprintf("%zu staged member change%s not applied: W applies them, Q "
				    "quits without",
				    ms->nst, ms->nst == 1 ? "" : "s");
		if (!a->unsaved || same_str(a->unsaved, ms->unsaved)) {
			app_set_unsaved(a, w);
			set_str(&ms->unsaved, w);
		}
		free(w);
	} else if (ms->unsaved) {
		if (same_str(a->unsaved, ms->unsaved))
			app_set_unsaved(a, NULL);
		set_str(&ms->unsaved, NULL);
	}
}

static void setup_table(tview *v, bool all)
{
	tview_set_key_col(v, "key");
	tview_set_style(v, member_style, NULL);
	tview_hide_col(v, "joined_at");
	tview_hide_col(v, "seen_at");
	if (!all)
		tview_hide_col(v, "org");
}

static void submit_list(tui_app *a, pane *p, int dir, const char *key)
{
	mp_state *ms = state(p);
	char limit[16];
	snprintf(limit, sizeof limit, "%d", PAGE_ROWS + 1);
	const char *argv[20];
	int n = 0;
	argv[n++] = "members";
	argv[n++] = "list";
	argv[n++] = "--limit";
	argv[n++] = limit;
	if (ms->org) {
		argv[n++] = "--org";
		argv[n++] = ms->org;
	}
	if (ms->role) {
		argv[n++] = "--role";
		argv[n++] = ms->role;
	}
	if (ms->scope) {
		argv[n++] = "--scope";
		argv[n++] = ms->scope;
	}
	if (ms->flag) {
		argv[n++] = "--flag";
		argv[n++] = ms->flag;
	}
	if (dir == LD_AFTER && key) {
		argv[n++] = "--after";
		argv[n++] = key;
	} else if (dir == LD_BEFORE && key) {
		argv[n++] = "--before";
		argv[n++] = key;
	} else if (dir == LD_LAST) {
		argv[n++] = "--last";
	}
	argv[n] = NULL;
	app_submit_argv(a, p, LIST_TAG(dir, ms->gen), argv);
}

/* The query changed (org, filters): a new generation from its first page. */
static void requery(tui_app *a, pane *p)
{
	mp_state *ms = state(p);
	ms->gen++;
	submit_list(a, p, LD_FIRST, NULL);
	refresh_title(a, p);
}

static void list_done(tui_app *a, pane *p, worker_job *j)
{
	mp_state *ms = state(p);
	int dir = (j->tag >> 4) & 0xf;
	unsigned gen = (unsigned)j->tag >> 8;
	if (gen != (ms->gen & 0xffffu))
		return; /* a page of a query since replaced */
	screen *root = root_list(p);
	if (j->status != TC_OK) {
		if (root) {
			bool b, af;
			tview_get_more(root->table, &b, &af);
			tview_set_more(root->table, b, af); /* may ask again */
		}
		return;
	}
	const tc_result *r = &j->result;
	bool back = dir == LD_BEFORE || dir == LD_LAST;
	bool more = r->nrows > PAGE_ROWS;
	size_t n = more ? PAGE_ROWS : r->nrows;
	tc_result page;
	decorate(ms, r, more && back ? 1 : 0, n, &page);
	app_add_words(a, APP_WORDS_EMAIL, &page, "email");
	app_add_words(a, APP_WORDS_ORG, &page, "org");
	bool all = ms->org == NULL;
	if (!root) {
		/* The first listing: the pane's root screen. */
		while (p->depth > 0)
			app_pop(a, p);
		char *title = list_title(ms);
		root = app_push_table(a, p, title, SC_LIST, NULL, &page);
		free(title);
		setup_table(root->table, all);
		ms->table_all = all;
		tview_set_more(root->table, false, more && !back);
		if (back)
			tview_set_more(root->table, more, false);
	} else {
		if (ms->table_all != all) {
			/* The org column comes or goes with every org / one org. */
			tview_free(root->table);
			root->table = tview_new();
			setup_table(root->table, all);
			ms->table_all = all;
			if (dir == LD_RELOAD)
				dir = LD_FIRST;
		}
		tview *v = root->table;
		bool b, af;
		switch (dir) {
		case LD_RELOAD:
			tview_set_result(v, &page);
			tview_set_more(v, false, more);
			break;
		case LD_AFTER:
			tview_append(v, &page);
			tview_get_more(v, &b, NULL);
			tview_set_more(v, b, more);
			break;
		case LD_BEFORE:
			tview_prepend(v, &page);
			tview_get_more(v, NULL, &af);
			tview_set_more(v, more, af);
			break;
		case LD_LAST:
			tview_set_window(v, &page, true);
			tview_set_more(v, more, false);
			break;
		case LD_FIRST:
		default:
			tview_set_window(v, &page, false);
			tview_set_more(v, false, more);
			break;
		}
	}
	res_free(&page);
	refresh_title(a, p);
}

static void page(tui_app *a, pane *p, screen *top, tview_need need)
{
	if (!top || top->kind != SC_LIST)
		return;
	switch (need) {
	case TVN_AFTER:
		submit_list(a, p, LD_AFTER, tview_last_key(top->table));
		break;
	case TVN_BEFORE:
		submit_list(a, p, LD_BEFORE, tview_first_key(top->table));
		break;
	case TVN_FIRST:
		submit_list(a, p, LD_FIRST, NULL);
		break;
	case TVN_LAST:
		submit_list(a, p, LD_LAST, NULL);
		break;
	case TVN_NONE:
	default:
		return;
	}
	tview_need_sent(top->table);
}

/* ------------------------------------------------------------ the org */

/* The Orgs pane selected another org since we last looked: show it. */
static void follow_selection(tui_app *a, pane *p)
{
	mp_state *ms = state(p);
	if (same_str(a->selected_org, ms->followed))
		return;
	set_str(&ms->followed, a->selected_org);
	if (!a->selected_org || same_str(ms->org, a->selected_org))
		return;
	set_str(&ms->org, a->selected_org);
	if (p->loaded)
		requery(a, p);
}

/* Open org slug in the Orgs pane: it becomes the selected org, and the
 * Orgs list's cursor goes to it when the list has it loaded. */
static void jump_to_org(tui_app *a, const char *slug)
{
	if (!slug || !*slug) {
		app_error(a, "this row names no organization");
		return;
	}
	orgpane_show_org(a, slug);
}

/* ------------------------------------------------------------ the audit */

static const struct {
	const char *name, *symbol;
} severities[] = {{"high", "✗"}, {"medium", "!"}, {"low", "·"}};

static const char *sev_symbol(const char *sev)
{
	for (size_t i = 0; i < sizeof severities / sizeof severities[0]; i++)
		if (sev && !strcmp(sev, severities[i].name))
			return severities[i].symbol;
	return "?";
}

/* The checks as the audit screen shows them: a symbol with the severity
 * (meaning without colour), the count or "-", and why a check does not
 * apply. */
static void audit_table(const tc_result *src, tc_result *out)
{
	res_init(out, RES_TABLE);
	res_add_col(out, "check", RES_T_TEXT);
	res_add_col(out, "severity", RES_T_TEXT);
	res_add_col(out, "count", RES_T_INT);
	res_add_col(out, "note", RES_T_TEXT);
	res_add_col(out, "explanation", RES_T_TEXT);
	res_add_col(out, "fix", RES_T_TEXT);
	res_add_col(out, "sev", RES_T_TEXT);
	for (size_t r = 0; r < src->nrows; r++) {
		size_t row = res_add_row(out);
		const char *id = cell_of(src, r, "id"), *sev = cell_of(src, r, "severity");
		const char *count = cell_of(src, r, "count");
		const char *expl = cell_of(src, r, "explanation");
		const char *fix = cell_of(src, r, "fix");
		bool applicable = same_str(cell_of(src, r, "applicable"), "true");
		res_set(out, row, 0, id);
		res_setf(out, row, 1, "%s %s", sev_symbol(sev), sev ? sev : "?");
		res_set(out, row, 2, applicable ? count : "-");
		if (!applicable) {
			const char *why = expl ? expl : "";
			if (!strncmp(why, "not applicable: ", 16))
				why += 16;
			res_setf(out, row, 3, "n/a: %s", why);
		} else if (fix && *fix && count && strcmp(count, "0") != 0) {
			res_set(out, row, 3, "fixable: audit fix");
		} else {
			res_set(out, row, 3, "");
		}
		res_set(out, row, 4, expl);
		res_set(out, row, 5, fix);
		res_set(out, row, 6, sev);
	}
	if (src->summary)
		res_set_summary(out, "%s", src->summary);
}

static tview_style audit_style(const tc_result *r, size_t row, void *ctx)
{
	(void)ctx;
	const char *count = cell_of(r, row, "count"), *sev = cell_of(r, row, "sev");
	if (!count || !strcmp(count, "-"))
		return TVS_DIM;
	if (!strcmp(count, "0"))
		return TVS_GOOD;
	if (same_str(sev, "high"))
		return TVS_BAD;
	if (same_str(sev, "medium"))
		return TVS_WARN;
	return TVS_NORMAL;
}

static long audit_total(const tc_result *r)
{
	long total = 0;
	for (size_t row = 0; row < r->nrows; row++)
		if (same_str(cell_of(r, row, "applicable"), "true")) {
			const char *c = cell_of(r, row, "count");
			total += c ? atol(c) : 0;
		}
	return total;
}

/* "Audit of acme: 3 findings (1 high) in 16 checks; 1 n/a" */
static char *audit_title(const tc_result *r, const char *org)
{
	long total = 0, high = 0;
	size_t ran = 0, na = 0;
	for (size_t row = 0; row < r->nrows; row++) {
		if (!same_str(cell_of(r, row, "applicable"), "true")) {
			na++;
			continue;
		}
		const char *c = cell_of(r, row, "count");
		long n = c ? atol(c) : 0;
		ran++;
		total += n;
		if (same_str(cell_of(r, row, "severity"), "high"))
			high += n;
	}
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "Audit of %s: %ld finding%s (%ld high) in %zu check%s", org ? org : "all orgs",
		total, total == 1 ? "" : "s", high, ran, ran == 1 ? "" : "s");
	if (na)
		sb_addf(&sb, "; %zu n/a", na);
	return sb_steal(&sb);
}

static void push_audit(tui_app *a, pane *p, const tc_result *src, const char *org)
{
	tc_result t;
	audit_table(src, &t);
	char *title = audit_title(src, org);
	screen *sc = app_push_table(a, p, title, SC_AUDIT, org, &t);
	free(title);
	tview_set_key_col(sc->table, "check");
	tview_hide_col(sc->table, "explanation");
	tview_hide_col(sc->table, "fix");
	tview_hide_col(sc->table, "sev");
	tview_set_style(sc->table, audit_style, NULL);
	sc->empty = xstrdup("No checks ran.");
	res_free(&t);
	app_status(a, "Enter lists a check's rows; o on a row opens its org");
}

static void open_audit(tui_app *a, pane *p)
{
	mp_state *ms = state(p);
	if (!ms->org && ms->have_audit) {
		push_audit(a, p, &ms->audit, NULL);
		return;
	}
	const char *argv[] = {"audit", "--samples", "0", ms->org ? "--org" : NULL, ms->org, NULL};
	app_submit_argv(a, p, MP_AUDIT_VIEW, argv);
	app_status(a, "auditing %s…", ms->org ? ms->org : "every org");
}

typedef struct rows_ask {
	char *check, *org;
} rows_ask;

static tc_status rows_job(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	rows_ask *q = ctx;
	return audit_rows(s, q->check, q->org, CHECK_ROWS, out, err);
}

static void open_rows(tui_app *a, pane *p, screen *sc)
{
	size_t row = tview_cursor_row(sc->table);
	if (row == (size_t)-1)
		return;
	const char *count = tview_cell(sc->table, row, "count");
	const char *id = tview_cell(sc->table, row, "check");
	if (same_str(count, "-")) {
		/* Not applicable: why, in full, instead of rows. */
		char *text = xasprintf("%s (%s) is not applicable to this deployment:\n\n%s\n\nMap what "
				       "it needs in the tenancy profile (or set the policy) and it "
				       "runs.\n",
				       id, tview_cell(sc->table, row, "sev"),
				       tview_cell(sc->table, row, "note") + 5);
		char *wrapped = wrap_text(text, COLS - 1);
		app_push_text(a, p, id, SC_DETAIL, NULL, wrapped);
		free(wrapped);
		free(text);
		return;
	}
	rows_ask *q = xcalloc(1, sizeof *q);
	q->check = xstrdup(id);
	q->org = sc->arg ? xstrdup(sc->arg) : NULL;
	app_submit_fn(a, p, MP_ROWS, rows_job, q);
}

static void rows_done(tui_app *a, pane *p, worker_job *j)
{
	rows_ask *q = j->ctx;
	if (j->status == TC_OK) {
		char *title = xasprintf("%s%s%s", j->result.summary ? j->result.summary : q->check,
					q->org ? " in " : "", q->org ? q->org : "");
		screen *sc = app_push_table(a, p, title, SC_ROWS, q->check, &j->result);
		free(title);
		sc->empty = xstrdup("No findings: the check passes.");
		app_status(a, "Enter explains a row; o opens its org in the Orgs pane");
	}
	free(q->check);
	free(q->org);
	free(q);
}

/* The explanation of check id, from the audit screen below. */
static const char *check_field(pane *p, const char *id, const char *field)
{
	for (int i = p->depth - 1; i >= 0; i--) {
		screen *sc = p->stack[i];
		if (sc->kind != SC_AUDIT || !sc->table)
			continue;
		const tc_result *r = tview_result(sc->table);
		for (size_t row = 0; row < r->nrows; row++)
			if (same_str(cell_of(r, row, "check"), id))
				return cell_of(r, row, field);
	}
	return NULL;
}

static void open_finding(tui_app *a, pane *p, screen *sc)
{
	size_t row = tview_cursor_row(sc->table);
	if (row == (size_t)-1)
		return;
	strbuf sb = STRBUF_INIT;
	const char *expl = check_field(p, sc->arg, "explanation");
	const char *fix = check_field(p, sc->arg, "fix");
	const char *sev = check_field(p, sc->arg, "sev");
	sb_addf(&sb, "check:    %s (%s)\n", sc->arg, sev ? sev : "?");
	static const char *const cols[] = {"org", "user", "role", "detail"};
	for (size_t i = 0; i < 4; i++) {
		const char *v = tview_cell(sc->table, row, cols[i]);
		sb_addf(&sb, "%s:%*s%s\n", cols[i], (int)(9 - strlen(cols[i])), "", v ? v : "-");
	}
	if (expl)
		sb_addf(&sb, "\n%s\n", expl);
	if (fix && *fix)
		sb_addf(&sb, "\nA safe fix: %s (a dry run unless --apply)\n", fix);
	sb_add(&sb, "\no opens the org in the Orgs pane; Esc goes back.\n");
	char *wrapped = wrap_text(sb_str(&sb), COLS - 1);
	app_push_text(a, p, sc->arg, SC_DETAIL, tview_cell(sc->table, row, "org"), wrapped);
	free(wrapped);
	sb_free(&sb);
}

static void audit_done(tui_app *a, pane *p, worker_job *j)
{
	mp_state *ms = state(p);
	if (j->status != TC_OK && j->status != TC_FINDINGS)
		return;
	res_free(&ms->audit);
	res_copy(&j->result, &ms->audit);
	ms->have_audit = true;
	a->hdr.findings = audit_total(&j->result);
	/* An open audit of every org shows the new counts. */
	for (int i = 0; i < p->depth; i++) {
		screen *sc = p->stack[i];
		if (sc->kind == SC_AUDIT && !sc->arg && sc->table) {
			tc_result t;
			audit_table(&j->result, &t);
			tview_set_result(sc->table, &t);
			res_free(&t);
			free(sc->title);
			sc->title = audit_title(&j->result, NULL);
		}
	}
}

/* ------------------------------------------------------------ details */

static const struct {
	const char *flag, *meaning;
} flag_meanings[] = {
	{"missing-user", "the membership's user row does not exist"},
	{"deleted-user", "the user is soft-deleted, the membership is still live"},
	{"not-org-member", "a member here but not a live member of the org"},
	{"deleted-org", "the organization is soft-deleted"},
	{"deleted-workspace", "the workspace is soft-deleted"},
	{"deleted-project", "the project is soft-deleted"},
	{"unknown-role", "the role is empty or not one of the profile's known roles"},
	{"outside-allowlist", "an owner or admin outside the owner email allowlist (or in a "
			      "blocked domain)"},
};

static void open_member(tui_app *a, pane *p, screen *sc)
{
	mp_state *ms = state(p);
	size_t row = tview_cursor_row(sc->table);
	if (row == (size_t)-1)
		return;
	const tview *v = sc->table;
	const char *email = tview_cell(v, row, "email"), *flags = tview_cell(v, row, "flags");
	const char *kind = tview_cell(v, row, "scope"), *obj = tview_cell(v, row, "in");
	const char *joined = tview_cell(v, row, "joined_at"), *seen = tview_cell(v, row, "seen_at");
	strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "email:     %s\n", email ? email : "(no user row)");
	sb_addf(&sb, "org:       %s\n", tview_cell(v, row, "org"));
	if (kind && strcmp(kind, "org") != 0)
		sb_addf(&sb, "scope:     %s %s\n", kind, obj ? obj : "?");
	else
		sb_add(&sb, "scope:     org\n");
	sb_addf(&sb, "role:      %s\n", tview_cell(v, row, "role"));
	sb_addf(&sb, "joined:    %s (%s ago)\n", joined ? joined : "-",
		tview_cell(v, row, "joined") ? tview_cell(v, row, "joined") : "-");
	sb_addf(&sb, "last seen: %s (%s ago)\n", seen ? seen : "-",
		tview_cell(v, row, "seen") ? tview_cell(v, row, "seen") : "-");
	if (!flags || !*flags) {
		sb_add(&sb, "flags:     none\n");
	} else {
		sb_add(&sb, "flags:\n");
		for (size_t i = 0; i < sizeof flag_meanings / sizeof flag_meanings[0]; i++)
			if (strstr(flags, flag_meanings[i].flag))
				sb_addf(&sb, "  %-18s %s\n", flag_meanings[i].flag,
					flag_meanings[i].meaning);
	}
	strbuf st = STRBUF_INIT;
	row_staged(ms, tview_cell(v, row, "key"), &st);
	if (st.len)
		sb_addf(&sb, "staged:    %s (W applies, S lists)\n", sb_str(&st));
	sb_free(&st);
	sb_add(&sb, "\nD stages removing the member, E a role change; o shows only this org or "
		    "every org; Esc goes back.\n");
	char *wrapped = wrap_text(sb_str(&sb), COLS - 1);
	app_push_text(a, p, email ? email : "member", SC_DETAIL, tview_cell(v, row, "org"),
		      wrapped);
	free(wrapped);
	sb_free(&sb);
}

/* ------------------------------------------------------------ staging */

/* A batch of changes to check (dry run) or apply, owned by the job. */
typedef struct batch_job {
	staged *v;
	size_t n;
	size_t nold; /* the first nold are the staged ones; the rest are new */
	size_t failed;
	bool dry_run;
} batch_job;

static tc_status batch_run(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	batch_job *b = ctx;
	members_change *ch = xcalloc(b->n ? b->n : 1, sizeof *ch);
	for (size_t i = 0; i < b->n; i++) {
		const staged *st = &b->v[i];
		ch[i] = (members_change){st->op, st->org, st->email, st->role, st->scope, st->in};
	}
	tc_status rc = members_apply_batch(s, ch, b->n, b->dry_run, &b->failed, out, err);
	free(ch);
	return rc;
}

static void batch_free(batch_job *b)
{
	for (size_t i = 0; i < b->n; i++)
		staged_free(&b->v[i]);
	free(b->v);
	free(b);
}

/* Check the staged changes with the new ones in a dry run; they are staged
 * when the core accepts all of them together. new_v is taken over. */
static void stage_check(tui_app *a, pane *p, staged *new_v, size_t n_new)
{
	mp_state *ms = state(p);
	batch_job *b = xcalloc(1, sizeof *b);
	b->v = xcalloc(ms->nst + n_new + 1, sizeof *b->v);
	for (size_t i = 0; i < ms->nst; i++)
		b->v[b->n++] = staged_copy(&ms->st[i]);
	b->nold = b->n;
	for (size_t i = 0; i < n_new; i++) {
		/* The same change twice is staged once. */
		bool dup = false;
		for (size_t k = 0; k < b->n && !dup; k++)
			dup = staged_same(&b->v[k], &new_v[i]);
		if (dup)
			staged_free(&new_v[i]);
		else
			b->v[b->n++] = new_v[i];
	}
	free(new_v);
	if (b->n == b->nold) {
		app_status(a, "already staged (S lists the staged changes)");
		batch_free(b);
		return;
	}
	b->dry_run = true;
	app_submit_fn(a, p, MP_CHECK, batch_run, b);
	app_status(a, "checking…");
}

static void refused_screen(tui_app *a, pane *p, const char *title, const char *intro,
			   const worker_job *j)
{
	char *text = xasprintf("%s\n\n%s\n%s%s%s", intro, j->error ? j->error : "refused",
			       j->hint ? "\n" : "", j->hint ? j->hint : "", j->hint ? "\n" : "");
	char *wrapped = wrap_text(text, COLS - 1);
	app_push_text(a, p, title, SC_REFUSED, NULL, wrapped);
	free(wrapped);
	free(text);
}

static void check_done(tui_app *a, pane *p, worker_job *j)
{
	mp_state *ms = state(p);
	batch_job *b = j->ctx;
	if (j->status != TC_OK) {
		if (!j->cancelled) {
			char *intro;
			if (b->failed < b->nold) {
				char *what = staged_text(&b->v[b->failed]);
				intro = xasprintf("Nothing new was staged: the staged change %zu (%s) "
						  "no longer applies. S lists the staged changes; x "
						  "drops one.",
						  b->failed + 1, what);
				free(what);
			} else if (b->failed < b->n) {
				char *what = staged_text(&b->v[b->failed]);
				intro = xasprintf("Not staged: %s. Nothing was staged; the reason:",
						  what);
				free(what);
			} else {
				intro = xstrdup("Nothing was staged.");
			}
			refused_screen(a, p, "Not staged", intro, j);
			free(intro);
			app_error(a, "refused: nothing was staged (Esc goes back)");
		}
		batch_free(b);
		return;
	}
	size_t added = 0;
	ms->st = xrealloc(ms->st, (ms->nst + b->n - b->nold) * sizeof *ms->st);
	char *first = staged_text(&b->v[b->nold]);
	for (size_t i = b->nold; i < b->n; i++) {
		/* Staged meanwhile by another check (two quick D's): once is enough. */
		bool dup = false;
		for (size_t k = 0; k < ms->nst && !dup; k++)
			dup = staged_same(&ms->st[k], &b->v[i]);
		if (dup)
			continue;
		ms->st[ms->nst++] = b->v[i];
		memset(&b->v[i], 0, sizeof b->v[i]);
		added++;
	}
	screen *root = root_list(p);
	if (root) {
		tview_clear_marks(root->table);
		restage(ms, root);
	}
	refresh_title(a, p);
	if (added == 1)
		app_status(a, "staged: %s (%zu staged; W reviews and applies)", first, ms->nst);
	else
		app_status(a, "staged %zu changes (%zu staged; W reviews and applies)", added, ms->nst);
	free(first);
	batch_free(b);
}

/* The rows D and E act on: the marked ones, else the current one. */
static size_t target_rows(screen *sc, size_t **rows)
{
	size_t n = tview_marked(sc->table, rows);
	if (n == 0) {
		size_t cur = tview_cursor_row(sc->table);
		if (cur == (size_t)-1)
			return 0;
		(*rows)[0] = cur;
		n = 1;
	}
	return n;
}

/* A change for a listing row; false (and said why) when it has no user. */
static bool change_for_row(tui_app *a, const tview *v, size_t row, members_op op,
			   const char *role, staged *out)
{
	memset(out, 0, sizeof *out);
	const char *key = tview_cell(v, row, "key");
	char *org = NULL, *scope = NULL, *email = NULL, *obj = NULL;
	const char *shown = tview_cell(v, row, "email");
	if (!shown || !*shown || !members_key_parts(key, &org, &scope, &email, &obj)) {
		app_error(a, "this membership has no user row: the audit's membership-without-user "
			     "check says how to clean it up");
		return false;
	}
	out->op = op;
	out->org = org;
	out->email = xstrdup(shown);
	free(email);
	out->role = role ? xstrdup(role) : NULL;
	if (strcmp(scope, "org") != 0) {
		out->scope = scope;
		out->in = obj;
		out->where = xasprintf("%s %s of org %s", scope, tview_cell(v, row, "in"), org);
	} else {
		free(scope);
		free(obj);
		out->where = xasprintf("org %s", org);
	}
	out->row = xstrdup(key);
	return true;
}

static void stage_rows(tui_app *a, pane *p, screen *sc, members_op op, const char *role)
{
	size_t *rows;
	size_t n = target_rows(sc, &rows);
	staged *v = xcalloc(n + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!change_for_row(a, sc->table, rows[i], op, role, &v[k])) {
			for (size_t m = 0; m < k; m++)
				staged_free(&v[m]);
			free(v);
			free(rows);
			return;
		}
		k++;
	}
	free(rows);
	if (k == 0) {
		free(v);
		app_status(a, "no member here to act on");
		return;
	}
	stage_check(a, p, v, k);
}

static char *roles_hint(const char *typed, void *ctx)
{
	(void)typed;
	mp_state *ms = ctx;
	if (!ms->nroles)
		return NULL;
	strbuf sb = STRBUF_INIT;
	sb_add(&sb, "roles: ");
	for (size_t i = 0; i < ms->nroles; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", ms->roles[i]);
	return sb_steal(&sb);
}

static void role_answered(tui_app *a, pane *p, const char *answer, void *ctx)
{
	(void)ctx;
	screen *root = root_list(p);
	if (!answer || !*answer || !root) {
		app_status(a, "no role given: nothing was staged");
		return;
	}
	stage_rows(a, p, root, MEMBERS_SET_ROLE, answer);
}

static void start_role_change(tui_app *a, pane *p, screen *sc)
{
	mp_state *ms = state(p);
	size_t *rows;
	size_t n = target_rows(sc, &rows);
	if (n == 0) {
		free(rows);
		app_status(a, "no member here to act on");
		return;
	}
	const char *cur = n == 1 ? tview_cell(sc->table, rows[0], "role") : NULL;
	const char *email = n == 1 ? tview_cell(sc->table, rows[0], "email") : NULL;
	char *label = n == 1 ? xasprintf("New role for %s: ", email ? email : "the member")
			     : xasprintf("New role for the %zu marked members: ", n);
	free(rows);
	app_ask_hinted(a, p, label, cur && strcmp(cur, "(none)") != 0 ? cur : "", roles_hint,
		       role_answered, ms);
	free(label);
}

/* A: org, email, role, scope; then the check. */
static void add_scope_answered(tui_app *a, pane *p, const char *answer, void *ctx)
{
	(void)ctx;
	mp_state *ms = state(p);
	staged *d = &ms->draft;
	const char *s = answer ? answer : "";
	while (*s == ' ')
		s++;
	if (!*s || !strcmp(s, "org")) {
		d->where = xasprintf("org %s", d->org);
	} else {
		size_t w = strcspn(s, " ");
		const char *name = s + w;
		while (*name == ' ')
			name++;
		bool ws = w == 9 && !strncmp(s, "workspace", 9), pr = w == 7 && !strncmp(s, "project", 7);
		if ((!ws && !pr) || !*name) {
			app_error(a, "the scope is org, workspace NAME or project NAME: nothing was "
				     "staged");
			staged_free(d);
			return;
		}
		d->scope = xstrdup(ws ? "workspace" : "project");
		d->in = xstrdup(name);
		d->where = xasprintf("%s %s of org %s", d->scope, name, d->org);
	}
	staged *v = xcalloc(1, sizeof *v);
	v[0] = *d;
	memset(d, 0, sizeof *d);
	stage_check(a, p, v, 1);
}

static void add_role_answered(tui_app *a, pane *p, const char *answer, void *ctx)
{
	mp_state *ms = ctx;
	if (!answer || !*answer) {
		app_status(a, "no role given: nothing was staged");
		staged_free(&ms->draft);
		return;
	}
	set_str(&ms->draft.role, answer);
	app_ask(a, p, "Scope (org, workspace NAME or project NAME): ", "org", add_scope_answered,
		ms);
}

static void add_email_answered(tui_app *a, pane *p, const char *answer, void *ctx)
{
	mp_state *ms = ctx;
	if (!answer || !*answer) {
		app_status(a, "no email given: nothing was staged");
		staged_free(&ms->draft);
		return;
	}
	set_str(&ms->draft.email, answer);
	char *label = xasprintf("Role of %s: ", answer);
	app_ask_hinted(a, p, label, ms->default_role ? ms->default_role : "", roles_hint,
		       add_role_answered, ms);
	free(label);
}

static void add_org_answered(tui_app *a, pane *p, const char *answer, void *ctx)
{
	mp_state *ms = ctx;
	if (!answer || !*answer) {
		app_status(a, "no org given: nothing was staged");
		return;
	}
	staged_free(&ms->draft);
	ms->draft.op = MEMBERS_ADD;
	set_str(&ms->draft.org, answer);
	char *label = xasprintf("Email of the user to add to %s: ", answer);
	app_ask(a, p, label, "", add_email_answered, ms);
	free(label);
}

static void start_add(tui_app *a, pane *p, screen *sc)
{
	mp_state *ms = state(p);
	const char *org = ms->org;
	if (!org && sc && sc->kind == SC_LIST) {
		size_t row = tview_cursor_row(sc->table);
		if (row != (size_t)-1)
			org = tview_cell(sc->table, row, "org");
	}
	if (!org)
		org = a->selected_org;
	app_ask(a, p, "Add a member to org: ", org ? org : "", add_org_answered, ms);
}

/* ------------------------------------------------------------ the staged list */

static void staged_table(const mp_state *ms, tc_result *out)
{
	res_init(out, RES_TABLE);
	res_add_col(out, "#", RES_T_INT);
	res_add_col(out, "change", RES_T_TEXT);
	res_add_col(out, "email", RES_T_TEXT);
	res_add_col(out, "role", RES_T_TEXT);
	res_add_col(out, "where", RES_T_TEXT);
	static const char *const words[] = {"add", "set-role", "remove"};
	for (size_t i = 0; i < ms->nst; i++) {
		const staged *s = &ms->st[i];
		size_t row = res_add_row(out);
		res_setf(out, row, 0, "%zu", i + 1);
		res_set(out, row, 1, words[s->op]);
		res_set(out, row, 2, s->email);
		res_set(out, row, 3, s->op == MEMBERS_REMOVE ? "" : s->role);
		res_set(out, row, 4, s->where);
	}
}

static char *staged_title(const mp_state *ms)
{
	return xasprintf("Staged changes: %zu (x drops one, W reviews and applies them)", ms->nst);
}

static void open_staged(tui_app *a, pane *p)
{
	mp_state *ms = state(p);
	screen *top = app_top(p);
	if (top && top->kind == SC_STAGED)
		return;
	tc_result t;
	staged_table(ms, &t);
	char *title = staged_title(ms);
	screen *sc = app_push_table(a, p, title, SC_STAGED, NULL, &t);
	free(title);
	tview_set_key_col(sc->table, "#");
	sc->empty = xstrdup("Nothing staged: A adds a member, D removes, E changes a role.");
	res_free(&t);
}

/* The staged list changed: its screen, the root's column and title. */
static void staged_changed(tui_app *a, pane *p)
{
	mp_state *ms = state(p);
	for (int i = 0; i < p->depth; i++) {
		screen *sc = p->stack[i];
		if (sc->kind != SC_STAGED)
			continue;
		tc_result t;
		staged_table(ms, &t);
		tview_set_result(sc->table, &t);
		res_free(&t);
		free(sc->title);
		sc->title = staged_title(ms);
	}
	screen *root = root_list(p);
	if (root)
		restage(ms, root);
	refresh_title(a, p);
}

static void drop_staged(tui_app *a, pane *p, screen *sc)
{
	mp_state *ms = state(p);
	size_t row = tview_cursor_row(sc->table);
	if (row == (size_t)-1) {
		app_status(a, "nothing staged");
		return;
	}
	const char *num = tview_cell(sc->table, row, "#");
	size_t i = num ? (size_t)atol(num) : 0;
	if (i < 1 || i > ms->nst)
		return;
	char *what = staged_text(&ms->st[i - 1]);
	staged_free(&ms->st[i - 1]);
	memmove(&ms->st[i - 1], &ms->st[i], (ms->nst - i) * sizeof *ms->st);
	ms->nst--;
	staged_changed(a, p);
	app_status(a, "dropped: %s (%zu staged)", what, ms->nst);
	free(what);
}

static void apply_staged(tui_app *a, pane *p)
{
	mp_state *ms = state(p);
	if (!ms->nst) {
		app_status(a, "nothing staged: A adds a member, D removes, E changes a role");
		return;
	}
	if (!app_require_write(a, "W applies the staged changes"))
		return;
	batch_job *b = xcalloc(1, sizeof *b);
	b->v = xcalloc(ms->nst, sizeof *b->v);
	for (size_t i = 0; i < ms->nst; i++)
		b->v[b->n++] = staged_copy(&ms->st[i]);
	b->nold = b->n;
	b->dry_run = false;
	app_submit_fn(a, p, MP_APPLY, batch_run, b);
}

static void reload_after_write(tui_app *a, pane *p)
{
	mp_state *ms = state(p);
	submit_list(a, p, LD_RELOAD, NULL);
	static const char *const argv[] = {"audit", "--samples", "0", NULL};
	app_submit_argv(a, p, MP_AUDIT, argv);
	(void)ms;
	/* Member counts and findings in the Orgs pane changed too. */
	app_reload_others(a, p);
}

static void apply_done(tui_app *a, pane *p, worker_job *j)
{
	mp_state *ms = state(p);
	batch_job *b = j->ctx;
	if (j->status == TC_OK) {
		/* Drop what was applied (the list may have changed meanwhile). */
		for (size_t i = 0; i < b->n; i++)
			for (size_t k = 0; k < ms->nst; k++)
				if (staged_same(&ms->st[k], &b->v[i])) {
					staged_free(&ms->st[k]);
					memmove(&ms->st[k], &ms->st[k + 1],
						(ms->nst - k - 1) * sizeof *ms->st);
					ms->nst--;
					break;
				}
		app_pop_to_root(a, p);
		staged_changed(a, p);
		app_status(a, "%s", j->result.summary ? j->result.summary : "applied");
		reload_after_write(a, p);
	} else if (j->status == TC_ERR_REFUSED && !j->error) {
		app_status(a, "declined: nothing was applied; the %zu staged changes are kept", ms->nst);
	} else if (j->status == TC_ERR_REFUSED && strstr(j->error, "declined")) {
		app_status(a, "declined: nothing was applied; %zu change%s still staged (W asks again)",
			   ms->nst, ms->nst == 1 ? " is" : "s are");
	} else if (!j->cancelled) {
		char *intro;
		if (b->failed < b->n) {
			char *what = staged_text(&b->v[b->failed]);
			intro = xasprintf("Nothing was applied (the transaction was rolled back): "
					  "staged change %zu (%s) failed. S lists the staged "
					  "changes; x drops one.",
					  b->failed + 1, what);
			free(what);
		} else {
			intro = xstrdup("Nothing was applied (the transaction was rolled back).");
		}
		refused_screen(a, p, "Not applied", intro, j);
		free(intro);
		app_error(a, "failed: nothing was applied (Esc goes back)");
	}
	batch_free(b);
}

/* ------------------------------------------------------------ roles */

static tc_status roles_job(tc_session *s, void *ctx, tc_result *out, tc_error *err)
{
	(void)ctx;
	const tc_profile *pr;
	tc_status rc = profile_for_session(s, &pr, err);
	if (rc != TC_OK)
		return rc;
	res_init(out, RES_TABLE);
	res_add_col(out, "role", RES_T_TEXT);
	res_add_col(out, "default", RES_T_BOOL);
	for (size_t i = 0; i < pr->roles.known.n; i++) {
		size_t row = res_add_row(out);
		res_set(out, row, 0, pr->roles.known.v[i]);
		res_set(out, row, 1,
			same_str(pr->roles.default_role.name, pr->roles.known.v[i]) ? "true"
										      : "false");
	}
	if (pr->roles.default_role.name && !profile_list_has(&pr->roles.known,
							      pr->roles.default_role.name)) {
		size_t row = res_add_row(out);
		res_set(out, row, 0, pr->roles.default_role.name);
		res_set(out, row, 1, "true");
	}
	return TC_OK;
}

static void roles_done(tui_app *a, pane *p, worker_job *j)
{
	(void)a;
	mp_state *ms = state(p);
	if (j->status != TC_OK)
		return;
	for (size_t i = 0; i < ms->nroles; i++)
		free(ms->roles[i]);
	free(ms->roles);
	ms->roles = xcalloc(j->result.nrows + 1, sizeof *ms->roles);
	ms->nroles = 0;
	for (size_t r = 0; r < j->result.nrows; r++) {
		ms->roles[ms->nroles++] = xstrdup(res_get(&j->result, r, 0));
		if (same_str(res_get(&j->result, r, 1), "true"))
			set_str(&ms->default_role, res_get(&j->result, r, 0));
	}
}

/* ------------------------------------------------------------ filters */

static const char *const flag_cycle[] = {
	"any",		 "deleted-user",      "not-org-member",	 "unknown-role",
	"outside-allowlist", "missing-user", "deleted-org", "deleted-workspace",
	"deleted-project",
};
#define N_FLAG_CYCLE (sizeof flag_cycle / sizeof flag_cycle[0])

static void cycle_flag(tui_app *a, pane *p)
{
	mp_state *ms = state(p);
	size_t i = 0;
	while (ms->flag && i < N_FLAG_CYCLE && strcmp(flag_cycle[i], ms->flag) != 0)
		i++;
	const char *next = !ms->flag ? flag_cycle[0] : i + 1 < N_FLAG_CYCLE ? flag_cycle[i + 1] : NULL;
	set_str(&ms->flag, next);
	app_status(a, next ? "flag filter: %s (f for the next, :members flag off clears)"
			   : "flag filter off%s",
		   next ? next : "");
	requery(a, p);
}

static void cycle_scope(tui_app *a, pane *p)
{
	static const char *const scopes[] = {"org", "workspace", "project"};
	mp_state *ms = state(p);
	const char *next = scopes[0];
	for (size_t i = 0; ms->scope && i < 3; i++)
		if (!strcmp(ms->scope, scopes[i]))
			next = i + 1 < 3 ? scopes[i + 1] : NULL;
	set_str(&ms->scope, next);
	app_status(a, next ? "scope filter: %s" : "scope filter off%s", next ? next : "");
	requery(a, p);
}

static void role_filter_answered(tui_app *a, pane *p, const char *answer, void *ctx)
{
	(void)ctx;
	mp_state *ms = state(p);
	set_str(&ms->role, answer && *answer && strcmp(answer, "all") != 0 ? answer : NULL);
	requery(a, p);
}

static void toggle_org(tui_app *a, pane *p, screen *sc)
{
	mp_state *ms = state(p);
	if (ms->org) {
		set_str(&ms->org, NULL);
	} else {
		const char *org = NULL;
		size_t row = sc && sc->table ? tview_cursor_row(sc->table) : (size_t)-1;
		if (row != (size_t)-1)
			org = tview_cell(sc->table, row, "org");
		if (!org)
			org = a->selected_org;
		if (!org) {
			app_status(a, "no org here to show");
			return;
		}
		set_str(&ms->org, org);
	}
	requery(a, p);
}

/* `:members org SLUG|all`, `:members role ROLE|all`, `:members scope
 * org|workspace|project|all`, `:members flag FLAG|any|off`, `:members
 * clear`: the pane's filters from the prompt. */
static bool command(tui_app *a, pane *p, const char *line)
{
	while (*line == ' ')
		line++;
	if (strncmp(line, "members ", 8) != 0)
		return false;
	const char *rest = line + 8;
	while (*rest == ' ')
		rest++;
	size_t w = strcspn(rest, " ");
	char *word = xstrndup(rest, w);
	const char *arg = rest + w;
	while (*arg == ' ')
		arg++;
	char *value = xstrdup(arg);
	for (size_t n = strlen(value); n > 0 && value[n - 1] == ' '; n--)
		value[n - 1] = '\0';
	mp_state *ms = state(p);
	bool off = !*value || !strcmp(value, "all") || !strcmp(value, "off");
	bool known_flag = false;
	for (size_t i = 0; i < N_FLAG_CYCLE; i++)
		known_flag |= !strcmp(value, flag_cycle[i]);
	if ((!strcmp(word, "scope") && !off && strcmp(value, "org") && strcmp(value, "workspace") &&
	     strcmp(value, "project")) ||
	    (!strcmp(word, "flag") && !off && !known_flag)) {
		app_error(a, "%s: the %s is one of %s", value, word,
			  !strcmp(word, "scope") ? "org, workspace, project, all"
						 : "any, deleted-user, not-org-member, unknown-role, "
						   "outside-allowlist, missing-user, deleted-org, "
						   "deleted-workspace, deleted-project, off");
		free(word);
		free(value);
		return true;
	}
	bool taken = true;
	char *msg = NULL;
	if (!strcmp(word, "org")) {
		set_str(&ms->org, off ? NULL : value);
		msg = off ? xstrdup("the members of every org") : xasprintf("the members of %s", value);
	} else if (!strcmp(word, "role")) {
		set_str(&ms->role, off ? NULL : value);
		msg = off ? xstrdup("role filter off") : xasprintf("role filter: %s", value);
	} else if (!strcmp(word, "scope")) {
		set_str(&ms->scope, off ? NULL : value);
		msg = off ? xstrdup("scope filter off") : xasprintf("scope filter: %s", value);
	} else if (!strcmp(word, "flag")) {
		bool none = !*value || !strcmp(value, "off");
		set_str(&ms->flag, none ? NULL : !strcmp(value, "all") ? "any" : value);
		msg = none ? xstrdup("flag filter off") : xasprintf("flag filter: %s", ms->flag);
	} else if (!strcmp(word, "clear") && !*value) {
		set_str(&ms->org, NULL);
		set_str(&ms->role, NULL);
		set_str(&ms->scope, NULL);
		set_str(&ms->flag, NULL);
		msg = xstrdup("the members of every org, no filters");
	} else {
		taken = false;
	}
	free(word);
	free(value);
	if (!taken)
		return false;
	app_status(a, "%s", msg);
	free(msg);
	a->current = PANE_MEMBERS;
	app_pop_to_root(a, p);
	if (!p->loaded)
		p->loaded = true;
	requery(a, p);
	return true;
}

/* ------------------------------------------------------------ the pane */

static void load(tui_app *a, pane *p)
{
	mp_state *ms = state(p);
	if (!same_str(a->selected_org, ms->followed)) {
		set_str(&ms->followed, a->selected_org);
		if (a->selected_org)
			set_str(&ms->org, a->selected_org);
	}
	if (root_list(p)) {
		submit_list(a, p, LD_RELOAD, NULL);
	} else {
		ms->gen++;
		submit_list(a, p, LD_FIRST, NULL);
	}
	static const char *const argv[] = {"audit", "--samples", "0", NULL};
	app_submit_argv(a, p, MP_AUDIT, argv);
	if (!ms->roles)
		app_submit_fn(a, p, MP_ROLES, roles_job, NULL);
}

static void done(tui_app *a, pane *p, worker_job *j)
{
	switch (j->tag & 0xf) {
	case MP_LIST:
		list_done(a, p, j);
		break;
	case MP_AUDIT:
		audit_done(a, p, j);
		break;
	case MP_AUDIT_VIEW:
		if (j->status == TC_OK || j->status == TC_FINDINGS) {
			mp_state *ms = state(p);
			if (!ms->org) {
				audit_done(a, p, j);
				push_audit(a, p, &ms->audit, NULL);
			} else {
				push_audit(a, p, &j->result, ms->org);
			}
		}
		break;
	case MP_ROWS:
		rows_done(a, p, j);
		break;
	case MP_CHECK:
		check_done(a, p, j);
		break;
	case MP_APPLY:
		apply_done(a, p, j);
		break;
	case MP_ROLES:
		roles_done(a, p, j);
		break;
	default:
		break;
	}
}

static bool is_enter(int k)
{
	return k == '\n' || k == '\r' || k == KEY_ENTER;
}

static bool key(tui_app *a, pane *p, screen *top, int k)
{
	mp_state *ms = state(p);
	screen *root = root_list(p);
	int kind = top ? top->kind : 0;
	if (!root && (is_enter(k) || (k > 0 && k < 128 && strchr("aoOfsrADEx", k)))) {
		app_status(a, "the members did not load (R reloads)");
		return true;
	}
	if (is_enter(k)) {
		if (kind == SC_LIST)
			open_member(a, p, top);
		else if (kind == SC_AUDIT)
			open_rows(a, p, top);
		else if (kind == SC_ROWS)
			open_finding(a, p, top);
		return true;
	}
	switch (k) {
	case 'a':
		if (kind != SC_AUDIT)
			open_audit(a, p);
		return true;
	case 'o':
		if (kind == SC_LIST) {
			toggle_org(a, p, top);
		} else if (kind == SC_ROWS) {
			size_t row = tview_cursor_row(top->table);
			jump_to_org(a, row == (size_t)-1 ? NULL : tview_cell(top->table, row, "org"));
		} else if (kind == SC_DETAIL) {
			jump_to_org(a, top->arg);
		} else {
			return false;
		}
		return true;
	case 'O':
		if (kind == SC_LIST || kind == SC_ROWS) {
			size_t row = tview_cursor_row(top->table);
			jump_to_org(a, row == (size_t)-1 ? NULL : tview_cell(top->table, row, "org"));
		} else if (kind == SC_DETAIL) {
			jump_to_org(a, top->arg);
		} else {
			return false;
		}
		return true;
	case 'f':
		if (kind != SC_LIST)
			return false;
		cycle_flag(a, p);
		return true;
	case 's':
		if (kind != SC_LIST)
			return false;
		cycle_scope(a, p);
		return true;
	case 'r':
		if (kind != SC_LIST)
			return false;
		app_ask_hinted(a, p, "Only the role (empty: any): ", ms->role ? ms->role : "",
			       roles_hint, role_filter_answered, ms);
		return true;
	case 'A':
		if (app_require_write(a, "A stages adding a member"))
			start_add(a, p, top);
		return true;
	case 'D':
		if (kind == SC_STAGED) {
			drop_staged(a, p, top);
			return true;
		}
		if (kind != SC_LIST)
			return false;
		if (app_require_write(a, "D stages removing members"))
			stage_rows(a, p, top, MEMBERS_REMOVE, NULL);
		return true;
	case 'x':
		if (kind != SC_STAGED)
			return false;
		drop_staged(a, p, top);
		return true;
	case 'E':
		if (kind != SC_LIST)
			return false;
		if (app_require_write(a, "E stages a role change"))
			start_role_change(a, p, top);
		return true;
	case 'S':
		open_staged(a, p);
		return true;
	case 'W':
		apply_staged(a, p);
		return true;
	default:
		return false;
	}
}

/* The top screen, as the frame draws it; first, follow the org the Orgs
 * pane selected meanwhile (this pane is being shown). */
static void draw(tui_app *a, pane *p, int y0, int h)
{
	follow_selection(a, p);
	frame_pane_screen(a, p, y0, h);
}

static void forget(pane *p)
{
	mp_state *ms = p->data;
	if (!ms)
		return;
	for (size_t i = 0; i < ms->nst; i++)
		staged_free(&ms->st[i]);
	free(ms->st);
	staged_free(&ms->draft);
	res_free(&ms->audit);
	for (size_t i = 0; i < ms->nroles; i++)
		free(ms->roles[i]);
	free(ms->roles);
	free(ms->org);
	free(ms->followed);
	free(ms->role);
	free(ms->scope);
	free(ms->flag);
	free(ms->default_role);
	free(ms->unsaved);
	free(ms);
}

const pane_ops mempane_ops = {
	"Members",
	"a audit  o org  f/s/r flag/scope/role  A add  D rm  E role  S staged  W apply",
	load,
	key,
	done,
	draw,
	page,
	command,
	forget,
};
