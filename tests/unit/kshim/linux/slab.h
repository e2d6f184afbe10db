/* SPDX-License-Identifier: GPL-2.0 */
/* Stands in for the kernel header in test_rbmodel (see ../kshim.h). */
#include "../kshim.h"
