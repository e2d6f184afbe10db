// SPDX-License-Identifier: GPL-2.0
/* The command capture starts, held on a pipe until released (ctl/cmd/child.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/capture.h"
#include "test.h"

static sigset_t orig;

/* Until it exits on its own (child_finish would terminate it). */
static void wait_own_exit(struct child *ch)
{
	while (!child_reap(ch))
		usleep(1000);
}

static void test_release(void)
{
	char *argv[] = { "sh", "-c", "exit 3", NULL };
	struct child ch;

	test_begin("child: released, it runs and its status is reaped");
	CHECK_U64(child_spawn(&ch, argv, &orig, false), 0);
	CHECK(ch.pid > 0);
	CHECK(!child_reap(&ch));
	CHECK_U64(child_release(&ch), 0);
	wait_own_exit(&ch);
	child_finish(&ch);
	CHECK(ch.exited);
	CHECK(WIFEXITED(ch.status));
	CHECK_U64(WEXITSTATUS(ch.status), 3);
	test_end();
}

static void test_exec_failure(void)
{
	char *argv[] = { "/nonexistent/godiag-test", NULL };
	struct child ch;

	test_begin("child: a failed exec reports its errno");
	CHECK_U64(child_spawn(&ch, argv, &orig, false), 0);
	CHECK_U64(child_release(&ch), ENOENT);
	wait_own_exit(&ch);
	CHECK_U64(WEXITSTATUS(ch.status), 127);
	test_end();
}

static void test_abandoned(void)
{
	char *argv[] = { "sh", "-c", "exit 0", NULL };
	struct child ch;

	test_begin("child: never released, it exits 127 without running");
	CHECK_U64(child_spawn(&ch, argv, &orig, false), 0);
	close(ch.go_fd);
	close(ch.exec_fd);
	while (waitpid(ch.pid, &ch.status, 0) < 0 && errno == EINTR)
		;
	CHECK(WIFEXITED(ch.status));
	CHECK_U64(WEXITSTATUS(ch.status), 127);
	test_end();
}

static void test_terminated(void)
{
	char *argv[] = { "sleep", "100", NULL };
	struct child ch;

	test_begin("child: still running at the end, SIGTERM ends it");
	CHECK_U64(child_spawn(&ch, argv, &orig, false), 0);
	CHECK_U64(child_release(&ch), 0);
	child_finish(&ch);
	CHECK(WIFSIGNALED(ch.status));
	CHECK_U64(WTERMSIG(ch.status), SIGTERM);
	test_end();
}

static void test_signal_mask(void)
{
	/* The command must not inherit capture's blocked signals. */
	char *argv[] = { "sh", "-c", "grep -q '^SigBlk:[[:space:]]*0*$' /proc/self/status", NULL };
	struct child ch;

	test_begin("child: the command starts with the original signal mask");
	CHECK_U64(child_spawn(&ch, argv, &orig, false), 0);
	CHECK_U64(child_release(&ch), 0);
	wait_own_exit(&ch);
	CHECK(WIFEXITED(ch.status));
	CHECK_U64(WEXITSTATUS(ch.status), 0);
	test_end();
}

static void test_stop_at_exec(void)
{
	char *argv[] = { "sh", "-c", "exit 5", NULL };
	char path[64], exe[256];
	struct child ch;
	ssize_t n;

	test_begin("child: stopped right after exec, it runs on when resumed");
	CHECK_U64(child_spawn(&ch, argv, &orig, true), 0);
	CHECK_U64(child_release(&ch), 0);
	CHECK(ch.stopped);
	CHECK(!ch.exited);
	/* Stopped in the new program, before running any of it. */
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)ch.pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	CHECK(n > 0);
	exe[n > 0 ? n : 0] = '\0';
	CHECK(strstr(exe, "sh") != NULL);
	CHECK(!child_reap(&ch));
	CHECK_U64(child_resume(&ch), 0);
	CHECK(!ch.stopped);
	wait_own_exit(&ch);
	CHECK(WIFEXITED(ch.status));
	CHECK_U64(WEXITSTATUS(ch.status), 5);
	test_end();
}

static void test_stop_at_failed_exec(void)
{
	char *argv[] = { "/nonexistent/godiag-test", NULL };
	struct child ch;

	test_begin("child: a failed exec with stop_at_exec still reports its errno");
	CHECK_U64(child_spawn(&ch, argv, &orig, true), 0);
	CHECK_U64(child_release(&ch), ENOENT);
	CHECK(!ch.stopped);
	wait_own_exit(&ch);
	CHECK_U64(WEXITSTATUS(ch.status), 127);
	test_end();
}

int main(void)
{
	sigset_t set;

	/* As capture does: these go to its signalfd. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &orig);
	test_release();
	test_exec_failure();
	test_abandoned();
	test_terminated();
	test_signal_mask();
	test_stop_at_exec();
	test_stop_at_failed_exec();
	return test_summary();
}
