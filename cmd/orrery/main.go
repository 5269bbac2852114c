package main

import (
	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/examples/wal"
)

func main() {
	cli.Main(bank.Simulation(bank.Options{}), wal.Simulation())
}
