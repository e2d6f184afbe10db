/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one x86-64 function does with the values it is given: a symbolic
 * data flow over its machine code (capstone decodes it). Every value is a
 * term built from the registers at the function's entry, constants, loads
 * and call results ("the 8 bytes at [entry rbx + 0x98]"); the walk follows
 * the function's jumps to a fixed point, merging paths that disagree into a
 * value of their own, and reports what the code stores, compares, calls
 * and returns. Knows nothing about Go: gorecover.c asks the questions.
 *
 * Terms are hash-consed, so two values are equal exactly when their ids
 * are. The walk is bounded (function size, values, blocks) and treats
 * what it does not model as an unknown value, never as a guess.
 */
#ifndef GODIAGCTL_X86FLOW_H
#define GODIAGCTL_X86FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A value: an index into the flow's table. 0 is unknown, equal to nothing. */
typedef uint32_t xval;
#define XV_UNKNOWN	0

/* Registers in encoding order (rax rcx rdx rbx rsp rbp rsi rdi r8..r15). */
enum {
	XR_RAX, XR_RCX, XR_RDX, XR_RBX, XR_RSP, XR_RBP, XR_RSI, XR_RDI,
	XR_R8, XR_R9, XR_R10, XR_R11, XR_R12, XR_R13, XR_R14, XR_R15,
	XR_NUM
};

enum xv_kind {
	XV_NONE,
	XV_ENTRY,	/* register a's value at the function's entry */
	XV_CONST,	/* the constant a */
	XV_LOAD,	/* size bytes at [base + a] */
	XV_CALL,	/* what the call at address a returned in rax */
	XV_PHI,		/* where paths met with different values (block a, location loc) */
	XV_STACK,	/* the address entry rsp + a */
	XV_ADDR,	/* the absolute address a (rip-relative lea) */
	XV_SHL,		/* base << a */
	XV_OFFSET,	/* base + a (lea of a field's address) */
};

struct xv {
	uint8_t kind;
	uint8_t size;		/* XV_LOAD: 1, 2, 4 or 8 */
	uint16_t loc;
	xval base;
	int64_t a;
};

enum xev_kind {
	XE_STORE,	/* size bytes of val to [base + disp] (not the stack) */
	XE_CMP,		/* cmp val, val2; jcc: the condition of the jump after it */
	XE_CALL,	/* a call to target (0: indirect) with args[] */
	XE_RET,		/* a ret with regs[] */
	XE_INDEX,	/* a load from [table + index]: base = the XV_ADDR, val = the index */
};

/* Go's integer argument registers, in order (ABIInternal). */
#define XF_ARGS	9
extern const uint8_t xflow_arg_regs[XF_ARGS];

struct xev {
	uint8_t kind;
	uint8_t size;
	int8_t jcc;		/* XE_CMP: x86 condition code of the next jcc, -1: none */
	uint64_t addr;		/* of the instruction */
	xval base;
	int64_t disp;
	xval val, val2;
	uint64_t target;	/* XE_CALL */
	xval regs[XR_NUM];	/* XE_CALL: registers at the call; XE_RET: at the ret */
};

struct xflow {
	struct xv *vals;
	size_t nvals, capvals;
	uint32_t *hash;		/* open addressing: value ids */
	size_t hashcap;
	struct xev *evs;
	size_t nevs, capevs;
	bool overflow;		/* a bound was hit: some values became unknown */
};

/* What a call to a function does to its caller's registers. */
enum xcall {
	XC_NORMAL,	/* clobbers all but abi->kept; rax is its result */
	XC_NORETURN,	/* never returns (the path ends there) */
	XC_PRESERVES,	/* keeps every register but r11 (a write barrier) */
};

struct xflow_abi {
	uint16_t kept;		/* registers a normal call keeps (bit per XR_*) */
	enum xcall (*call)(void *ctx, uint64_t target);
	void *ctx;
};

/*
 * Walks the function whose size bytes of code start at entry. Returns 0,
 * or -1 when it cannot (not decodable, too large, out of memory). Call
 * xflow_free() in both cases.
 */
int xflow_run(struct xflow *f, const uint8_t *code, size_t size, uint64_t entry,
	      const struct xflow_abi *abi);
void xflow_free(struct xflow *f);

/* The term of a value (XV_NONE for unknown). */
const struct xv *xflow_val(const struct xflow *f, xval v);

/* The id of a term if the walk made it, else XV_UNKNOWN. */
xval xflow_find(const struct xflow *f, uint8_t kind, uint8_t size, xval base,
		int64_t a);

#endif
