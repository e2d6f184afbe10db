// SPDX-License-Identifier: GPL-2.0
/*
 * The capture file writer and reader (ctl/capfile/capwrite.c, ctl/capfile/capfile.c):
 * round trips, every truncation, crafted corruptions, and random damage
 * that must end in an error line, never in a crash (ASan watches).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <zstd.h>

#include "capfile_build.h"
#include "test.h"

#define ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

/* Everything the visitor saw, one line per call. */
struct log {
	char *text;
	size_t len;
	FILE *f;
	int stop_at_record;	/* return 7 from this record (1-based), or 0 */
	int records;
};

static void log_open(struct log *l)
{
	memset(l, 0, sizeof(*l));
	l->f = open_memstream(&l->text, &l->len);
}

static char *log_close(struct log *l)
{
	fclose(l->f);
	return l->text;
}

static int v_meta(const char *key, const char *value, void *arg)
{
	fprintf(((struct log *)arg)->f, "meta %s=%s\n", key, value);
	return 0;
}

static int v_target(const struct capfile_target *t, void *arg)
{
	fprintf(((struct log *)arg)->f, "target %u %u '%s' '%s'\n", t->pid,
		t->flags, t->comm, t->exe);
	return 0;
}

static int v_record(const struct godiag_rec *rec, size_t len, void *arg)
{
	struct log *l = arg;

	fprintf(l->f, "record type=%u len=%zu tgid=%u", rec->type, len, rec->tgid);
	if (rec->type == GODIAG_REC_SYSCALL) {
		const struct godiag_rec_syscall *s = (const void *)rec;

		fprintf(l->f, " nr=%u dur=%llu ret=%lld", s->nr,
			(unsigned long long)s->duration_ns, (long long)s->ret);
	} else if (rec->type == GODIAG_REC_LOST) {
		fprintf(l->f, " count=%llu",
			(unsigned long long)((const struct godiag_rec_lost *)rec)->count);
	}
	fputc('\n', l->f);
	return ++l->records == l->stop_at_record ? 7 : 0;
}

static int v_note(const char *text, void *arg)
{
	fprintf(((struct log *)arg)->f, "note %s\n", text);
	return 0;
}

static int v_stats(const struct capfile_stats_head *h, uint32_t i,
		   const struct capfile_cpu_stats *c, void *arg)
{
	fprintf(((struct log *)arg)->f,
		"stats %u/%u flags=%u cpu=%u written=%llu lost=%llu bytes=%llu "
		"kread=%llu read=%llu marked=%llu\n", i, h->nr_cpus, h->flags, c->cpu,
		(unsigned long long)c->written, (unsigned long long)c->lost,
		(unsigned long long)c->bytes, (unsigned long long)c->kernel_read,
		(unsigned long long)c->read, (unsigned long long)c->lost_marked);
	return 0;
}

static int v_end(const struct capfile_end *e, void *arg)
{
	fprintf(((struct log *)arg)->f, "end %llu %llu %llu %llu\n",
		(unsigned long long)e->realtime_ns, (unsigned long long)e->monotonic_ns,
		(unsigned long long)e->records, (unsigned long long)e->record_bytes);
	return 0;
}

static int v_goinfo(const struct capfile_goinfo *h, const char *const *reasons,
		    void *arg)
{
	struct log *l = arg;
	uint32_t i;

	fprintf(l->f, "goinfo pid=%u go=%s bias=%#llx n=%u len=%u:", h->pid,
		h->go_version, (unsigned long long)h->load_bias, h->nreasons,
		h->strings_len);
	for (i = 0; i < h->nreasons; i++)
		fprintf(l->f, " '%s'", reasons[i]);
	fputc('\n', l->f);
	return 0;
}

static int v_syms(const struct capfile_syms_head *h, const struct capfile_sym *syms,
		  const char *strings, void *arg)
{
	struct log *l = arg;
	uint32_t i;

	fprintf(l->f, "syms pid=%u count=%u len=%u:", h->pid, h->count, h->strings_len);
	for (i = 0; i < h->count; i++) {
		fprintf(l->f, " %#llx=%s@%s:%u", (unsigned long long)syms[i].pc,
			strings + syms[i].func_off, strings + syms[i].file_off,
			syms[i].line);
		if (syms[i].start_off)
			fprintf(l->f, "->%s", strings + syms[i].start_off - 1);
	}
	fputc('\n', l->f);
	return 0;
}

/* For parses whose calls are not checked. */
static const struct capfile_visitor quiet = { 0 };

static const struct capfile_visitor visitor = {
	.meta = v_meta,
	.target = v_target,
	.record = v_record,
	.note = v_note,
	.stats = v_stats,
	.end = v_end,
	.goinfo = v_goinfo,
	.syms = v_syms,
};

static void file_of_every_kind(struct membuf *m, int zlevel);

/* A file with every section kind, written by the real writer. */
static void valid_file(struct membuf *m)
{
	file_of_every_kind(m, 0);
}

/* The same with capture --compress: its first RECORDS section compressed. */
static void valid_file_z(struct membuf *m)
{
	file_of_every_kind(m, 3);
}

static void file_of_every_kind(struct membuf *m, int zlevel)
{
	struct godiag_rec_syscall s1 = make_syscall(100, 1, 500, 3, 1000);
	struct godiag_rec_syscall s2 = make_syscall(101, 35, 70000, -4, 2000);
	struct godiag_rec_lost lost = make_lost(1, 7);
	struct capfile_cpu_stats cpus[2] = {
		{ .cpu = 0, .written = 3, .lost = 0, .bytes = 192, .read = 3 },
		{ .cpu = 1, .written = 9, .lost = 7, .bytes = 128, .kernel_read = 1,
		  .read = 2, .lost_marked = 7 },
	};
	struct capfile_target t = { .pid = 100, .flags = 1 };
	uint64_t unknown[5] = { 0 };
	struct godiag_rec *u = (struct godiag_rec *)unknown;
	char *meta = NULL;
	size_t mlen = 0;
	struct capw w;
	int fd = memfile_open(&w);

	u->type = 77;
	u->size = sizeof(unknown);
	u->tgid = 5;
	snprintf(t.comm, sizeof(t.comm), "app");
	snprintf(t.exe, sizeof(t.exe), "/usr/bin/app");
	if (zlevel)
		capw_compress(&w, zlevel);
	capw_meta_add(&meta, &mlen, "mode", "%s", "discard");
	capw_meta_add(&meta, &mlen, "hostname", "%s", "box\nevil\x1b");
	capw_meta_add(&meta, &mlen, "empty", "%s", "");
	capw_section(&w, CAPFILE_SEC_META, 0, meta, mlen);
	free(meta);
	capw_target(&w, &t);
	capw_record(&w, &s1, sizeof(s1));
	capw_record(&w, &lost, sizeof(lost));
	capw_record(&w, u, u->size);
	capw_note(&w, "hello %d", 42);
	capw_record(&w, &s2, sizeof(s2));
	capw_stats(&w, CAPFILE_STATS_KERNEL, cpus, 2);
	capw_end(&w, 111, 222);
	if (capw_close(&w))
		abort();
	memfile_read(fd, m);
}

static const char valid_log[] =
	"meta mode=discard\n"
	"meta hostname=box?evil?\n"
	"meta empty=\n"
	"target 100 1 'app' '/usr/bin/app'\n"
	"record type=2 len=64 tgid=100 nr=1 dur=500 ret=3\n"
	"record type=1 len=56 tgid=0 count=7\n"
	"record type=77 len=40 tgid=5\n"
	"note hello 42\n"
	"record type=2 len=64 tgid=101 nr=35 dur=70000 ret=-4\n"
	"stats 0/2 flags=1 cpu=0 written=3 lost=0 bytes=192 kread=0 read=3 marked=0\n"
	"stats 1/2 flags=1 cpu=1 written=9 lost=7 bytes=128 kread=1 read=2 marked=7\n"
	"end 111 222 4 224\n";

static int parse(const struct membuf *m, struct log *l, struct capfile_info *info,
		 char *err, size_t errlen)
{
	log_open(l);
	return capfile_parse(m->buf, m->len, &visitor, l, info, err, errlen);
}

static void expect_error(const char *name, const struct membuf *m, const char *want);
static void expect_ok(const char *name, const struct membuf *m, bool complete);

/* GOINFO, SYMS (unsorted input, a duplicate pc, odd strings), a record. */
static void go_file(struct membuf *m)
{
	static char *reasons[] = { "", "chan receive", "IO\twait", "bad\x1b" };
	static const struct capw_sym syms[] = {
		{ 0x30, "main.b", "b.go", 3, NULL },
		{ 0x10, "main.a", "a.go", 1, NULL },
		{ 0x20, "main.a", NULL, 0, NULL },
		{ 0x10, "main.dup", "x.go", 9, NULL },
		{ 0x40, "we\nird", "a.go", 4, NULL },
		{ 0x50, "main.main.gowrap1", "a.go", 5, "main.b" },
	};
	struct godiag_rec_go g = make_go(GODIAG_REC_GO_CREATE, 100, 101, 5, 1, 2);
	struct capfile_goinfo h;
	struct capw w;
	int fd = memfile_open(&w);

	memset(&h, 0, sizeof(h));
	h.pid = 100;
	h.load_bias = 0x1000;
	h.nreasons = 99;	/* the writer counts them */
	snprintf(h.go_version, sizeof(h.go_version), "go1.22.2");
	capw_goinfo(&w, &h, reasons, 4);
	capw_syms(&w, 100, syms, 6);
	capw_record(&w, &g, sizeof(g));
	capw_end(&w, 1, 2);
	if (capw_close(&w))
		abort();
	memfile_read(fd, m);
}

static const char go_log[] =
	"goinfo pid=100 go=go1.22.2 bias=0x1000 n=4 len=27: '' 'chan receive' "
	"'IO\twait' 'bad?'\n"
	/*
	 * Strings stored once: main.a a.go "" main.b b.go we?ird
	 * main.main.gowrap1 = 50 bytes.
	 */
	"syms pid=100 count=5 len=50: 0x10=main.a@a.go:1 0x20=main.a@:0 "
	"0x30=main.b@b.go:3 0x40=we?ird@a.go:4 0x50=main.main.gowrap1@a.go:5->main.b\n"
	"record type=3 len=72 tgid=100\n"
	"end 1 2 1 72\n";

static void test_go_round_trip(void)
{
	struct capfile_info info;
	struct membuf m, odd;
	struct log l;
	char err[256];

	test_begin("capfile: GOINFO and SYMS round trip");
	go_file(&m);
	CHECK_U64(parse(&m, &l, &info, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_STR(log_close(&l), go_log);
	CHECK_U64(info.sections, 4);
	free(l.text);
	test_end();

	/* At an odd address the entries are copied out aligned (UBSan checks). */
	test_begin("capfile: SYMS of a buffer at an odd address");
	odd.len = m.len;
	odd.buf = malloc(m.len + 1);
	memcpy(odd.buf + 1, m.buf, m.len);
	log_open(&l);
	CHECK_U64(capfile_parse(odd.buf + 1, m.len, &visitor, &l, NULL, err, sizeof(err)), 0);
	CHECK_STR(log_close(&l), go_log);
	free(l.text);
	free(odd.buf);
	free(m.buf);
	test_end();
}

static int count_reasons(const struct capfile_goinfo *h, const char *const *reasons,
			 void *arg)
{
	(void)reasons;
	*(uint32_t *)arg = h->nreasons;
	return 0;
}

static void test_go_writer_limits(void)
{
	static const struct capfile_visitor v = { .goinfo = count_reasons };
	char *reasons[300];
	struct capfile_goinfo h;
	struct membuf m;
	struct capw w;
	uint32_t n = 0;
	char err[256];
	int fd = memfile_open(&w), i;

	test_begin("capfile: capw_goinfo keeps at most 256 reasons, capw_syms of none");
	for (i = 0; i < 300; i++)
		reasons[i] = i % 2 ? "x" : NULL;
	memset(&h, 0, sizeof(h));
	memset(h.go_version, 'g', sizeof(h.go_version));	/* no NUL: cut */
	capw_goinfo(&w, &h, reasons, 300);
	capw_syms(&w, 5, NULL, 0);
	capw_end(&w, 1, 2);
	CHECK_U64(capw_close(&w), 0);
	memfile_read(fd, &m);
	CHECK_U64(capfile_parse(m.buf, m.len, &v, &n, NULL, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_U64(n, CAPFILE_REASONS_MAX);
	free(m.buf);
	test_end();
}

/* A GOINFO section: head, then n string bytes. */
static void goinfo_section(struct membuf *m, uint32_t nreasons, uint32_t strings_len,
			   const char *strs, size_t n)
{
	struct capfile_goinfo h;
	uint8_t p[sizeof(h) + 1024];

	memset(&h, 0, sizeof(h));
	h.nreasons = nreasons;
	h.strings_len = strings_len;
	snprintf(h.go_version, sizeof(h.go_version), "go1.21.0");
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), strs, n);
	m->len = 0;
	mb_header(m, 1, 24);
	mb_section(m, CAPFILE_SEC_GOINFO, 0, p, sizeof(h) + n);
	mb_end(m, 0);
}

static void test_goinfo_corrupt(void)
{
	const char *want = "corrupt GOINFO section at byte 40";
	struct capfile_goinfo h;
	struct membuf m = { 0 };
	char many[300];

	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_GOINFO, 0, "0123456789abcdef", 16);
	mb_end(&m, 0);
	expect_error("GOINFO shorter than its head", &m, want);
	memset(many, 0, sizeof(many));
	goinfo_section(&m, 257, 257, many, 257);
	expect_error("GOINFO with 257 reasons", &m, want);
	goinfo_section(&m, 256, 256, many, 256);
	expect_ok("GOINFO with 256 empty reasons", &m, true);
	goinfo_section(&m, 0, 0, "", 0);
	expect_ok("GOINFO without reasons", &m, true);
	goinfo_section(&m, 1, 10, "a", 2);
	expect_error("GOINFO strings_len past the section", &m, want);
	goinfo_section(&m, 1, 1, "a\0", 2);
	expect_error("GOINFO strings_len short of the section", &m, want);
	goinfo_section(&m, 2, 3, "a\0b", 3);
	expect_error("GOINFO reason without its NUL", &m, want);
	goinfo_section(&m, 2, 2, "a\0", 2);
	expect_error("GOINFO with fewer strings than nreasons", &m, want);
	goinfo_section(&m, 1, 4, "a\0b\0", 4);
	expect_error("GOINFO with more strings than nreasons", &m, want);
	goinfo_section(&m, 1, 2, "\x1b\0", 2);
	expect_error("GOINFO reason with an escape", &m, want);
	memset(&h, 'v', sizeof(h));
	h.nreasons = h.strings_len = 0;
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_GOINFO, 0, &h, sizeof(h));
	mb_end(&m, 0);
	expect_error("GOINFO go_version without a NUL", &m, want);
	free(m.buf);
}

struct sym_case {
	const char *name;
	uint32_t count;		/* what the head claims */
	uint32_t strings_len;	/* what the head claims */
	struct capfile_sym e[2];
	size_t nents;		/* entries really there */
	const char *strs;
	size_t nstrs;		/* string bytes really there */
};

static const struct sym_case sym_cases[] = {
	{ "SYMS count past the section", 1000, 4, { { 0x10, 0, 0, 1, 0 } }, 1, "f\0g", 4 },
	{ "SYMS count of 2^32-1", 0xffffffff, 4, { { 0x10, 0, 0, 1, 0 } }, 1, "f\0g", 4 },
	{ "SYMS strings_len past the section", 1, 9, { { 0x10, 0, 0, 1, 0 } }, 1, "f\0", 2 },
	{ "SYMS strings_len short of the section", 1, 1, { { 0x10, 0, 0, 1, 0 } }, 1, "f\0", 2 },
	{ "SYMS func name past the strings", 1, 2, { { 0x10, 2, 0, 1, 0 } }, 1, "f\0", 2 },
	{ "SYMS file name past the strings", 1, 2, { { 0x10, 0, 7, 1, 0 } }, 1, "f\0", 2 },
	{ "SYMS start name past the strings", 1, 2, { { 0x10, 0, 0, 1, 3 } }, 1, "f\0", 2 },
	{ "SYMS strings without the last NUL", 1, 2, { { 0x10, 0, 0, 1, 0 } }, 1, "fg", 2 },
	{ "SYMS string with a newline", 1, 3, { { 0x10, 0, 0, 1, 0 } }, 1, "f\n\0", 3 },
	{ "SYMS entries out of order", 2, 2,
	  { { 0x20, 0, 0, 1, 0 }, { 0x10, 0, 0, 1, 0 } }, 2, "f\0", 2 },
	{ "SYMS entries with the same pc", 2, 2,
	  { { 0x20, 0, 0, 1, 0 }, { 0x20, 0, 0, 1, 0 } }, 2, "f\0", 2 },
	{ "SYMS entries without strings", 1, 0, { { 0x10, 0, 0, 1, 0 } }, 1, "", 0 },
};

static void syms_section(struct membuf *m, const struct sym_case *c)
{
	struct capfile_syms_head h = { .pid = 1, .count = c->count,
				       .strings_len = c->strings_len };
	uint8_t p[sizeof(h) + sizeof(c->e) + 16];
	size_t n = sizeof(h);

	memcpy(p, &h, sizeof(h));
	memcpy(p + n, c->e, c->nents * sizeof(c->e[0]));
	n += c->nents * sizeof(c->e[0]);
	memcpy(p + n, c->strs, c->nstrs);
	n += c->nstrs;
	m->len = 0;
	mb_header(m, 1, 24);
	mb_section(m, CAPFILE_SEC_SYMS, 0, p, n);
	mb_end(m, 0);
}

static void test_syms_corrupt(void)
{
	static const struct sym_case empty = { "SYMS of no entries", 0, 0, { { 0 } }, 0, "", 0 };
	static const struct sym_case fine = { "SYMS of two entries", 2, 4,
		{ { 0x10, 0, 2, 1, 0 }, { 0x20, 2, 3, 0, 0 } }, 2, "f\0g\0", 4 };
	struct membuf m = { 0 };
	size_t i;

	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_SYMS, 0, "01234567", 8);
	mb_end(&m, 0);
	expect_error("SYMS shorter than its head", &m, "corrupt SYMS section at byte 40");
	for (i = 0; i < ARRAY_SIZE_T(sym_cases); i++) {
		syms_section(&m, &sym_cases[i]);
		expect_error(sym_cases[i].name, &m, "corrupt SYMS section at byte 40");
	}
	syms_section(&m, &empty);
	expect_ok(empty.name, &m, true);
	syms_section(&m, &fine);
	expect_ok(fine.name, &m, true);
	free(m.buf);
}

static void test_round_trip(void)
{
	struct capfile_info info;
	struct membuf m;
	struct log l;
	char err[256];

	test_begin("capfile: round trip of every section kind");
	valid_file(&m);
	CHECK_U64(parse(&m, &l, &info, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_STR(log_close(&l), valid_log);
	CHECK_U64(info.version, CAPFILE_VERSION);
	CHECK_U64(info.abi_version, GODIAG_ABI_VERSION);
	CHECK_U64(info.records, 4);
	/* META, TARGETS, RECORDS, NOTE, RECORDS, STATS, END */
	CHECK_U64(info.sections, 7);
	CHECK(info.complete);
	CHECK_U64(m.len % 8, 0);
	free(l.text);
	free(m.buf);
	test_end();
}

/* What a cut at each length of a well-formed file must leave. */
struct layout {
	size_t sec_at[16];	/* where each section's header starts */
	uint32_t sec_type[16];
	size_t nsec;
	size_t rec_end[64];	/* where each record ends */
	size_t nrec;
};

static void layout_of(const struct membuf *m, struct layout *lo)
{
	struct capfile_section s;
	struct godiag_rec r;
	size_t off = sizeof(struct capfile_header), at;

	memset(lo, 0, sizeof(*lo));
	while (off < m->len && lo->nsec < ARRAY_SIZE_T(lo->sec_at)) {
		memcpy(&s, m->buf + off, sizeof(s));
		lo->sec_at[lo->nsec] = off;
		lo->sec_type[lo->nsec++] = s.type;
		for (at = off + sizeof(s); s.type == CAPFILE_SEC_RECORDS &&
		     at < off + sizeof(s) + s.length && lo->nrec < ARRAY_SIZE_T(lo->rec_end);
		     at += r.size) {
			memcpy(&r, m->buf + at, sizeof(r));
			lo->rec_end[lo->nrec++] = at + r.size;
		}
		/* A compressed one's records come whole, at the end of its payload. */
		if (s.type == CAPFILE_SEC_ZSTD) {
			struct capfile_section in;
			uint8_t out[4096];
			size_t n, k;

			memcpy(&in, m->buf + off + sizeof(s), sizeof(in));
			n = ZSTD_decompress(out, sizeof(out), m->buf + off + 2 * sizeof(s),
					    s.length - sizeof(in));
			for (k = 0; in.type == CAPFILE_SEC_RECORDS && !ZSTD_isError(n) && k < n &&
			     lo->nrec < ARRAY_SIZE_T(lo->rec_end); k += r.size) {
				memcpy(&r, out + k, sizeof(r));
				lo->rec_end[lo->nrec++] = off + sizeof(s) + s.length;
			}
		}
		off += sizeof(s) + ((s.length + 7) & ~7ULL);
	}
}

static int count_record(const struct godiag_rec *rec, size_t len, void *arg)
{
	(void)rec;
	(void)len;
	(*(size_t *)arg)++;
	return 0;
}

/* The section a cut at len falls in: its type, 0 in a header or between two. */
static uint32_t cut_section_at(const struct layout *lo, size_t len, bool *inside)
{
	size_t i;

	*inside = len > sizeof(struct capfile_header) || len < sizeof(struct capfile_header);
	for (i = 0; i < lo->nsec; i++) {
		if (len == lo->sec_at[i]) {
			*inside = false;
			return 0;
		}
		if (len < lo->sec_at[i] + sizeof(struct capfile_section) &&
		    len > lo->sec_at[i])
			return 0;
		if (i + 1 == lo->nsec || len < lo->sec_at[i + 1])
			return len > lo->sec_at[i] ? lo->sec_type[i] : 0;
	}
	return 0;
}

/*
 * Every cut of a file: shorter than the magic, not a capture file; else
 * an incomplete file that says where it ends and delivers every record
 * that ends before the cut, never an error.
 */
static void check_truncations(const char *name, void (*make)(struct membuf *),
			      size_t sections)
{
	static const struct capfile_visitor counter = { .record = count_record };
	struct capfile_info info;
	struct layout lo;
	struct membuf m, cut;
	size_t len, want_recs, recs, i;
	uint32_t want_sec;
	bool inside;
	char err[256];
	int bad = 0;

	test_begin("capfile: every cut of %s reads up to the cut", name);
	make(&m);
	layout_of(&m, &lo);
	CHECK_U64(lo.nsec, sections);
	for (len = 0; len < m.len; len++) {
		int rc;

		/* A copy of exactly len bytes, so ASan sees any overread. */
		cut.len = len;
		cut.buf = malloc(len ? len : 1);
		memcpy(cut.buf, m.buf, len);
		recs = 0;
		rc = capfile_parse(cut.buf, cut.len, &counter, &recs, &info, err, sizeof(err));
		free(cut.buf);
		if (len < CAPFILE_MAGIC_LEN) {
			if (rc != -1 || strcmp(err, "not a godiag capture file"))
				if (bad++ < 5)
					test_fail_at(__FILE__, __LINE__, "length %zu: rc %d, "
						     "err '%s'", len, rc, err);
			continue;
		}
		for (i = want_recs = 0; i < lo.nrec; i++)
			want_recs += lo.rec_end[i] <= len;
		want_sec = cut_section_at(&lo, len, &inside);
		if (rc || err[0] || info.complete || info.cut_at != len ||
		    info.cut_inside != inside || info.cut_section != want_sec ||
		    recs != want_recs || info.records != want_recs) {
			if (bad++ < 5)
				test_fail_at(__FILE__, __LINE__, "length %zu: rc %d, err '%s', "
					     "complete %d, cut at %llu, inside %d (want %d), "
					     "section %u (want %u), records %zu (want %zu)",
					     len, rc, err, info.complete,
					     (unsigned long long)info.cut_at, info.cut_inside,
					     inside, info.cut_section, want_sec, recs, want_recs);
		}
	}
	CHECK_U64(bad, 0);
	free(m.buf);
	test_end();
}

static void test_every_truncation(void)
{
	check_truncations("a file of every kind", valid_file, 7);
	check_truncations("a Go capture", go_file, 4);
}

static void expect_error(const char *name, const struct membuf *m, const char *want)
{
	char err[256];
	int rc;

	test_begin("capfile: %s", name);
	rc = capfile_parse(m->buf, m->len, &quiet, NULL, NULL, err, sizeof(err));
	CHECK_U64(rc, (uint64_t)-1);
	CHECK_STR(err, want);
	test_end();
}

/* Not an error: an incomplete file cut at byte at. */
static void expect_cut(const char *name, const struct membuf *m, uint64_t at,
		       bool inside, uint32_t section)
{
	struct capfile_info info;
	char err[256];

	test_begin("capfile: %s: a cut file", name);
	CHECK_U64(capfile_parse(m->buf, m->len, &quiet, NULL, &info, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK(!info.complete);
	CHECK_U64(info.cut_at, at);
	CHECK_U64(info.cut_inside, inside);
	CHECK_U64(info.cut_section, section);
	test_end();
}

static void expect_ok(const char *name, const struct membuf *m, bool complete)
{
	struct capfile_info info;
	char err[256];
	int rc;

	test_begin("capfile: %s", name);
	rc = capfile_parse(m->buf, m->len, &quiet, NULL, &info, err, sizeof(err));
	CHECK_U64(rc, 0);
	CHECK_STR(err, "");
	CHECK_U64(info.complete, complete);
	test_end();
}

static void test_headers(void)
{
	struct membuf m = { 0 };

	mb_put(&m, "", 0);
	expect_error("empty file", &m, "not a godiag capture file");
	mb_put(&m, "GODIAGCX\1\0\0\0", 12);
	expect_error("wrong magic", &m, "not a godiag capture file");
	m.len = 0;
	mb_put(&m, "ELF\x7f", 4);
	expect_error("short non-capture file", &m, "not a godiag capture file");
	m.len = 0;
	mb_header(&m, 2, 24);
	expect_error("newer format version", &m, "unsupported format version 2");
	m.len = 0;
	mb_header(&m, 0, 24);
	expect_error("format version 0", &m, "unsupported format version 0");
	m.len = 0;
	mb_header(&m, 1, 16);
	expect_error("header size too small", &m, "corrupt header (header size 16)");
	m.len = 0;
	mb_header(&m, 1, 28);
	expect_error("header size unaligned", &m, "corrupt header (header size 28)");
	m.len = 0;
	mb_header(&m, 1, 24);
	m.buf[12] = 0x00;
	m.buf[13] = 0x10;	/* header size 4096 */
	expect_cut("header size past the end", &m, 24, true, 0);
	m.len = 0;
	mb_header(&m, 1, 24);
	expect_ok("header only: incomplete", &m, false);
	m.len = 0;
	mb_header(&m, 1, 32);
	mb_end(&m, 0);
	expect_ok("a longer header is skipped", &m, true);
	free(m.buf);
}

static void test_sections(void)
{
	struct godiag_rec_syscall s = make_syscall(1, 1, 1, 0, 10);
	struct membuf m = { 0 };
	static const char junk[8];

	mb_header(&m, 1, 24);
	mb_section_len(&m, CAPFILE_SEC_NOTE, 0, UINT64_MAX, "x", 1);
	expect_cut("section length 2^64-1", &m, 48, true, CAPFILE_SEC_NOTE);
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section_len(&m, CAPFILE_SEC_NOTE, 0, 9, "x", 1);
	expect_cut("section length past the end", &m, 48, true, CAPFILE_SEC_NOTE);
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_put(&m, junk, 8);
	expect_cut("half a section header", &m, 32, true, 0);
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, 99, 0, "future", 6);
	mb_end(&m, 0);
	expect_ok("unknown optional section is skipped", &m, true);
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, 99, CAPFILE_SF_REQUIRED, "future", 6);
	mb_end(&m, 0);
	expect_error("unknown required section", &m, "unsupported section type 99 "
		     "at byte 24 (written by a newer godiagctl?)");
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_end(&m, 0);
	mb_section(&m, CAPFILE_SEC_NOTE, 0, "late", 4);
	expect_error("a section after END", &m, "data after the end section at byte 72");
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_RECORDS, 0, &s, sizeof(s));
	mb_end(&m, 2);
	expect_error("END counts other records", &m, "corrupt: the end section counts "
		     "2 records, the file holds 1");
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_END, 0, junk, 8);
	expect_error("short END", &m, "corrupt END section at byte 40");
	free(m.buf);
}

/* A RECORDS section holding one record whose header says size and type. */
static void bad_record(const char *name, uint16_t type, uint16_t size, size_t len,
		       const char *want)
{
	uint64_t rec[520] = { 0 };
	struct godiag_rec *h = (struct godiag_rec *)rec;
	struct membuf m = { 0 };

	h->type = type;
	h->size = size;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_RECORDS, 0, rec, len);
	mb_end(&m, 1);
	expect_error(name, &m, want);
	free(m.buf);
}

static void test_records(void)
{
	const char *at40 = "corrupt record at byte 40";

	bad_record("record size 0", GODIAG_REC_SYSCALL, 0, 64, at40);
	bad_record("record size not a multiple of 8", 77, 36, 40, at40);
	bad_record("record smaller than its header", 77, 24, 24, at40);
	bad_record("record larger than the section", GODIAG_REC_SYSCALL, 72, 64, at40);
	bad_record("record over GODIAG_REC_SIZE_MAX", 77, 4104, 4104, at40);
	bad_record("syscall record smaller than its struct", GODIAG_REC_SYSCALL, 32, 32, at40);
	bad_record("lost marker smaller than its struct", GODIAG_REC_LOST, 48, 48, at40);
	bad_record("goroutine record smaller than its struct", GODIAG_REC_GO_PARK, 64, 64,
		   at40);
	bad_record("PAD records are never stored", GODIAG_REC_PAD, 32, 32, at40);
	bad_record("section shorter than a record header", GODIAG_REC_SYSCALL, 64, 16, at40);
}

static void test_text_sections(void)
{
	struct capfile_target_head th = { .pid = 1, .comm_len = 5000, .exe_len = 0 };
	struct capfile_stats_head sh = { .nr_cpus = 2, .entry_size = 8 };
	struct capfile_cpu_stats cs = { 0 };
	struct membuf m = { 0 };

	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_META, 0, "a=1\nnoequals\n", 13);
	expect_error("META line without '='", &m, "corrupt META section at byte 44");
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_META, 0, "Key=1\n", 6);
	expect_error("META key with capitals", &m, "corrupt META section at byte 40");
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_META, 0, "k=\x1b[2J\n", 7);
	expect_error("META value with an escape", &m, "corrupt META section at byte 40");
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_META, 0, "k=a\0b\n", 6);
	expect_error("META value with a NUL", &m, "corrupt META section at byte 40");
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_NOTE, 0, "a\nb", 3);
	expect_error("NOTE with a newline", &m, "corrupt NOTE section at byte 40");
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_TARGETS, 0, &th, sizeof(th));
	expect_error("TARGETS comm longer than the file", &m,
		     "corrupt TARGETS section at byte 40");
	m.len = 0;
	th.comm_len = 4;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_TARGETS, 0, &th, sizeof(th));
	expect_error("TARGETS entry cut short", &m, "corrupt TARGETS section at byte 40");
	m.len = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_STATS, 0, &sh, sizeof(sh));
	expect_error("STATS entry size too small", &m, "corrupt STATS section at byte 40");
	m.len = 0;
	sh.entry_size = sizeof(cs);
	mb_header(&m, 1, 24);
	{
		uint8_t payload[sizeof(sh) + sizeof(cs)];

		memcpy(payload, &sh, sizeof(sh));
		memcpy(payload + sizeof(sh), &cs, sizeof(cs));
		mb_section(&m, CAPFILE_SEC_STATS, 0, payload, sizeof(payload));
	}
	expect_error("STATS claims more CPUs than it holds", &m,
		     "corrupt STATS section at byte 40");
	m.len = 0;
	sh.nr_cpus = 0;
	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_STATS, 0, &sh, sizeof(sh));
	mb_end(&m, 0);
	expect_ok("STATS of no CPU", &m, true);
	free(m.buf);
}

static void test_visitor_stops(void)
{
	struct membuf m;
	struct log l;
	char err[256];

	test_begin("capfile: a callback's nonzero return stops the parse");
	valid_file(&m);
	log_open(&l);
	l.stop_at_record = 2;
	CHECK_U64(capfile_parse(m.buf, m.len, &visitor, &l, NULL, err, sizeof(err)), 7);
	CHECK_STR(log_close(&l),
		  "meta mode=discard\n"
		  "meta hostname=box?evil?\n"
		  "meta empty=\n"
		  "target 100 1 'app' '/usr/bin/app'\n"
		  "record type=2 len=64 tgid=100 nr=1 dur=500 ret=3\n"
		  "record type=1 len=56 tgid=0 count=7\n");
	free(l.text);
	free(m.buf);
	test_end();
}

/* Reads every string and entry it is handed, so ASan sees overreads. */
static int touch_goinfo(const struct capfile_goinfo *h, const char *const *reasons,
			void *arg)
{
	size_t sum = strlen(h->go_version);
	uint32_t i;

	(void)arg;
	for (i = 0; i < h->nreasons; i++)
		sum += strlen(reasons[i]);
	return sum == SIZE_MAX;
}

static int touch_syms(const struct capfile_syms_head *h, const struct capfile_sym *syms,
		      const char *strings, void *arg)
{
	size_t sum = 0;
	uint32_t i;

	(void)arg;
	for (i = 0; i < h->count; i++)
		sum += strlen(strings + syms[i].func_off) + strlen(strings + syms[i].file_off) +
		       syms[i].line;
	return sum == SIZE_MAX;
}

static const struct capfile_visitor damage_visitor = {
	.goinfo = touch_goinfo,
	.syms = touch_syms,
};

/* Deterministic damage: the parse must end in 0 or an error line. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void random_damage(const char *name, void (*make)(struct membuf *))
{
	struct membuf m, d;
	char err[256];
	int i, j, bad = 0;

	test_begin("capfile: 20000 randomly damaged copies of %s never crash", name);
	make(&m);
	for (i = 0; i < 20000; i++) {
		int flips = 1 + (int)(next_rand() % 4), rc;

		d.len = i % 5 ? m.len : (size_t)(next_rand() % (m.len + 1));
		d.buf = malloc(d.len ? d.len : 1);
		memcpy(d.buf, m.buf, d.len);
		for (j = 0; j < flips && d.len; j++)
			d.buf[next_rand() % d.len] ^= (uint8_t)(1 + next_rand() % 255);
		rc = capfile_parse(d.buf, d.len, &damage_visitor, NULL, NULL, err,
				   sizeof(err));
		if (rc != 0 && (rc != -1 || !err[0]))
			bad++;
		free(d.buf);
	}
	CHECK_U64(bad, 0);
	free(m.buf);
	test_end();
}

static void test_random_damage(void)
{
	random_damage("a file of every kind", valid_file);
	random_damage("a Go capture", go_file);
}

static void test_writer_splits_records(void)
{
	struct godiag_rec_syscall s = make_syscall(1, 1, 1, 0, 10);
	struct capfile_info info;
	struct membuf m;
	struct capw w;
	char err[256];
	int fd = memfile_open(&w), i;

	test_begin("capfile: 40000 records span several RECORDS sections");
	for (i = 0; i < 40000; i++)
		capw_record(&w, &s, sizeof(s));
	capw_end(&w, 1, 2);
	CHECK_U64(capw_close(&w), 0);
	memfile_read(fd, &m);
	CHECK_U64(capfile_parse(m.buf, m.len, &quiet, NULL, &info, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_U64(info.records, 40000);
	CHECK(info.sections >= 4);
	CHECK(info.complete);
	free(m.buf);
	test_end();
}

/* The sections of a file, outer types, in order: "1 2 10 4 3 5 6". */
static void section_types(const struct membuf *m, char *out, size_t len)
{
	struct capfile_section sec;
	size_t off = sizeof(struct capfile_header), n = 0;

	out[0] = '\0';
	while (off + sizeof(sec) <= m->len) {
		memcpy(&sec, m->buf + off, sizeof(sec));
		n += (size_t)snprintf(out + n, len - n, "%s%u", n ? " " : "", sec.type);
		off += sizeof(sec) + (size_t)((sec.length + 7) / 8 * 8);
	}
}

/* The offset of the first section of type in m, or 0. */
static size_t section_at(const struct membuf *m, uint32_t type)
{
	struct capfile_section sec;
	size_t off = sizeof(struct capfile_header);

	while (off + sizeof(sec) <= m->len) {
		memcpy(&sec, m->buf + off, sizeof(sec));
		if (sec.type == type)
			return off;
		off += sizeof(sec) + (size_t)((sec.length + 7) / 8 * 8);
	}
	return 0;
}

static void test_compressed(void)
{
	struct godiag_rec_syscall r;
	struct capfile_info info;
	struct membuf m, plain;
	struct log l;
	char err[256], types[128];
	size_t at;
	struct capw w;
	int fd, i;

	test_begin("capfile: --compress: the same callbacks from a ZSTD section");
	valid_file_z(&m);
	section_types(&m, types, sizeof(types));
	/* META TARGETS ZSTD(RECORDS) NOTE RECORDS (64 bytes: no gain) STATS END */
	CHECK_STR(types, "1 2 10 4 3 5 6");
	CHECK_U64(parse(&m, &l, &info, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_STR(log_close(&l), valid_log);
	CHECK_U64(info.records, 4);
	CHECK(info.complete);
	free(l.text);
	test_end();

	test_begin("capfile: --compress: a damaged frame is a clear error");
	at = section_at(&m, CAPFILE_SEC_ZSTD);
	CHECK(at > 0);
	/* the frame's last byte: its content checksum */
	{
		struct capfile_section sec;

		memcpy(&sec, m.buf + at, sizeof(sec));
		m.buf[at + sizeof(sec) + sec.length - 1] ^= 0x5a;
	}
	CHECK_U64(capfile_parse(m.buf, m.len, &quiet, NULL, NULL, err, sizeof(err)), (uint64_t)-1);
	CHECK_STR(err, "corrupt compressed section at byte 128: Restored data doesn't "
		  "match checksum");
	test_end();
	free(m.buf);

	random_damage("a compressed file", valid_file_z);
	check_truncations("a compressed file", valid_file_z, 7);

	test_begin("capfile: --compress: 40000 records, round trip, a fraction of the size");
	r = make_syscall(1, 1, 1, 0, 10);
	fd = memfile_open(&w);
	for (i = 0; i < 40000; i++)
		capw_record(&w, &r, sizeof(r));
	capw_end(&w, 1, 2);
	CHECK_U64(capw_close(&w), 0);
	memfile_read(fd, &plain);
	fd = memfile_open(&w);
	capw_compress(&w, 3);
	for (i = 0; i < 40000; i++) {
		r.hdr.ts_ns = 10 + (uint64_t)i * 1000;
		r.duration_ns = (uint64_t)(i % 97) * 100;
		capw_record(&w, &r, sizeof(r));
	}
	capw_end(&w, 1, 2);
	CHECK(w.zin > 0 && w.zout < w.zin / 4);
	CHECK_U64(capw_close(&w), 0);
	memfile_read(fd, &m);
	CHECK_U64(capfile_parse(m.buf, m.len, &quiet, NULL, &info, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_U64(info.records, 40000);
	CHECK(info.complete);
	CHECK(m.len < plain.len / 4);
	free(m.buf);
	free(plain.buf);
	test_end();

	test_begin("capfile: --compress: what does not shrink is written plain");
	fd = memfile_open(&w);
	capw_compress(&w, 3);
	{
		uint8_t noise[8192];

		for (i = 0; i < (int)sizeof(noise); i++)
			noise[i] = (uint8_t)(next_rand() >> 56);
		capw_section(&w, 99, 0, noise, sizeof(noise));
	}
	capw_end(&w, 1, 2);
	CHECK_U64(capw_close(&w), 0);
	memfile_read(fd, &m);
	section_types(&m, types, sizeof(types));
	CHECK_STR(types, "99 6");
	free(m.buf);
	test_end();
}

/* A ZSTD section of inner (type, length) holding frame. */
static void zstd_section(struct membuf *m, uint32_t type, uint64_t length,
			 const void *frame, size_t n)
{
	struct capfile_section in = { .type = type, .length = length };
	uint8_t body[512];

	memcpy(body, &in, sizeof(in));
	memcpy(body + sizeof(in), frame, n);
	mb_section(m, CAPFILE_SEC_ZSTD, CAPFILE_SF_REQUIRED, body, sizeof(in) + n);
}

static void test_compressed_corrupt(void)
{
	/* zstd -c of 16 zero bytes, made by the writer's own library */
	uint8_t src[64] = { 0 }, frame[128];
	size_t n = ZSTD_compress(frame, sizeof(frame), src, sizeof(src), 3);
	struct membuf m = { 0 };

	mb_header(&m, CAPFILE_VERSION, sizeof(struct capfile_header));
	zstd_section(&m, CAPFILE_SEC_END, sizeof(src), frame, n);
	expect_error("a ZSTD section holding END", &m,
		     "corrupt compressed section at byte 24 (it holds a END section)");
	free(m.buf);

	memset(&m, 0, sizeof(m));
	mb_header(&m, CAPFILE_VERSION, sizeof(struct capfile_header));
	zstd_section(&m, CAPFILE_SEC_RECORDS, sizeof(src) + 8, frame, n);
	expect_error("a ZSTD section of another length", &m,
		     "corrupt compressed section at byte 24 (not one zstd frame of 72 bytes)");
	free(m.buf);

	memset(&m, 0, sizeof(m));
	mb_header(&m, CAPFILE_VERSION, sizeof(struct capfile_header));
	zstd_section(&m, CAPFILE_SEC_RECORDS, (uint64_t)CAPFILE_ZSTD_MAX + 1, frame, n);
	expect_error("a ZSTD section too large", &m,
		     "corrupt compressed section at byte 24 (67108865 bytes uncompressed, "
		     "more than 67108864)");
	free(m.buf);

	memset(&m, 0, sizeof(m));
	mb_header(&m, CAPFILE_VERSION, sizeof(struct capfile_header));
	mb_section(&m, CAPFILE_SEC_ZSTD, CAPFILE_SF_REQUIRED, frame, 4);
	expect_error("a ZSTD section shorter than its header", &m,
		     "corrupt compressed section at byte 24 (4 bytes)");
	free(m.buf);

	/* 64 zero bytes as records: a record of size 0 inside */
	memset(&m, 0, sizeof(m));
	mb_header(&m, CAPFILE_VERSION, sizeof(struct capfile_header));
	zstd_section(&m, CAPFILE_SEC_RECORDS, sizeof(src), frame, n);
	mb_end(&m, 0);
	test_begin("capfile: a ZSTD section of bad records: the records' error");
	{
		char err[256];

		CHECK_U64(capfile_parse(m.buf, m.len, &quiet, NULL, NULL, err, sizeof(err)),
			  (uint64_t)-1);
		CHECK(!strncmp(err, "corrupt record", 14));
	}
	test_end();
	free(m.buf);
}

static void test_writer_error(void)
{
	struct godiag_rec_syscall s = make_syscall(1, 1, 1, 0, 10);
	struct capw w;
	int fd = open("/dev/full", O_WRONLY);

	test_begin("capfile: a full disk is reported by capw_close");
	capw_init(&w, fd);
	capw_record(&w, &s, sizeof(s));
	capw_end(&w, 1, 2);
	CHECK_U64(capw_error(&w), ENOSPC);
	CHECK_U64(capw_close(&w), ENOSPC);
	test_end();
}

int main(void)
{
	test_round_trip();
	test_go_round_trip();
	test_go_writer_limits();
	test_goinfo_corrupt();
	test_syms_corrupt();
	test_every_truncation();
	test_headers();
	test_sections();
	test_records();
	test_text_sections();
	test_visitor_stops();
	test_random_damage();
	test_writer_splits_records();
	test_writer_error();
	test_compressed();
	test_compressed_corrupt();
	return test_summary();
}
