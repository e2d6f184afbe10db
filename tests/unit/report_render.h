/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the tests of report's printers: one printer's output for a loaded
 * report, as a string the test frees.
 */
#ifndef TEST_REPORT_RENDER_H
#define TEST_REPORT_RENDER_H

#include <stdio.h>

#include "cmd/report.h"

static inline char *render(const struct report *r, void (*print)(const struct report *, FILE *))
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	print(r, f);
	fclose(f);
	return buf;
}

#endif
