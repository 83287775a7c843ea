package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/rl"
	rlenv "github.com/bigfunc/bigfunc/rl/env"
)

func TestRLReplay(t *testing.T) {
	code, out, errs := runCLI(t, "rl", "replay", "CartPole-v1", "--state", "0.01,-0.02,0.03,0.04", "--actions", "1,0,1")
	if code != 0 {
		t.Fatalf("code %d, stderr %s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "step,obs_0,obs_1,obs_2,obs_3,reward,terminated,truncated" {
		t.Errorf("header %q", lines[0])
	}
	if len(lines) != 4 {
		t.Fatalf("%d lines, want header and 3 rows:\n%s", len(lines), out)
	}
	// The rows are the env package's replay (tested against Gymnasium),
	// numbered from 1, with Python's float format and true/false.
	e, _ := rlenv.New("CartPole-v1")
	var want bytes.Buffer
	if err := rlenv.Replay(&want, e, []float64{0.01, -0.02, 0.03, 0.04}, [][]float32{{1}, {0}, {1}}); err != nil {
		t.Fatal(err)
	}
	if out != want.String() {
		t.Errorf("got\n%s\nwant\n%s", out, want.String())
	}
	if !strings.HasPrefix(lines[1], "1,") || !strings.HasSuffix(lines[1], ",1.0,false,false") {
		t.Errorf("first row %q", lines[1])
	}

	// The episode stops at termination: the cart starts beyond the edge.
	_, out, _ = runCLI(t, "rl", "replay", "CartPole-v1", "--state", "2.5,0,0,0", "--actions", "1,1,1")
	if n := strings.Count(out, "\n"); n != 2 || !strings.HasSuffix(out, ",1.0,true,false\n") {
		t.Errorf("termination: %q", out)
	}
	// And at the time limit: Pendulum never terminates, its limit is 200.
	acts := strings.TrimSuffix(strings.Repeat("0.5,", 210), ",")
	_, out, _ = runCLI(t, "rl", "replay", "Pendulum-v1", "--state", "1,0", "--actions", acts)
	rows := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(rows) != 201 || !strings.HasPrefix(rows[200], "200,") || !strings.HasSuffix(rows[200], ",false,true") {
		t.Errorf("truncation: %d rows, last %q", len(rows), rows[len(rows)-1])
	}
}

func TestRLReplayErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"CartPole-v0", "--state", "0,0,0,0", "--actions", "1"}, 1, `unknown environment "CartPole-v0" (did you mean "CartPole-v1"?)`},
		{[]string{"Acrobot-v1", "--state", "0,0,0", "--actions", "1"}, 1, "--state has 3 values, want 4 for Acrobot-v1 (theta1, theta2, dtheta1, dtheta2)"},
		{[]string{"MountainCar-v0", "--state", "0,x", "--actions", "1"}, 1, `--state: value 2 ("x") is not a number`},
		{[]string{"MountainCar-v0", "--state", "0,0", "--actions", "3"}, 1, "action 1: got 3, want an integer from 0 to 2"},
		{[]string{"MountainCar-v0", "--actions", "1"}, 2, "missing --state"},
	} {
		code, out, errs := runCLI(t, append([]string{"rl", "replay"}, c.args...)...)
		first := strings.SplitN(errs, "\n", 2)[0]
		if code != c.code || out != "" || !strings.HasPrefix(first, "bigfunc: ") || !strings.Contains(first, c.want) {
			t.Errorf("%v: code %d, stdout %q, stderr %q; want code %d and %q", c.args, code, out, errs, c.code, c.want)
		}
		if c.code == 1 && strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: stderr is not one line: %q", c.args, errs)
		}
	}
}

func TestRLTrainEvalPlayCurve(t *testing.T) {
	dir := writeFiles(t, map[string]string{"cp.yaml": "env: CartPole-v1\nagent: {name: ppo, num_envs: 2, num_steps: 32, num_minibatches: 2}\n" +
		"architecture: [{linear: 8}, tanh]\ntrain: {total_steps: 256, seed: 1, save: cp.safetensors}\n"})
	spec := filepath.Join(dir, "cp.yaml")
	model := filepath.Join(dir, "cp.safetensors")
	curve := filepath.Join(dir, "cp.csv")
	code, out, errs := runCLI(t, "rl", "train", spec, "--quiet", "--curve", curve)
	if code != 0 || !strings.Contains(out, "trained ppo on CartPole-v1: 256 steps") || !strings.Contains(out, "saved "+model) {
		t.Fatalf("train: code %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = runCLI(t, "rl", "eval", "--model", model, "--episodes", "3", "--seed", "2")
	if code != 0 || !strings.Contains(out, "mean return") || !strings.Contains(out, "over 3 episodes") {
		t.Errorf("eval: code %d\n%s\n%s", code, out, errs)
	}
	gif := filepath.Join(dir, "cp.gif")
	code, out, errs = runCLI(t, "rl", "play", "--model", model, "--gif", gif)
	if b, err := os.ReadFile(gif); code != 0 || err != nil || !bytes.HasPrefix(b, []byte("GIF89a")) {
		t.Errorf("play: code %d, %v\n%s\n%s", code, err, out, errs)
	}
	png := filepath.Join(dir, "cp.png")
	code, _, errs = runCLI(t, "rl", "curve", "-o", png, curve)
	if b, err := os.ReadFile(png); code != 0 || err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("curve: code %d, %v, %s", code, err, errs)
	}
	code, _, errs = runCLI(t, "rl", "eval", "--model", filepath.Join(dir, "nope.safetensors"))
	if code != 1 || strings.Count(errs, "\n") != 1 {
		t.Errorf("eval of a missing model: code %d, stderr %q", code, errs)
	}
	code, _, errs = runCLI(t, "rl", "trian")
	if code != 2 || !strings.Contains(errs, `did you mean "train"`) {
		t.Errorf("unknown subcommand: code %d, stderr %q", code, errs)
	}
}

// TestRLExamples checks that every example spec parses, that its agent
// accepts its hyperparameters, and that it trains for a moment.
func TestRLExamples(t *testing.T) {
	paths, _ := filepath.Glob("../../examples/*.yaml")
	n := 0
	for _, p := range paths {
		b, _ := os.ReadFile(p)
		if !strings.Contains(string(b), "\nagent:") {
			continue // a supervised spec
		}
		n++
		s, err := rl.LoadSpec(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		s.Train.TotalSteps = 64
		if _, _, err := trainAgent(context.Background(), s, nil); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if n < 5 {
		t.Errorf("found %d reinforcement-learning examples, want 5", n)
	}
}
