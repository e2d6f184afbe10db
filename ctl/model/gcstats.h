/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GC cycles and stop-the-world pauses in a capture file (gcstats.c), from
 * the two breakpoints `capture --gc` places (cmd/capture_break.c): one on
 * runtime.stopTheWorldWithSema, one on runtime.startTheWorldWithSema,
 * each hit reading the runtime's variables of that moment (the GC phase,
 * numgc, heap live, the GOGC heap goal, GOGC, GOMEMLIMIT) and, at a stop,
 * its reason (Go 1.21 on).
 *
 * A pause is a stop and the next start of the same process. It is a GC's
 * sweep termination (the cycle starts) or mark termination (the cycle
 * ends at the start that follows), told by the reason where the runtime
 * passes one, else by the GC phase before and after (off to mark: sweep
 * termination; mark to off: mark termination), else unknown. No
 * printing: cmd/report_gc.c prints it.
 */
#ifndef GODIAGCTL_GCSTATS_H
#define GODIAGCTL_GCSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The specs of --gc's breakpoints in the BREAKS section. */
#define GC_SPEC_STOP	"gc:stop-the-world"
#define GC_SPEC_START	"gc:start-the-world"
/* Their arguments are the runtime's figures, named "gc.<figure>". */
#define GC_ARG_PREFIX	"gc."

enum gc_fig {
	GC_REASON,		/* stwReason (stops, Go 1.21 on) */
	GC_PHASE,		/* runtime.gcphase */
	GC_NUMGC,		/* memstats.numgc: cycles ended */
	GC_HEAP_LIVE,		/* gcController.heapLive */
	GC_HEAP_GOAL,		/* gcController.gcPercentHeapGoal */
	GC_GOGC,		/* gcController.gcPercent */
	GC_MEMLIMIT,		/* gcController.memoryLimit */
	GC_FIGS
};

/* One hit of either breakpoint. */
struct gc_point {
	uint64_t ts;
	uint32_t pid;
	bool stop;
	uint32_t known;		/* bit per enum gc_fig */
	int64_t v[GC_FIGS];
};

enum gc_pause_kind { GC_P_UNKNOWN, GC_P_SWEEP_TERM, GC_P_MARK_TERM, GC_P_OTHER };

struct gc_pause {
	uint64_t begin, end;
	uint32_t pid;
	enum gc_pause_kind kind;
	const char *reason;	/* static: the runtime's name, or the kind's */
};

struct gc_cycle {
	uint32_t pid;
	uint64_t start;		/* sweep termination stops the world */
	uint64_t mark_term;	/* 0: not seen */
	uint64_t end;		/* the world starts after mark termination; 0 */
	uint64_t pause_ns;	/* its two pauses */
	/* The runtime's figures at start and end (known: bit per gc_fig). */
	uint32_t known_start, known_end;
	int64_t at_start[GC_FIGS], at_end[GC_FIGS];
};

struct gc_reason {
	const char *reason;
	uint64_t count, total_ns, max_ns;
};

struct gcstats {
	bool present;		/* the capture had --gc */
	struct gc_point *points;	/* in time order after gc_finish() */
	size_t npoints, cap;
	struct gc_pause *pauses;
	size_t npauses;
	struct gc_cycle *cycles;
	size_t ncycles, completed;
	struct gc_reason *reasons;	/* by total time */
	size_t nreasons;
	uint64_t unpaired;	/* stops without a start, starts without a stop */
	uint64_t p50_ns, p99_ns, max_ns, stw_ns;	/* over every pause */
	uint64_t gc_p50_ns, gc_p99_ns, gc_max_ns;	/* GC pauses only */
	uint64_t wall_ns;	/* the capture's duration */
	uint64_t t0;		/* the capture's start (0: the first point) */
	bool by_reason, by_phase;	/* how some pause was classified */
};

/* A hit of a --gc breakpoint, with its figures (from model/breakpoints.c). */
void gc_add_point(struct gcstats *g, const struct gc_point *pt);
/* The figure an argument name stands for, or -1. */
int gc_fig_of(const char *arg_name);
/* After the whole file: pairs, classifies, aggregates. */
void gc_finish(struct gcstats *g, uint64_t start_mono, uint64_t wall_ns);
void gc_free(struct gcstats *g);
/* The runtime's name of a stwReason (Go 1.21 to 1.27), or NULL. */
const char *gc_reason_name(uint64_t reason);

#endif
