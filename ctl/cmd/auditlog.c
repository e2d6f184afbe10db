// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl's own audit log: one JSON line when a capture starts and one
 * when it stops, appended to /var/log/godiag/audit.log (GODIAG_AUDIT_LOG
 * overrides the path). The module's audit trail is the authoritative
 * record; this one adds what only the tool knows: the command line, the
 * output file, why the capture ended, how much it recorded. A log that
 * cannot be written never fails the capture: it is said once on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "base/util.h"
#include "cmd/capture.h"
#include "module/names.h"

#define AUDIT_LOG_DEFAULT	"/var/log/godiag/audit.log"

static bool warned;

static const char *log_path(void)
{
	const char *p = getenv("GODIAG_AUDIT_LOG");

	return p && *p ? p : AUDIT_LOG_DEFAULT;
}

/* The default directory is made (0750) on first use; an override's is not. */
static int open_log(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);

	if (fd < 0 && errno == ENOENT && !strcmp(path, AUDIT_LOG_DEFAULT) &&
	    (!mkdir("/var/log/godiag", 0750) || errno == EEXIST))
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	return fd;
}

/* One write() with O_APPEND: lines of concurrent captures never mix. */
static void append(const char *text, size_t len)
{
	const char *path = log_path();
	int fd = open_log(path), err = 0;
	ssize_t n;

	if (fd < 0) {
		err = errno;
	} else {
		n = write(fd, text, len);
		if (n < 0)
			err = errno;
		else if ((size_t)n != len)
			err = ENOSPC;
		if (close(fd) && !err)
			err = errno;
	}
	if (err && !warned) {
		warned = true;
		warn("cannot append to %s: %s; the capture goes on (the module's "
		     "audit trail has it)", path, strerror(err));
	}
}

static void iso_time(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts.tv_nsec / 1000);
}

static void who(struct json *j)
{
	char host[256] = "", t[64];

	gethostname(host, sizeof(host) - 1);
	iso_time(t, sizeof(t));
	json_kv_string(j, "time", t);
	json_kv_string(j, "host", host);
	json_kv_u64(j, "uid", getuid());
	json_kv_u64(j, "euid", geteuid());
	json_kv_u64(j, "pid", (uint64_t)getpid());
}

static void targets(struct json *j, const struct capture *c)
{
	size_t i;

	json_key(j, "targets");
	json_array_begin(j);
	for (i = 0; i < c->ntargets; i++) {
		json_object_begin(j);
		json_kv_u64(j, "pid", c->targets[i].pid);
		json_kv_string(j, "comm", c->targets[i].comm);
		json_object_end(j);
	}
	json_array_end(j);
}

static void options(struct json *j, const struct capture *c)
{
	const struct capture_opts *o = c->o;
	char events[64];
	size_t i;

	events_format(capture_events(o), events, sizeof(events));
	json_key(j, "options");
	json_object_begin(j);
	json_kv_string(j, "events", events);
	json_kv_bool(j, "follow_children", o->follow);
	json_kv_string(j, "mode", mode_name(o->mode));
	json_kv_u64(j, "buffer", o->buffer);
	json_kv_u64(j, "duration_ns", o->duration_ns);
	json_kv_u64(j, "max_duration_ms", o->max_lifetime_ms);
	json_kv_string_or_null(j, "cgroup", o->cgroup);
	json_kv_string_or_null(j, "container", o->container);
	json_key(j, "breaks");
	json_array_begin(j);
	for (i = 0; i < o->nbreaks; i++)
		json_string(j, o->breaks[i].spec);
	json_array_end(j);
	json_object_end(j);
}

void auditlog_capture(const struct capture *c, const char *event,
		      const char *reason, uint64_t records, uint64_t lost)
{
	struct json j;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	json_init(&j, f);
	json_object_begin(&j);
	json_kv_string(&j, "event", event);
	who(&j);
	json_kv_u64(&j, "session", c->session);
	targets(&j, c);
	options(&j, c);
	json_kv_string(&j, "output", c->o->output);
	json_kv_string(&j, "command_line", c->o->command_line);
	if (reason) {
		json_kv_string(&j, "reason", reason);
		json_kv_u64(&j, "records", records);
		json_kv_u64(&j, "lost", lost);
	}
	json_object_end(&j);
	if (!fclose(f) && len)
		append(text, len);
	free(text);
}
