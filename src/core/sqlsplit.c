#include "config.h"

#include "sqlsplit.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "xalloc.h"

/*
 * Lexing follows the server's scanner (scan.l) and psql's statement
 * splitting (psqlscan.l), with these choices written down:
 *   - standard_conforming_strings is assumed on (the default since 9.1):
 *     in '...' a backslash is an ordinary character; only E'...' has
 *     backslash escapes;
 *   - a statement's text runs from the first character of its first token
 *     to the last character of its last token: comments before it (and
 *     after it, up to the ';') are not part of it, comments inside it are.
 *     So offset and line point at the statement's first keyword, and a
 *     caller may append to the text without a trailing "--" eating it;
 *   - like psql, a ';' inside parentheses does not end a statement
 *     (CREATE RULE ... DO (INSERT ...; INSERT ...) is valid SQL), so an
 *     unclosed '(' is reported here rather than silently swallowing the
 *     rest of the file;
 *   - BEGIN ATOMIC opens a body only in CREATE [OR REPLACE] FUNCTION or
 *     PROCEDURE, at parenthesis depth 0, and only when ATOMIC follows
 *     BEGIN (psql counts any BEGIN, which misreads a function named
 *     "begin"). Inside it CASE opens and END closes; END or CASE after '.'
 *     or AS is a column name, not a keyword;
 *   - lines end at LF, CRLF or a lone CR, as in sha256_sql_hex;
 *   - a UTF-8 byte order mark at the very start is skipped like blank space.
 */

typedef enum tok_kind {
	TK_WORD,   /* keyword or unquoted identifier */
	TK_QIDENT, /* "quoted identifier" or U&"..." */
	TK_STRING, /* any string literal, including dollar quotes */
	TK_OTHER,  /* number, $n parameter, operator or punctuation */
} tok_kind;

typedef struct token {
	tok_kind kind;
	size_t start, end;
	int line;
} token;

/* Enough for REINDEX (opts...) KIND CONCURRENTLY and a qualified ALTER TYPE
 * name; flags only ever look at a statement's leading tokens. */
#define LEAD_MAX 32

typedef struct splitter {
	const char *sql; /* borrowed */
	size_t pos;
	int line;
	int server_version_num;
	sql_script *out; /* borrowed */
	tc_error *err;   /* borrowed, may be NULL */

	/* The statement being gathered; n_tok == 0 while there is none. */
	size_t n_tok;
	token lead[LEAD_MAX];
	token prev; /* the latest token, for BEGIN ATOMIC and labels */
	size_t end; /* end of the latest token */
	int paren_depth, paren_line;
	int atomic_depth, atomic_line;
} splitter;

/* ------------------------------------------------------------ characters */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The server treats every byte >= 0x80 as a letter, so identifiers in any
 * server encoding work. */
static bool ident_start(char c)
{
	unsigned char u = (unsigned char)c;
	return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}

/* '$' continues an identifier, so "a$$b" is one word, not a dollar quote. */
static bool ident_cont(char c)
{
	return ident_start(c) || is_digit(c) || c == '$';
}

static bool dolq_cont(char c)
{
	return ident_start(c) || is_digit(c);
}

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Advance one byte, counting LF, CRLF (once) and a lone CR as line ends. */
static void step(splitter *sp)
{
	char c = sp->sql[sp->pos++];
	if (c == '\n' || (c == '\r' && sp->sql[sp->pos] != '\n'))
		sp->line++;
}

/* ---------------------------------------------------------------- tokens */

/* Keywords compare in ASCII only, as the server downcases them. */
static bool tok_is(const splitter *sp, const token *t, const char *text)
{
	size_t n = strlen(text);
	if (t->end - t->start != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(sp->sql[t->start + i]) != text[i])
			return false;
	return true;
}

static bool word_is(const splitter *sp, const token *t, const char *kw)
{
	return t->kind == TK_WORD && tok_is(sp, t, kw);
}

static bool punct_is(const splitter *sp, const token *t, char c)
{
	return t->kind == TK_OTHER && t->end - t->start == 1 && sp->sql[t->start] == c;
}

static const token *lead_tok(const splitter *sp, size_t i)
{
	size_t n = sp->n_tok < LEAD_MAX ? sp->n_tok : LEAD_MAX;
	return i < n ? &sp->lead[i] : NULL;
}

static bool lead_word(const splitter *sp, size_t i, const char *kw)
{
	const token *t = lead_tok(sp, i);
	return t && word_is(sp, t, kw);
}

static bool lead_punct(const splitter *sp, size_t i, char c)
{
	const token *t = lead_tok(sp, i);
	return t && punct_is(sp, t, c);
}

/* ---------------------------------------------------------------- errors */

static tc_status unterminated(splitter *sp, int line, const char *what, const char *hint)
{
	tc_fail(sp->err, TC_ERR_USAGE, "line %d: unterminated %s", line, what);
	tc_hint(sp->err, "%s", hint);
	return TC_ERR_USAGE;
}

/* --------------------------------------------------------------- scanners */

/* A '...' string or "..." identifier starting at sp->pos. A doubled quote
 * is an escaped quote; with `backslash` (E'...'), so is \' and a backslash
 * escapes whatever follows it. */
static tc_status scan_quoted(splitter *sp, char quote, bool backslash, int line)
{
	const char *s = sp->sql;
	step(sp);
	for (;;) {
		char c = s[sp->pos];
		if (c == '\0')
			break;
		if (backslash && c == '\\') {
			step(sp);
			if (s[sp->pos] == '\0')
				break;
			step(sp);
			continue;
		}
		step(sp);
		if (c == quote) {
			if (s[sp->pos] != quote)
				return TC_OK;
			step(sp);
		}
	}
	if (quote == '"')
		return unterminated(sp, line, "quoted identifier",
				    "end the identifier with a closing \"; "
				    "to put a \" inside it, double it (\"\")");
	if (backslash)
		return unterminated(sp, line, "string literal",
				    "end the string with a closing '; inside E'...' a backslash "
				    "escapes the next character, so look for a stray \\ before the quote");
	return unterminated(sp, line, "string literal",
			    "end the string with a closing '; to put a ' inside it, double it ('')");
}

/* At a '$': a $n parameter, a dollar quote, or a lone '$'. */
static tc_status scan_dollar(splitter *sp, token *t)
{
	const char *s = sp->sql;
	size_t p = sp->pos + 1;
	if (is_digit(s[p])) {
		while (is_digit(s[p]))
			p++;
		sp->pos = p;
		return TC_OK;
	}
	if (s[p] != '$') {
		/* A tag may not start with a digit ($1 above) and must end in '$'. */
		if (!ident_start(s[p])) {
			sp->pos++;
			return TC_OK;
		}
		while (dolq_cont(s[p]))
			p++;
		if (s[p] != '$') {
			sp->pos++;
			return TC_OK;
		}
	}
	const char *delim = s + sp->pos;
	size_t dlen = p + 1 - sp->pos;
	sp->pos = p + 1;
	/* The body is opaque: quotes, comments and other tags mean nothing. */
	while (s[sp->pos]) {
		if (s[sp->pos] == '$' && strncmp(s + sp->pos, delim, dlen) == 0) {
			sp->pos += dlen;
			t->kind = TK_STRING;
			return TC_OK;
		}
		step(sp);
	}
	tc_fail(sp->err, TC_ERR_USAGE, "line %d: unterminated dollar-quoted string %.*s", t->line,
		(int)dlen, delim);
	tc_hint(sp->err, "end the quoted text with %.*s, spelled exactly like the tag that opened it",
		(int)dlen, delim);
	return TC_ERR_USAGE;
}

/* At the opening slash-star: block comments nest, as in the server. */
static tc_status skip_block_comment(splitter *sp)
{
	const char *s = sp->sql;
	int line = sp->line;
	int depth = 1;
	sp->pos += 2;
	while (s[sp->pos]) {
		if (s[sp->pos] == '/' && s[sp->pos + 1] == '*') {
			depth++;
			sp->pos += 2;
		} else if (s[sp->pos] == '*' && s[sp->pos + 1] == '/') {
			sp->pos += 2;
			if (--depth == 0)
				return TC_OK;
		} else {
			step(sp);
		}
	}
	return unterminated(sp, line, "block comment",
			    "close the comment with */; block comments nest, so every /* "
			    "inside it needs its own */");
}

/* Any token that is not a comment, blank or statement-ending ';'. */
static tc_status scan_token(splitter *sp, token *t)
{
	const char *s = sp->sql;
	char c = s[sp->pos];
	t->kind = TK_OTHER;
	if (c == '\'') {
		t->kind = TK_STRING;
		return scan_quoted(sp, '\'', false, t->line);
	}
	if (c == '"') {
		t->kind = TK_QIDENT;
		return scan_quoted(sp, '"', false, t->line);
	}
	if (c == '$')
		return scan_dollar(sp, t);
	if (ident_start(c)) {
		size_t start = sp->pos;
		while (ident_cont(s[sp->pos]))
			sp->pos++;
		bool single = sp->pos - start == 1;
		if (single && (c == 'e' || c == 'E') && s[sp->pos] == '\'') {
			t->kind = TK_STRING;
			return scan_quoted(sp, '\'', true, t->line);
		}
		/* U&'...' and U&"..." take doubled quotes like their plain forms. */
		if (single && (c == 'u' || c == 'U') && s[sp->pos] == '&' &&
		    (s[sp->pos + 1] == '\'' || s[sp->pos + 1] == '"')) {
			sp->pos++;
			char quote = s[sp->pos];
			t->kind = quote == '"' ? TK_QIDENT : TK_STRING;
			return scan_quoted(sp, quote, false, t->line);
		}
		t->kind = TK_WORD;
		return TC_OK;
	}
	if (is_digit(c)) {
		/* Stops at '$', so "1$$x$$" is a number and a dollar quote. */
		while (is_digit(s[sp->pos]) || ident_start(s[sp->pos]))
			sp->pos++;
		return TC_OK;
	}
	sp->pos++; /* operator or punctuation, one byte at a time */
	return TC_OK;
}

/* ------------------------------------------------------------ statements */

static bool is_routine(const splitter *sp)
{
	if (!lead_word(sp, 0, "create"))
		return false;
	size_t i = lead_word(sp, 1, "or") && lead_word(sp, 2, "replace") ? 3 : 1;
	return lead_word(sp, i, "function") || lead_word(sp, i, "procedure");
}

/* SQL-standard bodies: semicolons between BEGIN ATOMIC and its END belong to
 * the CREATE statement. */
static void track_atomic(splitter *sp, const token *t)
{
	if (sp->atomic_depth > 0) {
		if (punct_is(sp, &sp->prev, '.') || word_is(sp, &sp->prev, "as"))
			return;
		if (word_is(sp, t, "case"))
			sp->atomic_depth++;
		else if (word_is(sp, t, "end"))
			sp->atomic_depth--;
		return;
	}
	if (sp->paren_depth == 0 && word_is(sp, t, "atomic") && word_is(sp, &sp->prev, "begin") &&
	    is_routine(sp)) {
		sp->atomic_depth = 1;
		sp->atomic_line = sp->prev.line;
	}
}

static void add_token(splitter *sp, const token *t)
{
	if (sp->n_tok < LEAD_MAX)
		sp->lead[sp->n_tok] = *t;
	sp->n_tok++;
	sp->end = t->end;
	if (punct_is(sp, t, '(')) {
		if (sp->paren_depth++ == 0)
			sp->paren_line = t->line;
	} else if (punct_is(sp, t, ')')) {
		if (sp->paren_depth > 0)
			sp->paren_depth--;
	} else if (t->kind == TK_WORD) {
		track_atomic(sp, t);
	}
	sp->prev = *t;
}

/* An option value that turns a REINDEX option off. */
static bool lead_false(const splitter *sp, size_t i)
{
	static const char *const no[] = {"false", "off", "no", "0", "'false'", "'off'", "'no'", "'0'"};
	const token *t = lead_tok(sp, i);
	if (!t)
		return false;
	for (size_t k = 0; k < sizeof no / sizeof no[0]; k++)
		if (tok_is(sp, t, no[k]))
			return true;
	return false;
}

/* REINDEX [ (option, ...) ] {INDEX|TABLE|SCHEMA|DATABASE|SYSTEM} [CONCURRENTLY]
 * name. SCHEMA, DATABASE and SYSTEM commit as they go, so they cannot run
 * in a transaction block either; since PG 14 CONCURRENTLY may also be an
 * option in the list. */
static unsigned reindex_flags(const splitter *sp)
{
	unsigned flags = 0;
	size_t i = 1;
	if (lead_punct(sp, 1, '(')) {
		int depth = 0;
		for (; lead_tok(sp, i); i++) {
			if (lead_punct(sp, i, '(')) {
				depth++;
			} else if (lead_punct(sp, i, ')')) {
				if (--depth == 0) {
					i++;
					break;
				}
			} else if (depth == 1 && lead_word(sp, i, "concurrently") && !lead_false(sp, i + 1)) {
				flags |= SQL_NO_TX;
			}
		}
	}
	if (lead_word(sp, i, "schema") || lead_word(sp, i, "database") || lead_word(sp, i, "system"))
		flags |= SQL_NO_TX;
	if (lead_word(sp, i + 1, "concurrently"))
		flags |= SQL_NO_TX;
	return flags;
}

/* ALTER TYPE name ADD VALUE, name possibly qualified and quoted. */
static unsigned alter_type_flags(const splitter *sp)
{
	size_t i = 2;
	for (;;) {
		const token *t = lead_tok(sp, i);
		if (!t || (t->kind != TK_WORD && t->kind != TK_QIDENT))
			return 0;
		i++;
		if (!lead_punct(sp, i, '.'))
			break;
		i++;
	}
	if (!lead_word(sp, i, "add") || !lead_word(sp, i + 1, "value"))
		return 0;
	unsigned flags = SQL_ADD_ENUM_VALUE;
	if (sp->server_version_num > 0 && sp->server_version_num < 120000)
		flags |= SQL_NO_TX;
	return flags;
}

static unsigned classify(const splitter *sp)
{
	if (lead_word(sp, 0, "create")) {
		size_t i = lead_word(sp, 1, "unique") ? 2 : 1;
		if (lead_word(sp, i, "index") && lead_word(sp, i + 1, "concurrently"))
			return SQL_NO_TX;
		if (lead_word(sp, 1, "database") || lead_word(sp, 1, "tablespace"))
			return SQL_NO_TX;
		return 0;
	}
	if (lead_word(sp, 0, "drop")) {
		if (lead_word(sp, 1, "index") && lead_word(sp, 2, "concurrently"))
			return SQL_NO_TX;
		if (lead_word(sp, 1, "database") || lead_word(sp, 1, "tablespace"))
			return SQL_NO_TX;
		return 0;
	}
	if (lead_word(sp, 0, "reindex"))
		return reindex_flags(sp);
	if (lead_word(sp, 0, "vacuum"))
		return SQL_NO_TX;
	if (lead_word(sp, 0, "alter")) {
		if (lead_word(sp, 1, "system"))
			return SQL_NO_TX;
		if (lead_word(sp, 1, "type"))
			return alter_type_flags(sp);
		return 0;
	}
	if (lead_word(sp, 0, "begin"))
		return lead_word(sp, 1, "atomic") ? 0 : SQL_TX_CONTROL;
	if (lead_word(sp, 0, "start"))
		return lead_word(sp, 1, "transaction") ? SQL_TX_CONTROL : 0;
	bool commit = lead_word(sp, 0, "commit") || lead_word(sp, 0, "end");
	bool rollback = lead_word(sp, 0, "rollback") || lead_word(sp, 0, "abort");
	if (!commit && !rollback)
		return 0;
	/* COMMIT/ROLLBACK PREPARED finish a two-phase transaction and may not
	 * run inside one; they do not touch the file's own transaction. */
	if (lead_word(sp, 1, "prepared"))
		return SQL_NO_TX;
	/* ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] x stays in the transaction. */
	if (rollback) {
		size_t i = lead_word(sp, 1, "work") || lead_word(sp, 1, "transaction") ? 2 : 1;
		if (lead_word(sp, i, "to"))
			return 0;
	}
	return SQL_TX_CONTROL;
}

static void finish_statement(splitter *sp)
{
	if (sp->n_tok > 0) {
		sql_script *o = sp->out;
		o->stmts = xgrow(o->stmts, &o->cap, o->n + 1, sizeof *o->stmts);
		sql_stmt *st = &o->stmts[o->n++];
		st->offset = sp->lead[0].start;
		st->line = sp->lead[0].line;
		st->text = xstrndup(sp->sql + st->offset, sp->end - st->offset);
		st->flags = classify(sp);
	}
	sp->n_tok = 0;
	sp->prev = (token){TK_OTHER, 0, 0, 0};
	sp->paren_depth = 0;
	sp->atomic_depth = 0;
}

/* What the file left open at its end, if anything. */
static tc_status check_closed(splitter *sp)
{
	if (sp->paren_depth > 0) {
		tc_fail(sp->err, TC_ERR_USAGE, "line %d: unclosed parenthesis", sp->paren_line);
		tc_hint(sp->err, "add the missing ')'; a ';' inside parentheses does not end a "
				 "statement, so everything after it would run as one statement");
		return TC_ERR_USAGE;
	}
	if (sp->atomic_depth > 0) {
		tc_fail(sp->err, TC_ERR_USAGE, "line %d: BEGIN ATOMIC without a matching END",
			sp->atomic_line);
		tc_hint(sp->err, "end the function body with END (each CASE inside it needs its own END)");
		return TC_ERR_USAGE;
	}
	return TC_OK;
}

tc_status sql_split(const char *sql, int server_version_num, sql_script *out, tc_error *err)
{
	*out = (sql_script){NULL, 0, 0};
	if (!sql)
		sql = "";
	splitter sp = {.sql = sql, .line = 1, .server_version_num = server_version_num, .out = out,
		       .err = err};
	if (strncmp(sql, "\xEF\xBB\xBF", 3) == 0)
		sp.pos = 3;

	tc_status st = TC_OK;
	while (st == TC_OK && sql[sp.pos]) {
		char c = sql[sp.pos];
		char next = sql[sp.pos + 1];
		if (is_space(c)) {
			step(&sp);
		} else if (c == '-' && next == '-') {
			/* The line end itself is left for step() to count. */
			while (sql[sp.pos] && sql[sp.pos] != '\n' && sql[sp.pos] != '\r')
				sp.pos++;
		} else if (c == '/' && next == '*') {
			st = skip_block_comment(&sp);
		} else if (c == ';' && sp.paren_depth == 0 && sp.atomic_depth == 0) {
			finish_statement(&sp);
			sp.pos++;
		} else {
			token t = {TK_OTHER, sp.pos, 0, sp.line};
			st = scan_token(&sp, &t);
			t.end = sp.pos;
			if (st == TC_OK)
				add_token(&sp, &t);
		}
	}
	if (st == TC_OK)
		st = check_closed(&sp);
	if (st != TC_OK) {
		sql_script_free(out);
		return st;
	}
	finish_statement(&sp);
	return TC_OK;
}

bool sql_needs_no_tx(const sql_script *s)
{
	if (!s)
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (s->stmts[i].flags & SQL_NO_TX)
			return true;
	return false;
}

void sql_script_free(sql_script *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->stmts[i].text);
	free(s->stmts);
	*s = (sql_script){NULL, 0, 0};
}
