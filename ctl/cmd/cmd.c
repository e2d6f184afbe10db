// SPDX-License-Identifier: GPL-2.0
/* What every command shares: option parsing, usage and usage errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/cmd.h"

void cmd_print_usage(const struct cmd *c, FILE *out)
{
	fputs(c->usage, out);
}

void cmd_usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee '" PROG " help %s'\n", c->name);
	exit(EXIT_USAGE);
}

/*
 * The option as the user typed it. A long option always moves optind past
 * its word; a short one inside a group such as "-jx" may not, and getopt
 * leaves its letter in optopt.
 */
static const char *bad_option(int prev, char **argv, char *buf, size_t len)
{
	const char *word = optind > prev ? argv[optind - 1] : NULL;

	if (word && !strncmp(word, "--", 2))
		return word;
	snprintf(buf, len, "-%c", optopt);
	return buf;
}

int cmd_getopt(const struct cmd *c, int argc, char **argv,
	       const char *shortopts, const struct option *longopts)
{
	char spec[64], buf[8];
	/* optind 0 asks glibc to start over, at argv[1]. */
	int prev = optind ? optind : 1, opt;

	/* A leading ':' makes getopt tell a missing value from an unknown option. */
	snprintf(spec, sizeof(spec), ":%s", shortopts);
	opterr = 0;
	opt = getopt_long(argc, argv, spec, longopts, NULL);
	switch (opt) {
	case 'h':
		cmd_print_usage(c, stdout);
		exit(EXIT_OK);
	case ':':
		cmd_usage_error(c, "option '%s' needs a value",
				bad_option(prev, argv, buf, sizeof(buf)));
	case '?':
		cmd_usage_error(c, "invalid option '%s'",
				bad_option(prev, argv, buf, sizeof(buf)));
	}
	return opt;
}

bool cmd_json_option(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int opt;

	while ((opt = cmd_getopt(c, argc, argv, "jh", longopts)) != -1)
		if (opt == 'j')
			json = true;
	return json;
}

void cmd_no_operands(const struct cmd *c, int argc, char **argv)
{
	if (optind < argc)
		cmd_usage_error(c, "unexpected argument '%s'", argv[optind]);
}

uint32_t cmd_session_id(const struct cmd *c, const char *s)
{
	uint32_t id;

	if (parse_u32(s, 1, UINT32_MAX, &id))
		cmd_usage_error(c, "invalid session ID '%s'", s);
	return id;
}

uint64_t cmd_goid(const struct cmd *c, const char *s)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		cmd_usage_error(c, "invalid goroutine id '%s'", s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || !v || errno)
		cmd_usage_error(c, "invalid goroutine id '%s'", s);
	return v;
}
