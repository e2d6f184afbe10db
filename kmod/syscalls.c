// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall timings from the raw_syscalls tracepoints. The handlers are
 * registered only while a running session wants syscalls (and LINGER
 * after the last one stops), and the first thing they do is look the
 * current tgid up, so untraced processes pay a hash lookup and nothing
 * else.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

#include "godiag.h"

static struct tracepoint *tp_enter, *tp_exit;
static unsigned int users;	/* sessions that want syscalls; godiag_mutex */
static bool attached;		/* handlers registered; godiag_mutex */

/*
 * Attaching or detaching patches kernel text (each tracepoint's static
 * key: int3, an IPI to every CPU, three times) and detaching waits for a
 * grace period. Captures started one after another, a flight recorder
 * re-armed, a script looping over processes, would pay both every time:
 * the handlers stay a while after the last session goes.
 */
#define LINGER	(10 * HZ)

static void detach_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(detach_work, detach_work_fn);

static bool wants(struct godiag_session *s, long nr)
{
	return READ_ONCE(s->active) && (s->events & GODIAG_EV_SYSCALL) &&
	       test_bit(nr, s->syscall_mask);
}

static void on_sys_enter(void *data, struct pt_regs *regs, long nr)
{
	struct godiag_pid_node *n;
	u64 now = 0;

	if (unlikely(nr < 0 || nr >= GODIAG_SYSCALL_MAX))
		return;
	rcu_read_lock();
	hlist_for_each_entry_rcu(n, godiag_pid_bucket(current->tgid), node) {
		if (n->tgid != current->tgid)
			continue;
		struct godiag_thread *th;

		if (!wants(n->target->session, nr) || READ_ONCE(n->revoked))
			continue;
		th = godiag_thread_get(n->target, current->pid, true);
		if (!th)
			continue;
		if (!now)
			now = ktime_get_ns();
		th->sc_nr = nr;
		WRITE_ONCE(th->sc_enter_ns, now);
	}
	rcu_read_unlock();
}

static unsigned int hist_bucket(u64 ns)
{
	unsigned int b = ns ? fls64(ns) - 1 : 0;

	return min_t(unsigned int, b, GODIAG_HIST_BUCKETS - 1);
}

static void hist_add(struct godiag_target *t, u32 nr, u64 ns, long ret)
{
	struct godiag_sc_hist *h = &t->hist[nr];
	s64 max = atomic64_read(&h->max_ns);

	atomic64_inc(&h->count);
	atomic64_add(ns, &h->total_ns);
	atomic64_inc(&h->buckets[hist_bucket(ns)]);
	if (IS_ERR_VALUE(ret))
		atomic64_inc(&h->errors);
	while ((s64)ns > max && !atomic64_try_cmpxchg(&h->max_ns, &max, ns))
		;
}

/*
 * The record as written, for the triggers: the buffer's copy may be
 * overwritten already (overwrite mode), so it is made again.
 */
static noinline void trigger_check(struct godiag_session *s, struct godiag_thread *th,
				   u32 nr, u64 enter, u64 now, long ret)
{
	struct godiag_rec_syscall rec = {
		.hdr = {
			.type = GODIAG_REC_SYSCALL,
			.size = sizeof(rec),
			.cpu = raw_smp_processor_id(),
			.tgid = current->tgid,
			.tid = current->pid,
			.ts_ns = now,
			.goid = READ_ONCE(th->goid),
		},
		.enter_ns = enter,
		.duration_ns = now - enter,
		.ret = ret,
		.nr = nr,
	};

	__godiag_trigger_syscall(s, &rec);
}

static void write_record(struct godiag_session *s, struct godiag_thread *th,
			 u32 nr, u64 enter, u64 now, long ret)
{
	struct godiag_rec_syscall *rec;
	bool written = false;

	preempt_disable_notrace();
	rec = (void *)godiag_event_reserve(s, GODIAG_REC_SYSCALL, sizeof(*rec), now);
	if (rec) {
		rec->hdr.goid = READ_ONCE(th->goid);
		rec->enter_ns = enter;
		rec->duration_ns = now - enter;
		rec->ret = ret;
		rec->nr = nr;
		rec->reserved = 0;
		written = true;
	}
	godiag_event_commit(s);
	preempt_enable_notrace();
	if (written && godiag_has_triggers(s))
		trigger_check(s, th, nr, enter, now, ret);
}

static void on_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct godiag_pid_node *n;
	u64 now = 0;

	rcu_read_lock();
	hlist_for_each_entry_rcu(n, godiag_pid_bucket(current->tgid), node) {
		if (n->tgid != current->tgid)
			continue;
		struct godiag_target *t = n->target;
		struct godiag_session *s = t->session;
		struct godiag_thread *th;
		u64 enter;
		u32 nr;

		th = godiag_thread_get(t, current->pid, false);
		if (!th)
			continue;
		enter = READ_ONCE(th->sc_enter_ns);
		if (!enter)
			continue;
		WRITE_ONCE(th->sc_enter_ns, 0);
		nr = th->sc_nr;
		if (!now)
			now = ktime_get_ns();
		if (!READ_ONCE(s->active) || !t->hist || READ_ONCE(n->revoked))
			continue;
		hist_add(t, nr, now - enter, ret);
		if (now - enter >= READ_ONCE(s->syscall_min_ns))
			write_record(s, th, nr, enter, now, ret);
	}
	rcu_read_unlock();
}

static int attach(void)
{
	int ret;

	ret = tracepoint_probe_register(tp_enter, on_sys_enter, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(tp_exit, on_sys_exit, NULL);
	if (ret) {
		tracepoint_probe_unregister(tp_enter, on_sys_enter, NULL);
		tracepoint_synchronize_unregister();
		return ret;
	}
	attached = true;
	return 0;
}

static void detach(void)
{
	tracepoint_probe_unregister(tp_exit, on_sys_exit, NULL);
	tracepoint_probe_unregister(tp_enter, on_sys_enter, NULL);
	tracepoint_synchronize_unregister();
	attached = false;
}

static void detach_work_fn(struct work_struct *work)
{
	mutex_lock(&godiag_mutex);
	if (!users && attached)
		detach();
	mutex_unlock(&godiag_mutex);
}

/* A session wants syscalls: attach the handlers unless they still are. */
int godiag_syscalls_get(void)
{
	int ret;

	lockdep_assert_held(&godiag_mutex);
	/* A detach that runs anyway finds users > 0 and leaves them. */
	cancel_delayed_work(&detach_work);
	if (!attached) {
		ret = attach();
		if (ret)
			return ret;
	}
	users++;
	return 0;
}

void godiag_syscalls_put(void)
{
	lockdep_assert_held(&godiag_mutex);
	if (WARN_ON_ONCE(!users) || --users)
		return;
	mod_delayed_work(godiag_wq, &detach_work, LINGER);
}

/* Unload: every session is gone; detach now. */
void godiag_syscalls_exit(void)
{
	cancel_delayed_work_sync(&detach_work);
	if (attached)
		detach();
}

int __init godiag_syscalls_init(void)
{
	tp_enter = godiag_tracepoint_find("sys_enter");
	tp_exit = godiag_tracepoint_find("sys_exit");
	if (!tp_enter || !tp_exit) {
		pr_err("raw_syscalls tracepoints not found (CONFIG_HAVE_SYSCALL_TRACEPOINTS?)\n");
		return -ENOENT;
	}
	return 0;
}
