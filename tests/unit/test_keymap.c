/* The keymap's rules: one action per key, every global action reachable,
 * and actions that write on upper-case letters only. */
#include "config.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <curses.h>

#include "keymap.h"

static void a_key_has_one_global_action(void **state)
{
	(void)state;
	for (size_t i = 0; i < keymap_len; i++)
		for (int k = 0; k < KM_MAX_KEYS && keymap[i].keys[k]; k++) {
			int key = keymap[i].keys[k];
			for (size_t j = i + 1; j < keymap_len; j++)
				for (int l = 0; l < KM_MAX_KEYS && keymap[j].keys[l]; l++)
					if (keymap[j].keys[l] == key)
						fail_msg("key %d is in entries %zu and %zu", key, i, j);
			assert_int_equal(keymap_action(key, key >= KEY_MIN), keymap[i].action);
		}
}

static void every_global_action_has_a_key(void **state)
{
	(void)state;
	for (km_action act = KM_QUIT; act <= KM_REDRAW; act++) {
		bool found = false;
		for (size_t i = 0; i < keymap_len && !found; i++)
			found = keymap[i].action == act && keymap[i].keys[0];
		if (!found)
			fail_msg("action %d has no key", (int)act);
	}
}

/* "Actions that write are upper-case letters or : commands, never a
 * lower-case key next to navigation." */
static void writes_are_upper_case(void **state)
{
	(void)state;
	for (size_t i = 0; i < keymap_len; i++) {
		if (!keymap[i].writes)
			continue;
		const char *n = keymap[i].names;
		assert_non_null(n);
		assert_int_equal(strlen(n), 1);
		if (!isupper((unsigned char)n[0]))
			fail_msg("'%s' writes but is not an upper-case letter", n);
	}
}

static void keys_outside_the_map(void **state)
{
	(void)state;
	assert_int_equal(keymap_action('q', false), KM_QUIT);
	assert_int_equal(keymap_action('2', false), KM_GOTO_PANE);
	assert_int_equal(keymap_action(KEY_F(5), true), KM_RELOAD);
	assert_int_equal(keymap_action(KEY_BTAB, true), KM_PREV_PANE);
	assert_int_equal(keymap_action('j', false), KM_NONE);
	/* A wide character whose code equals a KEY_ code is not that key. */
	assert_int_equal(keymap_action(KEY_F(5), false), KM_NONE);
	assert_int_equal(keymap_action(0x4e2d, false), KM_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_key_has_one_global_action),
		cmocka_unit_test(every_global_action_has_a_key),
		cmocka_unit_test(writes_are_upper_case),
		cmocka_unit_test(keys_outside_the_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
