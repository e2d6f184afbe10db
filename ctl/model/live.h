/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The goroutines of a live process as 'godiagctl top' sees them (live.c):
 * seeded from a read of the process's goroutines (model/goroutines.h),
 * then kept up to date by folding in the goroutine records of a session
 * as they are read. No printing: cmd/top.c shows it.
 *
 * Semantics. A goroutine is keyed by (tgid, goid) and is in one state:
 *
 *   runnable  a GO_CREATE or GO_READY, or it was replaced on its thread
 *             (a GO_START whose hdr.goid is this goroutine); the read's
 *             runnable and preempted goroutines.
 *   running   a GO_START; the read's running ones, and those in a
 *             syscall or copying their stack (a goroutine in a syscall
 *             holds its thread: the runtime counts it as running too).
 *   blocked   a GO_PARK, with its wait reason; the read's waiting ones.
 *
 * A GO_EXIT removes it. Records come per CPU and are folded in batches
 * (live_fold()): each batch is sorted by time first, and a record older
 * than the last one folded for its goroutine is dropped (counted as
 * stale), so a late CPU cannot move a goroutine back. Records older than
 * the read (live.from) are dropped: the read already shows them.
 *
 * A goroutine's start function comes from the read, or from its
 * GO_CREATE's start PC through the caller's start_name(), which also
 * says whether it is one of the runtime's (system), as the read does.
 *
 * How long a goroutine has been in its state: since the record that put
 * it there, or for one of the read, since the runtime's g.waitsince when
 * a GC has seen it blocked; else it is at least since the read (since is
 * then a lower bound: since_known false).
 */
#ifndef GODIAGCTL_LIVE_H
#define GODIAGCTL_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hmap.h"
#include "godiag_abi.h"
#include "model/goroutines.h"

enum live_state {
	LIVE_RUNNING,
	LIVE_RUNNABLE,
	LIVE_BLOCKED,
	LIVE_STATES,
};

struct live_g {
	uint64_t goid;
	uint32_t pid;
	uint8_t state;		/* enum live_state */
	bool system;		/* one of the runtime's */
	bool exited;		/* removed at the next live_compact() */
	bool since_known;	/* else it has been in its state at least since since */
	uint32_t reason;	/* blocked: index in strs */
	uint32_t start;		/* index in strs; 0: unknown ("?") */
	uint64_t since;		/* CLOCK_MONOTONIC ns */
	uint64_t last_ts;	/* the last record folded in for it */
};

/* A goroutine record waiting for live_fold(). */
struct live_ev {
	uint64_t ts;
	uint64_t goid, prev;	/* prev: GO_START's hdr.goid */
	uint64_t start_pc;
	uint32_t pid;
	uint32_t reason;
	uint16_t type;
	size_t seq;
};

/* In start_idx's values: the runtime's goroutines start there. */
#define LIVE_SYSTEM	0x80000000U

struct live {
	struct live_g *g;
	size_t n, cap;
	struct hmap map;	/* (goid, pid) -> index in g */
	char **strs;		/* interned names; [0] is "?" */
	size_t nstrs;
	struct hmap start_idx;	/* (start pc, pid) -> index in strs + 1, | LIVE_SYSTEM */
	struct hmap reason_idx;	/* (reason, pid) -> index in strs + 1 */
	struct live_ev *evs;	/* pending, for live_fold() */
	size_t nevs, evs_cap;
	uint64_t from;		/* records before this are older than the read */

	uint64_t folded;	/* goroutine records folded in */
	uint64_t stale;		/* dropped: older than their goroutine's last */
	uint64_t skipped;	/* goid 0 (a failed memory read) */
	uint64_t created, exited;	/* GO_CREATE, GO_EXIT folded */

	/*
	 * Set by the caller: the name of the function a goroutine of pid
	 * starting at pc runs (wrappers of go statements resolved) and
	 * whether it is one of the runtime's (*system), and the runtime's
	 * string for a wait reason; NULL when unknown.
	 */
	const char *(*start_name)(void *arg, uint32_t pid, uint64_t pc, bool *system);
	const char *(*reason_name)(void *arg, uint32_t pid, uint32_t reason);
	void *arg;
};

/* Forgets every goroutine (the names stay), then takes those of d, read at now. */
void live_seed(struct live *l, const struct gr_dump *d, uint64_t now);

/* Keeps a goroutine record (GO_*; others are ignored) for live_fold(). */
void live_record(struct live *l, const struct godiag_rec *rec, size_t len);

/* Folds the records kept, in time order. */
void live_fold(struct live *l);

/* Drops the exited goroutines (their indexes change). */
void live_compact(struct live *l);

/* The name at index i of strs. */
static inline const char *live_str(const struct live *l, uint32_t i)
{
	return i < l->nstrs ? l->strs[i] : "?";
}

/* Goroutines per state; the runtime's are counted apart, in *system. */
void live_count(const struct live *l, uint64_t counts[LIVE_STATES], uint64_t *system);

/* A count per name: wait reasons of blocked goroutines. */
struct live_count {
	const char *name;
	uint64_t n;
};

/*
 * The wait reasons of the blocked goroutines (not the runtime's), most
 * first, then by name; *n of them. Free the array.
 */
struct live_count *live_reasons(const struct live *l, size_t *n);

/*
 * The blocked goroutines (not the runtime's), longest blocked first (the
 * earliest since; then by pid and goid); *n of them, at most max. Free
 * the array, whose pointers point into l.
 */
const struct live_g **live_longest_blocked(const struct live *l, size_t max, size_t *n);

const char *live_state_name(uint8_t state);

void live_free(struct live *l);

#endif
