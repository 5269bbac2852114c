package orrery_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/assert"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
)

// parkers are blocking calls a process's task can be taken down in. Each
// sends on ready just before it parks.
var parkers = []struct {
	name string
	park func(ctx context.Context, e env.Env, ready *sim.Chan[struct{}]) error
}{
	{"disk sync", func(ctx context.Context, e env.Env, ready *sim.Chan[struct{}]) error {
		f, err := e.Disk().Create(ctx, "data")
		if err != nil {
			return err
		}
		if _, err := f.Write(make([]byte, 4096)); err != nil {
			return err
		}
		ready.TrySend(struct{}{})
		return f.Sync()
	}},
	{"sleep", func(ctx context.Context, e env.Env, ready *sim.Chan[struct{}]) error {
		ready.TrySend(struct{}{})
		return e.Clock().Sleep(ctx, time.Hour)
	}},
	{"sleep ignoring cancellation", func(ctx context.Context, e env.Env, ready *sim.Chan[struct{}]) error {
		ready.TrySend(struct{}{})
		return e.Clock().Sleep(context.WithoutCancel(ctx), time.Hour)
	}},
	{"network read", func(ctx context.Context, e env.Env, ready *sim.Chan[struct{}]) error {
		ln, err := e.Net().Listen(ctx, ":7000")
		if err != nil {
			return err
		}
		defer ln.Close()
		c, err := e.Net().Dial(ctx, net.JoinHostPort(e.Addr().String(), "7000"))
		if err != nil {
			return err
		}
		ready.TrySend(struct{}{})
		_, err = c.Read(make([]byte, 1)) // nothing is ever written
		return err
	}},
}

// parkedTask counts what a process's task parked in a blocking call ran
// after the call: with a crash, nothing but its defers. deferErr is what
// a blocking call made by the defer returned.
type parkedTask struct {
	after, deferred int
	deferErr        error
}

// parkedSim has one process whose first boot starts a task that parks in
// park, and a workload that takes the process down the way kind says while
// the task is parked there.
func parkedSim(p *parkedTask, kind orrery.RebootKind, park func(context.Context, env.Env, *sim.Chan[struct{}]) error) orrery.Simulation {
	ready := sim.NewChan[struct{}](1)
	boots := 0
	return orrery.Simulation{
		Name: "parked",
		Processes: []orrery.Process{{Name: "srv", Main: func(e env.Env) error {
			if boots++; boots == 1 {
				e.Go("worker", func(ctx context.Context) {
					defer func() {
						p.deferred++
						p.deferErr = e.Clock().Sleep(ctx, time.Second)
					}()
					err := park(ctx, e, ready)
					p.after++ // a crash's victim never gets here
					e.Log().Info("the blocking call failed, going on", "err", err)
					assert.Reachable(ctx, "the parked task went on")
				})
			}
			return env.WaitDone(e.Context(), e)
		}}},
		Workloads: []orrery.Workload{{Name: "ops", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error {
				if _, _, err := ready.Recv(e.Context()); err != nil {
					return err
				}
				if err := orrery.Reboot(e.Context(), "srv", kind); err != nil {
					return err
				}
				return e.Clock().Sleep(e.Context(), 20*time.Second)
			}}
		}}},
	}
}

// TestCrashRunsNothingOfTheTaskButItsDefers checks that a task parked in a
// blocking call when its process crashes (or is force-killed at the end of
// a graceful shutdown it ignored) does not return from the call: no
// statement after it runs, its defers do, and their blocking calls fail
// with sim.ErrAborted. A task woken by a graceful
// shutdown's cancellation goes on, as the shutdown means it to.
func TestCrashRunsNothingOfTheTaskButItsDefers(t *testing.T) {
	for _, pk := range parkers {
		for _, tc := range []struct {
			kind      orrery.RebootKind
			wantAfter int
		}{{orrery.Crash, 0}, {orrery.CrashWipe, 0}, {orrery.Graceful, 1}} {
			wantAfter := tc.wantAfter
			if tc.kind == orrery.Graceful && pk.name == "sleep ignoring cancellation" {
				wantAfter = 0 // the force kill ends it
			}
			t.Run(pk.name+"/"+tc.kind.String(), func(t *testing.T) {
				var p parkedTask
				rep, err := orrery.Run(parkedSim(&p, tc.kind, pk.park), orrery.Options{Replay: []uint64{1}})
				if err != nil || !rep.OK() {
					t.Fatalf("run: %v %+v", err, rep.Failures)
				}
				if p.after != wantAfter || p.deferred != 1 {
					t.Errorf("after the call: %d statements run, %d defers; want %d and 1", p.after, p.deferred, wantAfter)
				}
				if hit := reached(rep, "the parked task went on"); hit != uint64(wantAfter) {
					t.Errorf("the Reachable after the call was evaluated %d times, want %d", hit, wantAfter)
				}
				if unwound := wantAfter == 0; unwound != errors.Is(p.deferErr, sim.ErrAborted) {
					t.Errorf("a sleep in the defer returned %v; want sim.ErrAborted: %v", p.deferErr, unwound)
				}
			})
		}
	}
}

// reached returns how often the assertion msg was evaluated in rep.
func reached(rep *orrery.Report, msg string) uint64 {
	for _, a := range rep.Asserts {
		if a.Message == msg {
			return a.Evaluated
		}
	}
	return 0
}

// selfCrash is what selfCrashSim's process did after each of its Reboot
// calls, and which defers ran.
type selfCrash struct {
	peerErr                error
	afterPeer, afterSelf   int
	deferred, peerUnwound  int
	selfBoots, peerBoots   int
	gracefulErr            error
	afterGraceful, stopped int
}

// selfCrashSim has two processes: a, whose first boot crashes b, then
// itself; and b, whose first boot parks a task. A third, g, shuts itself
// down gracefully and waits for the shutdown.
func selfCrashSim(s *selfCrash) orrery.Simulation {
	return orrery.Simulation{
		Name: "self-crash",
		Processes: []orrery.Process{
			{Name: "a", Main: func(e env.Env) error {
				if s.selfBoots++; s.selfBoots > 1 {
					return env.WaitDone(e.Context(), e)
				}
				defer func() { s.deferred++ }()
				if err := e.Clock().Sleep(e.Context(), time.Second); err != nil {
					return err
				}
				s.peerErr = orrery.Reboot(e.Context(), "b", orrery.Crash)
				s.afterPeer++
				_ = orrery.Reboot(e.Context(), e.Name(), orrery.Crash)
				s.afterSelf++ // the crash of its own process ends the task
				return errors.New("ran on after crashing itself")
			}},
			{Name: "b", Main: func(e env.Env) error {
				if s.peerBoots++; s.peerBoots == 1 {
					defer func() { s.peerUnwound++ }()
				}
				return env.WaitDone(e.Context(), e)
			}},
			{Name: "g", Main: func(e env.Env) error {
				if s.stopped > 0 {
					return env.WaitDone(e.Context(), e)
				}
				s.gracefulErr = orrery.Reboot(e.Context(), e.Name(), orrery.Graceful)
				s.afterGraceful++
				err := env.WaitDone(e.Context(), e)
				s.stopped++ // Main sees the shutdown and returns
				return err
			}},
		},
		Workloads: []orrery.Workload{{Name: "idle", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return e.Clock().Sleep(e.Context(), 30*time.Second) }}
		}}},
	}
}

// TestCrashOfItsOwnProcessDoesNotReturn checks that a task that crashes
// its own process unwinds from Reboot at once (its defers run), while a
// Reboot of another process, or a Graceful one of its own, returns.
func TestCrashOfItsOwnProcessDoesNotReturn(t *testing.T) {
	var s selfCrash
	rep, err := orrery.Run(selfCrashSim(&s), orrery.Options{Replay: []uint64{1}})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep.Failures)
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"statements after crashing the peer", s.afterPeer, 1},
		{"statements after crashing itself", s.afterSelf, 0},
		{"defers of the crashed Main", s.deferred, 1},
		{"defers of the crashed peer", s.peerUnwound, 1},
		{"boots of the process that crashed itself", s.selfBoots, 2},
		{"boots of its peer", s.peerBoots, 2},
		{"statements after a graceful reboot of itself", s.afterGraceful, 1},
		{"returns of Main after its graceful shutdown", s.stopped, 1},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
	if s.peerErr != nil || s.gracefulErr != nil {
		t.Errorf("Reboot of the peer: %v; graceful Reboot of itself: %v; want nil", s.peerErr, s.gracefulErr)
	}
}

// TestCrashesReplay checks that seeds whose processes crash in the middle
// of disk, network and timer waits, under attrition, give the same trace
// hash when run twice.
func TestCrashesReplay(t *testing.T) {
	s := orrery.Simulation{
		Name: "crash-replay",
		Processes: []orrery.Process{{Name: "srv", Count: 3, Main: func(e env.Env) error {
			for _, pk := range parkers {
				e.Go(pk.name, func(ctx context.Context) {
					for pk.park(ctx, e, sim.NewChan[struct{}](1)) == nil {
					}
				})
			}
			return env.WaitDone(e.Context(), e)
		}}},
		Workloads: []orrery.Workload{{Name: "idle", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return e.Clock().Sleep(e.Context(), time.Minute) }}
		}}},
		Chaos: chaos.Standard().WithAttrition(),
	}
	rep, err := orrery.Run(s, orrery.Options{Seeds: 4, CheckDeterminism: true})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep.Failures)
	}
	if reboots := faultCount(rep, "Reboot"); reboots == 0 {
		t.Fatalf("no process crashed: faults %+v", rep.Faults)
	}
}

func faultCount(rep *orrery.Report, name string) int {
	for _, f := range rep.Faults {
		if f.Name == name {
			return f.Count
		}
	}
	return 0
}

// TestRebootTagCrashesItsCallerLast: a process that crashes every process
// of its tag, itself among them, takes the others down before itself, and
// does not return.
func TestRebootTagCrashesItsCallerLast(t *testing.T) {
	boots := map[string]int{}
	after := 0
	s := orrery.Simulation{
		Name: "tag-crash",
		Processes: []orrery.Process{{Name: "p", Count: 3, Tags: []string{"grp"}, Main: func(e env.Env) error {
			boots[e.Name()]++
			if e.Name() == "p-2" && boots["p-2"] == 1 {
				if err := e.Clock().Sleep(e.Context(), time.Second); err != nil {
					return err
				}
				orrery.RebootTag(e.Context(), "grp", orrery.Crash)
				after++
			}
			return env.WaitDone(e.Context(), e)
		}}},
		Workloads: []orrery.Workload{{Name: "idle", New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: func(e env.Env) error { return e.Clock().Sleep(e.Context(), 30*time.Second) }}
		}}},
	}
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{1}})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep.Failures)
	}
	if boots["p-1"] != 2 || boots["p-2"] != 2 || boots["p-3"] != 2 || after != 0 {
		t.Errorf("boots %v, %d statements after RebootTag; want 2 boots each and none", boots, after)
	}
}
