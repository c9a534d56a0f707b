#include "config.h"

#include "lex.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

bool lex_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

void lex_trim(const char **b, const char **e)
{
	while (*b < *e && lex_is_blank(**b))
		(*b)++;
	while (*e > *b && lex_is_blank((*e)[-1]))
		(*e)--;
}

/* Length of the valid UTF-8 prefix of [s, s+n). Rejects overlong forms,
 * surrogates and code points above U+10FFFF, as RFC 3629 does. */
size_t lex_utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			return i;
		}
		if (n - i < len)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k < len; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return i;
		i += len;
	}
	return n;
}

/* Show a bit of the offending text in a message without flooding it. */
char *lex_excerpt(const char *b, const char *e)
{
	lex_trim(&b, &e);
	size_t n = (size_t)(e - b);
	if (n <= 40)
		return xstrndup(b, n);
	/* Cut on a UTF-8 character boundary. */
	n = 40;
	while (n > 0 && ((unsigned char)b[n] & 0xC0) == 0x80)
		n--;
	char *cut = xstrndup(b, n);
	char *out = xasprintf("%s...", cut);
	free(cut);
	return out;
}

static char fold(char c, bool fold_case)
{
	return fold_case && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive edit distance counting an adjacent swap as one edit
 * ("dns" for "dsn"). Only small distances matter, so lengths far apart
 * give up early. */
size_t lex_edit_distance(const char *a, const char *b, bool fold_case)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > lb + 2 || lb > la + 2)
		return SIZE_MAX;
	size_t w = lb + 1;
	size_t *d = xmalloc((la + 1) * w * sizeof *d);
	for (size_t i = 0; i <= la; i++)
		d[i * w] = i;
	for (size_t j = 0; j <= lb; j++)
		d[j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = fold(a[i - 1], fold_case) == fold(b[j - 1], fold_case) ? 0 : 1;
			size_t best = d[(i - 1) * w + j] + 1;
			if (d[i * w + j - 1] + 1 < best)
				best = d[i * w + j - 1] + 1;
			if (d[(i - 1) * w + j - 1] + cost < best)
				best = d[(i - 1) * w + j - 1] + cost;
			if (i > 1 && j > 1 && fold(a[i - 1], fold_case) == fold(b[j - 2], fold_case) &&
			    fold(a[i - 2], fold_case) == fold(b[j - 1], fold_case) && d[(i - 2) * w + j - 2] + 1 < best)
				best = d[(i - 2) * w + j - 2] + 1;
			d[i * w + j] = best;
		}
	}
	size_t out = d[la * w + lb];
	free(d);
	return out;
}

tc_status lex_read_file(const char *path, const char *what, const char *missing_hint,
			strbuf *out, tc_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		if (e == ENOENT) {
			tc_fail(err, TC_ERR_USAGE, "%s %s does not exist", what, path);
			tc_hint(err, "%s", missing_hint);
		} else {
			tc_fail(err, TC_ERR_USAGE, "cannot open %s %s: %s", what, path, strerror(e));
			tc_hint(err, "check the file's permissions");
		}
		return TC_ERR_USAGE;
	}
	int e = sb_read_all(out, f);
	fclose(f);
	if (e) {
		tc_fail(err, TC_ERR_USAGE, "cannot read %s %s: %s", what, path, strerror(e));
		tc_hint(err, "the %s must be a readable regular file", what);
		return TC_ERR_USAGE;
	}
	return TC_OK;
}

bool lex_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool lex_shell_word(const char *s, size_t *pos, lex_word *w)
{
	size_t i = *pos;
	while (s[i] && lex_is_space(s[i]))
		i++;
	if (!s[i])
		return false;
	strbuf v = STRBUF_INIT;
	sb_add(&v, ""); /* an empty word ('') is still a word */
	w->start = i;
	w->open = 0;
	w->open_at = 0;
	while (s[i] && !lex_is_space(s[i])) {
		char c = s[i];
		if (c == '\'' || c == '"') {
			size_t at = i++;
			for (; s[i] && s[i] != c; i++) {
				if (c == '"' && s[i] == '\\' && s[i + 1] && strchr("\\\"$`", s[i + 1]))
					i++;
				sb_addc(&v, s[i]);
			}
			if (s[i]) {
				i++;
			} else {
				w->open = c;
				w->open_at = at;
			}
		} else if (c == '\\') {
			if (!s[i + 1]) {
				w->open = '\\';
				w->open_at = i++;
				break;
			}
			sb_addc(&v, s[i + 1]);
			i += 2;
		} else {
			sb_addc(&v, c);
			i++;
		}
	}
	w->end = i;
	w->value = sb_steal(&v);
	*pos = i;
	return true;
}

char *lex_unquote(const char *b, const char *e, char **why, char **hint)
{
	*why = *hint = NULL;
	if (b == e || *b != '"')
		return xstrndup(b, (size_t)(e - b));
	strbuf sb = STRBUF_INIT;
	const char *c = b + 1;
	for (; c < e && *c != '"'; c++) {
		if (*c == '\\') {
			if (c + 1 < e && (c[1] == '"' || c[1] == '\\')) {
				sb_addc(&sb, *++c);
				continue;
			}
			sb_free(&sb);
			if (c + 1 == e) {
				*why = xstrdup("unterminated quoted value");
				*hint = xstrdup("end the value with a closing '\"'");
			} else {
				*why = xasprintf("unknown escape '\\%c' in quoted value", c[1]);
				*hint = xstrdup("inside double quotes only \\\" and \\\\ are escapes; "
						"write \\\\ for a backslash");
			}
			return NULL;
		}
		sb_addc(&sb, *c);
	}
	if (c == e) {
		sb_free(&sb);
		*why = xstrdup("unterminated quoted value");
		*hint = xstrdup("end the value with a closing '\"'; write \\\" for a quote inside it");
		return NULL;
	}
	if (c + 1 != e) {
		sb_free(&sb);
		char *junk = lex_excerpt(c + 1, e);
		*why = xasprintf("unexpected text '%s' after closing quote", junk);
		free(junk);
		*hint = xstrdup("put comments on their own line; to keep the text, move it inside "
				"the quotes");
		return NULL;
	}
	return sb_steal(&sb);
}
