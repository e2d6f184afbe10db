// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl goroutines: every goroutine of a live Go process, its state
 * and stack, read from outside without stopping it (model/goroutines.c).
 * Text like /debug/pprof/goroutine?debug=1 (groups) or debug=2 (--all),
 * JSON from the same walk, or a profile.proto for `go tool pprof`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/outfile.h"
#include "base/pbuf.h"
#include "base/print.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "model/goroutines.h"

static const char *const goroutines_usage =
	"Usage: " PROG " goroutines -p PID [--all] [--json] [--state STATE]\n"
	"                  [--reason REASON] [--min-wait DURATION] [--system]\n"
	"                  [--format text|pprof -o FILE]\n"
	"\n"
	"Show the goroutines of a running Go program, with their state, wait\n"
	"reason, how long they have waited, start function, creator and stack,\n"
	"read from its memory (/proc/PID/mem) without stopping it and without\n"
	"the module. Needs ptrace access to the process (as perf does to read\n"
	"another process's memory). Goroutines with the same state and stack\n"
	"are shown once with their count, as /debug/pprof/goroutine?debug=1\n"
	"does; --all shows each as Go's tracebacks do (debug=2). A wait is\n"
	"known once a GC has seen the goroutine blocked (the runtime's\n"
	"g.waitsince, which its own tracebacks show too). The runtime's own\n"
	"goroutines are left out unless --system.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID          the process (required)\n"
	"  -a, --all              every goroutine, not groups\n"
	"  -j, --json             print one JSON object\n"
	"      --state STATE      only goroutines in STATE: runnable, running,\n"
	"                         syscall, waiting, preempted, copystack\n"
	"      --reason REASON    only goroutines waiting for REASON, as Go names\n"
	"                         it: 'chan receive', 'select', 'sleep', 'IO wait'\n"
	"      --min-wait DURATION\n"
	"                         only goroutines blocked at least DURATION (1m, 30s)\n"
	"      --system           the runtime's goroutines too\n"
	"      --format FORMAT    text (default) or pprof: a gzipped profile.proto\n"
	"                         for 'go tool pprof', written to -o FILE\n"
	"  -o, --output FILE      where --format pprof writes (replaced whole, and\n"
	"                         only on success)\n"
	"  -h, --help             show this help\n";

struct gopts {
	pid_t pid;
	bool all, json, pprof;
	const char *output;
	struct gr_filter filter;
};

/* ---- text and JSON -------------------------------------------------- */

/* "chan receive" for a waiting goroutine, else its state. */
static const char *what(const struct gr_goroutine *g)
{
	return g->reason ? g->reason : gort_state_name(g->status);
}

static void json_or_null_string(struct printer *p, const char *key, const char *v)
{
	if (p->json)
		json_kv_string_or_null(&p->j, key, v);
}

static void walk_frames_json(struct printer *p, const struct gr_goroutine *g)
{
	size_t i;

	print_array_begin(p, "stack");
	for (i = 0; i < g->nframes; i++) {
		const struct gr_frame *f = &g->frames[i];

		print_object_begin(p, NULL);
		json_or_null_string(p, "function", f->func);
		json_or_null_string(p, "file", f->file);
		print_u64(p, PRINT_JSON, "line", NULL, f->line);
		print_u64(p, PRINT_JSON, "pc", NULL, f->pc);
		print_bool(p, PRINT_JSON, "inlined", NULL, f->inlined);
		print_object_end(p);
	}
	print_array_end(p);
}

/* Frames as Go's tracebacks print them. */
static void frames_text(struct printer *p, const struct gr_goroutine *g)
{
	size_t i;

	if (g->why_no_stack)
		print_fp(p, "\t(no stack: %s)\n", g->why_no_stack);
	for (i = 0; i < g->nframes; i++) {
		const struct gr_frame *f = &g->frames[i];

		print_fp(p, "%s(...)\n\t%s:%" PRIu32, f->func ? f->func : "?",
			 f->file ? f->file : "?", f->line);
		if (!f->inlined)
			print_fp(p, " +0x%" PRIx64, f->off);
		print_fp(p, "\n");
	}
	if (g->truncated)
		print_fp(p, "...additional frames elided...\n");
}

static void wait_text(struct printer *p, const struct gr_goroutine *g)
{
	uint64_t min = g->wait_ns / 60000000000ULL;

	/* Go's tracebacks show whole minutes, from one on. */
	if (g->wait_known && min)
		print_fp(p, ", %" PRIu64 " minutes", min);
}

static void walk_goroutine(struct printer *p, const struct gr_goroutine *g, bool text)
{
	print_object_begin(p, NULL);
	print_u64(p, text ? PRINT_ANY : PRINT_JSON, "id", "goroutine %" PRIu64, g->id);
	print_string(p, PRINT_JSON, "state", NULL, gort_state_name(g->status));
	json_or_null_string(p, "reason", g->reason);
	if (text) {
		print_string(p, PRINT_FP, "state", " [%s", what(g));
		wait_text(p, g);
		print_fp(p, "]:\n");
	}
	if (p->json && g->wait_known)
		json_kv_u64(&p->j, "wait_ns", g->wait_ns);
	else if (p->json)
		json_kv_u64_or_null(&p->j, "wait_ns", 0, false);
	json_or_null_string(p, "start", g->start);
	json_or_null_string(p, "creator", g->creator);
	if (g->parent_id)
		print_u64(p, PRINT_JSON, "creator_id", NULL, g->parent_id);
	print_bool(p, PRINT_JSON, "system", NULL, g->system);
	print_bool(p, PRINT_JSON, "truncated", NULL, g->truncated);
	if (g->why_no_stack)
		print_string(p, PRINT_JSON, "no_stack", NULL, g->why_no_stack);
	print_u64(p, PRINT_JSON, "group", NULL, g->group);
	walk_frames_json(p, g);
	if (text) {
		frames_text(p, g);
		if (g->creator) {
			print_fp(p, "created by %s", g->creator);
			if (g->parent_id)
				print_fp(p, " in goroutine %" PRIu64, g->parent_id);
			print_fp(p, "\n\t%s:%" PRIu32 " +0x%" PRIx64 "\n",
				 g->creator_file ? g->creator_file : "?", g->creator_line,
				 g->creator_off);
		}
		print_fp(p, "\n");
	}
	print_object_end(p);
}

/* A group as debug=1 shows it: "5 [chan receive] @ pcs", then "#\tpc\tfunc+off\tfile:line". */
static void walk_group(struct printer *p, const struct gr_dump *d, const struct gr_group *gr,
		       bool text)
{
	const struct gr_goroutine *g = &d->g[gr->first];
	size_t i;

	print_object_begin(p, NULL);
	print_u64(p, text ? PRINT_ANY : PRINT_JSON, "count", "%" PRIu64, gr->count);
	print_string(p, PRINT_JSON, "state", NULL, gort_state_name(gr->status));
	json_or_null_string(p, "reason", gr->reason);
	walk_frames_json(p, g);
	if (text) {
		print_string(p, PRINT_FP, "state", " [%s]", what(g));
		print_fp(p, " @");
		for (i = 0; i < g->nframes; i++)
			if (!i || g->frames[i].pc != g->frames[i - 1].pc)
				print_fp(p, " 0x%" PRIx64, g->frames[i].pc);
		print_fp(p, "\n");
		if (g->why_no_stack)
			print_fp(p, "#\t(no stack: %s)\n", g->why_no_stack);
		for (i = 0; i < g->nframes; i++) {
			const struct gr_frame *f = &g->frames[i];

			print_fp(p, "#\t0x%" PRIx64 "\t%s+0x%" PRIx64 "\t%s:%" PRIu32 "\n", f->pc,
				 f->func ? f->func : "?", f->off, f->file ? f->file : "?",
				 f->line);
		}
		if (g->truncated)
			print_fp(p, "#\t...additional frames elided...\n");
		print_fp(p, "\n");
	}
	print_object_end(p);
}

static void walk_dump(struct printer *p, const struct gr_dump *d, bool all)
{
	size_t i;

	print_u64(p, PRINT_ANY, "pid", "goroutines of process %" PRIu64, (uint64_t)d->pid);
	print_string(p, PRINT_ANY, "go", " (%s):", d->go_version);
	print_u64(p, PRINT_ANY, "shown", " %" PRIu64 " shown", d->n);
	print_u64(p, PRINT_ANY, "total", " of %" PRIu64 " live", d->total);
	print_u64(p, PRINT_ANY, "hidden_system", ", %" PRIu64 " of the runtime's hidden",
		  d->hidden_system);
	print_u64(p, PRINT_ANY, "filtered", ", %" PRIu64 " filtered out", d->filtered);
	print_u64(p, PRINT_ANY, "skipped", ", %" PRIu64 " skipped (changed or invalid "
		  "while read)", d->skipped);
	print_fp(p, "\n");
	print_u64(p, PRINT_JSON, "listed", NULL, d->listed);
	print_bool(p, PRINT_JSON, "changed", NULL, d->changed);
	if (d->changed) {
		print_u64(p, PRINT_FP, "listed", "the list of goroutines changed while it was "
			  "read: %" PRIu64 " entries", d->listed);
		print_u64(p, PRINT_ANY, "listed_after", ", then %" PRIu64 "\n", d->listed_after);
	}
	print_fp(p, "\n");
	print_array_begin(p, "goroutines");
	for (i = 0; i < d->n; i++)
		walk_goroutine(p, &d->g[i], all);
	print_array_end(p);
	print_array_begin(p, "groups");
	for (i = 0; i < d->ngroups; i++)
		walk_group(p, d, &d->groups[i], !all);
	print_array_end(p);
}

/* ---- pprof ---------------------------------------------------------- */

/* profile.proto's tables: strings, functions and locations by what they hold. */
struct prof {
	struct pbuf out, tmp, tmp2;
	const char **strs;
	size_t nstrs;
	const char **funcs;	/* function i + 1: name (file in ffile) */
	const char **ffile;
	size_t nfuncs;
	uint64_t *locs;		/* location i + 1: pc */
	size_t nlocs;
};

static uint64_t str_id(struct prof *pr, const char *s)
{
	size_t i;

	if (!s)
		s = "?";
	for (i = 0; i < pr->nstrs; i++)
		if (!strcmp(pr->strs[i], s))
			return i;
	pr->strs = xreallocarray(pr->strs, pr->nstrs + 1, sizeof(*pr->strs));
	pr->strs[pr->nstrs] = s;
	return pr->nstrs++;
}

static uint64_t func_id(struct prof *pr, const struct gr_frame *f)
{
	const char *name = f->func ? f->func : "?", *file = f->file ? f->file : "?";
	size_t i;

	for (i = 0; i < pr->nfuncs; i++)
		if (!strcmp(pr->funcs[i], name) && !strcmp(pr->ffile[i], file))
			return i + 1;
	pr->funcs = xreallocarray(pr->funcs, pr->nfuncs + 1, sizeof(*pr->funcs));
	pr->ffile = xreallocarray(pr->ffile, pr->nfuncs + 1, sizeof(*pr->ffile));
	pr->funcs[pr->nfuncs] = name;
	pr->ffile[pr->nfuncs] = file;
	pr->nfuncs++;
	/* Function {1 id, 2 name, 3 system_name, 4 filename} */
	pbuf_varint_field(&pr->tmp, 1, pr->nfuncs);
	pbuf_varint_field(&pr->tmp, 2, str_id(pr, name));
	pbuf_varint_field(&pr->tmp, 3, str_id(pr, name));
	pbuf_varint_field(&pr->tmp, 4, str_id(pr, file));
	pbuf_message(&pr->out, 5, &pr->tmp);
	return pr->nfuncs;
}

/* The location of the frames of g from frame i on that share its PC. */
static uint64_t loc_id(struct prof *pr, const struct gr_goroutine *g, size_t i)
{
	uint64_t pc = g->frames[i].pc;
	size_t k;

	for (k = 0; k < pr->nlocs; k++)
		if (pr->locs[k] == pc)
			return k + 1;
	pr->locs = xreallocarray(pr->locs, pr->nlocs + 1, sizeof(*pr->locs));
	pr->locs[pr->nlocs++] = pc;
	/* Location {1 id, 2 mapping_id, 3 address, 4 Line {1 function_id, 2 line}} */
	{
		struct pbuf loc = PBUF_INIT;

		pbuf_varint_field(&loc, 1, pr->nlocs);
		pbuf_varint_field(&loc, 2, 1);
		pbuf_varint_field(&loc, 3, pc);
		for (k = i; k < g->nframes && g->frames[k].pc == pc; k++) {
			pbuf_varint_field(&pr->tmp2, 1, func_id(pr, &g->frames[k]));
			pbuf_varint_field(&pr->tmp2, 2, g->frames[k].line);
			pbuf_message(&loc, 4, &pr->tmp2);
		}
		pbuf_message(&pr->out, 4, &loc);
		pbuf_free(&loc);
	}
	return pr->nlocs;
}

/* A location of address 0 whose one line names why there is no stack: "(running)". */
static uint64_t nostack_loc(struct prof *pr, const struct gr_goroutine *g)
{
	struct gr_frame f = { .func = g->status == GORT_G_RUNNING ? "(running)" : "(no stack)",
			      .file = "" };
	struct pbuf loc = PBUF_INIT;
	uint64_t fid = func_id(pr, &f);

	pr->locs = xreallocarray(pr->locs, pr->nlocs + 1, sizeof(*pr->locs));
	pr->locs[pr->nlocs++] = 0;
	pbuf_varint_field(&loc, 1, pr->nlocs);
	pbuf_varint_field(&pr->tmp2, 1, fid);
	pbuf_message(&loc, 4, &pr->tmp2);
	pbuf_message(&pr->out, 4, &loc);
	pbuf_free(&loc);
	return pr->nlocs;
}

static void value_type(struct prof *pr, uint32_t field, const char *type, const char *unit)
{
	pbuf_varint_field(&pr->tmp, 1, str_id(pr, type));
	pbuf_varint_field(&pr->tmp, 2, str_id(pr, unit));
	pbuf_message(&pr->out, field, &pr->tmp);
}

static void sample(struct prof *pr, const struct gr_dump *d, const struct gr_group *gr)
{
	const struct gr_goroutine *g = &d->g[gr->first];
	struct pbuf s = PBUF_INIT, ids = PBUF_INIT, lab = PBUF_INIT;
	size_t i;

	for (i = 0; i < g->nframes; i++)
		if (!i || g->frames[i].pc != g->frames[i - 1].pc)
			pbuf_varint(&ids, loc_id(pr, g, i));
	/* pprof drops a sample without a location: a running goroutine gets one. */
	if (!g->nframes)
		pbuf_varint(&ids, nostack_loc(pr, g));
	/* Sample {1 location_id (packed), 2 value (packed), 3 Label {1 key, 2 str}} */
	pbuf_bytes_field(&s, 1, ids.p, ids.len);
	ids.len = 0;
	pbuf_varint(&ids, gr->count);
	pbuf_bytes_field(&s, 2, ids.p, ids.len);
	pbuf_varint_field(&lab, 1, str_id(pr, "state"));
	pbuf_varint_field(&lab, 2, str_id(pr, what(g)));
	pbuf_message(&s, 3, &lab);
	pbuf_message(&pr->out, 2, &s);
	pbuf_free(&s);
	pbuf_free(&ids);
	pbuf_free(&lab);
}

static void build_profile(struct prof *pr, const struct gr_dump *d)
{
	struct pbuf m = PBUF_INIT;
	size_t i;

	str_id(pr, "");
	value_type(pr, 1, "goroutine", "count");
	for (i = 0; i < d->ngroups; i++)
		sample(pr, d, &d->groups[i]);
	/* Mapping {1 id, 5 filename, 7..10 has functions, filenames, lines, inline frames} */
	pbuf_varint_field(&m, 1, 1);
	pbuf_varint_field(&m, 5, str_id(pr, d->path[0] ? d->path : d->exe));
	for (i = 7; i <= 10; i++)
		pbuf_varint_field(&m, (uint32_t)i, 1);
	pbuf_message(&pr->out, 3, &m);
	pbuf_free(&m);
	value_type(pr, 11, "goroutine", "count");
	pbuf_varint_field(&pr->out, 12, 1);
	for (i = 0; i < pr->nstrs; i++)
		pbuf_string_field(&pr->out, 6, pr->strs[i]);
}

static void write_pprof(const struct cmd *c, const struct gr_dump *d, const char *path)
{
	struct prof pr = { PBUF_INIT, PBUF_INIT, PBUF_INIT, NULL, 0, NULL, NULL, 0, NULL, 0 };
	struct pbuf gz = PBUF_INIT;
	struct outfile f;
	size_t off = 0;

	build_profile(&pr, d);
	pbuf_gzip(&gz, pr.out.p, pr.out.len);
	if (outfile_open(&f, path, 0644))
		die(exit_code_of_errno(errno), "%s: %s: %s", c->name, path, strerror(errno));
	while (off < gz.len) {
		ssize_t n = write(f.fd, gz.p + off, gz.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			outfile_discard(&f);
			outfile_free(&f);
			die(EXIT_OPFAIL, "%s: %s: %s", c->name, path, strerror(e));
		}
		off += (size_t)n;
	}
	if (outfile_commit(&f)) {
		int e = errno;

		outfile_discard(&f);
		outfile_free(&f);
		die(EXIT_OPFAIL, "%s: %s: %s", c->name, path, strerror(e));
	}
	outfile_free(&f);
	pbuf_free(&gz);
	pbuf_free(&pr.out);
	pbuf_free(&pr.tmp);
	pbuf_free(&pr.tmp2);
	free(pr.strs);
	free(pr.funcs);
	free(pr.ffile);
	free(pr.locs);
}

/* ---- options -------------------------------------------------------- */

static int parse_state(const char *s)
{
	int i;

	for (i = 0; i < GORT_G_STATES; i++)
		if (i != GORT_G_DEAD && i != GORT_G_IDLE && !strcmp(s, gort_state_name((uint32_t)i)))
			return i;
	return -1;
}

static void parse_options(const struct cmd *c, int argc, char **argv, struct gopts *o)
{
	enum { O_STATE = 256, O_REASON, O_MIN_WAIT, O_SYSTEM, O_FORMAT };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "state", required_argument, NULL, O_STATE },
		{ "reason", required_argument, NULL, O_REASON },
		{ "min-wait", required_argument, NULL, O_MIN_WAIT },
		{ "system", no_argument, NULL, O_SYSTEM },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	const char *why;
	uint32_t pid = 0;
	int opt;

	memset(o, 0, sizeof(*o));
	o->filter.state = -1;
	while ((opt = cmd_getopt(c, argc, argv, "p:ajo:h", longopts)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_u32(optarg, 1, INT32_MAX, &pid))
				cmd_usage_error(c, "invalid PID '%s'", optarg);
			break;
		case 'a':
			o->all = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case O_STATE:
			o->filter.state = parse_state(optarg);
			if (o->filter.state < 0)
				cmd_usage_error(c, "unknown state '%s'", optarg);
			break;
		case O_REASON:
			o->filter.reason = optarg;
			break;
		case O_MIN_WAIT:
			why = parse_duration(optarg, &o->filter.min_wait_ns);
			if (why)
				cmd_usage_error(c, "--min-wait '%s': %s", optarg, why);
			break;
		case O_SYSTEM:
			o->filter.system = true;
			break;
		case O_FORMAT:
			if (!strcmp(optarg, "pprof"))
				o->pprof = true;
			else if (strcmp(optarg, "text"))
				cmd_usage_error(c, "unknown format '%s' (text or pprof)", optarg);
			break;
		}
	}
	cmd_no_operands(c, argc, argv);
	if (!pid)
		cmd_usage_error(c, "missing -p PID");
	if (o->pprof && !o->output)
		cmd_usage_error(c, "--format pprof needs -o FILE");
	if (o->output && !o->pprof)
		cmd_usage_error(c, "-o FILE is for --format pprof");
	if (o->pprof && o->json)
		cmd_usage_error(c, "--json and --format pprof exclude each other");
	o->pid = (pid_t)pid;
}

static int run_goroutines(const struct cmd *c, int argc, char **argv)
{
	struct printer p = { 0 };
	struct gr_dump d;
	struct gopts o;
	char err[1024];
	enum gr_error e;

	parse_options(c, argc, argv, &o);
	e = gr_read(o.pid, &o.filter, &d, err, sizeof(err));
	if (e != GR_OK) {
		gr_free(&d);
		die(gr_exit_code(e), "%s: %s", c->name, err);
	}
	if (o.pprof) {
		write_pprof(c, &d, o.output);
	} else {
		print_begin(&p, stdout, o.json);
		walk_dump(&p, &d, o.all);
		print_end(&p);
	}
	gr_free(&d);
	return EXIT_OK;
}

const struct cmd cmd_goroutines = {
	.name = "goroutines",
	.summary = "show the goroutines of a running Go program (no module needed)",
	.usage = goroutines_usage,
	.run = run_goroutines,
};
