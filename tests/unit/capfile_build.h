/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for tests that need capture files: the real writer (capw) into
 * a memfd, read back into memory, and a raw builder for files the writer
 * would never produce (corrupt ones).
 */
#ifndef GODIAG_CAPFILE_BUILD_H
#define GODIAG_CAPFILE_BUILD_H

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capfile/capfile.h"

struct membuf {
	uint8_t *buf;
	size_t len;
};

/* A capw writing to a memfd; capw_close() closes only the writer's dup. */
static inline int memfile_open(struct capw *w)
{
	int fd = memfd_create("capfile", 0);

	capw_init(w, dup(fd));
	return fd;
}

/* Everything written to fd, into m (freed with free(m->buf)). */
static inline void memfile_read(int fd, struct membuf *m)
{
	off_t len = lseek(fd, 0, SEEK_END);

	m->len = (size_t)len;
	m->buf = malloc(m->len ? m->len : 1);
	if (pread(fd, m->buf, m->len, 0) != (ssize_t)m->len)
		abort();
	close(fd);
}

static inline void mb_put(struct membuf *m, const void *p, size_t n)
{
	m->buf = realloc(m->buf, m->len + n + 1);
	memcpy(m->buf + m->len, p, n);
	m->len += n;
}

static inline void mb_header(struct membuf *m, uint32_t version, uint32_t header_size)
{
	struct capfile_header h = {
		.version = version,
		.header_size = header_size,
		.abi_version = GODIAG_ABI_VERSION,
	};
	static const uint8_t zero[64];

	memcpy(h.magic, CAPFILE_MAGIC, CAPFILE_MAGIC_LEN);
	mb_put(m, &h, sizeof(h));
	if (header_size > sizeof(h) && header_size - sizeof(h) <= sizeof(zero))
		mb_put(m, zero, header_size - sizeof(h));
}

/* A section with its padding; length is what the header claims. */
static inline void mb_section_len(struct membuf *m, uint32_t type, uint32_t flags,
				  uint64_t length, const void *p, size_t n)
{
	struct capfile_section s = { .type = type, .flags = flags, .length = length };
	static const uint8_t zero[8];

	mb_put(m, &s, sizeof(s));
	mb_put(m, p, n);
	mb_put(m, zero, (8 - n % 8) % 8);
}

static inline void mb_section(struct membuf *m, uint32_t type, uint32_t flags,
			      const void *p, size_t n)
{
	mb_section_len(m, type, flags, n, p, n);
}

static inline void mb_end(struct membuf *m, uint64_t records)
{
	struct capfile_end e = { 1, 2, records, records * 64 };

	mb_section(m, CAPFILE_SEC_END, 0, &e, sizeof(e));
}

static inline struct godiag_rec_syscall make_syscall(uint32_t tgid, uint32_t nr,
						     uint64_t dur, int64_t ret,
						     uint64_t ts)
{
	struct godiag_rec_syscall r;

	memset(&r, 0, sizeof(r));
	r.hdr.type = GODIAG_REC_SYSCALL;
	r.hdr.size = sizeof(r);
	r.hdr.tgid = tgid;
	r.hdr.tid = tgid;
	r.hdr.ts_ns = ts;
	r.enter_ns = ts - dur;
	r.duration_ns = dur;
	r.ret = ret;
	r.nr = nr;
	return r;
}

/* A goroutine record: hdr.goid is the thread's goroutine, goid the subject. */
static inline struct godiag_rec_go make_go(uint16_t type, uint32_t tgid, uint32_t tid,
					   uint64_t ts, uint64_t hdr_goid, uint64_t goid)
{
	struct godiag_rec_go r;

	memset(&r, 0, sizeof(r));
	r.hdr.type = type;
	r.hdr.size = sizeof(r);
	r.hdr.tgid = tgid;
	r.hdr.tid = tid;
	r.hdr.ts_ns = ts;
	r.hdr.goid = hdr_goid;
	r.goid = goid;
	return r;
}

static inline struct godiag_rec_lost make_lost(uint16_t cpu, uint64_t count)
{
	struct godiag_rec_lost r;

	memset(&r, 0, sizeof(r));
	r.hdr.type = GODIAG_REC_LOST;
	r.hdr.size = sizeof(r);
	r.hdr.cpu = cpu;
	r.count = count;
	r.first_ns = 10;
	r.last_ns = 20;
	return r;
}

#endif
