// SPDX-License-Identifier: GPL-2.0
/*
 * devprobe: try every operation of /dev/godiag and print what each one
 * returned, for the privilege tests.
 *
 *   devprobe [--bufsize N] [--drop nobody|userns] [--bind-first] [--scan]
 *            [--mmap-checks] SESSION
 *
 * Steps, in this order, each printed as NAME=ERRNO (0: it worked, "-":
 * not tried):
 *   open    open("/dev/godiag", O_RDWR | O_NONBLOCK | O_CLOEXEC)
 *   (with --bind-first: bind first, as the caller, printed as "bind0=")
 *   (with --drop: drop the caller's identity now, keeping the fd)
 *   bind    ioctl(GODIAG_IOC_BIND, SESSION)
 *   mmap    mmap of CPU 0 (stride = page + N bytes, N from --bufsize,
 *           default 1 MiB), read-only
 *   read    read() of 64 KiB (O_NONBLOCK: EAGAIN when nothing is there)
 * and then "bytes=<n>", what read() returned.
 *
 * --drop nobody: setgroups(0), setresgid(65534), setresuid(65534): every
 * capability goes. --drop userns: the same, then unshare(CLONE_NEWUSER),
 * which gives back every capability, but only inside the new namespace
 * (like root in `unshare -Ur`).
 *
 * --scan (root, with a successful mmap): a second line about the mapped
 * buffer of CPU 0:
 *   page version=V cpu=C data_size=S head=H tail=T lost=L tail_nonzero=Z
 *        kaddr=K
 * tail_nonzero counts the nonzero bytes of the control page after struct
 * godiag_mmap_page (should be 0: nothing of the kernel's), kaddr the 8-byte
 * words of the record area that look like kernel addresses
 * (0xffff800000000000 up to, not including, the top 4 KiB where -errno
 * values live).
 *
 * --mmap-checks (root, with a successful mmap): a line about how CPU 0's
 * buffer may be mapped:
 *   private=E exec=E mprotect_exec=E split=same|differ|E
 * private and exec: the errno of a mapping with MAP_PRIVATE, and of one
 * with PROT_EXEC (0: it was allowed); mprotect_exec: that of adding
 * PROT_EXEC to a good mapping; split: a second mapping loses its first
 * page (munmap), then each of its other pages is compared with the same
 * page of the first mapping ("same": every byte equal; E: a step failed).
 *
 * Exit status: 0 (whatever the results), 1 bad usage or a failed drop.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "godiag_abi.h"

#define KADDR_LO	0xffff800000000000ULL
#define KADDR_HI	0xfffffffffffff000ULL	/* -4096: errno values above */

static void usage(FILE *f)
{
	fprintf(f, "usage: devprobe [--bufsize N] [--drop nobody|userns] [--bind-first] "
		"[--scan] [--mmap-checks] SESSION\n");
}

static int drop(const char *how)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534)) {
		perror("devprobe: dropping to uid 65534");
		return -1;
	}
	if (!strcmp(how, "userns") && unshare(CLONE_NEWUSER)) {
		perror("devprobe: unshare(CLONE_NEWUSER)");
		return -1;
	}
	return 0;
}

/* The errno of mapping CPU 0 with @prot and @flags; 0 if allowed. */
static int try_map(int fd, size_t len, int prot, int flags)
{
	void *m = mmap(NULL, len, prot, flags, fd, 0);

	if (m == MAP_FAILED)
		return errno;
	munmap(m, len);
	return 0;
}

static void mmap_checks(int fd, const unsigned char *map, size_t page, size_t len)
{
	int e_priv = try_map(fd, len, PROT_READ, MAP_PRIVATE);
	int e_exec = try_map(fd, len, PROT_READ | PROT_EXEC, MAP_SHARED);
	int e_mprot = 0, split = 0;
	unsigned char *b;
	size_t off;

	b = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (b == MAP_FAILED) {
		e_mprot = split = errno;
	} else {
		if (mprotect(b, len, PROT_READ | PROT_EXEC))
			e_mprot = errno;
		if (munmap(b, page))
			split = errno;
		for (off = page; !split && off < len; off += page)
			if (memcmp(b + off, map + off, page))
				split = -1;
		munmap(b + page, len - page);
	}
	printf("private=%d exec=%d mprotect_exec=%d split=", e_priv, e_exec, e_mprot);
	if (split > 0)
		printf("%d\n", split);
	else
		printf("%s\n", split ? "differ" : "same");
}

static int bind_to(int fd, uint32_t sid)
{
	return ioctl(fd, GODIAG_IOC_BIND, &sid) ? errno : 0;
}

static void scan(const unsigned char *map, size_t page, size_t bufsize)
{
	const struct godiag_mmap_page *pg = (const void *)map;
	const unsigned char *data = map + page;
	size_t i, nonzero = 0, kaddr = 0;
	uint64_t head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);

	for (i = sizeof(*pg); i < page; i++)
		nonzero += map[i] != 0;
	for (i = 0; i + 8 <= bufsize; i += 8) {
		uint64_t v;

		memcpy(&v, data + i, 8);
		kaddr += v >= KADDR_LO && v < KADDR_HI;
	}
	printf("page version=%u cpu=%u data_size=%llu head=%llu tail=%llu lost=%llu "
	       "tail_nonzero=%zu kaddr=%zu\n", pg->version, pg->cpu,
	       (unsigned long long)pg->data_size, (unsigned long long)head,
	       (unsigned long long)pg->data_tail, (unsigned long long)pg->lost,
	       nonzero, kaddr);
}

int main(int argc, char **argv)
{
	const char *how = NULL;
	unsigned long long bufsize = 1 << 20;
	bool bind_first = false, want_scan = false, want_checks = false;
	int i, fd, e_bind0 = -1, e_bind, e_mmap, e_read;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	static char buf[64 * 1024];
	unsigned char *map;
	ssize_t n = 0;
	uint32_t sid;
	char *end;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--bufsize") && i + 1 < argc) {
			bufsize = strtoull(argv[++i], &end, 0);
			if (*end || !bufsize || bufsize % page) {
				usage(stderr);
				return 1;
			}
		} else if (!strcmp(argv[i], "--drop") && i + 1 < argc &&
			   (!strcmp(argv[i + 1], "nobody") || !strcmp(argv[i + 1], "userns"))) {
			how = argv[++i];
		} else if (!strcmp(argv[i], "--bind-first")) {
			bind_first = true;
		} else if (!strcmp(argv[i], "--scan")) {
			want_scan = true;
		} else if (!strcmp(argv[i], "--mmap-checks")) {
			want_checks = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 1;
		}
	}
	if (i + 1 != argc) {
		usage(stderr);
		return 1;
	}
	sid = (uint32_t)strtoul(argv[i], &end, 0);
	if (*end) {
		usage(stderr);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	fd = open("/dev/" GODIAG_DEVICE_NAME, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		printf("open=%d bind=- mmap=- read=- bytes=0\n", errno);
		return 0;
	}
	if (bind_first)
		e_bind0 = bind_to(fd, sid);
	if (how && drop(how))
		return 1;
	e_bind = bind_to(fd, sid);
	map = mmap(NULL, page + bufsize, PROT_READ, MAP_SHARED, fd, 0);
	e_mmap = map == MAP_FAILED ? errno : 0;
	n = read(fd, buf, sizeof(buf));
	e_read = n < 0 ? errno : 0;
	if (bind_first)
		printf("open=0 bind0=%d bind=%d mmap=%d read=%d bytes=%zd\n", e_bind0, e_bind,
		       e_mmap, e_read, n < 0 ? 0 : n);
	else
		printf("open=0 bind=%d mmap=%d read=%d bytes=%zd\n", e_bind, e_mmap, e_read,
		       n < 0 ? 0 : n);
	if (want_scan && !e_mmap)
		scan(map, page, (size_t)bufsize);
	if (want_checks && !e_mmap)
		mmap_checks(fd, map, page, page + (size_t)bufsize);
	return 0;
}
