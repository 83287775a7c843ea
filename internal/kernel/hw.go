package kernel

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Cache describes one cache of the CPU the program runs on.
type Cache struct {
	Level    int    // 1, 2, 3
	Type     string // "Data", "Instruction" or "Unified"
	Size     int    // bytes
	SharedBy int    // logical CPUs sharing it, as the hardware reports
}

// String formats c as, for example, "L2 1 MiB (shared by 2)".
func (c Cache) String() string {
	s := fmt.Sprintf("L%d", c.Level)
	switch c.Type {
	case "Data":
		s += "d"
	case "Instruction":
		s += "i"
	}
	s += " " + formatBytes(c.Size)
	if c.SharedBy > 1 {
		s += fmt.Sprintf(" (shared by %d)", c.SharedBy)
	}
	return s
}

func formatBytes(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// hardware is what the package found out about the caches when the program
// started, and where it found it.
type hardware struct {
	caches []Cache
	source string // "cpuid", "sysfs" or "assumed"
	// l1, l2 are the data cache sizes one core has to itself; l3 is the
	// last-level cache (0 if there is none) and l3Share the part of it
	// that falls to one logical CPU when all of them are busy.
	l1, l2, l3, l3Share int
}

var hw = detectHardware()

// Caches returns the CPU caches detected when the program started, and
// where they were read from: "cpuid", "sysfs", or "assumed" when neither
// said anything and the blocking rests on typical sizes.
func Caches() ([]Cache, string) {
	return append([]Cache(nil), hw.caches...), hw.source
}

// assumedCaches are typical of x86 and arm64 cores of the last decade; they
// stand in when the machine does not tell.
var assumedCaches = []Cache{
	{Level: 1, Type: "Data", Size: 32 << 10, SharedBy: 1},
	{Level: 2, Type: "Unified", Size: 1 << 20, SharedBy: 1},
	{Level: 3, Type: "Unified", Size: 8 << 20, SharedBy: 4},
}

func detectHardware() hardware {
	h := hardware{caches: cpuidCaches(), source: "cpuid"}
	if !usableCaches(h.caches) {
		h.caches, h.source = sysfsCaches("/sys/devices/system/cpu/cpu0/cache"), "sysfs"
	}
	if !usableCaches(h.caches) {
		h.caches, h.source = assumedCaches, "assumed"
	}
	for _, c := range h.caches {
		if c.Type == "Instruction" {
			continue
		}
		switch c.Level {
		case 1:
			h.l1 = c.Size
		case 2:
			h.l2 = c.Size
		case 3:
			h.l3 = c.Size
			if c.SharedBy > 0 {
				h.l3Share = c.Size / c.SharedBy
			}
		}
	}
	if h.l2 == 0 {
		// Some cores (Apple's) have a large shared L2 and no L3: treat
		// it as the last level, and give one core a quarter of it.
		h.l2 = max(h.l1*4, 256<<10)
	}
	return h
}

// usableCaches reports whether cs names at least a level-1 data cache and
// a level-2 cache of plausible sizes.
func usableCaches(cs []Cache) bool {
	var l1, l2 bool
	for _, c := range cs {
		if c.Type == "Instruction" {
			continue
		}
		l1 = l1 || c.Level == 1 && c.Size >= 8<<10 && c.Size <= 1<<20
		l2 = l2 || c.Level == 2 && c.Size >= 64<<10
	}
	return l1 && l2
}

// sysfsCaches reads Linux's description of cpu0's caches under dir
// (index0, index1, …, each with level, type, size and shared_cpu_list).
func sysfsCaches(dir string) []Cache {
	var cs []Cache
	for i := 0; i < 16; i++ {
		d := filepath.Join(dir, "index"+strconv.Itoa(i))
		read := func(name string) string {
			b, err := os.ReadFile(filepath.Join(d, name))
			if err != nil {
				return ""
			}
			return strings.TrimSpace(string(b))
		}
		level, err := strconv.Atoi(read("level"))
		if err != nil {
			break
		}
		size := parseSize(read("size"))
		if size <= 0 {
			continue
		}
		cs = append(cs, Cache{Level: level, Type: read("type"), Size: size, SharedBy: countCPUs(read("shared_cpu_list"))})
	}
	return cs
}

// parseSize reads sizes as sysfs writes them: "48K", "1024K", "32M".
func parseSize(s string) int {
	mult := 1
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n * mult
}

// countCPUs counts the CPUs in a list such as "0-3,8-11"; 1 if it cannot
// tell.
func countCPUs(list string) int {
	n := 0
	for _, part := range strings.Split(list, ",") {
		lo, hi, ok := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if ok {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				continue
			}
		}
		n += b - a + 1
	}
	return max(n, 1)
}

// l3Budget returns how many bytes of last-level cache one product may
// count on: the share of the L3 that falls to the CPUs this process may
// run on, where the hardware says how many share it. Where it does not
// (hypervisors often report the whole socket's L3 without its sharing),
// it assumes four times the L2 per CPU, the ratio of recent AMD and
// Intel server parts (Zen 4 and 5: 1 MiB L2, 4 MiB L3 a core). With no L3
// it is the L2.
func l3Budget(h hardware) int {
	cpus := runtime.NumCPU()
	if h.l3 == 0 {
		return h.l2
	}
	share := h.l3Share
	if share == 0 || share == h.l3 && cpus > 1 {
		share = 4 * h.l2
	}
	return max(h.l2, min(h.l3, share*cpus))
}

// Config describes the matrix kernel this process uses and the blocking
// derived from the caches, for benchmark reports: for example
// "avx512 14×32 tiles, kc 512, mc 126, L3 budget 8 MiB".
func Config() string {
	return fmt.Sprintf("%s %d×%d tiles, kc %d, mc %d, L3 budget %s", arch.name, arch.mr, arch.nr, gemmKC, arch.mc, formatBytes(l3Bytes))
}
