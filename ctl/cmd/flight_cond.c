// SPDX-License-Identifier: GPL-2.0
/*
 * What --trigger says (flight.h, struct flight_trigger), parsed before
 * anything touches the module; and the texts the module keeps for the
 * tools, split again.
 */
#include <stdio.h>
#include <string.h>

#include "base/syscalls.h"
#include "base/util.h"
#include "cmd/flight.h"

/* ---- parsing ------------------------------------------------------------ */

bool flight_trigger_in_kernel(const struct flight_trigger *t)
{
	return t->kind == FT_SYSCALL || t->kind == FT_BREAK;
}

/* "X>VALUE": *rhs points at VALUE; the last '>' splits (a reason has none). */
static int split_gt(const char *s, char *lhs, size_t lhslen, const char **rhs)
{
	const char *gt = strrchr(s, '>');

	if (!gt || (size_t)(gt - s) >= lhslen)
		return -1;
	memcpy(lhs, s, (size_t)(gt - s));
	lhs[gt - s] = '\0';
	*rhs = gt + 1;
	return 0;
}

static int dur(const char *s, const char *what, uint64_t *ns, char *err, size_t errlen)
{
	const char *why = parse_duration(s, ns);

	if (!why && !*ns)
		why = "must be more than 0";
	if (why)
		snprintf(err, errlen, "%s: invalid duration '%s': %s", what, s, why);
	return why ? -1 : 0;
}

static int parse_syscall(const char *lhs, const char *rhs, struct flight_trigger *t,
			 char *err, size_t errlen)
{
	t->kind = FT_SYSCALL;
	t->nr = -1;
	if (lhs[7] == ':') {
		if (!lhs[8]) {
			snprintf(err, errlen, "%s: missing syscall name after 'syscall:'", t->text);
			return -1;
		}
		t->nr = syscall_lookup(lhs + 8);
		if (t->nr < 0 || t->nr >= GODIAG_SYSCALL_MAX) {
			snprintf(err, errlen, "%s: unknown syscall '%s'", t->text, lhs + 8);
			return -1;
		}
	}
	return dur(rhs, t->text, &t->ns, err, errlen);
}

static int parse_break(const char *s, struct flight_trigger *t, char *err, size_t errlen)
{
	const char *spec = s + strlen("break:");

	t->kind = FT_BREAK;
	if (!*spec) {
		snprintf(err, errlen, "%s: missing breakpoint after 'break:'", s);
		return -1;
	}
	if (strlen(spec) >= sizeof(t->arg)) {
		snprintf(err, errlen, "break:...: a breakpoint of at most %zu bytes",
			 sizeof(t->arg) - 1);
		return -1;
	}
	strcpy(t->arg, spec);
	return 0;
}

static int parse_count(const char *rhs, struct flight_trigger *t, char *err, size_t errlen)
{
	uint32_t v;

	t->kind = FT_GOROUTINES;
	if (parse_u32(rhs, 0, UINT32_MAX, &v)) {
		snprintf(err, errlen, "%s: invalid number '%s'", t->text, rhs);
		return -1;
	}
	t->count = v;
	return 0;
}

static int parse_blocked(const char *lhs, const char *rhs, struct flight_trigger *t,
			 char *err, size_t errlen)
{
	const char *reason = lhs + strlen("blocked:");

	t->kind = FT_BLOCKED;
	if (!*reason) {
		snprintf(err, errlen, "%s: missing wait reason after 'blocked:' (as goroutines "
			 "shows it: 'chan receive', 'select', 'sync.Mutex.Lock')", t->text);
		return -1;
	}
	snprintf(t->arg, sizeof(t->arg), "%s", reason);
	return dur(rhs, t->text, &t->ns, err, errlen);
}

int flight_trigger_parse(const char *s, struct flight_trigger *t, char *err, size_t errlen)
{
	char lhs[GODIAG_BREAK_SPEC_MAX];
	const char *rhs;

	memset(t, 0, sizeof(*t));
	t->text = s;
	if (!strncmp(s, "break:", 6))
		return parse_break(s, t, err, errlen);
	if (split_gt(s, lhs, sizeof(lhs), &rhs)) {
		snprintf(err, errlen, "invalid trigger '%s': use syscall>DUR, syscall:NAME>DUR, "
			 "break:SPEC, goroutines>N, blocked:REASON>DUR or gc-pause>DUR", s);
		return -1;
	}
	if (!strcmp(lhs, "syscall") || !strncmp(lhs, "syscall:", 8))
		return parse_syscall(lhs, rhs, t, err, errlen);
	if (!strcmp(lhs, "goroutines"))
		return parse_count(rhs, t, err, errlen);
	if (!strncmp(lhs, "blocked:", 8))
		return parse_blocked(lhs, rhs, t, err, errlen);
	if (!strcmp(lhs, "gc-pause")) {
		t->kind = FT_GC_PAUSE;
		return dur(rhs, s, &t->ns, err, errlen);
	}
	snprintf(err, errlen, "invalid trigger '%s': unknown condition '%s' (syscall, "
		 "syscall:NAME, break:SPEC, goroutines, blocked:REASON or gc-pause)", s, lhs);
	return -1;
}

size_t flight_texts_split(const char *texts, size_t len, const char **v, size_t max)
{
	size_t n = 0, off = 0;

	while (off < len && n < max) {
		size_t l = strnlen(texts + off, len - off);

		if (off + l == len)
			break;
		v[n++] = texts + off;
		off += l + 1;
	}
	return n;
}
