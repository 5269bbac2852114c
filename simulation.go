package orrery

import (
	"fmt"
	"regexp"
	"time"

	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/netsim"
)

// Simulation describes a cluster to test: the processes of the system
// under test, the workloads that drive and check it, the invariants that
// must hold after every step, and the faults it meets. It is a plain value:
// each seed builds its own hosts and state from it, so many seeds can run
// at once.
type Simulation struct {
	// Name identifies the simulation in traces, reports and replay
	// commands: letters, digits, '-', '_' and '.'.
	Name string
	// Processes are the system under test. At least one is required.
	Processes []Process
	// Workloads drive the processes and check the outcome. At least one
	// is required: the run ends when every workload's Run has returned.
	Workloads []Workload
	// Invariants are checked after every step of the simulation.
	Invariants []Invariant
	// Network is the model of the network between the hosts (latencies);
	// its faults come from Chaos.Net. The zero value is realistic.
	Network netsim.Config
	// Disk is the model of the hosts' disks (latency, capacity); its
	// faults come from Chaos.Disk. The zero value is realistic.
	Disk disksim.Config
	// Chaos is the faults the run meets.
	Chaos chaos.Config
	// Lifecycle is the timing of process reboots: the grace period of a
	// graceful shutdown (default 2-5 s) and the restart delay after a
	// crash or kill (default 1-10 s). The zero value is the defaults.
	Lifecycle Lifecycle
	// Clocks is how far the hosts' clocks differ from true time, and the
	// clock faults they meet (see NTPClocks). The zero value is none.
	Clocks Clocks
	// SeedChecks check the whole of a seed once it is over (see
	// SeedCheck): the linearizability of a history (package check).
	SeedChecks []SeedCheck
	// Liveness bounds how long a client request may stay pending once
	// the faults have healed: a request still pending Liveness of logical
	// time after the healing (or after it was sent, if later) fails the
	// seed with the requests in flight and the state of each node. The
	// requests are those of package check's recorders and of
	// TrackRequests. Zero means no bound.
	Liveness time.Duration
	// Bugs names the planted bugs the simulation's code knows (see
	// Planted), so that a run asking for an unknown one is refused.
	Bugs []string
	// MaxTime bounds a seed's logical time (default one hour): a seed
	// whose workloads have not finished by then fails as stalled.
	MaxTime time.Duration
}

// Process is one kind of server of the system under test, started Count
// times. Main runs on every boot with fresh memory (whatever it allocates)
// and the host's surviving disk; it should serve until e.Context() is
// cancelled. A process may be crashed and rebooted at any time.
//
// A crash (Crash, CrashWipe, and the kill that ends a Graceful reboot's
// grace period) runs nothing more of the boot but its deferred calls:
// every task of it unwinds from the blocking call it is in, which does not
// return (not even with an error), and a task that crashes its own
// process unwinds from Reboot. The deferred calls' own blocking calls fail
// at once with sim.ErrAborted. A Graceful reboot instead cancels
// e.Context(): blocking calls return the context's error, and Main should
// wind down and return before the grace period ends.
type Process struct {
	// Name names the hosts: "kv" with Count 3 gives kv-1, kv-2 and kv-3;
	// with Count 1 (or 0), just kv.
	Name  string
	Count int
	// Tags group hosts for lookups (HostsWithTag) and fault targeting.
	Tags []string
	// Main is the process's entry point, as main is a binary's. It runs
	// on every boot with fresh memory and the disk that survived. A Main
	// that returns nil ends the process: it stays down until a reboot (a
	// fault, or Reboot). One that returns an error, unless its process is
	// being shut down, is logged ("orrery: process exited", ERROR) and
	// restarted after the restart delay, as a supervisor would restart a
	// binary that exits with an error: it does not fail the seed, so a
	// workload or an invariant that needs the process up should check it
	// (Lookup's HostInfo.Up).
	Main func(e env.Env) error
}

// Workload drives the system and checks what it did. Workloads are never
// crashed. Each of the Count instances gets a fresh Driver from New for
// every seed, so state it keeps between Setup, Run and Check belongs to one
// seed. Keep that state in the Driver (or in variables declared inside
// New), never in variables that New's closure captures from outside: seeds
// run in parallel, as do a shrink's replays, and state shared between them
// makes a seed's outcome depend on its neighbours (go test -race reports
// it).
type Workload struct {
	// Name names the hosts, as Process.Name does.
	Name  string
	Count int
	Tags  []string
	// New returns the driver of one instance for one seed; a nil Driver
	// fails the seed.
	New func() Driver
}

// Driver is a workload instance for one seed. Setup runs after the
// processes have booted and before any Run; Run is the chaos phase; Check
// runs after every Run returned and the faults were healed. An error from
// any of them fails the seed.
type Driver interface {
	Setup(e env.Env) error
	Run(e env.Env) error
	Check(e env.Env) error
}

// Funcs is a Driver made of functions; a nil function does nothing. It
// suits workloads that keep no state between phases.
type Funcs struct {
	SetupFunc, RunFunc, CheckFunc func(e env.Env) error
}

// Setup calls SetupFunc.
func (f Funcs) Setup(e env.Env) error { return call(f.SetupFunc, e) }

// Run calls RunFunc.
func (f Funcs) Run(e env.Env) error { return call(f.RunFunc, e) }

// Check calls CheckFunc.
func (f Funcs) Check(e env.Env) error { return call(f.CheckFunc, e) }

func call(f func(env.Env) error, e env.Env) error {
	if f == nil {
		return nil
	}
	return f(e)
}

// Invariant is a property of the whole simulated state, checked after
// every step. Check reads what hosts published (see Publish) and returns an
// error when the property is broken, which fails the seed at that step.
type Invariant struct {
	Name  string
	Check func(s *State) error
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Validate reports the first thing that makes the simulation impossible
// to run, as an error naming it.
func (s *Simulation) Validate() error {
	if !nameRE.MatchString(s.Name) {
		return fmt.Errorf("simulation name %q: want letters, digits, '-', '_' or '.'", s.Name)
	}
	if len(s.Processes) == 0 {
		return fmt.Errorf("simulation %s: no processes: there is no system to test", s.Name)
	}
	if len(s.Workloads) == 0 {
		return fmt.Errorf("simulation %s: no workloads: nothing drives the processes", s.Name)
	}
	if s.MaxTime < 0 {
		return fmt.Errorf("simulation %s: negative MaxTime %v", s.Name, s.MaxTime)
	}
	if s.Liveness < 0 {
		return fmt.Errorf("simulation %s: negative Liveness %v", s.Name, s.Liveness)
	}
	if err := s.Lifecycle.Validate(); err != nil {
		return fmt.Errorf("simulation %s: %w", s.Name, err)
	}
	if err := s.Clocks.Validate(); err != nil {
		return fmt.Errorf("simulation %s: %w", s.Name, err)
	}
	if err := s.Chaos.Validate(); err != nil {
		return fmt.Errorf("simulation %s: %w", s.Name, err)
	}
	if err := s.Network.Validate(); err != nil {
		return fmt.Errorf("simulation %s: %w", s.Name, err)
	}
	if err := s.Disk.Validate(); err != nil {
		return fmt.Errorf("simulation %s: %w", s.Name, err)
	}
	return s.validateHosts()
}

func (s *Simulation) validateHosts() error {
	seen := map[string]bool{}
	check := func(what, name string, count int, hasFn bool) error {
		switch {
		case !nameRE.MatchString(name):
			return fmt.Errorf("simulation %s: %s name %q: want letters, digits, '-', '_' or '.'", s.Name, what, name)
		case seen[name]:
			return fmt.Errorf("simulation %s: two hosts named %q", s.Name, name)
		case count < 0:
			return fmt.Errorf("simulation %s: %s %s: negative Count %d", s.Name, what, name, count)
		case !hasFn:
			return fmt.Errorf("simulation %s: %s %s has no %s", s.Name, what, name, map[string]string{"process": "Main", "workload": "New"}[what])
		}
		seen[name] = true
		return nil
	}
	for _, p := range s.Processes {
		if err := check("process", p.Name, p.Count, p.Main != nil); err != nil {
			return err
		}
	}
	for _, w := range s.Workloads {
		if err := check("workload", w.Name, w.Count, w.New != nil); err != nil {
			return err
		}
	}
	for _, inv := range s.Invariants {
		if inv.Name == "" || inv.Check == nil {
			return fmt.Errorf("simulation %s: an invariant needs a Name and a Check", s.Name)
		}
	}
	for _, sc := range s.SeedChecks {
		if sc.Name == "" || sc.Check == nil {
			return fmt.Errorf("simulation %s: a seed check needs a Name and a Check", s.Name)
		}
	}
	return nil
}
