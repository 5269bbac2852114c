package sim_test

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/orrerysim/orrery/sim"
)

// A task's reads of crypto/rand follow the seed: two runs of seed 1 draw
// the same key, which the operating system would not give twice. With the
// capture off, the task reads the operating system as code outside a run
// does.
func ExampleWorld_SetCryptoRandCapture() {
	draw := func(capture bool) string {
		w := sim.New(sim.Config{Seed: 1})
		w.SetCryptoRandCapture(capture)
		key := make([]byte, 8)
		w.Spawn("node/main", func(context.Context) { rand.Read(key) })
		if err := w.Run(); err != nil {
			panic(err)
		}
		reads, n := w.CryptoRandReads()
		fmt.Printf("%d read of %d bytes\n", reads, n)
		return fmt.Sprintf("%x", key)
	}
	first, second := draw(true), draw(true)
	fmt.Println("captured, same key twice:", first == second)
	first, second = draw(false), draw(false)
	fmt.Println("from the operating system, same key twice:", first == second)
	// Output:
	// 1 read of 8 bytes
	// 1 read of 8 bytes
	// captured, same key twice: true
	// 1 read of 8 bytes
	// 1 read of 8 bytes
	// from the operating system, same key twice: false
}
