/* SPDX-License-Identifier: GPL-2.0 */
/* The module's status reply, also used by commands to check the ABI. */
#ifndef GODIAGCTL_STATUS_H
#define GODIAGCTL_STATUS_H

#include <stdint.h>
#include <stdio.h>

#include "module/nl.h"

struct godiag_status {
	char version[64];
	uint32_t abi;
	char kernel[128];
	uint32_t cpus;
	uint32_t cpus_online;
	uint32_t buffer_default;
	uint32_t buffer_min;
	uint32_t buffer_max;
	uint32_t sessions;
	uint32_t sessions_max;
	int missing;		/* a GODIAG_A_* the reply lacked, or 0 */
};

/* Sends GODIAG_CMD_STATUS_GET; returns 0 or a negative errno for gdnl_fail(). */
int status_fetch(struct gdnl *nl, struct godiag_status *st);

/*
 * For every command but status: exits 3 unless the module speaks this
 * tool's GODIAG_ABI_VERSION. Fills st with the status when not NULL.
 */
void status_require_abi(struct gdnl *nl, const char *cmd,
			struct godiag_status *st);

#endif
