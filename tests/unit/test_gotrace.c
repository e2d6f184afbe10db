// SPDX-License-Identifier: GPL-2.0
/*
 * export --format gotrace (ctl/cmd/gotrace.c) on synthetic captures,
 * checked by the trace parser of Go 1.26 itself: tests/gotrace's
 * tracecheck runs `go tool trace -d=parsed` (built by tests/progs as
 * build/progs/trace-go1.26), its profiles and its web server on the
 * trace, and compares
 * its goroutines, creations, exits, blocks by reason and syscalls with
 * the report of the same capture. The captures make the encoder write
 * varints of every length (goroutine ids past 2^40, PCs, times), strings
 * past 127 bytes, batches split at 60 KiB, several generations, and the
 * events the trace needs where the capture's records miss some.
 */
#include <stdlib.h>

#include "capfile_build.h"
#include "cmd/gotrace.h"
#include "cmd/report.h"
#include "test.h"

#define T0 5000000000ULL
#define REAL0 1796000000000000000ULL
#define PID 100
#define BIG (1ULL << 40)	/* goroutine ids of 6-byte varints */
#define NSEC 1000000000ULL

static char *reasons[] = { "", "chan receive", "IO wait", "sync.Mutex.Lock", "sleep",
			   "select", "GC worker (idle)" };
enum { R_CHAN = 1, R_IO, R_MUTEX, R_SLEEP, R_SELECT, R_GC };

static char long_name[300];

static void put_go(struct capw *w, uint32_t pid, uint16_t type, uint32_t tid, uint64_t t,
		   uint64_t hdr_goid, uint64_t goid, uint64_t other, uint32_t reason,
		   uint64_t start_pc)
{
	struct godiag_rec_go r = make_go(type, pid, tid, T0 + t, hdr_goid, goid);

	r.other_goid = other;
	r.reason = reason;
	if (type == GODIAG_REC_GO_CREATE) {
		r.pc = 0x4a1000;
		r.start_pc = start_pc;
	}
	capw_record(w, &r, sizeof(r));
}

static void put_syscall(struct capw *w, uint32_t tid, uint64_t t, uint64_t goid, uint64_t dur)
{
	struct godiag_rec_syscall r = make_syscall(PID, 1, dur, 1, T0 + t);

	r.hdr.tid = tid;
	r.hdr.goid = goid;
	capw_record(w, &r, sizeof(r));
}

static void put_head(struct capw *w, uint32_t pid)
{
	static struct capw_sym syms[] = {
		{ 0x4a1000, "main.main", "/app/main.go", 10, NULL },
		{ 0x4b2000, "main.main.gowrap1", "/app/main.go", 12, "main.worker" },
		{ 0x4c3000, "main.(*server).serve", "/app/server.go", 200, NULL },
		{ 0x4d4000, long_name, "/app/long.go", 3, NULL },
	};
	struct capfile_goinfo h;
	char *meta = NULL;
	size_t len = 0;

	memset(long_name, 'x', sizeof(long_name) - 1);
	memcpy(long_name, "main.", 5);
	capw_meta_add(&meta, &len, "mode", "discard");
	capw_meta_add(&meta, &len, "start_monotonic_ns", "%llu", T0);
	capw_meta_add(&meta, &len, "start_realtime_ns", "%llu", REAL0);
	capw_section(w, CAPFILE_SEC_META, 0, meta, len);
	free(meta);
	memset(&h, 0, sizeof(h));
	h.pid = pid;
	snprintf(h.go_version, sizeof(h.go_version), "go1.26.8");
	capw_goinfo(w, &h, reasons, sizeof(reasons) / sizeof(reasons[0]));
	capw_syms(w, pid, syms, sizeof(syms) / sizeof(syms[0]));
}

/*
 * G1 (older than the capture) runs on thread 100 and creates N workers
 * (gowrap1 -> main.worker, ids past 2^40) and a server goroutine; each
 * worker runs on thread 101 or 102, makes a syscall, parks (by turns on a
 * channel, a mutex, I/O, sleep, select), is readied by G1 or not at all
 * (I/O: the next START ends its wait), runs again and exits. G7 (older)
 * is first seen readied, G8 (older) first seen parking without a start,
 * G9's START replaces G1 on thread 100 (preempted). The server (long
 * name) makes `spin` syscalls in a row on thread 103: batches past 60
 * KiB. Everything spans `secs` seconds: one generation per second.
 */
static void make_capture(struct membuf *m, unsigned n, unsigned spin, unsigned secs,
			 bool second_pid)
{
	uint64_t step = secs * NSEC / (n + 2), t = 100, srv = BIG + 999;
	struct capw w;
	unsigned i;
	int fd = memfile_open(&w);

	put_head(&w, PID);
	if (second_pid)
		put_head(&w, PID + 1);
	put_go(&w, PID, GODIAG_REC_GO_START, 100, t, 0, 1, 0, 0, 0);
	put_go(&w, PID, GODIAG_REC_GO_READY, 100, t + 1, 1, 7, 1, 0, 0);
	put_go(&w, PID, GODIAG_REC_GO_PARK, 104, t + 2, 8, 8, 0, R_GC, 0);
	put_go(&w, PID, GODIAG_REC_GO_CREATE, 100, t + 3, 1, srv, 1, 0, 0x4d4000);
	put_go(&w, PID, GODIAG_REC_GO_START, 103, t + 4, 0, srv, 0, 0, 0);
	for (i = 0; i < spin; i++)
		put_syscall(&w, 103, t + 10 + i * 10 + 5, srv, 3 + i % 5);
	put_go(&w, PID, GODIAG_REC_GO_PARK, 103, t + 20 + spin * 10, srv, srv, 0, R_IO, 0);
	for (i = 0; i < n; i++) {
		uint64_t g = BIG + i, base = t + 1000 + i * step;
		uint32_t tid = 101 + i % 2, reason = 1 + i % 5;

		put_go(&w, PID, GODIAG_REC_GO_CREATE, 100, base, 1, g, 1, 0, 0x4b2000);
		put_go(&w, PID, GODIAG_REC_GO_START, tid, base + 100, 0, g, 0, 0, 0);
		put_syscall(&w, tid, base + 300, g, 150);
		put_go(&w, PID, GODIAG_REC_GO_PARK, tid, base + 400, g, g, 0, reason, 0);
		if (reason != R_IO)
			put_go(&w, PID, GODIAG_REC_GO_READY, 100, base + step / 2, 1, g, 1, 0, 0);
		put_go(&w, PID, GODIAG_REC_GO_START, tid, base + step / 2 + 50, 0, g, 0, 0, 0);
		put_go(&w, PID, GODIAG_REC_GO_EXIT, tid, base + step / 2 + 80, g, g, 0, 0, 0);
	}
	t += 1000 + n * step;
	put_go(&w, PID, GODIAG_REC_GO_START, 100, t, 1, 9, 0, 0, 0);
	put_go(&w, PID, GODIAG_REC_GO_START, 104, t + 10, 0, 7, 0, 0, 0);
	if (second_pid) {
		put_go(&w, PID + 1, GODIAG_REC_GO_CREATE, 200, t + 20, 1, 2, 1, 0, 0x4b2000);
		put_go(&w, PID + 1, GODIAG_REC_GO_START, 201, t + 30, 0, 2, 0, 0, 0);
	}
	capw_flush(&w);
	capw_end(&w, REAL0 + t + 100, T0 + t + 100);
	if (capw_close(&w))
		abort();
	memfile_read(fd, m);
}

static const char *progs(void)
{
	const char *dir = getenv("GODIAG_PROGS");

	return dir ? dir : "../../build/progs";
}

/* The trace of m's process pid, in a file; its stats in st. */
static int export(const struct membuf *m, uint32_t pid, const char *path, struct report *r,
		  struct gotrace_stats *st, char *err, size_t errlen)
{
	struct gotrace *gt = gotrace_new();
	struct report_opts ro;
	FILE *f;
	int rc;

	gotrace_init(gt, &ro);
	CHECK_U64(report_load_opts(r, m->buf, m->len, &ro, err, errlen), 0);
	rc = gotrace_build(gt, r, pid, err, errlen);
	if (!rc) {
		f = fopen(path, "w");
		CHECK(f != NULL);
		CHECK_U64(gotrace_write(gt, f), 0);
		fclose(f);
		*st = *gotrace_stats(gt);
	}
	gotrace_free(gt);
	return rc;
}

/* tracecheck on trace (and the report, unless NULL): its exit status; its JSON in out. */
static int go_check(const char *trace, const char *rep, uint32_t pid, char *out, size_t len)
{
	char cmd[1024], res[] = "/tmp/godiag-gtres-XXXXXX";
	int fd = mkstemp(res), st;
	ssize_t n;

	snprintf(cmd, sizeof(cmd), "%s/tracecheck -tool %s/trace-go1.26 -pid %u %s %s >%s 2>%s.err; "
		 "st=$?; sed 's/^/#   /' %s.err; rm -f %s.err; exit $st", progs(), progs(), pid,
		 trace, rep ? rep : "", res, res, res, res);
	st = system(cmd);
	n = read(fd, out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(res);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_report(struct report *r, const char *path)
{
	FILE *f = fopen(path, "w");

	report_print_json(r, f);
	fclose(f);
}

/* The trace file an export writes and the report JSON the checker reads. */
struct tmp_pair {
	char trace[32];
	char rep[32];
};

static void tmp_pair_make(struct tmp_pair *t)
{
	strcpy(t->trace, "/tmp/godiag-gotrace-XXXXXX");
	strcpy(t->rep, "/tmp/godiag-gtrep-XXXXXX");
	close(mkstemp(t->trace));
	close(mkstemp(t->rep));
}

static void tmp_pair_remove(const struct tmp_pair *t)
{
	unlink(t->trace);
	unlink(t->rep);
}

static void check_has(const char *out, const char *want)
{
	if (!strstr(out, want)) {
		test_fail_at(__FILE__, __LINE__, "no %s in %s", want, out);
	}
}

static void test_parsed(void)
{
	struct tmp_pair t;
	char err[256], out[4096];
	struct gotrace_stats st;
	struct report r;
	struct membuf m;

	tmp_pair_make(&t);
	make_capture(&m, 50, 12000, 3, false);
	test_begin("gotrace: Go 1.26's parser reads the trace; its counts are the report's");
	CHECK_U64(export(&m, 0, t.trace, &r, &st, err, sizeof(err)), 0);
	write_report(&r, t.rep);
	CHECK_U64(go_check(t.trace, t.rep, PID, out, sizeof(out)), 0);
	/* 51 created, G1, G7, G8, G9: 55 goroutines; 2.9 seconds, 3 generations. */
	check_has(out, "\"generations\":3,\"goroutines\":55,\"created\":51,\"exited\":50,");
	check_has(out, "\"blocks\":{\"chan receive\":10,\"network\":11,\"select\":10,"
		  "\"sleep\":10,\"sync\":10,\"system goroutine wait\":1},\"syscalls\":12050,");
	check_has(out, "\"threads\":5,\"procs\":5,");
	CHECK_U64(st.generations, 3);
	CHECK_U64(st.created, 51);
	CHECK_U64(st.syscalls, 12050);
	/* 12 batches of Ms in 3 generations, and M 103's 24000 events take two. */
	CHECK_U64(st.batches, 13);
	/* G8 parked without a start: it is pre-capture, so no fixup. */
	CHECK_U64(st.fixups, 0);
	if (test_case_failed)
		printf("# %s\n", out);
	tmp_pair_remove(&t);
	report_free(&r);
	free(m.buf);
	test_end();
}

/* The check fails on a trace that lies, and on one the parser refuses. */
static void test_check_fails(void)
{
	struct tmp_pair t;
	char err[256], out[4096];
	struct gotrace_stats st;
	struct report r, r2;
	struct membuf m, m2;
	FILE *f;

	tmp_pair_make(&t);
	make_capture(&m, 10, 10, 1, false);
	make_capture(&m2, 11, 10, 1, false);
	test_begin("gotrace: the check fails on another capture's report, on a broken trace");
	CHECK_U64(export(&m, 0, t.trace, &r, &st, err, sizeof(err)), 0);
	CHECK_U64(report_load(&r2, m2.buf, m2.len, err, sizeof(err)), 0);
	write_report(&r2, t.rep);
	CHECK_U64(go_check(t.trace, t.rep, PID, out, sizeof(out)), 1);
	/* A GoStart's goroutine id changed: the parser stops there. */
	f = fopen(t.trace, "r+");
	fseek(f, 0, SEEK_END);
	fseek(f, ftell(f) / 2, SEEK_SET);
	fputc(0xff, f);
	fputc(0x16, f);
	fclose(f);
	CHECK_U64(go_check(t.trace, NULL, PID, out, sizeof(out)), 2);
	tmp_pair_remove(&t);
	report_free(&r);
	report_free(&r2);
	free(m.buf);
	free(m2.buf);
	test_end();
}

static void test_pids(void)
{
	struct tmp_pair t;
	char err[256], out[4096];
	struct gotrace_stats st;
	struct report r;
	struct membuf m;

	tmp_pair_make(&t);
	make_capture(&m, 5, 3, 1, true);
	test_begin("gotrace: two processes: one, chosen with its pid");
	CHECK_U64(export(&m, 0, t.trace, &r, &st, err, sizeof(err)), (uint64_t)-1);
	CHECK_STR(err, "goroutines of several processes (100, 101): choose one with --pid");
	report_free(&r);
	CHECK_U64(export(&m, PID + 2, t.trace, &r, &st, err, sizeof(err)), (uint64_t)-1);
	CHECK_STR(err, "no goroutine records of process 102");
	report_free(&r);
	CHECK_U64(export(&m, PID + 1, t.trace, &r, &st, err, sizeof(err)), 0);
	write_report(&r, t.rep);
	CHECK_U64(go_check(t.trace, t.rep, PID + 1, out, sizeof(out)), 0);
	check_has(out, "\"goroutines\":1,\"created\":1,");
	report_free(&r);
	CHECK_U64(export(&m, PID, t.trace, &r, &st, err, sizeof(err)), 0);
	write_report(&r, t.rep);
	CHECK_U64(go_check(t.trace, t.rep, PID, out, sizeof(out)), 0);
	check_has(out, "\"goroutines\":10,\"created\":6,");
	tmp_pair_remove(&t);
	report_free(&r);
	free(m.buf);
	test_end();
}

/* Records the trace's rules refuse: the trace gets the events it needs. */
static void test_fixups(void)
{
	struct tmp_pair t;
	char err[256], out[4096];
	struct gotrace_stats st;
	struct report r;
	struct membuf m;
	struct capw w;
	int fd = memfile_open(&w);

	tmp_pair_make(&t);
	put_head(&w, PID);
	/* G2 created, parks without a START (lost); G3 and G4 on one thread. */
	put_go(&w, PID, GODIAG_REC_GO_CREATE, 100, 10, 0, 2, 1, 0, 0x4b2000);
	put_go(&w, PID, GODIAG_REC_GO_PARK, 101, 20, 2, 2, 0, R_CHAN, 0);
	put_go(&w, PID, GODIAG_REC_GO_CREATE, 100, 30, 0, 3, 1, 0, 0x4b2000);
	put_go(&w, PID, GODIAG_REC_GO_CREATE, 100, 31, 0, 4, 1, 0, 0x4b2000);
	put_go(&w, PID, GODIAG_REC_GO_START, 102, 40, 0, 3, 0, 0, 0);
	put_go(&w, PID, GODIAG_REC_GO_START, 102, 50, 0, 4, 0, 0, 0);
	/* G3's syscall on thread 103, where it does not run; then it exits on 102. */
	put_syscall(&w, 103, 70, 3, 5);
	put_go(&w, PID, GODIAG_REC_GO_EXIT, 102, 80, 3, 3, 0, 0, 0);
	/* G4 exits without running again; a syscall of no goroutine. */
	put_go(&w, PID, GODIAG_REC_GO_EXIT, 102, 90, 4, 4, 0, 0, 0);
	put_syscall(&w, 102, 100, 0, 5);
	capw_flush(&w);
	capw_end(&w, REAL0 + 200, T0 + 200);
	CHECK(!capw_close(&w));
	memfile_read(fd, &m);
	test_begin("gotrace: a capture that breaks the scheduler's rules still parses");
	CHECK_U64(export(&m, 0, t.trace, &r, &st, err, sizeof(err)), 0);
	write_report(&r, t.rep);
	CHECK_U64(go_check(t.trace, t.rep, PID, out, sizeof(out)), 0);
	/* G2 started (1), G3 moved to 103 (stop, start: 2), back to 102 (2), G4 stopped (1). */
	CHECK(st.fixups >= 4);
	CHECK_U64(st.syscalls_dropped, 1);
	check_has(out, "\"goroutines\":3,\"created\":3,\"exited\":2,");
	tmp_pair_remove(&t);
	report_free(&r);
	free(m.buf);
	test_end();
}

static void test_no_goroutines(void)
{
	char err[256];
	struct gotrace_stats st;
	struct report r;
	struct membuf m;
	struct capw w;
	int fd = memfile_open(&w);

	put_syscall(&w, 100, 100, 0, 5);
	capw_flush(&w);
	capw_end(&w, REAL0 + 200, T0 + 200);
	CHECK(!capw_close(&w));
	memfile_read(fd, &m);
	test_begin("gotrace: a capture without goroutine records: an error");
	CHECK_U64(export(&m, 0, "/nonexistent", &r, &st, err, sizeof(err)), (uint64_t)-1);
	CHECK_STR(err, "no goroutine records (a capture with --goroutines has them)");
	report_free(&r);
	free(m.buf);
	test_end();
}

static void test_reasons(void)
{
	test_begin("gotrace: wait reasons as the Go tracer names them");
	CHECK_STR(gotrace_block_reason("chan receive"), "chan receive");
	CHECK_STR(gotrace_block_reason("IO wait"), "network");
	CHECK_STR(gotrace_block_reason("sync.Mutex.Lock"), "sync");
	CHECK_STR(gotrace_block_reason("semacquire"), "sync");
	CHECK_STR(gotrace_block_reason("sync.Cond.Wait"), "sync.(*Cond).Wait");
	CHECK_STR(gotrace_block_reason("select (no cases)"), "forever");
	CHECK_STR(gotrace_block_reason("panicwait"), "panicwait");
	CHECK_STR(gotrace_block_reason(""), "unspecified");
	test_end();
}

int main(void)
{
	test_reasons();
	test_no_goroutines();
	test_parsed();
	test_check_fails();
	test_pids();
	test_fixups();
	return test_summary();
}
