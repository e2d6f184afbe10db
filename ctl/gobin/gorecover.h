/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What goroutine tracing needs from a Go binary, recovered from the binary
 * itself when it has no DWARF: the offsets of runtime.g's fields, the
 * registers the probed functions keep their arguments in, and the table of
 * wait reason strings. Each is read in several independent ways, from the
 * machine code of different runtime functions (x86flow.c walks it) and
 * from the data; gofacts.c decides what the ways establish.
 */
#ifndef GODIAGCTL_GORECOVER_H
#define GODIAGCTL_GORECOVER_H

#include <stdbool.h>
#include <stdint.h>

struct gobin;

/* The ways. Each names the function (or data) it reads and what it finds. */
enum gorec_way {
	/* g.goid */
	GW_GOID_NEWPROC1_COPY,	/* newproc1: newg.parentGoid = callergp.goid (load) */
	GW_GOID_NEWPROC1_CACHE,	/* newproc1: newg.goid = pp.goidcache; pp.goidcache++ */
	GW_GOID_CREATEDBY,	/* printcreatedby: gp.goid != 1 */
	/* g.parentGoid */
	GW_PARENT_NEWPROC1,	/* newproc1: newg.parentGoid = callergp.goid (store) */
	GW_PARENT_CREATEDBY,	/* printcreatedby: printcreatedby1(..., gp.parentGoid) */
	/* g.gopc */
	GW_GOPC_NEWPROC1,	/* newproc1: newg.gopc = callerpc */
	GW_GOPC_CREATEDBY,	/* printcreatedby: printcreatedby1(f, gp.gopc, ...) */
	/* g.startpc */
	GW_STARTPC_NEWPROC1,	/* newproc1: newg.startpc = fn.fn */
	GW_STARTPC_SYSTEM,	/* isSystemGoroutine: findfunc(gp.startpc) */
	/* g.waitreason, and gopark's reason register (reg) */
	GW_WAIT_GOPARK,		/* gopark: getg().m.curg.waitreason = reason */
	GW_WAIT_HEADER,		/* goroutineheader: waitReasonStrings[gp.waitreason] */
	GW_WAIT_NEWPROC1,	/* newproc1 (go1.23+): newg.waitreason = waitreason */
	/* the wait reason strings: table address and count */
	GW_REASONS_STRING,	/* waitReason.String */
	GW_REASONS_PSTRING,	/* (*waitReason).String */
	GW_REASONS_HEADER,	/* goroutineheader */
	GW_REASONS_DATA,	/* a scan of the data for "", "GC assist marking", "IO wait" */
	/* registers (reg) */
	GW_REG_NEWPROC1,	/* newproc1 returns newg (the g it stores gopc into) there */
	GW_REG_EXECUTE,		/* execute: casgstatus(gp, _Grunnable, _Grunning) */
	GW_REG_READY,		/* ready: casgstatus(gp, _Gwaiting, _Grunnable) */
	GW_NUM
};

struct gorec_result {
	bool found;
	uint64_t value;		/* a field offset, or a table address */
	uint64_t count;		/* GW_REASONS_*: entries (0 from the data scan) */
	int reg;		/* GW_WAIT_GOPARK, GW_REG_*: a GODIAG_REG_* */
	bool ambiguous;		/* the code holds several different answers */
	uint64_t at;		/* the instruction (or data) it was first found at */
};

struct gorecover {
	struct gorec_result way[GW_NUM];
};

/* Runs every way on the binary (never fails: a way finds or it does not). */
void gorecover_run(const struct gobin *b, struct gorecover *r);

/* "runtime.newproc1", "data" ...: where a way looks. */
const char *gorecover_where(enum gorec_way w);

#endif
