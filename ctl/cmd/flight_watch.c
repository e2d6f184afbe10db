// SPDX-License-Identifier: GPL-2.0
/*
 * The watcher of a flight recorder with triggers: it listens to the
 * module's TRIGGER notifications (the triggers on syscalls and
 * breakpoints, checked in the module, and those it fires itself), reads
 * the targets' runtime once a second for the triggers on the runtime's
 * state and reports those that hold with TRIGGER_FIRE (the module keeps
 * the one cooldown and the counters), and --post after a trigger writes
 * a snapshot into the snapshot directory, keeping the newest --keep.
 * For a recorder that follows a service (--comm, --cgroup) it also
 * attaches the processes that start later (flight_follow.c), on every
 * pass of its loop, at least twice a second; one process does both. It
 * ends when the recorder is gone (flight stop; a following recorder
 * also when it no longer runs) or on SIGTERM/SIGINT/SIGHUP.
 *
 * A snapshot is written by a child running `flight snapshot`'s code,
 * so a failure there (a full disk) costs that snapshot, not the watcher.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd/flight.h"
#include "cmd/flight_follow.h"
#include "module/sessinfo.h"

#define TICK_MS		500	/* the longest poll(): the follow hook's pace */
#define RUNTIME_MS	1000	/* the runtime's state is read this often */
#define QUEUE_MAX	16	/* triggers waiting for their --post */

const char *flight_start_pending;

struct pending {
	unsigned int index;
	uint64_t ts;		/* CLOCK_MONOTONIC of the trigger */
};

struct watch {
	const struct cmd *c;
	const struct flight_watch_opts *o;
	char dir[4096];
	struct gdnl *nl, *notify;
	uint32_t session;
	const char *texts[GODIAG_TRIGGERS_MAX];
	size_t ntexts;
	char *texts_buf;
	struct flight_trigger t[GODIAG_TRIGGERS_MAX];
	bool has_runtime;
	struct flight_rt *rt;
	uint64_t next_runtime;	/* ms, CLOCK_MONOTONIC */
	uint64_t last_ts;	/* the newest trigger queued */
	struct pending q[QUEUE_MAX];
	size_t nq;
	bool syslog;		/* in the background: messages go to syslog */
	int sig_fd;
	bool following;		/* o->follow: follow holds what */
	struct flight_follow follow;
	bool has_triggers;	/* else only following: no notifications, no snapshots */
};

static uint64_t mono_ns(void)
{
	return capture_now_ns(CLOCK_MONOTONIC);
}

static void say(struct watch *w, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct watch *w, int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (w->syslog)
		syslog(prio, "%s: %s", w->o->name, line);
	else
		fprintf(stderr, PROG ": flight %s: %s\n", w->o->name, line);
}

static struct watch *say_target;

static void say_line(const char *msg)
{
	say(say_target, LOG_WARNING, "%s", msg);
}

/* ---- the recorder ------------------------------------------------------- */

/* The recorder's dump, or false when it is gone. */
static bool recorder(struct watch *w, struct session_list *l, struct session_info **s)
{
	int err = sessinfo_dump(w->nl, GODIAG_CMD_SESSION_GET, w->session, l);
	size_t i;

	*s = NULL;
	/* A list that changed meanwhile is asked again; any other error (the
	 * module was unloaded: its family is gone) ends the watcher. */
	if (err)
		return err == -EAGAIN || err == -EINTR || err == -ENOBUFS;
	for (i = 0; i < l->n; i++)
		if (l->v[i].id == w->session && !strcmp(l->v[i].name, w->o->name))
			*s = &l->v[i];
	return *s != NULL;
}

static void set_watcher(struct watch *w, uint32_t pid)
{
	struct nl_msg *msg = gdnl_msg(w->nl, GODIAG_CMD_TRIGGERS_SET, 0);
	int err;

	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, w->session);
	gdnl_put_u32(msg, GODIAG_A_TRIGGER_WATCHER, pid);
	err = gdnl_exec(w->nl, msg, NULL, NULL);
	if (err && pid)
		gdnl_fail(w->nl, err);
}

/* The triggers the module keeps: their texts, parsed again. */
static void load(struct watch *w)
{
	struct session_list l = { 0 };
	struct session_info *s = NULL;
	char err[512];
	size_t i;
	int e = sessinfo_dump(w->nl, GODIAG_CMD_SESSION_GET, 0, &l);

	if (e)
		gdnl_fail(w->nl, e);
	for (i = 0; i < l.n; i++)
		if (!strcmp(l.v[i].name, w->o->name))
			s = &l.v[i];
	if (!s)
		die(EXIT_USAGE, "%s: no recorder named %s", w->c->name, w->o->name);
	w->has_triggers = s->has_triggers && s->trigger_texts;
	if (!w->has_triggers && !w->o->follow)
		die(EXIT_USAGE, "%s: recorder %s has no triggers (flight start --trigger) and "
		    "follows no process (--comm, --cgroup)", w->c->name, w->o->name);
	if (s->watcher && s->watcher != (uint32_t)getpid() &&
	    (!kill((pid_t)s->watcher, 0) || errno == EPERM))
		die(EXIT_USAGE, "%s: recorder %s has a watcher already (PID %u)", w->c->name,
		    w->o->name, s->watcher);
	w->session = s->id;
	/* flight daemon: the triggers before it are not its to save. */
	if (!w->o->fresh && s->has_last)
		w->last_ts = s->last_ts;
	w->texts_buf = s->trigger_texts;
	s->trigger_texts = NULL;
	w->ntexts = flight_texts_split(w->texts_buf, s->trigger_texts_len, w->texts,
				       GODIAG_TRIGGERS_MAX);
	for (i = 0; i < w->ntexts; i++) {
		if (flight_trigger_parse(w->texts[i], &w->t[i], err, sizeof(err)))
			die(EXIT_OPFAIL, "%s: recorder %s: %s", w->c->name, w->o->name, err);
		w->has_runtime |= !flight_trigger_in_kernel(&w->t[i]);
	}
	session_list_free(&l);
}

/* ---- triggers ----------------------------------------------------------- */

static void queue(struct watch *w, unsigned int index, uint64_t ts)
{
	/* The notification and the dump may both tell of one trigger. */
	if (ts <= w->last_ts)
		return;
	w->last_ts = ts;
	if (w->nq == QUEUE_MAX) {
		say(w, LOG_WARNING, "trigger %u at %" PRIu64 " dropped: %d snapshots wait already",
		    index, ts, QUEUE_MAX);
		return;
	}
	w->q[w->nq].index = index;
	w->q[w->nq].ts = ts;
	w->nq++;
}

static int on_note(const struct gdnl_reply *r, void *arg)
{
	struct watch *w = arg;

	if (r->cmd != GODIAG_CMD_TRIGGER || !r->tb[GODIAG_A_SESSION_ID] ||
	    nla_get_u32(r->tb[GODIAG_A_SESSION_ID]) != w->session ||
	    !r->tb[GODIAG_A_TRIGGER_INDEX] || !r->tb[GODIAG_A_TRIGGER_TS])
		return 0;
	queue(w, nla_get_u32(r->tb[GODIAG_A_TRIGGER_INDEX]),
	      nla_get_u64(r->tb[GODIAG_A_TRIGGER_TS]));
	return 0;
}

static void fire(void *arg, unsigned int index)
{
	struct watch *w = arg;
	struct nl_msg *msg = gdnl_msg(w->nl, GODIAG_CMD_TRIGGER_FIRE, 0);
	int err;

	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, w->session);
	gdnl_put_u32(msg, GODIAG_A_TRIGGER_INDEX, index);
	err = gdnl_exec(w->nl, msg, NULL, NULL);
	if (err)
		say(w, LOG_WARNING, "trigger %u: %s", index, gdnl_strerror(w->nl, err));
}

static void poll_runtime(struct watch *w, const struct session_info *s)
{
	struct target_list tl = { 0 };
	uint32_t *pids;
	size_t i, n = 0;

	if (s->state != GODIAG_STATE_RUNNING || targets_dump(w->nl, w->session, &tl))
		return;
	pids = xcalloc(tl.n ? tl.n : 1, sizeof(*pids));
	for (i = 0; i < tl.n; i++)
		if (tl.v[i].session == w->session)
			pids[n++] = tl.v[i].pid;
	say_target = w;
	flight_rt_poll(w->rt, pids, n, w->t, w->ntexts, fire, w, say_line);
	free(pids);
	target_list_free(&tl);
}

/* ---- snapshots ---------------------------------------------------------- */

static void snapshot(struct watch *w, const struct pending *p)
{
	uint64_t now_mono = mono_ns(), now_real = capture_now_ns(CLOCK_REALTIME);
	const char *text = p->index < w->ntexts ? w->texts[p->index] : "trigger";
	char name[256], path[4096 + 256], line[4096 + 300];
	int status, removed;
	pid_t pid;

	flight_snap_name(name, sizeof(name), now_real - (now_mono - p->ts), p->index, text);
	snprintf(path, sizeof(path), "%s/%s", w->dir, name);
	snprintf(line, sizeof(line), PROG " flight snapshot %s -o %s", w->o->name, path);
	pid = fork();
	if (pid < 0) {
		say(w, LOG_ERR, "%s: cannot fork: %s", name, strerror(errno));
		return;
	}
	if (!pid)
		exit(flight_snapshot_write(w->c, w->o->name, path, line, text, p->ts));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		say(w, LOG_ERR, "trigger %s: the snapshot %s failed", text, path);
		return;
	}
	say(w, LOG_NOTICE, "trigger %s: snapshot %s", text, path);
	removed = flight_keep_apply(w->dir, w->o->keep);
	if (removed < 0)
		say(w, LOG_WARNING, "%s: %s", w->dir, strerror(errno));
}

/* The snapshots whose --post has passed. */
static void due(struct watch *w, uint64_t now)
{
	while (w->nq && w->q[0].ts + w->o->post_ns <= now) {
		struct pending p = w->q[0];

		memmove(w->q, w->q + 1, (w->nq - 1) * sizeof(*w->q));
		w->nq--;
		snapshot(w, &p);
	}
}

static int timeout_ms(const struct watch *w, uint64_t now)
{
	uint64_t at;

	if (!w->nq)
		return TICK_MS;
	at = w->q[0].ts + w->o->post_ns;
	if (at <= now)
		return 0;
	return (at - now) / 1000000 < TICK_MS ? (int)((at - now) / 1000000) + 1 : TICK_MS;
}

/* ---- the loop ----------------------------------------------------------- */

/* Returns whether the recorder is still there. */
static bool tick(struct watch *w)
{
	struct session_list l = { 0 };
	struct session_info *s;
	uint64_t now = mono_ns();

	if (w->following && flight_follow_tick(&w->follow) < 0)
		return false;
	if (!recorder(w, &l, &s)) {
		session_list_free(&l);
		return false;
	}
	/* A notification lost (a full socket): the module's last one. */
	if (s && s->has_last)
		queue(w, s->last_index, s->last_ts);
	if (s && w->has_runtime && now / 1000000 >= w->next_runtime) {
		w->next_runtime = now / 1000000 + RUNTIME_MS;
		poll_runtime(w, s);
	}
	session_list_free(&l);
	due(w, mono_ns());
	return true;
}

static int loop(struct watch *w)
{
	struct pollfd fds[2];
	struct signalfd_siginfo si;

	fds[0].fd = w->notify ? gdnl_fd(w->notify) : -1;	/* poll() skips -1 */
	fds[0].events = POLLIN;
	fds[1].fd = w->sig_fd;
	fds[1].events = POLLIN;
	for (;;) {
		int n = poll(fds, 2, timeout_ms(w, mono_ns()));

		if (n < 0 && errno != EINTR)
			die(EXIT_OPFAIL, "%s: poll: %s", w->c->name, strerror(errno));
		if (n > 0 && (fds[1].revents & POLLIN) &&
		    read(w->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			say(w, LOG_NOTICE, "signal %u: the watcher ends, the recorder runs on",
			    si.ssi_signo);
			set_watcher(w, 0);
			return EXIT_OK;
		}
		if (n > 0 && (fds[0].revents & POLLIN) &&
		    gdnl_notify_read(w->notify, on_note, w) == -ENOBUFS)
			say(w, LOG_WARNING, "notifications lost; the recorder's counters tell");
		if (!tick(w)) {
			say(w, LOG_NOTICE, "the recorder is gone: the watcher ends");
			return EXIT_OK;
		}
	}
}

/* ---- setup -------------------------------------------------------------- */

/* The triggers' part: notifications, the snapshot directory, the runtime. */
static void setup_snapshots(struct watch *w)
{
	char why[256];

	w->notify = gdnl_open_notify(w->c->name, why, sizeof(why));
	if (!w->notify)
		die(errno == EPERM ? EXIT_PERM : EXIT_OPFAIL,
		    "%s: the watcher needs the module's notifications: %s", w->c->name, why);
	if (w->o->snapshot_dir)
		snprintf(w->dir, sizeof(w->dir), "%s", w->o->snapshot_dir);
	else
		snprintf(w->dir, sizeof(w->dir), FLIGHT_SNAPSHOT_ROOT "/%s", w->o->name);
	if (flight_mkdir(w->dir) || access(w->dir, W_OK | X_OK))
		die(exit_code_of_errno(errno), "%s: snapshot directory %s: %s", w->c->name,
		    w->dir, strerror(errno));
	if (w->has_runtime)
		w->rt = flight_rt_new();
}

static void setup(struct watch *w)
{
	char err[4608];
	sigset_t set;

	w->nl = gdnl_open(w->c->name);
	status_require_abi(w->nl, w->c->name, NULL);
	load(w);
	if (w->o->follow) {
		if (flight_follow_init(&w->follow, w->c, w->o->follow, w->session,
				       w->o->follow->comm, w->o->follow->follow_cgroup, err,
				       sizeof(err)))
			die(EXIT_USAGE, "%s: %s", w->c->name, err);
		w->following = true;
	}
	if (w->has_triggers)
		setup_snapshots(w);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	w->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (w->sig_fd < 0)
		die(EXIT_OPFAIL, "%s: signalfd: %s", w->c->name, strerror(errno));
}

static void cleanup(struct watch *w)
{
	flight_rt_free(w->rt);
	if (w->following)
		flight_follow_free(&w->follow);
	gdnl_close(w->notify);
	gdnl_close(w->nl);
	close(w->sig_fd);
	free(w->texts_buf);
}

/* The child: its own session, no terminal, messages to syslog. */
static void detach(struct watch *w)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	setsid();
	if (chdir("/"))
		_exit(EXIT_OPFAIL);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	openlog(PROG, LOG_PID, LOG_DAEMON);
	w->syslog = true;
}

static void watching(struct watch *w)
{
	const char *comm = w->o->follow ? w->o->follow->comm : NULL;
	const char *cgroup = w->o->follow ? w->o->follow->follow_cgroup : NULL;

	if (w->has_triggers)
		say(w, LOG_NOTICE, "watching, snapshots into %s", w->dir);
	if (w->following)
		say(w, LOG_NOTICE, "following %s%s%s%s", comm ? "comm " : "", comm ? comm : "",
		    cgroup ? (comm ? " in cgroup " : "cgroup ") : "", cgroup ? cgroup : "");
}

/* flight start: the processes that match now are attached before it returns. */
static void follow_now(struct watch *w)
{
	int n = flight_follow_tick(&w->follow);

	if (n < 0)
		die(EXIT_OPFAIL, "%s: recorder %s no longer runs", w->c->name, w->o->name);
	note("recorder %s: %d process%s attached now", w->o->name, n, n == 1 ? "" : "es");
}

static int background(struct watch *w)
{
	int p[2], status;
	char ok = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		die(EXIT_OPFAIL, "%s: pipe: %s", w->c->name, strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die(EXIT_OPFAIL, "%s: fork: %s", w->c->name, strerror(errno));
	if (!pid) {
		close(p[0]);
		set_watcher(w, (uint32_t)getpid());
		detach(w);
		flight_start_pending = NULL;
		if (write(p[1], "1", 1) != 1)
			_exit(EXIT_OPFAIL);
		close(p[1]);
		watching(w);
		exit(loop(w));
	}
	close(p[1]);
	if (read(p[0], &ok, 1) != 1) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : EXIT_OPFAIL;
	}
	close(p[0]);
	flight_start_pending = NULL;
	if (w->has_triggers)
		note("recorder %s: watcher %d writes the triggers' snapshots into %s",
		     w->o->name, (int)pid, w->dir);
	if (w->following)
		note("recorder %s: watcher %d attaches the processes that start later",
		     w->o->name, (int)pid);
	return EXIT_OK;
}

int flight_watch(const struct cmd *c, const struct flight_watch_opts *o)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	int ret;

	w->c = c;
	w->o = o;
	w->sig_fd = -1;
	setup(w);
	if (w->following && o->fresh)
		follow_now(w);
	if (o->foreground) {
		set_watcher(w, (uint32_t)getpid());
		flight_start_pending = NULL;
		watching(w);
		ret = loop(w);
	} else {
		ret = background(w);
	}
	cleanup(w);
	free(w);
	return ret;
}
