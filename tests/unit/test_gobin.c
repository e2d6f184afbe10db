// SPDX-License-Identifier: GPL-2.0
/*
 * Go binaries (ctl/gobin/gobin.c, gopclntab.c, godwarf.c, gofacts.c,
 * gorecover.c, x86flow.c, gowrap.c) on the real test programs:
 * build/progs/{gobusy,gostart}-go1.{19,21,22,23,26,27}{,-pie,-stripped}
 * (make -C tests/progs go-all). A missing program is a failure: a
 * toolchain that is not installed must fail the unit tests, not shrink
 * them. Paths are relative to the repo root, found from this binary's own
 * place (tests/unit).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "gobin/gobin.h"
#include "gobin/gobin_impl.h"
#include "gobin/gorecover.h"
#include "test.h"
#include "test_files.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static char repo[PATH_MAX];

/*
 * What the DWARF of each toolchain's build says (the plain variant's DWARF
 * is read again at run time: the recovered values must equal it), and
 * where its wait reasons put select, chan receive, semacquire and sleep.
 */
struct version {
	int minor;
	uint32_t magic;
	size_t nreasons;
	uint64_t goid, parent, gopc, startpc, waitreason;	/* parent 0: absent */
	size_t at_select, at_chanrecv, at_semacquire, at_sleep;
	/* Filled from the plain variant, for the others. */
	bool have_dwarf;
	struct godiag_go_layout dwarf;
	uint64_t dwarf_waitreason;
	uint64_t reasons_at;
	char **reasons;
	size_t nreasons_bin;
};

static struct version versions[] = {
	{ .minor = 19, .magic = 0xfffffff0, .nreasons = 27,
	  .goid = 152, .parent = 0, .gopc = 296, .startpc = 312, .waitreason = 176,
	  .at_select = 9, .at_chanrecv = 14, .at_semacquire = 18, .at_sleep = 19 },
	{ .minor = 21, .magic = 0xfffffff1, .nreasons = 32,
	  .goid = 152, .parent = 272, .gopc = 280, .startpc = 296, .waitreason = 176,
	  .at_select = 9, .at_chanrecv = 14, .at_semacquire = 18, .at_sleep = 19 },
	{ .minor = 22, .magic = 0xfffffff1, .nreasons = 37,
	  .goid = 152, .parent = 272, .gopc = 280, .startpc = 296, .waitreason = 176,
	  .at_select = 9, .at_chanrecv = 14, .at_semacquire = 18, .at_sleep = 19 },
	{ .minor = 23, .magic = 0xfffffff1, .nreasons = 38,
	  .goid = 160, .parent = 280, .gopc = 288, .startpc = 304, .waitreason = 184,
	  .at_select = 9, .at_chanrecv = 14, .at_semacquire = 18, .at_sleep = 19 },
	{ .minor = 26, .magic = 0xfffffff1, .nreasons = 47,
	  .goid = 152, .parent = 280, .gopc = 288, .startpc = 304, .waitreason = 176,
	  .at_select = 18, .at_chanrecv = 19, .at_semacquire = 13, .at_sleep = 14 },
	{ .minor = 27, .magic = 0xfffffff1, .nreasons = 47,
	  .goid = 152, .parent = 280, .gopc = 288, .startpc = 304, .waitreason = 176,
	  .at_select = 18, .at_chanrecv = 19, .at_semacquire = 13, .at_sleep = 14 },
};

static const char *const variants[] = { "", "-pie", "-stripped" };

/* A program that was not built fails the cases that need it. */
static void missing(const char *what, const char *prog)
{
	test_begin("%s: build/progs/%s is built", what, prog);
	test_fail_at(__FILE__, __LINE__, "missing (make -C tests/progs go-all; is the "
		     "Go toolchain of the version installed?)");
	test_end();
}

static void prog_path(char *buf, size_t len, const char *name)
{
	const char *dir = getenv("GODIAG_PROGS");

	if (dir && *dir)
		snprintf(buf, len, "%s/%s", dir, name);
	else
		snprintf(buf, len, "%s/build/progs/%s", repo, name);
}

/* The number of the first line of the Go source containing text, or 0. */
static uint32_t source_line(const char *text)
{
	return test_source_line(repo, "tests/progs/go/gobusy/main.go", text);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = s ? strlen(s) : 0, lx = strlen(suffix);

	return s && ls >= lx && !strcmp(s + ls - lx, suffix);
}

static const struct gobin_probe *probe_of(const struct gobin *b, uint32_t kind)
{
	size_t i;

	for (i = 0; i < b->nprobes; i++)
		if (b->probes[i].kind == kind)
			return &b->probes[i];
	return NULL;
}

static bool layout_eq(const struct godiag_go_layout *a,
		      const struct godiag_go_layout *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static const struct gobin_fact *fact(const struct gobin *b, enum gobin_fact_id id)
{
	return &b->facts[id];
}

/*
 * The facts: with DWARF, from DWARF (the registers too, but newproc1's
 * result, which DWARF does not place); without, recovered from the code.
 * The values are the expected ones and, for the PIE and stripped builds,
 * those of the plain build's DWARF.
 */
static void check_facts(struct version *v, const struct gobin *b, const char *name,
			bool stripped)
{
	enum gobin_source field_src = stripped ? GOBIN_SRC_CODE : GOBIN_SRC_DWARF;
	struct godiag_go_layout want = {
		.g_goid = (__u16)v->goid, .g_parent_goid = (__u16)v->parent,
		.g_gopc = (__u16)v->gopc, .g_startpc = (__u16)v->startpc,
	};
	size_t i;

	test_begin("%s: facts and their sources", name);
	for (i = GOBIN_F_GOID; i <= GOBIN_F_WAITREASON; i++) {
		CHECK(fact(b, i)->known);
		CHECK_U64(fact(b, i)->source, field_src);
	}
	CHECK(layout_eq(&b->layout, &want));
	CHECK_U64(fact(b, GOBIN_F_WAITREASON)->value, v->waitreason);
	CHECK_U64(fact(b, GOBIN_F_PARENT_GOID)->absent, v->parent == 0);
	CHECK_U64(fact(b, GOBIN_F_REASONS)->source,
		  stripped ? GOBIN_SRC_CODE : GOBIN_SRC_SYMTAB);
	CHECK_U64(fact(b, GOBIN_F_REG_NEWPROC1)->source, GOBIN_SRC_CODE);
	CHECK_U64(fact(b, GOBIN_F_REG_NEWPROC1)->value, GODIAG_REG_RAX);
	CHECK_U64(fact(b, GOBIN_F_REG_EXECUTE)->value, GODIAG_REG_RAX);
	CHECK_U64(fact(b, GOBIN_F_REG_READY)->value, GODIAG_REG_RAX);
	CHECK_U64(fact(b, GOBIN_F_REG_GOPARK)->value, GODIAG_REG_RCX);
	CHECK_U64(fact(b, GOBIN_F_REG_G)->value, GODIAG_REG_R14);
	CHECK_U64(fact(b, GOBIN_F_REG_G)->source, GOBIN_SRC_ABI);
	for (i = GOBIN_F_REG_EXECUTE; i <= GOBIN_F_REG_READY; i++) {
		CHECK_U64(fact(b, i)->source, field_src);
		/* DWARF or the code, and the ABI, every time */
		CHECK(strstr(fact(b, i)->agree, "runtime.") && strstr(fact(b, i)->agree, "abi"));
	}
	if (!stripped && !v->have_dwarf) {
		v->dwarf = b->layout;
		v->dwarf_waitreason = fact(b, GOBIN_F_WAITREASON)->value;
		v->have_dwarf = true;
	}
	if (v->have_dwarf) {
		CHECK(layout_eq(&b->layout, &v->dwarf));
		CHECK_U64(fact(b, GOBIN_F_WAITREASON)->value, v->dwarf_waitreason);
	}
	test_end();
}

/*
 * Every way of recovering a fact from the code, run on its own: each must
 * find the DWARF value (the plain build's for the stripped one), except
 * the ways for what an older runtime does not have.
 */
static void check_recovery(const struct version *v, const struct gobin *b,
			   const char *name)
{
	static const struct { enum gorec_way way; int field; int min_minor; } want[] = {
		{ GW_GOID_NEWPROC1_COPY, 0, 21 }, { GW_GOID_NEWPROC1_CACHE, 0, 0 },
		{ GW_GOID_CREATEDBY, 0, 0 }, { GW_PARENT_NEWPROC1, 1, 21 },
		{ GW_PARENT_CREATEDBY, 1, 21 }, { GW_GOPC_NEWPROC1, 2, 0 },
		{ GW_GOPC_CREATEDBY, 2, 0 }, { GW_STARTPC_NEWPROC1, 3, 0 },
		{ GW_STARTPC_SYSTEM, 3, 0 }, { GW_WAIT_GOPARK, 4, 0 },
		{ GW_WAIT_HEADER, 4, 0 }, { GW_WAIT_NEWPROC1, 4, 23 },
	};
	struct gorecover *r = calloc(1, sizeof(*r));
	uint64_t dw[5];
	size_t i;

	test_begin("%s: every way recovers DWARF's value", name);
	if (!r || !v->have_dwarf) {
		test_fail_at(__FILE__, __LINE__, "no DWARF values to compare with");
		test_end();
		free(r);
		return;
	}
	dw[0] = v->dwarf.g_goid;
	dw[1] = v->dwarf.g_parent_goid;
	dw[2] = v->dwarf.g_gopc;
	dw[3] = v->dwarf.g_startpc;
	dw[4] = v->dwarf_waitreason;
	gorecover_run(b, r);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct gorec_result *w = &r->way[want[i].way];

		if (v->minor < want[i].min_minor) {
			if (w->found)
				test_fail_at(__FILE__, __LINE__, "%s finds %" PRIu64
					     " in go1.%d", gorecover_where(want[i].way),
					     w->value, v->minor);
			continue;
		}
		if (!w->found || w->value != dw[want[i].field])
			test_fail_at(__FILE__, __LINE__, "way %d (%s): %s %" PRIu64
				     ", DWARF %" PRIu64, (int)want[i].way,
				     gorecover_where(want[i].way),
				     w->found ? "finds" : "finds nothing, not",
				     w->value, dw[want[i].field]);
	}
	CHECK(r->way[GW_REG_NEWPROC1].found && r->way[GW_REG_NEWPROC1].reg == GODIAG_REG_RAX);
	CHECK(r->way[GW_REG_EXECUTE].found && r->way[GW_REG_EXECUTE].reg == GODIAG_REG_RAX);
	CHECK(r->way[GW_REG_READY].found && r->way[GW_REG_READY].reg == GODIAG_REG_RAX);
	CHECK(r->way[GW_WAIT_GOPARK].reg == GODIAG_REG_RCX);
	for (i = GW_REASONS_STRING; i <= GW_REASONS_DATA; i++) {
		CHECK(r->way[i].found);
		CHECK_U64(r->way[i].value, fact(b, GOBIN_F_REASONS)->value);
		if (i != GW_REASONS_DATA)
			CHECK_U64(r->way[i].count, v->nreasons);
	}
	test_end();
	free(r);
}

/* The reason strings: the runtime's own, the same in every build. */
static void check_reasons(struct version *v, const struct gobin *b, const char *name,
			  bool stripped)
{
	size_t i;

	test_begin("%s: wait reasons", name);
	CHECK_U64(b->nreasons, v->nreasons);
	CHECK_U64(fact(b, GOBIN_F_REASONS)->count, v->nreasons);
	if (b->nreasons == v->nreasons) {
		CHECK_STR(b->reasons[0], "");
		CHECK_STR(b->reasons[1], "GC assist marking");
		CHECK_STR(b->reasons[2], "IO wait");
		CHECK_STR(b->reasons[v->at_select], "select");
		CHECK_STR(b->reasons[v->at_chanrecv], "chan receive");
		CHECK_STR(b->reasons[v->at_semacquire], "semacquire");
		CHECK_STR(b->reasons[v->at_sleep], "sleep");
	}
	if (!stripped && !v->reasons) {
		v->reasons = calloc(b->nreasons, sizeof(char *));
		for (i = 0; v->reasons && i < b->nreasons; i++)
			v->reasons[i] = strdup(b->reasons[i]);
		v->nreasons_bin = b->nreasons;
		v->reasons_at = fact(b, GOBIN_F_REASONS)->value;
	}
	/* The stripped twin has the same table at the same address. */
	if (v->reasons) {
		CHECK_U64(b->nreasons, v->nreasons_bin);
		for (i = 0; i < b->nreasons && i < v->nreasons_bin; i++)
			CHECK_STR(b->reasons[i], v->reasons[i]);
		if (stripped)
			CHECK_U64(fact(b, GOBIN_F_REASONS)->value, v->reasons_at);
	}
	test_end();
}

/* The probes of the plain variant, to compare the stripped one with. */
static struct gobin_probe plain_probes[GOBIN_PROBES_MAX];
static size_t plain_nprobes;
static char plain_path[PATH_MAX + 64];

static void check_variant(struct version *v, const char *variant)
{
	bool pie = !strcmp(variant, "-pie"), stripped = !strcmp(variant, "-stripped");
	char name[64], path[PATH_MAX + 64], want[32], err[512];
	const struct gobin_probe *p;
	uint64_t entry, end, pcs[16];
	const char *file;
	uint32_t line, want_line;
	struct gobin b;
	size_t i;
	int n;

	snprintf(name, sizeof(name), "gobusy-go1.%d%s", v->minor, variant);
	prog_path(path, sizeof(path), name);
	if (access(path, R_OK)) {
		missing(name, name);
		return;
	}

	test_begin("%s: opens", name);
	n = gobin_open(&b, path, err, sizeof(err));
	if (n)
		test_fail_at(__FILE__, __LINE__, "gobin_open: %s", err);
	test_end();
	if (n)
		return;

	test_begin("%s: version, build flags, pclntab", name);
	snprintf(want, sizeof(want), "go1.%d.", v->minor);
	if (strncmp(b.go_version, want, strlen(want)))
		CHECK_STR(b.go_version, want);
	CHECK_U64(b.go_major, 1);
	CHECK_U64(b.go_minor, (uint64_t)v->minor);
	CHECK_U64(b.pie, pie);
	CHECK_U64(b.has_symtab, !stripped);
	CHECK_U64(b.has_dwarf, !stripped);
	CHECK_U64(b.pclntab_magic, v->magic);
	CHECK(b.nfuncs > 1000);
	CHECK_U64(b.first_load_vaddr, 0x400000);
	test_end();

	test_begin("%s: goroutine setup", name);
	n = gobin_goroutine_setup(&b, err, sizeof(err));
	if (n)
		test_fail_at(__FILE__, __LINE__, "gobin_goroutine_setup: %s", err);
	test_end();

	if (!n) {
		check_facts(v, &b, name, stripped);
		check_recovery(v, &b, name);
		check_reasons(v, &b, name, stripped);

		test_begin("%s: probe points", name);
		CHECK(b.nprobes >= 5);
		p = probe_of(&b, GODIAG_PROBE_GO_START);
		CHECK(p && !strcmp(p->func, "runtime.execute") &&
		      p->arg_reg == GODIAG_REG_RAX);
		p = probe_of(&b, GODIAG_PROBE_GO_PARK);
		CHECK(p && !strcmp(p->func, "runtime.gopark") &&
		      p->arg_reg == GODIAG_REG_RCX && p->g_reg == GODIAG_REG_R14);
		p = probe_of(&b, GODIAG_PROBE_GO_READY);
		CHECK(p && !strcmp(p->func, "runtime.ready") &&
		      p->arg_reg == GODIAG_REG_RAX);
		p = probe_of(&b, GODIAG_PROBE_GO_EXIT);
		CHECK(p && !strcmp(p->func, "runtime.goexit1") &&
		      p->g_reg == GODIAG_REG_R14);
		CHECK(probe_of(&b, GODIAG_PROBE_GO_CREATE) != NULL);
		for (i = 0; i < b.nprobes; i++) {
			uint64_t fentry, fend, off;
			uint8_t c = 0;

			p = &b.probes[i];
			CHECK(!gobin_func_range(&b, p->func, &fentry, &fend));
			CHECK(!gobin_file_offset(&b, p->vaddr, &off) && off == p->offset);
			if (p->kind == GODIAG_PROBE_GO_CREATE) {
				CHECK(!strcmp(p->func, "runtime.newproc1"));
				CHECK(p->vaddr > fentry && p->vaddr < fend);
				CHECK(!test_file_bytes(path, p->offset, &c, 1));
				if (c != 0xc3)
					test_fail_at(__FILE__, __LINE__, "byte at newproc1 "
						     "RET 0x%" PRIx64 " is 0x%02x", p->vaddr, c);
				CHECK(p->arg_reg == GODIAG_REG_RAX);
			} else {
				uint8_t pro[24] = { 0 };
				uint64_t skip = p->vaddr - fentry;

				/*
				 * On the jbe of the stack check, recording when
				 * it falls through (jcc 6, "below or equal"), so
				 * a morestack restart does not record twice: the
				 * function opens with cmp ...,[r14+0x10] (or lea
				 * r12 first), then the jbe (76 rel8 or 0f 86 rel32).
				 */
				CHECK(p->vaddr > fentry && skip + 6 <= sizeof(pro));
				CHECK(!test_file_bytes(path, p->offset - skip, pro, (size_t)skip + 6));
				CHECK(!memcmp(pro, "\x49\x3b\x66\x10", 4) ||
				      !memcmp(pro, "\x4c\x8d\x64\x24", 4));
				CHECK(pro[skip] == 0x76 ||
				      (pro[skip] == 0x0f && pro[skip + 1] == 0x86));
				CHECK_U64((uint64_t)p->jcc, 6);
			}
			if (p->kind == GODIAG_PROBE_GO_CREATE)
				CHECK(p->jcc == -1);
		}
		test_end();

		if (!strcmp(variant, "")) {
			memcpy(plain_probes, b.probes, sizeof(plain_probes));
			plain_nprobes = b.nprobes;
			snprintf(plain_path, sizeof(plain_path), "%s", path);
		} else if (stripped && plain_nprobes) {
			/*
			 * Same source, same toolchain, same flags but -s -w: the
			 * linker lays the text out identically.
			 */
			test_begin("%s: probes are those of the non-stripped build", name);
			CHECK_U64(b.nprobes, plain_nprobes);
			for (i = 0; i < b.nprobes && i < plain_nprobes; i++) {
				uint8_t x[16], y[16];

				CHECK_U64(b.probes[i].kind, plain_probes[i].kind);
				CHECK_U64(b.probes[i].vaddr, plain_probes[i].vaddr);
				CHECK_U64(b.probes[i].offset, plain_probes[i].offset);
				CHECK(!test_file_bytes(path, b.probes[i].offset, x, sizeof(x)) &&
				      !test_file_bytes(plain_path, plain_probes[i].offset, y,
						  sizeof(y)) &&
				      !memcmp(x, y, sizeof(x)));
			}
			test_end();
		}
	}

	test_begin("%s: functions and lines", name);
	CHECK(!gobin_func_range(&b, "main.main", &entry, &end));
	CHECK(end > entry);
	CHECK_STR(gobin_func_name(&b, entry), "main.main");
	CHECK_STR(gobin_func_name(&b, end - 1), "main.main");
	CHECK(gobin_func_name(&b, 0x10) == NULL);
	file = NULL;
	CHECK(!gobin_line(&b, entry, &file, &line));
	CHECK(ends_with(file, "/main.go"));
	want_line = source_line("func main() {");
	if (want_line)
		CHECK_U64(line, want_line);
	CHECK(!gobin_func_range(&b, "main.pingpong.func1", &entry, &end));
	CHECK(!gobin_func_range(&b, "net/http.(*conn).serve", &entry, &end));
	CHECK(gobin_func_range(&b, "main.nosuchfunction", &entry, &end) == -1);
	CHECK(gobin_func_range(&b, "pingpong", &entry, &end) == -1);
	test_end();

	want_line = source_line("local++");
	test_begin("%s: PCs of main.go:%u (local++)", name, want_line);
	CHECK(want_line > 0);
	n = gobin_line_pcs(&b, "main.go", want_line, pcs, 16);
	CHECK(n >= 1);
	for (i = 0; n > 0 && i < (size_t)n && i < 16; i++) {
		CHECK_STR(gobin_func_name(&b, pcs[i]), "main.pingpong");
		CHECK(!gobin_line(&b, pcs[i], &file, &line) && line == want_line);
	}
	/* A full path suffix at a '/' boundary works, a partial name does not. */
	CHECK(gobin_line_pcs(&b, "gobusy/main.go", want_line, pcs, 16) == n);
	CHECK(gobin_line_pcs(&b, "ain.go", want_line, pcs, 16) == 0);
	test_end();

	want_line = source_line("pong <- v + 1");
	test_begin("%s: PCs of main.go:%u in a closure", name, want_line);
	n = gobin_line_pcs(&b, "main.go", want_line, pcs, 16);
	CHECK(n >= 1);
	if (n >= 1)
		CHECK_STR(gobin_func_name(&b, pcs[0]), "main.pingpong.func1");
	test_end();

	gobin_close(&b);
}

/*
 * Opening fails with a message containing want, and does not crash: with
 * GOBIN_NOT_GO for what is no Go program at all (not_go), else -1.
 */
static void refuse(const char *what, const char *path, const char *want, bool not_go)
{
	char err[512] = "";
	struct gobin b;

	test_begin("refuses %s", what);
	CHECK_U64(gobin_open(&b, path, err, sizeof(err)),
		  (uint64_t)(int64_t)(not_go ? GOBIN_NOT_GO : -1));
	if (!strstr(err, want))
		CHECK_STR(err, want);
	CHECK(b.impl == NULL);
	test_end();
}

static void refuse_mem(const char *what, const void *data, size_t size,
		       const char *want, bool not_go)
{
	char err[512] = "";
	struct gobin b;
	int r;

	test_begin("refuses %s (in memory)", what);
	r = gobin_open_mem(&b, data, size, "mem", err, sizeof(err));
	CHECK_U64(r, (uint64_t)(int64_t)(not_go ? GOBIN_NOT_GO : -1));
	if (!strstr(err, want))
		CHECK_STR(err, want);
	test_end();
}

/*
 * Without section headers (as sstrip leaves it): found in the segments;
 * go1.26 and later need the moduledata for the text start.
 */
static void check_no_sections(uint8_t *go, size_t size, const char *what)
{
	char err[512];
	struct gobin b, ref;
	int r;

	test_begin("a Go program without section headers (%s)", what);
	CHECK_U64(gobin_open_mem(&ref, go, size, "ref", err, sizeof(err)), 0);
	memset(go + 0x28, 0, 8);	/* e_shoff */
	memset(go + 0x3a, 0, 6);	/* e_shentsize, e_shnum, e_shstrndx */
	r = gobin_open_mem(&b, go, size, "noshdr", err, sizeof(err));
	if (r)
		test_fail_at(__FILE__, __LINE__, "gobin_open_mem: %s", err);
	if (!r && ref.impl) {
		CHECK(!strncmp(b.pclntab_source, "segment ", 8));
		CHECK_STR(b.go_version, ref.go_version);
		CHECK_U64(b.nfuncs, ref.nfuncs);
		CHECK_U64(b.pclntab_magic, ref.pclntab_magic);
		CHECK(!b.has_symtab && !b.has_dwarf);
		CHECK_U64(gobin_goroutine_setup(&b, err, sizeof(err)), 0);
		CHECK_U64(gobin_goroutine_setup(&ref, err, sizeof(err)), 0);
		CHECK_U64(b.nprobes, ref.nprobes);
		CHECK(b.nprobes && b.probes[0].offset == ref.probes[0].offset);
	}
	if (!r)
		gobin_close(&b);
	if (ref.impl)
		gobin_close(&ref);
	test_end();
}

/* The executable PT_LOAD of a binary in memory: its file offset and size. */
static bool text_segment(const uint8_t *img, size_t size, uint64_t *off,
			 uint64_t *len)
{
	Elf *e = elf_memory((char *)img, size);
	size_t i, n;
	bool found = false;

	if (!e)
		return false;
	for (i = 0; !found && !elf_getphdrnum(e, &n) && i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    (ph.p_flags & PF_X)) {
			*off = ph.p_offset;
			*len = ph.p_filesz;
			found = true;
		}
	}
	elf_end(e);
	return found;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	size_t i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * n pclntab headers, 80 bytes apart, in the text segment of go (already
 * without section headers): each claims every entry of a zero-filled
 * (so sorted) table to the segment's end, and a text start outside the
 * code, so each one costs the scan a pass over that table and is refused.
 */
static void plant_pclntab_headers(uint8_t *go, uint64_t seg, uint64_t len,
				  size_t n)
{
	static const uint8_t magic[8] = { 0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8 };
	uint64_t base = seg + 0x1000, zeros = base + n * 80, end = seg + len;
	size_t j, w;

	memset(go + base, 0, end - base);
	for (j = 0; j < n; j++) {
		uint8_t *h = go + base + j * 80;

		memcpy(h, magic, 8);
		put_u64(h + 8, (end - zeros) / 8 - 1);	/* nfunc */
		put_u64(h + 24, 0x10);			/* text start */
		for (w = 3; w < 7; w++)			/* empty tables */
			put_u64(h + 8 + w * 8, 72);
		put_u64(h + 64, zeros - (base + j * 80)); /* function table */
	}
}

/*
 * Headers that look like a pclntab's cost the segment scan a pass each:
 * it tries SCAN_TRIES_MAX (64) of them, then refuses the file instead of
 * going quadratic: 63 planted ones and the real one after them open, 64
 * planted ones do not.
 */
static void check_scan_limit(const uint8_t *orig, size_t size)
{
	char err[512];
	struct gobin b;
	uint64_t seg, len;
	uint8_t *go = malloc(size);
	int r;

	test_begin("the segment scan gives up after 64 pclntab-like headers");
	if (!go || !text_segment(orig, size, &seg, &len) || len < 0x1000 + 64 * 80 + 4096) {
		test_fail_at(__FILE__, __LINE__, "no room for the headers");
		test_end();
		free(go);
		return;
	}
	memcpy(go, orig, size);
	memset(go + 0x28, 0, 8);
	memset(go + 0x3a, 0, 6);
	plant_pclntab_headers(go, seg, len, 63);
	r = gobin_open_mem(&b, go, size, "63", err, sizeof(err));
	if (r)
		test_fail_at(__FILE__, __LINE__, "63 headers and the real one: %s", err);
	else {
		CHECK(!strncmp(b.pclntab_source, "segment ", 8));
		CHECK(b.nfuncs > 1000);
		gobin_close(&b);
	}
	plant_pclntab_headers(go, seg, len, 64);
	CHECK_U64(gobin_open_mem(&b, go, size, "64", err, sizeof(err)), (uint64_t)-1);
	if (!strstr(err, "more than 64 pclntab-like headers"))
		CHECK_STR(err, "more than 64 pclntab-like headers");
	test_end();
	free(go);
}

static void check_bad_files(void)
{
	char dir[] = "/tmp/test_gobin.XXXXXX", path[PATH_MAX + 64], src[PATH_MAX + 64];
	static const char text[] = "#!/bin/sh\necho this is not a Go program\n";
	uint8_t *go;
	size_t size;
	FILE *f;

	refuse("/bin/ls", "/bin/ls", "is not a Go program", true);
	refuse("a missing file", "/nonexistent/gobusy", "cannot open", false);
	refuse("a directory", "/", "not a regular file", false);
	refuse_mem("a text file", text, sizeof(text) - 1, "not an ELF file", true);
	refuse_mem("nothing", "", 0, "not an ELF file", true);

	if (!mkdtemp(dir)) {
		test_begin("temporary directory");
		test_fail_at(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
		test_end();
		return;
	}
	snprintf(path, sizeof(path), "%s/text", dir);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	refuse("a text file", path, "not an ELF file", true);
	unlink(path);

	prog_path(src, sizeof(src), "gobusy-go1.22");
	go = test_slurp(src, &size);
	if (!go) {
		missing("truncated copies", "gobusy-go1.22");
		rmdir(dir);
		return;
	}
	snprintf(path, sizeof(path), "%s/truncated", dir);
	f = fopen(path, "w");
	if (f) {
		fwrite(go, 1, size / 2, f);
		fclose(f);
	}
	refuse("a Go program cut in half", path, "is truncated", false);
	unlink(path);
	rmdir(dir);
	refuse_mem("a Go program cut to its ELF header", go, 64, "", false);
	refuse_mem("a Go program cut to 4 KiB", go, 4096, "", false);
	check_scan_limit(go, size);
	check_no_sections(go, size, "go1.22");
	free(go);
	prog_path(src, sizeof(src), "gobusy-go1.26-stripped");
	go = test_slurp(src, &size);
	if (go)
		check_no_sections(go, size, "go1.26, stripped");
	else
		missing("no section headers", "gobusy-go1.26-stripped");
	free(go);
}

/* Section name's file offset and address in a binary in memory. */
static bool find_section(const uint8_t *img, size_t size, const char *want,
			 uint64_t *off, uint64_t *addr, uint64_t *len)
{
	Elf *e = elf_memory((char *)img, size);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	bool found = false;

	if (!e || elf_getshdrstrndx(e, &shstrndx)) {
		if (e)
			elf_end(e);
		return false;
	}
	while (!found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			break;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && !strcmp(name, want)) {
			*off = sh.sh_offset;
			*addr = sh.sh_addr;
			*len = sh.sh_size;
			found = true;
		}
	}
	elf_end(e);
	return found;
}

/*
 * Versions: a 1.18+ (inline) build info relabelled, and the pre-1.18
 * pointer format rebuilt inside the same section.
 */
static void check_versions(const char *base, bool stripped)
{
	char src[PATH_MAX + 64], err[512];
	uint64_t off, addr, len;
	uint8_t *img, *bi;
	struct gobin b;
	size_t size;
	int r;

	prog_path(src, sizeof(src), base);
	img = test_slurp(src, &size);
	if (!img) {
		missing("Go version checks", base);
		return;
	}
	elf_version(EV_CURRENT);
	if (!find_section(img, size, ".go.buildinfo", &off, &addr, &len) ||
	    len < 128 || off + len > size) {
		test_begin("%s has .go.buildinfo", base);
		test_fail_at(__FILE__, __LINE__, "no usable .go.buildinfo");
		test_end();
		free(img);
		return;
	}
	bi = img + off;

	/* "go1.22.12" -> "go1.20.12": no table for 1.20. */
	/*
	 * "go1.22.12" -> "go1.20.12", "go1.24.12", "go1.28.12": no version is
	 * looked up anywhere, so they trace as the binary is (from the code
	 * without DWARF), parentGoid included (the code has it).
	 */
	CHECK(!memcmp(bi + 33, "go1.22.", 7));
	for (int k = 0; k < 3; k++) {
		static const char *const minors[3] = { "20", "24", "28" };

		test_begin("%s relabelled go1.%s: traced from %s", base, minors[k],
			   stripped ? "its code" : "DWARF");
		memcpy(bi + 37, minors[k], 2);
		r = gobin_open_mem(&b, img, size, base, err, sizeof(err));
		CHECK_U64(r, 0);
		if (!r) {
			r = gobin_goroutine_setup(&b, err, sizeof(err));
			if (r)
				test_fail_at(__FILE__, __LINE__, "%s", err);
			CHECK_U64(b.facts[GOBIN_F_GOID].source,
				  stripped ? GOBIN_SRC_CODE : GOBIN_SRC_DWARF);
			CHECK_U64(b.layout.g_goid, 152);
			CHECK_U64(b.layout.g_parent_goid, 272);
			CHECK_U64(b.nprobes, 5);
			gobin_close(&b);
		}
		test_end();
	}

	/* go1.18 and Go 2 are refused even with DWARF. */
	test_begin("%s relabelled go1.18 and go2.22: refused", base);
	memcpy(bi + 37, "18", 2);
	r = gobin_open_mem(&b, img, size, base, err, sizeof(err));
	CHECK_U64(r, 0);
	if (!r) {
		CHECK_U64(gobin_goroutine_setup(&b, err, sizeof(err)), (uint64_t)-1);
		CHECK_STR(err, "go1.18.12 is not supported for goroutine tracing: "
			  "godiag needs go1.19 or later");
		CHECK_U64(b.nprobes, 0);
		gobin_close(&b);
	}
	memcpy(bi + 35, "2.22", 4);
	r = gobin_open_mem(&b, img, size, base, err, sizeof(err));
	CHECK_U64(r, 0);
	if (!r) {
		CHECK_U64(gobin_goroutine_setup(&b, err, sizeof(err)), (uint64_t)-1);
		CHECK(strstr(err, "go2.22.12 is not supported") != NULL);
		gobin_close(&b);
	}
	memcpy(bi + 35, "1.22", 4);
	test_end();

	/* The old format: flags 0, then a pointer to a {ptr, len} string header. */
	test_begin("%s with a pre-1.18 .go.buildinfo", base);
	bi[15] = 0;
	memset(bi + 16, 0, 112);
	for (int i = 0; i < 8; i++) {
		bi[16 + i] = (uint8_t)((addr + 64) >> (8 * i));	/* version */
		bi[24 + i] = (uint8_t)((addr + 80) >> (8 * i));	/* modinfo */
		bi[64 + i] = (uint8_t)((addr + 96) >> (8 * i));
		bi[72 + i] = (uint8_t)(i == 0 ? 9 : 0);
	}
	memcpy(bi + 96, "go1.17.13", 9);
	r = gobin_open_mem(&b, img, size, base, err, sizeof(err));
	CHECK_U64(r, 0);
	if (!r) {
		CHECK_STR(b.go_version, "go1.17.13");
		CHECK_U64(b.go_minor, 17);
		gobin_close(&b);
	}
	/* A version pointer into nowhere. */
	bi[16 + 5] = 0x7f;
	r = gobin_open_mem(&b, img, size, base, err, sizeof(err));
	CHECK_U64(r, (uint64_t)-1);
	CHECK(strstr(err, "damaged version pointer") != NULL);
	test_end();
	free(img);
}

/*
 * Patches the 4-byte displacement old nearest to the instruction at vaddr
 * (in it, or in one of the few before it: a way that reads a value at a
 * call names the call, the load is just before) to new.
 */
static bool patch_disp(uint8_t *img, const struct gobin *b, uint64_t vaddr,
		       uint32_t old, uint32_t new)
{
	uint64_t off;
	long k;

	if (gobin_file_offset(b, vaddr, &off) || off < 48)
		return false;
	for (k = 8; k >= -48; k--) {
		uint8_t *d = img + off + k;

		if ((uint32_t)(d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24) != old)
			continue;
		d[0] = (uint8_t)new;
		d[1] = (uint8_t)(new >> 8);
		d[2] = (uint8_t)(new >> 16);
		d[3] = (uint8_t)(new >> 24);
		return true;
	}
	return false;
}

/* Setting the binary up fails, with want (and the fact's name) in the message. */
static void refused(const uint8_t *img, size_t size, const char *base,
		    const char *want, const char *want2)
{
	char err[1024] = "";
	struct gobin b;
	int r;

	r = gobin_open_mem(&b, img, size, base, err, sizeof(err));
	CHECK_U64(r, 0);
	if (r)
		return;
	CHECK_U64(gobin_goroutine_setup(&b, err, sizeof(err)), (uint64_t)-1);
	CHECK_U64(b.nprobes, 0);
	if (!strstr(err, want))
		CHECK_STR(err, want);
	if (want2 && !strstr(err, want2))
		CHECK_STR(err, want2);
	CHECK(!strchr(err, '\n'));
	gobin_close(&b);
}

/*
 * One byte changed in one instruction a way reads: the ways disagree (or
 * DWARF and the code do), and the binary is refused with the fact named,
 * never traced with a wrong offset or register.
 */
static void check_patched(const char *base, bool stripped)
{
	char src[PATH_MAX + 64], err[512];
	struct gorecover *r = calloc(1, sizeof(*r));
	uint8_t *img, *orig;
	struct gobin b;
	size_t size;
	uint64_t off;

	prog_path(src, sizeof(src), base);
	orig = test_slurp(src, &size);
	img = orig ? malloc(size) : NULL;
	if (!img || !r) {
		missing("patched copies", base);
		free(orig);
		free(r);
		return;
	}
	test_begin("%s: the ways found what the patches change", base);
	CHECK_U64(gobin_open_mem(&b, orig, size, base, err, sizeof(err)), 0);
	gorecover_run(&b, r);
	CHECK(r->way[GW_GOID_CREATEDBY].found && r->way[GW_GOPC_NEWPROC1].found &&
	      r->way[GW_WAIT_GOPARK].found);
	test_end();

	/* printcreatedby: gp.goid != 1 reads 8 bytes further on. */
	test_begin("%s: printcreatedby patched: refused, g.goid named", base);
	memcpy(img, orig, size);
	CHECK(patch_disp(img, &b, r->way[GW_GOID_CREATEDBY].at,
			 (uint32_t)r->way[GW_GOID_CREATEDBY].value,
			 (uint32_t)r->way[GW_GOID_CREATEDBY].value + 8));
	refused(img, size, base, "g.goid", "is not certain");
	test_end();

	/* newproc1: newg.gopc = callerpc stores elsewhere. */
	test_begin("%s: newproc1 patched: refused, g.gopc named", base);
	memcpy(img, orig, size);
	CHECK(patch_disp(img, &b, r->way[GW_GOPC_NEWPROC1].at,
			 (uint32_t)r->way[GW_GOPC_NEWPROC1].value,
			 (uint32_t)r->way[GW_GOPC_NEWPROC1].value + 8));
	refused(img, size, base, "g.gopc", NULL);
	test_end();

	/* gopark: gp.waitreason = reason stores dil (traceReason) instead of cl. */
	test_begin("%s: gopark patched: refused, its reason register named", base);
	memcpy(img, orig, size);
	CHECK(!gobin_file_offset(&b, r->way[GW_WAIT_GOPARK].at, &off));
	/* rex, 88 /r: the ModRM's reg field names the source */
	CHECK((img[off] & 0xf0) == 0x40 && img[off + 1] == 0x88);
	img[off + 2] = (uint8_t)((img[off + 2] & 0xc7) | 7 << 3);
	refused(img, size, base, "runtime.gopark reason", "rdi");
	test_end();

	/* Both ways to g.startpc moved: the code agrees, DWARF does not. */
	if (!stripped) {
		test_begin("%s: both startpc ways patched: refused, DWARF named", base);
		memcpy(img, orig, size);
		CHECK(r->way[GW_STARTPC_NEWPROC1].found && r->way[GW_STARTPC_SYSTEM].found);
		CHECK(patch_disp(img, &b, r->way[GW_STARTPC_NEWPROC1].at,
				 (uint32_t)r->way[GW_STARTPC_NEWPROC1].value,
				 (uint32_t)r->way[GW_STARTPC_NEWPROC1].value + 8));
		CHECK(patch_disp(img, &b, r->way[GW_STARTPC_SYSTEM].at,
				 (uint32_t)r->way[GW_STARTPC_SYSTEM].value,
				 (uint32_t)r->way[GW_STARTPC_SYSTEM].value + 8));
		refused(img, size, base, "g.startpc", "in the DWARF, but the code disagrees");
		test_end();
	}

	gobin_close(&b);
	free(img);
	free(orig);
	free(r);
}

/*
 * An external linker puts C code before runtime.text, so .text starts
 * earlier than the pclntab's functions; go1.26 and later do not write the
 * text start into the pclntab, and a stripped binary has no runtime.text
 * symbol: the moduledata says where the text is.
 */
static void check_text_start(void)
{
	char src[PATH_MAX + 64], err[512];
	uint64_t off, addr, len, e1, x1, e2, x2;
	struct gobin ref, b;
	uint8_t *img;
	size_t size, i;
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	prog_path(src, sizeof(src), "gobusy-go1.26-stripped");
	img = test_slurp(src, &size);
	if (!img) {
		missing(".text before runtime.text", "gobusy-go1.26-stripped");
		return;
	}
	test_begin(".text starting 256 bytes before runtime.text (go1.26, stripped)");
	CHECK(find_section(img, size, ".text", &off, &addr, &len));
	CHECK_U64(gobin_open_mem(&ref, img, size, "ref", err, sizeof(err)), 0);
	/* Move .text's sh_addr 256 bytes down, in the section header table. */
	e = elf_memory((char *)img, size);
	for (i = 0; e && !elf_getshdrstrndx(e, &shstrndx) && (scn = elf_nextscn(e, scn)); i++) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			break;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".text")) {
			GElf_Ehdr eh;
			uint8_t *p;

			gelf_getehdr(e, &eh);
			p = img + eh.e_shoff + elf_ndxscn(scn) * eh.e_shentsize + 16;
			put_u64(p, addr - 256);
		}
	}
	if (e)
		elf_end(e);
	CHECK_U64(gobin_open_mem(&b, img, size, "moved", err, sizeof(err)), 0);
	if (b.impl && ref.impl) {
		CHECK(!gobin_func_range(&ref, "main.main", &e1, &x1));
		CHECK(!gobin_func_range(&b, "main.main", &e2, &x2));
		CHECK_U64(e2, e1);
		CHECK_U64(x2, x1);
		CHECK_U64(gobin_goroutine_setup(&b, err, sizeof(err)), 0);
		CHECK_U64(b.nprobes, 5);
	}
	if (b.impl)
		gobin_close(&b);
	if (ref.impl)
		gobin_close(&ref);
	test_end();
	free(img);
}

static void check_load_bias(void)
{
	struct gobin b;
	uint64_t bias;
	const char *maps;

	memset(&b, 0, sizeof(b));
	test_begin("load bias of a non-PIE program");
	b.first_load_vaddr = 0x400000;
	maps = "00400000-0064e000 r-xp 00000000 08:01 1234                       /srv/app\n"
	       "0064e000-00883000 r--p 0024e000 08:01 1234                       /srv/app\n"
	       "c000000000-c000400000 rw-p 00000000 00:00 0 \n"
	       "7ffd1000-7ffd2000 r-xp 00000000 00:00 0                          [vdso]\n";
	CHECK_U64(gobin_load_bias(&b, maps, makedev(8, 1), 1234, &bias), 0);
	CHECK_U64(bias, 0);
	test_end();

	test_begin("load bias of a PIE program");
	maps = "7f0a1c000000-7f0a1c001000 r--p 00000000 08:01 99     /lib/ld.so\n"
	       "5581f3a00000-5581f3c4e000 r-xp 00000000 fd:00 1234   /srv/my app (deleted)\n"
	       "5581f3c4e000-5581f3e83000 r--p 0024e000 fd:00 1234   /srv/my app (deleted)\n";
	CHECK_U64(gobin_load_bias(&b, maps, makedev(0xfd, 0), 1234, &bias), 0);
	CHECK_U64(bias, 0x5581f3a00000 - 0x400000);
	/* The inode picks the file. */
	CHECK_U64(gobin_load_bias(&b, maps, makedev(8, 1), 99, &bias), 0);
	CHECK_U64(bias, 0x7f0a1c000000 - 0x400000);
	test_end();

	/*
	 * Inode numbers are unique per file system only: the binary (inode
	 * 1234 on 259:3, mapped second) and a file of another file system
	 * with the same inode number (on tmpfs, 0:2a, mapped first).
	 */
	test_begin("load bias: two files with one inode number on two devices");
	maps = "7f0000000000-7f0000100000 r--p 00000000 00:2a 1234   /dev/shm/data\n"
	       "5581f3a00000-5581f3c4e000 r-xp 00000000 103:03 1234  /srv/app\n";
	CHECK_U64(gobin_load_bias(&b, maps, makedev(0x103, 3), 1234, &bias), 0);
	CHECK_U64(bias, 0x5581f3a00000 - 0x400000);
	CHECK_U64(gobin_load_bias(&b, maps, makedev(0, 0x2a), 1234, &bias), 0);
	CHECK_U64(bias, 0x7f0000000000 - 0x400000);
	/* Neither device: which one it is cannot be told. */
	CHECK_U64(gobin_load_bias(&b, maps, makedev(8, 1), 1234, &bias), (uint64_t)-1);
	/*
	 * One file with the inode, on another device than /proc/PID/exe
	 * shows (overlayfs maps a layer's file): that one.
	 */
	maps = "5581f3a00000-5581f3c4e000 r-xp 00000000 103:03 1234  /srv/app\n";
	CHECK_U64(gobin_load_bias(&b, maps, makedev(0, 0x40), 1234, &bias), 0);
	CHECK_U64(bias, 0x5581f3a00000 - 0x400000);
	test_end();

	test_begin("load bias: unmapped binary, damaged lines");
	CHECK_U64(gobin_load_bias(&b, maps, makedev(0xfd, 0), 4321, &bias), (uint64_t)-1);
	CHECK_U64(gobin_load_bias(&b, "", makedev(8, 1), 1234, &bias), (uint64_t)-1);
	CHECK_U64(gobin_load_bias(&b, "garbage\n-\n 1-2 3\n00400000-00401000 r-xp 00000000 08:01\n",
				  makedev(8, 1), 1234, &bias), (uint64_t)-1);
	CHECK_U64(gobin_load_bias(&b, "00400000-00401000 r-xp 00000000 0801 1234 /a\n",
				  makedev(8, 1), 1234, &bias), (uint64_t)-1);
	/* Only the mapping of file offset 0. */
	CHECK_U64(gobin_load_bias(&b, "00500000-00600000 r--p 00001000 08:01 1234 /a\n",
				  makedev(8, 1), 1234, &bias), (uint64_t)-1);
	/* A first PT_LOAD that does not start at a page boundary. */
	b.first_load_vaddr = 0x400040;
	CHECK_U64(gobin_load_bias(&b, "10400000-10401000 r-xp 00000000 08:01 7 /a",
				  makedev(8, 1), 7, &bias), 0);
	CHECK_U64(bias, 0x10000000);
	test_end();
}

static void check_generic_names(void)
{
	char path[PATH_MAX + 64], err[512];
	uint64_t e1, x1, e2, x2;
	struct gobin b;

	prog_path(path, sizeof(path), "gobusy-go1.23-stripped");
	if (access(path, R_OK)) {
		missing("generic names", "gobusy-go1.23-stripped");
		return;
	}
	test_begin("generic functions by pclntab name and as Go prints them");
	CHECK_U64(gobin_open(&b, path, err, sizeof(err)), 0);
	if (b.impl) {
		CHECK(!gobin_func_range(&b, "slices.Sorted[go.shape.string]", &e1, &x1));
		CHECK(!gobin_func_range(&b, "slices.Sorted[...]", &e2, &x2));
		CHECK_U64(e1, e2);
		CHECK(gobin_func_range(&b, "slices.Sorted[", &e2, &x2) == -1);
		CHECK(gobin_func_range(&b, "slices.Sorted[...].x", &e2, &x2) == -1);
		gobin_close(&b);
	}
	test_end();

	test_begin("name suggestions");
	CHECK_U64(gobin_open(&b, path, err, sizeof(err)), 0);
	if (b.impl) {
		const char *names[4];
		size_t n = gobin_func_suggest(&b, "pingpong", names, 4);

		CHECK(n >= 1);
		if (n >= 1)
			CHECK_STR(names[0], "main.pingpong");
		CHECK_U64(gobin_func_suggest(&b, "zzzz_nothing_like_it", names, 4), 0);
		gobin_close(&b);
	}
	test_end();
}

/*
 * Naming the PCs of a capture (gobin_pc_source(), what capture does at
 * its end) on every function of a real program: its entry, the byte after
 * it (as a return address) and its last byte name the function, with the
 * line of the byte before a return address. It used to find the function
 * again by name, a pass over every name per PC (seconds at the end of a
 * capture of a large service); now one bisection. And every function's
 * name finds it (the first of that name) through the sorted name index
 * as it does through a pass over the table.
 */
static void check_many_pcs(const char *prog)
{
	char path[PATH_MAX + 64], err[512];
	size_t i, k, named = 0, bad = 0, bad_names = 0;
	struct gopcln *p, linear;
	struct gobin b;

	prog_path(path, sizeof(path), prog);
	if (access(path, R_OK)) {
		missing("naming many PCs", prog);
		return;
	}
	test_begin("%s: every function's PCs named in one lookup each", prog);
	CHECK_U64(gobin_open(&b, path, err, sizeof(err)), 0);
	p = gobin_pcln(&b);
	for (i = 0; p && i < p->nfunc; i++) {
		uint64_t pcs[3];
		struct gofunc f;

		if (gopcln_func(p, i, &f) || f.end <= f.entry)
			continue;
		pcs[0] = f.entry;
		pcs[1] = f.entry + 1 < f.end ? f.entry + 1 : f.entry;
		pcs[2] = f.end - 1;
		for (k = 0; k < 3; k++) {
			const char *func, *file, *wfile = NULL;
			uint32_t line, wline = 0;
			uint64_t at = pcs[k] > f.entry ? pcs[k] - 1 : pcs[k];

			gobin_pc_source(&b, pcs[k], &func, &file, &line);
			if (gobin_line(&b, at, &wfile, &wline))
				wfile = NULL, wline = 0;
			if (!func || strcmp(func, f.name) || file != wfile || line != wline) {
				if (bad++ < 3)
					test_fail_at(__FILE__, __LINE__, "%s at 0x%" PRIx64 ": %s %s:%u",
						     f.name, pcs[k], func ? func : "NULL",
						     file ? file : "NULL", line);
				continue;
			}
			named++;
		}
	}
	CHECK_U64(bad, 0);
	CHECK(named > 3 * 1000);
	test_end();

	test_begin("%s: the name index finds what a pass over the names finds", prog);
	CHECK(p && !gopcln_index_names(p) && p->nby_name == p->nfunc);
	if (p) {
		linear = *p;
		linear.by_name = NULL;
		for (i = 0; i < p->nfunc; i++) {
			struct gofunc f;

			if (gopcln_func(p, i, &f))
				continue;
			if (gopcln_find_name(p, f.name) != gopcln_find_name(&linear, f.name) &&
			    bad_names++ < 3)
				test_fail_at(__FILE__, __LINE__, "%s", f.name);
		}
		CHECK_U64(bad_names, 0);
		CHECK(gopcln_find_name(p, "main.nosuchfunction") == -1);
		CHECK(gopcln_find_name(p, "") == -1);
	}
	gobin_close(&b);
	test_end();
}

/* Each go statement of gostart with arguments: where, and what Go calls it. */
static const struct {
	const char *creator, *start;
} go_starts[] = {
	{ "main.runWorkers", "main.worker" },
	{ "main.runServer", "main.(*server).accept" },
	{ "main.(*server).accept", "main.(*server).serve" },
	{ "main.runIndexed", "main.runIndexed.func1" },
	{ "main.main", "main.stats.report" },
	{ "main.runPingers", "main.pinger" },
	{ "main.runHTTP", "net/http.(*Server).Serve" },
	{ "net/http.(*Server).Serve", "net/http.(*conn).serve" },
};

/* "C.func7" or "C.gowrap2" for creator C: the names a go wrapper gets. */
static bool wrapper_named(const char *name, const char *creator, bool *gowrap)
{
	size_t n = strlen(creator);
	const char *tail = name + n + 1, *d;

	if (strncmp(name, creator, n) || name[n] != '.')
		return false;
	if (!strncmp(tail, "func", 4))
		d = tail + 4, *gowrap = false;
	else if (!strncmp(tail, "gowrap", 6))
		d = tail + 6, *gowrap = true;
	else
		return false;
	if (!*d)
		return false;
	for (; *d; d++)
		if (*d < '0' || *d > '9')
			return false;
	return true;
}

/*
 * The go statements of gostart (tests/progs/go/gostart) resolved as Go
 * names them: each creator's wrapper (main.runWorkers.func1 on 1.19 and
 * 1.21, .gowrap1 from 1.22) resolves to the function it calls, also
 * when Go 1.22+ inlined it into the wrapper (main.pinger), through a
 * closure value (main.runIndexed.func1) or a method (pointer and value
 * receivers); a closure without arguments, which starts as itself, and
 * functions that are no wrapper resolve to nothing.
 */
static void check_go_starts(int minor, const char *variant)
{
	char name[64], path[PATH_MAX + 64], err[512];
	uint64_t entry, end, plain_gofunc = 0;
	struct gofunc sw;
	struct gopcln *p;
	struct gobin b;
	size_t i, k;
	long j;

	snprintf(name, sizeof(name), "gostart-go1.%d%s", minor, variant);
	prog_path(path, sizeof(path), name);
	if (access(path, R_OK)) {
		missing(name, name);
		return;
	}
	test_begin("%s: go statements named as Go names them", name);
	CHECK_U64(gobin_open(&b, path, err, sizeof(err)), 0);
	p = gobin_pcln(&b);
	if (!p) {
		test_end();
		return;
	}
	/*
	 * FuncIDWrapper follows FuncID_systemstack_switch: 21 to 1.21, 22 from
	 * 1.22, 23 in 1.26 and 1.27 (FuncID_runCleanups came between; Go's
	 * internal/abi/symtab.go). gowrap.c reads it from the binary either way.
	 */
	gopcln_index_names(p);
	j = gopcln_find_name(p, "runtime.systemstack_switch");
	CHECK(j >= 0 && !gopcln_func(p, (size_t)j, &sw) &&
	      gopcln_func_id(p, &sw) + 1 == (minor <= 21 ? 21 : minor <= 23 ? 22 : 23));
	for (k = 0; k < ARRAY_SIZE(go_starts); k++) {
		size_t found = 0, gowraps = 0;

		for (i = 0; i < p->nfunc; i++) {
			const char *start;
			struct gofunc f;
			bool gowrap;

			if (gopcln_func(p, i, &f) || !wrapper_named(f.name, go_starts[k].creator,
								    &gowrap))
				continue;
			start = gobin_go_start(&b, f.entry);
			if (!start)
				continue;
			found += !strcmp(start, go_starts[k].start);
			/* From Go 1.22 gowrapN is a go statement's, deferwrapN a defer's. */
			if (gowrap) {
				gowraps++;
				CHECK_STR(start, go_starts[k].start);
			}
			/* Not at the wrapper's entry: no goroutine starts there. */
			CHECK(gobin_go_start(&b, f.entry + 1) == NULL);
		}
		if (found != 1)
			test_fail_at(__FILE__, __LINE__, "%s: %zu wrappers call %s",
				     go_starts[k].creator, found, go_starts[k].start);
		CHECK_U64(gowraps, minor >= 22 ? 1 : 0);
	}
	/* No wrapper: a closure without arguments, a plain function. */
	CHECK(!gobin_func_range(&b, "main.runClosures.func1", &entry, &end));
	CHECK(gobin_go_start(&b, entry) == NULL);
	CHECK(!gobin_func_range(&b, "main.worker", &entry, &end));
	CHECK(gobin_go_start(&b, entry) == NULL);
	CHECK(gobin_go_start(&b, 0) == NULL);
	/* Stripped: go:func.* found through the module data, at the same place. */
	if (strcmp(variant, "-pie")) {
		snprintf(name, sizeof(name), "gostart-go1.%d", minor);
		prog_path(path, sizeof(path), name);
		if (!*variant) {
			plain_gofunc = gobin_gofunc(&b);
		} else {
			struct gobin plain;

			if (!gobin_open(&plain, path, err, sizeof(err))) {
				plain_gofunc = gobin_gofunc(&plain);
				gobin_close(&plain);
			}
		}
		CHECK(plain_gofunc && gobin_gofunc(&b) == plain_gofunc);
	}
	gobin_close(&b);
	test_end();
}

static void check_file_match(void)
{
	test_begin("file names match at '/' boundaries");
	CHECK(gopcln_file_matches("godiag/testprogs/gobusy/main.go", "main.go"));
	CHECK(gopcln_file_matches("godiag/testprogs/gobusy/main.go", "gobusy/main.go"));
	CHECK(gopcln_file_matches("godiag/testprogs/gobusy/main.go",
				  "godiag/testprogs/gobusy/main.go"));
	CHECK(gopcln_file_matches("/src/app/main.go", "/app/main.go"));
	CHECK(!gopcln_file_matches("godiag/testprogs/gobusy/main.go", "ain.go"));
	CHECK(!gopcln_file_matches("main.go", "x/main.go"));
	CHECK(!gopcln_file_matches("main.go", ""));
	test_end();
}

int main(void)
{
	size_t i, k;

	test_find_repo(repo, sizeof(repo));
	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		plain_nprobes = 0;
		for (k = 0; k < ARRAY_SIZE(variants); k++)
			check_variant(&versions[i], variants[k]);
	}
	check_bad_files();
	check_versions("gobusy-go1.22-stripped", true);
	check_versions("gobusy-go1.22", false);
	check_patched("gobusy-go1.26-stripped", true);
	check_patched("gobusy-go1.19-stripped", true);
	check_patched("gobusy-go1.27-pie", false);
	check_text_start();
	check_load_bias();
	check_generic_names();
	check_file_match();
	check_many_pcs("gobusy-go1.23");
	check_many_pcs("gostart-go1.19-stripped");
	for (i = 0; i < ARRAY_SIZE(versions); i++)
		for (k = 0; k < ARRAY_SIZE(variants); k++)
			check_go_starts(versions[i].minor, variants[k]);

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		for (k = 0; versions[i].reasons && k < versions[i].nreasons_bin; k++)
			free(versions[i].reasons[k]);
		free(versions[i].reasons);
	}
	return test_summary();
}
