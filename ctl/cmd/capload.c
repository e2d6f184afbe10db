// SPDX-License-Identifier: GPL-2.0
/* A capture file named on the command line, in memory (capload.h). */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "capfile/capfile.h"
#include "cmd/capload.h"

/* Most a pipe or device may bring: past it, it is no capture file. */
#define STREAM_MAX	(1ULL << 30)

/*
 * A pipe or device: read until EOF, or until what came is all a capture
 * file can hold (so "report /dev/zero" stops after 8 bytes), at most
 * STREAM_MAX bytes. -1 with errno on failure, EFBIG past the limit.
 */
static int read_stream(int fd, struct file_buf *b)
{
	struct capfile_stream st = { 0 };
	size_t cap = 1 << 16;
	ssize_t n;

	b->data = xmalloc(cap);
	while (!capfile_stream_done(&st, b->data, b->len)) {
		if (b->len == cap) {
			if (cap >= STREAM_MAX) {
				errno = EFBIG;
				return -1;
			}
			b->data = xreallocarray(b->data, cap *= 2, 1);
		}
		n = read(fd, (char *)b->data + b->len, cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		b->len += (size_t)n;
	}
	return 0;
}

__attribute__((noreturn))
static void load_failed(const char *cmd, const char *path, int err)
{
	if (err == EFBIG)
		die(EXIT_USAGE, "%s: %s: more than %llu MiB from a pipe or device: "
		    "not a capture file, or copy it to a file first", cmd, path,
		    STREAM_MAX >> 20);
	die(exit_code_of_errno(err), "%s: %s: %s", cmd, path, strerror(err));
}

/* Exits with the code of the error (exit_code_of_errno()) when it cannot. */
void capload_file(const char *cmd, const char *path, struct file_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	memset(b, 0, sizeof(*b));
	if (fd < 0 || fstat(fd, &st))
		load_failed(cmd, path, errno);
	if (S_ISDIR(st.st_mode))
		load_failed(cmd, path, EISDIR);
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		b->len = (size_t)st.st_size;
		b->data = mmap(NULL, b->len, PROT_READ, MAP_PRIVATE, fd, 0);
		b->mapped = b->data != MAP_FAILED;
		if (!b->mapped)
			load_failed(cmd, path, errno);
	} else if (read_stream(fd, b)) {
		load_failed(cmd, path, errno);
	}
	close(fd);
}

void capload_free(struct file_buf *b)
{
	if (b->mapped)
		munmap(b->data, b->len);
	else
		free(b->data);
}
