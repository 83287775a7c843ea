package kernel

// packA copies rows [i0, i0+mb) and columns [p0, p0+kb) of op(A) into dst
// as ⌈mb/mr⌉ micro-panels, each kb×mr with the mr values of one column
// together (dst[q*kb*mr + p*mr + i] = opA(i0+q*mr+i, p0+p)), padding rows
// past mb with zeros so that the kernel can always compute whole tiles.
func packA(g *gemmArch, dst []float32, mr int, a []float32, lda int, trans bool, i0, mb, p0, kb int) {
	for q := 0; q*mr < mb; q++ {
		d := dst[q*kb*mr : (q+1)*kb*mr]
		r0 := i0 + q*mr
		rows := min(mr, mb-q*mr)
		if trans {
			// A is stored k×m: the mr values for one p are contiguous.
			if g.copyRows != nil && mr <= g.copyWidth {
				g.copyRows(d, mr, a[p0*lda+r0:], lda, kb, rows, mr)
				continue
			}
			for p := 0; p < kb; p++ {
				src := a[(p0+p)*lda+r0 : (p0+p)*lda+r0+rows]
				dp := d[p*mr : p*mr+mr]
				copy(dp, src)
				clear(dp[rows:])
			}
			continue
		}
		// A is row-major: each row of A lands strided by mr.
		if g.transpose != nil && mr <= g.transposeWidth {
			g.transpose(d, mr, a[r0*lda+p0:], lda, rows, mr, kb)
			continue
		}
		for i := 0; i < rows; i++ {
			src := a[(r0+i)*lda+p0 : (r0+i)*lda+p0+kb]
			di := d[i:]
			for p, v := range src {
				di[p*mr] = v
			}
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kb; p++ {
				d[p*mr+i] = 0
			}
		}
	}
}

// packB copies rows [p0, p0+kb) and columns [j0, j0+nb) of op(B) into dst
// as ⌈nb/nr⌉ micro-panels, each kb×nr with the nr values of one row
// together (dst[q*kb*nr + p*nr + j] = opB(p0+p, j0+q*nr+j)), padding
// columns past nb with zeros.
func packB(g *gemmArch, dst []float32, nr int, b []float32, ldb int, trans bool, p0, kb, j0, nb int) {
	for q := 0; q*nr < nb; q++ {
		d := dst[q*kb*nr : (q+1)*kb*nr]
		c0 := j0 + q*nr
		cols := min(nr, nb-q*nr)
		if !trans {
			// B is row-major k×n: the nr values for one p are contiguous.
			if g.copyRows != nil && nr <= g.copyWidth {
				g.copyRows(d, nr, b[p0*ldb+c0:], ldb, kb, cols, nr)
				continue
			}
			for p := 0; p < kb; p++ {
				src := b[(p0+p)*ldb+c0 : (p0+p)*ldb+c0+cols]
				dp := d[p*nr : p*nr+nr]
				copy(dp, src)
				clear(dp[cols:])
			}
			continue
		}
		// B is stored n×k: each row of B becomes a column of the panel.
		if w := g.transposeWidth; g.transpose != nil && nr%w == 0 {
			for h := 0; h < nr; h += w {
				rows := min(w, max(0, cols-h))
				src := b[c0*ldb+p0:]
				if rows > 0 {
					src = b[(c0+h)*ldb+p0:]
				}
				g.transpose(d[h:], nr, src, ldb, rows, w, kb)
			}
			continue
		}
		for jj := 0; jj < cols; jj++ {
			src := b[(c0+jj)*ldb+p0 : (c0+jj)*ldb+p0+kb]
			dj := d[jj:]
			for p, v := range src {
				dj[p*nr] = v
			}
		}
		for jj := cols; jj < nr; jj++ {
			for p := 0; p < kb; p++ {
				d[p*nr+jj] = 0
			}
		}
	}
}
