// SPDX-License-Identifier: GPL-2.0
/*
 * capture's event loop. One poll() waits for: records (/dev/godiag:
 * POLLIN when a CPU buffer has records, from the module's 50 ms wake
 * timer; POLLHUP once someone else stopped or destroyed the session),
 * target exits (the notification socket), signals (signalfd) and the end
 * of --duration (timerfd). Every wakeup drains every CPU's buffer.
 *
 * Without the notification socket (it could not be joined) or after it
 * overflowed, the module's target list says which targets are gone.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd/capture.h"
#include "module/names.h"
#include "module/sessinfo.h"

#define RESYNC_MS	1000
/* What a killed capture may lose at most: the file is flushed this often. */
#define FLUSH_MS	1000

static void on_record(const struct godiag_rec *rec, size_t len,
		      unsigned int cpu, void *arg)
{
	struct capture *c = arg;
	bool added;
	size_t i;

	(void)cpu;
	capw_record(&c->w, rec, len);
	for (i = 0; i < c->nsrcs; i++)
		if (c->srcs[i].ops->record)
			c->srcs[i].ops->record(c->srcs[i].data, rec, len);
	if (rec->type != GODIAG_REC_LOST)
		hmap_get(&c->procs, rec->tgid, 0, 0, &added);
	capture_status_record(c, rec, len);
}

void capture_drain(struct capture *c)
{
	size_t i;

	for (i = 0; i < c->nrings; i++)
		ring_drain(&c->rings[i], on_record, c);
	if (capw_error(&c->w) && !c->reason)
		c->reason = STOP_WRITE;
}

static bool all_exited(const struct capture *c)
{
	size_t i;

	for (i = 0; i < c->ntargets; i++)
		if (!c->targets[i].exited)
			return false;
	return true;
}

void capture_target_exited(struct capture *c, uint32_t pid, bool known,
			   uint32_t status)
{
	struct capture_target *t = NULL;
	char how[64] = "exited";
	size_t i;

	for (i = 0; i < c->ntargets && !t; i++)
		if (c->targets[i].pid == pid)
			t = &c->targets[i];
	if (!t || t->exited)
		return;
	t->exited = true;
	if (known)
		wait_status_format(status, how, sizeof(how));
	if (known && t->is_command && !c->reason) {
		c->command_status_known = true;
		c->command_status = (int)status;
	}
	capw_note(&c->w, "target %u%s%s%s %s", pid, t->comm[0] ? " (" : "",
		  t->comm, t->comm[0] ? ")" : "", how);
	if (c->reason)
		return;
	if (t->is_command)
		c->reason = STOP_COMMAND;
	else if (all_exited(c))
		c->reason = STOP_TARGETS;
}

static int on_notify(const struct gdnl_reply *r, void *arg)
{
	struct capture *c = arg;

	if (r->cmd == GODIAG_CMD_SESSION_EXPIRED && r->tb[GODIAG_A_SESSION_ID] &&
	    nla_get_u32(r->tb[GODIAG_A_SESSION_ID]) == c->session) {
		if (!c->reason)
			c->reason = STOP_EXPIRED;
		return 0;
	}
	if (r->cmd != GODIAG_CMD_TARGET_EXIT || !r->tb[GODIAG_A_SESSION_ID] ||
	    !r->tb[GODIAG_A_PID] ||
	    nla_get_u32(r->tb[GODIAG_A_SESSION_ID]) != c->session)
		return 0;
	capture_target_exited(c, nla_get_u32(r->tb[GODIAG_A_PID]),
			      r->tb[GODIAG_A_EXIT_CODE] != NULL,
			      r->tb[GODIAG_A_EXIT_CODE] ?
			      nla_get_u32(r->tb[GODIAG_A_EXIT_CODE]) : 0);
	return 0;
}

/* Targets the module no longer lists have exited (status unknown). */
static void resync_targets(struct capture *c)
{
	struct target_list l;
	size_t i, j;
	int err;

	err = targets_dump(c->nl, c->session, &l);
	if (err) {
		/* ENOENT-like emptiness is left to the device's POLLHUP. */
		warn("%s: cannot list the targets: %s", c->c->name,
		     gdnl_strerror(c->nl, err));
		return;
	}
	for (i = 0; i < c->ntargets; i++) {
		bool listed = false;

		for (j = 0; j < l.n && !listed; j++)
			listed = l.v[j].pid == c->targets[i].pid;
		if (!listed)
			capture_target_exited(c, c->targets[i].pid, false, 0);
	}
	target_list_free(&l);
}

static void read_notifications(struct capture *c)
{
	int err = gdnl_notify_read(c->notify, on_notify, c);

	if (err == -ENOBUFS)
		resync_targets(c);
	else if (err)
		warn("%s: reading notifications: %s", c->c->name, strerror(-err));
}

/* The command itself ended; without -f that ends its target too. */
static void command_reaped(struct capture *c)
{
	/* With -f its children may live on: wait for the module's word. */
	if (c->o->follow && c->notify)
		return;
	capture_target_exited(c, (uint32_t)c->child.pid, true,
			      (uint32_t)c->child.status);
}

static void read_signals(struct capture *c)
{
	struct signalfd_siginfo si;

	while (read(c->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			if (c->child.pid && !c->child.exited && child_reap(&c->child))
				command_reaped(c);
			continue;
		}
		/* Later signals change nothing: the end runs once, to completion. */
		if (!c->reason) {
			c->reason = STOP_SIGNAL;
			c->signo = (int)si.ssi_signo;
		}
	}
}

enum { FD_DEV, FD_SIG, FD_NOTIFY, FD_TIMER, NR_FDS };

static void set_fds(struct capture *c, struct pollfd *fds)
{
	fds[FD_DEV] = (struct pollfd){ .fd = c->dev, .events = POLLIN };
	fds[FD_SIG] = (struct pollfd){ .fd = c->sig_fd, .events = POLLIN };
	/* A negative fd is ignored by poll(). */
	fds[FD_NOTIFY] = (struct pollfd){
		.fd = c->notify ? gdnl_fd(c->notify) : -1, .events = POLLIN };
	fds[FD_TIMER] = (struct pollfd){ .fd = c->timer_fd, .events = POLLIN };
}

static void handle(struct capture *c, const struct pollfd *fds)
{
	if (fds[FD_SIG].revents)
		read_signals(c);
	if (fds[FD_NOTIFY].revents)
		read_notifications(c);
	if (fds[FD_TIMER].revents && !c->reason)
		c->reason = STOP_DURATION;
	/* POLLHUP comes only once the session stopped and is drained. */
	if ((fds[FD_DEV].revents & (POLLHUP | POLLERR)) && !c->reason)
		c->reason = STOP_SESSION;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Until the next flush of what is buffered, the next resync or the next
 * status line; -1: none due.
 */
static int poll_timeout(const struct capture *c, uint64_t last_flush)
{
	uint64_t since = now_ms() - last_flush;
	int t = c->notify ? -1 : RESYNC_MS;

	if (c->w.len) {
		int f = since >= FLUSH_MS ? 0 : (int)(FLUSH_MS - since);

		if (t < 0 || f < t)
			t = f;
	}
	return capture_status_timeout(c, t);
}

void capture_loop(struct capture *c)
{
	struct pollfd fds[NR_FDS];
	uint64_t last_resync = now_ms(), last_flush = now_ms();
	int n;

	/* Exits may have been announced before the loop started. */
	if (c->notify)
		read_notifications(c);
	while (!c->reason) {
		capture_drain(c);
		if (now_ms() - last_flush >= FLUSH_MS) {
			capw_flush(&c->w);
			last_flush = now_ms();
		}
		if (capw_error(&c->w) && !c->reason)
			c->reason = STOP_WRITE;
		if (c->reason)
			break;
		capture_status_tick(c);
		set_fds(c, fds);
		n = poll(fds, NR_FDS, poll_timeout(c, last_flush));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die(EXIT_OPFAIL, "%s: poll: %s", c->c->name, strerror(errno));
		handle(c, fds);
		if (!c->notify && !c->reason && now_ms() - last_resync >= RESYNC_MS) {
			resync_targets(c);
			last_resync = now_ms();
		}
	}
}
