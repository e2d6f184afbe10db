/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which binary a target ran: its build id and Go version, read from the
 * file with a few bounded reads, so that a report can tell when the file
 * at that path is no longer the one traced (the service was redeployed).
 */
#ifndef GODIAGCTL_BUILDID_H
#define GODIAGCTL_BUILDID_H

#include <stddef.h>

/*
 * The build id of the ELF file at path, as the module's audit trail
 * writes it: "gnu:HEX" (the NT_GNU_BUILD_ID note), else "go:ID" (the Go
 * linker's note). Returns 0, or -1 (none, or not readable) with out "".
 */
int buildid_read(const char *path, char *out, size_t len);

/* "go1.23.5" from .go.buildinfo; 0, or -1 with out "" (not Go). */
int buildid_go_version(const char *path, char *out, size_t len);

/*
 * Whether process pid runs another build than the file at its
 * executable's path now holds (the service was redeployed while it ran:
 * the file was replaced, or deleted). Returns 1 with why saying it in a
 * clause ("PID 7 runs another build of /srv/app (build id X) than the
 * file there now (build id Y): ..."), else 0 (the same build, or unknown).
 */
int buildid_exe_replaced(unsigned int pid, char *why, size_t len);

#endif
