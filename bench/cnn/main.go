// Command cnn trains a spec (examples/mnist-cnn.yaml by default) through
// bigfunc's training loop and prints the test accuracy after every epoch,
// the seconds at which it first reached 99.0 %, and the peak resident
// memory: the bigfunc half of the time-to-accuracy table in
// BENCHMARKS.md; mnist_cnn.py beside it is the PyTorch half.
//
//	go run ./bench/cnn -spec examples/mnist-cnn.yaml
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	_ "github.com/bigfunc/bigfunc/data/mnistdata"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/train"
)

func main() {
	path := flag.String("spec", "examples/mnist-cnn.yaml", "the spec to train")
	epochs := flag.Int("epochs", 0, "override train.epochs")
	flag.Parse()
	s, err := spec.Load(*path)
	if err != nil {
		log.Fatal(err)
	}
	if *epochs > 0 {
		s.Train.Epochs = *epochs
	}
	var tr *train.Trainer
	var sets *train.Sets
	start := time.Now()
	first := -1.0
	opts := train.Options{OnStep: func(st train.StepInfo) error {
		if !st.EpochDone {
			return nil
		}
		_, acc := train.Evaluate(tr.Model, sets.Test)
		t := time.Since(start).Seconds()
		if first < 0 && acc >= 0.99 {
			first = t
		}
		fmt.Printf("epoch %d test accuracy %.4f at %.1f s\n", st.Epoch, acc, t)
		return nil
	}}
	if tr, sets, err = train.Build(s, opts); err != nil {
		log.Fatal(err)
	}
	if sets.Test == nil {
		log.Fatal("the spec's input has no test set")
	}
	start = time.Now()
	if _, err := tr.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("seconds to 99.0%%: %.1f\n", first)
	fmt.Printf("peak RSS MB: %s\n", peakRSS())
}

// peakRSS reads VmHWM, the process's peak resident set, in MB.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return fmt.Sprint(kb / 1024)
		}
	}
	return "unknown"
}
