// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "godiag": how godiagctl configures the module.
 *
 * Every operation needs CAP_PERFMON or CAP_SYS_ADMIN in the initial user
 * namespace and sees only the sessions its caller may see (perm.c), every
 * command has its own strict policy (an attribute that does not belong is
 * rejected), and every rejection carries an extack message. The generic
 * netlink core can only check CAP_NET_ADMIN itself, before parsing; the
 * capabilities godiag wants are checked by each operation, so a malformed
 * request from anybody is refused as malformed.
 */
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/utsname.h>
#include <net/genetlink.h>

#include "breakcond.h"
#include "faults.h"
#include "godiag.h"

static struct genl_family godiag_family;
/* Unloading: the family is about to go, notify nobody (godiag_mutex). */
static bool family_closing;

/* ---- policies ------------------------------------------------------- */

static struct netlink_range_validation buffer_range = {
	.min = GODIAG_BUFFER_MIN,
	.max = GODIAG_BUFFER_MAX,
};

static struct netlink_range_validation pid_range = {
	.min = 1,
	.max = PID_MAX_LIMIT,
};

static const struct nla_policy status_policy[GODIAG_A_MAX + 1] = {};

/* Dumps: a session id filters them. */
static const struct nla_policy session_policy[GODIAG_A_MAX + 1] = {
	[GODIAG_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* SESSION_DEL, START, STOP: a session by id, or a recorder by name. */
static const struct nla_policy session_op_policy[GODIAG_A_MAX + 1] = {
	[GODIAG_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[GODIAG_A_SESSION_NAME] = { .type = NLA_NUL_STRING, .len = GODIAG_NAME_MAX - 1 },
};

static const struct nla_policy session_new_policy[GODIAG_A_MAX + 1] = {
	[GODIAG_A_BUFFER_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &buffer_range),
	[GODIAG_A_MODE] = NLA_POLICY_MAX(NLA_U8, GODIAG_MODE_MAX),
	[GODIAG_A_EVENTS] = NLA_POLICY_MASK(NLA_U32, GODIAG_EV_ALL),
	[GODIAG_A_OWNED] = { .type = NLA_FLAG },
	[GODIAG_A_SESSION_MAX_LIFETIME_MS] = { .type = NLA_U32 },
	[GODIAG_A_SESSION_NAME] = { .type = NLA_NUL_STRING, .len = GODIAG_NAME_MAX - 1 },
	[GODIAG_A_SESSION_WINDOW_MS] = { .type = NLA_U32 },
	[GODIAG_A_SESSION_PERSISTENT] = { .type = NLA_FLAG },
};

static const struct nla_policy target_policy[GODIAG_A_MAX + 1] = {
	[GODIAG_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[GODIAG_A_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &pid_range),
	[GODIAG_A_TARGET_FLAGS] = NLA_POLICY_MASK(NLA_U32, GODIAG_TF_ALL),
	[GODIAG_A_PROC_MEM_FD] = { .type = NLA_U32 },
};

static const struct nla_policy syscalls_policy[GODIAG_A_MAX + 1] = {
	[GODIAG_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[GODIAG_A_SYSCALL_MASK] = NLA_POLICY_EXACT_LEN(GODIAG_SYSCALL_MASK_BYTES),
	[GODIAG_A_SYSCALL_MIN_NS] = { .type = NLA_U64 },
};

static const struct nla_policy probe_add_policy[GODIAG_A_MAX + 1] = {
	[GODIAG_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[GODIAG_A_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &pid_range),
	[GODIAG_A_PROBE_KIND] = NLA_POLICY_RANGE(NLA_U32, 1, GODIAG_PROBE_MAX),
	[GODIAG_A_PROBE_PATH] = { .type = NLA_NUL_STRING, .len = PATH_MAX - 1 },
	[GODIAG_A_PROBE_OFFSET] = { .type = NLA_U64 },
	[GODIAG_A_PROBE_ARG_REG] = NLA_POLICY_MAX(NLA_U8, GODIAG_REG_MAX),
	[GODIAG_A_PROBE_G_REG] = NLA_POLICY_MAX(NLA_U8, GODIAG_REG_MAX),
	[GODIAG_A_GO_LAYOUT] = NLA_POLICY_EXACT_LEN(sizeof(struct godiag_go_layout)),
	[GODIAG_A_PROBE_JCC] = NLA_POLICY_MAX(NLA_U8, GODIAG_JCC_MAX),
	[GODIAG_A_PROBE_FUNC_OFFSET] = { .type = NLA_U64 },
	[GODIAG_A_PROC_MEM_FD] = { .type = NLA_U32 },
	[GODIAG_A_BREAK_WORDS] = { .type = NLA_BINARY,
		.len = GODIAG_BREAK_WORDS_MAX * sizeof(struct godiag_break_word) },
	[GODIAG_A_BREAK_STRLEN] = NLA_POLICY_RANGE(NLA_U32, 1, GODIAG_BREAK_STRLEN_MAX),
	[GODIAG_A_BREAK_SLICE_ELEMS] = NLA_POLICY_MAX(NLA_U32, GODIAG_BREAK_SLICE_ELEMS_MAX),
	[GODIAG_A_BREAK_STACK] = NLA_POLICY_MAX(NLA_U8, GODIAG_BREAK_STACK_MAX),
	[GODIAG_A_BREAK_COND] = NLA_POLICY_EXACT_LEN(sizeof(struct godiag_break_cond)),
	[GODIAG_A_BREAK_EVERY] = NLA_POLICY_MIN(NLA_U32, 1),
	[GODIAG_A_BREAK_MAX_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
	[GODIAG_A_BREAK_AT_ENTRY] = { .type = NLA_FLAG },
	[GODIAG_A_BREAK_SPEC] = { .type = NLA_NUL_STRING, .len = GODIAG_BREAK_SPEC_MAX - 1 },
};

static struct netlink_range_validation watcher_range = {
	.min = 0,
	.max = PID_MAX_LIMIT,
};

static struct netlink_range_validation cooldown_range = {
	.min = GODIAG_COOLDOWN_MIN_MS,
	.max = GODIAG_COOLDOWN_MAX_MS,
};

static const struct nla_policy triggers_set_policy[GODIAG_A_MAX + 1] = {
	[GODIAG_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[GODIAG_A_SESSION_NAME] = { .type = NLA_NUL_STRING, .len = GODIAG_NAME_MAX - 1 },
	[GODIAG_A_TRIGGERS] = { .type = NLA_BINARY,
		.len = GODIAG_TRIGGERS_MAX * sizeof(struct godiag_trigger) },
	[GODIAG_A_TRIGGER_COOLDOWN_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &cooldown_range),
	[GODIAG_A_TRIGGER_TEXTS] = { .type = NLA_BINARY, .len = GODIAG_TRIGGER_TEXTS_MAX },
	[GODIAG_A_TRIGGER_WATCHER] = NLA_POLICY_FULL_RANGE(NLA_U32, &watcher_range),
};

static const struct nla_policy trigger_fire_policy[GODIAG_A_MAX + 1] = {
	[GODIAG_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[GODIAG_A_SESSION_NAME] = { .type = NLA_NUL_STRING, .len = GODIAG_NAME_MAX - 1 },
	[GODIAG_A_TRIGGER_INDEX] = NLA_POLICY_MAX(NLA_U32, GODIAG_TRIGGERS_MAX - 1),
};

static const struct nla_policy probe_del_policy[GODIAG_A_MAX + 1] = {
	[GODIAG_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[GODIAG_A_PROBE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* ---- helpers -------------------------------------------------------- */

/* A required attribute is there, or the request fails with a message. */
static bool require(struct genl_info *info, int attr, const char *what)
{
	if (info->attrs[attr])
		return true;
	NL_SET_ERR_MSG_FMT(info->extack, "missing attribute: %s", what);
	NL_SET_ERR_ATTR_MISS(info->extack, NULL, attr);
	return false;
}

/* The caller session_op() checked, for the operations it runs. */
static const struct godiag_caller *caller_of(struct genl_info *info)
{
	return info->user_ptr[0];
}

/* A recorder named @a, if the caller may see it; else a message. */
static struct godiag_session *session_named(struct genl_info *info, struct nlattr *a)
{
	struct godiag_session *s = godiag_session_find_name(nla_data(a));

	if (s && !godiag_session_visible(s, caller_of(info)))
		s = NULL;
	if (!s) {
		NL_SET_ERR_MSG_FMT(info->extack, "no session named %s", (char *)nla_data(a));
		NL_SET_BAD_ATTR(info->extack, a);
	}
	return s;
}

/* A session the caller may not see answers as one that does not exist. */
static struct godiag_session *session_from(struct genl_info *info)
{
	struct godiag_session *s;
	u32 id;

	if (info->attrs[GODIAG_A_SESSION_NAME] && info->attrs[GODIAG_A_SESSION_ID]) {
		NL_SET_ERR_MSG(info->extack, "give a session id or a name, not both");
		return NULL;
	}
	if (info->attrs[GODIAG_A_SESSION_NAME])
		return session_named(info, info->attrs[GODIAG_A_SESSION_NAME]);
	if (!require(info, GODIAG_A_SESSION_ID, "session id"))
		return NULL;
	id = nla_get_u32(info->attrs[GODIAG_A_SESSION_ID]);
	s = godiag_session_find(id);
	if (s && !godiag_session_visible(s, caller_of(info)))
		s = NULL;
	if (!s)
		NL_SET_ERR_MSG_FMT(info->extack, "no session %u", id);
	return s;
}

static int put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, GODIAG_A_PAD);
}

/* Build a one-message reply with @fill and send it. */
static int reply(struct genl_info *info, u8 cmd,
		 int (*fill)(struct sk_buff *skb, void *arg), void *arg)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = godiag_alloc(genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL));
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &godiag_family, 0, cmd);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = fill(msg, arg);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ---- status --------------------------------------------------------- */

static int fill_status(struct sk_buff *skb, void *arg)
{
	if (nla_put_string(skb, GODIAG_A_VERSION, GODIAG_VERSION) ||
	    nla_put_u32(skb, GODIAG_A_ABI_VERSION, GODIAG_ABI_VERSION) ||
	    nla_put_string(skb, GODIAG_A_KERNEL_RELEASE, init_utsname()->release) ||
	    nla_put_u32(skb, GODIAG_A_NR_CPUS, num_possible_cpus()) ||
	    nla_put_u32(skb, GODIAG_A_NR_CPUS_ONLINE, num_online_cpus()) ||
	    nla_put_u32(skb, GODIAG_A_BUFFER_DEFAULT, GODIAG_BUFFER_DEFAULT) ||
	    nla_put_u32(skb, GODIAG_A_BUFFER_MIN, GODIAG_BUFFER_MIN) ||
	    nla_put_u32(skb, GODIAG_A_BUFFER_MAX, GODIAG_BUFFER_MAX) ||
	    nla_put_u32(skb, GODIAG_A_SESSIONS, godiag_sessions_count()) ||
	    nla_put_u32(skb, GODIAG_A_SESSIONS_MAX, GODIAG_SESSIONS_MAX))
		return -EMSGSIZE;
	return 0;
}

static int status_get(struct sk_buff *skb, struct genl_info *info)
{
	struct godiag_caller c;
	int ret;

	ret = godiag_caller_netlink(skb, &c, info->extack);
	if (ret)
		return ret;
	mutex_lock(&godiag_mutex);
	ret = reply(info, GODIAG_CMD_STATUS_GET, fill_status, NULL);
	mutex_unlock(&godiag_mutex);
	return ret;
}

/* ---- sessions ------------------------------------------------------- */

static int fill_session_id(struct sk_buff *skb, void *arg)
{
	struct godiag_session *s = arg;

	if (nla_put_u32(skb, GODIAG_A_SESSION_ID, s->id) ||
	    nla_put_u32(skb, GODIAG_A_SESSION_MAX_LIFETIME_MS, s->max_lifetime_ms))
		return -EMSGSIZE;
	return 0;
}

/*
 * A recorder's name: [A-Za-z0-9_.-], not starting with '.' or '-' (it
 * names files and systemd units), not empty (the policy bounds it).
 */
static int name_check(struct genl_info *info, struct nlattr *a)
{
	const char *name = nla_data(a);
	size_t i, n = strlen(name);

	if (!n || name[0] == '.' || name[0] == '-')
		goto bad;
	for (i = 0; i < n; i++)
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			goto bad;
	return 0;
bad:
	NL_SET_ERR_MSG_ATTR(info->extack, a,
			    "a recorder's name is letters, digits, '_', '.' and '-', not starting with '.' or '-'");
	return -EINVAL;
}

/* A named session is a flight recorder: overwrite mode, not owned. */
static int recorder_check(struct genl_info *info, u8 mode)
{
	struct nlattr **a = info->attrs;
	int ret;

	if (!a[GODIAG_A_SESSION_NAME]) {
		if (a[GODIAG_A_SESSION_WINDOW_MS]) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[GODIAG_A_SESSION_WINDOW_MS],
					    "a window is for named sessions (flight recorders) only");
			return -EINVAL;
		}
		if (a[GODIAG_A_SESSION_PERSISTENT]) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[GODIAG_A_SESSION_PERSISTENT],
					    "only a named session (flight recorder) can be persistent");
			return -EINVAL;
		}
		return 0;
	}
	ret = name_check(info, a[GODIAG_A_SESSION_NAME]);
	if (ret)
		return ret;
	if (a[GODIAG_A_OWNED]) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[GODIAG_A_OWNED],
				    "a named session outlives its creator: it cannot be owned");
		return -EINVAL;
	}
	if (mode != GODIAG_MODE_OVERWRITE) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[GODIAG_A_SESSION_NAME],
				    "a named session (flight recorder) must be in overwrite mode");
		return -EINVAL;
	}
	return 0;
}

/* The name is free (godiag_mutex held). */
static int name_free(struct genl_info *info)
{
	struct nlattr *a = info->attrs[GODIAG_A_SESSION_NAME];

	if (!a || !godiag_session_find_name(nla_data(a)))
		return 0;
	/* A name one may not see still cannot be taken twice. */
	NL_SET_ERR_MSG_FMT(info->extack, "a session named %s exists already",
			   (char *)nla_data(a));
	NL_SET_BAD_ATTR(info->extack, a);
	return -EEXIST;
}

static int session_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	u32 bufsize = GODIAG_BUFFER_DEFAULT;
	u32 events = GODIAG_EV_SYSCALL;
	u8 mode = GODIAG_MODE_DISCARD;
	struct godiag_session *s;
	struct godiag_caller c;
	u32 lifetime_ms = 0;
	int ret;

	ret = godiag_caller_netlink(skb, &c, info->extack);
	if (ret)
		return ret;
	if (a[GODIAG_A_BUFFER_SIZE]) {
		bufsize = nla_get_u32(a[GODIAG_A_BUFFER_SIZE]);
		if (!is_power_of_2(bufsize)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[GODIAG_A_BUFFER_SIZE],
					    "buffer size must be a power of two");
			return -EINVAL;
		}
	}
	if (a[GODIAG_A_MODE])
		mode = nla_get_u8(a[GODIAG_A_MODE]);
	if (a[GODIAG_A_EVENTS])
		events = nla_get_u32(a[GODIAG_A_EVENTS]);
	if (a[GODIAG_A_SESSION_MAX_LIFETIME_MS])
		lifetime_ms = nla_get_u32(a[GODIAG_A_SESSION_MAX_LIFETIME_MS]);
	ret = recorder_check(info, mode);
	if (ret)
		return ret;

	mutex_lock(&godiag_mutex);
	ret = name_free(info);
	if (!ret)
		ret = godiag_session_quota(&c, bufsize, info->extack);
	if (!ret)
		ret = godiag_limits_session_new(&c, &lifetime_ms, info->extack);
	if (ret)
		goto out;
	s = godiag_session_new(bufsize, mode, events,
			       a[GODIAG_A_OWNED] ? info->snd_portid : 0, &c,
			       info->extack);
	if (IS_ERR(s)) {
		ret = PTR_ERR(s);
		goto out;
	}
	s->max_lifetime_ms = lifetime_ms;
	if (a[GODIAG_A_SESSION_NAME]) {
		strscpy(s->name, nla_data(a[GODIAG_A_SESSION_NAME]), sizeof(s->name));
		if (a[GODIAG_A_SESSION_WINDOW_MS])
			s->window_ms = nla_get_u32(a[GODIAG_A_SESSION_WINDOW_MS]);
		s->persistent = nla_get_flag(a[GODIAG_A_SESSION_PERSISTENT]);
	}
	godiag_limits_arm(s);
	godiag_audit_session("session-create", s);
	ret = reply(info, GODIAG_CMD_SESSION_NEW, fill_session_id, s);
	if (ret)
		godiag_session_destroy(s);
out:
	mutex_unlock(&godiag_mutex);
	return ret;
}

static int session_op(struct sk_buff *skb, struct genl_info *info,
		      int (*op)(struct godiag_session *s, struct genl_info *info))
{
	struct godiag_session *s;
	struct godiag_caller c;
	int ret;

	ret = godiag_caller_netlink(skb, &c, info->extack);
	if (ret)
		return ret;
	info->user_ptr[0] = &c;
	ret = -ENOENT;
	mutex_lock(&godiag_mutex);
	s = session_from(info);
	if (s)
		ret = op(s, info);
	else if (!info->attrs[GODIAG_A_SESSION_ID] && !info->attrs[GODIAG_A_SESSION_NAME])
		ret = -EINVAL;
	else if (info->attrs[GODIAG_A_SESSION_ID] && info->attrs[GODIAG_A_SESSION_NAME])
		ret = -EINVAL;
	mutex_unlock(&godiag_mutex);
	return ret;
}

static int do_session_del(struct godiag_session *s, struct genl_info *info)
{
	godiag_session_destroy(s);
	return 0;
}

static int do_session_start(struct godiag_session *s, struct genl_info *info)
{
	return godiag_limits_usable(s, info->extack) ?:
	       godiag_session_start(s, info->extack);
}

static int do_session_stop(struct godiag_session *s, struct genl_info *info)
{
	if (s->state != GODIAG_STATE_RUNNING) {
		NL_SET_ERR_MSG_FMT(info->extack, "session %u is not running", s->id);
		return -EALREADY;
	}
	godiag_session_stop(s);
	return 0;
}

static int session_del(struct sk_buff *skb, struct genl_info *info)
{
	return session_op(skb, info, do_session_del);
}

static int session_start(struct sk_buff *skb, struct genl_info *info)
{
	return session_op(skb, info, do_session_start);
}

static int session_stop(struct sk_buff *skb, struct genl_info *info)
{
	return session_op(skb, info, do_session_stop);
}

/* ---- targets and syscall settings ----------------------------------- */

static int do_target_add(struct godiag_session *s, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct file *proof;
	u32 flags = 0;
	pid_t pid;
	int ret;

	if (!require(info, GODIAG_A_PID, "pid"))
		return -EINVAL;
	ret = godiag_limits_usable(s, info->extack);
	if (ret)
		return ret;
	pid = nla_get_u32(a[GODIAG_A_PID]);
	if (a[GODIAG_A_TARGET_FLAGS])
		flags = nla_get_u32(a[GODIAG_A_TARGET_FLAGS]);
	proof = godiag_proof_get(info, caller_of(info), pid);
	if (IS_ERR(proof))
		return PTR_ERR(proof);
	ret = godiag_target_add(s, pid, flags, proof, info->extack);
	if (proof)
		fput(proof);
	return ret;
}

static int do_target_del(struct godiag_session *s, struct genl_info *info)
{
	if (!require(info, GODIAG_A_PID, "pid"))
		return -EINVAL;
	return godiag_target_del(s, nla_get_u32(info->attrs[GODIAG_A_PID]),
				 info->extack);
}

static int do_syscalls_set(struct godiag_session *s, struct genl_info *info)
{
	struct nlattr **a = info->attrs;

	if (!(s->events & GODIAG_EV_SYSCALL)) {
		NL_SET_ERR_MSG_FMT(info->extack,
				   "session %u was created without syscall events", s->id);
		return -EINVAL;
	}
	/* Handlers test bits one at a time: a half-updated mask is harmless. */
	if (a[GODIAG_A_SYSCALL_MASK])
		bitmap_from_arr32(s->syscall_mask, nla_data(a[GODIAG_A_SYSCALL_MASK]),
				  GODIAG_SYSCALL_MAX);
	if (a[GODIAG_A_SYSCALL_MIN_NS])
		WRITE_ONCE(s->syscall_min_ns,
			   nla_get_u64(a[GODIAG_A_SYSCALL_MIN_NS]));
	return 0;
}

static int target_add(struct sk_buff *skb, struct genl_info *info)
{
	return session_op(skb, info, do_target_add);
}

static int target_del(struct sk_buff *skb, struct genl_info *info)
{
	return session_op(skb, info, do_target_del);
}

static int syscalls_set(struct sk_buff *skb, struct genl_info *info)
{
	return session_op(skb, info, do_syscalls_set);
}

/* ---- probes --------------------------------------------------------- */

/* Which registers each probe kind reads. */
static bool kind_needs_arg(u32 kind)
{
	return kind != GODIAG_PROBE_GO_EXIT && kind != GODIAG_PROBE_BREAK &&
	       kind != GODIAG_PROBE_BREAK_RET;
}

static bool kind_needs_g(u32 kind)
{
	return !kind_needs_arg(kind) || kind == GODIAG_PROBE_GO_PARK;
}

static int layout_check(const struct godiag_go_layout *l, struct netlink_ext_ack *extack)
{
	static const u16 zero[ARRAY_SIZE(l->reserved)];

	if (memcmp(l->reserved, zero, sizeof(zero))) {
		NL_SET_ERR_MSG(extack, "Go layout: reserved fields must be zero");
		return -EINVAL;
	}
	if (!l->g_goid) {
		NL_SET_ERR_MSG(extack, "Go layout: the offset of g.goid is missing");
		return -EINVAL;
	}
	if (l->g_goid > GODIAG_GO_FIELD_MAX || l->g_parent_goid > GODIAG_GO_FIELD_MAX ||
	    l->g_gopc > GODIAG_GO_FIELD_MAX || l->g_startpc > GODIAG_GO_FIELD_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "Go layout: a field offset is above %u",
				   GODIAG_GO_FIELD_MAX);
		return -ERANGE;
	}
	return 0;
}

/* ---- breakpoints: what a hit reads, checked word by word ---- */

static const int break_attrs[] = {
	GODIAG_A_BREAK_WORDS, GODIAG_A_BREAK_STRLEN, GODIAG_A_BREAK_STACK,
	GODIAG_A_BREAK_COND, GODIAG_A_BREAK_EVERY, GODIAG_A_BREAK_MAX_RATE,
	GODIAG_A_BREAK_AT_ENTRY, GODIAG_A_BREAK_SLICE_ELEMS,
};

/* Only a GODIAG_PROBE_BREAK probe takes the GODIAG_A_BREAK_* attributes. */
static int break_attrs_absent(struct genl_info *info)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(break_attrs); i++) {
		struct nlattr *a = info->attrs[break_attrs[i]];

		if (!a)
			continue;
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "breakpoint attributes need probe kind GODIAG_PROBE_BREAK");
		return -EINVAL;
	}
	return 0;
}

static bool offset_ok(s32 off)
{
	return off >= -(s32)GODIAG_BREAK_SP_OFF_MAX && off <= (s32)GODIAG_BREAK_SP_OFF_MAX;
}

static bool elem_ok(u8 elem)
{
	return elem == 1 || elem == 2 || elem == 4 || elem == 8 ||
	       elem == GODIAG_BREAK_ELEM_STRING;
}

static int break_word_check(const struct godiag_break_word *w, unsigned int i,
			    unsigned int n, struct netlink_ext_ack *extack)
{
	bool xreg = w->reg >= GODIAG_BREAK_XREG0 &&
		    w->reg < GODIAG_BREAK_XREG(GODIAG_BREAK_XREGS);
	unsigned int d;

	if (w->reg > GODIAG_REG_MAX && w->reg != GODIAG_BREAK_STACK &&
	    w->reg != GODIAG_BREAK_PCREL && !xreg) {
		NL_SET_ERR_MSG_FMT(extack, "breakpoint word %u: no register %u", i, w->reg);
		return -EINVAL;
	}
	if (xreg && (w->nderef || w->flags)) {
		NL_SET_ERR_MSG_FMT(extack, "breakpoint word %u: an XMM register has no hops or flags",
				   i);
		return -EINVAL;
	}
	if (w->nderef > GODIAG_BREAK_DEREF_MAX ||
	    (w->flags & ~(GODIAG_BW_STRING | GODIAG_BW_NIL | GODIAG_BW_SLICE))) {
		NL_SET_ERR_MSG_FMT(extack, "breakpoint word %u: at most %u hops, known flags",
				   i, GODIAG_BREAK_DEREF_MAX);
		return -EINVAL;
	}
	if ((w->flags & GODIAG_BW_SLICE) ?
	    (w->flags & GODIAG_BW_STRING) || !elem_ok(w->elem) : w->elem) {
		NL_SET_ERR_MSG_FMT(extack,
				   "breakpoint word %u: a slice's element of 1, 2, 4, 8 bytes or a string; no element on other words",
				   i);
		return -EINVAL;
	}
	/* PCREL: any s32, the reach of the RIP-relative code that uses it */
	if ((w->reg == GODIAG_BREAK_STACK && !offset_ok(w->sp_off)) ||
	    (w->reg != GODIAG_BREAK_STACK && w->reg != GODIAG_BREAK_PCREL && w->sp_off)) {
		NL_SET_ERR_MSG_FMT(extack, "breakpoint word %u: bad stack offset %d", i, w->sp_off);
		return -EINVAL;
	}
	for (d = 0; d < GODIAG_BREAK_DEREF_MAX; d++) {
		if (d < w->nderef ? offset_ok(w->deref_off[d]) : !w->deref_off[d])
			continue;
		NL_SET_ERR_MSG_FMT(extack, "breakpoint word %u: bad offset of hop %u", i, d);
		return -EINVAL;
	}
	if ((w->flags & (GODIAG_BW_STRING | GODIAG_BW_SLICE)) && i + 1 >= n) {
		NL_SET_ERR_MSG_FMT(extack,
				   "breakpoint word %u: a string or slice needs its length word next",
				   i);
		return -EINVAL;
	}
	return 0;
}

static int break_words(struct nlattr *a, struct godiag_break_conf *c,
		       struct netlink_ext_ack *extack)
{
	unsigned int i, n, strings = 0;
	int ret;

	if (nla_len(a) % sizeof(c->words[0])) {
		NL_SET_ERR_MSG_ATTR(extack, a, "breakpoint words: not a whole number of words");
		return -EINVAL;
	}
	n = nla_len(a) / sizeof(c->words[0]);
	nla_memcpy(c->words, a, sizeof(c->words));
	for (i = 0; i < n; i++) {
		ret = break_word_check(&c->words[i], i, n, extack);
		if (ret)
			return ret;
		strings += !!(c->words[i].flags & (GODIAG_BW_STRING | GODIAG_BW_SLICE));
	}
	if (strings > GODIAG_BREAK_STRINGS_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "breakpoint: %u strings and slices, at most %u",
				   strings, GODIAG_BREAK_STRINGS_MAX);
		return -EINVAL;
	}
	c->nwords = n;
	return 0;
}

static int break_cond_check(const struct godiag_break_conf *c, struct netlink_ext_ack *extack)
{
	const struct godiag_break_cond *k = &c->cond;
	bool str = k->flags & GODIAG_CF_STRING;

	if (k->word >= c->nwords || k->op > GODIAG_COND_MAX ||
	    (k->flags & ~(GODIAG_CF_SIGNED | GODIAG_CF_STRING | GODIAG_CF_FLOAT))) {
		NL_SET_ERR_MSG_FMT(extack, "breakpoint condition: word %u of %u, op %u, flags %#x",
				   k->word, c->nwords, k->op, k->flags);
		return -EINVAL;
	}
	if (str && (!(c->words[k->word].flags & GODIAG_BW_STRING) || k->size ||
		    k->len > GODIAG_COND_STR_MAX || (k->flags & GODIAG_CF_SIGNED) ||
		    (k->op != GODIAG_COND_EQ && k->op != GODIAG_COND_NE &&
		     k->op != GODIAG_COND_PREFIX))) {
		NL_SET_ERR_MSG(extack,
			       "breakpoint condition: a string needs a string word, ==, != or prefix");
		return -EINVAL;
	}
	if (!str && ((k->size != 1 && k->size != 2 && k->size != 4 && k->size != 8) ||
		     k->op == GODIAG_COND_PREFIX || k->len)) {
		NL_SET_ERR_MSG(extack,
			       "breakpoint condition: an integer of 1, 2, 4 or 8 bytes, no prefix");
		return -EINVAL;
	}
	if ((k->flags & GODIAG_CF_FLOAT) &&
	    ((k->flags & (GODIAG_CF_SIGNED | GODIAG_CF_STRING)) || k->size < 4 ||
	     godiag_float_is_nan(k->value, k->size))) {
		NL_SET_ERR_MSG(extack, "breakpoint condition: a float of 4 or 8 bytes, not NaN");
		return -EINVAL;
	}
	return 0;
}

/* The largest record a hit can write: every copy in full (godiag_abi.h). */
static int break_size_check(const struct godiag_break_conf *c, struct netlink_ext_ack *extack)
{
	u32 size = godiag_break_rec_max(c);

	if (size <= GODIAG_REC_SIZE_MAX)
		return 0;
	NL_SET_ERR_MSG_FMT(extack,
			   "breakpoint: a record could take %u bytes, more than %u: copy fewer string bytes or slice elements",
			   size, GODIAG_REC_SIZE_MAX);
	return -EINVAL;
}

/* Fills @c from the GODIAG_A_BREAK_* attributes of a BREAK probe. */
static int break_conf(struct genl_info *info, struct godiag_break_conf *c)
{
	struct nlattr **a = info->attrs;
	int ret = 0;

	c->strlen = GODIAG_BREAK_STRLEN_DEFAULT;
	c->slice_elems = GODIAG_BREAK_SLICE_ELEMS_DEFAULT;
	c->every = 1;
	if (a[GODIAG_A_BREAK_WORDS])
		ret = break_words(a[GODIAG_A_BREAK_WORDS], c, info->extack);
	if (ret)
		return ret;
	if (a[GODIAG_A_BREAK_STRLEN])
		c->strlen = nla_get_u32(a[GODIAG_A_BREAK_STRLEN]);
	if (a[GODIAG_A_BREAK_STACK])
		c->nstack = nla_get_u8(a[GODIAG_A_BREAK_STACK]);
	if (a[GODIAG_A_BREAK_EVERY])
		c->every = nla_get_u32(a[GODIAG_A_BREAK_EVERY]);
	if (a[GODIAG_A_BREAK_MAX_RATE])
		c->max_rate = nla_get_u32(a[GODIAG_A_BREAK_MAX_RATE]);
	c->at_entry = nla_get_flag(a[GODIAG_A_BREAK_AT_ENTRY]);
	if (a[GODIAG_A_BREAK_SLICE_ELEMS])
		c->slice_elems = nla_get_u32(a[GODIAG_A_BREAK_SLICE_ELEMS]);
	ret = break_size_check(c, info->extack);
	if (ret || !a[GODIAG_A_BREAK_COND])
		return ret;
	nla_memcpy(&c->cond, a[GODIAG_A_BREAK_COND], sizeof(c->cond));
	c->has_cond = true;
	return break_cond_check(c, info->extack);
}

static int probe_spec(struct genl_info *info, struct godiag_probe_spec *spec)
{
	struct nlattr **a = info->attrs;

	if (!require(info, GODIAG_A_PID, "pid") ||
	    !require(info, GODIAG_A_PROBE_KIND, "probe kind") ||
	    !require(info, GODIAG_A_PROBE_PATH, "probe path") ||
	    !require(info, GODIAG_A_PROBE_OFFSET, "probe offset") ||
	    !require(info, GODIAG_A_PROBE_FUNC_OFFSET, "function offset") ||
	    !require(info, GODIAG_A_GO_LAYOUT, "Go layout"))
		return -EINVAL;
	spec->vpid = nla_get_u32(a[GODIAG_A_PID]);
	spec->kind = nla_get_u32(a[GODIAG_A_PROBE_KIND]);
	spec->path = nla_data(a[GODIAG_A_PROBE_PATH]);
	spec->offset = nla_get_u64(a[GODIAG_A_PROBE_OFFSET]);
	spec->func_offset = nla_get_u64(a[GODIAG_A_PROBE_FUNC_OFFSET]);
	if (kind_needs_arg(spec->kind) &&
	    !require(info, GODIAG_A_PROBE_ARG_REG, "argument register"))
		return -EINVAL;
	if (kind_needs_g(spec->kind) &&
	    !require(info, GODIAG_A_PROBE_G_REG, "g register"))
		return -EINVAL;
	if (a[GODIAG_A_PROBE_ARG_REG])
		spec->arg_reg = nla_get_u8(a[GODIAG_A_PROBE_ARG_REG]);
	if (a[GODIAG_A_PROBE_G_REG])
		spec->g_reg = nla_get_u8(a[GODIAG_A_PROBE_G_REG]);
	spec->jcc = a[GODIAG_A_PROBE_JCC] ? nla_get_u8(a[GODIAG_A_PROBE_JCC]) : -1;
	if (a[GODIAG_A_BREAK_SPEC]) {
		if (spec->kind != GODIAG_PROBE_BREAK && spec->kind != GODIAG_PROBE_BREAK_RET) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[GODIAG_A_BREAK_SPEC],
					    "a breakpoint spec needs probe kind GODIAG_PROBE_BREAK or BREAK_RET");
			return -EINVAL;
		}
		spec->break_spec = nla_data(a[GODIAG_A_BREAK_SPEC]);
	}
	nla_memcpy(&spec->layout, a[GODIAG_A_GO_LAYOUT], sizeof(spec->layout));
	return layout_check(&spec->layout, info->extack);
}

static int fill_probe_id(struct sk_buff *skb, void *arg)
{
	return nla_put_u32(skb, GODIAG_A_PROBE_ID, *(u32 *)arg) ? -EMSGSIZE : 0;
}

/* The breakpoint part of a PROBE_ADD: *c stays NULL for other kinds. */
static int probe_break_conf(struct genl_info *info, u32 kind, struct godiag_break_conf **c)
{
	int ret;

	*c = NULL;
	if (kind != GODIAG_PROBE_BREAK)
		return break_attrs_absent(info);
	*c = kzalloc(sizeof(**c), GFP_KERNEL);
	if (!*c)
		return -ENOMEM;
	ret = break_conf(info, *c);
	if (ret) {
		kfree(*c);
		*c = NULL;
	}
	return ret;
}

static int do_probe_add(struct godiag_session *s, struct genl_info *info)
{
	struct godiag_probe_spec spec = {};
	struct godiag_break_conf *brk = NULL;
	u32 id;
	int ret;

	ret = probe_spec(info, &spec);
	if (!ret)
		ret = godiag_limits_usable(s, info->extack);
	if (!ret)
		ret = godiag_limits_probe_add(s, info->extack);
	if (!ret)
		ret = probe_break_conf(info, spec.kind, &brk);
	if (ret)
		return ret;
	spec.brk = brk;
	spec.proof = godiag_proof_get(info, caller_of(info), spec.vpid);
	if (IS_ERR(spec.proof)) {
		kfree(brk);
		return PTR_ERR(spec.proof);
	}
	ret = godiag_probe_add(s, &spec, info->extack);
	kfree(brk);
	if (spec.proof)
		fput(spec.proof);
	if (ret < 0)
		return ret;
	id = ret;
	ret = reply(info, GODIAG_CMD_PROBE_ADD, fill_probe_id, &id);
	if (ret)
		godiag_probe_del(s, id, NULL);
	return ret;
}

static int do_probe_del(struct godiag_session *s, struct genl_info *info)
{
	if (!require(info, GODIAG_A_PROBE_ID, "probe id"))
		return -EINVAL;
	return godiag_probe_del(s, nla_get_u32(info->attrs[GODIAG_A_PROBE_ID]),
				info->extack);
}

static int probe_add(struct sk_buff *skb, struct genl_info *info)
{
	return session_op(skb, info, do_probe_add);
}

static int probe_del(struct sk_buff *skb, struct genl_info *info)
{
	return session_op(skb, info, do_probe_del);
}

/* ---- triggers ------------------------------------------------------- */

static int do_triggers_set(struct godiag_session *s, struct genl_info *info)
{
	return godiag_triggers_set(s, info->attrs, info->extack);
}

static int do_trigger_fire(struct godiag_session *s, struct genl_info *info)
{
	if (!require(info, GODIAG_A_TRIGGER_INDEX, "trigger index"))
		return -EINVAL;
	return godiag_trigger_fire(s, nla_get_u32(info->attrs[GODIAG_A_TRIGGER_INDEX]),
				   info->extack);
}

static int triggers_set(struct sk_buff *skb, struct genl_info *info)
{
	return session_op(skb, info, do_triggers_set);
}

static int trigger_fire(struct sk_buff *skb, struct genl_info *info)
{
	return session_op(skb, info, do_trigger_fire);
}

/* ---- dumps ---------------------------------------------------------- */

/*
 * Dumps walk sessions in id order and resume from cb->args: [0] the last
 * session id done, [1] position inside it. The generation lets a reader
 * notice that the lists changed between two parts of a dump.
 */
static u32 dump_filter(struct netlink_callback *cb)
{
	struct nlattr **a = godiag_dump_attrs(cb);

	return a && a[GODIAG_A_SESSION_ID] ? nla_get_u32(a[GODIAG_A_SESSION_ID]) : 0;
}

/*
 * The caller is checked when the dump starts, in the sender's context;
 * the rest of a dump may run in whichever process reads the socket.
 * args[0..2] are the dumps' positions; [4] and [5] hold the caller.
 */
#define DUMP_ARG_ADMIN	4
#define DUMP_ARG_EUID	5

static int dump_start(struct netlink_callback *cb)
{
	struct godiag_caller c;
	int ret;

	ret = godiag_caller_netlink(cb->skb, &c, cb->extack);
	if (ret)
		return ret;
	cb->args[DUMP_ARG_ADMIN] = c.admin;
	cb->args[DUMP_ARG_EUID] = __kuid_val(c.euid);
	return 0;
}

/* Sessions done already, not the one asked for, or not the caller's. */
static bool dump_skip(struct netlink_callback *cb, struct godiag_session *s,
		      u32 filter)
{
	struct godiag_caller c = {
		.admin = cb->args[DUMP_ARG_ADMIN],
		.euid = KUIDT_INIT((uid_t)cb->args[DUMP_ARG_EUID]),
	};

	return s->id <= cb->args[0] || (filter && s->id != filter) ||
	       !godiag_session_visible(s, &c);
}

static void *dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				&godiag_family, NLM_F_MULTI, cmd);

	if (hdr)
		genl_dump_check_consistent(cb, hdr);
	return hdr;
}

static int fill_session(struct sk_buff *skb, struct godiag_session *s)
{
	if (nla_put_u32(skb, GODIAG_A_SESSION_ID, s->id) ||
	    nla_put_u8(skb, GODIAG_A_STATE, s->state) ||
	    nla_put_u8(skb, GODIAG_A_MODE, s->mode) ||
	    nla_put_u32(skb, GODIAG_A_EVENTS, s->events) ||
	    nla_put_u32(skb, GODIAG_A_BUFFER_SIZE, s->bufsize) ||
	    nla_put_u32(skb, GODIAG_A_READERS, atomic_read(&s->readers)) ||
	    nla_put_u32(skb, GODIAG_A_GENERATION, godiag_generation()) ||
	    put_u64(skb, GODIAG_A_SYSCALL_MIN_NS, s->syscall_min_ns) ||
	    (s->owner_portid && nla_put_flag(skb, GODIAG_A_OWNED)) ||
	    nla_put_u32(skb, GODIAG_A_SESSION_MAX_LIFETIME_MS, s->max_lifetime_ms) ||
	    (s->expired && nla_put_flag(skb, GODIAG_A_SESSION_EXPIRED)) ||
	    (s->name[0] && (nla_put_string(skb, GODIAG_A_SESSION_NAME, s->name) ||
			    nla_put_u32(skb, GODIAG_A_SESSION_WINDOW_MS, s->window_ms))) ||
	    (s->persistent && nla_put_flag(skb, GODIAG_A_SESSION_PERSISTENT)))
		return -EMSGSIZE;
	return godiag_triggers_fill(skb, s);
}

static int fill_cpu(struct sk_buff *skb, int cpu, struct godiag_rb *rb)
{
	struct nlattr *nest = nla_nest_start(skb, GODIAG_A_CPU);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, GODIAG_A_CPU_ID, cpu) ||
	    put_u64(skb, GODIAG_A_CPU_WRITTEN, local_read(&rb->written)) ||
	    put_u64(skb, GODIAG_A_CPU_LOST, local_read(&rb->lost)) ||
	    put_u64(skb, GODIAG_A_CPU_BYTES, local_read(&rb->bytes)) ||
	    put_u64(skb, GODIAG_A_CPU_READ, atomic64_read(&rb->read))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* As many CPUs from *cpu on as fit; false when not even one did. */
static bool fill_cpus(struct sk_buff *skb, struct godiag_session *s,
		      unsigned int *cpu)
{
	unsigned int first = *cpu;

	for (; *cpu < nr_cpu_ids; (*cpu)++) {
		if (!cpu_possible(*cpu))
			continue;
		if (fill_cpu(skb, *cpu, s->rbs[*cpu]))
			return *cpu != first;
	}
	return true;
}

/*
 * Per-CPU counters of each session. Machines with many CPUs need several
 * messages per session: each repeats the session attributes and carries
 * the next CPUs. Position: args[0] last session done, args[1] next CPU.
 */
static int stats_get(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 filter = dump_filter(cb);
	struct godiag_session *s;

	mutex_lock(&godiag_mutex);
	cb->seq = godiag_generation();
	list_for_each_entry(s, &godiag_sessions, node) {
		if (dump_skip(cb, s, filter))
			continue;
		while (cb->args[1] < nr_cpu_ids) {
			unsigned int cpu = cb->args[1];
			void *hdr = dump_put(skb, cb, GODIAG_CMD_STATS_GET);

			if (!hdr)
				goto full;
			if (fill_session(skb, s) || !fill_cpus(skb, s, &cpu)) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			genlmsg_end(skb, hdr);
			cb->args[1] = cpu;
		}
		cb->args[1] = 0;
		cb->args[0] = s->id;
	}
full:
	mutex_unlock(&godiag_mutex);
	return skb->len;
}

/* One message per session. */
static int session_get(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 filter = dump_filter(cb);
	struct godiag_session *s;
	int ret = 0;

	mutex_lock(&godiag_mutex);
	cb->seq = godiag_generation();
	list_for_each_entry(s, &godiag_sessions, node) {
		void *hdr;

		if (dump_skip(cb, s, filter))
			continue;
		hdr = dump_put(skb, cb, GODIAG_CMD_SESSION_GET);
		if (!hdr || fill_session(skb, s)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			ret = skb->len ? skb->len : -EMSGSIZE;
			goto out;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = s->id;
	}
	ret = skb->len;
out:
	mutex_unlock(&godiag_mutex);
	return ret;
}

static int fill_target(struct sk_buff *skb, struct godiag_target *t)
{
	if (nla_put_u32(skb, GODIAG_A_SESSION_ID, t->session->id) ||
	    nla_put_u32(skb, GODIAG_A_PID, t->tgid) ||
	    nla_put_u32(skb, GODIAG_A_TARGET_FLAGS, t->flags) ||
	    put_u64(skb, GODIAG_A_THREADS_DROPPED, atomic64_read(&t->threads_dropped)) ||
	    put_u64(skb, GODIAG_A_PROCS_MISSED, atomic64_read(&t->procs_missed)))
		return -EMSGSIZE;
	return 0;
}

static int fill_hist(struct sk_buff *skb, struct godiag_target *t, u32 nr)
{
	struct godiag_sc_hist *h = &t->hist[nr];
	u64 buckets[GODIAG_HIST_BUCKETS];
	struct nlattr *attr;
	int b;

	attr = nla_reserve(skb, GODIAG_A_HIST_BUCKETS, sizeof(buckets));
	if (!attr)
		return -EMSGSIZE;
	for (b = 0; b < GODIAG_HIST_BUCKETS; b++)
		buckets[b] = atomic64_read(&h->buckets[b]);
	memcpy(nla_data(attr), buckets, sizeof(buckets));
	if (nla_put_u32(skb, GODIAG_A_SESSION_ID, t->session->id) ||
	    nla_put_u32(skb, GODIAG_A_PID, t->tgid) ||
	    nla_put_u32(skb, GODIAG_A_SYSCALL_NR, nr) ||
	    put_u64(skb, GODIAG_A_HIST_COUNT, atomic64_read(&h->count)) ||
	    put_u64(skb, GODIAG_A_HIST_TOTAL_NS, atomic64_read(&h->total_ns)) ||
	    put_u64(skb, GODIAG_A_HIST_MAX_NS, atomic64_read(&h->max_ns)) ||
	    put_u64(skb, GODIAG_A_HIST_ERRORS, atomic64_read(&h->errors)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Targets (rows = 1) or histograms (rows = one per syscall with calls).
 * Position: args[0] session id done, args[1] targets done in it, args[2]
 * syscall number next.
 */
static int dump_targets(struct sk_buff *skb, struct netlink_callback *cb, bool hist)
{
	u32 filter = dump_filter(cb);
	struct godiag_session *s;
	struct godiag_target *t;
	long idx;

	mutex_lock(&godiag_mutex);
	cb->seq = godiag_generation();
	list_for_each_entry(s, &godiag_sessions, node) {
		if (dump_skip(cb, s, filter))
			continue;
		idx = 0;
		list_for_each_entry(t, &s->targets, node) {
			if (idx++ < cb->args[1])
				continue;
			for (; cb->args[2] < (hist ? GODIAG_SYSCALL_MAX : 1); cb->args[2]++) {
				u32 nr = cb->args[2];
				void *hdr;

				if (hist && (!t->hist || !atomic64_read(&t->hist[nr].count)))
					continue;
				hdr = dump_put(skb, cb, hist ? GODIAG_CMD_HIST_GET :
							       GODIAG_CMD_TARGET_GET);
				if (!hdr)
					goto full;
				if (hist ? fill_hist(skb, t, nr) : fill_target(skb, t)) {
					genlmsg_cancel(skb, hdr);
					goto full;
				}
				genlmsg_end(skb, hdr);
			}
			cb->args[2] = 0;
			cb->args[1] = idx;
		}
		cb->args[1] = 0;
		cb->args[0] = s->id;
	}
full:
	mutex_unlock(&godiag_mutex);
	return skb->len;
}

static int target_get(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_targets(skb, cb, false);
}

static int hist_get(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_targets(skb, cb, true);
}

/* Position: args[0] session id done, args[1] probes done in the next. */
static int probe_get(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 filter = dump_filter(cb);
	struct godiag_session *s;
	int ret;

	mutex_lock(&godiag_mutex);
	cb->seq = godiag_generation();
	list_for_each_entry(s, &godiag_sessions, node) {
		if (dump_skip(cb, s, filter))
			continue;
		for (;; cb->args[1]++) {
			void *hdr = dump_put(skb, cb, GODIAG_CMD_PROBE_GET);

			if (!hdr)
				goto full;
			ret = godiag_probe_fill(skb, s, cb->args[1]);
			if (ret) {
				genlmsg_cancel(skb, hdr);
				if (ret == -ENOENT)
					break;
				goto full;
			}
			genlmsg_end(skb, hdr);
		}
		cb->args[1] = 0;
		cb->args[0] = s->id;
	}
full:
	mutex_unlock(&godiag_mutex);
	return skb->len;
}

/* ---- notifications -------------------------------------------------- */

/*
 * A notification that could not be built is lost all the same: its
 * listeners get ENOBUFS, as when their socket overruns, and list the
 * targets again instead of waiting for it.
 */
static void notify_lost(void)
{
	netlink_set_err(init_net.genl_sock, 0, godiag_family.mcgrp_offset,
			-ENOBUFS);
}

/*
 * A target's processes have all exited; godiag_mutex is held. While the
 * module unloads, the exit work may still run after the family is gone:
 * then nobody is told (the family and its group no longer exist).
 */
void godiag_netlink_target_exit(struct godiag_target *t)
{
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&godiag_mutex);
	if (!GODIAG_HAVE_NOTIFY || family_closing)
		return;
	msg = godiag_alloc(genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL));
	if (!msg) {
		notify_lost();
		return;
	}
	hdr = genlmsg_put(msg, 0, 0, &godiag_family, 0, GODIAG_CMD_TARGET_EXIT);
	if (!hdr ||
	    nla_put_u32(msg, GODIAG_A_SESSION_ID, t->session->id) ||
	    nla_put_u32(msg, GODIAG_A_PID, t->tgid) ||
	    nla_put_u32(msg, GODIAG_A_EXIT_CODE, READ_ONCE(t->exit_code))) {
		nlmsg_free(msg);
		notify_lost();
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&godiag_family, msg, 0, 0, GFP_KERNEL);
}

/*
 * A session passed its lifetime (limits.c); godiag_mutex is held, which
 * also orders this against godiag_netlink_exit().
 */
void godiag_netlink_session_expired(struct godiag_session *s)
{
	struct sk_buff *msg;
	void *hdr;

	godiag_lists_changed();
	if (!GODIAG_HAVE_NOTIFY || family_closing)
		return;
	msg = godiag_alloc(genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL));
	if (!msg) {
		notify_lost();
		return;
	}
	hdr = genlmsg_put(msg, 0, 0, &godiag_family, 0, GODIAG_CMD_SESSION_EXPIRED);
	if (!hdr ||
	    nla_put_u32(msg, GODIAG_A_SESSION_ID, s->id) ||
	    nla_put_u32(msg, GODIAG_A_SESSION_MAX_LIFETIME_MS, s->max_lifetime_ms)) {
		nlmsg_free(msg);
		notify_lost();
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&godiag_family, msg, 0, 0, GFP_KERNEL);
}

/*
 * A recorder's trigger fired (trigger.c's work); godiag_mutex is held,
 * which orders this against godiag_netlink_exit().
 */
void godiag_netlink_trigger(struct godiag_session *s, const struct godiag_trig_event *ev)
{
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&godiag_mutex);
	if (!GODIAG_HAVE_NOTIFY || family_closing)
		return;
	msg = godiag_alloc(genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL));
	if (!msg) {
		notify_lost();
		return;
	}
	hdr = genlmsg_put(msg, 0, 0, &godiag_family, 0, GODIAG_CMD_TRIGGER);
	if (!hdr ||
	    nla_put_u32(msg, GODIAG_A_SESSION_ID, s->id) ||
	    nla_put_string(msg, GODIAG_A_SESSION_NAME, s->name) ||
	    nla_put_u32(msg, GODIAG_A_TRIGGER_INDEX, ev->index) ||
	    put_u64(msg, GODIAG_A_TRIGGER_TS, ev->ts) ||
	    (ev->len && nla_put(msg, GODIAG_A_TRIGGER_RECORD, ev->len, ev->rec)) ||
	    put_u64(msg, GODIAG_A_TRIGGERS_FIRED, atomic64_read(&s->trig_fired)) ||
	    put_u64(msg, GODIAG_A_TRIGGERS_SUPPRESSED, atomic64_read(&s->trig_suppressed))) {
		nlmsg_free(msg);
		notify_lost();
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&godiag_family, msg, 0, 0, GFP_KERNEL);
}

/*
 * Sessions created with GODIAG_A_OWNED die with the socket that made them.
 * Every generic netlink socket closed on the machine comes here: without
 * an owned session, that costs an atomic read, not godiag_mutex.
 */
static int godiag_netlink_event(struct notifier_block *nb, unsigned long event,
				void *ptr)
{
	struct netlink_notify *n = ptr;

	/* Port ids are per namespace; godiag lives in the initial one only. */
	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    n->portid && net_eq(n->net, &init_net) && godiag_sessions_owned())
		godiag_sessions_release_owner(n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block godiag_netlink_notifier = {
	.notifier_call = godiag_netlink_event,
};

/* ---- the family ----------------------------------------------------- */

/* No GENL_ADMIN_PERM: CAP_NET_ADMIN is not what godiag asks for (perm.c). */
#define OP_DO(c, fn, pol) {						\
	.cmd = (c), .doit = (fn), .policy = (pol),			\
	.maxattr = GODIAG_A_MAX,					\
}
#define OP_DUMP(c, fn, pol) {						\
	.cmd = (c), .start = dump_start, .dumpit = (fn),		\
	.policy = (pol), .maxattr = GODIAG_A_MAX,			\
}

static const struct genl_ops godiag_ops[] = {
	OP_DO(GODIAG_CMD_STATUS_GET, status_get, status_policy),
	OP_DO(GODIAG_CMD_SESSION_NEW, session_new, session_new_policy),
	OP_DO(GODIAG_CMD_SESSION_DEL, session_del, session_op_policy),
	OP_DO(GODIAG_CMD_SESSION_START, session_start, session_op_policy),
	OP_DO(GODIAG_CMD_SESSION_STOP, session_stop, session_op_policy),
	OP_DUMP(GODIAG_CMD_SESSION_GET, session_get, session_policy),
	OP_DO(GODIAG_CMD_TARGET_ADD, target_add, target_policy),
	OP_DO(GODIAG_CMD_TARGET_DEL, target_del, target_policy),
	OP_DUMP(GODIAG_CMD_TARGET_GET, target_get, session_policy),
	OP_DO(GODIAG_CMD_SYSCALLS_SET, syscalls_set, syscalls_policy),
	OP_DUMP(GODIAG_CMD_STATS_GET, stats_get, session_policy),
	OP_DUMP(GODIAG_CMD_HIST_GET, hist_get, session_policy),
	OP_DO(GODIAG_CMD_PROBE_ADD, probe_add, probe_add_policy),
	OP_DO(GODIAG_CMD_PROBE_DEL, probe_del, probe_del_policy),
	OP_DUMP(GODIAG_CMD_PROBE_GET, probe_get, session_policy),
	OP_DO(GODIAG_CMD_TRIGGERS_SET, triggers_set, triggers_set_policy),
	OP_DO(GODIAG_CMD_TRIGGER_FIRE, trigger_fire, trigger_fire_policy),
};

#if GODIAG_HAVE_NOTIFY
static const struct genl_multicast_group godiag_mcgrps[] = {
	{ .name = GODIAG_MCGRP_NOTIFY, .flags = GENL_MCAST_CAP_SYS_ADMIN },
};
#endif

static struct genl_family godiag_family __ro_after_init = {
	.name = GODIAG_GENL_NAME,
	.version = GODIAG_GENL_VERSION,
	.maxattr = GODIAG_A_MAX,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = godiag_ops,
	.n_ops = ARRAY_SIZE(godiag_ops),
	/* Strict validation for every command, including future ones. */
	.resv_start_op = 0,
#if GODIAG_HAVE_NOTIFY
	.mcgrps = godiag_mcgrps,
	.n_mcgrps = ARRAY_SIZE(godiag_mcgrps),
#endif
};

int __init godiag_netlink_init(void)
{
	int ret;

	ret = genl_register_family(&godiag_family);
	if (ret)
		return ret;
	ret = netlink_register_notifier(&godiag_netlink_notifier);
	if (ret)
		genl_unregister_family(&godiag_family);
	return ret;
}

/*
 * Unload: no new requests once the family is gone. The work reporting a
 * target's exit or a session's expiry may still run until the sessions
 * are destroyed: under godiag_mutex, it finds family_closing set and
 * sends nothing.
 */
void godiag_netlink_exit(void)
{
	netlink_unregister_notifier(&godiag_netlink_notifier);
	mutex_lock(&godiag_mutex);
	family_closing = true;
	mutex_unlock(&godiag_mutex);
	genl_unregister_family(&godiag_family);
}

MODULE_ALIAS_GENL_FAMILY(GODIAG_GENL_NAME);
