// SPDX-License-Identifier: GPL-2.0
/* The text and JSON forms of 'godiagctl status', from ctl/cmd/status.c. */
#include <stdlib.h>

#include "cmd/print.h"
#include "module/status.h"
#include "print_audit.h"
#include "test.h"

static const struct godiag_status sample = {
	.version = "0.1.0",
	.abi = 1,
	.kernel = "6.1.0-50-amd64",
	.cpus = 2,
	.cpus_online = 2,
	.buffer_default = 1 << 20,
	.buffer_min = 16 << 10,
	.buffer_max = 256 << 20,
	.sessions = 0,
	.sessions_max = 16,
};

static char *render(void (*print)(const struct godiag_status *, FILE *))
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	print(&sample, f);
	fclose(f);
	return buf;
}

static void walk(struct printer *p, const void *st)
{
	status_walk(p, st);
}

/* The tool's own ABI is the header's. */
#define STR_(x)	#x
#define STR(x)	STR_(x)

int main(void)
{
	char *out;

	test_begin("status text");
	out = render(status_print);
	CHECK_STR(out,
		  "module      godiag 0.1.0 (ABI 1)\n"
		  "kernel      6.1.0-50-amd64\n"
		  "cpus        2 possible, 2 online\n"
		  "buffers     1.0 MiB per CPU by default (16 KiB .. 256 MiB)\n"
		  "sessions    0 of 16\n");
	free(out);
	test_end();

	test_begin("status json");
	out = render(status_print_json);
	CHECK_STR(out,
		  "{\"module\":{\"version\":\"0.1.0\",\"abi\":1},"
		  "\"kernel\":\"6.1.0-50-amd64\","
		  "\"cpus\":{\"possible\":2,\"online\":2},"
		  "\"buffer\":{\"default_bytes\":1048576,\"min_bytes\":16384,"
		  "\"max_bytes\":268435456},"
		  "\"sessions\":{\"count\":0,\"max\":16},"
		  "\"tool\":{\"version\":\"0.1.0\",\"abi\":" STR(GODIAG_ABI_VERSION) "}}\n");
	free(out);
	test_end();

	test_begin("status: --json carries every value the text shows");
	{
		static struct audit a;

		CHECK_U64(audit_walk(&a, walk, &sample), 0);
		CHECK_U64(a.n[0], 10);
		CHECK(a.n[1] > a.n[0]);
	}
	test_end();
	return test_summary();
}
