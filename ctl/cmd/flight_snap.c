// SPDX-License-Identifier: GPL-2.0
/*
 * flight snapshot: each CPU's buffer of a recorder copied without
 * consuming it (GODIAG_IOC_SNAPSHOT) and written as a capture file;
 * for the command and for the watcher's triggers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/util.h"
#include "cmd/capture.h"
#include "cmd/flight.h"
#include "cmd/flight_pids.h"
#include "gobin/buildid.h"
#include "module/names.h"
#include "module/sessinfo.h"

#define MAX_CPUS		8192

/* The recorder NAME in a dump (cmd: SESSION_GET or STATS_GET), or exit. */
struct session_info *flight_find(const struct cmd *c, struct gdnl *nl, uint8_t cmd,
				 const char *name, struct session_list *l)
{
	size_t i;
	int err = sessinfo_dump(nl, cmd, 0, l);

	if (err)
		gdnl_fail(nl, err);
	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	die(EXIT_USAGE, "%s: no recorder named %s", c->name, name);
}

/* ---- snapshot --------------------------------------------------------- */

/* One CPU's copy: the whole records of its valid part. */
struct cpu_snap {
	unsigned int cpu;
	uint8_t *buf;
	uint64_t off, end;	/* the valid part in buf */
	uint64_t written, lost;
	uint64_t kept, kept_lost, cut;	/* records kept, their markers' counts, before the window */
};

static void take(const struct cmd *c, int dev, uint32_t bufsize, struct cpu_snap *s)
{
	struct godiag_snapshot sn;

	memset(&sn, 0, sizeof(sn));
	s->buf = xmalloc(bufsize);
	sn.cpu = s->cpu;
	sn.buf = (uint64_t)(uintptr_t)s->buf;
	sn.len = bufsize;
	if (ioctl(dev, GODIAG_IOC_SNAPSHOT, &sn))
		die(EXIT_OPFAIL, "%s: cannot copy the buffer of CPU %u: %s", c->name, s->cpu,
		    strerror(errno));
	s->written = sn.written;
	s->lost = sn.lost;
	/* The writer lapped the copy: nothing in it is certain. */
	if (sn.valid_from >= sn.head || sn.valid_from < sn.first)
		return;
	s->off = sn.valid_from - sn.first;
	s->end = sn.head - sn.first;
}

/*
 * The records of one CPU from its window on, as the file stores them:
 * a LOST record first for what was overwritten before (the lost counter
 * less the markers kept), so the file's markers add up to the module's
 * count. PAD records are not stored.
 */
static void write_cpu(struct capture *c, struct cpu_snap *s, uint64_t cutoff)
{
	struct godiag_rec_lost before;
	uint64_t off, first_ts = 0, markers = 0;
	const struct godiag_rec *r;

	for (off = s->off; off + sizeof(*r) <= s->end; off += r->size) {
		r = (const void *)(s->buf + off);
		if (r->size < 8 || r->size % 8 || off + r->size > s->end)
			break;
		if (r->type == GODIAG_REC_PAD || r->size < sizeof(*r))
			continue;
		if (r->ts_ns < cutoff) {
			s->cut += r->type != GODIAG_REC_LOST;
			continue;
		}
		if (!first_ts)
			first_ts = r->ts_ns;
		if (r->type == GODIAG_REC_LOST && r->size >= sizeof(before))
			markers += ((const struct godiag_rec_lost *)r)->count;
	}
	s->kept_lost = s->lost > markers ? s->lost - markers : 0;
	if (s->kept_lost) {
		memset(&before, 0, sizeof(before));
		before.hdr.type = GODIAG_REC_LOST;
		before.hdr.size = sizeof(before);
		before.hdr.cpu = (uint16_t)s->cpu;
		before.hdr.ts_ns = first_ts ? first_ts : cutoff;
		before.count = s->kept_lost;
		before.first_ns = 0;
		before.last_ns = before.hdr.ts_ns;
		capw_record(&c->w, &before, sizeof(before));
	}
	s->kept_lost += markers;
	for (off = s->off; off + sizeof(*r) <= s->end; off += r->size) {
		size_t i;

		r = (const void *)(s->buf + off);
		if (r->size < 8 || r->size % 8 || off + r->size > s->end)
			break;
		if (r->type == GODIAG_REC_PAD || r->size < sizeof(*r) || r->ts_ns < cutoff)
			continue;
		capw_record(&c->w, r, r->size);
		if (r->type == GODIAG_REC_LOST)
			continue;
		s->kept++;
		for (i = 0; i < c->nsrcs; i++)
			if (c->srcs[i].ops->record)
				c->srcs[i].ops->record(c->srcs[i].data, r, r->size);
	}
}

static void snap_meta(struct capture *c, const struct session_info *s, uint64_t cutoff,
		      const char *trigger, uint64_t trigger_ns)
{
	char events[64];
	char *text = NULL;
	size_t len = 0;

	events_format(s->events, events, sizeof(events));
	capture_meta_origin(c, s->id, &text, &len);
	capw_meta_add(&text, &len, "flight_recorder", "%s", s->name);
	capw_meta_add(&text, &len, "flight_window_ms", "%u", s->window_ms);
	capw_meta_add(&text, &len, "start_realtime_ns", "%llu",
		      (unsigned long long)(c->end_real - (c->end_mono - cutoff)));
	capw_meta_add(&text, &len, "start_monotonic_ns", "%llu", (unsigned long long)cutoff);
	capw_meta_add(&text, &len, "mode", "%s", mode_name(s->mode));
	capw_meta_add(&text, &len, "buffer_size", "%u", s->bufsize);
	capw_meta_add(&text, &len, "cpus", "%zu", c->nrings);
	capw_meta_add(&text, &len, "page_size", "%ld", sysconf(_SC_PAGESIZE));
	capw_meta_add(&text, &len, "events", "%s", events);
	capw_meta_add(&text, &len, "syscall_min_ns", "%llu", (unsigned long long)s->min_ns);
	capw_meta_add(&text, &len, "max_duration_ms", "%u", s->max_lifetime_ms);
	capw_meta_add(&text, &len, "command_line", "%s", c->o->command_line);
	if (trigger) {
		capw_meta_add(&text, &len, "flight_trigger", "%s", trigger);
		capw_meta_add(&text, &len, "flight_trigger_monotonic_ns", "%llu",
			      (unsigned long long)trigger_ns);
	}
	capw_section(&c->w, CAPFILE_SEC_META, 0, text, len);
	free(text);
}

static bool is_target(const struct target_list *t, uint32_t id, uint32_t pid)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].session == id && t->v[i].pid == pid)
			return true;
	return false;
}

/*
 * One process of the snapshot: a target now (read from /proc, where
 * what was noted fills in what a zombie no longer shows), or one that
 * is gone, as noted when it was attached (e, not /proc: its number may
 * name another process now).
 */
static void snap_target(struct capture *c, struct capfile_target *ft, uint32_t pid,
			uint32_t flags, bool live, const struct flight_pid *e,
			char **meta, size_t *len)
{
	char exe[64], key[64], val[256];

	memset(ft, 0, sizeof(*ft));
	ft->pid = pid;
	ft->flags = flags;
	snprintf(exe, sizeof(exe), "/proc/%u/exe", pid);
	if (live) {
		proc_comm((pid_t)pid, ft->comm, sizeof(ft->comm));
		proc_exe((pid_t)pid, ft->exe, sizeof(ft->exe));
	}
	if (!ft->comm[0] && e)
		snprintf(ft->comm, sizeof(ft->comm), "%s", e->comm);
	if (!ft->exe[0] && e)
		snprintf(ft->exe, sizeof(ft->exe), "%s", e->exe);
	capw_target(&c->w, ft);
	snprintf(key, sizeof(key), "target_%u_build_id", pid);
	if ((live && !buildid_read(exe, val, sizeof(val))) ||
	    (e && snprintf(val, sizeof(val), "%s", e->build_id) && val[0]))
		capw_meta_add(meta, len, key, "%s", val);
	snprintf(key, sizeof(key), "target_%u_go_version", pid);
	if ((live && !buildid_go_version(exe, val, sizeof(val))) ||
	    (e && snprintf(val, sizeof(val), "%s", e->go_version) && val[0]))
		capw_meta_add(meta, len, key, "%s", val);
}

/*
 * The recorder's targets, and the processes it attached before that are
 * gone (a service restarted: their records are still in the window),
 * each with the binary it ran (target_PID_build_id, _go_version). The
 * sources observe the live targets only.
 */
static void snap_targets(struct capture *c, const struct session_info *s,
			 const struct target_list *t)
{
	struct capfile_target *ft = xcalloc(1, sizeof(*ft));
	struct flight_pid *v;
	char *meta = NULL;
	size_t i, n, len = 0;

	flight_pids_load(s->name, s->id, &v, &n);
	for (i = 0; i < t->n; i++) {
		if (t->v[i].session != s->id)
			continue;
		snap_target(c, ft, t->v[i].pid, t->v[i].flags, true,
			    flight_pids_find(v, n, t->v[i].pid), &meta, &len);
		c->o->pids = xreallocarray(c->o->pids, c->o->npids + 1, sizeof(*c->o->pids));
		c->o->pids[c->o->npids++] = t->v[i].pid;
	}
	for (i = 0; i < n; i++)
		if (flight_pids_find(v, n, v[i].pid) == &v[i] && !is_target(t, s->id, v[i].pid))
			snap_target(c, ft, v[i].pid, 0, false, &v[i], &meta, &len);
	if (meta)
		capw_section(&c->w, CAPFILE_SEC_META, 0, meta, len);
	free(meta);
	free(v);
	free(ft);
}

/* The earliest timestamp a snapshot keeps: now - window, or 0 for all. */
static uint64_t window_start(const struct capture *c, uint32_t window_ms)
{
	uint64_t w = (uint64_t)window_ms * 1000000;

	return window_ms && c->end_mono > w ? c->end_mono - w : 0;
}

static int open_bound(const struct cmd *c, uint32_t id)
{
	const char *path = "/dev/" GODIAG_DEVICE_NAME;
	int dev = open(path, O_RDONLY | O_CLOEXEC);

	if (dev < 0 && (errno == EACCES || errno == EPERM))
		die(EXIT_PERM, "permission denied: %s needs CAP_PERFMON or CAP_SYS_ADMIN", path);
	if (dev < 0)
		die(EXIT_OPFAIL, "%s: %s: %s", c->name, path, strerror(errno));
	if (ioctl(dev, GODIAG_IOC_BIND, &id))
		die(EXIT_OPFAIL, "%s: cannot bind %s to session %u: %s", c->name, path, id,
		    strerror(errno));
	return dev;
}

static void snap_write(struct capture *c, const struct session_info *s,
		       const struct target_list *t, struct cpu_snap *cpus,
		       const char *trigger, uint64_t trigger_ns)
{
	struct capfile_cpu_stats *st = xcalloc(c->nrings, sizeof(*st));
	uint64_t cutoff = window_start(c, s->window_ms);
	uint64_t kept = 0, lost = 0, cut = 0;
	size_t i;

	snap_meta(c, s, cutoff, trigger, trigger_ns);
	snap_targets(c, s, t);
	capture_sources_observe(c);
	for (i = 0; i < c->nrings; i++) {
		write_cpu(c, &cpus[i], cutoff);
		st[i].cpu = cpus[i].cpu;
		st[i].written = cpus[i].written;
		st[i].lost = cpus[i].lost;
		st[i].read = cpus[i].kept;
		st[i].lost_marked = cpus[i].kept_lost;
		kept += cpus[i].kept;
		lost += cpus[i].kept_lost;
		cut += cpus[i].cut;
	}
	capw_note(&c->w, "flight recorder %s: snapshot of %" PRIu64 " records, %" PRIu64
		  " overwritten before them%s", s->name, kept, lost,
		  cut ? ", older ones left out (--window)" : "");
	for (i = 0; i < c->nsrcs; i++)
		c->srcs[i].ops->write(c, c->srcs[i].data);
	/* Not the module's final counters: the recorder runs on. */
	capw_stats(&c->w, 0, st, (uint32_t)c->nrings);
	capw_end(&c->w, c->end_real, c->end_mono);
	note("%s: %" PRIu64 " records, %" PRIu64 " overwritten before them", c->o->output,
	     kept, lost);
	free(st);
}

static void snap_copy(struct capture *c, const struct session_info *s, struct cpu_snap **out)
{
	unsigned int *ids = xcalloc(MAX_CPUS, sizeof(*ids));
	int n = cpu_possible(ids, MAX_CPUS), dev = open_bound(c->c, s->id);
	struct cpu_snap *cpus;
	size_t i;

	if (n <= 0)
		die(EXIT_OPFAIL, "%s: cannot tell which CPUs are possible", c->c->name);
	c->nrings = (size_t)n;
	cpus = xcalloc(c->nrings, sizeof(*cpus));
	/* Copy first, one CPU after the other, and stamp the end after. */
	for (i = 0; i < c->nrings; i++) {
		cpus[i].cpu = ids[i];
		take(c->c, dev, s->bufsize, &cpus[i]);
	}
	c->end_real = capture_now_ns(CLOCK_REALTIME);
	c->end_mono = capture_now_ns(CLOCK_MONOTONIC);
	close(dev);
	free(ids);
	*out = cpus;
}

int flight_snapshot_write(const struct cmd *c, const char *name, const char *path,
			  const char *command_line, const char *trigger, uint64_t trigger_ns)
{
	struct session_list l = { 0 };
	struct target_list t = { 0 };
	struct capture_opts o;
	struct session_info *s;
	struct cpu_snap *cpus;
	struct capture cap;
	int err, ret;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.name = name;
	o.output = path;
	o.command_line = (char *)command_line;
	memset(&cap, 0, sizeof(cap));
	cap.c = c;
	cap.o = &o;
	cap.out.fd = -1;
	cap.dev = -1;
	cap.nl = gdnl_open(c->name);
	status_require_abi(cap.nl, c->name, &cap.st);
	s = flight_find(c, cap.nl, GODIAG_CMD_SESSION_GET, o.name, &l);
	o.goroutines = s->events & GODIAG_EV_GOROUTINE;
	o.mode = s->mode;
	o.buffer = s->bufsize;
	err = targets_dump(cap.nl, s->id, &t);
	if (err)
		gdnl_fail(cap.nl, err);
	capture_output_open(&cap);
	snap_copy(&cap, s, &cpus);
	snap_write(&cap, s, &t, cpus, trigger, trigger_ns);
	ret = capture_output_done(&cap, capw_close(&cap.w));
	for (i = 0; i < cap.nrings; i++)
		free(cpus[i].buf);
	free(cpus);
	capture_sources_free(&cap);
	free(o.pids);
	target_list_free(&t);
	session_list_free(&l);
	gdnl_close(cap.nl);
	outfile_free(&cap.out);
	return ret;
}

