/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 'godiagctl export --format gotrace' (gotrace.c): a capture as a Go
 * execution trace (the format of Go 1.22 and later, version "go 1.26"),
 * which `go tool trace` opens. In steps, as export.h:
 *
 *	struct gotrace *gt = gotrace_new();
 *	struct report_opts o;
 *	gotrace_init(gt, &o);		o asks the load for the state changes
 *	report_load_opts(&r, buf, len, &o, err, errlen);
 *	if (gotrace_build(gt, &r, pid, err, errlen)) ...	pid 0: the only one
 *	gotrace_write(gt, out);
 *	gotrace_free(gt);
 */
#ifndef GODIAGCTL_CMD_GOTRACE_H
#define GODIAGCTL_CMD_GOTRACE_H

#include <stdio.h>

#include "model/analyze.h"

struct gotrace;

/* What the trace holds, and what of the capture it could not show. */
struct gotrace_stats {
	uint32_t pid;		/* the process exported */
	uint64_t generations;
	uint64_t batches;	/* of events (of an M) */
	uint64_t goroutines;	/* GoCreate and first GoStatus */
	uint64_t created, blocks, syscalls, threads;
	uint64_t fixups;	/* events the trace needed that the capture lacked */
	uint64_t syscalls_dropped;	/* syscalls that no goroutine made */
	uint64_t lost;		/* records the capture lost (not in the trace) */
};

struct gotrace *gotrace_new(void);
/* Sets o so that report_load_opts() keeps the records and the changes. */
void gotrace_init(struct gotrace *gt, struct report_opts *o);
/*
 * After the load of r: the events of process pid (0: the only Go process
 * of the capture). -1 with a message in err when there is no such process
 * or several and pid is 0.
 */
int gotrace_build(struct gotrace *gt, const struct report *r, uint32_t pid, char *err,
		  size_t errlen);
/* 0, or -1 when out failed. */
int gotrace_write(struct gotrace *gt, FILE *out);
const struct gotrace_stats *gotrace_stats(const struct gotrace *gt);
void gotrace_free(struct gotrace *gt);

/* The Go trace's block reason for the runtime's wait reason string. */
const char *gotrace_block_reason(const char *wait_reason);

#endif
