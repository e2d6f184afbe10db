// SPDX-License-Identifier: GPL-2.0
/* The text and JSON of stats, sessions and hist, from fixed data. */
#include <stdlib.h>

#include "cmd/hist.h"
#include "cmd/print.h"
#include "module/sessinfo.h"
#include "print_audit.h"
#include "test.h"

static struct cpu_stats cpus[2] = {
	{ .cpu = 0, .written = 12345, .lost = 5, .bytes = 790080, .read = 0 },
	{ .cpu = 1, .written = 7, .lost = 0, .bytes = 448, .read = 7 },
};

static const struct probe_info probes[1] = {
	{ .session = 1, .id = 3, .pid = 1234, .kind = GODIAG_PROBE_BREAK, .passes = 40,
	  .filtered = 30, .sampled_out = 5, .rate_limited = 1, .hits = 4, .faults = 2 },
};

static struct session_info sessions[2] = {
	{ .id = 1, .state = GODIAG_STATE_RUNNING, .mode = GODIAG_MODE_DISCARD,
	  .events = GODIAG_EV_SYSCALL, .bufsize = 1 << 20, .readers = 1,
	  .min_ns = 0, .owned = true, .max_lifetime_ms = 3600000, .cpus = cpus,
	  .nr_cpus = 2, .probes = probes, .nprobes = 1 },
	{ .id = 7, .state = GODIAG_STATE_STOPPED, .mode = GODIAG_MODE_OVERWRITE,
	  .events = GODIAG_EV_SYSCALL, .bufsize = 16 << 10, .readers = 0,
	  .min_ns = 100000, .owned = false, .expired = true, .name = "api-recorder" },
};

static struct target_info targets[3] = {
	{ .session = 1, .pid = 1234, .flags = GODIAG_TF_FOLLOW_CHILDREN },
	{ .session = 1, .pid = 99, .flags = 0, .threads_dropped = 2 },
	{ .session = 3, .pid = 5, .flags = 0 },
};

static const struct session_list slist = { sessions, 2 };
static const struct target_list tlist = { targets, 3 };

static FILE *mem(char **buf, size_t *len)
{
	*buf = NULL;
	return open_memstream(buf, len);
}

static void test_stats(void)
{
	struct session_list one = { sessions, 1 };
	char *out;
	size_t len;
	FILE *f;

	test_begin("stats text");
	f = mem(&out, &len);
	stats_print(&one, f);
	fclose(f);
	CHECK_STR(out,
		  "session 1  running  discard  1.0 MiB per CPU  1 reader\n"
		  "  CPU           WRITTEN           LOST          BYTES           READ\n"
		  "  0               12345              5         790080              0\n"
		  "  1                   7              0            448              7\n"
		  "  total           12352              5         790528              7\n"
		  "  PROBE       PID KIND          PASSES   FILTERED    SAMPLED    LIMITED"
		  "   RECORDED     FAULTS\n"
		  "  3          1234 break             40         30          5          1"
		  "          4          2\n");
	free(out);
	test_end();

	test_begin("stats json");
	f = mem(&out, &len);
	stats_print_json(&slist, f);
	fclose(f);
	CHECK_STR(out,
		  "{\"sessions\":[{\"id\":1,\"state\":\"running\",\"mode\":\"discard\","
		  "\"buffer_size\":1048576,\"readers\":1,\"cpus\":["
		  "{\"cpu\":0,\"written\":12345,\"lost\":5,\"bytes\":790080,\"read\":0},"
		  "{\"cpu\":1,\"written\":7,\"lost\":0,\"bytes\":448,\"read\":7}],"
		  "\"total\":{\"written\":12352,\"lost\":5,\"bytes\":790528,\"read\":7},"
		  "\"probes\":[{\"id\":3,\"pid\":1234,\"kind\":\"break\",\"passes\":40,"
		  "\"filtered\":30,\"sampled_out\":5,\"rate_limited\":1,\"recorded\":4,"
		  "\"faults\":2}]},"
		  "{\"id\":7,\"state\":\"stopped\",\"mode\":\"overwrite\","
		  "\"buffer_size\":16384,\"readers\":0,\"cpus\":[],"
		  "\"total\":{\"written\":0,\"lost\":0,\"bytes\":0,\"read\":0},"
		  "\"probes\":[]}]}\n");
	free(out);
	test_end();
}

static void walk_stats(struct printer *p, const void *l)
{
	stats_walk(p, l);
}

static void test_stats_audit(void)
{
	static struct audit a;

	test_begin("stats: --json carries every value the text shows");
	CHECK_U64(audit_walk(&a, walk_stats, &slist), 0);
	CHECK_U64(a.n[0], 23);
	test_end();
}

struct sessions_arg {
	const struct session_list *s;
	const struct target_list *t;
};

static void walk_sessions(struct printer *p, const void *arg)
{
	const struct sessions_arg *a = arg;

	sessions_walk(p, a->s, a->t);
}

static void test_sessions_audit(void)
{
	static const struct sessions_arg arg = { &slist, &tlist };
	static struct audit a;

	test_begin("sessions: --json carries every value the text shows");
	CHECK_U64(audit_walk(&a, walk_sessions, &arg), 0);
	CHECK_U64(a.n[0], 10);
	test_end();
}

static void test_sessions(void)
{
	struct session_list none = { NULL, 0 };
	char *out;
	size_t len;
	FILE *f;

	test_begin("sessions text");
	f = mem(&out, &len);
	sessions_print(&slist, &tlist, f);
	fclose(f);
	CHECK_STR(out,
		  "ID    NAME         STATE    MODE      EVENTS   BUFFER    READERS OWNED MIN     TARGETS\n"
		  "1     -            running  discard   syscall  1.0 MiB   1       yes   0 ns    1234+children, 99\n"
		  "7     api-recorder stopped  overwrite syscall  16 KiB    0       no    100 us  -\n");
	free(out);
	test_end();

	test_begin("sessions json");
	f = mem(&out, &len);
	sessions_print_json(&slist, &tlist, f);
	fclose(f);
	CHECK_STR(out,
		  "{\"sessions\":[{\"id\":1,\"name\":null,\"state\":\"running\",\"mode\":\"discard\","
		  "\"events\":[\"syscall\"],\"buffer_size\":1048576,\"readers\":1,"
		  "\"owned\":true,\"max_lifetime_ms\":3600000,\"expired\":false,"
		  "\"syscall_min_ns\":0,\"targets\":["
		  "{\"pid\":1234,\"follow_children\":true,\"threads_dropped\":0},"
		  "{\"pid\":99,\"follow_children\":false,\"threads_dropped\":2}]},"
		  "{\"id\":7,\"name\":\"api-recorder\",\"state\":\"stopped\","
		  "\"mode\":\"overwrite\",\"events\":[\"syscall\"],\"buffer_size\":16384,\"readers\":0,"
		  "\"owned\":false,\"max_lifetime_ms\":0,\"expired\":true,"
		  "\"syscall_min_ns\":100000,\"targets\":[]}]}\n");
	free(out);
	test_end();

	test_begin("sessions json with no sessions");
	f = mem(&out, &len);
	sessions_print_json(&none, &tlist, f);
	fclose(f);
	CHECK_STR(out, "{\"sessions\":[]}\n");
	free(out);
	test_end();
}

struct hist_arg {
	const struct hist_list *l;
	uint32_t session;
};

static void walk_hist(struct printer *p, const void *arg)
{
	const struct hist_arg *a = arg;

	hist_walk(p, a->l, a->session);
}

static void test_hist(void)
{
	struct hist_row rows[3];
	struct hist_list l = { rows, 3 };
	char *out;
	size_t len;
	FILE *f;

	memset(rows, 0, sizeof(rows));
	rows[0] = (struct hist_row){ .pid = 20, .nr = 0, .count = 1,
				     .total_ns = 5, .max_ns = 5 };
	rows[0].buckets[2] = 1;
	rows[1] = (struct hist_row){ .pid = 10, .nr = 1, .count = 100,
				     .total_ns = 300000, .max_ns = 90000, .errors = 3 };
	rows[1].buckets[10] = 60;	/* [1024, 2048) */
	rows[1].buckets[16] = 40;	/* [65536, 131072) */
	rows[2] = (struct hist_row){ .pid = 10, .nr = 35, .count = 1,
				     .total_ns = 2000000, .max_ns = 2000000 };
	rows[2].buckets[20] = 1;
	hist_sort(&l);

	test_begin("hist sorts by PID, then total time");
	CHECK_U64(rows[0].nr, 35);
	CHECK_U64(rows[1].nr, 1);
	CHECK_U64(rows[2].pid, 20);
	test_end();

	test_begin("hist text");
	f = mem(&out, &len);
	hist_print(&l, 4, f);
	fclose(f);
	CHECK_STR(out,
		  "session 4: ~P50 and ~P99 are approximate (upper bounds of power-of-two buckets)\n"
		  "PID      SYSCALL                   COUNT      TOTAL        MAX   ERRORS       ~P50       ~P99\n"
		  "10       nanosleep                     1    2.00 ms    2.00 ms        0    2.00 ms    2.00 ms\n"
		  "10       write                       100     300 us    90.0 us        3    2.05 us    90.0 us\n"
		  "20       read                          1       5 ns       5 ns        0       5 ns       5 ns\n");
	free(out);
	test_end();

	test_begin("hist json");
	l.n = 1;
	f = mem(&out, &len);
	hist_print_json(&l, 4, f);
	fclose(f);
	CHECK_STR(out,
		  "{\"session\":4,\"histograms\":[{\"pid\":10,\"name\":\"nanosleep\","
		  "\"nr\":35,\"count\":1,\"errors\":0,\"total_ns\":2000000,"
		  "\"max_ns\":2000000,\"p50_approx_ns\":2000000,\"p99_approx_ns\":2000000,"
		  "\"buckets\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,"
		  "0,0,0,0,0,0,0,0,0,0]}]}\n");
	free(out);
	test_end();
	test_begin("hist: --json carries every value the text shows");
	{
		struct hist_arg arg = { &l, 4 };
		static struct audit a;

		CHECK_U64(audit_walk(&a, walk_hist, &arg), 0);
		CHECK_U64(a.n[0], 9);
	}
	test_end();
}

int main(void)
{
	test_stats();
	test_stats_audit();
	test_sessions();
	test_sessions_audit();
	test_hist();
	return test_summary();
}
