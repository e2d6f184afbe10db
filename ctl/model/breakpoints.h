/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Breakpoints in a capture file (breakpoints.c): per --break, the hits
 * and the module's counters, the most frequent value of each argument,
 * the most frequent stacks and goroutines, and the latency of each call,
 * pairing every entry with the next RET on the same goroutine (not the
 * same thread: a goroutine that blocks in the function may return on
 * another one). Records are paired in time order, whatever CPU buffer
 * they came from. An entry left without its RET (a panic, runtime.Goexit,
 * or a call still running at the end) is counted as unmatched. No
 * printing: cmd/report_break.c prints it.
 */
#ifndef GODIAGCTL_BREAKPOINTS_H
#define GODIAGCTL_BREAKPOINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hmap.h"
#include "godiag_abi.h"
#include "model/gcstats.h"

/* How many values, stacks and goroutines the report lists per breakpoint. */
#define BP_TOP	10

/* The longest value text bp_format_value() writes, with its NUL. */
#define BP_VALUE_MAX	8192

/* A distinct text (an argument's value, a stack) and how often it came. */
struct bp_value {
	char *text;		/* a stack: frames separated by '\n' */
	uint64_t count;
};

struct bp_counts {
	struct bp_value *v;	/* sorted by count, then text, after bp_finish() */
	size_t n, cap;
	struct hmap map;	/* (hash, length) -> index + 1 of a first holder */
};

struct bp_arg {
	char *name;
	char *type;		/* Go's name, "int", "*main.Request" */
	char kind[8];		/* int uint bool float ptr string slice iface */
	uint32_t word;		/* its first word in a record */
	uint8_t size;
	/* A slice whose first elements the record copies: their kind and size. */
	char elem_kind[8];	/* "" when none */
	uint8_t elem_size;
	struct bp_counts values;
};

struct bp_goid {
	uint64_t goid;
	uint64_t count;
};

struct bp_row {
	uint32_t index;		/* of the --break */
	bool gc;		/* one of --gc's (GC_SPEC_*): its hits go to gcstats */
	char *spec;
	char *function;
	uint64_t sites, rets, inlined_unprobed;
	/* The module's counters, summed over its entry probes. */
	uint64_t hits, filtered, sampled_out, rate_limited, faults;
	uint64_t recorded;	/* entry records in the file */
	uint64_t returns;	/* RET records in the file */
	uint64_t fault_records;	/* records with a word that could not be read */
	struct bp_arg *args;
	size_t nargs;
	struct bp_counts stacks;
	struct bp_goid *goids;	/* sorted by count after bp_finish() */
	size_t ngoids;
	struct hmap goid_map;
	/* Latency, after bp_finish(). */
	bool latency;		/* it has RET probes */
	uint64_t *durs;
	size_t ndurs, cap;
	uint64_t p50_ns, p90_ns, p99_ns, max_ns;
	uint64_t unmatched;	/* entries without a RET */
	uint64_t unpaired;	/* RETs without an entry (entered before the start) */
};

/* One entry or RET, kept until bp_finish() pairs them in time order. */
struct bp_event {
	uint64_t ts;
	uint64_t goid;
	uint32_t row;
	uint32_t pid;
	bool is_ret;
};

struct bp_probe_map {
	uint32_t id;
	uint32_t row;
	bool is_ret;
};

struct bp_sym {
	uint32_t pid;
	uint64_t pc;
	char *func;
};

struct breakpoints {
	struct bp_row *rows;	/* in --break order */
	size_t nrows;
	struct bp_probe_map *probes;
	size_t nprobes;
	struct bp_sym *syms;	/* sorted by pid, pc at bp_finish() */
	size_t nsyms;
	/* Interfaces' dynamic types: pc is the *_type word, func its name. */
	struct bp_sym *types;	/* sorted by pid, pc at bp_finish() */
	size_t ntypes;
	/* Records come before or after BREAKS: kept until bp_finish(). */
	struct godiag_rec **recs;
	size_t nrecs, caprecs;
	struct bp_event *events;
	size_t nevents, capevents;
	uint64_t bad_records;	/* records whose parts did not fit */
	/* The hits of --gc's breakpoints; gc_finish() is the caller's. */
	struct gcstats gc;
};

/* One line of the BREAKS section. Unknown or malformed lines are skipped. */
void bp_line(struct breakpoints *b, const char *line);
/* A record of the capture (any type; others are ignored). */
void bp_record(struct breakpoints *b, const struct godiag_rec *rec, size_t len);
/* After the whole file: aggregate, pair, sort. */
void bp_finish(struct breakpoints *b);
bool bp_present(const struct breakpoints *b);
void bp_free(struct breakpoints *b);

/*
 * A BREAKPOINT record as the report reads it: the --break it hit, or NULL
 * when the record is no hit of a probe the BREAKS section names (or its
 * parts do not fit); *is_ret, whether at a RET probe; for an entry, each
 * argument's value as the report counts it (bp_format_value()), given to
 * fn in the row's order; then each frame of its stack as the report names
 * it (the function of the return address, else "0x%llx"), innermost
 * first, to frame_fn. fn and frame_fn may be NULL.
 */
typedef void bp_arg_fn(const struct bp_arg *a, size_t i, const char *value, void *arg);
typedef void bp_frame_fn(const char *frame, size_t i, void *arg);
const struct bp_row *bp_hit(const struct breakpoints *b, const struct godiag_rec *rec,
			    size_t len, bool *is_ret, bp_arg_fn *fn, bp_frame_fn *frame_fn,
			    void *arg);

/*
 * A row's value text for argument a of a record's words (for tests too).
 * An interface is its dynamic type: type_name, the name of its first word
 * (a *_type) from the BREAKS section's T lines; "nil" when that word is
 * 0; the word in hex when type_name is NULL (a file without T lines).
 * str, copied, len, str_fault: the copy of a string or slice word (its
 * godiag_rec_str), str NULL when the record has none. A slice is
 * "len=N cap=M", then its copied elements as Go's %v prints them:
 * " [1 2 3]", " [a bb ...]" when it has more, " [(fault)]".
 */
void bp_format_value(const struct bp_arg *a, const uint64_t *words, size_t nwords,
		     uint32_t fault_mask, const char *str, size_t copied, uint64_t len,
		     bool str_fault, const char *type_name, char *buf, size_t buflen);

#endif
