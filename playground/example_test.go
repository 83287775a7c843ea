package playground_test

import (
	"fmt"
	"net/url"

	"github.com/bigfunc/bigfunc/playground"
)

// A link's query string becomes a set-up; nonsense values fall back to the
// defaults instead of breaking the page.
func ExampleParseConfig() {
	q, _ := url.ParseQuery("data=spiral&layers=8:relu,8:relu&lr=0.03&points=oops")
	c := playground.ParseConfig(q)
	fmt.Println(c.Data, len(c.Layers), c.Layers[0].Units, c.Layers[0].Activation, c.LR)
	fmt.Println(c.Points == playground.DefaultConfig().Points)
	// Output:
	// spiral 2 8 relu 0.03
	// true
}
