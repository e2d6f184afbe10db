// SPDX-License-Identifier: GPL-2.0
/*
 * Go statement wrappers. A go statement whose call has arguments, such
 * as `go worker(ch, &wg)` or `go s.serve(conn)`, does not start the
 * function it names: the compiler wraps the call in a function without
 * arguments (main.main.func1 up to Go 1.21, main.main.gowrap1 from 1.22)
 * and the new goroutine's startpc is that wrapper. Go's tracebacks and
 * goroutine profiles skip such frames: the pclntab marks the wrapper
 * with the funcID abi.FuncIDWrapper (internal/abi/symtab.go). Its value
 * moves as IDs are added before it (21 up to Go 1.21, 22 from 1.22 with
 * FuncID_corostart, 23 in 1.26 with runFinalizers and runCleanups), but
 * it always follows FuncID_systemstack_switch, so it is read off the
 * binary: one more than the funcID of runtime.systemstack_switch.
 * gobin_go_start() names a goroutine the same way, from the wrapper's
 * code:
 *
 *   - a direct CALL (or JMP) to another function's entry, not to the
 *     runtime's stack growth: that function (itself resolved again when
 *     it is a wrapper too, such as a method's pointer-receiver wrapper);
 *   - code inlined into the wrapper (Go 1.22 and later inline small
 *     callees there): the outermost inlined function, from the
 *     wrapper's inline tree (PCDATA_InlTreeIndex, FUNCDATA_InlTree,
 *     relative to go:func.*: gobin_gofunc());
 *   - a CALL through a register: a closure called with arguments
 *     (`go func(id int) { ... }(i)`), whose funcval the wrapper loads
 *     from its context. It is the one closure of the same enclosing
 *     function whose code starts on the wrapper's line, the go
 *     statement's; otherwise (an interface method, a func value) it
 *     cannot be told, and the wrapper keeps its own name.
 */
#include <string.h>

#include <capstone/capstone.h>

#include "gobin/gobin_impl.h"

#define WRAPPER_CODE_MAX	4096
#define INLINE_DEPTH_MAX	64
/* A wrapper that calls a wrapper: a go statement on a promoted method. */
#define RESOLVE_DEPTH		3

uint8_t gobin_wrapper_id(const struct gobin *b)
{
	struct gopcln *p = gobin_pcln(b);
	struct gofunc f;
	long i;

	gopcln_index_names(p);
	i = gopcln_find_name(p, "runtime.systemstack_switch");
	if (i < 0 || gopcln_func(p, (size_t)i, &f) || !gopcln_func_id(p, &f))
		return 0;
	return (uint8_t)(gopcln_func_id(p, &f) + 1);
}

/*
 * The function inlined into f at the outermost level of the inline tree
 * entry idx (skipping wrappers, as the runtime does), or NULL.
 */
static const char *inlined_callee(const struct gobin *b, const struct gopcln *p,
				  const struct gofunc *f, int32_t idx, uint8_t wrapper)
{
	struct gobin_inlcall chain[INLINE_DEPTH_MAX];
	int n = 0;

	while (idx >= 0) {
		if (n == INLINE_DEPTH_MAX || !gobin_inlcall(b, f, idx, &chain[n]))
			return NULL;
		idx = chain[n++].parent;
	}
	while (n-- > 0)
		if (chain[n].func_id != wrapper && chain[n].name_off >= 0)
			return gopcln_name_at(p, (uint64_t)chain[n].name_off);
	return NULL;
}

static bool only_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * The closure a wrapper calls through a register: the one closure of
 * the wrapper's enclosing function ("P.funcN") that is not a wrapper and
 * starts on the wrapper's line (the go statement's), or NULL.
 */
static const char *called_closure(struct gopcln *p, const struct gofunc *w,
				  uint8_t wrapper)
{
	const char *dot = strrchr(w->name, '.'), *file = NULL, *found = NULL;
	char prefix[512];
	uint32_t line = 0;
	size_t lo, hi, i;
	int n;

	n = dot ? snprintf(prefix, sizeof(prefix), "%.*s.func", (int)(dot - w->name),
			   w->name) : -1;
	if (n < 0 || (size_t)n >= sizeof(prefix) || gopcln_index_names(p) ||
	    gopcln_name_range(p, prefix, &lo, &hi) ||
	    gopcln_line(p, w, w->entry, &file, &line))
		return NULL;
	for (i = lo; i < hi; i++) {
		const char *cfile = NULL;
		uint32_t cline = 0;
		struct gofunc c;

		if (gopcln_func(p, p->by_name[i], &c) || !only_digits(c.name + n) ||
		    gopcln_func_id(p, &c) == wrapper ||
		    gopcln_line(p, &c, c.entry, &cfile, &cline) || cline != line ||
		    strcmp(cfile, file))
			continue;
		if (found)
			return NULL;	/* two on one line: cannot tell */
		found = c.name;
	}
	return found;
}

/* Calls a wrapper makes that are not the call it wraps. */
static bool runtime_helper(const char *name)
{
	return !strncmp(name, "runtime.morestack", 17) || !strncmp(name, "runtime.race", 12);
}

static const char *resolve(const struct gobin *b, uint64_t vaddr, uint8_t wrapper,
			   int depth);

/*
 * What one instruction of wrapper w says about the function it calls:
 * 1 with *name set (maybe NULL: it cannot be told), 0 to read on.
 */
static int look_at(const struct gobin *b, struct gopcln *p, const struct gofunc *w,
		   const cs_insn *insn, uint8_t wrapper, int depth, const char **name)
{
	const cs_x86_op *op = &insn->detail->x86.operands[0];
	struct gofunc c;
	uint64_t target;
	int32_t inl;
	long i;

	if (!gopcln_pcdata(p, w, GOBIN_PCDATA_INLTREEINDEX, insn->address, &inl) && inl >= 0) {
		*name = inlined_callee(b, p, w, inl, wrapper);
		return 1;
	}
	if (insn->id != X86_INS_CALL && insn->id != X86_INS_JMP)
		return 0;
	if (insn->detail->x86.op_count != 1)
		return 0;
	if (op->type != X86_OP_IMM) {
		*name = insn->id == X86_INS_CALL ? called_closure(p, w, wrapper) : NULL;
		return insn->id == X86_INS_CALL;
	}
	target = (uint64_t)op->imm;
	if (target >= w->entry && target < w->end)
		return 0;
	i = gopcln_find_pc(p, target);
	if (i < 0 || gopcln_func(p, (size_t)i, &c) || c.entry != target ||
	    runtime_helper(c.name))
		return 0;
	*name = depth > 1 ? resolve(b, target, wrapper, depth - 1) : NULL;
	if (!*name)
		*name = c.name;
	return 1;
}

/* The function the wrapper at vaddr calls, or NULL (not a wrapper, or not known). */
static const char *resolve(const struct gobin *b, uint64_t vaddr, uint8_t wrapper,
			   int depth)
{
	struct gopcln *p = gobin_pcln(b);
	const char *name = NULL;
	const uint8_t *code;
	struct gofunc w;
	uint64_t addr;
	cs_insn *insn;
	size_t size;
	long i;
	csh cs;

	if (!p || (i = gopcln_find_pc(p, vaddr)) < 0 || gopcln_func(p, (size_t)i, &w) ||
	    w.entry != vaddr || !wrapper || gopcln_func_id(p, &w) != wrapper)
		return NULL;
	size = (size_t)(w.end - w.entry < WRAPPER_CODE_MAX ? w.end - w.entry : WRAPPER_CODE_MAX);
	code = gobin_vaddr_bytes(b, w.entry, size);
	if (!code || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return NULL;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(cs);
	addr = w.entry;
	while (insn && cs_disasm_iter(cs, &code, &size, &addr, insn))
		if (look_at(b, p, &w, insn, wrapper, depth, &name))
			break;
	if (insn)
		cs_free(insn, 1);
	cs_close(&cs);
	return name;
}

const char *gobin_go_start(const struct gobin *b, uint64_t vaddr)
{
	return b->impl ? resolve(b, vaddr, gobin_wrapper_id(b), RESOLVE_DEPTH) : NULL;
}
