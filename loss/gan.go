package loss

import (
	"fmt"
	"math"
	"strings"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/suggest"
	"github.com/bigfunc/bigfunc/tensor"
)

// GAN is the objective of a generative adversarial network: how the
// discriminator's raw scores (logits, any shape) on real samples and on
// generated ones become the loss of each of the two networks. Every loss
// is a mean over the scores it reads.
type GAN int

const (
	// GANStandard is the non-saturating loss of Goodfellow et al. (2014),
	// binary cross-entropy on logits with real samples labelled 1 and
	// generated ones 0 for the discriminator, and the generator trained to
	// have its samples called real:
	//
	//	discriminator: mean softplus(−D(x)) + mean softplus(D(G(z)))
	//	generator:     mean softplus(−D(G(z)))
	GANStandard GAN = iota
	// GANHinge is the hinge loss of Lim & Ye (2017) and Miyato et al.
	// (2018):
	//
	//	discriminator: mean relu(1 − D(x)) + mean relu(1 + D(G(z)))
	//	generator:     −mean D(G(z))
	GANHinge
)

var ganNames = []string{"standard", "hinge"}

// GANNames returns the names ParseGAN accepts.
func GANNames() []string { return append([]string(nil), ganNames...) }

// ParseGAN returns the GAN objective called name: "standard" or "hinge".
func ParseGAN(name string) (GAN, error) {
	for i, n := range ganNames {
		if n == name {
			return GAN(i), nil
		}
	}
	return 0, fmt.Errorf("loss: unknown GAN loss %q%s; allowed: %s", name, suggest.DidYouMean(name, ganNames), strings.Join(ganNames, ", "))
}

// String returns the name ParseGAN knows g by.
func (g GAN) String() string {
	if g >= 0 && int(g) < len(ganNames) {
		return ganNames[g]
	}
	return fmt.Sprintf("GAN(%d)", int(g))
}

func (g GAN) check(op string) {
	if g < 0 || int(g) >= len(ganNames) {
		panic(fmt.Errorf("loss.%s: invalid %v (want GANStandard or GANHinge)", op, g))
	}
}

// Discriminator returns the discriminator's loss from its scores on a
// batch of real samples and on a batch of generated ones (the two batches
// may differ in size). Gradients flow into both.
func (g GAN) Discriminator(real, fake *autograd.Var) *autograd.Var {
	g.check("GAN.Discriminator")
	if g == GANHinge {
		return autograd.Add(meanOf("gan_hinge_real", real, hingeBelow), meanOf("gan_hinge_fake", fake, hingeAbove))
	}
	return autograd.Add(meanOf("gan_real", real, softplusNeg), meanOf("gan_fake", fake, softplusPos))
}

// Generator returns the generator's loss from the discriminator's scores
// on generated samples; its gradient flows through the discriminator
// into the generator.
func (g GAN) Generator(fake *autograd.Var) *autograd.Var {
	g.check("GAN.Generator")
	if g == GANHinge {
		return meanOf("gan_hinge_generator", fake, negate)
	}
	return meanOf("gan_generator", fake, softplusNeg)
}

// meanOf records mean(f(x)) over every element of x as one operation, f
// giving each element's loss and derivative in float64.
func meanOf(name string, x *autograd.Var, f func(v float64) (loss, grad float64)) *autograd.Var {
	d := x.Value.Data()
	n := len(d)
	var grad []float64
	if x.RequiresGrad() {
		grad = make([]float64, n)
	}
	var sum float64
	for i, v := range d {
		l, g := f(float64(v))
		sum += l
		if grad != nil {
			grad[i] = g
		}
	}
	value := tensor.Scalar(float32(sum / float64(n)))
	return autograd.New(name, value, func(g *tensor.Tensor) {
		s := float64(g.Data()[0]) / float64(n)
		dst := x.GradData()
		for i, d := range grad {
			dst[i] += float32(d * s)
		}
	}, x)
}

// softplusNeg is softplus(−v) = log(1 + e^−v), with derivative −σ(−v).
func softplusNeg(v float64) (float64, float64) {
	l, _ := softplusPos(-v)
	return l, -sigmoid(-v)
}

// softplusPos is softplus(v) = log(1 + e^v), computed as
// max(v, 0) + log1p(e^−|v|) so that large scores neither overflow nor
// lose the small term; its derivative is σ(v).
func softplusPos(v float64) (float64, float64) {
	return math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v))), sigmoid(v)
}

func sigmoid(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// hingeBelow is relu(1 − v); at the kink the derivative is 0, as
// PyTorch's relu has it.
func hingeBelow(v float64) (float64, float64) {
	if 1-v > 0 {
		return 1 - v, -1
	}
	return 0, 0
}

// hingeAbove is relu(1 + v).
func hingeAbove(v float64) (float64, float64) {
	if 1+v > 0 {
		return 1 + v, 1
	}
	return 0, 0
}

func negate(v float64) (float64, float64) { return -v, -1 }
