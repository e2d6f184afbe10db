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

#endif
