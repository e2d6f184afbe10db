// SPDX-License-Identifier: GPL-2.0
/*
 * Flight recorder triggers (godiag_abi.h, "Triggers"): a table per
 * recorder, checked where a syscall or breakpoint record is written.
 *
 * The check runs in the syscall tracepoint or the uprobe handler, under
 * rcu_read_lock(): it reads the table through RCU, compares, and on a
 * match takes the recorder's one event slot with a bit lock (never
 * waits: a busy slot counts the match as suppressed), copies the record
 * there and queues an irq_work. The irq_work queues a work that sends
 * the notification from process context, where a message may be
 * allocated and godiag_mutex taken. The cooldown is the time before
 * which a match only counts: set by the match that fires, read by every
 * other one, checked again once the slot is held, so two CPUs matching
 * at once send one notification and count the other.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/ktime.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "faults.h"
#include "godiag.h"

#define SLOT_BUSY	0	/* bit of trig_busy: the event slot is taken */

struct godiag_triggers {
	struct rcu_head rcu;
	u64 cooldown_ns;
	u64 sys_min_ns;			/* smallest SYSCALL min_ns; U64_MAX: none */
	bool has_break;
	unsigned int n;
	u32 texts_len;
	char *texts;			/* NULL when texts_len is 0 */
	struct godiag_trigger v[];
};

static void triggers_free(struct godiag_triggers *t)
{
	if (!t)
		return;
	kfree(t->texts);
	kfree(t);
}

static void triggers_free_rcu(struct rcu_head *head)
{
	triggers_free(container_of(head, struct godiag_triggers, rcu));
}

/* The match that fires: the slot is held, the notification queued. */
static void fire(struct godiag_session *s, const struct godiag_triggers *t,
		 u16 index, const void *rec, u32 len, u64 now)
{
	if (now < (u64)atomic64_read(&s->trig_next_ns) ||
	    test_and_set_bit_lock(SLOT_BUSY, &s->trig_busy))
		goto suppressed;
	/* Held: no other match passes here until the work has copied it. */
	if (now < (u64)atomic64_read(&s->trig_next_ns)) {
		clear_bit_unlock(SLOT_BUSY, &s->trig_busy);
		goto suppressed;
	}
	atomic64_set(&s->trig_next_ns, now + t->cooldown_ns);
	s->trig_ev.index = index;
	s->trig_ev.ts = now;
	s->trig_ev.len = len;
	if (len)
		memcpy(s->trig_ev.rec, rec, len);
	atomic64_inc(&s->trig_fired);
	irq_work_queue(&s->trig_irq);
	return;
suppressed:
	atomic64_inc(&s->trig_suppressed);
}

void __godiag_trigger_syscall(struct godiag_session *s, const struct godiag_rec_syscall *rec)
{
	const struct godiag_triggers *t = rcu_dereference(s->triggers);
	unsigned int i;

	if (!t || rec->duration_ns <= t->sys_min_ns)
		return;
	for (i = 0; i < t->n; i++) {
		const struct godiag_trigger *e = &t->v[i];

		if (e->kind != GODIAG_TRIG_SYSCALL || rec->duration_ns <= e->min_ns ||
		    (e->arg != GODIAG_TRIG_ANY_SYSCALL && e->arg != rec->nr))
			continue;
		fire(s, t, e->index, rec, sizeof(*rec), rec->hdr.ts_ns);
		return;
	}
}

void __godiag_trigger_break(struct godiag_session *s, const struct godiag_rec_break *rec)
{
	const struct godiag_triggers *t = rcu_dereference(s->triggers);
	unsigned int i;

	if (!t || !t->has_break || rec->is_ret)
		return;
	for (i = 0; i < t->n; i++) {
		const struct godiag_trigger *e = &t->v[i];

		if (e->kind != GODIAG_TRIG_BREAK || e->arg != rec->probe_id)
			continue;
		fire(s, t, e->index, rec, sizeof(*rec), rec->hdr.ts_ns);
		return;
	}
}

/* ---- from the handler to process context ------------------------------ */

/*
 * Runs from the interrupt the irq_work raises (on PREEMPT_RT, its
 * thread). The session is alive: godiag_session_stop() waits for this
 * before the session can be destroyed. The work holds a reference.
 */
static void trig_irq_fn(struct irq_work *w)
{
	struct godiag_session *s = container_of(w, struct godiag_session, trig_irq);

	kref_get(&s->ref);
	if (!queue_work(godiag_wq, &s->trig_work))
		godiag_session_put(s);
}

static void trig_work_fn(struct work_struct *w)
{
	struct godiag_session *s = container_of(w, struct godiag_session, trig_work);
	struct godiag_trig_event ev = s->trig_ev;

	clear_bit_unlock(SLOT_BUSY, &s->trig_busy);
	mutex_lock(&godiag_mutex);
	if (!READ_ONCE(s->dead)) {
		s->trig_last_index = ev.index;
		s->trig_last_ts = ev.ts;
		godiag_netlink_trigger(s, &ev);
	}
	mutex_unlock(&godiag_mutex);
	godiag_session_put(s);
}

void godiag_triggers_init(struct godiag_session *s)
{
	init_irq_work(&s->trig_irq, trig_irq_fn);
	INIT_WORK(&s->trig_work, trig_work_fn);
	atomic64_set(&s->trig_next_ns, 0);
}

/* No handler runs any more (godiag_session_stop() waited for them). */
void godiag_triggers_sync(struct godiag_session *s)
{
	irq_work_sync(&s->trig_irq);
}

/* The session's last reference: nothing can use the table. */
void godiag_triggers_release(struct godiag_session *s)
{
	irq_work_sync(&s->trig_irq);
	triggers_free(rcu_dereference_protected(s->triggers, true));
}

/* ---- the table, from netlink ------------------------------------------ */

static int check_entry(struct godiag_session *s, const struct godiag_trigger *e,
		       unsigned int i, struct nlattr *a, struct netlink_ext_ack *extack)
{
	const char *why = NULL;

	if (e->kind == GODIAG_TRIG_UNSPEC || e->kind > GODIAG_TRIG_MAX)
		why = "unknown trigger kind";
	else if (e->reserved)
		why = "reserved bytes must be zero";
	else if (e->index >= GODIAG_TRIGGERS_MAX)
		why = "trigger index out of range";
	else if (e->kind == GODIAG_TRIG_USER && (e->arg || e->min_ns))
		why = "a tool's trigger has no argument";
	else if (e->kind == GODIAG_TRIG_SYSCALL && !(s->events & GODIAG_EV_SYSCALL))
		why = "a syscall trigger needs a recorder of syscalls";
	else if (e->kind == GODIAG_TRIG_SYSCALL && e->arg != GODIAG_TRIG_ANY_SYSCALL &&
		 e->arg >= GODIAG_SYSCALL_MAX)
		why = "syscall number out of range";
	else if (e->kind == GODIAG_TRIG_BREAK && e->min_ns)
		why = "a breakpoint trigger has no duration";
	else if (e->kind == GODIAG_TRIG_BREAK && !godiag_probe_is_break(s, e->arg))
		why = "no breakpoint probe with that id in the session";
	if (!why)
		return 0;
	NL_SET_ERR_MSG_FMT(extack, "trigger entry %u: %s", i, why);
	NL_SET_BAD_ATTR(extack, a);
	return -EINVAL;
}

/* Texts: NUL-ended strings, nothing after the last NUL. */
static int check_texts(struct nlattr *a, struct netlink_ext_ack *extack)
{
	const char *p = nla_data(a);
	int len = nla_len(a);

	if (!len || p[len - 1] == '\0')
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, a, "trigger texts must end with a NUL");
	return -EINVAL;
}

static struct godiag_triggers *table_new(struct godiag_session *s, struct nlattr **a,
					 struct netlink_ext_ack *extack)
{
	struct nlattr *ta = a[GODIAG_A_TRIGGERS], *xa = a[GODIAG_A_TRIGGER_TEXTS];
	unsigned int i, n = nla_len(ta) / sizeof(struct godiag_trigger);
	struct godiag_triggers *t;
	int ret;

	if (nla_len(ta) % sizeof(struct godiag_trigger)) {
		NL_SET_ERR_MSG_ATTR(extack, ta, "not a whole number of triggers");
		return ERR_PTR(-EINVAL);
	}
	if (xa) {
		ret = check_texts(xa, extack);
		if (ret)
			return ERR_PTR(ret);
	}
	t = godiag_alloc(kzalloc(struct_size(t, v, n), GFP_KERNEL));
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->n = n;
	t->sys_min_ns = U64_MAX;
	t->cooldown_ns = (u64)GODIAG_COOLDOWN_DEFAULT_MS * NSEC_PER_MSEC;
	if (a[GODIAG_A_TRIGGER_COOLDOWN_MS])
		t->cooldown_ns = (u64)nla_get_u32(a[GODIAG_A_TRIGGER_COOLDOWN_MS]) *
				 NSEC_PER_MSEC;
	memcpy(t->v, nla_data(ta), n * sizeof(*t->v));
	for (i = 0; i < n; i++) {
		ret = check_entry(s, &t->v[i], i, ta, extack);
		if (ret) {
			triggers_free(t);
			return ERR_PTR(ret);
		}
		if (t->v[i].kind == GODIAG_TRIG_SYSCALL)
			t->sys_min_ns = min(t->sys_min_ns, t->v[i].min_ns);
		t->has_break |= t->v[i].kind == GODIAG_TRIG_BREAK;
	}
	if (xa && nla_len(xa)) {
		t->texts = godiag_alloc(kmemdup(nla_data(xa), nla_len(xa), GFP_KERNEL));
		if (!t->texts) {
			triggers_free(t);
			return ERR_PTR(-ENOMEM);
		}
		t->texts_len = nla_len(xa);
	}
	return t;
}

int godiag_triggers_set(struct godiag_session *s, struct nlattr **a,
			struct netlink_ext_ack *extack)
{
	struct godiag_triggers *t = NULL, *old;

	lockdep_assert_held(&godiag_mutex);
	if (!s->name[0]) {
		NL_SET_ERR_MSG_FMT(extack, "session %u is not a flight recorder: no triggers",
				   s->id);
		return -EINVAL;
	}
	if (!a[GODIAG_A_TRIGGERS] &&
	    (a[GODIAG_A_TRIGGER_COOLDOWN_MS] || a[GODIAG_A_TRIGGER_TEXTS])) {
		NL_SET_ERR_MSG(extack, "a cooldown or texts come with a trigger table");
		return -EINVAL;
	}
	if (!a[GODIAG_A_TRIGGERS] && !a[GODIAG_A_TRIGGER_WATCHER]) {
		NL_SET_ERR_MSG(extack, "missing attribute: triggers or watcher");
		return -EINVAL;
	}
	if (a[GODIAG_A_TRIGGERS] && nla_len(a[GODIAG_A_TRIGGERS])) {
		t = table_new(s, a, extack);
		if (IS_ERR(t))
			return PTR_ERR(t);
	}
	if (a[GODIAG_A_TRIGGER_WATCHER])
		s->trig_watcher = nla_get_u32(a[GODIAG_A_TRIGGER_WATCHER]);
	if (!a[GODIAG_A_TRIGGERS])
		return 0;
	old = rcu_dereference_protected(s->triggers, lockdep_is_held(&godiag_mutex));
	rcu_assign_pointer(s->triggers, t);
	atomic64_set(&s->trig_next_ns, 0);
	if (old)
		call_rcu(&old->rcu, triggers_free_rcu);
	return 0;
}

int godiag_trigger_fire(struct godiag_session *s, u32 index,
			struct netlink_ext_ack *extack)
{
	const struct godiag_triggers *t;
	unsigned int i;

	lockdep_assert_held(&godiag_mutex);
	t = rcu_dereference_protected(s->triggers, lockdep_is_held(&godiag_mutex));
	for (i = 0; t && i < t->n; i++)
		if (t->v[i].kind == GODIAG_TRIG_USER && t->v[i].index == index)
			break;
	if (!t || i == t->n) {
		NL_SET_ERR_MSG_FMT(extack, "recorder %s has no tool's trigger %u", s->name, index);
		return -ENOENT;
	}
	if (s->state != GODIAG_STATE_RUNNING) {
		NL_SET_ERR_MSG_FMT(extack, "recorder %s is not running", s->name);
		return -EINVAL;
	}
	fire(s, t, index, NULL, 0, ktime_get_ns());
	return 0;
}

/* A recorder's triggers in a dump (godiag_mutex held). */
int godiag_triggers_fill(struct sk_buff *skb, struct godiag_session *s)
{
	const struct godiag_triggers *t;

	t = rcu_dereference_protected(s->triggers, lockdep_is_held(&godiag_mutex));
	if (s->trig_watcher && nla_put_u32(skb, GODIAG_A_TRIGGER_WATCHER, s->trig_watcher))
		return -EMSGSIZE;
	if (!t)
		return 0;
	if (nla_put(skb, GODIAG_A_TRIGGERS, t->n * sizeof(*t->v), t->v) ||
	    nla_put_u32(skb, GODIAG_A_TRIGGER_COOLDOWN_MS,
			div_u64(t->cooldown_ns, NSEC_PER_MSEC)) ||
	    (t->texts_len && nla_put(skb, GODIAG_A_TRIGGER_TEXTS, t->texts_len, t->texts)) ||
	    nla_put_u64_64bit(skb, GODIAG_A_TRIGGERS_FIRED, atomic64_read(&s->trig_fired),
			      GODIAG_A_PAD) ||
	    nla_put_u64_64bit(skb, GODIAG_A_TRIGGERS_SUPPRESSED,
			      atomic64_read(&s->trig_suppressed), GODIAG_A_PAD) ||
	    (s->trig_last_ts &&
	     (nla_put_u32(skb, GODIAG_A_TRIGGER_INDEX, s->trig_last_index) ||
	      nla_put_u64_64bit(skb, GODIAG_A_TRIGGER_TS, s->trig_last_ts, GODIAG_A_PAD))))
		return -EMSGSIZE;
	return 0;
}
