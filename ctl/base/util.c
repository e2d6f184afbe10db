// SPDX-License-Identifier: GPL-2.0
/* Messages, exit codes and strict parsers shared by every command. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

/* "godiagctl: <kind><message>" on stderr, after what stdout already holds. */
static void vsay(const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, PROG ": %s", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
	exit(code);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("warning: ", fmt, ap);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("note: ", fmt, ap);
	va_end(ap);
}

int exit_code_of_errno(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return EXIT_PERM;
	case ENOENT:
	case ENOTDIR:
	case EISDIR:
	case ELOOP:
	case ENAMETOOLONG:
	case ESRCH:
		return EXIT_USAGE;
	}
	return EXIT_OPFAIL;
}

int open_errno(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void *check_alloc(void *p)
{
	if (!p)
		die(EXIT_OPFAIL, "out of memory");
	return p;
}

void *xmalloc(size_t size)
{
	return check_alloc(malloc(size ? size : 1));
}

void *xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1));
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		die(EXIT_OPFAIL, "out of memory");
	return check_alloc(realloc(p, bytes ? bytes : 1));
}

char *xstrdup(const char *s)
{
	return check_alloc(strdup(s));
}

struct unit {
	const char *name;
	uint64_t scale;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Decimal digits only: no sign, no spaces, no hex (strtoull takes all three). */
static const char *read_uint(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;

	if (!is_digit(*s))
		return "not a number";
	for (; is_digit(*s); s++) {
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(*s - '0'), &n))
			return "too large";
	}
	*p = s;
	*v = n;
	return NULL;
}

const char *parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	uint64_t n;

	if (read_uint(&s, &n) || *s)
		return "invalid number";
	if (n < min || n > max)
		return "out of range";
	*v = (uint32_t)n;
	return NULL;
}

static const struct unit size_units[] = {
	{ "",    1 },
	{ "B",   1 },
	{ "K",   1ULL << 10 }, { "KiB", 1ULL << 10 },
	{ "M",   1ULL << 20 }, { "MiB", 1ULL << 20 },
	{ "G",   1ULL << 30 }, { "GiB", 1ULL << 30 },
	{ "T",   1ULL << 40 }, { "TiB", 1ULL << 40 },
};

const char *parse_size(const char *s, uint64_t *bytes)
{
	const char *err;
	uint64_t n;
	size_t i;

	if (!*s)
		return "empty";
	err = read_uint(&s, &n);
	if (err)
		return err;
	if (*s == '.')
		return "not a whole number";
	/* Sizes have no milli or micro, so "4m" and "4k" can mean only MiB and KiB. */
	for (i = 0; i < ARRAY_SIZE(size_units); i++) {
		if (strcasecmp(s, size_units[i].name))
			continue;
		if (__builtin_mul_overflow(n, size_units[i].scale, &n))
			return "too large";
		*bytes = n;
		return NULL;
	}
	return "unknown unit (use B, K, M, G or T)";
}

/* Case matters here: "m" is minutes, "ms" milliseconds. */
static const struct unit duration_units[] = {
	{ "ns", 1 },
	{ "us", 1000ULL },
	{ "ms", 1000ULL * 1000 },
	{ "s",  1000ULL * 1000 * 1000 },
	{ "m",  60ULL * 1000 * 1000 * 1000 },
	{ "h",  3600ULL * 1000 * 1000 * 1000 },
};

static const struct unit *find_duration_unit(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(duration_units); i++)
		if (!strcmp(s, duration_units[i].name))
			return &duration_units[i];
	return NULL;
}

/*
 * Adds the fraction digits at their place values, exactly. Every unit is
 * 1, 6 or 36 times a power of ten, so place values stay whole until they
 * would fall below 1 ns; a nonzero digit there is refused rather than
 * silently dropped.
 */
static const char *scale_fraction(const char *digits, size_t n,
				  uint64_t scale, uint64_t *ns)
{
	uint64_t place = scale, sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t digit = (uint64_t)(digits[i] - '0');

		if (place % 10) {
			if (digit)
				return "finer than 1 ns";
			continue;
		}
		place /= 10;
		sum += digit * place;
	}
	*ns = sum;
	return NULL;
}

static bool all_zero(const char *digits, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (digits[i] != '0')
			return false;
	return true;
}

const char *parse_duration(const char *s, uint64_t *ns)
{
	const struct unit *u;
	const char *frac = "", *err;
	uint64_t whole, part;
	size_t nfrac = 0;

	if (!*s)
		return "empty";
	err = read_uint(&s, &whole);
	if (err)
		return err;
	if (*s == '.') {
		frac = ++s;
		while (is_digit(*s))
			s++;
		nfrac = (size_t)(s - frac);
		if (!nfrac)
			return "missing digits after '.'";
	}
	/* Zero needs no unit; any other bare number is ambiguous. */
	if (!*s && !whole && all_zero(frac, nfrac)) {
		*ns = 0;
		return NULL;
	}
	if (!*s)
		return "missing unit (use ns, us, ms, s, m or h)";
	u = find_duration_unit(s);
	if (!u)
		return "unknown unit (use ns, us, ms, s, m or h)";
	err = scale_fraction(frac, nfrac, u->scale, &part);
	if (err)
		return err;
	if (__builtin_mul_overflow(whole, u->scale, &whole) ||
	    __builtin_add_overflow(whole, part, &whole))
		return "too large";
	*ns = whole;
	return NULL;
}

/* "HH:MM:SS[.fraction]" at *p, moved past it: ns since midnight. */
static const char *read_daytime(const char **p, uint64_t *ns)
{
	unsigned int h, m, sec;
	const char *frac;
	uint64_t part = 0;
	int n = -1;

	if (sscanf(*p, "%2u:%2u:%2u%n", &h, &m, &sec, &n) != 3 || n != 8 ||
	    !is_digit((*p)[0]) || !is_digit((*p)[3]) || !is_digit((*p)[6]))
		return "not a time (HH:MM:SS)";
	if (h > 23 || m > 59 || sec > 59)
		return "out of range";
	*p += n;
	if (**p == '.') {
		frac = ++*p;
		while (is_digit(**p))
			++*p;
		if (*p == frac || scale_fraction(frac, (size_t)(*p - frac),
						 1000000000ULL, &part))
			return "bad fraction of a second";
	}
	*ns = ((uint64_t)h * 3600 + m * 60 + sec) * 1000000000ULL + part;
	return NULL;
}

/* The date of "YYYY-MM-DDT..." at *p, moved past the T: ns since the epoch. */
static const char *read_date(const char **p, uint64_t *ns)
{
	unsigned int y, mo, d;
	struct tm tm;
	time_t secs;
	int n = -1;

	if (sscanf(*p, "%4u-%2u-%2u%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    ((*p)[10] != 'T' && (*p)[10] != ' '))
		return "not a date";
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return "out of range";
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	secs = timegm(&tm);
	if (secs < 0)
		return "out of range";
	*ns = (uint64_t)secs * 1000000000ULL;
	*p += 11;
	return NULL;
}

const char *parse_clock(const char *s, uint64_t *ns, bool *day)
{
	uint64_t date = 0, t;
	const char *err = read_date(&s, &date);
	bool is_day = err != NULL;

	/* "2026-13-01T..." is a bad date, not a bad time of day. */
	if (err && strcmp(err, "not a date"))
		return err;
	err = read_daytime(&s, &t);
	if (err)
		return err;
	if (*s == 'Z')
		s++;
	if (*s)
		return "unexpected text after the time (UTC: ...Z)";
	*ns = date + t;
	*day = is_day;
	return NULL;
}

void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	const size_t last = ARRAY_SIZE(units) - 1;
	double v = (double)bytes;
	uint64_t tenths, whole;
	size_t i = 0;

	while (v >= 1024 && i < last) {
		v /= 1024;
		i++;
	}
	if (i == 0) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return;
	}
	/* Like ls -h: one decimal below 10, whole numbers above. */
	tenths = (uint64_t)(v * 10 + 0.5);
	if (tenths < 100) {
		snprintf(buf, len, "%u.%u %s", (unsigned)(tenths / 10),
			 (unsigned)(tenths % 10), units[i]);
		return;
	}
	whole = (uint64_t)(v + 0.5);
	if (whole >= 1024 && i < last) {
		snprintf(buf, len, "1.0 %s", units[i + 1]);
		return;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)whole, units[i]);
}

/* n / d rounded half up, without overflow for any n. */
static uint64_t div_round(uint64_t n, uint64_t mul, uint64_t d)
{
	unsigned __int128 x = (unsigned __int128)n * mul + d / 2;

	return (uint64_t)(x / d);
}

/* From a minute on: "1m02s", "1h02m03s". */
static void format_hms(uint64_t secs, char *buf, size_t len)
{
	unsigned long long h = secs / 3600;
	unsigned int m = (unsigned int)(secs / 60 % 60), s = (unsigned int)(secs % 60);

	if (h)
		snprintf(buf, len, "%lluh%02um%02us", h, m, s);
	else
		snprintf(buf, len, "%um%02us", m, s);
}

void format_duration(uint64_t ns, char *buf, size_t len)
{
	static const struct unit units[] = {
		{ "us", 1000ULL },
		{ "ms", 1000ULL * 1000 },
		{ "s",  1000ULL * 1000 * 1000 },
	};
	uint64_t v;
	size_t i;

	if (ns < 1000) {
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
		return;
	}
	if (ns >= 59950000000ULL) {	/* would print "60.0 s" */
		format_hms(div_round(ns, 1, 1000000000ULL), buf, len);
		return;
	}
	/* Try x.yz, then xy.z, then xyz; a rounding that reaches 1000 moves up a unit. */
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		const char *u = units[i].name;
		uint64_t scale = units[i].scale;

		v = div_round(ns, 100, scale);
		if (v < 1000) {
			snprintf(buf, len, "%u.%02u %s", (unsigned)(v / 100),
				 (unsigned)(v % 100), u);
			return;
		}
		v = div_round(ns, 10, scale);
		if (v < 1000) {
			snprintf(buf, len, "%u.%u %s", (unsigned)(v / 10),
				 (unsigned)(v % 10), u);
			return;
		}
		v = div_round(ns, 1, scale);
		if (v < 1000 || i == ARRAY_SIZE(units) - 1) {
			snprintf(buf, len, "%llu %s", (unsigned long long)v, u);
			return;
		}
	}
}

void format_utc(uint64_t realtime_ns, char *buf, size_t len)
{
	time_t secs = (time_t)(realtime_ns / 1000000000ULL);
	unsigned int ms = (unsigned int)(realtime_ns % 1000000000ULL / 1000000);
	struct tm tm;

	if (!gmtime_r(&secs, &tm)) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}
