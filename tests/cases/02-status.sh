# shellcheck shell=bash source-path=SCRIPTDIR
# godiag-case: no-go-programs (runs while check.sh builds them)
# godiagctl status reports what the running kernel and module say.
. "$(dirname "$0")/../lib.sh"

module_load
out=$("$ctl" status)
check_match "status names module version and ABI" \
	"^module +godiag [0-9]+\.[0-9]+\.[0-9]+ \(ABI [0-9]+\)" "$out"
check_match "status names the running kernel" "^kernel +$(re_escape "$(uname -r)")\$" "$out"
check_match "status counts the CPUs" "^cpus +$(nproc --all) possible, $(nproc) online" "$out"
check_match "status shows buffer settings" "^buffers +.*per CPU" "$out"

json=$("$ctl" status --json)
check "status --json is valid JSON" python3 -c 'import json,sys; json.loads(sys.argv[1])' "$json"
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval("d"+sys.argv[2]))' "$json" "$1"; }
check_eq "json kernel" "$(uname -r)" "$(field '["kernel"]')"
check_eq "json possible cpus" "$(nproc --all)" "$(field '["cpus"]["possible"]')"
check_eq "json online cpus" "$(nproc)" "$(field '["cpus"]["online"]')"
check_eq "json module version matches modinfo" \
	"$(modinfo -F version "$ko")" "$(field '["module"]["version"]')"
check_eq "json default buffer" 1048576 "$(field '["buffer"]["default_bytes"]')"

check_status "status as non-root is refused with exit 4" 4 as_nobody "$ctl" status
check_match "non-root gets a one-line reason" "CAP_PERFMON or CAP_SYS_ADMIN" "$(cat "$work/out")"
check_eq "non-root message is one line" 1 "$(wc -l < "$work/out")"
check_status "non-root cannot open /dev/godiag" 1 as_nobody cat /dev/godiag
check_status "root in a user namespace is refused" 4 \
	as_nobody unshare -Ur "$ctl" status
