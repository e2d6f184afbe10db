/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allocation failures on demand, for the tests only: a module built with
 * CONFIG_GODIAG_FAULTS=y (tests/build-module.sh KERNEL faults) has
 * /sys/kernel/debug/godiag/fail_nth, which works like the kernel's
 * /proc/thread-self/fail-nth but counts only godiag's own allocations,
 * and fail_nth_any, which counts those of every thread (faults.c);
 * and fork_delay_us, a pause in the fork handler that widens the window
 * in which a fork races the removal of its target (15-targets).
 * The test kernels lack CONFIG_FAULT_INJECTION, so without it no error
 * path of an allocation would ever run. Other builds compile it away.
 */
#ifndef GODIAG_FAULTS_H
#define GODIAG_FAULTS_H

#include <linux/types.h>

#ifdef GODIAG_FAULTS
bool godiag_fail_alloc(void);
void godiag_fork_delay(void);
void godiag_faults_init(void);
void godiag_faults_exit(void);
#else
static inline bool godiag_fail_alloc(void) { return false; }
static inline void godiag_fork_delay(void) { }
static inline void godiag_faults_init(void) { }
static inline void godiag_faults_exit(void) { }
#endif

/* An allocation expression, or NULL when the injector fails this one. */
#define godiag_alloc(expr) (godiag_fail_alloc() ? NULL : (expr))

#endif /* GODIAG_FAULTS_H */
