package vet_test

import (
	"fmt"
	"os"

	"github.com/orrerysim/orrery/vet"
)

// Run loads packages as go build does, from a directory, and returns what
// the analyzer reports, in position order. Here, the first three findings
// of a sample server that escapes the simulation in every way it can.
func ExampleRun() {
	findings, err := vet.Run(".", "./testdata/sample")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range findings[:3] {
		fmt.Println(f)
	}
	// Output:
	// testdata/sample/sample.go:24:11: time.Now reads the wall clock, which the simulation does not control: use e.Clock().Now()
	// testdata/sample/sample.go:25:10: make(chan) makes a Go channel, which blocks outside the simulation's scheduler: use env.NewChan[T](e, capacity)
	// testdata/sample/sample.go:26:2: go statement starts a goroutine the simulation does not schedule: use e.Go(name, fn)
}

// Main is the whole of `orrery vet`: package patterns in, findings out, and
// an exit code of 0 (clean), 1 (findings) or 2 (the packages did not load).
func ExampleMain() {
	code := vet.Main([]string{"../examples/..."}, os.Stdout, os.Stderr)
	fmt.Println("exit", code)
	// Output:
	// exit 0
}
