/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The goroutines of a capture file: from the GO_* and SYSCALL records,
 * the GOINFO and the SYMS sections to per-goroutine times, wait reasons
 * and where goroutines start (no printing: cmd/report_go.c prints them).
 *
 * Semantics. A goroutine is keyed by (tgid, goid): several processes may
 * be traced. Records come per CPU, so the goroutine records are sorted by
 * ts_ns (stably: equal times keep the file's order) before this state
 * machine runs over them; SYSCALL records only add up, so they are
 * counted as they come. Each goroutine is in one state at a time:
 *
 *   unseen    nothing known yet (it existed before the capture started);
 *             time in it is not counted anywhere.
 *   runnable  since its GO_CREATE or GO_READY, or since it was replaced
 *             on its thread (a GO_START whose hdr.goid is this goroutine).
 *   running   since its GO_START (on hdr.tid).
 *   blocked   since its GO_PARK, with the PARK's reason.
 *   exited    after its GO_EXIT; later records about it are ignored
 *             (goroutine ids are never reused), but a GO_CREATE.
 *
 *   GO_CREATE  goid is new: created++; live++; max_live = max(max_live,
 *              live). parent = other_goid, creator PC = pc, start PC =
 *              start_pc. It is runnable from then on.
 *   GO_START   goid runs from ts. If hdr.goid is nonzero and not goid,
 *              that goroutine, when running (or unseen), stopped at ts and
 *              is runnable (preempted or yielded). A blocked goid whose
 *              GO_READY never came (the runtime readies network I/O and
 *              others without runtime.ready) ends its blocked time here.
 *   GO_PARK    goid is blocked from ts on reason (blocks++, and the
 *              reason's count++).
 *   GO_READY   a blocked (or unseen, or running) goid is runnable from ts.
 *   GO_EXIT    goid stops: exited++ (every exit seen, so goroutines older
 *              than the capture count too); live-- when it was created in
 *              the capture.
 *   SYSCALL    hdr.goid (when nonzero) gets one syscall and duration_ns of
 *              in-syscall time. A goroutine stays running in a syscall,
 *              so this time is also part of its running time.
 *
 * live counts only goroutines created during the capture, so it never
 * goes negative: max_live is the most goroutines created in the capture
 * that were alive at the same time. Records whose goid is 0 (a failed
 * memory read) are skipped and counted. At the end of the capture (the
 * END section's time, else the last record's; never before the last
 * goroutine record) open intervals are closed.
 *
 * Time blocked accumulates per wait reason and per goroutine, from the
 * PARK to the READY (or to the START when no READY came, or the end).
 * A reason is named with the runtime's own string from the GOINFO of
 * the goroutine's process; an index that GOINFO does not have prints as
 * "waitReason(N)". The runtime's string for reason 0 is "": JSON keeps
 * it, text prints "(none)". Reasons and functions of different processes
 * with the same name are one row.
 *
 * Functions are named through the SYMS section of the goroutine's
 * process, by exact PC (the capture writes an entry for every start and
 * creator PC it saw); a PC without an entry prints as "0x%llx". As Go's
 * tracebacks and goroutine profile do, a goroutine is named by its start
 * function, and when that is the wrapper the compiler makes for a go
 * statement with arguments, by the function the wrapper calls (the
 * entry's start name: `go worker(ch)` is main.worker, not
 * main.main.gowrap1; a closure keeps its own name, "main.main.func1");
 * by_creator groups by the function holding the go statement.
 *
 * When the capture lost events, all these figures may miss some: they
 * are lower bounds, and the output says so.
 */
#ifndef GODIAGCTL_GOREPORT_H
#define GODIAGCTL_GOREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/hmap.h"
#include "capfile/capfile.h"

enum go_state {
	GO_UNSEEN,
	GO_RUNNABLE,
	GO_RUNNING,
	GO_BLOCKED,
	GO_EXITED,
};

/* One goroutine. */
struct go_row {
	uint64_t goid;
	uint32_t pid;		/* tgid */
	uint8_t state;		/* enum go_state (at the end of the capture) */
	bool created;		/* its GO_CREATE is in the capture */
	bool exited;		/* its GO_EXIT is */
	bool live;		/* created in the capture and not exited */
	bool has_top;		/* it was blocked: top_reason is set */
	uint32_t reason;	/* while blocked */
	uint32_t top_reason;	/* the reason it was blocked on longest */
	uint64_t since;		/* when it entered its state */
	uint64_t parent;	/* GO_CREATE's other_goid (0: unknown) */
	uint64_t pc;		/* the go statement (creator) */
	uint64_t start_pc;	/* its function's entry */
	uint64_t running_ns, runnable_ns, blocked_ns, syscall_ns;
	uint64_t syscalls;	/* SYSCALL records */
	uint64_t blocks;	/* GO_PARKs */
	uint64_t top_ns;	/* blocked time on top_reason */
};

/* Blocked time per wait reason. */
struct go_wait {
	char *reason;		/* the runtime's string */
	uint64_t count;		/* GO_PARKs */
	uint64_t total_ns;
};

/* Goroutines created per function. */
struct go_group {
	char *function;
	uint64_t created;
};

/* A SYSCALL or GO_* record as the state machine needs it. */
struct go_ev {
	uint64_t ts;
	uint32_t row;		/* index in rows */
	uint32_t x;		/* START: previous goroutine's row + 1 (0: none); PARK: reason */
	uint8_t type;		/* GODIAG_REC_GO_* */
};

struct go_sym {
	uint64_t pc;
	const char *func;
	const char *file;
	uint32_t line;
	const char *start;	/* what a wrapper at pc calls, or NULL */
};

/* What GOINFO and SYMS say about one process. */
struct go_proc {
	uint32_t pid;
	bool has_goinfo;
	char go_version[32];
	char **reasons;
	size_t nreasons;
	struct go_sym *syms;	/* sorted by pc, unique, after goreport_finish() */
	size_t nsyms;
	bool syms_merged;	/* several SYMS sections: sort again */
	char **blocks;		/* the SYMS string bytes the syms point into */
	size_t nblocks;
};

/* All zero is an empty report (goreport_present() false). */
struct goreport {
	bool present;		/* goroutine records or a GOINFO section */
	uint64_t created, exited, max_live, live;
	uint64_t skipped;	/* goroutine records with goid 0 */
	uint64_t lost;		/* events the capture lost */
	uint64_t end_ts;	/* where open intervals were closed */

	struct go_row *rows;	/* by running time after goreport_finish() */
	size_t nrows, rows_cap;
	struct hmap row_map;	/* (goid, tgid) -> row; freed by finish */

	struct go_ev *evs;	/* freed by finish */
	size_t nevs, evs_cap;

	struct go_proc *procs;
	size_t nprocs;
	struct hmap proc_map;

	struct go_wait *waits;	/* longest total first */
	size_t nwaits;
	struct go_group *by_start;	/* most created first, then by name */
	size_t nby_start;
	struct go_group *by_creator;
	size_t nby_creator;

	/*
	 * Optional, set before goreport_finish(): called with every interval
	 * the state machine closes (time in GO_RUNNING, GO_RUNNABLE or
	 * GO_BLOCKED, row->reason naming a blocked one's wait reason), in time
	 * order per goroutine, to > from. They add up to the row's running_ns,
	 * runnable_ns and blocked_ns (which saturate instead of wrapping).
	 */
	void (*on_interval)(void *arg, const struct go_row *row, uint8_t state,
			    uint64_t from, uint64_t to);
	void *interval_arg;
};

/* Takes every record; keeps GO_* ones and SYSCALLs that name a goroutine. */
void goreport_record(struct goreport *g, const struct godiag_rec *rec, size_t len);

/* A GOINFO section (the last one of a process wins). */
void goreport_goinfo(struct goreport *g, const struct capfile_goinfo *head,
		     const char *const *reasons);

/* A SYMS section (several of one process are merged). */
void goreport_syms(struct goreport *g, const struct capfile_syms_head *head,
		   const struct capfile_sym *syms, const char *strings);

/*
 * Runs the state machine, closing intervals at end_ts (raised to the last
 * goroutine record's time), and builds the tables. lost is the number of
 * events the capture lost, for the note.
 */
void goreport_finish(struct goreport *g, uint64_t end_ts, uint64_t lost);

bool goreport_present(const struct goreport *g);

/* The function whose entry or statement is pc in pid, or "0x%llx" in buf. */
const char *goreport_func_name(const struct goreport *g, uint32_t pid, uint64_t pc,
			       char *buf, size_t len);

/*
 * The name of a goroutine that starts at pc in pid, as Go names it: the
 * function a go statement's wrapper calls, else as goreport_func_name().
 */
const char *goreport_start_name(const struct goreport *g, uint32_t pid, uint64_t pc,
				char *buf, size_t len);

/* The runtime's string for reason in pid, or "waitReason(N)" in buf. */
const char *goreport_reason_name(const struct goreport *g, uint32_t pid,
				 uint32_t reason, char *buf, size_t len);

/* The row of (pid, goid) after goreport_finish(), or NULL (a linear search). */
const struct go_row *goreport_find(const struct goreport *g, uint32_t pid,
				   uint64_t goid);


void goreport_free(struct goreport *g);

#endif
