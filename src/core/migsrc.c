#include "config.h"

#include "migsrc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"
#include "strbuf.h"
#include "xalloc.h"

/*
 * Rules shared by every format:
 *   - only the folder itself is read (no sub-folders, except prisma's one
 *     folder per migration); names starting with '.' are skipped (editor
 *     and VCS droppings);
 *   - names are case-sensitive: a file ending in ".SQL" is not taken as a
 *     migration, but is reported rather than skipped, so it cannot vanish;
 *   - any other *.sql that does not fit the format is an error, for the
 *     same reason (a typo in a name must not silently drop a migration);
 *   - files are read whole, a UTF-8 BOM at the start is dropped, a NUL byte
 *     is an error; other bytes go to the server as they are (it judges the
 *     encoding);
 *   - lines end at LF, CRLF or a lone CR, as for the server's lexer and for
 *     the checksum, so line numbers agree with what an editor shows.
 */

#define FORMATS_HINT "native, dbmate, golang-migrate, flyway or prisma"

/* ------------------------------------------------------------ format names */

static const struct {
	const char *name;
	mig_format fmt;
} format_names[] = {
	{"auto", MIG_FMT_AUTO},
	{"native", MIG_FMT_NATIVE},
	{"dbmate", MIG_FMT_DBMATE},
	{"golang-migrate", MIG_FMT_GOLANG},
	{"golang", MIG_FMT_GOLANG}, /* alias; the first spelling is the name */
	{"flyway", MIG_FMT_FLYWAY},
	{"prisma", MIG_FMT_PRISMA},
};

#define N_FORMAT_NAMES (sizeof format_names / sizeof format_names[0])

const char *migsrc_format_name(mig_format f)
{
	for (size_t i = 0; i < N_FORMAT_NAMES; i++)
		if (format_names[i].fmt == f)
			return format_names[i].name;
	return "unknown";
}

bool migsrc_format_parse(const char *s, mig_format *out)
{
	if (!s)
		return false;
	for (size_t i = 0; i < N_FORMAT_NAMES; i++) {
		if (strcasecmp(s, format_names[i].name) == 0) {
			if (out)
				*out = format_names[i].fmt;
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------ versions */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_sep(char c)
{
	return c == '.' || c == '_';
}

/* Compare digit runs as numbers of any length: drop leading zeros, then the
 * longer run is the larger, then the digits decide. */
static int digits_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	while (an > 0 && *a == '0')
		a++, an--;
	while (bn > 0 && *b == '0')
		b++, bn--;
	if (an != bn)
		return an < bn ? -1 : 1;
	int c = memcmp(a, b, an);
	return c < 0 ? -1 : c > 0;
}

/* One part (between separators): digit runs numerically, other bytes as
 * bytes, a digit run before any other byte. An empty part counts as 0. */
static int part_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	if (an == 0)
		a = "0", an = 1;
	if (bn == 0)
		b = "0", bn = 1;
	size_t i = 0, j = 0;
	while (i < an && j < bn) {
		if (is_digit(a[i]) && is_digit(b[j])) {
			size_t i0 = i, j0 = j;
			while (i < an && is_digit(a[i]))
				i++;
			while (j < bn && is_digit(b[j]))
				j++;
			int c = digits_cmp(a + i0, i - i0, b + j0, j - j0);
			if (c)
				return c;
		} else if (is_digit(a[i])) {
			return -1;
		} else if (is_digit(b[j])) {
			return 1;
		} else if (a[i] != b[j]) {
			return (unsigned char)a[i] < (unsigned char)b[j] ? -1 : 1;
		} else {
			i++, j++;
		}
	}
	return i < an ? 1 : j < bn ? -1 : 0;
}

int migsrc_version_cmp(const char *a, const char *b)
{
	if (!a)
		a = "";
	if (!b)
		b = "";
	/* Missing trailing parts count as 0, as in Flyway, where 1 and 1.0
	 * are the same version. */
	for (;;) {
		size_t an = strcspn(a, "._"), bn = strcspn(b, "._");
		int c = part_cmp(a, an, b, bn);
		if (c)
			return c;
		bool amore = a[an] != '\0', bmore = b[bn] != '\0';
		if (!amore && !bmore)
			return 0;
		a += an + (amore ? 1 : 0);
		b += bn + (bmore ? 1 : 0);
	}
}

/* ------------------------------------------------------------ file names */

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && memcmp(s + n - m, suf, m) == 0;
}

/* A name that would be a migration but for case or shape: it is reported,
 * never skipped. */
static bool looks_sql(const char *s)
{
	size_t n = strlen(s);
	return n > 4 && strcasecmp(s + n - 4, ".sql") == 0;
}

static size_t count_digits(const char *s)
{
	size_t n = 0;
	while (is_digit(s[n]))
		n++;
	return n;
}

/* Split DIGITS_NAME<suffix> into version and name (both owned on success).
 * `ndigits` 0 accepts any number of digits (at least one). */
static bool split_digits_name(const char *fn, const char *suffix, size_t ndigits, char **version,
			      char **name)
{
	size_t d = count_digits(fn);
	if (d == 0 || (ndigits && d != ndigits) || fn[d] != '_' || !has_suffix(fn, suffix))
		return false;
	size_t len = strlen(fn), slen = strlen(suffix);
	if (len < d + 1 + slen + 1) /* the name may not be empty */
		return false;
	if (version)
		*version = xstrndup(fn, d);
	if (name)
		*name = xstrndup(fn + d + 1, len - d - 1 - slen);
	return true;
}

/* native and dbmate: VERSION_name.sql */
static bool parse_native_name(const char *fn, char **version, char **name)
{
	return split_digits_name(fn, ".sql", 0, version, name);
}

/* golang-migrate: N_name.up.sql, N_name.down.sql */
static bool parse_golang_name(const char *fn, char **version, char **name, bool *down)
{
	if (split_digits_name(fn, ".up.sql", 0, version, name)) {
		*down = false;
		return true;
	}
	if (split_digits_name(fn, ".down.sql", 0, version, name)) {
		*down = true;
		return true;
	}
	return false;
}

/* Flyway: V<ver>__<desc>.sql, U<ver>__<desc>.sql, R__<desc>.sql. *kind
 * gets 'V', 'U' or 'R'; the name shows the description's underscores as
 * spaces, as Flyway does. The version is kept as written (1_1 or 1.1);
 * migsrc_version_cmp treats both the same. */
static bool parse_flyway_name(const char *fn, char *kind, char **version, char **name)
{
	if (!has_suffix(fn, ".sql") || (fn[0] != 'V' && fn[0] != 'U' && fn[0] != 'R'))
		return false;
	const char *sep = strstr(fn + 1, "__");
	if (!sep)
		return false;
	const char *vb = fn + 1, *ve = sep;
	if (fn[0] == 'R') {
		if (ve != vb)
			return false;
	} else {
		/* digits, separated by single '.' or '_' */
		if (ve == vb || !is_digit(*vb) || !is_digit(ve[-1]))
			return false;
		for (const char *c = vb; c < ve; c++)
			if (!is_digit(*c) && !(is_sep(*c) && is_digit(c[1])))
				return false;
	}
	const char *db = sep + 2, *de = fn + strlen(fn) - 4;
	if (de <= db)
		return false;
	*kind = fn[0];
	if (version)
		*version = xstrndup(vb, (size_t)(ve - vb));
	if (name) {
		*name = xstrndup(db, (size_t)(de - db));
		for (char *c = *name; *c; c++)
			if (*c == '_')
				*c = ' ';
	}
	return true;
}

/* prisma: a folder TIMESTAMP_name, the timestamp 14 digits. */
static bool parse_prisma_name(const char *fn, char **version, char **name)
{
	return split_digits_name(fn, "", 14, version, name);
}

/* ------------------------------------------------------------ the folder */

/* DIR (trailing slashes dropped) + "/" + rest; caller frees. */
static char *path_join(const char *dir, const char *rest)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	bool root = n == 1 && dir[0] == '/';
	return xasprintf("%.*s%s%s", (int)n, dir, root ? "" : "/", rest);
}

typedef struct entry {
	char *name;     /* owned */
	char *path;     /* owned; dir/name */
	bool is_dir;    /* after following symlinks */
	bool is_file;   /* a regular file, after following symlinks */
	int stat_errno; /* stat failed (a dangling symlink): why; 0 when it did not */
} entry;

typedef struct listing {
	entry *v;
	size_t n, cap;
} listing;

static void listing_free(listing *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		free(ls->v[i].name);
		free(ls->v[i].path);
	}
	free(ls->v);
	*ls = (listing){NULL, 0, 0};
}

static int entry_cmp(const void *pa, const void *pb)
{
	const entry *a = pa, *b = pb;
	return strcmp(a->name, b->name);
}

static void missing_dir_hint(tc_error *err)
{
	tc_hint(err, "give the migrations folder with --dir, or set 'migrations' in the target's "
		     "section of the config file");
}

/* The folder's entries, sorted by name so errors come out in a stable
 * order. Dot names are left out. */
static tc_status list_dir(const char *dir, listing *out, tc_error *err)
{
	*out = (listing){NULL, 0, 0};
	DIR *d = opendir(dir);
	if (!d) {
		int e = errno;
		if (e == ENOENT) {
			tc_fail(err, TC_ERR_USAGE, "migrations folder %s does not exist", dir);
			missing_dir_hint(err);
		} else if (e == ENOTDIR) {
			tc_fail(err, TC_ERR_USAGE, "migrations folder %s is not a folder", dir);
			missing_dir_hint(err);
		} else {
			tc_fail(err, TC_ERR_USAGE, "cannot open migrations folder %s: %s", dir,
				strerror(e));
			tc_hint(err, "check the folder's permissions");
		}
		return TC_ERR_USAGE;
	}
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			int e = errno;
			if (e) {
				closedir(d);
				listing_free(out);
				tc_fail(err, TC_ERR_USAGE, "cannot read migrations folder %s: %s", dir,
					strerror(e));
				tc_hint(err, "check the folder's permissions");
				return TC_ERR_USAGE;
			}
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
		entry *en = &out->v[out->n++];
		memset(en, 0, sizeof *en);
		en->name = xstrdup(de->d_name);
		en->path = path_join(dir, de->d_name);
		struct stat st;
		if (stat(en->path, &st) != 0) {
			en->stat_errno = errno;
		} else {
			en->is_dir = S_ISDIR(st.st_mode);
			en->is_file = S_ISREG(st.st_mode);
		}
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, entry_cmp);
	return TC_OK;
}

static bool prisma_dir_has_file(const entry *en)
{
	if (!en->is_dir)
		return false;
	char *p = path_join(en->path, "migration.sql");
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return ok;
}

/* Which format an entry's name belongs to; AUTO when none. */
static mig_format classify(const entry *en)
{
	if (en->is_dir)
		return prisma_dir_has_file(en) ? MIG_FMT_PRISMA : MIG_FMT_AUTO;
	bool down;
	char kind;
	/* golang first: 1_x.up.sql also fits the native pattern. */
	if (parse_golang_name(en->name, NULL, NULL, &down))
		return MIG_FMT_GOLANG;
	if (parse_flyway_name(en->name, &kind, NULL, NULL))
		return MIG_FMT_FLYWAY;
	if (parse_native_name(en->name, NULL, NULL))
		return MIG_FMT_NATIVE;
	return MIG_FMT_AUTO;
}

/* The format of the listing: *fmt AUTO when nothing fits any format.
 * Entries of two formats are an error naming one of each. */
static tc_status detect_listing(const char *dir, const listing *ls, mig_format *fmt, tc_error *err)
{
	const char *example[MIG_FMT_PRISMA + 1] = {NULL};
	mig_format first = MIG_FMT_AUTO;
	for (size_t i = 0; i < ls->n; i++) {
		mig_format f = classify(&ls->v[i]);
		if (f == MIG_FMT_AUTO || example[f])
			continue;
		example[f] = ls->v[i].path;
		if (first == MIG_FMT_AUTO) {
			first = f;
			continue;
		}
		tc_fail(err, TC_ERR_USAGE,
			"%s holds migrations in more than one format: %s looks like %s, %s looks "
			"like %s",
			dir, example[first], migsrc_format_name(first), example[f],
			migsrc_format_name(f));
		tc_hint(err, "keep one format per folder, or name the format with --format (" FORMATS_HINT
			     ")");
		*fmt = MIG_FMT_AUTO;
		return TC_ERR_USAGE;
	}
	*fmt = first;
	return TC_OK;
}

mig_format migsrc_detect(const char *dir)
{
	listing ls;
	mig_format f = MIG_FMT_AUTO;
	if (!dir || list_dir(dir, &ls, NULL) != TC_OK)
		return MIG_FMT_AUTO;
	if (detect_listing(dir, &ls, &f, NULL) != TC_OK)
		f = MIG_FMT_AUTO;
	listing_free(&ls);
	return f;
}

/* ------------------------------------------------------------ reading */

/* Line number (1-based) of `at` in text, counting LF, CRLF and lone CR. */
static int line_of(const char *text, const char *at)
{
	int line = 1;
	for (const char *c = text; c < at; c++)
		if (*c == '\n' || (*c == '\r' && (c + 1 >= at || c[1] != '\n')))
			line++;
	return line;
}

/* Read a whole file into *out (NUL-terminated, no BOM). */
static tc_status read_text(const char *path, strbuf *out, tc_error *err)
{
	*out = (strbuf)STRBUF_INIT;
	FILE *f = fopen(path, "rb");
	if (!f) {
		tc_fail(err, TC_ERR_USAGE, "cannot open %s: %s", path, strerror(errno));
		tc_hint(err, "check the file's permissions");
		return TC_ERR_USAGE;
	}
	for (;;) {
		out->data = xgrow(out->data, &out->cap, out->len + 65536 + 1, 1);
		size_t n = fread(out->data + out->len, 1, out->cap - out->len - 1, f);
		out->len += n;
		out->data[out->len] = '\0';
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		sb_free(out);
		tc_fail(err, TC_ERR_USAGE, "cannot read %s: %s", path, strerror(e));
		tc_hint(err, "a migration must be a readable regular file");
		return TC_ERR_USAGE;
	}
	fclose(f);
	const char *nul = memchr(out->data, '\0', out->len);
	if (nul) {
		tc_fail(err, TC_ERR_USAGE, "%s:%d: NUL byte in the file", path,
			line_of(out->data, nul));
		sb_free(out);
		tc_hint(err, "a migration must be a text file; is this the right file?");
		return TC_ERR_USAGE;
	}
	if (out->len >= 3 && memcmp(out->data, "\xEF\xBB\xBF", 3) == 0) {
		memmove(out->data, out->data + 3, out->len - 3 + 1);
		out->len -= 3;
	}
	return TC_OK;
}

/* A .sql-looking entry that cannot be read as a file. */
static tc_status not_a_file(const entry *en, tc_error *err)
{
	if (en->stat_errno) {
		tc_fail(err, TC_ERR_USAGE, "cannot open %s: %s", en->path, strerror(en->stat_errno));
		tc_hint(err, "fix or remove the file (a dangling symbolic link?)");
	} else {
		tc_fail(err, TC_ERR_USAGE, "%s is not a regular file", en->path);
		tc_hint(err, "move it out of the migrations folder");
	}
	return TC_ERR_USAGE;
}

/* ------------------------------------------------------------ native */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The first byte of [b, e) that is neither white space nor inside a comment
 * (-- to the end of the line; nested block comments, as the server reads
 * them); NULL when there is none. */
static const char *first_sql(const char *b, const char *e)
{
	const char *c = b;
	while (c < e) {
		if (is_space(*c)) {
			c++;
		} else if (*c == '-' && c + 1 < e && c[1] == '-') {
			while (c < e && *c != '\n' && *c != '\r')
				c++;
		} else if (*c == '/' && c + 1 < e && c[1] == '*') {
			int depth = 0;
			while (c < e) {
				if (*c == '/' && c + 1 < e && c[1] == '*') {
					depth++;
					c += 2;
				} else if (*c == '*' && c + 1 < e && c[1] == '/') {
					c += 2;
					if (--depth == 0)
						break;
				} else {
					c++;
				}
			}
		} else {
			return c;
		}
	}
	return NULL;
}

typedef enum marker { MARK_NONE, MARK_UP, MARK_DOWN } marker;

typedef struct nparser {
	const char *path;
	int line;
	tc_error *err;
} nparser;

/* Fail with "PATH:LINE: what"; the caller adds a hint. */
#define nerr(p, ...) tc_fail_at((p)->err, TC_ERR_USAGE, (p)->path, (p)->line, __VA_ARGS__)

/* Is the line [b, e) a "-- migrate:WORD [options]" marker? Like dbmate,
 * blanks may follow the "--"; unlike it, an unknown WORD is an error, so
 * that "-- migrate:dwon" does not quietly run the down SQL as part of up. */
static tc_status read_marker(nparser *p, const char *b, const char *e, marker *m, bool *no_tx)
{
	*m = MARK_NONE;
	while (b < e && is_blank(*b))
		b++;
	if (e - b < 2 || b[0] != '-' || b[1] != '-')
		return TC_OK;
	b += 2;
	while (b < e && is_blank(*b))
		b++;
	static const char prefix[] = "migrate:";
	size_t plen = sizeof prefix - 1;
	if ((size_t)(e - b) < plen || memcmp(b, prefix, plen) != 0)
		return TC_OK;
	const char *wb = b + plen, *we = wb;
	while (we < e && !is_blank(*we))
		we++;
	size_t wn = (size_t)(we - wb);
	const char *which;
	if (wn == 2 && memcmp(wb, "up", 2) == 0) {
		*m = MARK_UP;
		which = "-- migrate:up";
	} else if (wn == 4 && memcmp(wb, "down", 4) == 0) {
		*m = MARK_DOWN;
		which = "-- migrate:down";
	} else {
		nerr(p, "unknown marker '-- migrate:%.*s'", (int)wn, wb);
		tc_hint(p->err, "the markers are '-- migrate:up' and '-- migrate:down'");
		return TC_ERR_USAGE;
	}
	*no_tx = false;
	for (const char *c = we; c < e;) {
		while (c < e && is_blank(*c))
			c++;
		const char *ob = c;
		while (c < e && !is_blank(*c))
			c++;
		size_t on = (size_t)(c - ob);
		if (on == 0)
			break;
		if (on == 17 && memcmp(ob, "transaction:false", 17) == 0) {
			*no_tx = true;
		} else if (on == 16 && memcmp(ob, "transaction:true", 16) == 0) {
			*no_tx = false;
		} else {
			nerr(p, "unknown option '%.*s' on the '%s' line", (int)on, ob, which);
			tc_hint(p->err, "the only option is transaction:false (run the section outside "
					"a transaction)");
			return TC_ERR_USAGE;
		}
	}
	return TC_OK;
}

/* Split a native file into its sections. */
static tc_status parse_native(const char *path, const strbuf *text, mig_file *m, tc_error *err)
{
	nparser p = {path, 0, err};
	const char *start = text->data, *end = text->data + text->len;
	const char *up_b = NULL, *up_mark = NULL, *down_b = NULL, *down_mark = NULL;
	int up_mark_line = 0, down_mark_line = 0;
	bool up_no_tx = false, down_no_tx = false;

	for (const char *c = start; c < end;) {
		p.line++;
		const char *le = c;
		while (le < end && *le != '\n' && *le != '\r')
			le++;
		const char *next = le;
		if (next < end)
			next += (*next == '\r' && next + 1 < end && next[1] == '\n') ? 2 : 1;
		marker mk;
		bool nt = false;
		if (read_marker(&p, c, le, &mk, &nt) != TC_OK)
			return TC_ERR_USAGE;
		if (mk == MARK_UP) {
			if (up_mark) {
				nerr(&p, "second '-- migrate:up' line (the first is on line %d)",
				     up_mark_line);
				tc_hint(err, "a file holds one migration; split it into two files");
				return TC_ERR_USAGE;
			}
			up_mark = c;
			up_b = next;
			up_mark_line = p.line;
			up_no_tx = nt;
		} else if (mk == MARK_DOWN) {
			if (down_mark) {
				nerr(&p, "second '-- migrate:down' line (the first is on line %d)",
				     down_mark_line);
				tc_hint(err, "a file holds one migration; split it into two files");
				return TC_ERR_USAGE;
			}
			if (!up_mark) {
				nerr(&p, "'-- migrate:down' before any '-- migrate:up' line");
				tc_hint(err, "put the up section first: '-- migrate:up', its SQL, then "
					     "'-- migrate:down' and the SQL that undoes it");
				return TC_ERR_USAGE;
			}
			down_mark = c;
			down_b = next;
			down_mark_line = p.line;
			down_no_tx = nt;
		}
		c = next;
	}
	if (!up_mark) {
		tc_fail(err, TC_ERR_USAGE, "%s: no '-- migrate:up' line", path);
		if (has_suffix(path, ".up.sql") || has_suffix(path, ".down.sql"))
			tc_hint(err, "this looks like a golang-migrate file: use --format golang-migrate "
				     "(or add '-- migrate:up' above the SQL)");
		else
			tc_hint(err, "add a line '-- migrate:up' above the SQL (and, optionally, "
				     "'-- migrate:down' above the SQL that undoes it)");
		return TC_ERR_USAGE;
	}
	/* Only comments may come before the up marker: SQL there would belong
	 * to neither section. */
	const char *stray = first_sql(start, up_mark);
	if (stray) {
		p.line = line_of(start, stray);
		nerr(&p, "SQL before the '-- migrate:up' line (line %d)", up_mark_line);
		tc_hint(err, "move it below '-- migrate:up', or comment it out");
		return TC_ERR_USAGE;
	}
	const char *up_e = down_mark ? down_mark : end;
	m->up_sql = xstrndup(up_b, (size_t)(up_e - up_b));
	m->up_line = up_mark_line + 1;
	m->no_tx = up_no_tx;
	/* A down section of comments only is no down: reverting must refuse
	 * rather than "succeed" doing nothing. */
	if (down_mark && first_sql(down_b, end)) {
		m->down_sql = xstrndup(down_b, (size_t)(end - down_b));
		m->down_path = xstrdup(path);
		m->down_line = down_mark_line + 1;
		m->down_no_tx = down_no_tx;
	}
	return TC_OK;
}

/* ------------------------------------------------------------ loading */

static mig_file *add_file(mig_dir *d)
{
	d->files = xgrow(d->files, &d->cap, d->n + 1, sizeof *d->files);
	mig_file *m = &d->files[d->n++];
	memset(m, 0, sizeof *m);
	return m;
}

static void file_free(mig_file *m)
{
	free(m->version);
	free(m->name);
	free(m->up_path);
	free(m->down_path);
	free(m->up_sql);
	free(m->down_sql);
}

static tc_status bad_name(const entry *en, mig_format fmt, tc_error *err)
{
	const char *upper = looks_sql(en->name) && !has_suffix(en->name, ".sql")
				    ? "; the extension must be '.sql' in lower case"
				    : "";
	switch (fmt) {
	case MIG_FMT_GOLANG:
		tc_fail(err, TC_ERR_USAGE,
			"%s: file name does not fit golang-migrate's N_name.up.sql or "
			"N_name.down.sql%s",
			en->path, upper);
		tc_hint(err, "name migrations like 000001_add_users.up.sql and "
			     "000001_add_users.down.sql, or move other .sql files out of the folder");
		break;
	case MIG_FMT_FLYWAY:
		tc_fail(err, TC_ERR_USAGE,
			"%s: file name does not fit Flyway's V<version>__<description>.sql, "
			"U<version>__<description>.sql or R__<description>.sql%s",
			en->path, upper);
		tc_hint(err, "name migrations like V1.1__add_users.sql (two underscores); callbacks "
			     "and baseline (B) migrations are not supported; move other .sql files out "
			     "of the folder");
		break;
	default:
		tc_fail(err, TC_ERR_USAGE, "%s: file name does not fit %s's VERSION_name.sql%s",
			en->path, migsrc_format_name(fmt), upper);
		tc_hint(err, "name migrations like 20240101120000_add_users.sql (digits, '_', a "
			     "name, '.sql'), or move other .sql files out of the folder");
		break;
	}
	return TC_ERR_USAGE;
}

/* A file whose whole text is its SQL (golang-migrate, Flyway, prisma). */
static tc_status read_whole(const char *path, char **sql, tc_error *err)
{
	strbuf sb;
	if (read_text(path, &sb, err) != TC_OK)
		return TC_ERR_USAGE;
	*sql = sb.data ? sb_steal(&sb) : xstrdup("");
	return TC_OK;
}

static tc_status load_native(const listing *ls, mig_format fmt, mig_dir *d, tc_error *err)
{
	for (size_t i = 0; i < ls->n; i++) {
		const entry *en = &ls->v[i];
		if (en->is_dir || !looks_sql(en->name))
			continue;
		if (!en->is_file)
			return not_a_file(en, err);
		char *version, *name;
		if (!parse_native_name(en->name, &version, &name))
			return bad_name(en, fmt, err);
		mig_file *m = add_file(d);
		m->version = version;
		m->name = name;
		m->up_path = xstrdup(en->path);
		strbuf text;
		if (read_text(en->path, &text, err) != TC_OK)
			return TC_ERR_USAGE;
		tc_status st = parse_native(en->path, &text, m, err);
		sb_free(&text);
		if (st != TC_OK)
			return st;
	}
	return TC_OK;
}

/* A down (undo) file waiting for its up file. */
typedef struct pending_down {
	const entry *en; /* borrowed */
	char *version, *name;
} pending_down;

/* Attach each down file to the up file of the same version: the one with
 * the same name if there are several (duplicates), else the only one. */
static tc_status attach_downs(mig_dir *d, pending_down *downs, size_t n, mig_format fmt,
			      tc_error *err)
{
	const char *up_kind = fmt == MIG_FMT_FLYWAY ? "versioned (V)" : "up";
	const char *down_kind = fmt == MIG_FMT_FLYWAY ? "undo (U)" : "down";
	for (size_t i = 0; i < n; i++) {
		pending_down *pd = &downs[i];
		mig_file *match = NULL, *other = NULL;
		size_t candidates = 0;
		for (size_t j = 0; j < d->n; j++) {
			mig_file *m = &d->files[j];
			if (m->repeatable || migsrc_version_cmp(m->version, pd->version) != 0)
				continue;
			candidates++;
			if (strcmp(m->name, pd->name) == 0 && !match)
				match = m;
			else if (!other)
				other = m;
		}
		if (!match && candidates == 1)
			match = other;
		if (!match && candidates == 0) {
			tc_fail(err, TC_ERR_USAGE, "%s: %s migration %s has no %s migration", pd->en->path,
				down_kind, pd->version, up_kind);
			if (fmt == MIG_FMT_FLYWAY)
				tc_hint(err, "add V%s__%s.sql, or remove the undo file", pd->version,
					pd->en->name + 2 + strlen(pd->version) + 1);
			else
				tc_hint(err, "add %s_%s.up.sql, or remove the down file", pd->version,
					pd->name);
			return TC_ERR_USAGE;
		}
		if (!match) {
			tc_fail(err, TC_ERR_USAGE,
				"%s: cannot tell which of the %zu %s migrations of version %s it "
				"belongs to",
				pd->en->path, candidates, up_kind, pd->version);
			tc_hint(err, "give the %s file the same name as its %s file, and give the "
				     "duplicates versions of their own",
				down_kind, up_kind);
			return TC_ERR_USAGE;
		}
		if (match->down_path) {
			tc_fail(err, TC_ERR_USAGE, "%s: a second %s migration for %s (the first is %s)",
				pd->en->path, down_kind, match->up_path, match->down_path);
			tc_hint(err, "keep one of the two files");
			return TC_ERR_USAGE;
		}
		if (read_whole(pd->en->path, &match->down_sql, err) != TC_OK)
			return TC_ERR_USAGE;
		match->down_path = xstrdup(pd->en->path);
		match->down_line = 1;
	}
	return TC_OK;
}

static void downs_free(pending_down *downs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(downs[i].version);
		free(downs[i].name);
	}
	free(downs);
}

/* golang-migrate and Flyway: up and down in files of their own. */
static tc_status load_split(const listing *ls, mig_format fmt, mig_dir *d, tc_error *err)
{
	pending_down *downs = NULL;
	size_t ndowns = 0, cap = 0;
	tc_status st = TC_OK;
	for (size_t i = 0; i < ls->n && st == TC_OK; i++) {
		const entry *en = &ls->v[i];
		if (en->is_dir || !looks_sql(en->name))
			continue;
		if (!en->is_file) {
			st = not_a_file(en, err);
			break;
		}
		char *version = NULL, *name = NULL;
		bool down = false, repeatable = false;
		char kind = 0;
		bool ok;
		if (fmt == MIG_FMT_GOLANG) {
			ok = parse_golang_name(en->name, &version, &name, &down);
		} else {
			ok = parse_flyway_name(en->name, &kind, &version, &name);
			down = kind == 'U';
			repeatable = kind == 'R';
		}
		if (!ok) {
			st = bad_name(en, fmt, err);
			break;
		}
		if (down) {
			downs = xgrow(downs, &cap, ndowns + 1, sizeof *downs);
			downs[ndowns++] = (pending_down){en, version, name};
			continue;
		}
		mig_file *m = add_file(d);
		m->version = version;
		m->name = name;
		m->repeatable = repeatable;
		m->up_path = xstrdup(en->path);
		m->up_line = 1;
		st = read_whole(en->path, &m->up_sql, err);
	}
	if (st == TC_OK)
		st = attach_downs(d, downs, ndowns, fmt, err);
	downs_free(downs, ndowns);
	return st;
}

static tc_status load_prisma(const listing *ls, mig_dir *d, tc_error *err)
{
	for (size_t i = 0; i < ls->n; i++) {
		const entry *en = &ls->v[i];
		/* Top-level files (migration_lock.toml) are prisma's own. */
		if (!en->is_dir)
			continue;
		char *version, *name;
		if (!parse_prisma_name(en->name, &version, &name)) {
			tc_fail(err, TC_ERR_USAGE,
				"%s: folder name does not fit prisma's TIMESTAMP_name (14 digits, '_', "
				"a name)",
				en->path);
			tc_hint(err, "rename the folder, or move it out of the migrations folder");
			return TC_ERR_USAGE;
		}
		mig_file *m = add_file(d);
		m->version = version;
		m->name = name;
		m->up_path = path_join(en->path, "migration.sql");
		m->up_line = 1;
		struct stat stt;
		if (stat(m->up_path, &stt) != 0 && errno == ENOENT) {
			tc_fail(err, TC_ERR_USAGE, "%s: migration folder without a migration.sql",
				en->path);
			tc_hint(err, "prisma keeps each migration's SQL in FOLDER/migration.sql; add "
				     "the file or remove the folder");
			return TC_ERR_USAGE;
		}
		if (stat(m->up_path, &stt) == 0 && !S_ISREG(stt.st_mode)) {
			tc_fail(err, TC_ERR_USAGE, "%s is not a regular file", m->up_path);
			tc_hint(err, "prisma keeps each migration's SQL in the file FOLDER/migration.sql");
			return TC_ERR_USAGE;
		}
		if (read_whole(m->up_path, &m->up_sql, err) != TC_OK)
			return TC_ERR_USAGE;
	}
	return TC_OK;
}

/* Versions in order, repeatables after them by name; the path breaks ties
 * so the order never depends on the file system. */
static int file_key_cmp(const mig_file *a, const mig_file *b)
{
	if (a->repeatable != b->repeatable)
		return a->repeatable ? 1 : -1;
	if (a->repeatable)
		return strcmp(a->name, b->name);
	return migsrc_version_cmp(a->version, b->version);
}

static int file_cmp(const void *pa, const void *pb)
{
	const mig_file *a = pa, *b = pb;
	int c = file_key_cmp(a, b);
	return c ? c : strcmp(a->up_path, b->up_path);
}

tc_status migsrc_load(const char *dir, mig_format fmt, mig_dir *out, tc_error *err)
{
	*out = (mig_dir){MIG_FMT_AUTO, NULL, NULL, 0, 0};
	if (!dir || !*dir) {
		tc_fail(err, TC_ERR_USAGE, "no migrations folder given");
		missing_dir_hint(err);
		return TC_ERR_USAGE;
	}
	listing ls;
	if (list_dir(dir, &ls, err) != TC_OK)
		return TC_ERR_USAGE;
	tc_status st = TC_OK;
	if (fmt == MIG_FMT_AUTO) {
		st = detect_listing(dir, &ls, &fmt, err);
		/* Nothing recognisable: read as native, which reports any stray
		 * .sql file rather than showing an empty folder. */
		if (fmt == MIG_FMT_AUTO)
			fmt = MIG_FMT_NATIVE;
	}
	mig_dir d = {fmt, xstrdup(dir), NULL, 0, 0};
	if (st == TC_OK) {
		switch (fmt) {
		case MIG_FMT_GOLANG:
		case MIG_FMT_FLYWAY:
			st = load_split(&ls, fmt, &d, err);
			break;
		case MIG_FMT_PRISMA:
			st = load_prisma(&ls, &d, err);
			break;
		default:
			st = load_native(&ls, fmt, &d, err);
			break;
		}
	}
	listing_free(&ls);
	if (st != TC_OK) {
		migsrc_free(&d);
		return st;
	}
	if (d.n > 1)
		qsort(d.files, d.n, sizeof *d.files, file_cmp);
	for (size_t i = 0; i < d.n; i++) {
		if (i > 0 && file_key_cmp(&d.files[i - 1], &d.files[i]) == 0)
			d.files[i - 1].duplicate = d.files[i].duplicate = true;
		sha256_sql_hex(d.files[i].up_sql, d.files[i].checksum);
	}
	*out = d;
	return TC_OK;
}

void migsrc_free(mig_dir *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		file_free(&d->files[i]);
	free(d->files);
	free(d->dir);
	*d = (mig_dir){MIG_FMT_AUTO, NULL, NULL, 0, 0};
}

/* ------------------------------------------------------------ new */

/* Lower-case ASCII letters and digits; every run of anything else becomes
 * one '_'; no '_' at either end. Caller frees; NULL when nothing is left. */
static char *sanitize_name(const char *name)
{
	strbuf sb = STRBUF_INIT;
	bool gap = false;
	for (const char *c = name; *c; c++) {
		char ch = *c;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || is_digit(ch)) {
			if (gap && sb.len)
				sb_addc(&sb, '_');
			sb_addc(&sb, ch);
			gap = false;
		} else {
			gap = true;
		}
	}
	if (!sb.len)
		return NULL;
	return sb_steal(&sb);
}

/* digits + 1, at least `width` digits (zero-padded); caller frees. */
static char *digits_plus_one(const char *digits, size_t n, size_t width)
{
	while (n > 1 && *digits == '0')
		digits++, n--;
	strbuf sb = STRBUF_INIT;
	sb_addn(&sb, digits, n);
	char *s = sb.data;
	size_t i = n;
	for (;;) {
		if (i == 0) {
			/* carry out of the top digit: 99 + 1 = 100 */
			sb_addc(&sb, '0');
			s = sb.data;
			memmove(s + 1, s, sb.len - 1);
			s[0] = '1';
			break;
		}
		i--;
		if (s[i] == '9') {
			s[i] = '0';
			continue;
		}
		s[i]++;
		break;
	}
	strbuf out = STRBUF_INIT;
	for (size_t k = sb.len; k < width; k++)
		sb_addc(&out, '0');
	sb_add(&out, sb_str(&sb));
	sb_free(&sb);
	return sb_steal(&out);
}

/* The current UTC time as YYYYMMDDHHMMSS; caller frees. */
static char *utc_stamp(void)
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[32];
	if (!gmtime_r(&now, &tm) || strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm) == 0)
		return xstrdup("19700101000000");
	return xstrdup(buf);
}

/* The next version for the folder's format, from the names alone (a
 * malformed file elsewhere must not stop an operator adding one). */
static char *next_version(const listing *ls, mig_format fmt)
{
	char *last = NULL;  /* the largest version (or major, for Flyway) */
	size_t width = 0;   /* zero-padded width in use, 0: none */
	for (size_t i = 0; i < ls->n; i++) {
		const entry *en = &ls->v[i];
		char *v = NULL, *name = NULL;
		bool ok = false, down;
		char kind;
		switch (fmt) {
		case MIG_FMT_GOLANG:
			ok = en->is_file && parse_golang_name(en->name, &v, &name, &down);
			break;
		case MIG_FMT_FLYWAY:
			ok = en->is_file && parse_flyway_name(en->name, &kind, &v, &name) && kind != 'R';
			if (ok)
				v[count_digits(v)] = '\0'; /* the major part */
			break;
		case MIG_FMT_PRISMA:
			ok = en->is_dir && parse_prisma_name(en->name, &v, &name);
			break;
		default:
			ok = en->is_file && parse_native_name(en->name, &v, &name);
			break;
		}
		free(name);
		if (!ok) {
			free(v);
			continue;
		}
		size_t vl = strlen(v);
		if (vl > 1 && v[0] == '0' && vl > width)
			width = vl;
		if (!last || migsrc_version_cmp(v, last) > 0) {
			free(last);
			last = v;
		} else {
			free(v);
		}
	}
	char *next;
	if (fmt == MIG_FMT_GOLANG || fmt == MIG_FMT_FLYWAY) {
		next = last ? digits_plus_one(last, strlen(last), width) : xstrdup("1");
	} else {
		/* A timestamp, unless the clock is behind the newest file (a
		 * colleague's clock, or a hand-picked version): order wins. */
		next = utc_stamp();
		if (last && migsrc_version_cmp(next, last) <= 0) {
			free(next);
			next = digits_plus_one(last, strlen(last), strlen(last));
		}
	}
	free(last);
	return next;
}

/* Create a file that must not exist yet. */
static tc_status create_file(const char *path, const char *text, tc_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		int e = errno;
		if (e == EEXIST) {
			tc_fail(err, TC_ERR_USAGE, "%s already exists; not overwriting it", path);
			tc_hint(err, "move the existing file away, or try again");
		} else {
			tc_fail(err, TC_ERR_USAGE, "cannot create %s: %s", path, strerror(e));
			tc_hint(err, "check that the migrations folder is writable");
		}
		return TC_ERR_USAGE;
	}
	size_t len = strlen(text), done = 0;
	int e = 0;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			break;
		}
		done += (size_t)w;
	}
	if (close(fd) != 0 && !e)
		e = errno;
	if (e) {
		unlink(path);
		tc_fail(err, TC_ERR_USAGE, "cannot write %s: %s", path, strerror(e));
		tc_hint(err, "check the free space and permissions of the migrations folder");
		return TC_ERR_USAGE;
	}
	return TC_OK;
}

tc_status migsrc_new(const char *dir, mig_format fmt, const char *name, char **path,
		     tc_error *err)
{
	*path = NULL;
	char *clean = name ? sanitize_name(name) : NULL;
	if (!clean) {
		tc_fail(err, TC_ERR_USAGE, "migration name '%s' has no letters or digits",
			name ? name : "");
		tc_hint(err, "name the migration after what it does, e.g. add_users_email");
		return TC_ERR_USAGE;
	}
	if (!dir || !*dir) {
		free(clean);
		tc_fail(err, TC_ERR_USAGE, "no migrations folder given");
		missing_dir_hint(err);
		return TC_ERR_USAGE;
	}
	listing ls;
	if (list_dir(dir, &ls, err) != TC_OK) {
		free(clean);
		return TC_ERR_USAGE;
	}
	if (fmt == MIG_FMT_AUTO) {
		if (detect_listing(dir, &ls, &fmt, err) != TC_OK) {
			listing_free(&ls);
			free(clean);
			return TC_ERR_USAGE;
		}
		if (fmt == MIG_FMT_AUTO)
			fmt = MIG_FMT_NATIVE;
	}
	char *version = next_version(&ls, fmt);
	listing_free(&ls);

	tc_status st = TC_OK;
	char *file = NULL;
	switch (fmt) {
	case MIG_FMT_GOLANG: {
		char *up = xasprintf("%s_%s.up.sql", version, clean);
		char *down = xasprintf("%s_%s.down.sql", version, clean);
		file = path_join(dir, up);
		char *down_path = path_join(dir, down);
		st = create_file(file, "", err);
		if (st == TC_OK) {
			st = create_file(down_path, "", err);
			if (st != TC_OK)
				unlink(file); /* both or neither */
		}
		free(down_path);
		free(up);
		free(down);
		break;
	}
	case MIG_FMT_FLYWAY: {
		char *fn = xasprintf("V%s__%s.sql", version, clean);
		file = path_join(dir, fn);
		free(fn);
		st = create_file(file, "", err);
		break;
	}
	case MIG_FMT_PRISMA: {
		char *fn = xasprintf("%s_%s", version, clean);
		char *folder = path_join(dir, fn);
		free(fn);
		if (mkdir(folder, 0777) != 0) {
			int e = errno;
			if (e == EEXIST) {
				tc_fail(err, TC_ERR_USAGE, "%s already exists; not overwriting it", folder);
				tc_hint(err, "move the existing folder away, or try again");
			} else {
				tc_fail(err, TC_ERR_USAGE, "cannot create %s: %s", folder, strerror(e));
				tc_hint(err, "check that the migrations folder is writable");
			}
			st = TC_ERR_USAGE;
		} else {
			file = path_join(folder, "migration.sql");
			/* What `prisma migrate dev --create-only` writes. */
			st = create_file(file, "-- This is an empty migration.\n", err);
			if (st != TC_OK)
				rmdir(folder);
		}
		free(folder);
		break;
	}
	default: {
		char *fn = xasprintf("%s_%s.sql", version, clean);
		file = path_join(dir, fn);
		free(fn);
		st = create_file(file, "-- migrate:up\n\n\n-- migrate:down\n\n", err);
		break;
	}
	}
	free(version);
	free(clean);
	if (st != TC_OK) {
		free(file);
		return st;
	}
	*path = file;
	return TC_OK;
}
