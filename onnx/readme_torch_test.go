package onnx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/safetensors"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// torchModules are PyTorch modules the GPT-style stack needs beyond
// torch.nn: the learned positional encoding (a parameter "weight" added
// to the input) and the causal encoder layer (PyTorch's layer called
// with src_mask = generate_square_subsequent_mask(T)).
const torchModules = `
class Positional(torch.nn.Module):
    def __init__(self, max_len, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(max_len, d))
    def forward(self, x):
        return x + self.weight[: x.shape[1]]

class CausalLayer(torch.nn.TransformerEncoderLayer):
    def forward(self, x):
        t = x.shape[1]
        return super().forward(x, src_mask=torch.triu(torch.full((t, t), float("-inf")), diagonal=1))
`

// TestPyTorchStrict runs the README's PyTorch snippet (load a bigfunc
// model file with strict=True, save it again) on an MLP, on a CNN with
// batch norm and on a GPT-style stack of TransformerEncoderLayers: each
// must print that all keys matched, compute what Predict does, and the
// file PyTorch saves must load back into bigfunc and predict the same.
func TestPyTorchStrict(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import torch").Run(); err != nil {
		t.Skip("/usr/bin/python3 cannot import torch (Debian's python3-torch): the README's PyTorch snippet did not run")
	}
	// Without the safetensors package, a stand-in of its two functions.
	var env []string
	probe := exec.Command("/usr/bin/python3", "-c", "import safetensors.torch")
	probe.Dir = t.TempDir()
	if probe.Run() != nil {
		shim, _ := filepath.Abs(filepath.Join("testdata", "torchshim"))
		env = append(env, "PYTHONPATH="+shim)
		t.Log("safetensors is not installed for python3: the snippet runs with testdata/torchshim's load_file and save_file")
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- pytorch-strict")
	if !ok {
		t.Fatal("README.md has no pytorch-strict marker")
	}
	_, rest, _ = strings.Cut(rest, "```python\n")
	snippet, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("README.md: the snippet's code block is not closed")
	}
	const netLine = "net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))\n"
	if !strings.Contains(snippet, netLine) || !strings.Contains(snippet, `"iris.safetensors"`) {
		t.Fatalf("README.md: the snippet no longer has the line\n%sor loads another file than iris.safetensors", netLine)
	}

	cases := []struct {
		name  string
		arch  string
		in    []int
		torch string // the PyTorch network, for the snippet's net line
		ids   bool
	}{
		{name: "mlp", in: []int{4}, arch: "[{linear: 16}, relu, {linear: 3}]", torch: netLine},
		{name: "cnn", in: []int{1, 6, 6}, arch: `[{conv2d: {out_channels: 4, kernel_size: 3, padding: 1}}, {batch_norm2d: {}}, relu,
			{max_pool2d: {kernel_size: 2}}, {conv2d: {out_channels: 2, kernel_size: 2, bias: false}}, {batch_norm2d: {eps: 0.001}}, flatten, {linear: 3}]`,
			torch: `net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
    torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 2, 2, bias=False), torch.nn.BatchNorm2d(2, eps=0.001), torch.nn.Flatten(), torch.nn.Linear(8, 3))
`},
		{name: "gpt", in: []int{6}, arch: gptArch(11, 9, "learned", true), ids: true,
			torch: torchModules + `net = torch.nn.Sequential(torch.nn.Embedding(11, 8, padding_idx=0), Positional(9, 8),
    CausalLayer(8, 2, 16, 0.1, activation="gelu", batch_first=True, norm_first=True),
    CausalLayer(8, 4, 12, 0.1, activation="relu", batch_first=True, norm_first=False, layer_norm_eps=0.0001),
    torch.nn.LayerNorm(8), torch.nn.Linear(8, 11))
`},
	}
	// Each case's snippet in a folder of its own, all run by one Python
	// process: importing torch is the slow part.
	type run struct {
		dir string
		m   *train.Model
		x   *tensor.Tensor
	}
	runs := make([]run, len(cases))
	for i, c := range cases {
		// fromArch gives the batch norms running statistics of their own.
		m := fromArch(t, c.in, c.arch, 12)
		x := input(m, 3, 5)
		if c.ids {
			x = tokens(m, 3, 11, 5)
		}
		dir := t.TempDir()
		if err := m.Save(filepath.Join(dir, "iris.safetensors")); err != nil {
			t.Fatal(err)
		}
		// After the snippet: the network's outputs on x, in evaluation.
		xs, _ := json.Marshal(x.Data())
		probe := fmt.Sprintf("\nimport json\nnet.eval()\nx = torch.tensor(%s).reshape(%d, *%s)\n", xs, x.Dim(0), shapeList(m.InputShape))
		if c.ids {
			probe += "x = x.long()\n"
		}
		probe += "with torch.no_grad():\n    print(json.dumps(net(x).flatten().tolist()))\n"
		script := strings.Replace(snippet, netLine, c.torch, 1) + probe
		if err := os.WriteFile(filepath.Join(dir, "snippet.py"), []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		runs[i] = run{dir, m, x}
	}
	driver := filepath.Join(t.TempDir(), "driver.py")
	if err := os.WriteFile(driver, []byte(`import os, runpy, sys
for d in sys.argv[1:]:
    os.chdir(d)
    print("=== case")
    runpy.run_path("snippet.py", run_name="__main__")
`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{driver}
	for _, r := range runs {
		args = append(args, r.dir)
	}
	cmd := exec.Command("/usr/bin/python3", args...)
	cmd.Dir = runs[0].dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 snippet.py: %v\n%s", err, stderr.String())
	}
	printed := strings.Split(string(out), "=== case\n")[1:]
	if len(printed) != len(cases) {
		t.Fatalf("the snippets printed %q, want %d cases", out, len(cases))
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, x, dir := runs[i].m, runs[i].x, runs[i].dir
			lines := strings.Split(strings.TrimSpace(printed[i]), "\n")
			if len(lines) != 2 || lines[0] != "<All keys matched successfully>" {
				t.Fatalf("the snippet printed %q, want the keys matched and the outputs", printed[i])
			}
			var got []float64
			if err := json.Unmarshal([]byte(lines[1]), &got); err != nil {
				t.Fatal(err)
			}
			want := expected(t, zooModel{model: m, x: x}, x)
			compare(t, "PyTorch", got, want)

			// Coming back: PyTorch's file as the weights of the same
			// network built from another seed.
			f, err := safetensors.Load(filepath.Join(dir, "tuned.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			back := fromArch(t, c.in, c.arch, 99)
			if err := train.LoadWeights(back.Net, f, "tuned.safetensors"); err != nil {
				t.Fatal(err)
			}
			y, err := back.Predict(x)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, "tuned.safetensors", toFloat64(y.Data()), want)
		})
	}
}

func shapeList(s []int) string {
	b, _ := json.Marshal(s)
	return strings.NewReplacer("[", "(", "]", ",)").Replace(string(b))
}

func toFloat64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}

// compare checks got against want within 1e-5 relative to max(1, |want|).
func compare(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d outputs, want %d", what, len(got), len(want))
	}
	worst := 0.0
	for i := range want {
		worst = max(worst, abs(got[i]-want[i])/max(1, abs(want[i])))
		if !closeEnough(got[i], want[i], 1e-5) {
			t.Fatalf("%s: output %d: %v, Predict %v", what, i, got[i], want[i])
		}
	}
	t.Logf("%s: %d outputs within %.3g of Predict", what, len(want), worst)
}
