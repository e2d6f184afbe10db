// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl flight: named recorders that keep the newest records of a
 * process in overwrite mode, and snapshots of them into capture files.
 *
 * A recorder is a module session with a name and no owner socket
 * (include/godiag_abi.h, "Flight recorders"): `flight start` sets it up
 * as a capture would (capture.c) and returns; nothing reads it until
 * `flight snapshot` copies each CPU's buffer (GODIAG_IOC_SNAPSHOT, which
 * consumes nothing) into a capture file.
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

#include "base/json.h"
#include "base/proc.h"
#include "base/util.h"
#include "cmd/capture.h"
#include "godiag_version.h"
#include "module/names.h"
#include "module/sessinfo.h"

#define MAX_CPUS		8192

static const char *const flight_usage =
	"Usage: " PROG " flight start NAME -p PID [--syscalls] [--goroutines]\n"
	"                         [--break SPEC [--arg ...]...] [--gc] [-f]\n"
	"                         [--size BYTES] [--window DURATION]\n"
	"       " PROG " flight snapshot NAME -o FILE\n"
	"       " PROG " flight list [--json]\n"
	"       " PROG " flight status NAME [--json]\n"
	"       " PROG " flight stop NAME\n"
	"\n"
	"A flight recorder keeps the newest records of a process in the module's\n"
	"buffers (overwrite mode) until something goes wrong; a snapshot writes\n"
	"them into a capture file that report, script and export read.\n"
	"\n"
	"start     create recorder NAME (letters, digits, '_', '.', '-', at most\n"
	"          31) and return once it runs; it outlives this command. When\n"
	"          its last target exits it stops recording and keeps its records\n"
	"          until 'flight stop'\n"
	"snapshot  write the recorder's newest window into FILE (the recorder runs\n"
	"          on; records overwritten before the window are counted as lost\n"
	"          in the file); FILE is replaced only once complete\n"
	"list      the recorders, one per line\n"
	"status    a recorder's state, targets and counters\n"
	"stop      stop recorder NAME and free its buffers (its probes go)\n"
	"\n"
	"Options of start:\n"
	"  -p, --pid PID          the process to record (repeatable)\n"
	"  -f, --follow-children  also record the processes the targets start\n"
	"      --syscalls         record syscalls (the default without --goroutines,\n"
	"                         --break and --gc)\n"
	"      --syscall LIST     only these syscalls (as capture's)\n"
	"      --syscall-min DURATION\n"
	"                         only syscalls that took at least DURATION\n"
	"      --goroutines       record goroutine scheduling (Go programs only)\n"
	"      --break SPEC       a breakpoint, with capture's --arg, --strlen,\n"
	"                         --stack, --latency, --if, --every and --max-rate\n"
	"                         after it (see capture)\n"
	"      --arg N:TYPE, --strlen BYTES, --stack N, --latency, --if COND,\n"
	"      --every N, --max-rate N/s\n"
	"                         options of the --break before them\n"
	"      --gc               record GC cycles and stop-the-world pauses\n"
	"      --size BYTES       buffer per CPU (K, M, G), a power of two; default\n"
	"                         4M (what capture calls --buffer)\n"
	"      --window DURATION  what a snapshot keeps: the records of the last\n"
	"                         DURATION (60s, 5m); default: the whole buffer\n"
	"\n"
	"Other options:\n"
	"  -o, --output FILE      snapshot: the capture file to write\n"
	"  -j, --json             list, status: JSON\n"
	"  -h, --help             show this help\n";

/* ---- finding a recorder ---------------------------------------------- */

static void check_name(const struct cmd *c, const char *name)
{
	size_t i, n = strlen(name);

	if (!n || n >= GODIAG_NAME_MAX || name[0] == '.' || name[0] == '-')
		goto bad;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.-", name[i]))
			goto bad;
	return;
bad:
	cmd_usage_error(c, "invalid recorder name '%s': letters, digits, '_', '.' and '-', "
			"at most %d, not starting with '.' or '-'", name, GODIAG_NAME_MAX - 1);
}

/* The recorder NAME in a dump (cmd: SESSION_GET or STATS_GET), or exit. */
static struct session_info *find(const struct cmd *c, struct gdnl *nl, uint8_t cmd,
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

static struct gdnl *open_module(const struct cmd *c)
{
	struct gdnl *nl = gdnl_open(c->name);

	status_require_abi(nl, c->name, NULL);
	return nl;
}

/* The name operand of an action, after its options. */
static const char *name_operand(const struct cmd *c, int argc, char **argv)
{
	if (optind == argc)
		cmd_usage_error(c, "missing recorder NAME");
	if (optind + 1 < argc)
		cmd_usage_error(c, "unexpected argument '%s'", argv[optind + 1]);
	check_name(c, argv[optind]);
	return argv[optind];
}

/* ---- start ------------------------------------------------------------ */

static int flight_start(const struct cmd *c, int argc, char **argv)
{
	struct capture_opts o;
	uint32_t id;

	capture_parse_recorder_opts(c, argc, argv, &o);
	o.name = name_operand(c, argc, argv);
	capture_check_recorder(c, &o);
	id = capture_recorder_start(c, &o);
	note("recorder %s runs (session %u); '" PROG " flight snapshot %s -o FILE' "
	     "saves it", o.name, id, o.name);
	capture_free_opts(&o);
	return EXIT_OK;
}

/* ---- stop ------------------------------------------------------------- */

static int flight_stop(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	const char *name;
	struct nl_msg *msg;
	struct gdnl *nl;
	int err;

	while (cmd_getopt(c, argc, argv, "h", longopts) != -1)
		;
	name = name_operand(c, argc, argv);
	nl = open_module(c);
	msg = gdnl_msg(nl, GODIAG_CMD_SESSION_DEL, 0);
	gdnl_put_string(msg, GODIAG_A_SESSION_NAME, name);
	err = gdnl_exec(nl, msg, NULL, NULL);
	if (err == -ENOENT)
		die(EXIT_USAGE, "%s: no recorder named %s", c->name, name);
	if (err)
		gdnl_fail(nl, err);
	gdnl_close(nl);
	return EXIT_OK;
}

/* ---- list and status -------------------------------------------------- */

static void totals(const struct session_info *s, uint64_t *written, uint64_t *lost)
{
	size_t i;

	*written = *lost = 0;
	for (i = 0; i < s->nr_cpus; i++) {
		*written += s->cpus[i].written;
		*lost += s->cpus[i].lost;
	}
}

static void json_recorder(struct json *j, const struct session_info *s,
			  const struct target_list *t)
{
	char events[64];
	uint64_t written, lost;
	size_t i;

	totals(s, &written, &lost);
	events_format(s->events, events, sizeof(events));
	json_object_begin(j);
	json_key(j, "name");
	json_string(j, s->name);
	json_key(j, "session");
	json_u64(j, s->id);
	json_key(j, "state");
	json_string(j, state_name(s->state));
	json_key(j, "events");
	json_string(j, events);
	json_key(j, "buffer_size");
	json_u64(j, s->bufsize);
	json_key(j, "window_ms");
	json_u64(j, s->window_ms);
	json_key(j, "written");
	json_u64(j, written);
	json_key(j, "overwritten");
	json_u64(j, lost);
	json_key(j, "targets");
	json_array_begin(j);
	for (i = 0; t && i < t->n; i++)
		if (t->v[i].session == s->id)
			json_u64(j, t->v[i].pid);
	json_array_end(j);
	json_object_end(j);
}

static void text_recorder(const struct session_info *s, const struct target_list *t)
{
	char events[64];
	uint64_t written, lost;
	size_t i, n = 0;

	totals(s, &written, &lost);
	events_format(s->events, events, sizeof(events));
	printf("%s: session %u, %s, %s, %u KiB per CPU, window %u ms, %" PRIu64
	       " records written, %" PRIu64 " overwritten, targets:", s->name, s->id,
	       state_name(s->state), events, s->bufsize >> 10, s->window_ms, written, lost);
	for (i = 0; t && i < t->n; i++)
		if (t->v[i].session == s->id) {
			printf(" %u", t->v[i].pid);
			n++;
		}
	printf("%s\n", n ? "" : " none (exited)");
}

static int flight_show(const struct cmd *c, int argc, char **argv, bool one)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct session_list l = { 0 };
	struct target_list t = { 0 };
	const char *name = NULL;
	bool json = false;
	struct json j;
	struct gdnl *nl;
	size_t i;
	int opt, err;

	while ((opt = cmd_getopt(c, argc, argv, "jh", longopts)) != -1)
		json |= opt == 'j';
	if (one)
		name = name_operand(c, argc, argv);
	else
		cmd_no_operands(c, argc, argv);
	nl = open_module(c);
	if (name) {
		find(c, nl, GODIAG_CMD_STATS_GET, name, &l);
	} else {
		err = sessinfo_dump(nl, GODIAG_CMD_STATS_GET, 0, &l);
		if (err)
			gdnl_fail(nl, err);
	}
	err = targets_dump(nl, 0, &t);
	if (err)
		gdnl_fail(nl, err);
	if (json) {
		json_init(&j, stdout);
		if (!one)
			json_array_begin(&j);
	}
	for (i = 0; i < l.n; i++) {
		if (!l.v[i].name[0] || (name && strcmp(l.v[i].name, name)))
			continue;
		if (json)
			json_recorder(&j, &l.v[i], &t);
		else
			text_recorder(&l.v[i], &t);
	}
	if (json) {
		if (!one)
			json_array_end(&j);
		putchar('\n');
	}
	target_list_free(&t);
	session_list_free(&l);
	gdnl_close(nl);
	return EXIT_OK;
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

static void snap_meta(struct capture *c, const struct session_info *s, uint64_t cutoff)
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
	capw_section(&c->w, CAPFILE_SEC_META, 0, text, len);
	free(text);
}

static void snap_targets(struct capture *c, const struct target_list *t, uint32_t id)
{
	struct capfile_target *ft = xcalloc(1, sizeof(*ft));
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->v[i].session != id)
			continue;
		memset(ft, 0, sizeof(*ft));
		ft->pid = t->v[i].pid;
		ft->flags = t->v[i].flags;
		proc_comm((pid_t)ft->pid, ft->comm, sizeof(ft->comm));
		proc_exe((pid_t)ft->pid, ft->exe, sizeof(ft->exe));
		capw_target(&c->w, ft);
		c->o->pids = xreallocarray(c->o->pids, c->o->npids + 1, sizeof(*c->o->pids));
		c->o->pids[c->o->npids++] = ft->pid;
	}
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
		       const struct target_list *t, struct cpu_snap *cpus)
{
	struct capfile_cpu_stats *st = xcalloc(c->nrings, sizeof(*st));
	uint64_t cutoff = window_start(c, s->window_ms);
	uint64_t kept = 0, lost = 0, cut = 0;
	size_t i;

	snap_meta(c, s, cutoff);
	snap_targets(c, t, s->id);
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

static int flight_snapshot(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct session_list l = { 0 };
	struct target_list t = { 0 };
	struct capture_opts o;
	struct session_info *s;
	struct cpu_snap *cpus;
	struct capture cap;
	char line[4096];
	int opt, err, ret;
	size_t i;

	memset(&o, 0, sizeof(o));
	while ((opt = cmd_getopt(c, argc, argv, "o:h", longopts)) != -1)
		if (opt == 'o')
			o.output = optarg;
	o.name = name_operand(c, argc, argv);
	if (!o.output)
		cmd_usage_error(c, "snapshot: where to? (-o FILE)");
	/* argv - 1: "flight", the command's own argv[0]. */
	capture_join_args(argv - 1, line + sizeof(PROG), sizeof(line) - sizeof(PROG));
	memcpy(line, PROG " ", sizeof(PROG));
	o.command_line = line;
	memset(&cap, 0, sizeof(cap));
	cap.c = c;
	cap.o = &o;
	cap.out.fd = -1;
	cap.dev = -1;
	cap.nl = gdnl_open(c->name);
	status_require_abi(cap.nl, c->name, &cap.st);
	s = find(c, cap.nl, GODIAG_CMD_SESSION_GET, o.name, &l);
	o.goroutines = s->events & GODIAG_EV_GOROUTINE;
	o.mode = s->mode;
	o.buffer = s->bufsize;
	err = targets_dump(cap.nl, s->id, &t);
	if (err)
		gdnl_fail(cap.nl, err);
	capture_output_open(&cap);
	snap_copy(&cap, s, &cpus);
	snap_write(&cap, s, &t, cpus);
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

/* ---- dispatch --------------------------------------------------------- */

static int run_flight(const struct cmd *c, int argc, char **argv)
{
	const char *action = argc > 1 ? argv[1] : NULL;

	if (!action)
		cmd_usage_error(c, "missing action (start, snapshot, list, status or stop)");
	if (!strcmp(action, "-h") || !strcmp(action, "--help")) {
		cmd_print_usage(c, stdout);
		return EXIT_OK;
	}
	/* The action is argv[0] of its own options. */
	if (!strcmp(action, "start"))
		return flight_start(c, argc - 1, argv + 1);
	if (!strcmp(action, "snapshot"))
		return flight_snapshot(c, argc - 1, argv + 1);
	if (!strcmp(action, "list"))
		return flight_show(c, argc - 1, argv + 1, false);
	if (!strcmp(action, "status"))
		return flight_show(c, argc - 1, argv + 1, true);
	if (!strcmp(action, "stop"))
		return flight_stop(c, argc - 1, argv + 1);
	cmd_usage_error(c, "unknown action '%s' (use start, snapshot, list, status or stop)",
			action);
}

const struct cmd cmd_flight = {
	.name = "flight",
	.summary = "always-on flight recorders and their snapshots",
	.usage = flight_usage,
	.run = run_flight,
};
