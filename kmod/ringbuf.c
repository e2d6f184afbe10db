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
	rb->cpu = cpu;
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

#define LOST_LEN	sizeof(struct godiag_rec_lost)

/* Where a record of @len bytes reserved at @head ends, a PAD before it included. */
static u64 rec_end(const struct godiag_rb *rb, u64 head, unsigned int len)
{
	u64 off = head & (rb->size - 1);

	return off + len > rb->size ? head + rb->size - off + len : head + len;
}

/*
 * @n records lost between @first and @last, not yet in a LOST marker.
 * Only this CPU's writers call it; under nesting the time span of a
 * marker may be a little off, its count never.
 */
static void lost_pend(struct godiag_rb *rb, long n, u64 first, u64 last)
{
	if (local_add_return(n, &rb->lost_pending) == n) {
		rb->lost_first_ns = first;
		rb->lost_last_ns = last;
	} else {
		rb->lost_first_ns = min(rb->lost_first_ns, first);
		rb->lost_last_ns = max(rb->lost_last_ns, last);
	}
}

/* A record of an event at @ts is lost: dropped, or overwritten unread. */
static void note_lost(struct godiag_rb *rb, u64 ts)
{
	local_inc(&rb->lost);
	WRITE_ONCE(rb->page->lost, local_read(&rb->lost));
	lost_pend(rb, 1, ts, ts);
}

/*
 * Overwrite mode: what the writer needs of the oldest record before it
 * overwrites it. A data record is lost; a LOST marker's count goes back
 * to pending, so the next marker carries it and the stream still
 * accounts for it. Read before the record is claimed, and only within
 * @len (checked by rec_size_ok()): a nested writer may be rewriting the
 * place, in which case the claim fails and what was read is dropped, and
 * through mmap anything may be there.
 */
struct reclaim {
	u16 type;
	u64 count, first, last;
};

static void reclaim_read(const struct godiag_rec *rec, u16 type, u16 len,
			 struct reclaim *r)
{
	const struct godiag_rec_lost *l = (const struct godiag_rec_lost *)rec;

	r->type = type;
	if (type == GODIAG_REC_LOST && len >= LOST_LEN) {
		r->count = READ_ONCE(l->count);
		r->first = READ_ONCE(l->first_ns);
		r->last = READ_ONCE(l->last_ns);
	} else if (type != GODIAG_REC_PAD) {
		/* A data record (or a marker too short to be one) is lost. */
		r->type = GODIAG_REC_SYSCALL;
		r->first = READ_ONCE(rec->ts_ns);
	}
}

static void reclaim_done(struct godiag_rb *rb, const struct reclaim *r)
{
	if (r->type == GODIAG_REC_LOST)
		lost_pend(rb, r->count, r->first, r->last);
	else if (r->type != GODIAG_REC_PAD)
		note_lost(rb, r->first);
}

/* Overwrite mode: drop the oldest committed records until @end fits. */
static bool rb_make_room(struct godiag_rb *rb, u64 end)
{
	for (;;) {
		u64 tail = READ_ONCE(rb->page->data_tail);
		u64 committed = READ_ONCE(rb->page->data_head);
		struct godiag_rec *rec;
		struct reclaim r;
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
		/*
		 * A nested writer may have reclaimed and rewritten the record
		 * since the tail was loaded: look again rather than drop.
		 */
		if (!rec_size_ok(off, rb->size, type, len)) {
			if (READ_ONCE(rb->page->data_tail) != tail)
				continue;
			return false;
		}
		reclaim_read(rec, type, len, &r);
		if (cmpxchg(&rb->page->data_tail, tail, tail + len) != tail)
			continue;
		reclaim_done(rb, &r);
	}
}

/*
 * Whether [head, end) may be reserved. In discard mode a writer also
 * leaves room for one LOST marker after @end (@keep), so that the marker
 * of what is lost last can still be written when the session stops.
 */
static bool rb_room(struct godiag_rb *rb, u64 head, u64 end, bool keep)
{
	u64 tail;

	if (rb->overwrite)
		return rb_make_room(rb, end);
	/* Pairs with the reader's release of the records it consumed. */
	tail = smp_load_acquire(&rb->page->data_tail);
	/* A tail from a confused mmap reader only ever costs records. */
	if (tail > head)
		return false;
	if (keep)
		end = rec_end(rb, end, LOST_LEN);
	return end - tail <= rb->size;
}

static void rb_write_pad(struct godiag_rb *rb, u64 off, u64 len)
{
	struct godiag_rec *pad = (struct godiag_rec *)(rb->data + off);

	pad->type = GODIAG_REC_PAD;
	pad->size = len;
}

/*
 * Reserve @len bytes (a multiple of 8), leaving room for a LOST marker
 * after them when @keep. Returns NULL when the buffer is full. Must be
 * followed by godiag_rb_commit() on the same CPU, also when NULL is
 * returned.
 */
static void *rb_reserve(struct godiag_rb *rb, unsigned int len, bool keep)
{
	u64 head, end, pad;

	local_inc(&rb->nest);
	do {
		head = local_read(&rb->head);
		end = rec_end(rb, head, len);
		if (!rb_room(rb, head, end, keep))
			return NULL;
	} while (local_cmpxchg(&rb->head, head, end) != head);

	pad = end - len - head;
	if (pad)
		rb_write_pad(rb, head & (rb->size - 1), pad);
	local_add(len, &rb->bytes);
	return rb->data + ((end - len) & (rb->size - 1));
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

/*
 * Put a LOST marker for the pending losses into the stream, if it fits
 * (see rb_room() for @keep). Its count is taken after the reservation,
 * which in overwrite mode may itself have overwritten records, and by
 * exchange: a nested writer that wrote a marker in between took its part
 * already, and what is left may be nothing (the slot becomes a PAD).
 */
static void emit_lost(struct godiag_rb *rb, u64 ts, bool keep)
{
	struct godiag_rec_lost *rec = rb_reserve(rb, LOST_LEN, keep);
	u64 first, last;
	long n;

	if (rec) {
		first = rb->lost_first_ns;
		last = rb->lost_last_ns;
		n = local_xchg(&rb->lost_pending, 0);
		memset(rec, 0, LOST_LEN);
		rec->hdr.type = n ? GODIAG_REC_LOST : GODIAG_REC_PAD;
		rec->hdr.size = LOST_LEN;
		rec->hdr.cpu = rb->cpu;
		rec->hdr.ts_ns = ts;
		rec->count = n;
		/* A nested writer may have been halfway through updating them. */
		rec->first_ns = min(first, last);
		rec->last_ns = max(first, last);
		rb->marked_at = local_read(&rb->head);
	}
	godiag_rb_commit(rb);
}

/*
 * Whether a writer with losses pending writes a marker now. Discard mode:
 * before the first record that fits again. Overwrite mode loses a record
 * for each one written once the buffer is full: one marker per quarter
 * of the buffer written, not one per record. A marker overwritten in its
 * turn gives its count back (reclaim_done()), so none is ever dropped.
 */
static bool marker_due(struct godiag_rb *rb)
{
	return !rb->overwrite || local_read(&rb->head) - rb->marked_at >= rb->size / 4;
}

/*
 * Reserve @len bytes (a multiple of 8) for the record of an event at @ts,
 * after a LOST marker for the records lost before it. Returns NULL when
 * the record is lost (counted). Must be followed by godiag_rb_commit() on
 * the same CPU, also when NULL is returned.
 */
void *godiag_rb_reserve_rec(struct godiag_rb *rb, unsigned int len, u64 ts)
{
	bool keep = !rb->overwrite;
	void *rec;

	local_inc(&rb->written);
	if (unlikely(local_read(&rb->lost_pending)) && marker_due(rb))
		emit_lost(rb, ts, keep);
	rec = rb_reserve(rb, len, keep);
	if (unlikely(!rec))
		note_lost(rb, ts);
	return rec;
}

/*
 * The session stopped: write the marker of the losses still pending, so
 * the stream accounts for every lost record (the sum of its markers'
 * counts is the lost counter). No writer may run on @rb any more. In
 * discard mode the room the writers left is used (rb_room()); overwrite
 * mode makes room as a writer does.
 */
void godiag_rb_flush_lost(struct godiag_rb *rb, u64 ts)
{
	if (local_read(&rb->lost_pending))
		emit_lost(rb, ts, false);
}

/*
 * After a commit on this CPU: whether the reader should be woken now,
 * because what is committed and unread passed half the buffer. Says so
 * once per eighth of the buffer committed after that, not for every
 * record while the reader catches up. Only this CPU's writers call it;
 * a nested writer racing on wake_at costs a wakeup more or less, which
 * the session's timer covers.
 */
bool godiag_rb_wake_due(struct godiag_rb *rb)
{
	u64 head = READ_ONCE(rb->page->data_head);
	u64 tail = READ_ONCE(rb->page->data_tail);

	if (head - tail < rb->size / 2 || head < rb->wake_at)
		return false;
	rb->wake_at = head + rb->size / 8;
	return true;
}

bool godiag_rb_empty(const struct godiag_rb *rb)
{
	/* Pairs with the release in godiag_rb_commit(). */
	return smp_load_acquire(&rb->page->data_head) ==
	       READ_ONCE(rb->page->data_tail);
}

/* Times one read() looks again when a writer took records from under it. */
#define READ_RETRIES	1000

/*
 * Copy whole records to @buf. Returns bytes copied (0 when empty) or
 * -EFAULT when nothing could be copied. Callers serialise readers.
 */
ssize_t godiag_rb_read(struct godiag_rb *rb, char __user *buf, size_t len)
{
	unsigned int retries = 0;
	size_t copied = 0;

	while (retries < READ_RETRIES) {
		struct godiag_rec *rec;
		u64 tail, head, off;
		u16 rlen, type;

		/*
		 * The tail first: both only grow and the tail never passes the
		 * head, so a head loaded after it is at or past it. The other
		 * way round, a reader held up between the loads while the
		 * writer overwrites would see a tail past its stale head.
		 * Acquire: orders the head's load after it; pairs with the
		 * writer's cmpxchg.
		 */
		tail = smp_load_acquire(&rb->page->data_tail);
		/* Pairs with the release in godiag_rb_commit(). */
		head = smp_load_acquire(&rb->page->data_head);
		off = tail & (rb->size - 1);
		rec = (struct godiag_rec *)(rb->data + off);
		if (tail == head)
			break;
		rlen = READ_ONCE(rec->size);
		type = READ_ONCE(rec->type);
		if (head - tail > rb->size || rlen > head - tail ||
		    !rec_size_ok(off, rb->size, type, rlen)) {
			/* Overwrite mode: the writer lapped us. Look again. */
			if (READ_ONCE(rb->page->data_tail) != tail) {
				retries++;
				continue;
			}
			/* Only a bad tail written through mmap gets here. */
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
		if (cmpxchg(&rb->page->data_tail, tail, tail + rlen) != tail) {
			retries++;	/* overwritten while we copied: drop the copy */
			continue;
		}
		if (type == GODIAG_REC_PAD)
			continue;
		copied += rlen;
		if (type != GODIAG_REC_LOST)
			atomic64_inc(&rb->read);
	}
	return copied;
}

/* Copy [from, to) of the ring, in position order, to @buf. */
static int rb_copy_span(struct godiag_rb *rb, char __user *buf, u64 from, u64 to)
{
	u64 off = from & (rb->size - 1);
	u64 n = to - from, first = min(n, rb->size - off);

	if (copy_to_user(buf, rb->data + off, first))
		return -EFAULT;
	if (n > first && copy_to_user(buf + first, rb->data, n - first))
		return -EFAULT;
	return 0;
}

/*
 * Copy the buffer without consuming it (GODIAG_IOC_SNAPSHOT). The writer
 * frees room by moving data_tail with a full barrier before it writes
 * there, so once the copy is done and data_tail loaded again, every
 * byte from that tail on was copied before anything overwrote it: the
 * records from there to head are whole. Those before it are dropped by
 * the caller. The kernel never parses the copy.
 */
int godiag_rb_snapshot(struct godiag_rb *rb, char __user *buf, u64 len,
		       struct godiag_snapshot *out)
{
	u64 tail, head;
	int ret;

	/* The tail first, as in godiag_rb_read(); pairs with the writer's cmpxchg. */
	tail = smp_load_acquire(&rb->page->data_tail);
	/* Pairs with the release in godiag_rb_commit(). */
	head = smp_load_acquire(&rb->page->data_head);
	/* Only a tail written through mmap is out of the ring. */
	if (head - tail > rb->size || tail > head)
		tail = head;
	if (head - tail > len)
		return -ENOSPC;
	ret = rb_copy_span(rb, buf, tail, head);
	if (ret)
		return ret;
	/*
	 * The copy is complete before the tail that validates it is loaded;
	 * pairs with the full barrier of the writer's cmpxchg of data_tail.
	 */
	smp_rmb();
	out->first = tail;
	out->valid_from = max(READ_ONCE(rb->page->data_tail), tail);
	out->head = head;
	out->written = local_read(&rb->written);
	out->lost = local_read(&rb->lost);
	return 0;
}
