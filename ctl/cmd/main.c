// SPDX-License-Identifier: GPL-2.0
/* godiagctl: global options, help and dispatch to the command table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd/cmd.h"
#include "godiag_abi.h"
#include "godiag_version.h"

static int run_help(const struct cmd *c, int argc, char **argv);

static const struct cmd cmd_help = {
	.name = "help",
	.summary = "show help for godiagctl or one command",
	.usage = "Usage: " PROG " help [COMMAND]\n"
		 "\n"
		 "Without COMMAND, list the commands; with it, show its usage.\n",
	.run = run_help,
};

/* Add new commands here; they appear in 'godiagctl help' in this order. */
static const struct cmd *const commands[] = {
	&cmd_status,
	&cmd_capture,
	&cmd_flight,
	&cmd_report,
	&cmd_script,
	&cmd_export,
	&cmd_sessions,
	&cmd_session,
	&cmd_stats,
	&cmd_hist,
	&cmd_inspect,
	&cmd_top,
	&cmd_goroutines,
	&cmd_runtime,
	&cmd_help,
};

static void print_main_usage(FILE *out)
{
	size_t i;

	fputs("Usage: " PROG " [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "Trace Go services with the godiag kernel module.\n"
	      "\n"
	      "Commands:\n", out);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s  %s\n", commands[i]->name, commands[i]->summary);
	fputs("\n"
	      "Options:\n"
	      "  -h, --help     show this help\n"
	      "  -V, --version  show the version and ABI\n"
	      "\n"
	      "Exit status:\n"
	      "  0  success\n"
	      "  1  usage error: a bad option or argument, a file named that is\n"
	      "     missing, damaged or not of the kind the command takes, a PID\n"
	      "     that names no process\n"
	      "  2  the godiag module is not loaded\n"
	      "  3  the operation failed\n"
	      "  4  permission denied (godiag needs CAP_PERFMON or CAP_SYS_ADMIN,\n"
	      "     and without CAP_SYS_ADMIN ptrace access to what it traces;\n"
	      "     or a file's mode)\n"
	      "  5  report, script, export: the capture file was cut short; read up\n"
	      "     to the cut\n"
	      "  6  capture --strict: the file is complete, but events were lost\n"
	      "     or the command failed\n"
	      "\n"
	      "Run '" PROG " help COMMAND' for a command's options.\n", out);
}

static const struct cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

__attribute__((noreturn))
static void unknown_command(const char *name)
{
	fprintf(stderr, PROG ": unknown command '%s'\n"
		"see '" PROG " help'\n", name);
	exit(EXIT_USAGE);
}

static int run_help(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *target;

	while (cmd_getopt(c, argc, argv, "h", longopts) != -1)
		;
	if (optind == argc) {
		print_main_usage(stdout);
		return EXIT_OK;
	}
	if (argc - optind > 1)
		cmd_usage_error(c, "unexpected argument '%s'", argv[optind + 1]);
	target = find_command(argv[optind]);
	if (!target)
		unknown_command(argv[optind]);
	cmd_print_usage(target, stdout);
	return EXIT_OK;
}

/* Global options end at the first operand, the command's name. */
static void parse_global_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int prev, opt;

	opterr = 0;
	for (;;) {
		prev = optind;
		opt = getopt_long(argc, argv, "+hV", longopts, NULL);
		switch (opt) {
		case -1:
			return;
		case 'h':
			print_main_usage(stdout);
			exit(EXIT_OK);
		case 'V':
			printf(PROG " %s (ABI %d)\n", GODIAG_VERSION, GODIAG_ABI_VERSION);
			exit(EXIT_OK);
		default:
			if (optind > prev && !strncmp(argv[optind - 1], "--", 2))
				fprintf(stderr, PROG ": invalid option '%s'\n", argv[optind - 1]);
			else
				fprintf(stderr, PROG ": invalid option '-%c'\n", optopt);
			fputs("see '" PROG " help'\n", stderr);
			exit(EXIT_USAGE);
		}
	}
}

/*
 * Output that never reached its file is a failure, as in 'godiagctl status
 * >/dev/full'. Runs at every exit, including the early ones for --help.
 */
static void close_stdout(void)
{
	if (fclose(stdout) != 0) {
		fprintf(stderr, PROG ": cannot write output: %s\n", strerror(errno));
		_exit(EXIT_OPFAIL);
	}
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	atexit(close_stdout);
	parse_global_options(argc, argv);
	if (optind == argc) {
		print_main_usage(stderr);
		return EXIT_USAGE;
	}
	c = find_command(argv[optind]);
	if (!c)
		unknown_command(argv[optind]);
	argc -= optind;
	argv += optind;
	/* Restart getopt for the command's own argv, whose [0] is its name. */
	optind = 0;
	return c->run(c, argc, argv);
}
