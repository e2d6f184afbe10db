/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Following a service across restarts: a flight recorder started with
 * --comm NAME or --cgroup PATH (or both: the processes of that cgroup
 * with that name) is persistent in the module (it records on when its
 * targets exit), and this finds the processes that match and are not
 * yet its targets, and attaches each as capture attaches a target (with
 * --goroutines: its Go binary read, the probes placed). Each tick scans
 * /proc (or the cgroup) once; called every 500 ms, a process that
 * matches is attached within a second of its start.
 */
#ifndef GODIAGCTL_FLIGHT_FOLLOW_H
#define GODIAGCTL_FLIGHT_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "cmd/capture.h"

#define FLIGHT_FOLLOW_TICK_MS	500

/* A process attached or given up on: a process is tried once. */
struct flight_follow_seen {
	uint32_t pid;
	uint64_t start;		/* its start time (/proc/PID/stat), against reuse */
};

struct flight_follow {
	const struct cmd *c;
	struct capture_opts *o;	/* the recorder's options (events, -f) */
	const char *name;	/* the recorder's */
	uint32_t session;	/* and its session: another of that name is not it */
	const char *comm;	/* match /proc/PID/comm (15 bytes), or NULL */
	char cgroup[4096];	/* match this cgroup's directory and below, or "" */
	struct gdnl *nl;
	struct flight_follow_seen *seen;
	size_t nseen;
	uint64_t attached, failed;
};

/*
 * Sets f up for recorder o->name, session: comm and cgroup (a path as
 * capture --cgroup takes it) as given, either NULL. The recorder's
 * current targets count as attached. Returns 0, or -1 with why in err
 * (no cgroup v2, no such cgroup).
 */
int flight_follow_init(struct flight_follow *f, const struct cmd *c, struct capture_opts *o,
		       uint32_t session, const char *comm, const char *cgroup,
		       char *err, size_t errlen);

/*
 * One scan: attaches every process that matches and was not tried
 * before. Returns how many were attached, or -1 once the recorder no
 * longer runs (stopped, destroyed, the module unloaded): the caller's
 * loop ends.
 */
int flight_follow_tick(struct flight_follow *f);

void flight_follow_free(struct flight_follow *f);

#endif
