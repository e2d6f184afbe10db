// SPDX-License-Identifier: GPL-2.0
/* Requests to the godiag generic netlink family, through libnl-genl. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>

#include "base/util.h"
#include "module/nl.h"

/* Dumps arrive in skbs of up to 32 KiB; a smaller buffer truncates them. */
#define MSG_BUF_SIZE	(64 * 1024)
#define SOCK_RCVBUF	(256 * 1024)

struct gdnl {
	struct nl_sock *sk;
	struct nl_cb *cb;
	int family;
	const char *cmd;	/* for error messages */
	char errmsg[256];	/* why the last request failed, if known */
};

/* State of one gdnl_exec(), shared by the libnl callbacks. */
struct exec_ctx {
	struct gdnl *nl;
	gdnl_reply_fn fn;
	void *arg;
	int err;
	bool done;
};

/*
 * One policy for the whole family: nested attributes share the enum.
 * Unknown (newer) attributes are ignored, so an older tool can read a
 * newer module's replies.
 */
static struct nla_policy policy[GODIAG_A_MAX + 1] = {
	[GODIAG_A_VERSION]		= { .type = NLA_STRING },
	[GODIAG_A_ABI_VERSION]		= { .type = NLA_U32 },
	[GODIAG_A_KERNEL_RELEASE]	= { .type = NLA_STRING },
	[GODIAG_A_NR_CPUS]		= { .type = NLA_U32 },
	[GODIAG_A_NR_CPUS_ONLINE]	= { .type = NLA_U32 },
	[GODIAG_A_BUFFER_DEFAULT]	= { .type = NLA_U32 },
	[GODIAG_A_BUFFER_MIN]		= { .type = NLA_U32 },
	[GODIAG_A_BUFFER_MAX]		= { .type = NLA_U32 },
	[GODIAG_A_SESSIONS]		= { .type = NLA_U32 },
	[GODIAG_A_SESSIONS_MAX]		= { .type = NLA_U32 },
	[GODIAG_A_SESSION_ID]		= { .type = NLA_U32 },
	[GODIAG_A_BUFFER_SIZE]		= { .type = NLA_U32 },
	[GODIAG_A_MODE]			= { .type = NLA_U8 },
	[GODIAG_A_EVENTS]		= { .type = NLA_U32 },
	[GODIAG_A_STATE]		= { .type = NLA_U8 },
	[GODIAG_A_OWNED]		= { .type = NLA_FLAG },
	[GODIAG_A_PID]			= { .type = NLA_U32 },
	[GODIAG_A_TARGET_FLAGS]		= { .type = NLA_U32 },
	[GODIAG_A_SYSCALL_MASK]		= { .minlen = GODIAG_SYSCALL_MASK_BYTES },
	[GODIAG_A_SYSCALL_MIN_NS]	= { .type = NLA_U64 },
	[GODIAG_A_CPU]			= { .type = NLA_NESTED },
	[GODIAG_A_CPU_ID]		= { .type = NLA_U32 },
	[GODIAG_A_CPU_WRITTEN]		= { .type = NLA_U64 },
	[GODIAG_A_CPU_LOST]		= { .type = NLA_U64 },
	[GODIAG_A_CPU_BYTES]		= { .type = NLA_U64 },
	[GODIAG_A_CPU_READ]		= { .type = NLA_U64 },
	[GODIAG_A_SYSCALL_NR]		= { .type = NLA_U32 },
	[GODIAG_A_HIST_COUNT]		= { .type = NLA_U64 },
	[GODIAG_A_HIST_TOTAL_NS]	= { .type = NLA_U64 },
	[GODIAG_A_HIST_MAX_NS]		= { .type = NLA_U64 },
	[GODIAG_A_HIST_ERRORS]		= { .type = NLA_U64 },
	[GODIAG_A_HIST_BUCKETS]		= { .minlen = GODIAG_HIST_BUCKETS * sizeof(__u64) },
	[GODIAG_A_EXIT_CODE]		= { .type = NLA_U32 },
	[GODIAG_A_GENERATION]		= { .type = NLA_U32 },
	[GODIAG_A_THREADS_DROPPED]	= { .type = NLA_U64 },
	[GODIAG_A_READERS]		= { .type = NLA_U32 },
	[GODIAG_A_PROBE_ID]		= { .type = NLA_U32 },
	[GODIAG_A_PROBE_KIND]		= { .type = NLA_U32 },
	[GODIAG_A_PROBE_HITS]		= { .type = NLA_U64 },
	[GODIAG_A_PROBE_FAULTS]		= { .type = NLA_U64 },
	[GODIAG_A_PROBE_PASSES]		= { .type = NLA_U64 },
	[GODIAG_A_PROBE_FILTERED]	= { .type = NLA_U64 },
	[GODIAG_A_PROBE_SAMPLED_OUT]	= { .type = NLA_U64 },
	[GODIAG_A_PROBE_RATE_LIMITED]	= { .type = NLA_U64 },
	[GODIAG_A_SESSION_MAX_LIFETIME_MS] = { .type = NLA_U32 },
	[GODIAG_A_SESSION_EXPIRED]	= { .type = NLA_FLAG },
	[GODIAG_A_SESSION_NAME]		= { .type = NLA_STRING, .maxlen = GODIAG_NAME_MAX },
	[GODIAG_A_SESSION_WINDOW_MS]	= { .type = NLA_U32 },
	[GODIAG_A_TRIGGERS]		= { .type = NLA_UNSPEC },
	[GODIAG_A_TRIGGER_COOLDOWN_MS]	= { .type = NLA_U32 },
	[GODIAG_A_TRIGGER_TEXTS]	= { .type = NLA_UNSPEC },
	[GODIAG_A_TRIGGER_INDEX]	= { .type = NLA_U32 },
	[GODIAG_A_TRIGGER_TS]		= { .type = NLA_U64 },
	[GODIAG_A_TRIGGER_RECORD]	= { .type = NLA_UNSPEC },
	[GODIAG_A_TRIGGERS_FIRED]	= { .type = NLA_U64 },
	[GODIAG_A_TRIGGERS_SUPPRESSED]	= { .type = NLA_U64 },
	[GODIAG_A_TRIGGER_WATCHER]	= { .type = NLA_U32 },
	[GODIAG_A_SESSION_PERSISTENT]	= { .type = NLA_FLAG },
};

static void set_errmsg(struct gdnl *nl, const char *msg, size_t len)
{
	snprintf(nl->errmsg, sizeof(nl->errmsg), "%.*s", (int)len, msg);
}

/* The kernel's NLMSGERR_ATTR_MSG, from the TLVs at off in an ack or DONE. */
static void read_extack(struct gdnl *nl, struct nlmsghdr *nlh, size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlattr *msg;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= nlh->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      (int)(nlh->nlmsg_len - off), NULL) < 0)
		return;
	msg = tb[NLMSGERR_ATTR_MSG];
	if (msg && nla_len(msg) > 0)
		set_errmsg(nl, nla_data(msg), strnlen(nla_data(msg), (size_t)nla_len(msg)));
}

/* Parses one godiag message and passes it to fn; -EBADMSG if malformed. */
static int deliver(struct gdnl *nl, struct nlmsghdr *nlh, gdnl_reply_fn fn,
		   void *arg)
{
	struct nlattr *tb[GODIAG_A_MAX + 1];
	struct genlmsghdr *gh;
	struct gdnl_reply r;

	if (genlmsg_parse(nlh, 0, tb, GODIAG_A_MAX, policy) < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "malformed reply from the module");
		return -EBADMSG;
	}
	gh = nlmsg_data(nlh);
	r.cmd = gh->cmd;
	r.tb = tb;
	r.attrs = genlmsg_attrdata(gh, 0);
	r.len = genlmsg_attrlen(gh, 0);
	return fn ? fn(&r, arg) : 0;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct exec_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int err;

	/* After a failure keep reading, so the ack does not linger in the socket. */
	if (ctx->err)
		return NL_SKIP;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
		ctx->err = -EAGAIN;
		snprintf(ctx->nl->errmsg, sizeof(ctx->nl->errmsg),
			 "the list changed during the request; try again");
		return NL_SKIP;
	}
	err = deliver(ctx->nl, nlh, ctx->fn, ctx->arg);
	if (err)
		ctx->err = err;
	return err == -EBADMSG ? NL_SKIP : NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct exec_ctx *ctx = arg;

	(void)msg;
	ctx->done = true;
	return NL_STOP;
}

/* NLMSG_DONE carries the dump's errno, then possibly an extended ack. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct exec_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int status;

	ctx->done = true;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(status))
		return NL_STOP;
	memcpy(&status, nlmsg_data(nlh), sizeof(status));
	if (status < 0) {
		ctx->err = status;
		read_extack(ctx->nl, nlh, NLMSG_ALIGN(NLMSG_HDRLEN + sizeof(status)));
	}
	return NL_STOP;
}

/*
 * An NLMSG_ERROR with a nonzero errno. The TLVs follow struct nlmsgerr,
 * which echoes our whole request unless the kernel capped it.
 */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct exec_ctx *ctx = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	(void)who;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > NLMSG_HDRLEN)
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	/* The kernel's error outranks anything our callback found. */
	ctx->nl->errmsg[0] = '\0';
	read_extack(ctx->nl, nlh, NLMSG_ALIGN(off));
	ctx->err = e->error;
	ctx->done = true;
	return NL_STOP;
}

static void set_sockopts(struct gdnl *nl)
{
	int fd = nl_socket_get_fd(nl->sk), one = 1;

	/* Both are best effort: without them errors just lose their detail. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_set_buffer_size(nl->sk, SOCK_RCVBUF, 0);
	nl_socket_set_msg_buf_size(nl->sk, MSG_BUF_SIZE);
	/* Peek first, so libnl grows the buffer rather than truncate. */
	nl_socket_enable_msg_peek(nl->sk);
}

static void resolve_family(struct gdnl *nl)
{
	int id = genl_ctrl_resolve(nl->sk, GODIAG_GENL_NAME);

	if (id == -NLE_OBJ_NOTFOUND)
		die(EXIT_NOMODULE,
		    "the godiag module is not loaded (load it with: modprobe godiag)");
	if (id < 0)
		die(EXIT_OPFAIL, "%s: cannot look up the godiag netlink family: %s",
		    nl->cmd, nl_geterror(id));
	nl->family = id;
}

struct gdnl *gdnl_open(const char *cmd)
{
	struct gdnl *nl = calloc(1, sizeof(*nl));
	int err;

	if (!nl)
		die(EXIT_OPFAIL, "out of memory");
	nl->cmd = cmd;
	nl->sk = nl_socket_alloc();
	nl->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nl->sk || !nl->cb)
		die(EXIT_OPFAIL, "out of memory");
	err = genl_connect(nl->sk);
	if (err < 0)
		die(EXIT_OPFAIL, "%s: cannot open a generic netlink socket: %s",
		    cmd, nl_geterror(err));
	set_sockopts(nl);
	resolve_family(nl);
	return nl;
}

void gdnl_close(struct gdnl *nl)
{
	if (!nl)
		return;
	nl_cb_put(nl->cb);
	nl_socket_free(nl->sk);
	free(nl);
}

struct nl_msg *gdnl_msg(struct gdnl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family,
				 0, flags, cmd, GODIAG_GENL_VERSION))
		die(EXIT_OPFAIL, "out of memory");
	return msg;
}

static void check_put(int err)
{
	if (err < 0)
		die(EXIT_OPFAIL, "netlink request too large: %s", nl_geterror(err));
}

void gdnl_put_u8(struct nl_msg *msg, int attr, uint8_t v)
{
	check_put(nla_put_u8(msg, attr, v));
}

void gdnl_put_u32(struct nl_msg *msg, int attr, uint32_t v)
{
	check_put(nla_put_u32(msg, attr, v));
}

void gdnl_put_u64(struct nl_msg *msg, int attr, uint64_t v)
{
	check_put(nla_put_u64(msg, attr, v));
}

void gdnl_put_string(struct nl_msg *msg, int attr, const char *s)
{
	check_put(nla_put_string(msg, attr, s));
}

void gdnl_put_flag(struct nl_msg *msg, int attr)
{
	check_put(nla_put_flag(msg, attr));
}

void gdnl_put_data(struct nl_msg *msg, int attr, const void *data, size_t len)
{
	check_put(nla_put(msg, attr, (int)len, data));
}

static void set_callbacks(struct gdnl *nl, struct exec_ctx *ctx)
{
	nl_cb_set(nl->cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, ctx);
	nl_cb_set(nl->cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, ctx);
	nl_cb_set(nl->cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, ctx);
	nl_cb_err(nl->cb, NL_CB_CUSTOM, on_error, ctx);
}

int gdnl_exec(struct gdnl *nl, struct nl_msg *msg, gdnl_reply_fn fn, void *arg)
{
	struct exec_ctx ctx = { .nl = nl, .fn = fn, .arg = arg };
	int ret;

	nl->errmsg[0] = '\0';
	set_callbacks(nl, &ctx);
	/* libnl adds NLM_F_ACK: a plain request ends with the ack, a dump with DONE. */
	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		goto libnl_error;
	while (!ctx.done) {
		ret = nl_recvmsgs(nl->sk, nl->cb);
		if (ret < 0 && !ctx.done)
			goto libnl_error;
	}
	return ctx.err;

libnl_error:
	/* libnl's codes are not errnos; keep its words instead. */
	snprintf(nl->errmsg, sizeof(nl->errmsg), "netlink: %s", nl_geterror(ret));
	return -EIO;
}

const char *gdnl_strerror(const struct gdnl *nl, int err)
{
	if (nl->errmsg[0])
		return nl->errmsg;
	return strerror(-err);
}

void gdnl_fail(const struct gdnl *nl, int err)
{
	if (err == -EPERM && !nl->errmsg[0])
		die(EXIT_PERM, "permission denied: godiag needs CAP_PERFMON or CAP_SYS_ADMIN");
	if (err == -EPERM)
		die(EXIT_PERM, "permission denied: %s", nl->errmsg);
	die(EXIT_OPFAIL, "%s: %s", nl->cmd, gdnl_strerror(nl, err));
}

int gdnl_parse_nested(struct nlattr **tb, struct nlattr *nest)
{
	return nla_parse_nested(tb, GODIAG_A_MAX, nest, policy);
}

int gdnl_dump(struct gdnl *nl, uint8_t cmd, uint32_t session_id,
	      gdnl_reply_fn fn, void (*reset)(void *arg), void *arg)
{
	int tries = 0, err;

	for (;;) {
		struct nl_msg *msg = gdnl_msg(nl, cmd, NLM_F_DUMP);

		if (session_id)
			gdnl_put_u32(msg, GODIAG_A_SESSION_ID, session_id);
		err = gdnl_exec(nl, msg, fn, arg);
		if (err != -EAGAIN || ++tries == 3)
			return err;
		if (reset)
			reset(arg);
	}
}

struct gdnl *gdnl_open_notify(const char *cmd, char *why, size_t whylen)
{
	struct gdnl *nl = gdnl_open(cmd);
	int grp, err;

	grp = genl_ctrl_resolve_grp(nl->sk, GODIAG_GENL_NAME, GODIAG_MCGRP_NOTIFY);
	if (grp < 0) {
		snprintf(why, whylen, "no \"%s\" multicast group: %s",
			 GODIAG_MCGRP_NOTIFY, nl_geterror(grp));
		goto fail;
	}
	/* Notifications carry sequence number 0: do not check them. */
	nl_socket_disable_seq_check(nl->sk);
	err = nl_socket_add_membership(nl->sk, grp);
	if (err < 0) {
		snprintf(why, whylen, "cannot join the \"%s\" multicast group: %s",
			 GODIAG_MCGRP_NOTIFY, nl_geterror(err));
		gdnl_close(nl);
		errno = err == -NLE_PERM ? EPERM : EIO;
		return NULL;
	}
	return nl;
fail:
	gdnl_close(nl);
	errno = ENOENT;
	return NULL;
}

int gdnl_fd(const struct gdnl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

/* The godiag messages in one datagram; others (NOOP, errors) are skipped. */
static int deliver_all(struct gdnl *nl, void *buf, int len, gdnl_reply_fn fn,
		       void *arg)
{
	struct nlmsghdr *nlh;
	int err;

	for (nlh = buf; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type != nl->family)
			continue;
		err = deliver(nl, nlh, fn, arg);
		if (err)
			return err;
	}
	return 0;
}

int gdnl_notify_read(struct gdnl *nl, gdnl_reply_fn fn, void *arg)
{
	static char buf[MSG_BUF_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd = nl_socket_get_fd(nl->sk), lost = 0, err;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		/* An overrun is reported once; the socket goes on working. */
		if (n < 0 && errno == ENOBUFS) {
			lost = -ENOBUFS;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return lost;
		if (n < 0)
			return -errno;
		if (n == 0)
			return lost;
		err = deliver_all(nl, buf, (int)n, fn, arg);
		if (err)
			return err;
	}
}
