// SPDX-License-Identifier: GPL-2.0
/*
 * flight start --comm/--cgroup: the processes of a service attached to
 * its recorder as they come (flight_follow.h).
 *
 * A process is attached in a child process of the follower: capture's
 * setup (capture_recorder_add()) exits on any failure, which for a
 * follower is one process given up on (it exited meanwhile, it is no Go
 * program), not the end. A failure after the module took the process
 * as a target removes that target again, so no half-set-up process
 * stays in the recorder.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cgroup.h"
#include "base/proc.h"
#include "base/util.h"
#include "cmd/flight_follow.h"
#include "cmd/flight_pids.h"
#include "module/sessinfo.h"

#define COMM_MAX	15	/* the kernel's TASK_COMM_LEN - 1 */

/* Field 22 of /proc/PID/stat (after the comm's last ')'), 0 if gone. */
static uint64_t start_time(uint32_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	size_t n;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* Field k follows the (k - 2)th blank after the comm's ')'. */
	for (i = 3; p && i <= 22; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &v) != 1)
		return 0;
	return v;
}

static struct flight_follow_seen *seen_find(struct flight_follow *f, uint32_t pid)
{
	size_t i;

	for (i = 0; i < f->nseen; i++)
		if (f->seen[i].pid == pid)
			return &f->seen[i];
	return NULL;
}

static void seen_add(struct flight_follow *f, uint32_t pid, uint64_t start)
{
	struct flight_follow_seen *s = seen_find(f, pid);

	if (!s) {
		f->seen = xreallocarray(f->seen, f->nseen + 1, sizeof(*f->seen));
		s = &f->seen[f->nseen++];
	}
	s->pid = pid;
	s->start = start;
}

/* Forgets the processes that are gone (their numbers may come back). */
static void seen_prune(struct flight_follow *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->nseen; i++)
		if (start_time(f->seen[i].pid) == f->seen[i].start)
			f->seen[n++] = f->seen[i];
	f->nseen = n;
}

int flight_follow_init(struct flight_follow *f, const struct cmd *c, struct capture_opts *o,
		       uint32_t session, const char *comm, const char *cgroup,
		       char *err, size_t errlen)
{
	struct target_list t = { 0 };
	size_t i;
	int r;

	memset(f, 0, sizeof(*f));
	f->c = c;
	f->o = o;
	f->name = o->name;
	f->session = session;
	f->comm = comm;
	if (cgroup && (cgroup_check_root(CGROUP_ROOT, err, errlen) ||
		       cgroup_dir(CGROUP_ROOT, cgroup, f->cgroup, sizeof(f->cgroup), err, errlen)))
		return -1;
	f->nl = gdnl_open(c->name);
	r = targets_dump(f->nl, session, &t);
	if (r)
		gdnl_fail(f->nl, r);
	for (i = 0; i < t.n; i++)
		seen_add(f, t.v[i].pid, start_time(t.v[i].pid));
	target_list_free(&t);
	return 0;
}

void flight_follow_free(struct flight_follow *f)
{
	gdnl_close(f->nl);
	free(f->seen);
	f->seen = NULL;
	f->nseen = 0;
}

static bool comm_matches(const struct flight_follow *f, uint32_t pid)
{
	char comm[64];

	if (!f->comm)
		return true;
	proc_comm((pid_t)pid, comm, sizeof(comm));
	return comm[0] && !strncmp(comm, f->comm, COMM_MAX) &&
	       strlen(comm) == (strlen(f->comm) < COMM_MAX ? strlen(f->comm) : COMM_MAX);
}

/* The processes to look at: the cgroup's, else every process's. */
static void candidates(struct flight_follow *f, uint32_t **pids, size_t *n)
{
	char err[512];
	struct dirent *d;
	uint32_t pid;
	DIR *dir;

	*pids = NULL;
	*n = 0;
	if (f->cgroup[0]) {
		/* A cgroup removed while its service is down is empty, not an error. */
		if (cgroup_pids(f->cgroup, GODIAG_TARGETS_MAX, pids, n, err, sizeof(err)))
			*n = 0;
		return;
	}
	dir = opendir("/proc");
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (parse_u32(d->d_name, 1, 0x3fffffff, &pid))
			continue;
		*pids = xreallocarray(*pids, *n + 1, sizeof(**pids));
		(*pids)[(*n)++] = pid;
	}
	closedir(dir);
}

/* A failed attach may have left pid a target, half set up: remove it. */
static void undo(struct flight_follow *f, uint32_t pid)
{
	struct target_list t = { 0 };
	struct nl_msg *msg;
	size_t i;

	if (targets_dump(f->nl, f->session, &t))
		return;
	for (i = 0; i < t.n && t.v[i].pid != pid; i++)
		;
	if (i < t.n) {
		msg = gdnl_msg(f->nl, GODIAG_CMD_TARGET_DEL, 0);
		gdnl_put_u32(msg, GODIAG_A_SESSION_ID, f->session);
		gdnl_put_u32(msg, GODIAG_A_PID, pid);
		gdnl_exec(f->nl, msg, NULL, NULL);
	}
	target_list_free(&t);
}

/* 0 once pid is a target with everything set up; else -1 (said on stderr). */
static int attach(struct flight_follow *f, uint32_t pid)
{
	int status = 0;
	pid_t ch;

	fflush(NULL);
	ch = fork();
	if (ch < 0) {
		warn("%s: cannot attach process %u: fork: %s", f->c->name, pid, strerror(errno));
		return -1;
	}
	if (!ch) {
		sigset_t none;

		/* The loop's blocked signals end a child as any process. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		capture_recorder_add(f->c, f->o, f->session, pid);
		fflush(NULL);
		_exit(EXIT_OK);
	}
	while (waitpid(ch, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_OK)
		return 0;
	undo(f, pid);
	return -1;
}

/*
 * Whether the recorder still runs: the same session (its id and name: a
 * module loaded again counts ids from 1), not stopped.
 */
static bool recorder_runs(struct flight_follow *f)
{
	struct session_list l = { 0 };
	bool runs;

	if (sessinfo_dump(f->nl, GODIAG_CMD_SESSION_GET, f->session, &l))
		return false;
	runs = l.n == 1 && l.v[0].id == f->session && !strcmp(l.v[0].name, f->name) &&
	       l.v[0].state == GODIAG_STATE_RUNNING;
	session_list_free(&l);
	return runs;
}

int flight_follow_tick(struct flight_follow *f)
{
	uint32_t *pids, self = (uint32_t)getpid();
	size_t i, n;
	uint64_t start;
	int attached = 0;

	if (!recorder_runs(f))
		return -1;
	if (!f->comm && !f->cgroup[0])
		return 0;	/* nothing to follow: --foreground with -p only */
	seen_prune(f);
	candidates(f, &pids, &n);
	for (i = 0; i < n; i++) {
		if (pids[i] == self || seen_find(f, pids[i]) || !comm_matches(f, pids[i]))
			continue;
		start = start_time(pids[i]);
		if (!start)
			continue;	/* gone already */
		seen_add(f, pids[i], start);
		if (attach(f, pids[i])) {
			f->failed++;
			continue;
		}
		flight_pids_note(f->name, f->session, pids[i]);
		note("recorder %s: process %u attached", f->name, pids[i]);
		f->attached++;
		attached++;
	}
	free(pids);
	return attached;
}
