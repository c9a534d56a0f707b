/* Migration states and plans, worked out from files and history without a
 * database. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mig.h"

#define MAXF 16

typedef struct fixture {
	mig_chain chain;
	mig_file files[MAXF];
	hist_row hist[MAXF];
	mig_status st;
} fixture;

static void file(fixture *fx, const char *version, const char *sum, bool down)
{
	mig_file *f = &fx->files[fx->st.dir.n++];
	memset(f, 0, sizeof *f);
	f->version = (char *)version;
	f->name = (char *)"m";
	f->up_path = (char *)version;
	f->up_sql = (char *)"SELECT 1";
	f->down_sql = down ? (char *)"SELECT 2" : NULL;
	snprintf(f->checksum, sizeof f->checksum, "%s", sum);
}

static hist_row *applied(fixture *fx, const char *version, const char *sum)
{
	hist_row *h = &fx->hist[fx->st.hist.n++];
	memset(h, 0, sizeof *h);
	h->version = (char *)version;
	h->checksum = (char *)sum;
	h->duration_ms = -1;
	return h;
}

static void setup_fx(fixture *fx)
{
	memset(fx, 0, sizeof *fx);
	fx->chain.name = (char *)"default";
	fx->chain.table = (char *)HIST_DEFAULT_TABLE;
	fx->st.chain = &fx->chain;
	fx->st.dir.dir = (char *)"db/migrations";
	fx->st.dir.files = fx->files;
	fx->st.hist.rows = fx->hist;
	fx->st.hist.exists = true;
}

static void done_fx(fixture *fx)
{
	for (size_t i = 0; i < fx->st.n; i++)
		free(fx->st.entries[i].note);
	free(fx->st.entries);
}

static mig_state state_of(const fixture *fx, const char *version)
{
	for (size_t i = 0; i < fx->st.n; i++)
		if (strcmp(fx->st.entries[i].version, version) == 0)
			return fx->st.entries[i].state;
	fail_msg("no entry %s", version);
	return MS_N_STATES;
}

static void every_state(void **state)
{
	(void)state;
	fixture fx;
	setup_fx(&fx);
	file(&fx, "1", "aa", true);  /* applied */
	file(&fx, "2", "bb", true);  /* edited */
	file(&fx, "3", "cc", true);  /* out of order: 4 is applied */
	file(&fx, "5", "ee", true);  /* duplicate with the next */
	file(&fx, "5", "ef", true);
	file(&fx, "6", "ff", true);  /* failed */
	file(&fx, "10", "gg", true); /* pending; sorts after 9 */
	fx.files[3].duplicate = fx.files[4].duplicate = true;
	applied(&fx, "1", "aa");
	applied(&fx, "2", "OLD");
	applied(&fx, "4", "dd"); /* missing: no file */
	hist_row *f6 = applied(&fx, "6", "ff");
	f6->failed = true;
	f6->failed_statement = 2;
	f6->error = (char *)"boom";
	applied(&fx, "9", "x9"); /* missing too */
	mig_compute(&fx.st);

	assert_int_equal(state_of(&fx, "1"), MS_APPLIED);
	assert_int_equal(state_of(&fx, "2"), MS_EDITED);
	assert_int_equal(state_of(&fx, "3"), MS_OUT_OF_ORDER);
	assert_int_equal(state_of(&fx, "4"), MS_MISSING);
	assert_int_equal(state_of(&fx, "5"), MS_DUPLICATE);
	assert_int_equal(state_of(&fx, "6"), MS_FAILED);
	assert_int_equal(state_of(&fx, "10"), MS_PENDING);
	assert_int_equal(fx.st.counts[MS_DUPLICATE], 2);
	assert_int_equal(fx.st.counts[MS_MISSING], 2);
	/* Ordered by version, numerically: ... 6, 9, 10. */
	assert_string_equal(fx.st.entries[fx.st.n - 2].version, "9");
	assert_string_equal(fx.st.entries[fx.st.n - 1].version, "10");
	/* The failed one says how to settle it; the edited one shows both sums. */
	for (size_t i = 0; i < fx.st.n; i++) {
		const mig_entry *e = &fx.st.entries[i];
		if (e->state == MS_FAILED) {
			assert_non_null(strstr(e->note, "statement 2 failed: boom"));
			assert_non_null(strstr(e->note, "tenantctl migrate resolve 6 --applied"));
		}
		if (e->state == MS_EDITED)
			assert_non_null(strstr(e->note, "applied checksum OLD, file checksum bb"));
	}
	strbuf sb = STRBUF_INIT;
	mig_status_summary(&fx.st, &sb);
	assert_string_equal(sb_str(&sb), "1 applied, 1 pending, 1 edited, 2 missing, "
					 "1 out-of-order, 2 duplicate, 1 failed");
	sb_free(&sb);

	/* Nothing runs while a duplicate exists. */
	mig_run_opts o = {.goal = MIG_UP};
	mig_plan p;
	tc_error err = TC_ERROR_INIT;
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_ERR_REFUSED);
	assert_non_null(strstr(err.message, "duplicate"));
	tc_error_clear(&err);
	done_fx(&fx);
}

static void up_step_and_out_of_order(void **state)
{
	(void)state;
	fixture fx;
	setup_fx(&fx);
	file(&fx, "1", "a", true);
	file(&fx, "2", "b", true);
	file(&fx, "3", "c", true);
	file(&fx, "4", "d", true);
	applied(&fx, "1", "a");
	applied(&fx, "3", "c");
	mig_compute(&fx.st);
	mig_plan p;
	tc_error err = TC_ERROR_INIT;
	mig_run_opts o = {.goal = MIG_UP};
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_ERR_REFUSED);
	assert_non_null(strstr(err.message, "2 (2) is pending but older"));
	assert_non_null(strstr(err.hint, "--allow-out-of-order"));
	tc_error_clear(&err);

	o.allow_out_of_order = true;
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_OK);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.steps[0].entry->version, "2");
	assert_string_equal(p.steps[1].entry->version, "4");
	assert_int_equal(p.steps[0].action, MIG_APPLY);
	mig_plan_free(&p);

	o.goal = MIG_STEP;
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_OK);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.steps[0].entry->version, "2");
	mig_plan_free(&p);
	done_fx(&fx);
}

static void to_and_down(void **state)
{
	(void)state;
	fixture fx;
	setup_fx(&fx);
	file(&fx, "1", "a", true);
	file(&fx, "2", "b", true);
	file(&fx, "3", "c", true);
	file(&fx, "4", "d", true);
	applied(&fx, "1", "a");
	applied(&fx, "2", "b");
	applied(&fx, "3", "c");
	mig_compute(&fx.st);
	mig_plan p;
	tc_error err = TC_ERROR_INIT;

	mig_run_opts o = {.goal = MIG_TO, .to_version = "1"};
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_OK);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.steps[0].entry->version, "3");
	assert_string_equal(p.steps[1].entry->version, "2");
	assert_int_equal(p.steps[0].action, MIG_REVERT);
	mig_plan_free(&p);

	o.to_version = "4";
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_OK);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.steps[0].action, MIG_APPLY);
	mig_plan_free(&p);

	o.to_version = "7";
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "no migration 7"));
	tc_error_clear(&err);

	o = (mig_run_opts){.goal = MIG_DOWN, .down_count = 2};
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_OK);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.steps[0].entry->version, "3");
	assert_string_equal(p.steps[1].entry->version, "2");
	mig_plan_free(&p);

	o.down_count = 4;
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "but 3 are applied"));
	tc_error_clear(&err);

	o = (mig_run_opts){.goal = MIG_REDO};
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_OK);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.steps[0].action, MIG_REVERT);
	assert_int_equal(p.steps[1].action, MIG_APPLY);
	assert_string_equal(p.steps[1].entry->version, "3");
	mig_plan_free(&p);
	done_fx(&fx);
}

/* dbmate reverts an older migration when the newest one's file is gone;
 * tenantctl refuses and names the file. */
static void down_never_passes_a_missing_file(void **state)
{
	(void)state;
	fixture fx;
	setup_fx(&fx);
	file(&fx, "1", "a", true);
	file(&fx, "2", "b", false);
	applied(&fx, "1", "a");
	applied(&fx, "3", "c");
	mig_compute(&fx.st);
	mig_plan p;
	tc_error err = TC_ERROR_INIT;
	mig_run_opts o = {.goal = MIG_DOWN, .down_count = 1};
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_ERR_REFUSED);
	assert_non_null(strstr(err.message, "cannot revert 3"));
	assert_non_null(strstr(err.message, "file is missing from db/migrations"));
	tc_error_clear(&err);
	done_fx(&fx);

	/* A migration with no down section is refused too. */
	setup_fx(&fx);
	file(&fx, "1", "a", false);
	applied(&fx, "1", "a");
	mig_compute(&fx.st);
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_ERR_REFUSED);
	assert_non_null(strstr(err.message, "has no down section"));
	tc_error_clear(&err);
	done_fx(&fx);
}

static void failed_blocks_everything(void **state)
{
	(void)state;
	fixture fx;
	setup_fx(&fx);
	file(&fx, "1", "a", true);
	file(&fx, "2", "b", true);
	hist_row *h = applied(&fx, "1", "a");
	h->failed = true;
	mig_compute(&fx.st);
	mig_plan p;
	tc_error err = TC_ERROR_INIT;
	mig_run_opts o = {.goal = MIG_UP};
	assert_int_equal(mig_plan_make(&fx.st, &o, &p, &err), TC_ERR_REFUSED);
	assert_non_null(strstr(err.message, "migration 1 failed earlier"));
	tc_error_clear(&err);
	done_fx(&fx);
}

/* golang-migrate keeps one row: the current version. */
static void golang_current_version(void **state)
{
	(void)state;
	fixture fx;
	setup_fx(&fx);
	fx.st.hist.kind = HIST_GOLANG;
	file(&fx, "1", "a", true);
	file(&fx, "2", "b", true);
	file(&fx, "3", "c", true);
	applied(&fx, "2", NULL);
	mig_compute(&fx.st);
	assert_int_equal(state_of(&fx, "1"), MS_APPLIED);
	assert_int_equal(state_of(&fx, "2"), MS_APPLIED);
	assert_int_equal(state_of(&fx, "3"), MS_PENDING);
	done_fx(&fx);
}

static void chains_from_config(void **state)
{
	(void)state;
	cfg_file cfg = CFG_FILE_INIT;
	tc_error err = TC_ERROR_INIT;
	const char *text = "[target t]\nmigrations = db/core\nmigrations.tracing = db/tr\n"
			   "history.tracing = dbmate\n";
	assert_int_equal(cfg_parse(text, strlen(text), "cfg", &cfg, &err), TC_OK);
	mig_chains ch;
	mig_source_opts o = {0};
	assert_int_equal(mig_chains_resolve(&cfg.targets[0], &o, &ch, &err), TC_OK);
	assert_int_equal(ch.n, 2);
	assert_string_equal(ch.v[0].name, "default");
	assert_string_equal(ch.v[0].table, "public.tenantctl_schema_migrations");
	assert_string_equal(ch.v[1].name, "tracing");
	assert_int_equal(ch.v[1].hist, HIST_DBMATE);
	assert_string_equal(ch.v[1].table, "public.schema_migrations");
	mig_chains_free(&ch);

	o.chain = "nope";
	assert_int_equal(mig_chains_resolve(&cfg.targets[0], &o, &ch, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.hint, "default, tracing"));
	tc_error_clear(&err);

	o = (mig_source_opts){.dir = "x", .format = "liquibase"};
	assert_int_equal(mig_chains_resolve(NULL, &o, &ch, &err), TC_ERR_USAGE);
	assert_non_null(strstr(err.message, "unknown migration format 'liquibase'"));
	tc_error_clear(&err);
	cfg_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_state),
		cmocka_unit_test(up_step_and_out_of_order),
		cmocka_unit_test(to_and_down),
		cmocka_unit_test(down_never_passes_a_missing_file),
		cmocka_unit_test(failed_blocks_everything),
		cmocka_unit_test(golang_current_version),
		cmocka_unit_test(chains_from_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
