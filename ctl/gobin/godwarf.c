// SPDX-License-Identifier: GPL-2.0
/*
 * What the DWARF of a Go binary says about runtime.g (member offsets) and
 * about the runtime functions goroutine tracing probes (their parameters
 * and the register each is in at the function's entry). Read with libdw,
 * which also inflates the compressed .debug_* sections the Go linker
 * writes.
 */
#include <stdio.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "gobin/gobin_impl.h"

static const char *const g_members[GODWARF_MEMBERS] = {
	[GODWARF_GOID] = "goid",
	[GODWARF_PARENT_GOID] = "parentGoid",
	[GODWARF_GOPC] = "gopc",
	[GODWARF_STARTPC] = "startpc",
	[GODWARF_WAITREASON] = "waitreason",
};

/* DWARF register numbers (x86-64 psABI) to the ABI's encoding order. */
static int dwarf_reg_to_godiag(unsigned int r)
{
	static const int map[16] = {
		GODIAG_REG_RAX, GODIAG_REG_RDX, GODIAG_REG_RCX, GODIAG_REG_RBX,
		GODIAG_REG_RSI, GODIAG_REG_RDI, GODIAG_REG_RBP, GODIAG_REG_RSP,
		GODIAG_REG_R8, GODIAG_REG_R9, GODIAG_REG_R10, GODIAG_REG_R11,
		GODIAG_REG_R12, GODIAG_REG_R13, GODIAG_REG_R14, GODIAG_REG_R15,
	};

	return r < 16 ? map[r] : -1;
}

static void scan_g(Dwarf_Die *st, struct godwarf_g *g)
{
	Dwarf_Die m;
	size_t i;

	g->found = true;
	if (dwarf_child(st, &m) != 0)
		return;
	do {
		Dwarf_Attribute a;
		Dwarf_Word off, size;
		Dwarf_Die type;
		const char *name;

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		name = dwarf_diename(&m);
		if (!name)
			continue;
		for (i = 0; i < GODWARF_MEMBERS; i++)
			if (!strcmp(name, g_members[i]))
				break;
		if (i == GODWARF_MEMBERS || g->have[i])
			continue;
		if (!dwarf_attr(&m, DW_AT_data_member_location, &a) ||
		    dwarf_formudata(&a, &off) != 0)
			continue;
		size = 0;
		if (dwarf_attr_integrate(&m, DW_AT_type, &a) &&
		    dwarf_formref_die(&a, &type) &&
		    dwarf_aggregate_size(&type, &size) != 0)
			size = 0;
		g->have[i] = true;
		g->off[i] = off;
		g->size[i] = size;
	} while (dwarf_siblingof(&m, &m) == 0);
}

/* The register holding a parameter at pc, or -1. */
static int param_reg(Dwarf_Die *p, Dwarf_Addr pc)
{
	Dwarf_Attribute a;
	Dwarf_Op *expr;
	size_t len;

	if (!dwarf_attr(p, DW_AT_location, &a))
		return -1;
	if (dwarf_getlocation_addr(&a, pc, &expr, &len, 1) != 1 || len < 1)
		return -1;
	if (expr[0].atom >= DW_OP_reg0 && expr[0].atom <= DW_OP_reg31)
		return dwarf_reg_to_godiag(expr[0].atom - DW_OP_reg0);
	if (expr[0].atom == DW_OP_regx)
		return expr[0].number < 16 ? dwarf_reg_to_godiag((unsigned int)expr[0].number) : -1;
	return -1;
}

static void scan_func(Dwarf_Die *fn, struct godwarf_func *f)
{
	Dwarf_Addr entry;
	Dwarf_Die p;

	f->found = true;
	f->nparams = 0;
	if (dwarf_lowpc(fn, &entry) != 0)
		entry = 0;
	if (dwarf_child(fn, &p) != 0)
		return;
	do {
		Dwarf_Attribute a;
		const char *name;
		bool result = false;

		if (dwarf_tag(&p) != DW_TAG_formal_parameter)
			continue;
		if (f->nparams == GODWARF_PARAMS_MAX)
			break;
		name = dwarf_diename(&p);
		if (dwarf_attr(&p, DW_AT_variable_parameter, &a))
			dwarf_formflag(&a, &result);
		snprintf(f->params[f->nparams].name, sizeof(f->params[0].name),
			 "%s", name ? name : "");
		f->params[f->nparams].result = result;
		f->params[f->nparams].reg = entry ? param_reg(&p, entry) : -1;
		f->nparams++;
	} while (dwarf_siblingof(&p, &p) == 0);
}

int godwarf_scan(Elf *elf, struct godwarf_g *g, struct godwarf_func *funcs,
		 size_t nfuncs, char *err, size_t errlen)
{
	Dwarf_Off off = 0, next;
	size_t hsize, i, left = nfuncs + 1;
	Dwarf *dw;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < nfuncs; i++) {
		funcs[i].found = false;
		funcs[i].nparams = 0;
	}
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw) {
		snprintf(err, errlen, "cannot read DWARF: %s", dwarf_errmsg(-1));
		return -1;
	}
	/* Types and functions are children of their compilation units. */
	while (left && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(dw, off + hsize, &cu) &&
		    dwarf_child(&cu, &die) == 0) {
			do {
				int tag = dwarf_tag(&die);
				const char *name;

				if (tag != DW_TAG_structure_type &&
				    tag != DW_TAG_subprogram)
					continue;
				name = dwarf_diename(&die);
				if (!name)
					continue;
				if (tag == DW_TAG_structure_type) {
					if (!g->found && !strcmp(name, "runtime.g")) {
						scan_g(&die, g);
						left--;
					}
					continue;
				}
				for (i = 0; i < nfuncs; i++) {
					if (!funcs[i].found && !strcmp(name, funcs[i].name)) {
						scan_func(&die, &funcs[i]);
						left--;
					}
				}
			} while (left && dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	dwarf_end(dw);
	return 0;
}
