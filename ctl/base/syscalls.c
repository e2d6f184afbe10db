// SPDX-License-Identifier: GPL-2.0
/* Syscall names to numbers and back, and --syscall lists to masks. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/syscalls.h"
#include "base/util.h"

const char *syscall_name(uint32_t nr)
{
	return nr < syscall_names_len ? syscall_names[nr] : NULL;
}

void syscall_format(uint32_t nr, char *buf, size_t len)
{
	const char *name = syscall_name(nr);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "syscall_%u", nr);
}

int syscall_lookup(const char *name)
{
	unsigned int nr;

	for (nr = 0; nr < syscall_names_len; nr++)
		if (syscall_names[nr] && !strcmp(syscall_names[nr], name))
			return (int)nr;
	return -1;
}

/* One list entry: a name, or a number; -1 unknown, -2 number out of range. */
static int parse_entry(const char *s, uint32_t *nr)
{
	const char *why = parse_u32(s, 0, GODIAG_SYSCALL_MAX - 1, nr);
	int n;

	if (!why)
		return 0;
	if (!strcmp(why, "out of range"))
		return -2;
	n = syscall_lookup(s);
	if (n < 0 || n >= GODIAG_SYSCALL_MAX)
		return -1;
	*nr = (uint32_t)n;
	return 0;
}

/* Appends "'entry'" to the list of bad entries in err. */
static void add_bad(char *err, size_t errlen, const char *entry, int nbad)
{
	size_t used = strlen(err);

	if (used < errlen)
		snprintf(err + used, errlen - used, "%s'%s'", nbad ? ", " : "", entry);
}

int syscall_parse_list(const char *list, uint32_t mask[SYSCALL_MASK_WORDS],
		       char *err, size_t errlen)
{
	uint32_t add[SYSCALL_MASK_WORDS] = { 0 };
	char bad[256] = "", entry[64];
	const char *p = list, *end;
	int nbad = 0, i, ret;

	for (;;) {
		uint32_t nr = 0;
		size_t n;

		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0) {
			snprintf(err, errlen, "empty entry in syscall list '%s'", list);
			return -1;
		}
		snprintf(entry, sizeof(entry), "%.*s", (int)n, p);
		ret = n >= sizeof(entry) ? -1 : parse_entry(entry, &nr);
		if (ret == -2) {
			snprintf(err, errlen, "syscall number %s is out of range (0..%d)",
				 entry, GODIAG_SYSCALL_MAX - 1);
			return -1;
		}
		if (ret)
			add_bad(bad, sizeof(bad), entry, nbad++);
		else
			add[nr / 32] |= 1U << (nr % 32);
		if (!end)
			break;
		p = end + 1;
	}
	if (nbad) {
		snprintf(err, errlen, "unknown syscall%s %s", nbad > 1 ? "s" : "", bad);
		return -1;
	}
	for (i = 0; i < SYSCALL_MASK_WORDS; i++)
		mask[i] |= add[i];
	return 0;
}

void syscall_format_mask(const uint32_t mask[SYSCALL_MASK_WORDS], char *buf,
			 size_t len)
{
	size_t used = 0;
	char name[32];
	uint32_t nr;

	if (len)
		buf[0] = '\0';
	for (nr = 0; nr < GODIAG_SYSCALL_MAX; nr++) {
		if (!(mask[nr / 32] & (1U << (nr % 32))))
			continue;
		syscall_format(nr, name, sizeof(name));
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? "," : "", name);
	}
}
