/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The length of an x86-64 instruction, and whether it is a conditional
 * jump: what PROBE_ADD needs to tell an instruction boundary from the
 * middle of an instruction. Plain C with no kernel dependency, so the
 * unit tests build the same file in userspace and compare it with a
 * disassembler on every function of real Go binaries.
 */
#ifndef GODIAG_INSN_H
#define GODIAG_INSN_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#endif

#define GODIAG_INSN_MAX	15	/* the architecture's limit, prefixes included */

/* What godiag_insn_decode() found. */
enum godiag_insn_result {
	GODIAG_INSN_OK,		/* an instruction of insn->len bytes */
	GODIAG_INSN_SHORT,	/* the bytes end before the instruction does */
	GODIAG_INSN_BAD,	/* not an instruction godiag knows in 64-bit mode */
};

struct godiag_insn {
	unsigned int len;	/* 1 .. GODIAG_INSN_MAX */
	bool jcc;		/* 0x70-0x7f rel8 or 0x0f 0x80-0x8f rel32 */
	unsigned char cc;	/* its condition code (low 4 bits of the opcode) */
};

/*
 * Decodes the 64-bit mode instruction at @p, of which @avail bytes are
 * readable. Never reads past @avail or past GODIAG_INSN_MAX bytes.
 */
enum godiag_insn_result godiag_insn_decode(const unsigned char *p, size_t avail,
					   struct godiag_insn *insn);

/*
 * Whether file offset @target is where an instruction starts, found by
 * decoding every instruction from @func (a function's entry) on: a Go
 * function holds no data between its instructions, so the walk is exact.
 * The bytes come through @read(arg, pos, buf, len), which returns how
 * many it read (fewer only at the end of the file) or a negative errno,
 * into @buf of @size bytes (at least 2 * GODIAG_INSN_MAX; larger means
 * fewer reads).
 */
enum godiag_walk_result {
	GODIAG_WALK_START,	/* an instruction starts at target: w->insn */
	GODIAG_WALK_INSIDE,	/* target is inside the instruction at w->at */
	GODIAG_WALK_BAD,	/* the bytes at w->at are no instruction godiag knows */
	GODIAG_WALK_EOF,	/* the file ends inside the instruction at w->at */
};

struct godiag_walk {
	unsigned long long func, target;	/* in */
	unsigned long long at;			/* out */
	struct godiag_insn insn;		/* out: the instruction at w->at */
};

typedef long (*godiag_read_fn)(void *arg, unsigned long long pos,
			       unsigned char *buf, size_t len);

/* A godiag_walk_result, or the negative errno @read returned. */
int godiag_insn_walk(struct godiag_walk *w, godiag_read_fn read, void *arg,
		     unsigned char *buf, size_t size);

#endif /* GODIAG_INSN_H */
