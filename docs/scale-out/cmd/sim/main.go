package main

import (
	"github.com/orrerysim/orrery/cli"
	"github.com/orrerysim/orrery/examples/bank"
)

func main() { cli.Main(bank.Simulation(bank.Options{})) }
