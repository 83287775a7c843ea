package a3c_test

import (
	"fmt"

	"github.com/bigfunc/bigfunc/rl/a3c"
)

func ExampleDefaultConfig() {
	c := a3c.DefaultConfig()
	fmt.Println(c.NumWorkers, c.NumEnvs, c.NumSteps)
	// Output: 2 1 5
}
