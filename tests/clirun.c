#include "config.h"

#include "clirun.h"

#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"
#include "xalloc.h"

/* Read what is there; false once the writer has closed its end. */
static bool drain(int fd, strbuf *sb)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n <= 0)
		return false;
	sb_addn(sb, buf, (size_t)n);
	return true;
}

cli_out cli_run(const char *const *argv, const char *const *env)
{
	const char *builddir = getenv("TC_BUILDDIR");
	char *exe = xasprintf("%s/tenantctl", builddir ? builddir : ".");
	int po[2], pe[2];
	if (pipe(po) || pipe(pe))
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		close(po[1]);
		close(pe[1]);
		if (devnull > 2)
			close(devnull);
		/* No controlling terminal: a password prompt must not hang a test. */
		setsid();
		for (const char *const *e = env; e && *e; e++) {
			const char *eq = strchr(*e, '=');
			if (eq) {
				char *name = xstrndup(*e, (size_t)(eq - *e));
				setenv(name, eq + 1, 1);
				free(name);
			} else {
				unsetenv(*e);
			}
		}
		size_t n = 0;
		while (argv[n])
			n++;
		char **args = xcalloc(n + 2, sizeof *args);
		args[0] = exe;
		for (size_t i = 0; i < n; i++)
			args[i + 1] = (char *)argv[i];
		execv(exe, args);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	strbuf *dest[2] = {&out, &err};
	struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0)
			break;
		for (int k = 0; k < 2; k++)
			if (fds[k].fd >= 0 && fds[k].revents && !drain(fds[k].fd, dest[k]))
				fds[k].fd = -1;
	}
	close(po[0]);
	close(pe[0]);
	int ws = 0;
	waitpid(pid, &ws, 0);
	free(exe);
	cli_out o;
	o.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	o.out = sb_steal(&out);
	o.err = sb_steal(&err);
	return o;
}

void cli_out_free(cli_out *o)
{
	free(o->out);
	free(o->err);
	o->out = o->err = NULL;
}
