package kernel

// cpuid executes the CPUID instruction. It is built with or without the
// noasm tag: it reads the machine, it computes nothing, and both builds
// should block their products for the same caches.
//
//go:noescape
func cpuid(leaf, sub uint32) (a, b, c, d uint32)

// cpuidCaches reads the cache hierarchy from CPUID: leaf 0x8000001D on AMD
// (and Hygon), leaf 4 on Intel, which describe one cache per subleaf in the
// same format, or else AMD's leaves 0x80000005 and 0x80000006. An empty
// list means none of them says anything. SharedBy is 0 where the leaf does
// not tell.
func cpuidCaches() []Cache {
	maxBasic, _, _, _ := cpuid(0, 0)
	maxExt, _, _, _ := cpuid(0x80000000, 0)
	leaf := uint32(0)
	if maxExt >= 0x8000001D {
		// TOPOEXT (CPUID 0x80000001, ECX bit 22) says leaf 0x8000001D
		// is implemented.
		if _, _, c, _ := cpuid(0x80000001, 0); c&(1<<22) != 0 {
			leaf = 0x8000001D
		}
	}
	if leaf == 0 && maxBasic >= 4 {
		leaf = 4
	}
	var cs []Cache
	if leaf != 0 {
		cs = cacheLeaf(leaf)
	}
	if len(cs) == 0 && maxExt >= 0x80000006 {
		// AMD's older leaves, which hypervisors fill in more often than
		// 0x8000001D: sizes only, without sharing.
		_, _, c5, _ := cpuid(0x80000005, 0)
		_, _, c6, d6 := cpuid(0x80000006, 0)
		cs = append(cs,
			Cache{Level: 1, Type: "Data", Size: int(c5>>24) << 10, SharedBy: 1},
			Cache{Level: 2, Type: "Unified", Size: int(c6>>16) << 10, SharedBy: 1})
		if l3 := int(d6>>18) * 512 << 10; l3 > 0 {
			cs = append(cs, Cache{Level: 3, Type: "Unified", Size: l3})
		}
	}
	return cs
}

// cacheLeaf reads the caches from CPUID leaf 4 or 0x8000001D, one subleaf
// per cache.
func cacheLeaf(leaf uint32) []Cache {
	var cs []Cache
	for sub := uint32(0); sub < 16; sub++ {
		a, b, c, _ := cpuid(leaf, sub)
		kind := a & 31
		if kind == 0 {
			break
		}
		ways := int(b>>22&1023) + 1
		parts := int(b>>12&1023) + 1
		line := int(b&4095) + 1
		sets := int(c) + 1
		cs = append(cs, Cache{
			Level:    int(a >> 5 & 7),
			Type:     [4]string{"", "Data", "Instruction", "Unified"}[min(kind, 3)],
			Size:     ways * parts * line * sets,
			SharedBy: int(a>>14&4095) + 1,
		})
	}
	return cs
}
