// SPDX-License-Identifier: GPL-2.0
/*
 * Replays inputs through a fuzz target without libFuzzer, so the
 * regression inputs run with gcc and its ASan/UBSan (make check needs no
 * clang):
 *
 *	regress_gobin NAME FILE|DIR...
 *
 * Each file runs once, in a child process (so one crash does not hide
 * the others, and LeakSanitizer checks each at exit), from a buffer of
 * exactly its size. Prints "ok NAME/FILE" or "FAIL NAME/FILE (why)" per
 * file, the lines tests/unit/run.sh counts, and exits 1 if any failed.
 * A sanitizer's report goes to stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Seconds one input may take under the sanitizers. */
#define INPUT_TIMEOUT	120

static const char *name;
static int passed, failed;

static int run_input(const char *path)
{
	struct stat st;
	uint8_t *buf;
	FILE *f = fopen(path, "rb");

	if (!f || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
		return 2;
	}
	/* Exactly the input's size: a read past it is a heap overflow. */
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "cannot read %s\n", path);
		return 2;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)st.st_size);
	free(buf);
	return 0;
}

static void run_file(const char *path, const char *shown)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		alarm(INPUT_TIMEOUT);
		exit(run_input(path));	/* exit(): LeakSanitizer runs */
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(2);
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %s/%s\n", name, shown);
		passed++;
		return;
	}
	if (WIFSIGNALED(status))
		printf("FAIL %s/%s (%s)\n", name, shown, WTERMSIG(status) == SIGALRM ?
		       "timed out" : strsignal(WTERMSIG(status)));
	else
		printf("FAIL %s/%s (exit status %d)\n", name, shown, WEXITSTATUS(status));
	failed++;
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.' && strcmp(d->d_name, "README") != 0;
}

static void run_path(const char *path)
{
	struct dirent **ents;
	struct stat st;
	int i, n;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		const char *slash = strrchr(path, '/');

		run_file(path, slash ? slash + 1 : path);
		return;
	}
	n = scandir(path, &ents, not_hidden, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(2);
	}
	for (i = 0; i < n; i++) {
		char *file;

		if (asprintf(&file, "%s/%s", path, ents[i]->d_name) < 0)
			exit(2);
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
			run_file(file, ents[i]->d_name);
		free(file);
		free(ents[i]);
	}
	free(ents);
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s NAME FILE|DIR...\n", argv[0]);
		return 2;
	}
	name = argv[1];
	for (i = 2; i < argc; i++)
		run_path(argv[i]);
	if (!passed && !failed)
		printf("# %s: no inputs\n", name);
	return failed ? 1 : 0;
}
