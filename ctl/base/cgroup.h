/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Processes by cgroup (v2), for capture's --cgroup PATH and --container
 * ID: a cgroup's directory, the cgroup of a container found by its ID in
 * the names runtimes give their cgroups, and the processes in a cgroup
 * and every cgroup below it. The root is a parameter so that the unit
 * tests walk a tree of their own.
 */
#ifndef GODIAGCTL_CGROUP_H
#define GODIAGCTL_CGROUP_H

#include <stddef.h>
#include <stdint.h>

#define CGROUP_ROOT		"/sys/fs/cgroup"
#define CGROUP_DEPTH_MAX	32	/* levels walked below a cgroup */

/* 0, or -1 with why in err: root is not a cgroup v2 mount. */
int cgroup_check_root(const char *root, char *err, size_t errlen);

/*
 * The directory of cgroup path: a directory under root named from root
 * ("/system.slice/api.service", as /proc/PID/cgroup writes it) or in full
 * ("/sys/fs/cgroup/system.slice/api.service"). 0, or -1 with err.
 */
int cgroup_dir(const char *root, const char *path, char *dir, size_t len,
	       char *err, size_t errlen);

/*
 * The cgroup of container id (hex, a prefix of the 64-digit ID as
 * `docker ps` shows it): the directory under root named after it, as
 * Docker, containerd, CRI-O and Podman name them ("ID",
 * "docker-ID.scope", "cri-containerd-ID.scope", "crio-ID.scope",
 * "libpod-ID.scope"); the outermost when nested. 0, or -1 with err (none,
 * or the prefix names more than one container).
 */
int cgroup_container(const char *root, const char *id, char *dir, size_t len,
		     char *err, size_t errlen);

/*
 * The processes (their PIDs in our namespace, from cgroup.procs) of the
 * cgroup at dir and the cgroups below it, ascending and each once,
 * appended to *pids (*n of them, xreallocarray'd). At most max in all.
 * 0, or -1 with err.
 */
int cgroup_pids(const char *dir, size_t max, uint32_t **pids, size_t *n,
		char *err, size_t errlen);

#endif
