/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny test runner. Each case prints "ok NAME" or "FAIL NAME" (after
 * "#" lines saying what differed); run.sh counts those lines.
 *
 *	test_begin("size %s", input);
 *	CHECK_U64(got, want);
 *	test_end();
 *	...
 *	return test_summary();
 */
#ifndef GODIAG_TEST_H
#define GODIAG_TEST_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;
static bool test_case_failed;
static char test_name[256];

__attribute__((format(printf, 1, 2)))
static inline void test_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(test_name, sizeof(test_name), fmt, ap);
	va_end(ap);
	test_case_failed = false;
}

static inline void test_end(void)
{
	if (test_case_failed)
		test_failed++;
	else
		test_passed++;
	printf("%s %s\n", test_case_failed ? "FAIL" : "ok", test_name);
	fflush(stdout);
}

__attribute__((format(printf, 3, 4)))
static inline void test_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	test_case_failed = true;
	printf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Non-zero when any case failed: the binary's exit status. */
static inline int test_summary(void)
{
	return test_failed ? 1 : 0;
}

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			test_fail_at(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define CHECK_U64(got, want)						\
	do {								\
		uint64_t g_ = (got), w_ = (want);			\
		if (g_ != w_)						\
			test_fail_at(__FILE__, __LINE__,		\
				     "%s is %" PRIu64 ", want %" PRIu64, \
				     #got, g_, w_);			\
	} while (0)

/* Strings in diagnostics are C-escaped, so they never fake an "ok" line. */
static inline void test_put_escaped(const char *s)
{
	if (!s) {
		fputs("NULL", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static inline void test_check_str(const char *file, int line, const char *expr,
				  const char *got, const char *want)
{
	/* NULL equals only NULL. */
	if (got == want || (got && want && !strcmp(got, want)))
		return;
	test_fail_at(file, line, "%s differs", expr);
	fputs("#     got:  ", stdout);
	test_put_escaped(got);
	fputs("\n#     want: ", stdout);
	test_put_escaped(want);
	putchar('\n');
}

#define CHECK_STR(got, want) \
	test_check_str(__FILE__, __LINE__, #got, (got), (want))

#endif
