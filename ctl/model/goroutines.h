/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The goroutines of a live Go process, read from outside without
 * stopping it: the runtime's list (runtime.allglen, allgptr) and each g
 * in it, read through /proc/PID/mem (which needs ptrace access to the
 * process, as perf needs to read another process's memory). No printing
 * here: cmd/goroutines.c shows what this reads.
 *
 * The process runs on while it is read. What a dump gives:
 *   - each goroutine is one copy of its g (one read), validated: a state
 *     in range, a goid in range, stack bounds that are a mapped range,
 *     saved registers inside them; a g that fails is skipped and counted;
 *   - its stack is walked along the frame pointers from the registers the
 *     runtime saved when it last stopped running it (g.sched), each frame
 *     pointer inside the goroutine's stack and above the one before, at
 *     most GR_DEPTH_MAX frames; then the g is read again, and a goroutine
 *     whose state, goid or saved registers changed meanwhile is read once
 *     more, then skipped (counted) if it changed again;
 *   - allglen is read again after the walk: a list that grew meanwhile
 *     is reported (the goroutines created after the first read are not
 *     in the dump).
 * A goroutine running on a thread right now has no saved registers that
 * hold: it is listed without a stack.
 */
#ifndef GODIAGCTL_GOROUTINES_H
#define GODIAGCTL_GOROUTINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/hmap.h"
#include "gobin/gobin.h"
#include "gobin/goruntime.h"

#define GR_DEPTH_MAX	100
/* More than this many g's in allgs is not believed. */
#define GR_ALLGLEN_MAX	(16U << 20)

struct gr_frame {
	const char *func;	/* NULL: no function at this PC */
	const char *file;	/* NULL: unknown */
	uint32_t line;
	uint64_t pc;		/* in the process */
	uint64_t off;		/* pc - the function's entry */
	bool inlined;
};

struct gr_goroutine {
	uint64_t id;
	uint64_t parent_id;	/* 0: unknown (go1.20 and before) */
	uint32_t status;	/* GORT_G_*, without the scan bit */
	const char *reason;	/* the wait reason (waiting), else NULL */
	bool wait_known;	/* a GC has seen it blocked (g.waitsince != 0) */
	uint64_t wait_ns;
	const char *start;	/* its start function, wrappers resolved */
	const char *creator;	/* the function of its go statement, NULL: none */
	const char *creator_file;
	uint32_t creator_line;
	uint64_t creator_off;
	bool system;		/* one of the runtime's */
	struct gr_frame *frames;
	size_t nframes;
	bool truncated;		/* more frames than GR_DEPTH_MAX, or the walk stopped early */
	const char *why_no_stack;	/* NULL, or why it has none */
	size_t group;		/* index in gr_dump.groups */
};

struct gr_group {
	size_t count;
	uint32_t status;
	const char *reason;
	size_t first;		/* a member, index in gr_dump.g */
};

struct gr_filter {
	int state;		/* GORT_G_*, -1: any */
	const char *reason;	/* exact reason, NULL: any */
	uint64_t min_wait_ns;	/* 0: any */
	bool system;		/* show the runtime's goroutines too */
	bool no_stacks;		/* read states only, walk no stack */
};

/* The process as read: its memory (/proc/PID/mem), its readable mappings. */
struct gr_range {
	uint64_t start, end;
	bool exec;
};

struct gr_mem {
	int fd;			/* -1: not open */
	struct gr_range *maps;
	size_t nmaps;
};

/* What a start PC or a go statement's PC names, worked out once per PC. */
struct gr_pcname {
	const char *func;	/* the start function (wrappers resolved), or the creator */
	const char *file;	/* the creator's */
	uint32_t line;
	uint64_t off;		/* gopc - the creator's entry */
	bool system;		/* a start PC of one of the runtime's goroutines */
};

struct gr_dump {
	pid_t pid;
	char go_version[32];
	char exe[4096];		/* /proc/PID/exe, what is read */
	char path[4096];	/* the file it names, "" when unreadable */
	uint64_t bias;		/* load bias of the binary */
	uint64_t listed;	/* allglen when first read */
	uint64_t listed_after;	/* allglen read again after the walk */
	bool changed;		/* the list changed while it was read */
	size_t dead;		/* g's of the list that are free (dead) */
	size_t skipped;		/* g's that did not validate or kept changing */
	size_t hidden_system;	/* the runtime's, not shown */
	size_t filtered;	/* left out by the filter */
	size_t total;		/* live goroutines read (shown, hidden, filtered) */
	struct gr_goroutine *g;	/* shown, by id */
	size_t n;
	struct gr_group *groups;	/* by count, then first id */
	size_t ngroups;
	struct gobin bin;
	struct gort rt;
	struct gr_mem mem;	/* open between gr_attach() and gr_free() */
	/*
	 * The names of start PCs (key: pc, 0) and go statements (pc, 1):
	 * goroutines share a few, and naming a start disassembles a wrapper.
	 */
	struct hmap name_idx;
	struct gr_pcname *names;
	size_t nnames;
};

/* The errors of gr_read, for the exit code and the message. */
enum gr_error {
	GR_OK,
	GR_ENOPROC,	/* no such process */
	GR_EPERM,	/* /proc/PID/mem refused: no ptrace access */
	GR_ENOTGO,	/* not a Go program */
	GR_EUNSUPPORTED,	/* a Go this cannot read */
	GR_EFAIL,	/* anything else */
};

/* godiagctl's exit status for e (base/util.h): no process or not Go 1, EPERM 4. */
int gr_exit_code(enum gr_error e);

/*
 * Reads the goroutines of pid, keeps those f lets through, groups them.
 * Returns GR_OK, or an error with one line in err. gr_free() in both cases.
 */
enum gr_error gr_read(pid_t pid, const struct gr_filter *f, struct gr_dump *d,
		      char *err, size_t errlen);
void gr_free(struct gr_dump *d);

/*
 * The same in steps, for a reader that reads a process again and again
 * (godiagctl runtime --watch): gr_attach() opens the process and its
 * binary and establishes the facts once (GR_OK, or an error with one
 * line in err); gr_walk() reads the goroutines, as gr_read() does, each
 * time it is called; gr_peek() reads len bytes at addr of the process's
 * memory (a readable mapping of the last walk) between them. gr_free()
 * ends it, whatever was returned.
 */
enum gr_error gr_attach(pid_t pid, struct gr_dump *d, char *err, size_t errlen);
enum gr_error gr_walk(struct gr_dump *d, const struct gr_filter *f, char *err, size_t errlen);
bool gr_peek(const struct gr_dump *d, uint64_t addr, void *buf, size_t len);

/* Whether process pid has exited (gone, or a zombie). */
bool gr_gone(pid_t pid);

/* Whether two goroutines fall into one group: state, reason, stack. */
bool gr_same_group(const struct gr_goroutine *a, const struct gr_goroutine *b);

#endif
