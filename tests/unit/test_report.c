// SPDX-License-Identifier: GPL-2.0
/*
 * 'godiagctl report' on synthetic capture files (ctl/model/analyze.c and
 * ctl/cmd/report.c): exact JSON and text, with and without the module's
 * counters and the end section.
 */
#include <stdlib.h>

#include "capfile_build.h"
#include "cmd/report.h"
#include "print_audit.h"
#include "report_render.h"
#include "test.h"

#define START 1000000000ULL
/* 2026-11-26T10:00:00.123456789Z */
#define START_REAL 1795687200123456789ULL

struct rec_spec {
	uint32_t tgid;
	uint32_t nr;
	uint64_t dur;
	int64_t ret;
};

static const struct rec_spec calls[] = {
	{ 100, 1, 5000, 10 },
	{ 100, 1, 1000, 10 },
	{ 100, 1, 3000, -11 },		/* EAGAIN: an error */
	{ 100, 1, 2000, 10 },
	{ 100, 1, 4000, 10 },
	{ 200, 0, 100, -4095 },		/* the last errno value: an error */
	{ 200, 0, 200, -4096 },		/* not an errno */
	{ 100, 35, 1000000, 0 },
	{ 200, 500, 7, -1 },		/* a number without a name */
};

/* What capture writes after TARGETS: the binary each target runs. */
static void write_binary(struct capw *w)
{
	char *meta = NULL;
	size_t len = 0;

	capw_meta_add(&meta, &len, "target_100_build_id", "gnu:00ff");
	capw_meta_add(&meta, &len, "target_100_go_version", "go1.23.5");
	capw_meta_add(&meta, &len, "target_999_build_id", "gnu:0000");
	capw_section(w, CAPFILE_SEC_META, 0, meta, len);
	free(meta);
}

static void write_meta(struct capw *w)
{
	char *meta = NULL;
	size_t len = 0;

	capw_meta_add(&meta, &len, "mode", "discard");
	capw_meta_add(&meta, &len, "hostname", "box");
	capw_meta_add(&meta, &len, "kernel_release", "6.1.0-test");
	capw_meta_add(&meta, &len, "buffer_size", "1048576");
	capw_meta_add(&meta, &len, "start_monotonic_ns", "%llu", START);
	capw_meta_add(&meta, &len, "start_realtime_ns", "%llu", START_REAL);
	capw_meta_add(&meta, &len, "command", "./app -x");
	capw_meta_add(&meta, &len, "future_key", "ignored");
	capw_section(w, CAPFILE_SEC_META, 0, meta, len);
	free(meta);
}

static void write_records(struct capw *w)
{
	struct godiag_rec_lost lost = make_lost(1, 3);
	struct godiag_rec_target_exit ex;
	uint64_t unknown[5] = { 0 };
	struct godiag_rec *u = (struct godiag_rec *)unknown;
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct godiag_rec_syscall s =
			make_syscall(calls[i].tgid, calls[i].nr, calls[i].dur,
				     calls[i].ret, START + 2000000 * (i + 1));

		capw_record(w, &s, sizeof(s));
	}
	capw_record(w, &lost, sizeof(lost));
	u->type = 77;
	u->size = sizeof(unknown);
	u->tgid = 300;
	u->ts_ns = START + 100000000;
	capw_record(w, u, u->size);
	memset(&ex, 0, sizeof(ex));
	ex.hdr.type = GODIAG_REC_TARGET_EXIT;
	ex.hdr.size = sizeof(ex);
	ex.hdr.tgid = 100;
	ex.hdr.ts_ns = START + 200000000;
	capw_record(w, &ex, sizeof(ex));
}

/* A capture with the module's counters and an end section, or neither. */
static void make_capture(struct membuf *m, bool finished)
{
	struct capfile_cpu_stats cpus[2] = {
		{ .cpu = 0, .written = 10, .lost = 2, .bytes = 640, .read = 8 },
		{ .cpu = 1, .written = 6, .lost = 3, .bytes = 192, .read = 3,
		  .lost_marked = 3 },
	};
	struct capfile_target t = { .pid = 100, .flags = GODIAG_TF_FOLLOW_CHILDREN };
	struct capw w;
	int fd = memfile_open(&w);

	snprintf(t.comm, sizeof(t.comm), "app");
	snprintf(t.exe, sizeof(t.exe), "/usr/bin/app");
	write_meta(&w);
	capw_target(&w, &t);
	write_binary(&w);
	write_records(&w);
	capw_note(&w, "target 100 (app) exited with status 0");
	if (finished) {
		capw_stats(&w, CAPFILE_STATS_KERNEL, cpus, 2);
		capw_end(&w, 7, START + 2500000000ULL);
	}
	if (capw_close(&w))
		abort();
	memfile_read(fd, m);
}

static const char json_finished[] =
	"{\"events\":{\"recorded\":11,\"lost\":5},"
	"\"syscalls\":["
	"{\"name\":\"nanosleep\",\"nr\":35,\"count\":1,\"errors\":0,\"total_ns\":1000000,"
	"\"p50_ns\":1000000,\"p90_ns\":1000000,\"p99_ns\":1000000,\"max_ns\":1000000},"
	"{\"name\":\"write\",\"nr\":1,\"count\":5,\"errors\":1,\"total_ns\":15000,"
	"\"p50_ns\":3000,\"p90_ns\":5000,\"p99_ns\":5000,\"max_ns\":5000},"
	"{\"name\":\"read\",\"nr\":0,\"count\":2,\"errors\":1,\"total_ns\":300,"
	"\"p50_ns\":100,\"p90_ns\":200,\"p99_ns\":200,\"max_ns\":200},"
	"{\"name\":\"syscall_500\",\"nr\":500,\"count\":1,\"errors\":1,\"total_ns\":7,"
	"\"p50_ns\":7,\"p90_ns\":7,\"p99_ns\":7,\"max_ns\":7}],"
	"\"capture\":{\"duration_ns\":2500000000,\"written\":16,\"read\":11,"
	"\"mode\":\"discard\",\"written_estimated\":false,"
	"\"start\":\"2026-11-26T10:00:00.123Z\",\"start_realtime_ns\":1795687200123456789,"
	"\"host\":\"box\",\"kernel\":\"6.1.0-test\",\"buffer_size\":1048576,"
	"\"command\":\"./app -x\"},"
	"\"processes\":[{\"pid\":100,\"syscalls\":6,\"events\":7},"
	"{\"pid\":200,\"syscalls\":3,\"events\":3},{\"pid\":300,\"syscalls\":0,\"events\":1}],"
	"\"targets\":[{\"pid\":100,\"comm\":\"app\",\"exe\":\"/usr/bin/app\","
	"\"go_version\":\"go1.23.5\",\"build_id\":\"gnu:00ff\",\"follow_children\":true}],"
	"\"notes\":[\"target 100 (app) exited with status 0\"],"
	"\"file\":{\"version\":1,\"complete\":true,\"cut\":null}}\n";

static const char text_finished[] =
	"capture  2.50 s from 2026-11-26T10:00:00.123Z on box, kernel 6.1.0-test, "
	"discard mode, 1.0 MiB per CPU\n"
	"command  ./app -x\n"
	"target   100 app (/usr/bin/app) go1.23.5 build id gnu:00ff, following children\n"
	"events   11 recorded, 5 lost, 16 written, 3 processes\n"
	"note     target 100 (app) exited with status 0\n"
	"WARNING  5 events lost (31.2% of 16): the numbers below miss them; "
	"capture again with a larger --buffer\n"
	"\n"
	"SYSCALL          COUNT      TOTAL        P50        P90        P99        MAX   ERRORS\n"
	"nanosleep            1    1.00 ms    1.00 ms    1.00 ms    1.00 ms    1.00 ms        0\n"
	"write                5    15.0 us    3.00 us    5.00 us    5.00 us    5.00 us        1\n"
	"read                 2     300 ns     100 ns     200 ns     200 ns     200 ns        1\n"
	"syscall_500          1       7 ns       7 ns       7 ns       7 ns       7 ns        1\n";

static void test_finished(void)
{
	struct report r;
	struct membuf m;
	char err[128], *out;

	make_capture(&m, true);
	test_begin("report --json of a finished capture");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK(r.complete);
	out = render(&r, report_print_json);
	CHECK_STR(out, json_finished);
	free(out);
	test_end();

	test_begin("report text of a finished capture");
	out = render(&r, report_print);
	CHECK_STR(out, text_finished);
	free(out);
	test_end();
	report_free(&r);
	free(m.buf);
}

static void test_unfinished(void)
{
	struct report r;
	struct membuf m;
	char err[128], want[256], *out;

	make_capture(&m, false);
	test_begin("report of a capture without STATS and END: LOST markers count");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK(!r.complete);
	CHECK_U64(report_lost(&r), 3);
	CHECK_U64(report_written(&r), 14);
	CHECK_U64(report_read(&r), 11);
	/* Up to the last record: the target exit 200 ms in. */
	CHECK_U64(report_duration(&r), 200000000);
	CHECK(report_written_estimated(&r));
	out = render(&r, report_print_json);
	CHECK(strstr(out, "{\"events\":{\"recorded\":11,\"lost\":3},") == out);
	CHECK(strstr(out, "\"capture\":{\"duration_ns\":200000000,\"written\":14,"
		      "\"read\":11,\"mode\":\"discard\",\"written_estimated\":true,") != NULL);
	snprintf(want, sizeof(want), "\"file\":{\"version\":1,\"complete\":false,"
		 "\"cut\":{\"byte\":%zu,\"section\":null,\"covers_ns\":200000000}}}\n", m.len);
	CHECK(strstr(out, want) != NULL);
	free(out);
	out = render(&r, report_print);
	CHECK(strstr(out, "events   11 recorded, 3 lost, 14 written (estimated: recorded "
		      "+ lost), 3 processes\n") != NULL);
	snprintf(want, sizeof(want), "WARNING  file ends at byte %zu without its end "
		 "section: the report covers the records of its first 200 ms\n", m.len);
	CHECK(strstr(out, want) != NULL);
	free(out);
	test_end();
	report_free(&r);
	free(m.buf);
}

static void test_empty_and_broken(void)
{
	struct report r;
	struct membuf m = { 0 };
	char err[128], *out;

	mb_header(&m, 1, 24);
	mb_end(&m, 0);
	test_begin("report of a capture with nothing in it");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	out = render(&r, report_print_json);
	CHECK_STR(out, "{\"events\":{\"recorded\":0,\"lost\":0},\"syscalls\":[],"
		  "\"capture\":{\"duration_ns\":0,\"written\":0,\"read\":0,"
		  "\"mode\":\"unknown\",\"written_estimated\":true,\"start\":null,"
		  "\"start_realtime_ns\":null,\"host\":null,\"kernel\":null,"
		  "\"buffer_size\":null,\"command\":null},\"processes\":[],\"targets\":[],"
		  "\"notes\":[],\"file\":{\"version\":1,\"complete\":true,\"cut\":null}}\n");
	free(out);
	out = render(&r, report_print);
	CHECK_STR(out, "capture  0 ns\n"
		       "events   0 recorded, 0 lost, 0 written (estimated: recorded + lost), "
		       "0 processes\n"
		       "\n"
		       "SYSCALL      COUNT      TOTAL        P50        P90        P99        MAX   ERRORS\n"
		       "(no syscalls recorded)\n");
	free(out);
	report_free(&r);
	test_end();

	test_begin("report of a file cut in its END section: incomplete, not refused");
	m.len -= 4;
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	CHECK(!r.complete);
	report_cut_text(&r, err, sizeof(err));
	CHECK_STR(err, "file cut at byte 68 in section END: it holds no records");
	report_free(&r);
	test_end();
	free(m.buf);
}

/*
 * A capture cut inside its second RECORDS section, in the middle of a
 * record: the report covers the whole records before the cut, and says
 * where it was cut and how far it covers.
 */
static char want_buf[512];

static void test_cut_records(void)
{
	struct membuf m;
	struct report r;
	size_t cut_at, i;
	char err[256], *out;
	struct capw w;
	int fd = memfile_open(&w);

	write_meta(&w);
	for (i = 0; i < 3; i++) {
		struct godiag_rec_syscall sc = make_syscall(100, 1, 1000, 0,
							    START + 1000000 * (i + 1));

		capw_record(&w, &sc, sizeof(sc));
		if (i == 1)
			capw_note(&w, "between");	/* a second RECORDS section follows */
	}
	capw_end(&w, 7, START + 9000000);
	CHECK_U64(capw_close(&w), 0);
	memfile_read(fd, &m);
	/* The last record (64 bytes) ends where END's header starts. */
	cut_at = m.len - sizeof(struct capfile_section) - sizeof(struct capfile_end) - 20;

	test_begin("report of a capture cut mid-record: the records before the cut");
	CHECK_U64(report_load(&r, m.buf, cut_at, err, sizeof(err)), 0);
	CHECK(!r.complete);
	CHECK_U64(r.recorded, 2);
	CHECK_U64(r.nsc, 1);
	CHECK_U64(r.nsc ? r.sc[0].count : 0, 2);
	CHECK_U64(r.nnotes, 1);
	report_cut_text(&r, err, sizeof(err));
	snprintf(want_buf, sizeof(want_buf), "file cut at byte %zu in section RECORDS: "
		 "the report covers the records of its first 2.00 ms", cut_at);
	CHECK_STR(err, want_buf);
	out = render(&r, report_print_json);
	snprintf(want_buf, sizeof(want_buf), "\"file\":{\"version\":1,\"complete\":false,"
		 "\"cut\":{\"byte\":%zu,\"section\":\"RECORDS\",\"covers_ns\":2000000}}}\n",
		 cut_at);
	CHECK(strstr(out, want_buf) != NULL);
	free(out);
	report_free(&r);
	test_end();

	/* Cut exactly after the second record: the same two, no more. */
	test_begin("report of a capture cut between two records");
	CHECK_U64(report_load(&r, m.buf, cut_at - 44, err, sizeof(err)), 0);
	CHECK_U64(r.recorded, 2);
	CHECK(!r.complete && r.file.cut_inside);
	CHECK_U64(r.file.cut_section, CAPFILE_SEC_RECORDS);
	report_free(&r);
	test_end();
	free(m.buf);
}

static void test_overwrite_losses(void)
{
	struct report r;
	char *out;

	memset(&r, 0, sizeof(r));
	snprintf(r.mode, sizeof(r.mode), "overwrite");
	r.complete = true;
	r.recorded = 10;
	r.has_stats = r.kernel_stats = true;
	r.written = 50;
	r.lost = 40;
	r.tool_read = 10;
	test_begin("report: overwrite mode losses are a note, not a warning");
	out = render(&r, report_print);
	CHECK(strstr(out, "note     40 events were overwritten before they were read "
		      "(overwrite mode: where the buffers were full the capture has "
		      "gaps)\n") != NULL);
	CHECK(strstr(out, "WARNING") == NULL);
	free(out);
	test_end();

	snprintf(r.mode, sizeof(r.mode), "discard");
	r.written = 51;
	test_begin("report: discard mode counts that do not add up are flagged");
	out = render(&r, report_print);
	CHECK(strstr(out, "WARNING  the module wrote 51 events but 10 were read and "
		      "40 lost: the capture is missing events\n") != NULL);
	free(out);
	test_end();
}

/*
 * What the text header shows, as text and as JSON: each line of the
 * header must hold at least one of these text fragments (so a new line
 * needs an entry), and every fragment the text holds must have its JSON
 * member in the JSON. Issue 12's single printer will make this a walk.
 */
struct field {
	const char *text, *json;
};

static const struct field finished_fields[] = {
	{ "capture  2.50 s", "\"duration_ns\":2500000000" },
	{ " from 2026-11-26T10:00:00.123Z", "\"start\":\"2026-11-26T10:00:00.123Z\"" },
	{ " on box", "\"host\":\"box\"" },
	{ ", kernel 6.1.0-test", "\"kernel\":\"6.1.0-test\"" },
	{ ", discard mode", "\"mode\":\"discard\"" },
	{ ", 1.0 MiB per CPU", "\"buffer_size\":1048576" },
	{ "command  ./app -x", "\"command\":\"./app -x\"" },
	{ "target   100 app (/usr/bin/app) go1.23.5 build id gnu:00ff, following children",
	  "\"targets\":[{\"pid\":100,\"comm\":\"app\",\"exe\":\"/usr/bin/app\","
	  "\"go_version\":\"go1.23.5\",\"build_id\":\"gnu:00ff\",\"follow_children\":true}]" },
	{ "events   11 recorded", "\"recorded\":11" },
	{ ", 5 lost", "\"events\":{\"recorded\":11,\"lost\":5}" },
	{ ", 16 written,", "\"written\":16,\"read\":11,\"mode\":\"discard\","
	  "\"written_estimated\":false" },
	{ ", 3 processes", "\"processes\":[{\"pid\":100,\"syscalls\":6,\"events\":7},"
	  "{\"pid\":200,\"syscalls\":3,\"events\":3},{\"pid\":300,\"syscalls\":0,"
	  "\"events\":1}]" },
	{ "note     target 100 (app) exited with status 0",
	  "\"notes\":[\"target 100 (app) exited with status 0\"]" },
	{ "WARNING  5 events lost (31.2% of 16)", "\"lost\":5}" },
};

static const struct field unfinished_fields[] = {
	{ "capture  200 ms", "\"duration_ns\":200000000" },
	{ "command  ./app -x", "\"command\":\"./app -x\"" },
	{ "target   100 app", "\"pid\":100,\"comm\":\"app\"" },
	{ "note     target 100 (app) exited with status 0",
	  "\"notes\":[\"target 100 (app) exited with status 0\"]" },
	{ ", 14 written (estimated: recorded + lost)", "\"written\":14,\"read\":11,"
	  "\"mode\":\"discard\",\"written_estimated\":true" },
	{ "WARNING  3 events lost", "\"lost\":3}" },
	{ "WARNING  file ends at byte", "\"complete\":false,\"cut\":{\"byte\":" },
	{ "without its end section", "\"section\":null" },
	{ "the report covers the records of its first 200 ms", "\"covers_ns\":200000000}" },
};

static void check_fields(const char *name, bool finished, const struct field *f,
			 size_t n)
{
	char *text, *json, *line, *nl;
	struct report r;
	struct membuf m;
	char err[128];
	size_t i, hits;

	make_capture(&m, finished);
	test_begin("report --json carries every field the text header shows: %s", name);
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	text = render(&r, report_print);
	json = render(&r, report_print_json);
	/* The header: the lines before the syscall table's blank line. */
	for (line = text; *line && *line != '\n'; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		for (i = hits = 0; i < n; i++) {
			if (!strstr(line, f[i].text))
				continue;
			hits++;
			if (!strstr(json, f[i].json))
				test_fail_at(__FILE__, __LINE__, "text '%s': no %s in the JSON",
					     f[i].text, f[i].json);
		}
		if (!hits)
			test_fail_at(__FILE__, __LINE__, "no JSON member listed for '%s'", line);
	}
	free(text);
	free(json);
	report_free(&r);
	free(m.buf);
	test_end();
}

static void test_json_has_the_text(void)
{
	check_fields("a finished capture", true, finished_fields,
		     sizeof(finished_fields) / sizeof(finished_fields[0]));
	check_fields("a capture without counters or end", false, unfinished_fields,
		     sizeof(unfinished_fields) / sizeof(unfinished_fields[0]));
}

static void walk_report(struct printer *p, const void *r)
{
	report_walk(p, r);
}

/* The number that ends the line at text (the table's last column). */
static unsigned long long last_column(const char *line)
{
	const char *nl = strchr(line, '\n');
	const char *sp = nl ? nl : line + strlen(line);

	while (sp > line && sp[-1] != ' ')
		sp--;
	return strtoull(sp, NULL, 10);
}

/*
 * The counts of the text, read back from it, against the JSON's: the
 * events line, and each row of the syscall table (found by its name).
 */
static void check_counts(const char *text, const char *json)
{
	unsigned long long rec = 0, lost = 0, written = 0, count;
	const char *line, *obj, *end = NULL, *close;
	char name[64], want[96];
	size_t rows = 0, objs = 0;

	line = strstr(text, "events   ");
	CHECK(line && sscanf(line, "events %llu recorded, %llu lost, %llu written",
			     &rec, &lost, &written) == 3);
	CHECK_U64(json_number(json, "recorded", NULL), rec);
	CHECK_U64(json_number(json, "lost", NULL), lost);
	CHECK_U64(json_number(json, "written", NULL), written);
	line = strstr(text, "\nSYSCALL ");
	CHECK(line != NULL);
	for (line = line ? strchr(line + 1, '\n') : NULL; line && line[1];
	     line = strchr(line + 1, '\n')) {
		if (sscanf(line + 1, "%63s %llu", name, &count) != 2)
			continue;
		snprintf(want, sizeof(want), "{\"name\":\"%s\",", name);
		obj = strstr(json, want);
		CHECK(obj != NULL);
		if (!obj)
			continue;
		CHECK_U64(json_number(obj, "count", NULL), count);
		CHECK_U64(json_number(obj, "errors", NULL), last_column(line + 1));
		rows++;
	}
	obj = strstr(json, "\"syscalls\":[");
	close = obj ? strchr(obj, ']') : NULL;
	for (; obj && json_number(obj, "nr", &end) != UINT64_MAX && end < close; obj = end)
		objs++;
	CHECK_U64(rows, objs);
}

static void test_text_and_json_agree(void)
{
	static struct audit a;
	struct report r;
	struct membuf m;
	char err[128], *text, *json;
	int finished;

	for (finished = 1; finished >= 0; finished--) {
		make_capture(&m, finished);
		test_begin("report: text and JSON of one walk agree (%s capture)",
			   finished ? "a finished" : "an unfinished");
		CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
		CHECK_U64(audit_walk(&a, walk_report, &r), 0);
		/* The header's values are keyed, each one (none left out). */
		CHECK_U64(a.n[0], finished ? 26 : 28);
		text = render(&r, report_print);
		json = render(&r, report_print_json);
		check_counts(text, json);
		free(text);
		free(json);
		report_free(&r);
		free(m.buf);
		test_end();
	}
}

/* ---- breakpoints: interfaces by their dynamic type (BREAKS T lines) ----- */

static void break_record(struct capw *w, uint64_t ts, uint64_t type_word, uint64_t data)
{
	uint64_t q[8] = { 0 };
	struct godiag_rec_break *r = (void *)q;
	uint64_t *words = (uint64_t *)(r + 1);

	r->hdr.type = GODIAG_REC_BREAKPOINT;
	r->hdr.size = (uint16_t)(sizeof(*r) + 16);
	r->hdr.tgid = 100;
	r->hdr.tid = 100;
	r->hdr.ts_ns = ts;
	r->hdr.goid = 1;
	r->probe_id = 4;
	r->nwords = 2;
	words[0] = type_word;
	words[1] = data;
	capw_record(w, r, r->hdr.size);
}

static void make_break_capture(struct membuf *m)
{
	static const char breaks[] =
		"B\t0\t100\t1\t0\t0\tmain.kind\tmain.kind\n"
		"A\t0\t100\t0\tiface\t8\tv\tinterface {}\n"
		"T\t100\t4b1000\tint\n"
		"T\t100\t4b3000\t*main.request\n"
		"P\t0\t100\t4\tentry\t4\t0\t0\t0\t4\t0\n";
	struct capfile_target t = { .pid = 100 };
	struct capw w;
	int fd = memfile_open(&w);

	snprintf(t.comm, sizeof(t.comm), "app");
	snprintf(t.exe, sizeof(t.exe), "/usr/bin/app");
	write_meta(&w);
	capw_target(&w, &t);
	break_record(&w, START + 1000, 0x4b1000, 42);
	break_record(&w, START + 2000, 0x4b3000, 0xc000010000);
	break_record(&w, START + 3000, 0x4b1000, 7);
	break_record(&w, START + 4000, 0, 0);
	capw_section(&w, CAPFILE_SEC_BREAKS, 0, breaks, sizeof(breaks) - 1);
	capw_end(&w, 4, START + 5000);
	if (capw_close(&w))
		abort();
	memfile_read(fd, m);
}

static void test_break_iface(void)
{
	static const char json[] =
		"\"breakpoints\":[{\"spec\":\"main.kind\",\"function\":\"main.kind\","
		"\"sites\":1,\"inlined_unprobed\":0,\"hits\":4,\"recorded\":4,\"filtered\":0,"
		"\"sampled_out\":0,\"rate_limited\":0,\"faults\":0,\"latency\":null,"
		"\"args\":[{\"name\":\"v\",\"type\":\"interface {}\",\"top\":["
		"{\"value\":\"int\",\"count\":2},{\"value\":\"*main.request\",\"count\":1},"
		"{\"value\":\"nil\",\"count\":1}]}],"
		"\"goroutines\":[{\"goroutine\":1,\"count\":4}],\"stacks\":[]}],";
	static const char text[] =
		"breakpoint  main.kind (main.kind, 1 site(s), 0 inlined copies not probed)\n"
		"  hits      4, recorded 4, filtered 0, sampled out 0, rate limited 0, faults 0\n"
		"  arg       v interface {}: int (2), *main.request (1), nil (1)\n"
		"  goroutine 1 (4)\n";
	struct report r;
	struct membuf m;
	char err[128], *out;

	make_break_capture(&m);
	test_begin("report: an interface argument by its dynamic type (T lines)");
	CHECK_U64(report_load(&r, m.buf, m.len, err, sizeof(err)), 0);
	out = render(&r, report_print_json);
	if (!strstr(out, json))
		test_fail_at(__FILE__, __LINE__, "no %s in %s", json, out);
	free(out);
	out = render(&r, report_print);
	if (!strstr(out, text))
		test_fail_at(__FILE__, __LINE__, "no %s in %s", text, out);
	free(out);
	report_free(&r);
	free(m.buf);
	test_end();
}

int main(void)
{
	test_finished();
	test_unfinished();
	test_empty_and_broken();
	test_cut_records();
	test_overwrite_losses();
	test_json_has_the_text();
	test_text_and_json_agree();
	test_break_iface();
	return test_summary();
}
