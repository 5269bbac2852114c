package main

import (
	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/examples/counter"
	"github.com/orrerysim/orrery/examples/maze"
	"github.com/orrerysim/orrery/examples/raftkv"
	"github.com/orrerysim/orrery/examples/wal"
	"github.com/orrerysim/orrery/vet"
)

// vetCmd is orrery vet, here alone: simulation binaries built on cli.Main
// do not link the analyzer and go/types.
var vetCmd = cli.Command{
	Name: "vet",
	Help: "Report code that escapes the simulation in the packages given (default ./...).",
	Run:  vet.Main,
}

func main() {
	cli.MainWith([]cli.Command{vetCmd}, bank.Simulation(bank.Options{}), wal.Simulation(), counter.Simulation(),
		raftkv.Simulation(raftkv.Options{}), maze.Simulation(), maze.Networked(), maze.Climb())
}
