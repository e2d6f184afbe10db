// SPDX-License-Identifier: GPL-2.0
/*
 * slowread: a deliberately slow /dev/godiag reader for `make bench`.
 *
 *   slowread [--sleep-ms MS] [--bytes B] SESSION
 *
 * Binds to SESSION (GODIAG_IOC_BIND), then read()s up to B bytes
 * (default 64 KiB) of whole records and sleeps MS milliseconds (default
 * 10) before the next read, until EOF (the session was stopped and is
 * drained). Prints one line:
 *
 *   reads=N records=R lost=L bytes=X
 *
 * records counts every record but LOST markers; lost sums their counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "godiag_abi.h"

static void usage(void)
{
	fprintf(stderr, "usage: slowread [--sleep-ms MS] [--bytes B] SESSION\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long sleep_ms = 10, bytes = 64 << 10;
	unsigned long long reads = 0, records = 0, lost = 0, total = 0;
	uint32_t id;
	char *buf;
	int a = 1, fd;

	for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
		if (!strcmp(argv[a], "--sleep-ms"))
			sleep_ms = strtoul(argv[a + 1], NULL, 10);
		else if (!strcmp(argv[a], "--bytes"))
			bytes = strtoul(argv[a + 1], NULL, 10);
		else
			usage();
	}
	if (argc - a != 1 || bytes < GODIAG_REC_SIZE_MAX)
		usage();
	id = (uint32_t)strtoul(argv[a], NULL, 10);
	buf = malloc(bytes);
	fd = open("/dev/godiag", O_RDONLY);
	if (!buf || fd < 0 || ioctl(fd, GODIAG_IOC_BIND, &id) < 0) {
		fprintf(stderr, "slowread: %s: %s\n", fd < 0 ? "open" : "bind", strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, bytes);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "slowread: read: %s\n", strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		reads++;
		total += (unsigned long long)n;
		while (off + sizeof(struct godiag_rec) <= (size_t)n) {
			const struct godiag_rec *r = (const void *)(buf + off);

			if (r->size < sizeof(*r) || off + r->size > (size_t)n)
				break;
			if (r->type == GODIAG_REC_LOST)
				lost += ((const struct godiag_rec_lost *)r)->count;
			else
				records++;
			off += r->size;
		}
		if (sleep_ms)
			usleep(sleep_ms * 1000);
	}
	printf("reads=%llu records=%llu lost=%llu bytes=%llu\n", reads, records, lost, total);
	return 0;
}
