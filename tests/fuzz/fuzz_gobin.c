// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the Go binary parser (ctl/gobin/gobin.c, gopclntab.c, godwarf.c,
 * gofacts.c, gorecover.c, x86flow.c; ELF through libelf, DWARF through
 * libdw, x86 code through capstone). The input is a whole file:
 * gobin_open_mem() parses it; when it is accepted, everything godiagctl
 * asks of a binary is asked: goroutine tracing setup (DWARF or recovery
 * from the code and data, wait reasons, probes), function names and lines
 * at a spread of addresses, function ranges by name, "did you mean", line
 * -> PCs, RETs of functions, file offsets and
 * the load bias from a synthetic /proc/PID/maps.
 *
 * Checked besides "no crash, no leak, no undefined behaviour": a refused
 * file gets a one-line message, strings handed out are NUL-terminated,
 * and the load bias of a mapping the test itself made is the right one.
 *
 * Built twice by tests/fuzz/Makefile: with libFuzzer (clang), and with
 * driver.c (gcc + ASan/UBSan) to replay tests/fuzz/regress/fuzz_gobin/.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "gobin/breakplan.h"
#include "gobin/gobin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* The most code one function's RETs are looked for in (capstone is slow). */
#define RETS_SPAN_MAX	(64U << 10)

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_gobin: broken promise: %s\n", what);
	abort();
}

static void check_err(const char *err, size_t errlen)
{
	if (!memchr(err, '\0', errlen) || !err[0] || strchr(err, '\n'))
		broken("error message missing or not one line");
}

/* Reads every byte of a string the parser handed out (ASan checks). */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static void at_addr(const struct gobin *b, uint64_t vaddr)
{
	const char *file = NULL;
	uint32_t line;
	uint64_t off;

	const char *func;

	touch(gobin_func_name(b, vaddr));
	if (gobin_line(b, vaddr, &file, &line) == 0) {
		if (!file)
			broken("gobin_line without a file");
		touch(file);
	}
	gobin_file_offset(b, vaddr, &off);
	gobin_pc_source(b, vaddr, &func, &file, &line);
	if (!func && (file || line))
		broken("gobin_pc_source: a line without a function");
	touch(func);
	touch(file);
	touch(gobin_go_start(b, vaddr));
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * A function by name: its addresses, lines, RETs, "did you mean"; the
 * PCs of its first line for the first few found (gobin_line_pcs() walks
 * every function's line table: the slowest call on a real binary).
 */
static void on_func(const struct gobin *b, const char *name, int *line_pcs_left)
{
	const char *suggest[4], *file = NULL;
	uint64_t entry, end, pcs[8], rets[8];
	uint32_t line;
	size_t i, n;

	n = gobin_func_suggest(b, name, suggest, ARRAY_SIZE(suggest));
	if (n > ARRAY_SIZE(suggest))
		broken("gobin_func_suggest count");
	for (i = 0; i < n; i++)
		touch(suggest[i]);
	if (gobin_func_range(b, name, &entry, &end))
		return;
	at_addr(b, entry);
	at_addr(b, end);
	if (end > entry) {
		at_addr(b, entry + (end - entry) / 2);
		at_addr(b, end - 1);
		gobin_rets(b, entry, end - entry > RETS_SPAN_MAX ? entry + RETS_SPAN_MAX : end,
			   rets, ARRAY_SIZE(rets));
	}
	if (gobin_line(b, entry, &file, &line) == 0 && *line_pcs_left > 0) {
		const char *base = strrchr(file, '/');

		--*line_pcs_left;

		gobin_line_pcs(b, file, line, pcs, ARRAY_SIZE(pcs));
		if (base && base[1])
			gobin_line_pcs(b, base + 1, line + 1, pcs, ARRAY_SIZE(pcs));
	}
}

static void check_load_bias(const struct gobin *b)
{
	uint64_t base = b->first_load_vaddr & ~0xfffULL, start, bias = 0;
	uint64_t shift = b->pie ? 0x555555554000ULL : 0;
	char maps[1024];

	if (gobin_load_bias(b, "", makedev(8, 1), 1, &bias) == 0)
		broken("load bias from empty maps");
	start = base + shift;
	if (start < base || start > UINT64_MAX - 0x3000)
		return;
	snprintf(maps, sizeof(maps),
		 "%" PRIx64 "-%" PRIx64 " r-xp 00001000 08:01 4242 /fuzz/prog\n"
		 "not a maps line\n"
		 "7f0000000000-7f0000001000 r--p 00000000 08:01 99 /lib/other.so\n"
		 "%" PRIx64 "-%" PRIx64 " r--p 00000000 08:01 4242 /fuzz/prog\n"
		 "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]",
		 start + 0x1000, start + 0x3000, start, start + 0x1000);
	if (gobin_load_bias(b, maps, makedev(8, 1), 4242, &bias) != 0 || bias != shift)
		broken("load bias of a synthetic mapping");
}

/* A breakpoint plan: sites inside the file, arguments bounded, or one line. */
static void on_break(const struct gobin *b, const char *spec)
{
	static const char *const types[] = { "1:string", "2:iface" };
	static const char *const fields[] = { "s.a" };
	struct gobin_break_opts o = {
		.argtypes = types, .nargtypes = ARRAY_SIZE(types),
		.fields = fields, .nfields = spec[0] == 'm' ? 1 : 0,
	};
	struct gobin_break *bp = malloc(sizeof(*bp));
	char err[512];
	size_t i;

	if (!bp)
		abort();
	err[0] = '\0';
	if (gobin_break_plan(b, spec, &o, bp, err, sizeof(err))) {
		check_err(err, sizeof(err));
	} else {
		if (bp->nsites > GOBIN_BREAK_SITES_MAX || bp->nargs > GOBIN_BREAK_ARGS_MAX ||
		    bp->nrets > GOBIN_BREAK_RETS_MAX || !bp->nsites)
			broken("break plan counts");
		for (i = 0; i < bp->nsites; i++) {
			touch(bp->sites[i].func);
			touch(bp->sites[i].file);
			if (bp->sites[i].offset < bp->sites[i].func_offset)
				broken("break site before its function");
		}
		for (i = 0; i < bp->nargs; i++)
			if (bp->args[i].nwords > 3 || !memchr(bp->args[i].name, '\0', 64))
				broken("break argument");
	}
	free(bp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"main.main", "main.main.func1", "main.main.gowrap1", "main.Map[...]",
		"runtime.main",
		"runtime.newproc1", "runtime.execute", "runtime.gopark",
		"runtime.ready", "runtime.goexit1", "runtime.goexit", "",
	};
	struct gobin *b = malloc(sizeof(*b));
	char err[512];
	int line_pcs_left = 2;
	size_t i;

	if (!b)
		abort();
	err[0] = '\0';
	if (gobin_open_mem(b, data, size, "fuzz-input", err, sizeof(err))) {
		check_err(err, sizeof(err));
		free(b);
		return 0;
	}
	if (!memchr(b->go_version, '\0', sizeof(b->go_version)) ||
	    !memchr(b->pclntab_source, '\0', sizeof(b->pclntab_source)))
		broken("version or pclntab source not terminated");

	if (gobin_goroutine_setup(b, err, sizeof(err))) {
		check_err(err, sizeof(err));
	} else {
		if (b->nprobes > GOBIN_PROBES_MAX)
			broken("probe count");
		for (i = 0; i < b->nprobes; i++) {
			touch(b->probes[i].func);
			touch(gobin_reg_name(b->probes[i].arg_reg));
			touch(gobin_reg_name(b->probes[i].g_reg));
			at_addr(b, b->probes[i].vaddr);
		}
		for (i = 0; i < b->nreasons; i++)
			if (!b->reasons[i])
				broken("NULL wait reason");
			else
				touch(b->reasons[i]);
	}

	for (i = 0; i < ARRAY_SIZE(names); i++)
		on_func(b, names[i], &line_pcs_left);
	/* Each walks every function's inline tree or line table: a few only. */
	on_break(b, "main.main");
	on_break(b, "runtime.gopark");
	on_break(b, "main.go:10");
	on_break(b, b->pie ? "0x1000" : "0x401000");

	/* The start of the image, past it, and addresses the input chose. */
	for (i = 0; i < 8; i++)
		at_addr(b, b->first_load_vaddr + i * 0x40);
	at_addr(b, b->first_load_vaddr - 1);
	at_addr(b, 0);
	at_addr(b, UINT64_MAX);
	for (i = 0; size >= 8 && i < 8; i++)
		at_addr(b, get_u64(data + (size - 8) / 8 * i));

	{
		uint64_t pcs[4];

		gobin_line_pcs(b, "main.go", 5, pcs, ARRAY_SIZE(pcs));
	}
	check_load_bias(b);

	gobin_close(b);
	free(b);
	return 0;
}
