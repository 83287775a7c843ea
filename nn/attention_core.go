package nn

import (
	"math"
	"runtime"
	"sync/atomic"

	"github.com/bigfunc/bigfunc/internal/kernel"
)

// attnTile is the side of the query and key tiles of the fused attention:
// scores are computed a tile of attnTile×attnTile at a time, so no T×T
// matrix exists for any head.
const attnTile = 64

// attnCore is scaled dot-product attention over the heads of packed
// projections, the heart of MultiheadAttention. It reads qkv [R, 3E]
// (R = n·T rows: per row the query, key and value of every head side by
// side, the query already scaled by 1/√dh) and writes att [R, E].
//
// The forward pass is tiled with an online softmax (FlashAttention's):
// for each tile of queries it walks the tiles of keys, keeping per query
// the running maximum m and sum l of exp(s − m), rescaling the output
// accumulated so far whenever m grows. It keeps only each query's
// log-sum-exp m + log l for the backward pass, which recomputes the
// probabilities tile by tile.
type attnCore struct {
	T, E, H, dh int
	causal      bool
	dropout     float64

	// Per call: the masks of the latest Forward. keyPad [n·T] marks keys to
	// ignore (PyTorch's key_padding_mask, true = ignore); mask [T·T] is
	// added to the scores (attn_mask: −Inf forbids).
	keyPad []bool
	mask   []float32
	seed   uint64 // dropout stream of the latest Forward
	drop   bool   // the latest Forward dropped attention weights

	lse []float32 // [n·H·T] log-sum-exp of each query's scores

	// The heads of the samples are independent: a pass shares them among
	// goroutines, each with tiles of its own (work[i] for worker i).
	// Every head is computed the same way on any of them, so the bits do
	// not depend on the number of goroutines.
	work   []*attnScratch
	runner attnRunner
	job    forJob
	next   atomic.Int64 // the next head, n·H of them, to claim
	heads  int
	// The pass in flight: backward or not, and its buffers (dqkv and
	// datt backward only).
	back                 bool
	att, qkv, dqkv, datt []float32
}

// attnScratch is one worker's tiles.
type attnScratch struct {
	delta     []float32 // [T] rowsum(dO ∘ O) of one head in the backward pass
	m, l      []float32 // [attnTile] running max and sum
	s, dp, pd []float32 // [attnTile·attnTile] score tiles; pd: probabilities after dropout
}

func newAttnScratch(T int) *attnScratch {
	b := min(T, attnTile)
	return &attnScratch{
		delta: make([]float32, T), m: make([]float32, b), l: make([]float32, b),
		s: make([]float32, b*b), dp: make([]float32, b*b), pd: make([]float32, b*b),
	}
}

func newAttnCore(T, E, H int, causal bool, dropout float64, rows int) *attnCore {
	c := &attnCore{
		T: T, E: E, H: H, dh: E / H, causal: causal, dropout: dropout,
		lse: make([]float32, rows*H*T), work: []*attnScratch{newAttnScratch(T)},
	}
	c.runner.c = c
	return c
}

// attnRunner is the parallel loop over workers: item i is worker i, which
// takes heads until none is left.
type attnRunner struct{ c *attnCore }

func (r *attnRunner) run(i int) {
	c := r.c
	for {
		u := int(c.next.Add(1) - 1)
		if u >= c.heads {
			return
		}
		c.head(c.work[i], u/c.H, u%c.H)
	}
}

// head runs the pass set in c on head h of sample smp.
func (c *attnCore) head(w *attnScratch, smp, h int) {
	if c.back {
		c.backwardHead(w, c.dqkv, c.datt, c.qkv, c.att, smp, h)
	} else {
		c.forwardHead(w, c.att, c.qkv, smp, h)
	}
}

// pass runs forward (or backward, with back) over every head of n
// samples, sharing the heads among goroutines when there is enough work.
func (c *attnCore) pass(back bool, n int, att, qkv, dqkv, datt []float32) {
	c.back, c.att, c.qkv, c.dqkv, c.datt = back, att, qkv, dqkv, datt
	c.heads = n * c.H
	workers := min(runtime.GOMAXPROCS(0), c.heads)
	for len(c.work) < workers {
		c.work = append(c.work, newAttnScratch(c.T))
	}
	c.next.Store(0)
	// The floats a pass reads and writes, about: qkv and att, and their
	// gradients backward.
	c.job.parallelFor(&c.runner, workers, n*c.T*4*c.E)
	c.att, c.qkv, c.dqkv, c.datt = nil, nil, nil, nil
}

// keep returns the dropout multiplier of the attention weight of query i
// on key j in head h of sample s: 0 or 1/(1−p), from a hash of the call's
// seed and the position, so the backward pass regenerates the very mask
// the forward pass used without storing a T×T matrix.
func (c *attnCore) keep(s, h, i, j int) float32 {
	if c.dropout >= 1 {
		return 0
	}
	z := c.seed + uint64(((s*c.H+h)*c.T+i)*c.T+j)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	if float64(z>>11)*0x1p-53 < c.dropout {
		return 0
	}
	return float32(1 / (1 - c.dropout))
}

// scores fills the tile s (stride b) with the masked scores of queries
// [i0, i0+bq) against keys [j0, j0+bk) in head h of sample smp: q·k, −Inf
// where a mask forbids.
func (c *attnCore) scores(s []float32, b int, qkv []float32, smp, h, i0, bq, j0, bk int) {
	E3, base := 3*c.E, smp*c.T
	q := qkv[(base+i0)*E3+h*c.dh:]
	k := qkv[(base+j0)*E3+c.E+h*c.dh:]
	kernel.GemmSerial(false, true, bq, bk, c.dh, q, E3, k, E3, s, b, false)
	inf := float32(math.Inf(-1))
	for r := 0; r < bq; r++ {
		i, row := i0+r, s[r*b:r*b+bk]
		if c.mask != nil {
			mrow := c.mask[i*c.T+j0 : i*c.T+j0+bk]
			for col := range row {
				row[col] += mrow[col]
			}
		}
		if c.keyPad != nil {
			pad := c.keyPad[base+j0 : base+j0+bk]
			for col, p := range pad {
				if p {
					row[col] = inf
				}
			}
		}
		if c.causal && j0+bk-1 > i {
			for col := max(i+1-j0, 0); col < bk; col++ {
				row[col] = inf
			}
		}
	}
}

// keyEnd returns where the keys that queries [i0, i0+bq) may see end.
func (c *attnCore) keyEnd(i0, bq int) int {
	if c.causal {
		return i0 + bq
	}
	return c.T
}

// forward writes the attention output of n samples into att [n·T, E].
func (c *attnCore) forward(att, qkv []float32, n int) { c.pass(false, n, att, qkv, nil, nil) }

// forwardHead writes head h of sample smp of the attention output into att.
func (c *attnCore) forwardHead(w *attnScratch, att, qkv []float32, smp, h int) {
	T, E, dh := c.T, c.E, c.dh
	b := min(T, attnTile)
	E3 := 3 * E
	inf := float32(math.Inf(-1))
	base := smp * T
	for i0 := 0; i0 < T; i0 += b {
		bq := min(b, T-i0)
		m, l := w.m[:bq], w.l[:bq]
		for r := range m {
			m[r], l[r] = inf, 0
			clear(att[(base+i0+r)*E+h*dh : (base+i0+r)*E+h*dh+dh])
		}
		for j0 := 0; j0 < c.keyEnd(i0, bq); j0 += b {
			bk := min(b, c.keyEnd(i0, bq)-j0)
			c.scores(w.s, b, qkv, smp, h, i0, bq, j0, bk)
			for r := 0; r < bq; r++ {
				row := w.s[r*b : r*b+bk]
				mx := m[r]
				for _, v := range row {
					if v > mx {
						mx = v
					}
				}
				if mx == inf {
					// Every key so far is masked: nothing to add.
					clear(row)
					continue
				}
				corr := float32(math.Exp(float64(m[r] - mx)))
				kernel.ExpSub(row, mx)
				var sum float32
				for col, p := range row {
					sum += p
					if c.drop {
						row[col] = p * c.keep(smp, h, i0+r, j0+col)
					}
				}
				l[r] = l[r]*corr + sum
				m[r] = mx
				if corr != 1 {
					o := att[(base+i0+r)*E+h*dh : (base+i0+r)*E+h*dh+dh]
					for d := range o {
						o[d] *= corr
					}
				}
			}
			v := qkv[(base+j0)*E3+2*E+h*dh:]
			kernel.GemmSerial(false, false, bq, dh, bk, w.s, b, v, E3, att[(base+i0)*E+h*dh:], E, true)
		}
		lse := c.lse[(smp*c.H+h)*T+i0:]
		for r := 0; r < bq; r++ {
			o := att[(base+i0+r)*E+h*dh : (base+i0+r)*E+h*dh+dh]
			inv := 1 / l[r]
			for d := range o {
				o[d] *= inv
			}
			lse[r] = m[r] + float32(math.Log(float64(l[r])))
		}
	}
}

// backward sets the gradient with respect to qkv (the scaled query, keys
// and values) in dqkv, given datt = ∂loss/∂att and the qkv and att of the
// latest forward.
func (c *attnCore) backward(dqkv, datt, qkv, att []float32, n int) {
	c.pass(true, n, att, qkv, dqkv, datt)
}

// backwardHead sets the gradient of head h of sample smp in dqkv: its
// columns of the query, keys and values of that sample's rows, which no
// other head touches. The first tile that reaches a block of rows sets
// it and the others add to it, so dqkv needs no clearing first.
func (c *attnCore) backwardHead(w *attnScratch, dqkv, datt, qkv, att []float32, smp, h int) {
	T, E, dh := c.T, c.E, c.dh
	b := min(T, attnTile)
	E3 := 3 * E
	base := smp * T
	// Δᵢ = Σⱼ Pᵢⱼ dPᵢⱼ = dOᵢ · Oᵢ, dropout or not.
	for i := 0; i < T; i++ {
		o := (base+i)*E + h*dh
		w.delta[i] = kernel.Dot(datt[o:o+dh], att[o:o+dh])
	}
	lse := c.lse[(smp*c.H+h)*T:]
	for i0 := 0; i0 < T; i0 += b {
		bq := min(b, T-i0)
		dO := datt[(base+i0)*E+h*dh:]
		q := qkv[(base+i0)*E3+h*dh:]
		dq := dqkv[(base+i0)*E3+h*dh:]
		for j0 := 0; j0 < c.keyEnd(i0, bq); j0 += b {
			bk := min(b, c.keyEnd(i0, bq)-j0)
			c.scores(w.s, b, qkv, smp, h, i0, bq, j0, bk)
			k := qkv[(base+j0)*E3+E+h*dh:]
			v := qkv[(base+j0)*E3+2*E+h*dh:]
			// dP′ = dO·Vᵀ, the gradient of the weights after dropout.
			kernel.GemmSerial(false, true, bq, bk, dh, dO, E, v, E3, w.dp, b, false)
			pd := w.s
			if c.drop {
				pd = w.pd
			}
			for r := 0; r < bq; r++ {
				i := i0 + r
				row, dp := w.s[r*b:r*b+bk], w.dp[r*b:r*b+bk]
				kernel.ExpSub(row, lse[i])
				for col, p := range row {
					g := dp[col]
					if c.drop {
						mk := c.keep(smp, h, i, j0+col)
						pd[r*b+col] = p * mk
						g *= mk
					}
					dp[col] = p * (g - w.delta[i])
				}
			}
			// dV += P′ᵀ·dO, dQ += dS·K, dK += dSᵀ·Q. The first tile of
			// queries to reach these keys is the first (or, causal, the
			// one level with them), and the first tile of keys is 0.
			keysSeen := i0 > 0
			if c.causal {
				keysSeen = i0 > j0
			}
			kernel.GemmSerial(true, false, bk, dh, bq, pd, b, dO, E, dqkv[(base+j0)*E3+2*E+h*dh:], E3, keysSeen)
			kernel.GemmSerial(false, false, bq, dh, bk, w.dp, b, k, E3, dq, E3, j0 > 0)
			kernel.GemmSerial(true, false, bk, dh, bq, w.dp, b, q, E3, dqkv[(base+j0)*E3+E+h*dh:], E3, keysSeen)
		}
	}
}
