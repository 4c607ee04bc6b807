# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Sourced: how many kernel tests a guest must run and how many of them may skip, for the
# runners that count them (tests/run.sh, scripts/ci-kernel.sh). A test skipped where it must
# run is a failure.

# 1 if the kernel whose kallsyms is on stdin has no THP deferred-split list_lru (7.2+), else 0.
no_thp_lru() {
	grep -qw folio_memcg_list_lru_alloc && echo 0 || echo 1
}

# How many times the zswap test skipped and said why: no swap device to use (the busybox
# guests load no module, so no zram), or a kernel before 6.8, whose zswap LRU is no list_lru.
no_swap() {
	grep -cE "^(no swap device for zswap|zswap's LRU is memcg-aware from 6.8 on)" || true
}

# The same for a guest, from the line tests/vm/guest.sh prints.
guest_no_thp_lru() {
	grep -q '^lrutop thp list_lru: yes' && echo 0 || echo 1
}

# How many of a guest's kernel tests may skip, from its output ($1), run PASSES times ($2:
# once a backend). Before the patch, the lazy, owner/cause, shadow, THP, zswap and
# per-memcg latency tests; after it, the eager one, the THP one before 7.2 and the zswap
# one where it said why.
guest_may_skip() {
	if grep -q '^lrutop list_lru: eager' <<< "$1"; then
		echo $(($2 * 6))
		return
	fi
	echo $(($2 * (1 + $(guest_no_thp_lru <<< "$1")) + $(no_swap <<< "$1")))
}

# How many kernel tests a guest (its output $1) must run, with $2 kernel tests run once a
# backend (tests/vm/guest.sh): after the patch the lazy lists' test a third time, with
# kallsyms hidden.
guest_must_run() {
	if grep -q '^lrutop list_lru: eager' <<< "$1"; then
		echo $((2 * $2))
		return
	fi
	echo $((2 * $2 + 1))
}
