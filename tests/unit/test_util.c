// SPDX-License-Identifier: GPL-2.0
/* parse_size, parse_duration and format_size from ctl/base/util.c. */
#include "test.h"
#include "base/util.h"

struct good {
	const char *in;
	uint64_t want;
};

struct bad {
	const char *in;
	const char *want_err;
};

#define SIZE_UNIT "unknown unit (use B, K, M, G or T)"
#define DUR_UNIT "unknown unit (use ns, us, ms, s, m or h)"

static const struct good sizes[] = {
	{ "0", 0 },
	{ "4096", 4096 },
	{ "1B", 1 },
	{ "512K", 512ULL << 10 },
	{ "512k", 512ULL << 10 },
	{ "16KiB", 16ULL << 10 },
	{ "4M", 4ULL << 20 },
	{ "4m", 4ULL << 20 },
	{ "256MiB", 256ULL << 20 },
	{ "1G", 1ULL << 30 },
	{ "1gib", 1ULL << 30 },
	{ "2T", 2ULL << 40 },
	{ "007K", 7ULL << 10 },
	{ "18446744073709551615", UINT64_MAX },
	{ "16777215T", 16777215ULL << 40 },
};

static const struct bad bad_sizes[] = {
	{ "", "empty" },
	{ "12x", SIZE_UNIT },
	{ "4KB", SIZE_UNIT },
	{ "1 K", SIZE_UNIT },
	{ "4M ", SIZE_UNIT },
	{ "0x10", SIZE_UNIT },
	{ "K", "not a number" },
	{ "-1", "not a number" },
	{ "+1", "not a number" },
	{ " 1", "not a number" },
	{ "1.5M", "not a whole number" },
	{ "18446744073709551616", "too large" },
	{ "99999999999999999999999", "too large" },
	{ "16777216T", "too large" },
	{ "17179869184G", "too large" },
};

static const struct good durations[] = {
	{ "0", 0 },
	{ "0.0", 0 },
	{ "0s", 0 },
	{ "1ns", 1 },
	{ "100us", 100000 },
	{ "0.1us", 100 },
	{ "250ms", 250000000 },
	{ "0.5ms", 500000 },
	{ "10s", 10000000000ULL },
	{ "1.5s", 1500000000ULL },
	{ "1.000000001s", 1000000001ULL },
	{ "0.000000001s", 1 },
	{ "1.50000000000000000000s", 1500000000ULL },
	{ "5m", 300000000000ULL },
	{ "0.5m", 30000000000ULL },
	{ "2h", 7200000000000ULL },
	{ "1.25h", 4500000000000ULL },
	{ "18446744073709551615ns", UINT64_MAX },
	{ "18446744073.709551615s", UINT64_MAX },
};

static const struct bad bad_durations[] = {
	{ "", "empty" },
	{ "10", "missing unit (use ns, us, ms, s, m or h)" },
	{ "1.5", "missing unit (use ns, us, ms, s, m or h)" },
	{ "12x", DUR_UNIT },
	{ "10S", DUR_UNIT },
	{ "5d", DUR_UNIT },
	{ "1 s", DUR_UNIT },
	{ "1.5.1s", DUR_UNIT },
	{ "s", "not a number" },
	{ ".5s", "not a number" },
	{ "-1s", "not a number" },
	{ "1.s", "missing digits after '.'" },
	{ "1.5ns", "finer than 1 ns" },
	{ "0.0000000001s", "finer than 1 ns" },
	{ "18446744073709551616ns", "too large" },
	{ "18446744073.709551616s", "too large" },
	{ "18446744074s", "too large" },
	{ "5124096h", "too large" },
};

static const struct {
	uint64_t in;
	const char *want;
} formatted[] = {
	{ 0, "0 B" },
	{ 1023, "1023 B" },
	{ 1024, "1.0 KiB" },
	{ 1536, "1.5 KiB" },
	{ 10239, "10 KiB" },
	{ 16384, "16 KiB" },
	{ 1048575, "1.0 MiB" },
	{ 1048576, "1.0 MiB" },
	{ 268435456, "256 MiB" },
	{ 3ULL << 30, "3.0 GiB" },
	{ UINT64_MAX, "16 EiB" },
};

static const struct {
	uint64_t in;
	const char *want;
} durations_out[] = {
	{ 0, "0 ns" },
	{ 999, "999 ns" },
	{ 1000, "1.00 us" },
	{ 1234, "1.23 us" },
	{ 1235, "1.24 us" },
	{ 9994, "9.99 us" },
	{ 9995, "10.0 us" },
	{ 12345, "12.3 us" },
	{ 99949, "99.9 us" },
	{ 99950, "100 us" },
	{ 123456, "123 us" },
	{ 999499, "999 us" },
	{ 999500, "1.00 ms" },
	{ 2310000000ULL, "2.31 s" },
	{ 59900000000ULL, "59.9 s" },
	{ 59950000000ULL, "1m00s" },
	{ 60000000000ULL, "1m00s" },
	{ 62499999999ULL, "1m02s" },
	{ 62500000000ULL, "1m03s" },
	{ 999500000000ULL, "16m40s" },
	{ 3723000000000ULL, "1h02m03s" },
	{ 12345000000000ULL, "3h25m45s" },
	{ UINT64_MAX, "5124095h34m34s" },
};

static const struct {
	const char *in;
	uint32_t min, max;
	const char *err;
	uint32_t want;
} u32s[] = {
	{ "1", 1, 10, NULL, 1 },
	{ "10", 1, 10, NULL, 10 },
	{ "0", 0, 0, NULL, 0 },
	{ "4294967295", 0, UINT32_MAX, NULL, UINT32_MAX },
	{ "0", 1, 10, "out of range", 0 },
	{ "11", 1, 10, "out of range", 0 },
	{ "4294967296", 0, UINT32_MAX, "out of range", 0 },
	{ "", 0, 10, "invalid number", 0 },
	{ "1x", 0, 10, "invalid number", 0 },
	{ "-1", 0, 10, "invalid number", 0 },
	{ " 1", 0, 10, "invalid number", 0 },
	{ "99999999999999999999999", 0, 10, "invalid number", 0 },
};

static void test_good(const char *kind, const struct good *t,
		      const char *(*parse)(const char *, uint64_t *))
{
	uint64_t got = 12345;

	test_begin("%s '%s'", kind, t->in);
	CHECK_STR(parse(t->in, &got), NULL);
	CHECK_U64(got, t->want);
	test_end();
}

static void test_bad(const char *kind, const struct bad *t,
		     const char *(*parse)(const char *, uint64_t *))
{
	uint64_t got = 12345;

	test_begin("%s '%s' is refused", kind, t->in);
	CHECK_STR(parse(t->in, &got), t->want_err);
	/* A refused input leaves the result alone. */
	CHECK_U64(got, 12345);
	test_end();
}

static const struct {
	const char *in;
	const char *err;
	uint64_t want;
	bool day;
} clocks[] = {
	{ "2026-12-07T21:03:04Z", NULL, 1796677384000000000ULL, false },
	{ "2026-12-07 21:03:04.25", NULL, 1796677384250000000ULL, false },
	{ "21:03:04", NULL, 75784000000000ULL, true },
	{ "00:00:00.000000001Z", NULL, 1, true },
	{ "24:00:00", "out of range", 0, false },
	{ "2026-13-01T00:00:00Z", "out of range", 0, false },
	{ "1.5s", "not a time (HH:MM:SS)", 0, false },
	{ "21:03:04 UTC", "unexpected text after the time (UTC: ...Z)", 0, false },
	{ "21:03:04.", "bad fraction of a second", 0, false },
};

static void test_clocks(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(clocks); i++) {
		uint64_t ns = 12345;
		bool day = false;

		test_begin("clock '%s'", clocks[i].in);
		CHECK_STR(parse_clock(clocks[i].in, &ns, &day), clocks[i].err);
		CHECK_U64(ns, clocks[i].err ? 12345 : clocks[i].want);
		CHECK_U64(day, clocks[i].day);
		test_end();
	}
}

int main(void)
{
	char buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		test_good("size", &sizes[i], parse_size);
	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++)
		test_bad("size", &bad_sizes[i], parse_size);
	for (i = 0; i < ARRAY_SIZE(durations); i++)
		test_good("duration", &durations[i], parse_duration);
	for (i = 0; i < ARRAY_SIZE(bad_durations); i++)
		test_bad("duration", &bad_durations[i], parse_duration);
	for (i = 0; i < ARRAY_SIZE(durations_out); i++) {
		test_begin("format_duration %" PRIu64, durations_out[i].in);
		format_duration(durations_out[i].in, buf, sizeof(buf));
		CHECK_STR(buf, durations_out[i].want);
		test_end();
	}
	for (i = 0; i < ARRAY_SIZE(u32s); i++) {
		uint32_t got = 777;

		test_begin("parse_u32 '%s' in %u..%u", u32s[i].in, u32s[i].min, u32s[i].max);
		CHECK_STR(parse_u32(u32s[i].in, u32s[i].min, u32s[i].max, &got), u32s[i].err);
		CHECK_U64(got, u32s[i].err ? 777 : u32s[i].want);
		test_end();
	}
	for (i = 0; i < ARRAY_SIZE(formatted); i++) {
		test_begin("format_size %" PRIu64, formatted[i].in);
		format_size(formatted[i].in, buf, sizeof(buf));
		CHECK_STR(buf, formatted[i].want);
		test_end();
	}
	test_clocks();
	return test_summary();
}
