/* sha256: checksums of migration files (FIPS 180-4). */
#ifndef TC_SHA256_H
#define TC_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t fill;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
void sha256_final(sha256_ctx *c, unsigned char out[32]);
/* Lower-case hex of the digest of data, into hex[65]. */
void sha256_hex(const void *data, size_t n, char hex[65]);
/* The checksum of a migration's SQL: CRLF and lone CR become LF first, so a
 * checkout on Windows does not make every migration look edited. */
void sha256_sql_hex(const char *sql, char hex[65]);

#endif
