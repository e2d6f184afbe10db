// SPDX-License-Identifier: GPL-2.0
/*
 * The command 'capture -- CMD' starts. It is forked first, before any
 * netlink socket or /dev/godiag is open (so it never holds them), and
 * waits on a pipe: capture adds its PID as a target and starts the
 * session, then writes one byte and the child execs, so even the
 * command's first syscalls are recorded. If capture exits before that,
 * the pipe reaches EOF and the child exits without running anything.
 *
 * A second, close-on-exec pipe reports a failed exec: EOF means the exec
 * happened, four bytes are its errno.
 *
 * For goroutine tracing the probes must go on the binary the command
 * execs, before it runs any of it: the child asks to be traced
 * (PTRACE_TRACEME), so the exec stops it with SIGTRAP; capture places the
 * probes and detaches (child_resume()). Nothing else is ever traced. A
 * command that is not the Go program but execs it (env, sh -c 'exec
 * ...') is let on to its next exec, where it stops again
 * (child_next_exec(), PTRACE_O_TRACEEXEC).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/capture.h"

#define TERM_GRACE_MS	2000

static ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

__attribute__((noreturn))
static void run_child(int go, int report, char *const *argv,
		      const sigset_t *orig_mask, bool stop_at_exec)
{
	char byte;
	int err;

	if (read_retry(go, &byte, 1) != 1)
		_exit(127);
	close(go);
	if (stop_at_exec && ptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
		err = errno;
		if (write(report, &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	/* capture blocks these for its signalfd; the command gets them as usual. */
	sigprocmask(SIG_SETMASK, orig_mask, NULL);
	execvp(argv[0], argv);
	err = errno;
	if (write(report, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

int child_spawn(struct child *ch, char *const *argv, const sigset_t *orig_mask,
		bool stop_at_exec)
{
	int go[2], report[2];

	ch->stop_at_exec = stop_at_exec;
	ch->pid = 0;
	ch->exited = false;
	ch->stopped = false;
	if (pipe2(go, O_CLOEXEC))
		return -1;
	if (pipe2(report, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		return -1;
	}
	ch->pid = fork();
	if (ch->pid == 0) {
		close(go[1]);
		close(report[0]);
		run_child(go[0], report[1], argv, orig_mask, ch->stop_at_exec);
	}
	close(go[0]);
	close(report[1]);
	if (ch->pid < 0) {
		close(go[1]);
		close(report[0]);
		ch->pid = 0;
		return -1;
	}
	ch->go_fd = go[1];
	ch->exec_fd = report[0];
	return 0;
}

/* The SIGTRAP of a traced exec; or the child died before (then reaped). */
static int wait_exec_stop(struct child *ch)
{
	int status;
	pid_t r;

	do
		r = waitpid(ch->pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r != ch->pid)
		return errno ? errno : ECHILD;
	if (WIFSTOPPED(status)) {
		ch->stopped = true;
		return 0;
	}
	ch->status = status;
	ch->exited = true;
	return 0;
}

int child_release(struct child *ch)
{
	char byte = 'g';
	int err = 0;
	ssize_t n;

	n = write(ch->go_fd, &byte, 1);
	close(ch->go_fd);
	ch->go_fd = -1;
	if (n != 1)
		err = errno ? errno : EPIPE;
	else if (read_retry(ch->exec_fd, &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(ch->exec_fd);
	ch->exec_fd = -1;
	if (!err && ch->stop_at_exec)
		err = wait_exec_stop(ch);
	return err;
}

int child_next_exec(struct child *ch)
{
	if (!ch->stopped) {
		errno = ESRCH;
		return -1;
	}
	if (ptrace(PTRACE_SETOPTIONS, ch->pid, NULL, (void *)PTRACE_O_TRACEEXEC) ||
	    ptrace(PTRACE_CONT, ch->pid, NULL, NULL))
		return -1;
	ch->stopped = false;
	return 0;
}

int child_poll_exec(struct child *ch)
{
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(ch->pid, &status, WNOHANG);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			ch->status = status;
			ch->exited = true;
			return 1;
		}
		if (WIFSTOPPED(status) && status >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8)) {
			ch->stopped = true;
			return 1;
		}
		/* A signal on the way: it gets it, as untraced. */
		if (WIFSTOPPED(status) &&
		    ptrace(PTRACE_CONT, ch->pid, NULL, (void *)(long)WSTOPSIG(status)))
			return -1;
	}
}

int child_resume(struct child *ch)
{
	if (!ch->stopped)
		return 0;
	ch->stopped = false;
	return ptrace(PTRACE_DETACH, ch->pid, NULL, NULL) ? -1 : 0;
}

bool child_reap(struct child *ch)
{
	pid_t r;

	if (!ch->pid || ch->exited)
		return true;
	do
		r = waitpid(ch->pid, &ch->status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == ch->pid || (r < 0 && errno == ECHILD))
		ch->exited = true;
	return ch->exited;
}

/* Waits up to ms for the child to exit; SIGCHLD is blocked, so poll for it. */
static bool wait_exit(struct child *ch, int ms)
{
	struct timespec step = { 0, 20 * 1000 * 1000 };

	for (; ms > 0; ms -= 20) {
		if (child_reap(ch))
			return true;
		nanosleep(&step, NULL);
	}
	return child_reap(ch);
}

void child_finish(struct child *ch)
{
	if (child_reap(ch))
		return;
	kill(ch->pid, SIGTERM);
	if (wait_exit(ch, TERM_GRACE_MS))
		return;
	kill(ch->pid, SIGKILL);
	while (waitpid(ch->pid, &ch->status, 0) < 0 && errno == EINTR)
		;
	ch->exited = true;
}
