# SPDX-License-Identifier: GPL-2.0
# lrutop: `make` builds ./lrutop, `make test` runs every test, `make static` builds
# ./lrutop-static for booted test kernels and hosts without the libraries.
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= bpftool
CC ?= gcc
ARCH ?= x86
PREFIX ?= /usr/local
DESTDIR ?=
OUT := build

# CFLAGS (optimisation, debug info) and EXTRA_CFLAGS are the user's; what lrutop's C needs
# is added to them whatever the command line says. Warnings are errors (WERROR=0 to build
# anyway with another compiler than Debian's).
CFLAGS ?= -g -O2
EXTRA_CFLAGS ?=
WERROR ?= 1
WARN_FLAGS := -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	$(if $(filter 1,$(WERROR)),-Werror)
# make sanitize sets these: AddressSanitizer and UndefinedBehaviorSanitizer builds in build/san.
SAN_FLAGS ?=
LRUTOP ?= lrutop
override CFLAGS += $(SAN_FLAGS) $(WARN_FLAGS) -std=gnu11 $(EXTRA_CFLAGS)
# The layers of src/, each including only from those below it (tests/check_layers.sh):
# lib/ arithmetic and helpers anything may use; kernel/ what reads the kernel; state/ what
# lrutop keeps between refreshes and the views of it; view/ what renders it; export/
# Prometheus and HTTP; ab/ snapshots and A/B; cmd/ the commands, their options and the loop.
SRC_DIRS := $(addprefix src/,lib kernel state view export ab cmd)
# Includes name their layer: #include "kernel/probe.h".
CPPFLAGS += -I$(OUT) -Ibpf -Isrc
LIBS := -lbpf -lelf -lz -ljansson -lncursesw -ltinfo -lm
# libmicrohttpd is dlopen()ed for --listen only (src/export/http.c).
HTTP_LIBS := -ldl
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Ibpf $(WARN_FLAGS)

SRCS := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))
HDRS := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.h $(d)/*.def))
OBJS := $(patsubst src/%.c,$(OUT)/%.o,$(SRCS))
LIB_OBJS := $(filter-out $(OUT)/cmd/lrutop.o,$(OBJS))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUT)/unit/%,$(wildcard tests/unit/test_*.c))
TESTS := $(patsubst tests/%.c,$(OUT)/%,$(wildcard tests/test_*.c)) $(UNIT_TESTS)

.PHONY: all static deps test vmtest vngtest systemtest ci-job-test kernel-ci kernel-faults ab bench bench-hotpath bench-fastpath bench-inventory fuzz sanitize install clean
all: deps lrutop

deps:
	@scripts/deps.sh build

$(OUT):
	mkdir -p $@

# The objects keep their BTF (CO-RE needs it), not their DWARF: the skeletons embed them.
$(OUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) vmlinux/$(ARCH)/vmlinux.h | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(LLVM_STRIP) -g $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@
.PRECIOUS: $(OUT)/%.bpf.o $(OUT)/%.skel.h

$(OUT)/%.o: src/%.c $(OUT)/lrutop.skel.h $(OUT)/inventory.skel.h $(OUT)/iters.skel.h bpf/lrutop.h $(HDRS) | $(OUT)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LRUTOP): $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LIBS) $(HTTP_LIBS) -o $@

# Booted test kernels and hosts without the libraries: no --listen (libmicrohttpd's static
# link would drag in GnuTLS and its dependencies).
$(OUT)/export/http-static.o: src/export/http.c src/export/http.h | $(OUT)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DLRUTOP_NO_HTTP -c $< -o $@

static: deps lrutop-static
lrutop-static: $(filter-out $(OUT)/export/http.o,$(OBJS)) $(OUT)/export/http-static.o
	$(CC) $(CFLAGS) -static $^ $(LIBS) -o $@

# Tests: unit tests (cmocka) against real BTF of Debian kernels, then the host tests; a
# host test's features are files of its own folder (tests/host/ for test_host).
$(OUT)/test_%: tests/test_%.c tests/host_util.c $(LIB_OBJS)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) $(filter %.c %.o,$^) $(LIBS) $(HTTP_LIBS) -lcmocka -o $@
$(OUT)/test_host: $(wildcard tests/host/*.c) tests/host/host_tests.h tests/host_util.h
$(OUT)/test_reliability: $(wildcard tests/reliability/*.c) tests/reliability/reliability.h tests/host_util.h

# Unit tests: one file per module, no kernel needed.
$(OUT)/unit/test_%: tests/unit/test_%.c tests/unit/unit.h $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $< $(LIB_OBJS) $(LIBS) $(HTTP_LIBS) -lcmocka -o $@

$(OUT)/workload: tests/workload.c | $(OUT)
	$(CC) $(CFLAGS) -static $< -o $@

test:
	@scripts/deps.sh test vm vng systemtest
	@$(MAKE) --no-print-directory lrutop lrutop-static $(TESTS) $(OUT)/workload
	@tests/run.sh

# The kernel tests alone: Debian 5.10, 6.1 and 6.12 booted under QEMU, or the kernels named
# by KERNELS: aliases, pkg:NAME (a Debian kernel package), or paths of bzImages.
vmtest:
	@scripts/deps.sh test vm vng
	@$(MAKE) --no-print-directory lrutop-static $(OUT)/test_host $(OUT)/workload
	@LRUTOP_ONLY_VM=1 LRUTOP_VM_KERNELS="$(KERNELS)" tests/run.sh

# The kernel tests under virtme-ng, the host's root shared into each guest: Debian's 6.18 and
# the newest series, or VNG_KERNELS. One summary line per kernel.
VNG_KERNELS ?= 6.18 newest
vngtest:
	@scripts/deps.sh test vng
	@$(MAKE) --no-print-directory lrutop $(OUT)/test_host $(OUT)/workload
	@LRUTOP_ONLY_VM=1 LRUTOP_VM_KERNELS=none LRUTOP_VNG_KERNELS="$(VNG_KERNELS)" tests/run.sh

# lrutop as operators run it: the .deb built, a Debian 12 root with systemd booted under QEMU
# on Debian's SYSTEMTEST_KERNELS, apt, the exporter's unit, a real Prometheus, apt purge.
SYSTEMTEST_KERNELS ?= 6.1 newest
systemtest:
	@scripts/deps.sh test systemtest
	@scripts/systemtest.sh $(foreach k,$(SYSTEMTEST_KERNELS),--kernel-alias $(k))

# README's CI job for kernel developers, in a clean Debian 12 root (mmdebstrap, chroot) with
# each apt source layout: clone, make deps, deps.sh test kbuild vng, ci-kernel.sh.
ci-job-test:
	@scripts/ci-job-test.sh

# A kernel built from source and booted the users' way (virtme-ng): Debian's linux-source-6.1,
# or the tree KSRC (configured if it has no .config). About half an hour on 2 cores (README).
kernel-ci:
	@scripts/deps.sh test vm kbuild
	@scripts/ci-kernel.sh $(if $(KSRC),$(KSRC),--linux-source 6.1)

# Allocation failures made on purpose: Debian's linux-source of each of FAULT_SERIES built with
# failslab and fail-nth (kept in .cache/kernels/faults-SERIES: built once), booted, and the
# test_faults_* run in it with both backends. One summary line per kernel, then the total.
FAULT_SERIES ?= 5.10 6.1 7.3
kernel-faults:
	@scripts/deps.sh test vm kbuild
	@scripts/kernel-faults.sh $(FAULT_SERIES)

# Before/after the patch on Debian 5.10 and 6.1: snapshots, tables and chart in docs/ab/.
# Any two kernels: make ab A=6.12 B=7.3 [NUMA="1 2"] [MEMCGS="20 200"] [AB_OUT=dir]
# (a series alias, pkg:NAME or the path of a bzImage each).
ab:
	@scripts/deps.sh test vm
	@$(MAKE) --no-print-directory lrutop lrutop-static $(OUT)/workload
	@scripts/ab.sh $(if $(A),-a $(A) -b $(B)) $(if $(NUMA),--numa "$(NUMA)") \
		$(if $(MEMCGS),--memcgs "$(MEMCGS)") $(if $(AB_OUT),-o $(AB_OUT))

# The cost of watching: docs/BENCHMARKS.md says what each figure means.
$(OUT)/churn: tests/bench/churn.c | $(OUT)
	$(CC) $(CFLAGS) -static $< -o $@

$(OUT)/hotpath: tests/bench/hotpath.c | $(OUT)
	$(CC) $(CFLAGS) -static $< -o $@

$(OUT)/bench-files: tests/bench/files.c | $(OUT)
	$(CC) $(CFLAGS) -static $< -o $@

$(OUT)/floor_fentry.bpf.o: tests/bench/floor_fentry.bpf.c vmlinux/$(ARCH)/vmlinux.h | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bench-runs: tests/bench/runs.c | $(OUT)
	$(CC) $(CFLAGS) $< -lbpf -o $@

$(OUT)/bench-verified: tests/bench/verified.c | $(OUT)
	$(CC) $(CFLAGS) $< -lbpf -o $@

$(OUT)/bench-refresh: tests/bench/refresh.c tests/bench/move_rows.h $(LIB_OBJS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(filter-out %.h,$^) $(LIBS) $(HTTP_LIBS) -o $@

$(OUT)/floor.bpf.o: tests/bench/floor.bpf.c vmlinux/$(ARCH)/vmlinux.h | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bench-fill: tests/bench/fill.c tests/bench/move_rows.h bpf/lrutop.h | $(OUT)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -lbpf -o $@

$(OUT)/bench-floor: tests/bench/floor.c | $(OUT)
	$(CC) $(CFLAGS) $< -lbpf -lelf -lz -o $@

bench:
	@scripts/deps.sh test vm bench
	@$(MAKE) -s --no-print-directory lrutop lrutop-static $(OUT)/churn $(OUT)/bench-refresh \
		$(OUT)/bench-fill $(OUT)/bench-floor $(OUT)/floor.bpf.o $(OUT)/workload
	@scripts/bench.sh

# Nothing on the hot path: an allocation-heavy workload that touches no list_lru, in a
# kernel with fentry under virtme-ng (HOTPATH_KERNEL), none, lrutop and bpftrace
# interleaved; lrutop's program runs from kernel BPF statistics.
HOTPATH_KERNEL ?= 6.18
bench-hotpath:
	@scripts/deps.sh test vng bench
	@$(MAKE) -s --no-print-directory lrutop $(OUT)/hotpath $(OUT)/bench-runs
	@scripts/bench-guests.sh hotpath $(HOTPATH_KERNEL) $(ROUNDS)

# The fentry backend where a file server works: files made, stat'ed and unlinked on tmpfs
# and ext4 and read through the page cache, in a memcg whose lists exist, in kernels with
# fentry under virtme-ng; none, lrutop, do-nothing programs on the same functions and
# bpftrace, interleaved (docs/BENCHMARKS.md).
FASTPATH_KERNELS ?= 6.1 6.12 6.18 newest
bench-fastpath:
	@scripts/deps.sh test vng bench
	@$(MAKE) -s --no-print-directory lrutop $(OUT)/bench-files $(OUT)/bench-runs $(OUT)/bench-floor \
		$(OUT)/floor_fentry.bpf.o
	@FASTPATH_WORK="$(FASTPATH_WORK)" FASTPATH_TRACERS="$(FASTPATH_TRACERS)" \
		scripts/bench-guests.sh fastpath "$(FASTPATH_KERNELS)" $(ROUNDS)

# One inventory pass over 500 memcgs and 1,000 tmpfs mounts, in booted kernels under QEMU.
INVENTORY_KERNELS ?= 5.10 6.1
bench-inventory:
	@scripts/deps.sh test vm
	@$(MAKE) -s --no-print-directory lrutop-static $(OUT)/workload
	@scripts/bench-guests.sh inventory $(INVENTORY_KERNELS)

# What `lrutop compare` reads, fuzzed (libFuzzer, ASan, UBSan) for FUZZ_S seconds from the
# seeds in tests/fuzz/corpus; new inputs go to a scratch directory, not the seeds.
FUZZ_S ?= 60
FUZZ_SRCS := src/ab/snap.c src/ab/compare.c src/ab/compare_measured.c src/lib/model.c src/lib/kmalloc.c \
	src/lib/lru_kinds.c
$(OUT)/fuzz-compare: tests/fuzz/compare_fuzz.c $(FUZZ_SRCS) src/ab/compare.h | $(OUT)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$(CPPFLAGS) tests/fuzz/compare_fuzz.c $(FUZZ_SRCS) \
		-ljansson -lm -o $@

fuzz:
	@scripts/deps.sh build fuzz
	@$(MAKE) --no-print-directory $(OUT)/lrutop.skel.h $(OUT)/fuzz-compare
	@rm -rf $(OUT)/fuzz-new && mkdir -p $(OUT)/fuzz-new
	LRUTOP_FUZZ_REAL=docs/ab/6.1.0-57-amd64-m10-n1.json $(OUT)/fuzz-compare \
		-max_total_time=$(FUZZ_S) -max_len=65536 -print_final_stats=1 \
		-artifact_prefix=$(OUT)/fuzz-crash- \
		$(OUT)/fuzz-new tests/fuzz/corpus

# The unit and host tests, lrutop itself included, under ASan and UBSan (no kernels booted:
# the guests run the static build).
SAN_OUT := $(OUT)/san
sanitize:
	@scripts/deps.sh test fuzz
	@$(MAKE) --no-print-directory OUT=$(SAN_OUT) LRUTOP=$(SAN_OUT)/lrutop \
		SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
		$(SAN_OUT)/lrutop $(patsubst $(OUT)/%,$(SAN_OUT)/%,$(TESTS))
	@$(MAKE) --no-print-directory $(OUT)/workload
	@LRUTOP_VM=0 LRUTOP_TEST_DIR=$(SAN_OUT) LRUTOP_BIN=$(CURDIR)/$(SAN_OUT)/lrutop \
		LRUTOP_SANITIZED=1 LRUTOP_CHURN_S=20 tests/run.sh

install: lrutop
	install -D -m 0755 lrutop $(DESTDIR)$(PREFIX)/sbin/lrutop
	install -D -m 0644 docs/lrutop.8 $(DESTDIR)$(PREFIX)/share/man/man8/lrutop.8
	install -D -m 0644 scripts/completion/lrutop.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/lrutop
	install -D -m 0644 docs/lrutop-jsonl.schema.json \
		$(DESTDIR)$(PREFIX)/share/lrutop/lrutop-jsonl.schema.json

clean:
	rm -rf $(OUT) lrutop lrutop-static
