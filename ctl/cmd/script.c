// SPDX-License-Identifier: GPL-2.0
/* godiagctl script: every record of a capture file, in time order (script.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/print.h"
#include "base/syscalls.h"
#include "base/util.h"
#include "cmd/capload.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/script.h"
#include "module/names.h"

static const char *const script_usage =
	"Usage: " PROG " script FILE [--json] [--absolute] [--pid PID]\n"
	"                 [--goroutine N] [--kind KIND[,KIND...]]\n"
	"\n"
	"Print every record of a capture file, one line each, in time order\n"
	"across CPUs (the per-CPU streams merged by timestamp; records with the\n"
	"same timestamp keep the file's order, which for one CPU is the order\n"
	"they happened in). A syscall is placed at its exit. Each line has the\n"
	"time since the capture started (seconds), [CPU], PID/TID, the\n"
	"goroutine the thread was running (G<id>, '-' when unknown), the kind\n"
	"and its fields, decoded as '" PROG " report' reads them:\n"
	"  syscall    NAME = RET (DURATION)\n"
	"  go-create  G<new> START by G<parent> at CREATOR\n"
	"  go-start   G<id> (the goroutine column: the one it replaced)\n"
	"  go-park    G<id> (WAIT REASON)\n"
	"  go-ready   G<id> by G<readier> (or by runtime)\n"
	"  go-exit    G<id>\n"
	"  break      FUNCTION NAME=VALUE... (at entry), FUNCTION ret (at a RET)\n"
	"  lost       N records lost on cpu C\n"
	"  exit       a target ended: how (\"exited with status 1\")\n"
	"\n"
	"A file cut short is printed up to the cut, with a line on stderr\n"
	"saying where it was cut (exit status 5).\n"
	"\n"
	"Options:\n"
	"  -j, --json            JSON Lines: one object per record, with\n"
	"                        \"time_ns\" (since the start), \"ts_ns\"\n"
	"                        (CLOCK_MONOTONIC), \"realtime_ns\" (null when\n"
	"                        the file has no start time), \"cpu\", \"pid\",\n"
	"                        \"tid\", \"goroutine\" (null: unknown), \"kind\",\n"
	"                        \"fault\", and the kind's fields (a syscall's\n"
	"                        \"name\", \"nr\", \"ret\", \"duration_ns\",\n"
	"                        \"enter_ns\"; a goroutine event's \"subject\",\n"
	"                        \"start\", \"parent\", \"creator\", \"reason\",\n"
	"                        \"reason_nr\", \"by\"; a hit's \"function\", \"spec\",\n"
	"                        \"ret\", \"args\":[{\"name\":S,\"value\":S}],\n"
	"                        \"stack\":[S] (innermost first);\n"
	"                        lost \"count\", \"first_ns\", \"last_ns\"; exit\n"
	"                        \"status\", \"wait_status\")\n"
	"  -a, --absolute        wall-clock times (UTC, to the nanosecond) instead\n"
	"                        of times since the start\n"
	"  -p, --pid PID         only the records of process PID\n"
	"  -g, --goroutine N     only the records that name goroutine N (the one\n"
	"                        running, or the one a goroutine event is about,\n"
	"                        its parent or its readier)\n"
	"  -k, --kind KINDS      only these kinds: syscall, goroutine, break,\n"
	"                        loss, exit (comma-separated, or repeated)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Loss records name no process or goroutine: --pid and --goroutine keep\n"
	"them (a gap concerns every process); --kind leaves them out.\n"
	"\n"
	"Exit status: 0 the file was complete; 5 it was cut short (printed up\n"
	"to the cut); 1 a usage error, or FILE is missing, is not a capture file\n"
	"or is damaged; 4 FILE may not be read (permission); 3 it could not be\n"
	"read, or the output could not be written.\n";

uint64_t script_base(const struct report *r)
{
	if (r->start_mono)
		return r->start_mono;
	return r->recs.n ? r->recs.ix[0].ts : 0;
}

static unsigned int kind_of(uint16_t type)
{
	switch (type) {
	case GODIAG_REC_SYSCALL:
		return SCRIPT_SYSCALL;
	case GODIAG_REC_GO_CREATE:
	case GODIAG_REC_GO_START:
	case GODIAG_REC_GO_PARK:
	case GODIAG_REC_GO_READY:
	case GODIAG_REC_GO_EXIT:
		return SCRIPT_GOROUTINE;
	case GODIAG_REC_BREAKPOINT:
		return SCRIPT_BREAK;
	case GODIAG_REC_LOST:
		return SCRIPT_LOSS;
	case GODIAG_REC_TARGET_EXIT:
		return SCRIPT_EXIT;
	}
	return SCRIPT_OTHER;
}

static const char *kind_name(uint16_t type)
{
	static const char *const names[] = {
		[GODIAG_REC_LOST] = "lost",
		[GODIAG_REC_SYSCALL] = "syscall",
		[GODIAG_REC_GO_CREATE] = "go-create",
		[GODIAG_REC_GO_START] = "go-start",
		[GODIAG_REC_GO_PARK] = "go-park",
		[GODIAG_REC_GO_READY] = "go-ready",
		[GODIAG_REC_GO_EXIT] = "go-exit",
		[GODIAG_REC_BREAKPOINT] = "break",
		[GODIAG_REC_TARGET_EXIT] = "exit",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

/* Whether a goroutine record names goid: its subject, parent or readier. */
static bool go_names(const struct godiag_rec *rec, uint64_t goid)
{
	const struct godiag_rec_go *e = (const void *)rec;

	if (kind_of(rec->type) != SCRIPT_GOROUTINE)
		return false;
	return e->goid == goid || e->other_goid == goid;
}

bool script_keep(const struct script_opts *o, const struct godiag_rec *rec)
{
	if (!(o->kinds & kind_of(rec->type)))
		return false;
	if (rec->type == GODIAG_REC_LOST)
		return true;
	if (o->has_pid && rec->tgid != o->pid)
		return false;
	if (o->has_goid && rec->goid != o->goid && !go_names(rec, o->goid))
		return false;
	return true;
}

/* "12.000001500", "-0.000000020": seconds and nanoseconds, signed. */
static void format_rel(int64_t ns, char *buf, size_t len)
{
	uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	snprintf(buf, len, "%s%" PRIu64 ".%09" PRIu64, ns < 0 ? "-" : "",
		 a / 1000000000, a % 1000000000);
}

/* "2026-12-07T17:18:53.123456789Z" */
static void format_abs(uint64_t realtime_ns, char *buf, size_t len)
{
	time_t secs = (time_t)(realtime_ns / 1000000000);
	char day[32];
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09" PRIu64 "Z", day, realtime_ns % 1000000000);
}

static void walk_time(struct printer *p, const struct report *r, const struct script_opts *o,
		      const struct godiag_rec *rec)
{
	int64_t rel = (int64_t)(rec->ts_ns - script_base(r));
	bool known = r->start_real && r->start_mono;
	uint64_t real = r->start_real + (uint64_t)((int64_t)(rec->ts_ns - r->start_mono));
	char buf[48];

	format_rel(rel, buf, sizeof(buf));
	print_string(p, o->absolute && known ? PRINT_NONE : PRINT_FP, "time_ns", "%15s", buf);
	print_s64(p, PRINT_JSON, "time_ns", NULL, rel);
	print_u64(p, PRINT_JSON, "ts_ns", NULL, rec->ts_ns);
	if (known) {
		format_abs(real, buf, sizeof(buf));
		print_string(p, o->absolute ? PRINT_FP : PRINT_NONE, "realtime_ns", "%s", buf);
		print_u64(p, PRINT_JSON, "realtime_ns", NULL, real);
	} else {
		print_null(p, PRINT_JSON, "realtime_ns");
	}
}

/* "G7" in the text (fmt), or "-" as wide; the number or null in JSON. */
static void walk_goid(struct printer *p, const char *key, const char *fmt, uint64_t goid)
{
	char buf[32], col[PRINT_COLUMN_FMT + 1] = " ";
	int w;

	if (goid) {
		print_u64(p, PRINT_ANY, key, fmt, goid);
		return;
	}
	print_null(p, PRINT_JSON, key);
	/* As wide as a goroutine of one digit: the columns after it line up. */
	w = snprintf(buf, sizeof(buf), fmt, (uint64_t)0) - 1;
	print_column_fmt(col + 1, w > 1 ? (size_t)w : 1);
	print_string(p, PRINT_FP, key, col, "-");
}

static void walk_syscall(struct printer *p, const struct godiag_rec *rec)
{
	const struct godiag_rec_syscall *s = (const void *)rec;
	char name[32];

	syscall_format(s->nr, name, sizeof(name));
	print_string(p, PRINT_ANY, "name", " %s", name);
	print_u64(p, PRINT_JSON, "nr", NULL, s->nr);
	print_s64(p, PRINT_ANY, "ret", " = %" PRId64, s->ret);
	print_duration(p, PRINT_ANY, "duration_ns", " (%s)", s->duration_ns);
	print_u64(p, PRINT_JSON, "enter_ns", NULL, s->enter_ns);
}

static void walk_go(struct printer *p, const struct report *r, const struct godiag_rec *rec)
{
	const struct godiag_rec_go *e = (const void *)rec;
	const struct goreport *g = &r->go;
	char buf[48];
	const char *reason;

	print_u64(p, PRINT_ANY, "subject", " G%" PRIu64, e->goid);
	switch (rec->type) {
	case GODIAG_REC_GO_CREATE:
		print_string(p, PRINT_ANY, "start", " %s",
			     goreport_start_name(g, rec->tgid, e->start_pc, buf, sizeof(buf)));
		walk_goid(p, "parent", " by G%" PRIu64, e->other_goid);
		print_string(p, PRINT_ANY, "creator", " at %s",
			     goreport_func_name(g, rec->tgid, e->pc, buf, sizeof(buf)));
		break;
	case GODIAG_REC_GO_PARK:
		reason = goreport_reason_name(g, rec->tgid, e->reason, buf, sizeof(buf));
		print_string(p, PRINT_FP, "reason", " (%s)", reason[0] ? reason : "(none)");
		print_string(p, PRINT_JSON, "reason", NULL, reason);
		print_u64(p, PRINT_JSON, "reason_nr", NULL, e->reason);
		break;
	case GODIAG_REC_GO_READY:
		if (e->other_goid) {
			print_u64(p, PRINT_ANY, "by", " by G%" PRIu64, e->other_goid);
		} else {
			print_null(p, PRINT_JSON, "by");
			print_string(p, PRINT_FP, "by", " by %s", "runtime");
		}
		break;
	}
}

static void walk_arg(const struct bp_arg *a, size_t i, const char *value, void *arg)
{
	struct printer *p = arg;

	(void)i;
	print_object_begin(p, NULL);
	print_string(p, PRINT_ANY, "name", " %s", a->name);
	print_string(p, PRINT_ANY, "value", "=%s", value);
	print_object_end(p);
}

static void walk_frame(const char *frame, size_t i, void *arg)
{
	(void)i;
	print_string(arg, PRINT_JSON, NULL, NULL, frame);
}

static void walk_break(struct printer *p, const struct report *r, const struct godiag_rec *rec)
{
	const struct godiag_rec_break *b = (const void *)rec;
	const struct bp_row *row;
	bool is_ret = b->is_ret;

	/* Twice through the model: its row first, then the args in their array. */
	row = bp_hit(&r->bp, rec, rec->size, &is_ret, NULL, NULL, NULL);
	if (row) {
		print_string(p, PRINT_ANY, "function", " %s", row->function);
		print_string(p, PRINT_JSON, "spec", NULL, row->spec);
	} else {
		print_null(p, PRINT_JSON, "function");
		print_null(p, PRINT_JSON, "spec");
		print_u64(p, PRINT_ANY, "probe_id", " probe %" PRIu64, b->probe_id);
	}
	print_bool(p, PRINT_JSON, "ret", NULL, is_ret);
	if (is_ret)
		print_string(p, PRINT_FP, "ret", " %s", "ret");
	print_array_begin(p, "args");
	if (row && !is_ret)
		bp_hit(&r->bp, rec, rec->size, &is_ret, walk_arg, NULL, p);
	print_array_end(p);
	/* JSON only: the text is one line a record. */
	print_array_begin_to(p, PRINT_JSON, "stack");
	if (row)
		bp_hit(&r->bp, rec, rec->size, &is_ret, NULL, walk_frame, p);
	print_array_end_to(p, PRINT_JSON);
}

static void walk_lost(struct printer *p, const struct godiag_rec *rec)
{
	const struct godiag_rec_lost *l = (const void *)rec;

	print_u64(p, PRINT_ANY, "count", " %" PRIu64 " records lost", l->count);
	print_u64(p, PRINT_FP, "cpu", " on cpu %" PRIu64, rec->cpu);
	print_u64(p, PRINT_JSON, "first_ns", NULL, l->first_ns);
	print_u64(p, PRINT_JSON, "last_ns", NULL, l->last_ns);
}

/* "exited with status 1", as capture's notes say it; the wait status in JSON. */
static void walk_exit(struct printer *p, const struct godiag_rec *rec)
{
	uint32_t st = ((const struct godiag_rec_target_exit *)rec)->exit_code;
	char buf[64];

	wait_status_format(st, buf, sizeof(buf));
	print_string(p, PRINT_ANY, "status", " %s", buf);
	print_u64(p, PRINT_JSON, "wait_status", NULL, st);
}

void script_walk(struct printer *p, const struct report *r, const struct script_opts *o,
		 const struct godiag_rec *rec)
{
	walk_time(p, r, o, rec);
	print_u64(p, PRINT_ANY, "cpu", " [%03" PRIu64 "]", rec->cpu);
	print_u64(p, PRINT_ANY, "pid", " %7" PRIu64, rec->tgid);
	print_u64(p, PRINT_ANY, "tid", "/%-7" PRIu64, rec->tid);
	walk_goid(p, "goroutine", " G%-5" PRIu64, rec->goid);
	print_string(p, PRINT_ANY, "kind", " %-9s", kind_name(rec->type));
	print_bool(p, PRINT_JSON, "fault", NULL, rec->flags & GODIAG_RF_FAULT);
	switch (kind_of(rec->type)) {
	case SCRIPT_SYSCALL:
		walk_syscall(p, rec);
		break;
	case SCRIPT_GOROUTINE:
		walk_go(p, r, rec);
		break;
	case SCRIPT_BREAK:
		walk_break(p, r, rec);
		break;
	case SCRIPT_LOSS:
		walk_lost(p, rec);
		break;
	case SCRIPT_EXIT:
		walk_exit(p, rec);
		break;
	default:
		print_u64(p, PRINT_ANY, "type", " type %" PRIu64, rec->type);
		print_u64(p, PRINT_ANY, "size", " size %" PRIu64, rec->size);
		break;
	}
	if (rec->flags & GODIAG_RF_FAULT)
		print_string(p, PRINT_FP, "fault", " %s", "(fault)");
	print_fp(p, "\n");
}

void script_print(const struct report *r, const struct script_opts *o, bool json,
		  FILE *out)
{
	struct printer p = { 0 };
	size_t i;

	for (i = 0; i < r->recs.n; i++) {
		const struct godiag_rec *rec = recseq_get(&r->recs, i);

		if (!script_keep(o, rec))
			continue;
		print_begin(&p, out, json);
		script_walk(&p, r, o, rec);
		print_end(&p);
	}
}

static unsigned int parse_kinds(const struct cmd *c, const char *list)
{
	static const struct { const char *name; unsigned int bit; } kinds[] = {
		{ "syscall", SCRIPT_SYSCALL }, { "goroutine", SCRIPT_GOROUTINE },
		{ "break", SCRIPT_BREAK }, { "loss", SCRIPT_LOSS }, { "exit", SCRIPT_EXIT },
	};
	char *copy = xstrdup(list), *save = NULL, *w;
	unsigned int bits = 0;
	size_t i;

	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(kinds) && strcmp(kinds[i].name, w); i++)
			;
		if (i == ARRAY_SIZE(kinds))
			cmd_usage_error(c, "unknown kind '%s' (syscall, goroutine, break, "
					"loss, exit)", w);
		bits |= kinds[i].bit;
	}
	free(copy);
	if (!bits)
		cmd_usage_error(c, "empty --kind");
	return bits;
}

static uint64_t parse_goid(const struct cmd *c, const char *s)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		cmd_usage_error(c, "invalid goroutine id '%s'", s);
	v = strtoull(s, &end, 10);
	if (*end || !v)
		cmd_usage_error(c, "invalid goroutine id '%s'", s);
	return v;
}

static int run_script(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "absolute", no_argument, NULL, 'a' },
		{ "pid", required_argument, NULL, 'p' },
		{ "goroutine", required_argument, NULL, 'g' },
		{ "kind", required_argument, NULL, 'k' },
		CMD_HELP_OPTION,
		{ 0 }
	};
	struct report_opts ro = { .keep_records = true };
	struct script_opts o = { .kinds = 0 };
	struct file_buf file;
	struct report r;
	const char *path;
	bool json = false;
	char err[256], where[128];
	int opt, ret = EXIT_OK;

	while ((opt = cmd_getopt(c, argc, argv, "jap:g:k:h", longopts)) != -1) {
		if (opt == 'j')
			json = true;
		else if (opt == 'a')
			o.absolute = true;
		else if (opt == 'p' && parse_u32(optarg, 1, INT32_MAX, &o.pid))
			cmd_usage_error(c, "invalid PID '%s'", optarg);
		else if (opt == 'g')
			o.goid = parse_goid(c, optarg);
		else if (opt == 'k')
			o.kinds |= parse_kinds(c, optarg);
		o.has_pid |= opt == 'p';
		o.has_goid |= opt == 'g';
	}
	if (!o.kinds)
		o.kinds = SCRIPT_ALL;
	if (optind == argc)
		cmd_usage_error(c, "missing capture FILE");
	path = argv[optind];
	if (optind + 1 < argc)
		cmd_usage_error(c, "unexpected argument '%s'", argv[optind + 1]);

	capload_file(c->name, path, &file);
	if (report_load_opts(&r, file.data, file.len, &ro, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s: %s", c->name, path, err);
	script_print(&r, &o, json, stdout);
	if (fflush(stdout) || ferror(stdout))
		die(EXIT_OPFAIL, "%s: writing the output failed", c->name);
	if (!r.complete) {
		capfile_cut_text(&r.file, where, sizeof(where));
		warn("%s: %s: %s: printed the %zu records before it", c->name, path,
		     where, r.recs.n);
		ret = EXIT_INCOMPLETE;
	}
	report_free(&r);
	capload_free(&file);
	return ret;
}

const struct cmd cmd_script = {
	.name = "script",
	.summary = "print every record of a capture file in time order",
	.usage = script_usage,
	.run = run_script,
};
