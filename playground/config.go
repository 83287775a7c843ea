package playground

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/bigfunc/bigfunc/activation"
)

// Limits on a set-up. They keep one session's memory and time per step
// bounded whatever the query string asks for.
const (
	MaxLayers   = 10   // hidden layers
	MaxNeurons  = 64   // neurons per hidden layer
	MaxPoints   = 5000 // generated points
	MinPoints   = 20
	maxEdits    = 64 // hand-edited weights remembered in the URL
	maxBatch    = 1000
	maxLR       = 10
	maxRegRate  = 10
	maxNoisePct = 50
	maxSpeed    = 10000
)

// Layer is one hidden layer: its width, its activation (any of the
// engine's) and the dropout probability applied after it.
type Layer struct {
	Units      int     `json:"units"`
	Activation string  `json:"activation"`
	Dropout    float64 `json:"dropout"`
}

// Edit is a weight or bias set by hand. Layer counts the linear layers from
// 0 (the last one is the output layer); Row is the output unit (for maxout,
// unit·pieces + piece) and Col the input unit of a weight.
type Edit struct {
	Layer int     `json:"layer"`
	Bias  bool    `json:"bias"`
	Row   int     `json:"row"`
	Col   int     `json:"col"`
	Value float64 `json:"value"`
}

// Config is a playground set-up. Every field has a query-string key (see
// ParseConfig); fields that only change what the page shows (Slice,
// ShowTest, Discretize) are kept here too so that a link restores them.
type Config struct {
	Data       string `json:"data"`
	Noise      int    `json:"noise"`      // percent, 0 to 50
	TrainRatio int    `json:"trainRatio"` // percent of points used for training, 10 to 90
	Points     int    `json:"points"`
	Seed       uint64 `json:"seed"` // draws the data and the split (and, while Init is 0, the initial weights and the batches)
	// Init draws the initial weights, the dropout masks and the order of
	// the batches; 0 means Seed. Reset sets it anew unless SameSeed.
	Init     uint64 `json:"init"`
	SameSeed bool   `json:"sameSeed"` // reset restores the same starting weights instead of drawing new ones
	// Standardize rescales an uploaded CSV's columns to mean 0 and
	// standard deviation 1 (inputs, and the values of a regression).
	Standardize bool     `json:"standardize"`
	Features    []string `json:"features"`
	Layers      []Layer  `json:"layers"`
	Optimizer   string   `json:"optimizer"`
	LR          float64  `json:"lr"`
	Batch       int      `json:"batch"`
	Reg         string   `json:"reg"` // none, l1 or l2
	RegRate     float64  `json:"regRate"`
	Preset      string   `json:"preset"` // "" or a chapter network whose weights replace the random ones
	Edits       []Edit   `json:"edits"`
	Speed       int      `json:"speed"` // epochs per second while playing; 0 is as fast as the machine goes
	Slice       float64  `json:"slice"` // x2 of the slice a 2-D regression is drawn along
	ShowTest    bool     `json:"showTest"`
	Discretize  bool     `json:"discretize"`
}

// DefaultConfig returns TensorFlow Playground's opening set-up: circle
// data, features x1 and x2, two tanh layers of 4 and 2 neurons, SGD at
// learning rate 0.03 with batches of 10, at 60 epochs a second (its pace:
// one epoch per animation frame).
func DefaultConfig() Config {
	return Config{
		Data: "circle", TrainRatio: 50, Points: 500, Seed: 1,
		Features:  []string{"x1", "x2"},
		Layers:    []Layer{{4, "tanh", 0}, {2, "tanh", 0}},
		Optimizer: "sgd", LR: 0.03, Batch: 10, Reg: "none", Speed: 60, Standardize: true,
	}
}

// Optimizers lists the optimizers a set-up may use: all of the engine's.
var Optimizers = []string{"sgd", "adam", "adamw", "rmsprop", "adagrad"}

// Regularizations lists the penalties on the weights (not the biases), as
// TensorFlow Playground applies them.
var Regularizations = []string{"none", "l1", "l2"}

// ParseConfig reads a set-up from a query string. Keys are data, noise,
// ratio, points, seed, init, sameseed, standardize, features, layers,
// optimizer, lr, batch, reg, regrate, preset, edits, speed, slice,
// showtest and discretize. A missing value takes the default, so that any
// link opens a working page; a malformed or out-of-range one takes the
// default too, and the returned notes say, one per line, what was changed
// and why (`lr=50 is out of range (1e-06 to 10): using 0.03`). Unknown keys
// are ignored.
func ParseConfig(q url.Values) (Config, []string) {
	c, n := parseValues(q)
	n = append(n, c.normalize(dataSetByName(c.Data))...)
	return c, n
}

// parseValues reads each key of q on its own, without making the fields
// agree with each other (normalize does that).
func parseValues(q url.Values) (Config, notes) {
	c := DefaultConfig()
	var n notes
	if v, ok := one(q, "data"); ok {
		if dataSetByName(v) != nil {
			c.Data = v
		} else {
			n.add("data=%s is not a data set the playground knows: using %s", v, c.Data)
		}
	}
	n.intIn(q, "noise", 0, maxNoisePct, &c.Noise)
	n.intIn(q, "ratio", 10, 90, &c.TrainRatio)
	n.intIn(q, "points", MinPoints, MaxPoints, &c.Points)
	n.seed(q, "seed", &c.Seed)
	n.seed(q, "init", &c.Init)
	n.boolOf(q, "sameseed", &c.SameSeed)
	n.boolOf(q, "standardize", &c.Standardize)
	if v, ok := one(q, "features"); ok {
		c.Features = splitList(v)
	}
	if v, ok := one(q, "layers"); ok {
		if ls, err := parseLayers(v); err == nil {
			c.Layers = ls
		} else {
			n.add("layers=%s: %v; using %s", v, err, formatLayers(c.Layers))
		}
	}
	if v, ok := one(q, "optimizer"); ok {
		if slices.Contains(Optimizers, v) {
			c.Optimizer = v
		} else {
			n.add("optimizer=%s is not one of %s: using %s", v, strings.Join(Optimizers, ", "), c.Optimizer)
		}
	}
	n.floatIn(q, "lr", 1e-6, maxLR, &c.LR)
	n.intIn(q, "batch", 1, maxBatch, &c.Batch)
	if v, ok := one(q, "reg"); ok {
		if slices.Contains(Regularizations, v) {
			c.Reg = v
		} else {
			n.add("reg=%s is not one of %s: using %s", v, strings.Join(Regularizations, ", "), c.Reg)
		}
	}
	n.floatIn(q, "regrate", 0, maxRegRate, &c.RegRate)
	if v, ok := one(q, "preset"); ok && v != "" {
		if presetByName(v) != nil {
			c.Preset = v
		} else {
			n.add("preset=%s is not one of the chapter's networks: using none", v)
		}
	}
	if v, ok := one(q, "edits"); ok {
		var dropped int
		c.Edits, dropped = parseEdits(v)
		if dropped > 0 {
			n.add("edits: %d of the hand-set weights are malformed or out of range (want LAYERwROW.COL~VALUE or LAYERbROW~VALUE, |VALUE| ≤ 1e6, at most %d): dropped", dropped, maxEdits)
		}
	}
	n.intIn(q, "speed", 0, maxSpeed, &c.Speed)
	n.floatIn(q, "slice", -1e6, 1e6, &c.Slice)
	n.boolOf(q, "showtest", &c.ShowTest)
	n.boolOf(q, "discretize", &c.Discretize)
	return c, n
}

// notes collects what ParseConfig changed, one sentence each.
type notes []string

func (n *notes) add(format string, args ...any) { *n = append(*n, fmt.Sprintf(format, args...)) }

func (n *notes) intIn(q url.Values, key string, lo, hi int, dst *int) {
	v, ok := one(q, key)
	if !ok {
		return
	}
	x, err := strconv.Atoi(v)
	switch {
	case err != nil:
		n.add("%s=%s is not a whole number: using %d", key, v, *dst)
	case x < lo || x > hi:
		n.add("%s=%s is out of range (%d to %d): using %d", key, v, lo, hi, *dst)
	default:
		*dst = x
	}
}

func (n *notes) floatIn(q url.Values, key string, lo, hi float64, dst *float64) {
	v, ok := one(q, key)
	if !ok {
		return
	}
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange), math.IsNaN(f):
		n.add("%s=%s is not a number: using %s", key, v, fmtFloat(*dst))
	case f < lo || f > hi:
		n.add("%s=%s is out of range (%s to %s): using %s", key, v, fmtFloat(lo), fmtFloat(hi), fmtFloat(*dst))
	default:
		*dst = f
	}
}

func (n *notes) seed(q url.Values, key string, dst *uint64) {
	v, ok := one(q, key)
	if !ok {
		return
	}
	s, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		n.add("%s=%s is not a whole number from 0 to %d: using %d", key, v, uint64(math.MaxUint64), *dst)
		return
	}
	*dst = s
}

func (n *notes) boolOf(q url.Values, key string, dst *bool) {
	v, ok := one(q, key)
	if !ok {
		return
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		n.add("%s=%s is not true or false: using %t", key, v, *dst)
		return
	}
	*dst = b
}

// normalize makes the fields agree with each other: features that the
// data has, a preset whose network matches, a slice inside the domain. It
// returns what it changed.
func (c *Config) normalize(ds *dataSet) []string {
	var n notes
	var feats []string
	for _, f := range featuresFor(ds.Dims) {
		if slices.Contains(c.Features, f.Name) {
			feats = append(feats, f.Name)
		}
	}
	if len(feats) == 0 {
		feats = defaultFeatures(ds.Dims)
	}
	if !slices.Equal(feats, c.Features) {
		n.add("features=%s: %s data has the features %s; using %s", strings.Join(c.Features, ","), ds.Label, featureNames(ds.Dims), strings.Join(feats, ","))
	}
	c.Features = feats
	if c.Preset != "" && !presetByName(c.Preset).fits(c) {
		n.add("preset=%s: its network is %s on %s, not the one asked for: using none", c.Preset,
			formatLayers(presetByName(c.Preset).layers), strings.Join(presetByName(c.Preset).features, ","))
		c.Preset = ""
	}
	if len(c.Edits) > maxEdits {
		n.add("edits: %d hand-set weights, at most %d: keeping the last %d", len(c.Edits), maxEdits, maxEdits)
		c.Edits = c.Edits[len(c.Edits)-maxEdits:]
	}
	if ds.Dims == 2 {
		s := math.Max(ds.Domain[2], math.Min(ds.Domain[3], c.Slice))
		if s != c.Slice {
			n.add("slice=%s lies outside the data (x2 from %s to %s): using %s", fmtFloat(c.Slice), fmtFloat(ds.Domain[2]), fmtFloat(ds.Domain[3]), fmtFloat(s))
		}
		c.Slice = s
	} else {
		c.Slice = 0
	}
	return n
}

func featureNames(dims int) string {
	var names []string
	for _, f := range featuresFor(dims) {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// initSeed returns the seed of the initial weights and the batches.
func (c Config) initSeed() uint64 {
	if c.Init != 0 {
		return c.Init
	}
	return c.Seed
}

// dataSet returns the description of c's data set.
func (c Config) dataSet() *dataSet { return dataSetByName(c.Data) }

// Encode returns the canonical query string of c, keys sorted, with commas
// and colons left readable.
func (c Config) Encode() string {
	kv := map[string]string{
		"data":       c.Data,
		"noise":      strconv.Itoa(c.Noise),
		"ratio":      strconv.Itoa(c.TrainRatio),
		"points":     strconv.Itoa(c.Points),
		"seed":       strconv.FormatUint(c.Seed, 10),
		"features":   strings.Join(c.Features, ","),
		"layers":     formatLayers(c.Layers),
		"optimizer":  c.Optimizer,
		"lr":         fmtFloat(c.LR),
		"batch":      strconv.Itoa(c.Batch),
		"reg":        c.Reg,
		"regrate":    fmtFloat(c.RegRate),
		"speed":      strconv.Itoa(c.Speed),
		"slice":      fmtFloat(c.Slice),
		"showtest":   strconv.FormatBool(c.ShowTest),
		"discretize": strconv.FormatBool(c.Discretize),
	}
	if c.Preset != "" {
		kv["preset"] = c.Preset
	}
	// Keys whose default most links keep are left out of them.
	if c.Init != 0 {
		kv["init"] = strconv.FormatUint(c.Init, 10)
	}
	if c.SameSeed {
		kv["sameseed"] = "true"
	}
	if !c.Standardize {
		kv["standardize"] = "false"
	}
	if len(c.Edits) > 0 {
		kv["edits"] = formatEdits(c.Edits)
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(escapeQuery(kv[k]))
	}
	return b.String()
}

// escapeQuery escapes a query value but keeps the characters RFC 3986
// allows in a query unescaped where they make the URL easier to read.
func escapeQuery(s string) string {
	return strings.NewReplacer("%2C", ",", "%3A", ":", "%7E", "~").Replace(url.QueryEscape(s))
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func one(q url.Values, key string) (string, bool) {
	vs, ok := q[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return strings.TrimSpace(vs[len(vs)-1]), true
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseLayers reads "8:relu,4:tanh:0.2": units, activation and optional
// dropout per hidden layer. An empty string or "none" is no hidden layer
// (a linear model).
func parseLayers(s string) ([]Layer, error) {
	if s == "" || s == "none" {
		return []Layer{}, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > MaxLayers {
		return nil, fmt.Errorf("%d hidden layers, at most %d", len(parts), MaxLayers)
	}
	names := activation.Names()
	out := make([]Layer, 0, len(parts))
	for _, p := range parts {
		f := strings.Split(p, ":")
		if len(f) < 1 || len(f) > 3 {
			return nil, fmt.Errorf("layer %q: want units:activation[:dropout]", p)
		}
		n, err := strconv.Atoi(strings.TrimSpace(f[0]))
		if err != nil || n < 1 || n > MaxNeurons {
			return nil, fmt.Errorf("layer %q: want 1 to %d units", p, MaxNeurons)
		}
		l := Layer{Units: n, Activation: "tanh"}
		if len(f) > 1 {
			a := strings.TrimSpace(f[1])
			if !slices.Contains(names, a) {
				return nil, fmt.Errorf("layer %q: unknown activation", p)
			}
			l.Activation = a
		}
		if len(f) > 2 {
			d, err := strconv.ParseFloat(strings.TrimSpace(f[2]), 64)
			if err != nil || !(d >= 0 && d < 1) {
				return nil, fmt.Errorf("layer %q: dropout must be in [0, 1)", p)
			}
			l.Dropout = d
		}
		out = append(out, l)
	}
	return out, nil
}

func formatLayers(ls []Layer) string {
	if len(ls) == 0 {
		return "none"
	}
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = strconv.Itoa(l.Units) + ":" + l.Activation
		if l.Dropout > 0 {
			parts[i] += ":" + fmtFloat(l.Dropout)
		}
	}
	return strings.Join(parts, ",")
}

// parseEdits reads "0w1.0~0.5,1b0~-2": layer, w (weight row.col) or b
// (bias row), and the value. Malformed entries are dropped one by one,
// and counted.
func parseEdits(s string) (out []Edit, dropped int) {
	for _, p := range splitList(s) {
		if len(out) == maxEdits {
			dropped++
			continue
		}
		at, val, ok := strings.Cut(p, "~")
		v, err := strconv.ParseFloat(val, 64)
		if !ok || err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e6 {
			dropped++
			continue
		}
		i := strings.IndexAny(at, "wb")
		if i <= 0 {
			dropped++
			continue
		}
		layer, err := strconv.Atoi(at[:i])
		if err != nil || layer < 0 || layer > MaxLayers {
			dropped++
			continue
		}
		e := Edit{Layer: layer, Bias: at[i] == 'b', Value: v}
		rest := at[i+1:]
		if e.Bias {
			if e.Row, err = strconv.Atoi(rest); err != nil || e.Row < 0 {
				dropped++
				continue
			}
		} else {
			r, c, ok := strings.Cut(rest, ".")
			var err2 error
			e.Row, err = strconv.Atoi(r)
			e.Col, err2 = strconv.Atoi(c)
			if !ok || err != nil || err2 != nil || e.Row < 0 || e.Col < 0 {
				dropped++
				continue
			}
		}
		out = append(out, e)
	}
	return out, dropped
}

func formatEdits(es []Edit) string {
	parts := make([]string, len(es))
	for i, e := range es {
		if e.Bias {
			parts[i] = fmt.Sprintf("%db%d~%s", e.Layer, e.Row, fmtFloat(e.Value))
		} else {
			parts[i] = fmt.Sprintf("%dw%d.%d~%s", e.Layer, e.Row, e.Col, fmtFloat(e.Value))
		}
	}
	return strings.Join(parts, ",")
}

// clone returns a copy of c that shares no memory with it, for handing to
// an encoder outside the session's lock.
func (c Config) clone() Config {
	c.Features = slices.Clone(c.Features)
	c.Layers = slices.Clone(c.Layers)
	c.Edits = slices.Clone(c.Edits)
	return c
}

// addEdit records an edit, replacing an earlier one of the same parameter.
// It builds a new slice: copies of the set-up handed out earlier keep
// theirs.
func (c *Config) addEdit(e Edit) {
	kept := make([]Edit, 0, len(c.Edits)+1)
	for _, o := range c.Edits {
		if !(o.Layer == e.Layer && o.Bias == e.Bias && o.Row == e.Row && (e.Bias || o.Col == e.Col)) {
			kept = append(kept, o)
		}
	}
	c.Edits = append(kept, e)
	if len(c.Edits) > maxEdits {
		c.Edits = c.Edits[len(c.Edits)-maxEdits:]
	}
}

// sameModel reports whether a and b build the same network from the same
// data, so that changing from one to the other can keep the weights.
func sameModel(a, b Config) bool {
	return sameData(a, b) && slices.Equal(a.Features, b.Features) && slices.Equal(a.Layers, b.Layers) &&
		a.Preset == b.Preset && slices.Equal(a.Edits, b.Edits) && a.initSeed() == b.initSeed()
}

// sameData reports whether a and b draw the same points.
func sameData(a, b Config) bool {
	return a.Data == b.Data && a.Noise == b.Noise && a.TrainRatio == b.TrainRatio && a.Points == b.Points && a.Seed == b.Seed &&
		(a.Data != "csv" || a.Standardize == b.Standardize)
}
