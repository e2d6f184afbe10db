/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Percentiles: exact ones over every duration of a capture (report), and
 * approximate ones over the module's power-of-two histograms (hist).
 */
#ifndef GODIAGCTL_PERCENTILE_H
#define GODIAGCTL_PERCENTILE_H

#include <stddef.h>
#include <stdint.h>

/* Sorts v ascending, for pct_nearest_rank(). */
void pct_sort(uint64_t *v, size_t n);

/*
 * Nearest-rank percentile p (1..100) of n > 0 sorted values: the value at
 * rank ceil(p/100 * n), so at least p% of the values are at or below it.
 */
uint64_t pct_nearest_rank(const uint64_t *sorted, size_t n, unsigned int p);

/*
 * Approximate percentile p (1..100) from nb log2 buckets (bucket b counts
 * values in [2^b, 2^(b+1)), the last one is open-ended; 0 and 1 land in
 * bucket 0): the upper bound 2^(b+1) - 1 of the bucket holding the
 * nearest-rank value, or max for the last bucket; never above max, since
 * max is exact. 0 when the buckets are empty.
 */
uint64_t pct_log2_buckets(const uint64_t *buckets, size_t nb, uint64_t max,
			  unsigned int p);

#endif
