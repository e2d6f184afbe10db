// SPDX-License-Identifier: GPL-2.0
/*
 * capture --break SPEC, a capture source (capture.h): plan each spec
 * against each target's Go binary (gobin/breakplan.h), have the module
 * place a GODIAG_PROBE_BREAK probe on each site (and, with --latency, a
 * GODIAG_PROBE_BREAK_RET probe on each RET of the function), and at the
 * end write the BREAKS section (docs/FORMAT.md) that lets the report name
 * what each record read: the specs, their arguments, which probe belongs
 * to which, the module's counters and the stack PCs by name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hmap.h"
#include "base/util.h"
#include "cmd/breakcond.h"
#include "cmd/capture.h"
#include "gobin/breakplan.h"
#include "gobin/buildid.h"
#include "gobin/gobin.h"
#include "gobin/gostats.h"
#include "model/gcstats.h"

struct bp_probe {
	uint32_t id;
	uint32_t pid;
	uint32_t brk;		/* index of its --break */
	bool is_ret;
	uint64_t c[6];		/* passes, filtered, sampled out, rate limited, hits, faults */
};

struct bp_target {
	uint32_t pid;
	char exe[64];
	struct gobin bin;
	uint64_t bias;
	struct gobin_break *plans;	/* [opts->nbreaks] */
	uint64_t *pcs;			/* stack PCs seen, to name */
	size_t npcs, cap;
	bool has_iface;			/* a plan reads an interface */
	uint64_t *types;		/* distinct type words of interfaces, to name */
	size_t ntypes;
	struct hmap type_map;
};

/* Distinct interface types named per target: the rest stay numbers. */
#define BP_TYPES_MAX	4096

struct capture_break {
	struct bp_target *v;
	size_t n;
	struct bp_probe *probes;
	size_t nprobes;
	size_t last_probe;	/* of the last record whose types were noted */
};

static bool bp_wanted(const struct capture_opts *o)
{
	return o->nbreaks > 0;
}

static struct bp_target *bp_find(struct capture_break *bp, uint32_t pid)
{
	size_t i;

	for (i = 0; i < bp->n; i++)
		if (bp->v[i].pid == pid)
			return &bp->v[i];
	return NULL;
}

/* ---- inspect: plan every spec ---------------------------------------- */

/*
 * --if needs the arguments at every site: a site where they are not known
 * (an inlined copy, a line inside the function) would record every hit.
 */
static int cond_unknown_site(const struct gobin_break *plan, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < plan->nsites; i++) {
		const struct gobin_site *s = &plan->sites[i];

		if (s->args_valid)
			continue;
		snprintf(err, errlen, "--if needs the arguments, which are not known at "
			 "0x%" PRIx64 " (%s%.100s); break on the function's entry alone",
			 s->vaddr, s->inlined ? "a copy inlined into " : "inside ",
			 s->func ? s->func : "?");
		return -1;
	}
	return 0;
}

/*
 * The module reads up to GODIAG_BREAK_WORDS_MAX words (integer and XMM
 * registers, the stack): an argument from DWARF one past them leaves the
 * plan with a line saying so.
 */
static int drop_unreadable(const struct capture_bspec *bs, struct gobin_break *p)
{
	size_t i, n = 0, words = 0;

	for (i = 0; i < p->nargs; i++) {
		const struct gobin_arg *a = &p->args[i];

		if (words + a->nwords <= GODIAG_BREAK_WORDS_MAX) {
			words += a->nwords;
			p->args[n++] = *a;
			continue;
		}
		fprintf(stderr, "godiagctl: --break %.100s: argument %s (%s) not read: "
			"too many words\n", bs->spec, a->name, a->type);
	}
	p->nargs = n;
	return 0;
}

/* ---- --gc: the runtime's figures at each stop and start of the world --- */

/*
 * The runtime's variables a --gc probe reads, as GC_ARG_PREFIX arguments
 * (model/gcstats.h reads them back by these names).
 */
static const struct {
	const char *name;
	enum gost_id fact;
	enum gobin_arg_kind kind;
} gc_words[] = {
	{ "gc.phase", GOST_GCPHASE, GOBIN_ARG_UINT },
	{ "gc.numgc", GOST_NUMGC, GOBIN_ARG_UINT },
	{ "gc.heap_live", GOST_HEAP_LIVE, GOBIN_ARG_UINT },
	{ "gc.heap_goal", GOST_PCT_HEAP_GOAL, GOBIN_ARG_UINT },
	{ "gc.gogc", GOST_GC_PERCENT, GOBIN_ARG_INT },
	{ "gc.memlimit", GOST_MEMORY_LIMIT, GOBIN_ARG_INT },
};

static void gc_add_word(struct gobin_break *p, const char *name, enum gobin_arg_kind kind,
			const struct gost_fact *f)
{
	struct gobin_arg *a = &p->args[p->nargs++];

	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->type, sizeof(a->type), "%s", f->name);
	a->kind = kind;
	a->size = (uint8_t)f->size;
	a->nwords = 1;
	a->word[0].reg = GOBIN_STATIC;
	a->word[0].addr = f->addr;
}

/* The stop's reason among the planned arguments: "reason" (DWARF), or arg1. */
static bool gc_reason(struct gobin_break *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nargs; i++) {
		if (strcmp(p->args[i].name, name))
			continue;
		p->args[0] = p->args[i];
		p->nargs = 1;
		snprintf(p->args[0].name, sizeof(p->args[0].name), "gc.reason");
		return p->args[0].word[0].reg <= GODIAG_REG_MAX;
	}
	p->nargs = 0;
	return false;
}

/*
 * A --gc probe: at a stop, its reason, the runtime.stwReason argument of
 * stopTheWorldWithSema (Go 1.21 on; before, the function takes none):
 * where the DWARF says, or without DWARF the first integer register read
 * as a uint8 when the binary's Go version is 1.21 or later. Then each
 * runtime variable the binary locates (gobin/gostats.h; a stripped binary's
 * from its code, for the Go versions with a layout): the ones it does not
 * locate are left out, and the probes record the time (and reason).
 */
static int plan_gc(const struct capture_bspec *bs, struct bp_target *t,
		   struct gobin_break *p, char *err, size_t errlen)
{
	static const char *const reason_type[] = { "1:uint8" };
	struct gobin_break_opts bo = { 0 };
	bool by_position = !t->bin.has_dwarf && t->bin.go_minor >= 21;
	struct gost st;
	size_t i;

	if (bs->gc == CAPTURE_GC_STOP && by_position) {
		bo.argtypes = reason_type;
		bo.nargtypes = 1;
	}
	if (gobin_break_plan(&t->bin, bs->spec, &bo, p, err, errlen))
		return -1;
	if (bs->gc != CAPTURE_GC_STOP || !gc_reason(p, by_position ? "arg1" : "reason"))
		p->nargs = 0;
	/* only the entry, where the argument is */
	for (i = 0; i < p->nsites && !p->sites[i].args_valid; i++)
		;
	if (i == p->nsites) {
		snprintf(err, errlen, "%s has no entry to probe", bs->spec);
		return -1;
	}
	p->sites[0] = p->sites[i];
	p->nsites = 1;
	p->note[0] = '\0';
	gobin_stats_setup(&t->bin, &st);
	for (i = 0; i < ARRAY_SIZE(gc_words); i++)
		if (st.f[gc_words[i].fact].known)
			gc_add_word(p, gc_words[i].name, gc_words[i].kind,
				    &st.f[gc_words[i].fact]);
	snprintf(p->spec, sizeof(p->spec), "%s", bs->gc == CAPTURE_GC_STOP ?
		 GC_SPEC_STOP : GC_SPEC_START);
	return 0;
}

static int plan_all(const struct capture_opts *o, struct bp_target *t, char *err,
		    size_t errlen)
{
	struct godiag_break_cond k;
	char msg[512];
	size_t i, j;

	t->plans = xcalloc(o->nbreaks, sizeof(*t->plans));
	for (i = 0; i < o->nbreaks; i++) {
		const struct capture_bspec *bs = &o->breaks[i];
		struct gobin_break_opts bo = {
			.argtypes = bs->argtypes, .nargtypes = bs->nargtypes,
			.fields = bs->fields, .nfields = bs->nfields,
		};

		if (bs->gc) {
			if (plan_gc(bs, t, &t->plans[i], msg, sizeof(msg))) {
				snprintf(err, errlen, "--gc: %.400s", msg);
				return -1;
			}
			continue;
		}
		if (gobin_break_plan(&t->bin, bs->spec, &bo, &t->plans[i], msg, sizeof(msg)) ||
		    drop_unreadable(bs, &t->plans[i]) ||
		    (bs->cond && (cond_unknown_site(&t->plans[i], msg, sizeof(msg)) ||
				  break_cond_parse(bs->cond, &t->plans[i], &k, msg, sizeof(msg))))) {
			snprintf(err, errlen, "--break %.100s: %.400s", bs->spec, msg);
			return -1;
		}
		if (t->plans[i].note[0])
			fprintf(stderr, "godiagctl: --break %.100s: %s\n", bs->spec,
				t->plans[i].note);
		for (j = 0; j < t->plans[i].nargs; j++)
			if (t->plans[i].args[j].kind == GOBIN_ARG_IFACE)
				t->has_iface = true;
		if (bs->latency && !t->plans[i].nrets) {
			snprintf(err, errlen, "--break %.100s: --latency needs a function's RETs",
				 bs->spec);
			return -1;
		}
	}
	return 0;
}

static int bp_inspect(struct capture *c, void *data, uint32_t pid, char *err,
		      size_t errlen)
{
	struct capture_break *bp = data;
	struct bp_target *t;
	char msg[512];
	int r;

	bp->v = xreallocarray(bp->v, bp->n + 1, sizeof(*bp->v));
	t = &bp->v[bp->n];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	snprintf(t->exe, sizeof(t->exe), "/proc/%u/exe", pid);
	r = gobin_open(&t->bin, t->exe, msg, sizeof(msg));
	if (r) {
		snprintf(err, errlen, "PID %u: %.400s", pid, msg);
		return r == GOBIN_NOT_GO ? CAPTURE_SOURCE_OTHER_PROGRAM : r;
	}
	/* The layout of runtime.g: where a hit's goroutine id is. */
	if (gobin_goroutine_setup(&t->bin, msg, sizeof(msg))) {
		snprintf(err, errlen, "PID %u: %.400s", pid, msg);
		gobin_close(&t->bin);
		return -1;
	}
	bp->n++;
	if (plan_all(c->o, t, msg, sizeof(msg))) {
		char why[1024];

		/* a name the running build lacks: was it redeployed? */
		if (buildid_exe_replaced(pid, why, sizeof(why)))
			snprintf(err, errlen, "PID %u: %.400s; %s", pid, msg, why);
		else
			snprintf(err, errlen, "PID %u: %.400s", pid, msg);
		return -1;
	}
	return 0;
}

/* ---- attach: one PROBE_ADD per site and RET --------------------------- */

/*
 * A variable's word: its address from the probed instruction's (both
 * link-time, so the distance holds wherever the binary is loaded).
 */
static bool put_static(const struct gobin_loc *l, uint64_t site, struct godiag_break_word *w)
{
	int64_t d = (int64_t)(l->addr - site);

	if (d < INT32_MIN || d > INT32_MAX)
		return false;
	w->reg = GODIAG_BREAK_PCREL;
	w->sp_off = (int32_t)d;
	return true;
}

/* A slice argument whose first elements the records copy. */
static bool copies_elems(const struct gobin_arg *a, uint32_t slice_elems)
{
	return a->kind == GOBIN_ARG_SLICE && a->has_elem && slice_elems;
}

/*
 * The words of the plan's arguments for a probe at site: a string's
 * pointer word flagged for its bytes, a slice's for its first elements
 * (up to GODIAG_BREAK_STRINGS_MAX of both; a slice past them is read
 * without its elements).
 */
static int put_words(const struct gobin_break *plan, uint64_t site, uint32_t slice_elems,
		     struct godiag_break_word *w, char *err, size_t errlen)
{
	size_t i, j, n = 0, copies = 0;

	for (i = 0; i < plan->nargs; i++) {
		const struct gobin_arg *a = &plan->args[i];

		for (j = 0; j < a->nwords; j++, n++) {
			const struct gobin_loc *l = &a->word[j];

			bool x = l->reg >= GOBIN_XREG(0) &&
				 l->reg < GOBIN_XREG(GODIAG_BREAK_XREGS);

			if (n == GODIAG_BREAK_WORDS_MAX ||
			    (l->reg != GOBIN_NO_REG && l->reg != GOBIN_STATIC && !x &&
			     l->reg > GODIAG_REG_MAX)) {
				snprintf(err, errlen, "%s: argument %s cannot be read (%s)",
					 plan->spec, a->name, n == GODIAG_BREAK_WORDS_MAX ?
					 "too many words" : "no such register");
				return -1;
			}
			memset(&w[n], 0, sizeof(w[n]));
			if (x)
				w[n].reg = GODIAG_BREAK_XREG(l->reg - GOBIN_XREG(0));
			else
				w[n].reg = l->reg == GOBIN_NO_REG ? GODIAG_BREAK_STACK : l->reg;
			w[n].sp_off = l->sp_off;
			w[n].nderef = l->nderef;
			memcpy(w[n].deref_off, l->deref_off, sizeof(w[n].deref_off));
			if (l->reg == GOBIN_STATIC && !put_static(l, site, &w[n])) {
				snprintf(err, errlen, "%s: %s is more than 2 GiB from the code",
					 plan->spec, a->type);
				return -1;
			}
			if (a->kind == GOBIN_ARG_STRING && j == 0) {
				w[n].flags = GODIAG_BW_STRING;
				copies++;
			}
			if (copies_elems(a, slice_elems) && j == 0 &&
			    copies < GODIAG_BREAK_STRINGS_MAX) {
				w[n].flags = GODIAG_BW_SLICE;
				w[n].elem = a->elem_kind == GOBIN_ARG_STRING ?
					    GODIAG_BREAK_ELEM_STRING : a->elem_size;
				copies++;
			}
			if (l->nil_stop)
				w[n].flags |= GODIAG_BW_NIL;
		}
	}
	return (int)n;
}

static struct nl_msg *probe_msg(struct capture *c, const struct bp_target *t, uint32_t kind,
				uint64_t offset, uint64_t func_offset, int mem)
{
	struct nl_msg *msg = gdnl_msg(c->nl, GODIAG_CMD_PROBE_ADD, 0);

	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, c->session);
	gdnl_put_u32(msg, GODIAG_A_PID, t->pid);
	gdnl_put_u32(msg, GODIAG_A_PROBE_KIND, kind);
	gdnl_put_data(msg, GODIAG_A_PROBE_PATH, t->exe, strlen(t->exe) + 1);
	gdnl_put_u64(msg, GODIAG_A_PROBE_OFFSET, offset);
	gdnl_put_u64(msg, GODIAG_A_PROBE_FUNC_OFFSET, func_offset);
	/* ABIInternal keeps the current g in R14 (Go 1.17 and later). */
	gdnl_put_u8(msg, GODIAG_A_PROBE_G_REG, GODIAG_REG_R14);
	gdnl_put_data(msg, GODIAG_A_GO_LAYOUT, &t->bin.layout, sizeof(t->bin.layout));
	capture_put_mem_fd(msg, mem);
	return msg;
}

/* The spec as written, for the module's audit trail (cut to its limit). */
static void put_spec(struct nl_msg *msg, const char *spec)
{
	char buf[GODIAG_BREAK_SPEC_MAX];

	snprintf(buf, sizeof(buf), "%s", spec);
	gdnl_put_data(msg, GODIAG_A_BREAK_SPEC, buf, strlen(buf) + 1);
}

static void put_break_attrs(struct capture *c, struct nl_msg *msg, const struct bp_target *t,
			    size_t bi, const struct gobin_site *s)
{
	const struct capture_bspec *o = &c->o->breaks[bi];
	struct godiag_break_word w[GODIAG_BREAK_WORDS_MAX];
	struct godiag_break_cond k;
	char err[512];
	int n = put_words(&t->plans[bi], s->vaddr, o->slice_elems, w, err, sizeof(err));

	if (n < 0)
		capture_die(c, EXIT_OPFAIL, "%s", err);
	/*
	 * Not at the entry: the arguments are not where the plan says, so the
	 * site reads none (plan_all refused --if on such a plan).
	 */
	if (!s->args_valid)
		n = 0;
	if (n)
		gdnl_put_data(msg, GODIAG_A_BREAK_WORDS, w, (size_t)n * sizeof(w[0]));
	gdnl_put_u32(msg, GODIAG_A_BREAK_STRLEN, o->strlen ? o->strlen :
		     GODIAG_BREAK_STRLEN_DEFAULT);
	gdnl_put_u32(msg, GODIAG_A_BREAK_SLICE_ELEMS, o->slice_elems);
	if (o->stack)
		gdnl_put_u8(msg, GODIAG_A_BREAK_STACK, o->stack);
	if (o->every > 1)
		gdnl_put_u32(msg, GODIAG_A_BREAK_EVERY, o->every);
	if (o->max_rate)
		gdnl_put_u32(msg, GODIAG_A_BREAK_MAX_RATE, o->max_rate);
	if (s->args_valid)
		gdnl_put_flag(msg, GODIAG_A_BREAK_AT_ENTRY);
	if (n && o->cond && !break_cond_parse(o->cond, &t->plans[bi], &k, err, sizeof(err)))
		gdnl_put_data(msg, GODIAG_A_BREAK_COND, &k, sizeof(k));
}

static int probe_id(const struct gdnl_reply *r, void *arg)
{
	if (r->tb[GODIAG_A_PROBE_ID])
		*(uint32_t *)arg = nla_get_u32(r->tb[GODIAG_A_PROBE_ID]);
	return 0;
}

static void run_add(struct capture *c, struct capture_break *bp, struct nl_msg *msg,
		    const struct bp_target *t, size_t bi, bool is_ret, int mem_err)
{
	struct bp_probe *p;
	uint32_t id = 0;
	int err = gdnl_exec(c->nl, msg, probe_id, &id);

	if (err)
		capture_pid_failed(c, t->pid, mem_err, err);
	bp->probes = xreallocarray(bp->probes, bp->nprobes + 1, sizeof(*bp->probes));
	p = &bp->probes[bp->nprobes++];
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->pid = t->pid;
	p->brk = (uint32_t)bi;
	p->is_ret = is_ret;
}

static void add_break(struct capture *c, struct capture_break *bp, const struct bp_target *t,
		      size_t bi, int mem, int mem_err)
{
	const struct gobin_break *plan = &t->plans[bi];
	struct nl_msg *msg;
	size_t i;

	for (i = 0; i < plan->nsites; i++) {
		const struct gobin_site *s = &plan->sites[i];

		msg = probe_msg(c, t, GODIAG_PROBE_BREAK, s->offset, s->func_offset, mem);
		if (s->jcc >= 0)
			gdnl_put_u8(msg, GODIAG_A_PROBE_JCC, (uint8_t)s->jcc);
		put_break_attrs(c, msg, t, bi, s);
		put_spec(msg, c->o->breaks[bi].spec);
		run_add(c, bp, msg, t, bi, false, mem_err);
	}
	for (i = 0; c->o->breaks[bi].latency && i < plan->nrets; i++) {
		msg = probe_msg(c, t, GODIAG_PROBE_BREAK_RET, plan->rets[i],
				plan->sites[0].func_offset, mem);
		put_spec(msg, c->o->breaks[bi].spec);
		run_add(c, bp, msg, t, bi, true, mem_err);
	}
}

static void bp_attach(struct capture *c, void *data, uint32_t pid)
{
	struct capture_break *bp = data;
	struct bp_target *t = bp_find(bp, pid);
	int mem, mem_err, r;
	size_t i;

	if (!t)
		return;
	r = gobin_process_bias(&t->bin, pid, t->exe, &t->bias);
	if (r)
		capture_die(c, EXIT_OPFAIL, "PID %u: cannot find %s in its mappings",
			    pid, t->bin.path);
	mem = capture_mem_open(pid, &mem_err);
	for (i = 0; i < c->o->nbreaks; i++)
		add_break(c, bp, t, i, mem, mem_err);
	if (mem >= 0)
		close(mem);
}

/* ---- records: remember the stack PCs and interface types to name ------ */

static void note_pc(struct bp_target *t, uint64_t pc)
{
	size_t i;

	/* Stacks repeat: a short look back keeps the list small. */
	for (i = t->npcs; i > 0 && i + 64 > t->npcs; i--)
		if (t->pcs[i - 1] == pc)
			return;
	if (t->npcs == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->pcs = xreallocarray(t->pcs, t->cap, sizeof(*t->pcs));
	}
	t->pcs[t->npcs++] = pc;
}

static void note_type(struct bp_target *t, uint64_t word)
{
	bool added;

	if (!word || t->ntypes == BP_TYPES_MAX)
		return;
	hmap_get(&t->type_map, word, 0, (uint32_t)t->ntypes, &added);
	if (!added)
		return;
	t->types = xreallocarray(t->types, t->ntypes + 1, sizeof(*t->types));
	t->types[t->ntypes++] = word;
}

/* The first word of each interface the record read: a *_type (or 0: nil). */
static void note_types(struct capture_break *bp, struct bp_target *t,
		       const struct godiag_rec_break *r)
{
	const uint64_t *words = (const uint64_t *)(r + 1);
	const struct gobin_break *plan = NULL;
	size_t i, w = 0;

	/* Hits come in runs of one probe: try the last one's first. */
	for (i = 0; i <= bp->nprobes && !plan; i++) {
		size_t k = i ? i - 1 : bp->last_probe;

		if (k < bp->nprobes && bp->probes[k].id == r->probe_id &&
		    bp->probes[k].pid == t->pid && !bp->probes[k].is_ret) {
			plan = &t->plans[bp->probes[k].brk];
			bp->last_probe = k;
		}
	}
	for (i = 0; plan && i < plan->nargs; w += plan->args[i++].nwords)
		if (plan->args[i].kind == GOBIN_ARG_IFACE && w < r->nwords && w < 32 &&
		    !((r->fault_mask >> w) & 1))
			note_type(t, words[w]);
}

static void bp_record(void *data, const struct godiag_rec *rec, size_t len)
{
	const struct godiag_rec_break *r = (const void *)rec;
	const uint64_t *pcs;
	struct bp_target *t;
	size_t i;

	if (rec->type != GODIAG_REC_BREAKPOINT || len < sizeof(*r) ||
	    len < sizeof(*r) + 8 * ((size_t)r->nwords + r->nstack))
		return;
	t = bp_find(data, rec->tgid);
	if (!t)
		return;
	pcs = (const uint64_t *)(r + 1) + r->nwords;
	for (i = 0; i < r->nstack; i++)
		note_pc(t, pcs[i]);
	if (t->has_iface && !r->is_ret && r->nwords)
		note_types(data, t, r);
}

/* ---- write: the BREAKS section ---------------------------------------- */

static int counters(const struct gdnl_reply *r, void *arg)
{
	static const int attrs[6] = {
		GODIAG_A_PROBE_PASSES, GODIAG_A_PROBE_FILTERED, GODIAG_A_PROBE_SAMPLED_OUT,
		GODIAG_A_PROBE_RATE_LIMITED, GODIAG_A_PROBE_HITS, GODIAG_A_PROBE_FAULTS,
	};
	struct capture_break *bp = arg;
	uint32_t id;
	size_t i, j;

	if (!r->tb[GODIAG_A_PROBE_ID])
		return 0;
	id = nla_get_u32(r->tb[GODIAG_A_PROBE_ID]);
	for (i = 0; i < bp->nprobes; i++) {
		if (bp->probes[i].id != id)
			continue;
		for (j = 0; j < 6; j++)
			if (r->tb[attrs[j]])
				bp->probes[i].c[j] = nla_get_u64(r->tb[attrs[j]]);
	}
	return 0;
}

/* A field of a tab-separated line: no tab, no newline. */
static void field(FILE *f, const char *s)
{
	fputc('\t', f);
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' ? ' ' : *s, f);
}

static const char *const kind_names[] = {
	[GOBIN_ARG_INT] = "int", [GOBIN_ARG_UINT] = "uint", [GOBIN_ARG_BOOL] = "bool",
	[GOBIN_ARG_FLOAT] = "float", [GOBIN_ARG_PTR] = "ptr", [GOBIN_ARG_STRING] = "string",
	[GOBIN_ARG_SLICE] = "slice", [GOBIN_ARG_IFACE] = "iface",
};

/*
 * B index pid sites rets inlined_unprobed spec function; then per
 * argument A index pid word kind size name type, and for a slice whose
 * first elements are copied its element's kind and size.
 */
static void write_plan(FILE *f, const struct bp_target *t, size_t bi, uint32_t slice_elems)
{
	const struct gobin_break *p = &t->plans[bi];
	size_t i, w = 0, copies = 0;

	fprintf(f, "B\t%zu\t%u\t%zu\t%zu\t%zu", bi, t->pid, p->nsites, p->nrets,
		p->inlined_unprobed);
	field(f, p->spec);
	field(f, p->function);
	fputc('\n', f);
	for (i = 0; i < p->nargs; i++) {
		fprintf(f, "A\t%zu\t%u\t%zu\t%s\t%u", bi, t->pid, w, kind_names[p->args[i].kind],
			p->args[i].size);
		field(f, p->args[i].name);
		field(f, p->args[i].type);
		copies += p->args[i].kind == GOBIN_ARG_STRING;
		if (copies_elems(&p->args[i], slice_elems) &&
		    copies++ < GODIAG_BREAK_STRINGS_MAX)
			fprintf(f, "\t%s\t%u", kind_names[p->args[i].elem_kind],
				p->args[i].elem_size);
		fputc('\n', f);
		w += p->args[i].nwords;
	}
}

static void write_syms(FILE *f, const struct bp_target *t)
{
	const char *func, *file;
	uint32_t line;
	size_t i;

	for (i = 0; i < t->npcs; i++) {
		gobin_pc_source(&t->bin, t->pcs[i] - t->bias, &func, &file, &line);
		if (!func)
			continue;
		fprintf(f, "S\t%u\t%" PRIx64, t->pid, t->pcs[i]);
		field(f, func);
		field(f, file);
		fprintf(f, "\t%u\n", line);
	}
}

/*
 * The interfaces' dynamic types by name, read from the binary the target
 * ran (its /proc/PID/exe, opened at the start) at the load bias. One not
 * in the binary (made by reflect at run time) is named by its address in
 * the process.
 */
static void write_types(FILE *f, const struct bp_target *t)
{
	char name[256];
	size_t i;

	for (i = 0; i < t->ntypes; i++) {
		if (gobin_type_name(&t->bin, t->types[i] - t->bias, name, sizeof(name)))
			snprintf(name, sizeof(name), "(type at 0x%" PRIx64 ")", t->types[i]);
		fprintf(f, "T\t%u\t%" PRIx64, t->pid, t->types[i]);
		field(f, name);
		fputc('\n', f);
	}
}

static void bp_write(struct capture *c, void *data)
{
	struct capture_break *bp = data;
	char *text = NULL;
	size_t len = 0, i, j;
	FILE *f;

	if (!c->session_gone)
		gdnl_dump(c->nl, GODIAG_CMD_PROBE_GET, c->session, counters, NULL, bp);
	f = open_memstream(&text, &len);
	if (!f)
		capture_die(c, EXIT_OPFAIL, "out of memory");
	for (i = 0; i < bp->n; i++) {
		for (j = 0; j < c->o->nbreaks; j++)
			write_plan(f, &bp->v[i], j, c->o->breaks[j].slice_elems);
		write_syms(f, &bp->v[i]);
		write_types(f, &bp->v[i]);
	}
	for (i = 0; i < bp->nprobes; i++) {
		const struct bp_probe *p = &bp->probes[i];

		fprintf(f, "P\t%u\t%u\t%u\t%s", p->brk, p->pid, p->id, p->is_ret ? "ret" : "entry");
		for (j = 0; j < 6; j++)
			fprintf(f, "\t%" PRIu64, p->c[j]);
		fputc('\n', f);
	}
	if (fclose(f))
		capture_die(c, EXIT_OPFAIL, "out of memory");
	capw_section(&c->w, CAPFILE_SEC_BREAKS, 0, text, len);
	free(text);
}

int capture_break_of_probe(const void *data, uint32_t id)
{
	const struct capture_break *bp = data;
	size_t i;

	for (i = 0; bp && i < bp->nprobes; i++)
		if (bp->probes[i].id == id && !bp->probes[i].is_ret)
			return (int)bp->probes[i].brk;
	return -1;
}

static void bp_free(void *data)
{
	struct capture_break *bp = data;
	size_t i;

	for (i = 0; i < bp->n; i++) {
		gobin_close(&bp->v[i].bin);
		free(bp->v[i].plans);
		free(bp->v[i].pcs);
		free(bp->v[i].types);
		hmap_free(&bp->v[i].type_map);
	}
	free(bp->v);
	free(bp->probes);
}

size_t capture_break_probes(const struct capture *c, size_t bi, uint32_t *ids, size_t max)
{
	const struct capture_break *bp = NULL;
	size_t i, n = 0;

	for (i = 0; i < c->nsrcs; i++)
		if (c->srcs[i].ops == &capture_break_source)
			bp = c->srcs[i].data;
	for (i = 0; bp && i < bp->nprobes && n < max; i++)
		if (bp->probes[i].brk == bi && !bp->probes[i].is_ret)
			ids[n++] = bp->probes[i].id;
	return n;
}

const struct capture_source capture_break_source = {
	.name = "breakpoints",
	.data_size = sizeof(struct capture_break),
	.wanted = bp_wanted,
	.inspect = bp_inspect,
	.attach = bp_attach,
	.record = bp_record,
	.write = bp_write,
	.free = bp_free,
};
