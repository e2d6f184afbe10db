// SPDX-License-Identifier: GPL-2.0
/* The live goroutine model of 'godiagctl top': live.h says what it keeps. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "gobin/goruntime.h"
#include "model/live.h"

/* The index of s in strs, added when new (a linear search: names are few). */
static uint32_t intern(struct live *l, const char *s)
{
	size_t i;

	if (!l->nstrs) {
		l->strs = xreallocarray(NULL, 1, sizeof(*l->strs));
		l->strs[l->nstrs++] = xstrdup("?");
	}
	if (!s || !*s)
		return 0;
	for (i = 1; i < l->nstrs; i++)
		if (!strcmp(l->strs[i], s))
			return (uint32_t)i;
	l->strs = xreallocarray(l->strs, l->nstrs + 1, sizeof(*l->strs));
	l->strs[l->nstrs] = xstrdup(s);
	return (uint32_t)l->nstrs++;
}

static struct live_g *find(struct live *l, uint32_t pid, uint64_t goid)
{
	uint32_t *i = hmap_find(&l->map, goid, pid);

	return i ? &l->g[*i] : NULL;
}

static struct live_g *add(struct live *l, uint32_t pid, uint64_t goid)
{
	struct live_g *g;
	bool added;
	uint32_t *i = hmap_get(&l->map, goid, pid, (uint32_t)l->n, &added);

	if (!added)
		return &l->g[*i];
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->g = xreallocarray(l->g, l->cap, sizeof(*l->g));
	}
	g = &l->g[l->n++];
	memset(g, 0, sizeof(*g));
	g->goid = goid;
	g->pid = pid;
	g->since_known = true;
	return g;
}

static uint8_t state_of(uint32_t status)
{
	switch (status) {
	case GORT_G_RUNNABLE:
	case GORT_G_PREEMPTED:
		return LIVE_RUNNABLE;
	case GORT_G_WAITING:
		return LIVE_BLOCKED;
	default:
		return LIVE_RUNNING;
	}
}

void live_seed(struct live *l, const struct gr_dump *d, uint64_t now)
{
	size_t i;

	l->n = 0;
	hmap_free(&l->map);
	intern(l, NULL);
	l->from = now;
	for (i = 0; i < d->n; i++) {
		const struct gr_goroutine *r = &d->g[i];
		struct live_g *g = add(l, (uint32_t)d->pid, r->id);

		g->state = state_of(r->status);
		g->system = r->system;
		g->start = intern(l, r->start);
		g->reason = g->state == LIVE_BLOCKED ? intern(l, r->reason) : 0;
		g->since = now;
		g->since_known = false;
		if (g->state == LIVE_BLOCKED && r->wait_known && r->wait_ns <= now) {
			g->since = now - r->wait_ns;
			g->since_known = true;
		}
	}
}

void live_record(struct live *l, const struct godiag_rec *rec, size_t len)
{
	const struct godiag_rec_go *r = (const void *)rec;
	struct live_ev *e;

	if (rec->type < GODIAG_REC_GO_CREATE || rec->type > GODIAG_REC_GO_EXIT ||
	    len < sizeof(*r))
		return;
	if (!r->goid) {
		l->skipped++;
		return;
	}
	if (l->nevs == l->evs_cap) {
		l->evs_cap = l->evs_cap ? l->evs_cap * 2 : 1024;
		l->evs = xreallocarray(l->evs, l->evs_cap, sizeof(*l->evs));
	}
	e = &l->evs[l->nevs];
	e->ts = rec->ts_ns;
	e->goid = r->goid;
	e->prev = rec->goid;
	e->start_pc = r->start_pc;
	e->pid = rec->tgid;
	e->reason = r->reason;
	e->type = rec->type;
	e->seq = l->nevs++;
}

static int cmp_ev(const void *a, const void *b)
{
	const struct live_ev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The interned name of a wait reason, cached. */
static uint32_t reason_of(struct live *l, uint32_t reason, uint32_t pid)
{
	uint32_t *i = hmap_find(&l->reason_idx, reason, pid), v;
	bool added;

	if (i)
		return *i - 1;
	v = intern(l, l->reason_name ? l->reason_name(l->arg, pid, reason) : NULL);
	hmap_get(&l->reason_idx, reason, pid, v + 1, &added);
	return v;
}

/* The interned name of a start PC, cached, and whether it is the runtime's. */
static uint32_t start_of(struct live *l, uint64_t pc, uint32_t pid, bool *system)
{
	uint32_t *i = hmap_find(&l->start_idx, pc, pid), v;
	const char *name = NULL;
	bool added;

	*system = false;
	if (i) {
		*system = *i & LIVE_SYSTEM;
		return (*i & ~LIVE_SYSTEM) - 1;
	}
	if (l->start_name)
		name = l->start_name(l->arg, pid, pc, system);
	v = intern(l, name);
	hmap_get(&l->start_idx, pc, pid, (v + 1) | (*system ? LIVE_SYSTEM : 0), &added);
	return v;
}

static void set_state(struct live_g *g, uint8_t state, uint64_t ts)
{
	g->state = state;
	g->since = ts;
	g->since_known = true;
}

static void fold_one(struct live *l, const struct live_ev *e)
{
	struct live_g *g = find(l, e->pid, e->goid), *p;

	if (g && e->ts < g->last_ts) {
		l->stale++;
		return;
	}
	if (!g)
		g = add(l, e->pid, e->goid);
	if (g->exited && e->type != GODIAG_REC_GO_CREATE)
		return;
	g->last_ts = e->ts;
	l->folded++;
	switch (e->type) {
	case GODIAG_REC_GO_CREATE:
		l->created++;
		g->exited = false;
		g->start = start_of(l, e->start_pc, e->pid, &g->system);
		set_state(g, LIVE_RUNNABLE, e->ts);
		break;
	case GODIAG_REC_GO_START:
		set_state(g, LIVE_RUNNING, e->ts);
		if (!e->prev || e->prev == e->goid)
			break;
		p = find(l, e->pid, e->prev);
		if (p && !p->exited && p->state == LIVE_RUNNING && e->ts >= p->last_ts) {
			p->last_ts = e->ts;
			set_state(p, LIVE_RUNNABLE, e->ts);
		}
		break;
	case GODIAG_REC_GO_PARK:
		set_state(g, LIVE_BLOCKED, e->ts);
		g->reason = reason_of(l, e->reason, e->pid);
		break;
	case GODIAG_REC_GO_READY:
		set_state(g, LIVE_RUNNABLE, e->ts);
		break;
	case GODIAG_REC_GO_EXIT:
		l->exited++;
		g->exited = true;
		break;
	}
}

void live_fold(struct live *l)
{
	size_t i;

	intern(l, NULL);
	qsort(l->evs, l->nevs, sizeof(*l->evs), cmp_ev);
	for (i = 0; i < l->nevs; i++) {
		if (l->evs[i].ts < l->from) {
			l->stale++;
			continue;
		}
		fold_one(l, &l->evs[i]);
	}
	l->nevs = 0;
}

void live_compact(struct live *l)
{
	size_t i, n = 0;
	bool added;

	hmap_free(&l->map);
	for (i = 0; i < l->n; i++) {
		if (l->g[i].exited)
			continue;
		l->g[n] = l->g[i];
		hmap_get(&l->map, l->g[n].goid, l->g[n].pid, (uint32_t)n, &added);
		n++;
	}
	l->n = n;
}

void live_count(const struct live *l, uint64_t counts[LIVE_STATES], uint64_t *system)
{
	size_t i;

	memset(counts, 0, LIVE_STATES * sizeof(*counts));
	*system = 0;
	for (i = 0; i < l->n; i++) {
		if (l->g[i].exited)
			continue;
		if (l->g[i].system)
			(*system)++;
		else
			counts[l->g[i].state]++;
	}
}

static int cmp_count(const void *a, const void *b)
{
	const struct live_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool shown_blocked(const struct live_g *g)
{
	return !g->exited && !g->system && g->state == LIVE_BLOCKED;
}

struct live_count *live_reasons(const struct live *l, size_t *n)
{
	uint64_t *per = xcalloc(l->nstrs ? l->nstrs : 1, sizeof(*per));
	struct live_count *v;
	size_t i, k = 0;

	for (i = 0; i < l->n; i++)
		if (shown_blocked(&l->g[i]) && l->g[i].reason < l->nstrs)
			per[l->g[i].reason]++;
	v = xcalloc(l->nstrs ? l->nstrs : 1, sizeof(*v));
	for (i = 0; i < l->nstrs; i++)
		if (per[i]) {
			v[k].name = l->strs[i];
			v[k++].n = per[i];
		}
	free(per);
	qsort(v, k, sizeof(*v), cmp_count);
	*n = k;
	return v;
}

static int cmp_blocked(const void *a, const void *b)
{
	const struct live_g *x = *(const struct live_g *const *)a;
	const struct live_g *y = *(const struct live_g *const *)b;

	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->goid > y->goid) - (x->goid < y->goid);
}

const struct live_g **live_longest_blocked(const struct live *l, size_t max, size_t *n)
{
	const struct live_g **v = xcalloc(l->n ? l->n : 1, sizeof(*v));
	size_t i, k = 0;

	for (i = 0; i < l->n; i++)
		if (shown_blocked(&l->g[i]))
			v[k++] = &l->g[i];
	qsort(v, k, sizeof(*v), cmp_blocked);
	*n = k < max ? k : max;
	return v;
}

const char *live_state_name(uint8_t state)
{
	static const char *const names[LIVE_STATES] = { "running", "runnable", "blocked" };

	return state < LIVE_STATES ? names[state] : "?";
}

void live_free(struct live *l)
{
	size_t i;

	for (i = 0; i < l->nstrs; i++)
		free(l->strs[i]);
	free(l->strs);
	free(l->g);
	free(l->evs);
	hmap_free(&l->map);
	hmap_free(&l->start_idx);
	hmap_free(&l->reason_idx);
	memset(l, 0, sizeof(*l));
}
