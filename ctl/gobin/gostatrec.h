/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the runtime's statistics are in a binary without .symtab and
 * DWARF (gostats.h), private to gostats.c and gostatrec.c.
 *
 * A variable's address comes from the runtime's machine code: the
 * functions found by the pclntab reach the variable's fields through
 * RIP-relative operands, so a function that reaches several known fields
 * says where the variable starts (gcMarkTermination stores numgc,
 * numforcedgc, last_gc_unix, pause_total_ns and pause_ns[]). Each
 * variable has two or three such ways, which must agree on one address.
 * The offset of a field inside its variable comes from a table per Go
 * version (the toolchains at hand), which the unit test checks against
 * the DWARF of the unstripped build of the same version; a Go version
 * the table does not have leaves the figure unknown.
 */
#ifndef GODIAGCTL_GOSTATREC_H
#define GODIAGCTL_GOSTATREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gobin/gobin.h"
#include "gobin/gostats.h"

/* The runtime's variables the facts are fields of. */
enum { GOSTV_MEMSTATS, GOSTV_GCCONTROLLER, GOSTV_GOMAXPROCS, GOSTV_SCHED, GOSTV_GCPHASE,
	GOSTV_VARS };

/* The variable fact id is a field of. */
int gostatrec_var_of(enum gost_id id);

/*
 * The link-time address of variable var (GOSTV_*) from the code: true, or
 * false with why (one line).
 */
bool gostatrec_var(const struct gobin *b, int var, uint64_t *addr, char *why, size_t len);

/* The offset of fact id in its variable for the binary's Go version. */
bool gostatrec_field(const struct gobin *b, enum gost_id id, uint64_t *off, char *why,
		     size_t len);

#endif
