/* SPDX-License-Identifier: GPL-2.0 */
/* What capture reads about processes and CPUs from /proc and /sys. */
#ifndef GODIAGCTL_PROC_H
#define GODIAGCTL_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Whether process pid exists (it may belong to another user). */
bool proc_exists(pid_t pid);

/*
 * Whether process pid is gone or exiting (a zombie: its memory is gone,
 * its /proc entry not yet), so a failed read of it means it ended.
 */
bool proc_ended(pid_t pid);

/* /proc/PID/comm without the newline; "" when unreadable. */
void proc_comm(pid_t pid, char *buf, size_t len);

/* The target of /proc/PID/exe; "" when unreadable (kernel threads, races). */
void proc_exe(pid_t pid, char *buf, size_t len);

/*
 * The whole of a file whose size stat cannot tell (/proc/PID/maps),
 * NUL-terminated, at most max bytes. NULL with errno on failure.
 */
char *proc_read(const char *path, size_t max, size_t *len);

/*
 * Parses a kernel CPU list such as "0-3,8,10-11\n" into ascending ids.
 * Returns the number of ids (at most max), or -1 if malformed, not
 * ascending, or longer than max.
 */
int cpu_list_parse(const char *s, unsigned int *ids, size_t max);

/* The possible CPUs from /sys/devices/system/cpu/possible, as above. */
int cpu_possible(unsigned int *ids, size_t max);

#endif
