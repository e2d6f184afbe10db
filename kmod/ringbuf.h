/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One lockless ring buffer per CPU. The writer runs on its own CPU with
 * preemption disabled and may be interrupted by a nested writer on the same
 * CPU; readers run anywhere and consume whole records only.
 */
#ifndef GODIAG_RINGBUF_H
#define GODIAG_RINGBUF_H

#include <linux/types.h>
#include <asm/local.h>

#include "godiag_abi.h"

struct godiag_rb {
	/* Page 0 of area: head/tail shared with mmap readers. */
	struct godiag_mmap_page *page;
	u8 *data;
	void *area;
	u64 size;
	int cpu;
	bool overwrite;

	/* Writer side, touched only by this CPU. */
	local_t head;		/* reserved up to here */
	local_t nest;		/* writers in flight on this CPU */
	local_t written;	/* records produced */
	local_t lost;		/* records dropped (full) or overwritten */
	local_t bytes;		/* bytes of records committed */
	local_t lost_pending;	/* lost, not yet in a LOST marker */
	u64 lost_first_ns;
	u64 lost_last_ns;
	u64 marked_at;		/* head after the last LOST marker */
	u64 wake_at;		/* no fill-level wakeup before this head */

	/* Reader side. */
	atomic64_t read;	/* records consumed through read() */
};

struct godiag_rb *godiag_rb_alloc(u32 size, int cpu, bool overwrite);
void godiag_rb_free(struct godiag_rb *rb);

void *godiag_rb_reserve_rec(struct godiag_rb *rb, unsigned int len, u64 ts);
void godiag_rb_commit(struct godiag_rb *rb);
void godiag_rb_flush_lost(struct godiag_rb *rb, u64 ts);

bool godiag_rb_wake_due(struct godiag_rb *rb);
bool godiag_rb_empty(const struct godiag_rb *rb);
ssize_t godiag_rb_read(struct godiag_rb *rb, char __user *buf, size_t len);
int godiag_rb_snapshot(struct godiag_rb *rb, char __user *buf, u64 len,
		       struct godiag_snapshot *out);
struct page *godiag_rb_page(struct godiag_rb *rb, unsigned long pgoff);

#endif /* GODIAG_RINGBUF_H */
