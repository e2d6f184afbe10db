// SPDX-License-Identifier: GPL-2.0
/*
 * The goroutine state machine and its tables (semantics in goreport.h).
 * Records are reduced to 24-byte events that name their goroutine's row,
 * so the state machine runs on array indexes; a capture of a million
 * goroutines costs about a hundred bytes per goroutine and 36 per event.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "model/goreport.h"

#define NO_ROW	UINT32_MAX

static void add_sat(uint64_t *a, uint64_t d)
{
	if (__builtin_add_overflow(*a, d, a))
		*a = UINT64_MAX;
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

/* The row of (pid, goid), added when new; NO_ROW when the table is full. */
static uint32_t row_of(struct goreport *g, uint32_t pid, uint64_t goid)
{
	bool added;
	uint32_t *i;

	if (g->nrows >= NO_ROW - 1 && !hmap_find(&g->row_map, goid, pid))
		return NO_ROW;
	i = hmap_get(&g->row_map, goid, pid, (uint32_t)g->nrows, &added);
	if (added) {
		struct go_row *r;

		if (g->nrows == g->rows_cap) {
			g->rows_cap = g->rows_cap ? g->rows_cap * 2 : 64;
			g->rows = xreallocarray(g->rows, g->rows_cap, sizeof(*g->rows));
		}
		r = &g->rows[g->nrows++];
		memset(r, 0, sizeof(*r));
		r->goid = goid;
		r->pid = pid;
	}
	return *i;
}

static void add_event(struct goreport *g, uint64_t ts, uint32_t row, uint32_t x,
		      uint8_t type)
{
	struct go_ev *e;

	if (g->nevs == g->evs_cap) {
		g->evs_cap = g->evs_cap ? g->evs_cap * 2 : 256;
		g->evs = xreallocarray(g->evs, g->evs_cap, sizeof(*g->evs));
	}
	e = &g->evs[g->nevs++];
	e->ts = ts;
	e->row = row;
	e->x = x;
	e->type = type;
}

static void add_syscall(struct goreport *g, const struct godiag_rec_syscall *s)
{
	uint32_t ri;

	if (!s->hdr.goid)
		return;
	ri = row_of(g, s->hdr.tgid, s->hdr.goid);
	if (ri == NO_ROW)
		return;
	g->rows[ri].syscalls++;
	add_sat(&g->rows[ri].syscall_ns, s->duration_ns);
}

static void add_go(struct goreport *g, const struct godiag_rec_go *e)
{
	uint32_t ri, x = 0;

	g->present = true;
	ri = e->goid ? row_of(g, e->hdr.tgid, e->goid) : NO_ROW;
	if (ri == NO_ROW) {
		g->skipped++;
		return;
	}
	switch (e->hdr.type) {
	case GODIAG_REC_GO_CREATE:
		g->rows[ri].parent = e->other_goid;
		g->rows[ri].pc = e->pc;
		g->rows[ri].start_pc = e->start_pc;
		break;
	case GODIAG_REC_GO_START:
		if (e->hdr.goid && e->hdr.goid != e->goid) {
			uint32_t prev = row_of(g, e->hdr.tgid, e->hdr.goid);

			x = prev == NO_ROW ? 0 : prev + 1;
		}
		break;
	case GODIAG_REC_GO_PARK:
		x = e->reason;
		break;
	}
	add_event(g, e->hdr.ts_ns, ri, x, (uint8_t)e->hdr.type);
}

void goreport_record(struct goreport *g, const struct godiag_rec *rec, size_t len)
{
	switch (rec->type) {
	case GODIAG_REC_SYSCALL:
		if (len >= sizeof(struct godiag_rec_syscall))
			add_syscall(g, (const struct godiag_rec_syscall *)rec);
		break;
	case GODIAG_REC_GO_CREATE:
	case GODIAG_REC_GO_START:
	case GODIAG_REC_GO_PARK:
	case GODIAG_REC_GO_READY:
	case GODIAG_REC_GO_EXIT:
		if (len >= sizeof(struct godiag_rec_go))
			add_go(g, (const struct godiag_rec_go *)rec);
		break;
	}
}

static struct go_proc *proc_of(struct goreport *g, uint32_t pid)
{
	bool added;
	uint32_t *i = hmap_get(&g->proc_map, pid, 0, (uint32_t)g->nprocs, &added);

	if (added) {
		g->procs = xreallocarray(g->procs, g->nprocs + 1, sizeof(*g->procs));
		memset(&g->procs[g->nprocs], 0, sizeof(*g->procs));
		g->procs[g->nprocs++].pid = pid;
	}
	return &g->procs[*i];
}

static const struct go_proc *find_proc(const struct goreport *g, uint32_t pid)
{
	uint32_t *i = hmap_find(&g->proc_map, pid, 0);

	return i ? &g->procs[*i] : NULL;
}

static void free_reasons(struct go_proc *p)
{
	size_t i;

	for (i = 0; i < p->nreasons; i++)
		free(p->reasons[i]);
	free(p->reasons);
	p->reasons = NULL;
	p->nreasons = 0;
}

void goreport_goinfo(struct goreport *g, const struct capfile_goinfo *head,
		     const char *const *reasons)
{
	struct go_proc *p = proc_of(g, head->pid);
	size_t i;

	g->present = true;
	free_reasons(p);
	p->has_goinfo = true;
	snprintf(p->go_version, sizeof(p->go_version), "%s", head->go_version);
	p->nreasons = head->nreasons;
	p->reasons = xcalloc(p->nreasons ? p->nreasons : 1, sizeof(*p->reasons));
	for (i = 0; i < p->nreasons; i++)
		p->reasons[i] = xstrdup(reasons[i]);
}

void goreport_syms(struct goreport *g, const struct capfile_syms_head *head,
		   const struct capfile_sym *syms, const char *strings)
{
	struct go_proc *p = proc_of(g, head->pid);
	char *block;
	size_t i;

	if (!head->count)
		return;
	block = xmalloc(head->strings_len);
	memcpy(block, strings, head->strings_len);
	p->blocks = xreallocarray(p->blocks, p->nblocks + 1, sizeof(*p->blocks));
	p->blocks[p->nblocks++] = block;
	if (p->nsyms)
		p->syms_merged = true;
	p->syms = xreallocarray(p->syms, p->nsyms + head->count, sizeof(*p->syms));
	for (i = 0; i < head->count; i++) {
		struct go_sym *s = &p->syms[p->nsyms++];

		s->pc = syms[i].pc;
		s->func = block + syms[i].func_off;
		s->file = block + syms[i].file_off;
		s->line = syms[i].line;
		s->start = syms[i].start_off ? block + syms[i].start_off - 1 : NULL;
	}
}

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

static const struct go_sym *find_sym(const struct go_proc *p, uint64_t pc)
{
	size_t lo = 0, hi = p->nsyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->syms[mid].pc == pc)
			return &p->syms[mid];
		if (p->syms[mid].pc < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *goreport_func_name(const struct goreport *g, uint32_t pid, uint64_t pc,
			       char *buf, size_t len)
{
	const struct go_proc *p = find_proc(g, pid);
	const struct go_sym *s = p ? find_sym(p, pc) : NULL;

	if (s && s->func[0])
		return s->func;
	snprintf(buf, len, "0x%llx", (unsigned long long)pc);
	return buf;
}

const char *goreport_start_name(const struct goreport *g, uint32_t pid, uint64_t pc,
				char *buf, size_t len)
{
	const struct go_proc *p = find_proc(g, pid);
	const struct go_sym *s = p ? find_sym(p, pc) : NULL;

	if (s && s->start && s->start[0])
		return s->start;
	return goreport_func_name(g, pid, pc, buf, len);
}

const char *goreport_reason_name(const struct goreport *g, uint32_t pid,
				 uint32_t reason, char *buf, size_t len)
{
	const struct go_proc *p = find_proc(g, pid);

	if (p && reason < p->nreasons)
		return p->reasons[reason];
	snprintf(buf, len, "waitReason(%u)", reason);
	return buf;
}

/* ------------------------------------------------------------------ */
/* The state machine                                                   */
/* ------------------------------------------------------------------ */

/* Stable merge sort by time; tmp holds n / 2 events. Runs come presorted. */
static void sort_events(struct go_ev *a, struct go_ev *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	sort_events(a, tmp, mid);
	sort_events(a + mid, tmp, n - mid);
	if (a[mid - 1].ts <= a[mid].ts)
		return;
	memcpy(tmp, a, mid * sizeof(*a));
	/* k < j throughout, so a[k] never overwrites what is still unread. */
	while (i < mid && j < n)
		a[k++] = a[j].ts < tmp[i].ts ? a[j++] : tmp[i++];
	while (i < mid)
		a[k++] = tmp[i++];
}

/* Blocked time per (pid, reason) before names merge them. */
struct wait_acc {
	uint32_t pid;
	uint32_t reason;
	uint64_t count;
	uint64_t total_ns;
};

struct machine {
	struct goreport *g;
	struct hmap wait_map;	/* (pid, reason) -> acc */
	struct wait_acc *acc;
	size_t nacc;
	struct hmap top_map;	/* (row, reason) -> top_ns */
	uint64_t *top_ns;
	size_t ntop, top_cap;
};

static struct wait_acc *acc_of(struct machine *m, uint32_t pid, uint32_t reason)
{
	bool added;
	uint32_t *i = hmap_get(&m->wait_map, pid, reason, (uint32_t)m->nacc, &added);

	if (added) {
		m->acc = xreallocarray(m->acc, m->nacc + 1, sizeof(*m->acc));
		m->acc[m->nacc].pid = pid;
		m->acc[m->nacc].reason = reason;
		m->acc[m->nacc].count = 0;
		m->acc[m->nacc++].total_ns = 0;
	}
	return &m->acc[*i];
}

static void add_blocked(struct machine *m, uint32_t ri, uint64_t d)
{
	struct go_row *r = &m->g->rows[ri];
	uint64_t *t;
	uint32_t *i;
	bool added;

	add_sat(&r->blocked_ns, d);
	add_sat(&acc_of(m, r->pid, r->reason)->total_ns, d);
	i = hmap_get(&m->top_map, ri, r->reason, (uint32_t)m->ntop, &added);
	if (added) {
		if (m->ntop == m->top_cap) {
			m->top_cap = m->top_cap ? m->top_cap * 2 : 64;
			m->top_ns = xreallocarray(m->top_ns, m->top_cap, sizeof(*m->top_ns));
		}
		m->top_ns[m->ntop++] = 0;
	}
	t = &m->top_ns[*i];
	add_sat(t, d);
	if (!r->has_top || *t > r->top_ns) {
		r->has_top = true;
		r->top_reason = r->reason;
		r->top_ns = *t;
	}
}

/* The goroutine leaves its state at ts: the time in it is counted. */
static void leave(struct machine *m, uint32_t ri, uint64_t ts)
{
	struct go_row *r = &m->g->rows[ri];
	uint64_t d = ts > r->since ? ts - r->since : 0;

	switch (r->state) {
	case GO_RUNNING:
		add_sat(&r->running_ns, d);
		break;
	case GO_RUNNABLE:
		add_sat(&r->runnable_ns, d);
		break;
	case GO_BLOCKED:
		add_blocked(m, ri, d);
		break;
	}
	if (d && m->g->on_interval && r->state != GO_UNSEEN && r->state != GO_EXITED)
		m->g->on_interval(m->g->interval_arg, r, r->state, r->since, ts);
	r->since = ts;
}

static void enter(struct machine *m, uint32_t ri, uint8_t state, uint64_t ts)
{
	leave(m, ri, ts);
	m->g->rows[ri].state = state;
}

static void step(struct machine *m, const struct go_ev *e)
{
	struct goreport *g = m->g;
	struct go_row *r = &g->rows[e->row];

	if (r->state == GO_EXITED && e->type != GODIAG_REC_GO_CREATE)
		return;
	switch (e->type) {
	case GODIAG_REC_GO_CREATE:
		g->created++;
		r->created = true;
		r->exited = false;
		if (!r->live) {
			r->live = true;
			if (++g->live > g->max_live)
				g->max_live = g->live;
		}
		enter(m, e->row, GO_RUNNABLE, e->ts);
		break;
	case GODIAG_REC_GO_START:
		if (e->x) {
			uint8_t prev = g->rows[e->x - 1].state;

			if (prev == GO_RUNNING || prev == GO_UNSEEN)
				enter(m, e->x - 1, GO_RUNNABLE, e->ts);
		}
		enter(m, e->row, GO_RUNNING, e->ts);
		break;
	case GODIAG_REC_GO_PARK:
		enter(m, e->row, GO_BLOCKED, e->ts);
		r->reason = e->x;
		r->blocks++;
		acc_of(m, r->pid, e->x)->count++;
		break;
	case GODIAG_REC_GO_READY:
		if (r->state != GO_RUNNABLE)
			enter(m, e->row, GO_RUNNABLE, e->ts);
		break;
	case GODIAG_REC_GO_EXIT:
		g->exited++;
		r->exited = true;
		if (r->live) {
			r->live = false;
			g->live--;
		}
		enter(m, e->row, GO_EXITED, e->ts);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Tables                                                              */
/* ------------------------------------------------------------------ */

static int cmp_sym(const void *a, const void *b)
{
	const struct go_sym *x = a, *y = b;

	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	return strcmp(x->func, y->func);
}

/* Merged SYMS sections of one process: sorted again, one entry per pc. */
static void sort_syms(struct go_proc *p)
{
	size_t i, n = 0;

	if (!p->syms_merged)
		return;
	qsort(p->syms, p->nsyms, sizeof(*p->syms), cmp_sym);
	for (i = 0; i < p->nsyms; i++)
		if (!n || p->syms[n - 1].pc != p->syms[i].pc)
			p->syms[n++] = p->syms[i];
	p->nsyms = n;
	p->syms_merged = false;
}

static int cmp_wait_name(const void *a, const void *b)
{
	return strcmp(((const struct go_wait *)a)->reason,
		      ((const struct go_wait *)b)->reason);
}

static int cmp_wait(const void *a, const void *b)
{
	const struct go_wait *x = a, *y = b;

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->reason, y->reason);
}

/* Per (pid, reason) to per name, longest total first. */
static void build_waits(struct goreport *g, const struct machine *m)
{
	char buf[32];
	size_t i, n = 0;

	g->waits = xcalloc(m->nacc ? m->nacc : 1, sizeof(*g->waits));
	for (i = 0; i < m->nacc; i++) {
		const struct wait_acc *a = &m->acc[i];

		g->waits[i].reason = xstrdup(goreport_reason_name(g, a->pid, a->reason,
								  buf, sizeof(buf)));
		g->waits[i].count = a->count;
		g->waits[i].total_ns = a->total_ns;
	}
	qsort(g->waits, m->nacc, sizeof(*g->waits), cmp_wait_name);
	for (i = 0; i < m->nacc; i++) {
		if (n && !strcmp(g->waits[n - 1].reason, g->waits[i].reason)) {
			g->waits[n - 1].count += g->waits[i].count;
			add_sat(&g->waits[n - 1].total_ns, g->waits[i].total_ns);
			free(g->waits[i].reason);
			continue;
		}
		g->waits[n++] = g->waits[i];
	}
	g->nwaits = n;
	qsort(g->waits, n, sizeof(*g->waits), cmp_wait);
}

static int cmp_group_name(const void *a, const void *b)
{
	return strcmp(((const struct go_group *)a)->function,
		      ((const struct go_group *)b)->function);
}

static int cmp_group(const void *a, const void *b)
{
	const struct go_group *x = a, *y = b;

	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->function, y->function);
}

/* Goroutines created in the capture, per function of start_pc or pc. */
static struct go_group *build_groups(const struct goreport *g, bool by_start,
				     size_t *ngroups)
{
	struct hmap map = { 0 };
	struct go_group *groups = NULL;
	uint64_t *pcs = NULL;
	uint32_t *pids = NULL;
	size_t i, n = 0, out = 0;
	char buf[32];

	for (i = 0; i < g->nrows; i++) {
		const struct go_row *r = &g->rows[i];
		uint64_t pc = by_start ? r->start_pc : r->pc;
		uint32_t *gi;
		bool added;

		if (!r->created)
			continue;
		gi = hmap_get(&map, pc, r->pid, (uint32_t)n, &added);
		if (added) {
			groups = xreallocarray(groups, n + 1, sizeof(*groups));
			pcs = xreallocarray(pcs, n + 1, sizeof(*pcs));
			pids = xreallocarray(pids, n + 1, sizeof(*pids));
			groups[n].created = 0;
			pcs[n] = pc;
			pids[n++] = r->pid;
		}
		groups[*gi].created++;
	}
	for (i = 0; i < n; i++)
		groups[i].function = xstrdup(by_start ?
					     goreport_start_name(g, pids[i], pcs[i], buf, sizeof(buf)) :
					     goreport_func_name(g, pids[i], pcs[i], buf, sizeof(buf)));
	if (n > 1)
		qsort(groups, n, sizeof(*groups), cmp_group_name);
	for (i = 0; i < n; i++) {
		if (out && !strcmp(groups[out - 1].function, groups[i].function)) {
			groups[out - 1].created += groups[i].created;
			free(groups[i].function);
			continue;
		}
		groups[out++] = groups[i];
	}
	if (out > 1)
		qsort(groups, out, sizeof(*groups), cmp_group);
	hmap_free(&map);
	free(pcs);
	free(pids);
	*ngroups = out;
	return groups;
}

static int cmp_row(const void *a, const void *b)
{
	const struct go_row *x = a, *y = b;

	if (x->running_ns != y->running_ns)
		return x->running_ns > y->running_ns ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->goid > y->goid) - (x->goid < y->goid);
}

void goreport_finish(struct goreport *g, uint64_t end_ts, uint64_t lost)
{
	struct machine m = { .g = g };
	struct go_ev *tmp;
	size_t i;

	for (i = 0; i < g->nprocs; i++)
		sort_syms(&g->procs[i]);
	tmp = xmalloc((g->nevs / 2 + 1) * sizeof(*tmp));
	sort_events(g->evs, tmp, g->nevs);
	free(tmp);
	if (g->nevs && g->evs[g->nevs - 1].ts > end_ts)
		end_ts = g->evs[g->nevs - 1].ts;
	for (i = 0; i < g->nevs; i++)
		step(&m, &g->evs[i]);
	for (i = 0; i < g->nrows; i++)
		if (g->rows[i].state != GO_UNSEEN && g->rows[i].state != GO_EXITED)
			leave(&m, (uint32_t)i, end_ts);
	g->end_ts = end_ts;
	g->lost = lost;
	build_waits(g, &m);
	g->by_start = build_groups(g, true, &g->nby_start);
	g->by_creator = build_groups(g, false, &g->nby_creator);
	if (g->nrows > 1)
		qsort(g->rows, g->nrows, sizeof(*g->rows), cmp_row);
	hmap_free(&m.wait_map);
	hmap_free(&m.top_map);
	free(m.acc);
	free(m.top_ns);
	free(g->evs);
	g->evs = NULL;
	g->nevs = g->evs_cap = 0;
	hmap_free(&g->row_map);
}

bool goreport_present(const struct goreport *g)
{
	return g->present;
}

const struct go_row *goreport_find(const struct goreport *g, uint32_t pid,
				   uint64_t goid)
{
	size_t i;

	for (i = 0; i < g->nrows; i++)
		if (g->rows[i].pid == pid && g->rows[i].goid == goid)
			return &g->rows[i];
	return NULL;
}

void goreport_free(struct goreport *g)
{
	size_t i, k;

	free(g->rows);
	hmap_free(&g->row_map);
	free(g->evs);
	for (i = 0; i < g->nprocs; i++) {
		free_reasons(&g->procs[i]);
		free(g->procs[i].syms);
		for (k = 0; k < g->procs[i].nblocks; k++)
			free(g->procs[i].blocks[k]);
		free(g->procs[i].blocks);
	}
	free(g->procs);
	hmap_free(&g->proc_map);
	for (i = 0; i < g->nwaits; i++)
		free(g->waits[i].reason);
	free(g->waits);
	for (i = 0; i < g->nby_start; i++)
		free(g->by_start[i].function);
	free(g->by_start);
	for (i = 0; i < g->nby_creator; i++)
		free(g->by_creator[i].function);
	free(g->by_creator);
	memset(g, 0, sizeof(*g));
}
