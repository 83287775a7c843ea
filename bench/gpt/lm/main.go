package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

func main() {
	specPath := flag.String("spec", "examples/seq/gostd.yaml", "text spec to train")
	steps := flag.Int("steps", 1000, "training steps")
	every := flag.Int("every", 100, "steps between evaluations")
	nValid := flag.Int("valid", 256, "validation windows evaluated on the way (all at the end)")
	out := flag.String("out", "/tmp/lm", "folder for the data, the initial weights and the curve")
	flag.Parse()
	if err := run(*specPath, *steps, *every, *nValid, *out); err != nil {
		log.Fatal(err)
	}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func run(specPath string, steps, every, nValid int, out string) error {
	s, err := spec.Load(specPath)
	if err != nil {
		return err
	}
	s.Train.Save = ""
	t, sets, err := train.Build(s, train.Options{})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := t.Model.Save(filepath.Join(out, "init.safetensors")); err != nil {
		return err
	}
	tr, va := sets.Train, sets.Valid
	n, block, batch := tr.Len(), tr.Features(), s.Train.BatchSize
	// The batches: a fresh seeded permutation of the windows every epoch,
	// cut into batches, the last short one of an epoch dropped.
	rng := tensor.NewRNG(s.Train.Seed)
	var order []int32
	for len(order) < steps*batch {
		perm := rng.Perm(n)
		for i := 0; i+batch <= n && len(order) < steps*batch; i += batch {
			for _, j := range perm[i : i+batch] {
				order = append(order, int32(j))
			}
		}
	}
	sub := make([]int, min(nValid, va.Len()))
	for i := range sub {
		sub[i] = i * va.Len() / len(sub) // spread over the held-out files
	}
	vsub, err := va.Subset(sub)
	if err != nil {
		return err
	}
	if err := writeData(filepath.Join(out, "data.bin"), tr, vsub, va, order, block); err != nil {
		return err
	}
	csv, err := os.Create(filepath.Join(out, "bigfunc.csv"))
	if err != nil {
		return err
	}
	defer csv.Close()
	fmt.Fprintln(csv, "step,valid_loss,train_loss")
	xb, yb := make([]float32, batch*block), make([]float32, batch*block)
	rows := make([]int, batch)
	var cpu, trainSum float64
	var trainN int
	evaluate := func(step int, ds *data.Dataset) {
		l, _ := train.Evaluate(t.Model, ds)
		fmt.Fprintf(csv, "%d,%.6f,%.6f\n", step, l, trainSum/float64(max(trainN, 1)))
		log.Printf("step %d: validation %.4f nats/char, training %.4f, %.0f tokens per CPU-second", step, l, trainSum/float64(max(trainN, 1)), float64(step*batch*block)/cpu)
		trainSum, trainN = 0, 0
	}
	evaluate(0, vsub)
	for step := 1; step <= steps; step++ {
		for i := range rows {
			rows[i] = int(order[(step-1)*batch+i])
		}
		c0 := cpuSeconds()
		xb = tr.Gather(xb, rows)
		for i, r := range rows {
			copy(yb[i*block:(i+1)*block], tr.Y.Data()[r*block:(r+1)*block])
		}
		l, _ := t.Step(tensor.New(xb, batch, block), nil, tensor.New(yb, batch, block))
		cpu += cpuSeconds() - c0
		trainSum += l
		trainN++
		if step%every == 0 && step != steps {
			evaluate(step, vsub)
		}
	}
	evaluate(steps, vsub)
	l, acc := train.Evaluate(t.Model, va)
	fmt.Fprintf(csv, "# full validation set (%d windows): %.6f nats/char, accuracy %.4f; training %.1f CPU-s, %.0f tokens per CPU-second\n",
		va.Len(), l, acc, cpu, float64(steps*batch*block)/cpu)
	log.Printf("full validation set (%d windows): %.4f nats/char, accuracy %.4f; training %.1f CPU-s, %.0f tokens per CPU-second", va.Len(), l, acc, cpu, float64(steps*batch*block)/cpu)
	return t.Model.Save(filepath.Join(out, "bigfunc.safetensors"))
}

// writeData writes, little-endian: block, vocabulary size, the counts of
// training windows, validation windows on the way, all validation windows
// and batch entries (six int32), then the token ids of each set's inputs
// and targets as uint8 (a char vocabulary of Go source is well under 256),
// then the batch order as int32.
func writeData(path string, tr, vsub, va *data.Dataset, order []int32, block int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	hdr := []int32{int32(block), int32(tr.Vocab.Size()), int32(tr.Len()), int32(vsub.Len()), int32(va.Len()), int32(len(order))}
	if err := binary.Write(w, binary.LittleEndian, hdr); err != nil {
		return err
	}
	for _, ds := range []*data.Dataset{tr, vsub, va} {
		for _, m := range []*tensor.Tensor{ds.X, ds.Y} {
			b := make([]byte, m.Len())
			for i, v := range m.Data() {
				if v < 0 || v > 255 {
					return fmt.Errorf("%s: token %g does not fit a byte", path, v)
				}
				b[i] = byte(v)
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	if err := binary.Write(w, binary.LittleEndian, order); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
