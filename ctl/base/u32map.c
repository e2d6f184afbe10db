// SPDX-License-Identifier: GPL-2.0
/* Open addressing with linear probing; grows at half full. */
#include <stdlib.h>

#include "base/u32map.h"
#include "base/util.h"

static size_t slot_of(uint32_t key, size_t cap)
{
	/* Fibonacci hashing spreads sequential PIDs and syscall numbers. */
	return (size_t)((key * 2654435769U) & (cap - 1));
}

static struct u32map_slot *probe(const struct u32map *m, uint32_t key)
{
	size_t i = slot_of(key, m->cap);

	while (m->slots[i].used && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

size_t *u32map_find(const struct u32map *m, uint32_t key)
{
	struct u32map_slot *s;

	if (!m->cap)
		return NULL;
	s = probe(m, key);
	return s->used ? &s->val : NULL;
}

static void grow(struct u32map *m)
{
	struct u32map old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].used)
			*probe(m, old.slots[i].key) = old.slots[i];
	free(old.slots);
}

size_t *u32map_get(struct u32map *m, uint32_t key, size_t val, bool *added)
{
	struct u32map_slot *s;

	if ((m->len + 1) * 2 > m->cap)
		grow(m);
	s = probe(m, key);
	*added = !s->used;
	if (!s->used) {
		s->used = true;
		s->key = key;
		s->val = val;
		m->len++;
	}
	return &s->val;
}

void u32map_free(struct u32map *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}
