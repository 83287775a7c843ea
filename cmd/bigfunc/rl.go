package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/rl"
	"github.com/bigfunc/bigfunc/rl/a2c"
	"github.com/bigfunc/bigfunc/rl/a3c"
	"github.com/bigfunc/bigfunc/rl/dqn"
	rlenv "github.com/bigfunc/bigfunc/rl/env"
	"github.com/bigfunc/bigfunc/rl/ppo"
)

// rlSubcommands are the subcommands of bigfunc rl.
var rlSubcommands = []struct{ name, args, summary string }{
	{"train", "SPEC [--curve CSV] [--quiet]", "train an agent as the spec describes and save it"},
	{"eval", "--model M [--episodes N] [--seed S] [--sample]", "print the mean and standard deviation of the return"},
	{"play", "--model M --gif OUT.gif [--seed S]", "render one episode as an animated GIF"},
	{"replay", "ENV --state s1,… --actions a1,…", "step an environment from a state and print CSV"},
	{"curve", "-o OUT.png CSV…", "plot learning curves written by train --curve"},
}

func rlUsage(e *env) {
	w := e.stdout
	fmt.Fprintln(w, "Usage: bigfunc rl train|eval|play|replay|curve")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Reinforcement learning: agents (dqn, ppo, a2c, a3c) on Gymnasium's classic-control environments.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Subcommands:")
	for _, s := range rlSubcommands {
		fmt.Fprintf(w, "  bigfunc rl %-7s %-38s %s\n", s.name, s.args, s.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Environments: %s.\n", strings.Join(rlenv.Names(), ", "))
}

func cmdRL(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("rl: missing subcommand: train, eval, play, replay or curve")
	}
	sub := map[string]func(context.Context, *env, []string) error{
		"train": rlTrain, "eval": rlEval, "play": rlPlay, "replay": rlReplay, "curve": rlCurve,
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		rlUsage(e)
		return errHelp
	}
	if f, ok := sub[args[0]]; ok {
		return f(ctx, e, args[1:])
	}
	names := make([]string, len(rlSubcommands))
	for i, s := range rlSubcommands {
		names[i] = s.name
	}
	return usagef("rl: unknown subcommand %q%s; allowed: %s", args[0], didYouMean(args[0], names), strings.Join(names, ", "))
}

func rlFlags(e *env, i int) *flag.FlagSet {
	s := rlSubcommands[i]
	return newFlags(e, "rl "+s.name, s.args, s.summary)
}

// trainAgent dispatches to the agent's package.
func trainAgent(ctx context.Context, s *rl.Spec, log io.Writer) (*rl.Model, *rl.Progress, error) {
	switch s.Agent {
	case "ppo":
		return ppo.Train(ctx, s, log)
	case "dqn":
		return dqn.Train(ctx, s, log)
	case "a2c":
		return a2c.Train(ctx, s, log)
	case "a3c":
		return a3c.Train(ctx, s, log)
	}
	return nil, nil, fmt.Errorf("%s: unknown agent %q", s.Path, s.Agent)
}

func rlTrain(ctx context.Context, e *env, args []string) error {
	fs := rlFlags(e, 0)
	curve := fs.String("curve", "", "also write the learning curve (step,return per episode) to this CSV file")
	quiet := fs.Bool("quiet", false, "print only the summary")
	pos, err := parseExact(fs, args, "SPEC")
	if err != nil {
		return err
	}
	s, err := rl.LoadSpec(pos[0])
	if err != nil {
		return err
	}
	log := e.stderr
	if *quiet {
		log = nil
	}
	m, p, err := trainAgent(ctx, s, log)
	if err != nil {
		return err
	}
	save := s.Train.Save
	if save == "" {
		save = strings.TrimSuffix(filepath.Base(s.Path), filepath.Ext(s.Path)) + ".safetensors"
	}
	if !filepath.IsAbs(save) {
		save = filepath.Join(filepath.Dir(s.Path), save)
	}
	if err := m.Save(save); err != nil {
		return err
	}
	if *curve != "" {
		if err := writeCurve(*curve, p.Curve); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "trained %s on %s: %d steps in %.1f s (%.1f s CPU, %.0f steps/s), %d episodes, last 20 return %.1f\n",
		s.Agent, s.Env, p.Step, p.Elapsed().Seconds(), p.CPU().Seconds(), p.StepsPerSecond(), len(p.Curve), p.RecentReturn())
	if p.Solved != nil {
		fmt.Fprintf(e.stdout, "first mean of 20 ≥ %g at step %d, after %.1f s (%.1f s CPU)\n", p.Threshold, p.Solved.Step, p.Solved.Wall.Seconds(), p.Solved.CPU.Seconds())
	}
	fmt.Fprintf(e.stdout, "saved %s\n", save)
	return nil
}

func writeCurve(path string, pts []rl.Point) error {
	var b strings.Builder
	b.WriteString("step,return\n")
	for _, p := range pts {
		fmt.Fprintf(&b, "%d,%s\n", p.Step, strconv.FormatFloat(p.Return, 'g', -1, 64))
	}
	return writeFileAtomic(path, []byte(b.String()))
}

func rlEval(ctx context.Context, e *env, args []string) error {
	fs := rlFlags(e, 1)
	model := fs.String("model", "", "the saved model")
	episodes := fs.Int("episodes", 100, "number of episodes")
	seed := fs.Uint64("seed", 1, "seed of the initial states")
	sample := fs.Bool("sample", false, "draw actions from the policy instead of taking the most likely one")
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	if err := required(fs, "model", *model); err != nil {
		return err
	}
	if *episodes < 1 {
		return usagef("rl eval: --episodes must be ≥ 1, got %d", *episodes)
	}
	m, err := rl.LoadModel(*model)
	if err != nil {
		return err
	}
	mean, std := rl.MeanStd(rl.Evaluate(m, *episodes, *seed, *sample))
	how := "greedy"
	if *sample {
		how = "sampled"
	}
	fmt.Fprintf(e.stdout, "%s on %s: mean return %.2f ± %.2f (std) over %d episodes (%s actions)\n", m.Spec.Agent, m.Spec.Env, mean, std, *episodes, how)
	return nil
}

func rlPlay(ctx context.Context, e *env, args []string) error {
	fs := rlFlags(e, 2)
	model := fs.String("model", "", "the saved model")
	gif := fs.String("gif", "", "the GIF file to write")
	seed := fs.Uint64("seed", 1, "seed of the initial state")
	if _, err := parseExact(fs, args); err != nil {
		return err
	}
	if err := required(fs, "model", *model); err != nil {
		return err
	}
	if err := required(fs, "gif", *gif); err != nil {
		return err
	}
	m, err := rl.LoadModel(*model)
	if err != nil {
		return err
	}
	ret, steps, err := rl.PlayGIF(*gif, m, *seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d steps, return %.2f; wrote %s\n", m.Spec.Env, steps, ret, *gif)
	return nil
}

func rlReplay(ctx context.Context, e *env, args []string) error {
	fs := rlFlags(e, 3)
	state := fs.String("state", "", "the initial internal state, comma-separated")
	actions := fs.String("actions", "", "the actions, comma-separated (indices, or torques for Pendulum-v1)")
	pos, err := parseExact(fs, args, "ENV")
	if err != nil {
		return err
	}
	if err := required(fs, "state", *state); err != nil {
		return err
	}
	en, err := rlenv.New(pos[0])
	if err != nil {
		return fmt.Errorf("rl replay: %v", err)
	}
	s, err := parseFloats(*state, "--state")
	if err != nil {
		return fmt.Errorf("rl replay: %v", err)
	}
	if n := len(en.StateNames()); len(s) != n {
		return fmt.Errorf("rl replay: --state has %d values, want %d for %s (%s)", len(s), n, en.Name(), strings.Join(en.StateNames(), ", "))
	}
	var acts [][]float32
	if *actions != "" {
		as, err := parseFloats(*actions, "--actions")
		if err != nil {
			return fmt.Errorf("rl replay: %v", err)
		}
		for _, a := range as {
			// float64 first, then float32: NumPy's path from a Python float
			// to the float32 action array.
			acts = append(acts, []float32{float32(a)})
		}
	}
	return rlenv.Replay(e.stdout, en, s, acts)
}

func parseFloats(s, flag string) ([]float64, error) {
	parts := strings.Split(s, ",")
	out := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
				return nil, fmt.Errorf("%s: value %d (%q) is out of range", flag, i+1, p)
			}
			return nil, fmt.Errorf("%s: value %d (%q) is not a number", flag, i+1, p)
		}
		out[i] = v
	}
	return out, nil
}

func rlCurve(ctx context.Context, e *env, args []string) error {
	fs := rlFlags(e, 4)
	out := fs.String("o", "", "the image to write (PNG, SVG or PDF)")
	title := fs.String("title", "Learning curve", "the figure's title")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := required(fs, "o", *out); err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("rl curve: missing CSV files")
	}
	var runs []rl.Run
	for _, path := range pos {
		pts, err := readCurve(path)
		if err != nil {
			return err
		}
		runs = append(runs, rl.Run{Label: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), Points: pts})
	}
	if err := rl.SaveCurves(*out, *title, runs); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", *out)
	return nil
}

func readCurve(path string) ([]rl.Point, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(recs) == 0 || len(recs[0]) != 2 || recs[0][0] != "step" || recs[0][1] != "return" {
		return nil, fmt.Errorf("%s:1: want the header step,return", path)
	}
	var pts []rl.Point
	for i, r := range recs[1:] {
		st, err1 := strconv.Atoi(r[0])
		ret, err2 := strconv.ParseFloat(r[1], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s:%d: want an integer step and a number", path, i+2)
		}
		pts = append(pts, rl.Point{Step: st, Return: ret})
	}
	return pts, nil
}
