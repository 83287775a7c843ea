package conformance

import (
	"fmt"
	"math"
	"testing"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/loss"
)

func init() {
	checkers["ntxent.json"] = checkNTXent
	checkers["gan.json"] = checkGAN
}

// checkNTXent checks loss.NTXent's value and gradient against PyTorch's
// on every case of ntxent.json, made by conformance/ntxent/genntxent.py.
func checkNTXent(t *testing.T, path string) int {
	var f struct {
		Cases []struct {
			Temperature float64    `json:"temperature"`
			Z           jsonTensor `json:"z"`
			Value       float64    `json:"value"`
			Dz          jsonTensor `json:"dz"`
		} `json:"cases"`
	}
	if !readJSON(t, path, &f) {
		return 0
	}
	n := 0
	for i, c := range f.Cases {
		name := fmt.Sprintf("ntxent[%d] z %v τ %g", i, c.Z.Shape, c.Temperature)
		ok := func() (ok bool) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panicked: %v", name, r)
					ok = false
				}
			}()
			z := autograd.Param(c.Z.tensor())
			l := loss.NTXent(z, c.Temperature)
			l.Backward()
			if got := float64(l.Value.Item()); !within(got, c.Value, 1e-6, 1e-5) {
				t.Errorf("%s: loss %.9g, want %.9g", name, got, c.Value)
			}
			// ∂zᵢ is (∂uᵢ − (∂uᵢ·uᵢ)uᵢ)/‖zᵢ‖, with ∂uᵢ of order
			// 1/(τ·2N): where the projection cancels it (exactly, for
			// D = 1), float32 leaves PyTorch a residue of about 10⁻⁷ of
			// that scale, so each row's absolute floor is 10⁻⁵ of it.
			rows, d := c.Z.Shape[0], c.Z.Shape[1]
			bad := 0
			for r := range rows {
				norm := 0.0
				for _, v := range c.Z.Data[r*d : (r+1)*d] {
					norm += v * v
				}
				floor := 1e-5 / (c.Temperature * float64(rows) * math.Max(math.Sqrt(norm), 1e-12))
				for k := r * d; k < (r+1)*d; k++ {
					if g, w := float64(z.Grad.Data()[k]), c.Dz.Data[k]; !within(g, w, floor, 1e-4) && bad < 5 {
						t.Errorf("%s: ∂z element %d: got %.9g, want %.9g", name, k, g, w)
						bad++
					}
				}
			}
			return bad == 0
		}()
		if ok {
			n++
		}
	}
	return n
}

// checkGAN checks both GAN objectives, their values and the gradients by
// the real and generated scores, on every case of gan.json, made by
// conformance/gan/gengan.py.
func checkGAN(t *testing.T, path string) int {
	var f struct {
		Cases []struct {
			Loss           string     `json:"loss"`
			Real           jsonTensor `json:"real"`
			Fake           jsonTensor `json:"fake"`
			Discriminator  float64    `json:"discriminator"`
			Dreal          jsonTensor `json:"dreal"`
			Dfake          jsonTensor `json:"dfake"`
			Generator      float64    `json:"generator"`
			DfakeGenerator jsonTensor `json:"dfake_generator"`
		} `json:"cases"`
	}
	if !readJSON(t, path, &f) {
		return 0
	}
	n := 0
	for i, c := range f.Cases {
		name := fmt.Sprintf("gan[%d] %s real %v fake %v", i, c.Loss, c.Real.Shape, c.Fake.Shape)
		g, err := loss.ParseGAN(c.Loss)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		real, fake := autograd.Param(c.Real.tensor()), autograd.Param(c.Fake.tensor())
		d := g.Discriminator(real, fake)
		d.Backward()
		if got := float64(d.Value.Item()); !within(got, c.Discriminator, 1e-6, 1e-5) {
			t.Errorf("%s: discriminator loss %.9g, want %.9g", name, got, c.Discriminator)
		}
		compareTensor(t, name+" discriminator ∂real", real.Grad, c.Dreal, 1e-7, 1e-5)
		compareTensor(t, name+" discriminator ∂fake", fake.Grad, c.Dfake, 1e-7, 1e-5)
		fake2 := autograd.Param(c.Fake.tensor())
		gl := g.Generator(fake2)
		gl.Backward()
		if got := float64(gl.Value.Item()); !within(got, c.Generator, 1e-6, 1e-5) {
			t.Errorf("%s: generator loss %.9g, want %.9g", name, got, c.Generator)
		}
		compareTensor(t, name+" generator ∂fake", fake2.Grad, c.DfakeGenerator, 1e-7, 1e-5)
		n++
	}
	return n
}
