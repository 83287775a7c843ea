package rl

import (
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/bigfunc/bigfunc/internal/suggest"
	"github.com/bigfunc/bigfunc/rl/env"
	"github.com/bigfunc/bigfunc/spec"
	"go.yaml.in/yaml/v3"
)

// Spec is a reinforcement-learning spec file:
//
//	env: CartPole-v1              # a Gymnasium id (rl/env)
//	agent:                        # the agent and its hyperparameters,
//	  name: ppo                   # with CleanRL's names and defaults
//	  num_envs: 4
//	architecture:                 # hidden layers as in bigfunc specs;
//	  - linear: 64                # the agent adds its output layers
//	  - tanh
//	optimizer: {name: adam, lr: 2.5e-4, eps: 1.0e-5}
//	train: {total_steps: 100000, seed: 1, save: model.safetensors}
//
// train may also set stop_when_solved: true, which ends training once the
// mean return of 20 episodes reaches the environment's reward threshold.
//
// Architecture and optimizer may be left out for the agent's defaults.
type Spec struct {
	// Path is the file the spec came from; Source its text, which a saved
	// model carries in its metadata.
	Path   string
	Source []byte

	Env   string
	Agent string
	// Architecture is the hidden part of each network; nil means the
	// agent's default.
	Architecture []spec.LayerSpec
	// Optimizer is the optimizer's name and PyTorch hyperparameters; an
	// empty Name means the agent's default.
	Optimizer spec.Named
	Train     Train

	agent *yaml.Node // the agent mapping, for DecodeAgent
}

// Train holds the train keys.
type Train struct {
	TotalSteps int    // environment steps, all copies together
	Seed       uint64 // drives initialisation, exploration and resets
	Save       string // where to save the model, relative to the spec
	// StopWhenSolved ends training once the mean return of the last 20
	// episodes reaches the environment's reward threshold (Progress's
	// Threshold), as a benchmark of time to solve wants.
	StopWhenSolved bool
}

// LoadSpec reads and parses a spec file.
func LoadSpec(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSpec(path, b)
}

type specParser struct{ file string }

func (p specParser) errAt(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", p.file, n.Line, n.Column, fmt.Sprintf(format, args...))
}

// ParseSpec parses a spec's text; name is used in error messages.
func ParseSpec(name string, src []byte) (*Spec, error) {
	p := specParser{name}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty spec", name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errAt(root, "want a mapping with env, agent, architecture, optimizer and train")
	}
	s := &Spec{Path: name, Source: src}
	seen := map[string]bool{}
	keys := []string{"env", "agent", "architecture", "optimizer", "train"}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "env":
			if v.Kind != yaml.ScalarNode {
				return nil, p.errAt(v, "env: want a name such as CartPole-v1")
			}
			s.Env = v.Value
			if _, err := env.New(s.Env); err != nil {
				return nil, p.errAt(v, "env: %v", err)
			}
		case "agent":
			err = p.agent(v, s)
		case "architecture":
			var items []any
			if err := v.Decode(&items); err != nil {
				return nil, p.errAt(v, "architecture: want a list of layers")
			}
			s.Architecture, err = spec.ParseArchitecture(items)
			if err != nil {
				return nil, p.errAt(v, "%v", err)
			}
		case "optimizer":
			err = p.optimizer(v, &s.Optimizer)
		case "train":
			err = p.train(v, &s.Train)
		default:
			return nil, p.errAt(k, "unknown key %q%s; allowed: %s", k.Value, suggest.DidYouMean(k.Value, keys), strings.Join(keys, ", "))
		}
		if err != nil {
			return nil, err
		}
	}
	for _, k := range []string{"env", "agent", "train"} {
		if !seen[k] {
			return nil, p.errAt(root, "missing %s", k)
		}
	}
	return s, nil
}

// Agents lists the agent names.
var Agents = []string{"a2c", "a3c", "dqn", "ppo"}

func (p specParser) agent(n *yaml.Node, s *Spec) error {
	if n.Kind == yaml.ScalarNode {
		s.Agent = n.Value
		n = &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	} else if n.Kind != yaml.MappingNode {
		return p.errAt(n, "agent: want a mapping with name and hyperparameters")
	} else {
		var rest []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "name" {
				s.Agent = n.Content[i+1].Value
				continue
			}
			rest = append(rest, n.Content[i], n.Content[i+1])
		}
		n = &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column, Content: rest}
	}
	if !contains(Agents, s.Agent) {
		return p.errAt(n, "agent: unknown name %q%s; allowed: %s", s.Agent, suggest.DidYouMean(s.Agent, Agents), strings.Join(Agents, ", "))
	}
	s.agent = n
	return nil
}

func (p specParser) optimizer(n *yaml.Node, dst *spec.Named) error {
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		return p.errAt(n, "optimizer: want a mapping with name and hyperparameters")
	}
	name, ok := m["name"].(string)
	if !ok {
		return p.errAt(n, "optimizer: missing name")
	}
	delete(m, "name")
	dst.Name, dst.Params = name, m
	return nil
}

func (p specParser) train(n *yaml.Node, t *Train) error {
	if n.Kind != yaml.MappingNode {
		return p.errAt(n, "train: want a mapping with total_steps, seed and save")
	}
	keys := []string{"total_steps", "seed", "save", "stop_when_solved"}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "total_steps":
			err = v.Decode(&t.TotalSteps)
			if err == nil && t.TotalSteps <= 0 {
				return p.errAt(v, "train.total_steps: want a positive integer, got %d", t.TotalSteps)
			}
		case "seed":
			err = v.Decode(&t.Seed)
		case "save":
			err = v.Decode(&t.Save)
		case "stop_when_solved":
			err = v.Decode(&t.StopWhenSolved)
		default:
			return p.errAt(k, "train: unknown key %q%s; allowed: %s", k.Value, suggest.DidYouMean(k.Value, keys), strings.Join(keys, ", "))
		}
		if err != nil {
			return p.errAt(v, "train.%s: want %s, got %q", k.Value, map[string]string{"total_steps": "an integer", "seed": "a non-negative integer", "save": "a file name", "stop_when_solved": "true or false"}[k.Value], v.Value)
		}
	}
	if t.TotalSteps == 0 {
		return p.errAt(n, "train: missing total_steps")
	}
	return nil
}

// DecodeAgent fills the struct dst points to from the agent's
// hyperparameters: each key sets the field whose yaml tag names it, and
// fields not mentioned keep their values (the defaults). An unknown key or
// a value of the wrong type is an error naming its line.
func (s *Spec) DecodeAgent(dst any) error {
	if s.agent == nil {
		return nil
	}
	p := specParser{s.Path}
	rv := reflect.ValueOf(dst).Elem()
	rt := rv.Type()
	fields := map[string]int{}
	var names []string
	for i := range rt.NumField() {
		if tag := strings.Split(rt.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			fields[tag] = i
			names = append(names, tag)
		}
	}
	sort.Strings(names)
	for i := 0; i+1 < len(s.agent.Content); i += 2 {
		k, v := s.agent.Content[i], s.agent.Content[i+1]
		fi, ok := fields[k.Value]
		if !ok {
			return p.errAt(k, "agent %s: unknown hyperparameter %q%s; allowed: %s", s.Agent, k.Value, suggest.DidYouMean(k.Value, names), strings.Join(names, ", "))
		}
		f := rv.Field(fi)
		if err := v.Decode(f.Addr().Interface()); err != nil {
			return p.errAt(v, "agent %s: %s: want %s, got %q", s.Agent, k.Value, kindName(f.Kind()), v.Value)
		}
	}
	return nil
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	}
	return k.String()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
