// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime's statistics in a binary without .symtab and DWARF
 * (gostatrec.h): the variables' addresses from the RIP-relative operands
 * of the runtime's code, the fields' offsets from a table per Go version.
 *
 * A way is one runtime function and the fields of one variable its code
 * is known to reach: the bases it allows are the addresses B for which
 * every one of those fields, B + offset, is an operand of the function
 * (for a variable that is a single word: the operands of one kind of
 * instruction, such as `cmp dword [rip + X], 1`). A variable is where
 * every way that allows something allows the same one address, with two
 * ways at least and one of them allowing that address alone.
 */
#include <stdio.h>
#include <string.h>

#include <capstone/capstone.h>

#include "gobin/gobin_impl.h"
#include "gobin/gostatrec.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define FUNC_MAX	(64U << 10)
#define REFS_MAX	512
#define CANDS_MAX	512
#define WAY_FIELDS	5
#define WAYS_MAX	3	/* per variable */

/* ---- the layouts ---------------------------------------------------- */

/*
 * The offsets of the fields in their variables, as the DWARF of the
 * toolchains at hand has them (tests/unit/test_goruntime.c compares each
 * with the DWARF of the unstripped build of its version). Offsets of 0
 * (gcController.gcPercent, the single words) are left out.
 */
static const struct layout {
	int lo, hi;		/* go1.lo to go1.hi */
	uint16_t off[GOST_FACTS];
} layouts[] = {
	{ 19, 19, {
		[GOST_NUMGC] = 7704, [GOST_NUMFORCEDGC] = 7708, [GOST_LAST_GC_UNIX] = 3592,
		[GOST_PAUSE_TOTAL] = 3600, [GOST_PAUSE_NS] = 3608,
		[GOST_MEMORY_LIMIT] = 8, [GOST_HEAP_MARKED] = 184, [GOST_HEAP_INUSE] = 304,
		[GOST_HEAP_FREE] = 320, [GOST_TOTAL_ALLOC] = 328, [GOST_TOTAL_FREE] = 336,
		[GOST_MAPPED_READY] = 344, [GOST_PCT_HEAP_GOAL] = 104,
		[GOST_SWEEP_TRIGGER] = 112, [GOST_TRIGGERED] = 120, [GOST_HEAP_LIVE] = 136,
		[GOST_MNEXT] = 48, [GOST_NMFREED] = 64,
	} },
	{ 21, 23, {
		[GOST_NUMGC] = 7704, [GOST_NUMFORCEDGC] = 7708, [GOST_LAST_GC_UNIX] = 3592,
		[GOST_PAUSE_TOTAL] = 3600, [GOST_PAUSE_NS] = 3608,
		[GOST_MEMORY_LIMIT] = 8, [GOST_HEAP_MARKED] = 152, [GOST_HEAP_INUSE] = 272,
		[GOST_HEAP_FREE] = 288, [GOST_TOTAL_ALLOC] = 296, [GOST_TOTAL_FREE] = 304,
		[GOST_MAPPED_READY] = 312, [GOST_PCT_HEAP_GOAL] = 72,
		[GOST_SWEEP_TRIGGER] = 80, [GOST_TRIGGERED] = 88, [GOST_HEAP_LIVE] = 104,
		[GOST_MNEXT] = 48, [GOST_NMFREED] = 64,
	} },
	{ 26, 27, {
		[GOST_NUMGC] = 7680, [GOST_NUMFORCEDGC] = 7684, [GOST_LAST_GC_UNIX] = 3568,
		[GOST_PAUSE_TOTAL] = 3576, [GOST_PAUSE_NS] = 3584,
		[GOST_MEMORY_LIMIT] = 8, [GOST_HEAP_MARKED] = 152, [GOST_HEAP_INUSE] = 272,
		[GOST_HEAP_FREE] = 288, [GOST_TOTAL_ALLOC] = 296, [GOST_TOTAL_FREE] = 304,
		[GOST_MAPPED_READY] = 312, [GOST_PCT_HEAP_GOAL] = 72,
		[GOST_SWEEP_TRIGGER] = 80, [GOST_TRIGGERED] = 88, [GOST_HEAP_LIVE] = 104,
		[GOST_MNEXT] = 72, [GOST_NMFREED] = 88,
	} },
};

static const int var_of[GOST_FACTS] = {
	[GOST_NUMGC] = GOSTV_MEMSTATS, [GOST_NUMFORCEDGC] = GOSTV_MEMSTATS,
	[GOST_LAST_GC_UNIX] = GOSTV_MEMSTATS, [GOST_PAUSE_TOTAL] = GOSTV_MEMSTATS,
	[GOST_PAUSE_NS] = GOSTV_MEMSTATS,
	[GOST_GC_PERCENT] = GOSTV_GCCONTROLLER, [GOST_MEMORY_LIMIT] = GOSTV_GCCONTROLLER,
	[GOST_HEAP_MARKED] = GOSTV_GCCONTROLLER, [GOST_HEAP_INUSE] = GOSTV_GCCONTROLLER,
	[GOST_HEAP_FREE] = GOSTV_GCCONTROLLER, [GOST_TOTAL_ALLOC] = GOSTV_GCCONTROLLER,
	[GOST_TOTAL_FREE] = GOSTV_GCCONTROLLER, [GOST_MAPPED_READY] = GOSTV_GCCONTROLLER,
	[GOST_PCT_HEAP_GOAL] = GOSTV_GCCONTROLLER, [GOST_SWEEP_TRIGGER] = GOSTV_GCCONTROLLER,
	[GOST_TRIGGERED] = GOSTV_GCCONTROLLER, [GOST_HEAP_LIVE] = GOSTV_GCCONTROLLER,
	[GOST_GOMAXPROCS] = GOSTV_GOMAXPROCS,
	[GOST_MNEXT] = GOSTV_SCHED, [GOST_NMFREED] = GOSTV_SCHED,
	[GOST_GCPHASE] = GOSTV_GCPHASE,
};

int gostatrec_var_of(enum gost_id id)
{
	return var_of[id];
}

static const struct layout *layout_of(const struct gobin *b)
{
	size_t i;

	if (b->go_major != 1)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(layouts); i++)
		if (b->go_minor >= layouts[i].lo && b->go_minor <= layouts[i].hi)
			return &layouts[i];
	return NULL;
}

bool gostatrec_field(const struct gobin *b, enum gost_id id, uint64_t *off, char *why,
		     size_t len)
{
	const struct layout *l = layout_of(b);

	if (!l) {
		snprintf(why, len, "no table of the runtime's layout for %s (it has go1.19, "
			 "go1.21 to go1.23, go1.26 and go1.27)",
			 b->go_version[0] ? b->go_version : "this Go version");
		return false;
	}
	*off = l->off[id];
	return true;
}

/* ---- the ways ------------------------------------------------------- */

enum match {
	M_FIELDS,	/* every field's address is an operand of some instruction */
	M_CMP0,		/* cmp dword [rip + X], 0 */
	M_CMP1,		/* cmp dword [rip + X], 1 */
	M_SX4,		/* movsxd reg, dword [rip + X] */
};

static const struct way {
	int var;
	const char *func;
	enum match m;
	int8_t fields[WAY_FIELDS];	/* gost_id; -1 ends */
} ways[] = {
	/* numgc++, numforcedgc++, last_gc_unix, pause_ns[numgc%256], pause_total_ns */
	{ GOSTV_MEMSTATS, "runtime.gcMarkTermination", M_FIELDS,
	  { GOST_NUMGC, GOST_NUMFORCEDGC, GOST_LAST_GC_UNIX, GOST_PAUSE_TOTAL, GOST_PAUSE_NS } },
	/* the cycle's number: memstats.numgc */
	{ GOSTV_MEMSTATS, "runtime.(*gcCPULimiterState).accumulate", M_FIELDS,
	  { GOST_NUMGC, -1 } },
	{ GOSTV_MEMSTATS, "runtime.(*gcCPULimiterState).resetCapacity", M_FIELDS,
	  { GOST_NUMGC, -1 } },
	/* memoryLimit, heapInUse, heapFree, mappedReady: the scavenger's goal */
	{ GOSTV_GCCONTROLLER, "runtime.gcPaceScavenger", M_FIELDS,
	  { GOST_HEAP_INUSE, GOST_HEAP_FREE, GOST_MAPPED_READY, -1 } },
	/* gcController.commit(): gcPercent, memoryLimit */
	{ GOSTV_GCCONTROLLER, "runtime.gcControllerCommit", M_FIELDS,
	  { GOST_GC_PERCENT, GOST_MEMORY_LIMIT, -1 } },
	/* gcPercent.Load() < 0; heapLive.Load() >= trigger */
	{ GOSTV_GCCONTROLLER, "runtime.gcTrigger.test", M_FIELDS,
	  { GOST_GC_PERCENT, GOST_HEAP_LIVE, -1 } },
	/* mcount(): sched.mnext - sched.nmfreed */
	{ GOSTV_SCHED, "runtime.checkmcount", M_FIELDS, { GOST_MNEXT, GOST_NMFREED, -1 } },
	{ GOSTV_SCHED, "runtime.newosproc", M_FIELDS, { GOST_MNEXT, GOST_NMFREED, -1 } },
	/* if gomaxprocs <= 1 { return } */
	{ GOSTV_GOMAXPROCS, "runtime.(*gcControllerState).enlistWorker", M_CMP1,
	  { GOST_GOMAXPROCS, -1 } },
	/* for i := 0; i < int(gomaxprocs); i++ */
	{ GOSTV_GOMAXPROCS, "runtime.flushallmcaches", M_SX4, { GOST_GOMAXPROCS, -1 } },
	/* if gcphase == _GCoff (the one word compared with 0 there) */
	{ GOSTV_GCPHASE, "runtime.stackpoolfree", M_CMP0, { GOST_GCPHASE, -1 } },
	{ GOSTV_GCPHASE, "runtime.freeSomeWbufs", M_CMP0, { GOST_GCPHASE, -1 } },
	/* panicking.Load() != 0 || gcphase != _GCoff */
	{ GOSTV_GCPHASE, "runtime.gcTrigger.test", M_CMP0, { GOST_GCPHASE, -1 } },
};

/* One RIP-relative memory operand of a function. */
struct ref {
	uint64_t at;		/* the address it reaches */
	enum match m;		/* M_FIELDS: any other instruction */
};

static enum match kind_of(const cs_insn *insn, const cs_x86_op *mem, const cs_x86 *x)
{
	if (mem->size == 4 && insn->id == X86_INS_MOVSXD)
		return M_SX4;
	if (mem->size == 4 && insn->id == X86_INS_CMP && x->op_count == 2 &&
	    &x->operands[0] == mem && x->operands[1].type == X86_OP_IMM) {
		if (x->operands[1].imm == 0)
			return M_CMP0;
		if (x->operands[1].imm == 1)
			return M_CMP1;
	}
	return M_FIELDS;
}

/* The RIP-relative operands of function name; -1 when it is not there. */
static long rip_refs(const struct gobin *b, const char *name, struct ref *out, size_t max)
{
	uint64_t entry, end, addr;
	const uint8_t *code;
	size_t size, n = 0;
	cs_insn *insn;
	csh cs;

	if (gobin_func_range(b, name, &entry, &end) || end <= entry || end - entry > FUNC_MAX)
		return -1;
	code = gobin_bytes(b, entry, end - entry);
	if (!code || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -1;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(cs);
	addr = entry;
	size = (size_t)(end - entry);
	while (insn && size && cs_disasm_iter(cs, &code, &size, &addr, insn)) {
		const cs_x86 *x = &insn->detail->x86;
		int i;

		for (i = 0; i < x->op_count && n < max; i++) {
			const cs_x86_op *op = &x->operands[i];

			if (op->type != X86_OP_MEM || op->mem.base != X86_REG_RIP ||
			    op->mem.index != X86_REG_INVALID)
				continue;
			out[n].at = insn->address + insn->size + (uint64_t)op->mem.disp;
			out[n].m = kind_of(insn, op, x);
			n++;
		}
	}
	if (insn)
		cs_free(insn, 1);
	cs_close(&cs);
	return (long)n;
}

static bool has_ref(const struct ref *r, size_t n, uint64_t at)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].at == at)
			return true;
	return false;
}

static bool has_cand(const uint64_t *c, size_t n, uint64_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] == v)
			return true;
	return false;
}

/*
 * The bases way w allows, into c (at most CANDS_MAX): -1 when its
 * function is not in the binary.
 */
static long way_bases(const struct gobin *b, const struct layout *l, const struct way *w,
		      uint64_t *c)
{
	struct ref refs[REFS_MAX];
	long nr = rip_refs(b, w->func, refs, REFS_MAX);
	size_t i, n = 0;
	int k;

	if (nr < 0)
		return -1;
	for (i = 0; i < (size_t)nr; i++) {
		uint64_t base = refs[i].at - l->off[w->fields[0]];

		if (w->m != M_FIELDS && refs[i].m != w->m)
			continue;
		for (k = 1; k < WAY_FIELDS && w->fields[k] >= 0; k++)
			if (!has_ref(refs, (size_t)nr, base + l->off[w->fields[k]]))
				break;
		if ((k == WAY_FIELDS || w->fields[k] < 0) && !has_cand(c, n, base) &&
		    n < CANDS_MAX)
			c[n++] = base;
	}
	return (long)n;
}

/* "gcMarkTermination" for "runtime.gcMarkTermination" */
static const char *short_name(const char *f)
{
	return strncmp(f, "runtime.", 8) ? f : f + 8;
}

bool gostatrec_var(const struct gobin *b, int var, uint64_t *addr, char *why, size_t len)
{
	uint64_t c[WAYS_MAX][CANDS_MAX];
	const struct layout *l = layout_of(b);
	long n[WAYS_MAX];
	size_t i, at = 0;
	int k, nw = 0, found = 0;
	bool one = false, agree = true;
	uint64_t v = 0;
	char text[400] = "";

	if (!l)
		return gostatrec_field(b, GOST_NUMGC, addr, why, len);
	for (i = 0; i < ARRAY_SIZE(ways) && nw < WAYS_MAX; i++) {
		const struct way *w = &ways[i];

		if (w->var != var)
			continue;
		n[nw] = way_bases(b, l, w, c[nw]);
		if (at < sizeof(text) && n[nw] == 1)
			at += (size_t)snprintf(text + at, sizeof(text) - at, "%s%s finds 0x%llx",
					       at ? ", " : "", short_name(w->func),
					       (unsigned long long)c[nw][0]);
		else if (at < sizeof(text))
			at += (size_t)snprintf(text + at, sizeof(text) - at, "%s%s %s",
					       at ? ", " : "", short_name(w->func),
					       n[nw] < 0 ? "is not there" : !n[nw] ? "finds nothing" :
					       "finds several");
		found += n[nw] > 0;
		/* the ways that allow one address alone must allow the same */
		if (n[nw] == 1) {
			agree = agree && (!one || c[nw][0] == v);
			v = c[nw][0];
			one = true;
		}
		nw++;
	}
	/* and every way that allows something allows it */
	for (k = 0; k < nw && one && agree; k++)
		if (n[k] > 0 && !has_cand(c[k], (size_t)n[k], v))
			agree = false;
	if (found >= 2 && one && agree) {
		*addr = v;
		return true;
	}
	snprintf(why, len, "%s (a stripped binary: %s)",
		 found >= 2 && one ? "the ways in the code disagree on its address" :
		 "the code does not place it", text);
	return false;
}
