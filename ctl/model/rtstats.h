/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtime figures of a live Go process, read from its memory without
 * stopping it (godiagctl runtime): its goroutines by state (a walk of
 * the list as goroutines.h does, without stacks), and what the runtime
 * keeps in runtime.memstats, runtime.gcController, runtime.sched and
 * runtime.gomaxprocs (where: gobin/gostats.h).
 *
 * The process runs on while it is read. The GC figures are read between
 * two reads of memstats.numgc, again when a GC ended in between; the
 * heap goal is worked out as the runtime's heapGoal() does, from fields
 * read together, again when they do not add up. A figure that cannot be
 * read, or is not believable (GOMAXPROCS 0, a GC time in the future), is
 * unknown with the reason, never shown wrong.
 */
#ifndef GODIAGCTL_RTSTATS_H
#define GODIAGCTL_RTSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gobin/gostats.h"
#include "model/goroutines.h"

struct rs_value {
	bool known;
	uint64_t v;		/* GOGC: int32 sign-extended, -1 is off */
	char why[240];		/* when not known */
};

enum rs_figure {
	RS_NUMGC,		/* completed GC cycles */
	RS_NUMFORCEDGC,		/* of them forced (runtime.GC, debug.FreeOSMemory) */
	RS_LAST_GC_UNIX,	/* end of the last GC, ns since the epoch; 0: none */
	RS_LAST_PAUSE,		/* stop-the-world time of the last GC, ns */
	RS_PAUSE_TOTAL,		/* of every GC, ns */
	RS_HEAP_INUSE,		/* bytes in in-use spans (MemStats.HeapInuse) */
	RS_HEAP_LIVE,		/* bytes marked live by the last GC (/gc/heap/live:bytes) */
	RS_HEAP_GOAL,		/* the heap size the next GC aims at (MemStats.NextGC) */
	RS_GOGC,		/* in effect: the environment or debug.SetGCPercent */
	RS_GOMEMLIMIT,		/* bytes; INT64_MAX: no limit */
	RS_GOMAXPROCS,
	RS_THREADS,		/* Ms alive: sched.mnext - sched.nmfreed */
	RS_FIGURES
};

struct rs_sample {
	uint64_t time_unix_ns;	/* when it was read */
	size_t state[GORT_G_STATES];	/* live goroutines by state */
	size_t total, user, system;	/* system: the runtime's own */
	size_t skipped;		/* g's that did not validate or kept changing */
	bool changed;		/* the list changed while it was read */
	struct rs_value fig[RS_FIGURES];
};

struct rs_reader {
	struct gr_dump d;
	struct gost st;
};

/* Opens pid (gr_attach) and finds the figures. GR_OK or an error with err. */
enum gr_error rs_open(pid_t pid, struct rs_reader *r, char *err, size_t errlen);

/* One reading. GR_OK, or an error with err (GR_ENOPROC: it exited). */
enum gr_error rs_read(struct rs_reader *r, struct rs_sample *s, char *err, size_t errlen);

void rs_close(struct rs_reader *r);

/* The figure's name in the JSON and in messages: "gc.cycles". */
const char *rs_figure_name(enum rs_figure f);

#endif
