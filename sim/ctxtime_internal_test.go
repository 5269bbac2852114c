package sim

import (
	"math"
	"testing"
	"time"
)

// TestDeadlineAsEpochAdd: a context's Deadline and the World's Time are
// Epoch plus the duration, the same time.Time to the bit as Epoch.Add
// gives, at every kind of duration.
func TestDeadlineAsEpochAdd(t *testing.T) {
	for _, d := range []time.Duration{0, 1, time.Second - 1, time.Second, 90*time.Minute + 7, -1, -time.Second - 1,
		math.MaxInt64, math.MinInt64, math.MaxInt64 - 999_999_999, 1<<62 + 12345} {
		c := &simCtx{bits: hasDL, shownAt: d}
		got, ok := c.Deadline()
		if want := Epoch.Add(d); !ok || got != want {
			t.Errorf("Deadline at %d = %#v, %v, want Epoch.Add's %#v", d, got, ok, want)
		}
		w := &World{now: d}
		if got, want := w.Time(), Epoch.Add(d); got != want {
			t.Errorf("Time at %d = %#v, want Epoch.Add's %#v", d, got, want)
		}
	}
}
