// SPDX-License-Identifier: GPL-2.0
/*
 * The watcher's snapshot directory: one capture file per trigger, named
 * by the trigger's time and the trigger, the newest --keep of them kept.
 * Files that are not snapshot names are never touched (a snapshot being
 * written is a hidden temporary, base/outfile.c).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd/flight.h"

#define SLUG_MAX	40
#define SUFFIX		".gdc"
/* "20261208T013045.123Z-t01-": 25 bytes before the slug. */
#define PREFIX_LEN	25

void flight_snap_name(char *buf, size_t len, uint64_t realtime_ns, unsigned int index,
		      const char *text)
{
	time_t sec = (time_t)(realtime_ns / 1000000000);
	char slug[SLUG_MAX + 1], stamp[32];
	size_t n = 0;
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	/* Letters and digits; anything else one '_', none at either end. */
	for (; *text && n < SLUG_MAX; text++) {
		if (isalnum((unsigned char)*text))
			slug[n++] = *text;
		else if (n && slug[n - 1] != '_')
			slug[n++] = '_';
	}
	while (n && slug[n - 1] == '_')
		n--;
	if (!n)
		slug[n++] = 'x';
	slug[n] = '\0';
	snprintf(buf, len, "%s.%03uZ-t%02u-%s" SUFFIX, stamp,
		 (unsigned int)(realtime_ns / 1000000 % 1000), index % 100, slug);
}

bool flight_snap_is_ours(const char *name)
{
	static const char shape[] = "ddddddddTdddddd.dddZ-tdd-";
	size_t i, n = strlen(name), sl = strlen(SUFFIX);

	if (n <= PREFIX_LEN + sl || strcmp(name + n - sl, SUFFIX))
		return false;
	for (i = 0; i < PREFIX_LEN; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)name[i]) : name[i] != shape[i])
			return false;
	for (i = PREFIX_LEN; i < n - sl; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	return true;
}

/* Ours first, oldest first (the names sort by time); the others after. */
static int by_age(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	bool ox = flight_snap_is_ours(x), oy = flight_snap_is_ours(y);

	if (ox != oy)
		return ox ? -1 : 1;
	return strcmp(x, y);
}

size_t flight_keep_select(const char **names, size_t n, size_t keep)
{
	size_t ours = 0, i;

	qsort(names, n, sizeof(*names), by_age);
	for (i = 0; i < n; i++)
		ours += flight_snap_is_ours(names[i]);
	return ours > keep ? ours - keep : 0;
}

int flight_keep_apply(const char *dir, size_t keep)
{
	const char **names = NULL;
	size_t n = 0, go, i;
	struct dirent *e;
	int removed = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (flight_snap_is_ours(e->d_name)) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	closedir(d);
	go = flight_keep_select(names, n, keep);
	for (i = 0; i < n; i++) {
		char path[4096];

		if (i < go) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			removed += !unlink(path);
		}
		free((void *)names[i]);
	}
	free(names);
	return removed;
}

int flight_mkdir(const char *dir)
{
	char path[4096];
	size_t i, n = strlen(dir);

	if (!n || n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (i = 1; i < n; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		path[i] = '/';
	}
	if (mkdir(path, 0750) && errno != EEXIST)
		return -1;
	return 0;
}
