package orrerytest

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/orrerysim/orrery/sim"
)

// TestTimelineSetting: ORRERY_TIMELINE (or -orrery.timeline) is the
// replayed seed's timeline, and the replay command of a timeline names it.
func TestTimelineSetting(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f := register(fs)
	s, err := f.resolve(func(k string) string {
		return map[string]string{"ORRERY_SEED": "0x2a", "ORRERY_TIMELINE": "151@0x2a,80@7"}[k]
	})
	if err != nil || !slices.Equal(s.timeline, sim.Timeline{{At: 151, Seed: 0x2a}, {At: 80, Seed: 7}}) {
		t.Fatalf("settings %v, %v", s.timeline, err)
	}
	if _, err := f.resolve(func(k string) string { return map[string]string{"ORRERY_TIMELINE": "151"}[k] }); err == nil ||
		!strings.HasPrefix(err.Error(), "ORRERY_TIMELINE=151:") {
		t.Errorf("a bad timeline: %v", err)
	}
	replay := goTestReplayTimeline(goTestReplay("./x", "TestSim", settings{}))
	got := replay(0x2a, s.timeline)
	if want := "ORRERY_TIMELINE=151@0x2a,80@0x7 ORRERY_SEED=0x2a go test -run '^TestSim$' ./x"; got != want {
		t.Errorf("replay command %q, want %q", got, want)
	}
}
