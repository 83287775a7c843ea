package env

import (
	"math"

	"github.com/bigfunc/bigfunc/tensor"
)

// Acrobot is Acrobot-v1: two links hanging from a pivot, with torque −1, 0
// or +1 applied at the joint between them; −1 per step until the free end
// swings above the bar (−cos θ₁ − cos(θ₁+θ₂) > 1), for at most 500 steps.
//
// State: [theta1, theta2, dtheta1, dtheta2]; each step integrates
// Gymnasium's "book" equations over 0.2 s with one step of its fourth-order
// Runge–Kutta, wraps the angles into [−π, π] and bounds the velocities to
// ±4π and ±9π. The observation is [cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂]
// rounded to float32.
type Acrobot struct {
	state [4]float64

	dt, m1, m2, l1, lc1, lc2, i1, i2, g, pi, maxVel1, maxVel2 float64
	torques                                                   [3]float64
}

// NewAcrobot returns Acrobot-v1 with Gymnasium's constants.
func NewAcrobot() *Acrobot {
	a := &Acrobot{dt: 0.2, m1: 1, m2: 1, l1: 1, lc1: 0.5, lc2: 0.5, i1: 1, i2: 1, g: 9.8, pi: math.Pi,
		torques: [3]float64{-1, 0, 1}}
	a.maxVel1 = 4 * a.pi
	a.maxVel2 = 9 * a.pi
	return a
}

// Name returns "Acrobot-v1".
func (a *Acrobot) Name() string { return "Acrobot-v1" }

// ObsSize returns 6.
func (a *Acrobot) ObsSize() int { return 6 }

// Actions returns three discrete actions: torque −1, 0, +1.
func (a *Acrobot) Actions() ActionSpace { return ActionSpace{N: 3} }

// StateNames returns the state variables.
func (a *Acrobot) StateNames() []string { return []string{"theta1", "theta2", "dtheta1", "dtheta2"} }

// MaxSteps returns 500.
func (a *Acrobot) MaxSteps() int { return 500 }

// Reset draws every state variable uniformly from [-0.1, 0.1) and rounds
// it to float32, as Gymnasium does.
func (a *Acrobot) Reset(rng *tensor.RNG) []float32 {
	for i := range a.state {
		a.state[i] = float64(float32(rng.Uniform(-0.1, 0.1)))
	}
	return a.obs()
}

// SetState sets [theta1, theta2, dtheta1, dtheta2].
func (a *Acrobot) SetState(s []float64) error {
	if err := checkState(a, s); err != nil {
		return err
	}
	copy(a.state[:], s)
	return nil
}

// State returns [theta1, theta2, dtheta1, dtheta2].
func (a *Acrobot) State() []float64 { return append([]float64(nil), a.state[:]...) }

func (a *Acrobot) obs() []float32 {
	s1, c1 := sinCos(a.state[0])
	s2, c2 := sinCos(a.state[1])
	return []float32{float32(c1), float32(s1), float32(c2), float32(s2), float32(a.state[2]), float32(a.state[3])}
}

// Step applies the torque and integrates 0.2 s.
func (a *Acrobot) Step(action []float32) ([]float32, float64, bool) {
	torque := a.torques[discrete(a.Name(), action, 3)]
	s := a.state
	// rk4 over t = [0, dt]: one step of length dt. The fifth component of
	// Gymnasium's augmented state is the torque, whose derivative is 0.
	dt := a.dt
	dt2 := dt / 2.0
	k1 := a.dsdt(s, torque)
	k2 := a.dsdt(axpy(dt2, k1, s), torque)
	k3 := a.dsdt(axpy(dt2, k2, s), torque)
	k4 := a.dsdt(axpy(dt, k3, s), torque)
	h := dt / 6.0
	var ns [4]float64
	for i := range ns {
		sum := float64(float64(k1[i]+float64(2*k2[i]))+float64(2*k3[i])) + k4[i]
		ns[i] = s[i] + float64(h*sum)
	}
	ns[0] = wrap(ns[0], -a.pi, a.pi)
	ns[1] = wrap(ns[1], -a.pi, a.pi)
	ns[2] = bound(ns[2], -a.maxVel1, a.maxVel1)
	ns[3] = bound(ns[3], -a.maxVel2, a.maxVel2)
	a.state = ns
	terminated := -Cos(ns[0])-Cos(ns[1]+ns[0]) > 1.0
	reward := -1.0
	if terminated {
		reward = 0
	}
	return a.obs(), reward, terminated
}

// axpy returns y + a·x element-wise, with the product rounded first.
func axpy(a float64, x, y [4]float64) [4]float64 {
	var r [4]float64
	for i := range r {
		r[i] = y[i] + float64(a*x[i])
	}
	return r
}

// dsdt is Gymnasium's _dsdt for book_or_nips = "book", term by term in
// Python's left-to-right order so that every rounding is the same.
func (a *Acrobot) dsdt(s [4]float64, torque float64) [4]float64 {
	m1, m2, l1, lc1, lc2, i1, i2, g, pi := a.m1, a.m2, a.l1, a.lc1, a.lc2, a.i1, a.i2, a.g, a.pi
	theta1, theta2, dtheta1, dtheta2 := s[0], s[1], s[2], s[3]
	sin2, cos2 := sinCos(theta2)
	// d1 = m1·lc1² + m2·(l1² + lc2² + 2·l1·lc2·cos θ₂) + I1 + I2
	d1 := float64(float64(float64(m1*float64(lc1*lc1))+
		float64(m2*float64(float64(float64(l1*l1)+float64(lc2*lc2))+float64(float64(float64(2*l1)*lc2)*cos2))))+i1) + i2
	// d2 = m2·(lc2² + l1·lc2·cos θ₂) + I2
	d2 := float64(m2*float64(float64(lc2*lc2)+float64(float64(l1*lc2)*cos2))) + i2
	// phi2 = m2·lc2·g·cos(θ₁ + θ₂ − π/2)
	phi2 := float64(float64(float64(m2*lc2)*g) * Cos(float64(theta1+theta2)-pi/2.0))
	// phi1 = −m2·l1·lc2·θ̇₂²·sin θ₂ − 2·m2·l1·lc2·θ̇₂·θ̇₁·sin θ₂
	//        + (m1·lc1 + m2·l1)·g·cos(θ₁ − π/2) + phi2
	t1 := float64(float64(float64(float64(-m2*l1)*lc2)*float64(dtheta2*dtheta2)) * sin2)
	t2 := float64(float64(float64(float64(float64(float64(2*m2)*l1)*lc2)*dtheta2)*dtheta1) * sin2)
	t3 := float64(float64(float64(float64(m1*lc1)+float64(m2*l1))*g) * Cos(theta1-pi/2))
	phi1 := float64(float64(t1-t2)+t3) + phi2
	// book: ddθ₂ = (a + d2/d1·phi1 − m2·l1·lc2·θ̇₁²·sin θ₂ − phi2) / (m2·lc2² + I2 − d2²/d1)
	num := float64(float64(torque+float64(float64(d2/d1)*phi1))-
		float64(float64(float64(float64(m2*l1)*lc2)*float64(dtheta1*dtheta1))*sin2)) - phi2
	den := float64(float64(m2*float64(lc2*lc2))+i2) - float64(d2*d2)/d1
	ddtheta2 := num / den
	ddtheta1 := -float64(float64(d2*ddtheta2)+phi1) / d1
	return [4]float64{dtheta1, dtheta2, ddtheta1, ddtheta2}
}

// wrap is Gymnasium's wrap: it shifts x by 2π until it lies in [lo, hi].
func wrap(x, lo, hi float64) float64 {
	diff := hi - lo
	for x > hi {
		x -= diff
	}
	for x < lo {
		x += diff
	}
	return x
}

// bound is Gymnasium's bound: min(max(x, lo), hi) with Python's min and max.
func bound(x, lo, hi float64) float64 {
	if lo > x {
		x = lo
	}
	if hi < x {
		x = hi
	}
	return x
}
