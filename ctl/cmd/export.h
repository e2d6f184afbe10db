/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 'godiagctl export --format perfetto' (export.c): a capture as Chrome
 * trace-event JSON; --format perfetto-proto (export_proto.c): the same
 * trace in Perfetto's protobuf format. Split in steps so the unit tests
 * drive it:
 *
 *	struct perfetto *pf = perfetto_new();
 *	struct report_opts o;
 *	perfetto_init(pf, &o);		o asks the load for what the trace needs
 *	report_load_opts(&r, buf, len, &o, err, errlen);
 *	perfetto_build(pf, &r);
 *	perfetto_write(pf, out);	or perfetto_write_proto(pf, out)
 *	perfetto_free(pf);
 */
#ifndef GODIAGCTL_CMD_EXPORT_H
#define GODIAGCTL_CMD_EXPORT_H

#include <stdio.h>

#include "model/analyze.h"

struct perfetto;

struct perfetto *perfetto_new(void);
/* Sets o so that report_load_opts() keeps the records and the intervals. */
void perfetto_init(struct perfetto *pf, struct report_opts *o);
/* After the load of r: the trace's events, sorted. */
void perfetto_build(struct perfetto *pf, const struct report *r);
/* 0, or -1 when out failed. */
int perfetto_write(struct perfetto *pf, FILE *out);
/* The same as a Perfetto protobuf trace: 0, or -1 when out failed. */
int perfetto_write_proto(struct perfetto *pf, FILE *out);
void perfetto_free(struct perfetto *pf);

#endif
