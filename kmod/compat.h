/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels godiag supports lives here, so the
 * rest of kmod/ is written against one API. Supported: 6.1 .. 6.12, 64-bit.
 */
#ifndef GODIAG_COMPAT_H
#define GODIAG_COMPAT_H

#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "godiag needs Linux 6.1 or newer"
#endif
#ifndef CONFIG_64BIT
#error "godiag needs a 64-bit kernel (it relies on 64-bit cmpxchg and local_t)"
#endif

/* 6.12 removed no_llseek; a NULL .llseek with nonseekable_open() is equivalent. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define no_llseek NULL
#endif

/*
 * 6.2 added formatted extack messages kept in the extack itself. Before
 * that the message must outlive the request: format into a small ring of
 * static buffers (configuration requests are serialised by godiag_mutex,
 * so a buffer is reused only after many later failures).
 */
#ifndef NL_SET_ERR_MSG_FMT
#define GODIAG_COMPAT_FMTMSG
const char *godiag_compat_fmtmsg(const char *fmt, ...) __printf(1, 2);
#define NL_SET_ERR_MSG_FMT(extack, fmt, args...) do {			\
	struct netlink_ext_ack *__extack = (extack);			\
									\
	if (__extack)							\
		__extack->_msg = godiag_compat_fmtmsg(fmt, ##args);	\
} while (0)
#endif

/* 6.2 moved a dump's parsed attributes into an embedded genl_info. */
#include <net/genetlink.h>
static inline struct nlattr **godiag_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* 6.3 made vma->vm_flags read-only; writers use vm_flags_set/clear(). */
#include <linux/mm.h>
static inline void godiag_vm_flags_set(struct vm_area_struct *vma,
				       unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void godiag_vm_flags_clear(struct vm_area_struct *vma,
					 unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * The notify group tells the targets and exit codes of every session, so
 * only CAP_SYS_ADMIN may join it. Multicast groups with a capability
 * arrived in 6.7 and were backported to the stable series (Debian's 6.1
 * has GENL_MCAST_CAP_SYS_ADMIN). Without them the family has no group at
 * all rather than one anybody could join; godiagctl capture then lists
 * the targets every second instead.
 */
#ifdef GENL_MCAST_CAP_SYS_ADMIN
#define GODIAG_HAVE_NOTIFY	1
#else
#define GODIAG_HAVE_NOTIFY	0
#endif

/*
 * Uprobes. 6.12 reworked the API: uprobe_register() returns the uprobe,
 * unregistering is split into a non-blocking part and one wait for all
 * handlers (uprobe_unregister_sync()), and filter() lost its context
 * argument. Before, uprobe_unregister() itself waited for handlers.
 */
#include <linux/uprobes.h>

struct godiag_uprobe {
	struct inode *inode;
	loff_t offset;
	struct uprobe_consumer uc;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	struct uprobe *uprobe;
#endif
};

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define GODIAG_UPROBE_FILTER_ARGS \
	struct uprobe_consumer *uc, struct mm_struct *mm
#else
#define GODIAG_UPROBE_FILTER_ARGS \
	struct uprobe_consumer *uc, enum uprobe_filter_ctx ctx, struct mm_struct *mm
#endif

static inline int godiag_uprobe_register(struct godiag_uprobe *u)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	u->uprobe = uprobe_register(u->inode, u->offset, 0, &u->uc);
	return PTR_ERR_OR_ZERO(u->uprobe);
#else
	return uprobe_register(u->inode, u->offset, &u->uc);
#endif
}

/* Call godiag_uprobe_sync() before freeing what the handlers use. */
static inline void godiag_uprobe_unregister(struct godiag_uprobe *u)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	uprobe_unregister_nosync(u->uprobe, &u->uc);
#else
	uprobe_unregister(u->inode, u->offset, &u->uc);
#endif
}

static inline void godiag_uprobe_sync(void)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	uprobe_unregister_sync();
#endif
}

/*
 * The executable of an address space, referenced (fput() it), or NULL.
 * get_mm_exe_file() is not exported; this is what it does. 6.7 made
 * files SLAB_TYPESAFE_BY_RCU and get_file_rcu() (exported from then on)
 * the way to take a reference under RCU.
 */
#include <linux/rcupdate.h>
#include <linux/mm_types.h>
static inline struct file *godiag_mm_exe_file(struct mm_struct *mm)
{
	struct file *f;

	rcu_read_lock();
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	f = get_file_rcu(&mm->exe_file);
#else
	f = rcu_dereference(mm->exe_file);
	if (f && !get_file_rcu(f))
		f = NULL;
#endif
	rcu_read_unlock();
	return f;
}

/*
 * The saved FPU state of the current task: valid after kernel_fpu_begin()
 * saved its registers there: thread.fpu's fpstate on 6.1-6.12 (newer
 * kernels move struct fpu out of thread_struct, behind x86_task_fpu()).
 */
#include <asm/fpu/types.h>
#include <asm/processor.h>
static inline const struct fpstate *godiag_current_fpstate(void)
{
	return current->thread.fpu.fpstate;
}

#endif /* GODIAG_COMPAT_H */
