#!/bin/sh
# Runs inside a booted test kernel (scripts/vm-run.sh): the test_kernel_* host tests, with
# the fentry backend where the kernel allows it, against the kernel's own numbers.
export LRUTOP_BIN=/lrutop/lrutop LRUTOP_WORKLOAD=/lrutop/workload
export LRUTOP_TESTS='test_kernel_*' LRUTOP_SUITE="kernel $(uname -r)" LRUTOP_EXPECT_BACKEND=fentry
/lrutop/lrutop --probe | sed -n 's/^backend: /lrutop backend: /p'
/lrutop/test_host
