package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/spec"
)

// TestUnknownCommand: a near miss gets a suggestion; anything further
// gets the usage, not a far-fetched guess.
func TestUnknownCommand(t *testing.T) {
	for _, name := range []string{"fit", "trade", "cheat", "run", "show"} {
		code, out, errs := runCLI(t, name)
		if code != 2 || out != "" || !strings.Contains(errs, "Usage:") || !strings.HasSuffix(errs, "\nbigfunc: unknown command \""+name+"\"\n") || strings.Contains(errs, "did you mean") {
			t.Errorf("bigfunc %s: code %d, stdout %q, stderr:\n%s", name, code, out, errs)
		}
	}
	names := []string{"train", "predict", "eval", "inspect", "check", "draw", "book", "playground", "version"}
	for typo, want := range map[string]string{
		"trian": "train", "predcit": "predict", "evl": "eval", "Train": "train", "inspct": "inspect",
		"playgrund": "playground", "versoin": "version", "chek": "check",
		"trade": "", "cheat": "", "pred": "", "test": "", "ev": "", "fit": "", "draws2": "draw",
	} {
		if got := closeName(typo, names); got != want {
			t.Errorf("closeName(%q) = %q, want %q", typo, got, want)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, errs := runCLI(t, "version")
	code2, out2, _ := runCLI(t, "--version")
	if code != 0 || code2 != 0 || out != out2 || !strings.HasPrefix(out, "bigfunc ") || !strings.HasSuffix(out, " "+runtime.Version()+"\n") {
		t.Errorf("version: code %d, %q; --version: code %d, %q; stderr %q", code, out, code2, out2, errs)
	}
	info := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}
	if got, want := versionString(info), "bigfunc devel "+runtime.Version(); got != want {
		t.Errorf("devel build: %q, want %q", got, want)
	}
	info = &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2025-01-02T03:04:05Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionString(info), "bigfunc v1.2.3 (0123456789ab, 2025-01-02T03:04:05Z, modified) "+runtime.Version(); got != want {
		t.Errorf("release build: %q, want %q", got, want)
	}
	if got := versionString(nil); got != "bigfunc devel "+runtime.Version() {
		t.Errorf("no build info: %q", got)
	}
}

// TestHelpDashes: every option in every command's help is written with
// two dashes (one for a single letter), as the README writes them.
func TestHelpDashes(t *testing.T) {
	for _, c := range commands {
		if c.name == "book" {
			continue
		}
		_, out, _ := runCLI(t, c.name, "--help")
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || !strings.HasPrefix(f[0], "-") {
				continue
			}
			name := strings.TrimLeft(f[0], "-")
			want := "--" + name
			if len(name) == 1 {
				want = "-" + name
			}
			if f[0] != want {
				t.Errorf("%s --help: option written %s, want %s", c.name, f[0], want)
			}
		}
	}
	_, out, _ := runCLI(t, "train", "--help")
	for _, want := range []string{"--resume", "--quiet", "--epochs N", "--seed N", "--save FILE"} {
		if !strings.Contains(out, "  "+want+"\n") {
			t.Errorf("train --help lacks %q:\n%s", want, out)
		}
	}
}

// TestTrainOverrides: --epochs, --seed and --save change the run as the
// same values written in the spec would, and the saved model carries them.
func TestTrainOverrides(t *testing.T) {
	dir := writeFiles(t, map[string]string{"xor.csv": xorCSV, "xor5.yaml": strings.Replace(strings.Replace(xorSpec, "epochs: 80", "epochs: 30", 1), "seed: 3", "seed: 5", 1)})
	// The spec in a folder of its own: --save is relative to the current
	// directory, not to the spec's.
	for _, d := range []string{"out", "sub"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range map[string]string{"sub/xor.yaml": xorSpec, "sub/xor.csv": xorCSV} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	code, out, errs := runCLI(t, "train", "sub/xor.yaml", "--quiet", "--epochs", "30", "--seed", "5", "--save", "out/flags.safetensors")
	if code != 0 || !strings.Contains(out, "trained 30 epochs") || !strings.Contains(out, "saved out/flags.safetensors") {
		t.Fatalf("train with overrides: code %d\nstdout %s\nstderr %s", code, out, errs)
	}
	if code, _, errs := runCLI(t, "train", "xor5.yaml", "--quiet"); code != 0 {
		t.Fatal(errs)
	}
	a, err := safetensors.Load("out/flags.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	b, err := safetensors.Load("xor5.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	for name, ta := range a.Tensors {
		da, db := ta.Data(), b.Tensors[name].Data()
		for i := range da {
			if da[i] != db[i] {
				t.Fatalf("%s[%d]: %v with flags, %v with the values in the spec", name, i, da[i], db[i])
			}
		}
	}
	embedded, err := spec.Parse("embedded", []byte(a.Metadata["bigfunc.spec"]))
	if err != nil {
		t.Fatal(err)
	}
	if tr := embedded.Train; tr.Epochs != 30 || tr.Seed != 5 || tr.Save != "../out/flags.safetensors" {
		t.Errorf("embedded spec's train = %+v, want the overrides", tr)
	}
}

// TestResumeRefusesChanges: a key other than epochs, early_stop and save
// that changed since the checkpoint is named.
func TestResumeRefusesChanges(t *testing.T) {
	dir := writeFiles(t, map[string]string{"xor.csv": xorCSV, "xor.yaml": xorSpec})
	path := filepath.Join(dir, "xor.yaml")
	if code, _, errs := runCLI(t, "train", path, "--quiet", "--epochs", "40"); code != 0 {
		t.Fatal(errs)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(xorSpec, "batch_size: 4", "batch_size: 2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, "train", path, "--resume")
	if code != 1 || !strings.Contains(errs, "train.batch_size (4 → 2) changed since the checkpoint") {
		t.Errorf("code %d, stderr %s", code, errs)
	}
	code, _, errs = runCLI(t, "train", path, "--resume", "--seed", "4")
	if code != 1 || !strings.Contains(errs, "train.batch_size (4 → 2) and train.seed (3 → 4) changed") {
		t.Errorf("code %d, stderr %s", code, errs)
	}
}

// TestIntegerLabels: integer labels are names unless output.classes says
// how many classes there are; then they are indices and must fit.
func TestIntegerLabels(t *testing.T) {
	csv := "x1,x2,gate\n0,0,1\n0,1,2\n1,0,2\n1,1,1\n"
	names := strings.Replace(xorSpec, "checkpoint_every: 40", "checkpoint_every: 0", 1)
	indices := strings.Replace(names, "output: {label: gate}", "output: {label: gate, classes: 2}", 1)
	dir := writeFiles(t, map[string]string{"xor.csv": csv, "names.yaml": names, "indices.yaml": indices, "in.csv": "x1,x2\n0,0\n0,1\n"})
	if code, _, errs := runCLI(t, "train", filepath.Join(dir, "names.yaml"), "--quiet"); code != 0 {
		t.Fatalf("labels 1 and 2 as names: %s", errs)
	}
	code, out, errs := runCLI(t, "predict", "--model", filepath.Join(dir, "names.safetensors"), "--input", filepath.Join(dir, "in.csv"))
	if code != 0 || out != "gate\n1\n2\n" {
		t.Errorf("predict: code %d, %q, %s", code, out, errs)
	}
	code, _, errs = runCLI(t, "train", filepath.Join(dir, "indices.yaml"), "--quiet")
	if want := `xor.csv:3: column "gate": class index "2" is out of range; with 2 classes, indices are 0 to 1`; code != 1 || !strings.Contains(errs, want) {
		t.Errorf("labels 1 and 2 as indices of 2 classes: code %d, stderr %s, want %s", code, errs, want)
	}
}

// TestPluralsAndWording: counts agree with their nouns.
func TestPluralsAndWording(t *testing.T) {
	one := "input: {csv: d.csv, columns: [x]}\noutput: {columns: [y]}\narchitecture: [{linear: 1}]\nloss: mse\noptimizer: {name: sgd, lr: 0.1}\ntrain: {epochs: 1}\n"
	dir := writeFiles(t, map[string]string{"one.yaml": one, "d.csv": "x,y\n1,2\n"})
	_, out, errs := runCLI(t, "check", filepath.Join(dir, "one.yaml"))
	for _, want := range []string{"1 row × 1 feature\n", "1 layer, 2 parameters, 1 output\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s%s", want, out, errs)
		}
	}
	_, out, errs = runCLI(t, "train", filepath.Join(dir, "one.yaml"), "--quiet")
	if !strings.Contains(out, "trained 1 epoch:") {
		t.Errorf("train output: %s%s", out, errs)
	}
	_, out, _ = runCLI(t, "inspect", filepath.Join(dir, "one.safetensors"))
	if !strings.Contains(out, "input  1 feature (x)") || !strings.Contains(out, "output 1 value,") {
		t.Errorf("inspect output:\n%s", out)
	}
}
