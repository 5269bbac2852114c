package main

import (
	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
	"github.com/orrerysim/orrery/examples/wal"
)

func main() {
	orrery.Main(bank.Simulation(bank.Options{}), wal.Simulation())
}
