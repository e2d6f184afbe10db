// SPDX-License-Identifier: GPL-2.0
/*
 * gt_syscalls: ground truth for syscall counting.
 *
 *   gt_syscalls [HANDSHAKE] write N           N x write(fd_devnull, &c, 1)
 *   gt_syscalls [HANDSHAKE] getpid N          N x syscall(SYS_getpid)
 *   gt_syscalls [HANDSHAKE] nanosleep N MS    N x syscall(SYS_nanosleep, MS ms)
 *   gt_syscalls [HANDSHAKE] fail N            N x write(-1, &c, 1) -> EBADF
 *   gt_syscalls [HANDSHAKE] numbered N        write(fd_devnull, buf, i) for i = 1..N:
 *                                             each record's return value is its number
 *   gt_syscalls [HANDSHAKE] loop SECONDS      write loop for SECONDS, prints count
 *   gt_syscalls [HANDSHAKE] spin-threads T SECONDS
 *                                             T threads of write loops, prints total;
 *                                             SIGUSR2 ends them before SECONDS
 *
 * HANDSHAKE is --wait-signal, --wait-fd N or --start-delay MS (gt_common.h).
 * Everything that needs a syscall (opening /dev/null, installing the
 * SIGALRM handler, allocating) happens before the handshake, so the
 * measured window holds exactly (x86_64, glibc 2.36):
 *
 *   write N, getpid N, fail N, nanosleep N MS, numbered N:
 *       the N measured syscalls, then write(1, "done\n") and exit_group.
 *       nanosleep uses the nanosleep syscall itself (nr 35), not glibc's
 *       nanosleep(), which is clock_nanosleep; an interrupted sleep is not
 *       retried, so the count stays N.
 *   loop SECONDS:
 *       setitimer(ITIMER_REAL), the K counted writes to /dev/null,
 *       rt_sigreturn (the SIGALRM handler only sets a flag), write(1, "K\n"),
 *       write(1, "done\n"), exit_group. So write(2) count = K + 2
 *       (K + 1 without a handshake).
 *   spin-threads T SECONDS:
 *       only the write(2) count is exact: the K counted writes of all
 *       threads + write(1, "K\n") + write(1, "done\n"). Thread creation,
 *       the start barrier, nanosleep of the main thread, thread exit and
 *       join add mmap/mprotect/clone3/rt_sigprocmask/rseq/set_robust_list/
 *       futex/madvise/exit calls (and the first pthread_create's
 *       rt_sigaction), none of them write(2).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <sys/time.h>

#include "gt_common.h"

static const char *prog = "gt_syscalls";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [HANDSHAKE] write N\n"
		"       %s [HANDSHAKE] getpid N\n"
		"       %s [HANDSHAKE] nanosleep N MS\n"
		"       %s [HANDSHAKE] fail N\n"
		"       %s [HANDSHAKE] numbered N\n"
		"       %s [HANDSHAKE] loop SECONDS\n"
		"       %s [HANDSHAKE] spin-threads T SECONDS\n"
		"\n"
		"write:        N write(2) of 1 byte to /dev/null\n"
		"getpid:       N raw getpid syscalls\n"
		"nanosleep:    N nanosleep syscalls of MS milliseconds\n"
		"fail:         N write(2) on fd -1 (EBADF)\n"
		"numbered:     write(2) of i bytes to /dev/null for i = 1..N (N <= 2^20):\n"
		"              the i-th write returns i\n"
		"loop:         write(2) to /dev/null for SECONDS (> 0, fractions allowed),\n"
		"              then print the number of writes\n"
		"spin-threads: T threads doing that, then print the total; SIGUSR2 ends\n"
		"              them early\n"
		"\nHANDSHAKE:\n" GT_SYNC_USAGE,
		prog, prog, prog, prog, prog, prog, prog);
}

static __attribute__((noreturn)) void bad_usage(void)
{
	usage(stderr);
	exit(2);
}

static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

struct spinner {
	pthread_t thread;
	int fd;
	unsigned long count;
};

static atomic_int spin_stop;
static pthread_barrier_t spin_barrier;

/* SIGUSR2 (to the main thread only): stop before the time is up. */
static void on_spin_stop(int sig)
{
	(void)sig;
	atomic_store(&spin_stop, 1);
}

static void *spin(void *arg)
{
	struct spinner *sp = arg;
	const char c = 0;
	unsigned long n = 0;

	pthread_barrier_wait(&spin_barrier);
	while (!atomic_load_explicit(&spin_stop, memory_order_relaxed)) {
		if (write(sp->fd, &c, 1) < 0) {
			/* counted all the same: it is a syscall */
		}
		n++;
	}
	sp->count = n;
	return NULL;
}

/* No SA_RESTART: the signal ends the sleep or write it interrupts. */
static int set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL)) {
		perror("sigaction");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gt_sync sync = { .mode = GT_SYNC_NONE };
	unsigned long n = 0, ms = 0, threads = 0, i;
	struct timespec dur = { 0, 0 };
	struct spinner *sp = NULL;
	char *numbered = NULL;
	const char *cmd;
	const char c = 0;
	int fd = -1, a = 1, r;

	if (argc > 0 && argv[0][0])
		prog = argv[0];
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[a], "--")) {
			a++;
			break;
		}
		r = gt_sync_option(argc, argv, &a, &sync);
		if (r <= 0)
			bad_usage();
	}
	if (a >= argc)
		bad_usage();
	cmd = argv[a++];

	if (!strcmp(cmd, "write") || !strcmp(cmd, "getpid") || !strcmp(cmd, "fail")) {
		if (argc - a != 1 || gt_parse_ulong(argv[a], ULONG_MAX, &n))
			bad_usage();
	} else if (!strcmp(cmd, "numbered")) {
		if (argc - a != 1 || gt_parse_ulong(argv[a], 1UL << 20, &n) || !n)
			bad_usage();
	} else if (!strcmp(cmd, "nanosleep")) {
		if (argc - a != 2 || gt_parse_ulong(argv[a], ULONG_MAX, &n) ||
		    gt_parse_ulong(argv[a + 1], 86400000UL, &ms))
			bad_usage();
	} else if (!strcmp(cmd, "loop")) {
		if (argc - a != 1 || gt_parse_seconds(argv[a], &dur) ||
		    (!dur.tv_sec && dur.tv_nsec < 1000))
			bad_usage();
	} else if (!strcmp(cmd, "spin-threads")) {
		if (argc - a != 2 || gt_parse_ulong(argv[a], 4096, &threads) || !threads ||
		    gt_parse_seconds(argv[a + 1], &dur))
			bad_usage();
	} else {
		bad_usage();
	}

	if (gt_sync_prepare(&sync))
		return 1;

	/* Set-up: every syscall the measured part needs happens here. */
	if (!strcmp(cmd, "write") || !strcmp(cmd, "loop") || !strcmp(cmd, "spin-threads") ||
	    !strcmp(cmd, "numbered")) {
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			perror("open /dev/null");
			return 1;
		}
	}
	if (!strcmp(cmd, "loop") && set_handler(SIGALRM, on_alarm))
		return 1;
	if (!strcmp(cmd, "numbered")) {
		numbered = calloc(n, 1);
		if (!numbered) {
			perror("calloc");
			return 1;
		}
	}
	if (!strcmp(cmd, "spin-threads")) {
		sp = calloc(threads, sizeof(*sp));
		if (!sp) {
			perror("calloc");
			return 1;
		}
		if (pthread_barrier_init(&spin_barrier, NULL, (unsigned int)threads + 1)) {
			fprintf(stderr, "%s: pthread_barrier_init failed\n", prog);
			return 1;
		}
		if (set_handler(SIGUSR2, on_spin_stop))
			return 1;
	}

	if (gt_sync_wait(&sync))
		return 1;

	/* ---- measured window ---- */
	if (!strcmp(cmd, "write")) {
		for (i = 0; i < n; i++)
			if (write(fd, &c, 1) < 0)
				_exit(1);
	} else if (!strcmp(cmd, "numbered")) {
		for (i = 1; i <= n; i++)
			if (write(fd, numbered, i) != (ssize_t)i)
				_exit(1);
	} else if (!strcmp(cmd, "getpid")) {
		for (i = 0; i < n; i++)
			syscall(SYS_getpid);
	} else if (!strcmp(cmd, "fail")) {
		for (i = 0; i < n; i++)
			if (write(-1, &c, 1) >= 0 || errno != EBADF)
				_exit(1);
	} else if (!strcmp(cmd, "nanosleep")) {
		struct timespec ts = {
			.tv_sec = (time_t)(ms / 1000),
			.tv_nsec = (long)(ms % 1000) * 1000000L,
		};

		for (i = 0; i < n; i++)
			syscall(SYS_nanosleep, &ts, NULL);
	} else if (!strcmp(cmd, "loop")) {
		struct itimerval it = { .it_value = { dur.tv_sec, dur.tv_nsec / 1000 } };

		if (setitimer(ITIMER_REAL, &it, NULL))
			_exit(1);
		n = 0;
		while (!alarm_fired) {
			if (write(fd, &c, 1) < 0)
				_exit(1);
			n++;
		}
		gt_print("%lu\n", n);
	} else {
		unsigned long total = 0;
		unsigned long t;
		sigset_t usr2, old;

		/*
		 * The spinners block SIGUSR2, so it reaches the sleeper, which
		 * takes it only while it sleeps (a handshake blocks it: --hold
		 * waits for it at the end).
		 */
		sigemptyset(&usr2);
		sigaddset(&usr2, SIGUSR2);
		pthread_sigmask(SIG_BLOCK, &usr2, &old);
		for (t = 0; t < threads; t++) {
			sp[t].fd = fd;
			if (pthread_create(&sp[t].thread, NULL, spin, &sp[t])) {
				fprintf(stderr, "%s: pthread_create failed\n", prog);
				_exit(1);
			}
		}
		pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
		pthread_barrier_wait(&spin_barrier);
		if ((dur.tv_sec || dur.tv_nsec) && !atomic_load(&spin_stop))
			syscall(SYS_nanosleep, &dur, NULL);
		atomic_store(&spin_stop, 1);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		for (t = 0; t < threads; t++) {
			pthread_join(sp[t].thread, NULL);
			total += sp[t].count;
		}
		gt_print("%lu\n", total);
	}
	gt_finish(&sync, 0);
}
