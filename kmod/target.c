// SPDX-License-Identifier: GPL-2.0
/*
 * Target processes: which tgids a session traces, how handlers find them
 * fast, and what happens when a target forks or exits.
 *
 * Handlers look a tgid up in godiag_pid_hash under RCU; writers of the
 * hash hold pid_lock. A target lives while its session lists it or an exit
 * notification for it is pending (kref), and is freed a grace period after
 * the last reference goes.
 *
 * Handlers never allocate: a target that follows children keeps a small
 * pool of hash nodes, refilled from the workqueue, and a fork that finds
 * the pool empty is counted (procs_missed) instead of followed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/netlink.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tracepoint.h>

#include "faults.h"
#include "godiag.h"

#define THREAD_SLOTS_BITS	10
#define THREAD_PROBES		32

struct hlist_head godiag_pid_hash[1 << GODIAG_PID_HASH_BITS];
/* Raw: the fork and exit handlers take it with preemption off, also on RT. */
static DEFINE_RAW_SPINLOCK(pid_lock);

static struct tracepoint *tp_exit, *tp_fork;

/* ---- per-thread state ---------------------------------------------- */

/*
 * Only the thread itself claims, uses and frees its slot, so the only race
 * is two threads claiming one free slot, settled by cmpxchg. Probing is
 * bounded: a thread that finds no slot within THREAD_PROBES is not traced
 * and the loss is counted.
 */
static struct godiag_thread *thread_find(struct godiag_target *t, int tid,
					struct godiag_thread **free)
{
	unsigned int mask = (1U << THREAD_SLOTS_BITS) - 1;
	unsigned int i = hash_32(tid, THREAD_SLOTS_BITS);
	unsigned int n;

	*free = NULL;
	for (n = 0; n < THREAD_PROBES; n++, i = (i + 1) & mask) {
		struct godiag_thread *th = &t->threads[i];
		int cur = READ_ONCE(th->tid);

		if (cur == tid)
			return th;
		if (cur <= 0 && !*free)
			*free = th;
		if (cur == 0)
			break;
	}
	return NULL;
}

struct godiag_thread *godiag_thread_get(struct godiag_target *t, int tid,
					bool create)
{
	struct godiag_thread *th, *free;
	int attempt;

	for (attempt = 0; attempt < 4; attempt++) {
		int old;

		th = thread_find(t, tid, &free);
		if (th || !create)
			return th;
		if (!free)
			break;
		old = READ_ONCE(free->tid);
		if (old <= 0 && cmpxchg(&free->tid, old, tid) == old) {
			free->sc_enter_ns = 0;
			free->goid = 0;
			return free;
		}
		/* Another thread took that slot first: look again. */
	}
	atomic64_inc(&t->threads_dropped);
	return NULL;
}

static void thread_put(struct godiag_target *t, int tid)
{
	struct godiag_thread *th = godiag_thread_get(t, tid, false);

	if (th)
		WRITE_ONCE(th->tid, -1);
}

/* ---- target objects ------------------------------------------------- */

static void target_free_work(struct work_struct *work)
{
	struct godiag_target *t =
		container_of(to_rcu_work(work), struct godiag_target, free_work);

	struct godiag_pid_node *n;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(n, tmp, &t->pool, tnode)
		kfree(n);
	put_pid(t->pid);
	kvfree(t->hist);
	kvfree(t->threads);
	godiag_session_put(t->session);
	kfree(t);
}

static void target_release(struct kref *ref)
{
	struct godiag_target *t = container_of(ref, struct godiag_target, ref);

	/* Handlers may still hold it: free after a grace period. */
	INIT_RCU_WORK(&t->free_work, target_free_work);
	queue_rcu_work(godiag_wq, &t->free_work);
}

void godiag_target_put(struct godiag_target *t)
{
	kref_put(&t->ref, target_release);
}

static void target_unhash(struct godiag_target *t);

/*
 * Remove @t (once): its processes leave the tgid hash for good, its
 * probes go, the session's reference is dropped.
 */
static void target_unlist(struct godiag_target *t)
{
	lockdep_assert_held(&godiag_mutex);
	if (t->gone)
		return;
	t->gone = true;
	target_unhash(t);
	godiag_probes_drop_target(t);
	list_del(&t->node);
	t->session->nr_targets--;
	godiag_lists_changed();
	godiag_target_put(t);
}

static void target_exit_work(struct work_struct *work)
{
	struct godiag_target *t = container_of(work, struct godiag_target, exit_work);

	mutex_lock(&godiag_mutex);
	if (!t->gone) {
		const char *old = godiag_audit_cause("target-exit");

		struct godiag_session *s = t->session;

		godiag_netlink_target_exit(t);
		godiag_audit_target_remove(t);
		target_unlist(t);
		/*
		 * A recorder keeps the window before its last target's end;
		 * a persistent one records on, for the targets added later.
		 */
		if (s->name[0] && !s->persistent && !s->nr_targets)
			godiag_session_stop(s);
		godiag_audit_cause(old);
	}
	mutex_unlock(&godiag_mutex);
	godiag_target_put(t);
}

static void pool_refill_work(struct work_struct *work);

static struct godiag_target *target_new(struct godiag_session *s,
					struct task_struct *task, u32 flags)
{
	struct godiag_target *t;

	t = godiag_alloc(kzalloc(sizeof(*t), GFP_KERNEL));
	if (!t)
		return NULL;
	t->threads = godiag_alloc(kvcalloc(1U << THREAD_SLOTS_BITS,
					   sizeof(*t->threads), GFP_KERNEL));
	/* Whole histograms up front: handlers must not allocate. */
	if (s->events & GODIAG_EV_SYSCALL)
		t->hist = godiag_alloc(kvcalloc(GODIAG_SYSCALL_MAX,
						sizeof(*t->hist), GFP_KERNEL));
	if (!t->threads || (!t->hist && (s->events & GODIAG_EV_SYSCALL))) {
		kvfree(t->threads);
		kvfree(t->hist);
		kfree(t);
		return NULL;
	}
	kref_init(&t->ref);
	kref_get(&s->ref);
	t->session = s;
	t->tgid = task->tgid;
	t->pid = get_pid(task_tgid(task));
	t->flags = flags;
	INIT_WORK(&t->exit_work, target_exit_work);
	INIT_WORK(&t->refill_work, pool_refill_work);
	return t;
}

/* ---- the tgid hash -------------------------------------------------- */

static struct godiag_pid_node *pid_node_new(struct godiag_target *t, pid_t tgid)
{
	struct godiag_pid_node *n = godiag_alloc(kzalloc(sizeof(*n), GFP_KERNEL));

	if (n) {
		n->tgid = tgid;
		n->target = t;
	}
	return n;
}

/* Hash @n; pid_lock held. */
static void pid_node_hash(struct godiag_pid_node *n)
{
	lockdep_assert_held(&pid_lock);
	hlist_add_head_rcu(&n->node, godiag_pid_bucket(n->tgid));
	hlist_add_head(&n->tnode, &n->target->nodes);
}

/* Returns false when someone else unlinked it first. */
static bool pid_node_unlink(struct godiag_pid_node *n)
{
	bool unlinked = false;

	raw_spin_lock(&pid_lock);
	if (!hlist_unhashed(&n->node)) {
		hlist_del_init_rcu(&n->node);
		hlist_del(&n->tnode);
		unlinked = true;
	}
	raw_spin_unlock(&pid_lock);
	if (unlinked)
		kfree_rcu(n, rcu);
	return unlinked;
}

/*
 * Unlink every node of @t and mark it unhashed, in one hold of pid_lock:
 * a fork that found its parent's node before this cannot link a node for
 * its child after it (fork_link() tests the mark under the same lock), so
 * no node outlives its target in the hash.
 */
static void target_unhash(struct godiag_target *t)
{
	struct godiag_pid_node *n;
	struct hlist_node *tmp;
	HLIST_HEAD(gone);

	raw_spin_lock(&pid_lock);
	t->unhashed = true;
	hlist_for_each_entry_safe(n, tmp, &t->nodes, tnode) {
		hlist_del_init_rcu(&n->node);
		hlist_del(&n->tnode);
		hlist_add_head(&n->tnode, &gone);
	}
	raw_spin_unlock(&pid_lock);
	hlist_for_each_entry_safe(n, tmp, &gone, tnode)
		kfree_rcu(n, rcu);
}

/* ---- the pool of nodes for followed children ------------------------ */

#define FORK_POOL	16

static void pool_fill(struct godiag_target *t)
{
	struct godiag_pid_node *n;

	for (;;) {
		raw_spin_lock(&pid_lock);
		if (t->pool_n >= FORK_POOL || t->unhashed) {
			raw_spin_unlock(&pid_lock);
			return;
		}
		raw_spin_unlock(&pid_lock);
		n = pid_node_new(t, 0);
		if (!n)
			return;
		raw_spin_lock(&pid_lock);
		hlist_add_head(&n->tnode, &t->pool);
		t->pool_n++;
		raw_spin_unlock(&pid_lock);
	}
}

static void pool_refill_work(struct work_struct *work)
{
	struct godiag_target *t = container_of(work, struct godiag_target, refill_work);

	pool_fill(t);
	godiag_target_put(t);
}

/*
 * Hash a node from @t's pool for the new process @tgid, from the fork
 * handler: never allocates. Returns 0, -ENOMEM when the pool is empty,
 * -ESRCH when @t is being removed.
 */
static int fork_link(struct godiag_target *t, pid_t tgid)
{
	struct godiag_pid_node *n;
	bool low;
	int ret = 0;

	raw_spin_lock(&pid_lock);
	if (t->unhashed) {
		ret = -ESRCH;
	} else if (hlist_empty(&t->pool)) {
		ret = -ENOMEM;
	} else {
		n = hlist_entry(t->pool.first, struct godiag_pid_node, tnode);
		hlist_del(&n->tnode);
		t->pool_n--;
		n->tgid = tgid;
		pid_node_hash(n);
	}
	low = !t->unhashed && t->pool_n < FORK_POOL / 2;
	raw_spin_unlock(&pid_lock);
	if (low && kref_get_unless_zero(&t->ref) &&
	    !queue_work(godiag_wq, &t->refill_work))
		godiag_target_put(t);
	return ret;
}

/* One process of @t less; with the last one, queue the exit work. */
static void target_proc_gone(struct godiag_target *t)
{
	if (!atomic_dec_and_test(&t->nr_procs))
		return;
	if (!kref_get_unless_zero(&t->ref))
		return;
	if (!queue_work(godiag_wq, &t->exit_work))
		godiag_target_put(t);
}

/*
 * A fork found its parent's node, then its target was unhashed before
 * the child's node could join: nothing was linked, the count goes back.
 * Out of line so that a test can count these with a kprobe event
 * (tests/cases/15-targets.sh).
 */
static noinline void fork_lost_race(struct godiag_target *t)
{
	target_proc_gone(t);
}

/* Is the thread group of @task finished? Pairs with do_exit()'s decrement. */
static bool group_dead(struct task_struct *task)
{
	return atomic_read(&task->signal->live) == 0;
}

static u32 group_exit_code(struct task_struct *task)
{
	if (task->signal->flags & SIGNAL_GROUP_EXIT)
		return task->signal->group_exit_code;
	return task->exit_code;
}

/* ---- tracepoint handlers -------------------------------------------- */

static void write_exit_record(struct godiag_target *t, u32 code)
{
	struct godiag_session *s = t->session;
	struct godiag_rec_target_exit *rec;

	if (!READ_ONCE(s->active))
		return;
	preempt_disable_notrace();
	rec = (void *)godiag_event_reserve(s, GODIAG_REC_TARGET_EXIT,
					   sizeof(*rec), ktime_get_ns());
	if (rec) {
		rec->exit_code = code;
		rec->reserved = 0;
	}
	godiag_event_commit(s);
	preempt_enable_notrace();
}

/*
 * The process of @n is gone. Several of its threads may see the group
 * dead at once (each passed its decrement of signal->live before the
 * tracepoint): only the one whose unlink succeeds writes the exit record
 * and drops the process from its target.
 */
static void pid_node_exit(struct godiag_pid_node *n, u32 exit_code)
{
	struct godiag_target *t = n->target;

	if (!pid_node_unlink(n))
		return;
	write_exit_record(t, exit_code);
	if (n->tgid == t->tgid)
		WRITE_ONCE(t->exit_code, exit_code);
	target_proc_gone(t);
}

static void on_process_exit(void *data, struct task_struct *p)
{
	struct godiag_pid_node *n;
	bool last = group_dead(p);
	u32 code = last ? group_exit_code(p) : 0;

	rcu_read_lock();
	hlist_for_each_entry_rcu(n, godiag_pid_bucket(p->tgid), node) {
		if (n->tgid != p->tgid)
			continue;
		thread_put(n->target, p->pid);
		if (last)
			pid_node_exit(n, code);
	}
	rcu_read_unlock();
}

static void on_process_fork(void *data, struct task_struct *parent,
			    struct task_struct *child)
{
	struct godiag_pid_node *n;

	/* New threads belong to their process already. */
	if (child->tgid == parent->tgid)
		return;
	rcu_read_lock();
	hlist_for_each_entry_rcu(n, godiag_pid_bucket(parent->tgid), node) {
		if (n->tgid != parent->tgid)
			continue;
		struct godiag_target *t = n->target;
		int ret;

		if (!(t->flags & GODIAG_TF_FOLLOW_CHILDREN) || READ_ONCE(n->revoked))
			continue;
		if (!atomic_inc_not_zero(&t->nr_procs))
			continue;
		godiag_fork_delay();	/* the fault-injection build's test hook */
		/* The child has not run yet, so it cannot exit before this. */
		ret = fork_link(t, child->tgid);
		if (ret == -ESRCH) {
			fork_lost_race(t);
		} else if (ret) {
			atomic64_inc(&t->procs_missed);
			target_proc_gone(t);
		}
	}
	rcu_read_unlock();
}

/* ---- configuration -------------------------------------------------- */

static struct task_struct *get_process(pid_t vpid, struct netlink_ext_ack *extack)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(find_vpid(vpid), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task) {
		NL_SET_ERR_MSG_FMT(extack, "no process with PID %d", vpid);
		return ERR_PTR(-ESRCH);
	}
	if (!thread_group_leader(task)) {
		NL_SET_ERR_MSG_FMT(extack,
				       "PID %d is a thread of process %d; give the process ID",
				       vpid, task_tgid_vnr(task));
		put_task_struct(task);
		return ERR_PTR(-EINVAL);
	}
	if (task->flags & PF_KTHREAD) {
		NL_SET_ERR_MSG_FMT(extack, "PID %d is a kernel thread", vpid);
		put_task_struct(task);
		return ERR_PTR(-EINVAL);
	}
	return task;
}

static struct godiag_target *find_target(struct godiag_session *s, struct pid *pid)
{
	struct godiag_target *t;

	list_for_each_entry(t, &s->targets, node)
		if (t->pid == pid)
			return t;
	return NULL;
}

int godiag_target_add(struct godiag_session *s, pid_t vpid, u32 flags,
		      struct file *proof, struct netlink_ext_ack *extack)
{
	struct task_struct *task;
	struct godiag_pid_node *n;
	struct godiag_target *t;
	int ret = 0;

	lockdep_assert_held(&godiag_mutex);
	if (s->nr_targets >= GODIAG_TARGETS_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "session %u already has %u targets",
				       s->id, GODIAG_TARGETS_MAX);
		return -ENOSPC;
	}
	task = get_process(vpid, extack);
	if (IS_ERR(task))
		return PTR_ERR(task);
	if (find_target(s, task_tgid(task))) {
		NL_SET_ERR_MSG_FMT(extack, "PID %d is already a target of session %u",
				       vpid, s->id);
		ret = -EEXIST;
		goto out;
	}
	/* Without CAP_SYS_ADMIN: may the caller ptrace this very process? */
	ret = proof ? godiag_proof_task(proof, task, vpid, extack) : 0;
	if (ret)
		goto out;
	t = target_new(s, task, flags);
	n = t ? pid_node_new(t, task->tgid) : NULL;
	if (!n) {
		if (t)
			godiag_target_put(t);
		ret = -ENOMEM;
		goto out;
	}
	if (flags & GODIAG_TF_FOLLOW_CHILDREN)
		pool_fill(t);
	atomic_set(&t->nr_procs, 1);
	list_add_tail(&t->node, &s->targets);
	s->nr_targets++;
	raw_spin_lock(&pid_lock);
	pid_node_hash(n);
	raw_spin_unlock(&pid_lock);
	/*
	 * If the process finished exiting before it was hashed, its exit
	 * handler could not see it: undo. Pairs with the decrement of
	 * signal->live in do_exit(), which precedes the exit tracepoint.
	 */
	smp_mb();
	if (group_dead(task)) {
		target_unlist(t);
		NL_SET_ERR_MSG_FMT(extack, "process %d is exiting", vpid);
		ret = -ESRCH;
	} else {
		godiag_lists_changed();
		godiag_audit_target_add(t, task);
	}
out:
	put_task_struct(task);
	return ret;
}

/* A removal asked for, or the session's end: said in the audit trail. */
static void target_remove(struct godiag_target *t)
{
	if (t->gone)
		return;
	godiag_audit_target_remove(t);
	target_unlist(t);
}

/*
 * The target of @s that PID @vpid (in the caller's namespace) names, or
 * NULL: the target of that process, else one whose root is gone (exited
 * and reaped while the children it follows live on) and had that number.
 */
struct godiag_target *godiag_target_find(struct godiag_session *s, pid_t vpid)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct godiag_target *t;
	struct pid *pid;

	lockdep_assert_held(&godiag_mutex);
	rcu_read_lock();
	pid = find_vpid(vpid);
	rcu_read_unlock();
	/* Only compared: a target's own reference keeps its pid alive. */
	t = pid ? find_target(s, pid) : NULL;
	if (t)
		return t;
	list_for_each_entry(t, &s->targets, node)
		if (!pid_has_task(t->pid, PIDTYPE_TGID) && pid_nr_ns(t->pid, ns) == vpid)
			return t;
	return NULL;
}

int godiag_target_del(struct godiag_session *s, pid_t vpid,
		      struct netlink_ext_ack *extack)
{
	struct godiag_target *t;

	lockdep_assert_held(&godiag_mutex);
	t = godiag_target_find(s, vpid);
	if (!t) {
		NL_SET_ERR_MSG_FMT(extack, "PID %d is not a target of session %u",
				       vpid, s->id);
		return -ENOENT;
	}
	target_remove(t);
	return 0;
}

void godiag_target_unlink_all(struct godiag_session *s)
{
	struct godiag_target *t, *tmp;

	lockdep_assert_held(&godiag_mutex);
	list_for_each_entry_safe(t, tmp, &s->targets, node)
		target_remove(t);
}

int __init godiag_targets_init(void)
{
	int ret;

	tp_exit = godiag_tracepoint_find("sched_process_exit");
	tp_fork = godiag_tracepoint_find("sched_process_fork");
	if (!tp_exit || !tp_fork) {
		pr_err("sched_process_exit/fork tracepoints not found\n");
		return -ENOENT;
	}
	ret = tracepoint_probe_register(tp_exit, on_process_exit, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(tp_fork, on_process_fork, NULL);
	if (ret) {
		tracepoint_probe_unregister(tp_exit, on_process_exit, NULL);
		tracepoint_synchronize_unregister();
	}
	return ret;
}

/* After this returns no handler of this file runs or will run. */
void godiag_targets_exit(void)
{
	tracepoint_probe_unregister(tp_fork, on_process_fork, NULL);
	tracepoint_probe_unregister(tp_exit, on_process_exit, NULL);
	tracepoint_synchronize_unregister();
}
