// SPDX-License-Identifier: GPL-2.0
/* The generated syscall table and --syscall list parsing (ctl/base/syscalls.c). */
#include "base/syscalls.h"
#include "test.h"
#include "base/util.h"

static void check_name(uint32_t nr, const char *want)
{
	char buf[32];

	test_begin("syscall %u is %s", nr, want);
	CHECK_STR(syscall_name(nr), want);
	syscall_format(nr, buf, sizeof(buf));
	CHECK_STR(buf, want);
	if (want)
		CHECK_U64(syscall_lookup(want), nr);
	test_end();
}

static void check_unknown(uint32_t nr, const char *want)
{
	char buf[32];

	test_begin("syscall %u has no name: %s", nr, want);
	CHECK_STR(syscall_name(nr), NULL);
	syscall_format(nr, buf, sizeof(buf));
	CHECK_STR(buf, want);
	test_end();
}

static bool bit(const uint32_t *mask, unsigned int nr)
{
	return mask[nr / 32] & (1U << (nr % 32));
}

static unsigned int bits(const uint32_t *mask)
{
	unsigned int n = 0, i;

	for (i = 0; i < GODIAG_SYSCALL_MAX; i++)
		n += bit(mask, i);
	return n;
}

static void check_list(const char *list, const unsigned int *want, unsigned int n)
{
	uint32_t mask[SYSCALL_MASK_WORDS] = { 0 };
	char err[256] = "";
	unsigned int i;

	test_begin("--syscall '%s'", list);
	CHECK_U64(syscall_parse_list(list, mask, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_U64(bits(mask), n);
	for (i = 0; i < n; i++)
		CHECK(bit(mask, want[i]));
	test_end();
}

static void check_bad_list(const char *list, const char *want)
{
	uint32_t mask[SYSCALL_MASK_WORDS] = { 0 };
	char err[256] = "";

	mask[0] = 0x80;
	test_begin("--syscall '%s' is refused", list);
	CHECK_U64(syscall_parse_list(list, mask, err, sizeof(err)), (uint64_t)-1);
	CHECK_STR(err, want);
	/* The mask is untouched on failure. */
	CHECK_U64(mask[0], 0x80);
	CHECK_U64(bits(mask), 1);
	test_end();
}

static void test_mask_layout(void)
{
	uint32_t mask[SYSCALL_MASK_WORDS] = { 0 };
	char err[64], buf[128];

	test_begin("mask layout: bit n is bit n%%32 of u32 word n/32");
	CHECK_U64(syscall_parse_list("33,nanosleep,511,0", mask, err, sizeof(err)), 0);
	CHECK_U64(mask[0], 1);
	CHECK_U64(mask[1], (1U << 1) | (1U << 3));
	CHECK_U64(mask[15], 1U << 31);
	CHECK_U64(sizeof(mask), GODIAG_SYSCALL_MASK_BYTES);
	syscall_format_mask(mask, buf, sizeof(buf));
	CHECK_STR(buf, "read,dup2,nanosleep,syscall_511");
	test_end();
}

int main(void)
{
	static const unsigned int wrn[] = { 1, 0, 35 };
	static const unsigned int n35[] = { 35 };
	static const unsigned int edge[] = { 0, 511 };
	static const unsigned int dup[] = { 1 };

	check_name(0, "read");
	check_name(1, "write");
	check_name(35, "nanosleep");
	check_name(39, "getpid");
	check_name(59, "execve");
	check_name(231, "exit_group");
	check_unknown(400, "syscall_400");
	check_unknown(511, "syscall_511");
	check_unknown(4096, "syscall_4096");
	check_unknown(UINT32_MAX, "syscall_4294967295");

	test_begin("unknown names are not found");
	CHECK_U64(syscall_lookup("nosuchcall"), (uint64_t)-1);
	CHECK_U64(syscall_lookup(""), (uint64_t)-1);
	CHECK_U64(syscall_lookup("WRITE"), (uint64_t)-1);
	test_end();

	test_begin("the generated table is the system's");
	CHECK(syscall_names_len > 300);
	CHECK(syscall_names_len <= GODIAG_SYSCALL_MAX);
	test_end();

	check_list("write,read,nanosleep", wrn, 3);
	check_list("35", n35, 1);
	check_list("0,511", edge, 2);
	check_list("write,write,1", dup, 1);
	test_mask_layout();
	check_bad_list("write,foo", "unknown syscall 'foo'");
	check_bad_list("foo,write,bar", "unknown syscalls 'foo', 'bar'");
	check_bad_list("", "empty entry in syscall list ''");
	check_bad_list("write,", "empty entry in syscall list 'write,'");
	check_bad_list(",write", "empty entry in syscall list ',write'");
	check_bad_list("512", "syscall number 512 is out of range (0..511)");
	check_bad_list("write,99999999999", "syscall number 99999999999 is out of range (0..511)");
	check_bad_list("-1", "unknown syscall '-1'");
	check_bad_list(" write", "unknown syscall ' write'");
	check_bad_list("0x1", "unknown syscall '0x1'");
	return test_summary();
}
