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
	"Usage: " PROG " report FILE [--json]\n"
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
	"Options:\n"
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
	"  -h, --help    show this help\n"
	"\n"
	"Exit status: 0 the file was complete; 5 it was cut short (reported up\n"
	"to the cut); 1 a usage error, or FILE is missing, is not a capture file\n"
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

void report_cut_text(const struct report *r, char *buf, size_t len)
{
	char where[128], dur[32];

	capfile_cut_text(&r->file, where, sizeof(where));
	format_duration(report_duration(r), dur, sizeof(dur));
	if (!r->recorded)
		snprintf(buf, len, "%s: it holds no records", where);
	else if (r->start_mono)
		snprintf(buf, len, "%s: the report covers the records of its first %s",
			 where, dur);
	else
		snprintf(buf, len, "%s: the report covers the %" PRIu64 " records before it",
			 where, r->recorded);
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
	char name[32];

	syscall_format(s->nr, name, sizeof(name));
	print_object_begin(p, NULL);
	print_string(p, PRINT_ANY, "name", name_fmt, name);
	print_u64(p, PRINT_JSON, "nr", NULL, s->nr);
	print_u64(p, PRINT_ANY, "count", " %10" PRIu64, s->count);
	print_u64(p, PRINT_JSON, "errors", NULL, s->errors);
	print_duration(p, PRINT_ANY, "total_ns", " %10s", s->total_ns);
	print_duration(p, PRINT_ANY, "p50_ns", " %10s", s->p50_ns);
	print_duration(p, PRINT_ANY, "p90_ns", " %10s", s->p90_ns);
	print_duration(p, PRINT_ANY, "p99_ns", " %10s", s->p99_ns);
	print_duration(p, PRINT_ANY, "max_ns", " %10s", s->max_ns);
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
	/* Not yet a printer walk: its own text, or members of the printer's JSON. */
	report_breakpoints(&r->bp, p->out, p->json ? &p->j : NULL);
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

static int run_report(const struct cmd *c, int argc, char **argv)
{
	struct file_buf file;
	struct report r;
	const char *path;
	bool json;
	char err[256];
	int ret;

	json = cmd_json_option(c, argc, argv);
	if (optind == argc)
		cmd_usage_error(c, "missing capture FILE");
	path = argv[optind];
	if (optind + 1 < argc)
		cmd_usage_error(c, "unexpected argument '%s'", argv[optind + 1]);

	capload_file(c->name, path, &file);
	if (report_load(&r, file.data, file.len, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s: %s", c->name, path, err);
	check_binaries(c, &r);
	if (json)
		report_print_json(&r, stdout);
	else
		report_print(&r, stdout);
	/* After the report, so it is the last line a user sees. */
	ret = EXIT_OK;
	if (!r.complete) {
		report_cut_text(&r, err, sizeof(err));
		warn("%s: %s: %s", c->name, path, err);
		ret = EXIT_INCOMPLETE;
	}
	report_free(&r);
	capload_free(&file);
	return ret;
}

const struct cmd cmd_report = {
	.name = "report",
	.summary = "summarise a capture file: syscall times, goroutines",
	.usage = report_usage,
	.run = run_report,
};
