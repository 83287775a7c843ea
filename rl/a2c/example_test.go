package a2c_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/rl/a2c"
)

func ExampleDefaultOptimizer() {
	name, hp := a2c.DefaultOptimizer()
	fmt.Println(name, hp["lr"], a2c.DefaultConfig().NumSteps)
	// Output: rmsprop 0.0007 5
}
