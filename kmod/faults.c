// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/godiag/fail_nth (CONFIG_GODIAG_FAULTS=y builds only;
 * see faults.h). A thread writes N: the N-th godiag allocation that
 * thread makes from then on fails, once. Reading gives what is left of
 * the count, 0 once the failure was injected (as fail-nth does); writing
 * 0 disarms. Netlink requests run in the sending thread, so arming the
 * sender aims at the allocations of its next request.
 *
 * fail_nth_any counts the allocations of every thread instead, for what
 * the module allocates from its workqueue or a traced process (the
 * notification that a target exited). One arming at a time, of either
 * kind: a test drives it, nothing else.
 *
 * fork_delay_us (0 to 1000) makes the fork handler of a followed process
 * busy-wait that long between finding the parent's node and linking the
 * child's, so that a removal of the target lands there often.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "faults.h"

#define FAIL_ANY	(-1)		/* fail_tid: every thread counts */

static DEFINE_SPINLOCK(fail_lock);
static pid_t fail_tid;			/* armed thread, FAIL_ANY; 0: none */
static unsigned int fail_left;		/* allocations until the failure */
static struct dentry *fail_dir;
static u32 fork_delay_us;

#define FORK_DELAY_MAX_US	1000

/* In the fork handler (atomic): a busy wait, bounded. */
void godiag_fork_delay(void)
{
	u32 us = min_t(u32, READ_ONCE(fork_delay_us), FORK_DELAY_MAX_US);

	if (us)
		udelay(us);
}

bool godiag_fail_alloc(void)
{
	unsigned long flags;
	bool fail = false;

	if (!READ_ONCE(fail_tid))
		return false;
	spin_lock_irqsave(&fail_lock, flags);
	if ((fail_tid == FAIL_ANY || fail_tid == current->pid) &&
	    fail_left && !--fail_left) {
		fail_tid = 0;
		fail = true;
	}
	spin_unlock_irqrestore(&fail_lock, flags);
	return fail;
}

/* The file's private data: whose allocations it counts. */
static pid_t file_tid(struct file *file)
{
	return file_inode(file)->i_private ? FAIL_ANY : current->pid;
}

static ssize_t fail_nth_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	unsigned int n;
	int ret;

	ret = kstrtouint_from_user(buf, len, 0, &n);
	if (ret)
		return ret;
	spin_lock_irq(&fail_lock);
	fail_left = n;
	fail_tid = n ? file_tid(file) : 0;
	spin_unlock_irq(&fail_lock);
	return len;
}

static ssize_t fail_nth_read(struct file *file, char __user *buf, size_t len,
			     loff_t *ppos)
{
	char text[16];
	unsigned int left;
	int n;

	spin_lock_irq(&fail_lock);
	left = fail_tid == file_tid(file) ? fail_left : 0;
	spin_unlock_irq(&fail_lock);
	n = scnprintf(text, sizeof(text), "%u\n", left);
	return simple_read_from_buffer(buf, len, ppos, text, n);
}

static const struct file_operations fail_nth_fops = {
	.owner = THIS_MODULE,
	.read = fail_nth_read,
	.write = fail_nth_write,
	.llseek = default_llseek,
};

void godiag_faults_init(void)
{
	/* Without debugfs the injector is simply absent: no error. */
	fail_dir = debugfs_create_dir("godiag", NULL);
	debugfs_create_file("fail_nth", 0600, fail_dir, NULL, &fail_nth_fops);
	debugfs_create_file("fail_nth_any", 0600, fail_dir, (void *)1,
			    &fail_nth_fops);
	debugfs_create_u32("fork_delay_us", 0600, fail_dir, &fork_delay_us);
}

void godiag_faults_exit(void)
{
	debugfs_remove(fail_dir);
}
