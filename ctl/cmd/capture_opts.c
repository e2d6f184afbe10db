// SPDX-License-Identifier: GPL-2.0
/* capture's options: parsed and checked before anything touches the kernel. */
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd/capture.h"
#include "module/names.h"

enum {
	OPT_SYSCALLS = 256,
	OPT_SYSCALL,
	OPT_SYSCALL_MIN,
	OPT_DURATION,
	OPT_BUFFER,
	OPT_MODE,
	OPT_GOROUTINES,
	OPT_STRICT,
	OPT_BREAK,
	OPT_ARG,
	OPT_STRLEN,
	OPT_STACK,
	OPT_LATENCY,
	OPT_IF,
	OPT_EVERY,
	OPT_MAX_RATE,
	OPT_MAX_DURATION,
	OPT_CGROUP,
	OPT_CONTAINER,
	OPT_JSON,
	OPT_GC,
	OPT_FIELD,
	OPT_SLICE_ELEMS,
	/* flight start's own */
	OPT_SIZE,
	OPT_WINDOW,
	OPT_TRIGGER,
	OPT_COOLDOWN,
	OPT_POST,
	OPT_SNAPSHOT_DIR,
	OPT_KEEP,
	OPT_FOREGROUND,
	OPT_COMM,
	OPT_FOLLOW_CGROUP,
	OPT_CONFIG,
};

/*
 * A breakpoint and the options that qualify it: capture's and flight
 * start's tables list them from here, so the two cannot drift apart.
 */
#define BREAK_LONGOPTS							\
	{ "break", required_argument, NULL, OPT_BREAK },		\
	{ "arg", required_argument, NULL, OPT_ARG },			\
	{ "field", required_argument, NULL, OPT_FIELD },		\
	{ "strlen", required_argument, NULL, OPT_STRLEN },		\
	{ "slice-elems", required_argument, NULL, OPT_SLICE_ELEMS },	\
	{ "stack", required_argument, NULL, OPT_STACK },		\
	{ "latency", no_argument, NULL, OPT_LATENCY },			\
	{ "if", required_argument, NULL, OPT_IF },			\
	{ "every", required_argument, NULL, OPT_EVERY },		\
	{ "max-rate", required_argument, NULL, OPT_MAX_RATE }

const char *capture_buffer_size(uint64_t bytes, uint32_t *size)
{
	uint64_t p = GODIAG_BUFFER_MIN;

	if (bytes < GODIAG_BUFFER_MIN)
		return "below the minimum of 16 KiB";
	if (bytes > GODIAG_BUFFER_MAX)
		return "above the maximum of 256 MiB";
	while (p < bytes)
		p <<= 1;
	*size = (uint32_t)p;
	return NULL;
}

/*
 * The default per-CPU buffer: CAPTURE_BUFFER_UNIT for each weight of
 * the events asked for (syscalls 1, goroutines 2: a switch is several
 * records, breakpoints 1), rounded up to a power of two, so that the
 * buffers hold a few seconds of a busy service while the reader waits
 * for a CPU (the README's demo, syscalls and goroutines on 2 CPUs, lost
 * 3-4% of its records with 1 MiB and 2 MiB, none with 4 MiB). Bounded:
 * all online CPUs together at most CAPTURE_BUFFER_TOTAL_MAX, all
 * possible CPUs (each has a buffer) at most 1/16 of RAM; never below
 * GODIAG_BUFFER_MIN nor 1 MiB, the earlier default, unless RAM says so.
 */
static uint64_t pow2_down(uint64_t v)
{
	uint64_t p = GODIAG_BUFFER_MIN;

	while (p * 2 <= v && p < GODIAG_BUFFER_MAX)
		p *= 2;
	return p;
}

uint32_t capture_default_buffer(uint32_t events, unsigned long online,
				unsigned long possible, uint64_t ram)
{
	uint64_t want = 0, size, cap = GODIAG_BUFFER_MAX;

	if (events & GODIAG_EV_SYSCALL)
		want += CAPTURE_BUFFER_UNIT;
	if (events & GODIAG_EV_GOROUTINE)
		want += 2 * CAPTURE_BUFFER_UNIT;
	if (events & GODIAG_EV_BREAKPOINT)
		want += CAPTURE_BUFFER_UNIT;
	size = pow2_down(want);
	if (size < want)
		size *= 2;
	if (online)
		cap = pow2_down(CAPTURE_BUFFER_TOTAL_MAX / online);
	if (size > cap)
		size = cap;
	if (size < (1U << 20))
		size = 1U << 20;
	if (possible && ram && size > ram / 16 / possible)
		size = pow2_down(ram / 16 / possible);
	return (uint32_t)size;
}

const char *capture_max_duration(const char *s, uint32_t *ms)
{
	const char *why;
	uint64_t ns, v;

	if (!strcmp(s, "none")) {
		*ms = 0;
		return NULL;
	}
	why = parse_duration(s, &ns);
	if (why)
		return why;
	v = ns / 1000000 + (ns % 1000000 != 0);
	if (v > GODIAG_LIFETIME_MAX_MS)
		return "above the maximum of 49 days";
	*ms = (uint32_t)v;
	return NULL;
}

void capture_format_ms(uint32_t ms, char *buf, size_t len)
{
	if (!ms)
		snprintf(buf, len, "none");
	else if (!(ms % 3600000))
		snprintf(buf, len, "%uh", ms / 3600000);
	else if (!(ms % 60000))
		snprintf(buf, len, "%um", ms / 60000);
	else if (!(ms % 1000))
		snprintf(buf, len, "%us", ms / 1000);
	else
		snprintf(buf, len, "%ums", ms);
}

/* Single quotes unless every byte is one a shell leaves alone. */
static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_-+=/.,:@%", *s))
			return true;
	return false;
}

static size_t append(char *buf, size_t len, size_t used, const char *s)
{
	if (used < len)
		snprintf(buf + used, len - used, "%s", s);
	return used + strlen(s);
}

void capture_join_args(char *const *argv, char *buf, size_t len)
{
	size_t used = 0;
	char one[2] = "";

	if (len)
		buf[0] = '\0';
	for (; *argv; argv++) {
		const char *s = *argv;

		if (used)
			used = append(buf, len, used, " ");
		if (!needs_quotes(s)) {
			used = append(buf, len, used, s);
			continue;
		}
		used = append(buf, len, used, "'");
		for (; *s; s++) {
			one[0] = *s;
			used = append(buf, len, used, *s == '\'' ? "'\\''" : one);
		}
		used = append(buf, len, used, "'");
	}
}

static void add_pid(const struct cmd *c, struct capture_opts *o, const char *s)
{
	uint32_t pid;
	size_t i;

	if (parse_u32(s, 1, INT32_MAX, &pid))
		cmd_usage_error(c, "invalid PID '%s'", s);
	for (i = 0; i < o->npids; i++)
		if (o->pids[i] == pid)
			cmd_usage_error(c, "PID %u given twice", pid);
	if (o->npids == GODIAG_TARGETS_MAX)
		cmd_usage_error(c, "more than %d targets", GODIAG_TARGETS_MAX);
	o->pids = xreallocarray(o->pids, o->npids + 1, sizeof(*o->pids));
	o->pids[o->npids++] = pid;
}

static void set_syscalls(const struct cmd *c, struct capture_opts *o, const char *s)
{
	char err[512];

	if (syscall_parse_list(s, o->mask, err, sizeof(err)))
		cmd_usage_error(c, "%s", err);
	o->has_mask = true;
}

static uint64_t duration_arg(const struct cmd *c, const char *opt, const char *s)
{
	const char *why;
	uint64_t ns;

	why = parse_duration(s, &ns);
	if (why)
		cmd_usage_error(c, "invalid %s '%s': %s", opt, s, why);
	return ns;
}

static void set_buffer(const struct cmd *c, struct capture_opts *o, const char *s)
{
	const char *why;
	uint64_t bytes;

	why = parse_size(s, &bytes);
	if (why)
		cmd_usage_error(c, "invalid --buffer '%s': %s", s, why);
	why = capture_buffer_size(bytes, &o->buffer);
	if (why)
		cmd_usage_error(c, "--buffer %s is %s", s, why);
	if (o->buffer != bytes) {
		char size[32];

		format_size(o->buffer, size, sizeof(size));
		note("buffer size rounded up to %s per CPU (a power of two)", size);
	}
}

static void add_str(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

static uint32_t u32_arg(const struct cmd *c, const char *opt, const char *s,
			uint32_t min, uint32_t max)
{
	uint32_t v;

	if (parse_u32(s, min, max, &v))
		cmd_usage_error(c, "invalid %s '%s' (%u to %u)", opt, s, min, max);
	return v;
}

/* "N", "N/s". */
static uint32_t rate_arg(const struct cmd *c, const char *s)
{
	char buf[32];
	size_t n = strlen(s);

	if (n >= 2 && n < sizeof(buf) && !strcmp(s + n - 2, "/s")) {
		memcpy(buf, s, n - 2);
		buf[n - 2] = '\0';
		s = buf;
	}
	return u32_arg(c, "--max-rate", s, 1, UINT32_MAX);
}

/* The --break the option belongs to: the last one before it. */
static struct capture_bspec *last_break(const struct cmd *c, struct capture_opts *o,
					const char *opt)
{
	if (!o->nbreaks)
		cmd_usage_error(c, "%s applies to the --break before it: give --break first", opt);
	return &o->breaks[o->nbreaks - 1];
}

/* Breakpoint options (false: not one of them). */
static bool break_option(const struct cmd *c, struct capture_opts *o, int opt)
{
	struct capture_bspec *b;

	switch (opt) {
	case OPT_BREAK:
		if (o->nbreaks == CAPTURE_BREAKS_MAX)
			cmd_usage_error(c, "more than %d --break", CAPTURE_BREAKS_MAX);
		o->breaks = xreallocarray(o->breaks, o->nbreaks + 1, sizeof(*o->breaks));
		b = &o->breaks[o->nbreaks++];
		memset(b, 0, sizeof(*b));
		b->spec = optarg;
		b->slice_elems = GODIAG_BREAK_SLICE_ELEMS_DEFAULT;
		return true;
	case OPT_FIELD:
		b = last_break(c, o, "--field");
		add_str(&b->fields, &b->nfields, optarg);
		return true;
	case OPT_SLICE_ELEMS:
		last_break(c, o, "--slice-elems")->slice_elems =
			u32_arg(c, "--slice-elems", optarg, 0, GODIAG_BREAK_SLICE_ELEMS_MAX);
		return true;
	case OPT_ARG:
		b = last_break(c, o, "--arg");
		add_str(&b->argtypes, &b->nargtypes, optarg);
		return true;
	case OPT_STRLEN:
		last_break(c, o, "--strlen")->strlen =
			u32_arg(c, "--strlen", optarg, 1, GODIAG_BREAK_STRLEN_MAX);
		return true;
	case OPT_STACK:
		last_break(c, o, "--stack")->stack =
			(uint8_t)u32_arg(c, "--stack", optarg, 0, GODIAG_BREAK_STACK_MAX);
		return true;
	case OPT_LATENCY:
		last_break(c, o, "--latency")->latency = true;
		return true;
	case OPT_IF:
		last_break(c, o, "--if")->cond = optarg;
		return true;
	case OPT_EVERY:
		last_break(c, o, "--every")->every = u32_arg(c, "--every", optarg, 1, UINT32_MAX);
		return true;
	case OPT_MAX_RATE:
		last_break(c, o, "--max-rate")->max_rate = rate_arg(c, optarg);
		return true;
	}
	return false;
}

/* --cgroup PATH or --container ID: one group, named once. */
static void set_group(const struct cmd *c, struct capture_opts *o, const char **slot,
		      const char *opt, const char *s)
{
	if (o->cgroup || o->container)
		cmd_usage_error(c, "%s: one --cgroup or --container per capture", opt);
	if (!*s)
		cmd_usage_error(c, "empty %s", opt);
	*slot = s;
}

static void parse_option(const struct cmd *c, struct capture_opts *o, int opt)
{
	const char *why;
	int mode;

	if (break_option(c, o, opt))
		return;
	switch (opt) {
	case 'p':
		add_pid(c, o, optarg);
		break;
	case 'f':
		o->follow = true;
		break;
	case 'o':
		o->output = optarg;
		break;
	case 'z':
		o->compress = true;
		break;
	case OPT_SYSCALLS:
		o->syscalls = true;
		break;
	case OPT_GOROUTINES:
		o->goroutines = true;
		break;
	case OPT_GC:
		o->gc = true;
		break;
	case OPT_STRICT:
		o->strict = true;
		break;
	case OPT_SYSCALL:
		set_syscalls(c, o, optarg);
		break;
	case OPT_SYSCALL_MIN:
		o->min_ns = duration_arg(c, "--syscall-min", optarg);
		o->has_min = true;
		break;
	case OPT_DURATION:
		o->duration_ns = duration_arg(c, "--duration", optarg);
		if (!o->duration_ns)
			cmd_usage_error(c, "--duration must be more than 0");
		break;
	case OPT_BUFFER:
		set_buffer(c, o, optarg);
		o->buffer_given = true;
		break;
	case OPT_JSON:
		o->json = true;
		break;
	case OPT_CGROUP:
		set_group(c, o, &o->cgroup, "--cgroup", optarg);
		break;
	case OPT_CONTAINER:
		set_group(c, o, &o->container, "--container", optarg);
		break;
	case OPT_MAX_DURATION:
		why = capture_max_duration(optarg, &o->max_lifetime_ms);
		if (why)
			cmd_usage_error(c, "invalid --max-duration '%s': %s", optarg, why);
		break;
	case OPT_MODE:
		mode = mode_parse(optarg);
		if (mode < 0)
			cmd_usage_error(c, "unknown mode '%s' (use discard or overwrite)",
					optarg);
		o->mode = (uint8_t)mode;
		break;
	}
}

/* The options end at the first "--"; the command follows it. */
static int split_command(const struct cmd *c, int argc, char **argv,
			 struct capture_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--"))
			continue;
		if (i + 1 == argc)
			cmd_usage_error(c, "missing command after '--'");
		o->command = &argv[i + 1];
		return i;
	}
	return argc;
}

static uint32_t default_buffer(const struct capture_opts *o)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	long possible = sysconf(_SC_NPROCESSORS_CONF);
	struct sysinfo si;
	uint64_t ram = 0;

	if (!sysinfo(&si))
		ram = (uint64_t)si.totalram * si.mem_unit;
	return capture_default_buffer(capture_events(o), online > 0 ? (unsigned long)online : 1,
				      possible > 0 ? (unsigned long)possible : 1, ram);
}

/*
 * --gc: two breakpoints after the user's, on the functions that stop and
 * start the world (capture_break.c reads the GC's figures there).
 */
static void add_gc_breaks(struct capture_opts *o)
{
	static const char *const funcs[2] = { CAPTURE_GC_STOP_FUNC, CAPTURE_GC_START_FUNC };
	size_t i;

	o->breaks = xreallocarray(o->breaks, o->nbreaks + 2, sizeof(*o->breaks));
	for (i = 0; i < 2; i++) {
		struct capture_bspec *b = &o->breaks[o->nbreaks++];

		memset(b, 0, sizeof(*b));
		b->spec = funcs[i];
		b->gc = (uint8_t)(i ? CAPTURE_GC_START : CAPTURE_GC_STOP);
	}
}

static void check(const struct cmd *c, struct capture_opts *o)
{
	o->npids_given = o->npids;
	if (o->gc)
		add_gc_breaks(o);
	if (!o->npids && !o->command && !o->cgroup && !o->container)
		cmd_usage_error(c, "nothing to trace: give -p PID, --cgroup PATH, "
				"--container ID or -- COMMAND");
	if (!o->syscalls && !o->goroutines && !o->nbreaks)
		cmd_usage_error(c, "nothing to capture: give --syscalls, --goroutines, "
				"--break or --gc");
	if (!o->syscalls && (o->has_mask || o->has_min))
		cmd_usage_error(c, "--syscall and --syscall-min need --syscalls");
	if (!o->output)
		cmd_usage_error(c, "missing -o FILE");
	if (!*o->output)
		cmd_usage_error(c, "empty -o FILE");
	if (!o->buffer_given)
		o->buffer = default_buffer(o);
}

void capture_parse_opts(const struct cmd *c, int argc, char **argv,
			struct capture_opts *o)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "follow-children", no_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "compress", no_argument, NULL, 'z' },
		{ "syscalls", no_argument, NULL, OPT_SYSCALLS },
		{ "goroutines", no_argument, NULL, OPT_GOROUTINES },
		{ "syscall", required_argument, NULL, OPT_SYSCALL },
		{ "syscall-min", required_argument, NULL, OPT_SYSCALL_MIN },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "buffer", required_argument, NULL, OPT_BUFFER },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "strict", no_argument, NULL, OPT_STRICT },
		BREAK_LONGOPTS,
		{ "max-duration", required_argument, NULL, OPT_MAX_DURATION },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "gc", no_argument, NULL, OPT_GC },
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	size_t len = sizeof(PROG " ");
	int nopts, opt, i;

	memset(o, 0, sizeof(*o));
	o->buffer = GODIAG_BUFFER_DEFAULT;
	o->mode = GODIAG_MODE_DISCARD;
	o->max_lifetime_ms = CAPTURE_MAX_DURATION_DEFAULT_MS;
	/* Before getopt reorders argv. Quoting at most quadruples a byte. */
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) * 4 + 3;
	o->command_line = xmalloc(len);
	strcpy(o->command_line, PROG " ");
	capture_join_args(argv, o->command_line + strlen(PROG " "),
			  len - strlen(PROG " "));

	nopts = split_command(c, argc, argv, o);
	while ((opt = cmd_getopt(c, nopts, argv, "p:fo:zh", longopts)) != -1)
		parse_option(c, o, opt);
	if (optind < nopts)
		cmd_usage_error(c, "unexpected argument '%s' (a command to start "
				"goes after '--')", argv[optind]);
	check(c, o);
}

uint32_t capture_events(const struct capture_opts *o)
{
	return (o->syscalls ? GODIAG_EV_SYSCALL : 0) |
	       (o->goroutines ? GODIAG_EV_GOROUTINE : 0) |
	       (o->nbreaks ? GODIAG_EV_BREAKPOINT : 0);
}

void capture_free_opts(struct capture_opts *o)
{
	size_t i;

	free(o->pids);
	for (i = 0; i < o->nbreaks; i++) {
		free(o->breaks[i].argtypes);
		free(o->breaks[i].fields);
	}
	free(o->breaks);
	free(o->triggers);
	free(o->command_line);
}

/* ---- flight start ------------------------------------------------------ */

#define RECORDER_WINDOW_MAX_MS	(7U * 24 * 3600 * 1000)

/* --size: flight's name for capture's --buffer. */
static void set_size(const struct cmd *c, struct capture_opts *o, const char *s)
{
	const char *why;
	uint64_t v;

	why = parse_size(s, &v);
	if (!why)
		why = capture_buffer_size(v, &o->buffer);
	if (why)
		cmd_usage_error(c, "--size %s: %s", s, why);
	o->buffer_given = true;
}

/* A duration in ms from lo to hi. */
static uint32_t ms_arg(const struct cmd *c, const char *opt, const char *s, uint64_t lo_ms,
		       uint64_t hi_ms, const char *range)
{
	const char *why;
	uint64_t v;

	why = parse_duration(s, &v);
	if (!why && (v < lo_ms * 1000000 || v / 1000000 > hi_ms))
		why = range;
	if (why)
		cmd_usage_error(c, "%s %s: %s", opt, s, why);
	return (uint32_t)(v / 1000000);
}

static bool recorder_option(const struct cmd *c, struct capture_opts *o, int opt)
{
	switch (opt) {
	case OPT_SIZE:
		set_size(c, o, optarg);
		return true;
	case OPT_WINDOW:
		o->window_ms = ms_arg(c, "--window", optarg, 1, RECORDER_WINDOW_MAX_MS,
				      "out of range (1ms to 7 days)");
		return true;
	case OPT_TRIGGER:
		if (o->ntriggers == CAPTURE_TRIGGERS_MAX)
			cmd_usage_error(c, "more than %d --trigger", CAPTURE_TRIGGERS_MAX);
		add_str(&o->triggers, &o->ntriggers, optarg);
		return true;
	case OPT_COOLDOWN:
		o->cooldown_ms = ms_arg(c, "--cooldown", optarg, GODIAG_COOLDOWN_MIN_MS,
					GODIAG_COOLDOWN_MAX_MS, "out of range (100ms to 7 days)");
		return true;
	case OPT_POST:
		o->post_ms = ms_arg(c, "--post", optarg, 0, CAPTURE_POST_MAX_MS,
				    "out of range (0 to 10m)");
		return true;
	case OPT_SNAPSHOT_DIR:
		if (!*optarg)
			cmd_usage_error(c, "empty --snapshot-dir");
		o->snapshot_dir = optarg;
		return true;
	case OPT_KEEP:
		o->keep = u32_arg(c, "--keep", optarg, 1, CAPTURE_KEEP_MAX);
		return true;
	case OPT_FOREGROUND:
		o->foreground = true;
		return true;
	case OPT_COMM:
		o->comm = optarg;
		return true;
	case OPT_FOLLOW_CGROUP:
		o->follow_cgroup = optarg;
		return true;
	case OPT_CONFIG:
		return true;	/* read before the parsing (flight.c) */
	}
	return false;
}

/* The value checks config files share (check: flight_opt_check()). */
static void check_value(const struct cmd *c, int opt,
			const char *(*check)(const char *key, const char *value))
{
	const struct option *lo;
	const char *why;

	for (lo = capture_recorder_longopts; lo->name && lo->val != opt; lo++)
		;
	if (!check || !lo->name || lo->has_arg != required_argument)
		return;
	why = check(lo->name, optarg);
	if (why)
		cmd_usage_error(c, "--%s %s: %s", lo->name, optarg, why);
}

/*
 * flight start's options; --cgroup here is a cgroup to follow, not
 * capture's one-time enumeration. Config files take the same keys.
 */
const struct option capture_recorder_longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "follow-children", no_argument, NULL, 'f' },
	{ "syscalls", no_argument, NULL, OPT_SYSCALLS },
	{ "goroutines", no_argument, NULL, OPT_GOROUTINES },
	{ "syscall", required_argument, NULL, OPT_SYSCALL },
	{ "syscall-min", required_argument, NULL, OPT_SYSCALL_MIN },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "window", required_argument, NULL, OPT_WINDOW },
	BREAK_LONGOPTS,
	{ "gc", no_argument, NULL, OPT_GC },
	{ "trigger", required_argument, NULL, OPT_TRIGGER },
	{ "cooldown", required_argument, NULL, OPT_COOLDOWN },
	{ "post", required_argument, NULL, OPT_POST },
	{ "snapshot-dir", required_argument, NULL, OPT_SNAPSHOT_DIR },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "foreground", no_argument, NULL, OPT_FOREGROUND },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "cgroup", required_argument, NULL, OPT_FOLLOW_CGROUP },
	{ "config", required_argument, NULL, OPT_CONFIG },
	CMD_HELP_OPTION,
	{ NULL, 0, NULL, 0 },
};

void capture_parse_recorder_opts(const struct cmd *c, int argc, char **argv,
				 struct capture_opts *o,
				 const char *(*check)(const char *key, const char *value))
{
	int opt;

	memset(o, 0, sizeof(*o));
	o->buffer = CAPTURE_RECORDER_SIZE_DEFAULT;
	o->mode = GODIAG_MODE_OVERWRITE;
	o->cooldown_ms = CAPTURE_COOLDOWN_DEFAULT_MS;
	o->post_ms = CAPTURE_POST_DEFAULT_MS;
	o->keep = CAPTURE_KEEP_DEFAULT;
	while ((opt = cmd_getopt(c, argc, argv, "p:fh", capture_recorder_longopts)) != -1) {
		check_value(c, opt, check);
		if (!recorder_option(c, o, opt))
			parse_option(c, o, opt);
	}
}

void capture_check_recorder(const struct cmd *c, struct capture_opts *o)
{
	o->npids_given = o->npids;
	o->persistent = o->comm || o->follow_cgroup;
	if (!o->npids && !o->persistent)
		cmd_usage_error(c, "start: which process? (-p PID, --comm NAME or --cgroup PATH)");
	if (o->gc)
		add_gc_breaks(o);
	if (!o->syscalls && !o->goroutines && !o->nbreaks)
		o->syscalls = true;
	if (!o->syscalls && (o->has_mask || o->has_min))
		cmd_usage_error(c, "--syscall and --syscall-min need --syscalls");
}
