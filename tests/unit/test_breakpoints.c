// SPDX-License-Identifier: GPL-2.0
/*
 * model/breakpoints.c: the BREAKS lines, argument values and stacks
 * counted, and the latency pairing (per goroutine, in time order whatever
 * buffer a record came from; unmatched entries and unpaired returns).
 */
#include <stdlib.h>
#include <string.h>

#include "model/breakpoints.h"
#include "test.h"

#define PID	100

/* A breakpoint record with its words, stack and strings. */
struct rec_buf {
	uint64_t q[64];
	size_t len;
};

static void rec_make(struct rec_buf *b, uint32_t probe, uint64_t ts, uint64_t goid,
		     const uint64_t *words, uint8_t nwords, const uint64_t *stack,
		     uint8_t nstack, const char *str, uint8_t str_word, uint32_t str_len)
{
	struct godiag_rec_break *r = (void *)b->q;
	uint8_t *p;

	memset(b, 0, sizeof(*b));
	r->hdr.type = GODIAG_REC_BREAKPOINT;
	r->hdr.tgid = PID;
	r->hdr.ts_ns = ts;
	r->hdr.goid = goid;
	r->probe_id = probe;
	r->nwords = nwords;
	r->nstack = nstack;
	p = (uint8_t *)(r + 1);
	if (nwords)
		memcpy(p, words, 8 * nwords);
	p += 8 * nwords;
	if (nstack)
		memcpy(p, stack, 8 * nstack);
	p += 8 * nstack;
	if (str) {
		struct godiag_rec_str *s = (void *)p;
		size_t n = strlen(str);

		r->nstr = 1;
		s->word = str_word;
		s->copied = (uint16_t)n;
		s->len = str_len;
		memcpy(s + 1, str, n);
		p += sizeof(*s) + ((n + 7) & ~(size_t)7);
	}
	b->len = (size_t)(p - (uint8_t *)b->q);
	r->hdr.size = (uint16_t)b->len;
}

static void add(struct breakpoints *b, uint32_t probe, uint64_t ts, uint64_t goid)
{
	struct rec_buf r;

	rec_make(&r, probe, ts, goid, NULL, 0, NULL, 0, NULL, 0, 0);
	bp_record(b, (void *)r.q, r.len);
}

/* One --break with RET probes: 1 entry, 2 and 3 RETs. */
static void lines_latency(struct breakpoints *b)
{
	bp_line(b, "B\t0\t100\t1\t2\t0\tmain.slow\tmain.slow");
	bp_line(b, "P\t0\t100\t1\tentry\t7\t0\t0\t0\t7\t1");
	bp_line(b, "P\t0\t100\t2\tret\t5\t0\t0\t0\t5\t0");
	bp_line(b, "P\t0\t100\t3\tret\t0\t0\t0\t0\t0\t0");
}

static void test_pairing(void)
{
	struct breakpoints b;
	struct bp_row *r;

	test_begin("latency: per goroutine, in time order, across buffers");
	memset(&b, 0, sizeof(b));
	/* Records before BREAKS, as in a file; CPU 1's buffer before CPU 0's. */
	add(&b, 2, 1500, 7);		/* goroutine 7 returns on another CPU */
	add(&b, 3, 2600, 8);		/* goroutine 8: the inner call returns */
	add(&b, 2, 2900, 8);		/* ... then the outer one */
	add(&b, 1, 1000, 7);		/* goroutine 7 enters */
	add(&b, 1, 2000, 8);		/* goroutine 8 enters, then recurses */
	add(&b, 1, 2500, 8);
	add(&b, 1, 3000, 9);		/* goroutine 9 panics: no RET */
	add(&b, 2, 500, 10);		/* entered before the capture */
	add(&b, 1, 4000, 11);		/* 11 enters twice, panics once */
	add(&b, 1, 4100, 11);
	add(&b, 3, 4300, 11);
	lines_latency(&b);
	bp_finish(&b);
	CHECK_U64(b.nrows, 1);
	r = &b.rows[0];
	CHECK_U64(r->hits, 7);
	CHECK_U64(r->faults, 1);
	CHECK_U64(r->recorded, 6);
	CHECK_U64(r->returns, 5);
	CHECK(r->latency);
	CHECK_U64(r->ndurs, 4);
	CHECK_U64(r->unmatched, 2);	/* 9's and 11's first */
	CHECK_U64(r->unpaired, 1);	/* 10's */
	/* 500 (7), 100 (8 inner), 900 (8 outer), 200 (11) */
	CHECK_U64(r->durs[0], 100);
	CHECK_U64(r->durs[1], 200);
	CHECK_U64(r->durs[2], 500);
	CHECK_U64(r->durs[3], 900);
	CHECK_U64(r->max_ns, 900);
	CHECK_U64(r->p50_ns, 200);
	CHECK_U64(r->ngoids, 4);
	CHECK_U64(r->goids[0].goid, 8);
	CHECK_U64(r->goids[0].count, 2);
	bp_free(&b);
	test_end();
}

static void test_values(void)
{
	uint64_t w1[] = { (uint64_t)-5, 0x1000, 12, 0x2000, 3, 4 };
	uint64_t w2[] = { 7, 0x1000, 200, 0x2000, 5, 8 };
	uint64_t st[] = { 0x401000, 0x402000, 0x499999 };
	struct breakpoints b;
	struct rec_buf r;
	struct bp_row *row;

	test_begin("values: ints, strings cut, slices, faults; stacks named");
	memset(&b, 0, sizeof(b));
	bp_line(&b, "B\t0\t100\t1\t0\t0\tmain.f\tmain.f");
	bp_line(&b, "A\t0\t100\t0\tint\t4\tn\tint32");
	bp_line(&b, "A\t0\t100\t1\tstring\t8\tname\tstring");
	bp_line(&b, "A\t0\t100\t3\tslice\t8\txs\t[]int");
	bp_line(&b, "A\t0\t100\t0\tint\t8\tn\tint");	/* a second target's: ignored */
	bp_line(&b, "S\t100\t401000\tmain.f\tf.go\t3");
	bp_line(&b, "S\t100\t402000\tmain.caller\tf.go\t9");
	bp_line(&b, "P\t0\t100\t4\tentry\t3\t1\t0\t0\t2\t0");
	bp_line(&b, "X\tan unknown line kind");
	rec_make(&r, 4, 10, 1, w1, 6, st, 3, "hello world!", 1, 12);
	bp_record(&b, (void *)r.q, r.len);
	rec_make(&r, 4, 20, 1, w1, 6, st, 3, "hello world!", 1, 12);
	bp_record(&b, (void *)r.q, r.len);
	rec_make(&r, 4, 30, 2, w2, 6, st, 2, "hello", 1, 200);
	((struct godiag_rec_break *)r.q)->fault_mask = 1;	/* n faulted */
	bp_record(&b, (void *)r.q, r.len);
	bp_finish(&b);
	row = &b.rows[0];
	CHECK_U64(row->nargs, 3);
	CHECK_U64(row->recorded, 3);
	CHECK_U64(row->fault_records, 1);
	CHECK_U64(row->filtered, 1);
	CHECK(!row->latency);
	CHECK_STR(row->args[0].values.v[0].text, "-5");
	CHECK_U64(row->args[0].values.v[0].count, 2);
	CHECK_STR(row->args[0].values.v[1].text, "(fault)");
	CHECK_STR(row->args[1].values.v[0].text, "hello world!");
	CHECK_STR(row->args[1].values.v[1].text, "hello...");
	CHECK_STR(row->args[2].values.v[0].text, "len=3 cap=4");
	CHECK_STR(row->args[2].values.v[1].text, "len=5 cap=8");
	CHECK_U64(row->stacks.n, 2);
	CHECK_STR(row->stacks.v[0].text, "main.f\nmain.caller\n0x499999");
	CHECK_U64(row->stacks.v[0].count, 2);
	CHECK_STR(row->stacks.v[1].text, "main.f\nmain.caller");
	bp_free(&b);
	test_end();
}

/*
 * Interfaces: the first word is a *_type (a non-empty interface's read
 * through its itab), named by the T lines capture writes; 0 is nil, a
 * word without a T line (another target's, or an old file) stays hex.
 */
static void test_iface(void)
{
	uint64_t w[][2] = {
		{ 0x4b1000, 0xc000010000 }, { 0x4b2000, 0xc000010010 }, { 0x4b1000, 42 },
		{ 0, 0 }, { 0x4b3000, 0xc000010020 }, { 0x7f0000001000, 1 },
	};
	struct breakpoints b;
	struct rec_buf r;
	struct bp_row *row;
	size_t i;

	test_begin("values: interfaces by their dynamic type, nil, unnamed in hex");
	memset(&b, 0, sizeof(b));
	bp_line(&b, "B\t0\t100\t1\t0\t0\tmain.kind\tmain.kind");
	bp_line(&b, "A\t0\t100\t0\tiface\t8\tv\tinterface {}");
	bp_line(&b, "P\t0\t100\t4\tentry\t6\t0\t0\t0\t6\t0");
	bp_line(&b, "T\t100\t4b2000\tstring");
	bp_line(&b, "T\t100\t4b1000\tint");
	bp_line(&b, "T\t100\t4b3000\t*main.request");
	bp_line(&b, "T\t101\t7f0000001000\tbool");	/* another target's */
	bp_line(&b, "T\t100");				/* short: skipped */
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		rec_make(&r, 4, 10 * (i + 1), 1, w[i], 2, NULL, 0, NULL, 0, 0);
		bp_record(&b, (void *)r.q, r.len);
	}
	rec_make(&r, 4, 100, 1, w[4], 2, NULL, 0, NULL, 0, 0);
	((struct godiag_rec_break *)r.q)->fault_mask = 1;	/* the itab hop faulted */
	bp_record(&b, (void *)r.q, r.len);
	bp_finish(&b);
	row = &b.rows[0];
	CHECK_U64(row->args[0].values.n, 6);
	CHECK_STR(row->args[0].values.v[0].text, "int");
	CHECK_U64(row->args[0].values.v[0].count, 2);
	CHECK_STR(row->args[0].values.v[1].text, "(fault)");
	CHECK_STR(row->args[0].values.v[2].text, "*main.request");
	CHECK_STR(row->args[0].values.v[3].text, "0x7f0000001000");
	CHECK_STR(row->args[0].values.v[4].text, "nil");
	CHECK_STR(row->args[0].values.v[5].text, "string");
	bp_free(&b);
	test_end();
}

/* The count of value text in a row's argument i, 0 when not there. */
static uint64_t count_of(const struct bp_row *row, size_t i, const char *text)
{
	size_t j;

	for (j = 0; j < row->args[i].values.n; j++)
		if (!strcmp(row->args[i].values.v[j].text, text))
			return row->args[i].values.v[j].count;
	return 0;
}

/*
 * Floats from XMM registers: a float64 is the word, a float32 its low 4
 * bytes (the rest of the register is whatever it held), each in the
 * fewest digits that read back as the same value, as Go prints them.
 */
static void test_floats(void)
{
	uint64_t w[][2] = {
		{ 0x3ff8000000000000ULL, 0xdeadbeef3e800000ULL },	/* 1.5, 0.25 */
		{ 0xbfb999999999999aULL, 0x000000003dcccccdULL },	/* -0.1, 0.1 */
		{ 0x3fd5555555555555ULL, 0x123456783eaaaaabULL },	/* 1/3, 1/3 */
		{ 0x7ff8000000000000ULL, 0x000000007f800000ULL },	/* NaN, +Inf */
		{ 0xfff0000000000000ULL, 0x0000000000000000ULL },	/* -Inf, 0 */
		{ 0x3ff8000000000000ULL, 0x0000000042f6e979ULL },	/* 1.5, 123.456 */
	};
	struct breakpoints b;
	struct rec_buf r;
	struct bp_row *row;
	size_t i;

	test_begin("values: float64 and float32 from X registers, as Go prints them");
	memset(&b, 0, sizeof(b));
	bp_line(&b, "B\t0\t100\t1\t0\t0\tmain.mix\tmain.mix");
	bp_line(&b, "A\t0\t100\t0\tfloat\t8\tweight\tfloat64");
	bp_line(&b, "A\t0\t100\t1\tfloat\t4\tratio\tfloat32");
	bp_line(&b, "P\t0\t100\t4\tentry\t6\t0\t0\t0\t6\t0");
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		rec_make(&r, 4, 10 * (i + 1), 1, w[i], 2, NULL, 0, NULL, 0, 0);
		bp_record(&b, (void *)r.q, r.len);
	}
	bp_finish(&b);
	row = &b.rows[0];
	CHECK_U64(row->args[0].values.n, 5);
	CHECK_U64(count_of(row, 0, "1.5"), 2);
	CHECK_U64(count_of(row, 0, "-0.1"), 1);
	CHECK_U64(count_of(row, 0, "0.3333333333333333"), 1);
	CHECK_U64(count_of(row, 0, "NaN"), 1);
	CHECK_U64(count_of(row, 0, "-Inf"), 1);
	CHECK_U64(row->args[1].values.n, 6);
	CHECK_U64(count_of(row, 1, "0.25"), 1);
	CHECK_U64(count_of(row, 1, "0.1"), 1);
	CHECK_U64(count_of(row, 1, "0.33333334"), 1);
	CHECK_U64(count_of(row, 1, "+Inf"), 1);
	CHECK_U64(count_of(row, 1, "0"), 1);
	CHECK_U64(count_of(row, 1, "123.456"), 1);
	bp_free(&b);
	test_end();
}

/* A record being built with copies (strings, slices' elements) after its words. */
struct copy_rec {
	uint64_t q[256];
	uint8_t *p;
};

static void copy_begin(struct copy_rec *c, const uint64_t *words, uint8_t nwords)
{
	struct godiag_rec_break *r = (void *)c->q;

	memset(c, 0, sizeof(*c));
	r->hdr.type = GODIAG_REC_BREAKPOINT;
	r->hdr.tgid = PID;
	r->hdr.ts_ns = 10;
	r->hdr.goid = 1;
	r->probe_id = 4;
	r->nwords = nwords;
	memcpy(r + 1, words, 8 * nwords);
	c->p = (uint8_t *)(r + 1) + 8 * nwords;
}

/* A godiag_rec_str and its bytes at c->p; returns the header to fill in later. */
static struct godiag_rec_str *copy_put(struct copy_rec *c, uint8_t word, uint8_t flags,
				       uint32_t len, const void *bytes, uint16_t n)
{
	struct godiag_rec_str *s = (void *)c->p;

	s->word = word;
	s->flags = flags;
	s->len = len;
	s->copied = n;
	if (n)
		memcpy(s + 1, bytes, n);
	c->p += sizeof(*s) + ((n + 7u) & ~7u);
	return s;
}

static void copy_end(struct copy_rec *c, struct breakpoints *b, uint8_t ncopies)
{
	struct godiag_rec_break *r = (void *)c->q;

	r->nstr = ncopies;
	r->hdr.size = (uint16_t)(c->p - (uint8_t *)c->q);
	bp_record(b, (void *)c->q, r->hdr.size);
}

/* []string: one godiag_rec_str per element inside the slice's copy. */
static void put_strs(struct copy_rec *c, uint8_t word, uint32_t len,
		     const char *const *elems, size_t n, uint8_t fault_elem)
{
	struct godiag_rec_str *outer = copy_put(c, word, 0, len, NULL, 0);
	uint8_t *start = c->p;
	size_t k;

	for (k = 0; k < n; k++)
		copy_put(c, (uint8_t)k, k + 1 == fault_elem ? GODIAG_RS_FAULT : 0,
			 (uint32_t)strlen(elems[k]), elems[k], (uint16_t)strlen(elems[k]));
	outer->copied = (uint16_t)(c->p - start);
}

/*
 * Slices with their first elements: integers of each size and sign,
 * floats as Go prints them, bools, pointers in hex, strings (each its own
 * godiag_rec_str inside the slice's copy), "..." for the elements not
 * copied, a fault; a slice without element kind (an old file, or one the
 * record copies nothing of) is its length and capacity alone.
 */
static void test_slices(void)
{
	static const char *const tags[] = { "a", "bb", "c c" };
	static const char *const tags2[] = { "x", "" };
	int16_t i16[] = { -1, 300, 7 };
	uint8_t u8[] = { 255, 0 };
	float f32[] = { 0.25f, -0.1f };
	uint8_t bools[] = { 1, 0, 1 };
	uint64_t ptrs[] = { 0xc000010000, 0 };
	double f64[] = { 1.5, 2, 3, 4 };
	/* words: i16 ptr len cap; u8 ...; f32; bools; ptrs; tags; f64; old; empty */
	uint64_t w[27] = {
		0x1000, 3, 3, 0x2000, 2, 8, 0x3000, 2, 2, 0x4000, 3, 3, 0x5000, 2, 2,
		0x6000, 3, 4, 0x7000, 10, 16, 0x8000, 5, 5, 0, 0, 0,
	};
	struct breakpoints b;
	struct copy_rec c;
	struct bp_row *row;
	size_t i;

	test_begin("values: slices with their first elements, as Go's %%v prints them");
	memset(&b, 0, sizeof(b));
	bp_line(&b, "B\t0\t100\t1\t0\t0\tmain.f\tmain.f");
	bp_line(&b, "A\t0\t100\t0\tslice\t8\ta\t[]int16\tint\t2");
	bp_line(&b, "A\t0\t100\t3\tslice\t8\tb\t[]uint8\tuint\t1");
	bp_line(&b, "A\t0\t100\t6\tslice\t8\tc\t[]float32\tfloat\t4");
	bp_line(&b, "A\t0\t100\t9\tslice\t8\td\t[]bool\tbool\t1");
	bp_line(&b, "A\t0\t100\t12\tslice\t8\te\t[]*int\tptr\t8");
	bp_line(&b, "A\t0\t100\t15\tslice\t8\tf\t[]string\tstring\t16");
	bp_line(&b, "A\t0\t100\t18\tslice\t8\tg\t[]float64\tfloat\t8");
	bp_line(&b, "A\t0\t100\t21\tslice\t8\th\t[]int");	/* no elements */
	bp_line(&b, "A\t0\t100\t24\tslice\t8\ti\t[]int\tint\t8");
	bp_line(&b, "P\t0\t100\t4\tentry\t3\t0\t0\t0\t3\t0");
	for (i = 0; i < 2; i++) {
		copy_begin(&c, w, 27);
		copy_put(&c, 0, 0, 3, i16, sizeof(i16));
		copy_put(&c, 3, 0, 2, u8, sizeof(u8));
		copy_put(&c, 6, 0, 2, f32, sizeof(f32));
		copy_put(&c, 9, 0, 3, bools, sizeof(bools));
		copy_put(&c, 12, 0, 2, ptrs, sizeof(ptrs));
		put_strs(&c, 15, 3, tags, 3, 0);
		copy_put(&c, 18, 0, 10, f64, sizeof(f64));	/* 4 of 10 */
		copy_put(&c, 24, 0, 0, NULL, 0);		/* empty */
		copy_end(&c, &b, 8);
	}
	/* the third: b's bytes faulted, f's second string faulted, f cut */
	copy_begin(&c, w, 27);
	copy_put(&c, 0, 0, 3, i16, sizeof(i16));
	copy_put(&c, 3, GODIAG_RS_FAULT, 2, u8, sizeof(u8));
	copy_put(&c, 6, 0, 2, f32, sizeof(f32));
	copy_put(&c, 9, 0, 3, bools, sizeof(bools));
	copy_put(&c, 12, 0, 2, ptrs, sizeof(ptrs));
	put_strs(&c, 15, 3, tags2, 2, 2);
	copy_put(&c, 18, 0, 10, f64, sizeof(f64));
	copy_put(&c, 24, 0, 0, NULL, 0);
	copy_end(&c, &b, 8);
	bp_finish(&b);
	row = &b.rows[0];
	CHECK_U64(row->recorded, 3);
	CHECK_U64(b.bad_records, 0);
	CHECK_STR(row->args[0].values.v[0].text, "len=3 cap=3 [-1 300 7]");
	CHECK_STR(row->args[1].values.v[0].text, "len=2 cap=8 [255 0]");
	CHECK_STR(row->args[1].values.v[1].text, "len=2 cap=8 [(fault)]");
	CHECK_STR(row->args[2].values.v[0].text, "len=2 cap=2 [0.25 -0.1]");
	CHECK_STR(row->args[3].values.v[0].text, "len=3 cap=3 [true false true]");
	CHECK_STR(row->args[4].values.v[0].text, "len=2 cap=2 [0xc000010000 0x0]");
	CHECK_STR(row->args[5].values.v[0].text, "len=3 cap=4 [a bb c c]");
	CHECK_STR(row->args[5].values.v[1].text, "len=3 cap=4 [x (fault) ...]");
	CHECK_STR(row->args[6].values.v[0].text, "len=10 cap=16 [1.5 2 3 4 ...]");
	CHECK_STR(row->args[7].values.v[0].text, "len=5 cap=5");
	CHECK_STR(row->args[8].values.v[0].text, "len=0 cap=0 []");
	bp_free(&b);
	test_end();
}

static void test_bad(void)
{
	struct breakpoints b;
	struct rec_buf r;

	test_begin("a record whose parts overrun it is counted, not read");
	memset(&b, 0, sizeof(b));
	bp_line(&b, "B\t0\t100\t1\t0\t0\tmain.f\tmain.f");
	bp_line(&b, "P\t0\t100\t4\tentry\t1\t0\t0\t0\t1\t0");
	bp_line(&b, "B\tshort");
	bp_line(&b, "P\t9\t100\t5\tentry");
	rec_make(&r, 4, 10, 1, NULL, 0, NULL, 0, "abc", 0, 3);
	((struct godiag_rec_break *)r.q)->nwords = 30;	/* past its size */
	bp_record(&b, (void *)r.q, r.len);
	add(&b, 99, 20, 1);				/* no such probe */
	bp_finish(&b);
	CHECK_U64(b.nrows, 1);
	CHECK_U64(b.bad_records, 1);
	CHECK_U64(b.rows[0].recorded, 0);
	bp_free(&b);
	test_end();
}

int main(void)
{
	test_pairing();
	test_values();
	test_iface();
	test_floats();
	test_slices();
	test_bad();
	return test_summary();
}
