// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: a set of per-CPU buffers, the event kinds to record and the
 * targets to record them for. Several sessions live side by side (a
 * flight recorder and an ad-hoc capture, say); each command names one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "faults.h"
#include "godiag.h"

/*
 * Readers are woken from a timer, and from an irq_work when a CPU's
 * buffer passes its fill level (godiag_rb_wake_due()); never from the
 * tracing fast path itself (docs/DESIGN.md, "Waking the reader").
 */
#define WAKE_INTERVAL	(HZ / 20)

LIST_HEAD(godiag_sessions);
static unsigned int nr_sessions;
static u32 last_id;
/* Sessions with an owner socket: the URELEASE notifier looks here first. */
static atomic_t nr_owned = ATOMIC_INIT(0);
/* Changes whenever sessions, targets or probes come or go (godiag_mutex). */
static u32 generation;

unsigned int godiag_sessions_count(void)
{
	return nr_sessions;
}

bool godiag_sessions_owned(void)
{
	return atomic_read(&nr_owned) > 0;
}

/* The lists changed: a dump in parts sees it (GODIAG_A_GENERATION). */
void godiag_lists_changed(void)
{
	lockdep_assert_held(&godiag_mutex);
	generation++;
}

u32 godiag_generation(void)
{
	lockdep_assert_held(&godiag_mutex);
	return generation;
}

struct godiag_session *godiag_session_find(u32 id)
{
	struct godiag_session *s;

	lockdep_assert_held(&godiag_mutex);
	list_for_each_entry(s, &godiag_sessions, node)
		if (s->id == id)
			return s;
	return NULL;
}

struct godiag_session *godiag_session_find_name(const char *name)
{
	struct godiag_session *s;

	lockdep_assert_held(&godiag_mutex);
	list_for_each_entry(s, &godiag_sessions, node)
		if (s->name[0] && !strcmp(s->name, name))
			return s;
	return NULL;
}

static u32 next_id(void)
{
	do {
		last_id = last_id == U32_MAX ? 1 : last_id + 1;
	} while (godiag_session_find(last_id));
	return last_id;
}

static void session_free_buffers(struct godiag_session *s)
{
	int cpu;

	if (!s->rbs)
		return;
	for_each_possible_cpu(cpu)
		godiag_rb_free(s->rbs[cpu]);
	kfree(s->rbs);
}

static void session_release(struct kref *ref)
{
	struct godiag_session *s = container_of(ref, struct godiag_session, ref);

	del_timer_sync(&s->wake_timer);
	irq_work_sync(&s->wake_work);
	godiag_triggers_release(s);
	session_free_buffers(s);
	godiag_probes_free_retired(s);
	kfree(s);
}

void godiag_session_put(struct godiag_session *s)
{
	kref_put(&s->ref, session_release);
}

static bool buffers_fit(u32 bufsize, struct netlink_ext_ack *extack)
{
	u64 want = (u64)bufsize * num_possible_cpus();
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	if (want <= ram / 4)
		return true;
	NL_SET_ERR_MSG_FMT(extack, "%u KiB x %u CPUs is over a quarter of RAM",
			   bufsize >> 10, num_possible_cpus());
	return false;
}

static int session_alloc_buffers(struct godiag_session *s,
				 struct netlink_ext_ack *extack)
{
	int cpu;

	if (!buffers_fit(s->bufsize, extack))
		return -ENOMEM;
	s->rbs = godiag_alloc(kcalloc(nr_cpu_ids, sizeof(*s->rbs), GFP_KERNEL));
	if (!s->rbs)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		s->rbs[cpu] = godiag_rb_alloc(s->bufsize, cpu,
					      s->mode == GODIAG_MODE_OVERWRITE);
		if (!s->rbs[cpu]) {
			NL_SET_ERR_MSG_FMT(extack, "cannot allocate %u KiB for CPU %d",
					   s->bufsize >> 10, cpu);
			return -ENOMEM;
		}
	}
	return 0;
}

bool godiag_session_readable(struct godiag_session *s)
{
	int cpu;

	for_each_possible_cpu(cpu)
		if (!godiag_rb_empty(s->rbs[cpu]))
			return true;
	return false;
}

/* A reader has everything once the session can no longer produce records. */
bool godiag_session_eof(struct godiag_session *s)
{
	return (READ_ONCE(s->state) == GODIAG_STATE_STOPPED || READ_ONCE(s->dead)) &&
	       !godiag_session_readable(s);
}

/*
 * Queued by a writer whose buffer passed its fill level. The writer may
 * not wake anyone itself: it runs with preemption disabled, where on
 * PREEMPT_RT the wait queue's spinlock_t (a sleeping lock there) must
 * not be taken, and a wakeup from a probe hit inside the scheduler's or
 * the wait queue's own locked sections would deadlock. This runs from
 * the interrupt the irq_work raises (on PREEMPT_RT, from the irq_work
 * thread), outside any such section.
 */
static void wake_work_fn(struct irq_work *w)
{
	struct godiag_session *s = container_of(w, struct godiag_session, wake_work);

	if (wq_has_sleeper(&s->wq))
		wake_up_interruptible(&s->wq);
}

static void wake_timer_fn(struct timer_list *tm)
{
	struct godiag_session *s = from_timer(s, tm, wake_timer);

	if (wq_has_sleeper(&s->wq) && godiag_session_readable(s))
		wake_up_interruptible(&s->wq);
	if (READ_ONCE(s->active))
		mod_timer(tm, jiffies + WAKE_INTERVAL);
}

struct godiag_session *godiag_session_new(u32 bufsize, u8 mode, u32 events,
					  u32 owner_portid,
					  const struct godiag_caller *creator,
					  struct netlink_ext_ack *extack)
{
	struct godiag_session *s;
	int ret;

	lockdep_assert_held(&godiag_mutex);
	if (nr_sessions >= GODIAG_SESSIONS_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "%u sessions exist already; destroy one first",
				   nr_sessions);
		return ERR_PTR(-ENOSPC);
	}
	s = godiag_alloc(kzalloc(sizeof(*s), GFP_KERNEL));
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->bufsize = bufsize;
	s->mode = mode;
	s->events = events;
	s->owner_portid = owner_portid;
	s->creator_euid = creator->euid;
	s->creator_admin = creator->admin;
	s->state = GODIAG_STATE_READY;
	kref_init(&s->ref);
	INIT_LIST_HEAD(&s->targets);
	INIT_LIST_HEAD(&s->probes);
	INIT_LIST_HEAD(&s->retired);
	init_waitqueue_head(&s->wq);
	timer_setup(&s->wake_timer, wake_timer_fn, 0);
	init_irq_work(&s->wake_work, wake_work_fn);
	godiag_triggers_init(s);
	mutex_init(&s->read_lock);
	bitmap_fill(s->syscall_mask, GODIAG_SYSCALL_MAX);
	ret = session_alloc_buffers(s, extack);
	if (ret) {
		godiag_session_put(s);
		return ERR_PTR(ret);
	}
	s->id = next_id();
	list_add_tail(&s->node, &godiag_sessions);
	nr_sessions++;
	if (owner_portid)
		atomic_inc(&nr_owned);
	godiag_lists_changed();
	return s;
}

static void session_syscalls_put(struct godiag_session *s)
{
	if (s->syscalls_on) {
		godiag_syscalls_put();
		s->syscalls_on = false;
	}
}

int godiag_session_start(struct godiag_session *s, struct netlink_ext_ack *extack)
{
	int ret;

	lockdep_assert_held(&godiag_mutex);
	if (s->state == GODIAG_STATE_RUNNING) {
		NL_SET_ERR_MSG_FMT(extack, "session %u is already running", s->id);
		return -EALREADY;
	}
	if ((s->events & GODIAG_EV_SYSCALL) && !s->syscalls_on) {
		ret = godiag_syscalls_get();
		if (ret) {
			NL_SET_ERR_MSG(extack, "cannot attach to the syscall tracepoints");
			return ret;
		}
		s->syscalls_on = true;
	}
	/* A stopped session's probes were taken out: place them again. */
	ret = godiag_probes_arm(s, extack);
	if (ret) {
		session_syscalls_put(s);
		return ret;
	}
	WRITE_ONCE(s->state, GODIAG_STATE_RUNNING);
	WRITE_ONCE(s->active, true);
	mod_timer(&s->wake_timer, jiffies + WAKE_INTERVAL);
	godiag_audit_session("session-start", s);
	return 0;
}

/*
 * After this returns no handler writes into the session any more, so a
 * reader that drains it sees every record that was committed, and the
 * targets run without the session's breakpoints (the uprobes are
 * unregistered; godiag_session_start() registers them again).
 */
void godiag_session_stop(struct godiag_session *s)
{
	u64 now;
	int cpu;

	lockdep_assert_held(&godiag_mutex);
	if (s->state != GODIAG_STATE_RUNNING)
		return;
	WRITE_ONCE(s->active, false);
	synchronize_rcu();
	/* No writer left: the losses not yet in the stream go in now. */
	now = ktime_get_ns();
	for_each_possible_cpu(cpu)
		godiag_rb_flush_lost(s->rbs[cpu], now);
	godiag_probes_disarm(s);
	session_syscalls_put(s);
	del_timer_sync(&s->wake_timer);
	/* No writer queues it any more; one queued before has run after this. */
	irq_work_sync(&s->wake_work);
	godiag_triggers_sync(s);
	WRITE_ONCE(s->state, GODIAG_STATE_STOPPED);
	wake_up_interruptible_all(&s->wq);
	godiag_audit_session("session-stop", s);
}

void godiag_session_destroy(struct godiag_session *s)
{
	lockdep_assert_held(&godiag_mutex);
	godiag_session_stop(s);
	godiag_target_unlink_all(s);
	list_del(&s->node);
	nr_sessions--;
	if (s->owner_portid)
		atomic_dec(&nr_owned);
	godiag_lists_changed();
	WRITE_ONCE(s->dead, true);
	godiag_limits_disarm(s);
	wake_up_interruptible_all(&s->wq);
	godiag_audit_session("session-destroy", s);
	godiag_session_put(s);
}

/* The netlink socket that created owned sessions is gone. */
void godiag_sessions_release_owner(u32 portid)
{
	struct godiag_session *s, *tmp;

	mutex_lock(&godiag_mutex);
	godiag_audit_cause("owner-closed");
	list_for_each_entry_safe(s, tmp, &godiag_sessions, node)
		if (s->owner_portid == portid)
			godiag_session_destroy(s);
	godiag_audit_cause("request");
	mutex_unlock(&godiag_mutex);
}

void godiag_sessions_destroy_all(void)
{
	struct godiag_session *s, *tmp;

	mutex_lock(&godiag_mutex);
	godiag_audit_cause("unload");
	list_for_each_entry_safe(s, tmp, &godiag_sessions, node)
		godiag_session_destroy(s);
	godiag_audit_cause("request");
	mutex_unlock(&godiag_mutex);
}

/* ---- the write path ------------------------------------------------- */

/*
 * Reserve a record on this CPU and fill its header. Call with preemption
 * disabled and always follow with godiag_event_commit(), even on NULL
 * (the buffer was full and the loss has been counted).
 */
struct godiag_rec *godiag_event_reserve(struct godiag_session *s, u16 type,
					u16 size, u64 ts)
{
	struct godiag_rb *rb = s->rbs[smp_processor_id()];
	struct godiag_rec *rec;

	rec = godiag_rb_reserve_rec(rb, size, ts);
	if (unlikely(!rec))
		return NULL;
	rec->type = type;
	rec->size = size;
	rec->flags = 0;
	rec->cpu = smp_processor_id();
	rec->tgid = current->tgid;
	rec->tid = current->pid;
	rec->ts_ns = ts;
	rec->goid = 0;
	return rec;
}

void godiag_event_commit(struct godiag_session *s)
{
	struct godiag_rb *rb = s->rbs[smp_processor_id()];

	godiag_rb_commit(rb);
	/* Safe in any context; pending already: nothing to do. */
	if (unlikely(godiag_rb_wake_due(rb)))
		irq_work_queue(&s->wake_work);
}
