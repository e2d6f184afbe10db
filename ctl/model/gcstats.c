// SPDX-License-Identifier: GPL-2.0
/*
 * GC cycles and stop-the-world pauses (gcstats.h): pair each stop with
 * the next start of its process, classify, aggregate.
 */
#include <stdlib.h>
#include <string.h>

#include "base/percentile.h"
#include "base/util.h"
#include "model/gcstats.h"

/*
 * runtime.stwReasonStrings: the same 17 names, in this order, in Go 1.21
 * (where stwReason came in) to 1.27; a later Go appends.
 */
static const char *const stw_reasons[] = {
	"unknown", "GC mark termination", "GC sweep termination", "write heap dump",
	"goroutine profile", "goroutine profile cleanup", "all goroutines stack trace",
	"read mem stats", "AllThreadsSyscall", "GOMAXPROCS", "start trace", "stop trace",
	"CountPagesInUse (test)", "ReadMetricsSlow (test)", "ReadMemStatsSlow (test)",
	"PageCachePagesLeaked (test)", "ResetDebugLog (test)",
};
enum { STW_MARK_TERM = 1, STW_SWEEP_TERM = 2 };
enum { GCOFF = 0, GCMARK = 1 };	/* runtime.gcphase */

static const char *const fig_names[GC_FIGS] = {
	[GC_REASON] = "gc.reason", [GC_PHASE] = "gc.phase", [GC_NUMGC] = "gc.numgc",
	[GC_HEAP_LIVE] = "gc.heap_live", [GC_HEAP_GOAL] = "gc.heap_goal",
	[GC_GOGC] = "gc.gogc", [GC_MEMLIMIT] = "gc.memlimit",
};

const char *gc_reason_name(uint64_t reason)
{
	return reason < ARRAY_SIZE(stw_reasons) ? stw_reasons[reason] : NULL;
}

int gc_fig_of(const char *arg_name)
{
	int i;

	for (i = 0; i < GC_FIGS; i++)
		if (!strcmp(arg_name, fig_names[i]))
			return i;
	return -1;
}

void gc_add_point(struct gcstats *g, const struct gc_point *pt)
{
	g->present = true;
	if (g->npoints == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->points = xreallocarray(g->points, g->cap, sizeof(*g->points));
	}
	g->points[g->npoints++] = *pt;
}

static int cmp_point(const void *a, const void *b)
{
	const struct gc_point *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (int)y->stop - (int)x->stop;	/* the same ns: the stop first */
}

static bool has(const struct gc_point *p, enum gc_fig f)
{
	return p->known >> f & 1;
}

static const char *const kind_names[] = {
	[GC_P_UNKNOWN] = "unknown", [GC_P_SWEEP_TERM] = "GC sweep termination",
	[GC_P_MARK_TERM] = "GC mark termination", [GC_P_OTHER] = "other",
};

/* By the reason the runtime passed, else by the GC phase around it. */
static void classify(struct gcstats *g, const struct gc_point *s, const struct gc_point *e,
		     struct gc_pause *p)
{
	if (has(s, GC_REASON)) {
		uint64_t r = (uint64_t)s->v[GC_REASON];

		g->by_reason = true;
		p->kind = r == STW_SWEEP_TERM ? GC_P_SWEEP_TERM :
			  r == STW_MARK_TERM ? GC_P_MARK_TERM : GC_P_OTHER;
		p->reason = gc_reason_name(r) ? gc_reason_name(r) : "(a later Go's reason)";
		return;
	}
	if (has(s, GC_PHASE) && has(e, GC_PHASE)) {
		g->by_phase = true;
		if (s->v[GC_PHASE] == GCOFF && e->v[GC_PHASE] == GCMARK)
			p->kind = GC_P_SWEEP_TERM;
		else if (s->v[GC_PHASE] == GCMARK && e->v[GC_PHASE] == GCOFF)
			p->kind = GC_P_MARK_TERM;
		else
			p->kind = GC_P_OTHER;
	} else {
		p->kind = GC_P_UNKNOWN;
	}
	p->reason = kind_names[p->kind];
}

static void copy_figs(const struct gc_point *pt, uint32_t *known, int64_t *v)
{
	*known = pt->known;
	memcpy(v, pt->v, sizeof(pt->v));
}

/* The cycle of pid still waiting for its mark termination, or NULL. */
static struct gc_cycle *open_cycle(struct gcstats *g, uint32_t pid)
{
	size_t i;

	for (i = g->ncycles; i > 0; i--)
		if (g->cycles[i - 1].pid == pid)
			return g->cycles[i - 1].end ? NULL : &g->cycles[i - 1];
	return NULL;
}

static void to_cycle(struct gcstats *g, const struct gc_pause *p, const struct gc_point *s,
		     const struct gc_point *e)
{
	struct gc_cycle *c;

	if (p->kind == GC_P_SWEEP_TERM) {
		g->cycles = xreallocarray(g->cycles, g->ncycles + 1, sizeof(*g->cycles));
		c = &g->cycles[g->ncycles++];
		memset(c, 0, sizeof(*c));
		c->pid = p->pid;
		c->start = p->begin;
		c->pause_ns = p->end - p->begin;
		copy_figs(s, &c->known_start, c->at_start);
		return;
	}
	if (p->kind != GC_P_MARK_TERM)
		return;
	c = open_cycle(g, p->pid);
	if (!c)
		return;		/* its sweep termination came before the capture */
	c->pause_ns += p->end - p->begin;
	c->mark_term = p->begin;
	/*
	 * A mark termination that found more work restarts the world in the
	 * mark phase (gcMarkDone): the cycle ends at the one that turns it off.
	 */
	if (has(e, GC_PHASE) && e->v[GC_PHASE] != GCOFF)
		return;
	c->end = p->end;
	copy_figs(e, &c->known_end, c->at_end);
	g->completed++;
}

static void add_reason(struct gcstats *g, const struct gc_pause *p)
{
	uint64_t d = p->end - p->begin;
	size_t i;

	for (i = 0; i < g->nreasons && strcmp(g->reasons[i].reason, p->reason); i++)
		;
	if (i == g->nreasons) {
		g->reasons = xreallocarray(g->reasons, g->nreasons + 1, sizeof(*g->reasons));
		memset(&g->reasons[g->nreasons++], 0, sizeof(*g->reasons));
		g->reasons[i].reason = p->reason;
	}
	g->reasons[i].count++;
	g->reasons[i].total_ns += d;
	if (d > g->reasons[i].max_ns)
		g->reasons[i].max_ns = d;
}

static int cmp_reason(const void *a, const void *b)
{
	const struct gc_reason *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return strcmp(x->reason, y->reason);
}

/* The stop of pid waiting for its start, by index + 1 (0: none). */
static size_t *pending_of(size_t **pend, uint32_t **pids, size_t *n, uint32_t pid)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*pids)[i] == pid)
			return &(*pend)[i];
	*pend = xreallocarray(*pend, *n + 1, sizeof(**pend));
	*pids = xreallocarray(*pids, *n + 1, sizeof(**pids));
	(*pids)[*n] = pid;
	(*pend)[*n] = 0;
	return &(*pend)[(*n)++];
}

static void pair(struct gcstats *g)
{
	size_t *pend = NULL, npend = 0, i, *w;
	uint32_t *pids = NULL;

	g->pauses = xcalloc(g->npoints + 1, sizeof(*g->pauses));
	for (i = 0; i < g->npoints; i++) {
		const struct gc_point *pt = &g->points[i];
		struct gc_pause *p;

		w = pending_of(&pend, &pids, &npend, pt->pid);
		if (pt->stop) {
			g->unpaired += *w != 0;
			*w = i + 1;
			continue;
		}
		if (!*w) {
			g->unpaired++;	/* stopped before the capture */
			continue;
		}
		p = &g->pauses[g->npauses++];
		p->begin = g->points[*w - 1].ts;
		p->end = pt->ts;
		p->pid = pt->pid;
		classify(g, &g->points[*w - 1], pt, p);
		to_cycle(g, p, &g->points[*w - 1], pt);
		add_reason(g, p);
		*w = 0;
	}
	for (i = 0; i < npend; i++)
		g->unpaired += pend[i] != 0;	/* still stopped at the end */
	free(pend);
	free(pids);
}

static void percentiles(struct gcstats *g)
{
	uint64_t *all = xcalloc(g->npauses + 1, sizeof(*all));
	uint64_t *gc = xcalloc(g->npauses + 1, sizeof(*gc));
	size_t i, ngc = 0;

	for (i = 0; i < g->npauses; i++) {
		const struct gc_pause *p = &g->pauses[i];

		all[i] = p->end - p->begin;
		g->stw_ns += all[i];
		if (p->kind == GC_P_SWEEP_TERM || p->kind == GC_P_MARK_TERM)
			gc[ngc++] = all[i];
	}
	if (g->npauses) {
		pct_sort(all, g->npauses);
		g->p50_ns = pct_nearest_rank(all, g->npauses, 50);
		g->p99_ns = pct_nearest_rank(all, g->npauses, 99);
		g->max_ns = all[g->npauses - 1];
	}
	if (ngc) {
		pct_sort(gc, ngc);
		g->gc_p50_ns = pct_nearest_rank(gc, ngc, 50);
		g->gc_p99_ns = pct_nearest_rank(gc, ngc, 99);
		g->gc_max_ns = gc[ngc - 1];
	}
	free(all);
	free(gc);
}

void gc_finish(struct gcstats *g, uint64_t start_mono, uint64_t wall_ns)
{
	if (!g->present)
		return;
	if (g->npoints > 1)
		qsort(g->points, g->npoints, sizeof(*g->points), cmp_point);
	g->wall_ns = wall_ns;
	g->t0 = start_mono ? start_mono : (g->npoints ? g->points[0].ts : 0);
	pair(g);
	percentiles(g);
	if (g->nreasons > 1)
		qsort(g->reasons, g->nreasons, sizeof(*g->reasons), cmp_reason);
}

void gc_free(struct gcstats *g)
{
	free(g->points);
	free(g->pauses);
	free(g->cycles);
	free(g->reasons);
	memset(g, 0, sizeof(*g));
}
