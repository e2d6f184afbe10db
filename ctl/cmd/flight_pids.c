// SPDX-License-Identifier: GPL-2.0
/*
 * The processes a flight recorder attached, for its snapshots
 * (flight_pids.h). One line per process after a "session ID" line:
 * PID, comm, build id, Go version and executable, tab-separated (a tab
 * or newline in a name becomes '?'; the executable, last, may hold
 * blanks).
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/util.h"
#include "cmd/flight_pids.h"
#include "gobin/buildid.h"

static const char *run_dir(void)
{
	const char *d = getenv("GODIAG_RUN_DIR");

	return d && *d ? d : FLIGHT_RUN_DIR;
}

static void file_of(const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s.pids", run_dir(), name);
}

/* mkdir -p of the directory, 0755: best effort. */
static void make_dir(void)
{
	char dir[4096], *p;

	snprintf(dir, sizeof(dir), "%s", run_dir());
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	mkdir(dir, 0755);
}

static void clean(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n')
			*s = '?';
}

/* The session the file at path belongs to, 0 if none, and its lines. */
static uint32_t file_session(const char *path, size_t *lines)
{
	char line[8192];
	unsigned int id = 0;
	FILE *f = fopen(path, "re");

	*lines = 0;
	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "session %u", &id) != 1)
		id = 0;
	while (fgets(line, sizeof(line), f))
		(*lines)++;
	fclose(f);
	return id;
}

void flight_pids_note(const char *name, uint32_t session, uint32_t pid)
{
	struct flight_pid e;
	char path[4200], exe[64];
	size_t lines;
	bool fresh;
	FILE *f;

	file_of(name, path, sizeof(path));
	fresh = file_session(path, &lines) != session;
	if (!fresh && lines >= FLIGHT_PIDS_MAX)
		return;
	memset(&e, 0, sizeof(e));
	proc_comm((pid_t)pid, e.comm, sizeof(e.comm));
	proc_exe((pid_t)pid, e.exe, sizeof(e.exe));
	snprintf(exe, sizeof(exe), "/proc/%u/exe", pid);
	buildid_read(exe, e.build_id, sizeof(e.build_id));
	buildid_go_version(exe, e.go_version, sizeof(e.go_version));
	clean(e.comm);
	clean(e.exe);
	clean(e.build_id);
	clean(e.go_version);
	make_dir();
	f = fopen(path, fresh ? "we" : "ae");
	if (!f)
		return;
	if (fresh)
		fprintf(f, "session %u\n", session);
	fprintf(f, "%u\t%s\t%s\t%s\t%s\n", pid, e.comm, e.build_id, e.go_version, e.exe);
	fclose(f);
}

/* Splits a line's next tab-separated field off *s. */
static char *field(char **s)
{
	char *f = *s, *t = strchr(f, '\t');

	if (t) {
		*t = '\0';
		*s = t + 1;
	} else {
		*s = f + strlen(f);
	}
	return f;
}

static bool parse_line(char *line, struct flight_pid *e)
{
	char *s = line;
	uint32_t pid;

	line[strcspn(line, "\n")] = '\0';
	if (parse_u32(field(&s), 1, 0x3fffffff, &pid))
		return false;
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	snprintf(e->comm, sizeof(e->comm), "%s", field(&s));
	snprintf(e->build_id, sizeof(e->build_id), "%s", field(&s));
	snprintf(e->go_version, sizeof(e->go_version), "%s", field(&s));
	snprintf(e->exe, sizeof(e->exe), "%s", s);
	return true;
}

void flight_pids_load(const char *name, uint32_t session, struct flight_pid **v, size_t *n)
{
	char path[4200], line[8192];
	unsigned int id;
	struct flight_pid e;
	FILE *f;

	*v = NULL;
	*n = 0;
	file_of(name, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "session %u", &id) != 1 ||
	    id != session) {
		fclose(f);
		return;
	}
	while (*n < FLIGHT_PIDS_MAX && fgets(line, sizeof(line), f)) {
		if (!parse_line(line, &e))
			continue;
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = e;
	}
	fclose(f);
}

const struct flight_pid *flight_pids_find(const struct flight_pid *v, size_t n, uint32_t pid)
{
	size_t i;

	/* The newest entry: a number may come back for another process. */
	for (i = n; i-- > 0;)
		if (v[i].pid == pid)
			return &v[i];
	return NULL;
}

/* ---- what a recorder follows ------------------------------------------ */

const char *flight_pids_args_path(const char *name)
{
	static char path[4200];

	snprintf(path, sizeof(path), "%s/%s.args", run_dir(), name);
	return path;
}

void flight_pids_save_args(const char *name, uint32_t session, int argc, char *const *argv)
{
	const char *path = flight_pids_args_path(name);
	FILE *f;
	int i;

	for (i = 0; i < argc; i++)
		if (strchr(argv[i], '\n')) {
			warn("%s: an option holds a newline: flight daemon %s will not follow",
			     path, name);
			return;
		}
	make_dir();
	f = fopen(path, "we");
	if (!f) {
		warn("cannot write %s: %s: flight daemon %s will not follow", path,
		     strerror(errno), name);
		return;
	}
	fprintf(f, "session %u\n", session);
	for (i = 0; i < argc; i++)
		fprintf(f, "%s\n", argv[i]);
	if (fclose(f))
		warn("cannot write %s: %s", path, strerror(errno));
}

int flight_pids_load_args(const char *name, uint32_t session, int *argc, char ***argv)
{
	char line[8192];
	unsigned int id;
	size_t n;
	FILE *f = fopen(flight_pids_args_path(name), "re");

	*argc = 0;
	*argv = NULL;
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) || sscanf(line, "session %u", &id) != 1 ||
	    id != session) {
		fclose(f);
		return -1;
	}
	*argv = xcalloc(2, sizeof(**argv));
	(*argv)[0] = xstrdup("start");
	for (n = 1; fgets(line, sizeof(line), f) && n < FLIGHT_ARGS_MAX; n++) {
		line[strcspn(line, "\n")] = '\0';
		*argv = xreallocarray(*argv, n + 2, sizeof(**argv));
		(*argv)[n] = xstrdup(line);
		(*argv)[n + 1] = NULL;
	}
	fclose(f);
	*argc = (int)n;
	return 0;
}

void flight_pids_free_args(char **argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

void flight_pids_remove(const char *name)
{
	char path[4200];

	file_of(name, path, sizeof(path));
	if (unlink(path) && errno != ENOENT)
		warn("cannot remove %s: %s", path, strerror(errno));
	if (unlink(flight_pids_args_path(name)) && errno != ENOENT)
		warn("cannot remove %s: %s", flight_pids_args_path(name), strerror(errno));
}
