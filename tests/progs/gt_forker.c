// SPDX-License-Identifier: GPL-2.0
/*
 * gt_forker: ground truth for following children.
 *
 *   gt_forker [HANDSHAKE] N
 *       fork N children; child i does exactly 10 raw getpid syscalls and
 *       _exit(i % 256). The parent waits for each child in order, checks
 *       its exit status and prints "children N" (exit 1 on a mismatch).
 *   gt_forker [HANDSHAKE] --exec PROG [ARGS...]
 *       fork one child that execvp()s PROG ARGS; the parent waits and
 *       exits with the child's exit status (128 + signal if it was killed,
 *       127 if the exec failed). Nothing is printed but the handshake.
 *
 * HANDSHAKE is --wait-signal, --wait-fd N or --start-delay MS (gt_common.h).
 * The measured window holds (x86_64, glibc 2.36, checked with strace -f):
 *   parent: N x clone (glibc fork(): CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|
 *           SIGCHLD), N x wait4 (one per child in order; under ptrace a
 *           wait4 may also be restarted after ERESTARTSYS, never natively:
 *           SIGCHLD keeps its default, ignored disposition and no handler
 *           runs), write(1, "children N\n"), write(1, "done\n"), exit_group.
 *   each child: set_robust_list (glibc's fork resets the robust futex list
 *           in the child), exactly 10 getpid, exit_group(i % 256).
 *   So the window holds 10 x N getpid and N + 1 exit_group in all.
 *   --exec: parent: clone, wait4, write(1, "done\n"), exit_group; the
 *           child: set_robust_list, rt_sigprocmask (unblocking SIGUSR1, only
 *           with --wait-signal), execve (execvp tries each PATH entry when
 *           PROG has no '/': one execve per attempt), then PROG's own.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include "gt_common.h"

static const char *prog = "gt_forker";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [HANDSHAKE] N\n"
		"       %s [HANDSHAKE] --exec PROG [ARGS...]\n"
		"\n"
		"N:      fork N children; child i does 10 getpid syscalls and exits\n"
		"        with status i %% 256; the parent checks them and prints\n"
		"        \"children N\"\n"
		"--exec: fork a child that execs PROG; exit with its status\n"
		"\nHANDSHAKE:\n" GT_SYNC_USAGE,
		prog, prog);
}

static __attribute__((noreturn)) void bad_usage(void)
{
	usage(stderr);
	exit(2);
}

static int wait_status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

int main(int argc, char **argv)
{
	struct gt_sync sync = { .mode = GT_SYNC_NONE };
	unsigned long n = 0, i;
	int exec_mode = 0, a = 1, r, bad = 0;
	pid_t *pids = NULL;
	pid_t pid;
	int st;

	if (argc > 0 && argv[0][0])
		prog = argv[0];
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[a], "--exec")) {
			exec_mode = 1;
			a++;
			break;
		}
		if (!strcmp(argv[a], "--")) {
			a++;
			break;
		}
		r = gt_sync_option(argc, argv, &a, &sync);
		if (r <= 0)
			bad_usage();
	}
	if (exec_mode) {
		if (a >= argc)
			bad_usage();
	} else {
		if (argc - a != 1 || gt_parse_ulong(argv[a], 1000000, &n))
			bad_usage();
		pids = calloc(n ? n : 1, sizeof(*pids));
		if (!pids) {
			perror("calloc");
			return 1;
		}
	}

	if (gt_sync_prepare(&sync))
		return 1;
	/* Nothing buffered in stdio may be duplicated into the children. */
	fflush(NULL);
	if (gt_sync_wait(&sync))
		return 1;

	/* ---- measured window ---- */
	if (exec_mode) {
		pid = fork();
		if (pid < 0)
			_exit(1);
		if (pid == 0) {
			sigset_t set;

			/* The exec'd program must not inherit the blocked SIGUSR1. */
			sigemptyset(&set);
			sigaddset(&set, SIGUSR1);
			if (sync.mode == GT_SYNC_SIGNAL)
				sigprocmask(SIG_UNBLOCK, &set, NULL);
			execvp(argv[a], argv + a);
			_exit(127);
		}
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				_exit(1);
		gt_finish(&sync, wait_status_code(st));
	}

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			_exit(1);
		if (pid == 0) {
			int k;

			for (k = 0; k < 10; k++)
				syscall(SYS_getpid);
			_exit((int)(i % 256));
		}
		pids[i] = pid;
	}
	for (i = 0; i < n; i++) {
		while (waitpid(pids[i], &st, 0) < 0)
			if (errno != EINTR)
				_exit(1);
		if (!WIFEXITED(st) || (unsigned long)WEXITSTATUS(st) != i % 256)
			bad++;
	}
	if (bad) {
		fprintf(stderr, "%s: %d children exited with an unexpected status\n", prog, bad);
		_exit(1);
	}
	gt_print("children %lu\n", n);
	gt_finish(&sync, 0);
}
