// SPDX-License-Identifier: GPL-2.0
/*
 * What goroutine tracing needs from a Go binary that has no DWARF and no
 * symbol table (go build -ldflags='-s -w'), per Go version: the offsets of
 * runtime.g's fields and the runtime's wait reason strings.
 *
 * The layouts are the DWARF member offsets of runtime.g in Debian's
 * toolchains (go1.19.8, go1.21.13, go1.22.12, go1.23.5); the unit tests
 * (tests/unit/test_gobin.c) check them against the DWARF of every
 * non-stripped test program. The reason strings were generated, not
 * typed: runtime.waitReasonStrings read out of those binaries by this
 * loop, then given index comments:
 *
 *	for v in 1.19 1.21 1.22 1.23; do
 *		ctl/godiagctl inspect --json build/progs/gobusy-go$v |
 *		jq -r '.goroutines.reasons.names[] | tojson + ","'
 *	done
 *
 * Reason values are indices: 0..20 agree across these versions, later
 * ones move (sync.Mutex.Lock is 21 from go1.21 on; 1.19 says semacquire).
 * Patch releases of one minor version share its table.
 */
#include <stdio.h>

#include "gobin_impl.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* go1.19.8: runtime.waitReasonStrings of build/progs/gobusy-go1.19 */
static const char *const reasons_go1_19[] = {
	/*  0 */ "",
	/*  1 */ "GC assist marking",
	/*  2 */ "IO wait",
	/*  3 */ "chan receive (nil chan)",
	/*  4 */ "chan send (nil chan)",
	/*  5 */ "dumping heap",
	/*  6 */ "garbage collection",
	/*  7 */ "garbage collection scan",
	/*  8 */ "panicwait",
	/*  9 */ "select",
	/* 10 */ "select (no cases)",
	/* 11 */ "GC assist wait",
	/* 12 */ "GC sweep wait",
	/* 13 */ "GC scavenge wait",
	/* 14 */ "chan receive",
	/* 15 */ "chan send",
	/* 16 */ "finalizer wait",
	/* 17 */ "force gc (idle)",
	/* 18 */ "semacquire",
	/* 19 */ "sleep",
	/* 20 */ "sync.Cond.Wait",
	/* 21 */ "timer goroutine (idle)",
	/* 22 */ "trace reader (blocked)",
	/* 23 */ "wait for GC cycle",
	/* 24 */ "GC worker (idle)",
	/* 25 */ "preempted",
	/* 26 */ "debug call",
};

/* go1.21.13: runtime.waitReasonStrings of build/progs/gobusy-go1.21 */
static const char *const reasons_go1_21[] = {
	/*  0 */ "",
	/*  1 */ "GC assist marking",
	/*  2 */ "IO wait",
	/*  3 */ "chan receive (nil chan)",
	/*  4 */ "chan send (nil chan)",
	/*  5 */ "dumping heap",
	/*  6 */ "garbage collection",
	/*  7 */ "garbage collection scan",
	/*  8 */ "panicwait",
	/*  9 */ "select",
	/* 10 */ "select (no cases)",
	/* 11 */ "GC assist wait",
	/* 12 */ "GC sweep wait",
	/* 13 */ "GC scavenge wait",
	/* 14 */ "chan receive",
	/* 15 */ "chan send",
	/* 16 */ "finalizer wait",
	/* 17 */ "force gc (idle)",
	/* 18 */ "semacquire",
	/* 19 */ "sleep",
	/* 20 */ "sync.Cond.Wait",
	/* 21 */ "sync.Mutex.Lock",
	/* 22 */ "sync.RWMutex.RLock",
	/* 23 */ "sync.RWMutex.Lock",
	/* 24 */ "trace reader (blocked)",
	/* 25 */ "wait for GC cycle",
	/* 26 */ "GC worker (idle)",
	/* 27 */ "GC worker (active)",
	/* 28 */ "preempted",
	/* 29 */ "debug call",
	/* 30 */ "GC mark termination",
	/* 31 */ "stopping the world",
};

/* go1.22.12: runtime.waitReasonStrings of build/progs/gobusy-go1.22 */
static const char *const reasons_go1_22[] = {
	/*  0 */ "",
	/*  1 */ "GC assist marking",
	/*  2 */ "IO wait",
	/*  3 */ "chan receive (nil chan)",
	/*  4 */ "chan send (nil chan)",
	/*  5 */ "dumping heap",
	/*  6 */ "garbage collection",
	/*  7 */ "garbage collection scan",
	/*  8 */ "panicwait",
	/*  9 */ "select",
	/* 10 */ "select (no cases)",
	/* 11 */ "GC assist wait",
	/* 12 */ "GC sweep wait",
	/* 13 */ "GC scavenge wait",
	/* 14 */ "chan receive",
	/* 15 */ "chan send",
	/* 16 */ "finalizer wait",
	/* 17 */ "force gc (idle)",
	/* 18 */ "semacquire",
	/* 19 */ "sleep",
	/* 20 */ "sync.Cond.Wait",
	/* 21 */ "sync.Mutex.Lock",
	/* 22 */ "sync.RWMutex.RLock",
	/* 23 */ "sync.RWMutex.Lock",
	/* 24 */ "trace reader (blocked)",
	/* 25 */ "wait for GC cycle",
	/* 26 */ "GC worker (idle)",
	/* 27 */ "GC worker (active)",
	/* 28 */ "preempted",
	/* 29 */ "debug call",
	/* 30 */ "GC mark termination",
	/* 31 */ "stopping the world",
	/* 32 */ "flushing proc caches",
	/* 33 */ "trace goroutine status",
	/* 34 */ "trace proc status",
	/* 35 */ "page trace flush",
	/* 36 */ "coroutine",
};

/* go1.23.5: runtime.waitReasonStrings of build/progs/gobusy-go1.23 */
static const char *const reasons_go1_23[] = {
	/*  0 */ "",
	/*  1 */ "GC assist marking",
	/*  2 */ "IO wait",
	/*  3 */ "chan receive (nil chan)",
	/*  4 */ "chan send (nil chan)",
	/*  5 */ "dumping heap",
	/*  6 */ "garbage collection",
	/*  7 */ "garbage collection scan",
	/*  8 */ "panicwait",
	/*  9 */ "select",
	/* 10 */ "select (no cases)",
	/* 11 */ "GC assist wait",
	/* 12 */ "GC sweep wait",
	/* 13 */ "GC scavenge wait",
	/* 14 */ "chan receive",
	/* 15 */ "chan send",
	/* 16 */ "finalizer wait",
	/* 17 */ "force gc (idle)",
	/* 18 */ "semacquire",
	/* 19 */ "sleep",
	/* 20 */ "sync.Cond.Wait",
	/* 21 */ "sync.Mutex.Lock",
	/* 22 */ "sync.RWMutex.RLock",
	/* 23 */ "sync.RWMutex.Lock",
	/* 24 */ "trace reader (blocked)",
	/* 25 */ "wait for GC cycle",
	/* 26 */ "GC worker (idle)",
	/* 27 */ "GC worker (active)",
	/* 28 */ "preempted",
	/* 29 */ "debug call",
	/* 30 */ "GC mark termination",
	/* 31 */ "stopping the world",
	/* 32 */ "flushing proc caches",
	/* 33 */ "trace goroutine status",
	/* 34 */ "trace proc status",
	/* 35 */ "page trace flush",
	/* 36 */ "coroutine",
	/* 37 */ "GC weak to strong wait",
};

#define TABLE(minor, goid, parent, gopc, startpc) {			\
	minor,								\
	{ .g_goid = goid, .g_parent_goid = parent, .g_gopc = gopc,	\
	  .g_startpc = startpc },					\
	reasons_go1_##minor, ARRAY_SIZE(reasons_go1_##minor),		\
}

/* parentGoid is 0: the field arrived in Go 1.21. */
static const struct gotable tables[] = {
	/*     go1.  goid parentGoid gopc startpc */
	TABLE(19,    152,   0,       296, 312),
	TABLE(21,    152, 272,       280, 296),
	TABLE(22,    152, 272,       280, 296),
	TABLE(23,    160, 280,       288, 304),
};

const struct gotable *gotable_find(int major, int minor)
{
	size_t i;

	if (major != 1)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(tables); i++)
		if (tables[i].minor == minor)
			return &tables[i];
	return NULL;
}

const char *gotable_versions(void)
{
	static char buf[128];
	size_t i, n = 0;

	if (buf[0])
		return buf;
	for (i = 0; i < ARRAY_SIZE(tables) && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sgo1.%d",
				      i ? ", " : "", tables[i].minor);
	return buf;
}
