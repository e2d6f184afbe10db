/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sessions, their per-CPU counters and their targets, as the module's
 * dumps describe them; shared by sessions, stats, hist and capture.
 * Fetching and printing are apart so the printing is unit-tested.
 */
#ifndef GODIAGCTL_SESSINFO_H
#define GODIAGCTL_SESSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "module/nl.h"

struct cpu_stats {
	uint32_t cpu;
	uint64_t written;	/* records produced, lost ones included */
	uint64_t lost;		/* dropped (discard) or overwritten (overwrite) */
	uint64_t bytes;		/* bytes committed */
	uint64_t read;		/* records consumed through read() */
};

/* A probe and its counters (PROBE_GET). */
struct probe_info {
	uint32_t session;
	uint32_t id;
	uint32_t pid;
	uint32_t kind;		/* GODIAG_PROBE_* */
	uint64_t passes;	/* hits, before conditions */
	uint64_t filtered;	/* refused by the condition */
	uint64_t sampled_out;
	uint64_t rate_limited;
	uint64_t hits;		/* recorded (or lost to a full buffer) */
	uint64_t faults;	/* user memory reads that failed */
};

struct probe_list {
	struct probe_info *v;
	size_t n;
};

struct session_info {
	uint32_t id;
	uint8_t state;		/* GODIAG_STATE_* */
	uint8_t mode;		/* GODIAG_MODE_* */
	uint32_t events;	/* GODIAG_EV_* */
	uint32_t bufsize;
	uint32_t readers;
	uint64_t min_ns;
	bool owned;
	uint32_t max_lifetime_ms;	/* 0: none */
	bool expired;			/* stopped at its maximum lifetime */
	char name[GODIAG_NAME_MAX];	/* a flight recorder's, else "" */
	uint32_t window_ms;		/* a recorder's window; 0: all */
	/* A recorder's triggers (godiag_abi.h, "Triggers"). */
	bool has_triggers;
	uint32_t ntriggers;		/* module entries */
	uint32_t cooldown_ms;
	char *trigger_texts;		/* NUL-ended strings, or NULL */
	size_t trigger_texts_len;
	uint64_t triggers_fired, triggers_suppressed;
	uint32_t watcher;		/* the watcher's pid, 0: none */
	bool has_last;			/* one was sent: */
	uint32_t last_index;
	uint64_t last_ts;
	bool persistent;		/* records on when its targets exit */
	struct cpu_stats *cpus;	/* STATS_GET only */
	size_t nr_cpus;
	const struct probe_info *probes;	/* its probes, when asked for */
	size_t nprobes;
};

struct session_list {
	struct session_info *v;
	size_t n;
};

struct target_info {
	uint32_t session;
	uint32_t pid;
	uint32_t flags;		/* GODIAG_TF_* */
	uint64_t threads_dropped;
};

struct target_list {
	struct target_info *v;
	size_t n;
};

/*
 * SESSION_GET or STATS_GET (with per-CPU counters) of all sessions, or of
 * session id. Returns 0 or a negative errno for gdnl_fail().
 */
int sessinfo_dump(struct gdnl *nl, uint8_t cmd, uint32_t id,
		  struct session_list *out);
void session_list_free(struct session_list *l);

/* TARGET_GET of all sessions, or of session id. */
int targets_dump(struct gdnl *nl, uint32_t id, struct target_list *out);
void target_list_free(struct target_list *l);

/*
 * PROBE_GET of all sessions, or of session id; probes_attach() points
 * each session of l at its probes (sorted by session in the dump).
 */
int probes_dump(struct gdnl *nl, uint32_t id, struct probe_list *out);
void probes_attach(struct session_list *l, const struct probe_list *p);
void probe_list_free(struct probe_list *l);

/* Exits 3 with "CMD: no session ID" unless session id exists. */
void sessinfo_require(struct gdnl *nl, const char *cmd, uint32_t id);

#endif
