/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hash map of godiagctl: from a key of two u64 words (a PID or a
 * syscall number with 0; a goroutine's goid and tgid) to a u32 index
 * into the caller's own array, so the caller keeps its rows in order of
 * first appearance and can sort them.
 */
#ifndef GODIAGCTL_HMAP_H
#define GODIAGCTL_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
	uint64_t a, b;
	uint32_t val;
	bool used;
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap;		/* a power of two, or 0 before the first insert */
	size_t len;
};

#define HMAP_INIT { NULL, 0, 0 }

/* The value of (a, b), or NULL. */
uint32_t *hmap_find(const struct hmap *m, uint64_t a, uint64_t b);

/*
 * The value of (a, b), inserted with val when absent (*added then
 * tells). The pointer is valid until the next insert.
 */
uint32_t *hmap_get(struct hmap *m, uint64_t a, uint64_t b, uint32_t val,
		   bool *added);

void hmap_free(struct hmap *m);

#endif
