/* SPDX-License-Identifier: GPL-2.0 */
/* Messages, exit codes and strict parsers shared by every command. */
#ifndef GODIAGCTL_UTIL_H
#define GODIAGCTL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define PROG "godiagctl"

/* Exit codes: documented in --help and README.md; scripts rely on them. */
enum exit_code {
	EXIT_OK		= 0,
	EXIT_USAGE	= 1,	/* bad option or argument */
	EXIT_NOMODULE	= 2,	/* the godiag module is not loaded */
	EXIT_OPFAIL	= 3,	/* the kernel or the target refused */
	EXIT_PERM	= 4,	/* needs CAP_PERFMON or CAP_SYS_ADMIN, or ptrace access */
};

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

/* Decimal u32 in [min, max], no sign or spaces: "invalid number" or "out of range". */
const char *parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);

/* Human size as "512 B", "16 KiB", "1.0 MiB" (one decimal below 10). */
void format_size(uint64_t bytes, char *buf, size_t len);

/*
 * Human duration with three significant digits: "999 ns", "1.23 us",
 * "12.3 ms", "123 ms", "2.31 s"; whole seconds from 1000 s on.
 */
void format_duration(uint64_t ns, char *buf, size_t len);

#endif
