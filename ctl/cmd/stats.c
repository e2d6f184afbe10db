// SPDX-License-Identifier: GPL-2.0
/* godiagctl stats: the per-CPU buffer counters of sessions (STATS_GET). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
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

static void print_row(FILE *out, const char *label, const struct cpu_stats *c)
{
	fprintf(out, "  %-6s %14llu %14llu %14llu %14llu\n", label,
		(unsigned long long)c->written, (unsigned long long)c->lost,
		(unsigned long long)c->bytes, (unsigned long long)c->read);
}

static void print_session(const struct session_info *s, FILE *out)
{
	struct cpu_stats total = total_of(s);
	char size[32], label[16];
	size_t i;

	format_size(s->bufsize, size, sizeof(size));
	fprintf(out, "session %u  %s  %s  %s per CPU  %u reader%s\n", s->id,
		state_name(s->state), mode_name(s->mode), size, s->readers,
		s->readers == 1 ? "" : "s");
	fprintf(out, "  %-6s %14s %14s %14s %14s\n", "CPU", "WRITTEN", "LOST",
		"BYTES", "READ");
	for (i = 0; i < s->nr_cpus; i++) {
		snprintf(label, sizeof(label), "%u", s->cpus[i].cpu);
		print_row(out, label, &s->cpus[i]);
	}
	print_row(out, "total", &total);
}

void stats_print(const struct session_list *l, FILE *out)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i)
			fputc('\n', out);
		print_session(&l->v[i], out);
	}
}

static void json_counters(struct json *j, const struct cpu_stats *c)
{
	json_kv_u64(j, "written", c->written);
	json_kv_u64(j, "lost", c->lost);
	json_kv_u64(j, "bytes", c->bytes);
	json_kv_u64(j, "read", c->read);
}

static void json_session(struct json *j, const struct session_info *s)
{
	struct cpu_stats total = total_of(s);
	size_t i;

	json_object_begin(j);
	json_kv_u64(j, "id", s->id);
	json_kv_string(j, "state", state_name(s->state));
	json_kv_string(j, "mode", mode_name(s->mode));
	json_kv_u64(j, "buffer_size", s->bufsize);
	json_kv_u64(j, "readers", s->readers);
	json_key(j, "cpus");
	json_array_begin(j);
	for (i = 0; i < s->nr_cpus; i++) {
		json_object_begin(j);
		json_kv_u64(j, "cpu", s->cpus[i].cpu);
		json_counters(j, &s->cpus[i]);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "total");
	json_object_begin(j);
	json_counters(j, &total);
	json_object_end(j);
	json_object_end(j);
}

void stats_print_json(const struct session_list *l, FILE *out)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "sessions");
	json_array_begin(&j);
	for (i = 0; i < l->n; i++)
		json_session(&j, &l->v[i]);
	json_array_end(&j);
	json_object_end(&j);
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
	if (err)
		gdnl_fail(nl, err);
	gdnl_close(nl);
	if (id && !l.n)
		die(EXIT_OPFAIL, "%s: no session %u", c->name, id);

	if (json)
		stats_print_json(&l, stdout);
	else
		stats_print(&l, stdout);
	session_list_free(&l);
	return EXIT_OK;
}

const struct cmd cmd_stats = {
	.name = "stats",
	.summary = "show the per-CPU buffer counters of sessions",
	.usage = stats_usage,
	.run = run_stats,
};
