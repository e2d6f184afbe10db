// SPDX-License-Identifier: GPL-2.0
/*
 * The facts goroutine tracing relies on, and the probes built on them.
 *
 * A fact is a runtime.g field offset the module reads through
 * (struct godiag_go_layout), the wait reason strings, or a register a
 * probed function holds its value in. Each comes from the binary only:
 *
 *	with DWARF	the DWARF value; every way of recovering it from the
 *			code (gorecover.c) that finds something must agree
 *	without		at least two independent ways must find it (one way
 *			and Go's calling convention, for a register), and
 *			none may find anything else
 *
 * Otherwise the binary is refused with one line naming the fact. There is
 * no table per Go version: a version godiag has never seen traces when
 * its code still says the same things in the same ways, and is refused
 * when it does not, never traced with a guess. The unit tests check that
 * the recovered values equal DWARF's for every toolchain at hand.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gobin/gobin_impl.h"
#include "gobin/gorecover.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The register ABI and the runtime functions godiag probes: go1.19 on. */
#define GO_MINOR_MIN		19
/* g.parentGoid arrived in go1.21. */
#define PARENT_GOID_MINOR	21
/* waitReason is a uint8; a string longer than this is not a reason. */
#define REASONS_MAX		256
#define REASON_LEN_MAX		256

const char *gobin_source_name(enum gobin_source s)
{
	static const char *const names[] = {
		[GOBIN_SRC_NONE] = "-", [GOBIN_SRC_DWARF] = "dwarf",
		[GOBIN_SRC_SYMTAB] = "symtab", [GOBIN_SRC_CODE] = "code",
		[GOBIN_SRC_DATA] = "data", [GOBIN_SRC_ABI] = "abi",
	};

	return (unsigned int)s < ARRAY_SIZE(names) ? names[s] : "?";
}

static const char *const fact_names[GOBIN_FACTS] = {
	[GOBIN_F_GOID] = "g.goid",
	[GOBIN_F_PARENT_GOID] = "g.parentGoid",
	[GOBIN_F_GOPC] = "g.gopc",
	[GOBIN_F_STARTPC] = "g.startpc",
	[GOBIN_F_WAITREASON] = "g.waitreason",
	[GOBIN_F_REASONS] = "runtime.waitReasonStrings",
	[GOBIN_F_REG_NEWPROC1] = "runtime.newproc1 result",
	[GOBIN_F_REG_EXECUTE] = "runtime.execute gp",
	[GOBIN_F_REG_GOPARK] = "runtime.gopark reason",
	[GOBIN_F_REG_READY] = "runtime.ready gp",
	[GOBIN_F_REG_G] = "current g",
};

/* Appends a way's name to a fact's list of agreeing ways. */
static void agree(struct gobin_fact *fa, const char *way)
{
	size_t n = strlen(fa->agree);

	if (strstr(fa->agree, way))
		return;
	snprintf(fa->agree + n, sizeof(fa->agree) - n, "%s%s", n ? ", " : "", way);
}

/* ---- field offsets -------------------------------------------------- */

struct field {
	enum gobin_fact_id id;
	int dwarf;			/* GODWARF_* member */
	unsigned int size;		/* bytes */
	enum gorec_way ways[3];
	size_t nways;
};

static const struct field fields[] = {
	{ GOBIN_F_GOID, GODWARF_GOID, 8,
	  { GW_GOID_NEWPROC1_COPY, GW_GOID_NEWPROC1_CACHE, GW_GOID_CREATEDBY }, 3 },
	{ GOBIN_F_PARENT_GOID, GODWARF_PARENT_GOID, 8,
	  { GW_PARENT_NEWPROC1, GW_PARENT_CREATEDBY }, 2 },
	{ GOBIN_F_GOPC, GODWARF_GOPC, 8, { GW_GOPC_NEWPROC1, GW_GOPC_CREATEDBY }, 2 },
	{ GOBIN_F_STARTPC, GODWARF_STARTPC, 8,
	  { GW_STARTPC_NEWPROC1, GW_STARTPC_SYSTEM }, 2 },
	{ GOBIN_F_WAITREASON, GODWARF_WAITREASON, 1,
	  { GW_WAIT_GOPARK, GW_WAIT_HEADER, GW_WAIT_NEWPROC1 }, 3 },
};

/* "runtime.newproc1 finds 280, runtime.printcreatedby nothing" */
static void ways_text(const struct gorecover *rec, const struct field *fl,
		      char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < fl->nways && n < len; i++) {
		const struct gorec_result *r = &rec->way[fl->ways[i]];

		if (r->found)
			n += (size_t)snprintf(buf + n, len - n, "%s%s finds %llu",
					      i ? ", " : "", gorecover_where(fl->ways[i]),
					      (unsigned long long)r->value);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%s %s", i ? ", " : "",
					      gorecover_where(fl->ways[i]),
					      r->ambiguous ? "is ambiguous" : "finds nothing");
	}
}

static int settle_field(struct gobin *b, const struct field *fl,
			const struct godwarf_g *dg, const struct gorecover *rec,
			char *err, size_t errlen)
{
	struct gobin_fact *fa = &b->facts[fl->id];
	const struct gorec_result *first = NULL;
	bool may_lack = fl->id == GOBIN_F_PARENT_GOID && b->go_minor < PARENT_GOID_MINOR;
	char ways[512];
	size_t i, found = 0;

	ways_text(rec, fl, ways, sizeof(ways));
	for (i = 0; i < fl->nways; i++) {
		const struct gorec_result *r = &rec->way[fl->ways[i]];

		if (!r->found)
			continue;
		if (first && r->value != first->value)
			return gobin_fail(err, errlen, "%s: %s is not certain: %s; refusing "
				    "to trace goroutines", b->path, fa->name, ways);
		first = r;
		found++;
	}
	if (dg->found) {
		if (!dg->have[fl->dwarf]) {
			if (may_lack && !found) {
				fa->known = fa->absent = true;
				fa->source = GOBIN_SRC_DWARF;
				return 0;
			}
			return gobin_fail(err, errlen, "%s: the DWARF of runtime.g has no %s",
				    b->path, fa->name + 2);
		}
		if (dg->size[fl->dwarf] != fl->size || dg->off[fl->dwarf] == 0 ||
		    dg->off[fl->dwarf] > GODIAG_GO_FIELD_MAX)
			return gobin_fail(err, errlen, "%s: the DWARF of runtime.g has %s at "
				    "offset %llu, %llu bytes: not usable", b->path,
				    fa->name, (unsigned long long)dg->off[fl->dwarf],
				    (unsigned long long)dg->size[fl->dwarf]);
		if (first && first->value != dg->off[fl->dwarf])
			return gobin_fail(err, errlen, "%s: %s is at offset %llu in the DWARF, "
				    "but the code disagrees (%s); refusing to trace "
				    "goroutines", b->path, fa->name,
				    (unsigned long long)dg->off[fl->dwarf], ways);
		fa->known = true;
		fa->value = dg->off[fl->dwarf];
		fa->source = GOBIN_SRC_DWARF;
	} else if (found >= 2 && first->value <= GODIAG_GO_FIELD_MAX) {
		fa->known = true;
		fa->value = first->value;
		fa->source = GOBIN_SRC_CODE;
	} else if (!found && may_lack) {
		fa->known = fa->absent = true;
		fa->source = GOBIN_SRC_CODE;
		return 0;
	} else {
		return gobin_fail(err, errlen, "%s: cannot establish %s without DWARF (%s; "
			    "two must agree); refusing to trace goroutines", b->path,
			    fa->name, ways);
	}
	if (fa->source == GOBIN_SRC_DWARF)
		agree(fa, "dwarf");
	for (i = 0; i < fl->nways; i++)
		if (rec->way[fl->ways[i]].found)
			agree(fa, gorecover_where(fl->ways[i]));
	return 0;
}

/* ---- registers ------------------------------------------------------ */

/*
 * A register fact: DWARF's location of the parameter (reg, or -1), the
 * way in the code, and what Go's calling convention says (abi). All that
 * say something must agree; without DWARF, the code must say it.
 */
static int settle_reg(struct gobin *b, enum gobin_fact_id id, int dwarf_reg,
		      bool need_code, const struct gorec_result *code,
		      const char *code_way, int abi, char *err, size_t errlen)
{
	struct gobin_fact *fa = &b->facts[id];
	int code_reg = code->found ? code->reg : -1;

	if ((dwarf_reg >= 0 && dwarf_reg != abi) || (code_reg >= 0 && code_reg != abi))
		return gobin_fail(err, errlen, "%s: %s: Go's calling convention puts it in %s, "
			    "but %s%s%s%s; refusing to trace goroutines", b->path,
			    fa->name, gobin_reg_name((uint8_t)abi),
			    dwarf_reg >= 0 ? "DWARF in " : "",
			    dwarf_reg >= 0 ? gobin_reg_name((uint8_t)dwarf_reg) : "",
			    dwarf_reg >= 0 && code_reg >= 0 ? " and its code in " :
			    code_reg >= 0 ? "its code in " : "",
			    code_reg >= 0 ? gobin_reg_name((uint8_t)code_reg) : "");
	if (need_code && code_reg < 0)
		return gobin_fail(err, errlen, "%s: cannot establish %s from the code of %s "
			    "(%s)%s; refusing to trace goroutines", b->path, fa->name,
			    code_way, code->ambiguous ? "ambiguous" : "not recognized",
			    b->has_dwarf ? "" : " and there is no DWARF");
	fa->known = true;
	fa->value = (uint64_t)abi;
	fa->source = dwarf_reg >= 0 ? GOBIN_SRC_DWARF :
		     code_reg >= 0 ? GOBIN_SRC_CODE : GOBIN_SRC_ABI;
	if (dwarf_reg >= 0)
		agree(fa, "dwarf");
	if (code_reg >= 0)
		agree(fa, code_way);
	agree(fa, "abi");
	return 0;
}

/* ---- wait reasons --------------------------------------------------- */

static const enum gorec_way reason_ways[] = {
	GW_REASONS_STRING, GW_REASONS_PSTRING, GW_REASONS_HEADER,
};

static void reasons_text(const struct gorecover *rec, bool sym, uint64_t sym_at,
			 uint64_t sym_n, char *buf, size_t len)
{
	const struct gorec_result *d = &rec->way[GW_REASONS_DATA];
	size_t i, n = 0;

	buf[0] = '\0';
	if (sym)
		n += (size_t)snprintf(buf, len, "the symbol: 0x%llx, %llu; ",
				      (unsigned long long)sym_at, (unsigned long long)sym_n);
	for (i = 0; i < ARRAY_SIZE(reason_ways) && n < len; i++) {
		const struct gorec_result *r = &rec->way[reason_ways[i]];

		if (r->found)
			n += (size_t)snprintf(buf + n, len - n, "%s: 0x%llx, %llu; ",
					      gorecover_where(reason_ways[i]),
					      (unsigned long long)r->value,
					      (unsigned long long)r->count);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s: nothing; ",
					      gorecover_where(reason_ways[i]));
	}
	if (n < len) {
		if (d->found)
			snprintf(buf + n, len - n, "the data scan: 0x%llx",
				 (unsigned long long)d->value);
		else
			snprintf(buf + n, len - n, "the data scan: %s",
				 d->ambiguous ? "several tables" : "nothing");
	}
}

/*
 * Where runtime.waitReasonStrings is and how long: .symtab when present,
 * else two ways in the code; every way that finds it must agree, the data
 * scan too, and without the symbol the scan must find it.
 */
static int settle_reasons(struct gobin *b, const struct gorecover *rec, char *err,
			  size_t errlen)
{
	struct gobin_fact *fa = &b->facts[GOBIN_F_REASONS];
	const struct gorec_result *d = &rec->way[GW_REASONS_DATA];
	uint64_t at = 0, n = 0, sym_at = 0, sym_size = 0;
	bool sym = gobin_reasons_symbol(b, &sym_at, &sym_size) == 0;
	size_t i, found = 0;
	char ways[768];

	reasons_text(rec, sym, sym_at, sym_size / 16, ways, sizeof(ways));
	if (sym) {
		if (!sym_size || sym_size % 16 || sym_size / 16 > REASONS_MAX)
			return gobin_fail(err, errlen, "%s: runtime.waitReasonStrings is %llu "
				    "bytes: not a table of strings", b->path,
				    (unsigned long long)sym_size);
		at = sym_at;
		n = sym_size / 16;
	}
	for (i = 0; i < ARRAY_SIZE(reason_ways); i++) {
		const struct gorec_result *r = &rec->way[reason_ways[i]];

		if (!r->found)
			continue;
		if ((at || n) && (r->value != at || r->count != n))
			return gobin_fail(err, errlen, "%s: %s is not certain (%s); refusing "
				    "to trace goroutines", b->path, fa->name, ways);
		at = r->value;
		n = r->count;
		found++;
	}
	if ((d->found && at && d->value != at) || d->ambiguous)
		return gobin_fail(err, errlen, "%s: %s is not certain (%s); refusing to "
			    "trace goroutines", b->path, fa->name, ways);
	if (!sym && (found < 2 || !d->found))
		return gobin_fail(err, errlen, "%s: cannot establish %s without a symbol "
			    "table (%s; two ways in the code and the data scan must "
			    "agree); refusing to trace goroutines", b->path, fa->name, ways);
	fa->known = true;
	fa->value = at;
	fa->count = n;
	fa->source = sym ? GOBIN_SRC_SYMTAB : GOBIN_SRC_CODE;
	if (sym)
		agree(fa, "symtab");
	for (i = 0; i < ARRAY_SIZE(reason_ways); i++)
		if (rec->way[reason_ways[i]].found)
			agree(fa, gorecover_where(reason_ways[i]));
	if (d->found)
		agree(fa, gorecover_where(GW_REASONS_DATA));
	return 0;
}

/* The strings of the table the facts located. */
static int read_reasons(struct gobin *b, char *err, size_t errlen)
{
	const struct gobin_fact *fa = &b->facts[GOBIN_F_REASONS];
	uint64_t i;

	b->reasons = calloc((size_t)fa->count, sizeof(*b->reasons));
	if (!b->reasons)
		return gobin_fail(err, errlen, "out of memory");
	for (i = 0; i < fa->count; i++) {
		uint64_t at = fa->value + i * 16, ptr = 0, len;
		const uint8_t *hdr = gobin_bytes(b, at, 16), *s = NULL;

		if (!hdr || !gobin_read_ptr(b, at, &ptr))
			goto bad;
		len = 0;
		for (int k = 7; k >= 0; k--)
			len = len << 8 | hdr[8 + k];
		if (len > REASON_LEN_MAX)
			goto bad;
		if (len) {
			s = gobin_bytes(b, ptr, len);
			if (!s || memchr(s, '\0', (size_t)len))
				goto bad;
		}
		b->reasons[i] = strndup(s ? (const char *)s : "", (size_t)len);
		if (!b->reasons[i]) {
			gobin_free_reasons(b);
			return gobin_fail(err, errlen, "out of memory");
		}
		b->nreasons = (size_t)(i + 1);
	}
	return 0;
bad:
	gobin_free_reasons(b);
	return gobin_fail(err, errlen, "%s: runtime.waitReasonStrings entry %llu is damaged",
		    b->path, (unsigned long long)i);
}

/* ---- probes --------------------------------------------------------- */

enum { F_NEWPROC1, F_EXECUTE, F_GOPARK, F_READY, F_GOEXIT1, F_NUM };

static const struct probe_func {
	const char *name;
	uint32_t kind;
	int arg_fact, g_fact;	/* GOBIN_F_REG_* of arg_reg and g_reg, or -1 */
	int arg_index;		/* DWARF: the parameter arg_reg holds, -1: none */
} probe_funcs[F_NUM] = {
	[F_NEWPROC1] = { "runtime.newproc1", GODIAG_PROBE_GO_CREATE,
			 GOBIN_F_REG_NEWPROC1, -1, -1 },
	[F_EXECUTE] = { "runtime.execute", GODIAG_PROBE_GO_START,
			GOBIN_F_REG_EXECUTE, -1, 0 },
	[F_GOPARK] = { "runtime.gopark", GODIAG_PROBE_GO_PARK,
		       GOBIN_F_REG_GOPARK, GOBIN_F_REG_G, 2 },
	[F_READY] = { "runtime.ready", GODIAG_PROBE_GO_READY,
		      GOBIN_F_REG_READY, -1, 0 },
	[F_GOEXIT1] = { "runtime.goexit1", GODIAG_PROBE_GO_EXIT,
			-1, GOBIN_F_REG_G, -1 },
};

/* The register DWARF gives a probed function's parameter at entry, or -1. */
static int dwarf_param_reg(const struct godwarf_func *df, int index)
{
	size_t k;
	int idx = 0;

	if (!df->found || index < 0)
		return -1;
	for (k = 0; k < df->nparams; k++) {
		if (df->params[k].result)
			continue;
		if (idx++ == index)
			return df->params[k].reg;
	}
	return -1;
}

static uint8_t fact_reg(const struct gobin *b, int id)
{
	return id < 0 ? GOBIN_NO_REG : (uint8_t)b->facts[id].value;
}

/*
 * A probe at vaddr inside the function at entry. The module checks that
 * the offset is an instruction boundary by decoding from the function's
 * entry, so both offsets go with it.
 */
static int add_probe(struct gobin *b, const struct probe_func *pf, uint64_t entry,
		     uint64_t vaddr, int jcc, char *err, size_t errlen)
{
	struct gobin_probe *p;
	uint64_t off, func_off;

	if (b->nprobes == GOBIN_PROBES_MAX)
		return gobin_fail(err, errlen, "%s: more than %d probe points", b->path,
			    GOBIN_PROBES_MAX);
	if (gobin_file_offset(b, vaddr, &off) || gobin_file_offset(b, entry, &func_off))
		return gobin_fail(err, errlen, "%s: %s at 0x%llx is not in the file",
			    b->path, pf->name, (unsigned long long)vaddr);
	p = &b->probes[b->nprobes++];
	p->kind = pf->kind;
	p->func = pf->name;
	p->vaddr = vaddr;
	p->offset = off;
	p->func_offset = func_off;
	p->arg_reg = fact_reg(b, pf->arg_fact);
	p->g_reg = fact_reg(b, pf->g_fact);
	p->jcc = (int8_t)jcc;
	return 0;
}

static int add_probes(struct gobin *b, char *err, size_t errlen)
{
	uint64_t rets[GOBIN_PROBES_MAX];
	size_t i;
	int n, k;

	for (i = 0; i < F_NUM; i++) {
		const struct probe_func *pf = &probe_funcs[i];
		uint64_t entry, end, at;
		int jcc;

		if (gobin_func_range(b, pf->name, &entry, &end))
			return gobin_fail(err, errlen, "%s: %s is not in the function "
				    "table (inlined or removed in %s?); goroutine "
				    "tracing needs it", b->path, pf->name,
				    b->go_version);
		if (pf->kind != GODIAG_PROBE_GO_CREATE) {
			at = gobin_entry_probe(b, entry, end, &jcc);
			if (add_probe(b, pf, entry, at, jcc, err, errlen))
				return -1;
			continue;
		}
		n = gobin_rets(b, entry, end, rets, ARRAY_SIZE(rets));
		if (n < 0)
			return gobin_fail(err, errlen, "%s: cannot disassemble %s", b->path,
				    pf->name);
		if (n == 0)
			return gobin_fail(err, errlen, "%s: %s has no RET instruction",
				    b->path, pf->name);
		if ((size_t)n > ARRAY_SIZE(rets))
			return gobin_fail(err, errlen, "%s: %s has %d RET instructions",
				    b->path, pf->name, n);
		for (k = 0; k < n; k++)
			if (add_probe(b, pf, entry, rets[k], -1, err, errlen))
				return -1;
	}
	return 0;
}

/* ---- setup ---------------------------------------------------------- */

static void reset(struct gobin *b)
{
	size_t i;

	gobin_free_reasons(b);
	memset(&b->layout, 0, sizeof(b->layout));
	memset(b->facts, 0, sizeof(b->facts));
	for (i = 0; i < GOBIN_FACTS; i++)
		b->facts[i].name = fact_names[i];
	b->nprobes = 0;
}

/* Every fact from DWARF (dg, df) and the recovery (rec). */
static int settle(struct gobin *b, const struct godwarf_g *dg,
		  const struct godwarf_func *df, const struct gorecover *rec,
		  char *err, size_t errlen)
{
	const struct gorec_result *park = &rec->way[GW_WAIT_GOPARK];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (settle_field(b, &fields[i], dg, rec, err, errlen))
			return -1;
	if (settle_reasons(b, rec, err, errlen))
		return -1;
	/*
	 * Without DWARF every register must show in the code. With DWARF the
	 * parameters' locations stand in for it; newproc1's result has none,
	 * but DWARF gives its signature, and the ABI puts the result in rax.
	 */
	if (settle_reg(b, GOBIN_F_REG_NEWPROC1, -1, !df[F_NEWPROC1].found,
		       &rec->way[GW_REG_NEWPROC1], gorecover_where(GW_REG_NEWPROC1),
		       GODIAG_REG_RAX, err, errlen))
		return -1;
	for (i = 0; i < 3; i++) {
		static const struct {
			enum gobin_fact_id fact;
			int func, param, abi;
			enum gorec_way way;
		} regs[3] = {
			{ GOBIN_F_REG_EXECUTE, F_EXECUTE, 0, GODIAG_REG_RAX, GW_REG_EXECUTE },
			{ GOBIN_F_REG_GOPARK, F_GOPARK, 2, GODIAG_REG_RCX, GW_WAIT_GOPARK },
			{ GOBIN_F_REG_READY, F_READY, 0, GODIAG_REG_RAX, GW_REG_READY },
		};
		int dreg = dwarf_param_reg(&df[regs[i].func], regs[i].param);

		if (settle_reg(b, regs[i].fact, dreg, dreg < 0, &rec->way[regs[i].way],
			       gorecover_where(regs[i].way), regs[i].abi, err, errlen))
			return -1;
	}
	/* R14 holds the running g in every ABIInternal function. */
	b->facts[GOBIN_F_REG_G].known = true;
	b->facts[GOBIN_F_REG_G].value = GODIAG_REG_R14;
	b->facts[GOBIN_F_REG_G].source = GOBIN_SRC_ABI;
	agree(&b->facts[GOBIN_F_REG_G], "abi");
	if (park->found)
		agree(&b->facts[GOBIN_F_REG_G], "runtime.gopark");
	return 0;
}

int gobin_goroutine_setup(struct gobin *b, char *err, size_t errlen)
{
	struct godwarf_func df[F_NUM];
	struct gorecover *rec;
	struct godwarf_g g;
	char why[192];
	size_t i;
	int r;

	if (!b->impl)
		return gobin_fail(err, errlen, "no binary");
	reset(b);
	if (b->go_major != 1 || b->go_minor < GO_MINOR_MIN)
		return gobin_fail(err, errlen, "%s is not supported for goroutine tracing: "
			    "godiag needs go1.%d or later",
			    b->go_version[0] ? b->go_version : "this Go version",
			    GO_MINOR_MIN);
	memset(&g, 0, sizeof(g));
	memset(df, 0, sizeof(df));
	for (i = 0; i < F_NUM; i++)
		df[i].name = probe_funcs[i].name;
	if (b->has_dwarf &&
	    godwarf_scan(gobin_elf(b), &g, df, F_NUM, why, sizeof(why)) != 0)
		return gobin_fail(err, errlen, "%s: %s", b->path, why);
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return gobin_fail(err, errlen, "out of memory");
	gorecover_run(b, rec);
	r = settle(b, &g, df, rec, err, errlen);
	free(rec);
	if (r)
		return -1;
	b->layout.g_goid = (__u16)b->facts[GOBIN_F_GOID].value;
	b->layout.g_parent_goid = b->facts[GOBIN_F_PARENT_GOID].absent ? 0 :
				  (__u16)b->facts[GOBIN_F_PARENT_GOID].value;
	b->layout.g_gopc = (__u16)b->facts[GOBIN_F_GOPC].value;
	b->layout.g_startpc = (__u16)b->facts[GOBIN_F_STARTPC].value;
	if (read_reasons(b, err, errlen))
		return -1;
	if (add_probes(b, err, errlen)) {
		b->nprobes = 0;
		return -1;
	}
	return 0;
}
