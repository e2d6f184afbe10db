// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl export --format perfetto: a capture as Chrome trace-event JSON
 * (export.h), which the Perfetto UI and chrome://tracing open, one event
 * per line, of the events pftrace.c collects; and the command, which
 * writes --format perfetto-proto with export_proto.c and --format gotrace
 * with gotrace.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "base/outfile.h"
#include "base/util.h"
#include "cmd/capload.h"
#include "cmd/cmd.h"
#include "cmd/export.h"
#include "cmd/gotrace.h"
#include "cmd/pftrace.h"

static const char *const export_usage =
	"Usage: " PROG " export FILE --format perfetto|perfetto-proto|gotrace [--pid PID]\n"
	"       -o OUTPUT\n"
	"\n"
	"Write a capture file as a trace other tools open.\n"
	"\n"
	"The perfetto format is Chrome trace-event JSON, which the Perfetto UI\n"
	"(ui.perfetto.dev) and chrome://tracing open. Each process of the\n"
	"capture holds:\n"
	"  - a track per goroutine, named \"G<id> <start function>\", with a\n"
	"    slice for each interval the goroutine was running, runnable or\n"
	"    blocked (named by the runtime's wait reason), as '" PROG " report'\n"
	"    counts them, and the syscalls it made inside its running slices;\n"
	"  - a track per thread with its syscalls (named, with the return value);\n"
	"  - instants for breakpoint hits (their arguments as args), on the\n"
	"    goroutine's track;\n"
	"  - flow arrows from a goroutine's creator to it, and from the goroutine\n"
	"    that readied another to it;\n"
	"and losses are global instants (\"lost N records on cpu C\"). Times are\n"
	"microseconds since the capture started (to the nanosecond).\n"
	"\n"
	"The perfetto-proto format is the same trace in Perfetto's own protobuf\n"
	"format (a .pftrace file), for the Perfetto UI and trace_processor: 2.4\n"
	"times smaller than the JSON, and what to use when the JSON is too big\n"
	"for the UI (chrome://tracing stops at 256 MB; the UI's in-browser\n"
	"processor at about 2 GB of memory). Goroutine tracks are children of their\n"
	"process's track; arguments are debug annotations; a flow goes from an\n"
	"instant \"create\" or \"ready\" on one goroutine's track to one on the\n"
	"other's; losses are instants on a global track \"lost records\"; times\n"
	"are nanoseconds since the capture started.\n"
	"\n"
	"The gotrace format is Go's own execution trace (the format of Go 1.22\n"
	"and later, as Go 1.26 writes it): 'go tool trace OUTPUT' opens it, with\n"
	"its goroutine analysis and its scheduler latency, syscall, blocking and\n"
	"network profiles. It holds one process: the capture's only Go process,\n"
	"or --pid PID. Goroutines are created (by their creator, with their start\n"
	"function and the go statement as one-frame stacks), run, wait (the\n"
	"runtime's wait reason as Go's tracer names it: \"IO wait\" is\n"
	"\"network\", sync.Mutex.Lock is \"sync\") and make syscalls on the\n"
	"capture's threads (the trace's Ms). The capture does not know Go's Ps:\n"
	"each thread has a P of its own. Breakpoint hits, syscalls outside any\n"
	"goroutine and losses are not in it (losses are said on stderr).\n"
	"\n"
	"OUTPUT is replaced whole and only when the trace is complete: a command\n"
	"that fails leaves an earlier OUTPUT as it was. A capture file cut short\n"
	"is exported up to the cut, with a line on stderr (exit status 5).\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT   perfetto (Chrome trace-event JSON), perfetto-proto\n"
	"                        (Perfetto's protobuf trace) or gotrace (Go\n"
	"                        execution trace)\n"
	"  -p, --pid PID         gotrace: the process (when the capture has several)\n"
	"  -o, --output OUTPUT   the file to write (required)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status: 0 the file was complete; 5 it was cut short (exported up\n"
	"to the cut); 1 a usage error, or FILE is missing, is not a capture file\n"
	"or is damaged, or has no goroutines of the process (gotrace), or\n"
	"OUTPUT's directory is missing; 4 FILE may not be read or OUTPUT created\n"
	"(permission); 3 OUTPUT could not be written.\n";

/* ------------------------------------------------------------------ */
/* The JSON                                                            */
/* ------------------------------------------------------------------ */

/*
 * Microseconds, the nanoseconds as decimals: 1234.567 (a double prints
 * such a value exactly below 2^53 ns, and in 15 digits for 11 days).
 */
static void put_us(struct json *j, const char *key, uint64_t ns)
{
	json_kv_double(j, key, (double)ns / 1000.0);
}

/* One event: its own JSON value on its own line, after a comma but the first. */
static void ev_begin(struct json *j, FILE *out, bool *first)
{
	if (!*first)
		fputc(',', out);
	*first = false;
	json_init(j, out);
	json_object_begin(j);
}

static void put_track(struct json *j, uint32_t pid, uint64_t tid)
{
	json_kv_u64(j, "pid", pid);
	json_kv_u64(j, "tid", tid);
}

static void arg_u64(void *arg, const char *key, uint64_t v)
{
	json_kv_u64(arg, key, v);
}

static void arg_s64(void *arg, const char *key, int64_t v)
{
	json_kv_s64(arg, key, v);
}

static void arg_str(void *arg, const char *key, const char *v, bool few)
{
	(void)few;
	json_kv_string(arg, key, v);
}

static const struct pf_args json_args = { arg_u64, arg_s64, arg_str };

/* The trace-event phase: a complete slice, an instant, a flow's start or end. */
static const char *phase(const struct ev *e)
{
	if (pf_is_slice(e))
		return "X";
	if (e->kind == EV_FLOW_OUT)
		return "s";
	return e->kind == EV_FLOW_IN ? "f" : "i";
}

static void put_event(struct perfetto *pf, FILE *out, bool *first, const struct ev *e)
{
	char buf[64];
	struct json j;

	ev_begin(&j, out, first);
	put_track(&j, e->pid, e->tid);
	json_kv_string(&j, "name", pf_event_name(pf, e, buf, sizeof(buf)));
	json_kv_string(&j, "cat", pf_event_cat(e));
	json_kv_string(&j, "ph", phase(e));
	/* Instants: on the thread's (goroutine's) track, or global (losses). */
	if (e->kind == EV_BREAK || e->kind == EV_LOST)
		json_kv_string(&j, "s", e->kind == EV_LOST ? "g" : "t");
	if (e->kind == EV_FLOW_OUT || e->kind == EV_FLOW_IN)
		json_kv_u64(&j, "id", e->ref);
	put_us(&j, "ts", e->ts - pf->base);
	if (pf_is_slice(e))
		put_us(&j, "dur", e->dur);
	if (e->kind != EV_FLOW_OUT && e->kind != EV_FLOW_IN) {
		json_key(&j, "args");
		json_object_begin(&j);
		pf_event_args(pf, e, &json_args, &j);
		json_object_end(&j);
	}
	json_object_end(&j);
}

/* Metadata: a track's or process's name and place. */
static void put_meta(FILE *out, bool *first, const char *what, uint32_t pid, uint64_t tid,
		     const char *name, uint64_t sort)
{
	struct json j;

	ev_begin(&j, out, first);
	json_kv_string(&j, "name", what);
	json_kv_string(&j, "ph", "M");
	put_track(&j, pid, tid);
	json_key(&j, "args");
	json_object_begin(&j);
	if (name)
		json_kv_string(&j, "name", name);
	else
		json_kv_u64(&j, "sort_index", sort);
	json_object_end(&j);
	json_object_end(&j);
}

struct names_arg {
	FILE *out;
	bool *first;
};

/* A goroutine track's name; goroutines sort by id. */
static void put_track_name(void *arg, size_t t, const struct go_row *row, const char *name)
{
	struct names_arg *a = arg;

	put_meta(a->out, a->first, "thread_name", row->pid, GO_TID_BASE + t, name, 0);
	put_meta(a->out, a->first, "thread_sort_index", row->pid, GO_TID_BASE + t, NULL,
		 row->goid);
}

/* Each process and goroutine track is named. */
static void put_names(struct perfetto *pf, FILE *out, bool *first)
{
	struct names_arg a = { out, first };
	uint32_t last_pid = 0;
	char name[64];
	size_t i;

	for (i = 0; i < pf->nevs; i++) {
		const struct ev *e = &pf->evs[i];

		if (e->kind == EV_LOST || (i && e->pid == last_pid))
			continue;
		last_pid = e->pid;
		put_meta(out, first, "process_name", e->pid, 0,
			 pf_process_name(pf, e->pid, name, sizeof(name)), 0);
	}
	pf_each_track(pf, put_track_name, &a);
}

int perfetto_write(struct perfetto *pf, FILE *out)
{
	bool first = true;
	size_t i;

	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"" PROG "\"},"
	      "\"traceEvents\":[\n", out);
	put_names(pf, out, &first);
	for (i = 0; i < pf->nevs; i++)
		put_event(pf, out, &first, &pf->evs[i]);
	fputs("]}\n", out);
	return fflush(out) || ferror(out) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* The command                                                         */
/* ------------------------------------------------------------------ */

__attribute__((noreturn))
static void write_failed(const struct cmd *c, struct outfile *f, const char *path, int err)
{
	outfile_discard(f);
	outfile_free(f);
	die(EXIT_OPFAIL, "%s: %s: %s", c->name, path, strerror(err));
}

/* The trace of one format: perfetto (JSON or protobuf) or gotrace. */
struct export {
	struct perfetto *pf;
	bool proto;
	struct gotrace *gt;
};

static int export_write(struct export *x, FILE *out)
{
	if (x->pf)
		return x->proto ? perfetto_write_proto(x->pf, out) : perfetto_write(x->pf, out);
	return gotrace_write(x->gt, out);
}

static void write_output(const struct cmd *c, struct export *x, const char *path)
{
	struct outfile f;
	FILE *out;
	int fd;

	if (outfile_open(&f, path, 0644))
		die(exit_code_of_errno(errno), "%s: %s: %s", c->name, path, strerror(errno));
	fd = dup(f.fd);
	out = fd < 0 ? NULL : fdopen(fd, "w");
	if (!out) {
		if (fd >= 0)
			close(fd);
		write_failed(c, &f, path, errno);
	}
	errno = EIO;
	if (export_write(x, out)) {
		int e = errno;

		fclose(out);
		write_failed(c, &f, path, e);
	}
	if (fclose(out))
		write_failed(c, &f, path, errno);
	if (outfile_commit(&f))
		write_failed(c, &f, path, errno);
	outfile_free(&f);
}

/* What the Go trace could not hold, on stderr. */
static void gotrace_notes(const struct cmd *c, const char *path, const struct gotrace *gt)
{
	const struct gotrace_stats *st = gotrace_stats(gt);

	if (st->lost)
		warn("%s: %s: the capture lost %" PRIu64 " records: the trace misses their "
		     "events", c->name, path, st->lost);
	if (st->fixups)
		warn("%s: %s: %" PRIu64 " events added where the capture's records did not "
		     "follow the scheduler's rules", c->name, path, st->fixups);
}

static uint32_t parse_pid(const struct cmd *c, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > UINT32_MAX || s[0] == '-')
		cmd_usage_error(c, "bad --pid '%s'", s);
	return (uint32_t)v;
}

#define FORMATS "perfetto, perfetto-proto, gotrace"

static int run_export(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		CMD_HELP_OPTION,
		{ 0 }
	};
	const char *output = NULL, *format = NULL;
	struct export x = { 0 };
	struct report_opts ro;
	struct capload l;
	char covers[64], err[256];
	uint32_t pid = 0;
	int opt;

	while ((opt = cmd_getopt(c, argc, argv, "f:o:p:h", longopts)) != -1) {
		if (opt == 'f')
			format = optarg;
		else if (opt == 'o')
			output = optarg;
		else if (opt == 'p')
			pid = parse_pid(c, optarg);
	}
	if (!format)
		cmd_usage_error(c, "missing --format (" FORMATS ")");
	x.proto = !strcmp(format, "perfetto-proto");
	if (strcmp(format, "perfetto") && !x.proto && strcmp(format, "gotrace"))
		cmd_usage_error(c, "unknown format '%s' (" FORMATS ")", format);
	if (pid && strcmp(format, "gotrace"))
		cmd_usage_error(c, "--pid is for --format gotrace");
	if (!output || !output[0])
		cmd_usage_error(c, "missing -o OUTPUT");
	if (strcmp(format, "gotrace")) {
		x.pf = perfetto_new();
		perfetto_init(x.pf, &ro);
	} else {
		x.gt = gotrace_new();
		gotrace_init(x.gt, &ro);
	}
	capload_open(c, argc, argv, &ro, &l);
	if (x.pf)
		perfetto_build(x.pf, &l.r);
	else if (gotrace_build(x.gt, &l.r, pid, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s: %s", c->name, l.path, err);
	write_output(c, &x, output);
	if (x.gt)
		gotrace_notes(c, l.path, x.gt);
	perfetto_free(x.pf);
	gotrace_free(x.gt);
	snprintf(covers, sizeof(covers), "exported the %zu records before it", l.r.recs.n);
	return capload_close(c, &l, covers);
}

const struct cmd cmd_export = {
	.name = "export",
	.summary = "write a capture file as a Perfetto or a Go execution trace",
	.usage = export_usage,
	.run = run_export,
};
