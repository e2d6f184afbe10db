// SPDX-License-Identifier: GPL-2.0
/* Small readers of /proc and /sys. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/proc.h"

bool proc_exists(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

bool proc_ended(pid_t pid)
{
	char path[64], buf[512], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n == 0 || errno == ESRCH;
	buf[n] = '\0';
	/* "PID (COMM) S ...": the state follows the last parenthesis */
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

void proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

void proc_exe(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, buf, len - 1);
	buf[n < 0 ? 0 : n] = '\0';
}

static const char *read_id(const char *s, unsigned int *id)
{
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 1U << 20)
			return NULL;
	}
	*id = (unsigned int)v;
	return s;
}

int cpu_list_parse(const char *s, unsigned int *ids, size_t max)
{
	size_t n = 0;
	unsigned int lo, hi, c;

	while (*s && *s != '\n') {
		s = read_id(s, &lo);
		if (!s)
			return -1;
		hi = lo;
		if (*s == '-' && !(s = read_id(s + 1, &hi)))
			return -1;
		if (hi < lo || (n && lo <= ids[n - 1]))
			return -1;
		for (c = lo; c <= hi; c++) {
			if (n == max)
				return -1;
			ids[n++] = c;
		}
		if (*s == ',' && s[1] >= '0' && s[1] <= '9')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return n ? (int)n : -1;
}

int cpu_possible(unsigned int *ids, size_t max)
{
	char line[4096];
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	int n = -1;

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		n = cpu_list_parse(line, ids, max);
	fclose(f);
	return n;
}

char *proc_read(const char *path, size_t max, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf, *bigger;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		if (n == cap) {
			if (cap >= max) {
				errno = EFBIG;
				break;
			}
			cap *= 2;
			bigger = realloc(buf, cap + 1);
			if (!bigger)
				break;
			buf = bigger;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			close(fd);
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	r = errno;
	free(buf);
	close(fd);
	errno = (int)r;
	return NULL;
}
