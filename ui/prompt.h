/* prompt: readline hosted inside curses, through readline's callback
 * interface with its own terminal handling and signal catching turned off.
 * The same line editor serves the `:` command prompt (history, completion
 * of command words, options, org slugs, member emails and migration
 * versions), the `/` filter (live) and questions such as a reason or a
 * name. Only command lines go to the history file; answers never do. */
#ifndef TC_UI_PROMPT_H
#define TC_UI_PROMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

typedef enum prompt_kind { PROMPT_COMMAND, PROMPT_FILTER, PROMPT_INPUT } prompt_kind;
typedef enum prompt_state { PS_EDITING, PS_DONE, PS_CANCELLED } prompt_state;

/* What completes an argument of this kind ("org", "email", "version"):
 * the candidates known to the console now. Returns the count; *out is
 * borrowed until the next call. */
typedef size_t (*prompt_words_fn)(void *ctx, const char *kind, const char *const **out);

/* Set readline up; history from history_path (NULL: none kept). Call once,
 * after curses started. */
void prompt_init(const char *history_path, prompt_words_fn words, void *ctx);
/* Save the history (when there is a path) and tear readline down. */
void prompt_shutdown(void);
/* The history file: $XDG_STATE_HOME/tenantctl/history, else
 * ~/.local/state/tenantctl/history; caller frees; NULL without HOME. The
 * folder is made when missing. */
char *prompt_history_path(void);

/* Open the prompt with label (":", "/", "Reason: ") and initial text. */
void prompt_open(prompt_kind kind, const char *label, const char *initial);
bool prompt_active(void);
prompt_kind prompt_current_kind(void);
/* Feed one key from get_wch: a character (is_key false) or a KEY_ code.
 * Enter ends (PS_DONE), Esc or C-c cancels (PS_CANCELLED, closes). */
prompt_state prompt_feed(wint_t ch, bool is_key);
/* The text being edited (live filters read it after every key); borrowed. */
const char *prompt_text(void);
/* After PS_DONE: the line (caller frees); a PROMPT_COMMAND line is added to
 * the history. Closes the prompt. */
char *prompt_take(void);
/* Readline changed the line or the candidates since the last prompt_draw. */
bool prompt_redraw_due(void);
/* Draw the prompt on row y, and the completion candidates (when a Tab
 * found several) on the rows above it, up to max_above rows. */
void prompt_draw(int y, int max_above);

#endif
