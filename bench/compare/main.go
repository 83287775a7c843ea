package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

//go:embed torch_bench.py
var torchScript []byte

// result is one measured figure.
type result struct {
	Name  string  `json:"name"`
	Lib   string  `json:"lib"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

var budget = 2 * time.Second

func main() {
	quick := flag.Bool("quick", false, "shorter timings and no 2048 SGEMM (finishes in a few minutes)")
	threadList := flag.String("threads", "1,2", "thread counts to measure")
	python := flag.String("python", "/usr/bin/python3", "Python with torch and numpy")
	worker := flag.String("worker", "", "internal: run one measurement in a child process")
	flag.Parse()
	if *worker != "" {
		runWorker(*worker, *threadList, *quick)
		return
	}
	if *quick {
		budget = 500 * time.Millisecond
	}
	var threads []int
	for _, s := range strings.Split(*threadList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "compare: --threads: want numbers like 1,2, got %q\n", *threadList)
			os.Exit(2)
		}
		threads = append(threads, n)
	}
	fmt.Printf("machine: %s, %d CPUs, %s\n", cpuName(), runtime.NumCPU(), runtime.Version())
	var all []result
	script, err := os.CreateTemp("", "torch_bench*.py")
	if err != nil {
		fatal(err)
	}
	defer os.Remove(script.Name())
	if _, err := script.Write(torchScript); err != nil {
		fatal(err)
	}
	script.Close()
	havePython := exec.Command(*python, "-c", "import torch, numpy").Run() == nil
	if !havePython {
		fmt.Printf("note: %s cannot import torch and numpy (apt-get install python3-torch); printing bigfunc only\n", *python)
	}
	for _, t := range threads {
		all = append(all, bigfuncChild(t, *quick)...)
		if havePython {
			all = append(all, runPython(*python, script.Name(), "numpy", t, *quick)...)
			all = append(all, runPython(*python, script.Name(), "torch", t, *quick)...)
		}
	}
	all = append(all, bigfuncRSS())
	if havePython {
		all = append(all, runPython(*python, script.Name(), "torch-rss", 1, *quick)...)
	}
	report(all)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "compare:", err)
	os.Exit(1)
}

func cpuName() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// timeit returns the mean seconds per call of f over at least budget.
func timeit(f func()) float64 {
	f()
	n, start := 0, time.Now()
	for {
		f()
		n++
		if el := time.Since(start); el >= budget && n >= 3 {
			return el.Seconds() / float64(n)
		}
	}
}

func bigfunc(threads int, quick bool) []result {
	prev := runtime.GOMAXPROCS(threads)
	defer runtime.GOMAXPROCS(prev)
	var out []result
	sizes := []int{256, 512, 1024, 2048}
	if quick {
		sizes = sizes[:3]
	}
	rng := tensor.NewRNG(1)
	for _, n := range sizes {
		a, b, c := tensor.Rand(rng, n, n).Data(), tensor.Rand(rng, n, n).Data(), make([]float32, n*n)
		t := timeit(func() { kernel.Gemm(false, false, n, n, n, a, n, b, n, c, n, false) })
		out = append(out, result{fmt.Sprintf("sgemm%d_%dt", n, threads), "bigfunc", 2 * math.Pow(float64(n), 3) / t / 1e9, "GFLOP/s"})
	}
	for _, c := range []struct {
		hidden, batch int
		opt           string
	}{{256, 64, "sgd"}, {256, 64, "adam"}, {256, 256, "sgd"}, {1024, 256, "sgd"}} {
		step := mlpStep(c.hidden, c.batch, c.opt)
		t := timeit(step)
		out = append(out, result{fmt.Sprintf("mlp%d_b%d_%s_%dt", c.hidden, c.batch, c.opt, threads), "bigfunc", float64(c.batch) / t, "samples/s"})
	}
	m := mlpModel(256)
	for _, batch := range []int{1, 1024} {
		x := tensor.Rand(rng, batch, 784)
		t := timeit(func() { m.Predict(x) })
		if batch == 1 {
			out = append(out, result{fmt.Sprintf("infer_b1_%dt", threads), "bigfunc", t * 1e6, "µs"})
		} else {
			out = append(out, result{fmt.Sprintf("infer_b1024_%dt", threads), "bigfunc", float64(batch) / t, "samples/s"})
		}
	}
	return out
}

// mlpModel is the 784-h-h-10 ReLU network of the comparison.
func mlpModel(hidden int) *train.Model {
	src := fmt.Sprintf("input: {synthetic: xor}\noutput: {label: c}\narchitecture: [{linear: %d}, relu, {linear: %d}, relu, {linear: 10}]\nloss: cross_entropy\noptimizer: sgd\ntrain: {epochs: 1}\n", hidden, hidden)
	s, err := spec.Parse("compare.yaml", []byte(src))
	if err != nil {
		fatal(err)
	}
	m, err := train.NewModel(s, []int{784}, 1)
	if err != nil {
		fatal(err)
	}
	return m
}

// mlpStep returns one training step of the MLP on a fixed random batch,
// with the optimizer of the comparison (SGD with momentum 0.9, or Adam).
func mlpStep(hidden, batch int, opt string) func() {
	m := mlpModel(hidden)
	hp := map[string]any{"lr": 0.01}
	if opt == "sgd" {
		hp["momentum"] = 0.9
	}
	o, err := optim.New(opt, nn.Vars(m.Params()), hp)
	if err != nil {
		fatal(err)
	}
	rng := tensor.NewRNG(2)
	x := tensor.Rand(rng, batch, 784)
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = rng.Intn(10)
	}
	tr, err := train.NewTrainer(m, o, &data.Dataset{X: x, Labels: labels}, nil, train.Config{Epochs: 1, BatchSize: batch}, 1)
	if err != nil {
		fatal(err)
	}
	return func() { tr.Step(x, labels, nil) }
}

// bigfuncRSS trains in a child process and reads the peak resident set it
// reports. The child reads its own VmHWM: the rusage of a child started
// with vfork can count the parent's pages from before the exec.
func bigfuncRSS() result {
	exe, err := os.Executable()
	if err != nil {
		fatal(err)
	}
	out, err := exec.Command(exe, "-worker", "train-rss").Output()
	if err != nil {
		fatal(fmt.Errorf("rss worker: %w", err))
	}
	mib, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		fatal(fmt.Errorf("rss worker printed %q", out))
	}
	return result{"rss_train", "bigfunc", mib, "MiB"}
}

// peakRSS returns this process's peak resident set in MiB, from
// /proc/self/status.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	fatal(fmt.Errorf("no VmHWM in /proc/self/status"))
	return 0
}

// bigfuncChild measures bigfunc with the given thread count in a fresh
// process, as the Python side is measured: state left by a run with
// another GOMAXPROCS (helper goroutines, pooled buffers, the heap) must not
// colour the figures.
func bigfuncChild(threads int, quick bool) []result {
	exe, err := os.Executable()
	if err != nil {
		fatal(err)
	}
	args := []string{"-worker", "bigfunc", "-threads", strconv.Itoa(threads)}
	if quick {
		args = append(args, "-quick")
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		fatal(fmt.Errorf("bigfunc worker: %w", err))
	}
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

func runWorker(name, threads string, quick bool) {
	switch name {
	case "bigfunc":
		t, err := strconv.Atoi(threads)
		if err != nil {
			fatal(fmt.Errorf("worker: -threads %q", threads))
		}
		if quick {
			budget = 500 * time.Millisecond
		}
		enc := json.NewEncoder(os.Stdout)
		for _, r := range bigfunc(t, quick) {
			if err := enc.Encode(r); err != nil {
				fatal(err)
			}
		}
	case "train-rss":
		runtime.GOMAXPROCS(1)
		step := mlpStep(256, 64, "sgd")
		for i := 0; i < 200; i++ {
			step()
		}
		fmt.Println(peakRSS())
	default:
		fatal(fmt.Errorf("unknown worker %q", name))
	}
}

func runPython(python, script, mode string, threads int, quick bool) []result {
	q := "0"
	if quick {
		q = "1"
	}
	cmd := exec.Command(python, script, mode, strconv.Itoa(threads), q)
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OPENBLAS_CORETYPE=") || strings.HasPrefix(kv, "OPENBLAS_L2_SIZE=") ||
			strings.HasPrefix(kv, "OMP_NUM_THREADS=") || strings.HasPrefix(kv, "OPENBLAS_NUM_THREADS=") {
			continue
		}
		env = append(env, kv)
	}
	t := strconv.Itoa(threads)
	cmd.Env = append(env, "OMP_WAIT_POLICY=PASSIVE", "OMP_NUM_THREADS="+t, "OPENBLAS_NUM_THREADS="+t, "MKL_NUM_THREADS="+t)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "compare: %s %s: %v\n", python, mode, err)
		return nil
	}
	var out []result
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var r result
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			out = append(out, r)
		}
	}
	return out
}

// report prints every figure side by side, then the ratio lines.
func report(all []result) {
	by := map[string]map[string]result{}
	var names []string
	for _, r := range all {
		if by[r.Name] == nil {
			by[r.Name] = map[string]result{}
			names = append(names, r.Name)
		}
		by[r.Name][r.Lib] = r
	}
	sort.SliceStable(names, func(i, j int) bool { return order(names[i]) < order(names[j]) })
	fmt.Printf("\n%-24s %14s %14s %14s %8s\n", "workload", "bigfunc", "pytorch", "openblas", "ratio")
	var ratios []string
	for _, n := range names {
		m := by[n]
		b, ok := m["bigfunc"]
		if !ok {
			continue
		}
		cell := func(lib string) string {
			if r, ok := m[lib]; ok {
				return fmt.Sprintf("%.4g %s", r.Value, r.Unit)
			}
			return "-"
		}
		// SGEMM is judged against OpenBLAS, everything else against PyTorch.
		ref, ok := m["pytorch"]
		if strings.HasPrefix(n, "sgemm") {
			ref, ok = m["openblas"]
		}
		ratio := "-"
		if ok && ref.Value > 0 && b.Value > 0 {
			v := b.Value / ref.Value
			if b.Unit == "µs" || b.Unit == "MiB" {
				v = ref.Value / b.Value // smaller is better
			}
			ratio = fmt.Sprintf("%.2f", v)
			ratios = append(ratios, fmt.Sprintf("ratio %s %.2f", n, v))
		}
		fmt.Printf("%-24s %14s %14s %14s %8s\n", n, cell("bigfunc"), cell("pytorch"), cell("openblas"), ratio)
	}
	fmt.Println()
	for _, r := range ratios {
		fmt.Println(r)
	}
}

func order(name string) int {
	for i, p := range []string{"sgemm", "mlp", "infer", "rss"} {
		if strings.HasPrefix(name, p) {
			return i
		}
	}
	return 9
}
