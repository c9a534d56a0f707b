/* lex: small pieces shared by the file parsers (config file, tenancy
 * profiles, allowlists, snapshots): reading the file, blanks, trimming,
 * UTF-8 validity, message excerpts and the edit distance behind "did you
 * mean". */
#ifndef TC_LEX_H
#define TC_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "strbuf.h"

/* Read the whole file at path into out (no limit on its size). On failure,
 * TC_ERR_USAGE and a message naming what ("allowlist") and path: "does not
 * exist" with missing_hint, or the system's reason. */
tc_status lex_read_file(const char *path, const char *what, const char *missing_hint,
			strbuf *out, tc_error *err);

/* One word of a command line split like a POSIX shell, without expansions:
 * blanks separate words; '...' is literal; in "..." a backslash escapes
 * \ " $ and ` only; elsewhere it escapes the next character. */
typedef struct lex_word {
	size_t start, end; /* [start, end) in the text */
	char *value;       /* owned; the quoting removed ('' is an empty word) */
	char open;         /* 0, or what the text ended inside: '\'', '"', or '\\'
			    * for a backslash with nothing after it */
	size_t open_at;    /* where that quote or backslash stands */
} lex_word;

/* The next word of s at or after *pos (moved past it); false at the end.
 * An unclosed quote runs to the end of the text and sets w->open. */
bool lex_shell_word(const char *s, size_t *pos, lex_word *w);

/* A value of a line-oriented file, [b, e) already trimmed: as written, or
 * unquoted when it starts with '"' (inside, \" and \\ are the only
 * escapes, and nothing may follow the closing quote). NULL for a malformed
 * value, with *why (the message) and *hint set; the caller frees all three
 * and says where. */
char *lex_unquote(const char *b, const char *e, char **why, char **hint);

/* Any ASCII white space: what separates a shell's words. */
bool lex_is_space(char c);
/* A space or a tab. */
bool lex_is_blank(char c);
/* Move *b forward and *e back over blanks. */
void lex_trim(const char **b, const char **e);
/* Length of the valid UTF-8 prefix of [s, s+n). Rejects overlong forms,
 * surrogates and code points above U+10FFFF, as RFC 3629 does. */
size_t lex_utf8_valid_prefix(const unsigned char *s, size_t n);
/* A bit of [b, e) for a message, cut at 40 bytes on a character boundary.
 * Caller frees. */
char *lex_excerpt(const char *b, const char *e);
/* Edit distance counting an adjacent swap as one edit ("dns" for "dsn"),
 * ignoring ASCII case when fold_case. Only small distances matter, so
 * lengths far apart give up early. */
size_t lex_edit_distance(const char *a, const char *b, bool fold_case);

#endif
