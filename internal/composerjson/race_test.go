//go:build race

package composerjson

// raceEnabled lets timing tests allow for the race detector's ~10x slowdown.
const raceEnabled = true
