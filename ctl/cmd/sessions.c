// SPDX-License-Identifier: GPL-2.0
/* godiagctl sessions: the sessions that exist and their targets. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/print.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/print.h"
#include "module/names.h"
#include "module/sessinfo.h"
#include "module/status.h"

static const char *const sessions_usage =
	"Usage: " PROG " sessions [--json]\n"
	"\n"
	"List the sessions: ID, state (ready, running, stopped), mode (discard\n"
	"or overwrite), the event kinds, the buffer size per CPU, how many\n"
	"readers have /dev/godiag bound to it, whether it dies with the\n"
	"program that created it (owned), the shortest syscall recorded, and\n"
	"the target processes ('+children': forks are followed).\n"
	"\n"
	"Options:\n"
	"  -j, --json    print one JSON object\n"
	"  -h, --help    show this help\n";

/* "1234+children, 5678", or "-" */
static void format_targets(const struct target_list *t, uint32_t session,
			   char *buf, size_t len)
{
	size_t used = 0, i;

	snprintf(buf, len, "-");
	for (i = 0; i < t->n && used < len; i++) {
		if (t->v[i].session != session)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%u%s",
					 used ? ", " : "", t->v[i].pid,
					 t->v[i].flags & GODIAG_TF_FOLLOW_CHILDREN ?
					 "+children" : "");
	}
}

/* The names of the event bits: JSON only, the text has them as one column. */
static void walk_events(struct printer *p, uint32_t events)
{
	char hex[16];
	uint32_t bit;

	print_array_begin(p, "events");
	for (bit = 1; bit; bit <<= 1) {
		if (!(events & bit))
			continue;
		snprintf(hex, sizeof(hex), "0x%x", bit);
		print_string(p, PRINT_JSON, NULL, NULL,
			     event_name(bit) ? event_name(bit) : hex);
	}
	print_array_end(p);
}

/* The targets of session: JSON only, the text has them as one column. */
static void walk_targets(struct printer *p, const struct target_list *t,
			 uint32_t session)
{
	size_t i;

	print_array_begin(p, "targets");
	for (i = 0; i < t->n; i++) {
		if (t->v[i].session != session)
			continue;
		print_object_begin(p, NULL);
		print_u64(p, PRINT_JSON, "pid", NULL, t->v[i].pid);
		print_bool(p, PRINT_JSON, "follow_children", NULL,
			   t->v[i].flags & GODIAG_TF_FOLLOW_CHILDREN);
		print_u64(p, PRINT_JSON, "threads_dropped", NULL,
			  t->v[i].threads_dropped);
		print_object_end(p);
	}
	print_array_end(p);
}

static void walk_session(struct printer *p, const struct session_info *x,
			 const struct target_list *t)
{
	char size[32], events[64], min[32], targets[1024];

	format_size(x->bufsize, size, sizeof(size));
	events_format(x->events, events, sizeof(events));
	format_duration(x->min_ns, min, sizeof(min));
	format_targets(t, x->id, targets, sizeof(targets));
	print_object_begin(p, NULL);
	print_u64(p, PRINT_ANY, "id", "%-5" PRIu64, x->id);
	/* A flight recorder's name; "-" (null) for a capture's session. */
	print_string(p, PRINT_ANY, "name", " %-12s", x->name[0] ? x->name : NULL);
	if (!x->name[0])
		print_string(p, PRINT_FP, "name", " %-12s", "-");
	print_string(p, PRINT_ANY, "state", " %-8s", state_name(x->state));
	print_string(p, PRINT_ANY, "mode", " %-9s", mode_name(x->mode));
	print_string(p, PRINT_FP, "events[]", " %-8s", events);
	walk_events(p, x->events);
	print_string(p, PRINT_FP, "buffer_size", " %-9s", size);
	print_u64(p, PRINT_JSON, "buffer_size", NULL, x->bufsize);
	print_u64(p, PRINT_ANY, "readers", " %-7" PRIu64, x->readers);
	print_bool(p, PRINT_ANY, "owned", " %-5s", x->owned);
	print_u64(p, PRINT_JSON, "max_lifetime_ms", NULL, x->max_lifetime_ms);
	print_bool(p, PRINT_JSON, "expired", NULL, x->expired);
	print_string(p, PRINT_FP, "syscall_min_ns", " %-7s", min);
	print_u64(p, PRINT_JSON, "syscall_min_ns", NULL, x->min_ns);
	print_string(p, PRINT_FP, "targets[].pid", " %s\n", targets);
	walk_targets(p, t, x->id);
	print_object_end(p);
}

/* The sessions and their targets, text or JSON, from one walk. */
void sessions_walk(struct printer *p, const struct session_list *s,
		   const struct target_list *t)
{
	size_t i;

	print_fp(p, "%-5s %-12s %-8s %-9s %-8s %-9s %-7s %-5s %-7s %s\n", "ID", "NAME",
		 "STATE", "MODE", "EVENTS", "BUFFER", "READERS", "OWNED", "MIN", "TARGETS");
	print_array_begin(p, "sessions");
	for (i = 0; i < s->n; i++)
		walk_session(p, &s->v[i], t);
	print_array_end(p);
}

static void sessions_show(const struct session_list *s,
			  const struct target_list *t, FILE *out, bool json)
{
	struct printer p = { 0 };

	print_begin(&p, out, json);
	sessions_walk(&p, s, t);
	print_end(&p);
}

void sessions_print(const struct session_list *s, const struct target_list *t,
		    FILE *out)
{
	sessions_show(s, t, out, false);
}

void sessions_print_json(const struct session_list *s,
			 const struct target_list *t, FILE *out)
{
	sessions_show(s, t, out, true);
}

static int run_sessions(const struct cmd *c, int argc, char **argv)
{
	struct session_list s;
	struct target_list t;
	bool json;
	struct gdnl *nl;
	int err;

	json = cmd_json_option(c, argc, argv);
	cmd_no_operands(c, argc, argv);

	nl = gdnl_open(c->name);
	status_require_abi(nl, c->name, NULL);
	err = sessinfo_dump(nl, GODIAG_CMD_SESSION_GET, 0, &s);
	if (!err)
		err = targets_dump(nl, 0, &t);
	if (err)
		gdnl_fail(nl, err);
	gdnl_close(nl);

	if (json)
		sessions_print_json(&s, &t, stdout);
	else
		sessions_print(&s, &t, stdout);
	session_list_free(&s);
	target_list_free(&t);
	return EXIT_OK;
}

const struct cmd cmd_sessions = {
	.name = "sessions",
	.summary = "list sessions and their targets",
	.usage = sessions_usage,
	.run = run_sessions,
};
