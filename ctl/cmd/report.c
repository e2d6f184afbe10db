// SPDX-License-Identifier: GPL-2.0
/* godiagctl report: what a capture file says, as a table or JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/print.h"
#include "base/syscalls.h"
#include "base/util.h"
#include "cmd/capload.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "gobin/buildid.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const char *const report_usage =
	"Usage: " PROG " report FILE [--json] [--pid PID] [--since TIME] [--until TIME]\n"
	"              [--syscall NAME] [--top N] [--sort FIELD]\n"
	"       " PROG " report FILE --goroutine N [--pid PID] [--since TIME]\n"
	"              [--until TIME] [--syscall NAME] [--json]\n"
	"\n"
	"Summarise a capture file written by '" PROG " capture': when and where\n"
	"it was captured (start in UTC, duration, host, kernel, buffer, command,\n"
	"targets), the events recorded, lost and written by the module, notes,\n"
	"then one row per syscall, longest total time first: calls, total time,\n"
	"exact percentiles (nearest rank) p50, p90 and p99, the longest call,\n"
	"and errors (returns -4095..-1).\n"
	"\n"
	"A file cut short (its capture was killed, the disk filled, or it was\n"
	"copied while being written) is reported up to the cut: every complete\n"
	"section and every complete record before it, with a line saying where\n"
	"it was cut (exit status 5). FILE may be a pipe (at most 1 GiB).\n"
	"\n"
	"When the file has goroutine events or a Go target's wait reasons (a\n"
	"capture of a Go program), a goroutine section follows: goroutines\n"
	"created, exited and alive at most (of those created during the\n"
	"capture); time blocked per wait reason (the Go runtime's own strings),\n"
	"longest first; goroutines created per start function, named as Go's\n"
	"tracebacks and goroutine profiles name them (for a go statement with\n"
	"arguments, the function it calls, not the compiler's wrapper), and per\n"
	"function holding the go statement; then the " STR(GOREPORT_TEXT_ROWS) " goroutines that ran\n"
	"longest, with running, runnable, blocked and in-syscall time (a part\n"
	"of running time) and syscalls. When events were lost these figures\n"
	"are lower bounds. Otherwise the section and its JSON member are absent.\n"
	"\n"
	"Durations print with three significant digits, from a minute on to the\n"
	"second (1m02s, 1h02m03s).\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID        count only process PID's records in the tables\n"
	"                       (the header still describes the whole file)\n"
	"      --since TIME     count only what happened from TIME on: syscalls\n"
	"                       that returned then, goroutines' time (cut there),\n"
	"                       goroutines created, exited, blocked; TIME is an\n"
	"                       offset from the start (1.5s, 200ms, 2m) or a\n"
	"                       wall-clock time in UTC (2026-12-07T21:03:04Z, or\n"
	"                       21:03:04 on the day the capture started)\n"
	"      --until TIME     ... up to TIME\n"
	"      --syscall NAME   count only the calls of syscall NAME\n"
	"      --top N          at most N rows in each table, text and JSON\n"
	"      --sort FIELD     the syscalls by total (default), count, errors,\n"
	"                       max, p50, p90 or p99; the goroutines by running\n"
	"                       (default), runnable, blocked, syscall, syscalls\n"
	"                       or goroutine (id)\n"
	"  -g, --goroutine N    instead of the report, goroutine N's row and time\n"
	"                       line: each interval running, runnable, blocked\n"
	"                       (wait reason) or in a syscall (name, return\n"
	"                       value), from and to in seconds since the start;\n"
	"                       --pid says which when several processes have an\n"
	"                       N. JSON: {\"goroutine\":{the members of a \"list\"\n"
	"                       element,\"intervals\":[{\"from_ns\":N,\"to_ns\":N,\n"
	"                       \"duration_ns\":N,\"state\":S,\"reason\":S|\n"
	"                       \"syscall\":S,\"ret\":N},...]}}\n"
	"  -j, --json    print one JSON object:\n"
	"                {\"events\":{\"recorded\":N,\"lost\":N},\n"
	"                 \"syscalls\":[{\"name\":S,\"nr\":N,\"count\":N,\"errors\":N,\n"
	"                   \"total_ns\":N,\"p50_ns\":N,\"p90_ns\":N,\"p99_ns\":N,\n"
	"                   \"max_ns\":N},...],\n"
	"                 \"capture\":{\"duration_ns\":N,\"written\":N,\"read\":N,\n"
	"                   \"mode\":S,\"written_estimated\":B,\"start\":S,\n"
	"                   \"start_realtime_ns\":N,\"host\":S,\"kernel\":S,\n"
	"                   \"buffer_size\":N,\"command\":S},\n"
	"                 \"processes\":[{\"pid\":N,\"syscalls\":N,\"events\":N},\n"
	"                   ...],\n"
	"                 \"targets\":[...],\"notes\":[...],\n"
	"                 \"file\":{\"version\":N,\"complete\":B,\"cut\":null or\n"
	"                   {\"byte\":N,\"section\":S,\"covers_ns\":N}}}\n"
	"                (start, start_realtime_ns, host, kernel, buffer_size\n"
	"                and command are null when the file does not say;\n"
	"                written_estimated is true when the file has no\n"
	"                counters of the module and written is recorded + lost)\n"
	"                with goroutine events, after \"syscalls\":\n"
	"                \"goroutines\":{\"created\":N,\"exited\":N,\"max_live\":N,\n"
	"                  \"seen\":N,\"skipped\":N,\"lower_bounds\":B,\n"
	"                  \"blocked\":[{\"reason\":S,\"count\":N,\"total_ns\":N},...],\n"
	"                  \"by_start\":[{\"function\":S,\"created\":N},...],\n"
	"                  \"by_creator\":[{\"function\":S,\"created\":N},...],\n"
	"                  \"list\":[{\"goroutine\":N,\"pid\":N,\"start\":S,\n"
	"                    \"creator\":S,\"parent\":N,\"created\":B,\"exited\":B,\n"
	"                    \"running_ns\":N,\"runnable_ns\":N,\"blocked_ns\":N,\n"
	"                    \"syscall_ns\":N,\"syscalls\":N,\"blocks\":N,\n"
	"                    \"top_reason\":S},...]}\n"
	"                (every goroutine seen, longest running first; start,\n"
	"                creator and parent are null for goroutines created\n"
	"                before the capture, top_reason when never blocked)\n"
	"                with --gc, after the breakpoints:\n"
	"                \"gc\":{\"cycles\":N,\"completed\":N,\"pauses\":N,\n"
	"                  \"stw_ns\":N,\"stw_ppm\":N,\"wall_ns\":N,\"unpaired\":N,\n"
	"                  \"classified_by\":S,\"pause\":{\"p50_ns\":N,\"p99_ns\":N,\n"
	"                  \"max_ns\":N},\"gc_pause\":{...},\"reasons\":[{\"reason\":S,\n"
	"                  \"count\":N,\"total_ns\":N,\"max_ns\":N},...],\n"
	"                  \"list\":[{\"pid\":N,\"start_ns\":N,\"duration_ns\":N,\n"
	"                    \"pause_ns\":N,\"numgc\":N,\"heap_live_start\":N,\n"
	"                    \"heap_live_end\":N,\"heap_goal\":N,\"gogc\":N,\n"
	"                    \"memlimit\":N},...],\"heap\":[{\"t_ns\":N,\"pid\":N,\n"
	"                    \"at\":S,\"heap_live\":N,\"heap_goal\":N},...]}\n"
	"                (a figure the binary did not locate is null)\n"
	"  -h, --help    show this help\n"
	"\n"
	"Exit status: 0 the file was complete; 5 it was cut short (reported up\n"
	"to the cut); 1 a usage error (an unknown syscall, a bad TIME, a\n"
	"goroutine not in the capture), or FILE is missing, is not a capture file\n"
	"or is damaged; 4 FILE may not be read (permission); 3 it could not be\n"
	"read.\n";

#define LABEL "%-9s"

static bool discard_mode(const struct report *r)
{
	return !strcmp(r->mode, "discard");
}

/*
 * The text's header sums up values the JSON has in several members, in
 * another order: its values are keyed by those members' paths (the text
 * path "capture.host" is the JSON's "capture":{"host":...}).
 */
static void text_capture(struct printer *p, const struct report *r)
{
	char size[32], when[40];

	print_object_begin_to(p, PRINT_FP, "capture");
	print_fp(p, LABEL, "capture");
	print_duration(p, PRINT_FP, "duration_ns", "%s", report_duration(r));
	if (r->start_real) {
		format_utc(r->start_real, when, sizeof(when));
		print_string(p, PRINT_FP, "start", " from %s", when);
	}
	if (r->hostname[0])
		print_string(p, PRINT_FP, "host", " on %s", r->hostname);
	if (r->kernel[0])
		print_string(p, PRINT_FP, "kernel", ", kernel %s", r->kernel);
	if (r->mode[0])
		print_string(p, PRINT_FP, "mode", ", %s mode", r->mode);
	if (r->buffer_size) {
		format_size(r->buffer_size, size, sizeof(size));
		print_string(p, PRINT_FP, "buffer_size", ", %s per CPU", size);
	}
	print_fp(p, "\n");
	if (r->command[0]) {
		print_fp(p, LABEL, "command");
		print_string(p, PRINT_FP, "command", "%s\n", r->command);
	}
	print_object_end_to(p, PRINT_FP);
}

/* A target's Go version and build id, as capture recorded them (null: unknown). */
static void walk_build(struct printer *p, enum print_to to, const struct target_row *t)
{
	enum print_to js = print_side(to, PRINT_JSON);

	if (t->go_version)
		print_string(p, to, "go_version", " %s", t->go_version);
	else
		print_null(p, js, "go_version");
	if (t->build_id)
		print_string(p, to, "build_id", " build id %s", t->build_id);
	else
		print_null(p, js, "build_id");
}

/* The targets: text lines in the header (to PRINT_FP), or the JSON member. */
static void walk_targets(struct printer *p, const struct report *r,
			 enum print_to to)
{
	enum print_to fp = print_side(to, PRINT_FP), js = print_side(to, PRINT_JSON);
	size_t i;

	print_array_begin_to(p, to, "targets");
	for (i = 0; i < r->ntargets; i++) {
		const struct target_row *t = &r->targets[i];
		bool follow = t->flags & GODIAG_TF_FOLLOW_CHILDREN;

		print_object_begin_to(p, to, NULL);
		if (fp)
			print_fp(p, LABEL, "target");
		print_u64(p, to, "pid", "%" PRIu64, t->pid);
		print_string(p, t->comm[0] ? to : js, "comm", " %s", t->comm);
		print_string(p, t->exe[0] ? to : js, "exe", " (%s)", t->exe);
		walk_build(p, to, t);
		print_bool(p, js, "follow_children", NULL, follow);
		if (follow)
			print_string(p, fp, "follow_children", "%s", ", following children");
		if (fp)
			print_fp(p, "\n");
		print_object_end_to(p, to);
	}
	print_array_end_to(p, to);
}

static void text_events(struct printer *p, const struct report *r)
{
	print_fp(p, LABEL, "events");
	print_object_begin_to(p, PRINT_FP, "events");
	print_u64(p, PRINT_FP, "recorded", "%" PRIu64 " recorded", r->recorded);
	print_u64(p, PRINT_FP, "lost", ", %" PRIu64 " lost", report_lost(r));
	print_object_end_to(p, PRINT_FP);
	print_object_begin_to(p, PRINT_FP, "capture");
	print_u64(p, PRINT_FP, "written", ", %" PRIu64 " written", report_written(r));
	if (report_written_estimated(r))
		print_string(p, PRINT_FP, "written_estimated", "%s",
			     " (estimated: recorded + lost)");
	print_object_end_to(p, PRINT_FP);
	print_u64(p, PRINT_FP, "processes", ", %" PRIu64, r->nprocs);
	print_fp(p, " process%s\n", r->nprocs == 1 ? "" : "es");
}

/* The notes: text lines in the header, or the JSON member. */
static void walk_notes(struct printer *p, const struct report *r, enum print_to to)
{
	size_t i;

	print_array_begin_to(p, to, "notes");
	for (i = 0; i < r->nnotes; i++) {
		if (to & PRINT_FP)
			print_fp(p, LABEL, "note");
		print_string(p, to, NULL, "%s\n", r->notes[i]);
	}
	print_array_end_to(p, to);
}

static void text_losses(struct printer *p, const struct report *r)
{
	uint64_t lost = report_lost(r), all = r->recorded + lost;

	if (lost && !discard_mode(r) && r->mode[0]) {
		print_fp(p, LABEL, "note");
		print_u64(p, PRINT_FP, "events.lost", "%" PRIu64, lost);
		print_fp(p, " events were overwritten before they were read");
		print_string(p, PRINT_FP, "capture.mode", " (%s mode: where the "
			     "buffers were full the capture has gaps)\n", r->mode);
	} else if (lost) {
		print_fp(p, LABEL, "WARNING");
		print_u64(p, PRINT_FP, "events.lost", "%" PRIu64, lost);
		print_fp(p, " events lost (%.1f%% of %" PRIu64 "): the numbers below "
			 "miss them; capture again with a larger --buffer\n",
			 100.0 * (double)lost / (double)all, all);
	}
	/* Every event the module wrote was either read or counted lost. */
	if (r->kernel_stats && discard_mode(r) &&
	    report_written(r) != report_read(r) + r->lost) {
		print_fp(p, LABEL, "WARNING");
		print_u64(p, PRINT_FP, "capture.written", "the module wrote %" PRIu64,
			  report_written(r));
		print_u64(p, PRINT_FP, "capture.read", " events but %" PRIu64 " were read",
			  report_read(r));
		print_u64(p, PRINT_FP, "events.lost", " and %" PRIu64 " lost: the "
			  "capture is missing events\n", r->lost);
	}
}

/* What the report of a file cut short covers. */
static void covers_text(const struct report *r, char *buf, size_t len)
{
	char dur[32];

	format_duration(report_duration(r), dur, sizeof(dur));
	if (!r->recorded)
		snprintf(buf, len, "it holds no records");
	else if (r->start_mono)
		snprintf(buf, len, "the report covers the records of its first %s", dur);
	else
		snprintf(buf, len, "the report covers the %" PRIu64 " records before it",
			 r->recorded);
}

void report_cut_text(const struct report *r, char *buf, size_t len)
{
	char where[128], covers[120];

	capfile_cut_text(&r->file, where, sizeof(where));
	covers_text(r, covers, sizeof(covers));
	snprintf(buf, len, "%s: %s", where, covers);
}

static void text_header(struct printer *p, const struct report *r)
{
	char cut[256];

	text_capture(p, r);
	walk_targets(p, r, PRINT_FP);
	text_events(p, r);
	walk_notes(p, r, PRINT_FP);
	text_losses(p, r);
	if (!r->complete) {
		report_cut_text(r, cut, sizeof(cut));
		print_fp(p, LABEL, "WARNING");
		print_string(p, PRINT_FP, "file.cut", "%s\n", cut);
	}
}

static int name_width(const struct report *r)
{
	char name[32];
	size_t w = strlen("SYSCALL"), i;

	for (i = 0; i < r->nsc; i++) {
		syscall_format(r->sc[i].nr, name, sizeof(name));
		if (strlen(name) > w)
			w = strlen(name);
	}
	return (int)w;
}

/* One row; the text has the errors last, JSON after the count. */
static void walk_syscall(struct printer *p, const struct sc_row *s, const char *name_fmt)
{
	static const char *const columns[4] = { " %10s", " %10s", " %10s", " %10s" };
	char name[32];

	syscall_format(s->nr, name, sizeof(name));
	print_object_begin(p, NULL);
	print_string(p, PRINT_ANY, "name", name_fmt, name);
	print_u64(p, PRINT_JSON, "nr", NULL, s->nr);
	print_u64(p, PRINT_ANY, "count", " %10" PRIu64, s->count);
	print_u64(p, PRINT_JSON, "errors", NULL, s->errors);
	print_duration(p, PRINT_ANY, "total_ns", " %10s", s->total_ns);
	print_percentiles(p, columns, &(struct print_pcts){ s->p50_ns, s->p90_ns,
							    s->p99_ns, s->max_ns });
	print_u64(p, PRINT_FP, "errors", " %8" PRIu64 "\n", s->errors);
	print_object_end(p);
}

static void walk_syscalls(struct printer *p, const struct report *r)
{
	int w = name_width(r);
	char name_fmt[PRINT_COLUMN_FMT];
	size_t i;

	print_column_fmt(name_fmt, (size_t)w);
	print_fp(p, "\n%-*s %10s %10s %10s %10s %10s %10s %8s\n", w, "SYSCALL",
		 "COUNT", "TOTAL", "P50", "P90", "P99", "MAX", "ERRORS");
	print_array_begin(p, "syscalls");
	for (i = 0; i < r->nsc; i++)
		walk_syscall(p, &r->sc[i], name_fmt);
	print_array_end(p);
	if (!r->nsc)
		print_fp(p, "(no syscalls recorded)\n");
}

/* The JSON's "capture": the text has it in its header (text_capture()). */
static void json_capture(struct printer *p, const struct report *r)
{
	char when[40];

	print_object_begin_to(p, PRINT_JSON, "capture");
	print_u64(p, PRINT_JSON, "duration_ns", NULL, report_duration(r));
	print_u64(p, PRINT_JSON, "written", NULL, report_written(r));
	print_u64(p, PRINT_JSON, "read", NULL, report_read(r));
	print_string(p, PRINT_JSON, "mode", NULL, r->mode[0] ? r->mode : "unknown");
	print_bool(p, PRINT_JSON, "written_estimated", NULL, report_written_estimated(r));
	if (r->start_real)
		format_utc(r->start_real, when, sizeof(when));
	print_string(p, PRINT_JSON, "start", NULL, r->start_real ? when : NULL);
	if (r->start_real)
		print_u64(p, PRINT_JSON, "start_realtime_ns", NULL, r->start_real);
	else
		print_null(p, PRINT_JSON, "start_realtime_ns");
	print_string(p, PRINT_JSON, "host", NULL, r->hostname[0] ? r->hostname : NULL);
	print_string(p, PRINT_JSON, "kernel", NULL, r->kernel[0] ? r->kernel : NULL);
	if (r->buffer_size)
		print_u64(p, PRINT_JSON, "buffer_size", NULL, r->buffer_size);
	else
		print_null(p, PRINT_JSON, "buffer_size");
	print_string(p, PRINT_JSON, "command", NULL, r->command[0] ? r->command : NULL);
	print_object_end_to(p, PRINT_JSON);
}

/* JSON only: the text counts them in its "events" line. */
static void json_processes(struct printer *p, const struct report *r)
{
	size_t i;

	print_array_begin_to(p, PRINT_JSON, "processes");
	for (i = 0; i < r->nprocs; i++) {
		print_object_begin_to(p, PRINT_JSON, NULL);
		print_u64(p, PRINT_JSON, "pid", NULL, r->procs[i].pid);
		print_u64(p, PRINT_JSON, "syscalls", NULL, r->procs[i].syscalls);
		print_u64(p, PRINT_JSON, "events", NULL, r->procs[i].events);
		print_object_end_to(p, PRINT_JSON);
	}
	print_array_end_to(p, PRINT_JSON);
}

/*
 * "file":{"version":N,"complete":B,"cut":null|{"byte":N,"section":S|null,
 * "covers_ns":N}}: the text's cut line is in its header.
 */
static void json_file(struct printer *p, const struct report *r)
{
	print_object_begin_to(p, PRINT_JSON, "file");
	print_u64(p, PRINT_JSON, "version", NULL, r->version);
	print_bool(p, PRINT_JSON, "complete", NULL, r->complete);
	if (r->complete) {
		print_null(p, PRINT_JSON, "cut");
	} else {
		print_object_begin_to(p, PRINT_JSON, "cut");
		print_u64(p, PRINT_JSON, "byte", NULL, r->file.cut_at);
		print_string(p, PRINT_JSON, "section", NULL, r->file.cut_inside ?
			     capfile_section_name(r->file.cut_section) : NULL);
		print_u64(p, PRINT_JSON, "covers_ns", NULL, report_duration(r));
		print_object_end_to(p, PRINT_JSON);
	}
	print_object_end_to(p, PRINT_JSON);
}

void report_walk(struct printer *p, const struct report *r)
{
	text_header(p, r);
	print_object_begin_to(p, PRINT_JSON, "events");
	print_u64(p, PRINT_JSON, "recorded", NULL, r->recorded);
	print_u64(p, PRINT_JSON, "lost", NULL, report_lost(r));
	print_object_end_to(p, PRINT_JSON);
	walk_syscalls(p, r);
	if (goreport_present(&r->go))
		goreport_walk(p, &r->go);
	breakpoints_walk(p, &r->bp);
	gcreport_walk(p, &r->bp.gc);
	json_capture(p, r);
	json_processes(p, r);
	walk_targets(p, r, PRINT_JSON);
	walk_notes(p, r, PRINT_JSON);
	json_file(p, r);
}

static void report_show(const struct report *r, FILE *out, bool json)
{
	struct printer p = { 0 };

	print_begin(&p, out, json);
	report_walk(&p, r);
	print_end(&p);
}

void report_print(const struct report *r, FILE *out)
{
	report_show(r, out, false);
}

void report_print_json(const struct report *r, FILE *out)
{
	report_show(r, out, true);
}

/*
 * A target's path now holds another build than the one traced (the
 * service was redeployed): names and lines taken from that file would
 * be wrong. Said in the notes and on stderr.
 */
static void check_binaries(const struct cmd *c, struct report *r)
{
	char now[256], note[2048];
	size_t i;

	for (i = 0; i < r->ntargets; i++) {
		const struct target_row *t = &r->targets[i];

		if (!t->build_id || !t->exe[0])
			continue;
		if (!buildid_read(t->exe, now, sizeof(now)) && !strcmp(now, t->build_id))
			continue;
		snprintf(note, sizeof(note), "target %u: %s is not the binary traced: build "
			 "id %s then, %s now", t->pid, t->exe, t->build_id,
			 now[0] ? now : "none (missing or unreadable)");
		report_add_note(r, note);
		warn("%s: %s", c->name, note);
	}
}

/* What the options ask beyond the report of the whole file. */
struct report_args {
	bool json;
	struct report_opts ro;
	uint64_t goid;		/* --goroutine, 0: none */
	bool sorted_sc, sorted_go;
	enum sc_sort sc_key;
	enum go_sort go_key;
	uint32_t top;		/* 0: none */
};

static const struct {
	const char *name;
	bool go;		/* a key of the goroutine list, else of the syscalls */
	int key;
} sort_keys[] = {
	{ "total", false, SC_SORT_TOTAL },
	{ "count", false, SC_SORT_COUNT },
	{ "errors", false, SC_SORT_ERRORS },
	{ "max", false, SC_SORT_MAX },
	{ "p50", false, SC_SORT_P50 },
	{ "p90", false, SC_SORT_P90 },
	{ "p99", false, SC_SORT_P99 },
	{ "running", true, GO_SORT_RUNNING },
	{ "runnable", true, GO_SORT_RUNNABLE },
	{ "blocked", true, GO_SORT_BLOCKED },
	{ "syscall", true, GO_SORT_SYSCALL },
	{ "syscalls", true, GO_SORT_SYSCALLS },
	{ "goroutine", true, GO_SORT_GOROUTINE },
};

static void sort_option(const struct cmd *c, struct report_args *a, const char *v)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sort_keys); i++) {
		if (strcmp(v, sort_keys[i].name))
			continue;
		if (sort_keys[i].go) {
			a->sorted_go = true;
			a->go_key = (enum go_sort)sort_keys[i].key;
		} else {
			a->sorted_sc = true;
			a->sc_key = (enum sc_sort)sort_keys[i].key;
		}
		return;
	}
	cmd_usage_error(c, "unknown --sort '%s' (syscalls: total, count, errors, max, "
			"p50, p90, p99; goroutines: running, runnable, blocked, syscall, "
			"syscalls, goroutine)", v);
}

/* --since/--until: an offset from the start ("1.5s") or a wall-clock time. */
static void time_option(const struct cmd *c, const char *name, const char *v,
			struct report_time *t)
{
	bool day;

	if (!parse_duration(v, &t->ns)) {
		t->kind = REPORT_TIME_OFFSET;
		return;
	}
	if (parse_clock(v, &t->ns, &day))
		cmd_usage_error(c, "%s '%s': not a time from the start (1.5s, 200ms, 2m) "
				"or a wall-clock time in UTC (2026-12-07T21:03:04Z, 21:03:04)",
				name, v);
	t->kind = day ? REPORT_TIME_DAY : REPORT_TIME_REAL;
}

enum { OPT_SINCE = 256, OPT_UNTIL, OPT_SYSCALL, OPT_TOP, OPT_SORT };

static void parse_options(const struct cmd *c, int argc, char **argv,
			  struct report_args *a)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "goroutine", required_argument, NULL, 'g' },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "syscall", required_argument, NULL, OPT_SYSCALL },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "sort", required_argument, NULL, OPT_SORT },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct report_filter *f = &a->ro.filter;
	int opt, nr;

	memset(a, 0, sizeof(*a));
	while ((opt = cmd_getopt(c, argc, argv, "jp:g:h", longopts)) != -1) {
		switch (opt) {
		case 'j':
			a->json = true;
			break;
		case 'p':
			if (parse_u32(optarg, 1, INT32_MAX, &f->pid))
				cmd_usage_error(c, "invalid PID '%s'", optarg);
			break;
		case 'g':
			a->goid = cmd_goid(c, optarg);
			break;
		case OPT_SINCE:
			time_option(c, "--since", optarg, &f->since);
			break;
		case OPT_UNTIL:
			time_option(c, "--until", optarg, &f->until);
			break;
		case OPT_SYSCALL:
			nr = syscall_lookup(optarg);
			if (nr < 0)
				cmd_usage_error(c, "unknown syscall '%s'", optarg);
			f->has_nr = true;
			f->nr = (uint32_t)nr;
			break;
		case OPT_TOP:
			if (parse_u32(optarg, 1, UINT32_MAX, &a->top))
				cmd_usage_error(c, "invalid --top '%s' (a number from 1)", optarg);
			break;
		case OPT_SORT:
			sort_option(c, a, optarg);
			break;
		}
	}
	if (a->goid && (a->top || a->sorted_sc || a->sorted_go))
		cmd_usage_error(c, "--goroutine goes without --top and --sort");
}

/* The row of --goroutine: there must be exactly one (with --pid: in it). */
static const struct go_row *the_goroutine(const struct cmd *c, const struct capload *l,
					  const struct report_args *a)
{
	const struct goreport *g = &l->r.go;
	const struct go_row *row = NULL;
	const char *when = l->r.windowed ? " in the time asked for" : "";
	size_t i;

	for (i = 0; i < g->nrows; i++) {
		const struct go_row *r = &g->rows[i];

		if (r->goid != a->goid)
			continue;
		if (row)
			die(EXIT_USAGE, "%s: %s: goroutine %" PRIu64 " is in processes %u "
			    "and %u: give --pid", c->name, l->path, a->goid, row->pid, r->pid);
		row = r;
	}
	if (!row && a->ro.filter.pid)
		die(EXIT_USAGE, "%s: %s: no goroutine %" PRIu64 " of process %u in the "
		    "capture%s", c->name, l->path, a->goid, a->ro.filter.pid, when);
	if (!row)
		die(EXIT_USAGE, "%s: %s: no goroutine %" PRIu64 " in the capture%s",
		    c->name, l->path, a->goid, when);
	return row;
}

static void show_goroutine(const struct cmd *c, const struct capload *l,
			   const struct report_args *a, struct go_timeline *t)
{
	const struct go_row *row = the_goroutine(c, l, a);
	struct printer p = { 0 };

	timeline_sort(t);
	print_begin(&p, stdout, a->json);
	goreport_timeline_walk(&p, &l->r.go, row, t, l->r.start_mono);
	print_end(&p);
}

static int run_report(const struct cmd *c, int argc, char **argv)
{
	struct go_timeline t = { 0 };
	struct report_args a;
	struct capload l;
	char covers[128];

	parse_options(c, argc, argv, &a);
	if (a.goid) {
		t.goid = a.goid;
		t.pid = a.ro.filter.pid;
		a.ro.go_interval = timeline_interval;
		a.ro.syscall = timeline_syscall;
		a.ro.arg = &t;
	}
	capload_open(c, argc, argv, &a.ro, &l);
	check_binaries(c, &l.r);
	if (a.goid) {
		show_goroutine(c, &l, &a, &t);
	} else {
		if (a.sorted_sc)
			report_sort_syscalls(&l.r, a.sc_key);
		if (a.sorted_go)
			goreport_sort(&l.r.go, a.go_key);
		if (a.top)
			report_top(&l.r, a.top);
		report_show(&l.r, stdout, a.json);
	}
	timeline_free(&t);
	/* After the report, so it is the last line a user sees. */
	covers_text(&l.r, covers, sizeof(covers));
	return capload_close(c, &l, covers);
}

const struct cmd cmd_report = {
	.name = "report",
	.summary = "summarise a capture file: syscall times, goroutines",
	.usage = report_usage,
	.run = run_report,
};
