// SPDX-License-Identifier: GPL-2.0
/*
 * Build ids and Go versions of ELF files, from their notes and the
 * .go.buildinfo section: the same reading as the module's (kmod/audit.c),
 * so the capture, the report and the audit trail name a binary alike.
 * Every read is bounded: 64 program headers, 4 KiB of 4 note segments,
 * 256 section headers and 64 bytes of build info.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gobin/buildid.h"

#define PHDRS_MAX	64
#define NOTE_SEGS_MAX	4
#define NOTES_BYTES	4096
#define SHDRS_MAX	256
#define GNU_ID_MAX	64
#define GO_ID_MAX	128

static bool read_at(int fd, uint64_t pos, void *buf, size_t n)
{
	return pread(fd, buf, n, (off_t)pos) == (ssize_t)n;
}

static bool elf_header(int fd, Elf64_Ehdr *eh)
{
	return read_at(fd, 0, eh, sizeof(*eh)) && !memcmp(eh->e_ident, ELFMAG, SELFMAG) &&
	       eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_ident[EI_DATA] == ELFDATA2LSB;
}

struct found {
	bool gnu;
	uint32_t len;
	unsigned char id[GO_ID_MAX];
};

static void scan_notes(const unsigned char *p, size_t n, size_t align, struct found *f)
{
	size_t off = 0;

	while (off + sizeof(Elf64_Nhdr) <= n) {
		Elf64_Nhdr nh;
		size_t name, desc, next;

		memcpy(&nh, p + off, sizeof(nh));
		if (nh.n_namesz > n || nh.n_descsz > n)
			return;
		name = off + sizeof(nh);
		desc = name + (((size_t)nh.n_namesz + align - 1) & ~(align - 1));
		next = desc + (((size_t)nh.n_descsz + align - 1) & ~(align - 1));
		if (desc + nh.n_descsz > n)
			return;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp(p + name, "GNU", 4) && nh.n_descsz &&
		    nh.n_descsz <= GNU_ID_MAX && !f->gnu) {
			f->gnu = true;
			f->len = nh.n_descsz;
			memcpy(f->id, p + desc, f->len);
		} else if (nh.n_type == 4 && nh.n_namesz == 4 && !memcmp(p + name, "Go\0\0", 4) &&
			   nh.n_descsz && nh.n_descsz <= GO_ID_MAX && !f->len) {
			f->len = nh.n_descsz;
			memcpy(f->id, p + desc, f->len);
		}
		off = next;
	}
}

static void find(int fd, struct found *f)
{
	static Elf64_Phdr ph[PHDRS_MAX];
	static unsigned char notes[NOTES_BYTES];
	Elf64_Ehdr eh;
	int i, segs = 0;

	if (!elf_header(fd, &eh) || eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum ||
	    eh.e_phnum > PHDRS_MAX || !read_at(fd, eh.e_phoff, ph, eh.e_phnum * sizeof(*ph)))
		return;
	for (i = 0; i < eh.e_phnum && segs < NOTE_SEGS_MAX && !f->gnu; i++) {
		size_t n = ph[i].p_filesz < sizeof(notes) ? ph[i].p_filesz : sizeof(notes);

		if (ph[i].p_type != PT_NOTE)
			continue;
		segs++;
		if (read_at(fd, ph[i].p_offset, notes, n))
			scan_notes(notes, n, ph[i].p_align == 8 ? 8 : 4, f);
	}
}

int buildid_read(const char *path, char *out, size_t len)
{
	struct found f = { false, 0, { 0 } };
	size_t used = 0;
	uint32_t i;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (len)
		out[0] = '\0';
	if (fd < 0)
		return -1;
	find(fd, &f);
	close(fd);
	if (!f.len || !len)
		return -1;
	used = (size_t)snprintf(out, len, "%s:", f.gnu ? "gnu" : "go");
	for (i = 0; i < f.len && used + 3 <= len; i++) {
		unsigned char c = f.id[i];

		if (f.gnu)
			used += (size_t)snprintf(out + used, len - used, "%02x", c);
		else
			used += (size_t)snprintf(out + used, len - used, "%c",
						 c > 0x20 && c < 0x7f && c != '"' ? c : '?');
	}
	return 0;
}

/* The offset of section .go.buildinfo, or 0. */
static uint64_t buildinfo_offset(int fd, const Elf64_Ehdr *eh)
{
	static Elf64_Shdr sh[SHDRS_MAX];
	char name[16];
	int i;

	if (eh->e_shentsize != sizeof(Elf64_Shdr) || !eh->e_shnum || eh->e_shnum > SHDRS_MAX ||
	    eh->e_shstrndx >= eh->e_shnum ||
	    !read_at(fd, eh->e_shoff, sh, eh->e_shnum * sizeof(*sh)))
		return 0;
	for (i = 0; i < eh->e_shnum; i++) {
		if (!read_at(fd, sh[eh->e_shstrndx].sh_offset + sh[i].sh_name, name, sizeof(name)))
			continue;
		if (!memcmp(name, ".go.buildinfo", sizeof(".go.buildinfo")))
			return sh[i].sh_offset;
	}
	return 0;
}

/*
 * The Go 1.18+ layout: "\xff Go buildinf:", pointer size, flags (2:
 * strings inline), padding to 32, then the version as a varint length
 * and its bytes.
 */
int buildid_go_version(const char *path, char *out, size_t len)
{
	unsigned char b[32 + 1 + 40];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t off = 0;
	Elf64_Ehdr eh;
	size_t n;

	if (len)
		out[0] = '\0';
	if (fd < 0)
		return -1;
	if (elf_header(fd, &eh))
		off = buildinfo_offset(fd, &eh);
	if (!off || !read_at(fd, off, b, sizeof(b))) {
		close(fd);
		return -1;
	}
	close(fd);
	n = b[32];
	if (memcmp(b, "\xff Go buildinf:", 14) || !(b[15] & 2) || !n || n > 39 || n >= len ||
	    memcmp(b + 33, "go", 2))
		return -1;
	memcpy(out, b + 33, n);
	out[n] = '\0';
	return 0;
}

int buildid_exe_replaced(unsigned int pid, char *why, size_t len)
{
	static const char deleted[] = " (deleted)";
	char exe[64], path[4096], ran[256], now[256];
	ssize_t n;
	size_t dl = sizeof(deleted) - 1;
	bool gone = false;

	snprintf(exe, sizeof(exe), "/proc/%u/exe", pid);
	n = readlink(exe, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	/* (a file whose own name ends so is told apart by its build id) */
	if ((size_t)n > dl && !strcmp(path + n - dl, deleted)) {
		path[n - dl] = '\0';
		gone = true;
	}
	if (buildid_read(exe, ran, sizeof(ran)))
		snprintf(ran, sizeof(ran), "unknown");
	if (buildid_read(path, now, sizeof(now))) {
		if (!gone)
			return 0;
		snprintf(why, len, "PID %u runs a build of %s that was deleted from the disk "
			 "since it started (build id %s): redeployed?", pid, path, ran);
		return 1;
	}
	if (!strcmp(ran, now))
		return 0;
	snprintf(why, len, "PID %u runs another build of %s (build id %s) than the file "
		 "there now (build id %s): redeployed, the process not restarted",
		 pid, path, ran, now);
	return 1;
}
