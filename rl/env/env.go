package env

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bigfunc/bigfunc/internal/suggest"
	"github.com/bigfunc/bigfunc/tensor"
)

// Env is one environment: a simulated system that an agent observes and
// acts on. Its dynamics are Gymnasium's, bit for bit; only the random
// initial states come from this package's own generator.
//
// An Env does not count steps: the time limit (Gymnasium's TimeLimit
// wrapper) is applied by Vec and Replay from MaxSteps.
type Env interface {
	// Name returns the Gymnasium id, such as "CartPole-v1".
	Name() string
	// ObsSize is the length of an observation.
	ObsSize() int
	// Actions describes the action space.
	Actions() ActionSpace
	// StateNames names the internal state variables in order.
	StateNames() []string
	// MaxSteps is the time limit of an episode.
	MaxSteps() int
	// Reset draws a random initial state from rng, as Gymnasium's reset
	// does (with its distribution, not its numbers), and returns the
	// observation.
	Reset(rng *tensor.RNG) []float32
	// SetState sets the internal state. It returns an error if s does not
	// have len(StateNames()) values.
	SetState(s []float64) error
	// State returns a copy of the internal state.
	State() []float64
	// Step applies an action and returns the new observation, the reward
	// and whether the episode terminated. For a discrete action space
	// action[0] is the action's index; for a continuous one action holds
	// the Dim values.
	Step(action []float32) (obs []float32, reward float64, terminated bool)
}

// ActionSpace is either N discrete actions or a box of Dim real values
// in [Low, High].
type ActionSpace struct {
	// N is the number of discrete actions; 0 for a continuous space.
	N int
	// Dim is the number of values of a continuous action.
	Dim       int
	Low, High float64
}

// Discrete reports whether the actions are discrete.
func (a ActionSpace) Discrete() bool { return a.N > 0 }

// Size is the length of an action vector: 1 for a discrete action.
func (a ActionSpace) Size() int {
	if a.Discrete() {
		return 1
	}
	return a.Dim
}

var makers = map[string]func() Env{
	"CartPole-v1":    func() Env { return NewCartPole() },
	"Acrobot-v1":     func() Env { return NewAcrobot() },
	"MountainCar-v0": func() Env { return NewMountainCar() },
	"Pendulum-v1":    func() Env { return NewPendulum() },
}

// Names lists the environments, sorted.
func Names() []string {
	ns := make([]string, 0, len(makers))
	for n := range makers {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// New returns the environment with Gymnasium's id name.
func New(name string) (Env, error) {
	m, ok := makers[name]
	if !ok {
		return nil, fmt.Errorf("unknown environment %q%s; allowed: %s", name, suggest.DidYouMean(name, Names()), strings.Join(Names(), ", "))
	}
	return m(), nil
}

// checkState returns an error unless s has one value per state variable.
func checkState(e Env, s []float64) error {
	names := e.StateNames()
	if len(s) != len(names) {
		return fmt.Errorf("%s: state has %d values, want %d (%s)", e.Name(), len(s), len(names), strings.Join(names, ", "))
	}
	return nil
}

// clip is NumPy's clip for one value: min(max(x, lo), hi).
func clip(x, lo, hi float64) float64 {
	if x < lo {
		x = lo
	}
	if x > hi {
		x = hi
	}
	return x
}

// discrete returns the index a discrete action encodes; it panics if the
// action is not one of 0..n-1, as Gymnasium's action-space assertion does.
func discrete(name string, action []float32, n int) int {
	if len(action) != 1 || action[0] != float32(int(action[0])) || action[0] < 0 || int(action[0]) >= n {
		panic(fmt.Sprintf("env: %s: invalid action %v, want one of 0..%d", name, action, n-1))
	}
	return int(action[0])
}
