// SPDX-License-Identifier: GPL-2.0
/* Exact nearest-rank percentiles and log2-bucket bounds (ctl/base/percentile.c). */
#include "godiag_abi.h"
#include "base/percentile.h"
#include "test.h"

static void nearest(const char *name, uint64_t *v, size_t n, unsigned int p,
		    uint64_t want)
{
	test_begin("nearest rank: %s p%u", name, p);
	pct_sort(v, n);
	CHECK_U64(pct_nearest_rank(v, n, p), want);
	test_end();
}

static void test_nearest_rank(void)
{
	uint64_t ten[] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	uint64_t one[] = { 42 };
	uint64_t two[] = { 200, 100 };
	uint64_t five[] = { 5000, 1000, 3000, 2000, 4000 };
	uint64_t hundred[100], big[1000];
	size_t i;

	for (i = 0; i < 100; i++)
		hundred[i] = 100 - i;
	for (i = 0; i < 1000; i++)
		big[i] = i + 1;
	nearest("1..10", ten, 10, 50, 5);
	nearest("1..10", ten, 10, 90, 9);
	nearest("1..10", ten, 10, 99, 10);
	nearest("1..10", ten, 10, 100, 10);
	nearest("1..10", ten, 10, 1, 1);
	nearest("1..10", ten, 10, 11, 2);
	nearest("one value", one, 1, 50, 42);
	nearest("one value", one, 1, 99, 42);
	nearest("two values", two, 2, 50, 100);
	nearest("two values", two, 2, 51, 200);
	nearest("two values", two, 2, 90, 200);
	nearest("five values", five, 5, 50, 3000);
	nearest("five values", five, 5, 90, 5000);
	nearest("1..100", hundred, 100, 50, 50);
	nearest("1..100", hundred, 100, 90, 90);
	nearest("1..100", hundred, 100, 99, 99);
	nearest("1..1000", big, 1000, 99, 990);
	nearest("1..1000", big, 1000, 50, 500);

	test_begin("nearest rank: no values is 0");
	CHECK_U64(pct_nearest_rank(one, 0, 50), 0);
	test_end();

	test_begin("sort handles equal and extreme values");
	{
		uint64_t v[] = { UINT64_MAX, 0, 7, 7, 0 };

		pct_sort(v, 5);
		CHECK_U64(v[0], 0);
		CHECK_U64(v[1], 0);
		CHECK_U64(v[2], 7);
		CHECK_U64(v[4], UINT64_MAX);
	}
	test_end();
}

static void bucket(const char *name, const uint64_t *b, uint64_t max,
		   unsigned int p, uint64_t want)
{
	test_begin("log2 buckets: %s p%u", name, p);
	CHECK_U64(pct_log2_buckets(b, GODIAG_HIST_BUCKETS, max, p), want);
	test_end();
}

static void test_buckets(void)
{
	uint64_t b[GODIAG_HIST_BUCKETS] = { 0 };

	bucket("empty", b, 0, 50, 0);
	b[3] = 10;		/* [8, 16) */
	bucket("one bucket, max inside", b, 12, 50, 12);
	bucket("one bucket, max inside", b, 12, 99, 12);
	bucket("one bucket, max lagging above", b, 100, 50, 15);
	b[3] = 0;
	b[0] = 4;		/* 0 and 1 ns */
	bucket("bucket 0", b, 1, 50, 1);
	bucket("bucket 0, all zero", b, 0, 50, 0);
	b[0] = 0;
	b[2] = 50;		/* [4, 8) */
	b[10] = 50;		/* [1024, 2048) */
	bucket("two buckets", b, 2000, 50, 7);
	bucket("two buckets", b, 2000, 51, 2000);
	bucket("two buckets", b, 5000, 99, 2047);
	b[39] = 1;		/* open-ended */
	bucket("last bucket is bounded by max", b, 1ULL << 45, 100, 1ULL << 45);
	bucket("last bucket not reached", b, 1ULL << 45, 50, 2047);
	bucket("last bucket not reached", b, 1ULL << 45, 49, 7);
}

int main(void)
{
	test_nearest_rank();
	test_buckets();
	return test_summary();
}
