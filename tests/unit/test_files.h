/* SPDX-License-Identifier: GPL-2.0 */
/* For the tests that read files of the repository: where it is, a file whole. */
#ifndef TEST_FILES_H
#define TEST_FILES_H

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The repository: a test binary is REPO/tests/unit/NAME ("../.." if unknown). */
static inline void test_find_repo(char *repo, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		snprintf(repo, len, "../..");
		return;
	}
	self[n] = '\0';
	snprintf(repo, len, "%s/../..", dirname(self));
}

/* A whole regular file in memory, NUL-terminated, or NULL. */
static inline uint8_t *test_slurp(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd = open(path, O_RDONLY);

	*size = 0;
	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode))
		buf = malloc((size_t)st.st_size + 1);
	while (buf && *size < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + *size, (size_t)st.st_size - *size);

		if (n <= 0)
			break;
		*size += (size_t)n;
	}
	close(fd);
	if (buf)
		buf[*size] = '\0';
	return buf;
}

/* The number of the first line of REPO/rel containing text, or 0. */
static inline uint32_t test_source_line(const char *repo, const char *rel,
					const char *text)
{
	char path[PATH_MAX + 64], line[512];
	uint32_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", repo, rel);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, text)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	return 0;
}

/* len bytes of the file at off into buf: 0, or -1 when unreadable or short. */
static inline int test_file_bytes(const char *path, uint64_t off, uint8_t *buf,
				  size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, (off_t)off);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

#endif
