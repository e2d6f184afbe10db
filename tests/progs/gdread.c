// SPDX-License-Identifier: GPL-2.0
/*
 * gdread: a minimal /dev/godiag reader for tests, using read() (godiagctl
 * uses mmap), so both consumer paths of the module are exercised.
 *
 *   gdread [--nonblock] [--max-records N] [--poll] [--read-size N] SESSION
 *
 * Binds to SESSION and reads until EOF (the session was stopped and is
 * drained), or until N records were consumed, then prints one line:
 *   records=R syscalls=S lost_markers=M lost=L pad=0 exits=E last_ret=X last_nr=Y
 *     min_ts=T0 max_ts=T1 bad=B cpus=C0,C1,...
 * "records" counts every record except LOST markers; last_ret/last_nr are
 * those of the syscall record with the latest timestamp; cpus lists, for
 * each of the first 16 reads that returned records, the CPU of its first
 * record (hdr.cpu). --read-size asks read() for N bytes at a time (default
 * 1 MiB; the module wants at least GODIAG_REC_SIZE_MAX). With --max-records the
 * count is printed and the program exits at once (_exit), as a reader
 * killed mid-stream would. --nonblock reads with O_NONBLOCK and stops at
 * EAGAIN. --poll waits with poll() between reads and checks POLLHUP at EOF.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "godiag_abi.h"

#define FIRST_READS	16

struct tally {
	unsigned long long records, syscalls, lost_markers, lost, exits, bad;
	unsigned int cpus[FIRST_READS], reads;
	uint64_t min_ts, max_ts, last_sc_ts;
	int64_t last_ret;
	uint32_t last_nr;
};

static void count(struct tally *t, const struct godiag_rec *r)
{
	if (r->type == GODIAG_REC_LOST) {
		const struct godiag_rec_lost *l = (const void *)r;

		t->lost_markers++;
		t->lost += l->count;
		return;
	}
	t->records++;
	if (!t->min_ts || r->ts_ns < t->min_ts)
		t->min_ts = r->ts_ns;
	if (r->ts_ns > t->max_ts)
		t->max_ts = r->ts_ns;
	if (r->type == GODIAG_REC_SYSCALL) {
		const struct godiag_rec_syscall *s = (const void *)r;

		t->syscalls++;
		/* Buffers are read CPU by CPU: the newest is the latest ts. */
		if (r->ts_ns >= t->last_sc_ts) {
			t->last_sc_ts = r->ts_ns;
			t->last_ret = s->ret;
			t->last_nr = s->nr;
		}
	} else if (r->type == GODIAG_REC_TARGET_EXIT) {
		t->exits++;
	}
}

/* Counts the records of one read(); anything malformed counts as bad. */
static void walk(struct tally *t, const char *buf, size_t len)
{
	size_t off = 0;

	if (len >= sizeof(struct godiag_rec) && t->reads < FIRST_READS)
		t->cpus[t->reads++] = ((const struct godiag_rec *)buf)->cpu;
	while (off + sizeof(struct godiag_rec) <= len) {
		const struct godiag_rec *r = (const void *)(buf + off);

		if (r->size < sizeof(*r) || r->size % 8 || off + r->size > len) {
			t->bad++;
			return;
		}
		count(t, r);
		off += r->size;
	}
	if (off != len)
		t->bad++;
}

static void print(const struct tally *t)
{
	unsigned int i;

	printf("records=%llu syscalls=%llu lost_markers=%llu lost=%llu exits=%llu "
	       "last_ret=%" PRId64 " last_nr=%" PRIu32 " min_ts=%" PRIu64
	       " max_ts=%" PRIu64 " bad=%llu cpus=",
	       t->records, t->syscalls, t->lost_markers, t->lost, t->exits,
	       t->last_ret, t->last_nr, t->min_ts, t->max_ts, t->bad);
	for (i = 0; i < t->reads; i++)
		printf("%s%u", i ? "," : "", t->cpus[i]);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nonblock", no_argument, NULL, 'n' },
		{ "max-records", required_argument, NULL, 'm' },
		{ "poll", no_argument, NULL, 'p' },
		{ "read-size", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long max = 0;
	size_t size = 0;
	int flags = O_RDONLY, use_poll = 0, c, fd;
	static char buf[1 << 20];
	struct tally t = { 0 };
	uint32_t id;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n')
			flags |= O_NONBLOCK;
		else if (c == 'm')
			max = strtoull(optarg, NULL, 10);
		else if (c == 'p')
			use_poll = 1;
		else if (c == 's')
			size = strtoull(optarg, NULL, 10);
		else
			goto usage;
	}
	if (optind + 1 != argc || size > sizeof(buf))
		goto usage;
	if (!size)
		size = max ? GODIAG_REC_SIZE_MAX : sizeof(buf);
	id = strtoul(argv[optind], NULL, 10);
	fd = open("/dev/godiag", flags);
	if (fd < 0 || ioctl(fd, GODIAG_IOC_BIND, &id) < 0) {
		fprintf(stderr, "gdread: %s: %s\n", fd < 0 ? "open" : "bind", strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n;

		if (use_poll) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, -1) < 0)
				break;
		}
		n = read(fd, buf, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			fprintf(stderr, "gdread: read: %s\n", strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		walk(&t, buf, n);
		if (max && t.records >= max) {
			print(&t);
			_exit(0);
		}
	}
	print(&t);
	return 0;
usage:
	fprintf(stderr, "usage: gdread [--nonblock] [--max-records N] [--poll] "
		"[--read-size N] SESSION\n");
	return 2;
}
