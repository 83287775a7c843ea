#!/bin/bash
# Runs the time-to-99 % pair one after the other on this machine: bigfunc
# (bench/cnn) and then PyTorch 1.13 (mnist_cnn.py) on examples/mnist-cnn.yaml's
# network, THREADS threads each (default 1), each stopping at the first epoch
# with 99.0 % test accuracy, under /usr/bin/time -v for CPU time and peak RSS.
# Logs go to OUT (default out/bench-cnn). Run from the repository root.
set -euo pipefail
threads=${THREADS:-1}
out=${OUT:-out/bench-cnn}
mkdir -p "$out"
go build -o "$out/cnn" ./bench/cnn
GOMAXPROCS=$threads /usr/bin/time -v "$out/cnn" -spec examples/mnist-cnn.yaml -until 0.99 >"$out/bigfunc.log" 2>&1
/usr/bin/time -v /usr/bin/python3 bench/cnn/mnist_cnn.py --threads "$threads" --until 0.99 >"$out/pytorch.log" 2>&1
grep -h -E "^epoch|seconds to|peak RSS|User time|System time|Maximum resident" "$out/bigfunc.log" "$out/pytorch.log"
