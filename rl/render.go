package rl

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"math"
	"os"
	"path/filepath"

	"github.com/bigfunc/bigfunc/rl/env"
	"github.com/bigfunc/bigfunc/tensor"
)

// Frame size of the rendered episodes.
const frameW, frameH = 300, 200

var palette = color.Palette{
	color.RGBA{255, 255, 255, 255}, // background
	color.RGBA{0, 0, 0, 255},       // track, ground
	color.RGBA{202, 152, 101, 255}, // pole (Gymnasium's colour)
	color.RGBA{129, 132, 203, 255}, // axle, joints
	color.RGBA{0, 204, 204, 255},   // acrobot links
	color.RGBA{204, 77, 77, 255},   // pendulum rod
	color.RGBA{230, 200, 0, 255},   // flag
}

// canvas draws thick lines, boxes and discs on a paletted frame; y grows
// upward from the bottom, as in Gymnasium's pictures.
type canvas struct{ img *image.Paletted }

func newCanvas() canvas {
	return canvas{image.NewPaletted(image.Rect(0, 0, frameW, frameH), palette)}
}

func (c canvas) disc(x, y, r float64, ci uint8) {
	for py := int(y - r - 1); py <= int(y+r+1); py++ {
		for px := int(x - r - 1); px <= int(x+r+1); px++ {
			dx, dy := float64(px)-x, float64(py)-y
			if dx*dx+dy*dy <= r*r {
				c.img.SetColorIndex(px, frameH-1-py, ci)
			}
		}
	}
}

func (c canvas) line(x0, y0, x1, y1, width float64, ci uint8) {
	n := int(math.Hypot(x1-x0, y1-y0)) + 1
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		c.disc(x0+t*(x1-x0), y0+t*(y1-y0), width/2, ci)
	}
}

func (c canvas) box(x0, y0, x1, y1 float64, ci uint8) {
	for py := int(y0); py <= int(y1); py++ {
		for px := int(x0); px <= int(x1); px++ {
			c.img.SetColorIndex(px, frameH-1-py, ci)
		}
	}
}

// draw renders the state of e.
func draw(e env.Env) *image.Paletted {
	c := newCanvas()
	s := e.State()
	switch e.(type) {
	case *env.CartPole:
		scale := frameW / 4.8 // the world is ±2.4 wide
		x := s[0]*scale + frameW/2
		ground := 60.0
		c.line(0, ground, frameW, ground, 1, 1)
		c.box(x-12, ground-6, x+12, ground+6, 1)
		pole := 2 * 0.5 * scale
		c.line(x, ground+4, x+pole*math.Sin(s[2]), ground+4+pole*math.Cos(s[2]), 5, 2)
		c.disc(x, ground+4, 3, 3)
	case *env.Acrobot:
		scale := frameH / 4.6
		ox, oy := frameW/2.0, frameH/2.0
		c.line(ox-2.2*scale, oy+scale, ox+2.2*scale, oy+scale, 1, 1) // the bar to reach
		x1, y1 := ox+scale*math.Sin(s[0]), oy-scale*math.Cos(s[0])
		x2, y2 := x1+scale*math.Sin(s[0]+s[1]), y1-scale*math.Cos(s[0]+s[1])
		c.line(ox, oy, x1, y1, 7, 4)
		c.line(x1, y1, x2, y2, 7, 4)
		c.disc(ox, oy, 4, 3)
		c.disc(x1, y1, 4, 3)
	case *env.MountainCar:
		scale := frameW / 1.8
		h := func(p float64) float64 { return 20 + (math.Sin(3*p)*0.45+0.55)*scale*0.8 }
		for px := 0; px < frameW; px++ {
			p0, p1 := float64(px)/scale-1.2, float64(px+1)/scale-1.2
			c.line(float64(px), h(p0), float64(px+1), h(p1), 2, 1)
		}
		gx := (0.5 + 1.2) * scale
		c.line(gx, h(0.5), gx, h(0.5)+30, 2, 1)
		c.box(gx, h(0.5)+20, gx+15, h(0.5)+30, 6)
		x := (s[0] + 1.2) * scale
		c.disc(x, h(s[0])+8, 8, 5)
	case *env.Pendulum:
		ox, oy := frameW/2.0, frameH/2.0
		l := frameH * 0.4
		c.line(ox, oy, ox-l*math.Sin(s[0]), oy+l*math.Cos(s[0]), 10, 5)
		c.disc(ox, oy, 4, 1)
	}
	return c.img
}

// PlayGIF runs one episode of m from an initial state drawn with seed,
// acting greedily, and writes it to path as an animated GIF (written to a
// temporary file first, then renamed). It returns the return and the
// number of steps.
func PlayGIF(path string, m *Model, seed uint64) (ret float64, steps int, err error) {
	rng := tensor.NewRNG(seed)
	e := m.Env
	obs := e.Reset(rng)
	g := &gif.GIF{}
	// One frame per 0.04 s of simulated time, at 25 frames per second:
	// every second step of CartPole (0.02 s a step), every step of the
	// others, whose steps are longer (shown faster than real time).
	every := 1
	if _, ok := e.(*env.CartPole); ok {
		every = 2
	}
	add := func() {
		g.Image = append(g.Image, draw(e))
		g.Delay = append(g.Delay, 4)
	}
	add()
	for steps = 1; ; steps++ {
		var r float64
		var term bool
		obs, r, term = e.Step(m.Act(obs, 1, rng, true))
		ret += r
		done := term || steps >= e.MaxSteps()
		if steps%every == 0 || done {
			add()
		}
		if done {
			break
		}
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		return 0, 0, err
	}
	return ret, steps, writeAtomic(path, buf.Bytes())
}

func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
