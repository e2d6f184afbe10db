// SPDX-License-Identifier: GPL-2.0
/* Every record of a capture file in time order (records.h). */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/records.h"

void recseq_add(struct rec_seq *s, const struct godiag_rec *rec, size_t len)
{
	size_t size = (len + 7) & ~(size_t)7;

	while (s->len + size > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1 << 16;
		s->arena = xreallocarray(s->arena, s->cap, 1);
	}
	memcpy(s->arena + s->len, rec, len);
	memset(s->arena + s->len + len, 0, size - len);
	((struct godiag_rec *)(s->arena + s->len))->size = (uint16_t)len;
	if (s->n == s->ncap) {
		s->ncap = s->ncap ? s->ncap * 2 : 1024;
		s->ix = xreallocarray(s->ix, s->ncap, sizeof(*s->ix));
	}
	s->ix[s->n].ts = rec->ts_ns;
	s->ix[s->n++].off = s->len;
	s->len += size;
}

/* By time, then by place in the file: a stable order. */
static int cmp_index(const void *a, const void *b)
{
	const struct rec_index *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->off > y->off) - (x->off < y->off);
}

void recseq_sort(struct rec_seq *s)
{
	if (s->n > 1)
		qsort(s->ix, s->n, sizeof(*s->ix), cmp_index);
}

void recseq_free(struct rec_seq *s)
{
	free(s->arena);
	free(s->ix);
	memset(s, 0, sizeof(*s));
}
