package env

import (
	"math"

	"github.com/bigfunc/bigfunc/tensor"
)

// CartPole is CartPole-v1: a pole hinged on a cart that is pushed left or
// right; +1 per step while the pole stays within 12° of upright and the
// cart within ±2.4, for at most 500 steps.
//
// State: [x, x_dot, theta, theta_dot] in float64, as Gymnasium keeps it;
// the observation is the state rounded to float32. Actions: 0 pushes left,
// 1 right. Termination is decided on the float64 state.
type CartPole struct {
	state [4]float64

	// The constants are fields, not Go constants, so that products such as
	// masspole·length are rounded in float64 as Python computes them
	// rather than folded exactly by the compiler.
	gravity, masscart, masspole, totalMass, length, polemassLength, forceMag, tau float64
	thetaThreshold, xThreshold                                                    float64
}

// NewCartPole returns CartPole-v1 with Gymnasium's constants. Call Reset or
// SetState before Step.
func NewCartPole() *CartPole {
	c := &CartPole{gravity: 9.8, masscart: 1.0, masspole: 0.1, length: 0.5, forceMag: 10.0, tau: 0.02, xThreshold: 2.4}
	c.totalMass = c.masspole + c.masscart
	c.polemassLength = c.masspole * c.length
	pi := math.Pi
	c.thetaThreshold = float64(float64(12*2)*pi) / 360
	return c
}

// Name returns "CartPole-v1".
func (c *CartPole) Name() string { return "CartPole-v1" }

// ObsSize returns 4.
func (c *CartPole) ObsSize() int { return 4 }

// Actions returns two discrete actions.
func (c *CartPole) Actions() ActionSpace { return ActionSpace{N: 2} }

// StateNames returns the state variables.
func (c *CartPole) StateNames() []string { return []string{"x", "x_dot", "theta", "theta_dot"} }

// MaxSteps returns 500.
func (c *CartPole) MaxSteps() int { return 500 }

// Reset draws every state variable uniformly from [-0.05, 0.05).
func (c *CartPole) Reset(rng *tensor.RNG) []float32 {
	for i := range c.state {
		c.state[i] = rng.Uniform(-0.05, 0.05)
	}
	return c.obs()
}

// SetState sets [x, x_dot, theta, theta_dot].
func (c *CartPole) SetState(s []float64) error {
	if err := checkState(c, s); err != nil {
		return err
	}
	copy(c.state[:], s)
	return nil
}

// State returns [x, x_dot, theta, theta_dot].
func (c *CartPole) State() []float64 { return append([]float64(nil), c.state[:]...) }

func (c *CartPole) obs() []float32 {
	return []float32{float32(c.state[0]), float32(c.state[1]), float32(c.state[2]), float32(c.state[3])}
}

// Step pushes the cart and advances 0.02 s by explicit Euler, in the order
// and rounding of Gymnasium's cartpole.py.
func (c *CartPole) Step(action []float32) ([]float32, float64, bool) {
	a := discrete(c.Name(), action, 2)
	x, xDot, theta, thetaDot := c.state[0], c.state[1], c.state[2], c.state[3]
	force := -c.forceMag
	if a == 1 {
		force = c.forceMag
	}
	sintheta, costheta := sinCos(theta)
	// Every product is converted explicitly so that no architecture fuses
	// it with the following addition into an FMA, which NumPy never does.
	temp := (force + float64(float64(c.polemassLength*float64(thetaDot*thetaDot))*sintheta)) / c.totalMass
	thetaacc := (float64(c.gravity*sintheta) - float64(costheta*temp)) /
		float64(c.length*(4.0/3.0-float64(c.masspole*float64(costheta*costheta))/c.totalMass))
	xacc := temp - float64(float64(c.polemassLength*thetaacc)*costheta)/c.totalMass
	x += float64(c.tau * xDot)
	xDot += float64(c.tau * xacc)
	theta += float64(c.tau * thetaDot)
	thetaDot += float64(c.tau * thetaacc)
	c.state = [4]float64{x, xDot, theta, thetaDot}
	terminated := x < -c.xThreshold || x > c.xThreshold || theta < -c.thetaThreshold || theta > c.thetaThreshold
	return c.obs(), 1, terminated
}
