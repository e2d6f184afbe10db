// SPDX-License-Identifier: GPL-2.0
/*
 * --if conditions end to end without a kernel: ctl/cmd/breakcond.c
 * encodes 'ARG OP VALUE' for a plan's argument, kmod/breakcond.h (the
 * handler's own code, built here on kshim's types) decides it on a word,
 * and the answer must be C's own comparison of the values:
 *
 * - floats: every pair of a list of float64 and float32 values (zeros of
 *   both signs, denormals, the largest and smallest, infinities, NaN)
 *   under each operator, then random bit patterns; a float32 word with
 *   garbage in its upper half (the XMM register's rest);
 * - the encoder: a float32 constant is the float32 nearest the decimal
 *   (0.1 is not 0.1 as a float64), NaN, prefix and junk refused;
 * - integers: signed and unsigned of each size, as before.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakcond.h"
#include "cmd/breakcond.h"
#include "test.h"

static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };

/* The plan: x float64 (X0), r float32 (X1), n int, b int8, u uint16, s string. */
static void plan_init(struct gobin_break *p)
{
	static const struct {
		const char *name, *type;
		enum gobin_arg_kind kind;
		uint8_t size, nwords;
	} args[] = {
		{ "x", "float64", GOBIN_ARG_FLOAT, 8, 1 },
		{ "r", "float32", GOBIN_ARG_FLOAT, 4, 1 },
		{ "n", "int", GOBIN_ARG_INT, 8, 1 },
		{ "b", "int8", GOBIN_ARG_INT, 1, 1 },
		{ "u", "uint16", GOBIN_ARG_UINT, 2, 1 },
		{ "s", "string", GOBIN_ARG_STRING, 8, 2 },
	};
	size_t i;

	memset(p, 0, sizeof(*p));
	snprintf(p->function, sizeof(p->function), "main.f");
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		struct gobin_arg *a = &p->args[p->nargs++];

		snprintf(a->name, sizeof(a->name), "%s", args[i].name);
		snprintf(a->type, sizeof(a->type), "%s", args[i].type);
		a->kind = args[i].kind;
		a->size = args[i].size;
		a->nwords = args[i].nwords;
	}
}

static bool c_cmp(double a, double b, size_t op)
{
	switch (op) {
	case 0: return a == b;
	case 1: return a != b;
	case 2: return a < b;
	case 3: return a <= b;
	case 4: return a > b;
	default: return a >= b;
	}
}

static uint64_t bits64(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static uint64_t bits32(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static double from_bits(uint64_t w, bool f32)
{
	if (f32) {
		uint32_t u = (uint32_t)w;
		float f;

		memcpy(&f, &u, sizeof(f));
		return f;
	}
	double d;

	memcpy(&d, &w, sizeof(d));
	return d;
}

/* One condition's answer on the word, against C's on the values. */
static size_t check_pair(const struct gobin_break *plan, bool f32, uint64_t word,
			 uint64_t cbits, size_t op)
{
	struct godiag_break_cond k;
	char expr[128], err[256];
	double c = from_bits(cbits, f32);

	snprintf(expr, sizeof(expr), "%s %s %.17g", f32 ? "r" : "x", ops[op], c);
	if (break_cond_parse(expr, plan, &k, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "'%s': %s", expr, err);
		return 1;
	}
	if (godiag_word_cond(&k, word) == c_cmp(from_bits(word, f32), c, op))
		return 0;
	test_fail_at(__FILE__, __LINE__, "'%s' on %.17g (word %#llx): %d", expr,
		     from_bits(word, f32), (unsigned long long)word,
		     godiag_word_cond(&k, word));
	return 1;
}

static void test_float_pairs(void)
{
	static const double d[] = {
		-INFINITY, -1.7976931348623157e308, -2.5, -1, -0.1, -4.9e-324, -0.0, 0.0,
		4.9e-324, 2.2250738585072014e-308, 0.1, 1, 2.5, 2.5000000000000004, 1e300,
		1.7976931348623157e308, INFINITY,
	};
	static const float f[] = {
		-INFINITY, -3.4028235e38f, -2.5f, -1, -0.1f, -1.4e-45f, -0.0f, 0.0f, 1.4e-45f,
		1.17549435e-38f, 0.1f, 0.25f, 1, 2.5f, 2.50000024f, 3.4028235e38f, INFINITY,
	};
	struct gobin_break plan;
	size_t i, j, op, bad = 0, n = sizeof(d) / sizeof(d[0]);

	test_begin("--if on floats: every pair of edge values, each operator, as C compares");
	plan_init(&plan);
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			for (op = 0; op < 6; op++) {
				bad += check_pair(&plan, false, bits64(d[i]), bits64(d[j]), op);
				/* the XMM register's upper half is whatever it held */
				bad += check_pair(&plan, true, 0xdeadbeef00000000ULL | bits32(f[i]),
						  bits32(f[j]), op);
			}
		}
		/* a NaN argument: only != holds */
		for (op = 0; op < 6; op++) {
			bad += check_pair(&plan, false, bits64(NAN), bits64(d[i]), op);
			bad += check_pair(&plan, false, 0xfff0000000000001ULL, bits64(d[i]), op);
			bad += check_pair(&plan, true, bits32(-NAN), bits32(f[i]), op);
			bad += check_pair(&plan, true, 0x7f800001, bits32(f[i]), op);
		}
	}
	CHECK_U64(bad, 0);
	test_end();
}

/* xorshift64: the same patterns every run */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_float_random(void)
{
	struct gobin_break plan;
	uint64_t s = 0x9e3779b97f4a7c15ULL, a, c;
	size_t i, bad = 0;

	test_begin("--if on floats: 20000 random bit patterns of each size, as C compares");
	plan_init(&plan);
	for (i = 0; i < 20000 && bad < 5; i++) {
		a = next(&s);
		c = next(&s);
		/* the constant: a value the user can write (no NaN) */
		if (!isnan(from_bits(c, false)))
			bad += check_pair(&plan, false, a, c, i % 6);
		if (!isnan(from_bits(c, true)))
			bad += check_pair(&plan, true, a, c & 0xffffffff, i % 6);
	}
	CHECK_U64(bad, 0);
	test_end();
}

static void test_float_encode(void)
{
	struct gobin_break plan;
	struct godiag_break_cond k;
	char err[256];

	test_begin("--if on floats: the constant in the argument's type; NaN, prefix refused");
	plan_init(&plan);
	CHECK(!break_cond_parse("r == 0.1", &plan, &k, err, sizeof(err)));
	CHECK_U64(k.flags, GODIAG_CF_FLOAT);
	CHECK_U64(k.size, 4);
	CHECK_U64(k.value, bits32(0.1f));
	CHECK_U64(k.word, 1);
	/* 0.1f is not 0.1: a float32 of 0.1 meets "r == 0.1", a float64 would not */
	CHECK(godiag_word_cond(&k, bits32(0.1f)));
	CHECK(!break_cond_parse("x >= -1e-3", &plan, &k, err, sizeof(err)));
	CHECK_U64(k.size, 8);
	CHECK_U64(k.value, bits64(-1e-3));
	CHECK_U64(k.op, GODIAG_COND_GE);
	CHECK(!break_cond_parse("arg1 < inf", &plan, &k, err, sizeof(err)));
	CHECK_U64(k.value, bits64(INFINITY));
	CHECK(break_cond_parse("x == nan", &plan, &k, err, sizeof(err)));
	CHECK_STR(err, "--if: 'nan' is not a value for x (float64)");
	CHECK(break_cond_parse("x prefix 1", &plan, &k, err, sizeof(err)));
	CHECK(break_cond_parse("x > 2.5kg", &plan, &k, err, sizeof(err)));
	CHECK(break_cond_parse("x > ", &plan, &k, err, sizeof(err)));
	test_end();
}

static void test_ints(void)
{
	struct gobin_break plan;
	struct godiag_break_cond k;
	char err[256];

	test_begin("--if on integers: signed and unsigned, by size");
	plan_init(&plan);
	CHECK(!break_cond_parse("b < 0", &plan, &k, err, sizeof(err)));
	CHECK(godiag_word_cond(&k, 0xff));		/* int8 -1 */
	CHECK(!godiag_word_cond(&k, 0x7f));
	CHECK(!break_cond_parse("u >= 0x8000", &plan, &k, err, sizeof(err)));
	CHECK(godiag_word_cond(&k, 0xabcd8000));	/* uint16 0x8000 */
	CHECK(!godiag_word_cond(&k, 0x7fff));
	CHECK(!break_cond_parse("n != -5", &plan, &k, err, sizeof(err)));
	CHECK(!godiag_word_cond(&k, (uint64_t)-5));
	CHECK(godiag_word_cond(&k, 5));
	CHECK(break_cond_parse("s < 3", &plan, &k, err, sizeof(err)));
	test_end();
}

int main(void)
{
	test_float_pairs();
	test_float_random();
	test_float_encode();
	test_ints();
	return test_summary();
}
