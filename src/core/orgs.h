/* orgs: the `orgs` commands on the deployment's organizations, through the
 * tenancy profile. Lists are keyset pages, never OFFSET. */
#ifndef TC_ORGS_H
#define TC_ORGS_H

#include "cmdtab.h"

struct tc_session;

tc_status orgs_list(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

/* Keyset pages of organizations in both directions, for a window that
 * scrolls through any number of them (the console's Orgs pane; `orgs list`
 * is built on it). Never OFFSET: a page costs the same anywhere. */
typedef enum orgs_sort {
	ORGS_SORT_SLUG,    /* slug ascending */
	ORGS_SORT_CREATED, /* oldest first, the id breaking ties */
	ORGS_SORT_MEMBERS, /* most live org members first, then slug; counts every
			    * org, so it is slow on large deployments */
} orgs_sort;

typedef enum orgs_from {
	ORGS_FIRST,  /* the first page */
	ORGS_AFTER,  /* the page after key */
	ORGS_BEFORE, /* the page before key */
	ORGS_AT,     /* the page from key on, its row included */
	ORGS_LAST,   /* the last page */
} orgs_from;

typedef struct orgs_page_req {
	orgs_sort sort;
	orgs_from from;
	const char *key; /* borrowed; a row's `key` cell, for AFTER, BEFORE and AT */
	long limit;      /* rows, 1..1000 (else the default, 50) */
	bool deleted;    /* soft-deleted orgs too */
	bool desc;       /* the sort's order reversed (members: fewest first, ties
			  * still by slug) */
	bool findings;   /* with the findings column (see orgs_page) */
} orgs_page_req;

typedef struct orgs_page_more {
	bool before, after; /* rows exist before the page's first row, after its last */
} orgs_page_more;

/* One page in the order shown, with the columns of `orgs list` (slug, name,
 * plan, members, owners, [findings,] created, resources[, deleted]) and the
 * detail column `key` that AFTER/BEFORE/AT take. findings (only when
 * req->findings) counts, for the page's rows only, what `audit --org SLUG`
 * finds except slug-problems (NULL when the profile supports no check).
 * out is the caller's to free. */
tc_status orgs_page(struct tc_session *s, const orgs_page_req *req, tc_result *out,
		    orgs_page_more *more, tc_error *err);
/* The key of the live organization `slug` in `sort` (for ORGS_AT: a window
 * around an org); *key NULL when there is none. Caller frees *key. */
tc_status orgs_page_key(struct tc_session *s, orgs_sort sort, const char *slug, char **key,
			tc_error *err);
tc_status orgs_search(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status orgs_show(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
/* For the console's org screen. The org's live workspaces with their live
 * projects, then its projects outside them (columns workspace, project,
 * note: a project of another org in its workspace, a project in another
 * org's workspace); at most 500 rows. */
tc_status orgs_tree(struct tc_session *s, const char *slug, tc_result *out, tc_error *err);
/* The audit of one org (`audit --org SLUG --samples N`) as rows: one per
 * sample of each check that found something (check, severity, count, user,
 * role, detail, explanation, fix); the audit's summary. */
tc_status orgs_findings(struct tc_session *s, const char *slug, long samples, tc_result *out,
			tc_error *err);
tc_status orgs_create(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status orgs_rename(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status orgs_set_plan(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);
tc_status orgs_delete(struct tc_session *s, const cmd_call *call, tc_result *out, tc_error *err);

/* The slug a name gets: lower-case ASCII, non-alphanumerics to single
 * hyphens, trimmed, non-ASCII transliterated where Latin (é -> e) or
 * dropped. Caller frees; "" when nothing is left. */
char *orgs_slugify(const char *name);

#endif
