// SPDX-License-Identifier: GPL-2.0
/*
 * Seed inputs for the fuzz targets, written into a directory:
 *
 *	gen_seeds capfile DIR	capture files: goroutine capture (GOINFO,
 *				SYMS, GO_* records), syscalls only, minimal,
 *				unfinished, unknown sections
 *	gen_seeds gobin DIR	small synthetic Go ELF programs
 *
 * The Go programs are built here rather than taken from real binaries:
 * those are 1 to 9 MB, and libFuzzer mutates small inputs thousands of
 * times faster. Each is a few KB with the layout the Go toolchain writes
 * (go1.18+ pclntab with the runtime functions goroutine tracing probes,
 * .go.buildinfo, runtime.waitReasonStrings, a symbol table, DWARF for
 * runtime.g and the probed functions' parameters) in several variants:
 * with and without DWARF, symbols and section headers, PIE with
 * relocated pointers and the pre-1.18 build info, a pclntab found by
 * symbol, the go1.18 and go1.20 pclntab layouts. tests/fuzz/Makefile
 * adds small real Go programs (tests/fuzz/seedprog) when Go is there.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile/capfile.h"
#include "../unit/capfile_build.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *outdir;

static void die(const char *what)
{
	fprintf(stderr, "gen_seeds: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *out_path(const char *file)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", outdir, file);
	return path;
}

static void write_file(const char *file, const void *p, size_t n)
{
	FILE *f = fopen(out_path(file), "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f))
		die(file);
}

/* ==== capture files ================================================== */

#define T0 1000000000ULL

static struct capw *open_capw(struct capw *w, const char *file)
{
	int fd = open(out_path(file), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die(file);
	capw_init(w, fd);
	return w;
}

static void close_capw(struct capw *w, const char *file)
{
	if (capw_close(w))
		die(file);
}

static void meta(struct capw *w, const char *mode)
{
	char *text = NULL;
	size_t len = 0;

	capw_meta_add(&text, &len, "mode", "%s", mode);
	capw_meta_add(&text, &len, "hostname", "fuzzhost");
	capw_meta_add(&text, &len, "kernel", "6.1.0-fuzz");
	capw_meta_add(&text, &len, "command", "./prog -x\targ");
	capw_meta_add(&text, &len, "buffer_size", "%u", 1U << 20);
	capw_meta_add(&text, &len, "start_monotonic_ns", "%llu", T0);
	capw_section(w, CAPFILE_SEC_META, 0, text, len);
	free(text);
}

static void target(struct capw *w, uint32_t pid, uint32_t flags, const char *comm,
		   const char *exe)
{
	struct capfile_target t;

	memset(&t, 0, sizeof(t));
	t.pid = pid;
	t.flags = flags;
	snprintf(t.comm, sizeof(t.comm), "%s", comm);
	snprintf(t.exe, sizeof(t.exe), "%s", exe);
	capw_target(w, &t);
}

static void go_rec(struct capw *w, uint16_t type, uint16_t cpu, uint32_t tgid, uint32_t tid,
		   uint64_t t, uint64_t hdr_goid, uint64_t goid, uint64_t other,
		   uint64_t pc, uint64_t start_pc, uint32_t reason)
{
	struct godiag_rec_go r = make_go(type, tgid, tid, T0 + t, hdr_goid, goid);

	r.hdr.cpu = cpu;
	r.other_goid = other;
	r.pc = pc;
	r.start_pc = start_pc;
	r.reason = reason;
	capw_record(w, &r, sizeof(r));
}

static void sc_rec(struct capw *w, uint16_t cpu, uint32_t tgid, uint32_t tid, uint64_t t,
		   uint64_t goid, uint32_t nr, uint64_t dur, int64_t ret)
{
	struct godiag_rec_syscall r = make_syscall(tgid, nr, dur, ret, T0 + t);

	r.hdr.cpu = cpu;
	r.hdr.tid = tid;
	r.hdr.goid = goid;
	capw_record(w, &r, sizeof(r));
}

static void goinfo(struct capw *w, uint32_t pid, const char *version, char *const *reasons,
		   size_t n)
{
	struct capfile_goinfo h;

	memset(&h, 0, sizeof(h));
	h.pid = pid;
	h.load_bias = 0x555555554000ULL;
	snprintf(h.go_version, sizeof(h.go_version), "%s", version);
	capw_goinfo(w, &h, reasons, n);
}

static void stats(struct capw *w, uint32_t ncpus)
{
	struct capfile_cpu_stats c[4];
	uint32_t i;

	memset(c, 0, sizeof(c));
	for (i = 0; i < ncpus && i < ARRAY_SIZE(c); i++) {
		c[i].cpu = i;
		c[i].written = 100 + i;
		c[i].lost = i;
		c[i].bytes = 6400;
		c[i].read = 100;
		c[i].lost_marked = i;
	}
	capw_stats(w, CAPFILE_STATS_KERNEL, c, ncpus);
}

/* Two Go processes: creations, runs, parks, readies, exits, syscalls. */
static void capfile_go(void)
{
	static char *r100[] = { "", "GC assist marking", "IO wait", "chan receive",
				"chan send", "select", "sleep", "sync.Mutex.Lock" };
	static char *r200[] = { "", "chan receive", "sleep" };
	/* main.main.gowrap1: a go statement's wrapper, named by what it calls. */
	static const struct capw_sym s100[] = {
		{ 0x401000, "main.main", "/app/main.go", 10, NULL },
		{ 0x401100, "main.main.func1", "/app/main.go", 14, NULL },
		{ 0x401200, "main.main.gowrap1", "/app/main.go", 15, "main.worker" },
		{ 0x402000, "main.worker", "/app/worker.go", 5, NULL },
		{ 0x403000, "runtime.main", "/usr/lib/go/src/runtime/proc.go", 250, NULL },
	};
	static const struct capw_sym s200[] = {
		{ 0x555555556000, "main.spawn", "", 0, NULL },
		{ 0x555555557000, "main.Map[...]", "/b/m.go", 7, NULL },
	};
	struct capw w;
	const char *file = "go.cf";

	open_capw(&w, file);
	meta(&w, "discard");
	target(&w, 100, 0, "gobusy", "/usr/bin/gobusy");
	target(&w, 200, 0, "gosched", "/opt/gosched");
	goinfo(&w, 100, "go1.22.5", r100, ARRAY_SIZE(r100));
	goinfo(&w, 200, "go1.19.8", r200, ARRAY_SIZE(r200));
	/* CPU 1 drained first: out of time order across sections. */
	go_rec(&w, GODIAG_REC_GO_START, 1, 100, 101, 600, 0, 3, 0, 0, 0, 0);
	sc_rec(&w, 1, 100, 101, 700, 3, 0, 50, 0);
	go_rec(&w, GODIAG_REC_GO_START, 1, 100, 101, 800, 3, 4, 0, 0, 0, 0);
	go_rec(&w, GODIAG_REC_GO_READY, 1, 100, 101, 900, 4, 1, 4, 0, 0, 0);
	go_rec(&w, GODIAG_REC_GO_PARK, 1, 100, 101, 1100, 4, 4, 0, 0, 0, 2);
	go_rec(&w, GODIAG_REC_GO_START, 1, 100, 101, 1200, 4, 3, 0, 0, 0, 0);
	go_rec(&w, GODIAG_REC_GO_PARK, 1, 100, 101, 1400, 3, 3, 0, 0, 0, 42);
	capw_note(&w, "between drains");
	go_rec(&w, GODIAG_REC_GO_START, 0, 100, 100, 0, 0, 1, 0, 0, 0, 0);
	go_rec(&w, GODIAG_REC_GO_CREATE, 0, 100, 100, 100, 1, 2, 1, 0x401000, 0x401100, 0);
	go_rec(&w, GODIAG_REC_GO_CREATE, 0, 100, 100, 200, 1, 3, 1, 0x401000, 0x402000, 0);
	go_rec(&w, GODIAG_REC_GO_CREATE, 0, 100, 100, 300, 1, 4, 1, 0x401010, 0x401200, 0);
	go_rec(&w, GODIAG_REC_GO_PARK, 0, 100, 100, 400, 1, 1, 0, 0, 0, 3);
	go_rec(&w, GODIAG_REC_GO_START, 0, 100, 100, 500, 1, 2, 0, 0, 0, 0);
	go_rec(&w, GODIAG_REC_GO_EXIT, 0, 100, 100, 1000, 2, 2, 0, 0, 0, 0);
	go_rec(&w, GODIAG_REC_GO_START, 0, 100, 100, 1000, 2, 1, 0, 0, 0, 0);
	sc_rec(&w, 0, 100, 100, 1600, 1, 1, 30, 4096);
	sc_rec(&w, 0, 100, 100, 1650, 1, 0, 70, -11);
	go_rec(&w, GODIAG_REC_GO_PARK, 0, 100, 100, 1700, 1, 1, 0, 0, 0, 0);
	go_rec(&w, GODIAG_REC_GO_EXIT, 0, 100, 103, 1800, 5, 5, 0, 0, 0, 0);
	{
		struct godiag_rec_lost l = make_lost(2, 3);

		capw_record(&w, &l, sizeof(l));
	}
	go_rec(&w, GODIAG_REC_GO_CREATE, 3, 200, 200, 50, 1, 2, 1, 0x555555556000, 0x555555557000, 0);
	go_rec(&w, GODIAG_REC_GO_START, 3, 200, 201, 250, 0, 2, 0, 0, 0, 0);
	go_rec(&w, GODIAG_REC_GO_PARK, 3, 200, 201, 350, 2, 2, 0, 0, 0, 1);
	go_rec(&w, GODIAG_REC_GO_READY, 3, 200, 200, 450, 1, 2, 1, 0, 0, 0);
	go_rec(&w, GODIAG_REC_GO_START, 3, 200, 201, 460, 0, 2, 0, 0, 0, 0);
	go_rec(&w, GODIAG_REC_GO_EXIT, 3, 200, 201, 470, 2, 2, 0, 0, 0, 0);
	{
		/* A failed read of the goroutine (goid 0, fault flag). */
		struct godiag_rec_go r = make_go(GODIAG_REC_GO_START, 200, 201, T0 + 480, 0, 0);

		r.hdr.flags = GODIAG_RF_FAULT;
		capw_record(&w, &r, sizeof(r));
	}
	{
		struct godiag_rec_target_exit e;

		memset(&e, 0, sizeof(e));
		e.hdr.type = GODIAG_REC_TARGET_EXIT;
		e.hdr.size = sizeof(e);
		e.hdr.tgid = e.hdr.tid = 200;
		e.hdr.ts_ns = T0 + 1900;
		e.exit_code = 0x100;
		capw_record(&w, &e, sizeof(e));
	}
	capw_syms(&w, 100, s100, ARRAY_SIZE(s100));
	capw_syms(&w, 200, s200, ARRAY_SIZE(s200));
	stats(&w, 4);
	capw_note(&w, "target 200 exited with status 1");
	capw_end(&w, 1700000000ULL * 1000000000ULL, T0 + 2000);
	close_capw(&w, file);
}

/* Syscalls of a few processes in several RECORDS sections (compressed: zstd). */
static void capfile_syscalls(const char *file, bool zstd)
{
	struct capw w;
	uint32_t i;

	open_capw(&w, file);
	if (zstd)
		capw_compress(&w, 3);
	meta(&w, "trace");
	target(&w, 300, 1, "gt_syscalls", "/tmp/gt_syscalls");
	for (i = 0; i < 24; i++) {
		sc_rec(&w, (uint16_t)(i % 2), 300 + i % 3, 300 + i % 5, 100 * i, 0,
		       i % 7, 10 + i * 13, i % 4 ? (int64_t)i : -4);
		if (i % 8 == 7)
			capw_flush(&w);
	}
	stats(&w, 2);
	capw_end(&w, 1, T0 + 5000);
	close_capw(&w, file);
}

static void capfile_minimal(void)
{
	struct capw w;

	open_capw(&w, "minimal.cf");
	capw_end(&w, 1, 2);
	close_capw(&w, "minimal.cf");
}

/* Killed while capturing: no END. */
static void capfile_unfinished(void)
{
	struct capw w;

	open_capw(&w, "unfinished.cf");
	meta(&w, "trace");
	sc_rec(&w, 0, 1, 1, 10, 0, 0, 5, 0);
	capw_flush(&w);
	close_capw(&w, "unfinished.cf");
}

/* Raw: unknown sections, optional and required. */
static void capfile_raw(void)
{
	static const char body[] = "from a newer godiagctl";
	struct membuf m = { 0 };

	mb_header(&m, CAPFILE_VERSION, 32);
	mb_section(&m, 99, 0, body, sizeof(body));
	mb_end(&m, 0);
	write_file("unknown-section.cf", m.buf, m.len);
	free(m.buf);

	memset(&m, 0, sizeof(m));
	mb_header(&m, CAPFILE_VERSION, 24);
	mb_section(&m, 100, CAPFILE_SF_REQUIRED, body, sizeof(body));
	mb_end(&m, 0);
	write_file("required-section.cf", m.buf, m.len);
	free(m.buf);
}

static void gen_capfile(void)
{
	capfile_go();
	capfile_syscalls("syscalls.cf", false);
	capfile_syscalls("syscalls-zstd.cf", true);
	capfile_minimal();
	capfile_unfinished();
	capfile_raw();
}

/* ==== synthetic Go programs ========================================== */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static size_t put(struct buf *b, const void *d, size_t n)
{
	size_t at = b->len;

	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			die("realloc");
	}
	if (d)
		memcpy(b->p + b->len, d, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
	return at;
}

static void align(struct buf *b, size_t a, uint8_t fill)
{
	while (b->len % a)
		put(b, &fill, 1);
}

static size_t put_u8(struct buf *b, uint8_t v) { return put(b, &v, 1); }
static size_t put_u16(struct buf *b, uint16_t v) { return put(b, &v, 2); }
static size_t put_u32(struct buf *b, uint32_t v) { return put(b, &v, 4); }
static size_t put_u64(struct buf *b, uint64_t v) { return put(b, &v, 8); }
static size_t put_str(struct buf *b, const char *s) { return put(b, s, strlen(s) + 1); }

static void set_u32(struct buf *b, size_t at, uint32_t v) { memcpy(b->p + at, &v, 4); }
static void set_u64(struct buf *b, size_t at, uint64_t v) { memcpy(b->p + at, &v, 8); }

static void put_uleb(struct buf *b, uint64_t v)
{
	do {
		uint8_t c = v & 0x7f;

		v >>= 7;
		put_u8(b, c | (v ? 0x80 : 0));
	} while (v);
}

static uint32_t zigzag(int32_t v)
{
	return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
}

struct variant {
	const char *file;
	const char *version;		/* "go1.22.5" */
	uint32_t magic;			/* pclntab */
	bool pie;			/* ET_DYN at 0, pointers through .rela.dyn */
	bool old_buildinfo;		/* pre-1.18: pointers to string headers */
	bool symtab, dwarf, shdrs;
	bool pclntab_by_symbol;		/* no .gopclntab section: runtime.pclntab */
	bool text_start_zero;		/* header textStart 0 (go1.26) */
};

/* The functions: name, file index, first line, code (padded with int3). */
static const struct func {
	const char *name;
	uint32_t file;
	int32_t line;
	uint8_t code[24];
	size_t len;
} funcs[] = {
	/* push rbp; mov rbp,rsp; lea rax,[rip]; pop rbp; ret */
	{ "main.main", 0, 5, { 0x55, 0x48, 0x89, 0xe5, 0x48, 0x8d, 0x05, 0, 0, 0, 0,
			       0x5d, 0xc3 }, 13 },
	{ "main.main.func1", 0, 9, { 0x31, 0xc0, 0xc3 }, 3 },		/* xor eax,eax; ret */
	{ "main.Map[go.shape.int]", 0, 12, { 0x48, 0x89, 0xd8, 0xc3 }, 4 },
	{ "runtime.main", 1, 144, { 0x90, 0xc3 }, 2 },
	/* sub rsp,0x18; test rax,rax; je +5; add rsp,0x18; ret; add rsp,0x18; ret */
	{ "runtime.newproc1", 1, 4520, { 0x48, 0x83, 0xec, 0x18, 0x48, 0x85, 0xc0, 0x74,
					 0x05, 0x48, 0x83, 0xc4, 0x18, 0xc3, 0x48, 0x83,
					 0xc4, 0x18, 0xc3 }, 19 },
	{ "runtime.execute", 1, 2990, { 0x48, 0x89, 0xc1, 0xc3 }, 4 },
	{ "runtime.gopark", 1, 381, { 0x48, 0x89, 0xc8, 0xc3 }, 4 },
	{ "runtime.ready", 1, 880, { 0x90, 0x90, 0xc3 }, 3 },
	{ "runtime.goexit1", 1, 4000, { 0x4c, 0x89, 0xf0, 0xc3 }, 4 },
};
#define NFUNCS		ARRAY_SIZE(funcs)
#define FUNC_SPAN	32
#define TEXT_OFF	0x200

static const char *const files[] = { "/home/fuzz/seed/main.go",
				     "/usr/lib/go/src/runtime/proc.go" };
static const char *const reasons[] = { "", "GC assist marking", "IO wait",
				       "chan receive (nil chan)", "chan send (nil chan)",
				       "select", "sleep" };

/* The go1.18+ pclntab of funcs at text_start. */
static void build_pclntab(struct buf *b, const struct variant *v, uint64_t text_start)
{
	size_t func_size = v->magic == 0xfffffff0U ? 40 : 44;
	size_t hdr, name_off[NFUNCS], file_off[ARRAY_SIZE(files)];
	uint32_t pcfile[NFUNCS], pcln[NFUNCS];
	size_t funcname, cu, filetab, pctab, functab, i;

	hdr = put_u32(b, v->magic);
	put_u8(b, 0);
	put_u8(b, 0);
	put_u8(b, 1);		/* quantum */
	put_u8(b, 8);		/* ptrsize */
	put_u64(b, NFUNCS);
	put_u64(b, ARRAY_SIZE(files));
	put_u64(b, v->text_start_zero ? 0 : text_start);
	put(b, NULL, 5 * 8);	/* table offsets, below */

	funcname = b->len;
	for (i = 0; i < NFUNCS; i++)
		name_off[i] = put_str(b, funcs[i].name) - funcname;
	align(b, 4, 0);
	cu = b->len;
	put(b, NULL, 4 * ARRAY_SIZE(files));
	filetab = b->len;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		file_off[i] = put_str(b, files[i]) - filetab;
		set_u32(b, cu + 4 * i, (uint32_t)file_off[i]);
	}
	pctab = b->len;
	put_u8(b, 0);		/* offset 0 is "no table" */
	for (i = 0; i < NFUNCS; i++) {
		/* File: one range. Line: two halves, line and line + 1. */
		pcfile[i] = (uint32_t)(b->len - pctab);
		put_uleb(b, zigzag((int32_t)funcs[i].file + 1));
		put_uleb(b, FUNC_SPAN);
		put_u8(b, 0);
		pcln[i] = (uint32_t)(b->len - pctab);
		put_uleb(b, zigzag(funcs[i].line + 1));
		put_uleb(b, FUNC_SPAN / 2);
		put_uleb(b, zigzag(1));
		put_uleb(b, FUNC_SPAN / 2);
		put_u8(b, 0);
	}
	align(b, 8, 0);
	functab = b->len;
	for (i = 0; i <= NFUNCS; i++) {
		put_u32(b, (uint32_t)(i * FUNC_SPAN));
		put_u32(b, i < NFUNCS ? (uint32_t)((NFUNCS + 1) * 8 + i * func_size) : 0);
	}
	for (i = 0; i < NFUNCS; i++) {
		size_t rec = put(b, NULL, func_size);

		set_u32(b, rec + 0, (uint32_t)(i * FUNC_SPAN));	/* entryOff */
		set_u32(b, rec + 4, (uint32_t)name_off[i]);	/* nameOff */
		set_u32(b, rec + 20, pcfile[i]);
		set_u32(b, rec + 24, pcln[i]);
		set_u32(b, rec + 32, 0);			/* cuOffset */
		if (func_size == 44)
			set_u32(b, rec + 36, (uint32_t)funcs[i].line);
	}
	set_u64(b, hdr + 32, funcname - hdr);
	set_u64(b, hdr + 40, cu - hdr);
	set_u64(b, hdr + 48, filetab - hdr);
	set_u64(b, hdr + 56, pctab - hdr);
	set_u64(b, hdr + 64, functab - hdr);
}

/* DWARF 4: runtime.g's members and the probed functions' parameters. */
enum { AB_CU = 1, AB_STRUCT, AB_MEMBER, AB_BASE, AB_SUB, AB_PARAM };

static void build_abbrev(struct buf *b)
{
	static const uint8_t abbrev[] = {
		AB_CU, 0x11, 1, 0x03, 0x08, 0, 0,
		AB_STRUCT, 0x13, 1, 0x03, 0x08, 0x0b, 0x0f, 0, 0,
		AB_MEMBER, 0x0d, 0, 0x03, 0x08, 0x38, 0x0f, 0x49, 0x13, 0, 0,
		AB_BASE, 0x24, 0, 0x03, 0x08, 0x0b, 0x0f, 0x3e, 0x0b, 0, 0,
		AB_SUB, 0x2e, 1, 0x03, 0x08, 0x11, 0x01, 0x12, 0x01, 0, 0,
		AB_PARAM, 0x05, 0, 0x03, 0x08, 0x4b, 0x0c, 0x02, 0x18, 0, 0,
		0,
	};

	put(b, abbrev, sizeof(abbrev));
}

struct param {
	const char *name;
	uint8_t result;
	uint8_t expr[3];
	size_t len;
};

static void dw_sub(struct buf *b, const char *name, uint64_t text_start,
		   const struct param *p, size_t n)
{
	size_t i, k;

	for (k = 0; k < NFUNCS && strcmp(funcs[k].name, name); k++)
		;
	put_uleb(b, AB_SUB);
	put_str(b, name);
	put_u64(b, text_start + k * FUNC_SPAN);
	put_u64(b, text_start + (k + 1) * FUNC_SPAN);
	for (i = 0; i < n; i++) {
		put_uleb(b, AB_PARAM);
		put_str(b, p[i].name);
		put_u8(b, p[i].result);
		put_uleb(b, p[i].len);
		put(b, p[i].expr, p[i].len);
	}
	put_u8(b, 0);
}

static void build_info(struct buf *b, uint64_t text_start)
{
	/* DWARF registers: 0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi; DW_OP_reg0 0x50. */
	static const struct param execute[] = {
		{ "gp", 0, { 0x50 }, 1 }, { "inheritTime", 0, { 0x53 }, 1 },
	};
	static const struct param gopark[] = {
		{ "unlockf", 0, { 0x50 }, 1 }, { "lock", 0, { 0x53 }, 1 },
		{ "reason", 0, { 0x52 }, 1 }, { "traceReason", 0, { 0x90, 0x04 }, 2 },
		{ "traceskip", 0, { 0x91, 0x08 }, 2 },
	};
	static const struct param ready[] = {
		{ "gp", 0, { 0x50 }, 1 }, { "traceskip", 0, { 0x53 }, 1 },
		{ "next", 0, { 0x52 }, 1 },
	};
	static const struct param newproc1[] = {
		{ "fn", 0, { 0x50 }, 1 }, { "callergp", 0, { 0x53 }, 1 },
		{ "callerpc", 0, { 0x52 }, 1 }, { "~r0", 1, { 0x50 }, 1 },
	};
	static const struct {
		const char *name;
		uint64_t off;
	} members[] = {
		{ "stack", 0 }, { "goid", 152 }, { "parentGoid", 272 }, { "gopc", 280 },
		{ "startpc", 296 },
	};
	size_t cu, len_at, base, i;

	cu = len_at = put_u32(b, 0);
	put_u16(b, 4);
	put_u32(b, 0);
	put_u8(b, 8);
	put_uleb(b, AB_CU);
	put_str(b, "runtime");
	base = b->len - cu;
	put_uleb(b, AB_BASE);
	put_str(b, "uint64");
	put_uleb(b, 8);
	put_u8(b, 0x07);	/* DW_ATE_unsigned */
	put_uleb(b, AB_STRUCT);
	put_str(b, "runtime.g");
	put_uleb(b, 440);
	for (i = 0; i < ARRAY_SIZE(members); i++) {
		put_uleb(b, AB_MEMBER);
		put_str(b, members[i].name);
		put_uleb(b, members[i].off);
		put_u32(b, (uint32_t)base);
	}
	put_u8(b, 0);
	dw_sub(b, "runtime.execute", text_start, execute, ARRAY_SIZE(execute));
	dw_sub(b, "runtime.gopark", text_start, gopark, ARRAY_SIZE(gopark));
	dw_sub(b, "runtime.ready", text_start, ready, ARRAY_SIZE(ready));
	dw_sub(b, "runtime.newproc1", text_start, newproc1, ARRAY_SIZE(newproc1));
	dw_sub(b, "runtime.goexit1", text_start, NULL, 0);
	put_u8(b, 0);
	set_u32(b, len_at, (uint32_t)(b->len - len_at - 4));
}

struct shdr {
	const char *name;
	Elf64_Shdr sh;
};

static void gen_go_elf(const struct variant *v)
{
	const uint64_t base = v->pie ? 0 : 0x400000;
	struct buf f = { 0 }, shstr = { 0 }, strtab = { 0 };
	struct shdr sec[16];
	size_t nsec = 0, i, rodata, text_end, pcln, pcln_end, data, data_end, bi, reasons_at;
	size_t str_at[ARRAY_SIZE(reasons)], ver_at, mod_at, symtab_idx = 0, strtab_idx = 0;
	size_t rela = 0, nrela = 0;
	uint64_t rela_ent[ARRAY_SIZE(reasons) + 2][3];
	const char *mod = "path\tfuzz/seed\nmod\tfuzz/seed\t(devel)\t\n";
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];

	memset(sec, 0, sizeof(sec));
	put(&f, NULL, TEXT_OFF);	/* ELF and program headers, filled last */
#define VA(off)	(base + (off))
#define SEC(n, type, flags, off, size) do {					\
		sec[++nsec] = (struct shdr){ n, { .sh_type = type, .sh_flags = flags,	\
			.sh_addr = (flags) & SHF_ALLOC ? VA(off) : 0, .sh_offset = off,	\
			.sh_size = size, .sh_addralign = 8 } };			\
	} while (0)

	/* .text: R-X */
	for (i = 0; i < NFUNCS; i++) {
		size_t at = put(&f, funcs[i].code, funcs[i].len);

		while (f.len < at + FUNC_SPAN)
			put_u8(&f, 0xcc);
	}
	text_end = f.len;
	SEC(".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, TEXT_OFF, text_end - TEXT_OFF);

	/* .rodata and .gopclntab: R */
	align(&f, 16, 0);
	rodata = f.len;
	for (i = 0; i < ARRAY_SIZE(reasons); i++)
		str_at[i] = put(&f, reasons[i], strlen(reasons[i]));
	ver_at = put(&f, v->version, strlen(v->version));
	mod_at = put(&f, mod, strlen(mod));
	SEC(".rodata", SHT_PROGBITS, SHF_ALLOC, rodata, f.len - rodata);
	align(&f, 32, 0);
	pcln = f.len;
	build_pclntab(&f, v, VA(TEXT_OFF));
	pcln_end = f.len;
	SEC(v->pclntab_by_symbol ? ".noptrdata.pcln" : v->pie ? ".data.rel.ro.gopclntab" :
	    ".gopclntab", SHT_PROGBITS, SHF_ALLOC, pcln, pcln_end - pcln);

	/* .go.buildinfo and .data: RW */
	align(&f, 4096, 0);
	data = f.len;
	bi = put(&f, "\xff Go buildinf:", 14);
	put_u8(&f, 8);
	put_u8(&f, v->old_buildinfo ? 0 : 2);
	put(&f, NULL, 16);
	if (v->old_buildinfo) {
		/* Pointers to two string headers that follow. */
		size_t hv = bi + 32, hm = bi + 48;

		set_u64(&f, bi + 16, v->pie ? 0 : VA(hv));
		set_u64(&f, bi + 24, v->pie ? 0 : VA(hm));
		put_u64(&f, v->pie ? 0 : VA(ver_at));
		put_u64(&f, strlen(v->version));
		put_u64(&f, v->pie ? 0 : VA(mod_at));
		put_u64(&f, strlen(mod));
		if (v->pie) {
			uint64_t r[][2] = { { bi + 16, hv }, { bi + 24, hm },
					    { hv, ver_at }, { hm, mod_at } };

			for (i = 0; i < ARRAY_SIZE(r); i++) {
				rela_ent[nrela][0] = VA(r[i][0]);
				rela_ent[nrela][1] = R_X86_64_RELATIVE;
				rela_ent[nrela++][2] = VA(r[i][1]);
			}
		}
	} else {
		put_uleb(&f, strlen(v->version));
		put(&f, v->version, strlen(v->version));
		put_uleb(&f, strlen(mod));
		put(&f, mod, strlen(mod));
	}
	SEC(".go.buildinfo", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, bi, f.len - bi);
	align(&f, 16, 0);
	reasons_at = f.len;
	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		size_t at = put_u64(&f, v->pie || !reasons[i][0] ? 0 : VA(str_at[i]));

		put_u64(&f, strlen(reasons[i]));
		if (v->pie && reasons[i][0] && nrela < ARRAY_SIZE(rela_ent)) {
			rela_ent[nrela][0] = VA(at);
			rela_ent[nrela][1] = R_X86_64_RELATIVE;
			rela_ent[nrela++][2] = VA(str_at[i]);
		}
	}
	SEC(".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, reasons_at, f.len - reasons_at);
	data_end = f.len;
	if (nrela) {
		align(&f, 8, 0);
		rela = f.len;
		for (i = 0; i < nrela; i++) {
			put_u64(&f, rela_ent[i][0]);
			put_u64(&f, rela_ent[i][1]);
			put_u64(&f, rela_ent[i][2]);
		}
		SEC(".rela.dyn", SHT_RELA, SHF_ALLOC, rela, f.len - rela);
		sec[nsec].sh.sh_entsize = 24;
	}
	/* Not loaded: symbols, DWARF, section names. */
	if (v->symtab) {
		static const char *const names[] = { "runtime.text", "runtime.pclntab",
						     "runtime.waitReasonStrings", "main.main" };
		uint64_t values[] = { VA(TEXT_OFF), VA(pcln), VA(reasons_at), VA(TEXT_OFF) };
		uint64_t sizes[] = { 0, pcln_end - pcln, 16 * ARRAY_SIZE(reasons), FUNC_SPAN };
		size_t sym;

		put_u8(&strtab, 0);
		align(&f, 8, 0);
		sym = put(&f, NULL, sizeof(Elf64_Sym));
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			Elf64_Sym s = {
				.st_name = (uint32_t)put_str(&strtab, names[i]),
				.st_info = ELF64_ST_INFO(STB_GLOBAL, i == 3 ? STT_FUNC : STT_OBJECT),
				.st_shndx = 1,
				.st_value = values[i],
				.st_size = sizes[i],
			};
			put(&f, &s, sizeof(s));
		}
		SEC(".symtab", SHT_SYMTAB, 0, sym, f.len - sym);
		symtab_idx = nsec;
		sec[nsec].sh.sh_entsize = sizeof(Elf64_Sym);
		sec[nsec].sh.sh_info = 1;
		i = put(&f, strtab.p, strtab.len);
		SEC(".strtab", SHT_STRTAB, 0, i, strtab.len);
		strtab_idx = nsec;
		sec[symtab_idx].sh.sh_link = (uint32_t)strtab_idx;
	}
	if (v->dwarf) {
		struct buf ab = { 0 }, info = { 0 };

		build_abbrev(&ab);
		build_info(&info, VA(TEXT_OFF));
		i = put(&f, ab.p, ab.len);
		SEC(".debug_abbrev", SHT_PROGBITS, 0, i, ab.len);
		sec[nsec].sh.sh_addralign = 1;
		i = put(&f, info.p, info.len);
		SEC(".debug_info", SHT_PROGBITS, 0, i, info.len);
		sec[nsec].sh.sh_addralign = 1;
		free(ab.p);
		free(info.p);
	}
	SEC(".shstrtab", SHT_STRTAB, 0, 0, 0);
	sec[nsec].sh.sh_addralign = 1;
	put_u8(&shstr, 0);
	for (i = 1; i <= nsec; i++)
		sec[i].sh.sh_name = (uint32_t)put_str(&shstr, sec[i].name);
	sec[nsec].sh.sh_offset = put(&f, shstr.p, shstr.len);
	sec[nsec].sh.sh_size = shstr.len;
	align(&f, 8, 0);

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = v->pie ? ET_DYN : ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = VA(TEXT_OFF + 3 * FUNC_SPAN);
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = ARRAY_SIZE(ph);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	if (v->shdrs) {
		eh.e_shoff = f.len;
		eh.e_shnum = (uint16_t)(nsec + 1);
		eh.e_shstrndx = (uint16_t)nsec;
		for (i = 0; i <= nsec; i++)
			put(&f, &sec[i].sh, sizeof(sec[i].sh));
	}
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
			      .p_vaddr = VA(0), .p_paddr = VA(0), .p_filesz = text_end,
			      .p_memsz = text_end, .p_align = 0x1000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = rodata,
			      .p_vaddr = VA(rodata), .p_paddr = VA(rodata),
			      .p_filesz = pcln_end - rodata, .p_memsz = pcln_end - rodata,
			      .p_align = 0x1000 };
	ph[2] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = data,
			      .p_vaddr = VA(data), .p_paddr = VA(data),
			      .p_filesz = data_end - data, .p_memsz = data_end - data + 0x100,
			      .p_align = 0x1000 };
	memcpy(f.p, &eh, sizeof(eh));
	memcpy(f.p + sizeof(eh), ph, sizeof(ph));
	write_file(v->file, f.p, f.len);
	free(f.p);
	free(shstr.p);
	free(strtab.p);
#undef SEC
#undef VA
}

static void gen_gobin(void)
{
	static const struct variant variants[] = {
		{ .file = "go122-dwarf.elf", .version = "go1.22.5", .magic = 0xfffffff1U,
		  .symtab = true, .dwarf = true, .shdrs = true },
		{ .file = "go119-nodwarf.elf", .version = "go1.19.8", .magic = 0xfffffff0U,
		  .symtab = true, .shdrs = true },
		{ .file = "go123-stripped.elf", .version = "go1.23.1", .magic = 0xfffffff1U,
		  .shdrs = true },
		{ .file = "go123-noshdr.elf", .version = "go1.23.1", .magic = 0xfffffff1U },
		{ .file = "go121-pie-oldbuildinfo.elf", .version = "go1.21.13",
		  .magic = 0xfffffff1U, .pie = true, .old_buildinfo = true, .symtab = true,
		  .shdrs = true },
		{ .file = "go122-pclntab-symbol.elf", .version = "go1.22.5",
		  .magic = 0xfffffff1U, .symtab = true, .shdrs = true,
		  .pclntab_by_symbol = true, .text_start_zero = true },
		{ .file = "go126-unsupported.elf", .version = "go1.26.0 X:nodwarf5",
		  .magic = 0xfffffff1U, .symtab = true, .dwarf = true, .shdrs = true,
		  .text_start_zero = true },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(variants); i++)
		gen_go_elf(&variants[i]);
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "capfile") && strcmp(argv[1], "gobin"))) {
		fprintf(stderr, "usage: gen_seeds capfile|gobin DIR\n");
		return 2;
	}
	outdir = argv[2];
	if (!strcmp(argv[1], "capfile"))
		gen_capfile();
	else
		gen_gobin();
	return 0;
}
