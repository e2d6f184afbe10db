// SPDX-License-Identifier: GPL-2.0
/*
 * The --gc part of 'godiagctl report' (cmd/report.h): GC cycles,
 * stop-the-world pauses and the heap curve, text and JSON from one walk
 * of model/gcstats.h with base/print.h.
 */
#include <inttypes.h>
#include <stdio.h>

#include "base/print.h"
#include "base/util.h"
#include "cmd/report.h"
#include "model/gcstats.h"

static void dur(struct printer *p, const char *key, const char *fmt, uint64_t ns)
{
	print_duration(p, PRINT_ANY, key, fmt, ns);
}

/* A runtime figure: its value, or "-" and null when it was not read. */
static void fig(struct printer *p, const char *key, const char *fmt, uint32_t known,
		const int64_t *v, enum gc_fig f)
{
	if (known >> f & 1) {
		print_s64(p, PRINT_ANY, key, fmt, v[f]);
		return;
	}
	print_null(p, PRINT_JSON, key);
	print_string(p, PRINT_FP, key, " %s", "-");
}

static void walk_summary(struct printer *p, const struct gcstats *g)
{
	uint64_t ppm = g->wall_ns ? g->stw_ns * 1000000 / g->wall_ns : 0;
	char share[32];

	print_label(p, "gc");
	print_u64(p, PRINT_ANY, "cycles", "%" PRIu64 " cycles", g->ncycles);
	print_u64(p, PRINT_ANY, "completed", " (%" PRIu64 " ended)", g->completed);
	print_u64(p, PRINT_ANY, "pauses", ", %" PRIu64 " stop-the-world pauses", g->npauses);
	dur(p, "stw_ns", ", %s stopped", g->stw_ns);
	snprintf(share, sizeof(share), "%" PRIu64 ".%04" PRIu64 "%%", ppm / 10000, ppm % 10000);
	print_string(p, PRINT_FP, "stw_ppm", " (%s", share);
	print_u64(p, PRINT_JSON, "stw_ppm", NULL, ppm);
	dur(p, "wall_ns", " of %s)", g->wall_ns);
	print_u64(p, PRINT_ANY, "unpaired", ", %" PRIu64 " unpaired", g->unpaired);
	print_string(p, PRINT_ANY, "classified_by", ", classified by %s",
		     g->by_reason ? "reason" : g->by_phase ? "phase" : "nothing");
	print_fp(p, "\n");
	print_label(p, "  pauses");
	print_object_begin(p, "pause");
	dur(p, "p50_ns", "p50 %s", g->p50_ns);
	dur(p, "p99_ns", ", p99 %s", g->p99_ns);
	dur(p, "max_ns", ", max %s", g->max_ns);
	print_object_end(p);
	print_object_begin(p, "gc_pause");
	dur(p, "p50_ns", "; the GC's: p50 %s", g->gc_p50_ns);
	dur(p, "p99_ns", ", p99 %s", g->gc_p99_ns);
	dur(p, "max_ns", ", max %s", g->gc_max_ns);
	print_object_end(p);
	print_fp(p, "\n");
}

static void walk_reasons(struct printer *p, const struct gcstats *g)
{
	size_t i;

	print_array_begin(p, "reasons");
	for (i = 0; i < g->nreasons; i++) {
		const struct gc_reason *r = &g->reasons[i];

		print_object_begin(p, NULL);
		print_label(p, "  reason");
		print_string(p, PRINT_ANY, "reason", "%s:", r->reason);
		print_u64(p, PRINT_ANY, "count", " %" PRIu64, r->count);
		dur(p, "total_ns", ", total %s", r->total_ns);
		dur(p, "max_ns", ", max %s", r->max_ns);
		print_fp(p, "\n");
		print_object_end(p);
	}
	print_array_end(p);
}

static void walk_cycles(struct printer *p, const struct gcstats *g)
{
	size_t i;

	print_array_begin(p, "list");
	for (i = 0; i < g->ncycles; i++) {
		const struct gc_cycle *c = &g->cycles[i];

		print_object_begin(p, NULL);
		print_label(p, "  cycle");
		print_u64(p, PRINT_ANY, "pid", "pid %" PRIu64, c->pid);
		dur(p, "start_ns", " at %s", c->start - g->t0);
		if (c->end)
			dur(p, "duration_ns", ", lasted %s", c->end - c->start);
		else
			print_null(p, PRINT_JSON, "duration_ns");
		dur(p, "pause_ns", ", paused %s", c->pause_ns);
		fig(p, "numgc", ", numgc %" PRId64, c->known_start, c->at_start, GC_NUMGC);
		fig(p, "heap_live_start", ", heap live %" PRId64, c->known_start, c->at_start,
		    GC_HEAP_LIVE);
		fig(p, "heap_live_end", " -> %" PRId64, c->known_end, c->at_end, GC_HEAP_LIVE);
		fig(p, "heap_goal", ", goal %" PRId64, c->known_end, c->at_end, GC_HEAP_GOAL);
		fig(p, "gogc", ", GOGC %" PRId64, c->known_start, c->at_start, GC_GOGC);
		fig(p, "memlimit", ", GOMEMLIMIT %" PRId64, c->known_start, c->at_start,
		    GC_MEMLIMIT);
		print_fp(p, "\n");
		print_object_end(p);
	}
	print_array_end(p);
}

/* The heap curve: every hit's figures (the text has them per cycle). */
static void json_heap(struct printer *p, const struct gcstats *g)
{
	size_t i;

	print_array_begin_to(p, PRINT_JSON, "heap");
	for (i = 0; i < g->npoints; i++) {
		const struct gc_point *pt = &g->points[i];

		if (!(pt->known >> GC_HEAP_LIVE & 1))
			continue;
		print_object_begin_to(p, PRINT_JSON, NULL);
		print_u64(p, PRINT_JSON, "t_ns", NULL, pt->ts - g->t0);
		print_u64(p, PRINT_JSON, "pid", NULL, pt->pid);
		print_string(p, PRINT_JSON, "at", NULL, pt->stop ? "stop" : "start");
		print_s64(p, PRINT_JSON, "heap_live", NULL, pt->v[GC_HEAP_LIVE]);
		if (pt->known >> GC_HEAP_GOAL & 1)
			print_s64(p, PRINT_JSON, "heap_goal", NULL, pt->v[GC_HEAP_GOAL]);
		else
			print_null(p, PRINT_JSON, "heap_goal");
		print_object_end_to(p, PRINT_JSON);
	}
	print_array_end_to(p, PRINT_JSON);
}

void gcreport_walk(struct printer *p, const struct gcstats *g)
{
	if (!g->present)
		return;
	print_object_begin(p, "gc");
	walk_summary(p, g);
	walk_reasons(p, g);
	walk_cycles(p, g);
	json_heap(p, g);
	print_object_end(p);
}
