// SPDX-License-Identifier: GPL-2.0
/*
 * Flight recorder triggers: the --trigger parser (every kind, every bad
 * input says what is wrong in one line), the texts the module keeps,
 * and the watcher's snapshot directory (names that sort by time, --keep
 * removing the oldest of ours and nothing else).
 */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/flight.h"
#include "test.h"

static void good(const char *s, enum flight_trig_kind kind, int nr, uint64_t ns,
		 uint64_t count, const char *arg)
{
	struct flight_trigger t;
	char err[512] = "";

	test_begin("trigger %s", s);
	CHECK_U64(flight_trigger_parse(s, &t, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_U64(t.kind, kind);
	CHECK_U64((uint64_t)(int64_t)t.nr, (uint64_t)(int64_t)nr);
	CHECK_U64(t.ns, ns);
	CHECK_U64(t.count, count);
	CHECK_STR(t.arg, arg);
	CHECK_STR(t.text, s);
	CHECK(flight_trigger_in_kernel(&t) == (kind == FT_SYSCALL || kind == FT_BREAK));
	test_end();
}

static void bad(const char *s, const char *want)
{
	struct flight_trigger t;
	char err[512] = "";

	test_begin("trigger %s is refused", s);
	CHECK_U64((uint64_t)flight_trigger_parse(s, &t, err, sizeof(err)), (uint64_t)-1);
	CHECK(strstr(err, want) != NULL);
	CHECK(!strchr(err, '\n'));
	if (!strstr(err, want))
		printf("#     got: %s\n", err);
	test_end();
}

static void parser(void)
{
	good("syscall>100ms", FT_SYSCALL, -1, 100000000, 0, "");
	good("syscall:read>50ms", FT_SYSCALL, 0, 50000000, 0, "");
	good("syscall:nanosleep>1s", FT_SYSCALL, 35, 1000000000, 0, "");
	good("break:main.onError", FT_BREAK, 0, 0, 0, "main.onError");
	good("break:main.(*Server).handle", FT_BREAK, 0, 0, 0, "main.(*Server).handle");
	good("break:server.go:88", FT_BREAK, 0, 0, 0, "server.go:88");
	good("goroutines>10000", FT_GOROUTINES, 0, 0, 10000, "");
	good("goroutines>0", FT_GOROUTINES, 0, 0, 0, "");
	good("blocked:chan receive>1s", FT_BLOCKED, 0, 1000000000, 0, "chan receive");
	good("blocked:sync.Mutex.Lock>250ms", FT_BLOCKED, 0, 250000000, 0, "sync.Mutex.Lock");
	good("gc-pause>10ms", FT_GC_PAUSE, 0, 10000000, 0, "");

	bad("", "invalid trigger ''");
	bad("syscall", "invalid trigger 'syscall': use syscall>DUR");
	bad("syscall>", "syscall>: invalid duration ''");
	bad("syscall>fast", "syscall>fast: invalid duration 'fast'");
	bad("syscall>0", "syscall>0: invalid duration '0': must be more than 0");
	bad("syscall>-1s", "invalid duration '-1s'");
	bad("syscall:>1s", "missing syscall name after 'syscall:'");
	bad("syscall:nosuchcall>1s", "unknown syscall 'nosuchcall'");
	bad("syscalls>1s", "unknown condition 'syscalls'");
	bad(">1s", "unknown condition ''");
	bad("break:", "missing breakpoint after 'break:'");
	bad("break", "invalid trigger 'break'");
	bad("goroutines", "invalid trigger 'goroutines'");
	bad("goroutines>", "invalid number ''");
	bad("goroutines>many", "invalid number 'many'");
	bad("goroutines>-5", "invalid number '-5'");
	bad("goroutines>99999999999", "invalid number '99999999999'");
	bad("blocked:>1s", "missing wait reason after 'blocked:'");
	bad("blocked:select", "invalid trigger 'blocked:select'");
	bad("blocked:select>", "invalid duration ''");
	bad("gc-pause", "invalid trigger 'gc-pause'");
	bad("gc-pause>0s", "must be more than 0");
	bad("gc>10ms", "unknown condition 'gc'");
	bad("cpu>90", "unknown condition 'cpu'");
}

static void texts(void)
{
	static const char buf[] = "syscall>1s\0blocked:chan receive>2s\0";
	const char *v[4];

	test_begin("the module's texts split into the triggers");
	CHECK_U64(flight_texts_split(buf, sizeof(buf) - 1, v, 4), 2);
	CHECK_STR(v[0], "syscall>1s");
	CHECK_STR(v[1], "blocked:chan receive>2s");
	CHECK_U64(flight_texts_split(buf, sizeof(buf) - 1, v, 1), 1);
	CHECK_U64(flight_texts_split(buf, 0, v, 4), 0);
	/* Not NUL-ended: the last one is not taken. */
	CHECK_U64(flight_texts_split(buf, 5, v, 4), 0);
	test_end();
}

static void names(void)
{
	/* 2026-12-08 01:30:45.123 UTC */
	uint64_t t = 1796693445123000000ULL;
	char name[256];

	test_begin("a snapshot's name: UTC time to the ms, index, the trigger");
	flight_snap_name(name, sizeof(name), t, 1, "syscall:read>50ms");
	CHECK_STR(name, "20261208T013045.123Z-t01-syscall_read_50ms.gdc");
	CHECK(flight_snap_is_ours(name));
	flight_snap_name(name, sizeof(name), t, 12, "blocked:chan receive>1s");
	CHECK_STR(name, "20261208T013045.123Z-t12-blocked_chan_receive_1s.gdc");
	flight_snap_name(name, sizeof(name), t, 0, "break:main.(*Server).handle");
	CHECK_STR(name, "20261208T013045.123Z-t00-break_main_Server_handle.gdc");
	flight_snap_name(name, sizeof(name), t, 0, ">>>");
	CHECK_STR(name, "20261208T013045.123Z-t00-x.gdc");
	flight_snap_name(name, sizeof(name), t, 0,
			 "break:a.very.long.package.path/with/many/parts.Function");
	CHECK_STR(name, "20261208T013045.123Z-t00-break_a_very_long_package_path_with_many.gdc");
	CHECK(flight_snap_is_ours(name));
	test_end();

	test_begin("only the watcher's names are its snapshots");
	CHECK(!flight_snap_is_ours("notes.txt"));
	CHECK(!flight_snap_is_ours("incident.gdc"));
	CHECK(!flight_snap_is_ours(".20261208T013045.123Z-t01-x.gdc.tmp"));
	CHECK(!flight_snap_is_ours("20261208T013045.123Z-t01-.gdc"));
	CHECK(!flight_snap_is_ours("20261208T013045.123Z-t01-a b.gdc"));
	CHECK(!flight_snap_is_ours("20261208T013045.123Z-t01-x.gdc~"));
	CHECK(!flight_snap_is_ours("2026120xT013045.123Z-t01-x.gdc"));
	CHECK(flight_snap_is_ours("20261208T013045.123Z-t01-x.gdc"));
	test_end();
}

static void keep_select(void)
{
	const char *v[] = {
		"20261208T013047.000Z-t00-b.gdc",
		"mine.gdc",
		"20261208T013045.999Z-t01-a.gdc",
		"20261207T235959.000Z-t00-c.gdc",
		"20261208T013046.500Z-t00-d.gdc",
	};
	size_t n = sizeof(v) / sizeof(v[0]);

	test_begin("keep: the oldest of ours go first, others never");
	CHECK_U64(flight_keep_select(v, n, 2), 2);
	CHECK_STR(v[0], "20261207T235959.000Z-t00-c.gdc");
	CHECK_STR(v[1], "20261208T013045.999Z-t01-a.gdc");
	CHECK_STR(v[2], "20261208T013046.500Z-t00-d.gdc");
	CHECK_STR(v[4], "mine.gdc");
	CHECK_U64(flight_keep_select(v, n, 4), 0);
	CHECK_U64(flight_keep_select(v, n, 1), 3);
	CHECK_U64(flight_keep_select(v, 0, 1), 0);
	test_end();
}

static void touch(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f)
		fclose(f);
}

static size_t count(const char *dir)
{
	struct dirent *e;
	size_t n = 0;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void keep_apply(void)
{
	char tmpl[] = "/tmp/godiag-keep-XXXXXX", dir[512], path[600];
	struct stat st;
	char *base = mkdtemp(tmpl);
	uint64_t t = 1796693445123000000ULL;
	int i;

	test_begin("keep: a directory of 5 snapshots and a user's file keeps 3 and it");
	CHECK(base != NULL);
	if (!base) {
		test_end();
		return;
	}
	snprintf(dir, sizeof(dir), "%s/a/b", base);
	CHECK_U64((uint64_t)flight_mkdir(dir), 0);
	CHECK(!stat(dir, &st) && (st.st_mode & 0777) == 0750);
	CHECK_U64((uint64_t)flight_mkdir(dir), 0);
	for (i = 0; i < 5; i++) {
		char name[256];

		flight_snap_name(name, sizeof(name), t + (uint64_t)i * 1000000000, (unsigned int)i,
				 "syscall>1s");
		touch(dir, name);
	}
	touch(dir, "readme.txt");
	CHECK_U64((uint64_t)flight_keep_apply(dir, 3), 2);
	CHECK_U64(count(dir), 4);
	snprintf(path, sizeof(path), "%s/20261208T013045.123Z-t00-syscall_1s.gdc", dir);
	CHECK(access(path, F_OK));
	snprintf(path, sizeof(path), "%s/20261208T013049.123Z-t04-syscall_1s.gdc", dir);
	CHECK(!access(path, F_OK));
	snprintf(path, sizeof(path), "%s/readme.txt", dir);
	CHECK(!access(path, F_OK));
	CHECK_U64((uint64_t)flight_keep_apply(dir, 3), 0);
	snprintf(path, sizeof(path), "rm -rf '%s'", base);
	CHECK(!system(path));
	test_end();
}

int main(void)
{
	parser();
	texts();
	names();
	keep_select();
	keep_apply();
	return test_summary();
}
