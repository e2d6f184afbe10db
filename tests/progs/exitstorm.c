// SPDX-License-Identifier: GPL-2.0
/*
 * exitstorm: processes that end with exit_group() while all their threads
 * are busy, held up on their way out so that many threads of one process
 * see it dead at once.
 *
 *   exitstorm PROCS THREADS
 *
 * Forks PROCS children, one after the other. Child i maps 32 MiB and
 * touches it, starts a helper process that shares its memory (clone
 * with CLONE_VM but not CLONE_THREAD: another process, which exit_group
 * does not kill) and flips the protection of that memory in a loop,
 * holding the child's mmap_lock for writing most of the time; then it
 * starts THREADS threads that call getpid in a loop, and once they all
 * run, calls exit_group(i % 100 + 1). Each exiting thread counts itself
 * out of the group (signal->live) and then waits for that lock in
 * exit_mm(), before its exit tracepoint: when the helper lets go, the
 * last of them has long been counted out, and they all reach the
 * tracepoint with the group dead, together. The helper ends when the
 * child is gone. The parent checks each child's status, prints
 * "children <PROCS>" and exits 0 (1 if a child ended otherwise).
 * Every child adds two processes: itself and its helper.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FLIP_SIZE	(32UL << 20)
#define HELPER_STACK	(64UL << 10)

static atomic_int started;
static atomic_int flipping;
static char *mem;
static pid_t child_pid;

static void *spin(void *arg)
{
	(void)arg;
	syscall(SYS_getpid);
	atomic_fetch_add(&started, 1);
	for (;;)
		syscall(SYS_getpid);
	return NULL;
}

/* The helper: another process in the child's address space. */
static int flip(void *arg)
{
	(void)arg;
	atomic_store(&flipping, 1);
	while (getppid() == child_pid) {
		mprotect(mem, FLIP_SIZE, PROT_READ);
		mprotect(mem, FLIP_SIZE, PROT_READ | PROT_WRITE);
	}
	return 0;
}

static void child(int threads, int code)
{
	char *stack;
	pthread_t t;
	int i;

	child_pid = getpid();
	mem = mmap(NULL, FLIP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stack = mmap(NULL, HELPER_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (mem == MAP_FAILED || stack == MAP_FAILED)
		_exit(112);
	memset(mem, 1, FLIP_SIZE);
	if (clone(flip, stack + HELPER_STACK, CLONE_VM | SIGCHLD, NULL) < 0)
		_exit(113);
	while (!atomic_load(&flipping))
		syscall(SYS_sched_yield);
	for (i = 0; i < threads; i++)
		if (pthread_create(&t, NULL, spin, NULL))
			_exit(111);
	while (atomic_load(&started) < threads)
		syscall(SYS_sched_yield);
	syscall(SYS_exit_group, code);
}

int main(int argc, char **argv)
{
	int procs, threads, i, st, bad = 0;
	pid_t pid;

	if (argc != 3 || (procs = atoi(argv[1])) < 1 || (threads = atoi(argv[2])) < 1 ||
	    threads > 1000) {
		fprintf(stderr, "usage: exitstorm PROCS THREADS\n");
		return 2;
	}
	for (i = 0; i < procs; i++) {
		pid = fork();
		if (pid < 0) {
			perror("exitstorm: fork");
			return 1;
		}
		if (pid == 0)
			child(threads, i % 100 + 1);
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				return 1;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != i % 100 + 1)
			bad++;
	}
	if (bad) {
		fprintf(stderr, "exitstorm: %d children ended otherwise\n", bad);
		return 1;
	}
	printf("children %d\n", procs);
	return 0;
}
