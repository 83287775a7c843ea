package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/bigfunc/bigfunc/rl"
	"github.com/bigfunc/bigfunc/rl/ppo"
)

// The reinforcement-learning job: seconds for PPO to solve CartPole-v1
// (the mean return of 20 training episodes first ≥ 475) with
// examples/cartpole-ppo.yaml, CleanRL's hyperparameters, against
// bench/rl/ppo_torch.py, the same algorithm in PyTorch on a NumPy
// CartPole. One thread on each side, seed 1; with --cpu-time both report
// process CPU seconds instead of wall-clock. Both files are read from the
// working directory, the repository's root.
const (
	rlSpec   = "examples/cartpole-ppo.yaml"
	rlScript = "bench/rl/ppo_torch.py"
)

// bigfuncSolve runs the job in a child process with one thread.
func bigfuncSolve() []result {
	return child("solve", 1)
}

// solveCartPole trains until solved and returns the seconds it took.
func solveCartPole() []result {
	s, err := rl.LoadSpec(rlSpec)
	if err != nil {
		fatal(err)
	}
	s.Train.Seed, s.Train.StopWhenSolved = 1, true
	_, p, err := ppo.Train(context.Background(), s, nil)
	if err != nil {
		fatal(err)
	}
	// 0 when unsolved: JSON has no NaN, and report skips the ratio.
	r := result{Name: "solve_cartpole_ppo_1t", Lib: "bigfunc", Unit: "s", Note: "not solved"}
	if p.Solved != nil {
		r.Value = p.Solved.Wall.Seconds()
		if cpuClock {
			r.Value = p.Solved.CPU.Seconds()
		}
		r.Note = fmt.Sprintf("seed 1, solved at step %d", p.Solved.Step)
	}
	return []result{r}
}

// torchSolve runs bench/rl/ppo_torch.py with one thread.
func torchSolve(python, core string) []result {
	clock := "wall"
	if cpuClock {
		clock = "cpu"
	}
	cmd := exec.Command(python, filepath.Base(rlScript), "--seed", "1", "--threads", "1", "--stop", "--json", clock)
	cmd.Dir = filepath.Dir(rlScript)
	cmd.Env = anchorEnv(core, 1)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "compare: %s: %v\n", rlScript, err)
		return nil
	}
	return decodeResults(out)
}

// haveRLJob reports whether the spec and the script are where the job
// reads them.
func haveRLJob() error {
	for _, f := range []string{rlSpec, rlScript} {
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("%s not found: run from the repository's root", f)
		}
	}
	return nil
}

// decodeResults reads the figures a worker or an anchor printed, one JSON
// object a line, skipping any other output.
func decodeResults(out []byte) []result {
	var rs []result
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r result
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			rs = append(rs, r)
		}
	}
	return rs
}

// runSolveWorker is the child's side of bigfuncSolve.
func runSolveWorker(threads string) {
	t, err := strconv.Atoi(threads)
	if err != nil {
		fatal(fmt.Errorf("worker: -threads %q", threads))
	}
	runtime.GOMAXPROCS(t)
	enc := json.NewEncoder(os.Stdout)
	for _, r := range solveCartPole() {
		if err := enc.Encode(r); err != nil {
			fatal(err)
		}
	}
}
