// SPDX-License-Identifier: GPL-2.0
/*
 * nlraw: a raw generic netlink client for godiag's negative tests. It
 * crafts what libnl would refuse to send: wrong attribute widths, unknown
 * attributes and commands, truncated messages, lying lengths, garbage.
 *
 *   nlraw [GLOBAL] send [SEND-OPTS] CMD [ATTR:TYPE[:VALUE] ...]
 *   nlraw [GLOBAL] session-new [--buffer N] [--mode discard|overwrite|N]
 *                              [--owned] [--hold]
 *   nlraw [GLOBAL] fuzz --count N --seed S [--threads T] [--target PID]
 *                       [--probe-file PATH]
 *   nlraw [GLOBAL] join [--group NAME]
 *
 * Output of send, one line on stdout:
 *   errno=<n> msg=<extack message>              (request without --dump)
 *   errno=<n> messages=<n> msg=<extack message> (with --dump)
 * errno is positive (0: success), msg the NLMSGERR_ATTR_MSG of the ack,
 * NLMSG_DONE or error (empty when there was none; control characters are
 * printed as '?'). When the kernel does not answer at all (it silently
 * drops messages shorter than a netlink header or whose nlmsg_len exceeds
 * what was sent) the line is "errno=noreply msg=" and the exit status 3.
 * --show and --raw add lines for each reply before it, --fail-nth one
 * "fault=injected|none" line; join prints "errno=<n>".
 *
 * Exit status: 0 the kernel answered (whatever the errno), 1 local error
 * or bad usage, 2 the family does not exist, 3 no answer (send) or the
 * kernel refused (session-new).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "godiag_abi.h"

#define RECV_BUF	(64 * 1024)
#define SEND_BUF	(1024 * 1024)
#define NLA_PAYLOAD_MAX	(0xffff - NLA_HDRLEN)

static const char *prog = "nlraw";
static const char *family_name = GODIAG_GENL_NAME;
static const char *group_name = GODIAG_MCGRP_NOTIFY;
static int timeout_ms = 2000;
static int group_id = -1;		/* of group_name, found by resolve_family */

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

struct name_num {
	const char *name;
	unsigned int num;
};

static const struct name_num cmd_names[] = {
	{ "unspec", GODIAG_CMD_UNSPEC },
	{ "status", GODIAG_CMD_STATUS_GET },
	{ "status-get", GODIAG_CMD_STATUS_GET },
	{ "session-new", GODIAG_CMD_SESSION_NEW },
	{ "session-del", GODIAG_CMD_SESSION_DEL },
	{ "session-start", GODIAG_CMD_SESSION_START },
	{ "session-stop", GODIAG_CMD_SESSION_STOP },
	{ "sessions", GODIAG_CMD_SESSION_GET },
	{ "session-get", GODIAG_CMD_SESSION_GET },
	{ "target-add", GODIAG_CMD_TARGET_ADD },
	{ "target-del", GODIAG_CMD_TARGET_DEL },
	{ "targets", GODIAG_CMD_TARGET_GET },
	{ "probes", GODIAG_CMD_PROBE_GET },
	{ "target-get", GODIAG_CMD_TARGET_GET },
	{ "syscalls-set", GODIAG_CMD_SYSCALLS_SET },
	{ "stats", GODIAG_CMD_STATS_GET },
	{ "stats-get", GODIAG_CMD_STATS_GET },
	{ "hist", GODIAG_CMD_HIST_GET },
	{ "hist-get", GODIAG_CMD_HIST_GET },
	{ "target-exit", GODIAG_CMD_TARGET_EXIT },
	{ "probe-add", GODIAG_CMD_PROBE_ADD },
	{ "probe-del", GODIAG_CMD_PROBE_DEL },
	{ "probe-get", GODIAG_CMD_PROBE_GET },
	{ "session-expired", GODIAG_CMD_SESSION_EXPIRED },
	{ "triggers-set", GODIAG_CMD_TRIGGERS_SET },
	{ "trigger-fire", GODIAG_CMD_TRIGGER_FIRE },
	{ "trigger", GODIAG_CMD_TRIGGER },
};

enum kind { K_NONE, K_U8, K_U16, K_U32, K_U64, K_STR, K_FLAG, K_BIN, K_NEST };

struct attr_info {
	const char *name;
	enum kind kind;
};

static const struct attr_info attrs[GODIAG_A_MAX + 1] = {
	[GODIAG_A_UNSPEC] = { "unspec", K_NONE },
	[GODIAG_A_PAD] = { "pad", K_BIN },
	[GODIAG_A_VERSION] = { "version", K_STR },
	[GODIAG_A_ABI_VERSION] = { "abi-version", K_U32 },
	[GODIAG_A_KERNEL_RELEASE] = { "kernel-release", K_STR },
	[GODIAG_A_NR_CPUS] = { "nr-cpus", K_U32 },
	[GODIAG_A_NR_CPUS_ONLINE] = { "nr-cpus-online", K_U32 },
	[GODIAG_A_BUFFER_DEFAULT] = { "buffer-default", K_U32 },
	[GODIAG_A_BUFFER_MIN] = { "buffer-min", K_U32 },
	[GODIAG_A_BUFFER_MAX] = { "buffer-max", K_U32 },
	[GODIAG_A_SESSIONS] = { "sessions", K_U32 },
	[GODIAG_A_SESSIONS_MAX] = { "sessions-max", K_U32 },
	[GODIAG_A_SESSION_ID] = { "session-id", K_U32 },
	[GODIAG_A_BUFFER_SIZE] = { "buffer-size", K_U32 },
	[GODIAG_A_MODE] = { "mode", K_U8 },
	[GODIAG_A_EVENTS] = { "events", K_U32 },
	[GODIAG_A_STATE] = { "state", K_U8 },
	[GODIAG_A_OWNED] = { "owned", K_FLAG },
	[GODIAG_A_PID] = { "pid", K_U32 },
	[GODIAG_A_TARGET_FLAGS] = { "target-flags", K_U32 },
	[GODIAG_A_SYSCALL_MASK] = { "syscall-mask", K_BIN },
	[GODIAG_A_SYSCALL_MIN_NS] = { "syscall-min-ns", K_U64 },
	[GODIAG_A_CPU] = { "cpu", K_NEST },
	[GODIAG_A_CPU_ID] = { "cpu-id", K_U32 },
	[GODIAG_A_CPU_WRITTEN] = { "cpu-written", K_U64 },
	[GODIAG_A_CPU_LOST] = { "cpu-lost", K_U64 },
	[GODIAG_A_CPU_BYTES] = { "cpu-bytes", K_U64 },
	[GODIAG_A_CPU_READ] = { "cpu-read", K_U64 },
	[GODIAG_A_SYSCALL_NR] = { "syscall-nr", K_U32 },
	[GODIAG_A_HIST_COUNT] = { "hist-count", K_U64 },
	[GODIAG_A_HIST_TOTAL_NS] = { "hist-total-ns", K_U64 },
	[GODIAG_A_HIST_MAX_NS] = { "hist-max-ns", K_U64 },
	[GODIAG_A_HIST_ERRORS] = { "hist-errors", K_U64 },
	[GODIAG_A_HIST_BUCKETS] = { "hist-buckets", K_BIN },
	[GODIAG_A_EXIT_CODE] = { "exit-code", K_U32 },
	[GODIAG_A_GENERATION] = { "generation", K_U32 },
	[GODIAG_A_THREADS_DROPPED] = { "threads-dropped", K_U64 },
	[GODIAG_A_READERS] = { "readers", K_U32 },
	[GODIAG_A_PROBE_ID] = { "probe-id", K_U32 },
	[GODIAG_A_PROBE_KIND] = { "probe-kind", K_U32 },
	[GODIAG_A_PROBE_PATH] = { "probe-path", K_STR },
	[GODIAG_A_PROBE_OFFSET] = { "probe-offset", K_U64 },
	[GODIAG_A_PROBE_ARG_REG] = { "probe-arg-reg", K_U8 },
	[GODIAG_A_PROBE_G_REG] = { "probe-g-reg", K_U8 },
	[GODIAG_A_GO_LAYOUT] = { "go-layout", K_BIN },
	[GODIAG_A_PROBE_HITS] = { "probe-hits", K_U64 },
	[GODIAG_A_PROBE_FAULTS] = { "probe-faults", K_U64 },
	[GODIAG_A_PROCS_MISSED] = { "procs-missed", K_U64 },
	[GODIAG_A_PROBE_JCC] = { "probe-jcc", K_U8 },
	[GODIAG_A_PROC_MEM_FD] = { "proc-mem-fd", K_U32 },
	[GODIAG_A_PROBE_FUNC_OFFSET] = { "probe-func-offset", K_U64 },
	[GODIAG_A_BREAK_WORDS] = { "break-words", K_BIN },
	[GODIAG_A_BREAK_STRLEN] = { "break-strlen", K_U32 },
	[GODIAG_A_BREAK_STACK] = { "break-stack", K_U8 },
	[GODIAG_A_BREAK_COND] = { "break-cond", K_BIN },
	[GODIAG_A_BREAK_EVERY] = { "break-every", K_U32 },
	[GODIAG_A_BREAK_MAX_RATE] = { "break-max-rate", K_U32 },
	[GODIAG_A_BREAK_AT_ENTRY] = { "break-at-entry", K_FLAG },
	[GODIAG_A_PROBE_PASSES] = { "probe-passes", K_U64 },
	[GODIAG_A_PROBE_FILTERED] = { "probe-filtered", K_U64 },
	[GODIAG_A_PROBE_SAMPLED_OUT] = { "probe-sampled-out", K_U64 },
	[GODIAG_A_PROBE_RATE_LIMITED] = { "probe-rate-limited", K_U64 },
	[GODIAG_A_SESSION_MAX_LIFETIME_MS] = { "max-lifetime-ms", K_U32 },
	[GODIAG_A_SESSION_EXPIRED] = { "expired", K_FLAG },
	[GODIAG_A_BREAK_SPEC] = { "break-spec", K_STR },
	[GODIAG_A_SESSION_NAME] = { "session-name", K_STR },
	[GODIAG_A_SESSION_WINDOW_MS] = { "window-ms", K_U32 },
	[GODIAG_A_TRIGGERS] = { "triggers", K_BIN },
	[GODIAG_A_TRIGGER_COOLDOWN_MS] = { "cooldown-ms", K_U32 },
	[GODIAG_A_TRIGGER_TEXTS] = { "trigger-texts", K_BIN },
	[GODIAG_A_TRIGGER_INDEX] = { "trigger-index", K_U32 },
	[GODIAG_A_TRIGGER_TS] = { "trigger-ts", K_U64 },
	[GODIAG_A_TRIGGER_RECORD] = { "trigger-record", K_BIN },
	[GODIAG_A_TRIGGERS_FIRED] = { "triggers-fired", K_U64 },
	[GODIAG_A_TRIGGERS_SUPPRESSED] = { "triggers-suppressed", K_U64 },
	[GODIAG_A_TRIGGER_WATCHER] = { "trigger-watcher", K_U32 },
	[GODIAG_A_BREAK_SLICE_ELEMS] = { "break-slice-elems", K_U32 },
	[GODIAG_A_SESSION_PERSISTENT] = { "persistent", K_FLAG },
};

static bool is_godiag(void)
{
	return !strcmp(family_name, GODIAG_GENL_NAME);
}

/* Strict unsigned number: decimal, 0x hex or 0 octal, at most max. */
static int parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_cmd(const char *s, unsigned int *cmd)
{
	unsigned long long v;
	size_t i;

	for (i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
		if (!strcmp(s, cmd_names[i].name)) {
			*cmd = cmd_names[i].num;
			return 0;
		}
	if (parse_num(s, 255, &v))
		return -1;
	*cmd = (unsigned int)v;
	return 0;
}

static int parse_attr_type(const char *s, unsigned int *type)
{
	unsigned long long v;
	unsigned int i;

	for (i = 0; i <= GODIAG_A_MAX; i++)
		if (attrs[i].name && !strcmp(s, attrs[i].name)) {
			*type = i;
			return 0;
		}
	if (parse_num(s, 0xffff, &v))
		return -1;
	*type = (unsigned int)v;
	return 0;
}

static const char *attr_name(unsigned int type, char *buf, size_t len)
{
	if (is_godiag() && type <= GODIAG_A_MAX && attrs[type].name)
		return attrs[type].name;
	snprintf(buf, len, "%u", type);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Message builder (no checks on purpose: it writes what it is told)   */
/* ------------------------------------------------------------------ */

struct mb {
	unsigned char *p;
	size_t len, cap;
};

static int mb_init(struct mb *m, size_t cap)
{
	m->p = calloc(1, cap);
	m->len = 0;
	m->cap = cap;
	return m->p ? 0 : -1;
}

static bool mb_room(const struct mb *m, size_t n)
{
	return n <= m->cap - m->len;
}

static void *mb_put(struct mb *m, const void *data, size_t n)
{
	void *at = m->p + m->len;

	if (!mb_room(m, NLMSG_ALIGN(n)))
		return NULL;
	if (data)
		memcpy(at, data, n);
	else
		memset(at, 0, n);
	memset(m->p + m->len + n, 0, NLMSG_ALIGN(n) - n);
	m->len += NLMSG_ALIGN(n);
	return at;
}

/* nlmsghdr + genlmsghdr; returns the offset of the nlmsghdr. */
static size_t mb_msg_begin(struct mb *m, uint16_t type, uint16_t flags, uint32_t seq,
			   uint8_t cmd, uint8_t version)
{
	size_t off = m->len;
	struct nlmsghdr nlh = {
		.nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq,
	};
	struct genlmsghdr g = { .cmd = cmd, .version = version };

	mb_put(m, &nlh, sizeof(nlh));
	mb_put(m, &g, sizeof(g));
	return off;
}

static void mb_msg_end(struct mb *m, size_t off)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(m->p + off);

	nlh->nlmsg_len = (uint32_t)(m->len - off);
}

/* Returns the attribute's offset in the buffer or (size_t)-1 if full. */
static size_t mb_attr(struct mb *m, uint16_t type, const void *data, size_t n)
{
	struct nlattr nla = { .nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type };
	size_t off = m->len;

	if (!mb_room(m, NLA_HDRLEN + NLA_ALIGN(n)))
		return (size_t)-1;
	mb_put(m, &nla, sizeof(nla));
	mb_put(m, data, n);
	return off;
}

static size_t mb_nest_begin(struct mb *m, uint16_t type)
{
	return mb_attr(m, type | NLA_F_NESTED, NULL, 0);
}

static void mb_nest_end(struct mb *m, size_t off)
{
	struct nlattr *nla;

	if (off == (size_t)-1)
		return;
	nla = (struct nlattr *)(m->p + off);
	nla->nla_len = (uint16_t)(m->len - off > 0xffff ? 0xffff : m->len - off);
}

/* ------------------------------------------------------------------ */
/* Socket                                                              */
/* ------------------------------------------------------------------ */

struct nl {
	struct mnl_socket *sk;
	int fd;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	unsigned char *buf;
	size_t bufsz;
};

static int nl_open(struct nl *nl)
{
	int one = 1, zero = 0;

	memset(nl, 0, sizeof(*nl));
	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk) {
		fprintf(stderr, "%s: netlink socket: %s\n", prog, strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "%s: netlink bind: %s\n", prog, strerror(errno));
		mnl_socket_close(nl->sk);
		return -1;
	}
	/* Extended acks (the message string) with the request echoed back. */
	if (mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &zero, sizeof(zero)) < 0) {
		fprintf(stderr, "%s: netlink setsockopt: %s\n", prog, strerror(errno));
		mnl_socket_close(nl->sk);
		return -1;
	}
	nl->fd = mnl_socket_get_fd(nl->sk);
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (uint32_t)getpid() << 8;
	nl->bufsz = RECV_BUF;
	nl->buf = malloc(nl->bufsz);
	if (!nl->buf) {
		mnl_socket_close(nl->sk);
		return -1;
	}
	return 0;
}

static void nl_close(struct nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->buf);
	nl->sk = NULL;
	nl->buf = NULL;
}

static int nl_send(struct nl *nl, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;

	do
		n = sendto(nl->fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	return 0;
}

/*
 * One datagram from the kernel: >0 bytes, 0 when nothing arrived within
 * wait_ms (0: do not wait), -1 on a socket error (errno). A datagram
 * larger than the 64 KiB buffer (an ack echoing a big request) grows it.
 */
static ssize_t nl_recv(struct nl *nl, int wait_ms)
{
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	struct sockaddr_nl sa;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;
	int r;

	for (;;) {
		do
			r = poll(&pfd, 1, wait_ms);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		iov.iov_base = nl->buf;
		iov.iov_len = nl->bufsz;
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &sa;
		mh.msg_namelen = sizeof(sa);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = recvmsg(nl->fd, &mh, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		if ((size_t)n > nl->bufsz) {
			unsigned char *nb = realloc(nl->buf, (size_t)n);

			if (!nb)
				return -1;
			nl->buf = nb;
			nl->bufsz = (size_t)n;
			iov.iov_base = nl->buf;
			iov.iov_len = nl->bufsz;
		}
		mh.msg_namelen = sizeof(sa);
		n = recvmsg(nl->fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		if (sa.nl_pid != 0)
			continue;	/* not from the kernel */
		return n;
	}
}

/* ------------------------------------------------------------------ */
/* Transactions                                                        */
/* ------------------------------------------------------------------ */

struct result {
	bool answered;		/* some message with our seq came back */
	bool done;		/* an error, ack or NLMSG_DONE ended it */
	int err;		/* positive errno */
	unsigned int messages;	/* data messages (dump parts, replies) */
	char msg[512];		/* NLMSGERR_ATTR_MSG */
	bool has_offs, has_miss;
	uint32_t offs, miss;
};

typedef void (*msg_cb)(const struct nlmsghdr *nlh, void *arg);

static void copy_msg(char *dst, size_t dstsz, const struct nlattr *a)
{
	const char *s = mnl_attr_get_payload(a);
	size_t n = mnl_attr_get_payload_len(a), i, j = 0;

	for (i = 0; i < n && s[i] && j + 1 < dstsz; i++)
		dst[j++] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	dst[j] = 0;
}

static void parse_ack_tlvs(const unsigned char *p, size_t len, struct result *res)
{
	const struct nlattr *attr;

	mnl_attr_for_each_payload((const void *)p, len) {
		const struct nlattr *a = attr;

		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG:
			copy_msg(res->msg, sizeof(res->msg), a);
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_get_payload_len(a) >= 4) {
				res->has_offs = true;
				res->offs = mnl_attr_get_u32(a);
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_get_payload_len(a) >= 4) {
				res->has_miss = true;
				res->miss = mnl_attr_get_u32(a);
			}
			break;
		}
	}
}

static void parse_error(const struct nlmsghdr *nlh, struct result *res)
{
	const unsigned char *payload = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh), off;
	const struct nlmsgerr *e = (const void *)payload;

	if (plen < sizeof(*e)) {
		res->err = EBADMSG;
		return;
	}
	res->err = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (off < plen)
		parse_ack_tlvs(payload + off, plen - off, res);
}

static void parse_done(const struct nlmsghdr *nlh, struct result *res)
{
	const unsigned char *payload = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	int err;

	if (plen < sizeof(int))
		return;
	memcpy(&err, payload, sizeof(err));
	res->err = -err;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && plen > NLMSG_ALIGN(sizeof(int)))
		parse_ack_tlvs(payload + NLMSG_ALIGN(sizeof(int)),
			       plen - NLMSG_ALIGN(sizeof(int)), res);
}

/*
 * Handle one datagram; messages whose seq is outside [lo, hi] are stale
 * and skipped. Sets res->done on the terminating error/ack/DONE.
 */
static void handle_datagram(struct nl *nl, size_t n, uint32_t lo, uint32_t hi,
			    struct result *res, msg_cb cb, void *arg)
{
	const struct nlmsghdr *nlh = (const void *)nl->buf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_seq < lo || nlh->nlmsg_seq > hi)
			continue;
		if (nlh->nlmsg_pid && nlh->nlmsg_pid != nl->portid)
			continue;
		res->answered = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			break;
		case NLMSG_ERROR:
			parse_error(nlh, res);
			res->done = true;
			break;
		case NLMSG_DONE:
			parse_done(nlh, res);
			res->done = true;
			break;
		default:
			res->messages++;
			if (cb)
				cb(nlh, arg);
			break;
		}
	}
}

/*
 * Send a buffer holding requests with seqs [lo, hi] and collect replies
 * until an error/ack/DONE, or until nothing more comes within wait_ms
 * (replies to requests are queued before sendmsg returns and dump parts
 * are produced by the receive calls, so the wait only matters when the
 * kernel stays silent). Returns 0, or -1 on a local error.
 */
static int transact(struct nl *nl, const void *buf, size_t len, uint32_t lo, uint32_t hi,
		    int wait_ms, struct result *res, msg_cb cb, void *arg)
{
	ssize_t n;

	memset(res, 0, sizeof(*res));
	if (nl_send(nl, buf, len) < 0) {
		fprintf(stderr, "%s: send: %s\n", prog, strerror(errno));
		return -1;
	}
	while (!res->done) {
		n = nl_recv(nl, wait_ms);
		if (n < 0) {
			fprintf(stderr, "%s: receive: %s\n", prog, strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		handle_datagram(nl, (size_t)n, lo, hi, res, cb, arg);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Family resolution                                                   */
/* ------------------------------------------------------------------ */

/* One CTRL_ATTR_MCAST_GROUPS entry: remember the id of group_name. */
static void mcast_group(const struct nlattr *grp)
{
	const struct nlattr *a;
	const char *name = NULL;
	size_t name_len = 0;
	int id = -1;

	mnl_attr_for_each_nested(a, grp) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME) {
			name = mnl_attr_get_payload(a);
			name_len = mnl_attr_get_payload_len(a);
		} else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			   mnl_attr_get_payload_len(a) >= 4) {
			id = (int)mnl_attr_get_u32(a);
		}
	}
	if (name && id >= 0 && strnlen(name, name_len) < name_len &&
	    !strcmp(name, group_name))
		group_id = id;
}

static void family_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *a, *g;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_get_payload_len(a) >= 2)
			*(int *)arg = mnl_attr_get_u16(a);
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
			mnl_attr_for_each_nested(g, a)
				mcast_group(g);
	}
}

/* 0 and nl->family set; 2 family missing; 1 local error. */
static int resolve_family(struct nl *nl)
{
	struct mb m;
	struct result res;
	size_t off;
	int id = -1;
	uint32_t seq = ++nl->seq;

	if (mb_init(&m, 4096))
		return 1;
	off = mb_msg_begin(&m, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq,
			   CTRL_CMD_GETFAMILY, 1);
	mb_attr(&m, CTRL_ATTR_FAMILY_NAME, family_name, strlen(family_name) + 1);
	mb_msg_end(&m, off);
	if (transact(nl, m.p, m.len, seq, seq, timeout_ms, &res, family_cb, &id)) {
		free(m.p);
		return 1;
	}
	free(m.p);
	if (res.err == ENOENT) {
		fprintf(stderr, "%s: generic netlink family \"%s\" does not exist "
			"(is the module loaded?)\n", prog, family_name);
		return 2;
	}
	if (res.err || id < 0) {
		fprintf(stderr, "%s: resolving family \"%s\": %s\n", prog, family_name,
			res.err ? strerror(res.err) : "no answer");
		return 1;
	}
	nl->family = (uint16_t)id;
	return 0;
}

/* ------------------------------------------------------------------ */
/* send                                                                */
/* ------------------------------------------------------------------ */

struct opts {
	/* send */
	bool dump, bad_len, show, raw, no_ack;
	long truncate;			/* -1: no */
	long flags;			/* -1: default */
	long type;			/* -1: the family */
	unsigned int genl_version;
	/* session-new */
	long buffer;			/* -1: not given */
	long mode;
	bool owned, hold;
	/* fuzz */
	unsigned long count, threads;
	unsigned long long seed;
	bool have_count, have_seed;
	long target;			/* -1: none */
	const char *probe_file;
};

/*
 * --fail-nth N: systematic fault injection: the N-th allocation of this
 * thread while the request is sent and answered fails. With a godiag
 * module built for it (kmod/faults.h) its own allocations, through
 * GODIAG_FAIL_NTH; else every fault site the kernel's injector has set
 * up in debugfs (CONFIG_FAULT_INJECTION, Documentation/fault-injection),
 * through /proc/thread-self/fail-nth. A line "fault=injected" or
 * "fault=none" says whether it happened, before the usual one.
 */
#define GODIAG_FAIL_NTH "/sys/kernel/debug/godiag/fail_nth"
static unsigned long fail_nth;
static int fail_fd = -1;

static int fault_arm(void)
{
	const char *path = GODIAG_FAIL_NTH;
	char b[32];
	int n;

	if (!fail_nth)
		return 0;
	if (fail_fd < 0) {
		if (access(path, F_OK))
			path = "/proc/thread-self/fail-nth";
		fail_fd = open(path, O_RDWR | O_CLOEXEC);
		if (fail_fd < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
			return -1;
		}
	}
	n = snprintf(b, sizeof(b), "%lu", fail_nth);
	if (pwrite(fail_fd, b, (size_t)n, 0) != n) {
		fprintf(stderr, "%s: arming fail-nth: %s\n", prog, strerror(errno));
		return -1;
	}
	return 0;
}

/* Disarm and print whether the fault was injected (fail-nth reads 0). */
static void fault_disarm(void)
{
	char b[32];
	ssize_t n;

	if (!fail_nth)
		return;
	n = pread(fail_fd, b, sizeof(b) - 1, 0);
	if (pwrite(fail_fd, "0", 1, 0) != 1 || n <= 0) {
		printf("fault=unknown\n");
		return;
	}
	b[n] = 0;
	printf("fault=%s\n", strtoul(b, NULL, 10) == 0 ? "injected" : "none");
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Integer of `bytes` width: unsigned up to the max, or negative down to the signed min. */
static int parse_width(const char *s, unsigned int bytes, void *out)
{
	unsigned long long max = bytes == 8 ? ULLONG_MAX : (1ULL << (bytes * 8)) - 1;
	unsigned long long u;
	long long v;
	char *end;

	if (s && *s == '-') {
		errno = 0;
		v = strtoll(s, &end, 0);
		if (errno || *end || s[1] == 0)
			return -1;
		if (bytes < 8 && v < -(long long)(1ULL << (bytes * 8 - 1)))
			return -1;
		u = (unsigned long long)v & max;
	} else if (parse_num(s, max, &u)) {
		return -1;
	}
	switch (bytes) {
	case 1: { uint8_t x = (uint8_t)u; memcpy(out, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)u; memcpy(out, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)u; memcpy(out, &x, 4); break; }
	default: { uint64_t x = u; memcpy(out, &x, 8); break; }
	}
	return 0;
}

/* put_spec(): an open:PATH whose open failed adds no attribute. */
#define OMITTED	((size_t)-2)

/*
 * ATTR:TYPE[:VALUE] -> one attribute in m; returns its offset,
 * (size_t)-1 on bad usage, or OMITTED.
 */
static size_t put_spec(struct mb *m, const char *spec)
{
	char *dup = strdup(spec), *tname, *val;
	unsigned char num[8], *bin = NULL;
	unsigned long long n;
	unsigned int type;
	size_t off = (size_t)-1, len, i;

	if (!dup)
		return off;
	tname = strchr(dup, ':');
	if (!tname)
		goto bad;
	*tname++ = 0;
	val = strchr(tname, ':');
	if (val)
		*val++ = 0;
	if (parse_attr_type(dup, &type))
		goto bad;

	if (!strcmp(tname, "u8") || !strcmp(tname, "u16") || !strcmp(tname, "u32") ||
	    !strcmp(tname, "u64")) {
		unsigned int w = tname[1] == '8' ? 1 : tname[1] == '1' ? 2 : tname[1] == '3' ? 4 : 8;

		if (!val || parse_width(val, w, num))
			goto bad;
		off = mb_attr(m, (uint16_t)type, num, w);
	} else if (!strcmp(tname, "flag")) {
		if (val && *val)
			goto bad;
		off = mb_attr(m, (uint16_t)type, NULL, 0);
	} else if (!strcmp(tname, "str") || !strcmp(tname, "raw")) {
		if (!val)
			goto bad;
		len = strlen(val) + (tname[0] == 's');
		if (len > NLA_PAYLOAD_MAX)
			goto bad;
		off = mb_attr(m, (uint16_t)type, val, len);
	} else if (!strcmp(tname, "hex")) {
		if (!val)
			val = tname + strlen(tname);
		len = strlen(val);
		if (len % 2 || len / 2 > NLA_PAYLOAD_MAX)
			goto bad;
		bin = malloc(len / 2 + 1);
		if (!bin)
			goto bad;
		for (i = 0; i < len / 2; i++) {
			int hi = hexval(val[2 * i]), lo = hexval(val[2 * i + 1]);

			if (hi < 0 || lo < 0)
				goto bad;
			bin[i] = (unsigned char)(hi << 4 | lo);
		}
		off = mb_attr(m, (uint16_t)type, bin, len / 2);
	} else if (!strcmp(tname, "len")) {
		if (!val || parse_num(val, NLA_PAYLOAD_MAX, &n))
			goto bad;
		off = mb_attr(m, (uint16_t)type, NULL, (size_t)n);
	} else if (!strcmp(tname, "open")) {
		/* This process opens PATH: the kernel checks it, not the shell. */
		int fd;

		if (!val || !*val)
			goto bad;
		fd = open(val, O_RDONLY);
		printf("open=%d\n", fd < 0 ? errno : 0);
		if (fd < 0) {
			free(dup);
			return OMITTED;
		}
		off = mb_attr(m, (uint16_t)type, &(uint32_t){ (uint32_t)fd }, 4);
	} else {
		goto bad;
	}
	if (off == (size_t)-1)
		fprintf(stderr, "%s: message too large at '%s'\n", prog, spec);
	free(bin);
	free(dup);
	return off;
bad:
	fprintf(stderr, "%s: bad attribute '%s' (ATTR:TYPE[:VALUE], TYPE u8|u16|u32|u64|"
		"flag|str|raw|hex|len|open)\n", prog, spec);
	free(bin);
	free(dup);
	return (size_t)-1;
}

static void print_attr_value(const struct nlattr *a, enum kind k)
{
	size_t n = mnl_attr_get_payload_len(a);
	const unsigned char *p = mnl_attr_get_payload(a);
	char s[256];
	size_t i;

	switch (k) {
	case K_U8:
		if (n == 1) { printf("%u", p[0]); return; }
		break;
	case K_U16:
		if (n == 2) { printf("%u", mnl_attr_get_u16(a)); return; }
		break;
	case K_U32:
		if (n == 4) { printf("%u", mnl_attr_get_u32(a)); return; }
		break;
	case K_U64:
		if (n == 8) { printf("%llu", (unsigned long long)mnl_attr_get_u64(a)); return; }
		break;
	case K_STR:
		for (i = 0; i < n && p[i] && i + 1 < sizeof(s); i++)
			s[i] = (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '"') ? '?' : (char)p[i];
		s[i] = 0;
		printf("\"%s\"", s);
		return;
	case K_FLAG:
		if (n == 0) { printf("1"); return; }
		break;
	case K_NEST:
		printf("nest:%zu", n);
		return;
	default:
		break;
	}
	printf("len:%zu", n);
}

/* --raw: "raw <hex of the whole message, header included>" */
static void raw_print(const struct nlmsghdr *nlh)
{
	const unsigned char *p = (const void *)nlh;
	uint32_t i;

	printf("raw ");
	for (i = 0; i < nlh->nlmsg_len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

/* --show: "reply type=<nlmsg_type> cmd=<genl cmd> ATTR=VALUE ..." */
static void show_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct opts *o = arg;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	char nb[16];

	if (o->raw)
		raw_print(nlh);
	if (!o->show)
		return;
	printf("reply type=%u", nlh->nlmsg_type);
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
		printf(" short\n");
		return;
	}
	printf(" cmd=%u", g->cmd);
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		unsigned int t = mnl_attr_get_type(a);
		enum kind k = K_BIN;

		if (is_godiag() && t <= GODIAG_A_MAX)
			k = attrs[t].kind;
		printf(" %s=", attr_name(t, nb, sizeof(nb)));
		print_attr_value(a, k);
	}
	printf("\n");
}

/*
 * Build the request of `send` into m before anything is resolved, so bad
 * arguments are reported as such even without the module; the family id
 * is patched in by cmd_send. Returns 0 or -1 (bad usage).
 */
static int send_build(const struct opts *o, int argc, char **argv, struct mb *m)
{
	struct nlmsghdr *nlh;
	size_t off, last = (size_t)-1, a_off;
	unsigned int cmd;
	uint16_t flags;
	int i;

	if (argc < 1 || parse_cmd(argv[0], &cmd)) {
		fprintf(stderr, "%s: send: bad or missing CMD\n", prog);
		return -1;
	}
	if (mb_init(m, SEND_BUF)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	flags = NLM_F_REQUEST | (o->no_ack ? 0 : NLM_F_ACK) | (o->dump ? NLM_F_DUMP : 0);
	if (o->flags >= 0)
		flags = (uint16_t)o->flags;
	off = mb_msg_begin(m, o->type >= 0 ? (uint16_t)o->type : 0, flags, 0,
			   (uint8_t)cmd, (uint8_t)o->genl_version);
	for (i = 1; i < argc; i++) {
		a_off = put_spec(m, argv[i]);
		if (a_off == (size_t)-1)
			return -1;
		if (a_off != OMITTED)
			last = a_off;
	}
	mb_msg_end(m, off);
	nlh = (struct nlmsghdr *)m->p;
	if (o->bad_len) {
		struct nlattr *nla;
		size_t rem;

		if (last == (size_t)-1) {
			fprintf(stderr, "%s: --bad-len needs an attribute\n", prog);
			return -1;
		}
		nla = (struct nlattr *)(m->p + last);
		rem = m->len - last;
		nla->nla_len = (uint16_t)(rem + 4 > 0xffff ? 0xffff : rem + 4);
	}
	if (o->truncate >= 0) {
		if ((size_t)o->truncate > m->len) {
			fprintf(stderr, "%s: --truncate %ld: the message is only %zu bytes\n",
				prog, o->truncate, m->len);
			return -1;
		}
		m->len = (size_t)o->truncate;
		if (m->len >= sizeof(nlh->nlmsg_len))
			nlh->nlmsg_len = (uint32_t)m->len;
	}
	return 0;
}

static int cmd_send(struct nl *nl, const struct opts *o, struct mb *m)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->p;
	struct result res;
	uint32_t seq = ++nl->seq;

	/* The buffer is whole even when fewer bytes are sent. */
	if (o->type < 0)
		nlh->nlmsg_type = nl->family;
	nlh->nlmsg_seq = seq;
	if (fault_arm())
		return 1;
	if (transact(nl, m->p, m->len, seq, seq, timeout_ms, &res,
		     o->show || o->raw ? show_cb : NULL, (void *)o)) {
		fault_disarm();
		return 1;
	}
	fault_disarm();
	if (!res.answered) {
		printf("errno=noreply %smsg=\n", o->dump ? "messages=0 " : "");
		return 3;
	}
	if (o->show && (res.has_offs || res.has_miss)) {
		char nb[16];

		printf("extack");
		if (res.has_offs)
			printf(" offs=%u", res.offs);
		if (res.has_miss)
			printf(" miss=%s", attr_name(res.miss, nb, sizeof(nb)));
		printf("\n");
	}
	if (o->dump)
		printf("errno=%d messages=%u msg=%s\n", res.err, res.messages, res.msg);
	else
		printf("errno=%d msg=%s\n", res.err, res.msg);
	return 0;
}

/* ------------------------------------------------------------------ */
/* session-new                                                         */
/* ------------------------------------------------------------------ */

struct sid {
	uint32_t id;
	bool have;
};

static void sid_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct sid *s = arg;
	const struct nlattr *a;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == GODIAG_A_SESSION_ID &&
		    mnl_attr_get_payload_len(a) == 4) {
			s->id = mnl_attr_get_u32(a);
			s->have = true;
		}
}

static int cmd_session_new(struct nl *nl, const struct opts *o)
{
	struct mb m;
	struct result res;
	struct sid sid = { 0, false };
	uint32_t seq = ++nl->seq;
	size_t off;

	if (mb_init(&m, 4096))
		return 1;
	off = mb_msg_begin(&m, nl->family, NLM_F_REQUEST | NLM_F_ACK, seq,
			   GODIAG_CMD_SESSION_NEW, GODIAG_GENL_VERSION);
	if (o->buffer >= 0) {
		uint32_t v = (uint32_t)o->buffer;

		mb_attr(&m, GODIAG_A_BUFFER_SIZE, &v, sizeof(v));
	}
	if (o->mode >= 0) {
		uint8_t v = (uint8_t)o->mode;

		mb_attr(&m, GODIAG_A_MODE, &v, sizeof(v));
	}
	if (o->owned)
		mb_attr(&m, GODIAG_A_OWNED, NULL, 0);
	mb_msg_end(&m, off);
	if (fault_arm()) {
		free(m.p);
		return 1;
	}
	if (transact(nl, m.p, m.len, seq, seq, timeout_ms, &res, sid_cb, &sid)) {
		fault_disarm();
		free(m.p);
		return 1;
	}
	fault_disarm();
	free(m.p);
	if (!res.answered) {
		printf("errno=noreply msg=\n");
		return 3;
	}
	if (res.err || !sid.have) {
		printf("errno=%d msg=%s\n", res.err ? res.err : EBADMSG,
		       res.err ? res.msg : "no session id in the reply");
		return 3;
	}
	printf("session=%u\n", sid.id);
	fflush(stdout);
	if (o->hold) {
		/* Keep the socket (and so an owned session) until told to go. */
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGHUP);
		sigaddset(&set, SIGUSR1);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		sigwait(&set, &sig);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* fuzz                                                                */
/* ------------------------------------------------------------------ */

#define FUZZ_LIVE_MAX	4	/* sessions a fuzz thread keeps alive */
#define FUZZ_MSG_MAX	(4 * 70 * 1024)

struct fuzz {
	pthread_t thread;
	unsigned int index;
	unsigned long count;
	uint64_t rng;
	struct nl nl;
	struct mb m;
	unsigned long sent, answered, senderr, toolarge, reopened, sweeps, probes;
	uint32_t live[FUZZ_LIVE_MAX + 8];
	unsigned int nlive;
	uint32_t *created;
	size_t ncreated, capcreated;
	uint32_t sn_lo, sn_hi;	/* seqs of session-new requests in flight */
	bool sn_mask[8];
	int fail;
};

static uint16_t fuzz_family;
static pid_t fuzz_pid;
static long fuzz_target = -1;		/* --target: a process to add and probe */
static const char *fuzz_probe_file;	/* --probe-file: a file to probe */
static uint64_t fuzz_probe_size;

static uint64_t rnd(struct fuzz *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rn(struct fuzz *f, uint32_t n)
{
	return n ? (uint32_t)(rnd(f) % n) : 0;
}

static bool chance(struct fuzz *f, unsigned int percent)
{
	return rn(f, 100) < percent;
}

static uint32_t some_session(struct fuzz *f)
{
	if (f->nlive && chance(f, 70))
		return f->live[rn(f, f->nlive)];
	return rn(f, 6);
}

/* Note a session-new request so that its reply's id is tracked. */
static void fuzz_note_new(struct fuzz *f, uint32_t seq)
{
	if (seq - f->sn_lo < 8)
		f->sn_mask[seq - f->sn_lo] = true;
}

static uint64_t interesting(struct fuzz *f)
{
	switch (rn(f, 20)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return rn(f, 6);
	case 3: case 4: return some_session(f);
	case 5: return (uint64_t)fuzz_pid;
	case 6: return (uint64_t)syscall(SYS_gettid);
	case 7: return GODIAG_BUFFER_MIN;
	case 8: return GODIAG_BUFFER_MIN - 1;
	case 9: return GODIAG_BUFFER_MIN * 2;
	case 10: return 1U << 20;
	case 11: return (uint64_t)GODIAG_BUFFER_MAX + 1;
	case 12: return 0xffffffffULL;
	case 13: return 0x7fffffffULL;
	case 14: return 0x80000000ULL;
	case 15: return 1ULL << rn(f, 64);
	case 16: return ~0ULL;
	case 17: return GODIAG_MODE_MAX + rn(f, 3);
	case 18: return 4194304 + rn(f, 3);	/* around PID_MAX_LIMIT */
	default: return rnd(f);
	}
}

/*
 * A buffer size the module may accept must stay small: keep it <= 1 MiB,
 * and mostly <= 64 KiB (every session allocates and zeroes one per CPU,
 * which costs under emulation with KASAN).
 */
static uint64_t tame(uint16_t type, uint64_t v)
{
	if ((type & NLA_TYPE_MASK) == GODIAG_A_BUFFER_SIZE && v > (64U << 10) &&
	    v <= GODIAG_BUFFER_MAX && !(v & (v - 1)))
		return v > (1U << 20) ? 1U << 20 : 64U << 10;
	return v;
}

static void fuzz_payload(struct fuzz *f, uint16_t type, enum kind k, int depth);

static void fuzz_attr(struct fuzz *f, int depth)
{
	uint16_t type;
	enum kind k;

	switch (rn(f, 20)) {
	case 0: type = (uint16_t)rn(f, 0x10000); break;
	case 1: type = (uint16_t)(GODIAG_A_MAX + 1 + rn(f, 8)); break;
	case 2: type = (uint16_t)(rn(f, GODIAG_A_MAX + 1) | NLA_F_NET_BYTEORDER); break;
	default: type = (uint16_t)rn(f, GODIAG_A_MAX + 1); break;
	}
	k = (type & NLA_TYPE_MASK) <= GODIAG_A_MAX ? attrs[type & NLA_TYPE_MASK].kind : K_BIN;
	if (chance(f, 35) || k == K_NONE)
		k = (enum kind)(1 + rn(f, K_NEST));
	if (depth >= 3 && k == K_NEST)
		k = K_BIN;
	fuzz_payload(f, type, k, depth);
}

static void fuzz_payload(struct fuzz *f, uint16_t type, enum kind k, int depth)
{
	unsigned char b[320];
	uint64_t v = tame(type, interesting(f));
	size_t n, i, nest;

	switch (k) {
	case K_U8: { uint8_t x = (uint8_t)v; mb_attr(&f->m, type, &x, 1); break; }
	case K_U16: { uint16_t x = (uint16_t)v; mb_attr(&f->m, type, &x, 2); break; }
	case K_U32: { uint32_t x = (uint32_t)v; mb_attr(&f->m, type, &x, 4); break; }
	case K_U64: mb_attr(&f->m, type, &v, 8); break;
	case K_FLAG: mb_attr(&f->m, type, NULL, chance(f, 80) ? 0 : rn(f, 9)); break;
	case K_STR:
		n = rn(f, 48);
		for (i = 0; i < n; i++)
			b[i] = (unsigned char)(chance(f, 95) ? 0x20 + rn(f, 95) : rn(f, 256));
		if (chance(f, 75))
			b[n++] = 0;
		mb_attr(&f->m, type, b, n);
		break;
	case K_NEST:
		nest = mb_nest_begin(&f->m, (uint16_t)(type & ~NLA_F_NESTED));
		if (chance(f, 30)) {
			n = rn(f, 64);
			for (i = 0; i < n; i++)
				b[i] = (unsigned char)rnd(f);
			mb_put(&f->m, b, n);
		} else {
			for (i = rn(f, 5); i > 0; i--)
				fuzz_attr(f, depth + 1);
		}
		mb_nest_end(&f->m, nest);
		break;
	default:
		switch (rn(f, 6)) {
		case 0: n = GODIAG_SYSCALL_MASK_BYTES; break;
		case 1: n = GODIAG_SYSCALL_MASK_BYTES + rn(f, 3) - 1; break;
		case 2: n = GODIAG_HIST_BUCKETS * 8; break;
		default: n = rn(f, 140); break;
		}
		if (chance(f, 30))
			memset(b, chance(f, 50) ? 0xff : 0, n);
		else
			for (i = 0; i < n; i++)
				b[i] = (unsigned char)rnd(f);
		mb_attr(&f->m, type, b, n);
		break;
	}
}

/* One generic-netlink message with random command and attributes. */
static size_t fuzz_message(struct fuzz *f, uint32_t seq, uint16_t type, size_t *attr_offs,
			   unsigned int *nattrs)
{
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	unsigned int cmd, n, i;
	size_t off, dup_from, dup_len;

	switch (rn(f, 10)) {
	case 0: case 1: case 2: case 3: case 4:
		cmd = 1 + rn(f, GODIAG_CMD_MAX);
		break;
	case 5:
		cmd = GODIAG_CMD_SESSION_NEW;
		break;
	default:
		cmd = rn(f, 41);
		break;
	}
	if (chance(f, 20))
		flags |= NLM_F_DUMP;
	if (chance(f, 10))
		flags &= (uint16_t)~NLM_F_ACK;
	if (chance(f, 5))
		flags = (uint16_t)rnd(f);
	off = mb_msg_begin(&f->m, type, flags, seq, (uint8_t)cmd,
			   chance(f, 85) ? GODIAG_GENL_VERSION : (uint8_t)rnd(f));
	if (chance(f, 5))
		((struct genlmsghdr *)(f->m.p + off + NLMSG_HDRLEN))->reserved = (uint16_t)rnd(f);
	if (cmd == GODIAG_CMD_SESSION_NEW && type == fuzz_family)
		fuzz_note_new(f, seq);

	n = rn(f, 9);
	if (nattrs)
		*nattrs = 0;
	/* Most new sessions small, not the 1 MiB per CPU default (see tame()). */
	if (cmd == GODIAG_CMD_SESSION_NEW && chance(f, 75)) {
		uint32_t sz = GODIAG_BUFFER_MIN << rn(f, 3);

		mb_attr(&f->m, GODIAG_A_BUFFER_SIZE, &sz, 4);
	}
	for (i = 0; i < n; i++) {
		size_t a = f->m.len;

		if (!mb_room(&f->m, 2048))
			break;
		if (chance(f, 60) && cmd != GODIAG_CMD_SESSION_NEW) {
			uint32_t id = some_session(f);

			mb_attr(&f->m, GODIAG_A_SESSION_ID, &id, 4);
		} else {
			fuzz_attr(f, 0);
		}
		if (attr_offs && *nattrs < 16)
			attr_offs[(*nattrs)++] = a;
		/* duplicates */
		if (chance(f, 15) && mb_room(&f->m, f->m.len - a + 16)) {
			dup_from = a;
			dup_len = f->m.len - a;
			memmove(f->m.p + f->m.len, f->m.p + dup_from, dup_len);
			f->m.len += dup_len;
		}
	}
	mb_msg_end(&f->m, off);
	return off;
}

/*
 * Requests that may well succeed and reach deep into the module: a
 * session with goroutine events, the --target process added to it, and
 * probes on --probe-file at random offsets (most land in the middle of an
 * instruction or outside the text: the target never runs them, it waits
 * for a signal that does not come and is SIGKILLed in the end) with
 * valid Go layouts; probe and target removals, starts and stops.
 */
static void fuzz_plausible_probe(struct fuzz *f, uint32_t seq)
{
	uint32_t sid = some_session(f), pid, v;
	struct godiag_go_layout l;
	unsigned int cmd, k = rn(f, 20);
	uint8_t r;
	uint64_t o;
	size_t off;

	if (k < 2)
		cmd = GODIAG_CMD_SESSION_NEW;
	else if (k < 6)
		cmd = GODIAG_CMD_TARGET_ADD;
	else if (k < 7)
		cmd = GODIAG_CMD_TARGET_DEL;
	else if (k < 9)
		cmd = GODIAG_CMD_PROBE_DEL;
	else if (k < 10)
		cmd = chance(f, 50) ? GODIAG_CMD_SESSION_START : GODIAG_CMD_SESSION_STOP;
	else if (k < 11)
		cmd = GODIAG_CMD_PROBE_GET;
	else
		cmd = GODIAG_CMD_PROBE_ADD;
	off = mb_msg_begin(&f->m, fuzz_family,
			   NLM_F_REQUEST | NLM_F_ACK |
			   (cmd == GODIAG_CMD_PROBE_GET ? NLM_F_DUMP : 0),
			   seq, (uint8_t)cmd, GODIAG_GENL_VERSION);
	if (cmd == GODIAG_CMD_SESSION_NEW) {
		v = GODIAG_EV_GOROUTINE | (chance(f, 50) ? GODIAG_EV_SYSCALL : 0);
		mb_attr(&f->m, GODIAG_A_EVENTS, &v, 4);
		v = GODIAG_BUFFER_MIN << rn(f, 3);
		mb_attr(&f->m, GODIAG_A_BUFFER_SIZE, &v, 4);
		if (chance(f, 50))
			mb_attr(&f->m, GODIAG_A_OWNED, NULL, 0);
		fuzz_note_new(f, seq);
		mb_msg_end(&f->m, off);
		return;
	}
	if (cmd != GODIAG_CMD_PROBE_GET || chance(f, 50))
		mb_attr(&f->m, GODIAG_A_SESSION_ID, &sid, 4);
	pid = fuzz_target > 0 && chance(f, 90) ? (uint32_t)fuzz_target : (uint32_t)interesting(f);
	switch (cmd) {
	case GODIAG_CMD_TARGET_ADD:
	case GODIAG_CMD_TARGET_DEL:
		mb_attr(&f->m, GODIAG_A_PID, &pid, 4);
		if (chance(f, 20)) {
			v = GODIAG_TF_FOLLOW_CHILDREN;
			mb_attr(&f->m, GODIAG_A_TARGET_FLAGS, &v, 4);
		}
		break;
	case GODIAG_CMD_PROBE_DEL:
		v = 1 + rn(f, 12);
		mb_attr(&f->m, GODIAG_A_PROBE_ID, &v, 4);
		break;
	case GODIAG_CMD_PROBE_ADD:
		mb_attr(&f->m, GODIAG_A_PID, &pid, 4);
		v = chance(f, 95) ? 1 + rn(f, GODIAG_PROBE_MAX) : rn(f, 8);
		mb_attr(&f->m, GODIAG_A_PROBE_KIND, &v, 4);
		/*
		 * Only ever the --probe-file (or --target's executable, the
		 * same file): a random offset in a file some other process
		 * runs (PID 1's, nlraw's own) would break that process.
		 */
		if (fuzz_target > 0 && chance(f, 10)) {
			char path[64];

			snprintf(path, sizeof(path), "/proc/%ld/exe", fuzz_target);
			mb_attr(&f->m, GODIAG_A_PROBE_PATH, path, strlen(path) + 1);
		} else {
			const char *path = fuzz_probe_file ? fuzz_probe_file : "/nonexistent";

			mb_attr(&f->m, GODIAG_A_PROBE_PATH, path, strlen(path) + 1);
		}
		switch (rn(f, 6)) {
		case 0: o = interesting(f); break;
		case 1: o = fuzz_probe_size; break;
		case 2: o = rn(f, 4096); break;
		default: o = fuzz_probe_size ? rnd(f) % fuzz_probe_size : rn(f, 1 << 20); break;
		}
		mb_attr(&f->m, GODIAG_A_PROBE_OFFSET, &o, 8);
		/*
		 * The function's entry: mostly the offset itself (any offset is
		 * an instruction start when decoding starts there, so the probe
		 * gets as far as the uprobe), or a little before it, or none.
		 */
		v = rn(f, 8);
		if (v == 0)
			o = interesting(f);
		else if (v < 3)
			o -= rn(f, 64);
		if (!chance(f, 5))
			mb_attr(&f->m, GODIAG_A_PROBE_FUNC_OFFSET, &o, 8);
		r = (uint8_t)(chance(f, 95) ? rn(f, 16) : rn(f, 256));
		if (chance(f, 90))
			mb_attr(&f->m, GODIAG_A_PROBE_ARG_REG, &r, 1);
		r = (uint8_t)rn(f, 16);
		if (chance(f, 70))
			mb_attr(&f->m, GODIAG_A_PROBE_G_REG, &r, 1);
		r = (uint8_t)(chance(f, 90) ? rn(f, 16) : rn(f, 256));
		if (chance(f, 50))
			mb_attr(&f->m, GODIAG_A_PROBE_JCC, &r, 1);
		memset(&l, 0, sizeof(l));
		l.g_goid = (uint16_t)(chance(f, 95) ? 8 * (1 + rn(f, 40)) : rn(f, 0x10000));
		l.g_parent_goid = (uint16_t)(chance(f, 50) ? 8 * rn(f, 40) : 0);
		l.g_gopc = (uint16_t)(8 * rn(f, 40));
		l.g_startpc = (uint16_t)(8 * rn(f, 40));
		if (chance(f, 3))
			l.reserved[rn(f, 4)] = (uint16_t)rnd(f);
		mb_attr(&f->m, GODIAG_A_GO_LAYOUT, &l, sizeof(l));
		break;
	default:
		break;
	}
	mb_msg_end(&f->m, off);
}

/* Nests inside nests, up to 64 deep, garbage at the bottom. */
static void fuzz_deep_nest(struct fuzz *f, uint32_t seq)
{
	size_t nests[64], off;
	unsigned int depth = 4 + rn(f, 61), i;
	unsigned char b[64];

	off = mb_msg_begin(&f->m, fuzz_family, NLM_F_REQUEST | NLM_F_ACK, seq,
			   (uint8_t)(1 + rn(f, GODIAG_CMD_MAX)), GODIAG_GENL_VERSION);
	if (chance(f, 50)) {
		uint32_t id = some_session(f);

		mb_attr(&f->m, GODIAG_A_SESSION_ID, &id, 4);
	}
	for (i = 0; i < depth; i++) {
		uint16_t type = (uint16_t)(chance(f, 50) ? GODIAG_A_CPU : rn(f, GODIAG_A_MAX + 2));

		nests[i] = mb_attr(&f->m, (uint16_t)(type | (chance(f, 80) ? NLA_F_NESTED : 0)),
				   NULL, 0);
	}
	for (i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)rnd(f);
	if (chance(f, 50))
		fuzz_attr(f, 3);
	else
		mb_put(&f->m, b, rn(f, sizeof(b)));
	while (depth-- > 0) {
		mb_nest_end(&f->m, nests[depth]);
		if (chance(f, 5) && nests[depth] != (size_t)-1)	/* a nest that lies */
			((struct nlattr *)(f->m.p + nests[depth]))->nla_len += (uint16_t)(4 + rn(f, 64));
	}
	mb_msg_end(&f->m, off);
}

/* Thousands of small attributes in one message (up to ~250 KiB). */
static void fuzz_many_attrs(struct fuzz *f, uint32_t seq)
{
	unsigned int n = 500 + rn(f, 30000), i;
	uint16_t type = (uint16_t)rn(f, GODIAG_A_MAX + 1);
	size_t off;

	off = mb_msg_begin(&f->m, fuzz_family, NLM_F_REQUEST | NLM_F_ACK |
			   (chance(f, 20) ? NLM_F_DUMP : 0), seq,
			   (uint8_t)(1 + rn(f, GODIAG_CMD_MAX)), GODIAG_GENL_VERSION);
	for (i = 0; i < n && mb_room(&f->m, 64); i++) {
		uint32_t v = (uint32_t)interesting(f);

		if (chance(f, 10))
			type = (uint16_t)rn(f, GODIAG_A_MAX + 1);
		if (chance(f, 80))
			mb_attr(&f->m, chance(f, 50) ? GODIAG_A_SESSION_ID : type, &v, 4);
		else
			mb_attr(&f->m, type, NULL, rn(f, 9));
	}
	mb_msg_end(&f->m, off);
}

/* One message of big attributes filling up to FUZZ_MSG_MAX bytes. */
static void fuzz_giant(struct fuzz *f, uint32_t seq)
{
	size_t want = 64 * 1024 + rn(f, FUZZ_MSG_MAX - 68 * 1024), off, a;

	off = mb_msg_begin(&f->m, fuzz_family, NLM_F_REQUEST | NLM_F_ACK, seq,
			   (uint8_t)(1 + rn(f, GODIAG_CMD_MAX)), GODIAG_GENL_VERSION);
	while (f->m.len < want && mb_room(&f->m, NLA_HDRLEN + 4)) {
		size_t len = rn(f, NLA_PAYLOAD_MAX + 1);

		if (!mb_room(&f->m, NLA_HDRLEN + NLA_ALIGN(len)))
			len = f->m.cap - f->m.len - NLA_HDRLEN - 4;
		a = mb_attr(&f->m, (uint16_t)rn(f, GODIAG_A_MAX + 2), NULL, len);
		if (a == (size_t)-1)
			break;
		if (chance(f, 30))
			memset(f->m.p + a + NLA_HDRLEN, (int)rnd(f), len);
	}
	mb_msg_end(&f->m, off);
}

struct id_list {
	uint32_t id[GODIAG_SESSIONS_MAX * 4];
	unsigned int n;
};

static void id_list_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct id_list *l = arg;
	struct sid sid = { 0, false };

	sid_cb(nlh, &sid);
	if (sid.have && l->n < sizeof(l->id) / sizeof(l->id[0]))
		l->id[l->n++] = sid.id;
}

static void del_session(struct nl *nl, uint32_t id);

/* The session limit was hit: delete whatever a dump lists. */
static void fuzz_sweep(struct fuzz *f)
{
	unsigned char buf[64];
	struct mb m = { buf, 0, sizeof(buf) };
	struct id_list l = { .n = 0 };
	struct result res;
	uint32_t seq = ++f->nl.seq;
	unsigned int i;
	size_t off;

	f->sweeps++;
	off = mb_msg_begin(&m, fuzz_family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, seq,
			   GODIAG_CMD_SESSION_GET, GODIAG_GENL_VERSION);
	mb_msg_end(&m, off);
	if (transact(&f->nl, m.p, m.len, seq, seq, 500, &res, id_list_cb, &l))
		return;
	for (i = 0; i < l.n; i++)
		del_session(&f->nl, l.id[i]);
	f->nlive = 0;
}

/*
 * Ask for a dump and close the socket before reading it: the dump state
 * and the socket's owned sessions go with it. Then a fresh socket.
 */
static void fuzz_reopen(struct fuzz *f, uint32_t seq)
{
	static const uint8_t dumps[] = {
		GODIAG_CMD_SESSION_GET, GODIAG_CMD_TARGET_GET, GODIAG_CMD_STATS_GET,
		GODIAG_CMD_HIST_GET, GODIAG_CMD_PROBE_GET,
	};
	size_t off;
	uint32_t keep_seq = f->nl.seq;

	off = mb_msg_begin(&f->m, fuzz_family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, seq,
			   dumps[rn(f, sizeof(dumps))], GODIAG_GENL_VERSION);
	mb_msg_end(&f->m, off);
	if (nl_send(&f->nl, f->m.p, f->m.len) < 0)
		f->senderr++;
	else
		f->sent++;
	nl_close(&f->nl);
	if (nl_open(&f->nl)) {
		f->fail = 1;
		return;
	}
	f->nl.family = fuzz_family;
	f->nl.seq = keep_seq;
	f->reopened++;
	f->nlive = 0;	/* owned ones are gone; the rest will be swept */
}

static void fuzz_track(const struct nlmsghdr *nlh, void *arg)
{
	struct fuzz *f = arg;
	struct sid sid = { 0, false };
	uint32_t *nc;

	/* A PROBE_ADD reply: a uprobe was placed. */
	if (nlh->nlmsg_type == fuzz_family && mnl_nlmsg_get_payload_len(nlh) >= GENL_HDRLEN &&
	    ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd == GODIAG_CMD_PROBE_ADD)
		f->probes++;
	if (nlh->nlmsg_type != fuzz_family || nlh->nlmsg_seq < f->sn_lo ||
	    nlh->nlmsg_seq - f->sn_lo >= 8 || !f->sn_mask[nlh->nlmsg_seq - f->sn_lo])
		return;
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return;
	sid_cb(nlh, &sid);
	if (!sid.have)
		return;
	if (f->ncreated == f->capcreated) {
		f->capcreated = f->capcreated ? 2 * f->capcreated : 64;
		nc = realloc(f->created, f->capcreated * sizeof(*nc));
		if (!nc) {
			f->fail = 1;
			return;
		}
		f->created = nc;
	}
	f->created[f->ncreated++] = sid.id;
	if (f->nlive < sizeof(f->live) / sizeof(f->live[0]))
		f->live[f->nlive++] = sid.id;
}

static void del_session(struct nl *nl, uint32_t id)
{
	unsigned char buf[64];
	struct mb m = { buf, 0, sizeof(buf) };
	struct result res;
	uint32_t seq = ++nl->seq;
	size_t off;

	off = mb_msg_begin(&m, nl->family, NLM_F_REQUEST | NLM_F_ACK, seq,
			   GODIAG_CMD_SESSION_DEL, GODIAG_GENL_VERSION);
	mb_attr(&m, GODIAG_A_SESSION_ID, &id, sizeof(id));
	mb_msg_end(&m, off);
	transact(nl, m.p, m.len, seq, seq, 200, &res, NULL, NULL);
}

static void fuzz_one(struct fuzz *f)
{
	size_t attr_offs[16];
	unsigned int nattrs = 0, k, i;
	uint32_t lo = f->nl.seq + 1, seq;
	struct nlmsghdr *nlh;
	struct result res;
	struct nlattr *nla;
	size_t send_len;
	ssize_t n;

	f->m.len = 0;
	f->sn_lo = lo;
	memset(f->sn_mask, 0, sizeof(f->sn_mask));
	k = rn(f, 100);
	seq = ++f->nl.seq;
	if (k < 47) {			/* plausible */
		fuzz_message(f, seq, fuzz_family, NULL, NULL);
	} else if (k < 55) {		/* plausible targets and probes */
		fuzz_plausible_probe(f, seq);
	} else if (k < 57) {		/* deep nests */
		fuzz_deep_nest(f, seq);
	} else if (k < 59) {		/* extreme counts: thousands of attributes */
		fuzz_many_attrs(f, seq);
	} else if (k < 60) {		/* extreme size: up to FUZZ_MSG_MAX */
		fuzz_giant(f, seq);
	} else if (k < 61) {		/* extreme counts: up to 128 messages in one datagram */
		for (i = 16 + rn(f, 113); i > 0 && mb_room(&f->m, 8192); i--) {
			fuzz_message(f, seq, fuzz_family, NULL, NULL);
			if (i > 1)
				seq = ++f->nl.seq;
		}
	} else if (k < 62) {		/* any command number at all */
		fuzz_message(f, seq, fuzz_family, NULL, NULL);
		((struct genlmsghdr *)(f->m.p + NLMSG_HDRLEN))->cmd = (uint8_t)rnd(f);
	} else if (k == 62 && chance(f, 20)) {	/* a dump abandoned with its socket */
		fuzz_reopen(f, seq);
		return;
	} else if (k < 66) {		/* truncated headers */
		fuzz_message(f, seq, fuzz_family, NULL, NULL);
		f->m.len = 1 + rn(f, NLMSG_HDRLEN + GENL_HDRLEN - 1);	/* 0 is refused */
		if (f->m.len >= 4 && chance(f, 70))
			((struct nlmsghdr *)f->m.p)->nlmsg_len = (uint32_t)f->m.len;
	} else if (k < 71) {		/* nlmsg_len lies */
		fuzz_message(f, seq, fuzz_family, NULL, NULL);
		nlh = (struct nlmsghdr *)f->m.p;
		nlh->nlmsg_len = chance(f, 50) ? rn(f, (uint32_t)f->m.len + 64) : (uint32_t)rnd(f);
		if (chance(f, 50))
			f->m.len = 1 + rn(f, (uint32_t)f->m.len);
	} else if (k < 79) {		/* attribute lengths lie */
		fuzz_message(f, seq, fuzz_family, attr_offs, &nattrs);
		if (nattrs) {
			size_t a = attr_offs[rn(f, nattrs)];

			nla = (struct nlattr *)(f->m.p + a);
			switch (rn(f, 4)) {
			case 0: nla->nla_len = (uint16_t)rn(f, 4); break;
			case 1: nla->nla_len = (uint16_t)(f->m.len - a + 1 + rn(f, 64)); break;
			case 2: nla->nla_len = (uint16_t)(nla->nla_len + 1 + rn(f, 3)); break;
			default: nla->nla_len = (uint16_t)rnd(f); break;
			}
		}
	} else if (k < 87) {		/* oversize attribute, up to 64 KiB */
		size_t off = fuzz_message(f, seq, fuzz_family, NULL, NULL);
		size_t len = 1024 + rn(f, NLA_PAYLOAD_MAX - 1024 + 1);
		uint16_t type = (uint16_t)(chance(f, 80) ? rn(f, GODIAG_A_MAX + 2) : rnd(f));
		size_t a = mb_attr(&f->m, type, NULL, len);

		if (a != (size_t)-1 && chance(f, 50))
			memset(f->m.p + a + NLA_HDRLEN, (int)rnd(f), len);
		mb_msg_end(&f->m, off);
	} else if (k < 93) {		/* duplicated attributes */
		size_t off = fuzz_message(f, seq, fuzz_family, attr_offs, &nattrs);

		for (i = 0; i < nattrs && mb_room(&f->m, 4096); i++) {
			nla = (struct nlattr *)(f->m.p + attr_offs[i]);
			if (nla->nla_len >= NLA_HDRLEN && nla->nla_len <= 2048)
				mb_put(&f->m, nla, nla->nla_len);
		}
		mb_msg_end(&f->m, off);
	} else if (k < 97) {		/* several messages in one datagram */
		for (i = rn(f, 3) + 2; i > 0; i--) {
			fuzz_message(f, seq, fuzz_family, NULL, NULL);
			if (i > 1)
				seq = ++f->nl.seq;
		}
	} else {			/* netlink control types or nlctrl */
		fuzz_message(f, seq, (uint16_t)rn(f, GENL_ID_CTRL + 1), NULL, NULL);
	}
	send_len = f->m.len;

	if (nl_send(&f->nl, f->m.p, send_len) < 0) {
		/* More than the socket's send buffer: refused before netlink looks. */
		if (errno == EMSGSIZE && send_len > 64 * 1024) {
			f->toolarge++;
			f->sent++;
		} else {
			f->senderr++;
		}
		return;
	}
	f->sent++;
	memset(&res, 0, sizeof(res));
	for (;;) {
		n = nl_recv(&f->nl, 0);
		if (n <= 0)
			break;
		handle_datagram(&f->nl, (size_t)n, lo, seq, &res, fuzz_track, f);
		res.done = false;
	}
	if (res.answered)
		f->answered++;
	if (res.err == ENOSPC && chance(f, 30))
		fuzz_sweep(f);
	/* Bound what stays alive: delete the oldest beyond FUZZ_LIVE_MAX. */
	while (f->nlive > FUZZ_LIVE_MAX) {
		del_session(&f->nl, f->live[0]);
		memmove(f->live, f->live + 1, --f->nlive * sizeof(f->live[0]));
	}
	/* Forget live sessions the fuzz may have deleted itself, now and then. */
	if (f->nlive && chance(f, 2)) {
		del_session(&f->nl, f->live[0]);
		memmove(f->live, f->live + 1, --f->nlive * sizeof(f->live[0]));
	}
}

static void *fuzz_thread(void *arg)
{
	struct fuzz *f = arg;
	unsigned long i;

	for (i = 0; i < f->count && !f->fail; i++)
		fuzz_one(f);
	return NULL;
}

static void sweep_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct sid sid = { 0, false };
	struct fuzz *f = arg;

	sid_cb(nlh, &sid);
	if (sid.have && f->nlive < FUZZ_LIVE_MAX)
		f->live[f->nlive++] = sid.id;
}

/* Delete every session: the tracked ones, ids 1..64 and whatever a dump lists. */
static int fuzz_cleanup(struct fuzz *fz, unsigned long threads)
{
	struct fuzz sweep;
	struct result res;
	unsigned char buf[64];
	struct mb m = { buf, 0, sizeof(buf) };
	unsigned long t;
	uint32_t id, seq;
	size_t i, off;
	int round;

	memset(&sweep, 0, sizeof(sweep));
	if (nl_open(&sweep.nl))
		return -1;
	sweep.nl.family = fuzz_family;
	for (t = 0; t < threads; t++)
		for (i = 0; i < fz[t].ncreated; i++)
			del_session(&sweep.nl, fz[t].created[i]);
	for (id = 1; id <= 64; id++)
		del_session(&sweep.nl, id);
	for (round = 0; round < 8; round++) {
		sweep.nlive = 0;
		m.len = 0;
		seq = ++sweep.nl.seq;
		off = mb_msg_begin(&m, fuzz_family, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, seq,
				   GODIAG_CMD_SESSION_GET, GODIAG_GENL_VERSION);
		mb_msg_end(&m, off);
		if (transact(&sweep.nl, m.p, m.len, seq, seq, 1000, &res, sweep_cb, &sweep))
			break;
		if (!sweep.nlive)
			break;
		for (i = 0; i < sweep.nlive; i++)
			del_session(&sweep.nl, sweep.live[i]);
	}
	nl_close(&sweep.nl);
	return 0;
}

static int cmd_fuzz(const struct opts *o, uint16_t family)
{
	unsigned long t, threads = o->threads, ready = 0;
	unsigned long sent = 0, answered = 0, senderr = 0, toolarge = 0, reopened = 0, sweeps = 0;
	unsigned long probes = 0;
	bool *started;
	struct fuzz *fz;
	int ret = 0;

	fuzz_family = family;
	fuzz_pid = getpid();
	fuzz_target = o->target;
	fuzz_probe_file = o->probe_file;
	if (fuzz_probe_file) {
		struct stat st;

		if (stat(fuzz_probe_file, &st)) {
			fprintf(stderr, "%s: fuzz: %s: %s\n", prog, fuzz_probe_file,
				strerror(errno));
			return 1;
		}
		fuzz_probe_size = (uint64_t)st.st_size;
	}
	fz = calloc(threads, sizeof(*fz));
	started = calloc(threads, sizeof(*started));
	if (!fz || !started) {
		free(fz);
		free(started);
		return 1;
	}
	for (t = 0; t < threads; t++, ready++) {
		struct fuzz *f = &fz[t];

		f->index = (unsigned int)t;
		f->count = o->count / threads + (t < o->count % threads);
		f->rng = o->seed ^ (0x5851f42d4c957f2dULL * (t + 1));
		if (mb_init(&f->m, FUZZ_MSG_MAX) || nl_open(&f->nl)) {
			free(f->m.p);
			ret = 1;
			break;
		}
		f->nl.family = family;
		f->nl.seq = (uint32_t)t << 24;
	}
	if (!ret) {
		for (t = 0; t < threads; t++)
			started[t] = !pthread_create(&fz[t].thread, NULL, fuzz_thread, &fz[t]);
		for (t = 0; t < threads; t++) {
			if (started[t])
				pthread_join(fz[t].thread, NULL);
			else
				fuzz_thread(&fz[t]);	/* run its share here */
		}
	}
	for (t = 0; t < ready; t++) {
		sent += fz[t].sent;
		answered += fz[t].answered;
		senderr += fz[t].senderr;
		toolarge += fz[t].toolarge;
		reopened += fz[t].reopened;
		sweeps += fz[t].sweeps;
		probes += fz[t].probes;
		if (fz[t].fail)
			ret = 1;
		nl_close(&fz[t].nl);	/* owned sessions go away here */
		free(fz[t].m.p);
	}
	if (fuzz_cleanup(fz, ready))
		ret = 1;
	for (t = 0; t < ready; t++)
		free(fz[t].created);
	free(fz);
	free(started);
	if (senderr)
		fprintf(stderr, "%s: fuzz: %lu sends failed\n", prog, senderr);
	fprintf(stderr, "%s: fuzz: %lu datagrams refused as larger than the socket buffer, "
		"%lu sockets closed mid-dump, %lu sweeps at the session limit, "
		"%lu probes placed\n", prog, toolarge, reopened, sweeps, probes);
	if (ret)
		return ret;
	printf("sent=%lu answered=%lu\n", sent, answered);
	return 0;
}

/* ------------------------------------------------------------------ */
/* join                                                                */
/* ------------------------------------------------------------------ */

/* Join the family's multicast group; "errno=<n>" (0: joined). */
static int cmd_join(struct nl *nl)
{
	unsigned int id;

	if (group_id < 0) {
		fprintf(stderr, "%s: family \"%s\" has no multicast group \"%s\"\n", prog,
			family_name, group_name);
		return 1;
	}
	id = (unsigned int)group_id;
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &id, sizeof(id)) < 0)
		printf("errno=%d\n", errno);
	else
		printf("errno=0\n");
	return 0;
}

/* ------------------------------------------------------------------ */
/* main                                                                */
/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s [GLOBAL] send [--dump] [--truncate N] [--bad-len] [--show] [--raw] [--no-ack]\n"
"                        [--flags N] [--type N] [--genl-version N]\n"
"                        CMD [ATTR:TYPE[:VALUE] ...]\n"
"       %s [GLOBAL] session-new [--buffer N] [--mode discard|overwrite|N] [--owned]\n"
"                        [--hold]\n"
"       %s [GLOBAL] fuzz --count N --seed S [--threads T] [--target PID]\n"
"                        [--probe-file PATH]\n"
"       %s [GLOBAL] join [--group NAME]\n"
"\n"
"A raw generic netlink client for negative tests of the \"godiag\" family.\n"
"Options may appear anywhere before \"--\".\n"
"\n"
"GLOBAL:\n"
"  --family NAME    generic netlink family (default godiag)\n"
"  --timeout MS     how long to wait for a reply (default 2000)\n"
"  --fail-nth N     send and session-new: make the N-th allocation of the request\n"
"                   fail: godiag's own, through " GODIAG_FAIL_NTH "\n"
"                   (a module built by tests/build-module.sh KERNEL faults), else\n"
"                   the kernel's fault sites set up in debugfs, through\n"
"                   /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION); prints\n"
"                   \"fault=injected\" or \"fault=none\" before the result line\n"
"\n"
"send: one request, then one line \"errno=<n> msg=<extack message>\"\n"
"(\"errno=<n> messages=<n> msg=...\" with --dump; errno 0 is success).\n"
"  CMD              number or status, session-new, session-del, session-start,\n"
"                   session-stop, sessions, target-add, target-del, targets,\n"
"                   syscalls-set, stats, hist (also target-exit, probe-add,\n"
"                   probe-del, probe-get, and the *-get spellings)\n"
"  ATTR             number or an attribute name: session-id, buffer-size, mode,\n"
"                   events, owned, pid, target-flags, syscall-mask,\n"
"                   syscall-min-ns, ... (enum godiag_attr, lower case, '-')\n"
"  TYPE:VALUE       u8|u16|u32|u64:N (negative allowed), flag, str:S (with NUL),\n"
"                   raw:S (without NUL), hex:HEXBYTES, len:N (N zero bytes),\n"
"                   open:PATH (nlraw opens PATH read-only and sends the fd as\n"
"                   a u32, e.g. proc-mem-fd:open:/proc/PID/mem; it prints\n"
"                   \"open=<errno>\" first and leaves the attribute out when\n"
"                   the open fails)\n"
"  --dump           set NLM_F_DUMP, count the messages before NLMSG_DONE\n"
"  --truncate N     send only the first N bytes (nlmsg_len = N)\n"
"  --bad-len        last attribute's nla_len beyond the end of the message\n"
"  --show           also print each reply (\"reply type=.. cmd=.. ATTR=VALUE ...\")\n"
"                   and the ack's offset/missing attribute (\"extack offs=.. miss=..\")\n"
"  --raw            also print each reply as \"raw <hex of the whole message>\"\n"
"  --no-ack         do not set NLM_F_ACK\n"
"  --flags N        nlmsg_flags exactly N (replaces REQUEST|ACK|DUMP)\n"
"  --type N         nlmsg_type N instead of the family id (skips resolving)\n"
"  --genl-version N genlmsghdr.version (default %d)\n"
"\n"
"session-new: prints \"session=<id>\"; --hold keeps the socket open (an --owned\n"
"session alive) until SIGTERM, SIGINT, SIGHUP or SIGUSR1.\n"
"\n"
"fuzz: N random or malformed requests over T sockets/threads (default 1),\n"
"replies read and dropped; at the end every session is deleted (the ones it\n"
"created, ids 1..64, and any a dump still lists). Prints \"sent=N answered=N\".\n"
"Plausible and malformed requests, wrong attribute types and lengths, unknown\n"
"commands and attributes, truncated messages and lying lengths, duplicated\n"
"attributes, nests up to 64 deep, thousands of attributes in a message, up to\n"
"128 messages in a datagram, datagrams up to 280 KiB, dumps abandoned by\n"
"closing the socket.\n"
"  --target PID     a process the fuzz adds as a target and probes (it should\n"
"                   wait for a signal and be SIGKILLed afterwards: probes land\n"
"                   anywhere in its text)\n"
"  --probe-file F   the file of those probes (random offsets, valid layouts);\n"
"                   only F and the --target's executable are ever probed\n"
"\n"
"join: join the multicast group NAME (default notify) of the family and print\n"
"\"errno=<n>\" (0: joined).\n"
"\n"
"exit: 0 the kernel answered, 1 local error or usage, 2 no such family,\n"
"      3 no answer (send) or session-new refused\n",
		prog, prog, prog, prog, GODIAG_GENL_VERSION);
}

static __attribute__((noreturn)) void bad_usage(const char *why)
{
	if (why)
		fprintf(stderr, "%s: %s\n", prog, why);
	fprintf(stderr,
		"usage: %s [GLOBAL] send [SEND-OPTIONS] CMD [ATTR:TYPE[:VALUE] ...]\n"
		"       %s [GLOBAL] session-new [--buffer N] [--mode M] [--owned] [--hold]\n"
		"       %s [GLOBAL] fuzz --count N --seed S [--threads T] [--target PID]\n"
		"                 [--probe-file PATH]\n"
		"       %s [GLOBAL] join [--group NAME]\n"
		"       %s --help\n", prog, prog, prog, prog, prog);
	exit(1);
}

enum { O_SEND = 1, O_SNEW = 2, O_FUZZ = 4, O_JOIN = 8, O_ALL = 15 };

int main(int argc, char **argv)
{
	struct opts o = {
		.truncate = -1, .flags = -1, .type = -1, .genl_version = GODIAG_GENL_VERSION,
		.buffer = -1, .mode = -1, .threads = 1, .target = -1,
	};
	char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	unsigned long long v;
	unsigned int used = 0, allowed;
	const char *sub;
	struct mb sendbuf = { NULL, 0, 0 };
	struct nl nl;
	bool resolve;
	int npos = 0, i, ret;

	if (argc > 0 && argv[0][0])
		prog = argv[0];
	if (!pos)
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

#define TAKES(name) (!strcmp(a, name) && (val || (bad_usage(name " needs a value"), 0)) && ++i)
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				pos[npos++] = argv[i];
			break;
		}
		if (strncmp(a, "--", 2) && strcmp(a, "-h")) {
			pos[npos++] = argv[i];
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (TAKES("--family")) {
			family_name = val;
		} else if (TAKES("--timeout")) {
			if (parse_num(val, 3600000, &v))
				bad_usage("bad --timeout");
			timeout_ms = (int)v;
		} else if (!strcmp(a, "--dump")) {
			o.dump = true, used |= O_SEND;
		} else if (!strcmp(a, "--bad-len")) {
			o.bad_len = true, used |= O_SEND;
		} else if (!strcmp(a, "--show")) {
			o.show = true, used |= O_SEND;
		} else if (!strcmp(a, "--raw")) {
			o.raw = true, used |= O_SEND;
		} else if (TAKES("--fail-nth")) {
			if (parse_num(val, INT_MAX, &v) || !v)
				bad_usage("bad --fail-nth");
			fail_nth = (unsigned long)v;
		} else if (TAKES("--group")) {
			group_name = val, used |= O_JOIN;
		} else if (TAKES("--target")) {
			if (parse_num(val, INT_MAX, &v) || !v)
				bad_usage("bad --target");
			o.target = (long)v, used |= O_FUZZ;
		} else if (TAKES("--probe-file")) {
			o.probe_file = val, used |= O_FUZZ;
		} else if (!strcmp(a, "--no-ack")) {
			o.no_ack = true, used |= O_SEND;
		} else if (TAKES("--truncate")) {
			if (parse_num(val, SEND_BUF, &v))
				bad_usage("bad --truncate");
			o.truncate = (long)v, used |= O_SEND;
		} else if (TAKES("--flags")) {
			if (parse_num(val, 0xffff, &v))
				bad_usage("bad --flags");
			o.flags = (long)v, used |= O_SEND;
		} else if (TAKES("--type")) {
			if (parse_num(val, 0xffff, &v))
				bad_usage("bad --type");
			o.type = (long)v, used |= O_SEND;
		} else if (TAKES("--genl-version")) {
			if (parse_num(val, 255, &v))
				bad_usage("bad --genl-version");
			o.genl_version = (unsigned int)v, used |= O_SEND;
		} else if (TAKES("--buffer")) {
			if (parse_num(val, UINT32_MAX, &v))
				bad_usage("bad --buffer");
			o.buffer = (long)v, used |= O_SNEW;
		} else if (TAKES("--mode")) {
			if (!strcmp(val, "discard"))
				o.mode = GODIAG_MODE_DISCARD;
			else if (!strcmp(val, "overwrite"))
				o.mode = GODIAG_MODE_OVERWRITE;
			else if (!parse_num(val, 255, &v))
				o.mode = (long)v;
			else
				bad_usage("bad --mode");
			used |= O_SNEW;
		} else if (!strcmp(a, "--owned")) {
			o.owned = true, used |= O_SNEW;
		} else if (!strcmp(a, "--hold")) {
			o.hold = true, used |= O_SNEW;
		} else if (TAKES("--count")) {
			if (parse_num(val, ULONG_MAX, &v))
				bad_usage("bad --count");
			o.count = (unsigned long)v, o.have_count = true, used |= O_FUZZ;
		} else if (TAKES("--seed")) {
			if (parse_num(val, ULLONG_MAX, &v))
				bad_usage("bad --seed");
			o.seed = v, o.have_seed = true, used |= O_FUZZ;
		} else if (TAKES("--threads")) {
			if (parse_num(val, 256, &v) || !v)
				bad_usage("bad --threads");
			o.threads = (unsigned long)v, used |= O_FUZZ;
		} else {
			fprintf(stderr, "%s: unknown option %s\n", prog, a);
			bad_usage(NULL);
		}
#undef TAKES
	}
	if (npos < 1)
		bad_usage("missing subcommand");
	sub = pos[0];
	if (!strcmp(sub, "send")) {
		allowed = O_SEND;
		if (npos < 2)
			bad_usage("send: missing CMD");
	} else if (!strcmp(sub, "session-new")) {
		allowed = O_SNEW;
		if (npos != 1)
			bad_usage("session-new takes no arguments");
	} else if (!strcmp(sub, "fuzz")) {
		allowed = O_FUZZ;
		if (npos != 1 || !o.have_count || !o.have_seed)
			bad_usage("fuzz needs --count N --seed S and no arguments");
		if (fail_nth)
			bad_usage("--fail-nth is for send and session-new");
	} else if (!strcmp(sub, "join")) {
		allowed = O_JOIN;
		if (npos != 1)
			bad_usage("join takes no arguments");
		if (fail_nth)
			bad_usage("--fail-nth is for send and session-new");
	} else {
		fprintf(stderr, "%s: unknown subcommand %s\n", prog, sub);
		bad_usage(NULL);
	}
	if (used & (O_ALL & ~allowed))
		bad_usage("option not valid for this subcommand");

	if (allowed == O_SEND && send_build(&o, npos - 1, pos + 1, &sendbuf))
		bad_usage(NULL);
	if (nl_open(&nl))
		return 1;
	resolve = !(allowed == O_SEND && o.type >= 0);
	if (resolve) {
		ret = resolve_family(&nl);
		if (ret) {
			nl_close(&nl);
			return ret;
		}
	}
	if (allowed == O_SEND) {
		ret = cmd_send(&nl, &o, &sendbuf);
		free(sendbuf.p);
	} else if (allowed == O_SNEW) {
		ret = cmd_session_new(&nl, &o);
	} else if (allowed == O_JOIN) {
		ret = cmd_join(&nl);
	} else {
		uint16_t fam = nl.family;

		nl_close(&nl);
		ret = cmd_fuzz(&o, fam);
	}
	nl_close(&nl);
	free(pos);
	return ret;
}
