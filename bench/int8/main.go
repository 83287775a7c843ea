// Command int8 measures bigfunc's int8 inference against its own float32
// on the 784-256-256-10 MNIST MLP: the test accuracy of both, the latency
// of one sample and the throughput of batches of 1024, on one thread.
// torch_int8.py measures PyTorch's quantize_dynamic on the same weights.
//
// Times are the CPU time of the process (user and system, on
// GOMAXPROCS=1), the best of several rounds, because wall-clock time on a
// shared machine measures the other processes too.
//
// Usage:
//
//	go run ./bench/int8 --model mlp.safetensors [--rounds N]
//
// where mlp.safetensors is the float32 model of bench/int8/mlp.yaml
// (bigfunc train bench/int8/mlp.yaml). It quantizes the model itself, as
// bigfunc quantize does, and prints one JSON object per figure.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"golang.org/x/sys/unix"

	"github.com/bigfunc/bigfunc/data"
	_ "github.com/bigfunc/bigfunc/data/mnistdata"
	"github.com/bigfunc/bigfunc/quant"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

func main() {
	model := flag.String("model", "", "the float32 model `FILE`")
	rounds := flag.Int("rounds", 40, "timing rounds; the fastest counts")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the int8 batch-1024 rounds to `FILE`")
	flag.Parse()
	if *model == "" {
		fail(fmt.Errorf("--model is required"))
	}
	runtime.GOMAXPROCS(1)
	m, err := train.LoadModel(*model)
	if err != nil {
		fail(err)
	}
	q, err := quant.Model(m)
	if err != nil {
		fail(err)
	}
	dir, err := data.MNISTDir()
	if err != nil {
		fail(err)
	}
	_, test, err := data.LoadMNIST(dir)
	if err != nil {
		fail(err)
	}
	n := test.Len()
	x := tensor.New(test.Rows(nil, 0, n), n, test.Features())
	emit := func(name, lib string, v float64, unit string) {
		b, _ := json.Marshal(map[string]any{"name": name, "lib": lib, "value": v, "unit": unit})
		fmt.Println(string(b))
	}
	for _, c := range []struct {
		lib string
		m   *train.Model
	}{{"bigfunc-float32", m}, {"bigfunc-int8", q}} {
		y, err := c.m.Predict(x)
		if err != nil {
			fail(err)
		}
		emit("mnist_test_accuracy", c.lib, accuracy(y, test.Labels), "%")
		one := x.Slice(0, 0, 1)
		emit("infer_b1_1t", c.lib, 1e6*best(*rounds, 2000, func() { c.m.Predict(one) }), "µs")
		batch := x.Slice(0, 0, 1024)
		if *profile != "" && c.m == q {
			f, err := os.Create(*profile)
			if err != nil {
				fail(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				fail(err)
			}
		}
		emit("infer_b1024_1t", c.lib, 1024/best(*rounds, 3, func() { c.m.Predict(batch) }), "samples/s")
		if *profile != "" && c.m == q {
			pprof.StopCPUProfile()
		}
	}
	emit("int8_kernels", quant.ISA(), 0, "")
}

// accuracy returns the percentage of rows of scores y whose largest entry
// is the label.
func accuracy(y *tensor.Tensor, labels []int) float64 {
	k := y.Dim(1)
	right := 0
	for i, l := range labels {
		row := y.Data()[i*k : (i+1)*k]
		arg := 0
		for j, v := range row {
			if v > row[arg] {
				arg = j
			}
		}
		if arg == l {
			right++
		}
	}
	return 100 * float64(right) / float64(len(labels))
}

// best returns the fastest per-call CPU time, in seconds, over rounds
// rounds of calls calls of f.
func best(rounds, calls int, f func()) float64 {
	f()
	b := 1e9
	for range rounds {
		start := processCPU()
		for range calls {
			f()
		}
		b = min(b, (processCPU()-start)/float64(calls))
	}
	return b
}

// processCPU returns the user and system time of the process, in
// seconds.
func processCPU() float64 {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		fail(err)
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "int8:", err)
	os.Exit(1)
}
