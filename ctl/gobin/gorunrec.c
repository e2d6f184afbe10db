// SPDX-License-Identifier: GPL-2.0
/*
 * The facts of a goroutine dump recovered from the runtime's machine code
 * (gorunrec.h), each in independent ways. x86flow.c walks a function; a
 * way looks for one statement of the runtime's source in what the code
 * does, for instance in runtime.save(pc, sp[, bp])
 *
 *	gp.sched.pc = pc	an 8-byte store of the entry rax (pc, the first
 *				integer argument) into the entry r14 (the running
 *				g): its displacement is the offset of g.sched.pc
 *
 * The ways for sched.* come first; those of the syscall fields and the
 * stack bounds use the offsets that two ways agreed on before them
 * (sched.*, then the bounds, then syscallsp).
 * A way finds a value only when the code holds exactly one candidate;
 * none of it reads a version number.
 */
#include <stdio.h>
#include <string.h>

#include <capstone/capstone.h>

#include "gobin/gobin_impl.h"
#include "gobin/gorunrec.h"
#include "gobin/x86flow.h"

#define FUNC_MAX	(64U << 10)
#define FIELDS_MAX	16
#define NO_OFF		UINT64_MAX

enum { W0, W1, W2 };

/* ---- one answer per way --------------------------------------------- */

static void offer(struct gorunrec *r, int fact, int way, uint64_t v)
{
	struct gorunrec_result *w = &r->fact[fact].way[way];

	if (w->ambiguous)
		return;
	if (!w->found) {
		w->found = true;
		w->value = v;
	} else if (w->value != v) {
		w->found = false;
		w->ambiguous = true;
	}
}

static void name_way(struct gorunrec *r, int fact, int way, const char *where)
{
	r->fact[fact].way[way].where = where;
}

/* The value the ways of a fact agree on: two found, none different. */
static uint64_t agreed(const struct gorunrec *r, int fact)
{
	uint64_t v = NO_OFF;
	int i, n = 0;

	for (i = 0; i < GORUNREC_WAYS; i++) {
		const struct gorunrec_result *w = &r->fact[fact].way[i];

		if (w->ambiguous)
			return NO_OFF;
		if (!w->found)
			continue;
		if (n && w->value != v)
			return NO_OFF;
		v = w->value;
		n++;
	}
	return n >= 2 ? v : NO_OFF;
}

/* ---- walking a function --------------------------------------------- */

struct fn {
	const struct gobin *b;
	struct xflow f;
	uint64_t entry, end;
};

static enum xcall call_kind(void *ctx, uint64_t target)
{
	const char *name = gobin_func_name(ctx, target);

	if (!name)
		return XC_NORMAL;
	if (!strncmp(name, "runtime.gcWriteBarrier", 22))
		return XC_PRESERVES;
	if (!strcmp(name, "runtime.throw") || !strcmp(name, "runtime.fatal") ||
	    !strncmp(name, "runtime.panic", 13) || !strncmp(name, "runtime.morestack", 17) ||
	    !strcmp(name, "runtime.abort") || !strcmp(name, "runtime.badmcall"))
		return XC_NORETURN;
	return XC_NORMAL;
}

static bool walk(const struct gobin *b, const char *name, struct fn *fn)
{
	const struct xflow_abi abi = {
		.kept = 1U << XR_RSP | 1U << XR_RBP | 1U << XR_R14,
		.call = call_kind,
		.ctx = (void *)b,
	};
	const uint8_t *code;

	memset(fn, 0, sizeof(*fn));
	fn->b = b;
	if (gobin_func_range(b, name, &fn->entry, &fn->end) || fn->end <= fn->entry ||
	    fn->end - fn->entry > FUNC_MAX)
		return false;
	code = gobin_bytes(b, fn->entry, fn->end - fn->entry);
	if (!code)
		return false;
	if (xflow_run(&fn->f, code, (size_t)(fn->end - fn->entry), fn->entry, &abi)) {
		xflow_free(&fn->f);
		return false;
	}
	return true;
}

static const struct xv *T(const struct fn *fn, xval v)
{
	return xflow_val(&fn->f, v);
}

static bool is_entry(const struct fn *fn, xval v, int reg)
{
	const struct xv *t = T(fn, v);

	return v && t->kind == XV_ENTRY && t->a == reg;
}

static bool is_const(const struct fn *fn, xval v, int64_t c)
{
	const struct xv *t = T(fn, v);

	return v && t->kind == XV_CONST && t->a == c;
}

/* v is size bytes at [base + off] (base any value); off in *off. */
static bool load_of(const struct fn *fn, xval v, xval base, uint8_t size, uint64_t *off)
{
	const struct xv *t = T(fn, v);

	if (!v || t->kind != XV_LOAD || t->size != size || (base && t->base != base) ||
	    t->a < 0)
		return false;
	*off = (uint64_t)t->a;
	return true;
}

/* v is 8 bytes at [entry r14 + off]: a field of the running g. */
static bool g_load(const struct fn *fn, xval v, uint64_t *off)
{
	const struct xv *t = T(fn, v);

	return t->kind == XV_LOAD && t->size == 8 && is_entry(fn, t->base, XR_R14) &&
	       t->a >= 0 && (*off = (uint64_t)t->a, true);
}

/* An 8-byte store into the running g (entry r14) at *off. */
static bool g_store(const struct fn *fn, const struct xev *e, uint64_t *off)
{
	if (e->kind != XE_STORE || e->size != 8 || !is_entry(fn, e->base, XR_R14) ||
	    e->disp < 0 || e->disp >= 4096)
		return false;
	*off = (uint64_t)e->disp;
	return true;
}

static bool sane(uint64_t off)
{
	return off < 4096 && off % 8 == 0;
}

/* ---- allglen, allgptr ----------------------------------------------- */

/*
 * allgadd: atomicstorep(&allgptr, &allgs[0]); Storeuintptr(&allglen,
 * len(allgs)): two stores to static addresses of the slice's first and
 * second words.
 */
static bool static_word(const struct fn *fn, xval v, uint64_t *at)
{
	const struct xv *t = T(fn, v);

	if (!v || t->kind != XV_LOAD || t->size != 8 || T(fn, t->base)->kind != XV_ADDR)
		return false;
	*at = (uint64_t)T(fn, t->base)->a + (uint64_t)t->a;
	return true;
}

static void allgadd(const struct gobin *b, struct gorunrec *r)
{
	uint64_t ptr = 0, len = 0;
	struct fn fn;
	size_t i, k;
	int pairs = 0;

	name_way(r, GORT_ALLGLEN, W0, "runtime.allgadd");
	name_way(r, GORT_ALLGPTR, W0, "runtime.allgadd");
	if (!walk(b, "runtime.allgadd", &fn))
		return;
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		uint64_t src;

		if (e->kind != XE_STORE || e->size != 8 || e->disp ||
		    T(&fn, e->base)->kind != XV_ADDR || !static_word(&fn, e->val, &src))
			continue;
		for (k = 0; k < fn.f.nevs; k++) {
			const struct xev *o = &fn.f.evs[k];
			uint64_t src2;

			if (k == i || o->kind != XE_STORE || o->size != 8 || o->disp ||
			    T(&fn, o->base)->kind != XV_ADDR ||
			    !static_word(&fn, o->val, &src2) || src2 != src + 8)
				continue;
			/* [e] = allgs.ptr, [o] = allgs.len */
			ptr = (uint64_t)T(&fn, e->base)->a;
			len = (uint64_t)T(&fn, o->base)->a;
			pairs++;
		}
	}
	xflow_free(&fn.f);
	if (pairs == 1 && ptr != len) {
		offer(r, GORT_ALLGPTR, W0, ptr);
		offer(r, GORT_ALLGLEN, W0, len);
	} else if (pairs > 1) {
		r->fact[GORT_ALLGPTR].way[W0].ambiguous = true;
		r->fact[GORT_ALLGLEN].way[W0].ambiguous = true;
	}
}

/* The static addresses a function loads 8 bytes from, rip-relative (capstone). */
static size_t rip_loads(const struct gobin *b, uint64_t entry, uint64_t end, uint64_t *out,
			size_t max)
{
	const uint8_t *code = gobin_bytes(b, entry, end - entry);
	uint64_t addr = entry;
	size_t size = (size_t)(end - entry), n = 0, k;
	cs_insn *insn;
	csh cs;

	if (!code || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return 0;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(cs);
	while (insn && size && cs_disasm_iter(cs, &code, &size, &addr, insn)) {
		const cs_x86 *x = &insn->detail->x86;
		uint64_t at;

		if (insn->id != X86_INS_MOV || x->op_count != 2 || x->operands[1].type != X86_OP_MEM ||
		    x->operands[1].mem.base != X86_REG_RIP || x->operands[1].size != 8)
			continue;
		at = insn->address + insn->size + (uint64_t)x->operands[1].mem.disp;
		for (k = 0; k < n && out[k] != at; k++)
			;
		if (k == n && n < max)
			out[n++] = at;
	}
	if (insn)
		cs_free(insn, 1);
	cs_close(&cs);
	return n;
}

/*
 * forEachGRace: ptr, length := atomicAllG(); for i := 0; i < length; i++:
 * allglen is the static word the loop bound is compared with; allgptr the
 * one other static word the function loads.
 */
static void foreachgrace(const struct gobin *b, struct gorunrec *r)
{
	uint64_t len = NO_OFF, words[8];
	struct fn fn;
	size_t i, n;

	name_way(r, GORT_ALLGLEN, W1, "runtime.forEachGRace");
	name_way(r, GORT_ALLGPTR, W1, "runtime.forEachGRace");
	if (!walk(b, "runtime.forEachGRace", &fn))
		return;
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		uint64_t off;
		xval sides[2] = { e->val, e->val2 };
		int s;

		if (e->kind != XE_CMP || e->size != 8)
			continue;
		for (s = 0; s < 2; s++) {
			const struct xv *t = T(&fn, sides[s]);

			if (load_of(&fn, sides[s], 0, 8, &off) && !off &&
			    T(&fn, t->base)->kind == XV_ADDR) {
				len = (uint64_t)T(&fn, t->base)->a;
				offer(r, GORT_ALLGLEN, W1, len);
			}
		}
	}
	n = rip_loads(b, fn.entry, fn.end, words, 8);
	xflow_free(&fn.f);
	if (len == NO_OFF || r->fact[GORT_ALLGLEN].way[W1].ambiguous)
		return;
	for (i = 0; i < n; i++)
		if (words[i] != len)
			offer(r, GORT_ALLGPTR, W1, words[i]);
}

/* ---- g.sched -------------------------------------------------------- */

/* runtime.save(pc, sp[, bp]): gp.sched.pc = pc; gp.sched.sp = sp[; gp.sched.bp = bp]. */
static void save(const struct gobin *b, struct gorunrec *r)
{
	struct fn fn;
	size_t i;

	name_way(r, GORT_SCHED_PC, W0, "runtime.save");
	name_way(r, GORT_SCHED_SP, W0, "runtime.save");
	name_way(r, GORT_SCHED_BP, W2, "runtime.save");
	if (!walk(b, "runtime.save", &fn))
		return;
	for (i = 0; i < fn.f.nevs; i++) {
		uint64_t off;

		if (!g_store(&fn, &fn.f.evs[i], &off))
			continue;
		if (is_entry(&fn, fn.f.evs[i].val, XR_RAX))
			offer(r, GORT_SCHED_PC, W0, off);
		else if (is_entry(&fn, fn.f.evs[i].val, XR_RBX))
			offer(r, GORT_SCHED_SP, W0, off);
		else if (is_entry(&fn, fn.f.evs[i].val, XR_RCX))
			offer(r, GORT_SCHED_BP, W2, off);
	}
	xflow_free(&fn.f);
}

/*
 * runtime.mcall (assembly): g.sched.sp = the caller's SP (entry rsp + 8),
 * g.sched.bp = its BP; gosave_systemstack_switch the same, and
 * g.sched.pc = an address inside runtime.systemstack_switch (a constant
 * in a static binary, a rip-relative address in a PIE).
 */
static void asm_save(const struct gobin *b, struct gorunrec *r, const char *name, int way,
		     bool pc)
{
	uint64_t ss, ss_end;
	struct fn fn;
	size_t i;

	name_way(r, GORT_SCHED_SP, way, name);
	name_way(r, GORT_SCHED_BP, way - 1, name);
	if (pc)
		name_way(r, GORT_SCHED_PC, W1, name);
	if (gobin_func_range(b, "runtime.systemstack_switch", &ss, &ss_end))
		ss = ss_end = 0;
	if (!walk(b, name, &fn))
		return;
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xv *v = T(&fn, fn.f.evs[i].val);
		uint64_t off;

		if (!g_store(&fn, &fn.f.evs[i], &off))
			continue;
		if (v->kind == XV_STACK && v->a == 8)
			offer(r, GORT_SCHED_SP, way, off);
		else if (is_entry(&fn, fn.f.evs[i].val, XR_RBP))
			offer(r, GORT_SCHED_BP, way - 1, off);
		else if (pc && (v->kind == XV_ADDR || v->kind == XV_CONST) && (uint64_t)v->a >= ss &&
			 (uint64_t)v->a < ss_end)
			offer(r, GORT_SCHED_PC, W1, off);
	}
	xflow_free(&fn.f);
}

/* ---- the syscall fields and the stack bounds ------------------------ */

/*
 * entersyscallblock: save(pc, sp, bp); gp.syscallsp = gp.sched.sp;
 * gp.syscallpc = gp.sched.pc[; gp.syscallbp = gp.sched.bp]; then
 * if sp < gp.stack.lo || gp.stack.hi < sp: the two fields compared with
 * sched.sp or syscallsp are the stack bounds (lo first in the struct).
 */
static void entersyscallblock(const struct gobin *b, struct gorunrec *r, uint64_t S,
			      uint64_t P, uint64_t B)
{
	uint64_t sys = NO_OFF, bounds[FIELDS_MAX];
	size_t i, k, nb = 0;
	struct fn fn;

	name_way(r, GORT_SYSCALLSP, W0, "runtime.entersyscallblock");
	name_way(r, GORT_SYSCALLPC, W0, "runtime.entersyscallblock");
	name_way(r, GORT_SYSCALLBP, W0, "runtime.entersyscallblock");
	name_way(r, GORT_STACK_LO, W0, "runtime.entersyscallblock");
	name_way(r, GORT_STACK_HI, W0, "runtime.entersyscallblock");
	if (S == NO_OFF || P == NO_OFF || !walk(b, "runtime.entersyscallblock", &fn))
		return;
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		uint64_t off, from;

		if (!g_store(&fn, e, &off) || !g_load(&fn, e->val, &from) || off == from)
			continue;
		if (from == S) {
			offer(r, GORT_SYSCALLSP, W0, off);
			sys = off;
		} else if (from == P) {
			offer(r, GORT_SYSCALLPC, W0, off);
		} else if (B != NO_OFF && from == B) {
			offer(r, GORT_SYSCALLBP, W0, off);
		}
	}
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		uint64_t x, y;

		if (e->kind != XE_CMP || e->size != 8 || !g_load(&fn, e->val, &x) ||
		    !g_load(&fn, e->val2, &y))
			continue;
		if (y == S || y == sys) {
			/* keep x */
		} else if (x == S || x == sys) {
			x = y;
		} else {
			continue;
		}
		for (k = 0; k < nb && bounds[k] != x; k++)
			;
		if (k == nb && nb < FIELDS_MAX)
			bounds[nb++] = x;
	}
	xflow_free(&fn.f);
	if (nb == 2 && sane(bounds[0]) && sane(bounds[1])) {
		offer(r, GORT_STACK_LO, W0, bounds[0] < bounds[1] ? bounds[0] : bounds[1]);
		offer(r, GORT_STACK_HI, W0, bounds[0] < bounds[1] ? bounds[1] : bounds[0]);
	} else if (nb) {
		offer(r, GORT_STACK_LO, W0, 0), offer(r, GORT_STACK_LO, W0, 1);
		offer(r, GORT_STACK_HI, W0, 0), offer(r, GORT_STACK_HI, W0, 1);
	}
}

/*
 * reentersyscall(pc, sp[, bp]): gp.syscallsp = sp ...; then
 * if gp.syscallsp < gp.stack.lo || gp.stack.hi < gp.syscallsp, and from
 * go1.23 the same for gp.syscallbp. The fields it compares with each
 * other are two sides: the ones it stores into (the syscall fields; the
 * compiler may compare syscallsp in a register instead) and the two it
 * only reads, the stack bounds (lo first in runtime.stack). syscallbp is
 * the field of the first side that is not syscallsp (found otherwise):
 * *fields gets the first side.
 */
static void reentersyscall(const struct gobin *b, struct gorunrec *r, uint64_t *fields,
			   size_t *nfields)
{
	uint64_t stored[FIELDS_MAX], bounds[2];
	size_t i, k, ns = 0, nb = 0;
	struct fn fn;

	*nfields = 0;
	name_way(r, GORT_STACK_LO, W1, "runtime.reentersyscall");
	name_way(r, GORT_STACK_HI, W1, "runtime.reentersyscall");
	if (!walk(b, "runtime.reentersyscall", &fn))
		return;
	for (i = 0; i < fn.f.nevs && ns < FIELDS_MAX; i++) {
		uint64_t off;

		if (g_store(&fn, &fn.f.evs[i], &off))
			stored[ns++] = off;
	}
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		uint64_t x, y, t;
		bool xs = false, ys = false;

		if (e->kind != XE_CMP || e->size != 8 || !g_load(&fn, e->val, &x) ||
		    !g_load(&fn, e->val2, &y) || x == y)
			continue;
		for (k = 0; k < ns; k++) {
			xs |= stored[k] == x;
			ys |= stored[k] == y;
		}
		if (xs == ys) {
			nb = 3;		/* not the two sides: find nothing */
			break;
		}
		if (xs) {
			t = x;
			x = y;
			y = t;
		}
		/* x: a bound, y: a syscall field */
		for (k = 0; k < nb && bounds[k] != x; k++)
			;
		if (k == nb && nb++ < 2)
			bounds[k] = x;
		for (k = 0; k < *nfields && fields[k] != y; k++)
			;
		if (k == *nfields && *nfields < 2)
			fields[(*nfields)++] = y;
	}
	xflow_free(&fn.f);
	if (nb != 2) {
		*nfields = 0;
		return;
	}
	offer(r, GORT_STACK_LO, W1, bounds[0] < bounds[1] ? bounds[0] : bounds[1]);
	offer(r, GORT_STACK_HI, W1, bounds[0] < bounds[1] ? bounds[1] : bounds[0]);
}

static void syscallbp(struct gorunrec *r, const uint64_t *fields, size_t n, uint64_t sys)
{
	size_t k;

	name_way(r, GORT_SYSCALLBP, W1, "runtime.reentersyscall");
	if (sys == NO_OFF)
		return;
	for (k = 0; k < n; k++)
		if (fields[k] != sys)
			offer(r, GORT_SYSCALLBP, W1, fields[k]);
}

/*
 * copystack(gp, ...): if gp.syscallsp != 0 { gp.syscallsp += delta }: its
 * one 8-byte field of gp compared with 0. shrinkstack(gp): gp.stack.lo ==
 * 0 and (isShrinkStackSafe) gp.syscallsp != 0: the field compared with 0
 * that is not a stack bound.
 */
static void syscallsp(const struct gobin *b, struct gorunrec *r, int way, const char *name,
		      uint64_t lo, uint64_t hi)
{
	struct fn fn;
	size_t i;

	name_way(r, GORT_SYSCALLSP, way, name);
	if (!walk(b, name, &fn))
		return;
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		uint64_t off;

		if (e->kind != XE_CMP || e->size != 8 || !is_const(&fn, e->val2, 0) ||
		    !load_of(&fn, e->val, 0, 8, &off) ||
		    !is_entry(&fn, T(&fn, e->val)->base, XR_RAX) || !sane(off))
			continue;
		if (way == W2 && (lo == NO_OFF || hi == NO_OFF || off == lo || off == hi))
			continue;
		offer(r, GORT_SYSCALLSP, way, off);
	}
	xflow_free(&fn.f);
}

/*
 * oneNewExtraM: gp.syscallpc = gp.sched.pc (an 8-byte copy between two
 * fields of the new g).
 */
static void onenewextram(const struct gobin *b, struct gorunrec *r, uint64_t P)
{
	struct fn fn;
	size_t i;

	name_way(r, GORT_SYSCALLPC, W1, "runtime.oneNewExtraM");
	if (P == NO_OFF || !walk(b, "runtime.oneNewExtraM", &fn))
		return;
	for (i = 0; i < fn.f.nevs; i++) {
		const struct xev *e = &fn.f.evs[i];
		uint64_t from;

		if (e->kind == XE_STORE && e->size == 8 && e->disp > 0 &&
		    load_of(&fn, e->val, e->base, 8, &from) && from == P &&
		    (uint64_t)e->disp != P)
			offer(r, GORT_SYSCALLPC, W1, (uint64_t)e->disp);
	}
	xflow_free(&fn.f);
}

/* ---- status, waitsince ---------------------------------------------- */

/*
 * casgstatus: gp.atomicstatus.Load() == _Grunnable (a 4-byte field
 * compared with a state); gfput(pp, gp): readgstatus(gp) != _Gdead.
 */
static void status(const struct gobin *b, struct gorunrec *r)
{
	static const struct { const char *name; int reg; int64_t state; } ways[2] = {
		{ "runtime.casgstatus", -1, -1 }, { "runtime.gfput", XR_RBX, 6 },
	};
	int w;

	for (w = 0; w < 2; w++) {
		struct fn fn;
		size_t i;

		name_way(r, GORT_STATUS, w, ways[w].name);
		if (!walk(b, ways[w].name, &fn))
			continue;
		for (i = 0; i < fn.f.nevs; i++) {
			const struct xev *e = &fn.f.evs[i];
			const struct xv *t = T(&fn, e->val), *k = T(&fn, e->val2);

			if (e->kind != XE_CMP || e->size != 4 || t->kind != XV_LOAD ||
			    t->size != 4 || k->kind != XV_CONST || k->a < 0 || k->a > 12 ||
			    T(&fn, t->base)->kind == XV_ADDR || t->a <= 0 || t->a % 4)
				continue;
			if (ways[w].reg >= 0 && (!is_entry(&fn, t->base, ways[w].reg) ||
						 k->a != ways[w].state))
				continue;
			offer(r, GORT_STATUS, w, (uint64_t)t->a);
		}
		xflow_free(&fn.f);
	}
}

/*
 * execute(gp, ...): gp.waitsince = 0 (its one 8-byte store of 0 into gp);
 * goroutineheader(gp): gp.waitsince != 0 then nanotime() - gp.waitsince
 * (the field compared with 0 right before the call of nanotime).
 */
static void waitsince(const struct gobin *b, struct gorunrec *r)
{
	struct fn fn;
	size_t i;

	name_way(r, GORT_WAITSINCE, W0, "runtime.execute");
	name_way(r, GORT_WAITSINCE, W1, "runtime.goroutineheader");
	if (walk(b, "runtime.execute", &fn)) {
		for (i = 0; i < fn.f.nevs; i++) {
			const struct xev *e = &fn.f.evs[i];

			if (e->kind == XE_STORE && e->size == 8 && is_entry(&fn, e->base, XR_RAX) &&
			    is_const(&fn, e->val, 0) && e->disp > 0 && sane((uint64_t)e->disp))
				offer(r, GORT_WAITSINCE, W0, (uint64_t)e->disp);
		}
		xflow_free(&fn.f);
	}
	if (walk(b, "runtime.goroutineheader", &fn)) {
		for (i = 0; i + 1 < fn.f.nevs; i++) {
			const struct xev *e = &fn.f.evs[i], *n = &fn.f.evs[i + 1];
			const char *callee;
			uint64_t off;

			if (e->kind != XE_CMP || e->size != 8 || !is_const(&fn, e->val2, 0) ||
			    !load_of(&fn, e->val, 0, 8, &off) ||
			    !is_entry(&fn, T(&fn, e->val)->base, XR_RAX) || n->kind != XE_CALL)
				continue;
			callee = n->target ? gobin_func_name(b, n->target) : NULL;
			if (callee && !strncmp(callee, "runtime.nanotime", 16) && sane(off))
				offer(r, GORT_WAITSINCE, W1, off);
		}
		xflow_free(&fn.f);
	}
}

/* ---- all of it ------------------------------------------------------ */

void gorunrec_text(const struct gorunrec *r, int id, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < GORUNREC_WAYS && n < len; i++) {
		const struct gorunrec_result *w = &r->fact[id].way[i];

		if (!w->where)
			continue;
		if (w->found)
			n += (size_t)snprintf(buf + n, len - n, "%s%s finds %llu", n ? ", " : "",
					      w->where, (unsigned long long)w->value);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%s %s", n ? ", " : "",
					      w->where, w->ambiguous ? "is ambiguous" :
					      "finds nothing");
	}
	if (!n)
		snprintf(buf, len, "no way in the code");
}

void gorunrec_run(const struct gobin *b, struct gorunrec *r)
{
	uint64_t fields[2];
	size_t nfields;

	memset(r, 0, sizeof(*r));
	allgadd(b, r);
	foreachgrace(b, r);
	save(b, r);
	asm_save(b, r, "runtime.mcall", W1, false);
	asm_save(b, r, "gosave_systemstack_switch", W2, true);
	entersyscallblock(b, r, agreed(r, GORT_SCHED_SP), agreed(r, GORT_SCHED_PC),
			  agreed(r, GORT_SCHED_BP));
	reentersyscall(b, r, fields, &nfields);
	syscallsp(b, r, W1, "runtime.copystack", NO_OFF, NO_OFF);
	syscallsp(b, r, W2, "runtime.shrinkstack", agreed(r, GORT_STACK_LO),
		  agreed(r, GORT_STACK_HI));
	syscallbp(r, fields, nfields, agreed(r, GORT_SYSCALLSP));
	onenewextram(b, r, agreed(r, GORT_SCHED_PC));
	status(b, r);
	waitsince(b, r);
}
