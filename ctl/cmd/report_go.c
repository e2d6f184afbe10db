// SPDX-License-Identifier: GPL-2.0
/* The goroutine part of 'godiagctl report', text and JSON (cmd/report.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/print.h"
#include "base/syscalls.h"
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
	print_u64(p, PRINT_ANY, "seen", ", %" PRIu64 " seen\n", g->seen);
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
}

static void walk_rows_title(struct printer *p)
{
	print_fp(p, "\n%10s %8s %10s %10s %10s %10s %8s  %s\n", "GOROUTINE", "PID",
		 "RUNNING", "RUNNABLE", "BLOCKED", "SYSCALL", "SYSCALLS", "FUNCTION");
}

static void walk_rows(struct printer *p, const struct goreport *g)
{
	size_t max = g->text_rows ? g->text_rows : GOREPORT_TEXT_ROWS;
	size_t i, n = g->nrows < max ? g->nrows : max;

	walk_rows_title(p);
	print_array_begin(p, "list");
	/* The text shows the first n, JSON every one. */
	for (i = 0; i < g->nrows; i++) {
		print_object_begin(p, NULL);
		walk_row(p, g, &g->rows[i], i < n ? PRINT_ANY : PRINT_JSON);
		print_object_end(p);
	}
	print_array_end(p);
	if (!g->nrows)
		print_fp(p, "(no goroutine seen)\n");
	else if (g->seen > n)
		print_fp(p, "... %" PRIu64 " more goroutine%s not shown%s\n",
			 g->seen - n, g->seen - n == 1 ? "" : "s",
			 g->text_rows ? "" : " (--json lists all)");
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

/* ---- report --goroutine N: one goroutine's time line ---------------- */

/* An offset from the capture's start as text: "12.345678901" (seconds). */
static void walk_offset(struct printer *p, const char *key, const char *fmt, uint64_t ns)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64 ".%09" PRIu64, ns / 1000000000,
		 ns % 1000000000);
	print_string(p, PRINT_FP, key, fmt, buf);
	print_u64(p, PRINT_JSON, key, NULL, ns);
}

static void walk_span(struct printer *p, const struct goreport *g, uint32_t pid,
		      const struct go_span *sp, uint64_t start)
{
	char name[32];
	uint64_t from = sp->from, to = sp->to;

	/* A syscall that returned in the window is cut at its start too. */
	if (g->windowed && from < g->from)
		from = g->from;
	from = from > start ? from - start : 0;
	to = to > start ? to - start : 0;

	print_object_begin(p, NULL);
	walk_offset(p, "from_ns", "%14s", from);
	walk_offset(p, "to_ns", " %14s", to);
	print_duration(p, PRINT_ANY, "duration_ns", " %10s", to - from);
	print_string(p, PRINT_ANY, "state", "  %s", go_state_name(sp->state));
	if (sp->state == GO_BLOCKED)
		print_string(p, PRINT_ANY, "reason", " (%s)",
			     text_reason(goreport_reason_name(g, pid, sp->what, name,
							      sizeof(name))));
	if (sp->state == GO_IN_SYSCALL) {
		syscall_format(sp->what, name, sizeof(name));
		print_string(p, PRINT_ANY, "syscall", " %s", name);
		print_s64(p, PRINT_ANY, "ret", " = %" PRId64, sp->ret);
	}
	print_fp(p, "\n");
	print_object_end(p);
}

void goreport_timeline_walk(struct printer *p, const struct goreport *g,
			    const struct go_row *r, const struct go_timeline *t,
			    uint64_t start)
{
	size_t i;

	print_object_begin(p, "goroutine");
	walk_rows_title(p);
	walk_row(p, g, r, PRINT_ANY);
	print_fp(p, "\n%14s %14s %10s  %s\n", "FROM", "TO", "DURATION", "STATE");
	print_array_begin(p, "intervals");
	for (i = 0; i < t->n; i++)
		walk_span(p, g, r->pid, &t->v[i], start);
	print_array_end(p);
	if (!t->n)
		print_fp(p, "(nothing in the time asked for)\n");
	print_object_end(p);
}
