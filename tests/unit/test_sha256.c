#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

static void check_hex(const char *data, size_t n, const char *want)
{
	char hex[65];
	memset(hex, 'X', sizeof hex);
	sha256_hex(data, n, hex);
	assert_string_equal(hex, want);
}

/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf" and "SHA2 additional"). */
static void test_nist_vectors(void **state)
{
	(void)state;
	check_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	assert_int_equal(strlen(m448) * 8, 448);
	check_hex(m448, strlen(m448),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	check_hex(m896, strlen(m896),
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	/* A NULL pointer with zero length is the empty message. */
	check_hex(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_million_a_in_odd_chunks(void **state)
{
	(void)state;
	/* Chunk sizes that straddle the 64-byte block edge in every way,
	 * including empty updates. */
	static const size_t chunks[] = {1, 7, 0, 63, 64, 65, 13, 127, 129, 3, 1000, 55, 56, 57};
	enum { TOTAL = 1000000 };
	char *a = malloc(2000);
	assert_non_null(a);
	memset(a, 'a', 2000);

	sha256_ctx c;
	sha256_init(&c);
	size_t done = 0;
	for (size_t i = 0; done < TOTAL; i++) {
		size_t n = chunks[i % (sizeof chunks / sizeof chunks[0])];
		if (n > TOTAL - done)
			n = TOTAL - done;
		sha256_update(&c, a, n);
		done += n;
	}
	assert_int_equal(c.len, TOTAL);
	unsigned char digest[32];
	sha256_final(&c, digest);
	static const unsigned char want[32] = {
		0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
		0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
		0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0,
	};
	assert_memory_equal(digest, want, 32);
	free(a);
}

/* Messages whose padding lands on each side of the 56-byte boundary;
 * expected values from an independent implementation (Python hashlib). */
static void test_padding_boundaries(void **state)
{
	(void)state;
	static const struct {
		size_t n;
		const char *hex;
	} cases[] = {
		{55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"},
		{56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"},
		{63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"},
		{64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"},
		{65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"},
		{119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"},
		{120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"},
	};
	char data[120];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i % 251);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_hex(data, cases[i].n, cases[i].hex);
}

/* Splitting a message anywhere must not change its digest. */
static void test_incremental_matches_one_shot(void **state)
{
	(void)state;
	char data[200];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 31 + 7);
	for (size_t n = 0; n <= sizeof data; n += 13) {
		char whole[65];
		sha256_hex(data, n, whole);
		for (size_t cut = 0; cut <= n; cut++) {
			sha256_ctx c;
			unsigned char digest[32];
			char hex[65];
			sha256_init(&c);
			sha256_update(&c, data, cut);
			sha256_update(&c, data + cut, n - cut);
			sha256_final(&c, digest);
			static const char digits[] = "0123456789abcdef";
			for (int k = 0; k < 32; k++) {
				hex[2 * k] = digits[digest[k] >> 4];
				hex[2 * k + 1] = digits[digest[k] & 15];
			}
			hex[64] = '\0';
			assert_string_equal(hex, whole);
		}
	}
}

static void test_sql_line_endings(void **state)
{
	(void)state;
	char lf[65], crlf[65], cr[65], mixed[65], no_final[65], plain[65];
	sha256_sql_hex("a\nb\nc\n", lf);
	sha256_sql_hex("a\r\nb\r\nc\r\n", crlf);
	sha256_sql_hex("a\rb\rc\r", cr);
	sha256_sql_hex("a\r\nb\rc\n", mixed);
	sha256_sql_hex("a\nb\nc", no_final);
	sha256_hex("a\nb\nc\n", 6, plain);

	/* The SQL checksum of LF text is the plain digest of that text. */
	assert_string_equal(lf, "880553fca8fcea94e325ee2cfb48e5a985cc797f39a14cc6d3cedecfeb2ae4d2");
	assert_string_equal(lf, plain);
	assert_string_equal(crlf, lf);
	assert_string_equal(cr, lf);
	assert_string_equal(mixed, lf);
	/* A missing final newline is a real edit. */
	assert_string_equal(no_final,
			    "ea7fb08b7a2dc4619ffb7c7bb38d95a2047935fa165d71b12efd3852a2e6d0cc");
	assert_string_not_equal(no_final, lf);

	/* "\r\r\n" is a lone CR and then a CRLF: two line ends. */
	char a[65], b[65];
	sha256_sql_hex("x\r\r\ny", a);
	sha256_sql_hex("x\n\ny", b);
	assert_string_equal(a, b);
	/* "\n\r" is LF then a lone CR, also two. */
	sha256_sql_hex("x\n\ry", a);
	assert_string_equal(a, b);
	/* Blank lines are kept, not collapsed. */
	sha256_sql_hex("x\ny", a);
	assert_string_not_equal(a, b);

	/* Text without CRs hashes as is; empty and NULL are the empty message. */
	sha256_sql_hex("", a);
	assert_string_equal(a, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_sql_hex(NULL, a);
	assert_string_equal(a, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_sql_hex("abc", a);
	assert_string_equal(a, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nist_vectors),
		cmocka_unit_test(test_million_a_in_odd_chunks),
		cmocka_unit_test(test_padding_boundaries),
		cmocka_unit_test(test_incremental_matches_one_shot),
		cmocka_unit_test(test_sql_line_endings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
