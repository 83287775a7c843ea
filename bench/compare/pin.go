package main

import (
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// allowedCPUs returns the CPUs this process may run on, in order, or nil
// where that cannot be read (then nothing is pinned).
func allowedCPUs() []int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil
	}
	var cpus []int
	for c := 0; len(cpus) < set.Count(); c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus
}

// onCPU runs f on an OS thread allowed only the given CPU, so that f and
// the child processes it starts (which inherit the starting thread's
// affinity) run there; a negative cpu runs f unpinned.
//
// One virtual CPU of a shared machine can be slower than another for
// minutes: on a two-vCPU Zen 5 the same one-thread SGEMM ran 10 % slower
// on CPU 0 than on CPU 1, run after run. Unpinned, a one-thread figure
// depends on where the scheduler happened to put it.
func onCPU(cpu int, f func()) {
	if cpu < 0 {
		f()
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var old, set unix.CPUSet
	if unix.SchedGetaffinity(0, &old) != nil {
		f()
		return
	}
	set.Set(cpu)
	if unix.SchedSetaffinity(0, &set) != nil {
		f()
		return
	}
	defer unix.SchedSetaffinity(0, &old)
	f()
}

// pinning describes how the one-thread passes are pinned, for the
// timing line: nothing on a machine with one CPU.
func pinning(cpus []int, passes int) string {
	if len(cpus) < 2 {
		return ""
	}
	s := "; one-thread figures pinned to CPU "
	for p := range passes {
		if p > 0 {
			s += ", "
		}
		s += strconv.Itoa(cpus[p%len(cpus)])
	}
	return s + " in turn, pass by pass"
}
