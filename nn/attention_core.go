package nn

import (
	"math"

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

	lse   []float32 // [n·H·T] log-sum-exp of each query's scores
	delta []float32 // [T] rowsum(dO ∘ O) of one head in the backward pass
	m, l  []float32 // [attnTile] running max and sum
	s, dp []float32 // [attnTile·attnTile] score tiles
	pd    []float32 // [attnTile·attnTile] probabilities after dropout
}

func newAttnCore(T, E, H int, causal bool, dropout float64, rows int) *attnCore {
	b := min(T, attnTile)
	return &attnCore{
		T: T, E: E, H: H, dh: E / H, causal: causal, dropout: dropout,
		lse: make([]float32, rows*H*T), delta: make([]float32, T),
		m: make([]float32, b), l: make([]float32, b),
		s: make([]float32, b*b), dp: make([]float32, b*b), pd: make([]float32, b*b),
	}
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
	kernel.Gemm(false, true, bq, bk, c.dh, q, E3, k, E3, s, b, false)
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
func (c *attnCore) forward(att, qkv []float32, n int) {
	T, E, dh := c.T, c.E, c.dh
	b := min(T, attnTile)
	E3 := 3 * E
	inf := float32(math.Inf(-1))
	for smp := 0; smp < n; smp++ {
		base := smp * T
		for h := 0; h < c.H; h++ {
			for i0 := 0; i0 < T; i0 += b {
				bq := min(b, T-i0)
				m, l := c.m[:bq], c.l[:bq]
				for r := range m {
					m[r], l[r] = inf, 0
					clear(att[(base+i0+r)*E+h*dh : (base+i0+r)*E+h*dh+dh])
				}
				for j0 := 0; j0 < c.keyEnd(i0, bq); j0 += b {
					bk := min(b, c.keyEnd(i0, bq)-j0)
					c.scores(c.s, b, qkv, smp, h, i0, bq, j0, bk)
					for r := 0; r < bq; r++ {
						row := c.s[r*b : r*b+bk]
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
						var sum float32
						for col, v := range row {
							p := float32(math.Exp(float64(v - mx)))
							sum += p
							if c.drop {
								p *= c.keep(smp, h, i0+r, j0+col)
							}
							row[col] = p
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
					kernel.Gemm(false, false, bq, dh, bk, c.s, b, v, E3, att[(base+i0)*E+h*dh:], E, true)
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
	}
}

// backward adds the gradient with respect to qkv (the scaled query, keys
// and values) into dqkv, given datt = ∂loss/∂att and the qkv and att of the
// latest forward.
func (c *attnCore) backward(dqkv, datt, qkv, att []float32, n int) {
	T, E, dh := c.T, c.E, c.dh
	b := min(T, attnTile)
	E3 := 3 * E
	for smp := 0; smp < n; smp++ {
		base := smp * T
		for h := 0; h < c.H; h++ {
			// Δᵢ = Σⱼ Pᵢⱼ dPᵢⱼ = dOᵢ · Oᵢ, dropout or not.
			for i := 0; i < T; i++ {
				o := (base+i)*E + h*dh
				c.delta[i] = kernel.Dot(datt[o:o+dh], att[o:o+dh])
			}
			lse := c.lse[(smp*c.H+h)*T:]
			for i0 := 0; i0 < T; i0 += b {
				bq := min(b, T-i0)
				dO := datt[(base+i0)*E+h*dh:]
				q := qkv[(base+i0)*E3+h*dh:]
				dq := dqkv[(base+i0)*E3+h*dh:]
				for j0 := 0; j0 < c.keyEnd(i0, bq); j0 += b {
					bk := min(b, c.keyEnd(i0, bq)-j0)
					c.scores(c.s, b, qkv, smp, h, i0, bq, j0, bk)
					k := qkv[(base+j0)*E3+E+h*dh:]
					v := qkv[(base+j0)*E3+2*E+h*dh:]
					// dP′ = dO·Vᵀ, the gradient of the weights after dropout.
					kernel.Gemm(false, true, bq, bk, dh, dO, E, v, E3, c.dp, b, false)
					pd := c.s
					if c.drop {
						pd = c.pd
					}
					for r := 0; r < bq; r++ {
						i := i0 + r
						row, dp := c.s[r*b:r*b+bk], c.dp[r*b:r*b+bk]
						for col, sv := range row {
							p := float32(math.Exp(float64(sv - lse[i])))
							g := dp[col]
							if c.drop {
								mk := c.keep(smp, h, i, j0+col)
								pd[r*b+col] = p * mk
								g *= mk
							}
							row[col] = p
							dp[col] = p * (g - c.delta[i])
						}
					}
					// dV += P′ᵀ·dO, dQ += dS·K, dK += dSᵀ·Q.
					kernel.Gemm(true, false, bk, dh, bq, pd, b, dO, E, dqkv[(base+j0)*E3+2*E+h*dh:], E3, true)
					kernel.Gemm(false, false, bq, dh, bk, c.dp, b, k, E3, dq, E3, true)
					kernel.Gemm(true, false, bk, dh, bq, c.dp, b, q, E3, dqkv[(base+j0)*E3+E+h*dh:], E3, true)
				}
			}
		}
	}
}
