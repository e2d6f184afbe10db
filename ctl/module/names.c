// SPDX-License-Identifier: GPL-2.0
/* Names of the module's enums and flags. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "base/util.h"
#include "godiag_abi.h"
#include "module/names.h"

const char *state_name(uint8_t state)
{
	switch (state) {
	case GODIAG_STATE_READY:	return "ready";
	case GODIAG_STATE_RUNNING:	return "running";
	case GODIAG_STATE_STOPPED:	return "stopped";
	default:			return "unknown";
	}
}

static const char *const modes[] = {
	[GODIAG_MODE_DISCARD] = "discard",
	[GODIAG_MODE_OVERWRITE] = "overwrite",
};

const char *mode_name(uint8_t mode)
{
	return mode < ARRAY_SIZE(modes) ? modes[mode] : "unknown";
}

static const char *const probe_kinds[] = {
	[GODIAG_PROBE_GO_CREATE] = "create",
	[GODIAG_PROBE_GO_START] = "start",
	[GODIAG_PROBE_GO_PARK] = "park",
	[GODIAG_PROBE_GO_READY] = "ready",
	[GODIAG_PROBE_GO_EXIT] = "exit",
	[GODIAG_PROBE_BREAK] = "break",
	[GODIAG_PROBE_BREAK_RET] = "break-ret",
};

const char *probe_kind_name(uint32_t kind)
{
	return kind < ARRAY_SIZE(probe_kinds) && probe_kinds[kind] ? probe_kinds[kind] :
	       "unknown";
}

int mode_parse(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		if (!strcmp(s, modes[i]))
			return (int)i;
	return -1;
}

const char *event_name(uint32_t bit)
{
	switch (bit) {
	case GODIAG_EV_SYSCALL:		return "syscall";
	case GODIAG_EV_GOROUTINE:	return "goroutine";
	case GODIAG_EV_BREAKPOINT:	return "breakpoint";
	default:			return NULL;
	}
}

void events_format(uint32_t events, char *buf, size_t len)
{
	size_t used = 0;
	uint32_t bit;

	buf[0] = '\0';
	for (bit = 1; bit && used < len; bit <<= 1) {
		const char *name = event_name(bit);

		if (!(events & bit) || !name)
			continue;
		events &= ~bit;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", name);
	}
	if (events && used < len)
		used += (size_t)snprintf(buf + used, len - used, "%s0x%x",
					 used ? "," : "", events);
	if (!used)
		snprintf(buf, len, "none");
}

void wait_status_format(uint32_t status, char *buf, size_t len)
{
	int st = (int)status;
	const char *sig;

	if (WIFEXITED(st)) {
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
		return;
	}
	if (WIFSIGNALED(st)) {
		sig = sigabbrev_np(WTERMSIG(st));
		if (sig)
			snprintf(buf, len, "killed by SIG%s%s", sig,
				 WCOREDUMP(st) ? " (core dumped)" : "");
		else
			snprintf(buf, len, "killed by signal %d%s", WTERMSIG(st),
				 WCOREDUMP(st) ? " (core dumped)" : "");
		return;
	}
	snprintf(buf, len, "ended with wait status 0x%x", status);
}
