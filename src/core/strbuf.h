/* strbuf: a growable string builder. Data from the database or from files is
 * never copied into fixed-size buffers; it goes through one of these. */
#ifndef TC_STRBUF_H
#define TC_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct strbuf {
	char *data; /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0}

void sb_add(strbuf *sb, const char *s);
void sb_addn(strbuf *sb, const char *s, size_t n);
void sb_addc(strbuf *sb, char c);
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(strbuf *sb, const char *fmt, va_list ap);
/* Append word as a POSIX shell reads it back: bare when that is
 * unambiguous (letters, digits and _@%+=:,./-), else in single quotes; ""
 * becomes ''. '*' also stays bare, so masked secrets ("********") read as
 * they do elsewhere: the line is for reading again, not for a shell to
 * glob. For command lines written to the audit log or typed again. */
void sb_add_shell_word(strbuf *sb, const char *word);
/* Append everything left in f (no size limit). Returns 0, or the errno of a
 * read error. The caller opens and closes f. */
int sb_read_all(strbuf *sb, FILE *f);
/* Empty the contents, keep the allocation. */
void sb_reset(strbuf *sb);
/* The contents ("" when empty); borrowed from sb. */
const char *sb_str(const strbuf *sb);
/* Hand the allocation to the caller (who frees it) and reset sb. */
char *sb_steal(strbuf *sb);
void sb_free(strbuf *sb);

#endif
