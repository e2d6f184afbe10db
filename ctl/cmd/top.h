/* SPDX-License-Identifier: GPL-2.0 */
/*
 * godiagctl top: what one screen shows (struct top_view) and how it is
 * drawn (top_view.c), apart from where the figures come from (top.c),
 * so the unit tests draw screens of synthetic figures.
 */
#ifndef GODIAGCTL_TOP_H
#define GODIAGCTL_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/live.h"

/* The orders of the syscall table; 's' goes to the next. */
enum top_sort {
	TOP_SORT_RATE,		/* calls per second in the last interval (default) */
	TOP_SORT_COUNT,		/* calls since top started */
	TOP_SORT_TOTAL,		/* time in the syscall since top started */
	TOP_SORT_P99,
	TOP_SORT_MAX,
	TOP_SORTS,
};

const char *top_sort_name(enum top_sort s);
/* -1 for a name that is none of them. */
int top_sort_parse(const char *name);

/* One syscall, from the module's histogram of the target. */
struct top_sc {
	uint32_t nr;
	uint64_t count;		/* since top started */
	uint64_t delta;		/* in the last interval */
	uint64_t total_ns;
	uint64_t p50_ns, p99_ns;	/* approximate: bucket upper bounds */
	uint64_t max_ns;
};

/* One blocked goroutine. */
struct top_blocked {
	uint64_t goid;
	const char *start;
	const char *reason;
	uint64_t wait_ns;
	bool at_least;		/* blocked before top started: at least wait_ns */
};

/* One breakpoint (--break), from its probes' counters. */
struct top_break {
	const char *spec;
	uint64_t hits;		/* since top started */
	uint64_t delta;		/* in the last interval */
};

struct top_view {
	uint32_t pid;
	const char *comm;
	const char *go_version;
	uint64_t elapsed_ns;	/* since top started */
	uint64_t interval_ns;	/* the last interval, for the rates */
	enum top_sort sort;
	bool exited;		/* the target has exited: the last screen */

	uint64_t states[LIVE_STATES];	/* not the runtime's goroutines */
	uint64_t system;		/* the runtime's */
	const struct live_count *reasons;
	size_t nreasons;
	const struct top_blocked *blocked;	/* longest first */
	size_t nblocked;
	struct top_sc *sc;		/* top_sort_view() orders them */
	size_t nsc;
	const struct top_break *breaks;
	size_t nbreaks;

	uint64_t records;	/* goroutine and breakpoint records read */
	uint64_t lost;		/* records the module could not write */
	uint64_t stale;		/* goroutine records too late to fold in */
	uint64_t resyncs;	/* goroutines read again after losses */
};

/*
 * The goroutine part of v from l at now: counts, wait reasons and the
 * longest blocked goroutines, into *blocked and *reasons (reallocated;
 * the caller frees them). The names point into l.
 */
void top_view_live(struct top_view *v, const struct live *l, uint64_t now,
		   struct top_blocked **blocked, struct live_count **reasons);

/* Orders v->sc by v->sort, most first; ties by count, then number. */
void top_sort_view(struct top_view *v);

/*
 * Draws v as text: every line at most width columns (0: no limit), at
 * most height lines (0: every row, up to TOP_ROWS_MAX per table). The
 * tables share what the height leaves.
 */
#define TOP_ROWS_MAX	10
void top_render(FILE *out, const struct top_view *v, unsigned int width,
		unsigned int height);

#endif
