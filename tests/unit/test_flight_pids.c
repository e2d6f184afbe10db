// SPDX-License-Identifier: GPL-2.0
/* The processes a flight recorder attached, for its snapshots (ctl/cmd/flight_pids.c). */
#include <stdlib.h>
#include <unistd.h>

#include "base/proc.h"
#include "cmd/flight_pids.h"
#include "test.h"

int main(void)
{
	char dir[] = "/tmp/godiag-pids-XXXXXX", path[300], comm[64], exe[4096];
	uint32_t self = (uint32_t)getpid();
	const struct flight_pid *e;
	struct flight_pid *v;
	size_t n;
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	/* A directory to be made, below the one that exists. */
	snprintf(path, sizeof(path), "%s/run/flight", dir);
	setenv("GODIAG_RUN_DIR", path, 1);
	proc_comm((pid_t)self, comm, sizeof(comm));
	proc_exe((pid_t)self, exe, sizeof(exe));

	test_begin("pids: noted, loaded back with comm and executable");
	flight_pids_note("api", 7, self);
	flight_pids_note("api", 7, 1);
	flight_pids_load("api", 7, &v, &n);
	CHECK_U64(n, 2);
	e = flight_pids_find(v, n, self);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->comm, comm);
		CHECK_STR(e->exe, exe);
	}
	CHECK(flight_pids_find(v, n, 12345678) == NULL);
	free(v);
	test_end();

	test_begin("pids: another session's file is not this one's");
	flight_pids_load("api", 8, &v, &n);
	CHECK_U64(n, 0);
	CHECK(v == NULL);
	flight_pids_note("api", 8, self);
	flight_pids_load("api", 8, &v, &n);
	CHECK_U64(n, 1);
	free(v);
	flight_pids_load("api", 7, &v, &n);
	CHECK_U64(n, 0);
	free(v);
	test_end();

	test_begin("pids: bad lines are skipped, the newest entry of a pid wins");
	snprintf(path, sizeof(path), "%s/run/flight/db.pids", dir);
	f = fopen(path, "w");
	fputs("session 3\n0\tzero\t\t\t/x\njunk\n42\told\tgnu:aa\tgo1.19\t/srv/old api\n"
	      "42\tnew\tgnu:bb\tgo1.23\t/srv/new\n", f);
	fclose(f);
	flight_pids_load("db", 3, &v, &n);
	CHECK_U64(n, 2);
	e = flight_pids_find(v, n, 42);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->comm, "new");
		CHECK_STR(e->build_id, "gnu:bb");
		CHECK_STR(e->go_version, "go1.23");
		CHECK_STR(e->exe, "/srv/new");
	}
	if (n == 2)
		CHECK_STR(v[0].exe, "/srv/old api");
	free(v);
	test_end();

	test_begin("args: saved for a session, loaded back after \"start\"");
	{
		char *in[] = { "api", "--comm", "api", "--if", "x > 1 && y", "--goroutines" };
		char **out;
		int argc, i;

		flight_pids_save_args("api", 9, 6, in);
		CHECK(flight_pids_load_args("api", 8, &argc, &out) == -1);
		CHECK(out == NULL);
		CHECK(flight_pids_load_args("api", 9, &argc, &out) == 0);
		CHECK(argc == 7);
		if (argc == 7) {
			CHECK_STR(out[0], "start");
			for (i = 0; i < 6; i++)
				CHECK_STR(out[i + 1], in[i]);
			CHECK(out[7] == NULL);
		}
		flight_pids_free_args(out);
		CHECK(flight_pids_load_args("none", 9, &argc, &out) == -1);
	}
	test_end();

	test_begin("pids: removed");
	flight_pids_remove("api");
	flight_pids_remove("db");
	flight_pids_remove("none");
	flight_pids_load("api", 8, &v, &n);
	CHECK_U64(n, 0);
	{
		char **out;
		int argc;

		CHECK(flight_pids_load_args("api", 9, &argc, &out) == -1);
	}
	/* Nothing else is left in the directory. */
	snprintf(path, sizeof(path), "%s/run/flight", dir);
	CHECK(!rmdir(path));
	snprintf(path, sizeof(path), "%s/run", dir);
	CHECK(!rmdir(path));
	CHECK(!rmdir(dir));
	test_end();
	return test_summary();
}
