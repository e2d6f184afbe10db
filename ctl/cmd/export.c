// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl export --format perfetto: a capture as Chrome trace-event JSON
 * (export.h), which the Perfetto UI and chrome://tracing open.
 *
 * The goroutine slices are the intervals of the report's state machine
 * (model/goreport.c, on_interval), so the trace and 'report' count the
 * same time. Every event is collected first, then sorted by track and
 * time and written one per line: each track's events come in time order,
 * a slice before the slices it holds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "base/outfile.h"
#include "base/syscalls.h"
#include "base/util.h"
#include "cmd/capload.h"
#include "cmd/cmd.h"
#include "cmd/export.h"

static const char *const export_usage =
	"Usage: " PROG " export FILE --format perfetto -o OUTPUT\n"
	"\n"
	"Write a capture file as a trace other tools open. The perfetto format\n"
	"is Chrome trace-event JSON, which the Perfetto UI (ui.perfetto.dev)\n"
	"and chrome://tracing open. Each process of the capture holds:\n"
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
	"OUTPUT is replaced whole and only when the trace is complete: a command\n"
	"that fails leaves an earlier OUTPUT as it was. A capture file cut short\n"
	"is exported up to the cut, with a line on stderr (exit status 5).\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT   perfetto (Chrome trace-event JSON)\n"
	"  -o, --output OUTPUT   the file to write (required)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status: 0 the file was complete; 5 it was cut short (exported up\n"
	"to the cut); 1 a usage error, or FILE is missing, is not a capture file\n"
	"or is damaged, or OUTPUT's directory is missing; 4 FILE may not be read\n"
	"or OUTPUT created (permission); 3 OUTPUT could not be written.\n";

/* Goroutine tracks get thread ids above every real one (PID_MAX_LIMIT). */
#define GO_TID_BASE	(1ULL << 22)

enum ev_kind {
	EV_STATE,	/* a goroutine's running/runnable/blocked slice */
	EV_GO_SYSCALL,	/* a syscall inside a goroutine's running slice */
	EV_SYSCALL,	/* a syscall on its thread's track */
	EV_BREAK,	/* an instant */
	EV_FLOW_OUT,	/* "s" of a flow */
	EV_FLOW_IN,	/* "f" of a flow */
	EV_LOST,	/* a global instant */
};

struct ev {
	uint64_t tid;		/* the track: a thread, or GO_TID_BASE + goroutine index */
	uint64_t ts, dur;
	uint32_t pid;
	uint8_t kind;		/* enum ev_kind */
	uint8_t state;		/* EV_STATE: enum go_state; flows: GODIAG_REC_GO_* */
	uint32_t reason;	/* EV_STATE of a blocked goroutine */
	uint64_t ref;		/* the record's index; a flow's id */
};

/* A goroutine's track: its number and its intervals' place in evs. */
struct gtrack {
	uint32_t pid;
	uint64_t goid;
	size_t first, n;	/* EV_STATE events, in time order */
};

struct perfetto {
	const struct report *r;
	struct ev *evs;
	size_t nevs, cap;
	struct gtrack *tracks;	/* in the order the state machine met them */
	size_t ntracks;
	struct hmap track_map;	/* (goid, pid) -> index */
	uint64_t base;		/* time 0 */
	uint64_t flows;
};

static struct ev *add_ev(struct perfetto *pf, uint8_t kind, uint32_t pid, uint64_t tid,
			 uint64_t ts, uint64_t dur)
{
	struct ev *e;

	if (pf->nevs == pf->cap) {
		pf->cap = pf->cap ? pf->cap * 2 : 1024;
		pf->evs = xreallocarray(pf->evs, pf->cap, sizeof(*pf->evs));
	}
	e = &pf->evs[pf->nevs++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->pid = pid;
	e->tid = tid;
	e->ts = ts;
	e->dur = dur;
	return e;
}

/* The track of (pid, goid), made when add is set; SIZE_MAX when none. */
static size_t track_of(struct perfetto *pf, uint32_t pid, uint64_t goid, bool add)
{
	uint32_t *i;
	bool added;

	if (!goid)
		return SIZE_MAX;
	if (!add) {
		i = hmap_find(&pf->track_map, goid, pid);
		return i ? *i : SIZE_MAX;
	}
	i = hmap_get(&pf->track_map, goid, pid, (uint32_t)pf->ntracks, &added);
	if (added) {
		pf->tracks = xreallocarray(pf->tracks, pf->ntracks + 1, sizeof(*pf->tracks));
		pf->tracks[pf->ntracks].pid = pid;
		pf->tracks[pf->ntracks].goid = goid;
		pf->tracks[pf->ntracks].first = 0;
		pf->tracks[pf->ntracks++].n = 0;
	}
	return *i;
}

/* goreport's on_interval: one slice (the state machine runs before the rest). */
static void on_interval(void *arg, const struct go_row *row, uint8_t state,
			uint64_t from, uint64_t to)
{
	struct perfetto *pf = arg;
	size_t t = track_of(pf, row->pid, row->goid, true);
	struct ev *e = add_ev(pf, EV_STATE, row->pid, GO_TID_BASE + t, from, to - from);

	e->state = state;
	e->reason = row->reason;
}

/* ------------------------------------------------------------------ */
/* From records to events                                              */
/* ------------------------------------------------------------------ */

/* The goroutine slices are grouped per track, to find a syscall's slice. */
static int cmp_state(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return (x->ts > y->ts) - (x->ts < y->ts);
}

static void index_tracks(struct perfetto *pf)
{
	size_t i;

	if (pf->nevs > 1)
		qsort(pf->evs, pf->nevs, sizeof(*pf->evs), cmp_state);
	for (i = 0; i < pf->nevs; i++) {
		struct gtrack *t = &pf->tracks[pf->evs[i].tid - GO_TID_BASE];

		if (!t->n)
			t->first = i;
		t->n++;
	}
}

/*
 * A syscall on a goroutine's track lies inside one of its running slices
 * (clipped to the one its exit is in), or beside every slice (a goroutine
 * the capture never saw start); else, when the records disagree (a lost
 * event), it is on the thread's track only.
 */
static bool clip_syscall(const struct perfetto *pf, const struct gtrack *t,
			 uint64_t *from, uint64_t *to)
{
	const struct ev *s = pf->evs + t->first;
	size_t lo = 0, hi = t->n;

	/* The last slice that starts before the exit (one starting there follows it). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].ts < *to)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return true;
	s += lo - 1;
	/* Between two slices, or after the last: beside them. */
	if (s->ts + s->dur <= *from)
		return true;
	if (s->state != GO_RUNNING)
		return false;
	if (*from < s->ts)
		*from = s->ts;
	if (*to > s->ts + s->dur)
		*to = s->ts + s->dur;
	return true;
}

static void add_syscall(struct perfetto *pf, const struct godiag_rec *rec, size_t index)
{
	const struct godiag_rec_syscall *s = (const void *)rec;
	uint64_t from = s->enter_ns, to = rec->ts_ns;
	size_t t = track_of(pf, rec->tgid, rec->goid, false);

	add_ev(pf, EV_SYSCALL, rec->tgid, rec->tid, s->enter_ns, s->duration_ns)->ref = index;
	if (from > to)
		from = to;
	if (t != SIZE_MAX && clip_syscall(pf, &pf->tracks[t], &from, &to))
		add_ev(pf, EV_GO_SYSCALL, rec->tgid, GO_TID_BASE + t, from, to - from)->ref = index;
}

/* An arrow from goroutine src to dst at ts, both of process pid. */
static void add_flow(struct perfetto *pf, uint8_t type, uint32_t pid, uint64_t src,
		     uint64_t dst, uint64_t ts)
{
	size_t from = track_of(pf, pid, src, false), to = track_of(pf, pid, dst, false);
	struct ev *e;

	if (from == SIZE_MAX || to == SIZE_MAX || from == to)
		return;
	pf->flows++;
	e = add_ev(pf, EV_FLOW_OUT, pid, GO_TID_BASE + from, ts, 0);
	e->state = type;
	e->ref = pf->flows;
	e = add_ev(pf, EV_FLOW_IN, pid, GO_TID_BASE + to, ts, 0);
	e->state = type;
	e->ref = pf->flows;
}

static void add_record(struct perfetto *pf, const struct godiag_rec *rec, size_t index)
{
	const struct godiag_rec_go *g = (const void *)rec;
	size_t t;

	switch (rec->type) {
	case GODIAG_REC_SYSCALL:
		add_syscall(pf, rec, index);
		break;
	case GODIAG_REC_GO_CREATE:
	case GODIAG_REC_GO_READY:
		if (g->other_goid)
			add_flow(pf, (uint8_t)rec->type, rec->tgid, g->other_goid, g->goid,
				 rec->ts_ns);
		break;
	case GODIAG_REC_BREAKPOINT:
		t = track_of(pf, rec->tgid, rec->goid, false);
		add_ev(pf, EV_BREAK, rec->tgid, t == SIZE_MAX ? rec->tid : GO_TID_BASE + t,
		       rec->ts_ns, 0)->ref = index;
		break;
	case GODIAG_REC_LOST:
		add_ev(pf, EV_LOST, 0, 0, rec->ts_ns, 0)->ref = index;
		break;
	}
}

/* Time 0: the capture's start, or the first thing the trace shows. */
static uint64_t first_time(const struct perfetto *pf)
{
	uint64_t base = pf->r->start_mono ? pf->r->start_mono : UINT64_MAX;
	size_t i;

	for (i = 0; i < pf->nevs; i++)
		if (pf->evs[i].ts < base)
			base = pf->evs[i].ts;
	return base == UINT64_MAX ? 0 : base;
}

/* By track, then time; at one time the longer slice first (it holds the other). */
static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->dur != y->dur)
		return x->dur > y->dur ? -1 : 1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

void perfetto_build(struct perfetto *pf, const struct report *r)
{
	pf->r = r;
	size_t i;

	index_tracks(pf);
	for (i = 0; i < r->recs.n; i++)
		add_record(pf, recseq_get(&r->recs, i), i);
	pf->base = first_time(pf);
	if (pf->nevs > 1)
		qsort(pf->evs, pf->nevs, sizeof(*pf->evs), cmp_ev);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */
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

static void put_ts(struct perfetto *pf, struct json *j, uint64_t ts)
{
	put_us(j, "ts", ts - pf->base);
}

static const char *state_name(uint8_t state)
{
	return state == GO_RUNNING ? "running" : state == GO_RUNNABLE ? "runnable" : "blocked";
}

static void put_state(struct perfetto *pf, struct json *j, const struct ev *e)
{
	char buf[48];
	const char *reason = NULL;

	if (e->state == GO_BLOCKED)
		reason = goreport_reason_name(&pf->r->go, e->pid, e->reason, buf, sizeof(buf));
	json_kv_string(j, "name", reason && reason[0] ? reason : state_name(e->state));
	json_kv_string(j, "cat", "goroutine");
	json_kv_string(j, "ph", "X");
	put_ts(pf, j, e->ts);
	put_us(j, "dur", e->dur);
	json_key(j, "args");
	json_object_begin(j);
	json_kv_string(j, "state", state_name(e->state));
	if (reason)
		json_kv_string(j, "reason", reason);
	json_object_end(j);
}

static void put_syscall(struct perfetto *pf, struct json *j, const struct ev *e)
{
	const struct godiag_rec_syscall *s = (const void *)recseq_get(&pf->r->recs, e->ref);
	char name[32];

	syscall_format(s->nr, name, sizeof(name));
	json_kv_string(j, "name", name);
	json_kv_string(j, "cat", "syscall");
	json_kv_string(j, "ph", "X");
	put_ts(pf, j, e->ts);
	put_us(j, "dur", e->dur);
	json_key(j, "args");
	json_object_begin(j);
	json_kv_s64(j, "ret", s->ret);
	json_kv_u64(j, "duration_ns", s->duration_ns);
	if (e->kind == EV_SYSCALL && s->hdr.goid)
		json_kv_u64(j, "goroutine", s->hdr.goid);
	json_object_end(j);
}

static void put_arg(const struct bp_arg *a, size_t i, const char *value, void *arg)
{
	(void)i;
	json_kv_string(arg, a->name, value);
}

static void put_break(struct perfetto *pf, struct json *j, const struct ev *e)
{
	const struct godiag_rec *rec = recseq_get(&pf->r->recs, e->ref);
	const struct bp_row *row;
	char name[64];
	bool is_ret = false;

	row = bp_hit(&pf->r->bp, rec, rec->size, &is_ret, NULL, NULL, NULL);
	if (row)
		snprintf(name, sizeof(name), "%.50s%s", row->function, is_ret ? " ret" : "");
	else
		snprintf(name, sizeof(name), "probe %u", ((const struct godiag_rec_break *)rec)->probe_id);
	json_kv_string(j, "name", name);
	json_kv_string(j, "cat", "break");
	json_kv_string(j, "ph", "i");
	json_kv_string(j, "s", "t");
	put_ts(pf, j, e->ts);
	json_key(j, "args");
	json_object_begin(j);
	if (rec->goid)
		json_kv_u64(j, "goroutine", rec->goid);
	if (row && !is_ret)
		bp_hit(&pf->r->bp, rec, rec->size, &is_ret, put_arg, NULL, j);
	json_object_end(j);
}

static void put_flow(struct perfetto *pf, struct json *j, const struct ev *e)
{
	json_kv_string(j, "name", e->state == GODIAG_REC_GO_CREATE ? "create" : "ready");
	json_kv_string(j, "cat", "flow");
	json_kv_string(j, "ph", e->kind == EV_FLOW_OUT ? "s" : "f");
	json_kv_u64(j, "id", e->ref);
	put_ts(pf, j, e->ts);
}

static void put_lost(struct perfetto *pf, struct json *j, const struct ev *e)
{
	const struct godiag_rec_lost *l = (const void *)recseq_get(&pf->r->recs, e->ref);
	char name[64];

	snprintf(name, sizeof(name), "lost %" PRIu64 " records on cpu %u", (uint64_t)l->count,
		 l->hdr.cpu);
	json_kv_string(j, "name", name);
	json_kv_string(j, "cat", "loss");
	json_kv_string(j, "ph", "i");
	json_kv_string(j, "s", "g");
	put_ts(pf, j, e->ts);
	json_key(j, "args");
	json_object_begin(j);
	json_kv_u64(j, "count", l->count);
	json_kv_u64(j, "cpu", l->hdr.cpu);
	json_object_end(j);
}

static void put_event(struct perfetto *pf, FILE *out, bool *first, const struct ev *e)
{
	struct json j;

	ev_begin(&j, out, first);
	put_track(&j, e->pid, e->tid);
	switch (e->kind) {
	case EV_STATE:
		put_state(pf, &j, e);
		break;
	case EV_GO_SYSCALL:
	case EV_SYSCALL:
		put_syscall(pf, &j, e);
		break;
	case EV_BREAK:
		put_break(pf, &j, e);
		break;
	case EV_FLOW_OUT:
	case EV_FLOW_IN:
		put_flow(pf, &j, e);
		break;
	case EV_LOST:
		put_lost(pf, &j, e);
		break;
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

static const char *comm_of(const struct report *r, uint32_t pid)
{
	size_t i;

	for (i = 0; i < r->ntargets; i++)
		if (r->targets[i].pid == pid && r->targets[i].comm[0])
			return r->targets[i].comm;
	return NULL;
}

/* Each process and goroutine track is named; goroutines sort by id. */
static void put_names(struct perfetto *pf, FILE *out, bool *first)
{
	const struct goreport *g = &pf->r->go;
	uint32_t last_pid = 0;
	char name[512], buf[32];
	size_t i;

	for (i = 0; i < pf->nevs; i++) {
		const struct ev *e = &pf->evs[i];
		const char *comm;

		if (e->kind == EV_LOST || (i && e->pid == last_pid))
			continue;
		last_pid = e->pid;
		comm = comm_of(pf->r, e->pid);
		snprintf(name, sizeof(name), "%s%s%u", comm ? comm : "", comm ? " " : "pid ",
			 e->pid);
		put_meta(out, first, "process_name", e->pid, 0, name, 0);
	}
	/* Every track is a row's (on_interval): one pass over the rows. */
	for (i = 0; i < g->nrows; i++) {
		const struct go_row *row = &g->rows[i];
		size_t t = track_of(pf, row->pid, row->goid, false);

		if (t == SIZE_MAX)
			continue;
		if (row->created)
			snprintf(name, sizeof(name), "G%" PRIu64 " %s", row->goid,
				 goreport_start_name(g, row->pid, row->start_pc, buf, sizeof(buf)));
		else
			snprintf(name, sizeof(name), "G%" PRIu64, row->goid);
		put_meta(out, first, "thread_name", row->pid, GO_TID_BASE + t, name, 0);
		put_meta(out, first, "thread_sort_index", row->pid, GO_TID_BASE + t, NULL,
			 row->goid);
	}
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

void perfetto_init(struct perfetto *pf, struct report_opts *o)
{
	memset(pf, 0, sizeof(*pf));
	o->keep_records = true;
	o->go_interval = on_interval;
	o->arg = pf;
}

struct perfetto *perfetto_new(void)
{
	return xcalloc(1, sizeof(struct perfetto));
}

void perfetto_free(struct perfetto *pf)
{
	if (!pf)
		return;
	free(pf->evs);
	free(pf->tracks);
	hmap_free(&pf->track_map);
	free(pf);
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

static void write_output(const struct cmd *c, struct perfetto *pf, const char *path)
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
	if (perfetto_write(pf, out)) {
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

static int run_export(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		CMD_HELP_OPTION,
		{ 0 }
	};
	const char *path, *output = NULL, *format = NULL;
	struct report_opts ro;
	struct file_buf file;
	struct perfetto *pf;
	struct report r;
	char err[256], where[128];
	int opt, ret = EXIT_OK;

	while ((opt = cmd_getopt(c, argc, argv, "f:o:h", longopts)) != -1) {
		if (opt == 'f')
			format = optarg;
		else if (opt == 'o')
			output = optarg;
	}
	if (!format)
		cmd_usage_error(c, "missing --format (perfetto)");
	if (strcmp(format, "perfetto"))
		cmd_usage_error(c, "unknown format '%s' (perfetto)", format);
	if (!output || !output[0])
		cmd_usage_error(c, "missing -o OUTPUT");
	if (optind == argc)
		cmd_usage_error(c, "missing capture FILE");
	path = argv[optind];
	if (optind + 1 < argc)
		cmd_usage_error(c, "unexpected argument '%s'", argv[optind + 1]);

	capload_file(c->name, path, &file);
	pf = perfetto_new();
	perfetto_init(pf, &ro);
	if (report_load_opts(&r, file.data, file.len, &ro, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s: %s", c->name, path, err);
	perfetto_build(pf, &r);
	write_output(c, pf, output);
	if (!r.complete) {
		capfile_cut_text(&r.file, where, sizeof(where));
		warn("%s: %s: %s: exported the %zu records before it", c->name, path,
		     where, r.recs.n);
		ret = EXIT_INCOMPLETE;
	}
	perfetto_free(pf);
	report_free(&r);
	capload_free(&file);
	return ret;
}

const struct cmd cmd_export = {
	.name = "export",
	.summary = "write a capture file as a Perfetto (Chrome JSON) trace",
	.usage = export_usage,
	.run = run_export,
};
