package nn

import (
	"fmt"
	"math"

	"github.com/bigfunc/bigfunc/autograd"
	"github.com/bigfunc/bigfunc/internal/kernel"
	"github.com/bigfunc/bigfunc/tensor"
)

// BatchNorm normalises each channel over the batch, as torch.nn.BatchNorm1d
// (Rank 1: per-sample input [C] or [C, L]) and torch.nn.BatchNorm2d (Rank
// 2: [C, H, W]); the output has the input's shape:
//
//	y = (x − mean[c]) / √(var[c] + Eps) · Weight[c] + Bias[c]
//
// In training mode mean and var are the batch's, over the samples and the
// positions of each channel, with the biased variance; the running
// statistics then move towards them:
//
//	running_mean = (1 − f)·running_mean + f·mean
//	running_var  = (1 − f)·running_var  + f·var·M/(M − 1)   (unbiased; M values per channel)
//
// with f = Momentum, or f = 1/num_batches_tracked (a cumulative average)
// when Cumulative is set, PyTorch's momentum=None; num_batches_tracked
// counts the updates. In evaluation mode the running statistics normalise,
// or the batch's when the layer tracks none. The backward pass is the
// exact gradient through whichever statistics the forward pass used.
//
// Weight and Bias are nil without affine; RunningMean, RunningVar and
// NumBatchesTracked are nil without track_running_stats.
type BatchNorm struct {
	Rank        int
	NumFeatures int
	Eps         float64
	Momentum    float64
	Cumulative  bool

	Weight, Bias                               *autograd.Var
	RunningMean, RunningVar, NumBatchesTracked *tensor.Tensor
}

// NewBatchNorm returns a BatchNorm of rank 1 or 2 over features channels,
// with PyTorch's defaults (eps 1e-5, momentum 0.1) and initial state
// (weight 1, bias 0, running mean 0, running variance 1). It panics if
// rank is not 1 or 2 or features is not positive.
func NewBatchNorm(rank, features int, affine, trackRunningStats bool) *BatchNorm {
	if (rank != 1 && rank != 2) || features <= 0 {
		panic(fmt.Sprintf("nn: NewBatchNorm: want rank 1 or 2 and positive features, got rank %d, features %d", rank, features))
	}
	b := &BatchNorm{Rank: rank, NumFeatures: features, Eps: 1e-5, Momentum: 0.1}
	if affine {
		b.Weight = autograd.Param(tensor.Ones(features))
		b.Bias = autograd.Param(tensor.Zeros(features))
	}
	if trackRunningStats {
		b.RunningMean = tensor.Zeros(features)
		b.RunningVar = tensor.Ones(features)
		b.NumBatchesTracked = tensor.Zeros()
	}
	return b
}

// NewBatchNorm1d returns torch.nn.BatchNorm1d(features).
func NewBatchNorm1d(features int) *BatchNorm { return NewBatchNorm(1, features, true, true) }

// NewBatchNorm2d returns torch.nn.BatchNorm2d(features).
func NewBatchNorm2d(features int) *BatchNorm { return NewBatchNorm(2, features, true, true) }

// Forward normalises x [N, C, …] in mode m, updating the running
// statistics in training mode.
func (b *BatchNorm) Forward(x *autograd.Var, m Mode) *autograd.Var { return RunKernel(b, x, m) }

// RestartStats sets the running mean to 0, the variance to 1 and the
// count to 0, and averages the batches that follow equally (momentum
// None) until done is called. A layer that tracks no statistics is left
// as it is.
func (b *BatchNorm) RestartStats() (done func()) {
	if b.RunningMean == nil {
		return func() {}
	}
	b.RunningMean.Fill(0)
	b.RunningVar.Fill(1)
	b.NumBatchesTracked.Fill(0)
	was := b.Cumulative
	b.Cumulative = true
	return func() { b.Cumulative = was }
}

// Describe returns "batch_norm1d" or "batch_norm2d" with eps, momentum
// (nil for a cumulative average, as PyTorch's None), affine and
// track_running_stats.
func (b *BatchNorm) Describe() Desc {
	var momentum any = b.Momentum
	if b.Cumulative {
		momentum = nil
	}
	return Desc{Op: fmt.Sprintf("batch_norm%dd", b.Rank), Config: map[string]any{
		"eps": b.Eps, "momentum": momentum, "affine": b.Weight != nil, "track_running_stats": b.RunningMean != nil,
	}}
}

// OutShape returns in, which must be [NumFeatures] or [NumFeatures, L] for
// rank 1 and [NumFeatures, H, W] for rank 2.
func (b *BatchNorm) OutShape(in []int) ([]int, error) {
	op := b.Describe().Op
	if b.Rank == 2 && len(in) != 3 {
		return nil, fmt.Errorf("%s: want input [C, H, W], got %v", op, in)
	}
	if b.Rank == 1 && len(in) != 1 && len(in) != 2 {
		return nil, fmt.Errorf("%s: want input [C] or [C, L], got %v", op, in)
	}
	if in[0] != b.NumFeatures {
		return nil, fmt.Errorf("%s: want %d channels, got input %v", op, b.NumFeatures, in)
	}
	return append([]int(nil), in...), nil
}

// Params returns "weight" and "bias", or none without affine.
func (b *BatchNorm) Params() []Param {
	if b.Weight == nil {
		return nil
	}
	return []Param{{Name: "weight", Var: b.Weight}, {Name: "bias", Var: b.Bias}}
}

// Buffers returns "running_mean", "running_var" and "num_batches_tracked"
// (int64 in PyTorch), or none without track_running_stats.
func (b *BatchNorm) Buffers() []Buffer {
	if b.RunningMean == nil {
		return nil
	}
	return []Buffer{
		{Name: "running_mean", Value: b.RunningMean},
		{Name: "running_var", Value: b.RunningVar},
		{Name: "num_batches_tracked", Value: b.NumBatchesTracked, Int64: true},
	}
}

// Fuse returns a kernel that keeps the statistics of its latest Forward
// for the backward pass.
func (b *BatchNorm) Fuse(in []int, rows int) Kernel {
	if _, err := b.OutShape(in); err != nil {
		return nil
	}
	c := b.NumFeatures
	return &batchNormKernel{b: b, c: c, l: Size(in) / c, mean: make([]float64, c), invstd: make([]float64, c), vari: make([]float64, c)}
}

type batchNormKernel struct {
	b            *BatchNorm
	c, l         int       // channels; values per channel in one sample
	mean, invstd []float64 // per channel, as the latest Forward normalised
	vari         []float64 // the batch's biased variance per channel
	batch        bool      // the latest Forward used the batch's statistics
}

func (k *batchNormKernel) Forward(y, x []float32, n int, m Mode) {
	b := k.b
	k.batch = m.Train || b.RunningMean == nil
	if k.batch {
		k.batchStats(x, n)
		if m.Train && b.RunningMean != nil {
			k.updateRunning(n)
		}
	} else {
		rm, rv := b.RunningMean.Data(), b.RunningVar.Data()
		for c := range k.c {
			k.mean[c] = float64(rm[c])
			k.invstd[c] = 1 / math.Sqrt(float64(rv[c])+b.Eps)
		}
	}
	// y = x·α + β per channel, with α = w/σ and β = b − mean·α: PyTorch's
	// form, one fused multiply-add per element.
	for c := range k.c {
		alpha := k.invstd[c]
		beta := 0.0
		if b.Weight != nil {
			alpha *= float64(b.Weight.Value.Data()[c])
			beta = float64(b.Bias.Value.Data()[c])
		}
		beta -= k.mean[c] * alpha
		a, bt := float32(alpha), float32(beta)
		for s := range n {
			off := (s*k.c + c) * k.l
			out := y[off : off+k.l]
			for i := range out {
				out[i] = bt
			}
			kernel.Axpy(a, x[off:off+k.l], out)
		}
	}
}

// batchStats sets mean, vari and invstd from the batch, summing in
// float64 over two passes for accuracy.
func (k *batchNormKernel) batchStats(x []float32, n int) {
	m := float64(n * k.l)
	for c := range k.c {
		var s float64
		for j := range n {
			off := (j*k.c + c) * k.l
			s += sum64(x[off : off+k.l])
		}
		mean := s / m
		var ss float64
		for j := range n {
			off := (j*k.c + c) * k.l
			ss += sumSquares(x[off:off+k.l], mean)
		}
		k.mean[c] = mean
		k.vari[c] = ss / m
		k.invstd[c] = 1 / math.Sqrt(ss/m+k.b.Eps)
	}
}

// sum64 returns Σ x[i] in float64, over four partial sums so that the
// additions do not wait on one another.
func sum64(x []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i])
		s1 += float64(x[i+1])
		s2 += float64(x[i+2])
		s3 += float64(x[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// sumSquares returns Σ (x[i] − mean)² in float64, as sum64 does.
func sumSquares(x []float32, mean float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		d0, d1 := float64(x[i])-mean, float64(x[i+1])-mean
		d2, d3 := float64(x[i+2])-mean, float64(x[i+3])-mean
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(x); i++ {
		d := float64(x[i]) - mean
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// sumProducts returns Σ g[i] and Σ g[i]·(x[i] − mean) in float64.
func sumProducts(g, x []float32, mean float64) (sg, sgx float64) {
	x = x[:len(g)]
	var a0, a1, b0, b1 float64
	i := 0
	for ; i+2 <= len(g); i += 2 {
		g0, g1 := float64(g[i]), float64(g[i+1])
		a0 += g0
		a1 += g1
		b0 += g0 * (float64(x[i]) - mean)
		b1 += g1 * (float64(x[i+1]) - mean)
	}
	for ; i < len(g); i++ {
		a0 += float64(g[i])
		b0 += float64(g[i]) * (float64(x[i]) - mean)
	}
	return a0 + a1, b0 + b1
}

// updateRunning moves the running statistics towards the batch's, which
// batchStats left in mean and vari.
func (k *batchNormKernel) updateRunning(n int) {
	b := k.b
	nbt := b.NumBatchesTracked.Data()
	nbt[0]++
	f := b.Momentum
	if b.Cumulative {
		f = 1 / float64(nbt[0])
	}
	m := n * k.l
	// PyTorch refuses a single value per channel in training; the
	// unbiased variance is then taken as the biased one (0) rather than
	// 0/0.
	unbias := float64(m) / float64(max(m-1, 1))
	rm, rv := b.RunningMean.Data(), b.RunningVar.Data()
	for c := range k.c {
		rm[c] = float32((1-f)*float64(rm[c]) + f*k.mean[c])
		rv[c] = float32((1-f)*float64(rv[c]) + f*k.vari[c]*unbias)
	}
}

func (k *batchNormKernel) Backward(dx, dy, x, _ []float32, n int) {
	b := k.b
	gw, gb := gradOf(b.Weight), gradOf(b.Bias)
	m := float64(n * k.l)
	for c := range k.c {
		mean, invstd := k.mean[c], k.invstd[c]
		var sdy, sdyx float64 // Σdy and Σdy·x̂
		for s := range n {
			off := (s*k.c + c) * k.l
			a, b := sumProducts(dy[off:off+k.l], x[off:off+k.l], mean)
			sdy += a
			sdyx += b
		}
		sdyx *= invstd
		if gw != nil {
			gw[c] += float32(sdyx)
		}
		if gb != nil {
			gb[c] += float32(sdy)
		}
		if dx == nil {
			continue
		}
		w := 1.0
		if b.Weight != nil {
			w = float64(b.Weight.Value.Data()[c])
		}
		scale := w * invstd
		if !k.batch {
			// Fixed statistics: the layer is affine in x.
			a := float32(scale)
			for s := range n {
				off := (s*k.c + c) * k.l
				kernel.Axpy(a, dy[off:off+k.l], dx[off:off+k.l])
			}
			continue
		}
		// dx = w·σ⁻¹·(dy − Σdy/M − x̂·Σ(dy·x̂)/M) = a·dy + p·(x − mean) + q,
		// in float32 as PyTorch computes it.
		a := float32(scale)
		p := float32(-scale * invstd * sdyx / m)
		q := float32(-scale * sdy / m)
		mf := float32(mean)
		for s := range n {
			off := (s*k.c + c) * k.l
			d, g := dx[off:off+k.l], dy[off:off+k.l]
			for i, v := range x[off : off+k.l] {
				d[i] += a*g[i] + (p*(v-mf) + q)
			}
		}
	}
}

// readNormEps reads eps, which must be a non-negative number.
func readNormEps(o Options) (float64, error) {
	eps, err := o.Float("eps", 1e-5)
	if err == nil && !(eps >= 0 && eps < math.Inf(1)) {
		err = fmt.Errorf("eps must be a non-negative number, got %g", eps)
	}
	return eps, err
}

func init() {
	for rank := 1; rank <= 2; rank++ {
		op := fmt.Sprintf("batch_norm%dd", rank)
		Register(op, "", func(o Options, in []int, _ *tensor.RNG) (Layer, error) {
			if err := o.Allow("eps", "momentum", "affine", "track_running_stats"); err != nil {
				return nil, err
			}
			eps, err := readNormEps(o)
			if err != nil {
				return nil, err
			}
			cumulative := false
			momentum := 0.1
			if v, ok := o["momentum"]; ok && v == nil {
				cumulative = true
			} else if momentum, err = o.Float("momentum", 0.1); err != nil {
				return nil, err
			} else if !(momentum >= 0 && momentum <= 1) {
				return nil, fmt.Errorf("momentum must be in [0, 1] or null (a cumulative average), got %g", momentum)
			}
			affine, err := o.Bool("affine", true)
			if err != nil {
				return nil, err
			}
			track, err := o.Bool("track_running_stats", true)
			if err != nil {
				return nil, err
			}
			if len(in) == 0 {
				return nil, fmt.Errorf("%s: want an input with channels first, got %v", op, in)
			}
			if err := checkParams("num_features:", in[0]); err != nil {
				return nil, err
			}
			b := NewBatchNorm(rank, in[0], affine, track)
			b.Eps, b.Momentum, b.Cumulative = eps, momentum, cumulative
			if _, err := b.OutShape(in); err != nil {
				return nil, err
			}
			return b, nil
		})
	}
}
