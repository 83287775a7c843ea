package dqn_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/rl/dqn"
)

func ExampleDefaultConfig() {
	c := dqn.DefaultConfig()
	fmt.Println(c.BufferSize, c.BatchSize, c.TargetNetworkFrequency, c.LearningStarts, c.Loss)
	// Output: 10000 128 500 10000 mse
}
