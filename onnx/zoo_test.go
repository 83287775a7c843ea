package onnx_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigfunc/bigfunc/activation"
	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/onnx"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

// zooModel is one model the tests export: the model, how to export it,
// and an input batch.
type zooModel struct {
	name  string
	model *train.Model
	opts  onnx.ExportOptions
	x     *tensor.Tensor // raw features [N, Inputs]
}

// fromArch builds a model from a spec architecture list (YAML), with
// weights drawn from seed and batch-norm statistics made non-trivial.
func fromArch(t testing.TB, in []int, arch string, seed uint64) *train.Model {
	t.Helper()
	m := buildArch(t, in, arch, seed)
	net, rng := m.Net, tensor.NewRNG(seed+1000)
	// Random running statistics and affine maps, so that normalisation
	// layers do more than the identity.
	for _, b := range net.Buffers() {
		if b.Int64 {
			continue
		}
		d := b.Value.Data()
		for i := range d {
			v := float32(rng.Float64())
			if strings.HasSuffix(b.Name, "running_var") {
				v += 0.5
			} else {
				v -= 0.5
			}
			d[i] = v
		}
	}
	return m
}

// buildArch builds a model from a spec architecture list (YAML) with
// weights drawn from seed.
func buildArch(t testing.TB, in []int, arch string, seed uint64) *train.Model {
	t.Helper()
	s, err := spec.Parse("zoo.yaml", []byte("input: {csv: x.csv, columns: [a]}\noutput: {columns: [y]}\narchitecture: "+arch+"\nloss: mse\noptimizer: {name: sgd, lr: 0.1}\n"))
	if err != nil {
		t.Fatalf("%s: %v", arch, err)
	}
	rng := tensor.NewRNG(seed)
	net, _, err := spec.BuildArchitecture(in, s.Architecture, rng)
	if err != nil {
		t.Fatalf("%s: %v", arch, err)
	}
	m, err := train.FromNet(net, in, "mse", nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// input returns n random samples for the model.
func input(m *train.Model, n int, seed uint64) *tensor.Tensor {
	return tensor.Randn(tensor.NewRNG(seed), n, m.Inputs)
}

// activationArch returns an MLP around the activation name.
func activationArch(name string) string {
	switch name {
	case "maxout":
		return "[{linear: 6}, {maxout: 2}, {linear: 3}]"
	case "softmax", "log_softmax":
		return fmt.Sprintf("[{linear: 6}, %s]", name)
	case "prelu":
		return "[{linear: 6}, {prelu: {num_parameters: 6, init: 0.1}}, {linear: 3}]"
	}
	return fmt.Sprintf("[{linear: 6}, %s, {linear: 3}]", name)
}

// has reports whether the layer op can be built (layers land in nn over
// time; the tests cover the ones present).
func has(op string) bool { return nn.Registered(op) }

// zoo returns the models the tests export at opset.
func zoo(t testing.TB, opset int) []zooModel {
	t.Helper()
	var z []zooModel
	add := func(name string, m *train.Model, opts onnx.ExportOptions) {
		opts.Opset = opset
		z = append(z, zooModel{name, m, opts, input(m, 7, uint64(len(z))+100)})
	}
	for _, a := range activation.Names() {
		add("mlp_"+a, fromArch(t, []int{4}, activationArch(a), 1), onnx.ExportOptions{})
	}
	// Activations with options away from their defaults.
	for i, arch := range []string{
		"[{linear: 5}, {leaky_relu: {negative_slope: 0.2}}, {linear: 2}]",
		"[{linear: 5}, {elu: {alpha: 0.7}}, {celu: {alpha: 1.3}}, {linear: 2}]",
		"[{linear: 5}, {gelu: {approximate: tanh}}, {linear: 2}]",
		"[{linear: 5}, {softplus: {beta: 2, threshold: 1.5}}, {linear: 2}]",
		"[{linear: 5}, {hardtanh: {min_val: -0.3, max_val: 0.4}}, {linear: 2}]",
		"[{linear: 5}, {softshrink: {lambd: 0.2}}, {hardshrink: {lambd: 0.3}}, {linear: 2}]",
		"[{linear: 5}, {rrelu: {lower: 0.1, upper: 0.3}}, {dropout: 0.3}, {linear: {out_features: 2, bias: false}}]",
		"[{linear: 6}, {unflatten: {shape: [2, 3]}}, {linear: 4}, relu, {linear: 2}, flatten, {linear: 2}]",
	} {
		add(fmt.Sprintf("options_%d", i), fromArch(t, []int{4}, arch, 2), onnx.ExportOptions{})
	}
	add("residual", fromArch(t, []int{4}, `[{linear: 8}, relu,
		{residual: [{linear: 8}, tanh, {linear: 8}]},
		{residual: {body: [{linear: 5}, sigmoid], shortcut: [{linear: {out_features: 5, bias: false}}]}},
		{linear: 3}]`, 3), onnx.ExportOptions{})

	// Scaler folded in and decoders appended.
	for _, dec := range []string{"", onnx.DecodeProba, onnx.DecodeClass} {
		m := fromArch(t, []int{4}, "[{linear: 8}, tanh, {linear: 3}]", 4)
		m.Scaler = fittedScaler(t, "standardize", 4)
		m.Decoder = &data.Decoder{Kind: data.ArgMax}
		add("scaled_"+dec, m, onnx.ExportOptions{FoldScaler: true, Decoder: dec})
	}
	for _, dec := range []string{onnx.DecodeProba, onnx.DecodeThreshold} {
		m := fromArch(t, []int{3}, "[{linear: 4}, relu, {linear: 1}]", 5)
		m.Scaler = fittedScaler(t, "minmax", 3)
		m.Decoder = &data.Decoder{Kind: data.Sigmoid}
		add("logit_"+dec, m, onnx.ExportOptions{FoldScaler: true, Decoder: dec})
	}
	// The scaler in the metadata only.
	m := fromArch(t, []int{4}, "[{linear: 3}]", 6)
	m.Scaler = fittedScaler(t, "standardize", 4)
	add("scaler_meta", m, onnx.ExportOptions{})

	if has("conv2d") && has("max_pool2d") && has("batch_norm2d") {
		add("cnn", fromArch(t, []int{1, 8, 8}, `[
			{conv2d: {out_channels: 4, kernel_size: 3, padding: 1}}, {batch_norm2d: {}}, relu,
			{max_pool2d: {kernel_size: 2}},
			{conv2d: {out_channels: 6, kernel_size: 3, stride: 1, padding: same}}, relu,
			{avg_pool2d: {kernel_size: 2}},
			flatten, {dropout: 0.5}, {linear: 5}]`, 7), onnx.ExportOptions{})
		add("resnet", fromArch(t, []int{3, 8, 8}, `[
			{conv2d: {out_channels: 8, kernel_size: 3, padding: 1, bias: false}}, {batch_norm2d: {}}, relu,
			{residual: [{conv2d: {out_channels: 8, kernel_size: 3, padding: 1, bias: false}}, {batch_norm2d: {}}, relu,
			            {conv2d: {out_channels: 8, kernel_size: 3, padding: 1, bias: false}}, {batch_norm2d: {}}]},
			relu,
			{residual: {body: [{conv2d: {out_channels: 16, kernel_size: 3, stride: 2, padding: 1}}, {batch_norm2d: {}}, relu],
			            shortcut: [{conv2d: {out_channels: 16, kernel_size: 1, stride: 2}}]}},
			{adaptive_avg_pool2d: {output_size: 1}}, flatten, {linear: 4}]`, 8), onnx.ExportOptions{})
	}
	if has("layer_norm") && has("group_norm") && has("batch_norm1d") {
		add("norms", fromArch(t, []int{6}, `[
			{linear: 8}, {batch_norm1d: {eps: 0.001}}, {layer_norm: {eps: 0.0001}}, relu,
			{layer_norm: {elementwise_affine: false}},
			{unflatten: {shape: [4, 2]}}, {group_norm: {num_groups: 2, eps: 0.00002}}, {group_norm: {num_groups: 4, affine: false}},
			{batch_norm1d: {track_running_stats: false}}, {batch_norm1d: {affine: false, momentum: 0.3}}, {batch_norm1d: {momentum: null}},
			{layer_norm: {normalized_shape: [4, 2]}}, flatten, {linear: 3}]`, 10), onnx.ExportOptions{})
	}
	if has("conv1d") && has("conv_transpose2d") && has("dropout2d") && has("adaptive_avg_pool2d") {
		add("convs", fromArch(t, []int{2, 6, 6}, `[
			{conv2d: {out_channels: 4, kernel_size: [3, 2], stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2}},
			{dropout2d: 0.3}, {batch_norm2d: {track_running_stats: false}}, tanh,
			{conv_transpose2d: {out_channels: 6, kernel_size: 3, stride: 2, padding: 1, output_padding: 1, groups: 2}},
			{max_pool2d: {kernel_size: 3, stride: 2, padding: 1, ceil_mode: true}},
			{avg_pool2d: {kernel_size: 2, stride: 1, padding: 1, count_include_pad: false}},
			{group_norm: {num_groups: 3}},
			{adaptive_avg_pool2d: {output_size: [5, 3]}},
			{conv2d: {out_channels: 4, kernel_size: 2, padding: same}},
			flatten, {unflatten: {shape: [4, 15]}},
			{conv1d: {out_channels: 3, kernel_size: 3, padding: 1}}, {batch_norm1d: {}}, relu,
			{conv1d: {out_channels: 2, kernel_size: 2, padding: valid, bias: false}},
			flatten, {linear: 3}]`, 11), onnx.ExportOptions{})
	}
	return z
}

// fittedScaler returns a scaler of kind fitted on random columns of
// different scales.
func fittedScaler(t testing.TB, kind string, n int) *data.Scaler {
	t.Helper()
	s, err := data.NewScaler(kind)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.Randn(tensor.NewRNG(9), 50, n)
	d := x.Data()
	for i := range d {
		d[i] = d[i]*float32(1+i%n) + float32(i%n)
	}
	if err := s.Fit(x); err != nil {
		t.Fatal(err)
	}
	return s
}

// expected returns what the exported graph must compute for x: Predict,
// then the decoder the options append.
func expected(t testing.TB, z zooModel, x *tensor.Tensor) []float64 {
	t.Helper()
	if !z.opts.FoldScaler && z.model.Scaler != nil {
		// The graph takes scaled inputs: compare on the scaled batch.
		var err error
		if x, err = z.model.Scaler.Transform(x); err != nil {
			t.Fatal(err)
		}
		sc := z.model.Scaler
		z.model.Scaler = nil
		defer func() { z.model.Scaler = sc }()
	}
	y, err := z.model.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 0, y.Len())
	rows, width := y.Dim(0), y.Dim(1)
	logit := z.model.Decoder != nil && z.model.Decoder.Kind == data.Sigmoid
	cut := float32(0.5)
	if logit {
		cut = 0
	}
	for r := range rows {
		row := y.Data()[r*width : (r+1)*width]
		switch {
		case z.opts.Decoder == onnx.DecodeProba && width > 1:
			mx := math.Inf(-1)
			for _, v := range row {
				mx = math.Max(mx, float64(v))
			}
			sum := 0.0
			for _, v := range row {
				sum += math.Exp(float64(v) - mx)
			}
			for _, v := range row {
				out = append(out, math.Exp(float64(v)-mx)/sum)
			}
		case z.opts.Decoder == onnx.DecodeProba:
			out = append(out, 1/(1+math.Exp(-float64(row[0]))))
		case z.opts.Decoder == onnx.DecodeClass && width > 1:
			best := 0
			for i, v := range row {
				if v > row[best] {
					best = i
				}
			}
			out = append(out, float64(best))
		case z.opts.Decoder == onnx.DecodeClass || z.opts.Decoder == onnx.DecodeThreshold:
			for _, v := range row {
				c := 0.0
				if v >= cut {
					c = 1
				}
				out = append(out, c)
			}
		default:
			for _, v := range row {
				out = append(out, float64(v))
			}
		}
	}
	return out
}

// graphInput returns the batch as the graph takes it: raw features when
// the scaler is folded in or absent, scaled features otherwise.
func graphInput(t testing.TB, z zooModel) *tensor.Tensor {
	if z.opts.FoldScaler || z.model.Scaler == nil {
		return z.x
	}
	x, err := z.model.Scaler.Transform(z.x)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// closeEnough reports whether got is within tol of want relative to
// max(1, |want|).
func closeEnough(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// exportAll writes each model of z into dir and returns the paths.
func exportAll(t testing.TB, z []zooModel, dir string) []string {
	t.Helper()
	paths := make([]string, len(z))
	for i, m := range z {
		var buf bytes.Buffer
		if err := onnx.Export(&buf, m.model, m.opts); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		paths[i] = filepath.Join(dir, fmt.Sprintf("%s_opset%d.onnx", m.name, m.opts.Opset))
		if err := os.WriteFile(paths[i], buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// nodeModules returns the node_modules folder that holds
// onnxruntime-node, or "" if there is none or no node: ORT_NODE_MODULES,
// else testdata/node/node_modules, where .ci/run installs it.
func nodeModules(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		return ""
	}
	dir := os.Getenv("ORT_NODE_MODULES")
	if dir == "" {
		dir, _ = filepath.Abs(filepath.Join("testdata", "node", "node_modules"))
	}
	if _, err := os.Stat(filepath.Join(dir, "onnxruntime-node", "package.json")); err != nil {
		return ""
	}
	return dir
}

// requireORT returns the node_modules folder with onnxruntime-node. It
// skips the test when there is none, except under CI, where it fails.
func requireORT(t testing.TB) string {
	t.Helper()
	dir := nodeModules(t)
	if dir == "" {
		msg := "node or onnxruntime-node missing (install: cd onnx/testdata/node && npm install --ignore-scripts --no-package-lock)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

type ortCase struct {
	Model string    `json:"model"`
	Input jsonArray `json:"input"`
}

type jsonArray struct {
	Shape []int     `json:"shape"`
	Data  []float32 `json:"data"`
	Type  string    `json:"type,omitempty"` // "int64" for token ids
}

type ortResult struct {
	Name  string    `json:"name"`
	Type  string    `json:"type"`
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// runORT runs every case through testdata/ort/run.js in one Node
// process.
func runORT(t testing.TB, modules string, cases []ortCase) []ortResult {
	t.Helper()
	dir := t.TempDir()
	job := filepath.Join(dir, "cases.json")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(job, b, 0o644); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "ort", "run.js"))
	cmd := exec.Command("node", script, job)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node run.js: %v: %s", err, stderr.String())
	}
	var res []ortResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node run.js output: %v", err)
	}
	if len(res) != len(cases) {
		t.Fatalf("node run.js: %d results for %d cases", len(res), len(cases))
	}
	return res
}

// checkWithPython runs onnx.checker.check_model(full_check=True) from
// Debian's python3-onnx on the files, if it is installed.
func checkWithPython(t testing.TB, paths []string) {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import onnx").Run(); err != nil {
		t.Log("python3-onnx not installed: the ONNX checker did not run")
		return
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "check.py"))
	cmd := exec.Command("/usr/bin/python3", append([]string{script}, paths...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("onnx checker: %v\n%s", err, out)
	}
	t.Logf("onnx checker: %s", strings.TrimSpace(string(out)))
}
