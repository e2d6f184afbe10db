// SPDX-License-Identifier: GPL-2.0
/*
 * Who may trace whom: the rules perf applies to the same power.
 *
 * Every request needs CAP_PERFMON or CAP_SYS_ADMIN in the initial user
 * namespace (netlink_capable(): the socket's opener and the sender),
 * never just CAP_NET_ADMIN, which containers routinely get. A caller
 * with CAP_SYS_ADMIN may do anything. One with CAP_PERFMON alone works
 * only with the sessions that callers of its effective UID without
 * CAP_SYS_ADMIN created, and must show for every process it adds or
 * probes that it may ptrace-attach to it.
 *
 * ptrace_may_access() is not exported to modules, so the caller proves
 * it: it opens /proc/PID/mem, whose open is the kernel's own
 * mm_access(PTRACE_MODE_ATTACH) check (credentials, capabilities,
 * dumpability, Yama, every LSM), and passes the fd. fs/proc/base.c
 * stores the mm it checked in file->private_data and mmgrab()s it until
 * the file is released (proc_mem_open(), __mem_open(), mem_release():
 * Debian's 6.1 and upstream through 6.12 alike), so while we hold the
 * file that pointer names one address space and cannot be reused for
 * another. The fd must be of procfs, named "mem", and hold the mm the
 * process runs now (an fd opened before an exec does not count).
 *
 * Later changes of a traced process are handled as perf handles them:
 * an exec after which the process is not dumpable (set-user-ID, file
 * capabilities, an unreadable binary; begin_new_exec() then also drops
 * perf's events) stops recording it for sessions created without
 * CAP_SYS_ADMIN, for good (sched_process_exec below).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/tracepoint.h>
#include <net/genetlink.h>

#include "godiag.h"

static struct tracepoint *tp_exec;

int godiag_caller_netlink(const struct sk_buff *skb, struct godiag_caller *c,
			  struct netlink_ext_ack *extack)
{
	c->euid = current_euid();
	c->admin = netlink_capable(skb, CAP_SYS_ADMIN);
	if (c->admin || netlink_capable(skb, CAP_PERFMON))
		return 0;
	NL_SET_ERR_MSG(extack, "godiag needs CAP_PERFMON or CAP_SYS_ADMIN");
	return -EPERM;
}

/* /dev/godiag: the process using the file now. */
int godiag_caller_current(struct godiag_caller *c)
{
	c->euid = current_euid();
	c->admin = capable(CAP_SYS_ADMIN);
	return c->admin || capable(CAP_PERFMON) ? 0 : -EPERM;
}

/* The creator fields never change: no lock needed. */
bool godiag_session_visible(const struct godiag_session *s,
			    const struct godiag_caller *c)
{
	return c->admin || (!s->creator_admin && uid_eq(s->creator_euid, c->euid));
}

/*
 * A caller without CAP_SYS_ADMIN must leave sessions and memory for the
 * administrators: at most GODIAG_SESSIONS_USER_MAX sessions per UID,
 * whose buffers together stay within a quarter of RAM.
 */
int godiag_session_quota(const struct godiag_caller *c, u32 bufsize,
			 struct netlink_ext_ack *extack)
{
	u64 bytes = (u64)bufsize * num_possible_cpus();
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;
	struct godiag_session *s;
	unsigned int n = 0;

	lockdep_assert_held(&godiag_mutex);
	if (c->admin)
		return 0;
	list_for_each_entry(s, &godiag_sessions, node) {
		if (!godiag_session_visible(s, c))
			continue;
		n++;
		bytes += (u64)s->bufsize * num_possible_cpus();
	}
	if (n >= GODIAG_SESSIONS_USER_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "UID %u has %u sessions, the most without CAP_SYS_ADMIN",
				   from_kuid(&init_user_ns, c->euid), n);
		return -ENOSPC;
	}
	if (bytes > ram / 4) {
		NL_SET_ERR_MSG_FMT(extack, "UID %u: buffers over a quarter of RAM",
				   from_kuid(&init_user_ns, c->euid));
		return -ENOMEM;
	}
	return 0;
}

static bool is_proc_mem(struct file *f)
{
	return file_inode(f)->i_sb->s_magic == PROC_SUPER_MAGIC &&
	       !strcmp(f->f_path.dentry->d_name.name, "mem");
}

/*
 * GODIAG_A_PROC_MEM_FD of a request about process @vpid: NULL for a
 * caller with CAP_SYS_ADMIN (it needs none, and one it sends is not
 * looked at), else the file (fput() it), or an ERR_PTR.
 */
struct file *godiag_proof_get(struct genl_info *info, const struct godiag_caller *c,
			      pid_t vpid)
{
	struct nlattr *a = info->attrs[GODIAG_A_PROC_MEM_FD];
	struct file *f;

	if (c->admin)
		return NULL;
	if (!a) {
		NL_SET_ERR_MSG_FMT(info->extack,
				   "PID %d: needs CAP_SYS_ADMIN or an fd of /proc/%d/mem",
				   vpid, vpid);
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, GODIAG_A_PROC_MEM_FD);
		return ERR_PTR(-EPERM);
	}
	f = fget(nla_get_u32(a));
	if (!f) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "no such file descriptor");
		return ERR_PTR(-EBADF);
	}
	if (!is_proc_mem(f)) {
		fput(f);
		NL_SET_ERR_MSG_ATTR(info->extack, a, "the fd is not of a /proc/PID/mem");
		return ERR_PTR(-EPERM);
	}
	return f;
}

/* @proof was opened for @mm: the caller may ptrace-attach to its owner. */
int godiag_proof_mm(struct file *proof, struct mm_struct *mm, pid_t vpid,
		    struct netlink_ext_ack *extack)
{
	if (mm && proof->private_data == mm)
		return 0;
	NL_SET_ERR_MSG_FMT(extack, "the fd is not /proc/%d/mem of the program PID %d runs now",
			   vpid, vpid);
	return -EPERM;
}

int godiag_proof_task(struct file *proof, struct task_struct *task, pid_t vpid,
		      struct netlink_ext_ack *extack)
{
	struct mm_struct *mm = get_task_mm(task);
	int ret = godiag_proof_mm(proof, mm, vpid, extack);

	if (mm)
		mmput(mm);
	return ret;
}

/*
 * A process exec'd. When the program left it not dumpable, sessions
 * created without CAP_SYS_ADMIN record it no longer: their creators
 * could not ptrace it now. Most execs stop at the first test.
 */
static void on_process_exec(void *data, struct task_struct *p, pid_t old_pid,
			    struct linux_binprm *bprm)
{
	struct godiag_pid_node *n;

	if (!p->mm || get_dumpable(p->mm) == SUID_DUMP_USER)
		return;
	rcu_read_lock();
	hlist_for_each_entry_rcu(n, godiag_pid_bucket(p->tgid), node)
		if (n->tgid == p->tgid && !n->target->session->creator_admin)
			WRITE_ONCE(n->revoked, true);
	rcu_read_unlock();
}

int __init godiag_perm_init(void)
{
	tp_exec = godiag_tracepoint_find("sched_process_exec");
	if (!tp_exec) {
		pr_err("sched_process_exec tracepoint not found\n");
		return -ENOENT;
	}
	return tracepoint_probe_register(tp_exec, on_process_exec, NULL);
}

/* After this returns the exec handler does not run any more. */
void godiag_perm_exit(void)
{
	tracepoint_probe_unregister(tp_exec, on_process_exec, NULL);
	tracepoint_synchronize_unregister();
}
