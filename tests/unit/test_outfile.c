// SPDX-License-Identifier: GPL-2.0
/*
 * Files written whole (ctl/base/outfile.c), as capture -o writes its file: an
 * earlier file is never truncated or removed by a failure, a finished
 * one replaces it at once, the temporary is named so a user recognises
 * it, and a pipe or device is written in place.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/outfile.h"
#include "test.h"

static char dir[] = "/tmp/test_outfile.XXXXXX";

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
}

/* The file's text ("" when missing), in a static buffer. */
static const char *get(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void write_text(struct outfile *f, const char *text)
{
	if (write(f->fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
}

/* How many entries of the directory start with prefix. */
static int count_named(const char *prefix)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

/* Whether name (a temporary's base name) is ".BASE.godiag-" and 6 letters or digits. */
static bool tmp_name_ok(const char *tmp, const char *base)
{
	const char *name = strrchr(tmp, '/') ? strrchr(tmp, '/') + 1 : tmp;
	size_t lb = strlen(base), i;

	if (name[0] != '.' || strncmp(name + 1, base, lb) ||
	    strncmp(name + 1 + lb, OUTFILE_TMP_TAG, strlen(OUTFILE_TMP_TAG)))
		return false;
	name += 1 + lb + strlen(OUTFILE_TMP_TAG);
	for (i = 0; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return false;
	return i == 6;
}

static void test_new_file(void)
{
	char path[PATH_MAX];
	struct outfile f;
	struct stat st;

	snprintf(path, sizeof(path), "%s/new.gdc", dir);
	test_begin("outfile: a new file appears whole at commit, mode 0600");
	umask(022);
	CHECK_U64(outfile_open(&f, path, 0600), 0);
	CHECK(f.tmp && tmp_name_ok(f.tmp, "new.gdc"));
	CHECK(access(path, F_OK) != 0);
	write_text(&f, "capture");
	CHECK_U64(outfile_commit(&f), 0);
	CHECK_STR(get(path), "capture");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK_U64(count_named(".new.gdc"), 0);
	outfile_free(&f);
	unlink(path);
	test_end();
}

static void test_existing_file(void)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct outfile f;

	snprintf(path, sizeof(path), "%s/old.gdc", dir);
	put(path, "an earlier capture");

	test_begin("outfile: a failure leaves an earlier file as it was");
	CHECK_U64(outfile_open(&f, path, 0600), 0);
	CHECK_STR(get(path), "an earlier capture");
	write_text(&f, "half a capture");
	CHECK_STR(get(path), "an earlier capture");
	CHECK_U64(count_named(".old.gdc.godiag-"), 1);
	outfile_discard(&f);
	outfile_free(&f);
	CHECK_STR(get(path), "an earlier capture");
	CHECK_U64(count_named(".old.gdc"), 0);
	test_end();

	test_begin("outfile: a finished file replaces an earlier one");
	CHECK_U64(outfile_open(&f, path, 0600), 0);
	write_text(&f, "the new capture");
	CHECK_U64(outfile_commit(&f), 0);
	outfile_free(&f);
	CHECK_STR(get(path), "the new capture");
	CHECK_U64(count_named(".old.gdc"), 0);
	test_end();

	test_begin("outfile: a killed writer leaves its temporary, named for FILE");
	CHECK_U64(outfile_open(&f, path, 0600), 0);
	write_text(&f, "cut");
	snprintf(tmp, sizeof(tmp), "%s", f.tmp);
	/* What SIGKILL leaves: no commit, no discard. */
	close(f.fd);
	outfile_free(&f);
	CHECK_STR(get(tmp), "cut");
	CHECK_STR(get(path), "the new capture");
	unlink(tmp);
	unlink(path);
	test_end();
}

static void test_symlink(void)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct outfile f;
	struct stat st;

	snprintf(path, sizeof(path), "%s/real.gdc", dir);
	snprintf(link, sizeof(link), "%s/link.gdc", dir);
	put(path, "old");
	test_begin("outfile: through a symlink, the file is replaced, the link stays");
	CHECK(symlink(path, link) == 0);
	CHECK_U64(outfile_open(&f, link, 0600), 0);
	CHECK(f.tmp && tmp_name_ok(f.tmp, "real.gdc"));
	write_text(&f, "new");
	CHECK_U64(outfile_commit(&f), 0);
	outfile_free(&f);
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_STR(get(path), "new");
	unlink(link);
	unlink(path);
	test_end();
}

static void test_not_regular(void)
{
	char path[PATH_MAX];
	struct outfile f;
	struct stat st;

	test_begin("outfile: a device is written in place and never removed");
	CHECK_U64(outfile_open(&f, "/dev/null", 0600), 0);
	CHECK(f.tmp == NULL);
	write_text(&f, "x");
	outfile_discard(&f);
	outfile_free(&f);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	CHECK_U64(outfile_open(&f, "/dev/null", 0600), 0);
	CHECK_U64(outfile_commit(&f), 0);
	outfile_free(&f);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	test_end();

	test_begin("outfile: a directory, a missing directory, an empty name");
	errno = 0;
	CHECK_U64(outfile_open(&f, dir, 0600), (uint64_t)-1);
	CHECK_U64(errno, EISDIR);
	snprintf(path, sizeof(path), "%s/none/x.gdc", dir);
	CHECK_U64(outfile_open(&f, path, 0600), (uint64_t)-1);
	CHECK_U64(errno, ENOENT);
	CHECK_U64(outfile_open(&f, "", 0600), (uint64_t)-1);
	test_end();
}

static void test_relative(void)
{
	char cwd[PATH_MAX];
	struct outfile f;

	test_begin("outfile: a name without a directory: the temporary in the cwd");
	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	CHECK(chdir(dir) == 0);
	CHECK_U64(outfile_open(&f, "rel.gdc", 0600), 0);
	CHECK(f.tmp && !strncmp(f.tmp, ".rel.gdc" OUTFILE_TMP_TAG, 16));
	write_text(&f, "r");
	CHECK_U64(outfile_commit(&f), 0);
	outfile_free(&f);
	CHECK_STR(get("rel.gdc"), "r");
	unlink("rel.gdc");
	CHECK(chdir(cwd) == 0);
	test_end();
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_new_file();
	test_existing_file();
	test_symlink();
	test_not_regular();
	test_relative();
	rmdir(dir);
	return test_summary();
}
