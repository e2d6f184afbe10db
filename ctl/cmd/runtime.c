// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl runtime: the goroutines by state, GC, heap and scheduler
 * figures of a live Go process, read from its memory without stopping
 * it (model/rtstats.c); once, or a line per interval with --watch.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/print.h"
#include "base/proc.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "model/rtstats.h"

static const char *const runtime_usage =
	"Usage: " PROG " runtime -p PID [--watch INTERVAL] [--json]\n"
	"\n"
	"Show the runtime figures of a running Go program, read from its memory\n"
	"(/proc/PID/mem) without stopping it and without the module: its\n"
	"goroutines by state (its own and the runtime's), GC cycles (forced ones\n"
	"too), the last GC's time and pause and all pauses together, the heap in\n"
	"use, live (marked by the last GC) and its goal, GOGC, GOMEMLIMIT and\n"
	"GOMAXPROCS in effect, its threads (Ms) and its Go version. Needs ptrace\n"
	"access to the process (as perf does to read another process's memory).\n"
	"The figures are found through the binary's symbols and DWARF; a figure\n"
	"that cannot be established (a stripped binary) or read is shown as\n"
	"unknown with the reason, never as a guess.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID          the process (required)\n"
	"  -w, --watch INTERVAL   read again every INTERVAL (1s, 500ms), one line\n"
	"                         each (one JSON object per line with --json),\n"
	"                         until interrupted (exit 0) or the process exits\n"
	"                         (said in a last line; exit 0)\n"
	"  -j, --json             print JSON\n"
	"  -h, --help             show this help\n";

#define WATCH_MIN_NS	1000000ULL	/* 1ms */
/* A heap goal past this (4 EiB) is no goal: GOGC=off without a limit. */
#define GOAL_NONE	(1ULL << 62)

struct ropts {
	pid_t pid;
	bool json;
	uint64_t watch_ns;	/* 0: once */
};

/* ---- one sample ----------------------------------------------------- */

static const struct rs_value *fig(const struct rs_sample *s, enum rs_figure f)
{
	return &s->fig[f];
}

static void json_fig(struct json *j, const char *key, const struct rs_value *v, bool sign)
{
	if (!v->known)
		json_kv_u64_or_null(j, key, 0, false);
	else if (sign)
		json_kv_s64(j, key, (int64_t)v->v);
	else
		json_kv_u64(j, key, v->v);
}

static void json_sample(struct json *j, const struct rs_reader *r, const struct rs_sample *s)
{
	enum rs_figure f;
	int i;

	json_object_begin(j);
	json_kv_u64(j, "pid", (uint64_t)r->d.pid);
	json_kv_string(j, "go", r->d.go_version);
	json_kv_u64(j, "time_unix_ns", s->time_unix_ns);
	json_key(j, "goroutines");
	json_object_begin(j);
	json_kv_u64(j, "total", s->total);
	json_kv_u64(j, "user", s->user);
	json_kv_u64(j, "runtime", s->system);
	json_key(j, "by_state");
	json_object_begin(j);
	for (i = 0; i < GORT_G_STATES; i++)
		if (s->state[i])
			json_kv_u64(j, gort_state_name((uint32_t)i), s->state[i]);
	json_object_end(j);
	json_kv_u64(j, "skipped", s->skipped);
	json_kv_bool(j, "changed", s->changed);
	json_object_end(j);
	json_key(j, "gc");
	json_object_begin(j);
	json_fig(j, "cycles", fig(s, RS_NUMGC), false);
	json_fig(j, "forced", fig(s, RS_NUMFORCEDGC), false);
	json_fig(j, "last_unix_ns", fig(s, RS_LAST_GC_UNIX), false);
	json_fig(j, "last_pause_ns", fig(s, RS_LAST_PAUSE), false);
	json_fig(j, "pause_total_ns", fig(s, RS_PAUSE_TOTAL), false);
	json_object_end(j);
	json_key(j, "heap");
	json_object_begin(j);
	json_fig(j, "inuse_bytes", fig(s, RS_HEAP_INUSE), false);
	json_fig(j, "live_bytes", fig(s, RS_HEAP_LIVE), false);
	json_fig(j, "goal_bytes", fig(s, RS_HEAP_GOAL), false);
	json_object_end(j);
	json_fig(j, "gogc", fig(s, RS_GOGC), true);
	json_fig(j, "gomemlimit_bytes", fig(s, RS_GOMEMLIMIT), false);
	json_fig(j, "gomaxprocs", fig(s, RS_GOMAXPROCS), false);
	json_fig(j, "threads", fig(s, RS_THREADS), false);
	json_key(j, "unknown");
	json_object_begin(j);
	for (f = 0; f < RS_FIGURES; f++)
		if (!s->fig[f].known)
			json_kv_string(j, rs_figure_name(f), s->fig[f].why);
	json_object_end(j);
	json_object_end(j);
}

/* A figure as text: its value, or "?". */
static const char *size_text(const struct rs_value *v, char *buf, size_t len)
{
	if (!v->known)
		return "?";
	format_size(v->v, buf, len);
	return buf;
}

/* The goal is out of reach with GOGC=off and no memory limit: none. */
static const char *goal_text(const struct rs_value *v, char *buf, size_t len)
{
	if (v->known && v->v >= GOAL_NONE)
		return "none";
	return size_text(v, buf, len);
}

static const char *dur_text(const struct rs_value *v, char *buf, size_t len)
{
	if (!v->known)
		return "?";
	format_duration(v->v, buf, len);
	return buf;
}

static const char *num_text(const struct rs_value *v, char *buf, size_t len)
{
	if (!v->known)
		return "?";
	snprintf(buf, len, "%" PRIu64, v->v);
	return buf;
}

static const char *gogc_text(const struct rs_value *v, char *buf, size_t len)
{
	if (!v->known)
		return "?";
	if ((int64_t)v->v < 0)
		return "off";
	snprintf(buf, len, "%" PRId64, (int64_t)v->v);
	return buf;
}

static const char *limit_text(const struct rs_value *v, char *buf, size_t len)
{
	char sz[32];

	if (!v->known)
		return "?";
	if (v->v == (uint64_t)INT64_MAX)
		return "off";
	format_size(v->v, sz, sizeof(sz));
	snprintf(buf, len, "%s (%" PRIu64 " bytes)", sz, v->v);
	return buf;
}

static void states_text(FILE *out, const struct rs_sample *s)
{
	const char *sep = "";
	int i;

	for (i = 0; i < GORT_G_STATES; i++)
		if (s->state[i]) {
			fprintf(out, "%s%zu %s", sep, s->state[i], gort_state_name((uint32_t)i));
			sep = ", ";
		}
}

static void last_gc_text(FILE *out, const struct rs_sample *s)
{
	const struct rs_value *n = fig(s, RS_NUMGC), *t = fig(s, RS_LAST_GC_UNIX);
	char b1[32], b2[32], b3[32];

	if (n->known && !n->v) {
		fprintf(out, "no GC yet\n");
		return;
	}
	fprintf(out, "%s cycles (%s forced); last ", num_text(n, b1, sizeof(b1)),
		num_text(fig(s, RS_NUMFORCEDGC), b2, sizeof(b2)));
	if (t->known && t->v <= s->time_unix_ns) {
		format_duration(s->time_unix_ns - t->v, b1, sizeof(b1));
		fprintf(out, "%s ago", b1);
	} else {
		fprintf(out, "at %s", num_text(t, b1, sizeof(b1)));
	}
	fprintf(out, ", paused %s; %s of pauses in all\n",
		dur_text(fig(s, RS_LAST_PAUSE), b2, sizeof(b2)),
		dur_text(fig(s, RS_PAUSE_TOTAL), b3, sizeof(b3)));
}

static void text_sample(FILE *out, const struct rs_reader *r, const struct rs_sample *s)
{
	char b1[48], b2[48], b3[48], when[40];
	enum rs_figure f;

	format_utc(s->time_unix_ns, when, sizeof(when));
	fprintf(out, "runtime of process %d (%s), read %s\n", (int)r->d.pid, r->d.go_version,
		when);
	fprintf(out, "goroutines  %zu: %zu user, %zu of the runtime; ", s->total, s->user,
		s->system);
	states_text(out, s);
	if (s->skipped)
		fprintf(out, "; %zu skipped (changed while read)", s->skipped);
	fprintf(out, "\ngc          ");
	last_gc_text(out, s);
	fprintf(out, "heap        in use %s, live %s (marked by the last GC), goal %s\n",
		size_text(fig(s, RS_HEAP_INUSE), b1, sizeof(b1)),
		size_text(fig(s, RS_HEAP_LIVE), b2, sizeof(b2)),
		goal_text(fig(s, RS_HEAP_GOAL), b3, sizeof(b3)));
	fprintf(out, "GOGC        %s\n", gogc_text(fig(s, RS_GOGC), b1, sizeof(b1)));
	fprintf(out, "GOMEMLIMIT  %s\n", limit_text(fig(s, RS_GOMEMLIMIT), b1, sizeof(b1)));
	fprintf(out, "GOMAXPROCS  %s\n", num_text(fig(s, RS_GOMAXPROCS), b1, sizeof(b1)));
	fprintf(out, "threads     %s\n", num_text(fig(s, RS_THREADS), b1, sizeof(b1)));
	for (f = 0; f < RS_FIGURES; f++)
		if (!s->fig[f].known)
			fprintf(out, "unknown     %s: %s\n", rs_figure_name(f), s->fig[f].why);
}

/* One line of --watch; the first says what stays unknown. */
static void text_line(FILE *out, const struct rs_reader *r, const struct rs_sample *s,
		      bool first)
{
	char b[7][48], when[40];
	enum rs_figure f;

	if (first) {
		fprintf(out, "runtime of process %d (%s), every line one reading\n",
			(int)r->d.pid, r->d.go_version);
		for (f = 0; f < RS_FIGURES; f++)
			if (!s->fig[f].known)
				fprintf(out, "unknown %s: %s\n", rs_figure_name(f), s->fig[f].why);
	}
	format_utc(s->time_unix_ns, when, sizeof(when));
	fprintf(out, "%s goroutines %zu (", when, s->total);
	states_text(out, s);
	fprintf(out, ") gc %s pause %s heap inuse %s live %s goal %s gomaxprocs %s threads %s\n",
		num_text(fig(s, RS_NUMGC), b[0], sizeof(b[0])),
		dur_text(fig(s, RS_LAST_PAUSE), b[1], sizeof(b[1])),
		size_text(fig(s, RS_HEAP_INUSE), b[2], sizeof(b[2])),
		size_text(fig(s, RS_HEAP_LIVE), b[3], sizeof(b[3])),
		goal_text(fig(s, RS_HEAP_GOAL), b[4], sizeof(b[4])),
		num_text(fig(s, RS_GOMAXPROCS), b[5], sizeof(b[5])),
		num_text(fig(s, RS_THREADS), b[6], sizeof(b[6])));
}

/* ---- options and the loop ------------------------------------------- */

static void parse_options(const struct cmd *c, int argc, char **argv, struct ropts *o)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "watch", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	const char *why;
	uint32_t pid = 0;
	int opt;

	memset(o, 0, sizeof(*o));
	while ((opt = cmd_getopt(c, argc, argv, "p:w:jh", longopts)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_u32(optarg, 1, INT32_MAX, &pid))
				cmd_usage_error(c, "invalid PID '%s'", optarg);
			break;
		case 'w':
			why = parse_duration(optarg, &o->watch_ns);
			if (why)
				cmd_usage_error(c, "--watch '%s': %s", optarg, why);
			if (o->watch_ns < WATCH_MIN_NS)
				cmd_usage_error(c, "--watch '%s': at least 1ms", optarg);
			break;
		case 'j':
			o->json = true;
			break;
		}
	}
	cmd_no_operands(c, argc, argv);
	if (!pid)
		cmd_usage_error(c, "missing -p PID");
	o->pid = (pid_t)pid;
}

static void print_sample(const struct ropts *o, const struct rs_reader *r,
			 const struct rs_sample *s, bool first)
{
	struct json j;

	if (o->json) {
		json_init(&j, stdout);
		json_sample(&j, r, s);
	} else if (o->watch_ns) {
		text_line(stdout, r, s, first);
	} else {
		text_sample(stdout, r, s);
	}
	fflush(stdout);
}

/* Waits ns, or until SIGINT/SIGTERM (blocked, so taken here): false then. */
static bool pause_for(const sigset_t *set, uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ULL),
			       .tv_nsec = (long)(ns % 1000000000ULL) };

	for (;;) {
		int sig = sigtimedwait(set, NULL, &ts);

		if (sig >= 0)
			return false;
		if (errno == EAGAIN)
			return true;
		if (errno != EINTR)
			return true;
	}
}

static int watch(const struct cmd *c, const struct ropts *o, struct rs_reader *r)
{
	struct rs_sample s;
	sigset_t set;
	char err[1024];
	bool first = true;
	enum gr_error e;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		e = rs_read(r, &s, err, sizeof(err));
		/* (a read that failed because the process is exiting: it ended) */
		if (!first && (e == GR_ENOPROC || (e != GR_OK && proc_ended(o->pid)))) {
			if (o->json)
				printf("{\"pid\":%d,\"exited\":true}\n", (int)o->pid);
			else
				printf("process %d exited\n", (int)o->pid);
			return EXIT_OK;
		}
		if (e != GR_OK) {
			rs_close(r);
			die(gr_exit_code(e), "%s: %s", c->name, err);
		}
		print_sample(o, r, &s, first);
		first = false;
		if (!pause_for(&set, o->watch_ns))
			return EXIT_OK;
	}
}

static int run_runtime(const struct cmd *c, int argc, char **argv)
{
	struct rs_reader *r = xcalloc(1, sizeof(*r));
	struct rs_sample s;
	struct ropts o;
	char err[1024];
	enum gr_error e;
	int rc = EXIT_OK;

	parse_options(c, argc, argv, &o);
	e = rs_open(o.pid, r, err, sizeof(err));
	if (e != GR_OK) {
		rs_close(r);
		die(gr_exit_code(e), "%s: %s", c->name, err);
	}
	if (o.watch_ns) {
		rc = watch(c, &o, r);
	} else {
		e = rs_read(r, &s, err, sizeof(err));
		if (e != GR_OK) {
			rs_close(r);
			die(gr_exit_code(e), "%s: %s", c->name, err);
		}
		print_sample(&o, r, &s, true);
	}
	rs_close(r);
	free(r);
	return rc;
}

const struct cmd cmd_runtime = {
	.name = "runtime",
	.summary = "show a running Go program's GC, heap and threads (no module needed)",
	.usage = runtime_usage,
	.run = run_runtime,
};
