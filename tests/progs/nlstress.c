// SPDX-License-Identifier: GPL-2.0
/*
 * nlstress: godiag configuration requests in a tight loop, from one
 * socket, for the tests of targets and sessions coming and going while
 * their processes fork and exit.
 *
 *   nlstress cycle [--follow] [--syscalls] PID COUNT
 *
 * COUNT times: SESSION_NEW, TARGET_ADD PID (with FOLLOW_CHILDREN when
 * --follow), SESSION_START, then on odd rounds TARGET_DEL PID before
 * SESSION_DEL, on even rounds SESSION_DEL alone (which removes the
 * target). --syscalls creates the sessions with syscall events (else
 * none: targets only). Prints "cycles=N add_failed=N" and exits 0; 1 on
 * any failure but a TARGET_ADD refused because PID is gone (ESRCH), 2 on
 * bad usage or when the family does not exist.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "godiag_abi.h"

struct nl {
	struct mnl_socket *sk;
	unsigned int portid, seq;
	uint16_t family;
	uint32_t session;	/* from the last SESSION_NEW */
};

static int family_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, GENL_HDRLEN, family_attr, data);
}

static int session_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == GODIAG_A_SESSION_ID)
		*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int session_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, GENL_HDRLEN, session_attr, data);
}

static struct nlmsghdr *msg(char *buf, struct nl *nl, uint16_t type, uint8_t cmd,
			    uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/* Send, then read until the ack: 0 or a positive errno. */
static int transact(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int seq = nlh->nlmsg_seq;
	int ret;

	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return errno;
	do {
		ret = (int)mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		if (ret < 0)
			return errno;
		ret = mnl_cb_run(buf, (size_t)ret, seq, nl->portid, cb, data);
	} while (ret > 0);
	return ret < 0 ? errno : 0;
}

static int request(struct nl *nl, uint8_t cmd, uint32_t pid, uint32_t flags,
		   uint32_t events)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg(buf, nl, nl->family, cmd, GODIAG_GENL_VERSION);

	if (cmd == GODIAG_CMD_SESSION_NEW) {
		mnl_attr_put_u32(nlh, GODIAG_A_EVENTS, events);
		mnl_attr_put_u32(nlh, GODIAG_A_BUFFER_SIZE, GODIAG_BUFFER_MIN);
		nl->session = 0;
		return transact(nl, nlh, session_cb, &nl->session);
	}
	mnl_attr_put_u32(nlh, GODIAG_A_SESSION_ID, nl->session);
	if (pid)
		mnl_attr_put_u32(nlh, GODIAG_A_PID, pid);
	if (cmd == GODIAG_CMD_TARGET_ADD && flags)
		mnl_attr_put_u32(nlh, GODIAG_A_TARGET_FLAGS, flags);
	return transact(nl, nlh, NULL, NULL);
}

static int open_family(struct nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk || mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlstress: netlink socket");
		return 1;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (unsigned int)time(NULL);
	nlh = msg(buf, nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, GODIAG_GENL_NAME);
	if (transact(nl, nlh, family_cb, &nl->family) || !nl->family) {
		fprintf(stderr, "nlstress: no generic netlink family %s\n", GODIAG_GENL_NAME);
		return 2;
	}
	return 0;
}

static int fail(const char *what, unsigned long round, int err)
{
	fprintf(stderr, "nlstress: round %lu: %s: %s\n", round, what, strerror(err));
	return 1;
}

/* TARGET_ADD PID; ESRCH (PID is gone) is counted, not a failure. */
static int add(struct nl *nl, uint32_t pid, uint32_t flags, unsigned long round,
	       unsigned long *failed)
{
	int err = request(nl, GODIAG_CMD_TARGET_ADD, pid, flags, 0);

	if (err == ESRCH) {
		(*failed)++;
		return 0;
	}
	return err ? fail("target-add", round, err) : 0;
}

static int cycle(struct nl *nl, uint32_t pid, unsigned long sessions,
		 unsigned long targets, uint32_t flags, uint32_t events)
{
	unsigned long i, j, add_failed = 0;
	int err;

	for (i = 0; i < sessions; i++) {
		err = request(nl, GODIAG_CMD_SESSION_NEW, 0, 0, events);
		if (err || !nl->session)
			return fail("session-new", i, err ? err : EPROTO);
		err = request(nl, GODIAG_CMD_SESSION_START, 0, 0, 0);
		if (err)
			return fail("session-start", i, err);
		for (j = 0; j < targets; j++) {
			if (add(nl, pid, flags, i, &add_failed))
				return 1;
			err = request(nl, GODIAG_CMD_TARGET_DEL, pid, 0, 0);
			/* ENOENT: the add failed, or every process exited meanwhile */
			if (err && err != ENOENT)
				return fail("target-del", i, err);
		}
		if (add(nl, pid, flags, i, &add_failed))
			return 1;
		err = request(nl, GODIAG_CMD_SESSION_DEL, 0, 0, 0);
		if (err)
			return fail("session-del", i, err);
	}
	printf("sessions=%lu targets=%lu add_failed=%lu\n", sessions,
	       sessions * (targets + 1), add_failed);
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t flags = 0, events = 0;
	unsigned long sessions, targets;
	struct nl nl = { 0 };
	int i = 2, ret;
	long pid;

	if (argc < 2 || strcmp(argv[1], "cycle"))
		goto usage;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--follow"))
			flags |= GODIAG_TF_FOLLOW_CHILDREN;
		else if (!strcmp(argv[i], "--syscalls"))
			events |= GODIAG_EV_SYSCALL;
		else
			goto usage;
	}
	if (argc - i != 3)
		goto usage;
	pid = strtol(argv[i], NULL, 10);
	sessions = strtoul(argv[i + 1], NULL, 10);
	targets = strtoul(argv[i + 2], NULL, 10);
	if (pid <= 0 || !sessions)
		goto usage;
	ret = open_family(&nl);
	if (!ret)
		ret = cycle(&nl, (uint32_t)pid, sessions, targets, flags, events);
	if (nl.sk)
		mnl_socket_close(nl.sk);
	return ret;
usage:
	fprintf(stderr, "usage: nlstress cycle [--follow] [--syscalls] PID SESSIONS TARGETS\n");
	return 2;
}
