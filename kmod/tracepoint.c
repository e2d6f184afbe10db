// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel tracepoints by name. The tracepoint structs are not exported to
 * modules, so walk the kernel's list once, as LTTng does.
 */
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "godiag.h"

struct tp_query {
	const char *name;
	struct tracepoint *found;
};

static void tp_match(struct tracepoint *tp, void *priv)
{
	struct tp_query *q = priv;

	if (!strcmp(tp->name, q->name))
		q->found = tp;
}

struct tracepoint *godiag_tracepoint_find(const char *name)
{
	struct tp_query q = { .name = name };

	for_each_kernel_tracepoint(tp_match, &q);
	return q.found;
}
