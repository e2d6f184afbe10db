/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The events of a Perfetto trace of a capture (pftrace.c), which both
 * writers walk: the JSON one (export.c) and the protobuf one
 * (export_proto.c). perfetto_build() (export.h) collects them from the
 * report's goroutine state machine and records, sorted by track (pid,
 * then tid) and time, a slice before the slices it holds; the functions
 * below give each event's name, category and arguments, and each track's
 * name, so both files say the same.
 */
#ifndef GODIAGCTL_CMD_PFTRACE_H
#define GODIAGCTL_CMD_PFTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hmap.h"
#include "model/analyze.h"

/* Goroutine tracks get thread ids above every real one (PID_MAX_LIMIT). */
#define GO_TID_BASE	(1ULL << 22)

enum ev_kind {
	EV_STATE,	/* a goroutine's running/runnable/blocked slice */
	EV_GO_SYSCALL,	/* a syscall inside a goroutine's running slice */
	EV_SYSCALL,	/* a syscall on its thread's track */
	EV_BREAK,	/* an instant */
	EV_FLOW_OUT,	/* the start of a flow */
	EV_FLOW_IN,	/* its end */
	EV_LOST,	/* a global instant */
};

struct ev {
	uint64_t tid;		/* the track: a thread, or GO_TID_BASE + goroutine index */
	uint64_t ts, dur;
	uint32_t pid;
	uint8_t kind;		/* enum ev_kind */
	uint8_t state;		/* EV_STATE: enum go_state; flows: GODIAG_REC_GO_* */
	uint32_t reason;	/* EV_STATE of a blocked goroutine */
	uint64_t ref;		/* the record's index; a flow's id */
};

/* A goroutine's track: its number and its intervals' place in evs. */
struct gtrack {
	uint32_t pid;
	uint64_t goid;
	size_t first, n;	/* EV_STATE events, in time order */
};

struct perfetto {
	const struct report *r;
	struct ev *evs;
	size_t nevs, cap;
	struct gtrack *tracks;	/* in the order the state machine met them */
	size_t ntracks;
	struct hmap track_map;	/* (goid, pid) -> index */
	uint64_t base;		/* time 0 */
	uint64_t flows;
};

/* A slice (a duration), not an instant or a flow's end. */
static inline bool pf_is_slice(const struct ev *e)
{
	return e->kind == EV_STATE || e->kind == EV_GO_SYSCALL || e->kind == EV_SYSCALL;
}

/* The event's name ("running", a wait reason, a syscall, a function ...), in buf or not. */
const char *pf_event_name(const struct perfetto *pf, const struct ev *e, char *buf, size_t len);
/* Its category: goroutine, syscall, break, flow or loss. */
const char *pf_event_cat(const struct ev *e);

/*
 * An event's arguments, in order, to a writer's functions (arg is the
 * writer's). few: a string from a short list (a state, a wait reason),
 * worth naming once.
 */
struct pf_args {
	void (*u64)(void *arg, const char *key, uint64_t v);
	void (*s64)(void *arg, const char *key, int64_t v);
	void (*str)(void *arg, const char *key, const char *v, bool few);
};
/* false when the event has none (a flow's ends). */
bool pf_event_args(const struct perfetto *pf, const struct ev *e, const struct pf_args *fn,
		   void *arg);

/* "comm pid", or "pid N". */
const char *pf_process_name(const struct perfetto *pf, uint32_t pid, char *buf, size_t len);

/*
 * Each goroutine track t, once, with its goroutine and its name:
 * "G<id> <start function>", or "G<id>" when the capture did not see it
 * created.
 */
typedef void pf_track_fn(void *arg, size_t t, const struct go_row *row, const char *name);
void pf_each_track(const struct perfetto *pf, pf_track_fn *fn, void *arg);

#endif
