// SPDX-License-Identifier: GPL-2.0
/* godiagctl status: what the loaded module is and what it can hold. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/print.h"
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

/*
 * The status, text or JSON, from one walk (base/print.h). The text's
 * first line is the module's version; JSON also names the tool's.
 */
void status_walk(struct printer *p, const struct godiag_status *st)
{
	char def[32], min[32], max[32];

	format_size(st->buffer_default, def, sizeof(def));
	format_size(st->buffer_min, min, sizeof(min));
	format_size(st->buffer_max, max, sizeof(max));
	print_label(p, "module");
	print_object_begin(p, "module");
	print_string(p, PRINT_ANY, "version", "godiag %s", st->version);
	print_u64(p, PRINT_ANY, "abi", " (ABI %" PRIu64 ")\n", st->abi);
	print_object_end(p);
	print_label(p, "kernel");
	print_string(p, PRINT_ANY, "kernel", "%s\n", st->kernel);
	print_label(p, "cpus");
	print_object_begin(p, "cpus");
	print_u64(p, PRINT_ANY, "possible", "%" PRIu64 " possible", st->cpus);
	print_u64(p, PRINT_ANY, "online", ", %" PRIu64 " online\n", st->cpus_online);
	print_object_end(p);
	print_label(p, "buffers");
	print_object_begin(p, "buffer");
	print_string(p, PRINT_FP, "default_bytes", "%s per CPU by default", def);
	print_u64(p, PRINT_JSON, "default_bytes", NULL, st->buffer_default);
	print_string(p, PRINT_FP, "min_bytes", " (%s", min);
	print_u64(p, PRINT_JSON, "min_bytes", NULL, st->buffer_min);
	print_string(p, PRINT_FP, "max_bytes", " .. %s)\n", max);
	print_u64(p, PRINT_JSON, "max_bytes", NULL, st->buffer_max);
	print_object_end(p);
	print_label(p, "sessions");
	print_object_begin(p, "sessions");
	print_u64(p, PRINT_ANY, "count", "%" PRIu64, st->sessions);
	print_u64(p, PRINT_ANY, "max", " of %" PRIu64 "\n", st->sessions_max);
	print_object_end(p);
	print_object_begin(p, "tool");
	print_string(p, PRINT_JSON, "version", NULL, GODIAG_VERSION);
	print_u64(p, PRINT_JSON, "abi", NULL, GODIAG_ABI_VERSION);
	print_object_end(p);
}

static void status_show(const struct godiag_status *st, FILE *out, bool json)
{
	struct printer p = { 0 };

	print_begin(&p, out, json);
	status_walk(&p, st);
	print_end(&p);
}

void status_print(const struct godiag_status *st, FILE *out)
{
	status_show(st, out, false);
}

void status_print_json(const struct godiag_status *st, FILE *out)
{
	status_show(st, out, true);
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
