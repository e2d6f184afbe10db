# Split a kmemleak report (/sys/kernel/debug/kmemleak, or the lines between
# GODIAG-KMEMLEAK-BEGIN and -END of a console log when on=0 is passed) into
# the suspected leaks allocated by godiag (written to the file ours) and the
# others (the file others); prints "TOTAL OURS".
#
# A leak is godiag's when its allocation backtrace names godiag, or holds
# an address in the module area that kallsyms no longer names (godiag was
# unloaded before the scan; the test kernels load no other module after
# boot). Used by tests/vm/run.sh and tests/vm/runner.sh.
BEGIN { if (on == "") on = 1 }
/^GODIAG-KMEMLEAK-BEGIN/ { on = 1; next }
/^GODIAG-KMEMLEAK-END/ { on = 0 }
!on { next }
function flush() {
	if (rec == "")
		return
	total++
	if (hit) {
		n++
		printf "%s", rec >ours
	} else {
		printf "%s", rec >others
	}
	rec = ""
	hit = 0
}
/^unreferenced object 0x/ { flush() }
{ rec = rec $0 "\n" }
/^    \[<[0-9a-f]+>\] / && (/godiag/ || /\] 0xffffffff[a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/) { hit = 1 }
END { flush(); print total + 0, n + 0 }
