/* script: drive the console from a file for golden-screen tests and
 * benchmarks. One step a line:
 *   j  k  g  G  q  Q  ?  1..4     that key (any single character)
 *   KEY_DOWN KEY_UP KEY_LEFT KEY_RIGHT KEY_HOME KEY_END KEY_NPAGE KEY_PPAGE
 *   KEY_F1 KEY_F5 KEY_BACKSPACE TAB S-TAB ESC ENTER SPACE C-c C-d C-u C-l ...
 *   text STRING                   type STRING (UTF-8), one character at a time
 *   resize W H                    as if the terminal became W x H
 *   dump FILE                     write the screen's text to FILE
 * Blank lines and lines starting with # are skipped. Before each step the
 * console waits for the query it started, as a person would. */
#ifndef TC_UI_SCRIPT_H
#define TC_UI_SCRIPT_H

#include <stdbool.h>
#include <stdio.h>

typedef enum script_kind { SCRIPT_KEY, SCRIPT_TEXT, SCRIPT_RESIZE, SCRIPT_DUMP, SCRIPT_BAD } script_kind;

typedef struct script_step {
	script_kind kind;
	int key;           /* SCRIPT_KEY: a character, or a curses KEY_ code */
	int cols, lines;   /* SCRIPT_RESIZE */
	const char *path;  /* SCRIPT_DUMP; borrowed from the line parsed */
	const char *text;  /* SCRIPT_TEXT; borrowed from the line parsed */
} script_step;

/* Parse one line (its newline removed); false for a blank or comment line. */
bool script_parse(char *line, script_step *out);
/* Write every screen row, trailing blanks trimmed, as UTF-8. false on I/O error. */
bool script_dump(const char *path);
/* "80x24" -> 80, 24; false when malformed. */
bool script_size(const char *s, int *cols, int *lines);

#endif
