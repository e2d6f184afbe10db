// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl top: a live view of a Go process, refreshed every interval.
 *
 * Where the figures come from: the syscall table from the module's
 * histograms of the target (HIST_GET; the session asks for syscall
 * events with a minimum duration no call reaches, so the module counts
 * every call in its histograms and writes no syscall record); the
 * goroutines from one read of the process's goroutines (model/
 * goroutines.h) kept up to date by the session's goroutine records
 * (model/live.h), and read again when records were lost; breakpoint hit
 * rates from the probes' counters (PROBE_GET); losses from the module's
 * counters (STATS_GET). The session is set up as capture's (capture.c),
 * owned: the module removes it when top exits, however it exits.
 *
 * On a terminal the screen is redrawn in place (the alternate screen,
 * the terminal in non-canonical mode without echo for the keys q and s),
 * and the terminal is restored at every exit: q, SIGINT, SIGTERM, SIGHUP
 * (taken through a signalfd), the target's exit, and errors (atexit);
 * and while ^Z (SIGTSTP) has it stopped.
 * Elsewhere it prints a plain text block per interval.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/percentile.h"
#include "base/proc.h"
#include "base/util.h"
#include "cmd/capture.h"
#include "cmd/hist.h"
#include "cmd/top.h"
#include "model/goroutines.h"
#include "model/live.h"
#include "module/sessinfo.h"

static const char *const top_usage =
	"Usage: " PROG " top -p PID [--interval DUR] [--iterations N] [--sort KEY]\n"
	"                 [--break SPEC ...]\n"
	"\n"
	"Show a running Go program live, refreshed every interval: its syscalls\n"
	"(calls, calls per second, ~P50, ~P99, longest, total time, since top\n"
	"started; ~ marks bounds from the module's power-of-two histograms), its\n"
	"goroutines by state and by wait reason, the goroutines blocked longest\n"
	"(with their start function; '>' marks a wait that began before top\n"
	"started and is at least that long), breakpoint hit rates, and what\n"
	"was lost. The goroutines are read once from the process's memory, then\n"
	"followed through the module's goroutine records; the runtime's own\n"
	"goroutines are counted apart. On a terminal, q quits and s changes the\n"
	"order of the syscall table; elsewhere a block of plain text is printed\n"
	"every interval. Needs what capture needs: the module, CAP_PERFMON or\n"
	"CAP_SYS_ADMIN, and ptrace access to the process.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID          the process (required; a Go program)\n"
	"  -d, --interval DUR     refresh every DUR (default 1s, at least 100ms)\n"
	"  -n, --iterations N     stop after N refreshes (default: until q, Ctrl-C\n"
	"                         or the process exits)\n"
	"      --sort KEY         the syscall table's order: rate (default), count,\n"
	"                         total, p99, max\n"
	"      --break SPEC       also count the hits of breakpoint SPEC, as capture\n"
	"                         --break takes it (repeatable, up to 16)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 quit, or the process exited; 1 a usage error, a PID that\n"
	"names no process or no Go program; 2 the module is not loaded; 3 top\n"
	"failed; 4 permission denied.\n";

#define INTERVAL_MIN_NS	(100ULL * 1000000)
#define TOP_BUFFER	(2U << 20)

struct top {
	const struct cmd *c;
	struct capture_opts o;
	struct capture cap;
	uint32_t pid;
	char comm[64];
	uint64_t interval_ns;
	uint32_t iterations;	/* 0: no limit */
	bool tty;		/* stdout is a terminal: redraw in place */
	bool keys;		/* stdin is one too: read q and s */

	struct gr_dump d;	/* attached: read again after losses */
	struct live live;
	void *go;		/* capture_go's data, to name PCs */
	void *bp;		/* capture_break's, to tell probes apart */

	int sig_fd, timer_fd;
	uint64_t last_ns;	/* the last refresh */
	uint64_t records;
	uint64_t lost;		/* the module's count at the last refresh */
	uint64_t resyncs;

	struct hist_list prev;	/* counts at the last refresh */
	struct top_sc *sc;
	struct top_break *breaks;
	struct top_blocked *blocked;
	struct live_count *reasons;
	struct top_view view;
};

/* ---- the terminal --------------------------------------------------- */

static struct termios saved_tio;
static bool tio_saved, screen_on;

/* Leaves the alternate screen and gives the terminal back as it was. */
static void restore_terminal(void)
{
	if (screen_on) {
		fputs("\033[?25h\033[?1049l", stdout);
		fflush(stdout);
		screen_on = false;
	}
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
		tio_saved = false;
	}
}

static void setup_terminal(struct top *t)
{
	static bool registered;
	struct termios tio;

	if (!registered)
		atexit(restore_terminal);
	registered = true;
	if (t->keys && !tcgetattr(STDIN_FILENO, &saved_tio)) {
		tio = saved_tio;
		/* Keys one at a time, not echoed; ^C still signals. */
		tio.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		tio.c_cc[VMIN] = 0;
		tio.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &tio))
			tio_saved = true;
	}
	fputs("\033[?1049h\033[?25l", stdout);
	screen_on = true;
}

static void screen_size(unsigned int *w, unsigned int *h)
{
	struct winsize ws;

	*w = 80;
	*h = 24;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		*w = ws.ws_col;
		*h = ws.ws_row;
	}
}

/* The screen from the top left, each line cleared to its end, no scrolling. */
static void draw(struct top *t)
{
	unsigned int w, h;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if (!t->tty) {
		top_render(stdout, &t->view, 0, 0);
		fputc('\n', stdout);
		fflush(stdout);
		return;
	}
	screen_size(&w, &h);
	f = open_memstream(&buf, &len);
	if (!f)
		die(EXIT_OPFAIL, "%s: out of memory", t->c->name);
	top_render(f, &t->view, w, h);
	fclose(f);
	fputs("\033[H", stdout);
	for (i = 0; i < len; i++) {
		if (buf[i] != '\n') {
			fputc(buf[i], stdout);
			continue;
		}
		fputs("\033[K", stdout);
		/* The last line's newline would scroll the screen. */
		if (i + 1 < len)
			fputs("\r\n", stdout);
	}
	fputs("\033[J", stdout);
	fflush(stdout);
	free(buf);
}

/* ---- options -------------------------------------------------------- */

static void add_break(const struct cmd *c, struct capture_opts *o, const char *spec)
{
	if (o->nbreaks == CAPTURE_BREAKS_MAX)
		cmd_usage_error(c, "more than %d --break", CAPTURE_BREAKS_MAX);
	o->breaks = xreallocarray(o->breaks, o->nbreaks + 1, sizeof(*o->breaks));
	memset(&o->breaks[o->nbreaks], 0, sizeof(*o->breaks));
	o->breaks[o->nbreaks++].spec = spec;
}

static void parse_options(const struct cmd *c, int argc, char **argv, struct top *t)
{
	enum { O_SORT = 256, O_BREAK };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, O_SORT },
		{ "break", required_argument, NULL, O_BREAK },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	const char *why;
	int opt, s;

	t->interval_ns = 1000000000ULL;
	while ((opt = cmd_getopt(c, argc, argv, "p:d:n:h", longopts)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_u32(optarg, 1, INT32_MAX, &t->pid))
				cmd_usage_error(c, "invalid PID '%s'", optarg);
			break;
		case 'd':
			why = parse_duration(optarg, &t->interval_ns);
			if (why)
				cmd_usage_error(c, "--interval '%s': %s", optarg, why);
			if (t->interval_ns < INTERVAL_MIN_NS)
				cmd_usage_error(c, "--interval '%s': at least 100ms", optarg);
			break;
		case 'n':
			why = parse_u32(optarg, 1, UINT32_MAX, &t->iterations);
			if (why)
				cmd_usage_error(c, "--iterations '%s': %s", optarg, why);
			break;
		case O_SORT:
			s = top_sort_parse(optarg);
			if (s < 0)
				cmd_usage_error(c, "unknown sort key '%s' (rate, count, total, "
						"p99, max)", optarg);
			t->view.sort = (enum top_sort)s;
			break;
		case O_BREAK:
			add_break(c, &t->o, optarg);
			break;
		}
	}
	cmd_no_operands(c, argc, argv);
	if (!t->pid)
		cmd_usage_error(c, "missing -p PID");
}

/* What capture would do for: -p PID --goroutines --syscalls [--break ...]. */
static void session_options(struct top *t)
{
	struct capture_opts *o = &t->o;

	o->pids = xcalloc(1, sizeof(*o->pids));
	o->pids[0] = t->pid;
	o->npids = o->npids_given = 1;
	o->syscalls = true;
	o->goroutines = true;
	/* Histograms count every call; records only those this long: none. */
	o->has_min = true;
	o->min_ns = UINT64_MAX;
	o->buffer = TOP_BUFFER;
	o->mode = GODIAG_MODE_DISCARD;
}

/* ---- the figures ---------------------------------------------------- */

static const char *start_name(void *arg, uint32_t pid, uint64_t pc, bool *system)
{
	return capture_go_start_name(arg, pid, pc, system);
}

static const char *reason_name(void *arg, uint32_t pid, uint32_t reason)
{
	return capture_go_reason_name(arg, pid, reason);
}

static void on_record(const struct godiag_rec *rec, size_t len, unsigned int cpu, void *arg)
{
	struct top *t = arg;
	size_t i;

	(void)cpu;
	if (rec->type != GODIAG_REC_LOST)
		t->records++;
	live_record(&t->live, rec, len);
	for (i = 0; i < t->cap.nsrcs; i++)
		if (t->cap.srcs[i].ops->record)
			t->cap.srcs[i].ops->record(t->cap.srcs[i].data, rec, len);
}

static void drain(struct top *t)
{
	size_t i;

	for (i = 0; i < t->cap.nrings; i++)
		ring_drain(&t->cap.rings[i], on_record, t);
}

/* (Again) the goroutines as the process's memory has them now. */
static void read_goroutines(struct top *t)
{
	struct gr_filter f = { .state = -1, .system = true, .no_stacks = true };
	char err[1024];
	enum gr_error e;
	uint64_t now;

	now = capture_now_ns(CLOCK_MONOTONIC);
	e = gr_walk(&t->d, &f, err, sizeof(err));
	if (e != GR_OK)
		die(gr_exit_code(e), "%s: %s", t->c->name, err);
	/* Records before the read are in it; those kept so far are dropped. */
	t->live.nevs = 0;
	live_seed(&t->live, &t->d, now);
}

/* The module's losses so far, summed over the CPUs. */
static uint64_t module_lost(struct top *t)
{
	struct session_list l = { NULL, 0 };
	uint64_t lost = 0;
	size_t i;
	int err = sessinfo_dump(t->cap.nl, GODIAG_CMD_STATS_GET, t->cap.session, &l);

	if (err)
		gdnl_fail(t->cap.nl, err);
	for (i = 0; l.n && i < l.v[0].nr_cpus; i++)
		lost += l.v[0].cpus[i].lost;
	session_list_free(&l);
	return lost;
}

static uint64_t prev_count(const struct hist_list *prev, uint32_t nr)
{
	size_t i;

	for (i = 0; i < prev->n; i++)
		if (prev->v[i].nr == nr)
			return prev->v[i].count;
	return 0;
}

static void syscall_rows(struct top *t)
{
	struct hist_list l = { NULL, 0 };
	size_t i;
	int err = hist_fetch(t->cap.nl, t->cap.session, t->pid, &l);

	if (err)
		gdnl_fail(t->cap.nl, err);
	t->sc = xreallocarray(t->sc, l.n ? l.n : 1, sizeof(*t->sc));
	for (i = 0; i < l.n; i++) {
		const struct hist_row *h = &l.v[i];
		struct top_sc *s = &t->sc[i];
		uint64_t before = prev_count(&t->prev, h->nr);

		s->nr = h->nr;
		s->count = h->count;
		s->delta = h->count >= before ? h->count - before : 0;
		s->total_ns = h->total_ns;
		s->max_ns = h->max_ns;
		s->p50_ns = pct_log2_buckets(h->buckets, GODIAG_HIST_BUCKETS, h->max_ns, 50);
		s->p99_ns = pct_log2_buckets(h->buckets, GODIAG_HIST_BUCKETS, h->max_ns, 99);
	}
	free(t->prev.v);
	t->prev = l;
	t->view.sc = t->sc;
	t->view.nsc = l.n;
}

static void break_rows(struct top *t)
{
	struct probe_list l = { NULL, 0 };
	size_t i;
	int err, b;

	if (!t->o.nbreaks)
		return;
	err = probes_dump(t->cap.nl, t->cap.session, &l);
	if (err)
		gdnl_fail(t->cap.nl, err);
	if (!t->breaks) {
		t->breaks = xcalloc(t->o.nbreaks, sizeof(*t->breaks));
		for (i = 0; i < t->o.nbreaks; i++)
			t->breaks[i].spec = t->o.breaks[i].spec;
	}
	/* delta holds the last count until the new one is summed. */
	for (i = 0; i < t->o.nbreaks; i++) {
		t->breaks[i].delta = t->breaks[i].hits;
		t->breaks[i].hits = 0;
	}
	for (i = 0; i < l.n; i++) {
		b = capture_break_of_probe(t->bp, l.v[i].id);
		if (b >= 0)
			t->breaks[b].hits += l.v[i].hits;
	}
	for (i = 0; i < t->o.nbreaks; i++)
		t->breaks[i].delta = t->breaks[i].hits - t->breaks[i].delta;
	probe_list_free(&l);
	t->view.breaks = t->breaks;
	t->view.nbreaks = t->o.nbreaks;
}

/* Everything read again, into t->view. */
static void refresh(struct top *t)
{
	uint64_t now, lost;

	drain(t);
	lost = module_lost(t);
	if (lost > t->lost) {
		/* The records cannot say what the lost ones did: read it all again. */
		t->lost = lost;
		t->resyncs++;
		read_goroutines(t);
	}
	live_fold(&t->live);
	live_compact(&t->live);
	now = capture_now_ns(CLOCK_MONOTONIC);
	syscall_rows(t);
	break_rows(t);
	top_view_live(&t->view, &t->live, now, &t->blocked, &t->reasons);
	t->view.elapsed_ns = now - t->cap.start_mono;
	t->view.interval_ns = now - t->last_ns;
	t->last_ns = now;
	t->view.records = t->records;
	t->view.lost = t->lost;
	t->view.stale = t->live.stale;
	t->view.resyncs = t->resyncs;
	top_sort_view(&t->view);
}

/* ---- the loop ------------------------------------------------------- */

static void open_fds(struct top *t)
{
	struct itimerspec its = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGTSTP);
	/* Blocked, SIGCONT still continues the process; it is also queued here. */
	sigaddset(&set, SIGCONT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		die(EXIT_OPFAIL, "%s: cannot block signals: %s", t->c->name, strerror(errno));
	t->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	t->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->sig_fd < 0 || t->timer_fd < 0)
		die(EXIT_OPFAIL, "%s: %s", t->c->name, strerror(errno));
	its.it_value.tv_sec = (time_t)(t->interval_ns / 1000000000ULL);
	its.it_value.tv_nsec = (long)(t->interval_ns % 1000000000ULL);
	its.it_interval = its.it_value;
	timerfd_settime(t->timer_fd, 0, &its, NULL);
}

enum { FD_DEV, FD_SIG, FD_TIMER, FD_KEYS, NR_FDS };

/* What ends the loop. */
enum top_end { TOP_GO_ON, TOP_QUIT, TOP_EXITED, TOP_SESSION };

/* Whether a SIGCONT came after the SIGTSTP being handled (it is consumed). */
static bool continued(void)
{
	sigset_t pending;

	if (sigpending(&pending) || !sigismember(&pending, SIGCONT))
		return false;
	return true;
}

/*
 * ^Z: the terminal as it was while stopped, top's again after. The rest
 * of the job (a shell running top) stops at once, top only here: a
 * SIGCONT sent in between (fg typed quickly) would be followed by a
 * stop that nothing continues, so top does not stop when one came (the
 * window left is between the two system calls). A SIGCONT discards a
 * stop signal still pending, so only one that came after the SIGTSTP
 * was read matters; it stays pending and the signalfd reads it after.
 */
static void suspend(struct top *t)
{
	if (t->tty)
		restore_terminal();
	if (!continued())
		kill(getpid(), SIGSTOP);
	if (t->tty) {
		setup_terminal(t);
		draw(t);
	}
}

/* SIGWINCH redraws, SIGTSTP stops; the others quit. */
static enum top_end read_signals(struct top *t)
{
	struct signalfd_siginfo si;
	enum top_end end = TOP_GO_ON;

	while (read(t->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTSTP)
			suspend(t);
		else if (si.ssi_signo == SIGCONT)
			continue;
		else if (si.ssi_signo != SIGWINCH)
			end = TOP_QUIT;
		else if (t->tty)
			draw(t);
	}
	return end;
}

static enum top_end read_keys(struct top *t)
{
	char buf[64];
	ssize_t n, i;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n == 0)
		t->keys = false;	/* stdin closed: no more keys */
	for (i = 0; i < n; i++) {
		if (buf[i] == 'q' || buf[i] == 'Q')
			return TOP_QUIT;
		if (buf[i] == 's' || buf[i] == 'S') {
			t->view.sort = (enum top_sort)((t->view.sort + 1) % TOP_SORTS);
			top_sort_view(&t->view);
			draw(t);
		}
	}
	return TOP_GO_ON;
}

static enum top_end tick(struct top *t, uint32_t *done)
{
	uint64_t x;

	while (read(t->timer_fd, &x, sizeof(x)) == sizeof(x))
		;
	refresh(t);
	t->view.exited = gr_gone((pid_t)t->pid);
	draw(t);
	if (t->view.exited)
		return TOP_EXITED;
	return t->iterations && ++*done >= t->iterations ? TOP_QUIT : TOP_GO_ON;
}

static enum top_end loop(struct top *t)
{
	struct pollfd fds[NR_FDS];
	enum top_end end = TOP_GO_ON;
	uint32_t done = 0;
	int n;

	while (end == TOP_GO_ON) {
		drain(t);
		fds[FD_DEV] = (struct pollfd){ .fd = t->cap.dev, .events = POLLIN };
		fds[FD_SIG] = (struct pollfd){ .fd = t->sig_fd, .events = POLLIN };
		fds[FD_TIMER] = (struct pollfd){ .fd = t->timer_fd, .events = POLLIN };
		fds[FD_KEYS] = (struct pollfd){ .fd = t->keys ? STDIN_FILENO : -1,
						.events = POLLIN };
		n = poll(fds, NR_FDS, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(EXIT_OPFAIL, "%s: poll: %s", t->c->name, strerror(errno));
		if (fds[FD_SIG].revents)
			end = read_signals(t);
		if (end == TOP_GO_ON && fds[FD_KEYS].revents)
			end = read_keys(t);
		if (end == TOP_GO_ON && fds[FD_TIMER].revents)
			end = tick(t, &done);
		/* POLLHUP: the session was stopped (its lifetime, or another process). */
		if (end == TOP_GO_ON && (fds[FD_DEV].revents & (POLLHUP | POLLERR)))
			end = TOP_SESSION;
	}
	return end;
}

/* ---- setup ---------------------------------------------------------- */

static void check_process(struct top *t)
{
	char err[1024];
	enum gr_error e;

	if (!proc_exists((pid_t)t->pid))
		die(EXIT_USAGE, "%s: no process %u", t->c->name, t->pid);
	e = gr_attach((pid_t)t->pid, &t->d, err, sizeof(err));
	if (e != GR_OK) {
		gr_free(&t->d);
		die(gr_exit_code(e), "%s: %s", t->c->name, err);
	}
}

static void start(struct top *t)
{
	memset(&t->cap, 0, sizeof(t->cap));
	t->cap.c = t->c;
	t->cap.o = &t->o;
	t->cap.dev = -1;
	t->cap.out.fd = -1;
	capture_live_start(&t->cap);
	t->go = capture_source_data(&t->cap, &capture_go_source);
	t->bp = capture_source_data(&t->cap, &capture_break_source);
	t->live.start_name = start_name;
	t->live.reason_name = reason_name;
	t->live.arg = t->go;
	read_goroutines(t);
	t->last_ns = t->cap.start_mono;
	proc_comm((pid_t)t->pid, t->comm, sizeof(t->comm));
	t->view.pid = t->pid;
	t->view.comm = t->comm;
	t->view.go_version = t->d.go_version;
}

static void finish(struct top *t)
{
	capture_live_stop(&t->cap);
	gr_free(&t->d);
	live_free(&t->live);
	capture_free_opts(&t->o);
	free(t->prev.v);
	free(t->sc);
	free(t->breaks);
	free(t->blocked);
	free(t->reasons);
	close(t->sig_fd);
	close(t->timer_fd);
}

static int run_top(const struct cmd *c, int argc, char **argv)
{
	struct top *t = xcalloc(1, sizeof(*t));
	enum top_end end;

	t->c = c;
	parse_options(c, argc, argv, t);
	session_options(t);
	check_process(t);
	open_fds(t);
	start(t);
	t->tty = isatty(STDOUT_FILENO);
	t->keys = t->tty && isatty(STDIN_FILENO);
	if (t->tty) {
		setup_terminal(t);
		/* A first screen at once; rates come with the first interval. */
		refresh(t);
		draw(t);
	}
	end = loop(t);
	restore_terminal();
	if (end == TOP_EXITED)
		printf("process %u exited\n", t->pid);
	else if (end == TOP_SESSION)
		warn("%s: the session was stopped (its maximum lifetime, or another "
		     "process stopped it)", c->name);
	finish(t);
	free(t);
	return end == TOP_SESSION ? EXIT_OPFAIL : EXIT_OK;
}

const struct cmd cmd_top = {
	.name = "top",
	.summary = "show a running Go program's syscalls and goroutines live",
	.usage = top_usage,
	.run = run_top,
};
