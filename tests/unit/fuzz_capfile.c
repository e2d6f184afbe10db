// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point for the capture file reader and the report built
 * on it: 'make fuzz' builds ./fuzz_capfile (clang), run it with a corpus
 * directory, e.g. ./fuzz_capfile -max_total_time=60 corpus/.
 */
#include <stddef.h>
#include <stdint.h>

#include "capfile.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct capfile_visitor none = { 0 };
	struct report r;
	char err[256];

	capfile_parse(data, size, &none, NULL, NULL, err, sizeof(err));
	if (report_load(&r, data, size, err, sizeof(err)) == 0) {
		FILE *devnull = fopen("/dev/null", "w");

		report_print(&r, devnull);
		report_print_json(&r, devnull);
		fclose(devnull);
	}
	report_free(&r);
	return 0;
}
