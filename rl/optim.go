package rl

import (
	"fmt"

	"github.com/bigfunc/bigfunc/optim"
)

// NewOptimizer builds the spec's optimizer over params, or Adam with the
// agent's default learning rate and eps when the spec names none.
func (s *Spec) NewOptimizer(params []Named, lr, eps float64) (optim.Optimizer, error) {
	return s.NewOptimizerOr(params, "adam", map[string]any{"lr": lr, "eps": eps})
}

// NewOptimizerOr builds the spec's optimizer over params, or the named
// default with hyperparameters hp when the spec names none.
func (s *Spec) NewOptimizerOr(params []Named, name string, hp map[string]any) (optim.Optimizer, error) {
	if s.Optimizer.Name != "" {
		name, hp = s.Optimizer.Name, s.Optimizer.Params
	}
	o, err := optim.New(name, Vars(params), hp)
	if err != nil {
		return nil, fmt.Errorf("%s: optimizer: %w", s.Path, err)
	}
	return o, nil
}
