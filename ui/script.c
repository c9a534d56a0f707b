#include "config.h"

#include "script.h"

#include <curses.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{"KEY_DOWN", KEY_DOWN},	  {"KEY_UP", KEY_UP},	      {"KEY_LEFT", KEY_LEFT},
	{"KEY_RIGHT", KEY_RIGHT}, {"KEY_HOME", KEY_HOME},     {"KEY_END", KEY_END},
	{"KEY_NPAGE", KEY_NPAGE}, {"KEY_PPAGE", KEY_PPAGE},   {"KEY_F1", KEY_F(1)},
	{"KEY_F5", KEY_F(5)},	  {"KEY_BACKSPACE", KEY_BACKSPACE}, {"KEY_DC", KEY_DC},
	{"TAB", '\t'},		  {"S-TAB", KEY_BTAB},	      {"ESC", 27},
	{"ENTER", '\n'},	  {"SPACE", ' '},	      {"C-a", 1},
	{"C-c", 3},		  {"C-d", 4},		      {"C-e", 5},
	{"C-l", 12},		  {"C-u", 21},		      {"C-w", 23},
};

bool script_parse(char *line, script_step *out)
{
	line[strcspn(line, "\r\n")] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return false;
	memset(out, 0, sizeof *out);
	if (strncmp(line, "dump ", 5) == 0) {
		out->kind = SCRIPT_DUMP;
		out->path = line + 5;
		return true;
	}
	if (strncmp(line, "text ", 5) == 0) {
		out->kind = SCRIPT_TEXT;
		out->text = line + 5;
		return true;
	}
	if (strncmp(line, "resize ", 7) == 0) {
		out->kind = sscanf(line + 7, "%d %d", &out->cols, &out->lines) == 2 && out->cols > 0 &&
					    out->lines > 0
				    ? SCRIPT_RESIZE
				    : SCRIPT_BAD;
		return true;
	}
	out->kind = SCRIPT_KEY;
	if (line[1] == '\0') {
		out->key = (unsigned char)line[0];
		return true;
	}
	for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++)
		if (strcmp(line, named_keys[i].name) == 0) {
			out->key = named_keys[i].key;
			return true;
		}
	out->kind = SCRIPT_BAD;
	return true;
}

bool script_dump(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	wchar_t *row = malloc(((size_t)COLS + 1) * sizeof *row);
	if (!row)
		abort();
	for (int y = 0; y < LINES; y++) {
		int n = mvinnwstr(y, 0, row, COLS);
		if (n < 0)
			n = 0;
		row[n] = L'\0';
		while (n > 0 && row[n - 1] == L' ')
			row[--n] = L'\0';
		char mb[MB_LEN_MAX + 1];
		mbstate_t ps;
		memset(&ps, 0, sizeof ps);
		for (int i = 0; i < n; i++) {
			size_t k = wcrtomb(mb, row[i], &ps);
			if (k == (size_t)-1)
				fputc('?', f);
			else
				fwrite(mb, 1, k, f);
		}
		fputc('\n', f);
	}
	free(row);
	return fclose(f) == 0;
}

bool script_size(const char *s, int *cols, int *lines)
{
	char x;
	return s && sscanf(s, "%d%c%d", cols, &x, lines) == 3 && x == 'x' && *cols > 0 &&
	       *lines > 0;
}
