// SPDX-License-Identifier: GPL-2.0
/* A flight recorder's config file (ctl/cmd/flight_conf.c): every bad input. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/flight_conf.h"
#include "test.h"

/* flight start's options (ctl/cmd/flight.c). */
static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "follow-children", no_argument, NULL, 'f' },
	{ "syscalls", no_argument, NULL, 'S' },
	{ "goroutines", no_argument, NULL, 'G' },
	{ "size", required_argument, NULL, 'b' },
	{ "window", required_argument, NULL, 'w' },
	{ "comm", required_argument, NULL, 'c' },
	{ "cgroup", required_argument, NULL, 'g' },
	{ "config", required_argument, NULL, 'C' },
	{ "foreground", no_argument, NULL, 'F' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The arguments joined with blanks. */
static void joined(const struct flight_conf *c, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < c->n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", c->args[i]);
}

static void good(const char *what, const char *text, const char *want)
{
	struct flight_conf c;
	char err[512] = "", got[4096];

	test_begin("config: %s", what);
	CHECK(!flight_conf_parse("f.conf", text, strlen(text), longopts, &c, err, sizeof(err)));
	CHECK_STR(err, "");
	joined(&c, got, sizeof(got));
	CHECK_STR(got, want);
	flight_conf_free(&c);
	test_end();
}

static void bad(const char *what, const char *text, const char *want)
{
	struct flight_conf c;
	char err[512] = "";

	test_begin("config refused: %s", what);
	CHECK(flight_conf_parse("f.conf", text, strlen(text), longopts, &c, err, sizeof(err)));
	CHECK_STR(err, want);
	CHECK_U64(c.n, 0);
	CHECK(c.args == NULL);
	test_end();
}

static void files(void)
{
	char dir[] = "/tmp/godiag-conf-XXXXXX", path[256], err[512] = "";
	struct flight_conf c;
	FILE *f;
	size_t i;

	if (!mkdtemp(dir))
		return;
	test_begin("config file: read, parsed");
	snprintf(path, sizeof(path), "%s/api.conf", dir);
	f = fopen(path, "w");
	fputs("# the api service\ncomm = api\nevents = goroutines\n", f);
	fclose(f);
	CHECK(!flight_conf_read(path, longopts, &c, err, sizeof(err)));
	CHECK_U64(c.n, 2);
	if (c.n == 2) {
		CHECK_STR(c.args[0], "--comm=api");
		CHECK_STR(c.args[1], "--goroutines");
	}
	flight_conf_free(&c);
	test_end();

	test_begin("config file: missing");
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	CHECK(flight_conf_read(path, longopts, &c, err, sizeof(err)));
	CHECK(strstr(err, "none.conf: No such file or directory") != NULL);
	test_end();

	test_begin("config file: a directory");
	CHECK(flight_conf_read(dir, longopts, &c, err, sizeof(err)));
	CHECK(strstr(err, ": not a regular file") != NULL);
	test_end();

	test_begin("config file: over 64 KiB");
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	f = fopen(path, "w");
	for (i = 0; i <= FLIGHT_CONF_MAX / 8; i++)
		fputs("# ......\n", f);
	fclose(f);
	CHECK(flight_conf_read(path, longopts, &c, err, sizeof(err)));
	CHECK(strstr(err, "big.conf: larger than 64 KiB") != NULL);
	unlink(path);
	test_end();

	snprintf(path, sizeof(path), "%s/api.conf", dir);
	unlink(path);
	rmdir(dir);

	/* run.sh runs the tests in tests/unit. */
	test_begin("config file: dist/flight-example.conf");
	err[0] = '\0';
	CHECK(!flight_conf_read("../../dist/flight-example.conf", longopts, &c, err, sizeof(err)));
	CHECK_STR(err, "");
	CHECK_U64(c.n, 5);
	if (c.n == 5) {
		CHECK_STR(c.args[0], "--comm=api");
		CHECK_STR(c.args[3], "--size=64M");
		CHECK_STR(c.args[4], "--window=60s");
	}
	flight_conf_free(&c);
	test_end();
}

int main(void)
{
	static const char nul[] = "comm = a\0pi\n";
	struct flight_conf c;
	char err[512];

	good("the example", "# api\n\ncomm = api\nevents = goroutines syscalls\nsize = 64M\n",
	     "--comm=api --goroutines --syscalls --size=64M");
	good("blanks, tabs, CRLF, comments, quotes",
	     "  # c\r\n\tcomm\t=\t\"api\"  \r\nwindow='60s'\n   \n",
	     "--comm=api --window=60s");
	good("events with commas", "events = syscalls,goroutines\n", "--syscalls --goroutines");
	good("flags: yes, no, true, off",
	     "follow-children = yes\nsyscalls = no\ngoroutines = true\nforeground = off\n",
	     "--follow-children --goroutines");
	good("repeatable pid", "pid = 1\npid = 2\n", "--pid=1 --pid=2");
	good("cgroup path with blanks and '='", "cgroup = /system.slice/a b=c.service\n",
	     "--cgroup=/system.slice/a b=c.service");
	good("no newline at the end", "comm = api", "--comm=api");
	good("empty file", "", "");

	bad("not key = value", "comm = api\ncomm api\n", "f.conf:2: not a 'key = value' line");
	bad("no key", " = api\n", "f.conf:1: a line without a key");
	bad("upper-case key", "Comm = api\n",
	    "f.conf:1: 'Comm' is not a key (lower-case letters, digits, '-')");
	bad("key with a blank", "co mm = api\n",
	    "f.conf:1: 'co mm' is not a key (lower-case letters, digits, '-')");
	bad("unknown key", "\n\nname = api\n", "f.conf:3: unknown key 'name'");
	bad("config in a config", "config = other.conf\n",
	    "f.conf:1: config cannot be set in a config file");
	bad("help", "help = yes\n", "f.conf:1: help cannot be set in a config file");
	bad("empty value", "comm =\n", "f.conf:1: comm needs a value");
	bad("empty quoted value", "comm = \"\"\n", "f.conf:1: comm needs a value");
	bad("flag not yes or no", "syscalls = maybe\n",
	    "f.conf:1: syscalls takes yes or no, not 'maybe'");
	bad("empty events", "events = \n",
	    "f.conf:1: events needs a value (syscalls, goroutines)");
	bad("unknown event", "events = syscalls breakpoints\n",
	    "f.conf:1: unknown event 'breakpoints' (syscalls, goroutines)");
	bad("an event twice", "events = syscalls\nsyscalls = yes\n",
	    "f.conf:2: syscalls given twice (first on line 1)");
	bad("a key twice", "comm = a\n# x\nsize = 1M\ncomm = b\n",
	    "f.conf:4: comm given twice (first on line 1)");
	bad("bad pid", "pid = 0\n", "f.conf:1: pid = 0: not a process ID");
	bad("pid not a number", "pid = api\n", "f.conf:1: pid = api: not a process ID");
	bad("size without a number", "size = big\n", "f.conf:1: size = big: not a number");
	bad("size with a bad unit", "size = 3Q\n",
	    "f.conf:1: size = 3Q: unknown unit (use B, K, M, G or T)");
	bad("size too small", "size = 1K\n", "f.conf:1: size = 1K: below the minimum of 16 KiB");
	bad("size too large", "size = 1G\n",
	    "f.conf:1: size = 1G: above the maximum of 256 MiB");
	bad("window too short", "window = 10us\n",
	    "f.conf:1: window = 10us: out of range (1ms to 7 days)");
	bad("window too long", "window = 8d\n",
	    "f.conf:1: window = 8d: unknown unit (use ns, us, ms, s, m or h)");
	bad("window 200h", "window = 200h\n",
	    "f.conf:1: window = 200h: out of range (1ms to 7 days)");
	bad("comm over 15 bytes", "comm = a-very-long-name-x\n",
	    "f.conf:1: comm = a-very-long-name-x: longer than a process name can be (15 bytes)");
	bad("comm as a path", "comm = /usr/bin/api\n",
	    "f.conf:1: comm = /usr/bin/api: a process name, not a path");

	test_begin("config refused: a NUL byte");
	CHECK(flight_conf_parse("f.conf", nul, sizeof(nul) - 1, longopts, &c, err, sizeof(err)));
	CHECK_STR(err, "f.conf: not a text file (a NUL byte)");
	test_end();

	test_begin("the command line's checks: the same as the file's");
	CHECK_STR(flight_opt_check("size", "3Q"), "unknown unit (use B, K, M, G or T)");
	CHECK_STR(flight_opt_check("comm", "api"), NULL);
	CHECK_STR(flight_opt_check("trigger", "syscall>100ms"), NULL);
	CHECK_STR(flight_opt_check("comm", ""), "empty");
	test_end();

	files();
	return test_summary();
}
