package netsim

import (
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// TestSub checks that sub is time.Time.Sub to the nanosecond, within its
// range and beyond it, where Sub holds its result at the bounds.
func TestSub(t *testing.T) {
	mono := time.Now().Add(time.Hour) // a time with a monotonic reading
	loc := time.FixedZone("x", -5*3600)
	times := []time.Time{
		sim.Epoch, sim.Epoch.Add(1), sim.Epoch.Add(-1), sim.Epoch.Add(time.Second - 1),
		sim.Epoch.Add(1500 * time.Millisecond), sim.Epoch.Add(-1500 * time.Millisecond),
		sim.Epoch.Add(time.Duration(1<<62 + 7)), sim.Epoch.Add(-time.Duration(1<<62 + 7)),
		sim.Epoch.In(loc).Add(3 * time.Hour), mono, {},
		time.Unix(-62135596800, 0), time.Unix(1<<40, 999999999), time.Unix(-1<<40, 1),
		sim.Epoch.Add(time.Duration(maxSubSeconds) * time.Second), sim.Epoch.Add(-time.Duration(maxSubSeconds) * time.Second),
		sim.Epoch.Add(time.Duration(maxSubSeconds)*time.Second + 999999999),
		sim.Epoch.Add(time.Duration(maxSubSeconds)*time.Second - 1),
	}
	for _, a := range times {
		for _, b := range times {
			u := b.Round(0) // sub's u has no monotonic reading
			if got, want := sub(a, u), a.Sub(u); got != want {
				t.Errorf("sub(%v, %v) = %d, want %d", a, u, got, want)
			}
		}
	}
}
