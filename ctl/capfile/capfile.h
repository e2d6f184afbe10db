/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capture file written by 'godiagctl capture' and read by 'report'.
 *
 * Layout (all integers little-endian, the byte order of the x86-64 hosts
 * godiag runs on; records are stored exactly as the module produced them):
 *
 *	struct capfile_header		"GODIAGCF", format version, ...
 *	section*			struct capfile_section + payload
 *
 * Every section is { u32 type; u32 flags; u64 length; payload[length] }
 * followed by zero padding to a multiple of 8, so every section and every
 * record starts 8-byte aligned in the file. A reader skips section types
 * it does not know, unless the section has CAPFILE_SF_REQUIRED. The last
 * section is END: a file without it was not finished (the tool was
 * killed, the disk filled, or it was copied while being written) and is
 * reported as incomplete. Nothing may follow END.
 *
 * A cut file: where the data ends inside a section (or its padding, or a
 * section header), everything whole before that point is read: every
 * complete section, and the complete records of a RECORDS section that
 * was cut (records are appended whole, so the cut lies between two
 * records or inside the last one). The reader says where the data ended
 * (capfile_info.cut_at, cut_section) instead of failing; only content
 * that is wrong, rather than missing, is an error.
 *
 * Sections:
 *   META     "key=value\n" lines of UTF-8 (keys [a-z0-9_]+; values have no
 *            newline): what, where, when and how the capture ran.
 *   TARGETS  entries { u32 pid; u32 flags (GODIAG_TF_*); u32 comm_len;
 *            u32 exe_len; comm; exe; zero padding to 8 }, read from /proc
 *            when the capture started.
 *   RECORDS  whole godiag records (struct godiag_rec and payload, size a
 *            multiple of 8, 32..GODIAG_REC_SIZE_MAX bytes), as drained;
 *            many such sections. PAD records are never stored; LOST
 *            markers and types this tool does not know are.
 *   NOTE     one line of UTF-8 for people ("target 123 exited with status 0").
 *   STATS    struct capfile_stats_head, then nr_cpus entries of entry_size
 *            bytes each, starting with struct capfile_cpu_stats.
 *   END      struct capfile_end: when the capture ended, and how many
 *            records the file holds (a cross-check for the reader).
 *   GOINFO   one per Go target: struct capfile_goinfo, then strings_len
 *            bytes holding nreasons NUL-terminated strings, the names of
 *            the runtime's waitReason values 0..nreasons-1 in order.
 *   SYMS     one per Go target: struct capfile_syms_head, then count
 *            struct capfile_sym (sorted by pc, unique), then strings_len
 *            bytes of NUL-terminated strings the entries point into. It
 *            names the PCs that goroutine records carry, as the process
 *            saw them (PIE load bias applied). An entry whose pc starts
 *            a go statement's wrapper also names the function the wrapper
 *            calls (start_off), the name Go gives such goroutines.
 *   BREAKS   UTF-8 text, tab-separated lines, what breakpoints read
 *            (docs/FORMAT.md): B (a --break of a target), A (one of its
 *            arguments), S (a stack PC's name), P (a probe and the
 *            module's counters). Readers skip line kinds they do not know.
 *   ZSTD     another section, compressed (capture --compress): the inner
 *            section's header (struct capfile_section: its type, flags and
 *            payload length), then one zstd frame whose content is that
 *            payload (with its content size; the writer adds a checksum). Written with CAPFILE_SF_REQUIRED, so a reader that
 *            cannot decompress refuses the file rather than miss what it
 *            holds. Never END, never another ZSTD; the payload is at most
 *            CAPFILE_ZSTD_MAX bytes. A ZSTD section cut short delivers
 *            nothing (the records of a plain RECORDS section cut short
 *            are delivered up to the cut); the writer closes a section at
 *            every flush, so a compressed file loses what one flush holds.
 *
 * The reader works on a memory buffer and trusts nothing in it: every
 * length is checked against what is left before it is used, so a corrupt
 * or truncated file yields a one-line error, never a crash.
 */
#ifndef GODIAGCTL_CAPFILE_H
#define GODIAGCTL_CAPFILE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "godiag_abi.h"

#define CAPFILE_MAGIC		"GODIAGCF"
#define CAPFILE_MAGIC_LEN	8
#define CAPFILE_VERSION		1
#define CAPFILE_ALIGN		8

struct capfile_header {
	char magic[CAPFILE_MAGIC_LEN];
	uint32_t version;	/* CAPFILE_VERSION; readers refuse others */
	uint32_t header_size;	/* bytes before the first section; >= 24 */
	uint32_t abi_version;	/* GODIAG_ABI_VERSION of the records */
	uint32_t flags;		/* none defined yet; readers ignore them */
};

enum capfile_section_type {
	CAPFILE_SEC_META = 1,
	CAPFILE_SEC_TARGETS,
	CAPFILE_SEC_RECORDS,
	CAPFILE_SEC_NOTE,
	CAPFILE_SEC_STATS,
	CAPFILE_SEC_END,
	CAPFILE_SEC_GOINFO,
	CAPFILE_SEC_SYMS,
	CAPFILE_SEC_BREAKS,
	CAPFILE_SEC_ZSTD,
};

/* The largest payload a ZSTD section may decompress to. */
#define CAPFILE_ZSTD_MAX	(64U << 20)

/* A reader that does not know this section's type must refuse the file. */
#define CAPFILE_SF_REQUIRED	(1U << 0)

struct capfile_section {
	uint32_t type;
	uint32_t flags;
	uint64_t length;	/* payload bytes, without the padding */
};

/* The fixed part of one TARGETS entry; comm and exe follow. */
struct capfile_target_head {
	uint32_t pid;
	uint32_t flags;
	uint32_t comm_len;
	uint32_t exe_len;
};

/* A TARGETS entry as the reader hands it out (strings NUL-terminated). */
struct capfile_target {
	uint32_t pid;
	uint32_t flags;
	char comm[64];
	char exe[4096];
};

/* STATS: the module's counters are present (else only the tool's are). */
#define CAPFILE_STATS_KERNEL	(1U << 0)

struct capfile_stats_head {
	uint32_t nr_cpus;
	uint32_t entry_size;	/* >= sizeof(struct capfile_cpu_stats) */
	uint32_t flags;		/* CAPFILE_STATS_* */
	uint32_t reserved;
};

struct capfile_cpu_stats {
	uint32_t cpu;
	uint32_t reserved;
	/* The module's counters (GODIAG_A_CPU_*), after the session stopped. */
	uint64_t written;	/* records produced, lost ones included */
	uint64_t lost;		/* records dropped or overwritten */
	uint64_t bytes;		/* bytes committed */
	uint64_t kernel_read;	/* records consumed through read() */
	/* What the tool saw in this CPU's buffer. */
	uint64_t read;		/* records consumed, LOST markers excluded */
	uint64_t lost_marked;	/* sum of the counts of LOST markers */
};

struct capfile_end {
	uint64_t realtime_ns;	/* CLOCK_REALTIME when the capture ended */
	uint64_t monotonic_ns;	/* CLOCK_MONOTONIC, as the records' ts_ns */
	uint64_t records;	/* records in all RECORDS sections */
	uint64_t record_bytes;	/* their bytes */
};

struct capfile_goinfo {
	uint32_t pid;
	uint32_t nreasons;	/* <= 256 */
	uint32_t strings_len;
	uint32_t reserved;
	char go_version[32];	/* "go1.22.2", NUL-terminated */
	uint64_t load_bias;	/* runtime address - link-time address */
};

struct capfile_syms_head {
	uint32_t pid;
	uint32_t count;
	uint32_t strings_len;
	uint32_t reserved;
};

struct capfile_sym {
	uint64_t pc;		/* runtime address */
	uint32_t func_off;	/* function name, offset into the strings */
	uint32_t file_off;	/* source file, offset into the strings */
	uint32_t line;		/* 0: unknown */
	/*
	 * 0, or 1 + the offset of the name of the function a goroutine that
	 * starts at pc runs as Go names it, when pc is the entry of a go
	 * statement's wrapper (gobin_go_start()). Added compatibly: it was
	 * a reserved field written as 0, which older readers ignore (they
	 * name such goroutines by the wrapper), and a file of an older
	 * writer has 0 here (named by the wrapper too).
	 */
	uint32_t start_off;
};

/* Most wait reasons a GOINFO section may name. */
#define CAPFILE_REASONS_MAX	256

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */

/*
 * Callbacks of capfile_parse(), each optional. Return 0 to go on; any
 * other value stops the parse, which then returns it. Pointers are valid
 * only during the call; records are copied to aligned memory first.
 */
struct capfile_visitor {
	int (*meta)(const char *key, const char *value, void *arg);
	int (*target)(const struct capfile_target *t, void *arg);
	int (*record)(const struct godiag_rec *rec, size_t len, void *arg);
	int (*note)(const char *text, void *arg);
	/* Once per CPU entry; index 0 starts a STATS section. */
	int (*stats)(const struct capfile_stats_head *head, uint32_t index,
		     const struct capfile_cpu_stats *cpu, void *arg);
	int (*end)(const struct capfile_end *end, void *arg);
	/*
	 * GOINFO: reasons[i] is the runtime's string for waitReason i,
	 * i < head->nreasons (<= CAPFILE_REASONS_MAX); head->go_version is
	 * NUL-terminated. Every string is printable text (maybe empty).
	 */
	int (*goinfo)(const struct capfile_goinfo *head, const char *const *reasons,
		      void *arg);
	/*
	 * SYMS: head->count entries, sorted by pc and unique. strings holds
	 * head->strings_len bytes; each entry's func_off and file_off (and
	 * start_off - 1 when start_off is not 0) is below it and starts a
	 * NUL-terminated printable string there.
	 */
	int (*syms)(const struct capfile_syms_head *head,
		    const struct capfile_sym *syms, const char *strings, void *arg);
	/* BREAKS: each line, without its newline, NUL-terminated. */
	int (*breaks)(const char *line, void *arg);
};

struct capfile_info {
	uint32_t version;
	uint32_t abi_version;
	uint64_t sections;
	uint64_t records;
	bool complete;		/* the END section was there */
	/* When not complete: where the data ended. */
	uint64_t cut_at;	/* the length of the data */
	bool cut_inside;	/* inside a section or header, not between two */
	uint32_t cut_section;	/* the type of the section it ended in, 0: a header */
};

/* Longest META key and value the reader accepts (without the NUL). */
#define CAPFILE_META_KEY_MAX	63
#define CAPFILE_META_VALUE_MAX	4095

/*
 * Parses a whole capture file held in memory. Returns 0 (info tells
 * whether it was complete, or where it was cut), -1 with a one-line
 * message in err ("not a godiag capture file", "unsupported format
 * version N", "corrupt record at byte N", ...), or what a callback
 * returned. A file cut short is not an error: what it holds up to the
 * cut is delivered. info may be NULL.
 */
int capfile_parse(const void *buf, size_t len, const struct capfile_visitor *v,
		  void *arg, struct capfile_info *info, char *err, size_t errlen);

/* "RECORDS" for CAPFILE_SEC_RECORDS, ...; NULL for a type it does not know. */
const char *capfile_section_name(uint32_t type);

/*
 * Where an incomplete file ends, in words: "file cut at byte N in section
 * RECORDS", "file cut at byte N in a section header", "file ends at byte
 * N without its end section".
 */
void capfile_cut_text(const struct capfile_info *info, char *buf, size_t len);

/*
 * For a reader of a pipe or device, which cannot tell the size first:
 * whether the first len bytes read already hold all a capture file can
 * hold (they are not one, or they reach past its END section), so it
 * reads no further. st starts zeroed and remembers how far it walked.
 */
struct capfile_stream {
	size_t next;		/* where the next section header starts, 0: unknown */
};
bool capfile_stream_done(struct capfile_stream *st, const void *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Writer                                                              */
/* ------------------------------------------------------------------ */

/*
 * Sections go through one memory buffer to the file; records are added
 * straight into an open RECORDS section in that buffer, so draining the
 * ring buffers copies each record once. Errors are sticky: check
 * capw_close() (and capw_error() to stop early).
 */
struct capw {
	int fd;
	uint8_t *buf;
	size_t len;		/* bytes in buf */
	size_t cap;
	size_t rec_sec;		/* offset in buf of the open RECORDS header, or SIZE_MAX */
	uint64_t records;
	uint64_t record_bytes;
	int err;		/* first errno, or 0 */
	/* capw_compress(): sections compressed at this zstd level, 0: none */
	int zlevel;
	void *zctx;		/* ZSTD_CCtx */
	uint8_t *zbuf;		/* the compressed payload, zcap bytes */
	size_t zcap;
	uint64_t zin, zout;	/* payload bytes compressed, and what they became */
};

/* Starts a file on fd (which capw_close() closes) with its header. */
void capw_init(struct capw *w, int fd);

/*
 * From now on, RECORDS sections and other sections of at least
 * CAPW_ZSTD_MIN bytes (but END) are written as ZSTD sections at zstd
 * level (1..19), each when it closes; one that does not shrink stays
 * as it is.
 */
#define CAPW_ZSTD_MIN	4096
void capw_compress(struct capw *w, int level);

/* Any section; the payload is copied. */
void capw_section(struct capw *w, uint32_t type, uint32_t flags,
		  const void *payload, size_t len);

/* META from a "key=value\n" text that capw_meta_add() builds. */
void capw_meta_add(char **text, size_t *len, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void capw_target(struct capw *w, const struct capfile_target *t);

/* One record of len bytes (validated by the caller). */
void capw_record(struct capw *w, const void *rec, size_t len);

void capw_note(struct capw *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void capw_stats(struct capw *w, uint32_t flags,
		const struct capfile_cpu_stats *cpus, uint32_t n);

/*
 * GOINFO of head->pid: head's go_version and load_bias, and the wait
 * reason strings reasons[0..n-1] (at most CAPFILE_REASONS_MAX are kept;
 * control characters become '?'). nreasons and strings_len are computed.
 */
void capw_goinfo(struct capw *w, const struct capfile_goinfo *head,
		 char *const *reasons, size_t n);

/*
 * One named PC for SYMS; NULL func or file is written as "". start: the
 * function a goroutine starting at pc runs, when pc is a go statement's
 * wrapper, else NULL.
 */
struct capw_sym {
	uint64_t pc;
	const char *func;
	const char *file;
	uint32_t line;
	const char *start;
};

/*
 * SYMS of pid from n entries in any order: sorted by pc, the first entry
 * of each pc kept, each distinct string stored once.
 */
void capw_syms(struct capw *w, uint32_t pid, const struct capw_sym *syms, size_t n);

/* Writes END (records counted by the writer) and flushes. */
void capw_end(struct capw *w, uint64_t realtime_ns, uint64_t monotonic_ns);

/* Writes what is buffered to the file. */
void capw_flush(struct capw *w);

/* 0, or the first errno. */
int capw_error(const struct capw *w);

/* Flushes, closes the fd, frees; returns 0 or the first errno. */
int capw_close(struct capw *w);

#endif
