//go:build race

package main

// raceFlag builds the command under test with the race detector when the
// tests run with it.
var raceFlag = []string{"-race"}
