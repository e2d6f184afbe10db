/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A breakpoint's condition on an integer or float word (struct
 * godiag_break_cond, godiag_abi.h), as the handler decides it: integer
 * arithmetic on the word's bits, no FPU, no kernel API, so that the unit
 * tests build this header in user space (tests/unit/test_breakcond.c).
 */
#ifndef GODIAG_BREAKCOND_H
#define GODIAG_BREAKCOND_H

#include <linux/types.h>

#include "godiag_abi.h"

/* cmp < 0, 0 or > 0: the word below, equal to or above the value. */
static inline bool godiag_op_holds(u8 op, int cmp)
{
	switch (op) {
	case GODIAG_COND_EQ: return cmp == 0;
	case GODIAG_COND_NE: return cmp != 0;
	case GODIAG_COND_LT: return cmp < 0;
	case GODIAG_COND_LE: return cmp <= 0;
	case GODIAG_COND_GT: return cmp > 0;
	default: return cmp >= 0;
	}
}

/* The low size bytes of the word, sign- or zero-extended, against value. */
static inline bool godiag_int_cond(const struct godiag_break_cond *c, u64 word)
{
	unsigned int shift = 64 - 8 * c->size;
	u64 u = (word << shift) >> shift;
	s64 sv = (s64)(word << shift) >> shift;

	if (c->flags & GODIAG_CF_SIGNED)
		return godiag_op_holds(c->op, sv < (s64)c->value ? -1 : sv > (s64)c->value);
	return godiag_op_holds(c->op, u < c->value ? -1 : u > c->value);
}

/* The sign bit of a float of size bytes (4 or 8), and all its bits. */
static inline u64 godiag_float_sign(u8 size)
{
	return 1ULL << (8 * size - 1);
}

static inline u64 godiag_float_mask(u8 size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* A NaN: every exponent bit set and a mantissa that is not zero. */
static inline bool godiag_float_is_nan(u64 bits, u8 size)
{
	u64 inf = size == 4 ? 0x7f800000ULL : 0x7ff0000000000000ULL;

	return (bits & godiag_float_mask(size) & ~godiag_float_sign(size)) > inf;
}

/*
 * An IEEE 754 float (not NaN) as an unsigned integer ordered as the
 * floats are, so that the handler compares without the FPU (it never
 * touches the user's registers). Floats of one sign are ordered as their
 * magnitudes, and the magnitude bits (exponent, then mantissa) read as
 * an integer are ordered the same way. So a positive float with its sign
 * bit set lands above every negative one, in its own order, and a
 * negative one with all its bits inverted lands below, in reverse order:
 * -Inf < -1 < -0 < +0 < 1 < +Inf. -0 equals +0 as a float: it is made +0
 * first.
 */
static inline u64 godiag_float_key(u64 bits, u8 size)
{
	u64 sign = godiag_float_sign(size), mask = godiag_float_mask(size);

	bits &= mask;
	if (!(bits & ~sign))
		bits = 0;
	return bits & sign ? ~bits & mask : bits | sign;
}

/* A NaN word is unordered: only != holds (PROBE_ADD refuses a NaN value). */
static inline bool godiag_float_cond(const struct godiag_break_cond *c, u64 word)
{
	u64 a, v;

	if (godiag_float_is_nan(word, c->size))
		return c->op == GODIAG_COND_NE;
	a = godiag_float_key(word, c->size);
	v = godiag_float_key(c->value, c->size);
	return godiag_op_holds(c->op, a < v ? -1 : a > v);
}

/* An integer or float condition on the word (not a string's). */
static inline bool godiag_word_cond(const struct godiag_break_cond *c, u64 word)
{
	if (c->flags & GODIAG_CF_FLOAT)
		return godiag_float_cond(c, word);
	return godiag_int_cond(c, word);
}

#endif
