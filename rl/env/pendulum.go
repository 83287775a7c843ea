package env

import (
	"math"

	"github.com/bigfunc/bigfunc/tensor"
)

// Pendulum is Pendulum-v1: a pendulum to swing up and hold upright with a
// torque in [−2, 2]; the reward is −(θ² + 0.1·θ̇² + 0.001·u²) with θ
// normalised to [−π, π), for exactly 200 steps (it never terminates).
//
// State: [theta, theta_dot] in float64, θ = 0 upright; the observation is
// [cos θ, sin θ, θ̇] rounded to float32. The action is float32, as
// Gymnasium's action space; it is clipped to [−2, 2] and then, as NumPy 1.x
// does when a float32 scalar meets a Python float, used in float64.
type Pendulum struct {
	th, thdot float64

	maxSpeed, maxTorque, dt, g, m, l, pi float64
}

// NewPendulum returns Pendulum-v1 with Gymnasium's constants (g = 10).
func NewPendulum() *Pendulum {
	return &Pendulum{maxSpeed: 8, maxTorque: 2, dt: 0.05, g: 10, m: 1, l: 1, pi: math.Pi}
}

// Name returns "Pendulum-v1".
func (p *Pendulum) Name() string { return "Pendulum-v1" }

// ObsSize returns 3.
func (p *Pendulum) ObsSize() int { return 3 }

// Actions returns one continuous action in [−2, 2].
func (p *Pendulum) Actions() ActionSpace { return ActionSpace{Dim: 1, Low: -2, High: 2} }

// StateNames returns the state variables.
func (p *Pendulum) StateNames() []string { return []string{"theta", "theta_dot"} }

// MaxSteps returns 200.
func (p *Pendulum) MaxSteps() int { return 200 }

// Reset draws θ uniformly from [−π, π) and θ̇ from [−1, 1).
func (p *Pendulum) Reset(rng *tensor.RNG) []float32 {
	p.th = rng.Uniform(-p.pi, p.pi)
	p.thdot = rng.Uniform(-1, 1)
	return p.obs()
}

// SetState sets [theta, theta_dot].
func (p *Pendulum) SetState(s []float64) error {
	if err := checkState(p, s); err != nil {
		return err
	}
	p.th, p.thdot = s[0], s[1]
	return nil
}

// State returns [theta, theta_dot].
func (p *Pendulum) State() []float64 { return []float64{p.th, p.thdot} }

func (p *Pendulum) obs() []float32 {
	s, c := sinCos(p.th)
	return []float32{float32(c), float32(s), float32(p.thdot)}
}

// angleNormalize is ((x + π) mod 2π) − π with NumPy's (Python's) modulo,
// whose result takes the sign of the divisor.
func angleNormalize(x, pi float64) float64 {
	twoPi := 2 * pi
	mod := math.Mod(x+pi, twoPi)
	if mod != 0 {
		if (twoPi < 0) != (mod < 0) {
			mod += twoPi
		}
	} else {
		mod = math.Copysign(0, twoPi)
	}
	return mod - pi
}

// Step applies the torque action[0] for 0.05 s.
func (p *Pendulum) Step(action []float32) ([]float32, float64, bool) {
	if len(action) != 1 {
		panic("env: Pendulum-v1: want one action value")
	}
	u32 := action[0]
	// np.clip keeps the float32 dtype.
	if u32 < -float32(p.maxTorque) {
		u32 = -float32(p.maxTorque)
	}
	if u32 > float32(p.maxTorque) {
		u32 = float32(p.maxTorque)
	}
	u := float64(u32)
	th, thdot := p.th, p.thdot
	an := angleNormalize(th, p.pi)
	costs := float64(float64(an*an)+float64(0.1*float64(thdot*thdot))) + float64(0.001*float64(u*u))
	// newthdot = thdot + (3g/(2l)·sin θ + 3/(m·l²)·u)·dt
	a := float64(float64(float64(3*p.g)/float64(2*p.l)) * Sin(th))
	b := float64(float64(3.0/float64(p.m*float64(p.l*p.l))) * u)
	newthdot := thdot + float64(float64(a+b)*p.dt)
	newthdot = clip(newthdot, -p.maxSpeed, p.maxSpeed)
	p.th = th + float64(newthdot*p.dt)
	p.thdot = newthdot
	return p.obs(), -costs, false
}
