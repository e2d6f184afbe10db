// SPDX-License-Identifier: GPL-2.0
/* The module's session, stats and target dumps, into arrays. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "module/sessinfo.h"

static uint32_t get_u32(const struct gdnl_reply *r, int attr)
{
	return r->tb[attr] ? nla_get_u32(r->tb[attr]) : 0;
}

static uint64_t get_u64(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u64(tb[attr]) : 0;
}

static uint8_t get_u8(const struct gdnl_reply *r, int attr)
{
	return r->tb[attr] ? nla_get_u8(r->tb[attr]) : 0;
}

/* The repeated GODIAG_A_CPU nests of a STATS_GET message. */
static int parse_cpus(const struct gdnl_reply *r, struct session_info *s)
{
	struct nlattr *a, *tb[GODIAG_A_MAX + 1];
	int rem;

	nla_for_each_attr(a, r->attrs, r->len, rem) {
		struct cpu_stats *c;

		if (nla_type(a) != GODIAG_A_CPU)
			continue;
		if (gdnl_parse_nested(tb, a) < 0 || !tb[GODIAG_A_CPU_ID])
			return -EBADMSG;
		s->cpus = xreallocarray(s->cpus, s->nr_cpus + 1, sizeof(*s->cpus));
		c = &s->cpus[s->nr_cpus++];
		c->cpu = nla_get_u32(tb[GODIAG_A_CPU_ID]);
		c->written = get_u64(tb, GODIAG_A_CPU_WRITTEN);
		c->lost = get_u64(tb, GODIAG_A_CPU_LOST);
		c->bytes = get_u64(tb, GODIAG_A_CPU_BYTES);
		c->read = get_u64(tb, GODIAG_A_CPU_READ);
	}
	return 0;
}

static void add_triggers(const struct gdnl_reply *r, struct session_info *s)
{
	struct nlattr *texts = r->tb[GODIAG_A_TRIGGER_TEXTS];

	if (r->tb[GODIAG_A_TRIGGER_WATCHER])
		s->watcher = nla_get_u32(r->tb[GODIAG_A_TRIGGER_WATCHER]);
	if (!r->tb[GODIAG_A_TRIGGERS])
		return;
	s->has_triggers = true;
	s->ntriggers = (uint32_t)(nla_len(r->tb[GODIAG_A_TRIGGERS]) /
				  (int)sizeof(struct godiag_trigger));
	s->cooldown_ms = get_u32(r, GODIAG_A_TRIGGER_COOLDOWN_MS);
	s->triggers_fired = get_u64(r->tb, GODIAG_A_TRIGGERS_FIRED);
	s->triggers_suppressed = get_u64(r->tb, GODIAG_A_TRIGGERS_SUPPRESSED);
	if (r->tb[GODIAG_A_TRIGGER_TS]) {
		s->has_last = true;
		s->last_index = get_u32(r, GODIAG_A_TRIGGER_INDEX);
		s->last_ts = get_u64(r->tb, GODIAG_A_TRIGGER_TS);
	}
	if (texts && nla_len(texts) > 0) {
		s->trigger_texts_len = (size_t)nla_len(texts);
		s->trigger_texts = xmalloc(s->trigger_texts_len);
		memcpy(s->trigger_texts, nla_data(texts), s->trigger_texts_len);
	}
}

static int add_session(const struct gdnl_reply *r, void *arg)
{
	struct session_list *l = arg;
	struct session_info *s;

	if (!r->tb[GODIAG_A_SESSION_ID])
		return -EBADMSG;
	/* On many-CPU machines a session's counters span several messages. */
	if (r->cmd == GODIAG_CMD_STATS_GET && l->n &&
	    l->v[l->n - 1].id == get_u32(r, GODIAG_A_SESSION_ID))
		return parse_cpus(r, &l->v[l->n - 1]);
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->id = get_u32(r, GODIAG_A_SESSION_ID);
	s->state = get_u8(r, GODIAG_A_STATE);
	s->mode = get_u8(r, GODIAG_A_MODE);
	s->events = get_u32(r, GODIAG_A_EVENTS);
	s->bufsize = get_u32(r, GODIAG_A_BUFFER_SIZE);
	s->readers = get_u32(r, GODIAG_A_READERS);
	s->min_ns = get_u64(r->tb, GODIAG_A_SYSCALL_MIN_NS);
	s->owned = r->tb[GODIAG_A_OWNED] != NULL;
	s->expired = r->tb[GODIAG_A_SESSION_EXPIRED] != NULL;
	if (r->tb[GODIAG_A_SESSION_MAX_LIFETIME_MS])
		s->max_lifetime_ms = nla_get_u32(r->tb[GODIAG_A_SESSION_MAX_LIFETIME_MS]);
	if (r->tb[GODIAG_A_SESSION_NAME])
		nla_strlcpy(s->name, r->tb[GODIAG_A_SESSION_NAME], sizeof(s->name));
	if (r->tb[GODIAG_A_SESSION_WINDOW_MS])
		s->window_ms = nla_get_u32(r->tb[GODIAG_A_SESSION_WINDOW_MS]);
	add_triggers(r, s);
	s->persistent = r->tb[GODIAG_A_SESSION_PERSISTENT] != NULL;
	return r->cmd == GODIAG_CMD_STATS_GET ? parse_cpus(r, s) : 0;
}

void session_list_free(struct session_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].cpus);
		free(l->v[i].trigger_texts);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void reset_sessions(void *arg)
{
	session_list_free(arg);
}

int sessinfo_dump(struct gdnl *nl, uint8_t cmd, uint32_t id,
		  struct session_list *out)
{
	memset(out, 0, sizeof(*out));
	return gdnl_dump(nl, cmd, id, add_session, reset_sessions, out);
}

static int add_target(const struct gdnl_reply *r, void *arg)
{
	struct target_list *l = arg;
	struct target_info *t;

	if (!r->tb[GODIAG_A_SESSION_ID] || !r->tb[GODIAG_A_PID])
		return -EBADMSG;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	t = &l->v[l->n++];
	t->session = get_u32(r, GODIAG_A_SESSION_ID);
	t->pid = get_u32(r, GODIAG_A_PID);
	t->flags = get_u32(r, GODIAG_A_TARGET_FLAGS);
	t->threads_dropped = get_u64(r->tb, GODIAG_A_THREADS_DROPPED);
	return 0;
}

void target_list_free(struct target_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void reset_targets(void *arg)
{
	target_list_free(arg);
}

int targets_dump(struct gdnl *nl, uint32_t id, struct target_list *out)
{
	memset(out, 0, sizeof(*out));
	return gdnl_dump(nl, GODIAG_CMD_TARGET_GET, id, add_target, reset_targets, out);
}

static int add_probe(const struct gdnl_reply *r, void *arg)
{
	struct probe_list *l = arg;
	struct probe_info *p;

	if (!r->tb[GODIAG_A_SESSION_ID] || !r->tb[GODIAG_A_PROBE_ID])
		return -EBADMSG;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	p = &l->v[l->n++];
	p->session = get_u32(r, GODIAG_A_SESSION_ID);
	p->id = get_u32(r, GODIAG_A_PROBE_ID);
	p->pid = get_u32(r, GODIAG_A_PID);
	p->kind = get_u32(r, GODIAG_A_PROBE_KIND);
	p->hits = get_u64(r->tb, GODIAG_A_PROBE_HITS);
	p->faults = get_u64(r->tb, GODIAG_A_PROBE_FAULTS);
	/* A module before ABI 3 counts no passes: every hit recorded. */
	p->passes = r->tb[GODIAG_A_PROBE_PASSES] ?
		get_u64(r->tb, GODIAG_A_PROBE_PASSES) : p->hits;
	p->filtered = get_u64(r->tb, GODIAG_A_PROBE_FILTERED);
	p->sampled_out = get_u64(r->tb, GODIAG_A_PROBE_SAMPLED_OUT);
	p->rate_limited = get_u64(r->tb, GODIAG_A_PROBE_RATE_LIMITED);
	return 0;
}

void probe_list_free(struct probe_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void reset_probes(void *arg)
{
	probe_list_free(arg);
}

int probes_dump(struct gdnl *nl, uint32_t id, struct probe_list *out)
{
	memset(out, 0, sizeof(*out));
	return gdnl_dump(nl, GODIAG_CMD_PROBE_GET, id, add_probe, reset_probes, out);
}

void probes_attach(struct session_list *l, const struct probe_list *p)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < p->n && p->v[j].session != l->v[i].id; j++)
			;
		l->v[i].probes = p->v + j;
		l->v[i].nprobes = 0;
		while (j + l->v[i].nprobes < p->n && p->v[j + l->v[i].nprobes].session == l->v[i].id)
			l->v[i].nprobes++;
	}
}

void sessinfo_require(struct gdnl *nl, const char *cmd, uint32_t id)
{
	struct session_list l;
	int err = sessinfo_dump(nl, GODIAG_CMD_SESSION_GET, id, &l);
	size_t n = l.n;

	if (err)
		gdnl_fail(nl, err);
	session_list_free(&l);
	/* The module's dumps filter silently: an unknown id is an empty list. */
	if (!n)
		die(EXIT_OPFAIL, "%s: no session %u", cmd, id);
}
