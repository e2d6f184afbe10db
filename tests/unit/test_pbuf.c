// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol buffers encoder (ctl/base/pbuf.c): varints and fixed64 as
 * the wire format spells them, and messages written in place
 * (pbuf_open/pbuf_close) the same as those built apart and copied
 * (pbuf_message), for lengths on each side of a varint's byte
 * boundaries, nested, and beside each other.
 */
#include <stdlib.h>

#include "base/pbuf.h"
#include "test.h"

static void check_bytes(const struct pbuf *b, const uint8_t *want, size_t len)
{
	CHECK_U64(b->len, len);
	if (b->len == len)
		CHECK(!memcmp(b->p, want, len));
}

static void test_varint(void)
{
	static const uint8_t want[] = {
		0x08, 0x00,			/* 1: 0 */
		0x10, 0x96, 0x01,		/* 2: 150 */
		0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, /* 3: -1 */
		0xf8, 0x02, 0x7f,		/* 47: 127 */
	};
	struct pbuf b = PBUF_INIT;

	test_begin("pbuf: varint fields");
	pbuf_varint_field(&b, 1, 0);
	pbuf_varint_field(&b, 2, 150);
	pbuf_varint_field(&b, 3, UINT64_MAX);
	pbuf_varint_field(&b, 47, 127);
	check_bytes(&b, want, sizeof(want));
	pbuf_free(&b);
	test_end();
}

static void test_fixed64(void)
{
	/* Field 47, wire type 1: 47 << 3 | 1 = 377, then eight bytes, low first. */
	static const uint8_t want[] = { 0xf9, 0x02, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };
	struct pbuf b = PBUF_INIT;

	test_begin("pbuf: a fixed64 field, little-endian");
	pbuf_fixed64_field(&b, 47, 0x0102030405060708ULL);
	check_bytes(&b, want, sizeof(want));
	pbuf_free(&b);
	test_end();
}

/* A string field (1 + its length's varint + len bytes) of len bytes c. */
static void fill(struct pbuf *b, size_t len, char c)
{
	char *s = malloc(len + 1);

	memset(s, c, len);
	s[len] = '\0';
	pbuf_string_field(b, 6, s);
	free(s);
}

/* A message holding a string of n bytes in place, and the same built apart. */
static void test_open_close(size_t n)
{
	struct pbuf a = PBUF_INIT, b = PBUF_INIT, sub = PBUF_INIT;
	size_t at;

	test_begin("pbuf: a message of %zu bytes written in place", n + 2 + (n >= 128) +
		   (n >= 16384) + (n >= 2097152));
	pbuf_varint_field(&a, 1, 7);
	at = pbuf_open(&a, 3);
	fill(&a, n, 'x');
	pbuf_close(&a, at);
	pbuf_varint_field(&a, 2, 9);

	pbuf_varint_field(&b, 1, 7);
	fill(&sub, n, 'x');
	pbuf_message(&b, 3, &sub);
	pbuf_varint_field(&b, 2, 9);
	check_bytes(&a, b.p, b.len);
	pbuf_free(&a);
	pbuf_free(&b);
	pbuf_free(&sub);
	test_end();
}

/* Messages in messages, long and short, an empty one, siblings after a long one. */
static void test_nested(void)
{
	struct pbuf a = PBUF_INIT, b = PBUF_INIT, inner = PBUF_INIT, outer = PBUF_INIT;
	size_t o, i;

	test_begin("pbuf: nested and sibling messages written in place");
	o = pbuf_open(&a, 1);
	i = pbuf_open(&a, 2);
	fill(&a, 300, 'a');
	pbuf_close(&a, i);
	i = pbuf_open(&a, 2);
	fill(&a, 5, 'b');
	pbuf_close(&a, i);
	fill(&a, 200, 'c');
	pbuf_close(&a, o);
	o = pbuf_open(&a, 4);
	pbuf_close(&a, o);

	fill(&inner, 300, 'a');
	pbuf_message(&outer, 2, &inner);
	fill(&inner, 5, 'b');
	pbuf_message(&outer, 2, &inner);
	fill(&outer, 200, 'c');
	pbuf_message(&b, 1, &outer);
	pbuf_message(&b, 4, &outer);
	check_bytes(&a, b.p, b.len);
	pbuf_free(&a);
	pbuf_free(&b);
	pbuf_free(&inner);
	pbuf_free(&outer);
	test_end();
}

int main(void)
{
	/* Messages of 2, 3, 127, 128, 129, 131, 16383, 16384, 70004, 2097155 bytes. */
	static const size_t sizes[] = { 0, 1, 125, 126, 127, 128, 16380, 16381, 70000,
					2097151 };
	size_t i;

	test_varint();
	test_fixed64();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		test_open_close(sizes[i]);
	test_nested();
	return test_summary();
}
