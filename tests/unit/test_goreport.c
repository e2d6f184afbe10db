// SPDX-License-Identifier: GPL-2.0
/*
 * The goroutine section of 'godiagctl report' (ctl/model/goreport.c through
 * ctl/model/analyze.c and ctl/cmd/report.c) on synthetic capture files whose
 * records come per CPU, out of time order: exact numbers, text and JSON.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capfile_build.h"
#include "cmd/report.h"
#include "print_audit.h"
#include "report_render.h"
#include "test.h"

#define T0 1000000000ULL
#define ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))
#define SC 0xffff	/* a SYSCALL row in the specs below */

/* One record: times are relative to T0; SYSCALL: other is the duration. */
struct spec {
	uint16_t cpu;
	uint16_t type;
	uint32_t tgid, tid;
	uint64_t t;
	uint64_t hdr_goid, goid, other, pc, start_pc;
	uint32_t reason;
	uint16_t flags;
};

/*
 * Process 100: goroutine 1 (older than the capture) creates 2, 3 and 4,
 * parks on a channel and is readied; 2 runs and exits; 3 is preempted by
 * 4, makes a syscall and parks on an unknown reason; 4 parks on I/O with
 * no READY (a START ends it) and exits; 5 (older) exits. Process 200 has
 * goroutines 2 and 3 too. Records are grouped per CPU, in time order
 * only within a CPU.
 */
static const struct spec cpu0[] = {
	{ 0, GODIAG_REC_GO_START, 100, 100, 0, 0, 1, 0, 0, 0, 0, 0 },
	{ 0, GODIAG_REC_GO_CREATE, 100, 100, 100, 1, 2, 1, 0x1000, 0x2000, 0, 0 },
	{ 0, GODIAG_REC_GO_CREATE, 100, 100, 200, 1, 3, 1, 0x1100, 0x2000, 0, 0 },
	{ 0, GODIAG_REC_GO_CREATE, 100, 100, 300, 1, 4, 1, 0x1000, 0x3000, 0, 0 },
	{ 0, GODIAG_REC_GO_PARK, 100, 100, 400, 1, 1, 0, 0, 0, 3, 0 },
	/* After a park, hdr.goid may name the parked one: it stays blocked. */
	{ 0, GODIAG_REC_GO_START, 100, 100, 500, 1, 2, 0, 0, 0, 0, 0 },
	/* Same time: the file's order holds (the exit first). */
	{ 0, GODIAG_REC_GO_EXIT, 100, 100, 1000, 2, 2, 0, 0, 0, 0, 0 },
	{ 0, GODIAG_REC_GO_START, 100, 100, 1000, 2, 1, 0, 0, 0, 0, 0 },
	{ 0, SC, 100, 100, 1600, 1, 0, 30, 0, 0, 0, 0 },
	{ 0, SC, 100, 100, 1650, 1, 0, 70, 0, 0, 0, 0 },
	{ 0, GODIAG_REC_GO_PARK, 100, 100, 1700, 1, 1, 0, 0, 0, 0, 0 },
	{ 0, GODIAG_REC_GO_EXIT, 100, 103, 1800, 5, 5, 0, 0, 0, 0, 0 },
};

static const struct spec cpu1[] = {
	{ 1, GODIAG_REC_GO_START, 100, 101, 600, 0, 3, 0, 0, 0, 0, 0 },
	{ 1, SC, 100, 101, 700, 3, 0, 50, 0, 0, 0, 0 },
	/* Preemption: 4 replaces 3 on thread 101. */
	{ 1, GODIAG_REC_GO_START, 100, 101, 800, 3, 4, 0, 0, 0, 0, 0 },
	{ 1, GODIAG_REC_GO_READY, 100, 101, 900, 4, 1, 4, 0, 0, 0, 0 },
	{ 1, GODIAG_REC_GO_PARK, 100, 101, 1100, 4, 4, 0, 0, 0, 2, 0 },
	{ 1, GODIAG_REC_GO_START, 100, 101, 1200, 4, 3, 0, 0, 0, 0, 0 },
	{ 1, GODIAG_REC_GO_PARK, 100, 101, 1400, 3, 3, 0, 0, 0, 42, 0 },
	{ 1, SC, 100, 101, 1450, 0, 0, 5, 0, 0, 0, 0 },
};

static const struct spec cpu2[] = {
	/* No READY for the I/O park: this START ends it. */
	{ 2, GODIAG_REC_GO_START, 100, 102, 1300, 0, 4, 0, 0, 0, 0, 0 },
	{ 2, GODIAG_REC_GO_EXIT, 100, 102, 1500, 4, 4, 0, 0, 0, 0, 0 },
};

static const struct spec cpu3[] = {
	{ 3, GODIAG_REC_GO_CREATE, 200, 200, 50, 1, 2, 1, 0x1000, 0x2000, 0, 0 },
	{ 3, GODIAG_REC_GO_START, 200, 201, 250, 0, 2, 0, 0, 0, 0, 0 },
	{ 3, GODIAG_REC_GO_PARK, 200, 201, 350, 2, 2, 0, 0, 0, 1, 0 },
	{ 3, GODIAG_REC_GO_READY, 200, 200, 450, 1, 2, 1, 0, 0, 0, 0 },
	{ 3, GODIAG_REC_GO_START, 200, 201, 460, 0, 2, 0, 0, 0, 0, 0 },
	{ 3, GODIAG_REC_GO_EXIT, 200, 201, 470, 2, 2, 0, 0, 0, 0, 0 },
	/* A failed read of the goroutine: skipped. */
	{ 3, GODIAG_REC_GO_START, 200, 201, 480, 0, 0, 0, 0, 0, 0, GODIAG_RF_FAULT },
	{ 3, GODIAG_REC_GO_CREATE, 200, 200, 1900, 1, 3, 2, 0x5000, 0x4000, 0, 0 },
};

static void put_spec(struct capw *w, const struct spec *s)
{
	if (s->type == SC) {
		struct godiag_rec_syscall r = make_syscall(s->tgid, 0, s->other, 0, T0 + s->t);

		r.hdr.tid = s->tid;
		r.hdr.cpu = s->cpu;
		r.hdr.goid = s->hdr_goid;
		capw_record(w, &r, sizeof(r));
	} else {
		struct godiag_rec_go r = make_go(s->type, s->tgid, s->tid, T0 + s->t,
						 s->hdr_goid, s->goid);

		r.hdr.cpu = s->cpu;
		r.hdr.flags = s->flags;
		r.other_goid = s->other;
		r.pc = s->pc;
		r.start_pc = s->start_pc;
		r.reason = s->reason;
		capw_record(w, &r, sizeof(r));
	}
}

static void put_specs(struct capw *w, const struct spec *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put_spec(w, &s[i]);
}

static char *reasons100[] = { "", "GC assist marking", "IO wait", "chan receive",
			      "chan send" };
static char *reasons200[] = { "", "chan receive", "sleep" };

static void put_goinfo(struct capw *w, uint32_t pid, char **reasons, size_t n)
{
	struct capfile_goinfo h;

	memset(&h, 0, sizeof(h));
	h.pid = pid;
	snprintf(h.go_version, sizeof(h.go_version), "go1.22.2");
	capw_goinfo(w, &h, reasons, n);
}

static void put_syms(struct capw *w)
{
	/* Any order, a duplicate: the writer sorts and keeps the first. */
	static const struct capw_sym s100[] = {
		{ 0x3000, "main.main.func1", "/app/main.go", 14, NULL },
		{ 0x1000, "main.main", "/app/main.go", 10, NULL },
		{ 0x2000, "main.worker", "/app/worker.go", 5, NULL },
		{ 0x1000, "main.duplicate", "/app/main.go", 99, NULL },
		{ 0x1100, "main.main", "/app/main.go", 12, NULL },
	};
	static const struct capw_sym s200[] = {
		{ 0x2000, "main.worker", "/b/worker.go", 7, NULL },
		{ 0x1000, "main.spawn", NULL, 0, NULL },
	};

	capw_syms(w, 100, s100, ARRAY_SIZE_T(s100));
	capw_syms(w, 200, s200, ARRAY_SIZE_T(s200));
}

static void write_meta(struct capw *w)
{
	char *meta = NULL;
	size_t len = 0;

	capw_meta_add(&meta, &len, "mode", "discard");
	capw_meta_add(&meta, &len, "start_monotonic_ns", "%llu", T0);
	capw_section(w, CAPFILE_SEC_META, 0, meta, len);
	free(meta);
}

/* The capture above; with lost, a LOST marker of that many events too. */
static void make_capture(struct membuf *m, uint64_t lost)
{
	struct capw w;
	int fd = memfile_open(&w);

	write_meta(&w);
	put_goinfo(&w, 100, reasons100, ARRAY_SIZE_T(reasons100));
	put_goinfo(&w, 200, reasons200, ARRAY_SIZE_T(reasons200));
	/* Drained CPU by CPU, in several RECORDS sections. */
	put_specs(&w, cpu2, ARRAY_SIZE_T(cpu2));
	put_specs(&w, cpu1, ARRAY_SIZE_T(cpu1));
	capw_note(&w, "between drains");
	put_specs(&w, cpu3, ARRAY_SIZE_T(cpu3));
	if (lost) {
		struct godiag_rec_lost l = make_lost(0, lost);

		capw_record(&w, &l, sizeof(l));
	}
	put_specs(&w, cpu0, ARRAY_SIZE_T(cpu0));
	put_syms(&w);
	capw_end(&w, 7, T0 + 2000);
	if (capw_close(&w))
		abort();
	memfile_read(fd, m);
}

struct row_want {
	uint32_t pid;
	uint64_t goid;
	uint64_t running, runnable, blocked, syscall_ns, syscalls, blocks;
	bool created, exited;
};

static const struct row_want rows_want[] = {
	{ 100, 1, 1100, 100, 800, 100, 2, 2, false, false },
	{ 100, 2, 500, 400, 0, 0, 0, 0, true, true },
	{ 100, 3, 400, 800, 600, 50, 1, 1, true, false },
	{ 100, 4, 500, 500, 200, 0, 0, 1, true, true },
	{ 100, 5, 0, 0, 0, 0, 0, 0, false, true },
	{ 200, 2, 110, 210, 100, 0, 0, 1, true, true },
	{ 200, 3, 0, 100, 0, 0, 0, 0, true, false },
};

static void check_rows(const struct goreport *g)
{
	size_t i;

	CHECK_U64(g->nrows, ARRAY_SIZE_T(rows_want));
	for (i = 0; i < ARRAY_SIZE_T(rows_want); i++) {
		const struct row_want *w = &rows_want[i];
		const struct go_row *r = goreport_find(g, w->pid, w->goid);

		CHECK(r != NULL);
		if (!r)
			continue;
		if (r->running_ns != w->running || r->runnable_ns != w->runnable ||
		    r->blocked_ns != w->blocked || r->syscall_ns != w->syscall_ns ||
		    r->syscalls != w->syscalls || r->blocks != w->blocks ||
		    r->created != w->created || r->exited != w->exited)
			printf("# goroutine %u/%llu:\n", w->pid, (unsigned long long)w->goid);
		CHECK_U64(r->running_ns, w->running);
		CHECK_U64(r->runnable_ns, w->runnable);
		CHECK_U64(r->blocked_ns, w->blocked);
		CHECK_U64(r->syscall_ns, w->syscall_ns);
		CHECK_U64(r->syscalls, w->syscalls);
		CHECK_U64(r->blocks, w->blocks);
		CHECK_U64(r->created, w->created);
		CHECK_U64(r->exited, w->exited);
	}
	/* A syscall of goroutine 0 names none. */
	CHECK(goreport_find(g, 100, 0) == NULL);
}

static const char json_goroutines[] =
	"\"goroutines\":{\"created\":5,\"exited\":4,\"max_live\":4,\"seen\":7,"
	"\"skipped\":1,\"lower_bounds\":false,"
	"\"blocked\":["
	"{\"reason\":\"chan receive\",\"count\":2,\"total_ns\":600},"
	"{\"reason\":\"waitReason(42)\",\"count\":1,\"total_ns\":600},"
	"{\"reason\":\"\",\"count\":1,\"total_ns\":300},"
	"{\"reason\":\"IO wait\",\"count\":1,\"total_ns\":200}],"
	"\"by_start\":["
	"{\"function\":\"main.worker\",\"created\":3},"
	"{\"function\":\"0x4000\",\"created\":1},"
	"{\"function\":\"main.main.func1\",\"created\":1}],"
	"\"by_creator\":["
	"{\"function\":\"main.main\",\"created\":3},"
	"{\"function\":\"0x5000\",\"created\":1},"
	"{\"function\":\"main.spawn\",\"created\":1}],"
	"\"list\":["
	"{\"goroutine\":1,\"pid\":100,\"start\":null,\"creator\":null,\"parent\":null,"
	"\"created\":false,\"exited\":false,\"running_ns\":1100,\"runnable_ns\":100,"
	"\"blocked_ns\":800,\"syscall_ns\":100,\"syscalls\":2,\"blocks\":2,"
	"\"top_reason\":\"chan receive\"},"
	"{\"goroutine\":2,\"pid\":100,\"start\":\"main.worker\",\"creator\":\"main.main\","
	"\"parent\":1,\"created\":true,\"exited\":true,\"running_ns\":500,"
	"\"runnable_ns\":400,\"blocked_ns\":0,\"syscall_ns\":0,\"syscalls\":0,"
	"\"blocks\":0,\"top_reason\":null},"
	"{\"goroutine\":4,\"pid\":100,\"start\":\"main.main.func1\",\"creator\":\"main.main\","
	"\"parent\":1,\"created\":true,\"exited\":true,\"running_ns\":500,"
	"\"runnable_ns\":500,\"blocked_ns\":200,\"syscall_ns\":0,\"syscalls\":0,"
	"\"blocks\":1,\"top_reason\":\"IO wait\"},"
	"{\"goroutine\":3,\"pid\":100,\"start\":\"main.worker\",\"creator\":\"main.main\","
	"\"parent\":1,\"created\":true,\"exited\":false,\"running_ns\":400,"
	"\"runnable_ns\":800,\"blocked_ns\":600,\"syscall_ns\":50,\"syscalls\":1,"
	"\"blocks\":1,\"top_reason\":\"waitReason(42)\"},"
	"{\"goroutine\":2,\"pid\":200,\"start\":\"main.worker\",\"creator\":\"main.spawn\","
	"\"parent\":1,\"created\":true,\"exited\":true,\"running_ns\":110,"
	"\"runnable_ns\":210,\"blocked_ns\":100,\"syscall_ns\":0,\"syscalls\":0,"
	"\"blocks\":1,\"top_reason\":\"chan receive\"},"
	"{\"goroutine\":5,\"pid\":100,\"start\":null,\"creator\":null,\"parent\":null,"
	"\"created\":false,\"exited\":true,\"running_ns\":0,\"runnable_ns\":0,"
	"\"blocked_ns\":0,\"syscall_ns\":0,\"syscalls\":0,\"blocks\":0,"
	"\"top_reason\":null},"
	"{\"goroutine\":3,\"pid\":200,\"start\":\"0x4000\",\"creator\":\"0x5000\","
	"\"parent\":2,\"created\":true,\"exited\":false,\"running_ns\":0,"
	"\"runnable_ns\":100,\"blocked_ns\":0,\"syscall_ns\":0,\"syscalls\":0,"
	"\"blocks\":0,\"top_reason\":null}]}";

static const char text_goroutines[] =
	"\n"
	"goroutines 5 created, 4 exited, 4 alive at most, 7 seen\n"
	"note       1 goroutine event named no goroutine (a failed memory read) "
	"and was skipped\n"
	"\n"
	"WAIT REASON         COUNT      TOTAL\n"
	"chan receive            2     600 ns\n"
	"waitReason(42)          1     600 ns\n"
	"(none)                  1     300 ns\n"
	"IO wait                 1     200 ns\n"
	"\n"
	"START FUNCTION     CREATED\n"
	"main.worker              3\n"
	"0x4000                   1\n"
	"main.main.func1          1\n"
	"\n"
	"CREATED BY    CREATED\n"
	"main.main           3\n"
	"0x5000              1\n"
	"main.spawn          1\n"
	"\n"
	" GOROUTINE      PID    RUNNING   RUNNABLE    BLOCKED    SYSCALL SYSCALLS  FUNCTION\n"
	"         1      100    1.10 us     100 ns     800 ns     100 ns        2  "
	"(created before the capture)\n"
	"         2      100     500 ns     400 ns       0 ns       0 ns        0  "
	"main.worker, created by main.main in goroutine 1\n"
	"         4      100     500 ns     500 ns     200 ns       0 ns        0  "
	"main.main.func1, created by main.main in goroutine 1\n"
	"         3      100     400 ns     800 ns     600 ns      50 ns        1  "
	"main.worker, created by main.main in goroutine 1\n"
	"         2      200     110 ns     210 ns     100 ns       0 ns        0  "
	"main.worker, created by main.spawn in goroutine 1\n"
	"         5      100       0 ns       0 ns       0 ns       0 ns        0  "
	"(created before the capture)\n"
	"         3      200       0 ns     100 ns       0 ns       0 ns        0  "
	"0x4000, created by 0x5000 in goroutine 2\n";

static void test_capture(void)
{
	struct report r;
	struct membuf m;
	char err[128], *out, *at;

	make_capture(&m, 0);
	test_begin("goreport: counts of a capture out of time order across CPUs");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK(goreport_present(&r.go));
	CHECK_U64(r.go.created, 5);
	CHECK_U64(r.go.exited, 4);
	CHECK_U64(r.go.max_live, 4);
	CHECK_U64(r.go.skipped, 1);
	CHECK_U64(r.go.end_ts, T0 + 2000);
	test_end();

	/* Process 200 made no syscall: its goroutine records count it. */
	test_begin("report: processes counted by records of every type");
	CHECK_U64(r.nprocs, 2);
	if (r.nprocs == 2) {
		CHECK_U64(r.procs[0].pid, 100);
		CHECK_U64(r.procs[0].events, 22);
		CHECK_U64(r.procs[0].syscalls, 4);
		CHECK_U64(r.procs[1].pid, 200);
		CHECK_U64(r.procs[1].events, 8);
		CHECK_U64(r.procs[1].syscalls, 0);
	}
	test_end();

	test_begin("goreport: running, runnable, blocked and syscall time per goroutine");
	check_rows(&r.go);
	test_end();

	test_begin("goreport: wait reasons by the runtime's strings, merged by name");
	CHECK_U64(r.go.nwaits, 4);
	if (r.go.nwaits == 4) {
		CHECK_STR(r.go.waits[0].reason, "chan receive");
		CHECK_U64(r.go.waits[0].count, 2);
		CHECK_U64(r.go.waits[0].total_ns, 600);
		CHECK_STR(r.go.waits[1].reason, "waitReason(42)");
		CHECK_STR(r.go.waits[2].reason, "");
		CHECK_U64(r.go.waits[2].total_ns, 300);
		CHECK_STR(r.go.waits[3].reason, "IO wait");
		CHECK_U64(r.go.waits[3].total_ns, 200);
	}
	test_end();

	test_begin("goreport: JSON keeps the syscall keys and adds the goroutines");
	out = render(&r, report_print_json);
	/* The syscall keys as before, then the goroutines, then the rest. */
	CHECK(strstr(out, "{\"events\":{\"recorded\":30,\"lost\":0},\"syscalls\":["
		      "{\"name\":\"read\",\"nr\":0,\"count\":4,\"errors\":0,"
		      "\"total_ns\":155,\"p50_ns\":30,\"p90_ns\":70,\"p99_ns\":70,"
		      "\"max_ns\":70}],\"goroutines\":") == out);
	at = strstr(out, "\"goroutines\":");
	CHECK(at != NULL);
	if (at && strncmp(at, json_goroutines, strlen(json_goroutines))) {
		at[strlen(json_goroutines)] = '\0';
		CHECK_STR(at, json_goroutines);
	} else if (at) {
		CHECK(!strncmp(at + strlen(json_goroutines), ",\"capture\":{", 12));
	}
	free(out);
	test_end();

	test_begin("goreport: text section after the syscall table");
	out = render(&r, report_print);
	at = strstr(out, "\ngoroutines ");
	CHECK(at != NULL);
	if (at)
		CHECK_STR(at, text_goroutines);
	free(out);
	test_end();
	report_free(&r);
	free(m.buf);
}

static void test_lost(void)
{
	struct report r;
	struct membuf m;
	char err[128], *out;

	make_capture(&m, 3);
	test_begin("goreport: lost events make a note and lower_bounds");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	out = render(&r, report_print);
	CHECK(strstr(out, "goroutines 5 created, 4 exited, 4 alive at most, 7 seen\n"
		      "note       3 events lost: goroutine figures are lower bounds\n") != NULL);
	free(out);
	out = render(&r, report_print_json);
	CHECK(strstr(out, "\"skipped\":1,\"lower_bounds\":true,") != NULL);
	free(out);
	/* The figures themselves do not change. */
	check_rows(&r.go);
	report_free(&r);
	free(m.buf);
	test_end();
}

/* Syscalls that name goroutines, but no goroutine records nor GOINFO. */
static void test_absent(void)
{
	struct godiag_rec_syscall s = make_syscall(100, 0, 10, 0, T0 + 10);
	struct report r;
	struct membuf m;
	struct capw w;
	char err[128], *out;
	int fd = memfile_open(&w);

	s.hdr.goid = 7;
	write_meta(&w);
	capw_record(&w, &s, sizeof(s));
	capw_end(&w, 1, T0 + 100);
	capw_close(&w);
	memfile_read(fd, &m);
	test_begin("goreport: no goroutine records and no GOINFO: no section");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK(!goreport_present(&r.go));
	out = render(&r, report_print_json);
	CHECK(strstr(out, "goroutine") == NULL);
	CHECK(strstr(out, "\"max_ns\":10}],\"capture\":{") != NULL);
	free(out);
	out = render(&r, report_print);
	CHECK(strstr(out, "goroutine") == NULL);
	free(out);
	report_free(&r);
	free(m.buf);
	test_end();
}

/* GOINFO alone: the section is there, empty. */
static void test_goinfo_only(void)
{
	struct report r;
	struct membuf m;
	struct capw w;
	char err[128], *out, *at;
	int fd = memfile_open(&w);

	write_meta(&w);
	put_goinfo(&w, 100, reasons100, ARRAY_SIZE_T(reasons100));
	capw_end(&w, 1, T0 + 100);
	capw_close(&w);
	memfile_read(fd, &m);
	test_begin("goreport: GOINFO without goroutine records: an empty section");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK(goreport_present(&r.go));
	out = render(&r, report_print_json);
	CHECK(strstr(out, "\"goroutines\":{\"created\":0,\"exited\":0,\"max_live\":0,"
		      "\"seen\":0,\"skipped\":0,\"lower_bounds\":false,\"blocked\":[],"
		      "\"by_start\":[],\"by_creator\":[],\"list\":[]}") != NULL);
	free(out);
	out = render(&r, report_print);
	at = strstr(out, "\n\ngoroutines");
	CHECK(at != NULL);
	if (at)
		CHECK_STR(at + 1, "\ngoroutines 0 created, 0 exited, 0 alive at most, 0 seen\n"
			  "\nWAIT REASON      COUNT      TOTAL\n(no goroutine blocked)\n"
			  "\nSTART FUNCTION    CREATED\n(no goroutine created)\n"
			  "\nCREATED BY    CREATED\n(no goroutine created)\n"
			  "\n GOROUTINE      PID    RUNNING   RUNNABLE    BLOCKED    SYSCALL "
			  "SYSCALLS  FUNCTION\n(no goroutine seen)\n");
	free(out);
	report_free(&r);
	free(m.buf);
	test_end();
}

/*
 * Many goroutines: each is created, runs 10 ns, exits; at most 1000
 * are alive at once. The text lists 20 and says how many it left out.
 */
static void test_many(void)
{
	const uint64_t n = 200000, window = 1000;
	struct report r;
	struct membuf m;
	struct capw w;
	char err[128], *out;
	uint64_t i;
	int fd = memfile_open(&w);

	write_meta(&w);
	/* Creations on one CPU, starts and exits on another: two runs. */
	for (i = 0; i < n; i++) {
		struct godiag_rec_go c = make_go(GODIAG_REC_GO_CREATE, 100, 100,
						 T0 + i * 100, 1, i + 2);

		c.start_pc = 0x2000;
		c.pc = 0x1000;
		capw_record(&w, &c, sizeof(c));
	}
	for (i = 0; i < n; i++) {
		uint64_t t = T0 + (i + window) * 100 - 50;
		struct godiag_rec_go s = make_go(GODIAG_REC_GO_START, 100, 101, t, 0, i + 2);
		struct godiag_rec_go e = make_go(GODIAG_REC_GO_EXIT, 100, 101, t + 10,
						 i + 2, i + 2);

		capw_record(&w, &s, sizeof(s));
		capw_record(&w, &e, sizeof(e));
	}
	capw_end(&w, 1, T0 + (n + window) * 100);
	capw_close(&w);
	memfile_read(fd, &m);
	test_begin("goreport: %llu goroutines", (unsigned long long)n);
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK_U64(r.go.created, n);
	CHECK_U64(r.go.exited, n);
	CHECK_U64(r.go.max_live, window);
	CHECK_U64(r.go.nrows, n);
	CHECK_U64(r.go.nby_start, 1);
	if (r.go.nby_start)
		CHECK_STR(r.go.by_start[0].function, "0x2000");
	/* Runnable from i*100 to (i+window)*100-50. */
	CHECK_U64(goreport_find(&r.go, 100, 2)->runnable_ns, window * 100 - 50);
	CHECK_U64(goreport_find(&r.go, 100, n + 1)->running_ns, 10);
	out = render(&r, report_print);
	CHECK(strstr(out, "... 199980 more goroutines not shown (--json lists all)\n") != NULL);
	free(out);
	report_free(&r);
	free(m.buf);
	test_end();
}

/* SYMS and GOINFO that the writer would not produce, through report_load. */
static void test_corrupt(void)
{
	struct capfile_syms_head sh = { .pid = 1, .count = 1000, .strings_len = 0 };
	struct capfile_goinfo gi;
	struct report r;
	struct membuf m = { 0 };
	char err[128];

	mb_header(&m, 1, 24);
	mb_section(&m, CAPFILE_SEC_SYMS, 0, &sh, sizeof(sh));
	mb_end(&m, 0);
	test_begin("goreport: a SYMS count past its section is a one-line error");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), (uint64_t)-1);
	CHECK_STR(err, "corrupt SYMS section at byte 40");
	report_free(&r);
	test_end();

	memset(&gi, 0, sizeof(gi));
	gi.nreasons = 2;
	gi.strings_len = 3;
	m.len = 0;
	mb_header(&m, 1, 24);
	{
		uint8_t p[sizeof(gi) + 3];

		memcpy(p, &gi, sizeof(gi));
		memcpy(p + sizeof(gi), "a\0b", 3);	/* the second has no NUL */
		mb_section(&m, CAPFILE_SEC_GOINFO, 0, p, sizeof(p));
	}
	mb_end(&m, 0);
	test_begin("goreport: a GOINFO string without its NUL is a one-line error");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), (uint64_t)-1);
	CHECK_STR(err, "corrupt GOINFO section at byte 40");
	report_free(&r);
	test_end();
	free(m.buf);
}

/* Two SYMS sections of one process merge; GOINFO's last one wins. */
static void test_merge_sections(void)
{
	static const struct capw_sym a[] = { { 0x10, "f.a", "a.go", 1, NULL } };
	static const struct capw_sym b[] = { { 0x20, "f.b", "b.go", 2, NULL },
					     { 0x10, "f.other", "a.go", 1, NULL } };
	char *r1[] = { "", "old" }, *r2[] = { "", "new" };
	struct godiag_rec_go c1 = make_go(GODIAG_REC_GO_CREATE, 9, 9, T0 + 1, 1, 2);
	struct godiag_rec_go c2 = make_go(GODIAG_REC_GO_CREATE, 9, 9, T0 + 2, 1, 3);
	struct godiag_rec_go p = make_go(GODIAG_REC_GO_PARK, 9, 9, T0 + 3, 2, 2);
	struct report r;
	struct membuf m;
	struct capw w;
	char err[128];
	int fd = memfile_open(&w);

	c1.start_pc = 0x10;
	c1.pc = 0x30;
	c2.start_pc = 0x20;
	c2.pc = 0x30;
	p.reason = 1;
	put_goinfo(&w, 9, r1, 2);
	capw_syms(&w, 9, a, 1);
	capw_record(&w, &c1, sizeof(c1));
	capw_record(&w, &c2, sizeof(c2));
	capw_record(&w, &p, sizeof(p));
	capw_syms(&w, 9, b, 2);
	put_goinfo(&w, 9, r2, 2);
	capw_end(&w, 1, T0 + 10);
	capw_close(&w);
	memfile_read(fd, &m);
	test_begin("goreport: SYMS sections of a process merge, the last GOINFO wins");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK_U64(r.go.nby_start, 2);
	if (r.go.nby_start == 2) {
		CHECK_STR(r.go.by_start[0].function, "f.a");
		CHECK_STR(r.go.by_start[1].function, "f.b");
	}
	CHECK_U64(r.go.nby_creator, 1);
	if (r.go.nby_creator)
		CHECK_STR(r.go.by_creator[0].function, "0x30");
	CHECK_U64(r.go.nwaits, 1);
	if (r.go.nwaits) {
		CHECK_STR(r.go.waits[0].reason, "new");
		CHECK_U64(r.go.waits[0].total_ns, 7);
	}
	report_free(&r);
	free(m.buf);
	test_end();
}

/*
 * Goroutines started by go statements with arguments: SYMS names the
 * wrapper's entry and the function it calls (start), and the report
 * shows the latter wherever a start function is shown (by_start, each
 * row, text and JSON), as Go's tracebacks do; a closure keeps its name;
 * creators are untouched. A file without start names (an older writer)
 * shows the wrapper.
 */
static void wrapper_capture(struct membuf *m, bool with_start)
{
	const struct capw_sym syms[] = {
		{ 0x10, "main.main.gowrap1", "main.go", 20, with_start ? "main.worker" : NULL },
		{ 0x20, "main.main.func2", "main.go", 21, NULL },
		{ 0x30, "main.main", "main.go", 20, NULL },
	};
	static const uint64_t starts[] = { 0x10, 0x10, 0x20 };
	struct capw w;
	int fd = memfile_open(&w);
	size_t i;

	write_meta(&w);
	for (i = 0; i < ARRAY_SIZE_T(starts); i++) {
		struct godiag_rec_go c = make_go(GODIAG_REC_GO_CREATE, 9, 9, T0 + 1 + i, 1,
						 2 + i);

		c.start_pc = starts[i];
		c.pc = 0x30;
		capw_record(&w, &c, sizeof(c));
	}
	capw_syms(&w, 9, syms, ARRAY_SIZE_T(syms));
	capw_end(&w, 1, T0 + 10);
	if (capw_close(&w))
		abort();
	memfile_read(fd, m);
}

static void test_wrapper_names(void)
{
	struct report r;
	struct membuf m;
	char err[128], *out;

	wrapper_capture(&m, true);
	test_begin("goreport: a go statement's wrapper is named by what it calls");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK_U64(r.go.nby_start, 2);
	if (r.go.nby_start == 2) {
		CHECK_STR(r.go.by_start[0].function, "main.worker");
		CHECK_U64(r.go.by_start[0].created, 2);
		CHECK_STR(r.go.by_start[1].function, "main.main.func2");
	}
	CHECK_U64(r.go.nby_creator, 1);
	if (r.go.nby_creator)
		CHECK_STR(r.go.by_creator[0].function, "main.main");
	out = render(&r, report_print_json);
	CHECK(strstr(out, "\"by_start\":[{\"function\":\"main.worker\",\"created\":2},"
		      "{\"function\":\"main.main.func2\",\"created\":1}]") != NULL);
	CHECK(strstr(out, "\"start\":\"main.worker\",\"creator\":\"main.main\"") != NULL);
	CHECK(strstr(out, "gowrap") == NULL);
	free(out);
	out = render(&r, report_print);
	CHECK(strstr(out, "  main.worker, created by main.main\n") != NULL);
	CHECK(strstr(out, "gowrap") == NULL);
	free(out);
	report_free(&r);
	free(m.buf);
	test_end();

	wrapper_capture(&m, false);
	test_begin("goreport: a file without start names shows the wrapper");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK_U64(r.go.nby_start, 2);
	if (r.go.nby_start)
		CHECK_STR(r.go.by_start[0].function, "main.main.gowrap1");
	report_free(&r);
	free(m.buf);
	test_end();
}

/* Damaged Go captures through the whole report: an error or a report. */
static void test_damage(void)
{
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	FILE *null = fopen("/dev/null", "w");
	struct membuf m, d;
	struct report r;
	char err[128];
	int i, j, bad = 0;

	make_capture(&m, 2);
	test_begin("goreport: 5000 randomly damaged Go captures never crash");
	for (i = 0; i < 5000; i++) {
		d.len = i % 5 ? m.len : (size_t)(rng % (m.len + 1));
		d.buf = malloc(d.len ? d.len : 1);
		memcpy(d.buf, m.buf, d.len);
		for (j = 0; j < 1 + i % 4 && d.len; j++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			d.buf[rng % d.len] ^= (uint8_t)(1 + (rng >> 32) % 255);
		}
		if (report_load(&r, d.buf, d.len, err, sizeof(err)) == 0) {
			report_print(&r, null);
			report_print_json(&r, null);
		} else if (!err[0]) {
			bad++;
		}
		report_free(&r);
		free(d.buf);
	}
	CHECK_U64(bad, 0);
	fclose(null);
	free(m.buf);
	test_end();
}

/* A breakpoint record of probe id at t: goroutine goid, one word, a stack. */
static void put_break(struct capw *w, uint32_t id, uint64_t t, uint64_t goid, uint64_t word,
		      bool is_ret)
{
	struct {
		struct godiag_rec_break r;
		uint64_t q[3];
	} b;

	memset(&b, 0, sizeof(b));
	b.r.hdr.type = GODIAG_REC_BREAKPOINT;
	b.r.hdr.tgid = 100;
	b.r.hdr.ts_ns = T0 + t;
	b.r.hdr.goid = goid;
	b.r.probe_id = id;
	b.r.is_ret = is_ret;
	if (!is_ret) {
		b.r.nwords = 1;
		b.r.nstack = 2;
		b.q[0] = word;
		b.q[1] = 0x401000;
		b.q[2] = 0x402000;
	}
	b.r.hdr.size = (uint16_t)(sizeof(b.r) + (is_ret ? 0 : sizeof(b.q)));
	capw_record(w, &b, b.r.hdr.size);
}

/* BREAKS and its records: the report's "breakpoints" member and lines. */
static void test_breaks(void)
{
	static const char breaks[] =
		"B\t0\t100\t1\t1\t0\tmain.work\tmain.work\n"
		"A\t0\t100\t0\tint\t8\tn\tint\n"
		"S\t100\t401000\tmain.work\tw.go\t3\n"
		"S\t100\t402000\tmain.caller\tw.go\t9\n"
		"P\t0\t100\t1\tentry\t3\t0\t0\t0\t3\t0\n"
		"P\t0\t100\t2\tret\t2\t0\t0\t0\t2\t0\n";
	struct report r;
	struct membuf m;
	struct capw w;
	char err[128], *out;
	int fd = memfile_open(&w);

	write_meta(&w);
	put_break(&w, 2, 1500, 7, 0, true);	/* a RET from another CPU first */
	put_break(&w, 1, 1000, 7, 42, false);
	put_break(&w, 1, 2000, 8, 42, false);
	put_break(&w, 1, 2100, 8, (uint64_t)-1, false);
	put_break(&w, 2, 2400, 8, 0, true);
	capw_section(&w, CAPFILE_SEC_BREAKS, 0, breaks, sizeof(breaks) - 1);
	capw_end(&w, 1, T0 + 3000);
	capw_close(&w);
	memfile_read(fd, &m);
	test_begin("breakpoints: counts, values, stacks and latency, text and JSON");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	out = render(&r, report_print_json);
	CHECK(strstr(out, "\"breakpoints\":[{\"spec\":\"main.work\",\"function\":\"main.work\","
		      "\"sites\":1,\"inlined_unprobed\":0,\"hits\":3,\"recorded\":3,"
		      "\"filtered\":0,\"sampled_out\":0,\"rate_limited\":0,\"faults\":0,"
		      "\"latency\":{\"count\":2,\"p50_ns\":300,\"p90_ns\":500,\"p99_ns\":500,"
		      "\"max_ns\":500,\"unmatched\":1},\"args\":[{\"name\":\"n\",\"type\":\"int\","
		      "\"top\":[{\"value\":\"42\",\"count\":2},{\"value\":\"-1\",\"count\":1}]}],"
		      "\"goroutines\":[{\"goroutine\":8,\"count\":2},{\"goroutine\":7,\"count\":1}],"
		      "\"stacks\":[{\"count\":3,\"frames\":[\"main.work\",\"main.caller\"]}]}]")
	      != NULL);
	free(out);
	out = render(&r, report_print);
	CHECK(strstr(out, "\nbreakpoint  main.work (main.work, 1 site(s), 0 inlined copies "
		      "not probed)\n"
		      "  hits      3, recorded 3, filtered 0, sampled out 0, rate limited 0, faults 0\n"
		      "  latency   2 calls, p50 300 ns, p90 500 ns, p99 500 ns, max 500 ns, "
		      "1 unmatched\n"
		      "  arg       n int: 42 (2), -1 (1)\n"
		      "  goroutine 8 (2), 7 (1)\n"
		      "  stack     3 hits:\n      main.work\n      main.caller\n") != NULL);
	free(out);
	report_free(&r);
	free(m.buf);
	test_end();
}

static void walk_report(struct printer *p, const void *r)
{
	report_walk(p, r);
}

/*
 * The goroutine section's counts read back from the text against the
 * JSON's: the summary, the wait reasons in order, and each goroutine row
 * the text lists, in order (goroutine, PID, syscalls).
 */
static void check_go_counts(const char *text, const char *json)
{
	unsigned long long v[4] = { 0 }, goid, pid, count, sys;
	static const char *const keys[] = { "created", "exited", "max_live", "seen" };
	const char *line, *go = strstr(json, "\"goroutines\":{"), *at;
	size_t i, rows = 0;

	CHECK(go != NULL);
	if (!go)
		return;
	line = strstr(text, "\ngoroutines ");
	CHECK(line && sscanf(line, "\ngoroutines %llu created, %llu exited, %llu "
			     "alive at most, %llu seen", &v[0], &v[1], &v[2], &v[3]) == 4);
	for (i = 0; i < 4; i++)
		CHECK_U64(json_number(go, keys[i], NULL), v[i]);
	/* Wait reasons: the text's COUNT column, the JSON's "blocked" in order. */
	at = strstr(go, "\"blocked\":[");
	line = strstr(text, "\nWAIT REASON");
	for (line = line ? strchr(line + 1, '\n') : NULL; line && line[1] != '\n';
	     line = strchr(line + 1, '\n')) {
		const char *num = strstr(line + 1, "  ");

		while (num && *num == ' ')
			num++;
		if (!num || sscanf(num, "%llu", &count) != 1)
			break;
		CHECK_U64(json_number(at, "count", &at), count);
	}
	/* The goroutine rows the text shows, in the JSON's "list" order. */
	at = strstr(go, "\"list\":[");
	line = strstr(text, "\n GOROUTINE");
	for (line = line ? strchr(line + 1, '\n') : NULL; line && line[1];
	     line = strchr(line + 1, '\n')) {
		/* Four durations of two words each ("1.00 us"), then SYSCALLS. */
		if (sscanf(line + 1, "%llu %llu %*s %*s %*s %*s %*s %*s %*s %*s %llu",
			   &goid, &pid, &sys) != 3)
			break;
		CHECK_U64(json_number(at, "goroutine", &at), goid);
		CHECK_U64(json_number(at, "pid", NULL), pid);
		CHECK_U64(json_number(at, "syscalls", NULL), sys);
		rows++;
	}
	CHECK_U64(rows, v[3] < GOREPORT_TEXT_ROWS ? v[3] : GOREPORT_TEXT_ROWS);
}

static void test_text_and_json_agree(void)
{
	static struct audit a;
	struct report r;
	struct membuf m;
	char err[128], *text, *json;

	make_capture(&m, 3);
	test_begin("goreport: text and JSON of one walk agree");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK_U64(audit_walk(&a, walk_report, &r), 0);
	CHECK_U64(a.n[0], 40);
	text = render(&r, report_print);
	json = render(&r, report_print_json);
	check_go_counts(text, json);
	free(text);
	free(json);
	report_free(&r);
	free(m.buf);
	test_end();
}


/* ---- report's filters, through the command ------------------------- */

static char capfile_path[] = "/tmp/test_goreport.XXXXXX";

/* Runs godiagctl report ARGS on the capture above: its stdout, *status its exit. */
static char *run_report(const char *args, int *status)
{
	const char *ctl = getenv("GODIAG_CTL");
	char cmd[1024], *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s report %s %s 2>%s.err",
		 ctl ? ctl : "../../ctl/godiagctl", args, capfile_path, capfile_path);
	p = popen(cmd, "r");
	if (!p)
		abort();
	buf = malloc(1);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		buf = realloc(buf, len + n + 1);
		memcpy(buf + len, chunk, n);
		len += n;
	}
	buf[len] = '\0';
	*status = WEXITSTATUS(pclose(p));
	return buf;
}

/* The one line the command wrote to stderr. */
static char *report_err(void)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s.err", capfile_path);
	f = fopen(path, "r");
	if (!f || getline(&line, &cap, f) < 0) {
		free(line);
		line = strdup("");
	}
	if (f)
		fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void check_run(const char *args, int want_status, const char *want_out,
		      const char *want_err)
{
	int status;
	char *out, *err;

	test_begin("report %s", args);
	out = run_report(args, &status);
	err = report_err();
	CHECK_U64(status, want_status);
	if (want_out)
		CHECK_STR(out, want_out);
	/* want_err: how the line ends (it starts with the file's name) */
	if (want_err)
		CHECK_STR(strlen(err) >= strlen(want_err) ?
			  err + strlen(err) - strlen(want_err) : err, want_err);
	free(out);
	free(err);
	test_end();
}

/*
 * Goroutine 3 of process 100 (see the specs): created at 200, runs at
 * 600 (a read from 650 to 700), replaced by 4 at 800, runs at 1200,
 * parks at 1400 on reason 42 until the end at 2000.
 */
static const char timeline_json[] =
	"{\"goroutine\":{\"goroutine\":3,\"pid\":100,\"start\":\"main.worker\","
	"\"creator\":\"main.main\",\"parent\":1,\"created\":true,\"exited\":false,"
	"\"running_ns\":400,\"runnable_ns\":800,\"blocked_ns\":600,\"syscall_ns\":50,"
	"\"syscalls\":1,\"blocks\":1,\"top_reason\":\"waitReason(42)\",\"intervals\":["
	"{\"from_ns\":200,\"to_ns\":600,\"duration_ns\":400,\"state\":\"runnable\"},"
	"{\"from_ns\":600,\"to_ns\":800,\"duration_ns\":200,\"state\":\"running\"},"
	"{\"from_ns\":650,\"to_ns\":700,\"duration_ns\":50,\"state\":\"syscall\","
	"\"syscall\":\"read\",\"ret\":0},"
	"{\"from_ns\":800,\"to_ns\":1200,\"duration_ns\":400,\"state\":\"runnable\"},"
	"{\"from_ns\":1200,\"to_ns\":1400,\"duration_ns\":200,\"state\":\"running\"},"
	"{\"from_ns\":1400,\"to_ns\":2000,\"duration_ns\":600,\"state\":\"blocked\","
	"\"reason\":\"waitReason(42)\"}]}}\n";

static const char timeline_text[] =
	"\n"
	" GOROUTINE      PID    RUNNING   RUNNABLE    BLOCKED    SYSCALL SYSCALLS  FUNCTION\n"
	"         3      100     400 ns     800 ns     600 ns      50 ns        1  "
	"main.worker, created by main.main in goroutine 1\n"
	"\n"
	"          FROM             TO   DURATION  STATE\n"
	"   0.000000200    0.000000600     400 ns  runnable\n"
	"   0.000000600    0.000000800     200 ns  running\n"
	"   0.000000650    0.000000700      50 ns  syscall read = 0\n"
	"   0.000000800    0.000001200     400 ns  runnable\n"
	"   0.000001200    0.000001400     200 ns  running\n"
	"   0.000001400    0.000002000     600 ns  blocked (waitReason(42))\n";

/* The window [750, 1300]: its edges cut the intervals. */
static const char window_json[] =
	"{\"goroutine\":{\"goroutine\":3,\"pid\":100,\"start\":\"main.worker\","
	"\"creator\":\"main.main\",\"parent\":1,\"created\":true,\"exited\":false,"
	"\"running_ns\":150,\"runnable_ns\":400,\"blocked_ns\":0,\"syscall_ns\":0,"
	"\"syscalls\":0,\"blocks\":0,\"top_reason\":null,\"intervals\":["
	"{\"from_ns\":750,\"to_ns\":800,\"duration_ns\":50,\"state\":\"running\"},"
	"{\"from_ns\":800,\"to_ns\":1200,\"duration_ns\":400,\"state\":\"runnable\"},"
	"{\"from_ns\":1200,\"to_ns\":1300,\"duration_ns\":100,\"state\":\"running\"}]}}\n";

/* The goroutine list of 'report ARGS --json', "pid/goid,..." in its order. */
static char *list_of(const char *args)
{
	char cmd[512], *out, *p, *list = calloc(1, 512);
	int status;

	snprintf(cmd, sizeof(cmd), "--json %s", args);
	out = run_report(cmd, &status);
	p = strstr(out, "\"list\":[");
	while (p && (p = strstr(p, "{\"goroutine\":"))) {
		unsigned long long goid;
		unsigned int pid;

		if (sscanf(p, "{\"goroutine\":%llu,\"pid\":%u", &goid, &pid) != 2)
			break;
		snprintf(list + strlen(list), 512 - strlen(list), "%s%u/%llu",
			 list[0] ? "," : "", pid, goid);
		p++;
	}
	free(out);
	return list;
}

static void check_list(const char *args, const char *want)
{
	char *got;

	test_begin("report %s: the goroutines listed", args);
	got = list_of(args);
	CHECK_STR(got, want);
	free(got);
	test_end();
}

/* How many times s occurs in 'report ARGS'. */
static size_t count_in(const char *args, const char *s)
{
	int status;
	char *out = run_report(args, &status), *p = out;
	size_t n = 0;

	while ((p = strstr(p, s))) {
		n++;
		p += strlen(s);
	}
	free(out);
	return n;
}

static void test_filters(void)
{
	struct membuf m = { 0 };
	char path[64];
	int fd;

	make_capture(&m, 0);
	fd = mkstemp(capfile_path);
	if (fd < 0 || write(fd, m.buf, m.len) != (ssize_t)m.len)
		abort();
	close(fd);
	free(m.buf);

	check_run("--goroutine 3 --pid 100 --json", 0, timeline_json, "");
	check_run("--goroutine 3 --pid 100", 0, timeline_text, "");
	check_run("--goroutine 3 --pid 100 --since 750ns --until 1300ns --json", 0,
		  window_json, "");
	check_run("--goroutine 3", 1, "", ": goroutine 3 is in processes 100 and 200: "
		  "give --pid");
	check_run("--goroutine 9", 1, "", ": no goroutine 9 in the capture");
	check_run("--goroutine 5 --pid 100 --since 1900ns", 1, "",
		  ": no goroutine 5 of process 100 in the capture in the time asked for");
	check_run("--syscall nosuch", 1, "", "report: unknown syscall 'nosuch'");
	check_run("--since 1x", 1, "", "report: --since '1x': not a time from the start "
		  "(1.5s, 200ms, 2m) or a wall-clock time in UTC (2026-12-07T21:03:04Z, "
		  "21:03:04)");
	check_run("--sort fastest", 1, "", NULL);
	check_run("--top 0", 1, "", "report: invalid --top '0' (a number from 1)");
	check_run("--since 12:00:00", 1, "",
		  ": --since: the file does not say when the capture started");
	check_run("--since 2us --until 1us", 1, "", ": --since is after --until");

	/* Every goroutine, longest running first; then the filters. */
	check_list("", "100/1,100/2,100/4,100/3,200/2,100/5,200/3");
	check_list("--pid 200", "200/2,200/3");
	check_list("--sort blocked", "100/1,100/3,100/4,200/2,100/2,100/5,200/3");
	check_list("--sort goroutine", "100/1,100/2,100/3,100/4,100/5,200/2,200/3");
	check_list("--top 3", "100/1,100/2,100/4");
	check_list("--sort syscalls --top 2", "100/1,100/3");
	/*
	 * From 1501 on: 2 and 4 (exited at 1500) are gone, 5 exits at 1800,
	 * 3 of 200 is created at 1900. Up to 99: 1 runs, 2 of 200 is created.
	 */
	check_list("--since 1501ns", "100/1,100/3,100/5,200/3");
	check_list("--until 99ns", "100/1,200/2");

	test_begin("report --top 1: one row of each table");
	CHECK_U64(count_in("--json --top 1", "\"function\":"), 2);
	CHECK_U64(count_in("--json --top 1", "\"reason\":"), 1);
	CHECK_U64(count_in("--top 1", "more goroutines not shown\n"), 1);
	test_end();

	/* All the calls are reads (nr 0): 3 of goroutines, 1 of none. */
	test_begin("report --syscall: the syscall table and goroutines' syscalls");
	CHECK_U64(count_in("--json", "{\"name\":\"read\",\"nr\":0,\"count\":4,"), 1);
	CHECK_U64(count_in("--json --syscall read", "{\"name\":\"read\",\"nr\":0,\"count\":4,"), 1);
	CHECK_U64(count_in("--json --syscall write", "\"syscalls\":[]"), 1);
	/* 7 goroutines and 2 processes */
	CHECK_U64(count_in("--json --syscall write", "\"syscalls\":0,"), 9);
	CHECK_U64(count_in("--syscall write", "(no syscalls recorded)"), 1);
	CHECK_U64(count_in("--json --since 1600ns", "{\"name\":\"read\",\"nr\":0,\"count\":2,"), 1);
	test_end();

	unlink(capfile_path);
	snprintf(path, sizeof(path), "%s.err", capfile_path);
	unlink(path);
}

struct timeline_arg {
	const struct report *r;
	const struct go_row *row;
	const struct go_timeline *t;
};

static void walk_timeline(struct printer *p, const void *arg)
{
	const struct timeline_arg *a = arg;

	goreport_timeline_walk(p, &a->r->go, a->row, a->t, T0);
}

/* The time line through the model: 6 spans, every text value in JSON too. */
static void test_timeline_audit(void)
{
	static struct audit a;
	struct go_timeline t = { .goid = 3, .pid = 100 };
	struct report_opts o = { .go_interval = timeline_interval,
				 .syscall = timeline_syscall, .arg = &t };
	struct timeline_arg ta;
	struct report r;
	struct membuf m;
	char err[128];

	make_capture(&m, 0);
	test_begin("report --goroutine: text and JSON of one walk agree");
	CHECK_U64(report_load_opts(&r, m.buf, m.len, &o, err, sizeof(err)), 0);
	timeline_sort(&t);
	CHECK_U64(t.n, 6);
	ta.r = &r;
	ta.t = &t;
	ta.row = goreport_find(&r.go, 100, 3);
	CHECK(ta.row != NULL);
	if (ta.row)
		CHECK_U64(audit_walk(&a, walk_timeline, &ta), 0);
	timeline_free(&t);
	report_free(&r);
	free(m.buf);
	test_end();
}

int main(void)
{
	test_filters();
	test_timeline_audit();
	test_breaks();
	test_capture();
	test_lost();
	test_absent();
	test_goinfo_only();
	test_many();
	test_corrupt();
	test_merge_sections();
	test_wrapper_names();
	test_damage();
	test_text_and_json_agree();
	return test_summary();
}
