// SPDX-License-Identifier: GPL-2.0
/*
 * The facts a goroutine dump reads the live runtime with (goruntime.h):
 * from the DWARF of runtime.g, runtime.gobuf and runtime.stack, and the
 * symbols runtime.allglen and runtime.allgptr of .symtab (or DWARF's
 * variables); without them from the runtime's code (gorunrec.c), where
 * two independent ways must agree.
 *
 * allglen and allgptr, not the slice allgs: the runtime keeps them for
 * readers that do not take allglock (forEachGRace): allgptr is stored
 * before allglen, so allglen entries of allgptr are always there.
 */
#include <stdio.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>

#include "gobin/gobin_impl.h"
#include "gobin/goruntime.h"
#include "gobin/gorunrec.h"

/* g.syscallbp arrived in go1.23. */
#define SYSCALLBP_MINOR		23

static const char *const fact_names[GORT_FACTS] = {
	[GORT_ALLGLEN] = "runtime.allglen",
	[GORT_ALLGPTR] = "runtime.allgptr",
	[GORT_STACK_LO] = "g.stack.lo",
	[GORT_STACK_HI] = "g.stack.hi",
	[GORT_SCHED_SP] = "g.sched.sp",
	[GORT_SCHED_PC] = "g.sched.pc",
	[GORT_SCHED_BP] = "g.sched.bp",
	[GORT_SYSCALLSP] = "g.syscallsp",
	[GORT_SYSCALLPC] = "g.syscallpc",
	[GORT_SYSCALLBP] = "g.syscallbp",
	[GORT_STATUS] = "g.atomicstatus",
	[GORT_WAITSINCE] = "g.waitsince",
};

static const char *const state_names[GORT_G_STATES] = {
	"idle", "runnable", "running", "syscall", "waiting", "moribund", "dead",
	"enqueue", "copystack", "preempted", "leaked", "dead",
};

const char *gort_state_name(uint32_t status)
{
	status &= ~(uint32_t)GORT_G_SCAN;
	return status < GORT_G_STATES ? state_names[status] : "unknown";
}

/* ---- DWARF ---------------------------------------------------------- */

/* What DWARF says: each fact's value (found), and its byte size. */
struct dw {
	bool found[GORT_FACTS];
	uint64_t value[GORT_FACTS];
	uint64_t size[GORT_FACTS];
	bool have_g;
};

/* A member's offset and type size: 0, or -1 when it has none. */
int gobin_dw_member(Dwarf_Die *st, const char *name, uint64_t *off, uint64_t *size,
		    Dwarf_Die *type)
{
	Dwarf_Die m;

	if (dwarf_child(st, &m) != 0)
		return -1;
	do {
		Dwarf_Attribute a;
		Dwarf_Word o, sz = 0;
		const char *n;

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		n = dwarf_diename(&m);
		if (!n || strcmp(n, name))
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &a) ||
		    dwarf_formudata(&a, &o) != 0)
			return -1;
		if (!dwarf_attr_integrate(&m, DW_AT_type, &a) ||
		    !dwarf_formref_die(&a, type) || dwarf_aggregate_size(type, &sz) != 0)
			return -1;
		*off = o;
		*size = sz;
		return 0;
	} while (dwarf_siblingof(&m, &m) == 0);
	return -1;
}

static void set(struct dw *d, enum gort_fact_id id, uint64_t v, uint64_t size)
{
	d->found[id] = true;
	d->value[id] = v;
	d->size[id] = size;
}

/* The structure behind typedefs (Go names its types with them). */
bool gobin_dw_peel(Dwarf_Die *type)
{
	int i;

	for (i = 0; i < 8 && dwarf_tag(type) == DW_TAG_typedef; i++) {
		Dwarf_Attribute a;

		if (!dwarf_attr_integrate(type, DW_AT_type, &a) || !dwarf_formref_die(&a, type))
			return false;
	}
	return dwarf_tag(type) == DW_TAG_structure_type;
}

/* A member of a member: g.sched.sp is sched's offset plus sp's. */
static void nested(struct dw *d, Dwarf_Die *g, const char *outer,
		   const char *const inner[], const enum gort_fact_id ids[], size_t n)
{
	uint64_t off, size, o, s;
	Dwarf_Die type, t2;
	size_t i;

	if (gobin_dw_member(g, outer, &off, &size, &type) || !gobin_dw_peel(&type))
		return;
	for (i = 0; i < n; i++)
		if (!gobin_dw_member(&type, inner[i], &o, &s, &t2))
			set(d, ids[i], off + o, s);
}

static void scan_g(struct dw *d, Dwarf_Die *g)
{
	static const char *const stack[] = { "lo", "hi" };
	static const enum gort_fact_id stack_ids[] = { GORT_STACK_LO, GORT_STACK_HI };
	static const char *const sched[] = { "sp", "pc", "bp" };
	static const enum gort_fact_id sched_ids[] = {
		GORT_SCHED_SP, GORT_SCHED_PC, GORT_SCHED_BP,
	};
	static const struct { const char *name; enum gort_fact_id id; } flat[] = {
		{ "syscallsp", GORT_SYSCALLSP }, { "syscallpc", GORT_SYSCALLPC },
		{ "syscallbp", GORT_SYSCALLBP }, { "atomicstatus", GORT_STATUS },
		{ "waitsince", GORT_WAITSINCE },
	};
	uint64_t off, size;
	Dwarf_Die type;
	size_t i;

	d->have_g = true;
	nested(d, g, "stack", stack, stack_ids, 2);
	nested(d, g, "sched", sched, sched_ids, 3);
	for (i = 0; i < sizeof(flat) / sizeof(flat[0]); i++)
		if (!gobin_dw_member(g, flat[i].name, &off, &size, &type))
			set(d, flat[i].id, off, size);
}

/* A variable's static address: DW_AT_location [DW_OP_addr X]. */
static void scan_var(struct dw *d, Dwarf_Die *v, enum gort_fact_id id)
{
	Dwarf_Attribute a;
	Dwarf_Op *expr;
	size_t len;

	if (!dwarf_attr(v, DW_AT_location, &a) || dwarf_getlocation(&a, &expr, &len) != 0 ||
	    len != 1 || expr[0].atom != DW_OP_addr)
		return;
	set(d, id, expr[0].number, 8);
}

static int scan_dwarf(const struct gobin *b, struct dw *d, char *err, size_t errlen)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	int left = 3;
	Dwarf *dw;

	dw = dwarf_begin_elf(gobin_elf(b), DWARF_C_READ, NULL);
	if (!dw)
		return gobin_fail(err, errlen, "%s: cannot read DWARF: %s", b->path,
				  dwarf_errmsg(-1));
	while (left && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				int tag = dwarf_tag(&die);
				const char *name = dwarf_diename(&die);

				if (!name || strncmp(name, "runtime.", 8))
					continue;
				if (tag == DW_TAG_structure_type && !d->have_g &&
				    !strcmp(name, "runtime.g")) {
					scan_g(d, &die);
					left--;
				} else if (tag == DW_TAG_variable &&
					   !strcmp(name, "runtime.allglen")) {
					scan_var(d, &die, GORT_ALLGLEN);
					left--;
				} else if (tag == DW_TAG_variable &&
					   !strcmp(name, "runtime.allgptr")) {
					scan_var(d, &die, GORT_ALLGPTR);
					left--;
				}
			} while (left && dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	dwarf_end(dw);
	return 0;
}

/* ---- settling ------------------------------------------------------- */

static void agree(struct gobin_fact *fa, const char *way)
{
	size_t n = strlen(fa->agree);

	if (strstr(fa->agree, way))
		return;
	snprintf(fa->agree + n, sizeof(fa->agree) - n, "%s%s", n ? ", " : "", way);
}

/* The size each fact must have (bytes). */
static unsigned int fact_size(enum gort_fact_id id)
{
	return id == GORT_STATUS ? 4 : 8;
}

/* A field offset worth believing: inside a g of a few KiB, aligned. */
static bool sane_offset(uint64_t off, unsigned int size)
{
	return off < 4096 && off % size == 0;
}

/*
 * One fact from DWARF (or the symbol) and the ways of the code: whatever
 * says something must say the same; without DWARF and symbol two ways
 * must.
 */
static int settle(const struct gobin *b, struct gort *rt, enum gort_fact_id id,
		  const struct dw *d, bool sym, uint64_t sym_at,
		  const struct gorunrec *rec, char *err, size_t errlen)
{
	struct gobin_fact *fa = &rt->facts[id];
	bool is_addr = id == GORT_ALLGLEN || id == GORT_ALLGPTR;
	bool may_lack = id == GORT_SYSCALLBP && b->go_minor < SYSCALLBP_MINOR;
	char ways[384];
	uint64_t v = 0;
	size_t found = 0;
	int i;

	fa->name = fact_names[id];
	gorunrec_text(rec, id, ways, sizeof(ways));
	for (i = 0; i < GORUNREC_WAYS; i++) {
		const struct gorunrec_result *r = &rec->fact[id].way[i];

		if (!r->found)
			continue;
		if (found && r->value != v)
			return gobin_fail(err, errlen, "%s: %s is not certain (%s); refusing "
					  "to read goroutines", b->path, fa->name, ways);
		v = r->value;
		found++;
	}
	if (sym && found && v != sym_at)
		return gobin_fail(err, errlen, "%s: %s is at 0x%llx in .symtab, but the code "
				  "disagrees (%s); refusing to read goroutines", b->path,
				  fa->name, (unsigned long long)sym_at, ways);
	if (d->found[id] && found && d->value[id] != v)
		return gobin_fail(err, errlen, "%s: %s is %llu in the DWARF, but the code "
				  "disagrees (%s); refusing to read goroutines", b->path,
				  fa->name, (unsigned long long)d->value[id], ways);
	if (d->found[id] && sym && d->value[id] != sym_at)
		return gobin_fail(err, errlen, "%s: %s: the DWARF and .symtab disagree",
				  b->path, fa->name);
	if (d->found[id] && d->size[id] != fact_size(id))
		return gobin_fail(err, errlen, "%s: the DWARF has %s of %llu bytes: not "
				  "usable", b->path, fa->name,
				  (unsigned long long)d->size[id]);
	if (sym) {
		fa->value = sym_at;
		fa->source = GOBIN_SRC_SYMTAB;
		agree(fa, "symtab");
	} else if (d->found[id]) {
		fa->value = d->value[id];
		fa->source = GOBIN_SRC_DWARF;
	} else if (found >= 2) {
		fa->value = v;
		fa->source = GOBIN_SRC_CODE;
	} else if (may_lack && !found) {
		fa->known = fa->absent = true;
		return 0;
	} else {
		return gobin_fail(err, errlen, "%s: cannot establish %s%s (%s; two must "
				  "agree); refusing to read goroutines", b->path, fa->name,
				  b->has_dwarf ? "" : " without DWARF", ways);
	}
	if (!is_addr && !sane_offset(fa->value, fact_size(id)))
		return gobin_fail(err, errlen, "%s: %s at offset %llu is not usable", b->path,
				  fa->name, (unsigned long long)fa->value);
	if (d->found[id])
		agree(fa, "dwarf");
	for (i = 0; i < GORUNREC_WAYS; i++)
		if (rec->fact[id].way[i].found)
			agree(fa, rec->fact[id].way[i].where);
	fa->known = true;
	return 0;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* The offsets in one place, and how much of a g to read. */
static void fill(const struct gobin *b, struct gort *rt)
{
	const struct gobin_fact *f = rt->facts;
	uint32_t end = 0;

	rt->off_goid = (uint32_t)b->facts[GOBIN_F_GOID].value;
	rt->has_parent_goid = !b->facts[GOBIN_F_PARENT_GOID].absent;
	rt->off_parent_goid = rt->has_parent_goid ?
			      (uint32_t)b->facts[GOBIN_F_PARENT_GOID].value : 0;
	rt->off_gopc = (uint32_t)b->facts[GOBIN_F_GOPC].value;
	rt->off_startpc = (uint32_t)b->facts[GOBIN_F_STARTPC].value;
	rt->off_waitreason = (uint32_t)b->facts[GOBIN_F_WAITREASON].value;
	rt->off_status = (uint32_t)f[GORT_STATUS].value;
	rt->off_waitsince = (uint32_t)f[GORT_WAITSINCE].value;
	rt->off_stack_lo = (uint32_t)f[GORT_STACK_LO].value;
	rt->off_stack_hi = (uint32_t)f[GORT_STACK_HI].value;
	rt->off_sched_sp = (uint32_t)f[GORT_SCHED_SP].value;
	rt->off_sched_pc = (uint32_t)f[GORT_SCHED_PC].value;
	rt->off_sched_bp = (uint32_t)f[GORT_SCHED_BP].value;
	rt->off_syscallsp = (uint32_t)f[GORT_SYSCALLSP].value;
	rt->off_syscallpc = (uint32_t)f[GORT_SYSCALLPC].value;
	rt->has_syscallbp = !f[GORT_SYSCALLBP].absent;
	rt->off_syscallbp = rt->has_syscallbp ? (uint32_t)f[GORT_SYSCALLBP].value : 0;
	rt->allglen = f[GORT_ALLGLEN].value;
	rt->allgptr = f[GORT_ALLGPTR].value;
	end = max_u32(end, rt->off_goid + 8);
	end = max_u32(end, rt->off_parent_goid + 8);
	end = max_u32(end, rt->off_gopc + 8);
	end = max_u32(end, rt->off_startpc + 8);
	end = max_u32(end, rt->off_waitreason + 1);
	end = max_u32(end, rt->off_status + 4);
	end = max_u32(end, rt->off_waitsince + 8);
	end = max_u32(end, rt->off_stack_hi + 8);
	end = max_u32(end, rt->off_stack_lo + 8);
	end = max_u32(end, rt->off_sched_sp + 8);
	end = max_u32(end, rt->off_sched_pc + 8);
	end = max_u32(end, rt->off_sched_bp + 8);
	end = max_u32(end, rt->off_syscallsp + 8);
	end = max_u32(end, rt->off_syscallpc + 8);
	end = max_u32(end, rt->off_syscallbp + 8);
	rt->g_read = (end + 7) & ~7U;
}

int gobin_runtime_setup(const struct gobin *b, struct gort *rt, char *err,
			size_t errlen)
{
	struct gorunrec rec;
	static const char *const allg[2] = { "runtime.allglen", "runtime.allgptr" };
	struct gobin_sym sym[2];
	struct dw d;
	int i;

	memset(rt, 0, sizeof(*rt));
	memset(&d, 0, sizeof(d));
	if (!b->impl || !b->facts[GOBIN_F_GOID].known || !b->nreasons)
		return gobin_fail(err, errlen, "%s: the goroutine facts are not established",
				  b->path);
	if (b->has_dwarf && scan_dwarf(b, &d, err, errlen))
		return -1;
	gobin_symtab_objects(b, allg, 2, sym);
	gorunrec_run(b, &rec);
	for (i = 0; i < GORT_FACTS; i++) {
		const struct gobin_sym *v = i == GORT_ALLGLEN ? &sym[0] : &sym[1];
		bool s = (i == GORT_ALLGLEN || i == GORT_ALLGPTR) && v->found && v->size == 8;

		if (settle(b, rt, (enum gort_fact_id)i, &d, s, s ? v->value : 0, &rec, err,
			   errlen))
			return -1;
	}
	fill(b, rt);
	return 0;
}
