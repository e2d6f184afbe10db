// SPDX-License-Identifier: GPL-2.0
/*
 * godiagctl capture: record a session's events into a capture file.
 *
 * Setup, in an order that leaves nothing behind on any failure: the
 * command (if any) is forked first and waits; then the netlink sockets
 * (the notification one before any target exists, so no exit is missed);
 * an owned session (destroyed by the module when this process dies, however
 * it dies), its filter and targets; /dev/godiag bound and every possible
 * CPU's buffer mapped; the file; START; the command released.
 *
 * The end is in capture_end.c. Signals are taken through a signalfd from
 * the start, so no Ctrl-C (first or second) can cut the end short: the
 * file always gets its end section unless the disk fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "base/cgroup.h"
#include "base/proc.h"
#include "base/util.h"
#include "cmd/capture.h"
#include "gobin/buildid.h"
#include "godiag_version.h"
#include "module/names.h"

#define MAX_CPUS	8192

static const char *const capture_usage =
	"Usage: " PROG " capture -p PID [-p PID ...] [-f] EVENTS [OPTIONS] [-z] -o FILE\n"
	"       " PROG " capture [-f] EVENTS [OPTIONS] -o FILE -- COMMAND [ARGS...]\n"
	"\n"
	"Record the syscalls, goroutine scheduling and breakpoint hits of running\n"
	"processes, or of a command it starts,\n"
	"into FILE, until the targets exit, --duration passes, or Ctrl-C (which\n"
	"ends the capture cleanly). Read FILE with '" PROG " report FILE'.\n"
	"\n"
	"Targets:\n"
	"  -p, --pid PID          trace process PID (repeatable)\n"
	"      --cgroup PATH      trace the processes of cgroup PATH and of the\n"
	"                         cgroups below it (cgroup v2; PATH as in\n"
	"                         /proc/PID/cgroup, or under /sys/fs/cgroup)\n"
	"      --container ID     trace the processes of container ID (a prefix\n"
	"                         of its ID: Docker, containerd, CRI-O, Podman),\n"
	"                         found by its cgroup\n"
	"  -f, --follow-children  also trace the processes the targets start\n"
	"  -- COMMAND [ARGS...]   start COMMAND and trace it from its first\n"
	"                         syscall; the capture ends when it exits (if\n"
	"                         the capture ends first, it gets SIGTERM)\n"
	"\n"
	"Events (at least one):\n"
	"      --syscalls         record syscalls\n"
	"      --goroutines       record goroutines being created, run, parked\n"
	"                         (with the runtime's wait reason), readied and\n"
	"                         exiting; every target must be a Go program\n"
	"                         (tested: Go 1.19, 1.21-1.23, 1.26, 1.27,\n"
	"                         static, PIE and stripped; another go1.19+\n"
	"                         traces when its facts are established, see\n"
	"                         " PROG " inspect). A COMMAND that is not one,\n"
	"                         such as env or sh -c 'exec ./server', is\n"
	"                         followed through up to 8 execs to the Go\n"
	"                         program it runs. Children followed with -f are\n"
	"                         traced for syscalls only\n"
	"      --syscall LIST     only these syscalls: names or numbers,\n"
	"                         comma-separated (write,read,35)\n"
	"      --syscall-min DUR  only syscalls that took at least DUR (100us)\n"
	"      --break SPEC       a breakpoint that never stops the program: every\n"
	"                         hit of SPEC, a function (main.handle,\n"
	"                         'main.(*Server).handle') and its inlined copies,\n"
	"                         FILE.go:LINE or 0xADDR, with the goroutine,\n"
	"                         arguments and stack it asks for (repeatable, up\n"
	"                         to 16; the options below apply to the --break\n"
	"                         before them); every target must be a Go program\n"
	"      --arg N:TYPE       read argument N (from 1) as TYPE (without DWARF,\n"
	"                         or over it): int, uint,\n"
	"                         int8..int64, uint8..uint64, bool, ptr, string,\n"
	"                         slice, iface (an interface with methods:\n"
	"                         error, io.Reader), any or eface (interface{}),\n"
	"                         []T for a slice of one of these scalars or of\n"
	"                         strings; an interface is shown by its dynamic\n"
	"                         type\n"
	"      --field PATH       also read a field through a pointer argument,\n"
	"                         req.Method or req.URL.Path (needs DWARF)\n"
	"      --strlen N         bytes of a string argument kept (default 64,\n"
	"                         at most 256)\n"
	"      --slice-elems N    first elements of a slice kept, for slices of\n"
	"                         integers, floats, bools, pointers and strings\n"
	"                         (default 4, at most 16; 0: length and capacity\n"
	"                         only)\n"
	"      --stack N          the caller chain, N frames (at most 32)\n"
	"      --latency          each call's duration, from probes on its RETs\n"
	"      --if 'ARG OP VAL'  record only hits where argument ARG (its name or\n"
	"                         position) compares so with VAL: == != < <= > >=\n"
	"                         for integers, booleans and floats (VAL a\n"
	"                         decimal: 2.5, -1e-3); == != prefix for\n"
	"                         strings; decided in the kernel\n"
	"      --every N          record one hit in N (after --if)\n"
	"      --max-rate N/s     record at most N hits per second\n"
	"      --gc               record each GC cycle and stop-the-world pause\n"
	"                         (with its reason from Go 1.21 on) and the\n"
	"                         runtime's heap figures then, from breakpoints\n"
	"                         on runtime.stopTheWorldWithSema and\n"
	"                         runtime.startTheWorldWithSema: a few hits per\n"
	"                         GC, none on the allocation path; every target\n"
	"                         must be a Go program\n"
	"\n"
	"Capture:\n"
	"  -o, --output FILE      write the capture to FILE (required). It is\n"
	"                         written as .FILE.godiag-XXXXXX beside it and\n"
	"                         renamed to FILE once complete: an earlier FILE\n"
	"                         stays as it was if the capture fails (a\n"
	"                         capture killed with SIGKILL leaves the\n"
	"                         temporary, which report reads as a cut file)\n"
	"  -z, --compress         compress the file with zstd, section by section\n"
	"                         (level 3); every command reads it as any file,\n"
	"                         a godiagctl older than this option refuses it\n"
	"      --duration DUR     stop after DUR (10s, 5m)\n"
	"      --max-duration DUR the module stops the session after DUR even if\n"
	"                         godiagctl cannot (default 1h; 0 or none: no\n"
	"                         limit but the host's, godiag.max_lifetime_ms)\n"
	"      --buffer SIZE      buffer per CPU (16K..256M; rounded up to a power\n"
	"                         of two); default from the events (--syscalls\n"
	"                         2M, --goroutines 4M, --break 2M, summed and\n"
	"                         rounded up), at most 256M for all online CPUs,\n"
	"                         at least 1M, at most RAM/16 for all CPUs\n"
	"      --mode MODE        discard: when a buffer is full, drop new events\n"
	"                         (default); overwrite: drop the oldest\n"
	"      --strict           exit 6 when the file is complete but the run was\n"
	"                         not clean: events were lost, or COMMAND exited\n"
	"                         with a status other than 0\n"
	"      --json             at the end, also print the summary as one JSON\n"
	"                         object on stdout (records, lost, written,\n"
	"                         bytes, processes, goroutines, duration_ns,\n"
	"                         reason, mode, buffer_size, cpus)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Durations take ns, us, ms, s, m or h; sizes K, M or G. At the end one\n"
	"line on stderr says how many events were captured and lost; if any\n"
	"were lost, capture again with a larger --buffer. On a terminal it also\n"
	"says what it attached to and keeps a status line up to date (elapsed,\n"
	"records/s, bytes, lost so far, goroutines seen).\n"
	"\n"
	"Exit status: 0 FILE is complete (losses and the command's status are\n"
	"in it and on stderr); 6 with --strict, FILE is complete but events were\n"
	"lost or COMMAND failed; 1 a usage error, a PID that names no process, a\n"
	"target that is not a Go program (--goroutines); 2 the module is not\n"
	"loaded; 3 the capture failed (FILE is left as it was); 4 permission\n"
	"denied.\n";

/* SIGINT, SIGTERM, SIGHUP and SIGCHLD go to a signalfd from the start. */
static void block_signals(struct capture *c, sigset_t *orig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, orig))
		die(EXIT_OPFAIL, "%s: cannot block signals: %s", c->c->name, strerror(errno));
	c->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (c->sig_fd < 0)
		die(EXIT_OPFAIL, "%s: signalfd: %s", c->c->name, strerror(errno));
}

static void open_netlink(struct capture *c)
{
	char why[256];

	c->nl = gdnl_open(c->c->name);
	status_require_abi(c->nl, c->c->name, &c->st);
	/* Only CAP_SYS_ADMIN may join; without it, polling is the plan. */
	c->notify = gdnl_open_notify(c->c->name, why, sizeof(why));
	if (!c->notify && errno != EPERM)
		warn("%s: %s; checking the targets every second instead",
		     c->c->name, why);
}

static int get_session_id(const struct gdnl_reply *r, void *arg)
{
	struct capture *c = arg;

	if (r->tb[GODIAG_A_SESSION_ID])
		c->session = nla_get_u32(r->tb[GODIAG_A_SESSION_ID]);
	if (r->tb[GODIAG_A_SESSION_MAX_LIFETIME_MS])
		c->lifetime_ms = nla_get_u32(r->tb[GODIAG_A_SESSION_MAX_LIFETIME_MS]);
	return 0;
}

/* The host may cap lifetimes (godiag.max_lifetime_ms): say when it did. */
static void note_lifetime(struct capture *c)
{
	char asked[32], got[32];

	if (c->lifetime_ms == c->o->max_lifetime_ms)
		return;
	capture_format_ms(c->o->max_lifetime_ms, asked, sizeof(asked));
	capture_format_ms(c->lifetime_ms, got, sizeof(got));
	note("the host caps sessions at %s (godiag.max_lifetime_ms): --max-duration "
	     "%s becomes %s", got, asked, got);
	c->o->max_lifetime_ms = c->lifetime_ms;
}

static void create_session(struct capture *c)
{
	struct nl_msg *msg = gdnl_msg(c->nl, GODIAG_CMD_SESSION_NEW, 0);
	int err;

	gdnl_put_u32(msg, GODIAG_A_BUFFER_SIZE, c->o->buffer);
	gdnl_put_u8(msg, GODIAG_A_MODE, c->o->mode);
	gdnl_put_u32(msg, GODIAG_A_EVENTS, capture_events(c->o));
	if (c->o->name) {
		gdnl_put_string(msg, GODIAG_A_SESSION_NAME, c->o->name);
		gdnl_put_u32(msg, GODIAG_A_SESSION_WINDOW_MS, c->o->window_ms);
		if (c->o->persistent)
			gdnl_put_flag(msg, GODIAG_A_SESSION_PERSISTENT);
	} else {
		gdnl_put_flag(msg, GODIAG_A_OWNED);
	}
	if (c->o->max_lifetime_ms)
		gdnl_put_u32(msg, GODIAG_A_SESSION_MAX_LIFETIME_MS, c->o->max_lifetime_ms);
	err = gdnl_exec(c->nl, msg, get_session_id, c);
	if (err)
		gdnl_fail(c->nl, err);
	if (!c->session)
		die(EXIT_OPFAIL, "%s: the module created a session without an ID",
		    c->c->name);
	note_lifetime(c);
	if (!c->o->syscalls || (!c->o->has_mask && !c->o->has_min))
		return;
	msg = gdnl_msg(c->nl, GODIAG_CMD_SYSCALLS_SET, 0);
	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, c->session);
	if (c->o->has_mask)
		gdnl_put_data(msg, GODIAG_A_SYSCALL_MASK, c->o->mask, sizeof(c->o->mask));
	if (c->o->has_min)
		gdnl_put_u64(msg, GODIAG_A_SYSCALL_MIN_NS, c->o->min_ns);
	err = gdnl_exec(c->nl, msg, NULL, NULL);
	if (err)
		gdnl_fail(c->nl, err);
}

/* "cgroup PATH" or "container ID", for messages. */
static const char *group_name(const struct capture *c)
{
	static char name[512];

	snprintf(name, sizeof(name), "%s %s", c->o->cgroup ? "cgroup" : "container",
		 c->o->cgroup ? c->o->cgroup : c->o->container);
	return name;
}

/*
 * Returns false when a process of --cgroup or --container (from_group)
 * exited before it could be added: it is left out with a note.
 */
static bool add_target(struct capture *c, uint32_t pid, bool is_command, bool from_group)
{
	struct nl_msg *msg = gdnl_msg(c->nl, GODIAG_CMD_TARGET_ADD, 0);
	struct capture_target *t;
	int err, mem_err, mem = capture_mem_open(pid, &mem_err);

	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, c->session);
	gdnl_put_u32(msg, GODIAG_A_PID, pid);
	gdnl_put_u32(msg, GODIAG_A_TARGET_FLAGS,
		     c->o->follow ? GODIAG_TF_FOLLOW_CHILDREN : 0);
	capture_put_mem_fd(msg, mem);
	err = gdnl_exec(c->nl, msg, NULL, NULL);
	if (mem >= 0)
		close(mem);
	if (err == -ESRCH && from_group) {
		note("process %u of %s exited before it could be traced", pid, group_name(c));
		return false;
	}
	/* Gone since check_targets(): the same bad argument. */
	if (err == -ESRCH)
		capture_die(c, EXIT_USAGE, "no process %u", pid);
	if (err)
		capture_pid_failed(c, pid, mem_err, err);
	c->targets = xreallocarray(c->targets, c->ntargets + 1, sizeof(*c->targets));
	t = &c->targets[c->ntargets++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->is_command = is_command;
	return true;
}

/* The sources the options ask for, in this order. */
static const struct capture_source *const sources[] = {
	&capture_go_source,
	&capture_break_source,
};

static void open_sources(struct capture *c)
{
	size_t i;

	c->srcs = xcalloc(ARRAY_SIZE(sources), sizeof(*c->srcs));
	for (i = 0; i < ARRAY_SIZE(sources); i++) {
		if (!sources[i]->wanted(c->o))
			continue;
		c->srcs[c->nsrcs].ops = sources[i];
		c->srcs[c->nsrcs].data = xcalloc(1, sources[i]->data_size);
		c->nsrcs++;
	}
}

static void free_sources(struct capture *c)
{
	size_t i;

	for (i = 0; i < c->nsrcs; i++) {
		c->srcs[i].ops->free(c->srcs[i].data);
		free(c->srcs[i].data);
	}
	free(c->srcs);
}

/* 0, or the first source's answer that is not 0 (its line in err). */
static int inspect_sources(struct capture *c, uint32_t pid, char *err, size_t errlen)
{
	size_t i;
	int r;

	for (i = 0; i < c->nsrcs; i++) {
		r = c->srcs[i].ops->inspect(c, c->srcs[i].data, pid, err, errlen);
		if (r)
			return r;
	}
	return 0;
}

static void attach_sources(struct capture *c, uint32_t pid)
{
	size_t i;

	for (i = 0; i < c->nsrcs; i++)
		c->srcs[i].ops->attach(c, c->srcs[i].data, pid);
}

static void add_targets(struct capture *c)
{
	size_t i;

	for (i = 0; i < c->o->npids; i++)
		if (add_target(c, c->o->pids[i], false, i >= c->o->npids_given))
			attach_sources(c, c->o->pids[i]);
	if (c->child.pid)
		add_target(c, (uint32_t)c->child.pid, true, false);
	/* A persistent recorder may wait for its first target. */
	if (!c->ntargets && !c->o->persistent)
		capture_die(c, EXIT_USAGE, "every process of %s exited before it could be "
			    "traced", group_name(c));
}

/* The possible CPUs: sysfs, else 0..n-1 from the module's count. */
static size_t possible_cpus(struct capture *c, unsigned int *ids)
{
	int n = cpu_possible(ids, MAX_CPUS);
	unsigned int i;

	if (n > 0)
		return (size_t)n;
	for (i = 0; i < c->st.cpus && i < MAX_CPUS; i++)
		ids[i] = i;
	return i;
}

static void open_device(struct capture *c)
{
	const char *path = "/dev/" GODIAG_DEVICE_NAME;
	uint32_t id = c->session;

	/* Read-write: the mappings are shared and writable (data_tail). */
	c->dev = open(path, O_RDWR | O_CLOEXEC);
	if (c->dev < 0 && (errno == EACCES || errno == EPERM))
		die(EXIT_PERM, "permission denied: %s needs CAP_PERFMON or CAP_SYS_ADMIN",
		    path);
	if (c->dev < 0)
		die(EXIT_OPFAIL, "%s: %s: %s", c->c->name, path, strerror(errno));
	if (ioctl(c->dev, GODIAG_IOC_BIND, &id))
		die(EXIT_OPFAIL, "%s: cannot bind %s to session %u: %s", c->c->name,
		    path, id, strerror(errno));
}

static void map_rings(struct capture *c)
{
	unsigned int *ids = xcalloc(MAX_CPUS, sizeof(*ids));
	bool overwrite = c->o->mode == GODIAG_MODE_OVERWRITE;
	size_t i;

	c->nrings = possible_cpus(c, ids);
	if (!c->nrings)
		die(EXIT_OPFAIL, "%s: cannot tell which CPUs are possible", c->c->name);
	c->rings = xcalloc(c->nrings, sizeof(*c->rings));
	for (i = 0; i < c->nrings; i++)
		if (ring_map(&c->rings[i], c->dev, ids[i], c->o->buffer, overwrite))
			die(EXIT_OPFAIL, "%s: cannot map the buffer of CPU %u: %s",
			    c->c->name, ids[i], strerror(errno));
	free(ids);
}

void capture_meta_origin(const struct capture *c, uint32_t session, char **text,
			 size_t *len)
{
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	capw_meta_add(text, len, "tool", "%s", PROG);
	capw_meta_add(text, len, "tool_version", "%s", GODIAG_VERSION);
	capw_meta_add(text, len, "abi_version", "%d", GODIAG_ABI_VERSION);
	capw_meta_add(text, len, "module_version", "%s", c->st.version);
	capw_meta_add(text, len, "kernel_release", "%s", c->st.kernel);
	capw_meta_add(text, len, "hostname", "%s", host);
	capw_meta_add(text, len, "session_id", "%u", session);
}

static void write_meta(struct capture *c)
{
	char filter[4096] = "all", events[64], cmd[4096];
	struct capture_opts *o = c->o;
	char *text = NULL;
	size_t len = 0;

	if (o->has_mask)
		syscall_format_mask(o->mask, filter, sizeof(filter));
	events_format(capture_events(o), events, sizeof(events));
	capture_meta_origin(c, c->session, &text, &len);
	capw_meta_add(&text, &len, "start_realtime_ns", "%llu",
		      (unsigned long long)c->start_real);
	capw_meta_add(&text, &len, "start_monotonic_ns", "%llu",
		      (unsigned long long)c->start_mono);
	capw_meta_add(&text, &len, "mode", "%s", mode_name(o->mode));
	capw_meta_add(&text, &len, "buffer_size", "%u", o->buffer);
	capw_meta_add(&text, &len, "cpus", "%zu", c->nrings);
	capw_meta_add(&text, &len, "page_size", "%ld", sysconf(_SC_PAGESIZE));
	capw_meta_add(&text, &len, "events", "%s", events);
	capw_meta_add(&text, &len, "syscall_filter", "%s", filter);
	capw_meta_add(&text, &len, "syscall_min_ns", "%llu",
		      (unsigned long long)o->min_ns);
	capw_meta_add(&text, &len, "follow_children", "%s", o->follow ? "yes" : "no");
	if (o->compress)
		capw_meta_add(&text, &len, "compression", "zstd level %d", CAPTURE_ZSTD_LEVEL);
	if (o->cgroup)
		capw_meta_add(&text, &len, "cgroup", "%s", o->cgroup);
	if (o->container)
		capw_meta_add(&text, &len, "container", "%s", o->container);
	capw_meta_add(&text, &len, "max_duration_ms", "%u", o->max_lifetime_ms);
	if (o->command) {
		capture_join_args(o->command, cmd, sizeof(cmd));
		capw_meta_add(&text, &len, "command", "%s", cmd);
	}
	capw_meta_add(&text, &len, "command_line", "%s", o->command_line);
	capw_section(&c->w, CAPFILE_SEC_META, 0, text, len);
	free(text);
}

/* After the command's exec, so /proc shows the command, not godiagctl. */
static void write_targets(struct capture *c)
{
	struct capfile_target *t = xcalloc(1, sizeof(*t));
	size_t i;

	for (i = 0; i < c->ntargets; i++) {
		t->pid = c->targets[i].pid;
		t->flags = c->o->follow ? GODIAG_TF_FOLLOW_CHILDREN : 0;
		proc_comm((pid_t)t->pid, t->comm, sizeof(t->comm));
		proc_exe((pid_t)t->pid, t->exe, sizeof(t->exe));
		if (!t->comm[0] && c->targets[i].is_command)
			snprintf(t->comm, sizeof(t->comm), "%.15s", c->o->command[0]);
		snprintf(c->targets[i].comm, sizeof(c->targets[i].comm), "%s", t->comm);
		capw_target(&c->w, t);
	}
	free(t);
}

/*
 * Which binary each target runs (its build id and Go version, read from
 * /proc/PID/exe: the file it runs, even when the path has a new one), so
 * that report can tell when the file at the path is another build.
 */
static void write_binaries(struct capture *c)
{
	char *text = NULL, key[64], path[64], val[256];
	size_t len = 0, i;

	for (i = 0; i < c->ntargets; i++) {
		uint32_t pid = c->targets[i].pid;

		snprintf(path, sizeof(path), "/proc/%u/exe", pid);
		if (!buildid_read(path, val, sizeof(val))) {
			snprintf(key, sizeof(key), "target_%u_build_id", pid);
			capw_meta_add(&text, &len, key, "%s", val);
		}
		if (!buildid_go_version(path, val, sizeof(val))) {
			snprintf(key, sizeof(key), "target_%u_go_version", pid);
			capw_meta_add(&text, &len, key, "%s", val);
		}
	}
	if (text)
		capw_section(&c->w, CAPFILE_SEC_META, 0, text, len);
	free(text);
}

static void start_timer(struct capture *c)
{
	struct itimerspec its = { 0 };

	c->timer_fd = -1;
	if (!c->o->duration_ns)
		return;
	c->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (c->timer_fd < 0)
		die(EXIT_OPFAIL, "%s: timerfd: %s", c->c->name, strerror(errno));
	its.it_value.tv_sec = (time_t)(c->o->duration_ns / 1000000000ULL);
	its.it_value.tv_nsec = (long)(c->o->duration_ns % 1000000000ULL);
	timerfd_settime(c->timer_fd, 0, &its, NULL);
}

/* Wrappers followed to the Go program (env, sh -c 'exec ...'), and how long each may take. */
#define EXECS_MAX	8
#define EXEC_WAIT_NS	(30ULL * 1000000000)

/* A command that never became the Go program must not run on untraced. */
__attribute__((noreturn, format(printf, 2, 3)))
static void refuse_command(struct capture *c, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->child.exited)
		kill(c->child.pid, SIGKILL);
	capture_die(c, EXIT_USAGE, "%s", msg);
}

/* A termination signal came (SIGCHLD, the command's, is left to waitpid). */
static bool interrupted(struct capture *c)
{
	struct signalfd_siginfo si;
	struct pollfd pfd = { .fd = c->sig_fd, .events = POLLIN };
	bool stop = false;

	if (poll(&pfd, 1, 10) <= 0)
		return false;
	while (read(c->sig_fd, &si, sizeof(si)) == sizeof(si))
		stop |= si.ssi_signo != SIGCHLD;
	return stop;
}

/*
 * The command stopped at an exec of something that is no Go program
 * (why): let it on to its next exec, draining the buffers meanwhile.
 */
static void follow_exec(struct capture *c, const char *why)
{
	static const char hint[] = "--goroutines traces the Go program a command "
		"execs, as env ./server or sh -c 'exec ./server' do; make the wrapper "
		"exec it, or capture the running program with -p PID";
	uint64_t deadline = capture_now_ns(CLOCK_MONOTONIC) + EXEC_WAIT_NS;
	int r;

	if (child_next_exec(&c->child))
		refuse_command(c, "%s; cannot follow it: %s", why, strerror(errno));
	while (!(r = child_poll_exec(&c->child))) {
		capture_drain(c);
		if (interrupted(c))
			refuse_command(c, "%s; interrupted while waiting for it to exec "
				       "another program", why);
		if (capture_now_ns(CLOCK_MONOTONIC) > deadline)
			refuse_command(c, "%s, and it did not exec another program "
				       "within %llu s: %s", why, EXEC_WAIT_NS / 1000000000, hint);
	}
	if (r < 0)
		refuse_command(c, "%s; cannot follow it: %s", why, strerror(errno));
	if (c->child.exited)
		refuse_command(c, "%s, and it exited without exec'ing a Go program: %s",
			       why, hint);
}

/*
 * Goroutine probes go on the command's binary once it has exec'd: the Go
 * program, through up to EXECS_MAX execs of wrappers that are not.
 */
static void attach_command(struct capture *c)
{
	uint32_t pid = (uint32_t)c->child.pid;
	char err[1024];
	int n, r;

	for (n = 1; !c->child.exited; n++) {
		r = inspect_sources(c, pid, err, sizeof(err));
		if (!r)
			break;
		if (r != CAPTURE_SOURCE_OTHER_PROGRAM)
			capture_die(c, EXIT_USAGE, "%s", err);
		if (n == EXECS_MAX)
			refuse_command(c, "%s, after %d execs of '%s'", err, n,
				       c->o->command[0]);
		follow_exec(c, err);
	}
	if (c->child.exited)
		return;
	attach_sources(c, pid);
	if (child_resume(&c->child))
		capture_die(c, EXIT_OPFAIL, "cannot resume '%s': %s",
			    c->o->command[0], strerror(errno));
}

static void release_command(struct capture *c)
{
	int err = child_release(&c->child);

	if (err)
		capture_die(c, exit_code_of_errno(err), "cannot run '%s': %s",
			    c->o->command[0], strerror(err));
	if (c->child.stop_at_exec)
		attach_command(c);
}

static void start(struct capture *c)
{
	struct nl_msg *msg = gdnl_msg(c->nl, GODIAG_CMD_SESSION_START, 0);
	int err;

	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, c->session);
	c->start_real = capture_now_ns(CLOCK_REALTIME);
	c->start_mono = capture_now_ns(CLOCK_MONOTONIC);
	err = gdnl_exec(c->nl, msg, NULL, NULL);
	if (err)
		capture_setup_failed(c, err);
	start_timer(c);
	write_meta(c);
	if (c->child.pid)
		release_command(c);
	write_targets(c);
	write_binaries(c);
	/* On disk from the start: a capture killed later leaves a readable file. */
	capw_flush(&c->w);
	auditlog_capture(c, "capture-start", NULL, 0, 0);
}

/*
 * --cgroup, --container: the group's processes become targets after
 * those of -p (each once). Cgroup v2 only: v1 hierarchies name no single
 * tree of a container's processes.
 */
static void group_targets(struct capture *c)
{
	struct capture_opts *o = c->o;
	char dir[4096], err[4608];
	uint32_t *pids = NULL;
	size_t n = 0, i, j;

	if (!o->cgroup && !o->container)
		return;
	if (cgroup_check_root(CGROUP_ROOT, err, sizeof(err)) ||
	    (o->cgroup ? cgroup_dir(CGROUP_ROOT, o->cgroup, dir, sizeof(dir), err, sizeof(err)) :
	     cgroup_container(CGROUP_ROOT, o->container, dir, sizeof(dir), err, sizeof(err))) ||
	    cgroup_pids(dir, GODIAG_TARGETS_MAX, &pids, &n, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s", c->c->name, err);
	for (i = 0; i < n; i++) {
		for (j = 0; j < o->npids && o->pids[j] != pids[i]; j++)
			;
		/* godiagctl may be in the group: it does not trace itself. */
		if (j < o->npids || pids[i] == (uint32_t)getpid())
			continue;
		if (o->npids == GODIAG_TARGETS_MAX)
			die(EXIT_USAGE, "%s: more than %d targets", c->c->name,
			    GODIAG_TARGETS_MAX);
		o->pids = xreallocarray(o->pids, o->npids + 1, sizeof(*o->pids));
		o->pids[o->npids++] = pids[i];
	}
	free(pids);
	if (o->npids == o->npids_given)
		die(EXIT_USAGE, "%s: %s has no processes%s", c->c->name, group_name(c),
		    n ? " but godiagctl and those given with -p" : "");
}

/*
 * Refuse a PID that names no process, and with --goroutines targets that
 * are not Go programs, before anything exists.
 */
static void check_targets(struct capture *c)
{
	char err[1024];
	size_t i;

	group_targets(c);
	for (i = 0; i < c->o->npids; i++)
		if (i < c->o->npids_given && !proc_exists((pid_t)c->o->pids[i]))
			die(EXIT_USAGE, "%s: no process %u", c->c->name, c->o->pids[i]);
	if (!c->nsrcs)
		return;
	for (i = 0; i < c->o->npids; i++) {
		uint32_t pid = c->o->pids[i];
		char exe[64];
		int e;

		if (i >= c->o->npids_given && !proc_exists((pid_t)pid))
			continue;	/* add_target() leaves it out */
		snprintf(exe, sizeof(exe), "/proc/%u/exe", pid);
		e = open_errno(exe);
		if (e)
			die(exit_code_of_errno(e), "%s: PID %u: cannot open %s: %s",
			    c->c->name, pid, exe, strerror(e));
		if (inspect_sources(c, pid, err, sizeof(err)))
			die(EXIT_USAGE, "%s: %s", c->c->name, err);
	}
}

static void setup(struct capture *c, sigset_t *orig)
{
	check_targets(c);
	block_signals(c, orig);
	if (c->o->command &&
	    child_spawn(&c->child, c->o->command, orig, c->nsrcs > 0))
		die(EXIT_OPFAIL, "%s: cannot start '%s': %s", c->c->name,
		    c->o->command[0], strerror(errno));
	/*
	 * A closed stderr pipe must not kill the capture before its end
	 * section. Only now: the command must not inherit an ignored SIGPIPE.
	 */
	signal(SIGPIPE, SIG_IGN);
	open_netlink(c);
	create_session(c);
	add_targets(c);
	open_device(c);
	map_rings(c);
	capture_output_open(c);
	start(c);
	capture_status_attached(c);
}

void capture_sources_observe(struct capture *c)
{
	char err[1024];
	size_t i, j;

	open_sources(c);
	for (j = 0; j < c->o->npids; j++) {
		uint32_t pid = c->o->pids[j];

		for (i = 0; i < c->nsrcs; i++) {
			const struct capture_source *s = c->srcs[i].ops;

			if (!s->observe)
				continue;
			if (!proc_exists((pid_t)pid) ||
			    s->inspect(c, c->srcs[i].data, pid, err, sizeof(err))) {
				note("process %u: its %s cannot be named (it exited, or: %s)",
				     pid, s->name, proc_exists((pid_t)pid) ? err : "gone");
				continue;
			}
			s->observe(c, c->srcs[i].data, pid);
		}
	}
}

void capture_sources_free(struct capture *c)
{
	free_sources(c);
}

/* A recorder that did not start is not left behind (it has no owner socket). */
static const char *recorder_pending;

static void remove_pending_recorder(void)
{
	const char *name = recorder_pending;
	struct nl_msg *msg;
	struct gdnl *nl;

	if (!name)
		return;
	recorder_pending = NULL;	/* once, even if what follows dies */
	nl = gdnl_open("flight");
	msg = gdnl_msg(nl, GODIAG_CMD_SESSION_DEL, 0);
	gdnl_put_string(msg, GODIAG_A_SESSION_NAME, name);
	gdnl_exec(nl, msg, NULL, NULL);
	gdnl_close(nl);
}

uint32_t capture_recorder_start(const struct cmd *cmd, struct capture_opts *o)
{
	struct capture c;
	struct nl_msg *msg;
	int err;

	memset(&c, 0, sizeof(c));
	c.c = cmd;
	c.o = o;
	c.out.fd = -1;
	c.dev = -1;
	open_sources(&c);
	check_targets(&c);
	c.nl = gdnl_open(cmd->name);
	status_require_abi(c.nl, cmd->name, &c.st);
	create_session(&c);
	recorder_pending = o->name;
	atexit(remove_pending_recorder);
	add_targets(&c);
	if (o->before_start)
		o->before_start(&c, o->before_start_arg);
	msg = gdnl_msg(c.nl, GODIAG_CMD_SESSION_START, 0);
	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, c.session);
	err = gdnl_exec(c.nl, msg, NULL, NULL);
	if (err)
		gdnl_fail(c.nl, err);
	recorder_pending = NULL;
	gdnl_close(c.nl);
	free_sources(&c);
	free(c.targets);
	return c.session;
}

void capture_live_start(struct capture *c)
{
	struct nl_msg *msg;
	int err;

	open_sources(c);
	check_targets(c);
	c->nl = gdnl_open(c->c->name);
	status_require_abi(c->nl, c->c->name, &c->st);
	create_session(c);
	add_targets(c);
	open_device(c);
	map_rings(c);
	msg = gdnl_msg(c->nl, GODIAG_CMD_SESSION_START, 0);
	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, c->session);
	c->start_mono = capture_now_ns(CLOCK_MONOTONIC);
	err = gdnl_exec(c->nl, msg, NULL, NULL);
	if (err)
		gdnl_fail(c->nl, err);
}

void capture_live_stop(struct capture *c)
{
	size_t i;

	for (i = 0; i < c->nrings; i++)
		ring_unmap(&c->rings[i]);
	if (c->dev >= 0)
		close(c->dev);
	gdnl_close(c->nl);
	free_sources(c);
	free(c->rings);
	free(c->targets);
}

void *capture_source_data(const struct capture *c, const struct capture_source *ops)
{
	size_t i;

	for (i = 0; i < c->nsrcs; i++)
		if (c->srcs[i].ops == ops)
			return c->srcs[i].data;
	return NULL;
}

void capture_recorder_add(const struct cmd *cmd, struct capture_opts *o, uint32_t session,
			  uint32_t pid)
{
	struct capture c;
	char err[1024];

	memset(&c, 0, sizeof(c));
	c.c = cmd;
	c.o = o;
	c.out.fd = -1;
	c.dev = -1;
	c.session = session;
	open_sources(&c);
	if (inspect_sources(&c, pid, err, sizeof(err)))
		die(EXIT_USAGE, "%s: %s", cmd->name, err);
	c.nl = gdnl_open(cmd->name);
	status_require_abi(c.nl, cmd->name, &c.st);
	add_target(&c, pid, false, false);
	attach_sources(&c, pid);
	gdnl_close(c.nl);
	free_sources(&c);
	free(c.targets);
}

static int run_capture(const struct cmd *cmd, int argc, char **argv)
{
	struct capture_opts o;
	struct capture c;
	sigset_t orig;
	int ret;

	capture_parse_opts(cmd, argc, argv, &o);
	memset(&c, 0, sizeof(c));
	c.c = cmd;
	c.o = &o;
	c.out.fd = -1;
	c.dev = -1;
	capture_status_init(&c);
	open_sources(&c);
	setup(&c, &orig);
	capture_loop(&c);
	ret = capture_finish(&c);
	if (c.child.pid)
		child_finish(&c.child);
	gdnl_close(c.notify);
	gdnl_close(c.nl);
	hmap_free(&c.procs);
	capture_status_free(&c);
	free_sources(&c);
	free(c.rings);
	free(c.targets);
	outfile_free(&c.out);
	capture_free_opts(&o);
	return ret;
}

const struct cmd cmd_capture = {
	.name = "capture",
	.summary = "record the syscalls of processes or a command into a file",
	.usage = capture_usage,
	.run = run_capture,
};
