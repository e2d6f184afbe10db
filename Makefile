# SPDX-License-Identifier: GPL-2.0
#
# godiag: `make` builds godiag.ko and godiagctl; `make help` lists the rest.

# Kbuild (and make itself) cannot work in a directory whose path has a blank.
ifneq ($(words $(CURDIR)),1)
  $(error godiag: the checkout path "$(CURDIR)" has a blank in it, where Kbuild cannot build: clone or move it to a path without one)
endif

VERSION := $(shell sed -n 's/^\#define GODIAG_VERSION "\(.*\)"/\1/p' include/godiag_version.h)
PREFIX ?= /usr/local
DESTDIR ?=
KVER ?= $(shell uname -r)

# The kernel build dir: the running kernel's when its headers are installed,
# else the newest Debian linux-headers-*-amd64, else nothing (say so).
ifeq ($(origin KDIR),undefined)
  ifneq ($(wildcard /lib/modules/$(KVER)/build/Makefile),)
    KDIR := /lib/modules/$(KVER)/build
  else
    KDIR := $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
    KDIR_PICKED := 1
  endif
endif

DKMS_SRC := $(DESTDIR)/usr/src/godiag-$(VERSION)
# Debian's headers have no vmlinux to generate module BTF against.
NO_BTF := CONFIG_DEBUG_INFO_BTF_MODULES=

.PHONY: all module ctl deps check check-unit check-vm check-full demo bench install uninstall \
	dkms-install dkms-uninstall dkms-src clean help sparse checkpatch shellcheck

all: module ctl

module:
	@if [ -z "$(KDIR)" ]; then \
		echo "make: no kernel build dir: install linux-headers-amd64 (make deps) or pass KDIR=" >&2; \
		exit 1; fi
	@[ -z "$(KDIR_PICKED)" ] || echo "  KDIR    $(KDIR) (newest installed headers; KDIR= overrides)"
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(NO_BTF) modules

ctl:
	$(MAKE) -C ctl

deps:
	sh tests/deps.sh

# The time budget of make check, in minutes (a CI run gets 90): past it,
# make check prints a warning at the end (not a failure). Every case's
# time is in the table it prints; tests/vm/README.md has the last measured.
CHECK_BUDGET_MIN := 45

# Unit tests, then the VM cases of the check tier of tests/matrix: every
# case on every kernel, the Go builds spread over the kernels, two guests
# at once (tests/README.md).
check:
	GODIAG_BUDGET_MIN=$(CHECK_BUDGET_MIN) bash tests/check.sh

check-unit:
	bash tests/check.sh unit

check-vm:
	bash tests/check.sh vm

# The whole cross product: every case x kernel x Go version and build kind,
# the DKMS case and the fault-injection build on every kernel (hours).
check-full:
	bash tests/check.sh full

# The DKMS case on every kernel, DKMS building in the guest.
.PHONY: check-dkms check-debug
check-dkms:
	bash tests/check.sh dkms

# Every VM case on the debug kernel, kmemleak-checked (hours; see tests/check.sh).
check-debug:
	bash tests/check.sh debug

demo:
	bash tests/demo.sh

bench:
	bash tests/bench/run.sh

# A GODIAG_SOAK_MINUTES-long (30) capture of a busy Go service in one VM:
# exact counts, slab memory flat (tests/soak/run.sh). Not in make check.
.PHONY: soak
soak:
	bash tests/soak/run.sh

# libFuzzer (clang) on the capture file reader and the Go binary parser,
# FUZZ_SECONDS (300) each; fuzz-regress replays tests/fuzz/regress/ (gcc).
.PHONY: fuzz fuzz-regress
fuzz:
	$(MAKE) -C tests/fuzz fuzz

fuzz-regress:
	$(MAKE) -C tests/fuzz regress

# For dedicated hosts (dist/): the flight recorder unit, one instance per
# recorder (godiag-flight@NAME.service reads /etc/godiag/flight/NAME.conf),
# the module loaded at boot, an example config. Configs of one's own in
# /etc/godiag/flight are left alone by uninstall.
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
BINDIR ?= $(PREFIX)/bin
DOCDIR ?= $(PREFIX)/share/doc/godiag
UNIT := godiag-flight@.service

install: ctl
	$(MAKE) -C ctl install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) BINDIR=$(BINDIR)
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/modules-load.d \
		$(DESTDIR)$(SYSCONFDIR)/godiag/flight $(DESTDIR)$(DOCDIR)
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/$(UNIT).in > $(DESTDIR)$(UNITDIR)/$(UNIT).tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/$(UNIT).tmp
	mv $(DESTDIR)$(UNITDIR)/$(UNIT).tmp $(DESTDIR)$(UNITDIR)/$(UNIT)
	install -m 0644 dist/modules-load.godiag.conf $(DESTDIR)$(SYSCONFDIR)/modules-load.d/godiag.conf
	install -m 0644 dist/flight-example.conf $(DESTDIR)$(DOCDIR)/flight-example.conf

uninstall:
	$(MAKE) -C ctl uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) BINDIR=$(BINDIR)
	rm -f $(DESTDIR)$(UNITDIR)/$(UNIT) $(DESTDIR)$(SYSCONFDIR)/modules-load.d/godiag.conf \
		$(DESTDIR)$(DOCDIR)/flight-example.conf
	-rmdir $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/godiag/flight $(DESTDIR)$(SYSCONFDIR)/godiag \
		2>/dev/null

# The DKMS source tree: exactly what Kbuild needs, with dkms.conf versioned.
dkms-src:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kmod $(DKMS_SRC)/include
	install -m 0644 Kbuild $(DKMS_SRC)/
	install -m 0644 kmod/Kbuild kmod/*.c kmod/*.h $(DKMS_SRC)/kmod/
	install -m 0644 include/*.h $(DKMS_SRC)/include/
	sed 's/@VERSION@/$(VERSION)/' dkms/dkms.conf > $(DKMS_SRC)/dkms.conf

dkms-install: dkms-src
	dkms add -m godiag -v $(VERSION)
	dkms install -m godiag -v $(VERSION) -k $(KVER)

dkms-uninstall:
	-dkms remove -m godiag -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

# Static checks of the kernel code: sparse on the module, checkpatch.pl
# from Debian's linux-source-6.1 (compat.h's version tests are expected).
sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 $(NO_BTF) modules

CHECKPATCH := build/checkpatch/scripts/checkpatch.pl
$(CHECKPATCH):
	mkdir -p build/checkpatch
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C build/checkpatch --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch

# shellcheck on every shell script of the project (make check runs it).
SHELL_SCRIPTS := $(wildcard tests/*.sh tests/*/*.sh) .ci/run
shellcheck:
	shellcheck -x $(SHELL_SCRIPTS)

checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) --no-tree --terse --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		-f $(filter-out %.mod.c,$(wildcard kmod/*.c)) kmod/*.h include/*.h

# Kbuild's clean deletes every *.mod, *.o and .*.cmd below M=, the Go
# programs' go.mod files in tests/ too: point it at kmod/ only.
clean:
	[ -z "$(KDIR)" ] || $(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
	rm -f Module.symvers modules.order .module-common.o .*.cmd
	$(MAKE) -C tests/unit clean
	$(MAKE) -C ctl clean
	rm -rf build

help:
	@echo "make                build godiag.ko (KDIR=...) and godiagctl"
	@echo "make deps           install every Debian package needed (root)"
	@echo "make demo           build, boot a test VM, load the module, run godiagctl"
	@echo "make check          unit tests, VM tests on Debian 6.1, 6.12, 6.12-rt (tests/matrix; ~40 min)"
	@echo "make check-full     every VM test x kernel x Go version and build kind (hours)"
	@echo "make check-dkms     the DKMS test on every kernel (slow: a real dkms build per kernel)"
	@echo "make check-debug    VM tests on the debug kernel (KASAN, lockdep, kmemleak ...; hours)"
	@echo "make bench          overhead vs bpftrace/strace/perf/runtime-trace, records/s, loss (VM, ~10 min;\n                    GODIAG_BENCH_SECTIONS=\"4\" for the Go section only), and on the host the cost of a\n                    goroutine dump (GODIAG_BENCH_VM=0 for that alone)"
	@echo "make soak           a 30-min capture of a busy Go service in one VM: exact counts, flat slab\n                    memory (~40 min; GODIAG_SOAK_MINUTES, GODIAG_SOAK_KERNEL)"
	@echo "make fuzz           fuzz the capture file reader and the Go binary parser (FUZZ_SECONDS=300 each)"
	@echo "make fuzz-regress   replay the fuzzers' crash inputs (tests/fuzz/regress)"
	@echo "make install        install godiagctl, man page, completion, the flight recorder unit\n                    godiag-flight@.service, /etc/modules-load.d/godiag.conf (PREFIX, DESTDIR)"
	@echo "make dkms-install   register with DKMS and build for KVER (default: running)"
	@echo "make dkms-uninstall remove from DKMS"
	@echo "make sparse         sparse on the kernel code (KDIR=...)"
	@echo "make checkpatch     the kernel's checkpatch.pl on kmod/ and include/"
	@echo "make shellcheck     shellcheck on every shell script (also in make check)"
