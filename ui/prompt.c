#include "config.h"

#include "prompt.h"

#include <curses.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmdtab.h"
#include "lex.h"
#include "uwidth.h"
#include "xalloc.h"

/* Readline never touches the terminal here: it reads bytes prompt_feed
 * queued, writes to /dev/null, and only says when the line changed; curses
 * draws it (prompt_draw). Keys curses decoded are fed back as the escape
 * sequences readline binds, so readline's own state (history position,
 * kill ring, undo) stays whole. */

enum { HISTORY_MAX = 1000, QUEUE_MAX = 64 };

typedef struct strvec {
	char **v;
	size_t n, cap;
} strvec;

static struct {
	bool inited;
	bool active;          /* opened and not yet taken or cancelled */
	prompt_kind kind;
	prompt_state state;
	char *label;
	char *line;           /* the finished line while PS_DONE; owned */
	bool handler;         /* readline's line handler is installed */
	bool cancelling;      /* the line readline is ending is thrown away */
	bool redraw;          /* readline changed something since the last draw */
	int hscroll;          /* cells of the line scrolled off to the left */
	HISTORY_STATE *hidden; /* the command history, put away while an answer is edited */
	int hidden_base;
	char *hist_path;
	int hist_added;       /* lines added since the history file was read */
	prompt_words_fn words;
	void *words_ctx;
	FILE *devnull;        /* readline's streams; kept open for the process */
	unsigned char queue[QUEUE_MAX];
	size_t qhead, qlen;
	strvec comp;          /* candidates the completer offers readline */
	bool comp_files;      /* complete file names instead */
	strvec cand;          /* the candidates shown above the prompt */
} P;

/* ------------------------------------------------------------ small helpers */

static void sv_add(strvec *sv, const char *s, size_t len)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strlen(sv->v[i]) == len && strncmp(sv->v[i], s, len) == 0)
			return;
	sv->v = xgrow(sv->v, &sv->cap, sv->n + 1, sizeof *sv->v);
	sv->v[sv->n++] = xstrndup(s, len);
}

static void sv_clear(strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	sv->n = 0;
}

static void sv_free(strvec *sv)
{
	sv_clear(sv);
	free(sv->v);
	sv->v = NULL;
	sv->cap = 0;
}

/* mkdir -p, every missing folder private (0700). */
static void make_dirs(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
	mkdir(p, 0700);
	free(p);
}

static void make_parent_dirs(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return;
	char *dir = xstrndup(path, (size_t)(slash - path));
	make_dirs(dir);
	free(dir);
}

/* ------------------------------------------------------------ display width */

/* Draw s[0, n) at the cursor, leaving out its first `skip` cells and
 * stopping before a character that would pass `room` cells. Returns the
 * cells drawn. */
static int draw_text(const char *s, size_t n, int skip, int room)
{
	return uw_put_span(s, n, 0, skip, skip + room) - skip;
}

/* ------------------------------------------------------------ readline hooks */

static void term_prep(int meta)
{
	(void)meta;
}

static void term_deprep(void)
{
}

static void on_redisplay(void)
{
	P.redraw = true;
}

static int on_getc(FILE *f)
{
	(void)f;
	if (P.qlen == 0)
		return EOF; /* never asked: readline is only run while bytes wait */
	unsigned char c = P.queue[P.qhead];
	P.qhead = (P.qhead + 1) % QUEUE_MAX;
	P.qlen--;
	return c;
}

/* Readline asks this to tell an escape sequence from a lone prefix: the
 * bytes of one key are queued together, so "more is waiting" is exact. */
static int on_input_available(void)
{
	return P.qlen > 0;
}

static void on_line(char *line)
{
	rl_callback_handler_remove();
	P.handler = false;
	if (P.cancelling || !line) { /* !line: C-d on an empty line */
		free(line);
		P.state = PS_CANCELLED;
		return;
	}
	free(P.line);
	P.line = line;
	P.state = PS_DONE;
}

static void on_display_matches(char **matches, int num, int max)
{
	(void)max;
	sv_clear(&P.cand);
	for (int i = 1; i <= num && matches[i]; i++) {
		const char *m = matches[i];
		if (P.comp_files) { /* the name, as ls shows it, not the path typed */
			size_t len = strlen(m);
			const char *slash = NULL;
			for (const char *s = m; s + 1 < m + len; s++)
				if (*s == '/')
					slash = s;
			if (slash)
				m = slash + 1;
		}
		sv_add(&P.cand, m, strlen(m));
	}
	P.redraw = true;
}

/* ------------------------------------------------------------ completion */

enum { MAX_CMD_WORDS = 8 };

/* Split a command's words ("migrate status") into w[]; returns the count. */
static size_t spec_split(const char *words, const char **w, size_t *wl)
{
	size_t n = 0;
	const char *s = words;
	while (*s && n < MAX_CMD_WORDS) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		const char *b = s;
		while (*s && *s != ' ')
			s++;
		w[n] = b;
		wl[n++] = (size_t)(s - b);
	}
	return n;
}

/* Do the spec's first k words equal pos[0, k)? */
static bool spec_starts(const char **w, const size_t *wl, char **pos, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (strlen(pos[i]) != wl[i] || strncmp(pos[i], w[i], wl[i]) != 0)
			return false;
	return true;
}

/* The command named by the first positional words, the longest that fits. */
static const cmd_spec *spec_of(char **pos, size_t n, size_t *nwords)
{
	const cmd_spec *best = NULL;
	*nwords = 0;
	for (size_t i = 0; i < cmd_table_len; i++) {
		const char *w[MAX_CMD_WORDS];
		size_t wl[MAX_CMD_WORDS];
		size_t k = spec_split(cmd_table[i].words, w, wl);
		if (k <= n && k > *nwords && spec_starts(w, wl, pos, k)) {
			best = &cmd_table[i];
			*nwords = k;
		}
	}
	return best;
}

/* The word after pos[0, n) of every command that goes on from there. */
static void add_next_words(char **pos, size_t n)
{
	for (size_t i = 0; i < cmd_table_len; i++) {
		const char *w[MAX_CMD_WORDS];
		size_t wl[MAX_CMD_WORDS];
		size_t k = spec_split(cmd_table[i].words, w, wl);
		if (k > n && spec_starts(w, wl, pos, n))
			sv_add(&P.comp, w[n], wl[n]);
	}
}

/* The command's options, and of the global ones those that mean something
 * inside the console: the others choose the session (--dsn, --write: the
 * console refuses them) or the output format (ignored). */
static void add_options(const cmd_spec *spec)
{
	char buf[64];
	for (const cmd_opt *o = spec ? spec->opts : NULL; o && o->name; o++) {
		snprintf(buf, sizeof buf, "--%s", o->name);
		sv_add(&P.comp, buf, strlen(buf));
	}
	for (const cmd_opt *o = cmd_global_opts; o->name; o++)
		if (!strcmp(o->name, "help") || (spec && !strcmp(o->name, "yes"))) {
			snprintf(buf, sizeof buf, "--%s", o->name);
			sv_add(&P.comp, buf, strlen(buf));
		}
}

static const cmd_opt *opt_long(const char *name, size_t len)
{
	for (const cmd_opt *o = cmd_global_opts; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	for (size_t i = 0; i < cmd_table_len; i++)
		for (const cmd_opt *o = cmd_table[i].opts; o && o->name; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
				return o;
	return NULL;
}

static const cmd_opt *opt_short(char c)
{
	for (const cmd_opt *o = cmd_global_opts; o->name; o++)
		if (o->short_name == c)
			return o;
	for (size_t i = 0; i < cmd_table_len; i++)
		for (const cmd_opt *o = cmd_table[i].opts; o && o->name; o++)
			if (o->short_name == c)
				return o;
	return NULL;
}

static void add_words_of(const char *kind)
{
	if (!P.words)
		return;
	const char *const *list = NULL;
	size_t n = P.words(P.words_ctx, kind, &list);
	for (size_t i = 0; i < n && list; i++)
		if (list[i])
			sv_add(&P.comp, list[i], strlen(list[i]));
}

/* Candidates for a value named by a metavar: "SLUG" and "ORG" are org
 * slugs, "EMAIL" member emails, "VERSION" migration versions, "DIR" and
 * "FILE" file names, "org|workspace|project" those words; any other single
 * upper-case name is asked in lower case ("ROLE" -> "role"), so the console
 * can complete more kinds without a change here. */
static void add_metavar(const char *metavar)
{
	char m[64]; /* the metavar without [ ] and a trailing "..." */
	size_t n = 0;
	for (const char *s = metavar; *s && n + 1 < sizeof m; s++)
		if (*s != '[' && *s != ']')
			m[n++] = *s;
	m[n] = '\0';
	if (n >= 3 && strcmp(m + n - 3, "...") == 0)
		m[n - 3] = '\0';
	bool upper = false, lower = false;
	for (const char *s = m; *s; s++) {
		upper |= *s >= 'A' && *s <= 'Z';
		lower |= *s >= 'a' && *s <= 'z';
	}
	if (lower && !upper) {
		for (const char *s = m; *s;) {
			const char *bar = strchr(s, '|');
			size_t len = bar ? (size_t)(bar - s) : strlen(s);
			if (len)
				sv_add(&P.comp, s, len);
			s += len + (bar ? 1 : 0);
		}
		return;
	}
	if (!strcmp(m, "SLUG") || !strcmp(m, "ORG"))
		add_words_of("org");
	else if (!strcmp(m, "EMAIL"))
		add_words_of("email");
	else if (!strcmp(m, "VERSION"))
		add_words_of("version");
	else if (!strcmp(m, "DIR") || !strcmp(m, "FILE"))
		P.comp_files = true;
	else if (upper && m[strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")] == '\0') {
		for (char *s = m; *s; s++)
			if (*s >= 'A' && *s <= 'Z')
				*s = (char)(*s - 'A' + 'a');
		add_words_of(m);
	}
}

static void add_option_value(const cmd_opt *o)
{
	/* --slug names a new slug: the existing ones are the wrong answer. */
	if (o->metavar && strcmp(o->name, "slug") != 0)
		add_metavar(o->metavar);
}

/* The positional argument idx of spec, from its synopsis ("ORG EMAIL ROLE",
 * "[VERSION]", "[COMMAND...]"): a fresh string, or NULL past the end. */
static char *synopsis_arg(const cmd_spec *spec, size_t idx)
{
	const char *w[MAX_CMD_WORDS];
	size_t wl[MAX_CMD_WORDS];
	size_t n = spec_split(spec->synopsis ? spec->synopsis : "", w, wl);
	if (n == 0)
		return NULL;
	if (idx < n)
		return xstrndup(w[idx], wl[idx]);
	if (strstr(w[n - 1], "...")) /* the last word: it runs to the end */
		return xstrndup(w[n - 1], wl[n - 1]);
	return NULL;
}

/* Split line[0, n) into words as the command line is read: blanks
 * separate, quotes group, a backslash escapes. *open says the last word
 * runs to n (the word being completed began inside it, after a quote or
 * an '='). */
static void split_line(const char *line, size_t n, strvec *out, bool *open)
{
	char *text = xstrndup(line, n);
	size_t pos = 0;
	lex_word w;
	*open = false;
	while (lex_shell_word(text, &pos, &w)) {
		/* A word running to the end is the one being typed. */
		*open = w.end == n;
		out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
		out->v[out->n++] = w.value;
	}
	free(text);
}

/* Fill P.comp with what may stand at `start` of the line. */
static void gather(const char *line, size_t start, const char *text)
{
	strvec words = {NULL, 0, 0};
	bool open;
	split_line(line, start, &words, &open);
	const cmd_opt *value_of = NULL;
	if (open && words.n) { /* "--org=" or an opening quote */
		char *last = words.v[--words.n];
		size_t len = strlen(last);
		if (len > 3 && strncmp(last, "--", 2) == 0 && last[len - 1] == '=')
			value_of = opt_long(last + 2, len - 3);
		free(last);
	}
	char **pos = xmalloc((words.n + 1) * sizeof *pos);
	size_t npos = 0;
	const cmd_opt *pending = NULL;
	for (size_t i = 0; i < words.n; i++) {
		const char *w = words.v[i];
		if (pending) {
			pending = NULL;
			continue;
		}
		if (w[0] == '-' && w[1] == '-' && w[2]) {
			const char *eq = strchr(w + 2, '=');
			const cmd_opt *o = opt_long(w + 2, eq ? (size_t)(eq - w - 2) : strlen(w + 2));
			if (o && o->metavar && !eq)
				pending = o;
			continue;
		}
		if (w[0] == '-' && w[1] && w[1] != '-') {
			for (const char *c = w + 1; *c; c++) {
				const cmd_opt *o = opt_short(*c);
				if (o && o->metavar) {
					if (!c[1])
						pending = o;
					break;
				}
			}
			continue;
		}
		pos[npos++] = words.v[i];
	}
	if (!value_of)
		value_of = pending;
	size_t m;
	const cmd_spec *spec = spec_of(pos, npos, &m);
	if (value_of) {
		add_option_value(value_of);
	} else if (text[0] == '-') {
		add_options(spec);
	} else {
		add_next_words(pos, npos);
		if (spec) {
			char *arg = synopsis_arg(spec, npos - m);
			if (arg && strstr(arg, "COMMAND"))
				add_next_words(pos + m, npos - m);
			else if (arg)
				add_metavar(arg);
			free(arg);
		}
	}
	free(pos);
	sv_free(&words);
}

static char *comp_next(const char *text, int state)
{
	static size_t i;
	if (!state)
		i = 0;
	size_t tl = strlen(text);
	while (i < P.comp.n) {
		const char *c = P.comp.v[i++];
		if (strncmp(c, text, tl) == 0)
			return xstrdup(c);
	}
	return NULL;
}

static char **on_complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1; /* never fall back to file names */
	if (!P.active || P.kind != PROMPT_COMMAND || start < 0)
		return NULL;
	sv_clear(&P.comp);
	P.comp_files = false;
	gather(rl_line_buffer, (size_t)start, text);
	if (P.comp_files) {
		rl_filename_completion_desired = 1;
		return rl_completion_matches(text, rl_filename_completion_function);
	}
	if (!P.comp.n)
		return NULL;
	return rl_completion_matches(text, comp_next);
}

/* ------------------------------------------------------------ history */

/* Answers are edited with the command history out of sight, so Up, Down
 * and C-r find nothing in them. */
static void hide_history(void)
{
	if (P.hidden)
		return;
	P.hidden_base = history_base;
	P.hidden = history_get_history_state();
	HISTORY_STATE empty;
	memset(&empty, 0, sizeof empty);
	history_set_history_state(&empty);
}

static void show_history(void)
{
	if (!P.hidden)
		return;
	if (history_length > 0)
		clear_history();
	free(history_list());
	history_set_history_state(P.hidden);
	history_base = P.hidden_base;
	free(P.hidden);
	P.hidden = NULL;
}

static void remember(const char *line)
{
	if (line[0] == ' ' || line[strspn(line, " \t")] == '\0')
		return;
	if (history_length > 0) {
		HIST_ENTRY *last = history_get(history_base + history_length - 1);
		if (last && last->line && strcmp(last->line, line) == 0)
			return;
	}
	add_history(line);
	P.hist_added++;
}

static void save_history(void)
{
	if (!P.hist_path || P.hist_added <= 0)
		return;
	make_parent_dirs(P.hist_path);
	int fd = open(P.hist_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	close(fd);
	int n = P.hist_added < history_length ? P.hist_added : history_length;
	/* Append, so two consoles open at once both keep their lines. */
	if (append_history(n, P.hist_path) == 0)
		history_truncate_file(P.hist_path, HISTORY_MAX);
	P.hist_added = 0;
}

/* ------------------------------------------------------------ feeding */

static void run_bytes(const char *s, size_t n)
{
	for (size_t i = 0; i < n && P.qlen < QUEUE_MAX; i++) {
		P.queue[(P.qhead + P.qlen) % QUEUE_MAX] = (unsigned char)s[i];
		P.qlen++;
	}
	/* One byte per call at least; the guard only stops a readline that
	 * would read nothing. */
	for (int guard = 4 * QUEUE_MAX; P.qlen && P.handler && guard > 0; guard--)
		rl_callback_read_char();
	P.qhead = P.qlen = 0; /* what is left belonged to a line that ended */
	P.redraw = true;
}

static void close_prompt(prompt_state st)
{
	show_history();
	free(P.line);
	P.line = NULL;
	P.active = false;
	P.state = st;
	P.hscroll = 0;
	sv_clear(&P.cand);
}

/* End the line through readline's own newline, so a history line edited
 * on the way is put back as it was, then throw the line away. */
static void cancel_line(void)
{
	if (P.handler) {
		rl_callback_sigcleanup(); /* leave a search, a numeric argument, C-q */
		P.cancelling = true;
		run_bytes("\r", 1);
		P.cancelling = false;
	}
	if (P.handler) {
		rl_callback_handler_remove();
		P.handler = false;
	}
	close_prompt(PS_CANCELLED);
}

/* What readline binds for the keys curses decodes. */
static const struct {
	int key;
	const char *seq;
	rl_command_func_t *fn;
} key_seqs[] = {
	{KEY_LEFT, "\033[D", rl_backward_char},
	{KEY_RIGHT, "\033[C", rl_forward_char},
	{KEY_UP, "\033[A", rl_get_previous_history},
	{KEY_DOWN, "\033[B", rl_get_next_history},
	{KEY_HOME, "\033[H", rl_beg_of_line},
	{KEY_END, "\033[F", rl_end_of_line},
	{KEY_DC, "\033[3~", rl_delete},
};

prompt_state prompt_feed(wint_t ch, bool is_key)
{
	if (!P.active || P.state != PS_EDITING)
		return P.state;
	sv_clear(&P.cand); /* shown until the next key */
	P.redraw = true;
	char buf[MB_LEN_MAX + 1];
	size_t n = 0;
	if (is_key) {
		switch ((int)ch) {
		case KEY_ENTER:
			buf[n++] = '\r'; /* C-m: C-j only ends a search */
			break;
		case KEY_BACKSPACE:
			buf[n++] = 127;
			break;
		default:
			for (size_t i = 0; i < sizeof key_seqs / sizeof key_seqs[0]; i++)
				if (key_seqs[i].key == (int)ch) {
					run_bytes(key_seqs[i].seq, strlen(key_seqs[i].seq));
					goto ran;
				}
			return P.state; /* a key the editor has no use for */
		}
	} else if (ch == 27 || ch == 3 || ch == 7) { /* Esc, C-c, C-g */
		cancel_line();
		return P.state;
	} else if (ch == '\r' || ch == '\n') {
		buf[n++] = '\r';
	} else if (ch == '\t') {
		if (P.kind != PROMPT_COMMAND)
			return P.state; /* only commands complete */
		buf[n++] = '\t';
	} else {
		mbstate_t ps;
		memset(&ps, 0, sizeof ps);
		n = wcrtomb(buf, (wchar_t)ch, &ps);
		if (n == (size_t)-1) {
			if (ch > 255)
				return P.state;
			buf[0] = (char)ch;
			n = 1;
		}
	}
	run_bytes(buf, n);
ran:
	if (P.state == PS_CANCELLED)
		close_prompt(PS_CANCELLED);
	return P.state;
}

/* ------------------------------------------------------------ the face */

char *prompt_history_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	char *dir;
	if (xdg && xdg[0] == '/') { /* the spec ignores a relative one */
		dir = xasprintf("%s/tenantctl", xdg);
	} else {
		const char *home = getenv("HOME");
		if (!home || !*home)
			return NULL;
		dir = xasprintf("%s/.local/state/tenantctl", home);
	}
	make_dirs(dir);
	char *path = xasprintf("%s/history", dir);
	free(dir);
	return path;
}

void prompt_init(const char *history_path, prompt_words_fn words, void *ctx)
{
	if (P.inited)
		prompt_shutdown();
	P.words = words;
	P.words_ctx = ctx;
	P.hist_path = history_path ? xstrdup(history_path) : NULL;
	P.hist_added = 0;
	if (!P.devnull)
		P.devnull = fopen("/dev/null", "r+");
	if (!P.devnull)
		P.devnull = tmpfile();
	if (!P.devnull)
		abort(); /* readline would take the terminal from curses */

	rl_readline_name = "tenantctl";
	rl_instream = P.devnull;
	rl_outstream = P.devnull;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = term_prep;
	rl_deprep_term_function = term_deprep;
	/* A redisplay function of our own also keeps readline from reading the
	 * terminal's termcap entry (which would replace curses' cur_term). */
	rl_redisplay_function = on_redisplay;
	rl_getc_function = on_getc;
	rl_input_available_hook = on_input_available;
	rl_attempted_completion_function = on_complete;
	rl_completion_display_matches_hook = on_display_matches;
	/* '@' and '.' belong to emails, '-' to options; '=' ends "--org=". */
	rl_completer_word_break_characters = " \t\n=";
	rl_completer_quote_characters = "\"'";
	rl_sort_completion_matches = 1;
	rl_initialize();

	rl_variable_bind("editing-mode", "emacs"); /* Esc cancels: no vi mode here */
	rl_variable_bind("bell-style", "none");    /* the bell would go to stderr */
	rl_variable_bind("show-all-if-ambiguous", "on");
	rl_variable_bind("revert-all-at-newline", "on");
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("echo-control-characters", "off");
	if (MB_CUR_MAX > 1) {
		rl_variable_bind("input-meta", "on");
		rl_variable_bind("output-meta", "on");
		rl_variable_bind("convert-meta", "off");
	}
	/* The user's inputrc may have bound these already (Up to
	 * history-search-backward, say): theirs wins. */
	for (size_t i = 0; i < sizeof key_seqs / sizeof key_seqs[0]; i++)
		rl_bind_keyseq_if_unbound_in_map(key_seqs[i].seq, key_seqs[i].fn,
						 emacs_standard_keymap);

	using_history();
	stifle_history(HISTORY_MAX);
	if (P.hist_path)
		read_history(P.hist_path); /* missing on the first run */
	P.inited = true;
}

void prompt_shutdown(void)
{
	if (!P.inited)
		return;
	if (P.active && P.state == PS_EDITING)
		cancel_line();
	else if (P.active)
		close_prompt(PS_CANCELLED);
	save_history();
	clear_history();
	free(P.hist_path);
	P.hist_path = NULL;
	free(P.label);
	P.label = NULL;
	sv_free(&P.comp);
	sv_free(&P.cand);
	P.words = NULL;
	P.words_ctx = NULL;
	P.inited = false;
}

void prompt_open(prompt_kind kind, const char *label, const char *initial)
{
	if (!P.inited)
		prompt_init(NULL, NULL, NULL);
	if (P.active) {
		if (P.state == PS_EDITING)
			cancel_line();
		else
			close_prompt(PS_CANCELLED);
	}
	free(P.label);
	P.label = xstrdup(label ? label : "");
	P.kind = kind;
	P.state = PS_EDITING;
	P.active = true;
	P.hscroll = 0;
	sv_clear(&P.cand);
	if (kind != PROMPT_COMMAND)
		hide_history();
	P.handler = true;
	rl_callback_handler_install(P.label, on_line);
	if (initial && *initial) {
		rl_insert_text(initial);
		rl_point = rl_end;
	}
	P.redraw = true;
}

bool prompt_active(void)
{
	return P.active;
}

prompt_kind prompt_current_kind(void)
{
	return P.kind;
}

const char *prompt_text(void)
{
	if (!P.active)
		return "";
	if (P.state == PS_DONE)
		return P.line ? P.line : "";
	return rl_line_buffer ? rl_line_buffer : "";
}

char *prompt_take(void)
{
	if (!P.active || P.state != PS_DONE)
		return NULL;
	char *line = P.line ? P.line : xstrdup("");
	P.line = NULL;
	show_history();
	if (P.kind == PROMPT_COMMAND)
		remember(line);
	close_prompt(PS_DONE);
	return line;
}

bool prompt_redraw_due(void)
{
	return P.active && P.redraw;
}

/* The candidates in columns, row by row, on the rows right above y; when
 * they do not all fit, the last slots say how many more there are. */
static void draw_candidates(int y, int max_above, int cols)
{
	int avail = max_above < y ? max_above : y;
	if (avail <= 0 || P.cand.n == 0)
		return;
	size_t n = P.cand.n;
	int maxw = 1;
	for (size_t i = 0; i < n; i++) {
		int w = uw_width_n(P.cand.v[i], strlen(P.cand.v[i]));
		if (w > maxw)
			maxw = w;
	}
	int colw = maxw + 2 < cols ? maxw + 2 : cols;
	size_t ncols = (size_t)(cols / colw);
	if (ncols < 1)
		ncols = 1;
	size_t rows = (n + ncols - 1) / ncols, shown = n;
	char more[64] = "";
	if (rows > (size_t)avail) {
		rows = (size_t)avail;
		bool utf8 = MB_CUR_MAX > 1;
		snprintf(more, sizeof more, "%s%zu more", utf8 ? "\xe2\x80\xa6" : "...", n);
		int mw = uw_width_n(more, strlen(more));
		size_t k = 1; /* slots the note takes, at the end of the last row */
		while (k < ncols && cols - (int)(ncols - k) * colw < mw)
			k++;
		shown = rows * ncols - k;
		snprintf(more, sizeof more, "%s%zu more", utf8 ? "\xe2\x80\xa6" : "...", n - shown);
	}
	int top = y - (int)rows;
	for (size_t r = 0; r < rows; r++) {
		move(top + (int)r, 0);
		clrtoeol();
	}
	for (size_t i = 0; i < shown; i++) {
		move(top + (int)(i / ncols), (int)(i % ncols) * colw);
		draw_text(P.cand.v[i], strlen(P.cand.v[i]), 0, colw - (colw > 2 ? 2 : 0));
	}
	if (*more) {
		int x = (int)(shown % ncols) * colw;
		move(top + (int)rows - 1, x);
		draw_text(more, strlen(more), 0, cols - x);
	}
}

void prompt_draw(int y, int max_above)
{
	if (!P.active)
		return;
	int cols = COLS;
	if (cols <= 0 || y < 0)
		return;
	const char *label = P.label ? P.label : "";
	const char *text;
	size_t len, point;
	if (P.state == PS_EDITING) {
		/* readline shows searches and numeric arguments as its prompt */
		if (rl_display_prompt)
			label = rl_display_prompt;
		text = rl_line_buffer ? rl_line_buffer : "";
		len = rl_end > 0 ? (size_t)rl_end : 0;
		point = rl_point > 0 ? (size_t)rl_point : 0;
	} else {
		text = P.line ? P.line : "";
		len = strlen(text);
		point = len;
	}
	if (point > len)
		point = len;

	if (max_above > 0)
		draw_candidates(y, max_above, cols);

	move(y, 0);
	clrtoeol();
	int lw = draw_text(label, strlen(label), 0, cols > 1 ? cols - 1 : 1);
	int room = cols - lw;
	if (room < 1)
		room = 1;
	int cur = uw_width_n(text, point), total = uw_width_n(text, len);
	int curw = 1; /* the cells the cursor sits on */
	if (point < len && uw_char_cells(text + point, len - point) > 1)
		curw = uw_char_cells(text + point, len - point);
	if (total < room) {
		P.hscroll = 0;
	} else {
		if (total + 1 - P.hscroll < room) /* no blank tail while text is hidden */
			P.hscroll = total + 1 - room;
		if (cur < P.hscroll) /* back a quarter so what is left of the cursor shows */
			P.hscroll = cur - room / 4 > 0 ? cur - room / 4 : 0;
		if (cur + curw - P.hscroll > room)
			P.hscroll = cur + curw - room;
		if (P.hscroll < 0)
			P.hscroll = 0;
	}
	move(y, lw);
	draw_text(text, len, P.hscroll, room);
	move(y, lw + cur - P.hscroll);
	P.redraw = false;
}
