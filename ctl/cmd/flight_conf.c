// SPDX-License-Identifier: GPL-2.0
/* A flight recorder's config file (flight_conf.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd/capture.h"
#include "cmd/flight_conf.h"

/* ---- values ----------------------------------------------------------- */

static const char *check_pid(const char *v)
{
	uint32_t pid;

	return parse_u32(v, 1, 0x3fffffff, &pid) ? "not a process ID" : NULL;
}

static const char *check_size(const char *v)
{
	uint32_t size;
	uint64_t bytes;
	const char *why = parse_size(v, &bytes);

	return why ? why : capture_buffer_size(bytes, &size);
}

static const char *check_window(const char *v)
{
	uint64_t ns;
	const char *why = parse_duration(v, &ns);

	if (!why && (ns < 1000000 || ns / 1000000 > FLIGHT_WINDOW_MAX_MS))
		why = "out of range (1ms to 7 days)";
	return why;
}

static const char *check_comm(const char *v)
{
	if (strlen(v) > FLIGHT_COMM_MAX)
		return "longer than a process name can be (15 bytes)";
	if (strchr(v, '/'))
		return "a process name, not a path";
	return NULL;
}

static const struct key {
	const char *name;
	const char *(*check)(const char *v);	/* NULL: any value */
	bool repeat;				/* the option may be repeated */
} keys[] = {
	{ "pid", check_pid, true },
	{ "size", check_size, false },
	{ "window", check_window, false },
	{ "comm", check_comm, false },
	{ "trigger", NULL, true },
	{ "break", NULL, true },
	/* The options of the --break before them: once per --break. */
	{ "arg", NULL, true },
	{ "field", NULL, true },
	{ "strlen", NULL, true },
	{ "slice-elems", NULL, true },
	{ "stack", NULL, true },
	{ "latency", NULL, true },
	{ "if", NULL, true },
	{ "every", NULL, true },
	{ "max-rate", NULL, true },
};

/* Config keys that are no options of their own. */
static const char *const events[] = { "syscalls", "goroutines", "gc" };
/* Options a config file cannot set. */
static const char *const denied[] = { "config", "help" };

static const struct key *key_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

const char *flight_opt_check(const char *key, const char *value)
{
	const struct key *k = key_find(key);

	if (!*value)
		return "empty";
	return k && k->check ? k->check(value) : NULL;
}

/* ---- parsing ---------------------------------------------------------- */

struct parser {
	const char *file;
	const struct option *longopts;
	struct flight_conf *conf;
	char *err;
	size_t errlen;
	unsigned int line;
	/* Where each option was first given, for "given twice". */
	const char **seen;
	unsigned int *seen_line;
	size_t nseen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%u: %s", p->file, p->line, msg);
	return -1;
}

static const struct option *option_find(const struct parser *p, const char *name)
{
	const struct option *o;

	for (o = p->longopts; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

static void emit(struct parser *p, const char *name, const char *value)
{
	size_t len = strlen(name) + (value ? strlen(value) + 1 : 0) + 3;
	char *arg = xmalloc(len);

	snprintf(arg, len, "--%s%s%s", name, value ? "=" : "", value ? value : "");
	p->conf->args = xreallocarray(p->conf->args, p->conf->n + 1, sizeof(*p->conf->args));
	p->conf->args[p->conf->n++] = arg;
}

/* Non-repeatable options once only. */
static int once(struct parser *p, const char *name)
{
	const struct key *k = key_find(name);
	size_t i;

	if (k && k->repeat)
		return 0;
	for (i = 0; i < p->nseen; i++)
		if (!strcmp(p->seen[i], name))
			return fail(p, "%s given twice (first on line %u)", name, p->seen_line[i]);
	p->seen = xreallocarray(p->seen, p->nseen + 1, sizeof(*p->seen));
	p->seen_line = xreallocarray(p->seen_line, p->nseen + 1, sizeof(*p->seen_line));
	p->seen[p->nseen] = name;
	p->seen_line[p->nseen++] = p->line;
	return 0;
}

/* yes/no of an option without a value. */
static int flag(struct parser *p, const struct option *o, const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcmp(v, yes[i])) {
			emit(p, o->name, NULL);
			return 0;
		}
	for (i = 0; i < ARRAY_SIZE(no); i++)
		if (!strcmp(v, no[i]))
			return 0;
	return fail(p, "%s takes yes or no, not '%s'", o->name, v);
}

/* "events = goroutines syscalls" (blanks or commas between). */
static int event_list(struct parser *p, char *v)
{
	char *w, *save = NULL;
	size_t i;

	for (w = strtok_r(v, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		for (i = 0; i < ARRAY_SIZE(events); i++)
			if (!strcmp(w, events[i]) && option_find(p, w))
				break;
		if (i == ARRAY_SIZE(events))
			return fail(p, "unknown event '%s' (syscalls, goroutines)", w);
		if (once(p, events[i]))
			return -1;
		emit(p, w, NULL);
	}
	return 0;
}

static int value_of(struct parser *p, const char *key, char *v)
{
	const struct option *o;
	const char *why;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(denied); i++)
		if (!strcmp(key, denied[i]))
			return fail(p, "%s cannot be set in a config file", key);
	if (!strcmp(key, "events")) {
		if (!*v)
			return fail(p, "events needs a value (syscalls, goroutines)");
		return event_list(p, v);
	}
	o = option_find(p, key);
	if (!o)
		return fail(p, "unknown key '%s'", key);
	if (!*v)
		return fail(p, "%s needs a value", key);
	if (once(p, o->name))
		return -1;
	if (o->has_arg == no_argument)
		return flag(p, o, v);
	why = flight_opt_check(o->name, v);
	if (why)
		return fail(p, "%s = %s: %s", key, v, why);
	emit(p, o->name, v);
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static char *trim(char *s)
{
	size_t n = strlen(s);

	while (n && blank(s[n - 1]))
		s[--n] = '\0';
	while (blank(*s))
		s++;
	return s;
}

/* A value in matching quotes loses them. */
static char *unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

static int one_line(struct parser *p, char *line)
{
	char *eq, *key, *s = trim(line);
	size_t i;

	if (!*s || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (!eq)
		return fail(p, "not a 'key = value' line");
	*eq = '\0';
	key = trim(s);
	if (!*key)
		return fail(p, "a line without a key");
	for (i = 0; key[i]; i++)
		if (!(key[i] >= 'a' && key[i] <= 'z') && !(key[i] >= '0' && key[i] <= '9') &&
		    key[i] != '-')
			return fail(p, "'%s' is not a key (lower-case letters, digits, '-')", key);
	return value_of(p, key, unquote(trim(eq + 1)));
}

int flight_conf_parse(const char *file, const char *text, size_t len,
		      const struct option *longopts, struct flight_conf *conf,
		      char *err, size_t errlen)
{
	struct parser p = {
		.file = file, .longopts = longopts, .conf = conf,
		.err = err, .errlen = errlen,
	};
	char *copy, *line, *next;
	int ret = 0;

	memset(conf, 0, sizeof(*conf));
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: not a text file (a NUL byte)", file);
		return -1;
	}
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		ret = one_line(&p, line);
	}
	free(copy);
	free(p.seen);
	free(p.seen_line);
	if (ret)
		flight_conf_free(conf);
	return ret;
}

int flight_conf_read(const char *path, const struct option *longopts,
		     struct flight_conf *conf, char *err, size_t errlen)
{
	char *text;
	ssize_t n;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	memset(conf, 0, sizeof(*conf));
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)FLIGHT_CONF_MAX) {
		snprintf(err, errlen, "%s: %s", path, S_ISREG(st.st_mode) ?
			 "larger than 64 KiB: not a config file" : "not a regular file");
		close(fd);
		return -1;
	}
	text = xmalloc(FLIGHT_CONF_MAX + 1);
	n = read(fd, text, FLIGHT_CONF_MAX + 1);
	close(fd);
	if (n < 0 || (size_t)n > FLIGHT_CONF_MAX) {
		snprintf(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) :
			 "larger than 64 KiB: not a config file");
		free(text);
		return -1;
	}
	ret = flight_conf_parse(path, text, (size_t)n, longopts, conf, err, errlen);
	free(text);
	return ret;
}

void flight_conf_free(struct flight_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->n; i++)
		free(conf->args[i]);
	free(conf->args);
	conf->args = NULL;
	conf->n = 0;
}
