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

#include "cmd.h"
#include "json.h"
#include "report.h"
#include "syscalls.h"
#include "util.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const char *const report_usage =
	"Usage: " PROG " report FILE [--json]\n"
	"\n"
	"Summarise a capture file written by '" PROG " capture': what was\n"
	"captured (duration, processes, events recorded and lost), then one row\n"
	"per syscall, longest total time first: calls, total time, exact\n"
	"percentiles (nearest rank) p50, p90 and p99, the longest call, and\n"
	"errors (returns -4095..-1). A file whose capture did not finish is\n"
	"read with a warning.\n"
	"\n"
	"When the file has goroutine events or a Go target's wait reasons (a\n"
	"capture of a Go program), a goroutine section follows: goroutines\n"
	"created, exited and alive at most (of those created during the\n"
	"capture); time blocked per wait reason (the Go runtime's own strings),\n"
	"longest first; goroutines created per start function (as Go's\n"
	"goroutine profile names them) and per function holding the go\n"
	"statement; then the " STR(GOREPORT_TEXT_ROWS) " goroutines that ran longest, with running,\n"
	"runnable, blocked and in-syscall time (a part of running time) and\n"
	"syscalls. When events were lost these figures are lower bounds.\n"
	"Otherwise the section and its JSON member are absent.\n"
	"\n"
	"Options:\n"
	"  -j, --json    print one JSON object:\n"
	"                {\"events\":{\"recorded\":N,\"lost\":N},\n"
	"                 \"syscalls\":[{\"name\":S,\"nr\":N,\"count\":N,\"errors\":N,\n"
	"                   \"total_ns\":N,\"p50_ns\":N,\"p90_ns\":N,\"p99_ns\":N,\n"
	"                   \"max_ns\":N},...],\n"
	"                 \"capture\":{\"duration_ns\":N,\"written\":N,\"read\":N,\n"
	"                   \"mode\":S},\n"
	"                 \"processes\":[{\"pid\":N,\"syscalls\":N,\"events\":N},\n"
	"                   ...],\n"
	"                 \"targets\":[...],\"notes\":[...],\"file\":{...}}\n"
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
	"Exit status 1: a usage error, or FILE is missing or is not a capture\n"
	"file; 3: FILE could not be read.\n";

#define LABEL "%-9s"

static bool discard_mode(const struct report *r)
{
	return !strcmp(r->mode, "discard");
}

static void print_capture_line(const struct report *r, FILE *out)
{
	char dur[32], size[32];

	format_duration(report_duration(r), dur, sizeof(dur));
	fprintf(out, LABEL "%s", "capture", dur);
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
		fprintf(out, LABEL "%llu older events were overwritten (%s mode "
			"keeps the newest)\n", "note", (unsigned long long)lost, r->mode);
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

static void print_header(const struct report *r, FILE *out)
{
	size_t i;

	print_capture_line(r, out);
	if (r->command[0])
		fprintf(out, LABEL "%s\n", "command", r->command);
	print_targets(r, out);
	fprintf(out, LABEL "%llu recorded, %llu lost, %zu process%s\n", "events",
		(unsigned long long)r->recorded, (unsigned long long)report_lost(r),
		r->nprocs, r->nprocs == 1 ? "" : "es");
	for (i = 0; i < r->nnotes; i++)
		fprintf(out, LABEL "%s\n", "note", r->notes[i]);
	print_losses(r, out);
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
	json_key(j, "capture");
	json_object_begin(j);
	json_kv_u64(j, "duration_ns", report_duration(r));
	json_kv_u64(j, "written", report_written(r));
	json_kv_u64(j, "read", report_read(r));
	json_kv_string(j, "mode", r->mode[0] ? r->mode : "unknown");
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
	json_capture(&j, r);
	json_processes(&j, r);
	json_targets(&j, r);
	json_notes(&j, r);
	json_key(&j, "file");
	json_object_begin(&j);
	json_kv_u64(&j, "version", r->version);
	json_kv_bool(&j, "complete", r->complete);
	json_object_end(&j);
	json_object_end(&j);
}

/* The whole file in memory: mapped when it is a regular file, else read. */
struct file_buf {
	void *data;
	size_t len;
	bool mapped;
};

static int read_all(int fd, struct file_buf *b)
{
	size_t cap = 1 << 16;
	ssize_t n;

	b->data = xmalloc(cap);
	for (;;) {
		if (b->len == cap)
			b->data = xreallocarray(b->data, cap *= 2, 1);
		n = read(fd, (char *)b->data + b->len, cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		b->len += (size_t)n;
	}
}

static void load_file(const char *cmd, const char *path, struct file_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	memset(b, 0, sizeof(*b));
	if (fd < 0 || fstat(fd, &st))
		die(EXIT_USAGE, "%s: %s: %s", cmd, path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		die(EXIT_USAGE, "%s: %s: %s", cmd, path, strerror(EISDIR));
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		b->len = (size_t)st.st_size;
		b->data = mmap(NULL, b->len, PROT_READ, MAP_PRIVATE, fd, 0);
		b->mapped = b->data != MAP_FAILED;
		if (!b->mapped)
			die(EXIT_OPFAIL, "%s: %s: %s", cmd, path, strerror(errno));
	} else if (read_all(fd, b)) {
		die(EXIT_OPFAIL, "%s: %s: %s", cmd, path, strerror(errno));
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

	json = cmd_json_option(c, argc, argv);
	if (optind == argc)
		cmd_usage_error(c, "missing capture FILE");
	path = argv[optind];
	if (optind + 1 < argc)
		cmd_usage_error(c, "unexpected argument '%s'", argv[optind + 1]);

	load_file(c->name, path, &file);
	if (report_load(&r, file.data, file.len, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s: %s", c->name, path, err);
	if (!r.complete)
		warn("%s: %s: capture file is incomplete (no end section)", c->name, path);
	if (json)
		report_print_json(&r, stdout);
	else
		report_print(&r, stdout);
	report_free(&r);
	unload_file(&file);
	return EXIT_OK;
}

const struct cmd cmd_report = {
	.name = "report",
	.summary = "summarise a capture file: syscall times, goroutines",
	.usage = report_usage,
	.run = run_report,
};
