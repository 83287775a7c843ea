// Command gan-ring8 trains the GAN of examples/gan-ring8.yaml with several
// seeds and scores each generator on ring8: the modes it covers and the
// fraction of its samples within 3 standard deviations of a mode, over
// 2,500 samples, then the medians. With -gif (and -strip) it also draws
// the first seed's samples as training goes on.
//
//	go run ./examples/gan-ring8 -seeds 1,2,3,4,5 -gif docs/gan/ring8.gif -strip docs/gan/ring8.png
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/png"
	"log"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bigfunc/bigfunc/gan"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
)

func main() {
	specPath := flag.String("spec", "examples/gan-ring8.yaml", "the GAN spec")
	seeds := flag.String("seeds", "1,2,3,4,5", "comma-separated training seeds")
	n := flag.Int("n", 2500, "samples to score")
	gifPath := flag.String("gif", "", "draw the first seed's samples over training as this GIF")
	stripPath := flag.String("strip", "", "and six of those frames side by side as this PNG")
	flag.Parse()
	var modes, hq []float64
	for i, field := range strings.Split(*seeds, ",") {
		seed, err := strconv.ParseUint(strings.TrimSpace(field), 10, 64)
		if err != nil {
			log.Fatalf("-seeds: %v", err)
		}
		s, err := spec.Load(*specPath)
		if err != nil {
			log.Fatal(err)
		}
		if err := s.Set("train.seed", strconv.FormatUint(seed, 10)); err != nil {
			log.Fatal(err)
		}
		t, g, err := gan.Build(s, gan.Options{})
		if err != nil {
			log.Fatal(err)
		}
		var frames []*image.Paletted
		if i == 0 && *gifPath != "" {
			// The same latents every frame, so the picture shows the
			// generator moving rather than new draws.
			snap := func(caption string) {
				x, err := g.Sample(1000, tensor.NewRNG(99))
				if err != nil {
					log.Fatal(err)
				}
				frames = append(frames, gan.Ring8Frame(x, 240, caption))
			}
			snap("epoch 0")
			every := max(1, t.Config.Epochs/20)
			t.Config.OnStep = func(info gan.StepInfo) error {
				if info.EpochDone && info.Epoch%every == 0 {
					snap(fmt.Sprintf("epoch %d", info.Epoch))
				}
				return nil
			}
		}
		start := time.Now()
		h, err := t.Run(context.Background())
		if err != nil {
			log.Fatal(err)
		}
		secs := time.Since(start).Seconds()
		x, err := g.Sample(*n, tensor.NewRNG(seed))
		if err != nil {
			log.Fatal(err)
		}
		sc := gan.ScoreRing8(x)
		steps := len(h.Epochs) * t.StepsPerEpoch()
		fmt.Printf("seed %d: %d/8 modes, %.1f%% high quality, per mode %v; %d steps in %.1fs (%.0f steps/s)\n",
			seed, sc.Modes, 100*sc.HighQuality, sc.PerMode, steps, secs, float64(steps)/secs)
		modes = append(modes, float64(sc.Modes))
		hq = append(hq, sc.HighQuality)
		if len(frames) > 0 {
			if err := writeGIF(*gifPath, frames); err != nil {
				log.Fatal(err)
			}
			if *stripPath != "" {
				if err := writeStrip(*stripPath, frames); err != nil {
					log.Fatal(err)
				}
			}
		}
	}
	fmt.Printf("median: %g/8 modes, %.1f%% high quality\n", median(modes), 100*median(hq))
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func writeGIF(path string, frames []*image.Paletted) error {
	g := &gif.GIF{}
	for i, f := range frames {
		delay := 25
		if i == len(frames)-1 {
			delay = 200 // hold the last frame
		}
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, delay)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		return err
	}
	return gan.WriteFileAtomic(path, b.Bytes())
}

// writeStrip puts six frames, from the first to the last, side by side.
func writeStrip(path string, frames []*image.Paletted) error {
	const k = 6
	w, h := frames[0].Bounds().Dx(), frames[0].Bounds().Dy()
	strip := image.NewRGBA(image.Rect(0, 0, k*w+(k-1)*4, h))
	draw.Draw(strip, strip.Bounds(), image.White, image.Point{}, draw.Src)
	for j := range k {
		f := frames[j*(len(frames)-1)/(k-1)]
		draw.Draw(strip, image.Rect(j*(w+4), 0, j*(w+4)+w, h), f, image.Point{}, draw.Src)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, strip); err != nil {
		return err
	}
	return gan.WriteFileAtomic(path, b.Bytes())
}
