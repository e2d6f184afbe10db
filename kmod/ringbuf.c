// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU ring buffer.
 *
 * Positions are byte counts that only grow; the offset in the data area is
 * position & (size - 1). data_head (published, committed) and data_tail
 * (consumed) live in a page that mmap readers share. A writer reserves with
 * a cmpxchg on its private head and publishes data_head only when the
 * outermost writer on the CPU commits, so a reader never sees a record that
 * a nested writer interrupted half-way (the scheme of perf's ring buffer).
 *
 * In overwrite mode the writer frees room by advancing data_tail over the
 * oldest records with cmpxchg; a reader claims a record by the same
 * cmpxchg after copying it, and throws the copy away if the writer got
 * there first, so a reader never returns a torn record.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "faults.h"
#include "ringbuf.h"

#define REC_ALIGN 8

struct godiag_rb *godiag_rb_alloc(u32 size, int cpu, bool overwrite)
{
	struct godiag_rb *rb;

	rb = godiag_alloc(kzalloc_node(sizeof(*rb), GFP_KERNEL, cpu_to_node(cpu)));
	if (!rb)
		return NULL;
	/* Not vmalloc_user(): a huge request must fail quietly, not warn. */
	rb->area = godiag_alloc(__vmalloc(PAGE_SIZE + size,
					  GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN));
	if (!rb->area) {
		kfree(rb);
		return NULL;
	}
	rb->page = rb->area;
	rb->data = (u8 *)rb->area + PAGE_SIZE;
	rb->size = size;
	rb->overwrite = overwrite;
	rb->page->data_size = size;
	rb->page->version = GODIAG_ABI_VERSION;
	rb->page->cpu = cpu;
	atomic64_set(&rb->read, 0);
	return rb;
}

void godiag_rb_free(struct godiag_rb *rb)
{
	if (!rb)
		return;
	vfree(rb->area);
	kfree(rb);
}

struct page *godiag_rb_page(struct godiag_rb *rb, unsigned long pgoff)
{
	if (pgoff >= (PAGE_SIZE + rb->size) >> PAGE_SHIFT)
		return NULL;
	return vmalloc_to_page((u8 *)rb->area + (pgoff << PAGE_SHIFT));
}

/* A record header as found in the buffer is only trusted after this. */
static bool rec_size_ok(u64 off, u64 size, u16 type, u16 len)
{
	if (len < REC_ALIGN || (len & (REC_ALIGN - 1)) || off + len > size)
		return false;
	if (type == GODIAG_REC_PAD)
		return true;
	return len >= sizeof(struct godiag_rec) && len <= GODIAG_REC_SIZE_MAX;
}

/* Overwrite mode: drop the oldest committed records until @end fits. */
static bool rb_make_room(struct godiag_rb *rb, u64 end)
{
	for (;;) {
		u64 tail = READ_ONCE(rb->page->data_tail);
		u64 committed = READ_ONCE(rb->page->data_head);
		struct godiag_rec *rec;
		u64 off;
		u16 len, type;

		if (end - tail <= rb->size)
			return true;
		/* Never reclaim what a writer interrupted on this CPU still fills. */
		if (tail >= committed)
			return false;
		off = tail & (rb->size - 1);
		rec = (struct godiag_rec *)(rb->data + off);
		len = READ_ONCE(rec->size);
		type = READ_ONCE(rec->type);
		if (!rec_size_ok(off, rb->size, type, len))
			return false;
		if (cmpxchg(&rb->page->data_tail, tail, tail + len) != tail)
			continue;
		if (type != GODIAG_REC_PAD && type != GODIAG_REC_LOST) {
			local_inc(&rb->lost);
			WRITE_ONCE(rb->page->lost, local_read(&rb->lost));
		}
	}
}

static bool rb_room(struct godiag_rb *rb, u64 head, u64 end)
{
	u64 tail;

	if (rb->overwrite)
		return rb_make_room(rb, end);
	/* Pairs with the reader's release of the records it consumed. */
	tail = smp_load_acquire(&rb->page->data_tail);
	/* A tail from a confused mmap reader only ever costs records. */
	if (tail > head)
		return false;
	return end - tail <= rb->size;
}

static void rb_write_pad(struct godiag_rb *rb, u64 off, u64 len)
{
	struct godiag_rec *pad = (struct godiag_rec *)(rb->data + off);

	pad->type = GODIAG_REC_PAD;
	pad->size = len;
}

/*
 * Reserve @len bytes (a multiple of 8) for a record. Returns NULL when the
 * buffer is full; the caller counts the loss. Must be followed by
 * godiag_rb_commit() on the same CPU, also when NULL is returned.
 */
void *godiag_rb_reserve(struct godiag_rb *rb, unsigned int len)
{
	u64 head, off, pad, end;

	local_inc(&rb->nest);
	do {
		head = local_read(&rb->head);
		off = head & (rb->size - 1);
		pad = off + len > rb->size ? rb->size - off : 0;
		end = head + pad + len;
		if (!rb_room(rb, head, end))
			return NULL;
	} while (local_cmpxchg(&rb->head, head, end) != head);

	if (pad)
		rb_write_pad(rb, off, pad);
	local_add(len, &rb->bytes);
	return rb->data + ((head + pad) & (rb->size - 1));
}

/* Publish what this CPU reserved, once no nested writer is in flight. */
void godiag_rb_commit(struct godiag_rb *rb)
{
	u64 head;

again:
	if (local_read(&rb->nest) > 1) {
		local_dec(&rb->nest);
		return;
	}
	head = local_read(&rb->head);
	/* Record contents must be visible before the head that covers them. */
	smp_store_release(&rb->page->data_head, head);
	barrier();
	local_dec(&rb->nest);
	barrier();
	/* A nested writer reserved after we read head: publish its record too. */
	if (unlikely(head != local_read(&rb->head))) {
		local_inc(&rb->nest);
		goto again;
	}
}

bool godiag_rb_empty(const struct godiag_rb *rb)
{
	/* Pairs with the release in godiag_rb_commit(). */
	return smp_load_acquire(&rb->page->data_head) ==
	       READ_ONCE(rb->page->data_tail);
}

/*
 * Copy whole records to @buf. Returns bytes copied (0 when empty) or
 * -EFAULT when nothing could be copied. Callers serialise readers.
 */
ssize_t godiag_rb_read(struct godiag_rb *rb, char __user *buf, size_t len)
{
	size_t copied = 0;

	for (;;) {
		/* Pairs with the release in godiag_rb_commit(). */
		u64 head = smp_load_acquire(&rb->page->data_head);
		u64 tail = READ_ONCE(rb->page->data_tail);
		u64 off = tail & (rb->size - 1);
		struct godiag_rec *rec = (struct godiag_rec *)(rb->data + off);
		u16 rlen, type;

		if (tail == head)
			break;
		if (tail > head || head - tail > rb->size) {
			/* Only a bad tail written through mmap gets here. */
			cmpxchg(&rb->page->data_tail, tail, head);
			break;
		}
		rlen = READ_ONCE(rec->size);
		type = READ_ONCE(rec->type);
		if (!rec_size_ok(off, rb->size, type, rlen)) {
			/* In overwrite mode the writer may have moved on: retry. */
			if (READ_ONCE(rb->page->data_tail) != tail)
				continue;
			cmpxchg(&rb->page->data_tail, tail, head);
			break;
		}
		if (type != GODIAG_REC_PAD) {
			if (copied + rlen > len)
				break;
			if (copy_to_user(buf + copied, rec, rlen))
				return copied ? copied : -EFAULT;
		}
		/* Full barrier: the copy is complete before the record is released. */
		if (cmpxchg(&rb->page->data_tail, tail, tail + rlen) != tail)
			continue;	/* overwritten while we copied: drop the copy */
		if (type == GODIAG_REC_PAD)
			continue;
		copied += rlen;
		if (type != GODIAG_REC_LOST)
			atomic64_inc(&rb->read);
	}
	return copied;
}
