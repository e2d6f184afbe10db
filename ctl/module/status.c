// SPDX-License-Identifier: GPL-2.0
/* The module's status: what it is, what it can hold, which ABI it speaks. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "godiag_version.h"
#include "module/status.h"

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
