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

#endif
