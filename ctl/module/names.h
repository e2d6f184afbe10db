/* SPDX-License-Identifier: GPL-2.0 */
/* Names of the module's enums and flags, as every command prints them. */
#ifndef GODIAGCTL_NAMES_H
#define GODIAGCTL_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* "ready", "running", "stopped", or "unknown". */
const char *state_name(uint8_t state);

/* "discard", "overwrite", or "unknown". */
const char *mode_name(uint8_t mode);

/* "create" .. "exit", "break", "break-ret" for a GODIAG_PROBE_*, or "unknown". */
const char *probe_kind_name(uint32_t kind);

/* GODIAG_MODE_* for "discard" or "overwrite", else -1. */
int mode_parse(const char *s);

/* The name of one GODIAG_EV_* bit, or NULL. */
const char *event_name(uint32_t bit);

/* GODIAG_EV_* bits as "syscall,goroutine"; "none" for 0; unknown bits in hex. */
void events_format(uint32_t events, char *buf, size_t len);

/* A wait status: "exited with status 1", "killed by SIGKILL (core dumped)". */
void wait_status_format(uint32_t status, char *buf, size_t len);

#endif
