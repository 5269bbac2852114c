package orrery_test

import (
	"crypto/rand"
	"fmt"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// A workload that makes a 16-byte session key with crypto/rand, as a
// library would: the report counts the reads, which the seed served.
func ExampleCryptoRandCount() {
	sim := orrery.Simulation{
		Name:      "keys",
		Processes: []orrery.Process{{Name: "idle", Main: func(e env.Env) error { return nil }}},
		Workloads: []orrery.Workload{{Name: "client", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				key := make([]byte, 16)
				rand.Read(key)
				return nil
			}}
		}}},
	}
	rep, err := orrery.Run(sim, orrery.Options{Seeds: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := rep.CryptoRand
	fmt.Printf("%d reads, %d bytes, from the operating system: %v\n", c.Reads, c.Bytes, c.FromOS)
	// Output: 10 reads, 160 bytes, from the operating system: false
}
