/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the runtime keeps the figures `godiagctl runtime` shows: fields
 * of runtime.memstats (runtime.mstats), runtime.gcController
 * (runtime.gcControllerState), runtime.sched (runtime.schedt) and the
 * variable runtime.gomaxprocs, as addresses in the binary (link-time).
 *
 * Each one needs two things: where the variable is, and where the field
 * is inside it. The variable's address comes from .symtab and from the
 * DWARF's variable, which must agree when both are there; the field's
 * offset and size from the DWARF of the structure, checked against the
 * symbol's size (the field must lie inside it). With neither (a stripped
 * binary), the variable's address comes from the machine code and the
 * field's offset from a table per Go version (gostatrec.h). A figure
 * whose facts cannot be established is not read: it is unknown, and why
 * is said.
 */
#ifndef GODIAGCTL_GOSTATS_H
#define GODIAGCTL_GOSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gobin/gobin.h"

enum gost_id {
	GOST_NUMGC,		/* memstats.numgc (uint32) */
	GOST_NUMFORCEDGC,	/* memstats.numforcedgc (uint32) */
	GOST_LAST_GC_UNIX,	/* memstats.last_gc_unix (ns since the epoch) */
	GOST_PAUSE_TOTAL,	/* memstats.pause_total_ns */
	GOST_PAUSE_NS,		/* memstats.pause_ns: [256]uint64 */
	GOST_GC_PERCENT,	/* gcController.gcPercent (int32) */
	GOST_MEMORY_LIMIT,	/* gcController.memoryLimit (int64) */
	GOST_HEAP_MARKED,	/* gcController.heapMarked */
	GOST_HEAP_INUSE,	/* gcController.heapInUse */
	GOST_HEAP_FREE,		/* gcController.heapFree */
	GOST_TOTAL_ALLOC,	/* gcController.totalAlloc */
	GOST_TOTAL_FREE,	/* gcController.totalFree */
	GOST_MAPPED_READY,	/* gcController.mappedReady */
	GOST_PCT_HEAP_GOAL,	/* gcController.gcPercentHeapGoal */
	GOST_SWEEP_TRIGGER,	/* gcController.sweepDistMinTrigger */
	GOST_TRIGGERED,		/* gcController.triggered */
	GOST_GOMAXPROCS,	/* runtime.gomaxprocs (int32) */
	GOST_MNEXT,		/* sched.mnext (int64): Ms ever made */
	GOST_NMFREED,		/* sched.nmfreed (int64): Ms freed */
	GOST_HEAP_LIVE,		/* gcController.heapLive: marked + allocated since */
	GOST_GCPHASE,		/* runtime.gcphase (uint32): _GCoff 0, _GCmark 1, ... */
	GOST_FACTS
};

struct gost_fact {
	const char *name;	/* "memstats.numgc" (static) */
	bool known;
	uint64_t addr;		/* link-time address of the field */
	uint32_t size;		/* bytes: 4 or 8 (pause_ns: 2048) */
	char why[200];		/* when not known */
};

struct gost {
	struct gost_fact f[GOST_FACTS];
};

/*
 * Establishes what it can (never fails: each fact is known, or says
 * why not).
 */
void gobin_stats_setup(const struct gobin *b, struct gost *s);

#endif
