// SPDX-License-Identifier: GPL-2.0
/*
 * capture --cgroup and --container (ctl/base/cgroup.c) on a cgroup tree
 * of our own: a cgroup's processes are those of its cgroup.procs and of
 * every cgroup below it, each once and ascending; a container is found by
 * the names Docker, containerd, CRI-O and Podman give their cgroups, not
 * by a monitor's (conmon) nor by a prefix that names two; what names
 * nothing says so in one line.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cgroup.h"
#include "test.h"

static char root[] = "/tmp/test_cgroup.XXXXXX";

#define A64 "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111"
#define B64 "bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222"
#define C64 "aaaa1111cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333cccc3333"

/* A cgroup at root/rel holding pids (a text as the kernel writes it). */
static void cg(const char *rel, const char *procs)
{
	char path[PATH_MAX], file[PATH_MAX + 16], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		abort();
	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	f = fopen(file, "w");
	if (!f || fputs(procs, f) < 0 || fclose(f))
		abort();
}

/* The PIDs as "1 2 3", or "error: ..." */
static const char *pids_of(const char *dir, size_t max)
{
	static char out[512];
	char err[256];
	uint32_t *pids = NULL;
	size_t n = 0, i, used = 0;

	if (cgroup_pids(dir, max, &pids, &n, err, sizeof(err))) {
		snprintf(out, sizeof(out), "error: %s", err);
		return out;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%u",
					 i ? " " : "", pids[i]);
	free(pids);
	return out;
}

/* The cgroup path (under root) of container id, or "error: ..." */
static const char *container(const char *id)
{
	static char out[PATH_MAX + 256];
	char dir[PATH_MAX], err[256];

	if (cgroup_container(root, id, dir, sizeof(dir), err, sizeof(err)))
		snprintf(out, sizeof(out), "error: %s", err);
	else
		snprintf(out, sizeof(out), "%s", dir + strlen(root));
	return out;
}

static const char *dir_of(const char *path)
{
	static char out[PATH_MAX + 256];
	char dir[PATH_MAX], err[256];

	if (cgroup_dir(root, path, dir, sizeof(dir), err, sizeof(err)))
		snprintf(out, sizeof(out), "error: %s", err);
	else
		snprintf(out, sizeof(out), "%s", dir + strlen(root));
	return out;
}

static void build_tree(void)
{
	cg("", "1\n");
	cg("system.slice", "");
	cg("system.slice/api.service", "300\n120\n");
	cg("system.slice/api.service/worker", "121\n300\n");	/* 300 moved meanwhile */
	cg("system.slice/api.service/worker/deep", "5000\n0\n");	/* 0: another pidns */
	cg("system.slice/docker-" A64 ".scope", "700\n701\n");
	cg("system.slice/docker-" A64 ".scope/init.scope", "702\n");
	cg("machine.slice/libpod-conmon-" B64 ".scope", "800\n");
	cg("machine.slice/libpod-" B64 ".scope", "801\n");
	cg("kubepods/burstable/pod1234/" C64, "900\n");
	cg("empty.slice", "");
}

static void test_pids(void)
{
	char dir[PATH_MAX];

	test_begin("a cgroup's processes: its own and its children's, each once, ascending");
	snprintf(dir, sizeof(dir), "%s/system.slice/api.service", root);
	CHECK_STR(pids_of(dir, 1024), "120 121 300 5000");
	test_end();

	test_begin("a leaf cgroup's processes");
	snprintf(dir, sizeof(dir), "%s/system.slice/api.service/worker/deep", root);
	CHECK_STR(pids_of(dir, 1024), "5000");
	test_end();

	test_begin("an empty cgroup has none");
	snprintf(dir, sizeof(dir), "%s/empty.slice", root);
	CHECK_STR(pids_of(dir, 1024), "");
	test_end();

	test_begin("more processes than the targets a capture takes: refused");
	snprintf(dir, sizeof(dir), "%s/system.slice/api.service", root);
	CHECK(!strncmp(pids_of(dir, 3), "error: ", 7));
	CHECK(strstr(pids_of(dir, 3), "holds more than 3 processes") != NULL);
	test_end();
}

static void test_dirs(void)
{
	char full[PATH_MAX + 64];

	test_begin("--cgroup as /proc/PID/cgroup writes it");
	CHECK_STR(dir_of("/system.slice/api.service"), "/system.slice/api.service");
	test_end();

	test_begin("--cgroup relative to the root");
	CHECK_STR(dir_of("system.slice/api.service"), "/system.slice/api.service");
	test_end();

	test_begin("--cgroup in full");
	snprintf(full, sizeof(full), "%s/system.slice/api.service", root);
	CHECK_STR(dir_of(full), "/system.slice/api.service");
	test_end();

	test_begin("--cgroup that does not exist");
	snprintf(full, sizeof(full), "error: no cgroup '/nope.slice' (no %s/nope.slice/cgroup.procs)",
		 root);
	CHECK_STR(dir_of("/nope.slice"), full);
	test_end();

	test_begin("--cgroup with '..' is refused");
	CHECK_STR(dir_of("/system.slice/../../etc"),
		  "error: cgroup path '/system.slice/../../etc' has a '..'");
	test_end();

	test_begin("--cgroup ''");
	CHECK_STR(dir_of(""), "error: empty cgroup path");
	test_end();
}

static void test_containers(void)
{
	char want[PATH_MAX + 256];

	test_begin("a Docker container by its full ID");
	CHECK_STR(container(A64), "/system.slice/docker-" A64 ".scope");
	test_end();

	test_begin("a Docker container by its short ID (docker ps)");
	CHECK_STR(container("aaaa1111aaaa"), "/system.slice/docker-" A64 ".scope");
	test_end();

	test_begin("a Podman container: its own cgroup, not conmon's");
	CHECK_STR(container("bbbb2222"), "/machine.slice/libpod-" B64 ".scope");
	test_end();

	test_begin("a Kubernetes container (cgroupfs driver: the ID alone)");
	CHECK_STR(container("aaaa1111cccc"), "/kubepods/burstable/pod1234/" C64);
	test_end();

	test_begin("a container's processes, its cgroups below included");
	snprintf(want, sizeof(want), "%s/system.slice/docker-" A64 ".scope", root);
	CHECK_STR(pids_of(want, 1024), "700 701 702");
	test_end();

	test_begin("a prefix two containers share is refused");
	CHECK_STR(container("aaaa1111"),
		  "error: container ID 'aaaa1111' is ambiguous: 2 containers' IDs start with it");
	test_end();

	test_begin("an unknown container");
	snprintf(want, sizeof(want), "error: no container 'dead': no cgroup under %s is "
		 "named after it", root);
	CHECK_STR(container("dead"), want);
	test_end();

	test_begin("a container ID that is not hex");
	CHECK_STR(container("web-1"),
		  "error: invalid container ID 'web-1' (1 to 64 lowercase hex digits)");
	test_end();
}

static void test_root(void)
{
	char err[256];

	test_begin("a directory that is not a cgroup v2 mount is refused");
	CHECK(cgroup_check_root(root, err, sizeof(err)) == -1);
	CHECK(strstr(err, "is not a cgroup v2 mount") != NULL);
	test_end();
}

int main(void)
{
	char cmd[PATH_MAX + 16];
	int ret;

	if (!mkdtemp(root))
		return 2;
	build_tree();
	test_pids();
	test_dirs();
	test_containers();
	test_root();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ret = system(cmd);
	(void)ret;
	return test_summary();
}
