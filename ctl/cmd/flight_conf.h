/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A flight recorder's config file (/etc/godiag/flight/NAME.conf, read by
 * flight start --config FILE): one "key = value" per line, each key a
 * long option of flight start (comm = api, size = 64M; an option without
 * a value takes yes or no), "events = goroutines syscalls" for the event
 * options; keys that the command repeats (pid, trigger) may repeat; blank
 * lines and lines starting with '#' are skipped; a value may be quoted.
 * The file becomes those options, placed before the command line's (which
 * wins where an option is given twice). Every bad line is refused as
 * FILE:LINE: why, before anything is set up.
 */
#ifndef GODIAGCTL_FLIGHT_CONF_H
#define GODIAGCTL_FLIGHT_CONF_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#define FLIGHT_CONF_MAX		(64U << 10)	/* bytes of a config file */
#define FLIGHT_WINDOW_MAX_MS	(7U * 24 * 3600 * 1000)
#define FLIGHT_COMM_MAX		15		/* the kernel's TASK_COMM_LEN - 1 */

struct flight_conf {
	char **args;		/* "--KEY=VALUE" or "--KEY", in the file's order */
	size_t n;
};

/*
 * Parses text, the contents of file (for messages), against longopts
 * (flight start's). Returns 0 with conf filled, or -1 with
 * "FILE:LINE: why" in err (conf then empty).
 */
int flight_conf_parse(const char *file, const char *text, size_t len,
		      const struct option *longopts, struct flight_conf *conf,
		      char *err, size_t errlen);

/* Reads and parses the file at path; as above ("FILE: why" when unreadable). */
int flight_conf_read(const char *path, const struct option *longopts,
		     struct flight_conf *conf, char *err, size_t errlen);

void flight_conf_free(struct flight_conf *conf);

/*
 * Why the value of flight start's option --key is refused, or NULL; the
 * command line and config files check with this. Keys it does not know
 * pass (their option checks them).
 */
const char *flight_opt_check(const char *key, const char *value);

#endif
