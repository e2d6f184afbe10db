/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable hash map from u32 keys (PIDs, syscall numbers) to indexes
 * into the caller's own array, so the caller keeps its rows in order of
 * first appearance and can sort them.
 */
#ifndef GODIAGCTL_U32MAP_H
#define GODIAGCTL_U32MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u32map_slot {
	uint32_t key;
	bool used;
	size_t val;
};

struct u32map {
	struct u32map_slot *slots;
	size_t cap;		/* a power of two, or 0 before the first insert */
	size_t len;
};

#define U32MAP_INIT { NULL, 0, 0 }

/* The value of key, or NULL. */
size_t *u32map_find(const struct u32map *m, uint32_t key);

/*
 * The value of key, inserted with val when absent (*added then tells).
 * The pointer is valid until the next insert.
 */
size_t *u32map_get(struct u32map *m, uint32_t key, size_t val, bool *added);

void u32map_free(struct u32map *m);

#endif
