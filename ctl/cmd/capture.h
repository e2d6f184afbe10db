/* SPDX-License-Identifier: GPL-2.0 */
/*
 * godiagctl capture, a pipeline: options (capture_opts.c); set up and
 * attach the sources (capture.c, which starts the command of child.c);
 * the event loop (capture_loop.c); the end sequence (capture_end.c).
 * What is not the module's own syscall tracing is a source behind
 * struct capture_source (capture_go.c: --goroutines). Every part may
 * use capture_core.c and nothing calls back up: capture.c -> loop, end,
 * sources -> core.
 */
#ifndef GODIAGCTL_CAPTURE_H
#define GODIAGCTL_CAPTURE_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "base/hmap.h"
#include "base/outfile.h"
#include "base/syscalls.h"
#include "capfile/capfile.h"
#include "cmd/cmd.h"
#include "module/nl.h"
#include "module/ringread.h"
#include "module/status.h"

#define CAPTURE_BREAKS_MAX	16	/* --break specs */

struct capture;

/* One --break SPEC and the options that follow it (before the next). */
struct capture_bspec {
	const char *spec;
	const char **argtypes;	/* --arg N:TYPE */
	size_t nargtypes;
	const char **fields;	/* --field PATH */
	size_t nfields;
	uint32_t strlen;	/* --strlen, 0: GODIAG_BREAK_STRLEN_DEFAULT */
	uint32_t slice_elems;	/* --slice-elems N */
	uint8_t stack;		/* --stack N frames, 0: none */
	bool latency;		/* --latency: probes on the RETs too */
	const char *cond;	/* --if 'ARG OP VALUE', or NULL */
	uint32_t every;		/* --every N, 0 or 1: every hit */
	uint32_t max_rate;	/* --max-rate N/s, 0: no limit */
	uint8_t gc;		/* a probe of --gc: CAPTURE_GC_STOP or _START */
};

/* The two breakpoints --gc adds (after the user's), and their specs. */
#define CAPTURE_GC_STOP		1
#define CAPTURE_GC_START	2
#define CAPTURE_GC_STOP_FUNC	"runtime.stopTheWorldWithSema"
#define CAPTURE_GC_START_FUNC	"runtime.startTheWorldWithSema"

struct capture_opts {
	uint32_t *pids;
	size_t npids;
	size_t npids_given;	/* the first, from -p; the rest from the group */
	const char *cgroup;	/* --cgroup PATH, or NULL */
	const char *container;	/* --container ID, or NULL */
	bool follow;
	bool syscalls;
	bool goroutines;
	bool gc;		/* --gc: GC cycles and stop-the-world pauses */
	bool has_mask;
	uint32_t mask[SYSCALL_MASK_WORDS];
	bool has_min;
	uint64_t min_ns;
	uint64_t duration_ns;	/* 0: until the targets exit */
	uint32_t buffer;	/* bytes per CPU, a power of two */
	uint8_t mode;		/* GODIAG_MODE_* */
	uint32_t max_lifetime_ms;	/* --max-duration; 0: none asked */
	bool strict;		/* exit EXIT_UNCLEAN when the run was not clean */
	bool compress;		/* --compress: sections compressed with zstd */
	bool json;		/* --json: the end's figures on stdout */
	bool buffer_given;	/* --buffer, else capture_default_buffer() */
	/* Breakpoints (capture_break.c): each --break and its options. */
	struct capture_bspec *breaks;
	size_t nbreaks;
	const char *output;
	/* flight start (flight.c): a named recorder, not owned by this process. */
	const char *name;
	uint32_t window_ms;	/* --window, 0: the whole buffer */
	const char **triggers;	/* --trigger COND, as given */
	size_t ntriggers;
	uint32_t cooldown_ms;	/* --cooldown */
	uint32_t post_ms;	/* --post */
	const char *snapshot_dir;	/* --snapshot-dir, NULL: the default */
	uint32_t keep;		/* --keep */
	bool foreground;	/* --foreground: the watcher stays attached */
	/* capture_recorder_start(): called before the recorder starts. */
	void (*before_start)(struct capture *c, void *arg);
	void *before_start_arg;
	const char *comm;	/* --comm NAME: follow the processes of that name */
	const char *follow_cgroup;	/* flight's --cgroup PATH: follow its processes */
	bool persistent;	/* --comm, --cgroup: records on when its targets exit */
	char **command;		/* NULL, or the argv of the command to start */
	char *command_line;	/* the whole godiagctl invocation, for META */
};

/* Parses and checks everything; usage errors exit 1. */
void capture_parse_opts(const struct cmd *c, int argc, char **argv,
			struct capture_opts *o);
void capture_free_opts(struct capture_opts *o);

/*
 * flight start's options: capture's -p, -f, --syscalls, --goroutines,
 * --syscall, --syscall-min, --break with its options and --gc, and
 * flight's own (--size for --buffer, --window, --trigger and the
 * watcher's, --comm and --cgroup to follow, --config read before).
 * check, if not NULL, says why a value is refused (flight_opt_check(),
 * as config files' are). Usage
 * errors exit 1; the operands are left at optind. Then
 * capture_check_recorder(), once the name operand is checked.
 */
extern const struct option capture_recorder_longopts[];
void capture_parse_recorder_opts(const struct cmd *c, int argc, char **argv,
				 struct capture_opts *o,
				 const char *(*check)(const char *key, const char *value));
void capture_check_recorder(const struct cmd *c, struct capture_opts *o);
#define CAPTURE_RECORDER_SIZE_DEFAULT	(4U << 20)
#define CAPTURE_TRIGGERS_MAX		16
#define CAPTURE_COOLDOWN_DEFAULT_MS	60000U
#define CAPTURE_POST_DEFAULT_MS		2000U
#define CAPTURE_POST_MAX_MS		600000U
#define CAPTURE_KEEP_DEFAULT		20U
#define CAPTURE_KEEP_MAX		100000U

/* The GODIAG_EV_* mask the options ask for. */
uint32_t capture_events(const struct capture_opts *o);

/*
 * A buffer size the module takes: rounded up to a power of two. Returns
 * NULL, or why bytes is out of range (GODIAG_BUFFER_MIN..MAX).
 */
const char *capture_buffer_size(uint64_t bytes, uint32_t *size);

/*
 * The per-CPU buffer when --buffer is not given: from the events asked
 * for (GODIAG_EV_*), the online and possible CPUs and the RAM in bytes
 * (0: unknown); see capture_opts.c. A power of two the module takes.
 */
#define CAPTURE_BUFFER_UNIT		(2U << 20)
#define CAPTURE_BUFFER_TOTAL_MAX	(256ULL << 20)
uint32_t capture_default_buffer(uint32_t events, unsigned long online,
				unsigned long possible, uint64_t ram);

/*
 * --max-duration: "0" or "none" for no limit (the host's cap still
 * applies), else a duration from 1 ms to GODIAG_LIFETIME_MAX_MS, rounded
 * up to whole ms. Returns NULL, or why s is refused.
 */
const char *capture_max_duration(const char *s, uint32_t *ms);
#define CAPTURE_MAX_DURATION_DEFAULT_MS	(3600U * 1000)
/* The zstd level of --compress (docs/PERFORMANCE.md, "Compressed capture files"). */
#define CAPTURE_ZSTD_LEVEL	3
/* A lifetime as --max-duration takes it: 1h, 90s, 1500ms, none. */
void capture_format_ms(uint32_t ms, char *buf, size_t len);

/* argv as one line a shell would read back: "ls -l 'a b'". */
void capture_join_args(char *const *argv, char *buf, size_t len);

/* The command capture starts: it waits on a pipe until released. */
struct child {
	pid_t pid;		/* 0: none */
	int go_fd;		/* write end; a byte lets it exec, EOF kills it */
	int exec_fd;		/* read end; EOF means exec succeeded */
	bool stop_at_exec;	/* ptrace-stop it right after exec */
	bool stopped;		/* stopped there, until child_resume() */
	bool exited;		/* reaped */
	int status;		/* its wait status, once reaped */
};

/*
 * Forks the command, which restores orig_mask and execs only when
 * released (and with stop_at_exec, stops right after its exec). Returns
 * 0, or -1 with errno.
 */
int child_spawn(struct child *ch, char *const *argv, const sigset_t *orig_mask,
		bool stop_at_exec);

/*
 * Lets it exec. Returns 0, or the errno of a failed exec. With
 * stop_at_exec, returns once the new program is loaded and stopped
 * before its first instruction (or has exited: then ch->exited is set).
 */
int child_release(struct child *ch);

/* Lets a child stopped at exec run on. Returns 0, or -1 with errno. */
int child_resume(struct child *ch);

/*
 * Lets a child stopped at exec run on to its next exec, where it stops
 * again. Returns 0, or -1 with errno. Then child_poll_exec(), which does
 * not block: 1 once it stopped there (ch->stopped) or exited
 * (ch->exited), 0 while it runs on, -1 with errno. Signals it gets
 * meanwhile are delivered.
 */
int child_next_exec(struct child *ch);
int child_poll_exec(struct child *ch);

/* Reaps it if it exited; true when it has (now or before). */
bool child_reap(struct child *ch);

/* After the capture: SIGTERM if still running, SIGKILL after 2 s, reap. */
void child_finish(struct child *ch);

enum stop_reason {
	STOP_NONE,
	STOP_TARGETS,		/* every -p target exited */
	STOP_COMMAND,		/* the command's target exited */
	STOP_DURATION,
	STOP_SIGNAL,
	STOP_SESSION,		/* someone else stopped or destroyed the session */
	STOP_EXPIRED,		/* the module stopped it at its maximum lifetime */
	STOP_WRITE,		/* the file cannot be written */
};

struct capture_target {
	uint32_t pid;
	bool exited;
	bool is_command;
	char comm[64];
};

/* capture_status.c: what the capture says while it runs. */
struct capture_status {
	bool tty;		/* stderr is a terminal: talk */
	bool live;		/* and it can rewrite a line no command shares */
	bool shown;		/* a status line is on the screen */
	uint64_t next_ms;	/* when the status line is due (CLOCK_MONOTONIC) */
	uint64_t last_ms, last_records;	/* at the last status line */
	uint64_t bytes;		/* bytes of records read, LOST markers excluded */
	struct hmap goids;	/* (goid, tgid) seen, as report counts them */
};

/* What the end sums up, for the summary and --json. */
struct capture_totals {
	uint64_t records;
	uint64_t lost;
	uint64_t written;	/* the module's; records + lost without it */
	bool kernel;		/* the module's counters were read */
};

struct capture {
	const struct cmd *c;
	struct capture_opts *o;
	struct gdnl *nl;
	struct gdnl *notify;	/* NULL: poll the targets instead */
	struct godiag_status st;
	uint32_t session;
	uint32_t lifetime_ms;	/* what the module gave it; 0: none */
	bool session_gone;

	int dev;		/* /dev/godiag, bound to the session */
	struct ring *rings;	/* one per possible CPU */
	size_t nrings;

	struct outfile out;	/* out.fd -1 until the file exists */
	struct capw w;
	struct capture_target *targets;
	size_t ntargets;
	struct child child;

	int sig_fd;		/* signalfd: SIGINT, SIGTERM, SIGHUP, SIGCHLD */
	int timer_fd;		/* --duration, or -1 */
	enum stop_reason reason;
	int signo;
	bool command_status_known;	/* the command exited by itself */
	int command_status;		/* then its wait status */

	struct hmap procs;	/* tgids seen in records */
	struct capture_status status;
	struct capture_src *srcs;	/* the sources the options ask for */
	size_t nsrcs;
	uint64_t start_mono, start_real;
	uint64_t end_mono, end_real;
};

/*
 * A source of what a capture records beside the module's syscall
 * records: it checks each target before anything is set up, sets it up
 * once the module traces it, sees every record read, and writes its
 * sections before END. Breakpoints and flight recording plug in here.
 * data is the source's own, data_size bytes zeroed at the start.
 */
struct capture_source {
	const char *name;
	size_t data_size;
	/* Whether the options ask for it. */
	bool (*wanted)(const struct capture_opts *o);
	/*
	 * Before anything is set up for -p PIDs, and after each exec of the
	 * command: 0 when PID runs what the source traces; else one line in
	 * err and CAPTURE_SOURCE_OTHER_PROGRAM when it runs some other
	 * program (a command's wrapper: capture follows it to its next
	 * exec), or -1.
	 */
	int (*inspect)(struct capture *c, void *data, uint32_t pid, char *err,
		       size_t errlen);
	/* PID, inspected, is a target of the session now: set it up. */
	void (*attach)(struct capture *c, void *data, uint32_t pid);
	/*
	 * PID, inspected, is a target of a session set up before (a flight
	 * recorder's snapshot): learn what write needs, place nothing. NULL:
	 * the source has nothing to write for such a session.
	 */
	void (*observe)(struct capture *c, void *data, uint32_t pid);
	/* Every record read, in each CPU's order (may be NULL). */
	void (*record)(void *data, const struct godiag_rec *rec, size_t len);
	/* Its sections, before STATS and END. */
	void (*write)(struct capture *c, void *data);
	void (*free)(void *data);
};

#define CAPTURE_SOURCE_OTHER_PROGRAM	1

struct capture_src {
	const struct capture_source *ops;
	void *data;
};

/* capture_go.c: goroutine probes (--goroutines). */
extern const struct capture_source capture_go_source;
/* capture_break.c: breakpoints (--break). */
extern const struct capture_source capture_break_source;

/*
 * The ids of the probes --break bi placed (entries, not RETs), at most
 * max of them; how many. For a recorder's break:SPEC triggers.
 */
size_t capture_break_probes(const struct capture *c, size_t bi, uint32_t *ids, size_t max);

/* capture_core.c: setup failures remove the file's temporary, then exit. */
__attribute__((noreturn))
void capture_setup_failed(struct capture *c, int err);
__attribute__((noreturn, format(printf, 3, 4)))
void capture_die(struct capture *c, int code, const char *fmt, ...);
/*
 * The output file: its temporary, removed by any exit before
 * capture_output_done(); c->w writes it.
 */
void capture_output_open(struct capture *c);
/*
 * The file is written (err 0) or failed with errno err: put it in place
 * as FILE, or remove its temporary. Returns EXIT_OK or EXIT_OPFAIL.
 */
int capture_output_done(struct capture *c, int err);
uint64_t capture_now_ns(clockid_t clock);

/*
 * /proc/PID/mem opened read-only by this process (-1 and *err = errno
 * when the kernel refuses: no ptrace access): the module's proof, for a
 * caller without CAP_SYS_ADMIN, that it may trace PID. Close it after
 * the request.
 */
int capture_mem_open(uint32_t pid, int *err);
void capture_put_mem_fd(struct nl_msg *msg, int fd);
/* A request about PID failed; a refusal (EPERM) says why the fd was missing. */
__attribute__((noreturn))
void capture_pid_failed(struct capture *c, uint32_t pid, int mem_err, int err);

/*
 * capture_end.c: the end sequence, and the file renamed into place;
 * returns the exit code.
 */
int capture_finish(struct capture *c);

/*
 * auditlog.c: a JSON line in godiagctl's audit log (event
 * "capture-start", reason NULL; or "capture-stop" with why it ended and
 * what it recorded). Never fails: it says once on stderr that it could not.
 */
void auditlog_capture(const struct capture *c, const char *event,
		      const char *reason, uint64_t records, uint64_t lost);

/*
 * capture_status.c. init before setup; attached once the targets are
 * traced; record for every record read; tick in the loop, which polls
 * no longer than timeout says; clear before anything else is printed at
 * the end; summary after the one-line summary (terminal only); json on
 * stdout with --json.
 */
void capture_status_init(struct capture *c);
void capture_status_attached(struct capture *c);
void capture_status_record(struct capture *c, const struct godiag_rec *rec,
			   size_t len);
int capture_status_timeout(const struct capture *c, int timeout);
void capture_status_tick(struct capture *c);
void capture_status_clear(struct capture *c);
void capture_status_summary(const struct capture *c, const struct capture_totals *t);
void capture_status_json(const struct capture *c, const struct capture_totals *t,
			 const char *reason);
void capture_status_free(struct capture *c);

/*
 * capture.c, for flight start: the session set up as a capture's (its
 * targets checked, goroutine probes placed), named o->name, not owned,
 * and started; nothing reads it. Exits on failure, leaving no session.
 * Returns the session's id.
 */
uint32_t capture_recorder_start(const struct cmd *cmd, struct capture_opts *o);

/*
 * capture.c, for flight start's following (flight_follow.c): PID becomes
 * a target of the running recorder session, checked and set up as a
 * capture's target (with --goroutines: its Go binary read, the probes
 * placed). Exits on failure: 1 when PID is gone or not what the options
 * trace, as capture does; a target added before the failure is left to
 * the caller.
 */
void capture_recorder_add(const struct cmd *cmd, struct capture_opts *o, uint32_t session,
			  uint32_t pid);

/*
 * capture.c, for flight snapshot: the sources c->o asks for, each told
 * of the targets in c->o->pids that still run (observe); their record
 * and write hooks then work as in a capture. capture_sources_free()
 * after.
 */
void capture_sources_observe(struct capture *c);
void capture_sources_free(struct capture *c);

/*
 * capture.c: the META lines that say where a capture file came from
 * (tool, versions, kernel, host, session), first in every capture and
 * flight snapshot.
 */
void capture_meta_origin(const struct capture *c, uint32_t session, char **text,
			 size_t *len);

/*
 * capture.c, for top: c->o's session set up as a capture's (targets
 * checked, owned, goroutine probes and breakpoints placed, every CPU's
 * buffer mapped) and started, with no file; c->c, c->o and c->dev -1
 * set before. Exits on failure. capture_live_stop() frees it (the
 * module destroys an owned session when its socket closes).
 */
void capture_live_start(struct capture *c);
void capture_live_stop(struct capture *c);
/* The data of the source ops, or NULL when the options did not ask for it. */
void *capture_source_data(const struct capture *c, const struct capture_source *ops);
/*
 * capture_go.c, on its data: the function a goroutine of pid starting at
 * pc runs (a go statement's wrapper resolved) and whether it is one of
 * the runtime's, and the runtime's string for a wait reason; NULL when
 * unknown.
 */
const char *capture_go_start_name(void *data, uint32_t pid, uint64_t pc, bool *system);
const char *capture_go_reason_name(void *data, uint32_t pid, uint32_t reason);
/* capture_break.c, on its data: the --break index of probe id, or -1. */
int capture_break_of_probe(const void *data, uint32_t id);

/* capture_loop.c: runs until c->reason is set. */
void capture_loop(struct capture *c);
void capture_drain(struct capture *c);
void capture_target_exited(struct capture *c, uint32_t pid, bool known,
			   uint32_t status);

#endif
