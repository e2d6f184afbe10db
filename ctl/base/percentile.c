// SPDX-License-Identifier: GPL-2.0
/* Exact nearest-rank percentiles and log2-bucket approximations. */
#include <stdlib.h>

#include "base/percentile.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void pct_sort(uint64_t *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_u64);
}

/* ceil(p * n / 100), at least 1: the 1-based nearest rank. */
static uint64_t rank_of(uint64_t n, unsigned int p)
{
	unsigned __int128 r = ((unsigned __int128)n * p + 99) / 100;

	return r ? (uint64_t)r : 1;
}

uint64_t pct_nearest_rank(const uint64_t *sorted, size_t n, unsigned int p)
{
	uint64_t r;

	if (!n)
		return 0;
	r = rank_of(n, p);
	return sorted[(r > n ? n : r) - 1];
}

uint64_t pct_log2_buckets(const uint64_t *buckets, size_t nb, uint64_t max,
			  unsigned int p)
{
	uint64_t total = 0, seen = 0, r, upper;
	size_t b;

	for (b = 0; b < nb; b++)
		total += buckets[b];
	if (!total)
		return 0;
	r = rank_of(total, p);
	for (b = 0; b < nb; b++) {
		seen += buckets[b];
		if (seen >= r)
			break;
	}
	/* The last bucket, or one past 2^63, has no upper bound but max. */
	if (b >= nb - 1 || b >= 63)
		return max;
	upper = (2ULL << b) - 1;
	return max < upper ? max : upper;
}
