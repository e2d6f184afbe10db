/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which binary each process of a flight recorder ran. A recorder that
 * follows a service keeps the records of processes that are gone (the
 * service restarted); a snapshot must still say what each one ran. The
 * module forgets a target when it exits, so flight start and its
 * follower note each process they attach in a small file,
 * FLIGHT_RUN_DIR/NAME.pids (GODIAG_RUN_DIR overrides the directory),
 * that flight snapshot reads and flight stop removes. Best effort: a
 * caller that cannot write there (no /run/godiag, no permission) only
 * loses the names of exited processes in snapshots.
 */
#ifndef GODIAGCTL_FLIGHT_PIDS_H
#define GODIAGCTL_FLIGHT_PIDS_H

#include <stddef.h>
#include <stdint.h>

#define FLIGHT_RUN_DIR		"/run/godiag/flight"
#define FLIGHT_PIDS_MAX		1024	/* processes noted per recorder */

struct flight_pid {
	uint32_t pid;
	char comm[64];
	char build_id[160];
	char go_version[64];
	char exe[4096];
};

/*
 * Notes process pid (now a target of recorder name, session id): its
 * comm, executable, build id and Go version. A file left by an earlier
 * recorder of that name (another session) is started afresh.
 */
void flight_pids_note(const char *name, uint32_t session, uint32_t pid);

/*
 * The processes noted for recorder name while it was session id, in the
 * order noted (*v xreallocarray'd, *n of them; none for another
 * session's file or none at all).
 */
void flight_pids_load(const char *name, uint32_t session, struct flight_pid **v, size_t *n);

/* The entry of pid in v, or NULL. */
const struct flight_pid *flight_pids_find(const struct flight_pid *v, size_t n, uint32_t pid);

/*
 * What a following recorder (--comm, --cgroup) follows, for flight
 * daemon: flight start's options (after its --config's), one a line
 * after a "session ID" line, in FLIGHT_RUN_DIR/NAME.args.
 */
#define FLIGHT_ARGS_MAX		4096	/* options read back */

/* The file of recorder name (a static buffer). */
const char *flight_pids_args_path(const char *name);

/* Writes argv (argc of them) for recorder name, session; warns when it cannot. */
void flight_pids_save_args(const char *name, uint32_t session, int argc, char *const *argv);

/*
 * The options saved for recorder name while it was session: *argv is
 * "start" and them, NULL-ended, *argc of them (free with
 * flight_pids_free_args()). Returns 0, or -1 when there are none.
 */
int flight_pids_load_args(const char *name, uint32_t session, int *argc, char ***argv);
void flight_pids_free_args(char **argv);

/* Removes the files of recorder name (flight stop). */
void flight_pids_remove(const char *name);

#endif
