//go:build race

package nn

// raceOn reports whether the race detector is on: its instrumentation
// allocates, so allocation counts are only asserted without it.
const raceOn = true
