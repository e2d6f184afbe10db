// SPDX-License-Identifier: GPL-2.0
/*
 * godiag: trace goroutine scheduling, breakpoints and syscalls of running
 * Go programs into per-CPU ring buffers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>

#include "faults.h"
#include "godiag.h"

DEFINE_MUTEX(godiag_mutex);
struct workqueue_struct *godiag_wq;

static int __init godiag_init(void)
{
	int ret;

	godiag_wq = alloc_workqueue("godiag", WQ_UNBOUND, 0);
	if (!godiag_wq)
		return -ENOMEM;
	ret = godiag_syscalls_init();
	if (ret)
		goto err_wq;
	ret = godiag_targets_init();
	if (ret)
		goto err_wq;
	ret = godiag_perm_init();
	if (ret)
		goto err_targets;
	ret = godiag_device_init();
	if (ret)
		goto err_perm;
	ret = godiag_netlink_init();
	if (ret)
		goto err_device;
	godiag_faults_init();
	pr_info("version %s (ABI %d) loaded\n", GODIAG_VERSION, GODIAG_ABI_VERSION);
	return 0;

err_device:
	godiag_device_exit();
err_perm:
	godiag_perm_exit();
err_targets:
	godiag_targets_exit();
err_wq:
	destroy_workqueue(godiag_wq);
	return ret;
}

static void __exit godiag_exit(void)
{
	/* No new configuration, no new readers (open ones pin the module). */
	godiag_faults_exit();
	godiag_netlink_exit();
	godiag_device_exit();
	/* Stops handlers writing and empties the tgid hash. */
	godiag_sessions_destroy_all();
	godiag_syscalls_exit();
	godiag_perm_exit();
	godiag_targets_exit();
	/*
	 * Queued exit and refill works may drop the last reference of a
	 * target, whose free is an rcu_work: run them, let every RCU callback
	 * queue its work, then drain the queue.
	 */
	flush_workqueue(godiag_wq);
	rcu_barrier();
	destroy_workqueue(godiag_wq);
	pr_info("unloaded\n");
}

module_init(godiag_init);
module_exit(godiag_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go runtime tracer: goroutines, breakpoints, syscalls");
MODULE_VERSION(GODIAG_VERSION);
