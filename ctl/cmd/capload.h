/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A capture file named on the command line, in memory (capload.c): what
 * 'report', 'script' and 'export' read, with the same errors and exit
 * codes.
 */
#ifndef GODIAGCTL_CAPLOAD_H
#define GODIAGCTL_CAPLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/cmd.h"
#include "model/analyze.h"

/* The whole file: mapped when it is a regular file, else read. */
struct file_buf {
	void *data;
	size_t len;
	bool mapped;
};

/*
 * Reads path (a file, or a pipe or device: at most 1 GiB, until its END
 * section). On failure prints "godiagctl: CMD: PATH: reason" and exits
 * with the code of the error (exit_code_of_errno()).
 */
void capload_file(const char *cmd, const char *path, struct file_buf *b);
void capload_free(struct file_buf *b);

/* A command's capture FILE, read and loaded into the model. */
struct capload {
	const char *path;
	struct file_buf file;
	struct report r;
};

/*
 * The one FILE operand at optind (a usage error when it is missing or
 * followed by another), read (capload_file()) and loaded with o
 * (report_load_opts()): a file that is no capture file ends the command
 * with the reader's line, exit 1.
 */
void capload_open(const struct cmd *c, int argc, char **argv,
		  const struct report_opts *o, struct capload *l);

/*
 * Frees l, and returns the command's exit status: EXIT_OK, or for a file
 * cut short EXIT_INCOMPLETE after the line "CMD: PATH: <where it was cut>:
 * covers" on stderr (covers: what the output holds, such as "printed the
 * 12 records before it").
 */
int capload_close(const struct cmd *c, struct capload *l, const char *covers);

#endif
