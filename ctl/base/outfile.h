/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A file a command writes as a whole, such as capture's -o FILE. It is
 * written under a temporary name in FILE's directory, ".FILE.godiag-XXXXXX"
 * (created as FILE would be: O_EXCL, the mode given less the umask), and
 * renamed over FILE only when complete: FILE is either what it was before
 * or the whole new file, never a part of one, and a command that fails
 * removes only its temporary. A process killed with SIGKILL leaves the
 * temporary behind, under a name that says what it is.
 *
 * FILE that exists and is not a regular file (a pipe, /dev/stdout, a
 * terminal) is written in place and never removed; a symbolic link to a
 * regular file has the file it names replaced, the link stays.
 */
#ifndef GODIAGCTL_OUTFILE_H
#define GODIAGCTL_OUTFILE_H

#include <stdbool.h>
#include <sys/types.h>

struct outfile {
	char *final;		/* where the file goes */
	char *tmp;		/* the temporary, NULL when written in place */
	int fd;			/* -1 once closed */
};

/* The suffix of temporary names, after ".FILE": ".godiag-XXXXXX". */
#define OUTFILE_TMP_TAG	".godiag-"

/* Creates the file (its temporary) for writing. 0, or -1 with errno. */
int outfile_open(struct outfile *f, const char *path, mode_t mode);

/*
 * The file is complete: synced to disk and renamed over FILE. 0, or -1
 * with errno (the temporary then stays, complete, under f->tmp).
 */
int outfile_commit(struct outfile *f);

/* Failure: closes and removes the temporary; FILE stays as it was. */
void outfile_discard(struct outfile *f);

/* Frees the names (after commit or discard). */
void outfile_free(struct outfile *f);

#endif
