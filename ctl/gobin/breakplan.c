// SPDX-License-Identifier: GPL-2.0
/*
 * Breakpoint planning (breakplan.h): a spec resolved against one Go
 * binary into the instructions to probe.
 *
 *   - A function ("main.handle", "main.(*Server).ServeHTTP",
 *     "main.Map[...]"): its entry probe point (the stack check's jump,
 *     gobin_entry_probe(), so a morestack restart is not counted twice),
 *     its RETs, its arguments (breakargs.c), and one site per copy the
 *     compiler inlined elsewhere, found in every function's inline tree
 *     (goinline.c): the copy's first instruction, where the arguments
 *     are wherever the caller's code keeps them, so they are not read.
 *     A function that has no code of its own but inlined copies is
 *     planned at its copies; one with neither is unknown.
 *   - file.go:LINE: the first instruction of the line's code in each
 *     function, and in each inlined copy in it (the pclntab's line
 *     table, so stripped binaries too).
 *   - 0xADDR (link-time, as objdump shows it): an instruction of a
 *     function, checked by decoding the function from its entry.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "gobin/breakplan.h"
#include "gobin/gobin_impl.h"

#define SUGGEST_MAX		4
#define INLINE_DEPTH_MAX	64

/* ---- sites -------------------------------------------------------- */

/*
 * A site at vaddr in function f. false when it cannot be probed: not in
 * the file, or further from its function's entry than the module
 * decodes (GODIAG_PROBE_FUNC_SPAN_MAX).
 */
static bool make_site(const struct gobin *b, const struct gofunc *f, uint64_t vaddr,
		      int jcc, struct gobin_site *s)
{
	uint64_t off, foff;

	memset(s, 0, sizeof(*s));
	if (gobin_file_offset(b, vaddr, &off) || gobin_file_offset(b, f->entry, &foff) ||
	    off < foff || off - foff > GODIAG_PROBE_FUNC_SPAN_MAX)
		return false;
	s->vaddr = vaddr;
	s->offset = off;
	s->func_offset = foff;
	s->jcc = (int8_t)jcc;
	s->func = f->name;
	if (gobin_line(b, vaddr, &s->file, &s->line)) {
		s->file = NULL;
		s->line = 0;
	}
	return true;
}

/* Appends s unless a site is already there; false when full. */
static bool add_site(struct gobin_break *out, const struct gobin_site *s)
{
	size_t i;

	for (i = 0; i < out->nsites; i++)
		if (out->sites[i].vaddr == s->vaddr)
			return true;
	if (out->nsites == GOBIN_BREAK_SITES_MAX)
		return false;
	out->sites[out->nsites++] = *s;
	return true;
}

/* The name of inline tree entry idx of f, or NULL. */
static const char *inl_name(const struct gobin *b, const struct gofunc *f, int32_t idx,
			    struct gobin_inlcall *c)
{
	if (!gobin_inlcall(b, f, idx, c) || c->name_off < 0)
		return NULL;
	return gopcln_name_at(gobin_pcln(b), (uint64_t)c->name_off);
}

/* ---- inlined copies of a function ------------------------------------ */

/* One copy: entry idx of the inline tree of the function at entry. */
struct inl_seen {
	uint64_t entry;
	int32_t idx;
};

struct inl_scan {
	const struct gobin *b;
	const char *name;	/* the function whose copies are wanted */
	struct gobin_break *out;
	struct inl_seen *seen;
	size_t nseen, capseen;
	size_t copies;
	bool nomem;
};

static bool seen_before(struct inl_scan *sc, uint64_t entry, int32_t idx)
{
	size_t i;

	for (i = 0; i < sc->nseen; i++)
		if (sc->seen[i].entry == entry && sc->seen[i].idx == idx)
			return true;
	if (sc->nseen == sc->capseen) {
		size_t cap = sc->capseen ? sc->capseen * 2 : 16;
		struct inl_seen *n = realloc(sc->seen, cap * sizeof(*n));

		if (!n) {
			sc->nomem = true;
			return true;
		}
		sc->seen = n;
		sc->capseen = cap;
	}
	sc->seen[sc->nseen].entry = entry;
	sc->seen[sc->nseen].idx = idx;
	sc->nseen++;
	return false;
}

/* A new copy, whose first instruction is pc, called from call_pc. */
static void add_copy(struct inl_scan *sc, const struct gofunc *f, uint64_t pc,
		     uint64_t call_pc)
{
	struct gobin_site s;

	sc->copies++;
	if (!make_site(sc->b, f, pc, -1, &s)) {
		sc->out->inlined_unprobed++;
		return;
	}
	s.inlined = true;
	/* Where it is inlined: the line of the call. */
	if (gobin_line(sc->b, call_pc, &s.file, &s.line)) {
		s.file = NULL;
		s.line = 0;
	}
	if (!add_site(sc->out, &s))
		sc->out->inlined_unprobed++;
}

/*
 * A range of f's code whose inline tree entry is idx: it belongs to that
 * entry's copy and to the copies of all its callers in the tree. Ranges
 * come in address order, so the first one of a copy is its first PC.
 */
static int inl_range(void *arg, const struct gofunc *f, uint64_t pc, uint64_t end,
		     int32_t idx)
{
	struct inl_scan *sc = arg;
	int depth;

	(void)end;
	for (depth = 0; idx >= 0 && depth < INLINE_DEPTH_MAX; depth++) {
		struct gobin_inlcall c;
		const char *name = inl_name(sc->b, f, idx, &c);

		if (!name)
			break;
		if (gopcln_name_matches(name, sc->name) && !seen_before(sc, f->entry, idx))
			add_copy(sc, f, pc, c.parent_pc);
		idx = c.parent;
	}
	return sc->nomem ? -1 : 0;
}

/* Every inlined copy of the function name, into out's sites. */
static int inline_sites(const struct gobin *b, const char *name, struct gobin_break *out,
			size_t *copies)
{
	struct gopcln *p = gobin_pcln(b);
	struct inl_scan sc = { .b = b, .name = name, .out = out };
	size_t i;

	for (i = 0; i < p->nfunc && !sc.nomem; i++) {
		struct gofunc f;
		uint32_t off;

		if (gopcln_func(p, i, &f) ||
		    gopcln_funcdata(p, &f, GOBIN_FUNCDATA_INLTREE, &off))
			continue;
		gopcln_pcdata_walk(p, &f, GOBIN_PCDATA_INLTREEINDEX, inl_range, &sc);
	}
	free(sc.seen);
	*copies = sc.copies;
	return sc.nomem ? -1 : 0;
}

/* ---- functions ------------------------------------------------------ */

/* "; closest: a, b, c" for an unknown name, "" when nothing is close. */
static void closest(const struct gobin *b, const char *name, char *buf, size_t len)
{
	const char *names[SUGGEST_MAX];
	size_t n, i, used;

	buf[0] = '\0';
	n = gobin_func_suggest(b, name, names, SUGGEST_MAX);
	if (!n)
		return;
	used = (size_t)snprintf(buf, len, " (closest: ");
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 names[i]);
	if (used < len)
		snprintf(buf + used, len - used, ")");
}

/*
 * The one function name names: 1 with *f set, 0 when there is none, -1
 * (err set) when several match "main.Map[...]".
 */
static int find_func(const struct gobin *b, const char *name, struct gofunc *f,
		     char *err, size_t errlen)
{
	struct gopcln *p = gobin_pcln(b);
	const char *names[SUGGEST_MAX];
	uint64_t entries[SUGGEST_MAX];
	size_t i, n = 0, used;
	long k;

	gopcln_index_names(p);
	if (!strstr(name, "[...]")) {
		k = gopcln_find_name(p, name);
		return k >= 0 && !gopcln_func(p, (size_t)k, f);
	}
	for (i = 0; i < p->nfunc; i++) {
		struct gofunc g;

		if (gopcln_func(p, i, &g) || !gopcln_name_matches(g.name, name))
			continue;
		if (n < SUGGEST_MAX) {
			names[n] = g.name;
			entries[n] = g.entry;
		}
		if (!n)
			*f = g;
		n++;
	}
	if (n <= 1)
		return (int)n;
	used = (size_t)snprintf(err, errlen, "%s is ambiguous: %zu functions match (",
				name, n);
	/* Go 1.18 and 1.19 name every instantiation "main.Map[...]": the address tells them apart. */
	for (i = 0; i < n && i < SUGGEST_MAX && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, "%s%s at 0x%" PRIx64,
					 i ? ", " : "", names[i], entries[i]);
	if (used < errlen)
		snprintf(err + used, errlen - used, "%s); name one or break on its address",
			 n > SUGGEST_MAX ? ", ..." : "");
	return -1;
}

/* The function's own RETs, as file offsets, for latency. */
static void plan_rets(const struct gobin *b, const struct gofunc *f,
		      struct gobin_break *out)
{
	uint64_t rets[GOBIN_BREAK_RETS_MAX];
	int n = gobin_rets(b, f->entry, f->end, rets, GOBIN_BREAK_RETS_MAX);
	size_t i;

	if (n > GOBIN_BREAK_RETS_MAX) {
		snprintf(out->note, sizeof(out->note), "%s has %d RETs, more than %d: "
			 "its latency cannot be measured", f->name, n, GOBIN_BREAK_RETS_MAX);
		return;
	}
	for (i = 0; n > 0 && i < (size_t)n; i++)
		if (!gobin_file_offset(b, rets[i], &out->rets[out->nrets]))
			out->nrets++;
}

static bool has_arg_opts(const struct gobin_break_opts *opts)
{
	return opts && (opts->nargtypes || opts->nfields);
}

static int plan_func(const struct gobin *b, const char *name,
		     const struct gobin_break_opts *opts, struct gobin_break *out,
		     char *err, size_t errlen)
{
	struct gobin_site s;
	struct gofunc f;
	char hint[512];
	size_t copies;
	int found, jcc;

	found = find_func(b, name, &f, err, errlen);
	if (found < 0)
		return -1;
	snprintf(out->function, sizeof(out->function), "%s", found ? f.name : name);
	if (found) {
		uint64_t at = gobin_entry_probe(b, f.entry, f.end, &jcc);

		if (!make_site(b, &f, at, jcc, &s))
			return gobin_fail(err, errlen, "%s is not in the file %s", f.name,
					  b->path);
		s.args_valid = true;
		add_site(out, &s);
		if (gobin_line(b, f.entry, &out->file, &out->line))
			out->file = NULL;
		plan_rets(b, &f, out);
	}
	if (inline_sites(b, out->function, out, &copies))
		return gobin_fail(err, errlen, "out of memory");
	if (!found && !copies) {
		closest(b, name, hint, sizeof(hint));
		return gobin_fail(err, errlen, "no function %s in %s%s", name, b->path, hint);
	}
	if (!found && !out->nsites)
		return gobin_fail(err, errlen, "%s is inlined at %zu site%s and none can be "
				  "probed", name, copies, copies == 1 ? "" : "s");
	if (!found) {
		if (has_arg_opts(opts))
			return gobin_fail(err, errlen, "%s has no code of its own (inlined at "
					  "%zu sites): its arguments cannot be read", name,
					  copies);
		snprintf(out->note, sizeof(out->note), "%s has no code of its own: inlined "
			 "at %zu site%s, probed there without its arguments", name, copies,
			 copies == 1 ? "" : "s");
		return 0;
	}
	if (copies && !out->note[0])
		snprintf(out->note, sizeof(out->note), "also inlined at %zu site%s, probed "
			 "there without its arguments", copies, copies == 1 ? "" : "s");
	return gobin_break_args(b, &f, opts, out, err, errlen);
}

/* ---- file:line ------------------------------------------------------- */

struct line_scan {
	const struct gobin *b;
	struct gobin_break *out;
	struct inl_seen seen[GOBIN_BREAK_SITES_MAX + 1];
	size_t nseen;
	size_t more;		/* places past GOBIN_BREAK_SITES_MAX */
};

/* A range of the line's code: the first one of each function and copy is a site. */
static int line_range(void *arg, const struct gofunc *f, uint64_t pc, uint64_t end,
		      int32_t line)
{
	struct line_scan *sc = arg;
	struct gobin_site s;
	int32_t idx = -1;
	size_t i;
	int jcc = -1;

	(void)end;
	(void)line;
	if (gopcln_pcdata(gobin_pcln(sc->b), f, GOBIN_PCDATA_INLTREEINDEX, pc, &idx))
		idx = -1;
	for (i = 0; i < sc->nseen; i++)
		if (sc->seen[i].entry == f->entry && sc->seen[i].idx == idx)
			return 0;
	if (sc->nseen == GOBIN_BREAK_SITES_MAX) {
		sc->more++;
		return 0;
	}
	sc->seen[sc->nseen].entry = f->entry;
	sc->seen[sc->nseen++].idx = idx;
	/* The function's first line: past the stack check, as for an entry. */
	if (pc == f->entry)
		pc = gobin_entry_probe(sc->b, f->entry, f->end, &jcc);
	if (!make_site(sc->b, f, pc, jcc, &s))
		return 0;
	s.inlined = idx >= 0;
	if (!sc->out->nsites) {
		struct gobin_inlcall c;
		const char *name = idx >= 0 ? inl_name(sc->b, f, idx, &c) : f->name;

		snprintf(sc->out->function, sizeof(sc->out->function), "%s",
			 name ? name : f->name);
	}
	add_site(sc->out, &s);
	return 0;
}

static int plan_line(const struct gobin *b, const char *spec, const char *colon,
		     const struct gobin_break_opts *opts, struct gobin_break *out,
		     char *err, size_t errlen)
{
	struct line_scan *sc;
	char file[4096];
	unsigned long line;
	char *end;
	int n;

	errno = 0;
	line = strtoul(colon + 1, &end, 10);
	if (*end || errno || line == 0 || line > INT32_MAX)
		return gobin_fail(err, errlen, "%s: bad line number", spec);
	if ((size_t)(colon - spec) >= sizeof(file))
		return gobin_fail(err, errlen, "%.64s...: file name too long", spec);
	memcpy(file, spec, (size_t)(colon - spec));
	file[colon - spec] = '\0';
	if (has_arg_opts(opts))
		return gobin_fail(err, errlen, "%s: arguments are only known at a function's "
				  "entry; break on the function", spec);
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return gobin_fail(err, errlen, "out of memory");
	sc->b = b;
	sc->out = out;
	n = gopcln_line_walk(gobin_pcln(b), file, (uint32_t)line, line_range, sc);
	if (sc->more) {
		free(sc);
		return gobin_fail(err, errlen, "%s has code in more than %d places",
				  spec, GOBIN_BREAK_SITES_MAX);
	}
	free(sc);
	if (n <= 0 && !gopcln_has_file(gobin_pcln(b), file))
		return gobin_fail(err, errlen, "no file %s in %s", file, b->path);
	if (n <= 0)
		return gobin_fail(err, errlen, "%s:%lu has no code", file, line);
	if (!out->nsites)
		return gobin_fail(err, errlen, "%s:%lu cannot be probed (not in the file)",
				  file, line);
	return 0;
}

/* ---- 0xADDR --------------------------------------------------------- */

/* Whether vaddr starts an instruction of f: decoded from f's entry. */
static bool insn_boundary(const struct gobin *b, const struct gofunc *f, uint64_t vaddr)
{
	uint64_t addr = f->entry;
	const uint8_t *code;
	bool found = false;
	cs_insn *insn;
	size_t size;
	csh cs;

	if (vaddr - f->entry > GODIAG_PROBE_FUNC_SPAN_MAX)
		return false;
	size = (size_t)(vaddr - f->entry + 16 < f->end - f->entry ?
			vaddr - f->entry + 16 : f->end - f->entry);
	code = gobin_vaddr_bytes(b, f->entry, size);
	if (!code || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return false;
	insn = cs_malloc(cs);
	while (insn && addr < vaddr && cs_disasm_iter(cs, &code, &size, &addr, insn))
		;
	found = insn && addr == vaddr;
	if (insn)
		cs_free(insn, 1);
	cs_close(&cs);
	return found;
}

static int plan_addr(const struct gobin *b, const char *spec,
		     const struct gobin_break_opts *opts, struct gobin_break *out,
		     char *err, size_t errlen)
{
	struct gopcln *p = gobin_pcln(b);
	struct gobin_inlcall c;
	struct gobin_site s;
	uint64_t vaddr, probe;
	struct gofunc f;
	const char *name;
	int32_t idx = -1;
	char *end;
	long i;
	int jcc;

	errno = 0;
	vaddr = strtoull(spec + 2, &end, 16);
	if (end == spec + 2 || *end || errno)
		return gobin_fail(err, errlen, "%s: bad address", spec);
	i = gopcln_find_pc(p, vaddr);
	if (i < 0 || gopcln_func(p, (size_t)i, &f) || vaddr >= f.end)
		return gobin_fail(err, errlen, "%s is not an instruction of any function", spec);
	if (!insn_boundary(b, &f, vaddr))
		return gobin_fail(err, errlen, "%s is inside an instruction of %s, not at "
				  "its start", spec, f.name);
	probe = gobin_entry_probe(b, f.entry, f.end, &jcc);
	if (vaddr != probe)
		jcc = -1;
	if (!make_site(b, &f, vaddr, jcc, &s))
		return gobin_fail(err, errlen, "%s cannot be probed (not in the file)", spec);
	if (gopcln_pcdata(p, &f, GOBIN_PCDATA_INLTREEINDEX, vaddr, &idx))
		idx = -1;
	s.inlined = idx >= 0;
	name = idx >= 0 ? inl_name(b, &f, idx, &c) : f.name;
	snprintf(out->function, sizeof(out->function), "%s", name ? name : f.name);
	/* The arguments are where the ABI put them until the stack check passes. */
	s.args_valid = vaddr == f.entry || vaddr == probe;
	add_site(out, &s);
	if (!s.args_valid) {
		if (has_arg_opts(opts))
			return gobin_fail(err, errlen, "%s: arguments are only known at a "
					  "function's entry (%s at 0x%" PRIx64 ")", spec, f.name,
					  f.entry);
		return 0;
	}
	return gobin_break_args(b, &f, opts, out, err, errlen);
}

/* ---- the spec ------------------------------------------------------- */

/* The colon of "file.go:LINE" (digits after the last colon), or NULL. */
static const char *line_colon(const char *spec)
{
	const char *colon = strrchr(spec, ':'), *q;

	if (!colon || colon == spec || !colon[1])
		return NULL;
	for (q = colon + 1; *q; q++)
		if (*q < '0' || *q > '9')
			return NULL;
	return colon;
}

int gobin_break_plan(const struct gobin *b, const char *spec,
		     const struct gobin_break_opts *opts, struct gobin_break *out,
		     char *err, size_t errlen)
{
	const char *colon;

	memset(out, 0, sizeof(*out));
	if (!b->impl || !gobin_pcln(b))
		return gobin_fail(err, errlen, "no binary");
	if (!spec || !*spec)
		return gobin_fail(err, errlen, "empty breakpoint");
	if (strlen(spec) >= sizeof(out->spec))
		return gobin_fail(err, errlen, "breakpoint '%.32s...' too long", spec);
	snprintf(out->spec, sizeof(out->spec), "%s", spec);
	if (!strncmp(spec, "0x", 2) || !strncmp(spec, "0X", 2))
		return plan_addr(b, spec, opts, out, err, errlen);
	colon = line_colon(spec);
	if (colon)
		return plan_line(b, spec, colon, opts, out, err, errlen);
	return plan_func(b, spec, opts, out, err, errlen);
}
