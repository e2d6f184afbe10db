// SPDX-License-Identifier: GPL-2.0
/* godiagctl stats: the per-CPU buffer counters of sessions (STATS_GET). */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/print.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/print.h"
#include "module/names.h"
#include "module/sessinfo.h"
#include "module/status.h"

static const char *const stats_usage =
	"Usage: " PROG " stats [-s ID] [--json]\n"
	"\n"
	"Show the buffer counters of every session, or of session ID, per CPU:\n"
	"  WRITTEN  records produced, lost ones included\n"
	"  LOST     records dropped on a full buffer (discard mode) or\n"
	"           overwritten (overwrite mode)\n"
	"  BYTES    bytes of records committed\n"
	"  READ     records consumed through read() of /dev/godiag (not mmap,\n"
	"           which capture uses)\n"
	"and the counters of its probes (goroutine events, --break):\n"
	"  PASSES   times the probe fired\n"
	"  FILTERED hits a --if refused\n"
	"  SAMPLED  hits --every skipped\n"
	"  LIMITED  hits over --max-rate\n"
	"  RECORDED records written (or lost to a full buffer)\n"
	"  FAULTS   user memory reads that failed\n"
	"\n"
	"Options:\n"
	"  -s, --session ID  only this session\n"
	"  -j, --json        print one JSON object\n"
	"  -h, --help        show this help\n";

static struct cpu_stats total_of(const struct session_info *s)
{
	struct cpu_stats t = { 0 };
	size_t i;

	for (i = 0; i < s->nr_cpus; i++) {
		t.written += s->cpus[i].written;
		t.lost += s->cpus[i].lost;
		t.bytes += s->cpus[i].bytes;
		t.read += s->cpus[i].read;
	}
	return t;
}

/* One row of counters: a CPU's, or the total's. */
static void walk_counters(struct printer *p, const struct cpu_stats *c)
{
	print_u64(p, PRINT_ANY, "written", " %14" PRIu64, c->written);
	print_u64(p, PRINT_ANY, "lost", " %14" PRIu64, c->lost);
	print_u64(p, PRINT_ANY, "bytes", " %14" PRIu64, c->bytes);
	print_u64(p, PRINT_ANY, "read", " %14" PRIu64 "\n", c->read);
}

static void walk_probe(struct printer *p, const struct probe_info *q)
{
	print_object_begin(p, NULL);
	print_u64(p, PRINT_ANY, "id", "  %-6" PRIu64, q->id);
	print_u64(p, PRINT_ANY, "pid", " %8" PRIu64, q->pid);
	print_string(p, PRINT_ANY, "kind", " %-9s", probe_kind_name(q->kind));
	print_u64(p, PRINT_ANY, "passes", " %10" PRIu64, q->passes);
	print_u64(p, PRINT_ANY, "filtered", " %10" PRIu64, q->filtered);
	print_u64(p, PRINT_ANY, "sampled_out", " %10" PRIu64, q->sampled_out);
	print_u64(p, PRINT_ANY, "rate_limited", " %10" PRIu64, q->rate_limited);
	print_u64(p, PRINT_ANY, "recorded", " %10" PRIu64, q->hits);
	print_u64(p, PRINT_ANY, "faults", " %10" PRIu64 "\n", q->faults);
	print_object_end(p);
}

static void walk_probes(struct printer *p, const struct session_info *s)
{
	size_t i;

	if (s->nprobes)
		print_fp(p, "  %-6s %8s %-9s %10s %10s %10s %10s %10s %10s\n", "PROBE", "PID",
			 "KIND", "PASSES", "FILTERED", "SAMPLED", "LIMITED", "RECORDED", "FAULTS");
	print_array_begin(p, "probes");
	for (i = 0; i < s->nprobes; i++)
		walk_probe(p, &s->probes[i]);
	print_array_end(p);
}

static void walk_session(struct printer *p, const struct session_info *s)
{
	struct cpu_stats total = total_of(s);
	char size[32];
	size_t i;

	format_size(s->bufsize, size, sizeof(size));
	print_object_begin(p, NULL);
	print_u64(p, PRINT_ANY, "id", "session %" PRIu64, s->id);
	print_string(p, PRINT_ANY, "state", "  %s", state_name(s->state));
	print_string(p, PRINT_ANY, "mode", "  %s", mode_name(s->mode));
	print_string(p, PRINT_FP, "buffer_size", "  %s per CPU", size);
	print_u64(p, PRINT_JSON, "buffer_size", NULL, s->bufsize);
	print_u64(p, PRINT_ANY, "readers", "  %" PRIu64, s->readers);
	print_fp(p, " reader%s\n", s->readers == 1 ? "" : "s");
	print_fp(p, "  %-6s %14s %14s %14s %14s\n", "CPU", "WRITTEN", "LOST",
		 "BYTES", "READ");
	print_array_begin(p, "cpus");
	for (i = 0; i < s->nr_cpus; i++) {
		print_object_begin(p, NULL);
		print_u64(p, PRINT_ANY, "cpu", "  %-6" PRIu64, s->cpus[i].cpu);
		walk_counters(p, &s->cpus[i]);
		print_object_end(p);
	}
	print_array_end(p);
	print_object_begin(p, "total");
	print_fp(p, "  %-6s", "total");
	walk_counters(p, &total);
	print_object_end(p);
	walk_probes(p, s);
	print_object_end(p);
}

/* The counters of every session in l, text or JSON, from one walk. */
void stats_walk(struct printer *p, const struct session_list *l)
{
	size_t i;

	print_array_begin(p, "sessions");
	for (i = 0; i < l->n; i++) {
		if (i)
			print_fp(p, "\n");
		walk_session(p, &l->v[i]);
	}
	print_array_end(p);
}

static void stats_show(const struct session_list *l, FILE *out, bool json)
{
	struct printer p = { 0 };

	print_begin(&p, out, json);
	stats_walk(&p, l);
	print_end(&p);
}

void stats_print(const struct session_list *l, FILE *out)
{
	stats_show(l, out, false);
}

void stats_print_json(const struct session_list *l, FILE *out)
{
	stats_show(l, out, true);
}

static int run_stats(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "session", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct session_list l;
	struct probe_list pl;
	uint32_t id = 0;
	bool json = false;
	struct gdnl *nl;
	int opt, err;

	while ((opt = cmd_getopt(c, argc, argv, "s:jh", longopts)) != -1) {
		if (opt == 's')
			id = cmd_session_id(c, optarg);
		else if (opt == 'j')
			json = true;
	}
	cmd_no_operands(c, argc, argv);

	nl = gdnl_open(c->name);
	status_require_abi(nl, c->name, NULL);
	err = sessinfo_dump(nl, GODIAG_CMD_STATS_GET, id, &l);
	if (!err)
		err = probes_dump(nl, id, &pl);
	if (err)
		gdnl_fail(nl, err);
	gdnl_close(nl);
	probes_attach(&l, &pl);
	if (id && !l.n)
		die(EXIT_OPFAIL, "%s: no session %u", c->name, id);

	if (json)
		stats_print_json(&l, stdout);
	else
		stats_print(&l, stdout);
	session_list_free(&l);
	probe_list_free(&pl);
	return EXIT_OK;
}

const struct cmd cmd_stats = {
	.name = "stats",
	.summary = "show the per-CPU buffer counters of sessions",
	.usage = stats_usage,
	.run = run_stats,
};
