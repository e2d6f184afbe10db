// SPDX-License-Identifier: GPL-2.0
/*
 * The facts of a goroutine dump (ctl/gobin/goruntime.c, gorunrec.c) on
 * the test programs of every Go toolchain: every way in the code that
 * finds a value finds the one DWARF (or .symtab) gives, the facts that
 * need two ways have two, and the stripped build (no DWARF, no symbols)
 * establishes every fact from the code, equal to its twin's DWARF (an
 * address: at the same offset in the same section).
 * And where `godiagctl runtime` finds its figures (gostats.c), from the
 * DWARF and from the code with the layout table (gostatrec.c).
 * Reads build/progs/godump-go1.*{,-pie,-stripped} (or $GODIAG_PROGS);
 * a missing program fails.
 */
#include <libgen.h>
#include <stdlib.h>
#include <unistd.h>

#include <gelf.h>

#include "gobin/gobin.h"
#include "gobin/gobin_impl.h"
#include "gobin/gorunrec.h"
#include "gobin/goruntime.h"
#include "gobin/gostats.h"
#include "gobin/gostatrec.h"
#include "test.h"

static const int minors[] = { 19, 21, 22, 23, 26, 27 };

static void prog_path(char *buf, size_t len, const char *name)
{
	const char *dir = getenv("GODIAG_PROGS");
	char self[4096];
	ssize_t n;

	if (dir && *dir) {
		snprintf(buf, len, "%s/%s", dir, name);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	snprintf(buf, len, "%s/../../build/progs/%s", dirname(self), name);
}

static bool setup(const char *name, struct gobin *b, struct gort *rt, struct gorunrec *rec)
{
	char path[4096], err[1024];

	prog_path(path, sizeof(path), name);
	memset(b, 0, sizeof(*b));
	if (gobin_open(b, path, err, sizeof(err)) ||
	    gobin_goroutine_setup(b, err, sizeof(err)) ||
	    gobin_runtime_setup(b, rt, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "%s", err);
		gobin_close(b);
		return false;
	}
	gorunrec_run(b, rec);
	return true;
}

/*
 * An address as its section and the offset in it: the stripped twin's
 * data sections may start a page apart (its tables are smaller), the
 * variables keep their places in them.
 */
static bool section_offset(const struct gobin *b, uint64_t vaddr, const char **name,
			   uint64_t *off)
{
	Elf *elf = gobin_elf(b);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    vaddr < sh.sh_addr || vaddr >= sh.sh_addr + sh.sh_size)
			continue;
		*name = elf_strptr(elf, shstrndx, sh.sh_name);
		*off = vaddr - sh.sh_addr;
		return *name != NULL;
	}
	return false;
}

/* Fact i of the stripped build is its twin's: the same offset, or the same place. */
static bool same_fact(const struct gobin *bs, const struct gort *s, const struct gobin *bd,
		      const struct gort *d, int i)
{
	const char *ns, *nd;
	uint64_t os, od;

	if (s->facts[i].value == d->facts[i].value)
		return true;
	if (i != GORT_ALLGLEN && i != GORT_ALLGPTR)
		return false;
	return section_offset(bs, s->facts[i].value, &ns, &os) &&
	       section_offset(bd, d->facts[i].value, &nd, &od) && !strcmp(ns, nd) && os == od;
}

static void check_version(int minor)
{
	struct gorunrec rec_d, rec_s;
	struct gort d, s;
	struct gobin bd, bs;
	char name[64];
	int i, w;

	snprintf(name, sizeof(name), "godump-go1.%d", minor);
	test_begin("goruntime: go1.%d: every way in the code finds DWARF's value", minor);
	if (!setup(name, &bd, &d, &rec_d)) {
		test_end();
		return;
	}
	for (i = 0; i < GORT_FACTS; i++) {
		int found = 0;

		CHECK(d.facts[i].known);
		CHECK(d.facts[i].source == GOBIN_SRC_DWARF || d.facts[i].source == GOBIN_SRC_SYMTAB ||
		      d.facts[i].absent);
		for (w = 0; w < GORUNREC_WAYS; w++) {
			const struct gorunrec_result *r = &rec_d.fact[i].way[w];

			CHECK(!r->ambiguous);
			if (!r->found)
				continue;
			found++;
			if (r->value != d.facts[i].value)
				test_fail_at(__FILE__, __LINE__, "%s: %s finds %llu, DWARF %llu",
					     d.facts[i].name, r->where,
					     (unsigned long long)r->value,
					     (unsigned long long)d.facts[i].value);
		}
		if (!d.facts[i].absent && found < 2)
			test_fail_at(__FILE__, __LINE__, "%s: %d way(s) find it", d.facts[i].name,
				     found);
		if (d.facts[i].absent && found)
			test_fail_at(__FILE__, __LINE__, "%s: absent, but a way finds it",
				     d.facts[i].name);
	}
	CHECK(d.facts[GORT_SYSCALLBP].absent == (minor < 23));
	/* the variables' DWARF locations are blocks: read, and agreeing */
	CHECK(strstr(d.facts[GORT_ALLGLEN].agree, "dwarf") != NULL);
	CHECK(strstr(d.facts[GORT_ALLGPTR].agree, "dwarf") != NULL);
	test_end();

	snprintf(name, sizeof(name), "godump-go1.%d-stripped", minor);
	test_begin("goruntime: go1.%d stripped: every fact from the code, as DWARF has it", minor);
	if (setup(name, &bs, &s, &rec_s)) {
		CHECK(!bs.has_dwarf && !bs.has_symtab);
		for (i = 0; i < GORT_FACTS; i++) {
			CHECK(s.facts[i].known);
			CHECK(s.facts[i].absent || s.facts[i].source == GOBIN_SRC_CODE);
			CHECK_U64(s.facts[i].absent, d.facts[i].absent);
			if (!same_fact(&bs, &s, &bd, &d, i))
				test_fail_at(__FILE__, __LINE__, "%s: %llu, its twin's DWARF %llu",
					     s.facts[i].name, (unsigned long long)s.facts[i].value,
					     (unsigned long long)d.facts[i].value);
		}
		CHECK_U64(s.g_read, d.g_read);
		gobin_close(&bs);
	}
	test_end();
	gobin_close(&bd);
}

/* Where the code and the layout table put fact i of a binary (gostatrec.c). */
static bool from_code(const struct gobin *b, int i, uint64_t *addr, char *why, size_t len)
{
	uint64_t base, off;

	if (!gostatrec_var(b, gostatrec_var_of((enum gost_id)i), &base, why, len) ||
	    !gostatrec_field(b, (enum gost_id)i, &off, why, len))
		return false;
	*addr = base + off;
	return true;
}

/*
 * Where godiagctl runtime reads its figures (gostats.c): every one known
 * in a build with symbols and DWARF, static and PIE, at the same offsets
 * in both; the code and the layout table of the version (gostatrec.c)
 * put each at the address .symtab and the DWARF give, in both (so a
 * wrong table entry or a way that finds another variable fails); and
 * the stripped build, which has only its code, has each one at its
 * twin's place.
 */
static void check_stats(int minor)
{
	static const char *const kinds[] = { "", "-pie", "-stripped" };
	struct gost st[3];
	struct gobin b[3];
	uint64_t base[3] = { 0, 0, 0 };
	size_t k;
	int i;

	test_begin("gostats: go1.%d: the runtime's figures are found, from the code too",
		   minor);
	memset(b, 0, sizeof(b));
	for (k = 0; k < 3; k++) {
		char name[64], path[4096], err[1024];

		snprintf(name, sizeof(name), "godump-go1.%d%s", minor, kinds[k]);
		prog_path(path, sizeof(path), name);
		if (gobin_open(&b[k], path, err, sizeof(err))) {
			test_fail_at(__FILE__, __LINE__, "%s", err);
			while (k--)
				gobin_close(&b[k]);
			test_end();
			return;
		}
		gobin_stats_setup(&b[k], &st[k]);
		base[k] = st[k].f[GOST_NUMGC].addr;
	}
	CHECK(!b[2].has_dwarf && !b[2].has_symtab);
	for (i = 0; i < GOST_FACTS; i++) {
		const char *ns, *nd;
		uint64_t os, od, addr;
		char why[256];

		for (k = 0; k < 3; k++)
			if (!st[k].f[i].known)
				test_fail_at(__FILE__, __LINE__, "%s%s: %s", st[k].f[i].name,
					     kinds[k], st[k].f[i].why);
		CHECK_U64(st[0].f[i].size, st[1].f[i].size);
		CHECK_U64(st[0].f[i].size, st[2].f[i].size);
		if (i >= GOST_NUMGC && i <= GOST_PAUSE_NS)
			CHECK_U64(st[0].f[i].addr - base[0], st[1].f[i].addr - base[1]);
		/* the code's account of the builds with DWARF is DWARF's */
		for (k = 0; k < 2; k++) {
			if (!from_code(&b[k], i, &addr, why, sizeof(why)))
				test_fail_at(__FILE__, __LINE__, "%s%s from the code: %s",
					     st[k].f[i].name, kinds[k], why);
			else if (addr != st[k].f[i].addr)
				test_fail_at(__FILE__, __LINE__, "%s%s: the code and table give "
					     "0x%llx, DWARF 0x%llx", st[k].f[i].name, kinds[k],
					     (unsigned long long)addr,
					     (unsigned long long)st[k].f[i].addr);
		}
		/* the stripped build's, at its twin's place */
		if (!section_offset(&b[2], st[2].f[i].addr, &ns, &os) ||
		    !section_offset(&b[0], st[0].f[i].addr, &nd, &od) || strcmp(ns, nd) ||
		    os != od)
			test_fail_at(__FILE__, __LINE__, "%s-stripped: 0x%llx, its twin's 0x%llx",
				     st[2].f[i].name, (unsigned long long)st[2].f[i].addr,
				     (unsigned long long)st[0].f[i].addr);
	}
	CHECK_U64(st[0].f[GOST_PAUSE_NS].size, 256 * 8);
	for (k = 0; k < 3; k++)
		gobin_close(&b[k]);
	test_end();
}

/* A Go version the layout table does not have: unknown, and why. */
static void check_no_table(void)
{
	char path[4096], err[1024];
	struct gost st;
	struct gobin b;
	int i;

	test_begin("gostats: a Go version the table does not have leaves the figures unknown");
	prog_path(path, sizeof(path), "godump-go1.23-stripped");
	memset(&b, 0, sizeof(b));
	if (gobin_open(&b, path, err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "%s", err);
		test_end();
		return;
	}
	b.go_minor = 24;
	snprintf(b.go_version, sizeof(b.go_version), "go1.24.0");
	gobin_stats_setup(&b, &st);
	for (i = 0; i < GOST_FACTS; i++)
		CHECK(!st.f[i].known && strstr(st.f[i].why, "no table") &&
		      strstr(st.f[i].why, "go1.24.0"));
	gobin_close(&b);
	test_end();
}

/* The whole file at path, or NULL. */
static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	if (f)
		fclose(f);
	return buf;
}

/*
 * One displacement changed in a stripped binary: enlistWorker's `cmp
 * dword [rip + X], 1` (gomaxprocs <= 1) made to reach 8 bytes further.
 * Its way and flushallmcaches' then disagree, and GOMAXPROCS is unknown
 * with both named, never read from the wrong place; the other figures are
 * still found.
 */
static void check_disagree(void)
{
	char path[4096], err[1024];
	uint64_t entry, end, off;
	struct gobin b;
	struct gost st;
	uint8_t *img;
	size_t size = 0, k, hits = 0;
	int i;

	test_begin("gostats: ways in the code that disagree leave the figure unknown");
	prog_path(path, sizeof(path), "godump-go1.27-stripped");
	img = slurp(path, &size);
	memset(&b, 0, sizeof(b));
	if (!img || gobin_open_mem(&b, img, size, "patched", err, sizeof(err)) ||
	    gobin_func_range(&b, "runtime.(*gcControllerState).enlistWorker", &entry, &end) ||
	    gobin_file_offset(&b, entry, &off) || off + (end - entry) > size) {
		test_fail_at(__FILE__, __LINE__, "cannot read %s", path);
		free(img);
		test_end();
		return;
	}
	gobin_close(&b);
	/* 83 3d disp32 01: cmp dword [rip + disp32], 1 */
	for (k = (size_t)off; k + 7 <= (size_t)(off + (end - entry)); k++) {
		uint32_t d;

		if (img[k] != 0x83 || img[k + 1] != 0x3d || img[k + 6] != 0x01)
			continue;
		d = (uint32_t)img[k + 2] | (uint32_t)img[k + 3] << 8 |
		    (uint32_t)img[k + 4] << 16 | (uint32_t)img[k + 5] << 24;
		d += 8;
		img[k + 2] = (uint8_t)d;
		img[k + 3] = (uint8_t)(d >> 8);
		img[k + 4] = (uint8_t)(d >> 16);
		img[k + 5] = (uint8_t)(d >> 24);
		hits++;
	}
	CHECK_U64(hits, 1);
	if (gobin_open_mem(&b, img, size, "patched", err, sizeof(err))) {
		test_fail_at(__FILE__, __LINE__, "%s", err);
	} else {
		gobin_stats_setup(&b, &st);
		CHECK(!st.f[GOST_GOMAXPROCS].known);
		if (!strstr(st.f[GOST_GOMAXPROCS].why, "disagree") ||
		    !strstr(st.f[GOST_GOMAXPROCS].why, "enlistWorker") ||
		    !strstr(st.f[GOST_GOMAXPROCS].why, "flushallmcaches"))
			CHECK_STR(st.f[GOST_GOMAXPROCS].why, "... disagree ... enlistWorker ... "
				  "flushallmcaches ...");
		for (i = 0; i < GOST_FACTS; i++)
			if (i != GOST_GOMAXPROCS)
				CHECK(st.f[i].known);
		gobin_close(&b);
	}
	free(img);
	test_end();
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(minors) / sizeof(minors[0]); i++) {
		check_version(minors[i]);
		check_stats(minors[i]);
	}
	check_no_table();
	check_disagree();
	return test_summary();
}
