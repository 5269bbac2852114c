package orrerytest

import (
	"flag"
	"slices"
	"strings"
	"testing"
)

// TestFaultsSetting: ORRERY_FAULTS (or -orrery.faults) is the replayed
// seed's faults that may happen, "none" for none.
func TestFaultsSetting(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want []uint64
		err  string
	}{
		{"", nil, ""},
		{"3,17", []uint64{3, 17}, ""},
		{"none", []uint64{}, ""},
		{"3,x", nil, "ORRERY_FAULTS=3,x:"},
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
// keeps them.
func TestFaultsInReplayCommand(t *testing.T) {
	got := goTestReplay("./x", "TestSim", settings{faults: []uint64{1, 3}})(0x2a)
	if want := "ORRERY_SEED=0x2a ORRERY_FAULTS=1,3 go test -run '^TestSim$' ./x"; got != want {
		t.Errorf("replay command %q, want %q", got, want)
	}
}
