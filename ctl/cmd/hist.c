// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl hist: the syscall histograms the module keeps per target,
 * without reading any event. The module counts durations in power-of-two
 * buckets, so percentiles from them are bounds, not exact values.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/percentile.h"
#include "base/print.h"
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

int hist_fetch(struct gdnl *nl, uint32_t session, uint32_t pid, struct hist_list *l)
{
	struct fetch f = { .l = l, .pid = pid };

	reset_rows(&f);
	return gdnl_dump(nl, GODIAG_CMD_HIST_GET, session, add_row, reset_rows, &f);
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

/* One row; the text has errors after the times, JSON after the count. */
static void walk_row(struct printer *p, const struct hist_row *h)
{
	char name[32];
	size_t b;

	syscall_format(h->nr, name, sizeof(name));
	print_object_begin(p, NULL);
	print_u64(p, PRINT_ANY, "pid", "%-8" PRIu64, h->pid);
	print_string(p, PRINT_ANY, "name", " %-20s", name);
	print_u64(p, PRINT_JSON, "nr", NULL, h->nr);
	print_u64(p, PRINT_ANY, "count", " %10" PRIu64, h->count);
	print_u64(p, PRINT_JSON, "errors", NULL, h->errors);
	print_duration(p, PRINT_ANY, "total_ns", " %10s", h->total_ns);
	print_duration(p, PRINT_ANY, "max_ns", " %10s", h->max_ns);
	print_u64(p, PRINT_FP, "errors", " %8" PRIu64, h->errors);
	print_duration(p, PRINT_ANY, "p50_approx_ns", " %10s", approx(h, 50));
	print_duration(p, PRINT_ANY, "p99_approx_ns", " %10s", approx(h, 99));
	print_fp(p, "\n");
	print_array_begin(p, "buckets");
	for (b = 0; b < GODIAG_HIST_BUCKETS; b++)
		print_u64(p, PRINT_JSON, NULL, NULL, h->buckets[b]);
	print_array_end(p);
	print_object_end(p);
}

/* The histograms of session, text or JSON, from one walk. */
void hist_walk(struct printer *p, const struct hist_list *l, uint32_t session)
{
	size_t i;

	print_u64(p, PRINT_ANY, "session", "session %" PRIu64, session);
	print_fp(p, ": ~P50 and ~P99 are approximate "
		 "(upper bounds of power-of-two buckets)\n");
	print_fp(p, "%-8s %-20s %10s %10s %10s %8s %10s %10s\n", "PID", "SYSCALL",
		 "COUNT", "TOTAL", "MAX", "ERRORS", "~P50", "~P99");
	print_array_begin(p, "histograms");
	for (i = 0; i < l->n; i++)
		walk_row(p, &l->v[i]);
	print_array_end(p);
}

static void hist_show(const struct hist_list *l, uint32_t session, FILE *out,
		      bool json)
{
	struct printer p = { 0 };

	print_begin(&p, out, json);
	hist_walk(&p, l, session);
	print_end(&p);
}

void hist_print(const struct hist_list *l, uint32_t session, FILE *out)
{
	hist_show(l, session, out, false);
}

void hist_print_json(const struct hist_list *l, uint32_t session, FILE *out)
{
	hist_show(l, session, out, true);
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
	uint32_t id = 0, pid = 0;
	bool json = false;
	struct gdnl *nl;
	int opt, err;

	while ((opt = cmd_getopt(c, argc, argv, "s:p:jh", longopts)) != -1) {
		if (opt == 's')
			id = cmd_session_id(c, optarg);
		else if (opt == 'p' && parse_u32(optarg, 1, INT32_MAX, &pid))
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
	err = hist_fetch(nl, id, pid, &l);
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
