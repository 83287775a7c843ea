package spec

import (
	"reflect"
	"strings"
	"testing"
)

const ganSpec = `input:
  synthetic: {name: ring8, size: 1000, seed: 1}
generator:
  architecture: [{linear: 64}, relu, {linear: 2}]
  optimizer: {name: adam, lr: 0.001, betas: [0.5, 0.999]}
discriminator:
  architecture: [{linear: 64}, relu, {linear: 1}]
  optimizer: {name: adam, lr: 0.001}
gan: {loss: hinge, latent: 4, d_steps: 2}
train: {epochs: 3, batch_size: 100, seed: 7}
`

func TestGANSpec(t *testing.T) {
	s, err := Parse("gan.yaml", []byte(ganSpec))
	if err != nil {
		t.Fatal(err)
	}
	want := GAN{Loss: "hinge", Latent: 4, Distribution: "normal", DSteps: 2, GSteps: 1}
	if s.GAN == nil || *s.GAN != want {
		t.Fatalf("gan = %+v, want %+v", s.GAN, want)
	}
	if g := s.Generator; g == nil || len(g.Architecture) != 3 || g.Architecture[2].Name != "linear" || g.Optimizer.Name != "adam" ||
		!reflect.DeepEqual(g.Optimizer.Params["betas"], []any{0.5, 0.999}) {
		t.Fatalf("generator = %+v", s.Generator)
	}
	if d := s.Discriminator; d == nil || len(d.Layers) != 3 || d.Architecture[0].Where != "gan.yaml:7:18" {
		t.Fatalf("discriminator = %+v", s.Discriminator)
	}
	avg, err := Parse("gan.yaml", []byte(strings.Replace(ganSpec, "d_steps: 2", "d_steps: 2, ema: 0.999", 1)))
	if err != nil || avg.GAN.EMA != 0.999 {
		t.Fatalf("gan.ema: %v, %+v", err, avg.GAN)
	}
	// A change of a network's layers is a change of the spec.
	other, err := Parse("gan.yaml", []byte(strings.Replace(ganSpec, "{linear: 64}, relu, {linear: 1}", "{linear: 32}, relu, {linear: 1}", 1)))
	if err != nil {
		t.Fatal(err)
	}
	ch, err := Changes(s, other)
	if err != nil || len(ch) != 1 || ch[0].Key != "discriminator.architecture" {
		t.Errorf("Changes = %v, %v; want discriminator.architecture", ch, err)
	}
}

func TestGANSpecErrors(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"loss: hinge", "loss: hing", `gan.yaml:9:13: gan.loss: unknown value "hing" (did you mean "hinge"?); allowed: standard, hinge`},
		{"latent: 4", "latent: 0", "gan.yaml:9:28: gan.latent: want an integer ≥ 1, got 0"},
		{"latent: 4, ", "", `gan.yaml:9:6: gan: missing required key "latent"`},
		{"d_steps: 2", "distribution: gauss", `gan.yaml:9:45: gan.distribution: unknown value "gauss"; allowed: normal, uniform`},
		{"d_steps: 2", "g_step: 2", `gan.yaml:9:31: gan: unknown key "g_step" (did you mean "g_steps"?); allowed: d_steps, distribution, ema, g_steps, grid, latent, loss`},
		{"d_steps: 2", "d_steps: 2, ema: 1", "gan.yaml:9:48: gan.ema: want a number in [0, 0.99999], got 1"},
		{"generator:", "generater:", `gan.yaml:3:1: spec: unknown key "generater" (did you mean "generator"?); allowed: architecture, discriminator, gan, generator, input, loss, optimizer, output, simclr, train`},
		{"  optimizer: {name: adam, lr: 0.001}\n", "", `gan.yaml:7:3: discriminator: missing required key "optimizer"`},
		{"gan: {loss: hinge, latent: 4, d_steps: 2}\n", "", `gan.yaml:1:1: spec: missing required key "gan"`},
		{"train:", "loss: mse\ntrain:", "gan.yaml:10:7: loss: a GAN spec has no loss of its own; the generator and discriminator sections hold each network's architecture and optimizer, and gan.loss the objective"},
		{"seed: 7", "seed: 7, early_stop: 3", "gan.yaml:10:58: train.early_stop: not supported for a GAN; allowed: batch_size, checkpoint, checkpoint_every, epochs, save, schedule, seed, shuffle"},
		{"generator:\n  architecture: [{linear: 64}, relu, {linear: 2}]\n  optimizer: {name: adam, lr: 0.001, betas: [0.5, 0.999]}\n", "", `gan.yaml:1:1: spec: missing required key "generator"`},
	} {
		src := strings.Replace(ganSpec, c.from, c.to, 1)
		_, err := Parse("gan.yaml", []byte(src))
		if err == nil || err.Error() != c.want {
			t.Errorf("%q → %q:\n got %v\nwant %s", c.from, c.to, err, c.want)
		}
	}
}
