// SPDX-License-Identifier: GPL-2.0
/*
 * ctl/module/ringread.c against a concurrent writer thread that follows the
 * module's protocol (kmod/ringbuf.c): discard mode drops new records when
 * full; overwrite mode reclaims the oldest with a CAS on data_tail. Every
 * record is filled with its sequence number, so a torn copy shows; and
 * every record is either delivered once or counted lost by the writer.
 */
#include <pthread.h>
#include <stdlib.h>

#include "module/ringread.h"
#include "test.h"

#define AREA		(16 * 1024)
#define RECORDS		300000
#define REC_WORDS	8	/* 64 bytes: header (4 words) + 4 payload words */

struct shared {
	struct godiag_mmap_page page;
	uint64_t data[AREA / 8];
	bool overwrite;
	uint64_t lost;		/* counted by the writer */
	int done;
};

static uint64_t tail_of(struct shared *s)
{
	return __atomic_load_n(&s->page.data_tail, __ATOMIC_ACQUIRE);
}

/* Overwrite mode: take the oldest records until end fits (rb_make_room). */
static void make_room(struct shared *s, uint64_t end, uint64_t committed)
{
	for (;;) {
		uint64_t tail = tail_of(s);
		const struct godiag_rec *rec;
		uint16_t len, type;
		__u64 expected = tail;

		if (end - tail <= AREA || tail >= committed)
			return;
		rec = (const void *)((uint8_t *)s->data + (tail & (AREA - 1)));
		len = __atomic_load_n(&rec->size, __ATOMIC_RELAXED);
		type = __atomic_load_n(&rec->type, __ATOMIC_RELAXED);
		if (__atomic_compare_exchange_n(&s->page.data_tail, &expected, tail + len,
						false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED) &&
		    type != GODIAG_REC_PAD)
			s->lost++;
	}
}

static bool room(struct shared *s, uint64_t head, uint64_t end)
{
	if (s->overwrite) {
		make_room(s, end, head);
		return end - tail_of(s) <= AREA;
	}
	return end - tail_of(s) <= AREA;
}

static void write_rec(struct shared *s, uint64_t pos, uint64_t seq)
{
	uint64_t *w = (uint64_t *)((uint8_t *)s->data + (pos & (AREA - 1)));
	struct godiag_rec h = {
		.type = GODIAG_REC_SYSCALL, .size = REC_WORDS * 8,
		.tgid = (uint32_t)seq, .tid = (uint32_t)seq, .ts_ns = seq, .goid = seq,
	};
	int i;

	memcpy(w, &h, sizeof(h));
	for (i = 4; i < REC_WORDS; i++)
		__atomic_store_n(&w[i], seq, __ATOMIC_RELAXED);
}

/* A little work per event, so the reader keeps up some of the time. */
static void some_work(void)
{
	volatile int spin;

	for (spin = 0; spin < 200; spin++)
		;
}

static void *writer(void *arg)
{
	struct shared *s = arg;
	uint64_t head = 0, seq;

	for (seq = 1; seq <= RECORDS; seq++) {
		uint64_t off = head & (AREA - 1), len = REC_WORDS * 8;
		uint64_t pad = off + len > AREA ? AREA - off : 0;
		uint64_t end = head + pad + len;

		some_work();

		if (!room(s, head, end)) {
			s->lost++;
			continue;
		}
		if (pad) {
			struct godiag_rec *p = (void *)((uint8_t *)s->data + off);

			p->type = GODIAG_REC_PAD;
			p->size = (uint16_t)pad;
		}
		write_rec(s, head + pad, seq);
		head = end;
		__atomic_store_n(&s->page.data_head, head, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

struct check {
	uint64_t delivered;
	uint64_t last_seq;
	uint64_t torn;
	uint64_t out_of_order;
};

static void on_rec(const struct godiag_rec *rec, size_t len, unsigned int cpu,
		   void *arg)
{
	const uint64_t *w = (const uint64_t *)rec;
	struct check *c = arg;
	uint64_t seq = rec->ts_ns;
	int i;

	(void)cpu;
	c->delivered++;
	if (len != REC_WORDS * 8 || rec->tgid != (uint32_t)seq || rec->goid != seq)
		c->torn++;
	for (i = 4; i < REC_WORDS; i++)
		if (w[i] != seq)
			c->torn++;
	if (seq <= c->last_seq)
		c->out_of_order++;
	c->last_seq = seq;
}

static void run(bool overwrite)
{
	struct shared *s = calloc(1, sizeof(*s));
	struct check c = { 0 };
	struct ring r;
	pthread_t t;

	test_begin("ringread %s: %d records against a concurrent writer",
		   overwrite ? "overwrite" : "discard", RECORDS);
	s->page.data_size = AREA;
	s->overwrite = overwrite;
	ring_init(&r, &s->page, s->data, AREA, 0, overwrite);
	pthread_create(&t, NULL, writer, s);
	while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE))
		ring_drain(&r, on_rec, &c);
	pthread_join(t, NULL);
	/* As after SESSION_STOP: no writer left, drain to the end. */
	while (ring_drain(&r, on_rec, &c))
		;
	CHECK_U64(c.torn, 0);
	CHECK_U64(c.out_of_order, 0);
	CHECK_U64(c.delivered, r.records);
	/* Delivered once or lost: the invariant capture checks per CPU. */
	CHECK_U64(c.delivered + s->lost, RECORDS);
	CHECK_U64(s->page.data_tail, s->page.data_head);
	CHECK_U64(r.skipped, 0);
	if (!overwrite)
		CHECK_U64(r.torn, 0);
	printf("# %s: %llu delivered, %llu lost, %llu torn copies dropped\n",
	       overwrite ? "overwrite" : "discard", (unsigned long long)c.delivered,
	       (unsigned long long)s->lost, (unsigned long long)r.torn);
	test_end();
	free(s);
}

int main(void)
{
	run(false);
	run(true);
	return test_summary();
}
