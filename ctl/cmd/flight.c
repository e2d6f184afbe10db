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
#include <signal.h>
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
#include "cmd/flight.h"
#include "cmd/flight_conf.h"
#include "cmd/flight_pids.h"
#include "godiag_version.h"
#include "module/names.h"
#include "model/rtstats.h"
#include "module/sessinfo.h"


static const char *const flight_usage =
	"Usage: " PROG " flight start NAME -p PID|--comm NAME|--cgroup PATH\n"
	"                         [--syscalls] [--goroutines]\n"
	"                         [--break SPEC [--arg ...]...] [--gc] [-f]\n"
	"                         [--size BYTES] [--window DURATION]\n"
	"                         [--trigger COND ...] [--cooldown DURATION]\n"
	"                         [--post DURATION] [--snapshot-dir DIR] [--keep K]\n"
	"                         [--config FILE] [--foreground]\n"
	"       " PROG " flight snapshot NAME -o FILE\n"
	"       " PROG " flight list [--json]\n"
	"       " PROG " flight status NAME [--json]\n"
	"       " PROG " flight stop NAME\n"
	"       " PROG " flight daemon NAME [--snapshot-dir DIR] [--keep K] [--post DURATION]\n"
	"                         [--foreground]\n"
	"\n"
	"A flight recorder keeps the newest records of a process in the module's\n"
	"buffers (overwrite mode) until something goes wrong; a snapshot writes\n"
	"them into a capture file that report, script and export read.\n"
	"\n"
	"start     create recorder NAME (letters, digits, '_', '.', '-', at most\n"
	"          31) and return once it runs; it outlives this command. When\n"
	"          the last process given with -p exits it stops recording and\n"
	"          keeps its records until 'flight stop'; with --comm or --cgroup\n"
	"          it records on and its watcher attaches each new process that\n"
	"          matches within a second (a service restarted), keeping the old\n"
	"          ones' records\n"
	"snapshot  write the recorder's newest window into FILE (the recorder runs\n"
	"          on; records overwritten before the window are counted as lost\n"
	"          in the file); FILE is replaced only once complete\n"
	"list      the recorders, one per line\n"
	"status    a recorder's state, targets and counters\n"
	"stop      stop recorder NAME and free its buffers (its probes go); its\n"
	"          watcher ends\n"
	"daemon    run the watcher of recorder NAME, started with --trigger,\n"
	"          --comm or --cgroup, when none runs (its own ended)\n"
	"\n"
	"With --trigger, start leaves a watcher in the background (its PID in\n"
	"status) that writes a snapshot into the snapshot directory each time a\n"
	"condition holds, at most one per --cooldown (the others are counted as\n"
	"suppressed). The conditions, repeatable:\n"
	"  syscall>DUR, syscall:NAME>DUR  a syscall (NAME) that took longer\n"
	"  break:SPEC             a hit of breakpoint SPEC (a --break of it is added\n"
	"                         if none is given)\n"
	"  goroutines>N           more than N goroutines (the runtime's own not\n"
	"                         counted)\n"
	"  blocked:REASON>DUR     a goroutine waiting (REASON as goroutines shows it,\n"
	"                         'chan receive') for longer, as far as a GC has seen\n"
	"  gc-pause>DUR           a GC whose stop-the-world pauses took longer\n"
	"The module checks syscall and break conditions where it writes the record;\n"
	"the watcher reads the others from the process once a second.\n"
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
	"                         events = goroutines syscalls, size = 64M; every\n"
	"                         long option is a key); the command line's come\n"
	"                         after them\n"
	"  -f, --follow-children  also record the processes the targets start\n"
	"      --syscalls         record syscalls (the default without --goroutines,\n"
	"                         --break and --gc)\n"
	"      --syscall LIST     only these syscalls (as capture's)\n"
	"      --syscall-min DURATION\n"
	"                         only syscalls that took at least DURATION\n"
	"      --goroutines       record goroutine scheduling (Go programs only)\n"
	"      --break SPEC       a breakpoint, with capture's --arg, --field,\n"
	"                         --strlen, --slice-elems, --stack, --latency, --if,\n"
	"                         --every and --max-rate after it (see capture)\n"
	"      --arg N:TYPE, --field PATH, --strlen BYTES, --slice-elems N,\n"
	"      --stack N, --latency, --if COND, --every N, --max-rate N/s\n"
	"                         options of the --break before them\n"
	"      --gc               record GC cycles and stop-the-world pauses\n"
	"      --size BYTES       buffer per CPU (K, M, G), a power of two; default\n"
	"                         4M (what capture calls --buffer)\n"
	"      --window DURATION  what a snapshot keeps: the records of the last\n"
	"                         DURATION (60s, 5m); default: the whole buffer\n"
	"      --trigger COND     save a snapshot when COND holds (above; repeatable)\n"
	"      --cooldown DURATION\n"
	"                         at most one trigger per DURATION; default 60s\n"
	"      --post DURATION    start, daemon: the snapshot waits DURATION after\n"
	"                         the trigger, to hold what followed; default 2s\n"
	"      --snapshot-dir DIR start, daemon: where snapshots go; default\n"
	"                         /var/lib/godiag/NAME (made 0750)\n"
	"      --keep K           start, daemon: keep the newest K snapshots;\n"
	"                         default 20\n"
	"      --foreground       start, daemon: the watcher runs in this process\n"
	"                         (for a systemd unit) until the recorder is stopped\n"
	"                         or a signal comes\n"
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


static pid_t start_pid;

/* At exit of flight start itself: not of a child (the watcher's, one attaching a process). */
static void remove_started(void)
{
	struct nl_msg *msg;
	struct gdnl *nl;

	if (!flight_start_pending || getpid() != start_pid)
		return;
	nl = gdnl_open("flight");
	msg = gdnl_msg(nl, GODIAG_CMD_SESSION_DEL, 0);
	gdnl_put_string(msg, GODIAG_A_SESSION_NAME, flight_start_pending);
	gdnl_exec(nl, msg, NULL, NULL);
	gdnl_close(nl);
	flight_pids_remove(flight_start_pending);
}

/* The runtime's triggers read the targets: they must be Go programs it reads. */
static void check_runtime_targets(const struct cmd *c, const struct capture_opts *o,
				  const struct flight_trigger *t)
{
	struct rs_reader *r;
	char err[1024];
	size_t i, k;

	for (k = 0; k < o->ntriggers && flight_trigger_in_kernel(&t[k]); k++)
		;
	if (k == o->ntriggers)
		return;
	for (i = 0; i < o->npids; i++) {
		enum gr_error e;

		r = xcalloc(1, sizeof(*r));
		e = rs_open((pid_t)o->pids[i], r, err, sizeof(err));
		rs_close(r);
		free(r);
		if (e != GR_OK)
			die(gr_exit_code(e), "%s: --trigger %s: PID %u: %s", c->name,
			    t[k].text, o->pids[i], err);
	}
}

static void check_watcher_opts(const struct cmd *c, const struct capture_opts *o)
{
	if (!o->ntriggers && o->snapshot_dir)
		cmd_usage_error(c, "--snapshot-dir is for a recorder with --trigger");
	if (!o->ntriggers && !o->persistent && o->foreground)
		cmd_usage_error(c, "--foreground is for a recorder with --trigger, --comm or "
				"--cgroup");
	if (o->ntriggers && o->window_ms && o->post_ms >= o->window_ms)
		cmd_usage_error(c, "--post must be shorter than --window: a snapshot "
				"keeps the window before it");
}

/*
 * argv with the options of --config FILE (the first one given) placed
 * before the command line's, so that the command line wins; the file's
 * bad lines exit 1 as FILE:LINE: why. Its keys are flight start's long
 * options (capture_recorder_longopts).
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
	if (flight_conf_read(path, capture_recorder_longopts, conf, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s", c->name, err);
	v = xcalloc((size_t)*argc + conf->n + 1, sizeof(*v));
	v[0] = argv[0];
	memcpy(v + 1, conf->args, conf->n * sizeof(*v));
	memcpy(v + 1 + conf->n, argv + 1, (size_t)(*argc - 1) * sizeof(*v));
	*argc += (int)conf->n;
	return v;
}

/* A cgroup that does not exist is refused before the recorder is made. */
static void check_cgroup(const struct cmd *c, const char *cgroup)
{
	char dir[4096], err[4608];

	if (cgroup && (cgroup_check_root(CGROUP_ROOT, err, sizeof(err)) ||
		       cgroup_dir(CGROUP_ROOT, cgroup, dir, sizeof(dir), err, sizeof(err))))
		die(EXIT_USAGE, "%s: %s", c->name, err);
}

static int flight_start(const struct cmd *c, int argc, char **argv)
{
	struct flight_watch_opts w;
	struct flight_trigger *t;
	struct flight_conf conf;
	struct capture_opts o;
	char **args;
	uint32_t id;
	size_t i;
	int ret = EXIT_OK;

	args = with_config(c, &argc, argv, &conf);
	capture_parse_recorder_opts(c, argc, args, &o, flight_opt_check);
	o.name = name_operand(c, argc, args);
	flight_triggers_prepare(c, &o, &t);
	capture_check_recorder(c, &o);
	check_watcher_opts(c, &o);
	check_runtime_targets(c, &o, t);
	check_cgroup(c, o.follow_cgroup);
	if (o.ntriggers) {
		o.before_start = flight_triggers_install;
		o.before_start_arg = t;
	}
	id = capture_recorder_start(c, &o);
	for (i = 0; i < o.npids_given; i++)
		flight_pids_note(o.name, id, o.pids[i]);
	/* flight daemon follows as this would: it parses these options again. */
	if (o.persistent)
		flight_pids_save_args(o.name, id, argc - 1, args + 1);
	note("recorder %s runs (session %u); '" PROG " flight snapshot %s -o FILE' "
	     "saves it", o.name, id, o.name);
	if (o.ntriggers || o.persistent) {
		memset(&w, 0, sizeof(w));
		w.name = o.name;
		w.snapshot_dir = o.snapshot_dir;
		w.keep = o.keep;
		w.post_ns = (uint64_t)o.post_ms * 1000000;
		w.foreground = o.foreground;
		w.fresh = true;
		w.follow = o.persistent ? &o : NULL;
		flight_start_pending = o.name;
		start_pid = getpid();
		atexit(remove_started);
		ret = flight_watch(c, &w);
		flight_start_pending = NULL;
	}
	free(t);
	capture_free_opts(&o);
	if (args != argv)
		free(args);
	flight_conf_free(&conf);
	return ret;
}

/* ---- daemon ----------------------------------------------------------- */

/*
 * A recorder that follows (--comm, --cgroup): the options flight start
 * saved for it (flight_pids.h), parsed again into o. NULL when it does
 * not follow; exits when it does but they are not there.
 */
static struct capture_opts *daemon_follow(const struct cmd *c, const char *name,
					  struct capture_opts *o, char ***args)
{
	struct session_list l = { 0 };
	struct session_info *s;
	struct gdnl *nl = open_module(c);
	bool persistent;
	uint32_t id;
	int argc;

	s = flight_find(c, nl, GODIAG_CMD_SESSION_GET, name, &l);
	id = s->id;
	persistent = s->persistent;
	session_list_free(&l);
	gdnl_close(nl);
	*args = NULL;
	if (!persistent)
		return NULL;
	if (flight_pids_load_args(name, id, &argc, args))
		die(EXIT_OPFAIL, "%s: recorder %s follows processes, but what it follows is not "
		    "in %s (written by flight start)", c->name, name, flight_pids_args_path(name));
	optind = 0;
	capture_parse_recorder_opts(c, argc, *args, o, flight_opt_check);
	o->name = name;
	capture_check_recorder(c, o);
	return o;
}

static int flight_daemon(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "snapshot-dir", required_argument, NULL, 'd' },
		{ "keep", required_argument, NULL, 'k' },
		{ "post", required_argument, NULL, 'P' },
		{ "foreground", no_argument, NULL, 'F' },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct flight_watch_opts w;
	struct capture_opts o;
	const char *why;
	char **args;
	uint64_t ns;
	int opt, ret;

	memset(&w, 0, sizeof(w));
	w.keep = CAPTURE_KEEP_DEFAULT;
	w.post_ns = (uint64_t)CAPTURE_POST_DEFAULT_MS * 1000000;
	while ((opt = cmd_getopt(c, argc, argv, "h", longopts)) != -1) {
		switch (opt) {
		case 'd':
			if (!*optarg)
				cmd_usage_error(c, "empty --snapshot-dir");
			w.snapshot_dir = optarg;
			break;
		case 'k':
			if (parse_u32(optarg, 1, CAPTURE_KEEP_MAX, &w.keep))
				cmd_usage_error(c, "invalid --keep '%s' (1 to %u)", optarg,
						CAPTURE_KEEP_MAX);
			break;
		case 'P':
			why = parse_duration(optarg, &ns);
			if (!why && ns / 1000000 > CAPTURE_POST_MAX_MS)
				why = "out of range (0 to 10m)";
			if (why)
				cmd_usage_error(c, "--post %s: %s", optarg, why);
			w.post_ns = ns;
			break;
		case 'F':
			w.foreground = true;
			break;
		}
	}
	w.name = name_operand(c, argc, argv);
	w.follow = daemon_follow(c, w.name, &o, &args);
	ret = flight_watch(c, &w);
	if (w.follow)
		capture_free_opts(&o);
	flight_pids_free_args(args);
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

/* The watcher's pid if that process is there. */
static bool watcher_alive(const struct session_info *s)
{
	return s->watcher && (!kill((pid_t)s->watcher, 0) || errno == EPERM);
}

static void json_triggers(struct json *j, const struct session_info *s)
{
	const char *v[GODIAG_TRIGGERS_MAX];
	size_t i, n;

	json_key(j, "triggers");
	json_array_begin(j);
	n = flight_texts_split(s->trigger_texts, s->trigger_texts_len, v, GODIAG_TRIGGERS_MAX);
	for (i = 0; i < n; i++)
		json_string(j, v[i]);
	json_array_end(j);
	json_key(j, "cooldown_ms");
	json_u64(j, s->cooldown_ms);
	json_key(j, "triggers_fired");
	json_u64(j, s->triggers_fired);
	json_key(j, "triggers_suppressed");
	json_u64(j, s->triggers_suppressed);
	json_key(j, "watcher");
	if (watcher_alive(s))
		json_u64(j, s->watcher);
	else
		json_null(j);
}

static void text_triggers(const struct session_info *s)
{
	const char *v[GODIAG_TRIGGERS_MAX];
	char cool[32];
	size_t i, n;

	if (!s->has_triggers)
		return;
	n = flight_texts_split(s->trigger_texts, s->trigger_texts_len, v, GODIAG_TRIGGERS_MAX);
	printf("  triggers:");
	for (i = 0; i < n; i++)
		printf(" '%s'", v[i]);
	capture_format_ms(s->cooldown_ms, cool, sizeof(cool));
	printf("; cooldown %s, %" PRIu64 " fired, %" PRIu64 " suppressed, ", cool,
	       s->triggers_fired, s->triggers_suppressed);
	if (watcher_alive(s))
		printf("watcher %u\n", s->watcher);
	else
		printf("no watcher\n");
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
	if (s->has_triggers)
		json_triggers(j, s);
	json_object_end(j);
}

static void text_recorder(const struct session_info *s, const struct target_list *t,
			  bool one)
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
	/* list: one line per recorder, which the completion reads. */
	if (one)
		text_triggers(s);
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
		flight_find(c, nl, GODIAG_CMD_STATS_GET, name, &l);
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
			text_recorder(&l.v[i], &t, one);
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

static int flight_snapshot(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *name;
	char line[4096];
	int opt;

	while ((opt = cmd_getopt(c, argc, argv, "o:h", longopts)) != -1)
		if (opt == 'o')
			output = optarg;
	name = name_operand(c, argc, argv);
	if (!output)
		cmd_usage_error(c, "snapshot: where to? (-o FILE)");
	/* argv - 1: "flight", the command's own argv[0]. */
	capture_join_args(argv - 1, line + sizeof(PROG), sizeof(line) - sizeof(PROG));
	memcpy(line, PROG " ", sizeof(PROG));
	return flight_snapshot_write(c, name, output, line, NULL, 0);
}

/* ---- dispatch --------------------------------------------------------- */

static int run_flight(const struct cmd *c, int argc, char **argv)
{
	const char *action = argc > 1 ? argv[1] : NULL;

	if (!action)
		cmd_usage_error(c, "missing action (start, snapshot, list, status, stop or daemon)");
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
	if (!strcmp(action, "daemon"))
		return flight_daemon(c, argc - 1, argv + 1);
	cmd_usage_error(c, "unknown action '%s' (use start, snapshot, list, status, stop or "
			"daemon)", action);
}

const struct cmd cmd_flight = {
	.name = "flight",
	.summary = "always-on flight recorders and their snapshots",
	.usage = flight_usage,
	.run = run_flight,
};
