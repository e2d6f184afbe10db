// SPDX-License-Identifier: GPL-2.0
/* godiagctl session stop|destroy ID: end a session someone else runs. */
#include <errno.h>
#include <string.h>

#include "base/util.h"
#include "cmd/cmd.h"
#include "module/sessinfo.h"
#include "module/status.h"

static const char *const session_usage =
	"Usage: " PROG " session stop ID\n"
	"       " PROG " session destroy ID\n"
	"\n"
	"stop     stop recording into session ID; its readers still get what is\n"
	"         buffered, then end of file (a capture writing it finishes)\n"
	"destroy  stop session ID and free its buffers and targets\n"
	"\n"
	"Sessions are listed by '" PROG " sessions'.\n"
	"\n"
	"Options:\n"
	"  -h, --help    show this help\n";

static int run_session(const struct cmd *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		CMD_HELP_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct nl_msg *msg;
	struct gdnl *nl;
	uint8_t op;
	uint32_t id;
	int err;

	while (cmd_getopt(c, argc, argv, "h", longopts) != -1)
		;
	if (optind == argc)
		cmd_usage_error(c, "missing action (stop or destroy)");
	if (!strcmp(argv[optind], "stop"))
		op = GODIAG_CMD_SESSION_STOP;
	else if (!strcmp(argv[optind], "destroy"))
		op = GODIAG_CMD_SESSION_DEL;
	else
		cmd_usage_error(c, "unknown action '%s' (use stop or destroy)",
				argv[optind]);
	if (optind + 1 == argc)
		cmd_usage_error(c, "missing session ID");
	id = cmd_session_id(c, argv[optind + 1]);
	if (optind + 2 < argc)
		cmd_usage_error(c, "unexpected argument '%s'", argv[optind + 2]);

	nl = gdnl_open(c->name);
	status_require_abi(nl, c->name, NULL);
	msg = gdnl_msg(nl, op, 0);
	gdnl_put_u32(msg, GODIAG_A_SESSION_ID, id);
	err = gdnl_exec(nl, msg, NULL, NULL);
	if (err)
		gdnl_fail(nl, err);
	gdnl_close(nl);
	return EXIT_OK;
}

const struct cmd cmd_session = {
	.name = "session",
	.summary = "stop or destroy a session",
	.usage = session_usage,
	.run = run_session,
};
