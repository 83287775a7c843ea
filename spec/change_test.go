package spec

import (
	"reflect"
	"strings"
	"testing"
)

const baseSpec = `# a comment
input: {csv: a.csv, columns: [x1, x2]}
output: {label: c}
architecture: [{linear: 4}, relu, {linear: 2}]
loss: cross_entropy
optimizer: {name: adam, lr: 0.01}
train: {epochs: 10, batch_size: 4, seed: 3}
`

func mustParse(t *testing.T, src string) *Spec {
	t.Helper()
	s, err := Parse("m.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestChanges(t *testing.T) {
	base := mustParse(t, baseSpec)
	cases := []struct {
		name string
		src  string
		want []string // "key old new"
	}{
		{"same", baseSpec, nil},
		{"layout, comments, defaults and number spelling do not count", `input:
  csv: a.csv
  columns: [x1, x2]
output: {label: c}
architecture:
  - linear: 4     # hidden
  - relu
  - {linear: 2}
loss: {name: cross_entropy}
optimizer: {name: adam, lr: 1.0e-2}
train: {epochs: 10, batch_size: 4, seed: 3, shuffle: true}
`, nil},
		{"epochs", strings.Replace(baseSpec, "epochs: 10", "epochs: 20", 1), []string{"train.epochs 10 20"}},
		{"added key", strings.Replace(baseSpec, "seed: 3", "seed: 3, early_stop: 5", 1), []string{"train.early_stop  5"}},
		{"optimizer parameter", strings.Replace(baseSpec, "lr: 0.01", "lr: 0.02", 1), []string{"optimizer.lr 0.01 0.02"}},
		{"layer", strings.Replace(baseSpec, "linear: 4", "linear: 8", 1), []string{`architecture[0] {"linear":4} {"linear":8}`}},
		{"two", strings.Replace(strings.Replace(baseSpec, "batch_size: 4", "batch_size: 2", 1), "x2]", "x3]", 1),
			[]string{`input.columns ["x1","x2"] ["x1","x3"]`, "train.batch_size 4 2"}},
	}
	for _, c := range cases {
		got, err := Changes(base, mustParse(t, c.src))
		if err != nil {
			t.Fatal(err)
		}
		var gs []string
		for _, ch := range got {
			gs = append(gs, ch.Key+" "+ch.Old+" "+ch.New)
		}
		if !reflect.DeepEqual(gs, c.want) {
			t.Errorf("%s: Changes = %q, want %q", c.name, gs, c.want)
		}
	}
}

func TestSet(t *testing.T) {
	s := mustParse(t, baseSpec)
	for _, kv := range [][2]string{{"train.epochs", "25"}, {"train.seed", "9"}, {"train.save", "out/m.safetensors"}} {
		if err := s.Set(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if s.Train.Epochs != 25 || s.Train.Seed != 9 || s.Train.Save != "out/m.safetensors" || s.Train.BatchSize != 4 {
		t.Errorf("after Set: train = %+v", s.Train)
	}
	// Raw carries the new values: the spec parsed back from it is the same.
	back := mustParse(t, string(s.Raw))
	if ch, _ := Changes(s, back); len(ch) != 0 {
		t.Errorf("Raw disagrees with the spec: %v\n%s", ch, s.Raw)
	}
	if !strings.Contains(string(s.Raw), "# a comment") {
		t.Errorf("Set dropped the comment:\n%s", s.Raw)
	}
	// Only the three keys changed.
	ch, _ := Changes(mustParse(t, baseSpec), s)
	if len(ch) != 3 {
		t.Errorf("changes = %v, want the three set keys", ch)
	}

	// A spec without a train section gains one.
	s = mustParse(t, "input: {synthetic: xor}\noutput: {label: c}\narchitecture: [relu]\nloss: mse\noptimizer: sgd\n")
	if err := s.Set("train.epochs", "3"); err != nil || s.Train.Epochs != 3 {
		t.Errorf("Set on a spec without train: %v, epochs %d", err, s.Train.Epochs)
	}

	for _, c := range []struct{ key, value, want string }{
		{"train.epochs", "0", "train.epochs: want an integer ≥ 1, got 0 (given on the command line)"},
		{"train.seed", "-1", `train.seed: want a non-negative integer, got "-1" (given on the command line)`},
		{"train.batch_size", "3", `spec: cannot set "train.batch_size"; allowed: train.epochs, train.seed, train.save`},
	} {
		s := mustParse(t, baseSpec)
		err := s.Set(c.key, c.value)
		if err == nil || err.Error() != c.want {
			t.Errorf("Set(%s, %s) = %v, want %s", c.key, c.value, err, c.want)
		}
		if s.Train.Epochs != 10 {
			t.Errorf("a failed Set changed the spec: %+v", s.Train)
		}
	}
}

func TestColumnsDefault(t *testing.T) {
	s := mustParse(t, "input: {csv: digits.csv}\noutput: {label: digit}\narchitecture: [{linear: 10}]\nloss: cross_entropy\noptimizer: sgd\ntrain: {epochs: 1}\n")
	if s.Input.Columns != nil {
		t.Errorf("columns = %q, want nil (every column but the label)", s.Input.Columns)
	}
}
