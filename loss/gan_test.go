package loss

import (
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/autograd/gradtest"
	"github.com/bigfunc/bigfunc/tensor"
)

// TestGANMatchesComposed checks both objectives against the same
// formulas written with autograd primitives and BCEWithLogits.
func TestGANMatchesComposed(t *testing.T) {
	rng := tensor.NewRNG(11)
	real, fake := tensor.Randn(rng, 5, 1), tensor.Randn(rng, 7, 1)
	real.Data()[0], fake.Data()[0] = 40, -40 // saturated scores stay exact
	ones, zeros := tensor.Full(1, 5, 1), tensor.Zeros(7, 1)
	onesFake := tensor.Full(1, 7, 1)
	relu := func(v *autograd.Var) *autograd.Var { return autograd.ReLU(v) }
	for _, c := range []struct {
		g    GAN
		d    func(r, f *autograd.Var) *autograd.Var
		gen  func(f *autograd.Var) *autograd.Var
		name string
	}{
		{GANStandard, func(r, f *autograd.Var) *autograd.Var {
			return autograd.Add(BCEWithLogits(r, ones, Mean), BCEWithLogits(f, zeros, Mean))
		}, func(f *autograd.Var) *autograd.Var { return BCEWithLogits(f, onesFake, Mean) }, "standard"},
		{GANHinge, func(r, f *autograd.Var) *autograd.Var {
			return autograd.Add(autograd.Mean(relu(autograd.AddScalar(autograd.Neg(r), 1))), autograd.Mean(relu(autograd.AddScalar(f, 1))))
		}, func(f *autograd.Var) *autograd.Var { return autograd.Neg(autograd.Mean(f)) }, "hinge"},
	} {
		r1, f1, r2, f2 := autograd.Param(real.Clone()), autograd.Param(fake.Clone()), autograd.Param(real.Clone()), autograd.Param(fake.Clone())
		got, want := c.g.Discriminator(r1, f1), c.d(r2, f2)
		got.Backward()
		want.Backward()
		near(t, c.name+" discriminator", got.Value, want.Value)
		near(t, c.name+" discriminator ∂real", r1.Grad, r2.Grad)
		near(t, c.name+" discriminator ∂fake", f1.Grad, f2.Grad)
		f3, f4 := autograd.Param(fake.Clone()), autograd.Param(fake.Clone())
		got, want = c.g.Generator(f3), c.gen(f4)
		got.Backward()
		want.Backward()
		near(t, c.name+" generator", got.Value, want.Value)
		near(t, c.name+" generator ∂fake", f3.Grad, f4.Grad)
	}
}

func near(t *testing.T, what string, got, want *tensor.Tensor) {
	t.Helper()
	for i, g := range got.Data() {
		w := want.Data()[i]
		if math.Abs(float64(g-w)) > 1e-5*math.Abs(float64(w))+1e-6 {
			t.Errorf("%s[%d] = %v, want %v", what, i, g, w)
		}
	}
}

func TestGANGradients(t *testing.T) {
	rng := tensor.NewRNG(4)
	real, fake := tensor.Randn(rng, 6, 1), tensor.Randn(rng, 4, 1)
	for _, v := range append(real.Data(), fake.Data()...) {
		if math.Abs(math.Abs(float64(v))-1) < 0.01 {
			t.Fatalf("a score at a hinge's kink: %v", v) // central differences would straddle it
		}
	}
	for _, g := range []GAN{GANStandard, GANHinge} {
		err := gradtest.Check(func(in []*autograd.Var) *autograd.Var { return g.Discriminator(in[0], in[1]) },
			[]*tensor.Tensor{real, fake}, gradtest.Options{Eps: 1e-3, Seed: 1})
		if err != nil {
			t.Errorf("%v discriminator: %v", g, err)
		}
		err = gradtest.Check(func(in []*autograd.Var) *autograd.Var { return g.Generator(in[0]) },
			[]*tensor.Tensor{fake}, gradtest.Options{Eps: 1e-3, Seed: 2})
		if err != nil {
			t.Errorf("%v generator: %v", g, err)
		}
	}
}

func TestParseGAN(t *testing.T) {
	for _, name := range GANNames() {
		g, err := ParseGAN(name)
		if err != nil || g.String() != name {
			t.Errorf("ParseGAN(%q) = %v, %v", name, g, err)
		}
	}
	_, err := ParseGAN("hinj")
	if err == nil || err.Error() != `loss: unknown GAN loss "hinj" (did you mean "hinge"?); allowed: standard, hinge` {
		t.Errorf("ParseGAN(hinj): %v", err)
	}
}
