/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The watcher's hook for following a service across restarts (--comm,
 * --cgroup; flight_follow.c). flight_watch.c calls it on every pass of
 * its loop, at least twice a second; it must not block for long. Without
 * flight_follow.c the default (flight_watch.c) does nothing.
 */
#ifndef GODIAGCTL_FLIGHT_FOLLOW_H
#define GODIAGCTL_FLIGHT_FOLLOW_H

#include <stdint.h>

/* recorder: its name; session: its module session id. */
void flight_follow_tick(const char *recorder, uint32_t session);

#endif
