// SPDX-License-Identifier: GPL-2.0
/*
 * The breakpoint part of 'godiagctl report' (cmd/report.h): text and
 * JSON from one walk of model/breakpoints.h with base/print.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/print.h"
#include "base/util.h"
#include "cmd/report.h"
#include "model/breakpoints.h"

static size_t top(size_t n)
{
	return n < BP_TOP ? n : BP_TOP;
}

static void print_counts(struct printer *p, const struct bp_row *r)
{
	print_label(p, "  hits");
	print_u64(p, PRINT_ANY, "hits", "%" PRIu64, r->hits);
	print_u64(p, PRINT_ANY, "recorded", ", recorded %" PRIu64, r->recorded);
	print_u64(p, PRINT_ANY, "filtered", ", filtered %" PRIu64, r->filtered);
	print_u64(p, PRINT_ANY, "sampled_out", ", sampled out %" PRIu64, r->sampled_out);
	print_u64(p, PRINT_ANY, "rate_limited", ", rate limited %" PRIu64, r->rate_limited);
	print_u64(p, PRINT_ANY, "faults", ", faults %" PRIu64, r->faults);
	print_fp(p, "\n");
}

static void print_latency(struct printer *p, const struct bp_row *r)
{
	static const char *const labels[4] = { ", p50 %s", ", p90 %s", ", p99 %s",
						", max %s" };

	if (!r->latency) {
		print_null(p, PRINT_JSON, "latency");
		return;
	}
	print_label(p, "  latency");
	print_object_begin(p, "latency");
	print_u64(p, PRINT_ANY, "count", "%" PRIu64 " calls", r->ndurs);
	print_percentiles(p, labels, &(struct print_pcts){ r->p50_ns, r->p90_ns,
							   r->p99_ns, r->max_ns });
	print_u64(p, PRINT_ANY, "unmatched", ", %" PRIu64 " unmatched", r->unmatched);
	print_object_end(p);
	print_fp(p, "\n");
}

static void print_values(struct printer *p, const struct bp_counts *c)
{
	size_t i;

	print_array_begin(p, "top");
	for (i = 0; i < top(c->n); i++) {
		print_object_begin(p, NULL);
		print_string(p, PRINT_ANY, "value", "%s", c->v[i].text);
		print_u64(p, PRINT_ANY, "count", " (%" PRIu64 ")", c->v[i].count);
		print_fp(p, "%s", i + 1 < top(c->n) ? ", " : "");
		print_object_end(p);
	}
	print_array_end(p);
}

static void print_args(struct printer *p, const struct bp_row *r)
{
	size_t i;

	print_array_begin(p, "args");
	for (i = 0; i < r->nargs; i++) {
		print_label(p, "  arg");
		print_object_begin(p, NULL);
		print_string(p, PRINT_ANY, "name", "%s", r->args[i].name);
		print_string(p, PRINT_ANY, "type", " %s: ", r->args[i].type);
		print_values(p, &r->args[i].values);
		print_object_end(p);
		print_fp(p, "\n");
	}
	print_array_end(p);
}

static void print_goids(struct printer *p, const struct bp_row *r)
{
	size_t i;

	if (r->ngoids)
		print_label(p, "  goroutine");
	print_array_begin(p, "goroutines");
	for (i = 0; i < top(r->ngoids); i++) {
		print_object_begin(p, NULL);
		print_u64(p, PRINT_ANY, "goroutine", "%" PRIu64, r->goids[i].goid);
		print_u64(p, PRINT_ANY, "count", " (%" PRIu64 ")", r->goids[i].count);
		print_fp(p, "%s", i + 1 < top(r->ngoids) ? ", " : "");
		print_object_end(p);
	}
	print_array_end(p);
	if (r->ngoids)
		print_fp(p, "\n");
}

/* One stack: its frames, '\n'-separated in the model, an array in JSON. */
static void print_frames(struct printer *p, const char *text)
{
	char frame[256];
	const char *nl;
	size_t n;

	print_array_begin(p, "frames");
	while (*text) {
		nl = strchr(text, '\n');
		n = nl ? (size_t)(nl - text) : strlen(text);
		snprintf(frame, sizeof(frame), "%.*s", (int)n, text);
		print_string(p, PRINT_ANY, NULL, "\n      %s", frame);
		text += n + (nl != NULL);
	}
	print_array_end(p);
}

static void print_stacks(struct printer *p, const struct bp_row *r)
{
	size_t i;

	print_array_begin(p, "stacks");
	for (i = 0; i < top(r->stacks.n); i++) {
		print_label(p, "  stack");
		print_object_begin(p, NULL);
		print_u64(p, PRINT_ANY, "count", "%" PRIu64 " hits:", r->stacks.v[i].count);
		print_frames(p, r->stacks.v[i].text);
		print_object_end(p);
		print_fp(p, "\n");
	}
	print_array_end(p);
}

static void print_row(struct printer *p, const struct bp_row *r)
{
	print_object_begin(p, NULL);
	print_fp(p, "\n");
	print_label(p, "breakpoint");
	print_string(p, PRINT_ANY, "spec", "%s", r->spec);
	print_string(p, PRINT_ANY, "function", " (%s", r->function);
	print_u64(p, PRINT_ANY, "sites", ", %" PRIu64 " site(s)", r->sites);
	print_u64(p, PRINT_ANY, "inlined_unprobed", ", %" PRIu64 " inlined copies not probed)\n",
		  r->inlined_unprobed);
	print_counts(p, r);
	print_latency(p, r);
	print_args(p, r);
	print_goids(p, r);
	print_stacks(p, r);
	print_object_end(p);
}

void breakpoints_walk(struct printer *p, const struct breakpoints *b)
{
	size_t i;

	if (!bp_present(b))
		return;
	print_array_begin(p, "breakpoints");
	for (i = 0; i < b->nrows; i++)
		if (!b->rows[i].gc)	/* --gc's: report_gc.c */
			print_row(p, &b->rows[i]);
	print_array_end(p);
}
