// SPDX-License-Identifier: GPL-2.0
/* Files written whole: a temporary renamed over the target (outfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/outfile.h"

#define TMP_TRIES	100

static char *dup_str(const char *s)
{
	char *d = strdup(s);

	if (!d)
		errno = ENOMEM;
	return d;
}

/* Six letters or digits, fresh for every try. */
static void random_tag(char *buf)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[6];
	struct timespec ts;
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)((ts.tv_nsec >> (i * 5)) ^ (getpid() >> i) ^ rand());
	}
	for (i = 0; i < sizeof(r); i++)
		buf[i] = chars[r[i] % (sizeof(chars) - 1)];
	buf[sizeof(r)] = '\0';
}

/* "DIR/.BASE.godiag-XXXXXX" for final "DIR/BASE", created with O_EXCL. */
static int open_tmp(struct outfile *f, mode_t mode)
{
	const char *slash = strrchr(f->final, '/');
	size_t dirlen = slash ? (size_t)(slash - f->final) + 1 : 0;
	const char *base = f->final + dirlen;
	size_t len = strlen(f->final) + sizeof(OUTFILE_TMP_TAG) + 8;
	char tag[8];
	int i;

	f->tmp = malloc(len);
	if (!f->tmp) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < TMP_TRIES; i++) {
		random_tag(tag);
		snprintf(f->tmp, len, "%.*s.%s" OUTFILE_TMP_TAG "%s", (int)dirlen,
			 f->final, base, tag);
		f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (f->fd >= 0 || errno != EEXIST)
			break;
	}
	if (f->fd < 0) {
		free(f->tmp);
		f->tmp = NULL;
		return -1;
	}
	return 0;
}

int outfile_open(struct outfile *f, const char *path, mode_t mode)
{
	struct stat st;
	char *real = NULL;
	int exists;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (!*path) {
		errno = ENOENT;
		return -1;
	}
	exists = stat(path, &st) == 0;
	if (!exists && errno != ENOENT)
		return -1;
	if (exists && !S_ISREG(st.st_mode)) {
		/* A pipe, a terminal, /dev/stdout: there is nothing to replace. */
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return -1;
		}
		f->fd = open(path, O_WRONLY | O_CLOEXEC);
		if (f->fd < 0)
			return -1;
		f->final = dup_str(path);
		return f->final ? 0 : -1;
	}
	/* A link to a file: replace the file, keep the link. */
	if (exists)
		real = realpath(path, NULL);
	f->final = real ? real : dup_str(path);
	if (!f->final)
		return -1;
	if (open_tmp(f, mode)) {
		int err = errno;

		free(f->final);
		f->final = NULL;
		errno = err;
		return -1;
	}
	return 0;
}

int outfile_commit(struct outfile *f)
{
	int err = 0;

	if (f->fd >= 0) {
		if (f->tmp && fsync(f->fd))
			err = errno;
		if (close(f->fd) && !err)
			err = errno;
		f->fd = -1;
	}
	if (!err && f->tmp && rename(f->tmp, f->final))
		err = errno;
	if (err) {
		errno = err;
		return -1;
	}
	free(f->tmp);
	f->tmp = NULL;
	return 0;
}

void outfile_discard(struct outfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	f->tmp = NULL;
}

void outfile_free(struct outfile *f)
{
	free(f->final);
	free(f->tmp);
	f->final = f->tmp = NULL;
}
