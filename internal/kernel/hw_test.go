package kernel

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSysfsCaches reads a cache description laid out as Linux writes it
// (a Zen 4 core's) and checks each field.
func TestSysfsCaches(t *testing.T) {
	dir := t.TempDir()
	for i, c := range []struct{ level, typ, size, shared string }{
		{"1", "Data", "32K", "0,8"},
		{"1", "Instruction", "32K", "0,8"},
		{"2", "Unified", "1024K", "0,8"},
		{"3", "Unified", "32768K", "0-7,8-15"},
	} {
		d := filepath.Join(dir, "index"+string(rune('0'+i)))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]string{"level": c.level, "type": c.typ, "size": c.size, "shared_cpu_list": c.shared} {
			if err := os.WriteFile(filepath.Join(d, name), []byte(v+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := sysfsCaches(dir)
	want := []Cache{
		{1, "Data", 32 << 10, 2},
		{1, "Instruction", 32 << 10, 2},
		{2, "Unified", 1 << 20, 2},
		{3, "Unified", 32 << 20, 16},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cache %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if !usableCaches(got) {
		t.Errorf("usableCaches(%v) = false", got)
	}
	if c := sysfsCaches(filepath.Join(dir, "missing")); c != nil || usableCaches(c) {
		t.Errorf("a missing directory gave %v", c)
	}
}

// TestBlocking checks that the blocking follows the caches: the packed
// micro-panel of B fills a sixteenth of L2, the packed block of A a quarter
// of L2, and both stay in bounds for caches far from the usual.
func TestBlocking(t *testing.T) {
	for _, c := range []struct{ l2, nr, mr int }{
		{1 << 20, 32, 14},  // Zen 4 and 5, AVX-512
		{1 << 20, 32, 14},  // Skylake-SP
		{2 << 20, 32, 14},  // Sapphire Rapids
		{512 << 10, 16, 6}, // Zen 2 and 3, AVX2
		{256 << 10, 16, 6},
		{4 << 20, 12, 8}, // Apple M1 P-core
		{16 << 10, 4, 2},
	} {
		kc := blockK(c.l2, c.nr)
		if kc%16 != 0 || kc < 128 || kc > 512 {
			t.Errorf("blockK(%d, %d) = %d, want a multiple of 16 in [128, 512]", c.l2, c.nr, kc)
		}
		if b := kc * c.nr * 4; kc > 128 && b > c.l2/16 {
			t.Errorf("blockK(%d, %d) = %d: the B micro-panel takes %d bytes, more than a sixteenth of L2", c.l2, c.nr, kc, b)
		}
		if b := (kc + 16) * c.nr * 4; kc < 512 && b <= c.l2/16 {
			t.Errorf("blockK(%d, %d) = %d: 16 more would still fit in a sixteenth of L2", c.l2, c.nr, kc)
		}
		mc := blockM(c.l2, kc, c.mr)
		if mc%c.mr != 0 || mc < 2*c.mr {
			t.Errorf("blockM(%d, %d, %d) = %d, want a multiple of mr, at least 2·mr", c.l2, kc, c.mr, mc)
		}
		if a := mc * kc * 4; mc > 2*c.mr && a > c.l2/4 {
			t.Errorf("blockM(%d, %d, %d) = %d: the A block takes %d bytes, more than a quarter of L2", c.l2, kc, c.mr, mc, a)
		}
	}
	if kc := blockK(1<<20, 32); kc != 512 {
		// 512 was found best by measurement on Zen 5 (against 192, 256,
		// 384 and 1024); the rule should keep finding it.
		t.Errorf("blockK(1 MiB, 32) = %d, want 512", kc)
	}
	if kc := blockK(512<<10, 32); kc != 256 {
		t.Errorf("blockK(512 KiB, 32) = %d, want 256", kc)
	}
}

func TestL3Budget(t *testing.T) {
	h := hardware{l1: 32 << 10, l2: 1 << 20, l3: 32 << 20, l3Share: 2 << 20}
	if b := l3Budget(h); b < h.l2 || b > h.l3 {
		t.Errorf("l3Budget(%+v) = %d, want between L2 and L3", h, b)
	}
	h.l3Share = 0
	if b := l3Budget(h); b < h.l2 || b > h.l3 {
		t.Errorf("l3Budget(%+v) = %d, want between L2 and L3", h, b)
	}
	h.l3 = 0
	if b := l3Budget(h); b != h.l2 {
		t.Errorf("l3Budget with no L3 = %d, want the L2, %d", b, h.l2)
	}
}

func TestCountCPUs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{{"0", 1}, {"0-3", 4}, {"0-7,16-23", 16}, {"0,8", 2}, {"", 1}, {"x", 1}} {
		if got := countCPUs(c.in); got != c.want {
			t.Errorf("countCPUs(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// TestDetectedCaches checks that detection gave an L1 data cache and an
// L2, whatever the source.
func TestDetectedCaches(t *testing.T) {
	cs, src := Caches()
	if !usableCaches(cs) {
		t.Fatalf("detected caches %v (from %s) lack an L1d or an L2", cs, src)
	}
	t.Logf("caches from %s: %v; kc %d, mc %d, L3 budget %d", src, cs, gemmKC, arch.mc, l3Budget(hw))
}

func TestPeakGFLOPS(t *testing.T) {
	g, isa := PeakGFLOPS(10*time.Millisecond, 0)
	if !(g > 0) || isa == "" {
		t.Errorf("PeakGFLOPS(10ms, 0) = %v, %q", g, isa)
	}
	// A round longer than the whole measurement still runs, once.
	start := time.Now()
	g, _ = PeakGFLOPS(time.Millisecond, 20*time.Millisecond)
	if el := time.Since(start); !(g > 0) || el < 20*time.Millisecond {
		t.Errorf("PeakGFLOPS(1ms, 20ms) = %v after %v, want a rate after at least one 20 ms round", g, el)
	}
}
