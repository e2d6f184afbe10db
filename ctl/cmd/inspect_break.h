/* SPDX-License-Identifier: GPL-2.0 */
/* godiagctl inspect --break: the breakpoint plans of a Go program. */
#ifndef GODIAGCTL_INSPECT_BREAK_H
#define GODIAGCTL_INSPECT_BREAK_H

#include <stdbool.h>
#include <stddef.h>

#include "gobin/breakplan.h"

/* What --break, --arg and --field collect. */
struct inspect_breaks {
	const char **specs;
	size_t nspecs;
	const char **argtypes;
	size_t nargtypes;
	const char **fields;
	size_t nfields;
};

/* Appends an option's value to one of the lists. */
void inspect_breaks_add(const char ***list, size_t *n, const char *value);

/*
 * Plans every spec against b and prints the plans (text or JSON); a spec
 * that cannot be planned ends the command with its one line (exit 1),
 * which also says when b is process pid's program (pid != 0) and the file
 * at its path is another build now (redeployed).
 */
int inspect_breaks_print(const char *cmd, const struct gobin *b, unsigned int pid,
			 const struct inspect_breaks *ib, bool json);

void inspect_breaks_free(struct inspect_breaks *ib);

#endif
