// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl export --format gotrace: a capture as a Go execution trace
 * (gotrace.h), in the format Go 1.22 introduced, as Go 1.26 writes it.
 *
 * The format, as this file writes it: the header "go 1.26 trace\0\0\0",
 * then generations, each a set of batches and an end-of-generation byte.
 * A batch is EvEventBatch, then uvarints generation, thread (M), base
 * timestamp and size, then size bytes: events of one M (a type byte, a
 * uvarint time delta from the event before, uvarint arguments), or a
 * string table, a stack table, or the sync batch (the frequency and a
 * clock snapshot). Strings and stacks are numbered per generation; the
 * scheduler's state (which goroutine runs on which M, which P an M holds,
 * each goroutine's and P's status and sequence number) carries over, but
 * every generation states again, with ProcStatus and GoStatus events, the
 * status of each P and goroutine before its first event in it. The
 * reader checks every event against that state: a goroutine starts only
 * when runnable, on an M that holds a P and no goroutine; it blocks,
 * stops, exits or makes a syscall only while it runs there.
 *
 * What the capture gives: the goroutine model's changes of state
 * (model/goreport.h, on_change), in time order, and the SYSCALL records.
 * Threads are the trace's Ms (thread id = M id). The capture does not
 * know Go's Ps, so each thread gets a P of its own, running while the
 * thread is seen (P ids count threads in order of appearance). Where the
 * capture and the trace's rules disagree (a lost record: a goroutine that
 * parks without having been seen to start, two goroutines on one thread)
 * the trace gets the events it needs at that instant (counted as fixups);
 * a goroutine that existed before the capture is declared runnable (or
 * waiting, when it is first readied) at the start and started where the
 * capture first sees it run. Every generation covers GEN_NS of the
 * capture.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/hmap.h"
#include "base/pbuf.h"
#include "base/util.h"
#include "cmd/gotrace.h"

/* Event types of the format (internal/trace/tracev2 of Go 1.26). */
enum {
	EV_EVENT_BATCH = 1,
	EV_STACKS = 2,
	EV_STACK = 3,
	EV_STRINGS = 4,
	EV_STRING = 5,
	EV_FREQUENCY = 8,
	EV_PROC_STATUS = 13,
	EV_GO_CREATE = 14,
	EV_GO_START = 16,
	EV_GO_DESTROY = 17,
	EV_GO_STOP = 19,
	EV_GO_BLOCK = 20,
	EV_GO_UNBLOCK = 21,
	EV_GO_SYSCALL_BEGIN = 22,
	EV_GO_SYSCALL_END = 23,
	EV_GO_STATUS = 25,
	EV_SYNC = 50,
	EV_CLOCK_SNAPSHOT = 51,
	EV_END_OF_GENERATION = 52,
};

/* GoStatus and ProcStatus values of the format. */
enum { GS_RUNNABLE = 1, GS_RUNNING = 2, GS_SYSCALL = 3, GS_WAITING = 4 };
enum { PS_RUNNING = 1, PS_SYSCALL = 3 };

#define TRACE_HEADER	"go 1.26 trace\0\0\0"
#define BATCH_MAX	(60U << 10)	/* the reader takes 64 KiB */
#define STRING_MAX	1024U		/* the reader's longest string */
#define GEN_NS		1000000000ULL	/* a generation per second of capture */
#define NONE		UINT32_MAX

/* A goroutine's state in the trace. */
enum gt_state { TS_UNKNOWN, TS_RUNNABLE, TS_RUNNING, TS_SYSCALL, TS_WAITING, TS_DEAD };

struct gt_g {
	uint64_t goid;
	uint32_t pid;
	bool created;		/* its GO_CREATE is in the capture */
	bool seen;		/* an event of the trace named it */
	uint8_t st;		/* enum gt_state */
	uint32_t m;		/* running or in a syscall: index in ms */
	uint64_t seq;		/* its sequence number in generation gen */
	uint64_t gen;		/* the generation its status was given in */
	uint64_t pc, start_pc;	/* the go statement, the function */
};

struct gt_m {
	uint32_t tid;
	uint32_t g;		/* the goroutine it runs, NONE */
	bool syscall;		/* g is in a syscall: so is the M's P */
	uint64_t pseq;		/* its P's sequence number */
	uint64_t gen;		/* the generation it said its P's status in */
	struct pbuf buf;	/* the batch being written */
	uint64_t batch_ts, last_ts;
};

enum act_kind { A_SYS_END, A_CHANGE, A_SYS_BEGIN, A_SYS_END_LATE };

/* One thing that happened: a change of the model or a syscall's edge. */
struct act {
	uint64_t ts;
	uint64_t n;		/* order of arrival */
	uint32_t g;		/* index in gs */
	uint32_t tid;
	uint32_t reason;	/* PARK */
	uint8_t kind;		/* enum act_kind: the order at one time */
	uint8_t why;		/* A_CHANGE: GODIAG_REC_GO_* */
	uint8_t from, to;	/* A_CHANGE: enum go_state */
	bool replaced;
};

struct gt_stack {
	uint64_t pc;
	uint64_t func, file, line;	/* string ids */
};

struct gotrace {
	const struct report *r;
	struct gt_g *gs;
	size_t ngs;
	struct hmap g_map;	/* (goid, pid) -> gs */
	struct act *acts;
	size_t nacts, acts_cap;
	struct gt_m *ms;
	size_t nms;
	struct hmap m_map;	/* (tid, 0) -> ms */
	uint32_t pid;
	uint64_t base;		/* CLOCK_MONOTONIC of trace time 1 */
	/* The generation being written. */
	uint64_t gen, gen_start;
	const char **strs;	/* by id - 1 */
	size_t nstrs;
	struct hmap str_map;	/* (pointer, 0) -> id */
	struct gt_stack *stacks;	/* by id - 1 */
	size_t nstacks;
	struct hmap stack_map;	/* (pc, kind) -> id */
	char **owned;		/* names made here */
	size_t nowned;
	struct pbuf out;
	struct gotrace_stats st;
};

/* ------------------------------------------------------------------ */
/* Collecting                                                          */
/* ------------------------------------------------------------------ */

static uint32_t g_of(struct gotrace *gt, uint32_t pid, uint64_t goid)
{
	bool added;
	uint32_t *i = hmap_get(&gt->g_map, goid, pid, (uint32_t)gt->ngs, &added);

	if (added) {
		struct gt_g *g;

		gt->gs = xreallocarray(gt->gs, gt->ngs + 1, sizeof(*gt->gs));
		g = &gt->gs[gt->ngs++];
		memset(g, 0, sizeof(*g));
		g->goid = goid;
		g->pid = pid;
		g->m = NONE;
	}
	return *i;
}

static struct act *add_act(struct gotrace *gt, uint8_t kind, uint64_t ts, uint32_t g,
			   uint32_t tid)
{
	struct act *a;

	if (gt->nacts == gt->acts_cap) {
		gt->acts_cap = gt->acts_cap ? gt->acts_cap * 2 : 1024;
		gt->acts = xreallocarray(gt->acts, gt->acts_cap, sizeof(*gt->acts));
	}
	a = &gt->acts[gt->nacts];
	memset(a, 0, sizeof(*a));
	a->n = gt->nacts++;
	a->kind = kind;
	a->ts = ts;
	a->g = g;
	a->tid = tid;
	return a;
}

/* goreport's on_change: one change, in time order. */
static void on_change(void *arg, const struct go_row *row, uint8_t from,
		      const struct go_ev *e, bool replaced)
{
	struct gotrace *gt = arg;
	uint32_t gi = g_of(gt, row->pid, row->goid);
	struct act *a = add_act(gt, A_CHANGE, e->ts, gi, e->tid);

	a->why = e->type;
	a->from = from;
	a->to = row->state;
	a->replaced = replaced;
	a->reason = e->x;
	if (!replaced && e->type == GODIAG_REC_GO_CREATE) {
		gt->gs[gi].created = true;
		gt->gs[gi].pc = row->pc;
		gt->gs[gi].start_pc = row->start_pc;
	}
}

/* The syscalls of the goroutines of gt->pid: their entry and their exit. */
static void add_syscalls(struct gotrace *gt, const struct report *r)
{
	size_t i;

	for (i = 0; i < r->recs.n; i++) {
		const struct godiag_rec *rec = recseq_get(&r->recs, i);
		const struct godiag_rec_syscall *s = (const void *)rec;
		uint64_t enter;
		uint32_t gi;

		if (rec->type != GODIAG_REC_SYSCALL || rec->tgid != gt->pid)
			continue;
		if (!rec->goid) {
			gt->st.syscalls_dropped++;
			continue;
		}
		gi = g_of(gt, rec->tgid, rec->goid);
		enter = s->enter_ns < rec->ts_ns ? s->enter_ns : rec->ts_ns;
		add_act(gt, A_SYS_BEGIN, enter, gi, rec->tid);
		add_act(gt, enter == rec->ts_ns ? A_SYS_END_LATE : A_SYS_END, rec->ts_ns, gi,
			rec->tid);
	}
}

/* By time; at one time a syscall ends first, begins last; else as they came. */
static int cmp_act(const void *a, const void *b)
{
	const struct act *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->n > y->n) - (x->n < y->n);
}

/* The process to export: pid, or the only one with goroutines. */
static int pick_pid(struct gotrace *gt, uint32_t pid, char *err, size_t errlen)
{
	uint32_t seen[4] = { 0 };
	size_t i, k, n = 0;

	for (i = 0; i < gt->ngs; i++) {
		for (k = 0; k < n && k < 4; k++)
			if (seen[k] == gt->gs[i].pid)
				break;
		if (k == n && n < 4)
			seen[n++] = gt->gs[i].pid;
		if (pid && gt->gs[i].pid == pid) {
			gt->pid = pid;
			return 0;
		}
	}
	if (pid) {
		snprintf(err, errlen, "no goroutine records of process %" PRIu32, pid);
		return -1;
	}
	if (n == 1) {
		gt->pid = seen[0];
		return 0;
	}
	if (!n)
		snprintf(err, errlen, "no goroutine records (a capture with --goroutines has them)");
	else
		snprintf(err, errlen, "goroutines of several processes (%" PRIu32 ", %" PRIu32
			 "%s): choose one with --pid", seen[0], seen[1], n > 2 ? ", ..." : "");
	return -1;
}

/* ------------------------------------------------------------------ */
/* Strings and stacks of the generation                                */
/* ------------------------------------------------------------------ */

/* The id of s (a string that lives as long as gt) in this generation. */
static uint64_t str_id(struct gotrace *gt, const char *s)
{
	bool added;
	uint32_t *i;

	if (!s || !s[0])
		return 0;
	i = hmap_get(&gt->str_map, (uint64_t)(uintptr_t)s, 0, (uint32_t)gt->nstrs + 1, &added);
	if (added) {
		gt->strs = xreallocarray(gt->strs, gt->nstrs + 1, sizeof(*gt->strs));
		gt->strs[gt->nstrs++] = s;
	}
	return *i;
}

static const char *keep_name(struct gotrace *gt, const char *name, const char *buf)
{
	if (name != buf)
		return name;
	gt->owned = xreallocarray(gt->owned, gt->nowned + 1, sizeof(*gt->owned));
	return gt->owned[gt->nowned++] = xstrdup(buf);
}

/*
 * A stack of one frame: where goroutine g starts (start) or the go
 * statement that created it; 0 (no stack) when the capture has no PC.
 */
static uint64_t stack_id(struct gotrace *gt, const struct gt_g *g, bool start)
{
	const struct goreport *gr = &gt->r->go;
	uint64_t pc = start ? g->start_pc : g->pc;
	const struct go_sym *sym;
	struct gt_stack *s;
	const char *name;
	uint32_t *i;
	char buf[32];
	bool added;

	if (!pc)
		return 0;
	i = hmap_get(&gt->stack_map, pc, start, (uint32_t)gt->nstacks + 1, &added);
	if (!added)
		return *i;
	name = start ? goreport_start_name(gr, g->pid, pc, buf, sizeof(buf)) :
		       goreport_func_name(gr, g->pid, pc, buf, sizeof(buf));
	sym = goreport_sym(gr, g->pid, pc);
	gt->stacks = xreallocarray(gt->stacks, gt->nstacks + 1, sizeof(*gt->stacks));
	s = &gt->stacks[gt->nstacks++];
	s->pc = pc;
	s->func = str_id(gt, keep_name(gt, name, buf));
	s->file = str_id(gt, sym ? sym->file : NULL);
	s->line = sym ? sym->line : 0;
	return *i;
}

/* ------------------------------------------------------------------ */
/* Batches                                                             */
/* ------------------------------------------------------------------ */

static void put_batch(struct gotrace *gt, uint64_t m, uint64_t ts, const struct pbuf *data)
{
	uint8_t type = EV_EVENT_BATCH;

	pbuf_bytes(&gt->out, &type, 1);
	pbuf_varint(&gt->out, gt->gen);
	pbuf_varint(&gt->out, m);
	pbuf_varint(&gt->out, ts);
	pbuf_varint(&gt->out, data->len);
	pbuf_bytes(&gt->out, data->p, data->len);
}

static void flush_m(struct gotrace *gt, struct gt_m *m)
{
	if (!m->buf.len)
		return;
	put_batch(gt, m->tid, m->batch_ts, &m->buf);
	m->buf.len = 0;
	gt->st.batches++;
}

/* Trace time: nanoseconds since base, from 1. */
static uint64_t trace_ts(const struct gotrace *gt, uint64_t ts)
{
	return ts > gt->base ? ts - gt->base + 1 : 1;
}

/* An event on m at ts (never before m's last one), without any check. */
static void put_event(struct gotrace *gt, struct gt_m *m, uint8_t type, uint64_t ts,
		      const uint64_t *args, size_t n)
{
	size_t i;

	ts = trace_ts(gt, ts);
	if (ts < m->last_ts)
		ts = m->last_ts;
	if (m->buf.len >= BATCH_MAX)
		flush_m(gt, m);
	if (!m->buf.len)
		m->batch_ts = m->last_ts = ts;
	pbuf_bytes(&m->buf, &type, 1);
	pbuf_varint(&m->buf, ts - m->last_ts);
	for (i = 0; i < n; i++)
		pbuf_varint(&m->buf, args[i]);
	m->last_ts = ts;
}

#define PUT(gt, m, type, ts, ...) \
	put_event(gt, m, type, ts, (const uint64_t[]){ __VA_ARGS__ }, \
		  sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))
#define PUT0(gt, m, type, ts)	put_event(gt, m, type, ts, NULL, 0)

static struct gt_m *m_of(struct gotrace *gt, uint32_t tid)
{
	bool added;
	uint32_t *i = hmap_get(&gt->m_map, tid, 0, (uint32_t)gt->nms, &added);

	if (added) {
		struct gt_m *m;

		gt->ms = xreallocarray(gt->ms, gt->nms + 1, sizeof(*gt->ms));
		m = &gt->ms[gt->nms++];
		memset(m, 0, sizeof(*m));
		m->tid = tid;
		m->g = NONE;
		gt->st.threads++;
	}
	return &gt->ms[*i];
}

static uint32_t p_of(const struct gotrace *gt, const struct gt_m *m)
{
	return (uint32_t)(m - gt->ms);
}

/*
 * The first event of m in this generation: its P's status, and that of
 * the goroutine it runs (whose status is bound to the M).
 */
static void m_touch(struct gotrace *gt, struct gt_m *m, uint64_t ts)
{
	struct gt_g *g;

	if (m->gen == gt->gen)
		return;
	m->gen = gt->gen;
	m->pseq = 0;
	PUT(gt, m, EV_PROC_STATUS, ts, p_of(gt, m), m->syscall ? PS_SYSCALL : PS_RUNNING);
	if (m->g == NONE)
		return;
	g = &gt->gs[m->g];
	PUT(gt, m, EV_GO_STATUS, ts, g->goid, m->tid,
	    g->st == TS_SYSCALL ? GS_SYSCALL : GS_RUNNING);
	g->gen = gt->gen;
	g->seq = 0;
}

/* An event of m: after the statuses of this generation. */
static void ev(struct gotrace *gt, struct gt_m *m, uint8_t type, uint64_t ts,
	       const uint64_t *args, size_t n)
{
	m_touch(gt, m, ts);
	put_event(gt, m, type, ts, args, n);
}

#define EV(gt, m, type, ts, ...) \
	ev(gt, m, type, ts, (const uint64_t[]){ __VA_ARGS__ }, \
	   sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))
#define EV0(gt, m, type, ts)	ev(gt, m, type, ts, NULL, 0)

/* Goroutine g's status in this generation, said on m before g's first event. */
static void g_touch(struct gotrace *gt, struct gt_g *g, struct gt_m *m, uint64_t ts)
{
	if (g->gen == gt->gen)
		return;
	if (g->st == TS_RUNNING || g->st == TS_SYSCALL) {
		m_touch(gt, &gt->ms[g->m], ts);
		return;
	}
	m_touch(gt, m, ts);
	PUT(gt, m, EV_GO_STATUS, ts, g->goid, 0, g->st == TS_WAITING ? GS_WAITING : GS_RUNNABLE);
	g->gen = gt->gen;
	g->seq = 0;
}

static uint32_t g_index(const struct gotrace *gt, const struct gt_g *g)
{
	return (uint32_t)(g - gt->gs);
}

/* A syscall of g that its own exit did not end (a fixup): it ends at ts. */
static void sys_cut(struct gotrace *gt, struct gt_g *g, uint64_t ts)
{
	struct gt_m *m;

	if (g->st != TS_SYSCALL)
		return;
	m = &gt->ms[g->m];
	EV0(gt, m, EV_GO_SYSCALL_END, ts);
	g->st = TS_RUNNING;
	m->syscall = false;
	gt->st.fixups++;
}

/* Running goroutine g stops where it runs and is runnable. */
static void go_stop(struct gotrace *gt, struct gt_g *g, uint64_t ts)
{
	struct gt_m *m;

	sys_cut(gt, g, ts);
	if (g->st != TS_RUNNING)
		return;
	m = &gt->ms[g->m];
	EV(gt, m, EV_GO_STOP, ts, str_id(gt, "unspecified"), stack_id(gt, g, true));
	g->st = TS_RUNNABLE;
	g->m = NONE;
	m->g = NONE;
}

/* Waiting goroutine g is made runnable, on m. */
static void go_unblock(struct gotrace *gt, struct gt_g *g, struct gt_m *m, uint64_t ts)
{
	g_touch(gt, g, m, ts);
	EV(gt, m, EV_GO_UNBLOCK, ts, g->goid, ++g->seq, 0);
	g->st = TS_RUNNABLE;
}

/* g runs on m from ts (whatever it did before). */
static void go_start(struct gotrace *gt, struct gt_g *g, struct gt_m *m, uint64_t ts)
{
	g_touch(gt, g, m, ts);
	if ((g->st == TS_RUNNING || g->st == TS_SYSCALL) && &gt->ms[g->m] == m)
		return;
	/* It moved: so does a goroutine whose syscall lost its P. */
	if (g->st == TS_RUNNING || g->st == TS_SYSCALL)
		go_stop(gt, g, ts);
	if (g->st == TS_WAITING)
		go_unblock(gt, g, m, ts);
	if (m->g != NONE) {
		gt->st.fixups++;
		go_stop(gt, &gt->gs[m->g], ts);
	}
	EV(gt, m, EV_GO_START, ts, g->goid, ++g->seq);
	g->st = TS_RUNNING;
	g->m = (uint32_t)(m - gt->ms);
	m->g = g_index(gt, g);
}

/*
 * g must run on m for what happens at ts: started there when it does not
 * (a fixup, but for a goroutine the capture has not seen yet).
 */
static void go_ensure(struct gotrace *gt, struct gt_g *g, struct gt_m *m, uint64_t ts)
{
	if ((g->st == TS_RUNNING || g->st == TS_SYSCALL) && &gt->ms[g->m] == m)
		return;
	if (g->seen)
		gt->st.fixups++;
	go_start(gt, g, m, ts);
}

static void on_block(struct gotrace *gt, struct gt_g *g, struct gt_m *m, const struct act *a)
{
	const struct goreport *gr = &gt->r->go;
	const char *name, *reason;
	char buf[48];

	go_ensure(gt, g, m, a->ts);
	sys_cut(gt, g, a->ts);
	name = goreport_reason_name(gr, g->pid, a->reason, buf, sizeof(buf));
	reason = name == buf ? "unspecified" : gotrace_block_reason(name);
	EV(gt, m, EV_GO_BLOCK, a->ts, str_id(gt, reason), stack_id(gt, g, true));
	g->st = TS_WAITING;
	g->m = NONE;
	m->g = NONE;
	gt->st.blocks++;
}

static void on_create(struct gotrace *gt, struct gt_g *g, struct gt_m *m, const struct act *a)
{
	if (g->st != TS_UNKNOWN && g->st != TS_DEAD)
		return;
	/* A thread in a syscall creates nothing: the capture missed its exit. */
	if (m->syscall)
		sys_cut(gt, &gt->gs[m->g], a->ts);
	EV(gt, m, EV_GO_CREATE, a->ts, g->goid, stack_id(gt, g, true), stack_id(gt, g, false));
	g->st = TS_RUNNABLE;
	g->gen = gt->gen;
	g->seq = 0;
	gt->st.created++;
	gt->st.goroutines++;
}

static void on_goexit(struct gotrace *gt, struct gt_g *g, struct gt_m *m, const struct act *a)
{
	go_ensure(gt, g, m, a->ts);
	sys_cut(gt, g, a->ts);
	EV0(gt, m, EV_GO_DESTROY, a->ts);
	g->st = TS_DEAD;
	g->m = NONE;
	m->g = NONE;
}

static void on_ready(struct gotrace *gt, struct gt_g *g, struct gt_m *m, const struct act *a)
{
	if (g->st == TS_WAITING)
		go_unblock(gt, g, m, a->ts);
	else if (g->st == TS_RUNNING || g->st == TS_SYSCALL)
		go_stop(gt, g, a->ts);
}

static void on_syscall(struct gotrace *gt, struct gt_g *g, struct gt_m *m, const struct act *a)
{
	if (a->kind == A_SYS_BEGIN) {
		go_ensure(gt, g, m, a->ts);
		sys_cut(gt, g, a->ts);
		EV(gt, m, EV_GO_SYSCALL_BEGIN, a->ts, ++m->pseq, stack_id(gt, g, true));
		g->st = TS_SYSCALL;
		m->syscall = true;
		gt->st.syscalls++;
		return;
	}
	/* The exit of a syscall that a fixup did not end already. */
	if (g->st == TS_SYSCALL && &gt->ms[g->m] == m) {
		EV0(gt, m, EV_GO_SYSCALL_END, a->ts);
		g->st = TS_RUNNING;
		m->syscall = false;
	}
}

static void step(struct gotrace *gt, const struct act *a)
{
	struct gt_g *g = &gt->gs[a->g];
	struct gt_m *m = m_of(gt, a->tid);

	/* Goroutine ids are never reused: nothing happens to one after its exit. */
	if (g->st == TS_DEAD && !(a->kind == A_CHANGE && a->why == GODIAG_REC_GO_CREATE)) {
		if (a->kind == A_SYS_BEGIN)
			gt->st.syscalls_dropped++;
		return;
	}
	if (a->kind != A_CHANGE)
		on_syscall(gt, g, m, a);
	else if (a->replaced)
		go_stop(gt, g, a->ts);
	else if (a->why == GODIAG_REC_GO_CREATE)
		on_create(gt, g, m, a);
	else if (a->why == GODIAG_REC_GO_START)
		go_start(gt, g, m, a->ts);
	else if (a->why == GODIAG_REC_GO_PARK)
		on_block(gt, g, m, a);
	else if (a->why == GODIAG_REC_GO_READY)
		on_ready(gt, g, m, a);
	else if (a->why == GODIAG_REC_GO_EXIT)
		on_goexit(gt, g, m, a);
	g->seen = true;
}

/* ------------------------------------------------------------------ */
/* Generations                                                         */
/* ------------------------------------------------------------------ */

static void put_strings(struct gotrace *gt, uint64_t ts)
{
	struct pbuf b = PBUF_INIT;
	uint8_t type;
	size_t i;

	for (i = 0; i <= gt->nstrs; i++) {
		size_t len;

		if (i == gt->nstrs || b.len >= BATCH_MAX) {
			if (b.len)
				put_batch(gt, 0, ts, &b);
			b.len = 0;
			if (i == gt->nstrs)
				break;
		}
		if (!b.len) {
			type = EV_STRINGS;
			pbuf_bytes(&b, &type, 1);
		}
		len = strlen(gt->strs[i]);
		if (len > STRING_MAX)
			len = STRING_MAX;
		type = EV_STRING;
		pbuf_bytes(&b, &type, 1);
		pbuf_varint(&b, i + 1);
		pbuf_varint(&b, len);
		pbuf_bytes(&b, gt->strs[i], len);
	}
	pbuf_free(&b);
}

static void put_stacks(struct gotrace *gt, uint64_t ts)
{
	struct pbuf b = PBUF_INIT;
	uint8_t type;
	size_t i;

	for (i = 0; i <= gt->nstacks; i++) {
		const struct gt_stack *s = &gt->stacks[i];

		if (i == gt->nstacks || b.len >= BATCH_MAX) {
			if (b.len)
				put_batch(gt, 0, ts, &b);
			b.len = 0;
			if (i == gt->nstacks)
				break;
		}
		if (!b.len) {
			type = EV_STACKS;
			pbuf_bytes(&b, &type, 1);
		}
		type = EV_STACK;
		pbuf_bytes(&b, &type, 1);
		pbuf_varint(&b, i + 1);
		pbuf_varint(&b, 1);
		pbuf_varint(&b, s->pc);
		pbuf_varint(&b, s->func);
		pbuf_varint(&b, s->file);
		pbuf_varint(&b, s->line);
	}
	pbuf_free(&b);
}

/* The frequency (nanoseconds) and where trace time ts is on the clocks. */
static void put_sync(struct gotrace *gt, uint64_t ts)
{
	const struct report *r = gt->r;
	struct pbuf b = PBUF_INIT;
	uint64_t mono = gt->base + ts - 1, wall = 0;
	uint8_t type;

	if (r->start_real && r->start_mono)
		wall = r->start_real + (mono - r->start_mono);
	type = EV_SYNC;
	pbuf_bytes(&b, &type, 1);
	type = EV_FREQUENCY;
	pbuf_bytes(&b, &type, 1);
	pbuf_varint(&b, 1000000000);
	type = EV_CLOCK_SNAPSHOT;
	pbuf_bytes(&b, &type, 1);
	pbuf_varint(&b, 0);
	pbuf_varint(&b, mono);
	pbuf_varint(&b, wall / 1000000000);
	pbuf_varint(&b, wall % 1000000000);
	put_batch(gt, 0, ts, &b);
	pbuf_free(&b);
}

/* Every batch of the generation, its tables, its end. */
static void end_generation(struct gotrace *gt)
{
	uint64_t ts = trace_ts(gt, gt->gen_start);
	uint8_t end = EV_END_OF_GENERATION;
	size_t i;

	for (i = 0; i < gt->nms; i++)
		flush_m(gt, &gt->ms[i]);
	put_strings(gt, ts);
	put_stacks(gt, ts);
	put_sync(gt, ts);
	pbuf_bytes(&gt->out, &end, 1);
	gt->st.generations++;
	hmap_free(&gt->str_map);
	hmap_free(&gt->stack_map);
	gt->nstrs = gt->nstacks = 0;
}

/*
 * The goroutines the capture did not see created: runnable at the start,
 * or waiting when what comes first is their READY.
 */
static void declare_old(struct gotrace *gt, struct gt_m *m, uint64_t ts)
{
	size_t i;

	for (i = 0; i < gt->nacts; i++) {
		const struct act *a = &gt->acts[i];
		struct gt_g *g = &gt->gs[a->g];

		if (g->st != TS_UNKNOWN || g->created)
			continue;
		g->st = a->kind == A_CHANGE && !a->replaced && a->why == GODIAG_REC_GO_READY &&
			a->from == GO_UNSEEN ? TS_WAITING : TS_RUNNABLE;
		g_touch(gt, g, m, ts);
		gt->st.goroutines++;
	}
}

static void emit(struct gotrace *gt)
{
	size_t i;

	pbuf_bytes(&gt->out, TRACE_HEADER, 16);
	gt->gen = 1;
	gt->gen_start = gt->nacts ? gt->acts[0].ts : gt->base;
	if (gt->nacts)
		declare_old(gt, m_of(gt, gt->acts[0].tid), gt->acts[0].ts);
	for (i = 0; i < gt->nacts; i++) {
		const struct act *a = &gt->acts[i];

		if (a->ts - gt->gen_start >= GEN_NS) {
			end_generation(gt);
			gt->gen++;
			gt->gen_start = a->ts;
		}
		step(gt, a);
	}
	end_generation(gt);
}

/* ------------------------------------------------------------------ */
/* The interface                                                       */
/* ------------------------------------------------------------------ */

int gotrace_build(struct gotrace *gt, const struct report *r, uint32_t pid, char *err,
		  size_t errlen)
{
	size_t i, n = 0;

	gt->r = r;
	if (pick_pid(gt, pid, err, errlen))
		return -1;
	gt->st.pid = gt->pid;
	gt->st.lost = report_lost(r);
	/* Only the chosen process's changes. */
	for (i = 0; i < gt->nacts; i++)
		if (gt->gs[gt->acts[i].g].pid == gt->pid)
			gt->acts[n++] = gt->acts[i];
	gt->nacts = n;
	add_syscalls(gt, r);
	if (gt->nacts > 1)
		qsort(gt->acts, gt->nacts, sizeof(*gt->acts), cmp_act);
	gt->base = gt->nacts ? gt->acts[0].ts : r->start_mono;
	if (r->start_mono && r->start_mono < gt->base)
		gt->base = r->start_mono;
	emit(gt);
	return 0;
}

int gotrace_write(struct gotrace *gt, FILE *out)
{
	if (gt->out.len && fwrite(gt->out.p, 1, gt->out.len, out) != gt->out.len)
		return -1;
	return fflush(out) || ferror(out) ? -1 : 0;
}

const struct gotrace_stats *gotrace_stats(const struct gotrace *gt)
{
	return &gt->st;
}

void gotrace_init(struct gotrace *gt, struct report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->keep_records = true;
	o->go_change = on_change;
	o->arg = gt;
}

struct gotrace *gotrace_new(void)
{
	return xcalloc(1, sizeof(struct gotrace));
}

void gotrace_free(struct gotrace *gt)
{
	size_t i;

	if (!gt)
		return;
	free(gt->gs);
	hmap_free(&gt->g_map);
	free(gt->acts);
	for (i = 0; i < gt->nms; i++)
		pbuf_free(&gt->ms[i].buf);
	free(gt->ms);
	hmap_free(&gt->m_map);
	free(gt->strs);
	hmap_free(&gt->str_map);
	free(gt->stacks);
	hmap_free(&gt->stack_map);
	for (i = 0; i < gt->nowned; i++)
		free(gt->owned[i]);
	free(gt->owned);
	pbuf_free(&gt->out);
	free(gt);
}

/* ------------------------------------------------------------------ */
/* Wait reasons                                                        */
/* ------------------------------------------------------------------ */

/*
 * The runtime's wait reasons (runtime2.go's waitReasonStrings) as the
 * reasons its tracer gives the same parks (traceBlockReasonStrings): the
 * names `go tool trace` groups by (its "sync" profile takes those with
 * chan, sync or select in them, its "net" profile "network").
 */
static const char *const reason_map[][2] = {
	{ "chan receive", "chan receive" },
	{ "chan send", "chan send" },
	{ "chan receive (nil chan)", "forever" },
	{ "chan send (nil chan)", "forever" },
	{ "select (no cases)", "forever" },
	{ "select", "select" },
	{ "sync.Cond.Wait", "sync.(*Cond).Wait" },
	{ "sync.Mutex.Lock", "sync" },
	{ "sync.RWMutex.RLock", "sync" },
	{ "sync.RWMutex.Lock", "sync" },
	{ "sync.WaitGroup.Wait", "sync" },
	{ "semacquire", "sync" },
	{ "IO wait", "network" },
	{ "sleep", "sleep" },
	{ "preempted", "preempted" },
	{ "GC assist wait", "GC mark assist wait for work" },
	{ "GC sweep wait", "GC background sweeper wait" },
	{ "GC scavenge wait", "system goroutine wait" },
	{ "GC worker (idle)", "system goroutine wait" },
	{ "finalizer wait", "system goroutine wait" },
	{ "force gc (idle)", "system goroutine wait" },
	{ "cleanup wait", "system goroutine wait" },
	{ "GOMAXPROCS updater (idle)", "system goroutine wait" },
	{ "wait for GC cycle", "wait until GC ends" },
	{ "debug call", "wait for debug call" },
	{ "GC weak to strong wait", "GC weak to strong wait" },
	{ "synctest.Run", "synctest" },
	{ "synctest.Wait", "synctest" },
	{ "chan receive (durable)", "synctest" },
	{ "chan send (durable)", "synctest" },
	{ "select (durable)", "synctest" },
	{ "sync.WaitGroup.Wait (durable)", "synctest" },
};

const char *gotrace_block_reason(const char *wait_reason)
{
	size_t i;

	for (i = 0; i < sizeof(reason_map) / sizeof(reason_map[0]); i++)
		if (!strcmp(reason_map[i][0], wait_reason))
			return reason_map[i][1];
	/* The runtime's own words, where its tracer has none of its own. */
	return wait_reason[0] ? wait_reason : "unspecified";
}
