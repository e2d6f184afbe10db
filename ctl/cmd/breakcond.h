/* SPDX-License-Identifier: GPL-2.0 */
/*
 * capture --if 'ARG OP VALUE' (breakcond.c): ARG an argument of the plan
 * by its name ("n", "req.Method"), "argN" or N (from 1); OP == != < <= >
 * >= or prefix; VALUE an integer (decimal, 0x hex, 0 octal), true or
 * false, a decimal float (2.5, -1e-3; not NaN) or a string ("quoted" or
 * bare), as the argument's kind takes. A float is encoded as the bits of
 * the argument's own type (the float32 nearest the decimal for a
 * float32), which the module compares as IEEE 754 orders them
 * (kmod/breakcond.h).
 */
#ifndef GODIAGCTL_BREAKCOND_H
#define GODIAGCTL_BREAKCOND_H

#include <stddef.h>

#include "godiag_abi.h"
#include "gobin/breakplan.h"

/* Fills *k, or returns -1 with one line in err. */
int break_cond_parse(const char *s, const struct gobin_break *plan,
		     struct godiag_break_cond *k, char *err, size_t errlen);

#endif
