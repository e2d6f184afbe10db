/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The output of the commands that show the module's state, text and
 * --json, apart from fetching it so the unit tests print what they build.
 */
#ifndef GODIAGCTL_CMD_PRINT_H
#define GODIAGCTL_CMD_PRINT_H

#include <stdio.h>

#include "base/print.h"
#include "module/sessinfo.h"
#include "module/status.h"

/*
 * status.c: the aligned text of 'godiagctl status', and its --json
 * object, both from status_walk().
 */
void status_walk(struct printer *p, const struct godiag_status *st);
void status_print(const struct godiag_status *st, FILE *out);
void status_print_json(const struct godiag_status *st, FILE *out);

/* stats.c: both from stats_walk() */
void stats_walk(struct printer *p, const struct session_list *l);
void stats_print(const struct session_list *l, FILE *out);
void stats_print_json(const struct session_list *l, FILE *out);

/* sessions.c: both from sessions_walk() */
void sessions_walk(struct printer *p, const struct session_list *s,
		   const struct target_list *t);
void sessions_print(const struct session_list *s, const struct target_list *t,
		    FILE *out);
void sessions_print_json(const struct session_list *s,
			 const struct target_list *t, FILE *out);

#endif
