// SPDX-License-Identifier: GPL-2.0
/* godiagctl status: what the loaded module is and what it can hold. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "godiag_version.h"
#include "base/json.h"
#include "module/status.h"
#include "base/util.h"

static const char *const status_usage =
	"Usage: " PROG " status [--json]\n"
	"\n"
	"Show the loaded module's version and ABI, the kernel release, the CPUs,\n"
	"the per-CPU buffer sizes and how many sessions exist.\n"
	"\n"
	"Options:\n"
	"  -j, --json    print one JSON object\n"
	"  -h, --help    show this help\n";

static void get_string(char *dst, size_t len, const struct gdnl_reply *r,
		       int attr, int *missing)
{
	if (r->tb[attr])
		snprintf(dst, len, "%s", nla_get_string(r->tb[attr]));
	else if (!*missing)
		*missing = attr;
}

static void get_u32(uint32_t *dst, const struct gdnl_reply *r, int attr,
		    int *missing)
{
	if (r->tb[attr])
		*dst = nla_get_u32(r->tb[attr]);
	else if (!*missing)
		*missing = attr;
}

static int parse_status(const struct gdnl_reply *r, void *arg)
{
	struct godiag_status *st = arg;
	int *m = &st->missing;

	*m = 0;
	get_string(st->version, sizeof(st->version), r, GODIAG_A_VERSION, m);
	get_u32(&st->abi, r, GODIAG_A_ABI_VERSION, m);
	get_string(st->kernel, sizeof(st->kernel), r, GODIAG_A_KERNEL_RELEASE, m);
	get_u32(&st->cpus, r, GODIAG_A_NR_CPUS, m);
	get_u32(&st->cpus_online, r, GODIAG_A_NR_CPUS_ONLINE, m);
	get_u32(&st->buffer_default, r, GODIAG_A_BUFFER_DEFAULT, m);
	get_u32(&st->buffer_min, r, GODIAG_A_BUFFER_MIN, m);
	get_u32(&st->buffer_max, r, GODIAG_A_BUFFER_MAX, m);
	get_u32(&st->sessions, r, GODIAG_A_SESSIONS, m);
	get_u32(&st->sessions_max, r, GODIAG_A_SESSIONS_MAX, m);
	return 0;
}

int status_fetch(struct gdnl *nl, struct godiag_status *st)
{
	struct nl_msg *msg = gdnl_msg(nl, GODIAG_CMD_STATUS_GET, 0);

	memset(st, 0, sizeof(*st));
	/* No reply at all must not pass for "every attribute present". */
	st->missing = GODIAG_A_ABI_VERSION;
	return gdnl_exec(nl, msg, parse_status, st);
}

void status_require_abi(struct gdnl *nl, const char *cmd,
			struct godiag_status *st)
{
	struct godiag_status local;
	int err;

	if (!st)
		st = &local;
	err = status_fetch(nl, st);
	if (err)
		gdnl_fail(nl, err);
	if (st->abi != GODIAG_ABI_VERSION)
		die(EXIT_OPFAIL, "%s: the godiag module speaks ABI %u, this "
		    PROG " speaks ABI %u; install matching versions",
		    cmd, st->abi, GODIAG_ABI_VERSION);
}

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
