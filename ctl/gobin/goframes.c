// SPDX-License-Identifier: GPL-2.0
/*
 * The frames a PC stands for, as Go's tracebacks show them: the calls the
 * compiler inlined at it (the function's inline tree: PCDATA_InlTreeIndex
 * names the innermost entry at a PC, and each entry the PC of its call in
 * its parent), then the function itself; compiler-made wrappers left
 * out (funcID FuncIDWrapper, found as gowrap.c finds it: one more than
 * runtime.systemstack_switch's).
 */
#include <string.h>

#include "gobin/gobin_impl.h"
#include "gobin/goruntime.h"

#define PCDATA_INLTREEINDEX	2
#define FUNCDATA_INLTREE	3
#define INLCALL_SIZE_GO118	20
#define INLCALL_SIZE_GO120	16
#define INLINE_DEPTH_MAX	64

static int32_t i32(const uint8_t *p)
{
	return (int32_t)gobin_le32(p);
}

static bool func_at(const struct gobin *b, uint64_t pc, struct gofunc *f)
{
	struct gopcln *p = gobin_pcln(b);
	long i;

	if (!p)
		return false;
	i = gopcln_find_pc(p, pc);
	return i >= 0 && !gopcln_func(p, (size_t)i, f) && pc < f->end;
}

bool gobin_is_system_start(const struct gobin *b, uint64_t startpc)
{
	struct gofunc f;

	if (!func_at(b, startpc, &f) || !f.name)
		return false;
	/* runtime.isSystemGoroutine: the runtime's, but main and coroutines. */
	return !strncmp(f.name, "runtime.", 8) && strcmp(f.name, "runtime.main") &&
	       strcmp(f.name, "runtime.corostart");
}

static void put(struct gobin_frame *out, size_t *n, size_t max, const struct gopcln *p,
		const struct gofunc *f, const char *name, uint64_t tracepc, bool inlined)
{
	struct gobin_frame *fr;

	if (*n >= max)
		return;
	fr = &out[(*n)++];
	fr->func = name;
	fr->entry = f->entry;
	fr->inlined = inlined;
	if (gopcln_line(p, f, tracepc, &fr->file, &fr->line)) {
		fr->file = NULL;
		fr->line = 0;
	}
}

size_t gobin_pc_frames(const struct gobin *b, uint64_t pc, bool ret,
		       struct gobin_frame *out, size_t max)
{
	struct gopcln *p = gobin_pcln(b);
	uint8_t wrapper = gobin_wrapper_id(b);
	uint64_t tree = 0, tracepc, base = gobin_gofunc(b);
	bool old = p && p->magic == GOPCLN_MAGIC_118;
	uint64_t size = old ? INLCALL_SIZE_GO118 : INLCALL_SIZE_GO120;
	struct gofunc f;
	uint32_t off;
	size_t n = 0;
	int depth;

	if (!max || !func_at(b, pc, &f))
		return 0;
	tracepc = ret && pc > f.entry ? pc - 1 : pc;
	if (base && !gopcln_funcdata(p, &f, FUNCDATA_INLTREE, &off))
		tree = base + off;
	for (depth = 0; tree && depth < INLINE_DEPTH_MAX; depth++) {
		const uint8_t *e;
		int32_t idx;

		if (gopcln_pcdata(p, &f, PCDATA_INLTREEINDEX, tracepc, &idx) || idx < 0)
			break;
		e = gobin_vaddr_bytes(b, tree + (uint64_t)idx * size, size);
		if (!e)
			break;
		/* go1.20+: funcID, pad, nameOff, parentPc; 1.18/1.19: parent, funcID, pad, file, line, nameOff, parentPc */
		if ((old ? e[2] : e[0]) != wrapper || !wrapper) {
			int32_t name_off = i32(e + (old ? 12 : 4));
			const char *name = name_off >= 0 ?
					   gopcln_name_at(p, (uint64_t)name_off) : NULL;

			if (name)
				put(out, &n, max, p, &f, name, tracepc, true);
		}
		tracepc = f.entry + (uint32_t)i32(e + (old ? 16 : 8));
		if (tracepc >= f.end)
			break;
	}
	if (!wrapper || gopcln_func_id(p, &f) != wrapper)
		put(out, &n, max, p, &f, f.name, tracepc, false);
	return n;
}
