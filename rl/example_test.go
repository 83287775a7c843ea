package rl_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/rl"
)

// Discounted returns of one three-step episode with γ = 0.5 and a zero
// critic: λ = 1 makes the advantages the returns themselves.
func ExampleGAE() {
	adv, ret := rl.GAE([]float32{1, 2, 3}, []float32{0, 0, 0}, []float32{0, 0, 0}, []float32{0}, []float32{1}, 1, 0.5, 1)
	fmt.Println(adv, ret)
	// Output: [2.75 3.5 3] [2.75 3.5 3]
}

func ExampleParseSpec() {
	s, err := rl.ParseSpec("cartpole.yaml", []byte(`
env: CartPole-v1
agent: {name: ppo, num_envs: 8}
train: {total_steps: 100000, seed: 1}
`))
	fmt.Println(s.Env, s.Agent, s.Train.TotalSteps, err)
	_, err = rl.ParseSpec("cartpole.yaml", []byte("env: CartPole-v1\nagent: dqm\ntrain: {total_steps: 1}\n"))
	fmt.Println(err)
	// Output:
	// CartPole-v1 ppo 100000 <nil>
	// cartpole.yaml:2:8: agent: unknown name "dqm" (did you mean "dqn"?); allowed: a2c, a3c, dqn, ppo
}
