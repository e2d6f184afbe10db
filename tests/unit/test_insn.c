// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/insn.c, the module's x86-64 instruction length decoder, built here
 * in userspace:
 *
 * - hand-assembled encodings (prefixes, REX, 16-bit immediates, moffs,
 *   RIP-relative and SIB addressing, VEX, EVEX, three-byte maps, 15-byte
 *   instructions) with the length from the SDM, each also compared with
 *   capstone where capstone decodes it; what must be refused, refused;
 * - every encoding cut short: "SHORT", never a read past the bytes given
 *   (each decode gets a heap copy of exactly those bytes: ASan watches);
 * - every function of every Go test program in build/progs (all
 *   toolchains, static, PIE and stripped), decoded from its entry to its
 *   end like the module does, instruction by instruction against
 *   capstone. Any difference fails, and so does finding no Go program.
 *   A function whose bytes an earlier program already had is not decoded
 *   again (the decoders see only the bytes, so it would give the same
 *   answer): a stripped build is its static build's code, and programs
 *   of one toolchain share much of the runtime byte for byte. Nothing
 *   distinct is left out; the count is printed per program.
 */
#include <capstone/capstone.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/hmap.h"
#include "gobin/gobin.h"
#include "insn.h"
#include "test.h"
#include "test_files.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static csh cs;

/* godiag_insn_decode() on a heap copy of exactly len bytes. */
static enum godiag_insn_result decode(const uint8_t *p, size_t len,
				      struct godiag_insn *insn)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum godiag_insn_result r;

	if (!copy)
		abort();
	memcpy(copy, p, len);
	r = godiag_insn_decode(copy, len, insn);
	free(copy);
	return r;
}

/*
 * objdump's length of the instruction at p, 0 when it cannot decode it:
 * the second opinion for what capstone 4 does not know (vbroadcasti128,
 * some AVX-512).
 */
static unsigned int objdump_runs;
static struct hmap objdump_seen = HMAP_INIT;	/* 16 bytes -> length */

static size_t objdump_len(const uint8_t *p, size_t len)
{
	char path[] = "/tmp/test_insn.XXXXXX", cmd[256], line[512], *tab, *tok;
	size_t got = 0;
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	objdump_runs++;
	if (write(fd, p, len < 16 ? len : 16) < 0)
		len = 0;
	close(fd);
	snprintf(cmd, sizeof(cmd), "objdump -D -b binary -mi386:x86-64 --insn-width=16 "
		 "%s 2>/dev/null", path);
	f = len ? popen(cmd, "r") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		/* "   0:\tc4 42 7d 5a 70 10 \tvbroadcasti128 0x10(%r8),%ymm14" */
		if (strncmp(line, "   0:\t", 6) || !(tab = strchr(line + 6, '\t')))
			continue;
		if (strstr(tab, "(bad)"))
			break;
		*tab = '\0';
		for (tok = strtok(line + 6, " "); tok; tok = strtok(NULL, " "))
			got++;
		break;
	}
	if (f)
		pclose(f);
	unlink(path);
	return got;
}

/*
 * objdump_len() once per 16-byte window: an instruction capstone does not
 * know recurs in every build of a runtime function (a fork each costs a
 * minute over the Go programs).
 */
static size_t objdump_len_cached(const uint8_t *p, size_t len)
{
	uint8_t w[16] = { 0 };
	uint64_t a, b;
	uint32_t *got;
	bool added;

	memcpy(w, p, len < 16 ? len : 16);
	memcpy(&a, w, 8);
	memcpy(&b, w + 8, 8);
	if (len < 16)	/* a window cut short is another key */
		b ^= (uint64_t)(len + 1) << 56;
	got = hmap_find(&objdump_seen, a, b);
	if (got)
		return *got;
	len = objdump_len(p, len);
	hmap_get(&objdump_seen, a, b, (uint32_t)len, &added);
	return len;
}

/*
 * The reference length of the instruction at p: capstone's, or objdump's
 * when capstone cannot decode it; 0 when neither can.
 */
static size_t ref_len(const uint8_t *p, size_t len)
{
	static cs_insn *insn;	/* one, reused: no allocation per instruction */
	uint64_t addr = 0x1000;
	size_t size = len;

	if (!insn)
		insn = cs_malloc(cs);
	if (insn && cs_disasm_iter(cs, &p, &size, &addr, insn))
		return insn->size;
	return objdump_len_cached(p, len);
}

static size_t parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int v;
	int used;

	while (*s && n < max) {
		while (*s == ' ')
			s++;
		if (!*s || sscanf(s, "%2x%n", &v, &used) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += used;
	}
	return n;
}

/* ---- hand-assembled encodings ----------------------------------------- */

#define OK	GODIAG_INSN_OK
#define BAD	GODIAG_INSN_BAD

struct enc {
	const char *what;
	const char *hex;
	int result;		/* OK or BAD */
	unsigned int len;	/* OK: the SDM's length */
	int cc;			/* a jcc's condition code, -1: not a jcc */
	bool cs_differs;	/* capstone is known to decode it otherwise */
};

static const struct enc encs[] = {
	/* one-byte map, ModRM and SIB forms */
	{ "nop", "90", OK, 1, -1, false },
	{ "ret", "c3", OK, 1, -1, false },
	{ "int3", "cc", OK, 1, -1, false },
	{ "ret imm16", "c2 08 00", OK, 3, -1, false },
	{ "push r15 (REX.B)", "41 57", OK, 2, -1, false },
	{ "mov rbp, rsp", "48 89 e5", OK, 3, -1, false },
	{ "mov rax, [rbp-8]", "48 8b 45 f8", OK, 4, -1, false },
	{ "mov rax, [rsp+8] (SIB, disp8)", "48 8b 44 24 08", OK, 5, -1, false },
	{ "mov rax, [rsp+0x100] (SIB, disp32)", "48 8b 84 24 00 01 00 00", OK, 8, -1, false },
	{ "mov rax, [rip+disp32]", "48 8b 05 78 56 34 12", OK, 7, -1, false },
	{ "mov eax, [eip+disp32] (0x67)", "67 8b 05 78 56 34 12", OK, 7, -1, false },
	{ "mov eax, [disp32] (SIB, no base)", "8b 04 25 78 56 34 12", OK, 7, -1, false },
	{ "mov eax, [rbp+disp8] (SIB base 5, mod 1)", "8b 44 25 00", OK, 4, -1, false },
	{ "mov eax, [r13+disp32] (SIB base 5, mod 2)", "41 8b 84 25 00 01 00 00", OK, 8, -1, false },
	{ "Go stack check cmp rsp, [r14+16]", "49 3b 66 10", OK, 4, -1, false },
	{ "mov rax, fs:[-8] (Go TLS)", "64 48 8b 04 25 f8 ff ff ff", OK, 9, -1, false },
	{ "lea eax, [rsp]", "8d 04 24", OK, 3, -1, false },
	{ "lea with a register operand", "8d c0", BAD, 0, -1, false },
	{ "pop rax (8f /0)", "8f c0", OK, 2, -1, false },
	{ "pop [rax]", "8f 00", OK, 2, -1, false },
	{ "XOP (8f, ModRM.reg 5)", "8f e8 78 c2 c1 04", BAD, 0, -1, true },
	{ "inc al", "fe c0", OK, 2, -1, false },
	{ "fe /2 (undefined)", "fe d0", BAD, 0, -1, false },
	{ "call rax", "ff d0", OK, 2, -1, false },
	{ "call [rip+0]", "ff 15 00 00 00 00", OK, 6, -1, false },
	{ "ff /7 (undefined)", "ff f8", BAD, 0, -1, false },
	{ "far call through a register", "ff d8", BAD, 0, -1, false },
	{ "fld st0", "d9 c0", OK, 2, -1, false },
	{ "fld qword [rsp+8]", "dd 44 24 08", OK, 4, -1, false },
	{ "rep stosq", "f3 48 ab", OK, 3, -1, false },
	{ "lock cmpxchg [rdx], rcx", "f0 48 0f b1 0a", OK, 5, -1, false },
	{ "enter 16, 0", "c8 10 00 00", OK, 4, -1, false },
	{ "int 0x80", "cd 80", OK, 2, -1, false },
	/* immediates: imm8, imm16/32 with 0x66 and REX.W, imm64, moffs */
	{ "add eax, imm32", "05 78 56 34 12", OK, 5, -1, false },
	{ "add ax, imm16", "66 05 34 12", OK, 4, -1, false },
	{ "add rax, imm32", "48 05 78 56 34 12", OK, 6, -1, false },
	{ "0x66 and REX.W: REX.W wins", "66 48 05 78 56 34 12", OK, 7, -1, false },
	{ "add ecx, imm32", "81 c1 78 56 34 12", OK, 6, -1, false },
	{ "add cx, imm16", "66 81 c1 34 12", OK, 5, -1, false },
	{ "add esp, imm8", "83 c4 08", OK, 3, -1, false },
	{ "sub rsp, imm8", "48 83 ec 18", OK, 4, -1, false },
	{ "imul eax, eax, imm32", "69 c0 78 56 34 12", OK, 6, -1, false },
	{ "imul ax, ax, imm16", "66 69 c0 34 12", OK, 5, -1, false },
	{ "imul eax, eax, imm8", "6b c0 08", OK, 3, -1, false },
	{ "push imm32", "68 78 56 34 12", OK, 5, -1, false },
	{ "push imm16", "66 68 34 12", OK, 4, -1, false },
	{ "push imm8", "6a 08", OK, 2, -1, false },
	{ "mov eax, imm32", "b8 78 56 34 12", OK, 5, -1, false },
	{ "mov ax, imm16", "66 b8 34 12", OK, 4, -1, false },
	{ "mov rax, imm64", "48 b8 88 77 66 55 44 33 22 11", OK, 10, -1, false },
	{ "mov r10, imm64", "49 ba 88 77 66 55 44 33 22 11", OK, 10, -1, false },
	{ "0x66 then REX.W: imm64", "66 48 b8 88 77 66 55 44 33 22 11", OK, 11, -1, false },
	{ "REX then 0x66: the REX is ignored, imm16", "48 66 b8 34 12", OK, 5, -1, false },
	{ "mov al, moffs64", "a0 88 77 66 55 44 33 22 11", OK, 9, -1, false },
	{ "mov rax, moffs64", "48 a1 88 77 66 55 44 33 22 11", OK, 10, -1, false },
	{ "mov al, moffs32 (0x67)", "67 a0 78 56 34 12", OK, 6, -1, false },
	{ "mov byte [rax], imm8", "c6 00 01", OK, 3, -1, false },
	{ "mov dword [rax], imm32", "c7 00 78 56 34 12", OK, 6, -1, false },
	{ "mov word [rax], imm16", "66 c7 00 34 12", OK, 5, -1, false },
	{ "mov rax, -1 (imm32)", "48 c7 c0 ff ff ff ff", OK, 7, -1, false },
	{ "mov qword [rsp+8], imm32", "48 c7 44 24 08 01 00 00 00", OK, 9, -1, false },
	{ "xabort imm8", "c6 f8 05", OK, 3, -1, false },
	{ "xbegin rel32", "c7 f8 00 00 00 00", OK, 6, -1, false },
	{ "c6 /1 (undefined)", "c6 c8 01", BAD, 0, -1, false },
	{ "test cl, imm8", "f6 c1 01", OK, 3, -1, false },
	{ "test ecx, imm32", "f7 c1 78 56 34 12", OK, 6, -1, false },
	{ "test cx, imm16", "66 f7 c1 34 12", OK, 5, -1, false },
	{ "test byte [rax+8], imm8", "f6 40 08 01", OK, 4, -1, false },
	{ "not cl (group 3, no imm)", "f6 d1", OK, 2, -1, false },
	{ "neg eax", "f7 d8", OK, 2, -1, false },
	{ "f7 /1 (undefined)", "f7 c8 00 00 00 00", BAD, 0, -1, true },
	/* branches */
	{ "jbe rel8", "76 05", OK, 2, 6, false },
	{ "jo rel8", "70 00", OK, 2, 0, false },
	{ "jg rel8", "7f 00", OK, 2, 15, false },
	{ "jbe rel8 with a branch hint", "3e 76 05", OK, 3, 6, false },
	{ "jbe rel32", "0f 86 00 01 00 00", OK, 6, 6, false },
	{ "jo rel32", "0f 80 00 00 00 00", OK, 6, 0, false },
	{ "jg rel32", "0f 8f 00 00 00 00", OK, 6, 15, false },
	{ "call rel32", "e8 00 00 00 00", OK, 5, -1, false },
	{ "jmp rel32", "e9 00 00 00 00", OK, 5, -1, false },
	{ "jmp rel8", "eb fe", OK, 2, -1, false },
	{ "loop rel8", "e2 fe", OK, 2, -1, false },
	{ "jrcxz rel8", "e3 fe", OK, 2, -1, false },
	{ "call rel16/32 with 0x66 (Intel and AMD differ)", "66 e8 00 00 00 00", BAD, 0, -1, true },
	{ "jbe rel32 with 0x66", "66 0f 86 00 00 00 00", BAD, 0, -1, true },
	/* invalid in 64-bit mode, or refused */
	{ "push es", "06", BAD, 0, -1, false },
	{ "daa", "27", BAD, 0, -1, false },
	{ "far call ptr", "9a 00 00 00 00 00 00", BAD, 0, -1, false },
	{ "aam", "d4 0a", BAD, 0, -1, false },
	{ "REX2 (APX)", "d5 00 89 c0", BAD, 0, -1, false },
	{ "far jmp ptr", "ea 00 00 00 00 00 00", BAD, 0, -1, false },
	{ "into", "ce", BAD, 0, -1, false },
	/* prefixes */
	{ "REX alone before nop", "40 90", OK, 2, -1, false },
	{ "REX then 0x66: the REX is ignored", "48 66 90", OK, 3, -1, false },
	{ "two REX: the last counts", "41 48 b8 88 77 66 55 44 33 22 11", OK, 11, -1, false },
	{ "14 prefixes and an opcode: 15 bytes",
	  "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", OK, 15, -1, false },
	/* (objdump shows the extra prefixes as instructions of their own) */
	{ "15 prefixes and an opcode: 16 bytes",
	  "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", BAD, 0, -1, true },
	{ "prefixes, REX.W, SIB, disp32, imm32: 15 bytes",
	  "2e 2e 2e 48 81 84 24 00 01 00 00 78 56 34 12", OK, 15, -1, false },
	{ "the same with one more prefix: 16 bytes",
	  "2e 2e 2e 2e 48 81 84 24 00 01 00 00 78 56 34 12", BAD, 0, -1, false },
	/* two-byte map */
	{ "syscall", "0f 05", OK, 2, -1, false },
	{ "ud2", "0f 0b", OK, 2, -1, false },
	{ "nopl [rax+rax]", "0f 1f 44 00 00", OK, 5, -1, false },
	{ "nopw [rax+rax+0]", "66 0f 1f 84 00 00 00 00 00", OK, 9, -1, false },
	{ "endbr64", "f3 0f 1e fa", OK, 4, -1, false },
	{ "cpuid", "0f a2", OK, 2, -1, false },
	{ "rdtsc", "0f 31", OK, 2, -1, false },
	{ "xgetbv", "0f 01 d0", OK, 3, -1, false },
	{ "mfence", "0f ae f0", OK, 3, -1, false },
	{ "prefetcht0 [rax]", "0f 18 08", OK, 3, -1, false },
	{ "prefetchw [rax]", "0f 0d 08", OK, 3, -1, false },
	{ "mov rax, cr0", "0f 20 c0", OK, 3, -1, false },
	{ "mov cr3, rax with mod 0 (mod is ignored)", "0f 22 18", OK, 3, -1, false },
	{ "movzx eax, al", "0f b6 c0", OK, 3, -1, false },
	{ "movsx rax, byte [rsp+8]", "48 0f be 44 24 08", OK, 6, -1, false },
	{ "imul eax, ecx", "0f af c1", OK, 3, -1, false },
	{ "shld ecx, eax, imm8", "0f a4 c1 04", OK, 4, -1, false },
	{ "bt eax, imm8", "0f ba e0 03", OK, 4, -1, false },
	{ "cmpxchg8b [rsi]", "0f c7 0e", OK, 3, -1, false },
	{ "rdrand rax", "48 0f c7 f0", OK, 4, -1, false },
	{ "bswap eax", "0f c8", OK, 2, -1, false },
	{ "popcnt eax, ecx", "f3 0f b8 c1", OK, 4, -1, false },
	{ "0f b8 without 0xf3 (jmpe)", "0f b8 c1", BAD, 0, -1, false },
	{ "tzcnt rax, rcx", "f3 48 0f bc c1", OK, 5, -1, false },
	{ "movups xmm0, [rsp]", "0f 10 04 24", OK, 4, -1, false },
	{ "movdqa xmm0, [rsp]", "66 0f 6f 04 24", OK, 5, -1, false },
	{ "movdqu xmm0, [rsp+16]", "f3 0f 6f 44 24 10", OK, 6, -1, false },
	{ "pshufd xmm0, xmm1, imm8", "66 0f 70 c1 1b", OK, 5, -1, false },
	{ "psrldq xmm0, imm8", "66 0f 73 d8 04", OK, 5, -1, false },
	{ "cmpps xmm0, xmm1, imm8", "0f c2 c1 00", OK, 4, -1, false },
	{ "pinsrw xmm0, eax, imm8", "66 0f c4 c0 01", OK, 5, -1, false },
	{ "pextrw eax, xmm0, imm8", "66 0f c5 c0 01", OK, 5, -1, false },
	{ "shufps xmm0, xmm1, imm8", "0f c6 c1 00", OK, 4, -1, false },
	{ "pmovmskb eax, xmm0", "66 0f d7 c0", OK, 4, -1, false },
	{ "pcmpeqb xmm0, xmm1", "66 0f 74 c1", OK, 4, -1, false },
	{ "emms", "0f 77", OK, 2, -1, false },
	{ "vmread rcx, rax", "0f 78 c1", OK, 3, -1, false },
	{ "extrq (SSE4a, two imm8)", "66 0f 78 c0 01 02", BAD, 0, -1, true },
	{ "insertq (SSE4a)", "f2 0f 79 c1", BAD, 0, -1, true },
	{ "3DNow!", "0f 0f c1 b4", BAD, 0, -1, true },
	{ "0f 04 (undefined)", "0f 04", BAD, 0, -1, false },
	{ "sete al", "0f 94 c0", OK, 3, -1, false },
	{ "cmove eax, ecx", "0f 44 c1", OK, 3, -1, false },
	/* three-byte maps */
	{ "pshufb xmm0, xmm1", "66 0f 38 00 c1", OK, 5, -1, false },
	{ "ptest xmm0, xmm1", "66 0f 38 17 c1", OK, 5, -1, false },
	{ "crc32 eax, ecx", "f2 0f 38 f1 c1", OK, 5, -1, false },
	{ "movbe eax, [rsi]", "0f 38 f0 06", OK, 4, -1, false },
	{ "palignr xmm0, xmm1, imm8", "66 0f 3a 0f c1 08", OK, 6, -1, false },
	{ "pcmpistri xmm0, xmm1, imm8", "66 0f 3a 63 c1 0c", OK, 6, -1, false },
	{ "pextrd eax, xmm0, imm8", "66 0f 3a 16 c0 01", OK, 6, -1, false },
	{ "pclmulqdq xmm0, xmm1, imm8", "66 0f 3a 44 c1 00", OK, 6, -1, false },
	/* VEX */
	{ "vzeroupper", "c5 f8 77", OK, 3, -1, false },
	{ "vzeroall", "c5 fc 77", OK, 3, -1, false },
	{ "vmovdqu ymm0, [rsi]", "c5 fe 6f 06", OK, 4, -1, false },
	{ "vpcmpeqb ymm0, ymm0, ymm1", "c5 fd 74 c1", OK, 4, -1, false },
	{ "vpmovmskb eax, ymm0", "c5 fd d7 c0", OK, 4, -1, false },
	{ "vpshufd xmm0, xmm1, imm8 (VEX map 1 imm)", "c5 f9 70 c1 1b", OK, 5, -1, false },
	{ "vpsrldq xmm0, xmm0, imm8", "c5 f9 73 d8 04", OK, 5, -1, false },
	{ "vpshufb ymm0, ymm0, ymm1 (VEX3 map 2)", "c4 e2 7d 00 c1", OK, 5, -1, false },
	{ "vpbroadcastb xmm0, xmm0", "c4 e2 79 78 c0", OK, 5, -1, false },
	{ "vextracti128 xmm1, ymm0, imm8 (map 3)", "c4 e3 7d 39 c1 01", OK, 6, -1, false },
	{ "rorx rax, rcx, imm8", "c4 e3 fb f0 c1 05", OK, 6, -1, false },
	{ "andn rax, rcx, rdx", "c4 e2 f0 f2 c2", OK, 5, -1, false },
	{ "vmovdqu ymm8, [r12+0x20]", "c4 41 7e 6f 44 24 20", OK, 7, -1, false },
	{ "0x66 before VEX", "66 c5 f8 77", BAD, 0, -1, true },
	{ "REX before VEX", "48 c5 f8 77", BAD, 0, -1, true },
	{ "VEX3 map 0", "c4 e0 7d 00 c1", BAD, 0, -1, false },
	{ "VEX3 map 4", "c4 e4 7d 00 c1", BAD, 0, -1, false },
	/* EVEX */
	{ "vmovdqu64 zmm0, [rsi]", "62 f1 fe 48 6f 06", OK, 6, -1, false },
	{ "vmovdqu64 zmm0, [rsp+0x40] (disp8*N)", "62 f1 fe 48 6f 44 24 01", OK, 8, -1, false },
	{ "vpcmpeqb k0, zmm0, zmm1", "62 f1 7d 48 74 c1", OK, 6, -1, true },
	{ "vpshufd zmm0, zmm1, imm8 (EVEX map 1 imm)", "62 f1 7d 48 70 c1 1b", OK, 7, -1, false },
	{ "vpshufb zmm0, zmm0, zmm1 (map 2)", "62 f2 7d 48 00 c1", OK, 6, -1, true },
	{ "vextracti32x4 xmm1, zmm0, imm8 (map 3)", "62 f3 7d 48 39 c1 01", OK, 7, -1, false },
	{ "vaddph zmm0, zmm0, zmm1 (map 5, FP16)", "62 f5 7c 48 58 c1", OK, 6, -1, true },
	{ "EVEX with P1 bit 2 clear (APX)", "62 f1 fa 48 6f 06", BAD, 0, -1, true },
	{ "EVEX with P0 bit 3 set (APX)", "62 f9 fe 48 6f 06", BAD, 0, -1, true },
	{ "EVEX map 4", "62 f4 7c 48 58 c1", BAD, 0, -1, true },
	{ "0x66 before EVEX", "66 62 f1 fe 48 6f 06", BAD, 0, -1, true },
};

static void check_enc(const struct enc *e)
{
	uint8_t b[32];
	size_t n = parse_hex(e->hex, b, sizeof(b)), k, theirs;
	struct godiag_insn insn;
	enum godiag_insn_result r;

	test_begin("%s: %s", e->what, e->hex);
	r = decode(b, n, &insn);
	CHECK_U64(r, e->result);
	if (e->result == OK) {
		CHECK_U64(insn.len, e->len);
		CHECK_U64(n, e->len);
		CHECK_U64(insn.jcc, e->cc >= 0);
		if (e->cc >= 0)
			CHECK_U64(insn.cc, e->cc);
		/* Cut anywhere, it is too short; with bytes after it, the same. */
		for (k = 0; k < n; k++)
			if (decode(b, k, &insn) != GODIAG_INSN_SHORT)
				test_fail_at(__FILE__, __LINE__, "%zu of %zu bytes: not SHORT",
					     k, n);
		memset(b + n, 0x90, sizeof(b) - n);
		if (decode(b, sizeof(b), &insn) != OK || insn.len != e->len)
			test_fail_at(__FILE__, __LINE__, "with bytes after it: len %u",
				     insn.len);
	}
	theirs = ref_len(b, n);
	if (!e->cs_differs && theirs != (e->result == OK ? e->len : 0))
		test_fail_at(__FILE__, __LINE__, "capstone/objdump say %zu bytes", theirs);
	test_end();
}

/* The module reads the file through kernel_read(); this reads the image. */
struct mem_file {
	const uint8_t *img;
	size_t size;
	unsigned int reads;
};

static long mem_read(void *arg, unsigned long long pos, unsigned char *buf, size_t len)
{
	struct mem_file *f = arg;

	f->reads++;
	if (pos >= f->size)
		return 0;
	if (len > f->size - pos)
		len = f->size - pos;
	memcpy(buf, f->img + pos, len);
	return (long)len;
}

static long fail_read(void *arg, unsigned long long pos, unsigned char *buf, size_t len)
{
	(void)arg;
	(void)pos;
	(void)buf;
	(void)len;
	return -5;	/* EIO */
}

/* The walk over made-up functions: where it stops and why. */
static void check_walk_cases(void)
{
	/* push rbp; mov rbp, rsp; sub rsp, 0x18; jbe rel32 (cut); */
	static const uint8_t code[] = { 0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x18,
					0x0f, 0x86, 0x00, 0x01 };
	static const uint8_t bad[] = { 0x55, 0x06, 0x90 };
	struct mem_file f = { .img = code, .size = sizeof(code) };
	unsigned char buf[30];
	struct godiag_walk w = { .func = 0, .target = 4 };

	test_begin("walk: an instruction start, then the middle of one");
	CHECK_U64(godiag_insn_walk(&w, mem_read, &f, buf, sizeof(buf)), GODIAG_WALK_START);
	CHECK_U64(w.insn.len, 4);
	w.target = 6;
	CHECK_U64(godiag_insn_walk(&w, mem_read, &f, buf, sizeof(buf)), GODIAG_WALK_INSIDE);
	CHECK_U64(w.at, 4);
	CHECK_U64(w.insn.len, 4);
	test_end();

	test_begin("walk: the file ends inside an instruction");
	w.target = 9;
	CHECK_U64(godiag_insn_walk(&w, mem_read, &f, buf, sizeof(buf)), GODIAG_WALK_EOF);
	CHECK_U64(w.at, 8);
	w.target = 8;
	CHECK_U64(godiag_insn_walk(&w, mem_read, &f, buf, sizeof(buf)), GODIAG_WALK_EOF);
	test_end();

	test_begin("walk: an undecodable byte on the way");
	f.img = bad;
	f.size = sizeof(bad);
	w.target = 2;
	CHECK_U64(godiag_insn_walk(&w, mem_read, &f, buf, sizeof(buf)), GODIAG_WALK_BAD);
	CHECK_U64(w.at, 1);
	test_end();

	test_begin("walk: a read error is returned as it is");
	CHECK_U64(godiag_insn_walk(&w, fail_read, &f, buf, sizeof(buf)), (uint64_t)-5);
	test_end();
}

/* ---- Go programs --------------------------------------------------- */

static char repo[PATH_MAX];

struct prog_stats {
	size_t funcs, insns, seen;
	unsigned int mismatches;
};

/* The functions already decoded, by content: (FNV-1a, length and djb2). */
static struct hmap seen_funcs = HMAP_INIT;

static bool seen_before(const uint8_t *p, size_t len)
{
	uint64_t fnv = 0xcbf29ce484222325ULL, djb = 5381;
	bool added;
	size_t i;

	for (i = 0; i < len; i++) {
		fnv = (fnv ^ p[i]) * 0x100000001b3ULL;
		djb = djb * 33 + p[i];
	}
	hmap_get(&seen_funcs, fnv, (uint64_t)len << 40 ^ djb, 0, &added);
	return !added;
}

/*
 * One function, [from, to) of the file image, decoded linearly by both
 * decoders. Returns false (and prints where) at the first difference.
 */
static bool check_func(const uint8_t *img, uint64_t from, uint64_t to,
		       const char *name, struct prog_stats *st)
{
	uint64_t pos = from;

	while (pos < to) {
		struct godiag_insn insn;
		enum godiag_insn_result r = godiag_insn_decode(img + pos, to - pos, &insn);
		size_t theirs = ref_len(img + pos, to - pos);

		if (r != OK || insn.len != theirs) {
			test_fail_at(__FILE__, __LINE__,
				     "%s+%#llx (file offset %#llx): godiag %s %u, capstone/objdump %zu bytes",
				     name, (unsigned long long)(pos - from),
				     (unsigned long long)pos,
				     r == OK ? "OK" : r == BAD ? "BAD" : "SHORT", insn.len,
				     theirs);
			return false;
		}
		pos += insn.len;
		st->insns++;
	}
	return true;
}

/*
 * Functions that hold data in their text, which no linear decode can
 * follow: crypto/internal/boring/sig's marker functions jump over 29
 * bytes of signature (rsc.io/goversion looks for them). godiag never
 * probes them.
 */
static bool holds_data(const char *fname)
{
	return !strncmp(fname, "crypto/internal/boring/sig.", 27);
}

/*
 * godiag_insn_walk(), as PROBE_ADD runs it, through a 31-byte buffer (so
 * it refills every instruction or two): every 8th instruction start of
 * the function is a start, the byte after it inside that instruction.
 */
static bool check_walks(const uint8_t *img, size_t size, uint64_t from, uint64_t to,
			const char *name)
{
	struct mem_file f = { .img = img, .size = size };
	unsigned char buf[31];
	struct godiag_insn insn;
	uint64_t pos = from;
	unsigned int k = 0;

	while (pos < to && godiag_insn_decode(img + pos, to - pos, &insn) == OK) {
		struct godiag_walk w = { .func = from, .target = pos };
		int r;

		if (k++ % 8 == 0) {
			r = godiag_insn_walk(&w, mem_read, &f, buf, sizeof(buf));
			if (r != GODIAG_WALK_START || w.at != pos || w.insn.len != insn.len)
				goto bad;
			w.target = pos + 1;
			r = godiag_insn_walk(&w, mem_read, &f, buf, sizeof(buf));
			if (insn.len > 1 && (r != GODIAG_WALK_INSIDE || w.at != pos))
				goto bad;
			/* (past the end: the next function's entry, a start too) */
			if (insn.len == 1 && r != GODIAG_WALK_START)
				goto bad;
		}
		pos += insn.len;
	}
	return true;
bad:
	test_fail_at(__FILE__, __LINE__, "%s: the walk to %#llx went wrong", name,
		     (unsigned long long)pos);
	return false;
}

static void check_prog(const char *dir, const char *name, unsigned int *nprogs)
{
	char path[2 * PATH_MAX], err[512];
	struct prog_stats st = { 0 };
	struct gobin b;
	uint8_t *img;
	size_t size, i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (gobin_open(&b, path, err, sizeof(err)))
		return;		/* not a Go program: C programs live there too */
	img = test_slurp(path, &size);
	test_begin("%s: every instruction of every function as capstone decodes it", name);
	if (!img)
		test_fail_at(__FILE__, __LINE__, "cannot read %s", path);
	for (i = 0; img && i < b.nfuncs && st.mismatches < 5; i++) {
		uint64_t entry, end, from, to;
		const char *fname;

		if (gobin_func_at(&b, i, &fname, &entry, &end) ||
		    gobin_file_offset(&b, entry, &from) ||
		    gobin_file_offset(&b, end - 1, &to) || to + 1 > size || to < from) {
			test_fail_at(__FILE__, __LINE__, "function %zu: no file range", i);
			st.mismatches++;
			continue;
		}
		if (holds_data(fname))
			continue;
		st.funcs++;
		if (seen_before(img + from, to + 1 - from)) {
			st.seen++;
			continue;
		}
		if (!check_func(img, from, to + 1, fname, &st))
			st.mismatches++;
		else if (i % 16 == 0 && !check_walks(img, size, from, to + 1, fname))
			st.mismatches++;
	}
	if (st.funcs < 1000)
		test_fail_at(__FILE__, __LINE__, "only %zu functions", st.funcs);
	printf("# %s: %zu functions (%zu decoded in an earlier program), %zu instructions\n",
	       name, st.funcs, st.seen, st.insns);
	test_end();
	free(img);
	gobin_close(&b);
	(*nprogs)++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void check_progs(void)
{
	const char *env = getenv("GODIAG_PROGS");
	struct dirent **ents;
	char dir[PATH_MAX + 32];
	unsigned int nprogs = 0;
	int n, i;

	if (env && *env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%s/build/progs", repo);
	n = scandir(dir, &ents, NULL, by_name);
	for (i = 0; i < n; i++) {
		if (!strncmp(ents[i]->d_name, "go", 2))
			check_prog(dir, ents[i]->d_name, &nprogs);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	test_begin("Go test programs were found in %s", dir);
	if (!nprogs)
		test_fail_at(__FILE__, __LINE__,
			     "none: make -C tests/progs go-all builds them");
	test_end();
}

int main(void)
{
	size_t i;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		printf("FAIL capstone cannot be opened\n");
		return 1;
	}
	test_find_repo(repo, sizeof(repo));
	for (i = 0; i < ARRAY_SIZE(encs); i++)
		check_enc(&encs[i]);
	check_walk_cases();
	check_progs();
	printf("# objdump decoded %u instructions capstone could not\n", objdump_runs);
	hmap_free(&objdump_seen);
	hmap_free(&seen_funcs);
	cs_close(&cs);
	return test_summary();
}
