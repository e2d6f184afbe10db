/* SPDX-License-Identifier: GPL-2.0 */
/* The module's per-target, per-syscall histograms (HIST_GET), and their output. */
#ifndef GODIAGCTL_HIST_H
#define GODIAGCTL_HIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "godiag_abi.h"

struct hist_row {
	uint32_t pid;
	uint32_t nr;
	uint64_t count;
	uint64_t total_ns;
	uint64_t max_ns;
	uint64_t errors;
	uint64_t buckets[GODIAG_HIST_BUCKETS];
};

struct hist_list {
	struct hist_row *v;
	size_t n;
};

/*
 * HIST_GET of session, of every target or of pid: the rows replace l's
 * (free l->v after). Returns 0 or a negative errno for gdnl_fail().
 */
struct gdnl;
int hist_fetch(struct gdnl *nl, uint32_t session, uint32_t pid, struct hist_list *l);

/* By PID, then by total time, longest first, then by syscall number. */
void hist_sort(struct hist_list *l);

/* Both from hist_walk(). */
struct printer;
void hist_walk(struct printer *p, const struct hist_list *l, uint32_t session);
void hist_print(const struct hist_list *l, uint32_t session, FILE *out);
void hist_print_json(const struct hist_list *l, uint32_t session, FILE *out);

#endif
