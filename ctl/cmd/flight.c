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

#include "base/cgroup.h"
#include "base/json.h"
#include "base/proc.h"
#include "base/util.h"
#include "cmd/capture.h"
#include "cmd/flight_conf.h"
#include "cmd/flight_follow.h"
#include "cmd/flight_pids.h"
#include "gobin/buildid.h"
#include "godiag_version.h"
#include "module/names.h"
#include "module/sessinfo.h"

#define MAX_CPUS		8192
#define FLIGHT_SIZE_DEFAULT	(4U << 20)

static const char *const flight_usage =
	"Usage: " PROG " flight start NAME -p PID|--comm NAME|--cgroup PATH\n"
	"                         [--syscalls] [--goroutines] [-f] [--size BYTES]\n"
	"                         [--window DURATION] [--config FILE] [--foreground]\n"
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
	"          the last process given with -p exits it stops recording and\n"
	"          keeps its records until 'flight stop'; with --comm or --cgroup\n"
	"          it records on and attaches each new process that matches\n"
	"          within a second (a service restarted), keeping the old ones'\n"
	"          records\n"
	"snapshot  write the recorder's newest window into FILE (the recorder runs\n"
	"          on; records overwritten before the window are counted as lost\n"
	"          in the file); FILE is replaced only once complete\n"
	"list      the recorders, one per line\n"
	"status    a recorder's state, targets and counters\n"
	"stop      stop recorder NAME and free its buffers (its probes go)\n"
	"\n"
	"Options of start:\n"
	"  -p, --pid PID          the process to record (repeatable)\n"
	"      --comm NAME        record the processes named NAME (/proc/PID/comm,\n"
	"                         at most 15 bytes), those running now and those\n"
	"                         that start later\n"
	"      --cgroup PATH      record the processes of cgroup PATH and below\n"
	"                         (cgroup v2; with --comm: those named NAME), now\n"
	"                         and later\n"
	"      --config FILE      options from FILE, 'key = value' lines (comm = api,\n"
	"                         events = goroutines syscalls, size = 64M); the\n"
	"                         command line's come after them\n"
	"      --foreground       with --comm or --cgroup: follow in this process\n"
	"                         until the recorder stops or a signal comes (for\n"
	"                         a service manager); else a background process\n"
	"                         follows\n"
	"  -f, --follow-children  also record the processes the targets start\n"
	"      --syscalls         record syscalls (the default without --goroutines)\n"
	"      --goroutines       record goroutine scheduling (Go programs only)\n"
	"      --size BYTES       buffer per CPU (K, M, G), a power of two;\n"
	"                         default 4M\n"
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

/* What flight start follows, beside the capture options. */
struct follow_opts {
	const char *comm;
	const char *cgroup;
	bool foreground;
};

static const struct option start_longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "follow-children", no_argument, NULL, 'f' },
	{ "syscalls", no_argument, NULL, 'S' },
	{ "goroutines", no_argument, NULL, 'G' },
	{ "size", required_argument, NULL, 'b' },
	{ "window", required_argument, NULL, 'w' },
	{ "comm", required_argument, NULL, 'c' },
	{ "cgroup", required_argument, NULL, 'g' },
	{ "config", required_argument, NULL, 'C' },
	{ "foreground", no_argument, NULL, 'F' },
	CMD_HELP_OPTION,
	{ NULL, 0, NULL, 0 },
};

static void add_pid(struct capture_opts *o, const char *s)
{
	uint32_t pid;

	parse_u32(s, 1, 0x3fffffff, &pid);
	o->pids = xreallocarray(o->pids, o->npids + 1, sizeof(*o->pids));
	o->pids[o->npids++] = pid;
	o->npids_given = o->npids;
}

static const struct option *long_option(int opt)
{
	const struct option *lo;

	for (lo = start_longopts; lo->name && lo->val != opt; lo++)
		;
	return lo;
}

static void start_option(const struct cmd *c, struct capture_opts *o, struct follow_opts *fo,
			 int opt)
{
	const struct option *lo = long_option(opt);
	const char *why = NULL;
	uint64_t v;

	if (lo->name && lo->has_arg == required_argument)
		why = flight_opt_check(lo->name, optarg);
	if (why)
		cmd_usage_error(c, "--%s %s: %s", lo->name, optarg, why);
	switch (opt) {
	case 'p':
		add_pid(o, optarg);
		break;
	case 'f':
		o->follow = true;
		break;
	case 'S':
		o->syscalls = true;
		break;
	case 'G':
		o->goroutines = true;
		break;
	case 'b':
		parse_size(optarg, &v);
		capture_buffer_size(v, &o->buffer);
		break;
	case 'w':
		parse_duration(optarg, &v);
		o->window_ms = (uint32_t)(v / 1000000);
		break;
	case 'c':
		fo->comm = optarg;
		break;
	case 'g':
		fo->cgroup = optarg;
		break;
	case 'F':
		fo->foreground = true;
		break;
	}
}

/*
 * argv with the options of --config FILE (the first one given) placed
 * before the command line's, so that the command line wins; the file's
 * bad lines exit 1 as FILE:LINE: why.
 */
static char **with_config(const struct cmd *c, int *argc, char **argv,
			  struct flight_conf *conf)
{
	const char *path = NULL;
	char err[1024], **v;
	int i;

	memset(conf, 0, sizeof(*conf));
	for (i = 1; i < *argc && !path; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strncmp(argv[i], "--config=", 9))
			path = argv[i] + 9;
		else if (!strcmp(argv[i], "--config") && i + 1 < *argc)
			path = argv[i + 1];
	}
	if (!path)
		return argv;
	if (flight_conf_read(path, start_longopts, conf, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s", c->name, err);
	v = xcalloc((size_t)*argc + conf->n + 1, sizeof(*v));
	v[0] = argv[0];
	memcpy(v + 1, conf->args, conf->n * sizeof(*v));
	memcpy(v + 1 + conf->n, argv + 1, (size_t)(*argc - 1) * sizeof(*v));
	*argc += (int)conf->n;
	return v;
}

/* Follows in a background process of its own, detached from the caller's terminal. */
static void follow_background(struct flight_follow *f)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die(EXIT_OPFAIL, "%s: cannot start the follower: %s", f->c->name, strerror(errno));
	if (pid)
		return;
	setsid();
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	_exit(flight_follow_run(f));
}

/* A cgroup that does not exist is refused before the recorder is made. */
static void check_cgroup(const struct cmd *c, const char *cgroup)
{
	char dir[4096], err[4608];

	if (cgroup && (cgroup_check_root(CGROUP_ROOT, err, sizeof(err)) ||
		       cgroup_dir(CGROUP_ROOT, cgroup, dir, sizeof(dir), err, sizeof(err))))
		die(EXIT_USAGE, "%s: %s", c->name, err);
}

/* The recorder made, the follower cannot follow: the recorder goes. */
static void remove_recorder(const char *name)
{
	struct gdnl *nl = gdnl_open("flight");
	struct nl_msg *msg = gdnl_msg(nl, GODIAG_CMD_SESSION_DEL, 0);

	gdnl_put_string(msg, GODIAG_A_SESSION_NAME, name);
	gdnl_exec(nl, msg, NULL, NULL);
	gdnl_close(nl);
	flight_pids_remove(name);
}

/*
 * --comm, --cgroup: the processes that match now are attached before
 * this returns, the later ones by the follower (here with --foreground,
 * else in the background). --foreground alone just waits.
 */
static int follow(const struct cmd *c, struct capture_opts *o, const struct follow_opts *fo,
		  uint32_t id)
{
	struct flight_follow f;
	char err[4608];
	int n, ret = EXIT_OK;

	if (flight_follow_init(&f, c, o, id, fo->comm, fo->cgroup, err, sizeof(err))) {
		remove_recorder(o->name);
		die(EXIT_USAGE, "%s: %s", c->name, err);
	}
	n = flight_follow_tick(&f);
	if (o->persistent)
		note("recorder %s runs (session %u) and follows %s%s%s%s: %d process%s attached "
		     "now", o->name, id, fo->comm ? "comm " : "", fo->comm ? fo->comm : "",
		     fo->cgroup ? (fo->comm ? " in cgroup " : "cgroup ") : "",
		     fo->cgroup ? fo->cgroup : "", n < 0 ? 0 : n, n == 1 ? "" : "es");
	if (fo->foreground)
		ret = flight_follow_run(&f);
	else
		follow_background(&f);
	flight_follow_free(&f);
	return ret;
}

static int flight_start(const struct cmd *c, int argc, char **argv)
{
	struct follow_opts fo = { 0 };
	struct flight_conf conf;
	struct capture_opts o;
	char **args;
	uint32_t id;
	size_t i;
	int opt, ret = EXIT_OK;

	memset(&o, 0, sizeof(o));
	o.buffer = FLIGHT_SIZE_DEFAULT;
	o.mode = GODIAG_MODE_OVERWRITE;
	args = with_config(c, &argc, argv, &conf);
	while ((opt = cmd_getopt(c, argc, args, "p:fh", start_longopts)) != -1)
		start_option(c, &o, &fo, opt);
	o.name = name_operand(c, argc, args);
	o.persistent = fo.comm || fo.cgroup;
	if (!o.npids && !o.persistent)
		cmd_usage_error(c, "start: which process? (-p PID, --comm NAME or --cgroup PATH)");
	if (!o.syscalls && !o.goroutines)
		o.syscalls = true;
	check_cgroup(c, fo.cgroup);
	id = capture_recorder_start(c, &o);
	for (i = 0; i < o.npids; i++)
		flight_pids_note(o.name, id, o.pids[i]);
	if (o.persistent || fo.foreground)
		ret = follow(c, &o, &fo, id);
	else
		note("recorder %s runs (session %u); '" PROG " flight snapshot %s -o FILE' "
		     "saves it", o.name, id, o.name);
	free(o.pids);
	if (args != argv)
		free(args);
	flight_conf_free(&conf);
	return ret;
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
	flight_pids_remove(name);
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
	json_key(j, "persistent");
	json_bool(j, s->persistent);
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
	printf("%s\n", n ? "" : s->persistent ? " none (waiting for the next)" : " none (exited)");
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
		       const struct target_list *t, struct cpu_snap *cpus)
{
	struct capfile_cpu_stats *st = xcalloc(c->nrings, sizeof(*st));
	uint64_t cutoff = window_start(c, s->window_ms);
	uint64_t kept = 0, lost = 0, cut = 0;
	size_t i;

	snap_meta(c, s, cutoff);
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
