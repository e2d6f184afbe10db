// SPDX-License-Identifier: GPL-2.0
/*
 * capture --gc's model (ctl/model/gcstats.c): stops paired with starts per
 * process, pauses classified by reason or by the GC phase around them,
 * cycles from sweep termination to the end of mark termination.
 */
#include <string.h>

#include "model/gcstats.h"
#include "test.h"

enum { STW_MARK = 1, STW_SWEEP = 2, STW_MEMSTATS = 7 };

static void point(struct gcstats *g, uint64_t ts, uint32_t pid, bool stop, int reason,
		  int phase, int64_t live)
{
	struct gc_point pt = { .ts = ts, .pid = pid, .stop = stop };

	if (reason >= 0) {
		pt.v[GC_REASON] = reason;
		pt.known |= 1U << GC_REASON;
	}
	if (phase >= 0) {
		pt.v[GC_PHASE] = phase;
		pt.known |= 1U << GC_PHASE;
	}
	if (live >= 0) {
		pt.v[GC_HEAP_LIVE] = live;
		pt.known |= 1U << GC_HEAP_LIVE;
	}
	gc_add_point(g, &pt);
}

/* Go 1.21 on: a cycle, a ReadMemStats, out of order as CPUs deliver them. */
static void test_by_reason(void)
{
	struct gcstats g = { 0 };

	test_begin("gcstats: by reason");
	point(&g, 1300, 7, true, STW_MARK, 1, 3000);
	point(&g, 1000, 7, true, STW_SWEEP, 0, 1000);
	point(&g, 1100, 7, false, -1, 1, 1100);
	point(&g, 1400, 7, false, -1, 0, 500);
	point(&g, 2000, 7, true, STW_MEMSTATS, 0, 600);
	point(&g, 2050, 7, false, -1, 0, 600);
	gc_finish(&g, 0, 10000);
	CHECK_U64(g.npauses, 3);
	CHECK_U64(g.ncycles, 1);
	CHECK_U64(g.completed, 1);
	CHECK_U64(g.unpaired, 0);
	CHECK(g.by_reason);
	CHECK_U64(g.cycles[0].pause_ns, 200);
	CHECK_U64(g.cycles[0].end - g.cycles[0].start, 400);
	CHECK_U64((uint64_t)g.cycles[0].at_start[GC_HEAP_LIVE], 1000);
	CHECK_U64((uint64_t)g.cycles[0].at_end[GC_HEAP_LIVE], 500);
	CHECK_U64(g.stw_ns, 250);
	CHECK_U64(g.max_ns, 100);
	CHECK_U64(g.gc_p50_ns, 100);
	CHECK_U64(g.p50_ns, 100);
	CHECK(!strcmp(g.pauses[2].reason, "read mem stats"));
	CHECK_U64(g.nreasons, 3);
	gc_free(&g);
	test_end();
}

/*
 * Go 1.19: no reason, the phase tells; a restarted mark termination (the
 * phase stays mark) does not end the cycle; two processes interleave; a
 * start without its stop, a stop without its start.
 */
static void test_by_phase(void)
{
	struct gcstats g = { 0 };

	test_begin("gcstats: by phase, two processes");
	point(&g, 50, 8, false, -1, 0, -1);	/* stopped before the capture */
	point(&g, 100, 7, true, -1, 0, -1);
	point(&g, 110, 8, true, -1, 0, -1);
	point(&g, 120, 7, false, -1, 1, -1);	/* 7: sweep termination */
	point(&g, 130, 8, false, -1, 0, -1);	/* 8: another stop */
	point(&g, 200, 7, true, -1, 1, -1);
	point(&g, 210, 7, false, -1, 1, -1);	/* restarted: other */
	point(&g, 300, 7, true, -1, 1, -1);
	point(&g, 330, 7, false, -1, 0, -1);	/* mark termination: ends */
	point(&g, 400, 8, true, -1, 0, -1);	/* never started again */
	gc_finish(&g, 0, 1000);
	CHECK(g.by_phase && !g.by_reason);
	CHECK_U64(g.npauses, 4);
	CHECK_U64(g.ncycles, 1);
	CHECK_U64(g.completed, 1);
	CHECK_U64(g.cycles[0].pid, 7);
	CHECK_U64(g.cycles[0].pause_ns, 20 + 30);
	CHECK_U64(g.unpaired, 2);
	gc_free(&g);
	test_end();
}

/* A stripped Go 1.19: neither reason nor phase: timed, not classified. */
static void test_unknown(void)
{
	struct gcstats g = { 0 };

	test_begin("gcstats: nothing to classify by");
	point(&g, 100, 7, true, -1, -1, -1);
	point(&g, 150, 7, false, -1, -1, -1);
	gc_finish(&g, 0, 1000);
	CHECK_U64(g.npauses, 1);
	CHECK_U64(g.ncycles, 0);
	CHECK(!g.by_phase && !g.by_reason);
	CHECK(!strcmp(g.pauses[0].reason, "unknown"));
	CHECK_U64(g.stw_ns, 50);
	gc_free(&g);
	test_end();
}

int main(void)
{
	test_by_reason();
	test_by_phase();
	test_unknown();
	return test_summary();
}
