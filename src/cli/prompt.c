#include "config.h"

#include "prompt.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>

#include "strbuf.h"

char *prompt_password(const char *prompt, void *ctx)
{
	(void)ctx;
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return NULL;
	struct termios saved, quiet;
	int fd = fileno(tty);
	if (tcgetattr(fd, &saved) != 0) {
		fclose(tty);
		return NULL;
	}
	quiet = saved;
	quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	fputs(prompt, tty);
	fflush(tty);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	strbuf sb = STRBUF_INIT;
	int c;
	while ((c = fgetc(tty)) != EOF && c != '\n')
		sb_addc(&sb, (char)c);
	tcsetattr(fd, TCSAFLUSH, &saved);
	fputc('\n', tty);
	fclose(tty);
	if (c == EOF && sb.len == 0) {
		sb_free(&sb);
		return NULL;
	}
	return sb_steal(&sb);
}

bool prompt_confirm(void *ctx, const char *preview)
{
	const bool *yes = ctx;
	fputs(preview, stderr);
	if (yes && *yes)
		return true;
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty) {
		fputs("no terminal to confirm on: nothing applied (pass --yes to apply)\n", stderr);
		return false;
	}
	fputs("Apply these changes? [y/N] ", tty);
	fflush(tty);
	strbuf sb = STRBUF_INIT;
	int c;
	while ((c = fgetc(tty)) != EOF && c != '\n')
		sb_addc(&sb, (char)c);
	fclose(tty);
	const char *a = sb_str(&sb);
	bool ok = !strcmp(a, "y") || !strcmp(a, "Y") || !strcmp(a, "yes") || !strcmp(a, "YES");
	sb_free(&sb);
	return ok;
}
