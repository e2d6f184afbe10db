// SPDX-License-Identifier: GPL-2.0
/*
 * The facts of a goroutine dump (ctl/gobin/goruntime.c, gorunrec.c) on
 * the test programs of every Go toolchain: every way in the code that
 * finds a value finds the one DWARF (or .symtab) gives, the facts that
 * need two ways have two, and the stripped build (no DWARF, no symbols)
 * establishes every fact from the code, equal to its twin's DWARF.
 * Reads build/progs/godump-go1.*{,-pie,-stripped} (or $GODIAG_PROGS);
 * a missing program fails.
 */
#include <libgen.h>
#include <stdlib.h>
#include <unistd.h>

#include "gobin/gobin.h"
#include "gobin/gorunrec.h"
#include "gobin/goruntime.h"
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
	test_end();

	snprintf(name, sizeof(name), "godump-go1.%d-stripped", minor);
	test_begin("goruntime: go1.%d stripped: every fact from the code, as DWARF has it", minor);
	if (setup(name, &bs, &s, &rec_s)) {
		CHECK(!bs.has_dwarf && !bs.has_symtab);
		for (i = 0; i < GORT_FACTS; i++) {
			CHECK(s.facts[i].known);
			CHECK(s.facts[i].absent || s.facts[i].source == GOBIN_SRC_CODE);
			CHECK_U64(s.facts[i].absent, d.facts[i].absent);
			if (s.facts[i].value != d.facts[i].value)
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

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof(minors) / sizeof(minors[0]); i++)
		check_version(minors[i]);
	return test_summary();
}
