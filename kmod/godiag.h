/* SPDX-License-Identifier: GPL-2.0 */
/* Module-wide objects and the functions the files of kmod/ share. */
#ifndef GODIAG_H
#define GODIAG_H

#include <linux/hash.h>
#include <linux/irq_work.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "godiag_abi.h"
#include "godiag_version.h"
#include "ringbuf.h"

struct file;
struct genl_info;
struct mm_struct;
struct netlink_callback;
struct netlink_ext_ack;
struct path;
struct pt_regs;
struct sk_buff;
struct task_struct;

/* Who sent a request or uses /dev/godiag, as the permission checks see it. */
struct godiag_caller {
	kuid_t euid;
	bool admin;			/* CAP_SYS_ADMIN; else CAP_PERFMON */
};

/*
 * godiag_mutex serialises all configuration: sessions, targets, tracepoint
 * registration. Event handlers never take it; they see sessions and
 * targets through RCU.
 */
extern struct mutex godiag_mutex;
extern struct workqueue_struct *godiag_wq;

/* A trigger that fired, on its way to the notify group (trigger.c). */
struct godiag_triggers;
struct godiag_trig_event {
	u32 index;
	u32 len;			/* bytes of rec */
	u64 ts;
	u8 rec[sizeof(struct godiag_rec_syscall)];
};

struct godiag_session {
	u32 id;
	struct kref ref;
	struct list_head node;		/* in godiag_sessions */
	struct list_head targets;	/* struct godiag_target.node */
	unsigned int nr_targets;

	u32 bufsize;
	u8 mode;
	u8 state;			/* enum godiag_state */
	bool active;			/* handlers record only when set */
	bool dead;			/* destroyed; readers drain then EOF */
	bool syscalls_on;		/* holds a syscall tracepoint reference */
	u32 events;
	u32 owner_portid;		/* 0: not owned by a socket */
	kuid_t creator_euid;		/* who may see it without CAP_SYS_ADMIN */
	bool creator_admin;		/* created with CAP_SYS_ADMIN: admins only */

	unsigned long syscall_mask[BITS_TO_LONGS(GODIAG_SYSCALL_MAX)];
	u64 syscall_min_ns;

	struct list_head probes;	/* struct godiag_probe.node */
	unsigned int nr_probes;
	u32 last_probe_id;
	/* Final counters of breakpoints whose target went (probe.c). */
	struct list_head retired;
	unsigned int nr_retired;

	struct godiag_rb **rbs;		/* [nr_cpu_ids], possible CPUs only */
	wait_queue_head_t wq;
	struct timer_list wake_timer;
	struct irq_work wake_work;	/* a buffer passed its fill level */
	struct mutex read_lock;
	unsigned int read_cpu;		/* where the last read() started (read_lock) */
	atomic_t readers;

	char name[GODIAG_NAME_MAX];	/* a flight recorder's; "" for others */
	u32 window_ms;			/* a recorder's window, for the tools */
	bool persistent;		/* a recorder that outlives its targets */

	/* Triggers (trigger.c): the table, read by handlers through RCU. */
	struct godiag_triggers __rcu *triggers;
	atomic64_t trig_next_ns;	/* a match before this is suppressed */
	unsigned long trig_busy;	/* bit 0: trig_ev is taken */
	struct godiag_trig_event trig_ev;
	struct irq_work trig_irq;
	struct work_struct trig_work;	/* holds a reference while queued */
	atomic64_t trig_fired;
	atomic64_t trig_suppressed;
	u32 trig_last_index;		/* of the last one sent (godiag_mutex) */
	u64 trig_last_ts;
	u32 trig_watcher;		/* the tool's watcher pid, for dumps */

	u32 max_lifetime_ms;		/* 0: none (limits.c) */
	bool expired;			/* stopped at its maximum lifetime */
	struct delayed_work expire_work; /* holds a reference while queued */
};

/* One (session, tgid) the user asked for, with the children it follows. */
struct godiag_target {
	struct list_head node;		/* in session->targets */
	struct godiag_session *session;
	pid_t tgid;
	struct pid *pid;		/* the root's: names it once it is reaped */
	u32 flags;			/* GODIAG_TF_* */
	struct kref ref;		/* session list + queued exit work */
	atomic_t nr_procs;		/* the root and followed children alive */
	bool gone;			/* unlinked from the session */
	bool unhashed;			/* being removed: no node joins (pid_lock) */
	struct work_struct exit_work;
	struct rcu_work free_work;
	struct hlist_head nodes;	/* its godiag_pid_nodes (pid_lock) */
	struct hlist_head pool;		/* spare nodes for children (pid_lock) */
	unsigned int pool_n;
	struct work_struct refill_work;
	u32 exit_code;
	atomic64_t procs_missed;	/* children not followed (no memory) */

	struct godiag_thread *threads;	/* per-thread state, open addressing */
	atomic64_t threads_dropped;	/* events lost to a full table */
	struct godiag_sc_hist *hist;	/* [GODIAG_SYSCALL_MAX] or NULL */
	char comm[TASK_COMM_LEN];	/* when added, for the audit trail */
};

/* Maps a traced tgid to its target; one per (session, process). */
struct godiag_pid_node {
	struct hlist_node node;		/* in godiag_pid_hash */
	struct hlist_node tnode;	/* in target->nodes, or its pool */
	pid_t tgid;
	struct godiag_target *target;
	bool revoked;			/* exec'd a privileged program: not recorded */
	struct rcu_head rcu;
};

#define GODIAG_PID_HASH_BITS	10
extern struct hlist_head godiag_pid_hash[1 << GODIAG_PID_HASH_BITS];

/* The bucket to walk (under rcu_read_lock()) for the nodes of @tgid. */
static inline struct hlist_head *godiag_pid_bucket(pid_t tgid)
{
	return &godiag_pid_hash[hash_32(tgid, GODIAG_PID_HASH_BITS)];
}

/* What a breakpoint reads and when it records (godiag_abi.h), checked. */
struct godiag_break_conf {
	struct godiag_break_word words[GODIAG_BREAK_WORDS_MAX];
	struct godiag_break_cond cond;
	u8 nwords;
	u8 nstack;
	bool has_cond;
	bool at_entry;
	u32 strlen;
	u32 slice_elems;		/* of a GODIAG_BW_SLICE word */
	u32 every;			/* 1: every hit */
	u32 max_rate;			/* 0: no limit */
};

/* Counters of one probe, per CPU. */
struct godiag_probe_stats {
	u64 passes;			/* hits, before conditions */
	u64 filtered;
	u64 sampled_out;
	u64 rate_limited;
	u64 hits;			/* records written or lost to a full buffer */
	u64 faults;
};

/* A breakpoint probe's state, for its handler (breakpoint.c). */
struct godiag_break;

/* What PROBE_ADD asks for, checked against the policy already. */
struct godiag_probe_spec {
	pid_t vpid;
	u32 kind;			/* GODIAG_PROBE_* */
	const char *path;
	u64 offset;
	u64 func_offset;		/* entry of the function it is in */
	struct file *proof;		/* /proc/PID/mem, NULL for CAP_SYS_ADMIN */
	u8 arg_reg, g_reg;		/* GODIAG_REG_* */
	s8 jcc;				/* condition code, -1: none */
	struct godiag_go_layout layout;
	const struct godiag_break_conf *brk;	/* GODIAG_PROBE_BREAK, else NULL */
	const char *break_spec;		/* GODIAG_A_BREAK_SPEC (audit only), or NULL */
};

/* What a handler knows about the thread it runs on. */
struct godiag_thread {
	int tid;			/* 0 free, -1 freed (keeps probe chains) */
	u32 sc_nr;
	u64 sc_enter_ns;		/* 0: not in a traced syscall */
	u64 goid;
};

struct godiag_sc_hist {
	atomic64_t count;
	atomic64_t total_ns;
	atomic64_t max_ns;
	atomic64_t errors;
	atomic64_t buckets[GODIAG_HIST_BUCKETS];
};

/* main.c */
extern struct list_head godiag_sessions;

/* session.c */
struct godiag_session *godiag_session_new(u32 bufsize, u8 mode, u32 events,
					  u32 owner_portid,
					  const struct godiag_caller *creator,
					  struct netlink_ext_ack *extack);
struct godiag_session *godiag_session_find(u32 id);
struct godiag_session *godiag_session_find_name(const char *name);
void godiag_session_put(struct godiag_session *s);
void godiag_session_destroy(struct godiag_session *s);
int godiag_session_start(struct godiag_session *s, struct netlink_ext_ack *extack);
void godiag_session_stop(struct godiag_session *s);
void godiag_sessions_release_owner(u32 portid);
void godiag_sessions_destroy_all(void);
unsigned int godiag_sessions_count(void);
bool godiag_sessions_owned(void);
void godiag_lists_changed(void);
u32 godiag_generation(void);
bool godiag_session_readable(struct godiag_session *s);
bool godiag_session_eof(struct godiag_session *s);

struct godiag_rec *godiag_event_reserve(struct godiag_session *s, u16 type,
					u16 size, u64 ts);
void godiag_event_commit(struct godiag_session *s);

/* target.c */
int godiag_targets_init(void);
void godiag_targets_exit(void);
int godiag_target_add(struct godiag_session *s, pid_t vpid, u32 flags,
		      struct file *proof, struct netlink_ext_ack *extack);
int godiag_target_del(struct godiag_session *s, pid_t vpid,
		      struct netlink_ext_ack *extack);
void godiag_target_unlink_all(struct godiag_session *s);
void godiag_target_put(struct godiag_target *t);
struct godiag_thread *godiag_thread_get(struct godiag_target *t, int tid,
					bool create);
void godiag_notify_target_exit(struct godiag_target *t);
struct godiag_target *godiag_target_find(struct godiag_session *s, pid_t vpid);

/* probe.c */
int godiag_probe_add(struct godiag_session *s, const struct godiag_probe_spec *spec,
		     struct netlink_ext_ack *extack);
int godiag_probe_del(struct godiag_session *s, u32 id, struct netlink_ext_ack *extack);
void godiag_probes_drop_target(struct godiag_target *t);
int godiag_probes_arm(struct godiag_session *s, struct netlink_ext_ack *extack);
void godiag_probes_disarm(struct godiag_session *s);
int godiag_probe_fill(struct sk_buff *skb, struct godiag_session *s, unsigned long idx);
void godiag_probes_free_retired(struct godiag_session *s);

/* breakpoint.c */
struct godiag_break *godiag_break_new(const struct godiag_probe_spec *spec,
				      struct godiag_session *s,
				      struct godiag_probe_stats __percpu *stats);
void godiag_break_set_id(struct godiag_break *b, u32 id);
void godiag_break_free(struct godiag_break *b);
void godiag_break_hit(struct godiag_break *b, struct pt_regs *regs);
u32 godiag_break_rec_max(const struct godiag_break_conf *c);

/* syscalls.c */
int godiag_syscalls_init(void);
int godiag_syscalls_get(void);
void godiag_syscalls_put(void);
void godiag_syscalls_exit(void);

/* netlink.c */
int godiag_netlink_init(void);
void godiag_netlink_exit(void);
void godiag_netlink_target_exit(struct godiag_target *t);

/* device.c */
int godiag_device_init(void);
void godiag_device_exit(void);

/* perm.c */
int godiag_perm_init(void);
void godiag_perm_exit(void);
int godiag_caller_netlink(const struct sk_buff *skb, struct godiag_caller *c,
			  struct netlink_ext_ack *extack);
int godiag_caller_current(struct godiag_caller *c);
bool godiag_session_visible(const struct godiag_session *s,
			    const struct godiag_caller *c);
int godiag_session_quota(const struct godiag_caller *c, u32 bufsize,
			 struct netlink_ext_ack *extack);
struct file *godiag_proof_get(struct genl_info *info, const struct godiag_caller *c,
			      pid_t vpid);
int godiag_proof_mm(struct file *proof, struct mm_struct *mm, pid_t vpid,
		    struct netlink_ext_ack *extack);
int godiag_proof_task(struct file *proof, struct task_struct *task, pid_t vpid,
		      struct netlink_ext_ack *extack);

/* audit.c: the audit trail; every call with godiag_mutex held */
const char *godiag_audit_cause(const char *cause);
void godiag_audit_session(const char *op, struct godiag_session *s);
void godiag_audit_target_add(struct godiag_target *t, struct task_struct *task);
void godiag_audit_target_remove(struct godiag_target *t);
void godiag_audit_probe_add(struct godiag_session *s, u32 id, pid_t tgid,
			    const struct path *path, const struct godiag_probe_spec *spec);
void godiag_audit_probe_remove(struct godiag_session *s, u32 id, pid_t tgid, u32 kind,
			       u64 offset);

/* limits.c: lifetimes and the host's caps */
int godiag_limits_session_new(const struct godiag_caller *c, u32 *lifetime_ms,
			      struct netlink_ext_ack *extack);
void godiag_limits_arm(struct godiag_session *s);
void godiag_limits_disarm(struct godiag_session *s);
int godiag_limits_usable(struct godiag_session *s, struct netlink_ext_ack *extack);
int godiag_limits_probe_add(struct godiag_session *s, struct netlink_ext_ack *extack);

/* trigger.c */
void godiag_triggers_init(struct godiag_session *s);
void godiag_triggers_sync(struct godiag_session *s);
void godiag_triggers_release(struct godiag_session *s);
int godiag_triggers_set(struct godiag_session *s, struct nlattr **a,
			struct netlink_ext_ack *extack);
int godiag_trigger_fire(struct godiag_session *s, u32 index,
			struct netlink_ext_ack *extack);
int godiag_triggers_fill(struct sk_buff *skb, struct godiag_session *s);
void __godiag_trigger_syscall(struct godiag_session *s, const struct godiag_rec_syscall *rec);
void __godiag_trigger_break(struct godiag_session *s, const struct godiag_rec_break *rec);

/*
 * The checks where records are written: a recorder without triggers
 * pays one pointer load. Under rcu_read_lock(), in any context; they
 * never sleep nor allocate.
 */
static inline bool godiag_has_triggers(struct godiag_session *s)
{
	return unlikely(rcu_access_pointer(s->triggers) != NULL);
}

/* probe.c, for trigger.c */
bool godiag_probe_is_break(struct godiag_session *s, u32 id);

/* netlink.c, for trigger.c */
void godiag_netlink_trigger(struct godiag_session *s, const struct godiag_trig_event *ev);

/* probe.c, for limits.c */
void godiag_probes_drop_session(struct godiag_session *s);

/* netlink.c, for limits.c */
void godiag_netlink_session_expired(struct godiag_session *s);

/* tracepoint.c */
struct tracepoint *godiag_tracepoint_find(const char *name);

/* The value of a GODIAG_REG_* register at a probe hit (uprobe handlers). */
static inline unsigned long godiag_reg_value(const struct pt_regs *regs, u8 reg)
{
	switch (reg) {
	case GODIAG_REG_RAX: return regs->ax;
	case GODIAG_REG_RCX: return regs->cx;
	case GODIAG_REG_RDX: return regs->dx;
	case GODIAG_REG_RBX: return regs->bx;
	case GODIAG_REG_RSP: return regs->sp;
	case GODIAG_REG_RBP: return regs->bp;
	case GODIAG_REG_RSI: return regs->si;
	case GODIAG_REG_RDI: return regs->di;
	case GODIAG_REG_R8: return regs->r8;
	case GODIAG_REG_R9: return regs->r9;
	case GODIAG_REG_R10: return regs->r10;
	case GODIAG_REG_R11: return regs->r11;
	case GODIAG_REG_R12: return regs->r12;
	case GODIAG_REG_R13: return regs->r13;
	case GODIAG_REG_R14: return regs->r14;
	default: return regs->r15;
	}
}

#endif /* GODIAG_H */
