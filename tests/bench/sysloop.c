// SPDX-License-Identifier: GPL-2.0
/*
 * sysloop: the syscall loop of `make bench`, timing itself.
 *
 *   sysloop [--wait-signal] [--reps R] getpid N
 *                     R timed repetitions of N x syscall(SYS_getpid),
 *                     after an untimed warm-up of N/10
 *   sysloop [--wait-signal] for SECONDS
 *                     getpid until SECONDS have passed (one repetition)
 *
 * Each repetition is timed with clock_gettime(CLOCK_MONOTONIC) (the vDSO,
 * no syscall) around the loop, so whatever a tracer does before and after
 * (starting, attaching, printing) is not counted. One line per repetition,
 * then, with getpid, the median:
 *
 *   rep=I ops=N ns=T ns_per_op=X
 *   median_ns_per_op=X
 *
 * --wait-signal: SIGUSR1 is blocked, "ready <pid>" is printed, and the
 * loop starts when SIGUSR1 arrives (a tracer attaches in between).
 * In "for" mode the clock is read once every 4096 calls.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: sysloop [--wait-signal] [--reps R] getpid N\n"
			"       sysloop [--wait-signal] for SECONDS\n");
	exit(2);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void loop(unsigned long long n)
{
	unsigned long long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
}

int main(int argc, char **argv)
{
	unsigned long long n = 0, t0, t1, limit_ns = 0, reps = 1, r;
	int a = 1, wait_sig = 0, sig;
	double per_op[100];
	sigset_t set;
	char *end;

	while (a < argc && argv[a][0] == '-') {
		if (!strcmp(argv[a], "--wait-signal")) {
			wait_sig = 1;
			a++;
		} else if (!strcmp(argv[a], "--reps") && a + 1 < argc) {
			reps = strtoull(argv[a + 1], &end, 10);
			if (*end || !reps || reps > 100)
				usage();
			a += 2;
		} else {
			usage();
		}
	}
	if (argc - a != 2)
		usage();
	if (!strcmp(argv[a], "getpid")) {
		n = strtoull(argv[a + 1], &end, 10);
		if (*end || !n)
			usage();
	} else if (!strcmp(argv[a], "for") && reps == 1) {
		double s = strtod(argv[a + 1], &end);

		if (*end || !(s > 0) || s > 3600)
			usage();
		limit_ns = (unsigned long long)(s * 1e9);
	} else {
		usage();
	}
	if (wait_sig) {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		if (sigprocmask(SIG_BLOCK, &set, NULL)) {
			perror("sigprocmask");
			return 1;
		}
		printf("ready %ld\n", (long)getpid());
		fflush(stdout);
		if (sigwait(&set, &sig)) {
			perror("sigwait");
			return 1;
		}
	}
	if (limit_ns) {
		t0 = now_ns();
		do {
			loop(4096);
			n += 4096;
			t1 = now_ns();
		} while (t1 - t0 < limit_ns);
		printf("rep=1 ops=%llu ns=%llu ns_per_op=%.1f\n", n, t1 - t0,
		       (double)(t1 - t0) / (double)n);
		return 0;
	}
	loop(n / 10 + 1);	/* warm-up: page tables, caches, translation */
	for (r = 0; r < reps; r++) {
		t0 = now_ns();
		loop(n);
		t1 = now_ns();
		per_op[r] = (double)(t1 - t0) / (double)n;
		printf("rep=%llu ops=%llu ns=%llu ns_per_op=%.1f\n", r + 1, n, t1 - t0, per_op[r]);
		fflush(stdout);
	}
	qsort(per_op, reps, sizeof(per_op[0]), cmp_double);
	printf("median_ns_per_op=%.1f\n", reps % 2 ? per_op[reps / 2] :
	       (per_op[reps / 2 - 1] + per_op[reps / 2]) / 2);
	return 0;
}
