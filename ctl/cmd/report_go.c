// SPDX-License-Identifier: GPL-2.0
/* The goroutine part of 'godiagctl report', text and JSON (cmd/report.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/print.h"
#include "base/util.h"
#include "cmd/report.h"
#include "model/goreport.h"

#define GO_LABEL "%-11s"

/* Text shows the runtime's empty string for reason 0 as "(none)". */
static const char *text_reason(const char *reason)
{
	return reason[0] ? reason : "(none)";
}

static void walk_summary(struct printer *p, const struct goreport *g)
{
	print_fp(p, "\n" GO_LABEL, "goroutines");
	print_u64(p, PRINT_ANY, "created", "%" PRIu64 " created", g->created);
	print_u64(p, PRINT_ANY, "exited", ", %" PRIu64 " exited", g->exited);
	print_u64(p, PRINT_ANY, "max_live", ", %" PRIu64 " alive at most", g->max_live);
	print_u64(p, PRINT_ANY, "seen", ", %" PRIu64 " seen\n", g->nrows);
	print_u64(p, PRINT_JSON, "skipped", NULL, g->skipped);
	print_bool(p, PRINT_JSON, "lower_bounds", NULL, g->lost != 0);
	if (g->lost) {
		print_fp(p, GO_LABEL, "note");
		print_u64(p, PRINT_FP, "lower_bounds", "%" PRIu64 " events lost: "
			  "goroutine figures are lower bounds\n", g->lost);
	}
	if (g->skipped) {
		print_fp(p, GO_LABEL, "note");
		print_u64(p, PRINT_FP, "skipped", "%" PRIu64, g->skipped);
		print_fp(p, " goroutine event%s named no goroutine (a failed memory "
			 "read) and %s skipped\n", g->skipped == 1 ? "" : "s",
			 g->skipped == 1 ? "was" : "were");
	}
}

static void walk_waits(struct printer *p, const struct goreport *g)
{
	size_t w = strlen("WAIT REASON"), i;
	char fmt[PRINT_COLUMN_FMT];

	for (i = 0; i < g->nwaits; i++)
		if (strlen(text_reason(g->waits[i].reason)) > w)
			w = strlen(text_reason(g->waits[i].reason));
	print_column_fmt(fmt, w);
	print_fp(p, "\n%-*s %10s %10s\n", (int)w, "WAIT REASON", "COUNT", "TOTAL");
	print_array_begin(p, "blocked");
	for (i = 0; i < g->nwaits; i++) {
		print_object_begin(p, NULL);
		print_string(p, PRINT_FP, "reason", fmt, text_reason(g->waits[i].reason));
		print_string(p, PRINT_JSON, "reason", NULL, g->waits[i].reason);
		print_u64(p, PRINT_ANY, "count", " %10" PRIu64, g->waits[i].count);
		print_duration(p, PRINT_ANY, "total_ns", " %10s\n", g->waits[i].total_ns);
		print_object_end(p);
	}
	print_array_end(p);
	if (!g->nwaits)
		print_fp(p, "(no goroutine blocked)\n");
}

static void walk_groups(struct printer *p, const char *key, const char *title,
			const struct go_group *gr, size_t n)
{
	size_t w = strlen(title), i;
	char fmt[PRINT_COLUMN_FMT];

	for (i = 0; i < n; i++)
		if (strlen(gr[i].function) > w)
			w = strlen(gr[i].function);
	print_column_fmt(fmt, w);
	print_fp(p, "\n%-*s %10s\n", (int)w, title, "CREATED");
	print_array_begin(p, key);
	for (i = 0; i < n; i++) {
		print_object_begin(p, NULL);
		print_string(p, PRINT_ANY, "function", fmt, gr[i].function);
		print_u64(p, PRINT_ANY, "created", " %10" PRIu64 "\n", gr[i].created);
		print_object_end(p);
	}
	print_array_end(p);
	if (!n)
		print_fp(p, "(no goroutine created)\n");
}

/*
 * A goroutine: in the text (to PRINT_ANY) its times, then where it
 * started; in JSON where it started comes first.
 */
static void walk_row(struct printer *p, const struct goreport *g,
		     const struct go_row *r, enum print_to to)
{
	enum print_to fp = print_side(to, PRINT_FP);
	char start[32], creator[32], reason[32];
	const char *sname = NULL, *cname = NULL;

	if (r->created) {
		sname = goreport_start_name(g, r->pid, r->start_pc, start, sizeof(start));
		cname = goreport_func_name(g, r->pid, r->pc, creator, sizeof(creator));
	}
	print_object_begin(p, NULL);
	print_u64(p, to, "goroutine", "%10" PRIu64, r->goid);
	print_u64(p, to, "pid", " %8" PRIu64, r->pid);
	print_string(p, PRINT_JSON, "start", NULL, sname);
	print_string(p, PRINT_JSON, "creator", NULL, cname);
	if (r->created && r->parent)
		print_u64(p, PRINT_JSON, "parent", NULL, r->parent);
	else
		print_null(p, PRINT_JSON, "parent");
	print_bool(p, PRINT_JSON, "created", NULL, r->created);
	print_bool(p, PRINT_JSON, "exited", NULL, r->exited);
	print_duration(p, to, "running_ns", " %10s", r->running_ns);
	print_duration(p, to, "runnable_ns", " %10s", r->runnable_ns);
	print_duration(p, to, "blocked_ns", " %10s", r->blocked_ns);
	print_duration(p, to, "syscall_ns", " %10s", r->syscall_ns);
	print_u64(p, to, "syscalls", " %8" PRIu64 "  ", r->syscalls);
	print_u64(p, PRINT_JSON, "blocks", NULL, r->blocks);
	print_string(p, PRINT_JSON, "top_reason", NULL, r->has_top ?
		     goreport_reason_name(g, r->pid, r->top_reason, reason,
					  sizeof(reason)) : NULL);
	if (!r->created)
		print_string(p, fp, "created", "%s", "(created before the capture)");
	print_string(p, fp, "start", "%s", sname);
	print_string(p, fp, "creator", ", created by %s", cname);
	if (r->created && r->parent)
		print_u64(p, fp, "parent", " in goroutine %" PRIu64, r->parent);
	if (fp)
		print_fp(p, "\n");
	print_object_end(p);
}

static void walk_rows(struct printer *p, const struct goreport *g)
{
	size_t i, n = g->nrows < GOREPORT_TEXT_ROWS ? g->nrows : GOREPORT_TEXT_ROWS;

	print_fp(p, "\n%10s %8s %10s %10s %10s %10s %8s  %s\n", "GOROUTINE", "PID",
		 "RUNNING", "RUNNABLE", "BLOCKED", "SYSCALL", "SYSCALLS", "FUNCTION");
	print_array_begin(p, "list");
	/* The text shows the first n, JSON every one. */
	for (i = 0; i < g->nrows; i++)
		walk_row(p, g, &g->rows[i], i < n ? PRINT_ANY : PRINT_JSON);
	print_array_end(p);
	if (!g->nrows)
		print_fp(p, "(no goroutine seen)\n");
	else if (g->nrows > n)
		print_fp(p, "... %zu more goroutine%s not shown (--json lists all)\n",
			 g->nrows - n, g->nrows - n == 1 ? "" : "s");
}

void goreport_walk(struct printer *p, const struct goreport *g)
{
	print_object_begin(p, "goroutines");
	walk_summary(p, g);
	walk_waits(p, g);
	walk_groups(p, "by_start", "START FUNCTION", g->by_start, g->nby_start);
	walk_groups(p, "by_creator", "CREATED BY", g->by_creator, g->nby_creator);
	walk_rows(p, g);
	print_object_end(p);
}
