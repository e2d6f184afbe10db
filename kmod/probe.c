// SPDX-License-Identifier: GPL-2.0
/*
 * Uprobes on a target's binary, and the goroutine events they record.
 *
 * godiagctl works out where to probe (file offsets of runtime.execute,
 * gopark, ...) and how runtime.g is laid out; the module only places
 * plain uprobes and reads what it was told to read. Never a uretprobe:
 * it rewrites return addresses, which Go's stack copying cannot bear.
 *
 * A probe belongs to one target and is armed only in the address space
 * the target had when the probe was added (the consumer's filter keeps
 * the breakpoint out of every other process that maps the same file, and
 * the handler checks again, because another consumer of the same uprobe
 * may have armed it there). It is removed when its target goes: detach,
 * exit, session end, unload. Handlers read user memory only with
 * copy_from_user_nofault(), so a bad pointer flags the record instead of
 * faulting.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/namei.h>
#include <linux/netlink.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/genetlink.h>
#include <asm/processor-flags.h>

#include "faults.h"
#include "godiag.h"
#include "insn.h"

struct godiag_probe {
	struct list_head node;		/* in session->probes */
	struct godiag_session *session;
	struct godiag_target *target;	/* holds a reference */
	struct mm_struct *mm;		/* mmgrab()bed: compared, never used */
	struct path path;		/* keeps the inode the uprobe sits on */
	struct godiag_uprobe up;
	bool registered;		/* the uprobe is placed (running or ready) */
	bool fresh;			/* placed by the current godiag_probes_arm() */
	u32 id;
	u32 kind;
	u8 arg_reg, g_reg;
	s8 jcc;				/* GODIAG_A_PROBE_JCC, -1: none */
	struct godiag_go_layout layout;
	struct godiag_probe_stats __percpu *stats;
	struct godiag_break *brk;	/* breakpoint kinds, else NULL */
};

/* ---- the handler ---------------------------------------------------- */

/* Whether a jump with condition code @cc is taken, as the CPU decides it. */
static bool jcc_taken(unsigned long flags, u8 cc)
{
	bool cf = flags & X86_EFLAGS_CF, zf = flags & X86_EFLAGS_ZF;
	bool sf = flags & X86_EFLAGS_SF, of = flags & X86_EFLAGS_OF;
	bool pf = flags & X86_EFLAGS_PF;
	/* jo, jb, je, jbe, js, jp, jl, jle; an odd code is the negation. */
	const bool cond[8] = { of, cf, zf, cf || zf, sf, pf, sf != of, zf || sf != of };

	return cond[(cc >> 1) & 7] != (cc & 1);
}

/* One 8-byte field of a g. 0 when @off is 0 (absent) or the read fails. */
static u64 read_g(struct godiag_probe *p, unsigned long g, u16 off, u16 *flags)
{
	u64 v;

	if (!off)
		return 0;
	if (copy_from_user_nofault(&v, (const void __user *)(g + off), sizeof(v))) {
		*flags |= GODIAG_RF_FAULT;
		this_cpu_inc(p->stats->faults);
		return 0;
	}
	return v;
}

/* The event as the handler saw it, before it goes into the buffer. */
struct go_event {
	u16 type;
	u16 flags;
	u64 goid, other, pc, start_pc;
	u32 reason;
};

static void read_event(struct godiag_probe *p, struct pt_regs *regs,
		       struct godiag_thread *th, struct go_event *ev)
{
	const struct godiag_go_layout *l = &p->layout;
	unsigned long g;

	switch (p->kind) {
	case GODIAG_PROBE_GO_CREATE:
		g = godiag_reg_value(regs, p->arg_reg);
		ev->type = GODIAG_REC_GO_CREATE;
		ev->goid = read_g(p, g, l->g_goid, &ev->flags);
		ev->pc = read_g(p, g, l->g_gopc, &ev->flags);
		ev->start_pc = read_g(p, g, l->g_startpc, &ev->flags);
		/* Before Go 1.21 a g does not name its parent: the thread does. */
		ev->other = l->g_parent_goid ?
			read_g(p, g, l->g_parent_goid, &ev->flags) :
			(th ? th->goid : 0);
		break;
	case GODIAG_PROBE_GO_START:
		ev->type = GODIAG_REC_GO_START;
		ev->goid = read_g(p, godiag_reg_value(regs, p->arg_reg), l->g_goid, &ev->flags);
		break;
	case GODIAG_PROBE_GO_PARK:
		ev->type = GODIAG_REC_GO_PARK;
		ev->goid = read_g(p, godiag_reg_value(regs, p->g_reg), l->g_goid, &ev->flags);
		ev->reason = godiag_reg_value(regs, p->arg_reg) & 0xff;	/* a uint8 */
		break;
	case GODIAG_PROBE_GO_READY:
		ev->type = GODIAG_REC_GO_READY;
		ev->goid = read_g(p, godiag_reg_value(regs, p->arg_reg), l->g_goid, &ev->flags);
		ev->other = th ? th->goid : 0;
		break;
	default:
		ev->type = GODIAG_REC_GO_EXIT;
		ev->goid = read_g(p, godiag_reg_value(regs, p->g_reg), l->g_goid, &ev->flags);
		break;
	}
}

/* Which goroutine the thread runs after the event: syscalls carry it. */
static void track_thread(struct godiag_thread *th, const struct go_event *ev)
{
	if (!th)
		return;
	if (ev->type == GODIAG_REC_GO_START)
		WRITE_ONCE(th->goid, ev->goid);
	else if (ev->type == GODIAG_REC_GO_PARK || ev->type == GODIAG_REC_GO_EXIT)
		WRITE_ONCE(th->goid, 0);
}

static void write_event(struct godiag_session *s, const struct go_event *ev,
			u64 running)
{
	struct godiag_rec_go *rec;

	preempt_disable_notrace();
	rec = (void *)godiag_event_reserve(s, ev->type, sizeof(*rec), ktime_get_ns());
	if (rec) {
		rec->hdr.flags = ev->flags;
		rec->hdr.goid = running;
		rec->goid = ev->goid;
		rec->other_goid = ev->other;
		rec->pc = ev->pc;
		rec->start_pc = ev->start_pc;
		rec->reason = ev->reason;
		rec->reserved = 0;
	}
	godiag_event_commit(s);
	preempt_enable_notrace();
}

static int probe_handler(struct uprobe_consumer *uc, struct pt_regs *regs)
{
	struct godiag_probe *p = container_of(uc, struct godiag_probe, up.uc);
	struct godiag_session *s = p->session;
	struct godiag_thread *th;
	struct go_event ev = {};
	u64 running;

	/*
	 * Another address space: a child the target forked without exec,
	 * whose copy of the text came with the breakpoint, or a process in
	 * which another consumer of this uprobe armed it. Ask for it to go
	 * from this mm: the kernel takes it out of current->mm only, and only
	 * if every consumer asks (6.12 asks the filters again too, and ours
	 * keeps the target's mm), so the target keeps its own breakpoint.
	 */
	if (current->mm != p->mm)
		return UPROBE_HANDLER_REMOVE;
	/* The stack check failed: the function starts again after morestack. */
	if (p->jcc >= 0 && jcc_taken(regs->flags, p->jcc))
		return 0;
	/* Pairs with synchronize_rcu() in godiag_session_stop(). */
	rcu_read_lock();
	if (!READ_ONCE(s->active))
		goto out;
	if (p->brk) {
		godiag_break_hit(p->brk, regs);
		goto out;
	}
	if (!(s->events & GODIAG_EV_GOROUTINE))
		goto out;
	this_cpu_inc(p->stats->passes);
	this_cpu_inc(p->stats->hits);
	th = godiag_thread_get(p->target, current->pid, true);
	running = th ? READ_ONCE(th->goid) : 0;
	read_event(p, regs, th, &ev);
	track_thread(th, &ev);
	write_event(s, &ev, running);
out:
	rcu_read_unlock();
	return 0;
}

static bool probe_filter(GODIAG_UPROBE_FILTER_ARGS)
{
	struct godiag_probe *p = container_of(uc, struct godiag_probe, up.uc);

	return mm == p->mm;
}

/* ---- adding and removing -------------------------------------------- */

static void probe_free(struct godiag_probe *p)
{
	if (p->target)
		godiag_target_put(p->target);
	if (p->mm)
		mmdrop(p->mm);
	godiag_break_free(p->brk);
	path_put(&p->path);
	free_percpu(p->stats);
	kfree(p);
}

/* kernel_read() until @len bytes, the end of the file, or an error. */
static long probe_read(void *arg, unsigned long long pos, unsigned char *buf,
		       size_t len)
{
	loff_t off = pos;
	size_t done = 0;
	ssize_t n;

	cond_resched();
	while (done < len) {
		n = kernel_read(arg, buf + done, len - done, &off);
		if (n < 0)
			return n;
		if (!n)
			break;
		done += n;
	}
	return done;
}

/* Why the walk from the function's entry refused spec->offset. */
static int walk_refused(int r, const struct godiag_walk *w, struct netlink_ext_ack *extack)
{
	switch (r) {
	case GODIAG_WALK_INSIDE:
		NL_SET_ERR_MSG_FMT(extack, "offset %#llx is inside the instruction at %#llx (%u bytes)",
				   w->target, w->at, w->insn.len);
		break;
	case GODIAG_WALK_BAD:
		NL_SET_ERR_MSG_FMT(extack, "no instruction godiag knows at %#llx (function at %#llx)",
				   w->at, w->func);
		break;
	default:
		NL_SET_ERR_MSG_FMT(extack, "the file ends inside the instruction at %#llx",
				   w->at);
		break;
	}
	return -EINVAL;
}

/*
 * The probe must sit where an instruction starts: decode the file from
 * the function's entry up to it (insn.c), reading it as the caller (who
 * must be allowed to). With PROBE_JCC it must be that conditional jump.
 */
static int probe_check_insn(struct godiag_probe *p, const struct godiag_probe_spec *spec,
			    struct netlink_ext_ack *extack)
{
	struct godiag_walk w = { .func = spec->func_offset, .target = spec->offset };
	unsigned char buf[256];
	struct file *f;
	int r;

	r = path_permission(&p->path, MAY_READ);
	if (r) {
		NL_SET_ERR_MSG_FMT(extack, "cannot read %s: error %d", spec->path, r);
		return r;
	}
	f = dentry_open(&p->path, O_RDONLY | O_LARGEFILE, current_cred());
	if (IS_ERR(f)) {
		NL_SET_ERR_MSG_FMT(extack, "cannot open %s: error %ld", spec->path, PTR_ERR(f));
		return PTR_ERR(f);
	}
	r = godiag_insn_walk(&w, probe_read, f, buf, sizeof(buf));
	fput(f);
	if (r < 0) {
		NL_SET_ERR_MSG_FMT(extack, "cannot read %s: error %d", spec->path, r);
		return r;
	}
	if (r != GODIAG_WALK_START)
		return walk_refused(r, &w, extack);
	/* Its own condition or the negation (cc ^ 1): falls through or jumps. */
	if (spec->jcc >= 0 && (!w.insn.jcc || (w.insn.cc | 1) != (spec->jcc | 1))) {
		NL_SET_ERR_MSG_FMT(extack,
				   "the instruction at %#llx is not a jump on condition %d or %d",
				   w.at, spec->jcc & ~1, spec->jcc | 1);
		return -EINVAL;
	}
	return 0;
}

static int probe_check(struct godiag_probe *p, const struct godiag_probe_spec *spec,
		       struct netlink_ext_ack *extack)
{
	struct inode *inode = p->up.inode;

	if (!S_ISREG(inode->i_mode)) {
		NL_SET_ERR_MSG_FMT(extack, "%s is not a regular file", spec->path);
		return -EINVAL;
	}
	if (spec->offset >= i_size_read(inode)) {
		NL_SET_ERR_MSG_FMT(extack, "offset %llu is beyond the end of %s",
				   spec->offset, spec->path);
		return -EINVAL;
	}
	if (spec->func_offset > spec->offset ||
	    spec->offset - spec->func_offset > GODIAG_PROBE_FUNC_SPAN_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "function offset %llu: not within 1 MiB before offset %llu",
				   spec->func_offset, spec->offset);
		return -EINVAL;
	}
	return probe_check_insn(p, spec, extack);
}

/* The address space the target has now: the one its probes arm. */
static struct mm_struct *target_mm(pid_t vpid, struct netlink_ext_ack *extack)
{
	struct task_struct *task;
	struct mm_struct *mm = NULL;

	rcu_read_lock();
	task = pid_task(find_vpid(vpid), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (task) {
		mm = get_task_mm(task);
		put_task_struct(task);
	}
	if (!mm) {
		NL_SET_ERR_MSG_FMT(extack, "process %d has exited", vpid);
		return NULL;
	}
	mmgrab(mm);
	mmput(mm);
	return mm;
}

static bool is_break(u32 kind)
{
	return kind == GODIAG_PROBE_BREAK || kind == GODIAG_PROBE_BREAK_RET;
}

static struct godiag_probe *probe_new(struct godiag_session *s,
				      const struct godiag_probe_spec *spec,
				      struct netlink_ext_ack *extack, int *ret)
{
	struct godiag_target *t = godiag_target_find(s, spec->vpid);
	struct godiag_probe *p;

	if (!t) {
		NL_SET_ERR_MSG_FMT(extack, "PID %d is not a target of session %u",
				   spec->vpid, s->id);
		*ret = -ENOENT;
		return NULL;
	}
	p = godiag_alloc(kzalloc(sizeof(*p), GFP_KERNEL));
	if (p)
		p->stats = godiag_alloc(alloc_percpu(struct godiag_probe_stats));
	if (!p || !p->stats) {
		kfree(p);
		*ret = -ENOMEM;
		return NULL;
	}
	*ret = kern_path(spec->path, LOOKUP_FOLLOW, &p->path);
	if (*ret) {
		NL_SET_ERR_MSG_FMT(extack, "cannot open %s: error %d", spec->path, *ret);
		free_percpu(p->stats);
		kfree(p);
		return NULL;
	}
	kref_get(&t->ref);
	p->target = t;
	p->session = s;
	p->kind = spec->kind;
	p->arg_reg = spec->arg_reg;
	p->g_reg = spec->g_reg;
	p->jcc = spec->jcc;
	p->layout = spec->layout;
	if (is_break(spec->kind)) {
		p->brk = godiag_break_new(spec, s, p->stats);
		if (!p->brk) {
			*ret = -ENOMEM;
			probe_free(p);
			return NULL;
		}
	}
	/* The inode the pages come from: overlayfs maps the layer's file. */
	p->up.inode = d_real_inode(p->path.dentry);
	p->up.offset = spec->offset;
	p->up.uc.handler = probe_handler;
	p->up.uc.filter = probe_filter;
	*ret = probe_check(p, spec, extack);
	if (!*ret) {
		p->mm = target_mm(spec->vpid, extack);
		if (!p->mm)
			*ret = -ESRCH;
	}
	/* Without CAP_SYS_ADMIN: may the caller ptrace the mm it would arm? */
	if (!*ret && spec->proof)
		*ret = godiag_proof_mm(spec->proof, p->mm, spec->vpid, extack);
	if (*ret) {
		probe_free(p);
		return NULL;
	}
	return p;
}

int godiag_probe_add(struct godiag_session *s, const struct godiag_probe_spec *spec,
		     struct netlink_ext_ack *extack)
{
	struct godiag_probe *p;
	int ret;

	lockdep_assert_held(&godiag_mutex);
	if (is_break(spec->kind) && !(s->events & GODIAG_EV_BREAKPOINT)) {
		NL_SET_ERR_MSG_FMT(extack, "session %u was created without breakpoint events",
				   s->id);
		return -EINVAL;
	}
	if (!is_break(spec->kind) && !(s->events & GODIAG_EV_GOROUTINE)) {
		NL_SET_ERR_MSG_FMT(extack, "session %u was created without goroutine events",
				   s->id);
		return -EINVAL;
	}
	if (s->nr_probes >= GODIAG_PROBES_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "session %u already has %u probes",
				   s->id, GODIAG_PROBES_MAX);
		return -ENOSPC;
	}
	p = probe_new(s, spec, extack, &ret);
	if (!p)
		return ret;
	/* Its records name it from the first hit on. */
	p->id = s->last_probe_id + 1;
	if (p->brk)
		godiag_break_set_id(p->brk, p->id);
	ret = godiag_uprobe_register(&p->up);
	if (ret) {
		NL_SET_ERR_MSG_FMT(extack, "cannot place a uprobe at offset %llu of %s: error %d",
				   spec->offset, spec->path, ret);
		probe_free(p);
		return ret;
	}
	s->last_probe_id = p->id;
	p->registered = true;
	list_add_tail(&p->node, &s->probes);
	s->nr_probes++;
	godiag_audit_probe_add(s, p->id, p->target->tgid, &p->path, spec);
	/*
	 * Placed to check that it can be; a stopped session has none placed
	 * (so this takes out the new one only).
	 */
	if (s->state == GODIAG_STATE_STOPPED)
		godiag_probes_disarm(s);
	godiag_lists_changed();
	return p->id;
}

/* Unregister the placed probes of @list, then wait for their handlers. */
static void probes_unregister(struct list_head *list)
{
	struct godiag_probe *p;
	bool any = false;

	list_for_each_entry(p, list, node) {
		if (!p->registered)
			continue;
		godiag_uprobe_unregister(&p->up);
		p->registered = false;
		any = true;
	}
	if (any)
		godiag_uprobe_sync();
}

/* Unregister every probe on @list, wait for their handlers, free them. */
static void probes_release(struct list_head *list)
{
	struct godiag_probe *p, *tmp;

	probes_unregister(list);
	list_for_each_entry_safe(p, tmp, list, node) {
		godiag_audit_probe_remove(p->session, p->id, p->target->tgid, p->kind,
					  p->up.offset);
		list_del(&p->node);
		probe_free(p);
	}
}

/*
 * Session stop: unregister every probe of @s, so the targets run without
 * breakpoints while nothing is recorded (uprobe_apply(), which could
 * disarm them in place, is not exported to modules). The probes stay,
 * unregistered; godiag_probes_arm() places them again.
 */
void godiag_probes_disarm(struct godiag_session *s)
{
	lockdep_assert_held(&godiag_mutex);
	probes_unregister(&s->probes);
}

/*
 * Session start: register the probes of @s that are not placed. If one
 * cannot be, those placed here are taken out again and the start fails.
 * Each waited for its handlers when it was unregistered, so its consumer
 * is no longer on any uprobe and may be registered again.
 */
int godiag_probes_arm(struct godiag_session *s, struct netlink_ext_ack *extack)
{
	struct godiag_probe *p;
	int ret = 0;

	lockdep_assert_held(&godiag_mutex);
	list_for_each_entry(p, &s->probes, node) {
		p->fresh = false;
		if (p->registered)
			continue;
		ret = godiag_uprobe_register(&p->up);
		if (ret) {
			NL_SET_ERR_MSG_FMT(extack,
					   "cannot place probe %u again (offset %llu of %pd): error %d",
					   p->id, (u64)p->up.offset, p->path.dentry, ret);
			break;
		}
		p->registered = true;
		p->fresh = true;
	}
	if (!ret)
		return 0;
	list_for_each_entry(p, &s->probes, node) {
		if (!p->fresh)
			continue;
		godiag_uprobe_unregister(&p->up);
		p->registered = false;
	}
	godiag_uprobe_sync();
	return ret;
}

/* Whether probe @id of the session is a breakpoint's entry (not a RET). */
bool godiag_probe_is_break(struct godiag_session *s, u32 id)
{
	struct godiag_probe *p;

	lockdep_assert_held(&godiag_mutex);
	list_for_each_entry(p, &s->probes, node)
		if (p->id == id)
			return p->kind == GODIAG_PROBE_BREAK;
	return false;
}

int godiag_probe_del(struct godiag_session *s, u32 id, struct netlink_ext_ack *extack)
{
	struct godiag_probe *p;
	LIST_HEAD(gone);

	lockdep_assert_held(&godiag_mutex);
	list_for_each_entry(p, &s->probes, node) {
		if (p->id != id)
			continue;
		list_move(&p->node, &gone);
		s->nr_probes--;
		probes_release(&gone);
		godiag_lists_changed();
		return 0;
	}
	NL_SET_ERR_MSG_FMT(extack, "session %u has no probe %u", s->id, id);
	return -ENOENT;
}

static void probe_totals(struct godiag_probe *p, struct godiag_probe_stats *t);

/*
 * What PROBE_GET still lists of a breakpoint whose target went: its
 * counters, final once its handlers are done. A capture of a command
 * reads them after the command exited.
 */
struct godiag_probe_final {
	struct list_head node;		/* in session->retired */
	u32 id, tgid, kind;
	struct godiag_probe_stats t;
};

static void probe_retire(struct godiag_session *s, struct godiag_probe *p)
{
	struct godiag_probe_final *f;

	if (!p->brk || s->nr_retired >= GODIAG_PROBES_MAX)
		return;
	f = godiag_alloc(kzalloc(sizeof(*f), GFP_KERNEL));
	if (!f)
		return;		/* only the counters are lost */
	f->id = p->id;
	f->tgid = p->target->tgid;
	f->kind = p->kind;
	probe_totals(p, &f->t);
	list_add_tail(&f->node, &s->retired);
	s->nr_retired++;
}

/* The session's last reference is gone: nobody else sees the list. */
void godiag_probes_free_retired(struct godiag_session *s)
{
	struct godiag_probe_final *f, *tmp;

	list_for_each_entry_safe(f, tmp, &s->retired, node) {
		list_del(&f->node);
		kfree(f);
	}
	s->nr_retired = 0;
}

/* @t leaves its session (detach, exit, session end): its probes go too. */
void godiag_probes_drop_target(struct godiag_target *t)
{
	struct godiag_session *s = t->session;
	struct godiag_probe *p, *tmp;
	LIST_HEAD(gone);

	lockdep_assert_held(&godiag_mutex);
	list_for_each_entry_safe(p, tmp, &s->probes, node) {
		if (p->target != t)
			continue;
		list_move(&p->node, &gone);
		s->nr_probes--;
	}
	/* Handlers done, the counters are final: keep the breakpoints'. */
	probes_unregister(&gone);
	list_for_each_entry(p, &gone, node)
		probe_retire(s, p);
	probes_release(&gone);
}

/* The session's lifetime passed (limits.c): every probe goes. */
void godiag_probes_drop_session(struct godiag_session *s)
{
	LIST_HEAD(gone);

	lockdep_assert_held(&godiag_mutex);
	list_splice_init(&s->probes, &gone);
	s->nr_probes = 0;
	probes_release(&gone);
}

/* ---- PROBE_GET ------------------------------------------------------ */

static void probe_totals(struct godiag_probe *p, struct godiag_probe_stats *t)
{
	int cpu;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		struct godiag_probe_stats *st = per_cpu_ptr(p->stats, cpu);

		t->passes += READ_ONCE(st->passes);
		t->filtered += READ_ONCE(st->filtered);
		t->sampled_out += READ_ONCE(st->sampled_out);
		t->rate_limited += READ_ONCE(st->rate_limited);
		t->hits += READ_ONCE(st->hits);
		t->faults += READ_ONCE(st->faults);
	}
}

static int put_counters(struct sk_buff *skb, const struct godiag_probe_stats *t)
{
	if (nla_put_u64_64bit(skb, GODIAG_A_PROBE_HITS, t->hits, GODIAG_A_PAD) ||
	    nla_put_u64_64bit(skb, GODIAG_A_PROBE_FAULTS, t->faults, GODIAG_A_PAD) ||
	    nla_put_u64_64bit(skb, GODIAG_A_PROBE_PASSES, t->passes, GODIAG_A_PAD) ||
	    nla_put_u64_64bit(skb, GODIAG_A_PROBE_FILTERED, t->filtered, GODIAG_A_PAD) ||
	    nla_put_u64_64bit(skb, GODIAG_A_PROBE_SAMPLED_OUT, t->sampled_out,
			      GODIAG_A_PAD) ||
	    nla_put_u64_64bit(skb, GODIAG_A_PROBE_RATE_LIMITED, t->rate_limited,
			      GODIAG_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* The retired breakpoint at position @idx after the live probes. */
static int retired_fill(struct sk_buff *skb, struct godiag_session *s, unsigned long idx)
{
	struct godiag_probe_final *f;

	list_for_each_entry(f, &s->retired, node) {
		if (idx--)
			continue;
		if (nla_put_u32(skb, GODIAG_A_SESSION_ID, s->id) ||
		    nla_put_u32(skb, GODIAG_A_PROBE_ID, f->id) ||
		    nla_put_u32(skb, GODIAG_A_PID, f->tgid) ||
		    nla_put_u32(skb, GODIAG_A_PROBE_KIND, f->kind) ||
		    put_counters(skb, &f->t))
			return -EMSGSIZE;
		return 0;
	}
	return -ENOENT;
}

/*
 * Puts the attributes of the probe at position @idx of @s: the live
 * probes, then the retired breakpoints. Returns 0, -ENOENT past the
 * last, or -EMSGSIZE.
 */
int godiag_probe_fill(struct sk_buff *skb, struct godiag_session *s, unsigned long idx)
{
	struct godiag_probe_stats t;
	struct godiag_probe *p;

	lockdep_assert_held(&godiag_mutex);
	list_for_each_entry(p, &s->probes, node) {
		if (idx--)
			continue;
		probe_totals(p, &t);
		if (nla_put_u32(skb, GODIAG_A_SESSION_ID, s->id) ||
		    nla_put_u32(skb, GODIAG_A_PROBE_ID, p->id) ||
		    nla_put_u32(skb, GODIAG_A_PID, p->target->tgid) ||
		    nla_put_u32(skb, GODIAG_A_PROBE_KIND, p->kind) ||
		    nla_put_u64_64bit(skb, GODIAG_A_PROBE_OFFSET, p->up.offset, GODIAG_A_PAD) ||
		    put_counters(skb, &t) ||
		    (p->jcc >= 0 && nla_put_u8(skb, GODIAG_A_PROBE_JCC, p->jcc)))
			return -EMSGSIZE;
		return 0;
	}
	return retired_fill(skb, s, idx);
}
