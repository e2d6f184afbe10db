// SPDX-License-Identifier: GPL-2.0
/* The goroutine part of 'godiagctl report', text and JSON (cmd/report.h). */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "base/util.h"
#include "cmd/report.h"
#include "model/goreport.h"

#define GO_LABEL "%-11s"

/* Text shows the runtime's empty string for reason 0 as "(none)". */
static const char *text_reason(const char *reason)
{
	return reason[0] ? reason : "(none)";
}

static void print_summary(const struct goreport *g, FILE *out)
{
	fprintf(out, GO_LABEL "%llu created, %llu exited, %llu alive at most, "
		"%zu seen\n", "goroutines", (unsigned long long)g->created,
		(unsigned long long)g->exited, (unsigned long long)g->max_live,
		g->nrows);
	if (g->lost)
		fprintf(out, GO_LABEL "%llu events lost: goroutine figures are lower "
			"bounds\n", "note", (unsigned long long)g->lost);
	if (g->skipped)
		fprintf(out, GO_LABEL "%llu goroutine event%s named no goroutine (a "
			"failed memory read) and %s skipped\n", "note",
			(unsigned long long)g->skipped, g->skipped == 1 ? "" : "s",
			g->skipped == 1 ? "was" : "were");
}

static void print_waits(const struct goreport *g, FILE *out)
{
	size_t w = strlen("WAIT REASON"), i;
	char total[16];

	for (i = 0; i < g->nwaits; i++)
		if (strlen(text_reason(g->waits[i].reason)) > w)
			w = strlen(text_reason(g->waits[i].reason));
	fprintf(out, "\n%-*s %10s %10s\n", (int)w, "WAIT REASON", "COUNT", "TOTAL");
	for (i = 0; i < g->nwaits; i++) {
		format_duration(g->waits[i].total_ns, total, sizeof(total));
		fprintf(out, "%-*s %10llu %10s\n", (int)w, text_reason(g->waits[i].reason),
			(unsigned long long)g->waits[i].count, total);
	}
	if (!g->nwaits)
		fputs("(no goroutine blocked)\n", out);
}

static void print_groups(const char *title, const struct go_group *gr, size_t n,
			 FILE *out)
{
	size_t w = strlen(title), i;

	for (i = 0; i < n; i++)
		if (strlen(gr[i].function) > w)
			w = strlen(gr[i].function);
	fprintf(out, "\n%-*s %10s\n", (int)w, title, "CREATED");
	for (i = 0; i < n; i++)
		fprintf(out, "%-*s %10llu\n", (int)w, gr[i].function,
			(unsigned long long)gr[i].created);
	if (!n)
		fputs("(no goroutine created)\n", out);
}

static void print_function(const struct goreport *g, const struct go_row *r,
			   FILE *out)
{
	char sbuf[32], cbuf[32];

	if (!r->created) {
		fputs("(created before the capture)", out);
		return;
	}
	fprintf(out, "%s, created by %s",
		goreport_start_name(g, r->pid, r->start_pc, sbuf, sizeof(sbuf)),
		goreport_func_name(g, r->pid, r->pc, cbuf, sizeof(cbuf)));
	if (r->parent)
		fprintf(out, " in goroutine %llu", (unsigned long long)r->parent);
}

static void print_rows(const struct goreport *g, FILE *out)
{
	char run[16], wait[16], blk[16], sys[16];
	size_t i, n = g->nrows < GOREPORT_TEXT_ROWS ? g->nrows : GOREPORT_TEXT_ROWS;

	fprintf(out, "\n%10s %8s %10s %10s %10s %10s %8s  %s\n", "GOROUTINE", "PID",
		"RUNNING", "RUNNABLE", "BLOCKED", "SYSCALL", "SYSCALLS", "FUNCTION");
	for (i = 0; i < n; i++) {
		const struct go_row *r = &g->rows[i];

		format_duration(r->running_ns, run, sizeof(run));
		format_duration(r->runnable_ns, wait, sizeof(wait));
		format_duration(r->blocked_ns, blk, sizeof(blk));
		format_duration(r->syscall_ns, sys, sizeof(sys));
		fprintf(out, "%10llu %8u %10s %10s %10s %10s %8llu  ",
			(unsigned long long)r->goid, r->pid, run, wait, blk, sys,
			(unsigned long long)r->syscalls);
		print_function(g, r, out);
		fputc('\n', out);
	}
	if (!g->nrows)
		fputs("(no goroutine seen)\n", out);
	else if (g->nrows > n)
		fprintf(out, "... %zu more goroutine%s not shown (--json lists all)\n",
			g->nrows - n, g->nrows - n == 1 ? "" : "s");
}

void goreport_print(const struct goreport *g, FILE *out)
{
	fputc('\n', out);
	print_summary(g, out);
	print_waits(g, out);
	print_groups("START FUNCTION", g->by_start, g->nby_start, out);
	print_groups("CREATED BY", g->by_creator, g->nby_creator, out);
	print_rows(g, out);
}

static void json_groups(struct json *j, const char *key, const struct go_group *gr,
			size_t n)
{
	size_t i;

	json_key(j, key);
	json_array_begin(j);
	for (i = 0; i < n; i++) {
		json_object_begin(j);
		json_kv_string(j, "function", gr[i].function);
		json_kv_u64(j, "created", gr[i].created);
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_row(struct json *j, const struct goreport *g, const struct go_row *r)
{
	char buf[32];

	json_object_begin(j);
	json_kv_u64(j, "goroutine", r->goid);
	json_kv_u64(j, "pid", r->pid);
	json_kv_string_or_null(j, "start", r->created ?
			       goreport_start_name(g, r->pid, r->start_pc, buf, sizeof(buf)) :
			       NULL);
	json_kv_string_or_null(j, "creator", r->created ?
			       goreport_func_name(g, r->pid, r->pc, buf, sizeof(buf)) : NULL);
	json_kv_u64_or_null(j, "parent", r->parent, r->created && r->parent);
	json_kv_bool(j, "created", r->created);
	json_kv_bool(j, "exited", r->exited);
	json_kv_u64(j, "running_ns", r->running_ns);
	json_kv_u64(j, "runnable_ns", r->runnable_ns);
	json_kv_u64(j, "blocked_ns", r->blocked_ns);
	json_kv_u64(j, "syscall_ns", r->syscall_ns);
	json_kv_u64(j, "syscalls", r->syscalls);
	json_kv_u64(j, "blocks", r->blocks);
	json_kv_string_or_null(j, "top_reason", r->has_top ?
			       goreport_reason_name(g, r->pid, r->top_reason, buf,
						    sizeof(buf)) : NULL);
	json_object_end(j);
}

void goreport_json(const struct goreport *g, struct json *j)
{
	size_t i;

	json_key(j, "goroutines");
	json_object_begin(j);
	json_kv_u64(j, "created", g->created);
	json_kv_u64(j, "exited", g->exited);
	json_kv_u64(j, "max_live", g->max_live);
	json_kv_u64(j, "seen", g->nrows);
	json_kv_u64(j, "skipped", g->skipped);
	json_kv_bool(j, "lower_bounds", g->lost != 0);
	json_key(j, "blocked");
	json_array_begin(j);
	for (i = 0; i < g->nwaits; i++) {
		json_object_begin(j);
		json_kv_string(j, "reason", g->waits[i].reason);
		json_kv_u64(j, "count", g->waits[i].count);
		json_kv_u64(j, "total_ns", g->waits[i].total_ns);
		json_object_end(j);
	}
	json_array_end(j);
	json_groups(j, "by_start", g->by_start, g->nby_start);
	json_groups(j, "by_creator", g->by_creator, g->nby_creator);
	json_key(j, "list");
	json_array_begin(j);
	for (i = 0; i < g->nrows; i++)
		json_row(j, g, &g->rows[i]);
	json_array_end(j);
	json_object_end(j);
}
