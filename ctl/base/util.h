/* SPDX-License-Identifier: GPL-2.0 */
/* Messages, exit codes and strict parsers shared by every command. */
#ifndef GODIAGCTL_UTIL_H
#define GODIAGCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROG "godiagctl"

/*
 * Exit codes: documented in main.c's --help, godiagctl(8) EXIT STATUS and
 * README.md "Exit codes"; scripts rely on them.
 */
enum exit_code {
	EXIT_OK		= 0,
	EXIT_USAGE	= 1,	/* bad option or argument: a file or PID that does not
				   exist, or is not (or no longer) what the command takes */
	EXIT_NOMODULE	= 2,	/* the godiag module is not loaded */
	EXIT_OPFAIL	= 3,	/* the operation failed: the kernel refused, I/O failed */
	EXIT_PERM	= 4,	/* permission denied: CAP_PERFMON or CAP_SYS_ADMIN, ptrace
				   access, or a file's mode */
	EXIT_INCOMPLETE	= 5,	/* report: a cut capture file, reported up to the cut */
	EXIT_UNCLEAN	= 6,	/* capture --strict: the file is complete, the run was
				   not: records lost, or the command failed */
};

/*
 * The exit code for a file or process the user named that cannot be
 * opened with errno err: EXIT_PERM for EACCES and EPERM, EXIT_USAGE when
 * it does not exist or is not a file, else EXIT_OPFAIL.
 */
int exit_code_of_errno(int err);

/* 0 when path can be opened for reading, else the errno of trying. */
int open_errno(const char *path);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* "godiagctl: <message>" on stderr, then exit with code. */
__attribute__((noreturn, format(printf, 2, 3)))
void die(int code, const char *fmt, ...);

/* "godiagctl: warning: <message>" on stderr. */
__attribute__((format(printf, 1, 2)))
void warn(const char *fmt, ...);

/* "godiagctl: note: <message>" on stderr, for facts the user may not expect. */
__attribute__((format(printf, 1, 2)))
void note(const char *fmt, ...);

/* Allocation that cannot fail: out of memory exits 3. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);

/*
 * The parsers return NULL on success, or a short static reason such as
 * "unknown unit" that callers put after the offending input; on failure
 * the result is left untouched.
 */

/* Bytes: "4096", "512K", "4M", "1G", "1T"; also "KiB".."TiB" and "B". */
const char *parse_size(const char *s, uint64_t *bytes);

/* Nanoseconds: "100ns", "100us", "250ms", "1.5s", "5m", "2h"; bare "0". */
const char *parse_duration(const char *s, uint64_t *ns);

/*
 * A wall-clock time in UTC: "2026-12-07T21:03:04Z" (a space for the T,
 * a fraction ".25" and no Z work too) is ns since the epoch, *day false;
 * "21:03:04[.25]" is ns since midnight, *day true.
 */
const char *parse_clock(const char *s, uint64_t *ns, bool *day);

/* Decimal u32 in [min, max], no sign or spaces: "invalid number" or "out of range". */
const char *parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);

/* Human size as "512 B", "16 KiB", "1.0 MiB" (one decimal below 10). */
void format_size(uint64_t bytes, char *buf, size_t len);

/*
 * Human duration with three significant digits: "999 ns", "1.23 us",
 * "12.3 ms", "123 ms", "2.31 s", "59.9 s"; from a minute on, to the
 * second: "1m00s", "1h02m03s".
 */
void format_duration(uint64_t ns, char *buf, size_t len);

/* A CLOCK_REALTIME time in ISO 8601 UTC, to the millisecond: "2026-11-26T10:00:00.123Z". */
void format_utc(uint64_t realtime_ns, char *buf, size_t len);

#endif
