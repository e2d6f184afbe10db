// SPDX-License-Identifier: GPL-2.0
/*
 * Draining a CPU's buffer through its mapping.
 *
 * Positions are byte counts that only grow; a record sits at position &
 * (size - 1) and never wraps (PAD records fill the end of the area). The
 * module publishes data_head with release semantics after the records
 * below it are complete; the reader consumes by moving data_tail.
 *
 * Discard mode: only readers move data_tail, so the records between tail
 * and head are stable; they are handed out in place and the tail is
 * published in batches, so the writer gets room back during long drains.
 *
 * Overwrite mode: the writer also moves data_tail, over the oldest
 * records, when it needs room. Each record is copied first and claimed
 * afterwards with a compare-and-swap of data_tail; if the CAS fails the
 * writer took the record while it was being copied, so the copy may be
 * torn and is dropped (the module counted that record as lost).
 *
 * Nothing in the shared memory is trusted: a record size that cannot be
 * right makes the reader give up on the rest of what is committed, as the
 * module's own read() does, rather than walk out of the area.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "module/ringread.h"

#define REC_ALIGN	8
/* Overwrite mode: times a drain re-reads positions the writer moved. */
#define MAX_RETRIES	1000

void ring_init(struct ring *r, struct godiag_mmap_page *page, const void *data,
	       uint64_t size, unsigned int cpu, bool overwrite)
{
	memset(r, 0, sizeof(*r));
	r->page = page;
	r->data = data;
	r->size = size;
	r->cpu = cpu;
	r->overwrite = overwrite;
}

/* The shared page's fields are __u64 (unsigned long long). */
static uint64_t load_acquire(const __u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Full barrier: the record was read completely before it is released. */
static bool tail_cas(struct ring *r, uint64_t old, uint64_t new)
{
	__u64 expected = old;

	return __atomic_compare_exchange_n(&r->page->data_tail, &expected, new, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

static const struct godiag_rec *rec_at(const struct ring *r, uint64_t pos)
{
	return (const struct godiag_rec *)(r->data + (pos & (r->size - 1)));
}

/*
 * The size of the record at pos if it can be right, else 0. Reads type
 * and size once: the caller must use these values, not re-read them.
 */
static uint16_t rec_len(const struct ring *r, uint64_t pos, uint16_t *type)
{
	uint64_t off = pos & (r->size - 1);
	const struct godiag_rec *h = rec_at(r, pos);
	uint16_t t, n;

	if (off % REC_ALIGN)
		return 0;
	/* A PAD may be only 8 bytes: its type and size are all there is. */
	t = __atomic_load_n(&h->type, __ATOMIC_RELAXED);
	n = __atomic_load_n(&h->size, __ATOMIC_RELAXED);
	if (n < REC_ALIGN || n % REC_ALIGN || n > r->size - off)
		return 0;
	if (t != GODIAG_REC_PAD &&
	    (n < sizeof(struct godiag_rec) || n > GODIAG_REC_SIZE_MAX))
		return 0;
	*type = t;
	return n;
}

static void deliver(struct ring *r, const struct godiag_rec *rec, uint16_t type,
		    size_t len, ring_rec_fn fn, void *arg)
{
	if (type != GODIAG_REC_LOST)
		r->records++;
	else if (len >= sizeof(struct godiag_rec_lost))
		r->lost += ((const struct godiag_rec_lost *)rec)->count;
	fn(rec, len, r->cpu, arg);
}

/* Discard mode: move data_tail from *tail to pos. */
static void publish(struct ring *r, uint64_t *tail, uint64_t pos)
{
	if (pos == *tail)
		return;
	/* Only another reader of this session can have moved it. */
	if (!tail_cas(r, *tail, pos))
		r->raced++;
	*tail = pos;
}

static uint64_t drain_discard(struct ring *r, ring_rec_fn fn, void *arg)
{
	uint64_t tail = load_acquire(&r->page->data_tail);
	uint64_t head = load_acquire(&r->page->data_head);
	uint64_t pos = tail, batch = r->size / 4, n = 0;
	uint16_t type = 0, len;

	if (head - tail > r->size) {
		/* tail past head, or more than a buffer between them */
		r->skipped++;
		publish(r, &tail, head);
		return 0;
	}
	while (pos != head) {
		len = rec_len(r, pos, &type);
		if (!len || len > head - pos) {
			r->skipped++;
			pos = head;
			break;
		}
		if (type != GODIAG_REC_PAD) {
			deliver(r, rec_at(r, pos), type, len, fn, arg);
			n++;
		}
		pos += len;
		if (pos - tail >= batch)
			publish(r, &tail, pos);
	}
	publish(r, &tail, pos);
	return n;
}

/* Overwrite mode: copy, then claim; see the top of the file. */
static uint64_t drain_overwrite(struct ring *r, ring_rec_fn fn, void *arg)
{
	uint64_t copy[GODIAG_REC_SIZE_MAX / sizeof(uint64_t)];
	unsigned int retries = 0;
	uint64_t n = 0;

	while (retries < MAX_RETRIES) {
		/* tail first: then head >= tail, as both only grow. */
		uint64_t tail = load_acquire(&r->page->data_tail);
		uint64_t head = load_acquire(&r->page->data_head);
		uint16_t type = 0, len;

		if (tail == head)
			break;
		if (head - tail > r->size) {
			/* The writer lapped us between the loads: look again. */
			retries++;
			continue;
		}
		len = rec_len(r, tail, &type);
		if (!len || len > head - tail) {
			if (load_acquire(&r->page->data_tail) != tail) {
				retries++;
				continue;
			}
			if (tail_cas(r, tail, head))
				r->skipped++;
			continue;
		}
		if (type != GODIAG_REC_PAD)
			memcpy(copy, rec_at(r, tail), len);
		if (!tail_cas(r, tail, tail + len)) {
			r->torn += type != GODIAG_REC_PAD;
			retries++;
			continue;
		}
		if (type != GODIAG_REC_PAD) {
			deliver(r, (const struct godiag_rec *)copy, type, len, fn, arg);
			n++;
		}
	}
	return n;
}

uint64_t ring_drain(struct ring *r, ring_rec_fn fn, void *arg)
{
	return r->overwrite ? drain_overwrite(r, fn, arg) : drain_discard(r, fn, arg);
}

int ring_map(struct ring *r, int fd, unsigned int cpu, uint32_t bufsize,
	     bool overwrite)
{
	long page_size = sysconf(_SC_PAGESIZE);
	uint64_t stride = GODIAG_MMAP_STRIDE(bufsize, page_size);
	struct godiag_mmap_page *page;
	void *m;

	m = mmap(NULL, stride, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)(cpu * stride));
	if (m == MAP_FAILED)
		return -1;
	page = m;
	if (page->version != GODIAG_ABI_VERSION || page->cpu != cpu ||
	    page->data_size != bufsize) {
		munmap(m, stride);
		errno = EPROTO;
		return -1;
	}
	ring_init(r, page, (const uint8_t *)m + page_size, bufsize, cpu, overwrite);
	r->map = m;
	r->map_len = stride;
	return 0;
}

void ring_unmap(struct ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	r->map = NULL;
}
