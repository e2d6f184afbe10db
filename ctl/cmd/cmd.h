/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command table. A new command is a file that defines one struct cmd
 * and a line in main.c's table; help, dispatch and option errors follow.
 */
#ifndef GODIAGCTL_CMD_H
#define GODIAGCTL_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct cmd {
	const char *name;
	const char *summary;	/* one line in 'godiagctl help' */
	const char *usage;	/* 'godiagctl help NAME' and 'NAME --help' */
	/* argv[0] is the command's name; returns the exit code. */
	int (*run)(const struct cmd *c, int argc, char **argv);
};

extern const struct cmd cmd_status;
extern const struct cmd cmd_capture;
extern const struct cmd cmd_report;
extern const struct cmd cmd_script;
extern const struct cmd cmd_export;
extern const struct cmd cmd_sessions;
extern const struct cmd cmd_session;
extern const struct cmd cmd_stats;
extern const struct cmd cmd_hist;
extern const struct cmd cmd_inspect;
extern const struct cmd cmd_goroutines;
extern const struct cmd cmd_runtime;
extern const struct cmd cmd_flight;
extern const struct cmd cmd_top;

/* Every command takes -h/--help: put "h" in shortopts and this in longopts. */
#define CMD_HELP_OPTION { "help", no_argument, NULL, 'h' }

/*
 * getopt_long for a command. Prints the usage and exits 0 on -h; reports
 * unknown options and missing values and exits 1. Returns the option
 * character, or -1 when the options end (operands start at optind).
 */
int cmd_getopt(const struct cmd *c, int argc, char **argv,
	       const char *shortopts, const struct option *longopts);

/*
 * Options of a command whose only option is --json (and --help): returns
 * whether --json was given; operands start at optind.
 */
bool cmd_json_option(const struct cmd *c, int argc, char **argv);

/* Refuses operands after the options, for commands that take none. */
void cmd_no_operands(const struct cmd *c, int argc, char **argv);

/* "godiagctl: NAME: <message>" and the hint to the command's help; exits 1. */
__attribute__((noreturn, format(printf, 2, 3)))
void cmd_usage_error(const struct cmd *c, const char *fmt, ...);

void cmd_print_usage(const struct cmd *c, FILE *out);

/* Parses a session ID operand or option value; usage error otherwise. */
uint32_t cmd_session_id(const struct cmd *c, const char *s);

/* Parses a goroutine id (a decimal number from 1); usage error otherwise. */
uint64_t cmd_goid(const struct cmd *c, const char *s);

#endif
