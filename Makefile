# SPDX-License-Identifier: GPL-2.0
#
# godiag: `make` builds godiag.ko and godiagctl; `make help` lists the rest.

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

.PHONY: all module ctl deps check check-unit check-vm demo bench install uninstall \
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

check:
	bash tests/check.sh

check-unit:
	bash tests/check.sh unit

check-vm:
	bash tests/check.sh vm

# The DKMS case on every kernel (make check runs it on 6.1 only).
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

install: ctl
	$(MAKE) -C ctl install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

uninstall:
	$(MAKE) -C ctl uninstall DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

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
	@echo "make check          unit tests and VM tests on Debian 6.1, 6.12, 6.12-rt (DKMS case: 6.1 only)"
	@echo "make check-dkms     the DKMS test on every kernel (slow: a real dkms build per kernel)"
	@echo "make check-debug    VM tests on the debug kernel (KASAN, lockdep, kmemleak ...; hours)"
	@echo "make bench          overhead vs bpftrace/strace/perf/runtime-trace, records/s, loss (VM, ~10 min;\n                    GODIAG_BENCH_SECTIONS=\"4\" for the Go section only)"
	@echo "make soak           a 30-min capture of a busy Go service in one VM: exact counts, flat slab\n                    memory (~40 min; GODIAG_SOAK_MINUTES, GODIAG_SOAK_KERNEL)"
	@echo "make fuzz           fuzz the capture file reader and the Go binary parser (FUZZ_SECONDS=300 each)"
	@echo "make fuzz-regress   replay the fuzzers' crash inputs (tests/fuzz/regress)"
	@echo "make install        install godiagctl, man page, completion (PREFIX, DESTDIR)"
	@echo "make dkms-install   register with DKMS and build for KVER (default: running)"
	@echo "make dkms-uninstall remove from DKMS"
	@echo "make sparse         sparse on the kernel code (KDIR=...)"
	@echo "make checkpatch     the kernel's checkpatch.pl on kmod/ and include/"
	@echo "make shellcheck     shellcheck on every shell script (also in make check)"
