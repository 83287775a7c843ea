package gan

import (
	"fmt"
	"strings"

	"github.com/bigfunc/bigfunc/tensor"
)

// Distribution is what the generator's latent vectors are drawn from.
type Distribution string

const (
	// Normal draws each latent coordinate from the standard normal.
	Normal Distribution = "normal"
	// Uniform draws each latent coordinate uniformly from [−1, 1).
	Uniform Distribution = "uniform"
)

// ParseDistribution returns the distribution called name.
func ParseDistribution(name string) (Distribution, error) {
	switch d := Distribution(name); d {
	case Normal, Uniform:
		return d, nil
	}
	return "", fmt.Errorf("gan: unknown latent distribution %q; allowed: %s", name, strings.Join([]string{string(Normal), string(Uniform)}, ", "))
}

// Draw fills z with latent coordinates drawn from d with rng.
func (d Distribution) Draw(z []float32, rng *tensor.RNG) {
	if d == Uniform {
		for i := range z {
			z[i] = float32(rng.Uniform(-1, 1))
		}
		return
	}
	for i := range z {
		z[i] = float32(rng.Normal())
	}
}
