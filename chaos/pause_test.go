package chaos

import (
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/sim"
)

func TestSwarmDrawsPausesOnlyWhenDeclared(t *testing.T) {
	for _, declared := range []bool{false, true} {
		c := Standard()
		c.Swarm = true
		if declared {
			c.Pause = StandardPauses
		}
		on := 0
		for _, d := range draws(c, 200) {
			if !d.Pause.Enabled() {
				// Declared and drawn off, the mix says so, as it does of
				// the other families; undeclared, it says nothing of them.
				if off := strings.Contains(d.String(), " pause=off"); off != declared {
					t.Fatalf("pauses declared %v, drawn off: the mix says %q", declared, d)
				}
				continue
			}
			on++
			p := d.Pause
			if p.P < StandardPauses.P/4 || p.P > StandardPauses.P*4 || p.Min != StandardPauses.Min || p.Max < p.Min || p.Max > StandardPauses.Max {
				t.Fatalf("swarm drew pauses %v, outside the declared %v", p, StandardPauses)
			}
			if !strings.Contains(d.String(), "pause=on(p=") {
				t.Fatalf("the drawn mix does not print its pauses: %s", d)
			}
		}
		switch {
		case !declared && on > 0:
			t.Errorf("swarm drew pauses in %d seeds of 200, not declared", on)
		case declared && (on < 50 || on > 150):
			t.Errorf("declared pauses on in %d seeds of 200, want about half", on)
		}
	}
}

func TestPausesWithoutSwarmAreTheConfigured(t *testing.T) {
	c := Config{Pause: StandardPauses}
	if d := c.Draw(sim.NewRand(1, 2)); d.Pause != StandardPauses {
		t.Errorf("Draw without swarm = %v, want the configured %v", d.Pause, StandardPauses)
	}
}

func TestPauseDurationsAreMostlyShort(t *testing.T) {
	r := sim.NewRand(1, 2)
	var under, n = 0, 10000
	for range n {
		d := StandardPauses.Duration(r)
		if d < StandardPauses.Min || d > StandardPauses.Max {
			t.Fatalf("drew %v outside [%v, %v]", d, StandardPauses.Min, StandardPauses.Max)
		}
		if d < 270*time.Millisecond {
			under++
		}
	}
	if under < n*45/100 || under > n*55/100 {
		t.Errorf("%d of %d pauses under 270ms, want about half", under, n)
	}
}

func TestPausesValidate(t *testing.T) {
	for _, tc := range []struct {
		p    Pauses
		want bool
	}{
		{Pauses{}, true},
		{StandardPauses, true},
		{Pauses{P: 1.5, Max: time.Second}, false},
		{Pauses{P: 0.1}, false},
		{Pauses{P: 0.1, Min: 2, Max: 1}, false},
	} {
		if err := (Config{Pause: tc.p}).Validate(); (err == nil) != tc.want {
			t.Errorf("Validate(%+v) = %v", tc.p, err)
		}
	}
}
