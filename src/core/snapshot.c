#include "config.h"

#include "snapshot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lex.h"
#include "xalloc.h"

#define SNAP_MAGIC "tenantctl-schema-snapshot "
#define NOT_READ_PREFIX "# not read: "

/* ------------------------------------------------------------ writing */

/* Backslash, newline and carriage return escaped; a tab stays literal. */
static void add_escaped(strbuf *sb, const char *s)
{
	const char *run = s;
	for (; *s; s++) {
		const char *esc = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : NULL;
		if (!esc)
			continue;
		sb_addn(sb, run, (size_t)(s - run));
		sb_addn(sb, esc, 2);
		run = s + 1;
	}
	sb_addn(sb, run, (size_t)(s - run));
}

/* The operator without its trailing space: an empty value is written
 * "KEY =", so no line ends in a space the writer did not have to put there. */
static const char *attr_op(unsigned flags)
{
	if (flags & SCH_DEPARSED)
		return " ~=";
	if (flags & SCH_INFO)
		return " :=";
	return " =";
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void snapshot_write(const sch_model *m, strbuf *out)
{
	/* Always the current format: this writer knows no other. */
	sb_addf(out, "%s%d server %d\n", SNAP_MAGIC, SCH_FORMAT_VERSION, m->server_major);
	for (size_t i = 0; i < m->n_not_read; i++) {
		sb_add(out, NOT_READ_PREFIX);
		add_escaped(out, m->not_read[i]);
		sb_addc(out, '\n');
	}

	/* Build every line (NUL-terminated, in one buffer), then sort them as a
	 * whole: the bytes then depend only on what the model holds, never on
	 * the order it was filled in or whether it was sorted. */
	size_t nlines = 0;
	for (size_t i = 0; i < m->n; i++)
		nlines += 1 + m->objs[i].n;
	size_t *offs = xmalloc((nlines ? nlines : 1) * sizeof *offs);
	strbuf buf = STRBUF_INIT;
	size_t l = 0;
	for (size_t i = 0; i < m->n; i++) {
		const sch_obj *o = &m->objs[i];
		offs[l++] = buf.len;
		sb_add(&buf, o->kind);
		sb_addc(&buf, ' ');
		sb_add(&buf, o->name);
		sb_addc(&buf, '\0');
		for (size_t k = 0; k < o->n; k++) {
			const sch_attr *a = &o->attrs[k];
			offs[l++] = buf.len;
			sb_add(&buf, o->kind);
			sb_addc(&buf, ' ');
			sb_add(&buf, o->name);
			sb_addc(&buf, ' ');
			sb_add(&buf, a->key);
			sb_add(&buf, attr_op(a->flags));
			if (a->value[0]) {
				sb_addc(&buf, ' ');
				add_escaped(&buf, a->value);
			}
			sb_addc(&buf, '\0');
		}
	}
	char **lines = xmalloc((nlines ? nlines : 1) * sizeof *lines);
	bool sorted = true;
	for (size_t i = 0; i < nlines; i++) {
		lines[i] = buf.data + offs[i];
		if (i && sorted && strcmp(lines[i - 1], lines[i]) > 0)
			sorted = false;
	}
	free(offs);
	/* A sorted model already gives sorted lines; skip the sort then. */
	if (!sorted)
		qsort(lines, nlines, sizeof *lines, cmp_line);
	for (size_t i = 0; i < nlines; i++) {
		sb_add(out, lines[i]);
		sb_addc(out, '\n');
	}
	free(lines);
	sb_free(&buf);
}

/* ------------------------------------------------------------ parsing */

typedef struct slot {
	size_t idx1; /* object index + 1; 0 for an empty slot */
	uint64_t hash;
	int line;    /* where the object's line was */
} slot;

typedef struct parser {
	const char *path;
	int line;
	tc_error *err;
	sch_model *m;
	/* (kind, name) -> object: attribute lines whose object is not the one
	 * just read (hand-edited or unsorted files) and duplicate objects,
	 * without a search per line. */
	slot *slots;
	size_t nslots; /* a power of two, at least twice the objects */
	size_t cur;    /* the object of the previous object or attribute line + 1 */
	strbuf kind, name, value;
} parser;

static uint64_t hash_obj(const char *kind, size_t kn, const char *name, size_t nn)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < kn; i++)
		h = (h ^ (unsigned char)kind[i]) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull; /* no kind+name split looks like another */
	for (size_t i = 0; i < nn; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
	return h;
}

static void map_put(parser *ps, slot s)
{
	size_t mask = ps->nslots - 1;
	size_t i = (size_t)s.hash & mask;
	while (ps->slots[i].idx1)
		i = (i + 1) & mask;
	ps->slots[i] = s;
}

static void map_grow(parser *ps)
{
	if (ps->nslots && (ps->m->n + 1) * 2 <= ps->nslots)
		return;
	slot *old = ps->slots;
	size_t nold = ps->nslots;
	ps->nslots = nold ? nold * 2 : 1024;
	ps->slots = xcalloc(ps->nslots, sizeof *ps->slots);
	for (size_t i = 0; i < nold; i++)
		if (old[i].idx1)
			map_put(ps, old[i]);
	free(old);
}

static bool span_is(const char *s, const char *p, size_t n)
{
	return strncmp(s, p, n) == 0 && s[n] == '\0';
}

/* The slot of (kind, name), or NULL. */
static slot *map_get(parser *ps, const char *kind, size_t kn, const char *name, size_t nn)
{
	if (!ps->nslots)
		return NULL;
	uint64_t h = hash_obj(kind, kn, name, nn);
	size_t mask = ps->nslots - 1;
	for (size_t i = (size_t)h & mask; ps->slots[i].idx1; i = (i + 1) & mask) {
		slot *s = &ps->slots[i];
		const sch_obj *o = &ps->m->objs[s->idx1 - 1];
		if (s->hash == h && span_is(o->kind, kind, kn) && span_is(o->name, name, nn))
			return s;
	}
	return NULL;
}

/* tc_fail_at on the current line, with a hint when given. */
static tc_status fail(parser *ps, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static tc_status fail(parser *ps, const char *hint, const char *fmt, ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	tc_fail_at(ps->err, TC_ERR_USAGE, ps->path, ps->line, "%s", sb_str(&sb));
	sb_free(&sb);
	if (hint)
		tc_hint(ps->err, "%s", hint);
	return TC_ERR_USAGE;
}

static bool is_bare_start(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_bare(char c)
{
	return is_bare_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* A byte for a message: itself when printable, else \xNN. */
static const char *show_byte(char c, char buf[8])
{
	unsigned char u = (unsigned char)c;
	if (u > 0x20 && u < 0x7f)
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\x%02x", u);
	return buf;
}

#define HINT_QUOTE                                                                                 \
	"names are dot-separated lower-case words; put any other identifier in double quotes, "    \
	"with \"\" for a quote inside it"

/* Skip a quoted identifier whose opening quote is at *pp. */
static tc_status scan_quoted(parser *ps, const char **pp, const char *end, const char *what)
{
	const char *p = *pp + 1, *start = p;
	for (;;) {
		if (p == end)
			return fail(ps, "end it with '\"'; write \"\" for a quote inside it",
				    "unterminated quoted identifier in the %s", what);
		if (*p == '"') {
			if (p + 1 < end && p[1] == '"') {
				p += 2;
				continue;
			}
			break;
		}
		p++;
	}
	if (p == start)
		return fail(ps, "an identifier has at least one character",
			    "empty quoted identifier \"\" in the %s", what);
	*pp = p + 1;
	return TC_OK;
}

/* Scan a name (args: with a function's "(...)") or an attribute key starting
 * at *pp: dot-separated parts, each bare or double-quoted. It ends at a
 * space outside quotes and parentheses, or at the end of the line. */
static tc_status scan_name(parser *ps, const char **pp, const char *end, bool args, const char *what)
{
	const char *p = *pp;
	char b[8];
	for (;;) {
		if (p < end && *p == '"') {
			tc_status st = scan_quoted(ps, &p, end, what);
			if (st != TC_OK)
				return st;
		} else if (p < end && is_bare_start(*p)) {
			while (p < end && is_bare(*p))
				p++;
		} else if (p == end || *p == ' ') {
			return fail(ps, HINT_QUOTE, "missing part in the %s %.*s", what, (int)(p - *pp), *pp);
		} else {
			const char *sp = memchr(p, ' ', (size_t)(end - p));
			return fail(ps, HINT_QUOTE, "unexpected '%s' in the %s %.*s", show_byte(*p, b), what,
				    (int)((sp ? sp : end) - *pp), *pp);
		}
		if (p < end && *p == '.') {
			p++;
			continue;
		}
		break;
	}
	if (args && p < end && *p == '(') {
		const char *open = p;
		int depth = 0;
		for (;;) {
			if (p == end)
				return fail(ps, "close every '(' of the argument list with ')'",
					    "unbalanced parentheses in the argument list %.*s of the %s",
					    (int)(end - open), open, what);
			if (*p == '"') {
				tc_status st = scan_quoted(ps, &p, end, what);
				if (st != TC_OK)
					return st;
				continue;
			}
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
			p++;
		}
	}
	if (p < end && *p != ' ')
		return fail(ps,
			    *p == ')' ? "close every '(' of the argument list with ')', once" : HINT_QUOTE,
			    "unexpected '%s' after the %s %.*s", show_byte(*p, b), what, (int)(p - *pp),
			    *pp);
	*pp = p;
	return TC_OK;
}

/* Undo add_escaped into out. NULL when fine, else the bad backslash. */
static const char *unescape(const char *p, const char *end, strbuf *out)
{
	sb_reset(out);
	sb_addn(out, "", 0); /* data is non-NULL even for an empty value */
	while (p < end) {
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		if (!bs) {
			sb_addn(out, p, (size_t)(end - p));
			break;
		}
		sb_addn(out, p, (size_t)(bs - p));
		if (bs + 1 == end)
			return bs;
		switch (bs[1]) {
		case '\\':
			sb_addc(out, '\\');
			break;
		case 'n':
			sb_addc(out, '\n');
			break;
		case 'r':
			sb_addc(out, '\r');
			break;
		default:
			return bs;
		}
		p = bs + 2;
	}
	return NULL;
}

/* The place is named by where + what (what: a key, not NUL-terminated). */
static tc_status bad_escape(parser *ps, const char *bs, const char *end, const char *where,
			    const char *what, size_t whatlen)
{
	char b[8];
	if (bs + 1 == end)
		return fail(ps, "write \\\\ for a backslash", "%s%.*s ends in a lone backslash", where,
			    (int)whatlen, what);
	return fail(ps,
		    "in values write \\\\ for a backslash, \\n for a newline and \\r for a carriage "
		    "return; nothing else is escaped",
		    "bad escape '\\%s' in %s%.*s", show_byte(bs[1], b), where, (int)whatlen, what);
}

/* "tenantctl-schema-snapshot VERSION server MAJOR"; digits only. */
static bool read_int(const char **pp, const char *end, int *out)
{
	const char *p = *pp;
	long v = 0;
	while (p < end && *p >= '0' && *p <= '9' && p - *pp < 9)
		v = v * 10 + (*p++ - '0');
	if (p == *pp || (p < end && *p >= '0' && *p <= '9'))
		return false;
	*out = (int)v;
	*pp = p;
	return true;
}

static tc_status parse_header(parser *ps, const char *p, const char *end)
{
	static const char server[] = " server ";
	const size_t ml = sizeof SNAP_MAGIC - 1, sl = sizeof server - 1;
	int version = 0, major = 0;
	bool ok = (size_t)(end - p) > ml && memcmp(p, SNAP_MAGIC, ml) == 0;
	if (ok) {
		p += ml;
		ok = read_int(&p, end, &version) && version >= 1 && (size_t)(end - p) > sl &&
		     memcmp(p, server, sl) == 0;
	}
	if (ok) {
		p += sl;
		ok = read_int(&p, end, &major) && p == end;
	}
	if (!ok)
		return fail(ps,
			    "a snapshot's first line is 'tenantctl-schema-snapshot VERSION server MAJOR'; "
			    "write one with 'tenantctl schema dump -o FILE'",
			    "not a tenantctl schema snapshot");
	if (version > SCH_FORMAT_VERSION) {
		fail(ps, NULL, "snapshot format version %d is newer than this tenantctl reads (up to %d)",
		     version, SCH_FORMAT_VERSION);
		tc_hint(ps->err,
			"upgrade tenantctl, or write the snapshot again with this version's "
			"'tenantctl schema dump'");
		return TC_ERR_USAGE;
	}
	ps->m->format_version = version;
	ps->m->server_major = major;
	return TC_OK;
}

/* An attribute line came before (or without) its object's line: say which. */
static tc_status orphan(parser *ps, const char *kind, size_t kn, const char *name, size_t nn,
			const char *rest, const char *end)
{
	int line = ps->line;
	for (const char *p = rest; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		if (le > p && le[-1] == '\r')
			le--;
		if ((size_t)(le - p) == kn + 1 + nn && memcmp(p, kind, kn) == 0 && p[kn] == ' ' &&
		    memcmp(p + kn + 1, name, nn) == 0) {
			fail(ps, NULL, "attribute of %.*s %.*s comes before the object's own line (line %d)",
			     (int)kn, kind, (int)nn, name, line);
			tc_hint(ps->err,
				"move line %d above its attributes, or write the file again with "
				"'tenantctl schema dump'",
				line);
			return TC_ERR_USAGE;
		}
		p = nl ? nl + 1 : end;
	}
	fail(ps, NULL, "attribute of %.*s %.*s, which has no line of its own", (int)kn, kind, (int)nn,
	     name);
	tc_hint(ps->err,
		"add the line '%.*s %.*s' above it (every object has a line of its own), or delete the "
		"attribute",
		(int)kn, kind, (int)nn, name);
	return TC_ERR_USAGE;
}

/* strcmp(s, key) with key not NUL-terminated. */
static int cmp_span(const char *s, const char *key, size_t keylen)
{
	int c = strncmp(s, key, keylen);
	return c ? c : s[keylen] ? 1 : 0;
}

/* Add key to o, keeping o's attributes sorted; false when o has it already.
 * A sorted file gives keys in increasing order: one comparison, an append.
 * Out of order (a hand edit), a binary search and an insert. */
static bool add_attr(sch_obj *o, const char *key, size_t keylen, const strbuf *value, unsigned flags)
{
	size_t at = o->n;
	if (o->n && cmp_span(o->attrs[o->n - 1].key, key, keylen) >= 0) {
		size_t lo = 0, hi = o->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = cmp_span(o->attrs[mid].key, key, keylen);
			if (c == 0)
				return false;
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		at = lo;
	}
	o->attrs = xgrow(o->attrs, &o->cap, o->n + 1, sizeof *o->attrs);
	memmove(&o->attrs[at + 1], &o->attrs[at], (o->n - at) * sizeof *o->attrs);
	o->attrs[at] = (sch_attr){xstrndup(key, keylen), xstrndup(sb_str(value), value->len), flags};
	o->n++;
	return true;
}

static tc_status parse_line(parser *ps, const char *p, const char *end, const char *rest,
			    const char *text_end)
{
	if (*p == '#') {
		size_t pl = sizeof NOT_READ_PREFIX - 1;
		if ((size_t)(end - p) >= pl && memcmp(p, NOT_READ_PREFIX, pl) == 0) {
			const char *bs = unescape(p + pl, end, &ps->value);
			if (bs)
				return bad_escape(ps, bs, end, "the '# not read:' line", "", 0);
			sch_note_not_read(ps->m, sb_str(&ps->value));
		}
		return TC_OK;
	}
	const char *kind = p;
	while (p < end && ((*p >= 'a' && *p <= 'z') || *p == '-'))
		p++;
	if (p == kind || p == end || *p != ' ')
		return fail(ps,
			    "each line is 'KIND NAME' or 'KIND NAME KEY = VALUE' (KIND in lower case), a "
			    "comment starting with '#', or blank",
			    "expected 'KIND NAME' or 'KIND NAME KEY = VALUE'");
	size_t kn = (size_t)(p - kind);
	const char *name = ++p;
	tc_status st = scan_name(ps, &p, end, true, "name");
	if (st != TC_OK)
		return st;
	size_t nn = (size_t)(p - name);

	if (p == end) { /* an object line */
		map_grow(ps);
		slot *dup = map_get(ps, kind, kn, name, nn);
		if (dup) {
			fail(ps, NULL, "%.*s %.*s appears twice (first on line %d)", (int)kn, kind,
			     (int)nn, name, dup->line);
			tc_hint(ps->err, "keep one of the two, with its attribute lines");
			return TC_ERR_USAGE;
		}
		sb_reset(&ps->kind);
		sb_addn(&ps->kind, kind, kn);
		sb_reset(&ps->name);
		sb_addn(&ps->name, name, nn);
		sch_add(ps->m, ps->kind.data, ps->name.data);
		map_put(ps, (slot){ps->m->n, hash_obj(kind, kn, name, nn), ps->line});
		ps->cur = ps->m->n;
		return TC_OK;
	}

	const char *key = ++p;
	st = scan_name(ps, &p, end, false, "attribute name");
	if (st != TC_OK)
		return st;
	size_t keylen = (size_t)(p - key);
	unsigned flags = 0;
	const char *op = p + 1;
	size_t oplen = 0;
	if (p < end && op < end) {
		if (*op == '=')
			oplen = 1;
		else if (*op == '~' && op + 1 < end && op[1] == '=')
			oplen = 2, flags = SCH_DEPARSED;
		else if (*op == ':' && op + 1 < end && op[1] == '=')
			oplen = 2, flags = SCH_INFO;
	}
	if (!oplen || (op + oplen < end && op[oplen] != ' '))
		return fail(ps,
			    "write attributes as 'KIND NAME KEY = VALUE' (or ~= for deparsed text, := "
			    "for information)",
			    "expected ' = ', ' ~= ' or ' := ' after %.*s", (int)keylen, key);
	const char *val = op + oplen < end ? op + oplen + 1 : end;

	sch_obj *o = NULL;
	if (ps->cur) {
		o = &ps->m->objs[ps->cur - 1];
		if (!span_is(o->kind, kind, kn) || !span_is(o->name, name, nn))
			o = NULL;
	}
	if (!o) {
		/* Bytewise order can put another object's lines in between (a name
		 * that is a prefix of another); look the object up. */
		slot *s = map_get(ps, kind, kn, name, nn);
		if (!s)
			return orphan(ps, kind, kn, name, nn, rest, text_end);
		ps->cur = s->idx1;
		o = &ps->m->objs[s->idx1 - 1];
	}
	const char *bs = unescape(val, end, &ps->value);
	if (bs)
		return bad_escape(ps, bs, end, "the value of ", key, keylen);
	if (!add_attr(o, key, keylen, &ps->value, flags)) {
		fail(ps, NULL, "second value for attribute %.*s of %.*s %.*s", (int)keylen, key, (int)kn, kind,
		     (int)nn, name);
		tc_hint(ps->err, "keep one of the two lines");
		return TC_ERR_USAGE;
	}
	return TC_OK;
}

static bool blank(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t')
			return false;
	return true;
}

static tc_status parse_all(parser *ps, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	const char *nul = memchr(text, '\0', len);
	if (len == 0) {
		ps->line = 1;
		return fail(ps, "write a snapshot with 'tenantctl schema dump -o FILE'",
			    "empty file; not a tenantctl schema snapshot");
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		ps->line++;
		/* CRLF files (edited on Windows) read the same; the writer never
		 * ends a line in a raw carriage return. */
		const char *lend = le > p && le[-1] == '\r' ? le - 1 : le;
		tc_status st = TC_OK;
		if (ps->line == 1)
			st = parse_header(ps, p, lend);
		if (st == TC_OK && nul && nul >= p && nul < le)
			st = fail(ps, "a snapshot is plain text; is this the right file?",
				  "NUL byte in the file");
		if (st == TC_OK && ps->line > 1 && !blank(p, lend))
			st = parse_line(ps, p, lend, next, end);
		if (st != TC_OK)
			return st;
		p = next;
	}
	return TC_OK;
}

tc_status snapshot_parse(const char *text, size_t len, const char *path, sch_model *out,
			 tc_error *err)
{
	sch_init(out);
	parser ps = {.path = path, .err = err, .m = out};
	tc_status st = parse_all(&ps, text, len);
	free(ps.slots);
	sb_free(&ps.kind);
	sb_free(&ps.name);
	sb_free(&ps.value);
	if (st == TC_OK) {
		out->source = xstrdup(path);
		/* No duplicates are left by now; this sorts objects and attributes. */
		st = sch_sort(out, err);
	}
	if (st != TC_OK) {
		sch_free(out);
		sch_init(out);
	}
	return st;
}

tc_status snapshot_load(const char *path, sch_model *out, tc_error *err)
{
	sch_init(out);
	strbuf sb = STRBUF_INIT;
	tc_status st = lex_read_file(path, "snapshot",
				     "check the path, or write a snapshot with 'tenantctl schema dump "
				     "-o FILE'",
				     &sb, err);
	if (st == TC_OK)
		st = snapshot_parse(sb_str(&sb), sb.len, path, out, err);
	sb_free(&sb);
	return st;
}

int snapshot_looks_like(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char head[sizeof SNAP_MAGIC - 1];
	size_t n = fread(head, 1, sizeof head, f);
	fclose(f);
	return n == sizeof head && memcmp(head, SNAP_MAGIC, sizeof head) == 0;
}
