//go:build race

package kernel

// raceEnabled reports a -race build, whose sync.Pool drops items on purpose.
const raceEnabled = true
