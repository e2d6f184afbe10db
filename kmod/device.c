// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/godiag: where readers collect the records of a session.
 *
 * A reader binds its fd to a session (GODIAG_IOC_BIND), then either read()s
 * whole records from all CPUs, or mmaps one CPU's buffer and consumes it
 * in place. read() blocks until the wake timer finds records, and returns
 * 0 once the session is stopped or destroyed and drained.
 *
 * Opening needs CAP_PERFMON or CAP_SYS_ADMIN; binding and mapping are
 * checked again against whoever does them, and allowed only for a
 * session that process may see (perm.c). read() of a bound fd is not:
 * whoever bound it handed its records over with the fd.
 */
#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "godiag.h"

static int godiag_open(struct inode *inode, struct file *file)
{
	if (!perfmon_capable())
		return -EPERM;
	file->private_data = NULL;
	return nonseekable_open(inode, file);
}

static int godiag_release(struct inode *inode, struct file *file)
{
	struct godiag_session *s = file->private_data;

	if (s) {
		atomic_dec(&s->readers);
		godiag_session_put(s);
	}
	return 0;
}

static long godiag_bind(struct file *file, const struct godiag_caller *c,
			u32 __user *arg)
{
	struct godiag_session *s;
	u32 id;

	if (get_user(id, arg))
		return -EFAULT;
	mutex_lock(&godiag_mutex);
	s = godiag_session_find(id);
	if (s && !godiag_session_visible(s, c))
		s = NULL;
	if (s)
		kref_get(&s->ref);
	mutex_unlock(&godiag_mutex);
	if (!s)
		return -ENOENT;
	if (cmpxchg(&file->private_data, NULL, s)) {
		godiag_session_put(s);
		return -EBUSY;
	}
	atomic_inc(&s->readers);
	return 0;
}

static struct godiag_session *bound(struct file *file);

/* GODIAG_IOC_SNAPSHOT: a copy of one CPU's buffer, nothing consumed. */
static long godiag_snapshot(struct file *file, struct godiag_snapshot __user *arg)
{
	struct godiag_session *s = bound(file);
	struct godiag_snapshot snap;
	int ret;

	if (!s)
		return -EBADFD;
	if (copy_from_user(&snap, arg, sizeof(snap)))
		return -EFAULT;
	if (snap.reserved || snap.cpu >= nr_cpu_ids || !cpu_possible(snap.cpu))
		return -EINVAL;
	if (snap.len < s->bufsize)
		return -ENOSPC;
	snap.cpu = array_index_nospec(snap.cpu, nr_cpu_ids);
	ret = godiag_rb_snapshot(s->rbs[snap.cpu], u64_to_user_ptr(snap.buf),
				 snap.len, &snap);
	if (ret)
		return ret;
	return copy_to_user(arg, &snap, sizeof(snap)) ? -EFAULT : 0;
}

static long godiag_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct godiag_caller c;

	if (godiag_caller_current(&c))
		return -EPERM;
	switch (cmd) {
	case GODIAG_IOC_BIND:
		return godiag_bind(file, &c, (u32 __user *)arg);
	case GODIAG_IOC_SNAPSHOT:
		return godiag_snapshot(file, (struct godiag_snapshot __user *)arg);
	default:
		return -ENOTTY;
	}
}

static struct godiag_session *bound(struct file *file)
{
	/* Pairs with the cmpxchg in godiag_bind(). */
	return smp_load_acquire(&file->private_data);
}

/* The possible CPU after @cpu, round the end. */
static unsigned int next_cpu(unsigned int cpu)
{
	cpu = cpumask_next(cpu, cpu_possible_mask);
	return cpu < nr_cpu_ids ? cpu : cpumask_first(cpu_possible_mask);
}

/*
 * Whole records from every CPU into @buf. Each call starts one CPU
 * further than the last, so a CPU that always has records to fill the
 * caller's buffer cannot starve the others.
 */
static ssize_t read_all_cpus(struct godiag_session *s, char __user *buf,
			     size_t len)
{
	unsigned int i, cpu;
	ssize_t done = 0;

	if (mutex_lock_interruptible(&s->read_lock))
		return -ERESTARTSYS;
	cpu = s->read_cpu = next_cpu(s->read_cpu);
	for (i = 0; i < num_possible_cpus(); i++, cpu = next_cpu(cpu)) {
		ssize_t n = godiag_rb_read(s->rbs[cpu], buf + done, len - done);

		if (n < 0) {
			if (!done)
				done = n;
			break;
		}
		done += n;
	}
	mutex_unlock(&s->read_lock);
	return done;
}

static ssize_t godiag_read(struct file *file, char __user *buf, size_t len,
			   loff_t *ppos)
{
	struct godiag_session *s = bound(file);
	ssize_t n;
	int ret;

	if (!s)
		return -EBADFD;
	/* Whole records only: the buffer must hold the largest one. */
	if (len < GODIAG_REC_SIZE_MAX)
		return -EINVAL;
	for (;;) {
		n = read_all_cpus(s, buf, len);
		if (n)
			return n;
		if (godiag_session_eof(s))
			return 0;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(s->wq, godiag_session_readable(s) ||
					       godiag_session_eof(s));
		if (ret)
			return ret;
	}
}

static __poll_t godiag_poll(struct file *file, poll_table *wait)
{
	struct godiag_session *s = bound(file);

	if (!s)
		return EPOLLERR;
	poll_wait(file, &s->wq, wait);
	if (godiag_session_readable(s))
		return EPOLLIN | EPOLLRDNORM;
	if (godiag_session_eof(s))
		return EPOLLIN | EPOLLHUP;
	return 0;
}

/* Pages of one CPU's mapping: the control page and the records. */
static unsigned long stride_pages(u64 bufsize)
{
	return GODIAG_MMAP_STRIDE(bufsize, PAGE_SIZE) >> PAGE_SHIFT;
}

static vm_fault_t godiag_fault(struct vm_fault *vmf)
{
	struct godiag_rb *rb = vmf->vma->vm_private_data;
	struct page *page;

	/*
	 * The page's place in the CPU's buffer, counted from where that
	 * buffer starts in the file: the VMA's own start moves when a
	 * partial munmap or mprotect splits it.
	 */
	page = godiag_rb_page(rb, vmf->pgoff - rb->cpu * stride_pages(rb->size));
	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct godiag_vm_ops = {
	.fault = godiag_fault,
};

/*
 * CPU c's control page and records sit at c * GODIAG_MMAP_STRIDE. Shared
 * mappings only (VM_MAYSHARE: MAP_SHARED, also of a read-only fd): a
 * private copy would never see the head move, and a reader's tail would
 * never reach the module. Never executable, not even by mprotect().
 */
static int godiag_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct godiag_session *s = bound(file);
	unsigned long pages, cpu;
	struct godiag_caller c;

	if (godiag_caller_current(&c))
		return -EPERM;
	if (!s)
		return -EBADFD;
	if (!godiag_session_visible(s, &c))
		return -EPERM;
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	pages = stride_pages(s->bufsize);
	cpu = vma->vm_pgoff / pages;
	if (vma->vm_pgoff % pages || vma->vm_end - vma->vm_start != pages << PAGE_SHIFT)
		return -EINVAL;
	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return -ENXIO;
	vma->vm_private_data = s->rbs[cpu];
	vma->vm_ops = &godiag_vm_ops;
	godiag_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	godiag_vm_flags_clear(vma, VM_MAYEXEC);
	return 0;
}

static const struct file_operations godiag_fops = {
	.owner = THIS_MODULE,
	.open = godiag_open,
	.release = godiag_release,
	.read = godiag_read,
	.poll = godiag_poll,
	.mmap = godiag_mmap,
	.unlocked_ioctl = godiag_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice godiag_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = GODIAG_DEVICE_NAME,
	.fops = &godiag_fops,
	.mode = 0600,
};

int __init godiag_device_init(void)
{
	return misc_register(&godiag_misc);
}

void godiag_device_exit(void)
{
	misc_deregister(&godiag_misc);
}
