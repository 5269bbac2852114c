package orrery

import (
	"net/netip"
	"testing"
	"unsafe"

	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/sim"
)

// TestPlanHosts: the hosts a run lays out once are named, numbered and
// addressed as each seed built them, processes first.
func TestPlanHosts(t *testing.T) {
	main := func(env.Env) error { return nil }
	drv := func() Driver { return Funcs{} }
	tests := []struct {
		name  string
		procs []Process
		wls   []Workload
		want  []string // name@addr#instance, p or w
	}{
		{"one of each", []Process{{Name: "db", Main: main}}, []Workload{{Name: "cl", New: drv}},
			[]string{"db@10.0.1.1#0p", "cl@10.0.0.1#0w"}},
		{"counts", []Process{{Name: "kv", Count: 3, Main: main}, {Name: "lb", Main: main}},
			[]Workload{{Name: "cl", Count: 2, New: drv}},
			[]string{"kv-1@10.0.1.1#0p", "kv-2@10.0.1.2#1p", "kv-3@10.0.1.3#2p", "lb@10.0.1.4#0p",
				"cl-1@10.0.0.1#0w", "cl-2@10.0.0.2#1w"}},
		{"workloads only", nil, []Workload{{Name: "cl", Count: 2, New: drv}},
			[]string{"cl-1@10.0.0.1#0w", "cl-2@10.0.0.2#1w"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Simulation{Name: "plan", Processes: tt.procs, Workloads: tt.wls}
			plan := planHosts(s)
			if len(plan) != len(tt.want) {
				t.Fatalf("%d hosts, want %d", len(plan), len(tt.want))
			}
			for i, p := range plan {
				if got := planString(p.name, p.addr, p.instance, p.proc != nil); got != tt.want[i] {
					t.Errorf("host %d: %s, want %s", i, got, tt.want[i])
				}
			}
		})
	}
}

// TestNewClusterFromPlan: a cluster built from a run's plan has the hosts
// of one that lays them out itself, each with a driver of its own.
func TestNewClusterFromPlan(t *testing.T) {
	s := &Simulation{Name: "plan",
		Processes: []Process{{Name: "kv", Count: 2, Tags: []string{"store"}, Main: func(env.Env) error { return nil }}},
		Workloads: []Workload{{Name: "cl", Count: 2, Tags: []string{"client"}, New: func() Driver { return &Funcs{} }}}}
	plan := planHosts(s)
	a := newCluster(sim.New(sim.Config{Seed: 1}), s, chaos.Drawn{}, nil)
	b := newCluster(sim.New(sim.Config{Seed: 1}), s, chaos.Drawn{}, plan)
	if len(a.hosts) != len(b.hosts) {
		t.Fatalf("%d hosts from the plan, want %d", len(b.hosts), len(a.hosts))
	}
	for i, h := range b.hosts {
		g := a.hosts[i]
		if h.info().Name != g.info().Name || h.addr != g.addr || h.instance != g.instance || h.index != i ||
			h.proc != g.proc || len(h.tags) != len(g.tags) || (h.driver == nil) != (g.driver == nil) {
			t.Errorf("host %d: %+v, want %+v", i, h.info(), g.info())
		}
		if h.driver != nil && h.driver == a.hosts[i].driver {
			t.Errorf("host %d shares its driver with another seed's", i)
		}
		if b.byName[h.name] != h {
			t.Errorf("host %d: byName[%q] is not it", i, h.name)
		}
	}
}

func planString(name string, addr netip.Addr, instance int, proc bool) string {
	kind := "w"
	if proc {
		kind = "p"
	}
	return name + "@" + addr.String() + "#" + string(rune('0'+instance)) + kind
}

// TestDiskMadeOnFirstUse: a host's disk is made when its code first asks
// for it, or when a crash must take it down, which records the fault as
// it did when every host had one from the start.
func TestDiskMadeOnFirstUse(t *testing.T) {
	s := &Simulation{Name: "disks",
		Processes: []Process{{Name: "kv", Count: 3, Main: func(env.Env) error { return nil }}}}
	w := sim.New(sim.Config{Seed: 1})
	c := newCluster(w, s, chaos.Drawn{}, nil)
	for _, h := range c.hosts {
		if h.disk != nil {
			t.Fatalf("%s has a disk before using one", h.name)
		}
	}
	used, graceful, crashed := c.hosts[0], c.hosts[1], c.hosts[2]
	if d := used.Disk(); d != used.Disk() || used.disk == nil {
		t.Errorf("Disk gave %p then %p", d, used.Disk())
	}
	graceful.crash(Graceful)
	if graceful.disk != nil {
		t.Errorf("a graceful shutdown made %s a disk", graceful.name)
	}
	crashed.crash(Crash)
	if crashed.disk == nil {
		t.Errorf("a crash left %s without a disk", crashed.name)
	}
	if got := faultCount(w, "DiskCrash"); got != 1 {
		t.Errorf("%d DiskCrash faults recorded, want 1", got)
	}
}

func faultCount(w *sim.World, name string) int {
	for _, f := range w.Faults() {
		if f.Name == name {
			return f.Count
		}
	}
	return 0
}

// TestTaskNames: a host's tasks are named host/task, the cluster's own
// (a process's main, a workload's phases) once per run: two seeds' hosts
// share the string.
func TestTaskNames(t *testing.T) {
	s := &Simulation{Name: "tasks",
		Processes: []Process{{Name: "kv", Main: func(env.Env) error { return nil }}},
		Workloads: []Workload{{Name: "cl", Count: 2, New: func() Driver { return Funcs{} }}}}
	plan := planHosts(s)
	a := newCluster(sim.New(sim.Config{Seed: 1}), s, chaos.Drawn{}, plan)
	b := newCluster(sim.New(sim.Config{Seed: 2}), s, chaos.Drawn{}, plan)
	tests := []struct {
		host   int
		name   string
		want   string
		shared bool
	}{
		{0, "main", "kv/main", true},
		{0, "setup", "kv/setup", false}, // a process has no phases: no name kept
		{0, "gc", "kv/gc", false},
		{2, "setup", "cl-2/setup", true},
		{2, "run", "cl-2/run", true},
		{2, "check", "cl-2/check", true},
		{2, "main", "cl-2/main", false},
		{2, "worker", "cl-2/worker", false},
	}
	for _, tt := range tests {
		x, y := a.hosts[tt.host].taskName(tt.name), b.hosts[tt.host].taskName(tt.name)
		if x != tt.want || y != tt.want {
			t.Errorf("task %q of host %d is named %q and %q, want %q", tt.name, tt.host, x, y, tt.want)
		}
		if shared := unsafe.StringData(x) == unsafe.StringData(y); shared != tt.shared {
			t.Errorf("task %q of host %d: the seeds share its name: %v, want %v", tt.name, tt.host, shared, tt.shared)
		}
	}
}
