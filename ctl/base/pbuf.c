// SPDX-License-Identifier: GPL-2.0
/* The protocol buffers wire format and a gzip container (pbuf.h). */
#include <stdlib.h>
#include <string.h>

#include "base/pbuf.h"
#include "base/util.h"

#define WIRE_VARINT	0
#define WIRE_FIXED64	1
#define WIRE_LEN	2
/* A stored deflate block holds at most this many bytes. */
#define STORED_MAX	65535U

void pbuf_free(struct pbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void pbuf_bytes(struct pbuf *b, const void *data, size_t len)
{
	if (!len)
		return;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + len)
			cap *= 2;
		b->p = xreallocarray(b->p, cap, 1);
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* v as a varint in buf (10 bytes at most); its length. */
static size_t varint_encode(uint8_t *buf, uint64_t v)
{
	size_t n = 0;

	do {
		buf[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			buf[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

void pbuf_varint(struct pbuf *b, uint64_t v)
{
	uint8_t buf[10];

	pbuf_bytes(b, buf, varint_encode(buf, v));
}

void pbuf_varint_field(struct pbuf *b, uint32_t field, uint64_t v)
{
	pbuf_varint(b, (uint64_t)field << 3 | WIRE_VARINT);
	pbuf_varint(b, v);
}

void pbuf_bytes_field(struct pbuf *b, uint32_t field, const void *data, size_t len)
{
	pbuf_varint(b, (uint64_t)field << 3 | WIRE_LEN);
	pbuf_varint(b, len);
	pbuf_bytes(b, data, len);
}

void pbuf_string_field(struct pbuf *b, uint32_t field, const char *s)
{
	pbuf_bytes_field(b, field, s, strlen(s));
}

void pbuf_message(struct pbuf *b, uint32_t field, struct pbuf *sub)
{
	pbuf_bytes_field(b, field, sub->p, sub->len);
	sub->len = 0;
}

void pbuf_fixed64_field(struct pbuf *b, uint32_t field, uint64_t v)
{
	uint8_t x[8];
	int i;

	for (i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	pbuf_varint(b, (uint64_t)field << 3 | WIRE_FIXED64);
	pbuf_bytes(b, x, 8);
}

size_t pbuf_open(struct pbuf *b, uint32_t field)
{
	uint8_t slot = 0;

	pbuf_varint(b, (uint64_t)field << 3 | WIRE_LEN);
	pbuf_bytes(b, &slot, 1);
	return b->len - 1;
}

void pbuf_close(struct pbuf *b, size_t at)
{
	size_t len = b->len - at - 1, n;
	uint8_t v[10];

	n = varint_encode(v, len);
	if (n > 1) {
		/* Room for the varint's other bytes, then the message moves up. */
		pbuf_bytes(b, v + 1, n - 1);
		memmove(b->p + at + n, b->p + at + 1, len);
	}
	memcpy(b->p + at, v, n);
}

/* ---- gzip ----------------------------------------------------------- */

static uint32_t crc32_ieee(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffU;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return ~crc;
}

static void le32(struct pbuf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	pbuf_bytes(b, x, 4);
}

void pbuf_gzip(struct pbuf *out, const void *data, size_t len)
{
	/* magic, deflate, no flags, no time, no extra flags, OS unknown */
	static const uint8_t head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff };
	const uint8_t *p = data;
	size_t off = 0;

	pbuf_bytes(out, head, sizeof(head));
	do {
		size_t n = len - off > STORED_MAX ? STORED_MAX : len - off;
		uint8_t blk[5];

		blk[0] = off + n == len;	/* BFINAL, BTYPE 00: stored */
		blk[1] = (uint8_t)n;
		blk[2] = (uint8_t)(n >> 8);
		blk[3] = (uint8_t)~n;
		blk[4] = (uint8_t)(~n >> 8);
		pbuf_bytes(out, blk, 5);
		pbuf_bytes(out, p + off, n);
		off += n;
	} while (off < len);
	le32(out, crc32_ieee(p, len));
	le32(out, (uint32_t)len);
}
