// SPDX-License-Identifier: GPL-2.0
/* godiagctl report: what a capture file says, as a table or JSON. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/syscalls.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/report.h"

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

static void print_capture_line(const struct report *r, FILE *out)
{
	char dur[32], size[32], when[40];

	format_duration(report_duration(r), dur, sizeof(dur));
	fprintf(out, LABEL "%s", "capture", dur);
	if (r->start_real) {
		format_utc(r->start_real, when, sizeof(when));
		fprintf(out, " from %s", when);
	}
	if (r->hostname[0])
		fprintf(out, " on %s", r->hostname);
	if (r->kernel[0])
		fprintf(out, ", kernel %s", r->kernel);
	if (r->mode[0])
		fprintf(out, ", %s mode", r->mode);
	if (r->buffer_size) {
		format_size(r->buffer_size, size, sizeof(size));
		fprintf(out, ", %s per CPU", size);
	}
	fputc('\n', out);
}

static void print_targets(const struct report *r, FILE *out)
{
	size_t i;

	for (i = 0; i < r->ntargets; i++) {
		const struct target_row *t = &r->targets[i];

		fprintf(out, LABEL "%u", "target", t->pid);
		if (t->comm[0])
			fprintf(out, " %s", t->comm);
		if (t->exe[0])
			fprintf(out, " (%s)", t->exe);
		if (t->flags & GODIAG_TF_FOLLOW_CHILDREN)
			fputs(", following children", out);
		fputc('\n', out);
	}
}

static void print_losses(const struct report *r, FILE *out)
{
	uint64_t lost = report_lost(r), all = r->recorded + lost;
	uint64_t written = report_written(r), read = report_read(r);

	if (lost && !discard_mode(r) && r->mode[0])
		fprintf(out, LABEL "%llu events were overwritten before they were "
			"read (%s mode: where the buffers were full the capture has "
			"gaps)\n", "note", (unsigned long long)lost, r->mode);
	else if (lost)
		fprintf(out, LABEL "%llu events lost (%.1f%% of %llu): the numbers "
			"below miss them; capture again with a larger --buffer\n",
			"WARNING", (unsigned long long)lost, 100.0 * (double)lost / (double)all,
			(unsigned long long)all);
	/* Every event the module wrote was either read or counted lost. */
	if (r->kernel_stats && discard_mode(r) && written != read + r->lost)
		fprintf(out, LABEL "the module wrote %llu events but %llu were read "
			"and %llu lost: the capture is missing events\n", "WARNING",
			(unsigned long long)written, (unsigned long long)read,
			(unsigned long long)r->lost);
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
		snprintf(buf, len, "%s: the report covers the %llu records before it",
			 where, (unsigned long long)r->recorded);
}

static void print_header(const struct report *r, FILE *out)
{
	char cut[256];
	size_t i;

	print_capture_line(r, out);
	if (r->command[0])
		fprintf(out, LABEL "%s\n", "command", r->command);
	print_targets(r, out);
	fprintf(out, LABEL "%llu recorded, %llu lost, %llu written%s, %zu process%s\n",
		"events", (unsigned long long)r->recorded,
		(unsigned long long)report_lost(r),
		(unsigned long long)report_written(r),
		report_written_estimated(r) ? " (estimated: recorded + lost)" : "",
		r->nprocs, r->nprocs == 1 ? "" : "es");
	for (i = 0; i < r->nnotes; i++)
		fprintf(out, LABEL "%s\n", "note", r->notes[i]);
	print_losses(r, out);
	if (!r->complete) {
		report_cut_text(r, cut, sizeof(cut));
		fprintf(out, LABEL "%s\n", "WARNING", cut);
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

static void print_row(const struct sc_row *s, int w, FILE *out)
{
	char name[32], total[16], p50[16], p90[16], p99[16], max[16];

	syscall_format(s->nr, name, sizeof(name));
	format_duration(s->total_ns, total, sizeof(total));
	format_duration(s->p50_ns, p50, sizeof(p50));
	format_duration(s->p90_ns, p90, sizeof(p90));
	format_duration(s->p99_ns, p99, sizeof(p99));
	format_duration(s->max_ns, max, sizeof(max));
	fprintf(out, "%-*s %10llu %10s %10s %10s %10s %10s %8llu\n", w, name,
		(unsigned long long)s->count, total, p50, p90, p99, max,
		(unsigned long long)s->errors);
}

void report_print(const struct report *r, FILE *out)
{
	int w = name_width(r);
	size_t i;

	print_header(r, out);
	fputc('\n', out);
	fprintf(out, "%-*s %10s %10s %10s %10s %10s %10s %8s\n", w, "SYSCALL",
		"COUNT", "TOTAL", "P50", "P90", "P99", "MAX", "ERRORS");
	for (i = 0; i < r->nsc; i++)
		print_row(&r->sc[i], w, out);
	if (!r->nsc)
		fputs("(no syscalls recorded)\n", out);
	if (goreport_present(&r->go))
		goreport_print(&r->go, out);
	report_breakpoints(&r->bp, out, NULL);
}

static void json_syscalls(struct json *j, const struct report *r)
{
	char name[32];
	size_t i;

	json_key(j, "syscalls");
	json_array_begin(j);
	for (i = 0; i < r->nsc; i++) {
		const struct sc_row *s = &r->sc[i];

		syscall_format(s->nr, name, sizeof(name));
		json_object_begin(j);
		json_kv_string(j, "name", name);
		json_kv_u64(j, "nr", s->nr);
		json_kv_u64(j, "count", s->count);
		json_kv_u64(j, "errors", s->errors);
		json_kv_u64(j, "total_ns", s->total_ns);
		json_kv_u64(j, "p50_ns", s->p50_ns);
		json_kv_u64(j, "p90_ns", s->p90_ns);
		json_kv_u64(j, "p99_ns", s->p99_ns);
		json_kv_u64(j, "max_ns", s->max_ns);
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_capture(struct json *j, const struct report *r)
{
	char when[40];

	json_key(j, "capture");
	json_object_begin(j);
	json_kv_u64(j, "duration_ns", report_duration(r));
	json_kv_u64(j, "written", report_written(r));
	json_kv_u64(j, "read", report_read(r));
	json_kv_string(j, "mode", r->mode[0] ? r->mode : "unknown");
	json_kv_bool(j, "written_estimated", report_written_estimated(r));
	if (r->start_real)
		format_utc(r->start_real, when, sizeof(when));
	json_kv_string_or_null(j, "start", r->start_real ? when : NULL);
	json_kv_u64_or_null(j, "start_realtime_ns", r->start_real, r->start_real != 0);
	json_kv_string_or_null(j, "host", r->hostname[0] ? r->hostname : NULL);
	json_kv_string_or_null(j, "kernel", r->kernel[0] ? r->kernel : NULL);
	json_kv_u64_or_null(j, "buffer_size", r->buffer_size, r->buffer_size != 0);
	json_kv_string_or_null(j, "command", r->command[0] ? r->command : NULL);
	json_object_end(j);
}

static void json_processes(struct json *j, const struct report *r)
{
	size_t i;

	json_key(j, "processes");
	json_array_begin(j);
	for (i = 0; i < r->nprocs; i++) {
		json_object_begin(j);
		json_kv_u64(j, "pid", r->procs[i].pid);
		json_kv_u64(j, "syscalls", r->procs[i].syscalls);
		json_kv_u64(j, "events", r->procs[i].events);
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_targets(struct json *j, const struct report *r)
{
	size_t i;

	json_key(j, "targets");
	json_array_begin(j);
	for (i = 0; i < r->ntargets; i++) {
		json_object_begin(j);
		json_kv_u64(j, "pid", r->targets[i].pid);
		json_kv_string(j, "comm", r->targets[i].comm);
		json_kv_string(j, "exe", r->targets[i].exe);
		json_kv_bool(j, "follow_children",
			     r->targets[i].flags & GODIAG_TF_FOLLOW_CHILDREN);
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_notes(struct json *j, const struct report *r)
{
	size_t i;

	json_key(j, "notes");
	json_array_begin(j);
	for (i = 0; i < r->nnotes; i++)
		json_string(j, r->notes[i]);
	json_array_end(j);
}

/* "file":{"version":N,"complete":B,"cut":null|{"byte":N,"section":S|null,"covers_ns":N}} */
static void json_file(struct json *j, const struct report *r)
{
	json_key(j, "file");
	json_object_begin(j);
	json_kv_u64(j, "version", r->version);
	json_kv_bool(j, "complete", r->complete);
	json_key(j, "cut");
	if (r->complete) {
		json_null(j);
	} else {
		json_object_begin(j);
		json_kv_u64(j, "byte", r->file.cut_at);
		json_kv_string_or_null(j, "section", r->file.cut_inside ?
				       capfile_section_name(r->file.cut_section) : NULL);
		json_kv_u64(j, "covers_ns", report_duration(r));
		json_object_end(j);
	}
	json_object_end(j);
}

void report_print_json(const struct report *r, FILE *out)
{
	struct json j;

	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "events");
	json_object_begin(&j);
	json_kv_u64(&j, "recorded", r->recorded);
	json_kv_u64(&j, "lost", report_lost(r));
	json_object_end(&j);
	json_syscalls(&j, r);
	if (goreport_present(&r->go))
		goreport_json(&r->go, &j);
	report_breakpoints(&r->bp, out, &j);
	json_capture(&j, r);
	json_processes(&j, r);
	json_targets(&j, r);
	json_notes(&j, r);
	json_file(&j, r);
	json_object_end(&j);
}

/* The whole file in memory: mapped when it is a regular file, else read. */
struct file_buf {
	void *data;
	size_t len;
	bool mapped;
};

/* Most a pipe or device may bring: past it, it is no capture file. */
#define STREAM_MAX	(1ULL << 30)

/*
 * A pipe or device: read until EOF, or until what came is all a capture
 * file can hold (so "report /dev/zero" stops after 8 bytes), at most
 * STREAM_MAX bytes. -1 with errno on failure, EFBIG past the limit.
 */
static int read_stream(int fd, struct file_buf *b)
{
	struct capfile_stream st = { 0 };
	size_t cap = 1 << 16;
	ssize_t n;

	b->data = xmalloc(cap);
	while (!capfile_stream_done(&st, b->data, b->len)) {
		if (b->len == cap) {
			if (cap >= STREAM_MAX) {
				errno = EFBIG;
				return -1;
			}
			b->data = xreallocarray(b->data, cap *= 2, 1);
		}
		n = read(fd, (char *)b->data + b->len, cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		b->len += (size_t)n;
	}
	return 0;
}

__attribute__((noreturn))
static void load_failed(const char *cmd, const char *path, int err)
{
	if (err == EFBIG)
		die(EXIT_USAGE, "%s: %s: more than %llu MiB from a pipe or device: "
		    "not a capture file, or copy it to a file first", cmd, path,
		    STREAM_MAX >> 20);
	die(exit_code_of_errno(err), "%s: %s: %s", cmd, path, strerror(err));
}

/* Exits with the code of the error (exit_code_of_errno()) when it cannot. */
static void load_file(const char *cmd, const char *path, struct file_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	memset(b, 0, sizeof(*b));
	if (fd < 0 || fstat(fd, &st))
		load_failed(cmd, path, errno);
	if (S_ISDIR(st.st_mode))
		load_failed(cmd, path, EISDIR);
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		b->len = (size_t)st.st_size;
		b->data = mmap(NULL, b->len, PROT_READ, MAP_PRIVATE, fd, 0);
		b->mapped = b->data != MAP_FAILED;
		if (!b->mapped)
			load_failed(cmd, path, errno);
	} else if (read_stream(fd, b)) {
		load_failed(cmd, path, errno);
	}
	close(fd);
}

static void unload_file(struct file_buf *b)
{
	if (b->mapped)
		munmap(b->data, b->len);
	else
		free(b->data);
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

	load_file(c->name, path, &file);
	if (report_load(&r, file.data, file.len, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s: %s", c->name, path, err);
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
	unload_file(&file);
	return ret;
}

const struct cmd cmd_report = {
	.name = "report",
	.summary = "summarise a capture file: syscall times, goroutines",
	.usage = report_usage,
	.run = run_report,
};
