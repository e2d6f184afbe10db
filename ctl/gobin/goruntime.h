/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What reading the runtime of a live Go process needs from its binary,
 * beyond what goroutine tracing needs (gofacts.c): where the list of
 * goroutines is (runtime.allglen, runtime.allgptr), the runtime.g fields
 * a goroutine dump shows (status, waitsince, the saved registers of
 * sched, syscallsp/pc/bp, the stack bounds), and the frames a PC stands
 * for once inlining is undone, as Go's tracebacks show them.
 *
 * Each fact comes from the binary only, as gofacts.c's do: DWARF (or
 * .symtab, for addresses) first; without them, from the runtime's own
 * machine code in two independent ways that must agree; else the binary
 * is refused with one line naming the fact.
 */
#ifndef GODIAGCTL_GORUNTIME_H
#define GODIAGCTL_GORUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gobin/gobin.h"

enum gort_fact_id {
	GORT_ALLGLEN,		/* &runtime.allglen */
	GORT_ALLGPTR,		/* &runtime.allgptr */
	GORT_STACK_LO,		/* offsets in runtime.g */
	GORT_STACK_HI,
	GORT_SCHED_SP,
	GORT_SCHED_PC,
	GORT_SCHED_BP,
	GORT_SYSCALLSP,
	GORT_SYSCALLPC,
	GORT_SYSCALLBP,		/* go1.23 on; absent before */
	GORT_STATUS,		/* g.atomicstatus (4 bytes) */
	GORT_WAITSINCE,
	GORT_FACTS
};

/* runtime.g's states (runtime2.go); _Gscan is a bit on top of them. */
enum {
	GORT_G_IDLE, GORT_G_RUNNABLE, GORT_G_RUNNING, GORT_G_SYSCALL, GORT_G_WAITING,
	GORT_G_MORIBUND, GORT_G_DEAD, GORT_G_ENQUEUE, GORT_G_COPYSTACK,
	GORT_G_PREEMPTED, GORT_G_LEAKED, GORT_G_DEADEXTRA, GORT_G_STATES
};
#define GORT_G_SCAN	0x1000

struct gort {
	struct gobin_fact facts[GORT_FACTS];
	/* The offsets in runtime.g, from both fact tables (absent: 0). */
	uint32_t off_goid, off_parent_goid, off_gopc, off_startpc, off_waitreason;
	uint32_t off_status, off_waitsince, off_stack_lo, off_stack_hi;
	uint32_t off_sched_sp, off_sched_pc, off_sched_bp;
	uint32_t off_syscallsp, off_syscallpc, off_syscallbp;
	bool has_parent_goid, has_syscallbp;
	uint32_t g_read;	/* bytes of a g that hold every field above */
	uint64_t allglen, allgptr;	/* link-time addresses */
};

/*
 * Establishes the facts, after gobin_goroutine_setup() (which gives
 * goid, parentGoid, gopc, startpc, waitreason and the reason strings).
 * Returns 0, or -1 with one line naming what could not be established.
 */
int gobin_runtime_setup(const struct gobin *b, struct gort *rt, char *err,
			size_t errlen);

/* The state's name as Go prints it ("chan receive" is a reason, not this). */
const char *gort_state_name(uint32_t status);

/* One frame a PC stands for. */
struct gobin_frame {
	const char *func;	/* NULL: no function contains the PC */
	const char *file;	/* NULL when unknown */
	uint32_t line;
	uint64_t entry;		/* of the physical function (0 when unknown) */
	bool inlined;		/* a call the compiler inlined into the next frame */
};

/*
 * The frames at a PC (link-time), innermost first: the functions inlined
 * there, then the physical one, with wrapper frames left out as Go's
 * tracebacks leave them out. ret: pc is a return address (the call's
 * line, pc - 1, is looked up). Returns how many were stored (at most
 * max; 0 when no function contains pc, or all of them were wrappers).
 */
size_t gobin_pc_frames(const struct gobin *b, uint64_t pc, bool ret,
		       struct gobin_frame *out, size_t max);

/*
 * Whether a goroutine starting at startpc is one of the runtime's own, as
 * runtime.isSystemGoroutine decides: its start function is in package
 * runtime and is neither runtime.main nor runtime.corostart. (The
 * runtime also shows its finalizer goroutine while that runs a
 * finalizer; a dump does not tell, and hides it.)
 */
bool gobin_is_system_start(const struct gobin *b, uint64_t startpc);

#endif
