// SPDX-License-Identifier: GPL-2.0
/* Open addressing with linear probing; grows at 70% full. */
#include <stdlib.h>

#include "base/hmap.h"
#include "base/util.h"

static size_t slot_of(uint64_t a, uint64_t b, size_t cap)
{
	uint64_t h = a ^ (b * 0x9e3779b97f4a7c15ULL) ^ (b >> 29);

	/* splitmix64's finaliser: sequential PIDs and goids spread out. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (size_t)h & (cap - 1);
}

static struct hmap_slot *probe(const struct hmap *m, uint64_t a, uint64_t b)
{
	size_t i = slot_of(a, b, m->cap);

	while (m->slots[i].used && (m->slots[i].a != a || m->slots[i].b != b))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

uint32_t *hmap_find(const struct hmap *m, uint64_t a, uint64_t b)
{
	struct hmap_slot *s;

	if (!m->cap)
		return NULL;
	s = probe(m, a, b);
	return s->used ? &s->val : NULL;
}

static void grow(struct hmap *m)
{
	struct hmap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].used)
			*probe(m, old.slots[i].a, old.slots[i].b) = old.slots[i];
	free(old.slots);
}

uint32_t *hmap_get(struct hmap *m, uint64_t a, uint64_t b, uint32_t val,
		   bool *added)
{
	struct hmap_slot *s;

	if ((m->len + 1) * 10 > m->cap * 7)
		grow(m);
	s = probe(m, a, b);
	*added = !s->used;
	if (!s->used) {
		s->used = true;
		s->a = a;
		s->b = b;
		s->val = val;
		m->len++;
	}
	return &s->val;
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}
