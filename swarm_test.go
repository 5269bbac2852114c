package orrery_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/chaos"
	"github.com/orrerysim/orrery/env"
	"github.com/orrerysim/orrery/netsim"
)

// drawnMix splits a seed's printed swarm mix into its network families
// (the latency shape's details left out), its disk faults and attrition.
var drawnMix = regexp.MustCompile(`^buggify=(on|off) net=\[(.*)\] disk=\[(.*)\] attrition=(on|off)`)

// netFamilies returns the names in a printed network mix ("clog=0.1
// latency=bimodal(...)" is clog and latency).
func netFamilies(net string) []string {
	net = regexp.MustCompile(`latency=\w+\([^)]*\)`).ReplaceAllString(net, "latency=x")
	var names []string
	for _, tok := range strings.Fields(net) {
		if name, _, ok := strings.Cut(tok, "="); ok {
			names = append(names, name)
		} else if tok != "none" {
			names = append(names, tok)
		}
	}
	return names
}

// netOnly is the counter simulation declaring network latency and clogs
// alone, its workloads failing so that every seed reports its mix.
func netOnly() orrery.Simulation {
	s := counter()
	s.Chaos = chaos.Config{Swarm: true, Net: netsim.Faults{
		Latency: netsim.Latency{Shape: netsim.Bimodal, SlowP: 0.01}, ClogP: 0.05, ReadClogP: 0.05}}
	s.Workloads[0].New = func() orrery.Driver {
		return orrery.Funcs{RunFunc: func(e env.Env) error { return errFail }}
	}
	return s
}

func TestSwarmDrawsOnlyTheDeclaredFamilies(t *testing.T) {
	rep, err := orrery.Run(netOnly(), orrery.Options{Seeds: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) != 200 {
		t.Fatalf("%d seeds reported their mix, want 200", len(rep.Failures))
	}
	on := map[string]int{}
	for _, f := range rep.Failures {
		m := drawnMix.FindStringSubmatch(f.Chaos)
		if m == nil {
			t.Fatalf("seed %#x: mix %q does not parse", f.Seed, f.Chaos)
		}
		if m[3] != "none" || m[4] != "off" {
			t.Fatalf("seed %#x drew disk faults or attrition, not declared: %s", f.Seed, f.Chaos)
		}
		for _, name := range netFamilies(m[2]) {
			if name != "latency" && name != "clog" && name != "read-clog" {
				t.Fatalf("seed %#x drew %s, not declared: %s", f.Seed, name, f.Chaos)
			}
			on[name]++
		}
	}
	for _, name := range []string{"latency", "clog"} {
		if on[name] < 50 || on[name] > 150 {
			t.Errorf("%s on in %d seeds of 200, want some on and some off", name, on[name])
		}
	}
}

func TestSwarmSeedIsDeterministic(t *testing.T) {
	s := counter()
	s.Chaos = chaos.Standard().WithAttrition()
	s.Chaos.Swarm = true
	s.Chaos.Duration = 5 * time.Second
	rep, err := orrery.Run(s, orrery.Options{Seeds: 20, CheckDeterminism: true})
	if err != nil || !rep.OK() {
		t.Fatalf("run: %v %+v", err, rep.Failures)
	}
	mixes := map[string]bool{}
	for range 2 {
		r, err := orrery.Run(netOnly(), orrery.Options{Replay: []uint64{0x2a}})
		if err != nil || len(r.Failures) != 1 {
			t.Fatalf("replay: %v %+v", err, r.Failures)
		}
		mixes[r.Failures[0].Chaos] = true
	}
	if len(mixes) != 1 {
		t.Fatalf("seed 0x2a drew %d mixes: %v", len(mixes), mixes)
	}
}

// TestSwarmDrawsDeclaredClockFaultsAndPauses: swarm switches the clock
// faults and pauses a simulation declares on and off by seed, prints them
// with the mix, and draws none it does not declare.
func TestSwarmDrawsDeclaredClockFaultsAndPauses(t *testing.T) {
	mixes := func(clocks orrery.Clocks, pauses chaos.Pauses) []string {
		s := netOnly()
		s.Clocks, s.Chaos.Pause = clocks, pauses
		rep, err := orrery.Run(s, orrery.Options{Seeds: 200})
		if err != nil || len(rep.Failures) != 200 {
			t.Fatalf("run: %v, %d failures", err, len(rep.Failures))
		}
		var out []string
		for _, f := range rep.Failures {
			out = append(out, f.Chaos)
		}
		return out
	}
	for _, mix := range mixes(orrery.NTPClocks, chaos.Pauses{}) {
		if strings.Contains(mix, "clock-") || strings.Contains(mix, "pause=") {
			t.Fatalf("swarm drew clock faults or pauses, not declared: %s", mix)
		}
	}
	on := map[string]int{}
	for _, mix := range mixes(orrery.NTPClockFaults, chaos.StandardPauses) {
		if !strings.Contains(mix, "clock-step=") || !strings.Contains(mix, "clock-drift=") {
			t.Fatalf("the mix does not print the declared clock faults: %s", mix)
		}
		for _, f := range []string{"clock-step=on", "clock-drift=on", "pause=on"} {
			if strings.Contains(mix, f) {
				on[f]++
			}
		}
	}
	for _, f := range []string{"clock-step=on", "clock-drift=on", "pause=on"} {
		if on[f] < 50 || on[f] > 150 {
			t.Errorf("%s in %d seeds of 200, want some on and some off", f, on[f])
		}
	}
}

// TestChaosPhaseLogShowsTheWholeMix: the chaos phase's log record prints
// the mix as the seed's report does, clock faults included.
func TestChaosPhaseLogShowsTheWholeMix(t *testing.T) {
	s := netOnly()
	s.Clocks = orrery.NTPClockFaults
	var log strings.Builder
	rep, err := orrery.Run(s, orrery.Options{Replay: []uint64{0x2a}, Log: &log, LogFilter: "info"})
	if err != nil || len(rep.Failures) != 1 {
		t.Fatalf("run: %v, %+v", err, rep)
	}
	line, _, _ := strings.Cut(log.String()[strings.Index(log.String(), "orrery: chaos phase"):], "\n")
	if !strings.Contains(line, "clock-step=") || !strings.Contains(line, "clock-drift=") {
		t.Errorf("the chaos phase's record lacks the clock faults: %s", line)
	}
}
