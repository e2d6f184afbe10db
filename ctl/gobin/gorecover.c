// SPDX-License-Identifier: GPL-2.0
/*
 * Recovery of the runtime facts goroutine tracing needs from a Go binary's
 * own machine code and data (see gorecover.h). Each way walks one runtime
 * function with x86flow.c and looks for one statement of the Go source in
 * what the code does with its arguments, for instance in newproc1
 *
 *	newg.gopc = callerpc	an 8-byte store of the entry rcx (callerpc,
 *				the third integer argument) into the g that
 *				newproc1 returns in rax: its displacement is
 *				the offset of g.gopc
 *
 * A way finds a value only when the code holds exactly one candidate; two
 * different ones make it ambiguous, and it finds nothing. None of this
 * reads a version number: a Go release that moves a field moves the
 * displacement, and one that rewrites a function makes its way find
 * nothing, which gofacts.c turns into a refusal.
 */
#include <string.h>

#include "gobin/gobin_impl.h"
#include "gobin/gorecover.h"
#include "gobin/x86flow.h"

#define FUNC_MAX	(64U << 10)	/* bytes of a runtime function we read */

/* The strings every Go release so far starts waitReasonStrings with. */
static const char *const reasons_head[3] = { "", "GC assist marking", "IO wait" };

/* The x86 condition codes of "jump if below" and friends. */
#define CC_B	2	/* jb: taken when < imm */
#define CC_AE	3	/* jae: taken when >= imm */
#define CC_BE	6	/* jbe: taken when <= imm */
#define CC_A	7	/* ja: taken when > imm */

/* The runtime's goroutine states that the ways compare with. */
#define G_RUNNABLE	1
#define G_RUNNING	2
#define G_WAITING	4

static const char *const way_names[GW_NUM] = {
	[GW_GOID_NEWPROC1_COPY] = "runtime.newproc1 (callergp.goid)",
	[GW_GOID_NEWPROC1_CACHE] = "runtime.newproc1 (pp.goidcache)",
	[GW_GOID_CREATEDBY] = "runtime.printcreatedby",
	[GW_PARENT_NEWPROC1] = "runtime.newproc1",
	[GW_PARENT_CREATEDBY] = "runtime.printcreatedby",
	[GW_GOPC_NEWPROC1] = "runtime.newproc1",
	[GW_GOPC_CREATEDBY] = "runtime.printcreatedby",
	[GW_STARTPC_NEWPROC1] = "runtime.newproc1",
	[GW_STARTPC_SYSTEM] = "runtime.isSystemGoroutine",
	[GW_WAIT_GOPARK] = "runtime.gopark",
	[GW_WAIT_HEADER] = "runtime.goroutineheader",
	[GW_WAIT_NEWPROC1] = "runtime.newproc1",
	[GW_REASONS_STRING] = "runtime.waitReason.String",
	[GW_REASONS_PSTRING] = "runtime.(*waitReason).String",
	[GW_REASONS_HEADER] = "runtime.goroutineheader",
	[GW_REASONS_DATA] = "data scan",
	[GW_REG_NEWPROC1] = "runtime.newproc1",
	[GW_REG_EXECUTE] = "runtime.execute",
	[GW_REG_READY] = "runtime.ready",
};

const char *gorecover_where(enum gorec_way w)
{
	return (unsigned int)w < GW_NUM ? way_names[w] : "?";
}

/* ---- one answer per way --------------------------------------------- */

/* Offers a candidate: the first is kept, a different one makes it ambiguous. */
static void offer(struct gorec_result *r, uint64_t at, uint64_t value,
		  uint64_t count, int reg)
{
	if (r->ambiguous)
		return;
	if (!r->found) {
		r->found = true;
		r->at = at;
		r->value = value;
		r->count = count;
		r->reg = reg;
		return;
	}
	if (r->value != value || r->count != count || r->reg != reg) {
		r->found = false;
		r->ambiguous = true;
	}
}

/* ---- walking runtime functions -------------------------------------- */

struct fn {
	const struct gobin *b;
	struct xflow f;
	bool ok;
};

/* Go's calls: which never return, which keep the registers (write barriers). */
static enum xcall call_kind(void *ctx, uint64_t target)
{
	static const char *const noreturn[] = {
		"runtime.throw", "runtime.fatal", "runtime.fatalthrow",
		"runtime.fatalpanic", "runtime.gopanic", "runtime.panicwrap",
	};
	const char *name = gobin_func_name(ctx, target);
	size_t i;

	if (!name)
		return XC_NORMAL;
	if (!strncmp(name, "runtime.gcWriteBarrier", 22))
		return XC_PRESERVES;
	if (!strncmp(name, "runtime.morestack", 17) || !strncmp(name, "runtime.panic", 13) ||
	    !strncmp(name, "runtime.goPanic", 15))
		return XC_NORETURN;
	for (i = 0; i < sizeof(noreturn) / sizeof(noreturn[0]); i++)
		if (!strcmp(name, noreturn[i]))
			return XC_NORETURN;
	return XC_NORMAL;
}

static bool walk(const struct gobin *b, const char *name, struct fn *fn)
{
	/* ABIInternal: a call keeps rsp, rbp and the g register r14. */
	const struct xflow_abi abi = {
		.kept = 1U << XR_RSP | 1U << XR_RBP | 1U << XR_R14,
		.call = call_kind,
		.ctx = (void *)b,
	};
	uint64_t entry, end;
	const uint8_t *code;

	memset(fn, 0, sizeof(*fn));
	fn->b = b;
	if (gobin_func_range(b, name, &entry, &end) || end <= entry ||
	    end - entry > FUNC_MAX)
		return false;
	code = gobin_bytes(b, entry, end - entry);
	if (!code)
		return false;
	fn->ok = xflow_run(&fn->f, code, (size_t)(end - entry), entry, &abi) == 0;
	return fn->ok;
}

static void unwalk(struct fn *fn)
{
	xflow_free(&fn->f);
}

static const struct xv *T(const struct fn *fn, xval v)
{
	return xflow_val(&fn->f, v);
}

static bool is_entry(const struct fn *fn, xval v, int reg)
{
	const struct xv *t = T(fn, v);

	return t->kind == XV_ENTRY && t->a == reg;
}

static bool is_const(const struct fn *fn, xval v, int64_t c)
{
	const struct xv *t = T(fn, v);

	return t->kind == XV_CONST && t->a == c;
}

/* v is size bytes loaded from [base + *disp]. */
static bool is_load_of(const struct fn *fn, xval v, xval base, uint8_t size,
		       int64_t *disp)
{
	const struct xv *t = T(fn, v);

	if (t->kind != XV_LOAD || t->size != size || !v || t->base != base)
		return false;
	*disp = t->a;
	return true;
}

static xval entry_val(const struct fn *fn, int reg)
{
	return xflow_find(&fn->f, XV_ENTRY, 0, 0, reg);
}

/* A field offset worth believing: inside a g of a few KiB, aligned. */
static bool sane_field(int64_t off, unsigned int align)
{
	return off > 0 && off < 4096 && off % align == 0;
}

/* The callee of a call event, by name. */
static bool calls(const struct fn *fn, const struct xev *e, const char *name)
{
	const char *n = e->target ? gobin_func_name(fn->b, e->target) : NULL;

	return n && !strcmp(n, name);
}

/* ---- runtime.newproc1 ----------------------------------------------- */

/*
 * newproc1(fn *funcval, callergp *g, callerpc uintptr, ...) *g: the new g
 * is the value some register holds at every RET and into which callerpc
 * is stored; the other stores into it name the fields.
 */
static xval newproc1_newg(const struct fn *fn, int *reg, uint64_t *at)
{
	xval callerpc = entry_val(fn, XR_RCX);
	int r;

	if (!callerpc)
		return XV_UNKNOWN;
	for (r = 0; r < XR_NUM; r++) {
		xval v = XV_UNKNOWN;
		bool all = true;
		size_t i;

		for (i = 0; i < fn->f.nevs && all; i++) {
			const struct xev *e = &fn->f.evs[i];

			if (e->kind != XE_RET)
				continue;
			if (!e->regs[r] || (v && e->regs[r] != v))
				all = false;
			if (!v)
				*at = e->addr;
			v = e->regs[r];
		}
		if (!all || !v)
			continue;
		for (i = 0; i < fn->f.nevs; i++) {
			const struct xev *e = &fn->f.evs[i];

			if (e->kind == XE_STORE && e->base == v && e->size == 8 &&
			    e->val == callerpc) {
				*reg = r;
				return v;
			}
		}
	}
	return XV_UNKNOWN;
}

/* Whether the function writes to [base + disp] anywhere. */
static bool writes(const struct fn *fn, xval base, int64_t disp)
{
	size_t i;

	for (i = 0; i < fn->f.nevs; i++)
		if (fn->f.evs[i].kind == XE_STORE && fn->f.evs[i].base == base &&
		    fn->f.evs[i].disp == disp)
			return true;
	return false;
}

static void newproc1_store(const struct fn *fn, xval newg, const struct xev *e,
			   struct gorecover *r)
{
	xval fnval = entry_val(fn, XR_RAX), callergp = entry_val(fn, XR_RBX);
	xval callerpc = entry_val(fn, XR_RCX), reason = entry_val(fn, XR_RSI);
	const struct xv *t = T(fn, e->val);
	int64_t d;

	if (e->base != newg || !sane_field(e->disp, e->size))
		return;
	if (e->size == 1 && reason && e->val == reason)
		offer(&r->way[GW_WAIT_NEWPROC1], e->addr, (uint64_t)e->disp, 0, -1);
	if (e->size != 8)
		return;
	if (e->val == callerpc)
		offer(&r->way[GW_GOPC_NEWPROC1], e->addr, (uint64_t)e->disp, 0, -1);
	if (fnval && is_load_of(fn, e->val, fnval, 8, &d) && d == 0)
		offer(&r->way[GW_STARTPC_NEWPROC1], e->addr, (uint64_t)e->disp, 0, -1);
	/* A copy between different fields: a same-field copy is inheritance. */
	if (callergp && is_load_of(fn, e->val, callergp, 8, &d) && d != e->disp &&
	    sane_field(d, 8)) {
		offer(&r->way[GW_PARENT_NEWPROC1], e->addr, (uint64_t)e->disp, 0, -1);
		offer(&r->way[GW_GOID_NEWPROC1_COPY], e->addr, (uint64_t)d, 0, -1);
	}
	/* newg.goid = pp.goidcache; pp.goidcache++ */
	if (t->kind == XV_LOAD && t->size == 8 && t->base && t->base != newg &&
	    t->base != callergp && T(fn, t->base)->kind == XV_LOAD &&
	    writes(fn, t->base, t->a))
		offer(&r->way[GW_GOID_NEWPROC1_CACHE], e->addr, (uint64_t)e->disp, 0, -1);
}

static void recover_newproc1(const struct gobin *b, struct gorecover *r)
{
	struct fn fn;
	xval newg;
	size_t i;
	uint64_t at = 0;
	int reg = -1;

	if (!walk(b, "runtime.newproc1", &fn)) {
		unwalk(&fn);
		return;
	}
	newg = newproc1_newg(&fn, &reg, &at);
	if (newg) {
		offer(&r->way[GW_REG_NEWPROC1], at, 0, 0, reg);
		for (i = 0; i < fn.f.nevs; i++)
			if (fn.f.evs[i].kind == XE_STORE)
				newproc1_store(&fn, newg, &fn.f.evs[i], r);
	}
	unwalk(&fn);
}

/* ---- runtime.printcreatedby ----------------------------------------- */

/*
 * printcreatedby(gp *g): pc := gp.gopc; ...; if ... && gp.goid != 1 {
 * printcreatedby1(f, pc, gp.parentGoid) } (go1.21+; before, no goid).
 */
static void recover_createdby(const struct gobin *b, struct gorecover *r)
{
	struct fn fn;
	xval gp;
	size_t i;

	if (!walk(b, "runtime.printcreatedby", &fn) || !(gp = entry_val(&fn, XR_RAX))) {
		unwalk(&fn);
		return;
	}
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		int64_t d;

		if (e->kind == XE_CMP && e->size == 8 && is_const(&fn, e->val2, 1) &&
		    is_load_of(&fn, e->val, gp, 8, &d) && sane_field(d, 8))
			offer(&r->way[GW_GOID_CREATEDBY], e->addr, (uint64_t)d, 0, -1);
		if (e->kind != XE_CALL || !calls(&fn, e, "runtime.printcreatedby1"))
			continue;
		/* printcreatedby1(f funcInfo (2 words), pc, goid) */
		if (is_load_of(&fn, e->regs[xflow_arg_regs[2]], gp, 8, &d) && sane_field(d, 8))
			offer(&r->way[GW_GOPC_CREATEDBY], e->addr, (uint64_t)d, 0, -1);
		if (is_load_of(&fn, e->regs[xflow_arg_regs[3]], gp, 8, &d) && sane_field(d, 8))
			offer(&r->way[GW_PARENT_CREATEDBY], e->addr, (uint64_t)d, 0, -1);
	}
	unwalk(&fn);
}

/* ---- runtime.isSystemGoroutine -------------------------------------- */

/* isSystemGoroutine(gp *g, fixed bool): f := findfunc(gp.startpc) */
static void recover_system(const struct gobin *b, struct gorecover *r)
{
	struct fn fn;
	xval gp;
	size_t i;

	if (!walk(b, "runtime.isSystemGoroutine", &fn) || !(gp = entry_val(&fn, XR_RAX))) {
		unwalk(&fn);
		return;
	}
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		int64_t d;

		if (e->kind == XE_CALL && calls(&fn, e, "runtime.findfunc") &&
		    is_load_of(&fn, e->regs[XR_RAX], gp, 8, &d) && sane_field(d, 8))
			offer(&r->way[GW_STARTPC_SYSTEM], e->addr, (uint64_t)d, 0, -1);
	}
	unwalk(&fn);
}

/* ---- runtime.gopark ------------------------------------------------- */

/*
 * gopark(unlockf, lock, reason waitReason, ...): mp := acquirem(); gp :=
 * mp.curg; ...; gp.waitreason = reason. The one-byte store of an argument
 * register into a g reached as getg().m.curg.
 */
static void recover_gopark(const struct gobin *b, struct gorecover *r)
{
	struct fn fn;
	xval g;
	size_t i, k;

	if (!walk(b, "runtime.gopark", &fn) || !(g = entry_val(&fn, XR_R14))) {
		unwalk(&fn);
		return;
	}
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		const struct xv *curg = T(&fn, e->base);
		int64_t d;

		if (e->kind != XE_STORE || e->size != 1 || !sane_field(e->disp, 1) ||
		    curg->kind != XV_LOAD || curg->size != 8 ||
		    !is_load_of(&fn, curg->base, g, 8, &d))
			continue;
		for (k = 0; k < XF_ARGS; k++)
			if (is_entry(&fn, e->val, xflow_arg_regs[k]))
				offer(&r->way[GW_WAIT_GOPARK], e->addr, (uint64_t)e->disp, 0,
				      xflow_arg_regs[k]);
	}
	unwalk(&fn);
}

/* ---- the wait reason table in code ---------------------------------- */

/*
 * waitReasonStrings[w] with a bounds check: "cmp w, N; jb ok" (or jae
 * to the "unknown wait reason" path), then a 16-byte string header
 * loaded from [table + w<<4].
 */
static void reason_table(const struct fn *fn, xval w, struct gorec_result *res)
{
	xval idx = xflow_find(&fn->f, XV_SHL, 0, w, 4);
	uint64_t table = 0, count = 0, at = 0;
	size_t i;

	if (!w || !idx)
		return;
	for (i = 0; i < fn->f.nevs; i++) {
		const struct xev *e = &fn->f.evs[i];
		const struct xv *c = T(fn, e->val2);

		if (e->kind == XE_INDEX && e->val == idx && e->disp == 0) {
			if (table && table != (uint64_t)T(fn, e->base)->a)
				return;
			table = (uint64_t)T(fn, e->base)->a;
			at = at ? at : e->addr;
		}
		if (e->kind == XE_CMP && e->val == w && c->kind == XV_CONST &&
		    c->a > 0 && c->a < 256) {
			uint64_t n = (e->jcc == CC_B || e->jcc == CC_AE) ? (uint64_t)c->a :
				     (e->jcc == CC_BE || e->jcc == CC_A) ? (uint64_t)c->a + 1 : 0;

			if (!n || (count && count != n))
				return;
			count = n;
		}
	}
	if (table && count)
		offer(res, at, table, count, -1);
}

static void recover_string(const struct gobin *b, struct gorecover *r)
{
	struct fn fn;
	xval recv;

	/* func (w waitReason) String() string: w in al */
	if (walk(b, "runtime.waitReason.String", &fn))
		reason_table(&fn, entry_val(&fn, XR_RAX), &r->way[GW_REASONS_STRING]);
	unwalk(&fn);
	/* the pointer receiver's wrapper: w := *p */
	if (walk(b, "runtime.(*waitReason).String", &fn) &&
	    (recv = entry_val(&fn, XR_RAX)))
		reason_table(&fn, xflow_find(&fn.f, XV_LOAD, 1, recv, 0),
			     &r->way[GW_REASONS_PSTRING]);
	unwalk(&fn);
}

/* goroutineheader(gp *g): ... waitReasonStrings[gp.waitreason] ... */
static void recover_header(const struct gobin *b, struct gorecover *r)
{
	struct fn fn;
	xval gp;
	size_t i;

	if (!walk(b, "runtime.goroutineheader", &fn) || !(gp = entry_val(&fn, XR_RAX))) {
		unwalk(&fn);
		return;
	}
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		const struct xv *idx = T(&fn, e->val);
		struct gorec_result one;
		int64_t d;

		if (e->kind != XE_INDEX || idx->kind != XV_SHL || idx->a != 4 ||
		    !is_load_of(&fn, idx->base, gp, 1, &d) || !sane_field(d, 1))
			continue;
		memset(&one, 0, sizeof(one));
		reason_table(&fn, idx->base, &one);
		if (!one.found)
			continue;
		offer(&r->way[GW_WAIT_HEADER], e->addr, (uint64_t)d, 0, -1);
		offer(&r->way[GW_REASONS_HEADER], one.at, one.value, one.count, -1);
	}
	unwalk(&fn);
}

/* ---- registers of execute and ready --------------------------------- */

/* A call casgstatus(gp, from, to) with gp an argument register at entry. */
static void recover_cas(const struct gobin *b, const char *name, int64_t from,
			int64_t to, struct gorec_result *res)
{
	struct fn fn;
	size_t i, k;

	if (!walk(b, name, &fn)) {
		unwalk(&fn);
		return;
	}
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];

		if (e->kind != XE_CALL || !calls(&fn, e, "runtime.casgstatus") ||
		    !is_const(&fn, e->regs[xflow_arg_regs[1]], from) ||
		    !is_const(&fn, e->regs[xflow_arg_regs[2]], to))
			continue;
		for (k = 0; k < XF_ARGS; k++)
			if (is_entry(&fn, e->regs[XR_RAX], xflow_arg_regs[k]))
				offer(res, e->addr, 0, 0, xflow_arg_regs[k]);
	}
	unwalk(&fn);
}

/* ---- the wait reason table in data ---------------------------------- */

/* The Go string header at vaddr is s. */
static bool string_is(const struct gobin *b, uint64_t vaddr, const char *s)
{
	const uint8_t *hdr = gobin_bytes(b, vaddr, 16);
	size_t len = strlen(s);
	const uint8_t *p;
	uint64_t ptr;

	if (!hdr || gobin_le64(hdr + 8) != len)
		return false;
	if (!len)
		return true;
	if (!gobin_read_ptr(b, vaddr, &ptr) || !(p = gobin_bytes(b, ptr, len)))
		return false;
	return !memcmp(p, s, len);
}

/*
 * Every 8-aligned place in the data whose three string headers are the
 * first three wait reasons. The lengths are checked first, so the
 * pointers (relocations in a PIE) are resolved only at the few places
 * whose lengths are 0, 17 and 7.
 */
static void recover_data(const struct gobin *b, struct gorecover *r)
{
	uint64_t vaddr, filesz;
	uint32_t flags;
	size_t i;

	for (i = 0; gobin_segment(b, i, &vaddr, &filesz, &flags) == 0; i++) {
		const uint8_t *seg;
		uint64_t off;

		if ((flags & 1) || filesz < 48)	/* PF_X: code */
			continue;
		seg = gobin_bytes(b, vaddr, filesz);
		if (!seg)
			continue;
		for (off = (8 - vaddr % 8) % 8; off + 48 <= filesz; off += 8) {
			const uint8_t *p = seg + off;

			if (gobin_le64(p + 8) != 0 || gobin_le64(p + 24) != strlen(reasons_head[1]) ||
			    gobin_le64(p + 40) != strlen(reasons_head[2]))
				continue;
			if (string_is(b, vaddr + off, reasons_head[0]) &&
			    string_is(b, vaddr + off + 16, reasons_head[1]) &&
			    string_is(b, vaddr + off + 32, reasons_head[2]))
				offer(&r->way[GW_REASONS_DATA], vaddr + off, vaddr + off, 0, -1);
		}
	}
}

void gorecover_run(const struct gobin *b, struct gorecover *r)
{
	memset(r, 0, sizeof(*r));
	recover_newproc1(b, r);
	recover_createdby(b, r);
	recover_system(b, r);
	recover_gopark(b, r);
	recover_header(b, r);
	recover_string(b, r);
	recover_cas(b, "runtime.execute", G_RUNNABLE, G_RUNNING, &r->way[GW_REG_EXECUTE]);
	recover_cas(b, "runtime.ready", G_WAITING, G_RUNNABLE, &r->way[GW_REG_READY]);
	recover_data(b, r);
}
