// SPDX-License-Identifier: GPL-2.0
/*
 * forkstorm: a process tree that never stops changing, for the tests of
 * following children while targets come and go.
 *
 *   forkstorm [--depth D]
 *
 * Prints "ready <pid>", then until SIGTERM: fork a child; each child of
 * depth < D forks one child of its own the same way; the deepest makes
 * three getpid syscalls and exits; every process waits for its child
 * and exits 0. On SIGTERM the parent finishes the round, prints
 * "rounds <n>" (trees completed) and exits 0; 1 if a fork or a child
 * failed. D is 1..8 (default 2: children that fork grandchildren).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Fork one child that builds the rest of the tree; its status, or -1. */
static int tree(int depth)
{
	pid_t pid;
	int st, i;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (depth > 1)
			_exit(tree(depth - 1) ? 1 : 0);
		for (i = 0; i < 3; i++)
			syscall(SYS_getpid);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	unsigned long rounds = 0;
	int depth = 2;

	if (argc == 3 && !strcmp(argv[1], "--depth"))
		depth = atoi(argv[2]);
	else if (argc != 1)
		depth = 0;
	if (depth < 1 || depth > 8) {
		fprintf(stderr, "usage: forkstorm [--depth 1..8]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	printf("ready %ld\n", (long)getpid());
	fflush(stdout);
	while (!stop) {
		if (tree(depth)) {
			fprintf(stderr, "forkstorm: a fork or a child failed\n");
			return 1;
		}
		rounds++;
	}
	printf("rounds %lu\n", rounds);
	return 0;
}
