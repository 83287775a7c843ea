package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Settable lists the keys Set accepts: the training settings a command
// line may override.
var Settable = []string{"train.epochs", "train.seed", "train.save"}

// Set changes one training setting as a command-line flag does; key is one
// of Settable and value is written as in the spec file. The value is
// checked by the same rules as the file's, and Raw is rewritten with it, so
// that a model saved from s carries the spec it was trained with. A path
// for train.save is relative to the spec's directory, as in the file.
func (s *Spec) Set(key, value string) error {
	field, ok := strings.CutPrefix(key, "train.")
	if !ok || !slices.Contains(Settable, key) {
		return fmt.Errorf("spec: cannot set %q; allowed: %s", key, strings.Join(Settable, ", "))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(s.Raw, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("%s: cannot set %s: the spec is not a mapping", s.Path, key)
	}
	root := doc.Content[0]
	train := lookup(root, "train")
	if train == nil {
		train = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "train"}, train)
	}
	if train.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: cannot set %s: train is not a mapping", s.Path, key)
	}
	val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	if field != "save" {
		val.Tag = "!!int"
	}
	if v := lookup(train, field); v != nil {
		*v = *val
	} else {
		train.Content = append(train.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: field}, val)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("%s: cannot set %s: %v", s.Path, key, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("%s: cannot set %s: %v", s.Path, key, err)
	}
	t, err := Parse(s.Path, b.Bytes())
	if err != nil {
		// The position would be in the rewritten text, which nobody sees:
		// say only what is wrong with the value.
		var se *Error
		if errors.As(err, &se) {
			return fmt.Errorf("%s (given on the command line)", se.Msg)
		}
		return err
	}
	*s = *t
	return nil
}

// lookup returns the value of key in a mapping node, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Change is one setting that differs between two specs.
type Change struct {
	// Key is the setting as a dotted path: "train.batch_size",
	// "optimizer.lr", "architecture[2]".
	Key string
	// Old and New are the values, as JSON; "" for a key that is unset.
	Old, New string
}

// Changes compares two specs key by key, on their parsed values rather
// than their text (comments, layout, quoting and the spelling of numbers
// do not count, and a key left at its default equals the default written
// out), and returns what differs, sorted by key. Layers are compared whole,
// one per index of the architecture list.
func Changes(old, cur *Spec) ([]Change, error) {
	a, err := flatten(old)
	if err != nil {
		return nil, err
	}
	b, err := flatten(cur)
	if err != nil {
		return nil, err
	}
	var out []Change
	for k, v := range a {
		if b[k] != v {
			out = append(out, Change{Key: k, Old: v, New: b[k]})
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			out = append(out, Change{Key: k, New: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// flatten maps every setting of s to its value as JSON.
func flatten(s *Spec) (map[string]string, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var tree map[string]any
	if err := json.Unmarshal(b, &tree); err != nil {
		return nil, err
	}
	out := map[string]string{}
	var walk func(prefix string, v any) error
	walk = func(prefix string, v any) error {
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				key := prefix + "." + k
				if k == "params" {
					// Parameters sit beside the name in the file:
					// optimizer: {name: adam, lr: 0.01}.
					key = prefix
				}
				if err := walk(key, x); err != nil {
					return err
				}
			}
			return nil
		}
		j, err := json.Marshal(v)
		out[strings.TrimPrefix(prefix, ".")] = string(j)
		return err
	}
	if err := walk("", tree); err != nil {
		return nil, err
	}
	// The architecture's parsed form belongs to the layer builder; compare
	// each layer as written, decoded (so layout and comments do not count).
	var raw struct {
		Architecture []any `yaml:"architecture"`
	}
	if err := yaml.Unmarshal(s.Raw, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", s.Path, err)
	}
	for i, l := range raw.Architecture {
		j, err := json.Marshal(l)
		if err != nil {
			return nil, fmt.Errorf("%s: architecture[%d]: %v", s.Path, i, err)
		}
		out[fmt.Sprintf("architecture[%d]", i)] = string(j)
	}
	return out, nil
}
