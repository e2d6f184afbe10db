/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the tests of the commands' printers (base/print.h): run one walk
 * as text and as JSON, and find the values the text shows that the JSON
 * does not carry (by their paths, "sessions[].cpus[].lost").
 */
#ifndef TEST_PRINT_AUDIT_H
#define TEST_PRINT_AUDIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/print.h"

#define AUDIT_PATHS	256

struct audit {
	char path[2][AUDIT_PATHS][PRINT_PATH_MAX];	/* [json]: each path once */
	size_t n[2];
};

static inline void audit_note(void *arg, bool json, const char *path)
{
	struct audit *a = arg;
	size_t i;

	for (i = 0; i < a->n[json]; i++)
		if (!strcmp(a->path[json][i], path))
			return;
	if (a->n[json] < AUDIT_PATHS)
		snprintf(a->path[json][a->n[json]++], PRINT_PATH_MAX, "%s", path);
}

/*
 * walk(p, arg) as text, then as JSON, into a; returns how many paths the
 * text has that the JSON lacks (each named in a "#" line).
 */
static inline size_t audit_walk(struct audit *a, void (*walk)(struct printer *, const void *),
				const void *arg)
{
	struct printer p = { .audit = audit_note, .audit_arg = a };
	FILE *null = fopen("/dev/null", "w");
	size_t i, k, missing = 0;
	int json;

	memset(a, 0, sizeof(*a));
	for (json = 0; json < 2; json++) {
		print_begin(&p, null, json);
		walk(&p, arg);
		print_end(&p);
	}
	fclose(null);
	for (i = 0; i < a->n[0]; i++) {
		for (k = 0; k < a->n[1]; k++)
			if (!strcmp(a->path[0][i], a->path[1][k]))
				break;
		if (k == a->n[1]) {
			printf("# the text shows %s, the JSON does not\n", a->path[0][i]);
			missing++;
		}
	}
	return missing;
}

/*
 * The number of the first member "key":N in json at or after from, and
 * where it ends in *end; UINT64_MAX when there is none.
 */
static inline uint64_t json_number(const char *from, const char *key, const char **end)
{
	char want[128];
	const char *at;
	char *e;
	uint64_t v;

	snprintf(want, sizeof(want), "\"%s\":", key);
	at = strstr(from, want);
	if (!at)
		return UINT64_MAX;
	v = strtoull(at + strlen(want), &e, 10);
	if (e == at + strlen(want))
		return UINT64_MAX;
	if (end)
		*end = e;
	return v;
}

#endif
