/* SPDX-License-Identifier: GPL-2.0 */
/*
 * godiagctl flight, in parts: the commands (flight.c), the triggers
 * (flight_trig.c: their parser, the module's table, the conditions on
 * the runtime the watcher evaluates), the watcher (flight_watch.c) and
 * the snapshot directory (flight_files.c: names and --keep).
 */
#ifndef GODIAGCTL_FLIGHT_H
#define GODIAGCTL_FLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/capture.h"

/* ---- triggers (flight_trig.c) ------------------------------------------ */

enum flight_trig_kind {
	FT_SYSCALL,		/* syscall>DUR, syscall:NAME>DUR: in the module */
	FT_BREAK,		/* break:SPEC: in the module */
	FT_GOROUTINES,		/* goroutines>N: the watcher */
	FT_BLOCKED,		/* blocked:REASON>DUR: the watcher */
	FT_GC_PAUSE,		/* gc-pause>DUR: the watcher */
};

struct flight_trigger {
	enum flight_trig_kind kind;
	const char *text;	/* as given */
	int nr;			/* FT_SYSCALL: the syscall, -1: any */
	uint64_t ns;		/* FT_SYSCALL, FT_BLOCKED, FT_GC_PAUSE: more than this */
	uint64_t count;		/* FT_GOROUTINES: more than this */
	char arg[GODIAG_BREAK_SPEC_MAX];	/* FT_BREAK: the spec; FT_BLOCKED: the reason */
};

/* Whether the module evaluates it (else the watcher polls the runtime). */
bool flight_trigger_in_kernel(const struct flight_trigger *t);

/*
 * Parses one --trigger COND. Returns 0, or -1 with one line in err
 * saying what is wrong.
 */
int flight_trigger_parse(const char *s, struct flight_trigger *t, char *err, size_t errlen);

/*
 * flight start: parses o->triggers (usage error on a bad one), adds a
 * --break for each break:SPEC no --break names, and --syscalls for a
 * syscall trigger. Sets *out (o->ntriggers of them; free() it).
 */
void flight_triggers_prepare(const struct cmd *c, struct capture_opts *o,
			     struct flight_trigger **out);

/*
 * capture_opts.before_start for flight start: the module's table of the
 * triggers (arg: struct flight_trigger[], o->ntriggers), set with the
 * cooldown and the texts before the recorder starts. Exits on failure.
 */
void flight_triggers_install(struct capture *c, void *arg);

/*
 * The watcher's part: the conditions on the Go runtime's state, read
 * from each of pids (rs_read(), as `godiagctl runtime` reads them); fire
 * is called once per trigger index that holds in any of them, say with
 * a line when a process cannot be read (once per process).
 */
struct flight_rt;
struct flight_rt *flight_rt_new(void);
void flight_rt_poll(struct flight_rt *rt, const uint32_t *pids, size_t npids,
		    const struct flight_trigger *t, size_t n,
		    void (*fire)(void *arg, unsigned int index), void *arg,
		    void (*say)(const char *msg));
void flight_rt_free(struct flight_rt *rt);

/* The texts the module keeps ("a\0b\0"), split: *n strings into v. */
size_t flight_texts_split(const char *texts, size_t len, const char **v, size_t max);

/* ---- the watcher (flight_watch.c) -------------------------------------- */

struct flight_watch_opts {
	const char *name;
	const char *snapshot_dir;	/* NULL: FLIGHT_SNAPSHOT_ROOT/NAME */
	uint32_t keep;
	uint64_t post_ns;
	bool foreground;
	bool fresh;		/* flight start: every trigger is the watcher's */
	/* The recorder's options when it follows (--comm, --cgroup), else NULL. */
	struct capture_opts *follow;
};

#define FLIGHT_SNAPSHOT_ROOT	"/var/lib/godiag"

/*
 * Runs the watcher of recorder o->name: in the background (this returns
 * once it listens, having printed its pid) or, with o->foreground, here
 * until the recorder is stopped. Returns the exit code.
 */
int flight_watch(const struct cmd *c, const struct flight_watch_opts *o);

/*
 * The recorder flight start removes if it fails before its watcher
 * runs; the watcher sets it NULL once it does.
 */
extern const char *flight_start_pending;

/* flight_snap.c: recorder NAME in a dump (SESSION_GET or STATS_GET), or exit. */
struct session_info;
struct session_list;
struct gdnl;
struct session_info *flight_find(const struct cmd *c, struct gdnl *nl, uint8_t cmd,
				 const char *name, struct session_list *l);

/*
 * flight_snap.c: the snapshot of recorder name into path,
 * as `flight snapshot NAME -o PATH` writes it, with the trigger that
 * caused it in its META (trigger NULL: none). Exits on failure.
 */
int flight_snapshot_write(const struct cmd *c, const char *name, const char *path,
			  const char *command_line, const char *trigger, uint64_t trigger_ns);

/* ---- the snapshot directory (flight_files.c) --------------------------- */

/*
 * A snapshot's file name: the trigger's UTC time to the millisecond,
 * the trigger's index and its text made safe for a file name, e.g.
 * "20261208T013045.123Z-t01-syscall_read_50ms.gdc". Names sort by time.
 */
void flight_snap_name(char *buf, size_t len, uint64_t realtime_ns, unsigned int index,
		      const char *text);

/* Whether name is one flight_snap_name() makes. */
bool flight_snap_is_ours(const char *name);

/*
 * Of names (n, any order), the ones to remove to keep the newest keep
 * of ours: sorts names (ours first, oldest first) and returns how many
 * of the first ones go. Names that are not ours are never chosen.
 */
size_t flight_keep_select(const char **names, size_t n, size_t keep);

/*
 * Removes the oldest snapshots of dir beyond keep. Returns how many
 * went, or -1 with errno when dir cannot be read.
 */
int flight_keep_apply(const char *dir, size_t keep);

/* Creates dir 0750 (and its missing parents 0755). 0 or -1 with errno. */
int flight_mkdir(const char *dir);

#endif
