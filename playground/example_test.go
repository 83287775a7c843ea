package playground_test

import (
	"fmt"
	"net/url"

	"github.com/bigfunc/bigfunc/playground"
)

// A link's query string becomes a set-up; nonsense values fall back to the
// defaults instead of breaking the page, and the notes say what changed.
func ExampleParseConfig() {
	q, _ := url.ParseQuery("data=spiral&layers=8:relu,8:relu&lr=50&points=oops")
	c, notes := playground.ParseConfig(q)
	fmt.Println(c.Data, len(c.Layers), c.Layers[0].Units, c.Layers[0].Activation, c.LR, c.Points)
	for _, n := range notes {
		fmt.Println(n)
	}
	// Output:
	// spiral 2 8 relu 0.03 500
	// points=oops is not a whole number: using 500
	// lr=50 is out of range (1e-06 to 10): using 0.03
}
