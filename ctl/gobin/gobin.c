// SPDX-License-Identifier: GPL-2.0
/*
 * Go binaries: the ELF around them (libelf), the Go version in
 * .go.buildinfo, the pclntab, file offsets and load bias, and the probe
 * points of goroutine tracing (capstone finds newproc1's RETs).
 *
 * The file is read into memory once (a private, copy-on-write mapping)
 * and parsed from there; gobin_open_mem() does the same on a caller's
 * buffer, so a fuzzer drives the same code. Every address read from the
 * file is checked against the PT_LOAD segments and the file size.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <capstone/capstone.h>

#include "base/proc.h"
#include "gobin/gobin_impl.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define LOADS_MAX	32
#define PAGE_SIZE_X86	4096ULL

#define BUILDINFO_MAGIC		"\xff Go buildinf:"
#define BUILDINFO_MAGIC_LEN	14
#define BUILDINFO_HDR		32
#define BUILDINFO_ALIGN		16

/* A version string longer than this is not one. */
#define VERSION_MAX		128

struct gobin_load {
	uint64_t vaddr, offset, filesz, memsz;
	uint32_t flags;
};

struct gobin_impl {
	uint8_t *image;
	size_t size;
	bool mapped;		/* munmap, else free */
	Elf *elf;
	struct gobin_load loads[LOADS_MAX];
	size_t nloads;
	uint64_t text_addr;	/* .text, 0 if no section headers */
	uint64_t rodata_addr;	/* .rodata, 0 if no section headers */
	const uint8_t *rela;	/* .rela.dyn, for pointers of PIE data */
	size_t rela_size;
	struct gobin_sym sym_pclntab, sym_text, sym_reasons, sym_gofunc;
	struct gobin_sym sym_types, sym_etypes;
	struct gopcln pcln;
	uint64_t gofunc;	/* go:func.* (funcdata base), 0: not found */
	bool gofunc_looked;	/* gofunc is known, or known not to be found */
	uint64_t types, etypes;	/* the type descriptors, 0: not found */
	bool types_looked;
};

int gobin_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- the image ------------------------------------------------------ */

/* The len bytes at link-time address vaddr, from the file, or NULL. */
static const uint8_t *read_vaddr(const struct gobin_impl *im, uint64_t vaddr,
				 uint64_t len)
{
	size_t i;

	for (i = 0; i < im->nloads; i++) {
		const struct gobin_load *l = &im->loads[i];
		uint64_t off;

		if (vaddr < l->vaddr || vaddr - l->vaddr >= l->filesz)
			continue;
		off = vaddr - l->vaddr;
		if (len > l->filesz - off)
			return NULL;
		off += l->offset;
		if (off > im->size || len > im->size - off)
			return NULL;
		return im->image + off;
	}
	return NULL;
}

/*
 * A pointer stored at vaddr. PIE data may hold 0 there with the value in
 * an R_X86_64_RELATIVE relocation (Go's internal linker writes both).
 */
static bool read_ptr(const struct gobin_impl *im, uint64_t vaddr, uint64_t *v)
{
	const uint8_t *p = read_vaddr(im, vaddr, 8);
	size_t i;

	if (!p)
		return false;
	*v = gobin_le64(p);
	if (*v || !im->rela)
		return true;
	for (i = 0; i + 24 <= im->rela_size; i += 24) {
		const uint8_t *r = im->rela + i;

		if (gobin_le64(r) == vaddr && (gobin_le64(r + 8) & 0xffffffff) == R_X86_64_RELATIVE) {
			*v = gobin_le64(r + 16);
			break;
		}
	}
	return true;
}

/* The bytes of a section, checked against the file, or NULL. */
static const uint8_t *section_bytes(const struct gobin_impl *im,
				    const GElf_Shdr *sh)
{
	if (sh->sh_type == SHT_NOBITS || sh->sh_offset > im->size ||
	    sh->sh_size > im->size - sh->sh_offset)
		return NULL;
	return im->image + sh->sh_offset;
}

/* ---- ELF ------------------------------------------------------------ */

static int read_loads(struct gobin *b, struct gobin_impl *im, char *err,
		      size_t errlen)
{
	size_t n, i;
	bool first = true;

	if (elf_getphdrnum(im->elf, &n) != 0)
		return gobin_fail(err, errlen, "%s: cannot read the program headers: %s",
			    b->path, elf_errmsg(-1));
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(im->elf, (int)i, &ph))
			return gobin_fail(err, errlen, "%s: damaged program header %zu",
				    b->path, i);
		if (ph.p_type != PT_LOAD)
			continue;
		if (im->nloads == LOADS_MAX)
			return gobin_fail(err, errlen, "%s: more than %d PT_LOAD segments",
				    b->path, LOADS_MAX);
		if (ph.p_offset > im->size || ph.p_filesz > im->size - ph.p_offset)
			return gobin_fail(err, errlen, "%s is truncated (%zu bytes, its "
				    "segments need %llu)", b->path, im->size,
				    (unsigned long long)(ph.p_offset + ph.p_filesz));
		if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr)
			return gobin_fail(err, errlen, "%s: segment %zu wraps around",
				    b->path, i);
		if (first) {
			b->first_load_vaddr = ph.p_vaddr;
			first = false;
		}
		im->loads[im->nloads++] = (struct gobin_load){
			.vaddr = ph.p_vaddr, .offset = ph.p_offset,
			.filesz = ph.p_filesz, .memsz = ph.p_memsz,
			.flags = ph.p_flags,
		};
	}
	if (!im->nloads)
		return gobin_fail(err, errlen, "%s has no loadable segments", b->path);
	return 0;
}

static void read_symtab(struct gobin_impl *im, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t i, n;

	if (!d || !sh->sh_entsize)
		return;
	n = d->d_size / sizeof(Elf64_Sym);
	for (i = 0; i < n; i++) {
		struct gobin_sym *want = NULL;
		const char *name;
		GElf_Sym s;

		if (!gelf_getsym(d, (int)i, &s) || !s.st_name)
			continue;
		name = elf_strptr(im->elf, sh->sh_link, s.st_name);
		if (!name)
			continue;
		/* The funcdata of every function is relative to it: gowrap.c. */
		if (!strcmp(name, "go:func.*") || !strcmp(name, "go.func.*"))
			want = &im->sym_gofunc;
		else if (strncmp(name, "runtime.", 8))
			continue;
		else if (!strcmp(name, "runtime.pclntab"))
			want = &im->sym_pclntab;
		else if (!strcmp(name, "runtime.text"))
			want = &im->sym_text;
		else if (!strcmp(name, "runtime.waitReasonStrings"))
			want = &im->sym_reasons;
		else if (!strcmp(name, "runtime.types"))
			want = &im->sym_types;
		else if (!strcmp(name, "runtime.etypes"))
			want = &im->sym_etypes;
		if (want && !want->found) {
			want->found = true;
			want->value = s.st_value;
			want->size = s.st_size;
		}
	}
}

struct sections {
	GElf_Shdr buildinfo, pclntab, text, rodata;
	char pclntab_name[32];
	bool have_buildinfo, have_pclntab, have_text, have_rodata;
};

static int read_sections(struct gobin *b, struct gobin_impl *im,
			 struct sections *s, char *err, size_t errlen)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	memset(s, 0, sizeof(*s));
	if (elf_getshdrstrndx(im->elf, &shstrndx) != 0)
		return 0;	/* no section names: search the segments */
	while ((scn = elf_nextscn(im->elf, scn))) {
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return gobin_fail(err, errlen, "%s: damaged section header", b->path);
		name = elf_strptr(im->elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			b->has_symtab = true;
			read_symtab(im, scn, &sh);
		} else if (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")) {
			b->has_dwarf = true;
		} else if (!strcmp(name, ".go.buildinfo")) {
			s->buildinfo = sh;
			s->have_buildinfo = true;
		} else if (!strcmp(name, ".gopclntab") ||
			   !strcmp(name, ".data.rel.ro.gopclntab")) {
			/* The second is where PIE builds keep it. */
			s->pclntab = sh;
			s->have_pclntab = true;
			snprintf(s->pclntab_name, sizeof(s->pclntab_name), "%s", name);
		} else if (!strcmp(name, ".text")) {
			s->text = sh;
			s->have_text = true;
		} else if (!strcmp(name, ".rodata")) {
			s->rodata = sh;
			s->have_rodata = true;
		} else if (!strcmp(name, ".rela.dyn") && sh.sh_type == SHT_RELA) {
			im->rela = section_bytes(im, &sh);
			im->rela_size = im->rela ? sh.sh_size : 0;
		}
	}
	return 0;
}

/* ---- .go.buildinfo -------------------------------------------------- */

static bool read_uvarint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	unsigned int shift = 0;

	while (*p < end && shift < 64) {
		uint8_t c = *(*p)++;

		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return true;
		}
		shift += 7;
	}
	return false;
}

static void set_version(struct gobin *b, const uint8_t *s, uint64_t len)
{
	const char *p;
	char *end;
	size_t n = len < sizeof(b->go_version) - 1 ? (size_t)len : sizeof(b->go_version) - 1;
	size_t i;

	for (i = 0; i < n; i++)
		b->go_version[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	b->go_version[n] = '\0';
	/* "go1.22.2", "go1.21rc2", "go1.23.5 X:nocoverageredesign" */
	b->go_major = b->go_minor = 0;
	if (strncmp(b->go_version, "go", 2))
		return;
	p = b->go_version + 2;
	if (*p < '0' || *p > '9')
		return;
	errno = 0;
	b->go_major = (int)strtol(p, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9' || errno ||
	    b->go_major > 1000) {
		b->go_major = 0;
		return;
	}
	b->go_minor = (int)strtol(end + 1, NULL, 10);
	if (b->go_minor > 1000 || b->go_minor < 0)
		b->go_major = b->go_minor = 0;
}

/* A Go string {ptr, len} stored at vaddr (the pre-1.18 format). */
static bool read_gostring_at(const struct gobin_impl *im, uint64_t vaddr,
			     const uint8_t **s, uint64_t *len)
{
	const uint8_t *hdr;
	uint64_t ptr;

	hdr = read_vaddr(im, vaddr, 16);
	if (!hdr || !read_ptr(im, vaddr, &ptr))
		return false;
	*len = gobin_le64(hdr + 8);
	if (*len > VERSION_MAX)
		return false;
	*s = read_vaddr(im, ptr, *len);
	return *s != NULL;
}

/* Parses the build info blob at data (len bytes, at link address vaddr). */
static int parse_buildinfo(struct gobin *b, const struct gobin_impl *im,
			   const uint8_t *data, size_t len, uint64_t vaddr,
			   char *err, size_t errlen)
{
	const uint8_t *s, *end = data + len;
	uint64_t n;

	if (len < BUILDINFO_HDR || memcmp(data, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN))
		return gobin_fail(err, errlen, "%s: .go.buildinfo is damaged", b->path);
	if (data[15] & 2) {
		/* Go 1.18+: varint length and bytes, right after the header. */
		s = data + BUILDINFO_HDR;
		if (!read_uvarint(&s, end, &n) || n > (uint64_t)(end - s) || n > VERSION_MAX)
			return gobin_fail(err, errlen, "%s: .go.buildinfo has a damaged "
				    "version string", b->path);
	} else {
		/* Older: pointers to string headers. */
		uint64_t ptr;

		if (data[14] != 8 || (data[15] & 1))
			return gobin_fail(err, errlen, "%s: .go.buildinfo is not for a "
				    "64-bit little-endian program", b->path);
		if (!read_ptr(im, vaddr + 16, &ptr) ||
		    !read_gostring_at(im, ptr, &s, &n))
			return gobin_fail(err, errlen, "%s: .go.buildinfo has a damaged "
				    "version pointer", b->path);
	}
	if (n == 0)
		return gobin_fail(err, errlen, "%s: .go.buildinfo has no Go version",
			    b->path);
	set_version(b, s, n);
	return 0;
}

static int find_buildinfo(struct gobin *b, const struct gobin_impl *im,
			  const struct sections *s, char *err, size_t errlen)
{
	size_t i;

	if (s->have_buildinfo) {
		const uint8_t *d = section_bytes(im, &s->buildinfo);

		if (!d)
			return gobin_fail(err, errlen, "%s is truncated (.go.buildinfo "
				    "is past the end)", b->path);
		return parse_buildinfo(b, im, d, s->buildinfo.sh_size,
				       s->buildinfo.sh_addr, err, errlen);
	}
	/* No section headers: Go's own reader looks in the writable data. */
	for (i = 0; i < im->nloads; i++) {
		const struct gobin_load *l = &im->loads[i];
		uint64_t off;

		if (!(l->flags & PF_W))
			continue;
		for (off = (BUILDINFO_ALIGN - l->vaddr % BUILDINFO_ALIGN) % BUILDINFO_ALIGN;
		     off + BUILDINFO_HDR <= l->filesz; off += BUILDINFO_ALIGN) {
			const uint8_t *d = im->image + l->offset + off;

			if (!memcmp(d, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN))
				return parse_buildinfo(b, im, d, (size_t)(l->filesz - off),
						       l->vaddr + off, err, errlen);
		}
	}
	gobin_fail(err, errlen, "%s is not a Go program (no .go.buildinfo section)", b->path);
	return GOBIN_NOT_GO;
}

/* ---- pclntab -------------------------------------------------------- */

static bool in_text(const struct gobin_impl *im, uint64_t vaddr)
{
	size_t i;

	for (i = 0; i < im->nloads; i++)
		if ((im->loads[i].flags & PF_X) && vaddr >= im->loads[i].vaddr &&
		    vaddr - im->loads[i].vaddr < im->loads[i].filesz)
			return true;
	return false;
}

/*
 * No section headers and no symbols (sstrip, some packers): look for a
 * pclntab header in the segments, and keep the first that parses and
 * whose functions start in executable code. Each header tried costs a
 * pass over its function table, so a crafted file full of headers would
 * make the scan quadratic: it gives up after SCAN_TRIES_MAX of them (a
 * Go binary has one, and 8 bytes of its magic rarely occur elsewhere).
 */
#define SCAN_TRIES_MAX 64

/*
 * runtime.firstmoduledata, found without symbols: the word in writable
 * data that points at the pclntab (its pcHeader), confirmed by the next
 * one (funcnametab's data: the header plus funcname_off) and, when text
 * is not 0, by the text start at byte MD_TEXT (so in the DWARF of go1.19
 * and go1.27). In a PIE the pointer may be a relocation's addend (an
 * externally linked one). Returns its address, or 0.
 */
#define MD_FUNCNAMETAB		8
#define MD_TEXT			176

static bool moduledata_at(const struct gobin_impl *im, uint64_t md, uint64_t pcln,
			  uint64_t funcname_off, uint64_t text)
{
	uint64_t v;

	return read_ptr(im, md, &v) && v == pcln &&
	       read_ptr(im, md + MD_FUNCNAMETAB, &v) && v == pcln + funcname_off &&
	       read_ptr(im, md + MD_TEXT, &v) && (!text || v == text);
}

static uint64_t find_moduledata(const struct gobin_impl *im, uint64_t pcln,
				uint64_t funcname_off, uint64_t text)
{
	size_t i;
	uint64_t off;

	for (i = 0; im->rela && i + 24 <= im->rela_size; i += 24) {
		const uint8_t *r = im->rela + i;

		if ((gobin_le64(r + 8) & 0xffffffff) == R_X86_64_RELATIVE &&
		    gobin_le64(r + 16) == pcln &&
		    moduledata_at(im, gobin_le64(r), pcln, funcname_off, text))
			return gobin_le64(r);
	}
	for (i = 0; i < im->nloads; i++) {
		const struct gobin_load *l = &im->loads[i];

		if (!(l->flags & PF_W))
			continue;
		for (off = (8 - l->vaddr % 8) % 8; off + 8 <= l->filesz; off += 8)
			if (gobin_le64(im->image + l->offset + off) == pcln &&
			    moduledata_at(im, l->vaddr + off, pcln, funcname_off, text))
				return l->vaddr + off;
	}
	return 0;
}

/*
 * Go 1.26 writes 0 as the text start in the pclntab header: the runtime
 * takes it from its moduledata. It is not always where .text starts: an
 * external linker puts C code first. Returns that text, or 0 when no
 * such moduledata is in the data.
 */
static uint64_t moduledata_text(const struct gobin_impl *im, uint64_t pcln,
				uint64_t funcname_off)
{
	uint64_t md = find_moduledata(im, pcln, funcname_off, 0), text;

	return md && read_ptr(im, md + MD_TEXT, &text) ? text : 0;
}

static const uint8_t *scan_pclntab(struct gobin *b, const struct gobin_impl *im,
				   uint64_t *text, uint64_t *len, size_t *tries)
{
	static const uint8_t tail[4] = { 0, 0, 1, 8 };
	size_t i;

	*tries = 0;

	for (i = 0; i < im->nloads; i++) {
		const struct gobin_load *l = &im->loads[i];
		const uint8_t *seg = im->image + l->offset;
		uint64_t off;

		for (off = 0; off + 72 <= l->filesz; off += 8) {
			const uint8_t *p = seg + off;
			struct gopcln try;
			uint64_t hint = 0;
			char why[8];

			if ((p[0] != 0xf0 && p[0] != 0xf1) || p[1] != 0xff ||
			    p[2] != 0xff || p[3] != 0xff || memcmp(p + 4, tail, 4))
				continue;
			if (++*tries > SCAN_TRIES_MAX)
				return NULL;
			if (!*text && !gobin_le64(p + 24))
				hint = moduledata_text(im, l->vaddr + off, gobin_le64(p + 32));
			if (gopcln_init(&try, p, (size_t)(l->filesz - off),
					*text ? *text : hint, why, sizeof(why)) ||
			    !in_text(im, try.text_start))
				continue;
			*text = try.text_start;
			*len = l->filesz - off;
			snprintf(b->pclntab_source, sizeof(b->pclntab_source),
				 "segment %zu at 0x%llx", i,
				 (unsigned long long)(l->vaddr + off));
			return p;
		}
	}
	return NULL;
}

static int find_pclntab(struct gobin *b, struct gobin_impl *im,
			const struct sections *s, char *err, size_t errlen)
{
	const uint8_t *d = NULL;
	uint64_t len = 0;
	uint64_t text = im->sym_text.found ? im->sym_text.value : im->text_addr;
	char why[192];
	size_t tries;

	if (s->have_pclntab) {
		d = section_bytes(im, &s->pclntab);
		if (!d)
			return gobin_fail(err, errlen, "%s is truncated (%s is past the end)",
				    b->path, s->pclntab_name);
		len = s->pclntab.sh_size;
		snprintf(b->pclntab_source, sizeof(b->pclntab_source), "section %s",
			 s->pclntab_name);
		if (!im->sym_text.found && len >= 40 && !gobin_le64(d + 24)) {
			uint64_t t = moduledata_text(im, s->pclntab.sh_addr, gobin_le64(d + 32));

			if (t)
				text = t;
		}
	} else if (im->sym_pclntab.found) {
		size_t i;

		/* Externally linked binaries: the symbol, to its segment's end. */
		for (i = 0; i < im->nloads; i++) {
			const struct gobin_load *l = &im->loads[i];
			uint64_t v = im->sym_pclntab.value;

			if (v >= l->vaddr && v - l->vaddr < l->filesz) {
				len = l->filesz - (v - l->vaddr);
				if (im->sym_pclntab.size && im->sym_pclntab.size < len)
					len = im->sym_pclntab.size;
				d = read_vaddr(im, v, len);
				break;
			}
		}
		if (!d)
			return gobin_fail(err, errlen, "%s: runtime.pclntab is not in the file",
				    b->path);
		snprintf(b->pclntab_source, sizeof(b->pclntab_source),
			 "symbol runtime.pclntab");
	} else {
		d = scan_pclntab(b, im, &text, &len, &tries);
		if (!d && tries > SCAN_TRIES_MAX)
			return gobin_fail(err, errlen, "%s: Go program without section "
				    "headers whose segments hold more than %d "
				    "pclntab-like headers; refusing to search on",
				    b->path, SCAN_TRIES_MAX);
		if (!d)
			return gobin_fail(err, errlen, "%s: Go program without a pclntab "
				    "(no .gopclntab section, no runtime.pclntab "
				    "symbol, no pclntab header in its segments)",
				    b->path);
	}
	if (gopcln_init(&im->pcln, d, (size_t)len, text, why, sizeof(why)))
		return gobin_fail(err, errlen, "%s: %s", b->path, why);
	b->pclntab_magic = im->pcln.magic;
	b->nfuncs = im->pcln.nfunc;
	return 0;
}

/* ---- open and close ------------------------------------------------- */

static int parse(struct gobin *b, char *err, size_t errlen)
{
	struct gobin_impl *im = b->impl;
	struct sections s;
	GElf_Ehdr eh;
	int r;

	if (im->size < 4 || memcmp(im->image, ELFMAG, SELFMAG)) {
		gobin_fail(err, errlen, "%s is not an ELF file", b->path);
		return GOBIN_NOT_GO;
	}
	if (elf_version(EV_CURRENT) == EV_NONE)
		return gobin_fail(err, errlen, "libelf: %s", elf_errmsg(-1));
	im->elf = elf_memory((char *)im->image, im->size);
	if (!im->elf || elf_kind(im->elf) != ELF_K_ELF || !gelf_getehdr(im->elf, &eh))
		return gobin_fail(err, errlen, "%s is not a valid ELF file", b->path);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64)
		return gobin_fail(err, errlen, "%s is not an x86-64 program", b->path);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return gobin_fail(err, errlen, "%s is not an executable (ELF type %u)",
			    b->path, eh.e_type);
	b->pie = eh.e_type == ET_DYN;
	if (read_loads(b, im, err, errlen) || read_sections(b, im, &s, err, errlen))
		return -1;
	if (s.have_text)
		im->text_addr = s.text.sh_addr;
	if (s.have_rodata)
		im->rodata_addr = s.rodata.sh_addr;
	r = find_buildinfo(b, im, &s, err, errlen);
	if (r)
		return r;
	return find_pclntab(b, im, &s, err, errlen);
}

static void init(struct gobin *b, const char *path)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->path, sizeof(b->path), "%s", path);
}

/* b takes the image im; what cannot be parsed is closed again. */
static int parse_image(struct gobin *b, struct gobin_impl *im, char *err,
		       size_t errlen)
{
	int r;

	b->impl = im;
	r = parse(b, err, errlen);
	if (r)
		gobin_close(b);
	return r;
}

int gobin_open(struct gobin *b, const char *path, char *err, size_t errlen)
{
	struct gobin_impl *im;
	struct stat st;
	void *map;
	int fd;

	init(b, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gobin_fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return gobin_fail(err, errlen, "%s is not a regular file", path);
	}
	if (st.st_size < 64) {
		close(fd);
		gobin_fail(err, errlen, "%s is not an ELF file (%lld bytes)", path,
		     (long long)st.st_size);
		return GOBIN_NOT_GO;
	}
	/* Private and writable: libelf may fix up data in place, never the file. */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return gobin_fail(err, errlen, "cannot map %s: %s", path, strerror(errno));
	im = calloc(1, sizeof(*im));
	if (!im) {
		munmap(map, (size_t)st.st_size);
		return gobin_fail(err, errlen, "out of memory");
	}
	im->image = map;
	im->size = (size_t)st.st_size;
	im->mapped = true;
	return parse_image(b, im, err, errlen);
}

int gobin_open_mem(struct gobin *b, const void *data, size_t size,
		   const char *name, char *err, size_t errlen)
{
	struct gobin_impl *im;

	init(b, name);
	im = calloc(1, sizeof(*im));
	if (!im)
		return gobin_fail(err, errlen, "out of memory");
	im->image = malloc(size ? size : 1);
	if (!im->image) {
		free(im);
		return gobin_fail(err, errlen, "out of memory");
	}
	if (size)
		memcpy(im->image, data, size);
	im->size = size;
	return parse_image(b, im, err, errlen);
}

void gobin_free_reasons(struct gobin *b)
{
	size_t i;

	for (i = 0; b->reasons && i < b->nreasons; i++)
		free(b->reasons[i]);
	free(b->reasons);
	b->reasons = NULL;
	b->nreasons = 0;
}

void gobin_close(struct gobin *b)
{
	struct gobin_impl *im = b->impl;

	gobin_free_reasons(b);
	if (im) {
		gopcln_free(&im->pcln);
		if (im->elf)
			elf_end(im->elf);
		if (im->mapped)
			munmap(im->image, im->size);
		else
			free(im->image);
		free(im);
	}
	b->impl = NULL;
}

/* ---- addresses, functions and lines ---------------------------------- */

int gobin_file_offset(const struct gobin *b, uint64_t vaddr, uint64_t *offset)
{
	const struct gobin_impl *im = b->impl;
	size_t i;

	if (!im)
		return -1;
	for (i = 0; i < im->nloads; i++) {
		const struct gobin_load *l = &im->loads[i];

		if (vaddr >= l->vaddr && vaddr - l->vaddr < l->filesz) {
			*offset = vaddr - l->vaddr + l->offset;
			return 0;
		}
	}
	return -1;
}

const char *gobin_func_name(const struct gobin *b, uint64_t vaddr)
{
	struct gofunc f;
	long i;

	if (!b->impl)
		return NULL;
	i = gopcln_find_pc(&b->impl->pcln, vaddr);
	if (i < 0 || gopcln_func(&b->impl->pcln, (size_t)i, &f) || vaddr >= f.end)
		return NULL;
	return f.name;
}

void gobin_pc_source(const struct gobin *b, uint64_t vaddr, const char **func,
		     const char **file, uint32_t *line)
{
	struct gofunc f;
	long i;

	*func = *file = NULL;
	*line = 0;
	if (!b->impl)
		return;
	i = gopcln_find_pc(&b->impl->pcln, vaddr);
	if (i < 0 || gopcln_func(&b->impl->pcln, (size_t)i, &f) || vaddr >= f.end)
		return;
	*func = f.name;
	/* A return address names the line of its call: the byte before it. */
	if (gopcln_line(&b->impl->pcln, &f, vaddr > f.entry ? vaddr - 1 : vaddr, file,
			line)) {
		*file = NULL;
		*line = 0;
	}
}

int gobin_func_range(const struct gobin *b, const char *name, uint64_t *entry,
		     uint64_t *end)
{
	struct gofunc f;
	long i;

	if (!b->impl || !name)
		return -1;
	/* Bisect names from the second lookup on (a failure leaves it linear). */
	gopcln_index_names(&b->impl->pcln);
	i = gopcln_find_name(&b->impl->pcln, name);
	if (i < 0 || gopcln_func(&b->impl->pcln, (size_t)i, &f))
		return -1;
	*entry = f.entry;
	*end = f.end;
	return 0;
}

int gobin_func_at(const struct gobin *b, size_t i, const char **name,
		  uint64_t *entry, uint64_t *end)
{
	struct gofunc f;

	if (!b->impl || gopcln_func(&b->impl->pcln, i, &f))
		return -1;
	*name = f.name;
	*entry = f.entry;
	*end = f.end;
	return 0;
}

size_t gobin_func_suggest(const struct gobin *b, const char *name,
			  const char **names, size_t max)
{
	const struct gopcln *p;
	const char *last;
	size_t i, n = 0, pass;

	if (!b->impl || !name || !*name)
		return 0;
	p = &b->impl->pcln;
	/* The last element, after the package path and any receiver. */
	last = strrchr(name, '.');
	last = last && last[1] ? last + 1 : name;
	/* First names ending in ".LAST", then names containing NAME. */
	for (pass = 0; pass < 2 && n < max; pass++) {
		for (i = 0; i < p->nfunc && n < max; i++) {
			struct gofunc f;
			size_t ln, lf, k;
			bool dup = false;

			if (gopcln_func(p, i, &f))
				continue;
			if (pass == 0) {
				ln = strlen(last);
				lf = strlen(f.name);
				if (lf <= ln || strcmp(f.name + lf - ln, last) ||
				    f.name[lf - ln - 1] != '.')
					continue;
			} else if (!strstr(f.name, name)) {
				continue;
			}
			for (k = 0; k < n; k++)
				dup |= !strcmp(names[k], f.name);
			if (!dup)
				names[n++] = f.name;
		}
	}
	return n;
}

int gobin_line(const struct gobin *b, uint64_t vaddr, const char **file,
	       uint32_t *line)
{
	struct gofunc f;
	long i;

	if (!b->impl)
		return -1;
	i = gopcln_find_pc(&b->impl->pcln, vaddr);
	if (i < 0 || gopcln_func(&b->impl->pcln, (size_t)i, &f))
		return -1;
	return gopcln_line(&b->impl->pcln, &f, vaddr, file, line);
}

int gobin_line_pcs(const struct gobin *b, const char *file, uint32_t line,
		   uint64_t *pcs, size_t max)
{
	if (!b->impl)
		return -1;
	return gopcln_line_pcs(&b->impl->pcln, file, line, pcs, max);
}

int gobin_rets(const struct gobin *b, uint64_t entry, uint64_t end,
	       uint64_t *vaddrs, size_t max)
{
	const uint8_t *code;
	uint64_t addr = entry;
	size_t size, n = 0;
	cs_insn *insn;
	csh cs;
	int ret = 0;

	if (!b->impl || end <= entry || end - entry > (16U << 20))
		return -1;
	code = read_vaddr(b->impl, entry, end - entry);
	if (!code)
		return -1;
	size = (size_t)(end - entry);
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return -1;
	insn = cs_malloc(cs);
	if (!insn) {
		cs_close(&cs);
		return -1;
	}
	while (size > 0) {
		if (!cs_disasm_iter(cs, &code, &size, &addr, insn)) {
			/* A probe must sit on an instruction: no guessing. */
			ret = -1;
			break;
		}
		if (insn->id == X86_INS_RET) {
			if (n < max)
				vaddrs[n] = insn->address;
			n++;
		}
	}
	cs_free(insn, 1);
	cs_close(&cs);
	return ret ? -1 : (int)n;
}

/* ---- load bias ------------------------------------------------------ */

static bool parse_hex(const char **p, uint64_t *v)
{
	char *end;

	if (!isxdigit((unsigned char)**p))
		return false;
	errno = 0;
	*v = strtoull(*p, &end, 16);
	if (errno)
		return false;
	*p = end;
	return true;
}

static void skip_field(const char **p)
{
	while (**p && **p != ' ' && **p != '\n')
		(*p)++;
	while (**p == ' ')
		(*p)++;
}

/* The "major:minor" device column of a maps line (both hex). */
static bool parse_dev(const char **p, dev_t *dev)
{
	uint64_t maj, min;

	if (!parse_hex(p, &maj) || *(*p)++ != ':' || !parse_hex(p, &min) ||
	    maj > UINT32_MAX || min > UINT32_MAX)
		return false;
	*dev = makedev((unsigned int)maj, (unsigned int)min);
	return true;
}

/* One line of /proc/PID/maps: where offset 0 of which file is mapped. */
struct maps_line {
	uint64_t start, off, ino;
	dev_t dev;
};

/* "start-end perms offset dev inode path": false for what is not one. */
static bool parse_maps_line(const char *q, struct maps_line *m)
{
	uint64_t end;
	char *e;

	if (!parse_hex(&q, &m->start) || *q++ != '-' || !parse_hex(&q, &end) || *q != ' ')
		return false;
	while (*q == ' ')
		q++;
	skip_field(&q);			/* perms */
	if (!parse_hex(&q, &m->off) || *q != ' ')
		return false;
	while (*q == ' ')
		q++;
	if (!parse_dev(&q, &m->dev) || *q != ' ')
		return false;
	while (*q == ' ')
		q++;
	if (*q < '0' || *q > '9')
		return false;
	errno = 0;
	m->ino = strtoull(q, &e, 10);
	return !errno && (*e == ' ' || *e == '\n' || *e == '\0');
}

int gobin_load_bias(const struct gobin *b, const char *maps, dev_t dev, uint64_t ino,
		    uint64_t *bias)
{
	uint64_t base = b->first_load_vaddr & ~(PAGE_SIZE_X86 - 1);
	uint64_t exact = UINT64_MAX, by_ino = UINT64_MAX;
	bool ino_devs_differ = false;
	dev_t ino_dev = 0;
	const char *p = maps;

	if (!maps)
		return -1;
	while (*p) {
		const char *line = p;
		struct maps_line m;

		p = strchr(line, '\n');
		p = p ? p + 1 : line + strlen(line);
		if (!parse_maps_line(line, &m) || m.ino != ino || m.off != 0)
			continue;
		if (m.dev == dev && m.start < exact)
			exact = m.start;
		if (by_ino != UINT64_MAX && m.dev != ino_dev)
			ino_devs_differ = true;
		if (m.start < by_ino) {
			by_ino = m.start;
			ino_dev = m.dev;
		}
	}
	if (exact == UINT64_MAX && !ino_devs_differ)
		exact = by_ino;
	if (exact == UINT64_MAX || exact < base)
		return -1;
	*bias = exact - base;
	return 0;
}

/* ---- entry probes -------------------------------------------------- */

/*
 * Where an entry probe goes: on the jump of the stack check that opens
 * most Go functions ("cmp rsp|r12, [r14+16]; jbe morestack"), recording
 * only when it falls through (GODIAG_A_PROBE_JCC). When the check fails,
 * morestack grows the stack and jumps back to the entry, so a probe on the
 * first byte of gopark or goexit1 would fire again for the same park or
 * exit; and the kernel emulates a jump, where the instruction after it
 * (often "sub rsp, N" before Go 1.21) would be single-stepped out of line.
 * The registers the probes read are the entry's there. Functions without
 * the check (nosplit) are probed at their entry. The check is two
 * instructions, three for a larger frame ("lea r12, [rsp-N]" first), five
 * for a frame of about 4 KiB or more ("mov r12, rsp; sub r12, N; jb
 * morestack" first, against wrapping around).
 */
static bool is_stackguard_cmp(const cs_insn *insn)
{
	const cs_x86 *x = &insn->detail->x86;
	int i;

	if (insn->id != X86_INS_CMP)
		return false;
	for (i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_MEM &&
		    x->operands[i].mem.base == X86_REG_R14)
			return true;
	return false;
}

/* The condition code of a jb/jbe ("jump if the stack is too small"), else -1. */
static int stack_check_jcc(const cs_insn *insn)
{
	const uint8_t *op = insn->bytes;

	if (insn->id != X86_INS_JBE && insn->id != X86_INS_JB)
		return -1;
	if (insn->size == 2 && (op[0] & 0xf0) == 0x70)
		return op[0] & 0x0f;
	if (insn->size == 6 && op[0] == 0x0f && (op[1] & 0xf0) == 0x80)
		return op[1] & 0x0f;
	return -1;
}

uint64_t gobin_entry_probe(const struct gobin *b, uint64_t entry, uint64_t end,
			   int *jcc)
{
	uint64_t addr = entry, at = entry;
	bool cmp_seen = false;
	const uint8_t *code;
	size_t size;
	cs_insn *insn;
	int n;
	csh cs;

	*jcc = -1;
	size = (size_t)(end - entry < 64 ? end - entry : 64);
	code = read_vaddr(b->impl, entry, size);
	if (!code || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return entry;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(cs);
	for (n = 0; insn && n < 6 && cs_disasm_iter(cs, &code, &size, &addr, insn); n++) {
		if (cmp_seen && (*jcc = stack_check_jcc(insn)) >= 0) {
			at = insn->address;
			break;
		}
		cmp_seen = is_stackguard_cmp(insn);
	}
	if (insn)
		cs_free(insn, 1);
	cs_close(&cs);
	return at;
}

static const char *const reg_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

const char *gobin_reg_name(uint8_t reg)
{
	return reg < 16 ? reg_names[reg] : "-";
}

/* ---- the image, for gofacts.c and gorecover.c ---------------------- */

const uint8_t *gobin_bytes(const struct gobin *b, uint64_t vaddr, uint64_t len)
{
	return b->impl ? read_vaddr(b->impl, vaddr, len) : NULL;
}

bool gobin_read_ptr(const struct gobin *b, uint64_t vaddr, uint64_t *v)
{
	return b->impl && read_ptr(b->impl, vaddr, v);
}

int gobin_segment(const struct gobin *b, size_t i, uint64_t *vaddr,
		  uint64_t *filesz, uint32_t *flags)
{
	if (!b->impl || i >= b->impl->nloads)
		return -1;
	*vaddr = b->impl->loads[i].vaddr;
	*filesz = b->impl->loads[i].filesz;
	*flags = b->impl->loads[i].flags;
	return 0;
}

int gobin_reasons_symbol(const struct gobin *b, uint64_t *vaddr, uint64_t *size)
{
	if (!b->impl || !b->impl->sym_reasons.found)
		return -1;
	*vaddr = b->impl->sym_reasons.value;
	*size = b->impl->sym_reasons.size;
	return 0;
}

Elf *gobin_elf(const struct gobin *b)
{
	return b->impl ? b->impl->elf : NULL;
}

static void symtab_objects(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
			   const char *const *names, size_t n, struct gobin_sym *out)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, k, nsyms;

	if (!data)
		return;
	nsyms = data->d_size / sh->sh_entsize;
	for (i = 0; i < nsyms; i++) {
		const char *name;
		GElf_Sym s;

		if (!gelf_getsym(data, (int)i, &s) || !s.st_name ||
		    GELF_ST_TYPE(s.st_info) != STT_OBJECT)
			continue;
		name = elf_strptr(elf, sh->sh_link, s.st_name);
		for (k = 0; name && k < n; k++) {
			if (out[k].found || strcmp(name, names[k]))
				continue;
			out[k].found = true;
			out[k].value = s.st_value;
			out[k].size = s.st_size;
		}
	}
}

void gobin_symtab_objects(const struct gobin *b, const char *const *names, size_t n,
			  struct gobin_sym *out)
{
	Elf *elf = gobin_elf(b);
	Elf_Scn *scn = NULL;

	memset(out, 0, n * sizeof(*out));
	while (elf && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB && sh.sh_entsize)
			symtab_objects(elf, scn, &sh, names, n, out);
	}
}

/* ---- for the other parts of the reader (gowrap.c) ------------------- */

const uint8_t *gobin_vaddr_bytes(const struct gobin *b, uint64_t vaddr, uint64_t len)
{
	return b->impl ? read_vaddr(b->impl, vaddr, len) : NULL;
}

struct gopcln *gobin_pcln(const struct gobin *b)
{
	return b->impl ? &b->impl->pcln : NULL;
}

/* The link-time address of the pclntab, from where it lies in the image. */
static uint64_t pclntab_vaddr(const struct gobin_impl *im)
{
	uint64_t off = (uint64_t)(im->pcln.data - im->image);
	size_t i;

	for (i = 0; i < im->nloads; i++)
		if (off >= im->loads[i].offset && off - im->loads[i].offset < im->loads[i].filesz)
			return im->loads[i].vaddr + (off - im->loads[i].offset);
	return 0;
}

/*
 * The gofunc of runtime.firstmoduledata (find_moduledata()). The fields
 * between types and gofunc change between versions (covctrs in 1.20;
 * typedesclen, itaboffset and itabsize in 1.27), so gofunc is found, not
 * assumed: it follows the rodata field, the last word there that holds
 * .rodata's address (types, before it, may hold the same).
 */
#define MD_TYPES_MIN		264	/* types is further in every version */
#define MD_GOFUNC_MAX		400	/* gofunc is before this in every version */

/* gofunc of the moduledata at md: the word after rodata's, or 0. */
static uint64_t moduledata_gofunc(const struct gobin_impl *im, uint64_t md)
{
	uint64_t off, v, gofunc = 0;

	if (!im->rodata_addr)
		return 0;
	for (off = MD_TYPES_MIN; off + 16 <= MD_GOFUNC_MAX; off += 8)
		if (read_ptr(im, md + off, &v) && v == im->rodata_addr &&
		    read_ptr(im, md + off + 8, &v) && v > im->rodata_addr)
			gofunc = v;
	return gofunc;
}

uint64_t gobin_gofunc(const struct gobin *b)
{
	struct gobin_impl *im = b->impl;
	uint64_t md, pcln;

	if (!im || im->gofunc_looked)
		return im ? im->gofunc : 0;
	im->gofunc_looked = true;
	if (im->sym_gofunc.found) {
		im->gofunc = im->sym_gofunc.value;
		return im->gofunc;
	}
	pcln = pclntab_vaddr(im);
	md = pcln ? find_moduledata(im, pcln, (uint64_t)(im->pcln.funcname.p - im->pcln.data),
				    im->pcln.text_start) : 0;
	im->gofunc = md ? moduledata_gofunc(im, md) : 0;
	return im->gofunc;
}

/* ---- type descriptors ------------------------------------------------ */

/*
 * moduledata.types and etypes, found without symbols. They come before
 * the rodata field (found as moduledata_gofunc() finds it): right before
 * it up to Go 1.26 (types, etypes, rodata), while 1.27 puts typedesclen
 * between them and itaboffset, itabsize after (types, typedesclen,
 * etypes, itaboffset, itabsize, rodata). The layout whose pair is an
 * ordered range the file holds wins: in 1.27 the first candidate is
 * itaboffset, a small number no segment maps.
 */
static const uint8_t md_types_back[][2] = { { 16, 8 }, { 40, 24 } };

static bool moduledata_types(const struct gobin_impl *im, uint64_t md, uint64_t *types,
			     uint64_t *etypes)
{
	uint64_t off, v, ro = 0, t, e;
	size_t i;

	if (!im->rodata_addr)
		return false;
	for (off = MD_TYPES_MIN; off + 16 <= MD_GOFUNC_MAX; off += 8)
		if (read_ptr(im, md + off, &v) && v == im->rodata_addr &&
		    read_ptr(im, md + off + 8, &v) && v > im->rodata_addr)
			ro = off;
	for (i = 0; ro && i < sizeof(md_types_back) / sizeof(md_types_back[0]); i++) {
		if (ro < md_types_back[i][0] ||
		    !read_ptr(im, md + ro - md_types_back[i][0], &t) ||
		    !read_ptr(im, md + ro - md_types_back[i][1], &e) || t >= e ||
		    !read_vaddr(im, t, e - t))
			continue;
		*types = t;
		*etypes = e;
		return true;
	}
	return false;
}

static void find_types(const struct gobin *b)
{
	struct gobin_impl *im = b->impl;
	uint64_t md, pcln;

	im->types_looked = true;
	if (im->sym_types.found && im->sym_etypes.found &&
	    im->sym_types.value < im->sym_etypes.value) {
		im->types = im->sym_types.value;
		im->etypes = im->sym_etypes.value;
		return;
	}
	pcln = pclntab_vaddr(im);
	md = pcln ? find_moduledata(im, pcln, (uint64_t)(im->pcln.funcname.p - im->pcln.data),
				    im->pcln.text_start) : 0;
	if (!md || !moduledata_types(im, md, &im->types, &im->etypes))
		im->types = im->etypes = 0;
}

int gobin_types(const struct gobin *b, uint64_t *types, uint64_t *etypes)
{
	if (!b->impl)
		return -1;
	if (!b->impl->types_looked)
		find_types(b);
	*types = b->impl->types;
	*etypes = b->impl->etypes;
	return *types ? 0 : -1;
}

/*
 * Offsets in runtime._type (to Go 1.20) / internal/abi.Type (1.21 on),
 * the same in every version of 1.19-1.27 (their DWARF says so).
 */
#define TYPE_SIZE		48
#define TYPE_TFLAG		20
#define TYPE_STR		40
#define TFLAG_EXTRA_STAR	(1U << 1)	/* the name has a '*' the type has not */
#define TYPE_NAME_MAX		1024

/*
 * The bytes of the name at vaddr: a flag byte, the length as a uvarint,
 * the bytes (runtime.name since Go 1.17). NULL when any part is outside
 * the file, too long or not text.
 */
static const uint8_t *type_name_bytes(const struct gobin_impl *im, uint64_t vaddr,
				      uint64_t *len)
{
	const uint8_t *p;
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < 10; i++) {
		p = read_vaddr(im, vaddr + 1 + i, 1);
		if (!p)
			return NULL;
		n |= (uint64_t)(*p & 0x7f) << (7 * i);
		if (!(*p & 0x80))
			break;
	}
	if (i == 10 || !n || n > TYPE_NAME_MAX)
		return NULL;
	p = read_vaddr(im, vaddr + 2 + i, n);
	for (i = 0; p && i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return NULL;
	*len = n;
	return p;
}

int gobin_type_name(const struct gobin *b, uint64_t vaddr, char *buf, size_t len)
{
	uint64_t types, etypes, n;
	const uint8_t *t, *name = NULL;

	if (!vaddr) {
		snprintf(buf, len, "nil");
		return 0;
	}
	if (!gobin_types(b, &types, &etypes) && vaddr >= types && vaddr < etypes &&
	    (t = read_vaddr(b->impl, vaddr, TYPE_SIZE)))
		name = type_name_bytes(b->impl, types + (uint64_t)(int64_t)(int32_t)
				       gobin_le32(t + TYPE_STR), &n);
	if (!name) {
		snprintf(buf, len, "(type at 0x%" PRIx64 ")", vaddr);
		return -1;
	}
	if ((t[TYPE_TFLAG] & TFLAG_EXTRA_STAR) && n > 1 && name[0] == '*') {
		name++;
		n--;
	}
	snprintf(buf, len, "%.*s", (int)n, (const char *)name);
	return 0;
}

/* Most of /proc/PID/maps read: a Go program maps far less. */
#define MAPS_MAX	(64U << 20)

int gobin_process_bias(const struct gobin *b, uint32_t pid, const char *exe,
		       uint64_t *bias)
{
	char path[64], *maps;
	struct stat st;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	if (stat(exe, &st) || !(maps = proc_read(path, MAPS_MAX, &len)))
		return -1;
	r = gobin_load_bias(b, maps, st.st_dev, (uint64_t)st.st_ino, bias);
	free(maps);
	return r ? GOBIN_NOT_MAPPED : 0;
}
