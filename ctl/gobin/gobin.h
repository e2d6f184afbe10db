/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What godiagctl knows about a Go binary: its Go version, how it was
 * built, its functions and lines (from .gopclntab, so stripped binaries
 * work too; DWARF when present), the layout of runtime.g, the runtime's
 * wait reason strings, and the uprobe points goroutine tracing uses.
 *
 * Everything is read from the file; nothing here trusts it. A file that
 * is not ELF, not Go, or damaged gives a one-line message, never a crash.
 */
#ifndef GODIAGCTL_GOBIN_H
#define GODIAGCTL_GOBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "godiag_abi.h"

struct gobin_impl;

/* One uprobe the goroutine tracer places. */
struct gobin_probe {
	uint32_t kind;		/* GODIAG_PROBE_GO_* */
	const char *func;	/* "runtime.execute" (static storage) */
	uint64_t vaddr;		/* link-time address of the instruction */
	uint64_t offset;	/* file offset: what the kernel probes */
	uint64_t func_offset;	/* file offset of its function's entry */
	uint8_t arg_reg;	/* GODIAG_REG_*, or GOBIN_NO_REG */
	uint8_t g_reg;		/* GODIAG_REG_*, or GOBIN_NO_REG */
	int8_t jcc;		/* GODIAG_A_PROBE_JCC: condition code, -1: none */
};
#define GOBIN_NO_REG		0xff
#define GOBIN_PROBES_MAX	64

/* Where a fact goroutine tracing relies on comes from. */
enum gobin_source {
	GOBIN_SRC_NONE,
	GOBIN_SRC_DWARF,	/* the binary's DWARF */
	GOBIN_SRC_SYMTAB,	/* a symbol of its .symtab */
	GOBIN_SRC_CODE,		/* recovered from the machine code of runtime functions */
	GOBIN_SRC_DATA,		/* recovered from the binary's data */
	GOBIN_SRC_ABI,		/* Go's register calling convention (ABIInternal) */
};

/* The facts, in the order inspect lists them. */
enum gobin_fact_id {
	GOBIN_F_GOID,		/* offsets in runtime.g */
	GOBIN_F_PARENT_GOID,
	GOBIN_F_GOPC,
	GOBIN_F_STARTPC,
	GOBIN_F_WAITREASON,
	GOBIN_F_REASONS,	/* runtime.waitReasonStrings: address, count */
	GOBIN_F_REG_NEWPROC1,	/* registers: newproc1's result (the new g) */
	GOBIN_F_REG_EXECUTE,	/* execute's gp */
	GOBIN_F_REG_GOPARK,	/* gopark's reason */
	GOBIN_F_REG_READY,	/* ready's gp */
	GOBIN_F_REG_G,		/* the running g in gopark and goexit1 */
	GOBIN_FACTS
};

struct gobin_fact {
	const char *name;	/* "g.goid", "runtime.gopark reason" (static) */
	bool known;		/* established: value is what tracing uses */
	bool absent;		/* established not to exist (g.parentGoid before go1.21) */
	uint64_t value;		/* offset, table address, or GODIAG_REG_* */
	uint64_t count;		/* GOBIN_F_REASONS: entries */
	enum gobin_source source;	/* where value comes from */
	char agree[256];	/* every way that found the same value: "runtime.newproc1, abi" */
};

struct gobin {
	char path[4096];
	char go_version[32];	/* "go1.22.2", from .go.buildinfo */
	int go_major, go_minor;	/* 1, 22 */
	bool pie;		/* ET_DYN */
	bool has_symtab;	/* .symtab present (not built with -s) */
	bool has_dwarf;		/* .debug_info present (not built with -w) */
	uint64_t first_load_vaddr;	/* p_vaddr of the first PT_LOAD */
	uint32_t pclntab_magic;	/* 0xfffffff0 (1.18/1.19), 0xfffffff1 (1.20+) */
	size_t nfuncs;
	char pclntab_source[48];	/* "section .gopclntab", "symbol runtime.pclntab" */

	/* Filled by gobin_goroutine_setup() (gofacts.c). */
	struct gobin_fact facts[GOBIN_FACTS];
	struct godiag_go_layout layout;
	char **reasons;		/* waitReason value -> runtime's string */
	size_t nreasons;
	struct gobin_probe probes[GOBIN_PROBES_MAX];
	size_t nprobes;

	struct gobin_impl *impl;	/* ELF handle, parsed tables */
};

/*
 * Opens and checks a binary: ELF x86-64, a Go binary (.go.buildinfo and
 * a pclntab it can parse). Returns 0, or GOBIN_NOT_GO when it is no Go
 * program at all (not ELF, no Go build info), or -1 when it is one it
 * cannot read, with one line in err such as "/bin/ls is not a Go program
 * (no .go.buildinfo section)".
 */
#define GOBIN_NOT_GO	(-2)
int gobin_open(struct gobin *b, const char *path, char *err, size_t errlen);
void gobin_close(struct gobin *b);

/*
 * The same for a file already in memory (a copy is taken; name is only
 * for messages): what a fuzzer calls.
 */
int gobin_open_mem(struct gobin *b, const void *data, size_t size,
		   const char *name, char *err, size_t errlen);

/*
 * Works out what goroutine tracing needs (gofacts.c): the facts (runtime.g
 * field offsets, the wait reason strings, the registers the probed
 * functions hold their values in), each from DWARF when the binary has it
 * and otherwise recovered from its machine code and data in independent
 * ways that must all agree; then the probes (entries of runtime.execute,
 * gopark, ready, goexit1 and every RET of newproc1, found with capstone).
 * Returns 0, or -1 with one line naming the fact that could not be
 * established (or the Go version, before go1.19).
 */
int gobin_goroutine_setup(struct gobin *b, char *err, size_t errlen);

/* "dwarf", "symtab", "code", "data", "abi" ("-" for none). */
const char *gobin_source_name(enum gobin_source s);

/* The function containing vaddr (link-time), or NULL. */
const char *gobin_func_name(const struct gobin *b, uint64_t vaddr);

/*
 * The function a goroutine that starts at vaddr (link-time; its
 * g.startpc) runs, as Go's tracebacks and goroutine profiles name it. A
 * go statement with arguments starts a wrapper the compiler made
 * (main.main.func1 up to Go 1.21, main.main.gowrap1 from 1.22); this is
 * the function the wrapper calls: main.worker, main.(*Server).serve, the
 * closure main.main.func2 (gowrap.c says how). NULL when vaddr starts no
 * such wrapper, or what it calls cannot be told (through an interface or
 * a func value): the function's own name stands then.
 */
const char *gobin_go_start(const struct gobin *b, uint64_t vaddr);

/*
 * What a PC of a goroutine record names: its function, and the source
 * line of the call when pc is a return address (the byte before it is
 * looked up; a function's entry is looked up as it is). func is NULL
 * when no function contains vaddr; file NULL and line 0 when unknown.
 * One bisection: naming every PC of a capture costs O(n log n).
 */
void gobin_pc_source(const struct gobin *b, uint64_t vaddr, const char **func,
		     const char **file, uint32_t *line);

/*
 * A function's [entry, end) by its Go name, e.g. "main.(*Server).handle",
 * "main.main.func1", or as the pclntab has it "main.Map[go.shape.int]".
 * "main.Map[...]" (as Go prints it) names the first instantiation.
 */
int gobin_func_range(const struct gobin *b, const char *name,
		     uint64_t *entry, uint64_t *end);

/*
 * Function i of the function table (0 <= i < nfuncs): its name and
 * link-time [entry, end) (end is the next function's entry). Returns 0,
 * or -1 when i is out of range or its record is damaged.
 */
int gobin_func_at(const struct gobin *b, size_t i, const char **name,
		  uint64_t *entry, uint64_t *end);

/*
 * Up to max names of functions close to a name gobin_func_range() did not
 * find (same last element, or containing it), for "did you mean".
 * Returns how many were stored; they point into the binary's tables.
 */
size_t gobin_func_suggest(const struct gobin *b, const char *name,
			  const char **names, size_t max);

/* Source file and line of vaddr; 0 on success, -1 if unknown. */
int gobin_line(const struct gobin *b, uint64_t vaddr, const char **file,
	       uint32_t *line);

/*
 * The first PC of each function body that has code for file:line (file
 * matches by full path or by a suffix at a '/' boundary). Returns how
 * many PCs were found (up to max are stored), or -1 on error.
 */
int gobin_line_pcs(const struct gobin *b, const char *file, uint32_t line,
		   uint64_t *pcs, size_t max);

/* "rax", "rcx", ... "r15" for a GODIAG_REG_*, "-" for GOBIN_NO_REG. */
const char *gobin_reg_name(uint8_t reg);

/* Link-time address -> file offset through the PT_LOAD headers; -1 if unmapped. */
int gobin_file_offset(const struct gobin *b, uint64_t vaddr, uint64_t *offset);

/*
 * The addresses of the RET instructions in [entry, end), found by
 * disassembling with capstone. Returns how many (up to max stored), or -1.
 */
int gobin_rets(const struct gobin *b, uint64_t entry, uint64_t end,
	       uint64_t *vaddrs, size_t max);

/*
 * Where a probe on the function at [entry, end) goes: the jump of its stack
 * check, with that jump's condition code in *jcc (the probe records when
 * it falls through: GODIAG_A_PROBE_JCC); or the entry itself, *jcc = -1,
 * for a function without the check.
 */
uint64_t gobin_entry_probe(const struct gobin *b, uint64_t entry, uint64_t end,
			   int *jcc);

/*
 * Where the binary's type descriptors are, [*types, *etypes) link-time
 * (the symbols runtime.types and runtime.etypes, else the fields of
 * runtime.firstmoduledata found without symbols). 0, or -1 when unknown.
 */
int gobin_types(const struct gobin *b, uint64_t *types, uint64_t *etypes);

/*
 * The Go name of the type whose descriptor (a *_type: an interface's
 * dynamic type) is at link-time vaddr, as %T prints it: "int",
 * "*main.request", "nil" for 0. Returns 0, or -1 with "(type at 0x...)"
 * in buf when vaddr is no type descriptor of the file (one reflect made
 * at run time) or its name cannot be read. Every read is bounded by the
 * file.
 */
int gobin_type_name(const struct gobin *b, uint64_t vaddr, char *buf, size_t len);

/*
 * The load bias of this binary in a process, from the text of
 * /proc/PID/maps: start of the mapping of file offset 0 whose device and
 * inode columns are dev and ino (stat of /proc/PID/exe), minus the first
 * PT_LOAD's page-aligned p_vaddr (so 0 for non-PIE). Inode numbers are
 * unique per file system only: the device must match too. Should no
 * mapping match both (overlayfs maps the file of a lower or upper layer,
 * whose device /proc/PID/exe does not show), the one file with that
 * inode is taken; two of them on different devices are ambiguous.
 * Returns 0, or -1 when the binary is not mapped there (or ambiguously).
 */
int gobin_load_bias(const struct gobin *b, const char *maps, dev_t dev, uint64_t ino,
		    uint64_t *bias);

/*
 * The same for process pid running the binary at exe (its /proc/PID/exe):
 * reads /proc/PID/maps. Returns 0, -1 with errno when exe or the maps
 * cannot be read, or GOBIN_NOT_MAPPED.
 */
#define GOBIN_NOT_MAPPED	(-3)
int gobin_process_bias(const struct gobin *b, uint32_t pid, const char *exe,
		       uint64_t *bias);

#endif
