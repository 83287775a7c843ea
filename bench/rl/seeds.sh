#!/bin/sh
# seeds.sh trains every reinforcement-learning example over seeds 1..5,
# each run in its own process with GOMAXPROCS=1 (A3C: one per worker),
# evaluates each model over 100 greedy episodes (rl eval --seed 1), and
# keeps the training summary, the learning curve and the evaluation line
# of each run under OUT.
#
# Usage: bench/rl/seeds.sh BIGFUNC OUT [JOBS] [SPEC...]
#
# JOBS runs go at once (default 1); give it no more than the idle cores,
# minus one per A3C run. Summarise with bench/rl/summary.py OUT.
set -eu
bin=$(realpath "$1")
out=$2
jobs=${3:-1}
shift 2
[ $# -gt 0 ] && shift
specs=${*:-"examples/pendulum-ppo.yaml examples/cartpole-dqn.yaml examples/cartpole-ppo.yaml examples/cartpole-a3c.yaml examples/acrobot-ppo.yaml examples/cartpole-a2c.yaml"}
mkdir -p "$out"
for spec in $specs; do
	name=$(basename "$spec" .yaml)
	for seed in 1 2 3 4 5; do
		echo "$spec $name $seed"
	done
done | xargs -P "$jobs" -L 1 sh -c '
	spec=$0 name=$1 seed=$2 bin='"'$bin'"' out='"'$out'"'
	run=$out/$name-s$seed
	sed -e "s/^  seed: .*/  seed: $seed/" -e "s|^  save: .*|  save: $(basename $run).safetensors|" "$spec" >"$run.yaml"
	procs=1
	w=$(sed -n "s/^  num_workers: *//p" "$spec")
	[ -n "$w" ] && procs=$w
	GOMAXPROCS=$procs nice -n 5 "$bin" rl train "$run.yaml" --quiet --curve "$run.csv" >"$run.train" 2>&1
	"$bin" rl eval --model "$run.safetensors" --episodes 100 --seed 1 >"$run.eval" 2>&1
	echo "$name seed $seed: $(head -1 "$run.train" | cut -c1-60)... $(cat "$run.eval")"
'
