// SPDX-License-Identifier: GPL-2.0
/*
 * The events of the Perfetto trace of a capture (pftrace.h), which the
 * JSON (export.c) and protobuf (export_proto.c) writers walk.
 *
 * The goroutine slices are the intervals of the report's state machine
 * (model/goreport.c, on_interval), so the trace and 'report' count the
 * same time. Every event is collected first, then sorted by track and
 * time: each track's events come in time order, a slice before the
 * slices it holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/syscalls.h"
#include "base/util.h"
#include "cmd/export.h"
#include "cmd/pftrace.h"

static struct ev *add_ev(struct perfetto *pf, uint8_t kind, uint32_t pid, uint64_t tid,
			 uint64_t ts, uint64_t dur)
{
	struct ev *e;

	if (pf->nevs == pf->cap) {
		pf->cap = pf->cap ? pf->cap * 2 : 1024;
		pf->evs = xreallocarray(pf->evs, pf->cap, sizeof(*pf->evs));
	}
	e = &pf->evs[pf->nevs++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->pid = pid;
	e->tid = tid;
	e->ts = ts;
	e->dur = dur;
	return e;
}

/* The track of (pid, goid), made when add is set; SIZE_MAX when none. */
static size_t track_of(struct perfetto *pf, uint32_t pid, uint64_t goid, bool add)
{
	uint32_t *i;
	bool added;

	if (!goid)
		return SIZE_MAX;
	if (!add) {
		i = hmap_find(&pf->track_map, goid, pid);
		return i ? *i : SIZE_MAX;
	}
	i = hmap_get(&pf->track_map, goid, pid, (uint32_t)pf->ntracks, &added);
	if (added) {
		pf->tracks = xreallocarray(pf->tracks, pf->ntracks + 1, sizeof(*pf->tracks));
		pf->tracks[pf->ntracks].pid = pid;
		pf->tracks[pf->ntracks].goid = goid;
		pf->tracks[pf->ntracks].first = 0;
		pf->tracks[pf->ntracks++].n = 0;
	}
	return *i;
}

/* goreport's on_interval: one slice (the state machine runs before the rest). */
static void on_interval(void *arg, const struct go_row *row, uint8_t state,
			uint64_t from, uint64_t to)
{
	struct perfetto *pf = arg;
	size_t t = track_of(pf, row->pid, row->goid, true);
	struct ev *e = add_ev(pf, EV_STATE, row->pid, GO_TID_BASE + t, from, to - from);

	e->state = state;
	e->reason = row->reason;
}

/* ------------------------------------------------------------------ */
/* From records to events                                              */
/* ------------------------------------------------------------------ */

/* The goroutine slices are grouped per track, to find a syscall's slice. */
static int cmp_state(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return (x->ts > y->ts) - (x->ts < y->ts);
}

static void index_tracks(struct perfetto *pf)
{
	size_t i;

	if (pf->nevs > 1)
		qsort(pf->evs, pf->nevs, sizeof(*pf->evs), cmp_state);
	for (i = 0; i < pf->nevs; i++) {
		struct gtrack *t = &pf->tracks[pf->evs[i].tid - GO_TID_BASE];

		if (!t->n)
			t->first = i;
		t->n++;
	}
}

/*
 * A syscall on a goroutine's track lies inside one of its running slices
 * (clipped to the one its exit is in), or beside every slice (a goroutine
 * the capture never saw start); else, when the records disagree (a lost
 * event), it is on the thread's track only.
 */
static bool clip_syscall(const struct perfetto *pf, const struct gtrack *t,
			 uint64_t *from, uint64_t *to)
{
	const struct ev *s = pf->evs + t->first;
	size_t lo = 0, hi = t->n;

	/* The last slice that starts before the exit (one starting there follows it). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].ts < *to)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return true;
	s += lo - 1;
	/* Between two slices, or after the last: beside them. */
	if (s->ts + s->dur <= *from)
		return true;
	if (s->state != GO_RUNNING)
		return false;
	if (*from < s->ts)
		*from = s->ts;
	if (*to > s->ts + s->dur)
		*to = s->ts + s->dur;
	return true;
}

static void add_syscall(struct perfetto *pf, const struct godiag_rec *rec, size_t index)
{
	const struct godiag_rec_syscall *s = (const void *)rec;
	uint64_t from = s->enter_ns, to = rec->ts_ns;
	size_t t = track_of(pf, rec->tgid, rec->goid, false);

	add_ev(pf, EV_SYSCALL, rec->tgid, rec->tid, s->enter_ns, s->duration_ns)->ref = index;
	if (from > to)
		from = to;
	if (t != SIZE_MAX && clip_syscall(pf, &pf->tracks[t], &from, &to))
		add_ev(pf, EV_GO_SYSCALL, rec->tgid, GO_TID_BASE + t, from, to - from)->ref = index;
}

/* An arrow from goroutine src to dst at ts, both of process pid. */
static void add_flow(struct perfetto *pf, uint8_t type, uint32_t pid, uint64_t src,
		     uint64_t dst, uint64_t ts)
{
	size_t from = track_of(pf, pid, src, false), to = track_of(pf, pid, dst, false);
	struct ev *e;

	if (from == SIZE_MAX || to == SIZE_MAX || from == to)
		return;
	pf->flows++;
	e = add_ev(pf, EV_FLOW_OUT, pid, GO_TID_BASE + from, ts, 0);
	e->state = type;
	e->ref = pf->flows;
	e = add_ev(pf, EV_FLOW_IN, pid, GO_TID_BASE + to, ts, 0);
	e->state = type;
	e->ref = pf->flows;
}

static void add_record(struct perfetto *pf, const struct godiag_rec *rec, size_t index)
{
	const struct godiag_rec_go *g = (const void *)rec;
	size_t t;

	switch (rec->type) {
	case GODIAG_REC_SYSCALL:
		add_syscall(pf, rec, index);
		break;
	case GODIAG_REC_GO_CREATE:
	case GODIAG_REC_GO_READY:
		if (g->other_goid)
			add_flow(pf, (uint8_t)rec->type, rec->tgid, g->other_goid, g->goid,
				 rec->ts_ns);
		break;
	case GODIAG_REC_BREAKPOINT:
		t = track_of(pf, rec->tgid, rec->goid, false);
		add_ev(pf, EV_BREAK, rec->tgid, t == SIZE_MAX ? rec->tid : GO_TID_BASE + t,
		       rec->ts_ns, 0)->ref = index;
		break;
	case GODIAG_REC_LOST:
		add_ev(pf, EV_LOST, 0, 0, rec->ts_ns, 0)->ref = index;
		break;
	}
}

/* Time 0: the capture's start, or the first thing the trace shows. */
static uint64_t first_time(const struct perfetto *pf)
{
	uint64_t base = pf->r->start_mono ? pf->r->start_mono : UINT64_MAX;
	size_t i;

	for (i = 0; i < pf->nevs; i++)
		if (pf->evs[i].ts < base)
			base = pf->evs[i].ts;
	return base == UINT64_MAX ? 0 : base;
}

/* By track, then time; at one time the longer slice first (it holds the other). */
static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->dur != y->dur)
		return x->dur > y->dur ? -1 : 1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

void perfetto_build(struct perfetto *pf, const struct report *r)
{
	pf->r = r;
	size_t i;

	index_tracks(pf);
	for (i = 0; i < r->recs.n; i++)
		add_record(pf, recseq_get(&r->recs, i), i);
	pf->base = first_time(pf);
	if (pf->nevs > 1)
		qsort(pf->evs, pf->nevs, sizeof(*pf->evs), cmp_ev);
}

/* ------------------------------------------------------------------ */
/* What each event and track says (both writers)                       */
/* ------------------------------------------------------------------ */

static const char *state_name(uint8_t state)
{
	return state == GO_RUNNING ? "running" : state == GO_RUNNABLE ? "runnable" : "blocked";
}

/* A blocked slice's wait reason ("" when the capture has no name for it), or NULL. */
static const char *reason_of(const struct perfetto *pf, const struct ev *e, char *buf,
			     size_t len)
{
	if (e->state != GO_BLOCKED)
		return NULL;
	return goreport_reason_name(&pf->r->go, e->pid, e->reason, buf, len);
}

static const char *break_name(const struct perfetto *pf, const struct ev *e, char *buf,
			      size_t len)
{
	const struct godiag_rec *rec = recseq_get(&pf->r->recs, e->ref);
	const struct bp_row *row;
	bool is_ret = false;

	row = bp_hit(&pf->r->bp, rec, rec->size, &is_ret, NULL, NULL, NULL);
	if (row)
		snprintf(buf, len, "%.50s%s", row->function, is_ret ? " ret" : "");
	else
		snprintf(buf, len, "probe %u", ((const struct godiag_rec_break *)rec)->probe_id);
	return buf;
}

const char *pf_event_name(const struct perfetto *pf, const struct ev *e, char *buf, size_t len)
{
	const struct godiag_rec *rec;
	const char *reason;

	switch (e->kind) {
	case EV_STATE:
		reason = reason_of(pf, e, buf, len);
		return reason && reason[0] ? reason : state_name(e->state);
	case EV_GO_SYSCALL:
	case EV_SYSCALL:
		rec = recseq_get(&pf->r->recs, e->ref);
		syscall_format(((const struct godiag_rec_syscall *)rec)->nr, buf, len);
		return buf;
	case EV_BREAK:
		return break_name(pf, e, buf, len);
	case EV_FLOW_OUT:
	case EV_FLOW_IN:
		return e->state == GODIAG_REC_GO_CREATE ? "create" : "ready";
	default:
		rec = recseq_get(&pf->r->recs, e->ref);
		snprintf(buf, len, "lost %" PRIu64 " records on cpu %u",
			 (uint64_t)((const struct godiag_rec_lost *)rec)->count, rec->cpu);
		return buf;
	}
}

const char *pf_event_cat(const struct ev *e)
{
	static const char *const cats[] = {
		[EV_STATE] = "goroutine", [EV_GO_SYSCALL] = "syscall", [EV_SYSCALL] = "syscall",
		[EV_BREAK] = "break", [EV_FLOW_OUT] = "flow", [EV_FLOW_IN] = "flow",
		[EV_LOST] = "loss",
	};

	return cats[e->kind];
}

struct break_args {
	const struct pf_args *fn;
	void *arg;
};

static void break_arg(const struct bp_arg *a, size_t i, const char *value, void *arg)
{
	const struct break_args *b = arg;

	(void)i;
	b->fn->str(b->arg, a->name, value, false);
}

static void syscall_args(const struct perfetto *pf, const struct ev *e,
			 const struct pf_args *fn, void *arg)
{
	const struct godiag_rec_syscall *s = (const void *)recseq_get(&pf->r->recs, e->ref);

	fn->s64(arg, "ret", s->ret);
	fn->u64(arg, "duration_ns", s->duration_ns);
	if (e->kind == EV_SYSCALL && s->hdr.goid)
		fn->u64(arg, "goroutine", s->hdr.goid);
}

static void break_args(const struct perfetto *pf, const struct ev *e, const struct pf_args *fn,
		       void *arg)
{
	const struct godiag_rec *rec = recseq_get(&pf->r->recs, e->ref);
	struct break_args b = { fn, arg };
	const struct bp_row *row;
	bool is_ret = false;

	row = bp_hit(&pf->r->bp, rec, rec->size, &is_ret, NULL, NULL, NULL);
	if (rec->goid)
		fn->u64(arg, "goroutine", rec->goid);
	if (row && !is_ret)
		bp_hit(&pf->r->bp, rec, rec->size, &is_ret, break_arg, NULL, &b);
}

bool pf_event_args(const struct perfetto *pf, const struct ev *e, const struct pf_args *fn,
		   void *arg)
{
	const struct godiag_rec_lost *l;
	const char *reason;
	char buf[64];

	switch (e->kind) {
	case EV_STATE:
		reason = reason_of(pf, e, buf, sizeof(buf));
		fn->str(arg, "state", state_name(e->state), true);
		if (reason)
			fn->str(arg, "reason", reason, true);
		return true;
	case EV_GO_SYSCALL:
	case EV_SYSCALL:
		syscall_args(pf, e, fn, arg);
		return true;
	case EV_BREAK:
		break_args(pf, e, fn, arg);
		return true;
	case EV_LOST:
		l = (const void *)recseq_get(&pf->r->recs, e->ref);
		fn->u64(arg, "count", l->count);
		fn->u64(arg, "cpu", l->hdr.cpu);
		return true;
	default:
		return false;
	}
}

const char *pf_process_name(const struct perfetto *pf, uint32_t pid, char *buf, size_t len)
{
	const char *comm = NULL;
	size_t i;

	for (i = 0; i < pf->r->ntargets && !comm; i++)
		if (pf->r->targets[i].pid == pid && pf->r->targets[i].comm[0])
			comm = pf->r->targets[i].comm;
	snprintf(buf, len, "%s%s%u", comm ? comm : "", comm ? " " : "pid ", pid);
	return buf;
}

/* Every track is a row's (on_interval): one pass over the rows. */
void pf_each_track(const struct perfetto *pf, pf_track_fn *fn, void *arg)
{
	const struct goreport *g = &pf->r->go;
	char name[512], buf[32];
	size_t i;

	for (i = 0; i < g->nrows; i++) {
		const struct go_row *row = &g->rows[i];
		uint32_t *t = hmap_find(&pf->track_map, row->goid, row->pid);

		if (!t)
			continue;
		if (row->created)
			snprintf(name, sizeof(name), "G%" PRIu64 " %s", row->goid,
				 goreport_start_name(g, row->pid, row->start_pc, buf, sizeof(buf)));
		else
			snprintf(name, sizeof(name), "G%" PRIu64, row->goid);
		fn(arg, *t, row, name);
	}
}

void perfetto_init(struct perfetto *pf, struct report_opts *o)
{
	memset(pf, 0, sizeof(*pf));
	memset(o, 0, sizeof(*o));
	o->keep_records = true;
	o->go_interval = on_interval;
	o->arg = pf;
}

struct perfetto *perfetto_new(void)
{
	return xcalloc(1, sizeof(struct perfetto));
}

void perfetto_free(struct perfetto *pf)
{
	if (!pf)
		return;
	free(pf->evs);
	free(pf->tracks);
	hmap_free(&pf->track_map);
	free(pf);
}
