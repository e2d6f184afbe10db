// SPDX-License-Identifier: GPL-2.0
/* Out-of-line parts of compat.h. */
#include <linux/atomic.h>
#include <linux/kernel.h>

#include "compat.h"

#ifdef GODIAG_COMPAT_FMTMSG
#define FMTMSG_LEN	80
#define FMTMSG_SLOTS	16

const char *godiag_compat_fmtmsg(const char *fmt, ...)
{
	static char bufs[FMTMSG_SLOTS][FMTMSG_LEN];
	static atomic_t next = ATOMIC_INIT(0);
	char *buf = bufs[(unsigned int)atomic_inc_return(&next) % FMTMSG_SLOTS];
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf, FMTMSG_LEN, fmt, args);
	va_end(args);
	return buf;
}
#endif
