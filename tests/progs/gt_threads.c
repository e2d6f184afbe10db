// SPDX-License-Identifier: GPL-2.0
/*
 * gt_threads: ground truth for multi-threaded targets.
 *
 *   gt_threads [HANDSHAKE] [--prestart] T N
 *       T pthreads, each doing exactly N raw getpid syscalls (each result
 *       is checked against the tgid without a syscall). The main thread
 *       does no getpid. Exit 1 if a getpid returned something else.
 *
 * By default the threads are created inside the measured window (tests
 * following new threads); with --prestart they are created before the
 * handshake and parked on a pthread barrier (tests attaching to a process
 * whose threads already exist).
 *
 * HANDSHAKE is --wait-signal, --wait-fd N or --start-delay MS (gt_common.h).
 * Only the getpid count (T x N) and the one write(2) ("done") of the
 * window are exact. The rest, as observed with glibc 2.36 on x86_64:
 *   main, default: the first pthread_create's rt_sigaction, per thread
 *       mmap (stack), mprotect (guard page), rt_sigprocmask x2 around
 *       clone3; futex waits in pthread_join; write(1, "done\n"), exit_group.
 *   main, --prestart: futex (barrier), futex waits in pthread_join,
 *       write(1, "done\n"), exit_group. No clone in the window.
 *   each thread, default: rseq, set_robust_list, rt_sigprocmask (start-up),
 *       N x getpid, rt_sigprocmask, madvise (stack release), exit.
 *   each thread, --prestart: futex (barrier; the last one to arrive does
 *       none), N x getpid, rt_sigprocmask, madvise, exit.
 */
#include <pthread.h>

#include "gt_common.h"

static const char *prog = "gt_threads";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [HANDSHAKE] [--prestart] T N\n"
		"\n"
		"T threads each do N raw getpid syscalls.\n"
		"  --prestart         create the threads before the handshake\n"
		"\nHANDSHAKE:\n" GT_SYNC_USAGE,
		prog);
}

static __attribute__((noreturn)) void bad_usage(void)
{
	usage(stderr);
	exit(2);
}

static unsigned long per_thread;
static long tgid;
static int prestart;
static pthread_barrier_t go;

struct worker {
	pthread_t thread;
	unsigned long bad;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned long i;

	if (prestart)
		pthread_barrier_wait(&go);
	for (i = 0; i < per_thread; i++)
		if (syscall(SYS_getpid) != tgid)
			w->bad++;
	return NULL;
}

int main(int argc, char **argv)
{
	struct gt_sync sync = { .mode = GT_SYNC_NONE };
	unsigned long t, threads = 0, bad = 0;
	struct worker *w;
	int a = 1, r;

	if (argc > 0 && argv[0][0])
		prog = argv[0];
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[a], "--prestart")) {
			prestart = 1;
			continue;
		}
		if (!strcmp(argv[a], "--")) {
			a++;
			break;
		}
		r = gt_sync_option(argc, argv, &a, &sync);
		if (r <= 0)
			bad_usage();
	}
	if (argc - a != 2 || gt_parse_ulong(argv[a], 4096, &threads) || !threads ||
	    gt_parse_ulong(argv[a + 1], ULONG_MAX, &per_thread))
		bad_usage();

	tgid = (long)getpid();
	w = calloc(threads, sizeof(*w));
	if (!w) {
		perror("calloc");
		return 1;
	}
	if (gt_sync_prepare(&sync))
		return 1;
	if (prestart) {
		if (pthread_barrier_init(&go, NULL, (unsigned int)threads + 1)) {
			fprintf(stderr, "%s: pthread_barrier_init failed\n", prog);
			return 1;
		}
		for (t = 0; t < threads; t++)
			if (pthread_create(&w[t].thread, NULL, work, &w[t])) {
				fprintf(stderr, "%s: pthread_create failed\n", prog);
				return 1;
			}
	}
	if (gt_sync_wait(&sync))
		return 1;

	/* ---- measured window ---- */
	if (prestart) {
		pthread_barrier_wait(&go);
	} else {
		for (t = 0; t < threads; t++)
			if (pthread_create(&w[t].thread, NULL, work, &w[t])) {
				fprintf(stderr, "%s: pthread_create failed\n", prog);
				_exit(1);
			}
	}
	for (t = 0; t < threads; t++) {
		pthread_join(w[t].thread, NULL);
		bad += w[t].bad;
	}
	if (bad) {
		fprintf(stderr, "%s: %lu getpid calls returned a wrong pid\n", prog, bad);
		_exit(1);
	}
	gt_finish(&sync, 0);
}
