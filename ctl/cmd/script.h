/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 'godiagctl script' (script.c): every record of a capture file, one line
 * each, in time order, decoded through the model the report reads.
 */
#ifndef GODIAGCTL_CMD_SCRIPT_H
#define GODIAGCTL_CMD_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/print.h"
#include "model/analyze.h"

/* Record kinds, for --kind. */
enum script_kind {
	SCRIPT_SYSCALL = 1 << 0,
	SCRIPT_GOROUTINE = 1 << 1,
	SCRIPT_BREAK = 1 << 2,
	SCRIPT_LOSS = 1 << 3,
	SCRIPT_EXIT = 1 << 4,
	SCRIPT_OTHER = 1 << 5,	/* record types this tool does not know */
	SCRIPT_ALL = (1 << 6) - 1,
};

struct script_opts {
	bool absolute;		/* wall-clock time in the text */
	bool has_pid;
	uint32_t pid;
	bool has_goid;
	uint64_t goid;
	unsigned int kinds;	/* enum script_kind bits */
};

/*
 * The time every relative time counts from: the capture's start
 * (META start_monotonic_ns), else its first record's.
 */
uint64_t script_base(const struct report *r);

/* Whether the options keep a record. */
bool script_keep(const struct script_opts *o, const struct godiag_rec *rec);

/* One record: a text line, or a JSON object (one per line). */
void script_walk(struct printer *p, const struct report *r, const struct script_opts *o,
		 const struct godiag_rec *rec);

/* Every record the options keep, in time order (r loaded with keep_records). */
void script_print(const struct report *r, const struct script_opts *o, bool json,
		  FILE *out);

#endif
