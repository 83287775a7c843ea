#!/bin/sh
# speed.sh times bigfunc's PPO and DQN on CartPole-v1 against the PyTorch
# 1.13 references (ppo_torch.py, dqn_torch.py: the same algorithms and
# hyperparameters, CleanRL's, on a NumPy CartPole), one thread each
# (GOMAXPROCS=1, torch.set_num_threads(1)), one run at a time, and prints
# each run's summary: steps per second of the whole loop, and the step,
# wall-clock and CPU seconds at which the mean return of the last 20
# episodes first reached 475. On a shared machine compare the CPU
# seconds: wall-clock includes the time spent waiting for a core.
#
# Usage: bench/rl/speed.sh BIGFUNC [SEEDS] [ALGOS] [PYTHON]
# (from the repository root; SEEDS defaults to "1 2 3", ALGOS to
# "ppo dqn", PYTHON to /usr/bin/python3, Debian's, which has
# python3-torch.)
set -eu
bin=$(realpath "$1")
seeds=${2:-1 2 3}
algos=${3:-ppo dqn}
py=${4:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(dirname "$0")
for algo in $algos; do
	for seed in $seeds; do
		echo "== $algo seed $seed"
		sed -e "s/^  seed: .*/  seed: $seed/" -e "s|^  save: .*|  save: $tmp/m.safetensors|" "examples/cartpole-$algo.yaml" >"$tmp/s.yaml"
		GOMAXPROCS=1 nice -n 5 "$bin" rl train "$tmp/s.yaml" --quiet | grep -v '^saved'
		(cd "$here" && nice -n 5 "$py" "${algo}_torch.py" --seed "$seed" --threads 1 --stop)
	done
done
