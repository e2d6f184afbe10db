/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How 'godiagctl report' prints what model/analyze.h computes from a
 * capture file: text or JSON from one walk (report.c), the goroutine
 * part of it (report_go.c).
 */
#ifndef GODIAGCTL_CMD_REPORT_H
#define GODIAGCTL_CMD_REPORT_H

#include <stdio.h>

#include "base/print.h"
#include "model/analyze.h"

/*
 * For a file that is not complete: where it was cut and what the report
 * covers, in one line ("file cut at byte N in section RECORDS: the
 * report covers the records of its first 4.52 s").
 */
void report_cut_text(const struct report *r, char *buf, size_t len);

/*
 * The report, text or JSON, from one walk (base/print.h): the text's
 * header, the syscall table, the goroutine section; the JSON object
 * whose shape report's --help gives.
 */
void report_walk(struct printer *p, const struct report *r);
void report_print(const struct report *r, FILE *out);
void report_print_json(const struct report *r, FILE *out);

/* Rows the text output lists (by running time); JSON lists all. */
#define GOREPORT_TEXT_ROWS	20

/*
 * The goroutine section, text or JSON, from one walk. Text: a summary
 * line, the lost-events note, the wait reasons by total time, start and
 * creator functions by count, the GOREPORT_TEXT_ROWS goroutines that ran
 * longest and how many were left out. JSON: the member
 * "goroutines":{"created":N,"exited":N,"max_live":N,
 * "seen":N,"skipped":N,"lower_bounds":B,
 * "blocked":[{"reason":S,"count":N,"total_ns":N},...],
 * "by_start":[{"function":S,"created":N},...],"by_creator":[...],
 * "list":[{"goroutine":N,"pid":N,"start":S|null,"creator":S|null,
 * "parent":N|null,"created":B,"exited":B,"running_ns":N,"runnable_ns":N,
 * "blocked_ns":N,"syscall_ns":N,"syscalls":N,"blocks":N,
 * "top_reason":S|null},...]} of the object being written.
 */
void goreport_walk(struct printer *p, const struct goreport *g);

/*
 * 'report --goroutine N' (report_go.c): the goroutine's row and its time
 * line t, times as offsets from start (the capture's start), text or the
 * member "goroutine":{the members of a "list" element,
 * "intervals":[{"from_ns":N,"to_ns":N,"duration_ns":N,"state":S,
 * "reason":S (blocked),"syscall":S,"ret":N (syscall)},...]}.
 */
void goreport_timeline_walk(struct printer *p, const struct goreport *g,
			    const struct go_row *r, const struct go_timeline *t,
			    uint64_t start);

/*
 * The breakpoints (report_break.c), text or JSON from one walk, nothing
 * when the file has none: the member "breakpoints":[{"spec":S,
 * "function":S,"sites":N,"inlined_unprobed":N,"hits":N,"recorded":N,
 * "filtered":N,"sampled_out":N,"rate_limited":N,"faults":N,
 * "latency":{"count":N,"p50_ns":N,"p90_ns":N,"p99_ns":N,"max_ns":N,
 * "unmatched":N}|null,"args":[{"name":S,"type":S,"top":[{"value":S,
 * "count":N}]}],"goroutines":[{"goroutine":N,"count":N}],
 * "stacks":[{"count":N,"frames":[S]}]}] of the object being written.
 */
struct breakpoints;
void breakpoints_walk(struct printer *p, const struct breakpoints *b);
struct gcstats;
/*
 * --gc's GC cycles and pauses (report_gc.c), nothing when the file has
 * none: the member "gc":{"cycles":N,"completed":N,"pauses":N,"stw_ns":N,
 * "stw_ppm":N,"wall_ns":N,"unpaired":N,"classified_by":S,
 * "pause":{"p50_ns":N,"p99_ns":N,"max_ns":N},"gc_pause":{...},
 * "reasons":[{"reason":S,"count":N,"total_ns":N,"max_ns":N}],
 * "list":[{"pid":N,"start_ns":N,"duration_ns":N|null,"pause_ns":N,
 * "numgc":N|null,"heap_live_start":N|null,"heap_live_end":N|null,
 * "heap_goal":N|null,"gogc":N|null,"memlimit":N|null}],
 * "heap":[{"t_ns":N,"pid":N,"at":"stop"|"start","heap_live":N,
 * "heap_goal":N|null}]}.
 */
void gcreport_walk(struct printer *p, const struct gcstats *g);

#endif
