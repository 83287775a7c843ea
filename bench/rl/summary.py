"""Summarise the runs of seeds.sh: for each example, the median and the
worst over its seeds of the 100-episode evaluation mean, of the step at
which the mean of 20 training episodes first reached the threshold, and
of the CPU seconds of the whole training, as a Markdown table ("—": the
environment has no threshold, or no seed reached it).

Usage: python3 bench/rl/summary.py OUT
"""

import glob
import os
import re
import statistics
import sys


def main():
    out = sys.argv[1]
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, "*-s[0-9].train"))):
        name, seed = re.match(r"(.*)-s(\d+)\.train$", os.path.basename(path)).groups()
        train = open(path).read()
        ev = open(path[:-len(".train")] + ".eval").read()
        m = re.search(r"trained \S+ on \S+: (\d+) steps in ([\d.]+) s \(([\d.]+) s CPU", train)
        solved = re.search(r"at step (\d+), after ([\d.]+) s \(([\d.]+) s CPU\)", train)
        mean = float(re.search(r"mean return (-?[\d.]+)", ev).group(1))
        runs.setdefault(name, []).append({
            "seed": int(seed), "steps": int(m.group(1)), "wall": float(m.group(2)), "cpu": float(m.group(3)),
            "eval": mean, "solved": int(solved.group(1)) if solved else None,
            "solved_cpu": float(solved.group(3)) if solved else None})
    print("| example | seeds | env steps | evaluation mean: median / worst | per seed | first ≥ threshold (step): median / worst | "
          "CPU s to first ≥ threshold: median / worst | CPU s, whole run: median / worst |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rs in runs.items():
        evals = [r["eval"] for r in rs]
        solved = [r["solved"] for r in rs]
        def mw(xs, fmt, worst=max):
            got = [x for x in xs if x is not None]
            if not got:
                return "—"
            s = f"{fmt(statistics.median(got))} / {fmt(worst(got))}"
            if len(got) < len(xs):
                s += f" ({len(xs) - len(got)} of {len(xs)} never)"
            return s
        print(f"| {name} | {len(rs)} | {rs[0]['steps']:,} | {statistics.median(evals):.1f} / {min(evals):.1f} | "
              f"{', '.join(f'{e:.1f}' for e in evals)} | {mw(solved, lambda x: f'{x / 1000:.0f}k')} | "
              f"{mw([r['solved_cpu'] for r in rs], lambda x: f'{x:.1f}')} | {mw([r['cpu'] for r in rs], lambda x: f'{x:.1f}')} |")


if __name__ == "__main__":
    main()
