/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tool's own consumer of a session's per-CPU buffers, through mmap of
 * /dev/godiag: no copy through read(), and each CPU drained on its own.
 *
 * The drain logic works on any memory laid out like a mapping (a control
 * page and a record area), so the unit tests run it on plain memory.
 */
#ifndef GODIAGCTL_RINGREAD_H
#define GODIAGCTL_RINGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "godiag_abi.h"

struct ring {
	struct godiag_mmap_page *page;	/* shared with the module */
	const uint8_t *data;		/* the record area, size bytes */
	uint64_t size;			/* a power of two */
	unsigned int cpu;
	bool overwrite;			/* the writer may advance data_tail */

	/* What this reader consumed. */
	uint64_t records;	/* records, PAD and LOST markers excluded */
	uint64_t lost;		/* sum of the LOST markers' counts */
	uint64_t torn;		/* copies dropped: overwritten while copied */
	uint64_t skipped;	/* times the rest was given up: invalid sizes */
	uint64_t raced;		/* times another reader moved data_tail */

	void *map;		/* the mapping, for ring_unmap() */
	size_t map_len;
};

/*
 * Called for every record but PAD, LOST markers included, with len
 * validated (8-byte multiple, sizeof(struct godiag_rec)..
 * GODIAG_REC_SIZE_MAX). rec points into the mapping in discard mode and
 * to a private copy in overwrite mode; either way it is only valid during
 * the call.
 */
typedef void (*ring_rec_fn)(const struct godiag_rec *rec, size_t len,
			    unsigned int cpu, void *arg);

/* A ring over a control page and a record area of size bytes. */
void ring_init(struct ring *r, struct godiag_mmap_page *page, const void *data,
	       uint64_t size, unsigned int cpu, bool overwrite);

/*
 * Consumes every record committed so far and advances data_tail past
 * them. Returns the number of records (LOST markers included) passed
 * to fn.
 */
uint64_t ring_drain(struct ring *r, ring_rec_fn fn, void *arg);

/*
 * Maps CPU cpu's buffer of the session bound to fd. Returns 0, or -1 with
 * errno set (ENXIO: not a possible CPU; EPROTO: the control page does not
 * describe the buffer the session was created with).
 */
int ring_map(struct ring *r, int fd, unsigned int cpu, uint32_t bufsize,
	     bool overwrite);
void ring_unmap(struct ring *r);

#endif
