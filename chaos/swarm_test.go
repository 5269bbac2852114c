package chaos

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orrerysim/orrery/disksim"
	"github.com/orrerysim/orrery/netsim"
	"github.com/orrerysim/orrery/sim"
)

// familiesOn returns the names of the network and disk families d has on.
func familiesOn(d Drawn) []string {
	var on []string
	for _, f := range families {
		if f.setIn(d) {
			on = append(on, f.name)
		}
	}
	return on
}

// draws returns the draws of c for n seeds, as runSeed makes them.
func draws(c Config, n int) []Drawn {
	ds := make([]Drawn, n)
	for i := range ds {
		ds[i] = c.Draw(sim.New(sim.Config{Seed: uint64(i) + 1}).ConfigRand())
	}
	return ds
}

func TestSwarmStaysWithinTheDeclaration(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		want []string // the families that must be on in some seeds and off in others
	}{
		{"network latency and clogs", Config{Net: netsim.Faults{Latency: netsim.Latency{Shape: netsim.Bimodal, SlowP: 0.01}, ClogP: 0.05}},
			[]string{"latency", "clog"}},
		{"disk sync failures", Config{Disk: disksim.Faults{SyncFailP: 0.02}, Attrition: Attrition{MaxDead: 1}},
			[]string{"sync-fail"}},
		{"nothing declared: the standard families", Config{},
			[]string{"random-close", "bit-flip", "partial", "connect-fail", "sync-fail", "corrupt", "stall", "throttle", "garbage"}},
		{"an explicit model", Config{Disk: disksim.Faults{SyncFailP: 0.02}, Model: []string{"sync-fail", "corrupt", "cut"}},
			[]string{"sync-fail", "corrupt", "cut"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.Swarm = true
			on, off := map[string]int{}, map[string]int{}
			for _, d := range draws(tc.c, 200) {
				got := familiesOn(d)
				for _, f := range got {
					if !slices.Contains(tc.want, f) {
						t.Fatalf("swarm drew %s, outside the declared %v: %v", f, tc.want, d)
					}
				}
				if d.Attrition.Enabled() && !tc.c.Attrition.Enabled() {
					t.Fatalf("swarm drew attrition, not declared: %v", d)
				}
				for _, f := range tc.want {
					if slices.Contains(got, f) {
						on[f]++
					} else {
						off[f]++
					}
				}
			}
			for _, f := range tc.want {
				if on[f] < 50 || off[f] < 50 {
					t.Errorf("%s on in %d seeds and off in %d of 200", f, on[f], off[f])
				}
			}
		})
	}
}

func TestSwarmKeepsTheDeclaredKnobs(t *testing.T) {
	c := Config{Swarm: true, Net: netsim.Faults{ClogP: 0.05, ClogMin: time.Second, ClogMax: 2 * time.Second}}
	for _, d := range draws(c, 50) {
		if d.Net.ClogMin != time.Second || d.Net.ClogMax != 2*time.Second {
			t.Fatalf("swarm dropped the declared clog durations: %+v", d.Net)
		}
	}
}

func TestSwarmDrawIsDeterministic(t *testing.T) {
	c := Standard().WithAttrition()
	c.Swarm = true
	a, b := draws(c, 100), draws(c, 100)
	if !slices.Equal(a, b) {
		t.Fatal("the same seeds drew different mixes")
	}
	mixes := map[string]bool{}
	for _, d := range a {
		mixes[d.String()] = true
	}
	if len(mixes) < 50 {
		t.Fatalf("100 seeds drew %d mixes", len(mixes))
	}
}

func TestValidateRejectsAnUnknownFamily(t *testing.T) {
	err := Config{Model: []string{"clog", "meteor"}}.Validate()
	if err == nil || !strings.Contains(err.Error(), `no fault family "meteor"`) {
		t.Fatalf("Validate: %v", err)
	}
	if err := (Config{Model: Families()}).Validate(); err != nil {
		t.Fatalf("Validate of every family: %v", err)
	}
}

func TestDeclared(t *testing.T) {
	for _, tc := range []struct {
		c    Config
		want []string
	}{
		{Config{}, []string{"random-close", "bit-flip", "partial", "connect-fail", "sync-fail", "corrupt", "stall", "throttle", "garbage"}},
		{Config{Attrition: Attrition{MaxDead: 1}}, nil},
		{Config{Net: netsim.Faults{CutP: 0.1}, Disk: disksim.Faults{PhantomWriteP: 0.1}}, []string{"cut", "phantom-write"}},
		{Config{Net: netsim.Faults{CutP: 0.1}, Model: []string{"garbage", "clog"}}, []string{"clog", "garbage"}},
	} {
		if got := tc.c.Declared(); !slices.Equal(got, tc.want) {
			t.Errorf("%+v declares %v, want %v", tc.c, got, tc.want)
		}
	}
}
