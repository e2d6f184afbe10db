// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy IN OUT [LEVEL]: capture file IN rewritten as OUT with every
 * section going through the capture file writer with compression on
 * (capw_compress(), as capture --compress writes, default level 3), for
 * measuring compressed files (docs/PERFORMANCE.md, "Compressed capture
 * files"). The sections are copied as they are, so OUT holds the same
 * records in the same sections as IN. Build it beside godiagctl:
 *
 *   cc -O2 -Ictl -Iinclude -o zcopy tests/bench/zcopy.c \
 *      ctl/capfile/capwrite.c ctl/base/util.c -lzstd
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capfile/capfile.h"

int main(int argc, char **argv)
{
	struct capfile_header h;
	struct capfile_section s;
	const uint8_t *in;
	struct capw w;
	struct stat st;
	size_t off;
	int fd, out;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: zcopy IN OUT [LEVEL]\n");
		return 1;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || (size_t)st.st_size < sizeof(h)) {
		perror(argv[1]);
		return 1;
	}
	in = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in == MAP_FAILED || out < 0) {
		perror("zcopy");
		return 1;
	}
	memcpy(&h, in, sizeof(h));
	capw_init(&w, out);
	capw_compress(&w, argc == 4 ? atoi(argv[3]) : 3);
	for (off = h.header_size; off + sizeof(s) <= (size_t)st.st_size;) {
		memcpy(&s, in + off, sizeof(s));
		if (s.length > (size_t)st.st_size - off - sizeof(s)) {
			fprintf(stderr, "zcopy: %s is cut at byte %zu\n", argv[1], off);
			return 1;
		}
		capw_section(&w, s.type, s.flags, in + off + sizeof(s), (size_t)s.length);
		off += sizeof(s) + (size_t)((s.length + 7) / 8 * 8);
	}
	fprintf(stderr, "zcopy: %llu payload bytes compressed into %llu\n",
		(unsigned long long)w.zin, (unsigned long long)w.zout);
	return capw_close(&w) ? 1 : 0;
}
