package sim_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// stepRun steps a host clock three times by a drawn amount, drawing after
// each step, under the fault filter keep (no filter when set is false). It
// returns the draws after each step, the clock's final step (the sum of the
// steps applied), the faults named and the trace hash.
func stepRun(t *testing.T, set bool, keep []sim.FaultID) (draws []uint64, step time.Duration, faults []trace.Record, hash uint64) {
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
	return draws, c.Now().Sub(sim.Epoch) - c.Mono(), w.InjectedFaults(), w.TraceHash()
}

// step is the identity of the n-th clock step of host h, by ordinal.
func step(n uint64) sim.FaultID { return sim.FaultID{Op: "ClockStep", Target: "h", N: n} }

// stepAt is the identity of the first clock step of h at or after at.
func stepAt(at time.Duration) sim.FaultID { return sim.FaultID{Op: "ClockStep", Target: "h", At: at} }

// kept returns the ordinals of the faults that were not suppressed.
func kept(faults []trace.Record) []uint64 {
	ns := []uint64{}
	for _, r := range faults {
		if id, ok := sim.FaultOf(r); ok && !slices.Contains(r.Attrs, trace.Attr{Key: "suppressed", Value: "true"}) {
			ns = append(ns, id.N)
		}
	}
	return ns
}

func TestFaultFilterSuppressesKeepingDraws(t *testing.T) {
	base, all, faults, hash := stepRun(t, false, nil)
	_, one, _, _ := stepRun(t, true, []sim.FaultID{step(1)})
	_, _, named, _ := stepRun(t, true, nil)
	at := make([]time.Duration, len(named))
	for i, r := range named {
		at[i] = r.At.Truncate(time.Microsecond)
	}
	for _, tc := range []struct {
		name string
		set  bool
		keep []sim.FaultID
		want time.Duration // the steps applied
		kept []uint64
	}{
		{"no filter", false, nil, all, []uint64{}},
		{"keep all", true, nil, all, []uint64{1, 2, 3}},
		{"keep none", true, []sim.FaultID{}, 0, []uint64{}},
		{"keep 1", true, []sim.FaultID{step(1)}, one, []uint64{1}},
		{"keep 2,3", true, []sim.FaultID{step(3), step(2)}, all - one, []uint64{2, 3}},
		{"another target", true, []sim.FaultID{{Op: "ClockStep", Target: "g", N: 1}}, 0, []uint64{}},
		{"at the first's time", true, []sim.FaultID{stepAt(at[0])}, one, []uint64{1}},
		{"after the first", true, []sim.FaultID{stepAt(at[0] + time.Microsecond)}, 0, []uint64{2}},
		{"twice the first's time", true, []sim.FaultID{stepAt(at[0]), stepAt(at[0])}, 0, []uint64{1, 2}},
		{"after the last", true, []sim.FaultID{stepAt(at[2] + time.Second)}, 0, []uint64{}},
		{"by ordinal and time", true, []sim.FaultID{step(3), stepAt(at[1])}, all - one, []uint64{2, 3}},
		{"by number", true, []sim.FaultID{{N: 2}}, 0, []uint64{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			draws, step, fs, h := stepRun(t, tc.set, tc.keep)
			if !slices.Equal(draws, base) {
				t.Errorf("draws after each fault %x, want %x as unfiltered", draws, base)
			}
			if tc.want != 0 && step != tc.want {
				t.Errorf("steps applied %v, want %v", step, tc.want)
			}
			if got := kept(fs); !slices.Equal(got, tc.kept) {
				t.Errorf("faults kept %v, want %v", got, tc.kept)
			}
			if wantN := map[bool]int{false: 0, true: 3}[tc.set]; len(fs) != wantN {
				t.Errorf("%d faults named, want %d", len(fs), wantN)
			}
			if !tc.set && h != hash {
				t.Errorf("trace hash %#x without a filter, want %#x", h, hash)
			}
		})
	}
	if len(faults) != 0 {
		t.Errorf("faults named without a filter: %v", faults)
	}
}

func TestFaultFilterDeterministic(t *testing.T) {
	_, _, _, h1 := stepRun(t, true, []sim.FaultID{step(2)})
	_, _, _, h2 := stepRun(t, true, []sim.FaultID{step(2)})
	if h1 != h2 {
		t.Errorf("a filtered run hashed %#x then %#x", h1, h2)
	}
}

// TestFaultFilterOrdinalsByTarget: a fault's ordinal counts the faults of
// its name and target only, so that suppressing the faults of another
// host does not change which fault it names.
func TestFaultFilterOrdinalsByTarget(t *testing.T) {
	run := func(keep []sim.FaultID) []string {
		w := sim.New(sim.Config{Seed: 1})
		w.SetFaultFilter(keep)
		a, b := sim.NewHostClock(w, "a", 0, 0), sim.NewHostClock(w, "b", 0, 0)
		w.Spawn("stepper", func(ctx context.Context) {
			a.Step(time.Second)
			b.Step(time.Second)
			a.Step(time.Second)
			b.Step(time.Second)
		})
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range w.InjectedFaults() {
			id, _ := sim.FaultOf(r)
			if !slices.Contains(r.Attrs, trace.Attr{Key: "suppressed", Value: "true"}) {
				got = append(got, id.String())
			}
		}
		return got
	}
	want := []string{"ClockStep:b#2"}
	if got := run([]sim.FaultID{{Op: "ClockStep", Target: "b", N: 2}}); !slices.Equal(got, want) {
		t.Errorf("kept %q, want %q", got, want)
	}
	if got := run(nil); len(got) != 4 || got[2] != "ClockStep:a#2" {
		t.Errorf("named %q, want a#1 b#1 a#2 b#2", got)
	}
}

func TestInjectedFaultsMarkSuppressed(t *testing.T) {
	w := sim.New(sim.Config{Seed: 1})
	w.SetFaultFilter([]sim.FaultID{step(2)})
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
	want := []string{"ClockStep fault=ClockStep:h#1 suppressed=true", "ClockStep fault=ClockStep:h#2"}
	if !slices.Equal(got, want) {
		t.Errorf("injected faults %q, want %q", got, want)
	}
	if fc := w.Faults(); len(fc) != 1 || fc[0].Count != 1 {
		t.Errorf("fault counts %v, want one ClockStep (the suppressed one not counted)", fc)
	}
}

// TestFaultTargets: what a fault strikes, from its record: a process, a
// host or a file by name, a connection or socket by its addresses without
// ports, a Buggify site, a partition as the net.
func TestFaultTargets(t *testing.T) {
	for _, tc := range []struct {
		r    trace.Record
		want string
	}{
		{trace.Record{Op: "Reboot", Obj: "proc", ID: 2, Name: "bank-2", Detail: "kind=crash"}, "Reboot:bank-2#1"},
		{trace.Record{Op: "Pause", Obj: "host", Name: "db", Detail: "for=1s"}, "Pause:db#1"},
		{trace.Record{Op: "ReadCorrupt", Obj: "file", ID: 3, Name: "db:wal.log", Detail: "off=0"}, "ReadCorrupt:db:wal.log#1"},
		{trace.Record{Op: "Buggify", Detail: "site=wal/log.go:52 fired p=0.25"}, "Buggify:wal/log.go:52#1"},
		{trace.Record{Op: "Clog", Obj: "conn", ID: 7, Detail: "10.0.0.1:40001->10.0.1.1:7000 for=200ms"}, "Clog:10.0.0.1->10.0.1.1#1"},
		{trace.Record{Op: "DatagramLoss", Obj: "sock", ID: 1, Detail: "10.0.0.1:5000->10.0.1.1:53"}, "DatagramLoss:10.0.0.1->10.0.1.1#1"},
		{trace.Record{Op: "Partition", Obj: "id", ID: 9, Detail: "10.0.1.1,10.0.1.2<->10.0.1.3 for=1s"}, "Partition:net#1"},
		{trace.Record{Op: "Stall", Obj: "file", Name: "a b,c#d@e"}, "Stall:a_b_c_d_e#1"},
	} {
		w := sim.New(sim.Config{Seed: 1})
		w.SetFaultFilter(nil)
		tc.r.Level, tc.r.Kind = slog.LevelWarn, trace.KindFault
		w.Spawn("f", func(ctx context.Context) { w.InjectFault("test", tc.r) })
		if err := w.Run(); err != nil {
			t.Fatal(err)
		}
		id, ok := sim.FaultOf(w.InjectedFaults()[0])
		if id.At = 0; !ok || id.String() != tc.want {
			t.Errorf("%s %s: fault %q (%v), want %q", tc.r.Op, tc.r.Detail, id, ok, tc.want)
		}
	}
}

func TestFaultIDParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want sim.FaultID
		err  bool
	}{
		{"Reboot:db#3", sim.FaultID{Op: "Reboot", Target: "db", N: 3}, false},
		{"Reboot:db@0.943623s", sim.FaultID{Op: "Reboot", Target: "db", At: 943623 * time.Microsecond}, false},
		{"Buggify:wal/log.go:52#1", sim.FaultID{Op: "Buggify", Target: "wal/log.go:52", N: 1}, false},
		{"SyncFail:db:wal.log#2", sim.FaultID{Op: "SyncFail", Target: "db:wal.log", N: 2}, false},
		{"7", sim.FaultID{N: 7}, false},
		{"Reboot:db#1@1.204000s", sim.FaultID{}, true},
		{"0", sim.FaultID{}, true},
		{"Clog:10.0.0.1->10.0.1.1#2", sim.FaultID{Op: "Clog", Target: "10.0.0.1->10.0.1.1", N: 2}, false},
		{"Reboot:db@0.000000s", sim.FaultID{Op: "Reboot", Target: "db"}, false},
		{"Reboot:db", sim.FaultID{}, true},
		{"Reboot:db#0", sim.FaultID{}, true},
		{"Reboot:db#x", sim.FaultID{}, true},
		{"Reboot:db@soon", sim.FaultID{}, true},
		{"Reboot:#1", sim.FaultID{}, true},
		{":db#1", sim.FaultID{}, true},
		{"-3", sim.FaultID{}, true},
	} {
		got, err := sim.ParseFaultID(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseFaultID(%q) = %+v, %v; want %+v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
		if err == nil && got.String() != tc.in {
			t.Errorf("%+v prints %q, want %q", got, got.String(), tc.in)
		}
	}
}

// TestFaultFilterSet: a run names its faults only once SetFaultFilter was
// called, with a list or with nil (every fault).
func TestFaultFilterSet(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(w *sim.World)
		want bool
	}{
		{"unset", func(*sim.World) {}, false},
		{"every fault", func(w *sim.World) { w.SetFaultFilter(nil) }, true},
		{"none", func(w *sim.World) { w.SetFaultFilter([]sim.FaultID{}) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := sim.New(sim.Config{Seed: 1})
			tc.set(w)
			if got := w.FaultFilterSet(); got != tc.want {
				t.Errorf("FaultFilterSet() = %v, want %v", got, tc.want)
			}
		})
	}
}
