// SPDX-License-Identifier: GPL-2.0
/*
 * What a forgotten trace may cost, bounded by the module itself: every
 * session may have a maximum lifetime, after which the module stops it,
 * removes its probes and says so (audit trail, SESSION_EXPIRED
 * notification, the expired mark in dumps); and the administrator caps
 * lifetimes, sessions and probes per user for the whole host with
 * module parameters (writable in /sys/module/godiag/parameters/).
 *
 * The caps apply to every caller, CAP_SYS_ADMIN included: they are the
 * host's policy, not a privilege check. A user is the effective UID
 * that created a session; its probes count against that UID whoever
 * added them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/workqueue.h>

#include "godiag.h"

static uint max_lifetime_ms;
module_param(max_lifetime_ms, uint, 0644);
MODULE_PARM_DESC(max_lifetime_ms,
		 "Longest session lifetime in ms; longer or unlimited requests get it (0: no cap)");

static uint max_sessions_per_user;
module_param(max_sessions_per_user, uint, 0644);
MODULE_PARM_DESC(max_sessions_per_user, "Sessions one effective UID may have (0: no cap)");

static uint max_probes_per_user;
module_param(max_probes_per_user, uint, 0644);
MODULE_PARM_DESC(max_probes_per_user,
		 "Probes in the sessions of one effective UID (0: no cap)");

/*
 * SESSION_NEW: the host's caps. *lifetime_ms is what was asked (0:
 * none) and becomes what the session gets: none or more than the cap
 * becomes the cap. Cut rather than refused, so that a tool's default
 * (godiagctl capture: 1 h) works on a host with a shorter cap; the
 * reply and the dumps say what the session got, and godiagctl tells.
 */
int godiag_limits_session_new(const struct godiag_caller *c, u32 *lifetime_ms,
			      struct netlink_ext_ack *extack)
{
	u32 cap_ms = READ_ONCE(max_lifetime_ms);
	u32 cap_n = READ_ONCE(max_sessions_per_user);
	struct godiag_session *s;
	unsigned int n = 0;

	lockdep_assert_held(&godiag_mutex);
	if (cap_ms && (!*lifetime_ms || *lifetime_ms > cap_ms))
		*lifetime_ms = cap_ms;
	if (!cap_n)
		return 0;
	list_for_each_entry(s, &godiag_sessions, node)
		if (uid_eq(s->creator_euid, c->euid))
			n++;
	if (n < cap_n)
		return 0;
	NL_SET_ERR_MSG_FMT(extack,
			   "UID %u has %u sessions, the host's cap (godiag.max_sessions_per_user)",
			   from_kuid(&init_user_ns, c->euid), n);
	return -ENOSPC;
}

/* PROBE_ADD: the probes of the session owner's UID stay within the cap. */
int godiag_limits_probe_add(struct godiag_session *s, struct netlink_ext_ack *extack)
{
	u32 cap = READ_ONCE(max_probes_per_user);
	struct godiag_session *o;
	unsigned int n = 0;

	lockdep_assert_held(&godiag_mutex);
	if (!cap)
		return 0;
	list_for_each_entry(o, &godiag_sessions, node)
		if (uid_eq(o->creator_euid, s->creator_euid))
			n += o->nr_probes;
	if (n < cap)
		return 0;
	NL_SET_ERR_MSG_FMT(extack,
			   "UID %u has %u probes, the host's cap (godiag.max_probes_per_user)",
			   from_kuid(&init_user_ns, s->creator_euid), n);
	return -ENOSPC;
}

/* START, TARGET_ADD, PROBE_ADD: not on a session whose lifetime passed. */
int godiag_limits_usable(struct godiag_session *s, struct netlink_ext_ack *extack)
{
	if (!s->expired)
		return 0;
	NL_SET_ERR_MSG_FMT(extack, "session %u passed its maximum lifetime of %u ms",
			   s->id, s->max_lifetime_ms);
	return -ETIME;
}

static void expire_work(struct work_struct *work)
{
	struct godiag_session *s =
		container_of(to_delayed_work(work), struct godiag_session, expire_work);
	const char *old;

	mutex_lock(&godiag_mutex);
	if (!s->dead) {
		old = godiag_audit_cause("max-lifetime");
		s->expired = true;
		godiag_session_stop(s);
		godiag_probes_drop_session(s);
		godiag_netlink_session_expired(s);
		godiag_audit_cause(old);
	}
	mutex_unlock(&godiag_mutex);
	godiag_session_put(s);
}

/* At creation: the lifetime runs from now. The queued work holds a reference. */
void godiag_limits_arm(struct godiag_session *s)
{
	lockdep_assert_held(&godiag_mutex);
	INIT_DELAYED_WORK(&s->expire_work, expire_work);
	if (!s->max_lifetime_ms)
		return;
	kref_get(&s->ref);
	queue_delayed_work(godiag_wq, &s->expire_work,
			   msecs_to_jiffies(s->max_lifetime_ms));
}

/*
 * At destroy (s->dead is set, godiag_mutex held). A work already running
 * waits for the mutex, then finds the session dead and only drops its
 * reference; one still pending is cancelled here with its reference.
 */
void godiag_limits_disarm(struct godiag_session *s)
{
	lockdep_assert_held(&godiag_mutex);
	if (cancel_delayed_work(&s->expire_work))
		godiag_session_put(s);
}
