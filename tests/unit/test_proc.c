// SPDX-License-Identifier: GPL-2.0
/* CPU lists as in /sys/devices/system/cpu/possible (ctl/base/proc.c). */
#include <unistd.h>

#include "base/proc.h"
#include "test.h"

/* The input as a test name: newlines shown as \n. */
static const char *shown(const char *in)
{
	static char buf[64];
	size_t n = 0;

	for (; *in && n < sizeof(buf) - 3; in++) {
		if (*in == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else {
			buf[n++] = *in;
		}
	}
	buf[n] = '\0';
	return buf;
}

static void good(const char *in, const unsigned int *want, int n)
{
	unsigned int ids[16] = { 0 };
	int i;

	test_begin("cpu list '%s'", shown(in));
	CHECK_U64(cpu_list_parse(in, ids, 16), (uint64_t)n);
	for (i = 0; i < n; i++)
		CHECK_U64(ids[i], want[i]);
	test_end();
}

static void bad(const char *in)
{
	unsigned int ids[16];

	test_begin("cpu list '%s' is refused", shown(in));
	CHECK_U64(cpu_list_parse(in, ids, 16), (uint64_t)-1);
	test_end();
}

int main(void)
{
	static const unsigned int zero[] = { 0 };
	static const unsigned int four[] = { 0, 1, 2, 3 };
	static const unsigned int mixed[] = { 0, 2, 3, 4, 7 };
	static const unsigned int sixteen[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
						11, 12, 13, 14, 15 };
	unsigned int ids[4096];
	char comm[64], exe[4096];

	good("0", zero, 1);
	good("0\n", zero, 1);
	good("0-3\n", four, 4);
	good("0,2-4,7", mixed, 5);
	good("0-15", sixteen, 16);
	bad("");
	bad("\n");
	bad("0-16");
	bad("3-1");
	bad("0,0");
	bad("2,1");
	bad("a");
	bad("0,");
	bad("0-");
	bad("-1");
	bad("0 1");
	bad("99999999999");

	test_begin("this machine's possible CPUs parse");
	CHECK(cpu_possible(ids, 4096) >= 1);
	test_end();

	test_begin("comm and exe of this process");
	proc_comm(getpid(), comm, sizeof(comm));
	CHECK_STR(comm, "test_proc");
	proc_exe(getpid(), exe, sizeof(exe));
	CHECK(strstr(exe, "test_proc") != NULL);
	proc_comm(0, comm, sizeof(comm));
	CHECK_STR(comm, "");
	proc_exe(0, exe, sizeof(exe));
	CHECK_STR(exe, "");
	test_end();
	return test_summary();
}
