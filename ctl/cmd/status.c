// SPDX-License-Identifier: GPL-2.0
/* godiagctl status: what the loaded module is and what it can hold. */
#include <stdbool.h>
#include <stdio.h>

#include "base/json.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/print.h"
#include "godiag_version.h"
#include "module/status.h"

static const char *const status_usage =
	"Usage: " PROG " status [--json]\n"
	"\n"
	"Show the loaded module's version and ABI, the kernel release, the CPUs,\n"
	"the per-CPU buffer sizes and how many sessions exist.\n"
	"\n"
	"Options:\n"
	"  -j, --json    print one JSON object\n"
	"  -h, --help    show this help\n";

void status_print(const struct godiag_status *st, FILE *out)
{
	char def[32], min[32], max[32];

	format_size(st->buffer_default, def, sizeof(def));
	format_size(st->buffer_min, min, sizeof(min));
	format_size(st->buffer_max, max, sizeof(max));
	fprintf(out, "%-11s godiag %s (ABI %u)\n", "module", st->version, st->abi);
	fprintf(out, "%-11s %s\n", "kernel", st->kernel);
	fprintf(out, "%-11s %u possible, %u online\n", "cpus", st->cpus, st->cpus_online);
	fprintf(out, "%-11s %s per CPU by default (%s .. %s)\n", "buffers", def, min, max);
	fprintf(out, "%-11s %u of %u\n", "sessions", st->sessions, st->sessions_max);
}

void status_print_json(const struct godiag_status *st, FILE *out)
{
	struct json j;

	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "module");
	json_object_begin(&j);
	json_kv_string(&j, "version", st->version);
	json_kv_u64(&j, "abi", st->abi);
	json_object_end(&j);
	json_kv_string(&j, "kernel", st->kernel);
	json_key(&j, "cpus");
	json_object_begin(&j);
	json_kv_u64(&j, "possible", st->cpus);
	json_kv_u64(&j, "online", st->cpus_online);
	json_object_end(&j);
	json_key(&j, "buffer");
	json_object_begin(&j);
	json_kv_u64(&j, "default_bytes", st->buffer_default);
	json_kv_u64(&j, "min_bytes", st->buffer_min);
	json_kv_u64(&j, "max_bytes", st->buffer_max);
	json_object_end(&j);
	json_key(&j, "sessions");
	json_object_begin(&j);
	json_kv_u64(&j, "count", st->sessions);
	json_kv_u64(&j, "max", st->sessions_max);
	json_object_end(&j);
	json_key(&j, "tool");
	json_object_begin(&j);
	json_kv_string(&j, "version", GODIAG_VERSION);
	json_kv_u64(&j, "abi", GODIAG_ABI_VERSION);
	json_object_end(&j);
	json_object_end(&j);
}

static int run_status(const struct cmd *c, int argc, char **argv)
{
	struct godiag_status st;
	bool json;
	struct gdnl *nl;
	int err;

	json = cmd_json_option(c, argc, argv);
	cmd_no_operands(c, argc, argv);

	nl = gdnl_open(c->name);
	err = status_fetch(nl, &st);
	if (err)
		gdnl_fail(nl, err);
	gdnl_close(nl);

	/* Status is how users find a mismatch, so it still prints. */
	if (st.abi != GODIAG_ABI_VERSION)
		warn("the godiag module speaks ABI %u, this " PROG " speaks ABI %u; "
		     "other commands will refuse to run until versions match",
		     st.abi, GODIAG_ABI_VERSION);
	if (st.missing)
		die(EXIT_OPFAIL, "%s: incomplete reply from the module "
		    "(attribute %d missing)", c->name, st.missing);

	if (json)
		status_print_json(&st, stdout);
	else
		status_print(&st, stdout);
	return EXIT_OK;
}

const struct cmd cmd_status = {
	.name = "status",
	.summary = "show the module's version, buffers and sessions",
	.usage = status_usage,
	.run = run_status,
};
