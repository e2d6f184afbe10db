// SPDX-License-Identifier: GPL-2.0
/* capture's buffer sizes and command-line quoting (ctl/cmd/capture_opts.c). */
#include "cmd/capture.h"
#include "test.h"

static void size_ok(uint64_t in, uint32_t want)
{
	uint32_t got = 1;

	test_begin("buffer %llu becomes %u", (unsigned long long)in, want);
	CHECK_STR(capture_buffer_size(in, &got), NULL);
	CHECK_U64(got, want);
	test_end();
}

static void size_bad(uint64_t in, const char *want)
{
	uint32_t got = 1;

	test_begin("buffer %llu is refused", (unsigned long long)in);
	CHECK_STR(capture_buffer_size(in, &got), want);
	CHECK_U64(got, 1);
	test_end();
}

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static void defbuf(uint32_t events, unsigned long online, unsigned long possible,
		   uint64_t ram, uint64_t want)
{
	test_begin("default buffer: events %#x, %lu/%lu CPUs, %llu MiB RAM: %llu KiB",
		   events, online, possible, (unsigned long long)(ram / MiB),
		   (unsigned long long)(want >> 10));
	CHECK_U64(capture_default_buffer(events, online, possible, ram), want);
	test_end();
}

static void maxdur_ok(const char *in, uint32_t want)
{
	uint32_t got = 7;

	test_begin("--max-duration %s is %u ms", in, want);
	CHECK_STR(capture_max_duration(in, &got), NULL);
	CHECK_U64(got, want);
	test_end();
}

static void maxdur_bad(const char *in, const char *want)
{
	uint32_t got = 7;

	test_begin("--max-duration %s is refused", in);
	CHECK_STR(capture_max_duration(in, &got), want);
	CHECK_U64(got, 7);
	test_end();
}

static void join(char *const *argv, const char *want)
{
	char buf[256];

	test_begin("joined: %s", want);
	capture_join_args(argv, buf, sizeof(buf));
	CHECK_STR(buf, want);
	test_end();
}

int main(void)
{
	char *plain[] = { "ls", "-l", "/tmp/x.y", "a=b,c:d@e%", NULL };
	char *spaces[] = { "echo", "a b", "", NULL };
	char *quote[] = { "sh", "-c", "echo it's $HOME", NULL };
	char *none[] = { NULL };
	char small[8];

	size_ok(16 << 10, 16 << 10);
	size_ok((16 << 10) + 1, 32 << 10);
	size_ok(1 << 20, 1 << 20);
	size_ok(1500 << 10, 2 << 20);
	size_ok(256U << 20, 256U << 20);
	size_bad(0, "below the minimum of 16 KiB");
	size_bad((16 << 10) - 1, "below the minimum of 16 KiB");
	size_bad((256ULL << 20) + 1, "above the maximum of 256 MiB");
	size_bad(UINT64_MAX, "above the maximum of 256 MiB");

	/* The README's demo: syscalls and goroutines on 2 CPUs. */
	defbuf(GODIAG_EV_SYSCALL | GODIAG_EV_GOROUTINE, 2, 2, 3 * GiB, 8 * MiB);
	defbuf(GODIAG_EV_SYSCALL, 2, 2, 3 * GiB, 2 * MiB);
	defbuf(GODIAG_EV_GOROUTINE, 2, 2, 3 * GiB, 4 * MiB);
	defbuf(GODIAG_EV_BREAKPOINT, 2, 2, 3 * GiB, 2 * MiB);
	defbuf(GODIAG_EV_SYSCALL | GODIAG_EV_GOROUTINE | GODIAG_EV_BREAKPOINT, 2, 2,
	       3 * GiB, 8 * MiB);
	/* Many CPUs: 256 MiB in all at most, 1 MiB each at least. */
	defbuf(GODIAG_EV_SYSCALL | GODIAG_EV_GOROUTINE, 64, 64, 256 * GiB, 4 * MiB);
	defbuf(GODIAG_EV_SYSCALL | GODIAG_EV_GOROUTINE, 96, 128, 256 * GiB, 2 * MiB);
	defbuf(GODIAG_EV_SYSCALL, 1024, 1024, 1024 * GiB, 1 * MiB);
	/* Little RAM: 1/16 of it over the possible CPUs. */
	defbuf(GODIAG_EV_SYSCALL | GODIAG_EV_GOROUTINE, 2, 2, 128 * MiB, 4 * MiB);
	defbuf(GODIAG_EV_SYSCALL, 8, 64, 512 * MiB, 512 * 1024);
	defbuf(GODIAG_EV_SYSCALL, 1, 1, 0, 2 * MiB);

	maxdur_ok("1h", 3600000);
	maxdur_ok("2s", 2000);
	maxdur_ok("1.5s", 1500);
	maxdur_ok("1us", 1);
	maxdur_ok("1000001ns", 2);
	maxdur_ok("0", 0);
	maxdur_ok("none", 0);
	maxdur_ok("4294967295ms", 4294967295U);
	maxdur_bad("4294967296ms", "above the maximum of 49 days");
	maxdur_bad("50000h", "above the maximum of 49 days");
	maxdur_bad("10", "missing unit (use ns, us, ms, s, m or h)");
	maxdur_bad("", "empty");
	maxdur_bad("1x", "unknown unit (use ns, us, ms, s, m or h)");
	maxdur_bad("never", "not a number");

	{
		static const struct { uint32_t ms; const char *s; } f[] = {
			{ 0, "none" }, { 3600000, "1h" }, { 7200000, "2h" }, { 90000, "90s" },
			{ 1800000, "30m" }, { 2000, "2s" }, { 1500, "1500ms" }, { 1, "1ms" },
		};
		char buf[32];
		size_t i;

		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			test_begin("lifetime %u ms is written %s", f[i].ms, f[i].s);
			capture_format_ms(f[i].ms, buf, sizeof(buf));
			CHECK_STR(buf, f[i].s);
			test_end();
		}
	}

	join(plain, "ls -l /tmp/x.y a=b,c:d@e%");
	join(spaces, "echo 'a b' ''");
	join(quote, "sh -c 'echo it'\\''s $HOME'");
	join(none, "");

	test_begin("joined: truncated to the buffer");
	capture_join_args(quote, small, sizeof(small));
	CHECK_STR(small, "sh -c '");
	test_end();
	return test_summary();
}
