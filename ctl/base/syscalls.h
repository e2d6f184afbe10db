/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 syscall names and numbers. The table itself, syscall_names[], is
 * generated at build time from the system's asm/unistd_64.h (see
 * syscalls.awk), so it follows the headers rather than a copy.
 */
#ifndef GODIAGCTL_SYSCALLS_H
#define GODIAGCTL_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

#include "godiag_abi.h"

/* Generated: [nr] = name, NULL where the number is unused. */
extern const char *const syscall_names[];
extern const unsigned int syscall_names_len;

/* The bitmap GODIAG_A_SYSCALL_MASK carries: bit n is bit n % 32 of word n / 32. */
#define SYSCALL_MASK_WORDS (GODIAG_SYSCALL_MASK_BYTES / 4)

/* The name of nr, or NULL when the headers do not know it. */
const char *syscall_name(uint32_t nr);

/* The name, or "syscall_N" for numbers without one. */
void syscall_format(uint32_t nr, char *buf, size_t len);

/* The number of a name, or -1. */
int syscall_lookup(const char *name);

/*
 * Adds the syscalls of a comma-separated list of names or numbers
 * ("write,read,35") to mask. Returns 0, or -1 with a one-line reason in
 * err naming every unknown entry; mask is then unchanged.
 */
int syscall_parse_list(const char *list, uint32_t mask[SYSCALL_MASK_WORDS],
		       char *err, size_t errlen);

/* The names in mask, comma-separated, in number order ("read,write"). */
void syscall_format_mask(const uint32_t mask[SYSCALL_MASK_WORDS], char *buf,
			 size_t len);

#endif
