package main

import (
	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/examples/bank"
)

func main() {
	orrery.Main(bank.Simulation(bank.Options{}))
}
