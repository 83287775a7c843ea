package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/data"
	"github.com/bigfunc/bigfunc/internal/suggest"
	"go.yaml.in/yaml/v3"
)

// Spec is a model file: the five elements of a network and how to train it.
type Spec struct {
	// Path is the file the spec was read from; relative paths inside the
	// spec are resolved against its directory.
	Path string `json:"-"`

	Input        Input       `json:"input"`
	Output       Output      `json:"output"`
	Architecture []LayerSpec `json:"-"`
	Loss         Named       `json:"loss"`
	Optimizer    Named       `json:"optimizer"`
	Train        Train       `json:"train"`

	// Generator, Discriminator and GAN make a GAN spec, which has them in
	// place of output, architecture, loss and optimizer: two networks,
	// each with its own optimizer, and the objective that pits them
	// against each other. They are nil in any other spec.
	Generator     *Network `json:"generator,omitempty"`
	Discriminator *Network `json:"discriminator,omitempty"`
	GAN           *GAN     `json:"gan,omitempty"`
	// SimCLR makes a contrastive spec: no output and no loss of its own,
	// the architecture an encoder followed by a projection head, trained
	// with NT-Xent on two augmented views of each image.
	SimCLR *SimCLR `json:"simclr,omitempty"`

	// Raw is the spec's source text, kept so a saved model can carry it.
	Raw []byte `json:"-"`
}

// Input is element 1: where the data comes from and how it is encoded.
// Exactly one of CSV, MNIST and Synthetic is set.
type Input struct {
	CSV string `json:"csv,omitempty"`
	// Columns lists the CSV's feature columns in order; empty means every
	// column except the output ones (and unnamed ones, such as the index
	// column pandas writes), in the file's order.
	Columns []string `json:"columns,omitempty"`
	// Shape is the per-sample shape the columns fill in row-major order,
	// such as [1, 8, 8]; nil means one dimension of every column.
	Shape     []int      `json:"shape,omitempty"`
	Scale     string     `json:"scale,omitempty"`
	MNIST     *MNIST     `json:"mnist,omitempty"`
	Synthetic *Synthetic `json:"synthetic,omitempty"`
	// Augment, when set, augments the training images at random each
	// batch; evaluation sees them as they are.
	Augment *Augment `json:"augment,omitempty"`
	// Text and Sequence are token sequences for a sequence model (an
	// embedding, Transformer layers, linear: vocab): text from files, or
	// a synthetic task.
	Text     *Text     `json:"text,omitempty"`
	Sequence *Sequence `json:"sequence,omitempty"`
}

// Augment is random image augmentation for [C, H, W] inputs, drawn from a
// stream seeded by train.seed: a shift by up to CropPadding pixels each way
// (zero padding, then a crop back to the original size), a rotation by up
// to Rotation degrees either way, and a left–right flip half of the time
// when HFlip is set; with CropScale a window of that fraction of the area
// stretched back to the whole image (torchvision's RandomResizedCrop), and
// with Noise Gaussian noise of that standard deviation added last. The zero
// value leaves images as they are.
type Augment struct {
	CropPadding int        `json:"crop_padding,omitempty"`
	Rotation    float64    `json:"rotation,omitempty"`
	HFlip       bool       `json:"hflip,omitempty"`
	CropScale   [2]float64 `json:"crop_scale,omitzero"`
	Noise       float64    `json:"noise,omitempty"`
}

// Text selects files for a character- or byte-level language model (see
// data.TextOptions). Paths are relative to the spec and may use
// environment variables ($GOROOT).
type Text struct {
	Paths      []string `json:"path"`
	Pattern    string   `json:"pattern,omitempty"`
	Tokenizer  string   `json:"tokenizer,omitempty"`
	BlockSize  int      `json:"block_size"`
	Stride     int      `json:"stride,omitempty"`
	Validation float64  `json:"validation,omitempty"`
	Seed       uint64   `json:"seed,omitempty"`
	MaxBytes   int      `json:"max_bytes,omitempty"`
}

// Sequence selects a synthetic sequence task (see data.SeqTaskOptions).
type Sequence struct {
	Task      string `json:"task"`
	Digits    int    `json:"digits,omitempty"`
	MinDigits int    `json:"min_digits,omitempty"`
	Size      int    `json:"size"`
	Valid     int    `json:"valid,omitempty"`
	Seed      uint64 `json:"seed,omitempty"`
}

// MNIST selects the MNIST digits. Dir is a folder with the four IDX files;
// empty means the copy in the Go module cache.
type MNIST struct {
	Dir string `json:"dir,omitempty"`
}

// Synthetic selects a generated data set.
type Synthetic struct {
	Name  string  `json:"name"`
	Size  int     `json:"size"`
	Noise float64 `json:"noise"`
	Seed  uint64  `json:"seed"`
}

// Output is element 2: regression columns, or a classification label.
type Output struct {
	Columns []string `json:"columns,omitempty"`
	Label   string   `json:"label,omitempty"`
	Classes int      `json:"classes,omitempty"`
	// Decode says how outputs become answers: identity (regression),
	// argmax (class scores), threshold (one probability) or sigmoid (one
	// logit). Empty picks from the loss.
	Decode string `json:"decode,omitempty"`
}

// Named is a loss or optimizer (or schedule): a name and its PyTorch-named
// parameters.
type Named struct {
	Name   string         `json:"name"`
	Params map[string]any `json:"params,omitempty"`
	Where  string         `json:"-"`
}

// Train holds the training settings.
type Train struct {
	Epochs     int     `json:"epochs"`
	BatchSize  int     `json:"batch_size"`
	Shuffle    bool    `json:"shuffle"`
	Seed       uint64  `json:"seed"`
	Init       string  `json:"init,omitempty"`
	Save       string  `json:"save,omitempty"`
	Validation float64 `json:"validation,omitempty"`
	Schedule   *Named  `json:"schedule,omitempty"`
	ClipNorm   float64 `json:"clip_norm,omitempty"`
	ClipValue  float64 `json:"clip_value,omitempty"`
	// EarlyStop stops after this many epochs without improvement of the
	// validation loss (or the training loss without a validation split).
	EarlyStop       int    `json:"early_stop,omitempty"`
	CheckpointEvery int    `json:"checkpoint_every,omitempty"`
	Checkpoint      string `json:"checkpoint,omitempty"`
}

// Network is one network of a spec with several: its architecture and
// its own optimizer.
type Network struct {
	Architecture []LayerSpec `json:"-"`
	// Layers is the architecture list as written, decoded, so that
	// comparing two specs compares it.
	Layers    []any `json:"architecture"`
	Optimizer Named `json:"optimizer"`
}

// GAN holds a GAN spec's gan section:
//
//	gan: {loss: standard, latent: 2, distribution: normal, d_steps: 1, g_steps: 1, ema: 0}
type GAN struct {
	// Loss is the objective: standard (non-saturating) or hinge.
	Loss string `json:"loss"`
	// Latent is the size of the generator's input, drawn from
	// Distribution: normal (standard normal, the default) or uniform (on
	// [−1, 1)).
	Latent       int    `json:"latent"`
	Distribution string `json:"distribution"`
	// DSteps discriminator updates, each on the next batch of real data,
	// are followed by GSteps generator updates; both default to 1.
	DSteps int `json:"d_steps"`
	GSteps int `json:"g_steps"`
	// Grid, when positive, draws that many image samples after every
	// epoch, from the same latents each time, into a PNG grid beside the
	// saved generator (its name with -epoch1.png, -epoch2.png, …).
	Grid int `json:"grid,omitempty"`
	// EMA, when positive, is the decay of an exponential moving average
	// of the generator's weights over its updates; the generator saved
	// at the end is that average, with its batch norm statistics
	// recounted. 0 (the default) saves the last weights.
	EMA float64 `json:"ema,omitempty"`
}

// SimCLR holds a contrastive spec's simclr section:
//
//	simclr: {temperature: 0.5, encoder: 8}
type SimCLR struct {
	// Temperature is NT-Xent's τ (default 0.5).
	Temperature float64 `json:"temperature"`
	// Encoder is the number of architecture layers, from the first, that
	// make the encoder, whose output is the representation; the layers
	// after it are the projection head the loss sees, dropped after
	// training.
	Encoder int `json:"encoder"`
}

// GANLosses and LatentDistributions are the values gan.loss and
// gan.distribution accept.
var (
	GANLosses           = []string{"standard", "hinge"}
	LatentDistributions = []string{"normal", "uniform"}
)

// Error is a spec mistake at a position in the file.
type Error struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Load reads and validates the spec file at path.
func Load(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	return Parse(path, b)
}

// Parse reads a spec from src; name is used in error messages and to
// resolve relative paths.
func Parse(name string, src []byte) (*Spec, error) {
	p := &parser{file: name}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	err := dec.Decode(&doc)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, p.yamlErr(err)
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: name, Msg: "empty spec; want the keys input, output, architecture, loss, optimizer, train"}
	}
	s := &Spec{Path: name, Raw: append([]byte(nil), src...)}
	s.Train.Shuffle = true
	root := doc.Content[0]
	fields := map[string]func(*yaml.Node) error{
		"input":        func(n *yaml.Node) error { return p.input(n, &s.Input) },
		"output":       func(n *yaml.Node) error { return p.output(n, &s.Output) },
		"architecture": func(n *yaml.Node) error { return p.architecture(n, &s.Architecture) },
		"loss":         func(n *yaml.Node) error { return p.named(n, &s.Loss, "loss") },
		"optimizer":    func(n *yaml.Node) error { return p.named(n, &s.Optimizer, "optimizer") },
		"train":        func(n *yaml.Node) error { return p.train(n, &s.Train) },
		"generator":    func(n *yaml.Node) error { return p.network(n, &s.Generator, "generator") },
		"discriminator": func(n *yaml.Node) error {
			return p.network(n, &s.Discriminator, "discriminator")
		},
		"gan": func(n *yaml.Node) error { return p.gan(n, &s.GAN) },
		"simclr": func(n *yaml.Node) error {
			c := &SimCLR{Temperature: 0.5}
			s.SimCLR = c
			return p.mapping(n, "simclr", map[string]func(*yaml.Node) error{
				"temperature": p.number(&c.Temperature, "simclr.temperature", 1e-6, 1e6),
				"encoder":     p.integer(&c.Encoder, "simclr.encoder", 1),
			}, "encoder")
		},
	}
	required := []string{"input", "output", "architecture", "loss", "optimizer"}
	if root.Kind == yaml.MappingNode && (lookup(root, "gan") != nil || lookup(root, "generator") != nil || lookup(root, "discriminator") != nil) {
		required = []string{"input", "generator", "discriminator", "gan"}
	}
	if root.Kind == yaml.MappingNode && lookup(root, "simclr") != nil {
		required = []string{"input", "architecture", "optimizer", "simclr"}
	}
	if err := p.mapping(root, "spec", fields, required...); err != nil {
		return nil, err
	}
	if err := p.validate(root, s); err != nil {
		return nil, err
	}
	return s, nil
}

type parser struct{ file string }

func (p *parser) at(n *yaml.Node, format string, args ...any) error {
	return &Error{File: p.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) where(n *yaml.Node) string { return fmt.Sprintf("%s:%d:%d", p.file, n.Line, n.Column) }

// yamlErr turns the YAML library's error ("yaml: line 3: …") into the
// file:line form every other spec error uses.
func (p *parser) yamlErr(err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if line, err := strconv.Atoi(rest[:i]); err == nil {
				return &Error{File: p.file, Line: line, Column: 1, Msg: "invalid YAML: " + strings.TrimSpace(rest[i+1:])}
			}
		}
	}
	return &Error{File: p.file, Msg: "invalid YAML: " + msg}
}

// mapping walks a YAML mapping, calling the handler of each key; unknown
// keys are errors with a suggestion, and required keys must be present.
func (p *parser) mapping(n *yaml.Node, what string, fields map[string]func(*yaml.Node) error, required ...string) error {
	if n.Kind != yaml.MappingNode {
		return p.at(n, "%s: want a mapping with keys %s, got %s", what, strings.Join(sortedKeys(fields), ", "), describe(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		f, ok := fields[k.Value]
		if !ok {
			return p.at(k, "%s: unknown key %q%s; allowed: %s", what, k.Value,
				suggest.DidYouMean(k.Value, sortedKeys(fields)), strings.Join(sortedKeys(fields), ", "))
		}
		if seen[k.Value] {
			return p.at(k, "%s: key %q appears twice", what, k.Value)
		}
		seen[k.Value] = true
		if err := f(v); err != nil {
			return err
		}
	}
	for _, r := range required {
		if !seen[r] {
			return p.at(n, "%s: missing required key %q", what, r)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func (p *parser) str(dst *string, what string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			return p.at(n, "%s: want a string, got %s", what, describe(n))
		}
		*dst = n.Value
		return nil
	}
}

func (p *parser) strList(dst *[]string, what string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
			*dst = []string{n.Value}
			return nil
		}
		if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
			return p.at(n, "%s: want a list of column names such as [x1, x2], got %s", what, describe(n))
		}
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode || c.Value == "" {
				return p.at(c, "%s: want a column name, got %s", what, describe(c))
			}
			*dst = append(*dst, c.Value)
		}
		return nil
	}
}

// shape reads a per-sample shape: a list of one to four positive sizes.
func (p *parser) shape(dst *[]int, what string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		if n.Kind != yaml.SequenceNode || len(n.Content) == 0 || len(n.Content) > 4 {
			return p.at(n, "%s: want a list of one to four positive sizes such as [1, 8, 8], got %s", what, describe(n))
		}
		total := 1
		for _, c := range n.Content {
			v, err := strconv.Atoi(c.Value)
			if c.Kind != yaml.ScalarNode || c.Tag != "!!int" || err != nil || v < 1 || v > 1<<20 {
				return p.at(c, "%s: want a positive size, got %s", what, describe(c))
			}
			if total *= v; total > 1<<26 {
				return p.at(n, "%s: %d elements per sample is too many", what, total)
			}
			*dst = append(*dst, v)
		}
		return nil
	}
}

func (p *parser) integer(dst *int, what string, minimum int) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		v, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			return p.at(n, "%s: want an integer, got %s", what, describe(n))
		}
		if v < minimum {
			return p.at(n, "%s: want an integer ≥ %d, got %d", what, minimum, v)
		}
		*dst = v
		return nil
	}
}

func (p *parser) seed(dst *uint64, what string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		v, err := strconv.ParseUint(n.Value, 10, 64)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			return p.at(n, "%s: want a non-negative integer, got %s", what, describe(n))
		}
		*dst = v
		return nil
	}
}

func (p *parser) number(dst *float64, what string, lo, hi float64) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		v, err := strconv.ParseFloat(n.Value, 64)
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || err != nil {
			return p.at(n, "%s: want a number, got %s", what, describe(n))
		}
		if v < lo || v > hi {
			return p.at(n, "%s: want a number in [%g, %g], got %g", what, lo, hi, v)
		}
		*dst = v
		return nil
	}
}

// numberPair reads [low, high], two numbers in [lo, hi] with low ≤ high
// and high above 0.
func (p *parser) numberPair(dst *[2]float64, what string, lo, hi float64) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		if n.Kind != yaml.SequenceNode || len(n.Content) != 2 {
			return p.at(n, "%s: want [low, high], two numbers, got %s", what, describe(n))
		}
		for i, c := range n.Content {
			if err := p.number(&dst[i], what, lo, hi)(c); err != nil {
				return err
			}
		}
		if dst[0] > dst[1] || dst[1] == 0 {
			return p.at(n, "%s: want low ≤ high and high > 0, got [%g, %g]", what, dst[0], dst[1])
		}
		return nil
	}
}

func (p *parser) boolean(dst *bool, what string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			return p.at(n, "%s: want true or false, got %s", what, describe(n))
		}
		*dst = n.Value == "true"
		return nil
	}
}

func (p *parser) input(n *yaml.Node, in *Input) error {
	return p.mapping(n, "input", map[string]func(*yaml.Node) error{
		"csv":     p.str(&in.CSV, "input.csv"),
		"columns": p.strList(&in.Columns, "input.columns"),
		"shape":   p.shape(&in.Shape, "input.shape"),
		"scale": func(v *yaml.Node) error {
			if err := p.str(&in.Scale, "input.scale")(v); err != nil {
				return err
			}
			if !slices.Contains(data.ScalerKinds(), in.Scale) {
				return p.at(v, "input.scale: unknown scaling %q; allowed: %s", in.Scale, strings.Join(data.ScalerKinds(), ", "))
			}
			return nil
		},
		"mnist": func(v *yaml.Node) error {
			in.MNIST = &MNIST{}
			if v.Tag == "!!null" || (v.Kind == yaml.ScalarNode && v.Value == "true") {
				return nil
			}
			return p.mapping(v, "input.mnist", map[string]func(*yaml.Node) error{
				"dir": p.str(&in.MNIST.Dir, "input.mnist.dir"),
			})
		},
		"augment": func(v *yaml.Node) error {
			in.Augment = &Augment{}
			return p.mapping(v, "input.augment", map[string]func(*yaml.Node) error{
				"crop_padding": p.integer(&in.Augment.CropPadding, "input.augment.crop_padding", 0),
				"rotation":     p.number(&in.Augment.Rotation, "input.augment.rotation", 0, 180),
				"hflip":        p.boolean(&in.Augment.HFlip, "input.augment.hflip"),
				"crop_scale":   p.numberPair(&in.Augment.CropScale, "input.augment.crop_scale", 0, 1),
				"noise":        p.number(&in.Augment.Noise, "input.augment.noise", 0, 1000),
			})
		},
		"synthetic": func(v *yaml.Node) error {
			in.Synthetic = &Synthetic{Size: 512, Seed: 0}
			if v.Kind == yaml.ScalarNode {
				return p.str(&in.Synthetic.Name, "input.synthetic")(v)
			}
			return p.mapping(v, "input.synthetic", map[string]func(*yaml.Node) error{
				"name":  p.str(&in.Synthetic.Name, "input.synthetic.name"),
				"size":  p.integer(&in.Synthetic.Size, "input.synthetic.size", 1),
				"noise": p.number(&in.Synthetic.Noise, "input.synthetic.noise", 0, 1e6),
				"seed":  p.seed(&in.Synthetic.Seed, "input.synthetic.seed"),
			}, "name")
		},
		"text": func(v *yaml.Node) error {
			in.Text = &Text{}
			t := in.Text
			return p.mapping(v, "input.text", map[string]func(*yaml.Node) error{
				"path":    p.strList(&t.Paths, "input.text.path"),
				"pattern": p.str(&t.Pattern, "input.text.pattern"),
				"tokenizer": func(n *yaml.Node) error {
					if err := p.str(&t.Tokenizer, "input.text.tokenizer")(n); err != nil {
						return err
					}
					if !slices.Contains(data.Tokenizers(), t.Tokenizer) {
						return p.at(n, "input.text.tokenizer: unknown tokenizer %q; allowed: %s", t.Tokenizer, strings.Join(data.Tokenizers(), ", "))
					}
					return nil
				},
				"block_size": p.integer(&t.BlockSize, "input.text.block_size", 1),
				"stride":     p.integer(&t.Stride, "input.text.stride", 1),
				"validation": p.number(&t.Validation, "input.text.validation", 0, 0.9),
				"seed":       p.seed(&t.Seed, "input.text.seed"),
				"max_bytes":  p.integer(&t.MaxBytes, "input.text.max_bytes", 0),
			}, "path", "block_size")
		},
		"sequence": func(v *yaml.Node) error {
			in.Sequence = &Sequence{}
			q := in.Sequence
			return p.mapping(v, "input.sequence", map[string]func(*yaml.Node) error{
				"task": func(n *yaml.Node) error {
					if err := p.str(&q.Task, "input.sequence.task")(n); err != nil {
						return err
					}
					if !slices.Contains(data.SeqTasks(), q.Task) {
						return p.at(n, "input.sequence.task: unknown task %q%s; allowed: %s", q.Task, suggest.DidYouMean(q.Task, data.SeqTasks()), strings.Join(data.SeqTasks(), ", "))
					}
					return nil
				},
				"digits":     p.integer(&q.Digits, "input.sequence.digits", 1),
				"min_digits": p.integer(&q.MinDigits, "input.sequence.min_digits", 1),
				"size":       p.integer(&q.Size, "input.sequence.size", 1),
				"valid":      p.integer(&q.Valid, "input.sequence.valid", 0),
				"seed":       p.seed(&q.Seed, "input.sequence.seed"),
			}, "task", "size")
		},
	})
}

func (p *parser) output(n *yaml.Node, out *Output) error {
	return p.mapping(n, "output", map[string]func(*yaml.Node) error{
		"columns": p.strList(&out.Columns, "output.columns"),
		"label":   p.str(&out.Label, "output.label"),
		"classes": p.integer(&out.Classes, "output.classes", 2),
		"decode": func(v *yaml.Node) error {
			if err := p.str(&out.Decode, "output.decode")(v); err != nil {
				return err
			}
			if !slices.Contains(data.DecoderKinds(), out.Decode) {
				return p.at(v, "output.decode: unknown decoder %q; allowed: %s", out.Decode, strings.Join(data.DecoderKinds(), ", "))
			}
			return nil
		},
	})
}

// named reads `loss: mse`, or a mapping `{name: adam, lr: 0.01}`.
func (p *parser) named(n *yaml.Node, dst *Named, what string) error {
	dst.Where = p.where(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		dst.Name = n.Value
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return p.at(n, "%s: want a name or a mapping with a name key, got %s", what, describe(n))
	}
	dst.Params = map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "name" {
			if err := p.str(&dst.Name, what+".name")(v); err != nil {
				return err
			}
			continue
		}
		var val any
		if err := v.Decode(&val); err != nil {
			return p.at(v, "%s.%s: %v", what, k.Value, err)
		}
		if _, dup := dst.Params[k.Value]; dup {
			return p.at(k, "%s: key %q appears twice", what, k.Value)
		}
		dst.Params[k.Value] = val
	}
	if dst.Name == "" {
		return p.at(n, "%s: missing required key \"name\"", what)
	}
	return nil
}

func (p *parser) architecture(n *yaml.Node, dst *[]LayerSpec) error {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return p.at(n, "architecture: want a list of layers such as [{linear: 16}, relu, {linear: 1}], got %s", describe(n))
	}
	for i, item := range n.Content {
		var v any
		if err := item.Decode(&v); err != nil {
			return p.at(item, "architecture[%d]: %v", i, err)
		}
		ls, err := parseLayer(v)
		if err != nil {
			return p.at(item, "architecture[%d]: %v", i, err)
		}
		setWhere(&ls, item, p)
		*dst = append(*dst, ls)
	}
	return nil
}

// setWhere records source positions on a layer and, for residual blocks,
// on the layers inside it (both the list form and {body, shortcut}).
func setWhere(ls *LayerSpec, n *yaml.Node, p *parser) {
	ls.Where = p.where(n)
	if n.Kind != yaml.MappingNode || len(n.Content) < 2 {
		return
	}
	mark := func(list []LayerSpec, seq *yaml.Node) {
		if seq.Kind == yaml.SequenceNode && len(seq.Content) == len(list) {
			for i := range list {
				setWhere(&list[i], seq.Content[i], p)
			}
		}
	}
	switch body := n.Content[1]; body.Kind {
	case yaml.SequenceNode:
		mark(ls.Inner, body)
	case yaml.MappingNode:
		for i := 0; i+1 < len(body.Content); i += 2 {
			switch body.Content[i].Value {
			case "body":
				mark(ls.Inner, body.Content[i+1])
			case "shortcut":
				mark(ls.Shortcut, body.Content[i+1])
			}
		}
	}
}

func (p *parser) train(n *yaml.Node, t *Train) error {
	return p.mapping(n, "train", map[string]func(*yaml.Node) error{
		"epochs":     p.integer(&t.Epochs, "train.epochs", 1),
		"batch_size": p.integer(&t.BatchSize, "train.batch_size", 0),
		"shuffle":    p.boolean(&t.Shuffle, "train.shuffle"),
		"seed":       p.seed(&t.Seed, "train.seed"),
		"init":       p.str(&t.Init, "train.init"),
		"save":       p.str(&t.Save, "train.save"),
		"validation": p.number(&t.Validation, "train.validation", 0, 0.9),
		"schedule": func(v *yaml.Node) error {
			t.Schedule = &Named{}
			return p.named(v, t.Schedule, "train.schedule")
		},
		"clip_norm":        p.number(&t.ClipNorm, "train.clip_norm", 0, 1e300),
		"clip_value":       p.number(&t.ClipValue, "train.clip_value", 0, 1e300),
		"early_stop":       p.integer(&t.EarlyStop, "train.early_stop", 0),
		"checkpoint_every": p.integer(&t.CheckpointEvery, "train.checkpoint_every", 0),
		"checkpoint":       p.str(&t.Checkpoint, "train.checkpoint"),
	}, "epochs")
}

// network reads a generator or discriminator section.
func (p *parser) network(n *yaml.Node, dst **Network, what string) error {
	net := &Network{}
	*dst = net
	return p.mapping(n, what, map[string]func(*yaml.Node) error{
		"architecture": func(v *yaml.Node) error {
			if err := p.architecture(v, &net.Architecture); err != nil {
				return err
			}
			return v.Decode(&net.Layers)
		},
		"optimizer": func(v *yaml.Node) error { return p.named(v, &net.Optimizer, what+".optimizer") },
	}, "architecture", "optimizer")
}

// gan reads the gan section, filling in the defaults.
func (p *parser) gan(n *yaml.Node, dst **GAN) error {
	g := &GAN{Loss: "standard", Distribution: "normal", DSteps: 1, GSteps: 1}
	*dst = g
	oneOf := func(dst *string, what string, allowed []string) func(*yaml.Node) error {
		return func(v *yaml.Node) error {
			if err := p.str(dst, what)(v); err != nil {
				return err
			}
			if !slices.Contains(allowed, *dst) {
				return p.at(v, "%s: unknown value %q%s; allowed: %s", what, *dst, suggest.DidYouMean(*dst, allowed), strings.Join(allowed, ", "))
			}
			return nil
		}
	}
	return p.mapping(n, "gan", map[string]func(*yaml.Node) error{
		"loss":         oneOf(&g.Loss, "gan.loss", GANLosses),
		"latent":       p.integer(&g.Latent, "gan.latent", 1),
		"distribution": oneOf(&g.Distribution, "gan.distribution", LatentDistributions),
		"d_steps":      p.integer(&g.DSteps, "gan.d_steps", 1),
		"g_steps":      p.integer(&g.GSteps, "gan.g_steps", 1),
		"grid":         p.integer(&g.Grid, "gan.grid", 0),
		"ema":          p.number(&g.EMA, "gan.ema", 0, 0.99999),
	}, "latent")
}

// validateGAN checks that a GAN spec (the parser has required its gan,
// generator and discriminator) has none of the keys of a single network, and only the training
// settings a GAN run honours.
func (p *parser) validateGAN(root *yaml.Node, s *Spec) error {
	if s.GAN == nil {
		return nil
	}
	for _, k := range []string{"output", "architecture", "loss", "optimizer"} {
		if v := lookup(root, k); v != nil {
			return p.at(v, "%s: a GAN spec has no %s of its own; the generator and discriminator sections hold each network's architecture and optimizer, and gan.loss the objective", k, k)
		}
	}
	if t := lookup(root, "train"); t != nil && t.Kind == yaml.MappingNode {
		for _, k := range []string{"validation", "early_stop", "init", "clip_norm", "clip_value"} {
			if v := lookup(t, k); v != nil {
				return p.at(v, "train.%s: not supported for a GAN; allowed: batch_size, checkpoint, checkpoint_every, epochs, save, schedule, seed, shuffle", k)
			}
		}
	}
	return nil
}

// validate checks what single keys cannot: combinations.
func (p *parser) validate(root *yaml.Node, s *Spec) error {
	key := func(name string) *yaml.Node {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == name {
				return root.Content[i+1]
			}
		}
		return root
	}
	if err := p.validateGAN(root, s); err != nil {
		return err
	}
	if s.SimCLR != nil {
		for _, k := range []string{"output", "loss"} {
			if v := lookup(root, k); v != nil {
				return p.at(v, "%s: a SimCLR spec has no %s; it learns from two augmented views of each image with NT-Xent at simclr.temperature", k, k)
			}
		}
		if s.Input.Augment == nil {
			return p.at(key("input"), "input.augment: a SimCLR spec needs augmentation to make its two views")
		}
	}
	in, out := s.Input, s.Output
	sources := 0
	for _, set := range []bool{in.CSV != "", in.MNIST != nil, in.Synthetic != nil, in.Text != nil, in.Sequence != nil} {
		if set {
			sources++
		}
	}
	switch {
	case sources == 0:
		return p.at(key("input"), "input: want one data source: csv, mnist, synthetic, text or sequence")
	case sources > 1:
		return p.at(key("input"), "input: want only one of csv, mnist, synthetic, text and sequence")
	}
	if (in.Text != nil || in.Sequence != nil) && s.Train.Validation > 0 {
		return p.at(key("train"), "train.validation: a text or sequence input holds out its own part (input.text.validation, input.sequence.valid)")
	}
	if len(out.Columns) > 0 && out.Label != "" {
		return p.at(key("output"), "output: want either columns (regression) or label (classification), not both")
	}
	if in.CSV != "" && len(out.Columns) == 0 && out.Label == "" && s.GAN == nil && s.SimCLR == nil {
		return p.at(key("output"), "output: want columns (regression) or label (classification)")
	}
	return nil
}

// Dir returns the directory that relative paths in s are resolved against.
func (s *Spec) Dir() string { return filepath.Dir(s.Path) }

// Resolve returns path relative to the spec's directory, or path itself if
// it is absolute or empty.
func (s *Spec) Resolve(path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(s.Dir(), path)
}

// SavePath returns where the trained model goes: train.save, or the spec's
// name with the extension .safetensors beside it.
func (s *Spec) SavePath() string {
	if s.Train.Save != "" {
		return s.Resolve(s.Train.Save)
	}
	base := strings.TrimSuffix(s.Path, filepath.Ext(s.Path))
	return base + ".safetensors"
}
