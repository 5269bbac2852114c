package orrerytest

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/sim"
)

// TestFaultsSetting: ORRERY_FAULTS (or -orrery.faults) is the replayed
// seed's faults that may happen, "none" for none.
func TestFaultsSetting(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want []sim.FaultID
		err  string
	}{
		{"", nil, ""},
		{"Reboot:db#3,Clog:10.0.0.1->10.0.1.1#17", []sim.FaultID{{Op: "Reboot", Target: "db", N: 3}, {Op: "Clog", Target: "10.0.0.1->10.0.1.1", N: 17}}, ""},
		{"3,17", []sim.FaultID{{N: 3}, {N: 17}}, ""},
		{"none", []sim.FaultID{}, ""},
		{"Reboot:db#3,x", nil, "ORRERY_FAULTS=Reboot:db#3,x:"},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		s, err := register(fs).resolve(func(k string) string {
			return map[string]string{"ORRERY_SEED": "0x2a", "ORRERY_FAULTS": tc.v}[k]
		})
		if tc.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("ORRERY_FAULTS=%s: error %v, want one starting %q", tc.v, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(s.faults, tc.want) || (s.faults == nil) != (tc.want == nil) {
			t.Errorf("ORRERY_FAULTS=%s: faults %v, %v; want %v", tc.v, s.faults, err, tc.want)
		}
	}
}

// TestFaultsInReplayCommand: the replay command of a run with ORRERY_FAULTS
// keeps them, quoted when the shell would read them.
func TestFaultsInReplayCommand(t *testing.T) {
	for _, tc := range []struct {
		faults []sim.FaultID
		want   string
	}{
		{[]sim.FaultID{{Op: "Reboot", Target: "db", N: 1}, {Op: "Reboot", Target: "db", N: 3}},
			"ORRERY_SEED=0x2a ORRERY_FAULTS=Reboot:db#1,Reboot:db#3 go test -run '^TestSim$' ./x"},
		{[]sim.FaultID{{Op: "Clog", Target: "10.0.0.1->10.0.1.1", N: 2}},
			"ORRERY_SEED=0x2a ORRERY_FAULTS='Clog:10.0.0.1->10.0.1.1#2' go test -run '^TestSim$' ./x"},
	} {
		if got := goTestReplay("./x", "TestSim", settings{faults: tc.faults})(0x2a); got != tc.want {
			t.Errorf("replay command %q, want %q", got, tc.want)
		}
	}
}
