// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl top's screen: a title, the goroutines by state, then tables
 * (wait reasons, syscalls, the longest blocked goroutines, breakpoints)
 * sharing the lines the terminal has, and the loss counters last. Every
 * line is cut to the terminal's width, so a plain 80x24 terminal shows
 * all of it without wrapping.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/print.h"
#include "base/syscalls.h"
#include "base/util.h"
#include "cmd/top.h"

static const char *const sort_names[TOP_SORTS] = { "rate", "count", "total", "p99", "max" };

const char *top_sort_name(enum top_sort s)
{
	return (unsigned int)s < TOP_SORTS ? sort_names[s] : "?";
}

int top_sort_parse(const char *name)
{
	int i;

	for (i = 0; i < TOP_SORTS; i++)
		if (!strcmp(name, sort_names[i]))
			return i;
	return -1;
}

static uint64_t sort_key(const struct top_sc *s, enum top_sort k)
{
	switch (k) {
	case TOP_SORT_RATE:
		return s->delta;
	case TOP_SORT_COUNT:
		return s->count;
	case TOP_SORT_TOTAL:
		return s->total_ns;
	case TOP_SORT_P99:
		return s->p99_ns;
	default:
		return s->max_ns;
	}
}

static enum top_sort sorting;

static int cmp_sc(const void *a, const void *b)
{
	const struct top_sc *x = a, *y = b;
	uint64_t kx = sort_key(x, sorting), ky = sort_key(y, sorting);

	if (kx != ky)
		return kx > ky ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return (x->nr > y->nr) - (x->nr < y->nr);
}

void top_sort_view(struct top_view *v)
{
	sorting = v->sort;
	if (v->nsc > 1)
		qsort(v->sc, v->nsc, sizeof(*v->sc), cmp_sc);
}

void top_view_live(struct top_view *v, const struct live *l, uint64_t now,
		   struct top_blocked **blocked, struct live_count **reasons)
{
	const struct live_g **g;
	size_t n, i;

	live_count(l, v->states, &v->system);
	free(*reasons);
	*reasons = live_reasons(l, &n);
	v->reasons = *reasons;
	v->nreasons = n;
	g = live_longest_blocked(l, TOP_ROWS_MAX * 10, &n);
	*blocked = xreallocarray(*blocked, n ? n : 1, sizeof(**blocked));
	for (i = 0; i < n; i++) {
		struct top_blocked *b = &(*blocked)[i];

		b->goid = g[i]->goid;
		b->start = live_str(l, g[i]->start);
		b->reason = live_str(l, g[i]->reason);
		b->wait_ns = now > g[i]->since ? now - g[i]->since : 0;
		b->at_least = !g[i]->since_known;
	}
	free(g);
	v->blocked = *blocked;
	v->nblocked = n;
}

/* One line of the screen, cut to width columns (the text is ASCII). */
__attribute__((format(printf, 3, 4)))
static void line(struct printer *p, unsigned int width, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (width && width < sizeof(buf))
		buf[width] = '\0';
	/* No trailing blanks: a padded last column is not part of the text. */
	for (size_t n = strlen(buf); n && buf[n - 1] == ' '; n--)
		buf[n - 1] = '\0';
	print_fp(p, "%s\n", buf);
}

static void dur(uint64_t ns, char *buf, size_t len)
{
	format_duration(ns, buf, len);
}

/* Calls per second over the interval, one decimal. */
static void rate(uint64_t delta, uint64_t interval_ns, char *buf, size_t len)
{
	uint64_t tenths = interval_ns ? delta * 10000000000ULL / interval_ns : 0;

	snprintf(buf, len, "%" PRIu64 ".%" PRIu64, tenths / 10, tenths % 10);
}

enum { T_REASONS, T_SYSCALLS, T_BLOCKED, T_BREAKS, T_TABLES };

/*
 * Rows per table: with a height, one more row to each table in turn
 * (syscalls, blocked, reasons, breakpoints) while lines are left; a
 * table without room for its header and a row is left out (-1).
 */
static void layout(const struct top_view *v, unsigned int height, int rows[T_TABLES])
{
	static const int order[T_TABLES] = { T_SYSCALLS, T_BLOCKED, T_REASONS, T_BREAKS };
	size_t have[T_TABLES] = { v->nreasons, v->nsc, v->nblocked, v->nbreaks };
	int left, i, t;
	bool more;

	for (t = 0; t < T_TABLES; t++)
		rows[t] = have[t] < TOP_ROWS_MAX ? (int)have[t] : TOP_ROWS_MAX;
	if (!v->nbreaks)
		rows[T_BREAKS] = -1;
	if (!height)
		return;
	/* title, goroutines, losses; then a blank line and a header per table */
	left = (int)height - 3;
	for (i = 0; i < T_TABLES; i++) {
		t = order[i];
		if (rows[t] < 0)
			continue;
		if (left < 2) {
			rows[t] = -1;
			continue;
		}
		left -= 2;
		rows[t] = 0;
	}
	do {
		more = false;
		for (i = 0; i < T_TABLES && left > 0; i++) {
			t = order[i];
			if (rows[t] < 0 || (size_t)rows[t] >= have[t])
				continue;
			rows[t]++;
			left--;
			more = true;
		}
	} while (more && left > 0);
}

static void title(struct printer *p, const struct top_view *v, unsigned int w)
{
	char up[32];

	dur(v->elapsed_ns, up, sizeof(up));
	line(p, w, "PID %" PRIu32 " (%s) %s  up %s  sort %s%s", v->pid,
	     v->comm && *v->comm ? v->comm : "?", v->go_version ? v->go_version : "",
	     up, top_sort_name(v->sort), v->exited ? "  EXITED" : "  (q quit, s sort)");
}

static void goroutines(struct printer *p, const struct top_view *v, unsigned int w)
{
	uint64_t total = v->states[LIVE_RUNNING] + v->states[LIVE_RUNNABLE] +
			 v->states[LIVE_BLOCKED];

	line(p, w, "goroutines %" PRIu64 ": %" PRIu64 " running, %" PRIu64 " runnable, %"
	     PRIu64 " blocked; %" PRIu64 " of the runtime's not shown", total,
	     v->states[LIVE_RUNNING], v->states[LIVE_RUNNABLE], v->states[LIVE_BLOCKED],
	     v->system);
}

static void reasons(struct printer *p, const struct top_view *v, unsigned int w, int n)
{
	int i;

	print_fp(p, "\n");
	line(p, w, "%-40s %10s", "WAIT REASON", "GOROUTINES");
	for (i = 0; i < n; i++)
		line(p, w, "%-40.40s %10" PRIu64, v->reasons[i].name, v->reasons[i].n);
}

static void syscalls(struct printer *p, const struct top_view *v, unsigned int w, int n)
{
	char name[32], r[24], p50[24], p99[24], max[24], tot[24];
	int i;

	print_fp(p, "\n");
	line(p, w, "%-16s %9s %9s %9s %9s %9s %9s", "SYSCALL", "COUNT", "RATE/s", "~P50",
	     "~P99", "MAX", "TOTAL");
	for (i = 0; i < n; i++) {
		const struct top_sc *s = &v->sc[i];

		syscall_format(s->nr, name, sizeof(name));
		rate(s->delta, v->interval_ns, r, sizeof(r));
		dur(s->p50_ns, p50, sizeof(p50));
		dur(s->p99_ns, p99, sizeof(p99));
		dur(s->max_ns, max, sizeof(max));
		dur(s->total_ns, tot, sizeof(tot));
		line(p, w, "%-16.16s %9" PRIu64 " %9s %9s %9s %9s %9s", name, s->count, r, p50,
		     p99, max, tot);
	}
}

static void blocked(struct printer *p, const struct top_view *v, unsigned int w, int n)
{
	char d[24], t[32];
	int i;

	print_fp(p, "\n");
	line(p, w, "%-9s %-30s %-24s %10s", "GOROUTINE", "START", "BLOCKED ON", "FOR");
	for (i = 0; i < n; i++) {
		const struct top_blocked *b = &v->blocked[i];

		dur(b->wait_ns, d, sizeof(d));
		snprintf(t, sizeof(t), "%s%s", b->at_least ? ">" : "", d);
		line(p, w, "%-9" PRIu64 " %-30.30s %-24.24s %10s", b->goid, b->start,
		     b->reason, t);
	}
}

static void breaks(struct printer *p, const struct top_view *v, unsigned int w, int n)
{
	char r[24];
	int i;

	print_fp(p, "\n");
	line(p, w, "%-48s %10s %9s", "BREAKPOINT", "HITS", "RATE/s");
	for (i = 0; i < n; i++) {
		rate(v->breaks[i].delta, v->interval_ns, r, sizeof(r));
		line(p, w, "%-48.48s %10" PRIu64 " %9s", v->breaks[i].spec, v->breaks[i].hits, r);
	}
}

void top_render(FILE *out, const struct top_view *v, unsigned int width,
		unsigned int height)
{
	struct printer p = { 0 };
	int rows[T_TABLES];

	layout(v, height, rows);
	print_begin(&p, out, false);
	title(&p, v, width);
	goroutines(&p, v, width);
	if (rows[T_REASONS] >= 0)
		reasons(&p, v, width, rows[T_REASONS]);
	if (rows[T_SYSCALLS] >= 0)
		syscalls(&p, v, width, rows[T_SYSCALLS]);
	if (rows[T_BLOCKED] >= 0)
		blocked(&p, v, width, rows[T_BLOCKED]);
	if (rows[T_BREAKS] >= 0)
		breaks(&p, v, width, rows[T_BREAKS]);
	line(&p, width, "records %" PRIu64 ", lost %" PRIu64 ", too late %" PRIu64
	     ", goroutines read again %" PRIu64, v->records, v->lost, v->stale, v->resyncs);
	print_end(&p);
}
