/* xalloc: allocation that never returns NULL. Running out of memory is not a
 * condition an operator's console can recover from mid-query, so every
 * allocation in tenantctl goes through here and aborts on failure. */
#ifndef TC_XALLOC_H
#define TC_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow an array of `*cap` elements of `elem` bytes so it can hold `need`. */
void *xgrow(void *ptr, size_t *cap, size_t need, size_t elem);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh allocation; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
