// SPDX-License-Identifier: GPL-2.0
/*
 * What every part of capture uses: failing cleanly (the file's temporary
 * goes, a command stopped at its exec is killed), the /proc/PID/mem
 * proof, the output file's life, the clocks. It calls no other part of
 * capture, so the parts and the sources (capture.h) use it without
 * calling each other in a circle.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cmd/capture.h"

/*
 * The file being written, for the exit handler: any exit before the
 * file is complete (a failure in any part of the code that dies)
 * removes its temporary, never the user's FILE.
 */
static struct outfile *pending_output;

static void discard_pending_output(void)
{
	if (pending_output)
		outfile_discard(pending_output);
	pending_output = NULL;
}

/* Before anything fails, the file's temporary (if made) goes. */
static void remove_output(struct capture *c)
{
	discard_pending_output();
	/* A command stopped at its exec must not run on untraced. */
	if (c->child.stopped)
		kill(c->child.pid, SIGKILL);
}

void capture_setup_failed(struct capture *c, int err)
{
	remove_output(c);
	gdnl_fail(c->nl, err);
}

int capture_mem_open(uint32_t pid, int *err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	*err = fd < 0 ? errno : 0;
	return fd;
}

void capture_put_mem_fd(struct nl_msg *msg, int fd)
{
	if (fd >= 0)
		gdnl_put_u32(msg, GODIAG_A_PROC_MEM_FD, (uint32_t)fd);
}

void capture_pid_failed(struct capture *c, uint32_t pid, int mem_err, int err)
{
	remove_output(c);
	if (err == -EPERM && mem_err)
		die(EXIT_PERM, "permission denied: %s (opening /proc/%u/mem: %s)",
		    gdnl_strerror(c->nl, err), pid, strerror(mem_err));
	gdnl_fail(c->nl, err);
}

void capture_die(struct capture *c, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	remove_output(c);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	die(code, "%s: %s", c->c->name, msg);
}

/*
 * The file goes to a temporary beside FILE until the capture is complete
 * (outfile.h): an earlier FILE is never truncated nor removed.
 */
void capture_output_open(struct capture *c)
{
	int fd;

	if (outfile_open(&c->out, c->o->output, 0600))
		die(exit_code_of_errno(errno), "%s: %s: %s", c->c->name, c->o->output,
		    strerror(errno));
	pending_output = &c->out;
	atexit(discard_pending_output);
	/* The writer closes its own copy; capture_output_done() syncs and renames. */
	fd = fcntl(c->out.fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		capture_die(c, EXIT_OPFAIL, "%s: %s", c->o->output, strerror(errno));
	capw_init(&c->w, fd);
	if (c->o->compress)
		capw_compress(&c->w, CAPTURE_ZSTD_LEVEL);
}

int capture_output_done(struct capture *c, int err)
{
	pending_output = NULL;
	if (err) {
		outfile_discard(&c->out);
		warn("%s: cannot write %s: %s; it was left as it was", c->c->name,
		     c->o->output, strerror(err));
		return EXIT_OPFAIL;
	}
	if (outfile_commit(&c->out)) {
		warn("%s: cannot put the capture in place as %s: %s; it is complete "
		     "in %s", c->c->name, c->out.final, strerror(errno), c->out.tmp);
		return EXIT_OPFAIL;
	}
	return EXIT_OK;
}

uint64_t capture_now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
