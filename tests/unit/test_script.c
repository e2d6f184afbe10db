// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl script (ctl/cmd/script.c over ctl/model): a synthetic capture
 * whose records come per CPU, out of time order, with every record kind:
 * each record is printed once, in time order (equal times in the file's
 * order), its fields decoded as the report reads them, as text and as
 * JSON Lines; the filters; a file cut short.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capfile_build.h"
#include "cmd/export.h"
#include "cmd/report.h"
#include "cmd/script.h"
#include "print_audit.h"
#include "test.h"

#define T0 1000000000ULL
#define REAL0 1796000000000000000ULL	/* 2026-11-30T00:53:20Z */
#define ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

static void put_go_pid(struct capw *w, uint32_t pid, uint16_t cpu, uint16_t type, uint32_t tid,
		       uint64_t t, uint64_t hdr_goid, uint64_t goid, uint64_t other, uint32_t reason)
{
	struct godiag_rec_go r = make_go(type, pid, tid, T0 + t, hdr_goid, goid);

	r.hdr.cpu = cpu;
	r.other_goid = other;
	r.reason = reason;
	if (type == GODIAG_REC_GO_CREATE) {
		r.pc = 0x1000;
		r.start_pc = 0x2000;
	}
	capw_record(w, &r, sizeof(r));
}

static void put_go(struct capw *w, uint16_t cpu, uint16_t type, uint32_t tid, uint64_t t,
		   uint64_t hdr_goid, uint64_t goid, uint64_t other, uint32_t reason)
{
	put_go_pid(w, 100, cpu, type, tid, t, hdr_goid, goid, other, reason);
}

static void put_syscall(struct capw *w, uint16_t cpu, uint32_t tid, uint64_t t,
			uint64_t goid, uint32_t nr, uint64_t dur, int64_t ret)
{
	struct godiag_rec_syscall r = make_syscall(100, nr, dur, ret, T0 + t);

	r.hdr.cpu = cpu;
	r.hdr.tid = tid;
	r.hdr.goid = goid;
	capw_record(w, &r, sizeof(r));
}

/* A hit of probe id: at entry, word n and the string s in words 1, 2. */
static void put_break(struct capw *w, uint16_t cpu, uint32_t id, uint64_t t, uint64_t goid,
		      int64_t n, const char *s, bool is_ret)
{
	struct {
		struct godiag_rec_break r;
		uint64_t words[3];
		uint64_t stack[2];
		struct godiag_rec_str str;
		char bytes[8];
	} b;
	size_t len = sizeof(b.r);

	memset(&b, 0, sizeof(b));
	b.r.hdr.type = GODIAG_REC_BREAKPOINT;
	b.r.hdr.cpu = cpu;
	b.r.hdr.tgid = 100;
	b.r.hdr.tid = 101;
	b.r.hdr.ts_ns = T0 + t;
	b.r.hdr.goid = goid;
	b.r.probe_id = id;
	b.r.is_ret = is_ret;
	if (!is_ret) {
		b.r.nwords = 3;
		b.r.nstack = 2;
		b.r.nstr = 1;
		b.stack[0] = 0x401000;
		b.stack[1] = 0x402000;
		b.words[0] = (uint64_t)n;
		b.words[1] = 0xc000010000;
		b.words[2] = strlen(s);
		b.str.word = 1;
		b.str.copied = (uint16_t)strlen(s);
		b.str.len = (uint32_t)strlen(s);
		memcpy(b.bytes, s, strlen(s));
		len = sizeof(b);
	}
	b.r.hdr.size = (uint16_t)len;
	capw_record(w, &b, len);
}

static const char breaks[] =
	"B\t0\t100\t1\t1\t0\tmain.handle\tmain.handle\n"
	"A\t0\t100\t0\tint\t8\tn\tint\n"
	"A\t0\t100\t1\tstring\t0\tname\tstring\n"
	"S\t100\t401000\tmain.handle\th.go\t3\n"
	"P\t0\t100\t1\tentry\t1\t0\t0\t0\t1\t0\n"
	"P\t0\t100\t2\tret\t1\t0\t0\t0\t1\t0\n";

static char *reasons[] = { "", "GC assist marking", "IO wait", "chan receive" };

static void put_meta(struct capw *w)
{
	char *meta = NULL;
	size_t len = 0;

	capw_meta_add(&meta, &len, "mode", "discard");
	capw_meta_add(&meta, &len, "start_monotonic_ns", "%llu", T0);
	capw_meta_add(&meta, &len, "start_realtime_ns", "%llu", REAL0);
	capw_section(w, CAPFILE_SEC_META, 0, meta, len);
	free(meta);
}

static void put_names(struct capw *w)
{
	static const struct capw_sym syms[] = {
		{ 0x1000, "main.main", "/app/main.go", 10, NULL },
		{ 0x2000, "main.main.gowrap1", "/app/main.go", 12, "main.worker" },
	};
	struct capfile_goinfo h;

	memset(&h, 0, sizeof(h));
	h.pid = 100;
	snprintf(h.go_version, sizeof(h.go_version), "go1.23.5");
	capw_goinfo(w, &h, reasons, ARRAY_SIZE_T(reasons));
	capw_syms(w, 100, syms, ARRAY_SIZE_T(syms));
	capw_section(w, CAPFILE_SEC_BREAKS, 0, breaks, sizeof(breaks) - 1);
}

/*
 * Process 100: goroutine 1 creates 2 (go worker(...)) and parks on a
 * channel; 2 runs on thread 101, reads, hits main.handle and returns,
 * readies 1 and exits; 1 runs again. CPU 1 is drained before CPU 0, so
 * at t=300 the read (CPU 1) comes before the park (CPU 0). Then a loss,
 * the target's exit and a record type this tool does not know.
 */
static size_t records_end;	/* bytes up to the last record */

/* The capture above; extra: a syscall of G2 from before its start (export). */
static void make_capture_x(struct membuf *m, bool with_end, bool extra)
{
	struct godiag_rec_lost lost = make_lost(1, 3);
	struct godiag_rec_target_exit ex;
	struct godiag_rec unknown;
	struct capw w;
	int fd = memfile_open(&w);

	put_meta(&w);
	put_names(&w);
	put_go(&w, 1, GODIAG_REC_GO_START, 101, 200, 0, 2, 0, 0);
	put_syscall(&w, 1, 101, 300, 2, 0, 50, 5);
	put_break(&w, 1, 1, 400, 2, -7, "bob", false);
	put_break(&w, 1, 2, 450, 2, 0, NULL, true);
	put_go(&w, 1, GODIAG_REC_GO_READY, 101, 500, 2, 1, 2, 0);
	put_go(&w, 1, GODIAG_REC_GO_EXIT, 101, 600, 2, 2, 0, 0);
	lost.hdr.ts_ns = T0 + 700;
	lost.first_ns = T0 + 610;
	lost.last_ns = T0 + 690;
	capw_record(&w, &lost, sizeof(lost));
	capw_flush(&w);
	put_go(&w, 0, GODIAG_REC_GO_READY, 100, 50, 0, 5, 0, 0);
	put_go(&w, 0, GODIAG_REC_GO_CREATE, 100, 100, 1, 2, 1, 0);
	put_go(&w, 0, GODIAG_REC_GO_PARK, 100, 300, 1, 1, 0, 3);
	put_syscall(&w, 0, 100, 350, 0, 9999, 20, -2);
	put_go(&w, 0, GODIAG_REC_GO_START, 100, 650, 0, 1, 0, 0);
	if (extra)
		put_syscall(&w, 0, 100, 210, 2, 1, 60, 8);
	memset(&ex, 0, sizeof(ex));
	ex.hdr.type = GODIAG_REC_TARGET_EXIT;
	ex.hdr.size = sizeof(ex);
	ex.hdr.tgid = 100;
	ex.hdr.tid = 100;
	ex.hdr.ts_ns = T0 + 800;
	ex.exit_code = 256;
	capw_record(&w, &ex, sizeof(ex));
	memset(&unknown, 0, sizeof(unknown));
	unknown.type = 42;
	unknown.size = sizeof(unknown);
	unknown.tgid = 100;
	unknown.tid = 100;
	unknown.ts_ns = T0 + 900;
	capw_record(&w, &unknown, sizeof(unknown));
	capw_flush(&w);
	records_end = (size_t)lseek(fd, 0, SEEK_END);
	if (with_end)
		capw_end(&w, REAL0 + 1000, T0 + 1000);
	if (capw_close(&w))
		abort();
	memfile_read(fd, m);
}

static void make_capture(struct membuf *m, bool with_end)
{
	make_capture_x(m, with_end, false);
}

static const char text_want[] =
	"    0.000000050 [000]     100/100     -      go-ready  G5 by runtime\n"
	"    0.000000100 [000]     100/100     G1     go-create G2 main.worker by G1 at main.main\n"
	"    0.000000200 [001]     100/101     -      go-start  G2\n"
	"    0.000000300 [001]     100/101     G2     syscall   read = 5 (50 ns)\n"
	"    0.000000300 [000]     100/100     G1     go-park   G1 (chan receive)\n"
	"    0.000000350 [000]     100/100     -      syscall   syscall_9999 = -2 (20 ns)\n"
	"    0.000000400 [001]     100/101     G2     break     main.handle n=-7 name=bob\n"
	"    0.000000450 [001]     100/101     G2     break     main.handle ret\n"
	"    0.000000500 [001]     100/101     G2     go-ready  G1 by G2\n"
	"    0.000000600 [001]     100/101     G2     go-exit   G2\n"
	"    0.000000650 [000]     100/100     -      go-start  G1\n"
	"    0.000000700 [001]       0/0       -      lost      3 records lost on cpu 1\n"
	"    0.000000800 [000]     100/100     -      exit      exited with status 1\n"
	"    0.000000900 [000]     100/100     -      unknown   type 42 size 32\n";

static char *render(const struct report *r, const struct script_opts *o, bool json)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	script_print(r, o, json, f);
	fclose(f);
	return buf;
}

static int load(struct report *r, const struct membuf *m, size_t len)
{
	struct report_opts ro = { .keep_records = true };
	char err[128];

	return report_load_opts(r, m->buf, len, &ro, err, sizeof(err));
}

static void check_text(const char *got, const char *want)
{
	if (!got || strcmp(got, want)) {
		test_fail_at(__FILE__, __LINE__, "text differs");
		printf("# got:\n%s# want:\n%s", got ? got : "(null)", want);
	}
}

static void test_text(void)
{
	struct script_opts o = { .kinds = SCRIPT_ALL };
	struct report r;
	struct membuf m;
	char *out;

	make_capture(&m, true);
	test_begin("script: every record once, in time order, fields decoded (text)");
	CHECK_U64(load(&r, &m, m.len), 0);
	CHECK_U64(r.recs.n, 14);
	out = render(&r, &o, false);
	check_text(out, text_want);
	free(out);
	report_free(&r);
	free(m.buf);
	test_end();
}

static const char *const json_want[] = {
	"{\"time_ns\":50,\"ts_ns\":1000000050,\"realtime_ns\":1796000000000000050,\"cpu\":0,"
	"\"pid\":100,\"tid\":100,\"goroutine\":null,\"kind\":\"go-ready\",\"fault\":false,"
	"\"subject\":5,\"by\":null}",
	"{\"time_ns\":100,\"ts_ns\":1000000100,\"realtime_ns\":1796000000000000100,\"cpu\":0,"
	"\"pid\":100,\"tid\":100,\"goroutine\":1,\"kind\":\"go-create\",\"fault\":false,"
	"\"subject\":2,\"start\":\"main.worker\",\"parent\":1,\"creator\":\"main.main\"}",
	"{\"time_ns\":200,\"ts_ns\":1000000200,\"realtime_ns\":1796000000000000200,\"cpu\":1,"
	"\"pid\":100,\"tid\":101,\"goroutine\":null,\"kind\":\"go-start\",\"fault\":false,"
	"\"subject\":2}",
	"{\"time_ns\":300,\"ts_ns\":1000000300,\"realtime_ns\":1796000000000000300,\"cpu\":1,"
	"\"pid\":100,\"tid\":101,\"goroutine\":2,\"kind\":\"syscall\",\"fault\":false,"
	"\"name\":\"read\",\"nr\":0,\"ret\":5,\"duration_ns\":50,\"enter_ns\":1000000250}",
	"{\"time_ns\":300,\"ts_ns\":1000000300,\"realtime_ns\":1796000000000000300,\"cpu\":0,"
	"\"pid\":100,\"tid\":100,\"goroutine\":1,\"kind\":\"go-park\",\"fault\":false,"
	"\"subject\":1,\"reason\":\"chan receive\",\"reason_nr\":3}",
	"{\"time_ns\":350,\"ts_ns\":1000000350,\"realtime_ns\":1796000000000000350,\"cpu\":0,"
	"\"pid\":100,\"tid\":100,\"goroutine\":null,\"kind\":\"syscall\",\"fault\":false,"
	"\"name\":\"syscall_9999\",\"nr\":9999,\"ret\":-2,\"duration_ns\":20,\"enter_ns\":1000000330}",
	"{\"time_ns\":400,\"ts_ns\":1000000400,\"realtime_ns\":1796000000000000400,\"cpu\":1,"
	"\"pid\":100,\"tid\":101,\"goroutine\":2,\"kind\":\"break\",\"fault\":false,"
	"\"function\":\"main.handle\",\"spec\":\"main.handle\",\"ret\":false,"
	"\"args\":[{\"name\":\"n\",\"value\":\"-7\"},{\"name\":\"name\",\"value\":\"bob\"}],"
	"\"stack\":[\"main.handle\",\"0x402000\"]}",
	"{\"time_ns\":450,\"ts_ns\":1000000450,\"realtime_ns\":1796000000000000450,\"cpu\":1,"
	"\"pid\":100,\"tid\":101,\"goroutine\":2,\"kind\":\"break\",\"fault\":false,"
	"\"function\":\"main.handle\",\"spec\":\"main.handle\",\"ret\":true,\"args\":[],"
	"\"stack\":[]}",
	"{\"time_ns\":500,\"ts_ns\":1000000500,\"realtime_ns\":1796000000000000500,\"cpu\":1,"
	"\"pid\":100,\"tid\":101,\"goroutine\":2,\"kind\":\"go-ready\",\"fault\":false,"
	"\"subject\":1,\"by\":2}",
	"{\"time_ns\":600,\"ts_ns\":1000000600,\"realtime_ns\":1796000000000000600,\"cpu\":1,"
	"\"pid\":100,\"tid\":101,\"goroutine\":2,\"kind\":\"go-exit\",\"fault\":false,"
	"\"subject\":2}",
	"{\"time_ns\":650,\"ts_ns\":1000000650,\"realtime_ns\":1796000000000000650,\"cpu\":0,"
	"\"pid\":100,\"tid\":100,\"goroutine\":null,\"kind\":\"go-start\",\"fault\":false,"
	"\"subject\":1}",
	"{\"time_ns\":700,\"ts_ns\":1000000700,\"realtime_ns\":1796000000000000700,\"cpu\":1,"
	"\"pid\":0,\"tid\":0,\"goroutine\":null,\"kind\":\"lost\",\"fault\":false,"
	"\"count\":3,\"first_ns\":1000000610,\"last_ns\":1000000690}",
	"{\"time_ns\":800,\"ts_ns\":1000000800,\"realtime_ns\":1796000000000000800,\"cpu\":0,"
	"\"pid\":100,\"tid\":100,\"goroutine\":null,\"kind\":\"exit\",\"fault\":false,"
	"\"status\":\"exited with status 1\",\"wait_status\":256}",
	"{\"time_ns\":900,\"ts_ns\":1000000900,\"realtime_ns\":1796000000000000900,\"cpu\":0,"
	"\"pid\":100,\"tid\":100,\"goroutine\":null,\"kind\":\"unknown\",\"fault\":false,"
	"\"type\":42,\"size\":32}",
};

static void test_json(void)
{
	struct script_opts o = { .kinds = SCRIPT_ALL };
	struct report r;
	struct membuf m;
	char *out, *line, *save = NULL;
	size_t n = 0;

	make_capture(&m, true);
	test_begin("script --json: one object per line, every record, fields decoded");
	CHECK_U64(load(&r, &m, m.len), 0);
	out = render(&r, &o, true);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (n < ARRAY_SIZE_T(json_want) && strcmp(line, json_want[n]))
			test_fail_at(__FILE__, __LINE__, "line %zu:\n#   got  %s\n#   want %s",
				     n, line, json_want[n]);
		n++;
	}
	CHECK_U64(n, ARRAY_SIZE_T(json_want));
	free(out);
	report_free(&r);
	free(m.buf);
	test_end();
}

struct walk_arg {
	const struct report *r;
	const struct script_opts *o;
	const struct godiag_rec *rec;
};

static void walk_one(struct printer *p, const void *arg)
{
	const struct walk_arg *a = arg;

	script_walk(p, a->r, a->o, a->rec);
}

/* Every value the text shows is a member of the JSON, for every record. */
static void test_audit(void)
{
	struct script_opts o = { .kinds = SCRIPT_ALL }, abs = { .kinds = SCRIPT_ALL,
							       .absolute = true };
	struct audit *au = malloc(sizeof(*au));
	struct report r;
	struct membuf m;
	size_t i, bad = 0;

	make_capture(&m, true);
	test_begin("script: each text value has its JSON member");
	CHECK_U64(load(&r, &m, m.len), 0);
	for (i = 0; i < r.recs.n; i++) {
		struct walk_arg a = { &r, &o, recseq_get(&r.recs, i) };

		bad += audit_walk(au, walk_one, &a);
		a.o = &abs;
		bad += audit_walk(au, walk_one, &a);
	}
	CHECK_U64(bad, 0);
	report_free(&r);
	free(m.buf);
	free(au);
	test_end();
}

static void test_absolute(void)
{
	struct script_opts o = { .kinds = SCRIPT_SYSCALL, .absolute = true };
	struct report r;
	struct membuf m;
	char *out;

	make_capture(&m, true);
	test_begin("script --absolute: wall-clock times to the nanosecond");
	CHECK_U64(load(&r, &m, m.len), 0);
	out = render(&r, &o, false);
	check_text(out, "2026-11-30T00:53:20.000000300Z [001]     100/101     G2     syscall   "
		   "read = 5 (50 ns)\n"
		   "2026-11-30T00:53:20.000000350Z [000]     100/100     -      syscall   "
		   "syscall_9999 = -2 (20 ns)\n");
	free(out);
	report_free(&r);
	free(m.buf);
	test_end();
}

/* Which records (by their times) the options keep. */
static void check_filter(const char *name, const struct script_opts *o, const char *want)
{
	char got[256] = "";
	struct report r;
	struct membuf m;
	size_t i, n = 0;

	make_capture(&m, true);
	test_begin("script filter: %s", name);
	CHECK_U64(load(&r, &m, m.len), 0);
	for (i = 0; i < r.recs.n; i++) {
		const struct godiag_rec *rec = recseq_get(&r.recs, i);

		if (script_keep(o, rec))
			n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%llu", n ? " " : "",
					      (unsigned long long)(rec->ts_ns - T0));
	}
	CHECK_STR(got, want);
	report_free(&r);
	free(m.buf);
	test_end();
}

static void test_filters(void)
{
	struct script_opts kinds = { .kinds = SCRIPT_GOROUTINE | SCRIPT_LOSS };
	struct script_opts brk = { .kinds = SCRIPT_BREAK };
	struct script_opts g1 = { .kinds = SCRIPT_ALL, .has_goid = true, .goid = 1 };
	struct script_opts g2 = { .kinds = SCRIPT_ALL, .has_goid = true, .goid = 2 };
	struct script_opts pid = { .kinds = SCRIPT_ALL, .has_pid = true, .pid = 200 };
	struct script_opts sys = { .kinds = SCRIPT_SYSCALL | SCRIPT_EXIT, .has_pid = true,
				   .pid = 100 };

	check_filter("--kind goroutine,loss", &kinds, "50 100 200 300 500 600 650 700");
	check_filter("--kind break", &brk, "400 450");
	/* The parent, the parked, the readied, the thread's goroutine. */
	check_filter("--goroutine 1", &g1, "100 300 500 650 700");
	check_filter("--goroutine 2", &g2, "100 200 300 400 450 500 600 700");
	check_filter("--pid 200 keeps only losses", &pid, "700");
	check_filter("--pid 100 --kind syscall,exit", &sys, "300 350 800");
}

/* A file cut inside its last RECORDS section: printed up to the cut. */
static void test_cut(void)
{
	struct script_opts o = { .kinds = SCRIPT_ALL };
	struct report r;
	struct membuf m;
	char *out, *want;

	make_capture(&m, false);
	test_begin("script of a cut file: the records before the cut");
	/* Inside the last record (the unknown one, 32 bytes). */
	CHECK_U64(load(&r, &m, records_end - 8), 0);
	CHECK(!r.complete);
	CHECK_U64(r.recs.n, 13);
	out = render(&r, &o, false);
	want = strdup(text_want);
	*strstr(want, "    0.000000900") = '\0';
	check_text(out, want);
	free(want);
	free(out);
	report_free(&r);
	free(m.buf);
	test_end();
}

/* data in a new file of template tmpl (a mkstemp() template, changed to the name). */
static void write_tmp(char *tmpl, const void *data, size_t len)
{
	int fd = mkstemp(tmpl);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		abort();
}

/* A checker's exit status; its lines are comments of this test's output. */
static int run_checker(const char *args)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "out=$(mktemp); python3 %s >$out 2>&1; st=$?; "
		 "sed 's/^/#   /' $out; rm -f $out; exit $st", args);
	fflush(stdout);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The capture's trace as JSON (proto false) or protobuf, its length in *len. */
static char *export_trace(const struct membuf *m, bool proto, size_t *len, struct report *r)
{
	struct perfetto *pf = perfetto_new();
	struct report_opts ro;
	char err[128], *out = NULL;
	FILE *mem;

	perfetto_init(pf, &ro);
	CHECK_U64(report_load_opts(r, m->buf, m->len, &ro, err, sizeof(err)), 0);
	perfetto_build(pf, r);
	mem = open_memstream(&out, len);
	CHECK_U64(proto ? perfetto_write_proto(pf, mem) : perfetto_write(pf, mem), 0);
	fclose(mem);
	perfetto_free(pf);
	return out;
}

/* The trace, the report and check_perfetto.py's verdict on both. */
static char *export_checked(const struct membuf *m, const char *flows)
{
	char trace[] = "/tmp/godiag-trace-XXXXXX", rep[] = "/tmp/godiag-report-XXXXXX";
	char args[512], *out, *text;
	struct report r;
	size_t len;
	FILE *f;

	out = export_trace(m, false, &len, &r);
	write_tmp(trace, out, len);
	f = open_memstream(&text, &len);
	report_print_json(&r, f);
	fclose(f);
	write_tmp(rep, text, len);
	free(text);
	snprintf(args, sizeof(args), "check_perfetto.py %s %s '%s'", trace, rep, flows);
	CHECK_U64(run_checker(args), 0);
	unlink(trace);
	unlink(rep);
	report_free(&r);
	return out;
}

/* How to spoil a protobuf trace, for the checker to find. */
enum spoil { INTACT, DROP_FIRST, DROP_LAST, CUT };

/* Where the packet (field 1, length-delimited) at off of a trace ends. */
static size_t packet_end(const uint8_t *p, size_t len, size_t off)
{
	uint64_t n = 0;
	int shift = 0;

	if (off >= len || p[off] != 0x0a)
		return len;
	for (off++; off < len && p[off] & 0x80; shift += 7)
		n |= (uint64_t)(p[off++] & 0x7f) << shift;
	if (off < len)
		n |= (uint64_t)p[off++] << shift;
	return n > len - off ? len : off + n;
}

/* The offset of the last packet of a trace. */
static size_t last_packet(const uint8_t *p, size_t len)
{
	size_t off = 0, last = 0;

	while (off < len) {
		last = off;
		off = packet_end(p, len, off);
	}
	return last;
}

/*
 * The protobuf trace of the capture, spoiled or not, the JSON trace and
 * the report: check_perfetto_proto.py's exit status.
 */
static int proto_checked(const struct membuf *m, const char *flows, enum spoil spoil)
{
	char pb[] = "/tmp/godiag-pftrace-XXXXXX", js[] = "/tmp/godiag-trace-XXXXXX";
	char rep[] = "/tmp/godiag-report-XXXXXX";
	char args[512], *proto, *json, *text;
	size_t len, jlen, skip = 0;
	struct report r, r2;
	FILE *f;
	int st;

	json = export_trace(m, false, &jlen, &r2);
	proto = export_trace(m, true, &len, &r);
	if (spoil == DROP_FIRST)	/* it clears the state and describes a track */
		skip = packet_end((const uint8_t *)proto, len, 0);
	else if (spoil == DROP_LAST)	/* a slice's end */
		len = last_packet((const uint8_t *)proto, len);
	else if (spoil == CUT)
		len -= 3;
	write_tmp(pb, proto + skip, len - skip);
	write_tmp(js, json, jlen);
	f = open_memstream(&text, &jlen);
	report_print_json(&r, f);
	fclose(f);
	write_tmp(rep, text, jlen);
	snprintf(args, sizeof(args), "check_perfetto_proto.py %s %s %s '%s'", pb, rep, js, flows);
	st = run_checker(args);
	unlink(pb);
	unlink(js);
	unlink(rep);
	free(text);
	free(proto);
	free(json);
	report_free(&r);
	report_free(&r2);
	return st;
}

static void test_export(void)
{
	struct membuf m;
	char *out;

	make_capture_x(&m, true, true);
	test_begin("export: valid trace, nested slices, totals and flows as report says");
	out = export_checked(&m, "create:1>2,ready:2>1");
	/* The track names, a blocked slice, a syscall clipped to G2's running. */
	CHECK(strstr(out, "\"tid\":4194304,\"args\":{\"name\":\"G2 main.worker\"}}\n") != NULL);
	CHECK(strstr(out, "\"tid\":4194305,\"args\":{\"name\":\"G1\"}}\n") != NULL);
	CHECK(strstr(out, "\n,{\"pid\":100,\"tid\":4194305,\"name\":\"chan receive\",\"cat\":"
		      "\"goroutine\",\"ph\":\"X\",\"ts\":0.3,\"dur\":0.2,\"args\":{\"state\":"
		      "\"blocked\",\"reason\":\"chan receive\"}}\n") != NULL);
	CHECK(strstr(out, "\n,{\"pid\":100,\"tid\":4194304,\"name\":\"write\",\"cat\":\"syscall\","
		      "\"ph\":\"X\",\"ts\":0.2,\"dur\":0.01,") != NULL);
	CHECK(strstr(out, "\n,{\"pid\":100,\"tid\":100,\"name\":\"write\",\"cat\":\"syscall\","
		      "\"ph\":\"X\",\"ts\":0.15,\"dur\":0.06,") != NULL);
	CHECK(strstr(out, "\"name\":\"main.handle\",\"cat\":\"break\",\"ph\":\"i\",\"s\":\"t\","
		      "\"ts\":0.4,\"args\":{\"goroutine\":2,\"n\":\"-7\",\"name\":\"bob\"}}") != NULL);
	CHECK(strstr(out, "\"name\":\"lost 3 records on cpu 1\",\"cat\":\"loss\",\"ph\":\"i\","
		      "\"s\":\"g\",\"ts\":0.7,") != NULL);
	if (test_case_failed)
		printf("%s", out);
	free(out);
	test_end();
	test_begin("export perfetto-proto: the JSON's events, nested, interned, as report says");
	CHECK_U64(proto_checked(&m, "create:1>2,ready:2>1", INTACT), 0);
	test_end();
	/* The checker can fail: a packet missing, a file cut short. */
	test_begin("check_perfetto_proto.py fails on a trace without its first packet");
	CHECK_U64(proto_checked(&m, "create:1>2,ready:2>1", DROP_FIRST), 1);
	test_end();
	test_begin("check_perfetto_proto.py fails on a trace without its last packet");
	CHECK_U64(proto_checked(&m, "create:1>2,ready:2>1", DROP_LAST), 1);
	test_end();
	test_begin("check_perfetto_proto.py fails on a trace cut inside a packet");
	CHECK_U64(proto_checked(&m, "create:1>2,ready:2>1", CUT), 1);
	test_end();
	free(m.buf);
}

/*
 * Two processes with the same goroutine ids; in 100, G2 is preempted and
 * parked with no READY, G3's syscall began before it started (clipped),
 * G1 readies G3; in 200 (no GOINFO: "waitReason(1)"), G2's creator has no
 * slice, so no arrow.
 */
static void test_export_two(void)
{
	struct capw w;
	struct membuf m;
	char *out;
	int fd = memfile_open(&w);

	put_meta(&w);
	put_names(&w);
	put_go_pid(&w, 100, 0, GODIAG_REC_GO_START, 100, 0, 0, 1, 0, 0);
	put_go_pid(&w, 100, 0, GODIAG_REC_GO_CREATE, 100, 100, 1, 2, 1, 0);
	put_go_pid(&w, 100, 0, GODIAG_REC_GO_CREATE, 100, 150, 1, 3, 1, 0);
	put_go_pid(&w, 100, 0, GODIAG_REC_GO_PARK, 100, 200, 1, 1, 0, 3);
	put_go_pid(&w, 100, 0, GODIAG_REC_GO_START, 100, 250, 1, 2, 0, 0);
	/* pread64 (17): protoc --decode_raw prints that name as a message. */
	put_syscall(&w, 0, 100, 300, 2, 17, 20, 4);
	put_go_pid(&w, 100, 0, GODIAG_REC_GO_START, 100, 400, 2, 1, 0, 0);
	put_go_pid(&w, 100, 0, GODIAG_REC_GO_READY, 100, 450, 1, 3, 1, 0);
	put_go_pid(&w, 100, 0, GODIAG_REC_GO_PARK, 100, 700, 1, 1, 0, 2);
	put_go_pid(&w, 100, 1, GODIAG_REC_GO_START, 101, 160, 0, 3, 0, 0);
	put_syscall(&w, 1, 101, 170, 3, 0, 20, 1);
	put_go_pid(&w, 100, 1, GODIAG_REC_GO_PARK, 101, 300, 3, 3, 0, 2);
	put_go_pid(&w, 100, 1, GODIAG_REC_GO_START, 101, 500, 0, 3, 0, 0);
	put_go_pid(&w, 100, 1, GODIAG_REC_GO_EXIT, 101, 600, 3, 3, 0, 0);
	put_go_pid(&w, 200, 2, GODIAG_REC_GO_CREATE, 200, 50, 1, 2, 1, 0);
	put_go_pid(&w, 200, 2, GODIAG_REC_GO_START, 201, 60, 0, 2, 0, 0);
	put_go_pid(&w, 200, 2, GODIAG_REC_GO_PARK, 201, 70, 2, 2, 0, 1);
	put_go_pid(&w, 200, 2, GODIAG_REC_GO_READY, 200, 80, 0, 2, 0, 0);
	put_go_pid(&w, 200, 2, GODIAG_REC_GO_START, 201, 90, 0, 2, 0, 0);
	put_go_pid(&w, 200, 2, GODIAG_REC_GO_EXIT, 201, 95, 2, 2, 0, 0);
	capw_end(&w, REAL0 + 1000, T0 + 1000);
	if (capw_close(&w))
		abort();
	memfile_read(fd, &m);
	test_begin("export: two processes, preemption, a clipped syscall, no arrow from nothing");
	out = export_checked(&m, "create:1>2,create:1>3,ready:1>3");
	CHECK(strstr(out, "\"pid\":200,\"tid\":4194304,\"args\":{\"name\":\"G2 0x2000\"}}") != NULL);
	CHECK(strstr(out, "\"pid\":200,\"tid\":4194304,\"name\":\"waitReason(1)\",") != NULL);
	/* G3's read from 150 to 170, inside its running slice from 160. */
	CHECK(strstr(out, "\"tid\":4194305,\"name\":\"read\",\"cat\":\"syscall\",\"ph\":\"X\","
		      "\"ts\":0.16,\"dur\":0.01,") != NULL);
	if (test_case_failed)
		printf("%s", out);
	free(out);
	test_end();
	test_begin("export perfetto-proto: two processes, as the JSON");
	CHECK_U64(proto_checked(&m, "create:1>2,create:1>3,ready:1>3", INTACT), 0);
	test_end();
	free(m.buf);
}

int main(void)
{
	test_text();
	test_json();
	test_audit();
	test_absolute();
	test_filters();
	test_cut();
	test_export();
	test_export_two();
	return test_summary();
}
