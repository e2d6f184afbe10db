// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the capture file reader (ctl/capfile/capfile.c) and the report
 * built on it (ctl/model/analyze.c, ctl/model/goreport.c, ctl/cmd/report.c), text and
 * JSON, so the goroutine analysis runs on every input the reader accepts; and
 * what reads its records one by one: script (text and JSON Lines) and the
 * Perfetto and Go trace exports (ctl/cmd/script.c, export.c, gotrace.c).
 *
 * Besides "no crash, no leak, no undefined behaviour", it checks what
 * capfile.h promises the callbacks (lengths, printable text, sorted SYMS
 * whose offsets stay inside their strings) and that every refused file
 * comes with a one-line message; a broken promise aborts, which the
 * fuzzer reports as a crash.
 *
 * Built twice by tests/fuzz/Makefile: with libFuzzer (clang), and with
 * driver.c (gcc + ASan/UBSan) to replay tests/fuzz/regress/fuzz_capfile/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfile/capfile.h"
#include "cmd/export.h"
#include "cmd/gotrace.h"
#include "cmd/report.h"
#include "cmd/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_capfile: broken promise: %s\n", what);
	abort();
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

static int on_meta(const char *key, const char *value, void *arg)
{
	size_t i, n = strlen(key);

	(void)arg;
	if (!n || n > CAPFILE_META_KEY_MAX || strlen(value) > CAPFILE_META_VALUE_MAX)
		broken("META key or value length");
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_", key[i]))
			broken("META key character");
	if (!printable(value))
		broken("META value not text");
	return 0;
}

static int on_target(const struct capfile_target *t, void *arg)
{
	(void)arg;
	if (!memchr(t->comm, '\0', sizeof(t->comm)) || !memchr(t->exe, '\0', sizeof(t->exe)) ||
	    !printable(t->comm) || !printable(t->exe))
		broken("TARGETS strings");
	return 0;
}

static int on_record(const struct godiag_rec *rec, size_t len, void *arg)
{
	const volatile uint8_t *p = (const uint8_t *)rec;
	uint8_t sum = 0;
	size_t i;

	(void)arg;
	if (len != rec->size || len % CAPFILE_ALIGN || len < sizeof(*rec) ||
	    len > GODIAG_REC_SIZE_MAX || rec->type == GODIAG_REC_PAD)
		broken("record size or type");
	/* Every byte the reader hands out must be readable (ASan checks). */
	for (i = 0; i < len; i++)
		sum ^= p[i];
	(void)sum;
	return 0;
}

static int on_note(const char *text, void *arg)
{
	(void)arg;
	if (!printable(text))
		broken("NOTE not text");
	return 0;
}

static int on_stats(const struct capfile_stats_head *head, uint32_t index,
		    const struct capfile_cpu_stats *cpu, void *arg)
{
	(void)cpu;
	(void)arg;
	if (index >= head->nr_cpus || head->entry_size < sizeof(*cpu))
		broken("STATS entry");
	return 0;
}

static int on_goinfo(const struct capfile_goinfo *head, const char *const *reasons,
		     void *arg)
{
	uint32_t i;

	(void)arg;
	if (head->nreasons > CAPFILE_REASONS_MAX ||
	    !memchr(head->go_version, '\0', sizeof(head->go_version)) ||
	    !printable(head->go_version))
		broken("GOINFO head");
	for (i = 0; i < head->nreasons; i++)
		if (!reasons[i] || !printable(reasons[i]))
			broken("GOINFO reason");
	return 0;
}

static int on_syms(const struct capfile_syms_head *head, const struct capfile_sym *syms,
		   const char *strings, void *arg)
{
	uint32_t i;

	(void)arg;
	for (i = 0; i < head->count; i++) {
		const struct capfile_sym *e = &syms[i];

		if (i && e->pc <= syms[i - 1].pc)
			broken("SYMS not sorted");
		if (e->func_off >= head->strings_len || e->file_off >= head->strings_len ||
		    e->start_off > head->strings_len)
			broken("SYMS offset");
		if (e->start_off &&
		    (!memchr(strings + e->start_off - 1, '\0',
			     head->strings_len - e->start_off + 1) ||
		     !printable(strings + e->start_off - 1)))
			broken("SYMS start string");
		if (!memchr(strings + e->func_off, '\0', head->strings_len - e->func_off) ||
		    !memchr(strings + e->file_off, '\0', head->strings_len - e->file_off) ||
		    !printable(strings + e->func_off) || !printable(strings + e->file_off))
			broken("SYMS string");
	}
	return 0;
}

static const struct capfile_visitor checks = {
	.meta = on_meta,
	.target = on_target,
	.record = on_record,
	.note = on_note,
	.stats = on_stats,
	.goinfo = on_goinfo,
	.syms = on_syms,
};

/* A refusal must say why, in one line. */
static void check_err(const char *err, size_t errlen)
{
	if (!memchr(err, '\0', errlen) || !err[0] || strchr(err, '\n'))
		broken("error message missing or not one line");
}

/* Every record through script and the Perfetto trace. */
static void script_and_export(const uint8_t *data, size_t size)
{
	struct script_opts o = { .kinds = SCRIPT_ALL };
	struct perfetto *pf = perfetto_new();
	struct report_opts ro;
	struct report r;
	char err[256];
	FILE *devnull;

	perfetto_init(pf, &ro);
	if (report_load_opts(&r, data, size, &ro, err, sizeof(err)) == 0) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			abort();
		script_print(&r, &o, false, devnull);
		script_print(&r, &o, true, devnull);
		perfetto_build(pf, &r);
		perfetto_write(pf, devnull);
		perfetto_write_proto(pf, devnull);
		fclose(devnull);
	}
	perfetto_free(pf);
	report_free(&r);
}

/* The Go execution trace of the only process, or a one-line refusal. */
static void gotrace_export(const uint8_t *data, size_t size)
{
	struct gotrace *gt = gotrace_new();
	struct report_opts ro;
	struct report r;
	char err[256];
	FILE *devnull;

	gotrace_init(gt, &ro);
	if (report_load_opts(&r, data, size, &ro, err, sizeof(err)) == 0) {
		if (gotrace_build(gt, &r, 0, err, sizeof(err)) == 0) {
			devnull = fopen("/dev/null", "w");
			if (!devnull)
				abort();
			gotrace_write(gt, devnull);
			fclose(devnull);
		} else {
			check_err(err, sizeof(err));
		}
	}
	gotrace_free(gt);
	report_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capfile_info info;
	struct report r;
	char err[256];
	FILE *devnull;

	if (capfile_parse(data, size, &checks, NULL, &info, err, sizeof(err)) != 0)
		check_err(err, sizeof(err));
	else if (!info.complete && (info.cut_at != size ||
				    (info.cut_section && !info.cut_inside)))
		broken("a file without END must say where it was cut");
	if (report_load(&r, data, size, err, sizeof(err)) == 0) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			abort();
		report_print(&r, devnull);
		report_print_json(&r, devnull);
		fclose(devnull);
	} else {
		check_err(err, sizeof(err));
	}
	report_free(&r);
	script_and_export(data, size);
	gotrace_export(data, size);
	return 0;
}
