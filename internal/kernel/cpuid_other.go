//go:build !amd64

package kernel

// cpuidCaches returns nothing where there is no CPUID: the caches come from
// sysfs instead.
func cpuidCaches() []Cache { return nil }
