/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to gobin.c, gopclntab.c, godwarf.c, gofacts.c and gorecover.c:
 * the parsed pclntab, the ELF facts gobin keeps, the DWARF scan and the
 * image accessors. Everything here works on bytes already in memory and
 * checks every offset against the buffer it came from.
 */
#ifndef GODIAGCTL_GOBIN_IMPL_H
#define GODIAGCTL_GOBIN_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libelf.h>

#include "gobin/gobin.h"

/* Little-endian integers in the image's bytes. */
static inline uint32_t gobin_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t gobin_le64(const uint8_t *p)
{
	return (uint64_t)gobin_le32(p) | (uint64_t)gobin_le32(p + 4) << 32;
}

/* The parsers' one-line errors: formats into err, returns -1. */
__attribute__((format(printf, 3, 4)))
int gobin_fail(char *err, size_t errlen, const char *fmt, ...);

#define GOPCLN_MAGIC_12		0xfffffffbU	/* Go 1.2 .. 1.15 */
#define GOPCLN_MAGIC_116	0xfffffffaU	/* Go 1.16, 1.17 */
#define GOPCLN_MAGIC_118	0xfffffff0U	/* Go 1.18, 1.19 */
#define GOPCLN_MAGIC_120	0xfffffff1U	/* Go 1.20 and later */

/* A table inside the pclntab: [p, p + len). */
struct gospan {
	const uint8_t *p;
	size_t len;
};

/* The Go 1.18+ pclntab (runtime.pcHeader and the tables it points to). */
struct gopcln {
	const uint8_t *data;
	size_t size;
	uint32_t magic;
	uint8_t quantum;	/* minLC: 1 on amd64 */
	uint8_t ptrsize;	/* 8 */
	uint64_t text_start;	/* entry offsets are relative to this */
	size_t nfunc;
	size_t nfiles;
	struct gospan funcname;	/* NUL-terminated names */
	struct gospan cu;	/* uint32 file offsets per compilation unit */
	struct gospan file;	/* NUL-terminated file names */
	struct gospan pc;	/* pc-value tables */
	struct gospan func;	/* functab then the _func records */
	size_t func_size;	/* sizeof(_func): 40 (1.18), 44 (1.20+) */
	uint32_t *by_name;	/* function indexes sorted by name, or NULL */
	size_t nby_name;
};

/* One function of the pclntab. */
struct gofunc {
	uint64_t entry;
	uint64_t end;		/* next function's entry */
	const char *name;	/* in the pclntab, NUL-terminated */
	const uint8_t *rec;	/* its _func record, func_size bytes */
};

/* The magic's layout as text: "go1.20+ (0xfffffff1)". */
const char *gopcln_format_name(uint32_t magic);

/*
 * Parses a pclntab at data. text_hint is the start of the text when the
 * header's textStart is 0 (Go 1.26) or unusable; 0 if unknown.
 */
int gopcln_init(struct gopcln *p, const uint8_t *data, size_t size,
		uint64_t text_hint, char *err, size_t errlen);

/* Function i (0 <= i < nfunc): 0, or -1 when its record is damaged. */
int gopcln_func(const struct gopcln *p, size_t i, struct gofunc *f);

/* Index of the function containing pc, or -1. */
long gopcln_find_pc(const struct gopcln *p, uint64_t pc);

/*
 * Sorts the function indexes by name (p->by_name), so that
 * gopcln_find_name() and gopcln_name_range() bisect instead of reading
 * every name. 0, or -1 when out of memory (lookups stay linear).
 */
int gopcln_index_names(struct gopcln *p);
void gopcln_free(struct gopcln *p);

/*
 * Index of the function named name, or -1: the exact name (the first
 * function of that name), else (for a name with "[...]") the first
 * instantiation of a generic function.
 */
long gopcln_find_name(const struct gopcln *p, const char *name);

/*
 * The functions whose names start with prefix, as positions [*lo, *hi)
 * in p->by_name (gopcln_index_names() first). 0, or -1 without an index.
 */
int gopcln_name_range(const struct gopcln *p, const char *prefix, size_t *lo,
		      size_t *hi);

/* Per-function fields of _func: its funcID (abi.FuncID) and flag. */
uint8_t gopcln_func_id(const struct gopcln *p, const struct gofunc *f);

/*
 * The value of the function's pcdata table number table at pc (-1 when
 * it has no such table, as the runtime reads it). 0, or -1 when the
 * table is damaged or does not cover pc.
 */
int gopcln_pcdata(const struct gopcln *p, const struct gofunc *f, uint32_t table,
		  uint64_t pc, int32_t *val);

/*
 * The offset of the function's funcdata number index from the module's
 * go:func.* data. 0, or -1 when it has none.
 */
int gopcln_funcdata(const struct gopcln *p, const struct gofunc *f, uint32_t index,
		    uint32_t *off);

/* The name at off in the function name table, or NULL. */
const char *gopcln_name_at(const struct gopcln *p, uint64_t off);

/* File and line of pc inside function f: 0, or -1 when unknown. */
int gopcln_line(const struct gopcln *p, const struct gofunc *f, uint64_t pc,
		const char **file, uint32_t *line);

/* See gobin_line_pcs(). */
int gopcln_line_pcs(const struct gopcln *p, const char *file, uint32_t line,
		    uint64_t *pcs, size_t max);

/*
 * A walk over pc ranges: fn gets each [pc, end) of function f with its
 * value; a non-zero return stops the walk and is returned.
 */
typedef int (*gopcln_range_fn)(void *arg, const struct gofunc *f, uint64_t pc,
			       uint64_t end, int32_t val);

/*
 * Every range of code of file:line, function by function in address
 * order (val is the line). Returns how many there were (or fn's
 * negative return), -1 for a bad argument.
 */
int gopcln_line_walk(const struct gopcln *p, const char *file, uint32_t line,
		     gopcln_range_fn fn, void *arg);

/* Whether the file table has a file that file names (gopcln_file_matches). */
bool gopcln_has_file(const struct gopcln *p, const char *file);

/*
 * The ranges of pcdata table number table of f, in address order; 0
 * when f has no such table.
 */
int gopcln_pcdata_walk(const struct gopcln *p, const struct gofunc *f, uint32_t table,
		       gopcln_range_fn fn, void *arg);

/*
 * Whether a function name matches a name as Go prints it, with type
 * arguments elided: "main.Map[...]" for "main.Map[go.shape.int]".
 */
bool gopcln_name_matches(const char *fn, const char *want);

/* Whether path names file: equal, or file is a suffix at a '/' boundary. */
bool gopcln_file_matches(const char *path, const char *file);

/* ---- what gobin.c lends the other parts (gowrap.c) ------------------ */

/* The len bytes at link-time address vaddr in the file, or NULL. */
const uint8_t *gobin_vaddr_bytes(const struct gobin *b, uint64_t vaddr, uint64_t len);

/* The parsed pclntab (mutable: its name index is built on demand). */
struct gopcln *gobin_pcln(const struct gobin *b);

/*
 * The link-time address of go:func.*, the base of every function's
 * funcdata: the symbol, else runtime.firstmoduledata's gofunc (found
 * without symbols). 0 when neither is found.
 */
uint64_t gobin_gofunc(const struct gobin *b);

/* ---- inline trees (goinline.c) ------------------------------------- */

/* internal/abi/symtab.go */
#define GOBIN_PCDATA_INLTREEINDEX	2
#define GOBIN_FUNCDATA_INLTREE		3

/* One entry of a function's inline tree, as both layouts hold it. */
struct gobin_inlcall {
	uint8_t func_id;
	int32_t name_off;	/* of the inlined function's name (gopcln_name_at) */
	int32_t parent;		/* the caller's entry, -1: the function itself */
	uint64_t parent_pc;	/* link-time address of the call site */
};

/*
 * Entry idx of the inline tree of f: true, or false when f has none or
 * it is damaged.
 */
bool gobin_inlcall(const struct gobin *b, const struct gofunc *f, int32_t idx,
		   struct gobin_inlcall *c);

/* ---- breakpoints (breakplan.c, breakargs.c) ----------------------- */

struct gobin_break;
struct gobin_break_opts;

/*
 * The arguments of function f at its entry probe point, into out->args
 * (and out->note): from DWARF, else by position. 0, or -1 with err.
 */
int gobin_break_args(const struct gobin *b, const struct gofunc *f,
		     const struct gobin_break_opts *opts, struct gobin_break *out,
		     char *err, size_t errlen);

/* ---- DWARF (godwarf.c) ---------------------------------------------- */

#define GODWARF_PARAMS_MAX	8

/* A function's parameters and the register each is in at entry. */
struct godwarf_func {
	const char *name;	/* in: "runtime.gopark" */
	bool found;		/* out */
	size_t nparams;
	struct {
		char name[32];
		int reg;	/* GODIAG_REG_*, -1 when not one register at entry */
		bool result;	/* a result (DW_AT_variable_parameter) */
	} params[GODWARF_PARAMS_MAX];
};

enum { GODWARF_GOID, GODWARF_PARENT_GOID, GODWARF_GOPC, GODWARF_STARTPC,
       GODWARF_WAITREASON, GODWARF_MEMBERS };

struct godwarf_g {
	bool found;		/* runtime.g is described */
	bool have[GODWARF_MEMBERS];
	uint64_t off[GODWARF_MEMBERS];
	uint64_t size[GODWARF_MEMBERS];	/* byte size of each member's type */
};

/*
 * Scans the DWARF of elf for struct runtime.g and the functions in funcs.
 * Returns 0 (the found flags tell what was there), or -1 with a message
 * when there is no DWARF or it cannot be read.
 */
int godwarf_scan(Elf *elf, struct godwarf_g *g, struct godwarf_func *funcs,
		 size_t nfuncs, char *err, size_t errlen);

/* ---- DWARF structures (goruntime.c), for gostats.c ----------------- */

/* (For the files that include elfutils/libdw.h before this.) */
#ifdef _LIBDW_H
/*
 * Member name of the structure st: its offset, the byte size of its type
 * and the type. 0, or -1 when st has no such member (or it is damaged).
 */
int gobin_dw_member(Dwarf_Die *st, const char *name, uint64_t *off, uint64_t *size,
		    Dwarf_Die *type);

/* Follows typedefs from type to a structure: true when it ends at one. */
bool gobin_dw_peel(Dwarf_Die *type);
#endif

/* ---- the image (gobin.c), for gofacts.c and gorecover.c ------------ */

/* The len bytes at link-time address vaddr, from the file, or NULL. */
const uint8_t *gobin_bytes(const struct gobin *b, uint64_t vaddr, uint64_t len);

/* A pointer stored at vaddr (resolving PIE relocations); false if unmapped. */
bool gobin_read_ptr(const struct gobin *b, uint64_t vaddr, uint64_t *v);

/* PT_LOAD number i: 0, or -1 past the last. flags: PF_X 1, PF_W 2, PF_R 4. */
int gobin_segment(const struct gobin *b, size_t i, uint64_t *vaddr,
		  uint64_t *filesz, uint32_t *flags);

/* runtime.waitReasonStrings in .symtab: 0, or -1 when not there. */
int gobin_reasons_symbol(const struct gobin *b, uint64_t *vaddr, uint64_t *size);

/* The libelf handle of the image. */
Elf *gobin_elf(const struct gobin *b);

/* A symbol of .symtab: its value and size when found. */
struct gobin_sym {
	bool found;
	uint64_t value, size;
};

/*
 * The first STT_OBJECT symbol named names[i] in .symtab, into out[i], for
 * each of the n names (the runtime's variables: goruntime.c, gostats.c).
 */
void gobin_symtab_objects(const struct gobin *b, const char *const *names, size_t n,
			  struct gobin_sym *out);

/* Frees b->reasons. */
void gobin_free_reasons(struct gobin *b);

/*
 * FuncIDWrapper of this binary (it moved between Go versions: the ID after
 * runtime.systemstack_switch's); 0 (FuncIDNormal) when it cannot be told.
 */
uint8_t gobin_wrapper_id(const struct gobin *b);

#endif
