package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the command in-process and returns its exit status and
// streams, as a shell would see them.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

const xorSpec = `input: {csv: xor.csv, columns: [x1, x2]}
output: {label: gate}
architecture: [{linear: 4}, relu, {linear: 2}]
loss: cross_entropy
optimizer: {name: adam, lr: 0.05}
train: {epochs: 80, batch_size: 4, seed: 3, checkpoint_every: 40}
`

const xorCSV = "x1,x2,gate\n0,0,off\n0,1,on\n1,0,on\n1,1,off\n0,0,off\n0,1,on\n1,0,on\n1,1,off\n"

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTrainPredictEvalInspect(t *testing.T) {
	dir := writeFiles(t, map[string]string{"xor.yaml": xorSpec, "xor.csv": xorCSV,
		"in.csv": "x2,x1\n0,0\n1,0\n0,1\n1,1\n"})
	spec := filepath.Join(dir, "xor.yaml")
	model := filepath.Join(dir, "xor.safetensors")

	code, out, errs := runCLI(t, "check", spec)
	if code != 0 || !strings.Contains(out, "ok") || !strings.Contains(out, "22 parameters") {
		t.Fatalf("check: code %d\nstdout %s\nstderr %s", code, out, errs)
	}
	code, out, errs = runCLI(t, "train", spec)
	if code != 0 {
		t.Fatalf("train: code %d, stderr %s", code, errs)
	}
	if !strings.Contains(out, "accuracy 1.0000") || !strings.Contains(out, "saved "+model) {
		t.Errorf("train summary: %s", out)
	}
	if !strings.Contains(errs, "epoch 80/80") {
		t.Errorf("train log lacks the last epoch line: %s", errs)
	}
	// Columns are found by name, whatever their order in the file.
	code, out, errs = runCLI(t, "predict", "--model", model, "--input", filepath.Join(dir, "in.csv"))
	if code != 0 || out != "gate\noff\non\non\noff\n" {
		t.Errorf("predict: code %d\ngot %q, want the XOR table\nstderr %s", code, out, errs)
	}
	code, out, _ = runCLI(t, "eval", "--model", model, "--data", filepath.Join(dir, "xor.csv"))
	if code != 0 || !strings.Contains(out, "accuracy  1.0000") || !strings.Contains(out, "rows      8") {
		t.Errorf("eval: code %d, %s", code, out)
	}
	code, out, _ = runCLI(t, "inspect", model)
	for _, want := range []string{"linear 2→4", "0.weight", "[4 2]", "relu", "total 22 parameters", "argmax into off, on"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("inspect: code %d, output lacks %q:\n%s", code, want, out)
		}
	}
	// The run is over: resuming has nothing left to do until epochs grow.
	code, _, errs = runCLI(t, "train", spec, "--resume")
	if code != 1 || !strings.Contains(errs, "the checkpoint is at epoch 80 and train.epochs is 80") {
		t.Errorf("train --resume of a finished run: code %d, stderr %s", code, errs)
	}
	code, out, errs = runCLI(t, "train", spec, "--resume", "--epochs", "100")
	if code != 0 || !strings.Contains(errs, "resuming from") || !strings.Contains(errs, "after epoch 80") || !strings.Contains(out, "trained 100 epochs") {
		t.Errorf("train --resume --epochs 100: code %d, stdout %s, stderr %s", code, out, errs)
	}
}

func TestUsageAndErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"bad.yaml":         strings.Replace(xorSpec, "loss:", "los:", 1),
		"badcol.yaml":      strings.Replace(xorSpec, "[x1, x2]", "[x1, x3]", 1),
		"xor.csv":          xorCSV,
		"ragged.csv":       "x1,x2\n1\n",
		"junk.safetensors": "this is not a model",
	})
	cases := []struct {
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{nil, 2, "", "bigfunc: no command given"},
		{[]string{"help"}, 0, "Usage:", ""},
		{[]string{"--help"}, 0, "bigfunc train", ""},
		{[]string{"train", "--help"}, 0, "--resume", ""},
		{[]string{"predict", "--help"}, 0, "--model", ""},
		{[]string{"trian"}, 2, "", "bigfunc: unknown command \"trian\" (did you mean \"train\"?)\nRun 'bigfunc help' for usage.\n"},
		{[]string{"evl"}, 2, "", `unknown command "evl" (did you mean "eval"?)`},
		{[]string{"train"}, 2, "", "bigfunc: train: missing SPEC"},
		{[]string{"train", "a", "b"}, 2, "", `unexpected argument "b"`},
		{[]string{"train", "--bogus"}, 2, "", "bigfunc: train: unknown flag --bogus; allowed: --epochs, --quiet, --resume, --save, --seed\nRun 'bigfunc train --help' for usage."},
		{[]string{"train", "--resum"}, 2, "", "unknown flag --resum (did you mean --resume?)"},
		{[]string{"train", "x.yaml", "--epochs", "many"}, 2, "", `train: --epochs: invalid value "many", want an integer`},
		{[]string{"train", "x.yaml", "--epochs", "0"}, 2, "", "train: --epochs: want an integer ≥ 1, got 0"},
		{[]string{"predict", "--model"}, 2, "", "predict: flag --model needs a value"},
		{[]string{"predict", "--input", "x.csv"}, 2, "", "missing --model"},
		{[]string{"check", filepath.Join(dir, "missing.yaml")}, 1, "", "missing.yaml"},
		{[]string{"check", filepath.Join(dir, "bad.yaml")}, 1, "", `bad.yaml:4:1: spec: unknown key "los" (did you mean "loss"?)`},
		{[]string{"train", filepath.Join(dir, "badcol.yaml")}, 1, "", `no column "x3"`},
		{[]string{"inspect", filepath.Join(dir, "junk.safetensors")}, 1, "", "junk.safetensors"},
		{[]string{"predict", "--model", filepath.Join(dir, "junk.safetensors"), "--input", filepath.Join(dir, "ragged.csv")}, 1, "", "junk.safetensors"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(out, c.wantStdout) || !strings.Contains(errs, c.wantStderr) {
			t.Errorf("bigfunc %v: code %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", c.args, code, c.code, out, c.wantStdout, errs, c.wantStderr)
		}
		if code == 1 {
			if lines := strings.Count(strings.TrimSpace(errs), "\n") + 1; lines != 1 || !strings.HasPrefix(errs, "bigfunc: ") {
				t.Errorf("bigfunc %v: want one 'bigfunc: …' line, got %q", c.args, errs)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "badcol.safetensors")); err == nil {
		t.Error("a failed train left a model file")
	}
}

func TestPredictBadInputWritesNothing(t *testing.T) {
	dir := writeFiles(t, map[string]string{"xor.yaml": xorSpec, "xor.csv": xorCSV, "bad.csv": "x1,x2\n0,0\n1,abc\n"})
	if code, _, errs := runCLI(t, "train", filepath.Join(dir, "xor.yaml"), "--quiet"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := runCLI(t, "predict", "--model", filepath.Join(dir, "xor.safetensors"), "--input", filepath.Join(dir, "bad.csv"))
	if code != 1 || out != "" || !strings.Contains(errs, `bad.csv:3: column "x2": "abc" is not a number`) {
		t.Errorf("code %d, stdout %q, stderr %q", code, out, errs)
	}
}
