// SPDX-License-Identifier: GPL-2.0
/* Names of states, modes, events and wait statuses (ctl/module/names.c). */
#include <signal.h>

#include "godiag_abi.h"
#include "module/names.h"
#include "test.h"

static void wait_status(uint32_t st, const char *want)
{
	char buf[64];

	test_begin("wait status 0x%x", st);
	wait_status_format(st, buf, sizeof(buf));
	CHECK_STR(buf, want);
	test_end();
}

static void events(uint32_t ev, const char *want)
{
	char buf[64];

	test_begin("events 0x%x", ev);
	events_format(ev, buf, sizeof(buf));
	CHECK_STR(buf, want);
	test_end();
}

int main(void)
{
	wait_status(0, "exited with status 0");
	wait_status(1 << 8, "exited with status 1");
	wait_status(255 << 8, "exited with status 255");
	wait_status(SIGKILL, "killed by SIGKILL");
	wait_status(SIGSEGV | 0x80, "killed by SIGSEGV (core dumped)");
	wait_status(0x137f, "ended with wait status 0x137f");
	events(0, "none");
	events(GODIAG_EV_SYSCALL, "syscall");
	events(GODIAG_EV_SYSCALL | GODIAG_EV_GOROUTINE, "syscall,goroutine");
	events(GODIAG_EV_SYSCALL | 0x80, "syscall,0x80");

	test_begin("states and modes");
	CHECK_STR(state_name(GODIAG_STATE_READY), "ready");
	CHECK_STR(state_name(GODIAG_STATE_RUNNING), "running");
	CHECK_STR(state_name(GODIAG_STATE_STOPPED), "stopped");
	CHECK_STR(state_name(9), "unknown");
	CHECK_STR(mode_name(GODIAG_MODE_DISCARD), "discard");
	CHECK_STR(mode_name(GODIAG_MODE_OVERWRITE), "overwrite");
	CHECK_STR(mode_name(2), "unknown");
	CHECK_U64(mode_parse("discard"), GODIAG_MODE_DISCARD);
	CHECK_U64(mode_parse("overwrite"), GODIAG_MODE_OVERWRITE);
	CHECK_U64(mode_parse("Discard"), (uint64_t)-1);
	CHECK_U64(mode_parse(""), (uint64_t)-1);
	test_end();
	return test_summary();
}
