package spec

import (
	"strings"
	"testing"
)

func TestAugmentKeys(t *testing.T) {
	const rest = "output: {label: digit}\narchitecture: [flatten, {linear: 10}]\nloss: cross_entropy\noptimizer: sgd\ntrain: {epochs: 1}\n"
	s, err := Parse("m.yaml", []byte("input:\n  mnist: {}\n  augment: {crop_padding: 2, rotation: 12.5, hflip: true}\n"+rest))
	if err != nil {
		t.Fatal(err)
	}
	if a := s.Input.Augment; a == nil || *a != (Augment{CropPadding: 2, Rotation: 12.5, HFlip: true}) {
		t.Errorf("augment = %+v", a)
	}
	if s, err = Parse("m.yaml", []byte("input:\n  mnist: {}\n"+rest)); err != nil || s.Input.Augment != nil {
		t.Errorf("augmentation without the key: %+v, %v", s.Input.Augment, err)
	}
	for src, want := range map[string]string{
		"{crop_padding: -1}":         "m.yaml:3:27: input.augment.crop_padding: want an integer ≥ 0, got -1",
		"{crop_padding: 1.5}":        "m.yaml:3:27: input.augment.crop_padding: want an integer, got \"1.5\"",
		"{rotation: 200}":            "m.yaml:3:23: input.augment.rotation: want a number in [0, 180], got 200",
		"{rotation: -5}":             "m.yaml:3:23: input.augment.rotation: want a number in [0, 180], got -5",
		"{hflip: yes please}":        "m.yaml:3:20: input.augment.hflip: want true or false, got \"yes please\"",
		"{hflips: true}":             "m.yaml:3:13: input.augment: unknown key \"hflips\" (did you mean \"hflip\"?); allowed: crop_padding, crop_scale, hflip, noise, rotation",
		"[crop_padding]":             "m.yaml:3:12: input.augment: want a mapping with keys crop_padding, crop_scale, hflip, noise, rotation, got a list",
		"{rotation: 5, rotation: 6}": "m.yaml:3:26: input.augment: key \"rotation\" appears twice",
	} {
		_, err := Parse("m.yaml", []byte("input:\n  mnist: {}\n  augment: "+src+"\n"+rest))
		if err == nil || err.Error() != want {
			t.Errorf("augment: %s\n got %v\nwant %s", src, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("augment: %s: error spans lines", src)
		}
	}
}
