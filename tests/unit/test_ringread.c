// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap consumer from ctl/module/ringread.c, on plain memory laid out like a
 * mapping: a control page and a record area that a fake writer fills the
 * way the module does (PAD records at the end instead of wrapping).
 */
#include <stdlib.h>

#include "module/ringread.h"
#include "test.h"

#define AREA 4096

struct fake {
	struct godiag_mmap_page page;
	uint64_t data[AREA / 8];	/* 8-byte aligned, as the module's */
	uint64_t head;			/* reserved; published into page */
};

static void fake_init(struct fake *f, uint64_t start)
{
	memset(f, 0, sizeof(*f));
	f->head = start;
	f->page.data_head = start;
	f->page.data_tail = start;
	f->page.data_size = AREA;
}

static uint8_t *at(struct fake *f, uint64_t pos)
{
	return (uint8_t *)f->data + (pos & (AREA - 1));
}

/* Like godiag_rb_reserve + commit: a PAD fills the end when len does not fit. */
static void fake_put(struct fake *f, const void *rec, uint16_t len)
{
	uint64_t off = f->head & (AREA - 1);

	if (off + len > AREA) {
		struct godiag_rec *pad = (struct godiag_rec *)at(f, f->head);

		pad->type = GODIAG_REC_PAD;
		pad->size = (uint16_t)(AREA - off);
		f->head += AREA - off;
	}
	memcpy(at(f, f->head), rec, len);
	f->head += len;
	f->page.data_head = f->head;
}

static void put_syscall(struct fake *f, uint32_t tgid, uint32_t nr)
{
	struct godiag_rec_syscall r;

	memset(&r, 0, sizeof(r));
	r.hdr.type = GODIAG_REC_SYSCALL;
	r.hdr.size = sizeof(r);
	r.hdr.tgid = tgid;
	r.nr = nr;
	fake_put(f, &r, sizeof(r));
}

static void put_lost(struct fake *f, uint64_t count)
{
	struct godiag_rec_lost r;

	memset(&r, 0, sizeof(r));
	r.hdr.type = GODIAG_REC_LOST;
	r.hdr.size = sizeof(r);
	r.count = count;
	fake_put(f, &r, sizeof(r));
}

/* What the consumer handed out, one line per record. */
struct seen {
	char text[4096];
	size_t len;
	unsigned int calls;
};

static void on_rec(const struct godiag_rec *rec, size_t len, unsigned int cpu,
		   void *arg)
{
	struct seen *s = arg;

	s->calls++;
	if (s->len < sizeof(s->text))
		s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len,
					   "cpu%u type=%u len=%zu tgid=%u\n", cpu,
					   rec->type, len, rec->tgid);
}

static void ring_of(struct ring *r, struct fake *f, bool overwrite)
{
	ring_init(r, &f->page, f->data, AREA, 3, overwrite);
}

static void test_empty(bool ow)
{
	struct fake f;
	struct ring r;
	struct seen s = { .len = 0 };

	test_begin("ringread %s: an empty buffer yields nothing", ow ? "overwrite" : "discard");
	fake_init(&f, 0);
	ring_of(&r, &f, ow);
	CHECK_U64(ring_drain(&r, on_rec, &s), 0);
	CHECK_U64(s.calls, 0);
	CHECK_U64(f.page.data_tail, 0);
	test_end();
}

static void test_records_and_lost(bool ow)
{
	struct fake f;
	struct ring r;
	struct seen s = { .len = 0 };

	test_begin("ringread %s: records and LOST markers, counted apart",
		   ow ? "overwrite" : "discard");
	fake_init(&f, 0);
	ring_of(&r, &f, ow);
	put_syscall(&f, 10, 1);
	put_lost(&f, 5);
	put_syscall(&f, 11, 2);
	put_lost(&f, 2);
	CHECK_U64(ring_drain(&r, on_rec, &s), 4);
	CHECK_STR(s.text, "cpu3 type=2 len=64 tgid=10\n"
			  "cpu3 type=1 len=56 tgid=0\n"
			  "cpu3 type=2 len=64 tgid=11\n"
			  "cpu3 type=1 len=56 tgid=0\n");
	CHECK_U64(r.records, 2);
	CHECK_U64(r.lost, 7);
	CHECK_U64(f.page.data_tail, 240);
	CHECK_U64(ring_drain(&r, on_rec, &s), 0);
	test_end();
}

/* A PAD of pad bytes at the end: 8 is the smallest (type and size only). */
static void test_wrap(bool ow, unsigned int pad)
{
	struct fake f;
	struct ring r;
	struct seen s = { .len = 0 };
	uint64_t start = 7 * AREA - pad - 64;

	test_begin("ringread %s: records around a %u-byte PAD at the end",
		   ow ? "overwrite" : "discard", pad);
	fake_init(&f, start);
	ring_of(&r, &f, ow);
	put_syscall(&f, 1, 0);	/* ends pad bytes before the end */
	put_syscall(&f, 2, 0);	/* does not fit: PAD, then at offset 0 */
	put_syscall(&f, 3, 0);
	CHECK_U64(f.head, 7 * AREA + 128);
	CHECK_U64(ring_drain(&r, on_rec, &s), 3);
	CHECK_STR(s.text, "cpu3 type=2 len=64 tgid=1\n"
			  "cpu3 type=2 len=64 tgid=2\n"
			  "cpu3 type=2 len=64 tgid=3\n");
	CHECK_U64(f.page.data_tail, f.head);
	CHECK_U64(r.records, 3);
	CHECK_U64(r.skipped, 0);
	test_end();
}

static void test_unknown_type(bool ow)
{
	uint64_t rec[6] = { 0 };
	struct godiag_rec *h = (struct godiag_rec *)rec;
	struct fake f;
	struct ring r;
	struct seen s = { .len = 0 };

	test_begin("ringread %s: unknown record types are passed on",
		   ow ? "overwrite" : "discard");
	fake_init(&f, 0);
	ring_of(&r, &f, ow);
	h->type = 200;
	h->size = sizeof(rec);
	h->tgid = 9;
	fake_put(&f, rec, sizeof(rec));
	CHECK_U64(ring_drain(&r, on_rec, &s), 1);
	CHECK_STR(s.text, "cpu3 type=200 len=48 tgid=9\n");
	CHECK_U64(r.records, 1);
	test_end();
}

/* A record whose size cannot be right: what precedes it is kept, the rest dropped. */
static void test_bad_size(bool ow, uint16_t size)
{
	struct godiag_rec bad = { .type = GODIAG_REC_SYSCALL };
	uint64_t filler[8] = { 0 };
	struct fake f;
	struct ring r;
	struct seen s = { .len = 0 };

	test_begin("ringread %s: a record of size %u ends the drain safely",
		   ow ? "overwrite" : "discard", size);
	fake_init(&f, 0);
	ring_of(&r, &f, ow);
	put_syscall(&f, 1, 0);
	bad.size = size;
	memcpy(filler, &bad, sizeof(bad));
	fake_put(&f, filler, sizeof(filler));
	put_syscall(&f, 2, 0);
	CHECK_U64(ring_drain(&r, on_rec, &s), 1);
	CHECK_STR(s.text, "cpu3 type=2 len=64 tgid=1\n");
	CHECK_U64(r.skipped, 1);
	CHECK_U64(f.page.data_tail, f.head);
	test_end();
}

static void test_record_past_head(bool ow)
{
	struct fake f;
	struct ring r;
	struct seen s = { .len = 0 };

	test_begin("ringread %s: a record reaching past data_head is not read",
		   ow ? "overwrite" : "discard");
	fake_init(&f, 0);
	ring_of(&r, &f, ow);
	put_syscall(&f, 1, 0);
	f.page.data_head = 32;	/* half of it published */
	CHECK_U64(ring_drain(&r, on_rec, &s), 0);
	CHECK_U64(s.calls, 0);
	CHECK_U64(r.skipped, 1);
	test_end();
}

static void test_bad_positions(void)
{
	struct fake f;
	struct ring r;
	struct seen s = { .len = 0 };

	test_begin("ringread discard: a tail past the head is reset to the head");
	fake_init(&f, 1000);
	ring_of(&r, &f, false);
	f.page.data_tail = 2000;
	CHECK_U64(ring_drain(&r, on_rec, &s), 0);
	CHECK_U64(f.page.data_tail, 1000);
	CHECK_U64(r.skipped, 1);
	test_end();

	test_begin("ringread discard: more than a buffer between tail and head");
	fake_init(&f, 0);
	ring_of(&r, &f, false);
	f.page.data_head = 3 * AREA;
	CHECK_U64(ring_drain(&r, on_rec, &s), 0);
	CHECK_U64(f.page.data_tail, 3 * AREA);
	test_end();

	test_begin("ringread overwrite: a lapped reader gives up after retries");
	fake_init(&f, 0);
	ring_of(&r, &f, true);
	f.page.data_head = 3 * AREA;
	CHECK_U64(ring_drain(&r, on_rec, &s), 0);
	CHECK_U64(s.calls, 0);
	test_end();

	test_begin("ringread: a misaligned tail is given up on");
	fake_init(&f, 0);
	ring_of(&r, &f, true);
	put_syscall(&f, 1, 0);
	f.page.data_tail = 4;
	CHECK_U64(ring_drain(&r, on_rec, &s), 0);
	CHECK_U64(f.page.data_tail, f.head);
	test_end();
}

/* A long drain frees room as it goes, then ends with tail == head. */
static void test_long_drain(void)
{
	struct fake f;
	struct ring r;
	struct seen s = { .len = 0 };
	int i;

	test_begin("ringread discard: a full buffer drains completely");
	fake_init(&f, 123 * 8);
	ring_of(&r, &f, false);
	for (i = 0; i < AREA / 64 - 1; i++)
		put_syscall(&f, (uint32_t)i, 0);
	CHECK_U64(ring_drain(&r, on_rec, &s), AREA / 64 - 1);
	CHECK_U64(r.records, AREA / 64 - 1);
	CHECK_U64(f.page.data_tail, f.head);
	CHECK_U64(r.raced, 0);
	test_end();
}

int main(void)
{
	int ow;

	for (ow = 0; ow <= 1; ow++) {
		test_empty(ow);
		test_records_and_lost(ow);
		test_wrap(ow, 8);
		test_wrap(ow, 16);
		test_wrap(ow, 56);
		test_unknown_type(ow);
		test_bad_size(ow, 0);
		test_bad_size(ow, 12);
		test_bad_size(ow, 16);
		test_bad_size(ow, 8192);
		test_record_past_head(ow);
	}
	test_bad_positions();
	test_long_drain();
	return test_summary();
}
