/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The facts of goruntime.h recovered from a Go binary's machine code,
 * for binaries without DWARF and symbols: each fact in up to
 * GORUNREC_WAYS independent ways, each way one runtime function whose
 * code says the fact (x86flow.c walks it). goruntime.c decides what the
 * ways establish; a way finds a value only when the code holds exactly
 * one candidate.
 */
#ifndef GODIAGCTL_GORUNREC_H
#define GODIAGCTL_GORUNREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gobin/goruntime.h"

#define GORUNREC_WAYS	3

struct gorunrec_result {
	const char *where;	/* "runtime.gogo" (static); NULL: no such way */
	bool found;
	bool ambiguous;		/* the code holds several different answers */
	uint64_t value;		/* an offset in runtime.g, or an address */
};

struct gorunrec {
	struct {
		struct gorunrec_result way[GORUNREC_WAYS];
	} fact[GORT_FACTS];
};

/* Runs every way (never fails: a way finds or it does not). */
void gorunrec_run(const struct gobin *b, struct gorunrec *r);

/* "runtime.gogo finds 56, runtime.mcall finds nothing" for fact id. */
void gorunrec_text(const struct gorunrec *r, int id, char *buf, size_t len);

#endif
