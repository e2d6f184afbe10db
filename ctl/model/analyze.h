/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a capture file says (analyze.c): its syscalls with exact
 * percentiles, processes, targets, losses, and the goroutines
 * (goreport.h). No printing: 'godiagctl report' prints it (cmd/report.h),
 * and so will every command that reads capture files. Loading works on a
 * memory buffer, so tests feed it synthetic files.
 */
#ifndef GODIAGCTL_ANALYZE_H
#define GODIAGCTL_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/hmap.h"
#include "capfile/capfile.h"
#include "model/breakpoints.h"
#include "model/goreport.h"
#include "model/records.h"

/* One syscall: every duration, for exact percentiles. */
struct sc_row {
	uint32_t nr;
	uint64_t count;
	uint64_t errors;	/* returns in [-4095, -1] */
	uint64_t total_ns;	/* saturates rather than wraps */
	uint64_t max_ns;
	uint64_t p50_ns, p90_ns, p99_ns;	/* nearest rank, after report_load() */
	uint64_t *durs;
	size_t cap;
};

struct proc_row {
	uint32_t pid;		/* tgid */
	uint64_t events;	/* its records of every type */
	uint64_t syscalls;	/* of which SYSCALL */
};

struct target_row {
	uint32_t pid;
	uint32_t flags;
	char *comm;
	char *exe;
	char *build_id;		/* when the capture started; NULL: unknown */
	char *go_version;	/* NULL: not a Go program, or unknown */
};

struct report {
	uint32_t version;		/* capture file format */
	bool complete;			/* the END section was there */
	struct capfile_info file;	/* and where it was cut, when not */

	/* META */
	char mode[16];
	char hostname[256];
	char kernel[256];
	char command[1024];		/* the traced command, if any */
	uint64_t buffer_size;
	uint64_t start_mono;		/* 0: unknown */
	uint64_t start_real;		/* CLOCK_REALTIME at the start, 0: unknown */

	/* RECORDS */
	uint64_t recorded;		/* records but LOST markers */
	uint64_t lost_marked;		/* sum of LOST markers' counts */
	uint64_t last_ts;
	struct sc_row *sc;		/* sorted by total time after loading */
	size_t nsc;
	struct hmap sc_map;
	struct proc_row *procs;		/* sorted by PID after loading */
	size_t nprocs;
	struct hmap proc_map;

	/* STATS */
	bool has_stats;
	bool kernel_stats;		/* the module's counters are in it */
	uint64_t written;		/* the module's, summed over CPUs */
	uint64_t lost;
	uint64_t tool_read;

	/* END */
	uint64_t end_mono;

	struct target_row *targets;
	size_t ntargets;
	char **notes;
	size_t nnotes;

	/* GO_* records, GOINFO, SYMS; syscalls per goroutine. */
	struct goreport go;
	/* BREAKPOINT records and the BREAKS section. */
	struct breakpoints bp;
	/* Every record in time order, with report_opts.keep_records. */
	bool keep_records;
	struct rec_seq recs;
};

/* What a command asks of report_load_opts() beyond the report. */
struct report_opts {
	bool keep_records;	/* r->recs: every record, LOST ones too */
	/* goreport's on_interval (goreport.h), called from report_load_opts(). */
	void (*go_interval)(void *arg, const struct go_row *row, uint8_t state,
			    uint64_t from, uint64_t to);
	void *arg;
};

/*
 * Parses a capture file in memory and computes everything printed.
 * Returns 0, or -1 with the reader's one-line message in err.
 */
int report_load(struct report *r, const void *buf, size_t len, char *err,
		size_t errlen);
int report_load_opts(struct report *r, const void *buf, size_t len,
		     const struct report_opts *o, char *err, size_t errlen);
void report_free(struct report *r);

/* A note of the report's own, after those of the file. */
void report_add_note(struct report *r, const char *text);

/* Lost events: the module's count if the file has it, else the LOST markers'. */
uint64_t report_lost(const struct report *r);

/* How long the capture ran: END minus start, else up to the last record. */
uint64_t report_duration(const struct report *r);

/*
 * Records the module produced: its count, else (the file has no counters
 * of the module: see report_written_estimated()) recorded + lost.
 */
uint64_t report_written(const struct report *r);
bool report_written_estimated(const struct report *r);

/* Records the capturing tool read: its count, else recorded. */
uint64_t report_read(const struct report *r);

#endif
