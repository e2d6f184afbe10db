/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every record of a capture file in time order (records.c), for the
 * commands that show records one by one ('script', 'export').
 *
 * The module writes one buffer per CPU and the capture drains them in
 * turn, so a file holds runs of records of one CPU, each in time order.
 * The records are kept as the file has them (copied: the reader's
 * pointers last only during its callback) and an index orders them by
 * hdr.ts_ns. The sort is stable: records with the same timestamp keep the
 * order of the file, which for the records of one CPU is the order in
 * which they happened, and between CPUs the order of the drains (the
 * lower CPU first within one drain). A SYSCALL record's time is its exit
 * (hdr.ts_ns); its entry is a field of it.
 */
#ifndef GODIAGCTL_RECORDS_H
#define GODIAGCTL_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "godiag_abi.h"

struct rec_index {
	uint64_t ts;
	uint64_t off;		/* in the arena: the file's order */
};

struct rec_seq {
	uint8_t *arena;		/* the records, each 8-byte aligned */
	size_t len, cap;
	struct rec_index *ix;	/* in time order after recseq_sort() */
	size_t n, ncap;
};

/* Keeps a copy of one record of len bytes (a multiple of 8). */
void recseq_add(struct rec_seq *s, const struct godiag_rec *rec, size_t len);

/* Orders the index by time, stably. */
void recseq_sort(struct rec_seq *s);

/* The i-th record (in time order after recseq_sort()); its size is hdr.size. */
static inline const struct godiag_rec *recseq_get(const struct rec_seq *s, size_t i)
{
	return (const struct godiag_rec *)(s->arena + s->ix[i].off);
}

void recseq_free(struct rec_seq *s);

#endif
