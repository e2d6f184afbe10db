// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl top without a module: the live goroutine model (model/live.c)
 * seeded from a synthetic read of a process and fed synthetic records out
 * of order, and the screens cmd/top_view.c draws from it, row by row, on
 * an 80x24 terminal, a smaller one, and as plain text.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/top.h"
#include "gobin/goruntime.h"
#include "model/live.h"
#include "test.h"

#define S	1000000000ULL
#define PID	4242

static const char *start_name(void *arg, uint32_t pid, uint64_t pc, bool *system)
{
	(void)arg;
	*system = pc == 0x3000;
	if (pid != PID)
		return NULL;
	switch (pc) {
	case 0x1000:
		return "main.(*Server).handle";
	case 0x2000:
		return "main.main.func2";
	case 0x3000:
		return "runtime.gcBgMarkWorker";
	}
	return NULL;
}

static const char *reason_name(void *arg, uint32_t pid, uint32_t reason)
{
	(void)arg;
	(void)pid;
	switch (reason) {
	case 2:
		return "chan receive";
	case 7:
		return "sync.Mutex.Lock";
	case 9:
		return "select";
	}
	return NULL;
}

/* The read: main in a select, three workers, a mutex waiter, the runtime's sweeper. */
static void seed(struct live *l)
{
	static struct gr_goroutine g[] = {
		{ .id = 1, .status = GORT_G_WAITING, .reason = "select", .start = "main.main" },
		{ .id = 5, .status = GORT_G_WAITING, .reason = "chan receive",
		  .start = "main.(*worker).receive" },
		{ .id = 6, .status = GORT_G_WAITING, .reason = "chan receive",
		  .start = "main.(*worker).receive", .wait_known = true, .wait_ns = 90 * S },
		{ .id = 7, .status = GORT_G_WAITING, .reason = "chan receive",
		  .start = "main.(*worker).receive" },
		{ .id = 8, .status = GORT_G_RUNNABLE, .start = "main.(*worker).receive" },
		{ .id = 9, .status = GORT_G_SYSCALL, .start = "os/signal.loop" },
		{ .id = 3, .status = GORT_G_WAITING, .reason = "GC sweep wait",
		  .start = "runtime.bgsweep", .system = true },
	};
	struct gr_dump d;

	memset(&d, 0, sizeof(d));
	d.pid = PID;
	d.g = g;
	d.n = sizeof(g) / sizeof(g[0]);
	live_seed(l, &d, 100 * S);
}

static void rec(struct live *l, uint16_t type, uint64_t ts, uint64_t goid, uint64_t prev,
		uint64_t start_pc, uint32_t reason)
{
	struct godiag_rec_go r;

	memset(&r, 0, sizeof(r));
	r.hdr.type = type;
	r.hdr.size = sizeof(r);
	r.hdr.tgid = PID;
	r.hdr.tid = PID;
	r.hdr.ts_ns = ts;
	r.hdr.goid = prev;
	r.goid = goid;
	r.start_pc = start_pc;
	r.reason = reason;
	live_record(l, &r.hdr, sizeof(r));
}

/*
 * After the read at 100 s, as two CPUs' records come (each CPU's in
 * order, the two interleaved): a handler created at 101 s parks on a
 * mutex at 102 s; worker 8 runs at 101.5 s (replacing nothing) and
 * parks on its channel at 103 s; worker 7 is readied at 104 s and runs,
 * replacing 8's thread's nothing; a closure created at 104.5 s exits;
 * a mark worker starts and parks; one record older than the read, one
 * with goid 0, and a late one for 8 after its park.
 */
static void feed(struct live *l)
{
	/* CPU 1 */
	rec(l, GODIAG_REC_GO_START, 101500000000ULL, 8, 0, 0, 0);
	rec(l, GODIAG_REC_GO_PARK, 103 * S, 8, 8, 0, 2);
	rec(l, GODIAG_REC_GO_CREATE, 104500000000ULL, 12, 1, 0x2000, 0);
	rec(l, GODIAG_REC_GO_EXIT, 105 * S, 12, 12, 0, 0);
	/* CPU 0 */
	rec(l, GODIAG_REC_GO_READY, 99 * S, 5, 0, 0, 0);	/* before the read */
	rec(l, GODIAG_REC_GO_CREATE, 101 * S, 11, 1, 0x1000, 0);
	rec(l, GODIAG_REC_GO_START, 101200000000ULL, 11, 0, 0, 0);
	rec(l, GODIAG_REC_GO_PARK, 102 * S, 11, 11, 0, 7);
	rec(l, GODIAG_REC_GO_READY, 104 * S, 7, 11, 0, 0);
	rec(l, GODIAG_REC_GO_CREATE, 104100000000ULL, 13, 0, 0x3000, 0);
	rec(l, GODIAG_REC_GO_PARK, 104200000000ULL, 13, 13, 0, 9);
	rec(l, GODIAG_REC_GO_START, 104300000000ULL, 7, 0, 0, 0);
	rec(l, GODIAG_REC_GO_READY, 103 * S, 0, 0, 0, 0);	/* goid 0 */
	live_fold(l);
	/* A batch later: CPU 1's record of 8 from before its park. */
	rec(l, GODIAG_REC_GO_READY, 102500000000ULL, 8, 0, 0, 0);
	live_fold(l);
	live_compact(l);
}

static struct top_sc sc[] = {
	{ .nr = 0, .count = 5000, .delta = 250, .total_ns = 2 * S, .p50_ns = 16383,
	  .p99_ns = 1048575, .max_ns = 3 * S / 2 },			/* read */
	{ .nr = 1, .count = 12000, .delta = 1200, .total_ns = S / 4, .p50_ns = 4095,
	  .p99_ns = 65535, .max_ns = 900000 },				/* write */
	{ .nr = 232, .count = 800, .delta = 10, .total_ns = 95 * S, .p50_ns = 134217727,
	  .p99_ns = 1073741823, .max_ns = 2 * S },			/* epoll_wait */
	{ .nr = 202, .count = 3000, .delta = 100, .total_ns = 40 * S, .p50_ns = 1023,
	  .p99_ns = 268435455, .max_ns = 7 * S },			/* futex */
	{ .nr = 121, .count = 1000, .delta = 0, .total_ns = 3000000, .p50_ns = 2047,
	  .p99_ns = 4095, .max_ns = 5000 },				/* getpgid */
};

static const struct top_break breaks[] = {
	{ .spec = "main.(*Server).handle", .hits = 1500, .delta = 75 },
};

static char *render(const struct top_view *v, unsigned int w, unsigned int h)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	top_render(f, v, w, h);
	fclose(f);
	return buf;
}

static void view_of(struct top_view *v, struct live *l, struct top_blocked **b,
		    struct live_count **r)
{
	memset(v, 0, sizeof(*v));
	v->pid = PID;
	v->comm = "server";
	v->go_version = "go1.26.8";
	v->elapsed_ns = 7 * S;
	v->interval_ns = 2 * S;
	v->sc = sc;
	v->nsc = sizeof(sc) / sizeof(sc[0]);
	v->records = 14;
	v->lost = 0;
	v->stale = l->stale;
	top_view_live(v, l, 106 * S, b, r);
	top_sort_view(v);
}

int main(void)
{
	struct live l;
	struct top_view v;
	struct top_blocked *blocked = NULL;
	struct live_count *reasons = NULL;
	uint64_t counts[LIVE_STATES], system;
	char *out;
	int i;

	memset(&l, 0, sizeof(l));
	l.start_name = start_name;
	l.reason_name = reason_name;

	test_begin("live: the read");
	seed(&l);
	live_count(&l, counts, &system);
	CHECK_U64(counts[LIVE_RUNNING], 1);
	CHECK_U64(counts[LIVE_RUNNABLE], 1);
	CHECK_U64(counts[LIVE_BLOCKED], 4);
	CHECK_U64(system, 1);
	test_end();

	test_begin("live: records folded in time order");
	feed(&l);
	live_count(&l, counts, &system);
	/* running: 9 (syscall), 7; runnable: none; blocked: 1, 5, 6, 8, 11 */
	CHECK_U64(counts[LIVE_RUNNING], 2);
	CHECK_U64(counts[LIVE_RUNNABLE], 0);
	CHECK_U64(counts[LIVE_BLOCKED], 5);
	CHECK_U64(system, 2);
	CHECK_U64(l.created, 3);
	CHECK_U64(l.exited, 1);
	CHECK_U64(l.skipped, 1);
	/* before the read, and 8's READY after its PARK */
	CHECK_U64(l.stale, 2);
	CHECK_U64(l.n, 9);
	test_end();

	view_of(&v, &l, &blocked, &reasons);

	test_begin("top: 80x24");
	out = render(&v, 80, 24);
	CHECK_STR(out,
		  "PID 4242 (server) go1.26.8  up 7.00 s  sort rate  (q quit, s sort)\n"
		  "goroutines 7: 2 running, 0 runnable, 5 blocked; 2 of the runtime's not shown\n"
		  "\n"
		  "WAIT REASON                              GOROUTINES\n"
		  "chan receive                                      3\n"
		  "select                                            1\n"
		  "sync.Mutex.Lock                                   1\n"
		  "\n"
		  "SYSCALL              COUNT    RATE/s      ~P50      ~P99       MAX     TOTAL\n"
		  "write                12000     600.0   4.10 us   65.5 us    900 us    250 ms\n"
		  "read                  5000     125.0   16.4 us   1.05 ms    1.50 s    2.00 s\n"
		  "futex                 3000      50.0   1.02 us    268 ms    7.00 s    40.0 s\n"
		  "epoll_wait             800       5.0    134 ms    1.07 s    2.00 s     1m35s\n"
		  "getpgid               1000       0.0   2.05 us   4.10 us   5.00 us   3.00 ms\n"
		  "\n"
		  "GOROUTINE START                          BLOCKED ON                      FOR\n"
		  "6         main.(*worker).receive         chan receive                  1m36s\n"
		  "1         main.main                      select                      >6.00 s\n"
		  "5         main.(*worker).receive         chan receive                >6.00 s\n"
		  "11        main.(*Server).handle          sync.Mutex.Lock              4.00 s\n"
		  "8         main.(*worker).receive         chan receive                 3.00 s\n"
		  "records 14, lost 0, too late 2, goroutines read again 0\n");
	free(out);
	test_end();

	test_begin("top: s cycles the order");
	for (i = 0; i < 4; i++) {
		static const uint32_t first[] = { 1, 232, 232, 202 };

		v.sort = (enum top_sort)((v.sort + 1) % TOP_SORTS);
		top_sort_view(&v);
		CHECK_U64(v.sc[0].nr, first[i]);
	}
	v.sort = (enum top_sort)((v.sort + 1) % TOP_SORTS);
	CHECK_STR(top_sort_name(v.sort), "rate");
	top_sort_view(&v);
	CHECK_U64(v.sc[0].nr, 1);
	CHECK(top_sort_parse("p99") == TOP_SORT_P99);
	CHECK(top_sort_parse("latency") == -1);
	test_end();

	test_begin("top: 60x14 with a breakpoint, tables share the lines");
	v.breaks = breaks;
	v.nbreaks = 1;
	v.sort = TOP_SORT_MAX;
	top_sort_view(&v);
	out = render(&v, 60, 14);
	CHECK_STR(out,
		  "PID 4242 (server) go1.26.8  up 7.00 s  sort max  (q quit, s\n"
		  "goroutines 7: 2 running, 0 runnable, 5 blocked; 2 of the run\n"
		  "\n"
		  "WAIT REASON                              GOROUTINES\n"
		  "chan receive                                      3\n"
		  "\n"
		  "SYSCALL              COUNT    RATE/s      ~P50      ~P99\n"
		  "futex                 3000      50.0   1.02 us    268 ms\n"
		  "\n"
		  "GOROUTINE START                          BLOCKED ON\n"
		  "6         main.(*worker).receive         chan receive\n"
		  "\n"
		  "BREAKPOINT                                             HITS\n"
		  "records 14, lost 0, too late 2, goroutines read again 0\n");
	free(out);
	test_end();

	test_begin("top: plain text, every row up to the cap");
	v.exited = true;
	v.sort = TOP_SORT_COUNT;
	top_sort_view(&v);
	out = render(&v, 0, 0);
	CHECK_STR(out,
		  "PID 4242 (server) go1.26.8  up 7.00 s  sort count  EXITED\n"
		  "goroutines 7: 2 running, 0 runnable, 5 blocked; 2 of the runtime's not shown\n"
		  "\n"
		  "WAIT REASON                              GOROUTINES\n"
		  "chan receive                                      3\n"
		  "select                                            1\n"
		  "sync.Mutex.Lock                                   1\n"
		  "\n"
		  "SYSCALL              COUNT    RATE/s      ~P50      ~P99       MAX     TOTAL\n"
		  "write                12000     600.0   4.10 us   65.5 us    900 us    250 ms\n"
		  "read                  5000     125.0   16.4 us   1.05 ms    1.50 s    2.00 s\n"
		  "futex                 3000      50.0   1.02 us    268 ms    7.00 s    40.0 s\n"
		  "getpgid               1000       0.0   2.05 us   4.10 us   5.00 us   3.00 ms\n"
		  "epoll_wait             800       5.0    134 ms    1.07 s    2.00 s     1m35s\n"
		  "\n"
		  "GOROUTINE START                          BLOCKED ON                      FOR\n"
		  "6         main.(*worker).receive         chan receive                  1m36s\n"
		  "1         main.main                      select                      >6.00 s\n"
		  "5         main.(*worker).receive         chan receive                >6.00 s\n"
		  "11        main.(*Server).handle          sync.Mutex.Lock              4.00 s\n"
		  "8         main.(*worker).receive         chan receive                 3.00 s\n"
		  "\n"
		  "BREAKPOINT                                             HITS    RATE/s\n"
		  "main.(*Server).handle                                  1500      37.5\n"
		  "records 14, lost 0, too late 2, goroutines read again 0\n");
	free(out);
	test_end();

	free(blocked);
	free(reasons);
	live_free(&l);
	return test_summary();
}
