package sim_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

// stepRun steps a host clock three times by a drawn amount, drawing after
// each step, under the fault filter keep (no filter when set is false). It
// returns the draws after each step, the clock's final step (the sum of the
// steps applied), the faults numbered and the trace hash.
func stepRun(t *testing.T, set bool, keep []uint64) (draws []uint64, step time.Duration, faults int, hash uint64) {
	t.Helper()
	w := sim.New(sim.Config{Seed: 7})
	if set {
		w.SetFaultFilter(keep)
	}
	c := sim.NewHostClock(w, "h", 0, 0)
	w.Spawn("stepper", func(ctx context.Context) {
		for range 3 {
			sim.Sleep(ctx, w.Rand().Duration(time.Millisecond, time.Second))
			c.Step(w.Rand().Duration(time.Millisecond, time.Second))
			draws = append(draws, w.Rand().Uint64())
		}
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	return draws, c.Now().Sub(sim.Epoch) - c.Mono(), len(w.InjectedFaults()), w.TraceHash()
}

func TestFaultFilterSuppressesKeepingDraws(t *testing.T) {
	base, all, _, hash := stepRun(t, false, nil)
	_, one, _, _ := stepRun(t, true, []uint64{1})
	for _, tc := range []struct {
		name string
		set  bool
		keep []uint64
		want time.Duration // the steps applied
	}{
		{"no filter", false, nil, all},
		{"keep all", true, nil, all},
		{"keep none", true, []uint64{}, 0},
		{"keep 1", true, []uint64{1}, one},
		{"keep 2,3", true, []uint64{3, 2}, all - one},
	} {
		t.Run(tc.name, func(t *testing.T) {
			draws, step, n, h := stepRun(t, tc.set, tc.keep)
			if !slices.Equal(draws, base) {
				t.Errorf("draws after each fault %x, want %x as unfiltered", draws, base)
			}
			if step != tc.want {
				t.Errorf("steps applied %v, want %v", step, tc.want)
			}
			if wantN := map[bool]int{false: 0, true: 3}[tc.set]; n != wantN {
				t.Errorf("%d faults numbered, want %d", n, wantN)
			}
			if !tc.set && h != hash {
				t.Errorf("trace hash %#x without a filter, want %#x", h, hash)
			}
		})
	}
}

func TestFaultFilterDeterministic(t *testing.T) {
	_, _, _, h1 := stepRun(t, true, []uint64{2})
	_, _, _, h2 := stepRun(t, true, []uint64{2})
	if h1 != h2 {
		t.Errorf("a filtered run hashed %#x then %#x", h1, h2)
	}
}

func TestInjectedFaultsMarkSuppressed(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	w.SetFaultFilter([]uint64{2})
	c := sim.NewHostClock(w, "h", 0, 0)
	w.Spawn("stepper", func(ctx context.Context) {
		c.Step(time.Second)
		c.Step(time.Second)
	})
	if err := w.Run(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range w.InjectedFaults() {
		s := r.Op
		for _, a := range r.Attrs {
			s += " " + a.Key + "=" + a.Value
		}
		got = append(got, s)
	}
	want := []string{"ClockStep fault=1 suppressed=true", "ClockStep fault=2"}
	if !slices.Equal(got, want) {
		t.Errorf("injected faults %q, want %q", got, want)
	}
	if fc := w.Faults(); len(fc) != 1 || fc[0].Count != 1 {
		t.Errorf("fault counts %v, want one ClockStep (the suppressed one not counted)", fc)
	}
}
