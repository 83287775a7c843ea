package env

import "github.com/bigfunc/bigfunc/tensor"

// MountainCar is MountainCar-v0: an underpowered car in a valley that must
// rock back and forth to reach the flag at position 0.5; −1 per step, for
// at most 200 steps.
//
// State: [position, velocity] in float64; the observation is the state
// rounded to float32. Actions: 0 accelerates left, 1 not at all, 2 right.
// The velocity is clipped to ±0.07 and the position to [−1.2, 0.6]; at the
// left wall a negative velocity becomes 0.
type MountainCar struct {
	position, velocity float64

	minPosition, maxPosition, maxSpeed, goalPosition, goalVelocity, force, gravity float64
}

// NewMountainCar returns MountainCar-v0 with Gymnasium's constants.
func NewMountainCar() *MountainCar {
	return &MountainCar{minPosition: -1.2, maxPosition: 0.6, maxSpeed: 0.07, goalPosition: 0.5, force: 0.001, gravity: 0.0025}
}

// Name returns "MountainCar-v0".
func (m *MountainCar) Name() string { return "MountainCar-v0" }

// ObsSize returns 2.
func (m *MountainCar) ObsSize() int { return 2 }

// Actions returns three discrete actions.
func (m *MountainCar) Actions() ActionSpace { return ActionSpace{N: 3} }

// StateNames returns the state variables.
func (m *MountainCar) StateNames() []string { return []string{"position", "velocity"} }

// MaxSteps returns 200.
func (m *MountainCar) MaxSteps() int { return 200 }

// Reset draws the position uniformly from [-0.6, -0.4) with zero velocity.
func (m *MountainCar) Reset(rng *tensor.RNG) []float32 {
	m.position, m.velocity = rng.Uniform(-0.6, -0.4), 0
	return m.obs()
}

// SetState sets [position, velocity].
func (m *MountainCar) SetState(s []float64) error {
	if err := checkState(m, s); err != nil {
		return err
	}
	m.position, m.velocity = s[0], s[1]
	return nil
}

// State returns [position, velocity].
func (m *MountainCar) State() []float64 { return []float64{m.position, m.velocity} }

func (m *MountainCar) obs() []float32 { return []float32{float32(m.position), float32(m.velocity)} }

// Step accelerates and moves the car.
func (m *MountainCar) Step(action []float32) ([]float32, float64, bool) {
	a := discrete(m.Name(), action, 3)
	// velocity += (action − 1)·force + cos(3·position)·(−gravity)
	m.velocity += float64(float64(a-1)*m.force) + float64(Cos(float64(3*m.position))*-m.gravity)
	m.velocity = clip(m.velocity, -m.maxSpeed, m.maxSpeed)
	m.position += m.velocity
	m.position = clip(m.position, m.minPosition, m.maxPosition)
	if m.position == m.minPosition && m.velocity < 0 {
		m.velocity = 0
	}
	terminated := m.position >= m.goalPosition && m.velocity >= m.goalVelocity
	return m.obs(), -1, terminated
}
