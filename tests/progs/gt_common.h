/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the gt_* ground-truth workloads: strict number parsing
 * and the start handshake that lets a tracer attach before the measured
 * window.
 *
 * Handshake (options, given before the subcommand):
 *   --wait-signal   SIGUSR1 is blocked, "ready <pid>\n" is written to stdout,
 *                   then the program blocks in sigwait() until SIGUSR1.
 *   --wait-fd N     "ready <pid>\n", then one read(N, &c, 1): the window
 *                   opens when a byte arrives on fd N or it reaches EOF.
 *   --start-delay MS  "ready <pid>\n", then nanosleep(MS ms).
 * With any of them, "done\n" is written when the measured work is over
 * and the program leaves with _exit() (exit_group), so the measured
 * window (from the return of rt_sigtimedwait / read / nanosleep to the
 * process's end) holds the measured syscalls plus a short, documented tail
 * per program. Without a handshake nothing is printed but what the
 * subcommand itself prints.
 *
 * All output of the window goes out with one write(2) per line (no stdio),
 * so the number of write(2) calls is exact.
 */
#ifndef GT_COMMON_H
#define GT_COMMON_H

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum gt_sync_mode {
	GT_SYNC_NONE,
	GT_SYNC_SIGNAL,
	GT_SYNC_FD,
	GT_SYNC_DELAY,
};

struct gt_sync {
	enum gt_sync_mode mode;
	int fd;
	unsigned long delay_ms;
	int hold;		/* --hold: after "done", wait for SIGUSR2 */
};

#define GT_SYNC_USAGE \
	"  --wait-signal      print \"ready <pid>\", wait for SIGUSR1, work, print \"done\"\n" \
	"  --wait-fd N        print \"ready <pid>\", read one byte (or EOF) from fd N, work,\n" \
	"                     print \"done\"\n" \
	"  --start-delay MS   print \"ready <pid>\", sleep MS ms, work, print \"done\"\n" \
	"  --hold             after \"done\", wait for SIGUSR2 before exiting (the\n" \
	"                     window then ends in rt_sigtimedwait)\n"

static inline int gt_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Non-negative decimal with an optional fraction, e.g. "2" or "0.25". */
static inline int gt_parse_seconds(const char *s, struct timespec *ts)
{
	char *end;
	double v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= 0) || v > 1e6)
		return -1;
	ts->tv_sec = (time_t)v;
	ts->tv_nsec = (long)((v - (double)ts->tv_sec) * 1e9);
	if (ts->tv_nsec >= 1000000000L)
		ts->tv_nsec = 999999999L;
	return 0;
}

/* One write(2) of the whole line; the lines are short. */
static inline void gt_print(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (write(STDOUT_FILENO, buf, (size_t)n) < 0) {
		/* nothing sensible to do; the exit status stays 0 */
	}
}

/*
 * Consume the handshake options at argv[*i]; returns 1 if one was taken,
 * 0 if argv[*i] is not a handshake option, -1 on a bad value.
 */
static inline int gt_sync_option(int argc, char **argv, int *i, struct gt_sync *s)
{
	const char *a = argv[*i];
	unsigned long v;

	if (!strcmp(a, "--wait-signal")) {
		s->mode = GT_SYNC_SIGNAL;
		return 1;
	}
	if (!strcmp(a, "--hold")) {
		s->hold = 1;
		return 1;
	}
	if (!strcmp(a, "--wait-fd") || !strcmp(a, "--start-delay")) {
		if (*i + 1 >= argc)
			return -1;
		if (gt_parse_ulong(argv[*i + 1], !strcmp(a, "--wait-fd") ? INT_MAX : 86400000UL, &v))
			return -1;
		if (!strcmp(a, "--wait-fd")) {
			s->mode = GT_SYNC_FD;
			s->fd = (int)v;
		} else {
			s->mode = GT_SYNC_DELAY;
			s->delay_ms = v;
		}
		(*i)++;
		return 1;
	}
	return 0;
}

/* Before anything else: block SIGUSR1 so an early signal is not lost. */
static inline int gt_sync_prepare(const struct gt_sync *s)
{
	sigset_t set;

	if (s->mode != GT_SYNC_SIGNAL && !s->hold)
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL)) {
		perror("sigprocmask");
		return -1;
	}
	return 0;
}

/*
 * Print the ready line and block until the tracer lets us go. The last
 * syscall before the window is rt_sigtimedwait, read or nanosleep; its
 * return opens the window.
 */
static inline int gt_sync_wait(const struct gt_sync *s)
{
	sigset_t set;
	int sig;
	char c;

	if (s->mode == GT_SYNC_NONE)
		return 0;
	gt_print("ready %ld\n", (long)getpid());
	switch (s->mode) {
	case GT_SYNC_SIGNAL:
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		if (sigwait(&set, &sig)) {
			perror("sigwait");
			return -1;
		}
		break;
	case GT_SYNC_FD:
		while (read(s->fd, &c, 1) < 0) {
			if (errno != EINTR) {
				perror("read --wait-fd");
				return -1;
			}
		}
		break;
	case GT_SYNC_DELAY: {
		struct timespec ts = {
			.tv_sec = (time_t)(s->delay_ms / 1000),
			.tv_nsec = (long)(s->delay_ms % 1000) * 1000000L,
		};
		syscall(SYS_nanosleep, &ts, NULL);
		break;
	}
	case GT_SYNC_NONE:
		break;
	}
	return 0;
}

/*
 * End of the window: "done" (one write) when a handshake was used, with
 * --hold a wait for SIGUSR2 (so a tracer can look at a live target whose
 * work is over), then exit_group.
 */
static inline __attribute__((noreturn)) void gt_finish(const struct gt_sync *s, int status)
{
	sigset_t set;
	int sig;

	if (s->mode != GT_SYNC_NONE || s->hold)
		gt_print("done\n");
	if (s->hold) {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sigwait(&set, &sig);
	}
	_exit(status);
}

#endif /* GT_COMMON_H */
