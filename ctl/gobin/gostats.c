// SPDX-License-Identifier: GPL-2.0
/*
 * Where the runtime's statistics are (gostats.h): the variables from
 * .symtab and the DWARF, the fields from the DWARF of their types; in a
 * binary without them, from the code and a table per Go version
 * (gostatrec.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>

#include "gobin/gobin_impl.h"
#include "gobin/gostats.h"
#include "gobin/gostatrec.h"

enum {
	V_MEMSTATS = GOSTV_MEMSTATS, V_GCCONTROLLER = GOSTV_GCCONTROLLER,
	V_GOMAXPROCS = GOSTV_GOMAXPROCS, V_SCHED = GOSTV_SCHED, V_GCPHASE = GOSTV_GCPHASE,
	VARS = GOSTV_VARS
};

static const char *const var_names[VARS] = {
	"runtime.memstats", "runtime.gcController", "runtime.gomaxprocs", "runtime.sched",
	"runtime.gcphase",
};

/* Each fact: a variable, the member (NULL: the variable itself), its size. */
static const struct {
	const char *name;
	int var;
	const char *member;
	uint32_t size;
} desc[GOST_FACTS] = {
	[GOST_NUMGC] = { "memstats.numgc", V_MEMSTATS, "numgc", 4 },
	[GOST_NUMFORCEDGC] = { "memstats.numforcedgc", V_MEMSTATS, "numforcedgc", 4 },
	[GOST_LAST_GC_UNIX] = { "memstats.last_gc_unix", V_MEMSTATS, "last_gc_unix", 8 },
	[GOST_PAUSE_TOTAL] = { "memstats.pause_total_ns", V_MEMSTATS, "pause_total_ns", 8 },
	[GOST_PAUSE_NS] = { "memstats.pause_ns", V_MEMSTATS, "pause_ns", 256 * 8 },
	[GOST_GC_PERCENT] = { "gcController.gcPercent", V_GCCONTROLLER, "gcPercent", 4 },
	[GOST_MEMORY_LIMIT] = { "gcController.memoryLimit", V_GCCONTROLLER, "memoryLimit", 8 },
	[GOST_HEAP_MARKED] = { "gcController.heapMarked", V_GCCONTROLLER, "heapMarked", 8 },
	[GOST_HEAP_INUSE] = { "gcController.heapInUse", V_GCCONTROLLER, "heapInUse", 8 },
	[GOST_HEAP_FREE] = { "gcController.heapFree", V_GCCONTROLLER, "heapFree", 8 },
	[GOST_TOTAL_ALLOC] = { "gcController.totalAlloc", V_GCCONTROLLER, "totalAlloc", 8 },
	[GOST_TOTAL_FREE] = { "gcController.totalFree", V_GCCONTROLLER, "totalFree", 8 },
	[GOST_MAPPED_READY] = { "gcController.mappedReady", V_GCCONTROLLER, "mappedReady", 8 },
	[GOST_PCT_HEAP_GOAL] = { "gcController.gcPercentHeapGoal", V_GCCONTROLLER,
				 "gcPercentHeapGoal", 8 },
	[GOST_SWEEP_TRIGGER] = { "gcController.sweepDistMinTrigger", V_GCCONTROLLER,
				 "sweepDistMinTrigger", 8 },
	[GOST_TRIGGERED] = { "gcController.triggered", V_GCCONTROLLER, "triggered", 8 },
	[GOST_GOMAXPROCS] = { "runtime.gomaxprocs", V_GOMAXPROCS, NULL, 4 },
	[GOST_MNEXT] = { "sched.mnext", V_SCHED, "mnext", 8 },
	[GOST_NMFREED] = { "sched.nmfreed", V_SCHED, "nmfreed", 8 },
	[GOST_HEAP_LIVE] = { "gcController.heapLive", V_GCCONTROLLER, "heapLive", 8 },
	[GOST_GCPHASE] = { "runtime.gcphase", V_GCPHASE, NULL, 4 },
};

/* What the binary says of one variable. */
struct var {
	bool sym, dw;
	uint64_t sym_addr, sym_size, dw_addr;
	Dwarf_Die type;		/* its type (dw) */
};

static int var_index(const char *name)
{
	int i;

	for (i = 0; i < VARS; i++)
		if (!strcmp(name, var_names[i]))
			return i;
	return -1;
}

static void scan_symtab(const struct gobin *b, struct var *v)
{
	struct gobin_sym sym[VARS];
	int k;

	gobin_symtab_objects(b, var_names, VARS, sym);
	for (k = 0; k < VARS; k++) {
		v[k].sym = sym[k].found;
		v[k].sym_addr = sym[k].value;
		v[k].sym_size = sym[k].size;
	}
}


/* A variable's address and type (DW_AT_type). */
static void scan_var(Dwarf_Die *die, struct var *v)
{
	Dwarf_Attribute a;
	uint64_t addr;

	if (!gobin_dw_var_addr(die, &addr))
		return;
	if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &v->type))
		return;
	v->dw = true;
	v->dw_addr = addr;
}

/* The DWARF's variables; dw is kept open for their types (dwarf_end after). */
static Dwarf *scan_dwarf(const struct gobin *b, struct var *v)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	int left = VARS;
	Dwarf *dw;

	if (!b->has_dwarf)
		return NULL;
	dw = dwarf_begin_elf(gobin_elf(b), DWARF_C_READ, NULL);
	if (!dw)
		return NULL;
	while (left && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *name;
				int k;

				if (dwarf_tag(&die) != DW_TAG_variable)
					continue;
				name = dwarf_diename(&die);
				k = name ? var_index(name) : -1;
				if (k < 0 || v[k].dw)
					continue;
				scan_var(&die, &v[k]);
				left--;
			} while (left && dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return dw;
}

__attribute__((format(printf, 2, 3)))
static void why(struct gost_fact *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
}

/*
 * Where the variable of fact id is: true, or false with why. Without
 * .symtab and DWARF, from the code (gostatrec.c).
 */
static bool var_at(const struct gobin *b, const struct var *v, int k, struct gost_fact *f,
		   uint64_t *addr)
{
	char text[sizeof(f->why)];

	if (v->sym && v->dw && v->sym_addr != v->dw_addr) {
		why(f, "%s is at 0x%llx in .symtab but 0x%llx in the DWARF", var_names[k],
		    (unsigned long long)v->sym_addr, (unsigned long long)v->dw_addr);
		return false;
	}
	if (!v->sym && !v->dw) {
		if (gostatrec_var(b, k, addr, text, sizeof(text)))
			return true;
		why(f, "%s: %s", var_names[k], text);
		return false;
	}
	*addr = v->sym ? v->sym_addr : v->dw_addr;
	return true;
}

/* The field's offset and size in the variable's type: true, or false with why. */
static bool field_at(const struct gobin *b, const struct var *v, enum gost_id id,
		     struct gost_fact *f, uint64_t *off, uint64_t *size)
{
	const char *vn = var_names[desc[id].var];
	Dwarf_Die type = v->type, mt;
	Dwarf_Word sz;

	if (!v->dw && b->has_dwarf) {
		why(f, "the DWARF does not describe %s", vn);
		return false;
	}
	if (!v->dw) {
		/* no DWARF: the table of the Go version (gostatrec.c) */
		char text[sizeof(f->why)];

		if (!gostatrec_field(b, id, off, text, sizeof(text))) {
			why(f, "%s: %s", f->name, text);
			return false;
		}
		*size = desc[id].size;
		return true;
	}
	if (!desc[id].member) {
		*off = 0;
		if (dwarf_aggregate_size(&type, &sz) != 0) {
			why(f, "the DWARF gives %s no size", vn);
			return false;
		}
		*size = sz;
		return true;
	}
	if (!gobin_dw_peel(&type) ||
	    gobin_dw_member(&type, desc[id].member, off, size, &mt)) {
		why(f, "the DWARF's type of %s has no field %s", vn, desc[id].member);
		return false;
	}
	return true;
}

static void settle(const struct gobin *b, const struct var *vars, struct gost_fact *f,
		   enum gost_id id)
{
	const struct var *v = &vars[desc[id].var];
	uint64_t addr, off, size;

	f->name = desc[id].name;
	if (!var_at(b, v, desc[id].var, f, &addr) || !field_at(b, v, id, f, &off, &size))
		return;
	if (size != desc[id].size) {
		why(f, "%s has %llu bytes in the DWARF, not %u", f->name,
		    (unsigned long long)size, desc[id].size);
		return;
	}
	/* Two accounts of the variable: the field lies inside the symbol. */
	if (v->sym && off + size > v->sym_size) {
		why(f, "%s (offset %llu) is outside %s of %llu bytes in .symtab", f->name,
		    (unsigned long long)off, var_names[desc[id].var],
		    (unsigned long long)v->sym_size);
		return;
	}
	f->addr = addr + off;
	f->size = (uint32_t)size;
	f->known = true;
}

void gobin_stats_setup(const struct gobin *b, struct gost *s)
{
	struct var v[VARS];
	Dwarf *dw;
	int i;

	memset(s, 0, sizeof(*s));
	memset(v, 0, sizeof(v));
	if (!b->impl) {
		for (i = 0; i < GOST_FACTS; i++) {
			s->f[i].name = desc[i].name;
			why(&s->f[i], "the binary is not open");
		}
		return;
	}
	scan_symtab(b, v);
	dw = scan_dwarf(b, v);
	for (i = 0; i < GOST_FACTS; i++)
		settle(b, v, &s->f[i], (enum gost_id)i);
	if (dw)
		dwarf_end(dw);
}
