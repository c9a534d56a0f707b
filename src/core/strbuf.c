#include "config.h"

#include "strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void reserve(strbuf *sb, size_t extra)
{
	sb->data = xgrow(sb->data, &sb->cap, sb->len + extra + 1, 1);
}

void sb_addn(strbuf *sb, const char *s, size_t n)
{
	reserve(sb, n);
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void sb_add(strbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

void sb_addc(strbuf *sb, char c)
{
	sb_addn(sb, &c, 1);
}

void sb_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		abort();
	reserve(sb, (size_t)n);
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
}

void sb_addf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

int sb_read_all(strbuf *sb, FILE *f)
{
	for (;;) {
		reserve(sb, 65536);
		size_t n = fread(sb->data + sb->len, 1, sb->cap - sb->len - 1, f);
		sb->len += n;
		sb->data[sb->len] = '\0';
		if (n == 0)
			break;
	}
	return ferror(f) ? (errno ? errno : EIO) : 0;
}

void sb_reset(strbuf *sb)
{
	sb->len = 0;
	if (sb->data)
		sb->data[0] = '\0';
}

const char *sb_str(const strbuf *sb)
{
	return sb->data ? sb->data : "";
}

char *sb_steal(strbuf *sb)
{
	char *out = sb->data ? sb->data : xstrdup("");
	sb->data = NULL;
	sb->len = sb->cap = 0;
	return out;
}

void sb_free(strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

void sb_add_shell_word(strbuf *sb, const char *word)
{
	bool bare = *word != '\0';
	for (const char *c = word; *c && bare; c++)
		bare = isalnum((unsigned char)*c) || strchr("_@%+=:,./-*", *c);
	if (bare) {
		sb_add(sb, word);
		return;
	}
	sb_addc(sb, '\'');
	for (const char *c = word; *c; c++) {
		if (*c == '\'')
			sb_add(sb, "'\\''");
		else
			sb_addc(sb, *c);
	}
	sb_addc(sb, '\'');
}
