package env_test

import (
	"fmt"
	"os"

	"github.com/bigfunc/bigfunc/rl/env"
)

// Replaying two pushes of the cart from a given state: the rows are what
// Gymnasium's CartPole-v1 returns for the same state and actions.
func ExampleReplay() {
	e, _ := env.New("CartPole-v1")
	env.Replay(os.Stdout, e, []float64{0, 0, 0.1, 0}, [][]float32{{1}, {1}})
	// Output:
	// step,obs_0,obs_1,obs_2,obs_3,reward,terminated,truncated
	// 1,0.0,0.19355619,0.1,-0.2595328,1.0,false,false
	// 2,0.0038711238,0.38711894,0.094809346,-0.5190754,1.0,false,false
}

// A vector of environments steps several copies at once and starts a new
// episode wherever one ends.
func ExampleVec() {
	v, _ := env.NewVec("MountainCar-v0", 2, 1)
	var s *env.VecStep
	for range 200 {
		s = v.Step([]float32{2, 0}, s)
	}
	fmt.Println(len(s.Episodes), s.Episodes[0].Length, s.Episodes[0].Return)
	// Output: 2 200 -200
}

func ExampleFormatFloat() {
	fmt.Println(env.FormatFloat(1, 64), env.FormatFloat(1e-5, 64), env.FormatFloat(float64(float32(0.1)), 32), env.FormatFloat(1e16, 64))
	// Output: 1.0 1e-05 0.1 1e+16
}
