// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl hist: the syscall histograms the module keeps per target,
 * without reading any event. The module counts durations in power-of-two
 * buckets, so percentiles from them are bounds, not exact values.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/percentile.h"
#include "base/syscalls.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/hist.h"
#include "module/nl.h"
#include "module/sessinfo.h"
#include "module/status.h"

static const char *const hist_usage =
	"Usage: " PROG " hist -s ID [-p PID] [--json]\n"
	"\n"
	"Show the syscall histograms the module keeps for each target of\n"
	"session ID: calls, total and longest time, errors (returns -4095..-1)\n"
	"per syscall, without reading any event. The module counts durations\n"
	"in power-of-two buckets, so ~P50 and ~P99 are approximate: the upper\n"
	"bound of the bucket holding the percentile (at most twice the true\n"
	"value). 'report' on a capture gives exact percentiles.\n"
	"\n"
	"Options:\n"
	"  -s, --session ID  the session (required)\n"
	"  -p, --pid PID     only this target\n"
	"  -j, --json        print one JSON object\n"
	"  -h, --help        show this help\n";

static uint64_t get_u64(const struct gdnl_reply *r, int attr)
{
	return r->tb[attr] ? nla_get_u64(r->tb[attr]) : 0;
}

struct fetch {
	struct hist_list *l;
	uint32_t pid;		/* 0: every target */
};

static int add_row(const struct gdnl_reply *r, void *arg)
{
	struct fetch *f = arg;
	struct hist_row *h;
	uint32_t pid;

	if (!r->tb[GODIAG_A_PID] || !r->tb[GODIAG_A_SYSCALL_NR] ||
	    !r->tb[GODIAG_A_HIST_BUCKETS])
		return -EBADMSG;
	pid = nla_get_u32(r->tb[GODIAG_A_PID]);
	if (f->pid && pid != f->pid)
		return 0;
	f->l->v = xreallocarray(f->l->v, f->l->n + 1, sizeof(*f->l->v));
	h = &f->l->v[f->l->n++];
	h->pid = pid;
	h->nr = nla_get_u32(r->tb[GODIAG_A_SYSCALL_NR]);
	h->count = get_u64(r, GODIAG_A_HIST_COUNT);
	h->total_ns = get_u64(r, GODIAG_A_HIST_TOTAL_NS);
	h->max_ns = get_u64(r, GODIAG_A_HIST_MAX_NS);
	h->errors = get_u64(r, GODIAG_A_HIST_ERRORS);
	/* The policy guarantees at least this many bytes. */
	memcpy(h->buckets, nla_data(r->tb[GODIAG_A_HIST_BUCKETS]), sizeof(h->buckets));
	return 0;
}

static void reset_rows(void *arg)
{
	struct fetch *f = arg;

	free(f->l->v);
	f->l->v = NULL;
	f->l->n = 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct hist_row *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	return (x->nr > y->nr) - (x->nr < y->nr);
}

void hist_sort(struct hist_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_rows);
}

static uint64_t approx(const struct hist_row *h, unsigned int p)
{
	return pct_log2_buckets(h->buckets, GODIAG_HIST_BUCKETS, h->max_ns, p);
}

void hist_print(const struct hist_list *l, uint32_t session, FILE *out)
{
	char name[32], total[16], max[16], p50[16], p99[16];
	size_t i;

	fprintf(out, "session %u: ~P50 and ~P99 are approximate "
		"(upper bounds of power-of-two buckets)\n", session);
	fprintf(out, "%-8s %-20s %10s %10s %10s %8s %10s %10s\n", "PID", "SYSCALL",
		"COUNT", "TOTAL", "MAX", "ERRORS", "~P50", "~P99");
	for (i = 0; i < l->n; i++) {
		const struct hist_row *h = &l->v[i];

		syscall_format(h->nr, name, sizeof(name));
		format_duration(h->total_ns, total, sizeof(total));
		format_duration(h->max_ns, max, sizeof(max));
		format_duration(approx(h, 50), p50, sizeof(p50));
		format_duration(approx(h, 99), p99, sizeof(p99));
		fprintf(out, "%-8u %-20s %10llu %10s %10s %8llu %10s %10s\n", h->pid,
			name, (unsigned long long)h->count, total, max,
			(unsigned long long)h->errors, p50, p99);
	}
}

static void json_row(struct json *j, const struct hist_row *h)
{
	char name[32];
	size_t b;

	syscall_format(h->nr, name, sizeof(name));
	json_object_begin(j);
	json_kv_u64(j, "pid", h->pid);
	json_kv_string(j, "name", name);
	json_kv_u64(j, "nr", h->nr);
	json_kv_u64(j, "count", h->count);
	json_kv_u64(j, "errors", h->errors);
	json_kv_u64(j, "total_ns", h->total_ns);
	json_kv_u64(j, "max_ns", h->max_ns);
	json_kv_u64(j, "p50_approx_ns", approx(h, 50));
	json_kv_u64(j, "p99_approx_ns", approx(h, 99));
	json_key(j, "buckets");
	json_array_begin(j);
	for (b = 0; b < GODIAG_HIST_BUCKETS; b++)
		json_u64(j, h->buckets[b]);
	json_array_end(j);
	json_object_end(j);
}

void hist_print_json(const struct hist_list *l, uint32_t session, FILE *out)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_kv_u64(&j, "session", session);
	json_key(&j, "histograms");
	json_array_begin(&j);
	for (i = 0; i < l->n; i++)
		json_row(&j, &l->v[i]);
	json_array_end(&j);
	json_object_end(&j);
}

static int run_hist(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "session", required_argument, NULL, 's' },
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct hist_list l = { NULL, 0 };
	struct fetch f = { .l = &l };
	uint32_t id = 0;
	bool json = false;
	struct gdnl *nl;
	int opt, err;

	while ((opt = cmd_getopt(c, argc, argv, "s:p:jh", longopts)) != -1) {
		if (opt == 's')
			id = cmd_session_id(c, optarg);
		else if (opt == 'p' && parse_u32(optarg, 1, INT32_MAX, &f.pid))
			cmd_usage_error(c, "invalid PID '%s'", optarg);
		else if (opt == 'j')
			json = true;
	}
	cmd_no_operands(c, argc, argv);
	if (!id)
		cmd_usage_error(c, "missing -s ID (list sessions with '" PROG " sessions')");

	nl = gdnl_open(c->name);
	status_require_abi(nl, c->name, NULL);
	sessinfo_require(nl, c->name, id);
	err = gdnl_dump(nl, GODIAG_CMD_HIST_GET, id, add_row, reset_rows, &f);
	if (err)
		gdnl_fail(nl, err);
	gdnl_close(nl);

	hist_sort(&l);
	if (json)
		hist_print_json(&l, id, stdout);
	else
		hist_print(&l, id, stdout);
	free(l.v);
	return EXIT_OK;
}

const struct cmd cmd_hist = {
	.name = "hist",
	.summary = "show the module's syscall histograms of a session",
	.usage = hist_usage,
	.run = run_hist,
};
