/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Breakpoint planning: a spec the user writes ("main.handle",
 * "main.(*Server).ServeHTTP", "server.go:42", "0x4a1b2c") resolved against
 * one Go binary into what the module is asked to do: the instructions to
 * probe (the function's entry probe point and its inlined copies, or the
 * first PC of a line), the RETs for latency, and where each argument's
 * words are at the probed instruction under Go's register ABI
 * (ABIInternal: integer words in RAX RBX RCX RDI RSI R8 R9 R10 R11, floats
 * in X0-X14, the rest on the stack above the return address).
 *
 * The planner only reads the binary (breakplan.c); capture turns a plan
 * into PROBE_ADD requests, and the model names what a hit recorded with
 * it. Nothing here trusts the binary: a spec that cannot be planned gets
 * one line in err, with the closest names for an unknown function.
 */
#ifndef GODIAGCTL_GOBIN_BREAKPLAN_H
#define GODIAGCTL_GOBIN_BREAKPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gobin/gobin.h"

#define GOBIN_BREAK_SITES_MAX	64	/* entry + inlined copies, or a line's PCs */
#define GOBIN_BREAK_RETS_MAX	64
#define GOBIN_BREAK_ARGS_MAX	16
#define GOBIN_BREAK_DEREF_MAX	4	/* pointer hops of a field path: req.URL.Path */
#define GOBIN_XREG(n)		(0x40 + (n))	/* X0-X14 in gobin_loc.reg */
#define GOBIN_STATIC		0xfe	/* gobin_loc.reg: a variable at addr */

enum gobin_arg_kind {
	GOBIN_ARG_INT,		/* signed, size 1/2/4/8 */
	GOBIN_ARG_UINT,		/* unsigned, uintptr */
	GOBIN_ARG_BOOL,
	GOBIN_ARG_FLOAT,	/* float32/float64, in an X register */
	GOBIN_ARG_PTR,		/* pointers, maps, chans, funcs, unsafe.Pointer */
	GOBIN_ARG_STRING,	/* words: ptr, len; bytes copied up to strlen */
	GOBIN_ARG_SLICE,	/* words: ptr, len, cap */
	GOBIN_ARG_IFACE,	/* words: *_type (an itab's, read through it), data */
};

/*
 * Where one machine word is when the probe fires: in a register, or on
 * the stack at sp_off from RSP; then, for a field reached through
 * pointers (req.Method where req is *Request), nderef loads: each adds
 * deref_off[i] to the word and reads 8 bytes of user memory there (the
 * last hop reads the field's own word). A non-empty interface's first
 * word is its itab: one more hop (+GOBIN_ITAB_TYPE) reads the dynamic
 * type from it, so the first word of every interface is recorded as a
 * *_type; nil_stop makes a nil itab stop there as 0 (GODIAG_BW_NIL), not
 * a fault (a nil pointer on a field path before it still faults).
 */
#define GOBIN_ITAB_TYPE		8	/* itab._type / abi.ITab.Type, Go 1.19-1.27 */

struct gobin_loc {
	uint8_t reg;		/* GODIAG_REG_*, GOBIN_XREG(n), GOBIN_NO_REG: stack,
				 * or GOBIN_STATIC */
	int32_t sp_off;		/* reg == GOBIN_NO_REG: RSP + sp_off */
	uint64_t addr;		/* reg == GOBIN_STATIC: link-time address */
	uint8_t nderef;
	int32_t deref_off[GOBIN_BREAK_DEREF_MAX];
	bool nil_stop;		/* a zero word before the last hop reads as 0 */
};

struct gobin_arg {
	char name[64];		/* "x", "req.Method"; "arg1" on a stripped binary */
	char type[64];		/* Go's name: "int", "string", "*main.Request" */
	enum gobin_arg_kind kind;
	uint8_t size;		/* bytes of a scalar word: 1, 2, 4, 8 */
	uint8_t nwords;		/* 1; string and iface 2; slice 3 */
	struct gobin_loc word[3];
	/*
	 * A slice of integers, bools, floats, pointers (elem_size bytes) or
	 * strings (16): its first elements can be copied. false: unknown
	 * (a stripped binary's "slice") or another kind of element.
	 */
	bool has_elem;
	enum gobin_arg_kind elem_kind;
	uint8_t elem_size;
};

/* One instruction to probe. */
struct gobin_site {
	uint64_t vaddr;		/* link-time address */
	uint64_t offset;	/* file offset: GODIAG_A_PROBE_OFFSET */
	uint64_t func_offset;	/* its function's entry: GODIAG_A_PROBE_FUNC_OFFSET */
	int8_t jcc;		/* GODIAG_A_PROBE_JCC, -1: none */
	bool inlined;		/* a copy of the function inlined into func */
	bool args_valid;	/* the arguments are where args[] says (the entry) */
	const char *func;	/* function whose code holds the site (binary's storage) */
	const char *file;	/* source position of the site, NULL if unknown */
	uint32_t line;
};

struct gobin_break {
	char spec[256];		/* as the user wrote it */
	char function[256];	/* the function it names ("main.(*Server).handle") */
	struct gobin_site sites[GOBIN_BREAK_SITES_MAX];
	size_t nsites;
	size_t inlined_unprobed;	/* inlined copies that could not be probed */
	uint64_t rets[GOBIN_BREAK_RETS_MAX];	/* file offsets of the function's RETs */
	size_t nrets;		/* 0 for a line or address spec */
	struct gobin_arg args[GOBIN_BREAK_ARGS_MAX];
	size_t nargs;
	/*
	 * What the plan says about itself, "" when nothing: "no DWARF:
	 * arguments by position, as int64 in the integer registers",
	 * "main.add has no code of its own: inlined at 3 sites".
	 */
	char note[256];
	const char *file;	/* the function's source (binary's storage), or NULL */
	uint32_t line;
};

struct gobin_break_opts {
	/* "N:TYPE" (1-based position, TYPE int, uint, bool, float64, ptr,
	 * string, slice, iface (a non-empty interface: error, io.Reader),
	 * any (alias eface: interface{}); sizes int8..uint64; []T for a
	 * slice of one of the scalars or strings, whose first elements are
	 * copied): types for a stripped binary, or to override DWARF. */
	const char *const *argtypes;
	size_t nargtypes;
	/* Field paths to read besides the arguments: "req.Method". */
	const char *const *fields;
	size_t nfields;
};

/*
 * Resolves spec against b. Returns 0 and fills *out, or -1 with one line
 * in err: "no function main.hndle in ./server (closest: main.handle,
 * main.handler)", "server.go:12 has no code", "main.add is inlined at 3
 * sites and none can be probed", "0x401000 is not an instruction of any
 * function".
 */
int gobin_break_plan(const struct gobin *b, const char *spec,
		     const struct gobin_break_opts *opts,
		     struct gobin_break *out, char *err, size_t errlen);

#endif
