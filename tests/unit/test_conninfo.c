#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conninfo.h"

#define PLACEHOLDER "(unparseable connection string: not shown)"

/* One masking case: none of `secrets` may survive, every one of `shown`
 * must appear in the output as given. */
typedef struct mask_case {
	const char *name;
	const char *input;
	const char *secrets[4];
	const char *shown[8];
} mask_case;

static const mask_case cases[] = {
	{"uri user:pw@host", "postgresql://ops:s3cretPW@db1.example.com:5433/app",
	 {"s3cretPW"},
	 {"user=ops", "password=********", "host=db1.example.com", "port=5433", "dbname=app"}},
	{"uri postgres:// scheme", "postgres://ops:hunter2@db1/app",
	 {"hunter2"},
	 {"user=ops", "password=********", "host=db1", "dbname=app"}},
	{"uri ?password=", "postgresql://ops@db1/app?password=qwerty99&sslmode=require",
	 {"qwerty99"},
	 {"user=ops", "password=********", "host=db1", "dbname=app", "sslmode=require"}},
	{"uri percent-encoded password", "postgresql://ops:p%40ss%3Aw0rd@db1/app",
	 {"p%40ss%3Aw0rd", "p@ss:w0rd", "ss:w0rd", "w0rd"},
	 {"user=ops", "password=********", "host=db1", "dbname=app"}},
	{"uri sslpassword", "postgresql://ops@db1/app?sslpassword=keyPass1&sslkey=/k/client.key",
	 {"keyPass1"},
	 {"user=ops", "sslpassword=********", "sslkey=/k/client.key", "host=db1", "dbname=app"}},
	{"uri multiple hosts", "postgresql://ops:multiPW@h1:5432,h2:5433/app?target_session_attrs=read-write",
	 {"multiPW"},
	 {"user=ops", "password=********", "host=h1,h2", "port=5432,5433", "dbname=app",
	  "target_session_attrs=read-write"}},
	{"keyword unquoted password", "host=db1 port=5432 dbname=app user=ops password=plainPW",
	 {"plainPW"},
	 {"host=db1", "port=5432", "dbname=app", "user=ops", "password=********"}},
	{"keyword quoted password with space", "host=db1 dbname=app user=ops password='p w'",
	 {"p w", "'p", "w'"},
	 {"host=db1", "dbname=app", "user=ops", "password=********"}},
	{"keyword password with escaped quote", "host=db1 user=ops password='it\\'sMine' dbname=app",
	 {"sMine", "it\\'", "it'"},
	 {"host=db1", "user=ops", "dbname=app", "password=********"}},
	{"keyword password with backslash unquoted", "user=ops password=ab\\ cd host=db1",
	 {"ab", "cd"},
	 {"user=ops", "host=db1", "password=********"}},
	{"keyword sslpassword", "host=db1 user=ops sslpassword=keyPass2 dbname=app",
	 {"keyPass2"},
	 {"host=db1", "user=ops", "dbname=app", "sslpassword=********"}},
	{"keyword password and sslpassword", "host=db1 user=ops password=pwOne sslpassword=pwTwo dbname=app",
	 {"pwOne", "pwTwo"},
	 {"host=db1", "user=ops", "dbname=app", "password=********", "sslpassword=********"}},
	{"keyword multiple hosts", "host=h1,h2,h3 port=5432,5433,5434 user=ops password=manyPW dbname=app",
	 {"manyPW"},
	 {"host=h1,h2,h3", "port=5432,5433,5434", "user=ops", "dbname=app", "password=********"}},
	{"keyword spaces around =", "host = db1   user= ops password =spacedPW",
	 {"spacedPW"},
	 {"host=db1", "user=ops", "password=********"}},
	{"dbname holding a uri with a password", "dbname='postgresql://ops:nestedPW@db2/app' host=db1",
	 {"nestedPW"},
	 {"host=db1", "db2", "password=********"}},
	{"dbname holding keywords with a password", "dbname='host=db2 password=nestedPW2' user=ops",
	 {"nestedPW2"},
	 {"user=ops", "db2", "password=********"}},
};

static void test_mask_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const mask_case *c = &cases[i];
		char *out = conninfo_mask(c->input);
		assert_non_null(out);
		for (size_t j = 0; j < 4 && c->secrets[j]; j++) {
			if (strstr(out, c->secrets[j]))
				fail_msg("case '%s': secret '%s' leaked in '%s'", c->name, c->secrets[j], out);
		}
		for (size_t j = 0; j < 8 && c->shown[j]; j++) {
			if (!strstr(out, c->shown[j]))
				fail_msg("case '%s': '%s' missing from '%s'", c->name, c->shown[j], out);
		}
		assert_null(strstr(out, PLACEHOLDER));
		free(out);
	}
}

/* Without secrets, values come back exactly, quoted the way libpq reads
 * them; the output parses back to the same options. */
static void test_no_secret_exact(void **state)
{
	(void)state;
	char *out = conninfo_mask("host=db1 port=5432 dbname=app user=ops sslmode=verify-full");
	/* libpq's own option order, not the input's. */
	assert_string_equal(out, "user=ops dbname=app host=db1 port=5432 sslmode=verify-full");
	free(out);

	out = conninfo_mask("postgresql://ops@db1:6543/my%20db?application_name=a%27b");
	assert_string_equal(out, "user=ops dbname='my db' host=db1 port=6543 application_name='a\\'b'");
	free(out);

	out = conninfo_mask("options='-c search_path=x\\\\y' host=''");
	assert_string_equal(out, "host='' options='-c search_path=x\\\\y'");
	free(out);

	/* Round trip: the masked form of a masked form is the same string. */
	const char *input = "postgresql://o%27p@h1,h2/d%20b?password=zz&options=-c%20a%3Db";
	char *once = conninfo_mask(input);
	char *twice = conninfo_mask(once);
	assert_string_equal(once, twice);
	assert_null(strstr(once, "zz"));
	assert_non_null(strstr(once, "user='o\\'p'"));
	assert_non_null(strstr(once, "dbname='d b'"));
	free(once);
	free(twice);
}

static void test_empty_and_null(void **state)
{
	(void)state;
	char *out = conninfo_mask(NULL);
	assert_string_equal(out, "");
	free(out);
	out = conninfo_mask("");
	assert_string_equal(out, "");
	free(out);
	/* Only blanks: parses to nothing given. */
	out = conninfo_mask("   ");
	assert_string_equal(out, "");
	free(out);
	out = conninfo_mask("postgresql://");
	assert_string_equal(out, "");
	free(out);
}

static void test_malformed_placeholder(void **state)
{
	(void)state;
	static const struct {
		const char *input;
		const char *fragments[3]; /* none of these may be shown */
	} bad[] = {
		{"host=db1 password='unterminatedPW", {"unterminatedPW", "db1", "host"}},
		{"host=db1 user=ops password=badPW bogus_option=1", {"badPW", "db1", "bogus"}},
		{"host=db1 password", {"db1", "password", "host"}},
		{"postgresql://ops:uriPW@[::1/app", {"uriPW", "ops", "app"}},
		{"postgresql://ops:uriPW2@db1/app?nosuchparam=1", {"uriPW2", "db1", "nosuchparam"}},
		{"postgresql://ops:uriPW3@db1/app?password=%zz", {"uriPW3", "db1", "%zz"}},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *out = conninfo_mask(bad[i].input);
		if (strcmp(out, PLACEHOLDER) != 0)
			fail_msg("'%s' gave '%s', expected the placeholder", bad[i].input, out);
		for (size_t j = 0; j < 3; j++)
			assert_null(strstr(out, bad[i].fragments[j]));
		free(out);
	}
}

static void test_is_uri(void **state)
{
	(void)state;
	assert_true(conninfo_is_uri("postgresql://h/db"));
	assert_true(conninfo_is_uri("postgres://h/db"));
	assert_true(conninfo_is_uri("postgresql://"));
	assert_false(conninfo_is_uri("host=h dbname=db"));
	assert_false(conninfo_is_uri("postgresql:/h"));
	assert_false(conninfo_is_uri("postgre://h"));
	assert_false(conninfo_is_uri(" postgresql://h"));
	assert_false(conninfo_is_uri("POSTGRESQL://h")); /* libpq is case-sensitive too */
	assert_false(conninfo_is_uri(""));
	assert_false(conninfo_is_uri(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_cases),
		cmocka_unit_test(test_no_secret_exact),
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_malformed_placeholder),
		cmocka_unit_test(test_is_uri),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
