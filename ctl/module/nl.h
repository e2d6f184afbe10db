/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Requests to the godiag generic netlink family, through libnl-genl.
 *
 * A command opens one handle, builds each request with gdnl_msg() and the
 * gdnl_put_*() helpers, and runs it with gdnl_exec(); every reply message
 * (one for a plain request, one per object for a dump) reaches the
 * callback with its attributes already parsed:
 *
 *	struct gdnl *nl = gdnl_open("sessions");
 *	struct nl_msg *msg = gdnl_msg(nl, GODIAG_CMD_SESSION_GET, NLM_F_DUMP);
 *	int err = gdnl_exec(nl, msg, print_session, &ctx);
 *	if (err)
 *		gdnl_fail(nl, err);
 *	gdnl_close(nl);
 */
#ifndef GODIAGCTL_NL_H
#define GODIAGCTL_NL_H

#include <stddef.h>
#include <stdint.h>
#include <netlink/genl/genl.h>

#include "godiag_abi.h"

struct gdnl;

/* One reply message. */
struct gdnl_reply {
	uint8_t cmd;		/* GODIAG_CMD_* the module answered with */
	struct nlattr **tb;	/* [GODIAG_A_*], NULL where absent; last wins */
	struct nlattr *attrs;	/* all attributes, to walk repeated ones */
	int len;		/* bytes at attrs */
};

/* Return 0 to go on, or a negative errno that gdnl_exec() will return. */
typedef int (*gdnl_reply_fn)(const struct gdnl_reply *r, void *arg);

/*
 * Opens a socket and resolves the family; cmd names the command in error
 * messages. Exits 2 when the module is not loaded, 3 on socket failures.
 */
struct gdnl *gdnl_open(const char *cmd);
void gdnl_close(struct gdnl *nl);

/* A request for cmd; flags is 0, or NLM_F_DUMP for the list commands. */
struct nl_msg *gdnl_msg(struct gdnl *nl, uint8_t cmd, int flags);

/* Attribute helpers; they exit 3 if the message is full. */
void gdnl_put_u8(struct nl_msg *msg, int attr, uint8_t v);
void gdnl_put_u32(struct nl_msg *msg, int attr, uint32_t v);
void gdnl_put_u64(struct nl_msg *msg, int attr, uint64_t v);
void gdnl_put_flag(struct nl_msg *msg, int attr);
void gdnl_put_string(struct nl_msg *msg, int attr, const char *s);
void gdnl_put_data(struct nl_msg *msg, int attr, const void *data, size_t len);

/*
 * Sends msg (and frees it), passes every reply to fn (may be NULL) and
 * waits for the kernel's acknowledgement or the end of the dump.
 * Returns 0 or a negative errno; gdnl_strerror() then tells why, with the
 * kernel's extended ack message when it sent one.
 */
int gdnl_exec(struct gdnl *nl, struct nl_msg *msg, gdnl_reply_fn fn, void *arg);
const char *gdnl_strerror(const struct gdnl *nl, int err);

/*
 * Reports a gdnl_exec() failure and exits: 4 for EPERM (godiag needs
 * CAP_PERFMON or CAP_SYS_ADMIN, and ptrace access to what it traces
 * without CAP_SYS_ADMIN), 3 for anything else.
 */
__attribute__((noreturn))
void gdnl_fail(const struct gdnl *nl, int err);

/* Parses a nest (such as one GODIAG_A_CPU) with the family's policy. */
int gdnl_parse_nested(struct nlattr **tb, struct nlattr *nest);

/*
 * A dump (NLM_F_DUMP) of cmd, of one session when session_id is not 0.
 * When the module's lists change while the dump is in flight, it calls
 * reset(arg) (if not NULL) to forget the partial result and starts over,
 * up to three times. Returns like gdnl_exec().
 */
int gdnl_dump(struct gdnl *nl, uint8_t cmd, uint32_t session_id,
	      gdnl_reply_fn fn, void (*reset)(void *arg), void *arg);

/*
 * A second socket that listens to the "notify" multicast group (target
 * exits), for poll(). Returns NULL with the reason in why and errno set
 * when the group cannot be joined: EPERM without CAP_SYS_ADMIN, ENOENT
 * when the module has no such group (kernels before GENL_MCAST_CAP_SYS_ADMIN).
 */
struct gdnl *gdnl_open_notify(const char *cmd, char *why, size_t whylen);
int gdnl_fd(const struct gdnl *nl);

/*
 * Passes every notification waiting on a gdnl_open_notify() socket to fn,
 * without blocking. Returns 0, -ENOBUFS when the socket overflowed and
 * some notifications were lost (the caller should look at the state
 * itself), or another negative errno.
 */
int gdnl_notify_read(struct gdnl *nl, gdnl_reply_fn fn, void *arg);

#endif
