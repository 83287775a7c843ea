// Command simclr-mnist judges the encoder that training
// examples/simclr-mnist.yaml saved, by linear probes on its frozen
// representation: a linear classifier trained on the encoder's features of
// all 60,000 training images, and one trained on 100 images per class;
// both scored on the 10,000 test images. For comparison it trains the same
// encoder with a linear layer on top, from scratch and supervised, on
// those 1,000 labelled images only. With -pca it draws the test images'
// representations projected on their first two principal components,
// coloured by digit.
//
//	bigfunc train examples/simclr-mnist.yaml
//	go run ./examples/simclr-mnist -pca docs/simclr/pca.png
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"time"

	"github.com/bigfunc/bigfunc/contrastive"
	"github.com/bigfunc/bigfunc/data"
	_ "github.com/bigfunc/bigfunc/data/mnistdata"
	"github.com/bigfunc/bigfunc/gan"
	"github.com/bigfunc/bigfunc/nn"
	"github.com/bigfunc/bigfunc/optim"
	"github.com/bigfunc/bigfunc/spec"
	"github.com/bigfunc/bigfunc/tensor"
	"github.com/bigfunc/bigfunc/train"
)

func main() {
	model := flag.String("model", "examples/simclr-mnist.safetensors", "the network `FILE` training the SimCLR spec saved")
	perClass := flag.Int("per-class", 100, "labelled images per class for the few-label probe and the supervised baseline")
	pcaPath := flag.String("pca", "", "draw the test representations' PCA projection to this PNG")
	supervised := flag.Int("supervised-epochs", 30, "epochs of the supervised baseline")
	flag.Parse()
	if err := run(*model, *perClass, *supervised, *pcaPath); err != nil {
		log.Fatal(err)
	}
}

func run(model string, perClass, supEpochs int, pcaPath string) error {
	enc, err := contrastive.LoadEncoder(model)
	if err != nil {
		return err
	}
	sets, err := train.LoadData(enc.Spec)
	if err != nil {
		return err
	}
	tr, te := sets.Train, sets.Test
	tr.Expand()
	te.Expand()
	start := time.Now()
	ftr, err := enc.Features(tr.X)
	if err != nil {
		return err
	}
	fte, err := enc.Features(te.X)
	if err != nil {
		return err
	}
	fmt.Printf("features: %d and %d images → %d values each (%.0fs)\n", ftr.Dim(0), fte.Dim(0), ftr.Dim(1), time.Since(start).Seconds())
	// With all labels the classes are nearly separable, and an
	// unpenalized fit would let its weights grow without end; the grid's
	// smallest penalty keeps it well-posed.
	all, err := contrastive.LinearProbe(ftr, tr.Labels, fte, te.Labels, contrastive.Probe{Classes: 10, Penalties: []float64{1e-4}})
	if err != nil {
		return err
	}
	fmt.Printf("linear probe, all %d labels:        %.2f %%\n", tr.Len(), 100*all.Accuracy)
	// The first perClass images of each class in a seeded shuffle.
	order := tensor.NewRNG(7).Perm(tr.Len())
	count := make([]int, 10)
	var rows []int
	for _, i := range order {
		if c := tr.Labels[i]; count[c] < perClass {
			count[c]++
			rows = append(rows, i)
		}
	}
	d := ftr.Dim(1)
	few := tensor.Zeros(len(rows), d)
	fewLabels := make([]int, len(rows))
	for k, i := range rows {
		copy(few.Data()[k*d:(k+1)*d], ftr.Data()[i*d:(i+1)*d])
		fewLabels[k] = tr.Labels[i]
	}
	// With about as many labelled images as probe weights, the probe
	// needs an L2 penalty; 5-fold cross-validation on the labelled images
	// picks it, and the test images play no part in the choice.
	plain, err := contrastive.LinearProbe(few, fewLabels, fte, te.Labels, contrastive.Probe{Classes: 10})
	if err != nil {
		return err
	}
	fewProbe := contrastive.Probe{Classes: 10, Seed: 1, Penalties: []float64{1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1}}
	fewAcc, err := contrastive.LinearProbe(few, fewLabels, fte, te.Labels, fewProbe)
	if err != nil {
		return err
	}
	fmt.Printf("linear probe, %d labels per class:  %.2f %% (L2 penalty %g, chosen by cross-validation:", perClass, 100*fewAcc.Accuracy, fewAcc.Penalty)
	for k, p := range fewProbe.Penalties {
		fmt.Printf(" %g → %.2f %%", p, 100*fewAcc.Held[k])
	}
	fmt.Printf("; without a penalty %.2f %%)\n", 100*plain.Accuracy)
	sup, err := supervisedBaseline(enc, tr, te, rows, supEpochs)
	if err != nil {
		return err
	}
	fmt.Printf("the same encoder + linear, supervised on those %d labels only: %.2f %%\n", len(rows), 100*sup)
	if pcaPath != "" {
		return drawPCA(pcaPath, fte, te.Labels, 3000)
	}
	return nil
}

// supervisedBaseline trains the encoder's architecture, freshly
// initialised, with a linear layer of 10 on top, on the chosen rows only
// (Adam 1e-3, batches of 64, cosine over the epochs), and returns its test
// accuracy.
func supervisedBaseline(enc *contrastive.Encoder, tr, te *data.Dataset, rows []int, epochs int) (float64, error) {
	s := enc.Spec
	rng := tensor.NewRNG(s.Train.Seed)
	full, _, err := spec.BuildArchitecture(enc.In, s.Architecture, rng)
	if err != nil {
		return 0, err
	}
	body := full.Layers[:s.SimCLR.Encoder]
	out, err := nn.NewSequential(body...).OutShape(enc.In)
	if err != nil {
		return 0, err
	}
	net := nn.NewSequential(append(body, nn.NewLinear(nn.Size(out), 10, true, rng))...)
	m, err := train.FromNet(net, enc.In, "cross_entropy", nil)
	if err != nil {
		return 0, err
	}
	opt, err := optim.New("adam", nn.Vars(net.Params()), map[string]any{"lr": 0.001})
	if err != nil {
		return 0, err
	}
	sched, err := optim.NewSchedule("cosine", map[string]any{"t_max": epochs})
	if err != nil {
		return 0, err
	}
	sub, err := tr.Subset(rows)
	if err != nil {
		return 0, err
	}
	t, err := train.NewTrainer(m, opt, sub, nil, train.Config{Epochs: epochs, BatchSize: 64, Shuffle: true, Schedule: sched}, 1)
	if err != nil {
		return 0, err
	}
	if _, err := t.Run(context.Background()); err != nil {
		return 0, err
	}
	return contrastive.Accuracy(m, te.X, te.Labels)
}

// drawPCA projects the first n rows of f on their two principal
// components (power iteration on the covariance, the second after
// deflating the first) and draws them as dots coloured by label.
func drawPCA(path string, f *tensor.Tensor, labels []int, n int) error {
	n = min(n, f.Dim(0))
	d := f.Dim(1)
	mean := make([]float64, d)
	for i := range n {
		for j := range d {
			mean[j] += float64(f.At(i, j)) / float64(n)
		}
	}
	cov := make([]float64, d*d)
	c := make([]float64, d)
	for i := range n {
		for j := range d {
			c[j] = float64(f.At(i, j)) - mean[j]
		}
		for a := range d {
			for b := range d {
				cov[a*d+b] += c[a] * c[b]
			}
		}
	}
	pcs := make([][]float64, 2)
	rng := tensor.NewRNG(1)
	for k := range pcs {
		v := make([]float64, d)
		for j := range v {
			v[j] = rng.Normal()
		}
		for range 300 {
			w := make([]float64, d)
			for a := range d {
				for b := range d {
					w[a] += cov[a*d+b] * v[b]
				}
			}
			for _, p := range pcs[:k] {
				var dot float64
				for j := range d {
					dot += w[j] * p[j]
				}
				for j := range d {
					w[j] -= dot * p[j]
				}
			}
			var norm float64
			for _, x := range w {
				norm += x * x
			}
			norm = math.Sqrt(norm)
			for j := range w {
				v[j] = w[j] / norm
			}
		}
		pcs[k] = v
	}
	xy := make([][2]float64, n)
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for i := range n {
		for k, p := range pcs {
			var s float64
			for j := range d {
				s += (float64(f.At(i, j)) - mean[j]) * p[j]
			}
			xy[i][k] = s
			lo[k], hi[k] = min(lo[k], s), max(hi[k], s)
		}
	}
	// Ten distinct colours (Tableau's), one per digit.
	palette := []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255},
		{140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255}}
	const size, margin, legend = 480, 16, 60
	img := image.NewRGBA(image.Rect(0, 0, size+legend, size))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for i, p := range xy {
		x := margin + int((p[0]-lo[0])/(hi[0]-lo[0])*(size-2*margin))
		y := size - margin - int((p[1]-lo[1])/(hi[1]-lo[1])*(size-2*margin))
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				img.Set(x+dx, y+dy, palette[labels[i]])
			}
		}
	}
	// The legend: a swatch per digit with the digit drawn in a 3×5 font.
	for c := range 10 {
		y0 := margin + c*(size-2*margin)/10
		for y := y0; y < y0+12; y++ {
			for x := size + 8; x < size+20; x++ {
				img.Set(x, y, palette[c])
			}
		}
		drawDigit(img, size+26, y0+1, c)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return err
	}
	if err := gan.WriteFileAtomic(path, b.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s\n", path)
	return nil
}

// digits are 3×5 bitmaps of 0–9, a row to three bits.
var digits = [10][5]uint8{
	{7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
	{7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
}

func drawDigit(img *image.RGBA, x0, y0, c int) {
	for r, bits := range digits[c] {
		for k := range 3 {
			if bits&(4>>k) != 0 {
				for dy := range 2 {
					for dx := range 2 {
						img.Set(x0+2*k+dx, y0+2*r+dy, color.Black)
					}
				}
			}
		}
	}
}
