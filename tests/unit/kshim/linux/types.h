/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stands in for the kernel's linux/types.h in test_rbmodel (see
 * ../kshim.h): the UAPI types (__u64 ...) of the system header, plus the
 * kernel's own.
 */
#include_next <linux/types.h>
#include "../kshim.h"
