// SPDX-License-Identifier: GPL-2.0
/*
 * Processes by cgroup v2: capture --cgroup PATH and --container ID. A
 * container is found by the name its runtime gives its cgroup, so no
 * runtime is asked (none needs to run on the host, and none is trusted
 * more than the cgroup tree root can see). Walks are bounded in depth
 * and in directories, and never follow a symbolic link.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/cgroup.h"
#include "base/util.h"

#define CGROUP2_MAGIC	0x63677270	/* CGROUP2_SUPER_MAGIC, <linux/magic.h> */
#define DIRS_MAX	100000		/* cgroups looked at in one walk */
#define ID_LEN		64
#define PATH_LEN	4096
#define FILE_LEN	(PATH_LEN + 16)	/* PATH/cgroup.procs */

int cgroup_check_root(const char *root, char *err, size_t errlen)
{
	struct statfs st;

	if (statfs(root, &st)) {
		snprintf(err, errlen, "cannot read %s: %s", root, strerror(errno));
		return -1;
	}
	if (st.f_type != CGROUP2_MAGIC) {
		snprintf(err, errlen, "%s is not a cgroup v2 mount (cgroup v1 is not "
			 "supported)", root);
		return -1;
	}
	return 0;
}

/* Whether path has a ".." component. */
static bool climbs(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, "..")) != NULL) {
		if ((p == path || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return true;
		p += 2;
	}
	return false;
}

int cgroup_dir(const char *root, const char *path, char *dir, size_t len,
	       char *err, size_t errlen)
{
	size_t rl = strlen(root);
	char procs[FILE_LEN];
	struct stat st;
	int n;

	if (!*path) {
		snprintf(err, errlen, "empty cgroup path");
		return -1;
	}
	if (climbs(path)) {
		snprintf(err, errlen, "cgroup path '%s' has a '..'", path);
		return -1;
	}
	if (!strncmp(path, root, rl) && (path[rl] == '/' || !path[rl]))
		n = snprintf(dir, len, "%s", path);
	else
		n = snprintf(dir, len, "%s%s%s", root, *path == '/' ? "" : "/", path);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "cgroup path '%s' is too long", path);
		return -1;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode) || access(procs, F_OK)) {
		snprintf(err, errlen, "no cgroup '%s' (no %s)", path, procs);
		return -1;
	}
	return 0;
}

/* ---- walking a tree ------------------------------------------------- */

struct walk {
	size_t dirs;		/* directories seen */
	bool too_big;
	/* called for each cgroup below the start, before its children; true: skip them */
	bool (*visit)(struct walk *w, const char *path, const char *name);
};

static bool is_dir(int dfd, const struct dirent *e)
{
	struct stat st;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_DIR;
	return !fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode);
}

static void walk_below(struct walk *w, const char *path, int depth)
{
	char sub[PATH_LEN];
	struct dirent *e;
	DIR *d;

	if (depth > CGROUP_DEPTH_MAX)
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !is_dir(dirfd(d), e))
			continue;
		if (++w->dirs > DIRS_MAX) {
			w->too_big = true;
			break;
		}
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= sizeof(sub))
			continue;
		if (!w->visit(w, sub, e->d_name))
			walk_below(w, sub, depth + 1);
	}
	closedir(d);
}

/* ---- containers ----------------------------------------------------- */

struct find {
	struct walk w;
	const char *id;
	size_t idlen;
	char full[ID_LEN + 1];	/* the first container that matched */
	char *dir;
	size_t len;
	int matches;		/* distinct containers */
};

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* The container ID a runtime's cgroup name holds, or NULL. */
static const char *id_of(const char *name)
{
	static const char *const prefixes[] = {
		"docker-", "cri-containerd-", "crio-", "libpod-",
	};
	size_t n = strlen(name), i, pl;

	if (n == ID_LEN)
		return all_hex(name, n) ? name : NULL;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		pl = strlen(prefixes[i]);
		if (n == pl + ID_LEN + strlen(".scope") && !strncmp(name, prefixes[i], pl) &&
		    !strcmp(name + pl + ID_LEN, ".scope") && all_hex(name + pl, ID_LEN))
			return name + pl;
	}
	return NULL;
}

static bool visit_find(struct walk *w, const char *path, const char *name)
{
	struct find *f = (struct find *)w;
	const char *id = id_of(name);

	if (!id || strncmp(id, f->id, f->idlen))
		return false;
	if (!f->matches || strncmp(f->full, id, ID_LEN)) {
		if (!f->matches) {
			memcpy(f->full, id, ID_LEN);
			f->full[ID_LEN] = '\0';
			snprintf(f->dir, f->len, "%s", path);
		}
		f->matches++;
	}
	return true;	/* a container's own cgroups are its */
}

int cgroup_container(const char *root, const char *id, char *dir, size_t len,
		     char *err, size_t errlen)
{
	struct find f = { .w.visit = visit_find, .id = id, .dir = dir, .len = len };

	f.idlen = strlen(id);
	if (!f.idlen || f.idlen > ID_LEN || !all_hex(id, f.idlen)) {
		snprintf(err, errlen, "invalid container ID '%s' (1 to 64 lowercase hex digits)",
			 id);
		return -1;
	}
	walk_below(&f.w, root, 0);
	if (f.matches == 1)
		return 0;
	if (f.matches > 1)
		snprintf(err, errlen, "container ID '%s' is ambiguous: %d containers' IDs "
			 "start with it", id, f.matches);
	else
		snprintf(err, errlen, "no container '%s': no cgroup under %s is named "
			 "after it%s", id, root, f.w.too_big ? " (the walk stopped at "
			 "100000 cgroups)" : "");
	return -1;
}

/* ---- processes ------------------------------------------------------ */

struct collect {
	struct walk w;
	uint32_t *pids;
	size_t n, max;
	bool too_many;
	int err;		/* errno of a cgroup.procs that could not be read */
	char bad[FILE_LEN];
};

static void read_procs(struct collect *c, const char *path)
{
	char file[FILE_LEN];
	unsigned long v;
	char line[32], *end;
	FILE *f;

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	f = fopen(file, "re");
	if (!f) {
		/* A cgroup removed during the walk had no process left. */
		if (errno != ENOENT && !c->err) {
			c->err = errno;
			snprintf(c->bad, sizeof(c->bad), "%s", file);
		}
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		v = strtoul(line, &end, 10);
		/* 0: a process of another PID namespace, which has no number here */
		if (end == line || (*end != '\n' && *end) || !v || v > INT32_MAX)
			continue;
		if (c->n == c->max) {
			c->too_many = true;
			break;
		}
		c->pids = xreallocarray(c->pids, c->n + 1, sizeof(*c->pids));
		c->pids[c->n++] = (uint32_t)v;
	}
	fclose(f);
}

static bool visit_collect(struct walk *w, const char *path, const char *name)
{
	struct collect *c = (struct collect *)w;

	(void)name;
	read_procs(c, path);
	return c->too_many;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int cgroup_pids(const char *dir, size_t max, uint32_t **pids, size_t *n,
		char *err, size_t errlen)
{
	struct collect c = { .w.visit = visit_collect, .max = max };
	size_t i, out = 0;

	/* A process moves between cgroups while we walk: counted once. */
	read_procs(&c, dir);
	if (!c.too_many)
		walk_below(&c.w, dir, 0);
	if (c.err) {
		snprintf(err, errlen, "cannot read %s: %s", c.bad, strerror(c.err));
		free(c.pids);
		return -1;
	}
	if (c.n)
		qsort(c.pids, c.n, sizeof(*c.pids), cmp_u32);
	for (i = 0; i < c.n; i++)
		if (!out || c.pids[out - 1] != c.pids[i])
			c.pids[out++] = c.pids[i];
	if (c.too_many || c.w.too_big) {
		snprintf(err, errlen, "%s holds more than %zu processes", dir, max);
		free(c.pids);
		return -1;
	}
	*pids = c.pids;
	*n = out;
	return 0;
}
