package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// edgeCases lists products whose row count leaves a short tile at the
// bottom of C for every mr: every m from 1 to 60 and a few batch sizes,
// each with a width of whole micro-panels and one that also ends in a
// column edge, k from one step to several blocks (so that later blocks
// add to C), all four transpose combinations, padded strides, and both
// modes.
func edgeCases(nr int) []gemmCase {
	ms := make([]int, 0, 64)
	for m := 1; m <= 60; m++ {
		ms = append(ms, m)
	}
	ms = append(ms, 64, 100, 255, 256)
	ks := []int{1, 3, 17, 64, gemmKC + 37}
	trs := [4][2]bool{{false, false}, {false, true}, {true, false}, {true, true}}
	var cs []gemmCase
	for i, m := range ms {
		for _, n := range []int{2 * nr, 2*nr + 5} {
			for t, tr := range trs {
				for _, acc := range []bool{false, true} {
					k := ks[(i+t)%len(ks)]
					cs = append(cs, gemmCase{tr[0], tr[1], m, n, k, (i + t) % 3, acc})
				}
			}
		}
	}
	return cs
}

// edgeMismatch runs tc with g and with ref and describes the first element
// of C (or of the memory around it) whose bits differ, or returns "".
func edgeMismatch(g, ref *gemmArch, tc gemmCase, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 2))
	a, lda, b, ldb, c0, ldc := tc.operands(r)
	// Guard rows past the end of C: a kernel that writes rows beyond the
	// tile's shows up there.
	guard := 2 * ldc
	saved := arch
	defer func() { arch = saved }()
	var out [2][]float32
	for x, impl := range []*gemmArch{g, ref} {
		buf := append(append([]float32(nil), c0...), make([]float32, guard)...)
		for i := len(c0); i < len(buf); i++ {
			buf[i] = float32(math.NaN())
		}
		arch = impl
		Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, a, lda, b, ldb, buf[:len(c0)], ldc, tc.accumulate)
		out[x] = buf
	}
	for i := range out[0] {
		got, want := math.Float32bits(out[0][i]), math.Float32bits(out[1][i])
		if got != want {
			return fmt.Sprintf("%v: C[%d,%d] = %v (%#08x), scratch path %v (%#08x)",
				tc, i/ldc, i%ldc, out[0][i], got, out[1][i], want)
		}
	}
	return ""
}

// withoutEdge returns a copy of g that computes short tiles through the
// scratch tile, as archs without edge kernels do.
func withoutEdge(g *gemmArch) *gemmArch {
	ref := *g
	ref.edge = nil
	return &ref
}

// TestGemmEdgeKernelsBitExact checks that the row-edge kernels change no
// bit of any product: Gemm with them must equal Gemm computing the same
// tiles whole into scratch and copying the rows that exist.
func TestGemmEdgeKernelsBitExact(t *testing.T) {
	tested := false
	for _, g := range allArchs() {
		if g.edge == nil {
			continue
		}
		tested = true
		t.Run(g.name, func(t *testing.T) {
			if len(g.edge) != g.mr || g.edge[0] != nil {
				t.Fatalf("edge has %d kernels, want mr = %d with edge[0] nil", len(g.edge), g.mr)
			}
			for rows := 1; rows < g.mr; rows++ {
				if g.edge[rows] == nil {
					t.Fatalf("no edge kernel for %d rows", rows)
				}
			}
			ref := withoutEdge(g)
			for i, tc := range edgeCases(g.nr) {
				if msg := edgeMismatch(g, ref, tc, uint64(i)); msg != "" {
					t.Fatal(msg)
				}
			}
		})
	}
	if !tested {
		t.Skip("no implementation on this machine has edge kernels")
	}
}

// TestGemmEdgeKernelsCheckCanFail runs the comparison against edge
// kernels that are wrong by one unit in the last place of one element, or
// that write one row too many, and expects it to notice.
func TestGemmEdgeKernelsCheckCanFail(t *testing.T) {
	for _, g := range allArchs() {
		if g.edge == nil {
			continue
		}
		t.Run(g.name, func(t *testing.T) {
			ref := withoutEdge(g)
			sabotage := map[string]func(rows int, c []float32, ldc, nr int){
				"ulp": func(rows int, c []float32, ldc, nr int) {
					c[(rows-1)*ldc+nr-1] = math.Nextafter32(c[(rows-1)*ldc+nr-1], float32(math.Inf(1)))
				},
				"extra row": func(rows int, c []float32, ldc, nr int) {
					// Past the end of the slice, as an assembly
					// kernel that stored one row too many would.
					full := c[:cap(c)]
					if rows*ldc < len(full) {
						full[rows*ldc] = 0
					}
				},
			}
			for name, spoil := range sabotage {
				bad := *g
				bad.edge = make([]func(k int, a, b, c []float32, ldc int, add bool), len(g.edge))
				for rows := 1; rows < g.mr; rows++ {
					good := g.edge[rows]
					bad.edge[rows] = func(k int, a, b, c []float32, ldc int, add bool) {
						good(k, a, b, c, ldc, add)
						spoil(rows, c, ldc, g.nr)
					}
				}
				caught := 0
				for rows := 1; rows < g.mr; rows++ {
					tc := gemmCase{false, true, 2*g.mr + rows, 2 * g.nr, 33, 0, rows%2 == 0}
					if edgeMismatch(&bad, ref, tc, uint64(rows)) != "" {
						caught++
					}
				}
				if caught != g.mr-1 {
					t.Errorf("%s: the comparison caught %d of %d broken edge kernels", name, caught, g.mr-1)
				}
			}
		})
	}
}
