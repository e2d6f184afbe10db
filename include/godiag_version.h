/* SPDX-License-Identifier: GPL-2.0 */
/* The one place the godiag release version is defined (Makefile and DKMS read it). */
#ifndef GODIAG_VERSION_H
#define GODIAG_VERSION_H
#define GODIAG_VERSION "0.1.0"
#endif
