// SPDX-License-Identifier: GPL-2.0
/*
 * A function's inline tree: for each call the compiler inlined into it,
 * one entry naming the inlined function and its caller's entry. The
 * pclntab's PCDATA_InlTreeIndex table says which entry each PC's code
 * belongs to (-1: the function's own code); FUNCDATA_InlTree is the
 * offset of the entries from go:func.* (gobin_gofunc()). The entry,
 * runtime.inlinedCall, has two layouts:
 *
 *	Go 1.18, 1.19 (20 bytes): parent int16, funcID u8, pad u8,
 *	    file i32, line i32, func_ i32 (name offset), parentPc i32
 *	Go 1.20 .. 1.27 (16 bytes): funcID u8, pad [3]u8, nameOff i32,
 *	    parentPc i32, startLine i32
 *
 * The newer one has no parent index: the caller's entry is the one the
 * instruction at parentPc (the call site's inline mark) belongs to.
 */
#include "gobin/gobin_impl.h"

#define INLCALL_SIZE_GO118	20
#define INLCALL_SIZE_GO120	16

static int32_t get_i32(const uint8_t *p)
{
	return (int32_t)gobin_le32(p);
}

bool gobin_inlcall(const struct gobin *b, const struct gofunc *f, int32_t idx,
		   struct gobin_inlcall *c)
{
	const struct gopcln *p = gobin_pcln(b);
	bool old = p->magic == GOPCLN_MAGIC_118;
	uint64_t size = old ? INLCALL_SIZE_GO118 : INLCALL_SIZE_GO120;
	uint64_t base = gobin_gofunc(b);
	const uint8_t *e;
	uint32_t off;

	if (idx < 0 || !base || gopcln_funcdata(p, f, GOBIN_FUNCDATA_INLTREE, &off))
		return false;
	e = gobin_vaddr_bytes(b, base + off + (uint64_t)idx * size, size);
	if (!e)
		return false;
	if (old) {
		c->parent = (int16_t)(e[0] | e[1] << 8);
		c->func_id = e[2];
		c->name_off = get_i32(e + 12);
		c->parent_pc = f->entry + (uint32_t)get_i32(e + 16);
		return true;
	}
	c->func_id = e[0];
	c->name_off = get_i32(e + 4);
	c->parent_pc = f->entry + (uint32_t)get_i32(e + 8);
	/* The caller's entry is the one of the call site's instruction. */
	if (gopcln_pcdata(p, f, GOBIN_PCDATA_INLTREEINDEX, c->parent_pc, &c->parent))
		return false;
	/* An entry is its own parent only in a damaged table. */
	return c->parent != idx;
}
