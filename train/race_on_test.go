//go:build race

package train

// raceEnabled reports whether the race detector is on: its instrumentation
// allocates, so allocation counts are only asserted without it.
const raceEnabled = true
