package chaos_test

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/sim"
)

// BuggifyAt is false outside a simulation; inside one, a site is enabled for
// some seeds and fires on some of its evaluations there. Here the site is
// this function; orrery.Buggify names its caller's.
func ExampleBuggifyAt() {
	site, _, _, _ := runtime.Caller(0)
	fmt.Println(chaos.BuggifyAt(context.Background(), chaos.FireProbability, site))
	seedsWithFirings := 0
	for seed := range uint64(100) {
		w := sim.New(sim.Config{Seed: seed})
		fired := false
		w.Spawn("task", func(ctx context.Context) {
			for range 20 {
				fired = fired || chaos.BuggifyAt(ctx, chaos.FireProbability, site)
			}
		})
		w.Run()
		if fired {
			seedsWithFirings++
		}
	}
	fmt.Println(seedsWithFirings > 10 && seedsWithFirings < 40)
	// Output:
	// false
	// true
}

// A swarm configuration draws each fault family per seed; the draw prints on
// one line with the seed that made it.
func ExampleConfig_Draw() {
	c := chaos.Config{Swarm: true, Attrition: chaos.Attrition{MaxDead: 1}}
	a := c.Draw(sim.NewRand(1, 2))
	b := c.Draw(sim.NewRand(1, 2))
	fmt.Println(a.String() == b.String())
	fmt.Println(chaos.Config{}.Draw(sim.NewRand(1, 2)))
	// Output:
	// true
	// buggify=on net=[none] disk=[none] attrition=off
}

// Swarm draws only the families a configuration declares: those its
// network and disk faults set, those Model names, or, when it sets none,
// those of Standard.
func ExampleConfig_Declared() {
	fmt.Println(chaos.Config{Disk: disksim.Faults{SyncFailP: 0.02}}.Declared())
	fmt.Println(chaos.Config{Model: []string{"clog", "sync-fail"}}.Declared())
	fmt.Println(chaos.Config{}.Declared())
	// Output:
	// [sync-fail]
	// [clog sync-fail]
	// [random-close bit-flip partial connect-fail sync-fail corrupt stall throttle garbage]
}

// Pauses draw their length between Min and Max, short ones more often.
func ExamplePauses() {
	c := chaos.Config{Pause: chaos.StandardPauses}
	fmt.Println(c.Pause, c.Pause.Enabled())
	r := sim.NewRand(1, 2)
	for range 3 {
		fmt.Println(c.Pause.Duration(r).Round(time.Millisecond))
	}
	// Output:
	// p=0.01 20ms-2s true
	// 740ms
	// 826ms
	// 22ms
}
