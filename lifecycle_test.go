package orrery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
	"github.com/orrerysim/orrery/trace"
)

// bootLog records a process's boots and the ends of its tasks.
type bootLog struct {
	events   []string
	trueTime bool // log the simulation's true time, not the host's clock
}

func (b *bootLog) add(e env.Env, what string) {
	at := e.Clock().Now().Sub(simEpoch(e))
	if b.trueTime {
		at = sim.FromContext(e.Context()).Now()
	}
	b.events = append(b.events, fmt.Sprintf("%v %s", at.Round(time.Millisecond), what))
}

func simEpoch(e env.Env) time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }

// rebootSim has one server that logs its boots and a workload that reboots
// it the way kind says, then checks it came back.
func rebootSim(log *bootLog, kind orrery.RebootKind, ignoreCancel bool) orrery.Simulation {
	return orrery.Simulation{
		Name: "reboot",
		Processes: []orrery.Process{{Name: "srv", Main: func(e env.Env) error {
			log.add(e, "boot")
			e.Go("worker", func(ctx context.Context) {
				defer log.add(e, "worker unwound")
				_ = e.Clock().Sleep(ctx, time.Hour)
			})
			if ignoreCancel {
				return env.WaitDone(context.WithoutCancel(e.Context()), e)
			}
			_ = env.WaitDone(e.Context(), e)
			log.add(e, "main saw cancel")
			return nil
		}}},
		Workloads: []orrery.Workload{{Name: "ops", New: func() orrery.Driver {
			return orrery.Funcs{
				RunFunc: func(e env.Env) error {
					if err := e.Clock().Sleep(e.Context(), time.Second); err != nil {
						return err
					}
					if err := orrery.Reboot(e.Context(), "srv", kind); err != nil {
						return err
					}
					if err := orrery.Reboot(e.Context(), "nope", kind); err == nil {
						return errors.New("rebooted a host that does not exist")
					}
					return e.Clock().Sleep(e.Context(), 20*time.Second)
				},
				CheckFunc: func(e env.Env) error {
					if h, _ := orrery.Lookup(e.Context(), "srv"); !h.Up {
						return errors.New("srv is down in Check")
					}
					return nil
				},
			}
		}}},
	}
}

func TestCrashAbortsTasksAndRestarts(t *testing.T) {
	var log bootLog
	rep, err := orrery.Run(rebootSim(&log, orrery.Crash, false), orrery.Options{Replay: []uint64{3}})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep.Failures)
	}
	got := strings.Join(log.events, "; ")
	// Boot at 0; the crash at 1s unwinds the worker (its defer runs) but
	// main, which was parked, unwinds without reaching its log line; the
	// restart comes 1-10 s later; the end of the run unwinds the rest.
	if !strings.HasPrefix(got, "0s boot; 1s worker unwound; ") || strings.Count(got, "boot") != 2 {
		t.Fatalf("events: %s", got)
	}
	if len(rep.Faults) != 2 || rep.Faults[0].Name != "DiskCrash" || rep.Faults[1].Name != "Reboot" || rep.Faults[1].Count != 1 {
		t.Fatalf("faults: %+v", rep.Faults)
	}
}

func TestGracefulShutdownCancelsThenRestarts(t *testing.T) {
	var log bootLog
	rep, err := orrery.Run(rebootSim(&log, orrery.Graceful, false), orrery.Options{Replay: []uint64{3}})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep.Failures)
	}
	got := strings.Join(log.events, "; ")
	// The shutdown cancels the context of main and of the worker, which
	// both wind down at 1s, in an order the seed picks.
	if !strings.HasPrefix(got, "0s boot; 1s ") || !strings.Contains(got, "1s main saw cancel") ||
		!strings.Contains(got, "1s worker unwound") || strings.Count(got, "boot") != 2 {
		t.Fatalf("events: %s", got)
	}
}

// TestRebootTraceLines: a graceful reboot's events are in the trace; the
// force kill only when Main does not return in the grace period: a Main
// that returns ends its process then, and the restart delay counts from
// its return.
func TestRebootTraceLines(t *testing.T) {
	for _, ignoreCancel := range []bool{false, true} {
		var log bootLog
		var trace strings.Builder
		_, err := orrery.Run(rebootSim(&log, orrery.Graceful, ignoreCancel), orrery.Options{Replay: []uint64{3}, Log: &trace, LogFilter: "trace"})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"ProcessGracefulShutdown{proc=1 \"srv\"}", "ProcessRestart{proc=1 \"srv\"} cause=", "Fault{proc=1 Reboot \"srv\" kind=graceful}"} {
			if !strings.Contains(trace.String(), want) {
				t.Errorf("Main ignores the cancellation %v: trace lacks %q", ignoreCancel, want)
			}
		}
		if killed := strings.Contains(trace.String(), "ProcessForceKill{proc=1 \"srv\"}"); killed != ignoreCancel {
			t.Errorf("Main ignores the cancellation %v: force kill in the trace %v", ignoreCancel, killed)
		}
		if !strings.Contains(trace.String(), "infra") {
			t.Error("ProcessRestart is not marked infra")
		}
	}
}

func TestAttritionKeepsAtMostMaxDeadDown(t *testing.T) {
	s := counter()
	s.Processes[0].Count = 4
	s.Processes[0].Main = func(e env.Env) error { return env.WaitDone(e.Context(), e) }
	s.Workloads = []orrery.Workload{{Name: "wait", New: func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error { return e.Clock().Sleep(e.Context(), 2*time.Minute) }}
	}}}
	maxDown := 0
	s.Invariants = []orrery.Invariant{{Name: "at most two down", Check: func(st *orrery.State) error {
		down := 0
		for _, h := range st.Hosts() {
			if !h.Up {
				down++
			}
		}
		maxDown = max(maxDown, down)
		if down > 2 {
			return fmt.Errorf("%d processes down", down)
		}
		return nil
	}}}
	s.Chaos.Attrition = chaos.Attrition{MaxDead: 2, Graceful: 1, Crash: 1, Wipe: 1}
	rep, err := orrery.Run(s, orrery.Options{Seeds: 10, Parallel: 1}) // maxDown is shared
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep.Failures)
	}
	if maxDown != 2 || rep.Faults[0].Count < 50 {
		t.Fatalf("attrition: at most %d down, %+v faults", maxDown, rep.Faults)
	}
}

func TestSwarmDrawsPerSeed(t *testing.T) {
	s := counter()
	s.Chaos = chaos.Config{Swarm: true, Attrition: chaos.Attrition{MaxDead: 1}}
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error { return errFail }}
	}
	draws := map[string]bool{}
	for range 2 {
		rep, err := orrery.Run(s, orrery.Options{Seeds: 40})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Failures {
			fields := strings.Fields(f.Chaos)
			draws[fields[0]+" "+fields[len(fields)-1]] = true // buggify and attrition
		}
	}
	// buggify and attrition each on or off: four combinations, each
	// printed with its seeds (the network's mix varies more).
	if len(draws) != 4 {
		t.Fatalf("swarm drew %d configurations over 40 seeds: %v", len(draws), draws)
	}
	rep1, _ := orrery.Run(s, orrery.Options{Replay: []uint64{7}})
	rep2, _ := orrery.Run(s, orrery.Options{Replay: []uint64{7}})
	if rep1.Failures[0].Chaos != rep2.Failures[0].Chaos {
		t.Fatal("a seed drew two swarm configurations")
	}
}

func TestBuggifySitesAreTheCallersOwn(t *testing.T) {
	s := counter()
	fired := map[int]int{}
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error {
			for range 50 {
				if orrery.Buggify(e.Context()) {
					fired[1]++
				}
				if orrery.BuggifyWithProb(e.Context(), 1) {
					fired[2]++
				}
			}
			return nil
		}}
	}
	rep, err := orrery.Run(s, orrery.Options{Seeds: 40, Parallel: 1}) // fired is shared
	if err != nil {
		t.Fatal(err)
	}
	// Across 40 seeds both sites fire sometimes, the second (p=1) far more
	// often per enabled seed; every firing is a fault in the report.
	if fired[1] == 0 || fired[2] <= fired[1] {
		t.Fatalf("fired %v", fired)
	}
	total := 0
	for _, f := range rep.Faults {
		if f.Name == "Buggify" {
			total = f.Count
		}
	}
	if total < fired[1]+fired[2] {
		t.Fatalf("report counts %d Buggify records for %d firings", total, fired[1]+fired[2])
	}
}

func TestRebootTagAndWipe(t *testing.T) {
	boots := map[string]int{}
	found := map[string]bool{}
	s := orrery.Simulation{
		Name: "tags",
		Processes: []orrery.Process{
			{Name: "store", Count: 2, Tags: []string{"storage"}, Main: func(e env.Env) error {
				boots[e.Name()]++
				_, err := e.Disk().Stat(e.Context(), "marker")
				found[e.Name()] = err == nil // as of the latest boot
				f, err := e.Disk().Create(e.Context(), "marker")
				if err != nil {
					return err
				}
				f.Sync()
				e.Disk().SyncDir(e.Context(), ".")
				return env.WaitDone(e.Context(), e)
			}},
			{Name: "other", Main: func(e env.Env) error { boots[e.Name()]++; return env.WaitDone(e.Context(), e) }},
		},
		Workloads: []orrery.Workload{{Name: "ops", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				if err := e.Clock().Sleep(e.Context(), time.Second); err != nil {
					return err
				}
				if n := orrery.RebootTag(e.Context(), "storage", orrery.Crash); n != 2 {
					return fmt.Errorf("RebootTag took down %d processes, want 2", n)
				}
				if err := e.Clock().Sleep(e.Context(), 20*time.Second); err != nil {
					return err
				}
				return orrery.Reboot(e.Context(), "store-1", orrery.CrashWipe)
			}}
		}}},
	}
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{5}})
	if err != nil || !rep.OK() {
		t.Fatalf("%v %+v", err, rep.Failures)
	}
	// store-1 and store-2 booted, crashed (kept their disks), booted
	// again; store-1 was then wiped and booted a third time (the check
	// phase restarts it) without its marker.
	if boots["store-1"] != 3 || boots["store-2"] != 2 || boots["other"] != 1 {
		t.Fatalf("boots: %v", boots)
	}
	if !found["store-2"] || found["store-1"] {
		t.Fatalf("marker found on the last boot: %v; want store-2's kept through a crash, store-1's wiped", found)
	}
}

// TestRebootOfADownProcess reboots a process, then tries again while it is
// down (or, for Graceful, in its grace period, which the server here
// ignores): the second Reboot and a RebootTag return ErrDown and zero
// without touching it, and the process boots again 1 to 10 s after the kill
// (the grace period of 2 to 5 s comes first for Graceful).
func TestRebootOfADownProcess(t *testing.T) {
	for _, tt := range []struct {
		kind             orrery.RebootKind
		minBack, maxBack time.Duration
	}{
		{orrery.Crash, time.Second, 10 * time.Second},
		{orrery.CrashWipe, time.Second, 10 * time.Second},
		{orrery.Graceful, 3 * time.Second, 15 * time.Second},
	} {
		t.Run(tt.kind.String(), func(t *testing.T) {
			rep, err := orrery.Run(rebootTwiceSim(tt.kind, tt.minBack, tt.maxBack), orrery.Options{Seeds: 20})
			if err != nil || !rep.OK() {
				t.Fatalf("run: %v %+v", err, rep.Failures)
			}
		})
	}
}

// rebootTwiceSim has one tagged server that counts its boots and ignores
// cancellation; its workload reboots it twice in a row and checks when it
// comes back.
func rebootTwiceSim(kind orrery.RebootKind, minBack, maxBack time.Duration) orrery.Simulation {
	return orrery.Simulation{
		Name: "reboot-twice",
		Processes: []orrery.Process{{Name: "srv", Tags: []string{"t"}, Main: func(e env.Env) error {
			orrery.Publish(e.Context(), "boots", boots(e)+1)
			return env.WaitDone(context.WithoutCancel(e.Context()), e)
		}}},
		Workloads: []orrery.Workload{{Name: "ops", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				ctx := e.Context()
				if err := orrery.Reboot(ctx, "srv", kind); err != nil {
					return err
				}
				start := e.Clock().Now()
				if err := orrery.Reboot(ctx, "srv", orrery.Crash); !errors.Is(err, orrery.ErrDown) {
					return fmt.Errorf("second reboot: %v, want ErrDown", err)
				}
				if n := orrery.RebootTag(ctx, "t", orrery.Crash); n != 0 {
					return fmt.Errorf("RebootTag of a process going down took %d down", n)
				}
				return waitBack(e, start, minBack, maxBack)
			}}
		}}},
	}
}

func boots(e env.Env) int {
	n, _ := orrery.Published(e.Context(), "boots")
	c, _ := n.(int)
	return c
}

// waitBack polls until srv has booted again, checks the time it took, and
// that it is down until then and can be rebooted after.
func waitBack(e env.Env, start time.Time, minBack, maxBack time.Duration) error {
	for boots(e) < 2 {
		took := e.Clock().Now().Sub(start)
		if took > maxBack {
			return fmt.Errorf("srv still down after %v", took)
		}
		if err := e.Clock().Sleep(e.Context(), 10*time.Millisecond); err != nil {
			return err
		}
	}
	if took := e.Clock().Now().Sub(start); took < minBack {
		return fmt.Errorf("srv booted again after %v, before %v", took, minBack)
	}
	if h, _ := orrery.Lookup(e.Context(), "srv"); !h.Up {
		return errors.New("srv booted but is not up")
	}
	return orrery.Reboot(e.Context(), "srv", orrery.Crash)
}

// A process that is down cannot be rebooted again: Reboot says so with an
// error that matches ErrDown, and the caller waits for the restart, which
// comes 1 to 10 s after a crash.
func ExampleErrDown() {
	sim := orrery.Simulation{
		Name:      "reboot-down",
		Processes: []orrery.Process{{Name: "db", Main: func(e env.Env) error { return env.WaitDone(e.Context(), e) }}},
		Workloads: []orrery.Workload{{Name: "chaos-monkey", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				ctx := e.Context()
				if err := orrery.Reboot(ctx, "db", orrery.Crash); err != nil {
					return err
				}
				err := orrery.Reboot(ctx, "db", orrery.Crash)
				fmt.Println(err, errors.Is(err, orrery.ErrDown))
				start := e.Clock().Now()
				for h, _ := orrery.Lookup(ctx, "db"); !h.Up; h, _ = orrery.Lookup(ctx, "db") {
					if err := e.Clock().Sleep(ctx, 100*time.Millisecond); err != nil {
						return err
					}
				}
				back := e.Clock().Now().Sub(start)
				fmt.Println("back within 1-10 s:", back >= time.Second && back <= 10*time.Second)
				return nil
			}}
		}}},
	}
	if _, err := orrery.Run(sim, orrery.Options{Replay: []uint64{1}}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// reboot db: the process is already down true
	// back within 1-10 s: true
}

// TestLifecycleSetsTheDelays: with the grace period and the restart delay
// fixed by Simulation.Lifecycle, the process boots again exactly that long
// after it went down, on every seed.
func TestLifecycleSetsTheDelays(t *testing.T) {
	for _, tt := range []struct {
		kind         orrery.RebootKind
		ignoreCancel bool
		want         string
	}{
		// The crash at 1s, then 5 s down.
		{orrery.Crash, false, "0s boot; 1s worker unwound; 6s boot"},
		// Cancelled at 1s, main ignores it and is killed 3 s later, at
		// 4s, then 5 s down.
		{orrery.Graceful, true, "0s boot; 1s worker unwound; 9s boot"},
	} {
		for seed := range uint64(5) {
			var log bootLog
			s := rebootSim(&log, tt.kind, tt.ignoreCancel)
			s.Lifecycle = orrery.Lifecycle{GraceMin: 3 * time.Second, GraceMax: 3 * time.Second,
				RestartDelayMin: 5 * time.Second, RestartDelayMax: 5 * time.Second}
			main := s.Processes[0].Main
			s.Processes[0].Main = func(e env.Env) error {
				log.trueTime = true
				return main(e)
			}
			rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{seed}})
			if err != nil || !rep.OK() {
				t.Fatalf("%v, seed %d: %v %+v", tt.kind, seed, err, rep.Failures)
			}
			if got := strings.Join(log.events, "; "); !strings.HasPrefix(got, tt.want) {
				t.Errorf("%v, seed %d: events %s, want them to begin %s", tt.kind, seed, got, tt.want)
			}
		}
	}
}

func TestLifecycleValidate(t *testing.T) {
	for _, tt := range []struct {
		l    orrery.Lifecycle
		want string // "" for valid
	}{
		{orrery.Lifecycle{}, ""},
		{orrery.Lifecycle{RestartDelayMin: 5 * time.Second, RestartDelayMax: 5 * time.Second}, ""},
		{orrery.Lifecycle{GraceMax: time.Second}, ""},
		{orrery.Lifecycle{RestartDelayMin: -time.Second}, "restart delay -1s-0s: negative bound"},
		{orrery.Lifecycle{GraceMin: time.Second, GraceMax: -time.Second}, "grace period 1s--1s: negative bound"},
		{orrery.Lifecycle{RestartDelayMin: 10 * time.Second, RestartDelayMax: time.Second}, "restart delay 10s-1s: max below min"},
		{orrery.Lifecycle{GraceMin: time.Second}, "grace period 1s-0s: max below min"},
	} {
		var log bootLog
		s := rebootSim(&log, orrery.Crash, false)
		s.Lifecycle = tt.l
		err := s.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%+v: Validate() = %v, want %q", tt.l, err, tt.want)
		}
	}
}

// diskBoots is what each boot of crashSim's process read of its file: its
// length, or -1 when the file was missing; and when it booted.
type diskBoots struct {
	read []int
	at   []time.Duration
}

// crashSim's process, at its first boot, writes 1000 bytes to a file and
// syncs them and the directory, then writes 1000 more without a sync;
// every boot first reads the file back. The workload reboots it the way
// kind says at t=1s.
func crashSim(b *diskBoots, kind orrery.RebootKind) orrery.Simulation {
	return orrery.Simulation{
		Name: "disk-crash",
		Processes: []orrery.Process{{Name: "db", Main: func(e env.Env) error {
			ctx := e.Context()
			b.at = append(b.at, sim.FromContext(ctx).Now())
			b.read = append(b.read, fileSize(ctx, e.Disk(), "log"))
			if len(b.read) == 1 {
				if err := writeSyncedThenNot(ctx, e.Disk()); err != nil {
					return err
				}
			}
			return env.WaitDone(ctx, e)
		}}},
		Workloads: []orrery.Workload{{Name: "rebooter", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				if err := sim.Sleep(e.Context(), time.Second); err != nil {
					return err
				}
				if err := orrery.Reboot(e.Context(), "db", kind); err != nil {
					return err
				}
				return sim.Sleep(e.Context(), 15*time.Second)
			}}
		}}},
	}
}

// fileSize reads name and returns how many bytes it holds, -1 when it is
// missing or unreadable.
func fileSize(ctx context.Context, d env.Disk, name string) int {
	f, err := d.Open(ctx, name)
	if err != nil {
		return -1
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return -1
	}
	return len(data)
}

func writeSyncedThenNot(ctx context.Context, d env.Disk) error {
	f, err := d.Create(ctx, "log")
	if err != nil {
		return err
	}
	if _, err := f.Write(make([]byte, 1000)); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := d.SyncDir(ctx, "."); err != nil {
		return err
	}
	_, err = f.Write(make([]byte, 1000))
	return err
}

// TestFaultFilterSuppressesTheDiskOfAReboot: the disk's crash or wipe that
// comes with a reboot is a fault of its own. Suppressed, the process still
// crashes and boots again when it would have, and finds its disk as a
// graceful exit leaves it, unsynced writes included; suppressing the
// reboot suppresses both.
func TestFaultFilterSuppressesTheDiskOfAReboot(t *testing.T) {
	const seed = 2
	reboot := sim.FaultID{Op: "Reboot", Target: "db", N: 1}
	for _, tc := range []struct {
		name   string
		kind   orrery.RebootKind
		keep   []sim.FaultID
		read   []int // each boot's read
		faults string
	}{
		{"crash, no filter", orrery.Crash, nil, []int{-1, 1000}, ""},
		{"crash kept", orrery.Crash, []sim.FaultID{reboot, {Op: "DiskCrash", Target: "db", N: 1}}, []int{-1, 1000}, "Reboot DiskCrash"},
		{"disk crash suppressed", orrery.Crash, []sim.FaultID{reboot}, []int{-1, 2000}, "Reboot DiskCrash(suppressed)"},
		{"reboot suppressed", orrery.Crash, []sim.FaultID{}, []int{-1}, "Reboot(suppressed)"},
		{"wipe, no filter", orrery.CrashWipe, nil, []int{-1, -1}, ""},
		{"wipe kept", orrery.CrashWipe, []sim.FaultID{reboot, {Op: "DiskWipe", Target: "db", N: 1}}, []int{-1, -1}, "Reboot DiskWipe"},
		{"wipe suppressed", orrery.CrashWipe, []sim.FaultID{reboot}, []int{-1, 2000}, "Reboot DiskWipe(suppressed)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want, got diskBoots
			wantTrace := traceOf(t, crashSim(&want, tc.kind), seed, nil)
			rs := traceOf(t, crashSim(&got, tc.kind), seed, tc.keep)
			if !slices.Equal(got.read, tc.read) {
				t.Errorf("the boots read %v, want %v", got.read, tc.read)
			}
			if len(got.at) == 2 && got.at[1] != want.at[1] {
				t.Errorf("the process booted again at %v, want %v (the unfiltered run's)", got.at[1], want.at[1])
			}
			if s := faultsIn(rs); s != tc.faults {
				t.Errorf("faults %q, want %q", s, tc.faults)
			}
			if disk := diskFault(rs); len(tc.keep) > 0 && disk.RNG != diskFault(wantTrace).RNG {
				t.Errorf("the disk's fault at rng=%d, want %d (the unfiltered run's)", disk.RNG, diskFault(wantTrace).RNG)
			}
		})
	}
}

// faultsIn describes the faults of rs a fault filter named:
// "Reboot DiskCrash(suppressed)".
func faultsIn(rs []trace.Record) string {
	var s []string
	for _, r := range rs {
		if r.Kind != trace.KindFault || recordAttr(r, "fault") == "" {
			continue
		}
		if recordAttr(r, "suppressed") == "true" {
			s = append(s, r.Op+"(suppressed)")
		} else {
			s = append(s, r.Op)
		}
	}
	return strings.Join(s, " ")
}

// diskFault returns the record of the first disk crash or wipe of rs.
func diskFault(rs []trace.Record) trace.Record {
	for _, r := range rs {
		if r.Kind == trace.KindFault && (r.Op == "DiskCrash" || r.Op == "DiskWipe") {
			return r
		}
	}
	return trace.Record{}
}
