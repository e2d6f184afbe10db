// SPDX-License-Identifier: GPL-2.0
/* godiagctl sessions: the sessions that exist and their targets. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "json.h"
#include "names.h"
#include "sessinfo.h"
#include "status.h"
#include "util.h"

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

void sessions_print(const struct session_list *s, const struct target_list *t,
		    FILE *out)
{
	char size[32], events[64], min[32], targets[1024];
	size_t i;

	fprintf(out, "%-5s %-8s %-9s %-8s %-9s %-7s %-5s %-7s %s\n", "ID", "STATE",
		"MODE", "EVENTS", "BUFFER", "READERS", "OWNED", "MIN", "TARGETS");
	for (i = 0; i < s->n; i++) {
		const struct session_info *x = &s->v[i];

		format_size(x->bufsize, size, sizeof(size));
		events_format(x->events, events, sizeof(events));
		format_duration(x->min_ns, min, sizeof(min));
		format_targets(t, x->id, targets, sizeof(targets));
		fprintf(out, "%-5u %-8s %-9s %-8s %-9s %-7u %-5s %-7s %s\n", x->id,
			state_name(x->state), mode_name(x->mode), events, size,
			x->readers, x->owned ? "yes" : "no", min, targets);
	}
}

static void json_events(struct json *j, uint32_t events)
{
	char hex[16];
	uint32_t bit;

	json_key(j, "events");
	json_array_begin(j);
	for (bit = 1; bit; bit <<= 1) {
		if (!(events & bit))
			continue;
		snprintf(hex, sizeof(hex), "0x%x", bit);
		json_string(j, event_name(bit) ? event_name(bit) : hex);
	}
	json_array_end(j);
}

static void json_targets(struct json *j, const struct target_list *t,
			 uint32_t session)
{
	size_t i;

	json_key(j, "targets");
	json_array_begin(j);
	for (i = 0; i < t->n; i++) {
		if (t->v[i].session != session)
			continue;
		json_object_begin(j);
		json_kv_u64(j, "pid", t->v[i].pid);
		json_kv_bool(j, "follow_children",
			     t->v[i].flags & GODIAG_TF_FOLLOW_CHILDREN);
		json_kv_u64(j, "threads_dropped", t->v[i].threads_dropped);
		json_object_end(j);
	}
	json_array_end(j);
}

void sessions_print_json(const struct session_list *s,
			 const struct target_list *t, FILE *out)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_key(&j, "sessions");
	json_array_begin(&j);
	for (i = 0; i < s->n; i++) {
		const struct session_info *x = &s->v[i];

		json_object_begin(&j);
		json_kv_u64(&j, "id", x->id);
		json_kv_string(&j, "state", state_name(x->state));
		json_kv_string(&j, "mode", mode_name(x->mode));
		json_events(&j, x->events);
		json_kv_u64(&j, "buffer_size", x->bufsize);
		json_kv_u64(&j, "readers", x->readers);
		json_kv_bool(&j, "owned", x->owned);
		json_kv_u64(&j, "max_lifetime_ms", x->max_lifetime_ms);
		json_kv_bool(&j, "expired", x->expired);
		json_kv_u64(&j, "syscall_min_ns", x->min_ns);
		json_targets(&j, t, x->id);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
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
