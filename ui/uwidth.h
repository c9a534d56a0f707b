/* uwidth: display width of UTF-8 text on a terminal (wcwidth), so CJK and
 * emoji take two cells and columns line up. */
#ifndef TC_UI_UWIDTH_H
#define TC_UI_UWIDTH_H

#include <stddef.h>

/* Cells s takes; invalid bytes and control characters count 1 each. */
int uw_width(const char *s);
/* Draw s at the cursor in exactly `cells` cells: clipped (by whole
 * characters, never half a wide one) or padded with blanks, on the left
 * when right-aligned. Control characters are drawn as '?'. */
void uw_put(const char *s, int cells, int right_align);
/* Skip the first `skip` cells of s then draw as uw_put (horizontal scroll). */
void uw_put_from(const char *s, int skip, int cells);

/* As uw_width, but stops counting once past limit (a value > limit then
 * means "wider"): a megabyte cell costs no more than a short one. limit < 0:
 * no limit. */
int uw_width_upto(const char *s, int limit);
/* Cells the first n bytes of s take (s need not be NUL-terminated there). */
int uw_width_n(const char *s, size_t n);
/* Cells of the one character at the start of s[0, n): 0 for a combining
 * mark, 1 for an invalid byte or a control character. */
int uw_char_cells(const char *s, size_t n);
/* As uw_put, but a clipped s ends in '…' ('~' when the locale is not
 * UTF-8), so the operator can tell a value was cut. */
void uw_put_clip(const char *s, int cells, int right_align);
/* Draw the bytes s[0, len) as if they started at display column `at` of a
 * line of which only columns [lo, hi) are on screen (the cursor stands where
 * column max(at, lo) goes). Returns the column after what was drawn, at
 * most hi. Pieces of one line drawn in turn (with different attributes)
 * chain through the return value. No padding. */
int uw_put_span(const char *s, size_t len, int at, int lo, int hi);
/* Case-insensitive (towlower) search for needle in s from byte `from` on:
 * the byte offset of the first match, or -1; *mlen (may be NULL) gets the
 * match's length in bytes. Invalid bytes match only themselves. */
long uw_find(const char *s, const char *needle, size_t from, size_t *mlen);

#endif
