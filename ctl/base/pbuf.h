/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small protocol buffers encoder (the wire format: varints, fixed64,
 * and length-delimited fields for strings, bytes, packed numbers and
 * nested messages), enough to write profile.proto for `go tool pprof` and
 * Perfetto's trace, and a gzip writer for the result (stored deflate
 * blocks: no compression, no library; pprof reads it as gzip).
 *
 *	struct pbuf m = PBUF_INIT, sub = PBUF_INIT;
 *	pbuf_varint_field(&sub, 1, 42);
 *	pbuf_message(&m, 3, &sub);	-> field 3 holds the message {1: 42}
 *
 * or, without a second buffer, a message written in place:
 *
 *	size_t at = pbuf_open(&m, 3);
 *	pbuf_varint_field(&m, 1, 42);
 *	pbuf_close(&m, at);
 */
#ifndef GODIAGCTL_PBUF_H
#define GODIAGCTL_PBUF_H

#include <stddef.h>
#include <stdint.h>

struct pbuf {
	uint8_t *p;
	size_t len, cap;
};

#define PBUF_INIT	{ NULL, 0, 0 }

void pbuf_free(struct pbuf *b);
void pbuf_bytes(struct pbuf *b, const void *data, size_t len);
void pbuf_varint(struct pbuf *b, uint64_t v);

/* Field number field: a varint (wire type 0). */
void pbuf_varint_field(struct pbuf *b, uint32_t field, uint64_t v);
/* Wire type 1: eight bytes, little-endian (fixed64, double). */
void pbuf_fixed64_field(struct pbuf *b, uint32_t field, uint64_t v);
/* Length-delimited (wire type 2): bytes, a string, a message. */
void pbuf_bytes_field(struct pbuf *b, uint32_t field, const void *data, size_t len);
void pbuf_string_field(struct pbuf *b, uint32_t field, const char *s);
/* The message in sub as field number field of b; sub is emptied. */
void pbuf_message(struct pbuf *b, uint32_t field, struct pbuf *sub);

/*
 * A message as field number field of b, written in place: pbuf_open()
 * reserves one byte for its length and returns where; pbuf_close() sets
 * the length of what was written since, moving the message up when the
 * length needs more than one byte (128 bytes or more). Opens nest.
 */
size_t pbuf_open(struct pbuf *b, uint32_t field);
void pbuf_close(struct pbuf *b, size_t at);

/* data as a gzip file (RFC 1952) in out. */
void pbuf_gzip(struct pbuf *out, const void *data, size_t len);

#endif
