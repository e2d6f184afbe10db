// SPDX-License-Identifier: GPL-2.0
/*
 * A symbolic data flow over one x86-64 function (see x86flow.h).
 *
 * The function is cut into basic blocks at its jumps; each block's state
 * on entry (the value of every register, and of the stack slots the code
 * wrote) is the merge of its predecessors' states at exit: where they
 * agree the value is kept, where they differ it becomes a PHI term of
 * that block and location. States only ever lose information, so the
 * worklist ends; a last pass over the reachable blocks, from their final
 * entry states, reports the events. Jumps back to the entry (Go's
 * morestack path restarts the function with its arguments reloaded) and
 * out of the function (tail calls) end a path.
 *
 * Modelled: mov/movzx/movsx/lea/push/pop, xor of a register with itself,
 * add/sub of a constant to a stack address, shl by a constant, xchg with
 * memory, cmp, call, ret. Any other instruction makes the registers it
 * writes unknown and the memory it writes unknown. Stack slots are kept
 * by their offset from the entry rsp; a call forgets the slots from the
 * lowest stack address the function let escape into a register upwards.
 */
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "gobin/x86flow.h"

#define CODE_MAX	(256U << 10)	/* bytes of one function */
#define VALS_MAX	(1U << 18)
#define EVS_MAX		(1U << 16)
#define SLOTS_MAX	48
#define VISITS_MAX	(1U << 20)

const uint8_t xflow_arg_regs[XF_ARGS] = {
	XR_RAX, XR_RBX, XR_RCX, XR_RDI, XR_RSI, XR_R8, XR_R9, XR_R10, XR_R11,
};

struct slot {
	int64_t off;
	uint8_t size;
	xval v;
};

struct state {
	xval regs[XR_NUM];
	unsigned int nslots;
	struct slot slots[SLOTS_MAX];
};

struct block {
	size_t first, last;	/* instruction indices, inclusive */
	bool visited, queued;
	struct state in;
};

struct walk {
	csh cs;
	struct xflow *f;
	const struct xflow_abi *abi;
	cs_insn *insns;
	size_t ninsns;
	uint64_t entry, end;
	struct block *blocks;
	size_t nblocks;
	int64_t escaped;	/* lowest escaped stack offset, INT64_MAX: none */
	bool emit;
};

/* ---- values --------------------------------------------------------- */

/* Addresses and offsets wrap like the machine's: no signed overflow. */
static int64_t add64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static uint64_t term_hash(uint8_t kind, uint8_t size, uint16_t loc, xval base,
			  int64_t a)
{
	uint64_t h = (uint64_t)kind * 0x9e3779b97f4a7c15ULL;

	h ^= ((uint64_t)size << 8 | (uint64_t)loc << 16 | (uint64_t)base << 32) +
	     0x632be59bd9b4e019ULL + (h << 6) + (h >> 2);
	h ^= (uint64_t)a * 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 31;
	return h;
}

static bool term_eq(const struct xv *v, uint8_t kind, uint8_t size, uint16_t loc,
		    xval base, int64_t a)
{
	return v->kind == kind && v->size == size && v->loc == loc &&
	       v->base == base && v->a == a;
}

static bool grow_hash(struct xflow *f)
{
	size_t cap = f->hashcap ? f->hashcap * 2 : 1024, i;
	uint32_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return false;
	for (i = 1; i < f->nvals; i++) {
		const struct xv *v = &f->vals[i];
		size_t k = term_hash(v->kind, v->size, v->loc, v->base, v->a) & (cap - 1);

		while (h[k])
			k = (k + 1) & (cap - 1);
		h[k] = (uint32_t)i;
	}
	free(f->hash);
	f->hash = h;
	f->hashcap = cap;
	return true;
}

static xval lookup(const struct xflow *f, uint8_t kind, uint8_t size, uint16_t loc,
		   xval base, int64_t a, size_t *slot)
{
	size_t k;

	if (!f->hashcap)
		return XV_UNKNOWN;
	k = term_hash(kind, size, loc, base, a) & (f->hashcap - 1);
	while (f->hash[k]) {
		if (term_eq(&f->vals[f->hash[k]], kind, size, loc, base, a))
			return f->hash[k];
		k = (k + 1) & (f->hashcap - 1);
	}
	if (slot)
		*slot = k;
	return XV_UNKNOWN;
}

/* The id of a term, made if new; unknown when the table is full. */
static xval intern(struct xflow *f, uint8_t kind, uint8_t size, uint16_t loc,
		   xval base, int64_t a)
{
	size_t slot = 0;
	xval v;

	v = lookup(f, kind, size, loc, base, a, &slot);
	if (v)
		return v;
	if (f->nvals >= VALS_MAX) {
		f->overflow = true;
		return XV_UNKNOWN;
	}
	if ((f->nvals + 1) * 2 > f->hashcap) {
		if (!grow_hash(f)) {
			f->overflow = true;
			return XV_UNKNOWN;
		}
		lookup(f, kind, size, loc, base, a, &slot);
	}
	if (f->nvals == f->capvals) {
		size_t cap = f->capvals ? f->capvals * 2 : 256;
		struct xv *n = realloc(f->vals, cap * sizeof(*n));

		if (!n) {
			f->overflow = true;
			return XV_UNKNOWN;
		}
		f->vals = n;
		f->capvals = cap;
	}
	v = (xval)f->nvals++;
	f->vals[v] = (struct xv){ .kind = kind, .size = size, .loc = loc,
				  .base = base, .a = a };
	f->hash[slot] = v;
	return v;
}

const struct xv *xflow_val(const struct xflow *f, xval v)
{
	static const struct xv none;

	return v && v < f->nvals ? &f->vals[v] : &none;
}

xval xflow_find(const struct xflow *f, uint8_t kind, uint8_t size, xval base,
		int64_t a)
{
	return lookup(f, kind, size, 0, base, a, NULL);
}

static xval konst(struct walk *w, int64_t c)
{
	return intern(w->f, XV_CONST, 0, 0, 0, c);
}

static const struct xv *term(const struct walk *w, xval v)
{
	return xflow_val(w->f, v);
}

/* ---- registers ------------------------------------------------------ */

/* XR_* of a capstone register (any width but the high bytes), or -1. */
static int reg_num(unsigned int r)
{
	static const struct { unsigned int r; int n; } map[] = {
		{ X86_REG_AL, XR_RAX }, { X86_REG_AX, XR_RAX }, { X86_REG_EAX, XR_RAX }, { X86_REG_RAX, XR_RAX },
		{ X86_REG_CL, XR_RCX }, { X86_REG_CX, XR_RCX }, { X86_REG_ECX, XR_RCX }, { X86_REG_RCX, XR_RCX },
		{ X86_REG_DL, XR_RDX }, { X86_REG_DX, XR_RDX }, { X86_REG_EDX, XR_RDX }, { X86_REG_RDX, XR_RDX },
		{ X86_REG_BL, XR_RBX }, { X86_REG_BX, XR_RBX }, { X86_REG_EBX, XR_RBX }, { X86_REG_RBX, XR_RBX },
		{ X86_REG_SPL, XR_RSP }, { X86_REG_SP, XR_RSP }, { X86_REG_ESP, XR_RSP }, { X86_REG_RSP, XR_RSP },
		{ X86_REG_BPL, XR_RBP }, { X86_REG_BP, XR_RBP }, { X86_REG_EBP, XR_RBP }, { X86_REG_RBP, XR_RBP },
		{ X86_REG_SIL, XR_RSI }, { X86_REG_SI, XR_RSI }, { X86_REG_ESI, XR_RSI }, { X86_REG_RSI, XR_RSI },
		{ X86_REG_DIL, XR_RDI }, { X86_REG_DI, XR_RDI }, { X86_REG_EDI, XR_RDI }, { X86_REG_RDI, XR_RDI },
		{ X86_REG_R8B, XR_R8 }, { X86_REG_R8W, XR_R8 }, { X86_REG_R8D, XR_R8 }, { X86_REG_R8, XR_R8 },
		{ X86_REG_R9B, XR_R9 }, { X86_REG_R9W, XR_R9 }, { X86_REG_R9D, XR_R9 }, { X86_REG_R9, XR_R9 },
		{ X86_REG_R10B, XR_R10 }, { X86_REG_R10W, XR_R10 }, { X86_REG_R10D, XR_R10 }, { X86_REG_R10, XR_R10 },
		{ X86_REG_R11B, XR_R11 }, { X86_REG_R11W, XR_R11 }, { X86_REG_R11D, XR_R11 }, { X86_REG_R11, XR_R11 },
		{ X86_REG_R12B, XR_R12 }, { X86_REG_R12W, XR_R12 }, { X86_REG_R12D, XR_R12 }, { X86_REG_R12, XR_R12 },
		{ X86_REG_R13B, XR_R13 }, { X86_REG_R13W, XR_R13 }, { X86_REG_R13D, XR_R13 }, { X86_REG_R13, XR_R13 },
		{ X86_REG_R14B, XR_R14 }, { X86_REG_R14W, XR_R14 }, { X86_REG_R14D, XR_R14 }, { X86_REG_R14, XR_R14 },
		{ X86_REG_R15B, XR_R15 }, { X86_REG_R15W, XR_R15 }, { X86_REG_R15D, XR_R15 }, { X86_REG_R15, XR_R15 },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].r == r)
			return map[i].n;
	return -1;
}

static xval reg_get(const struct state *st, unsigned int r)
{
	int n = reg_num(r);

	return n < 0 ? XV_UNKNOWN : st->regs[n];
}

/*
 * A register write of size bytes: 8 and 4 (which zero-extends) replace
 * the value, 1 and 2 keep the rest of the old one, so the value is unknown.
 */
static void reg_set(struct walk *w, struct state *st, unsigned int r,
		    unsigned int size, xval v)
{
	int n = reg_num(r);

	if (n < 0)
		return;
	st->regs[n] = size >= 4 ? v : XV_UNKNOWN;
	if (n != XR_RSP && n != XR_RBP && term(w, v)->kind == XV_STACK &&
	    term(w, v)->a < w->escaped)
		w->escaped = term(w, v)->a;
}

/* ---- stack slots ---------------------------------------------------- */

static void slot_drop(struct state *st, unsigned int i)
{
	st->slots[i] = st->slots[--st->nslots];
}

static void slot_set(struct state *st, int64_t off, unsigned int size, xval v)
{
	unsigned int i = 0;

	while (i < st->nslots) {
		const struct slot *s = &st->slots[i];

		if (s->off < add64(off, size) && off < add64(s->off, s->size))
			slot_drop(st, i);
		else
			i++;
	}
	if (v && st->nslots < SLOTS_MAX)
		st->slots[st->nslots++] = (struct slot){ off, (uint8_t)size, v };
}

static xval slot_get(const struct state *st, int64_t off, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < st->nslots; i++)
		if (st->slots[i].off == off && st->slots[i].size == size)
			return st->slots[i].v;
	return XV_UNKNOWN;
}

/* A call may write what the function let escape, and everything above it. */
static void forget_escaped(struct walk *w, struct state *st)
{
	unsigned int i = 0;

	while (i < st->nslots) {
		if (add64(st->slots[i].off, st->slots[i].size) > w->escaped)
			slot_drop(st, i);
		else
			i++;
	}
}

/* ---- memory operands ------------------------------------------------ */

struct memref {
	enum { M_NONE, M_STACK, M_PTR, M_INDEXED } kind;
	int64_t off;		/* M_STACK: from the entry rsp */
	xval base;		/* M_PTR */
	int64_t disp;
	xval ibase, iindex;	/* M_INDEXED */
};

static void mem_eval(struct walk *w, const struct state *st, const cs_insn *in,
		     const cs_x86_op *op, struct memref *m)
{
	const x86_op_mem *mem = &op->mem;
	const struct xv *bt;
	xval b;

	memset(m, 0, sizeof(*m));
	if (mem->segment != X86_REG_INVALID)
		return;		/* fs/gs: thread-local storage */
	if (mem->base == X86_REG_RIP) {
		if (mem->index != X86_REG_INVALID)
			return;
		m->kind = M_PTR;
		m->base = intern(w->f, XV_ADDR, 0, 0, 0,
				 (int64_t)(in->address + in->size + (uint64_t)mem->disp));
		return;
	}
	b = mem->base == X86_REG_INVALID ? XV_UNKNOWN : reg_get(st, mem->base);
	if (mem->index != X86_REG_INVALID) {
		if (mem->scale == 1) {
			m->kind = M_INDEXED;
			m->ibase = b;
			m->iindex = reg_get(st, mem->index);
			m->disp = mem->disp;
		}
		return;
	}
	bt = term(w, b);
	if (bt->kind == XV_STACK) {
		m->kind = M_STACK;
		m->off = add64(bt->a, mem->disp);
	} else if (bt->kind == XV_OFFSET) {
		m->kind = M_PTR;
		m->base = bt->base;
		m->disp = add64(bt->a, mem->disp);
	} else if (b) {
		m->kind = M_PTR;
		m->base = b;
		m->disp = mem->disp;
	}
}

static struct xev *event(struct walk *w, uint8_t kind, const cs_insn *in)
{
	struct xflow *f = w->f;
	struct xev *e;

	if (!w->emit)
		return NULL;
	if (f->nevs == f->capevs) {
		size_t cap = f->capevs ? f->capevs * 2 : 64;
		struct xev *n;

		if (cap > EVS_MAX || !(n = realloc(f->evs, cap * sizeof(*n)))) {
			f->overflow = true;
			return NULL;
		}
		f->evs = n;
		f->capevs = cap;
	}
	e = &f->evs[f->nevs++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->addr = in->address;
	e->jcc = -1;
	return e;
}

/* A read of memory: the table lookups it may be, and the value read. */
static xval mem_load(struct walk *w, const struct state *st, const cs_insn *in,
		     const struct memref *m, unsigned int size)
{
	if (m->kind == M_INDEXED) {
		bool tb = term(w, m->ibase)->kind == XV_ADDR;
		bool ti = term(w, m->iindex)->kind == XV_ADDR;

		if (tb != ti) {
			struct xev *e = event(w, XE_INDEX, in);

			if (e) {
				e->base = tb ? m->ibase : m->iindex;
				e->val = tb ? m->iindex : m->ibase;
				e->disp = m->disp;
				e->size = (uint8_t)size;
			}
		}
		return XV_UNKNOWN;
	}
	if (m->kind == M_STACK)
		return slot_get(st, m->off, size);
	if (m->kind == M_PTR)
		return intern(w->f, XV_LOAD, (uint8_t)size, 0, m->base, m->disp);
	return XV_UNKNOWN;
}

static void mem_store(struct walk *w, struct state *st, const cs_insn *in,
		      const struct memref *m, unsigned int size, xval v)
{
	struct xev *e;

	if (m->kind == M_STACK) {
		slot_set(st, m->off, size, v);
		return;
	}
	if (m->kind != M_PTR)
		return;
	e = event(w, XE_STORE, in);
	if (e) {
		e->base = m->base;
		e->disp = m->disp;
		e->size = (uint8_t)size;
		e->val = v;
	}
}

/* The value of an operand (register, immediate or memory) of size bytes. */
static xval operand(struct walk *w, const struct state *st, const cs_insn *in,
		    const cs_x86_op *op)
{
	struct memref m;

	switch (op->type) {
	case X86_OP_REG:
		return reg_get(st, op->reg);
	case X86_OP_IMM:
		/* Narrow immediates zero-extend: cmp al, 0xf0 compares with 240. */
		if (op->size == 1)
			return konst(w, (uint8_t)op->imm);
		if (op->size == 2)
			return konst(w, (uint16_t)op->imm);
		if (op->size == 4)
			return konst(w, (uint32_t)op->imm);
		return konst(w, op->imm);
	case X86_OP_MEM:
		mem_eval(w, st, in, op, &m);
		return mem_load(w, st, in, &m, op->size);
	default:
		return XV_UNKNOWN;
	}
}

/* ---- instructions --------------------------------------------------- */

/* The condition code of a jcc (0x7N, 0x0f 0x8N), else -1. */
static int jcc_code(const cs_insn *in)
{
	if (in->size == 2 && (in->bytes[0] & 0xf0) == 0x70)
		return in->bytes[0] & 0x0f;
	if (in->size == 6 && in->bytes[0] == 0x0f && (in->bytes[1] & 0xf0) == 0x80)
		return in->bytes[1] & 0x0f;
	return -1;
}

static bool is_jump(const struct walk *w, const cs_insn *in)
{
	return cs_insn_group(w->cs, in, X86_GRP_JUMP) || in->id == X86_INS_JMP ||
	       jcc_code(in) >= 0 || in->id == X86_INS_JRCXZ ||
	       in->id == X86_INS_JECXZ || in->id == X86_INS_LOOP;
}

/* The direct target of a jump or call, or 0. */
static uint64_t branch_target(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;

	if (x->op_count == 1 && x->operands[0].type == X86_OP_IMM)
		return (uint64_t)x->operands[0].imm;
	return 0;
}

static enum xcall call_kind(const struct walk *w, uint64_t target)
{
	return target && w->abi->call ? w->abi->call(w->abi->ctx, target) : XC_NORMAL;
}

/* Every register and memory operand the instruction writes becomes unknown. */
static void clobber(struct walk *w, struct state *st, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	cs_regs rd, wr;
	uint8_t nrd = 0, nwr = 0, i;

	for (i = 0; i < x->op_count; i++) {
		if (x->operands[i].type == X86_OP_MEM && (x->operands[i].access & CS_AC_WRITE)) {
			struct memref m;

			mem_eval(w, st, in, &x->operands[i], &m);
			mem_store(w, st, in, &m, x->operands[i].size, XV_UNKNOWN);
		}
	}
	if (cs_regs_access(w->cs, in, rd, &nrd, wr, &nwr) != CS_ERR_OK) {
		/* No details: be safe, forget every register. */
		for (i = 0; i < XR_NUM; i++)
			st->regs[i] = XV_UNKNOWN;
		return;
	}
	for (i = 0; i < nwr; i++) {
		int n = reg_num(wr[i]);

		if (n >= 0)
			st->regs[n] = XV_UNKNOWN;
	}
}

static void do_mov(struct walk *w, struct state *st, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	const cs_x86_op *dst = &x->operands[0], *src = &x->operands[1];
	struct memref m;
	xval v;

	if (x->op_count != 2) {
		clobber(w, st, in);
		return;
	}
	v = operand(w, st, in, src);
	if (dst->type == X86_OP_REG) {
		reg_set(w, st, dst->reg, dst->size, v);
	} else if (dst->type == X86_OP_MEM) {
		mem_eval(w, st, in, dst, &m);
		mem_store(w, st, in, &m, dst->size, v);
	}
}

/* movzx/movsx: a load of the narrow size, or the source register's value. */
static void do_movx(struct walk *w, struct state *st, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;

	if (x->op_count != 2 || x->operands[0].type != X86_OP_REG) {
		clobber(w, st, in);
		return;
	}
	reg_set(w, st, x->operands[0].reg, x->operands[0].size,
		operand(w, st, in, &x->operands[1]));
}

static void do_lea(struct walk *w, struct state *st, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	const cs_x86_op *dst = &x->operands[0];
	struct memref m;
	xval v = XV_UNKNOWN;

	if (x->op_count != 2 || dst->type != X86_OP_REG || x->operands[1].type != X86_OP_MEM) {
		clobber(w, st, in);
		return;
	}
	mem_eval(w, st, in, &x->operands[1], &m);
	if (m.kind == M_STACK)
		v = intern(w->f, XV_STACK, 0, 0, 0, m.off);
	else if (m.kind == M_PTR && term(w, m.base)->kind == XV_ADDR)
		v = intern(w->f, XV_ADDR, 0, 0, 0, add64(term(w, m.base)->a, m.disp));
	else if (m.kind == M_PTR)
		v = m.disp ? intern(w->f, XV_OFFSET, 0, 0, m.base, m.disp) : m.base;
	reg_set(w, st, dst->reg, dst->size, v);
}

/* add/sub of a constant: stack addresses move; anything else is unknown. */
static void do_addsub(struct walk *w, struct state *st, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	const cs_x86_op *dst = &x->operands[0];
	const struct xv *t;
	int64_t k;

	if (x->op_count != 2 || dst->type != X86_OP_REG || dst->size != 8 ||
	    x->operands[1].type != X86_OP_IMM) {
		clobber(w, st, in);
		return;
	}
	t = term(w, reg_get(st, dst->reg));
	k = x->operands[1].imm;
	if (t->kind != XV_STACK) {
		clobber(w, st, in);
		return;
	}
	reg_set(w, st, dst->reg, 8, intern(w->f, XV_STACK, 0, 0, 0,
					   in->id == X86_INS_ADD ? add64(t->a, k) :
					   add64(t->a, -(uint64_t)k)));
}

static void do_shl(struct walk *w, struct state *st, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	const cs_x86_op *dst = &x->operands[0];
	xval v;

	if (x->op_count != 2 || dst->type != X86_OP_REG || dst->size < 4 ||
	    x->operands[1].type != X86_OP_IMM) {
		clobber(w, st, in);
		return;
	}
	v = reg_get(st, dst->reg);
	reg_set(w, st, dst->reg, dst->size,
		v ? intern(w->f, XV_SHL, 0, 0, v, x->operands[1].imm) : XV_UNKNOWN);
}

static void do_xor(struct walk *w, struct state *st, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;

	if (x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
	    x->operands[1].type == X86_OP_REG &&
	    reg_num(x->operands[0].reg) == reg_num(x->operands[1].reg) &&
	    x->operands[0].size >= 4)
		reg_set(w, st, x->operands[0].reg, x->operands[0].size, konst(w, 0));
	else
		clobber(w, st, in);
}

/* xchg reg, [mem]: the register's value is stored, the register is unknown. */
static void do_xchg(struct walk *w, struct state *st, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	const cs_x86_op *r = NULL, *mop = NULL;
	struct memref m;
	int i;

	for (i = 0; i < x->op_count && i < 2; i++) {
		if (x->operands[i].type == X86_OP_REG)
			r = &x->operands[i];
		else if (x->operands[i].type == X86_OP_MEM)
			mop = &x->operands[i];
	}
	if (!r || !mop) {
		clobber(w, st, in);
		return;
	}
	mem_eval(w, st, in, mop, &m);
	mem_store(w, st, in, &m, mop->size, reg_get(st, r->reg));
	reg_set(w, st, r->reg, 8, XV_UNKNOWN);
}

static void do_push(struct walk *w, struct state *st, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	const struct xv *sp = term(w, st->regs[XR_RSP]);
	xval v;

	if (sp->kind != XV_STACK || x->op_count != 1) {
		clobber(w, st, in);
		return;
	}
	v = operand(w, st, in, &x->operands[0]);
	slot_set(st, add64(sp->a, -8), 8, v);
	st->regs[XR_RSP] = intern(w->f, XV_STACK, 0, 0, 0, add64(sp->a, -8));
}

static void do_pop(struct walk *w, struct state *st, const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	const struct xv *sp = term(w, st->regs[XR_RSP]);
	int64_t at;
	xval v;

	if (sp->kind != XV_STACK || x->op_count != 1 || x->operands[0].type != X86_OP_REG) {
		clobber(w, st, in);
		return;
	}
	at = sp->a;
	v = slot_get(st, at, 8);
	st->regs[XR_RSP] = intern(w->f, XV_STACK, 0, 0, 0, add64(at, 8));
	reg_set(w, st, x->operands[0].reg, 8, v);
}

static void do_cmp(struct walk *w, struct state *st, const cs_insn *in,
		   const cs_insn *next)
{
	const cs_x86 *x = &in->detail->x86;
	struct xev *e;
	xval a, b;

	if (x->op_count != 2)
		return;
	a = operand(w, st, in, &x->operands[0]);
	b = operand(w, st, in, &x->operands[1]);
	e = event(w, XE_CMP, in);
	if (e) {
		e->val = a;
		e->val2 = b;
		e->size = x->operands[0].size;
		e->jcc = (int8_t)(next ? jcc_code(next) : -1);
	}
}

/* Returns false when the path ends at this call (it does not return). */
static bool do_call(struct walk *w, struct state *st, const cs_insn *in)
{
	uint64_t target = branch_target(in);
	enum xcall kind = call_kind(w, target);
	struct xev *e = event(w, XE_CALL, in);
	unsigned int r;

	if (e) {
		e->target = target;
		memcpy(e->regs, st->regs, sizeof(e->regs));
	}
	if (kind == XC_NORETURN)
		return false;
	if (kind == XC_PRESERVES) {
		st->regs[XR_R11] = XV_UNKNOWN;
		return true;
	}
	for (r = 0; r < XR_NUM; r++)
		if (!(w->abi->kept & (1U << r)))
			st->regs[r] = XV_UNKNOWN;
	st->regs[XR_RAX] = intern(w->f, XV_CALL, 0, 0, 0, (int64_t)in->address);
	forget_escaped(w, st);
	return true;
}

/*
 * Runs instruction i on st. Returns false when the path ends here (ret,
 * a call that does not return); jumps are left to the caller.
 */
static bool step(struct walk *w, struct state *st, size_t i)
{
	const cs_insn *in = &w->insns[i];
	const cs_insn *next = i + 1 < w->ninsns ? &w->insns[i + 1] : NULL;
	struct xev *e;

	switch (in->id) {
	case X86_INS_MOV:
	case X86_INS_MOVABS:
		do_mov(w, st, in);
		break;
	case X86_INS_MOVZX:
	case X86_INS_MOVSX:
	case X86_INS_MOVSXD:
		do_movx(w, st, in);
		break;
	case X86_INS_LEA:
		do_lea(w, st, in);
		break;
	case X86_INS_ADD:
	case X86_INS_SUB:
		do_addsub(w, st, in);
		break;
	case X86_INS_SHL:
		do_shl(w, st, in);
		break;
	case X86_INS_XOR:
		do_xor(w, st, in);
		break;
	case X86_INS_XCHG:
		do_xchg(w, st, in);
		break;
	case X86_INS_PUSH:
		do_push(w, st, in);
		break;
	case X86_INS_POP:
		do_pop(w, st, in);
		break;
	case X86_INS_CMP:
		do_cmp(w, st, in, next);
		break;
	case X86_INS_NOP:
		break;
	case X86_INS_CALL:
		return do_call(w, st, in);
	case X86_INS_RET:
		e = event(w, XE_RET, in);
		if (e)
			memcpy(e->regs, st->regs, sizeof(e->regs));
		return false;
	default:
		if (!is_jump(w, in))
			clobber(w, st, in);
		break;
	}
	return true;
}

/* ---- blocks --------------------------------------------------------- */

static long insn_at(const struct walk *w, uint64_t addr)
{
	size_t lo = 0, hi = w->ninsns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->insns[mid].address < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->ninsns && w->insns[lo].address == addr ? (long)lo : -1;
}

static long block_at(const struct walk *w, size_t insn)
{
	size_t lo = 0, hi = w->nblocks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->blocks[mid].last < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nblocks && w->blocks[lo].first == insn ? (long)lo : -1;
}

/* A jump target inside the function, other than its entry, or 0. */
static uint64_t inner_target(const struct walk *w, const cs_insn *in)
{
	uint64_t t = branch_target(in);

	return t > w->entry && t < w->end ? t : 0;
}

/* Whether instruction i ends a path or a block (jump, ret, noreturn call). */
static bool ends_block(const struct walk *w, size_t i)
{
	const cs_insn *in = &w->insns[i];

	if (is_jump(w, in) || in->id == X86_INS_RET)
		return true;
	return in->id == X86_INS_CALL &&
	       call_kind(w, branch_target(in)) == XC_NORETURN;
}

static int make_blocks(struct walk *w)
{
	bool *leader = calloc(w->ninsns + 1, sizeof(*leader));
	size_t i, n = 0;

	if (!leader)
		return -1;
	leader[0] = true;
	for (i = 0; i < w->ninsns; i++) {
		uint64_t t;
		long k;

		if (!ends_block(w, i))
			continue;
		leader[i + 1] = true;
		t = is_jump(w, &w->insns[i]) ? inner_target(w, &w->insns[i]) : 0;
		if (!t)
			continue;
		k = insn_at(w, t);
		if (k < 0) {
			/* A jump into the middle of an instruction: not code we read. */
			free(leader);
			return -1;
		}
		leader[k] = true;
	}
	for (i = 0; i < w->ninsns; i++)
		n += leader[i];
	w->blocks = calloc(n, sizeof(*w->blocks));
	if (!w->blocks) {
		free(leader);
		return -1;
	}
	for (i = 0; i < w->ninsns; i++) {
		if (leader[i]) {
			if (w->nblocks)
				w->blocks[w->nblocks - 1].last = i - 1;
			w->blocks[w->nblocks++].first = i;
		}
	}
	w->blocks[w->nblocks - 1].last = w->ninsns - 1;
	free(leader);
	return 0;
}

static xval phi(struct walk *w, size_t b, uint16_t loc, int64_t off)
{
	return intern(w->f, XV_PHI, 0, loc, (xval)(uint32_t)off,
		      (int64_t)w->insns[w->blocks[b].first].address);
}

/* Merges out into block b's entry state; true when that changed. */
static bool merge(struct walk *w, size_t b, const struct state *out)
{
	struct state *in = &w->blocks[b].in;
	bool changed = false;
	unsigned int r, i;

	if (!w->blocks[b].visited) {
		*in = *out;
		w->blocks[b].visited = true;
		return true;
	}
	for (r = 0; r < XR_NUM; r++) {
		if (in->regs[r] != out->regs[r]) {
			xval p = phi(w, b, (uint16_t)r, 0);

			if (in->regs[r] != p) {
				in->regs[r] = p;
				changed = true;
			}
		}
	}
	i = 0;
	while (i < in->nslots) {
		struct slot *s = &in->slots[i];
		xval v = slot_get(out, s->off, s->size);

		if (!v) {
			slot_drop(in, i);
			changed = true;
			continue;
		}
		if (v != s->v) {
			xval p = phi(w, b, XR_NUM, s->off);

			if (s->v != p) {
				s->v = p;
				changed = true;
			}
		}
		i++;
	}
	return changed;
}

/* Runs block b from its entry state; passes the result to its successors. */
static void run_block(struct walk *w, size_t b, size_t *queue, size_t *nq)
{
	const struct block *blk = &w->blocks[b];
	struct state st = blk->in;
	const cs_insn *last = &w->insns[blk->last];
	size_t i;
	long succ[2] = { -1, -1 };
	int k;

	for (i = blk->first; i <= blk->last; i++)
		if (!step(w, &st, i))
			return;
	if (is_jump(w, last)) {
		uint64_t t = inner_target(w, last);

		if (t)
			succ[0] = block_at(w, (size_t)insn_at(w, t));
		if (last->id == X86_INS_JMP)
			goto pass;
	}
	if (blk->last + 1 < w->ninsns)
		succ[1] = block_at(w, blk->last + 1);
pass:
	if (w->emit)
		return;
	for (k = 0; k < 2; k++) {
		if (succ[k] < 0 || !merge(w, (size_t)succ[k], &st) ||
		    w->blocks[succ[k]].queued)
			continue;
		w->blocks[succ[k]].queued = true;
		queue[(*nq)++] = (size_t)succ[k];
	}
}

static int solve(struct walk *w)
{
	size_t *queue = calloc(w->nblocks, sizeof(*queue));
	size_t nq = 0, visits = 0, r;

	if (!queue)
		return -1;
	for (r = 0; r < XR_NUM; r++)
		w->blocks[0].in.regs[r] = intern(w->f, XV_ENTRY, 0, 0, 0, (int64_t)r);
	w->blocks[0].in.regs[XR_RSP] = intern(w->f, XV_STACK, 0, 0, 0, 0);
	w->blocks[0].visited = w->blocks[0].queued = true;
	queue[nq++] = 0;
	while (nq) {
		size_t b = queue[--nq];

		w->blocks[b].queued = false;
		if (++visits > VISITS_MAX) {
			free(queue);
			return -1;
		}
		run_block(w, b, queue, &nq);
	}
	free(queue);
	w->emit = true;
	for (r = 0; r < w->nblocks; r++)
		if (w->blocks[r].visited)
			run_block(w, r, NULL, NULL);
	return 0;
}

int xflow_run(struct xflow *f, const uint8_t *code, size_t size, uint64_t entry,
	      const struct xflow_abi *abi)
{
	struct walk w;
	csh cs;
	int ret = -1;

	memset(f, 0, sizeof(*f));
	memset(&w, 0, sizeof(w));
	if (!size || size > CODE_MAX)
		return -1;
	/* Value 0 is unknown. */
	f->vals = calloc(256, sizeof(*f->vals));
	if (!f->vals)
		return -1;
	f->capvals = 256;
	f->nvals = 1;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -1;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	w.cs = cs;
	w.f = f;
	w.abi = abi;
	w.entry = entry;
	w.end = entry + size;
	w.escaped = INT64_MAX;
	w.ninsns = cs_disasm(cs, code, size, entry, 0, &w.insns);
	if (w.ninsns && make_blocks(&w) == 0)
		ret = solve(&w);
	free(w.blocks);
	if (w.insns)
		cs_free(w.insns, w.ninsns);
	cs_close(&cs);
	return ret;
}

void xflow_free(struct xflow *f)
{
	free(f->vals);
	free(f->hash);
	free(f->evs);
	memset(f, 0, sizeof(*f));
}
