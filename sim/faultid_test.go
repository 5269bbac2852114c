package sim_test

import (
	"testing"

	"github.com/orrerysim/orrery/sim"
)

// FuzzParseFaultID: whatever ParseFaultID accepts prints as a string that
// parses back to the same fault.
func FuzzParseFaultID(f *testing.F) {
	for _, s := range []string{"7", "Reboot:db#3", "Reboot:db@0.943623s", "Clog:10.0.0.1->10.0.1.1#1", "SyncFail:db:wal.log#2", "Stall:x@1.5ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := sim.ParseFaultID(s)
		if err != nil {
			return
		}
		back, err := sim.ParseFaultID(id.String())
		if err != nil || back != id {
			t.Fatalf("%q parses to %+v, which prints as %q and parses back to %+v, %v", s, id, id.String(), back, err)
		}
	})
}
