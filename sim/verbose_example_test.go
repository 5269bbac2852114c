package sim_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/orrerysim/orrery/sim"
)

// A Debug record costs nothing when nothing shows it: the World's logger
// is not enabled for it. A Verbose World builds it and folds it into
// VerboseHash, which tells two runs apart by their Debug lines, while
// TraceHash is the same at every level.
func ExampleWorld_VerboseHash() {
	run := func(verbose bool, n int) *sim.World {
		w := sim.New(sim.Config{Seed: 1, Verbose: verbose})
		w.Spawn("worker", func(ctx context.Context) {
			sim.Logger(ctx).Debug("drew", "n", n)
			sim.Logger(ctx).Info("done")
		})
		if err := w.Run(); err != nil {
			panic(err)
		}
		return w
	}
	quiet, a, b := run(false, 1), run(true, 1), run(true, 2)
	fmt.Println("debug built when quiet:", quiet.Logger().Enabled(context.Background(), slog.LevelDebug))
	fmt.Println("same trace hash:", quiet.TraceHash() == a.TraceHash() && a.TraceHash() == b.TraceHash())
	fmt.Println("verbose hashes differ:", a.VerboseHash() != b.VerboseHash())
	// Output:
	// debug built when quiet: false
	// same trace hash: true
	// verbose hashes differ: true
}
