package disksim_test

import (
	"context"
	"fmt"
	"io"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/sim"
)

// Data survives a crash only once synced: the second record was written
// but not synced, and this seed's crash drops it.
func Example() {
	w := sim.New(sim.Config{Seed: 1})
	d := disksim.New(w, disksim.Config{}).Disk("db")
	w.Spawn("db", func(ctx context.Context) {
		f, _ := d.Create(ctx, "log")
		f.Write([]byte("synced;"))
		f.Sync()
		d.SyncDir(ctx, ".")
		f.Write([]byte("not synced;"))
		d.CrashKeeping(0) // keep none of the pending writes
		g, _ := d.Open(ctx, "log")
		data, _ := io.ReadAll(g)
		fmt.Printf("%s\n", data)
	})
	if err := w.Run(); err != nil {
		fmt.Println(err)
	}
	// Output: synced;
}
