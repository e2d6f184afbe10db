// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the runtime figures of a live Go process (rtstats.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model/rtstats.h"

/* Reads of the GC figures that a GC ending in between makes over. */
#define TRIES		5
/* Believable: no machine has more; a runtime with more is not read right. */
#define PROCS_MAX	(1U << 20)
#define HEAP_MAX	(1ULL << 52)
/* 2009-11-10, Go's first release: no GC ended before. */
#define GO_EPOCH_NS	1257811200000000000ULL
/* The heap goal is worked out as these versions' heapGoal() does. */
#define GOAL_MINOR_MIN	19
#define GOAL_MINOR_MAX	27
/* The memory limit's headroom became a share (3 %, at least 1 MiB) in go1.21. */
#define HEADROOM_PCT_MINOR	21

static const char *const figure_names[RS_FIGURES] = {
	[RS_NUMGC] = "gc.cycles",
	[RS_NUMFORCEDGC] = "gc.forced",
	[RS_LAST_GC_UNIX] = "gc.last_unix_ns",
	[RS_LAST_PAUSE] = "gc.last_pause_ns",
	[RS_PAUSE_TOTAL] = "gc.pause_total_ns",
	[RS_HEAP_INUSE] = "heap.inuse_bytes",
	[RS_HEAP_LIVE] = "heap.live_bytes",
	[RS_HEAP_GOAL] = "heap.goal_bytes",
	[RS_GOGC] = "gogc",
	[RS_GOMEMLIMIT] = "gomemlimit_bytes",
	[RS_GOMAXPROCS] = "gomaxprocs",
	[RS_THREADS] = "threads",
};

const char *rs_figure_name(enum rs_figure f)
{
	return f < RS_FIGURES ? figure_names[f] : "?";
}

/* What one pass over the facts read: the value of each, or why not. */
struct pass {
	bool ok[GOST_FACTS];
	uint64_t v[GOST_FACTS];
	char why[GOST_FACTS][240];
	uint64_t last_pause;
	bool pause_ok;
};

__attribute__((format(printf, 2, 3)))
static void unknown(struct rs_value *f, const char *fmt, ...)
{
	va_list ap;

	f->known = false;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
}

static void known(struct rs_value *f, uint64_t v)
{
	f->known = true;
	f->v = v;
	f->why[0] = '\0';
}

static bool peek_at(const struct rs_reader *r, uint64_t linkaddr, uint32_t size, uint64_t *v)
{
	uint32_t v32;

	if (size == 4) {
		if (!gr_peek(&r->d, linkaddr + r->d.bias, &v32, 4))
			return false;
		*v = v32;
		return true;
	}
	return size == 8 && gr_peek(&r->d, linkaddr + r->d.bias, v, 8);
}

static void read_fact(const struct rs_reader *r, struct pass *p, enum gost_id id)
{
	const struct gost_fact *f = &r->st.f[id];

	p->ok[id] = false;
	if (!f->known) {
		snprintf(p->why[id], sizeof(p->why[id]), "%s: %s", f->name, f->why);
		return;
	}
	if (id == GOST_PAUSE_NS)
		return;		/* an array: one element is read, below */
	if (!peek_at(r, f->addr, f->size, &p->v[id])) {
		snprintf(p->why[id], sizeof(p->why[id]), "cannot read %s", f->name);
		return;
	}
	p->ok[id] = true;
}

/* The pause of the last GC: pause_ns[(numgc + 255) % 256], as ReadMemStats. */
static void read_pause(const struct rs_reader *r, struct pass *p)
{
	const struct gost_fact *f = &r->st.f[GOST_PAUSE_NS];

	p->pause_ok = false;
	if (!f->known) {
		snprintf(p->why[GOST_PAUSE_NS], sizeof(p->why[0]), "%s: %s", f->name, f->why);
		return;
	}
	if (!p->ok[GOST_NUMGC]) {
		snprintf(p->why[GOST_PAUSE_NS], sizeof(p->why[0]), "%s", p->why[GOST_NUMGC]);
		return;
	}
	if (!peek_at(r, f->addr + 8 * ((p->v[GOST_NUMGC] + 255) % 256), 8, &p->last_pause)) {
		snprintf(p->why[GOST_PAUSE_NS], sizeof(p->why[0]), "cannot read %s", f->name);
		return;
	}
	p->pause_ok = true;
}

/* Whether the heap accounting adds up as memoryLimitHeapGoal() waits for. */
static bool heap_adds_up(const struct pass *p)
{
	return p->v[GOST_TOTAL_FREE] <= p->v[GOST_TOTAL_ALLOC] &&
	       p->v[GOST_HEAP_FREE] + (p->v[GOST_TOTAL_ALLOC] - p->v[GOST_TOTAL_FREE]) <=
	       p->v[GOST_MAPPED_READY];
}

/*
 * Every fact, between two reads of numgc: true when no GC ended in
 * between (or numgc cannot be read at all) and the heap adds up.
 */
static bool one_pass(const struct rs_reader *r, struct pass *p)
{
	uint64_t again;
	int i;

	for (i = 0; i < GOST_FACTS; i++)
		read_fact(r, p, (enum gost_id)i);
	read_pause(r, p);
	if (!p->ok[GOST_NUMGC])
		return true;
	if (!peek_at(r, r->st.f[GOST_NUMGC].addr, 4, &again) || again != p->v[GOST_NUMGC])
		return false;
	return !(p->ok[GOST_TOTAL_ALLOC] && p->ok[GOST_TOTAL_FREE] && p->ok[GOST_HEAP_FREE] &&
		 p->ok[GOST_MAPPED_READY]) || heap_adds_up(p);
}

/* A figure that is one fact: known, or the fact's reason. */
static bool from_fact(struct rs_value *out, const struct pass *p, enum gost_id id)
{
	if (!p->ok[id]) {
		unknown(out, "%s", p->why[id]);
		return false;
	}
	known(out, p->v[id]);
	return true;
}

/* The first of the facts that is missing, as the figure's reason. */
static bool need(struct rs_value *out, const struct pass *p, const enum gost_id *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!p->ok[ids[i]]) {
			unknown(out, "%s", p->why[ids[i]]);
			return false;
		}
	return true;
}

/* memoryLimitHeapGoal() of mgcpacer.go. */
static uint64_t limit_goal(const struct gobin *b, const struct pass *p)
{
	uint64_t heap_free = p->v[GOST_HEAP_FREE], mapped = p->v[GOST_MAPPED_READY];
	uint64_t alloc = p->v[GOST_TOTAL_ALLOC] - p->v[GOST_TOTAL_FREE];
	uint64_t limit = p->v[GOST_MEMORY_LIMIT], marked = p->v[GOST_HEAP_MARKED];
	uint64_t nonheap = mapped - heap_free - alloc, overage = 0, goal, headroom;

	if (mapped > limit)
		overage = mapped - limit;
	if (nonheap + overage >= limit)
		return marked;
	goal = limit - (nonheap + overage);
	headroom = 1 << 20;
	if (b->go_minor >= HEADROOM_PCT_MINOR && goal / 100 * 3 > headroom)
		headroom = goal / 100 * 3;
	if (goal < headroom || goal - headroom < headroom)
		goal = headroom;
	else
		goal -= headroom;
	return goal < marked ? marked : goal;
}

/* heapGoalInternal() of mgcpacer.go, go1.19 to go1.27. */
static void heap_goal(const struct gobin *b, const struct pass *p, struct rs_value *out)
{
	static const enum gost_id ids[] = {
		GOST_PCT_HEAP_GOAL, GOST_MEMORY_LIMIT, GOST_HEAP_MARKED, GOST_HEAP_FREE,
		GOST_TOTAL_ALLOC, GOST_TOTAL_FREE, GOST_MAPPED_READY, GOST_SWEEP_TRIGGER,
		GOST_TRIGGERED,
	};
	uint64_t goal, lg;

	if (b->go_major != 1 || b->go_minor < GOAL_MINOR_MIN || b->go_minor > GOAL_MINOR_MAX) {
		unknown(out, "the heap goal is worked out as go1.%d to go1.%d do, not %s",
			GOAL_MINOR_MIN, GOAL_MINOR_MAX, b->go_version);
		return;
	}
	if (!need(out, p, ids, sizeof(ids) / sizeof(ids[0])))
		return;
	if ((int64_t)p->v[GOST_MEMORY_LIMIT] < 0 || !heap_adds_up(p)) {
		unknown(out, "the heap accounting did not add up while it was read");
		return;
	}
	goal = p->v[GOST_PCT_HEAP_GOAL];
	lg = limit_goal(b, p);
	if (lg < goal) {
		goal = lg;
	} else {
		if (p->v[GOST_SWEEP_TRIGGER] > goal)
			goal = p->v[GOST_SWEEP_TRIGGER];
		if (p->v[GOST_TRIGGERED] != UINT64_MAX && goal < p->v[GOST_TRIGGERED] + (64 << 10))
			goal = p->v[GOST_TRIGGERED] + (64 << 10);
	}
	known(out, goal);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Figures that are not believable are unknown: never a wrong number. */
static void believe(struct rs_sample *s)
{
	struct rs_value *f = s->fig;
	uint64_t now = s->time_unix_ns;

	if (f[RS_GOGC].known && (int64_t)f[RS_GOGC].v < -1)
		unknown(&f[RS_GOGC], "gcController.gcPercent reads %lld: not believable",
			(long long)(int64_t)f[RS_GOGC].v);
	if (f[RS_GOMEMLIMIT].known && (int64_t)f[RS_GOMEMLIMIT].v < 0)
		unknown(&f[RS_GOMEMLIMIT], "gcController.memoryLimit reads %lld: not believable",
			(long long)(int64_t)f[RS_GOMEMLIMIT].v);
	if (f[RS_GOMAXPROCS].known && (!f[RS_GOMAXPROCS].v || f[RS_GOMAXPROCS].v > PROCS_MAX))
		unknown(&f[RS_GOMAXPROCS], "runtime.gomaxprocs reads %llu: not believable",
			(unsigned long long)f[RS_GOMAXPROCS].v);
	if (f[RS_THREADS].known && (!f[RS_THREADS].v || f[RS_THREADS].v > PROCS_MAX))
		unknown(&f[RS_THREADS], "sched.mnext - sched.nmfreed is %lld: not believable",
			(long long)(int64_t)f[RS_THREADS].v);
	if (f[RS_LAST_GC_UNIX].known && f[RS_LAST_GC_UNIX].v &&
	    (f[RS_LAST_GC_UNIX].v < GO_EPOCH_NS || f[RS_LAST_GC_UNIX].v > now + 60000000000ULL))
		unknown(&f[RS_LAST_GC_UNIX], "memstats.last_gc_unix reads %llu: not believable",
			(unsigned long long)f[RS_LAST_GC_UNIX].v);
	if (f[RS_NUMFORCEDGC].known && f[RS_NUMGC].known && f[RS_NUMFORCEDGC].v > f[RS_NUMGC].v)
		unknown(&f[RS_NUMFORCEDGC], "memstats.numforcedgc is above memstats.numgc");
	if (f[RS_LAST_PAUSE].known && f[RS_PAUSE_TOTAL].known &&
	    f[RS_LAST_PAUSE].v > f[RS_PAUSE_TOTAL].v)
		unknown(&f[RS_LAST_PAUSE], "the last pause is longer than all of them");
	if (f[RS_HEAP_INUSE].known && f[RS_HEAP_INUSE].v > HEAP_MAX)
		unknown(&f[RS_HEAP_INUSE], "gcController.heapInUse is not believable");
	if (f[RS_HEAP_LIVE].known && f[RS_HEAP_LIVE].v > HEAP_MAX)
		unknown(&f[RS_HEAP_LIVE], "gcController.heapMarked is not believable");
}

static void figures(const struct rs_reader *r, const struct pass *p, struct rs_sample *s)
{
	struct rs_value *f = s->fig;

	from_fact(&f[RS_NUMGC], p, GOST_NUMGC);
	from_fact(&f[RS_NUMFORCEDGC], p, GOST_NUMFORCEDGC);
	from_fact(&f[RS_LAST_GC_UNIX], p, GOST_LAST_GC_UNIX);
	from_fact(&f[RS_PAUSE_TOTAL], p, GOST_PAUSE_TOTAL);
	if (!p->pause_ok)
		unknown(&f[RS_LAST_PAUSE], "%s", p->why[GOST_PAUSE_NS]);
	else
		known(&f[RS_LAST_PAUSE], p->ok[GOST_NUMGC] && !p->v[GOST_NUMGC] ? 0 : p->last_pause);
	from_fact(&f[RS_HEAP_INUSE], p, GOST_HEAP_INUSE);
	from_fact(&f[RS_HEAP_LIVE], p, GOST_HEAP_MARKED);
	heap_goal(&r->d.bin, p, &f[RS_HEAP_GOAL]);
	if (from_fact(&f[RS_GOGC], p, GOST_GC_PERCENT))
		f[RS_GOGC].v = (uint64_t)(int64_t)(int32_t)(uint32_t)f[RS_GOGC].v;
	from_fact(&f[RS_GOMEMLIMIT], p, GOST_MEMORY_LIMIT);
	from_fact(&f[RS_GOMAXPROCS], p, GOST_GOMAXPROCS);
	if (p->ok[GOST_MNEXT] && p->ok[GOST_NMFREED])
		known(&f[RS_THREADS], p->v[GOST_MNEXT] - p->v[GOST_NMFREED]);
	else
		unknown(&f[RS_THREADS], "%s", p->why[p->ok[GOST_MNEXT] ? GOST_NMFREED : GOST_MNEXT]);
}

static void count_goroutines(const struct gr_dump *d, struct rs_sample *s)
{
	size_t i;

	s->total = d->total;
	s->skipped = d->skipped;
	s->changed = d->changed;
	for (i = 0; i < d->n; i++) {
		const struct gr_goroutine *g = &d->g[i];

		if (g->status < GORT_G_STATES)
			s->state[g->status]++;
		if (g->system)
			s->system++;
		else
			s->user++;
	}
}

enum gr_error rs_open(pid_t pid, struct rs_reader *r, char *err, size_t errlen)
{
	enum gr_error e;

	memset(r, 0, sizeof(*r));
	e = gr_attach(pid, &r->d, err, errlen);
	if (e == GR_OK)
		gobin_stats_setup(&r->d.bin, &r->st);
	return e;
}

enum gr_error rs_read(struct rs_reader *r, struct rs_sample *s, char *err, size_t errlen)
{
	const struct gr_filter all = { .state = -1, .system = true, .no_stacks = true };
	struct pass p;
	enum gr_error e;
	int tries;

	memset(s, 0, sizeof(*s));
	s->time_unix_ns = realtime_ns();
	e = gr_walk(&r->d, &all, err, errlen);
	if (e != GR_OK) {
		if (gr_gone(r->d.pid)) {
			snprintf(err, errlen, "process %d exited", (int)r->d.pid);
			return GR_ENOPROC;
		}
		return e;
	}
	count_goroutines(&r->d, s);
	for (tries = 0; tries < TRIES; tries++) {
		memset(&p, 0, sizeof(p));
		if (one_pass(r, &p))
			break;
	}
	figures(r, &p, s);
	if (tries == TRIES) {
		enum rs_figure i;

		for (i = 0; i < RS_FIGURES; i++)
			if (i != RS_GOMAXPROCS && i != RS_THREADS && i != RS_GOGC &&
			    i != RS_GOMEMLIMIT)
				unknown(&s->fig[i], "a GC ended during each of %d reads", TRIES);
	}
	believe(s);
	if (!s->fig[RS_GOMAXPROCS].known && gr_gone(r->d.pid)) {
		snprintf(err, errlen, "process %d exited", (int)r->d.pid);
		return GR_ENOPROC;
	}
	return GR_OK;
}

void rs_close(struct rs_reader *r)
{
	gr_free(&r->d);
}
