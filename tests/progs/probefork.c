// SPDX-License-Identifier: GPL-2.0
/*
 * probefork: a process whose child runs the same code, for the tests of
 * a uprobe inherited through fork (without exec).
 *
 *   probefork
 *
 * Each SIGUSR1 moves it one step on:
 *   0: prints "offset <n>", the file offset of probed_fn() in its
 *      executable (a place to probe), then "ready <pid>", and waits;
 *   1: calls probed_fn() 10 times, forks a child that calls it 10 times
 *      and then waits to be killed; prints "child <pid>" once the
 *      child's calls are done, then waits;
 *   2: calls probed_fn() 10 times more, prints "again", waits;
 *   3: kills and reaps the child, prints "done" and exits 0.
 * Exit 1 on any failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile unsigned long calls;

/* Starts with a plain nop: an instruction any kernel's uprobes can take. */
__attribute__((noinline)) void probed_fn(void)
{
	__asm__ volatile("nop" ::: "memory");
	calls++;
}

static void call_it(int n)
{
	while (n--)
		probed_fn();
}

/* The file offset of @addr in the executable, from /proc/self/maps. */
static long file_offset(uintptr_t addr)
{
	char line[512], exe[256];
	unsigned long lo, hi, off;
	ssize_t n;
	FILE *f;
	long ret = -1;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');

		if (!path || sscanf(line, "%lx-%lx %*s %lx", &lo, &hi, &off) != 3)
			continue;
		path[strcspn(path, "\n")] = 0;
		if (!strcmp(path, exe) && addr >= lo && addr < hi) {
			ret = (long)(addr - lo + off);
			break;
		}
	}
	fclose(f);
	return ret;
}

static void wait_usr1(const sigset_t *set)
{
	int sig;

	if (sigwait(set, &sig))
		exit(1);
}

int main(void)
{
	sigset_t set;
	int pfd[2];
	pid_t child;
	long off;
	char c;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) || pipe(pfd))
		return 1;
	off = file_offset((uintptr_t)probed_fn);
	if (off < 0) {
		fprintf(stderr, "probefork: probed_fn is not in the executable's mapping\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("offset %ld\nready %ld\n", off, (long)getpid());
	wait_usr1(&set);

	call_it(10);
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		call_it(10);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	while (read(pfd[0], &c, 1) < 0)
		if (errno != EINTR)
			return 1;
	printf("child %ld\n", (long)child);
	wait_usr1(&set);

	call_it(10);
	printf("again\n");
	wait_usr1(&set);

	kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0)
		if (errno != EINTR)
			return 1;
	printf("done\n");
	return 0;
}
