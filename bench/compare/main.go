package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bigfunc/bigfunc/data"
	_ "github.com/bigfunc/bigfunc/data/mnistdata" // the MNIST job finds its files through it
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/quant"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
	"golang.org/x/sys/unix"
)

//go:embed torch_bench.py
var torchScript []byte

// result is one measured figure.
type result struct {
	Name  string  `json:"name"`
	Lib   string  `json:"lib"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	Note  string  `json:"note,omitempty"`
}

var budget = 2 * time.Second

// minRound is the shortest round of calls a timing takes (see timeit); the
// Python side's timeit uses the same 5 ms.
const minRound = 5 * time.Millisecond

func main() {
	quick := flag.Bool("quick", false, "shorter timings, no 2048 SGEMM and no MNIST job (finishes in a few minutes)")
	threadList := flag.String("threads", "1,2", "thread counts to measure")
	python := flag.String("python", "/usr/bin/python3", "Python with torch and numpy")
	worker := flag.String("worker", "", "internal: run one measurement in a child process")
	flag.BoolVar(&cpuClock, "cpu-time", false, "time rounds by the thread's CPU clock (one thread only), for a machine busy with other work")
	cpuProfile := flag.String("cpuprofile", "", "with -worker: write a CPU profile of the measurement to this file")
	passes := flag.Int("passes", 2, "passes over the timed workloads, the sides taking turns; each side keeps its best")
	flag.Parse()
	if *worker != "" {
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				fatal(err)
			}
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
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
	if *passes < 1 {
		fmt.Fprintf(os.Stderr, "compare: --passes: want 1 or more, got %d\n", *passes)
		os.Exit(2)
	}
	if cpuClock && slices.Max(threads) > 1 {
		fmt.Fprintln(os.Stderr, "compare: --cpu-time measures one thread: use it with --threads 1")
		os.Exit(2)
	}
	fmt.Printf("machine: %s, %d CPUs, %s/%s, %s\n", cpuName(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	caches, source := kernel.Caches()
	var cs []string
	for _, c := range caches {
		cs = append(cs, c.String())
	}
	fmt.Printf("caches (from %s): %s\n", source, strings.Join(cs, ", "))
	// The peak is timed as every figure here is, in rounds of at least
	// minRound: the fastest 0.2 ms bursts can run a few per cent above
	// anything a longer round sustains (see kernel.PeakGFLOPS), and a
	// share of a burst's rate would charge that to every product.
	// Each CPU is measured, pinned, and the fastest is the peak: one
	// CPU of a shared machine can be slower than another for minutes
	// (see onCPU), and the one-thread figures are measured on each CPU in
	// turn, each side keeping its best.
	cpus := allowedCPUs()
	var peak, burst float64
	var isa string
	var perCPU []string
	fastest := -1
	for _, c := range cpus {
		onCPU(c, func() {
			var p float64
			p, isa = kernel.PeakGFLOPS(time.Second, minRound)
			b, _ := kernel.PeakGFLOPS(500*time.Millisecond, 0)
			perCPU = append(perCPU, fmt.Sprintf("CPU %d %.1f", c, p))
			if p > peak {
				peak, fastest = p, c
			}
			burst = max(burst, b)
		})
	}
	if len(cpus) == 0 {
		peak, isa = kernel.PeakGFLOPS(time.Second, minRound)
		burst, _ = kernel.PeakGFLOPS(500*time.Millisecond, 0)
	}
	fmt.Printf("FMA peak per core: %.1f GFLOP/s (%s; measured as every timing here: the fastest %v round of independent multiply-adds, on the fastest CPU: %s; 0.2 ms bursts reach %.1f)\n",
		peak, isa, minRound, strings.Join(perCPU, ", "), burst)
	fmt.Printf("bigfunc kernel: %s\n", kernel.Config())
	if cpuClock {
		fmt.Println("timing: CPU time of the calling thread (--cpu-time), both sides")
	}
	fmt.Printf("timing: best of %d passes, bigfunc, OpenBLAS and PyTorch taking turns%s\n", *passes, pinning(cpus, *passes))

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
	var numpyCore, torchCore string
	if havePython {
		// Every core type is probed on the same CPU, the fastest.
		onCPU(fastest, func() {
			numpyCore = chooseCoreType(*python, script.Name(), "numpy")
			torchCore = chooseCoreType(*python, script.Name(), "torch")
		})
	}
	// The machine's speed drifts by a tenth or more over minutes, with
	// other work on it: sides measured a minute apart would compare the
	// drift. So the sides take turns, pass after pass, and each keeps its
	// best figure (see best), as each round of timeit does.
	// One-thread figures are pinned, pass by pass, to each CPU in turn,
	// every side alike (see onCPU).
	for pass := range *passes {
		for _, t := range threads {
			cpu := -1
			if t == 1 && len(cpus) > 1 {
				cpu = cpus[pass%len(cpus)]
			}
			onCPU(cpu, func() {
				all = append(all, bigfuncChild(t, *quick)...)
				if havePython {
					all = append(all, runPython(*python, script.Name(), "numpy", numpyCore, t, *quick)...)
					all = append(all, runPython(*python, script.Name(), "torch", torchCore, t, *quick)...)
				}
			})
		}
	}
	all = append(all, bigfuncRSS())
	if havePython {
		all = append(all, runPython(*python, script.Name(), "torch-rss", torchCore, 1, *quick)...)
	}
	if !*quick {
		t := slices.Max(threads)
		dir, err := data.MNISTDir()
		if err != nil {
			fmt.Printf("note: no MNIST job: %v\n", err)
		} else {
			all = append(all, bigfuncTTA(t)...)
			if havePython {
				all = append(all, runPython(*python, script.Name(), "tta", torchCore, t, false, dir)...)
			}
		}
		if err := haveRLJob(); err != nil {
			fmt.Printf("note: no reinforcement-learning job: %v\n", err)
		} else {
			all = append(all, bigfuncSolve()...)
			if havePython {
				all = append(all, torchSolve(*python, torchCore)...)
			}
		}
	}
	report(all, peak)
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

// timeit returns the seconds per call of f: the fastest of the rounds of
// calls (each at least minRound, or one call) run within budget, after a
// warm-up call. Other work shares the machine; the fastest round is the
// one it disturbed least, and the Python side is timed the same way. With
// --cpu-time the rounds are timed by the thread's CPU clock instead (see
// threadCPU).
func timeit(f func()) float64 {
	if cpuClock {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	f()
	best := math.Inf(1)
	for start := time.Now(); ; {
		n, r0 := 0, clock()
		var el float64
		for {
			f()
			n++
			if el = clock() - r0; el >= minRound.Seconds() {
				break
			}
		}
		best = min(best, el/float64(n))
		if time.Since(start) >= budget {
			return best
		}
	}
}

// processCPU returns the CPU time, user and system, that this process has
// used, in seconds.
func processCPU() float64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		fatal(err)
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// cpuClock is set by --cpu-time.
var cpuClock bool

// clock returns seconds: wall-clock time, or the CPU time of the calling
// thread with --cpu-time.
func clock() float64 {
	if cpuClock {
		return threadCPU()
	}
	return float64(time.Now().UnixNano()) / 1e9
}

// threadCPU returns the CPU time the calling OS thread has used, in
// seconds. On a machine shared with other busy processes, wall-clock
// rounds of a single-threaded computation are seldom undisturbed; its CPU
// time leaves out the time it waited for a core (though not the caches
// others cooled), so one-thread figures stay comparable. It means nothing
// for several threads, which --cpu-time refuses.
func threadCPU() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		fatal(err)
	}
	return float64(ts.Nano()) / 1e9
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
		out = append(out, result{fmt.Sprintf("sgemm%d_%dt", n, threads), "bigfunc", 2 * math.Pow(float64(n), 3) / t / 1e9, "GFLOP/s", ""})
	}
	for _, c := range []struct {
		hidden, batch int
		opt           string
	}{{256, 64, "sgd"}, {256, 64, "adam"}, {256, 256, "sgd"}, {1024, 256, "sgd"}} {
		step := mlpStep(c.hidden, c.batch, c.opt)
		t := timeit(step)
		out = append(out, result{fmt.Sprintf("mlp%d_b%d_%s_%dt", c.hidden, c.batch, c.opt, threads), "bigfunc", float64(c.batch) / t, "samples/s", ""})
	}
	if !quick {
		out = append(out, gpt(threads)...)
	}
	out = append(out, convRows(threads)...)
	m := mlpModel(256, 1)
	for _, batch := range []int{1, 1024} {
		x := tensor.Rand(rng, batch, 784)
		t := timeit(func() { m.Predict(x) })
		if batch == 1 {
			out = append(out, result{fmt.Sprintf("infer_b1_%dt", threads), "bigfunc", t * 1e6, "µs", ""})
		} else {
			out = append(out, result{fmt.Sprintf("infer_b1024_%dt", threads), "bigfunc", float64(batch) / t, "samples/s", ""})
		}
	}
	// The same network quantized to int8 (bigfunc quantize), against
	// PyTorch's quantize_dynamic.
	q, err := quant.Model(m)
	if err != nil {
		fatal(err)
	}
	for _, batch := range []int{1, 1024} {
		x := tensor.Rand(rng, batch, 784)
		t := timeit(func() { q.Predict(x) })
		note := quant.ISA() + " kernels"
		if batch == 1 {
			out = append(out, result{fmt.Sprintf("infer8_b1_%dt", threads), "bigfunc", t * 1e6, "µs", note})
		} else {
			out = append(out, result{fmt.Sprintf("infer8_b1024_%dt", threads), "bigfunc", float64(batch) / t, "samples/s", note})
		}
	}
	return out
}

// gpt measures the nanoGPT CPU configuration of BENCHMARKS.md's
// Transformer section (4 causal pre-norm layers, 4 heads, width 128,
// feed-forward 512, gelu, context 64, 65 tokens): a fused forward and
// backward pass at batch 12 in tokens/s, and generation at batch 1 through
// the key/value cache, 64 tokens from one, in tokens/s. torch_bench.py
// times the same model; its generation is timed twice, recomputing the
// context for every token and with a cache of its own.
func gpt(threads int) []result {
	rng := tensor.NewRNG(1)
	const T, V, E, n = 64, 65, 128, 12
	layers := []nn.Layer{nn.NewEmbedding(V, E, -1, rng), nn.NewPositional("learned", T, E, rng)}
	for i := 0; i < 4; i++ {
		layers = append(layers, nn.NewTransformerEncoderLayer(E, 4, 4*E, 0, "gelu", 1e-5, true, true, rng))
	}
	net := nn.NewSequential(append(layers, nn.NewLinear(E, V, true, rng))...)
	k := nn.Fuse(net, []int{T}, n)
	x := make([]float32, n*T)
	for i := range x {
		x[i] = float32(rng.Intn(V))
	}
	dy := tensor.Randn(rng, n, T, V).Data()
	y := make([]float32, n*T*V)
	mode := nn.Train(rng)
	t := timeit(func() {
		k.Forward(y, x, n, mode)
		k.Backward(nil, dy, x, y, n)
	})
	out := []result{{fmt.Sprintf("gpt_train_%dt", threads), "bigfunc", n * T / t, "tokens/s", ""}}
	d, err := nn.NewDecoder(net, T)
	if err != nil {
		fatal(err)
	}
	t = timeit(func() {
		d.Reset()
		id := 0
		for j := 0; j < T; j++ {
			id = argmax(d.Next(id))
		}
	})
	g := result{fmt.Sprintf("gpt_generate_%dt", threads), "bigfunc", T / t, "tokens/s", "key/value cache"}
	c := g
	c.Name = fmt.Sprintf("gpt_generate_cached_%dt", threads)
	return append(out, g, c)
}

func argmax(s []float32) int {
	best := 0
	for i, v := range s {
		if v > s[best] {
			best = i
		}
	}
	return best
}

// mlpModel is the 784-h-h-10 ReLU network of the comparison.
func mlpModel(hidden int, seed uint64) *train.Model {
	src := fmt.Sprintf("input: {synthetic: xor}\noutput: {label: c}\narchitecture: [{linear: %d}, relu, {linear: %d}, relu, {linear: 10}]\nloss: cross_entropy\noptimizer: sgd\ntrain: {epochs: 1}\n", hidden, hidden)
	s, err := spec.Parse("compare.yaml", []byte(src))
	if err != nil {
		fatal(err)
	}
	m, err := train.NewModel(s, []int{784}, seed)
	if err != nil {
		fatal(err)
	}
	return m
}

// mlpStep returns one training step of the MLP on a fixed random batch,
// with the optimizer of the comparison (SGD with momentum 0.9, or Adam).
func mlpStep(hidden, batch int, opt string) func() {
	m := mlpModel(hidden, 1)
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
	return result{"rss_train", "bigfunc", mib, "MiB", ""}
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
	if quick {
		return child("bigfunc", threads, "-quick")
	}
	return child("bigfunc", threads)
}

// child runs this program as a worker of the given kind with the given
// thread count (and the CPU clock if it is on), and returns the results
// it prints, one JSON object a line.
func child(kind string, threads int, args ...string) []result {
	exe, err := os.Executable()
	if err != nil {
		fatal(err)
	}
	args = append([]string{"-worker", kind, "-threads", strconv.Itoa(threads)}, args...)
	if cpuClock {
		args = append(args, "-cpu-time")
	}
	cmd := exec.Command(exe, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		fatal(fmt.Errorf("%s worker: %w", kind, err))
	}
	return decodeResults(out)
}

// bigfuncTTA runs the MNIST job in a child process with the given number
// of threads.
func bigfuncTTA(threads int) []result {
	return child("tta", threads)
}

// ttaSeeds are the seeds of the MNIST job, the same on the PyTorch side
// (TTA_SEEDS). The steps to 98 % move by a third either way with the seed
// (initial weights and batch order), more than any kernel can win or
// lose, so one seed per side would compare luck; the median of five
// compares the libraries.
var ttaSeeds = []uint64{1, 2, 3, 4, 5}

// timeToAccuracy is the whole job: train the 784-256-256-10 MLP with Adam
// (lr 1e-3) at batch 128 on MNIST, shuffled each epoch, checking the test
// accuracy every 100 steps, until it reaches 98 %, once with each of
// ttaSeeds. The clock starts once the data is loaded, as on the PyTorch
// side, and includes the checks; with --cpu-time it is the process's CPU
// time (one thread). It returns the median seconds (0, with a note, if a
// seed misses 98 % in 30 epochs: JSON has no NaN, and a zero value gets no
// ratio), the mean time per step, and the process's peak resident set.
func timeToAccuracy() []result {
	dir, err := data.MNISTDir()
	if err != nil {
		fatal(err)
	}
	trainSet, testSet, err := data.LoadMNIST(dir)
	if err != nil {
		fatal(err)
	}
	// The test set in pieces that Predict takes whole, cut before the clock
	// starts as PyTorch's test tensor is built before its clock: a slice
	// of a tensor is a copy, and copying the test set at every check would
	// be counted against the training. MNIST keeps its images as bytes;
	// the test set is widened to float32 once, as PyTorch's is.
	testSet.Expand()
	var testParts []*tensor.Tensor
	for lo := 0; lo < testSet.Len(); lo += 2500 {
		testParts = append(testParts, testSet.X.Slice(0, lo, min(lo+2500, testSet.Len())))
	}
	var times []float64
	var steps []string
	totalTime, totalSteps, missed := 0.0, 0, false
	for _, seed := range ttaSeeds {
		el, n, reached := ttaRun(trainSet, testParts, testSet.Labels, seed)
		times = append(times, el)
		steps = append(steps, strconv.Itoa(n))
		totalTime += el
		totalSteps += n
		missed = missed || !reached
	}
	slices.Sort(times)
	value, note := times[len(times)/2], fmt.Sprintf("median of %d seeds; steps %s", len(times), strings.Join(steps, ", "))
	if missed {
		value, note = 0, "missed 98 % in 30 epochs with a seed; steps "+strings.Join(steps, ", ")
	}
	return []result{
		{"tta_mnist98", "bigfunc", value, "s", note},
		{"tta_step", "bigfunc", 1e3 * totalTime / float64(totalSteps), "ms", "mean over all steps of all seeds, checks included"},
		{"rss_tta", "bigfunc", peakRSS(), "MiB", ""},
	}
}

// ttaRun trains one MLP from seed until the accuracy on testParts, checked
// every 100 steps, reaches 98 %, or for 30 epochs. It returns the seconds
// it took, its steps and whether it got there.
func ttaRun(trainSet *data.Dataset, testParts []*tensor.Tensor, labels []int, seed uint64) (float64, int, bool) {
	m := mlpModel(256, seed)
	o, err := optim.New("adam", nn.Vars(m.Params()), map[string]any{"lr": 1e-3})
	if err != nil {
		fatal(err)
	}
	tr, err := train.NewTrainer(m, o, trainSet, nil, train.Config{Epochs: 1, BatchSize: 128}, seed)
	if err != nil {
		fatal(err)
	}
	loader, err := data.NewLoader(trainSet, 128, tensor.NewRNG(seed))
	if err != nil {
		fatal(err)
	}
	accuracy := func() float64 {
		correct, row := 0, 0
		for _, x := range testParts {
			out, err := m.Predict(x)
			if err != nil {
				fatal(err)
			}
			for _, k := range tensor.ArgMax(out, 1) {
				if k == labels[row] {
					correct++
				}
				row++
			}
		}
		return float64(correct) / float64(row)
	}
	now := func() float64 { return float64(time.Now().UnixNano()) / 1e9 }
	if cpuClock {
		now = processCPU
	}
	start := now()
	step, reached := 0, false
	for !reached && step < 30*loader.NumBatches() {
		b, ok := loader.Next()
		if !ok {
			continue
		}
		tr.Step(b.X, b.Labels, nil)
		step++
		if step%100 == 0 {
			reached = accuracy() >= 0.98
		}
	}
	return now() - start, step, reached
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
	case "tta":
		t, err := strconv.Atoi(threads)
		if err != nil {
			fatal(fmt.Errorf("worker: -threads %q", threads))
		}
		runtime.GOMAXPROCS(t)
		enc := json.NewEncoder(os.Stdout)
		for _, r := range timeToAccuracy() {
			if err := enc.Encode(r); err != nil {
				fatal(err)
			}
		}
	case "solve":
		runSolveWorker(threads)
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

// runPython runs torch_bench.py in the given mode with the given thread
// count, OpenBLAS forced to the given core type ("" leaves it to
// OpenBLAS), and returns the figures it prints.
func runPython(python, script, mode, core string, threads int, quick bool, extra ...string) []result {
	q := "0"
	if quick {
		q = "1"
	}
	args := append([]string{script, mode, strconv.Itoa(threads), q}, extra...)
	cmd := exec.Command(python, args...)
	cmd.Env = anchorEnv(core, threads)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "compare: %s %s: %v\n", python, mode, err)
		return nil
	}
	return decodeResults(stdout.Bytes())
}

// anchorEnv is the environment of a Python child: this process's, without
// the variables that pin OpenBLAS's kernel, cache size or threads, then
// OPENBLAS_CORETYPE=core (unless core is empty), the thread counts, and
// OMP_WAIT_POLICY=PASSIVE (without it two-thread PyTorch spins and runs
// far slower).
func anchorEnv(core string, threads int) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OPENBLAS_CORETYPE=") || strings.HasPrefix(kv, "OPENBLAS_L2_SIZE=") ||
			strings.HasPrefix(kv, "OPENBLAS_VERBOSE=") || strings.HasPrefix(kv, "OMP_NUM_THREADS=") ||
			strings.HasPrefix(kv, "OPENBLAS_NUM_THREADS=") {
			continue
		}
		env = append(env, kv)
	}
	if core != "" {
		env = append(env, "OPENBLAS_CORETYPE="+core)
	}
	if cpuClock {
		env = append(env, "BENCH_CLOCK=thread")
	}
	t := strconv.Itoa(threads)
	return append(env, "OMP_WAIT_POLICY=PASSIVE", "OMP_NUM_THREADS="+t, "OPENBLAS_NUM_THREADS="+t, "MKL_NUM_THREADS="+t)
}

// coreCandidates lists the OpenBLAS core types worth trying on this CPU,
// by the features /proc/cpuinfo reports: "" first (OpenBLAS's own choice),
// then every kernel family the CPU can run. Debian's OpenBLAS is built
// for many cores and picks one at start-up, and on CPUs newer than the
// library it can pick a slow, generic one.
func coreCandidates() []string {
	flags := cpuFlags()
	c := []string{""}
	switch runtime.GOARCH {
	case "amd64":
		if flags["avx512f"] {
			c = append(c, "SkylakeX")
			if flags["avx512_bf16"] {
				c = append(c, "Cooperlake")
			}
			if flags["amx_tile"] {
				c = append(c, "SapphireRapids")
			}
		}
		if flags["avx2"] && flags["fma"] {
			c = append(c, "Haswell", "Zen")
		}
		if flags["avx"] {
			c = append(c, "Sandybridge")
		}
	case "arm64":
		c = append(c, "NeoverseV1", "NeoverseN1", "CortexA72", "ARMV8")
	}
	return c
}

// cpuFlags returns the feature flags of the first CPU in /proc/cpuinfo
// ("flags" on x86, "Features" on arm64).
func cpuFlags() map[string]bool {
	b, _ := os.ReadFile("/proc/cpuinfo")
	flags := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if k = strings.TrimSpace(k); ok && (k == "flags" || k == "Features") {
			for _, f := range strings.Fields(v) {
				flags[f] = true
			}
			break
		}
	}
	return flags
}

// chooseCoreType times a short SGEMM probe (512 and 1024, one thread) of
// lib ("numpy" or "torch") under each candidate core type, twice over,
// prints what it tried and which OpenBLAS kernel each one ran, and returns
// the candidate whose kernel was fastest by the geometric mean of the two
// sizes, its best probe counting. Candidates that run the same kernel
// (one OpenBLAS does not know falls back to its own choice) pool their
// probes, and the unset default wins among them.
func chooseCoreType(python, script, lib string) string {
	type kernelRate struct {
		core string // the first candidate that ran it
		rate float64
	}
	kernels := map[string]*kernelRate{}
	var order []string
	ranBy := map[string]string{}
	for round := 0; round < 2; round++ {
		for _, core := range coreCandidates() {
			ran, rate, err := probe(python, script, lib, core)
			if err != nil {
				fmt.Fprintf(os.Stderr, "compare: probing %s with OPENBLAS_CORETYPE=%q: %v\n", lib, core, err)
				continue
			}
			ranBy[core] = ran
			k := kernels[ran]
			if k == nil {
				k = &kernelRate{core: core}
				kernels[ran] = k
				order = append(order, ran)
			}
			k.rate = max(k.rate, rate)
		}
	}
	var tried []string
	best := ""
	for _, core := range coreCandidates() {
		ran, ok := ranBy[core]
		if !ok {
			continue
		}
		name := core
		if name == "" {
			name = "unset"
		}
		tried = append(tried, fmt.Sprintf("%s→%s", name, ran))
	}
	var rates []string
	bestRate := 0.0
	for _, ran := range order {
		k := kernels[ran]
		rates = append(rates, fmt.Sprintf("%s %.0f", ran, k.rate))
		if k.rate > bestRate {
			best, bestRate = k.core, k.rate
		}
	}
	name := best
	if name == "" {
		name = "unset"
	}
	fmt.Printf("anchor %s: OPENBLAS_CORETYPE=%s (runs %s); tried %s; SGEMM probe, 1 thread, GFLOP/s: %s\n",
		lib, name, ranBy[best], strings.Join(tried, ", "), strings.Join(rates, ", "))
	return best
}

// probe runs one SGEMM probe of lib with OPENBLAS_CORETYPE=core and
// returns the OpenBLAS kernel that ran (as OPENBLAS_VERBOSE=2 reports
// it) and the geometric mean of the GFLOP/s measured.
func probe(python, script, lib, core string) (ran string, rate float64, err error) {
	cmd := exec.Command(python, script, "probe-"+lib, "1", "1")
	cmd.Env = append(anchorEnv(core, 1), "OPENBLAS_VERBOSE=2")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", 0, fmt.Errorf("%v\n%s", err, stderr.String())
	}
	ran = "?"
	for _, line := range strings.Split(stderr.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "Core: "); ok {
			ran = strings.TrimSpace(v)
		}
	}
	logSum, n := 0.0, 0
	for _, r := range decodeResults(stdout.Bytes()) {
		if r.Value > 0 {
			logSum += math.Log(r.Value)
			n++
		}
	}
	if n == 0 {
		return "", 0, fmt.Errorf("no figures printed")
	}
	return ran, math.Exp(logSum / float64(n)), nil
}

// report prints every figure side by side, GFLOP/s also as a fraction of
// the cores' peak, then the ratio lines.
func report(all []result, peak float64) {
	by := map[string]map[string]result{}
	var names []string
	for _, r := range all {
		if by[r.Name] == nil {
			by[r.Name] = map[string]result{}
			names = append(names, r.Name)
		}
		if prev, ok := by[r.Name][r.Lib]; !ok || better(r, prev) {
			by[r.Name][r.Lib] = r
		}
	}
	sort.SliceStable(names, func(i, j int) bool { return order(names[i]) < order(names[j]) })
	fmt.Printf("\n%-22s %24s %24s %24s %7s\n", "workload", "bigfunc", "pytorch", "openblas", "ratio")
	var ratios, notes []string
	for _, n := range names {
		m := by[n]
		b, ok := m["bigfunc"]
		if !ok {
			continue
		}
		cell := func(lib string) string {
			r, ok := m[lib]
			if !ok {
				return "-"
			}
			if r.Note != "" {
				notes = append(notes, fmt.Sprintf("%s, %s: %s", n, lib, r.Note))
			}
			c := fmt.Sprintf("%.4g %s", r.Value, r.Unit)
			if r.Value == 0 {
				return "missed" // a job that did not reach its target
			}
			if r.Unit == "GFLOP/s" && peak > 0 {
				c += fmt.Sprintf(" %3.0f%%", 100*r.Value/(peak*float64(threadsOf(n))))
			}
			return c
		}
		// SGEMM is judged against the faster of OpenBLAS (numpy) and
		// PyTorch; everything else against PyTorch.
		ref, ok := m["pytorch"]
		if o, has := m["openblas"]; strings.HasPrefix(n, "sgemm") && has && (!ok || o.Value > ref.Value) {
			ref, ok = o, true
		}
		ratio := "-"
		if ok && ref.Value > 0 && b.Value > 0 {
			v := b.Value / ref.Value
			if smallerIsBetter(b.Unit) {
				v = ref.Value / b.Value
			}
			ratio = fmt.Sprintf("%.2f", v)
			ratios = append(ratios, fmt.Sprintf("ratio %s %.2f", n, v))
		}
		fmt.Printf("%-22s %24s %24s %24s %7s\n", n, cell("bigfunc"), cell("pytorch"), cell("openblas"), ratio)
	}
	if peak > 0 {
		fmt.Printf("(%% = share of the measured FMA peak of the threads used: %.1f GFLOP/s a core)\n", peak)
	}
	for _, n := range notes {
		fmt.Println(n)
	}
	fmt.Println()
	for _, r := range ratios {
		fmt.Println(r)
	}
}

// smallerIsBetter reports whether a figure in unit u is a cost (a time or a
// size) rather than a rate.
func smallerIsBetter(u string) bool {
	return u == "µs" || u == "ms" || u == "MiB" || u == "s"
}

// better reports whether r is a better figure than prev for the same
// workload and library, from another pass. Zero marks a job that missed
// its target, worse than any figure.
func better(r, prev result) bool {
	switch {
	case r.Value == 0:
		return false
	case prev.Value == 0:
		return true
	case smallerIsBetter(r.Unit):
		return r.Value < prev.Value
	}
	return r.Value > prev.Value
}

// threadsOf reads the thread count from a workload name ending in _Nt; 1
// if there is none.
func threadsOf(name string) int {
	suffix := name[strings.LastIndex(name, "_")+1:]
	if n, err := strconv.Atoi(strings.TrimSuffix(suffix, "t")); err == nil && n > 0 && strings.HasSuffix(suffix, "t") {
		return n
	}
	return 1
}

func order(name string) int {
	for i, p := range []string{"sgemm", "mlp", "infer", "gpt", "conv2d", "lenet", "resblock", "rss_train", "tta", "rss_tta", "solve"} {
		if strings.HasPrefix(name, p) {
			return i
		}
	}
	return 9
}
